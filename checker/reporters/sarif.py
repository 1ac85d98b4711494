"""`--format sarif`: SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

One run. The driver lists every built-in rule and every custom rule of the
policy set (a viewer shows a rule's help beside its results, and a clean run
still says what was checked), then any other rule id a finding names. Paths
are URIs relative to `%SRCROOT%`, the repository root, whose absolute place
this pure function cannot know, so `originalUriBaseIds` only describes it.
A waived finding stays a result, with an external suppression at the waiver;
with a baseline, every result is `new` (the others were left out).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .. import __version__
from ..finding import Finding, Location, Severity
from .escape import json_text

if TYPE_CHECKING:
    from ..engine import Report
    from ..model import CustomRule, Waiver
    from ..registry import Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT = "raci/v1"

_DRIVE = re.compile(r"[A-Za-z]:/")
_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def render(report: Report, *, color: bool = False, fail_on: Severity = Severity.ERROR) -> str:
    rules = _rules(report)
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    waivers = {w.location: w for w in report.model.waivers}
    run: dict[str, Any] = {
        "tool": {
            "driver": {"name": "raci-checker", "version": __version__, "semanticVersion": __version__, "rules": rules}
        },
        "originalUriBaseIds": {SRCROOT: {"description": {"text": "The root of the repository that was checked."}}},
        "columnKind": "unicodeCodePoints",
        "properties": _properties(report),
        "results": [],  # last: the results are written in below
    }
    head = json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2, ensure_ascii=False)
    # One result per line, by json's C encoder: an indented dump runs the
    # pure-Python one, a second on 10,000 findings against a third of one.
    # Every quote inside a string is escaped, so the last `"results": []` of
    # the text is the run's own.
    results = ",\n".join(
        json.dumps(_result(f, index[f.rule], waivers, report.baseline is not None), ensure_ascii=False)
        for f in report.findings
    )
    cut = head.rindex('"results": []') + len('"results": ')
    body = f"[\n{results}\n      ]" if results else "[]"
    return json_text(head[:cut] + body + head[cut + 2 :] + "\n")


def _rules(report: Report) -> list[dict[str, Any]]:
    from ..registry import RULES

    rules = [_builtin(rule) for rule in RULES.values()]
    seen = set(RULES)
    for custom in report.model.rules.values():
        if custom.id not in seen:  # a custom rule named like a built-in one is not evaluated
            seen.add(custom.id)
            rules.append(_custom(custom))
    for finding in report.findings:
        if finding.rule not in seen:  # not expected from the engine; keeps ruleIndex valid
            seen.add(finding.rule)
            rules.append({"id": finding.rule, "shortDescription": {"text": finding.rule}})
    return rules


def _builtin(rule: Rule) -> dict[str, Any]:
    from ..registry import documentation, summary

    text = documentation(rule)
    return {
        "id": rule.ID,
        "shortDescription": {"text": summary(rule) or rule.ID},
        "fullDescription": {"text": text or rule.ID},
        "help": {"text": text or rule.ID},
        "defaultConfiguration": {"level": _LEVELS[rule.SEVERITY.value]},
        "properties": {"tags": ["raci", "built-in"]},
    }


def _custom(rule: CustomRule) -> dict[str, Any]:
    from ..explain import explain_custom

    # Every evaluated rule has letters (the schema requires them); a rule built
    # by hand without them still gets a descriptor rather than an IndexError.
    help_text = explain_custom(rule) if rule.letters else rule.description
    level = _LEVELS.get(rule.severity)
    configuration: dict[str, Any] = {"level": level} if level else {"enabled": False}  # severity: off
    return {
        "id": rule.id,
        "shortDescription": {"text": rule.description},
        "fullDescription": {"text": help_text},
        "help": {"text": help_text},
        "defaultConfiguration": configuration,
        "properties": {"tags": ["raci", "custom", rule.type]},
    }


def _result(finding: Finding, rule_index: int, waivers: dict[Location, Waiver], baseline: bool) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": _LEVELS.get(finding.severity.value, "none"),
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": _physical(finding.location)}],
        "partialFingerprints": {FINGERPRINT: finding.fingerprint},
    }
    if finding.related:
        result["relatedLocations"] = [
            {"id": i, "physicalLocation": _physical(place), "message": {"text": "also here"}}
            for i, place in enumerate(finding.related, start=1)
        ]
    if finding.suppressed:
        result["suppressions"] = [_suppression(finding.waiver, waivers)]
    if baseline:
        result["baselineState"] = "new"
    result["properties"] = {"subject": finding.subject}
    return result


def _suppression(place: Location | None, waivers: dict[Location, Waiver]) -> dict[str, Any]:
    suppression: dict[str, Any] = {"kind": "external", "status": "accepted"}
    if place is not None:
        waiver = waivers.get(place)
        if waiver is not None:
            suppression["justification"] = waiver.reason
            suppression["properties"] = {
                "expires": waiver.expires,
                "approvedBy": [ref.id for ref in waiver.approved_by],
            }
        suppression["location"] = {"physicalLocation": _physical(place)}
    return suppression


def _physical(place: Location) -> dict[str, Any]:
    return {
        "artifactLocation": _artifact(place.file),
        # The engine's lines and columns are 1-based; max() keeps a hand-built 0 valid SARIF.
        "region": {"startLine": max(1, place.line), "startColumn": max(1, place.column)},
    }


def _artifact(file: str) -> dict[str, Any]:
    """A URI reference for a shown path: relative ones against %SRCROOT%.

    `quote` encodes what a URI cannot hold as is (spaces, `%`, `#`, `?`, non-ASCII
    as UTF-8) and keeps `/`; a path outside the repository (`../x`) stays relative
    to the root, and an absolute one becomes a `file:` URI.
    """
    if file.startswith("/"):
        return {"uri": "file://" + quote(file, safe="/")}
    if _DRIVE.match(file):  # another drive on Windows: C:/policies/x.yaml
        return {"uri": "file:///" + quote(file, safe="/:")}
    return {"uri": quote(file, safe="/"), "uriBaseId": SRCROOT}


def _properties(report: Report) -> dict[str, Any]:
    properties: dict[str, Any] = {"checked": {"files": report.files, **report.counts}}
    if report.baseline is not None:
        base = report.baseline
        properties["baseline"] = {"revision": base.revision, "commit": base.commit, "leftOut": base.left_out}
    return properties

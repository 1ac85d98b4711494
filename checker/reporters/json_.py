"""`--format json`: the stable, versioned shape of the spec (version 1).

Keys may be added in later versions of the tool; none is removed or renamed
while `version` stays 1.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..finding import Finding, Location, Severity
from .escape import json_text

if TYPE_CHECKING:
    from ..engine import Report


# One encoder for every line: `json.dumps` with options builds a new one per call.
_ENCODER = json.JSONEncoder(ensure_ascii=False)


def render(report: Report, *, color: bool = False, fail_on: Severity = Severity.ERROR) -> str:
    # One finding per line: readable and diffable, and compact enough for
    # json's C encoder (an indented dump runs the pure-Python one, which
    # took longer than the whole check on 10,000 duties).
    head = json.dumps({"version": 1, "summary": report.summary()}, ensure_ascii=False)[:-1]
    encode = _ENCODER.encode
    findings = ",\n".join(encode(finding_to_json(f)) for f in report.findings)
    checked = json.dumps({"files": report.files, **report.counts})
    body = f"[\n{findings}\n]" if findings else "[]"
    base = ""
    if report.baseline is not None:
        b = report.baseline
        base = ',\n"base": ' + json.dumps({"revision": b.revision, "commit": b.commit, "left_out": b.left_out})
    return json_text(f'{head},\n"findings": {body},\n"checked": {checked}{base}}}\n')


def finding_to_json(finding: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {
        "rule": finding.rule,
        "severity": finding.severity.value,
        "subject": finding.subject,
        "message": finding.message,
        **_location(finding.location),
        "related": [_location(r) for r in finding.related],
        "fingerprint": finding.fingerprint,
        "suppressed": finding.suppressed,
    }
    if finding.detail:
        out["detail"] = finding.detail
    if finding.waiver is not None:
        out["waiver"] = _location(finding.waiver)
    return out


def _location(location: Location) -> dict[str, Any]:
    return {"file": location.file, "line": location.line, "column": location.column}

"""`--format json`: the stable, versioned shape of the spec (version 1).

Keys may be added in later versions of the tool; none is removed or renamed
while `version` stays 1.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..finding import Finding, Location, Severity
from .escape import json_text

# json's own string escaping for `ensure_ascii=False` (its C function where built).
_string = json.encoder.encode_basestring

if TYPE_CHECKING:
    from ..engine import Report


def render(report: Report, *, color: bool = False, fail_on: Severity = Severity.ERROR) -> str:
    # One finding per line: readable and diffable (an indented dump runs json's
    # pure-Python encoder, which took longer than the whole check on 10,000 duties).
    head = json.dumps({"version": 1, "summary": report.summary()}, ensure_ascii=False)[:-1]
    findings = ",\n".join(map(finding_line, report.findings))
    checked = json.dumps({"files": report.files, **report.counts})
    body = f"[\n{findings}\n]" if findings else "[]"
    base = ""
    if report.baseline is not None:
        b = report.baseline
        base = ',\n"base": ' + json.dumps({"revision": b.revision, "commit": b.commit, "left_out": b.left_out})
    return json_text(f'{head},\n"findings": {body},\n"checked": {checked}{base}}}\n')


def finding_line(finding: Finding) -> str:
    """`finding_to_json(finding)` as `json.dumps` writes it (`ensure_ascii=False`),
    written directly: a finding's shape is fixed and every string in it goes
    through json's own C escaping, so only the dict and the encoder's walk over
    it are saved, 60% of the time on 65,000 findings. A test holds the two equal."""
    line = (
        f'{{"rule": {_string(finding.rule)}, "severity": {_string(finding.severity.value)}, '
        f'"subject": {_string(finding.subject)}, "message": {_string(finding.message)}, '
        f"{_place(finding.location)}, "
        f'"related": [{", ".join(f"{{{_place(r)}}}" for r in finding.related)}], '
        f'"fingerprint": "{finding.fingerprint}", "suppressed": {"true" if finding.suppressed else "false"}'
    )
    if finding.detail:
        line += f', "detail": {_string(finding.detail)}'
    if finding.waiver is not None:
        line += f', "waiver": {{{_place(finding.waiver)}}}'
    return line + "}"


def _place(location: Location) -> str:
    return f'"file": {_string(location.file)}, "line": {int(location.line)}, "column": {int(location.column)}'


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

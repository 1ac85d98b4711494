"""`--format json`: the stable, versioned shape of the spec (version 1).

Keys may be added in later versions of the tool; none is removed or renamed
while `version` stays 1.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..finding import Finding, Location

if TYPE_CHECKING:
    from ..engine import Report


def render(report: Report, *, color: bool = False) -> str:
    document = {
        "version": 1,
        "summary": report.summary(),
        "findings": [finding_to_json(f) for f in report.findings],
        "checked": {"files": report.files, **report.counts},
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


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
    return out


def _location(location: Location) -> dict[str, Any]:
    return {"file": location.file, "line": location.line, "column": location.column}

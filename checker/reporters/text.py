"""`--format text`: one `path:line:col: severity rule message` line per finding,
which editors and terminals can jump from, then a summary table and what was
checked."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from ..finding import Severity
from . import wording
from .escape import terminal

if TYPE_CHECKING:
    from ..engine import Report

_COLORS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def _paint(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def render(report: Report, *, color: bool = False, fail_on: Severity = Severity.ERROR) -> str:
    lines = []
    for finding in report.findings:
        level = "suppressed" if finding.suppressed else finding.severity.value
        shown = _paint(level, _COLORS.get(finding.severity, "2"), color and not finding.suppressed)
        lines.append(f"{finding.location}: {shown} {finding.rule} {terminal(finding.message)}")
        lines.extend(f"    also at {place}" for place in finding.related)
        if finding.waiver is not None:
            lines.append(f"    waived at {finding.waiver}")
    if report.findings:
        from tabulate import tabulate  # only a run that has findings pays for the import

        per_rule = Counter((f.rule, "suppressed" if f.suppressed else f.severity.value) for f in report.findings)
        rows = sorted(per_rule.items(), key=lambda item: (-_rank(item[0][1]), item[0][0]))
        table = tabulate(
            [(rule, level, count) for (rule, level), count in rows],
            headers=("rule", "severity", "findings"),
            tablefmt="simple",
        )
        lines += ["", table]
    if lines:
        lines.append("")
    lines.append(_footer(report))
    return "\n".join(lines) + "\n"


def _rank(level: str) -> int:
    return Severity(level).rank if level in Severity._value2member_map_ else -1


def _footer(report: Report) -> str:
    entities = wording.entities(report.counts)
    checked = f"checked {wording.files(report.files)}" + (f": {entities}" if entities else "")
    found = wording.counts(report.summary())
    if report.baseline is None:
        return f"{checked}; {found or 'no problems found'}"
    return f"{checked}; {found or 'no new problems found'}; {report.baseline.note}"

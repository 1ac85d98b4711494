"""`--format markdown`: a pull-request comment (GitHub, GitLab, Gitea render it alike).

A heading with the result, the baseline note, one table row per finding that
counts, waived findings in a collapsed section, and what was checked. Cells
quote policy files, so each is escaped for a GFM table: a pipe cannot end a
cell, a newline cannot end a row, `<`, `>` and `&` become entities (no HTML
gets in), and backslashes, backticks, emphasis and link brackets are
backslash-escaped (no hidden link). A long list is cut, at 200 rows per table
or when the comment nears GitHub's 65,536-character limit, with a line saying
how many rows are left out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ..finding import Finding, Severity
from . import wording
from .escape import comment_cell as markdown_cell

if TYPE_CHECKING:
    from ..engine import Report

MAX_ROWS = 200
MAX_CHARS = 60_000  # GitHub refuses a comment over 65,536 characters; leave room for the rest


def render(report: Report, *, color: bool = False, fail_on: Severity = Severity.ERROR) -> str:
    shown = [f for f in report.findings if not f.suppressed]
    waived = [f for f in report.findings if f.suppressed]
    lines = [f"### raci check: {_result(report)}", ""]
    if report.baseline is not None:
        base = report.baseline
        n = base.left_out
        lines += [
            f"{n} finding{'s' if n != 1 else ''} already present at {markdown_cell(base.revision)} "
            f"{'were' if n != 1 else 'was'} left out.",
            "",
        ]
    budget = [MAX_CHARS]
    if shown:
        lines += [*_table(shown, ["severity", "rule", "where", "message"], _row, budget), ""]
    if waived:
        n = len(waived)
        lines += [
            "<details>",
            f"<summary>{n} suppressed finding{'s' if n != 1 else ''} (waived)</summary>",
            "",
            *_table(waived, ["severity", "rule", "where", "message", "waived at"], _waived_row, budget),
            "",
            "</details>",
            "",
        ]
    lines.append(_checked(report))
    return "\n".join(lines) + "\n"


def _row(finding: Finding) -> list[str]:
    message = markdown_cell(finding.message) + "".join(
        f"<br>also at {markdown_cell(str(place))}" for place in finding.related
    )
    return [finding.severity.value, markdown_cell(finding.rule), _where(finding), message]


def _waived_row(finding: Finding) -> list[str]:
    waiver = markdown_cell(str(finding.waiver)) if finding.waiver is not None else ""
    return [*_row(finding), waiver]


def _where(finding: Finding) -> str:
    return markdown_cell(f"{finding.location.file}:{finding.location.line}")


def _table(
    findings: Sequence[Finding], headers: list[str], row: Callable[[Finding], list[str]], budget: list[int]
) -> list[str]:
    """The table's lines; `budget` (characters left for the comment) is shared by every table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for i, finding in enumerate(findings):
        line = "| " + " | ".join(row(finding)) + " |"
        if i == MAX_ROWS or len(line) > budget[0]:
            rest = len(findings) - i
            lines += [
                "",
                f"… and {rest} more finding{'s' if rest != 1 else ''}, not shown here: `raci check` lists all.",
            ]
            break
        budget[0] -= len(line) + 1
        lines.append(line)
    return lines


def _result(report: Report) -> str:
    summary = report.summary()
    problems = wording.counts(summary, ("error", "warning", "info"))
    waived = f"{summary['suppressed']} suppressed" if summary["suppressed"] else ""
    if not problems:
        return "no problems found" + (f" ({waived})" if waived else "")
    return ", ".join(part for part in (problems, waived) if part)


def _checked(report: Report) -> str:
    entities = wording.entities(report.counts)
    return f"Checked {wording.files(report.files)}" + (f": {entities}." if entities else ".")

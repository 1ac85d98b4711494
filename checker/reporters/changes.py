"""`raci diff` and `raci history` output: text for people, Markdown and CSV as evidence, JSON for programs.

Every format carries what an auditor needs to trust the export: the tool
version, the revisions compared or walked, and the tree the trail ends at.
Values quoted from the policy files are escaped for each format: control
characters for terminals and spreadsheets (and, as `\\u` escapes, in JSON),
pipes and HTML for Markdown tables, leading formula characters for spreadsheets.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..history import accountability_changes
from ..paths import printable
from .escape import csv_cell, json_text, markdown_cell
from .json_ import finding_to_json

if TYPE_CHECKING:
    from ..diff import Diff
    from ..finding import Finding
    from ..history import Entry, History
    from ..semantic import Change

DIFF_FORMATS = ("text", "markdown", "json")
HISTORY_FORMATS = ("text", "markdown", "csv", "json")
CSV_COLUMNS = (
    "commit",
    "date",
    "author",
    "email",
    "approved_by",
    "subject",
    "change",
    "entity",
    "id",
    "field",
    "before",
    "after",
    "approval_needed",
    "approval_missing",
    "tool",
    "range",
    "tree",
)


def shown(value: Any) -> str:
    """A before/after value in one line: `[cio, ciso]`, `{cio: 480000}`, `-` for none."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(shown(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {shown(v)}" for k, v in value.items()) + "}"
    return printable(str(value))


def describe(change: Change) -> str:
    """`duty sec.incident-response: accountable [ciso] -> [cio, ciso]`."""
    what = f"{change.entity} {printable(change.id)}"
    if change.change == "added":
        return f"{what}: added {shown(_set_fields(change.after))}"
    if change.change == "removed":
        return f"{what}: removed (was {shown(_set_fields(change.before))})"
    return f"{what}: {change.field} {shown(change.before)} -> {shown(change.after)}"


def _set_fields(record: Any) -> Any:
    """A whole record as a person reads it: the fields that are not set left out."""
    return {k: v for k, v in record.items() if v is not None} if isinstance(record, dict) else record


# raci diff


def render_diff(result: Diff, fmt: str) -> str:
    return {"text": _diff_text, "markdown": _diff_markdown, "json": _diff_json}[fmt](result)


def _side(revision: str | None, commit: str | None) -> dict[str, Any]:
    return {"revision": revision, "commit": commit}


def _diff_text(result: Diff) -> str:
    before, after = result.before, result.after
    lines = [f"changes from {printable(before.label)} to {printable(after.label)}:"]
    lines += [f"  {describe(c)}" for c in result.changes] or ["  none"]
    for title, findings in (("introduced", result.introduced), ("resolved", result.resolved)):
        lines.append(f"findings {title}: {len(findings)}")
        lines += [f"  {_finding_line(f)}" for f in findings]
    return "\n".join(lines) + "\n"


def _finding_line(finding: Finding) -> str:
    return f"{finding.location}: {finding.severity.value} {finding.rule} {printable(finding.message)}"


def _diff_markdown(result: Diff) -> str:
    before, after = result.before, result.after
    lines = [
        f"### raci diff: {markdown_cell(before.label)} → {markdown_cell(after.label)}",
        "",
        f"{len(result.changes)} change(s), {len(result.introduced)} finding(s) introduced, "
        f"{len(result.resolved)} resolved.",
        "",
    ]
    if result.changes:
        lines += _table(
            ("change", "entity", "id", "field", "before", "after"), (_change_cells(c) for c in result.changes)
        )
        lines.append("")
    for title, findings in (("Introduced", result.introduced), ("Resolved", result.resolved)):
        if findings:
            lines += [f"#### {title} findings", ""]
            lines += _table(
                ("severity", "rule", "where", "message"),
                ((f.severity.value, f.rule, f"{f.location.file}:{f.location.line}", f.message) for f in findings),
            )
            lines.append("")
    return "\n".join(lines)


def _diff_json(result: Diff) -> str:
    from .. import __version__

    head = {
        "version": 1,
        "tool": f"raci-checker {__version__}",
        "from": _side(result.before.revision, result.before.commit),
        "to": _side(result.after.revision, result.after.commit),
    }
    changes = ",\n".join(_ENCODER.encode(c.to_json()) for c in result.changes)
    findings = {
        "introduced": [finding_to_json(f) for f in result.introduced],
        "resolved": [finding_to_json(f) for f in result.resolved],
    }
    text = _with_list(head, "changes", changes)[:-1]
    return json_text(f'{text}, "findings": {_ENCODER.encode(findings)}}}\n')


# raci history


def render_history(trail: History, fmt: str) -> str:
    return {"text": _history_text, "markdown": _history_markdown, "csv": _history_csv, "json": _history_json}[fmt](
        trail
    )


def _provenance(trail: History) -> str:
    return f"{trail.tool}; range {printable(trail.range)}; head {trail.head}; tree {trail.tree}"


def approvers(entry: Entry) -> str:
    return ", ".join(v for k, values in entry.commit.trailers.items() if k.lower() == "approved-by" for v in values)


def _history_text(trail: History) -> str:
    lines = []
    if trail.shallow:
        lines += [f"note: {trail.shallow}", ""]
    if trail.warnings:
        lines += [f"warning: where the trail starts, {printable(w)}" for w in trail.warnings] + [""]
    for entry in trail.entries:
        commit = entry.commit
        lines.append(f"commit {commit.id}")
        lines.append(f"Author: {printable(commit.author)} <{printable(commit.email)}>")
        lines.append(f"Date:   {commit.date}")
        lines.append(f"    {printable(commit.subject)}")
        for key, values in commit.trailers.items():
            lines += [f"    {printable(key)}: {printable(v)}" for v in values]
        lines.append("")
        lines += [f"  {describe(c)}" for c in entry.changes]
        lines += [f"  warning: {printable(w)}" for w in entry.warnings]
        lines += [f"  {line}" for line in _approval_lines(entry)]
        lines.append("")
    lines.append(f"{len(trail.entries)} commit(s) changed the policy set ({_provenance(trail)})")
    return "\n".join(lines) + "\n"


def render_approvals(trail: History, lacking: list[Entry], fmt: str) -> str:
    """`--check-approvals`: the commits that lack an approval (other formats: those commits' trail)."""
    if fmt != "text":
        return render_history(replace(trail, entries=lacking), fmt)
    needing = [e for e in trail.entries if e.approval.required]
    lines = [f"note: {trail.shallow}", ""] if trail.shallow else []
    for entry in lacking:
        commit = entry.commit
        lines.append(f"commit {commit.id[:12]} {commit.date} {printable(commit.author)} <{printable(commit.email)}>")
        lines.append(f"    {printable(commit.subject)}")
        relevant = accountability_changes(entry.changes)
        lines += [f"  {describe(c)}" for c in relevant]
        lines += [f"  {line}" for line in _approval_lines(entry)]
        lines.append("")
    where = f"in {printable(trail.range)}"
    if lacking:
        lines.append(
            f"{len(lacking)} of {len(needing)} commit(s) {where} that changed accountability or funding "
            "lack an approval"
        )
    else:
        lines.append(f"all {len(needing)} commit(s) {where} that changed accountability or funding are approved")
    return "\n".join(lines) + "\n"


def _approval_lines(entry: Entry) -> list[str]:
    approval = entry.approval
    if not approval.required:
        return []
    lines = [f"approval needed from: {', '.join(approval.required)}"]
    if approval.approved:
        lines.append(f"approved by: {', '.join(approval.approved)}")
    if approval.missing:
        lines.append(f"NOT APPROVED by: {', '.join(approval.missing)}")
    if approval.self_approved:
        lines.append(f"approved by the author, which does not count: {', '.join(approval.self_approved)}")
    return lines


def _rows(trail: History) -> Iterable[list[str]]:
    """One row per change; a commit marked only with a warning, and the trail's own
    notes, are rows too (change `warning` or `note`, the text in `after`), so an
    export never drops what the text output says."""
    provenance = [trail.tool, trail.range, trail.tree]
    for note in ([trail.shallow] if trail.shallow else []) + trail.warnings:
        yield ["", "", "", "", "", "", "note", "", "", "", "", note, "", "", *provenance]
    for entry in trail.entries:
        commit = entry.commit
        head = [commit.id, commit.date, commit.author, commit.email, approvers(entry), commit.subject]
        approval = [" ".join(entry.approval.required), " ".join(entry.approval.missing)]
        for change in entry.changes:
            body = [change.change, change.entity, change.id, change.field or ""]
            yield [*head, *body, _json(change.before), _json(change.after), *approval, *provenance]
        for warning in entry.warnings:
            yield [*head, "warning", "", "", "", "", warning, *approval, *provenance]


def _json(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=False)


def _history_csv(trail: History) -> str:
    # The provenance rides in columns of every row: a comment line above the
    # header would be read as the header by csv readers and spreadsheets.
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in _rows(trail):
        writer.writerow([csv_cell(cell) for cell in row])
    return out.getvalue()


def _history_markdown(trail: History) -> str:
    lines = [f"### raci history: {markdown_cell(trail.range)}", "", f"_{markdown_cell(_provenance(trail))}_", ""]
    if trail.shallow:
        lines += [f"> **Note:** {markdown_cell(trail.shallow)}", ""]
    lines += [f"> **Warning** where the trail starts: {markdown_cell(w)}" for w in trail.warnings]
    if trail.warnings:
        lines.append("")
    rows = [
        [r[0][:12], r[1], f"{r[2]} <{r[3]}>" if r[2] else "", r[4], r[5], *r[6:12], r[13]]
        for r in _rows(trail)
        if r[6] != "note"  # said above the table
    ]
    headers = (
        "commit",
        "date",
        "author",
        "approved by",
        "subject",
        "change",
        "entity",
        "id",
        "field",
        "before",
        "after",
        "approval missing",
    )
    lines += _table(headers, rows) if rows else ["No commit changed the policy set."]
    return "\n".join(lines) + "\n"


def _history_json(trail: History) -> str:
    head = {
        "version": 1,
        "tool": trail.tool,
        "range": trail.range,
        "head": trail.head,
        "tree": trail.tree,
        "shallow": trail.shallow,
        "warnings": trail.warnings,
    }
    commits = ",\n".join(_commit_json(e) for e in trail.entries)
    return json_text(_with_list(head, "commits", commits)) + "\n"


def _commit_json(entry: Entry) -> str:
    commit = {
        "commit": entry.commit.id,
        "author": entry.commit.author,
        "email": entry.commit.email,
        "date": entry.commit.date,
        "subject": entry.commit.subject,
        "trailers": entry.commit.trailers,
        "approval": {
            "required": list(entry.approval.required),
            "approved": list(entry.approval.approved),
            "missing": list(entry.approval.missing),
            "self_approved": list(entry.approval.self_approved),
        },
        "warnings": entry.warnings,
    }
    return _with_list(commit, "changes", ",\n".join(_ENCODER.encode(c.to_json()) for c in entry.changes))


# One object or change per line, all through json's C encoder: an indented dump
# runs the pure-Python one, which took most of a history of a 10,000-duty set.
_ENCODER = json.JSONEncoder(ensure_ascii=False)


def _with_list(head: dict[str, Any], key: str, items: str) -> str:
    """`head` as a JSON object with `key` last, holding the already encoded `items`."""
    body = f"[\n{items}\n]" if items else "[]"
    return f"{_ENCODER.encode(head)[:-1]}, {json.dumps(key)}: {body}}}"


# Markdown tables


def _change_cells(change: Change) -> list[str]:
    return [change.change, change.entity, change.id, change.field or "", shown(change.before), shown(change.after)]


def _table(headers: Iterable[str], rows: Iterable[Iterable[str]]) -> list[str]:
    heads = list(headers)
    lines = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
    lines += ["| " + " | ".join(markdown_cell(str(c)) for c in row) + " |" for row in rows]
    return lines

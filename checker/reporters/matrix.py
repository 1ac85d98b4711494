"""`raci matrix --format table|markdown|csv|json|html`: the RACI grid, printed.

Every format quotes file content (ids, titles, names), so each escapes it for
where it lands: control characters for a terminal, pipes, markup and mentions
for Markdown, formula prefixes for spreadsheets, markup for the page, and
control characters in every format (`escape` has one function per need).

A large organisation's grid is mostly empty (10,000 duties by 500 parties is
five million cells, a few thousand filled), so rows are built from their few
filled cells over a prebuilt blank row, never cell by cell. For the same
reason the table is laid out here in tabulate's "simple" style rather than by
tabulate, which takes seconds on such a grid.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from ..matrix import Column, Matrix, Row, without_cyclic_gc

# The Markdown matrix is pasted into pull-request comments, like the check's Markdown.
from .escape import comment_cell as markdown_cell
from .escape import csv_cell, html_text, json_text, terminal

FORMATS = ("table", "markdown", "csv", "json", "html")

LEGEND = "A accountable, R responsible, C consulted, I informed"


def render(matrix: Matrix, fmt: str) -> str:
    renderers: dict[str, Callable[[Matrix], str]] = {
        "table": _table,
        "markdown": _markdown,
        "csv": _csv,
        "json": _json,
        "html": _html,
    }
    with without_cyclic_gc():
        return renderers[fmt](matrix)


# -- shared --------------------------------------------------------------------------------------------------------


def _plural(n: int, word: str) -> str:
    if n == 1:
        return f"1 {word}"
    return f"{n} {'parties' if word == 'party' else 'duties' if word == 'duty' else word + 's'}"


def summary(matrix: Matrix) -> str:
    """What was read and what is shown, in one line of plain (unescaped) text."""
    flagged = sum(1 for row in matrix.rows if row.problems)
    text = (
        f"checked {_plural(matrix.files, 'file')}: {_plural(matrix.parties_defined, 'party')}, "
        f"{_plural(matrix.duties_defined, 'duty')}; shown: {_plural(len(matrix.rows), 'duty')}, "
        f"{_plural(len(matrix.columns), 'party')}; {flagged} with problems"
    )
    filters = [f"--domain {d}" for d in matrix.domains] + [f"--party {p}" for p in matrix.parties]
    return text + (f"; {' '.join(filters)}" if filters else "")


def _sparse(row: Row, index: dict[str, int]) -> list[tuple[int, str]]:
    """A row's filled cells as (column position, letters), left to right."""
    return sorted((index[party], letters) for party, letters in row.cells.items() if party in index)


def _positions(matrix: Matrix, first: int = 0) -> dict[str, int]:
    return {column.id: first + i for i, column in enumerate(matrix.columns)}


# -- table ---------------------------------------------------------------------------------------------------------


def _short_head(column: Column) -> str:
    mark = "?" if not column.known else "*" if not column.active else ""
    return terminal(column.id) + mark


def _table(matrix: Matrix) -> str:
    legend = f"{LEGEND}; * inactive party, ? unknown party; ! problem: the rules that fire on the duty"
    footer = f"\n{legend}\n{terminal(summary(matrix))}\n"
    if not matrix.rows:
        return "(no duties to show)\n" + footer
    index = _positions(matrix, first=1)
    heads = ["duty", *(_short_head(c) for c in matrix.columns), "problems"]
    body = [
        (terminal(row.id), _sparse(row, index), f"! {', '.join(row.problems)}" if row.problems else "")
        for row in matrix.rows
    ]
    # tabulate's simple style: each column as wide as its widest cell, and at least its heading plus two.
    widths = [len(head) + 2 for head in heads]
    for duty, cells, problems in body:
        widths[0] = max(widths[0], len(duty))
        for position, letters in cells:
            widths[position] = max(widths[position], len(letters))
        widths[-1] = max(widths[-1], len(problems))
    blank = [" " * width for width in widths]
    lines = ["  ".join(head.ljust(width) for head, width in zip(heads, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * width for width in widths))
    for duty, cells, problems in body:
        line = blank.copy()
        line[0] = duty.ljust(widths[0])
        for position, letters in cells:
            line[position] = letters.ljust(widths[position])
        line[-1] = problems
        lines.append("  ".join(line).rstrip())
    return "\n".join(lines) + "\n" + footer


# -- markdown ------------------------------------------------------------------------------------------------------

# Characters that would start Markdown markup inside a table cell; the backslash first.


def _long_head(column: Column) -> str:
    mark = " (unknown)" if not column.known else " (inactive)" if not column.active else ""
    return column.id + mark


def _markdown(matrix: Matrix) -> str:
    legend = f"{LEGEND}; problems: the rules that fire on the duty"
    footer = f"\n{legend}\n\n{markdown_cell(summary(matrix))}\n"
    if not matrix.rows:
        return "_no duties to show_\n" + footer
    heads = ["duty", "title", "domain", *(_long_head(c) for c in matrix.columns), "problems"]
    lines = [_markdown_row([markdown_cell(head) for head in heads]), _markdown_row(["---"] * len(heads))]
    index = _positions(matrix, first=3)
    blank = [""] * len(heads)
    for row in matrix.rows:
        lines.append(_markdown_row(_cells(row, index, blank, markdown_cell, markdown_cell(", ".join(row.problems)))))
    return "\n".join(lines) + "\n" + footer


def _markdown_row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


# -- csv -----------------------------------------------------------------------------------------------------------


def _csv(matrix: Matrix) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    heads = ["duty", "title", "domain", *(c.id for c in matrix.columns), "problems"]
    writer.writerow([csv_cell(head) for head in heads])
    index = _positions(matrix, first=3)
    blank = [""] * len(heads)
    for row in matrix.rows:
        writer.writerow(_cells(row, index, blank, csv_cell, " ".join(row.problems)))
    return out.getvalue()


def _cells(row: Row, index: dict[str, int], blank: list[str], escape: Callable[[str], str], problems: str) -> list[str]:
    """A row of the flat formats: duty, title and domain escaped for the format, the
    letters at their parties' positions over `blank`, then `problems`."""
    cells = blank.copy()
    cells[0], cells[1], cells[2] = escape(row.id), escape(row.title), escape(row.domain or "")
    for position, letters in _sparse(row, index):
        cells[position] = letters
    cells[-1] = problems
    return cells


# -- json ----------------------------------------------------------------------------------------------------------


def _json(matrix: Matrix) -> str:
    # One party or duty per line: readable, diffable, and written by the C encoder
    # (an `indent` would switch json to its pure-Python encoder, slower by half).
    parties = [{"id": c.id, "name": c.name, "active": c.active, "known": c.known} for c in matrix.columns]
    duties = [
        {
            "id": row.id,
            "title": row.title,
            "domain": row.domain,
            "accountable": list(row.accountable),
            "responsible": list(row.responsible),
            "consulted": list(row.consulted),
            "informed": list(row.informed),
            "problems": list(row.problems),
        }
        for row in matrix.rows
    ]
    return f'{{"version": 1,\n "parties": {_json_list(parties)},\n "duties": {_json_list(duties)}}}\n'


def _json_list(items: list[dict[str, Any]]) -> str:
    if not items:
        return "[]"
    return json_text("[\n  " + ",\n  ".join(json.dumps(item, ensure_ascii=False) for item in items) + "\n ]")


# -- html ----------------------------------------------------------------------------------------------------------

# Inline and self-contained: the page is opened from a CI artifact, offline, and
# must load nothing. Colours by class only, never per cell, so that a grid of
# millions of cells stays a plain table the browser lays out once.
_CSS = """\
:root{color-scheme:light dark;--fg:#1f2328;--muted:#59636e;--bg:#fff;--head:#f6f8fa;--line:#d1d9e0;
--a:#ddf4ff;--a-fg:#0550ae;--r:#dafbe1;--r-fg:#116329;--c:#fff8c5;--c-fg:#7d4e00;--i:#eff2f5;--i-fg:#59636e;
--error:#ffebe9;--error-fg:#a40e26;--warning:#fff1e5;--warning-fg:#953800}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;--head:#151b23;--line:#3d444d;
--a:#0c2d6b;--a-fg:#a5d6ff;--r:#033a16;--r-fg:#aff5b4;--c:#3b2300;--c-fg:#f8e3a1;--i:#212830;--i-fg:#9198a1;
--error:#3c1618;--error-fg:#ffa198;--warning:#3d1d00;--warning-fg:#ffa657}}
body{margin:0;padding:1rem 1.25rem;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
color:var(--fg);background:var(--bg)}
h1{font-size:1.25rem;margin:0 0 .25rem}
.summary,.legend{margin:.25rem 0;color:var(--muted)}
.legend b{display:inline-block;min-width:1.5em;padding:0 .3em;border-radius:3px;text-align:center}
.grid{border-collapse:separate;border-spacing:0;margin-top:.75rem;font-size:13px}
.grid th,.grid td{padding:.15rem .45rem;border-bottom:1px solid var(--line);white-space:nowrap;text-align:left;
vertical-align:top}
.grid thead th{position:sticky;top:0;z-index:2;background:var(--head);vertical-align:bottom;
border-bottom:2px solid var(--line)}
.grid thead th:first-child{left:0;z-index:3}
.grid thead th.p{text-align:center}
.grid thead th.p span{display:inline-block;writing-mode:vertical-rl;transform:rotate(180deg)}
.grid thead th.inactive span{text-decoration:line-through;color:var(--muted)}
.grid thead th.unknown span{font-style:italic;color:var(--error-fg)}
.grid tbody th{position:sticky;left:0;z-index:1;background:var(--bg);border-right:1px solid var(--line)}
.grid td.t{white-space:normal;min-width:14em;max-width:28em}
.grid td.d{color:var(--muted)}
.grid tr.error>*{background:var(--error)}
.grid tr.warning>*{background:var(--warning)}
.grid td.a,.grid td.r,.grid td.c,.grid td.i{text-align:center;font-weight:600}
.grid td.a,.legend .a{background:var(--a);color:var(--a-fg)}
.grid td.r,.legend .r{background:var(--r);color:var(--r-fg)}
.grid td.c,.legend .c{background:var(--c);color:var(--c-fg)}
.grid td.i,.legend .i{background:var(--i);color:var(--i-fg)}
.rules{display:block;font-weight:400;font-size:12px;color:var(--error-fg)}
.legend .rules{display:inline}
tr.warning .rules{color:var(--warning-fg)}
details{margin-top:1.25rem}
summary{cursor:pointer;font-weight:600}
.parties{border-collapse:collapse;margin-top:.5rem}
.parties th,.parties td{padding:.1rem .6rem;border-bottom:1px solid var(--line);text-align:left}
.empty{margin-top:1rem;font-style:italic}
"""

_CELL_CLASS = {"A": "a", "R": "r", "C": "c", "I": "i"}


def _status(column: Column) -> str:
    return "unknown: named in a claim, never defined" if not column.known else "active" if column.active else "inactive"


def _head_class(column: Column) -> str:
    return "p unknown" if not column.known else "p inactive" if not column.active else "p"


def _html(matrix: Matrix) -> str:
    legend = (
        '<p class="legend"><b class="a">A</b> accountable · <b class="r">R</b> responsible · '
        '<b class="c">C</b> consulted · <b class="i">I</b> informed · '
        '<span class="rules">rule names</span> problems on the duty (errors and warnings) · '
        "parties struck through are inactive, in italics unknown; hover a party for its name</p>"
    )
    parts = [
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n',
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        f"<title>RACI matrix</title>\n<style>\n{_CSS}</style>\n</head>\n<body>\n",
        "<h1>RACI matrix</h1>\n",
        f'<p class="summary">{html_text(summary(matrix))}</p>\n',
        legend,
        "\n",
    ]
    if matrix.rows:
        parts.extend(_html_grid(matrix))
    else:
        parts.append('<p class="empty">No duty to show.</p>\n')
    if matrix.columns:
        parts.append(f"<details>\n<summary>Parties ({len(matrix.columns)})</summary>\n")
        parts.append('<table class="parties">\n<tr><th>id</th><th>name</th><th>status</th></tr>\n')
        for column in matrix.columns:
            cells = (column.id, column.name or "", _status(column))
            parts.append("<tr>" + "".join(f"<td>{html_text(cell)}</td>" for cell in cells) + "</tr>\n")
        parts.append("</table>\n</details>\n")
    parts.append("</body>\n</html>\n")
    return "".join(parts)


def _html_grid(matrix: Matrix) -> Iterator[str]:
    yield '<table class="grid">\n<thead><tr><th>duty</th><th>title</th><th>domain</th>'
    for column in matrix.columns:
        label = column.name if column.name is not None else "not defined"
        mark = " (inactive)" if column.known and not column.active else " (unknown)" if not column.known else ""
        title = html_text(label + mark)
        yield f'<th class="{_head_class(column)}" title="{title}"><span>{html_text(column.id)}</span></th>'
    yield "</tr></thead>\n<tbody>\n"
    index = _positions(matrix)
    # End tags of cells are optional in HTML; leaving them out keeps an empty cell at four bytes.
    width = len(matrix.columns)
    filled: dict[str, str] = {}
    for row in matrix.rows:
        head = f'<tr class="{row.severity.value}">' if row.severity is not None else "<tr>"
        rules = f'<span class="rules">{html_text(", ".join(row.problems))}</span>' if row.problems else ""
        pieces = [
            f'{head}<th scope="row">{html_text(row.id)}{rules}</th>',
            f'<td class="t">{html_text(row.title)}<td class="d">{html_text(row.domain or "")}',
        ]
        at = 0
        for position, letters in _sparse(row, index):
            cell = filled.get(letters)
            if cell is None:
                cell = filled[letters] = f'<td class="{_CELL_CLASS.get(letters[:1], "")}">{html_text(letters)}'
            pieces.append("<td>" * (position - at))
            pieces.append(cell)
            at = position + 1
        pieces.append("<td>" * (width - at))
        pieces.append("</tr>\n")
        yield "".join(pieces)
    yield "</tbody>\n</table>\n"

"""Escaping for every output format, in one place: text quoted from a policy file
(an id, a title, a message that quotes a value) must never act in the format it
is printed in."""

from __future__ import annotations

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_MARKDOWN_SPECIAL = str.maketrans({ch: "\\" + ch for ch in "\\`*_[]|~"})
_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def terminal(text: str) -> str:
    """`text` with control characters (terminal escapes, line separators) shown, never obeyed."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch == " " else repr(ch)[1:-1] for ch in text)


def markdown_cell(text: str) -> str:
    """One GitHub table cell: markup and HTML neutralised, line breaks as `<br>`."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "<br>".join(terminal(line).translate(_ENTITIES).translate(_MARKDOWN_SPECIAL) for line in lines)


def comment_cell(text: str) -> str:
    """A table cell of a pull-request comment: as `markdown_cell`, and a quoted
    `@team` or URL neither notifies anyone nor becomes a link (a zero-width
    space after `@` and inside `://`)."""
    return markdown_cell(text).replace("@", "@\u200b").replace("://", ":\u200b//")


def csv_cell(text: str) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text

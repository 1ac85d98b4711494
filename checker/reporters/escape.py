"""Escaping for every output format, in one place: text quoted from a policy file
(an id, a title, a message that quotes a value) must never act in the format it
is printed in."""

from __future__ import annotations

import functools
import html
import re

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_MARKDOWN_SPECIAL = str.maketrans({ch: "\\" + ch for ch in "\\`*_[]|~"})
_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
# Legal in XML and in JSON strings, yet a terminal obeys them (DEL, C1, whose
# U+009B starts a CSI sequence) or an editor or a browser reorders or breaks the
# text around them (bidi controls, Trojan Source; line and paragraph separators).
_OBEYED = "\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"
_JSON_OBEYED = re.compile(f"[{_OBEYED}]")
# What XML 1.0 cannot hold at all, a CR (a parser reads it as a newline, and a
# log viewer as a return to the start of the line), and the characters above.
_NOT_XML = f"[^\t\n\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[{_OBEYED}]"


@functools.cache
def _not_xml() -> re.Pattern[str]:
    # Compiled when first needed: 7 ms, a thirtieth of a pre-commit run that never writes XML.
    return re.compile(_NOT_XML)


def _escaped(ch: str) -> str:
    return repr(ch)[1:-1]


def shown(text: str, keep: str) -> str:
    """`text` with every character that is not printable, except those in `keep`, shown
    as its Python escape (`\\x1b`, `\\u2028`)."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch in keep else _escaped(ch) for ch in text)


def terminal(text: str) -> str:
    """`text` with control characters (terminal escapes, line separators) shown, never obeyed."""
    return shown(text, "")


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
    """A CSV cell that a spreadsheet shows as text, never runs as a formula, and
    whose control characters are shown as escapes (tabs and line breaks are a
    cell's own data, which CSV quoting keeps)."""
    text = shown(text, "\t\n")
    return "'" + text if text.startswith(_FORMULA_START) else text


def html_text(text: str) -> str:
    """Text or an attribute value of an HTML page: markup escaped, control
    characters shown as escapes (C0 controls cannot even be written as character
    references); tabs and line breaks are white space there."""
    return html.escape(shown(text, "\t\n"), quote=True)


def xml_text(text: str) -> str:
    """Text or an attribute value for ElementTree (which escapes the markup itself),
    with what XML cannot hold, and what a viewer would obey, shown as escapes."""
    if text.isascii() and text.isprintable():  # nearly every string: no scan at all
        return text
    return _not_xml().sub(lambda m: _escaped(m.group()), text)


def json_text(encoded: str) -> str:
    """JSON text written with `ensure_ascii=False`, with the characters JSON leaves
    raw but a reader of the output would obey written as `\\uXXXX` escapes; they
    only occur inside strings, so the data reads back the same."""
    # ASCII holds only one of those characters, DEL; these two tests are much
    # faster than the scan (30 ms on the JSON of 10,000 findings).
    if encoded.isascii() and "\x7f" not in encoded:
        return encoded
    return _JSON_OBEYED.sub(lambda m: f"\\u{ord(m.group()):04x}", encoded)

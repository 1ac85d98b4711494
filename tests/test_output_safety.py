"""Hostile policy content in every output format of the real `raci` command.

A pull request chooses the bytes of the policy files, and every format prints
some of them back: ids, titles, names, periods, waiver reasons and subjects,
rule descriptions, duplicate keys, values quoted by schema errors, file names.
Whatever they hold (terminal escapes, bidi overrides, HTML, Markdown, workflow
commands, spreadsheet formulas, XML-illegal characters, 10,000 characters),
the output must stay inert and well formed in the format it is printed in,
and a message must quote a value briefly, never whole.

One policy set plants all of it; each command and format runs once, in a real
process, and every test reads those outputs.
"""

from __future__ import annotations

import csv
import inspect
import io
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import pytest

from checker.loader import quote
from checker.reporters.escape import terminal
from tests.conftest import PARTIES, write_tree

TODAY = "2026-12-01"

# Markup for every reader of the output, on one line: a view that splits a
# value on its line breaks cannot hide it.
MARKUP = (
    "</script><script>alert(1)</script> <img src=x onerror=alert(2)> cell|break `tick` "
    "@northwind/security [x](javascript:alert(3)) <&>\"' back\\slash"
)
# Everything a policy value can try against a reader of the output. The CSI
# sequence alone would not do: click strips `ESC [ ... m` from piped output,
# which would hide a missing escape; OSC (`ESC ]`), BEL and the 8-bit CSI
# (U+009B) pass through it.
HOSTILE = (
    "\x1b[31mred\x1b]0;pwned\x07 \x9b31m \x85nel \x00nul \x7fdel \rcr \u202eevil\u202c \u2066iso\u2069 \u2028ls "
    f"{MARKUP} \x0b\x1f\ufffe \n::error::forged %0A::warning::forged-too"
)
FORMULAS = ("=1+2", "+1+2", "-2+3", "@SUM(A1)", "\t=1+2")

# One filler letter per place where a 10,000-character value reaches a message,
# so that a failure names the place. YAML allows an implicit key of at most
# 1,024 characters, so the long keys are written as explicit `? key` entries.
LONG = 10_000
BAD_ID, BAD_ENUM, UNKNOWN_KEY, UNKNOWN_KIND = "Q" * LONG, "Y" * LONG, "K" * LONG, "N" * LONG
DUPLICATE_KEY, DUPLICATE_PARENT, SUBJECT, TAG = "D" * LONG, "P" * LONG, "S" * LONG, "T" * LONG
LONG_VALUES = {
    "schema error quoting a bad id": BAD_ID,
    "schema error quoting a bad enum value": BAD_ENUM,
    "schema error quoting an unknown key": UNKNOWN_KEY,
    "schema error quoting an unknown kind": UNKNOWN_KIND,
    "duplicate key name": DUPLICATE_KEY,
    "path of a duplicate key": DUPLICATE_PARENT,
    "waiver subject": SUBJECT,
    "unsafe tag": TAG,
}
QUOTE_LIMIT = inspect.signature(quote).parameters["limit"].default

HOSTILE_FILE = "x\x1b]0;t\x07|<img src=x onerror=alert(4)>@team\n::error::forged-by-name.yaml"

CHECK_FORMATS = ("text", "json", "sarif", "github", "junit", "markdown")
MATRIX_FORMATS = ("table", "markdown", "csv", "json", "html")
BUDGETS_FORMATS = ("table", "markdown", "csv", "json")
OUTPUTS = [
    *(("check", f) for f in CHECK_FORMATS),
    *(("matrix", f) for f in MATRIX_FORMATS),
    *(("budgets", f) for f in BUDGETS_FORMATS),
]
MARKDOWN = [("check", "markdown"), ("matrix", "markdown"), ("budgets", "markdown")]
CSV = [("matrix", "csv"), ("budgets", "csv")]

# C0 (but newline), DEL, C1, the Unicode line and paragraph separators and the
# bidi controls (Trojan Source): a terminal obeys the first ones, an editor or
# a browser reorders text around the last ones.
CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
# A tab is plain data in a CSV cell and white space in HTML.
TAB_ALLOWED = {("matrix", "csv"), ("budgets", "csv"), ("matrix", "html")}
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Only numbers the tool computes may start like a formula (a negative amount).
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def y(text: str) -> str:
    """`text` as a YAML double-quoted scalar (JSON's escapes are YAML's)."""
    return json.dumps(text)


OWNED_BY_CIO = "{accountable: cio, responsible: [it-ops]}"
PAID_BY_CISO = "splits: [{party: ciso, percent: 100}]"
UNTIL = "expires: '2027-01-01'"


def policy_set() -> dict[str, str]:
    formula_duties = "".join(
        f"  - {{id: fin.formula-{i}, title: {y(f)}, domain: finance, raci: {OWNED_BY_CIO}}}\n"
        for i, f in enumerate(FORMULAS)
    )
    formula_budgets = "".join(
        f"  - {{id: formula-{i}, amount: 100, currency: USD, period: {y(f)}, splits: [{{party: cio, percent: 100}}]}}\n"
        for i, f in enumerate(FORMULAS)
    )
    return {
        "parties.yaml": PARTIES
        + f"  - {{id: audit-committee, name: {y(HOSTILE)}, type: committee}}\n"
        + "  - {id: board, name: Board, type: committee}\n"
        + f"  - {{id: {y(HOSTILE)}, name: Hostile id, type: role}}\n"
        + f"  - {{id: {BAD_ID}, name: Long id, type: role}}\n"
        + f"  - {{id: auditor, name: Auditor, type: {BAD_ENUM}}}\n",
        "duties.yaml": "apiVersion: raci/v1\nkind: Duties\nduties:\n"
        + "  - id: sec.hostile\n"
        + f"    title: {y(HOSTILE)}\n"
        + "    domain: security\n"
        + "    raci: {accountable: ciso, responsible: [security-ops], consulted: [cio], informed: [audit-committee]}\n"
        + formula_duties
        + "  - {id: it.typo, title: Typo, domain: it, raci: {accountable: cisco, responsible: [it-ops]}}\n"
        + f"  - id: it.unknown-keys\n    title: x\n    domain: it\n    {y(HOSTILE)}: 1\n"
        + f"    ? {UNKNOWN_KEY}\n    : 1\n",
        "duplicates.yaml": "apiVersion: raci/v1\nkind: Duties\nduties: []\n"
        + f"{y(HOSTILE)}:\n  {y(HOSTILE)}: 1\n  {y(HOSTILE)}: 2\n"
        + f"? {DUPLICATE_PARENT}\n:\n  ? {DUPLICATE_KEY}\n  : 1\n  ? {DUPLICATE_KEY}\n  : 2\n",
        "waivers.yaml": "apiVersion: raci/v1\nkind: Waivers\nwaivers:\n"
        + f"  - {{rule: idle-party, subject: board, reason: {y(HOSTILE)}, approved_by: [cio], {UNTIL}}}\n"
        + f"  - {{rule: double-ownership, subject: {y(HOSTILE)}, reason: r, approved_by: [cisco], {UNTIL}}}\n"
        + f"  - {{rule: double-ownership, subject: {SUBJECT}, reason: r, approved_by: [cio], {UNTIL}}}\n",
        "rules.yaml": "apiVersion: raci/v1\nkind: Rules\nrules:\n"
        + "  - id: ceo-owns-security\n"
        + "    type: require\n"
        + f"    description: {y(HOSTILE)}\n"
        + "    select: {domain: [security]}\n"
        + "    require: {party: ceo, as: [accountable]}\n"
        + "    severity: error\n",
        # libyaml decodes %-escapes in a tag, so a tag can carry control characters.
        "tag.yaml": f"apiVersion: raci/v1\nkind: !<tag:evil,2024:%1B]0;x%07{TAG}> Duties\n",
        "kinds.yaml": f"apiVersion: raci/v1\nkind: {y(HOSTILE)}\n---\napiVersion: raci/v1\nkind: {UNKNOWN_KIND}\n",
        "budgets.yaml": "apiVersion: raci/v1\nkind: Budgets\n"
        + f"pools:\n  - {{id: shared, amount: 1000, currency: USD, period: {y(HOSTILE)}}}\n"
        + "budgets:\n"
        + "  - {id: hostile, pool: shared, amount: 1000, currency: USD, "
        + f"period: {y(HOSTILE)}, {PAID_BY_CISO}}}\n"
        + f"  - {{id: inline, amount: 100, currency: USD, period: {y(MARKUP)}, {PAID_BY_CISO}}}\n"
        + formula_budgets,
        HOSTILE_FILE: "apiVersion: raci/v1\nkind: Nope\n",
    }


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str


Output = Callable[[str, str], Run]


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Output:
    """`output(command, fmt)`: that command's run on the hostile set, run once per module."""
    root = tmp_path_factory.mktemp("hostile")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True, timeout=60, capture_output=True)
    # write_tree dedents; the set is written flush left already, so nothing moves.
    write_tree(root, {f"policies/{name}": text for name, text in policy_set().items()})
    env = {k: v for k, v in os.environ.items() if k not in ("RACI_DEBUG", "RACI_NO_CACHE")}
    env.update(NO_COLOR="1", PYTHONIOENCODING="utf-8", XDG_CACHE_HOME=str(tmp_path_factory.mktemp("cache")))
    runs: dict[tuple[str, str], Run] = {}

    def run(command: str, fmt: str) -> Run:
        if (command, fmt) not in runs:
            # Bytes, not text mode: universal newlines would turn a raw CR into a newline.
            done = subprocess.run(
                [sys.executable, "-m", "checker", command, "--format", fmt, "--today", TODAY, "--no-cache"],
                cwd=root,
                env=env,
                capture_output=True,
                timeout=60,
                check=False,
            )
            runs[(command, fmt)] = Run(
                done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8", "backslashreplace")
            )
        return runs[(command, fmt)]

    return run


def findings(output: Output) -> list[dict[str, Any]]:
    return json.loads(output("check", "json").stdout)["findings"]


def around(text: str, match: re.Match[str]) -> str:
    return repr(text[max(0, match.start() - 60) : match.end() + 60])


def runs_longer_than(text: str, letter: str, limit: int) -> bool:
    return letter * (limit + 1) in text


# --- every format ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("command", "fmt"), OUTPUTS)
def test_runs_and_exits_1_without_a_traceback(output: Output, command: str, fmt: str) -> None:
    run = output(command, fmt)
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    assert run.stdout


@pytest.mark.parametrize(("command", "fmt"), OUTPUTS)
def test_no_raw_control_or_bidi_character(output: Output, command: str, fmt: str) -> None:
    text = output(command, fmt).stdout
    if (command, fmt) in TAB_ALLOWED:
        text = text.replace("\t", " ")
    found = list(CONTROLS.finditer(text))
    assert not found, f"{len(found)} raw control characters, {sorted({m.group() for m in found})}; first at " + around(
        text, found[0]
    )


# The matrix table shows ids only, which the id pattern keeps plain.
@pytest.mark.parametrize(("command", "fmt"), [o for o in OUTPUTS if o != ("matrix", "table")])
def test_hostile_content_is_shown_not_dropped(output: Output, command: str, fmt: str) -> None:
    # Escaping must keep the text readable: a reviewer has to see what was planted.
    text = output(command, fmt).stdout
    assert "alert(1)" in text
    assert "forged" in text


# --- messages quote briefly ------------------------------------------------------------------------------------------


def test_quote_limit_is_short() -> None:
    assert 10 <= QUOTE_LIMIT <= 200
    assert len(quote(LONG_VALUES["waiver subject"])) <= QUOTE_LIMIT + 2  # the quotes repr adds


@pytest.mark.parametrize("place", list(LONG_VALUES), ids=lambda place: place.replace(" ", "-"))
def test_a_long_value_is_truncated_in_every_message(output: Output, place: str) -> None:
    letter = LONG_VALUES[place][0]
    messages = [f["message"] for f in findings(output)]
    quoting = [m for m in messages if letter * 20 in m]
    assert quoting, f"no finding quotes the {place}"  # the value must reach a message, or this proves nothing
    assert not [m for m in messages if runs_longer_than(m, letter, QUOTE_LIMIT)], (
        f"a message quotes the {place} beyond {QUOTE_LIMIT} characters"
    )
    sarif = json.loads(output("check", "sarif").stdout)
    for result in sarif["runs"][0]["results"]:
        assert not runs_longer_than(result["message"]["text"], letter, QUOTE_LIMIT), result["ruleId"]
    # These formats print messages and no subject, so nothing in them may hold the whole value.
    for fmt in ("text", "github", "markdown"):
        assert not runs_longer_than(output("check", fmt).stdout, letter, QUOTE_LIMIT), fmt
    root = ET.fromstring(output("check", "junit").stdout)
    for element in root.iter():
        if element.tag in ("failure", "system-out", "skipped"):
            shown = (element.get("message") or "") + (element.text or "")
            assert not runs_longer_than(shown, letter, QUOTE_LIMIT), f"junit <{element.tag}>"


# --- raci check --format text ----------------------------------------------------------------------------------------


def test_text_lines_are_the_json_findings_escaped(output: Output) -> None:
    lines = output("check", "text").stdout.split("\n")
    for f in findings(output):
        level = "suppressed" if f["suppressed"] else f["severity"]
        line = f"{f['file']}:{f['line']}:{f['column']}: {level} {f['rule']} {terminal(f['message'])}"
        assert line in lines


def test_text_no_line_is_forged(output: Output) -> None:
    # A newline in a value would start a line an editor or a CI log parser reads as a finding.
    for line in output("check", "text").stdout.split("\n"):
        assert not line.startswith(("::", "\x1b", "</script>")), line[:120]
        assert "forged" not in line or line.startswith("policies/"), line[:120]


# --- JSON and SARIF --------------------------------------------------------------------------------------------------


def test_json_parses_and_round_trips_the_quoted_text(output: Output) -> None:
    messages = [f["message"] for f in findings(output)]
    bad_id = f".id: {quote(HOSTILE)} does not match the id pattern"
    assert any(bad_id in m for m in messages), bad_id
    assert f"unknown kind {quote(HOSTILE)}: expected one of" in "\n".join(messages)
    assert any(f"unknown key {quote(HOSTILE)}" in m for m in messages)
    assert any(m.startswith(f"duplicate key {quote(HOSTILE)} at ") for m in messages)
    assert any("names party 'cisco'" in m and "did you mean 'ciso'" in m for m in messages)


def test_json_views_round_trip_the_values(output: Output) -> None:
    matrix = json.loads(output("matrix", "json").stdout)
    assert {p["id"]: p["name"] for p in matrix["parties"]}["audit-committee"] == HOSTILE
    titles = {d["id"]: d["title"] for d in matrix["duties"]}
    assert titles["sec.hostile"] == HOSTILE
    assert [titles[f"fin.formula-{i}"] for i in range(len(FORMULAS))] == list(FORMULAS)
    budgets = json.loads(output("budgets", "json").stdout)
    assert {b["id"]: b["period"] for b in budgets["budgets"]}["hostile"] == HOSTILE
    assert {p["id"]: p["period"] for p in budgets["pools"]}["shared"] == HOSTILE


def test_sarif_parses_and_carries_the_json_messages(output: Output) -> None:
    run = json.loads(output("check", "sarif").stdout)["runs"][0]
    expected = findings(output)
    results = run["results"]
    assert [r["message"]["text"] for r in results] == [f["message"] for f in expected]
    assert [r["properties"]["subject"] for r in results] == [f["subject"] for f in expected]
    justifications = [s.get("justification") for r in results for s in r.get("suppressions", [])]
    assert justifications == [HOSTILE]
    custom = next(rule for rule in run["tool"]["driver"]["rules"] if rule["id"] == "ceo-owns-security")
    assert custom["shortDescription"]["text"] == HOSTILE


# --- JUnit -----------------------------------------------------------------------------------------------------------


JUNIT_TAGS = {"testsuites", "testsuite", "properties", "property", "testcase", "failure", "system-out", "skipped"}


def test_junit_parses_and_holds_no_character_xml_forbids(output: Output) -> None:
    text = output("check", "junit").stdout
    illegal = list(NOT_XML.finditer(text))
    assert not illegal, f"characters XML 1.0 cannot hold: {sorted({m.group() for m in illegal})}"
    root = ET.fromstring(text)
    failures = "\n".join((e.get("message") or "") + "\n" + (e.text or "") for e in root.iter("failure"))
    # The quoted value keeps its <, &, quotes and backslashes through XML escaping.
    assert f".id: {quote(HOSTILE)} does not match" in failures
    assert not [e for e in root.iter() if e.tag not in JUNIT_TAGS]


# --- GitHub workflow commands ----------------------------------------------------------------------------------------

COMMAND = re.compile(r"::(error|warning|notice) file=[^,:]*,line=\d+,col=\d+,title=[a-z0-9._-]+::(?P<data>.*)")


def unescape_data(data: str) -> str:
    """What the runner shows for a command's message (its own unescaping, in its order)."""
    return data.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def test_github_every_command_is_one_the_tool_meant(output: Output) -> None:
    lines = output("check", "github").stdout.split("\n")
    assert lines[-1] == ""
    counted = [f for f in findings(output) if not f["suppressed"]]
    commands = [line for line in lines if line.startswith("::")]
    assert len(commands) == len(counted)
    for line in commands:
        assert COMMAND.fullmatch(line), line[:200]
    # The runner reads a command at the start of any line, after any number of blanks.
    assert not [line for line in lines if line.lstrip().startswith("::") and not COMMAND.fullmatch(line)]
    assert len(lines) == len(counted) + 2  # the commands, one summary line, the final newline
    assert lines[-2].startswith("raci check: ")


def test_github_messages_decode_to_the_finding(output: Output) -> None:
    commands = [line for line in output("check", "github").stdout.split("\n") if line.startswith("::")]
    shown = [unescape_data(match["data"]) for match in map(COMMAND.fullmatch, commands) if match]
    custom = [m for m in shown if "ceo is not accountable on sec.hostile" in m]
    assert custom
    # The value's own `%0A` must reach the annotation as text, not as a line break.
    assert "%0A::warning::forged-too" in custom[0]
    assert "\n::error::forged" in custom[0]


# --- Markdown --------------------------------------------------------------------------------------------------------


def cells(row: str) -> list[str]:
    """A GFM table row's cells: a backslash escapes the next character, an unescaped pipe ends a cell."""
    out, cell, chars = [], "", iter(row.strip())
    for ch in chars:
        if ch == "\\":
            cell += ch + next(chars, "")
        elif ch == "|":
            out.append(cell)
            cell = ""
        else:
            cell += ch
    out.append(cell)
    return out[1:-1]  # the outer pipes open and close the row


def tables(text: str) -> Iterator[list[str]]:
    block: list[str] = []
    for line in [*text.split("\n"), ""]:
        if line.startswith("|"):
            block.append(line)
        elif block:
            yield block
            block = []


class Tags(HTMLParser):
    """Every start tag and attribute the text holds, as a browser would parse them."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.data: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.data.append(data)


@pytest.mark.parametrize(("command", "fmt"), MARKDOWN)
def test_markdown_tables_keep_their_columns(output: Output, command: str, fmt: str) -> None:
    found = list(tables(output(command, fmt).stdout))
    assert found
    for block in found:
        width = len(cells(block[0]))
        for row in block:
            assert len(cells(row)) == width, row[:300]


@pytest.mark.parametrize(("command", "fmt"), MARKDOWN)
def test_markdown_holds_no_html_from_the_input(output: Output, command: str, fmt: str) -> None:
    # The tool writes line breaks in cells and a collapsed section for waived findings; nothing else.
    tags = {tag for tag, _ in Tags(output(command, fmt).stdout).tags}
    assert tags <= {"br", "details", "summary"}, tags


@pytest.mark.parametrize(("command", "fmt"), MARKDOWN)
def test_markdown_no_mention_link_or_code_span_from_the_input(output: Output, command: str, fmt: str) -> None:
    text = output(command, fmt).stdout
    mention = re.search(r"@[A-Za-z0-9]", text)
    assert mention is None, "a raw @mention notifies a team: " + around(text, mention)
    link = re.search(r"(?<!\\)\]\(", text)
    assert link is None, "a raw link: " + around(text, link)
    for block in tables(text):
        for row in block:
            tick = re.search(r"(?<!\\)`", row)
            assert tick is None, "an unescaped backtick opens a code span: " + around(row, tick)


def test_markdown_comment_escapes_the_file_name(output: Output) -> None:
    text = output("check", "markdown").stdout
    assert "forged-by-name.yaml" in text
    assert "onerror=alert(4)" in text  # shown, as text
    assert "<img" not in text


# --- HTML ------------------------------------------------------------------------------------------------------------

HTML_TAGS = {
    "html", "head", "meta", "title", "style", "body", "h1", "p", "b", "span",
    "table", "thead", "tbody", "tr", "th", "td", "details", "summary",
}  # fmt: skip
HTML_ATTRIBUTES = {"lang", "charset", "name", "content", "class", "title", "scope"}


def test_html_has_no_tag_or_attribute_from_the_input(output: Output) -> None:
    page = Tags(output("matrix", "html").stdout)
    assert {tag for tag, _ in page.tags} <= HTML_TAGS
    attributes = {name for _, attrs in page.tags for name, _ in attrs}
    assert attributes <= HTML_ATTRIBUTES, attributes
    # The hostile title and name are there, as text and as a tooltip, whole.
    assert any("<script>alert(1)</script>" in data for data in page.data)
    assert any(
        value and "onerror=alert(2)" in value for _, attrs in page.tags for name, value in attrs if name == "title"
    )


def test_html_script_and_style_blocks_are_the_tools_own(output: Output) -> None:
    text = output("matrix", "html").stdout
    assert "<script" not in text.lower()
    assert text.lower().count("<style>") == 1


# --- CSV -------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("command", "fmt"), CSV)
def test_csv_parses_with_one_width(output: Output, command: str, fmt: str) -> None:
    rows = list(csv.reader(io.StringIO(output(command, fmt).stdout, newline="")))
    assert len(rows) > 1
    assert {len(row) for row in rows} == {len(rows[0])}


@pytest.mark.parametrize(("command", "fmt"), CSV)
def test_csv_no_cell_starts_a_formula(output: Output, command: str, fmt: str) -> None:
    rows = list(csv.reader(io.StringIO(output(command, fmt).stdout, newline="")))
    cells_ = [cell for row in rows for cell in row]
    formulas = [c for c in cells_ if c.startswith(("=", "+", "-", "@", "\t", "\r")) and not NUMBER.fullmatch(c)]
    assert not formulas, formulas
    # Neutralised, not dropped: each formula is still there as text.
    for formula in FORMULAS:
        assert any(cell.endswith(formula) for cell in cells_), formula

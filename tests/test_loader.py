"""checker.loader.load_bytes: positions, YAML 1.2 core resolution, refusals, bounds."""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from checker.finding import Location
from checker.loader import Limits, LoadedFile, load_bytes

FILE = "policies/x.yaml"
DEFAULT = Limits()


def load(data: bytes | str, limits: Limits = DEFAULT) -> LoadedFile:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return load_bytes(raw, FILE, limits)


def only_value(data: bytes | str) -> Any:
    loaded = load(data)
    assert loaded.findings == []
    (document,) = loaded.documents
    return document.value


def at(location: Location) -> tuple[int, int]:
    file, line, column = location
    assert file == FILE
    return line, column


# --- positions -------------------------------------------------------------------------------

NESTED = """\
apiVersion: raci/v1
kind: Duties
duties:
  - id: sec.vuln-patching
    title: Patch
    raci:
      accountable: ciso
      responsible: [it-ops, security-ops]
  - {id: sec.edr, title: EDR}
"""


def test_locate_values_keys_and_sequence_items() -> None:
    (document,) = load(NESTED).documents
    assert at(document.location) == (1, 1)
    assert at(document.locate(["kind"])) == (2, 7)
    assert at(document.locate(["kind"], key=True)) == (2, 1)
    assert at(document.locate(["duties"])) == (4, 3)
    assert at(document.locate(["duties", 0])) == (4, 5)
    assert at(document.locate(["duties", 0, "id"])) == (4, 9)
    assert at(document.locate(["duties", 0, "raci", "accountable"])) == (7, 20)
    assert at(document.locate(["duties", 0, "raci", "accountable"], key=True)) == (7, 7)
    assert at(document.locate(["duties", 0, "raci", "responsible", 0])) == (8, 21)
    assert at(document.locate(["duties", 0, "raci", "responsible", 1])) == (8, 29)
    assert at(document.locate(["duties", 1])) == (9, 5)
    assert at(document.locate(["duties", 1, "title"])) == (9, 26)
    assert at(document.locate(["duties", 1, "title"], key=True)) == (9, 19)


def test_locate_stops_where_the_path_ends() -> None:
    (document,) = load(NESTED).documents
    # A missing key is placed at the mapping that lacks it.
    assert at(document.locate(["duties", 0, "raci", "informed"])) == (7, 7)
    assert at(document.locate(["duties", 5])) == (4, 3)
    assert at(document.locate([])) == (1, 1)


def test_value_location_and_key_location() -> None:
    (document,) = load(NESTED).documents
    raci = document.value["duties"][0]["raci"]
    assert at(document.value_location(raci, "accountable")) == (7, 20)
    assert at(document.key_location(raci, "responsible")) == (8, 7)
    responsible = raci["responsible"]
    assert at(document.value_location(responsible, 1)) == (8, 29)


def test_columns_count_code_points_not_bytes() -> None:
    text = "name: é\nlist:\n  - é: [1, ü]\n  - 😀😀: x\n  - y\n"
    (document,) = load(text).documents
    assert document.value == {"name": "é", "list": [{"é": [1, "ü"]}, {"😀😀": "x"}, "y"]}
    assert at(document.locate(["name"])) == (1, 7)
    item = document.value["list"][0]
    assert at(document.key_location(item, "é")) == (3, 5)
    assert at(document.value_location(item, "é")) == (3, 8)
    # "  - é: [1, " is 11 code points (13 bytes): the "ü" starts at column 12.
    assert at(document.locate(["list", 0, "é", 1])) == (3, 12)
    # Characters outside the BMP count as one column each too.
    assert at(document.locate(["list", 1, "😀😀"])) == (4, 9)
    assert at(document.locate(["list", 2])) == (5, 5)


def test_utf8_bom_is_accepted_and_positions_unchanged() -> None:
    plain = "a: 1\nb: [x, é]\n".encode()
    with_bom = b"\xef\xbb\xbf" + plain
    (first,) = load(plain).documents
    (second,) = load(with_bom).documents
    assert second.value == first.value == {"a": 1, "b": ["x", "é"]}
    for path in (["a"], ["b"], ["b", 1]):
        assert at(second.locate(path)) == at(first.locate(path))
    assert at(second.locate(["a"])) == (1, 4)
    assert at(second.locate(["a"], key=True)) == (1, 1)
    assert at(second.locate(["b", 1])) == (2, 8)


def test_crlf_line_endings() -> None:
    (document,) = load(b"a: 1\r\nb: 2\r\n").documents
    assert document.value == {"a": 1, "b": 2}
    assert at(document.locate(["b"])) == (2, 4)


# --- YAML 1.2 core resolution ------------------------------------------------------------


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "y", "n", "Yes", "NO", "On", "OFF"])
def test_yaml11_booleans_stay_strings(word: str) -> None:
    assert only_value(f"a: {word}\n") == {"a": word}


def test_dates_stay_strings() -> None:
    assert only_value("expires: 2027-03-31\n") == {"expires": "2027-03-31"}
    assert only_value("at: 2027-03-31T10:00:00Z\n") == {"at": "2027-03-31T10:00:00Z"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [("true", True), ("false", False), ("True", True), ("FALSE", False)],
)
def test_true_false_are_bools(text: str, expected: bool) -> None:
    value = only_value(f"a: {text}\n")
    assert value == {"a": expected}
    assert type(value["a"]) is bool


def test_null_forms() -> None:
    assert only_value("a: ~\nb: null\nc:\nd: Null\n") == {"a": None, "b": None, "c": None, "d": None}


@pytest.mark.parametrize(
    ("text", "expected"),
    [("010", 10), ("0o17", 15), ("0x1F", 31), ("-7", -7), ("+3", 3), ("0", 0)],
)
def test_integers(text: str, expected: int) -> None:
    value = only_value(f"a: {text}\n")["a"]
    assert type(value) is int
    assert value == expected


@pytest.mark.parametrize("text", ["1_000", "12:30", "0b101", "1,000", "0x", "1.2.3", "+-1"])
def test_yaml11_numbers_stay_strings(text: str) -> None:
    assert only_value(f"a: {text}\n") == {"a": text}


def test_decimals_are_exact() -> None:
    value = only_value("a: 33.33\nb: 33.33\nc: 33.34\n")
    assert value == {"a": Decimal("33.33"), "b": Decimal("33.33"), "c": Decimal("33.34")}
    assert all(type(v) is Decimal for v in value.values())
    assert value["a"] + value["b"] + value["c"] == 100
    assert value["a"] + value["b"] + value["c"] == Decimal("100")


def test_huge_exponent_is_a_finite_decimal() -> None:
    value = only_value("a: 1e400\n")["a"]
    assert isinstance(value, Decimal)
    assert value.is_finite()
    assert value == Decimal("1e400")


@pytest.mark.parametrize(
    ("text", "check"),
    [
        (".nan", lambda d: d.is_nan()),
        (".NaN", lambda d: d.is_nan()),
        (".inf", lambda d: d.is_infinite() and d > 0),
        ("+.inf", lambda d: d.is_infinite() and d > 0),
        ("-.Inf", lambda d: d.is_infinite() and d < 0),
    ],
)
def test_non_finite_numbers_are_decimals(text: str, check: Callable[[Decimal], bool]) -> None:
    value = only_value(f"a: {text}\n")["a"]
    assert isinstance(value, Decimal)
    assert not value.is_finite()
    assert check(value)


def test_five_thousand_digit_integer_loads_exactly() -> None:
    digits = "9" * 5000
    value = only_value(f"a: {digits}\n")["a"]
    assert isinstance(value, (int, Decimal))
    assert not isinstance(value, bool)
    assert value == Decimal(digits)


def test_quoted_numbers_stay_strings() -> None:
    assert only_value("a: '5'\nb: \"6\"\nc: '0x1F'\nd: \"true\"\ne: ''\n") == {
        "a": "5",
        "b": "6",
        "c": "0x1F",
        "d": "true",
        "e": "",
    }


def test_str_tag_keeps_text() -> None:
    assert only_value("a: !!str 5\nb: !!str true\n") == {"a": "5", "b": "true"}


# --- duplicate keys ----------------------------------------------------------------------


def test_duplicate_top_level_key() -> None:
    loaded = load("a: 1\nb: 2\na: 3\nc: 4\n")
    (finding,) = loaded.findings
    assert finding.rule == "duplicate-key"
    assert finding.subject == FILE
    assert at(finding.location) == (3, 1)
    assert [at(r) for r in finding.related] == [(1, 1)]
    assert finding.detail == "a"
    assert "'a'" in finding.message
    (document,) = loaded.documents
    assert document.value == {"a": 3, "b": 2, "c": 4}
    assert at(document.locate(["a"])) == (3, 4)
    assert at(document.locate(["c"])) == (4, 4)


def test_duplicate_nested_key_keeps_later_value_and_rest_of_file() -> None:
    text = """\
apiVersion: raci/v1
kind: Duties
duties:
  - id: sec.a
    title: First
    title: Second
  - id: sec.b
    title: B
---
kind: Parties
"""
    loaded = load(text)
    (finding,) = loaded.findings
    assert finding.rule == "duplicate-key"
    assert at(finding.location) == (6, 5)
    assert [at(r) for r in finding.related] == [(5, 5)]
    assert finding.detail == "duties[0].title"
    assert "duties[0].title" in finding.message
    assert "line 5" in finding.message
    first, second = loaded.documents
    assert first.value["duties"] == [{"id": "sec.a", "title": "Second"}, {"id": "sec.b", "title": "B"}]
    assert at(first.locate(["duties", 0, "title"])) == (6, 12)
    assert second.value == {"kind": "Parties"}


def test_duplicate_key_deep_path() -> None:
    text = "duties:\n  - id: a\n  - id: b\n    raci:\n      accountable: ciso\n      accountable: cio\n"
    loaded = load(text)
    (finding,) = loaded.findings
    assert finding.detail == "duties[1].raci.accountable"
    assert at(finding.location) == (6, 7)
    assert [at(r) for r in finding.related] == [(5, 7)]
    assert loaded.documents[0].value["duties"][1]["raci"] == {"accountable": "cio"}


def test_duplicate_keys_in_two_documents_both_reported() -> None:
    loaded = load("a: 1\na: 2\n---\nb: 1\nb: 2\n")
    assert [(f.rule, at(f.location)) for f in loaded.findings] == [("duplicate-key", (2, 1)), ("duplicate-key", (5, 1))]
    assert [d.value for d in loaded.documents] == [{"a": 2}, {"b": 2}]


def test_a_key_written_three_times_counts_and_names_the_first_line() -> None:
    findings = load("a: 1\na: 2\na: 3\n").findings
    assert [at(f.location) for f in findings] == [(2, 1), (3, 1)]
    assert [f.message for f in findings] == [
        "duplicate key 'a' at a: first written at line 1; the later value is used",
        "duplicate key 'a' at a (3 times): first written at line 1; the later value is used",
    ]
    assert [f.detail for f in findings] == ["a", "a"]  # engine.check numbers identical identities
    assert [[at(r) for r in f.related] for f in findings] == [[(1, 1)], [(1, 1)]]


def test_repeated_keys_are_counted_per_key_path() -> None:
    # `a`'s first mapping is dropped when `a` is written again: `b`'s own `x`
    # must not inherit its count (as it could when counts were kept per object id).
    findings = load("a:\n  x: 1\n  x: 2\na: 0\nb:\n  x: 1\n  x: 2\n").findings
    assert [(at(f.location), f.detail) for f in findings] == [((3, 3), "a.x"), ((4, 1), "a"), ((7, 3), "b.x")]
    assert findings[2].message == "duplicate key 'x' at b.x: first written at line 6; the later value is used"


def test_at_most_100_duplicate_keys_per_file_then_one_that_counts_the_rest() -> None:
    loaded = load("".join(f"k{i}: 1\nk{i}: 2\n" for i in range(150)))
    assert len(loaded.findings) == 101
    *listed, more = loaded.findings
    assert listed[-1].detail == "k99"
    assert more.rule == "duplicate-key"
    assert more.message == "50 more duplicate keys in this file are not listed; the later value is used for each"
    assert more.detail == "(more)"
    assert at(more.location) == (200, 1)
    assert more.related == ()
    # every key still takes its later value
    (document,) = loaded.documents
    assert document.value == {f"k{i}": 2 for i in range(150)}


# --- refusals: one yaml-syntax finding, no documents ------------------------------------------

SYNTAX_CASES = [
    pytest.param(b"a: [1, 2\n", 2, 1, "flow sequence", id="unclosed-flow-sequence"),
    pytest.param(b"a: &x 1\nb: *x\n", 2, 4, "alias *x", id="alias"),
    pytest.param(b"a: &unused 1\nb: &x 2\nc:\n  - *x\n", 4, 5, "alias *x", id="alias-with-unused-anchor"),
    pytest.param(b"base: {x: 1}\nb:\n  <<: {y: 1}\n", 3, 3, "merge key", id="merge-key"),
    pytest.param(b"a: !!python/object:os.system x\n", 1, 4, "!!python/object:os.system", id="python-object"),
    pytest.param(b"a: !!python/object/apply:os.system [echo hi]\n", 1, 4, "!!python/object/apply", id="python-apply"),
    pytest.param(b"a: !!binary aGVsbG8=\n", 1, 4, "!!binary", id="binary"),
    pytest.param(b"a:\n  b: !!set {x, y}\n", 2, 6, "!!set", id="set"),
    pytest.param(b"a: !foo x\n", 1, 4, "!foo", id="unknown-tag"),
    pytest.param(b"a: !!int abc\n", 1, 4, "!!int", id="bad-int-tag"),
    pytest.param(b"a: 1\nc: !!bool yes\n", 2, 4, "!!bool", id="bad-bool-tag"),
    pytest.param(b"1: x\n", 1, 1, "not the number 1", id="int-key"),
    pytest.param(b"a:\n  5: x\n", 2, 3, "not the number 5", id="nested-int-key"),
    pytest.param(b"a: 1\ntrue: x\n", 2, 1, "boolean", id="bool-key"),
    pytest.param(b"~: x\n", 1, 1, "null", id="null-key"),
    pytest.param(b"{a: 1}: x\n", 1, 1, "collection", id="flow-mapping-key"),
    pytest.param(b"? [a, b]\n: x\n", 1, 3, "collection", id="sequence-key"),
    pytest.param(b"a:\n\tb: 1\n", 2, 1, "tab", id="tab-indentation"),
    pytest.param(b"a: b\nc: d\xff\n", 2, 5, "UTF-8", id="invalid-utf8"),
    pytest.param("a: é".encode() + b"\xff\n", 1, 5, "UTF-8", id="invalid-utf8-after-multibyte"),
    pytest.param(b"a: 1\nb: \xe9t\xc3\xa9\n", 2, 4, "UTF-8", id="latin1-byte"),
    pytest.param(b"\xef\xbb\xbfa: \xff\n", 1, 4, "UTF-8", id="invalid-utf8-after-bom"),
    pytest.param("a: é\n".encode("utf-16"), 1, 1, "UTF-16", id="utf16-bom"),
    pytest.param(b"a: b\x00\n", 1, 5, "NUL", id="nul-byte"),
]


@pytest.mark.parametrize(("data", "line", "column", "words"), SYNTAX_CASES)
def test_refused_with_one_finding(data: bytes, line: int, column: int, words: str) -> None:
    loaded = load(data)
    assert loaded.documents == []
    (finding,) = loaded.findings
    assert finding.rule == "yaml-syntax"
    assert finding.subject == FILE
    assert at(finding.location) == (line, column)
    assert words.lower() in finding.message.lower()
    assert "\n" not in finding.message


@pytest.mark.parametrize(
    ("data", "line", "column", "message"),
    [
        pytest.param(
            b"a: [1, 2\n",
            2,
            1,
            "did not find expected ',' or ']' (while parsing a flow sequence at line 1, column 4)",
            id="flow-sequence",
        ),
        pytest.param(
            b"a: {x: 1\n",
            2,
            1,
            "did not find expected ',' or '}' (while parsing a flow mapping at line 1, column 4)",
            id="flow-mapping",
        ),
        pytest.param(
            b'a: "x\n',
            2,
            1,
            "found unexpected end of stream (while scanning a quoted scalar at line 1, column 4)",
            id="quoted-scalar",
        ),
        pytest.param(
            b"a:\n  - x\n  y: 1\n",
            3,
            3,
            "did not find expected '-' indicator (while parsing a block collection at line 2, column 3)",
            id="block-collection",
        ),
        # libyaml's context is at the problem itself here: it adds nothing
        pytest.param(b"a: @x\n", 1, 4, "found character that cannot start any token", id="same-place"),
        pytest.param(b"a: b: c\n", 1, 5, "mapping values are not allowed in this context", id="no-context"),
    ],
)
def test_syntax_message_gives_the_problem_then_where_its_context_began(
    data: bytes, line: int, column: int, message: str
) -> None:
    (finding,) = load(data).findings
    assert at(finding.location) == (line, column)
    assert finding.message == message


def test_invalid_utf8_message_is_not_a_byte_offset() -> None:
    # "é" is 2 bytes: a byte offset would say column 6 or position 5.
    (finding,) = load("x: y\nk: é".encode() + b"\xff\n").findings
    assert at(finding.location) == (2, 5)
    assert "position" not in finding.message
    assert "offset" not in finding.message


def test_tab_message_mentions_tabs() -> None:
    (finding,) = load(b"a:\n\tb: 1\n").findings
    assert "tab" in finding.message


def test_anchor_without_alias_loads_normally() -> None:
    assert only_value("a: &x 1\nb: &y [2]\n") == {"a": 1, "b": [2]}


def test_quoted_merge_key_is_an_ordinary_key() -> None:
    assert only_value("'<<': x\n") == {"<<": "x"}


def test_file_over_the_size_limit() -> None:
    data = b"a: " + b"x" * 100 + b"\n"
    loaded = load(data, Limits(max_file_bytes=50))
    assert loaded.documents == []
    (finding,) = loaded.findings
    assert finding.rule == "yaml-syntax"
    assert at(finding.location) == (1, 1)
    assert "limit" in finding.message
    # Exactly at the limit is fine.
    assert load(data, Limits(max_file_bytes=len(data))).findings == []


def test_nesting_deeper_than_the_limit() -> None:
    # Mapping, then three sequences: four levels.
    loaded = load(b"a: [[[1]]]\n", Limits(max_depth=3))
    assert loaded.documents == []
    (finding,) = loaded.findings
    assert finding.rule == "yaml-syntax"
    assert at(finding.location) == (1, 6)
    assert "nesting deeper than 3" in finding.message
    # Three levels are within the limit.
    (document,) = load(b"a: [[1]]\n", Limits(max_depth=3)).documents
    assert document.value == {"a": [[1]]}


def test_default_depth_limit_is_64() -> None:
    ok = b"[" * 64 + b"]" * 64 + b"\n"
    assert load(ok).findings == []
    loaded = load(b"[" * 100 + b"]" * 100 + b"\n")
    assert loaded.documents == []
    (finding,) = loaded.findings
    assert at(finding.location) == (1, 65)
    assert "nesting deeper than 64" in finding.message


def _timed(data: bytes, limits: Limits = DEFAULT) -> tuple[LoadedFile, float]:
    start = time.perf_counter()
    loaded = load(data, limits)
    return loaded, time.perf_counter() - start


def test_deep_flow_sequence_answers_fast() -> None:
    loaded, seconds = _timed(b"[" * 100_000)
    assert seconds < 1.0
    assert loaded.documents == []
    (finding,) = loaded.findings
    assert finding.rule == "yaml-syntax"
    assert at(finding.location)[0] == 1
    assert "nesting" in finding.message


def test_deep_flow_sequence_reported_at_the_configured_limit() -> None:
    (finding,) = load(b"[" * 100_000).findings
    assert at(finding.location) == (1, 65)
    assert "nesting deeper than 64 levels" in finding.message


def test_deep_block_sequence_answers_fast() -> None:
    loaded, seconds = _timed(b"- " * 100_000 + b"x\n")
    assert seconds < 1.0
    assert loaded.documents == []
    (finding,) = loaded.findings
    # The 65th "- " starts at column 2 * 64 + 1.
    assert at(finding.location) == (1, 129)
    assert "nesting deeper than 64" in finding.message


def test_forty_megabytes_answer_fast() -> None:
    data = b"a: " + b"x" * (40 * 1024 * 1024) + b"\n"
    loaded, seconds = _timed(data)
    assert seconds < 1.0
    assert loaded.documents == []
    (finding,) = loaded.findings
    assert finding.rule == "yaml-syntax"
    assert at(finding.location) == (1, 1)
    assert "32 MiB" in finding.message


# --- documents -------------------------------------------------------------------------------


def test_several_documents_with_increasing_index() -> None:
    loaded = load("a: 1\n---\nb: 2\n---\n- c\n")
    assert loaded.findings == []
    assert [d.index for d in loaded.documents] == [0, 1, 2]
    assert [d.value for d in loaded.documents] == [{"a": 1}, {"b": 2}, ["c"]]
    assert [at(d.location) for d in loaded.documents] == [(1, 1), (2, 1), (4, 1)]
    assert at(loaded.documents[1].locate(["b"])) == (3, 4)
    assert all(d.file == FILE for d in loaded.documents)


def test_document_starts_after_leading_comments() -> None:
    (document,) = load("# yaml-language-server: $schema=x.json\n\nkind: Duties\n").documents
    assert at(document.location) == (3, 1)


def test_explicit_core_tags() -> None:
    assert only_value("--- !!map\na: !!float 1\nb: !!null\nc: !!int 0x10\nd: !!seq [x]\n") == {
        "a": Decimal(1),
        "b": None,
        "c": 16,
        "d": ["x"],
    }


@pytest.mark.parametrize("data", [b"", b"# only\n# comments\n", b"\n\n", b"\xef\xbb\xbf"])
def test_empty_or_comment_only_file_gives_nothing(data: bytes) -> None:
    loaded = load(data)
    assert loaded.documents == []
    assert loaded.findings == []


def test_a_replaced_mapping_takes_its_repeated_keys_with_it() -> None:
    findings = load("a:\n  x: 1\n  x: 2\na:\n  x: 1\n  x: 2\n").findings
    assert [f.message for f in findings] == [
        "duplicate key 'x' at a.x: first written at line 2; the later value is used",
        "duplicate key 'a' at a: first written at line 1; the later value is used",
        "duplicate key 'x' at a.x: first written at line 5; the later value is used",
    ]

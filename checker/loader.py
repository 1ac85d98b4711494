"""Bytes to YAML values with a 1-based position for every node.

Built on the event stream of PyYAML's C parser rather than its composer or
constructor, so that one pass in Python can do everything the checker needs
and nothing it does not:

- YAML 1.2 core resolution: `yes/no/on/off` and dates stay strings; numbers
  are Python ints or exact `Decimal`s parsed from their text, never floats;
- every mapping key and value, and every sequence item, keeps the libyaml
  mark of where it starts (converted to 1-based line and column on demand);
- duplicate keys are findings naming both lines, and the later value is kept;
- aliases, merge keys, unknown or unsafe tags and non-string keys stop the
  file with a finding (they hide who owns what, and alias bombs explode in any
  code that walks the data), as does a nesting deeper than the limit; since the
  stream is consumed event by event, a hostile file stops at the first
  offending event instead of being built first.

Positions are kept beside the values, keyed by the id of each container, so the
values themselves are plain dicts, lists, strings, ints and Decimals that a JSON
Schema validator can take as they are.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

import yaml
from yaml import events as ev

from .finding import Finding, Location
from .paths import printable
from .rules import duplicate_key, yaml_syntax

# The C parser is what makes a pre-commit hook affordable; a PyYAML built
# without libyaml still works, only slower.
_EventSource: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MIB = 1024 * 1024

# A libyaml mark (0-based line and column); kept as is and converted lazily,
# since most positions are never printed.
Mark = Any
Path_ = Sequence[str | int]


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds that keep a hostile file from costing more than a finding."""

    max_file_bytes: int = 32 * MIB
    max_depth: int = 64


@dataclass(slots=True)
class Document:
    """One YAML document of a policy file, with positions for every node."""

    file: str
    index: int
    value: Any
    start: Mark
    # id(container) -> {key: (key mark, value mark)} for a dict, [mark, ...] for a list
    positions: dict[int, Any] = field(repr=False)

    @property
    def location(self) -> Location:
        return location(self.file, self.start)

    def value_location(self, container: Any, key: str | int) -> Location:
        """Where `container[key]` starts."""
        entry = self.positions[id(container)][key]
        return location(self.file, entry[1] if isinstance(container, dict) else entry)

    def key_location(self, mapping: dict[str, Any], key: str) -> Location:
        """Where the key `key` of `mapping` is written."""
        return location(self.file, self.positions[id(mapping)][key][0])

    def locate(self, path: Path_, *, key: bool = False) -> Location:
        """The location of the node at `path` from the document root.

        Walks as far as the path exists, so an error about a missing key is
        placed at the mapping that lacks it. With `key`, a final mapping step
        points at the key rather than at its value.
        """
        node = self.value
        where = self.start
        for i, step in enumerate(path):
            # Only containers have positions; checking the type first also keeps a
            # scalar that happens to reuse a dropped container's id from matching.
            pos = self.positions.get(id(node)) if isinstance(node, (dict, list)) else None
            if pos is None:
                break
            try:
                entry = pos[step]
                child = node[step]
            except (KeyError, IndexError, TypeError):
                break
            if not isinstance(node, dict):
                where = entry
            elif key and i == len(path) - 1:
                where = entry[0]
            else:
                where = entry[1]
            node = child
        return location(self.file, where)


@dataclass(slots=True)
class LoadedFile:
    """What one file yields: its documents, or none, and the problems found."""

    file: str
    documents: list[Document]
    findings: list[Finding]


class Content(NamedTuple):
    """A policy file's bytes, read and not yet parsed, with the name output shows."""

    name: str
    data: bytes


def location(file: str, mark: Mark) -> Location:
    """The 1-based location of a libyaml mark: the one place positions are converted."""
    return Location(file, mark.line + 1, mark.column + 1)


# YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution).
_WORDS: dict[str, object] = {
    "": None, "~": None, "null": None, "Null": None, "NULL": None,
    "true": True, "True": True, "TRUE": True,
    "false": False, "False": False, "FALSE": False,
}  # fmt: skip
_NUMBER_START = frozenset("0123456789+-.")
_INT = re.compile(r"[-+]?[0-9]+")
_OCT = re.compile(r"0o[0-7]+")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_INF = re.compile(r"([-+]?)\.(?:inf|Inf|INF)")
_NAN = re.compile(r"\.(?:nan|NaN|NAN)")
# Python refuses int() of very long digit strings; a Decimal holds them exactly.
_MAX_INT_DIGITS = 64

LATER_VALUE_USED = "; the later value is used"
# A hostile file can repeat a key a million times; a person needs the first few.
MAX_REPORTED_PER_FILE = 100
MORE = "(more)"  # the detail of a finding that counts those left out

_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_CORE + t for t in ("str", "int", "float", "bool", "null")}
_COLLECTION_TAGS = {_CORE + "map", _CORE + "seq"}
_NO_VALUE = object()


def resolve_plain(text: str) -> object:
    """The YAML 1.2 core value of a plain (unquoted) scalar."""
    word = _WORDS.get(text, _NO_VALUE)
    if word is not _NO_VALUE:
        return word
    if text[0] not in _NUMBER_START:
        return text
    if _INT.fullmatch(text):
        return int(text) if len(text) <= _MAX_INT_DIGITS else Decimal(text)
    if _FLOAT.fullmatch(text):
        return Decimal(text)
    if _OCT.fullmatch(text):
        return int(text[2:], 8)
    if _HEX.fullmatch(text):
        return int(text[2:], 16)
    m = _INF.fullmatch(text)
    if m:
        return Decimal(m.group(1) + "Infinity")
    if _NAN.fullmatch(text):
        return Decimal("NaN")
    return text


def short_tag(tag: str) -> str:
    return "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag


def quote(text: str, limit: int = 60) -> str:
    """A short, printable rendering of file content for messages."""
    return repr(_cut(text, limit))


def _cut(text: str, limit: int) -> str:
    # A message names a value, never carries it: a key or value may be megabytes long.
    return text[: limit - 1] + "…" if len(text) > limit else text


class _Stop(Exception):
    """Raised inside the event loop when the file must contribute nothing."""

    def __init__(self, mark: Mark, message: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message


def load_bytes(data: bytes, file: str, limits: Limits | None = None) -> LoadedFile:
    """Parse the bytes of one policy file; never raises for bad input."""
    limits = limits or Limits()
    if len(data) > limits.max_file_bytes:
        return _fail(file, 1, 1, too_large(len(data), limits))
    problem = _encoding_problem(data)
    if problem is not None:
        line, column, message = problem
        return _fail(file, line, column, message)
    findings: list[Finding] = []
    try:
        documents = _build(data, file, limits, findings)
    except _Stop as stop:
        return _fail_at(location(file, stop.mark), stop.message)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if "maximum nesting depth" in str(exc.problem):
            # libyaml scans flow collections ahead of the events, so its own limit
            # (1,000) can fire before ours; report ours, where it is crossed.
            line, column = _flow_depth_position(data, mark, limits.max_depth)
            return _fail(file, line, column, _too_deep(limits.max_depth))
        if mark is None:  # pragma: no cover - libyaml gives every error a mark
            return _fail(file, 1, 1, _syntax_message(exc, data, None))
        return _fail_at(location(file, mark), _syntax_message(exc, data, mark))
    except yaml.reader.ReaderError as exc:
        line, column = _offset_to_position(data, exc.position)
        return _fail(file, line, column, f"invalid character: {exc.reason}")
    except yaml.YAMLError as exc:  # pragma: no cover - libyaml reports errors with marks
        return _fail(file, 1, 1, f"cannot parse YAML: {exc}")
    return LoadedFile(file, documents, findings)


def _fail(file: str, line: int, column: int, message: str) -> LoadedFile:
    return _fail_at(Location(file, line, column), message)


def _fail_at(where: Location, message: str) -> LoadedFile:
    return LoadedFile(where.file, [], [yaml_syntax.finding(where, message)])


def too_large(size: int, limits: Limits) -> str:
    return (
        f"file is {_size(size)}, above the limit of {_size(limits.max_file_bytes)} (limits.max_file_mb in .raci.yaml)"
    )


def _size(n: int) -> str:
    return f"{n / MIB:.1f}".removesuffix(".0") + " MiB" if n >= MIB else f"{n:,} bytes"


def _encoding_problem(data: bytes) -> tuple[int, int, str] | None:
    """UTF-8 only (a BOM is accepted); errors placed at a line and column."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[:4] in (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00"):
        return 1, 1, "file is UTF-16 or UTF-32 encoded; policy files must be UTF-8"
    nul = data.find(b"\x00")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if nul != -1 and nul < exc.start:
            exc.start = nul
        else:
            line, column = _offset_to_position(data, exc.start)
            return line, column, f"not valid UTF-8: byte 0x{data[exc.start]:02x} cannot start or continue a character"
    if nul != -1:
        line, column = _offset_to_position(data, nul)
        return line, column, "binary content: a NUL byte; policy files must be UTF-8 text"
    return None


# Line breaks as libyaml counts them (YAML 1.1 also breaks on NEL, LS and PS).
_BREAK = re.compile("\r\n|\r|\n|\x85|\u2028|\u2029")


def _offset_to_position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and code-point column of a byte offset, counted as libyaml counts."""
    offset = max(0, min(offset, len(data)))
    prefix = data[:offset].decode("utf-8", "replace").removeprefix("\ufeff")
    lines = _BREAK.split(prefix)
    return len(lines), len(lines[-1]) + 1


def _too_deep(max_depth: int) -> str:
    return f"nesting deeper than {max_depth} levels (limits.max_depth in .raci.yaml)"


# libyaml's own bound on flow nesting: the bracket at its error mark opens this level.
_LIBYAML_MAX_FLOW = 1001
_BRACKET = re.compile(r"[\[\]{}]")


def _flow_depth_position(data: bytes, mark: Mark, max_depth: int) -> tuple[int, int]:
    """Where flow brackets first open deeper than `max_depth`, as 1-based line and column.

    Walks back from libyaml's mark, finding brackets in windows that double in
    size, so the cost is that of the nested region, not of the file before it.
    Quotes and comments are not told apart: this only places a finding on a
    file that is refused anyway.
    """
    text = data.decode("utf-8", "replace")
    index = mark.index - (1 if text.startswith("\ufeff") else 0)
    if not (0 <= index < len(text)) or text[index] not in "[{":
        return mark.line + 1, mark.column + 1
    level = _LIBYAML_MAX_FLOW  # the level opened by the bracket being looked at
    end, window = index + 1, 4096
    while end > 0:
        start = max(0, end - window)
        for found in reversed([m.start() for m in _BRACKET.finditer(text, start, end)]):
            if text[found] in "[{":
                if level == max_depth + 1:
                    line_start = text.rfind("\n", 0, found) + 1
                    return text.count("\n", 0, found) + 1, found - line_start + 1
                level -= 1
            else:
                level += 1
        end, window = start, window * 2
    return mark.line + 1, mark.column + 1


def _syntax_message(exc: yaml.MarkedYAMLError, data: bytes, mark: Mark | None) -> str:
    message = exc.problem or exc.context or "invalid YAML"
    context = exc.context_mark
    if (
        exc.context
        and context is not None
        and mark is not None
        and (context.line, context.column)
        != (
            mark.line,
            mark.column,
        )
    ):
        # "did not find expected ']'" is only useful with where the `[` was opened.
        message = f"{message} ({exc.context} at line {context.line + 1}, column {context.column + 1})"
    if mark is not None and "cannot start any token" in message:
        lines = data.split(b"\n", mark.line + 1)
        if mark.line < len(lines) and lines[mark.line][:1] == b"\t":
            message += " (a tab: YAML indents with spaces only)"
    return message


def _build(data: bytes, file: str, limits: Limits, findings: list[Finding]) -> list[Document]:
    """Consume the event stream into values and positions.

    The loop is the hot path of the whole checker: the open container's state
    lives in locals (saved on a stack when a nested one opens), and plain
    scalars that are neither numbers nor YAML words take a two-lookup path.
    """
    get_event = _EventSource(data).get_event
    scalar_event, mapping_start, sequence_start = ev.ScalarEvent, ev.MappingStartEvent, ev.SequenceStartEvent
    mapping_end, sequence_end = ev.MappingEndEvent, ev.SequenceEndEvent
    words, number_start, no_value = _WORDS, _NUMBER_START, _NO_VALUE
    max_depth = limits.max_depth
    documents: list[Document] = []
    positions: dict[int, Any] = {}
    # The open container: its value, its children's positions, whether it is a
    # mapping, the key waiting for its value, that key's mark, and the key or
    # index under which the container sits in its parent.
    cur: Any = None
    cur_pos: Any = None
    cur_is_map = False
    cur_key: Any = no_value
    cur_key_mark: Mark = None
    cur_slot: str | int | None = None
    stack: list[tuple[Any, Any, bool, Any, Mark, str | int | None]] = []
    root: Any = None
    doc_start: Mark = None
    # key path -> (mark of the key's first writing, times written), for repeated keys only
    repeats: dict[tuple[Any, ...], tuple[Mark, int]] = {}
    duplicates = 0

    while True:
        event = get_event()
        cls = event.__class__
        if cls is scalar_event:
            text = event.value
            tag = event.tag
            if tag is None and event.style == "":
                value: Any = words.get(text, no_value)
                if value is no_value:
                    value = resolve_plain(text) if text[0] in number_start else text
            elif tag is None or tag == "!":
                value = text
            else:
                value = _tagged_scalar(tag, text, event.start_mark)
        elif cls is mapping_end or cls is sequence_end:
            cur, cur_pos, cur_is_map, cur_key, cur_key_mark, cur_slot = stack.pop()
            continue
        elif cls is mapping_start or cls is sequence_start:
            tag = event.tag
            if tag is not None and tag != "!" and tag not in _COLLECTION_TAGS:
                raise _Stop(event.start_mark, f"tag {quote(short_tag(tag))} is not allowed: only plain YAML data is")
            if len(stack) >= max_depth:
                raise _Stop(event.start_mark, _too_deep(max_depth))
            value = {} if cls is mapping_start else []
        elif cls is ev.AliasEvent:
            raise _Stop(
                event.start_mark,
                f"alias *{event.anchor} is not allowed: aliases hide who owns what; write the value out in full",
            )
        elif cls is ev.DocumentStartEvent:
            doc_start = event.start_mark
            positions = {}
            repeats = {}
            root = None
            continue
        elif cls is ev.DocumentEndEvent:
            documents.append(Document(file, len(documents), root, doc_start, positions))
            continue
        elif cls is ev.StreamEndEvent:
            if duplicates > MAX_REPORTED_PER_FILE:
                findings.append(_more_duplicates(file, duplicates - MAX_REPORTED_PER_FILE, findings[-1]))
            return documents
        else:  # StreamStartEvent
            continue

        # Attach `value` (a scalar, or a collection just opened) to the open container.
        mark = event.start_mark
        slot: str | int | None = None
        if cur_is_map:
            if cur_key is no_value:
                if value.__class__ is not str:
                    raise _Stop(mark, _bad_key_message(value))
                if value == "<<" and cls is scalar_event and event.style == "":
                    raise _Stop(mark, "merge key << is not allowed: write the keys out in full")
                cur_key = value
                cur_key_mark = mark
                continue
            previous = cur_pos.get(cur_key)
            if previous is not None:
                # Rare, so the key path is only built here; it also keys the count of
                # writings (an id() would be reused once the dropped value is freed).
                duplicates += 1
                if duplicates <= MAX_REPORTED_PER_FILE:
                    path = tuple(step for step in [e[5] for e in stack] + [cur_slot, cur_key] if step is not None)
                    first, count = repeats.get(path, (previous[0], 1))
                    repeats[path] = (first, count + 1)
                    # The replaced value's own repeated keys are gone with it.
                    for inner in [p for p in repeats if len(p) > len(path) and p[: len(path)] == path]:
                        del repeats[inner]
                    findings.append(_duplicate(file, cur_key, cur_key_mark, first, path, count + 1))
                del cur[cur_key]  # the later value wins, in the later key's place
            cur[cur_key] = value
            cur_pos[cur_key] = (cur_key_mark, mark)
            slot = cur_key
            cur_key = no_value
        elif cur is not None:
            slot = len(cur)
            cur.append(value)
            cur_pos.append(mark)
        else:
            root = value
        if cls is not scalar_event:
            stack.append((cur, cur_pos, cur_is_map, cur_key, cur_key_mark, cur_slot))
            cur = value
            cur_is_map = cls is mapping_start
            cur_pos = {} if cur_is_map else []
            positions[id(value)] = cur_pos
            cur_key = no_value
            cur_slot = slot


def _tagged_scalar(tag: str, text: str, mark: Mark) -> object:
    if tag not in _SCALAR_TAGS:
        raise _Stop(mark, f"tag {quote(short_tag(tag))} is not allowed: only plain YAML data is")
    if tag == _CORE + "str":
        return text
    value = resolve_plain(text) if text else None
    expected = {"int": int, "float": Decimal, "bool": bool, "null": type(None)}[tag[len(_CORE) :]]
    if tag == _CORE + "float" and isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if tag == _CORE + "int" and isinstance(value, Decimal) and value == value.to_integral_value():
        return value
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        raise _Stop(mark, f"{quote(text)} is not a valid {short_tag(tag)}")
    return value


def _bad_key_message(value: object) -> str:
    if isinstance(value, (dict, list)):
        return "a mapping key must be a plain string, not a collection"
    return f"a mapping key must be a string, not {_describe(value)}; quote it"


def _describe(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    return f"the number {value}"


def _duplicate(file: str, key: str, mark: Mark, first: Mark, steps: tuple[Any, ...], count: int) -> Finding:
    times = "" if count == 2 else f" ({count} times)"
    return duplicate_key.finding(
        location(file, mark),
        f"duplicate key {quote(key)} at {key_path(steps)}{times}: first written at line {first.line + 1}"
        f"{LATER_VALUE_USED}",
        related=(location(file, first),),
        # The path as written: what tells two findings apart must not change with how a message shows it.
        detail=key_path(steps, limit=None),
    )


def _more_duplicates(file: str, more: int, last: Finding) -> Finding:
    return duplicate_key.finding(
        last.location,
        f"{more:,} more duplicate keys in this file are not listed; the later value is used for each",
        related=(),
        detail=MORE,
    )


def key_path(path: Path_, limit: int | None = 60) -> str:
    """`duties[3].raci.accountable` style rendering of a path, for a message: each
    key cut to `limit` characters and its control characters escaped, as `quote`
    does, but unquoted; with `limit=None`, the keys as written."""
    out: list[str] = []
    for step in path:
        if isinstance(step, int):
            out.append(f"[{step}]")
        else:
            if limit is not None:
                step = printable(_cut(step, limit))
            out.append(("." if out else "") + step)
    return "".join(out) or "(document)"

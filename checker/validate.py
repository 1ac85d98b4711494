"""JSON Schema validation of policy documents, errors turned into `schema` findings.

The schemas are the packaged copies under `checker/schemas/`. Validation uses
jsonschema-rs (about 100x faster than python-jsonschema on the same records);
every error is placed at the offending node, with a message a person can act on
("duties[3].raci.accountable: 'ciso ' does not match the id pattern").
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Context, Decimal
from importlib import resources
from typing import Any

from .finding import Finding
from .hints import did_you_mean
from .loader import Document, LoadedFile, key_path, quote
from .model import KINDS, PolicySet
from .money import decimal_places
from .rules import schema as schema_rule

API_VERSION = "raci/v1"
SCHEMA_NAMES = (*(kind.lower() for kind in KINDS), "config")
ID_PATTERN = "^[a-z0-9][a-z0-9._-]*$"

_TYPE_NAMES = {
    "string": "a string",
    "boolean": "a boolean (true or false)",
    "number": "a number",
    "integer": "a whole number",
    "array": "a list",
    "object": "a mapping",
    "null": "empty",
}


def schema_text(name: str) -> str:
    """The JSON text of a packaged schema (`duties`, ..., `config`)."""
    if name not in SCHEMA_NAMES:
        raise KeyError(name)
    return resources.files("checker").joinpath("schemas").joinpath(f"{name}.schema.json").read_text("utf-8")


@functools.cache
def schema(name: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(schema_text(name))
    return result


@functools.cache
def _validator(name: str) -> Any:
    import jsonschema_rs  # imported on first use: `raci --version` and friends need not pay

    # Formats checked too: `expires: 2027-02-30` matches the date pattern but is no date.
    return jsonschema_rs.Draft202012Validator(schema(name), validate_formats=True)


@dataclass(slots=True)
class Checked:
    """The outcome of validating one document."""

    kind: str | None  # None: the document contributes nothing
    # (list key, index) of items left out; (list key, None) when the whole list is
    dropped: set[tuple[str, int | None]] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)


def validated_part(loaded: LoadedFile) -> tuple[PolicySet, list[Finding]]:
    """A loaded file's share of the model, built from what validates (an invalid item
    left out, the rest of its document kept), and the file's own findings."""
    found = list(loaded.findings)
    part = PolicySet()
    for document in loaded.documents:
        checked = check_document(document)
        found.extend(checked.findings)
        if checked.kind is not None:
            part.add(document, checked.kind, checked.dropped)
    return part, found


def check_document(doc: Document) -> Checked:
    """Validate one document against its kind's schema."""
    kind, problem = _document_kind(doc)
    if kind is None:
        return Checked(None, findings=[problem] if problem else [])
    value, errors = _errors(_validator(kind.lower()), doc.value)
    result = Checked(kind)
    lists = KINDS[kind]
    for error in errors:
        path = list(error.instance_path)
        result.findings.extend(_findings(doc, value, kind.lower(), path, error))
        # Leave out the smallest part that is wrong: an item, else a whole list. An
        # error at the top (an unknown key, a missing list) spoils no list.
        if path and path[0] in lists:
            result.dropped.add((path[0], path[1] if len(path) >= 2 and isinstance(path[1], int) else None))
    if kind == "Budgets":
        _check_precision(doc, result)
    result.findings.sort(key=Finding.sort_key)
    return result


# Exact arithmetic on 1e-100000 builds numbers of 100,000 digits: a decimal that
# fine is no amount of money nor share of one, so it is refused here, up front.
MAX_DECIMAL_PLACES = 30


def _check_precision(doc: Document, result: Checked) -> None:
    """Refuse amounts and percents of a Budgets document with absurdly many decimal places."""
    for item, path, number in _money_numbers(doc.value, result.dropped):
        if isinstance(number, Decimal) and number.is_finite() and decimal_places(number) > MAX_DECIMAL_PLACES:
            where = key_path(path)
            message = f"{where}: {_render(number)[:40]} has more than {MAX_DECIMAL_PLACES} decimal places"
            # Named by id, as other schema findings are: reordering budgets keeps fingerprints.
            detail = f"{_named_path(doc, doc.value, path)} precision"
            result.findings.append(schema_rule.finding(doc.locate(path), message, detail=detail))
            result.dropped.add(item)


def _money_numbers(
    value: Any, dropped: set[tuple[str, int | None]]
) -> Iterator[tuple[tuple[str, int], list[str | int], Any]]:
    """(item, path, value) of every amount and percent in the kept items of a Budgets document."""
    for list_key in ("pools", "budgets"):
        items = value.get(list_key)
        if not isinstance(items, list) or (list_key, None) in dropped:
            continue
        for index, item in enumerate(items):
            if not isinstance(item, dict) or (list_key, index) in dropped:
                continue
            yield (list_key, index), [list_key, index, "amount"], item.get("amount")
            splits = item.get("splits")
            for i, split in enumerate(splits if isinstance(splits, list) else []):
                if isinstance(split, dict):
                    for key in ("percent", "amount"):
                        yield (list_key, index), [list_key, index, "splits", i, key], split.get(key)


def check_value(doc: Document, name: str) -> list[Finding]:
    """Findings for a whole document checked against a packaged schema (the config file)."""
    value, errors = _errors(_validator(name), doc.value)
    found: list[Finding] = []
    for error in errors:
        found.extend(_findings(doc, value, name, list(error.instance_path), error))
    return sorted(found, key=Finding.sort_key)


# Python (and so the validator) refuses to convert integers of about this many
# digits; the loader keeps them exactly, and only the validator sees them rounded.
_MAX_DIGITS = 4000
_ROUNDED = Context(prec=34)


def _errors(validator: Any, value: Any) -> tuple[Any, list[Any]]:
    """(the value validated, its validation errors).

    That value is `value` itself, except in the rare document holding an
    integer too long to convert: then a copy with such numbers rounded (still
    beyond every bound the schemas set) is validated, and quoted in messages.
    """
    try:
        return value, [] if validator.is_valid(value) else list(validator.iter_errors(value))
    except ValueError:
        rounded = _round_huge(value)
        return rounded, list(validator.iter_errors(rounded))


def _round_huge(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _round_huge(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_round_huge(item) for item in value]
    if isinstance(value, Decimal) and value.is_finite() and value.adjusted() > _MAX_DIGITS:
        return _ROUNDED.create_decimal(value)
    return value


def _document_kind(doc: Document) -> tuple[str | None, Finding | None]:
    value = doc.value
    if value is None:
        return None, None  # an empty document (a trailing `---`) says nothing; see engine for empty files
    if not isinstance(value, dict):
        return None, schema_rule.finding(
            doc.location, "a policy document must be a mapping with apiVersion and kind", detail=""
        )
    version = value.get("apiVersion")
    if version != API_VERSION:
        where = doc.value_location(value, "apiVersion") if "apiVersion" in value else doc.location
        said = "missing apiVersion" if version is None else f"apiVersion {_render(version)} is not supported"
        return None, schema_rule.finding(where, f"{said}: expected apiVersion: {API_VERSION}", detail="apiVersion")
    kind = value.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        where = doc.value_location(value, "kind") if "kind" in value else doc.location
        said = "missing kind" if kind is None else f"unknown kind {_render(kind)}"
        hint = did_you_mean(str(kind), KINDS) if isinstance(kind, str) else ""
        return None, schema_rule.finding(where, f"{said}: expected one of {', '.join(KINDS)}{hint}", detail="kind")
    return kind, None


def _findings(doc: Document, value: Any, schema_name: str, path: list[str | int], error: Any) -> list[Finding]:
    out = []
    for extra_key, at_key, message in _describe(value, schema_name, path, error):
        full = [*path, extra_key] if extra_key is not None else path
        location = doc.locate(full, key=at_key)
        out.append(schema_rule.finding(location, message, detail=_identity(doc, value, full, error)))
    return out


def _identity(doc: Document, root: Any, path: list[str | int], error: Any) -> str:
    """What tells this schema finding from another in the same file, for its fingerprint.

    A list item is named by its id (or the duty it assigns) rather than its
    index, so that reordering items keeps fingerprints; a later document of the
    file is numbered; the keyword (and missing key) tells apart two problems
    with one node.
    """
    keyword = error.kind.name + (f":{error.kind.property}" if error.kind.name == "required" else "")
    return f"{_named_path(doc, root, path)} {keyword}"


def _named_path(doc: Document, root: Any, path: list[str | int]) -> str:
    """`path` with its top-level list item named by id (`budgets[fy27-edr].amount`),
    preceded by the document's number after the first one."""
    steps: list[str | int] = list(path)
    if len(path) >= 2 and isinstance(path[1], int):
        item = _at(root, path[:2])
        name = item.get("id", item.get("duty")) if isinstance(item, dict) else None
        if isinstance(name, str):
            steps[1] = name
    rendered = "".join(
        f"[{step}]" if i == 1 or isinstance(step, int) else f"{'.' if i else ''}{step}" for i, step in enumerate(steps)
    )
    document = f"#{doc.index + 1} " if doc.index else ""
    return f"{document}{rendered or '(document)'}"


def _describe(root: Any, schema_name: str, path: list[str | int], error: Any) -> list[tuple[str | None, bool, str]]:
    """(extra path step, point at the key?, message) for one validation error."""
    prefix = key_path(path) + ": " if path else ""
    instance = _at(root, path)
    keyword = error.kind.name
    if keyword == "required":
        return [(None, False, f"{prefix}missing required key {quote(str(error.kind.property))}")]
    if keyword == "additionalProperties":
        allowed = _allowed_keys(schema_name, error)
        return [
            (key, True, f"{prefix}unknown key {quote(key)}{did_you_mean(key, allowed)}")
            for key in error.kind.unexpected
        ]
    if isinstance(instance, Decimal) and not instance.is_finite():
        return [(None, False, f"{prefix}{_render(instance)} is not a finite number")]
    if keyword == "pattern":
        if error.kind.pattern == ID_PATTERN:
            what = "the id pattern (lowercase letters, digits, '.', '_', '-'; starting with a letter or digit)"
        else:
            what = f"the pattern {error.kind.pattern}"
        return [(None, False, f"{prefix}{_render(instance)} does not match {what}")]
    if keyword == "type":
        wanted = " or ".join(_TYPE_NAMES.get(t, t) for t in error.kind.types)
        if instance is None:
            return [(None, False, f"{prefix}is empty, expected {wanted}")]
        if isinstance(instance, (dict, list)):  # "a mapping is a mapping" says nothing
            return [(None, False, f"{prefix}found {_kind_of(instance)}, expected {wanted}")]
        return [(None, False, f"{prefix}{_render(instance)} is {_kind_of(instance)}, expected {wanted}")]
    if keyword == "enum":
        options = [str(o) for o in error.kind.options]
        hint = did_you_mean(instance, options) if isinstance(instance, str) else ""
        return [(None, False, f"{prefix}{_render(instance)} is not one of {', '.join(options)}{hint}")]
    if keyword == "const":
        return [(None, False, f"{prefix}expected {_render(error.kind.expected_value)}, not {_render(instance)}")]
    if keyword in ("oneOf", "anyOf"):
        alternatives = _required_alternatives(schema_name, error)
        if alternatives:
            names = " or ".join(quote(a) for a in alternatives)
            return [(None, False, f"{prefix}needs exactly one of {names}")]
    limits = {
        "minimum": "below the minimum of",
        "maximum": "above the maximum of",
        "exclusiveMinimum": "not above",
        "exclusiveMaximum": "not below",
    }
    if keyword in limits:
        return [(None, False, f"{prefix}{_render(instance)} is {limits[keyword]} {_number(error.kind.limit)}")]
    counts = {
        "minItems": "needs at least {} item(s)",
        "maxItems": "takes at most {} item(s)",
        "minLength": "needs at least {} character(s)",
        "maxLength": "takes at most {} character(s)",
        "minProperties": "needs at least {} key(s)",
    }
    if keyword in counts:
        return [(None, False, f"{prefix}{counts[keyword].format(error.kind.limit)}")]
    if keyword == "falseSchema":
        # Our schemas refuse a key with `allOf: [false]` under a title that says why.
        title = _titled(schema_name, error)
        return [(None, False, f"{prefix}not allowed here" + (f": {title}" if title else ""))]
    if keyword == "format":
        return [(None, False, f"{prefix}{_render(instance)} is not a valid {error.kind.format}")]
    if keyword == "uniqueItems":
        return [(None, False, f"{prefix}lists an item more than once")]
    return [(None, False, f"{prefix}{error.message}")]


def _at(root: Any, path: Sequence[str | int]) -> Any:
    node = root
    for step in path:
        node = node[step]
    return node


def _render(value: Any) -> str:
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, Decimal):
        if value.is_nan():
            return ".nan"
        if value.is_infinite():
            return "-.inf" if value < 0 else ".inf"
        return str(value)
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return str(value)


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}".replace(",", "")
    return str(value)


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, Decimal)):
        return "a number"
    if value is None:
        return "empty"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "a mapping"


def _subschema(schema_name: str, error: Any) -> Any:
    """The schema object that holds the failing keyword, from its JSON pointer."""
    location = str(getattr(error, "absolute_keyword_location", "") or "")
    if "#" in location:
        tokens = [t.replace("~1", "/").replace("~0", "~") for t in location.split("#", 1)[1].split("/") if t]
    else:
        tokens = [str(t) for t in error.schema_path]
        if "$ref" in tokens:
            return None
    node: Any = schema(schema_name)
    try:
        for token in tokens[:-1]:
            node = node[int(token)] if isinstance(node, list) else node[token]
    except (KeyError, IndexError, ValueError, TypeError):
        return None
    return node


def _titled(schema_name: str, error: Any) -> str:
    """The title of the nearest schema object above the failing keyword."""
    location = str(getattr(error, "absolute_keyword_location", "") or "")
    tokens = [t for t in location.split("#", 1)[-1].split("/") if t]
    node: Any = schema(schema_name)
    titles = []
    try:
        for token in tokens:
            node = node[int(token)] if isinstance(node, list) else node[token]
            if isinstance(node, dict) and "title" in node:
                titles.append(str(node["title"]))
    except (KeyError, IndexError, ValueError, TypeError):
        return ""
    return titles[-1] if titles else ""


def _allowed_keys(schema_name: str, error: Any) -> list[str]:
    node = _subschema(schema_name, error)
    if isinstance(node, dict) and isinstance(node.get("properties"), dict):
        return list(node["properties"])
    return []


def _required_alternatives(schema_name: str, error: Any) -> list[str]:
    """For a oneOf/anyOf whose branches only require a key: the keys to choose from."""
    node = _subschema(schema_name, error)
    branches = node.get(error.kind.name) if isinstance(node, dict) else None
    names: list[str] = []
    for branch in branches or []:
        required = branch.get("required") if isinstance(branch, dict) else None
        if not required or set(branch) != {"required"}:
            return []
        names.extend(str(r) for r in required)
    return names

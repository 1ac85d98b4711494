"""The JSON Schemas: valid draft 2020-12, documented, shipped in the package, and agreeing with the checker."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, validators

from checker.loader import Document, load_bytes
from checker.model import KINDS
from checker.validate import SCHEMA_NAMES, check_document, schema_text

REPO = Path(__file__).resolve().parents[1]
SCHEMAS = REPO / "schemas"
PACKAGED = REPO / "checker" / "schemas"
SCHEMA_FILES = sorted(SCHEMAS.glob("*.json"))


def _is_integer(checker: Any, instance: Any) -> bool:
    # Draft 2020-12: a number with a zero fractional part is an integer; the loader gives such numbers
    # as Decimal when written with a fraction or very long, and python-jsonschema only knows int and float.
    if isinstance(instance, Decimal):
        return instance.is_finite() and instance == instance.to_integral_value()
    return bool(Draft202012Validator.TYPE_CHECKER.is_type(instance, "integer"))


Validator = validators.extend(
    Draft202012Validator, type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer)
)


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_there_is_a_schema_for_every_name() -> None:
    assert sorted(p.name for p in SCHEMA_FILES) == sorted(f"{name}.schema.json" for name in SCHEMA_NAMES)
    assert set(SCHEMA_NAMES) == {kind.lower() for kind in KINDS} | {"config"}


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_schema_is_valid_draft_2020_12(path: Path) -> None:
    schema = _load(path)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert isinstance(schema.get("$id"), str)
    assert schema["$id"]
    assert isinstance(schema.get("title"), str)
    assert schema["title"].strip()
    assert isinstance(schema.get("description"), str)
    assert schema["description"].strip()


def test_ids_are_unique() -> None:
    ids = [_load(path)["$id"] for path in SCHEMA_FILES]
    assert len(ids) == len(set(ids))


def _properties(node: Any, where: str) -> Iterator[tuple[str, Any]]:
    """Every (path, subschema) that is a property definition, anywhere in the schema."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("properties", "patternProperties") and isinstance(value, dict):
                for name, sub in value.items():
                    yield f"{where}/{key}/{name}", sub
                    yield from _properties(sub, f"{where}/{key}/{name}")
            elif key not in ("examples", "default", "const", "enum"):
                yield from _properties(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _properties(item, f"{where}/{i}")


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_every_property_has_a_description(path: Path) -> None:
    found = list(_properties(_load(path), "#"))
    assert found, "a schema without properties?"
    undocumented = [
        where for where, sub in found if not (isinstance(sub, dict) and str(sub.get("description", "")).strip())
    ]
    assert undocumented == []


def test_packaged_copies_are_byte_identical() -> None:
    packaged = sorted(PACKAGED.glob("*.json"))
    assert [p.name for p in packaged] == [p.name for p in SCHEMA_FILES]
    for source in SCHEMA_FILES:
        assert (PACKAGED / source.name).read_bytes() == source.read_bytes(), source.name


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_packaged_schema_reachable_through_importlib_resources(name: str) -> None:
    text = schema_text(name)
    assert text == (SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8")
    assert json.loads(text)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_schema_text_refuses_unknown_names() -> None:
    with pytest.raises(KeyError):
        schema_text("../pyproject")


def _documents(folder: Path) -> Iterator[tuple[str, Document]]:
    for path in sorted([*folder.rglob("*.yaml"), *folder.rglob("*.yml")]):
        name = path.relative_to(REPO).as_posix()
        loaded = load_bytes(path.read_bytes(), name)
        for document in loaded.documents:
            yield name, document


POLICY_DOCUMENTS = list(_documents(REPO / "policies"))


def test_the_repository_has_policies_of_several_kinds() -> None:
    kinds = {document.value["kind"] for _, document in POLICY_DOCUMENTS}
    assert {"Parties", "Duties", "Assignments"} <= kinds


@pytest.mark.parametrize(
    "document", [d for _, d in POLICY_DOCUMENTS], ids=[f"{n}#{d.index}" for n, d in POLICY_DOCUMENTS]
)
def test_repository_policies_validate_with_python_jsonschema(document: Document) -> None:
    loaded = load_bytes((REPO / document.file).read_bytes(), document.file)
    assert loaded.findings == []
    kind = document.value["kind"]
    errors = [e.message for e in Validator(_load(SCHEMAS / f"{kind.lower()}.schema.json")).iter_errors(document.value)]
    assert errors == []
    checked = check_document(document)
    assert checked.findings == []
    assert checked.kind == kind


BROKEN_DOCUMENTS = list(_documents(REPO / "examples" / "broken"))


@pytest.mark.parametrize(
    "document", [d for _, d in BROKEN_DOCUMENTS], ids=[f"{n}#{d.index}" for n, d in BROKEN_DOCUMENTS]
)
def test_both_validators_agree_on_the_broken_example(document: Document) -> None:
    kind = document.value.get("kind") if isinstance(document.value, dict) else None
    if kind not in KINDS:
        pytest.skip("not a policy document of a known kind")
    reference = Validator(_load(SCHEMAS / f"{kind.lower()}.schema.json"))
    expected = sorted({tuple(error.absolute_path) for error in reference.iter_errors(document.value)}, key=repr)
    checked = check_document(document)
    assert (checked.findings == []) == (expected == [])
    # Each list item python-jsonschema rejects is left out by the checker, and no other.
    lists = KINDS[kind]
    rejected = {(path[0], path[1]) for path in expected if len(path) >= 2 and path[0] in lists}
    assert checked.dropped == rejected


SAMPLES = [
    "kind: Parties\nparties: [{id: x, name: X, type: role}]",
    "kind: Parties\nparties: [{id: x, name: X, type: boss}]",
    "kind: Parties\nparties: [{id: x, name: X}]",
    "kind: Parties\nparties: [{id: x, name: X, type: role, active: yes}]",
    "kind: Parties\nparties: [{id: x, name: X, type: role, reports_to: ceo, emails: [x@example.com]}]",
    "kind: Duties\nduties: [{id: a, title: A, raci: {}}]",
    "kind: Duties\nduties: [{id: A, title: A}]",
    "kind: Duties\nduties: [{id: a, title: ''}]",
    "kind: Duties\nduties: [{id: a, title: A, tags: [x, x]}]",
    "kind: Duties\nduties: [{id: a, title: A, raci: {accountable: [ciso, ciso]}}]",
    "kind: Assignments\nassignments: [{duty: a, informed: []}]",
    "kind: Assignments\nassignments: [{accountable: x}]",
    "kind: Budgets\nbudgets: [{id: b, amount: 1000.50, currency: USD, period: FY2027,\n"
    "  splits: [{party: x, percent: 33.33}]}]",
    "kind: Budgets\nbudgets: [{id: b, amount: 0, currency: usd, period: FY2027,\n"
    "  splits: [{party: x, percent: 60, amount: 4}]}]",
    "kind: Budgets\nbudgets: [{id: b, amount: 10, currency: USD, period: 2027,\n"
    "  splits: [{party: x, percent: 100.5}]}]",
    "kind: Budgets\npools: [{id: p, amount: 1e400, currency: USD, period: FY2027}]",
    "kind: Budgets\npools: [{id: p, amount: 5, currency: USD, period: FY2027}]\nbudgets: []",
    "kind: Waivers\nwaivers: [{rule: double-ownership, subject: a, reason: r, approved_by: [cio],\n"
    "  expires: 2027-03-31}]",
    "kind: Waivers\nwaivers: [{rule: double-ownership, subject: a, reason: r, approved_by: [cio],\n"
    "  expires: 31/03/2027}]",
    "kind: Waivers\nwaivers: [{rule: double-ownership}]",
    "kind: Rules\nrules: [{id: r, type: require, description: d, select: {domain: [it]}, "
    "require: {party: ciso, as: [consulted]}, severity: error}]",
    "kind: Rules\nrules: [{id: r, type: forbid, description: d, severity: error}]",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_both_validators_agree_on_samples(text: str) -> None:
    loaded = load_bytes(f"apiVersion: raci/v1\n{text}\n".encode(), "sample.yaml")
    assert loaded.findings == []
    (document,) = loaded.documents
    kind = document.value["kind"]
    reference = Validator(_load(SCHEMAS / f"{kind.lower()}.schema.json"))
    assert (check_document(document).findings == []) == reference.is_valid(document.value)

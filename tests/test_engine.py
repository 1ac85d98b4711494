"""engine.check as a library: identities, caps, and what survives a broken file."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.discover import discover, read_source
from checker.finding import Location
from checker.loader import Limits
from checker.model import Claim, Duty, PolicySet
from checker.validate import check_document
from tests.conftest import CheckFiles, of_rule


def test_identical_problems_get_distinct_fingerprints_in_reading_order(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - {id: sec.x, title: X, owner: a}
                  - {id: sec.x, title: Y, owner: b}
                """
        }
    )
    found = of_rule(report, "schema")
    assert [f.location.line for f in found] == [4, 5]
    assert [f.detail for f in found] == ["duties[sec.x].owner additionalProperties"] * 1 + [
        "duties[sec.x].owner additionalProperties#2"
    ]
    assert len({f.fingerprint for f in found}) == 2


def test_a_repeated_key_in_two_documents_is_two_identities(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "p.yaml": "apiVersion: raci/v1\nkind: Parties\nparties: []\nparties: []\n---\n"
            "apiVersion: raci/v1\nkind: Parties\nparties: []\nparties: []\n"
        }
    )
    found = of_rule(report, "duplicate-key")
    assert [(f.location.line, f.detail) for f in found] == [(4, "parties"), (9, "parties#2")]


def test_a_party_named_only_on_an_undefined_duty_is_idle(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "a.yaml": """\
                apiVersion: raci/v1
                kind: Assignments
                assignments:
                  - {duty: sec.typo, accountable: ceo}
                """
        }
    )
    assert "ceo" in {f.subject for f in of_rule(report, "idle-party")}
    assert [f.subject for f in of_rule(report, "unknown-duty")] == ["sec.typo"]


@pytest.mark.parametrize("folder", ["policies", "examples/broken"])
def test_merging_file_parts_builds_the_same_model_as_adding_documents(folder: str) -> None:
    # The engine builds each file's part on its own (so a part can be cached) and
    # merges it; the result must be what adding every document in order builds.
    root = Path(__file__).resolve().parents[1]
    sources, _ = discover([root / folder], root)
    direct, merged = PolicySet(), PolicySet()
    for source in sources:
        part = PolicySet()
        for document in read_source(source, Limits()).documents:
            checked = check_document(document)
            if checked.kind is not None:
                direct.add(document, checked.kind, checked.dropped)
                part.add(document, checked.kind, checked.dropped)
        part.files.append(source.name)
        direct.files.append(source.name)
        merged.merge(part)
    assert merged.claims == direct.claims
    assert merged.inline == direct.inline
    for name in ("parties", "duties", "pools", "budgets", "rules", "waivers", "assignments", "files"):
        assert getattr(merged, name) == getattr(direct, name), name
    assert sorted(merged.redefinitions, key=repr) == sorted(direct.redefinitions, key=repr)


def test_a_duty_defined_again_in_a_later_file_brings_no_inline_claims() -> None:
    first, second = PolicySet(), PolicySet()
    first.duties["d"] = Duty("d", "D", Location("a.yaml", 3))
    first.claims.append(Claim("d", "accountable", "ciso", Location("a.yaml", 5)))
    first.inline["d"] = (0, 1)
    second.duties["d"] = Duty("d", "D again", Location("b.yaml", 3))
    second.duties["e"] = Duty("e", "E", Location("b.yaml", 9))
    second.claims += [
        Claim("d", "accountable", "cio", Location("b.yaml", 5)),
        Claim("x", "informed", "ceo", Location("b.yaml", 7)),  # an assignment: kept
        Claim("e", "accountable", "cfo", Location("b.yaml", 11)),
    ]
    second.inline.update({"d": (0, 1), "e": (2, 3)})
    model = PolicySet()
    model.merge(first)
    model.merge(second)
    assert [(c.duty, c.party) for c in model.claims] == [("d", "ciso"), ("x", "ceo"), ("e", "cfo")]
    assert model.inline == {"d": (0, 1), "e": (2, 3)}
    assert [(d.entity, d.id, d.location.file) for d in model.redefinitions] == [("duty", "d", "b.yaml")]

"""engine.check as a library: identities, caps, and what survives a broken file."""

from __future__ import annotations

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

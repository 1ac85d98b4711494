from __future__ import annotations

from tests.conftest import CheckFiles, of_rule, positions
from tests.rules._helpers import INACTIVE_DEPUTY

RULE = "inactive-party"


def test_fires_on_an_inline_claim_by_an_inactive_party(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "people.yaml": INACTIVE_DEPUTY,
            "duties/security.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: sec.awareness-training
                    title: Run the annual security awareness training
                    raci:
                      accountable: deputy-cio
                      responsible: [security-ops]
                """,
        }
    )
    assert positions(report, RULE) == [("policies/duties/security.yaml", 7, 20)]
    (finding,) = of_rule(report, RULE)
    assert finding.subject == "sec.awareness-training"
    assert finding.detail == "deputy-cio:accountable"
    assert finding.related == ()
    assert "accountable of sec.awareness-training is 'deputy-cio'" in finding.message
    assert "inactive" in finding.message
    assert finding.severity.value == "warning"


def test_fires_even_when_an_active_party_holds_the_same_letter(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "people.yaml": INACTIVE_DEPUTY,
            "duties/security.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: sec.awareness-training
                    title: Run the annual security awareness training
                    raci: {accountable: ciso, responsible: [security-ops]}
                """,
            "assignments/it.yaml": """\
                apiVersion: raci/v1
                kind: Assignments
                assignments:
                  - duty: sec.awareness-training
                    responsible: [it-ops, deputy-cio]
                    informed: deputy-cio
                """,
        }
    )
    assert positions(report, RULE) == [
        ("policies/assignments/it.yaml", 5, 27),
        ("policies/assignments/it.yaml", 6, 15),
    ]
    assert [f.detail for f in of_rule(report, RULE)] == ["deputy-cio:responsible", "deputy-cio:informed"]


def test_quiet_when_every_claim_is_by_an_active_party(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "people.yaml": """\
                apiVersion: raci/v1
                kind: Parties
                parties:
                  - {id: deputy-cio, name: Deputy CIO, type: role, active: false}
                  - {id: security-office, name: Security Office, type: team, active: true}
                """,
            "duties/security.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: sec.awareness-training
                    title: Run the annual security awareness training
                    raci: {accountable: ciso, responsible: [security-office]}
                """,
        }
    )
    assert of_rule(report, RULE) == []


def test_quiet_on_a_claim_on_an_undefined_duty(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "people.yaml": INACTIVE_DEPUTY,
            "duties/security.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: sec.awareness-training
                    title: Run the annual security awareness training
                    raci: {accountable: ciso, responsible: [security-ops]}
                """,
            "assignments/it.yaml": """\
                apiVersion: raci/v1
                kind: Assignments
                assignments:
                  - duty: sec.awareness-trainig
                    consulted: [deputy-cio]
                """,
        }
    )
    assert of_rule(report, RULE) == []
    assert positions(report, "unknown-duty") == [("policies/assignments/it.yaml", 4, 11)]

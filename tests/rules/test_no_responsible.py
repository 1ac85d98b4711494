from __future__ import annotations

from tests.conftest import CheckFiles, of_rule, positions
from tests.rules._helpers import INACTIVE_DEPUTY, where

RULE = "no-responsible"


def test_fires_when_nobody_is_responsible(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/security.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: sec.awareness-training
                    title: Run the annual security awareness training
                    raci:
                      accountable: ciso
                      informed: [it-ops]
                """,
        }
    )
    assert positions(report, RULE) == [("policies/duties/security.yaml", 4, 9)]
    (finding,) = of_rule(report, RULE)
    assert finding.subject == "sec.awareness-training"
    assert finding.related == ()
    assert "sec.awareness-training has no responsible party" in finding.message
    assert finding.severity.value == "error"


def test_fires_on_an_empty_responsible_list(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/security.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: sec.awareness-training
                    title: Run the annual security awareness training
                    raci: {accountable: ciso, responsible: []}
                """,
        }
    )
    assert positions(report, RULE) == [("policies/duties/security.yaml", 4, 9)]


def test_fires_when_every_responsible_is_inactive(check_files: CheckFiles) -> None:
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
                      accountable: ciso
                """,
            "assignments/it.yaml": """\
                apiVersion: raci/v1
                kind: Assignments
                assignments:
                  - duty: sec.awareness-training
                    responsible: deputy-cio
                """,
        }
    )
    assert positions(report, RULE) == [("policies/duties/security.yaml", 4, 9)]
    (finding,) = of_rule(report, RULE)
    assert where(finding.related) == [("policies/assignments/it.yaml", 5, 18)]
    assert "no active responsible party" in finding.message
    assert "deputy-cio is inactive" in finding.message


def test_quiet_when_the_accountable_is_also_responsible(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/security.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: sec.awareness-training
                    title: Run the annual security awareness training
                    raci: {accountable: ciso, responsible: ciso}
                """,
        }
    )
    assert of_rule(report, RULE) == []


def test_quiet_when_an_assignment_file_names_the_responsible(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/security.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: sec.awareness-training
                    title: Run the annual security awareness training
                    raci: {accountable: ciso}
                """,
            "assignments/security-ops.yaml": """\
                apiVersion: raci/v1
                kind: Assignments
                assignments:
                  - duty: sec.awareness-training
                    responsible: [security-ops]
                """,
        }
    )
    assert of_rule(report, RULE) == []


def test_quiet_when_the_responsible_is_an_unknown_party(check_files: CheckFiles) -> None:
    report = check_files(
        {
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
    assert [f.detail for f in of_rule(report, "unknown-party")] == ["responsible:security-office"]

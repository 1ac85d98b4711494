from __future__ import annotations

from tests.conftest import CheckFiles, of_rule, positions
from tests.rules._helpers import where

RULE = "redundant-role"


def test_fires_on_consulted_and_informed(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/it.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: it.change-management
                    title: Approve and schedule production changes
                    raci:
                      accountable: cio
                      responsible: [it-ops]
                      consulted: [ciso]
                      informed: [ciso]
                """,
        }
    )
    assert positions(report, RULE) == [("policies/duties/it.yaml", 10, 18)]
    (finding,) = of_rule(report, RULE)
    assert finding.subject == "it.change-management"
    assert finding.detail == "ciso"
    assert where(finding.related) == [("policies/duties/it.yaml", 9, 19)]
    assert "'ciso' is consulted and informed on it.change-management" in finding.message
    assert finding.severity.value == "warning"


def test_fires_on_accountable_and_consulted_across_files(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/it.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: it.change-management
                    title: Approve and schedule production changes
                    raci: {accountable: cio, responsible: [it-ops]}
                """,
            "assignments/security.yaml": """\
                apiVersion: raci/v1
                kind: Assignments
                assignments:
                  - duty: it.change-management
                    consulted: [ciso, cio]
                """,
        }
    )
    # the last claim in reading order: assignments/ is read before duties/
    assert positions(report, RULE) == [("policies/duties/it.yaml", 6, 25)]
    (finding,) = of_rule(report, RULE)
    assert finding.detail == "cio"
    assert where(finding.related) == [("policies/assignments/security.yaml", 5, 23)]
    assert "'cio' is accountable and consulted" in finding.message


def test_quiet_on_accountable_and_responsible(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/it.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: it.change-management
                    title: Approve and schedule production changes
                    raci:
                      accountable: cio
                      responsible: [cio, it-ops]
                      consulted: [ciso]
                """,
        }
    )
    assert of_rule(report, RULE) == []


def test_quiet_when_one_letter_is_repeated_in_another_file(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/it.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: it.change-management
                    title: Approve and schedule production changes
                    raci: {accountable: cio, responsible: [it-ops], informed: [ciso]}
                """,
            "assignments/security.yaml": """\
                apiVersion: raci/v1
                kind: Assignments
                assignments:
                  - duty: it.change-management
                    informed: ciso
                """,
        }
    )
    assert of_rule(report, RULE) == []


def test_fires_when_accountable_and_responsible_come_with_a_third_letter(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/it.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: it.change-management
                    title: Approve and schedule production changes
                    raci:
                      accountable: cio
                      responsible: [cio]
                      informed: [cio]
                """,
        }
    )
    assert positions(report, RULE) == [("policies/duties/it.yaml", 9, 18)]
    (finding,) = of_rule(report, RULE)
    assert where(finding.related) == [("policies/duties/it.yaml", 7, 20), ("policies/duties/it.yaml", 8, 21)]


def test_quiet_on_claims_on_an_undefined_duty(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/it.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: it.change-management
                    title: Approve and schedule production changes
                    raci: {accountable: cio, responsible: [it-ops]}
                """,
            "assignments/security.yaml": """\
                apiVersion: raci/v1
                kind: Assignments
                assignments:
                  - duty: it.change-managment
                    consulted: [ciso]
                    informed: [ciso]
                """,
        }
    )
    assert of_rule(report, RULE) == []
    assert positions(report, "unknown-duty") == [("policies/assignments/security.yaml", 4, 11)]


def test_quiet_on_an_undefined_party_in_two_letters(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/it.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: it.change-management
                    title: Approve and schedule production changes
                    raci:
                      accountable: cio
                      responsible: [it-ops]
                      consulted: [security-office]
                      informed: [security-office]
                """,
        }
    )
    assert of_rule(report, RULE) == []
    # the undefined party is reported once per place, by the rule meant for it
    assert [f.detail for f in of_rule(report, "unknown-party")] == [
        "consulted:security-office",
        "informed:security-office",
    ]

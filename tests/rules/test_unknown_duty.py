from __future__ import annotations

from tests.conftest import CheckFiles, of_rule, positions
from tests.rules._helpers import where

RULE = "unknown-duty"

DUTIES = """\
apiVersion: raci/v1
kind: Duties
duties:
  - id: sec.incident-response
    title: Lead the response to security incidents
    raci: {accountable: ciso, responsible: [security-ops]}
"""


def test_fires_on_an_assignment_for_a_misspelt_duty_with_a_hint(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/security.yaml": DUTIES,
            "assignments/it.yaml": """\
                apiVersion: raci/v1
                kind: Assignments
                assignments:
                  - duty: sec.incident-respnse
                    consulted: [cio]
                """,
        }
    )
    assert positions(report, RULE) == [("policies/assignments/it.yaml", 4, 11)]
    (finding,) = of_rule(report, RULE)
    assert finding.subject == "sec.incident-respnse"
    assert finding.detail == "sec.incident-respnse"
    assert finding.message == (
        "an assignment names duty 'sec.incident-respnse', which is not defined (did you mean 'sec.incident-response'?)"
    )
    assert finding.related == ()
    assert finding.severity.value == "error"


def test_no_hint_for_a_far_away_duty_id(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/security.yaml": DUTIES,
            "assignments/it.yaml": """\
                apiVersion: raci/v1
                kind: Assignments
                assignments:
                  - duty: sec.incident-response
                    consulted: [cio]
                  - duty: it.asset-inventory
                    accountable: cio
                """,
        }
    )
    assert positions(report, RULE) == [("policies/assignments/it.yaml", 6, 11)]
    (finding,) = of_rule(report, RULE)
    assert finding.subject == "it.asset-inventory"
    assert "did you mean" not in finding.message


def test_one_finding_per_unknown_duty_however_many_assignments_name_it(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/security.yaml": DUTIES,
            "assignments/it.yaml": """\
                apiVersion: raci/v1
                kind: Assignments
                assignments:
                  - duty: it.asset-inventory
                    accountable: cio
                  - duty: it.asset-inventory
                    responsible: [it-ops]
                """,
            "assignments/security.yaml": """\
                apiVersion: raci/v1
                kind: Assignments
                assignments:
                  - duty: it.asset-inventory
                    consulted: [ciso]
                """,
        }
    )
    assert positions(report, RULE) == [("policies/assignments/it.yaml", 4, 11)]
    (finding,) = of_rule(report, RULE)
    assert finding.subject == "it.asset-inventory"
    assert finding.detail == "it.asset-inventory"
    assert finding.message == "3 assignments name duty 'it.asset-inventory', which is not defined"
    assert where(finding.related) == [
        ("policies/assignments/it.yaml", 6, 11),
        ("policies/assignments/security.yaml", 4, 11),
    ]


def test_fires_on_a_budget_funding_an_undefined_duty_with_the_budget_as_subject(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/security.yaml": DUTIES,
            "budgets.yaml": """\
                apiVersion: raci/v1
                kind: Budgets
                budgets:
                  - id: fy27-security-tooling
                    amount: 1000
                    currency: USD
                    period: FY2027
                    funds: [sec.incident-response, sec.forensics]
                    splits:
                      - {party: ciso, percent: 100}
                """,
        }
    )
    assert positions(report, RULE) == [("policies/budgets.yaml", 8, 36)]
    (finding,) = of_rule(report, RULE)
    assert finding.subject == "fy27-security-tooling"
    assert finding.detail == "sec.forensics"
    assert "budget 'fy27-security-tooling' funds duty 'sec.forensics', which is not defined" in finding.message
    assert finding.severity.value == "error"


def test_quiet_when_the_duty_is_defined_in_a_later_file(check_files: CheckFiles) -> None:
    # policies/assignments/... is read before policies/duties/...: the order does not matter
    report = check_files(
        {
            "duties/security.yaml": DUTIES,
            "assignments/it.yaml": """\
                apiVersion: raci/v1
                kind: Assignments
                assignments:
                  - duty: sec.incident-response
                    consulted: [cio]
                """,
        }
    )
    assert of_rule(report, RULE) == []


def test_quiet_when_a_budget_funds_defined_duties(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/security.yaml": DUTIES,
            "budgets.yaml": """\
                apiVersion: raci/v1
                kind: Budgets
                budgets:
                  - id: fy27-security-tooling
                    amount: 1000
                    currency: USD
                    period: FY2027
                    funds: [sec.incident-response]
                    splits:
                      - {party: ciso, percent: 100}
                """,
        }
    )
    assert of_rule(report, RULE) == []

from __future__ import annotations

from tests.conftest import CheckFiles, of_rule, positions
from tests.rules._budget_helpers import DUTIES, PARTIES_WITH_CFO, budget

RULE = "funder-without-role"
FILE = "policies/budgets.yaml"
EDR = "[sec.edr-operations]"  # accountable ciso, responsible security-ops, consulted cio
BOTH = "[sec.edr-operations, it.endpoint-management]"  # the second: accountable cio, informed ciso


def test_fires_for_a_funder_with_no_role_at_all(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "parties.yaml": PARTIES_WITH_CFO,
            "duties.yaml": DUTIES,
            "budgets.yaml": budget(funds=EDR, splits=("{party: ciso, percent: 60}", "{party: cfo, percent: 40}")),
        }
    )
    assert positions(report, RULE) == [(FILE, 11, 17)]
    (finding,) = of_rule(report, RULE)
    assert finding.subject == "fy27-security-tooling"
    assert finding.detail == "cfo"
    assert finding.severity.value == "warning"
    assert "'cfo'" in finding.message
    assert "neither accountable nor responsible" in finding.message
    assert "sec.edr-operations" in finding.message


def test_fires_for_a_funder_only_consulted_or_informed(check_files: CheckFiles) -> None:
    # the CIO is consulted on EDR; the CISO is informed on endpoint management
    report = check_files(
        {
            "duties.yaml": DUTIES,
            "budgets.yaml": budget(funds=EDR, splits=("{party: ciso, percent: 60}", "{party: cio, percent: 40}")),
            "other.yaml": budget(
                "fy27-it-modernisation",
                funds="[it.endpoint-management]",
                splits=("{party: cio, percent: 60}", "{party: ciso, percent: 40}"),
            ),
        }
    )
    assert positions(report, RULE) == [(FILE, 11, 17), ("policies/other.yaml", 11, 17)]
    assert [(f.subject, f.detail) for f in of_rule(report, RULE)] == [
        ("fy27-security-tooling", "cio"),
        ("fy27-it-modernisation", "ciso"),
    ]


def test_quiet_when_each_funder_owns_or_does_one_funded_duty(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties.yaml": DUTIES,
            "budgets.yaml": budget(
                funds=BOTH,
                splits=(
                    "{party: ciso, percent: 40}",  # accountable for EDR
                    "{party: cio, percent: 30}",  # accountable for endpoints
                    "{party: security-ops, percent: 20}",  # responsible for EDR
                    "{party: it-ops, percent: 10}",  # responsible for endpoints
                ),
            ),
        }
    )
    assert of_rule(report, RULE) == []


def test_quiet_when_the_role_is_held_in_an_assignments_file(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "parties.yaml": PARTIES_WITH_CFO,
            "duties.yaml": DUTIES,
            "assignments/finance.yaml": """\
                apiVersion: raci/v1
                kind: Assignments
                assignments:
                  - duty: sec.edr-operations
                    responsible: [cfo]
                """,
            "budgets.yaml": budget(funds=EDR, splits=("{party: ciso, percent: 60}", "{party: cfo, percent: 40}")),
        }
    )
    assert of_rule(report, RULE) == []


def test_a_role_on_a_duty_the_budget_does_not_fund_does_not_count(check_files: CheckFiles) -> None:
    # the CIO is accountable for endpoint management, but this budget only funds EDR
    report = check_files(
        {
            "duties.yaml": DUTIES,
            "budgets.yaml": budget(funds=EDR, splits=("{party: ciso, percent: 60}", "{party: cio, percent: 40}")),
        }
    )
    assert positions(report, RULE) == [(FILE, 11, 17)]
    assert of_rule(report, RULE)[0].detail == "cio"


def test_fires_for_every_funder_of_a_budget_that_funds_no_duty(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties.yaml": DUTIES,
            "budgets.yaml": budget(splits=("{party: ciso, percent: 60}", "{party: cio, percent: 40}")),
        }
    )
    assert positions(report, RULE) == [(FILE, 9, 17), (FILE, 10, 17)]
    assert [f.detail for f in of_rule(report, RULE)] == ["ciso", "cio"]
    assert all(f.severity.value == "warning" for f in of_rule(report, RULE))


def test_an_unknown_funder_is_left_to_unknown_party(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties.yaml": DUTIES,
            "budgets.yaml": budget(funds=EDR, splits=("{party: ciso, percent: 60}", "{party: cfo, percent: 40}")),
        }
    )
    assert of_rule(report, RULE) == []
    assert positions(report, "unknown-party") == [(FILE, 11, 17)]


def test_unknown_parties_and_duties_of_a_budget_are_reported_against_the_budget(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties.yaml": DUTIES,
            "budgets.yaml": budget(
                funds="[sec.edr-operation]",
                splits=("{party: cisco, percent: 60}", "{party: cio, percent: 40}"),
            ),
        }
    )
    (party,) = of_rule(report, "unknown-party")
    assert (party.location.line, party.location.column) == (10, 17)
    assert party.subject == "fy27-security-tooling"
    assert party.detail == "splits:cisco"
    assert "did you mean 'ciso'?" in party.message
    (duty,) = of_rule(report, "unknown-duty")
    assert (duty.location.line, duty.location.column) == (8, 13)
    assert duty.subject == "fy27-security-tooling"
    assert duty.detail == "sec.edr-operation"
    assert "did you mean 'sec.edr-operations'?" in duty.message

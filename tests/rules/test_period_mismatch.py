from __future__ import annotations

from tests.conftest import CheckFiles, of_rule, positions
from tests.rules._budget_helpers import POOL, budget
from tests.rules._helpers import where

RULE = "period-mismatch"


def test_fires_at_the_budget_period_with_the_pool_period_related(check_files: CheckFiles) -> None:
    report = check_files(
        {"pools.yaml": POOL, "budgets.yaml": budget("fy28-siem-renewal", period="FY2028", pool="fy27-it-capex")}
    )
    assert positions(report, RULE) == [("policies/budgets.yaml", 7, 13)]
    (finding,) = of_rule(report, RULE)
    assert finding.subject == "fy28-siem-renewal"
    assert finding.severity.value == "error"
    assert where(finding.related) == [("policies/pools.yaml", 7, 13)]
    assert "'FY2028'" in finding.message
    assert "'FY2027'" in finding.message
    assert "fy27-it-capex" in finding.message


def test_quiet_when_the_periods_are_equal(check_files: CheckFiles) -> None:
    report = check_files(
        {"pools.yaml": POOL, "budgets.yaml": budget("fy27-siem-renewal", period="FY2027", pool="fy27-it-capex")}
    )
    assert of_rule(report, RULE) == []


def test_periods_are_compared_exactly(check_files: CheckFiles) -> None:
    report = check_files(
        {"pools.yaml": POOL, "budgets.yaml": budget("fy27-siem-renewal", period="fy2027", pool="fy27-it-capex")}
    )
    assert positions(report, RULE) == [("policies/budgets.yaml", 7, 13)]


def test_quiet_for_a_budget_without_a_pool(check_files: CheckFiles) -> None:
    report = check_files({"pools.yaml": POOL, "budgets.yaml": budget("fy28-siem-renewal", period="FY2028")})
    assert of_rule(report, RULE) == []


def test_a_budget_of_another_period_still_counts_against_the_pool(check_files: CheckFiles) -> None:
    # only another currency is left out of a pool's total (SPEC 5, Money)
    report = check_files(
        {
            "pools.yaml": POOL,
            "budgets.yaml": budget("fy28-siem-renewal", amount="2500000", period="FY2028", pool="fy27-it-capex"),
        }
    )
    assert len(of_rule(report, RULE)) == 1
    assert positions(report, "pool-overcommitted") == [("policies/pools.yaml", 4, 9)]

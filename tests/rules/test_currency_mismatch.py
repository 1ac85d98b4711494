from __future__ import annotations

from tests.conftest import CheckFiles, of_rule, positions
from tests.rules._budget_helpers import POOL, budget
from tests.rules._helpers import where

RULE = "currency-mismatch"


def test_fires_at_the_budget_currency_with_the_pool_currency_related(check_files: CheckFiles) -> None:
    report = check_files(
        {"pools.yaml": POOL, "budgets.yaml": budget("fy27-emea-soc", currency="EUR", pool="fy27-it-capex")}
    )
    assert positions(report, RULE) == [("policies/budgets.yaml", 6, 15)]
    (finding,) = of_rule(report, RULE)
    assert finding.subject == "fy27-emea-soc"
    assert finding.severity.value == "error"
    assert where(finding.related) == [("policies/pools.yaml", 6, 15)]
    assert "EUR" in finding.message
    assert "USD" in finding.message
    assert "fy27-it-capex" in finding.message


def test_quiet_when_the_currencies_are_equal(check_files: CheckFiles) -> None:
    report = check_files(
        {"pools.yaml": POOL, "budgets.yaml": budget("fy27-emea-soc", currency="USD", pool="fy27-it-capex")}
    )
    assert of_rule(report, RULE) == []


def test_quiet_for_a_budget_without_a_pool(check_files: CheckFiles) -> None:
    report = check_files({"pools.yaml": POOL, "budgets.yaml": budget("fy27-emea-soc", currency="EUR")})
    assert of_rule(report, RULE) == []


def test_one_finding_per_mismatched_budget(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "pools.yaml": POOL,
            "a.yaml": budget("fy27-emea-soc", currency="EUR", pool="fy27-it-capex"),
            "b.yaml": budget("fy27-apac-soc", currency="JPY", pool="fy27-it-capex"),
            "c.yaml": budget("fy27-us-soc", currency="USD", pool="fy27-it-capex"),
        }
    )
    assert positions(report, RULE) == [("policies/a.yaml", 6, 15), ("policies/b.yaml", 6, 15)]
    assert [f.subject for f in of_rule(report, RULE)] == ["fy27-emea-soc", "fy27-apac-soc"]

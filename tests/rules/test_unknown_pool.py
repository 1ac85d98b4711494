from __future__ import annotations

from tests.conftest import CheckFiles, of_rule, positions
from tests.rules._budget_helpers import POOL, budget

RULE = "unknown-pool"


def test_fires_at_a_misspelt_pool_with_a_did_you_mean_hint(check_files: CheckFiles) -> None:
    report = check_files({"pools.yaml": POOL, "budgets.yaml": budget(pool="fy27-it-capx")})
    assert positions(report, RULE) == [("policies/budgets.yaml", 8, 11)]
    (finding,) = of_rule(report, RULE)
    assert finding.subject == "fy27-security-tooling"
    assert finding.detail == "fy27-it-capx"
    assert finding.severity.value == "error"
    assert "'fy27-it-capx', which is not defined" in finding.message
    assert "did you mean 'fy27-it-capex'?" in finding.message


def test_fires_without_a_hint_when_no_pool_is_close(check_files: CheckFiles) -> None:
    report = check_files({"pools.yaml": POOL, "budgets.yaml": budget(pool="marketing-opex")})
    assert positions(report, RULE) == [("policies/budgets.yaml", 8, 11)]
    (finding,) = of_rule(report, RULE)
    assert finding.detail == "marketing-opex"
    assert "did you mean" not in finding.message


def test_quiet_when_the_pool_is_defined_in_another_file(check_files: CheckFiles) -> None:
    report = check_files({"pools.yaml": POOL, "budgets.yaml": budget(pool="fy27-it-capex")})
    assert of_rule(report, RULE) == []


def test_quiet_when_the_budget_draws_on_no_pool(check_files: CheckFiles) -> None:
    report = check_files({"budgets.yaml": budget()})
    assert of_rule(report, RULE) == []


def test_the_pool_rules_do_not_pile_on_an_unknown_pool(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "pools.yaml": POOL,
            "budgets.yaml": budget(pool="fy27-it-capx", amount="3000000", currency="EUR", period="FY2028"),
        }
    )
    assert len(of_rule(report, RULE)) == 1
    for rule in ("currency-mismatch", "period-mismatch", "pool-overcommitted"):
        assert of_rule(report, rule) == [], rule

from __future__ import annotations

from tests.conftest import CheckFiles, of_rule, positions
from tests.rules._budget_helpers import POOL, budget
from tests.rules._helpers import where

RULE = "pool-overcommitted"
CIO = "policies/budgets/cio-office.yaml"
CISO = "policies/budgets/ciso-office.yaml"


def two_budgets(cio_amount: str, ciso_amount: str, *, cio_currency: str = "USD") -> dict[str, str]:
    """The pool (USD 2,000,000) and a budget of each office drawing on it, in files of their own."""
    return {
        "pools.yaml": POOL,
        "budgets/cio-office.yaml": budget(
            "fy27-it-modernisation",
            amount=cio_amount,
            currency=cio_currency,
            pool="fy27-it-capex",
            splits=("{party: cio, percent: 100}",),
        ),
        "budgets/ciso-office.yaml": budget(
            "fy27-security-tooling",
            amount=ciso_amount,
            pool="fy27-it-capex",
            splits=("{party: ciso, percent: 100}",),
        ),
    }


def test_fires_when_two_offices_claim_more_than_the_pool(check_files: CheckFiles) -> None:
    report = check_files(two_budgets("1000000", "1200000"))
    assert positions(report, RULE) == [("policies/pools.yaml", 4, 9)]
    (finding,) = of_rule(report, RULE)
    assert finding.subject == "fy27-it-capex"
    assert finding.severity.value == "error"
    # each drawing budget's `pool:` value, in reading order
    assert where(finding.related) == [(CIO, 8, 11), (CISO, 8, 11)]
    message = finding.message
    assert "USD 2,000,000" in message  # the pool
    assert "USD 2,200,000" in message  # the total claimed
    assert "USD 200,000" in message  # by how much
    assert "fy27-it-modernisation USD 1,000,000" in message
    assert "fy27-security-tooling USD 1,200,000" in message


def test_quiet_when_the_budgets_draw_exactly_the_pool(check_files: CheckFiles) -> None:
    report = check_files(two_budgets("800000", "1200000"))
    assert of_rule(report, RULE) == []


def test_quiet_when_the_budgets_draw_less_than_the_pool(check_files: CheckFiles) -> None:
    report = check_files(two_budgets("500000", "1200000"))
    assert of_rule(report, RULE) == []


def test_decimal_claims_are_summed_exactly(check_files: CheckFiles) -> None:
    # 1999999.99 + 0.01 is exactly the pool; one more cent is over
    assert of_rule(check_files(two_budgets("1999999.99", "0.01")), RULE) == []
    (finding,) = of_rule(check_files(two_budgets("1999999.99", "0.02")), RULE)
    assert "USD 2,000,000.01" in finding.message
    assert "USD 0.01" in finding.message


def test_a_budget_of_another_currency_is_left_out_of_the_sum(check_files: CheckFiles) -> None:
    # USD 1,200,000 + EUR 1,000,000 would be over as plain numbers; the EUR one
    # cannot be added without a rate and is a currency-mismatch instead.
    report = check_files(two_budgets("1000000", "1200000", cio_currency="EUR"))
    assert of_rule(report, RULE) == []
    assert positions(report, "currency-mismatch") == [(CIO, 6, 15)]


def test_an_over_committed_pool_lists_only_the_budgets_of_its_currency(check_files: CheckFiles) -> None:
    files = two_budgets("500000", "1200000", cio_currency="EUR")
    files["budgets/it-ops.yaml"] = budget(
        "fy27-service-desk", amount="900000", pool="fy27-it-capex", splits=("{party: it-ops, percent: 100}",)
    )
    report = check_files(files)
    (finding,) = of_rule(report, RULE)
    assert where(finding.related) == [(CISO, 8, 11), ("policies/budgets/it-ops.yaml", 8, 11)]
    assert "USD 2,100,000" in finding.message
    assert "fy27-security-tooling USD 1,200,000" in finding.message
    assert "fy27-service-desk USD 900,000" in finding.message
    assert "fy27-it-modernisation" not in finding.message


def test_budgets_drawing_on_no_pool_do_not_count(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "pools.yaml": POOL,
            "budgets.yaml": budget(amount="1500000", pool="fy27-it-capex"),
            "other.yaml": budget("fy27-it-modernisation", amount="1500000"),
        }
    )
    assert of_rule(report, RULE) == []


def test_a_single_budget_above_the_pool_fires(check_files: CheckFiles) -> None:
    report = check_files({"pools.yaml": POOL, "budgets.yaml": budget(amount="2000000.01", pool="fy27-it-capex")})
    assert positions(report, RULE) == [("policies/pools.yaml", 4, 9)]
    (finding,) = of_rule(report, RULE)
    assert where(finding.related) == [("policies/budgets.yaml", 8, 11)]
    assert "USD 0.01" in finding.message

from __future__ import annotations

import pytest

from tests.conftest import CheckFiles, of_rule, positions
from tests.rules._budget_helpers import budget

RULE = "money-format"
FILE = "policies/budgets.yaml"


def pool(amount: str = "2000000", currency: str = "USD") -> str:
    """A pool alone in its file: id at 4:9, amount at 5:13, currency at 6:15."""
    return f"""\
apiVersion: raci/v1
kind: Budgets
pools:
  - id: fy27-it-capex
    amount: {amount}
    currency: {currency}
    period: FY2027
"""


def whole(amount: str, currency: str) -> str:
    """A budget of `amount` paid entirely by the CISO."""
    return budget(amount=amount, currency=currency, splits=("{party: ciso, percent: 100}",))


def test_fires_at_a_usd_amount_with_three_decimals(check_files: CheckFiles) -> None:
    report = check_files({"budgets.yaml": whole("1200000.005", "USD")})
    assert positions(report, RULE) == [(FILE, 5, 13)]
    (finding,) = of_rule(report, RULE)
    assert finding.subject == "fy27-security-tooling"
    assert finding.detail == "amount"
    assert finding.severity.value == "error"
    assert finding.related == ()
    assert "1200000.005" in finding.message
    assert "3 decimal places" in finding.message
    assert "USD has 2" in finding.message


@pytest.mark.parametrize(
    ("amount", "currency"),
    [
        ("100.50", "USD"),
        ("100.5", "USD"),
        ("100", "USD"),
        ("1000", "JPY"),
        ("1.234", "KWD"),
        ("1.2", "KWD"),
        ("99.99", "EUR"),
        ("1.2345", "CLF"),
    ],
)
def test_quiet_within_the_minor_unit(check_files: CheckFiles, amount: str, currency: str) -> None:
    report = check_files({"budgets.yaml": whole(amount, currency)})
    assert of_rule(report, RULE) == []


@pytest.mark.parametrize(
    ("amount", "currency", "places", "minor"),
    [
        ("1000.5", "JPY", 1, 0),
        ("1.2345", "KWD", 4, 3),
        ("99.999", "EUR", 3, 2),
        ("1.23456", "CLF", 5, 4),
    ],
)
def test_fires_beyond_the_minor_unit(
    check_files: CheckFiles, amount: str, currency: str, places: int, minor: int
) -> None:
    report = check_files({"budgets.yaml": whole(amount, currency)})
    assert positions(report, RULE) == [(FILE, 5, 13)]
    (finding,) = of_rule(report, RULE)
    assert f"{places} decimal places" in finding.message
    assert f"{currency} has {minor}" in finding.message


def test_fires_at_an_unknown_budget_currency_with_a_hint(check_files: CheckFiles) -> None:
    report = check_files({"budgets.yaml": whole("1000", "USS")})
    assert positions(report, RULE) == [(FILE, 6, 15)]
    (finding,) = of_rule(report, RULE)
    assert finding.subject == "fy27-security-tooling"
    assert finding.detail == "currency"
    assert finding.severity.value == "error"
    assert "'USS' is not an ISO 4217 currency code" in finding.message
    assert "did you mean 'USD'?" in finding.message


def test_fires_at_an_unknown_pool_currency_with_a_hint(check_files: CheckFiles) -> None:
    report = check_files({"pools.yaml": pool(currency="USS")})
    assert positions(report, RULE) == [("policies/pools.yaml", 6, 15)]
    (finding,) = of_rule(report, RULE)
    assert finding.subject == "fy27-it-capex"
    assert finding.detail == "currency"
    assert "pool fy27-it-capex" in finding.message
    assert "did you mean 'USD'?" in finding.message


def test_fires_at_a_well_formed_code_that_is_no_currency(check_files: CheckFiles) -> None:
    report = check_files({"budgets.yaml": whole("1000", "XYZ")})
    assert positions(report, RULE) == [(FILE, 6, 15)]
    assert "'XYZ' is not an ISO 4217 currency code" in of_rule(report, RULE)[0].message


def test_a_malformed_code_is_a_schema_error(check_files: CheckFiles) -> None:
    # the schema restricts currencies to three capitals; `US$` never reaches the rule
    report = check_files({"budgets.yaml": whole("1000", '"US$"')})
    assert of_rule(report, RULE) == []
    assert positions(report, "schema") == [(FILE, 6, 15)]


def test_fires_at_a_pool_amount_with_too_many_decimals(check_files: CheckFiles) -> None:
    report = check_files({"pools.yaml": pool(amount="2000000.001")})
    assert positions(report, RULE) == [("policies/pools.yaml", 5, 13)]
    (finding,) = of_rule(report, RULE)
    assert finding.subject == "fy27-it-capex"
    assert finding.detail == "amount"
    assert "pool fy27-it-capex" in finding.message


def test_fires_at_a_split_amount_with_too_many_decimals(check_files: CheckFiles) -> None:
    report = check_files(
        {"budgets.yaml": budget(splits=("{party: ciso, percent: 60}", "{party: cio, amount: 40000.001}"))}
    )
    assert positions(report, RULE) == [(FILE, 10, 30)]
    (finding,) = of_rule(report, RULE)
    assert finding.subject == "fy27-security-tooling"
    assert finding.detail == "splits[1].amount"
    assert "40000.001" in finding.message
    assert "USD has 2" in finding.message


def test_a_split_percent_may_have_any_number_of_decimals(check_files: CheckFiles) -> None:
    report = check_files(
        {"budgets.yaml": budget(splits=("{party: ciso, percent: 60.125}", "{party: cio, percent: 39.875}"))}
    )
    assert of_rule(report, RULE) == []


def test_every_bad_amount_of_a_budget_is_reported(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "budgets.yaml": budget(
                amount="1000.5",
                currency="JPY",
                splits=("{party: ciso, amount: 500.25}", "{party: cio, amount: 500.25}"),
            )
        }
    )
    assert positions(report, RULE) == [(FILE, 5, 13), (FILE, 9, 31), (FILE, 10, 30)]
    assert [f.detail for f in of_rule(report, RULE)] == ["amount", "splits[0].amount", "splits[1].amount"]

from __future__ import annotations

import signal

from tests.conftest import CheckFiles, of_rule, positions
from tests.rules._budget_helpers import budget
from tests.rules._helpers import where

RULE = "split-total"
FILE = "policies/budgets.yaml"


def test_fires_over_by_ten_percent_and_says_how_much_money(check_files: CheckFiles) -> None:
    report = check_files({"budgets.yaml": budget(splits=("{party: ciso, percent: 60}", "{party: cio, percent: 50}"))})
    assert positions(report, RULE) == [(FILE, 4, 9)]
    (finding,) = of_rule(report, RULE)
    assert finding.subject == "fy27-security-tooling"
    assert finding.severity.value == "error"
    assert finding.detail == ""
    # related: where each share is written, in order
    assert where(finding.related) == [(FILE, 9, 32), (FILE, 10, 31)]
    assert "110%" in finding.message
    assert "over by 10%" in finding.message
    assert "USD 10,000" in finding.message
    assert "USD 100,000" in finding.message


def test_fires_under_and_says_how_much_money(check_files: CheckFiles) -> None:
    report = check_files(
        {"budgets.yaml": budget(amount="1200000", splits=("{party: ciso, percent: 40}", "{party: cio, percent: 40}"))}
    )
    (finding,) = of_rule(report, RULE)
    assert "80%" in finding.message
    assert "under by 20%" in finding.message
    assert "USD 240,000" in finding.message
    assert "over" not in finding.message


def test_quiet_when_thirds_to_two_places_make_exactly_100(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "budgets.yaml": budget(
                splits=(
                    "{party: ciso, percent: 33.33}",
                    "{party: cio, percent: 33.33}",
                    "{party: ceo, percent: 33.34}",
                )
            )
        }
    )
    assert of_rule(report, RULE) == []


def test_fires_under_for_three_long_decimal_thirds(check_files: CheckFiles) -> None:
    third = "33.333333333333333333333"
    report = check_files(
        {
            "budgets.yaml": budget(
                splits=(
                    f"{{party: ciso, percent: {third}}}",
                    f"{{party: cio, percent: {third}}}",
                    f"{{party: ceo, percent: {third}}}",
                )
            )
        }
    )
    assert positions(report, RULE) == [(FILE, 4, 9)]
    (finding,) = of_rule(report, RULE)
    assert "under" in finding.message
    assert "99.999999999999999999999%" in finding.message  # exact, not a float's 100.0
    assert "0.000000000000000000001%" in finding.message
    assert where(finding.related) == [(FILE, 9, 32), (FILE, 10, 31), (FILE, 11, 31)]


def test_quiet_when_a_single_split_holds_the_whole_budget(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "budgets.yaml": budget(splits=("{party: ciso, percent: 100}",)),
            "other.yaml": budget("fy27-it-modernisation", splits=("{party: cio, amount: 100000}",)),
        }
    )
    assert of_rule(report, RULE) == []


def test_quiet_when_percent_and_amount_mix_to_exactly_the_budget(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "budgets.yaml": budget(
                amount="1200000", splits=("{party: ciso, percent: 60}", "{party: cio, amount: 480000}")
            )
        }
    )
    assert of_rule(report, RULE) == []


def test_fires_when_percent_and_amount_mix_a_cent_over(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "budgets.yaml": budget(
                amount="1200000", splits=("{party: ciso, percent: 60}", "{party: cio, amount: 480000.01}")
            )
        }
    )
    assert positions(report, RULE) == [(FILE, 4, 9)]
    (finding,) = of_rule(report, RULE)
    assert "over" in finding.message
    assert "USD 0.01" in finding.message
    # the percent and the amount are both related, at their own values
    assert where(finding.related) == [(FILE, 9, 32), (FILE, 10, 30)]


def test_quiet_when_decimal_amounts_add_up_to_a_decimal_budget(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "budgets.yaml": budget(
                amount="1000.10", splits=("{party: ciso, amount: 500.05}", "{party: cio, amount: 500.05}")
            )
        }
    )
    assert of_rule(report, RULE) == []


def test_fires_when_decimal_amounts_fall_a_cent_short(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "budgets.yaml": budget(
                amount="1000.10", splits=("{party: ciso, amount: 500.05}", "{party: cio, amount: 500.04}")
            )
        }
    )
    (finding,) = of_rule(report, RULE)
    assert "under" in finding.message
    assert "USD 0.01" in finding.message
    assert "USD 1,000.10" in finding.message
    # 0.01 of 1000.10 has no finite decimal: the percentage is marked as rounded
    assert "≈" in finding.message


def test_gap_is_given_in_the_budget_currency(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "budgets.yaml": budget(
                amount="1000", currency="JPY", splits=("{party: ciso, percent: 50}", "{party: cio, percent: 49}")
            )
        }
    )
    (finding,) = of_rule(report, RULE)
    assert "under by 1%" in finding.message
    assert "JPY 10" in finding.message


def test_one_finding_per_failing_budget_only(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "a.yaml": budget("fy27-good", splits=("{party: ciso, percent: 60}", "{party: cio, percent: 40}")),
            "b.yaml": budget("fy27-bad", splits=("{party: ciso, percent: 60}", "{party: cio, percent: 60}")),
        }
    )
    assert positions(report, RULE) == [("policies/b.yaml", 4, 9)]
    assert [f.subject for f in of_rule(report, RULE)] == ["fy27-bad"]


def test_a_tiny_percent_is_refused_fast_and_leaves_its_budget_out(check_files: CheckFiles) -> None:
    # Exact arithmetic on 1e-100000 would build 100,000-digit numbers: the schema
    # check refuses it up front instead.
    signal.alarm(5)  # shortens the conftest hang guard, which it replaces
    report = check_files(
        {"budgets.yaml": budget(splits=("{party: ciso, percent: 100}", "{party: cio, percent: 1e-100000}"))}
    )
    signal.alarm(0)
    assert positions(report, "schema") == [(FILE, 10, 31)]
    (finding,) = of_rule(report, "schema")
    assert "has more than 30 decimal places" in finding.message
    assert len(finding.message) < 200
    assert of_rule(report, RULE) == []

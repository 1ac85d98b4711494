from __future__ import annotations

from tests.conftest import CheckFiles, of_rule, positions
from tests.rules._budget_helpers import budget
from tests.rules._helpers import where

RULE = "duplicate-split"
FILE = "policies/budgets.yaml"


def test_fires_at_the_second_split_of_the_party(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "budgets.yaml": budget(
                splits=(
                    "{party: ciso, percent: 40}",
                    "{party: cio, percent: 40}",
                    "{party: ciso, percent: 20}",
                )
            )
        }
    )
    assert positions(report, RULE) == [(FILE, 11, 17)]
    (finding,) = of_rule(report, RULE)
    assert finding.subject == "fy27-security-tooling"
    assert finding.detail == "ciso"
    assert finding.severity.value == "error"
    assert where(finding.related) == [(FILE, 9, 17)]
    assert "'ciso'" in finding.message
    assert "fy27-security-tooling" in finding.message
    # the splits do add up: nothing else to say about them
    assert of_rule(report, "split-total") == []


def test_quiet_when_every_party_splits_once(check_files: CheckFiles) -> None:
    report = check_files({"budgets.yaml": budget(splits=("{party: ciso, percent: 60}", "{party: cio, percent: 40}"))})
    assert of_rule(report, RULE) == []


def test_fires_when_one_share_is_a_percent_and_the_other_an_amount(check_files: CheckFiles) -> None:
    report = check_files({"budgets.yaml": budget(splits=("{party: cio, percent: 60}", "{party: cio, amount: 40000}"))})
    assert positions(report, RULE) == [(FILE, 10, 17)]
    (finding,) = of_rule(report, RULE)
    assert finding.detail == "cio"
    assert where(finding.related) == [(FILE, 9, 17)]


def test_a_third_split_relates_to_the_first(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "budgets.yaml": budget(
                splits=(
                    "{party: ciso, percent: 50}",
                    "{party: ciso, percent: 25}",
                    "{party: ciso, percent: 25}",
                )
            )
        }
    )
    assert positions(report, RULE) == [(FILE, 10, 17), (FILE, 11, 17)]
    assert [where(f.related) for f in of_rule(report, RULE)] == [[(FILE, 9, 17)], [(FILE, 9, 17)]]


def test_quiet_when_the_party_funds_two_different_budgets(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "a.yaml": budget("fy27-security-tooling", splits=("{party: ciso, percent: 100}",)),
            "b.yaml": budget("fy27-it-modernisation", splits=("{party: ciso, percent: 100}",)),
        }
    )
    assert of_rule(report, RULE) == []

"""waiver-too-long: a waiver expiring further ahead than `waivers.max_days` (default 366) from today."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.finding import Severity
from tests.conftest import PARTIES, of_rule, write_tree
from tests.test_waivers import DOUBLE_OWNED, CheckAt, check_at, expires_at, waivers


@pytest.fixture
def at(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CheckAt:
    monkeypatch.chdir(tmp_path)
    return functools.partial(check_at, tmp_path)


def expiring(*dates: str) -> dict[str, str]:
    """The double-owned duty and one waiver of it per date (the first one suppresses it)."""
    entries = [("double-ownership", "sec.incident-response", date) for date in dates]
    return {"duties.yaml": DOUBLE_OWNED, "waivers.yaml": waivers(*entries)}


# 2027 has 365 days: from 2027-01-01, 366 days ahead is 2028-01-02.
TODAY = "2027-01-01"


def test_fires_one_day_past_the_limit_at_expires(at: CheckAt) -> None:
    report = at(expiring("2028-01-03"), TODAY)
    (finding,) = of_rule(report, "waiver-too-long")
    assert finding.severity is Severity.WARNING
    assert finding.subject == "sec.incident-response"
    assert finding.detail == "double-ownership"
    assert finding.location == expires_at(0)
    assert finding.related == ()
    assert finding.message == (
        "the waiver of double-ownership on 'sec.incident-response' runs to 2028-01-03, more than "
        "366 days ahead (waivers.max_days); approve it for a shorter time"
    )
    assert finding.suppressed is False
    # the waiver is still live: its finding stays suppressed
    assert [f.suppressed for f in of_rule(report, "double-ownership")] == [True]
    assert not report.failed(Severity.ERROR)
    assert report.failed(Severity.WARNING)


@pytest.mark.parametrize("expires", ["2028-01-02", "2027-12-31", "2027-01-01"])
def test_quiet_up_to_exactly_the_limit(at: CheckAt, expires: str) -> None:
    report = at(expiring(expires), TODAY)
    assert of_rule(report, "waiver-too-long") == []
    assert [f.suppressed for f in of_rule(report, "double-ownership")] == [True]


def test_the_limit_moves_with_today(at: CheckAt) -> None:
    files = expiring("2028-01-03")
    assert [f.location for f in of_rule(at(files, "2027-01-01"), "waiver-too-long")] == [expires_at(0)]
    assert of_rule(at(files, "2027-01-02"), "waiver-too-long") == []


@pytest.mark.parametrize(("expires", "fires"), [("2027-01-31", False), ("2027-02-01", True)])
def test_max_days_in_raci_yaml(at: CheckAt, expires: str, fires: bool) -> None:
    report = at(expiring(expires), TODAY, config="waivers: {max_days: 30}\n")
    found = of_rule(report, "waiver-too-long")
    assert [f.location for f in found] == ([expires_at(0)] if fires else [])
    if fires:
        assert "more than 30 days ahead" in found[0].message


def test_a_larger_max_days_allows_longer_waivers(at: CheckAt) -> None:
    assert of_rule(at(expiring("2029-12-31"), TODAY, config="waivers: {max_days: 1095}\n"), "waiver-too-long") == []
    assert len(of_rule(at(expiring("2030-01-01"), TODAY, config="waivers: {max_days: 1095}\n"), "waiver-too-long")) == 1


def test_an_unused_waiver_can_also_be_too_long(at: CheckAt) -> None:
    report = at(
        {
            "duties.yaml": DOUBLE_OWNED,
            "waivers.yaml": waivers(("orphaned-duty", "sec.incident-response", "2030-01-01")),
        },
        TODAY,
    )
    assert [f.location for f in of_rule(report, "waiver-too-long")] == [expires_at(0)]
    assert len(of_rule(report, "waiver-unused")) == 1


def test_each_too_long_waiver_is_reported(at: CheckAt) -> None:
    report = at(
        {
            "duties.yaml": DOUBLE_OWNED,
            "waivers.yaml": waivers(
                ("double-ownership", "sec.incident-response", "2030-01-01"),
                ("redundant-role", "sec.incident-response", "2029-01-01"),
            ),
        },
        TODAY,
    )
    assert [(f.location, f.detail) for f in of_rule(report, "waiver-too-long")] == [
        (expires_at(0), "double-ownership"),
        (expires_at(1), "redundant-role"),
    ]


@pytest.mark.parametrize(("level", "expected"), [("error", Severity.ERROR), ("info", Severity.INFO)])
def test_severity_overridden_in_raci_yaml(at: CheckAt, level: str, expected: Severity) -> None:
    report = at(expiring("2030-01-01"), TODAY, config=f"rules: {{waiver-too-long: {level}}}\n")
    assert [(f.severity, f.location) for f in of_rule(report, "waiver-too-long")] == [(expected, expires_at(0))]
    assert report.failed(Severity.ERROR) is (expected is Severity.ERROR)


def test_off_in_raci_yaml(at: CheckAt) -> None:
    report = at(expiring("2030-01-01"), TODAY, config="rules: {waiver-too-long: off}\n")
    assert of_rule(report, "waiver-too-long") == []
    assert [f.suppressed for f in of_rule(report, "double-ownership")] == [True]


def test_a_huge_max_days_is_not_an_internal_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".git").mkdir()
    tree = {f"policies/{name}": text for name, text in expiring("2030-01-01").items()}
    write_tree(tmp_path, {**tree, "policies/parties.yaml": PARTIES, ".raci.yaml": "waivers: {max_days: 3000000}\n"})
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "--today", TODAY], prog_name="raci")
    assert "internal error" not in result.stderr
    # either no limit in practice (the waiver is fine) or the configuration is refused with a reason
    assert result.exit_code in (0, 2)

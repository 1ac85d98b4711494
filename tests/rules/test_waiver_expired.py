"""waiver-expired: a waiver whose last day has passed (checked with a fixed `today`)."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from checker.finding import Severity
from tests.conftest import of_rule
from tests.test_waivers import DOUBLE_OWNED, FINDING_AT, WAIVED, CheckAt, check_at, waiver_at, waivers


@pytest.fixture
def at(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CheckAt:
    monkeypatch.chdir(tmp_path)
    return functools.partial(check_at, tmp_path)


def test_fires_the_day_after_expiry_at_the_waiver(at: CheckAt) -> None:
    report = at(WAIVED, "2027-04-01")
    (finding,) = of_rule(report, "waiver-expired")
    assert finding.severity is Severity.ERROR
    assert finding.subject == "sec.incident-response"
    assert finding.detail == "double-ownership"
    assert finding.location == waiver_at(0)
    assert finding.related == ()
    assert finding.message == (
        "the waiver of double-ownership on 'sec.incident-response' expired on 2027-03-31; "
        "what it waived is reported again"
    )
    assert finding.suppressed is False
    # and what it waived is back, unsuppressed
    (waived,) = of_rule(report, "double-ownership")
    assert (waived.location, waived.suppressed, waived.waiver) == (FINDING_AT, False, None)
    assert report.failed(Severity.ERROR)


@pytest.mark.parametrize("today", ["2027-03-31", "2027-03-30", "2027-01-01"])
def test_quiet_through_the_expiry_day(at: CheckAt, today: str) -> None:
    report = at(WAIVED, today)
    assert of_rule(report, "waiver-expired") == []
    assert [f.suppressed for f in of_rule(report, "double-ownership")] == [True]


def test_the_boundary_across_a_month_and_a_leap_day(at: CheckAt) -> None:
    files = {
        "duties.yaml": DOUBLE_OWNED,
        "waivers.yaml": waivers(("double-ownership", "sec.incident-response", "2028-02-29")),
    }
    assert of_rule(at(files, "2028-02-29"), "waiver-expired") == []
    assert [f.location for f in of_rule(at(files, "2028-03-01"), "waiver-expired")] == [waiver_at(0)]


def test_an_expired_waiver_is_never_also_unused(at: CheckAt) -> None:
    # it matches nothing at all, and is long past
    report = at(
        {
            "duties.yaml": DOUBLE_OWNED,
            "waivers.yaml": waivers(
                ("double-ownership", "sec.incident-response", "2027-03-31"),
                ("orphaned-duty", "sec.no-such-duty", "2026-12-31"),
            ),
        },
        "2027-04-01",
    )
    assert [(f.subject, f.detail, f.location) for f in of_rule(report, "waiver-expired")] == [
        ("sec.incident-response", "double-ownership", waiver_at(0)),
        ("sec.no-such-duty", "orphaned-duty", waiver_at(1)),
    ]
    assert of_rule(report, "waiver-unused") == []


def test_an_expired_waiver_is_never_also_too_long(at: CheckAt) -> None:
    report = at(WAIVED, "2027-04-01", config="waivers: {max_days: 1}\n")
    assert of_rule(report, "waiver-too-long") == []


def test_a_live_waiver_for_the_same_finding_still_suppresses_it(at: CheckAt) -> None:
    report = at(
        {
            "duties.yaml": DOUBLE_OWNED,
            "waivers.yaml": waivers(
                ("double-ownership", "sec.incident-response", "2026-12-31"),
                ("double-ownership", "sec.incident-response", "2027-06-30"),
            ),
        },
        "2027-01-15",
    )
    assert [f.location for f in of_rule(report, "waiver-expired")] == [waiver_at(0)]
    assert [(f.suppressed, f.waiver) for f in of_rule(report, "double-ownership")] == [(True, waiver_at(1))]
    assert of_rule(report, "waiver-unused") == []


@pytest.mark.parametrize(("level", "expected"), [("warning", Severity.WARNING), ("info", Severity.INFO)])
def test_severity_overridden_in_raci_yaml(at: CheckAt, level: str, expected: Severity) -> None:
    report = at(WAIVED, "2027-04-01", config=f"rules: {{waiver-expired: {level}}}\n")
    assert [(f.severity, f.location) for f in of_rule(report, "waiver-expired")] == [(expected, waiver_at(0))]


def test_off_in_raci_yaml_hides_it_but_not_what_it_waived(at: CheckAt) -> None:
    report = at(WAIVED, "2027-04-01", config="rules: {waiver-expired: off}\n")
    assert of_rule(report, "waiver-expired") == []
    assert of_rule(report, "waiver-unused") == []
    assert [f.suppressed for f in of_rule(report, "double-ownership")] == [False]
    assert report.failed(Severity.ERROR)

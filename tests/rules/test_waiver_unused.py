"""waiver-unused: a live waiver that matches no finding (checked with a fixed `today`)."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from checker.finding import Severity
from tests.conftest import of_rule
from tests.test_waivers import DOUBLE_OWNED, WAIVED, CheckAt, check_at, waiver_at, waivers


@pytest.fixture
def at(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CheckAt:
    monkeypatch.chdir(tmp_path)
    return functools.partial(check_at, tmp_path)


def test_fires_for_a_mistyped_subject_at_the_waiver(at: CheckAt) -> None:
    report = at(
        {
            "duties.yaml": DOUBLE_OWNED,
            "waivers.yaml": waivers(("double-ownership", "sec.incident-responce", "2027-03-31")),
        },
        "2027-01-15",
    )
    (finding,) = of_rule(report, "waiver-unused")
    assert finding.severity is Severity.WARNING
    assert finding.subject == "sec.incident-responce"
    assert finding.detail == "double-ownership"
    assert finding.location == waiver_at(0)
    assert finding.related == ()
    assert finding.message == (
        "the waiver of double-ownership on 'sec.incident-responce' matches no finding; remove it or correct it"
    )
    assert finding.suppressed is False
    # the finding it was meant for still fails the run
    assert [f.suppressed for f in of_rule(report, "double-ownership")] == [False]
    assert report.failed(Severity.ERROR)


def test_fires_for_a_rule_that_does_not_exist(at: CheckAt) -> None:
    report = at(
        {
            "duties.yaml": DOUBLE_OWNED,
            "waivers.yaml": waivers(("double-owner", "sec.incident-response", "2027-03-31")),
        },
        "2027-01-15",
    )
    assert [(f.subject, f.detail, f.location) for f in of_rule(report, "waiver-unused")] == [
        ("sec.incident-response", "double-owner", waiver_at(0))
    ]


def test_fires_when_the_problem_was_fixed(at: CheckAt) -> None:
    fixed = DOUBLE_OWNED.replace("accountable: [ciso, cio]", "accountable: ciso\n      consulted: [cio]")
    report = at({"duties.yaml": fixed, "waivers.yaml": WAIVED["waivers.yaml"]}, "2027-01-15")
    assert of_rule(report, "double-ownership") == []
    assert [f.location for f in of_rule(report, "waiver-unused")] == [waiver_at(0)]
    assert not report.failed(Severity.ERROR)
    assert report.failed(Severity.WARNING)


def test_quiet_when_the_waiver_matches(at: CheckAt) -> None:
    assert of_rule(at(WAIVED, "2027-01-15"), "waiver-unused") == []


def test_quiet_on_the_expiry_day_and_replaced_by_expired_after_it(at: CheckAt) -> None:
    files = {
        "duties.yaml": DOUBLE_OWNED,
        "waivers.yaml": waivers(("double-ownership", "sec.no-such-duty", "2027-03-31")),
    }
    assert [f.location for f in of_rule(at(files, "2027-03-31"), "waiver-unused")] == [waiver_at(0)]
    late = at(files, "2027-04-01")
    assert of_rule(late, "waiver-unused") == []
    assert [f.location for f in of_rule(late, "waiver-expired")] == [waiver_at(0)]


def test_the_second_of_two_waivers_for_one_finding_is_unused(at: CheckAt) -> None:
    report = at(
        {
            "duties.yaml": DOUBLE_OWNED,
            "waivers.yaml": waivers(
                ("double-ownership", "sec.incident-response", "2027-03-31"),
                ("double-ownership", "sec.incident-response", "2027-06-30"),
            ),
        },
        "2027-01-15",
    )
    assert [(f.suppressed, f.waiver) for f in of_rule(report, "double-ownership")] == [(True, waiver_at(0))]
    (unused,) = of_rule(report, "waiver-unused")
    assert (unused.location, unused.subject, unused.detail) == (
        waiver_at(1),
        "sec.incident-response",
        "double-ownership",
    )


def test_two_waivers_for_nothing_are_both_unused(at: CheckAt) -> None:
    report = at(
        {
            "duties.yaml": DOUBLE_OWNED,
            "waivers.yaml": waivers(
                ("orphaned-duty", "sec.incident-response", "2027-03-31"),
                ("orphaned-duty", "sec.incident-response", "2027-03-31"),
            ),
        },
        "2027-01-15",
    )
    assert [f.location for f in of_rule(report, "waiver-unused")] == [waiver_at(0), waiver_at(1)]
    # two findings of one rule on one subject are still told apart
    assert len({f.fingerprint for f in of_rule(report, "waiver-unused")}) == 2


@pytest.mark.parametrize(("level", "expected"), [("error", Severity.ERROR), ("info", Severity.INFO)])
def test_severity_overridden_in_raci_yaml(at: CheckAt, level: str, expected: Severity) -> None:
    report = at(
        {
            "duties.yaml": DOUBLE_OWNED,
            "waivers.yaml": waivers(("orphaned-duty", "sec.incident-response", "2027-03-31")),
        },
        "2027-01-15",
        config=f"rules:\n  waiver-unused: {level}\n",
    )
    assert [(f.severity, f.location) for f in of_rule(report, "waiver-unused")] == [(expected, waiver_at(0))]


def test_off_in_raci_yaml(at: CheckAt) -> None:
    report = at(
        {
            "duties.yaml": DOUBLE_OWNED,
            "waivers.yaml": waivers(("orphaned-duty", "sec.incident-response", "2027-03-31")),
        },
        "2027-01-15",
        config="rules:\n  waiver-unused: off\n",
    )
    assert of_rule(report, "waiver-unused") == []
    assert of_rule(report, "schema") == []

"""Waivers applied to a run: what they suppress, until when, and how it is shown.

Every check runs with a fixed `today`; the rules about waivers themselves
(`waiver-expired`, `waiver-unused`, `waiver-too-long`) have their own files
under tests/rules/, which use the helpers defined here.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from checker.cli import main
from checker.config import load_config
from checker.engine import Report, check
from checker.finding import Severity
from tests.conftest import PARTIES, of_rule, write_tree
from tests.rules._helpers import where

# Two accountable parties on one duty: double-ownership at the first claim (ciso, 7:21), cio (7:27) related.
# Every party holds a letter somewhere, so this is the only finding of the set.
DOUBLE_OWNED = """\
apiVersion: raci/v1
kind: Duties
duties:
  - id: sec.incident-response
    title: Lead the response to security incidents
    raci:
      accountable: [ciso, cio]
      responsible: [security-ops]
      informed: [ceo, it-ops]
"""
DUTIES_FILE = "policies/duties.yaml"
WAIVERS_FILE = "policies/waivers.yaml"
FINDING_AT = (DUTIES_FILE, 7, 21)


def waivers(*entries: tuple[str, str, str] | tuple[str, str, str, str]) -> str:
    """A Waivers file; entry i (from 0) has `rule:` at line 4 + 5i, column 11, its approvers on
    line 7 + 5i (the first at column 19) and `expires:` at line 8 + 5i, column 14.

    Each entry is (rule, subject, expires[, approved_by as a flow list]).
    """
    text = "apiVersion: raci/v1\nkind: Waivers\nwaivers:\n"
    for rule, subject, expires, *approvers in entries:
        text += (
            f"  - rule: {rule}\n"
            f"    subject: {subject}\n"
            "    reason: Joint accountability during the 2027 transition\n"
            f"    approved_by: {approvers[0] if approvers else '[cio, ciso]'}\n"
            f"    expires: {expires}\n"
        )
    return text


def waiver_at(index: int) -> tuple[str, int, int]:
    """Where entry `index` of `waivers()` is: its `rule:` value."""
    return (WAIVERS_FILE, 4 + 5 * index, 11)


def expires_at(index: int) -> tuple[str, int, int]:
    return (WAIVERS_FILE, 8 + 5 * index, 14)


def check_at(
    root: Path,
    files: dict[str, str],
    today: str,
    *,
    config: str | None = None,
    parties: bool = True,
) -> Report:
    """Write `files` under `root/policies/` (with PARTIES unless `parties=False`) and check them on `today`.

    `root` is made a repository (a `.git` folder), so paths are relative to it.
    """
    (root / ".git").mkdir(exist_ok=True)
    tree = {f"policies/{name}": text for name, text in files.items()}
    if parties:
        tree.setdefault("policies/parties.yaml", PARTIES)
    if config is not None:
        tree[".raci.yaml"] = config
    write_tree(root, tree)
    return check(config=load_config(cwd=root), today=datetime.date.fromisoformat(today))


CheckAt = Callable[..., Report]


@pytest.fixture
def at(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CheckAt:
    """`check_at` in `tmp_path`, run from there."""
    monkeypatch.chdir(tmp_path)

    def run(files: dict[str, str], today: str, *, config: str | None = None, parties: bool = True) -> Report:
        return check_at(tmp_path, files, today, config=config, parties=parties)

    return run


WAIVED = {
    "duties.yaml": DOUBLE_OWNED,
    "waivers.yaml": waivers(("double-ownership", "sec.incident-response", "2027-03-31")),
}


# --- suppression ------------------------------------------------------------------------------


def test_without_a_waiver_the_finding_fails_the_run(at: CheckAt) -> None:
    report = at({"duties.yaml": DOUBLE_OWNED}, "2027-01-15")
    (finding,) = report.findings
    assert finding.rule == "double-ownership"
    assert finding.location == FINDING_AT
    assert finding.suppressed is False
    assert finding.waiver is None
    assert report.summary() == {"error": 1, "warning": 0, "info": 0, "suppressed": 0}
    assert report.failed(Severity.ERROR)


def test_a_matching_live_waiver_suppresses_the_finding(at: CheckAt) -> None:
    report = at(WAIVED, "2027-01-15")
    (finding,) = report.findings  # kept, and nothing about the waiver itself
    assert finding.rule == "double-ownership"
    assert finding.subject == "sec.incident-response"
    assert finding.suppressed is True
    assert finding.waiver == waiver_at(0)
    # everything else about the finding is as without the waiver
    assert finding.severity is Severity.ERROR
    assert finding.location == FINDING_AT
    assert where(finding.related) == [(DUTIES_FILE, 7, 27)]
    assert finding.detail == "cio,ciso"
    assert report.summary() == {"error": 0, "warning": 0, "info": 0, "suppressed": 1}
    assert not report.failed(Severity.ERROR)
    assert not report.failed(Severity.INFO)


@pytest.mark.parametrize(
    ("today", "suppressed"),
    [
        ("2026-04-01", True),
        ("2027-03-30", True),
        ("2027-03-31", True),  # valid through its expiry day
        ("2027-04-01", False),  # the day after
        ("2028-01-01", False),
    ],
)
def test_a_waiver_is_valid_through_its_expiry_day(at: CheckAt, today: str, suppressed: bool) -> None:
    report = at(WAIVED, today)
    (finding,) = of_rule(report, "double-ownership")
    assert finding.suppressed is suppressed
    assert finding.waiver == (waiver_at(0) if suppressed else None)
    assert finding.location == FINDING_AT
    assert report.failed(Severity.ERROR) is not suppressed
    assert of_rule(report, "waiver-unused") == []
    if suppressed:
        assert of_rule(report, "waiver-expired") == []
        assert report.summary() == {"error": 0, "warning": 0, "info": 0, "suppressed": 1}
    else:
        (expired,) = of_rule(report, "waiver-expired")
        assert expired.severity is Severity.ERROR
        assert expired.subject == "sec.incident-response"
        assert expired.detail == "double-ownership"
        assert expired.location == waiver_at(0)
        assert report.summary() == {"error": 2, "warning": 0, "info": 0, "suppressed": 0}


def test_a_waiver_only_matches_its_rule_and_subject(at: CheckAt) -> None:
    duties = (
        DOUBLE_OWNED
        + """\
  - id: it.patching
    title: Patch servers
    raci:
      accountable: [cio, ciso]
      responsible: [it-ops]
"""
    )
    report = at(
        {
            "duties.yaml": duties,
            "waivers.yaml": waivers(("double-ownership", "sec.incident-response", "2027-03-31")),
        },
        "2027-01-15",
    )
    findings = of_rule(report, "double-ownership")
    assert [(f.subject, f.suppressed) for f in findings] == [
        ("sec.incident-response", True),
        ("it.patching", False),
    ]
    assert report.failed(Severity.ERROR)
    assert report.summary()["suppressed"] == 1


def test_a_waiver_of_another_rule_on_the_subject_suppresses_nothing(at: CheckAt) -> None:
    report = at(
        {
            "duties.yaml": DOUBLE_OWNED,
            "waivers.yaml": waivers(("orphaned-duty", "sec.incident-response", "2027-03-31")),
        },
        "2027-01-15",
    )
    (finding,) = of_rule(report, "double-ownership")
    assert finding.suppressed is False
    assert [f.detail for f in of_rule(report, "waiver-unused")] == ["orphaned-duty"]


def test_a_waiver_covers_every_finding_of_its_rule_on_its_subject(at: CheckAt) -> None:
    duties = """\
        apiVersion: raci/v1
        kind: Duties
        duties:
          - id: sec.incident-response
            title: Lead the response to security incidents
            raci:
              accountable: ciso
              responsible: [security-ops, secops, itops]
              informed: [ceo, it-ops, cio]
        """
    report = at(
        {
            "duties.yaml": duties,
            "waivers.yaml": waivers(("unknown-party", "sec.incident-response", "2027-03-31")),
        },
        "2027-01-15",
    )
    findings = of_rule(report, "unknown-party")
    assert [(f.detail, f.location, f.suppressed, f.waiver) for f in findings] == [
        ("responsible:secops", (DUTIES_FILE, 8, 35), True, waiver_at(0)),
        ("responsible:itops", (DUTIES_FILE, 8, 43), True, waiver_at(0)),
    ]
    assert report.summary()["suppressed"] == 2
    assert of_rule(report, "waiver-unused") == []
    assert not report.failed(Severity.ERROR)


def test_a_waiver_of_a_custom_rule(at: CheckAt) -> None:
    rules = """\
        apiVersion: raci/v1
        kind: Rules
        rules:
          - id: security-embedded
            type: require
            description: Security is consulted on every technology duty
            select: {domain: [it]}
            require: {party: ciso, as: [consulted]}
        """
    duties = """\
        apiVersion: raci/v1
        kind: Duties
        duties:
          - id: it.backup
            title: Back up production data
            domain: it
            raci: {accountable: cio, responsible: [it-ops], informed: [ceo, ciso, security-ops]}
          - id: it.patching
            title: Patch servers
            domain: it
            raci: {accountable: cio, responsible: [it-ops]}
        """
    report = at(
        {
            "duties.yaml": duties,
            "rules.yaml": rules,
            "waivers.yaml": waivers(("security-embedded", "it.backup", "2027-03-31")),
        },
        "2027-01-15",
    )
    assert [(f.subject, f.suppressed, f.waiver) for f in of_rule(report, "security-embedded")] == [
        ("it.backup", True, waiver_at(0)),
        ("it.patching", False, None),
    ]


def test_a_waiver_of_a_separate_rule_covers_every_pair_of_its_left_duty(at: CheckAt) -> None:
    rules = """\
        apiVersion: raci/v1
        kind: Rules
        rules:
          - id: access-sod
            type: separate
            description: Whoever grants access must not approve it
            left: {ids: ["iam.grant-*"]}
            right: {ids: ["iam.approve-*"]}
            letters: [accountable, responsible]
        """
    duties = """\
        apiVersion: raci/v1
        kind: Duties
        duties:
          - id: iam.grant-prod
            title: Grant production access
            raci: {accountable: cio, responsible: [it-ops], informed: [ceo, ciso, security-ops]}
          - id: iam.approve-prod
            title: Approve production access
            raci: {accountable: cio, responsible: [security-ops]}
          - id: iam.approve-dev
            title: Approve development access
            raci: {accountable: cio, responsible: [security-ops]}
        """
    report = at(
        {
            "duties.yaml": duties,
            "rules.yaml": rules,
            "waivers.yaml": waivers(("access-sod", "iam.grant-prod", "2027-03-31")),
        },
        "2027-01-15",
    )
    assert [(f.detail, f.suppressed) for f in of_rule(report, "access-sod")] == [
        ("cio:iam.approve-dev", True),
        ("cio:iam.approve-prod", True),
    ]
    assert report.summary() == {"error": 0, "warning": 0, "info": 0, "suppressed": 2}


def test_a_suppressed_warning_is_counted_as_suppressed(at: CheckAt) -> None:
    duties = """\
        apiVersion: raci/v1
        kind: Duties
        duties:
          - id: it.patching
            title: Patch servers
            raci:
              accountable: cio
              responsible: [it-ops]
              consulted: [it-ops, ciso]
              informed: [ceo, security-ops]
        """
    report = at(
        {"duties.yaml": duties, "waivers.yaml": waivers(("redundant-role", "it.patching", "2027-03-31"))},
        "2027-01-15",
    )
    (finding,) = report.findings
    assert (finding.rule, finding.severity, finding.suppressed) == ("redundant-role", Severity.WARNING, True)
    assert report.summary() == {"error": 0, "warning": 0, "info": 0, "suppressed": 1}
    assert not report.failed(Severity.WARNING)


def test_a_rule_turned_off_leaves_its_waiver_unused(at: CheckAt) -> None:
    report = at(WAIVED, "2027-01-15", config="rules: {double-ownership: off}\n")
    assert of_rule(report, "double-ownership") == []
    assert [f.location for f in of_rule(report, "waiver-unused")] == [waiver_at(0)]


def test_a_severity_override_applies_to_a_suppressed_finding(at: CheckAt) -> None:
    report = at(WAIVED, "2027-01-15", config="rules: {double-ownership: warning}\n")
    (finding,) = report.findings
    assert (finding.severity, finding.suppressed) == (Severity.WARNING, True)
    assert report.summary() == {"error": 0, "warning": 0, "info": 0, "suppressed": 1}


# --- waivers never waive findings about waivers -----------------------------------------------


def test_waivers_never_suppress_waiver_expired(at: CheckAt) -> None:
    report = at(
        {
            "duties.yaml": DOUBLE_OWNED,
            "waivers.yaml": waivers(
                ("double-ownership", "sec.incident-response", "2026-12-31"),
                ("waiver-expired", "sec.incident-response", "2027-06-30"),
            ),
        },
        "2027-01-15",
    )
    (expired,) = of_rule(report, "waiver-expired")
    assert (expired.location, expired.suppressed, expired.waiver) == (waiver_at(0), False, None)
    assert [f.suppressed for f in of_rule(report, "double-ownership")] == [False]
    # the second waiver matched nothing
    (unused,) = of_rule(report, "waiver-unused")
    assert (unused.location, unused.detail, unused.suppressed) == (waiver_at(1), "waiver-expired", False)
    assert report.summary()["suppressed"] == 0


def test_waivers_never_suppress_waiver_unused(at: CheckAt) -> None:
    report = at(
        {
            "duties.yaml": DOUBLE_OWNED,
            "waivers.yaml": waivers(
                ("double-ownership", "sec.incident-responce", "2027-03-31"),
                ("waiver-unused", "sec.incident-responce", "2027-03-31"),
            ),
        },
        "2027-01-15",
    )
    unused = of_rule(report, "waiver-unused")
    assert [(f.location, f.detail, f.suppressed) for f in unused] == [
        (waiver_at(0), "double-ownership", False),
        (waiver_at(1), "waiver-unused", False),
    ]
    assert report.summary()["suppressed"] == 0


def test_waivers_never_suppress_waiver_too_long(at: CheckAt) -> None:
    report = at(
        {
            "duties.yaml": DOUBLE_OWNED,
            "waivers.yaml": waivers(
                ("double-ownership", "sec.incident-response", "2029-01-01"),
                ("waiver-too-long", "sec.incident-response", "2027-06-30"),
            ),
        },
        "2027-01-15",
    )
    (too_long,) = of_rule(report, "waiver-too-long")
    assert (too_long.location, too_long.detail, too_long.suppressed) == (
        expires_at(0),
        "double-ownership",
        False,
    )
    # the first waiver is long, but live: it still suppresses its finding
    assert [f.suppressed for f in of_rule(report, "double-ownership")] == [True]
    (unused,) = of_rule(report, "waiver-unused")
    assert (unused.location, unused.detail) == (waiver_at(1), "waiver-too-long")


# --- approvers -----------------------------------------------------------------------------------


def test_an_unknown_approver_is_an_unknown_party_under_the_waivers_subject(at: CheckAt) -> None:
    report = at(
        {
            "duties.yaml": DOUBLE_OWNED,
            "waivers.yaml": waivers(("double-ownership", "sec.incident-response", "2027-03-31", "[cio, cisco]")),
        },
        "2027-01-15",
    )
    (finding,) = of_rule(report, "unknown-party")
    assert finding.severity is Severity.ERROR
    assert finding.subject == "sec.incident-response"
    assert finding.location == (WAIVERS_FILE, 7, 24)
    assert finding.detail == "approved_by:double-ownership:cisco"
    assert finding.related == ()
    assert "'cisco'" in finding.message
    assert "did you mean 'ciso'?" in finding.message
    assert finding.suppressed is False
    assert report.failed(Severity.ERROR)


def test_known_approvers_are_quiet(at: CheckAt) -> None:
    report = at(WAIVED, "2027-01-15")
    assert of_rule(report, "unknown-party") == []


# --- output ---------------------------------------------------------------------------------------


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), prog_name="raci")


@pytest.fixture
def waived_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """WAIVED as a repository and the current directory."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    write_tree(tmp_path, {"policies/parties.yaml": PARTIES, **{f"policies/{k}": v for k, v in WAIVED.items()}})
    return tmp_path


def test_json_shows_the_suppressed_finding_and_its_waiver(waived_project: Path) -> None:
    result = invoke("check", "--today", "2027-03-31", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["summary"] == {"error": 0, "warning": 0, "info": 0, "suppressed": 1}
    (finding,) = data["findings"]
    assert finding["rule"] == "double-ownership"
    assert finding["severity"] == "error"
    assert finding["subject"] == "sec.incident-response"
    assert (finding["file"], finding["line"], finding["column"]) == FINDING_AT
    assert finding["related"] == [{"file": DUTIES_FILE, "line": 7, "column": 27}]
    assert finding["suppressed"] is True
    assert finding["waiver"] == {"file": WAIVERS_FILE, "line": 4, "column": 11}


def test_json_after_expiry(waived_project: Path) -> None:
    result = invoke("check", "--today", "2027-04-01", "--format", "json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["summary"] == {"error": 2, "warning": 0, "info": 0, "suppressed": 0}
    by_rule = {f["rule"]: f for f in data["findings"]}
    assert set(by_rule) == {"double-ownership", "waiver-expired"}
    assert by_rule["double-ownership"]["suppressed"] is False
    assert "waiver" not in by_rule["double-ownership"]
    expired = by_rule["waiver-expired"]
    assert (expired["file"], expired["line"], expired["column"]) == waiver_at(0)
    assert expired["subject"] == "sec.incident-response"
    assert expired["detail"] == "double-ownership"
    assert expired["severity"] == "error"
    assert expired["suppressed"] is False


def test_text_shows_suppressed_and_where_it_was_waived(waived_project: Path) -> None:
    result = invoke("check", "--today", "2027-03-31")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    first = lines.index(next(line for line in lines if line.startswith("policies/duties.yaml:7:21: ")))
    assert lines[first].startswith("policies/duties.yaml:7:21: suppressed double-ownership ")
    assert lines[first + 1] == "    also at policies/duties.yaml:7:27"
    assert lines[first + 2] == "    waived at policies/waivers.yaml:4:11"
    assert lines[-1].endswith("; 1 suppressed")
    assert "\x1b" not in result.stdout


def test_text_after_expiry_has_no_waived_at_line(waived_project: Path) -> None:
    result = invoke("check", "--today", "2027-04-01")
    assert result.exit_code == 1, result.output
    assert "policies/duties.yaml:7:21: error double-ownership " in result.stdout
    assert "policies/waivers.yaml:4:11: error waiver-expired " in result.stdout
    assert "waived at" not in result.stdout
    assert "suppressed" not in result.stdout


def test_fail_on_info_still_passes_with_only_suppressed_findings(waived_project: Path) -> None:
    assert invoke("check", "--today", "2027-01-15", "--fail-on", "info").exit_code == 0


@pytest.mark.parametrize("bad", ["2027-13-01", "2027-02-30", "tomorrow", "31/03/2027", ""])
def test_an_invalid_today_is_a_usage_error(waived_project: Path, bad: str) -> None:
    result = invoke("check", "--today", bad)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Invalid value for '--today'" in result.stderr
    assert "Traceback" not in result.stderr

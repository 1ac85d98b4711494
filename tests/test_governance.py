"""Governance rules (`require`, `separate`) and waivers, through engine.check."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.config import load_config
from checker.engine import Report, check
from tests.conftest import PARTIES, CheckFiles, of_rule, positions, write_tree

DUTIES = """\
apiVersion: raci/v1
kind: Duties
duties:
  - id: it.asset-inventory
    title: Keep the asset inventory
    domain: it
    tags: [cloud]
    raci: {accountable: cio, responsible: [it-ops], consulted: [ciso]}
  - id: it.backup
    title: Back up production data
    domain: it
    tags: [customer-data]
    raci: {accountable: cio, responsible: [it-ops]}
  - id: prod.release
    title: Release the product
    domain: product
    raci: {accountable: ceo, responsible: [it-ops]}
  - id: sec.monitoring
    title: Monitor alerts
    domain: security
    tags: [cloud, customer-data]
    raci: {accountable: ciso, responsible: [security-ops]}
"""


def require(
    select: str, severity: str = "error", party: str = "ciso", letters: str = "[accountable, consulted]"
) -> str:
    return f"""\
apiVersion: raci/v1
kind: Rules
rules:
  - id: security-embedded
    type: require
    description: Security is consulted on technology duties
    select: {select}
    require: {{party: {party}, as: {letters}}}
    severity: {severity}
"""


def failing(report: Report, rule: str = "security-embedded") -> list[str]:
    return [f.subject for f in of_rule(report, rule)]


@pytest.mark.parametrize(
    ("select", "expected"),
    [
        ("{domain: [it]}", ["it.backup"]),
        ("{domain: [it, product]}", ["it.backup", "prod.release"]),  # values of one key: OR
        ("{tags: [customer-data]}", ["it.backup"]),  # sec.monitoring: the CISO is accountable
        ("{tags: [cloud, customer-data]}", ["it.backup"]),  # any of the tags
        ("{domain: [it], tags: [cloud]}", []),  # keys: AND
        ('{ids: ["it.*"]}', ["it.backup"]),
        ('{ids: ["?t.back*", "prod.release"]}', ["it.backup", "prod.release"]),
        ('{ids: ["[ip]*"], domain: [product]}', ["prod.release"]),
    ],
)
def test_selectors(check_files: CheckFiles, select: str, expected: list[str]) -> None:
    report = check_files({"duties.yaml": DUTIES, "rules.yaml": require(select)})
    assert sorted(failing(report)) == expected


def test_require_finding_is_the_rules_own(check_files: CheckFiles) -> None:
    report = check_files({"duties.yaml": DUTIES, "rules.yaml": require("{domain: [it]}", severity="warning")})
    (finding,) = of_rule(report, "security-embedded")
    assert finding.severity.value == "warning"
    assert positions(report, "security-embedded") == [("policies/duties.yaml", 9, 9)]
    assert [(r.file, r.line, r.column) for r in finding.related] == [("policies/rules.yaml", 4, 9)]
    assert finding.message == (
        "Security is consulted on technology duties: ciso is not accountable or consulted on it.backup"
    )


def test_require_counts_a_claim_from_an_assignments_file(check_files: CheckFiles) -> None:
    assignment = "apiVersion: raci/v1\nkind: Assignments\nassignments:\n  - {duty: it.backup, consulted: ciso}\n"
    report = check_files({"duties.yaml": DUTIES, "rules.yaml": require("{domain: [it]}"), "a.yaml": assignment})
    assert failing(report) == []


def test_severity_off_in_the_rule_and_overrides_in_the_config(check_files: CheckFiles) -> None:
    assert failing(check_files({"duties.yaml": DUTIES, "rules.yaml": require("{domain: [it]}", "off")})) == []
    report = check_files(
        {"duties.yaml": DUTIES, "rules.yaml": require("{domain: [it]}")},
        config="rules: {security-embedded: info}\n",
    )
    assert [f.severity.value for f in of_rule(report, "security-embedded")] == ["info"]
    report = check_files(
        {"duties.yaml": DUTIES, "rules.yaml": require("{domain: [it]}")}, config="rules: {security-embedded: off}\n"
    )
    assert failing(report) == []


SOD = """\
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


def iam(duty: str, raci: str) -> str:
    return f"apiVersion: raci/v1\nkind: Duties\nduties:\n  - id: {duty}\n    title: {duty}\n    raci: {raci}\n"


def test_separate_across_two_files(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "grant.yaml": iam("iam.grant-access", "{accountable: cio, responsible: [it-ops]}"),
            "approve.yaml": iam("iam.approve-access", "{accountable: ciso, responsible: [cio]}"),
            "rules.yaml": SOD,
        }
    )
    (finding,) = of_rule(report, "access-sod")
    assert finding.subject == "iam.grant-access"
    assert (finding.location.file, finding.location.line, finding.location.column) == ("policies/grant.yaml", 6, 25)
    assert [(r.file, r.line, r.column) for r in finding.related] == [("policies/approve.yaml", 6, 45)]
    assert finding.detail == "cio:iam.approve-access"
    assert "cio is accountable on iam.grant-access and responsible on iam.approve-access" in finding.message


def test_separate_is_quiet_for_other_parties_and_other_letters(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "grant.yaml": iam("iam.grant-access", "{accountable: cio, responsible: [it-ops]}"),
            "approve.yaml": iam(
                "iam.approve-access", "{accountable: ciso, responsible: [security-ops], consulted: [cio]}"
            ),
            "rules.yaml": SOD,
        }
    )
    assert of_rule(report, "access-sod") == []


def test_rule_unused_and_a_builtin_name(check_files: CheckFiles) -> None:
    rules = require("{domain: [procurement]}").replace("security-embedded", "double-ownership")
    report = check_files({"duties.yaml": DUTIES, "rules.yaml": rules})
    assert [f.subject for f in of_rule(report, "duplicate-id")] == ["double-ownership"]
    assert [(f.subject, f.detail) for f in of_rule(report, "rule-unused")] == [("double-ownership", "select")]


WAIVER = """\
apiVersion: raci/v1
kind: Waivers
waivers:
  - rule: security-embedded
    subject: it.backup
    reason: Backups move to the security-owned vault in Q2
    approved_by: [cio, ciso]
    expires: {expires}
"""


def run_on(tmp_path: Path, files: dict[str, str], today: str, config: str | None = None) -> Report:
    (tmp_path / ".git").mkdir(exist_ok=True)
    tree = {"policies/parties.yaml": PARTIES, **{f"policies/{k}": v for k, v in files.items()}}
    if config:
        tree[".raci.yaml"] = config
    write_tree(tmp_path, tree)
    return check(config=load_config(cwd=tmp_path), today=datetime.date.fromisoformat(today))


@pytest.mark.parametrize(("today", "suppressed"), [("2027-03-31", True), ("2027-04-01", False)])
def test_a_waiver_holds_through_its_expiry_day(tmp_path: Path, today: str, suppressed: bool) -> None:
    files = {
        "duties.yaml": DUTIES,
        "rules.yaml": require("{domain: [it]}"),
        "w.yaml": WAIVER.format(expires="2027-03-31"),
    }
    report = run_on(tmp_path, files, today)
    (finding,) = of_rule(report, "security-embedded")
    assert finding.suppressed is suppressed
    assert report.failed(load_config(cwd=tmp_path).fail_on) is not suppressed
    expired = of_rule(report, "waiver-expired")
    assert [(f.subject, f.detail, f.location.line) for f in expired] == (
        [] if suppressed else [("it.backup", "security-embedded", 4)]
    )
    assert of_rule(report, "waiver-unused") == []
    if suppressed:
        assert finding.waiver is not None
        assert (finding.waiver.file, finding.waiver.line, finding.waiver.column) == ("policies/w.yaml", 4, 11)
        assert report.summary()["suppressed"] == 1


def test_unused_and_too_long_waivers(tmp_path: Path) -> None:
    # 2027-01-01 + 366 days is 2028-01-02: one day further is too long.
    files = {"duties.yaml": DUTIES, "w.yaml": WAIVER.format(expires="2028-01-03")}
    report = run_on(tmp_path, files, "2027-01-01")
    assert [(f.subject, f.severity.value) for f in of_rule(report, "waiver-unused")] == [("it.backup", "warning")]
    (too_long,) = of_rule(report, "waiver-too-long")
    assert (too_long.location.line, too_long.location.column) == (8, 14)  # at `expires`
    assert not of_rule(run_on(tmp_path, files, "2027-01-01", config="waivers: {max_days: 367}\n"), "waiver-too-long")
    exactly = {"duties.yaml": DUTIES, "w.yaml": WAIVER.format(expires="2028-01-02")}
    assert not of_rule(run_on(tmp_path, exactly, "2027-01-01"), "waiver-too-long")


def test_cli_today_and_json_waiver(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {
        "duties.yaml": DUTIES,
        "rules.yaml": require("{domain: [it]}"),
        "w.yaml": WAIVER.format(expires="2027-03-31"),
    }
    run_on(tmp_path, files, "2027-01-01")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "--today", "2027-01-01", "--format", "json"])
    assert result.exit_code == 0, result.output
    (finding,) = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "security-embedded"]
    assert finding["suppressed"] is True
    assert finding["waiver"] == {"file": "policies/w.yaml", "line": 4, "column": 11}
    late = CliRunner().invoke(main, ["check", "--today", "2027-04-01"])
    assert late.exit_code == 1
    assert "waiver-expired" in late.stdout
    assert CliRunner().invoke(main, ["check", "--today", "2027-13-01"]).exit_code == 2


def test_rules_and_explain_know_custom_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run_on(tmp_path, {"duties.yaml": DUTIES, "rules.yaml": require("{domain: [it]}")}, "2027-01-01")
    monkeypatch.chdir(tmp_path)
    listed = CliRunner().invoke(main, ["rules"])
    assert listed.exit_code == 0
    assert "security-embedded" in listed.stdout
    assert "double-ownership" in listed.stdout
    explained = CliRunner().invoke(main, ["explain", "security-embedded"])
    assert explained.exit_code == 0, explained.output
    assert "Failing example" in explained.stdout
    assert "Passing example" in explained.stdout


@pytest.mark.parametrize("rule", ["require", "separate"])
def test_explained_examples_really_fail_and_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rule: str) -> None:
    """The documentation `raci explain` writes for a custom rule is checked against the rule itself."""
    rules = require("{domain: [it]}") if rule == "require" else SOD
    rule_id = "security-embedded" if rule == "require" else "access-sod"
    parties = PARTIES + "".join(
        f"  - {{id: {p}, name: {p}, type: team}}\n" for p in ("someone-else", "a-team", "team-a", "team-b")
    )
    run_on(tmp_path, {"rules.yaml": rules, "parties.yaml": parties}, "2027-01-01")
    monkeypatch.chdir(tmp_path)
    text = CliRunner().invoke(main, ["explain", rule_id]).stdout
    failing = text.split("Failing example::\n\n", 1)[1].split("\n\nPassing example::", 1)[0]
    passing = text.split("Passing example::\n\n", 1)[1]
    for example, fires in ((failing, True), (passing, False)):
        duties = "apiVersion: raci/v1\nkind: Duties\n" + "\n".join(line[4:] for line in example.splitlines()) + "\n"
        report = run_on(tmp_path, {"rules.yaml": rules, "parties.yaml": parties, "duties.yaml": duties}, "2027-01-01")
        assert bool(of_rule(report, rule_id)) is fires, (example, report.findings)

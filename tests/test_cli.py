"""The `raci` command: exit status, output formats, the informational commands, and real runs."""

from __future__ import annotations

import json
import os
import re
import select
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from checker import __version__
from checker.cli import main
from checker.registry import RULES, documentation
from tests.conftest import PARTIES, write_tree

REPO = Path(__file__).resolve().parents[1]
ESCAPE = "\x1b"

CLEAN_DUTIES = """\
apiVersion: raci/v1
kind: Duties
duties:
  - id: sec.incident-response
    title: Lead the response to security incidents
    raci:
      accountable: ciso
      responsible: [security-ops]
      consulted: [cio]
      informed: [ceo, it-ops]
"""

# Line 7 names two accountable parties: the finding is at the first claim (ciso, 7:21), the other (cio, 7:27) related.
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

# it-ops is both responsible and consulted: one redundant-role warning and nothing worse.
WARNINGS_ONLY = """\
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

FINDING_LINE = re.compile(
    r"^(?P<file>[^:\s]+):(?P<line>\d+):(?P<column>\d+): (?P<severity>error|warning|info) (?P<rule>[a-z0-9-]+) \S"
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty repository (a folder with `.git`) as the current directory; env without colour hints."""
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("RACI_DEBUG", raising=False)
    return tmp_path


def policies(root: Path, duties: str) -> Path:
    return write_tree(root, {"policies/parties.yaml": PARTIES, "policies/duties.yaml": duties})


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), prog_name="raci")


def no_traceback(result: Result) -> None:
    assert "Traceback" not in result.stdout
    assert "Traceback" not in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def usage_error(result: Result) -> str:
    """Exit 2 with one `raci: error:` line on stderr; returns that line."""
    no_traceback(result)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("raci: error: ")
    return lines[0]


def as_json(result: Result) -> Any:
    return json.loads(result.stdout)


def run(args: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The installed command in a real process."""
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "RACI_DEBUG")}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "checker", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


# --- raci check: text ------------------------------------------------------------------------


def test_clean_set_exits_0(project: Path) -> None:
    policies(project, CLEAN_DUTIES)
    result = invoke("check")
    no_traceback(result)
    assert result.exit_code == 0, result.output
    last = result.stdout.splitlines()[-1]
    assert last.startswith("checked 2 files: 5 parties, 1 duty;")
    assert last.endswith("no problems found")
    assert result.stderr == ""


def test_findings_exit_1_with_lines_and_a_summary_table(project: Path) -> None:
    policies(project, DOUBLE_OWNED)
    result = invoke("check")
    no_traceback(result)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    matches = [m for m in map(FINDING_LINE.match, lines) if m]
    assert [(m["file"], m["line"], m["column"], m["severity"], m["rule"]) for m in matches] == [
        ("policies/duties.yaml", "7", "21", "error", "double-ownership")
    ]
    assert "    also at policies/duties.yaml:7:27" in lines
    header = next(i for i, line in enumerate(lines) if line.split() == ["rule", "severity", "findings"])
    assert lines[header + 2].split() == ["double-ownership", "error", "1"]
    assert lines[-1] == "checked 2 files: 5 parties, 1 duty; 1 error"


ONE_OF_EACH = """\
apiVersion: raci/v1
kind: Parties
parties:
  - {id: ciso, name: Chief Information Security Officer, type: role}
---
apiVersion: raci/v1
kind: Duties
duties:
  - {id: sec.incident-response, title: Lead the response to security incidents, raci: {accountable: ciso}}
---
apiVersion: raci/v1
kind: Assignments
assignments:
  - {duty: sec.incident-response, responsible: ciso}
---
apiVersion: raci/v1
kind: Budgets
pools:
  - {id: fy27-capex, amount: 100, currency: USD, period: FY2027}
budgets:
  - id: fy27-security
    pool: fy27-capex
    amount: 100
    currency: USD
    period: FY2027
    funds: [sec.incident-response]
    splits: [{party: ciso, percent: 100}]
---
apiVersion: raci/v1
kind: Rules
rules:
  - id: security-consulted
    type: require
    description: The CISO is consulted on every security duty
    select: {ids: ["sec.*"]}
    require: {party: ciso, as: [consulted]}
---
apiVersion: raci/v1
kind: Waivers
waivers:
  - {rule: security-consulted, subject: sec.incident-response, reason: R, approved_by: [ciso], expires: 2027-03-31}
"""


def test_footer_counts_one_of_each_in_the_singular(project: Path) -> None:
    write_tree(project, {"policies/all.yaml": ONE_OF_EACH})
    result = invoke("check", "--today", "2027-01-01")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == (
        "checked 1 file: 1 party, 1 duty, 1 assignment, 1 budget, 1 pool, 1 rule, 1 waiver; 1 suppressed"
    )


def test_paths_argument_checks_those_paths(project: Path) -> None:
    write_tree(project, {"elsewhere/parties.yaml": PARTIES, "elsewhere/duties.yaml": CLEAN_DUTIES})
    result = invoke("check", "elsewhere")
    assert result.exit_code == 0, result.output
    one = invoke("check", "elsewhere/parties.yaml")
    assert one.exit_code == 0, one.output
    assert one.stdout.splitlines()[-1].startswith("checked 1 file: 5 parties")


def test_paths_are_relative_to_the_repository_root(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    policies(project, DOUBLE_OWNED)
    (project / "sub" / "deeper").mkdir(parents=True)
    monkeypatch.chdir(project / "sub" / "deeper")
    data = as_json(invoke("check", "../../policies", "--format", "json"))
    assert {f["file"] for f in data["findings"]} == {"policies/duties.yaml"}
    text = invoke("check", "../../policies/duties.yaml", "../../policies/parties.yaml")
    assert text.stdout.startswith("policies/duties.yaml:7:21: error double-ownership ")


def test_paths_outside_a_repository_are_relative_to_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from checker.config import repository_root

    if repository_root(tmp_path) is not None:
        pytest.skip("the temporary folder is inside a git repository")
    policies(tmp_path, DOUBLE_OWNED)
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    data = as_json(invoke("check", "../policies", "--format", "json"))
    assert {f["file"] for f in data["findings"]} == {"../policies/duties.yaml"}


def test_no_policy_files_exits_2(project: Path) -> None:
    line = usage_error(invoke("check"))
    assert "no policy files found under" in line
    (project / "empty").mkdir()
    assert "no policy files found under" in usage_error(invoke("check", "empty"))


def test_missing_path_exits_2(project: Path) -> None:
    policies(project, CLEAN_DUTIES)
    line = usage_error(invoke("check", "not-there"))
    assert "not-there" in line


def test_bad_config_exits_2_with_one_line(project: Path) -> None:
    policies(project, CLEAN_DUTIES)
    write_tree(project, {".raci.yaml": "polices: [x]\n"})
    line = usage_error(invoke("check"))
    assert ".raci.yaml" in line
    assert "polices" in line


def test_config_with_unknown_rule_is_a_finding_and_exits_1(project: Path) -> None:
    policies(project, CLEAN_DUTIES)
    write_tree(project, {".raci.yaml": "rules: {nope-rule: off}\n"})
    result = invoke("check")
    no_traceback(result)
    assert result.exit_code == 1, result.output
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == (
        ".raci.yaml:1:9: error schema rules: 'nope-rule' is not a built-in or custom rule; its severity is unused"
    )
    assert lines[-1] == "checked 2 files: 5 parties, 1 duty; 1 error"


def test_config_option(project: Path) -> None:
    policies(project, WARNINGS_ONLY)
    write_tree(project, {"ci/strict.yaml": "policies: [../policies]\nfail_on: warning\n"})
    assert invoke("check").exit_code == 0
    assert invoke("check", "--config", "ci/strict.yaml").exit_code == 1
    assert "missing.yaml" in usage_error(invoke("check", "--config", "missing.yaml"))


def test_unknown_format_exits_2(project: Path) -> None:
    policies(project, CLEAN_DUTIES)
    result = invoke("check", "--format", "xml")
    no_traceback(result)
    assert result.exit_code == 2
    assert "xml" in result.stderr


def test_unknown_option_and_command_exit_2(project: Path) -> None:
    for args in (["check", "--nope"], ["nope"], ["check", "--fail-on", "never"]):
        result = invoke(*args)
        no_traceback(result)
        assert result.exit_code == 2, args


def test_collection_as_kind_is_a_finding_not_an_internal_error(project: Path) -> None:
    write_tree(
        project, {"policies/parties.yaml": PARTIES, "policies/odd.yaml": "apiVersion: raci/v1\nkind: [Duties]\n"}
    )
    result = invoke("check")
    no_traceback(result)
    assert "internal error" not in result.stderr
    assert result.exit_code == 1
    assert "policies/odd.yaml:2:7: error schema " in result.stdout


@pytest.mark.skipif(sys.platform != "linux", reason="file names that are not UTF-8")
def test_file_names_are_printable_in_every_format(project: Path) -> None:
    folder = project / "policies"
    folder.mkdir()
    for name in (b"bad\nname.yaml", b"caf\xe9.yaml"):
        (folder / os.fsdecode(name)).write_bytes(b"a: [1\n")
    shown = ["policies/bad\\nname.yaml", "policies/caf\\xe9.yaml"]
    message = "did not find expected ',' or ']' (while parsing a flow sequence at line 1, column 4)"

    text = invoke("check")
    no_traceback(text)
    assert text.exit_code == 1
    assert text.stdout.splitlines()[:2] == [f"{name}:2:1: error yaml-syntax {message}" for name in shown]

    data = invoke("check", "--format", "json")
    no_traceback(data)
    assert data.exit_code == 1
    assert [(f["file"], f["subject"]) for f in as_json(data)["findings"]] == [(name, name) for name in shown]


# --- raci check: json ------------------------------------------------------------------------

FINDING_KEYS = {
    "rule": str,
    "severity": str,
    "subject": str,
    "message": str,
    "file": str,
    "line": int,
    "column": int,
    "related": list,
    "fingerprint": str,
    "suppressed": bool,
}


def test_json_shape(project: Path) -> None:
    policies(project, DOUBLE_OWNED)
    result = invoke("check", "--format", "json")
    no_traceback(result)
    assert result.exit_code == 1
    data = as_json(result)
    assert data["version"] == 1
    assert data["summary"] == {"error": 1, "warning": 0, "info": 0, "suppressed": 0}
    (finding,) = data["findings"]
    for key, kind in FINDING_KEYS.items():
        assert isinstance(finding[key], kind), key
    assert finding["rule"] == "double-ownership"
    assert finding["severity"] == "error"
    assert finding["subject"] == "sec.incident-response"
    assert (finding["file"], finding["line"], finding["column"]) == ("policies/duties.yaml", 7, 21)
    assert finding["related"] == [{"file": "policies/duties.yaml", "line": 7, "column": 27}]
    assert re.fullmatch(r"[0-9a-f]{16,}", finding["fingerprint"])
    assert finding["suppressed"] is False


def test_json_clean_set(project: Path) -> None:
    policies(project, CLEAN_DUTIES)
    result = invoke("check", "--format", "json")
    assert result.exit_code == 0
    data = as_json(result)
    assert data["version"] == 1
    assert data["findings"] == []
    assert data["summary"] == {"error": 0, "warning": 0, "info": 0, "suppressed": 0}


def test_json_counts_warnings_and_infos(project: Path) -> None:
    write_tree(
        project,
        {
            "policies/parties.yaml": PARTIES,
            "policies/duties.yaml": WARNINGS_ONLY.replace("informed: [ceo, security-ops]", "informed: [ceo]"),
        },
    )
    data = as_json(invoke("check", "--format", "json"))
    assert data["summary"] == {"error": 0, "warning": 1, "info": 1, "suppressed": 0}
    assert sorted((f["rule"], f["severity"]) for f in data["findings"]) == [
        ("idle-party", "info"),
        ("redundant-role", "warning"),
    ]


def test_fingerprints_are_stable_and_ignore_line_moves(project: Path) -> None:
    policies(project, DOUBLE_OWNED)
    first = as_json(invoke("check", "--format", "json"))["findings"]
    second = as_json(invoke("check", "--format", "json"))["findings"]
    assert first == second
    (finding,) = first
    path = project / finding["file"]
    lines = path.read_text().splitlines(keepends=True)
    lines.insert(finding["line"] - 1, "\n")  # a blank line right above the finding
    path.write_text("".join(lines))
    (moved,) = as_json(invoke("check", "--format", "json"))["findings"]
    assert moved["line"] == finding["line"] + 1
    assert moved["fingerprint"] == finding["fingerprint"]


def test_fingerprints_tell_findings_apart(project: Path) -> None:
    policies(project, CLEAN_DUTIES.replace("consulted: [cio]", "consulted: [cio, nobody, noone]"))
    data = as_json(invoke("check", "--format", "json"))
    unknown = [f for f in data["findings"] if f["rule"] == "unknown-party"]
    assert [(f["subject"], f["line"], f["column"]) for f in unknown] == [
        ("sec.incident-response", 9, 24),
        ("sec.incident-response", 9, 32),
    ]
    assert unknown[0]["fingerprint"] != unknown[1]["fingerprint"]


# --- fail level ------------------------------------------------------------------------------


def test_fail_on(project: Path) -> None:
    policies(project, WARNINGS_ONLY)
    assert invoke("check").exit_code == 0
    assert invoke("check", "--fail-on", "error").exit_code == 0
    assert invoke("check", "--fail-on", "warning").exit_code == 1
    assert invoke("check", "--fail-on", "info").exit_code == 1


def test_fail_on_from_config_and_option_overrides_it(project: Path) -> None:
    policies(project, WARNINGS_ONLY)
    write_tree(project, {".raci.yaml": "fail_on: warning\n"})
    assert invoke("check").exit_code == 1
    assert invoke("check", "--fail-on", "error").exit_code == 0


# --- informational commands ------------------------------------------------------------------


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"raci {__version__}"


def test_rules_lists_every_rule_with_its_severity() -> None:
    result = invoke("rules")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    for name, rule in RULES.items():
        pattern = re.compile(rf"^{re.escape(name)}\s+{rule.SEVERITY.value}\s")
        assert any(pattern.match(line) for line in lines), name


def test_explain() -> None:
    result = invoke("explain", "double-ownership")
    assert result.exit_code == 0
    assert documentation(RULES["double-ownership"]) in result.stdout
    assert "Failing example" in result.stdout
    assert "Passing example" in result.stdout
    assert "error" in result.stdout.splitlines()[0]


def test_explain_unknown_rule() -> None:
    line = usage_error(invoke("explain", "nope"))
    assert "'nope'" in line
    assert "raci rules" in line
    typo = usage_error(invoke("explain", "double-ownershp"))
    assert "did you mean 'double-ownership'?" in typo


def test_schema_duties_is_the_repository_file() -> None:
    result = invoke("schema", "duties")
    assert result.exit_code == 0
    text = (REPO / "schemas" / "duties.schema.json").read_text(encoding="utf-8")
    assert json.loads(result.stdout) == json.loads(text)
    assert result.stdout == text


def test_schema_config() -> None:
    result = invoke("schema", "config")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["$id"].endswith("config")


def test_schema_kind_is_case_insensitive() -> None:
    result = invoke("schema", "Parties")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["title"]


def test_schema_unknown_kind() -> None:
    line = usage_error(invoke("schema", "nope"))
    assert "'nope'" in line
    assert "duties" in line


def test_help() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    for command in ("check", "rules", "explain", "schema"):
        assert command in result.stdout


# --- colour ----------------------------------------------------------------------------------


def test_no_escape_sequences_when_not_a_terminal(project: Path) -> None:
    policies(project, WARNINGS_ONLY.replace("accountable: cio", "accountable: [cio, ciso]"))
    for args in (["check"], ["check", "--format", "json"], ["rules"], ["explain", "schema"]):
        result = invoke(*args)
        assert ESCAPE not in result.output, args


def _run_on_terminal(args: Sequence[str], cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    import pty

    master, slave = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    environment.update(env)
    process = subprocess.Popen(
        [sys.executable, "-m", "checker", *args],
        cwd=cwd,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=slave,
    )
    os.close(slave)
    chunks = []
    try:
        while True:
            ready, _, _ = select.select([master], [], [], 60)
            if not ready:
                break
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(master)
        status = process.wait(timeout=60)
    return status, b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_colour_only_on_a_terminal_and_never_with_no_color(project: Path) -> None:
    policies(project, DOUBLE_OWNED)
    status, coloured = _run_on_terminal(["check"], project, {})
    assert status == 1
    assert ESCAPE in coloured
    status, plain = _run_on_terminal(["check"], project, {"NO_COLOR": "1"})
    assert status == 1
    assert ESCAPE not in plain
    assert "error double-ownership" in plain


# --- real processes --------------------------------------------------------------------------


def test_subprocess_clean_set_and_findings(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    policies(tmp_path, CLEAN_DUTIES)
    clean = run(["check"], tmp_path)
    assert clean.returncode == 0, clean.stderr
    assert clean.stdout.rstrip("\n").endswith("no problems found")
    assert clean.stderr == ""

    policies(tmp_path, DOUBLE_OWNED)
    failing = run(["check", "--format", "json"], tmp_path, {"NO_COLOR": "1"})
    assert failing.returncode == 1
    data = json.loads(failing.stdout)
    assert [(f["rule"], f["file"], f["line"], f["column"]) for f in data["findings"]] == [
        ("double-ownership", "policies/duties.yaml", 7, 21)
    ]
    assert ESCAPE not in failing.stdout


def test_subprocess_errors_exit_2_without_traceback(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    nothing = run(["check"], tmp_path)
    assert nothing.returncode == 2
    assert nothing.stdout == ""
    assert nothing.stderr.startswith("raci: error: no policy files found under")
    missing = run(["check", "nowhere"], tmp_path)
    assert missing.returncode == 2
    write_tree(tmp_path, {".raci.yaml": "fail_on: [\n", "policies/parties.yaml": PARTIES})
    bad_config = run(["check"], tmp_path)
    assert bad_config.returncode == 2
    assert bad_config.stderr.count("\n") == 1
    assert bad_config.stderr.startswith("raci: error: .raci.yaml:")
    for result in (nothing, missing, bad_config):
        assert "Traceback" not in result.stdout + result.stderr


def test_subprocess_version(tmp_path: Path) -> None:
    result = run(["--version"], tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == f"raci {__version__}"


# The examples' waivers expire on fixed dates: the tests check them on a fixed day.
EXAMPLES_TODAY = "2026-12-01"


def test_repository_policies_are_clean() -> None:
    result = run(["check", "--today", EXAMPLES_TODAY, "--fail-on", "info", "--format", "json"], REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    summary = json.loads(result.stdout)["summary"]
    assert (summary["error"], summary["warning"], summary["info"]) == (0, 0, 0)


def test_repository_broken_example_fires_every_rule() -> None:
    result = run(["check", "examples/broken", "--format", "json", "--today", EXAMPLES_TODAY], REPO)
    assert result.returncode == 1, result.stderr
    data = json.loads(result.stdout)
    fired = {f["rule"] for f in data["findings"]}
    assert set(RULES) - fired == set()
    assert all(not Path(f["file"]).is_absolute() and f["file"].startswith("examples/broken/") for f in data["findings"])


def test_a_reader_that_stops_early_is_not_an_error(tmp_path: Path) -> None:
    # `raci check | head -1`: the output is far larger than a pipe holds, and the
    # reader leaves after one line; raci must exit quietly, without a traceback.
    duties = "".join(f"  - {{id: d.{i:05d}, title: Duty {i}}}\n" for i in range(3000))
    write_tree(tmp_path, {"policies/duties.yaml": f"apiVersion: raci/v1\nkind: Duties\nduties:\n{duties}"})
    (tmp_path / ".git").mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "checker", "check"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()
    errors = process.stderr.read().decode()
    process.stderr.close()
    process.wait(timeout=60)
    assert b"orphaned-duty" in first or b"no-responsible" in first
    assert errors == ""
    assert process.returncode == 1  # the findings still decide the status

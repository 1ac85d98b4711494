"""checker.config.load_config: lookup, paths, settings, and every way a configuration can be refused."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from checker.config import CONFIG_NAME, ConfigError, load_config, repository_root
from checker.engine import check
from checker.finding import Severity
from checker.loader import MIB
from tests.conftest import PARTIES, of_rule, write_tree

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


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository root (a folder with `.git`) inside tmp_path, as the current directory."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    monkeypatch.chdir(root)
    return root


def config_error(root: Path, text: str) -> str:
    write_tree(root, {CONFIG_NAME: text})
    with pytest.raises(ConfigError) as caught:
        load_config(cwd=root)
    message = str(caught.value)
    assert "\n" not in message
    assert CONFIG_NAME in message
    return message


# --- lookup ----------------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_given_as_the_config_is_refused_without_waiting(repo: Path) -> None:
    os.mkfifo(repo / "settings.yaml")
    with pytest.raises(ConfigError, match=r"settings\.yaml: not a regular file"):
        load_config(Path("settings.yaml"), cwd=repo)  # opening it to read would wait for a writer


@pytest.mark.parametrize("kind", ["folder", "dangling link"])
def test_a_config_name_that_is_not_a_file_is_refused(repo: Path, kind: str) -> None:
    if kind == "folder":
        (repo / CONFIG_NAME).mkdir()
    else:
        (repo / CONFIG_NAME).symlink_to(repo / "gone.yaml")
    with pytest.raises(ConfigError, match="not a regular file"):
        load_config(cwd=repo)


def test_defaults_without_a_config(repo: Path) -> None:
    config = load_config(cwd=repo)
    assert config.file is None
    assert config.policies == (repo / "policies",)
    assert config.severities == {}
    assert config.fail_on is Severity.ERROR
    assert config.waiver_max_days == 366
    assert config.limits.max_file_bytes == 32 * MIB
    assert config.limits.max_depth == 64


def test_lookup_from_a_subfolder_upwards(repo: Path) -> None:
    write_tree(repo, {CONFIG_NAME: "fail_on: warning\n"})
    deeper = repo / "a" / "b" / "c"
    deeper.mkdir(parents=True)
    config = load_config(cwd=deeper)
    assert config.file == repo / CONFIG_NAME
    assert config.fail_on is Severity.WARNING
    # Policy folders are relative to the config file, not to the current directory.
    assert config.policies == (repo / "policies",)


def test_nearest_config_wins(repo: Path) -> None:
    write_tree(repo, {CONFIG_NAME: "fail_on: warning\n", f"a/{CONFIG_NAME}": "fail_on: info\n"})
    (repo / "a" / "b").mkdir()
    config = load_config(cwd=repo / "a" / "b")
    assert config.file == repo / "a" / CONFIG_NAME
    assert config.fail_on is Severity.INFO


def test_lookup_stops_at_the_repository_root(tmp_path: Path, repo: Path) -> None:
    # A configuration above the repository belongs to someone else.
    write_tree(tmp_path, {CONFIG_NAME: "fail_on: info\n"})
    (repo / "sub").mkdir()
    config = load_config(cwd=repo / "sub")
    assert config.file is None
    assert config.fail_on is Severity.ERROR
    assert config.policies == (repo / "sub" / "policies",)


def test_git_file_marks_a_worktree_root(tmp_path: Path) -> None:
    outer = tmp_path / "outer"
    worktree = outer / "wt"
    worktree.mkdir(parents=True)
    (worktree / ".git").write_text("gitdir: /elsewhere\n")
    write_tree(outer, {CONFIG_NAME: "fail_on: info\n"})
    assert repository_root(worktree / "x" / "y") == worktree
    assert load_config(cwd=worktree).file is None


def test_lookup_outside_any_repository_is_the_current_folder_only(tmp_path: Path) -> None:
    if repository_root(tmp_path) is not None:
        pytest.skip("the temporary folder is inside a git repository")
    # A stray file in a home or temporary folder must not take over the runs below it.
    write_tree(tmp_path, {CONFIG_NAME: "fail_on: info\n", f"x/{CONFIG_NAME}": "fail_on: warning\n"})
    inner = tmp_path / "x" / "y"
    inner.mkdir(parents=True)
    config = load_config(cwd=inner)
    assert config.file is None
    assert config.fail_on is Severity.ERROR
    assert config.policies == (inner / "policies",)
    here = load_config(cwd=tmp_path / "x")
    assert here.file == tmp_path / "x" / CONFIG_NAME
    assert here.fail_on is Severity.WARNING


def test_config_path_override(repo: Path) -> None:
    write_tree(
        repo,
        {
            CONFIG_NAME: "fail_on: info\n",
            "conf/custom.yaml": "policies: [gov, ../shared/raci]\nfail_on: warning\n",
        },
    )
    config = load_config(Path("conf/custom.yaml"), cwd=repo)
    assert config.file == repo / "conf" / "custom.yaml"
    assert config.fail_on is Severity.WARNING
    assert config.policies == (repo / "conf" / "gov", repo / "shared" / "raci")
    absolute = load_config(repo / "conf" / "custom.yaml", cwd=repo / "conf")
    assert absolute.policies == config.policies


def test_config_path_override_missing_file(repo: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(Path("nope.yaml"), cwd=repo)
    message = str(caught.value)
    assert "nope.yaml" in message
    assert "\n" not in message


# --- settings --------------------------------------------------------------------------------


def test_all_settings(repo: Path) -> None:
    write_tree(
        repo,
        {
            CONFIG_NAME: """\
                policies: [governance/it, governance/security]
                rules:
                  idle-party: off
                  redundant-role: error
                  double-ownership: warning
                fail_on: info
                waivers: {max_days: 90}
                limits: {max_file_mb: 2, max_depth: 10}
                """
        },
    )
    config = load_config(cwd=repo)
    assert config.policies == (repo / "governance" / "it", repo / "governance" / "security")
    assert config.severities == {
        "idle-party": Severity.OFF,
        "redundant-role": Severity.ERROR,
        "double-ownership": Severity.WARNING,
    }
    assert config.severity("idle-party", Severity.INFO) is Severity.OFF
    assert config.severity("schema", Severity.ERROR) is Severity.ERROR
    assert config.fail_on is Severity.INFO
    assert config.waiver_max_days == 90
    assert config.limits.max_file_bytes == 2 * MIB
    assert config.limits.max_depth == 10


def test_fractional_file_limit(repo: Path) -> None:
    write_tree(repo, {CONFIG_NAME: "limits: {max_file_mb: 0.5}\n"})
    assert load_config(cwd=repo).limits.max_file_bytes == MIB // 2


@pytest.mark.parametrize("text", ["", "# nothing configured yet\n"])
def test_empty_config_is_all_defaults(repo: Path, text: str) -> None:
    write_tree(repo, {CONFIG_NAME: text})
    config = load_config(cwd=repo)
    assert config.file == repo / CONFIG_NAME
    assert config.policies == (repo / "policies",)
    assert config.fail_on is Severity.ERROR


def _policy_set(root: Path, config: str) -> None:
    write_tree(root, {"policies/parties.yaml": PARTIES, "policies/duties.yaml": DOUBLE_OWNED, CONFIG_NAME: config})


def test_rule_off_disappears_and_warning_changes_severity(repo: Path) -> None:
    _policy_set(repo, "")
    before = check(config=load_config(cwd=repo))
    (owned,) = of_rule(before, "double-ownership")
    assert owned.severity is Severity.ERROR
    assert before.failed(Severity.ERROR)
    # Every party holds a letter, so there is no idle-party finding either.
    assert of_rule(before, "idle-party") == []

    _policy_set(repo, "rules: {double-ownership: warning}\n")
    after = check(config=load_config(cwd=repo))
    (owned,) = of_rule(after, "double-ownership")
    assert owned.severity is Severity.WARNING
    assert not after.failed(Severity.ERROR)
    assert after.failed(Severity.WARNING)

    _policy_set(repo, "rules: {double-ownership: 'off'}\n")
    off = check(config=load_config(cwd=repo))
    assert of_rule(off, "double-ownership") == []
    assert not off.failed(Severity.INFO)


def test_idle_party_off(repo: Path) -> None:
    write_tree(repo, {"policies/parties.yaml": PARTIES})
    assert of_rule(check(config=load_config(cwd=repo)), "idle-party") != []
    write_tree(repo, {CONFIG_NAME: "rules:\n  idle-party: off\n"})
    report = check(config=load_config(cwd=repo))
    assert of_rule(report, "idle-party") == []


def test_policies_folders_from_the_config_are_checked(repo: Path) -> None:
    write_tree(
        repo,
        {
            "gov/parties.yaml": PARTIES,
            "gov/duties.yaml": DOUBLE_OWNED,
            "policies/ignored.yaml": "not: [valid\n",
            CONFIG_NAME: "policies: [gov]\n",
        },
    )
    (repo / "sub").mkdir()
    report = check(config=load_config(cwd=repo / "sub"))
    assert report.files == 2
    assert [f.location.file for f in of_rule(report, "double-ownership")] == ["gov/duties.yaml"]
    assert of_rule(report, "yaml-syntax") == []


def test_depth_limit_applies_to_policy_files(repo: Path) -> None:
    write_tree(repo, {"policies/parties.yaml": PARTIES, "policies/duties.yaml": DOUBLE_OWNED})
    assert of_rule(check(config=load_config(cwd=repo)), "yaml-syntax") == []
    # root mapping, duties, the duty, raci, the accountable list: five levels.
    write_tree(repo, {CONFIG_NAME: "limits: {max_depth: 4}\n"})
    report = check(config=load_config(cwd=repo))
    (finding,) = of_rule(report, "yaml-syntax")
    assert finding.location == ("policies/duties.yaml", 7, 20)
    assert "nesting deeper than 4" in finding.message


def test_size_limit_applies_to_policy_files(repo: Path) -> None:
    big = PARTIES + "".join(f"# padding line {i:06d} of a large but harmless file\n" for i in range(25_000))
    assert len(big.encode()) > MIB
    write_tree(repo, {"policies/parties.yaml": big, CONFIG_NAME: "limits: {max_file_mb: 1}\n"})
    report = check(config=load_config(cwd=repo))
    (finding,) = of_rule(report, "yaml-syntax")
    assert finding.location == ("policies/parties.yaml", 1, 1)
    assert "limit" in finding.message


# --- refusals --------------------------------------------------------------------------------


def test_unknown_top_level_key_with_hint(repo: Path) -> None:
    message = config_error(repo, "polices: [gov]\n")
    assert "unknown key 'polices'" in message
    assert "did you mean 'policies'?" in message
    assert f"{CONFIG_NAME}:1:1" in message


def test_bad_severity_value(repo: Path) -> None:
    message = config_error(repo, "rules:\n  idle-party: loud\n")
    assert "'loud'" in message
    assert "off" in message
    assert f"{CONFIG_NAME}:2:15" in message


def test_bad_fail_on(repo: Path) -> None:
    message = config_error(repo, "fail_on: never\n")
    assert "'never'" in message
    assert f"{CONFIG_NAME}:1:10" in message


def test_limit_out_of_range(repo: Path) -> None:
    message = config_error(repo, "limits:\n  max_depth: 2\n")
    assert "max_depth" in message
    assert f"{CONFIG_NAME}:2:14" in message


def test_yaml_syntax_error(repo: Path) -> None:
    message = config_error(repo, "policies: [gov\n")
    assert f"{CONFIG_NAME}:2:1" in message


def test_unsafe_yaml_in_config(repo: Path) -> None:
    message = config_error(repo, "policies: !!python/object/apply:os.system [true]\n")
    assert "not allowed" in message


def test_duplicate_key(repo: Path) -> None:
    message = config_error(repo, "fail_on: error\nfail_on: info\n")
    assert "duplicate key 'fail_on'" in message
    assert f"{CONFIG_NAME}:2:1" in message


@pytest.mark.parametrize("text", ["- policies\n", "just a string\n", "42\n"])
def test_non_mapping(repo: Path, text: str) -> None:
    message = config_error(repo, text)
    assert "mapping" in message


def test_several_documents(repo: Path) -> None:
    message = config_error(repo, "fail_on: error\n---\nfail_on: info\n")
    assert "single YAML document" in message


def test_unknown_rule_name_is_a_schema_finding_at_its_key(repo: Path) -> None:
    write_tree(repo, {"policies/parties.yaml": PARTIES, CONFIG_NAME: "fail_on: error\nrules:\n  idle-pary: off\n"})
    config = load_config(cwd=repo)  # the rule names are only known once the policy set is read
    report = check(config=config)
    (finding,) = of_rule(report, "schema")
    assert finding.location == (CONFIG_NAME, 3, 3)
    assert finding.subject == CONFIG_NAME
    assert finding.message == (
        "rules: 'idle-pary' is not a built-in or custom rule (did you mean 'idle-party'?); its severity is unused"
    )
    assert finding.detail == "rules.idle-pary"
    assert finding.severity is Severity.ERROR
    assert report.failed(Severity.ERROR)
    # The unknown name changes no other rule: idle-party still reports.
    assert of_rule(report, "idle-party") != []


def test_unknown_rule_name_is_placed_relative_to_the_working_directory(repo: Path) -> None:
    write_tree(repo, {"gov/parties.yaml": PARTIES, f"conf/{CONFIG_NAME}": "policies: [../gov]\nrules: {nope: off}\n"})
    report = check(config=load_config(Path(f"conf/{CONFIG_NAME}"), cwd=repo))
    (finding,) = of_rule(report, "schema")
    assert finding.location == (f"conf/{CONFIG_NAME}", 2, 9)
    assert finding.message == "rules: 'nope' is not a built-in or custom rule; its severity is unused"


def test_custom_rule_missing_from_a_broken_rules_file_still_shows_that_file(repo: Path) -> None:
    write_tree(
        repo,
        {
            "policies/parties.yaml": PARTIES,
            "policies/rules.yaml": "apiVersion: raci/v1\nkind: Rules\nrules: [{id: security-embedded\n",
            CONFIG_NAME: "rules:\n  security-embedded: warning\n",
        },
    )
    report = check(config=load_config(cwd=repo))
    (syntax,) = of_rule(report, "yaml-syntax")
    assert syntax.location.file == "policies/rules.yaml"
    (unknown,) = of_rule(report, "schema")
    assert unknown.location == (CONFIG_NAME, 2, 3)
    assert unknown.detail == "rules.security-embedded"


def test_missing_policies_folder_names_the_config_file(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(repo, {"policies/parties.yaml": PARTIES, CONFIG_NAME: "policies: [policies, gov]\n"})
    with pytest.raises(ConfigError) as caught:
        check(config=load_config(cwd=repo))
    assert str(caught.value) == f"{CONFIG_NAME}: policies: gov does not exist"
    (repo / "sub").mkdir()
    monkeypatch.chdir(repo / "sub")
    with pytest.raises(ConfigError) as caught:
        check(config=load_config(cwd=repo / "sub"))
    # the configuration is not below the working directory: its full path
    assert str(caught.value) == f"{repo / CONFIG_NAME}: policies: ../gov does not exist"


def test_custom_rule_name_is_not_unknown(repo: Path) -> None:
    write_tree(
        repo,
        {
            "policies/parties.yaml": PARTIES,
            "policies/duties.yaml": DOUBLE_OWNED,
            "policies/rules.yaml": """\
                apiVersion: raci/v1
                kind: Rules
                rules:
                  - id: security-embedded
                    type: require
                    description: Security is consulted on every security duty
                    select: {ids: ["sec.*"]}
                    require: {party: ciso, as: [accountable, responsible, consulted]}
                    severity: error
                """,
            CONFIG_NAME: "rules:\n  security-embedded: warning\n",
        },
    )
    assert of_rule(check(config=load_config(cwd=repo)), "schema") == []

"""`raci init`: a starter set that passes at once, schemas for its modelines, and no overwriting."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import pytest
import yaml
from click.testing import CliRunner

from checker import __version__
from checker.cli import main
from checker.config import load_config
from checker.engine import check
from checker.finding import Severity
from checker.scaffold import ScaffoldError, scaffold
from checker.validate import SCHEMA_NAMES, schema_text

POLICY_FILES = [
    "policies/parties.yaml",
    "policies/duties.yaml",
    "policies/assignments.yaml",
    "policies/budgets.yaml",
    "policies/rules.yaml",
    "policies/waivers.yaml",
]
SCHEMA_FILES = [f"schemas/{name}.schema.json" for name in SCHEMA_NAMES]
EVERY_FILE = [".raci.yaml", ".pre-commit-config.yaml", *POLICY_FILES, *SCHEMA_FILES]
MODELINE = re.compile(r"# yaml-language-server: \$schema=(\S+)\n")


def _git_init(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(folder)], check=True, capture_output=True, timeout=60)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty git repository, the current directory."""
    _git_init(tmp_path / "governance")
    monkeypatch.chdir(tmp_path / "governance")
    return tmp_path / "governance"


def _files_under(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and ".git" not in p.parts}


def _init(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["init", *args])
    return result.exit_code, result.output


def test_init_lists_every_file_as_created(repo: Path) -> None:
    code, output = _init()

    assert code == 0
    assert output.splitlines() == [f"created: {name}" for name in EVERY_FILE]
    assert _files_under(repo) == set(EVERY_FILE)


def test_scaffolded_set_passes_check_with_no_finding_at_all(repo: Path) -> None:
    _init()

    report = check(config=load_config())
    result = CliRunner().invoke(main, ["check", "--fail-on", "info"])

    assert report.findings == []
    # Every kind is represented, so the starter set shows the whole format.
    assert report.counts == {
        "parties": 6,
        "duties": 6,
        "assignments": 4,
        "budgets": 1,
        "pools": 1,
        "rules": 1,
        "waivers": 0,
    }
    assert result.exit_code == 0, result.output
    # Blank lines are the reporter's layout; the only text is the summary.
    assert [line for line in result.output.splitlines() if line] == [
        "checked 6 files: 6 parties, 6 duties, 4 assignments, 1 budget, 1 pool, 1 rule; no problems found"
    ]


def test_scaffolded_set_passes_check_as_a_real_process(repo: Path) -> None:
    _init()

    result = subprocess.run(
        [sys.executable, "-m", "checker", "check", "--format", "json", "--fail-on", "info"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["findings"] == []
    assert report["summary"] == {"error": 0, "warning": 0, "info": 0, "suppressed": 0}


def test_the_starter_set_is_what_the_brief_promises(repo: Path) -> None:
    """The parties a CIO/CISO governance team starts from, each with a letter and a handle; a shared budget."""
    _init()
    report = check(config=load_config())
    model = report.model

    assert sorted(model.parties) == ["ceo", "cfo", "cio", "ciso", "it-ops", "security-ops"]
    assert {p.github for p in model.parties.values()} == {
        "@your-org/ceo-office",
        "@your-org/cio-office",
        "@your-org/security-office",
        "@your-org/cfo-office",
        "@your-org/it-ops",
        "@your-org/security-ops",
    }
    accountable = {c.duty: c.party for c in model.claims if c.letter == "accountable"}
    assert accountable["sec.incident-response"] == "ciso"
    assert accountable["it.asset-inventory"] == "cio"
    (budget,) = model.budgets.values()
    assert {split.party.id for split in budget.splits} == {"cio", "ciso"}
    assert budget.pool is not None


@pytest.mark.parametrize("name", POLICY_FILES)
def test_each_policy_file_has_a_modeline_to_a_scaffolded_schema(repo: Path, name: str) -> None:
    _init()
    path = repo / name
    text = path.read_text("utf-8")
    kind = yaml.safe_load(text)["kind"].lower()

    match = MODELINE.match(text)

    assert match is not None, text.splitlines()[0]
    assert match.group(1) == f"../schemas/{kind}.schema.json"
    assert (path.parent / match.group(1)).resolve().read_text("utf-8") == schema_text(kind)


def test_config_modeline_resolves_and_config_loads(repo: Path) -> None:
    _init()
    text = (repo / ".raci.yaml").read_text("utf-8")

    match = MODELINE.match(text)
    config = load_config(repo / ".raci.yaml")

    assert match is not None
    assert (repo / match.group(1)).read_text("utf-8") == schema_text("config")
    assert config.file == repo / ".raci.yaml"
    assert config.policies == (repo / "policies",)
    assert config.severities == {}
    assert config.fail_on is Severity.ERROR


def test_config_comments_show_every_other_key(repo: Path) -> None:
    """The commented examples, uncommented, are a valid configuration: they teach nothing wrong."""
    _init()
    lines = (repo / ".raci.yaml").read_text("utf-8").splitlines()
    uncommented = [re.sub(r"^# ", "", line) for line in lines if re.match(r"^#( {3}| [a-z_]+:)", line)]
    (repo / "full.yaml").write_text("\n".join(["policies: [policies]", *uncommented]) + "\n", "utf-8")

    config = load_config(repo / "full.yaml")

    assert set(yaml.safe_load((repo / "full.yaml").read_text("utf-8"))) == {
        "policies",
        "rules",
        "fail_on",
        "waivers",
        "limits",
    }
    assert config.severities == {"idle-party": Severity.OFF, "redundant-role": Severity.ERROR}
    assert config.waiver_max_days == 366


def test_files_are_utf8_with_unix_newlines(repo: Path) -> None:
    _init()

    for name in EVERY_FILE:
        data = (repo / name).read_bytes()
        assert b"\r" not in data, name
        assert data.endswith(b"\n") or name.endswith(".json"), name
        data.decode("utf-8")


def test_second_run_creates_nothing_and_lists_every_file_as_skipped(repo: Path) -> None:
    _init()
    before = {name: (repo / name).read_bytes() for name in EVERY_FILE}

    code, output = _init()

    assert code == 0
    assert output.splitlines() == [f"skipped (exists): {name}" for name in EVERY_FILE]
    assert {name: (repo / name).read_bytes() for name in EVERY_FILE} == before


def test_an_existing_file_is_left_byte_for_byte_and_the_rest_created(repo: Path) -> None:
    mine = b"# our own parties\r\napiVersion: raci/v1\r\n\xff not even utf-8\r\n"
    (repo / "policies").mkdir()
    (repo / "policies" / "parties.yaml").write_bytes(mine)

    code, output = _init()

    assert code == 0
    assert (repo / "policies" / "parties.yaml").read_bytes() == mine
    assert "skipped (exists): policies/parties.yaml" in output.splitlines()
    assert output.count("created: ") == len(EVERY_FILE) - 1


def test_a_dangling_symlink_is_skipped_not_written_through(repo: Path, tmp_path: Path) -> None:
    target = tmp_path / "outside" / "bashrc"
    target.parent.mkdir()
    (repo / ".raci.yaml").symlink_to(target)

    code, output = _init()

    assert code == 0
    assert "skipped (exists): .raci.yaml" in output.splitlines()
    assert not target.exists()
    assert (repo / ".raci.yaml").is_symlink()


def test_a_symlink_to_an_existing_file_is_not_written_through(repo: Path, tmp_path: Path) -> None:
    target = tmp_path / "precious.yaml"
    target.write_bytes(b"keep me\n")
    (repo / ".pre-commit-config.yaml").symlink_to(target)

    scaffold(repo)

    assert target.read_bytes() == b"keep me\n"


def test_a_linked_policies_folder_is_refused_before_anything_is_written(repo: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (repo / "policies").symlink_to(elsewhere, target_is_directory=True)

    code, output = _init()

    assert code == 2
    assert output == "raci: error: policies: is a symbolic link; raci init does not write through links\n"
    assert list(elsewhere.iterdir()) == []
    assert _files_under(repo) == set()


def test_init_into_a_new_nested_folder(repo: Path) -> None:
    code, output = _init("org/governance")

    assert code == 0
    assert output.splitlines()[0] == "created: org/governance/.raci.yaml"
    assert _files_under(repo / "org" / "governance") == set(EVERY_FILE)


def test_a_directory_argument_that_is_a_file_is_exit_2(repo: Path) -> None:
    (repo / "taken").write_text("a file\n", "utf-8")

    code, output = _init("taken")

    assert code == 2
    assert "is a file" in output
    assert (repo / "taken").read_text("utf-8") == "a file\n"


def test_scaffold_refuses_a_file_where_a_folder_goes(repo: Path) -> None:
    (repo / "schemas").write_text("not a folder\n", "utf-8")

    with pytest.raises(ScaffoldError, match=r"^schemas: exists and is not a folder$"):
        scaffold(repo)
    assert _files_under(repo) == {"schemas"}  # refused before any file was written


def test_scaffold_refuses_a_directory_that_is_a_file(repo: Path) -> None:
    (repo / "taken").write_text("a file\n", "utf-8")

    with pytest.raises(ScaffoldError, match=r"^taken: exists and is not a folder$"):
        scaffold(repo / "taken")


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root ignores permissions")
def test_permission_denied_is_one_scaffold_error(repo: Path) -> None:
    locked = repo / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(ScaffoldError, match=r"^locked/\.raci\.yaml: cannot create: Permission denied$"):
            scaffold(locked)
    finally:
        locked.chmod(0o700)


def _failing_open(error: OSError, *, on_write: bool) -> Callable[..., IO[str]]:
    """Path.open that fails in "x" mode: at once, or on the first write after creating the file."""
    real_open = Path.open

    def fake(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> IO[str]:
        if mode != "x":
            return real_open(self, mode, *args, **kwargs)
        if not on_write:
            raise error
        handle = real_open(self, mode, *args, **kwargs)

        def write(text: str) -> int:
            raise error

        handle.write = write  # type: ignore[method-assign]
        return handle

    return fake


def test_permission_denied_is_one_line_and_exit_2(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Also as root, where a read-only folder is writable anyway.
    monkeypatch.setattr(Path, "open", _failing_open(PermissionError(13, "Permission denied"), on_write=False))

    code, output = _init()

    assert code == 2
    assert output == "raci: error: .raci.yaml: cannot create: Permission denied\n"


def test_a_failed_write_leaves_no_half_written_file(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Path, "open", _failing_open(OSError(28, "No space left on device"), on_write=True))

    with pytest.raises(ScaffoldError, match=r"^\.raci\.yaml: cannot write: No space left on device$"):
        scaffold(repo)

    assert not (repo / ".raci.yaml").exists()


def test_scaffolded_pre_commit_config_is_valid(repo: Path) -> None:
    _init()

    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-config", ".pre-commit-config.yaml"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_pre_commit_config_runs_raci_locally_and_pins_this_release_in_comment(repo: Path) -> None:
    _init()
    text = (repo / ".pre-commit-config.yaml").read_text("utf-8")
    hooks = yaml.safe_load(text)

    assert hooks == {
        "repos": [
            {
                "repo": "local",
                "hooks": [
                    {
                        "id": "raci-check",
                        "name": "raci check",
                        "entry": "raci check",
                        "language": "system",
                        "pass_filenames": False,
                        "files": r"(^|/)(policies/.+\.ya?ml|\.raci\.yaml)$",
                    }
                ],
            }
        ]
    }
    assert "  # - repo: https://github.com/YOUR-ORG/raci-checker\n" in text
    assert f"  #   rev: v{__version__}\n" in text
    files = re.compile(hooks["repos"][0]["hooks"][0]["files"])
    assert all(files.search(name) for name in [".raci.yaml", *POLICY_FILES])
    assert not any(files.search(name) for name in [".pre-commit-config.yaml", *SCHEMA_FILES])


def test_the_pinned_alternative_is_a_valid_config_too(repo: Path) -> None:
    _init()
    lines = (repo / ".pre-commit-config.yaml").read_text("utf-8").splitlines()
    pinned = [line.replace("  # ", "  ", 1) for line in lines if re.match(r"^  # (-|  )", line)]
    (repo / "pinned.yaml").write_text("repos:\n" + "\n".join(pinned) + "\n", "utf-8")

    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-config", "pinned.yaml"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert yaml.safe_load((repo / "pinned.yaml").read_text("utf-8")) == {
        "repos": [
            {
                "repo": "https://github.com/YOUR-ORG/raci-checker",
                "rev": f"v{__version__}",
                "hooks": [{"id": "raci-check"}],
            }
        ]
    }
    assert result.returncode == 0, result.stdout + result.stderr


def test_scaffolded_hook_runs_in_a_real_commit(repo: Path, tmp_path: Path) -> None:
    """The local hook as written, `raci` found on PATH: passes the starter set, blocks a second owner."""
    _init()
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "NO_COLOR": "1",
    }

    def run(*cmd: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True, timeout=120, check=False)

    run("git", "add", "-A")
    clean = run(sys.executable, "-m", "pre_commit", "run", "--all-files")
    with (repo / "policies" / "assignments.yaml").open("a", encoding="utf-8") as handle:
        handle.write("  - duty: sec.incident-response\n    accountable: cio\n")
    run("git", "add", "-A")
    broken = run(sys.executable, "-m", "pre_commit", "run", "--all-files")

    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert re.search(r"raci check\.+Passed", clean.stdout), clean.stdout
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "error double-ownership sec.incident-response has 2 accountable parties" in broken.stdout

"""The hook as users run it: the manifest, and a real pre-commit run in a real git repository."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import PARTIES, write_tree

REPO = Path(__file__).resolve().parents[1]
# The `raci` that `pip install` put beside this interpreter (scripts live in Scripts\ on Windows).
INSTALLED_RACI = Path(sys.executable).parent / ("raci.exe" if os.name == "nt" else "raci")

DUTIES = """\
apiVersion: raci/v1
kind: Duties
duties:
  - id: sec.incident-response
    title: Lead the response to security incidents
    raci: {accountable: ciso, responsible: [security-ops], informed: [ceo, cio, it-ops]}
"""
SECOND_OWNER = """\
apiVersion: raci/v1
kind: Assignments
assignments:
  - duty: sec.incident-response
    accountable: cio
"""


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False)


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
            "GIT_AUTHOR_NAME": "Ada Auditor",
            "GIT_AUTHOR_EMAIL": "ada@example.com",
            "GIT_COMMITTER_NAME": "Ada Auditor",
            "GIT_COMMITTER_EMAIL": "ada@example.com",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
            "NO_COLOR": "1",
        }
    )
    return env


def test_manifest_is_valid() -> None:
    result = _run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", ".pre-commit-hooks.yaml"], REPO, dict(os.environ)
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dogfood_config_is_valid() -> None:
    result = _run(
        [sys.executable, "-m", "pre_commit", "validate-config", ".pre-commit-config.yaml"], REPO, dict(os.environ)
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_hook_lets_a_good_commit_through_and_blocks_double_ownership(tmp_path: Path) -> None:
    tool = "git"
    env = _env(tmp_path)
    repo = tmp_path / "governance"
    repo.mkdir()
    # Our manifest's hook, as a local entry running the installed `raci`
    # (`language: system`), so pre-commit downloads nothing.
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    raci = INSTALLED_RACI
    assert raci.is_file(), f"the console script {raci} is not installed"
    local = {**hook, "language": "system", "entry": f"{shlex.quote(str(raci))} check"}
    local.pop("minimum_pre_commit_version", None)
    config = yaml.safe_dump({"repos": [{"repo": "local", "hooks": [local]}]})
    write_tree(
        repo,
        {
            ".pre-commit-config.yaml": config,
            "policies/parties.yaml": PARTIES,
            "policies/duties/security.yaml": DUTIES,
        },
    )
    assert _run([tool, "init", "-q", "-b", "main"], repo, env).returncode == 0
    installed = _run([sys.executable, "-m", "pre_commit", "install"], repo, env)
    assert installed.returncode == 0, installed.stderr
    _run([tool, "add", "-A"], repo, env)
    good = _run([tool, "commit", "-qm", "Incident response: the CISO is accountable"], repo, env)
    assert good.returncode == 0, good.stdout + good.stderr

    write_tree(repo, {"policies/assignments/cio-office.yaml": SECOND_OWNER})
    _run([tool, "add", "-A"], repo, env)
    bad = _run([tool, "commit", "-qm", "CIO office claims incident response"], repo, env)
    output = bad.stdout + bad.stderr
    assert bad.returncode != 0, output
    assert "double-ownership" in output
    assert "policies/assignments/cio-office.yaml:5:18" in output
    log = _run([tool, "log", "--format=%s"], repo, env).stdout.splitlines()
    assert log == ["Incident response: the CISO is accountable"]


def test_manifest_declares_the_raci_check_hook_for_the_whole_set() -> None:
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "raci-check"
    assert hook["language"] == "python"
    assert hook["entry"] == "raci check"
    assert hook["pass_filenames"] is False
    assert re.search(hook["files"], "policies/duties/security.yaml")
    assert re.search(hook["files"], ".raci.yaml")
    assert not re.search(hook["files"], "src/app.py")

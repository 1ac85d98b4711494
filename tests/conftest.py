"""Shared test helpers: policy sets written to temporary folders, and a hang guard."""

from __future__ import annotations

import signal
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from checker.cache import Cache
from checker.config import load_config
from checker.engine import Report, check
from checker.finding import Finding
from tests.recall_support import Spy, spying

# No single test may hang CI: SIGALRM interrupts it (speed is measured in bench/, not here).
TEST_TIMEOUT_SECONDS = 120

PARTIES = """\
apiVersion: raci/v1
kind: Parties
parties:
  - {id: ceo, name: Chief Executive Officer, type: role}
  - {id: cio, name: Chief Information Officer, type: role, reports_to: ceo}
  - {id: ciso, name: Chief Information Security Officer, type: role, reports_to: ceo}
  - {id: it-ops, name: IT Operations, type: team, reports_to: cio}
  - {id: security-ops, name: Security Operations, type: team, reports_to: ciso}
"""


@pytest.fixture(autouse=True)
def _own_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    # Every test, and every process it starts, gets an empty cache folder of its own:
    # the user's cache is never touched, and no test sees another's entries.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.delenv("RACI_NO_CACHE", raising=False)


@pytest.fixture(autouse=True)
def _hang_guard() -> Iterator[None]:
    def expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"test took longer than {TEST_TIMEOUT_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(TEST_TIMEOUT_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write `files` (relative path -> text, dedented) under `root`; returns `root`."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


CheckFiles = Callable[..., Report]


@pytest.fixture
def check_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CheckFiles:
    """Run the checker on a policy set given as {path under policies/: YAML text}.

    `parties=True` (the default) adds `policies/parties.yaml` with PARTIES
    unless the files already define it. Runs from `tmp_path` (a folder with
    `.git`, so paths are relative to it), with the default configuration.
    """

    def run(files: dict[str, str], *, parties: bool = True, config: str | None = None) -> Report:
        (tmp_path / ".git").mkdir(exist_ok=True)
        tree = {f"policies/{name}": text for name, text in files.items()}
        if parties:
            tree.setdefault("policies/parties.yaml", PARTIES)
        if config is not None:
            tree[".raci.yaml"] = config
        write_tree(tmp_path, tree)
        monkeypatch.chdir(tmp_path)
        return check(config=load_config(cwd=tmp_path))

    return run


def positions(report: Report, rule: str) -> list[tuple[str, int, int]]:
    """(file, line, column) of every finding of `rule`, in report order."""
    return [(f.location.file, f.location.line, f.location.column) for f in report.findings if f.rule == rule]


def of_rule(report: Report, rule: str) -> list[Finding]:
    return [f for f in report.findings if f.rule == rule]


@pytest.fixture
def evaluated(monkeypatch: pytest.MonkeyPatch) -> Iterator[Spy]:
    """A spy on the outcomes computed in full or by a patch (see `recall_support`)."""
    yield from spying(monkeypatch)


@pytest.fixture
def store(tmp_path: Path) -> Cache:
    """A cache folder of the test's own, outside any policy set it writes to `repo`."""
    return Cache(tmp_path / "cache")

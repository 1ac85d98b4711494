"""What the tests of remembered outcomes share (`test_memo`, `test_incremental`):
the bundled set with a finding, spies that tell a recalled outcome from a
computed one, and runs with and without the cache."""

from __future__ import annotations

import datetime
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from checker import evaluation, incremental
from checker.cache import Cache
from checker.config import load_config
from checker.engine import Report, check
from checker.reporters import render

ROOT = Path(__file__).resolve().parents[1]
TODAY = datetime.date(2026, 12, 1)
SECURITY = "policies/duties/security.yaml"
# A second accountable party on the bundled incident-response duty: the set has a finding.
SECOND_OWNER = (
    "apiVersion: raci/v1\nkind: Assignments\nassignments:\n  - duty: sec.incident-response\n    accountable: cio\n"
)


class Spy:
    """Counts the runs that computed their outcome (in full or by a patch), except
    those without the cache."""

    def __init__(self) -> None:
        self.full = 0
        self.patched = 0
        self.counting = True

    @property
    def calls(self) -> int:
        return self.full + self.patched


def spying(monkeypatch: pytest.MonkeyPatch) -> Iterator[Spy]:
    """A spy on every outcome computed until the generator is closed (a fixture's body)."""
    spy = Spy()
    raw, patch = evaluation.raw, incremental.patch

    def in_full(*args: Any, **kwargs: Any) -> Any:
        spy.full += spy.counting
        return raw(*args, **kwargs)

    def by_patch(*args: Any, **kwargs: Any) -> Any:
        patched = patch(*args, **kwargs)
        spy.patched += spy.counting and patched is not None
        return patched

    monkeypatch.setattr(evaluation, "raw", in_full)
    monkeypatch.setattr(incremental, "patch", by_patch)
    SPIES.append(spy)
    yield spy
    SPIES.remove(spy)


SPIES: list[Spy] = []


def bundled_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The bundled policy set plus a double ownership, in a folder that is a repository root."""
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "policies", root / "policies")
    (root / "policies" / "assignments" / "second-owner.yaml").write_text(SECOND_OWNER)
    (root / ".git").mkdir()
    monkeypatch.chdir(root)
    return root


def run(root: Path, store: Cache | None, today: datetime.date = TODAY) -> Report:
    return check(config=load_config(cwd=root), today=today, store=store)


def shown(report: Report) -> str:
    return render("json", report)


def fresh(root: Path, today: datetime.date = TODAY) -> str:
    """The report of a run without the cache (not counted as an evaluation)."""
    for spy in SPIES:
        spy.counting = False
    try:
        return shown(run(root, None, today))
    finally:
        for spy in SPIES:
            spy.counting = True


def edit(root: Path, name: str, old: str, new: str) -> None:
    path = root / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def records(store: Cache) -> Iterator[Path]:
    return (p for p in store.of_kind("runs").root.rglob("*.json") if not p.name.startswith(".tmp-"))

"""`raci diff`: what changed in meaning between two revisions, and which findings came and went.

Both sides are checked in full (a revision from git objects, or the working
tree), then compared entity by entity and field by field through
`semantic`, so only changes of meaning are reported. The configuration file
is an entity too: a rule switched off is exactly what a reviewer must see.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .cache import Cache
from .config import Config, ConfigError, parse_config
from .engine import Report, check
from .finding import Finding
from .git import GitError, Repository
from .revision import Revision
from .semantic import Change, Key, Record, State, compare, config_facts, facts_of_model


@dataclass(frozen=True, slots=True)
class Side:
    """One side of a comparison: a revision (with its commit), or the working tree."""

    revision: str | None  # None: the working tree
    commit: str | None
    report: Report

    @property
    def label(self) -> str:
        return self.revision if self.revision is not None else "the working tree"


@dataclass(frozen=True, slots=True)
class Diff:
    before: Side
    after: Side
    changes: list[Change]
    introduced: list[Finding]
    resolved: list[Finding]


def diff(
    paths: Sequence[Path] = (),
    *,
    config: Config,
    before: str,
    after: str | None = None,
    today: datetime.date | None = None,
    store: Cache | None = None,
) -> Diff:
    """The changes from revision `before` to `after` (default: the working tree)."""
    folders = list(paths) or list(config.policies)
    old = _side(paths, config, before, folders, today, store)
    new = _side(paths, config, after, folders, today, store)
    changes = compare(_views(old, config, folders), _views(new, config, folders))
    return Diff(old, new, changes, *_findings(old.report, new.report))


def _side(
    paths: Sequence[Path],
    config: Config,
    revision: str | None,
    folders: list[Path],
    today: datetime.date | None,
    store: Cache | None,
) -> Side:
    commit = Revision.resolve(revision, folders[0]).commit if revision is not None else None
    # A revision from before the policy set existed is an empty set: everything after it is added.
    return Side(revision, commit, check(paths, config=config, today=today, at=revision, missing_ok=True, store=store))


def _views(side: Side, config: Config, folders: list[Path]) -> dict[Key, Record | None]:
    state = State()
    state.put("policies", facts_of_model(side.report.model))  # one merged model: no file order to keep
    if config.file is not None:
        repository = Repository.containing(folders[0])
        try:
            name = repository.relative(config.file)
        except GitError:
            name = None  # a configuration from outside the repository has no revisions to compare
        if name is not None:
            state.put(name, config_facts(name, _config_at(side, config.file, name, repository)))
    return state.views(state.keys())


def _config_at(side: Side, file: Path, name: str, repository: Repository) -> dict[str, Any] | None:
    """The configuration file's settings on this side (None where it did not exist or cannot be read)."""
    try:
        if side.commit is None:
            return parse_config(file.read_bytes(), name)[0]
        with repository.objects() as objects:
            found = objects.read(f"{side.commit}:{name}")
        if found is None or found.kind != "blob":
            return None
        return parse_config(found.data, f"{name} at {side.label}")[0]
    except (OSError, ConfigError):
        # Absent, or broken at that revision: there is no meaning to compare.
        return None


def _findings(before: Report, after: Report) -> tuple[list[Finding], list[Finding]]:
    """(introduced, resolved): live findings on one side whose fingerprint the other lacks."""
    old = {f.fingerprint for f in before.findings if not f.suppressed}
    new = {f.fingerprint for f in after.findings if not f.suppressed}
    introduced = [f for f in after.findings if not f.suppressed and f.fingerprint not in old]
    resolved = [f for f in before.findings if not f.suppressed and f.fingerprint not in new]
    return introduced, resolved

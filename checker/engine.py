"""`check()`: the policy set in, findings out. The library entry point.

Each file is parsed and validated into its part of the model (`reading`:
through the cache, and on several processors for a large set), and the parts
are merged in file order; a file's YAML is dropped once its part is built, so
memory follows the model rather than the YAML. The checks then run on the
merged model (`evaluation`: configured severities are applied there, never
inside a rule). With a cache, a run on the working tree first tries the last
outcome, recalled or patched for what changed (`memo`).
"""

from __future__ import annotations

import datetime
import functools
import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import evaluation, waivers
from .cache import Cache
from .config import Config, ConfigError
from .discover import PathError, discover, read_content
from .errors import UserError
from .finding import Finding, Severity
from .git import GitError
from .loader import Content, Limits, LoadedFile
from .memo import Listing, Memo, cache_keys
from .model import PolicySet
from .paths import display_name, repository_root, shown_path
from .reading import Part, read_parts
from .revision import Revision, load_at


class NoPolicyFiles(UserError):
    """Nothing to check: a usage problem (exit 2), not a clean result."""


@dataclass(frozen=True, slots=True)
class Baseline:
    """What `--base REV` compared against: the revision as given, its commit, and
    how many findings already present there were left out of the report."""

    revision: str
    commit: str
    left_out: int

    @property
    def note(self) -> str:
        """One sentence for every human-readable format."""
        s = "" if self.left_out == 1 else "s"
        return f"{self.left_out} finding{s} already present at {self.revision} ({self.commit[:12]}) left out"


class Report:
    """The outcome of a check: every finding, and what was checked.

    `model` is what views such as `raci budgets` show. A run that recalled or
    patched its outcome (see `memo`) has not built it: it is given as a function
    that builds it on first use, with the `counts` of entities known already.
    """

    __slots__ = ("_counts", "_model", "baseline", "files", "findings")

    def __init__(
        self,
        findings: list[Finding],
        files: int,
        model: PolicySet | Callable[[], PolicySet] | None = None,
        baseline: Baseline | None = None,  # set when only findings new since a revision are reported
        *,
        counts: dict[str, int] | None = None,
    ) -> None:
        self.findings = findings
        self.files = files
        self.baseline = baseline
        self._model = PolicySet() if model is None else model
        self._counts = counts

    def __repr__(self) -> str:
        return f"Report({len(self.findings)} findings, {self.files} files, baseline={self.baseline!r})"

    @property
    def model(self) -> PolicySet:
        if not isinstance(self._model, PolicySet):
            self._model = self._model()
        return self._model

    @property
    def counts(self) -> dict[str, int]:
        return self._counts if self._counts is not None else self.model.counts()

    def summary(self) -> dict[str, int]:
        """Counts per severity of the findings that count, and of those suppressed."""
        totals = {"error": 0, "warning": 0, "info": 0, "suppressed": 0}
        for finding in self.findings:
            totals["suppressed" if finding.suppressed else finding.severity.value] += 1
        return totals

    def failed(self, fail_on: Severity) -> bool:
        return any(not f.suppressed and f.severity.rank >= fail_on.rank for f in self.findings)

    def narrowed(self, findings: list[Finding], baseline: Baseline) -> Report:
        """This report with only `findings`, those new since `baseline`."""
        return Report(findings, self.files, self._model, baseline, counts=self._counts)


def check(
    paths: Sequence[Path] = (),
    *,
    config: Config,
    today: datetime.date | None = None,
    at: str | None = None,
    base: str | None = None,
    missing_ok: bool = False,
    store: Cache | None = None,
    jobs: int | None = None,
) -> Report:
    """Check the policy set: `paths` if given, else the configured policy folders.

    `today` is the date waivers expire against (default: today in UTC). `at`
    checks the set as it was at that git revision instead of the working tree;
    `base` reports only the findings that were not already present at that
    revision. Both read git objects, never a checkout. With `missing_ok`, a
    revision `at` that predates the policy set is an empty set, not an error.
    `store` caches each file's parsed and validated part (see `cache`) and, for
    the working tree, the outcome: recalled while no file changes its meaning,
    patched after an edit to duties (see `memo`); `jobs` bounds the processes that parse a large set
    (default: one per processor; see `reading`).

    Raises `PathError` for a path that does not exist, `NoPolicyFiles` when no
    policy file is found, `ConfigError` when a configured folder is missing,
    and `GitError` for an unknown revision or a folder outside a repository.
    """
    with _no_cyclic_collector():
        folders = _folders(paths, config, in_working_tree=at is None)
        if store is not None and not store.usable_for(folders):
            store = None  # a cache inside the checked repository could be planted by a pull request
        empty_ok = missing_ok and at is not None
        day = today or waivers.today_utc()
        shown = Revision.resolve(at, folders[0]) if at is not None else None
        files = _files(folders, config, shown, missing_ok=empty_ok)
        # The working tree's outcome is remembered; a revision's parts are cached by blob.
        memo = Memo(store, folders, config, day, jobs) if store is not None and shown is None else None
        report = _check(files, folders, config, day, empty_ok=empty_ok, store=store, jobs=jobs, memo=memo)
        if base is None:
            return report
        revision = Revision.resolve(base, folders[0])
        files = _files(folders, config, revision, missing_ok=True)
        before = _check(files, folders, config, day, empty_ok=True, store=store, jobs=jobs)
        return _new_since(report, before, revision)


@contextmanager
def _no_cyclic_collector() -> Iterator[None]:
    # The model is acyclic and built all at once: the cyclic collector would only
    # rescan it again and again (about a third of the run time on 10,000 duties).
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _folders(paths: Sequence[Path], config: Config, *, in_working_tree: bool) -> list[Path]:
    folders = list(paths) or list(config.policies)
    if not paths and in_working_tree:
        missing = [p for p in folders if not p.exists()]
        if missing and config.file is not None:
            # A configured folder that is not there is a typo, not an empty set.
            raise ConfigError(f"{shown_path(config.file)}: policies: {_shown(missing)} does not exist")
        if missing:
            raise NoPolicyFiles(f"no policy files found under {_shown(folders)}")
    return folders


def _files(
    folders: list[Path], config: Config, revision: Revision | None, *, missing_ok: bool
) -> Iterator[Content | LoadedFile]:
    """Every policy file under `folders` (at `revision`, else in the working tree), read
    one at a time, in name order; a file that cannot be read is a LoadedFile that holds
    only its finding."""
    if revision is not None:
        yield from load_at(revision, folders, config.limits, missing_ok=missing_ok)
        return
    root = repository_root(folders[0].resolve()) or Path.cwd()
    sources, refused = discover(folders, root)
    for finding in refused:
        yield LoadedFile(finding.subject, [], [finding])
    for source in sources:
        yield read_content(source, config.limits)


def _check(
    files: Iterator[Content | LoadedFile],
    folders: list[Path],
    config: Config,
    today: datetime.date,
    *,
    empty_ok: bool = False,
    store: Cache | None = None,
    jobs: int | None = None,
    memo: Memo | None = None,
) -> Report:
    listing: Listing = []
    keys: list[str | None] | None = None
    if memo is not None:
        items = list(files)
        listing = memo.listing(items)
        keys = cache_keys(listing)
        recalled = memo.recall(items, listing)
        if recalled is not None:
            later = functools.partial(_model_of, items, keys, config.limits, store, jobs)
            return Report(recalled.findings, recalled.files, later, counts=recalled.counts)
        files = iter(items)
    parts = read_parts(files, config.limits, store, jobs, keys)
    model, findings, count = _merged(parts if memo is None else memo.indexed(parts))
    if not count:
        if empty_ok:
            return Report([], 0)
        raise NoPolicyFiles(f"no policy files found under {_shown(folders)}")
    found = evaluation.raw(model, findings, config)
    report = Report(evaluation.settled(found, model.waivers, config, today), count, model)
    if memo is not None:
        memo.remember(listing, found, count, model)
    return report


def _model_of(
    items: list[Content | LoadedFile], keys: list[str | None], limits: Limits, store: Cache | None, jobs: int | None
) -> PolicySet:
    """The merged model of `items`, for a report whose outcome was recalled: each
    file's part is in the cache now (a changed file was parsed to recall it)."""
    with _no_cyclic_collector():
        return _merged(read_parts(iter(items), limits, store, jobs, keys))[0]


def _merged(parts: Iterable[Part]) -> tuple[PolicySet, list[Finding], int]:
    """The files' parts merged in order, their own findings, and how many files there were."""
    model = PolicySet()
    findings: list[Finding] = []
    count = 0
    for name, part, found in parts:
        count += 1
        model.merge(part)
        findings.extend(found)
        model.files.append(name)
    return model, findings, count


def _new_since(report: Report, before: Report, revision: Revision) -> Report:
    """The findings of `report` that `before` did not have, matched by fingerprint.

    A finding waived at the base but live now (its waiver removed or expired)
    counts as new: the change made an accepted exception an unaccepted one.
    """
    waived_before: dict[str, bool] = {}
    for finding in before.findings:
        key = finding.fingerprint
        waived_before[key] = waived_before.get(key, True) and finding.suppressed
    kept = [
        finding
        for finding in report.findings
        if finding.fingerprint not in waived_before or (waived_before[finding.fingerprint] and not finding.suppressed)
    ]
    baseline = Baseline(revision.name, revision.commit, len(report.findings) - len(kept))
    return report.narrowed(kept, baseline)


def _shown(folders: Sequence[Path]) -> str:
    return ", ".join(display_name(p, Path.cwd()) for p in folders)


__all__ = ["Baseline", "ConfigError", "GitError", "NoPolicyFiles", "PathError", "Report", "check"]

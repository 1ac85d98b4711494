"""Early cutoff: a run whose files mean what they meant in the last run reports
what that run reported, and a run after an edit evaluates only what it touched.

What a run reports depends on nothing but each file's part (what it adds to
the model and its own findings, in file order), the configuration, the date
waivers expire against, the folder names are shown from, and the checker's
code. So the last outcome for a set of folders and a configuration is kept in
the cache (a record of the files' cache keys, the outcome and its index, each
replaced in place). A file whose bytes changed but whose part did not (a
comment added or reworded, trailing white space) still counts as unchanged:
its old part, in the cache under its old key, is compared with its new one,
as build systems cut off a rebuild whose output came out the same. When every part is
the same, the outcome is recalled; when some changed, the kept findings are
patched (see `incremental`), or, when that cannot be done, the run is done in
full. A file added, removed or renamed is always a full run.

The outcome is kept as raw findings (see `evaluation`), settled again on each
recall with the set's waivers, and an index of which files hold what. The raw
findings of the last full write (the base) are an entry of their own; a patch
writes which of them are gone and which were added, until that is a quarter
of the base. The record is read like any cache entry (see `cache`): JSON,
never through a link, and anything damaged, missing or of another shape is a
miss.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import os
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import cache, evaluation, incremental
from .cache import Cache, decoded, encode, finding_of, finding_row, is_key, key, salt, waiver_of, waiver_row
from .config import Config
from .finding import Finding
from .incremental import Change, Index, Indexer, Kept, tallies
from .loader import Content, LoadedFile
from .model import PolicySet
from .reading import PARALLEL_MIN_BYTES, Part, default_jobs, read_part
from .registry import RULES

FORMAT = 2  # bump when the record below changes

# (name, identity) per file, in reading order: a file's cache key, or for a file
# that was refused or could not be read, a digest of the findings that say so
Listing = list[tuple[str, str]]


def cache_keys(listing: Listing) -> list[str | None]:
    """The cache key of each file of `listing` (None for one that could not be read)."""
    return [None if identity.startswith("!") else identity for _, identity in listing]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a run reported: its findings (waivers applied, sorted), the number of
    files, and the count of each kind of entity."""

    findings: list[Finding]
    files: int
    counts: dict[str, int]


class Memo:
    """The last outcome of runs on one set of folders with one configuration."""

    def __init__(
        self, store: Cache, folders: Sequence[Path], config: Config, today: datetime.date, jobs: int | None = None
    ) -> None:
        self.store = store  # where the files' parts are
        self.records = store.of_kind("runs")
        self.config = config
        self.today = today
        self.limits = config.limits
        self.jobs = default_jobs() if jobs is None else max(1, jobs)
        self._indexer = Indexer()
        cwd = os.getcwd()
        # Which record: one per folder set and configuration file, run from one folder.
        # Its outcome and the outcome's index are entries of their own, each replaced
        # in place, so that the folder holds three files per slot however many runs
        # there were; the index is read and written only when it is needed.
        self.slot = _digest("memo-slot", str(FORMAT), cwd, str(config.file), *(str(p.resolve()) for p in folders))
        self.outcome_slot = _digest(self.slot, "outcome")
        self.base_slot = _digest(self.slot, "base")
        self.index_slot = _digest(self.slot, "index")
        # Each recalled finding by id(): the finding itself (which keeps the id from
        # being reused), its row, and its place among the base rows (None if added).
        self._rows: dict[int, tuple[Finding, list[Any], int | None]] = {}
        self._base: tuple[str, int] | None = None  # the id of the recalled base, and how many rows it has
        # What besides the files decides the outcome. The configuration's own
        # fields, not its file's bytes, so that a comment there changes nothing;
        # and only the places of rule names that are not built in, since only a
        # name no rule has gets a finding there.
        self.context = _digest(
            f"memo {FORMAT}",
            salt(config.limits).decode(),
            cwd,
            repr(config.file),
            repr(sorted((name, str(level)) for name, level in config.severities.items())),
            repr(sorted((name, tuple(at)) for name, at in config.rule_locations.items() if name not in RULES)),
            str(config.waiver_max_days),
            today.isoformat(),
        )

    def listing(self, items: Sequence[Content | LoadedFile]) -> Listing:
        """Each file's name and identity, in order."""
        out = []
        for item in items:
            if isinstance(item, Content):
                out.append((item.name, key(item.name, item.data, self.limits)))
            else:
                rows = json.dumps([finding_row(f) for f in item.findings], ensure_ascii=False)
                out.append((item.file, "!" + hashlib.sha256(rows.encode("utf-8", "surrogatepass")).hexdigest()))
        return out

    def recall(self, items: Sequence[Content | LoadedFile], now: Listing) -> Outcome | None:
        """The outcome for `items` (whose listing is `now`) from the last one: recalled
        if every file means what it did, patched if only duties' shares changed;
        None when the run must be done in full."""
        record = self.records.load(self.slot)
        try:
            if not isinstance(record, dict) or record.get("context") != self.context:
                return None
            before = [(name, identity) for name, identity in record["files"]]
            if [name for name, _ in before] != [name for name, _ in now]:
                return None  # a file added, removed or renamed
            changed = [
                position for position, ((_, old), (_, new)) in enumerate(zip(before, now, strict=True)) if old != new
            ]
            # A changed file not cached yet is parsed here, in this process: when the
            # full run would parse those files on several processors (as `reading`
            # decides), that run is the faster way.
            parse = [
                item.data
                for item, (_, new) in ((items[p], now[p]) for p in changed)
                if isinstance(item, Content) and not self.store.holds(new)
            ]
            if self.jobs > 1 and len(parse) >= 2 and sum(map(len, parse)) >= PARALLEL_MIN_BYTES:
                return None
            changes = []
            for position in changed:
                change = self._change(position, items[position], before[position][1], now[position][1])
                if change is None:
                    return None
                if isinstance(change, Change):
                    changes.append(change)
            if not is_key(record["outcome"]):
                return None
            stored = self.records.load(self.outcome_slot)
            # Two runs may have replaced the two files in turn: the outcome must be
            # the one this record was written with.
            if stored["id"] != record["outcome"]:
                return None
            kept = self._kept(stored)
            patched: tuple[Kept, Index] | None = None
            if changes:
                index = _index(self.records.load(self.index_slot), stored["index"])
                patched = incremental.patch(kept, index, changes, functools.partial(self._part, now), self.config)
                if patched is None:
                    return None
            outcome = kept if patched is None else patched[0]
            findings = evaluation.settled(outcome.raw, outcome.waivers, self.config, self.today)
        except (KeyError, IndexError, TypeError, ValueError, AttributeError, ArithmeticError, RecursionError):
            return None  # a damaged record of any shape
        if patched is not None:
            self._keep_patched(now, stored, kept, index, *patched)
        elif before != now:  # the next run compares its files with these bytes
            self._point(now, record["outcome"])
        return Outcome(findings, outcome.files, outcome.counts)

    def indexed(self, parts: Iterable[Part]) -> Iterator[Part]:
        """`parts`, as they go by noting what each holds, for `remember`."""
        self._indexer = Indexer()
        for part in parts:
            self._indexer.add(part[1])
            yield part

    def remember(self, now: Listing, raw: list[Finding], files: int, model: PolicySet) -> None:
        """Keep the raw findings of the files `now`, whose parts went through `indexed`
        and were merged into `model`."""
        self._rows, self._base = {}, None  # the findings of a full run are new
        kept = Kept(raw, files, model.counts(), tallies(model, self.config), model.waivers)
        self._keep(now, kept, self._indexer.index(model))

    def _keep_patched(self, now: Listing, stored: Any, was: Kept, index: Index, kept: Kept, moved: Index) -> None:
        """Keep a patched outcome: when its findings, counts and index came out the
        same (a duty retitled), only the record's file keys change; the index is
        written again only when it changed."""
        same_index = moved is index  # `patch` hands back what it did not change, not a copy
        if same_index and kept.raw is was.raw and kept.counts == was.counts and kept.tallies == was.tallies:
            self._point(now, stored["id"])
        else:
            self._keep(now, kept, moved, stored["index"] if same_index else None)

    def _keep(self, now: Listing, kept: Kept, index: Index, index_id: str | None = None) -> None:
        """Keep `kept` as the outcome of the files `now`, and `index` unless it is
        already kept under `index_id`."""
        made = _digest(self.context, *(identity for _, identity in now))
        if index_id is None:
            index_id = made
            value = {
                "id": made,
                "shares": index.shares,
                "directory": index.directory,
                "funders": index.funders,
                "payers": index.payers,
            }
            self.records.save(self.index_slot, value)
        base, gone, added = self._delta(kept.raw)
        if base is None:
            base = _digest(made, "base")
            self.records.save(self.base_slot, {"id": base, "raw": added})
            gone, added = [], []
        outcome = {
            "id": made,
            "index": index_id,
            "base": base,
            "gone": gone,
            "added": added,
            "files": kept.files,
            "counts": kept.counts,
            "tallies": kept.tallies,
            "waivers": [waiver_row(w) for w in kept.waivers],
        }
        self.records.save(self.outcome_slot, outcome)
        self._point(now, made)

    def _delta(self, raw: list[Finding]) -> tuple[str | None, list[int], list[list[Any]]]:
        """`raw` as the recalled base's id, the places of its rows that are gone, and the
        rows added; with no base id (and every row as added) when the base should be
        written again: there is none, or a quarter of it or more has changed. Written
        this way, a patch that changes a few findings writes a few rows, not thousands."""
        rows = self._rows
        kept: set[int] = set()
        added = []
        for finding in raw:
            known = rows.get(id(finding))
            if known is not None and known[2] is not None:
                kept.add(known[2])
            else:
                added.append(finding_row(finding) if known is None else known[1])
        if self._base is None:
            return None, [], added
        base, size = self._base
        gone = [place for place in range(size) if place not in kept]
        if 4 * (len(gone) + len(added)) >= size:
            return None, [], [rows[id(f)][1] if id(f) in rows else finding_row(f) for f in raw]
        return base, gone, added

    def _kept(self, data: Any) -> Kept:
        """What a run kept, from its outcome entry; raises on anything damaged."""
        counts = _numbers(data["counts"])
        files = data["files"]
        if type(files) is not int:
            raise ValueError("damaged file count")
        counted = data["tallies"]
        for tally in counted.values():
            _numbers(tally, least=1)  # a count of zero is never kept
        base = self.records.load(self.base_slot)
        if base["id"] != data["base"]:
            raise ValueError("another run's base")  # two runs replaced the entries in turn
        gone = set(data["gone"])
        rows: list[tuple[list[Any], int | None]] = [
            (row, place) for place, row in enumerate(base["raw"]) if place not in gone
        ]
        if len(rows) + len(gone) != len(base["raw"]):
            raise ValueError("damaged delta")  # a place that is not one
        rows += [(row, None) for row in data["added"]]
        raw = [finding_of(row) for row, _ in rows]
        waivers = [waiver_of(row) for row in data["waivers"]]
        self._rows = {id(finding): (finding, row, place) for finding, (row, place) in zip(raw, rows, strict=True)}
        self._base = (data["base"], len(base["raw"]))
        return Kept(raw, files, counts, counted, waivers)

    def _point(self, now: Listing, made: str) -> None:
        # A recall that only updates the files' keys rewrites this short record, not
        # every finding.
        self.records.save(self.slot, {"context": self.context, "files": [list(pair) for pair in now], "outcome": made})

    def _change(self, position: int, item: Content | LoadedFile, old: str, new: str) -> Change | bool | None:
        """How the file `item` at `position`, once cached under `old`, changed: True if
        its part is the same, None if that cannot be told. Its new part is parsed
        here and cached under `new`, for the full run a difference may lead to."""
        if not isinstance(item, Content) or not isinstance(old, str) or old.startswith("!"):
            return None
        before = self.store.load(old)
        if before is None:
            return None
        after = self.store.load(new)
        if after is None:
            after = encode(*read_part(item.name, item.data, self.limits))
            self.store.save(new, after)
        if _text(before) == _text(after):
            return True
        then, now = decoded(before, item.name), decoded(after, item.name)
        if then is None or now is None:
            return None
        return Change(position, before, after, then, now)

    def _part(self, now: Listing, position: int, budgets: Collection[str] | None = None) -> PolicySet | None:
        """The cached part of the file at `position` (see `incremental.Load`)."""
        if not 0 <= position < len(now):
            return None
        name, identity = now[position]
        if budgets is None:
            found = self.store.get(identity, name)
            return None if found is None else found[0]
        entry = self.store.load(identity)
        try:
            return None if entry is None else cache.budgets_only(entry, name, budgets)
        except Exception:  # a damaged entry of any shape is a miss
            return None


def _numbers(value: Any, least: int | None = None) -> dict[str, int]:
    """`value`, if it maps text to whole numbers (of at least `least`); raises if not."""
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and type(v) is int and (least is None or v >= least) for k, v in value.items()
    ):
        raise ValueError("damaged counts")
    return value


def _digest(*fields: str) -> str:
    return hashlib.sha256("\0".join(fields).encode("utf-8", "surrogatepass")).hexdigest()


def _text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _index(data: Any, index_id: str) -> Index:
    """The index kept under `index_id`; raises on anything damaged or another one."""
    if data["id"] != index_id:
        raise ValueError("another run's index")
    shares, directory, funders, payers = data["shares"], data["directory"], data["funders"], data["payers"]
    if not all(type(p) is int for p in directory):
        raise ValueError("damaged index")
    for places in [*shares.values(), *funders.values(), *payers.values()]:
        if not isinstance(places, list):
            raise ValueError("damaged index")
    return Index(shares, directory, {duty: [tuple(pair) for pair in pairs] for duty, pairs in funders.items()}, payers)

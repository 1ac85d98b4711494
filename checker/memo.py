"""Early cutoff: a run whose every file means what it meant in the last run
reports what that run reported, without merging the set or running a rule.

What a run reports depends on nothing but each file's part (what it adds to
the model and its own findings, in file order), the configuration, the date
waivers expire against, the folder names are shown from, and the checker's
code. So the last outcome for a set of folders and a configuration is kept in
the cache (one record, replaced by each run) with the cache keys of the files
it came from. A file whose bytes changed but whose part did not (a comment
added or reworded, trailing white space) still counts as unchanged: its old
part, in the cache under its old key, is compared with its new one, as build
systems cut off a rebuild whose output came out the same. Any other change,
one that only moves a line included, is a miss, and the run is done in full.

The record is read like any cache entry (see `cache`): JSON, never through a
link, and anything damaged, missing or of another shape is a miss.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .cache import Cache, encode, finding_of, finding_row, is_key, key, salt
from .config import Config
from .finding import Finding
from .loader import Content, LoadedFile
from .reading import PARALLEL_MIN_BYTES, default_jobs, read_part
from .registry import RULES

FORMAT = 1  # bump when the record below changes

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
        self.limits = config.limits
        self.jobs = default_jobs() if jobs is None else max(1, jobs)
        cwd = os.getcwd()
        # Which record: one per folder set and configuration file, run from one folder.
        # Its outcome is an entry of its own, replaced in place, so that the folder
        # holds two files per slot however many runs there were.
        self.slot = _digest("memo-slot", str(FORMAT), cwd, str(config.file), *(str(p.resolve()) for p in folders))
        self.outcome_slot = _digest(self.slot, "outcome")
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
        """The last outcome, if every file in `now` (the listing of `items`) means what
        the last run's did; else None."""
        record = self.records.load(self.slot)
        try:
            if not isinstance(record, dict) or record.get("context") != self.context:
                return None
            before = [(name, identity) for name, identity in record["files"]]
            if before == now:
                changed = []
            elif [name for name, _ in before] != [name for name, _ in now]:
                return None  # a file added, removed or renamed
            else:
                changed = [
                    (item, old, new) for item, (_, old), (_, new) in zip(items, before, now, strict=True) if old != new
                ]
            # A changed file not cached yet is parsed here, in this process: when the
            # full run would parse those files on several processors (as `reading`
            # decides), that run is the faster way.
            parse = [item.data for item, _, new in changed if isinstance(item, Content) and not self.store.holds(new)]
            if self.jobs > 1 and len(parse) >= 2 and sum(map(len, parse)) >= PARALLEL_MIN_BYTES:
                return None
            if not all(self._same_part(item, old, new) for item, old, new in changed):
                return None
            if not is_key(record["outcome"]):
                return None
            stored = self.records.load(self.outcome_slot)
            # Two runs may have replaced the two files in turn: the outcome must be
            # the one this record was written with.
            if stored["id"] != record["outcome"]:
                return None
            outcome = _outcome(stored)
        except (KeyError, IndexError, TypeError, ValueError, AttributeError, RecursionError):
            return None  # a damaged record of any shape
        if before != now:  # the next run compares its files with these bytes
            self._point(now, record["outcome"])
        return outcome

    def remember(self, now: Listing, outcome: Outcome) -> None:
        """Keep `outcome` as that of the files `now`."""
        made = _digest(self.context, *(identity for _, identity in now))
        findings = [finding_row(f) for f in outcome.findings]
        self.records.save(
            self.outcome_slot, {"id": made, "findings": findings, "files": outcome.files, "counts": outcome.counts}
        )
        self._point(now, made)

    def _point(self, now: Listing, made: str) -> None:
        # A recall that only updates the files' keys rewrites this short record, not
        # every finding.
        self.records.save(self.slot, {"context": self.context, "files": [list(pair) for pair in now], "outcome": made})

    def _same_part(self, item: Content | LoadedFile, old: str, new: str) -> bool:
        """Whether the file `item`, once cached under `old`, still gives the same part.
        Its new part is parsed here and cached under `new` for the full run that a
        difference leads to."""
        if not isinstance(item, Content) or not isinstance(old, str) or old.startswith("!"):
            return False
        before = self.store.load(old)
        if before is None:
            return False
        after = self.store.load(new)
        if after is None:
            after = encode(*read_part(item.name, item.data, self.limits))
            self.store.save(new, after)
        return _text(before) == _text(after)


def _digest(*fields: str) -> str:
    return hashlib.sha256("\0".join(fields).encode("utf-8", "surrogatepass")).hexdigest()


def _text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _outcome(data: Any) -> Outcome:
    counts = data["counts"]
    if not isinstance(counts, dict) or not all(isinstance(k, str) and type(v) is int for k, v in counts.items()):
        raise ValueError("damaged counts")
    files = data["files"]
    if type(files) is not int:
        raise ValueError("damaged file count")
    return Outcome([finding_of(row) for row in data["findings"]], files, counts)

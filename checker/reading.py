"""Policy files in, each file's part of the model out: through the cache, and on
several processors when there is enough to parse.

A file's part (its loading, schema and cap findings, and what it adds to the
model) depends on nothing but its bytes and name, so files can be read in any
order and anywhere; the parts are still handed back in the files' order, which
is the order the model merges them in, so the result is the same whichever way
they were read.

Parsing is most of a cold run and Python runs it on one processor at a time,
so a large set is parsed by this process and a pool of worker processes
together. The workers send back
the cache's JSON encoding of each part (plain lists and strings: cheap to pass
between processes, and the form a cached part is read from anyway), and write
the cache entries themselves. A small set, such as a pre-commit run, is read
in this process: starting workers would cost more than they save.
"""

from __future__ import annotations

import dataclasses
import gc
import os
import signal
import sys
import threading
from collections.abc import Iterable, Iterator
from itertools import repeat
from typing import TYPE_CHECKING, Any

from .cache import Cache, decode, encode, key
from .finding import Finding, Location
from .loader import MAX_REPORTED_PER_FILE, MORE, Content, Limits, LoadedFile, load_bytes
from .model import PolicySet
from .rules import schema as schema_rule
from .validate import validated_part

if TYPE_CHECKING:
    import multiprocessing.context
    from concurrent.futures import Future

Part = tuple[str, PolicySet, list[Finding]]  # file name, its part of the model, its findings

# Below this many bytes to parse, one process is faster: forking and feeding
# workers costs a few hundredths of a second, parsing 1 MiB about a fifth.
PARALLEL_MIN_BYTES = 1024 * 1024
MAX_JOBS = 8  # a policy set is not big enough to keep more busy


def read_part(name: str, data: bytes, limits: Limits) -> tuple[PolicySet, list[Finding]]:
    """One file's part of the model and its own findings (loading, validation, caps):
    everything about a file that does not depend on the others, so it can be cached."""
    loaded = load_bytes(data, name, limits)
    part, found = validated_part(loaded)
    if not found and all(document.value is None for document in loaded.documents):
        found.append(_no_document(name))
    return part, _capped(found)


def default_jobs() -> int:
    """The processors this process may run on, at most MAX_JOBS."""
    try:
        available = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on every platform
        available = os.cpu_count() or 1
    return max(1, min(available, MAX_JOBS))


def read_parts(
    items: Iterable[Content | LoadedFile],
    limits: Limits,
    store: Cache | None,
    jobs: int | None = None,
    keys: Iterable[str | None] | None = None,
) -> Iterator[Part]:
    """Each file's part, in the order of `items`.

    `jobs` is how many processes may parse at once (None: one per processor);
    with 1, or when the files left to parse after the cache are few, files are
    read here one at a time, and no more than one file's YAML is alive at once.
    `keys`, when given, are the items' cache keys, already computed.
    """
    jobs = default_jobs() if jobs is None else max(1, jobs)
    known = repeat(None) if keys is None else iter(keys)
    if jobs == 1:
        for item, entry in zip(items, known, strict=keys is not None):  # without keys, `known` is endless
            yield _serial(item, limits, store, entry)
        return
    listed = list(items)
    entries: list[str | None] = []
    found: list[Part | None] = []
    size = count = 0
    for item, known_entry in zip(listed, known, strict=keys is not None):
        entry, part = _cached(item, limits, store, known_entry)
        entries.append(entry)
        found.append(part)
        if part is None and isinstance(item, Content):
            size, count = size + len(item.data), count + 1
    if size < PARALLEL_MIN_BYTES or count < 2:
        for item, entry, part in zip(listed, entries, found, strict=True):
            yield part if part is not None else _parsed(item, entry, limits, store)
        return
    yield from _pooled(listed, entries, found, limits, store, min(jobs, count))


def _serial(item: Content | LoadedFile, limits: Limits, store: Cache | None, entry: str | None) -> Part:
    entry, part = _cached(item, limits, store, entry)
    return part if part is not None else _parsed(item, entry, limits, store)


def _cached(
    item: Content | LoadedFile, limits: Limits, store: Cache | None, entry: str | None
) -> tuple[str | None, Part | None]:
    """The file's cache key (`entry` if already known), and its part when the cache holds it."""
    if store is None or not isinstance(item, Content):
        return None, None
    entry = entry or key(item.name, item.data, limits)
    cached = store.get(entry, item.name)
    return entry, None if cached is None else (item.name, *cached)


def _parsed(item: Content | LoadedFile, entry: str | None, limits: Limits, store: Cache | None) -> Part:
    """The part of a file the cache does not hold (looked up under `entry`): read, and stored."""
    if isinstance(item, LoadedFile):  # refused or unreadable: its finding is all it gives
        return item.file, PolicySet(), item.findings
    part, found = read_part(item.name, item.data, limits)
    if store is not None and entry is not None:
        store.put(entry, part, found)
    return item.name, part, found


def _pooled(
    listed: list[Content | LoadedFile],
    entries: list[str | None],
    found: list[Part | None],
    limits: Limits,
    store: Cache | None,
    jobs: int,
) -> Iterator[Part]:
    """This process parses a share of the files itself and `jobs - 1` workers the rest."""
    # Imported here: a small set, the pre-commit case, never pays for them.
    from concurrent.futures import ProcessPoolExecutor

    try:
        pool = ProcessPoolExecutor(jobs - 1, mp_context=_context(), initializer=_start_worker)
    except (OSError, ImportError, ValueError):  # no process pool here (no semaphores, a sandbox)
        for item, entry, part in zip(listed, entries, found, strict=True):
            yield part if part is not None else _parsed(item, entry, limits, store)
        return
    with pool:
        futures: dict[int, Future[dict[str, Any]]] = {}
        here: list[int] = []
        mine = theirs = 0  # bytes given to this process and to the workers
        for index, (item, entry, part) in enumerate(zip(listed, entries, found, strict=True)):
            if part is not None or not isinstance(item, Content):
                continue
            size = len(item.data)
            # A part a worker parsed still costs this process TAKE_IN of its parsing to
            # take in; each file goes where the busier side ends up least busy.
            if _busiest(mine + size, theirs, jobs - 1) <= _busiest(mine, theirs + size, jobs - 1):
                here.append(index)
                mine += size
            else:
                futures[index] = pool.submit(_worker, item.name, item.data, limits, store, entry)
                theirs += size
        for index in here:
            found[index] = _parsed(listed[index], entries[index], limits, store)
        for index, (item, entry, part) in enumerate(zip(listed, entries, found, strict=True)):
            encoded = _result(futures.get(index))
            if part is not None:
                yield part
            elif encoded is not None and isinstance(item, Content):
                yield item.name, *decode(encoded, item.name)
            else:  # refused or unreadable, or its worker died (killed, out of memory)
                yield _parsed(item, entry, limits, store)


# Against parsing a file here: what taking in a worker's part of it costs here
# (unpickling and decoding), and what the worker spends on it in all (parsing,
# encoding, pickling). Measured on the 10,000- and 100,000-duty sets.
TAKE_IN = 0.15
GIVE_OUT = 1.15


def _busiest(mine: int, theirs: int, workers: int) -> float:
    return max(mine + TAKE_IN * theirs, GIVE_OUT * theirs / workers)


def _result(future: Future[dict[str, Any]] | None) -> dict[str, Any] | None:
    from concurrent.futures.process import BrokenProcessPool

    if future is None:
        return None
    try:
        return future.result()
    except BrokenProcessPool:
        return None


def _context() -> multiprocessing.context.BaseContext:
    """Fork where it is safe: it starts a worker in milliseconds, with this process's
    modules already imported. Not with other threads running (a forked child can
    inherit a lock one of them held), and not on macOS, whose system libraries
    do not survive it; a fresh interpreter is started there instead."""
    import multiprocessing

    if sys.platform == "linux" and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _start_worker() -> None:
    # Ctrl-C is for the main process to handle; a worker interrupted mid-file
    # would only print a traceback. The collector is off for the reason the
    # engine turns it off: what a file builds holds no cycles.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.disable()


def _worker(name: str, data: bytes, limits: Limits, store: Cache | None, entry: str | None) -> dict[str, Any]:
    encoded = encode(*read_part(name, data, limits))
    if store is not None and entry is not None:
        store.save(entry, encoded)
    return encoded


# A hostile file can hold a million problems; a person needs the first of each kind.
MAX_PER_FILE_AND_RULE = MAX_REPORTED_PER_FILE


def _capped(found: list[Finding]) -> list[Finding]:
    """At most MAX_PER_FILE_AND_RULE findings of one rule from one file, then one that counts the rest."""
    if len(found) <= MAX_PER_FILE_AND_RULE:
        return found
    kept: list[Finding] = []
    omitted: dict[str, list[Finding]] = {}
    count: dict[str, int] = {}
    for finding in sorted(found, key=Finding.sort_key):
        if finding.detail == MORE:  # the loader's own count of what it left out
            kept.append(finding)
            continue
        n = count[finding.rule] = count.get(finding.rule, 0) + 1
        if n <= MAX_PER_FILE_AND_RULE:
            kept.append(finding)
        else:
            omitted.setdefault(finding.rule, []).append(finding)
    for rule, rest in omitted.items():
        # Placed where the first one left out is, so it reads after those listed.
        summary = f"{len(rest):,} more {rule} findings in this file are not listed"
        kept.append(dataclasses.replace(rest[0], message=summary, related=(), detail=MORE))
    return kept


def _no_document(name: str) -> Finding:
    return schema_rule.finding(
        Location(name), "no policy document in this file (it is empty, or only comments)", detail="(no document)"
    )

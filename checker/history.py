"""`raci history`: the audit trail of who owned and funded what, commit by commit.

One `git log` walk (first parent, oldest first, with the raw list of changed
blobs) and one long-lived `git cat-file --batch` process: each commit
re-reads only the policy files it changed, swaps their facts in a
`semantic.State`, and compares the entities those files touched. Commits
whose changes are only text (comments, order, formatting, a move between
files) change no meaning and are left out.

What a commit changes depends only on the blobs in effect before it and the
blobs it brings, all named by git ids: each step is cached under those ids
(see `_step_key`), so a second walk of the same history reads no file and
rebuilds no state; it only reads the commits' own objects.

Approvals are worked out on the way: every party that gained or lost
accountability for a duty, or a funding share of a budget, must be named in
an `Approved-by:` trailer of the commit, by someone other than the author.
"""

from __future__ import annotations

import datetime
import gc
import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from . import __version__
from .cache import Cache, blob_key
from .config import Config, ConfigError, parse_config
from .git import LINK_MODE, SUBMODULE_MODE, GitError, ObjectReader, Repository
from .loader import Limits, LoadedFile, load_bytes
from .revision import below, wanted
from .semantic import (
    Change,
    Facts,
    Key,
    Record,
    State,
    changed_keys,
    compare,
    config_facts,
    decode_facts,
    encode_facts,
    facts_of,
)

_ZERO = re.compile(r"^0+$")
_TRAILER = re.compile(r"^([A-Za-z0-9][A-Za-z0-9-]*)\s*:\s*(.*)$")
_NOREPLY = re.compile(r"^(?:\d+\+)?([A-Za-z0-9-]+)@users\.noreply\.github\.com$", re.IGNORECASE)
APPROVED_BY = "approved-by"


@dataclass(frozen=True, slots=True)
class Commit:
    """A commit as an auditor reads it."""

    id: str
    author: str
    email: str
    date: str  # the author date, ISO 8601 with its offset
    subject: str
    trailers: dict[str, list[str]]


@dataclass(frozen=True, slots=True)
class Approval:
    """Who had to approve a commit's changes of accountability or funding, and who did."""

    required: tuple[str, ...]  # parties that gained or lost
    approved: tuple[str, ...]  # of those, the ones an Approved-by trailer names (not the author)
    self_approved: tuple[str, ...]  # named, but the author is that party: does not count

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(p for p in self.required if p not in self.approved)


@dataclass(frozen=True, slots=True)
class Entry:
    commit: Commit
    changes: list[Change]
    approval: Approval
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class History:
    """The trail, newest commit first, and what it was made from."""

    entries: list[Entry]
    range: str  # the revisions walked, as given (default HEAD)
    head: str  # the commit the trail ends at
    tree: str  # that commit's tree id
    tool: str = f"raci-checker {__version__}"
    shallow: str | None = None  # set when the clone cannot show the whole trail
    warnings: list[str] = field(default_factory=list)  # files unreadable where the trail starts


def history(
    paths: Sequence[Path] = (),
    *,
    config: Config,
    revisions: str | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    store: Cache | None = None,
) -> History:
    """The trail of the policy set under `paths` (default: the configured folders).

    `revisions` is `REV` (its history) or `A..B` (the commits of B not in A);
    default HEAD. Raises GitError outside a repository or for an unknown revision.
    """
    folders = list(paths) or list(config.policies)
    repository = Repository.containing(folders[0])
    if store is not None and not store.usable_for(folders):
        store = None  # a cache inside the repository could be planted by a pull request
    prefixes = [repository.relative(f) for f in folders]
    walk = _Walk(repository, prefixes, _config_name(repository, config), config.limits, store)
    # As in `check()`: what the walk builds holds no cycles, and the cyclic collector
    # would rescan the growing state again and again (most of a second walk's time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return walk.run(revisions or "HEAD", since, until)
    finally:
        if collecting:
            gc.enable()


def upstream_range(near: Path) -> str:
    """`merge-base..HEAD` against the current branch's upstream, for --check-approvals."""
    repository = Repository.containing(near)
    try:
        upstream = repository.run("rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}").decode().strip()
    except GitError:
        raise GitError(
            "the current branch has no upstream to compare with; give the range, "
            "e.g. `raci history --check-approvals origin/main..HEAD`"
        ) from None
    base = repository.run("merge-base", upstream, "HEAD").decode().strip()
    return f"{base}..HEAD"


def _config_name(repository: Repository, config: Config) -> str | None:
    if config.file is None:
        return None
    try:
        return repository.relative(config.file)
    except GitError:
        return None  # a configuration outside the repository has no history here


class _Walk:
    def __init__(
        self,
        repository: Repository,
        prefixes: list[str],
        config_name: str | None,
        limits: Limits,
        store: Cache | None,
    ) -> None:
        self.repository = repository
        self.prefixes = prefixes
        self.config_name = config_name
        self.limits = limits
        self.store = store
        self.state = State()
        self.warnings: list[str] = []
        # path -> the blob whose facts are in effect: the last readable version of each
        # file. With `synced` False, `state` lags behind it (steps came from the cache).
        self.effective: dict[str, str] = {}
        self.synced = True
        self.missing = False  # an object could not be read: the step is not cached
        self.incomplete = False  # the state lacks a blob in effect: no later step is cached

    def run(self, revisions: str, since: datetime.date | None, until: datetime.date | None) -> History:
        start, end = self._range(revisions)
        head = self.repository.commit(end)
        tree = self.repository.run("rev-parse", f"{head}^{{tree}}").decode().strip()
        args = ["--literal-pathspecs", "log", "--first-parent", "--diff-merges=first-parent", "--reverse"]
        args += ["--raw", "-z", "--no-abbrev", "--no-renames", "--format=%H %P"]
        # No --since/--until here: git filters on the committer date, and the
        # trail shows (and so filters on) the author date.
        args.append(f"{start}..{head}" if start else head)
        args += ["--", *self._pathspecs()]
        log = self.repository.run(*args)
        shallow_roots = self._shallow_roots()
        entries: list[Entry] = []
        notice = None
        with self.repository.objects() as objects:
            records = list(_records(log))
            if records:
                # The state before the first commit listed is its first parent's (for
                # A..B, where B's branch left A's history: not A's, which moved on since).
                first_id, parents, _ = records[0]
                base = parents[0] if parents else None
                if first_id in shallow_roots:
                    # A shallow clone's oldest commit: its changes cannot be known, only its content.
                    base, records = first_id, records[1:]
                    notice = self._shallow_notice(first_id, objects)
                if base is not None:
                    self._load_tree(base, objects)
            elif shallow_roots:
                notice = self._shallow_notice(min(shallow_roots), objects)
            start_warnings = list(self.warnings)
            for commit_id, parents, changed in records:
                entry = self._commit(commit_id, parents, changed, objects)
                if entry is not None:
                    entries.append(entry)
        entries = [e for e in reversed(entries) if _within(e.commit.date, since, until)]
        return History(entries, revisions, head, tree, shallow=notice, warnings=start_warnings)

    def _range(self, revisions: str) -> tuple[str | None, str]:
        if ".." in revisions and "..." not in revisions:
            left, right = revisions.split("..", 1)
            return self.repository.commit(left or "HEAD"), right or "HEAD"
        return None, revisions

    def _pathspecs(self) -> list[str]:
        specs = [p for p in self.prefixes if p != "."] if "." not in self.prefixes else ["."]
        if self.config_name is not None and "." not in self.prefixes:
            specs.append(self.config_name)
        return specs

    def _shallow_roots(self) -> set[str]:
        if not self.repository.is_shallow():
            return set()
        path = self.repository.run("rev-parse", "--git-path", "shallow").decode().strip()
        try:
            text = (self.repository.root / path).read_text(encoding="ascii")
        except OSError:
            return set()
        return set(text.split())

    def _shallow_notice(self, commit_id: str, objects: ObjectReader) -> str:
        commit = _read_commit(commit_id, objects)
        when = f" ({commit.date[:10]})" if commit else ""
        return (
            f"this clone is shallow: the trail starts at {commit_id[:12]}{when}, and what changed in that "
            "commit and before it is not shown; `git fetch --unshallow` fetches the whole history"
        )

    def _is_policy(self, path: str, mode: str) -> bool:
        if mode in (LINK_MODE, SUBMODULE_MODE):
            return False  # links are not followed in the history (their targets have their own)
        for prefix in self.prefixes:
            rest = below(path, prefix)
            if rest == "" or (rest is not None and wanted(mode, rest)):
                return True
        return False

    def _load_tree(self, commit: str, objects: ObjectReader) -> None:
        """The state at `commit`: every policy file and the configuration, read once."""
        specs = self._pathspecs()
        listing: list[tuple[str, str | None]] = [
            (entry.path, entry.oid)
            for entry in self.repository.tree(commit, [] if specs == ["."] else specs)
            if entry.path == self.config_name or self._is_policy(entry.path, entry.mode)
        ]
        self._step("start", listing, objects, commit)

    def _step(self, kind: str, changed: list[tuple[str, str | None]], objects: ObjectReader, commit: str) -> _Step:
        """Bring the files in `changed` (path, new blob or None when deleted) into effect:
        from the cache when this step was taken before, else by reading them."""
        entry = self._step_key(kind, changed)
        step = _decode_step(self.store.load(entry)) if entry is not None and self.store is not None else None
        if step is None:
            self.missing = False
            step = self._read_step(changed, objects, commit)
            if entry is not None and self.store is not None and not (self.missing or self.incomplete):
                self.store.save(entry, _encode_step(step))
        else:
            self.synced = False
            self.warnings.extend(step.warnings)
        for path, oid in changed:
            if oid is None:
                self.effective.pop(path, None)
            elif path not in step.kept:
                self.effective[path] = oid
        return step

    def _step_key(self, kind: str, changed: list[tuple[str, str | None]]) -> str | None:
        """The cache key of a step: the blobs in effect before it and the ones it brings
        (with the configuration's path, which decides how one of them is read)."""
        if self.store is None:
            return None
        digest = hashlib.sha256()
        for path, oid in sorted(self.effective.items()):
            digest.update(f"{path}\0{oid}\n".encode("utf-8", "surrogateescape"))
        digest.update(b"\1")
        for path, new in changed:
            digest.update(f"{path}\0{new or '-'}\n".encode("utf-8", "surrogateescape"))
        return blob_key(f"step-{kind}", self.config_name or "", digest.hexdigest(), self.limits)

    def _read_step(self, changed: list[tuple[str, str | None]], objects: ObjectReader, commit: str) -> _Step:
        warnings_before = len(self.warnings)
        if not self.synced:
            self._sync(objects, commit)
        updates: dict[str, Facts | None] = {}
        kept: list[str] = []
        for path, oid in changed:
            facts = None if oid is None else self._facts(path, oid, objects, commit)
            if oid is not None and facts is None:
                kept.append(path)  # unreadable: its last good content stays in effect
            else:
                updates[path] = facts
        keys: set[Key] = set()
        for path, facts in updates.items():
            keys |= changed_keys(self.state.facts(path), facts)
        before = self.state.views(keys)
        for path, facts in updates.items():
            self.state.put(path, facts)
        changes = compare(before, self.state.views(keys))
        # Approvals name parties by id, handle or email: their records as they are now.
        records = {party: self.state.view(("party", party)) or {} for party in sorted(gained_or_lost(changes))}
        return _Step(changes, kept, self.warnings[warnings_before:], records)

    def _sync(self, objects: ObjectReader, commit: str) -> None:
        """Rebuild the state from the blobs in effect, after steps taken from the cache.

        They were all read before, so only a blob gone since (a pruned or damaged
        repository) can fail here: its warning is this commit's, and the state
        then lacks a file the key of every later step says it has.
        """
        self.state = State()
        for path, oid in sorted(self.effective.items()):
            facts = self._facts(path, oid, objects, commit)
            if facts is None:
                self.incomplete = True
            else:
                self.state.put(path, facts)
        self.synced = True

    def _facts(self, path: str, oid: str, objects: ObjectReader, commit: str) -> Facts | None:
        """The facts of one blob; None (with a warning) when it cannot be read as policy.

        Through the cache, keyed by the blob id: a second walk of the same
        history reads no blob and parses no file.
        """
        # The configuration and a policy file are read differently: never one key for both.
        kind = "config" if path == self.config_name else "facts"
        entry = blob_key(kind, path, oid, self.limits) if self.store is not None else None
        if entry is not None and self.store is not None:
            cached = decode_facts(self.store.load(entry))
            if cached is not None:
                if isinstance(cached, str):
                    self.warnings.append(cached)
                    return None
                return cached
        found = objects.read(oid)
        if found is None:
            self.missing = True
            self.warnings.append(f"{path}: its git object is missing at {commit[:12]}")
            return None
        result = self._read(path, found.data)
        if entry is not None and self.store is not None:
            self.store.save(entry, encode_facts(result))
        if isinstance(result, str):
            self.warnings.append(result)
            return None
        return result

    def _read(self, path: str, data: bytes) -> Facts | str:
        """The facts of a file's bytes, or the warning that says why it cannot be read."""
        if path == self.config_name:
            try:
                return config_facts(path, parse_config(data, path)[0])
            except ConfigError as exc:
                return f"{exc}; its last good settings are kept"
        loaded: LoadedFile = load_bytes(data, path, self.limits)
        if loaded.findings and not any(d.value is not None for d in loaded.documents):
            first = loaded.findings[0]
            return f"{first.location}: {first.message}; its last good content is kept"
        return facts_of(loaded)

    def _commit(
        self, commit_id: str, parents: list[str], changed: list[tuple[str, str, str]], objects: ObjectReader
    ) -> Entry | None:
        relevant: list[tuple[str, str | None]] = [
            (path, None if _ZERO.match(oid) else oid)
            for path, mode, oid in changed
            if path == self.config_name or self._is_policy(path, mode)
        ]
        if not relevant:
            return None
        self.warnings = []
        step = self._step("commit", relevant, objects, commit_id)
        if not step.changes and not step.warnings:
            return None
        commit = _read_commit(commit_id, objects)
        if commit is None:
            raise GitError(f"commit {commit_id} cannot be read")
        merged = self._merged(commit_id, parents, objects) if step.records else []
        return Entry(commit, step.changes, _approval(commit, step, merged), step.warnings)

    def _merged(self, commit_id: str, parents: list[str], objects: ObjectReader) -> list[Commit]:
        """The commits a merge brought to the branch (their trailers carry the approvals
        of a pull request merged with a merge commit)."""
        if len(parents) < 2:
            return []
        ids = self.repository.run("rev-list", f"{parents[0]}..{commit_id}").decode("ascii").split()
        found = (_read_commit(oid, objects) for oid in ids if oid != commit_id)
        return [commit for commit in found if commit is not None]


def _approval(commit: Commit, step: _Step, merged: list[Commit]) -> Approval:
    """Who had to approve, and who did: an `Approved-by:` of the commit, or of a
    commit its merge brought in, by someone other than that commit's author
    when the party approves its own gain (approving one's own loss counts)."""
    gained, lost = _gained_and_lost(step.changes)
    required = sorted(gained | lost)
    if not required:
        return Approval((), (), ())
    approvals = [(token, carrier) for carrier in (commit, *merged) for token in _approvals(carrier)]
    approved, self_approved = [], []
    for party in required:
        record = step.records.get(party, {})
        carriers = [carrier for token, carrier in approvals if _names(token, party, record)]
        if not carriers:
            continue
        if party in gained and all(_is_author(carrier, record) for carrier in carriers):
            self_approved.append(party)
        else:
            approved.append(party)
    return Approval(tuple(required), tuple(approved), tuple(self_approved))


@dataclass(frozen=True, slots=True)
class _Step:
    """What bringing some blobs into effect did: the changes, the files whose new
    version could not be read (kept at their last good one), the warnings, and the
    records of the parties that gained or lost (their ids, handles and emails are
    what approvals are matched against)."""

    changes: list[Change]
    kept: list[str]
    warnings: list[str]
    records: dict[str, Record]


def _encode_step(step: _Step) -> dict[str, Any]:
    return {
        "changes": [[c.change, c.entity, c.id, c.field, c.before, c.after] for c in step.changes],
        "kept": step.kept,
        "warnings": step.warnings,
        "records": step.records,
    }


def _decode_step(data: Any) -> _Step | None:
    """What `_encode_step` wrote, or None for anything else (a miss)."""
    try:
        changes = [Change(*item) for item in data["changes"]]
        kept, warnings, records = data["kept"], data["warnings"], data["records"]
        texts = [*kept, *warnings, *records, *(t for c in changes for t in (c.change, c.entity, c.id))]
        if not all(type(text) is str for text in texts) or not all(type(r) is dict for r in records.values()):
            return None
        if not all(c.field is None or type(c.field) is str for c in changes):
            return None
        return _Step(changes, kept, warnings, records)
    except Exception:  # a damaged entry of any shape is a miss
        return None


def _within(date: str, since: datetime.date | None, until: datetime.date | None) -> bool:
    """Whether an author date (ISO 8601, the author's own calendar day as shown) is in range."""
    day = date[:10]
    return (since is None or day >= since.isoformat()) and (until is None or day <= until.isoformat())


def gained_or_lost(changes: Iterable[Change]) -> set[str]:
    """Parties whose accountability for a duty, or funding share of a budget, the changes altered."""
    gained, lost = _gained_and_lost(changes)
    return gained | lost


def accountability_changes(changes: Iterable[Change]) -> list[Change]:
    """The changes that need approval: of a duty's accountable parties or a budget's splits."""
    return [change for change in changes if any(_altered(change))]


def _gained_and_lost(changes: Iterable[Change]) -> tuple[set[str], set[str]]:
    gained: set[str] = set()
    lost: set[str] = set()
    for change in changes:
        more, less = _altered(change)
        gained |= more
        lost |= less
    return gained, lost


def _altered(change: Change) -> tuple[set[str], set[str]]:
    """(parties that gained, parties that lost) accountability or funding in one change."""
    if change.entity == "duty":
        old, new = _sides(change, "accountable")
        before, after = set(old or ()), set(new or ())
        return after - before, before - after
    if change.entity == "budget":
        old, new = _sides(change, "splits")
        old, new = old or {}, new or {}
        moved = [p for p in set(old) | set(new) if old.get(p) != new.get(p)]
        more = {p for p in moved if Decimal(new.get(p, "0")) > Decimal(old.get(p, "0"))}
        return more, set(moved) - more
    return set(), set()


def _sides(change: Change, name: str) -> tuple[Any, Any]:
    """The field `name` before and after: from the whole record of an added or
    removed entity, from the change itself when it is that field, else (None, None)."""
    if change.field is None:
        before = change.before.get(name) if isinstance(change.before, dict) else None
        after = change.after.get(name) if isinstance(change.after, dict) else None
        return before, after
    if change.field == name:
        return change.before, change.after
    return None, None


def _approvals(commit: Commit) -> Iterator[str]:
    """The approvers a commit's `Approved-by:` trailers name, one token each."""
    for key, values in commit.trailers.items():
        if key.lower() == APPROVED_BY:
            for value in values:
                yield from _approver_tokens(value)


def _approver_tokens(value: str) -> Iterator[str]:
    for token in value.split(","):
        token = token.strip()
        email = re.search(r"<([^<>\s]+@[^<>\s]+)>", token)
        if email:
            yield email.group(1)
        elif token:
            yield token


def _names(token: str, party: str, record: dict[str, Any]) -> bool:
    lowered = token.lower()
    if token == party:
        return True
    github = record.get("github")
    if isinstance(github, str) and lowered == github.lower():
        return True
    return lowered in {e.lower() for e in record.get("emails") or ()}


def _is_author(commit: Commit, record: dict[str, Any]) -> bool:
    email = commit.email.lower()
    if email in {e.lower() for e in record.get("emails") or ()}:
        return True
    login = _NOREPLY.match(email)
    github = record.get("github")
    return bool(login and isinstance(github, str) and github.lower() == f"@{login.group(1).lower()}")


def _records(log: bytes) -> Iterator[tuple[str, list[str], list[tuple[str, str, str]]]]:
    """(commit, parents, [(path, new mode, new blob)]) from `git log --raw -z --format='%H %P'`.

    Only hex ids and modes are parsed from text; every path is a NUL-terminated
    field of its own, so no file name or commit message can be misread.
    """
    tokens = log.split(b"\0")
    commit: str | None = None
    parents: list[str] = []
    changed: list[tuple[str, str, str]] = []
    i = 0
    while i < len(tokens):
        token = tokens[i].lstrip(b"\n")
        i += 1
        if not token:
            continue
        if token.startswith(b":"):
            # :old_mode new_mode old_blob new_blob status, then the path
            fields = token[1:].split()
            path = tokens[i].decode("utf-8", "surrogateescape") if i < len(tokens) else ""
            i += 1
            changed.append((path, fields[1].decode(), fields[3].decode()))
            continue
        if commit is not None:
            yield commit, parents, changed
        ids = token.decode("ascii").split()
        commit, parents, changed = ids[0], ids[1:], []
    if commit is not None:
        yield commit, parents, changed


def _read_commit(commit_id: str, objects: ObjectReader) -> Commit | None:
    found = objects.read(commit_id)
    if found is None or found.kind != "commit":
        return None
    return parse_commit(commit_id, found.data)


def parse_commit(commit_id: str, data: bytes) -> Commit:
    """A raw commit object: its author line, subject and trailers."""
    text = data.decode("utf-8", "replace")
    headers, _, message = text.partition("\n\n")
    author, email, date = "", "", ""
    for line in headers.splitlines():
        if line.startswith("author "):
            author, email, date = _person(line[len("author ") :])
    subject = message.strip().split("\n", 1)[0].strip() if message.strip() else ""
    return Commit(commit_id, author, email, date, subject, parse_trailers(message))


def _person(value: str) -> tuple[str, str, str]:
    """`Name <email> 1790000000 +0200` -> (name, email, ISO 8601 date)."""
    match = re.match(r"^(.*?)\s*<([^>]*)>\s*(\d+)\s*([+-]\d{4})?", value)
    if not match:
        return value, "", ""
    name, email, seconds, offset = match.groups()
    offset = offset or "+0000"
    try:
        delta = datetime.timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5]))
        zone = datetime.timezone(delta if offset[0] == "+" else -delta)
        return name, email, datetime.datetime.fromtimestamp(int(seconds), zone).isoformat()
    except (ValueError, OverflowError, OSError):
        # git accepts dates Python cannot hold (a year past 9999, an offset of a day):
        # shown as git stores them rather than failing the whole trail.
        return name, email, f"@{seconds} {offset}"


def parse_trailers(message: str) -> dict[str, list[str]]:
    """The trailers of a commit message, read as `git interpret-trailers` reads them.

    The block is the message's last paragraph (never the subject alone). It
    counts when every line is a `Key: value` trailer or the indented
    continuation of one, or when at least a quarter of its lines are trailers
    and one is git's own (`Signed-off-by:`, or the `(cherry picked from commit
    ...)` line of `git cherry-pick -x`); other lines are then left out.
    """
    paragraphs = [p for p in re.split(r"\n\s*\n", message.strip()) if p.strip()]
    if len(paragraphs) < 2:
        return {}
    lines = paragraphs[-1].splitlines()
    parsed: list[tuple[str, str] | None] = []  # a trailer, or None for another line
    for line in lines:
        if line[:1] in (" ", "\t") and parsed and parsed[-1] is not None:
            key, value = parsed[-1]
            parsed[-1] = (key, f"{value} {line.strip()}")
            continue
        match = _TRAILER.match(line)
        parsed.append((match.group(1), match.group(2).strip()) if match else None)
    trailers = [item for item in parsed if item is not None]
    if len(trailers) != len(parsed):
        generated = any(key.lower() == "signed-off-by" for key, _ in trailers) or any(
            line.startswith("(cherry picked from commit ") for line in lines
        )
        if not (generated and 4 * len(trailers) >= len(parsed)):
            return {}
    found: dict[str, list[str]] = {}
    for key, value in trailers:
        found.setdefault(_canonical(key, found), []).append(value)
    return found


def _canonical(key: str, seen: dict[str, list[str]]) -> str:
    """Trailer keys compare without case; the first spelling met is kept."""
    for known in seen:
        if known.lower() == key.lower():
            return known
    return key


def select(
    trail: History, *, duties: Sequence[str] = (), parties: Sequence[str] = (), budgets: Sequence[str] = ()
) -> History:
    """Only the changes (and commits) that touch the named entities; filters combine with AND.

    Without a filter the trail is kept whole, commits marked only with a
    warning (a file that broke) included.
    """
    if not (duties or parties or budgets):
        return trail

    def keep(change: Change) -> bool:
        if duties and not (change.entity == "duty" and change.id in duties):
            return False
        if budgets and not (change.entity == "budget" and change.id in budgets):
            return False
        return not parties or any(_mentions(change, party) for party in parties)

    entries = []
    for entry in trail.entries:
        changes = [c for c in entry.changes if keep(c)]
        if changes:
            entries.append(replace(entry, changes=changes))
    return replace(trail, entries=entries)


def _mentions(change: Change, party: str) -> bool:
    """A change to the party itself, or to a letter or split that names it (before or after)."""
    if change.entity == "party":
        return change.id == party
    fields = {"duty": ("accountable", "responsible", "consulted", "informed"), "budget": ("splits",)}
    for name in fields.get(change.entity, ()):
        old, new = _sides(change, name)
        if party in (old or ()) or party in (new or ()):
            return True
    return False


def unapproved(trail: History) -> list[Entry]:
    """The commits whose changes of accountability or funding lack an approval."""
    return [entry for entry in trail.entries if entry.approval.missing]

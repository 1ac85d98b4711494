"""A content-addressed cache of parsed and validated policy files.

What a file contributes to a run (its loading and validation findings, and
its part of the model) depends only on its bytes, its name and what reads it.
An entry is keyed by a SHA-256 of exactly that: the bytes, the name shown in
output, this package's version and the digest of its own code, PyYAML's and
libyaml's versions, the installed JSON Schema validator, the packaged schemas'
text and the loader's limits, so a stale entry cannot be found, let alone used.

Entries are JSON, which executes nothing when read (never pickle). They live
in the user's cache folder (`$XDG_CACHE_HOME/raci`, default `~/.cache/raci`),
and a cache folder inside the checked repository is not used at all, since a
pull request could commit entries there. An entry holds its own key; it is
read only as a regular file of the user's, never through a link; it is
written to a temporary file and renamed into place, so two runs sharing the
folder never see half of one; and anything unreadable or damaged is a miss:
the file is simply parsed again.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import stat
import sys
import tempfile
from collections.abc import Collection
from decimal import Decimal
from functools import cache
from itertools import repeat
from pathlib import Path
from typing import Any

from . import __version__
from .finding import Finding, Location, Severity
from .loader import Limits
from .model import (
    LETTERS,
    Budget,
    Claim,
    CustomRule,
    Definition,
    Duty,
    Party,
    PolicySet,
    Pool,
    Ref,
    Selector,
    Split,
    Waiver,
)
from .paths import repository_root

FORMAT = 4  # bump when the encoding below changes
_LETTER_INDEX = {letter: index for index, letter in enumerate(LETTERS)}
_LETTER_CODES = frozenset(_LETTER_INDEX.values())


def folder() -> Path:
    """Where entries live: `$XDG_CACHE_HOME/raci`, else the platform's user cache folder.

    A relative `XDG_CACHE_HOME` is ignored, as the XDG specification says: it
    would put the cache inside whatever folder a run starts in, a repository.
    """
    base = os.environ.get("XDG_CACHE_HOME")
    if base and os.path.isabs(base):
        return Path(base) / "raci"
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "raci" / "cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "raci"
    return Path.home() / ".cache" / "raci"


@cache
def _code() -> str:
    """A digest of this package's own code: an edited or upgraded checker never reads
    entries an earlier one wrote, even when its version number stayed the same."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _package_identity(name: str) -> str:
    """An installed package, by the path, size and time of its files, found without
    importing it: that changes on every install, where reading its metadata would
    cost 25 ms a run."""
    from importlib.util import find_spec

    spec = find_spec(name)
    origin = spec.origin if spec is not None else None
    if not origin:
        return "?"
    folder_ = Path(origin).parent if spec is not None and spec.submodule_search_locations else None
    # Bytecode folders come and go with every import; the installed files are what count.
    files = sorted(p for p in folder_.iterdir() if p.name != "__pycache__") if folder_ is not None else [Path(origin)]
    parts = []
    for path in files:
        try:
            info = path.stat()
        except OSError:
            continue
        parts.append(f"{path} {info.st_size} {info.st_mtime_ns}")
    return "; ".join(parts)


@cache
def salt(limits: Limits) -> bytes:
    """Everything besides a file that decides what reading it yields: the key of
    anything derived from policy files starts with it."""
    import yaml

    from .validate import SCHEMA_NAMES, schema_text

    try:
        from yaml import _yaml

        libyaml = str(_yaml.get_version_string())
    except (ImportError, AttributeError):
        libyaml = "none"
    schemas = hashlib.sha256("\0".join(schema_text(name) for name in SCHEMA_NAMES).encode()).hexdigest()
    parts = [
        f"raci-cache {FORMAT}",
        f"raci-checker {__version__} code {_code()}",
        f"python {sys.version_info[0]}.{sys.version_info[1]}",
        f"pyyaml {yaml.__version__} libyaml {libyaml}",
        f"jsonschema-rs {_package_identity('jsonschema_rs')}",
        f"schemas {schemas}",
        f"limits {limits.max_file_bytes} {limits.max_depth}",
    ]
    return "\n".join(parts).encode()


def key(name: str, data: bytes, limits: Limits) -> str:
    digest = hashlib.sha256(salt(limits))
    digest.update(b"\0" + name.encode("utf-8", "surrogateescape") + b"\0")
    digest.update(data)
    return digest.hexdigest()


def blob_key(kind: str, name: str, blob: str, limits: Limits) -> str:
    """The key of what `kind` derives from git blob `blob` read as file `name`: a blob
    id names its bytes exactly, so the bytes need not even be read to find the entry."""
    digest = hashlib.sha256(salt(limits))
    digest.update(f"\0{kind}\0".encode() + name.encode("utf-8", "surrogateescape") + f"\0{blob}".encode())
    return digest.hexdigest()


_HEX = frozenset("0123456789abcdef")


def is_key(entry: object) -> bool:
    """A SHA-256 in hex, as every key here is: anything else (a damaged record's
    `../x`) is never made into a path."""
    return isinstance(entry, str) and len(entry) == 64 and _HEX.issuperset(entry)


# Larger than any entry a policy file within the limits can give: a bigger file
# in the cache folder is not ours, and is never read into memory.
MAX_ENTRY_BYTES = 512 * 1024 * 1024


class Cache:
    """Read and write entries in one folder; every failure is a miss, never an error.

    An entry holds its own key, so a file copied or renamed to another key is a
    miss; it is read only if it is a regular file (never through a link, never a
    FIFO or a device) that belongs to the user running the check.
    """

    def __init__(self, root: Path | None = None, kind: str = "") -> None:
        self.base = root or folder()
        self.root = self.base / f"v{FORMAT}" / kind

    def of_kind(self, kind: str) -> Cache:
        """A store for records of another kind, in a folder of their own beside these entries."""
        return Cache(self.base, kind)

    def holds(self, entry: str) -> bool:
        """Whether an entry is stored under `entry` (without reading it)."""
        return is_key(entry) and self._path(entry).is_file()

    def _path(self, entry: str) -> Path:
        return self.root / entry[:2] / f"{entry}.json"

    def usable_for(self, folders: list[Path]) -> bool:
        """False when the cache folder is inside a checked repository or folder: a pull
        request could then commit entries of its own choosing."""
        here = Path(os.path.realpath(self.root))
        for folder_ in folders:
            top = Path(os.path.realpath(repository_root(folder_.resolve()) or folder_))
            if here == top or top in here.parents:
                return False
        return True

    def get(self, entry: str, name: str) -> tuple[PolicySet, list[Finding]] | None:
        data = self.load(entry)
        return None if data is None else decoded(data, name)

    def put(self, entry: str, part: PolicySet, findings: list[Finding]) -> None:
        self.save(entry, encode(part, findings))

    def load(self, entry: str) -> Any:
        """The JSON value stored under `entry`, or None."""
        if not is_key(entry):
            return None
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        try:
            fd = os.open(self._path(entry), flags)
        except OSError:
            return None
        try:
            with os.fdopen(fd, "rb") as handle:
                info = os.fstat(handle.fileno())
                if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_ENTRY_BYTES:
                    return None
                if hasattr(os, "getuid") and info.st_uid != os.getuid():
                    return None
                value = json.loads(handle.read())
        except (OSError, ValueError, RecursionError):
            return None
        if not isinstance(value, dict) or value.get("key") != entry:
            return None
        return value.get("value")

    def save(self, entry: str, value: Any) -> None:
        if not is_key(entry):
            return
        path = self._path(entry)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            text = json.dumps({"key": entry, "value": value}, ensure_ascii=False, separators=(",", ":"))
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    out.write(text)
                os.replace(temporary, path)  # atomic: a reader sees the old entry or the new, never half
            except BaseException:
                with _suppressed():
                    os.unlink(temporary)
                raise
        except (OSError, ValueError, RecursionError):
            pass  # a read-only or full disk, or a value JSON cannot write: the run goes on without it


class _suppressed:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return True


# The encoding: compact lists in field order; every location of a part is in
# its own file, so only (line, column) is kept, and the name is given back on
# reading (it is part of the key).


def _loc(location: Location) -> list[int]:
    return [location.line, location.column]


def _ref(ref: Ref | None) -> list[Any] | None:
    return None if ref is None else [ref.id, ref.location.line, ref.location.column]


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _selector(selector: Selector | None) -> list[Any] | None:
    if selector is None:
        return None
    return [_loc(selector.location), sorted(selector.domains), sorted(selector.tags), list(selector.ids)]


def encode(part: PolicySet, findings: list[Finding]) -> dict[str, Any]:
    return {
        "findings": [finding_row(f) for f in findings],
        "parties": [
            [
                p.id,
                p.name,
                p.type,
                p.active,
                _loc(p.location),
                _ref(p.reports_to),
                p.github,
                list(p.emails),
                p.description,
            ]
            for p in part.parties.values()
        ],
        "duties": [
            [d.id, d.title, _loc(d.location), d.domain, list(d.tags), d.description] for d in part.duties.values()
        ],
        "claims": _claim_columns(part.claims),
        "inline": {duty: list(span) for duty, span in part.inline.items()},
        "pools": [
            [
                p.id,
                _dec(p.amount),
                p.currency,
                p.period,
                _loc(p.location),
                _loc(p.amount_at),
                _loc(p.currency_at),
                _loc(p.period_at),
                p.description,
            ]
            for p in part.pools.values()
        ],
        "budgets": [
            [
                b.id,
                _dec(b.amount),
                b.currency,
                b.period,
                _loc(b.location),
                _loc(b.amount_at),
                _loc(b.currency_at),
                _loc(b.period_at),
                _ref(b.pool),
                [_ref(r) for r in b.funds],
                [
                    [_ref(s.party), _dec(s.percent), _dec(s.amount), _loc(s.location), _loc(s.share_at)]
                    for s in b.splits
                ],
                b.description,
            ]
            for b in part.budgets.values()
        ],
        "rules": [
            [
                r.id,
                r.type,
                r.description,
                r.severity,
                _loc(r.location),
                sorted(r.letters),
                _selector(r.select),
                _ref(r.party),
                _selector(r.left),
                _selector(r.right),
            ]
            for r in part.rules.values()
        ],
        "waivers": [
            [
                w.rule,
                w.subject,
                w.reason,
                w.expires,
                _loc(w.location),
                _loc(w.expires_at),
                [_ref(r) for r in w.approved_by],
                w.ticket,
            ]
            for w in part.waivers
        ],
        "redefinitions": [[d.entity, d.id, _loc(d.location)] for d in part.redefinitions],
        "assignments": [_ref(r) for r in part.assignments],
    }


def decode(data: dict[str, Any], name: str) -> tuple[PolicySet, list[Finding]]:
    """The part and findings of an entry, with locations in file `name`."""

    def loc(pair: list[int]) -> Location:
        return Location(name, pair[0], pair[1])

    def ref(triple: list[Any] | None) -> Ref | None:
        return None if triple is None else Ref(triple[0], Location(name, triple[1], triple[2]))

    def refs(items: list[Any]) -> tuple[Ref, ...]:
        return tuple(Ref(t[0], Location(name, t[1], t[2])) for t in items)

    def dec(text: str | None) -> Decimal | None:
        return None if text is None else Decimal(text)

    def selector(item: list[Any] | None) -> Selector | None:
        if item is None:
            return None
        return Selector(loc(item[0]), frozenset(item[1]), frozenset(item[2]), tuple(item[3]))

    part = PolicySet()
    for p in data["parties"]:
        part.parties[p[0]] = Party(p[0], p[1], p[2], p[3], loc(p[4]), ref(p[5]), p[6], tuple(p[7]), p[8])
    for d in data["duties"]:
        part.duties[d[0]] = Duty(d[0], d[1], loc(d[2]), d[3], tuple(d[4]), d[5])
    # The most numerous records, and the ones every rule indexes: built and checked a
    # column at a time (at C speed), so that a damaged entry is a miss here rather
    # than a failure in a rule.
    part.claims = _claims(data["claims"], name)
    part.inline = {duty: _span(span, len(part.claims)) for duty, span in data["inline"].items()}
    for p in data["pools"]:
        part.pools[p[0]] = Pool(
            p[0], Decimal(p[1]), p[2], p[3], loc(p[4]), loc(p[5]), loc(p[6]), loc(p[7]), description=p[8]
        )
    for b in data["budgets"]:
        splits = tuple(Split(_required(ref(s[0])), dec(s[1]), dec(s[2]), loc(s[3]), loc(s[4])) for s in b[10])
        part.budgets[b[0]] = Budget(
            b[0],
            Decimal(b[1]),
            b[2],
            b[3],
            loc(b[4]),
            loc(b[5]),
            loc(b[6]),
            loc(b[7]),
            pool=ref(b[8]),
            funds=refs(b[9]),
            splits=splits,
            description=b[11],
        )
    for r in data["rules"]:
        part.rules[r[0]] = CustomRule(
            r[0],
            r[1],
            r[2],
            r[3],
            loc(r[4]),
            letters=frozenset(r[5]),
            select=selector(r[6]),
            party=ref(r[7]),
            left=selector(r[8]),
            right=selector(r[9]),
        )
    part.waivers = [
        Waiver(w[0], w[1], w[2], w[3], loc(w[4]), loc(w[5]), approved_by=refs(w[6]), ticket=w[7])
        for w in data["waivers"]
    ]
    part.redefinitions = [Definition(d[0], d[1], loc(d[2])) for d in data["redefinitions"]]
    part.assignments = list(refs(data["assignments"]))
    findings = [finding_of(row) for row in data["findings"]]
    return part, findings


def decoded(data: Any, name: str) -> tuple[PolicySet, list[Finding]] | None:
    """`decode(data, name)`, or None for a damaged entry of any shape (a miss)."""
    try:
        return decode(data, name)
    except Exception:
        return None


def budgets_only(data: dict[str, Any], name: str, ids: Collection[str]) -> PolicySet:
    """Of an entry's part, only the budgets of those `ids` (see `incremental`)."""
    rows = [b for b in data["budgets"] if b[0] in ids]
    return decode({**encode(PolicySet(), []), "budgets": rows}, name)[0]


def _span(span: list[Any], claims: int) -> tuple[int, int]:
    """A duty's inline claims, (start, stop) among the part's `claims`; raises if it is not one."""
    start, stop = span
    if type(start) is not int or type(stop) is not int or not 0 <= start <= stop <= claims:
        raise ValueError("damaged span")
    return start, stop


def _claim_columns(claims: list[Claim]) -> list[list[Any]]:
    """Claims as columns: the ids they name (each once), then for each claim the index
    of its duty and of its party among those ids, its letter's index in LETTERS, its
    line and its column. The most numerous records are read fastest as flat lists
    of small ints, and each id is one string however many claims name it."""
    ids: dict[str, int] = {}
    duties = [ids.setdefault(c.duty, len(ids)) for c in claims]
    parties = [ids.setdefault(c.party, len(ids)) for c in claims]
    return [
        list(ids),
        duties,
        [_LETTER_INDEX[c.letter] for c in claims],
        parties,
        [c.location.line for c in claims],
        [c.location.column for c in claims],
    ]


def _claims(columns: list[Any], name: str) -> list[Claim]:
    """What `_claim_columns` wrote, built and checked a column at a time (at C speed),
    so that a damaged entry is a miss here rather than a failure in a rule."""
    ids, duties, letters, parties, lines, places = columns
    if not duties:
        return []
    if not (len(duties) == len(letters) == len(parties) == len(lines) == len(places)):
        raise ValueError("damaged claims")
    indexes = {type(x) for x in duties} | {type(x) for x in parties} | {type(x) for x in letters}
    if (
        {type(x) for x in ids} != {str}
        or indexes | {type(x) for x in lines} | {type(x) for x in places} != {int}
        or min(min(duties), min(parties)) < 0
        or max(max(duties), max(parties)) >= len(ids)
        or not _LETTER_CODES.issuperset(letters)
    ):
        raise ValueError("a damaged claim")
    id_of = ids.__getitem__
    # tuple.__new__ on zipped columns builds the named tuples without a Python call each.
    locations = map(tuple.__new__, repeat(Location), zip(repeat(name), lines, places, strict=False))
    rows = zip(map(id_of, duties), map(LETTERS.__getitem__, letters), map(id_of, parties), locations, strict=True)
    return list(map(tuple.__new__, repeat(Claim), rows))


def _required(value: Ref | None) -> Ref:
    if value is None:
        raise ValueError("a split without a party")
    return value


def finding_row(finding: Finding) -> list[Any]:
    """A finding as a JSON list, file names in its locations: what `finding_of` reads."""
    return [
        finding.rule,
        finding.severity.value,
        finding.subject,
        finding.message,
        list(finding.location),
        [list(r) for r in finding.related],
        finding.detail,
        finding.suppressed,
        None if finding.waiver is None else list(finding.waiver),
    ]


_LEVELS = {level.value: level for level in Severity if level is not Severity.OFF}


def finding_of(row: list[Any]) -> Finding:
    """What `finding_row` wrote, checked field by field: a damaged row raises (ValueError,
    KeyError or TypeError: a miss to every caller) and never reaches a reporter."""
    rule, severity, subject, message, at, related, detail, suppressed, waiver = row
    if type(rule) is not str or type(subject) is not str or type(message) is not str or type(detail) is not str:
        raise ValueError("damaged finding")
    if type(suppressed) is not bool:
        raise ValueError("damaged finding")
    return Finding(
        rule,
        _LEVELS[severity],
        subject,
        message,
        _location(at),
        tuple(map(_location, related)),
        detail,
        suppressed,
        None if waiver is None else _location(waiver),
    )


def waiver_row(waiver: Waiver) -> list[Any]:
    """A waiver as a JSON list, file names in its locations: what `waiver_of` reads."""
    return [
        waiver.rule,
        waiver.subject,
        waiver.reason,
        waiver.expires,
        list(waiver.location),
        list(waiver.expires_at),
        [[ref.id, *ref.location] for ref in waiver.approved_by],
        waiver.ticket,
    ]


def waiver_of(row: list[Any]) -> Waiver:
    """What `waiver_row` wrote, checked field by field like `finding_of`."""
    rule, subject, reason, expires, at, expires_at, approvers, ticket = row
    if not all(type(text) is str for text in (rule, subject, reason, expires)):
        raise ValueError("damaged waiver")
    if ticket is not None and type(ticket) is not str:
        raise ValueError("damaged waiver")
    datetime.date.fromisoformat(expires)  # what `waivers.apply` reads it with
    approved = []
    for party, *place in approvers:
        if type(party) is not str:
            raise ValueError("damaged waiver")
        approved.append(Ref(party, _location(place)))
    return Waiver(rule, subject, reason, expires, _location(at), _location(expires_at), tuple(approved), ticket)


def _location(value: list[Any]) -> Location:
    file, line, column = value
    if type(file) is not str or type(line) is not int or type(column) is not int:
        raise ValueError("damaged location")
    return Location(file, line, column)

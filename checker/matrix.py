"""The RACI grid: duties down, parties across, letters in cells.

`build_matrix` turns a checked report into plain frozen data that every output
format of `raci matrix` prints, so the formats cannot disagree on what is shown.
A row is a defined duty with its merged RACI (inline `raci:` and Assignments
alike) and the rules whose error or warning findings are about it; a column is
a party holding a letter in the shown rows. Cells are sparse (a party holds
letters on few duties), because a large organisation's grid is mostly empty.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import UserError
from .finding import Finding, Severity
from .hints import did_you_mean
from .model import LETTERS, Claim, PolicySet

if TYPE_CHECKING:
    from .engine import Report

# A cell lists a party's letters in this order, each by its initial: "A/R".
INITIALS = {letter: letter[0].upper() for letter in LETTERS}

# Rules whose subject is never a duty (a file, party, budget, pool or rule id):
# an id shared by a duty and, say, a budget must not mark the duty.
_NOT_ABOUT_DUTIES = frozenset(
    {
        "yaml-syntax",
        "duplicate-key",
        "schema",
        "unknown-duty",
        "reports-to-cycle",
        "idle-party",
        "split-total",
        "duplicate-split",
        "pool-overcommitted",
        "unknown-pool",
        "money-format",
        "currency-mismatch",
        "period-mismatch",
        "funder-without-role",
        "rule-unused",
    }
)


class UnknownFilter(UserError):
    """A --domain or --party that the policy set does not have (exit 2, one line)."""


@dataclass(frozen=True, slots=True)
class Column:
    """A party across the top. An unknown party (named in a claim, never defined)
    has no name and no active flag."""

    id: str
    name: str | None
    active: bool | None
    known: bool


@dataclass(frozen=True, slots=True)
class Row:
    """A duty down the side: the parties of each letter (sorted), the cell text per
    party ("A/R"), and the rules of its problems with the worst of their severities."""

    id: str
    title: str
    domain: str | None
    accountable: tuple[str, ...]
    responsible: tuple[str, ...]
    consulted: tuple[str, ...]
    informed: tuple[str, ...]
    cells: Mapping[str, str]  # party id -> letters; parties without a letter are absent
    problems: tuple[str, ...] = ()  # rule ids, sorted
    severity: Severity | None = None  # the worst problem's, None when there is none


@dataclass(frozen=True, slots=True)
class Matrix:
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    files: int  # policy files read
    duties_defined: int
    parties_defined: int
    domains: tuple[str, ...] = ()  # the --domain filter, as given
    parties: tuple[str, ...] = ()  # the --party filter, as given


def build_matrix(report: Report, *, domains: Sequence[str] = (), parties: Sequence[str] = ()) -> Matrix:
    """The grid of `report`'s policy set, keeping the duties of `domains` (any of) and,
    when `parties` is given, only those parties' columns and the duties they hold a
    letter on. Raises `UnknownFilter` for a value that matches nothing in the set."""
    with without_cyclic_gc():
        return _build(report, domains, parties)


def _build(report: Report, domains: Sequence[str], parties: Sequence[str]) -> Matrix:
    model = report.model
    by_duty = model.claims_by_duty()
    wanted_domains = _domains(model, domains)
    wanted_parties = _parties(model, by_duty, parties)
    problems = _problems(report.findings, model)

    rows: list[Row] = []
    held: set[str] = set()
    for duty in model.duties.values():
        if wanted_domains and duty.domain not in wanted_domains:
            continue
        claims = by_duty.get(duty.id, ())
        if wanted_parties is not None:
            claims = [c for c in claims if c.party in wanted_parties]
            if not claims:
                continue
        rules, severity = problems.get(duty.id, ((), None))
        rows.append(_row(duty.id, duty.title, duty.domain, claims, rules, severity))
        held.update(c.party for c in claims)

    # An explicitly requested party keeps its column even where it holds nothing.
    shown = held if wanted_parties is None else wanted_parties
    return Matrix(
        columns=_columns(model, shown),
        rows=tuple(rows),
        files=report.files,
        duties_defined=len(model.duties),
        parties_defined=len(model.parties),
        domains=tuple(domains),
        parties=tuple(parties),
    )


@contextmanager
def without_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic collector while building or printing a large grid.

    The model of a large set is millions of objects; every few thousand new
    rows and cells the collector would rescan all of them, for nothing, since
    neither the model nor the grid has cycles to free (it doubles the time on
    10,000 duties, as `check()` found for the model itself).
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _row(
    id_: str, title: str, domain: str | None, claims: Iterable[Claim], rules: tuple[str, ...], severity: Severity | None
) -> Row:
    letters: dict[str, set[str]] = {letter: set() for letter in LETTERS}
    for claim in claims:
        letters[claim.letter].add(claim.party)
    cells: dict[str, str] = {}
    for letter in LETTERS:  # this order within a cell, whatever order the claims came in
        initial = INITIALS[letter]
        for party in letters[letter]:
            cells[party] = f"{cells[party]}/{initial}" if party in cells else initial
    return Row(
        id=id_,
        title=title,
        domain=domain,
        accountable=tuple(sorted(letters["accountable"])),
        responsible=tuple(sorted(letters["responsible"])),
        consulted=tuple(sorted(letters["consulted"])),
        informed=tuple(sorted(letters["informed"])),
        cells=cells,
        problems=rules,
        severity=severity,
    )


def _columns(model: PolicySet, shown: set[str] | frozenset[str]) -> tuple[Column, ...]:
    """Defined parties in definition order, then unknown ones by id."""
    known = [Column(p.id, p.name, p.active, True) for p in model.parties.values() if p.id in shown]
    unknown = [Column(party, None, None, False) for party in sorted(p for p in shown if p not in model.parties)]
    return (*known, *unknown)


def _domains(model: PolicySet, domains: Sequence[str]) -> frozenset[str]:
    present = {duty.domain for duty in model.duties.values() if duty.domain is not None}
    for domain in domains:
        if domain not in present:
            raise UnknownFilter(f"no duty has domain {domain!r}{did_you_mean(domain, present)}")
    return frozenset(domains)


def _parties(model: PolicySet, by_duty: Mapping[str, list[Claim]], parties: Sequence[str]) -> frozenset[str] | None:
    """The --party filter, or None when there is none. A party named only in claims
    (undefined, reported by unknown-party) can still be looked at."""
    if not parties:
        return None
    present = set(model.parties)
    present.update(claim.party for claims in by_duty.values() for claim in claims)
    for party in parties:
        if party not in present:
            raise UnknownFilter(f"no party {party!r} in the policy set{did_you_mean(party, present)}")
    return frozenset(parties)


def _problems(findings: Iterable[Finding], model: PolicySet) -> dict[str, tuple[tuple[str, ...], Severity]]:
    """Per duty id: the sorted rules of its unsuppressed error and warning findings, and the worst level."""
    rules: dict[str, set[str]] = {}
    worst: dict[str, Severity] = {}
    for finding in findings:
        if finding.suppressed or finding.severity not in (Severity.ERROR, Severity.WARNING):
            continue
        if finding.subject not in model.duties or not _about_duty(finding):
            continue
        rules.setdefault(finding.subject, set()).add(finding.rule)
        if finding.subject not in worst or finding.severity.rank > worst[finding.subject].rank:
            worst[finding.subject] = finding.severity
    return {duty: (tuple(sorted(names)), worst[duty]) for duty, names in rules.items()}


def _about_duty(finding: Finding) -> bool:
    """Whether a finding whose subject is a duty's id is about that duty, not about
    another entity that happens to share the id."""
    if finding.rule in _NOT_ABOUT_DUTIES:
        return False
    if finding.rule == "duplicate-id":
        return finding.detail.split("#")[0] == "duty"
    if finding.rule == "unknown-party":  # a RACI letter, not a split or reports_to
        return finding.detail.split(":")[0] in LETTERS
    return True

"""A re-run after an edit evaluates only the duties the edit touched.

The last run's raw findings (see `evaluation`) are kept by `memo` with the
set's waivers (to settle them with) and an index: which files hold part of
each duty's share (its definitions, and the claims and Assignments entries
that name it), which files define parties or custom rules (the directory),
and which files define the budgets that fund each duty. When the edited files
changed the shares of some duties and nothing else (no party, pool, budget,
custom rule or waiver), two small models are built from the directory and
the files that hold the touched duties' shares: one with the edited files as
they were, one as they are. Everything in them but the touched shares is the
same in both.

Each check is then treated as it declares (see `checker.rules`):

- one whose `reads` of every touched duty is unchanged keeps its findings;
- `PER_DUTY` runs on both models: what it found before is taken out of the
  kept findings and what it finds now is put in. Its findings about untouched
  duties, and those about no duty, come out the same in both and cancel;
- `PER_BUDGET` does the same, on models of the budgets that fund a touched
  duty (their first definitions, which the rules see), the shares of every
  duty they fund, and the parties;
- a `tally` check's counts are kept, updated by the touched duties' tallies,
  and its findings made again from them;
- any other means the run is done in full, as does a finding to take out that
  is not kept (the kept findings are then not what they should be).
"""

from __future__ import annotations

import bisect
import json
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from .config import Config
from .evaluation import Check, checks, severities
from .finding import Finding
from .model import Budget, Claim, Definition, PolicySet, Ref, Waiver


class Index(NamedTuple):
    """Where things are, by the position of each file in reading order."""

    shares: dict[str, list[int]]  # duty -> the files holding part of its share, ascending
    directory: list[int]  # files that define parties or custom rules
    # duty -> (file, budget id) of the first definition (the one rules see) of each budget funding it
    funders: dict[str, list[tuple[int, str]]]
    payers: dict[str, list[str]]  # duty -> the parties with a split in a budget that funds it


@dataclass(frozen=True, slots=True)
class Kept:
    """What a run leaves for the next, beside its index: its raw findings, file and
    entity counts, each tally check's counts, and the set's waivers (to settle the
    raw findings with)."""

    raw: list[Finding]
    files: int
    counts: dict[str, int]
    tallies: dict[str, dict[str, int]]
    waivers: list[Waiver]


class Change(NamedTuple):
    """A file whose part changed: its position, its cache entries and its parts
    (model and own findings) before and after."""

    position: int
    before_entry: dict[str, Any]
    after_entry: dict[str, Any]
    before: tuple[PolicySet, list[Finding]]
    after: tuple[PolicySet, list[Finding]]


class Indexer:
    """Builds a run's index from its parts, in reading order, as they go by, and
    from the merged model at the end."""

    def __init__(self) -> None:
        self._shares: dict[str, list[int]] = {}
        self._directory: list[int] = []
        self._next = 0

    def add(self, part: PolicySet) -> None:
        position, self._next = self._next, self._next + 1
        for duty in duties_in(part):
            self._shares.setdefault(duty, []).append(position)
        if part.parties or part.rules:
            self._directory.append(position)

    def index(self, model: PolicySet) -> Index:
        """The index, once every part of `model` went by."""
        position = {name: index for index, name in enumerate(model.files)}
        funders: dict[str, set[tuple[int, str]]] = {}
        payers: dict[str, set[str]] = {}
        for budget in model.budgets.values():  # the first definition of each: the one the rules see
            # A file not known by name is a position no file has: a re-run that needs it runs in full.
            at = position.get(budget.location.file, -1)
            for ref in budget.funds:
                funders.setdefault(ref.id, set()).add((at, budget.id))
                payers.setdefault(ref.id, set()).update(split.party.id for split in budget.splits)
        return Index(
            self._shares,
            self._directory,
            {duty: sorted(places) for duty, places in funders.items()},
            {duty: sorted(names) for duty, names in payers.items()},
        )


def tallies(model: PolicySet, config: Config) -> dict[str, dict[str, int]]:
    """Each tally check's counts over every duty of the whole `model`."""
    duties = model.duties.keys() | model.claims_by_duty().keys()
    out = {}
    for check in checks(config):
        if check.tally is not None and check.scope == "tally":
            out[check.name] = dict(Counter(name for duty in duties for name in check.tally(model, duty)))
    return out


def duties_in(part: PolicySet) -> set[str]:
    """The duties whose share `part` holds some of."""
    found = set(part.duties)
    found.update(claim.duty for claim in part.claims)
    found.update(ref.id for ref in part.assignments)
    found.update(again.id for again in part.redefinitions if again.entity == "duty")
    return found


class Load(Protocol):
    def __call__(self, position: int, budgets: Collection[str] | None = None) -> PolicySet | None:
        """The cached part of the unchanged file at `position`; with `budgets`, only
        the budgets of those ids. None if it cannot be had."""


def patch(kept: Kept, index: Index, changes: list[Change], load: Load, config: Config) -> tuple[Kept, Index] | None:
    """`kept` and its `index` brought up to date with `changes` (in reading order),
    loading unchanged files' parts with `load`; None when the run must be done in full."""
    if any(_rest(change.before_entry) != _rest(change.after_entry) for change in changes):
        return None  # a party, pool, budget, custom rule or waiver changed: every duty may read it
    parts = {change.position: (change.before[0], change.after[0]) for change in changes}
    gone = [finding for change in changes for finding in change.before[1]]
    come = [finding for change in changes for finding in change.after[1]]
    counts, counted = kept.counts, kept.tallies
    touched = _touched(parts.values())
    if touched:  # else only the files' own findings changed
        rerun = _rerun(kept, index, parts, touched, load, config)
        if rerun is None:
            return None
        gone += rerun.gone
        come += rerun.come
        counts, counted = rerun.counts, rerun.tallies
    raw = _replaced(kept.raw, severities(gone, config), severities(come, config))
    if raw is None:
        return None
    shares = index.shares
    for change in changes:
        shares = _moved(shares, change.position, duties_in(change.before[0]), duties_in(change.after[0]))
    # No waiver changed (see `_rest`), nor any party, custom rule or budget. What did
    # not change is handed back as it was (not a copy): `memo` then writes less.
    moved = index if shares is index.shares else index._replace(shares=shares)
    return Kept(raw, kept.files, counts, counted, kept.waivers), moved


class _Rerun(NamedTuple):
    gone: list[Finding]  # found before the edit
    come: list[Finding]  # found after it
    counts: dict[str, int]  # of entities, after it
    tallies: dict[str, dict[str, int]]


def _rerun(
    kept: Kept,
    index: Index,
    parts: dict[int, tuple[PolicySet, PolicySet]],
    touched: set[str],
    load: Load,
    config: Config,
) -> _Rerun | None:
    """The checks on the two small models, as each declares, for the `touched`
    duties; `parts` holds the changed files' parts and takes the others loaded."""
    if not _load(parts, set(index.directory) | _places(index.shares, touched), load):
        return None
    before, after = _models(parts)
    differ: list[Check] = []
    tallied: list[Check] = []
    for check in checks(config):
        if check.reads is not None and all(check.reads(before, d) == check.reads(after, d) for d in touched):
            continue
        if check.scope == "budget" and not _funders_moved(check, before, after, touched, index):
            continue
        if check.scope not in ("duty", "budget", "tally"):
            return None
        (tallied if check.scope == "tally" else differ).append(check)
    gone: list[Finding] = []
    come: list[Finding] = []
    if any(check.scope == "budget" for check in differ):
        # Each budget that funds a touched duty, and the whole share of every duty it funds.
        chosen = _funders(index, touched, load)
        if chosen is None:
            return None
        funded = {ref.id for budget in chosen.values() for ref in budget.funds}
        if not _load(parts, _places(index.shares, funded), load):
            return None
        before, after = _models(parts)
        for check in differ:
            if check.scope == "budget":
                # Those budgets alone: a PER_BUDGET finding about any other cannot have changed.
                gone.extend(check.run(_funding(before, chosen, funded)))
                come.extend(check.run(_funding(after, chosen, funded)))
    for check in differ:
        if check.scope == "duty":
            gone.extend(check.run(before))
            come.extend(check.run(after))
    counted = dict(kept.tallies)
    for check in tallied:
        tally, check_tally = check.tally, check.check_tally
        if tally is None or check_tally is None or check.name not in counted:
            return None  # a tally check without its functions, or counts not kept
        totals = Counter(counted[check.name])
        for duty in touched:
            totals.subtract(tally(before, duty))
            totals.update(tally(after, duty))
        counted[check.name] = {name: count for name, count in totals.items() if count}
        gone.extend(finding for finding in kept.raw if finding.rule == check.name)
        come.extend(check_tally(after, counted[check.name]))
    was, becomes = before.counts(), after.counts()
    counts = {kind: count + becomes.get(kind, 0) - was.get(kind, 0) for kind, count in kept.counts.items()}
    return _Rerun(gone, come, counts, counted)


def _touched(parts: Iterable[tuple[PolicySet, PolicySet]]) -> set[str]:
    """The duties whose share differs between the changed files' parts before and after."""
    touched: set[str] = set()
    for old, new in parts:
        then, now = _shares(old), _shares(new)
        touched.update(duty for duty in then.keys() | now.keys() if then.get(duty) != now.get(duty))
    return touched


def _load(parts: dict[int, tuple[PolicySet, PolicySet]], positions: set[int], load: Load) -> bool:
    """Add to `parts` the files at `positions` it does not hold (the same before and
    after); False if one cannot be had."""
    for position in positions - parts.keys():
        loaded = load(position)
        if loaded is None:
            return False
        parts[position] = (loaded, loaded)
    return True


def _funders_moved(check: Check, before: PolicySet, after: PolicySet, touched: set[str], index: Index) -> bool:
    """Whether a PER_BUDGET check's `reads` (parties) changed, on a touched duty, for
    a party with a split in a budget that funds that duty."""
    if check.reads is None:
        return True
    for duty in touched:
        then, now = check.reads(before, duty), check.reads(after, duty)
        if not isinstance(then, frozenset) or not isinstance(now, frozenset):
            return True
        if not (then ^ now).isdisjoint(index.payers.get(duty, ())):
            return True
    return False


def _funders(index: Index, touched: set[str], load: Load) -> dict[str, Budget] | None:
    """The first definition of each budget that funds a touched duty, by id. A later
    definition of one of them, in a file that is loaded anyway, is not the budget."""
    wanted: dict[int, set[str]] = {}
    for duty in touched:
        for position, budget in index.funders.get(duty, ()):
            wanted.setdefault(position, set()).add(budget)
    chosen: dict[str, Budget] = {}
    for position, ids in sorted(wanted.items()):
        loaded = load(position, ids)
        if loaded is None or not ids <= loaded.budgets.keys():
            return None  # not the files the index was made from
        chosen.update((budget, loaded.budgets[budget]) for budget in ids)
    return chosen


def _funding(model: PolicySet, budgets: dict[str, Budget], duties: set[str]) -> PolicySet:
    """The parties, `budgets` and the shares of the `duties` they fund, from `model`:
    all that a PER_BUDGET check reads about those budgets."""
    return PolicySet(
        parties=model.parties,
        duties={duty: model.duties[duty] for duty in duties if duty in model.duties},
        claims=[claim for claim in model.claims if claim.duty in duties],
        budgets=dict(budgets),
        assignments=[ref for ref in model.assignments if ref.id in duties],
    )


def _places(index: dict[str, list[int]], duties: Iterable[str]) -> set[int]:
    return {position for duty in duties for position in index.get(duty, ())}


def _models(parts: dict[int, tuple[PolicySet, PolicySet]]) -> tuple[PolicySet, PolicySet]:
    """The files' `parts` (as they were, as they are) merged in reading order."""
    before, after = PolicySet(), PolicySet()
    for position in sorted(parts):
        old, new = parts[position]
        before.merge(old)
        after.merge(new)
    return before, after


def _rest(entry: dict[str, Any]) -> str:
    """Everything in a file's cache entry but duties' shares and its own findings,
    as text (amounts are compared as written, not as numbers)."""
    rest = [entry[name] for name in ("parties", "pools", "budgets", "rules", "waivers")]
    rest.append([row for row in entry["redefinitions"] if row[0] != "duty"])
    return json.dumps(rest, ensure_ascii=False)


def _shares(part: PolicySet) -> dict[str, tuple[Any, ...]]:
    """Each duty's share of one file's part: its definition, the claims its inline
    `raci:` brings, the other claims, the Assignments entries and the redefinitions."""
    inline: dict[str, tuple[Claim, ...]] = {}
    covered = [False] * len(part.claims)
    for duty, (start, stop) in part.inline.items():
        inline[duty] = tuple(part.claims[start:stop])
        covered[start:stop] = [True] * (stop - start)
    others: dict[str, list[Claim]] = {}
    for claim, is_inline in zip(part.claims, covered, strict=True):
        if not is_inline:
            others.setdefault(claim.duty, []).append(claim)
    refs: dict[str, list[Ref]] = {}
    for ref in part.assignments:
        refs.setdefault(ref.id, []).append(ref)
    again: dict[str, list[Definition]] = {}
    for definition in part.redefinitions:
        if definition.entity == "duty":
            again.setdefault(definition.id, []).append(definition)
    return {
        duty: (
            part.duties.get(duty),
            inline.get(duty),
            tuple(others.get(duty, ())),
            tuple(refs.get(duty, ())),
            tuple(again.get(duty, ())),
        )
        for duty in duties_in(part)
    }


def _replaced(raw: list[Finding], gone: Iterable[Finding], come: Iterable[Finding]) -> list[Finding] | None:
    """`raw` without one of each finding in `gone`, and with `come` (`raw` itself when
    that changes nothing); None if a finding to take out is not there (the kept
    findings are not what they should be)."""
    net = Counter(gone)
    net.subtract(come)  # found before and now: nothing to do
    out_ = +net  # to take out
    in_ = -net  # to put in
    if not out_ and not in_:
        return raw
    rules = {finding.rule for finding in out_}
    left = []
    for finding in raw:
        # Only findings of a rule with something to take out are hashed.
        if finding.rule in rules and out_[finding] > 0:
            out_[finding] -= 1
        else:
            left.append(finding)
    if any(count > 0 for count in out_.values()):
        return None
    left.extend(in_.elements())
    return left


def _moved(shares: dict[str, list[int]], position: int, before: set[str], after: set[str]) -> dict[str, list[int]]:
    """`shares` with the file at `position` holding part of the duties `after`, no
    longer `before`; `shares` itself when that changes nothing."""
    if before == after:
        return shares
    moved = dict(shares)
    for duty in before - after:
        places = [p for p in moved.get(duty, ()) if p != position]
        if places:
            moved[duty] = places
        else:
            moved.pop(duty, None)
    for duty in after - before:
        places = list(moved.get(duty, ()))
        if position not in places:
            bisect.insort(places, position)
        moved[duty] = places
    return moved

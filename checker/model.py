"""The merged policy model: parties, duties, RACI claims, budgets, rules, waivers.

Each entity is frozen and keeps the location it was defined at; each RACI
claim keeps its own file, line and column, so the merged view of a duty is the
union of its inline `raci:` and of every Assignments entry for it, and moving a
claim between files changes nothing but its location.

The model is built one document at a time from validated YAML and keeps only
what the rules need, so the YAML trees can be dropped file by file.
"""

from __future__ import annotations

import fnmatch
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from .finding import Location
from .loader import Document, quote

LETTERS = ("accountable", "responsible", "consulted", "informed")
# kind -> the top-level lists its documents hold
KINDS: dict[str, tuple[str, ...]] = {
    "Parties": ("parties",),
    "Duties": ("duties",),
    "Assignments": ("assignments",),
    "Budgets": ("pools", "budgets"),
    "Rules": ("rules",),
    "Waivers": ("waivers",),
}


class Ref(NamedTuple):
    """A reference to an id, at the place it is written."""

    id: str
    location: Location


@dataclass(frozen=True, slots=True)
class Party:
    id: str
    name: str
    type: str
    active: bool
    location: Location
    reports_to: Ref | None = None
    github: str | None = None
    emails: tuple[str, ...] = ()
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Duty:
    id: str
    title: str
    location: Location
    domain: str | None = None
    tags: tuple[str, ...] = ()
    description: str | None = None


class Claim(NamedTuple):
    """One party named in one RACI letter of one duty, at one place.

    A named tuple: there is one per name in every RACI letter, the most
    numerous record in the model, and tuples are the cheapest to create.
    """

    duty: str
    letter: str
    party: str
    location: Location


@dataclass(frozen=True, slots=True)
class Pool:
    id: str
    amount: Decimal
    currency: str
    period: str
    location: Location
    amount_at: Location
    currency_at: Location
    period_at: Location
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Split:
    """One party's share of a budget: exactly one of `percent` and `amount` is set."""

    party: Ref
    percent: Decimal | None
    amount: Decimal | None
    location: Location
    share_at: Location  # where the percent or amount is written


@dataclass(frozen=True, slots=True)
class Budget:
    id: str
    amount: Decimal
    currency: str
    period: str
    location: Location
    amount_at: Location
    currency_at: Location
    period_at: Location
    pool: Ref | None = None
    funds: tuple[Ref, ...] = ()
    splits: tuple[Split, ...] = ()
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Selector:
    """Which duties a custom rule looks at: keys combine with AND, values of one key with OR."""

    location: Location
    domains: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    ids: tuple[str, ...] = ()  # shell-style globs

    def matches(self, duty: Duty) -> bool:
        if self.domains and duty.domain not in self.domains:
            return False
        if self.tags and self.tags.isdisjoint(duty.tags):
            return False
        return not self.ids or any(fnmatch.fnmatchcase(duty.id, pattern) for pattern in self.ids)


@dataclass(frozen=True, slots=True)
class CustomRule:
    """A rule declared in a Rules file: `require` or `separate`."""

    id: str
    type: str  # require | separate
    description: str
    severity: str  # error | warning | info | off
    location: Location
    letters: frozenset[str] = frozenset()  # require: `as`; separate: `letters`
    select: Selector | None = None  # require
    party: Ref | None = None  # require
    left: Selector | None = None  # separate
    right: Selector | None = None  # separate


@dataclass(frozen=True, slots=True)
class Waiver:
    rule: str
    subject: str
    reason: str
    expires: str  # YYYY-MM-DD, valid through that day (UTC)
    location: Location
    expires_at: Location
    approved_by: tuple[Ref, ...] = ()
    ticket: str | None = None


@dataclass(frozen=True, slots=True)
class Definition:
    """Where an id is defined; a second definition is kept for `duplicate-id`."""

    entity: str  # party | duty | budget | pool | rule
    id: str
    location: Location


@dataclass(slots=True)
class PolicySet:
    """The whole policy set, merged across files."""

    parties: dict[str, Party] = field(default_factory=dict)
    duties: dict[str, Duty] = field(default_factory=dict)
    claims: list[Claim] = field(default_factory=list)
    pools: dict[str, Pool] = field(default_factory=dict)
    budgets: dict[str, Budget] = field(default_factory=dict)
    rules: dict[str, CustomRule] = field(default_factory=dict)
    waivers: list[Waiver] = field(default_factory=list)
    # every definition after the first of an (entity, id), in reading order
    redefinitions: list[Definition] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    # the duty named by each Assignments entry, where it is named
    assignments: list[Ref] = field(default_factory=list)
    # duty -> (start, stop) of the claims its definition's inline `raci:` added to
    # `claims`: a file's part of the set must know them to merge (see `merge`)
    inline: dict[str, tuple[int, int]] = field(default_factory=dict)
    _by_duty: dict[str, list[Claim]] | None = field(default=None, repr=False)
    _by_letter: dict[str, list[Claim]] | None = field(default=None, repr=False)

    def pool_of(self, budget: Budget) -> Pool | None:
        """The defined pool a budget draws on, if any."""
        return self.pools.get(budget.pool.id) if budget.pool is not None else None

    def inactive_parties(self) -> frozenset[str]:
        """Ids of parties defined with `active: false`. An unknown party is not
        inactive: `unknown-party` reports it, and other rules should not pile on."""
        return frozenset(p.id for p in self.parties.values() if not p.active)

    def claims_by_duty(self) -> dict[str, list[Claim]]:
        """Claims grouped by duty, in reading order; computed once, shared by the rules
        (which must not change it)."""
        if self._by_duty is None:
            by_duty: dict[str, list[Claim]] = defaultdict(list)
            for claim in self.claims:
                by_duty[claim.duty].append(claim)
            self._by_duty = by_duty
        return self._by_duty

    def claims_by_letter(self) -> dict[str, list[Claim]]:
        """Claims grouped by letter, in reading order; computed once, shared by the rules
        that ask one letter a question (who is accountable, who is responsible)."""
        if self._by_letter is None:
            by_letter: dict[str, list[Claim]] = {letter: [] for letter in LETTERS}
            for claim in self.claims:
                by_letter[claim.letter].append(claim)
            self._by_letter = by_letter
        return self._by_letter

    def definition_location(self, entity: str, id_: str) -> Location | None:
        tables: dict[str, dict[str, Any]] = {
            "party": self.parties,
            "duty": self.duties,
            "pool": self.pools,
            "budget": self.budgets,
            "rule": self.rules,
        }
        table = tables[entity]
        found = table.get(id_)
        return found.location if found is not None else None

    def counts(self) -> dict[str, int]:
        """How many entities of each kind were checked, for report footers."""
        return {
            "parties": len(self.parties),
            "duties": len(self.duties),
            "assignments": len(self.assignments),
            "budgets": len(self.budgets),
            "pools": len(self.pools),
            "rules": len(self.rules),
            "waivers": len(self.waivers),
        }

    def add(self, doc: Document, kind: str, dropped: set[tuple[str, int | None]]) -> None:
        """Merge one schema-checked document, leaving out the items and lists in `dropped`."""
        value = doc.value
        for list_key in KINDS[kind]:
            items = value.get(list_key)
            if not isinstance(items, list) or (list_key, None) in dropped:
                continue
            add = _ADDERS[list_key]
            for index, item in enumerate(items):
                if (list_key, index) not in dropped:
                    add(self, doc, item)

    def merge(self, part: PolicySet) -> None:
        """Add `part` (one file's share of the set, read after everything already here).

        The result is the model that adding the file's documents here would have
        built: the first definition of an id wins, and a duty defined again
        brings no claims from its inline `raci:`.
        """
        kept = {duty.id for duty in part.duties.values() if self._define("duty", self.duties, duty)}
        for entity, mine, theirs in (
            ("party", self.parties, part.parties),
            ("pool", self.pools, part.pools),
            ("budget", self.budgets, part.budgets),
            ("rule", self.rules, part.rules),
        ):
            for entry in theirs.values():
                self._define(entity, mine, entry)
        self.redefinitions.extend(part.redefinitions)
        claims, done = part.claims, 0
        for duty, (start, stop) in sorted(part.inline.items(), key=lambda item: item[1]):
            self.claims.extend(claims[done:start])
            if duty in kept:
                self.inline[duty] = (len(self.claims), len(self.claims) + stop - start)
                self.claims.extend(claims[start:stop])
            done = stop
        self.claims.extend(claims[done:])
        self.waivers.extend(part.waivers)
        self.assignments.extend(part.assignments)
        self.files.extend(part.files)
        self._by_duty = self._by_letter = None

    def _define(self, entity: str, table: dict[str, Any], entry: Any) -> bool:
        """Keep the first definition of an id; a later one is only recorded. True if kept."""
        if entry.id in table:
            self.redefinitions.append(Definition(entity, entry.id, entry.location))
            return False
        table[entry.id] = entry
        return True


def _ref(doc: Document, container: Any, key: str | int) -> Ref:
    return Ref(container[key], doc.value_location(container, key))


def _decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(value)


def _add_party(model: PolicySet, doc: Document, item: dict[str, Any]) -> None:
    party = Party(
        id=item["id"],
        name=item["name"],
        type=item["type"],
        active=item.get("active", True),
        location=doc.value_location(item, "id"),
        reports_to=_ref(doc, item, "reports_to") if "reports_to" in item else None,
        github=item.get("github"),
        emails=tuple(item.get("emails", ())),
        description=item.get("description"),
    )
    model._define("party", model.parties, party)


def _add_duty(model: PolicySet, doc: Document, item: dict[str, Any]) -> None:
    duty = Duty(
        id=item["id"],
        title=item["title"],
        location=doc.value_location(item, "id"),
        domain=item.get("domain"),
        tags=tuple(item.get("tags", ())),
        description=item.get("description"),
    )
    raci = item.get("raci")
    # A redefinition's RACI is not merged: the first definition is the duty.
    if model._define("duty", model.duties, duty) and raci:
        start = len(model.claims)
        _add_claims(model, doc, duty.id, raci)
        model.inline[duty.id] = (start, len(model.claims))


def _add_assignment(model: PolicySet, doc: Document, item: dict[str, Any]) -> None:
    model.assignments.append(_ref(doc, item, "duty"))
    _add_claims(model, doc, item["duty"], item)


def _add_claims(model: PolicySet, doc: Document, duty: str, letters: dict[str, Any]) -> None:
    # The hottest part of building the model (one claim per name in every
    # letter), so positions are read directly rather than through Document.
    # tuple.__new__ builds the named tuples without a call of their Python __new__.
    claims = model.claims
    file = doc.file
    positions = doc.positions
    letter_marks = positions[id(letters)]
    new = tuple.__new__
    for letter in LETTERS:
        named = letters.get(letter)
        if named is None:
            continue
        if named.__class__ is str:
            mark = letter_marks[letter][1]
            claims.append(new(Claim, (duty, letter, named, new(Location, (file, mark.line + 1, mark.column + 1)))))
        else:
            for party, mark in zip(named, positions[id(named)], strict=True):
                claims.append(new(Claim, (duty, letter, party, new(Location, (file, mark.line + 1, mark.column + 1)))))


def _add_pool(model: PolicySet, doc: Document, item: dict[str, Any]) -> None:
    pool = Pool(
        id=item["id"],
        amount=_decimal(item["amount"]),
        currency=item["currency"],
        period=item["period"],
        location=doc.value_location(item, "id"),
        **_money_places(doc, item),
        description=item.get("description"),
    )
    model._define("pool", model.pools, pool)


def _money_places(doc: Document, item: dict[str, Any]) -> dict[str, Location]:
    return {f"{key}_at": doc.value_location(item, key) for key in ("amount", "currency", "period")}


def _add_budget(model: PolicySet, doc: Document, item: dict[str, Any]) -> None:
    funds = item.get("funds", [])
    splits = tuple(
        Split(
            party=_ref(doc, split, "party"),
            percent=_decimal(split["percent"]) if "percent" in split else None,
            amount=_decimal(split["amount"]) if "amount" in split else None,
            location=doc.value_location(item["splits"], index),
            share_at=doc.value_location(split, "percent" if "percent" in split else "amount"),
        )
        for index, split in enumerate(item["splits"])
    )
    budget = Budget(
        id=item["id"],
        amount=_decimal(item["amount"]),
        currency=item["currency"],
        period=item["period"],
        location=doc.value_location(item, "id"),
        **_money_places(doc, item),
        pool=_ref(doc, item, "pool") if "pool" in item else None,
        funds=tuple(_ref(doc, funds, index) for index in range(len(funds))),
        splits=splits,
        description=item.get("description"),
    )
    model._define("budget", model.budgets, budget)


def _selector(doc: Document, item: dict[str, Any], key: str) -> Selector | None:
    spec = item.get(key)
    if spec is None:
        return None
    return Selector(
        location=doc.value_location(item, key),
        domains=frozenset(spec.get("domain", ())),
        tags=frozenset(spec.get("tags", ())),
        ids=tuple(spec.get("ids", ())),
    )


def _add_rule(model: PolicySet, doc: Document, item: dict[str, Any]) -> None:
    requirement = item.get("require")
    rule = CustomRule(
        id=item["id"],
        type=item["type"],
        description=item["description"],
        severity=item.get("severity", "error"),
        location=doc.value_location(item, "id"),
        letters=frozenset(requirement["as"] if requirement else item.get("letters", ())),
        select=_selector(doc, item, "select"),
        party=_ref(doc, requirement, "party") if requirement else None,
        left=_selector(doc, item, "left"),
        right=_selector(doc, item, "right"),
    )
    model._define("rule", model.rules, rule)


def _add_waiver(model: PolicySet, doc: Document, item: dict[str, Any]) -> None:
    approvers = item["approved_by"]
    model.waivers.append(
        Waiver(
            rule=item["rule"],
            subject=item["subject"],
            reason=item["reason"],
            expires=item["expires"],
            location=doc.value_location(item, "rule"),
            expires_at=doc.value_location(item, "expires"),
            approved_by=tuple(_ref(doc, approvers, index) for index in range(len(approvers))),
            ticket=item.get("ticket"),
        )
    )


_ADDERS = {
    "parties": _add_party,
    "duties": _add_duty,
    "assignments": _add_assignment,
    "pools": _add_pool,
    "budgets": _add_budget,
    "rules": _add_rule,
    "waivers": _add_waiver,
}


class PartyRef(NamedTuple):
    """A reference to a party outside RACI claims, with what it belongs to."""

    subject: str  # the id findings about it are reported under
    field: str  # reports_to | splits | require | approved_by
    where: str  # for messages: "reports_to of ciso"
    party: Ref


def iter_party_refs(model: PolicySet) -> Iterator[PartyRef]:
    """Every reference to a party outside RACI claims."""
    for party in model.parties.values():
        if party.reports_to is not None:
            yield PartyRef(party.id, "reports_to", f"reports_to of {party.id}", party.reports_to)
    for budget in model.budgets.values():
        for split in budget.splits:
            yield PartyRef(budget.id, "splits", f"a split of budget {budget.id}", split.party)
    for rule in model.rules.values():
        if rule.party is not None:
            yield PartyRef(rule.id, "require", f"rule {rule.id}", rule.party)
    for waiver in model.waivers:
        for approver in waiver.approved_by:
            yield PartyRef(
                waiver.subject, f"approved_by:{waiver.rule}", f"a waiver of {quote(waiver.subject)}", approver
            )

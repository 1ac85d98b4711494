"""What a policy set means, without where it is written: the basis of diff and history.

Every entity becomes a flat record of JSON values (field -> value), with no
location, so that moving a claim between files, renaming or splitting a file,
reordering a list or reformatting YAML changes nothing. Each file contributes
`Facts`; a `State` merges the facts of every file the way the checker's model
does (the first definition of an id in file-name order wins; the RACI of a
duty is the union of its claims in every file), and can swap one file's facts
for new ones and say which entities that touched, so that a history walk
re-reads only the files a commit changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from .loader import LoadedFile
from .model import LETTERS, CustomRule, PolicySet, Selector
from .money import decimal_text, split_amount
from .validate import validated_part

# The entities of a change, in the order reports list them.
ENTITIES = ("party", "duty", "budget", "pool", "rule", "waiver", "config")

Key = tuple[str, str]  # (entity, id)
_LETTER_SET = frozenset(LETTERS)
Record = dict[str, Any]  # field -> a JSON value


@dataclass(slots=True)
class Facts:
    """What one file says: definitions (the first of each id in the file) and RACI claims."""

    definitions: dict[Key, Record] = field(default_factory=dict)
    # duty -> letter -> party ids named in this file's Assignments (sorted, unique:
    # plain JSON, so a cached file's facts are used as they are decoded)
    claims: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    # duty -> letter -> party ids of the inline `raci:` of this file's definition of the
    # duty, which counts only where that definition is the one the model keeps
    inline: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def keys(self) -> set[Key]:
        return set(self.definitions) | {("duty", duty) for duty in self.claims}


def facts_of(loaded: LoadedFile) -> Facts:
    """The facts of one loaded file; invalid items are left out, as the checker leaves them out."""
    return facts_of_model(validated_part(loaded)[0])


def facts_of_model(model: PolicySet) -> Facts:
    facts = Facts()
    definitions = facts.definitions
    for party in model.parties.values():
        definitions["party", party.id] = {
            "name": party.name,
            "type": party.type,
            "active": party.active,
            "reports_to": party.reports_to.id if party.reports_to else None,
            "github": party.github,
            "emails": sorted(party.emails),
            "description": party.description,
        }
    for duty in model.duties.values():
        definitions["duty", duty.id] = {
            "title": duty.title,
            "description": duty.description,
            "domain": duty.domain,
            "tags": sorted(duty.tags),
        }
    inline = {i for start, stop in model.inline.values() for i in range(start, stop)}
    named: dict[tuple[bool, str, str], set[str]] = {}
    for i, claim in enumerate(model.claims):
        named.setdefault((i in inline, claim.duty, claim.letter), set()).add(claim.party)
    for (is_inline, duty_id, letter), parties in named.items():
        (facts.inline if is_inline else facts.claims).setdefault(duty_id, {})[letter] = sorted(parties)
    for pool in model.pools.values():
        definitions["pool", pool.id] = {
            "amount": decimal_text(pool.amount),
            "currency": pool.currency,
            "period": pool.period,
            "description": pool.description,
        }
    for budget in model.budgets.values():
        splits: dict[str, Fraction] = {}
        for split in budget.splits:
            splits[split.party.id] = splits.get(split.party.id, Fraction(0)) + split_amount(split, budget)
        definitions["budget", budget.id] = {
            "amount": decimal_text(budget.amount),
            "currency": budget.currency,
            "period": budget.period,
            "pool": budget.pool.id if budget.pool else None,
            "funds": sorted({ref.id for ref in budget.funds}),
            "splits": {party: decimal_text(amount) for party, amount in sorted(splits.items())},
            "description": budget.description,
        }
    for rule in model.rules.values():
        definitions["rule", rule.id] = _rule(rule)
    for waiver in model.waivers:
        key = ("waiver", f"{waiver.rule}:{waiver.subject}")
        definitions.setdefault(
            key,
            {
                "reason": waiver.reason,
                "approved_by": sorted({ref.id for ref in waiver.approved_by}),
                "expires": waiver.expires,
                "ticket": waiver.ticket,
            },
        )
    return facts


def encode_facts(result: Facts | str) -> dict[str, Any]:
    """A file's facts, or the warning it gave, as JSON for the cache."""
    if isinstance(result, str):
        return {"warning": result}

    return {
        "definitions": [[entity, id_, record] for (entity, id_), record in result.definitions.items()],
        "claims": result.claims,
        "inline": result.inline,
    }


def decode_facts(data: Any) -> Facts | str | None:
    """What `encode_facts` wrote, or None for anything else (a miss)."""
    try:
        if "warning" in data:
            return str(data["warning"])

        definitions = {(e, i): record for e, i, record in data["definitions"]}
        claims, inline = data["claims"], data["inline"]
        # Shapes only (a damaged entry is a miss); the values are JSON as written.
        # The checks run as set operations: a second walk of a long history reads
        # a thousand entries, and checking item by item cost a third of it.
        if not (isinstance(claims, dict) and isinstance(inline, dict)):
            return None
        if {type(r) for r in definitions.values()} - {dict} or {type(k) for pair in definitions for k in pair} - {str}:
            return None
        for table in (claims, inline):
            for letters in table.values():
                if type(letters) is not dict or not letters.keys() <= _LETTER_SET:
                    return None
                for parties in letters.values():
                    if type(parties) is not list or set(map(type, parties)) - {str}:
                        return None
        return Facts(definitions, claims, inline)
    except Exception:  # a damaged entry of any shape is a miss
        return None


def config_facts(name: str, value: Mapping[str, Any] | None) -> Facts:
    """The configuration file as one entity: each setting a field (`rules.idle-party`)."""
    facts = Facts()
    if value is None:
        return facts
    record: Record = {}
    for key, setting in sorted(value.items()):
        if isinstance(setting, dict):
            for inner, inner_value in sorted(setting.items()):
                record[f"{key}.{inner}"] = _plain(inner_value)
        else:
            record[key] = _plain(setting)
    facts.definitions["config", name] = record
    return facts


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _selector(selector: Selector | None) -> Record | None:
    if selector is None:
        return None
    return {"domain": sorted(selector.domains), "tags": sorted(selector.tags), "ids": sorted(selector.ids)}


def _rule(rule: CustomRule) -> Record:
    return {
        "type": rule.type,
        "description": rule.description,
        "severity": rule.severity,
        "letters": [letter for letter in LETTERS if letter in rule.letters],
        "select": _selector(rule.select),
        "party": rule.party.id if rule.party else None,
        "left": _selector(rule.left),
        "right": _selector(rule.right),
    }


def changed_keys(old: Facts | None, new: Facts | None) -> set[Key]:
    """The entities whose share in a file differs between two versions of its facts:
    the only ones a change of that file can change (a title edited in a file of 150
    duties touches one duty, not 150)."""
    if old is None or new is None:
        return (old or new or Facts()).keys()
    keys = {
        k for k in old.definitions.keys() | new.definitions.keys() if old.definitions.get(k) != new.definitions.get(k)
    }
    for mine, theirs in ((old.claims, new.claims), (old.inline, new.inline)):
        keys |= {("duty", duty) for duty in mine.keys() | theirs.keys() if mine.get(duty) != theirs.get(duty)}
    return keys


class State:
    """The merged meaning of a set of files, updated one file at a time."""

    def __init__(self) -> None:
        self._files: dict[str, Facts] = {}
        self._defined_in: dict[Key, set[str]] = {}
        self._claimed_in: dict[str, set[str]] = {}

    def put(self, name: str, facts: Facts | None) -> set[Key]:
        """Replace the facts of file `name` (None: the file is gone); the keys that may have changed."""
        old = self._files.pop(name, None)
        touched: set[Key] = set()
        if old is not None:
            touched |= old.keys()
            for key in old.definitions:
                _discard(self._defined_in, key, name)
            for duty in old.claims:
                _discard(self._claimed_in, duty, name)
        if facts is not None and (facts.definitions or facts.claims):
            self._files[name] = facts
            touched |= facts.keys()
            for key in facts.definitions:
                self._defined_in.setdefault(key, set()).add(name)
            for duty in facts.claims:
                self._claimed_in.setdefault(duty, set()).add(name)
        return touched

    def facts(self, name: str) -> Facts | None:
        return self._files.get(name)

    def view(self, key: Key) -> Record | None:
        """The entity as the merged model has it, or None when it is not defined."""
        files = self._defined_in.get(key)
        if not files:
            return None
        definer = self._files[min(files)]
        record = dict(definer.definitions[key])
        if key[0] == "duty":
            letters: dict[str, set[str]] = {letter: set() for letter in LETTERS}
            for letter, parties in definer.inline.get(key[1], {}).items():
                letters[letter].update(parties)
            for name in self._claimed_in.get(key[1], ()):
                for letter, parties in self._files[name].claims[key[1]].items():
                    letters[letter].update(parties)
            record.update({letter: sorted(parties) for letter, parties in letters.items()})
        return record

    def keys(self) -> set[Key]:
        return set(self._defined_in)

    def views(self, keys: Iterable[Key]) -> dict[Key, Record | None]:
        return {key: self.view(key) for key in keys}


def _discard(index: dict[Any, set[str]], key: Any, name: str) -> None:
    names = index.get(key)
    if names is not None:
        names.discard(name)
        if not names:
            del index[key]


@dataclass(frozen=True, slots=True)
class Change:
    """One change of one field of one entity (the spec's JSON shape).

    An added or removed entity is one change with `field` None and the whole
    record as `after` or `before`.
    """

    change: str  # added | removed | changed
    entity: str
    id: str
    field: str | None
    before: Any
    after: Any

    def to_json(self) -> dict[str, Any]:
        return {
            "change": self.change,
            "entity": self.entity,
            "id": self.id,
            "field": self.field,
            "before": self.before,
            "after": self.after,
        }


def compare(before: Mapping[Key, Record | None], after: Mapping[Key, Record | None]) -> list[Change]:
    """The changes from `before` to `after`, in a stable order (entity kind, id, field)."""
    changes: list[Change] = []
    for key in sorted(set(before) | set(after), key=lambda k: (ENTITIES.index(k[0]), k[1])):
        old, new = before.get(key), after.get(key)
        entity, id_ = key
        if old == new:
            continue
        if old is None:
            changes.append(Change("added", entity, id_, None, None, new))
        elif new is None:
            changes.append(Change("removed", entity, id_, None, old, None))
        else:
            for name in [*old, *(f for f in new if f not in old)]:
                if old.get(name) != new.get(name):
                    changes.append(Change("changed", entity, id_, name, old.get(name), new.get(name)))
    return changes

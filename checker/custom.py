"""The policy set's own rules (`kind: Rules`): `require` and `separate`.

Their findings carry the rule's own id as rule name, its description in the
message and its severity (which `.raci.yaml` may still override, like any
rule's). A rule whose id is a built-in rule's name is refused, under
`duplicate-id`: findings of two different rules must never share a name.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from .finding import Finding, Severity
from .model import LETTERS, Claim, CustomRule, Duty, PolicySet, Selector
from .rules import duplicate_id


def per_duty(
    model: PolicySet, builtin: Iterable[str], overrides: Mapping[str, Severity] | None = None
) -> Iterator[Finding]:
    """The findings of `require` rules, each about one duty, and of rules named like
    a built-in one (see `checker.rules` on PER_DUTY)."""
    by_duty = model.claims_by_duty()
    for rule, severity in _evaluated(model, builtin, overrides):
        if severity is None:
            yield Finding(
                duplicate_id.ID,
                duplicate_id.SEVERITY,
                rule.id,
                f"custom rule {rule.id!r} has the name of a built-in rule; choose another id",
                rule.location,
                detail="rule (built-in)",
            )
        elif rule.type == "require":
            yield from _require(model, rule, severity, by_duty)


def across_duties(
    model: PolicySet, builtin: Iterable[str], overrides: Mapping[str, Severity] | None = None
) -> Iterator[Finding]:
    """The findings of `separate` rules, each about a pair of duties."""
    by_duty = model.claims_by_duty()
    for rule, severity in _evaluated(model, builtin, overrides):
        if severity is not None and rule.type == "separate":
            yield from _separate(model, rule, severity, by_duty)


def reads(model: PolicySet, duty: str) -> object:
    """What `separate` rules read of one duty (see `checker.rules`): for each such
    rule whose sides select it, which sides do, and its claims in the rule's
    letters, places included; nothing for a duty no such rule selects."""
    found = model.duties.get(duty)
    if found is None:
        return ()  # only defined duties are selected
    claims = model.claims_by_duty().get(duty, ())
    out = []
    for rule in model.rules.values():
        if rule.type != "separate":
            continue
        sides = tuple(side is not None and side.matches(found) for side in (rule.left, rule.right))
        if any(sides):
            out.append((rule.id, sides, tuple(claim for claim in claims if claim.letter in rule.letters)))
    return tuple(out)


def _evaluated(
    model: PolicySet, builtin: Iterable[str], overrides: Mapping[str, Severity] | None
) -> Iterator[tuple[CustomRule, Severity | None]]:
    """Each rule with the severity it is evaluated at (None: it has a built-in rule's
    name and is refused), leaving out those turned off."""
    overrides = overrides or {}
    builtin = set(builtin)
    for rule in model.rules.values():
        if rule.id in builtin:
            yield rule, None
            continue
        severity = overrides.get(rule.id, Severity(rule.severity))
        if severity is not Severity.OFF:
            yield rule, severity


def selected(model: PolicySet, selector: Selector | None) -> list[Duty]:
    """The defined duties a selector chooses, in reading order."""
    if selector is None:
        return []
    return [duty for duty in model.duties.values() if selector.matches(duty)]


def letters_text(letters: Iterable[str]) -> str:
    """`accountable, responsible or consulted`, in RACI order."""
    named = [letter for letter in LETTERS if letter in set(letters)]
    return named[0] if len(named) == 1 else f"{', '.join(named[:-1])} or {named[-1]}"


def _require(
    model: PolicySet, rule: CustomRule, severity: Severity, by_duty: dict[str, list[Claim]]
) -> Iterator[Finding]:
    assert rule.party is not None  # the schema requires `require.party` for this type
    party = rule.party.id
    for duty in selected(model, rule.select):
        if not any(c.party == party and c.letter in rule.letters for c in by_duty.get(duty.id, ())):
            yield Finding(
                rule.id,
                severity,
                duty.id,
                f"{rule.description}: {party} is not {letters_text(rule.letters)} on {duty.id}",
                duty.location,
                (rule.location,),
            )


def _separate(
    model: PolicySet, rule: CustomRule, severity: Severity, by_duty: dict[str, list[Claim]]
) -> Iterator[Finding]:
    def holders(duties: list[Duty]) -> dict[str, dict[str, Claim]]:
        """party -> {duty: its first claim there in one of the rule's letters}"""
        held: dict[str, dict[str, Claim]] = {}
        for duty in duties:
            for claim in sorted(by_duty.get(duty.id, ()), key=lambda c: c.location):
                if claim.letter in rule.letters and claim.party in model.parties:
                    held.setdefault(claim.party, {}).setdefault(duty.id, claim)
        return held

    left, right = holders(selected(model, rule.left)), holders(selected(model, rule.right))
    for party in sorted(left.keys() & right.keys()):
        for left_duty, left_claim in left[party].items():
            for right_duty, right_claim in right[party].items():
                if left_duty == right_duty:
                    continue
                yield Finding(
                    rule.id,
                    severity,
                    left_duty,
                    f"{rule.description}: {party} is {left_claim.letter} on {left_duty} "
                    f"and {right_claim.letter} on {right_duty}",
                    left_claim.location,
                    (right_claim.location,),
                    detail=f"{party}:{right_duty}",
                )

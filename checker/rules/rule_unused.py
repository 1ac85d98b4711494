"""A custom rule's selectors match no duty.

A `require` rule whose `select` matches nothing, or a `separate` rule whose
`left` or `right` does, checks nothing and passes forever: usually a domain,
tag or id pattern that was renamed. The finding is placed at the selector.
The subject is the rule's id, the detail the selector's key.

Failing example::

    rules:
      - id: security-embedded
        type: require
        description: Security is consulted on every technology duty
        select: {domain: [technology]}     # the domains are `it` and `product`
        require: {party: ciso, as: [consulted]}

Passing example::

    rules:
      - id: security-embedded
        type: require
        description: Security is consulted on every technology duty
        select: {domain: [it, product]}
        require: {party: ciso, as: [accountable, responsible, consulted]}
"""

from __future__ import annotations

from collections.abc import Iterator

from ..finding import Finding, Severity
from ..model import PolicySet

ID = "rule-unused"
SEVERITY = Severity.WARNING


def reads(model: PolicySet, duty: str) -> object:
    """What a selector matches a defined duty on: its domain and tags (its id never
    changes); nothing while the set has no custom rule."""
    found = model.duties.get(duty)
    return None if found is None or not model.rules else (found.domain, found.tags)


def check(model: PolicySet) -> Iterator[Finding]:
    duties = list(model.duties.values())
    for rule in model.rules.values():
        for key, selector in (("select", rule.select), ("left", rule.left), ("right", rule.right)):
            if selector is not None and not any(selector.matches(duty) for duty in duties):
                yield Finding(
                    ID,
                    SEVERITY,
                    rule.id,
                    f"`{key}:` of rule {rule.id} matches no duty, so the rule checks nothing",
                    selector.location,
                    detail=key,
                )

"""One party holds two letters of one duty, other than accountable and responsible.

Accountable and responsible together is normal (the owner also does the work),
but a party that is both consulted and informed, or accountable and consulted,
is listed twice for one relationship, usually a copy-paste left over when
roles changed. The finding is placed at the party's last claim on the duty,
with the others as related locations. The subject is the duty, the detail the
party.

Failing example::

    duties:
      - id: it.change-management
        title: Approve and schedule production changes
        raci:
          accountable: cio
          responsible: [change-advisory-board]
          consulted: [ciso]
          informed: [ciso]                 # consulted already

Passing example::

    duties:
      - id: it.change-management
        title: Approve and schedule production changes
        raci:
          accountable: cio
          responsible: [cio, change-advisory-board]   # A+R is fine
          consulted: [ciso]
"""

from __future__ import annotations

from collections.abc import Iterator

from ..finding import Finding, Severity
from ..model import LETTERS, Claim, PolicySet

ID = "redundant-role"
SEVERITY = Severity.WARNING
PER_DUTY = True  # what a re-run after an edit may assume: see checker.rules

_OWNER_AND_DOER = frozenset(("accountable", "responsible"))


def check(model: PolicySet) -> Iterator[Finding]:
    for duty, on_duty in model.claims_by_duty().items():
        if duty not in model.duties or len({c.party for c in on_duty}) == len(on_duty):
            continue  # nobody named twice: the common case, decided in one pass
        held: dict[str, list[Claim]] = {}
        for claim in on_duty:
            held.setdefault(claim.party, []).append(claim)
        for party, claims in held.items():
            if party in model.parties:  # an undefined one is unknown-party's to report
                yield from _redundant(duty, party, claims)


def _redundant(duty: str, party: str, claims: list[Claim]) -> Iterator[Finding]:
    letters = {c.letter for c in claims}
    if len(letters) >= 2 and letters != _OWNER_AND_DOER:
        claims = sorted(claims, key=lambda c: c.location)
        named = " and ".join(letter for letter in LETTERS if letter in letters)
        yield Finding(
            ID,
            SEVERITY,
            duty,
            f"{party!r} is {named} on {duty}; keep one letter (only accountable and responsible combine)",
            claims[-1].location,
            tuple(c.location for c in claims[:-1]),
            detail=party,
        )

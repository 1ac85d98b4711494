"""A party funds a budget but is neither accountable nor responsible for any duty it funds.

Whoever pays for work should answer for it or do it; a funder with no role on
what it pays for is how an office ends up paying for another's priorities, or
claiming a say it does not have. Claims count wherever they are written. The
finding is placed at the party's split, and a budget without `funds` has no
duty to hold a role on. The subject is the budget, the detail the party.

Failing example::

    budgets:
      - id: fy27-security-tooling
        funds: [sec.edr-operations]          # accountable: ciso, responsible: security-ops
        splits:
          - {party: ciso, percent: 60}
          - {party: cfo, percent: 40}        # the CFO holds no A or R on EDR

Passing example::

    budgets:
      - id: fy27-security-tooling
        funds: [sec.edr-operations, it.endpoint-management]   # accountable: cio
        splits:
          - {party: ciso, percent: 60}
          - {party: cio, percent: 40}
"""

from __future__ import annotations

from collections.abc import Iterator

from ..finding import Finding, Severity
from ..model import PolicySet

ID = "funder-without-role"
SEVERITY = Severity.WARNING

PER_BUDGET = True  # a finding depends on one budget and the duties it funds: see checker.rules
_OWNER_OR_DOER = frozenset(("accountable", "responsible"))


def reads(model: PolicySet, duty: str) -> object:
    """Who is accountable or responsible for a duty: what a budget that funds it
    checks its funders against."""
    return frozenset(c.party for c in model.claims_by_duty().get(duty, ()) if c.letter in _OWNER_OR_DOER)


def check(model: PolicySet) -> Iterator[Finding]:
    by_duty = model.claims_by_duty()
    for budget in model.budgets.values():
        roles = {
            claim.party for ref in budget.funds for claim in by_duty.get(ref.id, ()) if claim.letter in _OWNER_OR_DOER
        }
        funded = ", ".join(ref.id for ref in budget.funds) or "no duty (no `funds`)"
        for split in budget.splits:
            party = split.party.id
            if party in roles or party not in model.parties:
                continue  # an unknown party is `unknown-party`'s to report
            yield Finding(
                ID,
                SEVERITY,
                budget.id,
                f"{party!r} funds budget {budget.id} but is neither accountable nor responsible for "
                f"what it funds: {funded}",
                split.party.location,
                detail=party,
            )

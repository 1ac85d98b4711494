"""One party appears twice in a budget's splits.

Two lines for one office in one budget hide how much it really pays, and
usually mean a share was copied rather than moved. The finding is placed at
the second split of the party, with the first as a related location. The
subject is the budget, the detail the party.

Failing example::

    splits:
      - {party: ciso, percent: 40}
      - {party: cio, percent: 40}
      - {party: ciso, percent: 20}     # the CISO again

Passing example::

    splits:
      - {party: ciso, percent: 60}
      - {party: cio, percent: 40}
"""

from __future__ import annotations

from collections.abc import Iterator

from ..finding import Finding, Location, Severity
from ..model import PolicySet
from ._scope import no_duty

ID = "duplicate-split"
SEVERITY = Severity.ERROR
reads = no_duty  # what a re-run after an edit may assume: see checker.rules


def check(model: PolicySet) -> Iterator[Finding]:
    for budget in model.budgets.values():
        first: dict[str, Location] = {}
        for split in budget.splits:
            party = split.party
            if party.id not in first:
                first[party.id] = party.location
                continue
            yield Finding(
                ID,
                SEVERITY,
                budget.id,
                f"{party.id!r} has more than one split in budget {budget.id} (first at {first[party.id]}); "
                "give each party one share",
                party.location,
                (first[party.id],),
                detail=party.id,
            )

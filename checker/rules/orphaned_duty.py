"""A duty has no active accountable party.

A duty nobody answers for is a gap in accountability: the asset inventory that
everyone assumes someone else keeps. It fires when no party is accountable, or
when every accountable party is `active: false` (a removed or vacant role
still "owning" the duty). The finding is placed at the duty's id. The subject
is the duty.

Failing example::

    duties:
      - id: it.asset-inventory
        title: Keep the inventory of hardware and software assets
        raci:
          responsible: [it-ops]        # responsible, but nobody accountable

Passing example::

    duties:
      - id: it.asset-inventory
        title: Keep the inventory of hardware and software assets
        raci:
          accountable: cio
          responsible: [it-ops]
"""

from __future__ import annotations

from collections.abc import Iterator

from ..finding import Finding, Severity
from ..model import PolicySet
from ._letters import missing_letter

ID = "orphaned-duty"
SEVERITY = Severity.ERROR
PER_DUTY = True  # what a re-run after an edit may assume: see checker.rules


def check(model: PolicySet) -> Iterator[Finding]:
    for duty, inactive in missing_letter(model, "accountable"):
        if inactive:
            who = ", ".join(sorted({c.party for c in inactive}))
            message = f"{duty.id} has no active accountable party: {who} is inactive (active: false)"
        else:
            message = f"{duty.id} has no accountable party; name exactly one"
        yield Finding(ID, SEVERITY, duty.id, message, duty.location, tuple(c.location for c in inactive))

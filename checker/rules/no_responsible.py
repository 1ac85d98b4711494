"""A duty has no active responsible party.

Someone must do the work: an accountable owner with nobody responsible is a
duty on paper only. It fires when no party is responsible, or when every
responsible party is `active: false`. The accountable party may also be the
responsible one (name it under both letters). The finding is placed at the
duty's id. The subject is the duty.

Failing example::

    duties:
      - id: sec.awareness-training
        title: Run the annual security awareness training
        raci:
          accountable: ciso
          informed: [all-staff]        # nobody does the work

Passing example::

    duties:
      - id: sec.awareness-training
        title: Run the annual security awareness training
        raci:
          accountable: ciso
          responsible: [security-office]
          informed: [all-staff]
"""

from __future__ import annotations

from collections.abc import Iterator

from ..finding import Finding, Severity
from ..model import PolicySet
from ._letters import missing_letter

ID = "no-responsible"
SEVERITY = Severity.ERROR
PER_DUTY = True  # what a re-run after an edit may assume: see checker.rules


def check(model: PolicySet) -> Iterator[Finding]:
    for duty, inactive in missing_letter(model, "responsible"):
        if inactive:
            who = ", ".join(sorted({c.party for c in inactive}))
            message = f"{duty.id} has no active responsible party: {who} is inactive (active: false)"
        else:
            message = f"{duty.id} has no responsible party; name at least one"
        yield Finding(ID, SEVERITY, duty.id, message, duty.location, tuple(c.location for c in inactive))

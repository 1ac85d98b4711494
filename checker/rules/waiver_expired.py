"""A waiver's expiry date has passed.

A waiver is an accepted exception with an end date; once the date has passed
(it is valid through its `expires` day, in UTC), the finding it waived is
reported again and this finding says why: renew the waiver with a new
approval, or fix the problem. The finding is placed at the waiver. The subject
is the waiver's subject, the detail its rule. `raci check --today DATE` fixes
the date, for reproducible runs.

Failing example (checked on 2027-04-01)::

    waivers:
      - rule: double-ownership
        subject: sec.incident-response
        reason: Joint accountability during the 2027 transition
        approved_by: [cio, ciso]
        expires: 2027-03-31

Passing example (checked on 2027-03-31, the last valid day)::

    waivers:
      - rule: double-ownership
        subject: sec.incident-response
        reason: Joint accountability during the 2027 transition
        approved_by: [cio, ciso]
        expires: 2027-03-31
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..finding import Finding, Severity
from ._scope import no_duty

if TYPE_CHECKING:
    from ..model import PolicySet

ID = "waiver-expired"
SEVERITY = Severity.ERROR
reads = no_duty  # what a re-run after an edit may assume: see checker.rules


def check(model: PolicySet) -> Iterator[Finding]:
    return iter(())  # needs the date and the other findings: see checker.waivers

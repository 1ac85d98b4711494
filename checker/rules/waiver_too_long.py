"""A waiver expires further ahead than the configured limit.

An exception approved "until further notice" is a policy change nobody
reviewed. Waivers must end within `waivers.max_days` of today (default 366,
set in `.raci.yaml`), so that each is looked at again at least yearly. The
finding is placed at the waiver's `expires`. The subject is the waiver's
subject, the detail its rule.

Failing example (checked on 2027-01-15)::

    waivers:
      - rule: double-ownership
        subject: sec.incident-response
        reason: Joint accountability during the 2027 transition
        approved_by: [cio, ciso]
        expires: 2030-12-31

Passing example::

    waivers:
      - rule: double-ownership
        subject: sec.incident-response
        reason: Joint accountability during the 2027 transition
        approved_by: [cio, ciso]
        expires: 2027-12-31
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..finding import Finding, Severity
from ._scope import no_duty

if TYPE_CHECKING:
    from ..model import PolicySet

ID = "waiver-too-long"
SEVERITY = Severity.WARNING
reads = no_duty  # what a re-run after an edit may assume: see checker.rules


def check(model: PolicySet) -> Iterator[Finding]:
    return iter(())  # needs the date: see checker.waivers

"""A waiver matches no finding.

A waiver that waives nothing is either stale (the problem was fixed: remove
the waiver) or mistyped (its rule or subject names nothing, and the finding it
was meant for still fails the run). An expired waiver is reported as
`waiver-expired` instead. The finding is placed at the waiver. The subject is
the waiver's subject, the detail its rule.

Failing example::

    waivers:
      - rule: double-ownership
        subject: sec.incident-responce     # a typo: nothing to waive
        reason: Joint accountability during the 2027 transition
        approved_by: [cio, ciso]
        expires: 2027-03-31

Passing example::

    waivers:
      - rule: double-ownership
        subject: sec.incident-response     # the duty both offices claim
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

ID = "waiver-unused"
SEVERITY = Severity.WARNING
reads = no_duty  # what a re-run after an edit may assume: see checker.rules


def check(model: PolicySet) -> Iterator[Finding]:
    return iter(())  # needs the other findings: see checker.waivers

"""A RACI letter names a party that is `active: false`.

A removed or vacant role kept for history must not still hold duties: the
former deputy CIO still "owning" security awareness training means nobody
does. Each such claim is reported where it is written, whether or not another
active party holds the same letter. The subject is the duty, the detail the
party and letter.

Failing example::

    parties:
      - {id: deputy-cio, name: Deputy CIO (role removed in 2026), type: role, active: false}
    duties:
      - id: sec.awareness-training
        title: Run the annual security awareness training
        raci: {accountable: deputy-cio, responsible: [security-office]}

Passing example::

    duties:
      - id: sec.awareness-training
        title: Run the annual security awareness training
        raci: {accountable: ciso, responsible: [security-office]}
"""

from __future__ import annotations

from collections.abc import Iterator

from ..finding import Finding, Severity
from ..model import PolicySet

ID = "inactive-party"
SEVERITY = Severity.WARNING
PER_DUTY = True  # what a re-run after an edit may assume: see checker.rules


def check(model: PolicySet) -> Iterator[Finding]:
    inactive = model.inactive_parties()
    for claim in model.claims:
        if claim.party in inactive and claim.duty in model.duties:
            yield Finding(
                ID,
                SEVERITY,
                claim.duty,
                f"{claim.letter} of {claim.duty} is {claim.party!r}, a party that is inactive (active: false); "
                "reassign it",
                claim.location,
                detail=f"{claim.party}:{claim.letter}",
            )

"""An active party holds no letter on any duty.

A role or team that is defined but neither accountable, responsible,
consulted nor informed anywhere is either missing from the RACI (a gap) or no
longer exists (mark it `active: false`, or remove it). Informational by
default. The finding is placed at the party's id. The subject is the party.

Failing example::

    parties:
      - {id: data-protection-officer, name: Data Protection Officer, type: role}
    # ... and no duty names data-protection-officer

Passing example::

    duties:
      - id: priv.dpia
        title: Review data protection impact assessments
        raci: {accountable: data-protection-officer, responsible: [privacy-office]}
"""

from __future__ import annotations

from collections.abc import Collection, Iterator

from ..finding import Finding, Severity
from ..model import PolicySet

ID = "idle-party"
SEVERITY = Severity.INFO


def tally(model: PolicySet, duty: str) -> list[str]:
    """The parties a defined duty's claims name, once per claim: the count of each
    over every duty is all this rule needs of the duties (see `checker.rules`)."""
    if duty not in model.duties:
        return []
    return [claim.party for claim in model.claims_by_duty().get(duty, ())]


def check(model: PolicySet) -> Iterator[Finding]:
    return check_tally(model, {claim.party for claim in model.claims if claim.duty in model.duties})


def check_tally(model: PolicySet, held: Collection[str]) -> Iterator[Finding]:
    """The findings, given the parties that claims on defined duties name (the keys
    of the tally's counts: a count of zero is never kept)."""
    for party in model.parties.values():
        if party.active and party.id not in held:
            yield Finding(
                ID,
                SEVERITY,
                party.id,
                f"party {party.id!r} holds no RACI letter on any duty; assign it or mark it active: false",
                party.location,
            )

"""A duty has more than one distinct accountable party.

RACI allows exactly one accountable party per duty: the one who answers for
it. When the CIO and the CISO both believe they own incident response, each
waits for the other, or both act and contradict each other. Claims count
wherever they are written (inline `raci:` or any Assignments file); a party
that is `active: false` is left out (`inactive-party` reports it), and so are
undefined parties and duties (`unknown-party` and `unknown-duty` do). The
finding is placed at the first claim in reading order, with every other claim
as a related location. The subject is the duty, the detail the sorted list of
accountable parties.

Failing example::

    # policies/duties/security.yaml
    duties:
      - id: sec.incident-response
        title: Lead the response to security incidents
        raci: {accountable: ciso, responsible: [security-ops]}
    # policies/assignments/cio-office.yaml
    assignments:
      - duty: sec.incident-response
        accountable: cio              # a second owner

Passing example::

    # policies/assignments/cio-office.yaml
    assignments:
      - duty: sec.incident-response
        consulted: [cio]              # the CIO is heard, the CISO answers
"""

from __future__ import annotations

from collections.abc import Iterator

from ..finding import Finding, Severity
from ..model import Claim, PolicySet

ID = "double-ownership"
SEVERITY = Severity.ERROR
PER_DUTY = True  # what a re-run after an edit may assume: see checker.rules


def check(model: PolicySet) -> Iterator[Finding]:
    # Only defined, active parties on defined duties: an unknown id is reported
    # once, by unknown-party or unknown-duty, and a typo is not a second owner.
    owners = {p.id for p in model.parties.values() if p.active}
    accountable: dict[str, list[Claim]] = {}
    duties = model.duties
    for claim in model.claims_by_letter()["accountable"]:
        if claim.party in owners and claim.duty in duties:
            accountable.setdefault(claim.duty, []).append(claim)
    for duty, claims in accountable.items():
        parties = sorted({claim.party for claim in claims})
        if len(parties) < 2:
            continue
        claims.sort(key=lambda c: c.location)
        places = ", ".join(
            f"{party} ({', '.join(str(c.location) for c in claims if c.party == party)})" for party in parties
        )
        yield Finding(
            ID,
            SEVERITY,
            duty,
            f"{duty} has {len(parties)} accountable parties: {places}; exactly one party must be accountable",
            claims[0].location,
            tuple(c.location for c in claims[1:]),
            detail=",".join(parties),
        )

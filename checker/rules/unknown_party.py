"""A reference names a party that is not defined.

RACI letters (inline and in Assignments files), `reports_to`, budget splits,
the party of a `require` rule and waiver approvers must name a party defined
in a Parties file; a typo such as `cisco` for `ciso` would otherwise leave a
duty with an owner nobody is. When a defined id is close, the message
suggests it. The subject is the duty (for RACI letters), the party (for
`reports_to`), the budget (for splits), the rule (for `require`) or the
waiver's subject (for approvers); the detail is the field and the unknown id.

Failing example::

    duties:
      - id: sec.incident-response
        title: Lead the response to security incidents
        raci:
          accountable: cisco    # unknown party (did you mean 'ciso'?)

Passing example::

    duties:
      - id: sec.incident-response
        title: Lead the response to security incidents
        raci:
          accountable: ciso
"""

from __future__ import annotations

from collections.abc import Iterator

from ..finding import Finding, Location, Severity
from ..hints import Suggester, did_you_mean
from ..model import PolicySet, iter_party_refs

ID = "unknown-party"
SEVERITY = Severity.ERROR
PER_DUTY = True  # what a re-run after an edit may assume: see checker.rules


def check(model: PolicySet) -> Iterator[Finding]:
    parties = model.parties
    suggester = Suggester(parties)

    def finding(subject: str, party: str, where: str, location: Location, field: str) -> Finding:
        message = f"{where} names party {party!r}, which is not defined{did_you_mean(party, suggester)}"
        # The field keeps apart one unknown party named in two letters of one duty.
        return Finding(ID, SEVERITY, subject, message, location, detail=f"{field}:{party}")

    for claim in model.claims:
        if claim.party not in parties:
            yield finding(claim.duty, claim.party, f"{claim.letter} of {claim.duty}", claim.location, claim.letter)
    for ref in iter_party_refs(model):
        if ref.party.id not in parties:
            yield finding(ref.subject, ref.party.id, ref.where, ref.party.location, ref.field)

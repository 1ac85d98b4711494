"""Two definitions of one party, duty, budget, pool or rule id.

Ids are unique per entity type across the whole policy set, whichever file
they are in; otherwise a reviewer cannot tell which definition is meant, and a
change to one silently shadows the other. The first definition in reading
order (files sorted by path) is kept; the finding is placed at each later one,
with the first as a related location. The subject is the id, the detail the
entity type.

Failing example::

    # policies/duties/security.yaml
    duties:
      - id: sec.incident-response
        title: Lead the response to security incidents
    # policies/duties/it.yaml
    duties:
      - id: sec.incident-response      # defined again by the CIO's office
        title: Restore service after incidents

Passing example::

    # policies/duties/it.yaml
    duties:
      - id: it.service-restoration
        title: Restore service after incidents
"""

from __future__ import annotations

from collections.abc import Iterator

from ..finding import Finding, Severity
from ..model import PolicySet

ID = "duplicate-id"
SEVERITY = Severity.ERROR
PER_DUTY = True  # what a re-run after an edit may assume: see checker.rules


def check(model: PolicySet) -> Iterator[Finding]:
    for again in model.redefinitions:
        first = model.definition_location(again.entity, again.id)
        related = (first,) if first is not None else ()
        where = f" (first defined at {first})" if first is not None else ""
        yield Finding(
            ID,
            SEVERITY,
            again.id,
            f"{again.entity} {again.id!r} is defined more than once{where}",
            again.location,
            related,
            detail=again.entity,
        )

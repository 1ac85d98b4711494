"""A document breaks the JSON Schema of its kind.

Every document starts with `apiVersion: raci/v1` and a `kind` (Parties,
Duties, Assignments, Budgets, Rules or Waivers) and must then follow that
kind's schema, which `raci schema KIND` prints and editors read through the
`# yaml-language-server: $schema=...` modeline. The finding is placed at the
offending node. A list item that breaks the schema is left out of the policy
set and the rest of its document is kept; a document whose kind is unknown, or
whose top level is broken, contributes nothing. The subject is the file's path,
the detail the key path.

Failing example::

    kind: Duties
    duties:
      - id: 'sec.incident-response '   # trailing space: not an id
        titel: Lead the response        # unknown key (did you mean 'title'?)

Passing example::

    kind: Duties
    duties:
      - id: sec.incident-response
        title: Lead the response to security incidents
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..finding import Finding, Location, Severity
from ._scope import no_duty

if TYPE_CHECKING:
    from ..model import PolicySet

ID = "schema"
SEVERITY = Severity.ERROR
reads = no_duty  # what a re-run after an edit may assume: see checker.rules


def finding(location: Location, message: str, *, detail: str) -> Finding:
    return Finding(ID, SEVERITY, location.file, message, location, (), detail)


def check(model: PolicySet) -> Iterator[Finding]:
    return iter(())

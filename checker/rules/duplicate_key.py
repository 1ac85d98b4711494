"""A mapping repeats a key.

Most YAML readers silently keep the last value, so a second `accountable:`
quietly replaces the first and a reviewer never sees that two people were
named. The finding names both lines; the later value is used and the rest of
the file is still checked. The subject is the file's path, the detail the key
path.

Failing example::

    duties:
      - id: sec.incident-response
        title: Lead the response to security incidents
        raci:
          accountable: ciso
          accountable: cio     # second key: the CISO's claim would vanish

Passing example::

    duties:
      - id: sec.incident-response
        title: Lead the response to security incidents
        raci:
          accountable: ciso
          consulted: [cio]
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..finding import Finding, Location, Severity
from ._scope import no_duty

if TYPE_CHECKING:
    from ..model import PolicySet

ID = "duplicate-key"
SEVERITY = Severity.ERROR
reads = no_duty  # what a re-run after an edit may assume: see checker.rules


def finding(location: Location, message: str, *, related: tuple[Location, ...], detail: str) -> Finding:
    return Finding(ID, SEVERITY, location.file, message, location, related, detail)


def check(model: PolicySet) -> Iterator[Finding]:
    return iter(())

"""The file cannot be read as safe YAML.

Fires on syntax errors, text that is not UTF-8, a file above the size limit or
nested deeper than the depth limit, aliases and merge keys (they hide who owns
what, and alias bombs explode in any code that walks the data), tags such as
`!!python/object`, `!!binary` or `!!set`, mapping keys that are not strings,
an unreadable file, a link that leaves the repository and anything that is not
a regular file. Such a file contributes nothing to the policy set; every other
file is still checked. The subject is the file's path.

Failing example::

    duties:
      - id: sec.incident-response
        raci: &owners {accountable: ciso, responsible: [security-ops]}
      - id: sec.forensics
        raci: *owners          # alias: who owns forensics is hidden here

Passing example::

    duties:
      - id: sec.incident-response
        raci: {accountable: ciso, responsible: [security-ops]}
      - id: sec.forensics
        raci: {accountable: ciso, responsible: [security-ops]}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..finding import Finding, Location, Severity
from ._scope import no_duty

if TYPE_CHECKING:
    from ..model import PolicySet

ID = "yaml-syntax"
SEVERITY = Severity.ERROR
reads = no_duty  # what a re-run after an edit may assume: see checker.rules


def finding(location: Location, message: str) -> Finding:
    return Finding(ID, SEVERITY, location.file, message, location)


def check(model: PolicySet) -> Iterator[Finding]:
    return iter(())

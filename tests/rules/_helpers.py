"""Small helpers shared by the rule tests (the fixtures live in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterable

from checker.finding import Location

# Parties for the tests that need a party with `active: false`; `people.yaml`
# sorts after the default `parties.yaml`, so it only adds to PARTIES.
INACTIVE_DEPUTY = """\
apiVersion: raci/v1
kind: Parties
parties:
  - {id: deputy-cio, name: Deputy CIO (role removed in 2026), type: role, active: false}
"""


def where(locations: Iterable[Location]) -> list[tuple[str, int, int]]:
    """(file, line, column) of each location, e.g. of a finding's `related`."""
    return [(loc.file, loc.line, loc.column) for loc in locations]

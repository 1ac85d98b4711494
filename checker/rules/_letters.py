"""Shared by the rules that ask whether a duty has someone in a letter."""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Claim, Duty, PolicySet


def missing_letter(model: PolicySet, letter: str) -> Iterator[tuple[Duty, list[Claim]]]:
    """Defined duties with no claim in `letter` by a party that is not inactive,
    each with the claims by inactive parties (if any) that left the gap."""
    inactive_ids = model.inactive_parties()
    live: set[str] = set()
    inactive: dict[str, list[Claim]] = {}
    for claim in model.claims_by_letter()[letter]:
        if claim.party in inactive_ids:
            inactive.setdefault(claim.duty, []).append(claim)
        else:
            live.add(claim.duty)
    for duty in model.duties.values():
        if duty.id not in live:
            yield duty, sorted(inactive.get(duty.id, []), key=lambda c: c.location)

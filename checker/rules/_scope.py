"""What rules that read no duty declare (see `checker.rules`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the loader imports the rules about reading files: no import of the model at run time
    from ..model import PolicySet


def no_duty(model: PolicySet, duty: str) -> None:
    """Nothing of any duty: the findings come from the files, parties, budgets,
    pools or waivers alone, so no edit to a duty changes them."""
    return None

"""An assignment or a budget's `funds` names a duty that is not defined.

A RACI assignment for a duty that no Duties file defines is accountability for
nothing: usually a renamed or removed duty whose departmental assignment was
left behind, or a typo. The subject is the unknown duty id for an assignment,
the budget for `funds`; the detail is the unknown id. A close defined id is
suggested.

Failing example::

    kind: Assignments
    assignments:
      - duty: it.asset-inventroy     # not defined (did you mean 'it.asset-inventory'?)
        accountable: cio

Passing example::

    kind: Assignments
    assignments:
      - duty: it.asset-inventory
        accountable: cio
"""

from __future__ import annotations

from collections.abc import Iterator

from ..finding import Finding, Location, Severity
from ..hints import Suggester, did_you_mean
from ..model import PolicySet

ID = "unknown-duty"
SEVERITY = Severity.ERROR


def reads(model: PolicySet, duty: str) -> object:
    """Whether a duty is defined (the suggestions name defined duties), and if it
    is not, where Assignments entries name it."""
    if duty in model.duties:
        return True
    return tuple(ref.location for ref in model.assignments if ref.id == duty)


def check(model: PolicySet) -> Iterator[Finding]:
    duties = model.duties
    suggester = Suggester(duties)
    # One finding per unknown duty, however many assignments name it.
    by_duty: dict[str, list[Location]] = {}
    for ref in model.assignments:
        if ref.id not in duties:
            by_duty.setdefault(ref.id, []).append(ref.location)
    for duty, places in by_duty.items():
        yield Finding(
            ID,
            SEVERITY,
            duty,
            f"{_count(len(places))} duty {duty!r}, which is not defined{did_you_mean(duty, suggester)}",
            places[0],
            tuple(places[1:]),
            detail=duty,
        )
    for budget in model.budgets.values():
        for ref in budget.funds:
            if ref.id not in duties:
                yield Finding(
                    ID,
                    SEVERITY,
                    budget.id,
                    f"budget {budget.id!r} funds duty {ref.id!r}, which is not defined"
                    f"{did_you_mean(ref.id, suggester)}",
                    ref.location,
                    detail=ref.id,
                )


def _count(n: int) -> str:
    return "an assignment names" if n == 1 else f"{n} assignments name"

"""`reports_to` forms a cycle.

The reporting line is how disagreements escalate: when the CIO and the CISO
cannot agree, someone above both decides. A cycle (the CISO reports to the
CIO, who reports to the CISO) means an escalation never reaches anyone. One
finding per cycle, placed at the `reports_to` of the smallest id in it, with
the other members' `reports_to` as related locations. The subject is that
smallest id, the detail the cycle's members in order.

Failing example::

    parties:
      - {id: cio, name: Chief Information Officer, type: role, reports_to: ciso}
      - {id: ciso, name: Chief Information Security Officer, type: role, reports_to: cio}

Passing example::

    parties:
      - {id: ceo, name: Chief Executive Officer, type: role}
      - {id: cio, name: Chief Information Officer, type: role, reports_to: ceo}
      - {id: ciso, name: Chief Information Security Officer, type: role, reports_to: ceo}
"""

from __future__ import annotations

from collections.abc import Iterator

from ..finding import Finding, Location, Severity
from ..model import PolicySet
from ._scope import no_duty

ID = "reports-to-cycle"
SEVERITY = Severity.ERROR
reads = no_duty  # what a re-run after an edit may assume: see checker.rules


def check(model: PolicySet) -> Iterator[Finding]:
    # Each party reports to at most one other: a functional graph, so a walk
    # from every unvisited party finds each cycle once, in linear time.
    boss = {p.id: p.reports_to.id for p in model.parties.values() if p.reports_to is not None}
    state: dict[str, int] = {}  # 1 = on the current walk, 2 = done
    for start in sorted(boss):
        walk: list[str] = []
        node: str | None = start
        while node is not None and node not in state:
            state[node] = 1
            walk.append(node)
            node = boss.get(node)
        if node is not None and state[node] == 1:
            cycle = walk[walk.index(node) :]
            yield _finding(model, cycle)
        for member in walk:
            state[member] = 2


def _finding(model: PolicySet, cycle: list[str]) -> Finding:
    first = cycle.index(min(cycle))
    cycle = cycle[first:] + cycle[:first]
    places: list[Location] = []
    for member in cycle:
        ref = model.parties[member].reports_to
        if ref is not None:
            places.append(ref.location)
    chain = " -> ".join([*cycle, cycle[0]])
    return Finding(
        ID,
        SEVERITY,
        cycle[0],
        f"reports_to forms a cycle: {chain}; escalations never reach anyone outside it",
        places[0],
        tuple(places[1:]),
        detail=",".join(cycle),
    )

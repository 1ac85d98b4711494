"""A budget draws on a pool that is not defined.

A typo in `pool:` silently takes a budget out of its pool's total, so an
over-committed pool would pass. The finding is placed at the budget's `pool:`,
with a "did you mean" hint when a defined pool is close. The subject is the
budget, the detail the unknown pool id.

Failing example::

    pools:
      - {id: fy27-it-capex, amount: 2000000, currency: USD, period: FY2027}
    budgets:
      - {id: fy27-security-tooling, pool: fy27-it-capx, ...}

Passing example::

    budgets:
      - {id: fy27-security-tooling, pool: fy27-it-capex, ...}
"""

from __future__ import annotations

from collections.abc import Iterator

from ..finding import Finding, Severity
from ..hints import Suggester, did_you_mean
from ..model import PolicySet
from ._scope import no_duty

ID = "unknown-pool"
SEVERITY = Severity.ERROR
reads = no_duty  # what a re-run after an edit may assume: see checker.rules


def check(model: PolicySet) -> Iterator[Finding]:
    suggester = Suggester(model.pools)
    for budget in model.budgets.values():
        ref = budget.pool
        if ref is not None and ref.id not in model.pools:
            yield Finding(
                ID,
                SEVERITY,
                budget.id,
                f"budget {budget.id} draws on pool {ref.id!r}, which is not defined{did_you_mean(ref.id, suggester)}",
                ref.location,
                detail=ref.id,
            )

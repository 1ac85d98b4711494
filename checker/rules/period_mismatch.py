"""A budget's period differs from its pool's.

A FY2028 budget drawing on a FY2027 pool spends next year's money from this
year's pot, or the other way round. Periods are labels compared exactly. The
finding is placed at the budget's period, with the pool's period as a related
location. The subject is the budget.

Failing example::

    pools:
      - {id: fy27-it-capex, amount: 2000000, currency: USD, period: FY2027}
    budgets:
      - {id: fy28-siem-renewal, pool: fy27-it-capex, period: FY2028, ...}

Passing example::

    budgets:
      - {id: fy27-siem-renewal, pool: fy27-it-capex, period: FY2027, ...}
"""

from __future__ import annotations

from collections.abc import Iterator

from ..finding import Finding, Severity
from ..model import PolicySet
from ._scope import no_duty

ID = "period-mismatch"
SEVERITY = Severity.ERROR
reads = no_duty  # what a re-run after an edit may assume: see checker.rules


def check(model: PolicySet) -> Iterator[Finding]:
    for budget in model.budgets.values():
        pool = model.pool_of(budget)
        if pool is not None and budget.period != pool.period:
            yield Finding(
                ID,
                SEVERITY,
                budget.id,
                f"budget {budget.id} is for {budget.period!r} but draws on pool {pool.id} for {pool.period!r}",
                budget.period_at,
                (pool.period_at,),
            )

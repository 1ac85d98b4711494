"""A budget's currency differs from its pool's.

A budget in EUR drawing on a USD pool cannot be added to the pool's other
budgets without an exchange rate nobody agreed on; it is left out of the
pool's total (`pool-overcommitted`) and reported here. The finding is placed
at the budget's currency, with the pool's currency as a related location. The
subject is the budget.

Failing example::

    pools:
      - {id: fy27-it-capex, amount: 2000000, currency: USD, period: FY2027}
    budgets:
      - {id: fy27-emea-soc, pool: fy27-it-capex, amount: 300000, currency: EUR, ...}

Passing example::

    budgets:
      - {id: fy27-emea-soc, pool: fy27-it-capex, amount: 330000, currency: USD, ...}
"""

from __future__ import annotations

from collections.abc import Iterator

from ..finding import Finding, Severity
from ..model import PolicySet
from ._scope import no_duty

ID = "currency-mismatch"
SEVERITY = Severity.ERROR
reads = no_duty  # what a re-run after an edit may assume: see checker.rules


def check(model: PolicySet) -> Iterator[Finding]:
    for budget in model.budgets.values():
        pool = model.pool_of(budget)
        if pool is not None and budget.currency != pool.currency:
            yield Finding(
                ID,
                SEVERITY,
                budget.id,
                f"budget {budget.id} is in {budget.currency} but draws on pool {pool.id} in {pool.currency}; "
                "it is left out of the pool's total",
                budget.currency_at,
                (pool.currency_at,),
            )

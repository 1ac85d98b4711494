"""Budgets drawing on a pool add up to more than the pool holds.

A pool is money that several budgets share, such as the capital that the CIO's
and the CISO's offices both draw on. When their budgets together claim more
than the pool, they have become adversaries for the same dollar. Budgets of
another currency than the pool's are left out of the sum (`currency-mismatch`
reports them); drawing exactly the pool's amount is allowed. The message lists
each budget's claim and the total against the pool; the finding is placed at
the pool's id, with each budget's `pool:` as a related location. The subject
is the pool.

Failing example::

    pools:
      - {id: fy27-it-capex, amount: 2000000, currency: USD, period: FY2027}
    budgets:
      - {id: fy27-security-tooling, pool: fy27-it-capex, amount: 1200000, ...}
      - {id: fy27-it-modernisation, pool: fy27-it-capex, amount: 1000000, ...}

Passing example::

    budgets:
      - {id: fy27-security-tooling, pool: fy27-it-capex, amount: 1200000, ...}
      - {id: fy27-it-modernisation, pool: fy27-it-capex, amount: 800000, ...}
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction

from ..finding import Finding, Severity
from ..model import Budget, PolicySet
from ..money import money, total
from ._scope import no_duty

ID = "pool-overcommitted"
SEVERITY = Severity.ERROR
reads = no_duty  # what a re-run after an edit may assume: see checker.rules


def check(model: PolicySet) -> Iterator[Finding]:
    drawing: dict[str, list[Budget]] = {}
    for budget in model.budgets.values():
        pool = model.pool_of(budget)
        if pool is not None and budget.currency == pool.currency:
            drawing.setdefault(pool.id, []).append(budget)
    for pool_id, budgets in drawing.items():
        pool = model.pools[pool_id]
        committed = total(b.amount for b in budgets)
        if committed <= pool.amount:
            continue
        claims = ", ".join(f"{b.id} {money(b.amount, pool.currency)}" for b in budgets)
        over = committed - Fraction(pool.amount)
        yield Finding(
            ID,
            SEVERITY,
            pool.id,
            f"pool {pool.id} holds {money(pool.amount, pool.currency)} but its budgets claim "
            f"{money(committed, pool.currency)}, over by {money(over, pool.currency)}: {claims}",
            pool.location,
            tuple(b.pool.location for b in budgets if b.pool is not None),
        )

"""A budget's splits do not add up to exactly 100% of it.

When the CIO's and the CISO's shares of a shared budget add up to more than
the whole, both offices are counting on the same dollar; when they add up to
less, part of the money has no owner. Shares are summed exactly, whether
written as `percent` or as `amount` (both kinds may be mixed): 33.33 + 33.33 +
33.34 is exactly 100. The message says whether the splits are over or under,
and by how much in percent and in money. The finding is placed at the budget's
id, with the splits as related locations. The subject is the budget.

Failing example::

    budgets:
      - id: fy27-security-tooling
        amount: 1200000
        currency: USD
        period: FY2027
        splits:
          - {party: ciso, percent: 60}
          - {party: cio, amount: 600000}    # 60% + 50% = 110%

Passing example::

    budgets:
      - id: fy27-security-tooling
        amount: 1200000
        currency: USD
        period: FY2027
        splits:
          - {party: ciso, percent: 60}
          - {party: cio, amount: 480000}    # 60% + 40% = 100%
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction

from ..finding import Finding, Severity
from ..model import PolicySet
from ..money import money, percent, shares_total, splits_add_up
from ._scope import no_duty

ID = "split-total"
SEVERITY = Severity.ERROR
reads = no_duty  # what a re-run after an edit may assume: see checker.rules


def check(model: PolicySet) -> Iterator[Finding]:
    for budget in model.budgets.values():
        if splits_add_up(budget):  # exact: when it says no, the total below is not 1
            continue
        total = shares_total(budget)
        gap = total - 1
        direction = "over" if gap > 0 else "under"
        yield Finding(
            ID,
            SEVERITY,
            budget.id,
            f"the splits of {budget.id} add up to {percent(total)} of {money(budget.amount, budget.currency)}: "
            f"{direction} by {percent(abs(gap))} ({money(abs(gap) * Fraction(budget.amount), budget.currency)}); "
            "they must add up to exactly 100%",
            budget.location,
            tuple(split.share_at for split in budget.splits),
        )

"""An unknown ISO 4217 currency, or an amount with more decimals than its currency has.

Money is written in whole minor units: cents for USD and EUR, no decimals for
JPY, three for KWD. `1200000.005` USD is a typo or a rounding left over from a
spreadsheet, and an unknown code such as `US` or `EURO` makes every total
meaningless. Checked for pools, budgets and split amounts; the finding is
placed at the offending value. The subject is the budget or pool, the detail
the field.

Failing example::

    budgets:
      - id: fy27-security-tooling
        amount: 1200000.005    # USD has 2 decimals
        currency: USD

Passing example::

    budgets:
      - id: fy27-security-tooling
        amount: 1200000.00
        currency: USD
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from ..finding import Finding, Location, Severity
from ..hints import did_you_mean
from ..model import Budget, PolicySet, Pool
from ..money import MINOR_UNITS, decimal_places
from ._scope import no_duty

ID = "money-format"
SEVERITY = Severity.ERROR
reads = no_duty  # what a re-run after an edit may assume: see checker.rules


def check(model: PolicySet) -> Iterator[Finding]:
    holders: list[Pool | Budget] = [*model.pools.values(), *model.budgets.values()]
    for holder in holders:
        entity = "budget" if isinstance(holder, Budget) else "pool"
        if holder.currency not in MINOR_UNITS:
            yield Finding(
                ID,
                SEVERITY,
                holder.id,
                f"{entity} {holder.id}: {holder.currency!r} is not an ISO 4217 currency code"
                f"{did_you_mean(holder.currency, MINOR_UNITS)}",
                holder.currency_at,
                detail="currency",
            )
            continue
        amounts: list[tuple[str, Decimal, Location]] = [("amount", holder.amount, holder.amount_at)]
        if isinstance(holder, Budget):
            amounts += [
                (f"splits[{i}].amount", s.amount, s.share_at)
                for i, s in enumerate(holder.splits)
                if s.amount is not None
            ]
        places = MINOR_UNITS[holder.currency]
        for field, amount, where in amounts:
            if decimal_places(amount) > places:
                yield Finding(
                    ID,
                    SEVERITY,
                    holder.id,
                    f"{entity} {holder.id}: {field} {amount} has {decimal_places(amount)} decimal places; "
                    f"{holder.currency} has {places}",
                    where,
                    detail=field,
                )

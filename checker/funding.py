"""Who pays for what: the funding view behind `raci budgets`.

Per budget its splits as percent and as amount; per party what it funds, by
currency and period; per pool what is committed and what is left. Everything
is exact (`Fraction`s of the file's decimals); rounding, if any, happens only
when a reporter prints a share that has no finite decimal.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from .model import PolicySet
from .money import share, split_amount, total


@dataclass(frozen=True, slots=True)
class SplitLine:
    party: str
    share: Fraction  # of the budget, 1 = 100%
    amount: Fraction  # in the budget's currency


@dataclass(frozen=True, slots=True)
class BudgetLine:
    id: str
    pool: str | None
    currency: str
    period: str
    amount: Decimal
    splits: tuple[SplitLine, ...]

    @property
    def allocated(self) -> Fraction:
        """The share of the budget its splits add up to (1 when they are right)."""
        return sum((s.share for s in self.splits), Fraction(0))


@dataclass(frozen=True, slots=True)
class PartyTotal:
    party: str
    currency: str
    period: str
    amount: Fraction
    budgets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PoolLine:
    id: str
    currency: str
    period: str
    amount: Decimal
    committed: Fraction  # budgets of the pool's currency only
    budgets: tuple[str, ...]

    @property
    def available(self) -> Fraction:
        return Fraction(self.amount) - self.committed

    @property
    def used(self) -> Fraction:
        return self.committed / Fraction(self.amount)

    @property
    def overcommitted(self) -> bool:
        return self.committed > self.amount


@dataclass(frozen=True, slots=True)
class FundingView:
    budgets: tuple[BudgetLine, ...]
    parties: tuple[PartyTotal, ...]
    pools: tuple[PoolLine, ...]


def funding_view(model: PolicySet) -> FundingView:
    """The funding of a policy set, sorted by id for stable output."""
    budgets = []
    totals: dict[tuple[str, str, str], Fraction] = defaultdict(Fraction)
    funded: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for budget in sorted(model.budgets.values(), key=lambda b: b.id):
        lines = tuple(SplitLine(s.party.id, share(s, budget), split_amount(s, budget)) for s in budget.splits)
        budgets.append(
            BudgetLine(
                budget.id,
                budget.pool.id if budget.pool else None,
                budget.currency,
                budget.period,
                budget.amount,
                lines,
            )
        )
        for line in lines:
            key = (line.party, budget.currency, budget.period)
            totals[key] += line.amount
            if budget.id not in funded[key]:
                funded[key].append(budget.id)
    parties = tuple(
        PartyTotal(party, currency, period, totals[(party, currency, period)], tuple(funded[(party, currency, period)]))
        for party, currency, period in sorted(totals)
    )
    pools = []
    for pool in sorted(model.pools.values(), key=lambda p: p.id):
        drawing = [b for b in budgets if b.pool == pool.id and b.currency == pool.currency]
        committed = total(b.amount for b in drawing)
        pools.append(
            PoolLine(pool.id, pool.currency, pool.period, pool.amount, committed, tuple(b.id for b in drawing))
        )
    return FundingView(tuple(budgets), parties, tuple(pools))

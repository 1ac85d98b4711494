"""checker.funding: the exact funding view behind `raci budgets` (splits, party totals, pools)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

import pytest

from checker.finding import Location
from checker.funding import BudgetLine, FundingView, PartyTotal, PoolLine, SplitLine, funding_view
from checker.model import Budget, PolicySet, Pool, Ref, Split
from tests.conftest import CheckFiles, of_rule

HERE = Location("policies/budgets.yaml", 1, 1)


def F(text: str) -> Fraction:
    """The exact fraction of a decimal written as text."""
    return Fraction(Decimal(text))


def pct(party: str, value: str) -> Split:
    return Split(Ref(party, HERE), Decimal(value), None, HERE, HERE)


def amt(party: str, value: str) -> Split:
    return Split(Ref(party, HERE), None, Decimal(value), HERE, HERE)


def budget(
    id_: str,
    amount: str,
    *splits: Split,
    currency: str = "USD",
    period: str = "FY2027",
    pool: str | None = None,
) -> Budget:
    return Budget(
        id_,
        Decimal(amount),
        currency,
        period,
        HERE,
        HERE,
        HERE,
        HERE,
        pool=Ref(pool, HERE) if pool else None,
        splits=splits,
    )


def pool(id_: str, amount: str, currency: str = "USD", period: str = "FY2027") -> Pool:
    return Pool(id_, Decimal(amount), currency, period, HERE, HERE, HERE, HERE)


def view_of(budgets: Sequence[Budget], pools: Sequence[Pool] = ()) -> FundingView:
    """The funding view of a model built by hand, entities inserted in the given (unsorted) order."""
    model = PolicySet()
    model.budgets = {b.id: b for b in budgets}
    model.pools = {p.id: p for p in pools}
    return funding_view(model)


def only_budget(view: FundingView) -> BudgetLine:
    assert len(view.budgets) == 1
    return view.budgets[0]


def totals(view: FundingView) -> dict[tuple[str, str, str], tuple[Fraction, tuple[str, ...]]]:
    return {(p.party, p.currency, p.period): (p.amount, p.budgets) for p in view.parties}


def pool_line(view: FundingView, id_: str) -> PoolLine:
    return next(p for p in view.pools if p.id == id_)


# --- splits per budget -------------------------------------------------------------------------


def test_percent_splits_give_exact_shares_and_amounts() -> None:
    line = only_budget(view_of([budget("fy27-security-tooling", "1200000", pct("ciso", "60"), pct("cio", "40"))]))
    assert line == BudgetLine(
        "fy27-security-tooling",
        None,
        "USD",
        "FY2027",
        Decimal("1200000"),
        (SplitLine("ciso", Fraction(3, 5), Fraction(720000)), SplitLine("cio", Fraction(2, 5), Fraction(480000))),
    )
    assert line.allocated == 1


def test_amount_splits_give_exact_shares() -> None:
    line = only_budget(
        view_of([budget("fy27-security-tooling", "1200000", amt("ciso", "720000"), amt("cio", "480000"))])
    )
    assert line.splits == (
        SplitLine("ciso", Fraction(3, 5), Fraction(720000)),
        SplitLine("cio", Fraction(2, 5), Fraction(480000)),
    )
    assert line.allocated == 1


def test_mixed_percent_and_amount_splits_keep_the_written_order() -> None:
    line = only_budget(view_of([budget("fy27-security-tooling", "1200000", pct("ciso", "60"), amt("cio", "480000"))]))
    assert [(s.party, s.share, s.amount) for s in line.splits] == [
        ("ciso", Fraction(3, 5), Fraction(720000)),
        ("cio", Fraction(2, 5), Fraction(480000)),
    ]
    assert line.allocated == 1


def test_thirds_to_two_places_of_a_budget_with_cents_are_exact() -> None:
    line = only_budget(
        view_of([budget("fy27-identity", "1000000.01", pct("cio", "33.33"), pct("ciso", "33.33"), pct("iam", "33.34"))])
    )
    assert [(s.party, s.share, s.amount) for s in line.splits] == [
        ("cio", F("0.3333"), F("333300.003333")),
        ("ciso", F("0.3333"), F("333300.003333")),
        ("iam", F("0.3334"), F("333400.003334")),
    ]
    # computed, not only read back: 33.33% of 1000000.01
    assert line.splits[0].amount == F("33.33") / 100 * F("1000000.01")
    assert sum(s.amount for s in line.splits) == F("1000000.01")
    assert line.allocated == 1
    assert isinstance(line.allocated, Fraction)
    assert all(isinstance(s.share, Fraction) and isinstance(s.amount, Fraction) for s in line.splits)


def test_long_thirds_do_not_add_up_to_exactly_one() -> None:
    third = "33.333333333333333333333"
    line = only_budget(view_of([budget("b", "100000", pct("a", third), pct("b", third), pct("c", third))]))
    assert line.allocated != 1
    assert line.allocated == Fraction(99999999999999999999999, 10**23)


@pytest.mark.parametrize(
    ("splits", "allocated"),
    [
        ((pct("ciso", "60"), amt("cio", "600000")), Fraction(11, 10)),  # over by 10%
        ((pct("ciso", "60"), amt("cio", "360000")), Fraction(9, 10)),  # under by 10%
        ((pct("ciso", "100"),), Fraction(1)),
    ],
)
def test_allocated_is_the_exact_sum_of_the_shares(splits: tuple[Split, ...], allocated: Fraction) -> None:
    assert only_budget(view_of([budget("b", "1200000", *splits)])).allocated == allocated


def test_an_amount_split_of_a_third_keeps_its_exact_share() -> None:
    line = only_budget(view_of([budget("b", "300", amt("cio", "100"), amt("ciso", "200"))]))
    assert [(s.share, s.amount) for s in line.splits] == [
        (Fraction(1, 3), Fraction(100)),
        (Fraction(2, 3), Fraction(200)),
    ]
    assert line.allocated == 1


def test_budget_line_carries_pool_currency_and_period() -> None:
    line = only_budget(view_of([budget("b", "1000", pct("cio", "100"), currency="EUR", period="FY2028", pool="emea")]))
    assert (line.pool, line.currency, line.period, line.amount) == ("emea", "EUR", "FY2028", Decimal("1000"))


# --- totals per party --------------------------------------------------------------------------


def test_party_totals_sum_across_budgets_of_one_currency_and_period() -> None:
    view = view_of(
        [
            budget("fy27-security-tooling", "1200000", pct("ciso", "60"), amt("cio", "480000")),
            budget("fy27-identity", "1000000.01", pct("cio", "33.33"), pct("ciso", "33.33"), pct("iam", "33.34")),
        ]
    )
    assert totals(view) == {
        ("cio", "USD", "FY2027"): (F("813300.003333"), ("fy27-identity", "fy27-security-tooling")),
        ("ciso", "USD", "FY2027"): (F("1053300.003333"), ("fy27-identity", "fy27-security-tooling")),
        ("iam", "USD", "FY2027"): (F("333400.003334"), ("fy27-identity",)),
    }


def test_party_totals_are_kept_apart_by_currency_and_period() -> None:
    view = view_of(
        [
            budget("usd-27-a", "1000", pct("cio", "50"), pct("ciso", "50")),
            budget("usd-27-b", "300", amt("cio", "100"), amt("ciso", "200")),
            budget("eur-27", "420000", pct("ciso", "70"), amt("cio", "126000"), currency="EUR"),
            budget("usd-28", "5000", pct("cio", "100"), period="FY2028"),
        ]
    )
    assert view.parties == (
        PartyTotal("cio", "EUR", "FY2027", Fraction(126000), ("eur-27",)),
        PartyTotal("cio", "USD", "FY2027", Fraction(600), ("usd-27-a", "usd-27-b")),
        PartyTotal("cio", "USD", "FY2028", Fraction(5000), ("usd-28",)),
        PartyTotal("ciso", "EUR", "FY2027", Fraction(294000), ("eur-27",)),
        PartyTotal("ciso", "USD", "FY2027", Fraction(700), ("usd-27-a", "usd-27-b")),
    )


def test_a_party_named_twice_in_one_budget_is_summed_and_the_budget_listed_once() -> None:
    view = view_of([budget("b", "1000", pct("cio", "30"), pct("ciso", "40"), pct("cio", "30"))])
    assert totals(view)[("cio", "USD", "FY2027")] == (Fraction(600), ("b",))


def test_no_budgets_no_parties() -> None:
    view = view_of([], [pool("p", "100")])
    assert view.budgets == ()
    assert view.parties == ()


# --- pools -------------------------------------------------------------------------------------


def test_pool_committed_available_and_used() -> None:
    view = view_of(
        [
            budget("fy27-security-tooling", "1200000", pct("ciso", "100"), pool="fy27-it-capex"),
            budget("fy27-it-modernisation", "1850000", pct("cio", "100"), pool="fy27-it-capex"),
            budget("fy27-identity", "900000", pct("cio", "100"), pool="fy27-it-capex"),
        ],
        [pool("fy27-it-capex", "4500000")],
    )
    line = pool_line(view, "fy27-it-capex")
    assert line.committed == Decimal("3950000")
    assert isinstance(line.committed, Fraction)  # exact: adding Decimals would round at 28 digits
    assert line.available == Decimal("550000")
    assert line.used == Fraction(79, 90)  # 87.777...%: no finite decimal, kept exact
    assert line.overcommitted is False
    assert line.budgets == ("fy27-identity", "fy27-it-modernisation", "fy27-security-tooling")


def test_committed_sums_only_budgets_of_the_pools_currency() -> None:
    view = view_of(
        [
            budget("usd-a", "600000", pct("cio", "100"), pool="capex"),
            budget("eur-b", "900000", pct("cio", "100"), pool="capex", currency="EUR"),
            budget("usd-elsewhere", "700000", pct("cio", "100"), pool="other"),
            budget("usd-no-pool", "800000", pct("cio", "100")),
        ],
        [pool("capex", "1000000"), pool("other", "700000")],
    )
    capex = pool_line(view, "capex")
    assert capex.committed == Decimal("600000")
    assert capex.budgets == ("usd-a",)
    assert capex.overcommitted is False  # the EUR budget would have tipped it over
    assert pool_line(view, "other").budgets == ("usd-elsewhere",)


def test_overcommitted_pool_has_negative_available_and_more_than_all_used() -> None:
    view = view_of(
        [
            budget("fy27-security-tooling", "1200000", pct("ciso", "100"), pool="fy27-it-capex"),
            budget("fy27-it-modernisation", "1000000", pct("cio", "100"), pool="fy27-it-capex"),
        ],
        [pool("fy27-it-capex", "2000000")],
    )
    line = pool_line(view, "fy27-it-capex")
    assert line.committed == Decimal("2200000")
    assert line.available == Decimal("-200000")
    assert line.used == Fraction(11, 10)
    assert line.overcommitted is True


def test_drawing_exactly_the_pool_amount_is_not_overcommitted() -> None:
    view = view_of(
        [
            budget("a", "780000", pct("ciso", "100"), pool="p"),
            budget("b", "220000", pct("ciso", "100"), pool="p"),
        ],
        [pool("p", "1000000")],
    )
    line = pool_line(view, "p")
    assert line.committed == line.amount
    assert line.available == 0
    assert line.used == 1
    assert line.overcommitted is False


def test_one_cent_over_is_overcommitted() -> None:
    view = view_of(
        [budget("a", "780000.01", pct("ciso", "100"), pool="p"), budget("b", "220000", pct("cio", "100"), pool="p")],
        [pool("p", "1000000")],
    )
    line = pool_line(view, "p")
    assert line.available == Decimal("-0.01")
    assert line.overcommitted is True


def test_cents_that_a_float_would_miss_are_summed_exactly() -> None:
    # 0.10 + 0.20 is 0.30000000000000004 in binary floating point, over the pool.
    view = view_of(
        [budget("a", "0.10", pct("cio", "100"), pool="p"), budget("b", "0.20", pct("cio", "100"), pool="p")],
        [pool("p", "0.30")],
    )
    line = pool_line(view, "p")
    assert line.committed == Decimal("0.30")
    assert line.available == 0
    assert line.overcommitted is False


def test_a_pool_nobody_draws_on_is_unused() -> None:
    line = pool_line(view_of([budget("b", "10", pct("cio", "100"))], [pool("idle", "500")]), "idle")
    assert (line.committed, line.available, line.used, line.overcommitted, line.budgets) == (
        Decimal(0),
        Decimal("500"),
        Fraction(0),
        False,
        (),
    )


def test_committed_is_exact_beyond_28_significant_digits() -> None:
    view = view_of(
        [
            budget("a", "100000000000000", pct("cio", "100"), pool="p"),
            budget("b", "0.000000000000001", pct("cio", "100"), pool="p"),
        ],
        [pool("p", "100000000000000")],
    )
    line = pool_line(view, "p")
    assert line.committed == Decimal("100000000000000.000000000000001")
    assert line.available == Decimal("-0.000000000000001")
    assert line.overcommitted is True


# --- order -------------------------------------------------------------------------------------


def test_budgets_pools_and_parties_are_sorted() -> None:
    view = view_of(
        [
            budget("zeta", "100", pct("ciso", "100"), pool="p2"),
            budget("alpha", "100", pct("it-ops", "50"), pct("cio", "50"), pool="p1"),
            budget("mid", "100", pct("cio", "100"), pool="p2"),
        ],
        [pool("p2", "1000"), pool("p1", "1000")],
    )
    assert [b.id for b in view.budgets] == ["alpha", "mid", "zeta"]
    assert [p.id for p in view.pools] == ["p1", "p2"]
    assert [p.party for p in view.parties] == ["cio", "ciso", "it-ops"]
    assert pool_line(view, "p2").budgets == ("mid", "zeta")
    # the splits of a budget stay in the order they are written
    assert [s.party for s in view.budgets[0].splits] == ["it-ops", "cio"]


# --- from YAML, through the engine -------------------------------------------------------------

DUTIES = """\
apiVersion: raci/v1
kind: Duties
duties:
  - id: sec.vuln-patching
    title: Patch critical vulnerabilities within SLA
    raci: {accountable: ciso, responsible: [security-ops]}
  - id: it.patching
    title: Patch servers
    raci: {accountable: cio, responsible: [it-ops]}
"""

BUDGETS = """\
apiVersion: raci/v1
kind: Budgets
pools:
  - {id: fy27-it-capex, amount: 2000000, currency: USD, period: FY2027}
budgets:
  - id: fy27-security-tooling
    pool: fy27-it-capex
    amount: 1200000
    currency: USD
    period: FY2027
    funds: [sec.vuln-patching, it.patching]
    splits:
      - {party: ciso, percent: 60}
      - {party: cio, amount: 480000}
  - id: fy27-identity
    amount: 1000000.01
    currency: USD
    period: FY2027
    funds: [sec.vuln-patching, it.patching]
    splits:
      - {party: cio, percent: 33.33}
      - {party: ciso, percent: 33.33}
      - {party: it-ops, percent: 33.34}
"""


def test_view_of_a_checked_policy_set(check_files: CheckFiles) -> None:
    report = check_files({"duties.yaml": DUTIES, "budgets.yaml": BUDGETS})
    assert [f.rule for f in report.findings if f.severity.value == "error"] == []
    view = funding_view(report.model)
    assert [b.id for b in view.budgets] == ["fy27-identity", "fy27-security-tooling"]
    identity, tooling = view.budgets
    assert identity.amount == Decimal("1000000.01")
    assert [(s.party, s.share, s.amount) for s in identity.splits] == [
        ("cio", F("0.3333"), F("333300.003333")),
        ("ciso", F("0.3333"), F("333300.003333")),
        ("it-ops", F("0.3334"), F("333400.003334")),
    ]
    assert identity.allocated == 1
    assert tooling.pool == "fy27-it-capex"
    assert [(s.party, s.share, s.amount) for s in tooling.splits] == [
        ("ciso", Fraction(3, 5), Fraction(720000)),
        ("cio", Fraction(2, 5), Fraction(480000)),
    ]
    assert totals(view)[("cio", "USD", "FY2027")] == (
        F("813300.003333"),
        ("fy27-identity", "fy27-security-tooling"),
    )
    (capex,) = view.pools
    assert (capex.committed, capex.available, capex.used, capex.overcommitted) == (
        Decimal("1200000"),
        Decimal("800000"),
        Fraction(3, 5),
        False,
    )


def test_view_agrees_with_pool_overcommitted(check_files: CheckFiles) -> None:
    extra = BUDGETS + (
        "  - id: fy27-it-modernisation\n"
        "    pool: fy27-it-capex\n"
        "    amount: 800000.01\n"
        "    currency: USD\n"
        "    period: FY2027\n"
        "    funds: [it.patching]\n"
        "    splits:\n"
        "      - {party: cio, percent: 100}\n"
    )
    report = check_files({"duties.yaml": DUTIES, "budgets.yaml": extra})
    assert [f.subject for f in of_rule(report, "pool-overcommitted")] == ["fy27-it-capex"]
    (capex,) = funding_view(report.model).pools
    assert capex.overcommitted is True
    assert capex.available == Decimal("-0.01")
    assert capex.budgets == ("fy27-it-modernisation", "fy27-security-tooling")

"""checker.money: exact shares of a budget and how money and percentages are printed."""

from __future__ import annotations

import signal
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.finding import Location
from checker.model import Budget, Ref, Split
from checker.money import (
    MINOR_UNITS,
    decimal_places,
    is_exact,
    money,
    percent,
    share,
    split_amount,
    splits_add_up,
    to_decimal,
)

HERE = Location("policies/budgets.yaml", 1, 1)


def make_budget(amount: str, *splits: Split) -> Budget:
    return Budget("fy27-security-tooling", Decimal(amount), "USD", "FY2027", HERE, HERE, HERE, HERE, splits=splits)


def by_percent(party: str, value: str) -> Split:
    return Split(Ref(party, HERE), Decimal(value), None, HERE, HERE)


def by_amount(party: str, value: str) -> Split:
    return Split(Ref(party, HERE), None, Decimal(value), HERE, HERE)


def test_minor_units_of_common_currencies() -> None:
    assert MINOR_UNITS["USD"] == 2
    assert MINOR_UNITS["EUR"] == 2
    assert MINOR_UNITS["JPY"] == 0
    assert MINOR_UNITS["KWD"] == 3
    assert MINOR_UNITS["CLF"] == 4
    assert "XYZ" not in MINOR_UNITS
    assert "US$" not in MINOR_UNITS


@pytest.mark.parametrize(
    ("text", "places"),
    [("100", 0), ("100.50", 2), ("100.5", 1), ("0.001", 3), ("1E+3", 0), ("1.2345", 4)],
)
def test_decimal_places_counts_the_written_digits(text: str, places: int) -> None:
    assert decimal_places(Decimal(text)) == places


def test_shares_are_exact_fractions() -> None:
    budget = make_budget("1200000")
    assert share(by_percent("ciso", "60"), budget) == Fraction(3, 5)
    assert share(by_amount("cio", "480000"), budget) == Fraction(2, 5)
    assert share(by_percent("ceo", "33.33"), budget) == Fraction(3333, 10000)


def test_thirds_to_two_places_make_exactly_one_and_long_thirds_do_not() -> None:
    budget = make_budget("100000")
    two_places = [by_percent("ciso", "33.33"), by_percent("cio", "33.33"), by_percent("ceo", "33.34")]
    assert sum(share(s, budget) for s in two_places) == 1
    third = by_percent("ciso", "33.333333333333333333333")
    assert 3 * share(third, budget) == Fraction(99999999999999999999999, 10**23)
    assert 3 * share(third, budget) != 1


def test_amount_shares_of_a_decimal_budget_are_exact() -> None:
    budget = make_budget("1000.10")
    half = by_amount("ciso", "500.05")
    assert share(half, budget) == Fraction(1, 2)
    assert split_amount(half, budget) == Fraction(50005, 100)


def test_split_amount_of_a_percent() -> None:
    budget = make_budget("1200000")
    assert split_amount(by_percent("ciso", "60"), budget) == 720000
    assert split_amount(by_percent("cio", "33.33"), make_budget("1000")) == Fraction(3333, 10)
    # a third of a budget is exact as a fraction, even though no decimal is
    assert split_amount(by_amount("cio", "100"), make_budget("300")) == 100
    assert share(by_amount("cio", "100"), make_budget("300")) == Fraction(1, 3)


def test_to_decimal_is_exact_when_the_fraction_has_a_finite_decimal() -> None:
    assert to_decimal(Fraction(1, 8)) == Decimal("0.125")
    assert to_decimal(Fraction(5)) == Decimal(5)
    assert to_decimal(Fraction(1, 10**30)) == Decimal("1E-30")  # exact, not rounded to 6 places
    assert is_exact(Fraction(1, 8))
    assert is_exact(Fraction(720000))


def test_to_decimal_rounds_what_has_no_finite_decimal() -> None:
    assert not is_exact(Fraction(1, 3))
    assert to_decimal(Fraction(1, 3)) == Decimal("0.333333")
    assert to_decimal(Fraction(2, 3)) == Decimal("0.666667")
    assert to_decimal(Fraction(1, 3), 2) == Decimal("0.33")
    assert to_decimal(Fraction(1000, 3), 0) == Decimal(333)


def test_to_decimal_rounds_once() -> None:
    just_below_half = Fraction(15, 10**7) - Fraction(1, 3 * 10**40)
    assert to_decimal(just_below_half) == Decimal("0.000001")


@pytest.mark.parametrize(
    ("value", "currency", "text"),
    [
        (Decimal("1200000"), "USD", "USD 1,200,000"),
        (Decimal("1200000.00"), "USD", "USD 1,200,000"),
        (Decimal("1234.5"), "USD", "USD 1,234.50"),
        (Decimal("1234.50"), "USD", "USD 1,234.50"),
        (Decimal("1000"), "JPY", "JPY 1,000"),
        (Decimal("1.5"), "KWD", "KWD 1.500"),
        (Fraction(3, 2), "KWD", "KWD 1.500"),
        (Fraction(720000), "USD", "USD 720,000"),
        (Decimal("0.125"), "USD", "USD 0.125"),  # more digits than cents are shown, not hidden
        (Decimal("1.5"), "XYZ", "XYZ 1.50"),  # an unknown currency is shown with 2 places
    ],
)
def test_money_formatting(value: Fraction | Decimal, currency: str, text: str) -> None:
    assert money(value, currency) == text


@pytest.mark.parametrize(
    ("value", "currency", "text"),
    [
        (Fraction(100, 3), "USD", "USD ≈33.33"),
        (Fraction(1000000, 3), "USD", "USD ≈333,333.33"),
        (Fraction(1000, 3), "JPY", "JPY ≈333"),
        (Fraction(1, 3), "KWD", "KWD ≈0.333"),
    ],
)
def test_money_marks_thirds_as_rounded_to_the_minor_unit(value: Fraction, currency: str, text: str) -> None:
    assert money(value, currency) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Fraction(3, 5), "60%"),
        (Fraction(1), "100%"),
        (Fraction(11, 10), "110%"),
        (Fraction(3333, 10000), "33.33%"),
        (Fraction(1, 8), "12.5%"),
        (Fraction(1, 10**6), "0.0001%"),
        (Fraction(1, 3), "≈33.333333%"),
        (Fraction(2, 3), "≈66.666667%"),
    ],
)
def test_percent_formatting(value: Fraction, text: str) -> None:
    assert percent(value) == text


def test_printing_a_tiny_share_is_fast() -> None:
    signal.alarm(5)  # shortens the conftest hang guard, which it replaces
    text = percent(Fraction(1, 10**100000))
    signal.alarm(0)
    assert text.endswith("1%")


@settings(max_examples=300, deadline=None)
@given(
    amount=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1e15"), places=2, allow_nan=False),
    shares=st.lists(
        st.one_of(
            st.tuples(st.just("percent"), st.decimals(min_value=Decimal("0.0001"), max_value=100, places=4)),
            st.tuples(st.just("amount"), st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1e15"), places=2)),
        ),
        min_size=1,
        max_size=6,
    ),
)
def test_the_decimal_fast_path_agrees_with_fractions(amount: Decimal, shares: list[tuple[str, Decimal]]) -> None:
    where = Location("b.yaml")
    splits = tuple(
        Split(
            Ref(f"p{i}", where), value if kind == "percent" else None, value if kind == "amount" else None, where, where
        )
        for i, (kind, value) in enumerate(shares)
    )
    budget = Budget("b", amount, "USD", "FY2027", where, where, where, where, splits=splits)
    exact = sum((share(split, budget) for split in splits), Fraction(0)) == 1
    assert splits_add_up(budget) is exact


def test_the_decimal_fast_path_sees_exact_hundreds() -> None:
    where = Location("b.yaml")
    thirds = tuple(
        Split(Ref(p, where), Decimal(v), None, where, where)
        for p, v in (("a", "33.33"), ("b", "33.33"), ("c", "33.34"))
    )
    assert splits_add_up(Budget("b", Decimal("100"), "USD", "FY", where, where, where, where, splits=thirds))
    almost = tuple(Split(Ref(p, where), Decimal("33.333333333333333333333"), None, where, where) for p in "abc")
    assert not splits_add_up(Budget("b", Decimal("100"), "USD", "FY", where, where, where, where, splits=almost))

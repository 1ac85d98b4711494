"""Exact money: ISO 4217 minor units, shares of a budget, and how to print them.

Every amount and percentage is a `Decimal` parsed from the file's text, and
shares are summed as `Fraction`s, so `33.33 + 33.33 + 33.34` is exactly 100
and three times 33.333333333333333333333 is not: no float ever decides
whether two offices claim the same dollar.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal, Inexact, InvalidOperation, Rounded, localcontext
from fractions import Fraction

from .model import Budget, Split

# ISO 4217 active codes and their minor units (digits after the decimal point).
# Funds codes and precious metals are left out: budgets are not drawn in gold.
_MINOR_UNITS: dict[int, str] = {
    0: "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF",
    2: (
        "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN BWP BYN BZD "
        "CAD CDF CHF CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD "
        "GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD "
        "MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP "
        "PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS "
        "TMT TOP TRY TTD TWD TZS UAH USD UYU UZS VES WST XCD XCG YER ZAR ZMW ZWG"
    ),
    3: "BHD IQD JOD KWD LYD OMR TND",
    4: "CLF UYW",
}
MINOR_UNITS: dict[str, int] = {code: digits for digits, codes in _MINOR_UNITS.items() for code in codes.split()}

HUNDRED = Fraction(100)


def total(values: Iterable[Decimal]) -> Fraction:
    """An exact sum (adding `Decimal`s rounds to the context's 28 significant digits)."""
    return sum((Fraction(v) for v in values), Fraction(0))


def decimal_places(value: Decimal) -> int:
    """How many digits the amount is written with after the decimal point (`100.50` -> 2)."""
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def share(split: Split, budget: Budget) -> Fraction:
    """The split's part of the budget, as an exact fraction of the whole (1 = 100%)."""
    if split.percent is not None:
        return Fraction(split.percent) / HUNDRED
    assert split.amount is not None  # the schema requires exactly one of the two
    return Fraction(split.amount) / Fraction(budget.amount)


# Wide enough that sums and products of amounts and percents with at most 30
# decimal places (the schema's bound) never round; Inexact is trapped anyway.
_EXACT = Context(prec=400, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[Inexact, Rounded, InvalidOperation])


def splits_add_up(budget: Budget) -> bool:
    """Whether the splits are exactly the whole budget: the common case, decided in
    decimal arithmetic (several times faster than fractions), with an exact
    context that refuses to round; anything it cannot decide goes to fractions."""
    try:
        with localcontext(_EXACT):
            whole = budget.amount
            units = Decimal(0)
            for split in budget.splits:
                units += split.amount if split.amount is not None else whole * split.percent / 100  # type: ignore[operator]
            return units == whole
    except (ArithmeticError, TypeError):
        return shares_total(budget) == 1


def shares_total(budget: Budget) -> Fraction:
    """What a budget's splits add up to, exactly, as a fraction of the whole (1 = 100%)."""
    return sum((share(split, budget) for split in budget.splits), Fraction(0))


def split_amount(split: Split, budget: Budget) -> Fraction:
    """The split's part of the budget in money, exactly."""
    if split.amount is not None:
        return Fraction(split.amount)
    return share(split, budget) * Fraction(budget.amount)


def to_decimal(value: Fraction, places: int = 6) -> Decimal:
    """The exact decimal of a fraction when it has one, else rounded once, half to even, to `places`."""
    exact = _exact_decimal(value)
    if exact is not None:
        return exact
    return _scaled(round(value * 10**places), places)


def is_exact(value: Fraction) -> bool:
    return _exact_decimal(value) is not None


def _exact_decimal(value: Fraction) -> Decimal | None:
    denominator = value.denominator
    twos = (denominator & -denominator).bit_length() - 1
    denominator >>= twos
    denominator, fives = _strip_powers(denominator, 5)
    if denominator != 1:
        return None  # a third, a seventh: no finite decimal
    places = max(twos, fives)
    return _scaled((value * 10**places).numerator, places)


def _scaled(digits: int, places: int) -> Decimal:
    """digits x 10^-places, exactly (`Decimal.scaleb` would round to the context's 28 digits)."""
    return Decimal(f"{digits}e-{places}")


def _strip_powers(n: int, base: int) -> tuple[int, int]:
    """(n without its factors `base`, how many there were), by repeated squaring:
    O(log) divisions, where dividing one factor at a time is quadratic on the
    long denominators a tiny percentage makes."""
    powers = [base]
    while n % (powers[-1] * powers[-1]) == 0:
        powers.append(powers[-1] * powers[-1])
    count = 0
    for exponent in range(len(powers) - 1, -1, -1):
        while n % powers[exponent] == 0:
            n //= powers[exponent]
            count += 1 << exponent
    return n, count


def money(value: Fraction | Decimal, currency: str) -> str:
    """`USD 1,200,000`, `USD 1,234.50`: thousands separators, at least the currency's minor unit."""
    fraction = Fraction(value)
    if fraction.denominator == 1:
        return f"{currency} {fraction.numerator:,}"
    places = MINOR_UNITS.get(currency, 2)
    exact = _exact_decimal(fraction)
    if exact is None:  # a third of a budget: no finite decimal
        return f"{currency} ≈{to_decimal(fraction, places):,}"
    digits = max(places, decimal_places(exact))
    return f"{currency} {exact:,.{digits}f}"


def percent(value: Fraction) -> str:
    """A share as a percentage: `60%`, `33.33%`, or `≈33.333333%` when it has no finite decimal."""
    pct = value * HUNDRED
    exact = _exact_decimal(pct)
    if exact is not None:
        return f"{_plain(exact)}%"
    return f"≈{_plain(to_decimal(pct))}%"


def decimal_text(value: Fraction | Decimal) -> str:
    """A plain decimal string for programs (CSV, JSON, diffs): exact when the value has
    a finite decimal, else to 6 places; no exponent, no trailing zeros."""
    return _plain(to_decimal(Fraction(value)))


def _plain(value: Decimal) -> str:
    """Without exponent or trailing zeros: `60`, `33.33`, `0.0001`."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text

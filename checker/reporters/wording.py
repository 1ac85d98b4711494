"""Counts in words, spelled the same in every format that people read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

LEVELS = ("error", "warning", "info", "suppressed")


def count(n: int, level: str) -> str:
    """`2 errors`, `1 warning`, `3 info`, `1 suppressed`."""
    plural = "s" if n != 1 and level in ("error", "warning") else ""
    return f"{n} {level}{plural}"


def counts(summary: Mapping[str, int], levels: Sequence[str] = LEVELS) -> str:
    """The levels that have findings, counted: `2 errors, 1 info`; "" when none has."""
    return ", ".join(count(summary[level], level) for level in levels if summary[level])


def files(n: int) -> str:
    return f"{n} file{'s' if n != 1 else ''}"


def entities(checked: Mapping[str, int]) -> str:
    """`9 parties, 1 duty, 2 budgets`: the kinds of entity there were any of."""
    return ", ".join(f"{n} {_kind(name, n)}" for name, n in checked.items() if n)


def _kind(name: str, n: int) -> str:
    if n == 1:
        return {"parties": "party", "duties": "duty"}.get(name, name.removesuffix("s"))
    return name

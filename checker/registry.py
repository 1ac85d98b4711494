"""Every built-in rule by its name.

A module is a rule when it is listed here; `tests/test_registry.py` walks
`checker/rules/` so that a rule cannot be written and forgotten.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from .finding import Finding, Severity
from .model import PolicySet
from .rules import (
    currency_mismatch,
    double_ownership,
    duplicate_id,
    duplicate_key,
    duplicate_split,
    funder_without_role,
    idle_party,
    inactive_party,
    money_format,
    no_responsible,
    orphaned_duty,
    period_mismatch,
    pool_overcommitted,
    redundant_role,
    reports_to_cycle,
    rule_unused,
    schema,
    split_total,
    unknown_duty,
    unknown_party,
    unknown_pool,
    waiver_expired,
    waiver_too_long,
    waiver_unused,
    yaml_syntax,
)


class Rule(Protocol):
    """What a rule module provides (mypy checks each module against it)."""

    ID: str
    SEVERITY: Severity

    def check(self, model: PolicySet) -> Iterator[Finding]: ...


_MODULES: tuple[Rule, ...] = (
    yaml_syntax,
    duplicate_key,
    schema,
    duplicate_id,
    unknown_party,
    unknown_duty,
    double_ownership,
    orphaned_duty,
    no_responsible,
    inactive_party,
    redundant_role,
    idle_party,
    reports_to_cycle,
    split_total,
    duplicate_split,
    pool_overcommitted,
    unknown_pool,
    money_format,
    currency_mismatch,
    period_mismatch,
    funder_without_role,
    waiver_expired,
    waiver_unused,
    waiver_too_long,
    rule_unused,
)
RULES: dict[str, Rule] = {module.ID: module for module in _MODULES}


def documentation(rule: Rule) -> str:
    """A rule's docstring: its summary line, then the full text with examples."""
    import inspect

    return inspect.getdoc(rule) or ""


def summary(rule: Rule) -> str:
    return documentation(rule).split("\n", 1)[0]

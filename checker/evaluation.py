"""From a merged model to the findings a run reports, in two steps.

`raw` is what the files and the checks found, at their configured severities;
`settled` applies the waivers, sorts, and numbers the findings that would
share a fingerprint. An outcome kept between runs keeps the raw findings, so
that a re-run after an edit can patch them (see `incremental`) and settle them
again. The checks are every built-in rule, the custom rules, and the rule
names in `.raci.yaml` that no rule has; each says how a change to one duty can
change its findings (see `checker.rules`).
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import NamedTuple

from . import custom, waivers
from .config import Config
from .finding import Finding, Location, Severity
from .hints import did_you_mean
from .model import PolicySet, Waiver
from .paths import shown_path
from .registry import RULES, Rule
from .rules import schema as schema_rule


class Check(NamedTuple):
    """One source of findings on the merged model, and how it depends on duties
    (see `checker.rules`)."""

    name: str
    run: Callable[[PolicySet], Iterable[Finding]]
    scope: str  # duty (PER_DUTY), budget (PER_BUDGET), tally, or across (any other)
    reads: Callable[[PolicySet, str], object] | None = None
    tally: Callable[[PolicySet, str], list[str]] | None = None
    check_tally: Callable[[PolicySet, Collection[str]], Iterable[Finding]] | None = None


def checks(config: Config) -> list[Check]:
    """Every check of a run with `config`, in the order a run evaluates them."""
    overrides = config.severities
    found = [Check("rules in .raci.yaml", functools.partial(_unknown_rule_names, config), "duty")]
    found += [_check_of(name, rule) for name, rule in RULES.items()]
    found += [
        Check("custom rules", lambda model: custom.per_duty(model, RULES, overrides), "duty"),
        Check("separate rules", lambda model: custom.across_duties(model, RULES, overrides), "across", custom.reads),
    ]
    return found


def _check_of(name: str, rule: Rule) -> Check:
    tally = getattr(rule, "tally", None)
    if getattr(rule, "PER_DUTY", False):
        scope = "duty"
    elif getattr(rule, "PER_BUDGET", False):
        scope = "budget"
    elif tally is not None:
        scope = "tally"
    else:
        scope = "across"
    return Check(name, rule.check, scope, getattr(rule, "reads", None), tally, getattr(rule, "check_tally", None))


def raw(model: PolicySet, findings: list[Finding], config: Config) -> list[Finding]:
    """The files' own `findings` and every check's on the merged `model`, at the
    configured severities; waivers are not applied yet."""
    for check in checks(config):
        findings.extend(check.run(model))
    return severities(findings, config)


def settled(found: Iterable[Finding], waived: Sequence[Waiver], config: Config, today: datetime.date) -> list[Finding]:
    """The raw findings `found` with the waivers applied, in reading order, and
    numbered where two would share a fingerprint. The order of `found` is irrelevant."""
    out = waivers.apply(found, waived, today=today, max_days=config.waiver_max_days, severity=dict(config.severities))
    out.sort(key=Finding.sort_key)
    return _distinct(out)


def severities(findings: list[Finding], config: Config) -> list[Finding]:
    """The findings at the severities `config` sets; those set `off` are left out."""
    if not config.severities:
        return findings
    out = []
    for finding in findings:
        level = config.severities.get(finding.rule)
        if level is None:
            out.append(finding)
        elif level is not Severity.OFF:
            out.append(dataclasses.replace(finding, severity=level))
    return out


def _unknown_rule_names(config: Config, model: PolicySet) -> list[Finding]:
    """Rule names in `.raci.yaml` that no built-in or custom rule has.

    A finding rather than a refusal to run: a custom rule can be missing because
    its Rules file is broken, and that file's own findings must still be seen.
    """
    known = set(RULES) | set(model.rules)
    return [
        schema_rule.finding(
            config.rule_locations.get(name, Location(shown_path(config.file) if config.file else ".raci.yaml")),
            f"rules: {name!r} is not a built-in or custom rule{did_you_mean(name, known)}; its severity is unused",
            detail=f"rules.{name}",
        )
        for name in config.severities
        if name not in known
    ]


def _distinct(findings: list[Finding]) -> list[Finding]:
    """Number the details of findings that would otherwise share a fingerprint.

    Rules give each finding a detail that tells it apart; what they cannot see
    (the same problem twice in one file, a key written three times) gets `#2`,
    `#3` here, in reading order, so a baseline never mistakes one for another.
    """
    seen: dict[tuple[str, str, str], int] = {}
    out = []
    for finding in findings:
        identity = (finding.rule, finding.subject, finding.detail)
        n = seen[identity] = seen.get(identity, 0) + 1
        out.append(finding if n == 1 else dataclasses.replace(finding, detail=f"{finding.detail}#{n}"))
    return out

"""Waivers: accepted exceptions, applied to the findings of a run.

A finding whose (rule, subject) matches a waiver that has not expired is kept,
marked suppressed with the waiver's place, and no longer fails the run; an
expired waiver suppresses nothing and is itself an error; a live waiver that
matched nothing is a warning, and so is one that reaches further ahead than
the configured limit. Waivers do not apply to findings about waivers.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable

from .finding import Finding, Severity
from .loader import quote
from .model import Waiver
from .rules import waiver_expired, waiver_too_long, waiver_unused

_ABOUT_WAIVERS = {waiver_expired.ID, waiver_unused.ID, waiver_too_long.ID}


def today_utc() -> datetime.date:
    return datetime.datetime.now(datetime.timezone.utc).date()


def apply(
    findings: Iterable[Finding],
    waivers: Iterable[Waiver],
    *,
    today: datetime.date,
    max_days: int,
    severity: dict[str, Severity],
) -> list[Finding]:
    """The findings with waivers applied, followed by findings about the waivers.

    `severity` maps the waiver rules to the severity configured for them
    (`off` drops them).
    """
    live: dict[tuple[str, str], Waiver] = {}
    expired: list[Waiver] = []
    unmatched: list[Waiver] = []
    for waiver in waivers:
        if datetime.date.fromisoformat(waiver.expires) < today:
            expired.append(waiver)
        elif (waiver.rule, waiver.subject) in live:
            unmatched.append(waiver)  # a second waiver for the same thing waives nothing
        else:
            live[(waiver.rule, waiver.subject)] = waiver
    used: set[tuple[str, str]] = set()
    out = []
    for finding in findings:
        key = (finding.rule, finding.subject)
        match = live.get(key) if finding.rule not in _ABOUT_WAIVERS else None
        if match is None:
            out.append(finding)
        else:
            used.add(key)
            out.append(dataclasses.replace(finding, suppressed=True, waiver=match.location))
    unmatched += [w for key, w in live.items() if key not in used]

    def about(rule: str, default: Severity, waiver: Waiver, message: str, *, at_expiry: bool = False) -> None:
        level = severity.get(rule, default)
        if level is not Severity.OFF:
            where = waiver.expires_at if at_expiry else waiver.location
            out.append(Finding(rule, level, waiver.subject, message, where, detail=waiver.rule))

    for waiver in expired:
        about(
            waiver_expired.ID,
            waiver_expired.SEVERITY,
            waiver,
            f"the waiver of {waiver.rule} on {quote(waiver.subject)} expired on {waiver.expires}; "
            "what it waived is reported again",
        )
    for waiver in unmatched:
        about(
            waiver_unused.ID,
            waiver_unused.SEVERITY,
            waiver,
            f"the waiver of {waiver.rule} on {quote(waiver.subject)} matches no finding; remove it or correct it",
        )
    limit = today + datetime.timedelta(days=max_days)
    for waiver in live.values():
        if datetime.date.fromisoformat(waiver.expires) > limit:
            about(
                waiver_too_long.ID,
                waiver_too_long.SEVERITY,
                waiver,
                f"the waiver of {waiver.rule} on {quote(waiver.subject)} runs to {waiver.expires}, more than "
                f"{max_days} days ahead (waivers.max_days); approve it for a shorter time",
                at_expiry=True,
            )
    return out

"""Findings: plain, immutable data that rules produce and reporters print.

A finding's identity (its fingerprint) is a hash of rule, subject and detail,
never of a line number, so that a baseline or a waiver survives edits that
only move text around.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field
from typing import NamedTuple


class Severity(str, enum.Enum):
    """How much a finding matters; `OFF` only ever appears in configuration."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    OFF = "off"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def __str__(self) -> str:
        return self.value


_RANK = {Severity.ERROR: 3, Severity.WARNING: 2, Severity.INFO: 1, Severity.OFF: 0}


class Location(NamedTuple):
    """A place in a policy file: repository-relative path, 1-based line and column.

    Columns count Unicode code points, as editors and SARIF's
    `unicodeCodePoints` column kind do. A named tuple, because the model holds
    one per RACI claim and tuples are the cheapest typed records to create and
    to sort (by file, line, column).
    """

    file: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in the policy set.

    `subject` is the id the finding is about (what waivers and baselines
    match on); `detail` tells apart two findings of one rule on one subject
    (the other party, the unknown id, the key path).
    """

    rule: str
    severity: Severity
    subject: str
    message: str
    location: Location
    related: tuple[Location, ...] = ()
    detail: str = ""
    suppressed: bool = field(default=False, compare=False)
    waiver: Location | None = field(default=None, compare=False)  # the waiver that suppressed it

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.rule, self.subject, self.detail)

    def sort_key(self) -> tuple[str, int, int, str, str, str, str, tuple[Location, ...]]:
        """Reading order. Two findings with equal keys show the same thing (their
        severity and waiver follow from rule and subject), so findings gathered in
        any order (a patched outcome, see `incremental`) are reported in one."""
        loc = self.location
        return (loc.file, loc.line, loc.column, self.rule, self.subject, self.detail, self.message, self.related)


def fingerprint(rule: str, subject: str, detail: str) -> str:
    """A stable identity for a finding: unit-separated fields, SHA-256, 16 bytes in hex."""
    # surrogatepass: the same bytes for any real text, and no error on a lone surrogate
    data = "\x1f".join((rule, subject, detail)).encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()[:32]

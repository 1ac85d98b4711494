"""Output formats for `raci check`: pure functions from a report to text.

Each module exposes `render(report, *, color, fail_on) -> str`; `REPORTERS` maps a
`--format` name to its module path so a run imports only the one it prints.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..finding import Severity

if TYPE_CHECKING:
    from ..engine import Report

REPORTERS: dict[str, str] = {
    "text": "checker.reporters.text",
    "json": "checker.reporters.json_",
    "sarif": "checker.reporters.sarif",
    "github": "checker.reporters.github",
    "junit": "checker.reporters.junit",
    "markdown": "checker.reporters.markdown",
}


def render(name: str, report: Report, *, color: bool = False, fail_on: Severity = Severity.ERROR) -> str:
    """`report` in format `name`; `fail_on` is the level that fails the run, which
    formats with a pass/fail notion (JUnit) need."""
    module = importlib.import_module(REPORTERS[name])
    renderer: Callable[..., str] = module.render
    return renderer(report, color=color, fail_on=fail_on)

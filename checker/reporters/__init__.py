"""Output formats for `raci check`: pure functions from a report to text.

Each module exposes `render(report, *, color) -> str`; `REPORTERS` maps a
`--format` name to its module path so a run imports only the one it prints.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..engine import Report

REPORTERS: dict[str, str] = {
    "text": "checker.reporters.text",
    "json": "checker.reporters.json_",
}


def render(name: str, report: Report, *, color: bool = False) -> str:
    module = importlib.import_module(REPORTERS[name])
    renderer: Callable[..., str] = module.render
    return renderer(report, color=color)

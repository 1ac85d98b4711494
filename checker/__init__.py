"""raci-checker: governance as code for who owns what and who pays for it."""

from __future__ import annotations

__version__ = "0.1.0"

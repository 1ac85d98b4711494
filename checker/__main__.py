"""`python -m checker` runs the `raci` command."""

from .cli import entry

entry()

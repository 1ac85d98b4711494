"""`python -m checker` runs the `raci` command."""

from .cli import main

main(prog_name="raci")

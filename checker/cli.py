"""The `raci` command: parse options, call the library, print, exit.

Exit status for every command: 0 = nothing at or above the fail level;
1 = findings at or above it; 2 = could not run (bad usage, missing path,
unreadable or invalid configuration). Bad input never yields a traceback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from . import __version__

F = TypeVar("F", bound=Callable[..., Any])

FORMATS = ("text", "json")
LEVELS = ("error", "warning", "info")


def _fail(message: str) -> NoReturn:
    click.echo(f"raci: error: {message}", err=True)
    sys.exit(2)


def _guarded(command: F) -> F:
    """Turn the library's user-facing errors, and any unforeseen one, into exit 2."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from .config import ConfigError
        from .discover import PathError
        from .engine import NoPolicyFiles

        try:
            return command(*args, **kwargs)
        except (ConfigError, PathError, NoPolicyFiles) as exc:
            _fail(str(exc))
        except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:  # a bug: still one line, with the trace on request
            if os.environ.get("RACI_DEBUG"):
                raise
            _fail(f"internal error: {type(exc).__name__}: {exc} (set RACI_DEBUG=1 for the traceback)")

    return wrapper  # type: ignore[return-value]


# Shared by every command that reads the policy set.
config_option = click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path),
    default=None,
    help="Use this configuration file instead of looking up .raci.yaml.",
)
paths_argument = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
today_option = click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The date waivers expire against (YYYY-MM-DD), for reproducible runs.  [default: today, UTC]",
)


def _use_color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="raci", message="%(prog)s %(version)s")
def main() -> None:
    """raci-checker: who owns what, and who pays for it, checked as code.

    Keeps RACI assignments and funding splits as YAML in git and flags double
    ownership, orphaned duties and broken references before a change merges.
    """


@main.command()
@paths_argument
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option(
    "--fail-on",
    type=click.Choice(LEVELS),
    default=None,
    help="Lowest severity that fails the run.  [default: fail_on in .raci.yaml, else error]",
)
@config_option
@today_option
@_guarded
def check(
    paths: tuple[Path, ...], fmt: str, fail_on: str | None, config_file: Path | None, today: datetime | None
) -> None:
    """Check the policy set: PATHS (files or folders) if given, else the folders of .raci.yaml."""
    from .config import load_config
    from .engine import check as run_check
    from .finding import Severity
    from .reporters import render

    config = load_config(config_file)
    report = run_check(paths, config=config, today=today.date() if today else None)
    click.echo(render(fmt, report, color=_use_color()), nl=False)
    level = Severity(fail_on) if fail_on else config.fail_on
    sys.exit(1 if report.failed(level) else 0)


@main.command()
@paths_argument
@click.option(
    "--format", "fmt", type=click.Choice(("table", "markdown", "csv", "json")), default="table", show_default=True
)
@config_option
@today_option
@_guarded
def budgets(paths: tuple[Path, ...], fmt: str, config_file: Path | None, today: datetime | None) -> None:
    """Who pays for what: splits per budget, totals per party, pools committed and available.

    Exits 1, after printing, when the policy set has findings at or above the
    fail level (an over-committed pool, splits that do not add up, ...):
    `raci check` lists them.
    """
    from .config import load_config
    from .engine import check as run_check
    from .funding import funding_view
    from .reporters.budgets import render

    config = load_config(config_file)
    report = run_check(paths, config=config, today=today.date() if today else None)
    click.echo(render(funding_view(report.model), fmt), nl=False)
    if report.failed(config.fail_on):
        summary = report.summary()
        click.echo(
            f"raci: the policy set has {summary['error']} error(s) and {summary['warning']} warning(s); "
            "`raci check` lists them",
            err=True,
        )
        sys.exit(1)


@main.command("rules")
@config_option
@_guarded
def list_rules(config_file: Path | None) -> None:
    """List the built-in rules and the policy set's own, with their severity."""
    from tabulate import tabulate

    from .registry import RULES, summary

    rows = [(name, rule.SEVERITY.value, "built-in", summary(rule)) for name, rule in RULES.items()]
    rows += [
        (rule.id, rule.severity, str(rule.location), rule.description)
        for rule in _custom_rules(config_file).values()
        if rule.id not in RULES
    ]
    click.echo(tabulate(rows, headers=("rule", "severity", "defined", "fires when"), tablefmt="simple"))


def _custom_rules(config_file: Path | None) -> dict[str, Any]:
    """The custom rules of the policy set, or none when there is no policy set to read."""
    from .config import load_config
    from .engine import NoPolicyFiles
    from .engine import check as run_check

    try:
        return dict(run_check(config=load_config(config_file)).model.rules)
    except NoPolicyFiles:
        return {}


@main.command()
@click.argument("rule")
@config_option
@_guarded
def explain(rule: str, config_file: Path | None) -> None:
    """Print the documentation of RULE, with a failing and a passing example."""
    from .hints import did_you_mean
    from .registry import RULES, documentation

    found = RULES.get(rule)
    if found is not None:
        click.echo(f"{rule} (default severity: {found.SEVERITY.value})\n")
        click.echo(documentation(found))
        return
    custom = _custom_rules(config_file)
    if rule in custom:
        from .explain import explain_custom

        click.echo(explain_custom(custom[rule]))
        return
    _fail(f"unknown rule {rule!r}{did_you_mean(rule, [*RULES, *custom])}; `raci rules` lists them")


@main.command()
@click.argument("kind")
@_guarded
def schema(kind: str) -> None:
    """Print the JSON Schema of KIND (parties, duties, assignments, budgets, rules, waivers, config)."""
    from .hints import did_you_mean
    from .validate import SCHEMA_NAMES, schema_text

    name = kind.lower()
    if name not in SCHEMA_NAMES:
        _fail(f"unknown kind {kind!r}{did_you_mean(name, SCHEMA_NAMES)}; one of {', '.join(SCHEMA_NAMES)}")
    click.echo(schema_text(name), nl=False)

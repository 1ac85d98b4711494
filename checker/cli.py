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
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from . import __version__
from .reporters import REPORTERS

if TYPE_CHECKING:
    from .cache import Cache
    from .engine import Report
    from .finding import Severity

F = TypeVar("F", bound=Callable[..., Any])

FORMATS = tuple(REPORTERS)
# Findings after which a file's content is missing from the model.
UNREADABLE = frozenset(("yaml-syntax", "schema"))
LEVELS = ("error", "warning", "info")


# Set by `entry()`, the installed command: a finished run then leaves without
# tearing down its heap, which on 10,000 duties took longer than printing the report.
_fast_exit = False


def entry() -> None:
    """The `raci` console script and `python -m checker`."""
    global _fast_exit
    _fast_exit = True
    main(prog_name="raci")


def _finish(status: int) -> NoReturn:
    """Exit with `status` once the output is out; in the real command, skip the teardown."""
    if _fast_exit:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (BrokenPipeError, ValueError):
            _quiet_stdout()
        os._exit(status)
    sys.exit(status)


def _fail(message: str) -> NoReturn:
    click.echo(f"raci: error: {message}", err=True)
    sys.exit(2)


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _guarded(command: F) -> F:
    """Turn the library's user-facing errors, and any unforeseen one, into exit 2."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from .errors import UserError

        try:
            return command(*args, **kwargs)
        except UserError as exc:
            _fail(str(exc))
        except BrokenPipeError:
            # `raci matrix | head`: the reader left; that is not an error of ours.
            _quiet_stdout()
            sys.exit(0)
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
DATE = click.DateTime(formats=["%Y-%m-%d"])
today_option = click.option(
    "--today",
    type=DATE,
    default=None,
    help="The date waivers expire against (YYYY-MM-DD), for reproducible runs.  [default: today, UTC]",
)

cache_option = click.option(
    "--no-cache",
    "no_cache",
    is_flag=True,
    help="Parse every file again rather than reuse parsed files from the user's cache folder (also: RACI_NO_CACHE=1).",
)


def _store(no_cache: bool) -> Cache | None:
    """The cache of parsed files, unless switched off."""
    if no_cache or os.environ.get("RACI_NO_CACHE", "") not in ("", "0"):
        return None
    from .cache import Cache

    return Cache()


at_option = click.option(
    "--at",
    metavar="REV",
    default=None,
    help="Read the policy set as it was at git revision REV (from git objects; no checkout).",
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
@click.option(
    "--base",
    metavar="REV",
    default=None,
    help="Report and fail only on findings not already present at git revision REV (in CI: the merge base).",
)
@at_option
@config_option
@today_option
@cache_option
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Processes that may parse a large set at once.  [default: one per processor]",
)
@_guarded
def check(
    paths: tuple[Path, ...],
    fmt: str,
    fail_on: str | None,
    base: str | None,
    at: str | None,
    config_file: Path | None,
    today: datetime | None,
    no_cache: bool,
    jobs: int | None,
) -> None:
    """Check the policy set: PATHS (files or folders) if given, else the folders of .raci.yaml."""
    from .config import load_config
    from .engine import check as run_check
    from .finding import Severity
    from .reporters import render

    config = load_config(config_file)
    day = today.date() if today else None
    report = run_check(paths, config=config, today=day, at=at, base=base, store=_store(no_cache), jobs=jobs)
    level = Severity(fail_on) if fail_on else config.fail_on
    click.echo(render(fmt, report, color=_use_color(), fail_on=level), nl=False)
    _finish(1 if report.failed(level) else 0)


@main.command()
@paths_argument
@click.option(
    "--format", "fmt", type=click.Choice(("table", "markdown", "csv", "json")), default="table", show_default=True
)
@config_option
@today_option
@cache_option
@_guarded
def budgets(
    paths: tuple[Path, ...], fmt: str, config_file: Path | None, today: datetime | None, no_cache: bool
) -> None:
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
    report = run_check(paths, config=config, today=today.date() if today else None, store=_store(no_cache))
    click.echo(render(funding_view(report.model), fmt), nl=False)
    _exit_for_findings(report, config.fail_on)


def _exit_for_findings(report: Report, fail_on: Severity) -> None:
    """After a view is printed: exit 1, with a pointer to `raci check`, when the set fails."""
    if report.failed(fail_on):
        summary = report.summary()
        click.echo(
            f"raci: the policy set has {summary['error']} error(s) and {summary['warning']} warning(s); "
            "`raci check` lists them",
            err=True,
        )
        sys.exit(1)


@main.command()
@paths_argument
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("table", "markdown", "csv", "json", "html")),
    default="table",
    show_default=True,
)
@click.option("--domain", "domains", multiple=True, metavar="D", help="Only duties of domain D (repeatable).")
@click.option("--party", "parties", multiple=True, metavar="P", help="Only party P's column and duties (repeatable).")
@at_option
@config_option
@today_option
@cache_option
@_guarded
def matrix(
    paths: tuple[Path, ...],
    fmt: str,
    domains: tuple[str, ...],
    parties: tuple[str, ...],
    at: str | None,
    config_file: Path | None,
    today: datetime | None,
    no_cache: bool,
) -> None:
    """The RACI grid: duties down, parties across, letters in cells, problem duties marked.

    Exits 1, after printing, when the policy set has findings at or above the
    fail level: `raci check` lists them.
    """
    from .config import load_config
    from .engine import check as run_check
    from .matrix import build_matrix
    from .reporters.matrix import render

    config = load_config(config_file)
    report = run_check(paths, config=config, today=today.date() if today else None, at=at, store=_store(no_cache))
    click.echo(render(build_matrix(report, domains=domains, parties=parties), fmt), nl=False)
    _exit_for_findings(report, config.fail_on)


@main.command()
@paths_argument
@click.option(
    "--check",
    "existing",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    metavar="FILE",
    help="Compare FILE with what the policy set says, and exit 1 if it has drifted.",
)
@config_option
@cache_option
@_guarded
def codeowners(paths: tuple[Path, ...], existing: Path | None, config_file: Path | None, no_cache: bool) -> None:
    """CODEOWNERS lines: accountable parties review their duties' files, funders their budgets'.

    Prints the lines; `raci codeowners > .github/CODEOWNERS` writes them. With
    --check FILE, prints what differs and exits 1 when FILE has drifted.
    """
    from .codeowners import drift, generate
    from .config import load_config
    from .engine import check as run_check
    from .paths import shown_path

    report = run_check(paths, config=load_config(config_file), store=_store(no_cache))
    unread = sorted({f.location.file for f in report.findings if f.rule in UNREADABLE and not f.suppressed})
    if unread:
        # Reviewers derived from part of the set would silently drop the rest's owners.
        click.echo(
            f"raci: {len(unread)} policy file(s) cannot be read in full (yaml-syntax or schema errors, "
            f"first {unread[0]}); `raci check` lists them; no CODEOWNERS lines from a partial set",
            err=True,
        )
        sys.exit(1)
    expected = generate(report.model)
    if existing is None:
        click.echo(expected, nl=False)
        return
    try:
        current = existing.read_text(encoding="utf-8")
    except FileNotFoundError:
        click.echo(f"{shown_path(existing)}: does not exist; `raci codeowners > {shown_path(existing)}` writes it")
        sys.exit(1)
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"{shown_path(existing)}: cannot read: {getattr(exc, 'strerror', None) or exc}")
    problems = drift(expected, current)
    for line in problems:
        click.echo(f"{shown_path(existing)}: {line}")
    if problems:
        click.echo("`raci codeowners` prints the lines the policy set asks for", err=True)
        sys.exit(1)
    click.echo(f"{shown_path(existing)}: up to date")


@main.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False), default=".")
@_guarded
def init(directory: Path) -> None:
    """Start a governance repository in DIRECTORY: an example policy set, .raci.yaml and a pre-commit config.

    Never overwrites: a file that exists is left as it is and listed as skipped.
    """
    from .paths import shown_path
    from .scaffold import scaffold

    for path, created in scaffold(directory):
        click.echo(f"{'created' if created else 'skipped (exists)'}: {shown_path(path)}")


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


@main.command()
@click.argument("before", metavar="REV")
@click.argument("after", metavar="[REV2]", required=False)
@click.option("--format", "fmt", type=click.Choice(("text", "markdown", "json")), default="text", show_default=True)
@click.option("--path", "paths", multiple=True, type=click.Path(path_type=Path), help="Compare these folders or files.")
@config_option
@today_option
@cache_option
@_guarded
def diff(
    before: str,
    after: str | None,
    fmt: str,
    paths: tuple[Path, ...],
    config_file: Path | None,
    today: datetime | None,
    no_cache: bool,
) -> None:
    """What changed in meaning from REV to REV2 (default: the working tree), and the findings introduced and resolved.

    Moving claims between files, renaming files, reordering entries and
    reformatting YAML are not changes. Exits 1 when the change introduces
    findings at or above the fail level.
    """
    from .config import load_config
    from .diff import diff as run_diff
    from .reporters.changes import render_diff

    config = load_config(config_file)
    day = today.date() if today else None
    result = run_diff(paths, config=config, before=before, after=after, today=day, store=_store(no_cache))
    click.echo(render_diff(result, fmt), nl=False)
    fail_on = config.fail_on
    sys.exit(1 if any(f.severity.rank >= fail_on.rank for f in result.introduced) else 0)


@main.command()
@click.argument("revisions", metavar="[RANGE]", required=False)
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="Only commits on or after DATE.")
@click.option(
    "--until", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="Only commits on or before DATE."
)
@click.option("--duty", "duties", multiple=True, metavar="ID", help="Only changes of this duty (repeatable).")
@click.option("--party", "parties", multiple=True, metavar="ID", help="Only changes of this party or naming it.")
@click.option("--budget", "budgets", multiple=True, metavar="ID", help="Only changes of this budget (repeatable).")
@click.option(
    "--format", "fmt", type=click.Choice(("text", "markdown", "csv", "json")), default="text", show_default=True
)
@click.option(
    "--check-approvals",
    is_flag=True,
    help="Exit 1 when a commit changed accountability or a split without an Approved-by: from every party "
    "that gained or lost. RANGE defaults to the upstream's merge base..HEAD.",
)
@click.option("--path", "paths", multiple=True, type=click.Path(path_type=Path), help="Follow these folders or files.")
@config_option
@cache_option
@_guarded
def history(
    revisions: str | None,
    since: datetime | None,
    until: datetime | None,
    duties: tuple[str, ...],
    parties: tuple[str, ...],
    budgets: tuple[str, ...],
    fmt: str,
    check_approvals: bool,
    paths: tuple[Path, ...],
    config_file: Path | None,
    no_cache: bool,
) -> None:
    """The audit trail: for each commit that changed the policy set's meaning, who, when, approved by whom, and what.

    RANGE is a revision (its history; default HEAD) or A..B. A shallow clone is
    said, with how to fetch the rest.
    """
    from .config import load_config
    from .history import history as run_history
    from .history import select, unapproved, upstream_range
    from .reporters.changes import render_approvals, render_history

    config = load_config(config_file)
    folders = list(paths) or list(config.policies)
    if check_approvals and revisions is None:
        revisions = upstream_range(folders[0])
    trail = run_history(
        paths,
        config=config,
        revisions=revisions,
        since=since.date() if since else None,
        until=until.date() if until else None,
        store=_store(no_cache),
    )
    if trail.shallow:
        click.echo(f"raci: note: {trail.shallow}", err=True)
    trail = select(trail, duties=duties, parties=parties, budgets=budgets)
    if not check_approvals:
        click.echo(render_history(trail, fmt), nl=False)
        return
    lacking = unapproved(trail)
    click.echo(render_approvals(trail, lacking, fmt), nl=False)
    if lacking:
        click.echo(f"raci: {len(lacking)} commit(s) changed accountability or funding without every approval", err=True)
        sys.exit(1)

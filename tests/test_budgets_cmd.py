"""`raci budgets`: who pays for what, as a table, Markdown, CSV and JSON; exit status; real runs."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from decimal import Decimal, localcontext
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from checker.cli import main
from tests.conftest import PARTIES, write_tree

REPO = Path(__file__).resolve().parents[1]

DUTIES = """\
apiVersion: raci/v1
kind: Duties
duties:
  - id: sec.vuln-patching
    title: Patch critical vulnerabilities within SLA
    raci: {accountable: ciso, responsible: [security-ops]}
  - id: it.patching
    title: Patch servers
    raci: {accountable: cio, responsible: [it-ops]}
  - id: corp.strategy
    title: Set the strategy
    raci: {accountable: ceo, responsible: [ceo]}
"""

# One pool (USD 1,200,000 of 2,000,000 committed), a budget with cents split in
# thirds outside any pool, and a EUR budget: clean, no warnings either.
CLEAN_BUDGETS = """\
apiVersion: raci/v1
kind: Budgets
pools:
  - {id: fy27-it-capex, amount: 2000000, currency: USD, period: FY2027}
budgets:
  - id: fy27-security-tooling
    pool: fy27-it-capex
    amount: 1200000
    currency: USD
    period: FY2027
    funds: [sec.vuln-patching, it.patching]
    splits:
      - {party: ciso, percent: 60}
      - {party: cio, amount: 480000}
  - id: fy27-identity
    amount: 1000000.01
    currency: USD
    period: FY2027
    funds: [sec.vuln-patching, it.patching]
    splits:
      - {party: cio, percent: 33.33}
      - {party: ciso, percent: 33.33}
      - {party: it-ops, percent: 33.34}
  - id: fy27-emea-soc
    amount: 420000
    currency: EUR
    period: FY2027
    funds: [sec.vuln-patching, it.patching]
    splits:
      - {party: ciso, percent: 70}
      - {party: cio, amount: 126000}
"""

# The pool gets a second claim of USD 1,000,000: USD 2,200,000 against 2,000,000.
OVERCOMMITTING = """\
  - id: fy27-it-modernisation
    pool: fy27-it-capex
    amount: 1000000
    currency: USD
    period: FY2027
    funds: [it.patching]
    splits:
      - {party: cio, percent: 100}
"""

FORMATS = ("table", "markdown", "csv", "json")
CSV_HEADER = [
    "section", "budget", "pool", "party", "currency", "period",
    "percent", "amount", "committed", "available", "used_percent", "overcommitted",
]  # fmt: skip
PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty repository (a folder with `.git`) as the current directory; env without colour hints."""
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("RACI_DEBUG", raising=False)
    return tmp_path


def policies(root: Path, budgets: str = CLEAN_BUDGETS, **extra: str) -> Path:
    files = {"policies/parties.yaml": PARTIES, "policies/duties.yaml": DUTIES, "policies/budgets.yaml": budgets}
    files.update(extra)
    return write_tree(root, files)


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, ["budgets", *args], prog_name="raci")


def ok(result: Result) -> Result:
    no_traceback(result)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return result


def no_traceback(result: Result) -> None:
    assert "Traceback" not in result.stdout
    assert "Traceback" not in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def usage_error(result: Result) -> str:
    """Exit 2, nothing on stdout, one `raci: error:` line on stderr; returns that line."""
    no_traceback(result)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("raci: error: ")
    return lines[0]


def as_json(result: Result) -> Any:
    return json.loads(result.stdout)


def as_csv(result: Result) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(result.stdout))
    assert reader.fieldnames == CSV_HEADER
    return list(reader)


def exact(value: Fraction | Decimal | str) -> str:
    """The exact plain decimal of a finite decimal fraction, as the JSON and CSV print it."""
    fraction = Fraction(Decimal(value)) if isinstance(value, str) else Fraction(value)
    with localcontext() as context:
        context.prec = 200
        text = format(Decimal(fraction.numerator) / Decimal(fraction.denominator), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def section(text: str, title: str, following: str | None) -> list[str]:
    """The lines of a table section, from its title to the next section's title."""
    lines = text.splitlines()
    start = lines.index(title)
    end = lines.index(following) if following else len(lines)
    return lines[start + 1 : end]


def row(lines: list[str], *cells: str) -> str:
    """The one line that holds all these cells."""
    found = [line for line in lines if all(cell in line for cell in cells)]
    assert len(found) == 1, (cells, lines)
    return found[0]


def walk(value: Any, path: str = "$") -> list[tuple[str, Any]]:
    """Every leaf of a JSON document with its path."""
    if isinstance(value, dict):
        return [leaf for key, item in value.items() for leaf in walk(item, f"{path}.{key}")]
    if isinstance(value, list):
        return [leaf for index, item in enumerate(value) for leaf in walk(item, f"{path}[{index}]")]
    return [(path, value)]


# The exact amounts of the clean set, computed rather than copied from the output.
THIRD = Fraction(Decimal("33.33")) / 100 * Fraction(Decimal("1000000.01"))
LAST_THIRD = Fraction(Decimal("33.34")) / 100 * Fraction(Decimal("1000000.01"))
CIO_USD = Fraction(480000) + THIRD
CISO_USD = Fraction(720000) + THIRD


def test_the_computed_amounts_are_the_ones_the_brief_names() -> None:
    assert exact(THIRD) == "333300.003333"
    assert exact(LAST_THIRD) == "333400.003334"
    assert exact(CIO_USD) == "813300.003333"
    assert exact(CISO_USD) == "1053300.003333"


# --- table (the default) -----------------------------------------------------------------------


def test_table_is_the_default_and_has_three_sections(project: Path) -> None:
    policies(project)
    default = ok(invoke())
    assert default.stdout == ok(invoke("--format", "table")).stdout
    lines = default.stdout.splitlines()
    titles = [line for line in lines if line in ("Budgets", "Funding by party", "Pools")]
    assert titles == ["Budgets", "Funding by party", "Pools"]


def test_table_shows_splits_with_percent_and_separated_amounts(project: Path) -> None:
    policies(project)
    text = ok(invoke()).stdout
    budgets = section(text, "Budgets", "Funding by party")
    tooling = row(budgets, "fy27-security-tooling")
    assert "USD 1,200,000" in tooling
    assert "fy27-it-capex" in tooling
    assert "FY2027" in tooling
    assert re.search(r"\bciso\s+60%\s+USD 720,000$", tooling)
    assert re.search(r"\bcio\s+40%\s+USD 480,000$", row(budgets, "USD 480,000"))
    identity = row(budgets, "fy27-identity")
    assert "USD 1,000,000.01" in identity
    assert re.search(r"\bcio\s+33\.33%\s+USD 333,300\.003333$", identity)
    assert re.search(r"\bit-ops\s+33\.34%\s+USD 333,400\.003334$", row(budgets, "it-ops"))
    assert re.search(r"\bciso\s+70%\s+EUR 294,000$", row(budgets, "EUR 294,000"))
    assert re.search(r"\bcio\s+30%\s+EUR 126,000$", row(budgets, "EUR 126,000"))


def test_table_shows_party_totals_by_currency(project: Path) -> None:
    policies(project)
    parties = section(ok(invoke()).stdout, "Funding by party", "Pools")
    cio_usd = row(parties, "USD 813,300.003333")
    assert cio_usd.split()[:2] == ["cio", "FY2027"]
    assert "fy27-identity, fy27-security-tooling" in cio_usd
    assert row(parties, "USD 1,053,300.003333").split()[0] == "ciso"
    assert row(parties, "EUR 126,000").split()[0] == "cio"
    assert row(parties, "EUR 294,000").split()[0] == "ciso"
    assert row(parties, "USD 333,400.003334").split()[0] == "it-ops"


def test_table_shows_pools_committed_available_used(project: Path) -> None:
    policies(project)
    text = ok(invoke()).stdout
    assert "OVERCOMMITTED" not in text
    capex = row(section(text, "Pools", None), "fy27-it-capex")
    assert re.search(r"USD 2,000,000\s+USD 1,200,000\s+USD 800,000\s+60%$", capex)


def test_table_marks_an_overcommitted_pool(project: Path) -> None:
    policies(project, CLEAN_BUDGETS + OVERCOMMITTING)
    result = invoke()
    assert result.exit_code == 1
    capex = row(section(result.stdout, "Pools", None), "fy27-it-capex")
    assert re.search(r"USD 2,000,000\s+USD 2,200,000\s+USD -200,000\s+110%\s+OVERCOMMITTED$", capex)


def test_table_of_a_set_without_pools_says_none(project: Path) -> None:
    no_pool = CLEAN_BUDGETS.replace(
        "pools:\n  - {id: fy27-it-capex, amount: 2000000, currency: USD, period: FY2027}\n", ""
    ).replace("    pool: fy27-it-capex\n", "")
    policies(project, no_pool)
    assert section(ok(invoke()).stdout, "Pools", None) == ["", "(none)"]


def test_a_share_without_a_finite_decimal_is_marked_approximate(project: Path) -> None:
    thirds = """\
    apiVersion: raci/v1
    kind: Budgets
    budgets:
      - id: fy27-thirds
        amount: 300
        currency: USD
        period: FY2027
        funds: [it.patching, sec.vuln-patching]
        splits:
          - {party: cio, amount: 100}
          - {party: ciso, amount: 200}
    """
    policies(project, thirds)
    text = ok(invoke()).stdout
    budgets = section(text, "Budgets", "Funding by party")
    assert re.search(r"\bcio\s+≈33\.333333%\s+USD 100$", row(budgets, "USD 100"))
    assert "≈66.666667%" in text
    data = as_json(ok(invoke("--format", "json")))
    assert [s["percent"] for s in data["budgets"][0]["splits"]] == ["33.333333", "66.666667"]
    assert data["budgets"][0]["allocated_percent"] == "100"


# --- markdown ----------------------------------------------------------------------------------


def test_markdown_has_headings_and_github_tables(project: Path) -> None:
    policies(project)
    text = ok(invoke("--format", "markdown")).stdout
    lines = text.splitlines()
    assert [line for line in lines if line.startswith("#")] == ["### Budgets", "### Funding by party", "### Pools"]
    table_lines = [line for line in lines if line and not line.startswith("#")]
    assert table_lines, text
    assert all(line.startswith("|") and line.endswith("|") for line in table_lines)
    assert "| budget " in text
    assert re.search(r"^\|[-:|]+\|$", lines[lines.index("### Budgets") + 3])  # the header rule
    assert "USD 1,200,000" in text
    assert "60%" in text


def test_markdown_escapes_a_pipe_in_a_value(project: Path) -> None:
    piped = CLEAN_BUDGETS.replace("period: FY2027", 'period: "FY27|H1"')
    policies(project, piped)
    text = ok(invoke("--format", "markdown")).stdout
    assert "FY27\\|H1" in text
    assert re.search(r"(?<!\\)\|H1", text) is None
    for title in ("### Budgets", "### Funding by party", "### Pools"):
        rows = section(text, title, None)[1:]
        rows = rows[: rows.index("")] if "" in rows else rows
        cells = {len(re.findall(r"(?<!\\)\|", line)) for line in rows}
        assert len(cells) == 1, (title, rows)  # every row has as many columns as the header
    # the table keeps the label as written
    assert "FY27|H1" in ok(invoke()).stdout


# --- csv ---------------------------------------------------------------------------------------


def test_csv_has_the_header_and_rows_for_each_section(project: Path) -> None:
    policies(project)
    rows = as_csv(ok(invoke("--format", "csv")))
    assert [r["section"] for r in rows] == ["split"] * 7 + ["party"] * 5 + ["pool"]
    splits = [(r["budget"], r["party"], r["currency"], r["percent"], r["amount"]) for r in rows[:7]]
    assert splits == [
        ("fy27-emea-soc", "ciso", "EUR", "70", "294000"),
        ("fy27-emea-soc", "cio", "EUR", "30", "126000"),
        ("fy27-identity", "cio", "USD", "33.33", exact(THIRD)),
        ("fy27-identity", "ciso", "USD", "33.33", exact(THIRD)),
        ("fy27-identity", "it-ops", "USD", "33.34", exact(LAST_THIRD)),
        ("fy27-security-tooling", "ciso", "USD", "60", "720000"),
        ("fy27-security-tooling", "cio", "USD", "40", "480000"),
    ]
    assert [r["pool"] for r in rows[:7]] == ["", "", "", "", "", "fy27-it-capex", "fy27-it-capex"]
    parties = [(r["party"], r["currency"], r["period"], r["amount"], r["budget"]) for r in rows[7:12]]
    assert parties == [
        ("cio", "EUR", "FY2027", "126000", "fy27-emea-soc"),
        ("cio", "USD", "FY2027", exact(CIO_USD), "fy27-identity fy27-security-tooling"),
        ("ciso", "EUR", "FY2027", "294000", "fy27-emea-soc"),
        ("ciso", "USD", "FY2027", exact(CISO_USD), "fy27-identity fy27-security-tooling"),
        ("it-ops", "USD", "FY2027", exact(LAST_THIRD), "fy27-identity"),
    ]
    pool = rows[12]
    assert {k: pool[k] for k in ("pool", "currency", "period", "amount", "committed", "available")} == {
        "pool": "fy27-it-capex",
        "currency": "USD",
        "period": "FY2027",
        "amount": "2000000",
        "committed": "1200000",
        "available": "800000",
    }
    assert (pool["used_percent"], pool["overcommitted"], pool["budget"]) == ("60", "false", "fy27-security-tooling")


def test_csv_numbers_are_plain_decimals(project: Path) -> None:
    policies(project, CLEAN_BUDGETS + OVERCOMMITTING)
    result = invoke("--format", "csv")
    assert result.exit_code == 1
    rows = as_csv(result)
    numeric = ("percent", "amount", "committed", "available", "used_percent")
    values = [r[k] for r in rows for k in numeric if r[k]]
    assert values
    assert all(PLAIN_NUMBER.match(v) for v in values), values
    pool = next(r for r in rows if r["section"] == "pool")
    assert (pool["committed"], pool["available"], pool["used_percent"], pool["overcommitted"]) == (
        "2200000",
        "-200000",
        "110",
        "true",
    )


# --- json --------------------------------------------------------------------------------------


def test_json_shape_and_every_number_is_a_string(project: Path) -> None:
    policies(project)
    data = as_json(ok(invoke("--format", "json")))
    assert data["version"] == 1
    assert set(data) == {"version", "budgets", "parties", "pools"}
    for path, leaf in walk(data):
        if path == "$.version":
            continue
        if path.endswith(".overcommitted"):
            assert isinstance(leaf, bool), path
        elif path.endswith(".pool"):
            assert leaf is None or isinstance(leaf, str), path
        else:
            assert isinstance(leaf, str), (path, leaf)
    numbers = [
        leaf
        for path, leaf in walk(data)
        if path.rsplit(".", 1)[-1] in ("amount", "percent", "allocated_percent", "committed", "available")
        or path.endswith(".used_percent")
    ]
    assert numbers
    assert all(isinstance(n, str) and PLAIN_NUMBER.match(n) for n in numbers), numbers


def test_json_amounts_and_percents_are_exact(project: Path) -> None:
    policies(project)
    data = as_json(ok(invoke("--format", "json")))
    budgets = {b["id"]: b for b in data["budgets"]}
    assert list(budgets) == ["fy27-emea-soc", "fy27-identity", "fy27-security-tooling"]
    identity = budgets["fy27-identity"]
    assert (identity["amount"], identity["currency"], identity["period"], identity["pool"]) == (
        "1000000.01",
        "USD",
        "FY2027",
        None,
    )
    assert identity["splits"] == [
        {"party": "cio", "percent": "33.33", "amount": "333300.003333"},
        {"party": "ciso", "percent": "33.33", "amount": "333300.003333"},
        {"party": "it-ops", "percent": "33.34", "amount": exact(LAST_THIRD)},
    ]
    assert identity["splits"][0]["amount"] == exact(THIRD)
    assert identity["allocated_percent"] == "100"
    tooling = budgets["fy27-security-tooling"]
    assert tooling["pool"] == "fy27-it-capex"
    assert tooling["splits"] == [
        {"party": "ciso", "percent": "60", "amount": "720000"},
        {"party": "cio", "percent": "40", "amount": "480000"},
    ]
    assert data["parties"] == [
        {"party": "cio", "currency": "EUR", "period": "FY2027", "amount": "126000", "budgets": ["fy27-emea-soc"]},
        {
            "party": "cio",
            "currency": "USD",
            "period": "FY2027",
            "amount": exact(CIO_USD),
            "budgets": ["fy27-identity", "fy27-security-tooling"],
        },
        {"party": "ciso", "currency": "EUR", "period": "FY2027", "amount": "294000", "budgets": ["fy27-emea-soc"]},
        {
            "party": "ciso",
            "currency": "USD",
            "period": "FY2027",
            "amount": exact(CISO_USD),
            "budgets": ["fy27-identity", "fy27-security-tooling"],
        },
        {
            "party": "it-ops",
            "currency": "USD",
            "period": "FY2027",
            "amount": exact(LAST_THIRD),
            "budgets": ["fy27-identity"],
        },
    ]
    assert data["pools"] == [
        {
            "id": "fy27-it-capex",
            "currency": "USD",
            "period": "FY2027",
            "amount": "2000000",
            "committed": "1200000",
            "available": "800000",
            "used_percent": "60",
            "overcommitted": False,
            "budgets": ["fy27-security-tooling"],
        }
    ]


def test_json_overcommitted_is_a_boolean_with_negative_available(project: Path) -> None:
    policies(project, CLEAN_BUDGETS + OVERCOMMITTING)
    result = invoke("--format", "json")
    assert result.exit_code == 1
    (pool,) = as_json(result)["pools"]
    assert pool["overcommitted"] is True
    assert (pool["committed"], pool["available"], pool["used_percent"]) == ("2200000", "-200000", "110")
    assert pool["budgets"] == ["fy27-it-modernisation", "fy27-security-tooling"]


def test_json_allocated_percent_shows_splits_that_do_not_add_up(project: Path) -> None:
    over = CLEAN_BUDGETS.replace("{party: cio, amount: 480000}", "{party: cio, amount: 600000}")
    policies(project, over)
    result = invoke("--format", "json")
    assert result.exit_code == 1  # split-total
    tooling = next(b for b in as_json(result)["budgets"] if b["id"] == "fy27-security-tooling")
    assert tooling["allocated_percent"] == "110"
    assert tooling["splits"][1] == {"party": "cio", "percent": "50", "amount": "600000"}


# --- formats agree -----------------------------------------------------------------------------


def test_every_format_prints_the_same_amounts(project: Path) -> None:
    policies(project)
    data = as_json(ok(invoke("--format", "json")))
    table = ok(invoke()).stdout
    markdown = ok(invoke("--format", "markdown")).stdout
    csv_amounts = {
        (r["budget"], r["party"]): r["amount"] for r in as_csv(ok(invoke("--format", "csv"))) if r["section"] == "split"
    }
    for budget in data["budgets"]:
        for split in budget["splits"]:
            assert csv_amounts[(budget["id"], split["party"])] == split["amount"]
            integer, _, fraction = split["amount"].partition(".")
            shown = f"{budget['currency']} {int(integer):,}" + (f".{fraction.ljust(2, '0')}" if fraction else "")
            assert shown in table, shown
            assert shown in markdown, shown


# --- exit status -------------------------------------------------------------------------------


def test_errors_exit_1_after_printing_the_view_with_a_note_on_stderr(project: Path) -> None:
    policies(project, CLEAN_BUDGETS + OVERCOMMITTING)
    for fmt in FORMATS:
        result = invoke("--format", fmt)
        no_traceback(result)
        assert result.exit_code == 1, (fmt, result.output)
        assert result.stdout.strip(), fmt
        assert "fy27-it-capex" in result.stdout
        lines = result.stderr.splitlines()
        assert len(lines) == 1, result.stderr
        assert "error" in lines[0]
        assert "raci check" in lines[0]
    table = invoke()
    assert "OVERCOMMITTED" in table.stdout
    assert "OVERCOMMITTED" not in table.stderr


def test_warnings_do_not_fail_unless_the_config_says_so(project: Path) -> None:
    # ceo funds a budget but holds no letter on the duty it funds: funder-without-role, a warning
    warned = CLEAN_BUDGETS.replace("{party: cio, amount: 126000}", "{party: ceo, amount: 126000}")
    policies(project, warned)
    ok(invoke())
    write_tree(project, {".raci.yaml": "fail_on: warning\n"})
    result = invoke()
    assert result.exit_code == 1, result.output
    assert result.stdout.startswith("Budgets")
    assert len(result.stderr.splitlines()) == 1
    assert "1 warning(s)" in result.stderr


def test_no_policy_files_exits_2(project: Path) -> None:
    assert "no policy files found under" in usage_error(invoke())
    (project / "empty").mkdir()
    assert "no policy files found under" in usage_error(invoke("empty"))


def test_bad_configuration_exits_2(project: Path) -> None:
    policies(project)
    write_tree(project, {".raci.yaml": "colour: yes\n"})
    assert "colour" in usage_error(invoke())
    assert "nope.yaml" in usage_error(invoke("--config", "nope.yaml"))


def test_missing_path_exits_2(project: Path) -> None:
    policies(project)
    assert "not-there" in usage_error(invoke("not-there"))


def test_unknown_format_exits_2(project: Path) -> None:
    policies(project)
    result = invoke("--format", "xml")
    no_traceback(result)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "--format" in result.stderr


def test_paths_argument_reads_those_paths(project: Path) -> None:
    write_tree(
        project,
        {
            "elsewhere/parties.yaml": PARTIES,
            "elsewhere/duties.yaml": DUTIES,
            "elsewhere/budgets.yaml": CLEAN_BUDGETS,
        },
    )
    data = as_json(ok(invoke("elsewhere", "--format", "json")))
    assert len(data["budgets"]) == 3


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_is_deterministic(project: Path, fmt: str) -> None:
    policies(project, CLEAN_BUDGETS + OVERCOMMITTING)
    first, second = invoke("--format", fmt), invoke("--format", fmt)
    assert first.exit_code == second.exit_code == 1
    assert first.stdout == second.stdout
    assert first.stdout


@pytest.mark.parametrize("fmt", FORMATS)
def test_moving_budgets_between_files_changes_nothing(project: Path, fmt: str) -> None:
    policies(project)
    before = ok(invoke("--format", fmt)).stdout
    head, _, rest = CLEAN_BUDGETS.partition("  - id: fy27-identity\n")
    (project / "policies" / "budgets.yaml").write_text(head, encoding="utf-8")
    write_tree(
        project,
        {"policies/z-more.yaml": "apiVersion: raci/v1\nkind: Budgets\nbudgets:\n  - id: fy27-identity\n" + rest},
    )
    assert ok(invoke("--format", fmt)).stdout == before


# --- exactness beyond 28 significant digits ----------------------------------------------------

# Clean (the shares add up to exactly 100%), but each amount needs 34 significant digits.
FINE_SHARES = """\
apiVersion: raci/v1
kind: Budgets
budgets:
  - id: fy27-fine
    amount: 1000000.01
    currency: USD
    period: FY2027
    funds: [sec.vuln-patching, it.patching]
    splits:
      - {party: ciso, percent: 50.000000000000000000000001}
      - {party: cio, percent: 49.999999999999999999999999}
"""
FINE_CISO = Fraction(Decimal("50.000000000000000000000001")) / 100 * Fraction(Decimal("1000000.01"))


@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_amounts_of_more_than_28_digits_are_printed_exactly(project: Path, fmt: str) -> None:
    assert exact(FINE_CISO) == "500000.0050000000000000000100000001"
    policies(project, FINE_SHARES)
    result = ok(invoke("--format", fmt))
    if fmt == "json":
        (budget,) = as_json(result)["budgets"]
        assert budget["splits"][0]["amount"] == exact(FINE_CISO)
    elif fmt == "csv":
        assert as_csv(result)[0]["amount"] == exact(FINE_CISO)
    else:
        assert "USD 500,000.0050000000000000000100000001" in result.stdout


# --- a real process ----------------------------------------------------------------------------


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "RACI_DEBUG")}
    return subprocess.run(
        [sys.executable, "-m", "checker", "budgets", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_real_process_prints_json_and_exits_0(project: Path) -> None:
    policies(project)
    done = run(["--format", "json"], project)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    data = json.loads(done.stdout)
    assert data["version"] == 1
    identity = next(b for b in data["budgets"] if b["id"] == "fy27-identity")
    assert identity["splits"][0]["amount"] == "333300.003333"
    assert done.stdout == ok(invoke("--format", "json")).stdout


def test_real_process_exits_1_on_an_overcommitted_pool(project: Path) -> None:
    policies(project, CLEAN_BUDGETS + OVERCOMMITTING)
    done = run([], project)
    assert done.returncode == 1
    assert "OVERCOMMITTED" in done.stdout
    assert len(done.stderr.splitlines()) == 1
    assert "Traceback" not in done.stderr


# --- the repository's own policies -------------------------------------------------------------


def test_own_policies_print_a_table_and_exit_0(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = ok(invoke("--today", "2026-12-01"))  # the examples' waivers expire on fixed dates
    lines = result.stdout.splitlines()
    for title, following in (("Budgets", "Funding by party"), ("Funding by party", "Pools"), ("Pools", None)):
        rows = [line for line in section(result.stdout, title, following) if line.strip()]
        assert len(rows) > 2, (title, rows)  # header, rule and at least one row
    assert "OVERCOMMITTED" not in result.stdout
    assert any(re.search(r"USD \d{1,3}(,\d{3})+", line) for line in lines)


def test_own_policies_share_a_capital_pool_between_cio_and_ciso(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    data = as_json(ok(invoke("--format", "json", "--today", "2026-12-01")))
    budgets = {b["id"]: b for b in data["budgets"]}
    shared = [
        pool
        for pool in data["pools"]
        if "capex" in pool["id"]
        and {"cio", "ciso"} <= {s["party"] for b in pool["budgets"] for s in budgets[b]["splits"]}
    ]
    assert shared, data["pools"]
    for pool in shared:
        assert pool["overcommitted"] is False
        assert Decimal(pool["committed"]) <= Decimal(pool["amount"])
        assert Decimal(pool["available"]) == Decimal(pool["amount"]) - Decimal(pool["committed"])
        assert sum(Decimal(budgets[b]["amount"]) for b in pool["budgets"]) == Decimal(pool["committed"])
    assert all(b["allocated_percent"] == "100" for b in data["budgets"])

"""`raci matrix`: the RACI grid built from inline and assigned claims, its filters,
problem marks, every output format, escaping, and the exit status."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from tabulate import tabulate

from checker.cli import main
from checker.finding import Severity
from checker.matrix import Column, Matrix, Row, UnknownFilter, build_matrix
from checker.reporters.matrix import FORMATS, csv_cell, markdown_cell, render
from tests.conftest import PARTIES, CheckFiles, write_tree

# Clean: every duty has one accountable and a responsible party; it.asset-inventory
# gets its accountable inline and its responsible parties from an Assignments file.
DUTIES = """\
apiVersion: raci/v1
kind: Duties
duties:
  - id: sec.incident-response
    title: Lead the response to security incidents
    domain: security
    raci: {accountable: ciso, responsible: [security-ops], informed: [ceo]}
  - id: it.asset-inventory
    title: Keep the asset inventory
    domain: it
    raci: {accountable: cio}
  - id: it.patching
    title: Patch servers
    domain: it
    raci: {accountable: cio, responsible: [it-ops]}
"""

ASSIGNMENTS = """\
apiVersion: raci/v1
kind: Assignments
assignments:
  - duty: it.asset-inventory
    responsible: [it-ops, cio]
    consulted: [ciso]
"""

# The small set whose every format is compared whole: the CIO also claims incident
# response (double ownership) and it.backup has nobody accountable (orphaned).
PROBLEM_DUTIES = DUTIES.replace(
    """\
  - id: it.patching
    title: Patch servers
    domain: it
    raci: {accountable: cio, responsible: [it-ops]}
""",
    """\
  - id: it.backup
    title: Back up data
    domain: it
    raci: {responsible: [it-ops]}
""",
)
PROBLEM_ASSIGNMENTS = (
    ASSIGNMENTS
    + """\
  - duty: sec.incident-response
    accountable: cio
"""
)

LEGEND = (
    "A accountable, R responsible, C consulted, I informed; * inactive party, ? unknown party; "
    "! problem: the rules that fire on the duty"
)
SUMMARY = "checked 3 files: 5 parties, 3 duties; shown: 3 duties, 5 parties; 2 with problems"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty repository (a folder with `.git`) as the current directory."""
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RACI_DEBUG", raising=False)
    return tmp_path


def policies(root: Path, duties: str = DUTIES, assignments: str = ASSIGNMENTS, **extra: str) -> Path:
    files = {"policies/parties.yaml": PARTIES, "policies/duties.yaml": duties, "policies/assignments.yaml": assignments}
    files.update({f"policies/{name}.yaml": text for name, text in extra.items()})
    return write_tree(root, files)


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, ["matrix", *args], prog_name="raci")


def no_traceback(result: Result) -> None:
    assert "Traceback" not in result.stdout
    assert "Traceback" not in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def ok(result: Result) -> str:
    no_traceback(result)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return result.stdout


def failed(result: Result) -> str:
    """Exit 1 after printing the view, with one line on stderr pointing at `raci check`."""
    no_traceback(result)
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines() == [
        "raci: the policy set has 2 error(s) and 0 warning(s); `raci check` lists them"
    ]
    return result.stdout


def usage_error(result: Result) -> str:
    """Exit 2, nothing on stdout, one `raci: error:` line on stderr; returns that line."""
    no_traceback(result)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("raci: error: ")
    return lines[0]


def grid(check_files: CheckFiles, files: dict[str, str], **filters: tuple[str, ...]) -> Matrix:
    return build_matrix(check_files(files), **filters)


def cells(matrix: Matrix) -> dict[str, dict[str, str]]:
    return {row.id: dict(row.cells) for row in matrix.rows}


def problems(matrix: Matrix) -> dict[str, tuple[str, ...]]:
    return {row.id: row.problems for row in matrix.rows}


# --- the grid ------------------------------------------------------------------------------------


def test_grid_merges_inline_and_assigned_claims(check_files: CheckFiles) -> None:
    report = check_files({"duties.yaml": DUTIES, "assignments.yaml": ASSIGNMENTS})
    assert report.findings == []
    matrix = build_matrix(report)
    assert [row.id for row in matrix.rows] == ["sec.incident-response", "it.asset-inventory", "it.patching"]
    assert [column.id for column in matrix.columns] == ["ceo", "cio", "ciso", "it-ops", "security-ops"]
    assert cells(matrix) == {
        "sec.incident-response": {"ciso": "A", "security-ops": "R", "ceo": "I"},
        "it.asset-inventory": {"cio": "A/R", "it-ops": "R", "ciso": "C"},
        "it.patching": {"cio": "A", "it-ops": "R"},
    }
    inventory = matrix.rows[1]
    assert inventory.accountable == ("cio",)
    assert inventory.responsible == ("cio", "it-ops")  # sorted, whatever order the file gives
    assert inventory.consulted == ("ciso",)
    assert inventory.informed == ()
    assert (inventory.title, inventory.domain) == ("Keep the asset inventory", "it")
    assert problems(matrix) == {"sec.incident-response": (), "it.asset-inventory": (), "it.patching": ()}
    assert (matrix.files, matrix.duties_defined, matrix.parties_defined) == (3, 3, 5)


def test_letters_of_one_party_share_a_cell_in_raci_order(check_files: CheckFiles) -> None:
    # Informed inline, consulted and accountable assigned later: the cell still reads A/C/I.
    duties = """\
    apiVersion: raci/v1
    kind: Duties
    duties:
      - id: it.patching
        title: Patch servers
        raci: {responsible: [it-ops], informed: [cio]}
    """
    assignments = """\
    apiVersion: raci/v1
    kind: Assignments
    assignments:
      - duty: it.patching
        consulted: [cio]
      - duty: it.patching
        accountable: cio
    """
    matrix = grid(check_files, {"duties.yaml": duties, "assignments.yaml": assignments})
    assert cells(matrix) == {"it.patching": {"cio": "A/C/I", "it-ops": "R"}}
    # Holding C and I on one duty is redundant-role, a warning: the row is marked with it.
    assert problems(matrix) == {"it.patching": ("redundant-role",)}
    assert matrix.rows[0].severity is Severity.WARNING


def test_a_letter_claimed_twice_is_shown_once(check_files: CheckFiles) -> None:
    assignments = ASSIGNMENTS + "  - duty: it.patching\n    accountable: cio\n    responsible: [it-ops]\n"
    matrix = grid(check_files, {"duties.yaml": DUTIES, "assignments.yaml": assignments})
    assert cells(matrix)["it.patching"] == {"cio": "A", "it-ops": "R"}
    assert matrix.rows[2].accountable == ("cio",)
    assert problems(matrix)["it.patching"] == ()


def test_columns_are_only_parties_holding_a_letter_in_definition_order(check_files: CheckFiles) -> None:
    parties = (
        PARTIES + "  - {id: auditor, name: Internal Audit, type: team}\n  - {id: board, name: Board, type: committee}\n"
    )
    duties = "apiVersion: raci/v1\nkind: Duties\nduties:\n"
    duties += "  - {id: a.one, title: One, raci: {accountable: board, responsible: [it-ops]}}\n"
    duties += "  - {id: a.two, title: Two, raci: {accountable: ceo, responsible: [ceo]}}\n"
    matrix = grid(check_files, {"parties.yaml": parties, "duties.yaml": duties})
    # cio, ciso, security-ops and auditor hold nothing; board is defined after it-ops.
    assert [column.id for column in matrix.columns] == ["ceo", "it-ops", "board"]


def test_inactive_and_unknown_parties_are_marked(check_files: CheckFiles) -> None:
    parties = PARTIES + "  - {id: deputy-cio, name: Deputy CIO, type: role, active: false}\n"
    duties = DUTIES.replace("informed: [ceo]", "informed: [ceo, deputy-cio, auditors]")
    matrix = grid(check_files, {"parties.yaml": parties, "duties.yaml": duties, "assignments.yaml": ASSIGNMENTS})
    columns = {column.id: column for column in matrix.columns}
    assert [column.id for column in matrix.columns][-2:] == ["deputy-cio", "auditors"]  # unknown ones last
    assert columns["deputy-cio"] == Column("deputy-cio", "Deputy CIO", False, True)
    assert columns["auditors"] == Column("auditors", None, None, False)
    assert columns["ceo"] == Column("ceo", "Chief Executive Officer", True, True)
    assert cells(matrix)["sec.incident-response"] == {
        "ciso": "A",
        "security-ops": "R",
        "ceo": "I",
        "deputy-cio": "I",
        "auditors": "I",
    }
    assert problems(matrix)["sec.incident-response"] == ("inactive-party", "unknown-party")
    assert matrix.rows[0].severity is Severity.ERROR


def test_a_duty_named_only_by_claims_is_not_a_row(check_files: CheckFiles) -> None:
    assignments = ASSIGNMENTS + "  - duty: it.ghost\n    accountable: cio\n    responsible: [it-ops]\n"
    report = check_files({"duties.yaml": DUTIES, "assignments.yaml": assignments})
    assert [f.rule for f in report.findings] == ["unknown-duty"]
    matrix = build_matrix(report)
    assert [row.id for row in matrix.rows] == ["sec.incident-response", "it.asset-inventory", "it.patching"]
    assert all(row.problems == () for row in matrix.rows)


# --- problem marks -------------------------------------------------------------------------------


def test_double_ownership_and_orphaned_duty_mark_their_rows_only(check_files: CheckFiles) -> None:
    matrix = grid(check_files, {"duties.yaml": PROBLEM_DUTIES, "assignments.yaml": PROBLEM_ASSIGNMENTS})
    assert problems(matrix) == {
        "sec.incident-response": ("double-ownership",),
        "it.asset-inventory": (),  # the clean neighbour
        "it.backup": ("orphaned-duty",),
    }
    assert [row.severity for row in matrix.rows] == [Severity.ERROR, None, Severity.ERROR]
    assert cells(matrix)["sec.incident-response"] == {"cio": "A", "ciso": "A", "security-ops": "R", "ceo": "I"}


def test_one_row_lists_every_rule_once_sorted(check_files: CheckFiles) -> None:
    # No accountable and no responsible, and named twice in redundant letters.
    duties = """\
    apiVersion: raci/v1
    kind: Duties
    duties:
      - id: it.backup
        title: Back up data
        raci: {consulted: [cio], informed: [cio, ciso]}
    """
    matrix = grid(check_files, {"duties.yaml": duties})
    assert problems(matrix) == {"it.backup": ("no-responsible", "orphaned-duty", "redundant-role")}
    assert matrix.rows[0].severity is Severity.ERROR


def test_custom_rules_mark_at_warning_but_not_at_info(check_files: CheckFiles) -> None:
    rules = """\
    apiVersion: raci/v1
    kind: Rules
    rules:
      - id: security-embedded
        type: require
        description: Security is consulted on IT duties
        select: {domain: [it]}
        require: {party: ciso, as: [consulted]}
        severity: {level}
    """
    files = {"duties.yaml": DUTIES, "assignments.yaml": ASSIGNMENTS}
    warned = grid(check_files, {**files, "rules.yaml": rules.replace("{level}", "warning")})
    assert problems(warned) == {
        "sec.incident-response": (),
        "it.asset-inventory": (),  # the CISO is consulted there
        "it.patching": ("security-embedded",),
    }
    assert warned.rows[2].severity is Severity.WARNING
    informed = grid(check_files, {**files, "rules.yaml": rules.replace("{level}", "info")})
    assert all(row.problems == () for row in informed.rows)


def test_a_waived_finding_does_not_mark_the_row(check_files: CheckFiles) -> None:
    waivers = """\
    apiVersion: raci/v1
    kind: Waivers
    waivers:
      - rule: double-ownership
        subject: sec.incident-response
        reason: Joint accountability during the transition
        approved_by: [cio, ciso]
        expires: 2999-12-31
    """
    config = "rules: {waiver-too-long: off}\n"
    report = check_files(
        {"duties.yaml": DUTIES, "assignments.yaml": PROBLEM_ASSIGNMENTS, "waivers.yaml": waivers}, config=config
    )
    assert [(f.rule, f.suppressed) for f in report.findings] == [("double-ownership", True)]
    assert all(row.problems == () for row in build_matrix(report).rows)


def test_a_budget_sharing_a_duty_id_does_not_mark_the_duty(check_files: CheckFiles) -> None:
    # split-total's subject is the budget; this budget happens to be called like a duty.
    budgets = """\
    apiVersion: raci/v1
    kind: Budgets
    budgets:
      - id: it.patching
        amount: 1000
        currency: USD
        period: FY2027
        funds: [it.patching]
        splits:
          - {party: cio, percent: 50}
    """
    report = check_files({"duties.yaml": DUTIES, "assignments.yaml": ASSIGNMENTS, "budgets.yaml": budgets})
    assert [(f.rule, f.subject) for f in report.findings] == [("split-total", "it.patching")]
    assert problems(build_matrix(report))["it.patching"] == ()


# --- filters -------------------------------------------------------------------------------------


def test_domain_filter_keeps_the_duties_of_those_domains(check_files: CheckFiles) -> None:
    files = {"duties.yaml": DUTIES, "assignments.yaml": ASSIGNMENTS}
    matrix = grid(check_files, files, domains=("it",))
    assert [row.id for row in matrix.rows] == ["it.asset-inventory", "it.patching"]
    assert [column.id for column in matrix.columns] == ["cio", "ciso", "it-ops"]  # ceo holds nothing there
    assert matrix.domains == ("it",)
    both = grid(check_files, files, domains=("security", "it"))
    assert [row.id for row in both.rows] == ["sec.incident-response", "it.asset-inventory", "it.patching"]


def test_party_filter_keeps_its_columns_and_the_duties_it_holds(check_files: CheckFiles) -> None:
    files = {"duties.yaml": DUTIES, "assignments.yaml": ASSIGNMENTS}
    matrix = grid(check_files, files, parties=("ciso",))
    assert [column.id for column in matrix.columns] == ["ciso"]
    assert cells(matrix) == {"sec.incident-response": {"ciso": "A"}, "it.asset-inventory": {"ciso": "C"}}
    assert matrix.rows[1].responsible == ()  # letters outside the shown columns are left out
    two = grid(check_files, files, parties=("it-ops", "ceo"))
    assert [column.id for column in two.columns] == ["ceo", "it-ops"]  # definition order
    assert [row.id for row in two.rows] == ["sec.incident-response", "it.asset-inventory", "it.patching"]


def test_party_and_domain_filters_combine(check_files: CheckFiles) -> None:
    files = {"duties.yaml": DUTIES, "assignments.yaml": ASSIGNMENTS}
    matrix = grid(check_files, files, domains=("security",), parties=("ciso", "it-ops"))
    # it-ops holds nothing on security duties, but was asked for: its column stays, empty.
    assert [column.id for column in matrix.columns] == ["ciso", "it-ops"]
    assert cells(matrix) == {"sec.incident-response": {"ciso": "A"}}


def test_a_party_holding_nothing_gives_an_empty_grid(project: Path) -> None:
    policies(
        project, auditors="apiVersion: raci/v1\nkind: Parties\nparties:\n  - {id: auditor, name: Audit, type: team}\n"
    )
    # `auditor` is defined but holds no letter: no row, its column only.
    result = invoke("--party", "auditor", "--format", "json")
    no_traceback(result)
    assert json.loads(result.stdout)["duties"] == []
    assert [p["id"] for p in json.loads(result.stdout)["parties"]] == ["auditor"]
    assert ok(invoke("--party", "auditor", "--domain", "security")).startswith("(no duties to show)\n")


def test_an_unknown_party_named_in_claims_can_be_filtered_on(check_files: CheckFiles) -> None:
    duties = DUTIES.replace("informed: [ceo]", "informed: [auditors]")
    matrix = grid(check_files, {"duties.yaml": duties}, parties=("auditors",))
    assert matrix.columns == (Column("auditors", None, None, False),)
    assert cells(matrix) == {"sec.incident-response": {"auditors": "I"}}


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--domain", "secuirty", "raci: error: no duty has domain 'secuirty' (did you mean 'security'?)"),
        ("--domain", "finance", "raci: error: no duty has domain 'finance'"),
        ("--party", "cisco", "raci: error: no party 'cisco' in the policy set (did you mean 'ciso'?)"),
        ("--party", "x\ny", "raci: error: no party 'x\\ny' in the policy set"),
    ],
)
def test_an_unknown_filter_value_exits_2_with_a_hint(project: Path, option: str, value: str, message: str) -> None:
    policies(project)
    assert usage_error(invoke(option, value)) == message
    # One bad value among good ones is still refused.
    assert usage_error(invoke(option, "it" if option == "--domain" else "cio", option, value)) == message


def test_unknown_filter_from_the_library(check_files: CheckFiles) -> None:
    report = check_files({"duties.yaml": DUTIES})
    with pytest.raises(UnknownFilter, match=r"^no party 'legal' in the policy set$"):
        build_matrix(report, parties=("legal",))


# --- formats, exactly ----------------------------------------------------------------------------


def test_table_exactly(project: Path) -> None:
    policies(project, PROBLEM_DUTIES, PROBLEM_ASSIGNMENTS)
    assert failed(invoke()) == (
        "duty                   ceo    cio    ciso    it-ops    security-ops    problems\n"
        "---------------------  -----  -----  ------  --------  --------------  ------------------\n"
        "sec.incident-response  I      A      A                 R               ! double-ownership\n"
        "it.asset-inventory            A/R    C       R\n"
        "it.backup                                    R                         ! orphaned-duty\n"
        "\n"
        f"{LEGEND}\n"
        f"{SUMMARY}\n"
    )
    assert invoke("--format", "table").stdout == invoke().stdout


def test_table_is_laid_out_as_tabulate_simple(project: Path) -> None:
    policies(project, PROBLEM_DUTIES, PROBLEM_ASSIGNMENTS)
    grid_lines = invoke().stdout.split("\n\n")[0]
    expected = tabulate(
        [
            ["sec.incident-response", "I", "A", "A", "", "R", "! double-ownership"],
            ["it.asset-inventory", "", "A/R", "C", "R", "", ""],
            ["it.backup", "", "", "", "R", "", "! orphaned-duty"],
        ],
        headers=["duty", "ceo", "cio", "ciso", "it-ops", "security-ops", "problems"],
        tablefmt="simple",
        disable_numparse=True,
    )
    assert grid_lines == expected


def test_markdown_exactly(project: Path) -> None:
    policies(project, PROBLEM_DUTIES, PROBLEM_ASSIGNMENTS)
    assert failed(invoke("--format", "markdown")) == (
        "| duty | title | domain | ceo | cio | ciso | it-ops | security-ops | problems |\n"
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n"
        "| sec.incident-response | Lead the response to security incidents | security | I | A | A |  | R "
        "| double-ownership |\n"
        "| it.asset-inventory | Keep the asset inventory | it |  | A/R | C | R |  |  |\n"
        "| it.backup | Back up data | it |  |  |  | R |  | orphaned-duty |\n"
        "\n"
        "A accountable, R responsible, C consulted, I informed; problems: the rules that fire on the duty\n"
        "\n"
        f"{SUMMARY}\n"
    )


def test_csv_exactly(project: Path) -> None:
    policies(project, PROBLEM_DUTIES, PROBLEM_ASSIGNMENTS)
    assert failed(invoke("--format", "csv")) == (
        "duty,title,domain,ceo,cio,ciso,it-ops,security-ops,problems\n"
        "sec.incident-response,Lead the response to security incidents,security,I,A,A,,R,double-ownership\n"
        "it.asset-inventory,Keep the asset inventory,it,,A/R,C,R,,\n"
        "it.backup,Back up data,it,,,,R,,orphaned-duty\n"
    )


def test_json_exactly(project: Path) -> None:
    policies(project, PROBLEM_DUTIES, PROBLEM_ASSIGNMENTS)
    document = json.loads(failed(invoke("--format", "json")))
    party = {"active": True, "known": True}
    assert document == {
        "version": 1,
        "parties": [
            {"id": "ceo", "name": "Chief Executive Officer", **party},
            {"id": "cio", "name": "Chief Information Officer", **party},
            {"id": "ciso", "name": "Chief Information Security Officer", **party},
            {"id": "it-ops", "name": "IT Operations", **party},
            {"id": "security-ops", "name": "Security Operations", **party},
        ],
        "duties": [
            {
                "id": "sec.incident-response",
                "title": "Lead the response to security incidents",
                "domain": "security",
                "accountable": ["cio", "ciso"],
                "responsible": ["security-ops"],
                "consulted": [],
                "informed": ["ceo"],
                "problems": ["double-ownership"],
            },
            {
                "id": "it.asset-inventory",
                "title": "Keep the asset inventory",
                "domain": "it",
                "accountable": ["cio"],
                "responsible": ["cio", "it-ops"],
                "consulted": ["ciso"],
                "informed": [],
                "problems": [],
            },
            {
                "id": "it.backup",
                "title": "Back up data",
                "domain": "it",
                "accountable": [],
                "responsible": ["it-ops"],
                "consulted": [],
                "informed": [],
                "problems": ["orphaned-duty"],
            },
        ],
    }


def test_json_of_unknown_and_inactive_parties_and_no_domain(project: Path) -> None:
    parties = PARTIES + "  - {id: deputy-cio, name: Deputy CIO, type: role, active: false}\n"
    duties = "apiVersion: raci/v1\nkind: Duties\nduties:\n"
    duties += (
        "  - {id: a.one, title: One, raci: {accountable: cio, responsible: [it-ops], informed: [deputy-cio, zed]}}\n"
    )
    write_tree(project, {"policies/parties.yaml": parties, "policies/duties.yaml": duties})
    result = invoke("--format", "json")
    no_traceback(result)
    document = json.loads(result.stdout)
    assert document["parties"][-2:] == [
        {"id": "deputy-cio", "name": "Deputy CIO", "active": False, "known": True},
        {"id": "zed", "name": None, "active": None, "known": False},
    ]
    assert document["duties"][0]["domain"] is None
    assert document["duties"][0]["informed"] == ["deputy-cio", "zed"]


HTML_BODY = """\
<body>
<h1>RACI matrix</h1>
<p class="summary">checked 3 files: 5 parties, 3 duties; shown: 3 duties, 5 parties; 2 with problems</p>
<p class="legend"><b class="a">A</b> accountable · <b class="r">R</b> responsible · <b class="c">C</b> consulted · \
<b class="i">I</b> informed · <span class="rules">rule names</span> problems on the duty (errors and warnings) · \
parties struck through are inactive, in italics unknown; hover a party for its name</p>
<table class="grid">
<thead><tr><th>duty</th><th>title</th><th>domain</th>\
<th class="p" title="Chief Executive Officer"><span>ceo</span></th>\
<th class="p" title="Chief Information Officer"><span>cio</span></th>\
<th class="p" title="Chief Information Security Officer"><span>ciso</span></th>\
<th class="p" title="IT Operations"><span>it-ops</span></th>\
<th class="p" title="Security Operations"><span>security-ops</span></th></tr></thead>
<tbody>
<tr class="error"><th scope="row">sec.incident-response<span class="rules">double-ownership</span></th>\
<td class="t">Lead the response to security incidents<td class="d">security\
<td class="i">I<td class="a">A<td class="a">A<td><td class="r">R</tr>
<tr><th scope="row">it.asset-inventory</th><td class="t">Keep the asset inventory<td class="d">it\
<td><td class="a">A/R<td class="c">C<td class="r">R<td></tr>
<tr class="error"><th scope="row">it.backup<span class="rules">orphaned-duty</span></th>\
<td class="t">Back up data<td class="d">it<td><td><td><td class="r">R<td></tr>
</tbody>
</table>
<details>
<summary>Parties (5)</summary>
<table class="parties">
<tr><th>id</th><th>name</th><th>status</th></tr>
<tr><td>ceo</td><td>Chief Executive Officer</td><td>active</td></tr>
<tr><td>cio</td><td>Chief Information Officer</td><td>active</td></tr>
<tr><td>ciso</td><td>Chief Information Security Officer</td><td>active</td></tr>
<tr><td>it-ops</td><td>IT Operations</td><td>active</td></tr>
<tr><td>security-ops</td><td>Security Operations</td><td>active</td></tr>
</table>
</details>
</body>
</html>
"""


def test_html_exactly(project: Path) -> None:
    policies(project, PROBLEM_DUTIES, PROBLEM_ASSIGNMENTS)
    page = failed(invoke("--format", "html"))
    head, body = page.split("<body>\n")
    assert "<body>\n" + body == HTML_BODY
    assert head.startswith('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n')
    assert "<title>RACI matrix</title>" in head
    assert head.count("<style>") == 1
    assert head.endswith("</style>\n</head>\n")


def test_html_is_self_contained_and_styles_by_class(project: Path) -> None:
    policies(project, PROBLEM_DUTIES, PROBLEM_ASSIGNMENTS)
    page = invoke("--format", "html").stdout
    assert "http" not in page
    assert "//" not in page  # no protocol-relative URL either
    for external in ("<script", "<link", "<img", "<iframe", "src=", "href=", "url(", "@import"):
        assert external not in page
    assert " style=" not in page  # colours come from classes, never per cell
    assert "position:sticky;top:0" in page  # the header row stays in view


def test_html_escapes_hostile_titles_and_names(project: Path) -> None:
    parties = PARTIES.replace("name: Chief Information Officer", """name: '<img src=x onerror=alert(1)> & "CIO"'""")
    duties = DUTIES.replace("title: Patch servers", "title: '<script>alert(\"x\")</script> & <b>bold</b>'")
    write_tree(
        project,
        {"policies/parties.yaml": parties, "policies/duties.yaml": duties, "policies/assignments.yaml": ASSIGNMENTS},
    )
    page = ok(invoke("--format", "html"))
    assert "<script" not in page
    assert "<img" not in page
    assert "<b>bold" not in page
    assert "http" not in page
    assert '<td class="t">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;<td' in page
    assert 'title="&lt;img src=x onerror=alert(1)&gt; &amp; &quot;CIO&quot;"' in page
    assert "<td>&lt;img src=x onerror=alert(1)&gt; &amp; &quot;CIO&quot;</td>" in page


def test_html_marks_inactive_and_unknown_columns_and_warning_rows(project: Path) -> None:
    parties = PARTIES + "  - {id: deputy-cio, name: Deputy CIO, type: role, active: false}\n"
    duties = DUTIES.replace("informed: [ceo]", "informed: [ceo, deputy-cio]").replace(
        "raci: {accountable: cio, responsible: [it-ops]}",
        "raci: {accountable: cio, responsible: [it-ops], informed: [zed]}",
    )
    write_tree(
        project,
        {"policies/parties.yaml": parties, "policies/duties.yaml": duties, "policies/assignments.yaml": ASSIGNMENTS},
    )
    page = invoke("--format", "html").stdout
    assert '<th class="p inactive" title="Deputy CIO (inactive)"><span>deputy-cio</span></th>' in page
    assert '<th class="p unknown" title="not defined (unknown)"><span>zed</span></th>' in page
    assert '<tr class="warning"><th scope="row">sec.incident-response<span class="rules">inactive-party</span>' in page
    assert '<tr class="error"><th scope="row">it.patching<span class="rules">unknown-party</span>' in page
    assert "<tr><td>zed</td><td></td><td>unknown: named in a claim, never defined</td></tr>" in page


def test_html_of_an_empty_grid(project: Path) -> None:
    policies(project)
    page = ok(invoke("--format", "html", "--party", "ceo", "--domain", "it"))
    assert '<p class="empty">No duty to show.</p>' in page
    assert '<table class="grid">' not in page
    assert "<tr><td>ceo</td><td>Chief Executive Officer</td><td>active</td></tr>" in page


def test_html_rows_have_one_cell_per_column() -> None:
    # A wide sparse grid: every row still has title, domain and one cell per party.
    columns = tuple(Column(f"p{i:03}", f"Party {i}", True, True) for i in range(300))
    rows = tuple(
        Row(f"d{n}", "T", None, (f"p{n % 300:03}",), (), (), (), {f"p{n % 300:03}": "A", "p299": "I"})
        for n in range(200)
    )
    page = render(Matrix(columns, rows, 1, 200, 300), "html")
    body = [line for line in page.splitlines() if line.startswith(("<tr><th scope", "<tr class"))]
    assert len(body) == 200
    assert {line.count("<td") for line in body} == {302}
    assert all(line.count('<td class="a">A') == 1 for line in body)
    assert all(line.endswith('<td class="i">I</tr>') for line in body)  # p299, the last column


# --- escaping in the other formats ---------------------------------------------------------------


def test_markdown_escapes_pipes_markup_and_line_breaks(project: Path) -> None:
    duties = DUTIES.replace(
        "title: Patch servers", 'title: "Patch | reboot\\\\now *all* `hosts` <b>&</b> [x](y)\\nthen report"'
    )
    policies(project, duties)
    text = ok(invoke("--format", "markdown"))
    line = next(line for line in text.splitlines() if line.startswith("| it.patching |"))
    assert line == (
        r"| it.patching | Patch \| reboot\\now \*all\* \`hosts\` &lt;b&gt;&amp;&lt;/b&gt; \[x\](y)<br>then report "
        "| it |  | A |  | R |  |  |"
    )
    assert line.count(" | ") == 8  # nine cells: the title's pipe did not add a column


def test_markdown_cell_neutralises_control_characters_and_carriage_returns() -> None:
    assert markdown_cell("a\r\nb\rc") == "a<br>b<br>c"
    assert markdown_cell("bell\x07 esc\x1b[31m") == r"bell\\x07 esc\\x1b\[31m"
    assert markdown_cell("it_ops") == r"it\_ops"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t"])
def test_csv_guards_against_formula_injection(project: Path, start: str) -> None:
    title = f"{start}HYPERLINK(x)"
    duties = DUTIES.replace("title: Patch servers", f"title: {json.dumps(title)}")
    policies(project, duties)
    rows = list(csv.reader(io.StringIO(ok(invoke("--format", "csv")))))
    titles = {row[0]: row[1] for row in rows[1:]}
    assert titles["it.patching"] == "'" + title
    assert titles["it.asset-inventory"] == "Keep the asset inventory"  # the neighbour is left alone


def test_csv_cell_leaves_safe_text_alone() -> None:
    assert csv_cell("a=b") == "a=b"
    assert csv_cell("") == ""
    assert csv_cell("-1") == "'-1"


def test_csv_quotes_commas_quotes_and_newlines(project: Path) -> None:
    duties = DUTIES.replace("title: Patch servers", 'title: "Patch, \\"now\\"\\nplease"')
    policies(project, duties)
    rows = list(csv.reader(io.StringIO(ok(invoke("--format", "csv")))))
    assert rows[3][:3] == ["it.patching", 'Patch, "now"\nplease', "it"]
    assert len(rows) == 4


def test_table_summary_names_the_filters(project: Path) -> None:
    policies(project)
    text = ok(invoke("--domain", "it"))
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", text)
    assert (
        text.splitlines()[-1]
        == "checked 3 files: 5 parties, 3 duties; shown: 2 duties, 3 parties; 0 with problems; --domain it"
    )


# --- exit status and the CLI ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_clean_set_exits_0(project: Path, fmt: str) -> None:
    policies(project)
    assert ok(invoke("--format", fmt))


@pytest.mark.parametrize("fmt", FORMATS)
def test_errors_exit_1_after_printing(project: Path, fmt: str) -> None:
    policies(project, PROBLEM_DUTIES, PROBLEM_ASSIGNMENTS)
    assert "double-ownership" in failed(invoke("--format", fmt))


def test_warnings_alone_exit_0(project: Path) -> None:
    duties = DUTIES.replace("informed: [ceo]", "informed: [ceo, security-ops]")  # redundant-role: R and I
    policies(project, duties)
    assert "! redundant-role" in ok(invoke())


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_is_deterministic(project: Path, fmt: str) -> None:
    policies(project, PROBLEM_DUTIES, PROBLEM_ASSIGNMENTS)
    assert invoke("--format", fmt).stdout == invoke("--format", fmt).stdout


def test_moving_a_claim_between_files_changes_nothing(project: Path) -> None:
    policies(project)
    before = {fmt: invoke("--format", fmt).stdout for fmt in FORMATS}
    inline = DUTIES.replace("raci: {accountable: cio}", "raci: {accountable: cio, responsible: [it-ops, cio]}")
    write_tree(
        project,
        {
            "policies/duties.yaml": inline,
            "policies/assignments.yaml": ASSIGNMENTS.replace("    responsible: [it-ops, cio]\n", ""),
        },
    )
    assert {fmt: invoke("--format", fmt).stdout for fmt in FORMATS} == before


def test_paths_argument_and_no_policy_files(project: Path) -> None:
    policies(project)
    write_tree(project, {"elsewhere/duties.yaml": DUTIES.replace("it.patching", "it.other")})
    assert usage_error(invoke("missing")).startswith("raci: error: ")
    result = invoke("policies/parties.yaml", "elsewhere", "--format", "csv")
    no_traceback(result)
    assert [row[0] for row in csv.reader(io.StringIO(result.stdout))][1:] == [
        "sec.incident-response",
        "it.asset-inventory",
        "it.other",
    ]


def test_unknown_format_exits_2(project: Path) -> None:
    policies(project)
    result = invoke("--format", "pdf")
    assert result.exit_code == 2
    assert "Traceback" not in result.output

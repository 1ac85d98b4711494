"""`raci history`: the audit trail, commit by commit, and `--check-approvals`.

Every test runs in a real repository (tests/gitrepo.py) with fixed authors and
dates, so commit ids, dates and trailers are asserted exactly. What an auditor
relies on: one entry per commit that changed meaning (never one for a comment,
a reorder, a rename or a move between files); the author, author date and
trailers as git has them; merges and shallow clones told truthfully; a broken
file never turned into "everything removed"; and an accountability or funding
change without every affected party's approval fails the check.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from checker import __version__
from checker.cli import main
from checker.config import load_config
from checker.history import history
from tests.gitrepo import EPOCH, Repo, git, git_env

PARTIES = """\
apiVersion: raci/v1
kind: Parties
parties:
  - {id: ceo, name: Chief Executive Officer, type: role}
  - id: cio
    name: Chief Information Officer
    type: role
    reports_to: ceo
    github: "@northwind/cio-office"
    emails: [cio@northwind.example]
  - id: ciso
    name: Chief Information Security Officer
    type: role
    reports_to: ceo
    github: "@carol"
    emails: [carol@northwind.example]
  - {id: it-ops, name: IT Operations, type: team, reports_to: cio}
  - {id: security-ops, name: Security Operations, type: team, reports_to: ciso}
"""
DUTIES = """\
apiVersion: raci/v1
kind: Duties
duties:
  - id: sec.incident-response
    title: Lead the response to security incidents
    raci: {accountable: ciso, responsible: [security-ops], consulted: [it-ops], informed: [ceo]}
  - id: it.asset-inventory
    title: Keep the asset inventory
    raci: {accountable: cio, responsible: [it-ops], consulted: [ciso]}
"""
BUDGETS = """\
apiVersion: raci/v1
kind: Budgets
budgets:
  - id: fy27-security-tooling
    amount: 1200000
    currency: USD
    period: FY2027
    funds: [sec.incident-response, it.asset-inventory]
    splits:
      - {party: ciso, percent: 50}
      - {party: cio, amount: 600000}
"""
START = {"policies/parties.yaml": PARTIES, "policies/duties.yaml": DUTIES, "policies/budgets.yaml": BUDGETS}
CIO_TAKES_IR = DUTIES.replace("accountable: ciso", "accountable: cio")
REBALANCED = BUDGETS.replace("percent: 50", "percent: 60").replace("amount: 600000", "amount: 480000")
_head, _incident, _inventory = CIO_TAKES_IR.split("  - id: ")
SORTED = f"{_head}  - id: {_inventory}  - id: {_incident}"
DAY = 86_400
CAROL = ("Carol Chen", "carol@northwind.example")  # the CISO, by the party's email


def raci(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    # Whatever happens, never a Python traceback.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


def trail_json(*args: str) -> dict[str, Any]:
    result = raci("history", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def subjects(data: dict[str, Any]) -> list[str]:
    return [c["subject"] for c in data["commits"]]


def kinds(changes: list[dict[str, Any]]) -> list[tuple[str, str, str, str | None]]:
    return [(c["change"], c["entity"], c["id"], c["field"]) for c in changes]


def start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str = "governance") -> Repo:
    repository = Repo(tmp_path / name)
    repository.commit("Start the policy set", START)
    monkeypatch.chdir(repository.root)
    return repository


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    return start(tmp_path, monkeypatch)


# A trail of nine commits over five days; four of them change only text.
TRAIL = [
    # (day, subject, files written, files removed)
    (0, "Start the policy set", START, ()),
    (1, "Give incident response to the CIO", {"policies/duties.yaml": CIO_TAKES_IR}, ()),
    (1, "Explain the inventory duty", {"policies/duties.yaml": "# Who owns what.\n" + CIO_TAKES_IR}, ()),
    (1, "Sort the duties", {"policies/duties.yaml": SORTED}, ()),
    (1, "Rename the duties file", {"policies/all-duties.yml": CIO_TAKES_IR}, ("policies/duties.yaml",)),
    (
        1,
        "Move the inventory claims to the CIO office",
        {
            "policies/all-duties.yml": CIO_TAKES_IR.replace(
                "    raci: {accountable: cio, responsible: [it-ops], consulted: [ciso]}\n", ""
            ),
            "policies/cio-office.yaml": "apiVersion: raci/v1\nkind: Assignments\nassignments:\n"
            "  - {duty: it.asset-inventory, accountable: cio, responsible: [it-ops], consulted: [ciso]}\n",
        },
        (),
    ),
    (2, "Rebalance security tooling", {"policies/budgets.yaml": REBALANCED}, ()),
    (3, "Rename the CEO role", {"policies/parties.yaml": PARTIES.replace("Chief Executive Officer", "President")}, ()),
    (
        4,
        "Consult security ops on the inventory",
        {
            "policies/cio-office.yaml": "apiVersion: raci/v1\nkind: Assignments\nassignments:\n"
            "  - {duty: it.asset-inventory, accountable: cio, responsible: [it-ops], consulted: [ciso, security-ops]}\n"
        },
        (),
    ),
]


@pytest.fixture
def trail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The TRAIL committed; subject -> commit id."""
    repository = Repo(tmp_path / "governance")
    ids = {}
    for index, (day, subject, files, removed) in enumerate(TRAIL):
        if removed:
            repository.remove(*removed)
        ids[subject] = repository.commit(subject, dict(files), when=EPOCH + day * DAY + 60 * index)
    monkeypatch.chdir(repository.root)
    return ids


MEANINGFUL = [
    "Consult security ops on the inventory",
    "Rename the CEO role",
    "Rebalance security tooling",
    "Give incident response to the CIO",
    "Start the policy set",
]


def test_the_sort_commit_really_reorders() -> None:
    # Guard the fixture: "Sort the duties" must be a real reorder of the same two duties.
    assert SORTED.index("it.asset-inventory") < SORTED.index("sec.incident-response")
    assert sorted(SORTED.splitlines()) == sorted(CIO_TAKES_IR.splitlines())


def test_one_entry_per_commit_that_changed_meaning_newest_first(trail: dict[str, str]) -> None:
    data = trail_json()
    assert subjects(data) == MEANINGFUL
    assert [c["commit"] for c in data["commits"]] == [trail[s] for s in MEANINGFUL]
    changes = {c["subject"]: c["changes"] for c in data["commits"]}
    assert changes["Give incident response to the CIO"] == [
        {
            "change": "changed",
            "entity": "duty",
            "id": "sec.incident-response",
            "field": "accountable",
            "before": ["ciso"],
            "after": ["cio"],
        }
    ]
    assert changes["Rebalance security tooling"] == [
        {
            "change": "changed",
            "entity": "budget",
            "id": "fy27-security-tooling",
            "field": "splits",
            "before": {"cio": "600000", "ciso": "600000"},
            "after": {"cio": "480000", "ciso": "720000"},
        }
    ]
    assert kinds(changes["Rename the CEO role"]) == [("changed", "party", "ceo", "name")]
    assert changes["Consult security ops on the inventory"] == [
        {
            "change": "changed",
            "entity": "duty",
            "id": "it.asset-inventory",
            "field": "consulted",
            "before": ["ciso"],
            "after": ["ciso", "security-ops"],
        }
    ]
    assert kinds(changes["Start the policy set"]) == [
        ("added", "party", party, None) for party in ("ceo", "cio", "ciso", "it-ops", "security-ops")
    ] + [
        ("added", "duty", "it.asset-inventory", None),
        ("added", "duty", "sec.incident-response", None),
        ("added", "budget", "fy27-security-tooling", None),
    ]
    assert data["version"] == 1
    assert data["range"] == "HEAD"
    assert data["head"] == trail["Consult security ops on the inventory"]
    assert data["shallow"] is None


def test_the_commit_fields_are_exact(trail: dict[str, str]) -> None:
    (entry,) = [c for c in trail_json()["commits"] if c["subject"] == "Give incident response to the CIO"]
    assert {k: v for k, v in entry.items() if k in ("commit", "author", "email", "date", "subject", "trailers")} == {
        "commit": trail["Give incident response to the CIO"],
        "author": "Ada Auditor",
        "email": "ada@example.com",
        "date": "2026-09-22T14:14:20+00:00",  # EPOCH + a day + a minute
        "subject": "Give incident response to the CIO",
        "trailers": {},
    }


# Filters.


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--duty", "sec.incident-response"], ["Give incident response to the CIO", "Start the policy set"]),
        (
            ["--duty", "sec.incident-response", "--duty", "it.asset-inventory"],
            ["Consult security ops on the inventory", "Give incident response to the CIO", "Start the policy set"],
        ),
        (["--budget", "fy27-security-tooling"], ["Rebalance security tooling", "Start the policy set"]),
        # the party itself, and any letter or split that names it, before or after
        (["--party", "ciso"], [MEANINGFUL[0], *MEANINGFUL[2:]]),  # "consulted: [ciso, security-ops]" names it
        (["--party", "ceo"], ["Rename the CEO role", "Start the policy set"]),
        (["--party", "security-ops"], ["Consult security ops on the inventory", "Start the policy set"]),
        (["--party", "nobody"], []),
        (["--since", "2026-09-23"], MEANINGFUL[:3]),
        (["--until", "2026-09-22"], MEANINGFUL[3:]),
        (["--since", "2026-09-22", "--until", "2026-09-23"], MEANINGFUL[2:4]),
        # combined with AND
        (["--party", "ciso", "--since", "2026-09-22"], [MEANINGFUL[0], *MEANINGFUL[2:4]]),
        (["--party", "ciso", "--since", "2026-09-22", "--until", "2026-09-23"], MEANINGFUL[2:4]),
        (["--party", "ceo", "--until", "2026-09-22"], ["Start the policy set"]),
        (["--duty", "sec.incident-response", "--party", "cio"], ["Give incident response to the CIO"]),
        (["--duty", "sec.incident-response", "--budget", "fy27-security-tooling"], []),
    ],
)
def test_filters(trail: dict[str, str], args: list[str], expected: list[str]) -> None:
    assert subjects(trail_json(*args)) == expected


def test_a_filter_keeps_only_the_matching_changes_of_a_commit(trail: dict[str, str]) -> None:
    (first,) = [c for c in trail_json("--party", "ciso")["commits"] if c["subject"] == "Start the policy set"]
    assert kinds(first["changes"]) == [
        ("added", "party", "ciso", None),
        ("added", "duty", "it.asset-inventory", None),  # consulted
        ("added", "duty", "sec.incident-response", None),  # accountable
        ("added", "budget", "fy27-security-tooling", None),  # a split
    ]
    (only,) = trail_json("--duty", "sec.incident-response", "--party", "cio")["commits"]
    assert kinds(only["changes"]) == [("changed", "duty", "sec.incident-response", "accountable")]


def test_an_empty_trail_says_so(trail: dict[str, str]) -> None:
    result = raci("history", "--party", "nobody")
    assert result.exit_code == 0
    assert result.output.startswith("0 commit(s) changed the policy set (raci-checker ")
    assert "No commit changed the policy set." in raci("history", "--party", "nobody", "--format", "markdown").output


# Authors, dates and trailers as git has them.


def test_author_email_and_date_with_its_offset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repository = start(tmp_path, monkeypatch)
    repository.commit(
        "The CIO takes incident response",
        {"policies/duties.yaml": CIO_TAKES_IR},
        author=("Zoë Ødegaard", "zoe@northwind.example"),
        when=EPOCH,
        offset="+0200",
    )
    repository.commit("Rebalance", {"policies/budgets.yaml": REBALANCED}, author=CAROL, when=EPOCH + 90, offset="-0530")
    commits = trail_json()["commits"]
    assert [(c["author"], c["email"], c["date"]) for c in commits[:2]] == [
        ("Carol Chen", "carol@northwind.example", "2026-09-21T08:44:50-05:30"),
        ("Zoë Ødegaard", "zoe@northwind.example", "2026-09-21T16:13:20+02:00"),
    ]
    text = raci("history").output
    assert "Author: Zoë Ødegaard <zoe@northwind.example>\nDate:   2026-09-21T16:13:20+02:00\n" in text


MESSAGE = """\
Give incident response to the CIO

The SOC moves under the CIO office in the 2027 reorganisation.
Approved-by: this line is in the body, not a trailer

Approved-by: cio
Approved-by: ciso
Ticket: GOV-12
Reviewed-by: Dan Reviewer <dan@northwind.example>
"""


def test_trailers(repo: Repo) -> None:
    repo.commit(MESSAGE, {"policies/duties.yaml": CIO_TAKES_IR})
    repo.commit("Rebalance\n\nApproved-by: cio, ciso\napproved-by: @carol\n", {"policies/budgets.yaml": REBALANCED})
    repo.commit(
        "Rename\n\nApproved-by: cio\nnot a trailer line\n",
        {"policies/parties.yaml": PARTIES.replace("Chief Executive Officer", "President")},
    )
    repo.commit("Approved-by: cio", {"policies/duties.yaml": DUTIES})  # a subject alone is never a trailer
    commits = trail_json()["commits"]
    assert [c["trailers"] for c in commits] == [
        {},
        {},
        # A comma-separated list is one value, as written; the key's case is the first one met.
        {"Approved-by": ["cio, ciso", "@carol"]},
        {
            "Approved-by": ["cio", "ciso"],
            "Ticket": ["GOV-12"],
            "Reviewed-by": ["Dan Reviewer <dan@northwind.example>"],
        },
        {},
    ]
    assert commits[3]["subject"] == "Give incident response to the CIO"
    # The comma-separated list still counts as two approvals.
    assert commits[2]["approval"] == {
        "required": ["cio", "ciso"],
        "approved": ["cio", "ciso"],
        "missing": [],
        "self_approved": [],
    }


# Merges: first parent only.


def test_a_merged_change_appears_once_at_the_merge_commit(repo: Repo) -> None:
    repo.git("checkout", "-q", "-b", "cio-takes-ir")
    branch_commit = repo.commit("Give incident response to the CIO", {"policies/duties.yaml": CIO_TAKES_IR})
    repo.git("checkout", "-q", "main")
    repo.commit("Rebalance security tooling", {"policies/budgets.yaml": REBALANCED})
    merge = repo.merge("cio-takes-ir", "Merge branch 'cio-takes-ir'\n\nApproved-by: cio\nApproved-by: ciso")
    assert repo.git("rev-list", "--parents", "-n", "1", "HEAD").split()[2] == branch_commit
    commits = trail_json()["commits"]
    assert subjects({"commits": commits}) == [
        "Merge branch 'cio-takes-ir'",
        "Rebalance security tooling",
        "Start the policy set",
    ]
    assert commits[0]["commit"] == merge
    assert branch_commit not in {c["commit"] for c in commits}
    assert kinds(commits[0]["changes"]) == [("changed", "duty", "sec.incident-response", "accountable")]
    assert commits[0]["trailers"] == {"Approved-by": ["cio", "ciso"]}
    # The merge's approval covers the change it brought.
    assert raci("history", "--check-approvals", "HEAD~1..HEAD").exit_code == 0


# A shallow clone says so.


def test_a_shallow_clone_says_where_the_trail_starts(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    boundary = repo.commit("Give incident response to the CIO", {"policies/duties.yaml": CIO_TAKES_IR})
    last = repo.commit("Rebalance security tooling", {"policies/budgets.yaml": REBALANCED})
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "2", f"file://{repo.root}", str(clone))
    monkeypatch.chdir(clone)
    note = (
        f"this clone is shallow: the trail starts at {boundary[:12]} (2026-09-21), and what changed in that "
        "commit and before it is not shown; `git fetch --unshallow` fetches the whole history"
    )

    result = raci("history", "--format", "json")
    assert result.exit_code == 0
    assert result.stderr == f"raci: note: {note}\n"
    data = json.loads(result.stdout)
    assert data["shallow"] == note
    # Only the last commit: the boundary's content is known, what it changed is not.
    assert [c["commit"] for c in data["commits"]] == [last]
    assert kinds(data["commits"][0]["changes"]) == [("changed", "budget", "fy27-security-tooling", "splits")]
    assert "added" not in result.stdout

    text = raci("history")
    assert text.stdout.startswith(f"note: {note}\n\ncommit {last}\n")
    header, first, *_ = _csv_rows(raci("history", "--format", "csv").stdout)
    assert dict(zip(header, first, strict=True))["change"] == "note"
    assert dict(zip(header, first, strict=True))["after"] == note
    assert f"> **Note:** this clone is shallow: the trail starts at {boundary[:12]}" in (
        raci("history", "--format", "markdown").stdout
    )


def test_a_full_clone_has_no_note(repo: Repo) -> None:
    repo.commit("Give incident response to the CIO", {"policies/duties.yaml": CIO_TAKES_IR})
    result = raci("history")
    assert result.stderr == ""
    assert not result.stdout.startswith("note:")


# A file that fails to parse keeps its last good content.

BROKEN = DUTIES + "  - {id: half-written\n"
BROKEN_WARNING = (
    "policies/duties.yaml:11:1: did not find expected ',' or '}' (while parsing a flow mapping at line 10, "
    "column 5); its last good content is kept"
)


def test_a_broken_file_keeps_its_last_good_entities(repo: Repo) -> None:
    broken = repo.commit("Half an edit", {"policies/duties.yaml": BROKEN})
    fixed = repo.commit("Give incident response to the CIO", {"policies/duties.yaml": CIO_TAKES_IR})
    trail = history(config=load_config())
    assert [e.commit.id for e in trail.entries[:2]] == [fixed, broken]
    newest, marked = trail.entries[:2]
    # The broken commit: marked, and no spurious removal of what the file defined.
    assert marked.changes == []
    assert marked.warnings == [BROKEN_WARNING]
    # The next good commit is compared with the last good state, not with nothing.
    assert [c.to_json() for c in newest.changes] == [
        {
            "change": "changed",
            "entity": "duty",
            "id": "sec.incident-response",
            "field": "accountable",
            "before": ["ciso"],
            "after": ["cio"],
        }
    ]
    assert newest.warnings == []


def test_a_broken_file_beside_a_real_change(repo: Repo) -> None:
    repo.commit(
        "Half an edit, and a new name",
        {
            "policies/duties.yaml": BROKEN,
            "policies/parties.yaml": PARTIES.replace("Chief Executive Officer", "President"),
        },
    )
    (entry,) = trail_json()["commits"][:1]
    assert kinds(entry["changes"]) == [("changed", "party", "ceo", "name")]
    assert entry["warnings"] == [BROKEN_WARNING]
    text = raci("history").stdout
    assert (
        "  party ceo: name Chief Executive Officer -> President\n"
        "  warning: policies/duties.yaml:11:1: did not find expected ',' or '}' (while parsing a flow mapping at "
        "line 10, column 5); its last good content is kept\n"
    ) in text


def test_the_cli_shows_a_commit_that_only_broke_a_file(repo: Repo) -> None:
    broken = repo.commit("Half an edit", {"policies/duties.yaml": BROKEN})
    repo.commit("Give incident response to the CIO", {"policies/duties.yaml": CIO_TAKES_IR})
    commits = trail_json()["commits"]
    assert [c["subject"] for c in commits] == [
        "Give incident response to the CIO",
        "Half an edit",
        "Start the policy set",
    ]
    assert commits[1]["commit"] == broken
    assert commits[1]["changes"] == []
    assert commits[1]["warnings"] == [BROKEN_WARNING]


def test_a_broken_configuration_keeps_its_last_good_settings(repo: Repo) -> None:
    repo.commit("Configure", {".raci.yaml": "rules: {idle-party: off}\n"})
    repo.commit("Break the configuration", {".raci.yaml": "rules: {idle-party: off\n"})
    repo.commit("Fix it", {".raci.yaml": "rules: {idle-party: info}\n"})
    trail = history(config=load_config())
    newest, marked = trail.entries[:2]
    assert marked.commit.subject == "Break the configuration"
    assert marked.changes == []
    assert len(marked.warnings) == 1
    assert marked.warnings[0].endswith("; its last good settings are kept")
    assert [c.to_json() for c in newest.changes] == [
        {
            "change": "changed",
            "entity": "config",
            "id": ".raci.yaml",
            "field": "rules.idle-party",
            "before": "off",
            "after": "info",
        }
    ]


def test_a_deleted_file_removes_its_entities(repo: Repo) -> None:
    repo.remove("policies/budgets.yaml")
    repo.commit("No budgets this year")
    (entry,) = trail_json()["commits"][:1]
    assert kinds(entry["changes"]) == [("removed", "budget", "fy27-security-tooling", None)]
    assert entry["changes"][0]["before"]["splits"] == {"cio": "600000", "ciso": "600000"}


# Waivers, rules and the configuration are part of the history.

WAIVERS = """\
apiVersion: raci/v1
kind: Waivers
waivers:
  - rule: double-ownership
    subject: sec.incident-response
    reason: Joint accountability during the 2027 SOC transition
    approved_by: [cio, ciso]
    expires: 2027-03-31
"""
RULES = """\
apiVersion: raci/v1
kind: Rules
rules:
  - id: security-embedded
    type: require
    description: Security is heard on every IT duty
    select: {ids: ["it.*"]}
    require: {party: ciso, as: [consulted]}
    severity: error
"""


def test_waivers_rules_and_the_configuration(repo: Repo) -> None:
    repo.commit("Waive the joint ownership", {"policies/waivers.yaml": WAIVERS})
    repo.commit("Security is heard on IT duties", {"policies/rules.yaml": RULES})
    repo.commit("Idle parties are fine", {".raci.yaml": "rules: {idle-party: off}\n"})
    repo.commit("Turn the rule down", {"policies/rules.yaml": RULES.replace("severity: error", "severity: warning")})
    repo.commit("Idle parties are worth knowing", {".raci.yaml": "rules:\n  idle-party: info  # again\n"})
    repo.commit("Extend the waiver", {"policies/waivers.yaml": WAIVERS.replace("2027-03-31", "2027-06-30")})
    commits = trail_json()["commits"]
    assert [(c["subject"], c["changes"]) for c in commits[:6]] == [
        (
            "Extend the waiver",
            [
                {
                    "change": "changed",
                    "entity": "waiver",
                    "id": "double-ownership:sec.incident-response",
                    "field": "expires",
                    "before": "2027-03-31",
                    "after": "2027-06-30",
                }
            ],
        ),
        (
            "Idle parties are worth knowing",
            [
                {
                    "change": "changed",
                    "entity": "config",
                    "id": ".raci.yaml",
                    "field": "rules.idle-party",
                    "before": "off",
                    "after": "info",
                }
            ],
        ),
        (
            "Turn the rule down",
            [
                {
                    "change": "changed",
                    "entity": "rule",
                    "id": "security-embedded",
                    "field": "severity",
                    "before": "error",
                    "after": "warning",
                }
            ],
        ),
        (
            "Idle parties are fine",
            [
                {
                    "change": "added",
                    "entity": "config",
                    "id": ".raci.yaml",
                    "field": None,
                    "before": None,
                    "after": {"rules.idle-party": "off"},
                }
            ],
        ),
        (
            "Security is heard on IT duties",
            [
                {
                    "change": "added",
                    "entity": "rule",
                    "id": "security-embedded",
                    "field": None,
                    "before": None,
                    "after": {
                        "type": "require",
                        "description": "Security is heard on every IT duty",
                        "severity": "error",
                        "letters": ["consulted"],
                        "select": {"domain": [], "tags": [], "ids": ["it.*"]},
                        "party": "ciso",
                        "left": None,
                        "right": None,
                    },
                }
            ],
        ),
        (
            "Waive the joint ownership",
            [
                {
                    "change": "added",
                    "entity": "waiver",
                    "id": "double-ownership:sec.incident-response",
                    "field": None,
                    "before": None,
                    "after": {
                        "reason": "Joint accountability during the 2027 SOC transition",
                        "approved_by": ["cio", "ciso"],
                        "expires": "2027-03-31",
                        "ticket": None,
                    },
                }
            ],
        ),
    ]


# CSV and Markdown.


def _csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_csv_export(repo: Repo) -> None:
    repo.commit(MESSAGE, {"policies/duties.yaml": CIO_TAKES_IR})
    repo.commit("Rebalance\n\nApproved-by: cio, ciso", {"policies/budgets.yaml": REBALANCED})
    result = raci("history", "--format", "csv")
    assert result.exit_code == 0
    head = repo.git("rev-parse", "HEAD").strip()
    tree = repo.git("rev-parse", "HEAD^{tree}").strip()
    header, *rows = _csv_rows(result.stdout)
    assert header == [
        "commit",
        "date",
        "author",
        "email",
        "approved_by",
        "subject",
        "change",
        "entity",
        "id",
        "field",
        "before",
        "after",
        "approval_needed",
        "approval_missing",
        "tool",
        "range",
        "tree",
    ]
    provenance = [f"raci-checker {__version__}", "HEAD", tree]
    assert rows[:2] == [
        [
            head,
            "2026-09-21T17:13:20+00:00",
            "Ada Auditor",
            "ada@example.com",
            "cio, ciso",
            "Rebalance",
            "changed",
            "budget",
            "fy27-security-tooling",
            "splits",
            '{"cio": "600000", "ciso": "600000"}',
            '{"cio": "480000", "ciso": "720000"}',
            "cio ciso",
            "",
            *provenance,
        ],
        [
            repo.git("rev-parse", "HEAD~1").strip(),
            "2026-09-21T16:13:20+00:00",
            "Ada Auditor",
            "ada@example.com",
            "cio, ciso",
            "Give incident response to the CIO",
            "changed",
            "duty",
            "sec.incident-response",
            "accountable",
            '["ciso"]',
            '["cio"]',
            "cio ciso",
            "",
            *provenance,
        ],
    ]
    # One row per change: the first commit added 5 parties, 2 duties and a budget.
    assert len(rows) == 2 + 8


def test_csv_never_starts_a_cell_with_a_formula(repo: Repo) -> None:
    repo.commit(
        '=HYPERLINK("http://evil.example","x")',
        {"policies/duties.yaml": DUTIES.replace("Keep the asset inventory", '"=1+2"')},
        author=("@attacker", "-x@example.com"),
    )
    header, *rows = _csv_rows(raci("history", "--format", "csv").stdout)
    row = dict(zip(header, rows[0], strict=True))
    assert row["subject"] == '\'=HYPERLINK("http://evil.example","x")'
    assert row["author"] == "'@attacker"
    assert row["email"] == "'-x@example.com"
    # The title travels as a JSON string: quoted, so no spreadsheet reads it as a formula.
    assert (row["field"], row["after"]) == ("title", '"=1+2"')
    assert not [cell for row in rows for cell in row if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_markdown_has_one_row_per_change(repo: Repo) -> None:
    repo.commit("Give incident response to the CIO | <b>now</b>", {"policies/duties.yaml": CIO_TAKES_IR})
    repo.commit("Rebalance", {"policies/budgets.yaml": REBALANCED})
    result = raci("history", "--format", "markdown")
    lines = result.stdout.splitlines()
    assert lines[0] == "### raci history: HEAD"
    rows = [line for line in lines if line.startswith("| ")]
    assert len(rows) == 1 + 2 + 8  # the header, two changes, the first commit's eight
    assert all(len(re.findall(r"(?<!\\)\|", row)) == 13 for row in rows)  # twelve cells each
    assert "<b>" not in result.stdout
    assert "Give incident response to the CIO \\| &lt;b&gt;now&lt;/b&gt;" in rows[2]


# --check-approvals


def approvals(*args: str) -> Result:
    return raci("history", "--check-approvals", *args)


@pytest.mark.parametrize(
    "trailers",
    [
        "Approved-by: cio\nApproved-by: ciso",  # by id
        "Approved-by: cio, ciso",  # a list in one trailer
        "Approved-by: @northwind/cio-office\nApproved-by: @Carol",  # by github handle, in any case
        "Approved-by: cio@northwind.example\nApproved-by: CAROL@northwind.example",  # by email
        "Approved-by: Chief Info <cio@northwind.example>, Carol Chen <carol@northwind.example>",  # Name <email>
        "approved-by: cio\nAPPROVED-BY: ciso",  # the key in any case
    ],
)
def test_approved_by_every_party_that_gained_or_lost(repo: Repo, trailers: str) -> None:
    repo.commit(f"Give incident response to the CIO\n\n{trailers}", {"policies/duties.yaml": CIO_TAKES_IR})
    result = approvals("HEAD~1..HEAD")
    assert result.exit_code == 0, result.output
    assert result.stdout == ("all 1 commit(s) in HEAD~1..HEAD that changed accountability or funding are approved\n")


def test_a_missing_approval_fails(repo: Repo) -> None:
    commit = repo.commit(
        "Give incident response to the CIO\n\nApproved-by: cio\nApproved-by: ceo",
        {"policies/duties.yaml": CIO_TAKES_IR},
    )
    result = approvals("HEAD~1..HEAD")
    assert result.exit_code == 1
    assert result.stdout == (
        f"commit {commit[:12]} 2026-09-21T16:13:20+00:00 Ada Auditor <ada@example.com>\n"
        "    Give incident response to the CIO\n"
        "  duty sec.incident-response: accountable [ciso] -> [cio]\n"
        "  approval needed from: cio, ciso\n"
        "  approved by: cio\n"
        "  NOT APPROVED by: ciso\n"
        "\n"
        "1 of 1 commit(s) in HEAD~1..HEAD that changed accountability or funding lack an approval\n"
    )
    assert result.stderr == "raci: 1 commit(s) changed accountability or funding without every approval\n"
    data = json.loads(approvals("HEAD~1..HEAD", "--format", "json").stdout)
    assert [c["commit"] for c in data["commits"]] == [commit]
    assert data["commits"][0]["approval"] == {
        "required": ["cio", "ciso"],
        "approved": ["cio"],
        "missing": ["ciso"],
        "self_approved": [],
    }


def test_an_unknown_handle_or_email_does_not_approve(repo: Repo) -> None:
    repo.commit(
        "Give incident response to the CIO\n\nApproved-by: @northwind/cio-office\nApproved-by: @carl\n"
        "Approved-by: carol@elsewhere.example",
        {"policies/duties.yaml": CIO_TAKES_IR},
    )
    assert approvals("HEAD~1..HEAD").exit_code == 1


@pytest.mark.parametrize("author", [CAROL, ("Carol", "4242+carol@users.noreply.github.com")])
def test_the_author_approving_their_own_gain_does_not_count(repo: Repo, author: tuple[str, str]) -> None:
    # Carol, the CISO, takes the asset inventory and approves it herself.
    repo.commit(
        "The CISO takes the asset inventory\n\nApproved-by: cio\nApproved-by: ciso",
        {"policies/duties.yaml": DUTIES.replace("accountable: cio", "accountable: ciso")},
        author=author,
    )
    result = approvals("HEAD~1..HEAD")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[3:7] == [
        "  approval needed from: cio, ciso",
        "  approved by: cio",
        "  NOT APPROVED by: ciso",
        "  approved by the author, which does not count: ciso",
    ]
    # Someone else committing the same approvals passes.
    repo.git("reset", "-q", "--hard", "HEAD~1")
    repo.commit(
        "The CISO takes the asset inventory\n\nApproved-by: cio\nApproved-by: ciso",
        {"policies/duties.yaml": DUTIES.replace("accountable: cio", "accountable: ciso")},
    )
    assert approvals("HEAD~1..HEAD").exit_code == 0


def test_a_split_change_needs_the_split_parties(repo: Repo) -> None:
    repo.commit("Rebalance\n\nApproved-by: cio", {"policies/budgets.yaml": REBALANCED})
    result = approvals("HEAD~1..HEAD")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[2:6] == [
        "  budget fy27-security-tooling: splits {cio: 600000, ciso: 600000} -> {cio: 480000, ciso: 720000}",
        "  approval needed from: cio, ciso",
        "  approved by: cio",
        "  NOT APPROVED by: ciso",
    ]
    repo.git("commit", "-q", "--amend", "-m", "Rebalance\n\nApproved-by: cio\nApproved-by: ciso")
    assert approvals("HEAD~1..HEAD").exit_code == 0


def test_only_the_parties_whose_share_moved_must_approve(repo: Repo) -> None:
    # A bigger budget: the percent share grows, the fixed amount does not.
    repo.commit(
        "More for tooling\n\nApproved-by: ciso",
        {"policies/budgets.yaml": BUDGETS.replace("amount: 1200000", "amount: 1500000")},
    )
    assert approvals("HEAD~1..HEAD").exit_code == 0
    data = json.loads(raci("history", "HEAD~1..HEAD", "--format", "json").stdout)
    assert data["commits"][0]["approval"]["required"] == ["ciso"]


def test_changes_of_other_fields_need_no_approval(repo: Repo) -> None:
    repo.commit(
        "Consult the CEO", {"policies/duties.yaml": DUTIES.replace("informed: [ceo]", "informed: [ceo, it-ops]")}
    )
    result = approvals("HEAD~1..HEAD")
    assert result.exit_code == 0
    assert result.stdout == "all 0 commit(s) in HEAD~1..HEAD that changed accountability or funding are approved\n"


def test_without_a_range_or_an_upstream_is_exit_2(repo: Repo) -> None:
    result = approvals()
    assert result.exit_code == 2
    assert result.output == (
        "raci: error: the current branch has no upstream to compare with; give the range, "
        "e.g. `raci history --check-approvals origin/main..HEAD`\n"
    )


def test_the_default_range_is_from_the_upstream_merge_base(repo: Repo) -> None:
    # main's first commit needed the CISO's approval and lacks it; it is not this branch's business.
    assert approvals("main").exit_code == 1
    base = repo.git("rev-parse", "HEAD").strip()
    repo.git("checkout", "-q", "-b", "cio-takes-ir")
    repo.git("branch", "-q", "--set-upstream-to=main")
    repo.commit("Give incident response to the CIO\n\nApproved-by: cio, ciso", {"policies/duties.yaml": CIO_TAKES_IR})
    # main moves on after the branch point: the range still starts at the merge base.
    repo.git("checkout", "-q", "main")
    repo.commit("Rebalance", {"policies/budgets.yaml": REBALANCED})
    repo.git("checkout", "-q", "cio-takes-ir")
    result = approvals()
    assert result.exit_code == 0, result.output
    assert result.stdout == (f"all 1 commit(s) in {base}..HEAD that changed accountability or funding are approved\n")
    repo.commit("The CISO takes the inventory", {"policies/duties.yaml": DUTIES.replace("cio,", "ciso,")})
    result = approvals()
    assert result.exit_code == 1
    assert result.stdout.endswith(
        f"1 of 2 commit(s) in {base}..HEAD that changed accountability or funding lack an approval\n"
    )
    assert "    The CISO takes the inventory\n" in result.stdout
    assert "Give incident response" not in result.stdout


# Bad input: one line, exit 2, never a traceback.


def test_outside_a_repository_is_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "parties.yaml").write_text(PARTIES)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    for args in (["history"], ["history", "--check-approvals"], ["history", "--check-approvals", "a..b"]):
        result = raci(*args)
        assert result.exit_code == 2
        assert result.output == "raci: error: policies: not in a git repository; reading a revision needs one\n"


@pytest.mark.parametrize("revisions", ["no-such-branch", "no-such-branch..HEAD", "HEAD..no-such-branch"])
def test_an_unknown_revision_is_exit_2(repo: Repo, revisions: str) -> None:
    result = raci("history", revisions)
    assert result.exit_code == 2
    assert result.output == "raci: error: unknown revision 'no-such-branch' in this repository\n"


def test_a_repository_without_commits_is_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    git(tmp_path, "init", "-q")
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "parties.yaml").write_text(PARTIES)
    monkeypatch.chdir(tmp_path)
    result = raci("history")
    assert result.exit_code == 2
    assert result.output == "raci: error: unknown revision 'HEAD': the repository has no commits yet\n"


def test_a_real_process_never_prints_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "policies").mkdir()
    env = {**os.environ, "GIT_CEILING_DIRECTORIES": str(tmp_path.parent)}
    done = subprocess.run(
        [sys.executable, "-m", "checker", "history", "--format", "csv"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "raci: error: policies: not in a git repository; reading a revision needs one\n"


# One `git log` and one `git cat-file --batch`, however long the history.


def _git_processes(root: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[list[str], int]:
    """The git subcommands `raci history ARGS` starts (every process goes through Popen),
    and how many commits it lists."""
    started: list[str] = []
    real = subprocess.Popen

    class Counting(real):  # type: ignore[misc,valid-type]
        def __init__(self, command: Any, *rest: Any, **options: Any) -> None:
            words = [str(word) for word in command][1:]
            subcommand = next(word for word in words if not word.startswith("-"))
            started.append(f"{subcommand} --batch" if "--batch" in words else subcommand)
            super().__init__(command, *rest, **options)

    monkeypatch.chdir(root)
    with monkeypatch.context() as patch:
        patch.setattr(subprocess, "Popen", Counting)
        result = CliRunner().invoke(main, ["history", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return started, len(json.loads(result.stdout)["commits"])


def _long_history(root: Path, commits: int) -> Repo:
    repository = Repo(root)
    repository.commit("Start the policy set", START)
    for index in range(1, commits):
        title = f"Lead the response to security incidents, revision {index}"
        repository.commit(f"Revision {index}", {"policies/duties.yaml": DUTIES.replace("Lead the response", title)})
    return repository


@pytest.fixture
def histories(tmp_path: Path) -> tuple[Repo, Repo]:
    return _long_history(tmp_path / "ten", 10), _long_history(tmp_path / "thirty", 30)


@pytest.mark.parametrize("args", [[], ["HEAD~8..HEAD"], ["--since", "2026-09-21", "--party", "ciso"]])
def test_history_starts_a_fixed_number_of_git_processes(
    histories: tuple[Repo, Repo], monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    ten, thirty = histories
    short, listed_short = _git_processes(ten.root, monkeypatch, *args)
    long, listed_long = _git_processes(thirty.root, monkeypatch, *args)
    if not args:
        assert (listed_short, listed_long) == (10, 30)
    assert short == long
    assert sum(1 for p in long if p.startswith("log")) == 1
    assert sum(1 for p in long if p.startswith("cat-file")) == 1
    assert len(long) <= 8, long


def test_a_file_broken_where_a_range_starts_is_said(repo: Repo) -> None:
    start = repo.commit("Half an edit", {"policies/duties.yaml": BROKEN})
    repo.commit("Give incident response to the CIO", {"policies/duties.yaml": CIO_TAKES_IR})
    data = trail_json(f"{start}..HEAD")
    assert subjects(data) == ["Give incident response to the CIO"]
    (warning,) = data["warnings"]
    assert warning.startswith("policies/duties.yaml:")
    assert warning.endswith("its last good content is kept")
    text = raci("history", f"{start}..HEAD").stdout
    assert text.startswith("warning: where the trail starts, policies/duties.yaml:")


# Found in review: each of these failed before its fix.


def test_a_range_from_a_branch_that_moved_on_compares_with_the_fork_point(repo: Repo) -> None:
    # The feature branch only retitles; main meanwhile gives incident response to
    # the CIO. `main..feature` must not blame the feature for main's change.
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit("Retitle", {"policies/duties.yaml": DUTIES.replace("Keep the asset", "Keep the whole asset")})
    repo.git("checkout", "-q", "main")
    repo.commit("Give incident response to the CIO\n\nApproved-by: cio, ciso", {"policies/duties.yaml": CIO_TAKES_IR})
    repo.git("checkout", "-q", "feature")
    data = trail_json("main..feature")
    assert subjects(data) == ["Retitle"]
    assert kinds(data["commits"][0]["changes"]) == [("changed", "duty", "it.asset-inventory", "title")]
    assert approvals("main..feature").exit_code == 0


def test_approvals_on_the_commits_a_merge_brings_in_count(repo: Repo) -> None:
    repo.git("checkout", "-q", "-b", "handover")
    repo.commit(
        "Give incident response to the CIO\n\nApproved-by: cio\nApproved-by: ciso",
        {"policies/duties.yaml": CIO_TAKES_IR},
    )
    repo.git("checkout", "-q", "main")
    repo.merge("handover", "Merge pull request #7 from handover")
    result = approvals("HEAD~1..HEAD")
    assert result.exit_code == 0, result.output
    # Without the trailers on the merged commit, the same merge fails the check.
    repo.git("checkout", "-q", "-b", "unapproved", "HEAD~1")
    repo.commit("Give incident response to the CIO", {"policies/duties.yaml": CIO_TAKES_IR})
    repo.git("checkout", "-q", "main")
    repo.git("reset", "-q", "--hard", "HEAD~1")
    repo.merge("unapproved", "Merge pull request #8 from unapproved")
    assert approvals("HEAD~1..HEAD").exit_code == 1


def test_an_author_may_approve_their_own_loss_but_not_their_gain(repo: Repo) -> None:
    # Carol is the CISO: she hands incident response to the CIO and approves it.
    repo.commit(
        "Hand incident response to the CIO\n\nApproved-by: ciso\nApproved-by: cio",
        {"policies/duties.yaml": CIO_TAKES_IR},
        author=CAROL,
    )
    assert approvals("HEAD~1..HEAD").exit_code == 0
    # Taking it back, approved by herself only for her own gain: not enough.
    repo.commit("Take incident response back\n\nApproved-by: ciso, cio", {"policies/duties.yaml": DUTIES}, author=CAROL)
    result = approvals("HEAD~1..HEAD")
    assert result.exit_code == 1
    assert "approved by the author, which does not count: ciso" in result.stdout


def test_until_and_since_filter_on_the_author_date_shown(repo: Repo) -> None:
    # Written (author date) a year before it was committed: git's own --since and
    # --until would look at the commit date, not the date the trail shows.
    repo.write({"policies/duties.yaml": CIO_TAKES_IR})
    repo.git("add", "-A")
    env = {**git_env(EPOCH + 400 * DAY), "GIT_AUTHOR_DATE": f"{EPOCH - 365 * DAY} +0000"}
    subprocess.run(["git", "commit", "-qm", "Backdated"], cwd=repo.root, env=env, check=True, timeout=60)
    assert trail_json()["commits"][0]["date"] == "2025-09-21T14:13:20+00:00"
    assert subjects(trail_json("--until", "2025-12-31")) == ["Backdated"]
    assert subjects(trail_json("--since", "2026-01-01")) == ["Start the policy set"]


def test_a_cherry_picked_commit_keeps_its_approvals() -> None:
    from checker.history import parse_trailers

    message = "Move IR\n\nApproved-by: cfo\n(cherry picked from commit 0123456789abcdef)\n"
    assert parse_trailers(message) == {"Approved-by": ["cfo"]}
    assert parse_trailers("Move IR\n\nThis is a paragraph: it says things\nover two lines\n") == {}


def test_a_duty_defined_twice_keeps_the_first_definitions_raci(repo: Repo) -> None:
    again = (
        "apiVersion: raci/v1\nkind: Duties\nduties:\n  - id: sec.incident-response\n    title: Again\n"
        "    raci: {accountable: ceo}\n"
    )
    repo.commit("Define incident response again", {"policies/zz-again.yaml": again})
    assert trail_json("HEAD~1..HEAD")["commits"] == []
    assert raci("diff", "HEAD~1").stdout.startswith("changes from HEAD~1 to the working tree:\n  none\n")


def test_a_date_python_cannot_hold_is_shown_as_git_stores_it() -> None:
    from checker.history import parse_commit

    raw = b"tree 0\nauthor Ada <a@x> 999999999999999 +0000\ncommitter Ada <a@x> 1 +0000\n\nsubject\n"
    assert parse_commit("c", raw).date == "@999999999999999 +0000"


def test_a_second_walk_parses_no_file_and_says_the_same(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    from checker import history as history_module

    repo.commit("Give incident response to the CIO\n\nApproved-by: cio, ciso", {"policies/duties.yaml": CIO_TAKES_IR})
    repo.commit("Half an edit", {"policies/duties.yaml": BROKEN})
    parsed: list[str] = []
    original = history_module._Walk._read

    def counting(self: object, path: str, data: bytes) -> object:
        parsed.append(path)
        return original(self, path, data)  # type: ignore[arg-type]

    monkeypatch.setattr(history_module._Walk, "_read", counting)
    first = raci("history", "--format", "json").stdout
    assert len(parsed) == 5  # three files at the start, then one per commit
    parsed.clear()
    second = raci("history", "--format", "json").stdout
    assert parsed == []
    assert second == first
    assert raci("history", "--format", "json", "--no-cache").stdout == first
    assert len(parsed) == 5


def test_a_second_walk_rebuilds_no_state(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    from checker import history as history_module

    repo.commit("Give incident response to the CIO\n\nApproved-by: cio, ciso", {"policies/duties.yaml": CIO_TAKES_IR})
    first = raci("history", "--format", "json").stdout
    decoded: list[object] = []
    original = history_module.decode_facts

    def counting(data: object) -> object:
        decoded.append(data)
        return original(data)

    monkeypatch.setattr(history_module, "decode_facts", counting)
    # Each step is cached whole: the files' facts are not even decoded again.
    assert raci("history", "--format", "json").stdout == first
    assert decoded == []


def test_a_walk_past_its_cached_steps_agrees_with_a_fresh_one(repo: Repo) -> None:
    repo.commit("Half an edit", {"policies/duties.yaml": BROKEN})
    raci("history", "--format", "json")  # caches every step so far
    repo.commit(
        "Give incident response to the CIO\n\nApproved-by: cio",
        {"policies/duties.yaml": CIO_TAKES_IR, "policies/new.yaml": "# a new file, nothing in it yet\n"},
    )
    repo.commit("Take it back", {"policies/duties.yaml": DUTIES})
    # The new steps start from the state the cached ones left, broken file included.
    fresh = raci("history", "--format", "json", "--no-cache").stdout
    assert raci("history", "--format", "json").stdout == fresh
    newest = json.loads(fresh)["commits"][:2]
    assert [[(c["id"], c["field"]) for c in commit["changes"]] for commit in newest] == [
        [("sec.incident-response", "accountable")]
    ] * 2


def test_a_blob_gone_from_under_cached_steps_stops_caching_steps(repo: Repo) -> None:
    raci("history", "--format", "json")  # caches the start
    # The parties file's facts leave the cache, and its object the repository (pruned,
    # or a damaged clone): the next step cannot rebuild the state it starts from.
    for path in Path(os.environ["XDG_CACHE_HOME"]).rglob("*.json"):
        if "definitions" in json.loads(path.read_text(encoding="utf-8"))["value"]:
            path.unlink()
    repo.commit("Give incident response to the CIO\n\nApproved-by: cio, ciso", {"policies/duties.yaml": CIO_TAKES_IR})
    repo.commit("Take it back", {"policies/duties.yaml": DUTIES})
    blob = git(repo.root, "rev-parse", "HEAD:policies/parties.yaml").strip()
    (repo.root / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    steps = {p.name for p in Path(os.environ["XDG_CACHE_HOME"]).rglob("*.json")}
    trail = json.loads(raci("history", "--format", "json").stdout)
    assert "policies/parties.yaml: its git object is missing" in trail["commits"][1]["warnings"][0]
    # What the steps after it saw lacked the parties: they must not be kept as if they had them.
    written = {p.name for p in Path(os.environ["XDG_CACHE_HOME"]).rglob("*.json")} - steps
    kinds_written = [
        "changes" in json.loads(path.read_text(encoding="utf-8"))["value"]
        for path in Path(os.environ["XDG_CACHE_HOME"]).rglob("*.json")
        if path.name in written
    ]
    assert True not in kinds_written


def test_a_damaged_cache_entry_is_read_again(repo: Repo) -> None:
    repo.commit("Give incident response to the CIO\n\nApproved-by: cio, ciso", {"policies/duties.yaml": CIO_TAKES_IR})
    first = raci("history", "--format", "json").stdout
    entries = list(Path(os.environ["XDG_CACHE_HOME"]).rglob("*.json"))
    assert entries
    for entry in entries:
        stored = json.loads(entry.read_text(encoding="utf-8"))
        entry.write_text(json.dumps({"key": stored["key"], "value": {"changes": [["added", 1]]}}), encoding="utf-8")
    assert raci("history", "--format", "json").stdout == first


def test_a_file_read_as_configuration_and_as_policy_is_cached_apart(repo: Repo) -> None:
    repo.commit("Settings", {"policies/settings.yaml": "fail_on: warning\n"})
    repo.commit("Stricter", {"policies/settings.yaml": "fail_on: info\n"})
    as_config = raci("history", "--config", "policies/settings.yaml", "--format", "json").stdout
    assert '"entity": "config"' in as_config
    fresh = raci("history", "--format", "json", "--no-cache").stdout
    assert raci("history", "--format", "json").stdout == fresh
    assert '"entity": "config"' not in fresh

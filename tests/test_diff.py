"""`raci diff REV [REV2]`: what changed in meaning, and which findings came and went.

Every test runs in a real repository (tests/gitrepo.py) with fixed authors and
dates. What a reviewer relies on: a change of accountability or of a split is
reported exactly, field by field; edits that only move or reformat text
(claims moved between files, files renamed or split, entries reordered, YAML
restyled) report nothing; and the exit status follows the findings the change
introduces, never the old debt.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from checker.cli import main
from tests.conftest import PARTIES
from tests.gitrepo import Repo

DUTIES = """\
apiVersion: raci/v1
kind: Duties
duties:
  - id: sec.incident-response
    title: Lead the response to security incidents
    domain: security
    tags: [critical, customer-data]
    raci:
      accountable: ciso
      responsible: [security-ops]
      consulted: [it-ops]
      informed: [ceo]
  - id: it.asset-inventory
    title: Keep the asset inventory
    domain: it
    raci: {accountable: cio, responsible: [it-ops, cio], consulted: [ciso]}
"""
BUDGETS = """\
apiVersion: raci/v1
kind: Budgets
pools:
  - id: fy27-technology-capex
    amount: 2000000
    currency: USD
    period: FY2027
budgets:
  - id: fy27-security-tooling
    pool: fy27-technology-capex
    amount: 1200000
    currency: USD
    period: FY2027
    funds: [sec.incident-response, it.asset-inventory]
    splits:
      - {party: ciso, percent: 50}
      - {party: cio, amount: 600000}
"""
BASE = {"policies/parties.yaml": PARTIES, "policies/duties.yaml": DUTIES, "policies/budgets.yaml": BUDGETS}
# The CIO claims incident response too, from the CIO office's own file.
SECOND_OWNER = """\
apiVersion: raci/v1
kind: Assignments
assignments:
  - duty: sec.incident-response
    accountable: cio
"""
NO_CHANGE_TEXT = "changes from HEAD to the working tree:\n  none\nfindings introduced: 0\nfindings resolved: 0\n"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    repository = Repo(tmp_path / "governance")
    repository.commit("Start the policy set", BASE)
    monkeypatch.chdir(repository.root)
    return repository


def raci(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    # Whatever happens, never a Python traceback.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


def diff_json(*args: str, exit_code: int = 0) -> dict[str, Any]:
    result = raci("diff", *args, "--format", "json")
    assert result.exit_code in (0, 1), result.output
    data: dict[str, Any] = json.loads(result.stdout)
    assert result.exit_code == exit_code, rules_of(data["findings"]["introduced"])
    return data


def changes_of(*args: str, exit_code: int = 0) -> list[dict[str, Any]]:
    changes: list[dict[str, Any]] = diff_json(*args, exit_code=exit_code)["changes"]
    return changes


def kinds(changes: list[dict[str, Any]]) -> list[tuple[str, str, str, str | None]]:
    return [(c["change"], c["entity"], c["id"], c["field"]) for c in changes]


def rules_of(findings: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(f["rule"], f["subject"]) for f in findings]


# Changes of accountability and funding: exact, in the spec's shape.


def test_an_accountability_change_is_one_changed_field(repo: Repo) -> None:
    repo.write({"policies/duties.yaml": DUTIES.replace("accountable: ciso", "accountable: cio")})
    data = diff_json("HEAD")
    # A warning, which does not fail the run: ciso funds a budget for duties it is no longer
    # accountable or responsible for.
    assert rules_of(data["findings"]["introduced"]) == [("funder-without-role", "fy27-security-tooling")]
    assert data["findings"]["resolved"] == []
    assert data["changes"] == [
        {
            "change": "changed",
            "entity": "duty",
            "id": "sec.incident-response",
            "field": "accountable",
            "before": ["ciso"],
            "after": ["cio"],
        }
    ]
    assert data["version"] == 1
    assert data["from"] == {"revision": "HEAD", "commit": repo.git("rev-parse", "HEAD").strip()}
    assert data["to"] == {"revision": None, "commit": None}


def test_party_lists_are_sorted_whatever_the_files_say(repo: Repo) -> None:
    # ciso is written first (inline), cio in another file: the lists are sorted all the same.
    repo.write(
        {
            "policies/cio-office.yaml": SECOND_OWNER + "    informed: [security-ops, it-ops]\n",
        }
    )
    changes = changes_of("HEAD", exit_code=1)
    assert changes == [
        {
            "change": "changed",
            "entity": "duty",
            "id": "sec.incident-response",
            "field": "accountable",
            "before": ["ciso"],
            "after": ["cio", "ciso"],
        },
        {
            "change": "changed",
            "entity": "duty",
            "id": "sec.incident-response",
            "field": "informed",
            "before": ["ceo"],
            "after": ["ceo", "it-ops", "security-ops"],
        },
    ]


def test_a_split_change_gives_exact_decimal_amounts(repo: Repo) -> None:
    repo.write(
        {
            "policies/budgets.yaml": BUDGETS.replace("percent: 50", "percent: 60").replace(
                "amount: 600000", "amount: 480000"
            )
        }
    )
    changes = changes_of("HEAD")
    assert changes == [
        {
            "change": "changed",
            "entity": "budget",
            "id": "fy27-security-tooling",
            "field": "splits",
            "before": {"cio": "600000", "ciso": "600000"},
            "after": {"cio": "480000", "ciso": "720000"},
        }
    ]
    # Parties in id order, amounts as strings: never a float that could lose the cent.
    assert list(changes[0]["after"]) == ["cio", "ciso"]


def test_a_percent_split_of_a_third_is_its_exact_amount(repo: Repo) -> None:
    thirds = """\
    apiVersion: raci/v1
    kind: Budgets
    budgets:
      - id: fy27-training
        amount: 100
        currency: USD
        period: FY2027
        splits:
          - {party: ciso, percent: 33.333333333333333333333}
          - {party: cio, percent: 66.666666666666666666667}
      - id: fy27-awareness
        amount: 300
        currency: USD
        period: FY2027
        splits:
          - {party: ciso, percent: 33.33}
          - {party: cio, percent: 66.67}
    """
    repo.write({"policies/training.yaml": thirds})
    changes = {c["id"]: c for c in changes_of("HEAD")}
    assert changes["fy27-training"]["change"] == "added"
    assert changes["fy27-training"]["after"]["splits"] == {
        "cio": "66.666666666666666666667",
        "ciso": "33.333333333333333333333",
    }
    assert changes["fy27-awareness"]["after"]["splits"] == {"cio": "200.01", "ciso": "99.99"}
    assert changes["fy27-awareness"]["after"]["amount"] == "300"


def test_a_budget_amount_change_moves_the_percent_shares_only(repo: Repo) -> None:
    repo.write({"policies/budgets.yaml": BUDGETS.replace("amount: 1200000", "amount: 1500000.50")})
    changes = changes_of("HEAD", exit_code=1)  # the splits no longer add up: split-total
    assert kinds(changes) == [
        ("changed", "budget", "fy27-security-tooling", "amount"),
        ("changed", "budget", "fy27-security-tooling", "splits"),
    ]
    assert (changes[0]["before"], changes[0]["after"]) == ("1200000", "1500000.5")
    # 50% of 1,500,000.50 is exactly 750,000.25; the fixed amount does not move.
    assert changes[1]["after"] == {"cio": "600000", "ciso": "750000.25"}


# Not changes: where and how a thing is written.


def _move_claim_to_assignments(repo: Repo) -> None:
    repo.write(
        {
            "policies/duties.yaml": DUTIES.replace("      accountable: ciso\n", ""),
            "policies/assignments/security.yaml": SECOND_OWNER.replace("cio", "ciso"),
        }
    )


def _rename_file(repo: Repo) -> None:
    (repo.root / "policies" / "security").mkdir()
    repo.git("mv", "policies/duties.yaml", "policies/security/duties-2027.yml")


def _split_file_in_two(repo: Repo) -> None:
    first, second = DUTIES.split("  - id: it.asset-inventory\n")
    repo.remove("policies/duties.yaml")
    repo.write(
        {
            "policies/security.yaml": first,
            "policies/it.yaml": "apiVersion: raci/v1\nkind: Duties\nduties:\n  - id: it.asset-inventory\n" + second,
        }
    )


def _join_files_as_documents(repo: Repo) -> None:
    repo.remove("policies/duties.yaml", "policies/parties.yaml")
    repo.write({"policies/all.yaml": PARTIES + "---\n" + DUTIES})


def _reorder(repo: Repo) -> None:
    parties = PARTIES.splitlines(keepends=True)
    duties = """\
    apiVersion: raci/v1
    kind: Duties
    duties:
      - id: it.asset-inventory
        domain: it
        raci: {consulted: [ciso], responsible: [cio, it-ops], accountable: cio}
        title: Keep the asset inventory
      - raci:
          informed: [ceo]
          consulted: [it-ops]
          responsible: [security-ops]
          accountable: ciso
        tags: [customer-data, critical]
        domain: security
        title: Lead the response to security incidents
        id: sec.incident-response
    """
    budgets = BUDGETS.replace(
        "      - {party: ciso, percent: 50}\n      - {party: cio, amount: 600000}\n",
        "      - {amount: 600000, party: cio}\n      - {percent: 50, party: ciso}\n",
    ).replace("[sec.incident-response, it.asset-inventory]", "[it.asset-inventory, sec.incident-response]")
    repo.write(
        {
            "policies/parties.yaml": "".join(parties[:3] + parties[3:][::-1]),
            "policies/duties.yaml": duties,
            "policies/budgets.yaml": budgets,
        }
    )


def _reformat(repo: Repo) -> None:
    duties = """\
    # Security and IT duties, restyled by a formatter.
    "apiVersion": 'raci/v1'
    kind: "Duties"
    duties: [
      {id: sec.incident-response, title: "Lead the response to security incidents",
       domain: security, tags: [critical, "customer-data"],
       raci: {accountable: "ciso", responsible: [security-ops], consulted: [it-ops], informed: [ceo]}},
      {
        id: 'it.asset-inventory',   # a comment inside the flow
        title: Keep the asset inventory,
        domain: it,
        raci: {
          accountable: cio,
          responsible: [it-ops, cio],
          consulted: [ciso]
        }
      }
    ]
    """
    budgets = """\
    apiVersion: raci/v1
    kind: Budgets
    pools: [{id: fy27-technology-capex, amount: 2000000.00, currency: USD, period: "FY2027"}]
    budgets:
    - id: fy27-security-tooling
      pool: fy27-technology-capex
      amount: 1200000.0        # the same number, written with decimals
      currency: USD
      period: FY2027
      funds:
      - sec.incident-response
      - it.asset-inventory
      splits:
      - party: ciso
        percent: 50.000
      - party: cio
        amount: 600000.00
    """
    repo.write({"policies/duties.yaml": duties, "policies/budgets.yaml": budgets})


@pytest.mark.parametrize(
    "edit",
    [_move_claim_to_assignments, _rename_file, _split_file_in_two, _join_files_as_documents, _reorder, _reformat],
)
def test_moving_renaming_reordering_and_reformatting_change_nothing(repo: Repo, edit: Any) -> None:
    edit(repo)
    data = diff_json("HEAD")
    assert data["changes"] == []
    assert data["findings"] == {"introduced": [], "resolved": []}
    assert raci("diff", "HEAD").output == NO_CHANGE_TEXT
    # Committed, the same holds between two revisions.
    repo.commit("Only text")
    assert changes_of("HEAD~1", "HEAD") == []


def test_a_text_only_edit_of_the_configuration_is_no_change(repo: Repo) -> None:
    repo.commit("Configure", {".raci.yaml": "rules: {idle-party: 'off'}\n"})
    repo.write({".raci.yaml": "# Idle parties are fine here.\nrules:\n  idle-party: off\n"})
    assert changes_of("HEAD") == []


# Added and removed entities, and the configuration.

FULL_PARTIES = PARTIES + "  - {id: internal-audit, name: Internal Audit, type: team, reports_to: ceo}\n"
RULES = """\
apiVersion: raci/v1
kind: Rules
rules:
  - id: security-embedded
    type: require
    description: Security is heard on every IT duty
    select: {domain: [it]}
    require: {party: ciso, as: [consulted, accountable]}
    severity: error
"""
WAIVERS = """\
apiVersion: raci/v1
kind: Waivers
waivers:
  - rule: idle-party
    subject: internal-audit
    reason: Internal audit joins in 2027
    approved_by: [ceo]
    expires: 2027-03-31
"""
CHARTER = "  - id: gov.charter\n    title: Keep the charter\n    raci: {accountable: ceo, responsible: [ceo]}\n"


def test_added_and_removed_entities_of_every_kind(repo: Repo) -> None:
    repo.commit(
        "Everything",
        {
            "policies/parties.yaml": FULL_PARTIES,
            "policies/duties.yaml": DUTIES + CHARTER,
            "policies/rules.yaml": RULES,
            "policies/waivers.yaml": WAIVERS,
        },
    )
    privacy = """\
    apiVersion: raci/v1
    kind: Budgets
    pools:
      - {id: fy28-capex, amount: 500000, currency: EUR, period: FY2028}
    budgets:
      - id: fy28-privacy
        pool: fy28-capex
        amount: 250000
        currency: EUR
        period: FY2028
        funds: [priv.dpia]
        splits: [{party: dpo, percent: 100}]
    """
    repo.remove("policies/budgets.yaml")
    repo.write(
        {
            "policies/parties.yaml": PARTIES
            + "  - {id: dpo, name: Data Protection Officer, type: role, reports_to: ceo, emails: [dpo@example.com]}\n",
            "policies/duties.yaml": DUTIES + "  - {id: priv.dpia, title: Run impact assessments, raci: "
            "{accountable: dpo, responsible: [dpo]}}\n",
            "policies/privacy.yaml": privacy,
            "policies/rules.yaml": RULES.replace("security-embedded", "access-sod")
            .replace("type: require", "type: separate")
            .replace(
                "    select: {domain: [it]}\n    require: {party: ciso, as: [consulted, accountable]}\n",
                "    left: {ids: ['iam.grant-*']}\n    right: {ids: ['iam.approve-*']}\n"
                "    letters: [responsible, accountable]\n",
            ),
            "policies/waivers.yaml": WAIVERS.replace("idle-party", "redundant-role").replace(
                "internal-audit", "it.asset-inventory"
            ),
        }
    )
    changes = changes_of("HEAD", "--today", "2026-12-01")
    assert kinds(changes) == [
        ("added", "party", "dpo", None),
        ("removed", "party", "internal-audit", None),
        ("removed", "duty", "gov.charter", None),
        ("added", "duty", "priv.dpia", None),
        ("removed", "budget", "fy27-security-tooling", None),
        ("added", "budget", "fy28-privacy", None),
        ("removed", "pool", "fy27-technology-capex", None),
        ("added", "pool", "fy28-capex", None),
        ("added", "rule", "access-sod", None),
        ("removed", "rule", "security-embedded", None),
        ("removed", "waiver", "idle-party:internal-audit", None),
        ("added", "waiver", "redundant-role:it.asset-inventory", None),
    ]
    by_id = {c["id"]: c for c in changes}
    assert by_id["dpo"]["before"] is None
    assert by_id["dpo"]["after"] == {
        "name": "Data Protection Officer",
        "type": "role",
        "active": True,
        "reports_to": "ceo",
        "github": None,
        "emails": ["dpo@example.com"],
        "description": None,
    }
    assert by_id["internal-audit"]["after"] is None
    assert by_id["internal-audit"]["before"]["name"] == "Internal Audit"
    assert by_id["gov.charter"]["before"] == {
        "title": "Keep the charter",
        "description": None,
        "domain": None,
        "tags": [],
        "accountable": ["ceo"],
        "responsible": ["ceo"],
        "consulted": [],
        "informed": [],
    }
    assert by_id["fy28-capex"]["after"] == {
        "amount": "500000",
        "currency": "EUR",
        "period": "FY2028",
        "description": None,
    }
    assert by_id["fy28-privacy"]["after"] == {
        "amount": "250000",
        "currency": "EUR",
        "period": "FY2028",
        "pool": "fy28-capex",
        "funds": ["priv.dpia"],
        "splits": {"dpo": "250000"},
        "description": None,
    }
    assert by_id["access-sod"]["after"] == {
        "type": "separate",
        "description": "Security is heard on every IT duty",
        "severity": "error",
        "letters": ["accountable", "responsible"],
        "select": None,
        "party": None,
        "left": {"domain": [], "tags": [], "ids": ["iam.grant-*"]},
        "right": {"domain": [], "tags": [], "ids": ["iam.approve-*"]},
    }
    assert by_id["security-embedded"]["before"]["select"] == {"domain": ["it"], "tags": [], "ids": []}
    assert by_id["redundant-role:it.asset-inventory"]["after"] == {
        "reason": "Internal audit joins in 2027",
        "approved_by": ["ceo"],
        "expires": "2027-03-31",
        "ticket": None,
    }


def test_a_changed_field_of_a_party_a_pool_and_a_waiver(repo: Repo) -> None:
    repo.commit("Waiver", {"policies/waivers.yaml": WAIVERS})
    repo.write(
        {
            "policies/parties.yaml": PARTIES.replace(
                "{id: it-ops, name: IT Operations, type: team,",
                "{id: it-ops, name: IT Operations, type: team, active: false,",
            ),
            "policies/budgets.yaml": BUDGETS.replace("amount: 2000000", "amount: 2500000"),
            "policies/waivers.yaml": WAIVERS.replace("2027-03-31", "2027-06-30").replace("[ceo]", "[ceo, cio]"),
        }
    )
    changes = changes_of("HEAD", "--today", "2026-12-01")  # inactive-party: a warning
    assert [(c["entity"], c["id"], c["field"], c["before"], c["after"]) for c in changes] == [
        ("party", "it-ops", "active", True, False),
        ("pool", "fy27-technology-capex", "amount", "2000000", "2500000"),
        ("waiver", "idle-party:internal-audit", "approved_by", ["ceo"], ["ceo", "cio"]),
        ("waiver", "idle-party:internal-audit", "expires", "2027-03-31", "2027-06-30"),
    ]


def test_a_description_is_a_field_like_any_other(repo: Repo) -> None:
    repo.write(
        {
            "policies/duties.yaml": DUTIES.replace(
                "    domain: it\n", "    domain: it\n    description: Hardware and software, reconciled monthly\n"
            )
        }
    )
    assert kinds(changes_of("HEAD")) == [("changed", "duty", "it.asset-inventory", "description")]


def test_the_configuration_is_an_entity(repo: Repo) -> None:
    repo.write({".raci.yaml": "rules: {idle-party: off}\n"})
    assert changes_of("HEAD") == [
        {
            "change": "added",
            "entity": "config",
            "id": ".raci.yaml",
            "field": None,
            "before": None,
            "after": {"rules.idle-party": "off"},
        }
    ]
    repo.commit("Idle parties are fine")
    repo.write({".raci.yaml": "rules: {idle-party: warning, redundant-role: error}\nfail_on: warning\n"})
    changes = changes_of("HEAD")
    assert [(c["change"], c["entity"], c["field"], c["before"], c["after"]) for c in changes] == [
        ("changed", "config", "rules.idle-party", "off", "warning"),
        ("changed", "config", "fail_on", None, "warning"),
        ("changed", "config", "rules.redundant-role", None, "error"),
    ]


# Findings introduced and resolved; the exit status.


def test_findings_introduced_and_resolved(repo: Repo) -> None:
    # At the base nobody is accountable for the asset inventory.
    repo.commit("Drop the inventory owner", {"policies/duties.yaml": DUTIES.replace("accountable: cio, ", "")})
    repo.write(
        {
            "policies/cio-office.yaml": SECOND_OWNER + "  - duty: it.asset-inventory\n    accountable: cio\n",
        }
    )
    data = diff_json("HEAD", exit_code=1)
    assert rules_of(data["findings"]["introduced"]) == [("double-ownership", "sec.incident-response")]
    assert rules_of(data["findings"]["resolved"]) == [("orphaned-duty", "it.asset-inventory")]
    introduced = data["findings"]["introduced"][0]
    assert (introduced["file"], introduced["severity"], introduced["detail"]) == (
        "policies/cio-office.yaml",
        "error",
        "cio,ciso",
    )
    assert kinds(data["changes"]) == [
        ("changed", "duty", "it.asset-inventory", "accountable"),
        ("changed", "duty", "sec.incident-response", "accountable"),
    ]


def test_resolving_alone_exits_0(repo: Repo) -> None:
    repo.commit("Drop the inventory owner", {"policies/duties.yaml": DUTIES.replace("accountable: cio, ", "")})
    assert raci("check").exit_code == 1  # the old debt
    repo.write({"policies/duties.yaml": DUTIES})
    data = diff_json("HEAD")
    assert data["findings"]["introduced"] == []
    assert rules_of(data["findings"]["resolved"]) == [("orphaned-duty", "it.asset-inventory")]


def test_old_debt_alone_exits_0(repo: Repo) -> None:
    repo.commit("Drop the inventory owner", {"policies/duties.yaml": DUTIES.replace("accountable: cio, ", "")})
    repo.write({"policies/duties.yaml": DUTIES.replace("accountable: cio, ", "").replace("Keep the", "Keep a")})
    data = diff_json("HEAD")
    assert kinds(data["changes"]) == [("changed", "duty", "it.asset-inventory", "title")]
    assert data["findings"] == {"introduced": [], "resolved": []}


def test_the_fail_level_of_the_configuration_applies(repo: Repo) -> None:
    # A warning introduced: exit 0 by default, exit 1 when the configuration fails on warnings.
    repo.write({"policies/duties.yaml": DUTIES.replace("accountable: ciso", "accountable: cio")})
    assert raci("diff", "HEAD").exit_code == 0
    repo.write({".raci.yaml": "fail_on: warning\n"})
    assert raci("diff", "HEAD").exit_code == 1


# Revisions.


def test_rev2_given_explicitly_ignores_the_working_tree(repo: Repo) -> None:
    first = repo.git("rev-parse", "HEAD").strip()
    second = repo.commit("The CIO takes incident response", {"policies/cio-office.yaml": SECOND_OWNER})
    repo.write({"policies/duties.yaml": DUTIES.replace("Keep the asset", "Keep the hardware")})
    data = diff_json(first, "HEAD", exit_code=1)
    assert data["from"] == {"revision": first, "commit": first}
    assert data["to"] == {"revision": "HEAD", "commit": second}
    assert kinds(data["changes"]) == [("changed", "duty", "sec.incident-response", "accountable")]
    # The working tree default sees the uncommitted title too.
    assert kinds(changes_of(first, exit_code=1)) == [
        ("changed", "duty", "it.asset-inventory", "title"),
        ("changed", "duty", "sec.incident-response", "accountable"),
    ]
    # And backwards: the same change, undone; the double ownership is resolved.
    back = diff_json("HEAD", first)
    assert back["changes"] == [
        {
            "change": "changed",
            "entity": "duty",
            "id": "sec.incident-response",
            "field": "accountable",
            "before": ["cio", "ciso"],
            "after": ["ciso"],
        }
    ]
    assert rules_of(back["findings"]["resolved"]) == [("double-ownership", "sec.incident-response")]


def test_the_working_tree_includes_untracked_files(repo: Repo) -> None:
    repo.write({"policies/new-parties.yaml": PARTIES.replace("ceo", "board").split("  - {id: cio")[0]})
    assert kinds(changes_of("HEAD")) == [("added", "party", "board", None)]


@pytest.mark.parametrize("args", [["no-such-branch"], ["HEAD", "no-such-branch"], ["--", "-h"]])
def test_an_unknown_revision_is_exit_2_with_one_line(repo: Repo, args: list[str]) -> None:
    result = raci("diff", *args)
    assert result.exit_code == 2
    name = args[-1]
    assert result.output == f"raci: error: unknown revision {name!r} in this repository\n"


def test_outside_a_repository_is_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "parties.yaml").write_text(PARTIES)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    result = raci("diff", "HEAD")
    assert result.exit_code == 2
    assert result.output == "raci: error: policies: not in a git repository; reading a revision needs one\n"


def test_a_revision_before_the_policy_set_existed_shows_everything_added(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repository = Repo(tmp_path / "r")
    repository.commit("README first", {"README.md": "governance\n"})
    repository.commit("Policies", {"policies/parties.yaml": PARTIES})
    monkeypatch.chdir(repository.root)
    changes = changes_of("HEAD~1", "HEAD")
    assert kinds(changes) == [
        ("added", "party", party, None) for party in ("ceo", "cio", "ciso", "it-ops", "security-ops")
    ]


# Text and Markdown.


def test_text_output(repo: Repo) -> None:
    repo.write({"policies/cio-office.yaml": SECOND_OWNER})
    result = raci("diff", "HEAD")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[:3] == [
        "changes from HEAD to the working tree:",
        "  duty sec.incident-response: accountable [ciso] -> [cio, ciso]",
        "findings introduced: 1",
    ]
    assert lines[3].startswith("  policies/cio-office.yaml:5:18: error double-ownership sec.incident-response has 2 ")
    assert lines[4:] == ["findings resolved: 0"]


def test_text_output_of_added_and_removed_entities(repo: Repo) -> None:
    repo.write({"policies/duties.yaml": DUTIES + CHARTER, "policies/budgets.yaml": BUDGETS.split("budgets:")[0]})
    result = raci("diff", "HEAD")
    assert result.output.splitlines()[:4] == [
        "changes from HEAD to the working tree:",
        "  duty gov.charter: added {title: Keep the charter, tags: [], accountable: [ceo], "
        "responsible: [ceo], consulted: [], informed: []}",
        "  budget fy27-security-tooling: removed (was {amount: 1200000, currency: USD, period: FY2027, "
        "pool: fy27-technology-capex, funds: [it.asset-inventory, sec.incident-response], "
        "splits: {cio: 600000, ciso: 600000}})",
        "findings introduced: 0",
    ]


def test_text_output_escapes_terminal_control_characters(repo: Repo) -> None:
    repo.write({"policies/duties.yaml": DUTIES.replace("Keep the asset inventory", '"Keep \\e[31mred\\e[0m"')})
    result = raci("diff", "HEAD")
    assert "\x1b" not in result.output
    assert "  duty it.asset-inventory: title Keep the asset inventory -> Keep \\x1b[31mred\\x1b[0m" in result.output


def test_markdown_output(repo: Repo) -> None:
    repo.write({"policies/cio-office.yaml": SECOND_OWNER})
    result = raci("diff", "HEAD", "--format", "markdown")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[:7] == [
        "### raci diff: HEAD → the working tree",
        "",
        "1 change(s), 1 finding(s) introduced, 0 resolved.",
        "",
        "| change | entity | id | field | before | after |",
        "|---|---|---|---|---|---|",
        "| changed | duty | sec.incident-response | accountable | \\[ciso\\] | \\[cio, ciso\\] |",
    ]
    assert lines[8:12] == [
        "#### Introduced findings",
        "",
        "| severity | rule | where | message |",
        "|---|---|---|---|",
    ]
    assert lines[12].startswith("| error | double-ownership | policies/cio-office.yaml:5 | sec.incident-response ")
    assert "Resolved findings" not in result.output


def _unescaped_pipes(line: str) -> int:
    return len(re.findall(r"(?<!\\)\|", line))


def test_markdown_escapes_a_hostile_title(repo: Repo) -> None:
    hostile = "Pay | approve <script>alert(1)</script> `x`"
    repo.write({"policies/duties.yaml": DUTIES.replace("Keep the asset inventory", f'"{hostile}"')})
    result = raci("diff", "HEAD", "--format", "markdown")
    assert result.exit_code == 0
    assert "<script>" not in result.output
    rows = [line for line in result.output.splitlines() if line.startswith("|")]
    assert len(rows) == 3
    # Six cells per row, whatever the title holds.
    assert [_unescaped_pipes(row) for row in rows] == [7, 7, 7]
    assert rows[2] == (
        "| changed | duty | it.asset-inventory | title | Keep the asset inventory | "
        "Pay \\| approve &lt;script&gt;alert(1)&lt;/script&gt; \\`x\\` |"
    )
    # JSON carries the title as it is: escaping is the job of the format that needs it.
    assert changes_of("HEAD")[0]["after"] == hostile


def test_a_real_process_never_prints_a_traceback(repo: Repo) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "checker", "diff", "no-such-branch"],
        cwd=repo.root,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (
        2,
        "",
        "raci: error: unknown revision 'no-such-branch' in this repository\n",
    )


# Found in review: each of these failed before its fix.


def test_a_configuration_in_a_folder_with_a_space_and_missing_at_the_revision(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repository = Repo(tmp_path / "gov dir")
    repository.commit("Policies", {"policies/parties.yaml": PARTIES})
    repository.write({".raci.yaml": "rules: {idle-party: off}\n"})
    monkeypatch.chdir(repository.root)
    changes = changes_of("HEAD")
    assert [(c["change"], c["entity"], c["id"]) for c in changes] == [("added", "config", ".raci.yaml")]


def test_a_configuration_outside_the_repository_is_used_but_not_compared(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text(f"policies: ['{repo.root / 'policies'}']\nrules: {{idle-party: off}}\n")
    result = raci("diff", "HEAD", "--config", str(outside), "--format", "json")
    assert result.exit_code == 0, result.output
    assert all(c["entity"] != "config" for c in json.loads(result.stdout)["changes"])

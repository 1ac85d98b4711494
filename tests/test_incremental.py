"""A re-run after an edit evaluates only the duties the edit touched, and reports
exactly what a run without the cache reports.

The spies of `recall_support` tell a patched outcome (`incremental.patch`) from one
computed in full (`evaluation.raw`). Every report is compared with a fresh run.
"""

from __future__ import annotations

import datetime
import json
import random
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker import cache, evaluation, registry
from checker.cache import Cache
from checker.config import load_config
from checker.engine import check
from checker.finding import Finding, Location, Severity
from checker.model import Waiver
from checker.reporters import render
from checker.rules import idle_party
from checker.rules._scope import no_duty
from tests.recall_support import ROOT, SECURITY, Spy, bundled_repo, edit, fresh, records, run, shown
from tests.test_properties import GHOST_PARTIES, PARTY_IDS, damaged, layouts, mutated, specs

CISO_OFFICE = "policies/assignments/ciso-office.yaml"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return bundled_repo(tmp_path, monkeypatch)


def index_file(store: Cache) -> Path:
    (path,) = (p for p in records(store) if "shares" in json.loads(p.read_text())["value"])
    return path


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        # the CIO made a second owner of incident response, in its duty's inline `raci:`
        (
            SECURITY,
            "accountable: ciso\n      responsible: [security-ops]\n      consulted: [cio,",
            "accountable: [ciso, cio]\n      responsible: [security-ops]\n      consulted: [cio,",
        ),
        (SECURITY, "accountable: ciso", "accountable: cio"),  # a new owner
        (SECURITY, "informed: [cio]", "informed: [cio, chief-nobody]"),  # an unknown party
        (SECURITY, "title: Lead security incident response", "title: Lead the response to incidents"),
        (SECURITY, "apiVersion", "# reviewed by the CISO's office\napiVersion"),  # every line moves
        (CISO_OFFICE, "consulted: [data-platform, it-ops]", "consulted: [data-platform]"),
        (CISO_OFFICE, "architecture-review-board]", "former-cto]"),  # an unknown party in Assignments
    ],
)
def test_an_edit_to_duties_is_patched(repo: Path, store: Cache, evaluated: Spy, name: str, old: str, new: str) -> None:
    run(repo, store)
    edit(repo, name, old, new)
    after = shown(run(repo, store))
    assert (evaluated.full, evaluated.patched) == (1, 1)
    assert after == fresh(repo)
    # and the patched outcome is the one the next run starts from
    assert shown(run(repo, store)) == after
    assert evaluated.calls == 2


def test_a_second_owner_is_reported_by_the_patch(repo: Path, store: Cache, evaluated: Spy) -> None:
    def owned_twice() -> set[str]:
        return {f.subject for f in run(repo, store).findings if f.rule == "double-ownership"}

    assert owned_twice() == {"sec.incident-response"}  # the fixture's second owner
    edit(repo, SECURITY, "accountable: cio", "accountable: [cio, ciso]")  # on sec.vuln-patching
    assert owned_twice() == {"sec.incident-response", "sec.vuln-patching"}
    edit(repo, SECURITY, "accountable: [cio, ciso]", "accountable: cio")
    assert owned_twice() == {"sec.incident-response"}
    assert (evaluated.full, evaluated.patched) == (1, 2)
    assert shown(run(repo, store)) == fresh(repo)


def test_a_funder_losing_its_role_is_patched_with_the_budgets_that_fund_the_duty(
    repo: Path, store: Cache, evaluated: Spy, monkeypatch: pytest.MonkeyPatch
) -> None:
    # sec.vuln-patching is funded by a budget split between the CISO and the CIO:
    # moving accountability from the one to the other reads that budget again, and
    # only it (`cache.budgets_only`), with the shares of the other duties it funds.
    run(repo, store)
    loaded: list[set[str]] = []
    real = cache.budgets_only

    def spying(data: dict[str, object], name: str, ids: set[str]) -> object:
        loaded.append(set(ids))
        return real(data, name, ids)  # type: ignore[arg-type]

    monkeypatch.setattr(cache, "budgets_only", spying)
    # The CIO, who pays part of fy27-security-tooling, no longer answers for any duty it funds.
    edit(repo, SECURITY, "accountable: cio", "accountable: ciso")  # on sec.vuln-patching
    report = run(repo, store)
    assert evaluated.patched == 1
    assert loaded == [{"fy27-security-tooling"}]
    assert shown(report) == fresh(repo)
    unfunded = {(f.subject, f.detail) for f in report.findings if f.rule == "funder-without-role"}
    assert ("fy27-security-tooling", "cio") in unfunded


def test_a_later_definition_of_a_budget_is_not_the_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, evaluated: Spy
) -> None:
    # `tooling` is defined first in b (funding u), then again in c (funding t), beside
    # `training` (funding t). The rules see b's; a patch that reads c for `training`
    # must not take c's `tooling` for the budget.
    money = "amount: 100, currency: USD, period: FY2027"
    budgets = "apiVersion: raci/v1\nkind: Budgets\nbudgets:\n"
    head = "apiVersion: raci/v1\nkind: Duties\nduties:\n"
    root, store = small_repo(
        tmp_path,
        monkeypatch,
        {
            "policies/a-parties.yaml": "apiVersion: raci/v1\nkind: Parties\nparties:\n"
            + "".join(f"  - {{id: {p}, name: {p}, type: role}}\n" for p in ("ciso", "cfo", "ops")),
            "policies/b-budgets.yaml": budgets
            + f"  - {{id: tooling, {money}, funds: [it.u], splits: [{{party: cfo, percent: 100}}]}}\n",
            "policies/c-budgets.yaml": budgets
            + f"  - {{id: training, {money}, funds: [it.t], splits: [{{party: cfo, percent: 100}}]}}\n"
            + f"  - {{id: tooling, {money}, funds: [it.t], splits: [{{party: cfo, percent: 100}}]}}\n",
            "policies/d-duties.yaml": head
            + "  - {id: it.t, title: T, raci: {accountable: cfo, responsible: [ops]}}\n"
            + "  - {id: it.u, title: U, raci: {accountable: cfo, responsible: [ops]}}\n",
        },
    )
    edit(
        root,
        "policies/d-duties.yaml",
        "{accountable: cfo, responsible: [ops]}}",
        "{accountable: ciso, responsible: [ops]}}",
    )
    report = run(root, store)
    assert evaluated.patched == 1
    assert shown(report) == fresh(root)
    assert {(f.subject, f.detail) for f in report.findings if f.rule == "funder-without-role"} == {("training", "cfo")}


@pytest.mark.parametrize(
    ("name", "old", "new", "why"),
    [
        ("policies/parties.yaml", "id: cfo", "id: cfo-office", "a party: every duty may name it"),
        ("policies/budgets/fy2027.yaml", "percent: 60", "percent: 61", "a budget"),
        ("policies/waivers/fy2027.yaml", "expires: 2027-09-30", "expires: 2026-11-30", "a waiver"),
        (SECURITY, "  - id: sec.vuln-scanning\n", "  - id: sec.vuln-scans\n", "a duty renamed (unknown-duty)"),
        (CISO_OFFICE, "responsible: [j-okafor]", "responsible: [iam-team]", "a duty a `separate` rule selects"),
    ],
)
def test_what_cannot_be_patched_is_checked_in_full(
    repo: Path, store: Cache, evaluated: Spy, name: str, old: str, new: str, why: str
) -> None:
    run(repo, store)
    edit(repo, name, old, new)
    after = shown(run(repo, store))
    assert (evaluated.full, evaluated.patched) == (2, 0), why
    assert after == fresh(repo)


def test_the_index_is_rewritten_only_when_it_changes(repo: Path, store: Cache, evaluated: Spy) -> None:
    run(repo, store)
    index = index_file(store)
    kept = index.read_bytes()
    edit(repo, SECURITY, "accountable: ciso", "accountable: cio")  # the same files name the same duties
    run(repo, store)
    assert evaluated.patched == 1
    assert index.read_bytes() == kept
    with (repo / CISO_OFFICE).open("a") as out:
        out.write("  - duty: sec.vuln-scanning\n    informed: [cfo]\n")
    assert shown(run(repo, store)) == fresh(repo)
    assert evaluated.patched == 2
    assert index.read_bytes() != kept  # this file now holds part of sec.vuln-scanning's share
    edit(repo, SECURITY, "accountable: cio", "accountable: cfo")
    assert shown(run(repo, store)) == fresh(repo)  # read through the new index
    assert evaluated.patched == 3


def test_an_edit_that_changes_no_finding_rewrites_only_the_record(repo: Path, store: Cache, evaluated: Spy) -> None:
    run(repo, store)
    kept = {
        path: path.read_bytes() for path in records(store) if "context" not in json.loads(path.read_text())["value"]
    }
    edit(repo, SECURITY, "title: Lead security incident response", "title: Lead the response to incidents")
    assert shown(run(repo, store)) == fresh(repo)
    assert evaluated.patched == 1
    assert {path: path.read_bytes() for path in kept} == kept  # the outcome and the index
    edit(repo, SECURITY, "title: Lead the response to incidents", "title: Run incident response")
    assert shown(run(repo, store)) == fresh(repo)  # from the record pointing at the same outcome
    assert evaluated.patched == 2


def many_findings() -> dict[str, str]:
    """Forty duties, each with a former CIO (inactive) informed: forty findings."""
    duties = "".join(
        f"  - {{id: it.d{n}, title: D{n}, raci: {{accountable: ciso, responsible: [ops], informed: [old]}}}}\n"
        for n in range(40)
    )
    return {
        "policies/parties.yaml": "apiVersion: raci/v1\nkind: Parties\nparties:\n"
        "  - {id: ciso, name: CISO, type: role}\n  - {id: ops, name: Operations, type: team}\n"
        "  - {id: old, name: Former CIO, type: person, active: false}\n",
        "policies/duties.yaml": "apiVersion: raci/v1\nkind: Duties\nduties:\n" + duties,
    }


def test_a_patch_writes_the_findings_that_changed_not_all_of_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, evaluated: Spy
) -> None:
    root, store = small_repo(tmp_path, monkeypatch, many_findings())
    (base,) = (p for p in records(store) if "raw" in json.loads(p.read_text())["value"])
    written = base.read_bytes()
    assert len(json.loads(written)["value"]["raw"]) == 40
    edit(root, "policies/duties.yaml", "informed: [old]", "informed: [ciso]")  # on it.d0
    assert shown(run(root, store)) == fresh(root)
    edit(
        root,
        "policies/duties.yaml",
        "id: it.d7, title: D7, raci: {accountable: ciso",
        "id: it.d7, title: D7, raci: {accountable: old",
    )
    assert shown(run(root, store)) == fresh(root)
    assert evaluated.patched == 2
    assert base.read_bytes() == written
    (outcome,) = (p for p in records(store) if "added" in json.loads(p.read_text())["value"])
    delta = json.loads(outcome.read_text())["value"]
    # Out: d0's finding, and d7's (its column moved: `old` is shorter than `ciso`). In: d0's
    # redundant-role; d7's, its orphaned-duty and two inactive-party (informed, accountable).
    assert (sorted(delta["gone"]), len(delta["added"])) == ([0, 7], 5)
    # Once the changes add up to a quarter of the base, the base is written again.
    for n in range(10, 19):
        edit(
            root,
            "policies/duties.yaml",
            f"id: it.d{n}, title: D{n}, raci: {{accountable: ciso, responsible: [ops], informed: [old]",
            f"id: it.d{n}, title: D{n}, raci: {{accountable: ciso, responsible: [ops], informed: [ciso]",
        )
        assert shown(run(root, store)) == fresh(root)
    assert evaluated.patched == 11
    assert base.read_bytes() != written
    delta, rows = json.loads(outcome.read_text())["value"], json.loads(base.read_text())["value"]["raw"]
    assert 4 * (len(delta["gone"]) + len(delta["added"])) < len(rows)


@pytest.mark.parametrize(
    "damage",
    [
        lambda v: v.update(gone=[10**6]),  # no such row
        lambda v: v.update(gone=["0"]),
        lambda v: v.update(base="0" * 64),  # another run's base
        lambda v: v.update(added=[["inactive-party"]]),
    ],
)
def test_a_damaged_delta_is_a_full_run_not_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, evaluated: Spy, damage: object
) -> None:
    root, store = small_repo(tmp_path, monkeypatch, many_findings())
    edit(root, "policies/duties.yaml", "informed: [old]", "informed: [ciso]")
    run(root, store)
    (outcome,) = (p for p in records(store) if "added" in json.loads(p.read_text())["value"])
    entry = json.loads(outcome.read_text())
    damage(entry["value"])  # type: ignore[operator]
    outcome.write_text(json.dumps(entry))
    assert shown(run(root, store)) == fresh(root)
    assert (evaluated.full, evaluated.patched) == (2, 1)


@pytest.mark.parametrize(
    "damage",
    [
        lambda v: v.clear(),
        lambda v: v.update(id="0" * 64),  # another run's index
        lambda v: v.update(shares=[]),
        lambda v: v.update(shares={"sec.incident-response": "7"}),
        lambda v: v.update(shares={"sec.incident-response": [10**6]}),  # no such file
        lambda v: v.update(shares={"sec.incident-response": [-1]}),
        lambda v: v.update(directory=["0"]),
        lambda v: v.update(funders=None),
        lambda v: v.update(payers={"x": 1}),
        lambda v: v.update(funders={"sec.incident-response": [[0]]}),
    ],
)
def test_a_damaged_index_is_a_full_run_not_an_error(repo: Path, store: Cache, evaluated: Spy, damage: object) -> None:
    run(repo, store)
    path = index_file(store)
    entry = json.loads(path.read_text())
    damage(entry["value"])  # type: ignore[operator]
    path.write_text(json.dumps(entry))
    edit(repo, SECURITY, "accountable: ciso", "accountable: cio")
    assert shown(run(repo, store)) == fresh(repo)
    assert evaluated.patched == 0


@pytest.mark.parametrize("span", [[0, 10**20], [0, 2**40], [5, 2], [-1, 3], ["0", 3], [0]])
def test_a_damaged_span_in_a_changed_files_old_entry_is_a_miss(
    repo: Path, store: Cache, evaluated: Spy, span: list[object]
) -> None:
    run(repo, store)
    (record,) = (p for p in records(store) if "context" in json.loads(p.read_text())["value"])
    old = dict(json.loads(record.read_text())["value"]["files"])[SECURITY]
    entry = store.load(old)
    entry["inline"]["sec.incident-response"] = span
    store.save(old, entry)
    edit(repo, SECURITY, "accountable: ciso", "accountable: cio")
    assert shown(run(repo, store)) == fresh(repo)
    assert evaluated.patched == 0


def test_a_rule_declared_per_duty_wrongly_would_be_caught(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, evaluated: Spy
) -> None:
    """The harness is sharp: were idle-party declared PER_DUTY (it reads every duty's
    claims), an edit that leaves a party named only elsewhere would wrongly make it idle."""
    root, store = small_repo(tmp_path, monkeypatch, two_files())
    edit(root, "policies/duties/a.yaml", "responsible: [ops]", "responsible: [ciso]")
    assert shown(run(root, store)) == fresh(root)  # as declared: a tally
    monkeypatch.setattr(idle_party, "PER_DUTY", True, raising=False)
    edit(root, "policies/duties/a.yaml", "responsible: [ciso]", "responsible: [ops]")
    run(root, store)
    # Caught: the patch would take out an idle-party finding on ops that was never kept.
    assert (evaluated.full, evaluated.patched) == (2, 1)
    edit(root, "policies/duties/a.yaml", "responsible: [ops]", "responsible: [ciso]")
    wrong = run(root, store)
    assert evaluated.patched == 2  # not caught: only a fresh run tells
    assert "ops" in {f.subject for f in wrong.findings if f.rule == "idle-party"}
    assert shown(wrong) != fresh(root)


def two_files() -> dict[str, str]:
    """ops is responsible for a duty in each of two files."""
    head = "apiVersion: raci/v1\nkind: Duties\nduties:\n"
    return {
        "policies/parties.yaml": "apiVersion: raci/v1\nkind: Parties\nparties:\n"
        "  - {id: ciso, name: CISO, type: role}\n  - {id: ops, name: Security operations, type: team}\n",
        "policies/duties/a.yaml": head + "  - id: sec.a\n    title: A\n    raci:\n"
        "      accountable: ciso\n      responsible: [ops]\n",
        "policies/duties/b.yaml": head + "  - id: sec.b\n    title: B\n    raci:\n"
        "      accountable: ciso\n      responsible: [ops]\n",
    }


def small_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tree: dict[str, str]) -> tuple[Path, Cache]:
    """`tree` written to a repository, run once with a cache of its own (outside it,
    or the cache is not used)."""
    root = tmp_path / "repo"
    write_set(root, tree)
    store = Cache(tmp_path / "cache")
    monkeypatch.chdir(root)
    run(root, store)
    return root, store


def write_set(root: Path, tree: dict[str, str]) -> None:
    (root / ".git").mkdir(parents=True, exist_ok=True)
    for name, text in tree.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


# --- Any edit, on any generated set ---------------------------------------

TODAY = datetime.date(2027, 1, 1)
ITEM = re.compile(r"^  - \{.*\}$", re.MULTILINE)
PARTY = re.compile(r"\b(?:" + "|".join(re.escape(p) for p in [*PARTY_IDS, *GHOST_PARTIES]) + r")\b")
EDITS = ["swap party", "drop entry", "copy entry", "comment", "retitle", "rename", "activity"]
# Severities of the configuration: one rule turned off, one raised, one lowered.
CONFIG = "rules:\n  redundant-role: off\n  idle-party: error\n  double-ownership: warning\n"
# Custom rules over generated duty ids: one per duty (`require`), one across duties (`separate`).
RULES_FILE = """apiVersion: raci/v1
kind: Rules
rules:
  - id: ciso-answers
    type: require
    description: The CISO answers
    select: {ids: ["[a-m]*"]}
    require: {party: ciso, as: [accountable]}
  - id: apart
    type: separate
    description: Kept apart
    left: {ids: ["[a-m]*"]}
    right: {ids: ["[n-z]*"]}
    letters: [accountable, responsible]
"""


def _edited(text: str, how: str, rng: random.Random, others: list[str]) -> str:
    """`text` (one policy file) after one edit a governance team could make."""
    items = ITEM.findall(text)
    if how == "comment":
        return "# reviewed\n" + text
    if how == "copy entry" and others:
        donors = [line for other in others for line in ITEM.findall(other)]
        return text + rng.choice(donors) + "\n" if donors and items else text
    if not items:
        return text + "# nothing to edit\n"
    line = rng.choice(items)
    if how == "swap party":
        names = PARTY.findall(line)
        if names:
            old = rng.choice(names)
            line_new = line.replace(old, rng.choice([*PARTY_IDS, *GHOST_PARTIES]), 1)
            return text.replace(line, line_new, 1)
    elif how == "drop entry":
        return text.replace(line + "\n", "", 1)
    elif how == "retitle":
        return text.replace(
            line, line.replace("title: ", 'title: "(again)" ', 1).replace('"(again)" "', '"again ', 1), 1
        )
    elif how == "rename":
        return text.replace(line, re.sub(r"(\{(?:id|duty): )", r"\1x", line, count=1), 1)
    elif how == "activity":
        swapped = (
            line.replace("active: false", "active: true")
            if "active: false" in line
            else line.replace("}", ", active: false}", 1)
        )
        return text.replace(line, swapped, 1)
    return text + "\n"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_edit_to_any_set_reports_what_a_fresh_run_does(data: st.DataObject) -> None:
    # Entries spoilt, renamed and defined twice over, and whole files damaged: what
    # the cache holds of a file is then its findings as much as its part.
    items = data.draw(mutated(data.draw(specs()).items(), rough=True))
    tree = {
        name: text if isinstance(text, str) else text.decode("utf-8", "replace")
        for name, text in data.draw(damaged(data.draw(layouts(items)))).items()
    }
    if data.draw(st.booleans()):
        tree["policies/rules.yaml"] = RULES_FILE
    config_text = data.draw(st.sampled_from(["", CONFIG]))
    steps = data.draw(st.lists(st.tuples(st.sampled_from(EDITS), st.integers(0, 10**6)), min_size=1, max_size=4))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_set(root, tree)
        if config_text:
            (root / ".raci.yaml").write_text(config_text)
        store = Cache(root / ".." / (root.name + "-cache"))
        try:
            config = load_config(cwd=root)
            check([root / "policies"], config=config, today=TODAY, store=store)
            for how, seed in steps:
                rng = random.Random(seed)
                name = rng.choice(sorted(tree))
                tree[name] = _edited(tree[name], how, rng, [t for n, t in tree.items() if n != name])
                (root / name).write_text(tree[name])
                got = check([root / "policies"], config=config, today=TODAY, store=store)
                want = check([root / "policies"], config=config, today=TODAY)
                assert render("json", got) == render("json", want), (how, name)
        finally:
            shutil.rmtree(store.base, ignore_errors=True)


# --- The parts -------------------------------------------------------------


def test_settled_findings_do_not_depend_on_the_order_of_the_raw_ones(repo: Path) -> None:
    config = load_config(cwd=repo)
    report = check(config=config, today=TODAY)
    raw = [f for f in report.findings if not f.suppressed]
    shuffled = raw[:]
    random.Random(7).shuffle(shuffled)
    model = report.model
    assert evaluation.settled(shuffled, model.waivers, config, TODAY) == evaluation.settled(
        raw, model.waivers, config, TODAY
    )


def test_two_findings_that_differ_only_in_message_sort_the_same_way_from_any_order() -> None:
    at = Location("a.yaml", 3, 5)
    one = Finding("schema", Severity.ERROR, "a.yaml", "b", at)
    two = Finding("schema", Severity.ERROR, "a.yaml", "a", at)
    assert sorted([one, two], key=Finding.sort_key) == sorted([two, one], key=Finding.sort_key) == [two, one]


def test_a_waiver_row_round_trips_and_a_damaged_one_raises() -> None:
    waiver = Waiver(
        "double-ownership",
        "sec.incident-response",
        "The board accepted it until the reorganisation",
        "2027-03-31",
        Location("policies/waivers/w.yaml", 4, 9),
        Location("policies/waivers/w.yaml", 7, 14),
        (cache.Ref("cfo", Location("policies/waivers/w.yaml", 8, 20)),),
        "GRC-12",
    )
    assert cache.waiver_of(json.loads(json.dumps(cache.waiver_row(waiver)))) == waiver
    for spoil in (
        lambda r: r.__setitem__(3, "2027-02-30"),
        lambda r: r.__setitem__(0, 7),
        lambda r: r.__setitem__(6, [[1, "f", 1, 1]]),
        lambda r: r.__setitem__(7, 12),
        lambda r: r.pop(),
    ):
        row = cache.waiver_row(waiver)
        spoil(row)
        with pytest.raises((ValueError, TypeError)):
            cache.waiver_of(row)


def test_every_rule_says_how_a_change_to_one_duty_can_change_it() -> None:
    # A rule that says nothing is evaluated in full after any change to a duty: correct,
    # but a newcomer's rule should be a decision, not an accident.
    scopes = {check.name: check.scope for check in evaluation.checks(load_config(cwd=ROOT))}
    assert scopes["idle-party"] == "tally"
    assert scopes["funder-without-role"] == "budget"
    across = {each.name for each in evaluation.checks(load_config(cwd=ROOT)) if each.scope == "across"}
    reading_no_duty = {name for name, rule in registry.RULES.items() if getattr(rule, "reads", None) is no_duty}
    assert across - reading_no_duty == {"unknown-duty", "rule-unused", "separate rules"}
    assert {"split-total", "pool-overcommitted", "reports-to-cycle", "schema"} <= reading_no_duty
    for each in evaluation.checks(load_config(cwd=ROOT)):
        if each.scope == "across":
            assert each.reads is not None, each.name

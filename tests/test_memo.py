"""Early cutoff: a run whose files all mean what they meant last time reports the
remembered outcome, and anything that could change an outcome is a miss.

Every comparison is with a run without the cache (`store=None`), which never
recalls anything. `evaluation.raw` (every rule on the whole set) and
`incremental.patch` (the rules on what an edit touched) are replaced by spies,
so that a test can tell a recalled outcome from a computed one.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker import cache as cache_module
from checker import memo
from checker.cache import Cache
from checker.config import load_config
from checker.engine import check
from checker.reporters import render
from tests.gitrepo import Repo
from tests.recall_support import (
    ROOT,
    SECOND_OWNER,
    SECURITY,
    TODAY,
    Spy,
    bundled_repo,
    edit,
    fresh,
    records,
    run,
    shown,
)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return bundled_repo(tmp_path, monkeypatch)


def test_an_unchanged_set_is_recalled_not_checked(repo: Path, store: Cache, evaluated: Spy) -> None:
    first = shown(run(repo, store))
    assert evaluated.calls == 1
    second = shown(run(repo, store))
    assert evaluated.calls == 1
    assert second == first == fresh(repo)
    assert '"rule": "double-ownership"' in second


def test_a_comment_added_at_the_end_changes_nothing(repo: Path, store: Cache, evaluated: Spy) -> None:
    run(repo, store)
    with (repo / SECURITY).open("a") as out:
        out.write("# reviewed by the CISO's office, 2026-11\n")
    recalled = shown(run(repo, store))
    assert evaluated.calls == 1
    assert recalled == fresh(repo)
    # and the record now holds the new bytes: the same edit again is no change at all
    assert shown(run(repo, store)) == recalled
    assert evaluated.calls == 1


@pytest.mark.parametrize(
    ("names", "calls"),
    [
        # The full run would parse one file in this process too: comparing it costs no more.
        ((SECURITY,), 1),
        # Two or more uncached files over the bound: the full run parses them on
        # several processors, faster than comparing them one at a time here.
        ((SECURITY, "policies/parties.yaml"), 2),
    ],
)
def test_changed_files_are_compared_unless_the_full_run_would_parse_them_in_parallel(
    repo: Path, store: Cache, evaluated: Spy, monkeypatch: pytest.MonkeyPatch, names: tuple[str, ...], calls: int
) -> None:
    run(repo, store)
    monkeypatch.setattr(memo, "PARALLEL_MIN_BYTES", 100)
    for name in names:
        with (repo / name).open("a") as out:
            out.write("# reviewed\n")
    assert shown(check(config=load_config(cwd=repo), today=TODAY, store=store, jobs=2)) == fresh(repo)
    assert evaluated.calls == calls


def test_a_comment_that_moves_lines_is_checked_again(repo: Path, store: Cache, evaluated: Spy) -> None:
    before = run(repo, store)
    name = "policies/assignments/second-owner.yaml"
    (repo / name).write_text("# added by the CIO's office\n" + SECOND_OWNER)
    after = run(repo, store)
    assert evaluated.calls == 2
    assert shown(after) == fresh(repo)
    lines = {f.location.line for f in before.findings if f.location.file == name}
    assert lines  # the double ownership is placed in this file
    assert {f.location.line for f in after.findings if f.location.file == name} == {n + 1 for n in lines}


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        (SECURITY, "accountable: ciso", "accountable: cio"),  # a new owner
        (SECURITY, "informed: [cio]", "informed: [cio, chief-nobody]"),  # an unknown party, same lines
        ("policies/waivers/fy2027.yaml", "expires: 2027-09-30", "expires: 2026-11-30"),  # a waiver expires
        ("policies/parties.yaml", "id: cfo", "id: cfo-office"),  # a party renamed: claims dangle
    ],
)
def test_a_change_of_meaning_is_checked_again(
    repo: Path, store: Cache, evaluated: Spy, name: str, old: str, new: str
) -> None:
    before = shown(run(repo, store))
    edit(repo, name, old, new)
    after = shown(run(repo, store))
    assert evaluated.calls == 2
    assert after == fresh(repo)
    assert after != before


def test_files_added_removed_and_renamed_are_checked_again(repo: Path, store: Cache, evaluated: Spy) -> None:
    run(repo, store)
    extra = repo / "policies" / "assignments" / "second-owner.yaml"
    extra.rename(repo / "policies" / "assignments" / "z-second-owner.yaml")  # same bytes, another name
    assert shown(run(repo, store)) == fresh(repo)
    (repo / "policies" / "assignments" / "z-second-owner.yaml").unlink()
    assert shown(run(repo, store)) == fresh(repo)
    (repo / "policies" / "assignments" / "again.yaml").write_text(SECOND_OWNER)
    assert shown(run(repo, store)) == fresh(repo)
    assert evaluated.calls == 4


def test_the_date_decides_too(repo: Path, store: Cache, evaluated: Spy) -> None:
    run(repo, store)
    later = datetime.date(2027, 10, 1)  # the bundled waiver has expired by then
    report = run(repo, store, later)
    assert evaluated.calls == 2
    assert shown(report) == fresh(repo, later)
    assert any(f.rule == "waiver-expired" for f in report.findings)


def test_the_configuration_decides_too(repo: Path, store: Cache, evaluated: Spy) -> None:
    run(repo, store)
    (repo / ".raci.yaml").write_text("rules:\n  double-ownership: warning\n")
    report = run(repo, store)
    assert evaluated.calls == 2
    assert {f.severity.value for f in report.findings if f.rule == "double-ownership"} == {"warning"}
    assert shown(report) == fresh(repo)


def test_a_comment_in_the_configuration_changes_nothing(repo: Path, store: Cache, evaluated: Spy) -> None:
    (repo / ".raci.yaml").write_text("rules:\n  idle-party: warning\n")
    run(repo, store)
    (repo / ".raci.yaml").write_text("# the CISO asked for this\nrules:\n  idle-party: warning\n")
    assert shown(run(repo, store)) == fresh(repo)
    assert evaluated.calls == 1  # where a built-in rule's name is written is in no finding


def test_a_misspelt_rule_name_that_moves_is_checked_again(repo: Path, store: Cache, evaluated: Spy) -> None:
    (repo / ".raci.yaml").write_text("rules:\n  idle-partyy: warning\n")
    before = run(repo, store)
    (repo / ".raci.yaml").write_text("# the CISO asked for this\nrules:\n  idle-partyy: warning\n")
    after = run(repo, store)
    assert evaluated.calls == 2  # its finding points at the name
    assert shown(after) == fresh(repo)
    lines = [f.location.line for report in (before, after) for f in report.findings if f.detail == "rules.idle-partyy"]
    assert lines == [2, 3]


def test_the_waiver_limit_and_the_loader_limits_decide_too(repo: Path, store: Cache, evaluated: Spy) -> None:
    run(repo, store)
    (repo / ".raci.yaml").write_text("waivers:\n  max_days: 30\n")
    assert shown(run(repo, store)) == fresh(repo)
    assert evaluated.calls == 2
    # (the loader's limits are in every file's key too, and in the context through `cache.salt`)
    (repo / ".raci.yaml").write_text("waivers:\n  max_days: 30\nlimits:\n  max_depth: 8\n")
    assert shown(run(repo, store)) == fresh(repo)
    assert evaluated.calls == 3


def test_a_file_refused_then_readable_is_checked_again(repo: Path, store: Cache, evaluated: Spy) -> None:
    outside = repo.parent / "outside.yaml"
    outside.write_text(SECOND_OWNER)
    link = repo / "policies" / "assignments" / "linked.yaml"
    link.symlink_to(outside)  # a link out of the repository is refused, with a finding
    refused = shown(run(repo, store))
    assert refused == fresh(repo)
    assert shown(run(repo, store)) == refused
    assert evaluated.calls == 1
    link.unlink()
    link.write_text(SECOND_OWNER)  # the same bytes, now a file of the set
    readable = shown(run(repo, store))
    assert evaluated.calls == 2
    assert readable == fresh(repo)
    assert readable != refused


def test_another_version_of_the_checker_does_not_recall(
    repo: Path, store: Cache, evaluated: Spy, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(repo, store)
    cache_module.salt.cache_clear()
    monkeypatch.setattr(cache_module, "__version__", "99.0.0")
    try:
        run(repo, store)
    finally:
        cache_module.salt.cache_clear()
    assert evaluated.calls == 2


def test_another_working_folder_does_not_recall(
    repo: Path, store: Cache, evaluated: Spy, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(repo, store)
    monkeypatch.chdir(repo / "policies")  # names are shown relative to the repository either way
    run(repo, store)
    assert evaluated.calls == 2


def damage_record(store: Cache, change: Callable[[dict[str, Any]], object]) -> None:
    """Change the record's value (the entry keeps its own key, so the cache hands it over)."""
    (path,) = (p for p in records(store) if "context" in json.loads(p.read_text())["value"])
    entry = json.loads(path.read_text())
    change(entry["value"])
    path.write_text(json.dumps(entry))


@pytest.mark.parametrize("garbage", [b"", b"not json", b"[]", b'{"key": 1}'])
def test_a_damaged_record_file_is_a_miss_not_an_error(repo: Path, store: Cache, evaluated: Spy, garbage: bytes) -> None:
    run(repo, store)
    for path in records(store):
        path.write_bytes(garbage)
    assert shown(run(repo, store)) == fresh(repo)
    assert evaluated.calls == 2


def first_file(value: dict[str, Any], identity: object) -> None:
    value["files"][0][1] = identity


@pytest.mark.parametrize(
    "change",
    [
        lambda v: v.clear(),
        lambda v: v.update(outcome="0" * 64),  # another outcome than the one stored
        lambda v: v.update(outcome=None),
        lambda v: v.update(files="policies"),
        lambda v: v.update(files=[["policies/parties.yaml"]]),
        lambda v: v["files"].reverse(),
        lambda v: v.update(context=v["context"][::-1]),
        lambda v: first_file(v, 5),  # not a key at all
        lambda v: first_file(v, None),
        lambda v: first_file(v, "/etc/passwd"),  # a path, not a key (see the planted test below)
        lambda v: first_file(v, "ab/../../../../../tmp/x"),
        lambda v: first_file(v, "!" + "0" * 64),  # a refused file's identity where a file was read
        lambda v: first_file(v, "0" * 64),  # a key with no entry
    ],
)
def test_a_record_of_another_shape_is_a_miss(
    repo: Path, store: Cache, evaluated: Spy, change: Callable[[dict[str, Any]], object]
) -> None:
    run(repo, store)
    damage_record(store, change)
    assert shown(run(repo, store)) == fresh(repo)
    assert evaluated.calls == 2


def test_an_outcome_id_json_cannot_write_back_is_a_miss(repo: Path, store: Cache, evaluated: Spy) -> None:
    # A lone surrogate reads from JSON but cannot be written as UTF-8: a recall that
    # would point the record at new bytes with it must be a miss, not a traceback.
    run(repo, store)
    for path in records(store):
        entry = json.loads(path.read_text())
        entry["value"]["outcome" if "context" in entry["value"] else "id"] = "\ud800"
        path.write_text(json.dumps(entry))  # ASCII, with the surrogate as an escape
    with (repo / SECURITY).open("a") as out:
        out.write("# reviewed\n")
    assert shown(run(repo, store)) == fresh(repo)
    assert evaluated.calls == 2


def test_an_entry_planted_outside_the_keys_is_never_read(repo: Path, store: Cache, evaluated: Spy) -> None:
    # A record naming `../planted` as a file's old key: were it made into a path,
    # the copy planted there would make the file look unchanged.
    run(repo, store)
    record = next(p for p in records(store) if "context" in json.loads(p.read_text())["value"])
    _, real = json.loads(record.read_text())["value"]["files"][0]
    planted = Path(os.path.normpath(store.root / ".." / "../planted.json"))
    planted.write_text(json.dumps({"key": "../planted", "value": store.load(real)}))
    damage_record(store, lambda v: first_file(v, "../planted"))
    assert shown(run(repo, store)) == fresh(repo)
    assert evaluated.calls == 2


@pytest.mark.parametrize(
    "finding",
    [
        ["double-ownership", "off", "s", "m", ["a.yaml", 1, 1], [], "", False, None],  # never a finding's level
        ["double-ownership", "error", "s", "m", ["a.yaml", "1", 1], [], "", False, None],
        ["double-ownership", "error", "s", 7, ["a.yaml", 1, 1], [], "", False, None],
        ["double-ownership", "error", "s", "m", ["a.yaml", 1, 1], [], "", "no", None],
        ["double-ownership", "error", "s", "m", ["a.yaml", 1], [], "", False, None],
    ],
)
def test_a_damaged_finding_is_a_miss(repo: Path, store: Cache, evaluated: Spy, finding: list[object]) -> None:
    run(repo, store)
    (path,) = (p for p in records(store) if "raw" in json.loads(p.read_text())["value"])
    entry = json.loads(path.read_text())
    entry["value"]["raw"][0] = finding
    path.write_text(json.dumps(entry))
    assert shown(run(repo, store)) == fresh(repo)
    assert evaluated.calls == 2


def test_an_outcome_written_for_another_record_is_not_used(repo: Path, store: Cache, evaluated: Spy) -> None:
    # Two runs replacing the record and the outcome in turn: the record of the first
    # with the outcome of the second must not be read as one.
    run(repo, store)
    kept = {p: p.read_bytes() for p in records(store) if "context" in json.loads(p.read_text())["value"]}
    edit(repo, SECURITY, "accountable: ciso", "accountable: cio")
    run(repo, store)
    edit(repo, SECURITY, "accountable: cio", "accountable: ciso")
    for path, data in kept.items():
        path.write_bytes(data)  # the first run's record, the second run's outcome
    assert shown(run(repo, store)) == fresh(repo)
    assert evaluated.calls == 3


def test_the_model_of_a_recalled_run_is_built_when_asked_for(repo: Path, store: Cache, evaluated: Spy) -> None:
    computed = run(repo, store)
    recalled = run(repo, store)
    assert evaluated.calls == 1
    assert recalled.counts == computed.counts
    # views that need the model (`raci budgets`, `raci matrix`, SARIF's waivers) still get it
    assert recalled.model.counts() == computed.model.counts()
    assert recalled.model.claims == computed.model.claims
    assert recalled.model.waivers == computed.model.waivers
    assert render("sarif", recalled) == render("sarif", computed)


def test_a_recalled_model_survives_a_damaged_entry(repo: Path, store: Cache, evaluated: Spy) -> None:
    computed = run(repo, store)
    for path in store.root.rglob("*.json"):
        if "runs" not in path.relative_to(store.root).parts:
            path.write_bytes(b"garbage")
    recalled = run(repo, store)
    assert evaluated.calls == 1  # recalled: the parts were not needed
    assert recalled.model.claims == computed.model.claims  # and when they are, each file is parsed again


def test_no_cache_remembers_nothing(repo: Path) -> None:
    command = [sys.executable, "-m", "checker", "check", "--no-cache", "--today", TODAY.isoformat()]
    done = subprocess.run(command, cwd=repo, env=command_env(), capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "double-ownership" in done.stdout
    assert not list(Path(os.environ["XDG_CACHE_HOME"]).rglob("*.json"))


def test_a_revision_is_never_recalled_as_the_working_tree(
    tmp_path: Path, store: Cache, evaluated: Spy, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `--at` and `--base` read git objects, whose parts are cached by blob id: the
    # working tree's record is neither read nor written for them.
    repo = Repo(tmp_path / "git")
    shutil.copytree(ROOT / "policies", repo.root / "policies")
    repo.commit("the bundled policies")
    repo.write({"policies/assignments/second-owner.yaml": SECOND_OWNER})
    monkeypatch.chdir(repo.root)
    config = load_config(cwd=repo.root)
    tree = check(config=config, today=TODAY, store=store)
    record = {p: p.read_bytes() for p in records(store)}
    at_head = check(config=config, today=TODAY, store=store, at="HEAD")
    assert {p: p.read_bytes() for p in records(store)} == record
    assert evaluated.calls == 2
    assert [f.rule for f in tree.findings] != [f.rule for f in at_head.findings]  # HEAD has no second owner
    new = check(config=config, today=TODAY, store=store, base="HEAD")
    assert evaluated.calls == 3  # the base only: the working tree was recalled
    assert "double-ownership" in {f.rule for f in new.findings}


# Edits a governance team makes between two runs: each keeps the set valid YAML.
EDITS = [
    ("comment at the end", SECURITY, None, "# reviewed\n"),
    ("comment at the top", SECURITY, "apiVersion", "# reviewed\napiVersion"),
    ("second owner", SECURITY, "accountable: ciso", "accountable: cio"),
    (
        "owner back",
        SECURITY,
        "accountable: cio\n    responsible: [security-ops]",
        "accountable: ciso\n    responsible: [security-ops]",
    ),
    ("trailing space", "policies/parties.yaml", "type: role", "type: role "),
    ("renamed party", "policies/parties.yaml", "id: cfo", "id: cfo-office"),
    ("party back", "policies/parties.yaml", "id: cfo-office", "id: cfo"),
    ("waiver shortened", "policies/waivers/fy2027.yaml", "expires: 2027-09-30", "expires: 2026-11-30"),
    ("waiver restored", "policies/waivers/fy2027.yaml", "expires: 2026-11-30", "expires: 2027-09-30"),
]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(range(len(EDITS))), st.booleans()), min_size=1, max_size=6))
def test_any_sequence_of_edits_reports_what_a_fresh_run_does(
    tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[int, bool]], monkeypatch: pytest.MonkeyPatch
) -> None:
    base = tmp_path_factory.mktemp("edits")
    root = base / "repo"
    shutil.copytree(ROOT / "policies", root / "policies")
    (root / ".git").mkdir()
    monkeypatch.chdir(root)
    store = Cache(base / "cache")
    for index, later in steps:
        _, name, old, new = EDITS[index]
        path = root / name
        text = path.read_text()
        if old is None:
            path.write_text(text + new)
        elif old in text:
            path.write_text(text.replace(old, new, 1))
        today = datetime.date(2027, 10, 1) if later else TODAY
        assert shown(run(root, store, today)) == fresh(root, today), [EDITS[i][0] for i, _ in steps]


def command_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def test_the_command_recalls_across_processes(repo: Path) -> None:
    """Two `raci check` processes with a comment added in between: the second prints
    what the first did, from the remembered outcome (which it does not write again;
    it only points the record at the file's new bytes)."""
    command = [sys.executable, "-m", "checker", "check", "--today", TODAY.isoformat()]
    first = subprocess.run(command, cwd=repo, env=command_env(), capture_output=True, text=True, timeout=60)
    assert first.returncode == 1
    assert "double-ownership" in first.stdout
    store = Cache()
    (outcome,) = (p for p in records(store) if "raw" in json.loads(p.read_text())["value"])
    (record,) = (p for p in records(store) if "context" in json.loads(p.read_text())["value"])
    written = outcome.read_bytes(), record.read_bytes()
    with (repo / SECURITY).open("a") as out:
        out.write("# reviewed\n")
    second = subprocess.run(command, cwd=repo, env=command_env(), capture_output=True, text=True, timeout=60)
    assert (second.returncode, second.stdout, second.stderr) == (first.returncode, first.stdout, first.stderr)
    assert outcome.read_bytes() == written[0]
    assert record.read_bytes() != written[1]

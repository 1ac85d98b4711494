"""The cache of parsed files: same results, never stale, never executed, safe to share.

Each test has a cache folder of its own (conftest sets XDG_CACHE_HOME).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from checker import cache as cache_module
from checker.cache import Cache, decode, encode, folder, key
from checker.config import load_config
from checker.engine import check
from checker.loader import Limits
from checker.reading import read_part
from checker.reporters import render
from tests.conftest import PARTIES, write_tree
from tests.gitrepo import Repo

ROOT = Path(__file__).resolve().parents[1]


def entries(root: Path) -> list[Path]:
    """The files' entries (the outcomes of runs are kept apart, in `runs/`)."""
    return sorted(
        p for p in root.rglob("*.json") if not p.name.startswith(".tmp-") and "runs" not in p.relative_to(root).parts
    )


def json_report(paths: list[Path], store: Cache | None) -> str:
    report = check(paths, config=load_config(cwd=ROOT), today=None, store=store)
    return render("json", report)


@pytest.mark.parametrize("folder_name", ["policies", "examples/broken"])
def test_a_cached_run_reports_exactly_what_a_fresh_one_does(tmp_path: Path, folder_name: str) -> None:
    store = Cache(tmp_path / "c")
    fresh = json_report([ROOT / folder_name], None)
    first = json_report([ROOT / folder_name], store)  # fills the cache
    assert entries(tmp_path / "c")
    second = json_report([ROOT / folder_name], store)  # reads it
    assert first == fresh
    assert second == fresh


def test_every_entry_round_trips(tmp_path: Path) -> None:
    for path in sorted((ROOT / "examples" / "broken").rglob("*.yaml")):
        name = path.relative_to(ROOT).as_posix()
        part, findings = read_part(name, path.read_bytes(), Limits())
        again, found = decode(json.loads(json.dumps(encode(part, findings))), name)
        assert found == findings, name
        for table in ("parties", "duties", "claims", "inline", "pools", "budgets", "rules", "waivers"):
            assert getattr(again, table) == getattr(part, table), (name, table)
        assert again.redefinitions == part.redefinitions
        assert again.assignments == part.assignments


def test_the_key_follows_bytes_name_limits_and_versions(monkeypatch: pytest.MonkeyPatch) -> None:
    data = PARTIES.encode()
    base = key("policies/parties.yaml", data, Limits())
    assert key("policies/parties.yaml", data, Limits()) == base
    assert key("policies/parties.yaml", data + b"\n", Limits()) != base
    assert key("policies/other.yaml", data, Limits()) != base
    assert key("policies/parties.yaml", data, Limits(max_depth=10)) != base
    cache_module.salt.cache_clear()
    monkeypatch.setattr(cache_module, "__version__", "99.0.0")
    try:
        assert key("policies/parties.yaml", data, Limits()) != base
    finally:
        cache_module.salt.cache_clear()


def repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository beside (never holding) the cache folder `tmp_path / "c"`."""
    root = tmp_path / "repo"
    write_tree(root, {"policies/parties.yaml": PARTIES})
    (root / ".git").mkdir()
    monkeypatch.chdir(root)
    return root


def test_a_changed_file_is_parsed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = repository(tmp_path, monkeypatch)
    store = Cache(tmp_path / "c")
    config = load_config(cwd=root)
    assert check(config=config, store=store).counts["parties"] == 5
    write_tree(root, {"policies/parties.yaml": PARTIES + "  - {id: cfo, name: CFO, type: role}\n"})
    assert check(config=config, store=store).counts["parties"] == 6
    assert len(entries(tmp_path / "c")) == 2


@pytest.mark.parametrize(
    "garbage",
    [b"", b"not json", b"[]", b'{"findings": 1}', json.dumps({"findings": [], "parties": [[1]]}).encode()],
)
def test_a_damaged_entry_is_a_miss_not_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, garbage: bytes
) -> None:
    root = repository(tmp_path, monkeypatch)
    store = Cache(tmp_path / "c")
    config = load_config(cwd=root)
    check(config=config, store=store)
    (entry,) = entries(tmp_path / "c")
    entry.write_bytes(garbage)
    shutil.rmtree(store.of_kind("runs").root)  # else the run's remembered outcome spares reading the entry at all
    assert check(config=config, store=store).counts["parties"] == 5
    assert json.loads(entry.read_bytes())["value"]["parties"]  # and written again, whole


@pytest.mark.parametrize(
    "row",
    [
        ["schema", "error", "s", 7, ["policies/parties.yaml", 1, 1], [], "", False, None],  # a message not text
        ["schema", "off", "s", "m", ["policies/parties.yaml", 1, 1], [], "", False, None],  # never a finding's level
        ["schema", "error", "s", "m", ["policies/parties.yaml", 1], [], "", False, None],
        ["schema", "error", "s", "m", ["policies/parties.yaml", 1, 1], [], "", False],
    ],
)
def test_an_entry_with_a_damaged_finding_is_a_miss(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, row: list[object]
) -> None:
    # Read as it was, such a finding would only fail later, in a reporter.
    root = repository(tmp_path, monkeypatch)
    store = Cache(tmp_path / "c")
    config = load_config(cwd=root)
    first = render("json", check(config=config, store=store))
    (entry,) = entries(tmp_path / "c")
    stored = json.loads(entry.read_bytes())
    stored["value"]["findings"] = [row]
    entry.write_text(json.dumps(stored))
    shutil.rmtree(store.of_kind("runs").root)
    assert render("json", check(config=config, store=store)) == first
    assert json.loads(entry.read_bytes())["value"]["findings"] != [row]  # parsed and written again


def test_entries_are_plain_json_in_the_user_cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert folder() == tmp_path / "xdg" / "raci"
    write_tree(tmp_path, {"repo/policies/parties.yaml": PARTIES})
    (tmp_path / "repo" / ".git").mkdir()
    monkeypatch.chdir(tmp_path / "repo")
    check(config=load_config(cwd=tmp_path / "repo"), store=Cache())
    (entry,) = entries(tmp_path / "xdg" / "raci")
    stored = json.loads(entry.read_text(encoding="utf-8"))
    assert stored["key"] == entry.stem
    assert stored["value"]["parties"][0][0] == "ceo"
    assert not list((tmp_path / "repo").rglob("*.json"))  # nothing written into the repository


def test_an_unwritable_cache_folder_does_not_stop_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("")
    root = repository(tmp_path, monkeypatch)
    assert check(config=load_config(cwd=root), store=Cache(blocker)).counts["parties"] == 5


def test_two_writers_of_one_entry_never_leave_half_of_it(tmp_path: Path) -> None:
    name = "policies/parties.yaml"
    part, findings = read_part(name, PARTIES.encode(), Limits())
    store = Cache(tmp_path / "c")
    entry = key(name, PARTIES.encode(), Limits())
    errors: list[BaseException] = []
    seen: list[object] = []

    def write() -> None:
        try:
            for _ in range(50):
                store.put(entry, part, findings)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def read() -> None:
        for _ in range(200):
            found = store.get(entry, name)
            if found is not None:
                seen.append(found[0].parties == part.parties)

    threads = [threading.Thread(target=write) for _ in range(4)] + [threading.Thread(target=read) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert all(seen)
    assert [p.name for p in (tmp_path / "c").rglob("*") if p.is_file()] == [f"{entry}.json"]


def test_two_processes_sharing_the_cache_report_the_same(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "shared")}
    command = [sys.executable, "-m", "checker", "check", "examples/broken", "--format", "json", "--today", "2026-12-01"]
    runs = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE) for _ in range(3)]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    fresh = subprocess.run([*command, "--no-cache"], cwd=ROOT, env=env, stdout=subprocess.PIPE, timeout=120).stdout
    assert outputs == [fresh] * 3
    assert [run.returncode for run in runs] == [1, 1, 1]


def test_checks_and_history_walks_at_once_on_one_repository(tmp_path: Path) -> None:
    # Two pre-commit hooks, or CI jobs, at once: they share the repository and the
    # cache folder, and neither may see the other's half-written entries.
    repo = Repo(tmp_path / "repo")
    broken = ROOT / "examples" / "broken"
    for name in ("parties.yaml", "it-duties.yaml", "security-duties.yaml", "budgets.yaml"):
        repo.commit(f"Add {name}", {f"policies/{name}": (broken / name).read_text(encoding="utf-8")})
    retitled = (repo.root / "policies" / "it-duties.yaml").read_text(encoding="utf-8").replace("title: ", "title: New ")
    repo.commit("Retitle", {"policies/it-duties.yaml": retitled})
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "shared")}
    check_cmd = [sys.executable, "-m", "checker", "check", "--format", "json", "--today", "2026-12-01"]
    history_cmd = [sys.executable, "-m", "checker", "history", "--format", "json"]
    commands = [check_cmd, history_cmd] * 3
    runs = [subprocess.Popen(c, cwd=repo.root, env=env, stdout=subprocess.PIPE) for c in commands]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    fresh = [
        subprocess.run([*c, "--no-cache"], cwd=repo.root, env=env, stdout=subprocess.PIPE, timeout=120).stdout
        for c in (check_cmd, history_cmd)
    ]
    assert outputs == fresh * 3
    assert b'"findings"' in fresh[0]
    assert b'"commits"' in fresh[1]
    stored = list((tmp_path / "shared").rglob("*"))
    assert not [p for p in stored if p.name.startswith(".tmp-")]
    for path in [p for p in stored if p.is_file()]:
        assert json.loads(path.read_text(encoding="utf-8"))["key"] == path.stem
    # And what they left is what a later run reads.
    again = [
        subprocess.run(c, cwd=repo.root, env=env, stdout=subprocess.PIPE, timeout=120).stdout
        for c in (check_cmd, history_cmd)
    ]
    assert again == fresh


def test_no_cache_and_the_environment_switch_write_nothing(tmp_path: Path) -> None:
    base = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "x")}
    command = [sys.executable, "-m", "checker", "check", "policies", "--today", "2026-12-01"]
    subprocess.run([*command, "--no-cache"], cwd=ROOT, env=base, capture_output=True, timeout=120, check=True)
    subprocess.run(command, cwd=ROOT, env={**base, "RACI_NO_CACHE": "1"}, capture_output=True, timeout=120, check=True)
    assert not (tmp_path / "x").exists()
    subprocess.run(command, cwd=ROOT, env=base, capture_output=True, timeout=120, check=True)
    assert entries(tmp_path / "x")


# Found in review: a cache a pull request can write, and entries that are not what they seem.


def _planted(root: Path, store: Cache) -> Path:
    """An entry that says policies/duties.yaml is empty, under that file's real key."""
    from checker.model import PolicySet

    data = (root / "policies" / "duties.yaml").read_bytes()
    entry = key("policies/duties.yaml", data, Limits())
    store.put(entry, PolicySet(), [])
    return store._path(entry)


ORPHAN = "apiVersion: raci/v1\nkind: Duties\nduties:\n  - {id: d, title: D}\n"


def test_a_cache_inside_the_repository_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = repository(tmp_path, monkeypatch)
    write_tree(root, {"policies/duties.yaml": ORPHAN})
    inside = Cache(root / ".cache" / "raci")  # as a committed `.cache/` folder would be
    assert _planted(root, inside).is_file()
    report = check(config=load_config(cwd=root), store=inside)
    assert sorted(f.rule for f in report.findings if f.severity == "error") == ["no-responsible", "orphaned-duty"]
    outside = Cache(tmp_path / "c")
    _planted(root, outside)  # the same entry where the user's cache is: used (so the test above means something)
    assert [f for f in check(config=load_config(cwd=root), store=outside).findings if f.severity == "error"] == []


def test_a_relative_cache_home_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", ".cache")
    assert folder().is_absolute()


def test_an_entry_under_another_key_is_a_miss(tmp_path: Path) -> None:
    store = Cache(tmp_path / "c")
    part, findings = read_part("policies/parties.yaml", PARTIES.encode(), Limits())
    store.put("a" * 64, part, findings)
    other = store._path("b" * 64)
    other.parent.mkdir(parents=True)
    store._path("a" * 64).rename(other)
    assert store.get("b" * 64, "policies/parties.yaml") is None
    assert store.get("a" * 64, "policies/parties.yaml") is None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_or_a_link_in_the_cache_is_never_opened(tmp_path: Path) -> None:
    store = Cache(tmp_path / "c")
    fifo, link = store._path("f" * 64), store._path("e" * 64)
    fifo.parent.mkdir(parents=True)
    link.parent.mkdir(parents=True)
    os.mkfifo(fifo)
    os.symlink("/dev/zero", link)
    assert store.load("f" * 64) is None  # opening it for reading would block forever
    assert store.load("e" * 64) is None  # reading it would never end


def test_a_damaged_claim_is_a_miss_not_a_failure_in_a_rule(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = repository(tmp_path, monkeypatch)
    write_tree(root, {"policies/duties.yaml": ORPHAN.replace("title: D}", "title: D, raci: {accountable: ceo}}")})
    store = Cache(tmp_path / "c")
    config = load_config(cwd=root)
    clean = render("json", check(config=config))
    check(config=config, store=store)
    for path in entries(tmp_path / "c"):
        stored = json.loads(path.read_text())
        letters = stored["value"]["claims"][2]
        letters[:] = [7] * len(letters)  # no such letter
        path.write_text(json.dumps(stored))
    assert render("json", check(config=config, store=store)) == clean

"""Reading a policy set on several processors gives exactly what reading it on one gives."""

from __future__ import annotations

import concurrent.futures
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from checker import reading
from checker.cache import Cache
from checker.config import load_config
from checker.engine import Report, check
from checker.reporters import render
from tests.conftest import PARTIES, write_tree

DUTIES = """\
apiVersion: raci/v1
kind: Duties
duties:
{items}
"""
BROKEN = "apiVersion: raci/v1\nkind: Duties\nduties:\n  - id: x\n    title: [unclosed\n"


def _policy_set(root: Path) -> Path:
    """Files enough to share out, with findings of every origin: rules across files,
    schema errors, a file that does not parse, an empty one, and a duplicate id."""
    files = {"policies/parties.yaml": PARTIES, "policies/zz-broken.yaml": BROKEN, "policies/empty.yaml": "# nothing\n"}
    for n in range(8):
        items = "\n".join(
            f"  - id: d{n}.t{i}\n    title: Duty {i}\n    raci: {{accountable: [cio, ciso], responsible: it-ops}}"
            for i in range(20)
        )
        files[f"policies/duties-{n}.yaml"] = DUTIES.format(items=items)
    files["policies/duties-8.yaml"] = DUTIES.format(items="  - id: d0.t0\n    title: Again\n  - id: bad\n    title: 5")
    (root / ".git").mkdir()
    return write_tree(root, files)


def _run(root: Path, jobs: int, store: Cache | None = None) -> tuple[Report, str]:
    report = check([root / "policies"], config=load_config(None), jobs=jobs, store=store)
    return report, render("json", report)


@pytest.fixture
def pooled(monkeypatch: pytest.MonkeyPatch) -> None:
    # The small set above is far under the size that starts workers.
    monkeypatch.setattr(reading, "PARALLEL_MIN_BYTES", 0)


@pytest.mark.usefixtures("pooled")
def test_several_processes_report_exactly_what_one_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _policy_set(tmp_path)
    monkeypatch.chdir(root)
    serial, serial_json = _run(root, 1)
    parsed_here = _count_parses(monkeypatch)
    pooled_report, pooled_json = _run(root, 3)
    assert pooled_json == serial_json
    assert pooled_report.model.counts() == serial.model.counts()
    assert pooled_report.model.files == serial.model.files
    assert pooled_report.model.claims == serial.model.claims
    assert {f.rule for f in serial.findings} >= {"double-ownership", "yaml-syntax", "schema", "duplicate-id"}
    # This process parsed its share, and the workers the rest.
    assert 0 < len(parsed_here) < len(serial.model.files)


@pytest.mark.usefixtures("pooled")
def test_the_workers_fill_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _policy_set(tmp_path)
    monkeypatch.chdir(root)
    store = Cache()  # in the test's own cache folder, outside the checked repository
    _, first = _run(root, 2, store)
    parsed = _count_parses(monkeypatch)
    _, again = _run(root, 1, store)
    assert parsed == []
    assert again == first


@pytest.mark.usefixtures("pooled")
def test_without_a_process_pool_the_files_are_read_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _policy_set(tmp_path)
    monkeypatch.chdir(root)
    _, expected = _run(root, 1)

    def unavailable(*args: Any, **kwargs: Any) -> None:
        raise OSError("no semaphores in this sandbox")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", unavailable)
    assert _run(root, 2)[1] == expected


def _dying_worker(*args: Any) -> None:
    os._exit(1)  # as a worker killed for memory would


@pytest.mark.usefixtures("pooled")
def test_a_worker_that_dies_costs_time_not_findings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _policy_set(tmp_path)
    monkeypatch.chdir(root)
    _, expected = _run(root, 1)
    monkeypatch.setattr(reading, "_worker", _dying_worker)
    assert _run(root, 2)[1] == expected


def test_a_small_set_starts_no_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _policy_set(tmp_path)
    monkeypatch.chdir(root)

    def refused(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a pool was started for a small set")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", refused)
    _run(root, 4)


def test_the_command_takes_jobs(tmp_path: Path) -> None:
    root = _policy_set(tmp_path)
    command = [sys.executable, "-m", "checker", "check", "--format", "json"]
    one = subprocess.run([*command, "--jobs", "1"], cwd=root, capture_output=True, text=True, timeout=60)
    two = subprocess.run([*command, "-j", "2"], cwd=root, capture_output=True, text=True, timeout=60)
    assert one.returncode == two.returncode == 1
    assert one.stdout == two.stdout
    zero = subprocess.run([*command, "--jobs", "0"], cwd=root, capture_output=True, text=True, timeout=60)
    assert zero.returncode == 2
    assert "Traceback" not in zero.stderr


def test_jobs_default_to_the_processors_available() -> None:
    assert 1 <= reading.default_jobs() <= reading.MAX_JOBS


def _count_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    parsed: list[str] = []
    original = reading.read_part

    def counting(name: str, data: bytes, limits: Any) -> Any:
        parsed.append(name)
        return original(name, data, limits)

    monkeypatch.setattr(reading, "read_part", counting)
    return parsed

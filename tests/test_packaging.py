"""What `pip install .` ships: the package, its command and the schemas inside it."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # No build isolation: builds with the setuptools of this environment, offline.
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(REPO)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (found,) = out.glob("raci_checker-*.whl")
    return found


def test_wheel_carries_every_schema(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {f"checker/schemas/{p.name}" for p in (REPO / "schemas").glob("*.schema.json")}
    assert len(expected) == 7
    assert expected <= names


def test_wheel_declares_the_raci_command_and_runtime_dependencies(wheel: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    (entry_points,) = [n for n in archive.namelist() if n.endswith("entry_points.txt")]
    assert "raci = checker.cli:entry" in archive.read(entry_points).decode()
    (metadata,) = [n for n in archive.namelist() if n.endswith("METADATA")]
    requires = [line for line in archive.read(metadata).decode().splitlines() if line.startswith("Requires-Dist:")]
    runtime = {line.split()[1].split(">")[0].split("<")[0].lower() for line in requires if "extra ==" not in line}
    assert runtime == {"pyyaml", "jsonschema-rs", "click", "tabulate"}


def test_wheel_ships_no_tests_or_policies(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert not [n for n in names if n.startswith(("tests/", "policies/", "examples/", "bench/"))]

"""Every rule module is registered, documented, and listed in the README."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from types import ModuleType

import pytest

from checker.finding import Severity
from checker.registry import RULES, documentation, summary

REPO = Path(__file__).resolve().parents[1]
RULES_DIR = REPO / "checker" / "rules"
RULE_FILES = sorted(p for p in RULES_DIR.glob("*.py") if not p.name.startswith("_"))


def _module(path: Path) -> ModuleType:
    return importlib.import_module(f"checker.rules.{path.stem}")


def test_there_are_rule_modules() -> None:
    assert len(RULE_FILES) >= 13


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.stem)
def test_module_is_registered_under_its_own_id(path: Path) -> None:
    module = _module(path)
    assert isinstance(module.ID, str)
    assert module.ID in RULES, f"{path.name} (rule {module.ID!r}) is not listed in checker/registry.py"
    assert RULES[module.ID] is module
    assert path.stem.replace("_", "-") == module.ID
    assert isinstance(module.SEVERITY, Severity)
    assert module.SEVERITY is not Severity.OFF
    assert callable(module.check)


def test_every_registered_rule_is_a_module_of_the_folder() -> None:
    files = {f"checker.rules.{p.stem}" for p in RULE_FILES}
    assert {rule.__name__ for rule in RULES.values()} == files  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", sorted(RULES))
def test_rule_documentation(name: str) -> None:
    text = documentation(RULES[name])
    lines = text.splitlines()
    assert lines, f"{name} has no docstring"
    first = lines[0]
    assert first.strip() == first
    assert first
    assert len(first) <= 120  # shown in the `raci rules` table
    assert summary(RULES[name]) == first
    # A one-line summary: the next line, if any, is blank.
    assert len(lines) == 1 or lines[1] == ""
    assert "Failing example" in text
    assert "Passing example" in text
    assert text.index("Failing example") < text.index("Passing example")


def _readme_table_rows() -> list[str]:
    readme = REPO / "README.md"
    if not readme.exists():
        pytest.skip("README.md is not written yet")
    return [line for line in readme.read_text(encoding="utf-8").splitlines() if line.lstrip().startswith("|")]


@pytest.mark.parametrize("name", sorted(RULES))
def test_rule_is_in_the_readme_table(name: str) -> None:
    rows = _readme_table_rows()
    pattern = re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])")
    assert any(pattern.search(row) for row in rows), f"{name} is missing from the rules table of README.md"

"""The README's copy-paste CI examples: valid YAML, and every `raci` command in them parses.

A recipe that users paste into their pipelines must not rot when an option
is renamed: each `raci ...` invocation is parsed by the real command line.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import click
import pytest
import yaml

from checker.cli import main

README = Path(__file__).resolve().parents[1] / "README.md"
SECTION = "## In pre-commit and CI"


def _section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    return text[start : end if end != -1 else None]


def _yaml_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", _section(), flags=re.DOTALL)


def _commands() -> list[str]:
    """Every `raci ...` invocation in the section's YAML and inline code."""
    found = []
    for line in _section().splitlines():
        for match in re.finditer(r"\braci (check|matrix|codeowners|budgets|init)\b[^`\n]*", line):
            found.append(match.group(0))
    return found


def _arguments(command: str) -> list[str]:
    """The command's arguments as the shell would pass them, with substitutions stubbed."""
    command = re.sub(r"\$\((?:[^()]|\([^()]*\))*\)", "REV", command)  # $(git merge-base ...)
    command = re.sub(r"\$\{?\w+\}?", "VALUE", command)
    words = shlex.split(command.replace("…", "REV"))
    for stop in (">", "||", "|", "&&", ";"):
        if stop in words:
            words = words[: words.index(stop)]
    return words[1:]


def test_the_section_has_the_three_recipes() -> None:
    section = _section()
    for heading in ("### Pre-commit", "### GitHub Actions", "### GitLab CI"):
        assert heading in section
    assert "--format sarif" in section
    assert "--format github" in section
    assert "--format junit" in section
    assert "upload-sarif" in section
    assert "reports:\n      junit:" in section


@pytest.mark.parametrize("block", _yaml_blocks(), ids=lambda b: b.split("\n", 1)[0][:40])
def test_each_yaml_example_is_valid_yaml(block: str) -> None:
    assert isinstance(yaml.safe_load(block), dict)


@pytest.mark.parametrize("command", _commands())
def test_each_command_parses(command: str) -> None:
    arguments = _arguments(command)
    try:
        with main.make_context("raci", list(arguments), resilient_parsing=False) as context:
            sub = main.get_command(context, arguments[0])
            assert sub is not None, command
            sub.make_context(arguments[0], arguments[1:], parent=context)
    except click.UsageError as exc:  # pragma: no cover - the message is the point
        pytest.fail(f"{command!r}: {exc.format_message()}")


def test_the_pre_commit_example_validates(tmp_path: Path) -> None:
    (block,) = [b for b in _yaml_blocks() if b.startswith("repos:")]
    config = tmp_path / ".pre-commit-config.yaml"
    config.write_text(block, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr

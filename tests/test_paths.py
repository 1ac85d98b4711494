"""checker.paths: the repository root, and file names made safe to print."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from checker.paths import display_name, printable, repository_root


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("policies/it.yaml", "policies/it.yaml"),
        ("policies/café ☕.yaml", "policies/café ☕.yaml"),
        ("bad\nname.yaml", "bad\\nname.yaml"),
        ("tab\there.yaml", "tab\\there.yaml"),
        ("red\x1b[31m.yaml", "red\\x1b[31m.yaml"),
        ("\u202eeman.yaml", "\\u202eeman.yaml"),
        (os.fsdecode(b"caf\xe9.yaml"), "caf\\xe9.yaml"),
    ],
)
def test_printable_escapes_undecodable_bytes_and_control_characters(text: str, shown: str) -> None:
    assert printable(text) == shown
    assert printable(text).isprintable()


def test_display_name_is_relative_with_slashes_and_printable(tmp_path: Path) -> None:
    assert display_name(tmp_path / "policies" / "a\nb.yaml", tmp_path) == "policies/a\\nb.yaml"
    assert display_name(tmp_path / "policies" / "x.yaml", tmp_path / "sub") == "../policies/x.yaml"


def test_repository_root_is_the_nearest_folder_with_git(tmp_path: Path) -> None:
    (tmp_path / "outer" / ".git").mkdir(parents=True)
    (tmp_path / "outer" / "inner").mkdir()
    (tmp_path / "outer" / "inner" / ".git").write_text("gitdir: /elsewhere\n")
    assert repository_root(tmp_path / "outer" / "inner" / "a" / "b") == tmp_path / "outer" / "inner"
    assert repository_root(tmp_path / "outer" / "a") == tmp_path / "outer"

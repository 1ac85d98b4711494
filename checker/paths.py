"""Where things are: the repository root, and how a path is shown in output."""

from __future__ import annotations

import os
from pathlib import Path


def repository_root(start: Path) -> Path | None:
    """The nearest folder at or above `start` holding `.git` (a folder, or a file for worktrees)."""
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def display_name(path: Path, root: Path) -> str:
    """`path` relative to `root` with `/` separators (else as given), safe to print.

    A file name is chosen by whoever wrote the pull request: bytes that are not
    UTF-8 and control characters (a newline could forge a finding line) are
    escaped here, once, for every output format.
    """
    try:
        shown = path.relative_to(root).as_posix()
    except ValueError:
        try:
            shown = Path(os.path.relpath(path, root)).as_posix()
        except ValueError:  # another drive on Windows
            shown = path.as_posix()
    return printable(shown)


def printable(text: str) -> str:
    """`text` with undecodable bytes and control characters escaped."""
    if text.isprintable():
        return text
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def shown_path(path: Path) -> str:
    """A path as the user can find it: relative to the working directory when below it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return printable(str(path))
    return printable(str(path) if relative.startswith("..") else relative)

"""`raci init`: write a starter governance repository, never overwriting anything.

The starter set is package data under `checker/templates/` (dot-files are
stored without their dot, which setuptools globs would skip) plus a copy of each
packaged JSON Schema under `schemas/`, so the editors' modelines resolve
offline. Every file is created with O_CREAT|O_EXCL: an existing file, even one
that appears between a check and the write, or a symbolic link (dangling or
not) is left alone and reported as skipped. A folder on the way that is a link
is refused rather than written through (checked before use: swapping one in
mid-run needs write access to the folder, which could write the files anyway).
Any other failure is one `ScaffoldError` line for the user.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

from . import __version__
from .config import CONFIG_NAME
from .errors import UserError
from .paths import shown_path
from .validate import SCHEMA_NAMES, schema_text

# (path written, template name). The policy files come in the order that teaches
# the format: who, what, who per office, who pays, own rules, exceptions.
TEMPLATES: tuple[tuple[str, str], ...] = (
    (CONFIG_NAME, "raci.yaml"),
    (".pre-commit-config.yaml", "pre-commit-config.yaml"),
    ("policies/parties.yaml", "policies/parties.yaml"),
    ("policies/duties.yaml", "policies/duties.yaml"),
    ("policies/assignments.yaml", "policies/assignments.yaml"),
    ("policies/budgets.yaml", "policies/budgets.yaml"),
    ("policies/rules.yaml", "policies/rules.yaml"),
    ("policies/waivers.yaml", "policies/waivers.yaml"),
)
SCHEMA_FOLDER = "schemas"


class ScaffoldError(UserError):
    """The scaffold cannot be written; the message is one line for the user."""


def starter_files() -> Iterator[tuple[str, str]]:
    """(relative path with `/` separators, text) of every file `raci init` writes."""
    for target, name in TEMPLATES:
        template = resources.files("checker").joinpath("templates")
        for part in name.split("/"):  # one step at a time: Python 3.10 joins a single name
            template = template.joinpath(part)
        text = template.read_text("utf-8")
        yield target, text.replace("{version}", __version__)
    for name in SCHEMA_NAMES:
        yield f"{SCHEMA_FOLDER}/{name}.schema.json", schema_text(name)


def scaffold(directory: Path) -> list[tuple[Path, bool]]:
    """Write the starter set into `directory`: (path, True if created, False if it existed)."""
    files = list(starter_files())
    _make_folder(directory, is_link_ok=True)  # the folder the user named may well be a link
    # Folders first, so that a refused one stops the run before any file is written.
    for folder in sorted({target.rpartition("/")[0] for target, _ in files} - {""}):
        _make_folder(directory.joinpath(*folder.split("/")), is_link_ok=False)
    results: list[tuple[Path, bool]] = []
    for target, text in files:
        path = directory.joinpath(*target.split("/"))
        results.append((path, _create(path, text)))
    return results


def _make_folder(folder: Path, *, is_link_ok: bool) -> None:
    if folder.is_symlink() and not is_link_ok:
        raise ScaffoldError(f"{shown_path(folder)}: is a symbolic link; raci init does not write through links")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise ScaffoldError(f"{shown_path(folder)}: exists and is not a folder") from None
    except OSError as exc:
        raise ScaffoldError(f"{shown_path(folder)}: cannot create the folder: {exc.strerror or exc}") from None


def _create(path: Path, text: str) -> bool:
    """Create `path` holding `text`; False, touching nothing, if anything is already there."""
    try:
        # "x" is O_CREAT|O_EXCL: it fails on an existing file and on any symbolic
        # link, so neither a race nor a planted link can make this overwrite.
        handle = path.open("x", encoding="utf-8", newline="\n")
    except FileExistsError:
        return False
    except OSError as exc:
        raise ScaffoldError(f"{shown_path(path)}: cannot create: {exc.strerror or exc}") from None
    try:
        with handle:
            handle.write(text)
    except OSError as exc:
        with contextlib.suppress(OSError):
            path.unlink()  # ours, just created: leave no half-written file behind
        raise ScaffoldError(f"{shown_path(path)}: cannot write: {exc.strerror or exc}") from None
    return True

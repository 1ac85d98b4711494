"""Finding and reading policy files safely.

A pull request controls what is in the policy folders, so discovery never
follows a link out of the repository (the target's content could be printed
in a message), never opens anything but a regular file (a FIFO named
`x.yaml` would block the run forever), survives folder link loops, and turns
every such case into a `yaml-syntax` finding on that file while the rest of
the set is still checked.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .errors import UserError
from .finding import Finding, Location
from .loader import Content, Limits, LoadedFile, load_bytes, too_large
from .paths import display_name, repository_root
from .rules import yaml_syntax

SUFFIXES = (".yaml", ".yml")  # compared case-insensitively
LINK_OUT = "a symbolic link to outside the repository; not read"


class PathError(UserError):
    """A path given on the command line does not exist."""


@dataclass(frozen=True, slots=True)
class Source:
    """A policy file: where to read it and how to name it in output."""

    path: Path  # absolute, as found (may be a link inside the repository)
    name: str  # relative to the root, with / separators


def discover(paths: Iterable[Path], root: Path) -> tuple[list[Source], list[Finding]]:
    """Policy files under `paths` (files or folders), sorted by name, and refusals.

    Names are relative to `root`. Links may not leave the repository that holds
    each path (or, outside any repository, the folder given).
    """
    sources: dict[str, Source] = {}  # absolute path -> source
    refused: list[Finding] = []
    for given in paths:
        path = Path(os.path.abspath(given))
        if not os.path.lexists(path):
            raise PathError(f"{given}: no such file or folder")
        top = path if path.is_dir() else path.parent
        real_root = Path(os.path.realpath(repository_root(top) or top))
        if path.is_dir():
            files, outside, unlisted = _walk(path, real_root)
            refused += [yaml_syntax.finding(Location(display_name(d, root)), LINK_OUT) for d in outside]
            refused += [
                yaml_syntax.finding(Location(display_name(d, root)), f"cannot list this folder ({why}); not checked")
                for d, why in unlisted
            ]
        else:
            files = [path]
        for file in files:
            # Keyed by path, not by shown name: two names can print alike once escaped.
            if str(file) in sources:
                continue
            name = display_name(file, root)
            problem = _refusal(file, real_root)
            if problem is not None:
                refused.append(yaml_syntax.finding(Location(name), problem))
                continue
            sources[str(file)] = Source(file, name)
    refused.sort(key=Finding.sort_key)
    return sorted(sources.values(), key=lambda s: (s.name, str(s.path))), _unique(refused)


def _unique(findings: list[Finding]) -> list[Finding]:
    seen: set[str] = set()
    out = []
    for finding in findings:
        if finding.subject not in seen:
            seen.add(finding.subject)
            out.append(finding)
    return out


def _walk(top: Path, real_root: Path) -> tuple[list[Path], list[Path], list[tuple[Path, str]]]:
    """YAML files under `top`, links to folders outside the root (not followed), and
    folders that cannot be listed, with why (their files must not vanish silently).

    Hidden files and folders (`.git`, `.venv`) are skipped; linked folders inside
    the root are followed once each, so a link loop ends, and links into `top`
    or to a folder that holds it are not followed at all.
    """
    found: list[Path] = []
    outside: list[Path] = []
    unlisted: list[tuple[Path, str]] = []
    seen: set[str] = set()
    pending = [top]
    real_top = Path(os.path.realpath(top))
    while pending:
        folder = pending.pop()
        real = os.path.realpath(folder)
        if real in seen:
            continue  # a link loop, or the same folder reached twice
        seen.add(real)
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            unlisted.append((folder, exc.strerror or type(exc).__name__))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                is_dir = entry.is_dir()  # follows links; a loop shows up as `seen`
            except OSError:
                is_dir = False
            if is_dir:
                target = Path(os.path.realpath(entry.path))
                if not _inside(target, real_root):
                    outside.append(Path(entry.path))
                elif not (entry.is_symlink() and (_inside(target, real_top) or _inside(real_top, target))):
                    # A link into the folder being walked, or to one that holds it, is
                    # skipped: its files are read once, under their own names, whatever
                    # order scandir gives.
                    pending.append(Path(entry.path))
            elif entry.name.lower().endswith(SUFFIXES):
                found.append(Path(entry.path))
    return found, outside, unlisted


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _refusal(path: Path, real_root: Path) -> str | None:
    """Why `path` must not be read, or None."""
    if path.is_symlink():
        target = Path(os.path.realpath(path))
        if not _inside(target, real_root):
            return LINK_OUT
    try:
        info = os.stat(path)
    except OSError as exc:
        return f"cannot read the file: {exc.strerror or exc}"
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file (a FIFO, device or socket); not read"
    return None


def read_source(source: Source, limits: Limits) -> LoadedFile:
    """Load one policy file; any problem becomes a finding, never an exception."""
    content = read_content(source, limits)
    return content if isinstance(content, LoadedFile) else load_bytes(content.data, content.name, limits)


def read_content(source: Source, limits: Limits) -> Content | LoadedFile:
    """One policy file's bytes, or, when it must not or cannot be read, its finding."""
    try:
        # O_NONBLOCK: if the file was swapped for a FIFO after discovery, opening it must not hang.
        fd = os.open(source.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        return _unreadable(source, exc)
    try:
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                return _refused(source, "not a regular file (a FIFO, device or socket); not read")
            if info.st_size > limits.max_file_bytes:
                return _refused(source, too_large(info.st_size, limits))
            # One byte more than the limit tells "too large" without reading a huge file.
            data = handle.read(limits.max_file_bytes + 1)
    except OSError as exc:
        return _unreadable(source, exc)
    return Content(source.name, data)


def _unreadable(source: Source, exc: OSError) -> LoadedFile:
    return _refused(source, f"cannot read the file: {exc.strerror or exc}")


def _refused(source: Source, message: str) -> LoadedFile:
    return LoadedFile(source.name, [], [yaml_syntax.finding(Location(source.name), message)])

"""A policy set as it was at a revision, read straight from git objects.

`--base REV` and `--at REV` must see the files a checkout of REV would give
`discover()`, without making one: the YAML files under the policy folders
(suffix in any case, hidden files and folders skipped, a file given by name
read whatever its suffix), links followed only inside the repository, and an
oversized file refused before it is read. The user's index and working tree
are never touched; every blob comes from one `git cat-file --batch` process.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .discover import LINK_OUT, SUFFIXES, PathError
from .finding import Location
from .git import LINK_MODE, SUBMODULE_MODE, ObjectReader, Repository, TreeEntry
from .loader import Content, Limits, LoadedFile, too_large
from .paths import printable, shown_path
from .rules import yaml_syntax

MAX_LINK_HOPS = 8


@dataclass(frozen=True, slots=True)
class Revision:
    """A revision as the user gave it, and the commit it names."""

    repository: Repository
    name: str
    commit: str

    @classmethod
    def resolve(cls, name: str, near: Path) -> Revision:
        """`name` in the repository holding `near`; GitError when either is missing."""
        repository = Repository.containing(near)
        return cls(repository, name, repository.commit(name))


@dataclass(frozen=True, slots=True)
class _File:
    name: str  # as shown in output: relative to the repository root
    entry: TreeEntry | None  # what to read, or None when refused
    problem: str = ""


def load_at(
    revision: Revision, paths: Sequence[Path], limits: Limits, *, missing_ok: bool
) -> Iterator[Content | LoadedFile]:
    """Each policy file under `paths` at `revision`, read, in name order (a file
    that must not or cannot be read: a LoadedFile holding its finding).

    A path that names nothing at the revision raises PathError, unless
    `missing_ok` (the base of a comparison may predate the policy set).
    """
    repository = revision.repository
    prefixes = [repository.relative(path) for path in paths]
    listed = repository.tree(revision.commit, [] if "." in prefixes else prefixes)
    with repository.objects() as objects:
        files: dict[str, _File] = {}
        for given, prefix in zip(paths, prefixes, strict=True):
            found = select(listed, prefix)
            if not found and not missing_ok:
                raise PathError(f"{shown_path(given)}: no such file or folder at {revision.name}")
            for entry, explicit in found:
                for file in _expand(entry, explicit, revision, objects, within=prefix):
                    files.setdefault(file.name, file)
        for name in sorted(files):
            yield _load(files[name], objects, limits)


def select(listed: list[TreeEntry], prefix: str) -> list[tuple[TreeEntry, bool]]:
    """The entries under `prefix`, each with whether it was named exactly."""
    found = []
    for entry in listed:
        rest = below(entry.path, prefix)
        if rest == "":
            found.append((entry, True))
        elif rest is not None and wanted(entry.mode, rest):
            found.append((entry, False))
    return found


def below(path: str, folder: str) -> str | None:
    """`path` relative to `folder` ("" when it is `folder` itself, which a path given by
    name is), or None when it is not inside it. Both relative to the root, "." the root."""
    if folder == ".":
        return path
    if path == folder:
        return ""
    return path[len(folder) + 1 :] if path.startswith(folder + "/") else None


def wanted(mode: str, rest: str) -> bool:
    """Whether discovery would read a file found at `rest` (relative to the folder walked)."""
    if mode == SUBMODULE_MODE or any(part.startswith(".") for part in rest.split("/")):
        return False
    # A link without a YAML suffix may be a link to a folder, which discovery walks.
    return mode == LINK_MODE or rest.lower().endswith(SUFFIXES)


def _expand(
    entry: TreeEntry, explicit: bool, revision: Revision, objects: ObjectReader, *, within: str
) -> Iterator[_File]:
    """The file(s) an entry stands for: itself, or what its link points to.

    A link to a folder inside `within` (the folder being walked) stands for
    nothing: those files are read under their own names, as `discover()` does.
    """
    name = printable(entry.path)
    if entry.mode != LINK_MODE:
        if explicit or entry.path.lower().endswith(SUFFIXES):
            yield _File(name, entry)
        return
    path, target = entry.path, entry
    for _hop in range(MAX_LINK_HOPS):
        resolved = _link_target(path, target, objects)
        if resolved is None:
            yield _File(name, None, LINK_OUT)
            return
        there = revision.repository.tree(revision.commit, [resolved])
        if len(there) == 1 and there[0].path == resolved:
            path, target = resolved, there[0]
            if target.mode != LINK_MODE:
                if explicit or entry.path.lower().endswith(SUFFIXES):
                    yield _File(name, target)
                return
            continue
        if not there:
            yield _File(name, None, "cannot read the file: No such file or directory")
            return
        # A link to a folder: its files, under the link's name; but not a folder
        # inside the one being walked, or one that holds it (as `discover()`).
        if below(resolved, within) is not None or below(within, resolved) is not None:
            return
        for inner in there:
            rest = inner.path[len(resolved) + 1 :]
            if inner.mode != LINK_MODE and wanted(inner.mode, rest):
                yield _File(printable(f"{entry.path}/{rest}"), inner)
        return
    yield _File(name, None, "cannot read the file: Too many levels of symbolic links")


def _link_target(path: str, link: TreeEntry, objects: ObjectReader) -> str | None:
    """Where the link at `path` points, relative to the root; None when that leaves the repository."""
    found = objects.read(link.oid)
    if found is None:
        return None
    target = found.data.decode("utf-8", "surrogateescape")
    if target.startswith("/"):
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
    if joined == ".." or joined.startswith("../"):
        return None
    return joined


def _load(file: _File, objects: ObjectReader, limits: Limits) -> Content | LoadedFile:
    entry = file.entry
    if entry is None:
        return _refused(file.name, file.problem)
    if entry.size is not None and entry.size > limits.max_file_bytes:
        return _refused(file.name, too_large(entry.size, limits))
    found = objects.read(entry.oid)
    if found is None:
        return _refused(file.name, "cannot read the file: its git object is missing")
    return Content(file.name, found.data)


def _refused(name: str, message: str) -> LoadedFile:
    return LoadedFile(name, [], [yaml_syntax.finding(Location(name), message)])

"""Small typed wrappers over the git command; one error type the CLI turns into exit 2.

Everything is read from git objects (`ls-tree`, `cat-file --batch`): no
checkout, no temporary work tree, and nothing that takes the index lock, so a
run never disturbs the user's index or working files. Paths travel
NUL-separated (`-z`) so that no file name is ever parsed from quoted text.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, NamedTuple

from .errors import UserError
from .paths import shown_path

# Never prompt for credentials, never take optional locks (a concurrent
# `git status` in an editor must not fail because of us), never page.
_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "GIT_PAGER": "cat", "LC_ALL": "C"}

LINK_MODE = "120000"
SUBMODULE_MODE = "160000"


class GitError(UserError):
    """git cannot answer: not a repository, an unknown revision, no git at all."""


class TreeEntry(NamedTuple):
    """One file of a commit's tree, as `git ls-tree -r -l` lists it."""

    mode: str  # 100644, 100755, 120000 (a link), 160000 (a submodule)
    oid: str
    size: int | None  # None for a submodule
    path: str  # relative to the repository root, with / separators


@dataclass(frozen=True, slots=True)
class Repository:
    """A git repository, known by its top-level folder."""

    root: Path

    @classmethod
    def containing(cls, path: Path) -> Repository:
        """The repository that holds `path` (which need not exist: its nearest existing folder is asked)."""
        folder = Path(os.path.abspath(path))
        while not folder.is_dir() and folder != folder.parent:
            folder = folder.parent
        try:
            out = _run(["rev-parse", "--show-toplevel"], cwd=folder)
        except GitError:
            raise GitError(f"{shown_path(path)}: not in a git repository; reading a revision needs one") from None
        return cls(Path(os.fsdecode(out.rstrip(b"\n"))))

    def run(self, *args: str) -> bytes:
        return _run(list(args), cwd=self.root)

    def relative(self, path: Path) -> str:
        """`path` relative to the root with / separators ("." for the root itself)."""
        real = os.path.realpath(path)
        relative = os.path.relpath(real, os.path.realpath(self.root))
        if relative == ".." or relative.startswith(".." + os.sep) or os.path.isabs(relative):
            raise GitError(f"{shown_path(path)}: outside the repository at {shown_path(self.root)}")
        return Path(relative).as_posix()

    def commit(self, revision: str) -> str:
        """The commit id `revision` names; a GitError that says why when it names none."""
        # A revision that starts with "-" would be read as an option.
        if revision and not revision.startswith("-"):
            try:
                out = self.run("rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
                return out.decode("ascii").strip()
            except GitError:
                pass
        raise GitError(f"unknown revision {revision!r}{self._why_missing()}")

    def _why_missing(self) -> str:
        try:
            self.run("rev-parse", "--verify", "--quiet", "HEAD")
        except GitError:
            return ": the repository has no commits yet"
        if self.is_shallow():
            return (
                ": this clone is shallow, so older commits are missing; fetch them with "
                "`git fetch --unshallow` (in CI, check out with full history, e.g. fetch-depth: 0)"
            )
        return " in this repository"

    def is_shallow(self) -> bool:
        return self.run("rev-parse", "--is-shallow-repository").strip() == b"true"

    def tree(self, commit: str, paths: Iterable[str] = ()) -> list[TreeEntry]:
        """Every file under `paths` (all files when empty) in `commit`'s tree."""
        out = self.run("ls-tree", "-r", "-l", "-z", "--full-tree", commit, "--", *paths)
        entries = []
        for record in out.split(b"\0"):
            if not record:
                continue
            meta, _, name = record.partition(b"\t")
            mode, _kind, oid, size = meta.split()
            entries.append(TreeEntry(mode.decode(), oid.decode(), None if size == b"-" else int(size), _name(name)))
        return entries

    def objects(self) -> ObjectReader:
        """A reader of objects by name (`oid`, `commit:path`) over one `git cat-file --batch`."""
        return ObjectReader(self.root)


class Object(NamedTuple):
    kind: str  # blob | tree | commit | tag
    data: bytes


class ObjectReader:
    """One long-lived `git cat-file --batch` process: a request and its answer at a
    time, so neither side's pipe can fill up and block the other."""

    def __init__(self, root: Path) -> None:
        try:
            self._process = subprocess.Popen(
                ["git", "cat-file", "--batch"],
                cwd=root,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=_environment(),
            )
        except OSError as exc:
            raise GitError(f"cannot run git: {exc.strerror or exc}") from None
        stdin, stdout = self._process.stdin, self._process.stdout
        if stdin is None or stdout is None:  # cannot happen with PIPE; keeps the types exact
            raise GitError("cannot talk to git cat-file")
        self._in: IO[bytes] = stdin
        self._out: IO[bytes] = stdout

    def read(self, name: str) -> Object | None:
        """The object `name` names, or None when there is none."""
        if "\n" in name:
            return None
        try:
            self._in.write(name.encode("utf-8", "surrogateescape") + b"\n")
            self._in.flush()
            header = self._out.readline()
        except OSError as exc:
            raise GitError(f"git cat-file failed: {exc.strerror or exc}") from None
        if not header:
            raise GitError("git cat-file stopped unexpectedly")
        # "<name> missing" and "<name> ambiguous" end with that word (the name may hold
        # spaces); a found object's header is "<oid> <type> <size>".
        if header.endswith((b" missing\n", b" ambiguous\n")):
            return None
        fields = header.split()
        if len(fields) != 3 or not fields[2].isdigit():
            raise GitError(f"git cat-file answered {header[:80]!r}")
        size = int(fields[2])
        data = self._out.read(size)
        self._out.read(1)  # the newline after every object
        return Object(fields[1].decode("ascii"), data)

    def close(self) -> None:
        if self._process.poll() is None:
            self._in.close()
            self._process.wait()
        self._out.close()

    def __enter__(self) -> ObjectReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _name(raw: bytes) -> str:
    return os.fsdecode(raw)


def _environment() -> dict[str, str]:
    return {**os.environ, **_ENV}


def _run(args: list[str], *, cwd: Path) -> bytes:
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, env=_environment(), check=False, stdin=subprocess.DEVNULL
        )
    except OSError as exc:
        raise GitError(f"cannot run git: {exc.strerror or exc}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(message[-1] if message else f"git {args[0]} failed")
    return done.stdout

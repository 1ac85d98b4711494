"""Real git repositories for tests: fixed authors and dates, nothing from the user's setup."""

from __future__ import annotations

import os
import subprocess
import textwrap
from pathlib import Path

AUTHOR = ("Ada Auditor", "ada@example.com")
EPOCH = 1_790_000_000  # 2026-09-21, a fixed point so commit ids are reproducible


def git_env(when: int = EPOCH, *, author: tuple[str, str] = AUTHOR, offset: str = "+0000") -> dict[str, str]:
    """The environment of a git command: `author` (name, email) wrote it at `when` in zone `offset`;
    the committer is always AUTHOR, at the same time."""
    date = f"{when} {offset}"
    return {
        **os.environ,
        "GIT_AUTHOR_NAME": author[0],
        "GIT_AUTHOR_EMAIL": author[1],
        "GIT_COMMITTER_NAME": AUTHOR[0],
        "GIT_COMMITTER_EMAIL": AUTHOR[1],
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_DATE": date,
        # Hooks, signing and templates of the machine running the tests must not apply.
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }


def git(root: Path, *args: str, when: int = EPOCH, author: tuple[str, str] = AUTHOR, offset: str = "+0000") -> str:
    env = git_env(when, author=author, offset=offset)
    done = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True, timeout=60)
    return done.stdout


class Repo:
    """A temporary repository: write files, commit them, ask git."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.commits = 0
        root.mkdir(parents=True, exist_ok=True)
        git(root, "init", "-q", "-b", "main")

    def write(self, files: dict[str, str]) -> None:
        for name, text in files.items():
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text), encoding="utf-8")

    def remove(self, *names: str) -> None:
        for name in names:
            (self.root / name).unlink()

    def commit(
        self,
        message: str,
        files: dict[str, str] | None = None,
        *,
        author: tuple[str, str] = AUTHOR,
        when: int | None = None,
        offset: str = "+0000",
    ) -> str:
        """Commit everything; by default each commit is an hour after the previous one, in UTC."""
        if files:
            self.write(files)
        self.commits += 1
        stamp = EPOCH + 3600 * self.commits if when is None else when
        git(self.root, "add", "-A")
        git(self.root, "commit", "-q", "--no-verify", "-m", message, when=stamp, author=author, offset=offset)
        return git(self.root, "rev-parse", "HEAD").strip()

    def merge(self, branch: str, message: str, *, author: tuple[str, str] = AUTHOR) -> str:
        """Merge `branch` into the current branch with a merge commit (`--no-ff`), even when it could fast-forward."""
        self.commits += 1
        stamp = EPOCH + 3600 * self.commits
        git(self.root, "merge", "-q", "--no-ff", "--no-verify", "-m", message, branch, when=stamp, author=author)
        return git(self.root, "rev-parse", "HEAD").strip()

    def git(self, *args: str) -> str:
        return git(self.root, *args)

"""Finding and reading policy files safely: order, hidden folders, links, FIFOs, unreadable files."""

from __future__ import annotations

import errno
import os
import sys
import time
from pathlib import Path

import pytest

from checker.config import load_config
from checker.discover import PathError, Source, discover, read_source
from checker.engine import Report, check
from checker.loader import Limits
from tests.conftest import PARTIES, of_rule, write_tree

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX links, FIFOs and permissions")

SECRET = "HUNTER2-TOP-SECRET"
# A file whose content would show up in a schema message if it were ever read.
LEAKY = f"""\
apiVersion: raci/v1
kind: Parties
parties:
  - {{id: '{SECRET}', name: '{SECRET}', type: '{SECRET}'}}
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    monkeypatch.chdir(root)
    return root


def names(root: Path, *paths: Path) -> list[str]:
    sources, refused = discover(list(paths) or [root / "policies"], root)
    assert refused == []
    return [s.name for s in sources]


def run_check(root: Path) -> Report:
    return check(config=load_config(cwd=root))


def everything_said(report: Report) -> str:
    return "\n".join(f"{f.subject} {f.message} {f.detail} {f.location}" for f in report.findings)


# --- what is found ---------------------------------------------------------------------------


def test_sorted_by_relative_path_with_slashes(repo: Path) -> None:
    write_tree(
        repo,
        {
            "policies/b.yaml": "a: 1\n",
            "policies/a/z.yaml": "a: 1\n",
            "policies/a.yaml": "a: 1\n",
            "policies/a-b.yaml": "a: 1\n",
            "policies/B.yml": "a: 1\n",
            "policies/deep/er/x.yml": "a: 1\n",
        },
    )
    found = names(repo)
    assert found == [
        "policies/B.yml",
        "policies/a-b.yaml",
        "policies/a.yaml",
        "policies/a/z.yaml",
        "policies/b.yaml",
        "policies/deep/er/x.yml",
    ]
    assert found == sorted(found)
    assert all("\\" not in name for name in found)


def test_yml_and_yaml_found_other_files_ignored(repo: Path) -> None:
    write_tree(
        repo,
        {
            "policies/one.yaml": "a: 1\n",
            "policies/two.yml": "a: 1\n",
            "policies/notes.txt": "a: 1\n",
            "policies/data.json": "{}\n",
            "policies/yaml": "a: 1\n",
            "policies/backup.yaml.bak": "a: 1\n",
        },
    )
    assert names(repo) == ["policies/one.yaml", "policies/two.yml"]


def test_suffixes_match_in_any_case(repo: Path) -> None:
    write_tree(repo, {"policies/X.YAML": "a: 1\n", "policies/y.Yml": "a: 1\n", "policies/z.YAMLX": "a: 1\n"})
    assert names(repo) == ["policies/X.YAML", "policies/y.Yml"]


def test_hidden_folders_skipped(repo: Path) -> None:
    write_tree(
        repo,
        {
            "policies/ok.yaml": "a: 1\n",
            "policies/.git/config.yaml": "a: 1\n",
            "policies/.drafts/draft.yaml": "a: 1\n",
            "policies/team/.cache/x.yaml": "a: 1\n",
            "policies/team/y.yaml": "a: 1\n",
        },
    )
    assert names(repo) == ["policies/ok.yaml", "policies/team/y.yaml"]


def test_names_relative_to_the_root_given(repo: Path) -> None:
    write_tree(repo, {"gov/raci/x.yaml": "a: 1\n"})
    sources, _ = discover([repo / "gov"], repo)
    assert [(s.name, s.path) for s in sources] == [("gov/raci/x.yaml", repo / "gov" / "raci" / "x.yaml")]
    sources, _ = discover([repo / "gov" / "raci" / "x.yaml"], repo / "gov")
    assert [s.name for s in sources] == ["raci/x.yaml"]


def test_a_file_given_twice_is_read_once(repo: Path) -> None:
    write_tree(repo, {"policies/x.yaml": "a: 1\n"})
    assert names(repo, repo / "policies", repo / "policies" / "x.yaml") == ["policies/x.yaml"]


def test_missing_path_raises(repo: Path) -> None:
    with pytest.raises(PathError, match="nowhere"):
        discover([repo / "nowhere"], repo)


# --- links -----------------------------------------------------------------------------------


@posix_only
def test_link_to_a_file_outside_the_repository_is_refused_unread(tmp_path: Path, repo: Path) -> None:
    outside = tmp_path / "outside"
    write_tree(outside, {"secret.yaml": LEAKY})
    write_tree(repo, {"policies/parties.yaml": PARTIES})
    os.symlink(outside / "secret.yaml", repo / "policies" / "leak.yaml")

    sources, refused = discover([repo / "policies"], repo)
    assert [s.name for s in sources] == ["policies/parties.yaml"]
    (finding,) = refused
    assert finding.rule == "yaml-syntax"
    assert finding.subject == "policies/leak.yaml"
    assert finding.location == ("policies/leak.yaml", 1, 1)
    assert finding.message == "a symbolic link to outside the repository; not read"

    report = run_check(repo)
    (finding,) = of_rule(report, "yaml-syntax")
    assert finding.location == ("policies/leak.yaml", 1, 1)
    assert of_rule(report, "schema") == []
    assert SECRET not in everything_said(report)
    assert report.files == 2


@posix_only
def test_relative_link_climbing_out_is_refused(tmp_path: Path, repo: Path) -> None:
    write_tree(tmp_path, {"outside.yaml": LEAKY})
    write_tree(repo, {"policies/parties.yaml": PARTIES})
    os.symlink("../../outside.yaml", repo / "policies" / "climb.yaml")
    report = run_check(repo)
    assert [f.location.file for f in of_rule(report, "yaml-syntax")] == ["policies/climb.yaml"]
    assert SECRET not in everything_said(report)


@posix_only
def test_folder_link_leaving_the_repository_is_not_followed(tmp_path: Path, repo: Path) -> None:
    write_tree(tmp_path, {"outside/secret.yaml": LEAKY})
    write_tree(repo, {"policies/parties.yaml": PARTIES})
    os.symlink(tmp_path / "outside", repo / "policies" / "linked")
    sources, refused = discover([repo / "policies"], repo)
    assert [s.name for s in sources] == ["policies/parties.yaml"]
    (finding,) = refused
    assert finding.rule == "yaml-syntax"
    assert finding.subject == "policies/linked"
    assert finding.location == ("policies/linked", 1, 1)
    assert finding.message == "a symbolic link to outside the repository; not read"

    report = run_check(repo)
    assert [f.location for f in of_rule(report, "yaml-syntax")] == [("policies/linked", 1, 1)]
    assert SECRET not in everything_said(report)
    assert report.files == 2  # the refused folder counts as a checked file
    assert report.counts["parties"] == 5


@posix_only
def test_link_inside_the_repository_is_read(repo: Path) -> None:
    write_tree(repo, {"shared/parties.yaml": PARTIES, "policies/own.yaml": "apiVersion: raci/v1\nkind: Parties\n"})
    os.symlink(repo / "shared" / "parties.yaml", repo / "policies" / "parties.yaml")
    sources, refused = discover([repo / "policies"], repo)
    assert refused == []
    assert [s.name for s in sources] == ["policies/own.yaml", "policies/parties.yaml"]
    loaded = read_source(sources[1], Limits())
    assert loaded.findings == []
    assert [p["id"] for p in loaded.documents[0].value["parties"]] == ["ceo", "cio", "ciso", "it-ops", "security-ops"]
    assert loaded.file == "policies/parties.yaml"


@posix_only
def test_relative_link_inside_the_repository_is_read(repo: Path) -> None:
    write_tree(repo, {"shared/parties.yaml": PARTIES})
    (repo / "policies").mkdir()
    os.symlink("../shared/parties.yaml", repo / "policies" / "parties.yaml")
    report = run_check(repo)
    assert of_rule(report, "yaml-syntax") == []
    assert report.counts["parties"] == 5


@posix_only
def test_folder_link_loop_terminates(repo: Path) -> None:
    write_tree(repo, {"policies/parties.yaml": PARTIES, "policies/sub/x.yaml": "apiVersion: raci/v1\n"})
    os.symlink("..", repo / "policies" / "sub" / "up")
    os.symlink(".", repo / "policies" / "self")
    os.symlink(repo / "policies" / "b", repo / "policies" / "a")
    os.symlink(repo / "policies" / "a", repo / "policies" / "b")
    start = time.perf_counter()
    sources, refused = discover([repo / "policies"], repo)
    assert time.perf_counter() - start < 5
    assert refused == []
    found = [s.name for s in sources]
    assert found == ["policies/parties.yaml", "policies/sub/x.yaml"]
    assert "policies/parties.yaml" in found
    assert len(found) == len(set(found))
    # Each real file is read once, whatever name the walk met it under.
    assert len({os.path.realpath(s.path) for s in sources}) == len(sources)
    assert {os.path.realpath(s.path) for s in sources} == {
        str((repo / "policies" / "parties.yaml").resolve()),
        str((repo / "policies" / "sub" / "x.yaml").resolve()),
    }


@posix_only
@pytest.mark.parametrize("link", ["a-first", "z-last"])
def test_a_folder_link_into_the_walked_folder_names_files_by_their_own_path(repo: Path, link: str) -> None:
    # Whether scandir meets the link or the folder first, a file has one name:
    # its own (a baseline or a waiver keyed by file path must not flip).
    write_tree(repo, {"policies/office/parties.yaml": PARTIES})
    os.symlink("office", repo / "policies" / link)
    sources, refused = discover([repo / "policies"], repo)
    assert refused == []
    assert [s.name for s in sources] == ["policies/office/parties.yaml"]


@posix_only
def test_a_folder_link_elsewhere_in_the_repository_is_walked(repo: Path) -> None:
    write_tree(repo, {"shared/offices/parties.yaml": PARTIES})
    (repo / "policies").mkdir()
    os.symlink("../shared/offices", repo / "policies" / "offices")
    sources, _ = discover([repo / "policies"], repo)
    assert [s.name for s in sources] == ["policies/offices/parties.yaml"]


@posix_only
def test_dangling_link_gives_a_finding(repo: Path) -> None:
    write_tree(repo, {"policies/parties.yaml": PARTIES})
    os.symlink(repo / "policies" / "gone.yaml", repo / "policies" / "dangling.yaml")
    report = run_check(repo)
    (finding,) = of_rule(report, "yaml-syntax")
    assert finding.location == ("policies/dangling.yaml", 1, 1)
    assert "Traceback" not in finding.message


# --- special and unreadable files ------------------------------------------------------------


@posix_only
def test_fifo_is_refused_without_blocking(repo: Path) -> None:
    write_tree(repo, {"policies/parties.yaml": PARTIES})
    os.mkfifo(repo / "policies" / "x.yaml")
    start = time.perf_counter()
    report = run_check(repo)
    assert time.perf_counter() - start < 5
    (finding,) = of_rule(report, "yaml-syntax")
    assert finding.location == ("policies/x.yaml", 1, 1)
    assert "not a regular file" in finding.message
    assert report.counts["parties"] == 5


@posix_only
def test_fifo_swapped_in_after_discovery_does_not_block(repo: Path) -> None:
    (repo / "policies").mkdir()
    os.mkfifo(repo / "policies" / "x.yaml")
    start = time.perf_counter()
    loaded = read_source(Source(repo / "policies" / "x.yaml", "policies/x.yaml"), Limits())
    assert time.perf_counter() - start < 5
    assert loaded.documents == []
    (finding,) = loaded.findings
    assert finding.rule == "yaml-syntax"
    assert finding.location == ("policies/x.yaml", 1, 1)


def test_file_grown_past_the_limit_after_discovery(repo: Path) -> None:
    write_tree(repo, {"policies/x.yaml": "a: " + "x" * 200 + "\n"})
    loaded = read_source(Source(repo / "policies" / "x.yaml", "policies/x.yaml"), Limits(max_file_bytes=100))
    assert loaded.documents == []
    (finding,) = loaded.findings
    assert "limit" in finding.message


@posix_only
@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can read a chmod 000 file")
def test_unreadable_file_gives_a_finding(repo: Path) -> None:
    write_tree(repo, {"policies/parties.yaml": PARTIES, "policies/locked.yaml": LEAKY})
    locked = repo / "policies" / "locked.yaml"
    locked.chmod(0)
    try:
        report = run_check(repo)
    finally:
        locked.chmod(0o644)
    (finding,) = of_rule(report, "yaml-syntax")
    assert finding.location == ("policies/locked.yaml", 1, 1)
    assert "cannot read" in finding.message
    assert SECRET not in everything_said(report)


def test_unreadable_file_gives_a_finding_even_as_root(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(repo, {"policies/parties.yaml": PARTIES, "policies/locked.yaml": LEAKY})
    real_open = os.open

    def refusing_open(path: str | os.PathLike[str], flags: int, *args: object, **kwargs: object) -> int:
        if os.fspath(path).endswith("locked.yaml"):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refusing_open)
    report = run_check(repo)
    (finding,) = of_rule(report, "yaml-syntax")
    assert finding.rule == "yaml-syntax"
    assert finding.subject == "policies/locked.yaml"
    assert finding.location == ("policies/locked.yaml", 1, 1)
    assert finding.message == f"cannot read the file: {os.strerror(errno.EACCES)}"
    assert SECRET not in everything_said(report)
    assert report.counts["parties"] == 5
    assert report.files == 2


def test_a_folder_that_cannot_be_listed_gives_a_finding(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(repo, {"policies/parties.yaml": PARTIES, "policies/locked/duties.yaml": LEAKY})
    real_scandir = os.scandir

    def refusing_scandir(path: str | os.PathLike[str]) -> object:
        # chmod 000 does not stop root, who runs these tests in CI: refuse as the kernel would.
        if os.fspath(path).endswith("locked"):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", refusing_scandir)
    report = run_check(repo)
    (finding,) = of_rule(report, "yaml-syntax")
    assert finding.location == ("policies/locked", 1, 1)
    assert finding.message == f"cannot list this folder ({os.strerror(errno.EACCES)}); not checked"
    assert report.counts["parties"] == 5


def test_unreadable_file_via_read_source(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(repo, {"policies/x.yaml": "a: 1\n"})

    def failing_open(*args: object, **kwargs: object) -> int:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "open", failing_open)
    loaded = read_source(Source(repo / "policies" / "x.yaml", "policies/x.yaml"), Limits())
    assert loaded.documents == []
    (finding,) = loaded.findings
    assert finding.message == "cannot read the file: Permission denied"


@pytest.mark.skipif(sys.platform != "linux", reason="file names that are not UTF-8 are a Linux matter")
def test_two_files_that_print_alike_are_both_read(repo: Path) -> None:
    policies = repo / "policies"
    policies.mkdir()
    (policies / os.fsdecode(b"caf\xe9.yaml")).write_text("a: [1\n")
    (policies / "caf\\xe9.yaml").write_text(PARTIES)
    report = run_check(repo)
    assert report.files == 2
    assert report.counts["parties"] == 5  # the second file was read too
    assert [f.location.file for f in of_rule(report, "yaml-syntax")] == ["policies/caf\\xe9.yaml"]

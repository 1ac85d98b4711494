"""`--base REV` and `--at REV`: the policy set at a revision, read from git objects.

Every test runs in a real repository (tests/gitrepo.py). What matters to a
team adopting the tool on old debt: only new findings fail, matched by
fingerprint and never by line; nothing of the user's checkout is touched; and
a bad revision or a missing repository is one clear line with exit 2.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from checker.cli import main
from checker.config import load_config
from checker.engine import check
from checker.git import ObjectReader, Repository
from checker.reporters.json_ import finding_to_json
from tests.conftest import PARTIES
from tests.gitrepo import Repo, git
from tests.test_precommit import INSTALLED_RACI

# An old debt: nobody is accountable for the asset inventory.
DUTIES = """\
apiVersion: raci/v1
kind: Duties
duties:
  - id: it.asset-inventory
    title: Keep the asset inventory
    raci: {responsible: [it-ops], consulted: [cio]}
  - id: sec.incident-response
    title: Lead the response to security incidents
    raci: {accountable: ciso, responsible: [security-ops], informed: [ceo]}
"""
# The new problem a pull request brings: the CIO also claims incident response.
SECOND_OWNER = """\
apiVersion: raci/v1
kind: Assignments
assignments:
  - duty: sec.incident-response
    accountable: cio
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    repository = Repo(tmp_path / "governance")
    repository.commit("Start the policy set", {"policies/parties.yaml": PARTIES, "policies/duties.yaml": DUTIES})
    monkeypatch.chdir(repository.root)
    return repository


def raci(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def rules_of(result: Result) -> list[tuple[str, str]]:
    data = json.loads(result.output)
    return sorted((f["rule"], f["subject"]) for f in data["findings"])


def test_only_the_new_finding_is_reported_and_fails(repo: Repo) -> None:
    repo.write({"policies/cio-office.yaml": SECOND_OWNER})

    everything = raci("check", "--format", "json")
    assert rules_of(everything) == [
        ("double-ownership", "sec.incident-response"),
        ("orphaned-duty", "it.asset-inventory"),
    ]

    result = raci("check", "--base", "main", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert rules_of(result) == [("double-ownership", "sec.incident-response")]
    assert data["summary"] == {"error": 1, "warning": 0, "info": 0, "suppressed": 0}
    assert data["base"] == {"revision": "main", "commit": repo.git("rev-parse", "main").strip(), "left_out": 1}


def test_text_summary_says_how_many_were_left_out(repo: Repo) -> None:
    repo.write({"policies/cio-office.yaml": SECOND_OWNER})
    result = raci("check", "--base", "main")
    assert result.exit_code == 1
    commit = repo.git("rev-parse", "--short=12", "main").strip()
    assert result.output.splitlines()[-1] == (
        "checked 3 files: 5 parties, 2 duties, 1 assignment; 1 error; "
        f"1 finding already present at main ({commit}) left out"
    )
    assert "orphaned-duty" not in result.output


def test_old_debt_alone_passes(repo: Repo) -> None:
    repo.write({"policies/duties.yaml": DUTIES.replace("Keep the asset inventory", "Keep the hardware inventory")})
    result = raci("check", "--base", "HEAD")
    assert result.exit_code == 0, result.output
    assert "no new problems found; 1 finding already present at HEAD" in result.output
    # Without --base the debt still fails: the baseline only changes what is reported.
    assert raci("check").exit_code == 1


def test_matching_is_by_fingerprint_not_line(repo: Repo) -> None:
    # The old orphaned duty moves down and into another file; it is still the old finding.
    moved = DUTIES.replace(
        "duties:\n",
        "duties:\n  - id: gov.charter\n    title: Keep the charter\n    raci: {accountable: ceo, responsible: [ceo]}\n",
    )
    repo.remove("policies/duties.yaml")
    repo.write({"policies/all/duties-2027.yaml": moved})
    result = raci("check", "--base", "main", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["base"]["left_out"] == 1


def test_a_second_finding_of_the_same_kind_on_the_same_subject_is_new(repo: Repo) -> None:
    # A third accountable party gives a new (rule, subject, detail): not hidden by the old one.
    repo.commit("The CIO claims incident response too", {"policies/cio-office.yaml": SECOND_OWNER})
    repo.write({"policies/ceo-office.yaml": SECOND_OWNER.replace("cio", "it-ops")})
    result = raci("check", "--base", "main", "--format", "json")
    assert result.exit_code == 1
    (finding,) = json.loads(result.output)["findings"]
    assert finding["rule"] == "double-ownership"
    assert finding["detail"] == "cio,ciso,it-ops"


def test_a_finding_waived_at_the_base_and_live_now_is_new(repo: Repo) -> None:
    waiver = """\
    apiVersion: raci/v1
    kind: Waivers
    waivers:
      - rule: orphaned-duty
        subject: it.asset-inventory
        reason: The CIO office is hiring an asset manager
        approved_by: [cio]
        expires: 2027-03-31
    """
    repo.commit("Waive the asset inventory gap", {"policies/waivers.yaml": waiver})
    # Still waived: nothing new.
    assert raci("check", "--base", "main", "--today", "2026-12-01").exit_code == 0
    # The pull request removes the waiver: the gap is live again, and that is new.
    repo.remove("policies/waivers.yaml")
    result = raci("check", "--base", "main", "--today", "2026-12-01", "--format", "json")
    assert result.exit_code == 1
    assert rules_of(result) == [("orphaned-duty", "it.asset-inventory")]


def test_a_base_before_the_policy_set_existed_reports_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repository = Repo(tmp_path / "r")
    repository.commit("README first", {"README.md": "governance\n"})
    repository.commit("Policies", {"policies/parties.yaml": PARTIES, "policies/duties.yaml": DUTIES})
    monkeypatch.chdir(repository.root)
    result = raci("check", "--base", "HEAD~1", "--format", "json")
    assert result.exit_code == 1
    assert rules_of(result) == [("orphaned-duty", "it.asset-inventory")]
    assert json.loads(result.output)["base"]["left_out"] == 0


def _index_digest(root: Path) -> str:
    return hashlib.sha256((root / ".git" / "index").read_bytes()).hexdigest()


def test_the_index_and_work_tree_are_untouched(repo: Repo) -> None:
    # A staged change, an unstaged one and an untracked file: all must survive as they are.
    repo.write({"policies/cio-office.yaml": SECOND_OWNER})
    repo.git("add", "policies/cio-office.yaml")
    repo.write({"policies/duties.yaml": DUTIES + "  # an unstaged edit\n", "policies/new.yaml": PARTIES})
    status = repo.git("status", "--porcelain=v1", "-uall")
    index = _index_digest(repo.root)
    files = {p: p.read_bytes() for p in repo.root.rglob("*") if p.is_file() and ".git" not in p.parts}
    git_entries = sorted(p.name for p in (repo.root / ".git").iterdir())

    assert raci("check", "--base", "main").exit_code == 1
    assert raci("check", "--at", "main").exit_code == 1

    assert repo.git("status", "--porcelain=v1", "-uall") == status
    assert _index_digest(repo.root) == index
    assert {p: p.read_bytes() for p in repo.root.rglob("*") if p.is_file() and ".git" not in p.parts} == files
    # No worktree, lock or temporary checkout was left behind.
    assert sorted(p.name for p in (repo.root / ".git").iterdir()) == git_entries
    assert repo.git("worktree", "list").count("\n") == 1


@pytest.mark.parametrize("option", ["--base", "--at"])
def test_an_unknown_revision_is_exit_2(repo: Repo, option: str) -> None:
    result = raci("check", option, "no-such-branch")
    assert result.exit_code == 2
    assert result.output == "raci: error: unknown revision 'no-such-branch' in this repository\n"


@pytest.mark.parametrize("revision", ["--output=/tmp/x", "-h", "main\nHEAD"])
def test_a_revision_cannot_smuggle_an_option(repo: Repo, revision: str) -> None:
    result = raci("check", f"--base={revision}")
    assert result.exit_code == 2
    assert result.output.startswith("raci: error: unknown revision")


def test_outside_a_repository_is_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "parties.yaml").write_text(PARTIES)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    result = raci("check", "--base", "main")
    assert result.exit_code == 2
    assert result.output == "raci: error: policies: not in a git repository; reading a revision needs one\n"


def test_a_repository_without_commits_is_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    git(tmp_path, "init", "-q")
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "parties.yaml").write_text(PARTIES)
    monkeypatch.chdir(tmp_path)
    result = raci("check", "--base", "HEAD")
    assert result.exit_code == 2
    assert result.output == "raci: error: unknown revision 'HEAD': the repository has no commits yet\n"


def test_a_shallow_clone_says_how_to_deepen_it(repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo.commit("Second", {"policies/cio-office.yaml": SECOND_OWNER})
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone))
    monkeypatch.chdir(clone)
    result = raci("check", "--base", "HEAD~1")
    assert result.exit_code == 2
    assert "this clone is shallow" in result.output
    assert "git fetch --unshallow" in result.output


def test_a_path_outside_the_repository_is_exit_2(repo: Repo, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "parties.yaml").write_text(PARTIES)
    result = raci("check", "--at", "main", str(elsewhere))
    assert result.exit_code == 2
    assert result.output.startswith("raci: error: ")
    assert "not in a git repository" in result.output or "outside the repository" in result.output


# --at: the set as it was, whatever the working tree holds now.


def test_at_reads_the_revision_not_the_working_tree(repo: Repo) -> None:
    repo.commit("The CIO claims incident response", {"policies/cio-office.yaml": SECOND_OWNER})
    repo.remove("policies/duties.yaml")  # gone from the working tree, still in HEAD
    result = raci("check", "--at", "HEAD~1", "--format", "json")
    assert rules_of(result) == [("orphaned-duty", "it.asset-inventory")]
    result = raci("check", "--at", "HEAD", "--format", "json")
    assert rules_of(result) == [
        ("double-ownership", "sec.incident-response"),
        ("orphaned-duty", "it.asset-inventory"),
    ]


def test_at_a_path_missing_at_the_revision_is_exit_2(repo: Repo) -> None:
    repo.commit("More", {"policies/later/x.yaml": SECOND_OWNER})
    result = raci("check", "--at", "HEAD~1", "policies/later")
    assert result.exit_code == 2
    assert result.output == "raci: error: policies/later: no such file or folder at HEAD~1\n"


TRICKY = {
    # read: any case of the suffix, nested folders
    "policies/UPPER.YML": SECOND_OWNER,
    "policies/deep/er/duties.yaml": DUTIES.replace("it.asset", "it.deep-asset"),
    # skipped: hidden files and folders, other suffixes
    "policies/.hidden.yaml": "not: [valid",
    "policies/.drafts/draft.yaml": "not: [valid",
    "policies/notes.txt": "not yaml at all: [",
    # broken files give the same findings from either side
    "policies/broken.yaml": "apiVersion: raci/v1\nkind: Duties\nduties: [\n",
    "policies/dup.yaml": "apiVersion: raci/v1\nkind: Parties\napiVersion: raci/v1\nparties: []\n",
}


def _check_json(at: str | None, paths: tuple[Path, ...] = ()) -> list[dict[str, object]]:
    report = check(paths, config=load_config(), at=at)
    return [finding_to_json(f) for f in report.findings]


def test_at_head_sees_exactly_what_the_working_tree_sees(repo: Repo) -> None:
    repo.write(TRICKY)
    os.symlink("../shared.yaml", repo.root / "policies" / "linked.yaml")  # inside: followed
    os.symlink("deep", repo.root / "policies" / "folder-link")  # into the walked folder: files keep their names
    os.symlink("../offices", repo.root / "policies" / "offices")  # elsewhere in the repository: walked
    os.symlink("..", repo.root / "policies" / "up")  # a folder that holds the walked one: not followed
    repo.write({"offices/ceo/assignments.yaml": SECOND_OWNER.replace("cio", "ceo")})
    os.symlink("/etc/passwd", repo.root / "policies" / "passwd.yaml")  # outside: refused
    os.symlink("missing.yaml", repo.root / "policies" / "dangling.yaml")
    repo.write({"shared.yaml": SECOND_OWNER.replace("cio", "ceo")})
    repo.commit("Tricky files")
    working = _check_json(None)
    assert _check_json("HEAD") == working
    subjects = {f["file"] for f in working}
    assert "policies/offices/ceo/assignments.yaml" in {loc["file"] for f in working for loc in f["related"]} | subjects
    assert not any(str(name).startswith(("policies/folder-link/", "policies/up/")) for name in subjects)
    assert "policies/passwd.yaml" in subjects
    assert "policies/dangling.yaml" in subjects
    assert all("root:" not in str(f["message"]) for f in working)  # the link's target is never read
    # The same holds for explicit paths, a file named outright included.
    paths = (Path("policies/deep"), Path("policies/notes.txt"), Path("policies/parties.yaml"))
    assert _check_json("HEAD", paths) == _check_json(None, paths)


def test_at_head_refuses_an_oversized_file_before_reading_it(repo: Repo) -> None:
    repo.write({".raci.yaml": "limits: {max_file_mb: 0.001}\n", "policies/big.yaml": "# " + "x" * 2000 + "\n"})
    repo.commit("A big file")
    messages = [f["message"] for f in _check_json("HEAD") if f["file"] == "policies/big.yaml"]
    assert messages == [f["message"] for f in _check_json(None) if f["file"] == "policies/big.yaml"]
    assert messages == ["file is 2,003 bytes, above the limit of 1,048 bytes (limits.max_file_mb in .raci.yaml)"]


def test_the_object_reader_answers_none_for_what_is_missing(repo: Repo) -> None:
    repository = Repository.containing(repo.root)
    with ObjectReader(repository.root) as objects:
        assert objects.read("main:policies/nothing.yaml") is None
        assert objects.read("main:policies\n") is None
        found = objects.read("main:policies/parties.yaml")
        assert found is not None
        assert found.kind == "blob"
        assert found.data == PARTIES.encode()
        # The process stays usable after a miss.
        assert objects.read("main:policies/duties.yaml") is not None


def test_a_real_process_run_with_base(repo: Repo) -> None:
    repo.write({"policies/cio-office.yaml": SECOND_OWNER})
    done = subprocess.run(
        [str(INSTALLED_RACI), "check", "--base", "main"],
        cwd=repo.root,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "double-ownership" in done.stdout
    assert "orphaned-duty" not in done.stdout
    assert "Traceback" not in done.stderr


def test_matrix_at_answers_who_was_accountable_then(repo: Repo) -> None:
    repo.commit(
        "The CIO takes incident response",
        {"policies/duties.yaml": DUTIES.replace("accountable: ciso", "accountable: cio")},
    )
    then = json.loads(raci("matrix", "--at", "HEAD~1", "--format", "json").stdout)
    now = json.loads(raci("matrix", "--format", "json").stdout)
    accountable = {d["id"]: d["accountable"] for d in then["duties"]}
    assert accountable["sec.incident-response"] == ["ciso"]
    assert {d["id"]: d["accountable"] for d in now["duties"]}["sec.incident-response"] == ["cio"]
    assert raci("matrix", "--at", "no-such-rev").exit_code == 2

"""Hostile input through the real `raci check` command.

Each case of `test_hostile_file` is a small valid policy set with one known
finding (a duty with two accountable parties in `policies/duties.yaml`) plus one
bad file. The command runs in a subprocess, as CI and pre-commit run it, under
a timeout (a hang fails instead of blocking CI) and an address-space cap (an
explosion fails instead of swapping the runner). Whatever the bad file holds,
the run must end with exit 1, a finding that places the problem at its file,
line and column, no traceback, no raw control character in the text report,
and the known finding still reported: one hostile file must never hide the rest
of the set.

Where nothing can be checked at all (a broken `.raci.yaml`, an unknown
revision, no repository where one is needed), `test_cannot_check` wants one
line on stderr, nothing on stdout and exit 2.

Large inputs are generated in the temporary folder at test time, never
committed. The runs of all cases are started together by module fixtures,
because starting Python is most of a run and CI has two cores.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from tests.gitrepo import Repo, git_env

TIMEOUT_SECONDS = 60
# Far above what a check of a few small files needs, far below what an alias
# bomb or an unbounded read of a hostile file would take.
MEMORY_CAP_BYTES = 1 << 30
FORMATS = ("text", "json", "sarif", "github", "junit", "markdown")

BAD = "policies/bad.yaml"

PARTIES = b"""\
apiVersion: raci/v1
kind: Parties
parties:
  - {id: ceo, name: Chief Executive Officer, type: role}
  - {id: cio, name: Chief Information Officer, type: role, reports_to: ceo}
  - {id: ciso, name: Chief Information Security Officer, type: role, reports_to: ceo}
  - {id: it-ops, name: IT Operations, type: team, reports_to: cio}
"""

DUTIES = b"""\
apiVersion: raci/v1
kind: Duties
duties:
  - id: sec.incident-response
    title: Lead the response to security incidents
    domain: security
    raci:
      accountable: [cio, ciso]
      responsible: [it-ops]
      informed: [ceo]
"""

# The finding every run must still report, whatever the bad file does: (rule, subject, file, line, column).
KNOWN = ("double-ownership", "sec.incident-response", "policies/duties.yaml", 8, 21)

# Raw C0/C1 controls (a tab too), line and paragraph separators and bidi overrides:
# any of them in a terminal report lets a file forge lines or hide text.
_RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP_BYTES, MEMORY_CAP_BYTES))


def _env(cache: Path | None = None) -> dict[str, str]:
    env = git_env()
    # The installed package is what runs; the debug switch would turn a bug's one line into a traceback.
    for name in ("PYTHONPATH", "RACI_DEBUG", "RACI_NO_CACHE"):
        env.pop(name, None)
    env["NO_COLOR"] = "1"
    if cache is not None:
        env["XDG_CACHE_HOME"] = str(cache)
    return env


class Ran(NamedTuple):
    """One finished `raci check`."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    timed_out: bool


def run_all(jobs: list[tuple[Path, list[str], Path | None]]) -> list[Ran]:
    """`raci check` in each (folder, arguments, cache folder), as many at once as
    there are processors (most of a run is starting Python, and CI has two cores),
    each under the timeout and the memory cap.

    Output goes to unnamed files rather than pipes, so that no run waits on a
    reader and one thread can watch them all; a run past its timeout is killed.
    """
    results: list[Ran | None] = [None] * len(jobs)
    pending = list(reversed(list(enumerate(jobs))))
    active: dict[int, tuple[subprocess.Popen[bytes], Any, Any, float]] = {}
    limit = max(2, os.cpu_count() or 2)
    with contextlib.ExitStack() as cleanup:
        while pending or active:
            while pending and len(active) < limit:
                index, (cwd, args, cache) = pending.pop()
                out = cleanup.enter_context(tempfile.TemporaryFile())
                err = cleanup.enter_context(tempfile.TemporaryFile())
                process = cleanup.enter_context(
                    subprocess.Popen(
                        [sys.executable, "-m", "checker", "check", *args],
                        cwd=cwd,
                        env=_env(cache),
                        stdin=subprocess.DEVNULL,
                        stdout=out,
                        stderr=err,
                        preexec_fn=_cap_memory,
                    )
                )
                # Killed on the way out if the test fails first; a no-op once it has ended.
                cleanup.callback(_kill, process)
                active[index] = (process, out, err, time.monotonic() + TIMEOUT_SECONDS)
            time.sleep(0.005)
            for index, (process, out, err, deadline) in list(active.items()):
                timed_out = process.poll() is None and time.monotonic() > deadline
                if timed_out:
                    _kill(process)
                elif process.returncode is None:
                    continue
                del active[index]
                texts = []
                for stream in (out, err):
                    stream.seek(0)
                    texts.append(stream.read().decode("utf-8", "surrogateescape"))
                    stream.close()
                results[index] = Ran(jobs[index][1], process.returncode, texts[0], texts[1], timed_out)
    return [ran for ran in results if ran is not None]


def _kill(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
        process.wait()


def sound(ran: Ran) -> Ran:
    """`ran`, once it is known to have ended by itself without a traceback."""
    assert not ran.timed_out, f"raci check {' '.join(ran.args)} still running after {TIMEOUT_SECONDS} s"
    for stream in (ran.stdout, ran.stderr):
        assert "Traceback" not in stream, stream[-3000:]
        assert "internal error" not in stream, stream[-3000:]
    return ran


def raci(cwd: Path, *args: str) -> Ran:
    (ran,) = run_all([(cwd, list(args), None)])
    return sound(ran)


def _git_init(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(root)], env=_env(), check=True, timeout=TIMEOUT_SECONDS)


def valid_set(root: Path) -> Path:
    """A repository holding the small valid set; returns its root."""
    _git_init(root)
    (root / "policies").mkdir()
    (root / "policies/parties.yaml").write_bytes(PARTIES)
    (root / "policies/duties.yaml").write_bytes(DUTIES)
    return root


# ---------------------------------------------------------------------------
# The cases of point 1: one bad file beside the valid set
# ---------------------------------------------------------------------------


class Want(NamedTuple):
    """A finding the bad file must yield: rule, line, column, and a regex its message matches."""

    rule: str
    line: int
    column: int
    message: str = ""


@dataclass(frozen=True)
class Case:
    id: str
    # The bad file's bytes (or a function of the repository root that gives them),
    # written at `file`; or `make`, which builds whatever the case needs itself.
    content: bytes | Callable[[Path], bytes] | None = None
    want: tuple[Want, ...] = ()
    file: str = BAD
    make: Callable[[Path], None] | None = None
    # Many findings: `want` among them, and each rule's findings from the
    # file at most 100 plus one that counts the rest.
    capped: bool = False
    # Many findings, each about a different subject: `want` among them, none
    # capped (`after` counts them).
    many: bool = False
    # Extra assertions on (repository root, parsed JSON report).
    after: Callable[[Path, dict[str, Any]], None] | None = None
    # Content that must never reach any output format.
    secret: str | None = None
    formats: tuple[str, ...] = ("json", "text")
    skip: Callable[[], str | None] | None = None


def header(kind: str) -> bytes:
    return f"apiVersion: raci/v1\nkind: {kind}\n".encode()


# A clean duty for the bad files that need a Duties document around their problem.
CLEAN_DUTY = b"""\
duties:
  - id: bad.duty
    title: Keep the inventory
    domain: it
    raci:
      accountable: ciso
      responsible: [it-ops]
"""


def alias_bomb() -> bytes:
    lines = [b"apiVersion: raci/v1", b"kind: Parties", b"parties: []", b"x0: &a0 [" + b", ".join([b"lol"] * 9) + b"]"]
    for level in range(1, 10):
        lines.append(f"x{level}: &a{level} [{', '.join([f'*a{level - 1}'] * 9)}]".encode())
    return b"\n".join(lines) + b"\n"


DEEP = 100_000
# The root mapping is the first level; the flow value under `parties:` the second.
FLOW_PREFIX = "parties: "
MAX_DEPTH = 64


def deep_block() -> bytes:
    # One `- ` per level on one line: a block sequence nested 100,000 deep in 200 kB
    # (a mapping per level would need quadratic indentation).
    return b"- " * DEEP + b"x\n"


def deep_flow(opener: str, closer: str) -> bytes:
    return header("Parties") + (FLOW_PREFIX + opener * DEEP + "x" + closer * DEEP + "\n").encode()


def flow_column(opener: str) -> int:
    # The opener that starts level 65: the 64th under the root mapping.
    return len(FLOW_PREFIX) + len(opener) * (MAX_DEPTH - 1) + 1


def make_huge(root: Path) -> None:
    line = b"  - {id: filler, name: Filler party to make the file large, type: role}\n"
    size = 50 * 1024 * 1024
    with open(root / BAD, "wb") as out:
        out.write(header("Parties") + b"parties:\n")
        out.write(line * (size // len(line) + 1))


ORPHAN_DUTY = b"""\
apiVersion: raci/v1
kind: Duties
duties:
  - id: bom.duty
    title: Checked as if the BOM were not there
    domain: it
    raci:
      responsible: [it-ops]
"""


def python_payload(root: Path) -> bytes:
    marker = root.parent / "executed-marker"
    return (
        header("Duties")
        + (
            "duties:\n"
            "  - id: bad.duty\n"
            "    title: Keep the inventory\n"
            "    domain: it\n"
            "    raci:\n"
            f'      accountable: !!python/object/apply:os.system ["touch {marker}"]\n'
            "      responsible: [it-ops]\n"
        ).encode()
    )


def python_new_payload(root: Path) -> bytes:
    marker = root.parent / "executed-marker"
    return header("Parties") + f'parties: !!python/object/new:os.system ["touch {marker}"]\n'.encode()


def not_executed(root: Path, report: dict[str, Any]) -> None:
    assert not (root.parent / "executed-marker").exists(), "a YAML tag ran a command"


def with_duty(raci_lines: str, *, extra: str = "") -> bytes:
    return (
        header("Duties")
        + (
            f"duties:\n  - id: bad.duty\n    title: Keep the inventory\n    domain: it\n{extra}    raci:\n{raci_lines}"
        ).encode()
    )


BUDGET_SPLIT_DUPLICATE = header("Budgets") + (
    b"budgets:\n"
    b"  - id: bad.budget\n"
    b"    amount: 1000\n"
    b"    currency: USD\n"
    b"    period: FY2027\n"
    b"    funds: [sec.incident-response]\n"
    b"    splits:\n"
    b"      - party: cio\n"
    b"        percent: 40\n"
    b"        percent: 100\n"
)

WORDS = header("Parties") + (
    b"parties:\n"
    b"  - {id: no, name: The no party, type: team}\n"
    b"  - {id: on, name: The on party, type: team}\n"
    b"  - {id: yes, name: The yes party, type: team}\n"
    b"  - {id: off, name: The off party, type: team}\n"
    b"---\n"
) + header("Duties") + (
    b"duties:\n"
    b"  - id: words.duty\n"
    b"    title: Owned by parties named like YAML 1.1 booleans\n"
    b"    domain: it\n"
    b"    raci:\n"
    b"      accountable: [no, on]\n"
    b"      responsible: yes\n"
    b"      informed: [off]\n"
)  # fmt: skip


def words_resolved(root: Path, report: dict[str, Any]) -> None:
    (found,) = [f for f in report["findings"] if f["file"] == BAD]
    # Both words name parties (a boolean would be a schema error, an unknown one an unknown-party).
    assert found["detail"] == "no,on"
    assert report["checked"]["parties"] == 8


def budgets(value: str) -> bytes:
    """One budget with `value` as its amount, one with `value` as a split's percent.

    The first budget's split is 8, what `010` would be as a YAML 1.1 octal: a
    1.1 reader passes it silently, a 1.2 reader sees a split of 8 out of 10.
    The budgets fund the CIO's duty, so that no other rule fires on them.
    """
    return (
        header("Budgets")
        + (
            "budgets:\n"
            "  - id: by-amount\n"
            f"    amount: {value}\n"
            "    currency: USD\n"
            "    period: FY2027\n"
            "    funds: [sec.incident-response]\n"
            "    splits:\n"
            "      - {party: cio, amount: 8}\n"
            "  - id: by-percent\n"
            "    amount: 1000\n"
            "    currency: USD\n"
            "    period: FY2027\n"
            "    funds: [sec.incident-response]\n"
            "    splits:\n"
            f"      - {{party: cio, percent: {value}}}\n"
        ).encode()
    )


BY_AMOUNT, BY_PERCENT = (4, 9), (11, 9)  # where each budget's id is written in `budgets()`
AMOUNT = (5, 13)  # where the first budget's amount is written
PERCENT = (17, len("      - {party: cio, percent: ") + 1)
HUGE_INT = "9" * 5000


def refused_tag(tag: str) -> str:
    return re.escape(tag) + r"\W* is not allowed"


def duplicate(key: str, path: str, first: int) -> str:
    return rf"'{key}'.*{re.escape(path)}\b.*line {first}\b"


def number_case(value: str, message: str, *, name: str) -> Case:
    return Case(
        f"number-{name}",
        budgets(value),
        (Want("schema", *AMOUNT, "amount: " + message), Want("schema", *PERCENT, "percent: " + message)),
    )


def make_symlink_out(root: Path) -> None:
    outside = root.parent / "outside"
    outside.mkdir()
    # Broken YAML, so that a checker that read it would quote it in a syntax error.
    (outside / "secret.yaml").write_text(f"apiVersion: raci/v1\nkind: [{SECRET}: {SECRET}\n", encoding="utf-8")
    (root / BAD).symlink_to(outside / "secret.yaml")


def make_symlink_chain_out(root: Path) -> None:
    make_symlink_out(root)
    os.rename(root / BAD, root / "policies/inner.yml")
    (root / BAD).symlink_to("inner.yml")


def make_folder_link_out(root: Path) -> None:
    make_symlink_out(root)
    (root / BAD).unlink()
    (root / "policies/elsewhere").symlink_to(root.parent / "outside", target_is_directory=True)


SECRET = "S3CRET-4b1d-never-printed"


def make_loops(root: Path) -> None:
    policies = root / "policies"
    (policies / "loop").symlink_to(".", target_is_directory=True)
    (policies / "up").symlink_to("..", target_is_directory=True)
    (policies / "a").mkdir()
    (policies / "b").mkdir()
    (policies / "a/more.yaml").write_bytes(header("Duties") + CLEAN_DUTY)
    (policies / "a/to-b").symlink_to("../b", target_is_directory=True)
    (policies / "b/to-a").symlink_to("../a", target_is_directory=True)


def loops_read_once(root: Path, report: dict[str, Any]) -> None:
    # Each file read once, under its own name: no duplicate-id from a second reading, nothing else at all.
    assert report["checked"]["files"] == 3
    assert [f["rule"] for f in report["findings"]] == [KNOWN[0]]


def make_fifo(root: Path) -> None:
    os.mkfifo(root / "policies/x.yaml")


def make_unreadable(root: Path) -> None:
    path = root / BAD
    path.write_bytes(header("Duties") + CLEAN_DUTY)
    path.chmod(0)


def running_as_root() -> str | None:
    return "root reads a file whatever its mode" if os.geteuid() == 0 else None


def make_named(name: bytes) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        path = os.path.join(os.fsencode(root / "policies"), name)
        with open(path, "wb") as out:
            out.write(header("Parties") + b"parties:\n\t- {id: x, name: X, type: role}\n")

    return make


LONG_ID = "a" * 10_000


def short_messages(root: Path, report: dict[str, Any]) -> None:
    # A person needs the start of a 10,000-character id, not all of it in every message.
    for finding in report["findings"]:
        assert LONG_ID not in finding["message"], finding["message"][:200]


MANY = 100_000


def unknown_ids() -> bytes:
    informed = "".join(f"      - ciso-{i}\n" for i in range(MANY))
    return with_duty(f"      accountable: ciso\n      responsible: [it-ops]\n      informed:\n{informed}")


def every_unknown_id_reported(report: dict[str, Any]) -> None:
    # Rule findings are not capped (README): each names a different party, and
    # CI must see them all; what is bounded is the cost, linear in the file.
    unknown = {f["detail"] for f in report["findings"] if f["rule"] == "unknown-party" and f["file"] == BAD}
    assert len(unknown) == MANY


DOCUMENTS = 5_000


def many_documents() -> bytes:
    return b"".join(b"---\napiVersion: raci/v1\nkind: Nope\n" for _ in range(DOCUMENTS))


FLOOD = 10_000


def duplicate_flood() -> bytes:
    return with_duty("      accountable: ciso\n      responsible: [it-ops]\n", extra="    domain: it\n" * FLOOD)


CASES = [
    # Aliases, nesting, size.
    Case("alias-bomb", alias_bomb(), (Want("yaml-syntax", 5, 10, r"alias\W*\*a0.*not allowed"),)),
    Case(
        "merge-key",
        header("Parties") + b"parties:\n  - <<: {id: ceo2, name: X, type: role}\n",
        (Want("yaml-syntax", 4, 5, r"merge key.*<<.*not allowed"),),
    ),
    Case("deep-block", deep_block(), (Want("yaml-syntax", 1, 2 * MAX_DEPTH + 1, r"deeper than 64"),)),
    Case(
        "deep-flow-sequence",
        deep_flow("[", "]"),
        (Want("yaml-syntax", 3, flow_column("["), r"deeper than 64"),),
    ),
    Case(
        "deep-flow-mapping",
        deep_flow("{a: ", "}"),
        (Want("yaml-syntax", 3, flow_column("{a: "), r"deeper than 64"),),
    ),
    Case("huge-50mb", make=make_huge, want=(Want("yaml-syntax", 1, 1, r"50 MiB.*above the limit of 32 MiB"),)),
    # Encodings and bytes.
    Case(
        "non-utf8",
        header("Parties") + b"parties:\n  - {id: cafe, name: Caf\xe9, type: role}\n",
        (Want("yaml-syntax", 4, 25, "not valid UTF-8"),),
    ),
    Case(
        "utf8-encoded-surrogate",
        header("Parties") + b"parties:\n  - {id: x, name: \xed\xa0\x80, type: role}\n",
        (Want("yaml-syntax", 4, 19, "not valid UTF-8"),),
    ),
    Case("binary", bytes(range(256)) * 64, (Want("yaml-syntax", 1, 1, "binary|NUL|UTF-8"),)),
    Case(
        "nul-byte",
        header("Parties") + b"parties:\n  - {id: x\x00, name: X, type: role}\n",
        (Want("yaml-syntax", 4, 11, "NUL"),),
    ),
    Case(
        "raw-escape-character",
        header("Parties") + b"parties:\n  - {id: x, name: \x1b[2J\x1b]0;owned\x07, type: role}\n",
        (Want("yaml-syntax", 4, 19, "control character"),),
    ),
    Case(
        "utf16-with-bom",
        (header("Duties") + CLEAN_DUTY).decode().encode("utf-16"),
        (Want("yaml-syntax", 1, 1, "UTF-16"),),
    ),
    Case(
        "utf16-without-bom",
        (header("Duties") + CLEAN_DUTY).decode().encode("utf-16-be"),
        (Want("yaml-syntax", 1, 1, "UTF-16|NUL|UTF-8"),),
    ),
    # The BOM is accepted: no finding for it, and positions count from after it.
    Case("bom", b"\xef\xbb\xbf" + ORPHAN_DUTY, (Want("orphaned-duty", 4, 9, "no accountable"),)),
    Case(
        "bom-then-bad-api-version",
        b"\xef\xbb\xbfapiVersion: raci/v2\nkind: Parties\nparties: []\n",
        (Want("schema", 1, 13, "raci/v2"),),
    ),
    # Tags: refused, never constructed.
    Case(
        "python-object-apply",
        python_payload,
        (Want("yaml-syntax", 8, 20, refused_tag("!!python/object/apply:os.system")),),
        after=not_executed,
    ),
    Case(
        "python-object-new",
        python_new_payload,
        (Want("yaml-syntax", 3, 10, refused_tag("!!python/object/new:os.system")),),
        after=not_executed,
    ),
    Case(
        "python-name",
        header("Parties") + b"parties: !!python/name:os.system ''\n",
        (Want("yaml-syntax", 3, 10, refused_tag("!!python/name:os.system")),),
    ),
    Case(
        "binary-tag",
        header("Parties") + b"parties:\n  - {id: x, name: !!binary aGVsbG8=, type: role}\n",
        (Want("yaml-syntax", 4, 19, refused_tag("!!binary")),),
    ),
    Case(
        "set-tag",
        header("Parties") + b"parties: !!set {a, b}\n",
        (Want("yaml-syntax", 3, 10, refused_tag("!!set")),),
    ),
    Case(
        "unknown-local-tag",
        header("Parties") + b"parties:\n  - !party {id: x, name: X, type: role}\n",
        (Want("yaml-syntax", 4, 5, refused_tag("!party")),),
    ),
    Case(
        "unknown-verbatim-tag",
        header("Parties") + b"parties: !<tag:example.com,2000:app/party> []\n",
        (Want("yaml-syntax", 3, 10, refused_tag("tag:example.com,2000:app/party")),),
    ),
    # Non-string keys.
    Case(
        "int-key",
        with_duty("      accountable: ciso\n      responsible: [it-ops]\n      1: ceo\n"),
        (Want("yaml-syntax", 10, 7, r"key.*string.*number 1"),),
    ),
    Case(
        "bool-key",
        with_duty("      accountable: ciso\n      responsible: [it-ops]\n      true: ceo\n"),
        (Want("yaml-syntax", 10, 7, r"key.*string.*true"),),
    ),
    Case(
        "null-key",
        with_duty("      accountable: ciso\n      responsible: [it-ops]\n      ~: ceo\n"),
        (Want("yaml-syntax", 10, 7, r"key.*string.*null"),),
    ),
    Case(
        "collection-key",
        with_duty("      accountable: ciso\n      responsible: [it-ops]\n      ? [cio, ciso]\n      : ceo\n"),
        (Want("yaml-syntax", 10, 9, r"key.*string.*collection"),),
    ),
    # Duplicate keys at every level: the later value is used, so nothing else fires.
    Case(
        "duplicate-key-top-level",
        header("Duties") + b"kind: Duties\n" + CLEAN_DUTY,
        (Want("duplicate-key", 3, 1, duplicate("kind", "kind", 2)),),
    ),
    Case(
        "duplicate-key-in-duty",
        with_duty("      accountable: ciso\n      responsible: [it-ops]\n", extra="    title: Again\n"),
        (Want("duplicate-key", 7, 5, duplicate("title", "duties[0].title", 5)),),
    ),
    Case(
        "duplicate-key-in-raci",
        with_duty("      accountable: cio\n      responsible: [it-ops]\n      accountable: ciso\n"),
        (Want("duplicate-key", 10, 7, duplicate("accountable", "duties[0].raci.accountable", 8)),),
    ),
    Case(
        "duplicate-key-in-split",
        BUDGET_SPLIT_DUPLICATE,
        (Want("duplicate-key", 12, 9, duplicate("percent", "budgets[0].splits[0].percent", 11)),),
    ),
    Case(
        "duplicate-key-flood",
        duplicate_flood(),
        (Want("duplicate-key", 7, 5, duplicate("domain", "duties[0].domain", 6)),),
        capped=True,
    ),
    # YAML 1.1 words are strings: parties named `no` and `on` own a duty (twice, so there is a finding to see).
    Case("yaml11-words-as-ids", WORDS, (Want("double-ownership", 16, 21, r"\bno\b.*\bon\b"),), after=words_resolved),
    # Numbers: YAML 1.2 core, exact decimals, schema bounds.
    # The right reading of each is the YAML 1.2 core schema's: `010` is ten, `1_000`
    # and `12:30` are strings; the rest are numbers that the schema's bounds refuse.
    Case(
        "number-010",
        budgets("010"),
        (
            Want("split-total", *BY_AMOUNT, r"80%.*USD 10\b.*under by 20%"),
            Want("split-total", *BY_PERCENT, r"10%.*USD 1,000.*under by 90%"),
        ),
    ),
    number_case("1_000", r"'1_000'.*string.*number", name="underscore"),
    number_case("12:30", r"'12:30'.*string.*number", name="sexagesimal"),
    number_case("1e400", r"1E\+400.*maximum", name="1e400"),
    number_case("1e-400", r"1E-400.*30 decimal places", name="1e-400"),
    number_case(".nan", r"\.nan.*not a finite number", name="nan"),
    number_case(".inf", r"\.inf.*not a finite number", name="inf"),
    number_case("-0", r"\b0 is not above 0", name="minus-zero"),
    number_case(HUGE_INT, r"[0-9.]+E\+5000.*maximum", name="5000-digits"),
    # Nothing in the file.
    Case("empty-file", b"", (Want("schema", 1, 1, "no policy document"),)),
    Case("only-comments", b"# nothing here\n   # still nothing\n", (Want("schema", 1, 1, "no policy document"),)),
    Case("only-empty-documents", b"---\n---\n...\n", (Want("schema", 1, 1, "no policy document"),)),
    Case("many-documents", many_documents(), (Want("schema", 3, 7, r"unknown kind 'Nope'"),), capped=True),
    Case(
        "tab-indented",
        header("Parties") + b"parties:\n\t- {id: x, name: X, type: role}\n",
        (Want("yaml-syntax", 4, 1, "tab"),),
    ),
    # The file system: links, loops, FIFOs, permissions.
    Case(
        "symlink-out",
        make=make_symlink_out,
        want=(Want("yaml-syntax", 1, 1, r"link.*outside the repository"),),
        secret=SECRET,
        formats=FORMATS,
    ),
    Case(
        "symlink-chain-out",
        make=make_symlink_chain_out,
        want=(Want("yaml-syntax", 1, 1, r"link.*outside the repository"),),
        secret=SECRET,
    ),
    Case(
        "folder-symlink-out",
        make=make_folder_link_out,
        file="policies/elsewhere",
        want=(Want("yaml-syntax", 1, 1, r"link.*outside the repository"),),
        secret=SECRET,
    ),
    Case(
        "symlink-to-itself",
        make=lambda root: (root / BAD).symlink_to("bad.yaml"),
        want=(Want("yaml-syntax", 1, 1, "cannot read|not read|link"),),
    ),
    Case("folder-symlink-loops", make=make_loops, file="policies/loop", after=loops_read_once),
    Case("fifo", make=make_fifo, file="policies/x.yaml", want=(Want("yaml-syntax", 1, 1, "not a regular file"),)),
    Case(
        "unreadable",
        make=make_unreadable,
        want=(Want("yaml-syntax", 1, 1, r"cannot read.*Permission denied"),),
        skip=running_as_root,
    ),
    # File names are chosen by the pull request too: a newline or an escape in one
    # must not forge a finding line or drive the terminal.
    Case(
        "control-characters-in-file-name",
        make=make_named("bad\n\x1b[31mred\u202e.yaml".encode()),
        file="policies/bad\\n\\x1b[31mred\\u202e.yaml",
        want=(Want("yaml-syntax", 4, 1, "tab"),),
    ),
    Case(
        "non-utf8-file-name",
        make=make_named(b"bad\xff.yaml"),
        file="policies/bad\\xff.yaml",
        want=(Want("yaml-syntax", 4, 1, "tab"),),
    ),
    # Sizes of things inside a valid file.
    Case(
        "id-10000-chars",
        header("Parties") + f"parties:\n  - {{id: {LONG_ID}, name: X, type: role}}\n".encode(),
        (Want("schema", 4, 10, r"at most 200 character"),),
        after=short_messages,
    ),
    Case(
        "unknown-ids-100000",
        unknown_ids(),
        (Want("unknown-party", 11, 9, r"'ciso-0'.*not defined"),),
        many=True,
        after=lambda root, report: every_unknown_id_reported(report),
    ),
    Case(
        "escape-sequences-in-id",
        header("Parties") + b'parties:\n  - {id: "x\\e[2J\\u202eevil", name: X, type: role}\n',
        (Want("schema", 4, 10, r"x\\x1b\[2J\\u202eevil.*id pattern"),),
    ),
]


def _write_case(root: Path, case: Case) -> None:
    if case.make is not None:
        case.make(root)
    if case.content is not None:
        content = case.content(root) if callable(case.content) else case.content
        (root / case.file).write_bytes(content)


def _check_known(report: dict[str, Any]) -> None:
    rule, subject, file, line, column = KNOWN
    assert [f for f in report["findings"] if (f["rule"], f["subject"], f["file"], f["line"], f["column"]) == KNOWN], (
        f"{rule} on {subject} at {file}:{line}:{column} is lost: {[f['rule'] for f in report['findings']]}"
    )
    assert report["checked"]["parties"] >= 4
    assert report["checked"]["duties"] >= 1


def _matches(finding: dict[str, Any], want: Want) -> bool:
    return (
        finding["rule"] == want.rule
        and finding["line"] == want.line
        and finding["column"] == want.column
        and re.search(want.message, finding["message"]) is not None
    )


def _check_bad_file(case: Case, report: dict[str, Any]) -> None:
    mine = [f for f in report["findings"] if f["file"] == case.file or f["file"].startswith(case.file + "/")]
    shown = [(f["rule"], f["line"], f["column"], f["message"][:300]) for f in mine[:10]]
    for want in case.want:
        assert any(_matches(f, want) for f in mine), f"{want} not among {shown}"
    if case.many:
        return
    if not case.capped:
        assert len(mine) == len(case.want), f"expected exactly {case.want}, got {shown}"
        return
    per_rule: dict[str, int] = {}
    for finding in mine:
        per_rule[finding["rule"]] = per_rule.get(finding["rule"], 0) + 1
    for rule, count in per_rule.items():
        assert count <= 101, f"{count} {rule} findings from one file: not capped"
    assert any(f.get("detail") == "(more)" and re.search(r"\d more", f["message"]) for f in mine), shown


def _selected(request: pytest.FixtureRequest, test: str, name: str) -> list[object]:
    """The parameter `name` of each item of `test` in this module that the session runs."""
    return [
        item.callspec.params[name]
        for item in request.session.items
        if isinstance(item, pytest.Function) and item.module is request.module and item.originalname == test
    ]


@pytest.fixture(scope="module")
def hostile_runs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every selected case's runs, made all at once: case id -> (repository root,
    format -> run), or the exception that setting the case up raised."""
    selected = [case for case in _selected(request, "test_hostile_file", "case") if isinstance(case, Case)]
    # The largest first, so that the slowest runs do not start last and run alone.
    selected.sort(key=lambda case: len(case.content) if isinstance(case.content, bytes) else 0, reverse=True)
    outcomes: dict[str, Any] = {}
    jobs: list[tuple[Path, list[str], Path | None]] = []
    owners: list[tuple[str, str]] = []
    for case in selected:
        if case.skip is not None and case.skip():
            continue
        base = tmp_path_factory.mktemp(case.id)
        try:
            root = valid_set(base / "repo")
            _write_case(root, case)
        except Exception as exc:
            outcomes[case.id] = exc
            continue
        outcomes[case.id] = (root, {})
        for fmt in case.formats:
            jobs.append((root, ["--format", fmt], base / "cache"))
            owners.append((case.id, fmt))
    for (case_id, fmt), ran in zip(owners, run_all(jobs), strict=True):
        outcomes[case_id][1][fmt] = ran
    return outcomes


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_hostile_file(case: Case, hostile_runs: dict[str, Any]) -> None:
    if case.skip is not None and (reason := case.skip()):
        pytest.skip(reason)
    outcome = hostile_runs[case.id]
    if isinstance(outcome, Exception):
        raise outcome
    root, runs = outcome
    for fmt, ran in runs.items():
        sound(ran)
        assert ran.returncode == 1, (fmt, ran.returncode, ran.stderr[-2000:])

    report = json.loads(runs["json"].stdout)
    _check_known(report)
    _check_bad_file(case, report)
    if case.after is not None:
        case.after(root, report)

    text = runs["text"].stdout + runs["text"].stderr
    raw = _RAW_CONTROL.search(text)
    assert raw is None, f"raw {unicodedata.name(raw.group(), repr(raw.group()))} in the text report"
    assert "{2}:{3}:{4}: error {0}".format(*KNOWN) in text
    if case.secret:
        for fmt, ran in runs.items():
            assert case.secret not in ran.stdout + ran.stderr, f"the {fmt} report prints a file outside the repository"


def test_fifo_is_never_read(tmp_path: Path) -> None:
    # The FIFO case above proves the run does not block on a FIFO nobody writes to.
    # Here one is held open with a policy waiting in it: a checker that read it
    # would neither block nor come back empty-handed, and the bytes would be gone.
    root = valid_set(tmp_path / "repo")
    fifo = root / "policies/x.yaml"
    os.mkfifo(fifo)
    held = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)
    try:
        os.write(held, PARTIES)
        done = raci(root, "--format", "json")
        assert done.returncode == 1, done.stderr[-2000:]
        report = json.loads(done.stdout)
        _check_known(report)
        assert [(f["rule"], f["line"]) for f in report["findings"] if f["file"] == "policies/x.yaml"] == [
            ("yaml-syntax", 1)
        ]
        assert os.read(held, len(PARTIES) + 1) == PARTIES, "the checker read from the FIFO"
    finally:
        os.close(held)


# ---------------------------------------------------------------------------
# Point 3: nothing can be checked; one line on stderr, exit 2
# ---------------------------------------------------------------------------


def one_line_exit_2(done: Ran, *mentions: str) -> str:
    assert done.returncode == 2, (
        f"exit {done.returncode}, not 2; stderr {done.stderr[-500:]!r}, stdout {done.stdout[-500:]!r}"
    )
    lines = done.stderr.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {lines[:10]}"
    line = lines[0]
    assert line.strip(), "an empty line says nothing"
    assert not _RAW_CONTROL.search(line), repr(line)
    for mention in mentions:
        assert mention in line, f"{mention!r} not in {line!r}"
    assert done.stdout == "", "a run that checks nothing must print no report"
    return line


# Where a run that executed what it was given would leave a trace.
MARKER = "executed-marker"

CONFIGS = {
    "unknown-key": (b"polices: [policies]\n", "polices"),
    "syntax-error": (b"policies: [policies\n", ".raci.yaml"),
    "not-a-mapping": (b"- policies\n", ".raci.yaml"),
    "binary": (bytes(range(256)), ".raci.yaml"),
    "alias": (b"x: &p [policies]\npolicies: *p\n", ".raci.yaml"),
    "python-tag": (b'policies: !!python/object/apply:os.system ["touch {marker}"]\n', ".raci.yaml"),
    "duplicate-key": (b"policies: [policies]\npolicies: [policies]\n", ".raci.yaml"),
    "bad-severity": (b"rules: {idle-party: loud}\n", ".raci.yaml"),
    "huge-depth-limit": (b"limits: {max_depth: 1e400}\n", ".raci.yaml"),
    "missing-folder": (b"policies: [no-such-folder]\n", "no-such-folder"),
    "deep": (b"x: " + b"[" * DEEP + b"]" * DEEP + b"\n", ".raci.yaml"),
}

# (the scenario's own folder, the shared committed repository) -> (where to run, the arguments)
Setup = Callable[[Path, Path], tuple[Path, list[str]]]


class Stop(NamedTuple):
    """A run that can check nothing: how to set it up, and what its one line must name."""

    id: str
    setup: Setup
    mentions: tuple[str, ...]


def with_config(content: bytes) -> Setup:
    def setup(base: Path, committed: Path) -> tuple[Path, list[str]]:
        root = valid_set(base / "repo")
        (root / ".raci.yaml").write_bytes(content.replace(b"{marker}", str(base / MARKER).encode()))
        return root, ["--format", "json"]

    return setup


def config_not_a_file(make: Callable[[Path], None]) -> Setup:
    # A `.raci.yaml` that is there but cannot be a configuration is one nobody
    # meant: the run must stop, not carry on with the defaults (nor block on a FIFO).
    def setup(base: Path, committed: Path) -> tuple[Path, list[str]]:
        root = valid_set(base / "repo")
        make(root / ".raci.yaml")
        return root, []

    return setup


def in_valid_set(*args: str) -> Setup:
    return lambda base, committed: (valid_set(base / "repo"), list(args))


def in_committed(*args: str) -> Setup:
    return lambda base, committed: (committed, [arg.replace("{marker}", str(base / MARKER)) for arg in args])


def outside_any_repository(*args: str) -> Setup:
    def setup(base: Path, committed: Path) -> tuple[Path, list[str]]:
        root = base / "plain"
        (root / "policies").mkdir(parents=True)
        (root / "policies/parties.yaml").write_bytes(PARTIES)
        (root / "policies/duties.yaml").write_bytes(DUTIES)
        return root, list(args)

    return setup


def folder_outside(base: Path, committed: Path) -> tuple[Path, list[str]]:
    elsewhere = base / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "parties.yaml").write_bytes(PARTIES)
    return committed, ["--base", "HEAD", str(elsewhere)]


STOPS = [
    *(Stop(f"config-{name}", with_config(content), (mention,)) for name, (content, mention) in CONFIGS.items()),
    Stop("config-fifo", config_not_a_file(os.mkfifo), (".raci.yaml",)),
    Stop("config-folder", config_not_a_file(os.mkdir), (".raci.yaml",)),
    Stop("config-file-missing", in_valid_set("--config", "nowhere.yaml"), ("nowhere.yaml",)),
    Stop("base-unknown-name", in_committed("--base", "no-such-revision"), ("no-such-revision",)),
    Stop("at-unknown-name", in_committed("--at", "no-such-revision"), ("no-such-revision",)),
    Stop("base-beyond-history", in_committed("--base", "HEAD~5"), ("HEAD~5",)),
    Stop("at-unknown-commit", in_committed("--at", "0" * 40), ("0" * 40,)),
    Stop("base-range", in_committed("--base", "main..HEAD"), ("main..HEAD",)),
    # A revision is handed to git: one that reads as an option must not act as one.
    Stop("base-that-is-an-option", in_committed("--base=--output={marker}"), ("--output",)),
    Stop("at-that-is-an-option", in_committed("--at=--output={marker}"), ("--output",)),
    Stop("base-outside-any-repository", outside_any_repository("--base", "HEAD"), ("git repository",)),
    Stop("at-outside-any-repository", outside_any_repository("--at", "HEAD"), ("git repository",)),
    Stop("base-without-commits", in_valid_set("--base", "HEAD"), ("HEAD", "commits")),
    Stop("at-without-commits", in_valid_set("--at", "HEAD"), ("HEAD", "commits")),
    Stop("base-with-a-folder-outside-any-repository", folder_outside, ("git repository",)),
    Stop("missing-path", in_valid_set("policies/nowhere.yaml"), ("policies/nowhere.yaml",)),
]


@pytest.fixture(scope="module")
def stop_runs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every selected scenario's run, made all at once: id -> (its folder, the run),
    or the exception that setting it up raised."""
    selected = [stop for stop in _selected(request, "test_cannot_check", "stop") if isinstance(stop, Stop)]
    if not selected:
        return {}
    repo = Repo(tmp_path_factory.mktemp("committed") / "repo")
    repo.write({"policies/parties.yaml": PARTIES.decode(), "policies/duties.yaml": DUTIES.decode()})
    repo.commit("A valid set")
    outcomes: dict[str, Any] = {}
    jobs: list[tuple[Path, list[str], Path | None]] = []
    owners: list[tuple[str, Path]] = []
    for stop in selected:
        base = tmp_path_factory.mktemp(stop.id)
        try:
            cwd, args = stop.setup(base, repo.root)
        except Exception as exc:
            outcomes[stop.id] = exc
            continue
        jobs.append((cwd, args, base / "cache"))
        owners.append((stop.id, base))
    for (stop_id, base), ran in zip(owners, run_all(jobs), strict=True):
        outcomes[stop_id] = (base, ran)
    return outcomes


@pytest.mark.parametrize("stop", STOPS, ids=[stop.id for stop in STOPS])
def test_cannot_check(stop: Stop, stop_runs: dict[str, Any]) -> None:
    outcome = stop_runs[stop.id]
    if isinstance(outcome, Exception):
        raise outcome
    base, ran = outcome
    one_line_exit_2(sound(ran), *stop.mentions)
    assert not (base / MARKER).exists(), "the run executed something it was given"

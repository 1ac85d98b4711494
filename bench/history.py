#!/usr/bin/env python3
"""Benchmark `raci history` over a long trail.

    python bench/history.py [--duties 10000] [--commits 1000] [--runs 3] [--gen PATH] [--out bench/HISTORY.md]

Writes a policy set with the project generator, commits it, then `--commits`
commits that each retitle one duty in one file (round robin over the duty
files), all through one `git fast-import`. It then times, as whole
processes, median of --runs:

- reference: PyYAML's C loader (`yaml.load_all`) over every file version the
  trail holds (the first commit's files plus each changed file once): what any
  tool must at least parse to know what each commit meant;
- `raci history --format json --no-cache`, then, once the cache is filled,
  the same without `--no-cache` (a second run reads no blob and parses no file).

It fails (exit 1) unless the history reports exactly one change per commit:
the retitled duty, with its old and new title.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import DEFAULT_GEN, FULL_LOAD, REPO, environment, median_of, run

TITLE = re.compile(rb"^    title: (.*)$", re.MULTILINE)


def build(folder: Path, repo: Path, commits: int) -> tuple[list[Path], list[tuple[str, str, str]]]:
    """The repository, the file versions of its trail (written out for the reference), and the
    expected (duty title before, after, file) of each commit after the first."""
    files = {f"policies/{p.relative_to(folder).as_posix()}": p.read_bytes() for p in sorted(folder.rglob("*.yaml"))}
    duty_files = [name for name in files if name.startswith("policies/duties/")]
    versions = repo.parent / "versions"
    versions.mkdir()
    written = []
    for i, data in enumerate(files.values()):
        path = versions / f"v{i:05d}.yaml"
        path.write_bytes(data)
        written.append(path)
    stream = bytearray()
    when = 1_790_000_000

    def commit(message: str, changed: dict[str, bytes], n: int) -> None:
        text = message.encode()
        stream.extend(b"commit refs/heads/main\n")
        stream.extend(f"committer Bench <bench@example.com> {when + n * 60} +0000\n".encode())
        stream.extend(b"data %d\n%s\n" % (len(text), text))
        for name, data in changed.items():
            stream.extend(b"M 100644 inline %s\ndata %d\n%s\n" % (name.encode(), len(data), data))

    commit("Import the policy set", files, 0)
    expected = []
    for n in range(1, commits + 1):
        name = duty_files[n % len(duty_files)]
        data = files[name]
        match = TITLE.search(data, pos=(n * 997) % max(1, len(data) - 200))
        if match is None:
            match = TITLE.search(data)
        assert match is not None
        old = match.group(1)
        new = old.split(b" (rev")[0] + b" (rev %d)" % n
        data = data[: match.start(1)] + new + data[match.end(1) :]
        files[name] = data
        commit(f"Retitle a duty ({n})", {name: data}, n)
        expected.append((old.decode(), new.decode(), name))
        path = versions / f"v{len(written):05d}.yaml"
        path.write_bytes(data)
        written.append(path)
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, input=bytes(stream), check=True)
    subprocess.run(["git", "checkout", "-q", "main"], cwd=repo, check=True)
    return written, expected


def verify(out: bytes, expected: list[tuple[str, str, str]]) -> list[str]:
    commits = json.loads(out)["commits"]
    problems = []
    # Newest first; the import commit adds everything and comes last.
    retitles = commits[:-1][::-1]
    if len(retitles) != len(expected):
        return [f"expected {len(expected)} retitling commits, got {len(retitles)}"]
    for n, (entry, (old, new, _name)) in enumerate(zip(retitles, expected, strict=True), 1):
        changes = entry["changes"]
        if len(changes) != 1 or changes[0]["field"] != "title" or changes[0]["after"] != new:
            problems.append(f"commit {n}: expected title {old!r} -> {new!r}, got {changes}")
        elif changes[0]["before"] != old:
            problems.append(f"commit {n}: expected before {old!r}, got {changes[0]['before']!r}")
    return problems[:5]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duties", type=int, default=10000)
    ap.add_argument("--commits", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--gen", type=Path, default=DEFAULT_GEN)
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "HISTORY.md")
    args = ap.parse_args()
    if not args.gen.exists():
        print(f"bench: generator not found at {args.gen} (pass --gen)", file=sys.stderr)
        return 2
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="raci-history-bench-") as tmp:
        folder = Path(tmp) / "org"
        subprocess.run(
            [python, str(args.gen), str(folder), "--duties", str(args.duties)], check=True, capture_output=True
        )
        repo = Path(tmp) / "repo"
        start = time.perf_counter()
        versions, expected = build(folder / "policies", repo, args.commits)
        made = time.perf_counter() - start
        print(f"built {args.commits + 1} commits in {made:.1f}s")
        reference, _, _ = median_of([python, "-c", FULL_LOAD, *map(str, versions)], args.runs)
        env = environment(Path(tmp) / "cache")
        command = [python, "-m", "checker", "history", "--format", "json"]
        raci, peak, out = median_of([*command, "--no-cache"], args.runs, cwd=repo, env=env)
        run(command, cwd=repo, env=env)  # fills the cache
        again, _, out_again = median_of(command, args.runs, cwd=repo, env=env)
        problems = verify(out, expected) + [f"second run: {p}" for p in verify(out_again, expected)]
    ratio = raci / reference
    print(
        f"{args.commits} commits over {args.duties:,} duties: C-load of each version {reference:.3f}s, "
        f"raci history {raci:.3f}s ({ratio:.2f}x), second run {again:.3f}s ({raci / again:.1f}x faster), "
        f"peak {peak / 1024:.0f} MiB, {problems or 'ok'}"
    )
    write_results(args, reference, raci, again, peak, len(versions), not problems)
    for problem in problems:
        print(f"bench: WRONG RESULT: {problem}", file=sys.stderr)
    return 1 if problems else 0


def write_results(
    args: argparse.Namespace, reference: float, raci: float, again: float, peak: int, versions: int, correct: bool
) -> None:
    import yaml

    lines = [
        "# History benchmark",
        "",
        f"Written by `python bench/history.py` on {time.strftime('%Y-%m-%d')}; medians of {args.runs} runs, "
        "whole processes.",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, PyYAML {yaml.__version__} (libyaml: {yaml.__with_libyaml__}).",
        "",
        "| duties | commits | file versions | C-load each version once | raci history (no cache) | ratio "
        "| second run (cache) | speed-up | peak MiB | correct |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        f"| {args.duties:,} | {args.commits:,} | {versions:,} | {reference:.3f} s | {raci:.3f} s | "
        f"{raci / reference:.2f}x | {again:.3f} s | {raci / again:.1f}x | {peak / 1024:.0f} | "
        f"{'yes' if correct else 'NO'} |",
        "",
    ]
    args.out.write_text("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Benchmark `raci check` against the cost of merely parsing its files, and against its peers.

    python -m pip install -e '.[bench]'      # the peers: check-jsonschema, yamllint
    python bench/run.py [--sizes 1000 10000 100000] [--runs 5] [--peer-cap 600] [--gen PATH] [--out bench/RESULTS.md]

For each size, writes a policy set with the project generator `gen_org.py`
(default: ../shared/bench/gen_org.py beside this repository), then times,
each as a whole process, median of --runs, side by side in one session:

- floor: iterating PyYAML's C parser event stream over the same files
  (`yaml.parse(data, Loader=yaml.CSafeLoader)`), the least any PyYAML-based
  reader can do;
- full load: PyYAML's C-loader `yaml.load_all`, for reference;
- raci check, cold: the real command, `--format json --no-cache`, as users
  run it (a large set is parsed on every processor), with its CPU time (all
  its processes), and again with `--jobs 1` (one process);
- raci check, re-run, with the cache the previous runs filled (the pre-commit
  and CI case), after one file of the set changed in one of three ways: a duty
  given another accountable party and a duty retitled (its meaning changed: the
  rules run again on what the edit touched, see `checker/incremental.py`), and
  a comment added (its meaning did not: the last outcome is recalled);
- the peers, on the same files: check-jsonschema with our schemas (one run
  per kind of file, summed) and yamllint (`-d relaxed`). From --peer-once-at
  duties up (default 100,000) each peer runs once, capped at --peer-cap seconds.

Python runs as users have it, writing and reusing bytecode (this machine's
PYTHONDONTWRITEBYTECODE is unset for the timed processes), after one warm-up.
It reports medians, ratios to the floor and to each peer, peak memory, and
the exponent of raci's cost against the set's size. It fails (exit 1) unless
`raci check` reports exactly the error counts of each set's `expected.json`
for every rule the checker implements, so a fast but wrong checker fails.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parents[1]
DEFAULT_GEN = REPO.parent / "shared" / "bench" / "gen_org.py"

FLOOR = """
import sys, yaml
for name in sys.argv[1:]:
    with open(name, 'rb') as f:
        for _ in yaml.parse(f.read(), Loader=yaml.CSafeLoader):
            pass
"""
FULL_LOAD = """
import sys, yaml
for name in sys.argv[1:]:
    with open(name, 'rb') as f:
        list(yaml.load_all(f.read(), Loader=yaml.CSafeLoader))
"""


def environment(cache: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    # This checkout's code, whatever is installed, wherever the timed process runs.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH", "")]))
    if cache is not None:
        env["XDG_CACHE_HOME"] = str(cache)
    return env


def run(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None, cap: float | None = None):
    """Wall time, peak resident memory (KiB, of its largest process), stdout and CPU time
    (user and system, its worker processes included) of one process (time None past `cap`)."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.DEVNULL, env=env or environment())
        if cap is None:
            _, status, usage = os.wait4(proc.pid, 0)  # blocking: no polling delay in the timing
        else:
            deadline = start + cap
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                if time.perf_counter() > deadline:
                    proc.kill()
                    os.wait4(proc.pid, 0)
                    return None, 0, b"", 0.0
                time.sleep(0.005)
        proc.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - start
        out.seek(0)
        return elapsed, usage.ru_maxrss, out.read(), usage.ru_utime + usage.ru_stime


def median_of(cmd: list[str], runs: int, cwd: Path | None = None, env: dict[str, str] | None = None, before=None):
    """Median wall time, largest peak memory and the last output of `runs` runs."""
    timed = interleaved({"": (cmd, before)}, runs, env, cwd)[""]
    return timed.time, timed.peak, timed.out


class Timed(NamedTuple):
    time: float  # median wall time
    peak: int  # largest peak memory, KiB
    out: bytes  # the last run's output
    cpu: float  # median CPU time


def interleaved(
    commands: dict[str, tuple[list[str], object]], runs: int, env: dict[str, str] | None, cwd: Path | None = REPO
) -> dict[str, Timed]:
    """Each command `runs` times, one of each per round (after its `before` function, if any)."""
    times: dict[str, list[float]] = defaultdict(list)
    cpus: dict[str, list[float]] = defaultdict(list)
    peaks: dict[str, int] = defaultdict(int)
    outs: dict[str, bytes] = {}
    for _ in range(runs):
        for name, (cmd, before) in commands.items():
            if callable(before):
                before()
            elapsed, peak, outs[name], cpu = run(cmd, cwd, env)
            times[name].append(elapsed)
            cpus[name].append(cpu)
            peaks[name] = max(peaks[name], peak)
    return {
        name: Timed(statistics.median(times[name]), peaks[name], outs[name], statistics.median(cpus[name]))
        for name in commands
    }


def verify(out: bytes, expected: dict[str, object]) -> list[str]:
    """Differences between reported and expected error counts, for implemented rules."""
    report = json.loads(out)
    got = Counter(f["rule"] for f in report["findings"] if f["severity"] == "error")
    want = expected["errors"]
    assert isinstance(want, dict)
    problems = []
    for rule in sorted(set(want) | set(got)):
        if rule not in _rules():
            continue  # not implemented yet: reported in the results, not checked
        if got.get(rule, 0) != want.get(rule, 0):
            problems.append(f"{rule}: expected {want.get(rule, 0)}, got {got.get(rule, 0)}")
    return problems


def _rules() -> set[str]:
    sys.path.insert(0, str(REPO))
    from checker.registry import RULES

    return set(RULES)


def kinds_of(files: list[str]) -> dict[str, list[str]]:
    """The files of each kind, read from their `kind:` line (check-jsonschema takes one schema a run)."""
    found: dict[str, list[str]] = defaultdict(list)
    for name in files:
        with open(name, encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("kind:"):
                    found[line.split(":", 1)[1].strip().lower()].append(name)
                    break
    return found


def peer_check_jsonschema(files: list[str], runs: int, cap: float | None) -> tuple[float | None, int]:
    tool = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    if tool is None:
        return None, 0
    total_times, peak = [], 0
    for _ in range(runs):
        total = 0.0
        for kind, names in sorted(kinds_of(files).items()):
            cmd = [tool, "--schemafile", str(REPO / "schemas" / f"{kind}.schema.json"), *names]
            elapsed, mem, _, _ = run(cmd, cap=None if cap is None else max(cap - total, 1))
            if elapsed is None:
                return None, peak
            total += elapsed
            peak = max(peak, mem)
        total_times.append(total)
    return statistics.median(total_times), peak


def peer_yamllint(files: list[str], runs: int, cap: float | None) -> tuple[float | None, int]:
    tool = shutil.which("yamllint", path=str(Path(sys.executable).parent))
    if tool is None:
        return None, 0
    times, peak = [], 0
    for _ in range(runs):
        elapsed, mem, _, _ = run([tool, "-d", "relaxed", "-f", "parsable", *files], cap=cap)
        if elapsed is None:
            return None, peak
        times.append(elapsed)
        peak = max(peak, mem)
    return statistics.median(times), peak


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--peer-once-at", type=int, default=100000)
    ap.add_argument("--peer-cap", type=float, default=600.0)
    ap.add_argument("--no-peers", action="store_true")
    ap.add_argument("--gen", type=Path, default=DEFAULT_GEN)
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "RESULTS.md")
    args = ap.parse_args()
    if not args.gen.exists():
        print(f"bench: generator not found at {args.gen} (pass --gen)", file=sys.stderr)
        return 2
    python = sys.executable
    rows, failures, unchecked = [], [], set()
    with tempfile.TemporaryDirectory(prefix="raci-bench-") as tmp:
        cache = Path(tmp) / "cache"
        env = environment(cache)
        # Compile every module's bytecode once, as an installed tool has it.
        run([python, "-m", "checker", "check", "--no-cache", "--format", "json"], cwd=REPO, env=env)
        run([python, "-m", "checker", "check", "--format", "json"], cwd=REPO, env=env)
        for size in args.sizes:
            folder = Path(tmp) / f"org{size}"
            subprocess.run([python, str(args.gen), str(folder), "--duties", str(size)], check=True, capture_output=True)
            expected = json.loads((folder / "expected.json").read_text())
            files = sorted(str(p) for p in (folder / "policies").rglob("*.yaml"))
            runs = max(1, args.runs if size < args.peer_once_at else min(args.runs, 3))
            check = [python, "-m", "checker", "check", str(folder / "policies"), "--format", "json"]
            # The re-runs: the cache holds the set; one file differs each time.
            run(check, cwd=REPO, env=env)
            duties = [f for f in files if "/duties/" in f]
            changed = Path(duties[len(duties) // 2])
            original = changed.read_bytes()
            # One run of each command per round, so that a slow spell of a shared machine
            # slows all of them alike and the ratios stay fair.
            timed = interleaved(
                {
                    "floor": ([python, "-c", FLOOR, *files], None),
                    "full": ([python, "-c", FULL_LOAD, *files], None),
                    "cold": ([*check, "--no-cache"], None),
                    "alone": ([*check, "--no-cache", "--jobs", "1"], None),
                    "new owner": (check, _reowner(changed, original, _active(folder))),
                    "retitled": (check, _retitler(changed, original)),
                    "commented": (check, _commenter(changed)),
                },
                runs,
                env,
            )
            changed.write_bytes(original)
            floor, full, alone = (timed[k].time for k in ("floor", "full", "alone"))
            owner, retitled, commented = (timed[k].time for k in ("new owner", "retitled", "commented"))
            cold, cold_mem, out, cold_cpu = timed["cold"]
            out_alone = timed["alone"].out
            problems = verify(out, expected)
            problems += [f"re-run, new owner: {p}" for p in verify(timed["new owner"].out, expected)]
            problems += [f"re-run, retitled: {p}" for p in verify(timed["retitled"].out, expected)]
            problems += [f"re-run, commented: {p}" for p in verify(timed["commented"].out, expected)]
            problems += [f"--jobs 1: {p}" for p in verify(out_alone, expected)]
            peers_runs = 1 if size >= args.peer_once_at else min(runs, 3)  # 20x slower: noise cannot matter
            cap = args.peer_cap if size >= args.peer_once_at else None
            if args.no_peers:
                cjs, ylint = None, None
            else:
                cjs, _ = peer_check_jsonschema(files, peers_runs, cap)
                ylint, _ = peer_yamllint(files, peers_runs, cap)
            failures += [f"{size} duties: {p}" for p in problems]
            unchecked |= {rule for rule in expected["errors"] if rule not in _rules()}
            row = {
                "size": size,
                "bytes": expected["bytes"],
                "files": len(files),
                "floor": floor,
                "full": full,
                "cold": cold,
                "cold_cpu": cold_cpu,
                "alone": alone,
                "owner": owner,
                "retitled": retitled,
                "commented": commented,
                "cold_mem": cold_mem,
                "check_jsonschema": cjs,
                "yamllint": ylint,
                "peer_runs": peers_runs,
                "cap": cap,
                "correct": not problems,
            }
            rows.append(row)
            print(
                f"{size:>7} duties: floor {floor:.3f}s  full load {full:.3f}s  raci {cold:.3f}s "
                f"({cold / floor:.2f}x floor, CPU {cold_cpu:.3f}s, one process {alone:.3f}s)  "
                f"re-run: new owner {owner:.3f}s ({owner / cold:.0%}), "
                f"retitled {retitled:.3f}s ({retitled / cold:.0%}), commented {commented:.3f}s "
                f"({commented / cold:.0%})  "
                f"peak {cold_mem / 1024:.0f} MiB  "
                f"check-jsonschema {_secs(cjs)}  yamllint {_secs(ylint)}  {problems or 'ok'}",
                flush=True,
            )
        own, own_mem, _ = median_of([python, "-m", "checker", "check", "--format", "json"], args.runs, REPO, env)
        own_cold, _, _ = median_of(
            [python, "-m", "checker", "check", "--format", "json", "--no-cache"], args.runs, REPO, env
        )
        print(f"bundled policies/: {own:.3f}s with the cache, {own_cold:.3f}s without; peak {own_mem / 1024:.0f} MiB")
    write_results(args.out, rows, own, own_cold, args.runs, unchecked)
    for failure in failures:
        print(f"bench: WRONG RESULT: {failure}", file=sys.stderr)
    return 1 if failures else 0


def _active(folder: Path) -> list[str]:
    """The ids of the set's active parties, in file order."""
    import yaml

    active = []
    for path in sorted((folder / "policies").rglob("*.yaml")):
        for doc in yaml.load_all(path.read_bytes(), Loader=yaml.CSafeLoader):
            if isinstance(doc, dict) and doc.get("kind") == "Parties":
                active += [p["id"] for p in doc["parties"] if p.get("active", True)]
    return active


def _reowner(path: Path, original: bytes, active: list[str]):
    """A function that gives a duty of `path` another accountable party each call, the
    next active one: ownership moves (what `git blame` on a RACI file mostly shows),
    and the errors stay those of `expected.json` (one active owner before and after)."""
    text = original.decode()
    named = next((m for m in re.finditer(r"accountable: ([\w.-]+)\n", text) if m.group(1) in active), None)
    if named is None:
        raise SystemExit(f"bench: no duty with one active accountable party in {path}")
    others = itertools.cycle([party for party in active if party != named.group(1)])

    def edit() -> None:
        path.write_bytes((text[: named.start(1)] + next(others) + text[named.end(1) :]).encode())

    return edit


def _retitler(path: Path, original: bytes):
    """A function that gives the first duty of `path` a new title each call: the file
    means something else (no finding changes), so the rules run again."""
    counter = itertools.count()
    if b"title: " not in original:
        raise SystemExit(f"bench: no title to change in {path}")

    def edit() -> None:
        path.write_bytes(original.replace(b"title: ", f"title: (rev {next(counter)}) ".encode(), 1))

    return edit


def _commenter(path: Path):
    """A function that adds a comment at the end of `path` each call: new bytes, the
    same meaning, so the last outcome is recalled."""
    counter = itertools.count()

    def edit() -> None:
        path.write_bytes(path.read_bytes() + f"# reviewed {next(counter)}\n".encode())

    return edit


def _secs(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}s"


def exponent(rows: list[dict]) -> float | None:
    """The slope of log(time) against log(size): 1.0 is linear."""
    points = [(math.log(r["size"]), math.log(r["cold"])) for r in rows]
    if len(points) < 2:
        return None
    mx = statistics.mean(x for x, _ in points)
    my = statistics.mean(y for _, y in points)
    return sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x, _ in points)


def write_results(out: Path, rows: list[dict], own: float, own_cold: float, runs: int, unchecked: set[str]) -> None:
    import yaml

    def peer(value: float | None, row: dict) -> str:
        if value is None:
            return f"> {row['cap']:.0f} s (capped)" if row["cap"] else "not installed"
        return f"{value:.2f} s ({value / row['cold']:.0f}x)"

    lines = [
        "# Benchmark results",
        "",
        f"Written by `python bench/run.py` on {time.strftime('%Y-%m-%d')}; medians of {runs} rounds (3 at most "
        "from 100,000 duties; the peers 3 runs, and one from 100,000 duties), whole processes, bytecode cached "
        "as users have it.",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, PyYAML {yaml.__version__} (libyaml: {yaml.__with_libyaml__}).",
        "",
        "`raci check (cold)` is the command as users run it: a set with over 1 MiB to parse is parsed by the "
        "main process and worker processes together, on every processor. `raci CPU` is its processor time, "
        "all processes included; `one process` is the same check with `--jobs 1`. The floor and the peers run "
        "on one processor. Peak memory is that of the largest process. Each round runs every command once "
        "(floor, full load, cold, one process, the three re-runs), so a slow spell of this shared machine slows "
        "them alike.",
        "",
        "The re-runs use the cache the earlier runs filled, each after one duties file changed since the run "
        "before it: `new owner` makes another active party accountable for a duty and `retitled` gives a duty a "
        "new title (each written over the file's first bytes, so the earlier edits are undone too). The file "
        "means something else, so the rules run again on what the edit touched (`checker/incremental.py`). "
        "`commented` adds a comment at its end (new bytes, the same meaning: the last outcome is recalled). "
        "See the README's cache section.",
        "",
        "| duties | MB | floor (events) | PyYAML full load | raci check (cold) | raci / floor | raci / full load "
        "| raci CPU | one process (`--jobs 1`) | one process / floor "
        "| re-run, new owner | / cold | re-run, retitled | / cold | re-run, commented | / cold "
        "| peak MiB | check-jsonschema (x raci) | yamllint (x raci) | correct |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['size']:,} | {r['bytes'] / 1e6:.1f} | {r['floor']:.3f} s | {r['full']:.3f} s | {r['cold']:.3f} s "
            f"| {r['cold'] / r['floor']:.2f}x | {r['cold'] / r['full']:.2f}x | {r['cold_cpu']:.3f} s "
            f"| {r['alone']:.3f} s | {r['alone'] / r['floor']:.2f}x "
            f"| {r['owner']:.3f} s | {r['owner'] / r['cold']:.0%} "
            f"| {r['retitled']:.3f} s | {r['retitled'] / r['cold']:.0%} "
            f"| {r['commented']:.3f} s | {r['commented'] / r['cold']:.0%} "
            f"| {r['cold_mem'] / 1024:.0f} | {peer(r['check_jsonschema'], r)} "
            f"| {peer(r['yamllint'], r)} | {'yes' if r['correct'] else 'NO'} |"
        )
    slope = exponent(rows)
    lines += [
        "",
        f"Cost against size: raci's cold time grows as size^{slope:.2f} over these sets (1.00 is linear)."
        if slope is not None
        else "",
        "",
        f"`raci check` on the bundled `policies/` (the pre-commit case): {own:.3f} s with the cache, "
        f"{own_cold:.3f} s without.",
        "",
    ]
    if unchecked:
        lines.append(
            "Rules in `expected.json` that the checker does not implement yet, so not compared: "
            + ", ".join(f"`{r}`" for r in sorted(unchecked))
            + "."
        )
        lines.append("")
    out.write_text("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())

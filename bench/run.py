#!/usr/bin/env python3
"""Benchmark `raci check` against the cost of merely parsing its files.

    python bench/run.py [--sizes 1000 10000] [--runs 5] [--gen PATH] [--out bench/RESULTS.md]

For each size, writes a policy set with the project generator `gen_org.py`
(default: ../shared/bench/gen_org.py beside this repository), then times,
each as a whole process, median of --runs:

- floor: iterating PyYAML's C parser event stream over the same files, the
  least any PyYAML-based reader can do;
- full load: PyYAML's C-loader `yaml.load`, for reference;
- raci check: the real command, `--format json`.

It also times `raci check` on this repository's own `policies/` (the
pre-commit case). It fails (exit 1) unless `raci check` reports exactly the
error counts of the set's `expected.json` for every rule the checker
implements, so a fast but wrong checker cannot pass. Results go to
--out with the machine they ran on.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

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


def run(cmd: list[str], cwd: Path | None = None) -> tuple[float, int, bytes]:
    """Wall time, peak resident memory (KiB) and stdout of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = proc.stdout.read() if proc.stdout else b""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - start
    return elapsed, usage.ru_maxrss, out


def median_of(cmd: list[str], runs: int, cwd: Path | None = None) -> tuple[float, int, bytes]:
    times, peaks, out = [], [], b""
    for _ in range(runs):
        elapsed, peak, out = run(cmd, cwd)
        times.append(elapsed)
        peaks.append(peak)
    return statistics.median(times), max(peaks), out


def verify(out: bytes, expected: dict[str, object]) -> list[str]:
    """Differences between reported and expected error counts, for implemented rules."""
    sys.path.insert(0, str(REPO))
    from checker.registry import RULES

    report = json.loads(out)
    got = Counter(f["rule"] for f in report["findings"] if f["severity"] == "error")
    want = expected["errors"]
    assert isinstance(want, dict)
    problems = []
    for rule in sorted(set(want) | set(got)):
        if rule not in RULES:
            continue  # not implemented yet: reported in the results, not checked
        if got.get(rule, 0) != want.get(rule, 0):
            problems.append(f"{rule}: expected {want.get(rule, 0)}, got {got.get(rule, 0)}")
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--gen", type=Path, default=DEFAULT_GEN)
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "RESULTS.md")
    args = ap.parse_args()
    if not args.gen.exists():
        print(f"bench: generator not found at {args.gen} (pass --gen)", file=sys.stderr)
        return 2
    python = sys.executable
    rows, failures, unchecked = [], [], set()
    with tempfile.TemporaryDirectory(prefix="raci-bench-") as tmp:
        for size in args.sizes:
            folder = Path(tmp) / f"org{size}"
            subprocess.run([python, str(args.gen), str(folder), "--duties", str(size)], check=True, capture_output=True)
            expected = json.loads((folder / "expected.json").read_text())
            files = sorted(str(p) for p in (folder / "policies").rglob("*.yaml"))
            floor, floor_mem, _ = median_of([python, "-c", FLOOR, *files], args.runs)
            full, full_mem, _ = median_of([python, "-c", FULL_LOAD, *files], args.runs)
            raci, raci_mem, out = median_of(
                [python, "-m", "checker", "check", str(folder / "policies"), "--format", "json"], args.runs, cwd=REPO
            )
            problems = verify(out, expected)
            failures += [f"{size} duties: {p}" for p in problems]
            unchecked |= {rule for rule in expected["errors"] if rule not in _rules()}
            rows.append((size, expected["bytes"], floor, full, raci, floor_mem, full_mem, raci_mem, not problems))
            print(
                f"{size:>7} duties: floor {floor:.3f}s  full load {full:.3f}s  raci {raci:.3f}s "
                f"({raci / floor:.2f}x floor)  peak {raci_mem / 1024:.0f} MiB  {problems or 'ok'}"
            )
        own, own_mem, _ = median_of([python, "-m", "checker", "check", "--format", "json"], args.runs, cwd=REPO)
        print(f"bundled policies/: {own:.3f}s, peak {own_mem / 1024:.0f} MiB")
    write_results(args.out, rows, own, args.runs, unchecked)
    for failure in failures:
        print(f"bench: WRONG RESULT: {failure}", file=sys.stderr)
    return 1 if failures else 0


def _rules() -> set[str]:
    sys.path.insert(0, str(REPO))
    from checker.registry import RULES

    return set(RULES)


def write_results(out: Path, rows: list[tuple], own: float, runs: int, unchecked: set[str]) -> None:
    import yaml

    lines = [
        "# Benchmark results",
        "",
        f"Written by `python bench/run.py` on {time.strftime('%Y-%m-%d')}; medians of {runs} runs, whole processes.",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, PyYAML {yaml.__version__} (libyaml: {yaml.__with_libyaml__}).",
        "",
        "| duties | MB | floor (events) | PyYAML full load | raci check | raci / floor | raci / full load "
        "| peak MiB raci | correct |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for size, size_bytes, floor, full, raci, _fm, _ful, raci_mem, ok in rows:
        lines.append(
            f"| {size:,} | {size_bytes / 1e6:.1f} | {floor:.3f} s | {full:.3f} s | {raci:.3f} s | "
            f"{raci / floor:.2f}x | {raci / full:.2f}x | {raci_mem / 1024:.0f} | {'yes' if ok else 'NO'} |"
        )
    lines += ["", f"`raci check` on the bundled `policies/` (the pre-commit case): {own:.3f} s.", ""]
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

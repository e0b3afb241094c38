"""Whole-process wall time of `newskg query run` against `python -c "import click"`.

Both are measured in the same run, so the ratio does not depend on the machine. Target: the
embedded engine at most 2x the click import. The same query through --engine rdflib is
measured for comparison.

    .venv/bin/python benchmarks/query_startup.py [--runs 7] [--query claim-counts-by-status]

Builds the project first if build/ is missing.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 2.0


def wall_time(command: list[str]) -> float:
    """Seconds from start to exit of one process (its output discarded; a failure aborts)."""
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - started


def median_time(command: list[str], runs: int) -> float:
    """Median of `runs` timings, after one warm-up run (file-system cache)."""
    wall_time(command)
    return statistics.median(wall_time(command) for _ in range(runs))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="timed runs per command (>= 5)")
    parser.add_argument("--query", default="claim-counts-by-status", help="a saved SELECT query")
    args = parser.parse_args()
    runs = max(5, args.runs)
    newskg = str(Path(sys.executable).parent / "newskg")
    # An installed package has its bytecode compiled (pip does it); an editable checkout under
    # PYTHONDONTWRITEBYTECODE=1 would recompile every module on every run, which measures the
    # compiler, not the tool. Compile once, as pip would.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src" / "newskg")], check=True)
    if not (ROOT / "build" / "dataset.nq").exists():
        subprocess.run([newskg, "--project", str(ROOT), "build"], check=True, cwd=ROOT)

    query = [newskg, "--project", str(ROOT), "query", "run", args.query]
    timings = {
        'python -c "import click"': median_time([sys.executable, "-c", "import click"], runs),
        f"newskg query run {args.query}": median_time(query, runs),
        f"newskg query run {args.query} --engine rdflib": median_time([*query, "--engine", "rdflib"], runs),
    }
    reference = timings['python -c "import click"']
    print(f"median of {runs} runs, whole process wall time")
    for label, seconds in timings.items():
        print(f"  {seconds * 1000:8.1f} ms  {seconds / reference:5.2f}x  {label}")
    embedded_ratio = timings[f"newskg query run {args.query}"] / reference
    verdict = "meets" if embedded_ratio <= TARGET_RATIO else "MISSES"
    print(f"embedded engine: {embedded_ratio:.2f}x the click import ({verdict} the {TARGET_RATIO:g}x target)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

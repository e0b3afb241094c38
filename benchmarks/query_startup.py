"""Whole-process wall and CPU time of `newskg query run` against `python -c "import click"`.

Both are measured in the same run, so the ratio does not depend on the machine. Target: the
embedded engine at most 2x the click import on the article's build. The same query through
--engine rdflib is measured for comparison, and the same prepared text run by a bare interpreter
with pyoxigraph on the build's store (`bench.py`'s reference: what is left is newskg's own
start-up). With --project, any built project (e.g. a 1M-triple corpus of benchmarks/corpus.py).

    .venv/bin/python benchmarks/query_startup.py [--runs 7] [--query claim-counts-by-status]
    .venv/bin/python benchmarks/query_startup.py --project CORPUS --query evidence-for-entity \\
        -p entity=nkr:Kestania --no-rdflib

Builds the project first if its build/ is missing. Wall and CPU (user+sys) come from os.wait4.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 2.0
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import REFERENCE_QUERY  # noqa: E402  (the same reference as the benchmark table)


def timed(command: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (user+sys) of one process, its output discarded; a failure aborts."""
    started = time.perf_counter()
    with open(os.devnull, "wb") as devnull:
        process = subprocess.Popen(command, stdout=devnull, cwd=ROOT)
        _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed")
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime


def median_time(command: list[str], runs: int) -> tuple[float, float]:
    """Median wall and CPU of `runs` runs, after one warm-up run (file-system cache)."""
    timed(command)
    timings = [timed(command) for _ in range(runs)]
    return statistics.median(t[0] for t in timings), statistics.median(t[1] for t in timings)


def reference_spec(project: Path, query: str, params: dict[str, str], folder: Path) -> Path:
    """The prepared text and default graph of the query, as bench.py hands them to pyoxigraph."""
    from newskg.api import prepare_query
    from newskg.project import Build
    from newskg.views import read_view

    prepared = prepare_query(query, project=project, params=params)
    build = Build(project / "build")
    view = read_view(build) if build.store_path.is_dir() else None
    spec = {"text": prepared.text, "graphs": view.dataset(prepared.graphs) if view else prepared.graphs,
            "store": str(build.store_path) if build.store_path.is_dir() else None,
            "nquads": str(build.nquads_path)}
    path = folder / "spec.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="timed runs per command (>= 5)")
    parser.add_argument("--query", default="claim-counts-by-status", help="a saved SELECT query")
    parser.add_argument("-p", "--param", action="append", default=[], metavar="NAME=VALUE",
                        help="a parameter of the query (repeatable)")
    parser.add_argument("--project", type=Path, default=ROOT, help="a built project (default: this repository)")
    parser.add_argument("--no-rdflib", action="store_true", help="skip --engine rdflib (minutes on a large build)")
    args = parser.parse_args()
    runs = max(5, args.runs)
    project = args.project.resolve()
    params = dict(p.split("=", 1) for p in args.param)
    newskg = str(Path(sys.executable).parent / "newskg")
    # An installed package has its bytecode compiled (pip does it); an editable checkout under
    # PYTHONDONTWRITEBYTECODE=1 would recompile every module on every run, which measures the
    # compiler, not the tool. Compile once, as pip would.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src" / "newskg")], check=True)
    if not (project / "build" / "dataset.nq").exists():
        subprocess.run([newskg, "--project", str(project), "build"], check=True, cwd=ROOT)

    flags = [arg for key, value in params.items() for arg in ("-p", f"{key}={value}")]
    label = " ".join([args.query, *flags])
    query = [newskg, "--project", str(project), "query", "run", args.query, *flags]
    with tempfile.TemporaryDirectory() as folder:
        spec = reference_spec(project, args.query, params, Path(folder))
        commands = {
            'python -c "import click"': [sys.executable, "-c", "import click"],
            f"newskg query run {label}": query,
            "pyoxigraph, the same text and default graph (bare python -c)": [sys.executable, "-c", REFERENCE_QUERY,
                                                                             str(spec)],
        }
        if not args.no_rdflib:
            commands[f"newskg query run {label} --engine rdflib"] = [*query, "--engine", "rdflib"]
        timings = {name: median_time(command, runs) for name, command in commands.items()}
    reference = timings['python -c "import click"'][0]
    print(f"median of {runs} runs, whole process: wall (cpu user+sys), ratio of wall to the click import")
    for name, (wall, cpu) in timings.items():
        print(f"  {wall * 1000:8.1f} ms ({cpu * 1000:7.1f} ms cpu)  {wall / reference:5.2f}x  {name}")
    embedded_ratio = timings[f"newskg query run {label}"][0] / reference
    verdict = "meets" if embedded_ratio <= TARGET_RATIO else "MISSES"
    print(f"embedded engine: {embedded_ratio:.2f}x the click import ({verdict} the {TARGET_RATIO:g}x target, "
          "set on the article's build)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

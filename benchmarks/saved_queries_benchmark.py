"""Every saved query at every status level: `newskg query run` against pyoxigraph running the same
prepared text on the same store, both whole process (wall and CPU user+sys from os.wait4).

A saved query is slow "because of how it is written" when pyoxigraph itself takes seconds on its
text where an index walk would take milliseconds: the two columns tell that apart from newskg's
own overhead. Entity parameters get a value the corpus holds (the busiest participant, the actor
most at risk), as tests/test_views.py does; other parameters keep their defaults, or --report adds
a run with the report parameter set to the build's last report.

    .venv/bin/python benchmarks/saved_queries_benchmark.py --project CORPUS [--timeout 120]
        [--query NAME ...] [--at confirmed ...] [--runs 1] [--report] [--json OUT]

Each run has a timeout; a query that exceeds it is printed as "> N s" and killed. The project is
built first if it has no build; the default project is this repository (the article).
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
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import BUSIEST_ACTOR, REFERENCE_QUERY  # noqa: E402  (ASK and CONSTRUCT too)

LEVELS = ("confirmed", "reported", "assessed")
#: The actor most at risk: `actor` of risks-for-actor-and-who-assesses-them.
MOST_AT_RISK = BUSIEST_ACTOR.replace("hasParticipant", "riskFor")


def timed(command: list[str], timeout: float, output: str = os.devnull) -> tuple[float, float] | None:
    """Wall and CPU seconds (user+sys) of one process, its output written to ``output``; None after
    the timeout."""
    started = time.perf_counter()
    with open(output, "wb") as out:
        process = subprocess.Popen(command, stdout=out, cwd=ROOT)
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                os.wait4(process.pid, 0)
                return None
            time.sleep(0.01)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed")
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime


def median(command: list[str], runs: int, timeout: float, output: str = os.devnull) -> tuple[float, float] | None:
    """Median wall and CPU of ``runs`` runs (the first one stops the rest when it times out)."""
    timings = []
    for _ in range(runs):
        timing = timed(command, timeout, output)
        if timing is None:
            return None
        timings.append(timing)
    return statistics.median(t[0] for t in timings), statistics.median(t[1] for t in timings)


def entity_values(build) -> dict[str, str]:
    """A value the corpus holds for each entity parameter, as `-p` takes it."""
    import pyoxigraph

    if build.store_path.is_dir():
        store = pyoxigraph.Store.read_only(str(build.store_path))
    else:
        store = pyoxigraph.Store()
        store.bulk_load(path=str(build.nquads_path), format=pyoxigraph.RdfFormat.N_QUADS)
    values = {}
    for name, text in (("entity", BUSIEST_ACTOR), ("actor", MOST_AT_RISK)):
        solutions = store.query(text)
        assert isinstance(solutions, pyoxigraph.QuerySolutions)
        values[name] = f"<{next(iter(solutions))['actor'].value}>"
    return values


def cell(timing: tuple[float, float] | None, timeout: float) -> str:
    return f"> {timeout:.0f} s" if timing is None else f"{timing[0]:.2f} s ({timing[1]:.2f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", type=Path, default=ROOT, help="a project (default: this repository)")
    parser.add_argument("--query", action="append", default=[], help="only this saved query (repeatable)")
    parser.add_argument("--at", action="append", default=[], choices=LEVELS, help="only this level (repeatable)")
    parser.add_argument("--runs", type=int, default=1, help="timed runs of each command (median)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before a run is killed")
    parser.add_argument("--report", action="store_true", help="also run with the report parameter set")
    parser.add_argument("--json", type=Path, help="write the table as JSON here too")
    args = parser.parse_args()

    from newskg.api import list_queries, prepare_query
    from newskg.project import Build
    from newskg.views import read_view

    project = args.project.resolve()
    build = Build(project / "build")
    newskg = str(Path(sys.executable).parent / "newskg")
    if not build.nquads_path.exists():
        subprocess.run([newskg, "--project", str(project), "build"], check=True, cwd=ROOT)
    store = str(build.store_path) if build.store_path.is_dir() else None
    view = read_view(build) if store else None
    values = entity_values(build)
    levels = args.at or list(LEVELS)
    rows = []
    print(f"{'query':50s} {'level':9s} {'params':28s} {'rows':>7s}  newskg wall (cpu)  pyoxigraph wall (cpu)",
          flush=True)
    with tempfile.TemporaryDirectory() as folder:
        for query in list_queries(project):
            if query.form == "UPDATE" or (args.query and query.name not in args.query):
                continue
            base = {p.name: values[p.name] for p in query.params if p.type == "iri" and p.name in values}
            sets = [base]
            if args.report and any(p.type == "report" for p in query.params):
                sets.append({**base, "report": build.report_slugs()[-1]})
            for params in sets:
                for level in levels:
                    prepared = prepare_query(query.name, project=project, params=params, level=level)
                    spec_path = Path(folder) / "spec.json"
                    spec_path.write_text(json.dumps({
                        "text": prepared.text, "graphs": view.dataset(prepared.graphs) if view else prepared.graphs,
                        "store": store, "nquads": str(build.nquads_path)}), encoding="utf-8")
                    reference = [sys.executable, "-c", REFERENCE_QUERY, str(spec_path)]
                    flags = [a for k, v in params.items() for a in ("-p", f"{k}={v}")]
                    ours = [newskg, "--project", str(project), "query", "run", query.name, "--at", level, *flags]
                    answer = Path(folder) / "rows"
                    theirs = median(reference, args.runs, args.timeout, str(answer))
                    count = answer.read_text(encoding="utf-8").strip() if theirs else "?"
                    # What pyoxigraph cannot answer in time, newskg (which runs it) cannot either.
                    mine = median(ours, args.runs, args.timeout) if theirs else None
                    shown = " ".join(f"{k}={v.rsplit('/', 1)[-1]}" for k, v in params.items())
                    print(f"{query.name:50s} {level:9s} {shown:28s} {count:>7s}  {cell(mine, args.timeout):17s}  "
                          f"{cell(theirs, args.timeout)}", flush=True)
                    rows.append({"query": query.name, "level": level, "params": params, "rows": count,
                                 "newskg": mine, "pyoxigraph": theirs})
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

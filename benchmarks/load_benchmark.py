"""How fast does `newskg load` fill a real Oxigraph with a build of many graphs, against Oxigraph's own bulk loader?

In one run, on the same build, measures triples per second for:

- reference: ``oxigraph load --location DIR --file dataset.nq`` into a fresh store (the
  offline bulk loader, process start included);
- ``first load`` (the default, into a fresh ``oxigraph serve``, so ``dataset-fresh``): the
  search for leftovers and existing graphs, one N-Quads body straight into the graphs, one count;
- ``reload`` (the default again, same build, same server, so ``dataset-difference``): the
  search, one read of the targets, the comparison on this side, no update (nothing changed),
  one count;
- ``reload, one report added``: the same server reloaded with a build holding one more
  report (synthetic: one more claim graph; with ``--build``, ``--added-build``, a build of the
  same project with one report folder more);
- ``reload, everything changed``: the same server reloaded with a copy of the build in which
  every triple differs (each subject IRI gets a suffix; blank-node subjects aside);
- ``staged reload`` and ``staged reload, everything changed``: the same two with the staged
  way (``dataset-staged``: one body into staging graphs, one staging count, one swap by
  difference with the drop of the staging graphs, one count), what the default was before;
- ``--direct``, first load and reload: one DROP, one body into the targets, one count;
- with ``--move``: the reload with the MOVE swap the oxigraph preset used before (slow);
- with ``--per-graph``: ``gsp-staged`` into a fresh store, one PUT per graph (what stores
  without a dataset URL get, and what the default was before issue 12).

The build is a synthetic one with one graph per claim (``--graphs``, ``--triples``), written
as `newskg build` writes it (manifest, one .nt per graph, dataset.nq), or an existing build
(``--build``, e.g. the corpus: ``benchmarks/corpus.py OUT --triples 100000`` then
``newskg build`` in OUT). Each figure is the median of ``--repeat`` runs, interleaved, each
on a fresh store (a reload on the store its first load filled). Printed: wall seconds,
triples/s, the ratio to the bulk loader (target >= 50 %), requests, and the CPU seconds of the
server and of the client (the machine is shared, so wall times are inflated; CPU is not).

    .venv/bin/python benchmarks/load_benchmark.py --graphs 1000 --triples 120000 --repeat 3
    .venv/bin/python benchmarks/load_benchmark.py --build /tmp/corpus/build --repeat 1
    .venv/bin/python benchmarks/load_benchmark.py --build /tmp/minus/build --added-build /tmp/corpus/build
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from newskg.project import Build
from newskg.store.endpoints import resolve_endpoints
from newskg.store.http import HttpTransport
from newskg.store.loader import load_graphs

# The tests' Oxigraph helper starts and stops the server the same way for both.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from oxigraph_server import oxigraph_binary, start_oxigraph, stop_oxigraph

GRAPH_BASE = "https://w3id.org/newskg/graph/"
RES = "https://w3id.org/newskg/resource/bench/"
ONT = "https://w3id.org/newskg/ontology#"


def write_synthetic_build(folder: Path, graphs: int, triples: int, per_graph: int | None = None) -> Path:
    """A build folder with ``graphs`` claim graphs holding ``triples`` in all (or ``per_graph`` each),
    as `newskg build` writes one."""
    (folder / "graphs").mkdir(parents=True)
    per_graph = per_graph or max(1, triples // graphs)
    entries = []
    with (folder / "dataset.nq").open("w", encoding="utf-8") as quads:
        for g in range(graphs):
            iri, name = f"{GRAPH_BASE}claim/c{g:06d}", f"claim-c{g:06d}"
            lines = []
            for i in range(per_graph):
                subject = f"<{RES}claim{g}/n{i // 4}>"
                kind = i % 4
                if kind == 0:
                    line = f"{subject} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{ONT}Claim>"
                elif kind == 1:
                    line = f'{subject} <{ONT}quote> "Officials said talks number {i} were \\"productive\\"."@en'
                elif kind == 2:
                    line = f'{subject} <{ONT}publishedOn> "2025-12-{1 + i % 28:02d}"^^<http://www.w3.org/2001/XMLSchema#date>'
                else:
                    line = f"{subject} <{ONT}about> <{RES}actor{i % 997}>"
                lines.append(line)
            lines.sort()
            (folder / "graphs" / f"{name}.nt").write_text("".join(f"{line} .\n" for line in lines), encoding="utf-8")
            quads.write("".join(f"{line} <{iri}> .\n" for line in lines))
            entries.append({"iri": iri, "role": "article", "file": f"graphs/{name}.nt", "triples": per_graph})
    (folder / "manifest.json").write_text(json.dumps({"format": 1, "graphs": entries}), encoding="utf-8")
    return folder


def write_changed_copy(build: Path, folder: Path) -> Path:
    """A copy of ``build`` in which every triple with an IRI subject differs: the subject gets a suffix.

    Same graphs, same counts (distinct triples stay distinct), so the manifest is the build's."""
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_bytes((build / "manifest.json").read_bytes())
    (folder / "graphs").symlink_to((build / "graphs").resolve())
    with (build / "dataset.nq").open("rb") as source, (folder / "dataset.nq").open("wb") as out:
        for line in source:
            if line.startswith(b"<"):
                cut = line.index(b"> ")
                line = line[:cut] + b"-v2" + line[cut:]
            out.write(line)
    return folder


def _cpu_of(pid: int) -> float:
    """User + system CPU seconds of a running process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


Timing = tuple[float, float, float, int, str]  # wall s, server cpu s, client cpu s, requests, note


def time_bulk_loader(data: Path, work: Path) -> Timing:
    location = work / f"bulk-{time.monotonic_ns()}"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([oxigraph_binary(), "load", "--location", str(location), "--file", str(data)],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    print(f"  oxigraph load: {seconds:.2f} s (cpu {cpu:.2f} s)", file=sys.stderr, flush=True)
    return seconds, cpu, 0.0, 0, ""


def _timed_load(proc, endpoints, build: Path, direct: bool, expect: str | tuple[str, ...]) -> Timing:
    graphs = Build(build).graphs()
    server_cpu = _cpu_of(proc.pid)
    client = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    with HttpTransport(timeout=3600) as transport:  # requests, as `newskg load` sends
        report = load_graphs(graphs, endpoints, transport, direct=direct, build=Build(build))
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    expected = (expect,) if isinstance(expect, str) else expect
    if report.method not in expected:
        raise RuntimeError(f"expected a {expect} load, got {report.method}")
    client_cpu = after.ru_utime + after.ru_stime - client.ru_utime - client.ru_stime
    server_cpu = _cpu_of(proc.pid) - server_cpu
    note = (f"{report.changed[0]:,} quads changed" if report.changed is not None
            else "too large for one update: staged" if report.method != expected[0] else "")
    print(f"  {report.method}: {seconds:.2f} s (server cpu {server_cpu:.2f} s, client cpu {client_cpu:.2f} s) {note}",
          file=sys.stderr, flush=True)
    return seconds, server_cpu, client_cpu, report.requests, note


def time_newskg_loads(build: Path, work: Path, mode: str, added: Path, changed: Path) -> list[Timing]:
    """A first load into a fresh `oxigraph serve`, then (except per-graph) reloads into it."""
    proc, server = start_oxigraph(work / f"serve-{mode}-{time.monotonic_ns()}")
    try:
        endpoints = resolve_endpoints(server.base, preset="oxigraph")
        if mode == "per-graph":
            return [_timed_load(proc, replace(endpoints, dataset=None), build, False, "gsp-staged")]
        direct = mode == "direct"
        first = _timed_load(proc, endpoints, build, direct, "dataset-direct" if direct else "dataset-fresh")
        if direct:
            return [first, _timed_load(proc, endpoints, build, True, "dataset-direct")]
        if mode == "default":
            # A difference larger than one update the store takes falls back to staging.
            return [first, *(_timed_load(proc, endpoints, b, False, ("dataset-difference", "dataset-staged"))
                             for b in (build, added, changed))]
        endpoints = replace(endpoints, client_difference=False, diff_swap=mode != "move")
        if mode == "move":
            return [first, _timed_load(proc, endpoints, build, False, "dataset-staged")]
        return [first, *(_timed_load(proc, endpoints, b, False, "dataset-staged") for b in (build, changed))]
    finally:
        stop_oxigraph(proc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--graphs", type=int, default=1000)
    parser.add_argument("--triples", type=int, default=120_000)
    parser.add_argument("--build", type=Path, help="an existing build folder instead of a synthetic one")
    parser.add_argument("--added-build", type=Path,
                        help="with --build: a build of the same project with one report more")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only-default", action="store_true",
                        help="time only the bulk loader and the default way's loads (the 1M build: minutes each)")
    parser.add_argument("--per-graph", action="store_true", help="also time one PUT per graph (slow)")
    parser.add_argument("--move", action="store_true", help="also time the reload with the MOVE swap (slow)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="newskg-load-bench-") as tmp:
        work = Path(tmp)
        build = args.build or write_synthetic_build(work / "build", args.graphs, args.triples)
        graphs = Build(build).graphs()
        added = args.added_build or (
            args.build or write_synthetic_build(work / "added", args.graphs + 1, 0, graphs[0].triples))
        changed = write_changed_copy(build, work / "changed")
        total = sum(g.triples for g in graphs)
        size_mb = (build / "dataset.nq").stat().st_size / 1e6
        print(f"data: {total:,} triples in {len(graphs):,} named graphs, dataset.nq {size_mb:.1f} MB")
        sessions = ["default", "staged", "direct"] + (["move"] if args.move else []) + (
            ["per-graph"] if args.per_graph else [])
        modes = ["bulk", "first", "reload", "reload-added", "reload-changed", "staged-reload", "staged-changed",
                 "direct-first", "direct-reload"]
        if args.only_default:
            sessions, modes = ["default"], modes[:5]
        modes += (["move-reload"] if args.move else []) + (["per-graph"] if args.per_graph else [])
        runs: dict[str, list[Timing]] = {m: [] for m in modes}
        for _ in range(args.repeat):  # interleaved, so drift hits every mode alike
            runs["bulk"].append(time_bulk_loader(build / "dataset.nq", work))
            for session in sessions:
                timings = time_newskg_loads(build, work, session, added, changed)
                if session == "default":
                    runs["first"].append(timings[0])
                    runs["reload"].append(timings[1])
                    runs["reload-added"].append(timings[2])
                    runs["reload-changed"].append(timings[3])
                elif session == "staged":
                    runs["staged-reload"].append(timings[1])
                    runs["staged-changed"].append(timings[2])
                elif session == "direct":
                    runs["direct-first"].append(timings[0])
                    runs["direct-reload"].append(timings[1])
                elif session == "move":
                    runs["move-reload"].append(timings[1])
                else:
                    runs["per-graph"].append(timings[0])
        labels = {
            "bulk": "oxigraph load (offline bulk loader)",
            "first": "newskg load, first (dataset-fresh)",
            "reload": "reload, unchanged (dataset-difference)",
            "reload-added": "reload, one report added",
            "reload-changed": "reload, everything changed",
            "staged-reload": "staged reload, unchanged (before)",
            "staged-changed": "staged reload, everything changed",
            "direct-first": "newskg load --direct, first",
            "direct-reload": "newskg load --direct, reload",
            "move-reload": "newskg load, reload, MOVE swap",
            "per-graph": "newskg load, one PUT per graph",
        }
        bulk = statistics.median(r[0] for r in runs["bulk"])
        print(f"{'method':<40} {'median s':>9} {'triples/s':>11} {'vs bulk':>8} {'requests':>9} "
              f"{'server cpu':>11} {'client cpu':>11}")
        for mode in modes:
            seconds = statistics.median(r[0] for r in runs[mode])
            server = statistics.median(r[1] for r in runs[mode])
            client = statistics.median(r[2] for r in runs[mode])
            requests = runs[mode][0][3]
            print(f"{labels[mode]:<40} {seconds:>9.2f} {total / seconds:>11,.0f} {bulk / seconds:>8.0%} "
                  f"{requests if mode != 'bulk' else '-':>9} {server:>10.2f}s {client:>10.2f}s  {runs[mode][0][4]}")
        print(f"client peak memory (the whole benchmark process): "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")
        for mode in modes[1:]:
            ratio = bulk / statistics.median(r[0] for r in runs[mode])
            verdict = "meets" if ratio >= 0.5 else "misses"
            print(f"{labels[mode]}: {verdict} the target of >= 50% of the bulk loader "
                  f"({ratio:.0%}, median of {args.repeat} runs)")


if __name__ == "__main__":
    main()

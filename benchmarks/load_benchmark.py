"""How fast does `newskg load` fill a real Oxigraph, against Oxigraph's own bulk loader?

Generates a synthetic build (>= 100,000 triples in a few named graphs), then,
in the same run and on the same data, measures triples per second for:

- reference: ``oxigraph load --location DIR --file all.nq`` (offline bulk loader,
  process start included);
- GSP staged (the default): ``load_graphs`` into a fresh ``oxigraph serve``:
  staging PUTs, count check, one MOVE swap, final count check;
- GSP direct (``--direct``): PUTs straight over the targets, final count check;
- update fallback: SPARQL Update INSERT DATA batches (256 KiB) + MOVE.

Each figure is the median of --repeat runs, each on a fresh store. Prints the
ratios to the bulk loader; the target is GSP >= 50 % of it.

    .venv/bin/python benchmarks/load_benchmark.py [--triples 120000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
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
ROLES = [("ontology", "ontology"), ("article-bench", "article"), ("background", "background"),
         ("inferred", "inferred")]


def write_synthetic_build(folder: Path, triples: int) -> tuple[Path, int]:
    """A build folder (manifest + .nt per graph) and one N-Quads file of the same data."""
    (folder / "graphs").mkdir(parents=True)
    per_graph = -(-triples // len(ROLES))
    entries, total = [], 0
    with (folder / "all.nq").open("w", encoding="utf-8") as quads:
        for name, role in ROLES:
            iri = GRAPH_BASE + ("article/bench" if role == "article" else name)
            with (folder / "graphs" / f"{name}.nt").open("w", encoding="utf-8") as out:
                for i in range(per_graph):
                    subject = f"<{RES}{name}/claim{i // 4}>"
                    kind = i % 4
                    if kind == 0:
                        line = f"{subject} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{ONT}Claim>"
                    elif kind == 1:
                        line = f'{subject} <{ONT}quote> "Officials said talks number {i} were \\"productive\\"."@en'
                    elif kind == 2:
                        line = f'{subject} <{ONT}publishedOn> "2025-12-{1 + i % 28:02d}"^^<http://www.w3.org/2001/XMLSchema#date>'
                    else:
                        line = f"{subject} <{ONT}about> <{RES}actor{i % 997}>"
                    out.write(line + " .\n")
                    quads.write(f"{line} <{iri}> .\n")
            entries.append({"iri": iri, "role": role, "file": f"graphs/{name}.nt", "triples": per_graph})
            total += per_graph
    (folder / "manifest.json").write_text(json.dumps({"format": 1, "graphs": entries}), encoding="utf-8")
    return folder, total


def time_bulk_loader(data: Path, work: Path) -> float:
    location = work / f"bulk-{time.monotonic_ns()}"
    started = time.perf_counter()
    subprocess.run([oxigraph_binary(), "load", "--location", str(location), "--file", str(data)],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def time_newskg_load(build: Path, work: Path, mode: str) -> float:
    proc, server = start_oxigraph(work / f"serve-{mode}-{time.monotonic_ns()}")
    try:
        endpoints = resolve_endpoints(server.base, preset="oxigraph")
        if mode == "update":
            endpoints = replace(endpoints, graph_store=None)
        graphs = Build(build).graphs()
        started = time.perf_counter()
        with HttpTransport(timeout=300) as transport:  # requests, as `newskg load` sends
            load_graphs(graphs, endpoints, transport, direct=mode == "gsp-direct")
        return time.perf_counter() - started
    finally:
        stop_oxigraph(proc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, default=120_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="newskg-load-bench-") as tmp:
        work = Path(tmp)
        build, total = write_synthetic_build(work / "build", args.triples)
        size_mb = sum(p.stat().st_size for p in (build / "graphs").glob("*.nt")) / 1e6
        print(f"data: {total} triples in {len(ROLES)} named graphs, {size_mb:.1f} MB of N-Triples")
        modes = ["bulk", "gsp", "gsp-direct", "update"]
        seconds: dict[str, list[float]] = {m: [] for m in modes}
        for _ in range(args.repeat):  # interleaved, so drift hits every mode alike
            seconds["bulk"].append(time_bulk_loader(build / "all.nq", work))
            for mode in modes[1:]:
                seconds[mode].append(time_newskg_load(build, work, mode))
        rate = {m: total / statistics.median(s) for m, s in seconds.items()}
        labels = {
            "bulk": "oxigraph load (offline bulk loader)",
            "gsp": "newskg load, GSP staged + MOVE",
            "gsp-direct": "newskg load --direct, GSP PUT",
            "update": "newskg load, SPARQL Update batches",
        }
        print(f"{'method':<40} {'median s':>9} {'triples/s':>11} {'vs bulk':>8}")
        for mode in modes:
            print(f"{labels[mode]:<40} {statistics.median(seconds[mode]):>9.3f} "
                  f"{rate[mode]:>11,.0f} {rate[mode] / rate['bulk']:>8.0%}")
        for mode in ("gsp", "gsp-direct"):
            verdict = "meets" if rate[mode] >= 0.5 * rate["bulk"] else "misses"
            print(f"{labels[mode].strip()}: {verdict} the target of >= 50% of the bulk loader "
                  f"({rate[mode] / rate['bulk']:.0%}, median of {args.repeat} runs)")


if __name__ == "__main__":
    main()

"""CPU of the writer's graph files and dataset.nq (`newskg.build.writer._write_graphs`) alone.

The graphs of a build folder's manifest are read back into the build's in-memory graphs
(terms shared, as the parser shares them), then written into a fresh staging folder with
nothing taken from a previous build (a first build's case), the graphs kept. Compare two
versions of the code on the same build with PYTHONPATH:

    python benchmarks/writer_graphs.py BUILD_DIR [--limit N] [--runs R]
"""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import tempfile
import time
from pathlib import Path


def main() -> None:
    import pyoxigraph as ox

    from newskg.build import writer
    from newskg.build.memory import new_graph
    from newskg.build.oxterms import ToOxigraph, ToRdflib
    from newskg.project import Build

    parser = argparse.ArgumentParser()
    parser.add_argument("build", type=Path)
    parser.add_argument("--limit", type=int, default=0, help="the first N graphs only (0: all)")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--profile", action="store_true", help="one run under cProfile (inflates Python)")
    args = parser.parse_args()
    gc.disable()  # as the build runs (newskg.build.memory.without_cycle_collection)
    entries = json.loads((args.build / "manifest.json").read_text())["graphs"]
    if args.limit:
        entries = entries[:args.limit]
    shared: dict = {}
    graphs = {}
    for entry in entries:
        graph = new_graph(entry["iri"])
        path = args.build / entry["file"]
        if path.exists():
            parsed = ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES)
            graph.store.add_triples(ToRdflib(str(path), shared).triples(parsed))  # type: ignore[attr-defined]
        graphs[entry["iri"]] = graph
    print(f"{len(graphs)} graphs, {sum(len(g) for g in graphs.values())} triples", flush=True)
    for _ in range(args.runs):
        # The serialising alone (no file written), then the whole of _write_graphs: creating the
        # ~38,000 files costs the kernel a time that varies from run to run.
        converter = ToOxigraph()
        wall, cpu = time.perf_counter(), time.process_time()
        for iri, graph in graphs.items():
            writer._serialised(iri, graph, converter)
        print(f"_serialised {time.perf_counter() - wall:.2f} s wall {time.process_time() - cpu:.2f} s cpu", flush=True)
        del converter
        folder = Path(tempfile.mkdtemp(prefix="wcpu-writer-graphs-", dir="/work/scratch"))
        try:
            staged = Build(folder)
            (folder / "graphs").mkdir()
            wall, cpu = time.perf_counter(), time.process_time()
            if args.profile:
                import cProfile
                import pstats

                profile = cProfile.Profile()
                profile.runcall(writer._write_graphs, staged, graphs, False, None, {}, {}, set(), ToOxigraph())
                pstats.Stats(profile).sort_stats("tottime").print_stats(15)
            else:
                writer._write_graphs(staged, graphs, False, None, {}, {}, set(), ToOxigraph())
            print(f"_write_graphs {time.perf_counter() - wall:.2f} s wall {time.process_time() - cpu:.2f} s cpu",
                  flush=True)
        finally:
            shutil.rmtree(folder)


if __name__ == "__main__":
    main()

"""The build's SHACL stage on a project, piece by piece: the loader, and each compiled query alone.

    .venv/bin/python benchmarks/shacl_stage.py [PROJECT] [--rounds 2] [--baseline SHAPES_PY]
        [--queries] [--only-stage] [--store]

Without PROJECT (as `make benchmark` runs it), a 10k-triple corpus is generated
(benchmarks/corpus.py, seed 1) in a temporary folder.

The build's pipeline runs once (`newskg.build.run_pipeline`, not timed) up to the SHACL stage;
the graphs it would validate (asserted + inferred, ontology included) are kept. Then, round
after round (so a change of machine load falls on each alike):

- the stage as the build runs it (`validate_graphs_sparql`: plan, loader, queries in threads),
  wall and CPU (process time, user+sys: the loader's and the query threads' included), with the
  code under test, and with ``--baseline`` (another copy of newskg/build/shapes.py, e.g. main's)
  when given; the two must give the same Problems in the same order, or the script stops;
- with ``--queries``, once: the loader alone, and each compiled query (`_Compiler.queries()`)
  alone in this thread, slowest first, with its rows;
- with ``--store``, in each round too: the stage as the build runs it when it may reuse the
  quality checks' store (`validate_store_sparql`, on a copy of that store made before the
  round, not timed), which must give the same Problems.

The project's reasoner cache is used and written (``full=True``: not extended), so give it a
copy of a project, not one whose folder must stay as it is.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import newskg.build as build
import newskg.build.shapes as current
from newskg.build.memory import without_cycle_collection
from newskg.build.sources import discover_sources
from newskg.project import Project


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=Path, nargs="?")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--baseline", type=Path, default=None)
    parser.add_argument("--queries", action="store_true")
    parser.add_argument("--only-stage", action="store_true", help="time no single queries")
    parser.add_argument("--store", action="store_true", help="time the reuse of the quality checks' store too")
    args = parser.parse_args()
    engines = [("this", current)]
    if args.baseline is not None:
        engines.insert(0, ("baseline", _load(args.baseline)))
    if args.project is None:
        import tempfile

        from corpus import generate

        with tempfile.TemporaryDirectory() as work:
            args.project = Path(work) / "corpus"
            generate(args.project, triples=10_000, seed=1)
            _measure(args, engines)
        return
    _measure(args, engines)


def _measure(args: argparse.Namespace, engines: list) -> None:
    with without_cycle_collection():
        graphs, shapes, reuse = _shacl_input(args.project)
        print(f"SHACL input: {len(graphs)} graphs, {sum(len(g) for g in graphs)} triples", flush=True)
        if args.queries:
            for name, module in engines:
                _per_query(name, module, graphs, shapes)
        expected = None
        for round_ in range(args.rounds):
            for name, module in engines:
                wall, cpu = time.perf_counter(), os.times()
                problems = module.validate_graphs_sparql(graphs, shapes)
                after = os.times()
                print(f"round {round_} {name}: stage {time.perf_counter() - wall:.2f} s wall "
                      f"{after.user + after.system - cpu.user - cpu.system:.2f} s cpu, "
                      f"{len(problems)} problems", flush=True)
                if expected is None:
                    expected = problems
                elif problems != expected:
                    sys.exit(f"{name} gave other Problems than the first engine")
            if args.store and reuse:
                store = _copy(reuse["store"])
                wall, cpu = time.perf_counter(), os.times()
                found = _VALIDATE_STORE(store, reuse["graphs"], reuse["added"], shapes, reuse["typed"])
                after = os.times()
                print(f"round {round_} this, reusing the store: stage {time.perf_counter() - wall:.2f} s wall "
                      f"{after.user + after.system - cpu.user - cpu.system:.2f} s cpu, "
                      f"{'not reused' if found is None else f'{len(found)} problems'}", flush=True)
                del store
                if found is not None and found != expected:
                    sys.exit("reusing the store gave other Problems")


def _load(path: Path) -> ModuleType:
    """Another copy of newskg/build/shapes.py, as a module of its own."""
    spec = importlib.util.spec_from_file_location("shapes_baseline", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["shapes_baseline"] = module
    spec.loader.exec_module(module)
    return module


#: The reuse of the store, as the module has it (`_shacl_input` replaces the module's own).
_VALIDATE_STORE = current.validate_store_sparql


def _copy(store):
    """A copy of a pyoxigraph Store, blank nodes as they are (a load would name them afresh)."""
    import pyoxigraph as ox

    copy = ox.Store()
    copy.bulk_extend(list(store))
    return copy


def _shacl_input(root: Path) -> tuple[list, Any, dict]:
    """The graphs and shapes `run_pipeline` hands to `check_shapes`, and what it hands to
    `validate_store_sparql` (empty when it does not call it)."""
    captured: dict = {}
    reuse: dict = {}

    def capture(graphs, shapes, shacl="sparql"):
        captured["graphs"], captured["shapes"] = list(graphs), shapes
        return []

    def capture_store(store, graphs, added, shapes, typed):
        reuse.update(store=_copy(store), graphs=graphs, added=added, typed=typed)
        return None  # and so the pipeline calls check_shapes

    build.check_shapes = capture
    current.validate_store_sparql = capture_store
    project = Project.at(root)
    inputs, reports = discover_sources(project.root)
    started = time.perf_counter()
    build.run_pipeline(project, inputs, reports, strict=True, full=True)
    print(f"pipeline up to the SHACL stage: {time.perf_counter() - started:.1f} s", flush=True)
    return captured["graphs"], captured["shapes"], reuse


def _per_query(name: str, module: ModuleType, graphs: list, shapes) -> None:
    """The loader, then each compiled query alone in this thread, slowest first."""
    plan = module._Plan(shapes)
    wall, cpu = time.perf_counter(), os.times()
    large = sum(len(g) for g in graphs) >= module.FILTER_MIN_TRIPLES
    # As `validate_graphs_sparql` makes it (a baseline may predate `sparql_reads`).
    native = getattr(plan, "sparql_reads", None)
    loader = module._Loader(plan.datatypes, plan.reads, native) if large and native is not None \
        else module._Loader(plan.datatypes, plan.reads if large else None)
    loader.add_rdflib(graphs)
    after = os.times()
    print(f"{name}: loader {time.perf_counter() - wall:.2f} s wall "
          f"{after.user + after.system - cpu.user - cpu.system:.2f} s cpu, {len(loader.store)} quads", flush=True)
    ox = loader.ox
    queries = module._Compiler(plan, loader).queries()
    core = sparql = None
    if loader.rewritten:
        core = [ox.DefaultGraph(), ox.NamedNode(module._WRITTEN_GRAPH)]
        sparql = [ox.DefaultGraph(), ox.NamedNode(module._NATIVE_GRAPH)]
    timed = []
    for index, query in enumerate(queries):
        graph = sparql if query.kind == "sparql" else core
        started, used = time.perf_counter(), time.thread_time()
        rows = list(loader.store.query(query.text, default_graph=graph))
        if query.kind == "sparql":
            rows = module._sparql_results(loader, query, rows, graph)
        timed.append((time.perf_counter() - started, time.thread_time() - used, index, len(rows), query))
    total = sum(t[0] for t in timed)
    print(f"{name}: {len(queries)} queries, {total:.2f} s wall one after the other")
    for took, used_cpu, index, found, query in sorted(timed, key=lambda t: -t[0]):
        text = query.text if query.kind != "sparql" else query.detail[4] or query.text
        print(f"  #{index:2d} {took:6.2f} s wall {used_cpu:6.2f} s cpu {found:6d} rows {query.kind:9s} {text}")
    print(flush=True)


if __name__ == "__main__":
    main()

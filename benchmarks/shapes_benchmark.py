"""SHACL validation time: the SPARQL-compiled validator against pyshacl, measured in the same run.

For each corpus size (benchmarks/corpus.py, ``--seed 1``) two inputs are validated:

- ``build``: exactly what the build validates (asserted + inferred triples, ontology included),
  from one run of the build's pipeline; only up to ``--pipeline-max`` asserted triples (100k by
  default), because the rest of today's pipeline (rdflib parsing, reasoning) takes most of an
  hour at 1M;
- ``asserted``: the corpus files (ontology without shapes, reports, background, claim content)
  parsed into one graph, every size.

On each input it times:

- ``sparql, rdflib in``: `newskg.build.checks.validate_shapes(graphs, shapes, shacl="sparql")`,
  what the build runs today: loading rdflib graphs into pyoxigraph, then the queries (also
  shown apart);
- ``sparql, oxigraph in``: `newskg.build.shapes.validate_shapes_sparql` over pyoxigraph triples
  parsed from an N-Triples copy of the same input (parsing included), the path of a build that
  parses with pyoxigraph;
- ``pyshacl``: the reference, up to ``--pyshacl-max`` asserted triples (100k by default; above,
  it would take tens of minutes, and the script says it skipped it).

Every engine must give the same Problems; the script stops if they differ. Times are wall and
CPU (user + sys of this process) seconds, the best of ``--runs``; the ratio is pyshacl's CPU
time over the SPARQL validator's (rdflib in), both measured in this run.

Usage: python benchmarks/shapes_benchmark.py [--sizes 10000 100000 1000000] [--runs 1]
       [--work /tmp/newskg-shapes-bench] [--pyshacl-max 100000] [--pipeline-max 100000]
"""

from __future__ import annotations

import argparse
import functools
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from corpus import generate


def timed(action: Callable[[], Any], runs: int) -> tuple[float, float, Any]:
    """(best wall seconds, best CPU seconds, result) over ``runs`` runs."""
    best_wall = best_cpu = float("inf")
    result = None
    for _ in range(runs):
        wall, cpu = time.perf_counter(), os.times()
        result = action()
        after = os.times()
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, after.user + after.system - cpu.user - cpu.system)
    return best_wall, best_cpu, result


def build_input(project_dir: Path):
    """The graphs the build validates, and the shapes, from one run of the pipeline."""
    from newskg.build import claim_layer, run_pipeline
    from newskg.build.sources import discover_inputs, discover_reports
    from newskg.namespaces import ONTOLOGY_GRAPH
    from newskg.project import Project

    project = Project.at(project_dir)
    result = run_pipeline(project, discover_inputs(project.root), discover_reports(project.root), strict=False)
    assert result.sources is not None and result.facts is not None and result.inference is not None
    dataset = result.sources.dataset
    return [dataset.graph(ONTOLOGY_GRAPH), claim_layer(dataset), *result.facts.by_level,
            *result.sources.content_graphs(), *result.inference.inferred]


def corpus_files(project_dir: Path) -> list[Path]:
    """The corpus's RDF files: the ontology without the shapes, reports, background, claim content."""
    files = [p for p in sorted((project_dir / "ontology").glob("*.ttl")) if p.name != "shapes.ttl"]
    return files + sorted((project_dir / "graph").rglob("*.ttl")) + sorted((project_dir / "graph").rglob("*.trig"))


def asserted_input(project_dir: Path):
    """The corpus files parsed by rdflib into one graph."""
    from rdflib import Dataset, Graph

    graph = Graph()
    for path in corpus_files(project_dir):
        if path.suffix == ".trig":
            dataset = Dataset()
            dataset.parse(path, format="trig")
            for s, p, o, _ in dataset.quads():
                graph.add((s, p, o))
        else:
            graph.parse(path, format="turtle")
    return [graph]


def parsed_by_oxigraph(project_dir: Path):
    """The same files parsed by pyoxigraph, as a build parsing with it would hand them over."""
    import pyoxigraph

    for path in corpus_files(project_dir):
        fmt = pyoxigraph.RdfFormat.TRIG if path.suffix == ".trig" else pyoxigraph.RdfFormat.TURTLE
        yield from pyoxigraph.parse(path=str(path), format=fmt)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path("/tmp/newskg-shapes-bench"))
    parser.add_argument("--pyshacl-max", type=int, default=100_000)
    parser.add_argument("--pipeline-max", type=int, default=100_000)
    args = parser.parse_args()

    from rdflib import Graph

    shapes = Graph().parse(Path(__file__).resolve().parent.parent / "ontology" / "shapes.ttl", format="turtle")
    print(f"{'asserted':>9}  {'input':<8} {'validated':>9}  {'engine':<22} {'wall s':>8} {'cpu s':>8}  problems")
    for size in args.sizes:
        project_dir = args.work / f"corpus-{size}"
        if not (project_dir / "graph").is_dir():
            generate(project_dir, triples=size, seed=1)
        if size <= args.pipeline_max:
            measure(size, "build", build_input(project_dir), None, shapes, args)
        else:
            print(f"{size:>9,}  {'build':<8} skipped: above --pipeline-max {args.pipeline_max:,}", flush=True)
        measure(size, "asserted", asserted_input(project_dir), functools.partial(parsed_by_oxigraph, project_dir),
                shapes, args)


def measure(size: int, label: str, graphs: list, triples: Callable[[], Any] | None, shapes, args) -> None:
    """Time every engine on one input and check they agree; ``triples`` parses the input with
    pyoxigraph (by default, from an N-Triples copy of ``graphs``)."""
    import pyoxigraph
    from rdflib import Graph

    from newskg.build import shapes as compiled
    from newskg.build.checks import validate_shapes

    union = graphs[0]
    if len(graphs) > 1:
        union = Graph()
        for graph in graphs:
            for triple in graph:
                union.add(triple)
    if triples is None:
        ntriples = union.serialize(format="nt", encoding="utf-8")

        def triples() -> Any:
            return pyoxigraph.parse(ntriples, format=pyoxigraph.RdfFormat.N_TRIPLES)

    def row(engine: str, wall: float, cpu: float, problems: Any) -> None:
        print(f"{size:>9,}  {label:<8} {len(union):>9,}  {engine:<22} {wall:>8.2f} {cpu:>8.2f}  {len(problems)}",
              flush=True)

    def load() -> Any:
        # What validate_graphs_sparql loads: only what the shapes read, from its size on.
        plan = compiled._Plan(shapes)
        large = sum(len(g) for g in graphs) >= compiled.FILTER_MIN_TRIPLES
        loader = compiled._Loader(plan.datatypes, plan.reads, plan.sparql_reads) if large \
            else compiled._Loader(plan.datatypes)
        loader.add_rdflib(graphs)
        return loader

    wall, cpu, problems = timed(lambda: validate_shapes(graphs, shapes, shacl="sparql"), args.runs)
    sparql_cpu = cpu
    row("sparql, rdflib in", wall, cpu, problems)
    load_wall, load_cpu, loader = timed(load, args.runs)
    row("  of which loading", load_wall, load_cpu, problems)
    plan = compiled._Plan(shapes)
    query_wall, query_cpu, _ = timed(lambda: compiled._run(plan, loader), args.runs)
    row("  of which queries", query_wall, query_cpu, problems)
    wall, cpu, direct = timed(lambda: compiled.validate_shapes_sparql(triples(), shapes), args.runs)
    row("sparql, oxigraph in", wall, cpu, direct)
    if direct != problems:
        raise SystemExit("the two inputs of the SPARQL validator gave different problems")
    if size > args.pyshacl_max:
        print(f"{size:>9,}  {label:<8} {len(union):>9,}  {'pyshacl':<22} skipped: above --pyshacl-max "
              f"{args.pyshacl_max:,} (tens of minutes)")
        return
    wall, cpu, reference = timed(lambda: validate_shapes(graphs, shapes, shacl="pyshacl"), args.runs)
    row("pyshacl", wall, cpu, reference)
    if reference != problems:
        raise SystemExit("pyshacl and the SPARQL validator gave different problems")
    print(f"# {size:,} {label}: pyshacl / sparql (rdflib in), CPU time: {cpu / sparql_cpu:.1f}x", flush=True)


if __name__ == "__main__":
    main()

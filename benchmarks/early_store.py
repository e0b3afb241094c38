"""What filling the build's persistent store during the pipeline would save (issue 12).

Each measurement runs in a process of its own (its peak RSS is its own):

- ``parse-none|parse-memory|parse-disk``: `load_dataset` with no store, the in-memory store
  the quality checks use now, or an on-disk store: the parse's wall, the wall until the store
  holds every batch, CPU, peak RSS; then the quality checks on that store;
  ``parse-disk`` then copies the view's source graphs (ontology, background, reports) into the
  default graph with one SPARQL ADD (what would run beside reasoning), then the writing
  stage's tail: the facts and inferred graph files of a built copy, the view's facts and
  inferred graphs, optimize.
- ``parse-dump``: the in-memory store dumped with the view's source graphs (one document, so
  an ontology blank node stays one node) and bulk-loaded into an on-disk store in a thread,
  beside pure Python (as reasoning would run); then the same tail.
- ``full``: the writing stage's store now: dataset.nq and the view bulk-loaded, optimize.

    .venv/bin/python benchmarks/early_store.py [PROJECT BUILT] [--scratch DIR]

PROJECT: a project without build/ (ontology/ graph/ queries/ of a generated corpus); BUILT: a
build/ of the same corpus (read only). Without them (as `make benchmark` runs it), a 10k corpus
is generated (benchmarks/corpus.py, seed 1) and a copy of it built.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path


def _clock() -> tuple[float, float]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return time.perf_counter(), usage.ru_utime + usage.ru_stime


def _since(start: tuple[float, float]) -> dict:
    wall, cpu = _clock()
    return {"wall": round(wall - start[0], 2), "cpu": round(cpu - start[1], 2)}


def _peak_mib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def run_parse(project: Path, built: Path, mode: str, scratch: Path) -> dict:
    import pyoxigraph as ox

    from newskg.build import sources as sources_module
    from newskg.build.checks import run_quality_checks
    from newskg.build.sources import discover_sources, load_dataset

    inputs, _reports = discover_sources(project)
    path = scratch / "store"
    shutil.rmtree(path, ignore_errors=True)
    real = ox.Store
    if mode == "none":
        sources_module.Sources.add_to_store = lambda self, runs: None  # type: ignore[method-assign]
    elif mode == "disk":
        ox.Store = lambda: real(str(path))  # type: ignore[misc, assignment]
    out: dict = {"mode": mode}
    start = _clock()
    loaded = load_dataset(inputs)
    out["parse"] = _since(start)
    ox.Store = real  # type: ignore[misc]
    if mode == "none":
        out["peak_mib"] = _peak_mib()
        return out
    store = loaded.quality_store()
    out["parse_and_store"] = _since(start)
    out["store_quads"] = len(store)
    start = _clock()
    problems = run_quality_checks(store, project / "queries" / "checks")
    out["quality_checks"] = _since(start) | {"problems": len(problems)}
    if mode == "memory":
        out["peak_mib"] = _peak_mib()
        return out
    del loaded
    from newskg.views import view_graphs

    names = view_graphs(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    start = _clock()
    if mode == "disk":
        store.update(" ;\n".join(f"ADD <{iri}> TO DEFAULT" for iri in names))
        out["view_sources_add"] = _since(start) | {"graphs": len(names), "default_quads": _default(store)}
    else:  # dump: the in-memory store and the view's source graphs to one N-Quads document
        dump = scratch / "early.nq"
        with open(dump, "wb") as stream:
            store.dump(stream, format=ox.RdfFormat.N_QUADS)
            for iri in names:
                store.dump(stream, format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(iri))
        out["dump"] = _since(start) | {"mib": dump.stat().st_size >> 20}
        del store
        out["peak_before_load_mib"] = _peak_mib()
        store = ox.Store(str(path))
        # Beside pure Python (what reasoning is): how much the load slows it, through the GIL.
        alone = _python_work()
        loading = threading.Thread(target=store.bulk_load, kwargs={
            "path": str(dump), "format": ox.RdfFormat.N_QUADS, "lenient": True})
        start = _clock()
        loading.start()
        beside = _python_work()
        loading.join()
        out["early_load"] = _since(start) | {"quads": len(store), "python_alone_s": alone,
                                             "python_beside_load_s": beside}
    start = _clock()
    graphs = built / "graphs"
    for name in ("facts-confirmed", "facts-reported", "facts-assessed",
                 "inferred-confirmed", "inferred-reported", "inferred-assessed"):
        iri = "https://w3id.org/newskg/graph/" + name.replace("-", "/")
        store.bulk_load(path=str(graphs / f"{name}.nt"), format=ox.RdfFormat.N_TRIPLES,
                        to_graph=ox.NamedNode(iri), lenient=True)
    for name in ("facts-confirmed", "inferred-confirmed"):
        store.bulk_load(path=str(graphs / f"{name}.nt"), format=ox.RdfFormat.N_TRIPLES, lenient=True)
    out["tail_load"] = _since(start) | {"quads": len(store)}
    return _compacted(store, out, "tail_optimize")


def _python_work(n: int = 60_000_000) -> float:
    start = time.perf_counter()
    total = 0
    for i in range(n):
        total += i & 7
    return round(time.perf_counter() - start, 2)


def _default(store) -> int:
    from newskg.views import default_graph_size

    return default_graph_size(store)


def run_full(built: Path, scratch: Path) -> dict:
    import pyoxigraph as ox

    from newskg.project import Build
    from newskg.views import load_store

    folder = scratch / "full"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / "graphs").symlink_to(built / "graphs")
    (folder / "dataset.nq").symlink_to(built / "dataset.nq")
    build = Build(folder)
    store = ox.Store(str(build.store_path))
    start = _clock()
    load_store(build, store)
    out: dict = {"mode": "full", "load": _since(start) | {"quads": len(store)}}
    return _compacted(store, out, "optimize")


def _compacted(store, out: dict, key: str) -> dict:
    """``out`` with the time of compacting ``store`` under ``key``, and the process's peak."""
    start = _clock()
    store.optimize()
    store.flush()
    out[key] = _since(start)
    out["peak_mib"] = _peak_mib()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path, nargs="?")
    parser.add_argument("built", type=Path, nargs="?")
    parser.add_argument("--scratch", type=Path, default=Path("/tmp/early-store"))
    parser.add_argument("--only", help="one measurement (else each, in a process of its own)")
    args = parser.parse_args()
    if args.project is None or args.built is None:
        import tempfile

        from corpus import generate

        with tempfile.TemporaryDirectory() as work:
            args.project = Path(work) / "corpus"
            generate(args.project, triples=10_000, seed=1)
            built = Path(work) / "built"
            shutil.copytree(args.project, built)
            subprocess.run([sys.executable, "-m", "newskg", "--project", str(built), "build", "-q"], check=True)
            args.built = built / "build"
            _measure(args)
        return
    _measure(args)


def _measure(args: argparse.Namespace) -> None:
    scratch = args.scratch.resolve()
    scratch.mkdir(parents=True, exist_ok=True)
    if args.only:
        if args.only == "full":
            result = run_full(args.built.resolve(), scratch)
        else:
            result = run_parse(args.project.resolve(), args.built.resolve(), args.only.split("-")[1], scratch)
        print(json.dumps(result))
        return
    for only in ("parse-none", "parse-memory", "parse-disk", "parse-dump", "full"):
        done = subprocess.run([sys.executable, __file__, str(args.project), str(args.built),
                               "--scratch", str(scratch), "--only", only],
                              check=True, capture_output=True, text=True)
        print(done.stdout.strip().splitlines()[-1], flush=True)
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()

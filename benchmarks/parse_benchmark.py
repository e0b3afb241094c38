"""The build's parse stage alone: `load_dataset` of a project's inputs, wall and CPU seconds.

    .venv/bin/python benchmarks/parse_benchmark.py [PROJECT] [--triples 100000] [--repeat N] [--profile OUT.prof]

Without PROJECT, a corpus of ``--triples`` is generated (benchmarks/corpus.py, seed 1) in a
temporary folder, so that `make benchmark` can run it with no arguments.

Runs as the build does (the cycle collector off) and waits for the quality-check store's
thread, so that its CPU time is counted too. ``--profile`` writes a cProfile of one run (the
thread's C work is not in it) and prints the top of it by own time. ``--peak`` prints the
process's peak resident memory after the runs.
"""

from __future__ import annotations

import argparse
import gc
import resource
import tempfile
import time
from pathlib import Path

from corpus import generate


def run_once(inputs: list) -> tuple[float, float, int]:
    """One `load_dataset`: (wall seconds, CPU seconds, triples loaded)."""
    from newskg.build.memory import without_cycle_collection
    from newskg.build.sources import load_dataset

    with without_cycle_collection():
        wall, cpu = time.perf_counter(), time.process_time()
        sources = load_dataset(inputs)
        sources.quality_store()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        count = len(sources.dataset) + len(sources.shapes)
        del sources
    gc.collect()
    return wall, cpu, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("project", type=Path, nargs="?")
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--profile", type=Path)
    parser.add_argument("--peak", action="store_true")
    args = parser.parse_args()
    if args.project is not None:
        measure(args.project, args)
        return
    with tempfile.TemporaryDirectory() as work:
        generate(Path(work) / "corpus", triples=args.triples, seed=1)
        measure(Path(work) / "corpus", args)


def measure(project: Path, args: argparse.Namespace) -> None:
    """The runs (or the profile) asked for, on ``project``."""
    from newskg.build.sources import discover_sources

    inputs, _reports = discover_sources(project)
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        run_once(inputs)
        profiler.disable()
        profiler.dump_stats(args.profile)
        pstats.Stats(str(args.profile)).sort_stats("tottime").print_stats(25)
        return
    for _ in range(args.repeat):
        wall, cpu, count = run_once(inputs)
        print(f"load_dataset: {len(inputs)} files, {count} triples: wall {wall:.2f} s, CPU {cpu:.2f} s", flush=True)
    if args.peak:
        print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MiB")


if __name__ == "__main__":
    main()

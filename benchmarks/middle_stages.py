"""The build's middle stages, one by one, on a project's parsed sources: the claim layer,
`read_claims`, `split_by_level`, the placement, usage and anchor checks.

    .venv/bin/python benchmarks/middle_stages.py [PROJECT] [--triples 100000] [--rounds 3] [--profile STAGE]

Without PROJECT, a corpus of ``--triples`` is generated (benchmarks/corpus.py, seed 1) in a
temporary folder. The sources are parsed once (`load_dataset`, not timed); then each stage runs ``--rounds``
times, round after round (so a change of machine load falls on every stage alike), and the
least CPU time (process time, user+sys) and wall time of each are printed, with the cycle
collector off as in the build. ``--profile STAGE`` prints the cProfile of one more run of that
stage instead. The quality SPARQL checks are left out: they run in a thread, beside these.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
import time
from pathlib import Path

from corpus import generate

from newskg.build import check_usage, claim_layer
from newskg.build.anchors import find_anchor_problems
from newskg.build.levels import find_placement_problems, read_claims, split_by_level
from newskg.build.memory import without_cycle_collection
from newskg.build.sources import discover_sources, load_dataset
from newskg.project import Project


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=Path, nargs="?")
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", default=None)
    args = parser.parse_args()
    if args.project is not None:
        measure(args.project, args.rounds, args.profile)
        return
    with tempfile.TemporaryDirectory() as work:
        generate(Path(work) / "corpus", triples=args.triples, seed=1)
        measure(Path(work) / "corpus", args.rounds, args.profile)


def measure(root: Path, rounds: int, profile: str | None) -> None:
    """Time (and with ``profile``, profile) the middle stages on the project at ``root``."""
    project = Project.at(root)
    inputs, reports = discover_sources(project.root)
    with without_cycle_collection():
        sources = load_dataset(inputs)
        sources.quality_store()
        sources.store = None
        state: dict = {}

        def layer():
            state["layer"] = claim_layer(sources.dataset)

        def claims():
            state["claims"] = read_claims(state["layer"])

        def split():
            state["facts"] = split_by_level(sources.content_graphs(), state["claims"])

        def placement():
            find_placement_problems(sources.turtle_files, sources.content_files, state["claims"],
                                    state["facts"], state["layer"])

        def usage():
            check_usage(sources)

        def anchors():
            for report in reports:
                if report.text_path.exists():
                    find_anchor_problems(sources.dataset.graph(report.graph),
                                         report.text_path.read_text(encoding="utf-8"), "x")

        stages = {"claim_layer": layer, "read_claims": claims, "split_by_level": split,
                  "placement": placement, "usage": usage, "anchors": anchors}
        best: dict[str, tuple[float, float]] = {}
        for _ in range(rounds):
            for name, run in stages.items():
                cpu, wall = time.process_time(), time.perf_counter()
                run()
                took = (time.process_time() - cpu, time.perf_counter() - wall)
                best[name] = min(best.get(name, took), took)
        for name, (cpu, wall) in best.items():
            print(f"{name:16} cpu {cpu:7.3f} s  wall {wall:7.3f} s")
        print(f"{'total':16} cpu {sum(c for c, _ in best.values()):7.3f} s  "
              f"wall {sum(w for _, w in best.values()):7.3f} s")
        if profile:
            profiler = cProfile.Profile()
            profiler.runcall(stages[profile])
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()

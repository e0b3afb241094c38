"""What adding one report costs at least while every check runs over the whole corpus.

    .venv/bin/python benchmarks/add_floor.py [PROJECT] [--target 5]

A build that adds a report gives the result a full build gives (tests/test_incremental.py,
tests/test_build_changes.py), and so runs the quality-check queries (queries/checks/) and the
SHACL shapes over every report, old and new: either can fail because of how the new report
meets an old one. Whatever else is made incremental, a build in a new process must then put
the corpus into a store those run on, and run them. This script measures those steps alone
on PROJECT's build/ (built beforehand, with a store or without), as a share of ``--target``
seconds (the issue's target for the whole add):

1. the sources' quads (ontology, reports, background, claim content) from build/dataset.nq
   into an in-memory pyoxigraph store, as the build's parse fills its quality-check store;
2. the quality checks on that store (`newskg.build.checks.run_quality_checks`);
3. the SHACL stage on the sources and the inferred graphs (`newskg.build.shapes`: its loader,
   then its queries);
4. for comparison, steps 1 and 2 with an on-disk store (what a store kept between builds and
   updated by difference would be queried as).

Step 3 reads pyoxigraph quads (`validate_shapes_sparql`), which the build does not: it hands
the validator its rdflib graphs (`validate_graphs_sparql`), faster at a million triples; see
benchmarks/shacl_stage.py for the build's own stage. Steps 1 and 2 are the floor that holds
whatever the SHACL stage costs.

Without PROJECT (as `make benchmark` runs it) a 10k-triple corpus is generated and built in a
temporary folder. Wall and CPU seconds (CPU: the process's, threads included).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from newskg.build import build_project
from newskg.build.checks import run_quality_checks
from newskg.build.shapes import validate_shapes_sparql
from newskg.build.sources import discover_sources, load_dataset
from newskg.project import Project

SOURCE_ROLES = ("ontology", "article", "background", "content")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=Path, nargs="?")
    parser.add_argument("--target", type=float, default=5.0, help="seconds for the whole add (default 5)")
    args = parser.parse_args()
    if args.project is not None:
        measure(args.project, args.target)
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from corpus import generate

    with tempfile.TemporaryDirectory() as work:
        project = Path(work) / "corpus"
        generate(project, triples=10_000, seed=1)
        build_project(project)
        measure(project, args.target)


def measure(root: Path, target: float) -> None:
    """Print each step's wall and CPU seconds and its share of ``target``."""
    import pyoxigraph as ox

    project = Project.at(root)
    build = project.build()
    manifest = build.manifest_or_none()
    if manifest is None:
        sys.exit(f"{build.dir} has no manifest: build the project first")
    roles = {g["iri"]: g["role"] for g in manifest["graphs"]}
    sources, validated = _lines_by_role(build.nquads_path, roles)
    print(f"{root}: {len(sources):,} source quads, {len(validated):,} quads for SHACL", flush=True)
    rows = []

    def step(label: str, work):
        wall, cpu = time.perf_counter(), os.times()
        result = work()
        after = os.times()
        rows.append((label, time.perf_counter() - wall, after.user + after.system - cpu.user - cpu.system))
        print(f"  {label}: {rows[-1][1]:.2f} s wall, {rows[-1][2]:.2f} s cpu", flush=True)
        return result

    text = "".join(sources).encode("utf-8")
    memory = step("1. sources into an in-memory store", lambda: _loaded(ox.Store(), text))
    step("2. quality checks on it", lambda: run_quality_checks(memory, project.checks_dir))
    shapes = load_dataset([i for i in discover_sources(root)[0] if i.graph is None]).shapes
    quads = list(ox.parse("".join(validated).encode("utf-8"), format=ox.RdfFormat.N_QUADS))
    step("3. SHACL stage (loader and queries)", lambda: validate_shapes_sparql(quads, shapes))
    with tempfile.TemporaryDirectory(dir=root) as folder:
        disk = step("4a. sources into an on-disk store", lambda: _loaded(ox.Store(folder), text, optimize=True))
        step("4b. quality checks on it", lambda: run_quality_checks(disk, project.checks_dir))
        disk = None  # closes it before its folder goes
    for steps in ("12", "123"):
        floor = sum(wall for label, wall, _ in rows if label[0] in steps)
        print(f"steps {steps[0]}-{steps[-1]}: {floor:.2f} s wall = {floor / target:.2f} x the {target:g} s target, "
              "before parsing the new report, reasoning or writing anything")


def _lines_by_role(path: Path, roles: dict[str, str]) -> tuple[list[str], list[str]]:
    """dataset.nq's lines of the source graphs, and of the graphs SHACL validates (the sources
    and the inferred graphs: each facts graph's triples are in a claim's content)."""
    sources, validated = [], []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            role = roles.get(line[line.rindex("<", 0, len(line) - 3) + 1:line.rindex(">")])
            if role in SOURCE_ROLES:
                sources.append(line)
                validated.append(line)
            elif role == "inferred":
                validated.append(line)
    return sources, validated


def _loaded(store, text: bytes, optimize: bool = False):
    import pyoxigraph as ox

    store.bulk_load(text, format=ox.RdfFormat.N_QUADS)
    if optimize:
        store.optimize()
    return store


if __name__ == "__main__":
    main()

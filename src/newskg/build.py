"""The build: load the sources, check them, reason, and write build/ atomically.

    sources --load--> dataset --check--> problems? --reason--> inferred --write--> build/

The build is written to a temporary sibling folder and swapped in at the very end, so
an interrupted or failed build leaves the previous build/ as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Callable

from rdflib import Dataset, Graph, URIRef

from newskg.anchors import find_anchor_problems
from newskg.checks import run_quality_checks, validate_shapes
from newskg.errors import InconsistencyError, Problem, ValidationError
from newskg.manifest import MANIFEST_FORMAT, find_manifest, write_manifest
from newskg.profile import find_profile_violations
from newskg.namespaces import (
    BACKGROUND_GRAPH,
    INFERRED_GRAPH,
    ONTOLOGY_GRAPH,
    ARTICLE_GRAPH_BASE,
    bind_prefixes,
)
from newskg.reasoning import Inference, Reasoner, infer
from newskg.sources import (
    InputFile,
    Report,
    discover_inputs,
    discover_reports,
    load_dataset,
    parse_turtle,
)

BUILD_DIRNAME = "build"
TOOLS = ("newskg", "rdflib", "owlrl", "pyoxigraph", "pyshacl")

Progress = Callable[[str], None]


@dataclass
class BuildResult:
    """What a build did: where it wrote, whether it was skipped, and its manifest."""

    build_dir: Path
    skipped: bool
    manifest: dict
    warnings: list[Problem] = field(default_factory=list)


def graph_file_name(iri: str) -> str:
    """The file under build/graphs/ that holds one named graph."""
    if iri == str(ONTOLOGY_GRAPH):
        return "ontology.nt"
    if iri == str(BACKGROUND_GRAPH):
        return "background.nt"
    if iri == str(INFERRED_GRAPH):
        return "inferred.nt"
    if iri.startswith(ARTICLE_GRAPH_BASE):
        return f"article-{iri[len(ARTICLE_GRAPH_BASE):]}.nt"
    raise ValueError(f"not one of the project's graphs: {iri}")


def graph_role(iri: str) -> str:
    """ontology | background | inferred | article, from a graph IRI."""
    return {str(ONTOLOGY_GRAPH): "ontology", str(BACKGROUND_GRAPH): "background",
            str(INFERRED_GRAPH): "inferred"}.get(iri, "article")


def fingerprint(root: Path, inputs: list[InputFile], reports: list[Report]) -> str:
    """A hash of everything a build depends on: inputs, report texts, checks, tool versions."""
    digest = hashlib.sha256()
    extra = [r.text_path for r in reports if r.text_path.exists()]
    checks_dir = root / "queries" / "checks"
    extra += sorted(checks_dir.glob("*.rq")) if checks_dir.is_dir() else []
    for path in [i.path for i in inputs] + extra:
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    digest.update(json.dumps(tool_versions(), sort_keys=True).encode())
    return digest.hexdigest()


def tool_versions() -> dict[str, str]:
    """Versions of newskg and the libraries that shape the output."""
    versions = {}
    for name in TOOLS:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def check_sources(root: Path, dataset: Dataset, inputs: list[InputFile],
                  reports: list[Report]) -> list[Problem]:
    """The checks that need no reasoning: OWL 2 RL profile of each ontology module,
    the quality-check queries (queries/checks/), and the text anchors of each report."""
    problems: list[Problem] = []
    for item in inputs:
        if item.role == "ontology":
            # Re-read the one file so a violation is reported against its module.
            problems += find_profile_violations(parse_turtle(item.path, item.relpath), item.relpath)
    union = union_graph(dataset)
    checks_dir = root / "queries" / "checks"
    if checks_dir.is_dir():
        problems += run_quality_checks(union, checks_dir)
    for report in reports:
        if not report.text_path.exists():
            problems.append(Problem("source-text", "missing source.txt for this report",
                                    path=report.text_path.relative_to(root).as_posix()))
            continue
        text = report.text_path.read_text(encoding="utf-8")
        label = report.text_path.relative_to(root).as_posix()
        problems += find_anchor_problems(dataset.graph(report.graph), text, label)
    return problems


def check_shapes(asserted: Graph, inferred: Graph, shapes: Graph) -> list[Problem]:
    """SHACL over asserted + inferred, so a shape targeting a superclass sees every member."""
    if not len(shapes):
        return []
    return validate_shapes(asserted + inferred, shapes)


def check_project(root: Path, reasoner: Reasoner | None = None,
                  progress: Progress | None = None) -> list[Problem]:
    """Run every check the build runs, and report all problems instead of stopping at the first kind.

    An inconsistency found by the closure is reported as problems too.
    """
    say = progress or (lambda message: None)
    root = root.resolve()
    inputs = discover_inputs(root)
    say(f"parsing {len(inputs)} files")
    dataset, shapes = load_dataset(inputs)
    say("checking sources")
    problems = check_sources(root, dataset, inputs, discover_reports(root))
    union = union_graph(dataset)
    say("reasoning (OWL-RL)")
    try:
        inference = infer(union, reasoner)
    except InconsistencyError as err:
        return problems + [Problem(rule, message) for rule, message in err.findings]
    say("validating shapes")
    return problems + check_shapes(union, inference.inferred, shapes)


def union_graph(dataset: Dataset) -> Graph:
    """All asserted triples of the dataset in one graph (what the reasoner sees)."""
    union = bind_prefixes(Graph())
    for graph in dataset.graphs():
        if graph.identifier != INFERRED_GRAPH:
            for triple in graph:
                union.add(triple)
    return union


def _raise_errors(problems: list[Problem]) -> list[Problem]:
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ValidationError(errors)
    return problems


def build_project(root: Path, force: bool = False, reasoner: Reasoner | None = None,
                  progress: Progress | None = None, build_dir: Path | None = None) -> BuildResult:
    """Build the project at `root` into build/ (or `build_dir`).

    Skips the work when the inputs are unchanged since the last build, unless `force`.
    Raises RdfSyntaxError, ValidationError or InconsistencyError; on any error nothing
    is written and the previous build stays as it was.
    """
    say = progress or (lambda message: None)
    root = root.resolve()
    build_dir = (build_dir or root / BUILD_DIRNAME).resolve()
    _recover_interrupted_swap(build_dir)
    started = time.perf_counter()
    inputs = discover_inputs(root)
    reports = discover_reports(root)
    stamp = fingerprint(root, inputs, reports)
    previous = find_manifest(build_dir)
    if not force and previous and previous.get("fingerprint") == stamp:
        return BuildResult(build_dir, skipped=True, manifest=previous)

    say(f"parsing {len(inputs)} files")
    dataset, shapes = load_dataset(inputs)
    say("checking sources")
    warnings = _raise_errors(check_sources(root, dataset, inputs, reports))
    say("reasoning (OWL-RL)")
    union = union_graph(dataset)
    inference = infer(union, reasoner)
    say("validating shapes")
    warnings += _raise_errors(check_shapes(union, inference.inferred, shapes))
    graphs = _named_graphs(dataset, inference)
    manifest = _manifest(root, inputs, graphs, inference, stamp, started)
    say(f"writing {build_dir.name}/")
    _write_atomically(build_dir, graphs, manifest)
    return BuildResult(build_dir, skipped=False, manifest=manifest, warnings=warnings)


def _named_graphs(dataset: Dataset, inference: Inference) -> dict[str, Graph]:
    graphs = {str(g.identifier): g for g in dataset.graphs() if len(g)}
    graphs[str(INFERRED_GRAPH)] = inference.inferred
    order = lambda iri: ({"ontology": 0, "background": 2, "inferred": 3}.get(graph_role(iri), 1), iri)
    return {iri: graphs[iri] for iri in sorted(graphs, key=order)}


def _manifest(root: Path, inputs: list[InputFile], graphs: dict[str, Graph],
              inference: Inference, stamp: str, started: float) -> dict:
    return {
        "format": MANIFEST_FORMAT,
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "duration_seconds": round(time.perf_counter() - started, 3),
        "fingerprint": stamp,
        "tool_versions": tool_versions(),
        "inputs": [{"path": i.relpath, "sha256": i.sha256(), "role": i.role,
                    "graph": str(i.graph) if i.graph else None} for i in inputs],
        "graphs": [{"iri": iri, "role": graph_role(iri), "file": f"graphs/{graph_file_name(iri)}",
                    "triples": len(g)} for iri, g in graphs.items()],
        "closure_triples": inference.closure_size,
        "noise_removed": inference.noise_removed,
        "noise_by_kind": dict(sorted(inference.noise.items())),
    }


def _ntriples_lines(graph: Graph) -> list[str]:
    text = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    return sorted(line for line in text.splitlines() if line.strip())


def _write_atomically(build_dir: Path, graphs: dict[str, Graph], manifest: dict) -> None:
    build_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{build_dir.name}-new-", dir=build_dir.parent))
    try:
        (staging / "graphs").mkdir()
        quads: list[str] = []
        trig = bind_prefixes(Dataset())
        for iri, graph in graphs.items():
            lines = _ntriples_lines(graph)
            (staging / "graphs" / graph_file_name(iri)).write_text(
                "".join(line + "\n" for line in lines), encoding="utf-8")
            quads += [f"{line[:-1].rstrip()} <{iri}> .\n" for line in lines]
            target = trig.graph(URIRef(iri))
            for triple in graph:
                target.add(triple)
        (staging / "dataset.nq").write_text("".join(quads), encoding="utf-8")
        trig.serialize(destination=str(staging / "dataset.trig"), format="trig")
        # The manifest goes last: a folder with a manifest is a complete build.
        write_manifest(staging, manifest)
        _swap_in(staging, build_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _previous_path(build_dir: Path) -> Path:
    return build_dir.with_name(f".{build_dir.name}-previous")


def _swap_in(staging: Path, build_dir: Path) -> None:
    previous = _previous_path(build_dir)
    shutil.rmtree(previous, ignore_errors=True)
    if build_dir.exists():
        os.rename(build_dir, previous)
    os.rename(staging, build_dir)
    shutil.rmtree(previous, ignore_errors=True)


def _recover_interrupted_swap(build_dir: Path) -> None:
    # Killed between the two renames of _swap_in: the old build is intact under its
    # temporary name; put it back before doing anything else.
    previous = _previous_path(build_dir)
    if previous.exists() and not build_dir.exists():
        os.rename(previous, build_dir)

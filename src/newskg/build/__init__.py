"""The build: load the sources, check them, reason, and write build/ atomically.

    sources --load--> dataset --check--> problems? --reason--> inferred --write--> build/

`check_project` and `build_project` run the same pipeline (`run_pipeline`): the check
collects every problem, the build stops at the first kind that has errors. The build
is written to a temporary sibling folder and swapped in at the very end, so an
interrupted or failed build leaves the previous build/ as it was.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Callable

from rdflib import Dataset, Graph

from newskg.build.anchors import find_anchor_problems
from newskg.build.checks import run_quality_checks, validate_shapes
from newskg.build.profile import find_profile_violations
from newskg.build.reasoning import Inference, Reasoner, infer
from newskg.build.sources import InputFile, Report, discover_inputs, discover_reports, load_dataset, parse_turtle
from newskg.build.writer import recover_interrupted_swap, write_build
from newskg.errors import InconsistencyError, Problem, ValidationError
from newskg.namespaces import INFERRED_GRAPH, bind_prefixes
from newskg.project import MANIFEST_FORMAT, Build, Project, graph_file_name, graph_role, graph_sort_key

TOOLS = ("newskg", "rdflib", "owlrl", "pyoxigraph", "pyshacl")

Progress = Callable[[str], None]


@dataclass
class BuildResult:
    """What a build did: where it wrote, whether it was skipped, and its manifest."""

    build_dir: Path
    skipped: bool
    manifest: dict
    warnings: list[Problem] = field(default_factory=list)


@dataclass
class PipelineResult:
    """Everything the pipeline found: problems of every kind, and what the build writes."""

    problems: list[Problem]
    dataset: Dataset | None = None
    inference: Inference | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def fingerprint(project: Project, inputs: list[InputFile], reports: list[Report]) -> str:
    """A hash of everything a build depends on: inputs, report texts, checks, tool versions."""
    root = project.root
    digest = hashlib.sha256()
    extra = [r.text_path for r in reports if r.text_path.exists()]
    extra += sorted(project.checks_dir.glob("*.rq")) if project.checks_dir.is_dir() else []
    for path in [i.path for i in inputs] + extra:
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    digest.update(json.dumps(tool_versions(), sort_keys=True).encode())
    return digest.hexdigest()


def current_fingerprint(project: Project) -> str:
    """The fingerprint the project's sources have now (what a current build records)."""
    return fingerprint(project, discover_inputs(project.root), discover_reports(project.root))


def tool_versions() -> dict[str, str]:
    """Versions of newskg and the libraries that shape the output."""
    versions = {}
    for name in TOOLS:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def check_sources(project: Project, dataset: Dataset, inputs: list[InputFile],
                  reports: list[Report]) -> list[Problem]:
    """The checks that need no reasoning: OWL 2 RL profile of each ontology module,
    the quality-check queries (queries/checks/), and the text anchors of each report."""
    problems: list[Problem] = []
    for item in inputs:
        if item.role == "ontology":
            # Re-read the one file so a violation is reported against its module.
            problems += find_profile_violations(parse_turtle(item.path, item.relpath), item.relpath)
    union = union_graph(dataset)
    if project.checks_dir.is_dir():
        problems += run_quality_checks(union, project.checks_dir)
    for report in reports:
        label = project.relative(report.text_path)
        if not report.text_path.exists():
            problems.append(Problem("source-text", "missing source.txt for this report", path=label))
            continue
        text = report.text_path.read_text(encoding="utf-8")
        problems += find_anchor_problems(dataset.graph(report.graph), text, label)
    return problems


def check_shapes(asserted: Graph, inferred: Graph, shapes: Graph) -> list[Problem]:
    """SHACL over asserted + inferred, so a shape targeting a superclass sees every member."""
    if not len(shapes):
        return []
    return validate_shapes(asserted + inferred, shapes)


def union_graph(dataset: Dataset) -> Graph:
    """All asserted triples of the dataset in one graph (what the reasoner sees)."""
    union = bind_prefixes(Graph())
    for graph in dataset.graphs():
        if graph.identifier != INFERRED_GRAPH:
            for triple in graph:
                union.add(triple)
    return union


def run_pipeline(project: Project, inputs: list[InputFile], reports: list[Report], *,
                 strict: bool, reasoner: Reasoner | None = None,
                 progress: Progress | None = None) -> PipelineResult:
    """Parse, check, reason and validate shapes.

    ``strict`` (the build) raises at the first stage that found errors: ValidationError,
    InconsistencyError. Otherwise (the check) every stage runs that can, and an
    inconsistency becomes problems too. A syntax error always raises RdfSyntaxError.
    """
    say = progress or (lambda message: None)

    def stage(found: list[Problem]) -> list[Problem]:
        errors = [p for p in found if p.severity == "error"]
        if strict and errors:
            raise ValidationError(errors)
        return found

    say(f"parsing {len(inputs)} files")
    dataset, shapes = load_dataset(inputs)
    say("checking sources")
    problems = stage(check_sources(project, dataset, inputs, reports))
    say("reasoning (OWL-RL)")
    union = union_graph(dataset)
    try:
        inference = infer(union, reasoner)
    except InconsistencyError as err:
        if strict:
            raise
        return PipelineResult(problems + [Problem(rule, message) for rule, message in err.findings], dataset)
    say("validating shapes")
    problems += stage(check_shapes(union, inference.inferred, shapes))
    return PipelineResult(problems, dataset, inference)


def check_project(root: Path | Project, reasoner: Reasoner | None = None,
                  progress: Progress | None = None) -> list[Problem]:
    """Run every check the build runs, and report all problems instead of stopping at the first kind.

    An inconsistency found by the closure is reported as problems too.
    """
    project = root if isinstance(root, Project) else Project.at(root)
    inputs, reports = discover_inputs(project.root), discover_reports(project.root)
    return run_pipeline(project, inputs, reports, strict=False, reasoner=reasoner, progress=progress).problems


def build_project(root: Path | Project, force: bool = False, reasoner: Reasoner | None = None,
                  progress: Progress | None = None, build_dir: Path | None = None) -> BuildResult:
    """Build the project at `root` into build/ (or `build_dir`).

    Skips the work when the inputs are unchanged since the last build, unless `force`.
    Raises RdfSyntaxError, ValidationError or InconsistencyError; on any error nothing
    is written and the previous build stays as it was.
    """
    say = progress or (lambda message: None)
    project = root if isinstance(root, Project) else Project.at(root)
    build = project.build(build_dir)
    recover_interrupted_swap(build.dir)
    started = time.perf_counter()
    inputs, reports = discover_inputs(project.root), discover_reports(project.root)
    stamp = fingerprint(project, inputs, reports)
    previous = build.manifest_or_none()
    if not force and previous and previous.get("fingerprint") == stamp:
        return BuildResult(build.dir, skipped=True, manifest=previous)

    result = run_pipeline(project, inputs, reports, strict=True, reasoner=reasoner, progress=progress)
    assert result.dataset is not None and result.inference is not None  # strict: errors raised
    graphs = _named_graphs(result.dataset, result.inference)
    manifest = _manifest(inputs, graphs, result.inference, stamp, started)
    say(f"writing {build.dir.name}/")
    write_build(build, graphs, manifest)
    return BuildResult(build.dir, skipped=False, manifest=manifest, warnings=result.problems)


def _named_graphs(dataset: Dataset, inference: Inference) -> dict[str, Graph]:
    graphs = {str(g.identifier): g for g in dataset.graphs() if len(g)}
    graphs[str(INFERRED_GRAPH)] = inference.inferred
    return {iri: graphs[iri] for iri in sorted(graphs, key=graph_sort_key)}


def _manifest(inputs: list[InputFile], graphs: dict[str, Graph],
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

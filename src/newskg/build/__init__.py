"""The build: load the sources, check them, reason, and write build/ atomically.

    sources --load--> dataset --check--> problems? --reason--> inferred --write--> build/

`check_project` and `build_project` run the same pipeline (`run_pipeline`): the check
collects every problem, the build stops at the first kind that has errors. The build
is written to a temporary sibling folder and swapped in at the very end, so an
interrupted or failed build leaves the previous build/ as it was.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from rdflib import Graph

from newskg.build.anchors import find_anchor_problems
from newskg.build.checks import SHACL_ENGINES, start_quality_checks, validate_shapes
from newskg.build.early_store import EarlyStore
from newskg.build.incremental import build_key, report_additions
from newskg.build.levels import (
    FactLevels,
    claims_behind,
    fact_changes,
    find_placement_problems,
    quote_of,
    read_claims,
    split_by_level,
)
from newskg.build.locations import SourceIndex, clash_subject, locate
from newskg.build.memory import (
    Chained,
    NamedGraphs,
    add_triples,
    new_graph,
    return_freed_memory,
    without_cycle_collection,
)
from newskg.build.profile import find_profile_violations
from newskg.build.reasoning import REASONERS, LevelFinding, LevelledInference, reason_by_level
from newskg.build.reuse import graph_origins
from newskg.build.sources import (
    InputFile,
    Report,
    Sources,
    discover_sources,
    load_dataset,
    parse_turtle,
)
from newskg.build.union import union_view
from newskg.build.usage import find_usage_problems, suggest_declared_terms
from newskg.build.writer import recover_interrupted_swap, write_build
from newskg.errors import InconsistencyError, Problem, ValidationError
from newskg.namespaces import (
    ARTICLE_GRAPH_BASE,
    BACKGROUND_GRAPH,
    LEVELS,
    ONTOLOGY_GRAPH,
    bind_prefixes,
    facts_graph,
    inferred_graph,
    shorten,
)
from newskg.project import (
    GRAPHS_DIR,
    MANIFEST_FORMAT,
    Project,
    graph_file_name,
    graph_level,
    graph_role,
    graph_sort_key,
)

TOOLS = ("newskg", "rdflib", "owlrl", "pyoxigraph", "pyshacl")

Progress = Callable[[str], None]


@dataclass
class BuildResult:
    """What a build did: where it wrote, whether it was skipped, and its manifest."""

    build_dir: Path
    skipped: bool
    manifest: dict
    warnings: list[Problem] = field(default_factory=list)
    #: wall seconds of the whole build, writing included (the manifest's duration_seconds is
    #: taken when the manifest is made, before the writing, which is half a large build)
    seconds: float = 0.0
    #: peak resident memory of the process that loaded the store early (`newskg.build.early_store`),
    #: in KiB, when one did and the system says; it ran beside this one
    loader_peak_kib: int | None = None
    #: that process's CPU seconds (user and system), which the build's own CPU time leaves out
    loader_cpu_seconds: float | None = None


@dataclass
class PipelineResult:
    """Everything the pipeline found: problems of every kind, and what the build writes."""

    problems: list[Problem]
    sources: Sources | None = None
    facts: FactLevels | None = None
    inference: LevelledInference | None = None
    #: graph IRI -> (triples added, removed) against the build the reasoner's saved state was
    #: computed for, when the reasoning extended that state (only reports were added)
    changes: dict[str, tuple[list, list]] | None = None
    #: the fingerprint of that build (its manifest's), when `changes` is given
    changes_since: str | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def fingerprint(project: Project, inputs: list[InputFile], reports: list[Report]) -> str:
    """A hash of everything a build depends on: inputs, report texts, checks, tool versions."""
    root = project.root
    digest = hashlib.sha256()
    for item in inputs:
        digest.update(item.relpath.encode())
        digest.update(bytes.fromhex(item.sha256()))
    extra = [r.text_path for r in reports if r.text_path.exists()]
    extra += sorted(project.checks_dir.glob("*.rq")) if project.checks_dir.is_dir() else []
    for path in extra:
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    digest.update(json.dumps(tool_versions(), sort_keys=True).encode())
    return digest.hexdigest()


def current_fingerprint(project: Project) -> str:
    """The fingerprint the project's sources have now (what a current build records)."""
    return fingerprint(project, *discover_sources(project.root))


def tool_versions() -> dict[str, str]:
    """Versions of newskg and the libraries that shape the output."""
    versions = {}
    for name in TOOLS:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def check_sources(project: Project, sources: Sources, inputs: list[InputFile], reports: list[Report],
                  quality: Callable[[], list[Problem]] | None) -> list[Problem]:
    """The checks that need no reasoning: OWL 2 RL profile of each ontology module,
    the quality-check queries (queries/checks/), and the text anchors of each report.

    ``quality``: the quality checks already started (`start_quality_checks`), to wait for here;
    None when the project has none.
    """
    problems: list[Problem] = []
    for item in inputs:
        if item.role == "ontology":
            # Re-read the one file so a violation is reported against its module.
            problems += find_profile_violations(parse_turtle(item.path, item.relpath), item.relpath)
    anchored: list[Problem] = []
    for report in reports:
        label = project.relative(report.text_path)
        if not report.text_path.exists():
            anchored.append(Problem("source-text", "missing source.txt for this report", path=label))
            continue
        text = report.text_path.read_text(encoding="utf-8")
        anchored += find_anchor_problems(sources.dataset.graph(report.graph), text, label)
    if quality is not None:
        problems += suggest_declared_terms(quality(), sources.dataset.graph(ONTOLOGY_GRAPH))
    return problems + anchored


def check_shapes(graphs: list[Graph], shapes: Graph, shacl: str = SHACL_ENGINES[0]) -> list[Problem]:
    """SHACL over the union of ``graphs`` (asserted + inferred), so a shape targeting a superclass
    sees every member; ``shacl`` is the validator (newskg.build.checks.SHACL_ENGINES)."""
    if not len(shapes):
        return []
    return validate_shapes(graphs, shapes, shacl)


def claim_layer(dataset: NamedGraphs) -> Graph:
    """The report and background graphs in one read-only graph: claims, anchors, documents,
    names. A view over the graphs themselves (newskg.build.union), which answers as their
    copy would: the copy cost seconds and the memory of three more indexes at a million triples."""
    return union_view([graph for graph in dataset.graphs()
                       if graph.identifier == BACKGROUND_GRAPH
                       or str(graph.identifier).startswith(ARTICLE_GRAPH_BASE)])


def union_graph(*graphs: Graph) -> Graph:
    """The triples of all ``graphs`` in one graph."""
    union = bind_prefixes(new_graph())
    for graph in graphs:
        add_triples(union, graph)
    return union


def run_pipeline(project: Project, inputs: list[InputFile], reports: list[Report], *,
                 strict: bool, reasoner: str = REASONERS[0],
                 progress: Progress | None = None, shacl: str = SHACL_ENGINES[0],
                 full: bool = False, after_parse: Callable[[Sources], None] | None = None,
                 fingerprint: str | None = None) -> PipelineResult:
    """Parse, check, split facts by level, reason level by level, validate shapes.

    ``strict`` (the build) raises at the first stage that found errors: ValidationError,
    InconsistencyError. Otherwise (the check) every stage runs that can, and an
    inconsistency becomes problems too. A syntax error always raises RdfSyntaxError.
    A contradiction that appears only below the confirmed level is a warning naming the
    claims it rests on, never a failure. ``full``: never extend the reasoner's saved state.
    ``after_parse``: given the sources once they are parsed and their store filled (the build
    starts its early store from it, `newskg.build.early_store`, beside the checks).
    ``fingerprint``: the build's (saved with the reasoner's state, so that the next build knows
    what its changes are relative to: `PipelineResult.changes`).
    """
    say = progress or (lambda message: None)
    # Read again only if some problem needs a file and line (newskg.build.locations).
    locations = SourceIndex((item.relpath, item.path) for item in inputs)

    def stage(found: list[Problem]) -> list[Problem]:
        locate(found, locations)
        errors = [p for p in found if p.severity == "error"]
        if strict and errors:
            raise ValidationError(errors)
        return found

    say(f"parsing {len(inputs)} files")
    sources = load_dataset(inputs)
    dataset = sources.dataset
    claims_graph = claim_layer(dataset)
    claims = read_claims(claims_graph)
    content = sources.content_graphs()  # sorted once, for the levels and for SHACL
    facts = split_by_level(content, claims)
    say("checking sources")
    # The quality checks are SPARQL, which pyoxigraph evaluates without the GIL: in a thread,
    # beside the checks written in Python.
    quality = (start_quality_checks(sources.quality_store(), project.checks_dir)
               if project.checks_dir.is_dir() else None)
    if after_parse is not None:
        # Not after the checks: the store's loader then starts seconds sooner, and its work is
        # the first large build's longest path; a build whose checks fail discards it.
        after_parse(sources)
    placement = find_placement_problems(sources.turtle_files, sources.content_files, claims, facts, claims_graph)
    usage = check_usage(sources)
    problems = stage(sources.problems + placement + check_sources(project, sources, inputs, reports, quality) + usage)
    # The validator adds the inferred triples to the quality checks' store, rather than loading
    # every source triple again, when the store holds them as the graphs do (validate_store_sparql).
    held = sources.quality_store() if (shacl == "sparql" and sources.store_exact
                                       and sources.store_strings_exact) else None
    sources.store = None  # the quality checks are done with it; freed here unless held above
    return_freed_memory()
    say("reasoning (OWL-RL, level by level)")
    tbox = dataset.graph(ONTOLOGY_GRAPH)
    # The reasoner's state is extended when only reports were added.
    key = build_key(inputs, claims, fingerprint)
    told: list[tuple[dict, list | None]] = []  # what the saved state's key was, and what was added to it

    def additions(saved: dict) -> list | None:
        added = report_additions(saved, key, sources, facts)
        told.append((saved, added))
        return added

    inference = reason_by_level(tbox, Chained(claims_graph, facts.by_level[0]), facts.by_level[1:],
                                reasoner, project.cache_dir, incremental=True, key=key, full=full,
                                additions=additions)
    say(f"reasoned: {inference.how}")
    confirmed = [f for f in inference.findings if f.level == 0]
    if confirmed:
        err = InconsistencyError([(f.rule, f.message) for f in confirmed])
        if strict:
            raise err
        clashes = [Problem(rule, message, focus=clash_subject(message)) for rule, message in err.findings]
        return PipelineResult(problems + locate(clashes, locations), sources, facts)
    problems += [_contradiction(f, facts, claims_graph) for f in inference.findings]
    say("validating shapes")
    # The facts graphs are left out: each of their triples is in a claim's content graph.
    everything = [tbox, claims_graph, *content, *inference.inferred]
    found = None
    if held is not None and len(sources.shapes):
        from newskg.build.shapes import validate_store_sparql

        found = validate_store_sparql(held, list(dataset.graphs()), inference.inferred, sources.shapes,
                                      sources.typed_literals)
    held = None
    problems += stage(found if found is not None else check_shapes(everything, sources.shapes, shacl))
    return_freed_memory()  # the validator's store: before the writer's, the build's peak
    changes, since = _changes(inference, facts, sources, key, told)
    return PipelineResult(problems, sources, facts, inference, changes, since)


def _changes(inference: LevelledInference, facts: FactLevels, sources: Sources, key: dict,
             told: list[tuple[dict, list | None]]) -> tuple[dict[str, tuple[list, list]] | None, str | None]:
    """What the facts and inferred graphs gained and lost against the build the reasoner's
    saved state was computed for, when the reasoning extended that state with new report
    files (`report_additions`; not with a difference it found by comparing the input)."""
    if inference.changed is None or len(told) != 1 or told[0][1] is None:
        return None, None
    since = told[0][0].get("fingerprint")
    before = told[0][0].get("files")
    if not isinstance(since, str) or not isinstance(before, dict):
        return None, None
    new_files = set(key["files"]) - set(before)
    new_claims = {iri for iri, path in sources.content_files.items() if path in new_files}
    changes: dict[str, tuple[list, list]] = {}
    for level, change in zip(LEVELS, fact_changes(facts, new_claims), strict=True):
        changes[str(facts_graph(level))] = change
    for level, change in zip(LEVELS, inference.changed, strict=True):
        changes[str(inferred_graph(level))] = change
    return changes, since


def check_usage(sources: Sources) -> list[Problem]:
    """Terms used as declared (newskg.build.usage): a property used outside its domain or
    range, judged before reasoning turns the misuse into a type or a clash; and the nearest
    declared term for each undeclared one (added to the check queries' problems in place)."""
    ontology = sources.dataset.graph(ONTOLOGY_GRAPH)
    files: list[tuple[str, Iterable[tuple]]] = list(sources.turtle_files.items())
    # Sorted by IRI (str order: rdflib's own comparison of two URIRefs, without its Python-level calls).
    files += [(path, sources.dataset.graph(claim))
              for claim, path in sorted(sources.content_files.items(), key=lambda item: str(item[0]))]
    return find_usage_problems(ontology, files)


def _contradiction(finding: LevelFinding, facts: FactLevels, claims_graph: Graph) -> Problem:
    claims = claims_behind(finding.iris, facts, finding.level)
    named = "; ".join(f"{shorten(str(c))} ({LEVELS[facts.claims[c].level or 0]}"
                      + (f': "{quote}"' if (quote := quote_of(c, claims_graph)) else "") + ")"
                      for c in claims)
    return Problem("contradiction", f"at level {LEVELS[finding.level]}: {finding.rule}: {finding.message}; "
                   f"the claims it rests on: {named or 'none found'}", severity="warning")


def check_project(root: Path | Project, reasoner: str = REASONERS[0],
                  progress: Progress | None = None, shacl: str = SHACL_ENGINES[0]) -> list[Problem]:
    """Run every check the build runs, and report all problems instead of stopping at the first kind.

    An inconsistency found by the closure is reported as problems too.
    """
    project = root if isinstance(root, Project) else Project.at(root)
    inputs, reports = discover_sources(project.root)
    with without_cycle_collection():
        return run_pipeline(project, inputs, reports, strict=False, reasoner=reasoner, progress=progress,
                            shacl=shacl).problems


def build_project(root: Path | Project, force: bool = False, reasoner: str = REASONERS[0],
                  progress: Progress | None = None, build_dir: Path | None = None,
                  shacl: str = SHACL_ENGINES[0], full: bool = False) -> BuildResult:
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
    inputs, reports = discover_sources(project.root)
    stamp = fingerprint(project, inputs, reports)
    previous = build.manifest_or_none()
    if not force and previous and previous.get("fingerprint") == stamp:
        return BuildResult(build.dir, skipped=True, manifest=previous)

    # The store's sources, bulk-loaded beside reasoning (newskg.build.early_store); removed
    # whatever happens unless the writer took it.
    early = EarlyStore(build.dir) if EarlyStore.wanted(build.dir) else None
    with without_cycle_collection(), contextlib.ExitStack() as cleanup:
        if early is not None:
            cleanup.callback(early.discard)
        result = run_pipeline(project, inputs, reports, strict=True, reasoner=reasoner, progress=progress,
                              shacl=shacl, full=full, after_parse=early.start if early is not None else None,
                              fingerprint=stamp)
        # strict: every error was raised, so every stage ran
        assert result.sources is not None and result.facts is not None and result.inference is not None
        result.sources.turtle_files.clear()  # read by the checks only; the writer needs the memory
        graphs = _named_graphs(result.sources, result.facts, result.inference)
        manifest = _manifest(inputs, graphs, result.inference, stamp, started)
        say(f"writing {build.dir.name}/")
        # The changes are relative to the build the reasoner's state was saved by: build/ only
        # if that is the build on disk (a state saved by a build that then failed, or by one
        # into another folder, is not).
        since = result.changes_since
        changes = result.changes if since is not None and previous and previous.get("fingerprint") == since else None
        write_build(build, graphs, manifest, release=True,  # nothing reads the graphs afterwards
                    before_swap=lambda: say(f"swapping the new {build.dir.name}/ in"),
                    origins=graph_origins(project.root, manifest["inputs"], result.sources.content_files),
                    early=early, changes=changes)
    return BuildResult(build.dir, skipped=False, manifest=manifest, warnings=result.problems,
                       seconds=time.perf_counter() - started, loader_peak_kib=early.peak_kib if early else None,
                       loader_cpu_seconds=early.cpu_seconds if early else None)


def _named_graphs(sources: Sources, facts: FactLevels, inference: LevelledInference) -> dict[str, Graph]:
    content = set(sources.content_files)
    graphs = {str(g.identifier): g for g in sources.dataset.graphs() if len(g) and g.identifier not in content}
    for index, level in enumerate(LEVELS):
        graphs[str(facts_graph(level))] = facts.by_level[index]
        graphs[str(inferred_graph(level))] = inference.inferred[index]
    for iri in sorted(content):
        graphs[str(iri)] = sources.dataset.graph(iri)
    return {iri: graphs[iri] for iri in sorted(graphs, key=graph_sort_key)}


def _manifest(inputs: list[InputFile], graphs: dict[str, Graph],
              inference: LevelledInference, stamp: str, started: float) -> dict:
    return {
        "format": MANIFEST_FORMAT,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "duration_seconds": round(time.perf_counter() - started, 3),
        "fingerprint": stamp,
        "tool_versions": tool_versions(),
        "inputs": [{"path": i.relpath, "sha256": i.sha256(), "role": i.role,
                    "graph": str(i.graph) if i.graph else None} for i in inputs],
        "graphs": [_graph_entry(iri, g) for iri, g in graphs.items()],
        "closure_triples": inference.closure_size,
        "noise_removed": inference.noise_removed,
        "noise_by_kind": dict(sorted(inference.noise.items())),
    }


def _graph_entry(iri: str, graph: Graph) -> dict:
    entry = {"iri": iri, "role": graph_role(iri), "file": f"{GRAPHS_DIR}/{graph_file_name(iri)}",
             "triples": len(graph)}
    level = graph_level(iri)
    if level:
        entry["level"] = level
    return entry

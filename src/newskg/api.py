"""The Python API: what every `newskg` command does, as functions that return data.

Each function takes the project folder (``project=``, default the current folder),
returns plain objects and never prints; errors are the typed ones of `newskg.errors`.
The command line is a thin shell over these functions.

    >>> import newskg
    >>> newskg.build("path/to/project")                       # doctest: +SKIP
    >>> run = newskg.run_query("evidence-for-entity", project="path/to/project",
    ...                        params={"entity": "nkr:DGFI"})  # doctest: +SKIP
    >>> [row["quote"].value for row in run.result.rows]       # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from newskg.errors import UsageError
from newskg.namespaces import LEVELS
from newskg.project import Project

if TYPE_CHECKING:
    from newskg.authoring import AnchorSnippet, NewReport
    from newskg.build import BuildResult
    from newskg.diff import BuildDiff
    from newskg.errors import Problem
    from newskg.explain import ClashReport, Explanation
    from newskg.ontology_docs import Description
    from newskg.query.catalog import SavedQuery
    from newskg.query.engines import Engine
    from newskg.query.results import Result
    from newskg.store.endpoints import Endpoints
    from newskg.store.http import HttpRequest
    from newskg.store.loader import LoadReport

PathLike = str | Path
#: The level a query runs at unless told otherwise: the safest, nothing resting on a hedge.
DEFAULT_LEVEL = LEVELS[0]
Progress = Callable[[str], None]


def _project(project: PathLike | Project) -> Project:
    return project if isinstance(project, Project) else Project.at(project)


# --- build side ---------------------------------------------------------------------------------


def build(project: PathLike | Project = ".", *, force: bool = False, reasoner: str = "rules",
          progress: Progress | None = None, build_dir: PathLike | None = None,
          shacl: str = "sparql", full: bool = False) -> BuildResult:
    """Parse, check and reason over the sources and write the build folder atomically.

    Skipped when nothing changed since the last build (unless ``force``). ``full``: reason
    from scratch even where the last build's reasoning could be extended. Raises
    RdfSyntaxError, ValidationError or InconsistencyError; the previous build is then intact.
    """
    from newskg.build import build_project

    return build_project(_project(project), force=force, reasoner=reasoner, progress=progress,
                         build_dir=Path(build_dir) if build_dir else None, shacl=shacl, full=full)


def check(project: PathLike | Project = ".", *, progress: Progress | None = None,
          shacl: str = "sparql") -> list[Problem]:
    """Every problem the build would find (all of them, not only the first kind).

    ``shacl``: the SHACL validator, "sparql" (compiled to SPARQL) or "pyshacl" (the reference).
    """
    from newskg.build import check_project

    return check_project(_project(project), progress=progress, shacl=shacl)


def explain(subject: str, predicate: str, obj: str, *,
            project: PathLike | Project = ".") -> Explanation | ClashReport:
    """Why the triple holds: the OWL-RL rule and premises down to asserted triples and files.

    Works from the sources, so also when the build failed or is stale (the answer then carries
    a note). ``X rdf:type owl:Nothing`` explains the clashes X is in.
    """
    from newskg.explain import explain_from_build

    proj = _project(project)
    return explain_from_build(proj.root, proj.build_dir, subject, predicate, obj)


def explain_clashes(project: PathLike | Project = ".") -> ClashReport:
    """Every inconsistency of the sources, at the level where it appears, with the derivation of
    each side (x a A, x a B) and the axiom that makes them clash."""
    from newskg.explain import explain_clashes as explain_all

    proj = _project(project)
    return explain_all(proj.root, proj.build_dir)


def stats(project: PathLike | Project = ".") -> dict:
    """Figures of the build: triples per graph, classes, individuals, claims by status and source kind."""
    from newskg.query.stats import build_stats

    return build_stats(_project(project).build_dir)


# --- queries ------------------------------------------------------------------------------------


def reports(project: PathLike | Project = ".") -> list[str]:
    """The slugs of the build's reports: the values a ``report`` query parameter takes (or
    ``nkr:<slug>/article``). BuildMissingError without a build."""
    return _project(project).build().report_slugs()


def list_queries(project: PathLike | Project = ".") -> list[SavedQuery]:
    """The saved queries of the project, sorted by name."""
    from newskg.query.catalog import list_saved_queries

    return list_saved_queries(_project(project).queries_dir)


def find_query(name_or_path: str, *, project: PathLike | Project = ".") -> SavedQuery:
    """A saved query by name, or a ``.rq`` file by path; QueryNotFoundError suggests close names."""
    from newskg.query.catalog import find_saved_query

    return find_saved_query(_project(project).queries_dir, name_or_path)


@dataclass
class PreparedQuery:
    """A saved query with its parameters bound: the exact text an engine receives, and the
    graphs that make up its default graph (those of its status level)."""

    query: SavedQuery
    text: str
    graphs: list[str]
    level: str

    @property
    def form(self) -> str:
        return self.query.form


@dataclass
class QueryRun:
    """One query run: what was sent and what came back (None after an update)."""

    prepared: PreparedQuery
    result: Result | None


def prepare_query(name_or_path: str, *, project: PathLike | Project = ".",
                  params: Mapping[str, str] | None = None, limit: int | None = None,
                  level: str = DEFAULT_LEVEL, default_graphs: list[str] | None = None,
                  allow_update: bool = False) -> PreparedQuery:
    """Find the query, check its syntax, bind its parameters as RDF terms and choose its graphs.

    ``level`` (confirmed, reported, assessed) chooses how sure the answer must be: the
    default graph holds only facts and inferences at or above it (docs/status-levels.md);
    ``default_graphs`` names the graphs instead (for a store loaded by other means).
    Raises QueryNotFoundError, QuerySyntaxError, ParameterError, UsageError for an unknown
    level or for an update unless ``allow_update``, BuildMissingError without a build.
    """
    proj = _project(project)
    return _prepare(find_query(name_or_path, project=proj), proj, params, limit, level, default_graphs,
                    allow_update)


def open_engine(project: PathLike | Project = ".", *, engine: str = "embedded",
                endpoint: str | Endpoints | None = None, preset: str | None = None,
                default_graphs: list[str] | None = None, timeout: float = 60.0) -> Engine:
    """The engine to run queries on: the build on ``engine``, or the store at ``endpoint``.

    ``endpoint`` is the store's base URL with ``preset`` (oxigraph, fuseki, graphdb,
    virtuoso), its query endpoint URL with the generic preset, or a resolved
    ``newskg.store.endpoints.Endpoints``. Credentials come from NEWSKG_USER /
    NEWSKG_PASSWORD or netrc, as for `newskg load`.
    """
    from newskg.query.engines import open_engine as open_named_engine

    return open_named_engine(_project(project).build_dir, engine, endpoint, default_graphs, timeout, preset)


def execute(prepared: PreparedQuery, engine: Engine) -> QueryRun:
    """Run a prepared query on an engine."""
    if prepared.form == "UPDATE":
        engine.update(prepared.text)
        return QueryRun(prepared, None)
    return QueryRun(prepared, engine.query(prepared.text, prepared.form, prepared.graphs))


def run_query(name_or_path: str, *, project: PathLike | Project = ".",
              params: Mapping[str, str] | None = None, limit: int | None = None,
              level: str = DEFAULT_LEVEL, engine: str = "embedded",
              endpoint: str | Endpoints | None = None, preset: str | None = None,
              default_graphs: list[str] | None = None, timeout: float = 60.0,
              allow_update: bool = False) -> QueryRun:
    """Run a saved query (by name or ``.rq`` path) at a status level, on the build or a store
    (see `open_engine`)."""
    prepared = prepare_query(name_or_path, project=project, params=params, limit=limit, level=level,
                             default_graphs=default_graphs, allow_update=allow_update)
    runner = open_engine(project, engine=engine, endpoint=endpoint, preset=preset,
                         default_graphs=default_graphs, timeout=timeout)
    return execute(prepared, runner)


@dataclass
class CatalogRun:
    """One saved query of `run_all`: its result, or why it was skipped."""

    query: SavedQuery
    result: Result | None
    skipped: str | None = None


def run_all(project: PathLike | Project = ".", *, level: str = DEFAULT_LEVEL,
            engine: str = "embedded") -> list[CatalogRun]:
    """Every saved query with its default parameters at ``level``; updates and queries needing
    a value are skipped."""
    from newskg.query.catalog import check_query_syntax, prepare_query_text

    proj = _project(project)
    build_ = proj.build()
    runner = open_engine(proj, engine=engine)
    runs = []
    for saved in list_queries(proj):
        if saved.form == "UPDATE":
            runs.append(CatalogRun(saved, None, "an update"))
            continue
        required = [p.name for p in saved.params if p.required]
        if required:
            runs.append(CatalogRun(saved, None, "needs " + ", ".join(required)))
            continue
        check_query_syntax(saved)
        runs.append(CatalogRun(saved, runner.query(prepare_query_text(saved, {}), saved.form,
                                                   saved.default_graphs(build_, level))))
    return runs


# --- loading into a store -----------------------------------------------------------------------


@dataclass
class LoadRun:
    """One `load`: what it did (or, in a dry run, would do), and who it logs in as."""

    report: LoadReport
    #: the requests a dry run would send (None when they were sent)
    planned: list[HttpRequest] | None
    #: the user and where each credential comes from, per URL; never a password
    login: list[str]


def load(endpoint: str | Endpoints, *, project: PathLike | Project = ".", preset: str | None = None,
         graphs: list[str] | None = None, include_inferred: bool = True, graph_prefix: str | None = None,
         timeout: float = 60.0, retries: int = 3, batch_bytes: int | None = None, direct: bool = False,
         dry_run: bool = False, build_dir: PathLike | None = None,
         on_bytes: Callable[[int], None] | None = None) -> LoadRun:
    """Replace the build's named graphs in a triple store, each graph whole, then check counts.

    ``endpoint`` is the store's base URL with ``preset`` (or a query endpoint with the generic
    preset), or resolved ``Endpoints``. ``graphs`` names some graphs (file stem, role or IRI).
    Loading twice leaves the store as loading once; other graphs are never touched. Raises
    LoadError or EndpointError naming the graph and what the store answered.
    """
    from newskg.store.auth import Login
    from newskg.store.endpoints import resolve_endpoints
    from newskg.store.http import DryRunTransport, HttpTransport
    from newskg.store.loader import DEFAULT_BATCH_BYTES, load_graphs, select_graphs

    endpoints = resolve_endpoints(endpoint, preset) if isinstance(endpoint, str) else endpoint
    build_ = _project(project).build(build_dir)
    chosen = select_graphs(build_.graphs(), graphs, include_inferred=include_inferred)
    login = Login.for_endpoints(endpoints)
    transport = DryRunTransport(login) if dry_run else HttpTransport(timeout=timeout, retries=retries, login=login)
    with transport:
        report = load_graphs(chosen, endpoints, transport, graph_prefix=graph_prefix,
                             batch_bytes=batch_bytes or DEFAULT_BATCH_BYTES, direct=direct, on_bytes=on_bytes,
                             build=build_)
    planned = transport.requests if isinstance(transport, DryRunTransport) else None
    return LoadRun(report, planned, list(login.describe(endpoints.urls())))


def load_size(*, project: PathLike | Project = ".", graphs: list[str] | None = None,
              include_inferred: bool = True, build_dir: PathLike | None = None) -> int:
    """Bytes a `load` of these graphs sends (for a progress bar)."""
    from newskg.store.loader import select_graphs

    chosen = select_graphs(_project(project).build(build_dir).graphs(), graphs, include_inferred=include_inferred)
    return sum(g.path.stat().st_size for g in chosen)


# --- comparing builds ---------------------------------------------------------------------------


def diff(old: PathLike | None = None, new: PathLike | None = None, *,
         project: PathLike | Project = ".") -> BuildDiff:
    """What changed from build ``old`` to build ``new``: triples added and removed per named graph.

    ``new`` defaults to the project's build/, ``old`` to the build it replaced (build.prev/,
    kept by every build that replaces another). Raises UsageError when a folder is not a
    build or the two have different formats, BuildMissingError when one is damaged.
    """
    from newskg.diff import diff_builds

    current = _project(project).build()
    if old is None and not current.previous.dir.exists():
        raise UsageError(f"no previous build to compare with: {current.previous.dir} is kept when a build "
                         "replaces another (build, change the sources, build again), or name two build folders")
    return diff_builds(Path(old) if old is not None else current.previous.dir,
                       Path(new) if new is not None else current.dir)


# --- ad-hoc queries -----------------------------------------------------------------------------


def prepare_text_query(text: str, *, source: str = "<--query>", project: PathLike | Project = ".",
                       params: Mapping[str, str] | None = None, limit: int | None = None,
                       level: str = DEFAULT_LEVEL, default_graphs: list[str] | None = None,
                       allow_update: bool = False) -> PreparedQuery:
    """`prepare_query` for query text given directly (``query run -``, ``--query``).

    The text is read as a saved query would be (project prefixes added, a ``#+`` header's
    parameters bound); ``source`` names it in messages. Empty text is a UsageError.
    """
    from newskg.query.catalog import text_query

    return _prepare(text_query(text, source), _project(project), params, limit, level, default_graphs,
                    allow_update)


def run_text_query(text: str, *, project: PathLike | Project = ".", params: Mapping[str, str] | None = None,
                   limit: int | None = None, level: str = DEFAULT_LEVEL, engine: str = "embedded",
                   endpoint: str | Endpoints | None = None, preset: str | None = None,
                   default_graphs: list[str] | None = None, timeout: float = 60.0) -> QueryRun:
    """Run query text (not a saved query) at a status level, on the build or a store, as `run_query`."""
    prepared = prepare_text_query(text, project=project, params=params, limit=limit, level=level,
                                  default_graphs=default_graphs)
    runner = open_engine(project, engine=engine, endpoint=endpoint, preset=preset,
                         default_graphs=default_graphs, timeout=timeout)
    return execute(prepared, runner)


def _prepare(saved: SavedQuery, proj: Project, params: Mapping[str, str] | None, limit: int | None,
             level: str, default_graphs: list[str] | None, allow_update: bool) -> PreparedQuery:
    """Check a query's syntax, bind its parameters as RDF terms and choose its graphs."""
    from newskg.query.catalog import check_query_syntax, prepare_query_text

    if saved.form == "UPDATE" and not allow_update:
        raise UsageError(f"{saved.path} is a SPARQL update; queries modify nothing here "
                         "(pass --allow-update to run it anyway)")
    check_query_syntax(saved)
    build_ = proj.build()
    given = dict(params or {})
    # A report parameter's value must name a report of the build; with the graphs named instead (a
    # store loaded by other means) and no build here, only the form of its value can be checked.
    # Without a value (an optional one unbound) there is nothing to check, so the build's list of
    # reports, a thousand names on a large corpus, is not read.
    valued = [p for p in saved.params if p.type == "report" and not (p.optional and not given.get(p.name, "").strip())]
    reports = (build_.report_slugs() if valued and (not default_graphs or build_.manifest_or_none()) else None)
    text = prepare_query_text(saved, given, limit, reports)
    graphs = list(default_graphs) if default_graphs else saved.default_graphs(build_, level)
    return PreparedQuery(saved, text, graphs, level)


# --- ontology documentation ---------------------------------------------------------------------


def describe(term: str, *, project: PathLike | Project = ".") -> Description:
    """One ontology term (CURIE, IRI, or an nkg: name): label, definition, CAMEO code, super and
    sub terms, domain and range, and how much the build uses it at each level (when there is a
    build). An unknown term is a UsageError suggesting close ones."""
    from newskg.ontology_docs import Description, read_ontology

    proj = _project(project)
    build_ = proj.build()
    ontology = read_ontology(proj, build_ if build_.manifest_or_none() else None)
    return Description(ontology.find(term), ontology)


def ontology_docs(project: PathLike | Project = ".", *, build_dir: PathLike | None = None) -> dict[str, str]:
    """The generated ontology documentation, {path relative to the project: text}: docs/ontology.md
    (Markdown with Mermaid diagrams) and docs/ontology.html. Usage counts come from the build
    (``build_dir`` or build/), which must exist: BuildMissingError otherwise."""
    from newskg.ontology_docs import generate_docs

    proj = _project(project)
    build_ = proj.build(build_dir)
    build_.manifest()
    return generate_docs(proj, build_)


# --- authoring: adding a report -----------------------------------------------------------------


def new_report(slug: str, source: PathLike, *, project: PathLike | Project = ".", text: bytes | None = None,
               title: str | None = None, authors: list[str] | tuple[str, ...] = (),
               publisher: str | None = None, date: str | None = None, url: str | None = None,
               start_at: str | None = None, end_before: str | None = None) -> NewReport:
    """Create ``graph/<slug>/``: the stored text (normalised), ``document.ttl`` and empty, commented
    encoding files the build reads; the report builds as it is.

    ``start_at`` / ``end_before`` cut the page's chrome at the first line reading so (the first
    report's text starts at its headline and ends before "Most Popular"). Raises UsageError for an
    unsafe or existing slug or unreadable input (nothing is written then), InputMissingError
    without a graph/ folder.
    """
    from newskg.authoring import new_report as create

    return create(_project(project), slug, source, text=text, title=title, authors=authors,
                  publisher=publisher, date_value=date, url=url, start_at=start_at, end_before=end_before)


def anchor(slug: str, quotes: list[str], *, project: PathLike | Project = ".", claims: list[str] | None = None,
           anchor_name: str | None = None, occurrence: int | None = None,
           prefixes: bool = True) -> AnchorSnippet:
    """Locate quotes in a report's stored text; their anchors as Turtle, ready to paste.

    Raises UsageError naming every quote that is absent (with the nearest words the text has),
    ambiguous (with its offsets, unless ``occurrence`` picks one) or empty.
    """
    from newskg.authoring import anchor_quotes

    return anchor_quotes(_project(project), slug, quotes, claims=claims, anchor=anchor_name,
                         occurrence=occurrence, prefixes=prefixes)

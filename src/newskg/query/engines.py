"""Three query engines behind one small interface, all answering in the same result types.

- ``embedded`` (default): a pyoxigraph in-memory Store loaded from ``build/dataset.nq``.
  Chosen for start-up time: importing pyoxigraph and loading the build takes a few
  milliseconds, where rdflib's import alone takes ~0.15 s and its SPARQL engine more.
- ``rdflib``: an rdflib Dataset over the same file; the reference for comparison.
- ``endpoint``: SPARQLWrapper against any SPARQL 1.1 endpoint. The dataset is set through
  the protocol (one ``default-graph-uri`` per graph), so saved queries need no GRAPH clauses.

The caller names the graphs that make up the default graph (the graphs of a status level,
docs/status-levels.md; `newskg.project.Build.default_graphs`); without a list a local engine
reads the union of every graph. Heavy libraries are imported inside the engine that needs
them, never at import time.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from newskg.errors import BuildMissingError, NewskgError, QuerySyntaxError
from newskg.project import BUILD_HINT, Build
from newskg.query.results import AskResult, GraphResult, Result, SelectResult, Term, term_from_oxigraph

if TYPE_CHECKING:
    from rdflib import Graph

    from newskg.store.endpoints import Endpoints


class Engine(Protocol):
    """What every engine offers: run a query (or, if allowed, an update) over one dataset."""

    name: str

    def query(self, text: str, form: str, graphs: Sequence[str] | None = None) -> Result:
        """Run query ``text`` of ``form`` with ``graphs`` as its default graph (None: the engine's default)."""

    def update(self, text: str) -> None:
        """Run a SPARQL update (only reached when the user explicitly allowed updates)."""


# --- embedded: pyoxigraph ---------------------------------------------------------------------


class EmbeddedEngine:
    """pyoxigraph over the build's persistent store, opened read-only (see `Build.open_store`)."""

    name = "embedded"

    def __init__(self, build_dir: Path):
        self._store = Build(Path(build_dir)).open_store()

    @classmethod
    def from_store(cls, store) -> EmbeddedEngine:
        """An engine over an existing pyoxigraph Store (for callers that already hold one)."""
        engine = cls.__new__(cls)
        engine._store = store
        return engine

    def query(self, text: str, form: str, graphs: Sequence[str] | None = None) -> Result:
        import pyoxigraph

        options: dict = ({"default_graph": [pyoxigraph.NamedNode(g) for g in graphs]} if graphs is not None
                         else {"use_default_graph_as_union": True})
        try:
            answer = self._store.query(text, **options)
        except SyntaxError as err:
            raise QuerySyntaxError(f"query does not parse: {err}") from None
        if isinstance(answer, pyoxigraph.QueryBoolean):
            return AskResult(bool(answer))
        if isinstance(answer, pyoxigraph.QuerySolutions):
            names = [v.value for v in answer.variables]
            rows = []
            for solution in answer:
                row = {}
                for name in names:
                    value = solution[name]
                    if value is not None:
                        row[name] = term_from_oxigraph(value)
                rows.append(row)
            return SelectResult(names, rows)
        return GraphResult([(term_from_oxigraph(tr.subject), term_from_oxigraph(tr.predicate),
                             term_from_oxigraph(tr.object)) for tr in answer])

    def update(self, text: str) -> None:
        try:
            self._store.update(text)
        except SyntaxError as err:
            raise QuerySyntaxError(f"update does not parse: {err}") from None


# --- rdflib -----------------------------------------------------------------------------------


def _from_rdflib(term) -> Term:
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return Term("uri", str(term))
    if isinstance(term, BNode):
        return Term("bnode", str(term))
    if isinstance(term, Literal):
        return Term.literal(str(term), str(term.datatype) if term.datatype else None, term.language)
    raise NewskgError(f"unsupported term in a result: {term!r}")


class RdflibEngine:
    """An rdflib Dataset over ``build/dataset.nq``, its default graph the union of all graphs."""

    name = "rdflib"

    def __init__(self, build_dir: Path):
        from rdflib import Dataset

        path = Build(Path(build_dir)).dataset()
        self._dataset = Dataset(default_union=True)
        self._unions: dict[frozenset[str], Graph] = {}
        try:
            self._dataset.parse(str(path), format="nquads")
        except Exception as err:  # rdflib raises several unrelated parser exceptions
            raise BuildMissingError(f"{path} does not parse ({err}): run `newskg build --force`") from None

    def query(self, text: str, form: str, graphs: Sequence[str] | None = None) -> Result:
        from pyparsing import ParseException

        target: Graph = self._dataset if graphs is None else self._union(graphs)
        try:
            answer = target.query(text)
        except ParseException as err:
            raise QuerySyntaxError(f"query does not parse (rdflib): {err}") from None
        if answer.type == "ASK":
            return AskResult(bool(answer.askAnswer))
        if answer.type == "SELECT":
            names = [str(v) for v in answer.vars or []]
            rows = []
            for solution in answer:
                assert isinstance(solution, tuple)  # a SELECT answers rows
                rows.append({n: _from_rdflib(v) for n, v in zip(names, solution, strict=False) if v is not None})
            return SelectResult(names, rows)
        assert answer.graph is not None  # CONSTRUCT and DESCRIBE answer a graph
        return GraphResult([(_from_rdflib(s), _from_rdflib(p), _from_rdflib(o)) for s, p, o in answer.graph])

    def _union(self, graphs: Sequence[str]) -> Graph:
        """The chosen graphs copied into one: rdflib has no dataset-with-chosen-default-graph.

        Copying costs more than most queries, so each choice is copied once per engine (a test
        module or `newskg serve` asks many queries of one engine, over a few choices of graphs).
        """
        from rdflib import Graph, URIRef

        key = frozenset(graphs)
        if key not in self._unions:
            union = Graph()
            for iri in key:
                for triple in self._dataset.graph(URIRef(iri)):
                    union.add(triple)
            self._unions[key] = union
        return self._unions[key]

    def update(self, text: str) -> None:
        self._dataset.update(text)
        self._unions.clear()  # the copies no longer match the dataset


ENGINE_NAMES = ("embedded", "rdflib")


def open_engine(
    build_dir: Path,
    engine: str = "embedded",
    endpoint: str | Endpoints | None = None,
    default_graphs: list[str] | None = None,
    timeout: float = 60.0,
    preset: str | None = None,
) -> Engine:
    """The engine a command asked for: ``endpoint`` wins over the local ``engine`` name.

    ``endpoint`` is a resolved store (``newskg.store.endpoints.Endpoints``) or a URL:
    the store's base URL with ``preset``, or its query endpoint with the generic preset.
    For an endpoint, the dataset is ``default_graphs`` or else every graph of the build manifest.
    """
    if endpoint:
        from newskg.store.endpoints import resolve_endpoints
        from newskg.store.sparql import EndpointEngine

        store = resolve_endpoints(endpoint, preset) if isinstance(endpoint, str) else endpoint
        hint = f"{BUILD_HINT}, or name the graphs with --default-graph"
        graphs = list(default_graphs) if default_graphs else Build(Path(build_dir)).graph_iris(hint)
        return EndpointEngine(store, graphs, timeout=timeout)
    if engine == "embedded":
        return EmbeddedEngine(build_dir)
    if engine == "rdflib":
        return RdflibEngine(build_dir)
    raise NewskgError(f"unknown engine {engine!r}; engines: {', '.join(ENGINE_NAMES)} or --endpoint URL")

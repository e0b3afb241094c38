"""Three query engines behind one small interface, all answering in the same result types.

- ``embedded`` (default): a pyoxigraph in-memory Store loaded from ``build/dataset.nq``.
  Chosen for start-up time: importing pyoxigraph and loading the build takes a few
  milliseconds, where rdflib's import alone takes ~0.15 s and its SPARQL engine more.
- ``rdflib``: an rdflib Dataset over the same file; the reference for comparison.
- ``endpoint``: any SPARQL 1.1 endpoint, over the HTTP transport of `newskg load`
  (``newskg.store.sparql``). The dataset is set through the protocol (one
  ``default-graph-uri`` per graph), so saved queries need no GRAPH clauses.

The caller names the graphs that make up the default graph (the graphs of a status level,
docs/status-levels.md; `newskg.project.Build.default_graphs`); without a list a local engine
reads the union of every graph. Heavy libraries are imported inside the engine that needs
them, never at import time.

Every engine builds its answer up to NEWSKG_MAX_RESPONSE_BYTES (``newskg.limits``) and
stops with a message beyond it, so a query that matches far more than meant (a cross
product, a whole large build) ends in an error a user can act on, not in swap.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, Protocol

from newskg.errors import BuildMissingError, NewskgError, QuerySyntaxError
from newskg.limits import describe, max_literal_bytes, max_response_bytes
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
    """pyoxigraph over the build's persistent store, opened read-only (see `Build.open_store`).

    A query's graphs are read through the store's level view where it has one
    (`newskg.views`): the default graph of a level becomes a handful of graphs instead of one
    a report, with the same triples.
    """

    name = "embedded"

    def __init__(self, build_dir: Path):
        build = Build(Path(build_dir))
        self._store, self._view = build.open_view()
        self._in_memory = not build.store_path.is_dir()

    @classmethod
    def from_store(cls, store) -> EmbeddedEngine:
        """An engine over an existing pyoxigraph Store (for callers that already hold one); it
        reads the graphs a query names, as they are (no view)."""
        engine = cls.__new__(cls)
        engine._store, engine._view, engine._in_memory = store, None, True
        return engine

    def _dataset(self, graphs: Sequence[str] | None) -> dict:
        """The query options that make ``graphs`` (None: every graph) the default graph."""
        import pyoxigraph

        if self._view is None:
            return ({"default_graph": [pyoxigraph.NamedNode(g) for g in graphs]} if graphs is not None
                    else {"use_default_graph_as_union": True})
        if graphs is None:
            # The union of every graph, each triple once per graph holding it, as before there
            # was a view: Oxigraph's own union would add the view's copy of the graphs it merges.
            return {"default_graph": list(self._store.named_graphs())}
        return {"default_graph": [pyoxigraph.DefaultGraph() if g is None else pyoxigraph.NamedNode(g)
                                  for g in self._view.dataset(graphs)]}

    def query(self, text: str, form: str, graphs: Sequence[str] | None = None) -> Result:
        import pyoxigraph

        try:
            answer = self._store.query(text, **self._dataset(graphs))
        except SyntaxError as err:
            raise QuerySyntaxError(f"query does not parse: {err}") from None
        if isinstance(answer, pyoxigraph.QueryBoolean):
            return AskResult(bool(answer))
        budget = _Budget()
        if isinstance(answer, pyoxigraph.QuerySolutions):
            names = [v.value for v in answer.variables]
            rows = []
            # Each distinct term converted once: rows repeat the same claims, reports and
            # statuses (a 429-row entity query at 1M holds 979 distinct terms in 3,432 cells),
            # and a Term is immutable, so rows can share it. Kept with its cost to the budget,
            # which every cell is charged, as `_Budget.take` charges it.
            converted: dict = {}
            left = budget.left
            for solution in answer:
                row = {}
                for name, value in zip(names, solution, strict=True):
                    if value is not None:
                        known = converted.get(value)
                        if known is None:
                            term = term_from_oxigraph(value)
                            known = converted[value] = (term, _Budget.cost(term))
                        left -= known[1]
                        if left < 0:
                            budget.exceeded()
                        row[name] = known[0]
                rows.append(row)
            return SelectResult(names, rows)
        return GraphResult([(budget.take(term_from_oxigraph(tr.subject)), budget.take(term_from_oxigraph(tr.predicate)),
                             budget.take(term_from_oxigraph(tr.object))) for tr in answer])

    def update(self, text: str) -> None:
        import pyoxigraph

        if self._view is not None and self._in_memory:
            # An update may change the graphs the view copies, or write into the default graph
            # itself: drop the view first, so the store is what it was before views existed and
            # later queries read the graphs themselves.
            self._store.clear_graph(pyoxigraph.DefaultGraph())
            self._view = None
        try:
            self._store.update(text)
        except SyntaxError as err:
            raise QuerySyntaxError(f"update does not parse: {err}") from None


class _Budget:
    """Counts the characters of an answer's terms; an error past NEWSKG_MAX_RESPONSE_BYTES."""

    def __init__(self) -> None:
        self.left = max_response_bytes()

    @staticmethod
    def cost(term: Term) -> int:
        """What one term of an answer counts: its text, and an overhead, so that many tiny ones count too."""
        return len(term.value) + 16

    def take(self, term: Term) -> Term:
        self.left -= self.cost(term)
        if self.left < 0:
            self.exceeded()
        return term

    @staticmethod
    def exceeded() -> NoReturn:
        raise NewskgError(f"the answer is larger than {describe(max_response_bytes())}, the limit for one "
                          "answer (NEWSKG_MAX_RESPONSE_BYTES); ask for less (--limit) or raise the limit")


# --- rdflib -----------------------------------------------------------------------------------

#: A \u or \U code point escape whose backslash is not itself escaped (preceded by an even
#: number of backslashes).
@functools.cache
def _codepoint() -> re.Pattern:
    # Compiled on first use: only the rdflib engine needs it, and `query run` imports this module.
    return re.compile(r"(?<!\\)((?:\\\\)*)\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8}))")


def expand_codepoints(text: str) -> str:
    """SPARQL text with its \\uXXXX and \\UXXXXXXXX escapes replaced by their characters, except
    where the backslash is itself escaped: ``"\\\\u0041"`` is a backslash and ``u0041``, as
    pyoxigraph and the stores read it. rdflib expands every ``\\u`` first, so a string
    parameter holding ``\\u0041`` (bound as ``"\\\\u0041"``) reached its parser as ``"\\A"``."""
    def expand(match: re.Match) -> str:
        code = int(match.group(2) or match.group(3), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise QuerySyntaxError(f"query does not parse: {match.group(0)[len(match.group(1)):]} is not a "
                                   "Unicode character")
        return match.group(1) + chr(code)

    return _codepoint().sub(expand, text)


def _rdflib_query(text: str):
    """rdflib's parse of a query, with code point escapes expanded as other SPARQL engines do."""
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import Query

    return translateQuery(Query.parse_string(expand_codepoints(text), parse_all=True))


def _rdflib_update(text: str):
    from rdflib.plugins.sparql.algebra import translateUpdate
    from rdflib.plugins.sparql.parser import UpdateUnit

    return translateUpdate(UpdateUnit.parse_string(expand_codepoints(text), parse_all=True)[0])


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
        _refuse_long_lines(path, max_literal_bytes() + 64 * 1024)
        self._dataset = Dataset(default_union=True)
        self._unions: dict[frozenset[str], Graph] = {}
        try:
            self._dataset.parse(str(path), format="nquads")
        except Exception as err:  # rdflib raises several unrelated parser exceptions
            raise BuildMissingError(f"{path} does not parse ({err}): run `newskg build --force`") from None

    @classmethod
    def from_dataset(cls, dataset) -> RdflibEngine:
        """An engine over an existing rdflib Dataset (for callers that already hold one)."""
        engine = cls.__new__(cls)
        engine._dataset = dataset
        engine._unions = {}
        return engine

    def query(self, text: str, form: str, graphs: Sequence[str] | None = None) -> Result:
        from pyparsing import ParseException

        target: Graph = self._dataset if graphs is None else self._union(graphs)
        try:
            answer = target.query(_rdflib_query(text))
        except ParseException as err:
            raise QuerySyntaxError(f"query does not parse (rdflib): {err}") from None
        if answer.type == "ASK":
            return AskResult(bool(answer.askAnswer))
        budget = _Budget()
        if answer.type == "SELECT":
            names = [str(v) for v in answer.vars or []]
            rows = []
            for solution in answer:
                assert isinstance(solution, tuple)  # a SELECT answers rows
                rows.append({n: budget.take(_from_rdflib(v))
                             for n, v in zip(names, solution, strict=False) if v is not None})
            return SelectResult(names, rows)
        assert answer.graph is not None  # CONSTRUCT and DESCRIBE answer a graph
        return GraphResult([(budget.take(_from_rdflib(s)), budget.take(_from_rdflib(p)), budget.take(_from_rdflib(o)))
                            for s, p, o in answer.graph])

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
        from pyparsing import ParseException

        try:
            self._dataset.update(_rdflib_update(text))
        except ParseException as err:
            raise QuerySyntaxError(f"update does not parse (rdflib): {err}") from None
        self._unions.clear()  # the copies no longer match the dataset


def _refuse_long_lines(path: Path, cap: int) -> None:
    """BuildMissingError when a line of ``path`` is longer than ``cap`` bytes: a literal over the
    limit in a build made before builds refused them, which rdflib would take minutes to read."""
    with open(path, "rb") as handle:
        for number, line in enumerate(_lines(handle, cap), start=1):
            if line is None:
                raise BuildMissingError(f"{path}:{number}: a line longer than {describe(cap)} (a literal over "
                                        "NEWSKG_MAX_LITERAL_BYTES); run `newskg build --force`, which refuses "
                                        "such literals, naming the file")


def _lines(handle, cap: int) -> Iterable[bytes | None]:
    """The lines of a binary file, each read at most ``cap`` bytes at a time; None for a longer one."""
    while True:
        line = handle.readline(cap + 1)
        if not line:
            return
        if len(line) > cap and not line.endswith(b"\n"):
            yield None
            return
        yield line


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

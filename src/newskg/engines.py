"""Three query engines behind one small interface, all answering in the same result types.

- ``embedded`` (default): a pyoxigraph in-memory Store loaded from ``build/dataset.nq``.
  Chosen for start-up time: importing pyoxigraph and loading the build takes a few
  milliseconds, where rdflib's import alone takes ~0.15 s and its SPARQL engine more.
- ``rdflib``: an rdflib Dataset over the same file; the reference for comparison.
- ``endpoint``: SPARQLWrapper against any SPARQL 1.1 endpoint. The dataset is set through
  the protocol (one ``default-graph-uri`` per graph), so saved queries need no GRAPH clauses.

Every engine sees the union of the build's graphs as its default graph, or exactly one
graph when a query asks for it (``#+ graph: inferred``). Heavy libraries are imported
inside the engine that needs them, never at import time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from newskg.errors import BuildMissingError, EndpointError, NewskgError, QuerySyntaxError
from newskg.namespaces import PREFIXES

_XSD_STRING = PREFIXES["xsd"] + "string"
_RDF_LANGSTRING = PREFIXES["rdf"] + "langString"


@dataclass(frozen=True)
class Term:
    """An RDF term as the SPARQL results formats see it: kind uri | literal | bnode.

    Literals keep a datatype only when it is not xsd:string, and a language tag when
    they have one, so the same literal compares equal whichever engine produced it.
    """

    kind: str
    value: str
    datatype: str | None = None
    lang: str | None = None

    @staticmethod
    def literal(value: str, datatype: str | None = None, lang: str | None = None) -> "Term":
        """A literal with its datatype normalised (xsd:string and rdf:langString dropped)."""
        if lang:
            return Term("literal", value, None, lang.lower())
        if datatype in (_XSD_STRING, _RDF_LANGSTRING):
            datatype = None
        return Term("literal", value, datatype, None)


@dataclass
class SelectResult:
    """Rows of a SELECT: variable names and one dict (name -> Term, unbound names absent) a row."""

    variables: list[str]
    rows: list[dict[str, Term]]


@dataclass
class AskResult:
    """The answer of an ASK query."""

    value: bool


@dataclass
class GraphResult:
    """The triples of a CONSTRUCT or DESCRIBE query."""

    triples: list[tuple[Term, Term, Term]] = field(default_factory=list)


Result = SelectResult | AskResult | GraphResult


class Engine(Protocol):
    """What every engine offers: run a query (or, if allowed, an update) over one dataset."""

    name: str

    def query(self, text: str, form: str, graph: str | None = None) -> Result:
        """Run query ``text`` of ``form`` over the union of graphs, or only ``graph`` when given."""

    def update(self, text: str) -> None:
        """Run a SPARQL update (only reached when the user explicitly allowed updates)."""


# --- build folder ---------------------------------------------------------------------------


def dataset_path(build_dir: Path) -> Path:
    """``build/dataset.nq``; BuildMissingError if the build has not been made."""
    path = Path(build_dir) / "dataset.nq"
    if not path.is_file():
        raise BuildMissingError(f"{path} is missing: run `newskg build` first")
    return path


def manifest_graphs(build_dir: Path) -> list[str]:
    """The IRIs of the named graphs listed in ``build/manifest.json``."""
    from newskg.manifest import read_manifest

    hint = "run `newskg build` first, or name the graphs with --default-graph"
    try:
        return [str(g["iri"]) for g in read_manifest(build_dir, hint)["graphs"]]
    except (KeyError, TypeError) as err:
        raise BuildMissingError(f"{build_dir}/manifest.json is corrupt (a graph has no {err}); {hint}") from None


# --- embedded: pyoxigraph ---------------------------------------------------------------------


def _from_oxigraph(term) -> Term:
    import pyoxigraph

    if isinstance(term, pyoxigraph.NamedNode):
        return Term("uri", term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return Term("bnode", term.value)
    if isinstance(term, pyoxigraph.Literal):
        return Term.literal(term.value, term.datatype.value, term.language)
    raise NewskgError(f"unsupported term in a result: {term!r}")


class EmbeddedEngine:
    """pyoxigraph in memory, loaded once from ``build/dataset.nq``."""

    name = "embedded"

    def __init__(self, build_dir: Path):
        import pyoxigraph

        path = dataset_path(build_dir)
        self._store = pyoxigraph.Store()
        try:
            self._store.load(path=str(path), format=pyoxigraph.RdfFormat.N_QUADS)
        except SyntaxError as err:
            raise BuildMissingError(f"{path} does not parse ({err}): run `newskg build` again") from None

    @classmethod
    def from_store(cls, store) -> "EmbeddedEngine":
        """An engine over an existing pyoxigraph Store (for callers that already hold one)."""
        engine = cls.__new__(cls)
        engine._store = store
        return engine

    def query(self, text: str, form: str, graph: str | None = None) -> Result:
        import pyoxigraph

        options = {"default_graph": [pyoxigraph.NamedNode(graph)]} if graph else {"use_default_graph_as_union": True}
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
                        row[name] = _from_oxigraph(value)
                rows.append(row)
            return SelectResult(names, rows)
        return GraphResult([tuple(_from_oxigraph(t) for t in (tr.subject, tr.predicate, tr.object)) for tr in answer])

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

        path = dataset_path(build_dir)
        self._dataset = Dataset(default_union=True)
        try:
            self._dataset.parse(str(path), format="nquads")
        except Exception as err:  # rdflib raises several unrelated parser exceptions
            raise BuildMissingError(f"{path} does not parse ({err}): run `newskg build` again") from None

    def query(self, text: str, form: str, graph: str | None = None) -> Result:
        from pyparsing import ParseException
        from rdflib import URIRef

        target = self._dataset.graph(URIRef(graph)) if graph else self._dataset
        try:
            answer = target.query(text)
        except ParseException as err:
            raise QuerySyntaxError(f"query does not parse (rdflib): {err}") from None
        if answer.type == "ASK":
            return AskResult(bool(answer.askAnswer))
        if answer.type == "SELECT":
            names = [str(v) for v in answer.vars]
            rows = []
            for solution in answer:
                rows.append({n: _from_rdflib(v) for n, v in zip(names, solution) if v is not None})
            return SelectResult(names, rows)
        return GraphResult([tuple(_from_rdflib(t) for t in triple) for triple in answer.graph])

    def update(self, text: str) -> None:
        self._dataset.update(text)


# --- remote endpoint --------------------------------------------------------------------------


def _from_json_binding(binding: dict) -> Term:
    kind = binding.get("type")
    if kind == "uri":
        return Term("uri", binding["value"])
    if kind == "bnode":
        return Term("bnode", binding["value"])
    if kind in ("literal", "typed-literal"):
        return Term.literal(binding["value"], binding.get("datatype"), binding.get("xml:lang"))
    raise EndpointError(f"the endpoint answered a binding of unknown type {kind!r}")


class EndpointEngine:
    """Any SPARQL 1.1 endpoint through SPARQLWrapper; the dataset is set through the protocol."""

    name = "endpoint"

    def __init__(self, url: str, default_graphs: list[str], timeout: float = 30.0, update_url: str | None = None):
        self.url = url
        self.update_url = update_url or url
        self.default_graphs = list(default_graphs)
        self.timeout = timeout

    def _wrapper(self, url: str):
        from SPARQLWrapper import SPARQLWrapper

        wrapper = SPARQLWrapper(url)
        wrapper.setTimeout(int(max(1, self.timeout)))
        wrapper.setMethod("POST")
        return wrapper

    def _send(self, wrapper):
        """Send the request; every way it can fail becomes an EndpointError naming the URL."""
        import socket
        import urllib.error

        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        try:
            return wrapper.query()
        except SPARQLWrapperException as err:
            detail = " ".join(str(err).split())
            raise EndpointError(f"the endpoint {wrapper.endpoint} answered with an error: {detail[:500]}") from None
        except urllib.error.HTTPError as err:
            body = err.read().decode("utf-8", "replace").strip()[:500]
            raise EndpointError(f"the endpoint {wrapper.endpoint} answered HTTP {err.code} {err.reason}: {body}") from None
        except urllib.error.URLError as err:
            reason = err.reason
            if isinstance(reason, (TimeoutError, socket.timeout)):
                raise EndpointError(f"the endpoint {wrapper.endpoint} did not answer within {self.timeout:g} s") from None
            raise EndpointError(f"cannot reach the endpoint {wrapper.endpoint}: {reason}") from None
        except (TimeoutError, socket.timeout):
            raise EndpointError(f"the endpoint {wrapper.endpoint} did not answer within {self.timeout:g} s") from None
        except (ConnectionError, OSError) as err:
            raise EndpointError(f"cannot reach the endpoint {wrapper.endpoint}: {err}") from None
        except ValueError as err:  # e.g. a URL with no scheme
            raise EndpointError(f"bad endpoint URL {wrapper.endpoint!r}: {err}") from None

    def query(self, text: str, form: str, graph: str | None = None) -> Result:
        from SPARQLWrapper import JSON, TURTLE

        wrapper = self._wrapper(self.url)
        wrapper.setQuery(text)
        for iri in [graph] if graph else self.default_graphs:
            wrapper.addDefaultGraph(iri)
        if form in ("CONSTRUCT", "DESCRIBE"):
            wrapper.setReturnFormat(TURTLE)
            body = self._read(self._send(wrapper))
            return GraphResult(_parse_turtle(body, self.url))
        wrapper.setReturnFormat(JSON)
        body = self._read(self._send(wrapper))
        try:
            document = json.loads(body)
        except ValueError:
            raise EndpointError(f"the endpoint {self.url} did not answer SPARQL JSON: {body[:200]!r}") from None
        if "boolean" in document:
            return AskResult(bool(document["boolean"]))
        try:
            names = list(document["head"]["vars"])
            rows = [
                {name: _from_json_binding(value) for name, value in binding.items()}
                for binding in document["results"]["bindings"]
            ]
        except (KeyError, TypeError):
            raise EndpointError(f"the endpoint {self.url} answered JSON that is not SPARQL results") from None
        return SelectResult(names, rows)

    def _read(self, response) -> bytes:
        import socket

        try:
            return response.response.read()
        except (TimeoutError, socket.timeout):
            raise EndpointError(f"the endpoint {self.url} did not finish answering within {self.timeout:g} s") from None
        except OSError as err:
            raise EndpointError(f"the connection to {self.url} failed while reading: {err}") from None

    def update(self, text: str) -> None:
        wrapper = self._wrapper(self.update_url)
        wrapper.setQuery(text)
        self._send(wrapper)


def _parse_turtle(body: bytes, url: str) -> list[tuple[Term, Term, Term]]:
    import pyoxigraph

    try:
        triples = pyoxigraph.parse(body, format=pyoxigraph.RdfFormat.TURTLE)
        return [tuple(_from_oxigraph(t) for t in (tr.subject, tr.predicate, tr.object)) for tr in triples]
    except SyntaxError as err:
        raise EndpointError(f"the endpoint {url} answered Turtle that does not parse: {err}") from None


ENGINE_NAMES = ("embedded", "rdflib")


def open_engine(
    build_dir: Path,
    engine: str = "embedded",
    endpoint: str | None = None,
    default_graphs: list[str] | None = None,
    timeout: float = 30.0,
) -> Engine:
    """The engine a command asked for: ``endpoint`` wins over the local ``engine`` name.

    For an endpoint, the dataset is ``default_graphs`` or else every graph of the build manifest.
    """
    if endpoint:
        graphs = list(default_graphs) if default_graphs else manifest_graphs(build_dir)
        return EndpointEngine(endpoint, graphs, timeout=timeout)
    if engine == "embedded":
        return EmbeddedEngine(build_dir)
    if engine == "rdflib":
        return RdflibEngine(build_dir)
    raise NewskgError(f"unknown engine {engine!r}; engines: {', '.join(ENGINE_NAMES)} or --endpoint URL")

"""Saved queries on a remote SPARQL 1.1 endpoint: SPARQLWrapper forms the request, the load's transport sends it.

The store's URLs and how it wants a login come from the same endpoint model as `newskg load`
(``newskg.store.endpoints``); credentials from the same places (``newskg.store.auth``).

SPARQLWrapper writes the SPARQL 1.1 Protocol request: ``query`` or ``update`` form-encoded in a
POST, one ``default-graph-uri`` per graph of the dataset, the Accept header of the result format.
The query form is set by the caller after ``setQuery``, never guessed from the text (its comment
stripper can make a saved query's ``#+`` header read as DESCRIBE). The request is then sent through
``newskg.store.http`` rather than SPARQLWrapper's own urllib call, because urllib's timeout bounds
each socket read, not the request (a store trickling a byte a second held `query run` forever), the
answer is read whole into memory, redirects are followed carrying a Basic header to wherever they
point, and its Digest support installs a process-wide opener holding the password. Through our
transport, queries get what loads have: one deadline for the whole request, an answer read up to a
cap, credentials only for their own host, sent as the preset says, and no redirect followed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from newskg.errors import EndpointError, LoadError
from newskg.limits import max_response_bytes
from newskg.query.results import AskResult, GraphResult, Result, SelectResult, Term, term_from_oxigraph
from newskg.store.auth import Login
from newskg.store.endpoints import Endpoints, resolve_endpoints
from newskg.store.http import HttpRequest, HttpResponse, HttpTransport

RESULTS_JSON = "application/sparql-results+json"
# What a store may answer to SPARQLWrapper's Turtle Accept header (N-Triples is a subset of Turtle).
GRAPH_TYPES = ("text/turtle", "application/turtle", "application/x-turtle", "application/n-triples")


class EndpointEngine:
    """Any SPARQL 1.1 endpoint; the dataset is set through the protocol.

    ``endpoints`` is the resolved store, or a query endpoint URL (the generic preset).
    A query is sent once: `query run` says at once that a store is down.
    """

    name = "endpoint"

    def __init__(self, endpoints: Endpoints | str, default_graphs: list[str], timeout: float = 60.0,
                 login: Login | None = None, transport: HttpTransport | None = None):
        self.endpoints = resolve_endpoints(endpoints) if isinstance(endpoints, str) else endpoints
        self.url = self.endpoints.query
        self.update_url = self.endpoints.update or self.endpoints.query
        self.default_graphs = list(default_graphs)
        self.timeout = timeout
        self.login = login or Login.for_endpoints(self.endpoints)
        self.transport = transport or HttpTransport(timeout=timeout, retries=0, login=self.login,
                                                    noun="the endpoint")

    def query(self, text: str, form: str, graphs: Sequence[str] | None = None) -> Result:
        """Run query ``text`` of ``form`` (SELECT, ASK, CONSTRUCT, DESCRIBE) on the endpoint, with
        ``graphs`` as its dataset's default graphs (None: the engine's ``default_graphs``)."""
        from SPARQLWrapper import JSON, TURTLE

        graph_form = form in ("CONSTRUCT", "DESCRIBE")
        request = protocol_request(self.url, text, form, self.default_graphs if graphs is None else graphs,
                                   TURTLE if graph_form else JSON)
        response = self._post(request, "query")
        if graph_form:
            return GraphResult(_parse_graph(response, self.url))
        return _parse_results(response, self.url)

    def update(self, text: str) -> None:
        """Run a SPARQL update on the update endpoint (only when the user allowed updates)."""
        from SPARQLWrapper import INSERT

        # Any update form makes SPARQLWrapper POST it as `update=` to the update endpoint.
        self._post(protocol_request(self.update_url, text, INSERT, (), None), "update")

    def _post(self, protocol: _ProtocolRequest, purpose: str) -> HttpResponse:
        """Send the request; the answer of a 2xx, every other outcome an EndpointError naming the URL."""
        url = protocol.url
        query = purpose == "query"
        request = HttpRequest(
            "POST", url, protocol.headers, protocol.body, purpose=purpose, repeatable=query,
            answer_limit=max_response_bytes() if query else None,
            outcome="the update may or may not have been applied; check the store before running it again")
        try:
            response = self.transport.send(request)
        except LoadError as err:  # an update whose answer was lost
            raise EndpointError(f"the endpoint {url}: {err}") from None
        if response.ok:
            return response
        if response.status in (401, 403):
            hint = self.login.refusal_hint(url, response.headers.get("www-authenticate"))
            raise EndpointError(f"the endpoint {url} answered {response.status} {response.reason}{hint}")
        if response.status == 404:
            raise EndpointError(f"the endpoint {url} answered 404 Not Found{self._not_found_hint()}")
        if 300 <= response.status < 400:
            raise EndpointError(f"the endpoint {url} redirects to {response.headers.get('location', '?')}: "
                                f"give that URL (credentials are not sent on across a redirect)")
        raise EndpointError(f"the endpoint {url} answered with an error: {response.summary()}")

    def _not_found_hint(self) -> str:
        if self.endpoints.preset == "generic":
            return (": no SPARQL endpoint at this URL. With the generic preset --endpoint is the query "
                    "endpoint itself; for a store's base URL add --preset (oxigraph, fuseki, graphdb, virtuoso)")
        return f": no SPARQL endpoint at this URL; check --endpoint (the {self.endpoints.preset} preset's URLs)"


@dataclass(frozen=True)
class _ProtocolRequest:
    url: str
    headers: dict[str, str]
    body: bytes


def protocol_request(url: str, text: str, form: str, graphs: Sequence[str], result_format: str | None) -> _ProtocolRequest:
    """The SPARQL 1.1 Protocol POST for ``text`` as SPARQLWrapper writes it, with no credentials in it.

    ``form`` is SELECT, ASK, CONSTRUCT, DESCRIBE or an update form; ``graphs`` the dataset's
    default graphs; ``result_format`` SPARQLWrapper's JSON or TURTLE (None for an update).
    """
    from SPARQLWrapper import POST, SPARQLWrapper

    wrapper = SPARQLWrapper(url, updateEndpoint=url)
    wrapper.setMethod(POST)
    wrapper.setQuery(text)
    wrapper.queryType = form  # after setQuery, which guesses it from the text (see the module docstring)
    for iri in graphs:
        wrapper.addDefaultGraph(iri)
    if result_format is not None:
        wrapper.setReturnFormat(result_format)
    # _createRequest is the one place SPARQLWrapper writes the protocol; no user or password was
    # given to the wrapper, so it adds no Authorization header and installs no opener.
    request = wrapper._createRequest()
    assert isinstance(request.data, bytes)
    headers = {name.title(): value for name, value in request.header_items()}
    headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
    return _ProtocolRequest(request.full_url, headers, request.data)


def _parse_results(response: HttpResponse, url: str) -> Result:
    """SPARQL JSON results (SELECT or ASK); EndpointError for anything else."""
    try:
        document = json.loads(response.body)
    except ValueError:
        raise EndpointError(f"the endpoint {url} did not answer SPARQL JSON results: it sent "
                            f"{_excerpt(response)}") from None
    if isinstance(document, dict) and isinstance(document.get("boolean"), bool):
        return AskResult(document["boolean"])
    try:
        names = [_text(name) for name in document["head"]["vars"]]
        rows = [{_text(name): _from_json_binding(value) for name, value in binding.items()}
                for binding in document["results"]["bindings"]]
    except (KeyError, TypeError, AttributeError, ValueError):
        raise EndpointError(f"the endpoint {url} answered JSON that is not SPARQL results: "
                            f"{_excerpt(response)}") from None
    return SelectResult(names, rows)


def _from_json_binding(binding: dict) -> Term:
    kind = binding.get("type")
    value = _text(binding["value"])
    if kind == "uri":
        return Term("uri", value)
    if kind == "bnode":
        return Term("bnode", value)
    if kind in ("literal", "typed-literal"):
        datatype, lang = binding.get("datatype"), binding.get("xml:lang")
        return Term.literal(value, None if datatype is None else _text(datatype), None if lang is None else _text(lang))
    raise ValueError(f"a binding of unknown type {kind!r}")


def _text(value) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a string")
    return value


def _parse_graph(response: HttpResponse, url: str) -> list[tuple[Term, Term, Term]]:
    """Turtle or N-Triples (a subset of Turtle) as triples; EndpointError for anything else."""
    import pyoxigraph

    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind and kind not in GRAPH_TYPES:
        raise EndpointError(f"the endpoint {url} did not answer Turtle: it sent {_excerpt(response)}")
    try:
        triples = pyoxigraph.parse(response.body, format=pyoxigraph.RdfFormat.TURTLE)
        return [(term_from_oxigraph(tr.subject), term_from_oxigraph(tr.predicate), term_from_oxigraph(tr.object))
                for tr in triples]
    except (SyntaxError, MemoryError, ValueError) as err:
        detail = " ".join(str(err).split())[:300]
        raise EndpointError(f"the endpoint {url} answered Turtle that does not parse: {detail}") from None


def _excerpt(response: HttpResponse, width: int = 200) -> str:
    """``<type>: "first characters of the body"``, on one line, for messages."""
    kind = response.headers.get("content-type", "no content type").split(";")[0].strip()
    text = " ".join(response.body[: width * 4].decode("utf-8", "replace").split())
    text = text if len(text) <= width else text[:width] + "..."
    return f"{kind}: {text!r}" if text else f"{kind}, an empty body"

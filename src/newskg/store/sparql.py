"""Saved queries on a remote SPARQL 1.1 endpoint, through SPARQLWrapper."""

from __future__ import annotations

import json
from collections.abc import Sequence

from newskg.errors import EndpointError
from newskg.query.results import AskResult, GraphResult, Result, SelectResult, Term, term_from_oxigraph

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

    def query(self, text: str, form: str, graphs: Sequence[str] | None = None) -> Result:
        from SPARQLWrapper import JSON, TURTLE

        wrapper = self._wrapper(self.url)
        wrapper.setQuery(text)
        for iri in self.default_graphs if graphs is None else graphs:
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
        return [tuple(term_from_oxigraph(t) for t in (tr.subject, tr.predicate, tr.object)) for tr in triples]
    except SyntaxError as err:
        raise EndpointError(f"the endpoint {url} answered Turtle that does not parse: {err}") from None



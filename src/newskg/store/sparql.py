"""Saved queries on a remote SPARQL 1.1 endpoint, through SPARQLWrapper.

The store's URLs and how it wants a login come from the same endpoint model as
`newskg load` (``newskg.store.endpoints``); credentials from the same places
(``newskg.store.auth``). Three things SPARQLWrapper would otherwise do its own way:

- the query form is set, not guessed: SPARQLWrapper's comment stripper leaves
  every second line of a run of `#` comments in, so a saved query's `#+` header
  could make it guess DESCRIBE for a SELECT and ask for `*/*`;
- the dataset is set through the protocol (one ``default-graph-uri`` per graph);
- before a password is sent, one unauthenticated probe (``ASK {}``) learns whether
  the endpoint asks for a login, with which scheme and realm (SPARQLWrapper's
  Digest needs the realm), and that it does not redirect elsewhere (urllib would
  carry a Basic header on to another host).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from newskg.errors import EndpointError
from newskg.query.results import AskResult, GraphResult, Result, SelectResult, Term, term_from_oxigraph
from newskg.store.auth import Login, choose_scheme, make_requests_auth, offered_schemes
from newskg.store.endpoints import Endpoints, resolve_endpoints
from newskg.store.http import describe_error

#: The realm SPARQLWrapper assumes (Virtuoso's) when a challenge names none.
DEFAULT_REALM = "SPARQL"


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
    """Any SPARQL 1.1 endpoint through SPARQLWrapper; the dataset is set through the protocol.

    ``endpoints`` is the resolved store, or a query endpoint URL (the generic preset).
    """

    name = "endpoint"

    def __init__(self, endpoints: Endpoints | str, default_graphs: list[str], timeout: float = 60.0,
                 login: Login | None = None):
        self.endpoints = resolve_endpoints(endpoints) if isinstance(endpoints, str) else endpoints
        self.url = self.endpoints.query
        self.update_url = self.endpoints.update or self.endpoints.query
        self.default_graphs = list(default_graphs)
        self.timeout = timeout
        self.login = login or Login.for_endpoints(self.endpoints)
        self._challenges: dict[str, str | None] = {}

    def query(self, text: str, form: str, graphs: Sequence[str] | None = None) -> Result:
        """Run query ``text`` of ``form`` (SELECT, ASK, CONSTRUCT, DESCRIBE) on the endpoint, with
        ``graphs`` as its dataset's default graphs (None: the engine's ``default_graphs``)."""
        from SPARQLWrapper import JSON, TURTLE

        wrapper = self._wrapper(self.url, text, form)
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

    def update(self, text: str) -> None:
        """Run a SPARQL update on the update endpoint (only when the user allowed updates)."""
        from SPARQLWrapper import INSERT

        # Any update form makes SPARQLWrapper POST it as `update=` to the update endpoint.
        self._send(self._wrapper(self.update_url, text, INSERT))

    def _wrapper(self, url: str, text: str, form: str):
        from SPARQLWrapper import SPARQLWrapper

        wrapper = SPARQLWrapper(url, updateEndpoint=url)
        wrapper.setTimeout(int(max(1, self.timeout)))
        wrapper.setMethod("POST")
        wrapper.setQuery(text)
        # Set after setQuery, which guesses it from the text (see the module docstring).
        wrapper.queryType = form
        self._authorize(wrapper, url)
        return wrapper

    def _authorize(self, wrapper, url: str) -> None:
        """Give SPARQLWrapper the credentials of ``url``'s host, in the way the endpoint asks."""
        from SPARQLWrapper import BASIC, DIGEST

        creds = self.login.credentials(url)
        if creds is None:
            return
        challenge = self._probe(url)
        scheme: str | None
        if challenge is None:
            if self.login.scheme != "basic":
                return  # the endpoint does not ask for a login: the password is not sent
            scheme = "basic"
        else:
            scheme = choose_scheme(self.login.scheme, challenge)
            if scheme is None:
                raise EndpointError(f"the endpoint {url} answered 401 Unauthorized"
                                    f"{self.login.refusal_hint(url, challenge)}")
        if scheme == "digest" and not f"{creds.user}:{creds.password}".isascii():
            # urllib, which SPARQLWrapper sends through, hashes Digest answers as ASCII.
            raise EndpointError(f"Digest auth to {url} needs an ASCII user name and password "
                                f"(urllib's Digest, which SPARQLWrapper uses, cannot hash others)")
        wrapper.setHTTPAuth(DIGEST if scheme == "digest" else BASIC)
        realm = offered_schemes(challenge or "").get("digest") or DEFAULT_REALM
        wrapper.setCredentials(creds.user, creds.password, realm=realm)

    def _probe(self, url: str) -> str | None:
        """The endpoint's WWW-Authenticate challenge, or None when it does not ask for a login.

        An unauthenticated ``ASK {}`` POST, sent once per URL; a redirect is refused.
        """
        if url in self._challenges:
            return self._challenges[url]
        import requests

        try:
            answer = requests.post(url, data={"query": "ASK {}"}, timeout=self.timeout,
                                   headers={"Accept": "application/sparql-results+json"},
                                   allow_redirects=False, auth=make_requests_auth("any", None))
        except requests.exceptions.RequestException as err:
            raise EndpointError(f"cannot reach the endpoint {url}: {describe_error(err)}") from None
        if answer.is_redirect:
            raise EndpointError(f"the endpoint {url} redirects to {answer.headers.get('location', '?')}: "
                                f"give that URL (credentials are not sent on across a redirect)")
        challenge = answer.headers.get("www-authenticate", "") if answer.status_code == 401 else None
        self._challenges[url] = challenge
        return challenge

    def _send(self, wrapper):
        """Send the request; every way it can fail becomes an EndpointError naming the URL."""
        import socket
        import urllib.error

        from SPARQLWrapper.SPARQLExceptions import EndPointNotFound, SPARQLWrapperException, Unauthorized

        url = wrapper.endpoint
        try:
            return wrapper.query()
        except EndPointNotFound:
            raise EndpointError(f"the endpoint {url} answered 404 Not Found{self._not_found_hint()}") from None
        except Unauthorized:
            hint = self.login.refusal_hint(url, self._challenges.get(url))
            raise EndpointError(f"the endpoint {url} answered 401 Unauthorized{hint}") from None
        except SPARQLWrapperException as err:
            detail = " ".join(str(err).split())
            raise EndpointError(f"the endpoint {url} answered with an error: {detail[:500]}") from None
        except urllib.error.HTTPError as err:
            body = err.read().decode("utf-8", "replace").strip()[:500]
            raise EndpointError(f"the endpoint {url} answered HTTP {err.code} {err.reason}: {body}") from None
        except urllib.error.URLError as err:
            reason = err.reason
            if isinstance(reason, (TimeoutError, socket.timeout)):
                raise EndpointError(f"the endpoint {url} did not answer within {self.timeout:g} s") from None
            raise EndpointError(f"cannot reach the endpoint {url}: {reason}") from None
        except TimeoutError:
            raise EndpointError(f"the endpoint {url} did not answer within {self.timeout:g} s") from None
        except (ConnectionError, OSError) as err:
            raise EndpointError(f"cannot reach the endpoint {url}: {err}") from None
        except ValueError as err:  # e.g. a URL with no scheme
            raise EndpointError(f"bad endpoint URL {url!r}: {err}") from None

    def _not_found_hint(self) -> str:
        if self.endpoints.preset == "generic":
            return (": no SPARQL endpoint at this URL. With the generic preset --endpoint is the query "
                    "endpoint itself; for a store's base URL add --preset (oxigraph, fuseki, graphdb, virtuoso)")
        return f": no SPARQL endpoint at this URL; check --endpoint (the {self.endpoints.preset} preset's URLs)"

    def _read(self, response) -> bytes:
        try:
            return response.response.read()
        except TimeoutError:
            raise EndpointError(f"the endpoint {self.url} did not finish answering within {self.timeout:g} s") from None
        except OSError as err:
            raise EndpointError(f"the connection to {self.url} failed while reading: {err}") from None


def _parse_turtle(body: bytes, url: str) -> list[tuple[Term, Term, Term]]:
    import pyoxigraph

    try:
        triples = pyoxigraph.parse(body, format=pyoxigraph.RdfFormat.TURTLE)
        return [(term_from_oxigraph(tr.subject), term_from_oxigraph(tr.predicate), term_from_oxigraph(tr.object))
                for tr in triples]
    except SyntaxError as err:
        raise EndpointError(f"the endpoint {url} answered Turtle that does not parse: {err}") from None

"""Where a triple store answers: query, update and Graph Store Protocol URLs, from a preset.

One endpoint model for every command that talks to a store (`query run --endpoint`,
`load`): the store's base URL plus a preset, or explicit URLs. The preset also says
how the store wants a password sent (see ``AUTH_SCHEMES``). Every URL is checked
here, so no command can be handed a password inside a URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from newskg.errors import UsageError

#: ``generic`` is any SPARQL 1.1 store: the URL given is its query (and update) endpoint.
PRESETS = ("generic", "oxigraph", "fuseki", "graphdb", "virtuoso")
DEFAULT_PRESET = "generic"

#: How a password is sent:
#: ``any``: nothing until the store challenges, then Digest if it offers it, else Basic
#: (curl's --anyauth), for stores with no login of their own, whose front proxy decides;
#: ``digest``: only ever hashed, never in clear; ``basic``: with every request (curl -u).
AUTH_SCHEMES = ("any", "digest", "basic")

USER_ENV, PASSWORD_ENV = "NEWSKG_USER", "NEWSKG_PASSWORD"

#: `oxigraph serve` answers 400 to a SPARQL body over 128 MiB (Oxigraph 0.5, cli/src/main.rs),
#: having changed nothing.
OXIGRAPH_MAX_UPDATE_BYTES = 128 * 1024 * 1024


@dataclass(frozen=True)
class Endpoints:
    """Where to query, update and PUT, and how the store wants a login sent.

    ``bulk_params`` ask the store for its fast non-transactional loader; they
    go only on PUTs where a half-written graph is acceptable (staging graphs,
    and --direct, which gives up that guarantee anyway). ``dataset`` takes a POST
    of N-Quads into the store's whole dataset (None: the store has no such URL, or
    it is not known), with ``dataset_params`` as ``bulk_params``. ``diff_swap``: the
    staged load's swap writes only the difference between each target and its staging
    graph, instead of MOVE (measured on Oxigraph, whose transactional writes are its slow
    part; see docs/loading.md). ``client_difference``: a reload reads the targets, compares
    them with the build here and sends the difference in one update (Oxigraph: one update is one
    transaction, and its value normalisation is pyoxigraph's, which the comparison relies on).
    ``store_host`` is the host NEWSKG_USER/NEWSKG_PASSWORD
    belong to.
    """

    query: str
    update: str | None = None
    graph_store: str | None = None
    bulk_params: dict[str, str] = field(default_factory=dict)
    auth_scheme: str = "any"
    preset: str = DEFAULT_PRESET
    base: str | None = None
    dataset: str | None = None
    dataset_params: dict[str, str] = field(default_factory=dict)
    diff_swap: bool = False
    client_difference: bool = False
    #: the largest SPARQL Update body the store takes (None: not known); Oxigraph refuses more than 128 MiB
    max_update_bytes: int | None = None

    @property
    def store_host(self) -> str:
        """The host of the store's own URL (``base``, else the query URL)."""
        return urlsplit(self.base or self.query).hostname or ""

    def urls(self) -> list[str]:
        """Every URL of the store, query first."""
        return [url for url in (self.query, self.update, self.graph_store, self.dataset) if url]


def check_url(url: str) -> str:
    """``url`` if it is an http(s) URL without credentials; UsageError otherwise.

    Passwords never go in a URL: it would show in shell history, process lists
    and error messages. A URL that would fail later (a port that is not a number,
    a space) is refused here, with the URL shown without any user info.
    """
    shown = _without_userinfo(url)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as err:
        raise UsageError(f"not a valid URL: {shown!r} ({err}); give http(s)://HOST[:PORT]/PATH") from None
    if parts.username is not None or parts.password is not None:
        raise UsageError(
            f"credentials in the URL of {parts.hostname} are refused; "
            f"set {USER_ENV}/{PASSWORD_ENV} or use a netrc file"
        )
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"not an http(s) URL: {shown!r}")
    if port == 0 or any(c.isspace() or not c.isprintable() for c in url):
        raise UsageError(f"not a valid URL: {shown!r} (a port 0, a space or a control character); "
                         "percent-encode spaces in a path")
    return url


def resolve_endpoints(
    endpoint: str | None = None,
    preset: str | None = None,
    *,
    query_endpoint: str | None = None,
    update_endpoint: str | None = None,
    graph_store: str | None = None,
) -> Endpoints:
    """Endpoint URLs from a preset's URL pattern, overridden by explicit URLs.

    With the ``generic`` preset (the default), ``endpoint`` is the SPARQL query
    endpoint and also the update endpoint (the SPARQL 1.1 Protocol allows one URL
    for both); the Graph Store Protocol is used only when ``graph_store`` is given.
    With any other preset, ``endpoint`` is the store's base URL. Raises UsageError
    for an unknown preset, a missing URL, or a URL that is not plain http(s).
    """
    preset = preset or DEFAULT_PRESET
    if preset not in PRESETS:
        raise UsageError(f"unknown preset {preset!r}; known: {', '.join(PRESETS)}")
    for url in (endpoint, query_endpoint, update_endpoint, graph_store):
        if url:
            check_url(url)
    if preset == DEFAULT_PRESET:
        query = query_endpoint or endpoint
        if not query:
            raise UsageError("no store given: pass --endpoint URL (or set NEWSKG_ENDPOINT)")
        return Endpoints(query.rstrip("/"), _strip(update_endpoint or endpoint), _strip(graph_store),
                         base=_strip(endpoint))
    if not endpoint:
        raise UsageError(f"the {preset} preset needs the store's base URL: --endpoint URL")
    found = _from_preset(preset, endpoint.rstrip("/"))
    return Endpoints(
        _strip(query_endpoint) or found.query,
        _strip(update_endpoint) or found.update,
        _strip(graph_store) or found.graph_store,
        found.bulk_params if not graph_store else {},
        found.auth_scheme,
        preset,
        endpoint.rstrip("/"),
        # Data goes where --graph-store says: Oxigraph's GSP URL is its dataset URL too; for
        # the other stores the given URL takes one graph a request.
        found.dataset if not graph_store else _strip(graph_store) if preset == "oxigraph" else None,
        found.dataset_params if not graph_store else {},
        found.diff_swap,
        # An explicit --graph-store is where the data goes: the staged way, whose body goes there.
        found.client_difference and not graph_store,
        found.max_update_bytes,
    )


def _from_preset(preset: str, endpoint: str) -> Endpoints:
    """The URLs a store of this kind serves under its base URL (or any of its endpoint URLs)."""
    if preset == "oxigraph":
        base = re.sub(r"/(query|update|store)$", "", endpoint)
        # Oxigraph's bulk loader is ~5x faster than its transactional load; /store without a
        # graph takes N-Quads into the dataset. Oxigraph has no login of its own: whatever
        # proxy guards it chooses the scheme.
        return Endpoints(base + "/query", base + "/update", base + "/store",
                         bulk_params={"no_transaction": ""}, auth_scheme="any",
                         dataset=base + "/store", dataset_params={"no_transaction": ""}, diff_swap=True,
                         client_difference=True, max_update_bytes=OXIGRAPH_MAX_UPDATE_BYTES)
    if preset == "fuseki":
        base = re.sub(r"/(sparql|query|update|data|get)$", "", endpoint)
        # Fuseki Main's --auth defaults to digest; a server set to basic challenges with
        # Basic, which "any" answers too.
        # The dataset's own URL takes quads (N-Quads, TriG) when a GSP service is configured.
        return Endpoints(base + "/sparql", base + "/update", base + "/data", auth_scheme="any", dataset=base)
    if preset == "graphdb":
        base = re.sub(r"/(statements|rdf-graphs/service)$", "", endpoint)
        if "/repositories/" not in base:
            raise UsageError("the graphdb preset needs --endpoint http://HOST:7200/repositories/REPO")
        # GraphDB's security takes Basic on every request. /statements takes N-Quads (RDF4J protocol).
        return Endpoints(base, base + "/statements", base + "/rdf-graphs/service", auth_scheme="basic",
                         dataset=base + "/statements")
    root = re.sub(r"/(sparql|sparql-auth|sparql-graph-crud(-auth)?)$", "", endpoint)
    # The -auth variants are the ones that take a login, and Virtuoso challenges with
    # Digest: pinned, so the password is never sent in clear. No dataset URL: its GSP
    # takes one graph a request, so a load is one PUT per graph.
    return Endpoints(root + "/sparql", root + "/sparql-auth", root + "/sparql-graph-crud-auth",
                     auth_scheme="digest")


def _strip(url: str | None) -> str | None:
    return url.rstrip("/") if url else None


def _without_userinfo(url: str) -> str:
    """The URL with anything before an '@' in its authority cut, for messages."""
    return re.sub(r"^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@]*@", r"\1", url)

"""The options of every command that talks to a triple store, as one decorator.

`newskg load` and `newskg query run` take the same --endpoint, --preset, explicit
URL overrides and --timeout, with the same environment variables; credentials are
never options (NEWSKG_USER/NEWSKG_PASSWORD or netrc, see docs/loading.md). The
decorated command receives them resolved as ``endpoints`` (an
``newskg.store.endpoints.Endpoints``, or None when no store was named) and ``timeout``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import click

DEFAULT_TIMEOUT = 60.0
#: Spelled here (not imported from newskg.store.endpoints) so that a command starts without the
#: HTTP side of the library; a test checks the two agree.
PRESETS = ("generic", "oxigraph", "fuseki", "graphdb", "virtuoso")
DEFAULT_PRESET = "generic"

_OPTIONS = [
    click.option("--endpoint", envvar="NEWSKG_ENDPOINT", metavar="URL",
                 help="The store: its base URL with --preset (http://localhost:7878 for oxigraph), "
                      "or its SPARQL query endpoint with the generic preset (env NEWSKG_ENDPOINT)."),
    click.option("--preset", type=click.Choice(PRESETS), envvar="NEWSKG_PRESET", default=DEFAULT_PRESET,
                 show_default=True,
                 help="The kind of store: derives the query, update and graph-store URLs from --endpoint "
                      "and how a login is sent (env NEWSKG_PRESET)."),
    click.option("--query-endpoint", envvar="NEWSKG_QUERY_ENDPOINT", metavar="URL",
                 help="SPARQL query endpoint (overrides the preset's; env NEWSKG_QUERY_ENDPOINT)."),
    click.option("--update-endpoint", envvar="NEWSKG_UPDATE_ENDPOINT", metavar="URL",
                 help="SPARQL Update endpoint (overrides the preset's; env NEWSKG_UPDATE_ENDPOINT)."),
    click.option("--graph-store", envvar="NEWSKG_GRAPH_STORE", metavar="URL",
                 help="Graph Store Protocol endpoint (overrides the preset's; env NEWSKG_GRAPH_STORE)."),
    click.option("--timeout", type=click.FloatRange(min=0.1), default=DEFAULT_TIMEOUT, show_default=True,
                 metavar="S", help="Seconds allowed for each request, from connect to the last byte of the answer."),
]


def endpoint_options(command: Callable) -> Callable:
    """Add the store options to a click command; it receives ``endpoints`` and ``timeout``.

    ``endpoints`` is None when neither --endpoint nor --query-endpoint is given;
    a bad combination (unknown preset, a URL with a password in it) is a UsageError.
    """

    @functools.wraps(command)
    def wrapper(*args, endpoint: str | None, preset: str, query_endpoint: str | None,
                update_endpoint: str | None, graph_store: str | None, **kwargs):
        endpoints = None
        urls = [url for url in (endpoint, query_endpoint, update_endpoint, graph_store) if url]
        if not urls:
            return command(*args, endpoints=endpoints, **kwargs)  # a local query: no HTTP side to import
        from newskg.store.endpoints import check_url, resolve_endpoints

        for url in urls:
            check_url(url)  # even when unused: a password in a URL is refused everywhere
        if endpoint or query_endpoint:
            endpoints = resolve_endpoints(endpoint, preset, query_endpoint=query_endpoint,
                                          update_endpoint=update_endpoint, graph_store=graph_store)
        return command(*args, endpoints=endpoints, **kwargs)

    for option in reversed(_OPTIONS):
        wrapper = option(wrapper)
    return wrapper

"""Where a triple store answers: query, update and Graph Store Protocol URLs, from a preset.

One endpoint model for every command that talks to a store (`query run --endpoint`,
`load`): a base URL plus a preset, or explicit URLs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from newskg.errors import UsageError

PRESETS = ("oxigraph", "fuseki", "graphdb", "virtuoso")


@dataclass(frozen=True)
class Endpoints:
    """Where to query, update and PUT.

    ``bulk_params`` ask the store for its fast non-transactional loader; they
    go only on PUTs where a half-written graph is acceptable (staging graphs,
    and --direct, which gives up that guarantee anyway).
    """

    query: str
    update: str | None = None
    graph_store: str | None = None
    bulk_params: dict[str, str] = field(default_factory=dict)
    auth_scheme: str = "basic"


def resolve_endpoints(
    endpoint: str,
    update_endpoint: str | None = None,
    graph_store: str | None = None,
    preset: str | None = None,
) -> Endpoints:
    """Endpoint URLs from a preset's URL pattern, overridden by explicit URLs.

    Without a preset, ``endpoint`` is both the query and the update endpoint
    (the SPARQL 1.1 Protocol allows one URL for both) and GSP is used only
    when ``graph_store`` is given.
    """
    endpoint = endpoint.rstrip("/")
    if preset is None:
        return Endpoints(endpoint, update_endpoint or endpoint, graph_store)
    if preset == "oxigraph":
        base = re.sub(r"/(query|update|store)$", "", endpoint)
        # Oxigraph's bulk loader is ~5x faster than its transactional load.
        found = Endpoints(base + "/query", base + "/update", base + "/store",
                          bulk_params={"no_transaction": ""})
    elif preset == "fuseki":
        base = re.sub(r"/(sparql|query|update|data|get)$", "", endpoint)
        found = Endpoints(base + "/sparql", base + "/update", base + "/data")
    elif preset == "graphdb":
        base = re.sub(r"/(statements|rdf-graphs/service)$", "", endpoint)
        if "/repositories/" not in base:
            raise UsageError("the graphdb preset needs --endpoint http://HOST:7200/repositories/REPO")
        found = Endpoints(base, base + "/statements", base + "/rdf-graphs/service")
    elif preset == "virtuoso":
        root = re.sub(r"/(sparql|sparql-auth|sparql-graph-crud(-auth)?)$", "", endpoint)
        # The -auth variants are the ones that take a login (Virtuoso uses Digest).
        found = Endpoints(root + "/sparql", root + "/sparql-auth",
                          root + "/sparql-graph-crud-auth", auth_scheme="digest")
    else:
        raise UsageError(f"unknown preset {preset!r}; known: {', '.join(PRESETS)}")
    return Endpoints(
        found.query,
        update_endpoint or found.update,
        graph_store or found.graph_store,
        found.bulk_params if not graph_store else {},
        found.auth_scheme,
    )



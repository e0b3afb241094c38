"""`newskg serve`: a local, read-only web app over the build.

The report pages of `newskg report`, the saved-query catalogue with a form per query,
results whose IRIs link to a page about each resource, and a grlc-style API
(``/api/queries/NAME?param=...``) answering SPARQL JSON, CSV or TSV by content negotiation.
Queries go through the same functions as the CLI (newskg.api.prepare_query / execute), so a
parameter is bound as an RDF term exactly as by `newskg query run`.

Starlette (routing, requests, responses) on uvicorn (the HTTP server): both maintained,
small (h11, anyio, click), and imported only here, so `newskg query run` never loads them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from newskg.errors import NewskgError
from newskg.namespaces import LEVELS
from newskg.project import Project


class ServeError(NewskgError):
    """The web app cannot listen where it was asked to (port in use, address not here, ...)."""


#: Names a loopback server answers to (the Host header, IPv6 in brackets); any other is refused.
LOOPBACK_NAMES = ["127.0.0.1", "localhost", "[::1]"]


def create_app(project: str | Path | Project = ".", *, level: str = LEVELS[0],
               allowed_hosts: list[str] | None = None):
    """The web app (a Starlette ASGI application) over the project's build, read-only.

    ``allowed_hosts``: the Host header names it answers (None: any).
    """
    from newskg.serve.app import build_app

    return build_app(project if isinstance(project, Project) else Project.at(project), level, allowed_hosts)


def serve(project: str | Path | Project = ".", *, host: str = "127.0.0.1", port: int = 8000,
          level: str = LEVELS[0], ready: Callable[[str], None] | None = None) -> None:
    """Serve the web app until interrupted; ``ready(url)`` is called once it listens.

    Raises BuildMissingError without a build and ServeError when the address cannot be bound
    (for instance a port in use), before anything is served.
    """
    from newskg.serve.server import bind, run

    project = project if isinstance(project, Project) else Project.at(project)
    project.build().manifest()  # no build: say so now, not on the first request
    loopback = host in ("localhost", "::1") or host.startswith("127.")
    # Bound to loopback, answer only to loopback names: a web page elsewhere cannot rebind a
    # DNS name to 127.0.0.1 and read the app. Bound elsewhere on purpose, answer any name.
    own_name = f"[{host}]" if ":" in host else host
    app = create_app(project, level=level, allowed_hosts=[*LOOPBACK_NAMES, own_name] if loopback else None)
    sock = bind(host, port)
    run(app, sock, ready)

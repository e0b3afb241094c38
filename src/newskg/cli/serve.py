"""`newskg serve`: the analyst's view and the saved queries as a local, read-only web app."""

from __future__ import annotations

import click

from newskg.cli.report import LEVEL_CHOICES


@click.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="The TCP port to listen on (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on. The default answers only this machine; another address "
                   "opens the read-only app to the network.")
@click.option("--at", "level", type=click.Choice(LEVEL_CHOICES), default="confirmed", show_default=True,
              help="The level pages and API answers start at (each request can ask for another with ?at=).")
@click.pass_context
def serve(ctx: click.Context, port: int, host: str, level: str) -> None:
    """Serve the reports, the saved queries and their API on a local web app until Ctrl-C.

    \b
    Pages: /report (the analyst's view), /queries (a form per saved query),
    /resource?iri=CURIE (what the build says about a resource, and which claims say it).
    API: /api/queries (the catalogue, JSON) and /api/queries/NAME?PARAM=VALUE&at=LEVEL,
    answering SPARQL JSON, CSV or TSV by the Accept header (or ?format=json|csv|tsv).

    \b
    Examples:
      newskg serve
      newskg serve --port 8765 --at reported
      curl -H 'Accept: text/csv' 'http://127.0.0.1:8000/api/queries/evidence-for-entity?entity=nkr:DGFI&at=assessed'
    """
    from newskg.serve import serve as run_server

    def ready(url: str) -> None:
        click.echo(f"serving {url} (read-only; Ctrl-C to stop)")

    run_server(ctx.find_root().obj["project"], host=host, port=port, level=level, ready=ready)

"""CLI command `newskg load`: put the build's named graphs into a SPARQL triple store."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from newskg.namespaces import GRAPH_BASE

from newskg.project import Project
from newskg.store.endpoints import PRESETS, resolve_endpoints
from newskg.store.loader import DEFAULT_BATCH_BYTES, LoadReport, load_graphs, select_graphs
from newskg.store.http import (
    DryRunTransport,
    HttpTransport,
    find_credentials,
    reject_url_credentials,
)


@click.command()
@click.option("--endpoint", required=True, metavar="URL",
              help="SPARQL query endpoint (also the update endpoint when no preset or --update-endpoint).")
@click.option("--update-endpoint", metavar="URL", help="SPARQL Update endpoint (overrides the preset's).")
@click.option("--graph-store", metavar="URL",
              help="Graph Store Protocol endpoint (overrides the preset's); without one, SPARQL Update batches are used.")
@click.option("--preset", type=click.Choice(PRESETS),
              help="Derive the update and graph-store URLs from --endpoint for this store.")
@click.option("--graphs", metavar="NAME,...",
              help="Only these graphs: file stems (ontology, background, inferred, article-SLUG), roles or IRIs.")
@click.option("--no-inferred", is_flag=True, help="Leave the inferred graph out.")
@click.option("--graph-prefix", metavar="IRI",
              help=f"Load graphs under this IRI instead of {GRAPH_BASE}.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=60.0, show_default=True,
              metavar="S", help="Seconds allowed for each connect, send and wait for an answer.")
@click.option("--retries", type=click.IntRange(min=0), default=3, show_default=True, metavar="N",
              help="Retries (exponential backoff) on connection errors and 5xx answers.")
@click.option("--batch-size", type=click.IntRange(min=1024), default=DEFAULT_BATCH_BYTES,
              show_default=True, metavar="BYTES", help="Largest SPARQL Update request (update fallback only).")
@click.option("--direct", is_flag=True,
              help="PUT straight over each graph: fastest, but a failure can leave a graph empty or half "
                   "loaded (rerun to repair) and readers may see it half loaded. For stores without "
                   "SPARQL Update and first loads.")
@click.option("--dry-run", is_flag=True, help="Print the requests that would be sent; send nothing.")
@click.option("--build", "build_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Build folder to load (default: PROJECT/build).")
@click.pass_context
def load(ctx: click.Context, endpoint: str, update_endpoint: str | None, graph_store: str | None,
         preset: str | None, graphs: str | None, no_inferred: bool, graph_prefix: str | None,
         timeout: float, retries: int, batch_size: int, direct: bool, dry_run: bool,
         build_dir: Path | None) -> None:
    """Load the build's named graphs into a triple store, replacing each graph whole.

    Loading twice leaves the store as loading once; graphs that are not the
    build's are never touched. Credentials come from NEWSKG_USER and
    NEWSKG_PASSWORD or a netrc file ($NETRC or ~/.netrc), never from options.
    After loading, triple counts per graph are checked against the build.

    \b
    Examples:
      newskg load --preset oxigraph --endpoint http://localhost:7878
      newskg load --preset fuseki --endpoint http://localhost:3030/ds --no-inferred
      newskg load --preset graphdb --endpoint http://localhost:7200/repositories/news
      NEWSKG_USER=dba NEWSKG_PASSWORD=... newskg load --preset virtuoso --endpoint http://localhost:8890/sparql
      newskg load --endpoint http://host/sparql --graphs ontology,background --dry-run
    """
    for url in (endpoint, update_endpoint, graph_store):
        if url:
            reject_url_credentials(url)
    build = Project.at(ctx.obj["project"]).build(build_dir)
    names = [n.strip() for n in graphs.split(",") if n.strip()] if graphs else None
    chosen = select_graphs(build.graphs(), names, include_inferred=not no_inferred)
    endpoints = resolve_endpoints(endpoint, update_endpoint, graph_store, preset)
    credentials = find_credentials(endpoints.graph_store or endpoints.update or endpoints.query)

    if dry_run:
        transport = DryRunTransport()
        report = load_graphs(chosen, endpoints, transport, graph_prefix=graph_prefix,
                             batch_bytes=batch_size, direct=direct)
        _print_plan(report, transport, credentials, endpoints.auth_scheme)
        return

    transport = HttpTransport(timeout=timeout, retries=retries, credentials=credentials,
                              auth_scheme=endpoints.auth_scheme)
    total = sum(g.path.stat().st_size for g in chosen)
    if sys.stderr.isatty():
        with click.progressbar(length=total, label="loading", file=sys.stderr) as bar:
            def advance(n: int) -> None:
                bar.update(max(-bar.pos, min(n, total - bar.pos)))
            report = load_graphs(chosen, endpoints, transport, graph_prefix=graph_prefix,
                                 batch_bytes=batch_size, direct=direct, on_bytes=advance)
    else:
        report = load_graphs(chosen, endpoints, transport, graph_prefix=graph_prefix,
                             batch_bytes=batch_size, direct=direct)
    _print_report(report)


def _print_plan(report: LoadReport, transport: DryRunTransport, credentials, auth_scheme: str) -> None:
    click.echo(f"dry run: method {report.method}, run id {report.run_id}; nothing was sent")
    if credentials:
        # The user name and where it came from, never the password.
        click.echo(f"auth: {auth_scheme} as user {credentials.user!r} (from {credentials.source})")
    else:
        click.echo("auth: none")
    for req in transport.requests:
        triples = f", {req.triples} triples" if req.triples is not None else ""
        graph = f" graph <{req.graph}>" if req.graph else ""
        click.echo(f"{req.method} {req.url}{graph}: {req.purpose} ({req.size} bytes{triples})")


def _print_report(report: LoadReport) -> None:
    width = max(len(c.iri) for c in report.counts)
    click.echo(f"{'graph'.ljust(width)}  {'build':>9}  {'store':>9}")
    for c in report.counts:
        click.echo(f"{c.iri.ljust(width)}  {c.expected:>9}  {c.found:>9}")
    rate = report.triples / report.seconds if report.seconds else 0.0
    click.echo(f"loaded {report.triples} triples in {len(report.counts)} graph(s) by {report.method} "
               f"in {report.seconds:.2f} s ({rate:,.0f} triples/s, {report.requests} requests); "
               f"counts match the build")

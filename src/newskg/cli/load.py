"""CLI command `newskg load`: put the build's named graphs into a SPARQL triple store."""

from __future__ import annotations

import contextlib
import dataclasses
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import click

from newskg.cli.endpoint_options import endpoint_options
from newskg.errors import UsageError
from newskg.namespaces import GRAPH_BASE
from newskg.store.endpoints import Endpoints
from newskg.store.loader import DEFAULT_BATCH_BYTES


@click.command()
@endpoint_options
@click.option("--graphs", metavar="NAME,...",
              help="Only these graphs: file stems (ontology, background, inferred, article-SLUG), roles or IRIs.")
@click.option("--no-inferred", is_flag=True, help="Leave the inferred graphs (every level) out.")
@click.option("--graph-prefix", metavar="IRI",
              help=f"Load graphs under this IRI instead of {GRAPH_BASE}.")
@click.option("--retries", type=click.IntRange(min=0), default=3, show_default=True, metavar="N",
              help="Retries (exponential backoff) of requests that are safe to repeat: any request that "
                   "could not connect; count queries and staging PUTs also after a lost connection or 5xx "
                   "answer. A request that timed out is not repeated.")
@click.option("--batch-size", type=click.IntRange(min=1024), default=DEFAULT_BATCH_BYTES,
              show_default=True, metavar="BYTES", help="Largest SPARQL Update request (update fallback only).")
@click.option("--direct", is_flag=True,
              help="PUT straight over each graph: fastest, but a failure can leave a graph empty or half "
                   "loaded (rerun to repair) and readers may see it half loaded. For stores without "
                   "SPARQL Update and first loads.")
@click.option("--staged", is_flag=True,
              help="Reload through staging graphs and a swap on the store instead of comparing on this "
                   "side (oxigraph preset): slower, but the build is not held in memory here.")
@click.option("--dry-run", is_flag=True, help="Print the requests that would be sent; send nothing.")
@click.option("--build", "build_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Build folder to load (default: PROJECT/build).")
@click.pass_context
def load(ctx: click.Context, endpoints: Endpoints | None, timeout: float, graphs: str | None,
         no_inferred: bool, graph_prefix: str | None, retries: int, batch_size: int, direct: bool,
         staged: bool, dry_run: bool, build_dir: Path | None) -> None:
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
      NEWSKG_USER=dba NEWSKG_PASSWORD=... newskg load --preset virtuoso --endpoint http://localhost:8890
      newskg load --endpoint http://host/sparql --graphs ontology,background --dry-run
    """
    from newskg import api

    if endpoints is None:
        raise UsageError("no store given: pass --endpoint URL (or set NEWSKG_ENDPOINT)")
    if staged:
        endpoints = dataclasses.replace(endpoints, client_difference=False)
    names = [n.strip() for n in graphs.split(",") if n.strip()] if graphs else None
    options = {"project": ctx.obj["project"], "graphs": names, "include_inferred": not no_inferred,
               "build_dir": build_dir}
    shown = not dry_run and sys.stderr.isatty()
    with _progress_bar(api.load_size(**options) if shown else 0, shown) as on_bytes:
        run = api.load(endpoints, graph_prefix=graph_prefix, timeout=timeout, retries=retries,
                       batch_bytes=batch_size, direct=direct, dry_run=dry_run, on_bytes=on_bytes, **options)
    if run.planned is not None:
        _print_plan(run)
    else:
        _print_report(run.report)


@contextlib.contextmanager
def _progress_bar(total: int, shown: bool) -> Iterator[Callable[[int], None] | None]:
    """A bytes-sent bar on stderr (only on a terminal); yields its update function."""
    if not shown:
        yield None
        return
    with click.progressbar(length=total, label="loading", file=sys.stderr) as bar:
        def advance(n: int) -> None:
            bar.update(max(-bar.pos, min(n, total - bar.pos)))
        yield advance


def _print_plan(run) -> None:
    report = run.report
    click.echo(f"dry run: method {report.method}, run id {report.run_id}; nothing was sent")
    for line in run.login:
        click.echo(line)  # the user name and where it came from, never the password
    for req in run.planned:
        triples = f", {req.triples} triples" if req.triples is not None else ""
        graph = f" graph <{req.graph}>" if req.graph else ""
        click.echo(f"{req.method} {req.url}{graph}: {req.purpose} ({req.size} bytes{triples})")


def _print_report(report) -> None:
    width = max(len(c.iri) for c in report.counts)
    click.echo(f"{'graph'.ljust(width)}  {'build':>9}  {'store':>9}")
    for c in report.counts:
        click.echo(f"{c.iri.ljust(width)}  {c.expected:>9}  {c.found:>9}")
    if report.leftovers_dropped:
        click.echo(f"removed {report.leftovers_dropped} staging graph(s) left by an earlier, interrupted load")
    if report.changed is not None:
        click.echo(f"changed {report.changed[0]} quad(s) and replaced {report.changed[1]} graph(s) whole; "
                   "the rest was already as built")
    rate = report.triples / report.seconds if report.seconds else 0.0
    click.echo(f"loaded {report.triples} triples in {len(report.counts)} graph(s) by {report.method} "
               f"in {report.seconds:.2f} s ({rate:,.0f} triples/s, {report.requests} requests); "
               f"counts match the build")

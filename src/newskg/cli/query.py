"""`newskg query`: list, show and run saved SPARQL queries (locally or on an endpoint)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from newskg.cli.endpoint_options import endpoint_options

if TYPE_CHECKING:
    from newskg.store.endpoints import Endpoints

FORMATS = ("table", "csv", "tsv", "json", "markdown", "turtle", "ntriples", "jsonld")
#: Spelled here (not imported from newskg.namespaces) so the CLI starts without the library;
#: a test checks the two agree.
LEVEL_CHOICES = ("confirmed", "reported", "assessed")

level_option = click.option(
    "--at", "level", type=click.Choice(LEVEL_CHOICES), default="confirmed", show_default=True,
    help="How sure the answer must be: only facts and inferences resting on claims at or above this "
         "status level (confirmed: official confirmation or background knowledge; reported: also "
         "'sources said'/'officials said'; assessed: also assessments and possibilities). Claims and "
         "quotes are visible at every level.")


def _project(ctx: click.Context) -> Path:
    return Path(ctx.find_root().obj["project"])


@click.group()
def query() -> None:
    """Saved SPARQL queries: list them, show one, run one or all.

    \b
    Examples:
      newskg query list
      newskg query show evidence-for-entity
      newskg query run statements-of-status --format markdown
      newskg query run evidence-for-entity -p entity=nkr:DGFI --format csv
      newskg query run-all
    """


@query.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "markdown"]), default="table", show_default=True,
              help="markdown gives the table used in the README.")
@click.pass_context
def list_queries(ctx: click.Context, fmt: str) -> None:
    """List the saved queries: name, title and parameters.

    \b
    Examples:
      newskg query list
      newskg query list --format markdown > queries.md
    """
    from newskg import api
    from newskg.query.catalog import catalog_markdown

    saved = api.list_queries(_project(ctx))
    if fmt == "markdown":
        click.echo(catalog_markdown(saved), nl=False)
        return
    width = max((len(q.name) for q in saved), default=0)
    for q in saved:
        params = ", ".join(p.describe() for p in q.params)
        tags = (" [inferred]" if q.inferred else "") + (f" [graph: {q.graph}]" if q.graph else "")
        click.echo(f"{q.name.ljust(width)}  {q.title}{tags}" + (f"  — params: {params}" if params else ""))


@query.command("show")
@click.argument("name")
@click.pass_context
def show_query(ctx: click.Context, name: str) -> None:
    """Show a saved query: its header and its SPARQL text.

    \b
    Examples:
      newskg query show engagement-timeline
      newskg query show queries/evidence-for-entity.rq
    """
    from newskg import api

    saved = api.find_query(name, project=_project(ctx))
    click.echo(f"# {saved.path}")
    click.echo(saved.text, nl=not saved.text.endswith("\n"))


@query.command("run")
@click.argument("name")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A parameter value (repeatable); see `newskg query show NAME` for the parameters.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="Output format [default: table for SELECT, turtle for CONSTRUCT].")
@click.option("--limit", type=click.IntRange(min=0), default=None, help="Return at most N results.")
@endpoint_options
@click.option("--default-graph", "default_graphs", multiple=True, metavar="IRI",
              help="With --endpoint: a graph of the dataset (repeatable) [default: the graphs in build/manifest.json].")
@click.option("--engine", type=click.Choice(["embedded", "rdflib"]), default="embedded", show_default=True,
              help="Local engine over build/dataset.nq.")
@level_option
@click.option("--show-query", is_flag=True, help="Print the query exactly as sent (on stderr) before the results.")
@click.option("--allow-update", is_flag=True, help="Allow running a SPARQL update (refused otherwise).")
@click.pass_context
def run_query(ctx: click.Context, name: str, params: tuple[str, ...], fmt: str | None, limit: int | None,
              endpoints: Endpoints | None, timeout: float, default_graphs: tuple[str, ...], engine: str,
              level: str, show_query: bool, allow_update: bool) -> None:
    """Run a saved query by NAME, or a .rq file by path.

    \b
    Examples:
      newskg query run statements-of-status
      newskg query run intelligence-engagements --at assessed
      newskg query run evidence-for-entity -p entity=nkr:NSI --format json
      newskg query run confirmed-subgraph --format ntriples
      newskg query run claim-counts-by-status --engine rdflib
      newskg query run claim-counts-by-status --endpoint http://localhost:7878 --preset oxigraph
      newskg query run my-query.rq --show-query --limit 10
    """
    from newskg import api
    from newskg.query.parameters import parse_assignments
    from newskg.query.render import render

    project = _project(ctx)
    prepared = api.prepare_query(name, project=project, params=parse_assignments(params), limit=limit,
                                 level=level, default_graphs=list(default_graphs), allow_update=allow_update)
    if show_query:
        click.echo(prepared.text, err=True)
    engine_ = api.open_engine(project, engine=engine, endpoint=endpoints, default_graphs=list(default_graphs),
                              timeout=timeout)
    run = api.execute(prepared, engine_)
    if run.result is None:
        click.echo("update done")
        return
    click.echo(render(run.result, fmt), nl=False)


@query.command("run-all")
@click.option("--engine", type=click.Choice(["embedded", "rdflib"]), default="embedded", show_default=True,
              help="Local engine over build/dataset.nq.")
@level_option
@click.pass_context
def run_all(ctx: click.Context, engine: str, level: str) -> None:
    """Run every saved query with its default parameters and print each title and result.

    This is what `make run` calls. Queries with a required parameter are skipped (and named).

    \b
    Examples:
      newskg query run-all
      newskg query run-all --at reported
      newskg query run-all --engine rdflib
    """
    from newskg import api
    from newskg.query.render import render

    for run in api.run_all(_project(ctx), engine=engine, level=level):
        click.echo(f"== {run.query.name}: {run.query.title}")
        if run.result is None:
            click.echo(f"(skipped: {run.skipped})\n")
            continue
        click.echo(render(run.result))

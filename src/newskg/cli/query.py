"""`newskg query`: list, show and run saved SPARQL queries (locally or on an endpoint)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from newskg.cli.endpoint_options import endpoint_options

if TYPE_CHECKING:
    from newskg.store.endpoints import Endpoints

FORMATS = ("table", "csv", "tsv", "json", "markdown", "xml", "turtle", "ntriples", "jsonld", "trig", "nquads")
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


# --- shell completion -----------------------------------------------------------------------------
# Run on every <TAB>: they list folders and read .rq headers, and import nothing heavy (no rdflib,
# no pyoxigraph). During completion the group callback does not run, so the project folder comes
# from the root context's parsed parameters (--project or NEWSKG_PROJECT).


def _completion_project(ctx: click.Context) -> Path:
    return Path(ctx.find_root().params.get("project") or ".")


def complete_query_name(ctx: click.Context, param: click.Parameter, incomplete: str) -> list:
    """Saved-query names (and ``-``, stdin, for `run`); a path-like word completes as a file instead."""
    from click.shell_completion import CompletionItem

    if "/" in incomplete or incomplete.endswith(".rq"):
        return [CompletionItem(incomplete, type="file")]
    queries = _completion_project(ctx) / "queries"
    names = sorted(p.stem for p in queries.glob("*.rq")) if queries.is_dir() else []
    stdin = ["-"] if ctx.command.name == "run" else []
    return [CompletionItem(n) for n in names + stdin if n.startswith(incomplete)]


def report_slugs(project: Path) -> list[str]:
    """The report folders under graph/ (one per report), by name."""
    graph = project / "graph"
    return sorted(p.name for p in graph.iterdir() if p.is_dir()) if graph.is_dir() else []


def complete_param(ctx: click.Context, param: click.Parameter, incomplete: str) -> list:
    """``NAME=`` for the parameters of the saved queries, and report slugs (graph/<slug>/) as the
    values of a ``report`` parameter."""
    from click.shell_completion import CompletionItem

    from newskg.query.catalog import list_saved_queries

    project = _completion_project(ctx)
    name, sep, value = incomplete.partition("=")
    if sep:
        if name != "report":
            return []
        return [CompletionItem(f"report={slug}") for slug in report_slugs(project) if slug.startswith(value)]
    # click cannot tell the query NAME while an option still lacks its value, so offer the
    # parameters of every saved query.
    try:
        names = sorted({p.name for q in list_saved_queries(project / "queries") for p in q.params})
    except Exception:  # a broken header: nothing to offer, and no traceback on <TAB>
        return []
    return [CompletionItem(f"{n}=", type="plain") for n in names if n.startswith(name)]


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
@click.argument("name", shell_complete=complete_query_name)
@click.pass_context
def show_query(ctx: click.Context, name: str) -> None:
    """Show a saved query: its parameters, its header and its SPARQL text.

    Each parameter is listed as -p NAME=... with its type and whether it is required,
    has a default or is optional (unbound, so every value, when not given); a report
    parameter lists the reports of the build.

    \b
    Examples:
      newskg query show engagement-timeline
      newskg query show queries/evidence-for-entity.rq
    """
    from newskg import api
    from newskg.errors import BuildMissingError

    saved = api.find_query(name, project=_project(ctx))
    click.echo(f"# {saved.path}")
    for spec in saved.params:
        if spec.required:
            when = "required"
        elif spec.optional:
            when = "optional: every value when not given"
        else:
            when = f"default {spec.default}"
        click.echo(f"# -p {spec.name}=...  ({spec.type}, {when}) {spec.description}")
        if spec.type == "report":
            try:
                slugs = ", ".join(api.reports(_project(ctx))) or "none"
            except BuildMissingError:
                slugs = "(no build yet)"
            click.echo(f"#     the build's reports: {slugs}")
    click.echo(saved.text, nl=not saved.text.endswith("\n"))


@query.command("run")
@click.argument("name", required=False, shell_complete=complete_query_name)
@click.option("--query", "query_text", metavar="TEXT",
              help="Run this SPARQL text instead of a saved query (project prefixes added).")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE", shell_complete=complete_param,
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
def run_query(ctx: click.Context, name: str | None, query_text: str | None, params: tuple[str, ...],
              fmt: str | None, limit: int | None, endpoints: Endpoints | None, timeout: float,
              default_graphs: tuple[str, ...], engine: str, level: str, show_query: bool,
              allow_update: bool) -> None:
    """Run a saved query by NAME, a .rq file by path, SPARQL text from stdin (NAME -) or --query.

    \b
    Ad-hoc text gets the project's prefixes and runs like a saved query: the same
    formats, --at levels and engines, and a #+ header's parameters if it has one.
    Formats: table, csv, tsv, json, markdown, xml (SPARQL Query Results XML) for SELECT
    and ASK; turtle, ntriples, jsonld, trig, nquads for CONSTRUCT and DESCRIBE (TriG
    and N-Quads hold the triples in the default graph).

    \b
    Examples:
      newskg query run statements-of-status
      newskg query run intelligence-engagements --at assessed
      newskg query run evidence-for-entity -p entity=nkr:NSI --format json
      newskg query run confirmed-subgraph --format ntriples
      newskg query run claim-counts-by-status --engine rdflib
      newskg query run claim-counts-by-status --endpoint http://localhost:7878 --preset oxigraph
      newskg query run my-query.rq --show-query --limit 10
      newskg query run --query 'SELECT ?s WHERE { ?s a nkg:Claim }' --format xml
      echo 'CONSTRUCT WHERE { ?s a nkg:Risk }' | newskg query run - --format trig
    """
    from newskg import api
    from newskg.errors import UsageError
    from newskg.query.parameters import parse_assignments
    from newskg.query.render import render

    project = _project(ctx)
    options: dict[str, Any] = {"project": project, "params": parse_assignments(params), "limit": limit, "level": level,
                               "default_graphs": list(default_graphs), "allow_update": allow_update}
    if query_text is not None and name is not None:
        raise UsageError("give a query NAME (or - for stdin) or --query TEXT, not both")
    if query_text is not None:
        prepared = api.prepare_text_query(query_text, source="<--query>", **options)
    elif name == "-":
        prepared = api.prepare_text_query(sys.stdin.read(), source="<stdin>", **options)
    elif name is not None:
        prepared = api.prepare_query(name, **options)
    else:
        raise UsageError("missing a query: give a saved query NAME, a .rq file, - for stdin, or --query TEXT")
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

"""CLI commands of the build pipeline: build, check, stats, explain."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from newskg.cli import EXIT_FAILURE


def _root(ctx: click.Context) -> Path:
    return Path(ctx.obj["project"])


def _progress(quiet: bool):
    if quiet:
        return None
    return lambda message: click.echo(f"  {message} ...", err=True)


@click.command()
@click.option("--force", is_flag=True, help="Rebuild even if no input changed.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("--reasoner", type=click.Choice(["rules", "owlrl"]), default="rules", show_default=True,
              help="OWL-RL engine: rules (TBox closed once by owlrl, data by forward chaining; same "
                   "inferences) or owlrl (the reference).")
@click.pass_context
def build(ctx: click.Context, force: bool, quiet: bool, reasoner: str) -> None:
    """Parse, check and reason over the sources; write build/.

    \b
    Reads ontology/**/*.ttl, graph/**/*.ttl (each report in its own named graph) and
    graph/**/*.trig (each claim's content), checks them (OWL 2 RL profile, quality-check
    queries, text anchors, SHACL shapes), sorts the facts by status level, runs the OWL-RL
    closure level by level and writes build/dataset.trig, build/dataset.nq,
    build/graphs/*.nt and build/manifest.json. The previous build stays untouched
    until the new one is complete.

    \b
    Examples:
      newskg build
      newskg build --force
      newskg build --force --reasoner owlrl      # the reference engine, same result, slower
      newskg --project ../another-project build
    """
    from newskg import api

    result = api.build(_root(ctx), force=force, reasoner=reasoner, progress=_progress(quiet))
    for warning in result.warnings:
        click.echo(str(warning), err=True)
    if quiet:
        return
    if result.skipped:
        click.echo(f"build is up to date ({result.build_dir}); use --force to rebuild")
        return
    manifest = result.manifest
    for graph in manifest["graphs"]:
        click.echo(f"{graph['triples']:>8}  {graph['role']:<10}  {graph['iri']}")
    click.echo(f"built {result.build_dir} in {manifest['duration_seconds']:.2f} s "
               f"({manifest['noise_removed']} noise triples left out of the inferred graph)")


@click.command()
@click.option("-q", "--quiet", is_flag=True, help="Print only the problems.")
@click.pass_context
def check(ctx: click.Context, quiet: bool) -> None:
    """Run every quality check and list all problems; exit 1 if any is an error.

    \b
    The checks: OWL 2 RL profile of each ontology module, queries/checks/*-violation.rq
    (each must return no rows), text anchors against each report's source.txt, OWL-RL
    consistency, and the SHACL shapes of ontology/shapes.ttl.

    \b
    Examples:
      newskg check
      newskg check -q || echo "fix the problems above"
    """
    from newskg import api

    problems = api.check(_root(ctx), progress=_progress(quiet))
    for problem in problems:
        click.echo(str(problem))
    errors = sum(1 for p in problems if p.severity == "error")
    if not quiet:
        click.echo(f"{errors} error(s), {len(problems) - errors} warning(s)", err=True)
    if errors:
        sys.exit(EXIT_FAILURE)


@click.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Output format.")
@click.pass_context
def stats(ctx: click.Context, fmt: str) -> None:
    """Figures of the build: triples per graph, classes, individuals, claims by status.

    \b
    Examples:
      newskg stats
      newskg stats --format json
    """
    from newskg import api

    figures = api.stats(_root(ctx))
    if fmt == "json":
        click.echo(json.dumps(figures, indent=2))
        return
    click.echo("triples per graph:")
    for iri, count in figures["graphs"].items():
        click.echo(f"  {count:>8}  {iri}")
    for key in ("classes", "individuals", "claims", "noise_removed"):
        click.echo(f"{key.replace('_', ' ')}: {figures[key]}")
    for key in ("claims_by_status", "claims_by_source_kind"):
        click.echo(f"{key.replace('_', ' ')}:")
        for value, count in figures[key].items():
            click.echo(f"  {count:>8}  {value}")


@click.command()
@click.argument("subject")
@click.argument("predicate")
@click.argument("object", metavar="OBJECT")
@click.pass_context
def explain(ctx: click.Context, subject: str, predicate: str, object: str) -> None:
    """Say why the triple SUBJECT PREDICATE OBJECT holds.

    \b
    For an inferred triple: the OWL-RL rule and its premises, as a tree down to
    asserted triples. For an asserted one: the file that asserts it. Otherwise: that
    it does not hold (exit 1). Terms are CURIEs (nkg:, nkr:, rdf:, ...) or IRIs;
    the object may be a literal in N3 ("text"@en, 15, "2025-04-01"^^xsd:date).

    \b
    Examples:
      newskg explain nkr:ISI rdf:type nkg:GovernmentBody
      newskg explain nkr:Pakistan nkg:hasStateBody nkr:ISI
    """
    from newskg import api

    result = api.explain(subject, predicate, object, project=_root(ctx))
    click.echo(result.render())
    if not result.holds:
        sys.exit(EXIT_FAILURE)

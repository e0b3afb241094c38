"""`newskg diff`: what changed between two builds, per named graph and status level."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from newskg.cli import EXIT_FAILURE
from newskg.diff import DIFF_FORMATS


@click.command()
@click.argument("old_build", required=False, type=click.Path(path_type=Path))
@click.argument("new_build", required=False, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(DIFF_FORMATS), default="table", show_default=True,
              help="table for people; json; trig or nquads: the added and the removed triples of each "
                   "graph as two named graphs; patch: RDF Patch (A/D lines in each graph).")
@click.option("--triples", is_flag=True, help="With the table: list each added (+) and removed (-) triple.")
@click.option("--fail-on-change", is_flag=True, help="Exit 1 when anything changed (for CI).")
@click.pass_context
def diff(ctx: click.Context, old_build: Path | None, new_build: Path | None, fmt: str, triples: bool,
         fail_on_change: bool) -> None:
    """Show the triples added and removed between two builds, per graph and level.

    \b
    OLD_BUILD defaults to build.prev/, the build that the last build replaced (kept by
    every build that replaces another); NEW_BUILD to build/. Asserted and inferred
    triples are counted per named graph, summed per status level, and grouped by
    predicate and, for rdf:type, by class. Build, edit the ontology, build again, and
    diff shows which derived facts the edit adds or removes, at which level.

    \b
    Exit status: 0 compared; 1 something changed (with --fail-on-change) or a build
    is damaged; 2 a folder is not a build, or the two builds have different formats.

    \b
    Examples:
      newskg diff
      newskg diff --triples
      newskg diff old-build/ build/ --format json
      newskg diff --format patch > change.rdfp
      newskg diff ci/baseline-build build --fail-on-change
    """
    from newskg import api
    from newskg.diff import render_diff

    result = api.diff(old_build, new_build, project=ctx.find_root().obj["project"])
    click.echo(render_diff(result, fmt, triples=triples), nl=False)
    if fail_on_change and result.changed:
        sys.exit(EXIT_FAILURE)

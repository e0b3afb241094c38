"""CLI command `anchor`: find a quote's offsets in a report's text, print a Turtle anchor."""

from __future__ import annotations

from pathlib import Path

import click

from newskg.errors import InputMissingError


@click.command()
@click.argument("slug")
@click.argument("quote")
@click.option("--occurrence", type=click.IntRange(min=1), default=None,
              help="Which occurrence (1-based) when the quote occurs more than once.")
@click.option("--anchor", "anchor_name", default="art:ANCHOR", show_default=True,
              help="CURIE of the anchor node in the snippet.")
@click.option("--claim", default=None, help="CURIE of the claim; adds its nkg:hasAnchor line.")
@click.option("--project", "project_option", type=click.Path(file_okay=False, path_type=str),
              default=None, help="Project folder (overrides the group's --project).")
@click.pass_context
def anchor(ctx: click.Context, slug: str, quote: str, occurrence: int | None,
           anchor_name: str, claim: str | None, project_option: str | None) -> None:
    """Locate QUOTE in graph/SLUG/source.txt; print its offsets and a Turtle anchor.

    \b
    Example:
      newskg anchor pakistan-bangladesh-links-2025 "sources said" --claim art:c-military-exchanges
    """
    from newskg.build.anchors import locate_quote, render_anchor_turtle  # rdflib: only when used

    project = Path(project_option or ctx.obj["project"])
    source = project / "graph" / slug / "source.txt"
    if not source.is_file():
        raise InputMissingError(f"no stored text for report {slug!r}: {source} is missing")
    text = source.read_text(encoding="utf-8")
    start, end, prefix, suffix = locate_quote(text, quote, occurrence)
    click.echo(f"# {source}: start {start}, end {end} (end exclusive, code points)")
    click.echo(render_anchor_turtle(anchor_name, quote, start, end, prefix, suffix, claim=claim), nl=False)

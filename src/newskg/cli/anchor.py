"""CLI command `anchor`: find quotes' offsets in a report's text, print their Turtle anchors."""

from __future__ import annotations

import click


@click.command()
@click.argument("slug")
@click.argument("quotes", nargs=-1, metavar="[QUOTE]...")
@click.option("--from", "from_file", type=click.File("r", encoding="utf-8"), default=None, metavar="FILE",
              help="Read quotes from FILE, one a line (- for stdin); with any QUOTE arguments.")
@click.option("--occurrence", type=click.IntRange(min=1), default=None,
              help="Which occurrence (1-based) when a quote occurs more than once.")
@click.option("--claim", "claims", multiple=True, metavar="CURIE",
              help="The claim: one for every quote, or one per quote in order; adds nkg:hasAnchor lines "
                   "and names each anchor CLAIM-aN.")
@click.option("--anchor", "anchor_name", default=None, metavar="CURIE",
              help="The anchor's name (the stem of NAME-1, NAME-2 for several quotes).  "
                   "[default: CLAIM-aN, else art:ANCHOR]")
@click.option("--no-prefixes", is_flag=True, help="Leave out the @prefix lines (to append to a report file).")
@click.option("--project", "project_option", type=click.Path(file_okay=False, path_type=str),
              default=None, help="Project folder (overrides the group's --project).")
@click.pass_context
def anchor(ctx: click.Context, slug: str, quotes: tuple[str, ...], from_file, occurrence: int | None,
           claims: tuple[str, ...], anchor_name: str | None, no_prefixes: bool,
           project_option: str | None) -> None:
    """Locate each QUOTE in graph/SLUG/source.txt; print the Turtle of their anchors.

    \b
    A quote must occur exactly once (or name --occurrence); a quote the text does not hold
    gets the nearest words it does (curly vs straight quotes, dashes, spacing; else the most
    alike passage). Every quote is checked before anything is printed (exit 2 otherwise).

    \b
    Examples:
      newskg anchor pakistan-bangladesh-links-2025 "sources said" --claim art:c-military-exchanges
      newskg anchor my-report "first quote" "second quote" --claim art:claim-a --claim art:claim-b
      newskg anchor my-report --from quotes.txt --claim art:claim-a --no-prefixes >> graph/my-report/anchors.ttl
    """
    from newskg import api

    found = list(quotes)
    if from_file is not None:
        found += [line.strip() for line in from_file.read().splitlines() if line.strip()]
    snippet = api.anchor(slug, found, project=project_option or ctx.obj["project"], claims=list(claims),
                         anchor_name=anchor_name, occurrence=occurrence, prefixes=not no_prefixes)
    click.echo(snippet.turtle, nl=False)

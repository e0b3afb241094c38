"""`newskg describe`: one ontology term, as docs/ontology.md documents it."""

from __future__ import annotations

import click


@click.command()
@click.argument("term")
@click.pass_context
def describe(ctx: click.Context, term: str) -> None:
    """Describe one ontology TERM: what docs/ontology.md says about it.

    \b
    TERM is a CURIE (nkg:IntelligenceAgency), an IRI, or a name in nkg: (Visit). Prints
    its label, definition, CAMEO code, super and sub terms, domain and range, and its
    instances (classes) or uses (properties, values) in build/ at each status level.
    An unknown term names the closest ones and exits 2.

    \b
    Examples:
      newskg describe nkg:IntelligenceAgency
      newskg describe nkg:belongsToState
      newskg describe Visit
    """
    from newskg import api

    click.echo(api.describe(term, project=ctx.obj["project"]).render(), nl=False)

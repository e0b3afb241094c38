"""CLI command `new-report`: start a report folder from its text."""

from __future__ import annotations

import click


@click.command("new-report")
@click.argument("slug")
@click.option("--source", "source", required=True, type=click.File("rb"), metavar="FILE",
              help="The report's text, UTF-8 (- reads stdin).")
@click.option("--title", help="The headline (default: the text's first line).")
@click.option("--author", "authors", multiple=True,
              help="An author's name (becomes nkr:CamelCaseName, labelled) or a CURIE nkr:Name; repeatable.")
@click.option("--publisher", help="The publisher's name or CURIE, as --author.")
@click.option("--date", "date_value", metavar="DATE",
              help="Publication date, 2026-01-15 or 2026-01-15T09:30:00+05:30 (schema:datePublished).")
@click.option("--url", help="Where the text was copied from (dct:source of the article).")
@click.option("--start-at", metavar="LINE", help="Keep the text from the first line reading LINE (e.g. the headline).")
@click.option("--end-before", metavar="LINE", help="Cut the text from the first line reading LINE on (e.g. a footer's).")
@click.pass_context
def new_report(ctx: click.Context, slug: str, source, title: str | None, authors: tuple[str, ...],
               publisher: str | None, date_value: str | None, url: str | None, start_at: str | None,
               end_before: str | None) -> None:
    """Create graph/SLUG/ from the report's text: source.txt, document.ttl and empty encoding files.

    \b
    The text is stored as the first report's is: UTF-8, NFC, LF line ends, one newline at the
    end; page chrome is cut where --start-at and --end-before say. The empty report builds; fill
    in claims.ttl, nodes.ttl, anchors.ttl (see `newskg anchor`) and content.trig. SLUG is the
    folder and the last segment of the report's IRIs: lower-case letters, digits and '-'. An
    existing or unsafe SLUG is refused (exit 2) and nothing is written.

    \b
    Examples:
      newskg new-report dhaka-visit-2026 --source page.txt --title "Dhaka hosts talks" \\
          --author "Jane Doe" --publisher "The Daily Example" --date 2026-01-15
      newskg new-report pakistan-bangladesh-links-2025 --source saved-page.txt \\
          --start-at "Pakistan and Bangladesh Quietly Rebuild Intelligence and Defence Links" \\
          --end-before "Most Popular"
    """
    from newskg import api

    name = getattr(source, "name", None)
    created = api.new_report(slug, name if isinstance(name, str) else "<stdin>", project=ctx.obj["project"],
                             text=source.read(), title=title, authors=authors, publisher=publisher,
                             date=date_value, url=url, start_at=start_at, end_before=end_before)
    click.echo(f"created {created.folder}")
    for path in created.files:
        click.echo(f"  {path.name}")
    for change in created.changes:
        click.echo(f"  text: {change}", err=True)
    click.echo(f"next: newskg anchor {slug} \"QUOTE\" --claim art:claim-NAME --no-prefixes "
               f">> graph/{slug}/anchors.ttl", err=True)

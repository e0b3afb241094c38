"""`newskg report`: the build's reports as one self-contained HTML page."""

from __future__ import annotations

import click

#: Spelled here so the CLI starts without the library; a test checks it equals newskg.namespaces.LEVELS.
LEVEL_CHOICES = ("confirmed", "reported", "assessed")


@click.command()
@click.argument("slugs", nargs=-1, metavar="[SLUG]...")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=str),
              help="The HTML file to write (replaced whole, only once everything was read).")
@click.option("--at", "level", type=click.Choice(LEVEL_CHOICES), default="confirmed", show_default=True,
              help="The level the page's 'How sure' switch starts at; the page can change it.")
@click.option("--summary", is_flag=True, help="Also print a one-screen summary of the reports.")
@click.pass_context
def report(ctx: click.Context, slugs: tuple[str, ...], output: str, level: str, summary: bool) -> None:
    """Write the analyst's view of the build's reports (all, or each SLUG) to one HTML file.

    The article text with every claim highlighted by status, the claims by status, a
    timeline of dated engagements, an actor map, counts, and what inference added per
    level. It is read from the build (run `newskg build` first) and opens offline.

    \b
    Examples:
      newskg report -o report.html
      newskg report pakistan-bangladesh-links-2025 -o pb.html --at reported
      newskg report -o build/report.html --summary
    """
    from newskg import report as report_api

    written = report_api.write_report(ctx.find_root().obj["project"], output, list(slugs), level=level)
    count = len(written.reports)
    click.echo(f"wrote {written.path} ({count} report{'s' if count != 1 else ''})")
    if summary:
        click.echo(report_api.format_summary(report_api.summarize(written.reports)), nl=False)

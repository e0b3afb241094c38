"""`newskg docs`: regenerate the README's CLI reference and saved-query table."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from newskg.cli import EXIT_FAILURE, main


def cli_reference(group: click.Group = main) -> str:
    """Markdown of every command's --help, in the order a reader meets them."""
    parts: list[str] = []

    def walk(command: click.Command, path: list[str]) -> None:
        info = click.Context(command, info_name=" ".join(path), terminal_width=100)
        parts.append(f"### `{' '.join(path)}`\n\n```\n{command.get_help(info).rstrip()}\n```\n")
        if isinstance(command, click.Group):
            for name in command.list_commands(info):
                walk(command.get_command(info, name), path + [name])

    walk(group, ["newskg"])
    return "\n".join(parts)


@main.command()
@click.option("--check", is_flag=True, help="Exit 1 if README.md is out of date; change nothing.")
@click.pass_context
def docs(ctx: click.Context, check: bool) -> None:
    """Regenerate the generated sections of README.md (CLI reference, saved queries).

    \b
    Examples:
      newskg docs            # rewrite README.md in place
      newskg docs --check    # what the tests run
    """
    from newskg.docs import update_document
    from newskg.queries import catalog_markdown, list_saved_queries

    root = Path(ctx.obj["project"])
    sections = {"cli-reference": cli_reference(), "saved-queries": catalog_markdown(list_saved_queries(root / "queries"))}
    stale = update_document(root / "README.md", sections, check=check)
    if check and stale:
        click.echo("README.md is out of date: run `newskg docs`", err=True)
        sys.exit(EXIT_FAILURE)
    click.echo("README.md is up to date" if not stale else "README.md updated")

"""`newskg docs`: regenerate the README's CLI reference and saved-query table, and the ontology docs."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from newskg.cli import EXIT_FAILURE


def cli_reference(group: click.Group | None = None) -> str:
    """Markdown of every command's --help, in the order a reader meets them."""
    from newskg.cli import main

    group = group or main
    parts: list[str] = []

    def walk(command: click.Command, name: str, parent: click.Context | None) -> None:
        # Contexts are chained as in a real invocation, so settings the group passes down
        # (help option names, width) show the same whatever ran before.
        settings = {} if parent else {"terminal_width": 100, **group.context_settings}
        info = click.Context(command, info_name=name, parent=parent, **settings)
        path = info.command_path
        parts.append(f"### `{path}`\n\n```\n{command.get_help(info).rstrip()}\n```\n")
        if isinstance(command, click.Group):
            for sub in command.list_commands(info):
                subcommand = command.get_command(info, sub)
                assert subcommand is not None, f"{path} lists {sub} but cannot load it"
                walk(subcommand, sub, info)

    walk(group, "newskg", None)
    return "\n".join(parts)


@click.command()
@click.option("--check", is_flag=True, help="Exit 1 if a generated document is out of date; change nothing.")
@click.pass_context
def docs(ctx: click.Context, check: bool) -> None:
    """Regenerate the generated docs: README.md's sections, docs/ontology.md and .html.

    \b
    README.md: the CLI reference and the saved-query table. docs/ontology.md (with
    Mermaid diagrams) and docs/ontology.html: every ontology term, with how much the
    build uses it; build/ is built first when it is not current (as `newskg build`).

    \b
    Examples:
      newskg docs            # rewrite them in place
      newskg docs --check    # what the tests run
    """
    from newskg import api
    from newskg.docs import update_document
    from newskg.query.catalog import catalog_markdown, list_saved_queries

    root = Path(ctx.obj["project"])
    sections = {"cli-reference": cli_reference(),
                "saved-queries": catalog_markdown(list_saved_queries(root / "queries"))}
    stale = ["README.md"] if update_document(root / "README.md", sections, check=check) else []
    # The usage counts need a build of the current sources; an up-to-date build is not redone.
    api.build(root)
    for relpath, text in api.ontology_docs(root).items():
        path = root / relpath
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(relpath)
        if not check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    if check and stale:
        click.echo(f"out of date: {', '.join(stale)}: run `newskg docs`", err=True)
        sys.exit(EXIT_FAILURE)
    click.echo(f"updated {', '.join(stale)}" if stale else "the generated docs are up to date")

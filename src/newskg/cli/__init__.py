"""The `newskg` command line: a thin click shell over the library.

Every command parses options, calls one library function and renders the
result. Library errors (newskg.errors) become messages here, in one place.
"""

from __future__ import annotations

import sys

import click

from newskg.errors import NewskgError

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


#: Command name -> "module:function". Modules are imported only when their command runs
#: (or help lists them), so `newskg query run` does not pay for the HTTP stack of `load`.
COMMANDS = {
    "build": "newskg.cli.build:build",
    "check": "newskg.cli.build:check",
    "stats": "newskg.cli.build:stats",
    "explain": "newskg.cli.build:explain",
    "anchor": "newskg.cli.anchor:anchor",
    "new-report": "newskg.cli.new_report:new_report",
    "query": "newskg.cli.query:query",
    "load": "newskg.cli.load:load",
    "docs": "newskg.cli.docs:docs",
    "diff": "newskg.cli.diff:diff",
    "describe": "newskg.cli.describe:describe",
    "report": "newskg.cli.report:report",
    "serve": "newskg.cli.serve:serve",
}


class NewskgGroup(click.Group):
    """A click group that loads its commands lazily and turns library errors into
    one-line messages and exit codes."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMANDS))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in COMMANDS:
            import importlib

            module, _, attr = COMMANDS[name].partition(":")
            return getattr(importlib.import_module(module), attr)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except NewskgError as err:
            if ctx.find_root().params.get("debug"):
                raise
            click.echo(f"error: {err}", err=True)
            sys.exit(err.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)


@click.group(cls=NewskgGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show Python tracebacks for errors.")
@click.option(
    "--project",
    type=click.Path(file_okay=False, path_type=str),
    default=".",
    show_default=True,
    envvar="NEWSKG_PROJECT",
    help="Project folder holding ontology/, graph/, queries/ and build/ (env NEWSKG_PROJECT).",
)
@click.version_option(package_name="newskg")
@click.pass_context
def main(ctx: click.Context, debug: bool, project: str) -> None:
    """newskg: hedged, attributed news reports as a queryable RDF knowledge graph.

    \b
    Typical session:
      newskg build                      # parse, check, reason, write build/
      newskg query list                 # the saved queries
      newskg query run statements-of-status --format markdown
      newskg explain nkr:ISI rdf:type nkg:GovernmentBody
    """
    ctx.ensure_object(dict)
    ctx.obj["project"] = project
    ctx.obj["debug"] = debug

"""The `newskg` command line: a thin click shell over the library.

Every command parses options, calls one library function and renders the
result. Library errors (newskg.errors) become messages here, in one place, as
``error: ...`` on stderr with their exit code (1 failure, 2 usage). The system's
errors (a file that cannot be read or written, memory) become messages too, and
anything else an "internal error" line: a user never sees a traceback unless
they ask with --debug, and no password is printed either way (``redact``).
"""

from __future__ import annotations

import signal
import sys
import threading

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


#: Set by our Ctrl-C handler for the command running: kept even when the KeyboardInterrupt the
#: handler raised is lost (CPython drops an exception raised inside a finaliser, such as a
#: generator being closed, with an "Exception ignored" line), so a long command can still stop.
INTERRUPTED = threading.Event()


def raise_if_interrupted() -> None:
    """Raise KeyboardInterrupt if Ctrl-C was pressed during this command (a long command calls
    this between its stages, e.g. through its progress callback)."""
    if INTERRUPTED.is_set():
        raise KeyboardInterrupt


def _on_interrupt(signum, frame) -> None:
    INTERRUPTED.set()
    raise KeyboardInterrupt


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
        INTERRUPTED.clear()
        handled = threading.current_thread() is threading.main_thread()  # only there can it be set
        previous = signal.signal(signal.SIGINT, _on_interrupt) if handled else None
        try:
            return self._invoke(ctx)
        finally:
            if handled and previous is not None:  # None: a handler not set from Python, left alone
                signal.signal(signal.SIGINT, previous)

    def _invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise  # click's own usage errors: click prints them (exit 2)
        except NewskgError as err:
            _fail(ctx, str(err), err.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:
            _quiet_stdout()  # the reader went away (`| head`): nothing left to say, and no one to say it to
            sys.exit(EXIT_FAILURE)
        except MemoryError as err:
            _fail(ctx, f"out of memory ({err or 'no detail'}); a limit (NEWSKG_MAX_*_BYTES) or --limit "
                       "keeps an answer smaller", EXIT_FAILURE)
        except OSError as err:
            _fail(ctx, _os_error(err), EXIT_FAILURE)
        except Exception as err:  # the last resort: a message, never a bare traceback
            _fail(ctx, f"internal error ({type(err).__name__}: {err}); this is a newskg bug: rerun with "
                       "--debug for the traceback and report it", EXIT_FAILURE)


def _fail(ctx: click.Context, message: str, code: int) -> None:
    """Print one error (the traceback too with --debug), with secrets masked, and exit with ``code``."""
    if ctx.find_root().params.get("debug"):
        import traceback

        click.echo(redact(traceback.format_exc()).rstrip(), err=True)
    click.echo(f"error: {redact(message)}", err=True)
    sys.exit(code)


def redact(text: str) -> str:
    """``text`` with any password masked: the user info of URLs, and NEWSKG_PASSWORD's value.

    The library never puts a password in a message; this is the second line of defence, for
    text it did not write (a library's exception, a traceback).
    """
    import os
    import re

    text = re.sub(r"([A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]*@", r"\1***@", text)
    password = os.environ.get("NEWSKG_PASSWORD")
    if password:
        text = text.replace(password, "***")
    return text


def _os_error(err: OSError) -> str:
    """An OSError as ``FILE: reason; what to do``."""
    import errno

    hint = {errno.EACCES: "check its permissions", errno.EPERM: "check its permissions",
            errno.ENOSPC: "free some disk space", errno.EROFS: "it is on a read-only filesystem",
            errno.ENOENT: "it does not exist", errno.ELOOP: "a symbolic link loops",
            errno.EISDIR: "a folder where a file was expected", errno.ENOTDIR: "a file where a folder was expected",
            }.get(err.errno or 0, "")
    where = f"{err.filename}: " if err.filename else ""
    return f"{where}{err.strerror or err}" + (f"; {hint}" if hint else "")


def _quiet_stdout() -> None:
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


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

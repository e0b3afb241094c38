"""Where the `newskg` command starts: before click, the CLI and the library are imported.

A short command is mostly start-up: an entity query on a million-triple build takes ~0.3 s
as a whole process, ~0.1 s of it the query. Importing click, the CLI and the library makes
tens of thousands of objects that live until the process ends, and Python's cyclic garbage
collector walks them over and over while they are made, and once more at exit. So collection
is off while they are imported, and they are then frozen (`gc.freeze`: moved to a generation
that is never collected), so that the command's own collections walk only what the command
makes. Measured on the 1M build's entity query: ~15 ms less a command (benchmarks/query_startup.py).
Nothing made after the imports is frozen, so a long build collects its garbage as before.
"""

from __future__ import annotations

import gc


def main() -> None:
    """Run the `newskg` command line (`newskg.cli.main`) with its imports frozen out of the
    garbage collector's work."""
    gc.disable()
    try:
        from newskg.cli import main as cli_main
    finally:
        gc.freeze()
        gc.enable()
    cli_main()

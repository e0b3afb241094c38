"""Size limits that keep a hostile or mistaken input from becoming a crash, a hang or a
build no store can read; each one configurable by an environment variable.

Why each default:

- ``NEWSKG_MAX_INPUT_BYTES`` (16 MiB): one input file (.ttl, .trig, source.txt, .rq). A
  report's encoding is tens of KB and its text a few; rdflib parses ~1 MB of Turtle in
  seconds, so a 50 MB file would hold a build for minutes before any error.
- ``NEWSKG_MAX_LITERAL_BYTES`` (1 MiB): one literal of the sources. pyoxigraph refuses a
  term over 16 MiB, so without a limit far below that a build would succeed and every
  query on it fail; no quote or note in a report comes near 1 MiB.
- ``NEWSKG_MAX_RESPONSE_BYTES`` (64 MiB): one answer, from a store or a local engine. A
  result is parsed into Python objects several times its size; a bigger one wants
  ``--limit`` or the store's own tools.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from newskg.errors import UsageError

MiB = 1024 * 1024

DEFAULTS = {
    "NEWSKG_MAX_INPUT_BYTES": 16 * MiB,
    "NEWSKG_MAX_LITERAL_BYTES": 1 * MiB,
    "NEWSKG_MAX_RESPONSE_BYTES": 64 * MiB,
}


def limit(name: str, environ: Mapping[str, str] | None = None) -> int:
    """The limit ``name`` (one of DEFAULTS): the environment's value, else the default.

    Raises UsageError when the variable is set to anything but a positive integer.
    """
    env = os.environ if environ is None else environ
    raw = env.get(name, "").strip()
    if not raw:
        return DEFAULTS[name]
    try:
        value = int(raw.replace("_", ""))
    except ValueError:
        value = 0
    if value <= 0:
        raise UsageError(f"{name} must be a positive number of bytes, not {raw!r}")
    return value


def max_input_bytes() -> int:
    """Largest input file read (NEWSKG_MAX_INPUT_BYTES)."""
    return limit("NEWSKG_MAX_INPUT_BYTES")


def max_literal_bytes() -> int:
    """Largest literal a build accepts (NEWSKG_MAX_LITERAL_BYTES)."""
    return limit("NEWSKG_MAX_LITERAL_BYTES")


def max_response_bytes() -> int:
    """Largest answer read from a store or built by a local engine (NEWSKG_MAX_RESPONSE_BYTES)."""
    return limit("NEWSKG_MAX_RESPONSE_BYTES")


def describe(size: int) -> str:
    """A byte count for messages: ``1 MiB``, ``52.4 MB`` style, exact below 1 KiB."""
    if size >= MiB and size % MiB == 0:
        return f"{size // MiB} MiB"
    if size >= 1000 * 1000:
        return f"{size / 1e6:.1f} MB"
    if size >= 1000:
        return f"{size / 1e3:.1f} kB"
    return f"{size} bytes"

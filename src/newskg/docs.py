"""Generated parts of the README: sections between marker comments, rewritten in place.

A section is `<!-- BEGIN name -->` ... `<!-- END name -->`. Generating them from the
code (the CLI's --help, the saved queries' headers) keeps the README from going stale;
a test fails when the committed README differs from what would be generated.
"""

from __future__ import annotations

import re
from pathlib import Path

from newskg.errors import NewskgError


def replace_section(document: str, name: str, body: str) -> str:
    """The document with the named marker section's body replaced."""
    pattern = re.compile(
        rf"(<!-- BEGIN {re.escape(name)} -->\n)(.*?)(<!-- END {re.escape(name)} -->)", re.DOTALL
    )
    if not pattern.search(document):
        raise NewskgError(f"README has no section markers for {name!r}")
    return pattern.sub(lambda m: m.group(1) + body.rstrip("\n") + "\n" + m.group(3), document, count=1)


def update_document(path: Path, sections: dict[str, str], check: bool = False) -> bool:
    """Rewrite the sections of `path`; with `check`, only report whether it is stale.

    Returns True when the file is (or was) out of date.
    """
    original = path.read_text(encoding="utf-8")
    updated = original
    for name, body in sections.items():
        updated = replace_section(updated, name, body)
    stale = updated != original
    if stale and not check:
        path.write_text(updated, encoding="utf-8")
    return stale

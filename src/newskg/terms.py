"""The syntax of RDF terms in SPARQL and N-Triples text, spelled once: which IRIs can be
written between ``<...>``, and how a string is escaped inside ``"..."``."""

from __future__ import annotations

import re

#: Characters an IRIREF may not hold (SPARQL 1.1 grammar, rule IRIREF; N-Triples), plus backslash.
IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
IRI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


def is_absolute_iri(text: str) -> bool:
    """True for an absolute IRI that can be written between <...> in SPARQL and N-Triples."""
    return bool(IRI_SCHEME.match(text)) and not IRI_FORBIDDEN.search(text)


def escape_string(value: str) -> str:
    """The body of a quoted SPARQL / N-Triples string for ``value``.

    ECHAR escapes only: a ``\\u`` escape would be unescaped by some parsers before tokenizing,
    so a value holding one could change the text around it.
    """
    return (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            .replace("\r", "\\r").replace("\t", "\\t"))

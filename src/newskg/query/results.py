"""Query results as one model whatever engine answered: terms, rows, booleans, triples.

Literals are normalised (xsd:string and rdf:langString dropped, language tags lower-cased)
so the same answer compares equal from pyoxigraph, rdflib or a remote store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from newskg.errors import NewskgError
from newskg.namespaces import PREFIXES

_XSD_STRING = PREFIXES["xsd"] + "string"
_RDF_LANGSTRING = PREFIXES["rdf"] + "langString"


class Term(NamedTuple):
    """An RDF term as the SPARQL results formats see it: kind uri | literal | bnode.

    Literals keep a datatype only when it is not xsd:string, and a language tag when
    they have one, so the same literal compares equal whichever engine produced it.

    A named tuple rather than a frozen dataclass: an answer makes one a distinct term (979
    for an entity query at a million triples), and a tuple is made several times faster
    than a frozen dataclass instance, as is the class itself when `query run` starts.
    """

    kind: str
    value: str
    datatype: str | None = None
    lang: str | None = None

    @staticmethod
    def literal(value: str, datatype: str | None = None, lang: str | None = None) -> Term:
        """A literal with its datatype normalised (xsd:string and rdf:langString dropped)."""
        if lang:
            return Term("literal", value, None, lang.lower())
        if datatype in (_XSD_STRING, _RDF_LANGSTRING):
            datatype = None
        return Term("literal", value, datatype, None)


@dataclass
class SelectResult:
    """Rows of a SELECT: variable names and one dict (name -> Term, unbound names absent) a row."""

    variables: list[str]
    rows: list[dict[str, Term]]


@dataclass
class AskResult:
    """The answer of an ASK query."""

    value: bool


@dataclass
class GraphResult:
    """The triples of a CONSTRUCT or DESCRIBE query."""

    triples: list[tuple[Term, Term, Term]] = field(default_factory=list)


Result = SelectResult | AskResult | GraphResult


def term_from_oxigraph(term) -> Term:
    """A pyoxigraph term as a result Term."""
    import pyoxigraph

    if isinstance(term, pyoxigraph.NamedNode):
        return Term("uri", term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return Term("bnode", term.value)
    if isinstance(term, pyoxigraph.Literal):
        return Term.literal(term.value, term.datatype.value, term.language)
    raise NewskgError(f"unsupported term in a result: {term!r}")

"""Every namespace, prefix and named-graph IRI of the project, defined once.

Other modules import from here; nothing else spells out an IRI base.
The rdflib objects (NKG, NKR, RDF, ..., INFERRED_GRAPH) are built on first use (PEP 562),
so importing this module does not import rdflib: `newskg query run` starts in a few
tens of milliseconds.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rdflib import Graph, Namespace, URIRef

BASE = "https://w3id.org/newskg/"
GRAPH_BASE = BASE + "graph/"
ARTICLE_GRAPH_BASE = GRAPH_BASE + "article/"

#: Prefixes used in Turtle output, SPARQL text and CURIE expansion.
PREFIXES: dict[str, str] = {
    "nkg": BASE + "ontology#",
    "nkr": BASE + "resource/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "sh": "http://www.w3.org/ns/shacl#",
    "dct": "http://purl.org/dc/terms/",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "time": "http://www.w3.org/2006/time#",
    "sem": "http://semanticweb.cs.vu.nl/2009/11/sem/",
    "gaf": "http://groundedannotationframework.org/gaf#",
    "grasp": "http://groundedannotationframework.org/grasp#",
    "graspf": "http://groundedannotationframework.org/grasp/factuality#",
    "schema": "http://schema.org/",
    "wd": "http://www.wikidata.org/entity/",
}

#: Namespaces whose terms are the modelling language itself, not domain terms.
VOCABULARY_NAMESPACES: tuple[str, ...] = tuple(PREFIXES[p] for p in ("rdf", "rdfs", "owl", "xsd"))

_PROJECT_NAMESPACES = {"NKG": "nkg", "NKR": "nkr", "ORG": "org", "PROV": "prov", "OA": "oa", "TIME": "time",
                       "SEM": "sem", "GAF": "gaf", "GRASP": "grasp", "GRASP_FACT": "graspf", "SCHEMA": "schema",
                       "WD": "wd"}
_RDFLIB_NAMESPACES = {"RDF": "RDF", "RDFS": "RDFS", "OWL": "OWL", "XSD": "XSD", "SKOS": "SKOS", "SH": "SH",
                      "DCT": "DCTERMS"}
_GRAPHS = {"ONTOLOGY_GRAPH": "ontology", "BACKGROUND_GRAPH": "background"}

#: How sure a query wants to be, strongest first (docs/status-levels.md). A level's default graph
#: holds the facts and inferences of that level and of every level before it in this tuple.
LEVELS: tuple[str, ...] = ("confirmed", "reported", "assessed")
FACTS_GRAPH_BASE = GRAPH_BASE + "facts/"
INFERRED_GRAPH_BASE = GRAPH_BASE + "inferred/"


def __getattr__(name: str):
    # Built on first use and cached in the module, so only callers that need rdflib pay for it.
    value: object
    if name in _PROJECT_NAMESPACES:
        from rdflib import Namespace

        value = Namespace(PREFIXES[_PROJECT_NAMESPACES[name]])
    elif name in _RDFLIB_NAMESPACES:
        import rdflib.namespace

        value = getattr(rdflib.namespace, _RDFLIB_NAMESPACES[name])
    elif name in _GRAPHS:
        from rdflib import URIRef

        value = URIRef(GRAPH_BASE + _GRAPHS[name])
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def article_graph(slug: str) -> URIRef:
    """The named graph IRI of one report, from its folder name under graph/."""
    from rdflib import URIRef

    return URIRef(ARTICLE_GRAPH_BASE + slug)


def facts_graph(level: str) -> URIRef:
    """The named graph of the asserted fact triples whose level is ``level``."""
    from rdflib import URIRef

    return URIRef(FACTS_GRAPH_BASE + level)


def inferred_graph(level: str) -> URIRef:
    """The named graph of what OWL-RL derives at ``level`` and at no stronger level."""
    from rdflib import URIRef

    return URIRef(INFERRED_GRAPH_BASE + level)


def article_resource_namespace(slug: str) -> Namespace:
    """The namespace for one report's own nodes (facts, claims, anchors)."""
    from rdflib import Namespace

    return Namespace(f"{BASE}resource/{slug}/")


#: A report's document (the nkg:NewsArticle its claims are nkg:reportedIn) is art:article:
#: `newskg new-report` writes it so, and the ``report`` query parameter relies on it.
REPORT_DOCUMENT_NAME = "article"


def report_document(slug: str) -> str:
    """The IRI of report ``slug``'s document: ``nkr:<slug>/article``."""
    return f"{BASE}resource/{slug}/{REPORT_DOCUMENT_NAME}"


def report_of_document(iri: str) -> str | None:
    """The slug of the report whose document ``iri`` is, or None when it is no report's document."""
    base = BASE + "resource/"
    slug, sep, name = iri[len(base):].partition("/") if iri.startswith(base) else ("", "", "")
    return slug if sep and slug and name == REPORT_DOCUMENT_NAME else None


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the project's prefixes on an rdflib graph (for readable output)."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)
    return graph


def sparql_prologue() -> str:
    """PREFIX declarations for every project prefix, to prepend to query text."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def expand_iri(text: str) -> str:
    """Turn ``nkg:Claim``, ``<http://...>`` or ``http://...`` into an IRI string (no rdflib).

    Raises ValueError for an unknown prefix or something that is no IRI.
    """
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        return text[1:-1]
    if "://" in text or text.startswith("urn:"):
        return text
    prefix, sep, local = text.partition(":")
    if not sep:
        raise ValueError(f"not a CURIE or IRI: {text!r}")
    if prefix not in PREFIXES:
        known = ", ".join(sorted(PREFIXES))
        raise ValueError(f"unknown prefix {prefix!r} in {text!r}; known prefixes: {known}")
    return PREFIXES[prefix] + local


def expand_curie(text: str) -> URIRef:
    """`expand_iri` as an rdflib URIRef."""
    from rdflib import URIRef

    return URIRef(expand_iri(text))


def shorten(iri: str) -> str:
    """The CURIE for an IRI under a known prefix, or the IRI in angle brackets.

    For display. A report's own nodes come out as ``nkr:<slug>/<name>``: not a strict
    SPARQL prefixed name (the slash), but short, and it reads back through
    `expand_iri`, so it can be pasted into ``-p entity=...`` or ``newskg explain``.
    """
    return _shorten(str(iri))


@functools.lru_cache(maxsize=1 << 16)
def _shorten(iri: str) -> str:
    # Cached: a table of thousands of rows names the same few thousand IRIs again and again.
    best = ""
    for prefix, base in PREFIXES.items():
        if iri.startswith(base) and len(base) > len(best):
            best, chosen = base, prefix
    if best:
        local = iri[len(best):]
        # \w is str.isalnum() or "_", character by character (sre's Unicode word class)
        if local and _LOCAL_NAME.fullmatch(local) and not local.endswith((".", "/")):
            return f"{chosen}:{local}"
    return f"<{iri}>"


_LOCAL_NAME = re.compile(r"[\w\-./]+")

"""Every namespace, prefix and named-graph IRI of the project, defined once.

Other modules import from here; nothing else spells out an IRI base.
"""

from __future__ import annotations

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD, DCTERMS, SH

BASE = "https://w3id.org/newskg/"

#: The project's ontology (TBox) terms: classes, properties, concept schemes.
NKG = Namespace(BASE + "ontology#")
#: Shared individuals that outlive one report (states, agencies, ministries).
NKR = Namespace(BASE + "resource/")
#: Named graphs.
GRAPH_BASE = BASE + "graph/"

ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")
OA = Namespace("http://www.w3.org/ns/oa#")
TIME = Namespace("http://www.w3.org/2006/time#")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
GAF = Namespace("http://groundedannotationframework.org/gaf#")
GRASP = Namespace("http://groundedannotationframework.org/grasp#")
GRASP_FACT = Namespace("http://groundedannotationframework.org/grasp/factuality#")
SCHEMA = Namespace("http://schema.org/")
DCT = DCTERMS
WD = Namespace("http://www.wikidata.org/entity/")

ONTOLOGY_GRAPH = URIRef(GRAPH_BASE + "ontology")
BACKGROUND_GRAPH = URIRef(GRAPH_BASE + "background")
INFERRED_GRAPH = URIRef(GRAPH_BASE + "inferred")
ARTICLE_GRAPH_BASE = GRAPH_BASE + "article/"


def article_graph(slug: str) -> URIRef:
    """The named graph IRI of one report, from its folder name under graph/."""
    return URIRef(ARTICLE_GRAPH_BASE + slug)


def article_resource_namespace(slug: str) -> Namespace:
    """The namespace for one report's own nodes (facts, claims, anchors)."""
    return Namespace(f"{BASE}resource/{slug}/")


#: Prefixes used in Turtle output, SPARQL text and CURIE expansion.
PREFIXES: dict[str, str] = {
    "nkg": str(NKG),
    "nkr": str(NKR),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "sh": str(SH),
    "dct": str(DCT),
    "org": str(ORG),
    "prov": str(PROV),
    "oa": str(OA),
    "time": str(TIME),
    "sem": str(SEM),
    "gaf": str(GAF),
    "grasp": str(GRASP),
    "graspf": str(GRASP_FACT),
    "schema": str(SCHEMA),
    "wd": str(WD),
}

#: Namespaces whose terms are the modelling language itself, not domain terms.
VOCABULARY_NAMESPACES: tuple[str, ...] = (str(RDF), str(RDFS), str(OWL), str(XSD))


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the project's prefixes on an rdflib graph (for readable output)."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)
    return graph


def sparql_prologue() -> str:
    """PREFIX declarations for every project prefix, to prepend to query text."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def expand_curie(text: str) -> URIRef:
    """Turn ``nkg:Claim``, ``<http://...>`` or ``http://...`` into an IRI.

    Raises ValueError for an unknown prefix or something that is no IRI.
    """
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        return URIRef(text[1:-1])
    if "://" in text or text.startswith("urn:"):
        return URIRef(text)
    prefix, sep, local = text.partition(":")
    if not sep:
        raise ValueError(f"not a CURIE or IRI: {text!r}")
    if prefix not in PREFIXES:
        known = ", ".join(sorted(PREFIXES))
        raise ValueError(f"unknown prefix {prefix!r} in {text!r}; known prefixes: {known}")
    return URIRef(PREFIXES[prefix] + local)


def shorten(iri: str) -> str:
    """The CURIE for an IRI under a known prefix, or the IRI in angle brackets."""
    best = ""
    for prefix, base in PREFIXES.items():
        if iri.startswith(base) and len(base) > len(best):
            best, chosen = base, prefix
    if best:
        local = iri[len(best):]
        if local and all(c.isalnum() or c in "-_." for c in local):
            return f"{chosen}:{local}"
    return f"<{iri}>"

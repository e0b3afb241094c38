"""Figures about a build: triples per graph, classes, individuals, claims by status, and the
claims of each report by status and source kind."""

from __future__ import annotations

from pathlib import Path

from newskg.namespaces import ARTICLE_GRAPH_BASE, sparql_prologue
from newskg.project import Build, graph_role

_COUNT_CLASSES = "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a owl:Class FILTER(isIRI(?c)) }"
# Individuals: typed resources of the report and background graphs that are not ontology terms.
_COUNT_INDIVIDUALS = """SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {
  ?x a ?type . FILTER(isIRI(?x))
  FILTER NOT EXISTS { ?x a owl:Class } FILTER NOT EXISTS { ?x a owl:ObjectProperty }
  FILTER NOT EXISTS { ?x a owl:DatatypeProperty } FILTER NOT EXISTS { ?x a owl:AnnotationProperty }
  FILTER NOT EXISTS { ?x a owl:Ontology } FILTER NOT EXISTS { ?x a skos:Concept }
  FILTER NOT EXISTS { ?x a skos:ConceptScheme }
}"""
_CLAIMS_BY = """SELECT ?value (COUNT(DISTINCT ?claim) AS ?n) WHERE {
  ?claim a nkg:Claim ; %s ?value .
} GROUP BY ?value ORDER BY ?value"""


# Per report graph: a claim belongs to the report whose graph states it (as the build put it there).
_REPORT_CLAIMS_BY = """SELECT ?g ?value (COUNT(DISTINCT ?claim) AS ?n) WHERE {
  GRAPH ?g { ?claim a nkg:Claim ; %s ?value . }
} GROUP BY ?g ?value ORDER BY ?g ?value"""


def _count(store, query: str) -> int:
    row = next(iter(store.query(sparql_prologue() + query, use_default_graph_as_union=True)))
    return int(row[0].value)


def _grouped(store, predicate: str) -> dict[str, int]:
    from newskg.namespaces import shorten

    rows = store.query(sparql_prologue() + _CLAIMS_BY % predicate, use_default_graph_as_union=True)
    return {shorten(row[0].value): int(row[1].value) for row in rows}


def _per_report(store, slugs: list[str]) -> dict[str, dict]:
    """slug -> its claims: how many, by status and by source kind (every report, even one without claims)."""
    from newskg.namespaces import shorten

    reports: dict[str, dict] = {slug: {"claims": 0, "claims_by_status": {}, "claims_by_source_kind": {}}
                                for slug in slugs}
    # "a" groups by the type nkg:Claim itself: one count a report.
    for key, predicate in (("claims", "a"), ("claims_by_status", "nkg:hasStatus"),
                           ("claims_by_source_kind", "nkg:hasSourceKind")):
        rows = store.query(sparql_prologue() + _REPORT_CLAIMS_BY % predicate)
        for row in rows:
            graph = row[0].value
            if graph_role(graph) != "article" or (key == "claims" and shorten(row[1].value) != "nkg:Claim"):
                continue
            figures = reports.setdefault(graph[len(ARTICLE_GRAPH_BASE):],
                                         {"claims": 0, "claims_by_status": {}, "claims_by_source_kind": {}})
            if key == "claims":
                figures["claims"] = int(row[2].value)
            else:
                figures[key][shorten(row[1].value)] = int(row[2].value)
    return reports


def build_stats(build_dir: Path) -> dict:
    """The figures of one build, as plain data (the CLI renders it as a table or JSON)."""
    build = Build(Path(build_dir))
    manifest = build.manifest()
    store = build.open_store()
    return {
        "graphs": {g["iri"]: g["triples"] for g in manifest["graphs"]},
        "noise_removed": manifest.get("noise_removed", 0),
        "classes": _count(store, _COUNT_CLASSES),
        "individuals": _count(store, _COUNT_INDIVIDUALS),
        "claims": _count(store, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a nkg:Claim }"),
        "claims_by_status": _grouped(store, "nkg:hasStatus"),
        "claims_by_source_kind": _grouped(store, "nkg:hasSourceKind"),
        "reports": _per_report(store, build.report_slugs()),
    }

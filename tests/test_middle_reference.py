"""The middle stages of the build (claims, levels, placement, usage) give exactly what the
code they replaced gave: that code, as it was before it read the graphs' indexes (commit
fd539d8), is kept here as the reference and run on the same inputs."""

from __future__ import annotations

import random
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from newskg.build import check_usage, claim_layer
from newskg.build.levels import (
    NAMING_PREDICATES,
    STATUS_LEVEL,
    Claim,
    FactLevels,
    _is_shared,
    _show,
    find_placement_problems,
    read_claims,
    split_by_level,
)
from newskg.build.memory import add_triples, new_graph
from newskg.build.sources import discover_inputs, load_dataset
from newskg.build.usage import DOMAIN_CHECK, RANGE_CHECK, _misuse, _problem, find_usage_problems, read_schema
from newskg.errors import Problem
from newskg.namespaces import LEVELS, NKG, PREFIXES, shorten

# ------------------------------------------------------------------ the reference: the code replaced


def reference_read_claims(claim_layer: Graph) -> dict[URIRef, Claim]:
    """Every claim of the claim layer with its status, polarity and level."""
    claims = {}
    status_base = PREFIXES["nkg"]
    for iri in claim_layer.subjects(RDF.type, NKG.Claim):
        if not isinstance(iri, URIRef):
            continue
        status_term = claim_layer.value(iri, NKG.hasStatus)
        status = str(status_term)[len(status_base):] if status_term is not None else None
        negative = (iri, NKG.hasPolarity, NKG.Negative) in claim_layer
        level = None if negative else STATUS_LEVEL.get(status or "")
        claims[iri] = Claim(iri, status, negative, level)
    return claims


def reference_split_by_level(content: Iterable[Graph], claims: dict[URIRef, Claim]) -> FactLevels:
    """Put every content triple in the graph of its strongest level (or in none)."""
    best: dict[tuple, int] = {}
    stated_by: dict[tuple, set[URIRef]] = {}
    for graph in content:
        name = URIRef(str(graph.identifier))
        claim = claims.get(name)
        level = claim.level if claim else None
        for triple in graph:
            stated_by.setdefault(triple, set()).add(name)
            if level is not None and level < best.get(triple, len(LEVELS)):
                best[triple] = level
    by_level = [new_graph() for _ in LEVELS]
    for index, graph in enumerate(by_level):
        add_triples(graph, (triple for triple, level in best.items() if level == index))
    return FactLevels(by_level, stated_by, claims)


def reference_find_placement_problems(turtle_graphs: dict[str, list[tuple]], content: dict[URIRef, str],
                            claims: dict[URIRef, Claim], facts: FactLevels,
                            claim_layer: Graph) -> list[Problem]:
    """Fact triples outside claim content, and content graphs that are no claim's.

    Outside claim content, a fact node or a shared resource (``nkr:Name``) may only be named
    (NAMING_PREDICATES); everything else said of it is a fact some claim must state.

    ``turtle_graphs`` maps a project-relative Turtle file to its parsed triples, ``content``
    a claim IRI to the file holding its content graph.
    """
    problems = []
    for iri, path in sorted(content.items()):
        if iri not in claims:
            problems.append(Problem("claim-content", f"the graph {shorten(str(iri))} is not a claim: "
                                    "name each content graph after the claim (a nkg:Claim) that states it",
                                    focus=shorten(str(iri)), path=path))
    fact_nodes = {t[0] for t in facts.stated_by} | set(claim_layer.objects(None, NKG.denotes))
    fact_nodes -= set(claims)
    shared = PREFIXES["nkr"]
    for path, graph in sorted(turtle_graphs.items()):
        found = []
        for s, p, o in graph:
            if p in NAMING_PREDICATES:
                continue
            if s in fact_nodes:
                found.append(((s, p, o), "is about a fact node"))
            elif isinstance(s, URIRef) and _is_shared(str(s), shared):
                found.append(((s, p, o), "is a fact about a shared resource"))
        # Sorted, so the problems come in the same order every time; only the few found (a
        # sort of every triple of every file, by rdflib's Python-level comparisons, took seconds).
        for (s, p, o), why in sorted(found, key=lambda item: item[0]):
            problems.append(Problem(
                "fact-outside-claim", f"{_show((s, p, o))} {why}; state it in the content graph of "
                "the claim that says it (see docs/status-levels.md)", focus=_show((s,)), path=path,
                triple=(s, p, o)))
    return problems


def reference_find_usage_problems(ontology: Graph, files: Iterable[tuple[str, Iterable[tuple]]]) -> list[Problem]:
    """Every triple of ``files`` (project-relative path, its triples) whose subject or object
    is used outside the property's domain or range, judged by the asserted types.

    Types count wherever they are asserted: the ontology, any report or background file, any
    claim's content (whatever its status: a misuse in a NotEvidenced claim is still a misuse).
    """
    # One pass over each file's triples: asking a Dataset's graph for a pattern scans every
    # graph's triples of that predicate, which is quadratic over hundreds of claim graphs.
    triples_of = [(path, list(graph)) for path, graph in files]
    schema = read_schema(ontology)
    types: dict[Any, set[URIRef]] = {}
    rdf_type = RDF.type  # once: each attribute of rdflib's RDF namespace is a Python-level lookup
    for node, _, cls in [*ontology.triples((None, rdf_type, None)),
                         *(t for _, triples in triples_of for t in triples if t[1] == rdf_type)]:
        if isinstance(cls, URIRef) and cls in schema.classes:
            types.setdefault(node, set()).add(cls)
    # Per property, once: what its subject and its object must be (sorted: problems come out
    # in the same order every build).
    wants = {p: (sorted(schema.domains[p]), sorted(schema.ranges[p])) for p in schema.domains}
    problems, seen = [], set()
    verdicts: dict[tuple, tuple[str, str, str] | None] = {}
    for path, triples in triples_of:
        for s, p, o in triples:
            wanted_of = wants.get(p)
            if wanted_of is None:
                continue
            for check, node, expected in ((DOMAIN_CHECK, s, wanted_of[0]), (RANGE_CHECK, o, wanted_of[1])):
                for wanted in expected:
                    judged = (node, wanted)
                    if judged in verdicts:  # the same participants recur in many claims
                        why = verdicts[judged]
                    else:
                        why = verdicts[judged] = _misuse(schema, node, wanted, types.get(node, set()))
                    key = (check, s, p, o, wanted)
                    if why and key not in seen:
                        seen.add(key)
                        problems.append(_problem(check, (s, p, o), wanted, why, path))
    return sorted(problems, key=lambda q: (q.path or "", q.focus or "", q.message))



def reference_claim_layer(dataset) -> Graph:
    """The claim layer as it was: the report and background graphs copied into one graph."""
    from newskg.namespaces import ARTICLE_GRAPH_BASE, BACKGROUND_GRAPH

    layer = new_graph()
    for graph in dataset.graphs():
        if graph.identifier == BACKGROUND_GRAPH or str(graph.identifier).startswith(ARTICLE_GRAPH_BASE):
            add_triples(layer, graph)
    return layer


# ------------------------------------------------------------------ the same answers


@pytest.fixture(scope="module", params=["real", "corpus"])
def sources(request, project_root: Path, tmp_path_factory):
    """The real project's sources, and those of a small synthetic corpus, parsed as the build parses them."""
    root = project_root
    if request.param == "corpus":
        root = tmp_path_factory.mktemp("middle") / "corpus"
        subprocess.run([sys.executable, str(project_root / "benchmarks" / "corpus.py"), str(root),
                        "--triples", "5000", "--seed", "3"], check=True, capture_output=True)
    return load_dataset(discover_inputs(root))


def test_the_claims_the_levels_and_the_placement_are_the_replaced_codes(sources):
    copy, view = reference_claim_layer(sources.dataset), claim_layer(sources.dataset)
    assert list(view) == list(copy)
    claims = read_claims(view)
    assert list(claims.items()) == list(reference_read_claims(copy).items())
    assert any(c.level is None for c in claims.values()) and any(c.level == 0 for c in claims.values())
    content = sources.content_graphs()
    facts, expected = split_by_level(content, claims), reference_split_by_level(content, claims)
    assert [list(g) for g in facts.by_level] == [list(g) for g in expected.by_level]
    assert list(facts.stated_by.items()) == list(expected.stated_by.items())
    # A plain rdflib graph (no spo index to read) gives the same levels.
    plain = []
    for graph in content:
        copied = Graph(identifier=graph.identifier)
        for triple in graph:
            copied.add(triple)
        plain.append(copied)
    assert [set(g) for g in split_by_level(plain, claims).by_level] == [set(g) for g in expected.by_level]
    assert read_claims(_plain(copy)) == claims
    assert (find_placement_problems(sources.turtle_files, sources.content_files, claims, facts, view)
            == reference_find_placement_problems(sources.turtle_files, sources.content_files, claims, expected, copy))


def test_the_usage_problems_of_the_sources_are_the_replaced_codes(sources):
    from newskg.namespaces import ONTOLOGY_GRAPH

    ontology = sources.dataset.graph(ONTOLOGY_GRAPH)
    files: list = list(sources.turtle_files.items())
    files += [(path, sources.dataset.graph(c)) for c, path in sorted(sources.content_files.items())]
    assert check_usage(sources) == find_usage_problems(ontology, files) == reference_find_usage_problems(ontology, files)


def _plain(graph: Graph) -> Graph:
    copied = Graph()
    for triple in graph:
        copied.add(triple)
    return copied


def _misusing_files(seed: int) -> tuple[Graph, list]:
    """An ontology of disjoint, unrelated, nested and reused classes, properties with domains
    and ranges (object, datatype, inverse, symmetric), and files of random triples among typed,
    untyped and blank nodes and literals: every verdict _misuse can give."""
    from rdflib.namespace import XSD  # here: pytest's collection looks up odd names in a module's namespaces

    rng = random.Random(seed)
    own = [NKG[f"Class{i}"] for i in range(5)]
    reused = URIRef("http://www.w3.org/2006/time#Instant")
    ontology = new_graph()
    axioms = [(c, RDF.type, OWL.Class) for c in [*own, reused]]
    axioms += [(own[1], RDFS.subClassOf, own[0]), (own[2], OWL.disjointWith, own[0])]
    props = [NKG[f"prop{i}"] for i in range(6)]
    axioms += [(props[0], RDFS.domain, own[0]), (props[0], RDFS.range, own[2]),
               (props[1], RDFS.domain, own[3]), (props[1], RDFS.range, XSD.string),
               (props[2], RDFS.range, reused), (props[3], OWL.inverseOf, props[0]),
               (props[4], RDF.type, OWL.SymmetricProperty), (props[4], RDFS.domain, own[4]),
               (props[5], RDFS.subPropertyOf, props[0])]
    add_triples(ontology, axioms)
    nodes = [NKG[f"node{i}"] for i in range(12)] + [BNode(f"b{i}") for i in range(3)]
    objects = [*nodes, Literal("x"), Literal("x", lang="en"), Literal("1", datatype=XSD.integer)]
    files: list = []
    for index in range(4):
        triples = [(n, RDF.type, rng.choice([*own, reused])) for n in rng.sample(nodes, 5)]
        triples += [(rng.choice(nodes), rng.choice(props), rng.choice(objects)) for _ in range(40)]
        triples = list(dict.fromkeys(triples))
        if index % 2:
            graph = new_graph()
            add_triples(graph, triples)
            files.append((f"f{index}", graph))
        else:
            files.append((f"f{index}", triples))
    files.append(("f-again", files[0][1]))  # the same triples in a second file: reported once
    return ontology, files


@pytest.mark.parametrize("seed", range(8))
def test_the_usage_problems_of_misusing_files_are_the_replaced_codes(seed):
    ontology, files = _misusing_files(seed)
    expected = reference_find_usage_problems(ontology, files)
    assert {p.severity for p in expected} == {"error", "warning"}
    assert find_usage_problems(ontology, files) == expected
    plain = [(path, _plain(triples) if isinstance(triples, Graph) else triples) for path, triples in files]
    assert find_usage_problems(ontology, plain) == expected

"""A deterministic synthetic ABox over the real ontology, for the reasoner's tests and benchmark.

Individuals of the ontology's named classes (and its own named individuals, which become
hubs, as nkg:Confirmed is in real data), property triples that respect each property's
domain and range (so the data is consistent, as real data should be), literals of each
datatype property's range, and trees of bounded depth for transitive properties (a real
organisation chart is shallow; a random graph would make the transitive closure quadratic).
benchmarks/corpus.py makes realistic corpora; this only has to exercise every rule the
ontology uses, at any size.
"""

from __future__ import annotations

import random
from datetime import date

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

BASE = "https://w3id.org/newskg/resource/synthetic/"
MAX_DEPTH = 3  # of the trees of a transitive property


def _named(graph: Graph, kind) -> list[URIRef]:
    return sorted(t for t in graph.subjects(RDF.type, kind) if isinstance(t, URIRef))


def _supers(graph: Graph, classes: list[URIRef]) -> dict[URIRef, set[URIRef]]:
    direct = {c: {d for d in graph.objects(c, RDFS.subClassOf) if isinstance(d, URIRef)} for c in classes}
    closed = {}
    for c in classes:
        seen, todo = {c}, [c]
        while todo:
            for d in direct.get(todo.pop(), ()):
                if d not in seen:
                    seen.add(d)
                    todo.append(d)
        closed[c] = seen
    return closed


def _literal(rng: random.Random, datatype, n: int) -> Literal:
    if datatype == XSD.date:
        return Literal(date(2000 + n % 26, 1 + n % 12, 1 + n % 28))
    if datatype == XSD.boolean:
        return Literal(bool(n % 2))
    if datatype == XSD.string:
        return Literal(f"text {n}", datatype=XSD.string) if n % 3 == 0 else Literal(f"text {n}")
    choice = rng.randrange(4)
    if choice == 0:
        return Literal(n)  # xsd:integer: typed, with xsd:decimal as a supertype
    if choice == 1:
        return Literal(f"words {n}", lang="en")
    if choice == 2:
        return Literal(date(2010 + n % 16, 1 + n % 12, 1 + n % 28))
    return Literal(f"words {n}")


def synthetic_abox(ontology: Graph, size: int, seed: int = 12) -> list[tuple]:
    """About `size` asserted triples (exactly `size` unless the ontology offers too few
    property choices) over the classes and properties of `ontology`."""
    rng = random.Random(seed)
    classes = [c for c in _named(ontology, OWL.Class) if c != OWL.Thing]
    supers = _supers(ontology, classes)
    members: dict[URIRef, list] = {c: [] for c in classes}  # class -> individuals under it
    for individual in _named(ontology, OWL.NamedIndividual):  # the ontology's own individuals: hubs
        for c in ontology.objects(individual, RDF.type):
            for d in supers.get(c, ()):
                members[d].append(individual)
    object_props = list(_named(ontology, OWL.ObjectProperty))
    data_props = list(_named(ontology, OWL.DatatypeProperty))
    transitive = set(ontology.subjects(RDF.type, OWL.TransitiveProperty))
    # an inverse of a transitive property builds the same trees, from the parent's side
    upward = {p: q for q in transitive for p in (*ontology.objects(q, OWL.inverseOf),
                                                   *ontology.subjects(OWL.inverseOf, q))}
    domain = {p: sorted(ontology.objects(p, RDFS.domain)) for p in object_props + data_props}
    range_ = {p: sorted(ontology.objects(p, RDFS.range)) for p in object_props + data_props}
    depth: dict = {}
    triples: list[tuple] = []
    individuals: list[URIRef] = []

    def new_individual() -> None:
        c = rng.choice(classes)
        x = URIRef(f"{BASE}i{len(individuals)}")
        individuals.append(x)
        triples.append((x, RDF.type, c))
        triples.append((x, RDFS.label, Literal(f"individual {len(individuals)}", lang="en")))
        for d in supers[c]:
            members[d].append(x)

    def pick(classes_of) -> URIRef | None:
        # Only the first domain or range: each property of the ontology has at most one.
        pool = members.get(classes_of[0]) if classes_of else individuals
        return rng.choice(pool) if pool else None

    while len(triples) < size:
        if len(individuals) < 50 or len(individuals) * 6 < len(triples):
            new_individual()
            continue
        if rng.random() < 0.2 and data_props:
            p = rng.choice(data_props)
            s = pick(domain[p])
            if s is not None:
                triples.append((s, p, _literal(rng, range_[p][0] if range_[p] else None, len(triples))))
            continue
        p = rng.choice(object_props)
        s, o = pick(domain[p]), pick(range_[p])
        if s is None or o is None or s == o:
            continue
        if p in transitive or p in upward:  # a new leaf under a node of bounded depth
            q, child, parent = (p, s, o) if p in transitive else (upward[p], o, s)
            if (q, child) in depth or depth.get((q, parent), 0) >= MAX_DEPTH:
                continue
            depth[(q, child)] = depth.get((q, parent), 0) + 1
            depth.setdefault((q, parent), 0)
        triples.append((s, p, o))
    return triples[:size]


def random_owl_graph(seed: int) -> Graph:
    """A small random graph over every OWL 2 RL construct the rules engine handles, TBox and
    ABox mixed: differential tests against owlrl find what hand-written cases miss."""
    from rdflib import BNode
    from rdflib.collection import Collection

    rng = random.Random(seed)
    graph = Graph()
    ex = "http://example.org/"
    classes = [URIRef(f"{ex}C{i}") for i in range(5)]
    props = [URIRef(f"{ex}p{i}") for i in range(5)]
    individuals = [URIRef(f"{ex}i{i}") for i in range(7)]
    literals = [Literal(5), Literal("x"), Literal("y", lang="en"), Literal("2020-01-01", datatype=XSD.date),
                Literal("abc", datatype=XSD.string), Literal("1.5", datatype=XSD.decimal)]

    def rdf_list(items) -> BNode:
        head = BNode()
        Collection(graph, head, items)
        return head

    def restriction(prefix: str) -> URIRef | BNode:
        return rng.choice([BNode(), URIRef(f"{ex}{prefix}{rng.randrange(3)}")])

    def cardinality() -> Literal:
        return Literal(rng.choice([0, 1]), datatype=XSD.nonNegativeInteger)

    for _ in range(rng.randint(2, 9)):
        (c1, c2), (p1, p2), axiom = rng.sample(classes, 2), rng.sample(props, 2), rng.randrange(24)
        triples = [
            [(c1, RDFS.subClassOf, c2)], [(c1, OWL.equivalentClass, c2)], [(p1, RDFS.domain, c1)],
            [(p1, RDFS.range, c1)], [(p1, RDFS.subPropertyOf, p2)], [(p1, OWL.inverseOf, p2)],
            [(p1, RDF.type, OWL.SymmetricProperty)], [(p1, RDF.type, OWL.TransitiveProperty)],
            [(p1, RDF.type, OWL.FunctionalProperty)], [(p1, RDF.type, OWL.InverseFunctionalProperty)],
            [(c1, OWL.disjointWith, c2)], [(p1, RDF.type, rng.choice([OWL.IrreflexiveProperty,
                                                                      OWL.AsymmetricProperty]))],
            [(p1, OWL.propertyDisjointWith, p2)], [(c1, RDF.type, OWL.Class)], [(p1, OWL.equivalentProperty, p2)],
            [(p1, RDF.type, rng.choice([OWL.ObjectProperty, OWL.DatatypeProperty]))],
        ]
        if axiom < len(triples):
            for triple in triples[axiom]:
                graph.add(triple)
        elif axiom == 16:
            graph.add((p1, OWL.propertyChainAxiom, rdf_list(rng.sample(props, rng.randint(1, 3)))))
        elif axiom == 17:
            graph.add((c1, rng.choice([OWL.intersectionOf, OWL.unionOf]), rdf_list(rng.sample(classes, 2))))
        elif axiom == 18:
            r = restriction("R")
            graph.add((r, OWL.onProperty, p1))
            graph.add((r, OWL.someValuesFrom, rng.choice([*classes, OWL.Thing, XSD.decimal])))
            graph.add((r, RDFS.subClassOf, c2) if rng.random() < 0.5 else (c2, OWL.equivalentClass, r))
        elif axiom == 19:
            r = restriction("R")
            graph.add((r, OWL.onProperty, p1))
            graph.add((r, OWL.allValuesFrom, c1))
            graph.add((c2, RDFS.subClassOf, r))
        elif axiom == 20:
            r = restriction("R")
            graph.add((r, OWL.onProperty, p1))
            graph.add((r, OWL.hasValue, rng.choice(individuals + literals)))
            graph.add((c2, OWL.equivalentClass, r))
        elif axiom == 21:
            r = restriction("M")
            graph.add((r, OWL.onProperty, p1))
            graph.add((r, OWL.maxCardinality, cardinality()))
            graph.add((c1, RDFS.subClassOf, r))
        else:
            r = restriction("Q")
            graph.add((r, OWL.onProperty, p1))
            graph.add((r, OWL.onClass, rng.choice([*classes, OWL.Thing])))
            graph.add((r, OWL.maxQualifiedCardinality, cardinality()))
            graph.add((c1, RDFS.subClassOf, r))
    for _ in range(rng.randint(3, 14)):
        kind = rng.randrange(10)
        if kind < 3:
            graph.add((rng.choice(individuals), RDF.type, rng.choice(classes)))
        elif kind < 8:
            graph.add((rng.choice(individuals), rng.choice(props), rng.choice(individuals)))
        elif kind == 8:
            graph.add((rng.choice(individuals), rng.choice(props), rng.choice(literals)))
        else:
            graph.add((rng.choice(individuals), rng.choice([OWL.sameAs, OWL.differentFrom]), rng.choice(individuals)))
    return graph

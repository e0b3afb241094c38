"""UnionMemory answers every triple pattern as a copy of its graphs into one IndexedMemory
graph does, in the same order, each triple once."""

from __future__ import annotations

import itertools
import random

import pytest
from rdflib import BNode, Literal, URIRef

from newskg.build import claim_layer
from newskg.build.memory import NamedGraphs, add_triples, new_graph
from newskg.build.union import UnionMemory, union_view
from newskg.namespaces import BACKGROUND_GRAPH, ONTOLOGY_GRAPH, article_graph

EX = "http://example.org/"


def _graphs(seed: int, count: int = 4, size: int = 60) -> list:
    """Graphs over a few shared terms, in a shuffled order (so a graph's pos order is not its
    spo order), some triples in several graphs, some subjects in several graphs."""
    rng = random.Random(seed)
    subjects = [URIRef(f"{EX}s{i}") for i in range(8)] + [BNode("b1")]
    predicates = [URIRef(f"{EX}p{i}") for i in range(4)]
    objects = [*subjects[:5], Literal("x"), Literal("1", datatype=URIRef(f"{EX}int")), Literal("x", lang="en")]
    graphs = []
    for _ in range(count):
        triples = [(rng.choice(subjects), rng.choice(predicates), rng.choice(objects)) for _ in range(size)]
        graph = new_graph()
        add_triples(graph, triples)
        graphs.append(graph)
    return graphs


def _copy(graphs: list):
    copy = new_graph()
    for graph in graphs:
        add_triples(copy, graph)
    return copy


@pytest.mark.parametrize("seed", range(6))
def test_every_pattern_gives_the_copys_triples_in_the_copys_order(seed):
    graphs = _graphs(seed)
    copy, view = _copy(graphs), union_view(graphs)
    assert len(view) == len(copy)
    assert list(view) == list(copy)
    terms = {t for triple in copy for t in triple} | {URIRef(f"{EX}absent")}
    for s, p, o in itertools.product([None, *terms], repeat=3):
        assert list(view.triples((s, p, o))) == list(copy.triples((s, p, o))), (s, p, o)


def test_a_triple_in_two_graphs_is_seen_once():
    triple = (URIRef(f"{EX}a"), URIRef(f"{EX}p"), Literal("v"))
    first, second = new_graph(), new_graph()
    add_triples(first, [triple, (URIRef(f"{EX}a"), URIRef(f"{EX}q"), Literal("w"))])
    add_triples(second, [triple])
    view = union_view([first, second])
    assert list(view) == [triple, (URIRef(f"{EX}a"), URIRef(f"{EX}q"), Literal("w"))]
    assert len(view) == 2
    assert list(view.triples((None, URIRef(f"{EX}p"), None))) == [triple]
    assert len(first) == 2 and len(second) == 1  # the graphs themselves are left as they were


def test_it_is_read_only():
    view = UnionMemory([new_graph()])
    with pytest.raises(TypeError):
        view.add((URIRef(f"{EX}a"), URIRef(f"{EX}p"), URIRef(f"{EX}o")))
    with pytest.raises(TypeError):
        view.remove((None, None, None))


def test_the_claim_layer_holds_the_report_and_background_graphs_only():
    dataset = NamedGraphs()
    graphs = _graphs(7, count=3)
    for iri, graph in zip([BACKGROUND_GRAPH, article_graph("one"), ONTOLOGY_GRAPH], graphs, strict=True):
        add_triples(dataset.graph(iri), graph)
    layer = claim_layer(dataset)
    assert list(layer) == list(_copy(graphs[:2]))

"""explain on the real project: every triple the build infers has a derivation down to asserted ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from newskg.build.reasoning import OwlrlReasoner, infer
from newskg.build.sources import discover_inputs, load_dataset, parse_turtle
from newskg.explain import Derivation, Explainer


@pytest.fixture(scope="module")
def real_project(project_root: Path):
    inputs = discover_inputs(project_root)
    sources = {i.relpath: parse_turtle(i.path, i.relpath) for i in inputs if i.role not in ("shapes", "content")}
    # Claim content, flattened per file: the closure of every positive and negative claim's content
    # is a superset of every level's, so every derivation found here holds in it.
    for item in inputs:
        if item.role == "content":
            sources[item.relpath] = Graph()
            for graph in load_dataset([item]).dataset.graphs():
                sources[item.relpath] += graph
    asserted = Graph()
    for graph in sources.values():
        asserted += graph
    closure = OwlrlReasoner().closure(asserted)
    explainer = Explainer(asserted, closure, lambda t: [p for p, g in sources.items() if t in g])
    # infer() filters this same closure: reasoning twice over the project would only cost time.
    return asserted, infer(asserted, AlreadyClosed(asserted, closure)).inferred, explainer


class AlreadyClosed:
    """A Reasoner for one graph whose closure was computed already."""

    name = "owlrl"

    def __init__(self, graph: Graph, closure: Graph):
        self._graph, self._closure = graph, closure

    def closure(self, graph: Graph) -> Graph:
        assert graph is self._graph, "this closure belongs to another graph"
        return self._closure


def leaves(derivation: Derivation):
    if derivation.asserted:
        yield derivation
    for premise in derivation.premises:
        yield from leaves(premise)


def test_every_inferred_triple_is_explained_down_to_asserted_triples(real_project):
    asserted, inferred, explainer = real_project
    assert len(inferred) > 100
    unexplained = []
    for triple in inferred:
        derivation = explainer.explain(triple)
        if derivation is None or derivation.asserted or derivation.rule.startswith("OWL-RL ("):
            unexplained.append(triple)
            continue
        for leaf in leaves(derivation):
            assert leaf.triple in asserted and leaf.files, leaf.triple
    assert unexplained == []


def test_an_absent_triple_has_no_derivation(real_project):
    from newskg.namespaces import NKG, NKR, RDF

    _, _, explainer = real_project
    # The article never makes Bangladesh an intelligence agency; nothing may derive it.
    assert explainer.explain((NKR.Bangladesh, RDF.type, NKG.IntelligenceAgency)) is None

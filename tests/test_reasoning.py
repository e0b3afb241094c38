"""The OWL-RL step: one test per kind of noise the inferred graph must not hold."""

from __future__ import annotations

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from newskg.build.reasoning import infer, noise_kind
from newskg.errors import InconsistencyError

EX = "http://example.org/"
A, B, C, x, y, p, q = (URIRef(EX + n) for n in ("A", "B", "C", "x", "y", "p", "q"))

TBOX = f"""@prefix : <{EX}> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
:A a owl:Class ; rdfs:subClassOf :B . :B a owl:Class . :C a owl:Class .
:p a owl:DatatypeProperty ; rdfs:range :C .
:q a owl:ObjectProperty ; rdfs:domain [ a owl:Restriction ; owl:onProperty :q ; owl:someValuesFrom :B ] .
:x a :A ; :p "a literal" ; :q :y .
"""


@pytest.fixture(scope="module")
def result():
    asserted = Graph().parse(data=TBOX, format="turtle")
    return asserted, infer(asserted)


def test_keeps_a_meaningful_derived_triple(result):
    _, inference = result
    assert (x, RDF.type, B) in inference.inferred


def test_drops_what_was_already_asserted(result):
    asserted, inference = result
    assert not set(asserted) & set(inference.inferred)


def test_drops_literal_subjects(result):
    # prp-rng on a datatype property types the literal itself: N-Triples cannot hold it.
    _, inference = result
    assert not [t for t in inference.inferred if isinstance(t[0], Literal)]
    assert inference.noise["literal-subject"] >= 1


def test_drops_blank_nodes(result):
    # x is typed by the anonymous restriction in the domain of :q: meaningless outside its file.
    _, inference = result
    assert not [t for t in inference.inferred if any(isinstance(n, BNode) for n in t)]
    assert inference.noise["blank-node"] >= 1


def test_drops_reflexive_relations(result):
    _, inference = result
    reflexive = {OWL.sameAs, RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty}
    assert not [t for t in inference.inferred if t[1] in reflexive and t[0] == t[2]]
    assert inference.noise["reflexive"] >= 3


def test_drops_vocabulary_subjects(result):
    _, inference = result
    # XSD as a string: pytest probes module globals, and rdflib's XSD warns on any unknown name.
    vocab = (str(RDF), str(RDFS), str(OWL), "http://www.w3.org/2001/XMLSchema#")
    assert not [t for t in inference.inferred if str(t[0]).startswith(vocab)]
    assert inference.noise["vocabulary-subject"] >= 1


def test_drops_filler_types_and_top_classes(result):
    _, inference = result
    assert (x, RDF.type, OWL.Thing) not in inference.inferred
    assert (x, RDF.type, RDFS.Resource) not in inference.inferred
    assert not [t for t in inference.inferred if t[1] == RDFS.subClassOf and t[2] == OWL.Thing]


@pytest.mark.parametrize("triple, kind", [
    ((Literal("a"), RDF.type, C), "literal-subject"),
    ((BNode(), RDF.type, C), "blank-node"),
    ((x, RDF.type, BNode()), "blank-node"),
    ((OWL.Thing, RDF.type, OWL.Class), "vocabulary-subject"),
    ((x, OWL.sameAs, x), "reflexive"),
    ((A, OWL.equivalentClass, A), "reflexive"),
    ((x, RDF.type, OWL.Thing), "filler-type"),
    ((p, RDF.type, RDF.Property), "filler-type"),
    ((A, RDFS.subClassOf, OWL.Thing), "top-class"),
    ((q, RDFS.domain, OWL.Thing), "top-class"),
    ((q, RDFS.range, RDFS.Resource), "top-class"),
    ((x, RDF.type, B), None),
    ((x, OWL.sameAs, y), None),
])
def test_noise_kind_classifies_each_kind(triple, kind):
    assert noise_kind(triple, Graph()) == kind


def test_inconsistency_names_rule_and_individuals():
    asserted = Graph().parse(data=TBOX + ":B owl:disjointWith :C . :x a :C .", format="turtle")
    with pytest.raises(InconsistencyError) as err:
        infer(asserted)
    rule, message = err.value.findings[0]
    assert rule == "cax-dw"
    assert "http://example.org/x" in message and "example.org/C" in message

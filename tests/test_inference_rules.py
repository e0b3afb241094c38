"""Each axiom kind of the ontology, shown at work: a triple absent before the OWL-RL closure and
present after. Tests are named after the OWL 2 RL rule that derives the triple.

They load the real ontology modules (not a copy of the axioms) plus a tiny ABox written here, so
they fail when an axiom is dropped or mistyped in ontology/*.ttl.
"""

from __future__ import annotations


import pytest
from rdflib import Graph
from rdflib.namespace import RDF

from newskg.errors import InconsistencyError
from newskg.namespaces import NKG, NKR, ORG, PROV, sparql_prologue
from newskg.build.reasoning import infer

PREFIXES = sparql_prologue().replace("PREFIX ", "@prefix ").replace(">\n", "> .\n")


def with_abox(ontology: Graph, turtle: str) -> Graph:
    graph = Graph()
    for triple in ontology:
        graph.add(triple)
    graph.parse(data=PREFIXES + turtle, format="turtle")
    return graph


def assert_derived(asserted: Graph, triple: tuple) -> None:
    assert triple not in asserted, "the triple must not be asserted already"
    result = infer(asserted)
    assert triple in result.inferred, f"the closure did not derive {triple}"


def test_cax_sco_agency_is_a_government_body(ontology):
    graph = with_abox(ontology, "nkr:DGFI a nkg:MilitaryIntelligenceAgency .")
    assert_derived(graph, (NKR.DGFI, RDF.type, NKG.GovernmentBody))
    assert_derived(graph, (NKR.DGFI, RDF.type, ORG.Organization))


def test_prp_dom_participant_makes_an_eventuality(ontology):
    graph = with_abox(
        ontology, "<https://w3id.org/newskg/resource/test/visit> nkg:hasParticipant nkr:Pakistan ."
    )
    visit = NKR["test/visit"]
    assert_derived(graph, (visit, RDF.type, NKG.Eventuality))


def test_prp_rng_belongs_to_state_makes_a_sovereign_state(ontology):
    graph = with_abox(ontology, "nkr:ISI nkg:belongsToState nkr:Pakistan .")
    assert_derived(graph, (NKR.Pakistan, RDF.type, NKG.SovereignState))


def test_prp_inv1_state_has_its_agency(ontology):
    graph = with_abox(ontology, "nkr:ISI nkg:belongsToState nkr:Pakistan .")
    assert_derived(graph, (NKR.Pakistan, NKG.hasStateBody, NKR.ISI))


def test_prp_inv2_agency_belongs_to_its_state(ontology):
    graph = with_abox(ontology, "nkr:Bangladesh nkg:hasStateBody nkr:NSI .")
    assert_derived(graph, (NKR.NSI, NKG.belongsToState, NKR.Bangladesh))


def test_prp_symp_consultations_go_both_ways(ontology):
    graph = with_abox(ontology, "nkr:Pakistan nkg:heldConsultationsWith nkr:Bangladesh .")
    assert_derived(graph, (NKR.Bangladesh, NKG.heldConsultationsWith, NKR.Pakistan))
    # and, through the subproperty (prp-spo1), the general tie in both directions
    assert_derived(graph, (NKR.Bangladesh, NKG.engagedWith, NKR.Pakistan))


def test_prp_trp_sub_organisation_is_transitive(ontology):
    graph = with_abox(ontology, """
        nkr:UnitX nkg:subOrganisationOf nkr:DGFI .
        nkr:DGFI nkg:subOrganisationOf nkr:BangladeshArmedForces .
    """)
    assert_derived(graph, (NKR.UnitX, NKG.subOrganisationOf, NKR.BangladeshArmedForces))
    # ... and the ORG super-property follows
    assert_derived(graph, (NKR.UnitX, ORG.subOrganizationOf, NKR.BangladeshArmedForces))


def test_prp_spo2_engagement_with_an_agency_involves_its_state(ontology):
    graph = with_abox(ontology, """
        <https://w3id.org/newskg/resource/test/talks> a nkg:Negotiation ;
            nkg:hasParticipant nkr:ISI , nkr:DGFI .
        nkr:ISI nkg:belongsToState nkr:Pakistan .
        nkr:DGFI nkg:belongsToState nkr:Bangladesh .
    """)
    talks = NKR["test/talks"]
    assert_derived(graph, (talks, NKG.involvesState, NKR.Pakistan))
    assert_derived(graph, (talks, NKG.involvesState, NKR.Bangladesh))


def test_prp_spo2_sub_organisation_belongs_to_the_same_state(ontology):
    graph = with_abox(ontology, """
        nkr:DGFI nkg:subOrganisationOf nkr:BangladeshArmedForces .
        nkr:BangladeshArmedForces nkg:belongsToState nkr:Bangladesh .
    """)
    assert_derived(graph, (NKR.DGFI, NKG.belongsToState, NKR.Bangladesh))


def test_cls_int1_svf1_engagement_with_an_agency_is_an_intelligence_engagement(ontology):
    graph = with_abox(ontology, """
        <https://w3id.org/newskg/resource/test/liaison> a nkg:MilitaryCooperation ;
            nkg:hasParticipant nkr:ISI , nkr:PakistanArmedForces .
        nkr:ISI a nkg:MilitaryIntelligenceAgency .
    """)
    assert_derived(graph, (NKR["test/liaison"], RDF.type, NKG.IntelligenceEngagement))


def test_cls_int1_svf1_needs_an_intelligence_agency(ontology):
    # The same engagement between armed forces only stays an ordinary engagement.
    graph = with_abox(ontology, """
        <https://w3id.org/newskg/resource/test/exchange> a nkg:MilitaryCooperation ;
            nkg:hasParticipant nkr:PakistanArmedForces , nkr:BangladeshArmedForces .
        nkr:PakistanArmedForces a nkg:ArmedForces .
        nkr:BangladeshArmedForces a nkg:ArmedForces .
    """)
    result = infer(graph)
    assert (NKR["test/exchange"], RDF.type, NKG.IntelligenceEngagement) not in result.inferred
    assert (NKR["test/exchange"], RDF.type, NKG.MaterialCooperation) in result.inferred


def test_cax_dw_state_typed_as_organisation_is_an_inconsistency(ontology):
    graph = with_abox(ontology, """
        nkr:Pakistan a nkg:SovereignState .
        nkr:ISI nkg:belongsToState nkr:Pakistan ;
            nkg:subOrganisationOf nkr:Pakistan .
    """)
    # before the closure nothing is wrong on its face: Pakistan is only typed a state
    assert (NKR.Pakistan, RDF.type, NKG.Organisation) not in graph
    with pytest.raises(InconsistencyError) as caught:
        infer(graph)
    rules = [rule for rule, _ in caught.value.findings]
    assert "cax-dw" in rules
    assert any("nkr:Pakistan" in message for _, message in caught.value.findings)


def test_cax_dw_claim_typed_as_eventuality_is_an_inconsistency(ontology):
    graph = with_abox(ontology, """
        <https://w3id.org/newskg/resource/test/c1> a nkg:Claim ;
            nkg:denotes <https://w3id.org/newskg/resource/test/c1> .
    """)
    with pytest.raises(InconsistencyError) as caught:
        infer(graph)
    assert "cax-dw" in [rule for rule, _ in caught.value.findings]


def test_no_claim_becomes_a_fact(ontology):
    """A Reported or Assessed claim about consultations must not yield the shortcut edge, nor any
    triple about the actors beyond what the fact node's own participants give."""
    graph = with_abox(ontology, """
        <https://w3id.org/newskg/resource/test/talks> a nkg:ConsultationUnspecified ;
            nkg:hasParticipant nkr:Pakistan , nkr:Bangladesh .
        <https://w3id.org/newskg/resource/test/claim> a nkg:Claim ;
            nkg:denotes <https://w3id.org/newskg/resource/test/talks> ;
            nkg:hasStatus nkg:Assessed ;
            nkg:attributedTo nkr:ISSI .
    """)
    inferred = infer(graph).inferred
    for p in (NKG.heldConsultationsWith, NKG.engagedWith):
        assert not list(inferred.triples((None, p, None)))
    # the claim is an entity attributed to its source, nothing more
    assert (NKR["test/claim"], PROV.wasAttributedTo, NKR.ISSI) in inferred

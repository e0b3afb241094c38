"""Each axiom kind of the ontology, shown at work: a triple absent before the OWL-RL closure and
present after. Tests are named after the OWL 2 RL rule that derives the triple.

They load the real ontology modules (not a copy of the axioms) plus a tiny ABox written here, so
they fail when an axiom is dropped or mistyped in ontology/*.ttl.

A closure over the ontology takes seconds, so the ABoxes are not reasoned over one by one. Each
test names its ABox with ``@abox``; every ABox's individuals are renamed into a namespace of their
own, and one closure over the ontology and all of them serves every test (the ``cases`` fixture).
Kept apart like this, no ABox can feed another's derivations, and ``cases`` checks that none did.
The two inconsistent ABoxes would spoil a shared closure: they are reasoned over alone, starting
from the ontology's closure (conftest's ``ontology_reasoner``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from newskg.build.reasoning import infer
from newskg.errors import InconsistencyError
from newskg.namespaces import NKG, NKR, ORG, PROV, sparql_prologue

PREFIXES = sparql_prologue().replace("PREFIX ", "@prefix ").replace(">\n", "> .\n")
#: Where each test's individuals go: CASES + "<test name>/" + the rest of the nkr: IRI.
CASES = "https://w3id.org/newskg/test-case/"

#: Each test's ABox by test name, filled by @abox when the module is imported.
ABOXES: dict[str, str] = {}


def abox(turtle: str) -> Callable:
    """The decorated test's ABox (Turtle with the project's prefixes), reasoned over in `cases`."""

    def register(test: Callable) -> Callable:
        ABOXES[test.__name__] = turtle
        return test

    return register


@dataclass
class Case:
    """One test's view of the shared closure, in the nkr: terms its ABox was written in."""

    asserted: Graph  # the ontology and this test's ABox
    inferred: Graph  # what infer() keeps from the closure of the ontology and this ABox alone


def with_abox(ontology: Graph, turtle: str) -> Graph:
    graph = Graph()
    for triple in ontology:
        graph.add(triple)
    graph.parse(data=PREFIXES + turtle, format="turtle")
    return graph


def _case_of(term) -> str | None:
    """The test whose individual `term` is, or None for the ontology's terms."""
    if isinstance(term, URIRef) and term.startswith(CASES):
        return term[len(CASES):].split("/", 1)[0]
    return None


def _into_case(term, name: str):
    if isinstance(term, URIRef) and term.startswith(NKR):
        return URIRef(f"{CASES}{name}/{term[len(NKR):]}")
    return term


def _out_of_case(term, name: str):
    prefix = f"{CASES}{name}/"
    if isinstance(term, URIRef) and term.startswith(prefix):
        return NKR[term[len(prefix):]]
    return term


@pytest.fixture(scope="module")
def cases(ontology: Graph, ontology_closure: Graph) -> dict[str, Case]:
    """Every @abox test's Case, from one closure over the ontology and all the ABoxes."""
    together = Graph()
    for triple in ontology:
        together.add(triple)
    for name, turtle in ABOXES.items():
        for s, p, o in Graph().parse(data=PREFIXES + turtle, format="turtle"):
            together.add((_into_case(s, name), _into_case(p, name), _into_case(o, name)))
    # From the bare ontology: with this many ABoxes, starting from its closure is slower.
    inferred = infer(together).inferred

    found = {name: Case(with_abox(ontology, turtle), Graph()) for name, turtle in ABOXES.items()}
    ontology_only = []
    for triple in inferred:
        owners = {name for name in map(_case_of, triple) if name}
        # The ABoxes stayed apart: no derived triple joins two of them, and the ontology's own
        # terms gained nothing the ontology alone does not give (so no ABox reached another
        # through them).
        assert len(owners) <= 1, f"two tests' ABoxes met in {triple}"
        if owners:
            (name,) = owners
            found[name].inferred.add(tuple(_out_of_case(term, name) for term in triple))
        else:
            assert triple in ontology_closure, f"the ABoxes derived {triple} about the ontology's terms"
            ontology_only.append(triple)
    for case in found.values():
        for triple in ontology_only:
            case.inferred.add(triple)
    return found


@pytest.fixture
def case(request: pytest.FixtureRequest, cases: dict[str, Case]) -> Case:
    """The running test's Case (its ABox comes from its @abox)."""
    return cases[request.function.__name__]


def assert_derived(case: Case, triple: tuple) -> None:
    assert triple not in case.asserted, "the triple must not be asserted already"
    assert triple in case.inferred, f"the closure did not derive {triple}"


@abox("nkr:DGFI a nkg:MilitaryIntelligenceAgency .")
def test_cax_sco_agency_is_a_government_body(case):
    assert_derived(case, (NKR.DGFI, RDF.type, NKG.GovernmentBody))
    assert_derived(case, (NKR.DGFI, RDF.type, ORG.Organization))


@abox("<https://w3id.org/newskg/resource/test/visit> nkg:hasParticipant nkr:Pakistan .")
def test_prp_dom_participant_makes_an_eventuality(case):
    visit = NKR["test/visit"]
    assert_derived(case, (visit, RDF.type, NKG.Eventuality))


@abox("nkr:ISI nkg:belongsToState nkr:Pakistan .")
def test_prp_rng_belongs_to_state_makes_a_sovereign_state(case):
    assert_derived(case, (NKR.Pakistan, RDF.type, NKG.SovereignState))


@abox("nkr:ISI nkg:belongsToState nkr:Pakistan .")
def test_prp_inv1_state_has_its_agency(case):
    assert_derived(case, (NKR.Pakistan, NKG.hasStateBody, NKR.ISI))


@abox("nkr:Bangladesh nkg:hasStateBody nkr:NSI .")
def test_prp_inv2_agency_belongs_to_its_state(case):
    assert_derived(case, (NKR.NSI, NKG.belongsToState, NKR.Bangladesh))


@abox("nkr:Pakistan nkg:heldConsultationsWith nkr:Bangladesh .")
def test_prp_symp_consultations_go_both_ways(case):
    assert_derived(case, (NKR.Bangladesh, NKG.heldConsultationsWith, NKR.Pakistan))
    # and, through the subproperty (prp-spo1), the general tie in both directions
    assert_derived(case, (NKR.Bangladesh, NKG.engagedWith, NKR.Pakistan))


@abox("""
    nkr:UnitX nkg:subOrganisationOf nkr:DGFI .
    nkr:DGFI nkg:subOrganisationOf nkr:BangladeshArmedForces .
""")
def test_prp_trp_sub_organisation_is_transitive(case):
    assert_derived(case, (NKR.UnitX, NKG.subOrganisationOf, NKR.BangladeshArmedForces))
    # ... and the ORG super-property follows
    assert_derived(case, (NKR.UnitX, ORG.subOrganizationOf, NKR.BangladeshArmedForces))


@abox("""
    <https://w3id.org/newskg/resource/test/talks> a nkg:Negotiation ;
        nkg:hasParticipant nkr:ISI , nkr:DGFI .
    nkr:ISI nkg:belongsToState nkr:Pakistan .
    nkr:DGFI nkg:belongsToState nkr:Bangladesh .
""")
def test_prp_spo2_engagement_with_an_agency_involves_its_state(case):
    talks = NKR["test/talks"]
    assert_derived(case, (talks, NKG.involvesState, NKR.Pakistan))
    assert_derived(case, (talks, NKG.involvesState, NKR.Bangladesh))


@abox("""
    nkr:DGFI nkg:subOrganisationOf nkr:BangladeshArmedForces .
    nkr:BangladeshArmedForces nkg:belongsToState nkr:Bangladesh .
""")
def test_prp_spo2_sub_organisation_belongs_to_the_same_state(case):
    assert_derived(case, (NKR.DGFI, NKG.belongsToState, NKR.Bangladesh))


@abox("""
    <https://w3id.org/newskg/resource/test/liaison> a nkg:MilitaryCooperation ;
        nkg:hasParticipant nkr:ISI , nkr:PakistanArmedForces .
    nkr:ISI a nkg:MilitaryIntelligenceAgency .
""")
def test_cls_int1_svf1_engagement_with_an_agency_is_an_intelligence_engagement(case):
    assert_derived(case, (NKR["test/liaison"], RDF.type, NKG.IntelligenceEngagement))


# The same engagement between armed forces only stays an ordinary engagement.
@abox("""
    <https://w3id.org/newskg/resource/test/exchange> a nkg:MilitaryCooperation ;
        nkg:hasParticipant nkr:PakistanArmedForces , nkr:BangladeshArmedForces .
    nkr:PakistanArmedForces a nkg:ArmedForces .
    nkr:BangladeshArmedForces a nkg:ArmedForces .
""")
def test_cls_int1_svf1_needs_an_intelligence_agency(case):
    assert (NKR["test/exchange"], RDF.type, NKG.IntelligenceEngagement) not in case.inferred
    assert (NKR["test/exchange"], RDF.type, NKG.MaterialCooperation) in case.inferred


def test_cax_dw_state_typed_as_organisation_is_an_inconsistency(ontology, ontology_reasoner):
    graph = with_abox(ontology, """
        nkr:Pakistan a nkg:SovereignState .
        nkr:ISI nkg:belongsToState nkr:Pakistan ;
            nkg:subOrganisationOf nkr:Pakistan .
    """)
    # before the closure nothing is wrong on its face: Pakistan is only typed a state
    assert (NKR.Pakistan, RDF.type, NKG.Organisation) not in graph
    with pytest.raises(InconsistencyError) as caught:
        infer(graph, ontology_reasoner)
    rules = [rule for rule, _ in caught.value.findings]
    assert "cax-dw" in rules
    assert any("nkr:Pakistan" in message for _, message in caught.value.findings)


def test_cax_dw_claim_typed_as_eventuality_is_an_inconsistency(ontology, ontology_reasoner):
    graph = with_abox(ontology, """
        <https://w3id.org/newskg/resource/test/c1> a nkg:Claim ;
            nkg:denotes <https://w3id.org/newskg/resource/test/c1> .
    """)
    with pytest.raises(InconsistencyError) as caught:
        infer(graph, ontology_reasoner)
    assert "cax-dw" in [rule for rule, _ in caught.value.findings]


@abox("""
    <https://w3id.org/newskg/resource/test/talks> a nkg:ConsultationUnspecified ;
        nkg:hasParticipant nkr:Pakistan , nkr:Bangladesh .
    <https://w3id.org/newskg/resource/test/claim> a nkg:Claim ;
        nkg:denotes <https://w3id.org/newskg/resource/test/talks> ;
        nkg:hasStatus nkg:Assessed ;
        nkg:attributedTo nkr:ISSI .
""")
def test_no_claim_becomes_a_fact(case):
    """A Reported or Assessed claim about consultations must not yield the shortcut edge, nor any
    triple about the actors beyond what the fact node's own participants give."""
    for p in (NKG.heldConsultationsWith, NKG.engagedWith):
        assert not list(case.inferred.triples((None, p, None)))
    # the claim is an entity attributed to its source, nothing more
    assert (NKR["test/claim"], PROV.wasAttributedTo, NKR.ISSI) in case.inferred

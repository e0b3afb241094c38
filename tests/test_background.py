"""graph/background.ttl and background.trig: reference knowledge from no report, each fact stated by
a Background claim (with a source) in its content graph; only names outside content."""

from __future__ import annotations

from pathlib import Path

import owlrl
import pytest
from rdflib import Dataset, Graph, Literal
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from newskg.namespaces import DCT, NKG, NKR, WD

# Shared individuals typed in background.ttl (the article-defined bodies are typed in the report).
INDIVIDUALS = ["Pakistan", "Bangladesh", "India", "PakistanArmedForces", "BangladeshArmedForces",
               "ISI", "DGFI", "NSI", "PakistanMinistryOfForeignAffairs", "ISSI", "TheSundayGuardian"]


@pytest.fixture(scope="module")
def content(project_root: Path) -> Dataset:
    """graph/background.trig: what each Background claim states, one graph per claim."""
    return Dataset().parse(project_root / "graph" / "background.trig", format="trig")


@pytest.fixture(scope="module")
def background(project_root: Path, content: Dataset) -> Graph:
    """The background's claims and names, and every claim's content, in one graph."""
    graph = Graph().parse(project_root / "graph" / "background.ttl", format="turtle")
    for s, p, o, _ in content.quads():
        graph.add((s, p, o))
    return graph


@pytest.fixture(scope="module")
def closed(project_root: Path, background: Graph) -> Graph:
    graph = Graph()
    for path in sorted((project_root / "ontology").glob("*.ttl")):
        if path.name != "shapes.ttl":
            graph.parse(path, format="turtle")
    for triple in background:
        graph.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    return graph


def _fact_triples(graph: Graph) -> set[tuple]:
    """The background's facts: every triple about a shared individual except names and matches."""
    claims = set(graph.subjects(RDF.type, NKG.Claim))
    names = {RDFS.label, SKOS.altLabel, SKOS.exactMatch}
    return {(s, p, o) for s, p, o in graph if s not in claims and p not in names}


def test_every_background_fact_is_stated_by_a_background_claim_with_a_source(background, content):
    stated = set()
    claims = set(background.subjects(RDF.type, NKG.Claim))
    for claim in claims:
        assert list(background.objects(claim, NKG.hasStatus)) == [NKG.Background], claim
        assert background.value(claim, DCT.source) is not None, claim
        assert background.value(claim, NKG.hasSourceKind) is not None, claim
        stated |= set(content.graph(claim))
    # Every content graph is a Background claim's, and every fact is some claim's content.
    assert {g.identifier for g in content.graphs() if len(g)} <= claims
    facts = _fact_triples(background)
    assert facts and facts == stated


def test_the_turtle_file_holds_only_claims_and_names(project_root: Path):
    turtle = Graph().parse(project_root / "graph" / "background.ttl", format="turtle")
    claims = set(turtle.subjects(RDF.type, NKG.Claim))
    names = {RDFS.label, SKOS.altLabel, SKOS.exactMatch}
    assert [t for t in turtle if t[0] not in claims and t[1] not in names] == []
    # a claim points at nothing: what it states is its content graph, not a reified triple
    assert not list(turtle.triples((None, RDF.subject, None)))


def test_one_claim_one_triple_one_source(background, content):
    for graph in content.graphs():
        if len(graph):
            assert len(graph) == 1, graph.identifier
            assert background.value(graph.identifier, DCT.source) is not None


def test_issi_is_based_in_pakistan_not_a_state_body(background, closed):
    # A think tank in Islamabad: based there; whether it is part of the state is left open, so nothing
    # it takes part in is made to involve Pakistan.
    assert (NKR.ISSI, NKG.basedIn, NKR.Pakistan) in background
    assert not list(closed.triples((NKR.ISSI, NKG.belongsToState, None)))


def test_intelligence_agencies_are_typed_and_placed_as_stated(background):
    assert (NKR.ISI, RDF.type, NKG.MilitaryIntelligenceAgency) in background
    assert (NKR.ISI, NKG.subOrganisationOf, NKR.PakistanArmedForces) in background
    assert (NKR.DGFI, RDF.type, NKG.MilitaryIntelligenceAgency) in background
    assert (NKR.DGFI, NKG.subOrganisationOf, NKR.BangladeshArmedForces) in background
    assert (NKR.NSI, RDF.type, NKG.CivilianIntelligenceAgency) in background
    assert (NKR.NSI, NKG.belongsToState, NKR.Bangladesh) in background
    assert (NKR.PakistanMinistryOfForeignAffairs, NKG.belongsToState, NKR.Pakistan) in background


def test_the_closure_places_each_agency_in_its_state(background, closed):
    # ISI and DGFI belong to their states only through their armed forces (property chain).
    assert (NKR.ISI, NKG.belongsToState, NKR.Pakistan) not in background
    assert (NKR.ISI, NKG.belongsToState, NKR.Pakistan) in closed
    assert (NKR.DGFI, NKG.belongsToState, NKR.Bangladesh) in closed
    assert (NKR.Pakistan, NKG.hasStateBody, NKR.ISI) in closed
    for agency in (NKR.ISI, NKR.DGFI, NKR.NSI):
        assert (agency, RDF.type, NKG.GovernmentBody) in closed


def test_only_the_three_verified_wikidata_matches_and_no_same_as(background):
    matches = set(background.subject_objects(SKOS.exactMatch))
    assert matches == {(NKR.Pakistan, WD.Q843), (NKR.Bangladesh, WD.Q902), (NKR.India, WD.Q668)}
    assert list(background.triples((None, OWL.sameAs, None))) == []


def test_every_individual_has_an_english_label(background):
    for name in INDIVIDUALS:
        labels = [label for label in background.objects(NKR[name], RDFS.label) if label.language == "en"]
        assert len(labels) == 1, name


def test_bengali_and_urdu_names_only_for_the_three_states(background):
    expected = {
        NKR.Pakistan: {"পাকিস্তান", "پاکستان"},
        NKR.Bangladesh: {"বাংলাদেশ", "بنگلہ دیش"},
        NKR.India: {"ভারত", "بھارت"},
    }
    found: dict = {}
    for subject, label in background.subject_objects(RDFS.label):
        if isinstance(label, Literal) and label.language in ("bn", "ur"):
            found.setdefault(subject, set()).add(str(label))
    assert found == expected

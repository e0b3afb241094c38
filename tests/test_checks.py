"""The quality checks fire on broken input and stay quiet on good input.

Every check in queries/checks/ is run over the real ontology plus a small broken fixture written
here; the SHACL shapes of ontology/shapes.ttl over small claims, anchors and engagements; and the
OWL 2 RL profile finder (newskg.build.profile) over small modules with one bad axiom each.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef

from newskg.build.checks import run_quality_checks, start_quality_checks, validate_shapes
from newskg.build.profile import find_profile_violations
from newskg.errors import QuerySyntaxError
from newskg.namespaces import sparql_prologue

ROOT = Path(__file__).resolve().parent.parent
CHECKS_DIR = ROOT / "queries" / "checks"
PREFIXES = sparql_prologue().replace("PREFIX ", "@prefix ").replace(">\n", "> .\n")


@pytest.fixture(scope="module")
def ontology() -> Graph:
    graph = Graph()
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        if path.name != "shapes.ttl":
            graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(ROOT / "ontology" / "shapes.ttl", format="turtle")


def with_data(ontology: Graph, turtle: str) -> Graph:
    graph = Graph()
    for triple in ontology:
        graph.add(triple)
    graph.parse(data=PREFIXES + turtle, format="turtle")
    return graph


def findings(problems, check: str) -> set[str]:
    return {p.focus for p in problems if p.check == check}


# ---------------------------------------------------------------- quality-check queries

def test_every_check_is_quiet_on_the_real_ontology(ontology):
    assert run_quality_checks(ontology, CHECKS_DIR) == []


def test_term_without_label_or_definition_fires(ontology):
    graph = with_data(ontology, """
        nkg:Unlabelled a owl:Class ; rdfs:subClassOf nkg:Actor ; skos:definition "x"@en .
        nkg:Undefined a owl:ObjectProperty ; rdfs:label "undefined"@en ;
            rdfs:domain nkg:Actor ; rdfs:range nkg:Actor .
        nkg:FrenchOnly a owl:Class ; rdfs:subClassOf nkg:Actor ;
            rdfs:label "seulement"@fr ; skos:definition "d"@en .
        schema:Place a owl:Class .
    """)
    problems = run_quality_checks(graph, CHECKS_DIR)
    assert findings(problems, "term-without-label-or-definition-violation") == {
        "nkg:Unlabelled", "nkg:Undefined", "nkg:FrenchOnly", "schema:Place"}
    undefined = [p for p in problems if p.focus == "nkg:Undefined"]
    assert "definition" in undefined[0].message and undefined[0].severity == "error"


def test_class_outside_hierarchy_fires(ontology):
    graph = with_data(ontology, """
        nkg:Orphan a owl:Class ; rdfs:label "orphan"@en ; skos:definition "d"@en .
        nkg:ChildOfOrphan a owl:Class ; rdfs:label "child"@en ; skos:definition "d"@en ;
            rdfs:subClassOf nkg:Orphan .
        nkg:OnlyThing a owl:Class ; rdfs:label "only thing"@en ; skos:definition "d"@en ;
            rdfs:subClassOf owl:Thing .
        nkg:Rooted a owl:Class ; rdfs:label "rooted"@en ; skos:definition "d"@en ;
            rdfs:subClassOf nkg:ThinkTank .
    """)
    problems = run_quality_checks(graph, CHECKS_DIR)
    assert findings(problems, "class-outside-hierarchy-violation") == {
        "nkg:Orphan", "nkg:ChildOfOrphan", "nkg:OnlyThing"}


def test_property_without_domain_or_range_fires(ontology):
    graph = with_data(ontology, """
        nkg:noDomain a owl:ObjectProperty ; rdfs:label "a"@en ; skos:definition "d"@en ;
            rdfs:range nkg:Actor .
        nkg:noRange a owl:DatatypeProperty ; rdfs:label "b"@en ; skos:definition "d"@en ;
            rdfs:domain nkg:Claim .
    """)
    problems = [p for p in run_quality_checks(graph, CHECKS_DIR)
                if p.check == "property-without-domain-or-range-violation"]
    assert {(p.focus, p.message) for p in problems} == {
        ("nkg:noDomain", "property without rdfs:domain"),
        ("nkg:noRange", "property without rdfs:range"),
    }


def test_undeclared_property_and_class_fire_on_typos(ontology):
    graph = with_data(ontology, """
        nkr:ISI nkg:belongsToStat nkr:Pakistan .
        <https://w3id.org/newskg/resource/test/visit> a nkg:Vist ;
            nkg:hasParticipant nkr:ISI ;
            rdfs:label "a visit"@en .
    """)
    problems = run_quality_checks(graph, CHECKS_DIR)
    assert findings(problems, "undeclared-property-violation") == {"nkg:belongsToStat"}
    assert findings(problems, "undeclared-class-violation") == {"nkg:Vist"}
    # rdfs:label and the declared nkg:hasParticipant are not reported
    assert not any(p.focus in ("rdfs:label", "nkg:hasParticipant") for p in problems)


# ---------------------------------------------------------------- checks over claim content
# These checks read claim content (docs/status-levels.md): the fixtures are datasets with the ontology
# and a report's Turtle in named graphs and each claim's content in the graph named by the claim, as the
# build hands them to the checks.

ART_PREFIX = "@prefix art: <https://w3id.org/newskg/resource/test/> .\n"


def with_content(ontology: Graph, turtle: str, trig: str) -> Dataset:
    """The ontology, a report's Turtle (claims) and its TriG (claim content) as one dataset."""
    dataset = Dataset()
    onto = dataset.graph(URIRef("https://w3id.org/newskg/graph/ontology"))
    for triple in ontology:
        onto.add(triple)
    dataset.graph(URIRef("https://w3id.org/newskg/graph/article/test")).parse(
        data=PREFIXES + ART_PREFIX + turtle, format="turtle")
    dataset.parse(data=PREFIXES + ART_PREFIX + trig, format="trig")
    return dataset


def claim(name: str, status: str, polarity: str = "Positive", denotes: str = "art:talks") -> str:
    return f"art:{name} a nkg:Claim ; nkg:hasStatus nkg:{status} ; nkg:hasPolarity nkg:{polarity} ; nkg:denotes {denotes} .\n"


TALKS = """
        art:talks a nkg:ConsultationUnspecified ;
            nkg:hasParticipant nkr:PakistanMinistryOfForeignAffairs , nkr:Bangladesh ."""
MOFA = "bg:mofa { nkr:PakistanMinistryOfForeignAffairs nkg:belongsToState nkr:Pakistan . }\n"
BACKGROUND = ("@prefix bg: <https://w3id.org/newskg/resource/background/> .\n"
              "bg:mofa a nkg:Claim ; nkg:hasStatus nkg:Background .\n")
SHORTCUT = "nkr:Pakistan nkg:heldConsultationsWith nkr:Bangladesh ."


@pytest.mark.parametrize("status, polarity, content, fires", [
    # the edge in the content of a Confirmed positive claim about talks between bodies of both states
    ("Confirmed", "Positive", TALKS + SHORTCUT, False),
    # "sources said": Reported
    ("Reported", "Positive", TALKS + SHORTCUT, True),
    # "officially denied that talks took place": Confirmed, but negative
    ("Confirmed", "Negative", TALKS + SHORTCUT, True),
    # the claim confirms the talks but the edge is not in its content (see the next fixture)
    ("Confirmed", "Positive", TALKS, True),
    # the confirmed talks involve only Pakistan's ministry: no consultation *with Bangladesh* is confirmed
    ("Confirmed", "Positive", TALKS.replace(" , nkr:Bangladesh", "") + SHORTCUT, True),
])
def test_shortcut_edge_needs_a_confirmed_positive_claim_stating_it(ontology, status, polarity, content, fires):
    turtle = BACKGROUND + claim("claim", status, polarity) + claim("other", "Reported")
    trig = "@prefix bg: <https://w3id.org/newskg/resource/background/> .\n" + MOFA
    trig += f"art:claim {{ {content} }}\n"
    if SHORTCUT not in content:
        trig += f"art:other {{ {SHORTCUT} }}\n"  # stated, but only by a Reported claim
    problems = run_quality_checks(with_content(ontology, turtle, trig), CHECKS_DIR)
    expected = {"nkr:Pakistan"} if fires else set()
    assert findings(problems, "shortcut-without-confirmed-claim-violation") == expected


SHARING = """
        art:sharing a {cls} ;
            nkg:hasParticipant nkr:ISI , nkr:DGFI ."""


@pytest.mark.parametrize("claims, cls, fires", [
    # "could share intelligence", assessed: an actual-cooperation type on a possibility
    ([("assessed", "Assessed", "Positive")], "nkg:IntelligenceSharing", True),
    ([("assessed", "Assessed", "Positive")], "nkg:MilitaryCooperation", True),
    # a class below 064 is just as actual
    ([("assessed", "Assessed", "Positive")], "nkg:LiaisonSharing", True),
    # the same possibility typed as intent (0314): fine
    ([("assessed", "Assessed", "Positive")], "nkg:IntentToCooperateOnIntelligence", False),
    # "sources said they shared intelligence": Reported states the type too, so the Assessed claim may
    ([("assessed", "Assessed", "Positive"), ("reported", "Reported", "Positive")], "nkg:IntelligenceSharing", False),
    # a Reported claim that is negative ("sources said they did not share") does not license it
    ([("assessed", "Assessed", "Positive"), ("reported", "Reported", "Negative")], "nkg:IntelligenceSharing", True),
    # "no public evidence that they shared intelligence": never positive, not checked
    ([("unevidenced", "NotEvidenced", "Negative")], "nkg:IntelligenceSharing", False),
    # an assessment that they did not share ("certainly not"): negative, not checked
    ([("assessed", "Assessed", "Negative")], "nkg:IntelligenceSharing", False),
])
def test_actual_cooperation_typed_only_below_reported_fires(ontology, claims, cls, fires):
    turtle = """nkg:LiaisonSharing a owl:Class ; rdfs:subClassOf nkg:IntelligenceSharing ;
                    rdfs:label "liaison sharing"@en ; skos:definition "d"@en .\n"""
    trig = ""
    for name, status, polarity in claims:
        turtle += claim(name, status, polarity, denotes="art:sharing")
        trig += f"art:{name} {{ {SHARING.format(cls=cls)} }}\n"
    problems = run_quality_checks(with_content(ontology, turtle, trig), CHECKS_DIR)
    expected = {"nkr:test/sharing"} if fires else set()
    assert findings(problems, "actual-cooperation-below-reported-violation") == expected


SIGNING = """
        art:signing a nkg:AgreementSigning ;
            nkg:hasParticipant nkr:Pakistan , nkr:Bangladesh ."""
AGREEMENT = """
        art:agreement a nkg:IntelligenceSharingAgreement ;
            nkg:hasParty nkr:Pakistan , nkr:Bangladesh ."""


@pytest.mark.parametrize("turtle, trig, fires", [
    # the signing's claim states that it concerns the agreement: reachable
    (claim("c1", "Reported", denotes="art:signing"),
     "art:c1 { " + SIGNING + " art:signing nkg:concernsAgreement art:agreement . " + AGREEMENT + " }", False),
    # a negative claim about an announcement that would disclose the signing: reachable (and no level)
    (claim("c1", "NotEvidenced", "Negative", denotes="art:announcement"),
     "art:c1 { art:announcement a nkg:PublicDisclosure ; nkg:discloses art:signing . " + SIGNING
     + " art:signing nkg:concernsAgreement art:agreement . " + AGREEMENT + " }", False),
    # a claim that denotes the agreement itself
    (claim("c1", "Reported", denotes="art:agreement"), "art:c1 { " + AGREEMENT + " }", False),
    # an agreement with parties that a claim states, but linked to nothing the claim denotes
    (claim("c1", "Reported", denotes="art:signing"), "art:c1 { " + SIGNING + AGREEMENT + " }", True),
    # linked to the signing only in the content of a claim that denotes something else
    (claim("c1", "Reported", denotes="art:signing") + claim("c2", "Assessed", denotes="art:talks"),
     "art:c1 { " + SIGNING + " }\nart:c2 { art:signing nkg:concernsAgreement art:agreement . " + AGREEMENT + " }",
     True),
])
def test_agreement_unreachable_by_a_claim_fires(ontology, turtle, trig, fires):
    problems = run_quality_checks(with_content(ontology, turtle, trig), CHECKS_DIR)
    expected = {"nkr:test/agreement"} if fires else set()
    assert findings(problems, "agreement-unreachable-by-claim-violation") == expected


def test_checks_read_the_union_of_a_dataset(ontology):
    dataset = Dataset()
    onto = dataset.graph(URIRef("https://w3id.org/newskg/graph/ontology"))
    for triple in ontology:
        onto.add(triple)
    article = dataset.graph(URIRef("https://w3id.org/newskg/graph/article/test"))
    article.parse(data=PREFIXES + "nkr:ISI nkg:belongsToStat nkr:Pakistan .", format="turtle")
    problems = run_quality_checks(dataset, CHECKS_DIR)
    # declared in one named graph, used in another: only the typo is reported
    assert [(p.check, p.focus) for p in problems] == [("undeclared-property-violation", "nkg:belongsToStat")]


def test_check_severity_comes_from_its_header(ontology, tmp_path):
    (tmp_path / "every-state-warning-violation.rq").write_text(
        "#+ title: Every state\n#+ severity: warning\nSELECT ?s WHERE { ?s a nkg:SovereignState }\n")
    (tmp_path / "not-a-check.rq").write_text("#+ title: ignored\nSELECT ?s WHERE { ?s ?p ?o }\n")
    problems = run_quality_checks(with_data(ontology, "nkr:India a nkg:SovereignState ."), tmp_path)
    assert [(p.check, p.severity, p.focus, p.message) for p in problems] == [
        ("every-state-warning-violation", "warning", "nkr:India", "Every state")]


def test_a_broken_check_is_named(ontology, tmp_path):
    (tmp_path / "broken-violation.rq").write_text("#+ title: Broken\nSELECT ?s WHERE { ?s \n")
    with pytest.raises(QuerySyntaxError, match=r"broken-violation\.rq"):
        run_quality_checks(ontology, tmp_path)
    started = start_quality_checks(ontology, tmp_path)  # as the build runs them: in a thread
    with pytest.raises(QuerySyntaxError, match=r"broken-violation\.rq"):
        started()


def test_the_checks_run_in_a_thread_find_what_they_find_run_here(ontology):
    data = with_data(ontology, "nkr:ISI nkg:belongsToStat nkr:Pakistan . nkr:X a nkg:NoSuchClass .")
    expected = run_quality_checks(data, CHECKS_DIR)
    assert len(expected) >= 2
    assert start_quality_checks(data, CHECKS_DIR)() == expected


# ---------------------------------------------------------------- SHACL shapes

GOOD_CLAIM = """
    art:article a nkg:NewsArticle .
    art:talks a nkg:ConsultationUnspecified ;
        nkg:hasParticipant nkr:Pakistan , nkr:Bangladesh .
    art:claim a nkg:Claim ;
        nkg:denotes art:talks ;
        nkg:hasStatus nkg:Confirmed ;
        nkg:hasSourceKind nkg:OfficialStatement ;
        nkg:attributedTo nkr:PakistanMinistryOfForeignAffairs ;
        nkg:reportedIn art:article ;
        nkg:hasAnchor art:anchor .
    art:anchor a nkg:TextAnchor ;
        oa:hasSource art:article ;
        oa:hasSelector art:quote , art:position .
    art:quote a oa:TextQuoteSelector ; oa:exact "resumed foreign secretary-level bilateral consultations" .
    art:position a oa:TextPositionSelector ;
        oa:start "10"^^xsd:nonNegativeInteger ; oa:end "66"^^xsd:nonNegativeInteger .
"""
ART = "@prefix art: <https://w3id.org/newskg/resource/test/> .\n"


def shape_messages(ontology, shapes, turtle: str) -> dict[str, set[str]]:
    by_focus: dict[str, set[str]] = {}
    for problem in validate_shapes(with_data(ontology, ART + turtle), shapes):
        assert problem.check == "shacl" and problem.focus is not None
        by_focus.setdefault(problem.focus, set()).add(problem.message)
    return by_focus


def test_a_complete_claim_conforms(ontology, shapes):
    assert shape_messages(ontology, shapes, GOOD_CLAIM) == {}


def test_claim_with_two_statuses_and_no_source_kind_is_reported(ontology, shapes):
    broken = GOOD_CLAIM.replace("nkg:hasStatus nkg:Confirmed ;", "nkg:hasStatus nkg:Confirmed , nkg:Reported ;")
    broken = broken.replace("nkg:hasSourceKind nkg:OfficialStatement ;", "")
    messages = shape_messages(ontology, shapes, broken)
    assert set(messages) == {"nkr:test/claim"}
    text = " ".join(next(iter(messages.values())))
    assert "exactly one nkg:hasStatus" in text and "exactly one nkg:hasSourceKind" in text


def test_status_must_be_a_status_concept(ontology, shapes):
    broken = GOOD_CLAIM.replace("nkg:hasStatus nkg:Confirmed", "nkg:hasStatus nkg:Possible")
    messages = shape_messages(ontology, shapes, broken)
    assert any("nkg:hasStatus" in m for m in messages["nkr:test/claim"])


def test_claim_without_anchor_denotation_or_attribution_is_reported(ontology, shapes):
    broken = (GOOD_CLAIM.replace("nkg:denotes art:talks ;", "")
              .replace("nkg:attributedTo nkr:PakistanMinistryOfForeignAffairs ;", "")
              .replace("nkg:hasAnchor art:anchor .", "."))
    messages = shape_messages(ontology, shapes, broken)["nkr:test/claim"]
    assert any("nkg:hasAnchor" in m for m in messages)
    assert any("nkg:denotes" in m for m in messages)
    assert any("nkg:attributedTo" in m for m in messages)


def test_report_claim_without_its_report_is_reported(ontology, shapes):
    # Per-report listings find a claim through nkg:reportedIn; without it the claim would vanish from them.
    messages = shape_messages(ontology, shapes, GOOD_CLAIM.replace("nkg:reportedIn art:article ;", ""))
    assert any("nkg:reportedIn" in m for m in messages["nkr:test/claim"])


def test_background_claim_needs_source_not_anchor(ontology, shapes):
    good = """
        art:bg a nkg:Claim ; nkg:hasStatus nkg:Background ; nkg:hasSourceKind nkg:ReferenceSource ;
            dct:source <https://example.org/about-isi> .
    """
    assert shape_messages(ontology, shapes, good) == {}
    broken = good.replace(" ;\n            dct:source <https://example.org/about-isi> .", " .")
    messages = shape_messages(ontology, shapes, broken)
    assert any("dct:source" in m for m in messages["nkr:test/bg"])


def test_hedges_on_a_claim_are_checked(ontology, shapes):
    good = GOOD_CLAIM.replace("nkg:hasAnchor art:anchor .", 'nkg:hasTemporality nkg:NonFuture ; '
                              'nkg:claimTime "2025-12-28"^^xsd:date ; nkg:isGeneric true ; nkg:hasAnchor art:anchor .')
    assert shape_messages(ontology, shapes, good) == {}
    broken = (good.replace("nkg:hasTemporality nkg:NonFuture", "nkg:hasTemporality nkg:Possible")
              .replace('"2025-12-28"^^xsd:date', '"28 December 2025"').replace("isGeneric true", 'isGeneric "typically"'))
    messages = shape_messages(ontology, shapes, broken)["nkr:test/claim"]
    assert any("nkg:hasTemporality" in m for m in messages)
    assert any("nkg:claimTime" in m for m in messages)
    assert any("nkg:isGeneric" in m for m in messages)


def test_anchor_without_position_selector_is_reported(ontology, shapes):
    broken = GOOD_CLAIM.replace("oa:hasSelector art:quote , art:position .", "oa:hasSelector art:quote .")
    messages = shape_messages(ontology, shapes, broken)
    assert any("oa:TextPositionSelector" in m
               for m in messages["nkr:test/anchor"])


def test_position_selector_with_end_before_start_is_reported(ontology, shapes):
    broken = GOOD_CLAIM.replace('"10"^^xsd:nonNegativeInteger', '"70"^^xsd:nonNegativeInteger')
    messages = shape_messages(ontology, shapes, broken)
    assert any("below oa:end" in m for m in messages["nkr:test/position"])


def test_quote_selector_without_exact_is_reported(ontology, shapes):
    broken = GOOD_CLAIM.replace(
        'oa:exact "resumed foreign secretary-level bilateral consultations"', 'oa:prefix "the two"')
    messages = shape_messages(ontology, shapes, broken)
    assert any("oa:exact" in m for m in messages["nkr:test/quote"])


def test_engagement_needs_two_participants_and_a_cameo_type(ontology, shapes):
    broken = GOOD_CLAIM.replace("art:talks a nkg:ConsultationUnspecified ;", "art:talks a nkg:Engagement ;")
    broken = broken.replace("nkg:hasParticipant nkr:Pakistan , nkr:Bangladesh .", "nkg:hasParticipant nkr:Pakistan .")
    messages = shape_messages(ontology, shapes, broken)["nkr:test/talks"]
    assert any("at least two nkg:hasParticipant" in m for m in messages)
    assert any("CAMEO engagement class" in m for m in messages)


def test_source_and_target_actor_count_as_participants(ontology, shapes):
    variant = GOOD_CLAIM.replace("art:talks a nkg:ConsultationUnspecified ;", "art:talks a nkg:Visit ;")
    variant = variant.replace("nkg:hasParticipant nkr:Pakistan , nkr:Bangladesh .",
                              "nkg:hasSourceActor nkr:Pakistan ; nkg:hasTargetActor nkr:Bangladesh .")
    assert shape_messages(ontology, shapes, variant) == {}


# ---------------------------------------------------------------- OWL 2 RL profile

def profile_of(turtle: str) -> list:
    return find_profile_violations(Graph().parse(data=PREFIXES + turtle, format="turtle"), "ontology/bad.ttl")


def test_the_real_modules_are_inside_owl2_rl():
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        assert find_profile_violations(Graph().parse(path, format="turtle"), path.name) == [], path.name


@pytest.mark.parametrize("axiom, focus, reason", [
    ("nkg:A rdfs:subClassOf [ a owl:Restriction ; owl:onProperty nkg:p ; owl:someValuesFrom nkg:B ] .",
     "nkg:A", "owl:someValuesFrom as a superclass"),
    ("nkg:A owl:equivalentClass [ a owl:Restriction ; owl:onProperty nkg:p ; owl:someValuesFrom nkg:B ] .",
     "nkg:A", "owl:someValuesFrom as part of an equivalent-class axiom"),
    ("nkg:A rdfs:subClassOf [ owl:unionOf ( nkg:B nkg:C ) ] .", "nkg:A", "owl:unionOf as a superclass"),
    ("nkg:A rdfs:subClassOf [ a owl:Restriction ; owl:onProperty nkg:p ; owl:minCardinality 1 ] .",
     "nkg:A", "owl:minCardinality is outside"),
    ("nkg:A rdfs:subClassOf [ a owl:Restriction ; owl:onProperty nkg:p ; owl:maxCardinality 2 ] .",
     "nkg:A", "owl:maxCardinality 2 is outside"),
    ("[ owl:complementOf nkg:B ] rdfs:subClassOf nkg:A .", "nkg:A", "owl:complementOf as a subclass"),
    ("nkg:A owl:complementOf nkg:B .", "nkg:A", "owl:complementOf as part of an equivalent-class axiom"),
    ("[ a owl:Restriction ; owl:onProperty nkg:p ; owl:allValuesFrom nkg:B ] rdfs:subClassOf nkg:A .",
     "nkg:A", "owl:allValuesFrom as a subclass"),
    ("nkg:p a owl:ObjectProperty , owl:ReflexiveProperty .", "nkg:p", "owl:ReflexiveProperty"),
    ("nkg:p rdfs:range [ owl:unionOf ( nkg:B nkg:C ) ] .", "nkg:p", "owl:unionOf as a superclass"),
    ("nkg:A owl:disjointUnionOf ( nkg:B nkg:C ) .", "nkg:A", "owl:disjointUnionOf"),
])
def test_profile_flags_axioms_owlrl_ignores(axiom, focus, reason):
    problems = profile_of(axiom)
    assert len(problems) == 1, problems
    assert problems[0].focus == focus and reason in problems[0].message
    assert problems[0].path == "ontology/bad.ttl" and problems[0].severity == "error"


@pytest.mark.parametrize("axiom", [
    # the RL forms the ontology itself relies on
    "[ owl:intersectionOf ( nkg:A [ a owl:Restriction ; owl:onProperty nkg:p ; owl:someValuesFrom nkg:B ] ) ]"
    " rdfs:subClassOf nkg:C .",
    "nkg:A rdfs:subClassOf [ a owl:Restriction ; owl:onProperty nkg:p ; owl:allValuesFrom nkg:B ] .",
    "nkg:A rdfs:subClassOf [ a owl:Restriction ; owl:onProperty nkg:p ; owl:maxCardinality 1 ] .",
    "nkg:A rdfs:subClassOf [ a owl:Restriction ; owl:onProperty nkg:p ; owl:hasValue nkr:Pakistan ] .",
    "[ owl:unionOf ( nkg:A nkg:B ) ] rdfs:subClassOf nkg:C .",
    "nkg:A rdfs:subClassOf [ owl:complementOf nkg:B ] .",
    "nkg:A owl:equivalentClass [ owl:intersectionOf ( nkg:B nkg:C ) ] .",
    "nkg:p rdfs:domain owl:Thing .",
])
def test_profile_accepts_owl2_rl_forms(axiom):
    assert profile_of(axiom) == []


def test_status_check_survives_the_closure(ontology, shapes, ontology_reasoner):
    """The build validates asserted + inferred triples, where the range of hasStatus has already
    typed any value as a nkg:Status: a certainty value used as a status must still be caught."""
    from newskg.build.reasoning import infer

    data = with_data(ontology, ART + GOOD_CLAIM.replace("nkg:hasStatus nkg:Confirmed", "nkg:hasStatus nkg:Possible"))
    closed = data + infer(data, ontology_reasoner).inferred
    problems = validate_shapes(closed, shapes)
    assert [p.focus for p in problems if "nkg:hasStatus" in p.message] == [
        "nkr:test/claim"]

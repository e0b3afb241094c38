"""Competency questions about the seed article, answered with SPARQL over the encoded graph.

Every expected answer below was written from reading the article
(/work/shared/seed/000_cef261d7efc6bb5d.txt), not from running the queries.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef

from newskg.build.rules import RulesReasoner
from newskg.namespaces import NKG, NKR, RDF, RDFS, SKOS, article_resource_namespace, sparql_prologue

SLUG = "pakistan-bangladesh-links-2025"
ART = article_resource_namespace(SLUG)
PROLOGUE = sparql_prologue() + f"PREFIX art: <{ART}>\n"


# Statuses that put a claim's content into a level (docs/status-levels.md); negative claims never do.
LEVEL_STATUSES = {
    "confirmed": {NKG.Background, NKG.Confirmed},
    "reported": {NKG.Background, NKG.Confirmed, NKG.Reported},
    "assessed": {NKG.Background, NKG.Confirmed, NKG.Reported, NKG.Assessed},
}


def _sources(project_root: Path, pattern: str) -> list[Path]:
    """The files of the article's graph and of the background: these questions are about this
    article, so another report in graph/ changes none of their answers."""
    graph = project_root / "graph"
    return sorted(graph.glob(pattern)) + sorted((graph / SLUG).glob(pattern))


def _turtle(project_root: Path) -> Graph:
    """The ontology and the Turtle files of the article and the background: claims, anchors,
    the document, names."""
    graph = Graph()
    for path in sorted((project_root / "ontology").glob("*.ttl")):
        if path.name != "shapes.ttl":
            graph.parse(path, format="turtle")
    for path in _sources(project_root, "*.ttl"):
        graph.parse(path, format="turtle")
    return graph


def _content(project_root: Path) -> Dataset:
    """The content graph of each claim of the article and the background, named by the claim."""
    dataset = Dataset()
    for path in _sources(project_root, "*.trig"):
        dataset.parse(path, format="trig")
    return dataset


def _load(project_root: Path) -> Graph:
    # Claim content flattened: these questions ask what the report says at any status; the status
    # of each answer is asked of the claims.
    graph = _turtle(project_root)
    for s, p, o, _ in _content(project_root).quads():
        graph.add((s, p, o))
    return graph


def _at_level(project_root: Path, level: str) -> Graph:
    """What a query at ``level`` reasons over: the claim layer and the content of the positive claims
    whose status is in the level, closed under OWL-RL.

    Closed by the rules engine, as the build closes them, in a few percent of owlrl's time:
    tests/test_rules.py holds it to owlrl on these same graphs (what each level keeps, and the
    closure of the assessed level triple for triple)."""
    graph = _turtle(project_root)
    content = _content(project_root)
    for claim in content.graphs():
        if not len(claim):
            continue
        status = graph.value(claim.identifier, NKG.hasStatus)
        if status in LEVEL_STATUSES[level] and (claim.identifier, NKG.hasPolarity, NKG.Negative) not in graph:
            for triple in claim:
                graph.add(triple)
    return RulesReasoner().closure(graph)


@pytest.fixture(scope="module")
def asserted(project_root: Path) -> Graph:
    return _load(project_root)


@pytest.fixture(scope="module")
def turtle(project_root: Path) -> Graph:
    return _turtle(project_root)


@pytest.fixture(scope="module")
def content(project_root: Path) -> Dataset:
    return _content(project_root)


@pytest.fixture(scope="module")
def closed(project_root: Path) -> dict[str, Graph]:
    """The closure at each level, computed on first use."""

    class Levels(dict):
        def __missing__(self, level):
            self[level] = _at_level(project_root, level)
            return self[level]

    return Levels()


@pytest.fixture(scope="module")
def text(project_root: Path) -> str:
    return (project_root / "graph" / SLUG / "source.txt").read_text(encoding="utf-8")


def ask(graph: Graph, query: str) -> list[tuple]:
    return [tuple(row) for row in graph.query(PROLOGUE + query)]  # type: ignore[arg-type]


def local(term) -> str:
    return str(term).rsplit("/", 1)[-1]


def stated_by(content: Dataset, triple: tuple) -> set[str]:
    """The local names of the claims whose content states ``triple``."""
    return {local(g.identifier) for g in content.graphs() if triple in g}


# ---------------------------------------------------------------- the April 2025 consultations

def test_when_did_foreign_secretary_consultations_resume(asserted):
    rows = ask(asserted, """
        SELECT ?label ?from ?to WHERE {
          ?fact nkg:engagementLevel nkg:ForeignSecretaryLevel ; nkg:hasTime ?t .
          ?t rdfs:label ?label ; nkg:notBefore ?from ; nkg:notAfter ?to .
        }""")
    assert rows == [(Literal("April 2025", lang="en"),
                     Literal("2025-04-01", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date")),
                     Literal("2025-04-30", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date")))]


def test_after_how_long_a_gap(asserted):
    rows = ask(asserted, """
        SELECT ?n ?unit ?approx ?qualifier WHERE {
          ?fact nkg:engagementLevel nkg:ForeignSecretaryLevel ; nkg:gapBefore ?d .
          ?d time:numericDuration ?n ; time:unitType ?unit ; nkg:approximate ?approx ;
             nkg:qualifierText ?qualifier .
        }""")
    assert len(rows) == 1
    n, unit, approx, qualifier = rows[0]
    assert (float(n), unit, approx.toPython(), str(qualifier)) == (
        15.0, URIRef("http://www.w3.org/2006/time#unitYear"), True, "nearly")


def test_who_acknowledged_and_who_reported_the_consultations(asserted, content):
    rows = ask(asserted, """
        SELECT ?status ?kind ?who WHERE {
          ?fact nkg:engagementLevel nkg:ForeignSecretaryLevel .
          ?claim nkg:denotes ?fact ; nkg:hasStatus ?status ; nkg:hasSourceKind ?kind ;
                 nkg:attributedTo ?who .
          FILTER (?kind IN (nkg:OfficialStatement, nkg:NewsAgencies))
        }""")
    assert set(rows) == {
        (NKG.Confirmed, NKG.OfficialStatement, NKR.PakistanMinistryOfForeignAffairs),
        (NKG.Reported, NKG.NewsAgencies, ART["international-news-agencies"]),
    }
    # The Confirmed claim is the only one in the article, and the one shortcut edge is its content alone.
    confirmed = ask(asserted, "SELECT ?c WHERE { ?c nkg:hasStatus nkg:Confirmed ; nkg:reportedIn art:article }")
    assert len(confirmed) == 1
    shortcuts = ask(asserted, "SELECT ?a ?b WHERE { ?a nkg:heldConsultationsWith ?b }")
    assert shortcuts == [(NKR.Pakistan, NKR.Bangladesh)]
    assert stated_by(content, (NKR.Pakistan, NKG.heldConsultationsWith, NKR.Bangladesh)) == {
        "claim-consultations-acknowledged"}
    # What the ministry acknowledged is the move; the topics are the author's next sentence
    # ("The talks covered ..."), the gap is left to the news agencies: neither is confirmed.
    assert stated_by(content, (ART["fact-fs-consultations"], NKG.topic, NKG.SecurityTopic)) == {"claim-talks-scope"}
    assert stated_by(content, (ART["fact-fs-consultations"], NKG.gapBefore, ART["duration-nearly-15-years"])) == {
        "claim-consultations-news-agencies"}


def test_the_shortcut_is_symmetric_and_implies_engagement_after_closure(closed):
    rows = set(ask(closed["confirmed"], "SELECT ?a ?b WHERE { ?a nkg:engagedWith ?b }"))
    assert rows == {(NKR.Pakistan, NKR.Bangladesh), (NKR.Bangladesh, NKR.Pakistan)}


# ---------------------------------------------------------------- unnamed sources

def test_which_engagements_rest_only_on_unnamed_sources(closed):
    # Engagements reported as having happened (Reported/Confirmed) only by unnamed sources or
    # unnamed officials: the senior military exchanges with their visits, meetings and focus
    # ("sources said", "chatters within Pakistan's military"), the MoUs and the defence
    # engagement ("officials said", "officials following the development").
    rows = ask(closed["reported"], """
        SELECT DISTINCT ?fact WHERE {
          ?fact a nkg:Engagement .
          ?c nkg:denotes ?fact ; nkg:hasStatus ?s .
          FILTER (?s IN (nkg:Reported, nkg:Confirmed))
          FILTER NOT EXISTS {
            ?other nkg:denotes ?fact ; nkg:hasSourceKind ?k .
            FILTER (?k NOT IN (nkg:UnnamedSources, nkg:UnnamedOfficials))
          }
        }""")
    assert {local(r[0]) for r in rows} == {
        "fact-military-exchanges", "fact-military-visits", "fact-military-meetings",
        "fact-cooperation-focus", "fact-mou-signings", "fact-issi-mou-signing",
        "fact-defence-cooperation",
    }


def test_the_military_exchanges_are_only_reported_by_sources(asserted, content):
    rows = ask(asserted, """
        SELECT ?status ?kind ?who WHERE {
          ?c nkg:denotes art:fact-military-exchanges ; nkg:hasStatus ?status ;
             nkg:hasSourceKind ?kind ; nkg:attributedTo/rdfs:label ?who .
        }""")
    assert rows == [(NKG.Reported, NKG.UnnamedSources, Literal("sources", lang="en"))]
    # "This diplomatic reopening was followed, sources said, by ...": the order rests on the sources too.
    assert stated_by(content, (ART["fact-fs-consultations"], NKG.followedBy, ART["fact-military-exchanges"])) == {
        "claim-military-exchanges"}


def test_unnamed_sources_keep_their_affiliation_unknown(turtle):
    affiliations = {local(s): o for s, o in turtle.subject_objects(NKG.affiliation)}
    # "chatters within Pakistan's military" is the only source whose affiliation the report gives
    assert affiliations.pop("pakistan-military-chatter") == NKR.PakistanArmedForces
    assert set(affiliations) == {"sources", "officials", "officials-familiar-with-regional-security",
                                 "officials-following-the-region", "security-officials-and-regional-analysts",
                                 "analysts", "security-offices"}
    assert set(affiliations.values()) == {NKG.UnknownAffiliation}


# ---------------------------------------------------------------- intelligence coordination

def test_which_agencies_could_coordinate_and_with_what_status(closed):
    rows = ask(closed["assessed"], """
        SELECT ?agency ?status ?certainty ?temporality WHERE {
          ?fact nkg:hasParticipant nkr:ISI , ?agency .
          ?c nkg:denotes ?fact ; nkg:hasStatus ?status ; nkg:hasCertainty ?certainty ;
             nkg:hasTemporality ?temporality .
          FILTER (?agency != nkr:ISI)
        }""")
    assert {r[0] for r in rows} == {NKR.DGFI, NKR.NSI}
    # Conditions for coordination were created: an assessment of a possibility to come, not an event.
    assert {(r[1], r[2], r[3]) for r in rows} == {(NKG.Assessed, NKG.Possible, NKG.Future)}
    classified = ask(closed["assessed"], """
        SELECT ?fact WHERE { ?fact nkg:hasParticipant nkr:ISI ; a nkg:IntelligenceEngagement }""")
    assert len(classified) == 1
    # Nothing the article confirms or reports is an intelligence engagement.
    for level in ("confirmed", "reported"):
        assert ask(closed[level], "SELECT ?f WHERE { ?f a nkg:IntelligenceEngagement }") == [], level


def test_no_actual_cooperation_type_rests_on_an_assessment(asserted, content):
    # "creating the conditions for closer coordination" and "without intelligence contact ... improbable"
    # are intent or possibility (0314), never intelligence shared (064).
    for fact in ("fact-isi-coordination", "fact-intelligence-contact"):
        types = set(asserted.objects(ART[fact], RDF.type))
        assert NKG.IntentToCooperateOnIntelligence in types and NKG.IntelligenceSharing not in types, fact
    # The only actual cooperation (062) in the article is the official defence engagement that
    # officials report ("parallel to official defence engagement", "the normalisation of defence cooperation").
    actual = ask(asserted, """
        SELECT DISTINCT ?fact WHERE {
          VALUES ?root { nkg:MilitaryCooperation nkg:IntelligenceSharing }
          ?fact a ?class . ?class rdfs:subClassOf* ?root . FILTER (?class IN (nkg:MilitaryCooperation, nkg:IntelligenceSharing))
        }""")
    assert [local(r[0]) for r in actual] == ["fact-defence-cooperation"]
    assert stated_by(content, (ART["fact-defence-cooperation"], RDF.type, NKG.MilitaryCooperation)) == {
        "claim-official-defence-engagement", "claim-defence-normalisation"}


def test_is_any_intelligence_sharing_agreement_confirmed(asserted, content, closed):
    confirmed = asserted.query(PROLOGUE + """
        ASK { ?c nkg:denotes ?f ; nkg:hasStatus ?s .
              ?f (nkg:discloses|nkg:concernsAgreement)+/a nkg:IntelligenceSharingAgreement .
              FILTER (?s IN (nkg:Confirmed, nkg:Reported)) }""").askAnswer
    assert confirmed is False
    # The agreement is reachable only from "neither government has publicly announced": a negative
    # claim about the announcement, whose content holds the agreement as what it would have disclosed.
    rows = ask(asserted, """
        SELECT ?c ?status ?polarity WHERE {
          ?c nkg:denotes ?f ; nkg:hasStatus ?status ; nkg:hasPolarity ?polarity .
          ?f nkg:discloses/nkg:concernsAgreement ?a . ?a a nkg:IntelligenceSharingAgreement .
        }""")
    assert rows == [(ART["claim-no-announced-agreement"], NKG.NotEvidenced, NKG.Negative)]
    agreement = (ART["agreement-intelligence-sharing"], RDF.type, NKG.IntelligenceSharingAgreement)
    assert stated_by(content, agreement) == {"claim-no-announced-agreement"}
    # ... and so it is at no level, with its parties
    assert agreement not in closed["assessed"]
    assert (ART["agreement-intelligence-sharing"], NKG.hasParty, NKR.Pakistan) not in closed["assessed"]


def test_the_unannounced_agreement_qualifies_the_coordination_assessment(asserted):
    qualified = {local(r[0]) for r in ask(asserted, """
        SELECT ?other WHERE { ?c nkg:denotes/nkg:discloses/nkg:concernsAgreement ?a ; nkg:qualifies ?other .
                              ?a a nkg:IntelligenceSharingAgreement }""")}
    assert {"claim-structurally-improbable", "claim-coordination-conditions"} <= qualified


def test_structurally_improbable_is_an_officials_assessment(asserted):
    rows = ask(asserted, """
        SELECT ?status ?kind ?who ?certainty ?condition WHERE {
          ?c nkg:hasAnchor/oa:hasSelector/oa:exact ?q ; nkg:hasStatus ?status ;
             nkg:hasSourceKind ?kind ; nkg:attributedTo/rdfs:label ?who ; nkg:hasCertainty ?certainty ;
             nkg:conditionalOn ?condition .
          FILTER CONTAINS(?q, "structurally improbable")
        }""")
    # improbable without contact, i.e. contact probable given sustained defence cooperation
    assert rows == [(NKG.Assessed, NKG.UnnamedOfficials,
                     Literal("officials familiar with regional security processes", lang="en"),
                     NKG.Probable, ART["fact-defence-cooperation"])]


# ---------------------------------------------------------------- MoUs

def test_which_mous_and_between_whom(asserted, closed):
    rows = ask(asserted, """
        SELECT ?signing ?party ?status ?who WHERE {
          ?signing nkg:concernsAgreement ?mou . ?mou a nkg:MemorandumOfUnderstanding ;
                   nkg:hasParty ?party .
          ?c nkg:denotes ?signing ; nkg:hasStatus ?status ; nkg:attributedTo/rdfs:label ?who .
        }""")
    parties: dict[str, set] = {}
    for signing, party, status, who in rows:
        parties.setdefault(local(signing), set()).add(local(party))
        assert (status, str(who)) == (NKG.Reported, "officials")  # "Officials said"
    assert parties == {
        "fact-issi-mou-signing": {"ISSI", "bangladesh-strategic-research-bodies"},
        "fact-mou-signings": {"pakistani-strategic-institutions", "bangladeshi-strategic-institutions"},
    }
    labels = {str(r[0]) for r in ask(asserted, "SELECT ?l WHERE { art:bangladesh-strategic-research-bodies rdfs:label ?l }")}
    assert labels == {"Bangladesh-based strategic research bodies"}
    # Each institution is tied to its country ("Pakistan's Institute", "Bangladesh-based", "from both
    # countries"), as based there: the report does not make them state bodies, so the MoUs involve no state.
    based = {(local(s), local(o)) for s, o in closed["reported"].subject_objects(NKG.basedIn)}
    assert based == {("ISSI", "Pakistan"), ("bangladesh-strategic-research-bodies", "Bangladesh"),
                     ("pakistani-strategic-institutions", "Pakistan"), ("bangladeshi-strategic-institutions", "Bangladesh")}
    assert not list(closed["assessed"].triples((ART["fact-mou-signings"], NKG.involvesState, None)))
    assert not list(closed["assessed"].triples((NKR.ISSI, NKG.belongsToState, None)))


def test_the_convergence_is_a_possibility_not_a_fact(asserted):
    # "these arrangements serve as auxiliary channels for policy convergence"
    rows = ask(asserted, """
        SELECT ?status ?certainty WHERE { ?c nkg:denotes art:fact-policy-convergence ;
                                          nkg:hasStatus ?status ; nkg:hasCertainty ?certainty }""")
    assert rows == [(NKG.Assessed, NKG.Possible)]


# ---------------------------------------------------------------- risks for India

def test_what_risks_for_india_and_who_assesses_them(asserted):
    rows = ask(asserted, """
        SELECT ?risk ?status ?who WHERE {
          ?risk a nkg:Risk ; nkg:riskFor nkr:India .
          ?c nkg:denotes ?risk ; nkg:hasStatus ?status ; nkg:attributedTo/rdfs:label ?who .
        }""")
    assert {r[1] for r in rows} == {NKG.Assessed}
    assessed_by = {local(r[0]): str(r[2]) for r in rows}
    # The hawala expansion is a concern of "the security offices", for whom the report does not say.
    assert assessed_by == {
        "fact-downstream-implications": "security officials and regional analysts",
        "fact-reduced-resistance": "security officials and regional analysts",
        "fact-permissive-conditions": "officials",
        "fact-staging-ground": "the security offices",
    }


def test_the_risks_hang_on_what_the_article_says_they_depend_on(asserted, content):
    conditions = {(local(c), local(f)) for c, f in asserted.subject_objects(NKG.conditionalOn)}
    assert conditions == {
        ("claim-reduced-resistance", "fact-coordination-unchecked"),      # "if left unchecked"
        ("claim-staging-ground", "fact-partnership-development"),         # "in case such a partnership develops"
        ("claim-structurally-improbable", "fact-defence-cooperation"),    # "without intelligence contact"
    }
    # the staging ground is tied to a partnership that may develop, not to the existing alignment
    assert not list(asserted.triples((ART["fact-staging-ground"], NKG.drivenBy, None)))
    # "such an alignment could ... create permissive conditions": said, as a possibility
    assert stated_by(content, (ART["fact-permissive-conditions"], NKG.drivenBy, ART["fact-security-alignment"])) == {
        "claim-permissive-conditions"}
    futures = {local(c) for c in asserted.subjects(NKG.hasTemporality, NKG.Future)}
    assert futures == {"claim-coordination-conditions", "claim-downstream-implications", "claim-reduced-resistance",
                       "claim-permissive-conditions", "claim-staging-ground"}


def test_territory_is_a_place_not_a_participant(asserted, closed):
    # "within Bangladesh", "from or through Bangladeshi territory", "the future use of Bangladesh as a ...
    # staging ground", "Bangladesh's geography ... make it a sensitive theatre"
    placed = {local(f) for f in asserted.subjects(NKG.hasPlace, ART["territory-bangladesh"])}
    assert placed == {"fact-reduced-resistance", "fact-permissive-conditions", "fact-staging-ground",
                      "fact-geography-condition"}
    for fact in placed:
        assert (ART[fact], NKG.hasParticipant, NKR.Bangladesh) not in asserted, fact
        assert (ART[fact], NKG.involvesState, NKR.Bangladesh) not in closed["assessed"], fact
    assert (ART["territory-bangladesh"], RDF.type, NKG.Place) in closed["assessed"]
    assert (ART["territory-bangladesh"], NKG.territoryOf, NKR.Bangladesh) in closed["assessed"]


def test_the_risks_are_qualified_by_no_public_evidence_and_institutional_drift(asserted):
    rows = ask(asserted, """
        SELECT ?q ?risk WHERE {
          ?qualifier nkg:qualifies ?c ; nkg:hasAnchor/oa:hasSelector/oa:exact ?q .
          ?c nkg:denotes ?risk . ?risk a nkg:Risk .
        }""")
    by_words: dict[str, set[str]] = {}
    for quote, risk in rows:
        by_words.setdefault(str(quote)[:30], set()).add(local(risk))
    risks = {"fact-reduced-resistance", "fact-permissive-conditions", "fact-hawala-expansion", "fact-staging-ground"}
    assert by_words["There is, however, no public e"] == risks
    assert by_words["Analysts stress that the conce"] == risks


def test_the_drift_is_a_concern_not_a_development(asserted):
    # "the concern lies in institutional drift, not declared policy"
    rows = {local(f): (certainty, polarity) for f, certainty, polarity in ask(asserted, """
        SELECT ?f ?certainty ?polarity WHERE {
          ?c nkg:denotes ?f ; nkg:hasCertainty ?certainty ; nkg:hasPolarity ?polarity ; nkg:attributedTo art:analysts }""")}
    assert rows == {"fact-institutional-drift": (NKG.Possible, NKG.Positive),
                    "fact-declared-policy": (NKG.Certain, NKG.Negative)}
    for fact in rows:
        assert (ART[fact], RDF.type, NKG.Risk) in asserted, fact


# ---------------------------------------------------------------- NotEvidenced, Denied

def test_what_is_not_evidenced(asserted, content):
    rows = ask(asserted, """
        SELECT ?fact ?polarity ?certainty ?q WHERE {
          ?c nkg:hasStatus nkg:NotEvidenced ; nkg:denotes ?fact ; nkg:hasPolarity ?polarity ;
             nkg:hasCertainty ?certainty ; nkg:hasAnchor/oa:hasSelector/oa:exact ?q .
        }""")
    # What is certainly missing is the announcement and the public evidence, nothing more.
    assert {(local(f), p, c) for f, p, c, _ in rows} == {
        ("fact-agreement-announcement", NKG.Negative, NKG.Certain),
        ("fact-public-evidence-of-enabling", NKG.Negative, NKG.Certain),
    }
    quotes = " | ".join(str(q) for *_, q in rows)
    assert "neither government has publicly announced" in quotes
    assert "no public evidence at this stage that Bangladesh has formally endorsed or enabled" in quotes
    for fact, disclosed in (("fact-agreement-announcement", "fact-intelligence-agreement-signing"),
                            ("fact-public-evidence-of-enabling", "fact-bangladesh-enabling")):
        assert (ART[fact], RDF.type, NKG.PublicDisclosure) in asserted
        assert (ART[fact], NKG.discloses, ART[disclosed]) in asserted
        # no claim says anything of the signing or the enabling itself
        assert not list(asserted.subjects(NKG.denotes, ART[disclosed])), disclosed
    # "at this stage": as of the report
    assert asserted.value(ART["claim-no-public-evidence"], NKG.claimTime).toPython().isoformat() == "2025-12-28"


def test_every_claim_has_exactly_one_status_and_none_is_denied(asserted):
    claims = {r[0] for r in ask(asserted, "SELECT ?c WHERE { ?c a nkg:Claim }")}
    counts = Counter(c for c, _ in asserted.subject_objects(NKG.hasStatus))
    assert claims and all(counts[c] == 1 for c in claims)
    assert ask(asserted, "SELECT ?c WHERE { ?c nkg:hasStatus nkg:Denied }") == []


def test_every_article_claim_carries_the_required_fields(asserted):
    missing = ask(asserted, """
        SELECT ?c WHERE {
          ?c a nkg:Claim ; nkg:reportedIn art:article .
          FILTER (NOT EXISTS { ?c nkg:denotes ?f } || NOT EXISTS { ?c nkg:hasSourceKind ?k }
               || NOT EXISTS { ?c nkg:attributedTo ?a } || NOT EXISTS { ?c nkg:hasCertainty ?x }
               || NOT EXISTS { ?c nkg:hasPolarity ?p } || NOT EXISTS { ?c nkg:hasAnchor ?n })
        }""")
    assert missing == []


# ---------------------------------------------------------------- the author's framing

def test_what_is_the_authors_own_framing(asserted):
    rows = ask(asserted, """
        SELECT ?q ?status WHERE {
          ?c nkg:hasSourceKind nkg:AuthorVoice ; nkg:attributedTo nkr:AbhinandanMishra ;
             nkg:hasStatus ?status ; nkg:hasAnchor/oa:hasSelector/oa:exact ?q .
        }""")
    quotes = {str(q): s for q, s in rows}
    assert quotes["For now, what is clear is that Pakistan and Bangladesh have rebuilt security bridges"] == NKG.Assessed
    assert quotes["Pakistan and Bangladesh Quietly Rebuild Intelligence and Defence Links"] == NKG.Assessed
    assert any(q.startswith("Renewed diplomatic and military engagement signals") for q in quotes)
    # The headline is the publisher's framing too.
    publisher = ask(asserted, """
        SELECT ?c WHERE { ?c nkg:attributedTo nkr:TheSundayGuardian ;
                          nkg:hasAnchor/oa:hasSelector/oa:start ?s FILTER (?s = 0) }""")
    assert len(publisher) == 1


# ---------------------------------------------------------------- facts with several claims

def test_which_facts_have_more_than_one_claim(asserted):
    rows = ask(asserted, """
        SELECT ?fact (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c nkg:denotes ?fact ; nkg:reportedIn art:article }
        GROUP BY ?fact HAVING (COUNT(DISTINCT ?c) > 1)""")
    # The consultations: MoFA, news agencies, the author's scope sentence, officials' "reopening of
    # diplomatic talks". The reset: the opening sentence, its drivers, "speed and breadth", "what is
    # clear". Dormant channels / dismantled bridges. Official defence engagement / its normalisation.
    assert {local(f): int(n) for f, n in rows} == {
        "fact-fs-consultations": 4,
        "fact-reset": 4,
        "fact-channels-dormancy": 2,
        "fact-defence-cooperation": 2,
    }


# ---------------------------------------------------------------- claim content

# Each relation between fact nodes, and the claims whose words state it (read from the article):
# "The reset has been driven by a combination of ...", "creating the conditions for closer coordination",
# "these arrangements serve as auxiliary channels for policy convergence", "reopening institutional
# channels that had remained largely dormant", "This diplomatic reopening was followed, sources said, by",
# "reversing a long period", "the reactivation ... has significant downstream implications, particularly
# for India's", "deeper coordination ... could ... reduce institutional resistance ... to Pakistan-origin
# terror networks that have historically been linked to anti-India activities", "such an alignment could
# ... create permissive conditions for ... anti-India ... elements", "the future use of Bangladesh as a
# ... staging ground" (after "anti-India ... elements"), and the parts: "reopening institutional
# channels" of the reset, "marking a decisive political signal", "including visits and meetings",
# "these interactions", "language that ... typically encompasses", "including between ISSI and ...".
RELATIONS = {
    ("fact-reset", "drivenBy", "fact-fs-consultations"): {"claim-reset-drivers"},
    ("fact-reset", "drivenBy", "fact-military-exchanges"): {"claim-reset-drivers"},
    ("fact-reset", "drivenBy", "fact-defence-cooperation-language"): {"claim-reset-drivers"},
    ("fact-reset", "createsConditionsFor", "fact-isi-coordination"): {"claim-coordination-conditions"},
    ("fact-mou-signings", "createsConditionsFor", "fact-policy-convergence"): {"claim-auxiliary-channels"},
    ("fact-channels-dormancy", "followedBy", "fact-channels-reopening"): {"claim-channels-reopened"},
    ("fact-fs-consultations", "followedBy", "fact-military-exchanges"): {"claim-military-exchanges"},
    ("fact-security-alignment", "reverses", "fact-arms-length"): {"claim-consolidated-alignment"},
    ("fact-downstream-implications", "drivenBy", "fact-channels-reopening"): {"claim-downstream-implications"},
    ("fact-reduced-resistance", "drivenBy", "fact-isi-coordination"): {"claim-reduced-resistance"},
    ("fact-permissive-conditions", "drivenBy", "fact-security-alignment"): {"claim-permissive-conditions"},
    ("fact-downstream-implications", "riskFor", "India"): {"claim-downstream-implications"},
    ("fact-reduced-resistance", "riskFor", "India"): {"claim-reduced-resistance"},
    ("fact-permissive-conditions", "riskFor", "India"): {"claim-permissive-conditions"},
    ("fact-staging-ground", "riskFor", "India"): {"claim-staging-ground"},
    ("fact-channels-reopening", "subEventOf", "fact-reset"): {"claim-channels-reopened"},
    ("fact-normalisation-signal", "subEventOf", "fact-fs-consultations"): {"claim-normalisation-signal"},
    ("fact-military-visits", "subEventOf", "fact-military-exchanges"): {"claim-military-visits"},
    ("fact-military-meetings", "subEventOf", "fact-military-exchanges"): {"claim-military-meetings"},
    ("fact-cooperation-focus", "subEventOf", "fact-military-exchanges"): {"claim-interactions-focus"},
    ("fact-encompassed-intelligence-cooperation", "subEventOf", "fact-cooperation-focus"):
        {"claim-language-encompasses-intelligence"},
    ("fact-issi-mou-signing", "subEventOf", "fact-mou-signings"): {"claim-issi-mou"},
}


def _node(name: str) -> URIRef:
    return NKR[name] if name[0].isupper() else ART[name]


def test_every_relation_between_facts_is_stated_by_the_claim_whose_words_say_it(asserted, content):
    relations = {"drivenBy", "createsConditionsFor", "followedBy", "reverses", "riskFor", "subEventOf"}
    found = {(local(s), str(p).rsplit("#", 1)[-1], local(o)) for s, p, o in asserted
             if str(p).rsplit("#", 1)[-1] in relations and str(s).startswith(str(ART))}
    assert found == set(RELATIONS)
    for (s, p, o), claims in RELATIONS.items():
        assert stated_by(content, (_node(s), NKG[p], _node(o))) == claims, (s, p, o)


def test_fact_triples_live_only_in_claim_content(turtle, content, asserted):
    claims = set(turtle.subjects(RDF.type, NKG.Claim))
    graphs = [g for g in content.graphs() if len(g)]
    # every content graph is a claim's, with a status
    assert {g.identifier for g in graphs} <= claims
    assert all(turtle.value(g.identifier, NKG.hasStatus) is not None for g in graphs)
    # nothing but names is said, outside content, of a fact node or a shared resource
    fact_nodes = {s for g in graphs for s in g.subjects()} | set(turtle.objects(None, NKG.denotes))
    names = {RDFS.label, RDFS.comment, SKOS.altLabel, SKOS.prefLabel, SKOS.exactMatch}
    outside = [(s, p, o) for s, p, o in turtle if p not in names
               and (s in fact_nodes or (str(s).startswith(str(NKR)) and "/" not in str(s)[len(str(NKR)):]))]
    assert outside == []


def test_how_many_claims_state_each_fact_triple(content):
    report = [g for g in content.graphs() if len(g) and str(g.identifier).startswith(str(ART))]
    assert len(report) == 43, "every claim of the article states something"
    per_triple = Counter(t for g in report for t in g)
    print(f"fact triples: {len(per_triple)}; claims per triple: min {min(per_triple.values())}, "
          f"mean {sum(per_triple.values()) / len(per_triple):.2f}, max {max(per_triple.values())}")
    # a triple several claims state is repeated in each: what the ministry acknowledged, the news
    # agencies reported and the officials' "reopening of diplomatic talks" name the same consultations;
    # the opening sentence, "the speed and breadth of engagement" and "what is clear" the same reset;
    # the shared actors the report defines are typed by each of the five claims that name them
    expected = {
        (ART["fact-fs-consultations"], RDF.type, NKG.ConsultationUnspecified):
            {"claim-consultations-acknowledged", "claim-consultations-news-agencies", "claim-talks-reopening"},
        (ART["fact-reset"], RDF.type, NKG.Development):
            {"claim-reset", "claim-speed-and-breadth", "claim-rebuilt-bridges"},
        (NKR.PakistanMilitaryLeadership, RDF.type, NKG.MilitaryLeadership):
            {"claim-military-exchanges", "claim-military-visits", "claim-military-meetings",
             "claim-interactions-focus", "claim-language-encompasses-intelligence"},
        (NKR.BangladeshCivilianAndDefenceAuthorities, NKG.belongsToState, NKR.Bangladesh):
            {"claim-military-exchanges", "claim-military-visits", "claim-military-meetings",
             "claim-interactions-focus", "claim-language-encompasses-intelligence"},
        (ART["territory-bangladesh"], NKG.territoryOf, NKR.Bangladesh):
            {"claim-reduced-resistance", "claim-permissive-conditions", "claim-staging-ground", "claim-geography"},
    }
    for triple, claims in expected.items():
        assert stated_by(content, triple) == claims, triple


def test_hedges_of_generic_statements(asserted):
    # "in regional practice, typically encompasses", "routinely embedded": generic statements
    generic = {local(c) for c in asserted.subjects(NKG.isGeneric, Literal(True))}
    assert generic == {"claim-language-encompasses-intelligence", "claim-agency-embedding"}


# ---------------------------------------------------------------- time and the document

def test_vague_times_keep_their_words_and_bounds(asserted):
    rows = {str(label): (before, after, approx) for label, before, after, approx in ask(asserted, """
        SELECT ?label ?before ?after ?approx WHERE {
          ?t rdfs:label ?label ; nkg:approximate ?approx .
          OPTIONAL { ?t nkg:notBefore ?before } OPTIONAL { ?t nkg:notAfter ?after }
        }""")}
    before, after, approx = rows["the past few months"]
    assert before is None and str(after) == "2025-12-28" and approx.toPython() is True
    before, after, approx = rows["since the early 2010s"]
    assert str(before) == "2010-01-01" and after is None and approx.toPython() is True
    end = ask(asserted, """
        SELECT ?d WHERE { ?t rdfs:label "the past few months"@en ; time:hasEnd/time:inXSDDate ?d }""")
    assert [str(r[0]) for r in end] == ["2025-12-28"]


def test_the_document_node(asserted):
    rows = ask(asserted, """
        SELECT ?h ?author ?publisher ?modified ?printed ?dateline ?source WHERE {
          art:article a nkg:NewsArticle ; schema:headline ?h ; schema:author ?author ;
            schema:publisher ?publisher ; schema:dateModified ?modified ;
            nkg:lastUpdatedAsPrinted ?printed ; schema:dateline ?dateline ; nkg:sourceText ?source .
        }""")
    assert len(rows) == 1
    h, author, publisher, modified, printed, dateline, source = rows[0]
    assert str(h) == "Pakistan and Bangladesh Quietly Rebuild Intelligence and Defence Links"
    assert (author, publisher) == (NKR.AbhinandanMishra, NKR.TheSundayGuardian)
    assert modified.toPython().isoformat() == "2025-12-28T02:22:58+05:30"
    assert (str(printed), str(dateline), str(source)) == (
        "December 28, 2025 02:22:58 IST", "NEW DELHI", "source.txt")


# ---------------------------------------------------------------- coverage of the text

def body_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of the body: the text after the 'Last Updated' line."""
    body_start = text.index("\n\n", text.index("Last Updated:")) + 2
    spans = []
    for paragraph in re.finditer(r"[^\n]+", text[body_start:]):
        offset = body_start + paragraph.start()
        # A sentence ends at . ! or ? followed by a space and a capital letter (the body has no
        # abbreviations with a full stop).
        start = 0
        for boundary in re.finditer(r"(?<=[.!?])\s+(?=[A-Z])", paragraph.group()):
            spans.append((offset + start, offset + boundary.start()))
            start = boundary.end()
        spans.append((offset + start, offset + len(paragraph.group())))
    return spans


def test_every_body_sentence_is_covered_by_an_anchor(asserted, text):
    sentences = body_sentences(text)
    assert len(sentences) == 22  # 2 + 4 + 4 + 3 + 6 + 3 sentences in the six paragraphs
    anchors = [(int(s), int(e)) for s, e in ask(asserted, """
        SELECT ?s ?e WHERE { ?c nkg:reportedIn art:article ; nkg:hasAnchor/oa:hasSelector ?p .
                             ?p oa:start ?s ; oa:end ?e }""")]
    uncovered = [text[s:e] for s, e in sentences
                 if not any(a_start < e and a_end > s for a_start, a_end in anchors)]
    covered = len(sentences) - len(uncovered)
    print(f"sentence coverage: {covered}/{len(sentences)}")
    assert uncovered == []

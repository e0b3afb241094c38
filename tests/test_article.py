"""Competency questions about the seed article, answered with SPARQL over the encoded graph.

Every expected answer below was written from reading the article
(/work/shared/seed/000_cef261d7efc6bb5d.txt), not from running the queries.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import owlrl
import pytest
from rdflib import Dataset, Graph, Literal, URIRef

from newskg.namespaces import NKG, NKR, article_resource_namespace, sparql_prologue

SLUG = "pakistan-bangladesh-links-2025"
ART = article_resource_namespace(SLUG)
PROLOGUE = sparql_prologue() + f"PREFIX art: <{ART}>\n"


def _load(project_root: Path) -> Graph:
    graph = Graph()
    for path in sorted((project_root / "ontology").glob("*.ttl")):
        if path.name != "shapes.ttl":
            graph.parse(path, format="turtle")
    for path in sorted((project_root / "graph").rglob("*.ttl")):
        graph.parse(path, format="turtle")
    # Claim content (docs/status-levels.md), flattened: these questions ask what the report
    # says at any status; the status of each answer is asked of the claims.
    for path in sorted((project_root / "graph").rglob("*.trig")):
        for s, p, o, _ in Dataset().parse(path, format="trig").quads():
            graph.add((s, p, o))
    return graph


@pytest.fixture(scope="module")
def asserted(project_root: Path) -> Graph:
    return _load(project_root)


@pytest.fixture(scope="module")
def closed(project_root: Path) -> Graph:
    graph = _load(project_root)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    return graph


@pytest.fixture(scope="module")
def text(project_root: Path) -> str:
    return (project_root / "graph" / SLUG / "source.txt").read_text(encoding="utf-8")


def ask(graph: Graph, query: str) -> list[tuple]:
    return [tuple(row) for row in graph.query(PROLOGUE + query)]


def local(term) -> str:
    return str(term).rsplit("/", 1)[-1]


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


def test_who_acknowledged_and_who_reported_the_consultations(asserted):
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
    # The Confirmed claim is the only one in the article, and it licenses the one shortcut edge.
    confirmed = ask(asserted, "SELECT ?c WHERE { ?c nkg:hasStatus nkg:Confirmed ; nkg:reportedIn art:article }")
    assert len(confirmed) == 1
    shortcuts = ask(asserted, "SELECT ?a ?b WHERE { ?a nkg:heldConsultationsWith ?b }")
    assert shortcuts == [(NKR.Pakistan, NKR.Bangladesh)]


def test_the_shortcut_is_symmetric_and_implies_engagement_after_closure(closed):
    rows = set(ask(closed, "SELECT ?a ?b WHERE { ?a nkg:engagedWith ?b }"))
    assert rows == {(NKR.Pakistan, NKR.Bangladesh), (NKR.Bangladesh, NKR.Pakistan)}


# ---------------------------------------------------------------- unnamed sources

def test_which_engagements_rest_only_on_unnamed_sources(closed):
    # Engagements reported as having happened (Reported/Confirmed) only by unnamed sources or
    # unnamed officials: the senior military exchanges with their visits, meetings and focus
    # ("sources said", "chatters within Pakistan's military"), the MoUs and the defence
    # engagement ("officials said", "officials following the development").
    rows = ask(closed, """
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


def test_the_military_exchanges_are_only_reported_by_sources(asserted):
    rows = ask(asserted, """
        SELECT ?status ?kind ?who WHERE {
          ?c nkg:denotes art:fact-military-exchanges ; nkg:hasStatus ?status ;
             nkg:hasSourceKind ?kind ; nkg:attributedTo/rdfs:label ?who .
        }""")
    assert rows == [(NKG.Reported, NKG.UnnamedSources, Literal("sources", lang="en"))]


# ---------------------------------------------------------------- intelligence coordination

def test_which_agencies_could_coordinate_and_with_what_status(closed):
    rows = ask(closed, """
        SELECT ?agency ?status ?certainty WHERE {
          ?fact nkg:hasParticipant nkr:ISI , ?agency .
          ?c nkg:denotes ?fact ; nkg:hasStatus ?status ; nkg:hasCertainty ?certainty .
          FILTER (?agency != nkr:ISI)
        }""")
    assert {r[0] for r in rows} == {NKR.DGFI, NKR.NSI}
    # Conditions for coordination were created: an assessment of a possibility, not an event.
    assert {(r[1], r[2]) for r in rows} == {(NKG.Assessed, NKG.Possible)}
    classified = ask(closed, """
        SELECT ?fact WHERE { ?fact nkg:hasParticipant nkr:ISI ; a nkg:IntelligenceEngagement }""")
    assert len(classified) == 1


def test_is_any_intelligence_sharing_agreement_confirmed(asserted):
    confirmed = asserted.query(PROLOGUE + """
        ASK { ?c nkg:denotes ?f ; nkg:hasStatus ?s .
              ?f nkg:concernsAgreement/a nkg:IntelligenceSharingAgreement .
              FILTER (?s IN (nkg:Confirmed, nkg:Reported)) }""").askAnswer
    assert confirmed is False
    rows = ask(asserted, """
        SELECT ?status ?polarity WHERE {
          ?c nkg:denotes ?f ; nkg:hasStatus ?status ; nkg:hasPolarity ?polarity .
          ?f nkg:concernsAgreement/a nkg:IntelligenceSharingAgreement .
        }""")
    assert rows == [(NKG.NotEvidenced, NKG.Negative)]


def test_the_unannounced_agreement_qualifies_the_coordination_assessment(asserted):
    qualified = {local(r[0]) for r in ask(asserted, """
        SELECT ?other WHERE { ?c nkg:denotes/nkg:concernsAgreement ?a ; nkg:qualifies ?other .
                              ?a a nkg:IntelligenceSharingAgreement }""")}
    assert {"claim-structurally-improbable", "claim-coordination-conditions"} <= qualified


def test_structurally_improbable_is_an_officials_assessment(asserted):
    rows = ask(asserted, """
        SELECT ?status ?kind ?who WHERE {
          ?c nkg:hasAnchor/oa:hasSelector/oa:exact ?q ; nkg:hasStatus ?status ;
             nkg:hasSourceKind ?kind ; nkg:attributedTo/rdfs:label ?who .
          FILTER CONTAINS(?q, "structurally improbable")
        }""")
    assert rows == [(NKG.Assessed, NKG.UnnamedOfficials,
                     Literal("officials familiar with regional security processes", lang="en"))]


# ---------------------------------------------------------------- MoUs

def test_which_mous_and_between_whom(asserted):
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


# ---------------------------------------------------------------- risks for India

def test_what_risks_for_india_and_who_assesses_them(asserted):
    rows = ask(asserted, """
        SELECT ?risk ?status ?who WHERE {
          ?risk a nkg:Risk ; nkg:riskFor nkr:India .
          ?c nkg:denotes ?risk ; nkg:hasStatus ?status ; nkg:attributedTo/rdfs:label ?who .
        }""")
    assert {r[1] for r in rows} == {NKG.Assessed}
    assessed_by = {local(r[0]): str(r[2]) for r in rows}
    assert assessed_by == {
        "fact-downstream-implications": "security officials and regional analysts",
        "fact-reduced-resistance": "security officials and regional analysts",
        "fact-permissive-conditions": "officials",
        "fact-hawala-expansion": "the security offices",
        "fact-staging-ground": "the security offices",
    }


def test_the_risks_are_qualified_by_no_public_evidence_and_institutional_drift(asserted):
    rows = ask(asserted, """
        SELECT ?q ?risk WHERE {
          ?qualifier nkg:qualifies ?c ; nkg:hasAnchor/oa:hasSelector/oa:exact ?q .
          ?c nkg:denotes ?risk . ?risk a nkg:Risk .
        }""")
    by_words = {}
    for quote, risk in rows:
        by_words.setdefault(str(quote)[:30], set()).add(local(risk))
    risks = {"fact-reduced-resistance", "fact-permissive-conditions", "fact-hawala-expansion", "fact-staging-ground"}
    assert by_words["There is, however, no public e"] == risks
    assert by_words["Analysts stress that the conce"] == risks


# ---------------------------------------------------------------- NotEvidenced, Denied

def test_what_is_not_evidenced(asserted):
    rows = ask(asserted, """
        SELECT ?fact ?polarity ?q WHERE {
          ?c nkg:hasStatus nkg:NotEvidenced ; nkg:denotes ?fact ; nkg:hasPolarity ?polarity ;
             nkg:hasAnchor/oa:hasSelector/oa:exact ?q .
        }""")
    assert {(local(f), p) for f, p, _ in rows} == {
        ("fact-intelligence-agreement-signing", NKG.Negative),
        ("fact-bangladesh-enabling", NKG.Negative),
    }
    quotes = " | ".join(str(q) for _, _, q in rows)
    assert "neither government has publicly announced" in quotes
    assert "no public evidence at this stage that Bangladesh has formally endorsed or enabled" in quotes


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

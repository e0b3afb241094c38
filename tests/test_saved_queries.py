"""Every saved query, on the real build, against answers written from reading the article.

The expected values below come from the seed article (/work/shared/seed/000_cef261d7efc6bb5d.txt),
not from program output: e.g. the only confirmed statements are the April 2025 foreign-secretary
consultations ("officially acknowledged by Pakistan's Ministry of Foreign Affairs"); the MoU
parties are ISSI and "Bangladesh-based strategic research bodies"; nothing is denied. Each
expectation is checked on three engines (embedded pyoxigraph, rdflib, a real Oxigraph server
over HTTP), and the three must return the same answer for every query.

Levels (docs/status-levels.md): at "confirmed" a query sees only what the ministry acknowledged and
the background; at "reported" also what sources, officials and news agencies passed on; at
"assessed" also the judgements, warnings and possibilities. The claims themselves (status,
certainty, polarity, quote) are listed at every level.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from conftest import PROJECT_ROOT, post_dataset
from newskg.errors import ParameterError
from newskg.namespaces import LEVELS, NKG, NKR, RDF
from newskg.project import Build
from newskg.query.catalog import check_query_syntax, list_saved_queries, prepare_query_text, read_saved_query
from newskg.query.engines import open_engine
from newskg.query.results import AskResult, GraphResult, SelectResult, Term
from newskg.query.sparql import dollar_variables, sparql_tokens, variables_used
from oxigraph_server import start_oxigraph, stop_oxigraph

QUERIES_DIR = PROJECT_ROOT / "queries"
SAVED = sorted(QUERIES_DIR.glob("*.rq"))
ARTICLE_TEXT = Path(PROJECT_ROOT / "graph" / "pakistan-bangladesh-links-2025" / "source.txt")
ENGINES = ("embedded", "rdflib", "endpoint")
HOSTILE = 'x" } ; DROP ALL ; #'

CONFIRMED, REPORTED, ASSESSED = str(NKG.Confirmed), str(NKG.Reported), str(NKG.Assessed)
NOT_EVIDENCED, DENIED = str(NKG.NotEvidenced), str(NKG.Denied)


# --- the real build, served three ways -------------------------------------------------------


@pytest.fixture(scope="module")
def build_dir(built_project: Path) -> Path:
    """A fresh build of the repository's sources, in a tmp folder: the session's shared one."""
    return built_project / "build"


@pytest.fixture(scope="module")
def engines(build_dir: Path, tmp_path_factory):
    """embedded, rdflib and an Oxigraph server (own process, so no other test's data) over one build."""
    proc, server = start_oxigraph(tmp_path_factory.mktemp("oxigraph-saved") / "db")
    try:
        post_dataset(server.store_url, build_dir)
        yield {
            "embedded": open_engine(build_dir, "embedded"),
            "rdflib": open_engine(build_dir, "rdflib"),
            "endpoint": open_engine(build_dir, endpoint=server.query_url),
        }
    finally:
        stop_oxigraph(proc)


FIRST = "pakistan-bangladesh-links-2025"


@pytest.fixture(params=ENGINES)
def run(request, engines, build_dir):
    """run(name, level=..., **params) on one engine: every expectation is checked on each of the three.

    The level defaults to "assessed": the article's answers with every positive claim counted.
    A query with a report parameter is asked about the first article (report=FIRST) unless the
    test says otherwise (report="" for every report), so that another report in graph/ changes
    none of these answers (tests/test_second_report.py checks that it does not)."""
    engine = engines[request.param]
    build = Build(build_dir)

    def _run(name: str, level: str = "assessed", **params: str):
        saved = read_saved_query(QUERIES_DIR / f"{name}.rq")
        if any(p.name == "report" for p in saved.params):
            params.setdefault("report", FIRST)
        return engine.query(prepare_query_text(saved, params, reports=build.report_slugs()), saved.form,
                            saved.default_graphs(build, level))

    return _run


def col(result: SelectResult, var: str) -> list[str]:
    return [row[var].value for row in result.rows if var in row]


def words(result: SelectResult, var: str) -> set[str]:
    """The space-separated items of a GROUP_CONCAT column, over all rows."""
    return {item for value in col(result, var) for item in value.split()}


def rows_quoting(result: SelectResult, text: str) -> list[dict[str, Term]]:
    return [row for row in result.rows if "quote" in row and text in row["quote"].value]


# --- header and parameter consistency, for every file ---------------------------------------


@pytest.mark.parametrize("path", SAVED, ids=lambda p: p.name)
def test_header_and_parameters_are_consistent(path: Path):
    saved = read_saved_query(path)
    check_query_syntax(saved)
    assert saved.title and saved.description, "title and description are required"
    assert "#+ inferred:" in saved.text, "say whether the query needs the inferred graph"
    assert saved.form in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"), "saved queries modify nothing"
    declared = {p.name for p in saved.params}
    used = variables_used(saved.text)
    assert declared <= used, f"declared but never used as ?name: {declared - used}"
    assert dollar_variables(saved.text) <= declared, "a $name must be a declared parameter"
    keywords = {t.text.upper() for t in sparql_tokens(saved.text) if t.kind == "word"}
    assert "GRAPH" not in keywords, "no GRAPH clauses: use a #+ graph: header"
    assert saved.name == saved.name.lower() and " " not in saved.name and "_" not in saved.name
    for spec in saved.params:
        assert spec.description, f"parameter {spec.name!r} needs a description"


def test_at_least_fifteen_saved_queries_with_select_construct_and_ask():
    saved = list_saved_queries(QUERIES_DIR)
    assert len(saved) >= 15
    assert {q.form for q in saved} >= {"SELECT", "CONSTRUCT", "ASK"}


# --- the three engines agree -----------------------------------------------------------------


def _comparable(result):
    """A form of a result that does not depend on blank-node labels or GROUP_CONCAT order."""
    def term(t: Term):
        if t.kind == "bnode":
            return ("bnode",)
        value = " ".join(sorted(t.value.split(" "))) if t.kind == "literal" and t.datatype is None else t.value
        return (t.kind, value, t.datatype, t.lang)

    if isinstance(result, AskResult):
        return result.value
    if isinstance(result, GraphResult):
        return sorted({tuple(term(t) for t in triple) for triple in result.triples})
    return sorted(Counter(tuple(sorted((k, term(v)) for k, v in row.items())) for row in result.rows).items())


@pytest.mark.parametrize("path", SAVED, ids=lambda p: p.name)
@pytest.mark.parametrize("level", LEVELS)
def test_three_engines_agree(path: Path, level: str, engines, build_dir):
    saved = read_saved_query(path)
    if any(p.required for p in saved.params):
        pytest.skip("needs a parameter value")
    text = prepare_query_text(saved, {})
    graphs = saved.default_graphs(Build(build_dir), level)
    answers = {name: _comparable(e.query(text, saved.form, graphs)) for name, e in engines.items()}
    assert answers["embedded"] == answers["rdflib"], "embedded and rdflib differ"
    assert answers["embedded"] == answers["endpoint"], "embedded and the Oxigraph server differ"


# --- expected answers, from the article ------------------------------------------------------

L = "pakistan-bangladesh-links-2025/"
ARTICLE = str(NKR[L + "article"])
POSITIVE, NEGATIVE = str(NKG.Positive), str(NKG.Negative)
CERTAIN, PROBABLE, POSSIBLE = str(NKG.Certain), str(NKG.Probable), str(NKG.Possible)


def local(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def locals_(result: SelectResult, var: str) -> set[str]:
    return {local(v) for v in col(result, var)}


def test_statement_statuses_follow_the_article(run):
    result = run("statements-with-status-and-quote")
    expected = {
        "officially acknowledged by Pakistan’s Ministry of Foreign Affairs": (CONFIRMED, CERTAIN, POSITIVE),
        "sources said": (REPORTED, CERTAIN, POSITIVE),
        "Security officials and regional analysts assess": (ASSESSED, CERTAIN, POSITIVE),
        "Officials warn that such an alignment could": (ASSESSED, POSSIBLE, POSITIVE),
        "could, if left unchecked": (ASSESSED, POSSIBLE, POSITIVE),
        "structurally improbable": (ASSESSED, PROBABLE, POSITIVE),
        "together suggest a structural shift": (ASSESSED, PROBABLE, POSITIVE),
        # the channels may serve a convergence; the author does not say it happens
        "serve as auxiliary channels for policy convergence": (ASSESSED, POSSIBLE, POSITIVE),
        # the drift is what the analysts fear, not something they say is happening
        "the concern lies in institutional drift": (ASSESSED, POSSIBLE, POSITIVE),
        # not the concern; nothing said about whether a policy exists
        "not declared policy": (ASSESSED, CERTAIN, NEGATIVE),
        # certainly no public evidence, certainly no announcement: scoped to the evidence and the announcement
        "no public evidence at this stage": (NOT_EVIDENCED, CERTAIN, NEGATIVE),
        "neither government has publicly announced a formal intelligence-sharing agreement": (NOT_EVIDENCED, CERTAIN, NEGATIVE),
    }
    for words_, (status, certainty, polarity) in expected.items():
        rows = rows_quoting(result, words_)
        assert rows, f"no claim quotes {words_!r}"
        assert {(r["status"].value, r["certainty"].value, r["polarity"].value) for r in rows} == {
            (status, certainty, polarity)}, words_
    assert DENIED not in col(result, "status")
    text = ARTICLE_TEXT.read_text(encoding="utf-8")
    assert all(q in text for q in col(result, "quote")), "every quote is the article's own words"


@pytest.mark.parametrize("level", LEVELS)
def test_claims_are_listed_with_certainty_and_polarity_at_every_level(run, level):
    # The claim layer is true of the report whatever the level: 43 claims, each with a certainty and
    # a polarity.
    result = run("statements-with-status-and-quote", level=level)
    claims = set(col(result, "claim"))
    assert len(claims) == 43
    assert all("certainty" in row and "polarity" in row for row in result.rows)


def test_confirmed_statements_are_the_april_2025_consultations(run):
    result = run("statements-of-status", level="confirmed")
    assert result.rows
    assert len(set(col(result, "fact"))) == 1, "one confirmed fact: the foreign-secretary consultations"
    assert all("foreign secretary" in label.lower() for label in col(result, "factLabel"))
    assert str(NKR.PakistanMinistryOfForeignAffairs) in words(result, "attributedTo")
    assert set(col(result, "sourceKind")) <= {str(NKG.OfficialStatement), str(NKG.NewsAgencies)}
    assert set(col(result, "certainty")) == {CERTAIN} and set(col(result, "polarity")) == {POSITIVE}


def test_statements_of_other_statuses(run):
    not_evidenced = run("statements-of-status", status="nkg:NotEvidenced")
    assert rows_quoting(not_evidenced, "no public evidence")
    assert rows_quoting(not_evidenced, "neither government has publicly announced")
    assert set(col(not_evidenced, "polarity")) == {NEGATIVE}
    assert run("statements-of-status", status="nkg:Denied").rows == []
    with pytest.raises(ParameterError, match="allowed values"):
        run("statements-of-status", status="nkr:ISI")


# The engagements the article describes, by the strongest status of a positive claim that types them:
# only the April consultations are acknowledged; the military exchanges (with their visits, meetings and
# focus), the formal defence cooperation language, the official defence cooperation and the two MoU
# signings are passed on by sources, officials or the author; the political signal, what the language
# "typically encompasses", the ISI coordination and the intelligence contact are judgements. The
# intelligence-sharing agreement's signing is only what an announcement that never came would have
# disclosed: at no level.
ENGAGEMENTS = {
    "confirmed": {"fact-fs-consultations"},
    "reported": {"fact-fs-consultations", "fact-military-exchanges", "fact-military-visits",
                 "fact-military-meetings", "fact-cooperation-focus", "fact-defence-cooperation-language",
                 "fact-defence-cooperation", "fact-mou-signings", "fact-issi-mou-signing"},
}
ENGAGEMENTS["assessed"] = ENGAGEMENTS["reported"] | {
    "fact-normalisation-signal", "fact-encompassed-intelligence-cooperation", "fact-isi-coordination",
    "fact-intelligence-contact"}


@pytest.mark.parametrize("level", LEVELS)
def test_engagement_timeline_at_each_level(run, level):
    result = run("engagement-timeline", level=level)
    assert locals_(result, "engagement") == ENGAGEMENTS[level]
    dated = [row for row in result.rows if "notBefore" in row]
    assert dated and dated[0]["notBefore"].value == "2025-04-01"
    starts = [row["notBefore"].value for row in dated]
    assert starts == sorted(starts), "sorted by nkg:notBefore"
    assert result.rows[: len(dated)] == dated, "undated engagements come last"
    confirmed = [row for row in result.rows if "Confirmed" in row.get("statuses", Term("literal", "")).value.split()]
    assert len(confirmed) == 1 and confirmed[0]["when"].value == "April 2025"
    order = [row["engagement"].value for row in result.rows]
    military = [row for row in result.rows if "military" in row.get("label", Term("literal", "")).value.lower()]
    assert bool(military) == (level != "confirmed"), "the military exchanges rest on 'sources said'"
    assert all(order.index(m["engagement"].value) > order.index(confirmed[0]["engagement"].value) for m in military)
    coordination = [row for row in result.rows if row["engagement"].value.endswith("fact-isi-coordination")]
    if coordination:  # at assessed only, and marked as what it is
        assert (coordination[0]["statuses"].value, coordination[0]["certainties"].value) == ("Assessed", "Possible")


def test_levels_and_participants(run):
    result = run("engagements-by-level-and-participants")
    by_level: dict[str, list[dict]] = {}
    for row in result.rows:
        by_level.setdefault(row["level"].value, []).append(row)
    foreign = by_level[str(NKG.ForeignSecretaryLevel)]
    assert any(set(r["participants"].value.split()) == {str(NKR.Pakistan), str(NKR.Bangladesh)} for r in foreign)
    military = by_level[str(NKG.SeniorMilitaryLevel)]
    assert all({str(NKR.PakistanMilitaryLeadership), str(NKR.BangladeshCivilianAndDefenceAuthorities)}
               <= set(r["participants"].value.split()) for r in military)
    assert any(str(NKR.ISSI) in r["participants"].value.split() for r in by_level[str(NKG.InstitutionalLevel)])
    confirmed_levels = {lvl for lvl, rows in by_level.items()
                        if any("Confirmed" in r.get("statuses", Term("literal", "")).value.split() for r in rows)}
    assert confirmed_levels == {str(NKG.ForeignSecretaryLevel)}
    # at the confirmed level only the acknowledged consultations have a level
    confirmed = run("engagements-by-level-and-participants", level="confirmed")
    assert set(col(confirmed, "level")) == {str(NKG.ForeignSecretaryLevel)}


@pytest.mark.parametrize("level", LEVELS)
def test_intelligence_agencies_by_state(run, level):
    # background knowledge: the same at every level
    result = run("intelligence-agencies-by-state", level=level)
    pairs = {(row["state"].value, row["agency"].value) for row in result.rows}
    assert pairs == {(str(NKR.Pakistan), str(NKR.ISI)), (str(NKR.Bangladesh), str(NKR.DGFI)),
                     (str(NKR.Bangladesh), str(NKR.NSI))}
    assert all(str(NKG.GovernmentBody) in row["types"].value.split() for row in result.rows)


def test_claims_resting_only_on_unnamed_sources(run):
    result = run("claims-resting-only-on-unnamed-sources")
    assert rows_quoting(result, "sources said"), "the senior military exchanges rest on 'sources said'"
    assert rows_quoting(result, "memorandums of understanding"), "the MoUs rest on 'Officials said'"
    assert CONFIRMED not in col(result, "status")
    consultations = set(col(run("statements-of-status"), "fact"))
    assert not consultations & set(col(result, "fact")), "the consultations were acknowledged officially"
    # whose sources: the report says only for the chatter "within Pakistan's military"
    affiliations = {row["attributedTo"].value: row["affiliation"].value for row in result.rows if "affiliation" in row}
    assert affiliations[str(NKR[L + "sources"])] == str(NKG.UnknownAffiliation)
    assert affiliations[str(NKR[L + "pakistan-military-chatter"])] == str(NKR.PakistanArmedForces)


@pytest.mark.parametrize("level", LEVELS)
def test_not_evidenced_statements(run, level):
    result = run("not-evidenced-statements", level=level)
    evidence = rows_quoting(result, "no public evidence at this stage that Bangladesh has formally endorsed or enabled")
    announcement = rows_quoting(result, "neither government has publicly announced a formal intelligence-sharing agreement")
    # what is missing is the evidence and the announcement, certainly, and that is all that is negated
    assert [local(r["fact"].value) for r in evidence] == ["fact-public-evidence-of-enabling"]
    assert [local(r["fact"].value) for r in announcement] == ["fact-agreement-announcement"]
    assert {(r["certainty"].value, r["polarity"].value) for r in evidence + announcement} == {(CERTAIN, NEGATIVE)}
    assert "publicly announcing" in announcement[0]["factLabel"].value


def test_risks_for_india_are_assessments_by_unnamed_officials_and_analysts(run):
    result = run("risks-for-actor-and-who-assesses-them")
    labels = " ".join(col(result, "riskLabel")).lower() + " ".join(col(result, "quote")).lower()
    for words_ in ("institutional resistance", "permissive conditions", "staging ground"):
        assert words_ in labels, words_
    assert set(col(result, "status")) == {ASSESSED}, "a risk is assessed, never confirmed"
    assert any("regional analysts" in label.lower() for label in col(result, "assessorLabel"))
    # India is named as at risk for the downstream implications, the reduced resistance to terror networks
    # "linked to anti-India activities", the permissive conditions for "anti-India" elements and the
    # staging ground; the hawala expansion's report does not say for whom.
    assert locals_(result, "risk") == {"fact-downstream-implications", "fact-reduced-resistance",
                                       "fact-permissive-conditions", "fact-staging-ground"}
    assert set(col(result, "temporality")) == {str(NKG.Future)}
    conditions = {local(r["risk"].value): local(r["condition"].value) for r in result.rows if "condition" in r}
    assert conditions == {"fact-reduced-resistance": "fact-coordination-unchecked",  # "if left unchecked"
                          "fact-staging-ground": "fact-partnership-development"}  # "in case such a partnership develops"
    certainty = {local(r["risk"].value): r["certainty"].value for r in result.rows}
    assert certainty["fact-downstream-implications"] == CERTAIN  # "assess that ... has significant ... implications"
    assert certainty["fact-reduced-resistance"] == certainty["fact-staging-ground"] == POSSIBLE
    assert run("risks-for-actor-and-who-assesses-them", actor="nkr:TheSundayGuardian").rows == []
    for level in ("confirmed", "reported"):
        assert run("risks-for-actor-and-who-assesses-them", level=level).rows == [], level


def test_mou_parties_are_issi_and_bangladesh_based_research_bodies(run):
    result = run("memorandums-of-understanding-and-parties", level="reported")
    issi_mou = {row["agreement"].value for row in result.rows if row.get("party") == Term("uri", str(NKR.ISSI))}
    assert len(issi_mou) == 1
    other_parties = [row for row in result.rows if row["agreement"].value in issi_mou and row["party"].value != str(NKR.ISSI)]
    assert [r["partyLabel"].value for r in other_parties] == ["Bangladesh-based strategic research bodies"]
    assert words(result, "statuses") == {"Reported"}, "'Officials said': reported, not confirmed"
    # each party with its country: "Pakistan's Institute ...", "Bangladesh-based", "from both countries"
    states = {local(row["party"].value): row["partyStates"].value for row in result.rows}
    assert states == {"ISSI": str(NKR.Pakistan), "bangladesh-strategic-research-bodies": str(NKR.Bangladesh),
                      "pakistani-strategic-institutions": str(NKR.Pakistan),
                      "bangladeshi-strategic-institutions": str(NKR.Bangladesh)}
    assert run("memorandums-of-understanding-and-parties", level="confirmed").rows == []


def test_qualifying_and_restating_claims(run):
    result = run("claims-that-qualify-or-contradict-others")
    assert set(col(result, "relation")) <= {str(NKG.qualifies), str(NKG.contradicts), str(NKG.restates)}
    pairs = {(row["claimQuote"].value, row["otherQuote"].value) for row in result.rows
             if "claimQuote" in row and "otherQuote" in row}
    assert any("no public evidence" in a and "permissive conditions" in b for a, b in pairs)
    assert any("institutional drift" in a for a, _ in pairs)
    # a source saying again what it said: the author's "what is clear" and the officials' "including
    # between ISSI and ..."
    restating = {(local(r["claim"].value), local(r["other"].value)) for r in result.rows
                 if r["relation"].value == str(NKG.restates)}
    assert restating == {("claim-rebuilt-bridges", "claim-reset"), ("claim-issi-mou", "claim-mous-signed")}


def test_evidence_for_isi_and_for_pakistan(run):
    isi = run("evidence-for-entity")
    assert any("Inter-Services Intelligence (ISI)" in q for q in col(isi, "quote"))
    assert CONFIRMED not in col(isi, "status"), "nothing about the ISI is confirmed"
    assert {(r["status"].value, r["certainty"].value) for r in isi.rows} <= {(ASSESSED, POSSIBLE)}
    # the ISI takes part only in a possible coordination: nothing at the confirmed or reported level
    assert run("evidence-for-entity", level="confirmed").rows == []
    assert run("evidence-for-entity", level="reported").rows == []
    pakistan = run("evidence-for-entity", entity="nkr:Pakistan", level="confirmed")
    assert CONFIRMED in col(pakistan, "status")
    # Bangladesh's territory is where the risks would play out: evidence for Bangladesh, not a participant
    bangladesh = run("evidence-for-entity", entity="nkr:Bangladesh")
    assert any("from or through Bangladeshi territory" in q for q in col(bangladesh, "quote"))
    assert run("evidence-for-entity", entity="<https://example.org/nobody>").rows == []
    with pytest.raises(ParameterError):
        run("evidence-for-entity", entity=HOSTILE)


def test_inference_added_about_isi(run):
    result = run("inferred-facts-about-entity", level="confirmed")
    triples = {(r["subject"].value, r["property"].value, r["object"].value) for r in result.rows}
    assert (str(NKR.ISI), str(RDF.type), str(NKG.GovernmentBody)) in triples
    assert (str(NKR.Pakistan), str(NKG.hasStateBody), str(NKR.ISI)) in triples
    assert not any(p == "http://www.w3.org/2000/01/rdf-schema#label" for _, p, _ in triples), "only inferred triples"


def test_counts_by_status_and_source_kind(run):
    result = run("claim-counts-by-status-and-source-kind")
    counts = {(r["status"].value, r.get("sourceKind", Term("uri", "")).value): int(r["claims"].value) for r in result.rows}
    assert not any(status == DENIED for status, _ in counts)
    assert counts.get((CONFIRMED, str(NKG.OfficialStatement)), 0) >= 1
    assert {kind for status, kind in counts if status == CONFIRMED} <= {str(NKG.OfficialStatement), str(NKG.NewsAgencies)}
    assert {status for status, kind in counts if kind == str(NKG.UnnamedSources)} == {REPORTED}
    by_status = {r["status"].value: int(r["claims"].value) for r in run("claim-counts-by-status").rows}
    # 43 claims of the article (see claims.ttl): one acknowledged by the ministry, 19 passed on, 21
    # judgements, 2 "no public evidence"
    assert by_status == {CONFIRMED: 1, REPORTED: 19, ASSESSED: 21, NOT_EVIDENCED: 2}
    for status, total in by_status.items():
        assert total == sum(n for (s, _), n in counts.items() if s == status)
    assert set(col(result, "report")) == {ARTICLE}
    # Over every report, the 19 Background claims (background.ttl) are counted too, in a row of no report.
    every = run("claim-counts-by-status", report="").rows
    assert {(r.get("report", Term("uri", "")).value, r["status"].value): int(r["claims"].value)
            for r in every if "report" not in r} == {("", str(NKG.Background)): 19}
    assert {r["status"].value: int(r["claims"].value) for r in every if r.get("report") == Term("uri", ARTICLE)} \
        == by_status


def test_confirmed_subgraph_holds_only_what_the_ministry_acknowledged(run):
    result = run("confirmed-subgraph", level="confirmed")
    triples = {(s.value, p.value, o.value) for s, p, o in result.triples}
    pair = {(str(NKR.Pakistan), str(NKG.heldConsultationsWith), str(NKR.Bangladesh)),
            (str(NKR.Bangladesh), str(NKG.heldConsultationsWith), str(NKR.Pakistan))}
    assert pair & triples
    assert {o for _, p, o in triples if p == str(NKG.hasStatus)} == {CONFIRMED}
    assert {o for _, p, o in triples if p == str(NKG.engagementLevel)} == {str(NKG.ForeignSecretaryLevel)}
    # what "sources said" followed the talks, and the topics in the author's own words, are not confirmed
    predicates = {p for _, p, _ in triples}
    assert str(NKG.followedBy) not in predicates and str(NKG.topic) not in predicates
    # ... and appear only once the query reads the reported level
    reported = {(s.value, p.value, o.value) for s, p, o in run("confirmed-subgraph", level="reported").triples}
    assert (str(NKR[L + "fact-fs-consultations"]), str(NKG.followedBy),
            str(NKR[L + "fact-military-exchanges"])) in reported


@pytest.mark.parametrize("level", LEVELS)
def test_no_intelligence_sharing_agreement_is_confirmed_and_nothing_is_denied(run, level):
    assert run("intelligence-sharing-agreement-confirmed", level=level) == AskResult(False)
    assert run("anything-denied", level=level) == AskResult(False)
    assert run("statements-of-status", level=level).rows, "not vacuous: the graph does hold a confirmed claim"


@pytest.mark.parametrize("level", LEVELS)
def test_pakistan_and_bangladesh_engaged_with_each_other(run, level):
    # the shortcut rests on the one Confirmed claim, so it holds at every level
    result = run("states-engaged-with-each-other", level=level)
    assert {(r["state"].value, r["otherState"].value) for r in result.rows} == {
        (str(NKR.Pakistan), str(NKR.Bangladesh)), (str(NKR.Bangladesh), str(NKR.Pakistan))}


def test_isi_coordination_is_an_intelligence_engagement_only_when_assessed(run):
    for level in ("confirmed", "reported"):
        assert run("intelligence-engagements", level=level).rows == [], level
    result = run("intelligence-engagements", level="assessed")
    assert len(result.rows) == 1
    row = result.rows[0]
    assert set(row["agencies"].value.split()) == {str(NKR.ISI), str(NKR.DGFI), str(NKR.NSI)}
    # marked as what it is: an assessed possibility, in the future
    assert (row["statuses"].value, row["certainties"].value, row["polarities"].value,
            row["temporalities"].value) == ("Assessed", "Possible", "Positive", "Future")


def test_hedges_are_structure(run):
    result = run("hedged-claims", level="confirmed")
    by_claim = {local(r["claim"].value): r for r in result.rows}
    conditions = {c: local(r["condition"].value) for c, r in by_claim.items() if "condition" in r}
    assert conditions == {"claim-reduced-resistance": "fact-coordination-unchecked",
                          "claim-staging-ground": "fact-partnership-development",
                          "claim-structurally-improbable": "fact-defence-cooperation"}
    generic = {c for c, r in by_claim.items() if "generic" in r}
    assert generic == {"claim-language-encompasses-intelligence", "claim-agency-embedding"}
    future = {c for c, r in by_claim.items() if r.get("temporality") == Term("uri", str(NKG.Future))}
    assert future == {"claim-coordination-conditions", "claim-downstream-implications", "claim-reduced-resistance",
                      "claim-permissive-conditions", "claim-staging-ground"}
    # "at this stage", "For now": said as of the report's date
    every = run("hedged-claims", all="true")
    times = {r["quote"].value[:40]: r["claimTime"].value for r in every.rows if "claimTime" in r}
    assert times["There is, however, no public evidence at"] == "2025-12-28"
    assert times["For now, what is clear is that Pakistan "] == "2025-12-28"
    # when the officials or the sources said it, the report does not say
    assert not any("claimTime" in r for r in rows_quoting(every, "sources said"))
    assert len({r["claim"].value for r in every.rows}) == 43


def test_article_metadata(run):
    result = run("article-metadata")
    assert len(result.rows) == 1
    row = result.rows[0]
    assert row["report"].value == ARTICLE
    assert row["headline"].value == "Pakistan and Bangladesh Quietly Rebuild Intelligence and Defence Links"
    assert row["author"].value == str(NKR.AbhinandanMishra) and row["publisher"].value == str(NKR.TheSundayGuardian)
    assert row["lastUpdatedAsPrinted"].value == "December 28, 2025 02:22:58 IST"


def test_quote_search_and_a_hostile_value(run):
    result = run("claims-quoting-text")
    assert all("intelligence" in q.lower() for q in col(result, "quote"))
    assert rows_quoting(result, "formal intelligence-sharing agreement")
    assert run("claims-quoting-text", text=HOSTILE).rows == []
    assert run("claims-quoting-text", text="Bangladesh-based").rows, "the store is intact afterwards"


def test_a_report_is_named_by_its_slug_or_its_iri_and_checked(run):
    by_slug = run("statements-with-status-and-quote", report=FIRST)
    assert set(col(by_slug, "report")) == {ARTICLE} and len(set(col(by_slug, "claim"))) == 43
    assert run("statements-with-status-and-quote", report=f"nkr:{L}article") == by_slug
    assert run("statements-with-status-and-quote", report=f"<{ARTICLE}>") == by_slug
    # Every report: the same rows here, where the article is the only one.
    assert run("statements-with-status-and-quote", report="") == by_slug
    for wrong in ("no-such-report", "nkr:Pakistan", f"nkr:{L}claim-reset"):
        with pytest.raises(ParameterError, match=f"is no report of the build; its reports: {FIRST} "):
            run("statements-with-status-and-quote", report=wrong)
    with pytest.raises(ParameterError, match="parameter 'report'"):
        run("statements-with-status-and-quote", report=HOSTILE)


def test_text_order_is_per_report_then_offset(run):
    # The quotes of "statements-with-status-and-quote" come in the order of the article's text.
    text = ARTICLE_TEXT.read_text(encoding="utf-8")
    result = run("statements-with-status-and-quote", report="")
    reports = col(result, "report")
    assert reports == sorted(reports)
    positions = [text.index(q) for q in col(result, "quote")]
    assert positions == sorted(positions)

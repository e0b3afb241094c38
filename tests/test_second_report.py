"""A second report beside the first, added as a user would, and the article checks on both.

A copy of the project gains a short report of my own writing (`KARACHI_TEXT` below), made with
`newskg new-report` and anchored with `newskg anchor`; its claims, nodes and content are typed in
as the README's walk-through does. Then, for each report: every quote is that report's own words
at its offsets, every fact triple about its nodes is stated by one of its claims, every claim has
the required fields, and the counts per report are what its text says. The first report's
answers to every saved query (asked with report=its slug) are those of the build without the
second report, and listings in text order run report by report.

The second report's expected answers come from its text: the ministry "confirmed in a
statement" (Confirmed, an official statement), "Sources said" (Reported, unnamed sources),
"Analysts assess that ... could" (Assessed, a possibility, by analysts).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import PROJECT_PARTS
from newskg import api
from newskg.cli import main
from newskg.namespaces import LEVELS, NKG, NKR, report_document, sparql_prologue
from newskg.project import Build
from newskg.query.results import AskResult, GraphResult, SelectResult

FIRST = "pakistan-bangladesh-links-2025"
SECOND = "karachi-trade-talks-2026"
REPORTS = (FIRST, SECOND)

KARACHI_TEXT = """\
Bangladesh and Pakistan hold trade talks in Karachi

KARACHI: Pakistan's Ministry of Foreign Affairs confirmed in a statement that trade officials of \
the two countries met in Karachi on 20 January. Sources said the talks also touched on defence \
cooperation. Analysts assess that the talks could lead to a wider agreement.
"""
QUOTES = {
    "art:claim-trade-talks": "confirmed in a statement that trade officials of the two countries met in Karachi",
    "art:claim-defence-topic": "Sources said the talks also touched on defence cooperation",
    "art:claim-wider-agreement": "Analysts assess that the talks could lead to a wider agreement",
}
CLAIMS = """
art:claim-trade-talks a nkg:Claim ;
    nkg:denotes art:fact-trade-talks ;
    nkg:hasStatus nkg:Confirmed ;
    nkg:hasSourceKind nkg:OfficialStatement ;
    nkg:attributedTo nkr:PakistanMinistryOfForeignAffairs ;
    nkg:hasCertainty nkg:Certain ;
    nkg:hasPolarity nkg:Positive ;
    nkg:reportedIn art:article ;
    nkg:hasAnchor art:claim-trade-talks-a1 .

art:claim-defence-topic a nkg:Claim ;
    nkg:denotes art:fact-trade-talks ;
    nkg:hasStatus nkg:Reported ;
    nkg:hasSourceKind nkg:UnnamedSources ;
    nkg:attributedTo art:sources ;
    nkg:hasCertainty nkg:Certain ;
    nkg:hasPolarity nkg:Positive ;
    nkg:reportedIn art:article ;
    nkg:hasAnchor art:claim-defence-topic-a1 .

art:claim-wider-agreement a nkg:Claim ;
    nkg:denotes art:fact-wider-agreement ;
    nkg:hasStatus nkg:Assessed ;
    nkg:hasSourceKind nkg:Analysts ;
    nkg:attributedTo art:analysts ;
    nkg:hasCertainty nkg:Possible ;
    nkg:hasPolarity nkg:Positive ;
    nkg:hasTemporality nkg:Future ;
    nkg:reportedIn art:article ;
    nkg:hasAnchor art:claim-wider-agreement-a1 .
"""
NODES = """
art:sources a nkg:UnnamedGroup ; rdfs:label "sources"@en .
art:analysts a nkg:UnnamedGroup ; rdfs:label "analysts"@en .
art:fact-trade-talks rdfs:label "trade talks in Karachi"@en .
art:fact-wider-agreement rdfs:label "a wider agreement"@en .
"""
CONTENT = """
art:claim-trade-talks {
    art:fact-trade-talks a nkg:ConsultationUnspecified ;
        nkg:hasParticipant nkr:Pakistan , nkr:Bangladesh .
}

art:claim-defence-topic {
    art:fact-trade-talks nkg:topic nkg:DefenceTopic .
}

art:claim-wider-agreement {
    art:fact-wider-agreement a nkg:Development ;
        nkg:drivenBy art:fact-trade-talks .
}
"""
# Per report, its claims by status: the first from its claims.ttl (tests/test_saved_queries.py),
# the second from the three sentences above.
COUNTS = {
    FIRST: {"Confirmed": 1, "Reported": 19, "Assessed": 21, "NotEvidenced": 2},
    SECOND: {"Confirmed": 1, "Reported": 1, "Assessed": 1},
}


def cli(root: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(root), *args])


@pytest.fixture(scope="module")
def two(tmp_path_factory) -> Path:
    """A copy of the project with the second report added through the CLI, built."""
    root = tmp_path_factory.mktemp("second-report") / "project"
    for part in PROJECT_PARTS:
        shutil.copytree(Path(__file__).resolve().parent.parent / part, root / part)
    source = root.parent / "talks.txt"
    source.write_text(KARACHI_TEXT, encoding="utf-8")
    made = cli(root, "new-report", SECOND, "--source", str(source), "--author", "John Roe",
               "--publisher", "The Example Herald", "--date", "2026-01-21")
    assert made.exit_code == 0, made.output
    claims = [arg for claim in QUOTES for arg in ("--claim", claim)]
    anchored = cli(root, "anchor", SECOND, *QUOTES.values(), *claims, "--no-prefixes")
    assert anchored.exit_code == 0, anchored.output
    folder = root / "graph" / SECOND
    for name, text in (("anchors.ttl", anchored.output), ("claims.ttl", CLAIMS), ("nodes.ttl", NODES),
                       ("content.trig", CONTENT)):
        with open(folder / name, "a", encoding="utf-8") as handle:
            handle.write("\n" + text)
    api.build(root)
    return root


def run(root: Path, name: str, level: str = "assessed", **params: str):
    result = api.run_query(name, project=root, params=params, level=level).result
    assert result is not None
    return result


def rows(root: Path, text: str, report: str, level: str = "assessed") -> list[dict]:
    """Rows of an ad-hoc query about one report (bound as the saved queries bind it)."""
    header = "#+ param: report | report | - | the report\n"
    result = api.run_text_query(header + text, project=root, params={"report": report}, level=level).result
    assert isinstance(result, SelectResult)
    return [{k: v.value for k, v in row.items()} for row in result.rows]


def test_the_build_has_both_reports_and_the_check_is_clean(two):
    assert api.reports(two) == sorted(REPORTS)
    errors = [p for p in api.check(two) if p.severity == "error"]
    assert errors == []


@pytest.mark.parametrize("slug", REPORTS)
def test_every_quote_is_the_reports_own_words_at_its_offsets(two, slug):
    text = (two / "graph" / slug / "source.txt").read_text(encoding="utf-8")
    anchors = rows(two, """SELECT ?claim ?exact ?start ?end WHERE {
        ?claim nkg:reportedIn ?report ; nkg:hasAnchor ?anchor .
        ?anchor oa:hasSelector ?q , ?p .
        ?q oa:exact ?exact . ?p oa:start ?start ; oa:end ?end }""", slug)
    assert anchors
    for anchor in anchors:
        assert text[int(anchor["start"]):int(anchor["end"])] == anchor["exact"], anchor["claim"]
    listed = run(two, "statements-with-status-and-quote", report=slug)
    assert {row["report"].value for row in listed.rows} == {report_document(slug)}
    assert all(row["quote"].value in text for row in listed.rows if "quote" in row)


@pytest.mark.parametrize("slug", REPORTS)
def test_every_fact_about_a_reports_nodes_is_stated_by_one_of_its_claims(two, slug):
    store = Build(two / "build").open_store()
    nodes = f"{NKR}{slug}/"
    unstated = list(store.query(sparql_prologue() + f"""
        SELECT ?s ?p ?o WHERE {{
          GRAPH ?facts {{ ?s ?p ?o }}
          FILTER(STRSTARTS(STR(?facts), "https://w3id.org/newskg/graph/facts/") && STRSTARTS(STR(?s), "{nodes}"))
          FILTER NOT EXISTS {{ ?claim nkg:reportedIn <{report_document(slug)}> . GRAPH ?claim {{ ?s ?p ?o }} }}
        }}""", use_default_graph_as_union=True))
    assert unstated == []
    stated = list(store.query(sparql_prologue() + f"""
        SELECT ?s WHERE {{ GRAPH ?facts {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?s), "{nodes}")) }} LIMIT 1"""))
    assert stated, "not vacuous: the report has facts"


@pytest.mark.parametrize("slug", REPORTS)
def test_every_claim_of_a_report_carries_the_required_fields(two, slug):
    missing = rows(two, """SELECT ?claim WHERE {
        ?claim a nkg:Claim ; nkg:reportedIn ?report .
        FILTER (NOT EXISTS { ?claim nkg:denotes ?f } || NOT EXISTS { ?claim nkg:hasSourceKind ?k }
             || NOT EXISTS { ?claim nkg:attributedTo ?a } || NOT EXISTS { ?claim nkg:hasCertainty ?x }
             || NOT EXISTS { ?claim nkg:hasPolarity ?p } || NOT EXISTS { ?claim nkg:hasAnchor ?n }) }""", slug)
    assert missing == []


@pytest.mark.parametrize("slug", REPORTS)
def test_counts_per_report(two, slug):
    expected = {str(NKG[status]): n for status, n in COUNTS[slug].items()}
    counted = run(two, "claim-counts-by-status", report=slug)
    assert {r["status"].value: int(r["claims"].value) for r in counted.rows} == expected
    every = run(two, "claim-counts-by-status")
    assert {r["status"].value: int(r["claims"].value) for r in every.rows
            if r.get("report") and r["report"].value == report_document(slug)} == expected
    figures = api.stats(two)["reports"][slug]
    assert figures["claims"] == sum(COUNTS[slug].values())
    assert figures["claims_by_status"] == {f"nkg:{status}": n for status, n in COUNTS[slug].items()}
    listed = run(two, "statements-with-status-and-quote", report=slug)
    assert len({row["claim"].value for row in listed.rows}) == sum(COUNTS[slug].values())


def test_the_second_reports_answers_follow_its_text(two):
    by_status = {r["status"].value: r for r in run(two, "statements-with-status-and-quote", report=SECOND).rows}
    confirmed, reported, assessed = (by_status[str(NKG[s])] for s in ("Confirmed", "Reported", "Assessed"))
    assert confirmed["sourceKind"].value == str(NKG.OfficialStatement)
    assert confirmed["quote"].value.startswith("confirmed in a statement")
    assert (reported["sourceKind"].value, reported["quote"].value[:12]) == (str(NKG.UnnamedSources), "Sources said")
    assert (assessed["certainty"].value, assessed["sourceKind"].value) == (str(NKG.Possible), str(NKG.Analysts))
    # the talks are confirmed; that they touched on defence is only what sources said
    timeline = run(two, "engagement-timeline", level="confirmed", report=SECOND)
    assert [r["engagement"].value for r in timeline.rows] == [f"{NKR}{SECOND}/fact-trade-talks"]
    subgraph = run(two, "confirmed-subgraph", level="confirmed", report=SECOND)
    assert isinstance(subgraph, GraphResult)
    topics = {t[2].value for t in subgraph.triples if t[1].value == str(NKG.topic)}
    assert topics == set()
    reported_subgraph = run(two, "confirmed-subgraph", level="reported", report=SECOND)
    assert {t[2].value for t in reported_subgraph.triples if t[1].value == str(NKG.topic)} == {str(NKG.DefenceTopic)}


def test_listings_in_text_order_run_report_by_report(two):
    result = run(two, "statements-with-status-and-quote")
    reports = [row["report"].value for row in result.rows]
    assert reports == sorted(reports) and set(reports) == {report_document(s) for s in REPORTS}
    for slug in REPORTS:
        text = (two / "graph" / slug / "source.txt").read_text(encoding="utf-8")
        quotes = [row["quote"].value for row in result.rows if row["report"].value == report_document(slug)]
        positions = [text.index(q) for q in quotes]
        assert positions == sorted(positions), slug
    # every report's rows, and no others: the two reports' listings together
    alone = [run(two, "statements-with-status-and-quote", report=s).rows for s in sorted(REPORTS)]
    assert result.rows == alone[0] + alone[1]


def _comparable(result):
    if isinstance(result, AskResult):
        return result.value
    if isinstance(result, GraphResult):
        return sorted({tuple(t.value for t in triple) for triple in result.triples})
    # GROUP_CONCAT lists its items in no fixed order
    return [sorted((k, " ".join(sorted(v.value.split(" ")))) for k, v in row.items()) for row in result.rows]


@pytest.mark.parametrize("level", LEVELS)
def test_the_first_reports_answers_are_those_of_the_build_without_the_second(two, built_project, level):
    compared = 0
    for saved in api.list_queries(two):
        if not any(p.name == "report" for p in saved.params):
            continue
        before = run(built_project, saved.name, level=level, report=FIRST)
        after = run(two, saved.name, level=level, report=FIRST)
        assert _comparable(after) == _comparable(before), saved.name
        compared += 1
    assert compared >= 15


def test_an_unknown_report_names_the_reports_and_exits_2(two):
    result = cli(two, "query", "run", "hedged-claims", "-p", "report=karachi")
    assert result.exit_code == 2
    assert f"its reports: {SECOND}, {FIRST}" in result.output
    shown = cli(two, "query", "show", "hedged-claims")
    assert f"the build's reports: {SECOND}, {FIRST}" in shown.output

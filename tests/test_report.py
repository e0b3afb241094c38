"""`newskg report`: the analyst's view as one self-contained HTML file, checked without a browser.

Expectations come from the build (every claim and anchor, read here by SPARQL on its own) or
from the article's words, never from the page's own output, so the re-encoding of the report
does not break them. The project is the repository's sources plus a tiny second report
(tests/browser.py), built once per session.
"""

# The fixtures come from tests/browser.py and are named as test arguments, which ruff reads as
# redefinitions of the imported names.
# ruff: noqa: F811

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from browser import ARTICLE, TINY, TINY_CLAIMS, TINY_TEXT, analyst_project, html_problems, parse_html, rows_of, text_of  # noqa: F401
from click.testing import CliRunner

from newskg import report
from newskg.cli import main
from newskg.errors import BuildMissingError, UsageError
from newskg.namespaces import ARTICLE_GRAPH_BASE, LEVELS, PREFIXES
from newskg.project import Project

SVG = "{http://www.w3.org/2000/svg}"
ANCHORS_QUERY = """
SELECT ?claim ?status ?anchor ?exact WHERE {
  GRAPH ?g { ?claim a nkg:Claim ; nkg:hasStatus ?status ; nkg:hasAnchor ?anchor .
             ?anchor oa:hasSelector ?s . ?s oa:exact ?exact . }
}"""


def select(project: Path, query: str, graph: str | None = None) -> list[dict]:
    """Rows of a SPARQL query on the build (union of all graphs), values as plain strings."""
    from newskg import api

    prologue = "".join(f"PREFIX {p}: <{i}>\n" for p, i in PREFIXES.items())
    if graph:
        query = query.replace("GRAPH ?g", f"GRAPH <{graph}>")
    result = api.open_engine(project).query(prologue + query, "SELECT", None)
    return [{k: v.value for k, v in row.items()} for row in rows_of(result)]


@pytest.fixture(scope="module")
def pages(analyst_project, tmp_path_factory) -> dict[str, str]:
    """The page of both reports, and of the article alone at each level."""
    out = tmp_path_factory.mktemp("report-pages")
    written = {"both": report.write_report(analyst_project, out / "both.html").path.read_text("utf-8")}
    for level in LEVELS:
        path = report.write_report(analyst_project, out / f"{level}.html", [ARTICLE], level=level).path
        written[level] = path.read_text("utf-8")
    return written


@pytest.fixture(scope="module")
def both(pages):
    return parse_html(pages["both"])


def report_element(document, slug: str):
    return next(a for a in document.iter("article") if a.get("data-slug") == slug)


# --- validity and self-containment -------------------------------------------------------------


@pytest.mark.parametrize("name", ["both", "confirmed", "assessed"])
def test_page_is_valid_html(pages, name):
    assert html_problems(pages[name]) == []


def test_page_loads_nothing(pages):
    page = pages["both"]
    document = parse_html(page)
    assert not [e for e in document.iter() if e.get("src")], "no element loads a file"
    assert [e.get("href") for e in document.iter("link")] == ["data:,"], "no stylesheet or icon is fetched"
    hrefs = [e.get("href") for e in document.iter() if e.get("href") and e.tag != "link"]
    assert hrefs and all(h.startswith("#") for h in hrefs), [h for h in hrefs if not h.startswith("#")][:5]
    for style in document.iter("style"):
        assert "url(" not in text_of(style) and "@import" not in text_of(style)
    assert len(list(document.iter("script"))) == 1


def test_print_stylesheet_hides_the_controls(pages):
    style = text_of(next(parse_html(pages["both"]).iter("style")))
    printed = style[style.index("@media print"):]
    for selector in (".page-header", ".claim-panel"):
        assert selector in printed.split("{")[1]


# --- the text and its highlights ------------------------------------------------------------------


@pytest.mark.parametrize("slug", [ARTICLE, TINY])
def test_text_is_the_stored_text(both, analyst_project, slug):
    text = (analyst_project / "graph" / slug / "source.txt").read_text("utf-8")
    body = next(e for e in report_element(both, slug).iter("div") if "article-text" in (e.get("class") or ""))
    assert text_of(body) == text


@pytest.mark.parametrize("slug", [ARTICLE, TINY])
def test_every_anchored_claim_has_a_highlight_with_its_exact_words(both, analyst_project, slug):
    rows = select(analyst_project, ANCHORS_QUERY, ARTICLE_GRAPH_BASE + slug)
    assert rows, "the build has anchored claims"
    section = report_element(both, slug)
    quotes = {q.get("data-anchor-iri"): q.get("data-quote-id") for q in section.iter("blockquote")}
    marks = [m for m in section.iter("mark") if m.get("data-quotes")]
    for row in rows:
        quote_id = quotes[row["anchor"]]
        covering = [m for m in marks if quote_id in m.get("data-quotes").split()]
        assert "".join(text_of(m) for m in covering) == row["exact"], row["anchor"]
        card = section.find(f".//li[@data-iri='{row['claim']}']")
        assert card is not None and row["status"].endswith(card.get("class").split("st-")[1].split()[0])


def test_overlapping_anchors_are_split_into_segments_that_know_all_their_claims(both):
    section = report_element(both, TINY)
    cards = {c.get("data-iri").rsplit("/", 1)[-1]: c.get("id") for c in section.iter("li") if c.get("data-iri")}
    shared = [m for m in section.iter("mark") if text_of(m) == "Pakistan and Bangladesh held talks"]
    assert len(shared) == 1
    assert set(shared[0].get("data-claims").split()) == {cards["claim-talks"], cards["claim-talks-confirmed"]}
    assert shared[0].get("data-count") == "2" and "st-Confirmed" in shared[0].get("class")
    reported = [m for m in section.iter("mark") if cards["claim-talks"] in (m.get("data-claims") or "").split()]
    assert [text_of(m) for m in reported] == ["In May 2025, ", "Pakistan and Bangladesh held talks", ", officials said"]


def test_highlights_are_keyboard_reachable_and_described(both):
    for mark in both.iter("mark"):
        if mark.get("data-claims"):
            assert mark.get("tabindex") == "0"
            described = mark.get("aria-describedby").split()
            assert len(described) == len(mark.get("data-claims").split())


def test_claim_cards_say_status_certainty_polarity_source_attribution_fact_and_links(both):
    section = report_element(both, TINY)
    card = section.find(".//li[@data-iri='https://w3id.org/newskg/resource/tiny-test-report/claim-talks']")
    terms = {text_of(div.find("dt")): text_of(div.find("dd")) for div in card.iter("div") if div.find("dt") is not None}
    assert terms["Status"].strip() == "Reported"
    assert terms["Certainty"] == "certain" and terms["Polarity"] == "positive"
    assert "officials" in terms["Source kind"] and terms["Attributed to"] == "officials"
    assert terms["States"] == "talks between Pakistan and Bangladesh in May 2025"
    assert "Pakistan and Bangladesh held talks" in terms["Supported by"]
    sharing = section.find(".//li[@data-iri='https://w3id.org/newskg/resource/tiny-test-report/claim-sharing']")
    terms = {text_of(div.find("dt")): text_of(div.find("dd")) for div in sharing.iter("div") if div.find("dt") is not None}
    assert terms["Temporality"] == "future" and terms["Certainty"] == "possible"
    assert terms["Conditional on"] == "talks between Pakistan and Bangladesh in May 2025"


# --- levels -------------------------------------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS)
def test_what_falls_below_the_level_is_marked(pages, analyst_project, level):
    rows = select(analyst_project, """SELECT ?claim ?status ?polarity WHERE { GRAPH ?g {
        ?claim a nkg:Claim ; nkg:hasStatus ?status OPTIONAL { ?claim nkg:hasPolarity ?polarity } } }""",
                  ARTICLE_GRAPH_BASE + ARTICLE)
    statuses = {r["claim"]: (r["status"].rsplit("#", 1)[-1], r.get("polarity", "").endswith("#Negative"))
                for r in rows}
    order = {"Confirmed": 0, "Reported": 1, "Assessed": 2}
    cards = [c for c in parse_html(pages[level]).iter("li") if c.get("data-iri")]
    assert len(cards) == len(statuses)
    for card in cards:
        status, negative = statuses[card.get("data-iri")]
        # NotEvidenced, Denied and negative claims enter no level at all (docs/status-levels.md).
        below = negative or order.get(status, 3) > LEVELS.index(level)
        assert (card.get("data-below") is not None) == below, (level, status)


# --- claims by status, counts, timeline, map, inference ---------------------------------------------


def test_claims_grouped_by_status_with_the_builds_counts(both, analyst_project):
    rows = select(analyst_project, """SELECT ?status (COUNT(DISTINCT ?claim) AS ?n) WHERE {
        GRAPH ?g { ?claim a nkg:Claim ; nkg:hasStatus ?status } } GROUP BY ?status""", ARTICLE_GRAPH_BASE + ARTICLE)
    section = report_element(both, ARTICLE)
    groups = {s.get("aria-labelledby").rsplit("-", 1)[-1]: len(s.find("ol").findall("li"))
              for s in section.iter("section") if "status-group" in (s.get("class") or "")}
    assert groups == {r["status"].rsplit("#", 1)[-1]: int(r["n"]) for r in rows}
    counts = next(t for t in section.iter("table") if "counts" in (t.get("class") or ""))
    assert text_of(counts.find("tfoot/tr/td[last()]")) == str(sum(int(r["n"]) for r in rows))


def test_timeline_shows_approximate_dates_as_ranges(both):
    article = next(t for t in report_element(both, ARTICLE).iter("table") if t.get("class") == "timeline")
    rows = [" ".join(text_of(tr).split()) for tr in article.find("tbody")]
    # "In April 2025, the two countries resumed foreign secretary-level bilateral consultations"
    assert any("April 2025" in r and "2025-04-01 – 2025-04-30" in r and "consultations" in r for r in rows), rows
    tiny = next(t for t in report_element(both, TINY).iter("table") if t.get("class") == "timeline")
    (row,) = tiny.find("tbody")
    assert "May 2025" in text_of(row) and "2025-05-01 – 2025-05-31 (approximate)" in text_of(row)
    bar = row.find(f".//{SVG}rect")
    assert float(bar.get("x")) == 0 and float(bar.get("width")) == 1000  # the axis is that one range


def test_actor_map_is_inline_svg_with_states_agencies_and_engagement_edges(both):
    svg = report_element(both, ARTICLE).find(f".//{SVG}svg[@class='actor-map']")
    nodes = {g.get("data-iri").rsplit("/", 1)[-1]: g.get("class") for g in svg.iter(f"{SVG}g") if g.get("data-iri")}
    assert nodes["Pakistan"] == nodes["Bangladesh"] == "node kind-state"
    assert nodes["ISI"] == nodes["DGFI"] == nodes["NSI"] == "node kind-intelligence"
    edges = [line for line in svg.iter(f"{SVG}line") if "edge" in line.get("class")]
    assert edges
    # "a move officially acknowledged by Pakistan's Ministry of Foreign Affairs": a confirmed link.
    confirmed = [text_of(e) for e in edges if "st-Confirmed" in e.get("class")]
    assert any("Pakistan" in t and "Bangladesh" in t for t in confirmed), confirmed
    tiny = report_element(both, TINY).find(f".//{SVG}svg[@class='actor-map']")
    tiny_nodes = {g.get("data-iri").rsplit("/", 1)[-1] for g in tiny.iter(f"{SVG}g") if g.get("data-iri")}
    assert tiny_nodes == {"Pakistan", "Bangladesh", "ISI", "DGFI"}


def test_inference_per_level_matches_the_builds_inferred_graphs(both, analyst_project):
    manifest = Project.at(analyst_project).build().manifest()
    expected = {g["iri"].rsplit("/", 1)[-1]: g["triples"] for g in manifest["graphs"] if g["role"] == "inferred"}
    table = next(t for t in report_element(both, ARTICLE).iter("table") if t.get("class") == "inference")
    shown = {text_of(tr.find("th")): int(text_of(tr.findall("td")[0])) for tr in table.find("tbody")}
    assert shown == expected


def test_several_reports_get_a_switcher(both):
    switcher = both.find(".//nav[@id='report-switcher']")
    assert [a.get("href") for a in switcher.iter("a")] == ["#r1", "#r2"]


# --- the command, the summary and bad input --------------------------------------------------------


def test_cli_writes_the_page_and_a_one_screen_summary(analyst_project, tmp_path):
    out = tmp_path / "view.html"
    result = CliRunner().invoke(main, ["--project", str(analyst_project), "report", "-o", str(out), "--summary"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == f"wrote {out.resolve()} (2 reports)"
    lines = result.output.splitlines()[1:]
    assert len(lines) <= 20 and max(map(len, lines)) <= 100
    claims = len(select(analyst_project, "SELECT DISTINCT ?c WHERE { GRAPH ?g { ?c a nkg:Claim } }",
                        ARTICLE_GRAPH_BASE + ARTICLE))
    assert f"{ARTICLE}: {claims} claims" in result.output
    assert f"{TINY}: {len(TINY_CLAIMS)} claims, 2 engagements (1 dated)" in result.output


def test_unknown_slug_is_refused_and_nothing_is_written(analyst_project, tmp_path):
    out = tmp_path / "view.html"
    out.write_text("previous", encoding="utf-8")
    before = sorted((p.name, p.stat().st_mtime_ns) for p in (analyst_project / "build").rglob("*"))
    with pytest.raises(UsageError, match="no report 'nope' in the build; reports: pakistan"):
        report.write_report(analyst_project, out, ["nope"])
    result = CliRunner().invoke(main, ["--project", str(analyst_project), "report", "nope", "-o", str(out)])
    assert result.exit_code == 2 and "error: no report 'nope'" in result.output
    assert out.read_text(encoding="utf-8") == "previous"
    assert list(tmp_path.iterdir()) == [out]
    assert sorted((p.name, p.stat().st_mtime_ns) for p in (analyst_project / "build").rglob("*")) == before


def test_without_a_build_the_message_says_to_build(tmp_path):
    for folder in ("ontology", "graph", "queries"):
        (tmp_path / folder).mkdir()
    result = CliRunner().invoke(main, ["--project", str(tmp_path), "report", "-o", str(tmp_path / "x.html")])
    assert result.exit_code == 1 and "run `newskg build` first" in result.output
    assert not (tmp_path / "x.html").exists()


def test_a_text_changed_since_the_build_is_refused(analyst_project, tmp_path):
    copy = tmp_path / "p"
    shutil.copytree(analyst_project, copy)
    source = copy / "graph" / TINY / "source.txt"
    source.write_text(TINY_TEXT.replace("May 2025", "June 2025"), encoding="utf-8")
    with pytest.raises(BuildMissingError, match=r"source.txt: the quote of anchor .* run `newskg build`"):
        report.load(copy, [TINY])


def test_the_page_is_readable_like_any_new_file(analyst_project, tmp_path):
    import os

    umask = os.umask(0o022)
    try:
        path = report.write_report(analyst_project, tmp_path / "view.html", [TINY]).path
    finally:
        os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o644


def test_output_folder_must_exist(analyst_project, tmp_path):
    with pytest.raises(UsageError, match="does not exist"):
        report.write_report(analyst_project, tmp_path / "missing" / "x.html")
    with pytest.raises(UsageError, match="is a folder"):
        report.write_report(analyst_project, tmp_path)


def test_the_views_status_levels_are_the_builds():
    from newskg.build.levels import STATUS_LEVEL
    from newskg.cli.report import LEVEL_CHOICES
    from newskg.report.model import STATUS_LEVEL as VIEW_STATUS_LEVEL

    assert VIEW_STATUS_LEVEL == STATUS_LEVEL
    assert LEVEL_CHOICES == LEVELS


def test_make_run_writes_the_report_and_a_summary():
    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text(encoding="utf-8")
    match = re.search(r"^run:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert match, "the Makefile has a run target"
    run = match.group(1)
    assert "newskg report -o build/report.html --summary" in run and "run-all" not in run


def test_every_data_file_of_the_view_is_packaged():
    import fnmatch
    import tomllib

    root = Path(__file__).resolve().parent.parent
    declared = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]["package-data"]
    for package in ("report", "serve"):
        folder = root / "src" / "newskg" / package
        patterns = declared[f"newskg.{package}"]
        for path in folder.rglob("*"):
            relative = path.relative_to(folder).as_posix()
            if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in relative:
                assert any(fnmatch.fnmatch(relative, p) for p in patterns), f"newskg/{package}/{relative} is not packaged"

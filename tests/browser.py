"""Fixtures for the analyst's-view tests: a project with two reports, a live web app, and a
real headless Chromium driven by Selenium through Debian's chromedriver.

The project is a copy of the repository's sources plus a tiny second report written here
(with nested anchors and a dated engagement), built once per session into a tmp folder:
several reports exercise the report switcher, and the real build is never touched.
`make test` installs Debian's chromium and chromium-driver when they are missing; without
them the browser tests skip, except on CI (CI=true), where they fail.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTICLE = "pakistan-bangladesh-links-2025"
TINY = "tiny-test-report"

# --- the tiny report: every quote is at its offsets (computed below, not typed) ----------------
TINY_TEXT = ("Tiny Test Report\n\n"
             "In May 2025, Pakistan and Bangladesh held talks, officials said. "
             "Analysts assess that the talks could lead to intelligence sharing.\n")
#: claim -> (status, source kind, certainty, attributed to, quote)
TINY_CLAIMS = {
    "claim-talks": ("Reported", "UnnamedOfficials", "Certain", "art2:officials",
                    "In May 2025, Pakistan and Bangladesh held talks, officials said"),
    "claim-talks-confirmed": ("Confirmed", "OfficialStatement", "Certain", "nkr:PakistanMinistryOfForeignAffairs",
                              "Pakistan and Bangladesh held talks"),
    "claim-sharing": ("Assessed", "Analysts", "Possible", "art2:analysts",
                      "the talks could lead to intelligence sharing"),
}
TINY_PREFIXES = """@prefix nkg: <https://w3id.org/newskg/ontology#> .
@prefix nkr: <https://w3id.org/newskg/resource/> .
@prefix art2: <https://w3id.org/newskg/resource/tiny-test-report/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix schema: <http://schema.org/> .
@prefix time: <http://www.w3.org/2006/time#> .
"""
TINY_DOCUMENT = TINY_PREFIXES + """
art2:article a nkg:NewsArticle ;
    schema:headline "Tiny Test Report" ;
    schema:publisher nkr:TheSundayGuardian ;
    nkg:sourceText "source.txt" .
art2:officials a nkg:UnnamedGroup ; rdfs:label "officials"@en .
art2:analysts a nkg:UnnamedGroup ; rdfs:label "analysts"@en .
art2:time-may-2025 a time:ProperInterval ;
    rdfs:label "May 2025"@en ;
    nkg:notBefore "2025-05-01"^^xsd:date ;
    nkg:notAfter "2025-05-31"^^xsd:date ;
    nkg:approximate true .
"""
TINY_CONTENT = TINY_PREFIXES + """
art2:claim-talks {
    art2:fact-talks a nkg:ConsultationUnspecified ;
        rdfs:label "talks between Pakistan and Bangladesh in May 2025"@en ;
        nkg:hasParticipant nkr:Pakistan , nkr:Bangladesh ;
        nkg:hasTime art2:time-may-2025 .
}
art2:claim-talks-confirmed {
    art2:fact-talks a nkg:ConsultationUnspecified ;
        rdfs:label "talks between Pakistan and Bangladesh in May 2025"@en ;
        nkg:hasParticipant nkr:Pakistan , nkr:Bangladesh .
}
art2:claim-sharing {
    art2:fact-talks a nkg:ConsultationUnspecified ;
        nkg:hasParticipant nkr:Pakistan , nkr:Bangladesh .
    art2:fact-sharing a nkg:IntentToCooperateOnIntelligence ;
        rdfs:label "intelligence sharing between the ISI and the DGFI that the talks could lead to"@en ;
        nkg:hasParticipant nkr:ISI , nkr:DGFI .
}
"""
#: A saved query with one parameter of each checked type, for the form and API tests.
TYPED_QUERY = """#+ title: Claims anchored after an offset
#+ description: Test query: claims whose quote starts at or after an offset.
#+ param: offset | integer | 0 | Code-point offset into the text
#+ param: since | date | 2025-01-01 | Not used; a date parameter for the form
#+ param: strict | boolean | false | Not used; a boolean parameter for the form
#+ param: status | iri | nkg:Reported | The status | nkg:Confirmed, nkg:Reported, nkg:Assessed
SELECT ?claim ?start WHERE {
  ?claim nkg:hasStatus ?status ; nkg:hasAnchor/oa:hasSelector ?position .
  ?position oa:start ?start .
  FILTER(?start >= ?offset && ?since <= "2030-01-01"^^xsd:date && (?strict || !?strict))
}
ORDER BY ?start
"""


def tiny_claims_turtle(text: str) -> str:
    """The claim and text layers of the tiny report, offsets computed from its text."""
    parts = [TINY_PREFIXES]
    for name, (status, kind, certainty, who, quote) in TINY_CLAIMS.items():
        start = text.index(quote)
        fact = "art2:fact-sharing" if name == "claim-sharing" else "art2:fact-talks"
        parts.append(f"""
art2:{name} a nkg:Claim ; nkg:denotes {fact} ; nkg:hasStatus nkg:{status} ;
    nkg:hasSourceKind nkg:{kind} ; nkg:attributedTo {who} ; nkg:hasCertainty nkg:{certainty} ;
    nkg:hasPolarity nkg:Positive ; nkg:reportedIn art2:article ; nkg:hasAnchor art2:{name}-a1 .
art2:{name}-a1 a nkg:TextAnchor ; oa:hasSource art2:article ;
    oa:hasSelector art2:{name}-a1-quote , art2:{name}-a1-position .
art2:{name}-a1-quote a oa:TextQuoteSelector ; oa:exact "{quote}" .
art2:{name}-a1-position a oa:TextPositionSelector ;
    oa:start "{start}"^^xsd:nonNegativeInteger ; oa:end "{start + len(quote)}"^^xsd:nonNegativeInteger .
""")
    parts.append("art2:claim-talks-confirmed nkg:supports art2:claim-talks .\n"
                 "art2:claim-sharing nkg:hasTemporality nkg:Future ; nkg:conditionalOn art2:fact-talks .\n")
    return "".join(parts)


def make_project(target: Path) -> Path:
    """A copy of the repository's sources (no build) with the tiny report and the typed query."""
    for folder in ("ontology", "graph", "queries"):
        shutil.copytree(PROJECT_ROOT / folder, target / folder)
    report = target / "graph" / TINY
    report.mkdir()
    (report / "source.txt").write_text(TINY_TEXT, encoding="utf-8")
    (report / "document.ttl").write_text(TINY_DOCUMENT, encoding="utf-8")
    (report / "claims.ttl").write_text(tiny_claims_turtle(TINY_TEXT), encoding="utf-8")
    (report / "content.trig").write_text(TINY_CONTENT, encoding="utf-8")
    (target / "queries" / "claims-after-offset.rq").write_text(TYPED_QUERY, encoding="utf-8")
    (target / "queries" / "drop-everything.rq").write_text(
        "#+ title: An update: the web app must refuse it\nDROP ALL\n", encoding="utf-8")
    return target


_BUILT: dict[str, Path] = {}


@pytest.fixture(scope="session")
def analyst_project(tmp_path_factory) -> Path:
    """The two-report project, built once per session (modules importing this share it)."""
    if "root" not in _BUILT:
        from newskg import api

        root = make_project(tmp_path_factory.mktemp("analyst") / "project")
        api.build(root, force=True)
        _BUILT["root"] = root
    return _BUILT["root"]


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory) -> Path:
    """Where browser tests save screenshots (kept with pytest's tmp folders; printed at the end)."""
    folder = Path(os.environ.get("NEWSKG_TEST_ARTIFACTS") or tmp_path_factory.getbasetemp() / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# --- a live web app ---------------------------------------------------------------------------


class LiveApp:
    """`newskg serve`'s app on a free loopback port in a thread; ``url`` ends with a slash."""

    def __init__(self, project: Path, level: str = "confirmed"):
        from newskg.serve import LOOPBACK_NAMES, create_app
        from newskg.serve.server import bind, make_server, url_of

        app = create_app(project, level=level, allowed_hosts=LOOPBACK_NAMES)
        self.sock = bind("127.0.0.1", 0)
        self.url = url_of(self.sock)
        self.server = make_server(app, self.sock)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> LiveApp:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the web app did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


@pytest.fixture(scope="module")
def live_app(analyst_project):
    """The web app over the two-report project, for one test module."""
    with LiveApp(analyst_project) as app:
        yield app


# --- headless Chromium ------------------------------------------------------------------------

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--disable-dev-shm-usage", "--window-size=1400,1000")


def _missing_browser() -> str | None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if not missing:
        return None
    return (f"{' and '.join(missing)} not installed: `make test` installs Debian's chromium and "
            "chromium-driver with apt-get")


@pytest.fixture(scope="module")
def chrome(tmp_path_factory):
    """A Selenium driver of Debian's headless Chromium with a fresh profile; console messages
    are kept (``chrome.get_log("browser")``)."""
    reason = _missing_browser()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def console_errors(driver) -> list[str]:
    """The console messages of level SEVERE since the last call (reading the log empties it)."""
    return [entry["message"] for entry in driver.get_log("browser") if entry.get("level") == "SEVERE"]


# --- HTML checks shared by the page tests ---------------------------------------------------------

#: Attributes that hold one id, or a space-separated list of ids, of the same page.
ID_REFERENCES = ("for", "aria-labelledby", "aria-describedby", "aria-controls", "list")


def parse_html(page: str):
    """The page as an ElementTree (html5lib, the WHATWG algorithm; HTML elements without namespace)."""
    import html5lib

    return html5lib.HTMLParser(namespaceHTMLElements=False).parse(page)


def html_problems(page: str) -> list[str]:
    """What is wrong with a page: every parse error of html5lib's strict mode (the HTML syntax
    conformance rules), then the document rules a parser does not check and assistive
    technology relies on: a doctype, a language, a title, unique ids, references to ids
    that exist, labelled form fields, named buttons, no positive tabindex, no skipped
    heading level."""
    import html5lib

    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    try:
        document = parser.parse(page)
    except html5lib.html5parser.ParseError as err:
        line, column = parser.errors[0][0] if parser.errors else ("?", "?")
        return [f"parse error at {line}:{column}: {err}"]
    problems = []
    if not page.lstrip().lower().startswith("<!doctype html>"):
        problems.append("no <!DOCTYPE html>")
    if not document.get("lang"):
        problems.append("<html> has no lang")
    title = document.find("head/title")
    if title is None or not "".join(title.itertext()).strip():
        problems.append("no <title>")
    ids: dict[str, int] = {}
    for element in document.iter():
        if element.get("id"):
            ids[element.get("id")] = ids.get(element.get("id"), 0) + 1
    problems += [f"id {i!r} used {n} times" for i, n in ids.items() if n > 1]
    labelled = {e.get("for") for e in document.iter("label")}
    level = 0
    for element in document.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        for name in ID_REFERENCES:
            for target in (element.get(name) or "").split():
                if target not in ids:
                    problems.append(f"<{tag} {name}={target!r}> points at no element")
        href = element.get("href") or ""
        if href.startswith("#") and len(href) > 1 and href[1:] not in ids:
            problems.append(f"link to {href} points at no element")
        if (tag in ("input", "select", "textarea") and element.get("type") != "hidden"
                and element.get("id") not in labelled and not element.get("aria-label")
                and not _inside(document, element, "label")):
            problems.append(f"<{tag} name={element.get('name')!r}> has no label")
        if tag == "button" and not "".join(element.itertext()).strip() and not element.get("aria-label"):
            problems.append("a <button> has no name")
        if (element.get("tabindex") or "0").lstrip("-").isdigit() and int(element.get("tabindex") or 0) > 0:
            problems.append(f"<{tag}> has a positive tabindex")
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            if int(tag[1]) > level + 1 and level:
                problems.append(f"heading <{tag}> after <h{level}> skips a level: {''.join(element.itertext())!r}")
            level = int(tag[1])
    return problems


def _inside(document, element, tag: str) -> bool:
    parents = {child: parent for parent in document.iter() for child in parent}
    node = element
    while node in parents:
        node = parents[node]
        if node.tag == tag:
            return True
    return False


def rows_of(result) -> list:
    """The rows of a SELECT result (failing the test for any other kind of answer)."""
    from newskg.query.results import SelectResult

    assert isinstance(result, SelectResult), result
    return result.rows


def text_of(element) -> str:
    """The textContent of an element."""
    return "".join(element.itertext())

"""The report page in a real headless Chromium (Debian's, through Selenium and chromedriver):
what a reader sees and can do, checked through the DOM. Screenshots are saved as artefacts
(the folder is printed at the end of the run)."""

# The fixtures come from tests/browser.py and are named as test arguments, which ruff reads as
# redefinitions of the imported names.
# ruff: noqa: F811

from __future__ import annotations

import pytest
from browser import ARTICLE, TINY, analyst_project, artifacts, chrome, console_errors, rows_of  # noqa: F401
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from newskg import report
from newskg.namespaces import ARTICLE_GRAPH_BASE, PREFIXES

# The words each anchor covers, joined over the segments that carry its id.
HIGHLIGHTS = """
const out = {};
for (const quote of document.querySelectorAll("blockquote[data-anchor-iri]")) {
  const id = quote.dataset.quoteId;
  const marks = [...document.querySelectorAll("mark[data-quotes]")].filter(m => m.dataset.quotes.split(" ").includes(id));
  out[quote.dataset.anchorIri] = {text: marks.map(m => m.textContent).join(""),
                                  shown: marks.length > 0 && marks.every(m => m.getClientRects().length > 0)};
}
return out;"""


@pytest.fixture(scope="module")
def page(analyst_project, tmp_path_factory, chrome):
    """The two-report page, opened from its file in the browser."""
    path = report.write_report(analyst_project, tmp_path_factory.mktemp("browser") / "report.html").path
    url = path.as_uri()
    chrome.get(url)
    return url


def anchors(project, slug: str) -> dict[str, str]:
    from newskg import api

    prologue = "".join(f"PREFIX {p}: <{i}>\n" for p, i in PREFIXES.items())
    text = prologue + f"""SELECT ?anchor ?exact WHERE {{ GRAPH <{ARTICLE_GRAPH_BASE + slug}> {{
        ?claim a nkg:Claim ; nkg:hasAnchor ?anchor . ?anchor oa:hasSelector ?s . ?s oa:exact ?exact }} }}"""
    return {r["anchor"].value: r["exact"].value for r in rows_of(api.open_engine(project).query(text, "SELECT", None))}


def shown(driver, prefix: str) -> bool:
    """Wait (the switcher answers a hashchange event, which comes a task later) until report
    ``prefix`` is the one shown."""
    WebDriverWait(driver, 10).until(lambda d: d.find_element(By.ID, prefix).is_displayed())
    return True


def show_report(driver, url: str, prefix: str) -> None:
    driver.get(f"{url}#{prefix}")
    assert shown(driver, prefix)


@pytest.mark.parametrize("slug, prefix", [(ARTICLE, "r1"), (TINY, "r2")])
def test_every_claim_of_the_build_has_a_visible_highlight_with_its_exact_words(chrome, page, analyst_project, slug, prefix):
    show_report(chrome, page, prefix)
    expected = anchors(analyst_project, slug)
    seen = chrome.execute_script(HIGHLIGHTS)
    for anchor, exact in expected.items():
        assert seen[anchor]["text"] == exact, anchor
        assert seen[anchor]["shown"], f"the highlight of {anchor} is not displayed"


def test_the_report_switcher_shows_one_report_at_a_time(chrome, page, artifacts):
    show_report(chrome, page, "r2")
    assert not chrome.find_element(By.ID, "r1").is_displayed()
    chrome.find_element(By.CSS_SELECTOR, "#report-switcher a[data-report='r1']").click()
    assert shown(chrome, "r1") and not chrome.find_element(By.ID, "r2").is_displayed()
    assert chrome.find_element(By.CSS_SELECTOR, "a[data-report='r1']").get_attribute("aria-current") == "true"


def test_legend_timeline_and_actor_map_are_shown(chrome, page, artifacts):
    show_report(chrome, page, "r1")
    legend = chrome.find_element(By.CSS_SELECTOR, "#r1 .legend")
    assert legend.is_displayed() and "Not evidenced" in legend.text and "dashed underline" in legend.text
    timeline = chrome.find_element(By.CSS_SELECTOR, "#r1 table.timeline")
    assert "April 2025" in timeline.text and "2025-04-01 – 2025-04-30" in timeline.text
    svg = chrome.find_element(By.CSS_SELECTOR, "#r1 svg.actor-map")
    assert svg.size["width"] > 500 and svg.size["height"] > 300
    assert len(svg.find_elements(By.CSS_SELECTOR, "g.node")) >= 5
    chrome.execute_script("arguments[0].scrollIntoView()", timeline)
    chrome.save_screenshot(str(artifacts / "report-timeline.png"))
    chrome.execute_script("arguments[0].scrollIntoView()", svg)
    chrome.save_screenshot(str(artifacts / "report-actor-map.png"))


def below(chrome, selector: str) -> list[bool]:
    return chrome.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map(e => e.hasAttribute('data-below'))", selector)


def test_the_level_switch_greys_and_hides_what_falls_below(chrome, page, artifacts):
    show_report(chrome, page, "r2")  # the tiny report: one claim of each of three statuses
    card = "#r2 li.claim-card.st-{}"
    assert below(chrome, card.format("Confirmed")) == [False]
    assert below(chrome, card.format("Reported")) == [True] and below(chrome, card.format("Assessed")) == [True]
    reported = chrome.find_element(By.CSS_SELECTOR, card.format("Reported"))
    assert float(reported.value_of_css_property("opacity")) < 1
    chrome.find_element(By.CSS_SELECTOR, "input[name=level][value=reported]").click()
    assert below(chrome, card.format("Reported")) == [False] and below(chrome, card.format("Assessed")) == [True]
    assert float(reported.value_of_css_property("opacity")) == 1
    # A highlight of the reported claim alone now has its colour; the assessed one is still grey.
    marks = chrome.find_elements(By.CSS_SELECTOR, "#r2 .article-text mark.hl")
    only_reported = next(m for m in marks if m.text.startswith("In May 2025"))
    assert only_reported.value_of_css_property("background-color") != "rgba(0, 0, 0, 0)"
    assessed = next(m for m in marks if m.text.startswith("the talks could"))
    assert assessed.value_of_css_property("background-color") == "rgba(0, 0, 0, 0)"
    chrome.find_element(By.ID, "hide-below").click()
    assert not chrome.find_element(By.CSS_SELECTOR, card.format("Assessed")).is_displayed()
    assert chrome.find_element(By.CSS_SELECTOR, card.format("Reported")).is_displayed()
    assessed_edges = chrome.find_elements(By.CSS_SELECTOR, "#r2 svg.actor-map line.edge.st-Assessed")
    assert assessed_edges and not any(e.is_displayed() for e in assessed_edges)
    assert assessed.is_displayed(), "the text itself never disappears"
    chrome.find_element(By.ID, "hide-below").click()
    chrome.find_element(By.CSS_SELECTOR, "input[name=level][value=assessed]").click()
    assert below(chrome, "#r2 li.claim-card") == [False, False, False]
    show_report(chrome, page, "r1")
    assert all(below(chrome, "#r1 li.claim-card.st-NotEvidenced")), "not evidenced enters no level"
    chrome.execute_script("document.getElementById('r1-text').scrollIntoView()")
    chrome.save_screenshot(str(artifacts / "report-level-assessed.png"))
    chrome.find_element(By.CSS_SELECTOR, "input[name=level][value=confirmed]").click()


def test_keyboard_focus_and_hover_show_a_claims_details(chrome, page, artifacts):
    show_report(chrome, page, "r1")
    chrome.execute_script("document.activeElement.blur(); window.scrollTo(0, 0)")
    for _ in range(80):
        ActionChains(chrome).send_keys(Keys.TAB).perform()
        active = chrome.switch_to.active_element
        if active.tag_name == "mark":
            break
    else:
        pytest.fail("no highlight reached with the Tab key")
    panel = chrome.find_element(By.CSS_SELECTOR, "#r1 .claim-panel .panel-body")
    details = panel.text
    for term in ("Status", "Certainty", "Polarity", "Source kind", "Attributed to", "States"):
        assert term in details
    assert active.get_attribute("data-status") in details
    chrome.save_screenshot(str(artifacts / "report-text-focus.png"))
    show_report(chrome, page, "r2")
    shared = chrome.find_element(By.CSS_SELECTOR, "#r2 .article-text mark.hl[data-count='2']")
    chrome.execute_script("arguments[0].scrollIntoView({block: 'center'})", shared)
    ActionChains(chrome).move_to_element(shared).perform()
    cards = chrome.find_elements(By.CSS_SELECTOR, "#r2 .claim-panel .panel-body .claim-card")
    assert len(cards) == 2
    text = chrome.find_element(By.CSS_SELECTOR, "#r2 .claim-panel .panel-body").text
    assert "Supported by" in text and "Supports" in text  # the confirmed claim supports the reported one
    assert not chrome.execute_script("return document.querySelectorAll('.panel-body [id]').length")


def test_readable_at_200_percent_zoom(chrome, page, artifacts):
    show_report(chrome, page, "r1")
    chrome.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 700, "height": 1000, "deviceScaleFactor": 2, "mobile": False})
    try:
        chrome.execute_script("window.scrollTo(0, 0)")
        assert chrome.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
        text = chrome.find_element(By.CSS_SELECTOR, "#r1 .article-text")
        assert float(text.value_of_css_property("font-size").rstrip("px")) >= 16
        assert text.size["width"] <= 700
        chrome.save_screenshot(str(artifacts / "report-200-percent.png"))
    finally:
        chrome.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_print_view_shows_every_report_without_controls(chrome, page, artifacts):
    show_report(chrome, page, "r1")
    chrome.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert not chrome.find_element(By.CSS_SELECTOR, ".page-header").is_displayed()
        assert not chrome.find_element(By.CSS_SELECTOR, "#r1 .claim-panel").is_displayed()
        assert chrome.find_element(By.ID, "r2").is_displayed(), "print shows every report"
        chrome.save_screenshot(str(artifacts / "report-print.png"))
    finally:
        chrome.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def test_no_console_error_and_no_network(chrome, page):
    chrome.get(page)
    assert chrome.execute_script("return performance.getEntriesByType('resource').length") == 0
    assert console_errors(chrome) == []


def test_screenshot_folder(artifacts, capsys):
    shots = sorted(p.name for p in artifacts.glob("report-*.png"))
    assert "report-text-focus.png" in shots
    with capsys.disabled():
        print(f"\nscreenshots of the report: {artifacts}")

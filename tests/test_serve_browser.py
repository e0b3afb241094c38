"""The web app in a real headless Chromium: a saved query's form is filled in and run, its
result links lead to resource pages, a wrong value is reported in the form, and the report
page's script runs under the app's Content-Security-Policy without a console error."""

# The fixtures come from tests/browser.py and are named as test arguments, which ruff reads as
# redefinitions of the imported names.
# ruff: noqa: F811

from __future__ import annotations

from browser import analyst_project, artifacts, chrome, console_errors, live_app, rows_of  # noqa: F401
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as arrived
from selenium.webdriver.support.ui import Select, WebDriverWait

from newskg import api


def submit_and_wait(chrome, locator: tuple[str, str]):
    """Click the form's run button and wait for the answer page to show ``locator``: a click
    returns before the next page has loaded."""
    old = chrome.find_element(By.TAG_NAME, "html")
    chrome.find_element(By.CSS_SELECTOR, "button[name=run]").click()
    WebDriverWait(chrome, 30).until(arrived.staleness_of(old))
    return WebDriverWait(chrome, 30).until(arrived.presence_of_element_located(locator))


def test_a_query_form_runs_and_shows_the_expected_rows(chrome, live_app, analyst_project, artifacts):
    chrome.get(live_app.url + "queries/evidence-for-entity")
    field = chrome.find_element(By.ID, "param-entity")
    field.clear()
    field.send_keys("nkr:DGFI")
    Select(chrome.find_element(By.ID, "param-at")).select_by_value("assessed")
    submit_and_wait(chrome, (By.ID, "results"))
    rows = chrome.find_elements(By.CSS_SELECTOR, "#results tbody tr")
    expected = rows_of(api.run_query("evidence-for-entity", project=analyst_project, level="assessed",
                                     params={"entity": "nkr:DGFI"}).result)
    assert len(rows) == len(expected) > 0
    quotes = [r.find_elements(By.TAG_NAME, "td")[-1].text for r in rows]
    # "... particularly the Directorate General of Forces Intelligence (DGFI) and National Security Intelligence (NSI)"
    assert any("DGFI" in q for q in quotes), quotes
    chrome.save_screenshot(str(artifacts / "serve-query-results.png"))
    assert console_errors(chrome) == []
    first_claim = rows[0].find_element(By.CSS_SELECTOR, "td a")
    name = first_claim.text
    old = chrome.find_element(By.TAG_NAME, "html")
    first_claim.click()
    WebDriverWait(chrome, 30).until(arrived.staleness_of(old))
    assert chrome.find_element(By.TAG_NAME, "h1").text == name
    assert chrome.find_elements(By.CSS_SELECTOR, "table#outgoing tbody tr")


def test_a_wrong_value_in_the_form_is_reported_next_to_it(chrome, live_app):
    chrome.get(live_app.url + "queries/claims-after-offset")
    field = chrome.find_element(By.ID, "param-offset")
    field.send_keys("ten")
    alert = submit_and_wait(chrome, (By.CSS_SELECTOR, "[role=alert]"))
    assert "parameter 'offset': 'ten' is not an integer" in alert.text
    assert chrome.find_element(By.ID, "param-offset").get_attribute("aria-invalid") == "true"
    assert not chrome.find_elements(By.ID, "results")


def test_the_report_page_runs_under_the_apps_security_policy(chrome, live_app, artifacts):
    chrome.get(live_app.url + "report")
    console_errors(chrome)  # the page load itself: no policy violation below
    chrome.find_element(By.CSS_SELECTOR, "input[name=level][value=reported]").click()
    assert chrome.find_element(By.TAG_NAME, "body").get_attribute("data-level") == "reported"
    link = chrome.find_element(By.CSS_SELECTOR, "#r1 svg.actor-map a")
    assert link.get_dom_attribute("href").startswith("/resource?iri=")
    assert console_errors(chrome) == []
    chrome.save_screenshot(str(artifacts / "serve-report.png"))

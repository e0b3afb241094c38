"""`newskg serve`: the web app on a real uvicorn server over loopback, driven by plain HTTP.

Answers are compared with what the library gives the CLI for the same query and values
(newskg.api.run_query rendered by newskg.query.render), or with the build and the article.
"""

# The fixtures come from tests/browser.py and are named as test arguments, which ruff reads as
# redefinitions of the imported names.
# ruff: noqa: F811

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from browser import TINY, analyst_project, html_problems, live_app, parse_html, rows_of, text_of  # noqa: F401
from click.testing import CliRunner

from newskg import api
from newskg.cli import main
from newskg.query.render import render


def get(app, path: str, headers: dict | None = None, method: str = "GET") -> tuple[int, dict, str]:
    """Status, headers (names lower-cased) and body of one request to the live app (an HTTP error is an answer too)."""
    request = urllib.request.Request(app.url.rstrip("/") + path, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read().decode("utf-8")


def cli_answer(project: Path, name: str, fmt: str, level: str = "confirmed", **params: str) -> str:
    result = api.run_query(name, project=project, params=params, level=level).result
    assert result is not None
    return render(result, fmt)


@pytest.fixture(scope="module")
def build_snapshot(analyst_project):
    """The build folder's files (name, size, mtime) before this module's requests."""
    return sorted((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in (analyst_project / "build").rglob("*"))


def test_snapshot_the_build_first(build_snapshot):
    assert build_snapshot


# --- pages --------------------------------------------------------------------------------------

PAGES = ["/", "/report", f"/report/{TINY}", "/queries", "/queries/evidence-for-entity",
         "/queries/evidence-for-entity?entity=nkr%3ADGFI&at=assessed&run=1", "/queries/claims-after-offset",
         "/queries/confirmed-subgraph?run=1", "/queries/anything-denied?run=1", "/resource?iri=nkr%3AISI&at=assessed"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_answer_valid_html(live_app, path):
    status, headers, body = get(live_app, path)
    assert status == 200, body[:500]
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert "default-src 'none'" in headers["content-security-policy"]
    assert html_problems(body) == []


def test_report_page_links_iris_to_resource_pages_and_allows_only_its_own_script(live_app):
    status, headers, body = get(live_app, "/report")
    assert status == 200
    assert "script-src 'sha256-" in headers["content-security-policy"]
    document = parse_html(body)
    links = [a.get("href") for a in document.iter("a") if (a.get("href") or "").startswith("/resource?iri=")]
    assert "/resource?iri=" + quote("https://w3id.org/newskg/resource/ISI", safe="") in links


def test_query_form_has_a_typed_field_per_parameter(live_app):
    document = parse_html(get(live_app, "/queries/claims-after-offset")[2])
    form = document.find(".//form")
    assert form.get("method") == "get"
    fields = {e.get("name"): e for e in form.iter() if e.get("name")}
    assert fields["offset"].get("inputmode") == "numeric"
    assert fields["since"].get("type") == "date"
    assert [o.get("value") for o in fields["strict"].iter("option")] == ["true", "false"]
    assert [o.get("value") for o in fields["status"].iter("option")] == ["nkg:Confirmed", "nkg:Reported", "nkg:Assessed"]
    assert [o.get("value") for o in fields["at"].iter("option")] == ["confirmed", "reported", "assessed"]


def test_query_form_runs_and_shows_the_rows(live_app, analyst_project):
    args = {"offset": "1000", "status": "nkg:Reported", "at": "reported", "run": "1"}
    status, _, body = get(live_app, "/queries/claims-after-offset?" + urlencode(args))
    assert status == 200
    table = parse_html(body).find(".//table[@id='results']")
    starts = [int(text_of(tr.findall("td")[1]).split()[0]) for tr in table.find("tbody")]
    expected = rows_of(api.run_query("claims-after-offset", project=analyst_project, level="reported",
                                     params={"offset": "1000", "status": "nkg:Reported"}).result)
    assert starts == [int(row["start"].value) for row in expected] and starts and min(starts) >= 1000
    links = [a.get("href") for a in table.iter("a")]
    assert all(h.startswith("/resource?iri=") for h in links) and len(links) == len(starts)


def test_a_wrong_typed_value_in_the_form_is_a_400_page_naming_the_field(live_app):
    status, _, body = get(live_app, "/queries/claims-after-offset?offset=abc&run=1")
    assert status == 400
    document = parse_html(body)
    alert = text_of(document.find(".//*[@role='alert']"))
    assert "parameter 'offset': 'abc' is not an integer" in alert
    assert document.find(".//input[@id='param-offset']").get("aria-invalid") == "true"
    assert html_problems(body) == []


def test_resource_page_shows_facts_claims_and_quotes(live_app):
    status, _, body = get(live_app, "/resource?iri=nkr:ISI&at=assessed")
    assert status == 200
    document = parse_html(body)
    assert text_of(document.find(".//h1")) == "nkr:ISI"
    quotes = [text_of(q) for q in document.iter("blockquote")]
    # "closer coordination between Pakistan's Inter-Services Intelligence (ISI) and Bangladesh's ..."
    assert any("ISI" in q for q in quotes), quotes
    where = [text_of(tr.findall("td")[2]) for tr in document.find(".//table[@id='outgoing']").find("tbody")]
    assert any(w.startswith("asserted, confirmed") for w in where)  # the background: ISI is Pakistan's


# --- the API --------------------------------------------------------------------------------------


@pytest.mark.parametrize("accept, media, fmt", [
    (None, "application/sparql-results+json", "json"),
    ("application/sparql-results+json", "application/sparql-results+json", "json"),
    ("text/csv", "text/csv", "csv"),
    ("text/tab-separated-values", "text/tab-separated-values", "tsv"),
    ("text/html;q=0.9, text/csv;q=0.5, */*;q=0.1", "text/csv", "csv"),
])
def test_api_answers_by_content_negotiation_exactly_as_the_cli(live_app, analyst_project, accept, media, fmt):
    headers = {"Accept": accept} if accept else {}
    status, answer, body = get(live_app, "/api/queries/statements-of-status?status=nkg%3AReported&at=reported", headers)
    assert status == 200 and answer["content-type"] == f"{media}; charset=utf-8"
    assert body == cli_answer(analyst_project, "statements-of-status", fmt, "reported", status="nkg:Reported")
    assert "Accept" in answer["vary"]


def test_api_format_parameter_and_graph_results(live_app, analyst_project):
    status, _, body = get(live_app, "/api/queries/statements-of-status?format=tsv")
    assert status == 200 and body == cli_answer(analyst_project, "statements-of-status", "tsv")
    status, _, body = get(live_app, "/api/queries/confirmed-subgraph", {"Accept": "application/n-triples"})
    assert status == 200 and body == cli_answer(analyst_project, "confirmed-subgraph", "ntriples")


def test_api_binds_a_value_as_a_term_so_it_cannot_change_the_query(live_app, analyst_project):
    value = 'intelligence" } } ; DROP ALL #'
    status, _, body = get(live_app, "/api/queries/claims-quoting-text?" + urlencode({"text": value}))
    assert status == 200
    assert json.loads(body) == json.loads(cli_answer(analyst_project, "claims-quoting-text", "json", text=value))
    assert json.loads(body)["results"]["bindings"] == []


@pytest.mark.parametrize("query, message", [
    ("offset=abc", "parameter 'offset': 'abc' is not an integer"),
    ("since=2025-13-40", "parameter 'since': '2025-13-40' is not a date (YYYY-MM-DD)"),
    ("strict=maybe", "parameter 'strict': 'maybe' is not a boolean (true or false)"),
    ("status=nkg%3ADenied", "parameter 'status': 'nkg:Denied' is not allowed; allowed values: nkg:Confirmed"),
    ("status=a%20b", "parameter 'status': 'a b' is not an IRI"),
    ("colour=red", "unknown parameter 'colour'; this query takes: offset (integer, default 0)"),
    ("offset=1&offset=2", "parameter 'offset' is given more than once"),
    ("at=certain", "unknown level 'certain'; levels: confirmed, reported, assessed"),
    ("format=xml", "format 'xml' does not apply to this query"),
])
def test_api_bad_values_are_a_400_with_a_readable_body(live_app, query, message):
    status, headers, body = get(live_app, "/api/queries/claims-after-offset?" + query)
    assert status == 400 and headers["content-type"] == "text/plain; charset=utf-8"
    assert body.startswith("error: ") and message in body


def test_api_catalogue_lists_the_queries_with_typed_parameters(live_app, analyst_project):
    _, _, body = get(live_app, "/api/queries")
    catalogue = json.loads(body)
    assert [q["name"] for q in catalogue["queries"]] == [q.name for q in api.list_queries(analyst_project)]
    offset = next(q for q in catalogue["queries"] if q["name"] == "claims-after-offset")
    assert offset["parameters"][0] == {"name": "offset", "type": "integer", "default": "0", "required": False,
                                       "description": "Code-point offset into the text", "allowed": []}
    assert catalogue["levels"] == ["confirmed", "reported", "assessed"]


@pytest.mark.parametrize("path, status, words", [
    ("/api/queries/timeline", 404, "did you mean: engagement-timeline"),
    ("/api/queries/..%2F..%2Fetc%2Fpasswd.rq", 404, ""),
    ("/queries/timeline", 404, "no saved query named 'timeline'"),
    ("/report/nope", 404, "no report 'nope' in the build"),
    ("/resource?iri=not%20an%20iri", 400, "not a CURIE or IRI"),
    ("/resource", 400, "say which resource"),
    ("/report?at=certain", 400, "unknown level 'certain'"),
    ("/api/queries/drop-everything", 400, "is a SPARQL update"),
    ("/queries/drop-everything?run=1", 400, "is a SPARQL update"),
])
def test_bad_requests_get_clear_answers(live_app, path, status, words):
    got, _, body = get(live_app, path)
    assert got == status and words in body.replace("&#39;", "'")


def test_unacceptable_types_are_a_406(live_app):
    status, _, body = get(live_app, "/api/queries/anything-denied", {"Accept": "image/png"})
    assert status == 406 and "text/csv" in body


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize("path", ["/api/queries/anything-denied", "/queries/anything-denied", "/report"])
def test_nothing_but_reading(live_app, method, path):
    assert get(live_app, path, method=method)[0] == 405


def test_only_loopback_names_are_answered(live_app):
    assert get(live_app, "/", {"Host": "attacker.example"})[0] == 400
    assert get(live_app, "/", {"Host": "localhost"})[0] == 200


def test_nothing_was_written_to_the_build(live_app, analyst_project, build_snapshot):
    after = sorted((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in (analyst_project / "build").rglob("*"))
    assert after == build_snapshot


# --- the command ----------------------------------------------------------------------------------


def test_a_port_in_use_is_a_clear_error(analyst_project):
    from newskg.serve.server import bind

    holder = bind("127.0.0.1", 0)
    port = holder.getsockname()[1]
    try:
        result = CliRunner().invoke(main, ["--project", str(analyst_project), "serve", "--port", str(port)])
    finally:
        holder.close()
    assert result.exit_code == 1
    assert result.output == f"error: port {port} on 127.0.0.1 is in use; stop what holds it or choose another with --port\n"


def test_serve_without_a_build_says_to_build(tmp_path):
    result = CliRunner().invoke(main, ["--project", str(tmp_path), "serve", "--port", "0"])
    assert result.exit_code == 1 and "run `newskg build` first" in result.output


def test_query_run_does_not_load_the_web_stack(project_root):
    code = ("import sys; from newskg.cli import main\n"
            "try:\n    main(['query', 'list'], standalone_mode=False)\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('starlette', 'uvicorn', 'jinja2', 'selenium') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=project_root, capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"

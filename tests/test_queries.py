"""The saved-query catalog, the engines and `newskg query`, over a small fixture build.

The fixture is a hand-written N-Quads file and manifest in a tmp project, so these tests
do not depend on the article encoding; tests/test_saved_queries.py covers the real build.
"""

from __future__ import annotations

import json
import socket
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from newskg.cli import main
from newskg.errors import BuildMissingError, EndpointError, QueryNotFoundError, QuerySyntaxError, UsageError
from newskg.namespaces import NKG, NKR, article_graph, inferred_graph
from newskg.project import Build
from newskg.query.catalog import (
    apply_limit,
    check_query_syntax,
    find_saved_query,
    list_saved_queries,
    prepare_query_text,
    read_saved_query,
)
from newskg.query.engines import EmbeddedEngine, RdflibEngine, open_engine
from newskg.query.results import AskResult, SelectResult, Term
from newskg.store.sparql import EndpointEngine

ARTICLE = str(article_graph("fixture"))
INFERRED = str(inferred_graph("confirmed"))
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
HOSTILE = 'x" } ; DROP ALL ; #'

QUADS = f"""
<{NKR}c1> <{RDF_TYPE}> <{NKG}Claim> <{ARTICLE}> .
<{NKR}c1> <{NKG}hasStatus> <{NKG}Confirmed> <{ARTICLE}> .
<{NKR}c1> <{LABEL}> "talks resumed" <{ARTICLE}> .
<{NKR}c2> <{RDF_TYPE}> <{NKG}Claim> <{ARTICLE}> .
<{NKR}c2> <{NKG}hasStatus> <{NKG}Reported> <{ARTICLE}> .
<{NKR}c2> <{LABEL}> "visits \\"said\\" sources" <{ARTICLE}> .
<{NKR}ISI> <{RDF_TYPE}> <{NKG}IntelligenceAgency> <{ARTICLE}> .
<{NKR}ISI> <{RDF_TYPE}> <{NKG}GovernmentBody> <{INFERRED}> .
"""

QUERIES = {
    "claims-by-status.rq": """#+ title: Claims with a status
#+ description: Every claim with the given status and its label.
#+ param: status | iri | nkg:Confirmed | The status | nkg:Confirmed, nkg:Reported, nkg:Denied
SELECT ?claim ?label WHERE {
  ?claim a nkg:Claim ; nkg:hasStatus ?status ; rdfs:label ?label .
}
ORDER BY ?claim
""",
    "claim-with-label.rq": """#+ title: Claims with a given label
#+ param: label | string | - | The exact label
SELECT ?claim WHERE { ?claim rdfs:label ?label }
""",
    "any-denied.rq": """#+ title: Is anything denied?
ASK { ?c nkg:hasStatus nkg:Denied }
""",
    "inferred-types.rq": """#+ title: Types inference added
#+ inferred: true
#+ graph: inferred
#+ param: entity | iri | nkr:ISI | Whose types
SELECT ?type WHERE { ?entity a ?type }
""",
    "confirmed-subgraph.rq": """#+ title: Confirmed claims only
CONSTRUCT { ?c nkg:hasStatus nkg:Confirmed ; rdfs:label ?l } WHERE { ?c nkg:hasStatus nkg:Confirmed ; rdfs:label ?l }
""",
    "drop-everything.rq": """#+ title: An update
DROP ALL
""",
}


def make_project(root: Path) -> Path:
    """A project with queries/ and a build/ holding dataset.nq and manifest.json."""
    (root / "queries").mkdir(parents=True)
    for name, text in QUERIES.items():
        (root / "queries" / name).write_text(text, encoding="utf-8")
    build = root / "build"
    build.mkdir()
    (build / "dataset.nq").write_text(QUADS.strip() + "\n", encoding="utf-8")
    manifest = {"format": 1, "graphs": [{"iri": ARTICLE, "role": "article"}, {"iri": INFERRED, "role": "inferred"}]}
    (build / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")


def load_into_server(server, project: Path) -> None:
    body = (project / "build" / "dataset.nq").read_bytes()
    request = urllib.request.Request(server.store_url, data=body, method="POST",
                                     headers={"Content-Type": "application/n-quads"})
    with urllib.request.urlopen(request, timeout=10):
        pass


@pytest.fixture
def engines(project: Path, oxigraph_server):
    """The three engines over the same fixture data."""
    load_into_server(oxigraph_server, project)
    return {
        "embedded": EmbeddedEngine(project / "build"),
        "rdflib": RdflibEngine(project / "build"),
        "endpoint": open_engine(project / "build", endpoint=oxigraph_server.query_url),
    }


def run(engine, project: Path, name: str, **params):
    saved = find_saved_query(project / "queries", name)
    graphs = saved.default_graphs(Build(project / "build"), "confirmed")
    return engine.query(prepare_query_text(saved, params), saved.form, graphs)


def values(result: SelectResult, var: str) -> set[str]:
    return {row[var].value for row in result.rows if var in row}


# --- catalog --------------------------------------------------------------------------------


def test_header_is_read(project: Path):
    saved = read_saved_query(project / "queries" / "inferred-types.rq")
    assert (saved.title, saved.inferred, saved.graph, saved.form) == ("Types inference added", True, "inferred", "SELECT")
    assert saved.default_graphs(Build(project / "build"), "confirmed") == [INFERRED]
    assert [p.name for p in saved.params] == ["entity"]
    assert [q.name for q in list_saved_queries(project / "queries")] == sorted(n[:-3] for n in QUERIES)


def test_unknown_name_suggests_close_names(project: Path):
    with pytest.raises(QueryNotFoundError, match="claims-by-status"):
        find_saved_query(project / "queries", "claim-by-status")
    with pytest.raises(QueryNotFoundError, match="confirmed-subgraph"):
        find_saved_query(project / "queries", "subgraph")


def test_query_file_by_name_or_path(project: Path, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    # A bare file name falls back to the saved queries; a missing path is a usage error.
    assert find_saved_query(project / "queries", "inferred-types.rq").name == "inferred-types"
    with pytest.raises(UsageError, match=r"elsewhere/x\.rq: no such query file") as err:
        find_saved_query(project / "queries", "elsewhere/x.rq")
    assert err.value.exit_code == 2


def test_syntax_error_names_file_line_and_column(tmp_path: Path):
    path = tmp_path / "broken.rq"
    path.write_text("#+ title: Broken\nSELECT ?x WHERE {\n  ?x nkg:hasStatus }\n", encoding="utf-8")
    with pytest.raises(QuerySyntaxError, match=r"broken\.rq:3:\d+: syntax error"):
        check_query_syntax(read_saved_query(path))


def test_malformed_header_names_file_and_line(tmp_path: Path):
    path = tmp_path / "bad.rq"
    path.write_text("#+ title: Bad\n#+ param: n | integer | many | d\nSELECT * { ?s ?p ?o }\n", encoding="utf-8")
    with pytest.raises(QuerySyntaxError, match=r"bad\.rq:2: default of 'n' is invalid"):
        read_saved_query(path)


def test_an_ad_hoc_file_runs_by_path(project: Path, tmp_path: Path):
    path = tmp_path / "mine.rq"
    path.write_text("SELECT ?claim WHERE { ?claim nkg:hasStatus nkg:Confirmed }\n", encoding="utf-8")
    result = cli(project, "run", str(path), "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:2] == ["claim", f"{NKR}c1"]


def test_prologue_leaves_out_prefixes_the_query_declares(tmp_path: Path):
    path = tmp_path / "own.rq"
    path.write_text("#+ title: Own\nPREFIX nkg: <http://example.org/>\nSELECT * { ?s nkg:p ?o }\n", encoding="utf-8")
    text = prepare_query_text(read_saved_query(path), {})
    assert "PREFIX nkg: <http://example.org/>" in text and "PREFIX nkg: <https://" not in text
    assert "PREFIX nkr: <https://w3id.org/newskg/resource/>" in text


def test_limit_is_appended_or_lowered():
    assert apply_limit("SELECT * { ?s ?p ?o }", 5).endswith("LIMIT 5\n")
    assert apply_limit("SELECT * { ?s ?p ?o } LIMIT 50", 5) == "SELECT * { ?s ?p ?o } LIMIT 5"
    assert apply_limit("SELECT * { ?s ?p ?o } LIMIT 2", 5) == "SELECT * { ?s ?p ?o } LIMIT 2"
    assert apply_limit("SELECT * { { SELECT * { ?s ?p ?o } LIMIT 9 } }", 5).endswith("LIMIT 5\n")


# --- engines ----------------------------------------------------------------------------------


def test_three_engines_agree_on_select_ask_construct_and_one_graph(engines, project: Path):
    for name, engine in engines.items():
        confirmed = run(engine, project, "claims-by-status")
        assert values(confirmed, "claim") == {f"{NKR}c1"}, name
        reported = run(engine, project, "claims-by-status", status="nkg:Reported")
        assert values(reported, "label") == {'visits "said" sources'}, name
        assert run(engine, project, "any-denied") == AskResult(False), name
        # graph: inferred reads only the inferred graph: the asserted type is not there.
        assert values(run(engine, project, "inferred-types"), "type") == {f"{NKG}GovernmentBody"}, name
        graph = run(engine, project, "confirmed-subgraph")
        assert set(graph.triples) == {
            (Term("uri", f"{NKR}c1"), Term("uri", f"{NKG}hasStatus"), Term("uri", f"{NKG}Confirmed")),
            (Term("uri", f"{NKR}c1"), Term("uri", LABEL), Term("literal", "talks resumed")),
        }, name


def test_hostile_string_is_a_literal_that_matches_nothing_on_every_engine(engines, project: Path):
    for name, engine in engines.items():
        assert run(engine, project, "claim-with-label", label=HOSTILE).rows == [], name
        assert values(run(engine, project, "claim-with-label", label="talks resumed"), "claim") == {f"{NKR}c1"}, name
        # The store still holds everything: nothing was dropped.
        assert values(run(engine, project, "claims-by-status"), "claim") == {f"{NKR}c1"}, name


def test_rdflib_engine_answers_after_an_update_over_the_same_graphs(project: Path):
    # The engine keeps its copy of a choice of graphs between queries; an update must not leave it stale.
    engine = RdflibEngine(project / "build")
    assert values(run(engine, project, "claims-by-status"), "label") == {"talks resumed"}
    engine.update(f'DELETE DATA {{ GRAPH <{ARTICLE}> {{ <{NKR}c1> <{LABEL}> "talks resumed" }} }}')
    assert values(run(engine, project, "claims-by-status"), "label") == set()


def test_missing_build_says_run_newskg_build(tmp_path: Path):
    with pytest.raises(BuildMissingError, match="newskg build"):
        EmbeddedEngine(tmp_path / "build")
    with pytest.raises(BuildMissingError, match="newskg build"):
        open_engine(tmp_path / "build", endpoint="http://127.0.0.1:1/query")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_refused_connection_is_an_endpoint_error():
    engine = EndpointEngine(f"http://127.0.0.1:{_closed_port()}/query", [], timeout=2)
    with pytest.raises(EndpointError, match="cannot reach the endpoint"):
        engine.query("ASK {}", "ASK")


def test_silent_endpoint_times_out_with_an_endpoint_error():
    # A socket that listens but never answers: the connection succeeds, the answer never comes.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        engine = EndpointEngine(f"http://127.0.0.1:{silent.getsockname()[1]}/query", [], timeout=1)
        with pytest.raises(EndpointError, match="did not answer within 1 s"):
            engine.query("ASK {}", "ASK")


def test_http_error_is_an_endpoint_error(oxigraph_server):
    engine = EndpointEngine(oxigraph_server.base + "/no-such-service", [], timeout=5)
    with pytest.raises(EndpointError, match="no-such-service"):
        engine.query("ASK {}", "ASK")
    bad_query = EndpointEngine(oxigraph_server.query_url, [], timeout=5)
    with pytest.raises(EndpointError, match="error"):
        bad_query.query("SELECT * WHERE { ?s ?p }", "SELECT")


def test_saved_query_headers_never_change_the_form_sent(project_root: Path, oxigraph_server):
    # SPARQLWrapper's comment stripper leaves every other `#+` header line in, and these
    # two headers made it guess DESCRIBE and ask for `*/*` (with a RuntimeWarning).
    import warnings

    engine = EndpointEngine(oxigraph_server.query_url, [], timeout=5)
    for name in ("engagement-timeline", "risks-for-actor-and-who-assesses-them"):
        saved = find_saved_query(project_root / "queries", name)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            result = engine.query(prepare_query_text(saved, {}), saved.form)
        assert isinstance(result, SelectResult), name


# --- command line -----------------------------------------------------------------------------


def cli(project: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(project), "query", *args])


def test_cli_list_show_and_run(project: Path):
    listing = cli(project, "list")
    assert listing.exit_code == 0 and "claims-by-status" in listing.output and "status (iri" in listing.output
    shown = cli(project, "show", "any-denied")
    assert shown.exit_code == 0 and "ASK { ?c nkg:hasStatus nkg:Denied }" in shown.output
    table = cli(project, "run", "claims-by-status", "-p", "status=nkg:Reported")
    assert table.exit_code == 0 and "nkr:c2" in table.output and "(1 row)" in table.output
    assert cli(project, "run", "any-denied").output == "false\n"


def test_cli_json_is_sparql_results_json(project: Path):
    result = cli(project, "run", "claims-by-status", "--format", "json")
    document = json.loads(result.output)
    assert document["head"]["vars"] == ["claim", "label"]
    assert document["results"]["bindings"][0]["claim"] == {"type": "uri", "value": f"{NKR}c1"}


def test_cli_show_query_prints_the_text_sent(project: Path):
    runner = CliRunner()
    result = runner.invoke(main, ["--project", str(project), "query", "run", "claim-with-label",
                                  "-p", f"label={HOSTILE}", "--show-query"])
    assert result.exit_code == 0, result.output
    assert 'VALUES (?label) { ("x\\" } ; DROP ALL ; #") }' in result.stderr
    assert "(0 rows)" in result.stdout


def test_cli_usage_errors_exit_2(project: Path):
    bad_value = cli(project, "run", "claims-by-status", "-p", "status=nkg:Nope")
    assert bad_value.exit_code == 2 and "allowed values" in bad_value.output
    unknown = cli(project, "run", "claims-by-status", "-p", "stat=nkg:Reported")
    assert unknown.exit_code == 2 and "unknown parameter 'stat'" in unknown.output and "status (iri" in unknown.output
    missing = cli(project, "run", "claim-with-label")
    assert missing.exit_code == 2 and "missing required parameter 'label'" in missing.output
    no_query = cli(project, "run", "claim-by-status")
    assert no_query.exit_code == 2 and "did you mean: claims-by-status" in no_query.output
    wrong_format = cli(project, "run", "claims-by-status", "--format", "turtle")
    assert wrong_format.exit_code == 2


def test_cli_refuses_updates_unless_allowed(project: Path):
    refused = cli(project, "run", "drop-everything")
    assert refused.exit_code == 2 and "--allow-update" in refused.output
    allowed = cli(project, "run", "drop-everything", "--allow-update")
    assert allowed.exit_code == 0  # the embedded store is in memory: the build is untouched
    assert (project / "build" / "dataset.nq").stat().st_size > 0


def test_cli_unreachable_endpoint_exit_1_without_traceback(project: Path):
    result = cli(project, "run", "any-denied", "--endpoint", f"http://127.0.0.1:{_closed_port()}/query", "--timeout", "2")
    assert result.exit_code == 1 and "cannot reach the endpoint" in result.output
    assert "Traceback" not in result.output


def test_cli_endpoint_is_a_base_url_with_a_preset_as_for_load(project: Path, oxigraph_server):
    load_into_server(oxigraph_server, project)
    local = cli(project, "run", "claims-by-status", "--format", "json")
    by_option = cli(project, "run", "claims-by-status", "--format", "json",
                    "--endpoint", oxigraph_server.base, "--preset", "oxigraph")
    by_environment = CliRunner().invoke(
        main, ["--project", str(project), "query", "run", "claims-by-status", "--format", "json"],
        env={"NEWSKG_ENDPOINT": oxigraph_server.base, "NEWSKG_PRESET": "oxigraph"})
    assert by_option.exit_code == 0, by_option.output
    assert json.loads(by_option.output) == json.loads(by_environment.output) == json.loads(local.output)


def test_cli_base_url_without_a_preset_says_to_add_one(project: Path, oxigraph_server):
    result = cli(project, "run", "any-denied", "--endpoint", oxigraph_server.base)
    assert result.exit_code == 1 and "404" in result.output and "--preset" in result.output
    assert "Traceback" not in result.output


def test_cli_run_all_prints_every_title(project: Path):
    result = cli(project, "run-all")
    assert result.exit_code == 0, result.output
    assert "== any-denied: Is anything denied?" in result.output
    assert "(skipped: needs label)" in result.output
    assert "(skipped: an update)" in result.output

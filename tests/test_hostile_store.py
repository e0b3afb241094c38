"""A store that misbehaves, for `newskg load` and `newskg query run --endpoint`: one clear error
naming the URL, exit 1, no traceback, no password, within the deadline, and our graphs in the
store exactly as they were (issue 14, items 1, 3 and 7).

A real Oxigraph (the session's) shows what a real store can: a refused connection, a 404, a
query it refuses. A FaultServer (hostile_support) in front of it shows the rest: 401/403/500,
HTML, cut-short or malformed answers, a closed connection, a trickle, a hang, an endless answer.
"""

from __future__ import annotations

import json
import socket
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from hostile_support import FaultServer, check, copy_project, newskg
from newskg.build import build_project
from test_build import write_project
from test_hostile_inputs import BREAKOUTS

PREFIX = "https://hostile.example/graph/"
THEIRS = "urn:hostile:their-graph"
TIMEOUT = "2"
ECHO = "#+ title: Echo\nSELECT ?x WHERE { VALUES ?x { 1 } }\n"
ECHO_TEXT = "#+ title: Echo a text\n#+ param: text | string | - | Any text\nSELECT ?text WHERE { }\n"
DESCRIBE = "#+ title: A graph\nCONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3\n"


@pytest.fixture(scope="module")
def projects(tmp_path_factory) -> tuple[Path, Path]:
    """Two builds of one project: v1, in the store before each fault, and v2, which each faulty load tries."""
    base = tmp_path_factory.mktemp("hostile-store")
    v1 = write_project(base / "v1")
    (v1 / "queries").mkdir()
    (v1 / "queries" / "echo.rq").write_text(ECHO, encoding="utf-8")
    (v1 / "queries" / "graph.rq").write_text(DESCRIBE, encoding="utf-8")
    (v1 / "queries" / "echo-text.rq").write_text(ECHO_TEXT, encoding="utf-8")
    build_project(v1)
    v2 = copy_project(v1, base / "v2")
    report = v2 / "graph" / "demo" / "report.ttl"
    report.write_text(report.read_text(encoding="utf-8") + 'art:claim-1 rdfs:comment "version two" .\n',
                      encoding="utf-8")
    build_project(v2, force=True)
    return v1, v2


def snapshot(store) -> list[str]:
    """Our graphs (under PREFIX, the demo's claim content, staging), and theirs, as sorted N-Quads."""
    request = urllib.request.Request(store.base + "/store", headers={"Accept": "application/n-quads"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        lines = answer.read().decode("utf-8").splitlines()
    keep = (f"<{PREFIX}", "<https://w3id.org/newskg/resource/demo/", f"<{THEIRS}>", "<urn:newskg:staging:")
    return sorted(line for line in lines if any(mark in line.rsplit(" ", 2)[-2] for mark in keep))


@pytest.fixture
def store(shared_oxigraph_server, projects):
    """The session's Oxigraph with v1 loaded under PREFIX and a graph of someone else's."""
    v1, _ = projects
    loaded = newskg("load", "--preset", "oxigraph", "--endpoint", shared_oxigraph_server.base,
                    "--graph-prefix", PREFIX, project=v1)
    assert loaded.exit_code == 0, loaded.output
    update = f'INSERT DATA {{ GRAPH <{THEIRS}> {{ <urn:hostile:x> <urn:hostile:p> "theirs" }} }}'
    request = urllib.request.Request(shared_oxigraph_server.update_url, data=update.encode(), method="POST",
                                     headers={"Content-Type": "application/sparql-update"})
    urllib.request.urlopen(request, timeout=30).close()
    return shared_oxigraph_server


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _body(seen) -> str:
    return urllib.parse.unquote_plus(seen.body.decode("utf-8", "replace"))


WHEN = {
    "every request": lambda seen: True,
    # The body that fills the staging graphs (one N-Quads POST to /store since issue 12).
    "the first staging PUT": lambda seen: seen.method == "PUT" or (seen.method == "POST" and "/store" in seen.path),
    "a count": lambda seen: "COUNT(*)" in _body(seen),
    "the search for leftovers": lambda seen: "SELECT DISTINCT ?g" in _body(seen),
    # MOVEs, or with the oxigraph preset a DELETE/INSERT of the difference (issue 12).
    "the swap": lambda seen: _body(seen).startswith(("MOVE", "DELETE { GRAPH ?t")),
}

#: (fault, where, what the error must say). Each leaves our graphs as they were.
LOAD_FAULTS = [
    ("401", "every request", ("401", "'hostile-analyst'", "refused")),
    ("403", "every request", ("403",)),
    ("500", "the first staging PUT", ("500", "the store fell over", "nothing")),
    ("500", "the swap", ("500", "swap")),
    ("html", "a count", ("unreadable", "text/html")),
    ("truncated", "a count", ("cut short",)),
    ("malformed", "a count", ("unreadable",)),
    ("wrong-count", "a count", ("holds 12345 triples", "nothing was replaced")),
    # The body is a POST that adds: not sent again once it may have arrived (issue 12).
    ("close", "the first staging PUT", ("lost the connection", "is not sent again", "nothing was replaced")),
    ("close", "the search for leftovers", ("no answer from",)),
    ("trickle", "a count", ("did not answer within 2 s",)),
    ("hang", "the first staging PUT", ("no complete answer within 2 s", "nothing was replaced")),
    ("huge", "a count", ("more than 1 MiB", "NEWSKG_MAX_RESPONSE_BYTES")),
    ("huge-declared", "a count", ("more than 1 MiB",)),
    ("redirect", "every request", ("redirects to", "credentials are not sent on")),
]
#: Faults before anything was written: the error may not claim that staging graphs remain.
NOTHING_WRITTEN = {"401", "403", "redirect"}


@pytest.mark.parametrize("fault, where, mentions", LOAD_FAULTS, ids=[f"{f} on {w}" for f, w, _ in LOAD_FAULTS])
def test_a_faulty_store_leaves_our_graphs_as_they_were(store, projects, fault, where, mentions):
    _, v2 = projects
    before = snapshot(store)
    with FaultServer(fault, upstream=store.base, when=WHEN[where]) as proxy:
        # --staged: these faults hit the steps of the staged way (the reload by difference's own
        # faults are in test_load_diff.py).
        outcome = newskg("load", "--preset", "oxigraph", "--endpoint", proxy.base, "--graph-prefix", PREFIX,
                         "--timeout", TIMEOUT, "--retries", "0", "--staged", project=v2,
                         env={"NEWSKG_MAX_RESPONSE_BYTES": "1048576"})
    check(outcome, kind="fault", case=f"load: {fault} on {where}", code=1, mentions=(proxy.base, *mentions),
          unchanged=(before, snapshot(store)), folders=(v2 / "build",))
    assert outcome.seconds < 30, f"{outcome.seconds:.1f} s: the deadline should have ended it"
    if fault in NOTHING_WRITTEN:
        assert "may remain" not in outcome.stderr


def test_a_refused_connection_creates_nothing_and_says_only_that(projects):
    _, v2 = projects
    url = f"http://127.0.0.1:{_closed_port()}"
    for args in (("load", "--preset", "oxigraph", "--endpoint", url, "--retries", "0"),
                 ("query", "run", "echo", "--endpoint", url + "/query")):
        outcome = newskg(*args, project=v2)
        check(outcome, kind="fault", case=f"{args[0]}: connection refused", code=1,
              mentions=("cannot reach", url, "connection refused"))
        assert "may remain" not in outcome.stderr


def test_a_store_url_without_its_preset_is_a_404_that_says_so(store, projects):
    v1, _ = projects
    before = snapshot(store)
    for args in (("load", "--endpoint", store.base, "--graph-prefix", PREFIX),
                 ("query", "run", "echo", "--endpoint", store.base)):
        outcome = newskg(*args, project=v1)
        check(outcome, kind="fault", case=f"{args[0]}: a real store's 404", code=1, mentions=(store.base, "404"),
              unchanged=(before, snapshot(store)))


def test_the_next_load_removes_staging_graphs_a_dead_load_left(store, projects):
    _, v2 = projects
    # What a load killed after its staging PUT leaves: a staging graph for one of our targets,
    # and one for a graph of someone else's, which is not ours to remove.
    ours = f"urn:newskg:staging:20260101T000000-deadbeef:{PREFIX}ontology"
    theirs = "urn:newskg:staging:20260101T000000-deadbeef:https://elsewhere.example/graph"
    update = " ; ".join(f'INSERT DATA {{ GRAPH <{g}> {{ <urn:x> <urn:p> "left" }} }}' for g in (ours, theirs))
    request = urllib.request.Request(store.update_url, data=update.encode(), method="POST",
                                     headers={"Content-Type": "application/sparql-update"})
    urllib.request.urlopen(request, timeout=30).close()
    outcome = newskg("load", "--preset", "oxigraph", "--endpoint", store.base, "--graph-prefix", PREFIX, project=v2)
    check(outcome, kind="fault", case="load: staging graphs left by a dead load", code=0)
    graphs = {line.rsplit(" ", 2)[-2] for line in snapshot(store)}
    assert f"<{ours}>" not in graphs and "removed 1 staging graph" in outcome.stdout
    request = urllib.request.Request(store.update_url, data=f"DROP GRAPH <{theirs}>".encode(), method="POST",
                                     headers={"Content-Type": "application/sparql-update"})
    urllib.request.urlopen(request, timeout=30).close()  # it was still there to drop


QUERY_FAULTS = [
    ("401", ("401", "'hostile-analyst'", "refused")),
    ("403", ("403",)),
    ("500", ("500", "the store fell over")),
    ("html", ("did not answer SPARQL JSON results", "text/html", "Welcome")),
    ("truncated", ("cut short",)),
    ("malformed", ("not SPARQL results",)),
    ("close", ("no answer from the endpoint",)),
    ("trickle", ("did not answer within 2 s",)),
    ("hang", ("did not answer within 2 s",)),
    ("huge", ("more than 1 MiB", "--limit")),
    ("huge-declared", ("more than 1 MiB",)),
    ("redirect", ("redirects to", "give that URL")),
]


@pytest.mark.parametrize("fault, mentions", QUERY_FAULTS, ids=[f for f, _ in QUERY_FAULTS])
def test_a_faulty_endpoint_is_one_clear_error(projects, fault, mentions):
    v1, _ = projects
    before = snapshot_build = sorted(p.name for p in (v1 / "build").iterdir())
    with FaultServer(fault) as server:
        outcome = newskg("query", "run", "echo", "--endpoint", server.base + "/query", "--timeout", TIMEOUT,
                         project=v1, env={"NEWSKG_MAX_RESPONSE_BYTES": "1048576"})
    check(outcome, kind="fault", case=f"query run: {fault}", code=1, mentions=(server.base + "/query", *mentions),
          unchanged=(before, snapshot_build), folders=(v1 / "build",))
    assert outcome.seconds < 30


def test_a_graph_answer_that_is_html_is_named(projects):
    v1, _ = projects
    with FaultServer("html") as server:
        outcome = newskg("query", "run", "graph", "--endpoint", server.base + "/query", project=v1)
    check(outcome, kind="fault", case="query run: CONSTRUCT answered with HTML", code=1,
          mentions=(server.base, "did not answer Turtle", "text/html"))


def test_an_answer_over_the_cap_is_never_held_whole(monkeypatch):
    # Reading is streamed and stops at the cap: an endless answer costs about twice the cap, at most.
    import tracemalloc

    from newskg.errors import EndpointError
    from newskg.store.sparql import EndpointEngine

    monkeypatch.setenv("NEWSKG_MAX_RESPONSE_BYTES", str(8 * 1024 * 1024))
    with FaultServer("huge") as server:
        engine = EndpointEngine(server.base + "/query", [], timeout=30)
        tracemalloc.start()
        try:
            with pytest.raises(EndpointError, match="more than 8 MiB"):
                engine.query("SELECT * WHERE { ?s ?p ?o }", "SELECT")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < 3 * 8 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB"


@pytest.mark.parametrize("case", sorted(BREAKOUTS))
def test_a_string_parameter_is_one_literal_on_a_real_store(store, projects, case):
    v1, _ = projects
    value = BREAKOUTS[case]
    before = snapshot(store)
    outcome = newskg("query", "run", "echo-text", "-p", f"text={value}", "--format", "json",
                     "--preset", "oxigraph", "--endpoint", store.base, project=v1)
    check(outcome, kind="bad-input", case=f"parameter (endpoint): {case}", code=0,
          unchanged=(before, snapshot(store)))
    rows = json.loads(outcome.stdout)["results"]["bindings"]
    assert [row["text"]["value"] for row in rows] == [value]

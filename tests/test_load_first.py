"""`newskg load` into a store that holds none of the build's graphs (issue 12, item 5): one body
straight into them (``dataset-fresh``), undone by dropping them on any failure; and the
staged load's swap by difference (the oxigraph preset), which must leave exactly what MOVE
leaves. Against a real `oxigraph serve`; faults come from a proxy in front of it.
"""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import threading
import urllib.parse
from dataclasses import replace
from pathlib import Path

import pytest
from rdflib.compare import isomorphic

from hostile_support import FaultServer
from newskg.errors import LoadError
from newskg.project import Build
from newskg.store.endpoints import resolve_endpoints
from newskg.store.http import HttpTransport
from newskg.store.loader import load_graphs
from oxigraph_server import start_oxigraph, stop_oxigraph

# The proxy_to fixture; the tests taking it as a parameter say noqa: F811 (the name is the fixture).
from test_load import (
    ARTICLE_V2,
    BACKGROUND_V2,
    FORWARD_THEN_DROP,
    HALF_THEN_DROP,
    LABEL,
    ONTOLOGY_V1,
    RDF,
    RDFLIB_NQUADS_WARNINGS,
    THEIRS,
    G,
    R,
    assert_same_store,
    dump,
    expected_graph,
    is_swap,
    proxy_to,  # noqa: F401
    run_load,
    sparql_update,
    write_build,
)

pytestmark = RDFLIB_NQUADS_WARNINGS


def with_theirs(server) -> dict:
    """Someone else's graph in the store; the store's graphs as they are now."""
    sparql_update(server, f'INSERT DATA {{ GRAPH <{THEIRS}> {{ <{R}x> {LABEL} "theirs" }} }}')
    return dump(server.base)


def _decoded(body: bytes) -> str:
    return urllib.parse.unquote_plus(body.decode("utf-8", "replace"))


def test_a_first_load_goes_straight_into_the_graphs(oxigraph_server, tmp_path):
    before = with_theirs(oxigraph_server)
    result = run_load("--preset", "oxigraph", "--endpoint", oxigraph_server.base, "--build",
                      str(write_build(tmp_path / "v1")))
    assert result.exit_code == 0, result.output
    assert "by dataset-fresh" in result.stdout and "3 requests" in result.stdout
    store = dump(oxigraph_server.base)
    assert sorted(store) == sorted([*before, G + "article/test", G + "background", G + "ontology"])
    assert isomorphic(store[G + "ontology"], expected_graph(ONTOLOGY_V1))  # blank nodes kept
    assert isomorphic(store[THEIRS], before[THEIRS])


#: Faults in a first load, after which none of its graphs may remain.
FRESH_FAULTS = {
    "the body refused": lambda handler, body: (500, "no space left") if handler.path.startswith("/store") else None,
    "the body cut in half": lambda handler, body: HALF_THEN_DROP if handler.path.startswith("/store") else None,
    # The store loaded the body; only its answer is lost: the graphs are there, and must go.
    "the body's answer lost": lambda handler, body: FORWARD_THEN_DROP if handler.path.startswith("/store") else None,
    # The body went in whole, then the count disagrees: the graphs are there, and must go.
    "a wrong count": lambda handler, body: (
        200, '{"head":{"vars":["g","n"]},"results":{"bindings":[{"g":{"type":"uri","value":"' + G
        + 'ontology"},"n":{"type":"literal","value":"99"}}]}}', {"Content-Type": "application/sparql-results+json"})
    if "COUNT(*)" in _decoded(body) else None,
    "the count failing": lambda handler, body: (500, "count failed") if "COUNT(*)" in _decoded(body) else None,
}


@pytest.mark.parametrize("fault", sorted(FRESH_FAULTS))
def test_a_failed_first_load_leaves_no_graph_behind(oxigraph_server, proxy_to, tmp_path, fault):  # noqa: F811
    before = with_theirs(oxigraph_server)
    proxy = proxy_to(FRESH_FAULTS[fault])
    result = run_load("--preset", "oxigraph", "--endpoint", proxy.base, "--retries", "0", "--build",
                      str(write_build(tmp_path / "v1")))
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert "nothing was replaced: none of these graphs existed before this load" in result.stderr
    assert "may remain" not in result.stderr
    if fault == "a wrong count":
        assert f"<{G}ontology> has 99 triples, the build has 7" in result.stderr
    assert_same_store(before, dump(oxigraph_server.base))
    assert sum(1 for method, path, _, _ in proxy.seen if method == "POST" and path.startswith("/store")) == 1
    # The next load, through no proxy, is a first load again and completes.
    again = run_load("--preset", "oxigraph", "--endpoint", oxigraph_server.base, "--build",
                     str(write_build(tmp_path / "v1")))
    assert again.exit_code == 0 and "by dataset-fresh" in again.stdout, again.output


def test_a_first_load_that_cannot_clean_up_names_what_may_remain_and_the_next_repairs(
        oxigraph_server, proxy_to, tmp_path):  # noqa: F811
    with_theirs(oxigraph_server)
    written = {"body": False}

    def body_lost_then_down(handler, body):
        if written["body"]:
            return 500, "down"
        if handler.path.startswith("/store"):
            written["body"] = True
            return FORWARD_THEN_DROP
        return None

    proxy = proxy_to(body_lost_then_down)
    build = write_build(tmp_path / "v1")
    result = run_load("--preset", "oxigraph", "--endpoint", proxy.base, "--retries", "0", "--build", str(build))
    assert result.exit_code == 1
    assert "could not drop those it wrote; these may remain, partly loaded:" in result.stderr
    for iri in (G + "ontology", G + "article/test", G + "background"):
        assert f"<{iri}>" in result.stderr
    assert G + "ontology" in dump(oxigraph_server.base)  # the body did go in
    # They exist now, so the next load stages and swaps, and leaves exactly the build.
    again = run_load("--preset", "oxigraph", "--endpoint", oxigraph_server.base, "--build", str(build))
    assert again.exit_code == 0 and "by dataset-difference" in again.stdout, again.output
    assert isomorphic(dump(oxigraph_server.base)[G + "ontology"], expected_graph(ONTOLOGY_V1))


@pytest.mark.parametrize("existing", ["one graph with other triples", "one empty graph"])
def test_any_graph_already_there_makes_the_load_a_reload(oxigraph_server, tmp_path, existing):
    if existing == "one empty graph":  # Oxigraph keeps empty named graphs: it exists
        sparql_update(oxigraph_server, f"CREATE GRAPH <{G}background>")
    else:
        sparql_update(oxigraph_server, f'INSERT DATA {{ GRAPH <{G}background> {{ <{R}old> {LABEL} "old" }} }}')
    build = write_build(tmp_path / "v2", article=ARTICLE_V2, background=BACKGROUND_V2)
    result = run_load("--preset", "oxigraph", "--endpoint", oxigraph_server.base, "--build", str(build))
    assert result.exit_code == 0 and "by dataset-difference" in result.stdout, result.output
    store = dump(oxigraph_server.base)
    assert isomorphic(store[G + "background"], expected_graph(BACKGROUND_V2))
    assert isomorphic(store[G + "article/test"], expected_graph(ARTICLE_V2))


def test_oxigraph_keeps_nothing_of_a_body_cut_short(oxigraph_server):
    """What docs/loading.md claims of Oxigraph: its bulk-loading POST commits only at the end, so a
    cut body leaves no quad (and readers never see a part), before our clean-up even runs."""
    body = "".join(f'<{R}s{i}> {LABEL} "{i}" <{G}cut> .\n' for i in range(5000)).encode()
    url = urllib.parse.urlsplit(oxigraph_server.base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    connection.putrequest("POST", "/store?no_transaction")
    connection.putheader("Content-Type", "application/n-quads")
    connection.putheader("Content-Length", str(len(body)))
    connection.endheaders()
    connection.send(body[: len(body) * 3 // 4])
    connection.sock.shutdown(2)
    connection.close()
    sparql_update(oxigraph_server, "INSERT DATA { GRAPH <urn:after> { <urn:a> <urn:b> <urn:c> } }")  # answered
    assert sorted(dump(oxigraph_server.base)) == ["urn:after"]


# --- the swap by difference gives what MOVE gives --------------------------------------------------

ONTOLOGY_V2 = ONTOLOGY_V1.replace("_:l2 <", "_:l3 <").replace("_:l1 <", "_:l4 <").replace(
    "Reported>", "Assessed>") + f"<{R}Status> {LABEL} \"status\" .\n"
INFERRED_V1 = f"<{R}ISI> <{RDF}type> <{R}Agency> .\n_:x <{R}about> <{R}ISI> .\n"


def _load(server, build: Path, diff_swap: bool) -> str:
    endpoints = replace(resolve_endpoints(server.base, "oxigraph"), diff_swap=diff_swap, client_difference=False)
    with HttpTransport(timeout=30) as transport:
        return load_graphs(Build(build).graphs(), endpoints, transport, build=Build(build)).method


def test_the_swap_by_difference_leaves_exactly_what_move_leaves(tmp_path):
    # v1 -> v2 changes, adds, removes and empties graphs, with blank nodes in both; v2 -> v2
    # changes nothing; v2 -> v1 goes back. Each store is dumped after each load and compared.
    v1 = write_build(tmp_path / "v1", inferred=INFERRED_V1)
    v2 = write_build(tmp_path / "v2", ontology=ONTOLOGY_V2, article=ARTICLE_V2, background="",
                     inferred=INFERRED_V1.replace("Agency", "Service"))
    dumps: dict[bool, list] = {}
    for diff_swap in (True, False):
        proc, server = start_oxigraph(tmp_path / f"db-{diff_swap}")
        try:
            with_theirs(server)
            methods = [_load(server, build, diff_swap) for build in (v1, v2, v2, v1)]
            assert methods == ["dataset-fresh"] + ["dataset-staged"] * 3
            dumps[diff_swap] = [dump(server.base)]
            for build in (v2, v2, v1):
                _load(server, build, diff_swap)
                dumps[diff_swap].append(dump(server.base))
        finally:
            stop_oxigraph(proc)
    for by_difference, by_move in zip(dumps[True], dumps[False], strict=True):
        assert_same_store(by_move, by_difference)
    assert G + "background" not in dumps[True][1]  # emptied by v2
    assert isomorphic(dumps[True][1][G + "ontology"], expected_graph(ONTOLOGY_V2))


def test_the_swap_by_difference_fails_whole_when_a_staging_graph_vanished(oxigraph_server, proxy_to, tmp_path):  # noqa: F811
    # Another load of the same graphs dropping ours as leftovers between our count and our swap:
    # MOVE failed on the missing graph; the swap by difference must too, before emptying a target.
    assert run_load("--preset", "oxigraph", "--endpoint", oxigraph_server.base, "--build",
                    str(write_build(tmp_path / "v1"))).exit_code == 0
    before = with_theirs(oxigraph_server)

    def drop_our_staging_before_the_swap(handler, body):
        if is_swap(body):
            staging = sorted({part.split(">")[0] for part in body.decode().split("DROP GRAPH <")[1:]})
            sparql_update(oxigraph_server, f"DROP GRAPH <{staging[0]}>")
        return None

    proxy = proxy_to(drop_our_staging_before_the_swap)
    build = write_build(tmp_path / "v2", article=ARTICLE_V2, background=BACKGROUND_V2)
    with pytest.raises(LoadError, match="does not exist"), HttpTransport(timeout=30, retries=0) as transport:
        load_graphs(Build(build).graphs(), replace(resolve_endpoints(proxy.base, "oxigraph"), client_difference=False),
                    transport, build=Build(build))
    assert_same_store(before, dump(oxigraph_server.base))


# --- a first load killed at each of its requests ---------------------------------------------------

def test_a_killed_first_load_leaves_all_or_none_of_its_graphs(oxigraph_server, tmp_path):
    build = write_build(tmp_path / "v1")
    expected = {iri: expected_graph(text) for iri, text in (
        ("ontology", ONTOLOGY_V1), ("article/test", (build / "graphs" / "article-test.nt").read_text()),
        ("background", (build / "graphs" / "background.nt").read_text()))}
    theirs = with_theirs(oxigraph_server)[THEIRS]
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSKG_")}
    # The requests of a first load: the search, the body, the count. Each is killed before it
    # reaches the store and after the store answered; each under its own prefix, so each is a first load.
    for attempt, (at, lose_answer) in enumerate([(k, lost) for k in (1, 2, 3) for lost in (False, True)]):
        prefix = f"http://example.org/kill{attempt}/"
        victim: dict = {}
        ready = threading.Event()
        with FaultServer("ok", upstream=oxigraph_server.base) as proxy:
            def decide(seen, proxy=proxy, at=at, lose_answer=lose_answer, victim=victim, ready=ready) -> bool:
                if len(proxy.seen) != at:
                    return False
                ready.wait(30)
                if lose_answer:
                    proxy.extra["after_forward"] = lambda pid=victim["pid"]: os.kill(pid, signal.SIGKILL)
                    return False
                os.kill(victim["pid"], signal.SIGKILL)
                return True

            proxy.fault, proxy.when = "close", decide
            child = subprocess.Popen([sys.executable, "-m", "newskg", "load", "--build", str(build), "--preset",
                                      "oxigraph", "--endpoint", proxy.base, "--graph-prefix", prefix],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
            victim["pid"] = child.pid
            ready.set()
            child.wait(timeout=120)
        assert child.returncode == -signal.SIGKILL, f"kill #{attempt}: the load ended before request {at}"
        store = dump(oxigraph_server.base)
        ours = {iri: graph for iri, graph in store.items() if iri.startswith(prefix)}
        assert not [g for g in store if g.startswith("urn:newskg:staging:")]
        assert isomorphic(store[THEIRS], theirs)
        whole = sorted(ours) == sorted(prefix + iri for iri in expected) and all(
            isomorphic(ours[prefix + iri], graph) for iri, graph in expected.items())
        assert whole if (at, lose_answer) >= (2, True) else not ours, f"kill #{attempt}: {sorted(ours)}"


# --- the body of a build of many graphs ------------------------------------------------------------

@pytest.mark.parametrize("renamed_in_one_pass", [False, True])
def test_a_body_of_many_graphs_renames_every_line(tmp_path, monkeypatch, renamed_in_one_pass):
    # Blocks of many graphs are renamed in one regex pass, of few graphs by one replace per graph:
    # both give every line with its graph renamed, nothing else changed.
    from newskg.store import quadstream
    from test_load import write_many_graphs_build

    monkeypatch.setattr(quadstream, "BLOCK", 4096)  # many blocks, each holding many graphs
    monkeypatch.setattr(quadstream, "REPLACE_MAX_GRAPHS", 0 if renamed_in_one_pass else 10**9)
    build = Build(write_many_graphs_build(tmp_path / "build", 300))
    renames = {g.iri: "urn:newskg:staging:run:" + g.iri for g in build.graphs()}
    body = quadstream.RenamedQuads(build.nquads_path, renames, {g.iri: g.triples for g in build.graphs()}, True)
    with body.open() as stream:
        sent = stream.read()
    original = build.nquads_path.read_text(encoding="utf-8").splitlines(keepends=True)
    expected = []
    for line in original:
        head, _, graph = line.rstrip(" .\n").rpartition(" <")
        expected.append(f"{head} <{renames[graph.rstrip('>')]}> .\n")
    assert sent.decode("utf-8").splitlines(keepends=True) == expected
    assert body.size == len(sent)

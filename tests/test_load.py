"""`newskg load` against a real Oxigraph server: idempotence, safety, fallbacks, retries, errors.

Auth against a server whose auth code is not ours is in test_remote_auth.py; the
local Proxy here only shows faults a real store cannot (5xx, lost connections, timeouts).
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from newskg.cli import main
from newskg.errors import BuildMissingError, LoadError, UsageError
from newskg.project import Build
from newskg.store.auth import Credentials, Login, choose_scheme, find_credentials, offered_schemes
from newskg.store.endpoints import resolve_endpoints
from newskg.store.http import HttpRequest, HttpTransport
from newskg.store.loader import load_graphs, select_graphs

#: rdflib warns inside its own N-Quads parser (`dump`); nothing in the load tests can act on it.
RDFLIB_NQUADS_WARNINGS = [
    pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Dataset.contexts is deprecated:DeprecationWarning"),
]
pytestmark = RDFLIB_NQUADS_WARNINGS

G = "https://w3id.org/newskg/graph/"
R = "https://w3id.org/newskg/resource/test/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
PASSWORD = "pa55-Wörd-never-shown"
THEIRS = "http://example.org/their-graph"
NO_CREDENTIALS = {"NETRC": "/nonexistent/netrc"}

# The ontology graph carries an RDF list (blank nodes), which must survive batching.
ONTOLOGY_V1 = f"""\
<{R}Claim> <{RDF}type> <http://www.w3.org/2002/07/owl#Class> .
<{R}Claim> {LABEL} "claim \\"quoted\\"\\nsecond line"@en .
<{R}Status> <http://www.w3.org/2002/07/owl#oneOf> _:l1 .
_:l1 <{RDF}first> <{R}Confirmed> .
_:l1 <{RDF}rest> _:l2 .
_:l2 <{RDF}first> <{R}Reported> .
_:l2 <{RDF}rest> <{RDF}nil> .
"""
ARTICLE_V1 = "".join(f'<{R}claim{i}> {LABEL} "claim number {i} ünïcode" .\n' for i in range(40))
BACKGROUND_V1 = f'<{R}ISI> {LABEL} "Inter-Services Intelligence" .\n'
ARTICLE_V2 = "".join(f'<{R}claim{i}> {LABEL} "revised claim {i}" .\n' for i in range(25))
BACKGROUND_V2 = f'<{R}ISI> {LABEL} "ISI" .\n<{R}DGFI> {LABEL} "DGFI" .\n'


def write_build(folder: Path, ontology=ONTOLOGY_V1, article=ARTICLE_V1, background=BACKGROUND_V1,
                inferred="") -> Path:
    """A build folder in the format of docs/architecture.md: manifest, one .nt per graph, and
    dataset.nq as `newskg build` writes it (every graph's lines, each ending `` <graph> .``)."""
    contents = {
        "ontology": (G + "ontology", "ontology", ontology),
        "article-test": (G + "article/test", "article", article),
        "background": (G + "background", "background", background),
        "inferred": (G + "inferred", "inferred", inferred),
    }
    (folder / "graphs").mkdir(parents=True, exist_ok=True)
    entries, quads = [], []
    for name, (iri, role, text) in contents.items():
        (folder / "graphs" / f"{name}.nt").write_text(text, encoding="utf-8")
        lines = [line for line in text.splitlines() if line.strip()]
        quads += [f"{line.rstrip().removesuffix('.').rstrip()} <{iri}> .\n" for line in lines]
        entries.append({"iri": iri, "role": role, "file": f"graphs/{name}.nt", "triples": len(lines)})
    (folder / "dataset.nq").write_text("".join(quads), encoding="utf-8")
    manifest = {"format": 1, "built_at": "2026-01-01T00:00:00Z", "graphs": entries}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def run_load(*args: str, env: dict | None = None):
    base_env = {"NEWSKG_USER": None, "NEWSKG_PASSWORD": None, "NETRC": "/nonexistent/netrc"}
    return CliRunner().invoke(main, ["load", *args], env={**base_env, **(env or {})})


def dump(server_base: str) -> dict[str, Graph]:
    """Every named graph of the store, as rdflib graphs (for isomorphism checks)."""
    request = urllib.request.Request(server_base + "/store", headers={"Accept": "application/n-quads"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        data = answer.read().decode("utf-8")
    dataset = Dataset()
    dataset.parse(data=data, format="nquads")
    return {str(g.identifier): g for g in dataset.graphs() if len(g)}


def expected_graph(text: str) -> Graph:
    return Graph().parse(data=text, format="nt")


def sparql_update(server, text: str) -> None:
    request = urllib.request.Request(server.update_url, data=text.encode(), method="POST",
                                     headers={"Content-Type": "application/sparql-update"})
    urllib.request.urlopen(request, timeout=10).close()


def assert_same_store(before: dict[str, Graph], after: dict[str, Graph]) -> None:
    assert sorted(before) == sorted(after)
    for name in before:
        assert isomorphic(before[name], after[name]), name


# --- a local HTTP server in front of Oxigraph that can fail, count and check auth -----------

#: Verdicts of ``decide`` besides (status, text[, headers]) and None (forward):
DROP = "drop"  # close the connection without an answer, the request not forwarded
FORWARD_THEN_DROP = "forward-then-drop"  # the store gets the request; its answer is lost
HALF_THEN_DROP = "half-then-drop"  # the store gets the first half of the body, then the connection drops
STALL = "stall"  # answer nothing for 2 s (longer than the tests' --timeout), then close


def is_swap(body: bytes) -> bool:
    """The staged load's swap: MOVEs, or (the oxigraph preset) a DELETE/INSERT of the difference."""
    return body.startswith((b"MOVE", b"DELETE { GRAPH ?t"))


class Proxy(ThreadingHTTPServer):
    """Forwards to Oxigraph unless ``decide(handler, body)`` returns (status, text) to answer,
    or one of DROP, FORWARD_THEN_DROP, STALL."""

    daemon_threads = True

    def __init__(self, upstream: str, decide, port: int = 0):
        super().__init__(("127.0.0.1", port), ProxyHandler)
        self.upstream = urllib.parse.urlsplit(upstream)
        self.decide = decide
        self.seen: list[tuple[str, str, dict, bytes]] = []

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class ProxyHandler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep test output quiet
        pass

    def _handle(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.seen.append((self.command, self.path, dict(self.headers), body))
        verdict = self.server.decide(self, body)
        if verdict in (DROP, STALL):
            if verdict == STALL:
                time.sleep(2)
            self.close_connection = True
            return
        if verdict is not None and verdict not in (FORWARD_THEN_DROP, HALF_THEN_DROP):
            status, text, *extra = verdict
            self.send_response(status)
            for key, value in (extra[0] if extra else {}).items():
                self.send_header(key, value)
            payload = text.encode()
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        up = http.client.HTTPConnection(self.server.upstream.hostname, self.server.upstream.port, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "accept")}
        if verdict == HALF_THEN_DROP:
            body = body[: len(body) // 2]
        up.request(self.command, self.path, body=body, headers=headers)
        answer = up.getresponse()
        payload = answer.read()
        up.close()
        if verdict in (FORWARD_THEN_DROP, HALF_THEN_DROP):
            self.close_connection = True
            return
        self.send_response(answer.status)
        if answer.getheader("Content-Type"):
            self.send_header("Content-Type", answer.getheader("Content-Type"))
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = _handle


@pytest.fixture
def proxy_to(oxigraph_server):
    """Start a Proxy in front of the test's Oxigraph server; stopped at the end of the test."""
    started = []

    def start(decide) -> Proxy:
        proxy = Proxy(oxigraph_server.base, decide)
        # A short poll interval: shutdown() waits for it.
        thread = threading.Thread(target=proxy.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        started.append((proxy, thread))
        return proxy

    yield start
    for proxy, thread in started:
        proxy.shutdown()
        proxy.server_close()
        thread.join(timeout=5)


# --- loading ---------------------------------------------------------------------------------

def test_load_replaces_each_graph_and_reports_counts(oxigraph_server, tmp_path):
    build = write_build(tmp_path / "build")
    result = run_load("--preset", "oxigraph", "--endpoint", oxigraph_server.base, "--build", str(build))
    assert result.exit_code == 0, result.output
    store = dump(oxigraph_server.base)
    # The empty inferred graph leaves nothing behind; the others hold exactly the files.
    assert sorted(store) == [G + "article/test", G + "background", G + "ontology"]
    assert isomorphic(store[G + "ontology"], expected_graph(ONTOLOGY_V1))
    assert isomorphic(store[G + "article/test"], expected_graph(ARTICLE_V1))
    assert f"{G}article/test" in result.stdout and " 40 " in result.stdout
    # Into a store that has none of the graphs: straight into them, three requests.
    assert "by dataset-fresh" in result.stdout and "3 requests" in result.stdout and "counts match" in result.stdout
    again = run_load("--preset", "oxigraph", "--endpoint", oxigraph_server.base, "--build", str(build))
    # They exist and nothing changed: the same search and one read, whose answer gives the counts;
    # no update, no count asked for.
    assert "by dataset-difference" in again.stdout and "2 requests" in again.stdout, again.output
    assert "changed 0 quad(s) and replaced 0 graph(s)" in again.stdout and "counts match" in again.stdout
    assert dump(oxigraph_server.base).keys() == store.keys()


def test_loading_twice_leaves_the_store_as_loading_once(oxigraph_server, tmp_path):
    build = write_build(tmp_path / "build")
    args = ("--preset", "oxigraph", "--endpoint", oxigraph_server.base, "--build", str(build))
    assert run_load(*args).exit_code == 0
    once = dump(oxigraph_server.base)
    assert run_load(*args).exit_code == 0
    assert_same_store(once, dump(oxigraph_server.base))


def test_unrelated_graphs_survive_untouched(oxigraph_server, tmp_path):
    sparql_update(oxigraph_server, f'INSERT DATA {{ GRAPH <{THEIRS}> {{ <{R}x> {LABEL} "theirs" }} '
                                   f'<{R}y> {LABEL} "default graph" }}')
    before = dump(oxigraph_server.base)[THEIRS]
    build = write_build(tmp_path / "build")
    for preset_args in (["--preset", "oxigraph"], ["--update-endpoint", oxigraph_server.update_url]):
        endpoint = oxigraph_server.base if preset_args[0] == "--preset" else oxigraph_server.query_url
        result = run_load(*preset_args, "--endpoint", endpoint, "--build", str(build))
        assert result.exit_code == 0, result.output
    after = dump(oxigraph_server.base)
    assert isomorphic(after[THEIRS], before)
    with urllib.request.urlopen(oxigraph_server.base + "/store?default", timeout=10) as answer:
        assert b"default graph" in answer.read()


def test_update_fallback_batches_keep_blank_nodes_and_replace_stale_triples(oxigraph_server, tmp_path):
    sparql_update(oxigraph_server, f'INSERT DATA {{ GRAPH <{G}article/test> {{ <{R}stale> {LABEL} "old" }} }}')
    build = write_build(tmp_path / "build")
    result = run_load("--endpoint", oxigraph_server.query_url, "--update-endpoint", oxigraph_server.update_url,
                      "--batch-size", "1024", "--build", str(build))
    assert result.exit_code == 0, result.output
    assert "update-staged" in result.stdout
    store = dump(oxigraph_server.base)
    assert isomorphic(store[G + "ontology"], expected_graph(ONTOLOGY_V1))  # the list is still one list
    assert isomorphic(store[G + "article/test"], expected_graph(ARTICLE_V1))  # stale triple gone


def test_update_fallback_never_sends_more_than_the_batch_size(oxigraph_server, proxy_to, tmp_path):
    proxy = proxy_to(lambda handler, body: None)
    build = write_build(tmp_path / "build")
    result = run_load("--endpoint", proxy.base + "/query", "--update-endpoint", proxy.base + "/update",
                      "--batch-size", "2048", "--build", str(build))
    assert result.exit_code == 0, result.output
    inserts = [body for method, path, _, body in proxy.seen if body.startswith(b"INSERT DATA")]
    assert len(inserts) > 1 and all(len(body) <= 2048 for body in inserts)


def test_selected_graphs_and_graph_prefix(oxigraph_server, tmp_path):
    build = write_build(tmp_path / "build", inferred=f'<{R}ISI> <{RDF}type> <{R}Agency> .\n')
    prefix = "http://example.org/kg/"
    result = run_load("--preset", "oxigraph", "--endpoint", oxigraph_server.base, "--build", str(build),
                      "--graphs", "ontology,inferred,background", "--no-inferred", "--graph-prefix", prefix)
    assert result.exit_code == 0, result.output
    assert sorted(dump(oxigraph_server.base)) == [prefix + "background", prefix + "ontology"]


def test_direct_puts_over_each_graph_without_update_requests(oxigraph_server, proxy_to, tmp_path):
    sparql_update(oxigraph_server, f'INSERT DATA {{ GRAPH <{G}background> {{ <{R}stale> {LABEL} "old" }} }}')
    proxy = proxy_to(lambda handler, body: None)
    build = write_build(tmp_path / "build")
    result = run_load("--endpoint", proxy.base + "/query", "--graph-store", proxy.base + "/store",
                      "--direct", "--build", str(build))
    assert result.exit_code == 0, result.output
    assert "gsp-direct" in result.stdout
    assert {(method, path.split("?")[0]) for method, path, *_ in proxy.seen} == {("PUT", "/store"), ("POST", "/query")}
    assert isomorphic(dump(oxigraph_server.base)[G + "background"], expected_graph(BACKGROUND_V1))


def write_many_graphs_build(folder: Path, graphs: int, per_graph: int = 3) -> Path:
    """A build with one graph per claim (as the corpus builds have), manifest and dataset.nq."""
    (folder / "graphs").mkdir(parents=True)
    entries, quads = [], []
    for i in range(graphs):
        iri, name = f"{G}article/c{i:05d}", f"article-c{i:05d}"
        lines = [f'<{R}c{i}> {LABEL} "claim {i}, line {j}" .' for j in range(per_graph)]
        (folder / "graphs" / f"{name}.nt").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        entries.append({"iri": iri, "role": "article", "file": f"graphs/{name}.nt", "triples": per_graph})
        quads += [f"{line[:-1].rstrip()} <{iri}> .\n" for line in lines]
    (folder / "dataset.nq").write_text("".join(quads), encoding="utf-8")
    (folder / "manifest.json").write_text(json.dumps({"format": 1, "graphs": entries}), encoding="utf-8")
    return folder


@pytest.mark.parametrize("direct", [False, True], ids=["staged", "direct"])
def test_a_load_makes_the_same_requests_whatever_the_number_of_graphs(oxigraph_server, proxy_to, tmp_path, direct):
    # Counted by a real HTTP proxy in front of the real store, not by a mocked transport.
    proxy = proxy_to(lambda handler, body: None)
    requests = {}
    for graphs in (2, 40, 400):
        build = write_many_graphs_build(tmp_path / f"build-{graphs}", graphs)
        prefix = f"http://example.org/{graphs}/"  # each size first loads into graphs that do not exist
        for load in ("first", "again"):
            first = len(proxy.seen)
            result = run_load("--preset", "oxigraph", "--endpoint", proxy.base, "--build", str(build),
                              "--graph-prefix", prefix, *(["--direct"] if direct else ["--staged"]))
            assert result.exit_code == 0, result.output
            requests[graphs, load] = [(method, path.split("?")[0]) for method, path, *_ in proxy.seen[first:]]
            assert f"{len(requests[graphs, load])} requests" in result.stdout
            store = dump(oxigraph_server.base)
            loaded = sorted(g for g in store if g.startswith(prefix + "article/c"))
            assert loaded == [f"{prefix}article/c{i:05d}" for i in range(graphs)]
            assert not [g for g in store if g.startswith("urn:newskg:staging:")]
    for load in ("first", "again"):
        assert requests[2, load] == requests[40, load] == requests[400, load]
    if direct:  # drop the targets, the body, one count
        assert requests[400, "first"] == requests[400, "again"] == [("POST", "/update"), ("POST", "/store"),
                                                                    ("POST", "/query")]
    else:
        # None of the graphs exists: search for leftovers and existing graphs, the body, one count.
        assert requests[400, "first"] == [("POST", "/query"), ("POST", "/store"), ("POST", "/query")]
        # They exist: the same search, the body into staging, one staging count, the swap, one count.
        assert requests[400, "again"] == [("POST", "/query"), ("POST", "/store"), ("POST", "/query"),
                                          ("POST", "/update"), ("POST", "/query")]


def _decoded(body: bytes) -> str:
    return urllib.parse.unquote_plus(body.decode("utf-8", "replace"))


#: Each step of a dataset load, and how the proxy makes it fail.
STEP_FAULTS = {
    "before the body": lambda handler, body: (500, "leftover search failed") if "SELECT DISTINCT ?g" in _decoded(body)
    else None,
    "the body refused": lambda handler, body: (500, "no space left") if handler.path.startswith("/store") else None,
    "during the body": lambda handler, body: HALF_THEN_DROP if handler.path.startswith("/store") else None,
    "before the swap": lambda handler, body: (500, "count failed") if "urn:newskg:staging:" in _decoded(body)
    and "COUNT(*)" in _decoded(body) else None,
    "the swap": lambda handler, body: (500, "swap failed") if is_swap(body) else None,
}


@pytest.mark.parametrize("step", sorted(STEP_FAULTS))
def test_a_failure_at_each_step_of_a_dataset_load_leaves_the_store_as_it_was(oxigraph_server, proxy_to, tmp_path,
                                                                             step):
    sparql_update(oxigraph_server, f'INSERT DATA {{ GRAPH <{THEIRS}> {{ <{R}x> {LABEL} "theirs" }} }}')
    v1 = write_build(tmp_path / "v1")
    assert run_load("--preset", "oxigraph", "--endpoint", oxigraph_server.base, "--build", str(v1)).exit_code == 0
    before = dump(oxigraph_server.base)
    proxy = proxy_to(STEP_FAULTS[step])
    v2 = write_build(tmp_path / "v2", article=ARTICLE_V2, background=BACKGROUND_V2)
    result = run_load("--preset", "oxigraph", "--endpoint", proxy.base, "--retries", "0", "--build", str(v2),
                      "--staged")
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert ("nothing was replaced" in result.stderr) == (step != "the swap")
    if step == "during the body":
        assert "lost the connection" in result.stderr and "is not sent again" in result.stderr
    assert "may remain" not in result.stderr  # our staging graphs were dropped
    assert_same_store(before, dump(oxigraph_server.base))
    assert _requests_seen(proxy, "POST", b"<") <= 1  # the body is never sent twice


def test_a_damaged_dataset_stops_the_body_before_its_end(oxigraph_server, tmp_path, monkeypatch):
    from newskg.store import quadstream

    v1 = write_build(tmp_path / "v1")
    assert run_load("--preset", "oxigraph", "--endpoint", oxigraph_server.base, "--build", str(v1)).exit_code == 0
    before = dump(oxigraph_server.base)
    v2 = write_build(tmp_path / "v2", article=ARTICLE_V2, background=BACKGROUND_V2)
    lines = (v2 / "dataset.nq").read_text(encoding="utf-8").splitlines(keepends=True)
    lines[30] = lines[30].replace(f" <{G}article/test> .", " .")  # a triple with no graph
    (v2 / "dataset.nq").write_text("".join(lines), encoding="utf-8")
    monkeypatch.setattr(quadstream, "BLOCK", 256)  # so that blocks were sent before the bad line
    result = run_load("--preset", "oxigraph", "--endpoint", oxigraph_server.base, "--build", str(v2), "--staged")
    assert result.exit_code == 1 and "line 31: not a quad in a named graph" in result.stderr
    assert "nothing was replaced" in result.stderr
    assert_same_store(before, dump(oxigraph_server.base))


def test_the_body_is_the_dataset_with_each_graph_renamed(tmp_path):
    from newskg.store.quadstream import RenamedQuads

    build = Build(write_build(tmp_path / "build", inferred=f"<{R}ISI> <{RDF}type> <{R}Agency> .\n"))
    original = build.nquads_path.read_text(encoding="utf-8").splitlines(keepends=True)
    every = {g.iri: "urn:staging:" + g.iri for g in build.graphs()}
    counts = {g.iri: g.triples for g in build.graphs()}
    chosen = {G + "ontology": "http://example.org/kg/ontology", G + "inferred": G + "ontology"}
    for renames, whole in ((every, True), (chosen, False)):
        body = RenamedQuads(build.nquads_path, renames, {iri: counts[iri] for iri in renames}, whole)
        with body.open() as stream:
            sent = b""
            while block := stream.read(1000):
                sent += block
        expected = [line.replace(f"<{old}> .", f"<{new}> .") for line in original for old, new in renames.items()
                    if line.endswith(f" <{old}> .\n")]
        assert sent.decode("utf-8").splitlines(keepends=True) == expected
        assert body.size == len(sent)  # the Content-Length sent ahead is the body's length


# --- failure safety --------------------------------------------------------------------------

def _fail_when(predicate):
    def decide(handler, body):
        return (500, "simulated store failure\nsecond line") if predicate(handler, body) else None
    return decide


@pytest.mark.parametrize("mode", ["dataset", "gsp", "update"])
@pytest.mark.parametrize("failing", ["background-data", "swap", "third-request-only"])
def test_a_store_failing_mid_load_keeps_our_previous_graphs(oxigraph_server, proxy_to, tmp_path, mode, failing):
    sparql_update(oxigraph_server, f'INSERT DATA {{ GRAPH <{THEIRS}> {{ <{R}x> {LABEL} "theirs" }} }}')
    v1 = write_build(tmp_path / "v1")
    assert run_load("--preset", "oxigraph", "--endpoint", oxigraph_server.base, "--build", str(v1)).exit_code == 0
    before = dump(oxigraph_server.base)

    counter = {"n": 0}

    def predicate(handler, body):
        counter["n"] += 1
        if failing == "third-request-only":
            return counter["n"] == 3
        if failing == "swap":
            return is_swap(body)
        staged_background = "background" in urllib.parse.unquote(handler.path) and handler.command == "PUT"
        dataset_body = handler.command == "POST" and handler.path.startswith("/store")
        return staged_background or dataset_body or (body.startswith(b"INSERT DATA") and b"graph/background>" in body)

    proxy = proxy_to(_fail_when(predicate))
    v2 = write_build(tmp_path / "v2", article=ARTICLE_V2, background=BACKGROUND_V2)
    if mode == "dataset":
        args = ["--preset", "oxigraph", "--endpoint", proxy.base, "--staged"]
    elif mode == "gsp":
        args = ["--endpoint", proxy.base + "/query", "--update-endpoint", proxy.base + "/update",
                "--graph-store", proxy.base + "/store"]
    else:
        args = ["--endpoint", proxy.base + "/query", "--update-endpoint", proxy.base + "/update"]
    result = run_load(*args, "--retries", "0", "--build", str(v2))

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "500" in result.stderr and "simulated store failure" in result.stderr
    if failing == "background-data" and mode != "dataset":  # the dataset body holds every graph
        assert f"<{G}background>" in result.stderr
    if failing != "swap":
        assert "nothing was replaced" in result.stderr
    # Our graphs are exactly as v1 left them, theirs untouched, and no staging graph is left.
    assert_same_store(before, dump(oxigraph_server.base))


def test_a_store_that_stays_down_keeps_our_graphs_and_names_leftover_staging(
        oxigraph_server, proxy_to, tmp_path):
    v1 = write_build(tmp_path / "v1")
    assert run_load("--preset", "oxigraph", "--endpoint", oxigraph_server.base, "--build", str(v1)).exit_code == 0
    before = dump(oxigraph_server.base)
    counter = {"n": 0}

    def down_from_the_third_request(handler, body):
        counter["n"] += 1
        return (500, "disk full") if counter["n"] >= 3 else None

    proxy = proxy_to(down_from_the_third_request)
    v2 = write_build(tmp_path / "v2", article=ARTICLE_V2, background=BACKGROUND_V2)
    result = run_load("--preset", "oxigraph", "--endpoint", proxy.base, "--retries", "0", "--build", str(v2),
                      "--staged")
    assert result.exit_code == 1 and "disk full" in result.stderr
    assert "could not drop our staging graphs; these may remain: <urn:newskg:staging:" in result.stderr
    after = dump(oxigraph_server.base)
    # Only staging graphs of ours were added (the body filled one per non-empty graph; they could
    # not be dropped), each named in the message; every other graph is as before.
    extra = sorted(set(after) - set(before))
    assert len(extra) == 3 and all(g.startswith("urn:newskg:staging:") and f"<{g}>" in result.stderr for g in extra)
    assert_same_store(before, {name: graph for name, graph in after.items() if name in before})


def _load_through(proxy: Proxy, build: Path, sleeps: list[float], retries: int = 3, timeout: float = 5.0,
                  direct: bool = False, per_graph: bool = False, staged: bool = True):
    """load_graphs through the proxy with the oxigraph preset (``per_graph``: its GSP and update
    URLs given one by one, so no dataset URL; ``staged``: a reload stages and swaps, as with
    --staged); retry waits are recorded, not slept."""
    transport = HttpTransport(timeout=timeout, retries=retries, login=Login(environ=NO_CREDENTIALS),
                              sleep=sleeps.append)
    endpoints = replace(resolve_endpoints(proxy.base, "oxigraph"), client_difference=not staged)
    if per_graph:
        endpoints = resolve_endpoints(proxy.base + "/query", update_endpoint=proxy.base + "/update",
                                      graph_store=proxy.base + "/store")
    with transport:
        return load_graphs(Build(build).graphs(), endpoints, transport, direct=direct, build=Build(build))


def _requests_seen(proxy: Proxy, method: str, body_start: bytes = b"") -> int:
    return sum(1 for seen_method, _, _, body in proxy.seen
               if seen_method == method and body.startswith(body_start))


def test_retries_through_two_server_errors(oxigraph_server, proxy_to, tmp_path):
    counter = {"n": 0}

    def decide(handler, body):
        counter["n"] += 1
        return (503, "warming up") if counter["n"] <= 2 else None

    proxy = proxy_to(decide)
    sleeps: list[float] = []
    report = _load_through(proxy, write_build(tmp_path / "build"), sleeps, retries=2)
    assert report.method == "dataset-fresh" and sleeps == [0.5, 1.0]  # exponential backoff
    assert isomorphic(dump(oxigraph_server.base)[G + "ontology"], expected_graph(ONTOLOGY_V1))


def test_staging_puts_and_counts_are_repeated_after_a_lost_answer(oxigraph_server, proxy_to, tmp_path):
    lost = {"PUT": 0, "POST": 0}

    def lose_the_first_answer_of_each(handler, body):
        if handler.command in lost and not is_swap(body) and lost[handler.command] == 0:
            lost[handler.command] += 1
            return FORWARD_THEN_DROP
        return None

    proxy = proxy_to(lose_the_first_answer_of_each)
    sleeps: list[float] = []
    _load_through(proxy, write_build(tmp_path / "build"), sleeps, per_graph=True)
    assert sleeps == [0.5, 0.5]
    assert isomorphic(dump(oxigraph_server.base)[G + "article/test"], expected_graph(ARTICLE_V1))


def test_a_swap_answered_with_an_error_is_not_repeated(oxigraph_server, proxy_to, tmp_path):
    v1 = write_build(tmp_path / "v1")
    assert run_load("--preset", "oxigraph", "--endpoint", oxigraph_server.base, "--build", str(v1)).exit_code == 0
    before = dump(oxigraph_server.base)
    proxy = proxy_to(lambda handler, body: (500, "swap failed") if is_swap(body) else None)
    with pytest.raises(LoadError, match="500"):
        _load_through(proxy, write_build(tmp_path / "v2", article=ARTICLE_V2), [], retries=3)
    assert sum(1 for _, _, _, body in proxy.seen if is_swap(body)) == 1
    assert_same_store(before, dump(oxigraph_server.base))  # staging graphs dropped, nothing swapped in


def is_difference(body: bytes) -> bool:
    """The reload by difference's one update."""
    return body.startswith((b"DROP SILENT GRAPH", b"DELETE DATA", b"INSERT DATA"))


@pytest.mark.parametrize("way", ["staged", "difference"])
@pytest.mark.parametrize("fault", [FORWARD_THEN_DROP, STALL])
def test_a_swap_whose_answer_is_lost_is_not_repeated_and_says_so(oxigraph_server, proxy_to, tmp_path, fault, way):
    assert run_load("--preset", "oxigraph", "--endpoint", oxigraph_server.base, "--build",
                    str(write_build(tmp_path / "v1"))).exit_code == 0  # so that the next load is a reload
    writes = is_swap if way == "staged" else is_difference
    proxy = proxy_to(lambda handler, body: fault if writes(body) else None)
    build = write_build(tmp_path / "build", article=ARTICLE_V2)
    # As long as the stall allows (it lasts 2 s), so the requests before the swap do not time out
    # on a busy machine; a dropped answer needs no timeout at all.
    timeout = "1.5" if fault == STALL else "5"
    result = run_load("--preset", "oxigraph", "--endpoint", proxy.base, "--timeout", timeout, "--retries", "3",
                      "--build", str(build), *(["--staged"] if way == "staged" else []))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert ("the load may or may not have completed; run `newskg load` again (it is idempotent)"
            in result.stderr)
    assert ("timed out" if fault == STALL else "lost the connection") in result.stderr
    assert sum(1 for _, _, _, body in proxy.seen if writes(body)) == 1
    # Loading again repairs whatever the lost swap left.
    again = run_load("--preset", "oxigraph", "--endpoint", oxigraph_server.base, "--build", str(build))
    assert again.exit_code == 0, again.output
    assert isomorphic(dump(oxigraph_server.base)[G + "article/test"], expected_graph(ARTICLE_V2))
    assert not [g for g in dump(oxigraph_server.base) if g.startswith("urn:newskg:staging:")]


@pytest.mark.parametrize("per_graph", [False, True], ids=["dataset body", "gsp put"])
def test_a_direct_write_whose_answer_is_lost_is_not_repeated(oxigraph_server, proxy_to, tmp_path, per_graph):
    def lose(handler, body):
        writes = handler.command == "PUT" or (handler.command == "POST" and handler.path.startswith("/store"))
        return FORWARD_THEN_DROP if writes else None

    proxy = proxy_to(lose)
    with pytest.raises(LoadError, match="may or may not have completed") as raised:
        _load_through(proxy, write_build(tmp_path / "build"), [], direct=True, per_graph=per_graph)
    assert _requests_seen(proxy, "PUT") + _requests_seen(proxy, "POST", b"<") == 1
    if not per_graph:
        assert "may now be empty or partly loaded; run `newskg load` again" in str(raised.value)


def test_retries_reconnect_after_connection_errors(oxigraph_server, tmp_path):
    # A port that refuses twice, then is taken over by a forwarding proxy.
    sleeps: list[float] = []
    proxy_holder: dict = {}
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 2:
            proxy = Proxy(oxigraph_server.base, lambda handler, body: None, port=port)
            proxy_holder["proxy"] = proxy
            threading.Thread(target=proxy.serve_forever, daemon=True).start()

    transport = HttpTransport(timeout=5, retries=3, backoff=0.01, sleep=sleep)
    try:
        answer = transport.send(HttpRequest("GET", f"http://127.0.0.1:{port}/query?query=ASK%7B%7D"))
    finally:
        if "proxy" in proxy_holder:
            proxy_holder["proxy"].shutdown()
            proxy_holder["proxy"].server_close()
    assert answer.status == 200 and b"boolean" in answer.body
    assert sleeps == [0.01, 0.02]  # exponential backoff


def test_unreachable_endpoint_is_a_clear_error(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    build = write_build(tmp_path / "build")
    result = run_load("--preset", "oxigraph", "--endpoint", f"http://127.0.0.1:{port}",
                      "--retries", "0", "--build", str(build))
    assert result.exit_code == 1
    assert "cannot reach" in result.stderr and f"127.0.0.1:{port}" in result.stderr
    assert "connection refused" in result.stderr
    assert "Traceback" not in result.output


def test_missing_or_corrupt_manifest(tmp_path):
    with pytest.raises(BuildMissingError):
        Build(tmp_path / "nothing").graphs()
    build = write_build(tmp_path / "build")
    (build / "manifest.json").write_text('{"graphs": [{"iri": "x"', encoding="utf-8")
    with pytest.raises(BuildMissingError, match="corrupt"):
        Build(build).graphs()
    result = run_load("--endpoint", "http://127.0.0.1:9/sparql", "--build", str(tmp_path / "nothing"))
    assert result.exit_code == 1 and "newskg build" in result.stderr


def test_unknown_graph_name_is_a_usage_error(tmp_path):
    graphs = Build(write_build(tmp_path / "build")).graphs()
    assert [g.name for g in select_graphs(graphs, ["article"])] == ["article-test"]
    with pytest.raises(UsageError, match="known: ontology"):
        select_graphs(graphs, ["ontolgy"])


# --- dry run and auth ------------------------------------------------------------------------

def test_dry_run_sends_nothing_and_shows_the_requests(oxigraph_server, tmp_path):
    build = write_build(tmp_path / "build")
    result = run_load("--preset", "oxigraph", "--endpoint", oxigraph_server.base, "--build", str(build),
                      "--dry-run", env={"NEWSKG_USER": "analyst", "NEWSKG_PASSWORD": PASSWORD})
    assert result.exit_code == 0, result.output
    assert dump(oxigraph_server.base) == {}
    assert f"POST {oxigraph_server.store_url}?no_transaction=: POST 4 graph(s) of dataset.nq into their " \
        "staging graphs" in result.stdout
    assert "48 triples" in result.stdout
    assert f"POST {oxigraph_server.update_url}: swap staging graphs into place" in result.stdout
    assert "'analyst'" in result.stdout and PASSWORD not in result.output


@pytest.mark.parametrize("option", ["--endpoint", "--query-endpoint", "--update-endpoint", "--graph-store"])
def test_password_in_any_url_is_refused_by_every_command(tmp_path, option):
    build = write_build(tmp_path / "build")
    url = f"http://analyst:{PASSWORD}@127.0.0.1:9/sparql"
    base = [] if option == "--endpoint" else ["--endpoint", "http://127.0.0.1:9/sparql"]
    loaded = run_load(*base, option, url, "--build", str(build))
    queried = CliRunner().invoke(main, ["--project", str(tmp_path), "query", "run", "x", option, url])
    for result in (loaded, queried):
        assert result.exit_code == 2 and "credentials in the URL" in result.output
        assert PASSWORD not in result.output


def test_credentials_lookup(tmp_path):
    netrc_file = tmp_path / "netrc"
    netrc_file.write_text("machine store.example login kim password hunter22\n", encoding="utf-8")
    netrc_file.chmod(0o600)
    env = {"NETRC": str(netrc_file)}
    found = find_credentials("https://store.example/sparql", env)
    assert found == Credentials("kim", "hunter22", found.source)
    assert "hunter22" not in repr(found)
    assert find_credentials("https://other.example/sparql", env) is None
    from_env = find_credentials("https://store.example/", {**env, "NEWSKG_USER": "a", "NEWSKG_PASSWORD": "b"})
    assert (from_env.user, from_env.password) == ("a", "b")
    with pytest.raises(UsageError, match="NEWSKG_PASSWORD"):
        find_credentials("https://store.example/", {"NEWSKG_USER": "a"})


def test_each_host_gets_only_its_own_credentials(tmp_path):
    netrc_file = tmp_path / "netrc"
    netrc_file.write_text("machine gsp.example login kim password hunter22\n", encoding="utf-8")
    env = {"NETRC": str(netrc_file), "NEWSKG_USER": "a", "NEWSKG_PASSWORD": "b"}
    endpoints = resolve_endpoints("https://store.example/sparql", graph_store="https://gsp.example/data",
                                  update_endpoint="https://elsewhere.example/update")
    login = Login.for_endpoints(endpoints, env)
    assert login.credentials(endpoints.query).user == "a"  # the environment's are the store's
    assert login.credentials(endpoints.graph_store).user == "kim"  # another host: its netrc entry
    assert login.credentials(endpoints.update) is None  # neither: nothing is sent there
    assert all("hunter22" not in line and "'b'" not in line for line in login.describe(endpoints.urls()))


def test_the_scheme_answers_the_challenge_as_the_preset_allows():
    both = 'Digest realm="kg", nonce="n1", qop="auth", algorithm=MD5, Basic realm="kg basic"'
    assert offered_schemes(both) == {"digest": "kg", "basic": "kg basic"}
    assert choose_scheme("any", both) == "digest"
    assert choose_scheme("any", 'Basic realm="x"') == "basic"
    assert choose_scheme("digest", 'Basic realm="x"') is None  # never the password in clear
    assert choose_scheme("basic", None) == "basic"
    assert choose_scheme("any", 'Bearer realm="x"') is None


def test_presets_follow_each_stores_url_pattern():
    assert resolve_endpoints("http://h:3030/ds", preset="fuseki").graph_store == "http://h:3030/ds/data"
    assert resolve_endpoints("http://h:3030/ds/sparql", preset="fuseki").update == "http://h:3030/ds/update"
    graphdb = resolve_endpoints("http://h:7200/repositories/news", preset="graphdb")
    assert graphdb.update == "http://h:7200/repositories/news/statements"
    assert graphdb.graph_store == "http://h:7200/repositories/news/rdf-graphs/service"
    assert graphdb.auth_scheme == "basic"
    virtuoso = resolve_endpoints("http://h:8890/sparql", preset="virtuoso")
    assert virtuoso.graph_store == "http://h:8890/sparql-graph-crud-auth" and virtuoso.auth_scheme == "digest"
    oxigraph = resolve_endpoints("http://h:7878/query", preset="oxigraph")
    assert (oxigraph.query, oxigraph.update) == ("http://h:7878/query", "http://h:7878/update")
    assert oxigraph.auth_scheme == "any"
    generic = resolve_endpoints("http://h/sparql")
    assert (generic.query, generic.update, generic.graph_store, generic.preset) == (
        "http://h/sparql", "http://h/sparql", None, "generic")
    assert resolve_endpoints("http://h:7878", "oxigraph", query_endpoint="http://q/sparql").query == "http://q/sparql"
    with pytest.raises(UsageError, match="base URL"):
        resolve_endpoints(None, "fuseki", query_endpoint="http://h/ds/sparql")
    with pytest.raises(UsageError, match="unknown preset"):
        resolve_endpoints("http://h/sparql", "blazegraph")


# --- the real project: saved queries answer the same on the store as on the embedded engine ---

@pytest.fixture(scope="module")
def real_build(tmp_path_factory, project_root):
    """The project's own build, written to a tmp folder (never over the shared build/)."""
    from newskg.build import build_project

    return build_project(project_root, build_dir=tmp_path_factory.mktemp("real") / "build").build_dir


def _comparable(result, concatenates: bool = False) -> object:
    """An engine's answer as an order-free value; blank nodes are anonymous across engines.

    SPARQL leaves the order inside GROUP_CONCAT unspecified, so for queries using it
    the words of each literal are compared as a sorted list.
    """
    from newskg.query.engines import AskResult, SelectResult, Term

    def norm(term: Term) -> Term:
        if term.kind == "bnode":
            return Term("bnode", "_")
        if concatenates and term.kind == "literal":
            return Term(term.kind, " ".join(sorted(term.value.split())), term.datatype, term.lang)
        return term

    if isinstance(result, AskResult):
        return result.value
    if isinstance(result, SelectResult):
        return sorted(repr(sorted((k, norm(v)) for k, v in row.items())) for row in result.rows)
    return sorted(repr(tuple(norm(t) for t in triple)) for triple in result.triples)


def test_saved_queries_answer_the_same_on_the_loaded_store(real_build, project_root, oxigraph_server):
    from newskg.query.catalog import list_saved_queries, prepare_query_text
    from newskg.query.engines import EmbeddedEngine
    from newskg.store.sparql import EndpointEngine

    result = run_load("--preset", "oxigraph", "--endpoint", oxigraph_server.base, "--build", str(real_build))
    assert result.exit_code == 0, result.output
    embedded = EmbeddedEngine(real_build)
    remote = EndpointEngine(oxigraph_server.query_url, Build(real_build).graph_iris())
    compared = 0
    for query in list_saved_queries(project_root / "queries"):
        if any(spec.required for spec in query.params) or query.form not in ("SELECT", "ASK", "CONSTRUCT"):
            continue
        text = prepare_query_text(query, {})
        graphs = query.default_graphs(Build(real_build), "assessed")
        local = embedded.query(text, query.form, graphs)
        on_store = remote.query(text, query.form, graphs)
        concatenates = "GROUP_CONCAT" in text.upper()
        assert _comparable(on_store, concatenates) == _comparable(local, concatenates), query.name
        compared += 1
    assert compared >= 5


def test_update_fallback_and_gsp_load_the_real_build_identically(real_build, oxigraph_server):
    # Compared store to store: Oxigraph itself stores derived integer types
    # (xsd:nonNegativeInteger) as xsd:integer, whichever way they arrive.
    gsp = run_load("--preset", "oxigraph", "--endpoint", oxigraph_server.base, "--build", str(real_build))
    assert gsp.exit_code == 0, gsp.output
    by_gsp = dump(oxigraph_server.base)
    update = run_load("--endpoint", oxigraph_server.query_url, "--update-endpoint", oxigraph_server.update_url,
                      "--batch-size", "16384", "--build", str(real_build))
    assert update.exit_code == 0, update.output
    assert_same_store(by_gsp, dump(oxigraph_server.base))
    assert sorted(by_gsp) == sorted(g.iri for g in Build(real_build).graphs() if g.triples)

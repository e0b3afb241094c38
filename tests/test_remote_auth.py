"""Basic and Digest auth against a server whose auth code is not ours.

Twisted's guard (tests/auth_proxy.py) in front of a real `oxigraph serve`: `newskg load`
and `newskg query run --endpoint` log in through it with the same options and
credentials, each host gets only its own credentials, and no password is ever printed.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib.compare import isomorphic

from auth_proxy import start_auth_proxy, stop_auth_proxy
from newskg.cli import main
from test_load import ARTICLE_V1, G, dump, expected_graph, write_build

USER = "analyst"
# ASCII: urllib's Digest, which SPARQLWrapper sends through, hashes only ASCII.
PASSWORD = "s3cret-Never-Shown"
NKG = "https://w3id.org/newskg/ontology#"

# One query whose `#+` header made SPARQLWrapper guess DESCRIBE (it strips only every
# other comment line, and "describe" is the first query word it then finds).
QUERIES = {
    "claim-labels.rq": """#+ title: Claim labels
#+ description: Each claim as described by its label;
#+ description: we describe every claim by its label,
#+ description: as described in the source.
SELECT ?claim ?label WHERE { ?claim rdfs:label ?label } ORDER BY ?claim
""",
    "any-claim.rq": """#+ title: Is there a claim?
ASK { ?claim rdfs:label ?label }
""",
}


@pytest.fixture(scope="module")
def store(shared_oxigraph_server):
    """The session's Oxigraph; every test here loads what it then reads (load replaces graphs whole)."""
    return shared_oxigraph_server


@pytest.fixture(scope="module")
def proxies(store):
    """Twisted's guard in front of the store, one with Digest and one with Basic auth."""
    port = int(store.base.rsplit(":", 1)[1])
    started = {}
    try:
        for scheme in ("digest", "basic"):
            started[scheme] = start_auth_proxy(port, scheme, USER, PASSWORD)
        yield started
    finally:
        for proxy in started.values():
            stop_auth_proxy(proxy.process)


@pytest.fixture(params=["digest", "basic"])
def proxy(request, proxies):
    return proxies[request.param]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A project with saved queries and a build (graph files, manifest, dataset.nq)."""
    root = tmp_path_factory.mktemp("project")
    (root / "queries").mkdir()
    for name, text in QUERIES.items():
        (root / "queries" / name).write_text(text, encoding="utf-8")
    build = write_build(root / "build")
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    quads = []
    for graph in manifest["graphs"]:
        for line in (build / graph["file"]).read_text(encoding="utf-8").splitlines():
            if line.strip():
                quads.append(f"{line.rstrip().removesuffix('.').rstrip()} <{graph['iri']}> .")
    (build / "dataset.nq").write_text("\n".join(quads) + "\n", encoding="utf-8")
    return root


def newskg(project: Path, *args: str, env: dict | None = None, password: str | None = PASSWORD):
    """Run the CLI with credentials only from ``env`` (and the password, unless None)."""
    base_env = {"NEWSKG_USER": USER if password else None, "NEWSKG_PASSWORD": password,
                "NETRC": "/nonexistent/netrc", "NEWSKG_ENDPOINT": None, "NEWSKG_PRESET": None}
    return CliRunner().invoke(main, ["--project", str(project), *args], env={**base_env, **(env or {})})


def load_through(proxy, project: Path, **kwargs):
    return newskg(project, "load", "--preset", "oxigraph", "--endpoint", proxy.base, **kwargs)


def test_load_logs_in_through_the_proxy(proxy, project, store):
    result = load_through(proxy, project)
    assert result.exit_code == 0, result.output
    assert "counts match the build" in result.stdout
    assert isomorphic(dump(store.base)[G + "article/test"], expected_graph(ARTICLE_V1))
    assert PASSWORD not in result.output


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_query_run_through_the_proxy_answers_as_the_embedded_engine(proxy, project, store, name):
    assert load_through(proxy, project).exit_code == 0
    local = newskg(project, "query", "run", name, "--format", "json")
    remote = newskg(project, "query", "run", name, "--format", "json",
                    "--endpoint", proxy.base, "--preset", "oxigraph")
    assert local.exit_code == 0 and remote.exit_code == 0, remote.output
    assert json.loads(remote.stdout) == json.loads(local.stdout)
    if name == "claim-labels.rq":
        assert len(json.loads(local.stdout)["results"]["bindings"]) == 42  # 40 claims, a class, an agency


@pytest.mark.parametrize("debug", [[], ["--debug"]])
def test_a_wrong_password_is_a_clear_error_that_never_shows_it(proxy, project, debug):
    wrong = "wrong-" + PASSWORD
    loaded = newskg(project, *debug, "load", "--preset", "oxigraph", "--endpoint", proxy.base, password=wrong)
    queried = newskg(project, *debug, "query", "run", "any-claim", "--endpoint", proxy.base,
                     "--preset", "oxigraph", password=wrong)
    for result in (loaded, queried):
        assert result.exit_code == 1
        shown = result.output + repr(result.exception) + str(getattr(result.exception, "args", ""))
        assert wrong not in shown and PASSWORD not in shown
        if not debug:
            assert "401" in result.stderr and f"user '{USER}'" in result.stderr and "refused" in result.stderr
            assert "Traceback" not in result.output


def test_no_credentials_says_the_store_asks_for_a_login(proxy, project):
    loaded = newskg(project, "load", "--preset", "oxigraph", "--endpoint", proxy.base, password=None)
    queried = newskg(project, "query", "run", "any-claim", "--endpoint", proxy.base, "--preset", "oxigraph",
                     password=None)
    for result in (loaded, queried):
        assert result.exit_code == 1 and "asks for a login" in result.stderr, result.output


def test_credentials_go_only_to_their_own_host(proxy, project, tmp_path):
    # The same proxy under another name: the environment's credentials belong to
    # 127.0.0.1 (the store's host), so `localhost` gets only its own netrc entry.
    other_host = proxy.base.replace("127.0.0.1", "localhost")
    args = ["load", "--preset", "oxigraph", "--endpoint", proxy.base, "--graph-store", other_host + "/store"]
    refused = newskg(project, *args)
    assert refused.exit_code == 1 and "asks for a login" in refused.stderr, refused.output
    netrc_file = tmp_path / "netrc"
    netrc_file.write_text(f"machine localhost login {USER} password {PASSWORD}\n", encoding="utf-8")
    netrc_file.chmod(0o600)
    allowed = newskg(project, *args, env={"NETRC": str(netrc_file)})
    assert allowed.exit_code == 0, allowed.output
    assert PASSWORD not in allowed.output


def test_a_digest_only_preset_never_answers_a_basic_challenge(proxies, project):
    # Virtuoso's preset pins Digest; its URLs are behind the same Basic guard.
    args = ["--preset", "virtuoso", "--endpoint", proxies["basic"].base]
    loaded = newskg(project, "load", *args)
    queried = newskg(project, "query", "run", "any-claim", *args)
    for result in (loaded, queried):
        assert result.exit_code == 1
        assert "asks for Basic auth; this preset sends the password only by Digest" in result.stderr


def test_the_store_behind_is_really_guarded(proxy):
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(proxy.base + "/query?query=ASK%7B%7D", timeout=10)
    assert refused.value.code == 401
    assert proxy.scheme in refused.value.headers.get("WWW-Authenticate", "").lower()

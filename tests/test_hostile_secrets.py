"""The password, set in the environment of every run, shows nowhere: not in any command's output
or error, with or without --debug, on success or on any fault; not in a file under build/; and
never in a request to a host it does not belong to (issue 14, item 6)."""

from __future__ import annotations

import base64
import os
import socket
from pathlib import Path

import pytest

from hostile_support import CANARY_PASSWORD, CANARY_USER, FaultServer, leaks_in, newskg, record
from newskg.build import build_project
from test_build import write_project

PREFIX = "https://hostile.example/secrets/"
#: A port in use for the whole module, so `newskg serve` ends at once (exit 1) instead of serving.
_BUSY = socket.socket()
_BUSY.bind(("127.0.0.1", 0))
_BUSY.listen(1)
BUSY_PORT = _BUSY.getsockname()[1]
QUERY = "#+ title: The claims\nSELECT ?claim WHERE { ?claim a nkg:Claim }\n"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = write_project(tmp_path_factory.mktemp("hostile-secrets") / "project")
    (root / "queries").mkdir()
    (root / "queries" / "claims.rq").write_text(QUERY, encoding="utf-8")
    build_project(root)
    return root


def commands(store: str) -> list[tuple[str, ...]]:
    """Every command, as a user would run it against ``store``."""
    return [
        ("build", "--force", "-q"), ("check", "-q"), ("stats",), ("explain", "nkr:ISI", "rdf:type", "nkg:Organisation"),
        ("anchor", "demo", "Inter-Services Intelligence"), ("query", "list"), ("query", "show", "claims"),
        ("query", "run", "claims"), ("query", "run", "claims", "--engine", "rdflib"), ("query", "run-all"),
        ("query", "run", "claims", "--endpoint", store + "/query", "--timeout", "2"),
        ("query", "run", "claims", "--preset", "oxigraph", "--endpoint", store, "--timeout", "2"),
        ("load", "--preset", "oxigraph", "--endpoint", store, "--graph-prefix", PREFIX, "--timeout", "2",
         "--retries", "0"),
        ("load", "--preset", "oxigraph", "--endpoint", store, "--graph-prefix", PREFIX, "--dry-run"),
        ("docs", "--check"), ("diff",), ("describe", "nkg:Claim"), ("report", "-o", os.devnull),
        ("new-report", "Not A Slug", "--title", "x"), ("serve", "--port", str(BUSY_PORT)),
    ]


def assert_never_shown(outcome, case: str, project: Path) -> None:
    leaked = leaks_in(outcome, project / "build")
    traceback = outcome.unhandled is not None or ("Traceback" in outcome.output and "--debug" not in case)
    record("fault" if "fault" in case else "bad-input", f"secrets: {case}", leaked=leaked, hung=outcome.hung,
           traceback=traceback)
    assert not outcome.hung, case
    assert not leaked, f"{case}: the password was shown:\n{outcome.output}"
    assert not traceback, f"{case}:\n{outcome.output}"
    assert outcome.exit_code in (0, 1, 2), f"{case}: {outcome.exit_code}"


@pytest.mark.parametrize("debug", [(), ("--debug",)], ids=["plain", "debug"])
def test_every_command_on_success_never_shows_the_password(project, shared_oxigraph_server, debug):
    for args in commands(shared_oxigraph_server.base):
        outcome = newskg(*debug, *args, project=project)
        assert_never_shown(outcome, f"{' '.join(debug + args)}", project)
        if args[0] in ("build", "stats", "query", "load") and "--endpoint" not in args[:3]:
            assert outcome.exit_code == 0, outcome.output


FAULTS = ("401", "403", "500", "html", "truncated", "malformed", "close", "trickle", "hang", "huge-declared",
          "redirect")


@pytest.mark.parametrize("debug", [(), ("--debug",)], ids=["plain", "debug"])
@pytest.mark.parametrize("fault", FAULTS)
def test_every_fault_never_shows_the_password(project, fault, debug):
    with FaultServer(fault) as server:
        for args in commands(server.base):
            if "--endpoint" not in args:
                continue
            outcome = newskg(*debug, *args, project=project)
            assert_never_shown(outcome, f"fault {fault}: {' '.join(debug + args)}", project)
            if "--dry-run" not in args:
                assert outcome.exit_code == 1, outcome.output


def test_credentials_go_to_no_other_host(project, shared_oxigraph_server):
    # The store is 127.0.0.1 (the environment's credentials are its); the graph store and a
    # redirect's target are `localhost`, another host as far as credentials go.
    with FaultServer("ok", host="localhost") as other, FaultServer("redirect") as redirecting:
        redirecting.extra["location"] = other.base + "/query"
        runs = [
            newskg("load", "--preset", "oxigraph", "--endpoint", shared_oxigraph_server.base,
                   "--graph-store", other.base + "/store", "--graph-prefix", PREFIX, "--retries", "0",
                   project=project),
            newskg("query", "run", "claims", "--endpoint", redirecting.base + "/query", project=project),
            newskg("load", "--endpoint", redirecting.base + "/sparql", "--graph-prefix", PREFIX, "--retries", "0",
                   project=project),
        ]
        seen_elsewhere = list(other.seen)
        seen_at_store = list(redirecting.seen)
    for outcome in runs:
        assert_never_shown(outcome, "credentials to another host", project)
        assert outcome.exit_code == 1  # the other host is no store; a redirect is refused
    assert seen_elsewhere, "the graph store on the other host was asked"
    for request in seen_elsewhere:
        assert "Authorization" not in request.headers, request
    secret = base64.b64encode(f"{CANARY_USER}:{CANARY_PASSWORD}".encode()).decode()
    assert all(secret not in str(r.headers) and CANARY_PASSWORD.encode() not in r.body
               for r in seen_elsewhere + seen_at_store)
    record("fault", "secrets: requests to another host", leaked=bool([r for r in seen_elsewhere
                                                                      if "Authorization" in r.headers]))


def test_a_password_in_any_url_or_variable_is_refused_unshown(project):
    url = f"http://{CANARY_USER}:{CANARY_PASSWORD}@127.0.0.1:9/sparql"
    runs = []
    for option in ("--endpoint", "--query-endpoint", "--update-endpoint", "--graph-store"):
        base = () if option == "--endpoint" else ("--endpoint", "http://127.0.0.1:9/sparql")
        runs += [("plain", newskg("load", *base, option, url, project=project)),
                 ("plain", newskg("query", "run", "claims", *base, option, url, project=project)),
                 ("--debug", newskg("--debug", "load", *base, option, url, project=project))]
    for variable in ("NEWSKG_ENDPOINT", "NEWSKG_QUERY_ENDPOINT", "NEWSKG_GRAPH_STORE", "NEWSKG_UPDATE_ENDPOINT"):
        env = {variable: url} if variable == "NEWSKG_ENDPOINT" else {variable: url, "NEWSKG_ENDPOINT": "http://127.0.0.1:9/q"}
        runs += [("plain", newskg("load", project=project, env=env)),
                 ("plain", newskg("query", "run", "claims", project=project, env=env))]
    for how, outcome in runs:
        assert_never_shown(outcome, f"a password in a URL ({how})", project)
        assert outcome.exit_code == 2 and "credentials in the URL" in outcome.stderr, outcome.output


def test_a_malformed_netrc_never_quotes_its_password(project, tmp_path):
    netrc = tmp_path / "netrc"
    # A password where the parser expects a keyword: its message would quote it.
    netrc.write_text(f"machine 127.0.0.1 login {CANARY_USER} {CANARY_PASSWORD}\n", encoding="utf-8")
    netrc.chmod(0o600)
    env = {"NETRC": str(netrc), "NEWSKG_USER": None, "NEWSKG_PASSWORD": None}
    for debug in ((), ("--debug",)):
        for args in (("load", "--preset", "oxigraph", "--endpoint", "http://127.0.0.1:9"),
                     ("query", "run", "claims", "--endpoint", "http://127.0.0.1:9/query")):
            outcome = newskg(*debug, *args, project=project, env=env)
            assert_never_shown(outcome, f"malformed netrc {' '.join(debug)}", project)
            assert outcome.exit_code == 2 and "netrc" in outcome.stderr and "near line" in outcome.stderr
            assert "may remain" not in outcome.stderr

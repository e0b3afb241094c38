"""What the hostile suites (tests/test_hostile_*.py, test_killpoints.py, test_properties.py) share:
running the CLI as a user would with a password always set, checking one case the same way
every time, a fault server for what a real store cannot do, and the tally of the README's
reliability figures (benchmarks/reliability.py reads it).

Every CLI run has NEWSKG_USER/NEWSKG_PASSWORD set to a canary, so every case also checks that
the password shows nowhere; every run is bounded in time, so a hang is a failure, not a stuck suite.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from click.testing import CliRunner

from newskg.cli import main

CANARY_USER = "hostile-analyst"
CANARY_PASSWORD = "Canary-pw-7c1f9e"
#: The environment of every run: the canary credentials, nothing from the developer's shell.
BASE_ENV = {
    "NEWSKG_USER": CANARY_USER, "NEWSKG_PASSWORD": CANARY_PASSWORD, "NETRC": "/nonexistent/netrc",
    "NEWSKG_ENDPOINT": None, "NEWSKG_PRESET": None, "NEWSKG_QUERY_ENDPOINT": None,
    "NEWSKG_UPDATE_ENDPOINT": None, "NEWSKG_GRAPH_STORE": None, "NEWSKG_PROJECT": None,
    "NEWSKG_MAX_INPUT_BYTES": None, "NEWSKG_MAX_LITERAL_BYTES": None, "NEWSKG_MAX_RESPONSE_BYTES": None,
}
#: Longest a single CLI run may take before it counts as a hang.
RUN_LIMIT = 60.0


@dataclass
class Outcome:
    """One CLI run: exit code, both streams, time taken, and whether it hung or raised."""

    exit_code: int | None
    stdout: str
    stderr: str
    seconds: float
    hung: bool = False
    unhandled: BaseException | None = None

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.startswith("error:")]


def newskg(*args: str, project: Path | None = None, env: dict | None = None,
           limit: float = RUN_LIMIT) -> Outcome:
    """Run `newskg [--project P] ARGS` in-process (CliRunner), with the canary credentials set.

    Runs in a daemon thread joined with ``limit``: a run that does not end in time is
    reported as hung instead of holding the suite.
    """
    argv = (["--project", str(project)] if project is not None else []) + list(args)
    box: dict = {}

    def run() -> None:
        box["result"] = CliRunner().invoke(main, argv, env={**BASE_ENV, **(env or {})})

    started = time.monotonic()
    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(limit)
    seconds = time.monotonic() - started
    if worker.is_alive():
        return Outcome(None, "", "", seconds, hung=True)
    result = box["result"]
    unhandled = result.exception if not isinstance(result.exception, SystemExit) else None
    return Outcome(result.exit_code, result.stdout, result.stderr, seconds, unhandled=unhandled)


# --- the tally of the README's figures ------------------------------------------------------------

LOG_ENV = "NEWSKG_RELIABILITY_LOG"


def record(kind: str, case: str, *, traceback: bool = False, hung: bool = False, leaked: bool = False,
           lost: bool = False, count: int = 1) -> None:
    """Note one tried case (``count`` of them) of ``kind`` (bad-input, fault, kill, hypothesis) and
    what went wrong, to the JSON lines file named by $NEWSKG_RELIABILITY_LOG (when set)."""
    path = os.environ.get(LOG_ENV)
    if not path:
        return
    line = json.dumps({"kind": kind, "case": case, "count": count, "traceback": traceback, "hung": hung,
                       "leaked": leaked, "lost": lost})
    with open(path, "a", encoding="utf-8") as log:
        log.write(line + "\n")


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path -> bytes); {} when it does not exist."""
    if not folder.is_dir():
        return {}
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def leaks_in(outcome: Outcome, *folders: Path) -> bool:
    """True when the canary password shows in the run's output or in a file under ``folders``."""
    if CANARY_PASSWORD in outcome.output:
        return True
    if outcome.unhandled is not None and CANARY_PASSWORD in repr(outcome.unhandled):
        return True
    secret = CANARY_PASSWORD.encode()
    return any(secret in data for folder in folders for data in tree(folder).values())


def check(outcome: Outcome, *, kind: str, case: str, code: int, mentions: tuple[str, ...] = (),
          unchanged: tuple[object, object] | None = None, folders: tuple[Path, ...] = (),
          listing: bool = False) -> None:
    """The contract of one hostile case, recorded for the figures, then asserted.

    ``code`` is the documented exit code (0 ok, 1 failure, 2 usage). A failure must end in
    one ``error:`` line that holds every fragment of ``mentions`` (the file or URL, what to
    do) and is not the last-resort "internal error". Never a traceback, never the password
    (in the output or in a file under ``folders``); ``unchanged`` is a (before, after) pair of
    snapshots (build folder, store) that must be equal. ``listing``: the command lists its
    findings as its output (`newskg check`), so ``mentions`` are looked for there.
    """
    traceback = "Traceback" in outcome.output or outcome.unhandled is not None
    leaked = leaks_in(outcome, *folders)
    lost = unchanged is not None and unchanged[0] != unchanged[1]
    record(kind, case, traceback=traceback, hung=outcome.hung, leaked=leaked, lost=lost)
    assert not outcome.hung, f"{case}: no answer within {RUN_LIMIT} s"
    assert not traceback, f"{case}: a traceback:\n{outcome.output}\n{outcome.unhandled!r}"
    assert outcome.exit_code == code, f"{case}: exit {outcome.exit_code}, wanted {code}:\n{outcome.output}"
    assert not leaked, f"{case}: the password was shown"
    assert not lost, f"{case}: the build or store changed"
    if code and listing:
        for fragment in mentions:
            assert fragment in outcome.output, f"{case}: {fragment!r} not in {outcome.output!r}"
    elif code:
        # Progress lines (on stderr) may come first; the message is the rest.
        lines = outcome.stderr.splitlines()
        first = next((i for i, line in enumerate(lines) if line.startswith(("error: ", "Error: "))), None)
        assert first is not None, f"{case}: no error line in {outcome.output}"
        message = "\n".join(lines[first:])
        if code == 1:
            assert len(outcome.error_lines) == 1, f"{case}: {outcome.stderr}"
        assert "internal error" not in message, f"{case}: {message}"
        for fragment in mentions:
            assert fragment in message, f"{case}: {fragment!r} not in {message!r}"


# --- a project to spoil -----------------------------------------------------------------------------


def copy_project(template: Path, into: Path) -> Path:
    """A copy of a built template project (symlinks kept as links), to spoil in one test."""
    shutil.copytree(template, into, symlinks=True)
    return into


# --- a fault server: what a real store cannot be made to do -------------------------------------------


@dataclass
class Seen:
    """One request the fault server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    host: str


@dataclass
class FaultServer:
    """A loopback HTTP server in a thread whose every answer is ``fault`` (see ``FAULTS``), or,
    with ``upstream``, a proxy to a real store that applies ``fault`` only where
    ``when(seen)`` says so. Records every request. ``extra["after_forward"]``, if set, is
    called once after the store answered a forwarded request, whose answer is then lost."""

    fault: str = "ok"
    upstream: str | None = None
    when: Callable[[Seen], bool] | None = None
    host: str = "127.0.0.1"
    seen: list[Seen] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)
    extra: dict = field(default_factory=dict)

    def start(self) -> FaultServer:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _FaultHandler)
        self._server.daemon_threads = True
        self._server.owner = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self._server.server_address[1]}"

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


#: What the fault server can do with a request (the faults only a mock can show).
FAULTS = ("ok", "500", "403", "401", "html", "truncated", "malformed", "close", "trickle", "hang", "huge",
          "huge-declared", "redirect", "wrong-count")


class _FaultHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep test output quiet
        pass

    def _handle(self) -> None:
        owner: FaultServer = self.server.owner  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        seen = Seen(self.command, self.path, dict(self.headers), body, self.headers.get("Host", ""))
        owner.seen.append(seen)
        fault = owner.fault
        if owner.upstream and not (owner.when and owner.when(seen)):
            fault = "forward"
        getattr(self, "_" + fault.replace("-", "_"))(owner, seen)

    do_GET = do_POST = do_PUT = do_DELETE = _handle

    def _send(self, status: int, payload: bytes, kind: str = "application/sparql-results+json",
              headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _ok(self, owner, seen) -> None:
        self._send(200, b'{"head": {"vars": ["n"]}, "results": {"bindings": []}}')

    def _500(self, owner, seen) -> None:
        self._send(500, b"Internal Server Error\nthe store fell over", "text/plain")

    def _403(self, owner, seen) -> None:
        self._send(403, b"Forbidden", "text/plain")

    def _401(self, owner, seen) -> None:
        self._send(401, b"Unauthorized", "text/plain", {"WWW-Authenticate": 'Basic realm="hostile"'})

    def _html(self, owner, seen) -> None:
        self._send(200, b"<!DOCTYPE html><html><body><h1>Welcome to the proxy login page</h1></body></html>",
                   "text/html")

    def _truncated(self, owner, seen) -> None:
        # Says 4000 bytes, sends 30, and closes: the answer is cut short.
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", "4000")
        self.end_headers()
        self.wfile.write(b'{"head": {"vars": ["n"]}, "res')
        self.wfile.flush()
        self.close_connection = True

    def _malformed(self, owner, seen) -> None:
        self._send(200, b'{"head": {"vars": "n"}, "results": {"bindings": [{"n": 7}]}}')

    def _close(self, owner, seen) -> None:
        self.close_connection = True  # no answer at all

    def _trickle(self, owner, seen) -> None:
        # A byte every 50 ms, for ever (until the client gives up or the test ends).
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        try:
            while not owner.stopping.wait(0.05):
                self.wfile.write(b" ")
                self.wfile.flush()
        except OSError:
            pass
        self.close_connection = True

    def _hang(self, owner, seen) -> None:
        owner.stopping.wait(30)
        self.close_connection = True

    def _huge(self, owner, seen) -> None:
        # An endless answer, as fast as the client reads it.
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        block = b'{"head": {"vars": ["x"]}, "results": {"bindings": [' + b" " * (1 << 16)
        try:
            while not owner.stopping.is_set():
                self.wfile.write(block)
        except OSError:
            pass
        self.close_connection = True

    def _huge_declared(self, owner, seen) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(400 * 1024 * 1024))
        self.end_headers()
        with contextlib.suppress(OSError):  # the client may have stopped reading
            self.wfile.write(b" " * 1024)
        self.close_connection = True

    def _redirect(self, owner, seen) -> None:
        target = owner.extra.get("location", "http://localhost:9/elsewhere")
        self._send(307, b"", "text/plain", {"Location": target})

    def _wrong_count(self, owner, seen) -> None:
        # 12345 triples for every graph the count query names (one query counts them all, GROUP BY ?g).
        import re
        import urllib.parse

        query = urllib.parse.unquote_plus(seen.body.decode("utf-8", "replace"))
        values = re.search(r"VALUES \?g \{([^}]*)\}", query)
        graphs = re.findall(r"<([^>]*)>", values.group(1)) if values else []
        rows = [{"g": {"type": "uri", "value": g}, "n": {"type": "literal", "value": "12345"}} for g in graphs]
        self._send(200, json.dumps({"head": {"vars": ["g", "n"]}, "results": {"bindings": rows}}).encode())

    def _forward(self, owner, seen) -> None:
        import http.client
        import urllib.parse

        up = urllib.parse.urlsplit(owner.upstream)
        connection = http.client.HTTPConnection(up.hostname, up.port, timeout=30)
        headers = {k: v for k, v in seen.headers.items() if k.lower() in ("content-type", "accept")}
        connection.request(seen.method, seen.path, body=seen.body, headers=headers)
        answer = connection.getresponse()
        payload = answer.read()
        connection.close()
        after = owner.extra.pop("after_forward", None)
        if after is not None:  # the store did the work; its answer is lost
            after()
            self.close_connection = True
            return
        self._send(answer.status, payload, answer.getheader("Content-Type") or "text/plain")

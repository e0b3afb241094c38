"""Shared fixtures: the project root and a real Oxigraph server on a free loopback port."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def project_root() -> Path:
    """The repository root (holds ontology/, graph/, queries/)."""
    return PROJECT_ROOT


@pytest.fixture(scope="module")
def ontology():
    """The real ontology modules (ontology/*.ttl without the SHACL shapes) in one rdflib graph."""
    from rdflib import Graph

    graph = Graph()
    for path in sorted((PROJECT_ROOT / "ontology").glob("*.ttl")):
        if path.name != "shapes.ttl":
            graph.parse(path, format="turtle")
    return graph


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _oxigraph_binary() -> str:
    # The `oxigraph` PyPI package installs its server next to the interpreter.
    candidate = Path(sys.executable).parent / "oxigraph"
    found = str(candidate) if candidate.exists() else shutil.which("oxigraph")
    if not found:
        pytest.fail("the `oxigraph` server binary is missing: install the test extras (make test)")
    return found


@dataclass
class OxigraphServer:
    """A running `oxigraph serve` process and its SPARQL/GSP URLs."""

    base: str
    pid: int
    location: Path

    @property
    def query_url(self) -> str:
        return self.base + "/query"

    @property
    def update_url(self) -> str:
        return self.base + "/update"

    @property
    def store_url(self) -> str:
        return self.base + "/store"


def start_oxigraph(location: Path) -> tuple[subprocess.Popen, OxigraphServer]:
    """Start `oxigraph serve` on a free loopback port and wait until it answers."""
    port = _free_port()
    proc = subprocess.Popen(
        [_oxigraph_binary(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"oxigraph exited: {proc.stderr.read().decode(errors='replace')}")
        try:
            with urllib.request.urlopen(base + "/query?query=ASK%7B%7D", timeout=1):
                return proc, OxigraphServer(base=base, pid=proc.pid, location=location)
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.05)
    stop_oxigraph(proc)
    raise RuntimeError("oxigraph did not start within 20 s")


def stop_oxigraph(proc: subprocess.Popen) -> None:
    """Stop the server by its PID, killing it if it does not exit promptly."""
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
    if proc.stderr:
        proc.stderr.close()


@pytest.fixture
def oxigraph_server(tmp_path: Path):
    """A fresh, empty Oxigraph server for one test."""
    proc, server = start_oxigraph(tmp_path / "oxigraph-db")
    try:
        yield server
    finally:
        stop_oxigraph(proc)


@pytest.fixture(scope="session")
def shared_oxigraph_server(tmp_path_factory):
    """One Oxigraph server for a whole session (tests must not depend on each other's data)."""
    proc, server = start_oxigraph(tmp_path_factory.mktemp("oxigraph") / "db")
    try:
        yield server
    finally:
        stop_oxigraph(proc)

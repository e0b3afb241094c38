"""A real Oxigraph server for tests and benchmarks: `oxigraph serve` on a free loopback port.

Shared by tests/conftest.py (fixtures) and benchmarks/ (which put tests/ on sys.path).
"""

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


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def oxigraph_binary() -> str:
    # The `oxigraph` PyPI package installs its server next to the interpreter.
    candidate = Path(sys.executable).parent / "oxigraph"
    found = str(candidate) if candidate.exists() else shutil.which("oxigraph")
    if not found:
        raise RuntimeError("the `oxigraph` server binary is missing: install the test extras (make test)")
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
    port = free_port()
    proc = subprocess.Popen(
        [oxigraph_binary(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            assert proc.stderr  # a pipe
            raise RuntimeError(f"oxigraph exited: {proc.stderr.read().decode(errors='replace')}")
        try:
            with urllib.request.urlopen(base + "/query?query=ASK%7B%7D", timeout=1):
                return proc, OxigraphServer(base=base, pid=proc.pid, location=location)
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.05)
    stop_oxigraph(proc)
    raise RuntimeError("oxigraph did not start within 20 s")


def stop_oxigraph(proc: subprocess.Popen) -> None:
    """Kill the server by its PID and reap it.

    SIGKILL, not SIGTERM: a test server's store is thrown away with its tmp folder, so there is
    nothing to shut down cleanly, and a graceful exit (Twisted's reactor in tests/auth_proxy.py
    takes ~0.5 s) is time every test using a server would wait for.
    """
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    if proc.stderr:
        proc.stderr.close()

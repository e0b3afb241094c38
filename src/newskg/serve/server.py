"""Listening: bind the socket ourselves (so a port in use is a clear error, not a log line),
then hand it to uvicorn."""

from __future__ import annotations

import errno
import socket
from collections.abc import Callable

from newskg.serve import ServeError


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host``:``port`` (port 0: any free port).

    Raises ServeError naming the address when it is in use, not on this machine, or not
    allowed (a port below 1024 without privileges).
    """
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as err:
        raise ServeError(f"cannot listen on {host!r}: {err.strerror}") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # not a port in use: one in TIME_WAIT
    try:
        sock.bind(address)
        sock.listen(128)
    except OSError as err:
        sock.close()
        if err.errno == errno.EADDRINUSE:
            raise ServeError(f"port {port} on {host} is in use; stop what holds it or choose another "
                             "with --port") from None
        if err.errno == errno.EACCES:
            raise ServeError(f"not allowed to listen on port {port} of {host}; choose a port "
                             "above 1023 with --port") from None
        raise ServeError(f"cannot listen on {host}:{port}: {err.strerror}") from None
    return sock


def url_of(sock: socket.socket) -> str:
    """The http:// URL a bound socket answers on."""
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def make_server(app, sock: socket.socket):
    """A uvicorn Server for ``app`` (quiet: errors only, no access log)."""
    import uvicorn

    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                            server_header=False)
    return uvicorn.Server(config)


def run(app, sock: socket.socket, ready: Callable[[str], None] | None = None) -> None:
    """Serve ``app`` on ``sock`` until Ctrl-C (uvicorn handles the signal and shuts down)."""
    server = make_server(app, sock)
    if ready:
        ready(url_of(sock))
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()

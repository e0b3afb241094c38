"""HTTP Basic or Digest auth whose code is not ours, in front of a real store: Twisted's
guard (twisted.web.guard, its Basic and Digest credential factories) around a proxy
that relays to the store with Twisted's HTTP client.

The tests start it in a subprocess with `start_auth_proxy`; as a script it is

    python tests/auth_proxy.py UPSTREAM_PORT basic|digest   (env AUTH_PROXY_USER, AUTH_PROXY_PASSWORD)

It listens on a free loopback port, prints that port as its first line, and serves
until SIGTERM. A request without valid credentials gets Twisted's 401 and challenge.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from oxigraph_server import stop_oxigraph

REALM = "newskg-test"


@dataclass
class AuthProxy:
    """A running proxy: its base URL (same paths as the store behind it) and its scheme."""

    base: str
    scheme: str
    process: subprocess.Popen


def start_auth_proxy(upstream_port: int, scheme: str, user: str, password: str) -> AuthProxy:
    """Start the proxy in a subprocess and wait for its port (the password goes by environment)."""
    env = {**os.environ, "AUTH_PROXY_USER": user, "AUTH_PROXY_PASSWORD": password}
    process = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), str(upstream_port), scheme],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    assert process.stdout and process.stderr  # both are pipes
    line = process.stdout.readline().strip()
    if not line.isdigit():
        stop_auth_proxy(process)
        raise RuntimeError(f"the auth proxy did not start: {line} {process.stderr.read()}")
    return AuthProxy(f"http://127.0.0.1:{line}", scheme, process)


def stop_auth_proxy(process: subprocess.Popen) -> None:
    """Kill the proxy by its PID, as the store is stopped: it holds no state worth a clean exit."""
    stop_oxigraph(process)
    if process.stdout:
        process.stdout.close()


def _serve(upstream_port: int, scheme: str) -> None:
    from twisted.cred.checkers import InMemoryUsernamePasswordDatabaseDontUse
    from twisted.cred.portal import IRealm, Portal
    from twisted.internet import reactor
    from twisted.web.client import Agent, FileBodyProducer, readBody
    from twisted.web.guard import BasicCredentialFactory, DigestCredentialFactory, HTTPAuthSessionWrapper
    from twisted.web.http_headers import Headers
    from twisted.web.resource import IResource, Resource
    from twisted.web.server import NOT_DONE_YET, Site
    from zope.interface import implementer

    agent = Agent(reactor)
    passed_on = (b"content-type", b"accept")

    class StoreProxy(Resource):
        """Relays each request to the store with Twisted's HTTP client.

        Not twisted.web.proxy.ReverseProxyResource: its client hands a chunked answer
        on with the chunk framing still in it, and Oxigraph answers SELECT queries
        chunked (even to HTTP/1.0); Agent decodes it.
        """

        isLeaf = True

        def render(self, request):
            request.content.seek(0)
            length = len(request.content.read())
            request.content.seek(0)
            headers = Headers({k: v for k, v in request.requestHeaders.getAllRawHeaders()
                               if k.lower() in passed_on})
            body = FileBodyProducer(request.content) if length or request.method in (b"PUT", b"POST") else None
            url = f"http://127.0.0.1:{upstream_port}".encode() + request.uri
            sent = agent.request(request.method, url, headers, body)

            def relay(response):
                request.setResponseCode(response.code, response.phrase)
                for name, values in response.headers.getAllRawHeaders():
                    if name.lower() in (b"content-type", b"www-authenticate"):
                        request.responseHeaders.setRawHeaders(name, values)
                return readBody(response).addCallback(answer)

            def answer(data):
                request.write(data)
                request.finish()

            def failed(failure):
                request.setResponseCode(502)
                request.write(str(failure.value).encode())
                request.finish()

            sent.addCallback(relay).addErrback(failed)
            return NOT_DONE_YET

    @implementer(IRealm)
    class StoreRealm:
        """Every authenticated user gets the proxy to the store."""

        def requestAvatar(self, avatar_id, mind, *interfaces):
            if IResource not in interfaces:
                raise NotImplementedError()
            return IResource, StoreProxy(), lambda: None

    checker = InMemoryUsernamePasswordDatabaseDontUse()
    checker.addUser(os.environ["AUTH_PROXY_USER"].encode(), os.environ["AUTH_PROXY_PASSWORD"].encode())
    # "MD5" upper-case: urllib's Digest (under SPARQLWrapper) matches the name exactly.
    factory = (DigestCredentialFactory(b"MD5", REALM.encode()) if scheme == "digest"
               else BasicCredentialFactory(REALM.encode()))
    guarded = HTTPAuthSessionWrapper(Portal(StoreRealm(), [checker]), [factory])
    port = reactor.listenTCP(0, Site(guarded), interface="127.0.0.1")
    print(port.getHost().port, flush=True)
    reactor.run()


if __name__ == "__main__":
    _serve(int(sys.argv[1]), sys.argv[2])

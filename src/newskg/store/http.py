"""HTTP for talking to a triple store: retries, timeouts, basic/digest auth, streamed bodies.

Built on http.client so a multi-megabyte N-Triples file is streamed from disk
with a known Content-Length, and so every status code comes back as a value
(not an exception) for the caller to turn into a message naming the graph.

Credentials come from NEWSKG_USER / NEWSKG_PASSWORD or a netrc file, never
from the command line; the password is kept out of every repr, message and log.
"""

from __future__ import annotations

import base64
import hashlib
import netrc
import os
import secrets
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping
from urllib.parse import urlsplit

from newskg.errors import EndpointError, UsageError

USER_ENV, PASSWORD_ENV = "NEWSKG_USER", "NEWSKG_PASSWORD"
#: Bytes read from disk per socket write; large blocks keep a streamed PUT near disk speed.
STREAM_BLOCK = 1 << 16

ByteCounter = Callable[[int], None]


@dataclass(frozen=True)
class Credentials:
    """A user name and password for HTTP auth; the password never appears in repr()."""

    user: str
    password: str = field(repr=False)
    source: str = "environment"


def find_credentials(url: str, environ: Mapping[str, str] | None = None) -> Credentials | None:
    """Credentials for the host of ``url``: from the environment first, else from netrc.

    The netrc file is $NETRC if set, else ~/.netrc; a missing file means no
    credentials. Raises UsageError when only one of the two variables is set
    or the netrc file does not parse.
    """
    env = os.environ if environ is None else environ
    user, password = env.get(USER_ENV), env.get(PASSWORD_ENV)
    if user and password:
        return Credentials(user, password, f"{USER_ENV}/{PASSWORD_ENV}")
    if user or password:
        missing = PASSWORD_ENV if user else USER_ENV
        raise UsageError(f"{missing} is not set (both {USER_ENV} and {PASSWORD_ENV} are needed)")
    path = Path(env["NETRC"]) if env.get("NETRC") else Path.home() / ".netrc"
    if not path.is_file():
        return None
    try:
        entry = netrc.netrc(str(path)).authenticators(urlsplit(url).hostname or "")
    except (netrc.NetrcParseError, OSError) as err:
        # The parse error names file and line, never the secret itself.
        raise UsageError(f"cannot read netrc file {path}: {err}") from None
    if not entry or not entry[0] or entry[2] is None:
        return None
    return Credentials(entry[0], entry[2], f"netrc file {path}")


def reject_url_credentials(url: str) -> None:
    """Refuse a URL with user:password in it: passwords never go on the command line."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"not an http(s) URL: {url!r}")
    if parts.username is not None or parts.password is not None:
        raise UsageError(
            f"credentials in the URL of {parts.hostname} are refused; "
            f"set {USER_ENV}/{PASSWORD_ENV} or use a netrc file"
        )


@dataclass
class HttpRequest:
    """One request to the store, with what it is about (for messages and --dry-run)."""

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | Path | None = None
    graph: str | None = None
    purpose: str = ""
    triples: int | None = None

    @property
    def size(self) -> int:
        """Bytes in the body."""
        if self.body is None:
            return 0
        if isinstance(self.body, Path):
            return self.body.stat().st_size
        return len(self.body)


@dataclass
class HttpResponse:
    """A store's answer. ``simulated`` marks the placeholder answers of a dry run."""

    status: int
    reason: str
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    simulated: bool = False

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def summary(self, max_lines: int = 5, max_chars: int = 600) -> str:
        """Status line and the first lines of the body, for error messages."""
        text = self.body.decode("utf-8", errors="replace").strip()
        lines = text.splitlines()[:max_lines]
        excerpt = "\n    ".join(lines)[:max_chars]
        head = f"{self.status} {self.reason}".strip()
        return f"{head}: {excerpt}" if excerpt else head


class _CountingReader:
    """A file wrapper that reports each block read, so a long PUT can drive a progress bar."""

    def __init__(self, handle, on_bytes: ByteCounter | None):
        self._handle, self._on_bytes, self.sent = handle, on_bytes, 0

    def read(self, size: int = -1) -> bytes:
        block = self._handle.read(size)
        self.sent += len(block)
        if self._on_bytes and block:
            self._on_bytes(len(block))
        return block


class HttpTransport:
    """Sends requests with retries (connection errors and 5xx), a timeout and auth.

    ``timeout`` applies to each socket operation (connect, each send, waiting
    for the answer). Retries wait ``backoff * 2**attempt`` seconds. Basic auth
    is sent up front when credentials exist (like ``curl -u``); a Digest
    challenge switches this transport to Digest for the rest of its life.
    With ``auth_scheme="digest"`` the password is only ever sent hashed.
    """

    def __init__(
        self,
        timeout: float = 60.0,
        retries: int = 3,
        backoff: float = 0.5,
        credentials: Credentials | None = None,
        auth_scheme: str = "basic",
        sleep: Callable[[float], None] = time.sleep,
    ):
        if auth_scheme not in ("basic", "digest"):
            raise ValueError(f"unknown auth scheme {auth_scheme!r}")
        self.timeout, self.retries, self.backoff = timeout, max(0, retries), backoff
        self.credentials, self.auth_scheme = credentials, auth_scheme
        self._sleep = sleep
        self._digest: dict[str, str] | None = None
        self._digest_count = 0
        self.requests_sent = 0

    def send(self, request: HttpRequest, on_bytes: ByteCounter | None = None) -> HttpResponse:
        """Send ``request``; return the final response (possibly 4xx/5xx).

        Raises EndpointError when the store cannot be reached after all retries.
        """
        import http.client  # imported on first use: it pulls in the email package, slow at CLI start-up

        last_error: Exception | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                self._sleep(self.backoff * 2 ** (attempt - 1))
            try:
                response = self._send_with_auth(request, on_bytes)
            except (OSError, http.client.HTTPException) as err:
                last_error = err
                continue
            if response.status < 500 or attempt == self.retries:
                return response
        about = f" (graph <{request.graph}>)" if request.graph else ""
        raise EndpointError(
            f"cannot reach {_public_url(request.url)}{about}: {_describe(last_error)} "
            f"(after {self.retries + 1} attempt(s))"
        )

    def _send_with_auth(self, request: HttpRequest, on_bytes: ByteCounter | None) -> HttpResponse:
        response = self._send_once(request, self._authorization(request), on_bytes)
        if response.status != 401 or self.credentials is None:
            return response
        challenge = _digest_challenge(response.headers.get("www-authenticate", ""))
        if challenge is None:
            return response
        stale_retry = self._digest is not None and challenge.get("stale", "").lower() == "true"
        if self._digest is not None and not stale_retry:
            return response  # our digest answer was refused: wrong credentials
        self._digest, self._digest_count = challenge, 0
        return self._send_once(request, self._authorization(request), on_bytes)

    def _authorization(self, request: HttpRequest) -> str | None:
        creds = self.credentials
        if creds is None:
            return None
        if self._digest is not None:
            return self._digest_answer(request)
        if self.auth_scheme == "basic":
            token = base64.b64encode(f"{creds.user}:{creds.password}".encode()).decode("ascii")
            return f"Basic {token}"
        return None

    def _digest_answer(self, request: HttpRequest) -> str:
        """An RFC 7616 Digest response (MD5 or SHA-256, qop=auth or none)."""
        creds, chal = self.credentials, self._digest
        assert creds is not None and chal is not None
        algorithm = chal.get("algorithm", "MD5")
        hash_name = "sha256" if algorithm.upper().startswith("SHA-256") else "md5"

        def digest(text: str) -> str:
            return hashlib.new(hash_name, text.encode()).hexdigest()

        parts = urlsplit(request.url)
        uri = parts.path + (f"?{parts.query}" if parts.query else "")
        realm, nonce = chal.get("realm", ""), chal.get("nonce", "")
        self._digest_count += 1
        nc, cnonce = f"{self._digest_count:08x}", secrets.token_hex(8)
        ha1 = digest(f"{creds.user}:{realm}:{creds.password}")
        if algorithm.lower().endswith("-sess"):
            ha1 = digest(f"{ha1}:{nonce}:{cnonce}")
        ha2 = digest(f"{request.method}:{uri}")
        qops = [q.strip() for q in chal.get("qop", "").split(",") if q.strip()]
        fields = {"username": creds.user, "realm": realm, "nonce": nonce, "uri": uri}
        if "auth" in qops:
            fields["response"] = digest(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")
            extra = f", qop=auth, nc={nc}, cnonce=\"{cnonce}\""
        else:
            fields["response"] = digest(f"{ha1}:{nonce}:{ha2}")
            extra = ""
        if "opaque" in chal:
            fields["opaque"] = chal["opaque"]
        quoted = ", ".join(f'{k}="{v}"' for k, v in fields.items())
        return f"Digest {quoted}, algorithm={algorithm}{extra}"

    def _send_once(
        self, request: HttpRequest, authorization: str | None, on_bytes: ByteCounter | None
    ) -> HttpResponse:
        import http.client

        parts = urlsplit(request.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection_class = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        conn = connection_class(parts.hostname, parts.port, timeout=self.timeout, blocksize=STREAM_BLOCK)
        headers = {"Connection": "close", "User-Agent": "newskg-load", **request.headers}
        if authorization:
            headers["Authorization"] = authorization
        reader = None
        try:
            if isinstance(request.body, Path):
                with request.body.open("rb") as handle:
                    reader = _CountingReader(handle, on_bytes)
                    headers["Content-Length"] = str(request.body.stat().st_size)
                    self._request(conn, request.method, target, reader, headers)
            else:
                body = request.body or b""
                if request.body is not None or request.method in ("POST", "PUT"):
                    headers["Content-Length"] = str(len(body))
                self._request(conn, request.method, target, body or None, headers)
                if on_bytes and body:
                    on_bytes(len(body))
            raw = conn.getresponse()
            payload = raw.read()
            self.requests_sent += 1
            return HttpResponse(
                raw.status, raw.reason, payload, {k.lower(): v for k, v in raw.getheaders()}
            )
        except BaseException:
            # Rewind the progress bar for a body that will be sent again.
            if reader is not None and on_bytes and reader.sent:
                on_bytes(-reader.sent)
            raise
        finally:
            conn.close()

    @staticmethod
    def _request(conn, method, target, body, headers) -> None:
        try:
            conn.request(method, target, body=body, headers=headers)
        except (BrokenPipeError, ConnectionResetError):
            # The store may answer (e.g. 400 on a parse error) and close before
            # the whole body is sent; its answer is still worth reading.
            if conn.sock is None:
                raise


class DryRunTransport:
    """Records requests instead of sending them; every answer is a simulated 204."""

    def __init__(self):
        self.requests: list[HttpRequest] = []

    def send(self, request: HttpRequest, on_bytes: ByteCounter | None = None) -> HttpResponse:
        """Record ``request`` and answer as if it succeeded."""
        self.requests.append(request)
        return HttpResponse(204, "No Content (dry run)", simulated=True)


def _digest_challenge(header: str) -> dict[str, str] | None:
    """The parameters of a Digest challenge in a WWW-Authenticate header, if any."""
    import urllib.request  # for its header parsers; slow to import, needed only on a challenge

    start = header.lower().find("digest ")
    if start < 0:
        return None
    items = urllib.request.parse_http_list(header[start + len("digest "):])
    pairs = [item for item in items if "=" in item]
    # A following challenge ("Basic realm=...") is cut off at its scheme word.
    clean = []
    for item in pairs:
        key = item.split("=", 1)[0].strip()
        if " " in key:
            break
        clean.append(item.strip())
    params = urllib.request.parse_keqv_list(clean)
    return {k.lower(): v for k, v in params.items()} if "nonce" in {k.lower() for k in params} else None


def _public_url(url: str) -> str:
    """The URL without its query string (which may carry long graph IRIs)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def _describe(err: Exception | None) -> str:
    if isinstance(err, socket.timeout):
        return "timed out"
    if isinstance(err, ConnectionRefusedError):
        return "connection refused"
    if isinstance(err, socket.gaierror):
        return f"unknown host ({err.strerror or err})"
    return str(err) or type(err).__name__

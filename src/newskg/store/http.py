"""HTTP for loading into a triple store: timeouts, retries that never repeat a write, streamed bodies.

Built on requests, chosen over httpx and bare urllib3 because:

- it is what SPARQLWrapper's users already have around it, and it is kept up;
- its HTTPDigestAuth and HTTPBasicAuth are maintained and widely used, so no
  Digest arithmetic of our own is needed (see ``newskg.store.auth``);
- it streams a request body from an open file with a known Content-Length, so a
  multi-megabyte N-Triples file goes from disk to the socket without being read
  into memory, and rewinds it when Digest auth makes it send the body again.

Every status code comes back as a value (not an exception) for the caller to turn
into a message naming the graph. A request is sent again (after a backoff) only
when that cannot change the store twice: when it never reached the store (the
connection was refused or never made), or when it is marked ``repeatable``
(reads, and PUTs into our own staging graphs). A request that changes the store
and may have reached it is never repeated: the load then stops and says so.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from newskg.errors import EndpointError, LoadError
from newskg.store.auth import Login

if TYPE_CHECKING:
    import requests

ByteCounter = Callable[[int], None]

OUTCOME_UNKNOWN = "the load may or may not have completed; run `newskg load` again (it is idempotent)"


@dataclass
class HttpRequest:
    """One request to the store, with what it is about (for messages and --dry-run).

    ``repeatable``: sending it twice leaves the store as sending it once, so it may
    be retried even after it may have reached the store. GET and HEAD always are.
    """

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | Path | None = None
    graph: str | None = None
    purpose: str = ""
    triples: int | None = None
    repeatable: bool = False

    @property
    def size(self) -> int:
        """Bytes in the body."""
        if self.body is None:
            return 0
        if isinstance(self.body, Path):
            return self.body.stat().st_size
        return len(self.body)

    @property
    def safe_to_repeat(self) -> bool:
        return self.repeatable or self.method in ("GET", "HEAD")


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


class _ProgressFile:
    """A body file that reports each block read, so a long PUT can drive a progress bar.

    Seeking back (requests does so before sending the body again for Digest auth)
    moves the bar back. ``__len__`` and ``tell`` let requests set Content-Length.
    """

    def __init__(self, path: Path, on_bytes: ByteCounter | None):
        self._handle = path.open("rb")
        self._size = path.stat().st_size
        self._on_bytes = on_bytes

    def read(self, size: int = -1) -> bytes:
        block = self._handle.read(size)
        if self._on_bytes and block:
            self._on_bytes(len(block))
        return block

    def tell(self) -> int:
        return self._handle.tell()

    def seek(self, offset: int, whence: int = 0) -> int:
        before = self._handle.tell()
        after = self._handle.seek(offset, whence)
        if self._on_bytes and after != before:
            self._on_bytes(after - before)
        return after

    def __len__(self) -> int:
        return self._size

    def close(self) -> None:
        self._handle.close()


class HttpTransport:
    """Sends requests with a timeout, auth, and retries where they are safe.

    ``timeout`` applies to the connect, to each send and to waiting for the
    answer. Retries wait ``backoff * 2**attempt`` seconds through ``sleep``
    (injectable, so tests do not wait). ``login`` gives each host its own
    credentials, sent in the preset's way; without it nothing is sent.
    """

    def __init__(
        self,
        timeout: float = 60.0,
        retries: int = 3,
        backoff: float = 0.5,
        login: Login | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.timeout, self.retries, self.backoff = timeout, max(0, retries), backoff
        self.login = login or Login()
        self._sleep = sleep
        self._session: requests.Session | None = None
        self.requests_sent = 0

    def __enter__(self) -> HttpTransport:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Release the connections."""
        if self._session is not None:
            self._session.close()
            self._session = None

    def send(self, request: HttpRequest, on_bytes: ByteCounter | None = None) -> HttpResponse:
        """Send ``request``; return the final response (possibly 4xx/5xx).

        Raises EndpointError when the store cannot be reached after all retries,
        and LoadError when a request that changes the store was sent but got no
        answer (its outcome is unknown, so it is not repeated).
        """
        import requests

        if not request.safe_to_repeat:
            # On a fresh connection: one the server had already closed while it sat in
            # the pool would fail the write with its outcome unknown.
            self.close()
        last_error: Exception | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                self._sleep(self.backoff * 2 ** (attempt - 1))
            try:
                response = self._send_once(request, on_bytes)
            except requests.exceptions.RequestException as err:
                if not _never_reached(err) and not request.safe_to_repeat:
                    about = f"graph <{request.graph}>: " if request.graph else ""
                    raise LoadError(
                        f"{about}{request.purpose}: {request.method} {_public_url(request.url)} "
                        f"{describe_error(err)} after the request was sent; {OUTCOME_UNKNOWN}"
                    ) from None
                last_error = err
                continue
            if response.status < 500 or attempt == self.retries or not request.safe_to_repeat:
                return response
        about = f" (graph <{request.graph}>)" if request.graph else ""
        verb = "cannot reach" if _never_reached(last_error) else "no answer from"
        raise EndpointError(
            f"{verb} {_public_url(request.url)}{about}: {describe_error(last_error)} "
            f"(after {self.retries + 1} attempt(s))"
        )

    def _send_once(self, request: HttpRequest, on_bytes: ByteCounter | None) -> HttpResponse:
        import requests

        session = self._session = self._session or requests.Session()
        headers = {"User-Agent": "newskg", **request.headers}
        body = _ProgressFile(request.body, on_bytes) if isinstance(request.body, Path) else request.body
        try:
            answer = session.request(
                request.method, request.url, data=body, headers=headers,
                auth=self.login.requests_auth(request.url), timeout=(self.timeout, self.timeout),
                # A redirect could carry the request to another host; the store's own URL is wanted.
                allow_redirects=False,
            )
            payload = answer.content
        except BaseException:
            if isinstance(body, _ProgressFile):
                body.seek(0)  # the bar gives back what may be sent again
            raise
        finally:
            if isinstance(body, _ProgressFile):
                body.close()
        if on_bytes and isinstance(request.body, bytes):
            on_bytes(len(request.body))
        self.requests_sent += 1
        return HttpResponse(answer.status_code, answer.reason or "", payload,
                            {k.lower(): v for k, v in answer.headers.items()})


class DryRunTransport:
    """Records requests instead of sending them; every answer is a simulated 204."""

    def __init__(self, login: Login | None = None):
        self.requests: list[HttpRequest] = []
        self.login = login or Login()

    def __enter__(self) -> DryRunTransport:
        return self

    def __exit__(self, *exc) -> None:
        pass

    def send(self, request: HttpRequest, on_bytes: ByteCounter | None = None) -> HttpResponse:
        """Record ``request`` and answer as if it succeeded."""
        self.requests.append(request)
        return HttpResponse(204, "No Content (dry run)", simulated=True)


def _never_reached(err: Exception | None) -> bool:
    """True when the request cannot have reached the store: no connection was made."""
    import requests
    import urllib3

    if isinstance(err, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(err, requests.exceptions.ConnectionError) and err.args:
        return isinstance(getattr(err.args[0], "reason", None), urllib3.exceptions.NewConnectionError)
    return False


def describe_error(err: Exception | None) -> str:
    """A few words for a requests exception: "connection refused", "timed out", ..."""
    import requests
    import urllib3

    if isinstance(err, requests.exceptions.ConnectTimeout):
        return "timed out connecting"
    if isinstance(err, requests.exceptions.Timeout):
        return "timed out"
    reason = getattr(err.args[0], "reason", None) if err is not None and err.args else None
    if isinstance(reason, urllib3.exceptions.NameResolutionError):
        return "unknown host"
    if isinstance(reason, urllib3.exceptions.NewConnectionError):
        return "connection refused" if "refused" in str(reason).lower() else "cannot connect"
    return "lost the connection" if err is not None else "failed"


def _public_url(url: str) -> str:
    """The URL without its query string (which may carry long graph IRIs)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"

"""HTTP to a triple store (`load`, `query run --endpoint`): deadlines, retries that never repeat
a write, streamed bodies and capped answers.

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

Two bounds hold for every request, whatever the store does:

- **Time.** ``timeout`` is a deadline for the whole request, from connect to the last byte
  of the answer. requests' own timeouts bound each socket operation, so a store that
  trickles a byte a second, or reads our body that slowly, would hold a request forever;
  a watchdog thread shuts the socket down at the deadline instead (``_Deadline``), which
  ends whatever call is blocked on it. A request that timed out is not repeated: a store
  that gave no answer within the deadline is hung or overloaded, and repeating it would
  multiply the wait.
- **Memory.** An answer is streamed and read up to a cap: NEWSKG_MAX_RESPONSE_BYTES for
  answers we need whole (query results, counts), the first 64 KiB (for the error
  message) of any other.
"""

from __future__ import annotations

import contextlib
import io
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Protocol
from urllib.parse import urlsplit

from newskg.errors import EndpointError, LoadError
from newskg.limits import describe
from newskg.store.auth import Login

if TYPE_CHECKING:
    import requests

ByteCounter = Callable[[int], None]


class BodySource(Protocol):
    """A request body made while it is sent (the load's rewritten N-Quads): ``size`` bytes,
    read from a fresh stream each time ``open`` is called (Digest auth sends a body twice)."""

    @property
    def size(self) -> int: ...

    def open(self) -> io.RawIOBase: ...

OUTCOME_UNKNOWN = "the load may or may not have completed; run `newskg load` again (it is idempotent)"
#: What is kept of an answer only an error message will show.
SUMMARY_BYTES = 64 * 1024


@dataclass
class HttpRequest:
    """One request to the store, with what it is about (for messages and --dry-run).

    ``repeatable``: sending it twice leaves the store as sending it once, so it may
    be retried even after it may have reached the store. GET and HEAD always are.
    ``answer_limit``: the answer is needed whole, up to this many bytes (more is an
    error); None keeps only its first SUMMARY_BYTES, for messages. ``outcome``: what to
    tell the user when a request that is not repeatable got no answer.
    """

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | Path | BodySource | None = None
    graph: str | None = None
    purpose: str = ""
    triples: int | None = None
    repeatable: bool = False
    answer_limit: int | None = None
    outcome: str = OUTCOME_UNKNOWN

    @property
    def size(self) -> int:
        """Bytes in the body."""
        if self.body is None:
            return 0
        if isinstance(self.body, Path):
            return self.body.stat().st_size
        if isinstance(self.body, bytes):
            return len(self.body)
        return self.body.size

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
    """A body file (or BodySource stream) that reports each block read, so a long PUT can drive
    a progress bar.

    Seeking back (requests does so before sending the body again for Digest auth)
    moves the bar back. ``__len__`` and ``tell`` let requests set Content-Length.
    """

    def __init__(self, source: Path | BodySource, on_bytes: ByteCounter | None):
        if isinstance(source, Path):
            self._handle: BinaryIO | io.RawIOBase = source.open("rb")
            self._size = source.stat().st_size
        else:
            self._handle, self._size = source.open(), source.size
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
    """Sends requests with a deadline, auth, and retries where they are safe.

    ``timeout`` is the deadline of each request, from connect to the last byte of its
    answer. Retries wait ``backoff * 2**attempt`` seconds through ``sleep``
    (injectable, so tests do not wait). ``login`` gives each host its own
    credentials, sent in the preset's way; without it nothing is sent. ``noun``
    names the store in messages ("the endpoint").
    """

    def __init__(
        self,
        timeout: float = 60.0,
        retries: int = 3,
        backoff: float = 0.5,
        login: Login | None = None,
        sleep: Callable[[float], None] = time.sleep,
        noun: str = "",
    ):
        self.timeout, self.retries, self.backoff = timeout, max(0, retries), backoff
        self.login = login or Login()
        self._sleep = sleep
        self._noun = f"{noun} " if noun else ""
        self._session: requests.Session | None = None

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

        Raises EndpointError when the store cannot be reached after all retries, did not
        answer in time, or answered more than ``request.answer_limit`` bytes; LoadError
        when a request that changes the store was sent but got no answer (its outcome is
        unknown, so it is not repeated). Each error's ``reached`` says whether the
        request may have reached the store.
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
            except (requests.exceptions.RequestException, _Expired) as err:
                reached = not _never_reached(err)
                if reached and not request.safe_to_repeat:
                    about = f"graph <{request.graph}>: " if request.graph else ""
                    raise _reached(LoadError(
                        f"{about}{request.purpose}: {request.method} {_public_url(request.url)} "
                        f"{self._describe(err)} after the request was sent; {request.outcome}"
                    )) from None
                last_error = err
                if isinstance(err, (requests.exceptions.Timeout, _Expired)) and reached:
                    break  # hung or overloaded: repeating would only multiply the wait
                continue
            if response.status < 500 or attempt == self.retries or not request.safe_to_repeat:
                return response
        about = f" (graph <{request.graph}>)" if request.graph else ""
        never = _never_reached(last_error)
        if not never and isinstance(last_error, (requests.exceptions.Timeout, _Expired)):
            raise _reached(EndpointError(
                f"{self._noun}{_public_url(request.url)}{about} did not answer within {self.timeout:g} s "
                "(timed out; --timeout bounds each request, from connect to the last byte of the answer)"))
        verb = "cannot reach" if never else "no answer from"
        error = EndpointError(
            f"{verb} {self._noun}{_public_url(request.url)}{about}: {self._describe(last_error)} "
            f"(after {attempt + 1} attempt(s))"
        )
        raise error if never else _reached(error)

    def _describe(self, err: Exception | None) -> str:
        if isinstance(err, _Expired):
            return f"timed out: no complete answer within {self.timeout:g} s (--timeout)"
        return describe_error(err)

    def _session_for_deadlines(self) -> requests.Session:
        import requests

        if self._session is None:
            self._session = requests.Session()
            adapter = _deadline_adapter()
            self._session.mount("http://", adapter)
            self._session.mount("https://", adapter)
        return self._session

    def _send_once(self, request: HttpRequest, on_bytes: ByteCounter | None) -> HttpResponse:
        import requests

        session = self._session_for_deadlines()
        headers = {"User-Agent": "newskg", **request.headers}
        body = request.body if request.body is None or isinstance(request.body, bytes) else \
            _ProgressFile(request.body, on_bytes)
        deadline = _Deadline(self.timeout)
        try:
            with deadline:
                try:
                    answer = session.request(
                        request.method, request.url, data=body, headers=headers,
                        auth=self.login.requests_auth(request.url), timeout=(self.timeout, self.timeout),
                        # A redirect could carry the request to another host; the store's own URL is wanted.
                        allow_redirects=False, stream=True,
                    )
                    try:
                        payload = self._read_answer(answer, request)
                    finally:
                        answer.close()
                    if deadline.expired:  # the shut-down socket read as the end of a complete answer
                        raise _Expired("the deadline passed while the answer was read")
                except (requests.exceptions.RequestException, OSError) as err:
                    if deadline.expired:
                        raise _Expired(str(err)) from err
                    raise
        except BaseException:
            if isinstance(body, _ProgressFile):
                body.seek(0)  # the bar gives back what may be sent again
            raise
        finally:
            if isinstance(body, _ProgressFile):
                body.close()
        if on_bytes and isinstance(request.body, bytes):
            on_bytes(len(request.body))
        return HttpResponse(answer.status_code, answer.reason or "", payload,
                            {k.lower(): v for k, v in answer.headers.items()})

    def _read_answer(self, answer, request: HttpRequest) -> bytes:
        """The answer's body, streamed: whole up to ``request.answer_limit`` (beyond it an
        EndpointError), else its first SUMMARY_BYTES."""
        cap = request.answer_limit or SUMMARY_BYTES
        declared = answer.headers.get("content-length", "")
        if request.answer_limit and declared.isdigit() and int(declared) > cap:
            raise self._too_large(request, cap)
        chunks, size = [], 0
        for chunk in answer.iter_content(64 * 1024):
            chunks.append(chunk)
            size += len(chunk)
            if size > cap:
                if request.answer_limit:
                    raise self._too_large(request, cap)
                break  # only a summary is wanted; closing drops the rest
        return b"".join(chunks)[:cap]

    def _too_large(self, request: HttpRequest, cap: int) -> EndpointError:
        return _reached(EndpointError(
            f"{self._noun}{_public_url(request.url)} answered more than {describe(cap)}, the limit for one "
            "answer (NEWSKG_MAX_RESPONSE_BYTES); ask for less (--limit) or raise the limit"))


def _reached(error):
    """Mark ``error`` as raised after the request may have reached the store."""
    error.reached = True
    return error


# --- the deadline --------------------------------------------------------------------------------

_current = threading.local()


class _Expired(Exception):
    """The request's deadline passed (its socket was shut down by the watchdog)."""


class _Deadline:
    """A watchdog for one request: at ``seconds`` it shuts down the socket of every connection
    the request used (found through ``_current``), which ends any send or receive blocked on it."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.expired = False
        self._connections: list = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        _current.deadline = self
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()
        _current.deadline = None

    def attach(self, watched) -> None:
        """Watch a connection (as it starts a request) or its socket (once the request is sent:
        a connection that will close hands its socket to the response and forgets it)."""
        with self._lock:
            self._connections.append(watched)
            if self.expired:
                _shut(watched)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for watched in self._connections:
                _shut(watched)


def _shut(watched) -> None:
    sock = watched if isinstance(watched, socket.socket) else getattr(watched, "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed
            sock.shutdown(socket.SHUT_RDWR)


_adapter_class: type | None = None


def _deadline_adapter():
    """A requests adapter whose connections report to the current request's deadline.

    Built on first use: requests and urllib3 are imported only by commands that talk to a store.
    """
    global _adapter_class
    if _adapter_class is None:
        from requests.adapters import HTTPAdapter
        from urllib3.connection import HTTPConnection, HTTPSConnection
        from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

        def watched(base: type) -> type:
            class Watched(base):
                def request(self, *args, **kwargs):
                    deadline = getattr(_current, "deadline", None)
                    if deadline is not None:
                        deadline.attach(self)
                    result = super().request(*args, **kwargs)
                    if deadline is not None and self.sock is not None:
                        deadline.attach(self.sock)
                    return result
            return Watched

        class Pool(HTTPConnectionPool):
            ConnectionCls = watched(HTTPConnection)

        class SecurePool(HTTPSConnectionPool):
            ConnectionCls = watched(HTTPSConnection)

        pools = {"http": Pool, "https": SecurePool}

        class Adapter(HTTPAdapter):
            def init_poolmanager(self, *args, **kwargs):
                super().init_poolmanager(*args, **kwargs)
                self.poolmanager.pool_classes_by_scheme = pools

            def proxy_manager_for(self, *args, **kwargs):
                manager = super().proxy_manager_for(*args, **kwargs)
                manager.pool_classes_by_scheme = pools
                return manager

        _adapter_class = Adapter
    return _adapter_class()


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
    if isinstance(err, requests.exceptions.ChunkedEncodingError):
        return "lost the connection in the middle of the answer (it was cut short)"
    if isinstance(err, requests.exceptions.ContentDecodingError):
        return "sent an answer whose compression does not decode"
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

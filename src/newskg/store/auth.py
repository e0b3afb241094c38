"""Who we are at each host we talk to, and how the password travels.

Credentials come from NEWSKG_USER / NEWSKG_PASSWORD (for the store's own host) or
a netrc file (looked up per host of each URL), never from the command line or a
URL, and each host gets only its own. The password never appears in a repr,
message or log. How it is sent follows the preset's scheme (``endpoints.AUTH_SCHEMES``);
the Digest and Basic arithmetic itself is requests', for loads and queries alike, not ours.
"""

from __future__ import annotations

import netrc
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from newskg.errors import UsageError
from newskg.store.endpoints import AUTH_SCHEMES, PASSWORD_ENV, USER_ENV, Endpoints

if TYPE_CHECKING:
    import requests

    #: What requests takes as ``auth=``: a callable that adds headers (and hooks) to a request.
    RequestsAuth = Callable[[requests.PreparedRequest], requests.PreparedRequest]


@dataclass(frozen=True)
class Credentials:
    """A user name and password for HTTP auth; the password never appears in repr()."""

    user: str
    password: str = field(repr=False)
    source: str = "environment"


def find_credentials(url: str, environ: Mapping[str, str] | None = None, *,
                     store_host: str | None = None) -> Credentials | None:
    """Credentials for the host of ``url``: from the environment, else from netrc.

    NEWSKG_USER/NEWSKG_PASSWORD belong to ``store_host`` (any host when None);
    for another host only its own netrc entry is used. The netrc file is $NETRC
    if set, else ~/.netrc; a missing file means no credentials. Raises
    UsageError when only one of the two variables is set or the netrc file does
    not parse.
    """
    env = os.environ if environ is None else environ
    host = urlsplit(url).hostname or ""
    user, password = env.get(USER_ENV), env.get(PASSWORD_ENV)
    if user or password:
        if not (user and password):
            missing = PASSWORD_ENV if user else USER_ENV
            raise UsageError(f"{missing} is not set (both {USER_ENV} and {PASSWORD_ENV} are needed)")
        if store_host is None or host == store_host:
            return Credentials(user, password, f"{USER_ENV}/{PASSWORD_ENV}")
    path = Path(env["NETRC"]) if env.get("NETRC") else Path.home() / ".netrc"
    if not path.is_file():
        return None
    try:
        entry = netrc.netrc(str(path)).authenticators(host)
    except netrc.NetrcParseError as err:
        # The parser's own message quotes the token it stumbled on, which may be a password.
        if "too permissive" in (err.msg or ""):
            raise UsageError(f"netrc file {path} can be read by other users; chmod 600 it") from None
        raise UsageError(f"cannot read netrc file {path}: a syntax error near line {err.lineno} (the line "
                         "is not shown: it may hold a password); fix that line") from None
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) else "it is not UTF-8 text"
        raise UsageError(f"cannot read netrc file {path}: {reason}") from None
    if not entry or not entry[0] or entry[2] is None:
        return None
    return Credentials(entry[0], entry[2], f"netrc file {path}")


def offered_schemes(challenge: str) -> dict[str, str | None]:
    """The auth schemes a WWW-Authenticate header offers (``basic``, ``digest``), each with its realm."""
    found: dict[str, str | None] = {}
    starts = list(re.finditer(r"(?:^|,)\s*([A-Za-z][\w-]*)\s+(?=[\w-]+=)", challenge))
    for index, start in enumerate(starts):
        scheme = start.group(1).lower()
        end = starts[index + 1].start() if index + 1 < len(starts) else len(challenge)
        realm = re.search(r'\brealm="([^"]*)"', challenge[start.end():end], re.IGNORECASE)
        if scheme in ("basic", "digest"):
            found.setdefault(scheme, realm.group(1) if realm else None)
    return found


def choose_scheme(policy: str, challenge: str | None) -> str | None:
    """The scheme to answer ``challenge`` with under ``policy``; None to send no password.

    ``digest`` never falls back to Basic: a store that asks only for Basic gets
    nothing (and the caller says why).
    """
    offered = offered_schemes(challenge or "")
    if policy == "basic":
        return "basic"
    if "digest" in offered:
        return "digest"
    if policy == "any" and "basic" in offered:
        return "basic"
    return None


class Login:
    """The credentials of each host a command talks to, and the preset's way of sending them.

    Looked up once per host; ``environ`` defaults to the process environment.
    """

    def __init__(self, scheme: str = "any", store_host: str | None = None,
                 environ: Mapping[str, str] | None = None):
        if scheme not in AUTH_SCHEMES:
            raise ValueError(f"unknown auth scheme {scheme!r}")
        self.scheme, self.store_host, self._environ = scheme, store_host, environ
        self._credentials: dict[str, Credentials | None] = {}
        self._auth: dict[str, RequestsAuth] = {}

    @classmethod
    def for_endpoints(cls, endpoints: Endpoints, environ: Mapping[str, str] | None = None) -> Login:
        """The login for a store: its preset's scheme; the environment's credentials for its host."""
        return cls(endpoints.auth_scheme, endpoints.store_host, environ)

    def credentials(self, url: str) -> Credentials | None:
        """Credentials for the host of ``url``, or None."""
        host = urlsplit(url).hostname or ""
        if host not in self._credentials:
            self._credentials[host] = find_credentials(url, self._environ, store_host=self.store_host)
        return self._credentials[host]

    def describe(self, urls: list[str]) -> list[str]:
        """One line per host: the user and where it came from (never the password)."""
        way = {"any": "Digest or Basic, as the store asks", "digest": "Digest only",
               "basic": "Basic with every request"}[self.scheme]
        lines, seen = [], set()
        for url in urls:
            host = urlsplit(url).hostname or ""
            if host in seen:
                continue
            seen.add(host)
            creds = self.credentials(url)
            who = f"user {creds.user!r} (from {creds.source})" if creds else "no credentials"
            lines.append(f"auth for {host}: {who}; {way}")
        return lines

    def requests_auth(self, url: str) -> RequestsAuth:
        """A requests auth object for ``url``'s host (one per host, so Digest reuses its nonce)."""
        host = urlsplit(url).hostname or ""
        if host not in self._auth:
            self._auth[host] = make_requests_auth(self.scheme, self.credentials(url))
        return self._auth[host]

    def refusal_hint(self, url: str, challenge: str | None) -> str:
        """Why a store answered 401/403, and what to do, for an error message."""
        creds = self.credentials(url)
        offered = offered_schemes(challenge or "")
        if creds is None:
            return f" (the store asks for a login: set {USER_ENV}/{PASSWORD_ENV} or a netrc entry)"
        if self.scheme == "digest" and offered and "digest" not in offered:
            return (" (the store asks for Basic auth; this preset sends the password only by "
                    "Digest, never in clear)")
        return f" (the login of user {creds.user!r} from {creds.source} was refused)"


def make_requests_auth(scheme: str, creds: Credentials | None) -> RequestsAuth:
    """requests' own Basic or Digest auth for ``scheme``, or, for ``any``, the one the store asks for.

    Without credentials the object sends nothing; it is still passed on every
    request, because requests would otherwise read ~/.netrc by itself and send
    its entry as Basic, whatever the preset says.
    """
    import requests

    if creds is None:
        return _NoAuth()
    if scheme == "basic":
        return requests.auth.HTTPBasicAuth(creds.user, creds.password)
    if scheme == "digest":
        return requests.auth.HTTPDigestAuth(creds.user, creds.password)
    return _ChallengedAuth(creds)


class _NoAuth:
    """Sends no credentials (and stops requests from looking in ~/.netrc)."""

    def __call__(self, request):
        return request


class _ChallengedAuth:
    """Sends nothing until the store answers 401, then answers with Digest if the
    challenge offers it, else Basic, and keeps that choice (curl's --anyauth).

    The Digest and Basic headers are made by requests' HTTPDigestAuth and
    HTTPBasicAuth; this only picks one and sends the request again.
    """

    def __init__(self, creds: Credentials):
        self._creds = creds
        self._chosen: RequestsAuth | None = None

    def __call__(self, request):
        if self._chosen is not None:
            return self._chosen(request)
        position = _body_position(request.body)
        request.register_hook("response", lambda response, **kwargs: self._answer(response, position, **kwargs))
        return request

    def _answer(self, response, position, **kwargs):
        import requests

        if response.status_code != 401 or self._chosen is not None:
            return response
        scheme = choose_scheme("any", response.headers.get("www-authenticate"))
        if scheme is None:
            return response
        if position is not None:
            response.request.body.seek(position)  # the body is sent again
        if scheme == "digest":
            self._chosen = requests.auth.HTTPDigestAuth(self._creds.user, self._creds.password)
            # Let requests' Digest read this very challenge: prime it with a copy of the
            # request (its per-request state), then hand it the 401.
            self._chosen(response.request.copy())
            return self._chosen.handle_401(response, **kwargs)
        self._chosen = requests.auth.HTTPBasicAuth(self._creds.user, self._creds.password)
        response.content  # noqa: B018 - read it, so the connection can be released
        response.close()
        again = self._chosen(response.request.copy())
        answer = response.connection.send(again, **kwargs)
        answer.history.append(response)
        answer.request = again
        return answer


def _body_position(body) -> int | None:
    tell = getattr(body, "tell", None)
    return tell() if tell is not None else None

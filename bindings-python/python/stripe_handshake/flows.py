"""Route helpers for a whole OAuth flow: ``start`` builds the link with a state token bound to
the session; ``finish`` verifies the callback (the state's nonce consumed in the store, so a
reload is refused before anything is sent), exchanges the code once, and reads the token. Thin:
every rule is the core's; the only I/O is the one token request, through ``send``.

    connect = ConnectOAuthFlow(client_id=..., secret_key=..., redirect_uri=..., allow_list=allow,
                               state_keys=keys, store=store)
    # GET /connect:                redirect(connect.start(session_id=sid))
    # GET /stripe/oauth/callback:  r = connect.finish(request.query_string.decode(), session_id=sid)
    #                              r.outcome == "connected" (r.token) or "denied" (r.kind)
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Callable, Optional, Sequence, Tuple, Union

from . import _native
from .errors import InvalidInputError
from .records import Denied, HttpRequest, TokenResponse
from .stores import OneTimeStore

__all__ = ["Connected", "ConnectOAuthFlow"]

Send = Callable[[HttpRequest], Tuple[int, bytes]]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """The code (and the key) go to the token endpoint only: a redirect is an answer, not followed."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)
_MAX_READ = 64 * 1024 + 1  # one byte over the core's cap on token responses: it refuses larger


def _urllib_send(req: HttpRequest) -> Tuple[int, bytes]:
    """The token request with the standard library: a 10 s timeout, no redirects followed, at
    most one byte over the response cap read; an HTTP error is an answer."""
    r = urllib.request.Request(req.url, data=req.body.encode(), method=req.method, headers=dict(req.headers))
    try:
        with _OPENER.open(r, timeout=10) as res:
            return res.status, res.read(_MAX_READ)
    except urllib.error.HTTPError as e:
        return e.code, e.read(_MAX_READ)


@dataclass(frozen=True)
class Connected:
    """A connected account's token."""

    token: TokenResponse
    state_data: Optional[str]
    outcome: str = "connected"


class ConnectOAuthFlow:
    """Connect OAuth (Standard or Express accounts), start to token."""

    def __init__(
        self,
        *,
        client_id: str,
        secret_key: str,
        allow_list: Any,
        state_keys: Sequence[Any],
        store: OneTimeStore,
        redirect_uri: Optional[str] = None,
        account_type: str = "standard",
        scope: str = "read_write",
        base_url: Optional[str] = None,
        mode: Optional[str] = None,
        send: Optional[Send] = None,
    ) -> None:
        if not isinstance(allow_list, _native.RedirectAllowList):
            raise InvalidInputError("allow_list: pass a RedirectAllowList of your callback URLs", "invalid_argument", "invalid_input")
        if not state_keys:
            raise InvalidInputError("state_keys: pass the state keys ([(id, key)])", "invalid_argument", "invalid_input")
        if not callable(getattr(store, "consume", None)):
            raise InvalidInputError("store: pass a one-time store (MemoryStore, RedisStore, PostgresStore): each state is used once",
                                    "invalid_argument", "invalid_input")
        _native.parse_secret_key(secret_key)  # a secret key (sk_live_ or sk_test_), checked now
        # ``mode`` ("live" or "test"), when given, is signed into each state; the exchange then
        # refuses a key of another mode before anything is sent.
        self._mode = mode
        self._client_id, self._secret_key, self._allow_list = client_id, secret_key, allow_list
        self._state_keys, self._store, self._redirect_uri = list(state_keys), store, redirect_uri
        self._account_type, self._scope, self._base_url = account_type, scope, base_url
        self._send = send or _urllib_send

    def start(self, *, session_id: Union[str, bytes], data: Optional[str] = None) -> str:
        """The link to send the user to, with a fresh state token bound to ``session_id``."""
        state = _native.issue_state_token(keys=self._state_keys, flow="connect_oauth", session_id=session_id, data=data,
                                          mode=self._mode)
        scope = None if self._account_type == "express" else self._scope
        link: str = _native.connect_oauth_link(client_id=self._client_id, account_type=self._account_type, scope=scope,
                                               redirect_uri=self._redirect_uri, state=state, base_url=self._base_url,
                                               allow_list=self._allow_list)
        return link

    def finish(self, callback: str, *, session_id: Union[str, bytes]) -> Union[Connected, Denied]:
        """Verifies the callback (its query, or the URL, as received) for ``session_id``, consumes
        its state, exchanges the code once and reads the token; or returns the denial. Raises the
        typed refusal otherwise (``state_replayed`` for a reload: nothing is sent again)."""
        from . import verify_oauth_callback  # the one-time form (the store is consumed)

        # An absolute URL gives its query; anything else is the query itself (the core reads it).
        query = urllib.parse.urlsplit(callback).query if callback.lower().startswith(("http://", "https://")) else callback
        r = verify_oauth_callback(query, flow="connect_oauth", state_keys=self._state_keys, session_id=session_id, store=self._store)
        if r.outcome != "authorized":
            return r
        # The key against the state's mode (when the flow has one), before anything is sent.
        req = _native.code_exchange_request(authorization=r, secret_key=self._secret_key, base_url=self._base_url)
        token = _native.parse_token_response(*self._send(req))
        return Connected(token=token, state_data=r.state_data)

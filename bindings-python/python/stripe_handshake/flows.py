"""Route helpers for whole flows: ``start`` builds the link with a state token bound to the
session; ``finish`` verifies the callback (its state's nonce consumed in the store, so a reload is
refused before anything is sent) and, for OAuth, exchanges the code once and reads the token.
Thin: every rule is the core's; the only I/O is the one token request, through ``send``.

    connect = ConnectOAuthFlow(client_id=..., secret_key=..., redirect_uri=..., allow_list=allow,
                               state_keys=keys, store=store)
    # GET /connect:                redirect(connect.start(session_id=sid))
    # GET /stripe/oauth/callback:  r = connect.finish(request.url, session_id=sid)
    #                              r.outcome == "connected" (r.token) or "denied" (r.kind)

    app = StripeAppFlow(access_type="install_link", link_id=..., secrets=..., allow_list=allow,
                        state_keys=keys, store=store)
    # GET /install:                redirect(app.start(session_id=sid))
    # GET /stripe/callback:        r = app.finish(request.url, session_id=sid)
    #                              r.outcome == "installed" (r.account_id), "denied", or (with
    #                              marketplace) "marketplace_install"; access_type="oauth": "connected"
    #                              (r.token) or, with marketplace, "marketplace_connected"
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
import asyncio
import inspect
from typing import Any, Awaitable, Callable, Literal, Optional, Sequence, Tuple, Union

from . import _native
from .errors import InvalidInputError
from .records import Denied, HttpRequest, Installed, MarketplaceInstall, TokenResponse
from . import _one_time
from .stores import AsyncOneTimeStore, OneTimeStore

__all__ = ["AppConnected", "Connected", "ConnectOAuthFlow", "StripeAppFlow"]

Send = Callable[[HttpRequest], Tuple[int, bytes]]
# An async send (e.g. with httpx.AsyncClient) for finish_async; a plain Send runs in a worker thread.
AsyncSend = Callable[[HttpRequest], Awaitable[Tuple[int, bytes]]]


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


@dataclass(frozen=True)
class AppConnected:
    """An OAuth-type Stripe App's install: the code exchanged once. ``outcome`` is ``connected``
    (started by your link, state checked) or ``marketplace_connected`` (from the Marketplace,
    accepted with ``marketplace="accept"``: nothing ties it to this browser)."""

    token: TokenResponse
    user_id: str  # the Stripe user who installed (usr_...), as the redirect named them
    account_id: str  # the token's stripe_user_id: Stripe's answer to your key
    state_data: Optional[str]
    outcome: str = "connected"


def _invalid(what: str) -> InvalidInputError:
    return InvalidInputError(what, "invalid_argument", "invalid_input")


def _check_common(allow_list: Any, state_keys: Sequence[Any], store: Union[OneTimeStore, AsyncOneTimeStore]) -> None:
    """The options every flow needs: where the user comes back, the keys, the store."""
    if not isinstance(allow_list, _native.RedirectAllowList):
        raise _invalid("allow_list: pass a RedirectAllowList of your callback URLs")
    if not state_keys:
        raise _invalid("state_keys: pass the state keys ([(id, key)])")
    if not callable(getattr(store, "consume", None)):
        raise _invalid("store: pass a one-time store (MemoryStore, RedisStore, PostgresStore): each state is used once")


def _query_of(callback: Union[str, bytes]) -> str:
    """An absolute URL (``request.url``) or a path with its query (``request.full_path``) gives its
    query; bytes are ``request.query_string``; anything else is the query itself (the core reads
    it, refusing what is malformed)."""
    if isinstance(callback, bytes):
        # A byte that is not UTF-8 becomes a lone surrogate, which the core refuses (malformed_input).
        return callback.decode("utf-8", "surrogateescape")
    if callback.lower().startswith(("http://", "https://")):
        return urllib.parse.urlsplit(callback).query
    if callback.startswith("/"):
        return callback.partition("?")[2]
    return callback


def _exchange(send: Send, authorization: Any, secret_key: str, base_url: Optional[str]) -> TokenResponse:
    """The code exchanged once: the key is checked against the state's mode (when the flow has
    one) before anything is sent."""
    req = _native.code_exchange_request(authorization=authorization, secret_key=secret_key, base_url=base_url)
    return _native.parse_token_response(*send(req))


async def _exchange_async(send: Union[Send, AsyncSend], authorization: Any, secret_key: str, base_url: Optional[str]) -> TokenResponse:
    """:func:`_exchange` for asyncio: an async ``send`` is awaited, a plain one (urllib by
    default) runs in a worker thread."""
    req = _native.code_exchange_request(authorization=authorization, secret_key=secret_key, base_url=base_url)
    answer: Any = await send(req) if inspect.iscoroutinefunction(send) else await asyncio.to_thread(send, req)
    status, body = await answer if inspect.isawaitable(answer) else answer
    return _native.parse_token_response(status, body)


class ConnectOAuthFlow:
    """Connect OAuth (Standard or Express accounts), start to token."""

    def __init__(
        self,
        *,
        client_id: str,
        secret_key: str,
        allow_list: Any,
        state_keys: Sequence[Any],
        store: Union[OneTimeStore, AsyncOneTimeStore],
        redirect_uri: Optional[str] = None,
        account_type: str = "standard",
        scope: str = "read_write",
        base_url: Optional[str] = None,
        mode: Optional[str] = None,
        send: Optional[Union[Send, AsyncSend]] = None,
    ) -> None:
        _check_common(allow_list, state_keys, store)
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

    def finish(self, callback: Union[str, bytes], *, session_id: Union[str, bytes]) -> Union[Connected, Denied]:
        """Verifies the callback (its query, or the URL, as received) for ``session_id``, consumes
        its state, exchanges the code once and reads the token; or returns the denial. Raises the
        typed refusal otherwise (``state_replayed`` for a reload: nothing is sent again)."""
        from . import verify_oauth_callback  # the one-time form (the store is consumed)

        r = verify_oauth_callback(_query_of(callback), flow="connect_oauth", state_keys=self._state_keys, session_id=session_id,
                                  store=self._store)  # type: ignore[arg-type]  # an async store is refused, typed: finish_async
        if r.outcome != "authorized":
            return r
        return Connected(token=_exchange(self._send, r, self._secret_key, self._base_url), state_data=r.state_data)  # type: ignore[arg-type]

    async def finish_async(self, callback: Union[str, bytes], *, session_id: Union[str, bytes]) -> Union[Connected, Denied]:
        """:meth:`finish` for asyncio: an async store (``AsyncRedisStore``) and an async ``send``
        are awaited; synchronous ones run in a worker thread, never on the event loop."""
        r = await _one_time.call_async("verify_oauth_callback", _query_of(callback), flow="connect_oauth", state_keys=self._state_keys,
                                       session_id=session_id, store=self._store)
        if r.outcome != "authorized":
            return r  # type: ignore[no-any-return]
        return Connected(token=await _exchange_async(self._send, r, self._secret_key, self._base_url), state_data=r.state_data)


class StripeAppFlow:
    """A Stripe App's install, start to result, by the app's access type (its manifest's
    ``stripe_api_access_type``, never the callback's shape): ``install_link`` apps come back
    signed (``install_signature``, checked with the app's ``absec_`` secrets); ``oauth`` apps come
    back with a code, exchanged once at the Apps token endpoint."""

    def __init__(
        self,
        *,
        access_type: Literal["install_link", "oauth"],
        allow_list: Any,
        state_keys: Sequence[Any],
        store: Union[OneTimeStore, AsyncOneTimeStore],
        link_id: Optional[str] = None,
        secrets: Union[str, Sequence[str], None] = None,
        client_id: Optional[str] = None,
        secret_key: Optional[str] = None,
        test_link_id: Optional[str] = None,
        mode: Optional[str] = None,
        redirect_uri: Optional[str] = None,
        marketplace: Optional[Literal["refuse", "accept", "accept_ui_extension_form"]] = None,
        base_url: Optional[str] = None,
        send: Optional[Union[Send, AsyncSend]] = None,
    ) -> None:
        _check_common(allow_list, state_keys, store)
        if access_type not in ("install_link", "oauth"):
            raise _invalid("access_type: pass 'install_link' or 'oauth' (your stripe-app.json's stripe_api_access_type)")
        if access_type == "oauth":
            _native.parse_secret_key(secret_key)  # type: ignore[arg-type]  # the key that exchanges the code, checked now
        elif secrets is None:
            raise _invalid("secrets: pass the app's signing secret (absec_...): install links come back signed with it")
        self._access_type, self._allow_list, self._state_keys, self._store = access_type, allow_list, list(state_keys), store
        # An OAuth app's key was checked above; an install-link app exchanges nothing.
        self._link_id, self._secrets, self._client_id, self._secret_key = link_id, secrets, client_id, secret_key or ""
        self._test_link_id, self._mode, self._redirect_uri = test_link_id, mode, redirect_uri
        self._marketplace, self._base_url, self._send = marketplace, base_url, send or _urllib_send

    def start(self, *, session_id: Union[str, bytes], data: Optional[str] = None) -> str:
        """The link to send the user to (the install link, or the Apps OAuth link), with a fresh
        state token bound to ``session_id``."""
        link: str
        if self._access_type == "install_link":
            state = _native.issue_state_token(keys=self._state_keys, flow="install_link", session_id=session_id, data=data)
            link = _native.install_link(link_id=self._link_id, redirect_uri=self._redirect_uri, state=state,  # type: ignore[arg-type]
                                        base_url=self._base_url, allow_list=self._allow_list)
            return link
        state = _native.issue_state_token(keys=self._state_keys, flow="apps_oauth", session_id=session_id, data=data, mode=self._mode)
        link = _native.apps_oauth_link(client_id=self._client_id, redirect_uri=self._redirect_uri, state=state,  # type: ignore[arg-type]
                                       test_link_id=self._test_link_id, base_url=self._base_url, mode=self._mode,
                                       allow_list=self._allow_list)
        return link

    def finish(self, callback: Union[str, bytes], *,
               session_id: Union[str, bytes]) -> Union[Installed, MarketplaceInstall, AppConnected, Denied]:
        """Verifies the callback (its URL or query, as received) for ``session_id`` and consumes its
        state (or, for a Marketplace authorization, its code): a reload is refused before anything
        is sent. Install links give the verified install (``installed``, or ``marketplace_install``
        when ``marketplace`` accepts them) or the denial; OAuth apps exchange the code once."""
        from . import verify_app_callback  # the one-time form (the store is consumed)

        r = verify_app_callback(_query_of(callback), access_type=self._access_type, secrets=self._secrets,
                                state_keys=self._state_keys, session_id=session_id,
                                store=self._store,  # type: ignore[arg-type]  # an async store is refused, typed: finish_async
                                marketplace=self._marketplace)
        if r.outcome not in ("authorized", "marketplace_authorized"):
            return r  # type: ignore[return-value]
        return self._connected(r, _exchange(self._send, r, self._secret_key, self._base_url))  # type: ignore[arg-type]

    async def finish_async(self, callback: Union[str, bytes], *,
                           session_id: Union[str, bytes]) -> Union[Installed, MarketplaceInstall, AppConnected, Denied]:
        """:meth:`finish` for asyncio: an async store (``AsyncRedisStore``) and an async ``send``
        are awaited; synchronous ones run in a worker thread, never on the event loop."""
        r = await _one_time.call_async("verify_app_callback", _query_of(callback), access_type=self._access_type, secrets=self._secrets,
                                       state_keys=self._state_keys, session_id=session_id, store=self._store,
                                       marketplace=self._marketplace)
        if r.outcome not in ("authorized", "marketplace_authorized"):
            return r  # type: ignore[no-any-return]
        return self._connected(r, await _exchange_async(self._send, r, self._secret_key, self._base_url))

    @staticmethod
    def _connected(r: Any, token: TokenResponse) -> AppConnected:
        outcome = "connected" if r.outcome == "authorized" else "marketplace_connected"
        return AppConnected(token=token, user_id=r.user_id, account_id=token.stripe_user_id,
                            state_data=getattr(r, "state_data", None), outcome=outcome)

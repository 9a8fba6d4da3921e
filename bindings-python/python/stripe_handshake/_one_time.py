"""One-time state tokens (and Marketplace codes) through the caller's store. The core says which
operations check them and which result fields hold each entry's id and expiry, in which namespace
(``records.ONE_TIME``, from the schema), refuses a call with neither ``store`` nor
``replay="unchecked"``, and decides what the store's answer means (``one_time_outcome``). This
wrapper takes the store out of the arguments and calls the operation's consuming form
(``_native._consuming_<name>``), so no argument can claim that a store was given; then it calls
the store."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, Callable, Dict, Optional, TypeVar

from . import _native
from .errors import StoreError, StripeHandshakeError
from .records import ONE_TIME

F = TypeVar("F", bound=Callable[..., Any])


def _is_store(v: object) -> bool:
    return callable(getattr(v, "consume", None))


def wrap(f: F) -> F:
    """``f`` with its state token consumed in ``store=`` before the result is returned."""
    entries = ONE_TIME[f.__name__]
    consuming: Callable[..., Any] = getattr(_native, f"_consuming_{f.__name__}")

    @functools.wraps(f)
    def checked(*args: Any, **kwargs: Any) -> Any:
        store: Optional[object] = kwargs.get("store")
        options: Optional[Dict[str, Any]] = None
        if store is None and len(args) > 1 and isinstance(args[1], Mapping):
            options = dict(args[1])  # the options given positionally, read once
            store = options.get("store")
        if not _is_store(store):
            return f(*args, **kwargs)  # no store (or not a store: the core refuses it by name)
        if options is None:
            kwargs = {k: v for k, v in kwargs.items() if k != "store"}
        else:
            del options["store"]
            args = (args[0], options, *args[2:])
        r = consuming(*args, **kwargs)  # every refusal happens here, before the store is asked
        # A result has at most one entry: a token's nonce, or a Marketplace authorization's code id.
        entry = next(((ns, getattr(r, i), getattr(r, x)) for ns, i, x in entries if getattr(r, i, None) is not None), None)
        if entry is None:  # a denial or a Marketplace install: nothing to consume
            return r
        namespace, id_, expires_at = entry
        try:
            answer = store.consume(namespace, id_, expires_at)  # type: ignore[union-attr]
        except StripeHandshakeError:
            raise
        except Exception as e:  # the store's own failure: never an accept
            try:
                _native.one_time_outcome(None, namespace=namespace)
            except StoreError as err:
                # Its class only: a client's error can hold the key, and the key a nonce.
                raise err from ConnectionError(f"the store failed: {type(e).__name__}")
            raise
        _native.one_time_outcome(answer, namespace=namespace)  # state_replayed, code_replayed, store_unavailable
        return r

    return checked  # type: ignore[return-value]

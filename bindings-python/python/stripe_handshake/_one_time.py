"""One-time state tokens through the caller's store. The core says which operations check
state tokens and which result fields hold the nonce and its expiry (``records.ONE_TIME``, from
the schema), refuses a call with neither ``store`` nor ``replay="unchecked"``, and decides what
the store's answer means (``one_time_outcome``). This wrapper only calls the store."""

from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

from . import _native
from .errors import StoreError, StripeHandshakeError
from .records import ONE_TIME

F = TypeVar("F", bound=Callable[..., Any])


def wrap(f: F) -> F:
    """``f`` with its state token consumed in ``store=`` before the result is returned."""
    namespace, id_field, expires_field = ONE_TIME[f.__name__]

    @functools.wraps(f)
    def checked(*args: Any, **kwargs: Any) -> Any:
        store = kwargs.get("store")
        if store is None:
            return f(*args, **kwargs)
        # The core takes `store=True` for an object that can consume, and refuses anything else.
        kwargs["store"] = callable(getattr(store, "consume", None))
        r = f(*args, **kwargs)  # every refusal happens here, before the store is asked
        nonce = getattr(r, id_field, None)
        if nonce is None:  # a denial or a Marketplace install: no token was checked
            return r
        try:
            answer = store.consume(namespace, nonce, getattr(r, expires_field))
        except StripeHandshakeError:
            raise
        except Exception as e:  # the store's own failure: never an accept
            try:
                _native.one_time_outcome(None, namespace=namespace)
            except StoreError as err:
                raise err from e
            raise
        _native.one_time_outcome(answer, namespace=namespace)  # state_replayed, store_unavailable
        return r

    return checked  # type: ignore[return-value]

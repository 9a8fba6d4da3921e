"""One-time state tokens (and Marketplace codes) through the caller's store. The core says which
operations check them and which result fields hold each entry's id and expiry, in which namespace
(``_schema.ONE_TIME``, from the schema), refuses a call with neither ``store`` nor
``replay="unchecked"``, and decides what the store's answer means (``one_time_outcome``). This
wrapper takes the store out of the arguments and calls the operation's consuming form
(``_native._consuming_<name>``), so no argument can claim that a store was given; then it calls
the store."""

from __future__ import annotations

# The module `collections.abc` re-exports (already loaded by every interpreter: `os` imports
# it); `collections.abc` itself, `functools` and `typing` would cost most of the package's import.
from _collections_abc import Mapping

from . import _native
from ._schema import ONE_TIME
from .errors import InvalidInputError, StoreError, StripeHandshakeError

TYPE_CHECKING = False  # type checkers read it as true: these names are for annotations only
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, Optional, Tuple, TypeVar

    F = TypeVar("F", bound=Callable[..., Any])


def _is_store(v: object) -> bool:
    return callable(getattr(v, "consume", None))


_ASYNC_STORE = ("store: an async store (AsyncRedisStore, AsyncPostgresStore) cannot answer a synchronous check: pass its "
                "synchronous twin (RedisStore, PostgresStore), or call the flow's finish_async")


class _Call:
    """One call of a one-time operation: the store taken out of the arguments (read once)."""

    def __init__(self, name: str, args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> None:
        self.entries = ONE_TIME[name]
        self.consuming: Callable[..., Any] = getattr(_native, f"_consuming_{name}")
        store: Optional[object] = kwargs.get("store")
        options: Optional[Dict[str, Any]] = None
        if store is None and len(args) > 1 and isinstance(args[1], Mapping):
            options = dict(args[1])  # the options given positionally, read once
            store = options.get("store")
        self.store = store if _is_store(store) else None
        if self.store is not None:
            if options is None:
                kwargs = {k: v for k, v in kwargs.items() if k != "store"}
            else:
                del options["store"]
                args = (args[0], options, *args[2:])
        self.args, self.kwargs = args, kwargs

    def check(self) -> Tuple[Any, Optional[Tuple[str, str, int]]]:
        """The result (every refusal happens here, before the store is asked) and its entry: a
        token's nonce, or a Marketplace authorization's code id; None for a denial or a
        Marketplace install (nothing to consume). A result has at most one."""
        r = self.consuming(*self.args, **self.kwargs)
        entry = next(((ns, getattr(r, i), getattr(r, x)) for ns, i, x in self.entries if getattr(r, i, None) is not None), None)
        return r, entry


def _settle(namespace: str, answer: object, failure: Optional[BaseException]) -> None:
    """What the store's answer (or its failure) means: state_replayed, code_replayed,
    store_unavailable; never an accept for a failure."""
    if isinstance(failure, StripeHandshakeError):
        raise failure
    if failure is not None:
        try:
            _native.one_time_outcome(None, namespace=namespace)
        except StoreError as err:
            # Its class only: a client's error can hold the key, and the key a nonce.
            raise err from ConnectionError(f"the store failed: {type(failure).__name__}")
        raise failure
    _native.one_time_outcome(answer, namespace=namespace)


def wrap(f: F) -> F:
    """``f`` with its state token consumed in ``store=`` before the result is returned."""
    ONE_TIME[f.__name__]  # an operation that checks tokens

    def checked(*args: Any, **kwargs: Any) -> Any:
        c = _Call(f.__name__, args, kwargs)
        if c.store is None:
            return f(*args, **kwargs)  # no store (or not a store: the core refuses it by name)
        # Imported here, once a store is given: at package import `inspect` (ast, dis, re) would
        # cost every process, most of which never pass a store, several milliseconds.
        import inspect

        consume = c.store.consume  # type: ignore[attr-defined]
        if inspect.iscoroutinefunction(consume):
            raise InvalidInputError(_ASYNC_STORE, "invalid_argument", "invalid_input")
        r, entry = c.check()
        if entry is None:
            return r
        namespace, id_, expires_at = entry
        answer: object = None
        failure: Optional[BaseException] = None
        try:
            answer = consume(namespace, id_, expires_at)
        except Exception as e:  # the store's own failure: never an accept
            failure = e
        if inspect.isawaitable(answer):  # an async store behind a plain function
            if inspect.iscoroutine(answer):
                answer.close()
            raise InvalidInputError(_ASYNC_STORE, "invalid_argument", "invalid_input")
        _settle(namespace, answer, failure)
        return r

    # What functools.wraps copies from a native function (which has no __dict__ or
    # __annotations__), without importing functools at package import.
    for attr in ("__module__", "__name__", "__qualname__", "__doc__"):
        setattr(checked, attr, getattr(f, attr))
    checked.__wrapped__ = f  # type: ignore[attr-defined]
    return checked  # type: ignore[return-value]


async def call_async(name: str, *args: Any, **kwargs: Any) -> Any:
    """Operation ``name`` with its state token consumed in ``store=``, which may be async (awaited)
    or synchronous (run in a worker thread: it does network I/O, never on the event loop). A store
    is required: the flows' ``finish_async`` always pass theirs."""
    import asyncio
    import inspect

    c = _Call(name, args, kwargs)
    if c.store is None:
        raise InvalidInputError("store: pass a one-time store", "invalid_argument", "invalid_input")
    r, entry = c.check()
    if entry is None:
        return r
    namespace, id_, expires_at = entry
    consume = c.store.consume  # type: ignore[attr-defined]
    answer: object = None
    failure: Optional[BaseException] = None
    try:
        answer = await consume(namespace, id_, expires_at) if inspect.iscoroutinefunction(consume) else \
            await asyncio.to_thread(consume, namespace, id_, expires_at)
        if inspect.isawaitable(answer):
            answer = await answer
    except Exception as e:
        failure = e
    _settle(namespace, answer, failure)
    return r

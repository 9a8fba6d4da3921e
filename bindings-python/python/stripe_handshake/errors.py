"""The exceptions of stripe-handshake.

Every failure raises a :class:`StripeHandshakeError` subclass whose ``code`` is a stable
snake_case string, the same in Rust, Node, Python and WASM (``signature_mismatch``,
``state_session_mismatch``, ...). Catch the base class for all of them, or a subclass for one
family. The exceptions pickle, so they cross process pools.
"""

from __future__ import annotations

# `typing` costs ~20 ms to import; the annotations below are never evaluated at run time.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Optional, Tuple

__all__ = [
    "StripeHandshakeError",
    "SignatureVerificationError",
    "StateError",
    "RedirectError",
    "OAuthError",
    "InvalidInputError",
    "MalformedInputError",
    "StoreError",
    "InternalError",
]


class StripeHandshakeError(Exception):
    """Base class of every stripe-handshake error.

    Attributes:
        code: stable snake_case code, designed for programmatic use; it never changes meaning.
        family: ``signature``, ``state``, ``redirect``, ``oauth``, ``invalid_input``,
            ``malformed_input``, ``store`` or ``internal``.
        message: what happened and what to do next; never contains a secret.
    """

    code: str
    family: str
    message: str

    def __init__(
        self,
        message: str,
        code: str = "internal",
        family: str = "internal",
        error: Optional[str] = None,
        oauth_kind: Optional[str] = None,
        error_description: Optional[str] = None,
        index: Optional[int] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.family = family
        self._extra = (error, oauth_kind, error_description, index)

    def __reduce__(self) -> Tuple[Any, ...]:
        return (type(self), (self.message, self.code, self.family) + self._extra)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class SignatureVerificationError(StripeHandshakeError):
    """A ``Stripe-Signature`` header or ``install_signature`` did not verify."""


class StateError(StripeHandshakeError):
    """A ``state`` value or token did not check out (possible CSRF)."""


class RedirectError(StripeHandshakeError):
    """A ``redirect_uri`` or an allow-list entry broke the rules.

    Attributes:
        index: for ``invalid_redirect_config``, the index of the bad entry.
    """

    @property
    def index(self) -> Optional[int]:
        return self._extra[3]


class OAuthError(StripeHandshakeError):
    """An OAuth endpoint answered with an error, or its answer was unusable.

    Attributes:
        error: the ``error`` string from Stripe (``invalid_grant``, ...), when it sent one.
        oauth_kind: one of the documented error strings, or ``other``.
        error_description: untrusted text from Stripe: escape it before you display it.
    """

    @property
    def error(self) -> Optional[str]:
        return self._extra[0]

    @property
    def oauth_kind(self) -> Optional[str]:
        return self._extra[1]

    @property
    def error_description(self) -> Optional[str]:
        return self._extra[2]


class InvalidInputError(StripeHandshakeError):
    """An argument, key, secret or configuration is unusable (a caller mistake)."""

    @property
    def index(self) -> Optional[int]:
        return self._extra[3]


class MalformedInputError(StripeHandshakeError):
    """Input from the network (a query string, a body) is malformed or too large."""


class StoreError(StripeHandshakeError):
    """A one-time store (Redis, PostgreSQL, memory) could not answer: nothing was accepted."""


class InternalError(StripeHandshakeError):
    """A bug in stripe-handshake (including a caught panic), or the OS random source failed."""

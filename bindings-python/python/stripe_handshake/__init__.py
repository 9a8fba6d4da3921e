"""stripe-handshake: Stripe install links, Stripe Apps OAuth, Connect OAuth, CSRF state and
Stripe-Signature verification, from a Rust core.

Every function is synchronous and does no I/O. Every failure raises a
:class:`~stripe_handshake.errors.StripeHandshakeError` subclass with a stable ``code``.
"""

from . import errors
from ._native import (
    DEFAULT_TOLERANCE_SECS,
    ERROR_CODES,
    EVENT_LEASE_SECS,
    EVENT_RETENTION_SECS,
    MAX_WEBHOOK_BODY,
    RecordBase,
    RedirectAllowList,
    account_link_request,
    apps_oauth_link,
    apps_token_expiry,
    check_plain_state,
    code_exchange_request,
    connect_oauth_link,
    deauthorize_request,
    diagnose_callback,
    diagnose_redirect_uri,
    diagnose_signature,
    fetch_event_request,
    fetch_related_object_request,
    hmac_sha256,
    install_link,
    install_payload,
    issue_state_token,
    parse_account_link_response,
    parse_deauthorize_response,
    one_time_entry,
    one_time_outcome,
    parse_manifest,
    postgres_statements,
    parse_secret_key,
    parse_token_response,
    plain_state_from_entropy,
    random_state,
    refresh_request,
    retrieve_account_request,
    sign_header,
    verify_deauthorization,
    verify_event_notification,
    verify_account_link_callback,
    verify_app_callback,
    verify_hmac_sha256,
    verify_install_callback,
    verify_oauth_callback,
    verify_signature,
    verify_state_token,
    verify_ui_extension_signature,
    verify_webhook,
    webhook_reply,
)
from ._native import dangerous_verify_ignoring_tolerance as _dangerous_verify_ignoring_tolerance
from ._verifier import Verifier
from . import _one_time

from ._schema import ONE_TIME as _ONE_TIME

# The operations that check state tokens consume the token's nonce in the caller's store
# (``store=``), or take ``replay="unchecked"``: which ones is the core's (``_schema.ONE_TIME``).
for _name in _ONE_TIME:
    globals()[_name] = _one_time.wrap(globals()[_name])
# `collections.abc.Mapping` itself, from the module every interpreter has loaded (`os` imports it).
from _collections_abc import Mapping as _Mapping

# A result record reads as attributes and as a read-only mapping (dict(record) works).
_Mapping.register(RecordBase)
from .errors import (
    InternalError,
    InvalidInputError,
    MalformedInputError,
    StoreError,
    OAuthError,
    RedirectError,
    SignatureVerificationError,
    StateError,
    StripeHandshakeError,
)

# `records` (the result types, for type checkers) imports `typing`, most of an import's cost:
# it loads on first use (`stripe_handshake.records`, `from stripe_handshake import records`).
TYPE_CHECKING = False  # type checkers read it as true
if TYPE_CHECKING:
    from . import records
else:
    import sys as _sys

    def __getattr__(name: str) -> object:
        if name == "records":
            # Importing the submodule sets it on this module (no `from . import`: that asks
            # this function again).
            __import__(f"{__name__}.records")
            return _sys.modules[f"{__name__}.records"]
        raise AttributeError(f"module 'stripe_handshake' has no attribute {name!r}")


class dangerous:  # noqa: N801 - a namespace, used as `dangerous.verify_ignoring_tolerance`
    """Opt-outs that weaken a check; each needs a reason in code review."""

    #: Verifies without the time window: a captured request verifies forever. Tests only.
    verify_ignoring_tolerance = staticmethod(_dangerous_verify_ignoring_tolerance)

__all__ = [
    "DEFAULT_TOLERANCE_SECS",
    "EVENT_LEASE_SECS",
    "EVENT_RETENTION_SECS",
    "MAX_WEBHOOK_BODY",
    "ERROR_CODES",
    "RecordBase",
    "RedirectAllowList",
    "Verifier",
    "account_link_request",
    "apps_oauth_link",
    "apps_token_expiry",
    "check_plain_state",
    "code_exchange_request",
    "connect_oauth_link",
    "dangerous",
    "deauthorize_request",
    "diagnose_callback",
    "diagnose_redirect_uri",
    "diagnose_signature",
    "errors",
    "fetch_event_request",
    "fetch_related_object_request",
    "records",
    "hmac_sha256",
    "install_link",
    "install_payload",
    "issue_state_token",
    "parse_account_link_response",
    "parse_deauthorize_response",
    "one_time_entry",
    "one_time_outcome",
    "parse_manifest",
    "postgres_statements",
    "parse_secret_key",
    "parse_token_response",
    "plain_state_from_entropy",
    "random_state",
    "refresh_request",
    "retrieve_account_request",
    "sign_header",
    "verify_deauthorization",
    "verify_event_notification",
    "verify_account_link_callback",
    "verify_app_callback",
    "verify_hmac_sha256",
    "verify_install_callback",
    "verify_oauth_callback",
    "verify_signature",
    "verify_state_token",
    "verify_ui_extension_signature",
    "verify_webhook",
    "webhook_reply",
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

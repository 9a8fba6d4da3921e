"""Typing stubs of the native module; checked against the built module by ``mypy.stubtest``."""

from . import records
from typing import Any, Dict, Final, Iterator, List, Literal, Mapping, Optional, Protocol, Sequence, Tuple, Union, final
from typing_extensions import disjoint_base

_Data = Union[bytes, str]
_Secrets = Union[str, Sequence[str]]
_Key = Union[Tuple[str, bytes], Mapping[str, Any]]

ERROR_CODES: Final[List[str]]
MAX_WEBHOOK_BODY: Final[int]
EVENT_LEASE_SECS: Final[int]
EVENT_RETENTION_SECS: Final[int]
DEFAULT_TOLERANCE_SECS: Final[int]

@final
class RecordBase:
    """A result record: its fields as attributes and as a read-only mapping; ``repr`` redacts
    credentials. ``outcome`` tells the cases of a union apart (``installed``/``authorized``/``denied``)."""
    def __getattr__(self, name: str) -> Any: ...
    def __getitem__(self, key: str, /) -> Any: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[str]: ...
    def __contains__(self, key: object, /) -> bool: ...
    def __eq__(self, value: object, /) -> bool: ...
    def keys(self) -> List[str]: ...
    def items(self) -> List[Tuple[str, Any]]: ...
    def values(self) -> List[Any]: ...
    def to_dict(self) -> Dict[str, Any]: ...
    @property
    def _kind(self) -> str: ...

class _OneTimeStore(Protocol):
    def consume(self, namespace: str, id: str, expires_at: int) -> bool: ...

def schema() -> str: ...
def run_cli(args: List[str]) -> int: ...

@disjoint_base
class Verifier:
    """The native verifier: the hot path. ``stripe_handshake.Verifier`` subclasses it with the
    methods that run in the core through ``_call``."""
    def __new__(cls, secrets: _Secrets, *, tolerance: Optional[int] = None) -> "Verifier": ...
    def verify(self, payload: _Data, header: Optional[Union[str, Sequence[str]]], *, now: Optional[int] = None) -> records.VerifiedSignature: ...
    def check(self, payload: _Data, header: Optional[Union[str, Sequence[str]]], *, now: Optional[int] = None) -> Optional[str]: ...
    def try_verify(self, payload: _Data, header: Optional[Union[str, Sequence[str]]], *, now: Optional[int] = None) -> records.VerifyAttempt: ...
    def _call(self, index: int, payload: _Data, header: Optional[Union[str, Sequence[str]]], now: Optional[int] = None) -> Any: ...

@final
class RedirectAllowList:
    def __new__(cls, entries: Sequence[str], *, test_mode: bool = False) -> "RedirectAllowList": ...
    def check(self, uri: str) -> str: ...
    @property
    def default_uri(self) -> str: ...
    @property
    def entries(self) -> List[str]: ...
    @property
    def test_mode(self) -> bool: ...

def hmac_sha256(key: bytes, message: bytes) -> bytes: ...
def verify_hmac_sha256(key: bytes, message: bytes, tag: bytes) -> None: ...
def sign_header(payload: _Data, secret: str, timestamp: int) -> str: ...
def verify_signature(
    payload: _Data, header: Optional[Union[str, Sequence[str]]], *, secrets: _Secrets, now: Optional[int] = None, tolerance: Optional[int] = None
) -> records.VerifiedSignature: ...
def verify_webhook(
    payload: _Data, header: Optional[Union[str, Sequence[str]]], *, secrets: _Secrets, now: Optional[int] = None, tolerance: Optional[int] = None
) -> records.WebhookEvent: ...
def verify_deauthorization(
    payload: _Data, header: Optional[Union[str, Sequence[str]]], *, secrets: _Secrets, now: Optional[int] = None, tolerance: Optional[int] = None
) -> records.Deauthorization: ...
def diagnose_signature(
    payload: _Data, header: Optional[Union[str, Sequence[str]]], *, secrets: _Secrets, now: Optional[int] = None, tolerance: Optional[int] = None
) -> records.Diagnosis: ...
def diagnose_redirect_uri(uri: str, allow_list: RedirectAllowList) -> records.Diagnosis: ...
def diagnose_callback(
    query: Optional[str],
    *,
    secrets: Optional[_Secrets] = None,
    state_keys: Optional[Sequence[_Key]] = None,
    session_id: Optional[_Data] = None,
    now: Optional[int] = None,
    tolerance: Optional[int] = None,
    manifest: Optional[str] = None,
    redirect_uris: Optional[Sequence[str]] = None,
) -> records.Diagnosis: ...
def verify_event_notification(
    payload: _Data, header: Optional[Union[str, Sequence[str]]], *, secrets: _Secrets, now: Optional[int] = None, tolerance: Optional[int] = None
) -> records.EventNotification: ...
def dangerous_verify_ignoring_tolerance(payload: _Data, header: Optional[Union[str, Sequence[str]]], *, secrets: _Secrets) -> records.VerifiedSignature: ...
def install_payload(*, user_id: str, account_id: str, state: Optional[str] = None, null_state: bool = False) -> str: ...
def one_time_entry(
    namespace: str, id: str, expires_at: int, *, now: Optional[int] = None, prefix: Optional[str] = None
) -> records.OneTimeEntry: ...
def postgres_statements(*, table: Optional[str] = None, placeholders: Literal["dollar", "percent"]) -> records.PostgresStatements: ...
def webhook_reply(outcome: str) -> records.WebhookReply: ...
def one_time_outcome(answer: object, *, namespace: str) -> bool: ...
def parse_manifest(json: str, *, test_mode: bool = False) -> records.AppManifest: ...
def install_link(
    *,
    link_id: str,
    allow_list: RedirectAllowList,
    redirect_uri: Optional[str] = None,
    state: Optional[str] = None,
    base_url: Optional[str] = None,
) -> str: ...
def apps_oauth_link(
    *,
    client_id: str,
    allow_list: RedirectAllowList,
    redirect_uri: Optional[str] = None,
    state: Optional[str] = None,
    test_link_id: Optional[str] = None,
    base_url: Optional[str] = None,
    mode: Optional[str] = None,
) -> str: ...
def connect_oauth_link(
    *,
    client_id: str,
    account_type: str,
    allow_list: RedirectAllowList,
    scope: Optional[str] = None,
    redirect_uri: Optional[str] = None,
    state: Optional[str] = None,
    stripe_landing: Optional[str] = None,
    always_prompt: Optional[bool] = None,
    suggested_capabilities: Optional[Sequence[str]] = None,
    stripe_user: Optional[Union[Mapping[str, str], Sequence[Tuple[str, str]]]] = None,
    base_url: Optional[str] = None,
) -> str: ...
def random_state() -> str: ...
def plain_state_from_entropy(entropy: bytes) -> str: ...
def check_plain_state(expected: str, received: Optional[str]) -> None: ...
def issue_state_token(
    *,
    keys: Sequence[_Key],
    flow: str,
    session_id: _Data,
    ttl_secs: Optional[int] = None,
    data: Optional[str] = None,
    now: Optional[int] = None,
    nonce: Optional[bytes] = None,
    mode: Optional[str] = None,
) -> str: ...
def verify_state_token(
    token: Optional[str],
    *,
    keys: Sequence[_Key],
    session_id: _Data,
    flow: str,
    now: Optional[int] = None,
    store: Optional[_OneTimeStore] = None,
    replay: Optional[Literal["unchecked"]] = None,
) -> records.VerifiedState: ...
def verify_install_callback(
    query: Optional[str],
    *,
    secrets: _Secrets,
    now: Optional[int] = None,
    tolerance: Optional[int] = None,
    expected_state: Optional[str] = None,
    state_keys: Optional[Sequence[_Key]] = None,
    session_id: Optional[_Data] = None,
    marketplace: Optional[Literal["refuse", "accept", "accept_ui_extension_form"]] = None,
    store: Optional[_OneTimeStore] = None,
    replay: Optional[Literal["unchecked"]] = None,
) -> records.InstallCallbackResult: ...
def verify_app_callback(
    query: Optional[str],
    *,
    access_type: Literal["install_link", "oauth"],
    secrets: Optional[_Secrets] = None,
    now: Optional[int] = None,
    tolerance: Optional[int] = None,
    expected_state: Optional[str] = None,
    state_keys: Optional[Sequence[_Key]] = None,
    session_id: Optional[_Data] = None,
    marketplace: Optional[Literal["refuse", "accept", "accept_ui_extension_form"]] = None,
    store: Optional[_OneTimeStore] = None,
    replay: Optional[Literal["unchecked"]] = None,
) -> records.AppCallbackResult: ...
def verify_ui_extension_signature(
    header: Optional[Union[str, Sequence[str]]],
    *,
    user_id: str,
    account_id: str,
    secrets: _Secrets,
    now: Optional[int] = None,
    tolerance: Optional[int] = None,
) -> records.UiExtensionCaller: ...
def verify_oauth_callback(
    query: Optional[str],
    *,
    flow: str,
    now: Optional[int] = None,
    expected_state: Optional[str] = None,
    state_keys: Optional[Sequence[_Key]] = None,
    session_id: Optional[_Data] = None,
    allow_stateless: bool = False,
    store: Optional[_OneTimeStore] = None,
    replay: Optional[Literal["unchecked"]] = None,
) -> records.OAuthCallbackResult: ...
def code_exchange_request(
    *,
    secret_key: str,
    authorization: Optional[Union[records.Authorized, records.AppAuthorized, records.MarketplaceAuthorized]] = None,
    provider: Optional[str] = None,
    code: Optional[str] = None,
    expected_mode: Optional[str] = None,
    base_url: Optional[str] = None,
) -> records.HttpRequest: ...
def refresh_request(
    *,
    provider: str,
    secret_key: str,
    refresh_token: str,
    scope: Optional[str] = None,
    expected_mode: Optional[str] = None,
    base_url: Optional[str] = None,
) -> records.HttpRequest: ...
def deauthorize_request(
    *, secret_key: str, client_id: str, stripe_user_id: str, expected_mode: Optional[str] = None, base_url: Optional[str] = None
) -> records.HttpRequest: ...
def fetch_event_request(
    *, secret_key: str, event_id: str, livemode: bool, context: Optional[str] = None, api_version: Optional[str] = None,
    base_url: Optional[str] = None
) -> records.ApiRequest: ...
def fetch_related_object_request(
    *, secret_key: str, url: str, livemode: bool, context: Optional[str] = None, api_version: Optional[str] = None,
    base_url: Optional[str] = None
) -> records.ApiRequest: ...
def account_link_request(
    *,
    secret_key: str,
    account: str,
    return_url: str,
    refresh_url: str,
    state_keys: Sequence[_Key],
    session_id: _Data,
    allow_list: RedirectAllowList,
    type: Optional[Literal["account_onboarding", "account_update"]] = None,
    collection_fields: Optional[Literal["currently_due", "eventually_due"]] = None,
    future_requirements: Optional[Literal["include", "omit"]] = None,
    mode: Optional[str] = None,
    now: Optional[int] = None,
    nonce: Optional[bytes] = None,
    expected_mode: Optional[str] = None,
    base_url: Optional[str] = None,
) -> records.HttpRequest: ...
def parse_account_link_response(status: int, body: _Data) -> records.AccountLink: ...
def verify_account_link_callback(
    query: Optional[str],
    *,
    kind: Literal["return", "refresh"],
    state_keys: Sequence[_Key],
    session_id: _Data,
    now: Optional[int] = None,
    store: Optional[_OneTimeStore] = None,
    replay: Optional[Literal["unchecked"]] = None,
) -> records.AccountLinkCallback: ...
def retrieve_account_request(
    *,
    secret_key: str,
    account: str,
    expected_mode: Optional[str] = None,
    api_version: Optional[str] = None,
    base_url: Optional[str] = None,
) -> records.ApiRequest: ...
def parse_secret_key(key: str) -> records.SecretKeyInfo: ...
def parse_token_response(status: int, body: _Data) -> records.TokenResponse: ...
def parse_deauthorize_response(status: int, body: _Data, expected_stripe_user_id: str) -> None: ...
def apps_token_expiry(issued_at: int, *, now: Optional[int] = None, margin_secs: Optional[int] = None) -> records.TokenExpiry: ...

"""Hypothesis properties: every parser answers with a value or our exception, never another."""

from __future__ import annotations

from typing import Any, Callable

from hypothesis import given, settings
from hypothesis import strategies as st

import stripe_handshake as sh

KEYS = [("k1", bytes(32))]
ALLOW = sh.RedirectAllowList(["https://example.com/callback"])
text = st.text(max_size=300)
blob = st.binary(max_size=300)
now = st.integers(min_value=0, max_value=2**64 - 1)


def only_ours(fn: Callable[[], Any]) -> None:
    try:
        fn()
    except sh.StripeHandshakeError as e:
        assert e.code in sh.ERROR_CODES
        assert e.message


@given(blob, text, now)
def test_signature_parser(payload: bytes, header: str, t: int) -> None:
    only_ours(lambda: sh.verify_signature(payload, header, secrets="whsec_x", now=t))
    only_ours(lambda: sh.verify_webhook(payload, header, secrets="whsec_x", now=t))


@given(st.one_of(text, st.builds(lambda a, b: f"t={a},v1={b}", st.integers(), text)), now)
def test_header_shapes(header: str, t: int) -> None:
    only_ours(lambda: sh.verify_signature(b"{}", header, secrets=["whsec_a", "whsec_b"], now=t))


@given(text, now)
def test_callback_parsers(query: str, t: int) -> None:
    only_ours(lambda: sh.verify_install_callback(query, secrets="absec_x", now=t, marketplace="accept_ui_extension_form"))
    only_ours(lambda: sh.verify_app_callback(query, access_type="oauth", now=t, expected_state="s", marketplace="accept"))
    only_ours(lambda: sh.verify_install_callback(query, secrets="absec_x", now=t, state_keys=KEYS, session_id="s", replay="unchecked"))
    only_ours(lambda: sh.verify_oauth_callback(query, flow="connect_oauth", now=t, expected_state="s"))


@given(st.one_of(text, st.none()), now)
def test_state_token_decoder(token: Any, t: int) -> None:
    only_ours(lambda: sh.verify_state_token(token, keys=KEYS, session_id="s", flow="install_link", now=t))


@given(st.integers(min_value=0, max_value=999), blob)
def test_response_parsers(status: int, body: bytes) -> None:
    only_ours(lambda: sh.parse_token_response(status, body))
    only_ours(lambda: sh.parse_deauthorize_response(status, body, "acct_1"))


@given(text)
def test_manifest_and_redirects(s: str) -> None:
    only_ours(lambda: sh.parse_manifest(s))
    only_ours(lambda: ALLOW.check(s))
    only_ours(lambda: sh.RedirectAllowList([s]))


@given(text, text)
def test_link_builders(state: str, link_id: str) -> None:
    only_ours(lambda: sh.install_link(link_id=link_id, allow_list=ALLOW, state=state))
    only_ours(lambda: sh.connect_oauth_link(client_id="ca_1", account_type="express", allow_list=ALLOW, state=state))


@settings(max_examples=300)
@given(blob, st.integers(min_value=0, max_value=2**40), st.integers(min_value=0, max_value=8 * 300 - 1))
def test_sign_verify_round_trip_and_any_bit_flip_is_refused(payload: bytes, t: int, bit: int) -> None:
    header = sh.sign_header(payload, "whsec_prop", t)
    assert sh.verify_signature(payload, header, secrets="whsec_prop", now=t).timestamp == t
    if payload:
        i = bit % (len(payload) * 8)
        flipped = bytearray(payload)
        flipped[i // 8] ^= 1 << (i % 8)
        only_ours(lambda: sh.verify_signature(bytes(flipped), header, secrets="whsec_prop", now=t))
        try:
            sh.verify_signature(bytes(flipped), header, secrets="whsec_prop", now=t)
            raise AssertionError("a flipped bit verified")
        except sh.SignatureVerificationError as e:
            assert e.code == "signature_mismatch"


@given(st.integers(min_value=0, max_value=2**40), st.integers(min_value=1, max_value=10**6), st.integers(min_value=-2, max_value=2))
def test_tolerance_edges(t: int, tol: int, delta: int) -> None:
    header = sh.sign_header(b"x", "whsec_e", t)
    for now_ in (t + tol + delta, t - tol - delta):
        if now_ < 0:
            continue
        try:
            sh.verify_signature(b"x", header, secrets="whsec_e", now=now_, tolerance=tol)
            assert delta <= 0
        except sh.SignatureVerificationError as e:
            assert delta > 0 and e.code in {"timestamp_too_old", "timestamp_in_future"}

"""Exceptions: one hierarchy with stable codes, panics caught, secrets never shown."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from typing import Any, Callable, Type

import pytest

import stripe_handshake as sh
from stripe_handshake import _native


# The package cannot panic on purpose; the self-test build (`just build-self-test`: the same
# module compiled with the core's `self-test` feature) can, and runs in a child interpreter.
SELF_TEST = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "target", "self-test", "python")
PANIC_CHECK = """
import os
import stripe_handshake as sh
from stripe_handshake import _native
assert os.path.realpath(sh.__file__).startswith(%r), sh.__file__
for _ in range(3):
    try:
        _native._self_test_panic()
    except Exception as e:  # PanicException derives from BaseException: it would escape this
        assert isinstance(e, sh.InternalError) and e.code == "internal", repr(e)
    else:
        raise AssertionError("no exception")
assert len(sh.random_state()) == 43  # the module still works
print("ok")
"""


def test_a_panic_becomes_internal_error_not_panic_exception() -> None:
    assert os.path.isdir(SELF_TEST), "run `just build-self-test` first"
    env = dict(os.environ, PYTHONPATH=SELF_TEST)
    out = subprocess.run([sys.executable, "-c", PANIC_CHECK % os.path.realpath(SELF_TEST)], env=env,
                         capture_output=True, text=True, cwd=SELF_TEST, check=False)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


def test_the_package_has_no_self_test_operation() -> None:
    assert not hasattr(_native, "_self_test_panic")


CASES: list[tuple[Callable[[], Any], Type[sh.StripeHandshakeError], str]] = [
    (lambda: sh.verify_signature("x", "t=1,v1=" + "0" * 64, secrets="whsec_x", now=1), sh.SignatureVerificationError, "signature_mismatch"),
    (lambda: sh.check_plain_state("abc", None), sh.StateError, "state_missing"),
    (lambda: sh.RedirectAllowList(["https://a.example/"]).check("https://b.example/"), sh.RedirectError, "redirect_uri_not_allowed"),
    (lambda: sh.parse_token_response(400, '{"error":"invalid_grant"}'), sh.OAuthError, "oauth_error"),
    (lambda: sh.parse_secret_key("pk_test_1"), sh.InvalidInputError, "invalid_api_key"),
    (lambda: sh.verify_oauth_callback("state=x", flow="connect_oauth", expected_state="x"), sh.MalformedInputError, "missing_parameter"),
    (lambda: sh.Verifier("whsec_x", tolerance=0), sh.InvalidInputError, "invalid_tolerance"),
    (lambda: sh.Verifier("whsec_x", tolerance=-5), sh.InvalidInputError, "invalid_tolerance"),
    (lambda: sh.verify_signature("x", "t=1", secrets="whsec_x", now=-1), sh.InvalidInputError, "invalid_argument"),
    (lambda: sh.verify_install_callback("user_id=u", secrets="absec_x"), sh.InvalidInputError, "invalid_argument"),
]


@pytest.mark.parametrize("fn,cls,code", CASES)
def test_each_family_has_its_class(fn: Callable[[], Any], cls: Type[sh.StripeHandshakeError], code: str) -> None:
    with pytest.raises(cls) as e:
        fn()
    assert isinstance(e.value, sh.StripeHandshakeError) and isinstance(e.value, Exception)
    assert e.value.code == code and code in sh.ERROR_CODES
    assert type(e.value).__module__ == "stripe_handshake.errors"
    copy = pickle.loads(pickle.dumps(e.value))
    assert type(copy) is type(e.value) and copy.code == code and str(copy) == str(e.value)


def test_oauth_and_redirect_details() -> None:
    with pytest.raises(sh.OAuthError) as e:
        sh.parse_token_response(400, '{"error":"invalid_grant","error_description":"This code was used."}')
    assert (e.value.error, e.value.oauth_kind, e.value.error_description) == ("invalid_grant", "invalid_grant", "This code was used.")
    copy = pickle.loads(pickle.dumps(e.value))
    assert isinstance(copy, sh.OAuthError) and copy.error_description == "This code was used."
    with pytest.raises(sh.RedirectError) as r:
        sh.RedirectAllowList(["https://a.example/", "http://b.example/"])
    assert r.value.index == 1


def test_no_secret_in_messages_or_reprs() -> None:
    secret = "whsec_do_not_print_me"
    header = sh.sign_header("{}", secret, 1000)
    with pytest.raises(sh.SignatureVerificationError) as e:
        sh.verify_signature("{ }", header, secrets=secret, now=1000)
    assert secret not in str(e.value) and secret not in repr(e.value)
    assert header.split("v1=")[1] not in str(e.value)
    assert secret not in repr(sh.Verifier(secret))
    req = sh.code_exchange_request(provider="connect", secret_key="sk_test_do_not_print", code="ac_secret_code")
    assert req.headers["Authorization"].startswith("Basic ")
    assert "sk_test" not in repr(req) and req.headers["Authorization"] not in repr(req) and "ac_secret_code" not in repr(req)
    tok = sh.parse_token_response(200, '{"access_token":"sk_test_tok","refresh_token":"rt_tok","token_type":"bearer","stripe_user_id":"acct_1"}')
    assert tok.access_token == "sk_test_tok" and "sk_test_tok" not in repr(tok) and "rt_tok" not in repr(tok)
    cb = sh.verify_oauth_callback("code=ac_secret&state=s", flow="connect_oauth", expected_state="s")
    assert cb.outcome == "authorized"
    assert cb.code == "ac_secret" and "ac_secret" not in repr(cb)


def test_tolerance_defaults_to_300_and_zero_is_refused() -> None:
    h = sh.sign_header("{}", "whsec_x", 1000)
    assert sh.verify_signature("{}", h, secrets="whsec_x", now=1300).timestamp == 1000
    with pytest.raises(sh.SignatureVerificationError):
        sh.verify_signature("{}", h, secrets="whsec_x", now=1301)
    assert sh.DEFAULT_TOLERANCE_SECS == 300


def test_check_is_the_non_raising_fast_path() -> None:
    v = sh.Verifier(["whsec_new", "whsec_old"])
    h = sh.sign_header("{}", "whsec_old", 1000)
    assert v.check("{}", h, now=1000) is None
    assert v.check("{ }", h, now=1000) == "signature_mismatch"
    assert v.check("{}", h, now=5000) == "timestamp_too_old"

#!/usr/bin/env python3
"""Generates the cross-language vector corpus in tests/vectors/*.json.

This script is an independent oracle: it computes every expected value with Python's
standard library (hmac, hashlib, base64, urllib.parse, json) from the rules in
shared/PROTOCOL.md, never by calling stripe-handshake. Third-party vectors
(Wycheproof, RFC 4231, the header corpus, the JSON.stringify oracle from Node, the
redirect-URI parser differential) are read from third_party/ and converted.

Deterministic: run it again and `git diff --exit-code tests/vectors` must be clean
(`just vectors-check`). Schema: see tests/vectors/README.md.
"""
import base64
import hashlib
import hmac
import json
import os
import struct
import sys
from urllib.parse import quote

HERE = os.path.dirname(os.path.abspath(__file__))
TP = os.path.join(HERE, "third_party")
SCHEMA = "stripe-handshake/vectors/v1"

ALLOW = ["https://example.com/callback", "https://example.com/callback/other"]


def enc(s):
    """RFC 3986 percent-encoding: everything but unreserved."""
    return quote(s, safe="")


def mac_hex(key, msg):
    return hmac.new(key, msg, hashlib.sha256).hexdigest()


def sign(secret, payload_bytes, t):
    return f"t={t},v1=" + mac_hex(secret.encode(), str(t).encode() + b"." + payload_bytes)


def js_stringify(s):
    # json.dumps with these settings equals JSON.stringify for strings (checked 20/20
    # against Node in third_party/stripe_app_signature_json_payloads.json below).
    return json.dumps(s, ensure_ascii=False, separators=(",", ":"))


def install_payload(state, user_id, account_id, form="value"):
    parts = []
    if form == "value":
        parts.append('"state":' + js_stringify(state))
    elif form == "null":
        parts.append('"state":null')
    parts.append('"user_id":' + js_stringify(user_id))
    parts.append('"account_id":' + js_stringify(account_id))
    return "{" + ",".join(parts) + "}"


def ok(**kw):
    return {"ok": kw}


def err(code, **kw):
    return {"error": code, "detail": kw} if kw else {"error": code}


def case(cid, op, inp, expect, note=None):
    c = {"id": cid, "op": op, "input": inp}
    c.update(expect)
    if note:
        c["note"] = note
    return c


def write(name, description, cases):
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids)), f"duplicate ids in {name}"
    doc = {"schema": SCHEMA, "suite": name, "description": description, "cases": cases}
    with open(os.path.join(HERE, name + ".json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write("\n")
    return len(cases)


# --------------------------------------------------------------------------- HMAC
def hmac_suite():
    cases = []
    w = json.load(open(os.path.join(TP, "wycheproof_hmac_sha256_test.json")))
    for g in w["testGroups"]:
        for t in g["tests"]:
            cid = f"wycheproof-{t['tcId']}"
            full = g["tagSize"] == 256
            inp = {"key_hex": t["key"], "msg_hex": t["msg"], "tag_hex": t["tag"]}
            # verify takes only full 32-byte tags: every truncated tag is refused.
            if full and t["result"] == "valid":
                cases.append(case(cid + "-verify", "verify_hmac_sha256", inp, ok()))
            else:
                cases.append(case(cid + "-verify", "verify_hmac_sha256", inp, err("signature_mismatch"),
                                  t.get("comment") or None))
            if t["result"] == "valid":
                cases.append(case(cid + "-mac", "hmac_sha256",
                                  {"key_hex": t["key"], "msg_hex": t["msg"], "truncate_bits": g["tagSize"]},
                                  ok(mac_hex=t["tag"])))
    r = json.load(open(os.path.join(TP, "rfc4231_hmac_sha256.json")))
    for t in r["cases"]:
        cid = f"rfc4231-{t['testCase']}"
        bits = t["truncatedToBits"] or 256
        cases.append(case(cid + "-mac", "hmac_sha256",
                          {"key_hex": t["keyHex"], "msg_hex": t["dataHex"], "truncate_bits": bits},
                          ok(mac_hex=t["hmacSha256Hex"])))
        inp = {"key_hex": t["keyHex"], "msg_hex": t["dataHex"], "tag_hex": t["hmacSha256Hex"]}
        cases.append(case(cid + "-verify", "verify_hmac_sha256", inp,
                          ok() if bits == 256 else err("signature_mismatch")))
        if bits == 256:
            bad = t["hmacSha256Hex"][:-2] + ("00" if t["hmacSha256Hex"][-2:] != "00" else "01")
            cases.append(case(cid + "-verify-reject", "verify_hmac_sha256", dict(inp, tag_hex=bad),
                              err("signature_mismatch")))
    return write("hmac", "Wycheproof HMAC-SHA256 (174) and RFC 4231 (7) through the MAC function and verify", cases)


# --------------------------------------------------------------------------- Stripe-Signature
HEADER_CODE = {
    "MissingHeader": "missing_header", "MissingTimestamp": "missing_timestamp", "NoV1Signature": "no_v1_signature",
    "MalformedTimestamp": "malformed_timestamp", "TimestampInFuture": "timestamp_in_future",
    "DuplicateTimestamp": "duplicate_timestamp", "MalformedHeader": "malformed_header",
    "SignatureMismatch": "signature_mismatch", "TimestampTooOld": "timestamp_too_old",
    "HeaderTooLarge": "header_too_large",
}
# PROTOCOL §4 decisions that differ from the corpus' proposal.
HEADER_OVERRIDE = {
    # "each v1 must be 64 lowercase hex chars or it cannot match": no separate malformed code.
    "bad-v1-empty": ("signature_mismatch", "PROTOCOL §4: a v1 that is not 64 lowercase hex cannot match"),
    "bad-v1-nonascii": ("signature_mismatch", "PROTOCOL §4: a v1 that is not 64 lowercase hex cannot match"),
    # "tolerance is required and positive; 0 is an invalid argument, not off".
    "bad-tol-zero-disables": ("invalid_tolerance", "PROTOCOL §4: tolerance 0 is invalid_tolerance"),
    # Secrets with surrounding whitespace are refused when they are constructed.
    "bad-secret-newline": ("invalid_secret", "SECURITY-NOTES: whitespace around a secret is a typed config error"),
}


def signature_suite():
    cases = []
    corpus = json.load(open(os.path.join(TP, "stripe_signature_header_corpus.json")))
    for c in corpus["cases"]:
        header = c["header"]
        if header is None:
            tpl = c["header_template"]
            header = tpl["prefix"] + tpl["sep"].join([tpl["item"]] * tpl["times"])
        inp = {"payload": c["payload"], "header": header, "secrets": [c["secret"]], "now": c["now"],
               "tolerance": c["tolerance_s"]}
        if c["expected"] == "accept":
            exp = ok(timestamp=int(header.split("t=")[1].split(",")[0].strip()), secret_index=0)
            note = c.get("note") or None
        elif c["id"] in HEADER_OVERRIDE:
            code, note = HEADER_OVERRIDE[c["id"]]
            exp = err(code)
        else:
            exp = err(HEADER_CODE[c["expected_error"]])
            note = c.get("note") or None
        cases.append(case("corpus-" + c["id"], "verify_signature", inp, exp, note))

    secret, other = "whsec_own_vectors", "whsec_rotated_secret"
    payload = '{"id":"evt_own","object":"event"}'
    t, now = 1700000000, 1700000010
    good = sign(secret, payload.encode(), t)
    base = {"payload": payload, "header": good, "secrets": [secret], "now": now, "tolerance": 300}

    def add(cid, expect, note=None, **kw):
        cases.append(case(cid, "verify_signature", dict(base, **kw), expect, note))

    add("own-ok", ok(timestamp=t, secret_index=0))
    add("own-ok-second-secret", ok(timestamp=t, secret_index=1), secrets=[other, secret])
    add("own-reject-only-other-secret", err("signature_mismatch"), secrets=[other])
    add("own-reject-no-secrets", err("invalid_secret"), secrets=[])
    add("own-reject-empty-secret", err("invalid_secret"), secrets=[""])
    add("own-reject-secret-leading-space", err("invalid_secret"), secrets=[" " + secret])
    add("own-ok-both-secrets-sign", ok(timestamp=t, secret_index=0),
        header=good + "," + sign(other, payload.encode(), t).split(",")[1], secrets=[secret, other])
    add("own-ok-tabs-around", ok(timestamp=t, secret_index=0), header="\t" + good.replace(",", " ,\t") + " ")
    add("own-reject-whitespace-only", err("missing_header"), header=" \t ")
    add("own-ok-unknown-scheme", ok(timestamp=t, secret_index=0), header=good + ",v2=abc,x=1")
    add("own-reject-v1-before-dup-t", err("duplicate_timestamp"), header=good + ",t=" + str(t))
    add("own-ok-tolerance-1-edge", ok(timestamp=t, secret_index=0), now=t + 1, tolerance=1)
    add("own-reject-tolerance-1-past", err("timestamp_too_old"), now=t + 2, tolerance=1)
    add("own-ok-max-tolerance", ok(timestamp=t, secret_index=0), now=t + 4294967295, tolerance=4294967295)
    add("own-reject-tolerance-overflow", err("invalid_tolerance"), tolerance=4294967296)
    cases.append(case("own-reject-now-zero", "verify_signature", dict(base, now=0), err("timestamp_in_future")))
    add("own-reject-now-max", err("timestamp_too_old"), now=18446744073709551615)
    big_t = 18446744073709551615
    add("own-reject-t-u64max", err("timestamp_in_future"), header=sign(secret, payload.encode(), big_t))
    add("own-reject-t-u64max-plus1", err("malformed_timestamp"),
        header="t=18446744073709551616,v1=" + "0" * 64)
    add("own-ok-t-zero-now-zero", ok(timestamp=0, secret_index=0), header=sign(secret, payload.encode(), 0), now=0)
    add("own-reject-header-8193", err("header_too_large"), header=good + "," + "x" * (8192 - len(good)))
    add("own-ok-header-8192", ok(timestamp=t, secret_index=0), header=good + "," + "x=" + "y" * (8192 - len(good) - 3))
    add("own-reject-mac-before-time", err("signature_mismatch"), payload=payload + " ", now=now + 100000,
        note="the MAC is checked before the time window")
    add("own-reject-payload-empty", err("signature_mismatch"), payload="")
    empty_sig = sign(secret, b"", t)
    add("own-ok-payload-empty", ok(timestamp=t, secret_index=0), payload="", header=empty_sig)
    binary = bytes(range(256))
    cases.append(case("own-ok-binary-payload", "verify_signature",
                      dict(base, payload=None, payload_hex=binary.hex(), header=sign(secret, binary, t)),
                      ok(timestamp=t, secret_index=0), "payload bytes that are not UTF-8 verify as raw bytes"))
    cases.append(case("own-reject-binary-payload-bitflip", "verify_signature",
                      dict(base, payload=None, payload_hex=(bytes([1]) + binary[1:]).hex(), header=sign(secret, binary, t)),
                      err("signature_mismatch")))
    uni_secret = "whsec_ünïcödé"
    add("own-ok-unicode-secret", ok(timestamp=t, secret_index=0), secrets=[uni_secret],
        header=sign(uni_secret, payload.encode(), t))
    add("own-reject-unicode-secret-nfc-nfd", err("signature_mismatch"),
        secrets=["whsec_u\u0308nicode"], header=sign("whsec_\u00fcnicode", payload.encode(), t))

    # Signing (the test helper) against the oracle.
    for i, (p, tt) in enumerate([(payload, t), ("", 0), ("é\u2028", 1), ("x" * 1000, 99999999999)]):
        cases.append(case(f"sign-{i}", "sign_header", {"payload": p, "secret": secret, "t": tt},
                          ok(header=sign(secret, p.encode(), tt))))
    cases.append(case("sign-reject-secret-newline", "sign_header", {"payload": "x", "secret": secret + "\n", "t": 1},
                      err("invalid_secret")))
    # dangerous: no time window.
    cases.append(case("dangerous-ok-old", "verify_ignoring_tolerance",
                      {"payload": payload, "header": good, "secrets": [secret]}, ok(timestamp=t, secret_index=0)))
    cases.append(case("dangerous-reject-tampered", "verify_ignoring_tolerance",
                      {"payload": payload + "x", "header": good, "secrets": [secret]}, err("signature_mismatch")))
    return write("signature", "Stripe-Signature headers: the 48-case corpus (expectations per PROTOCOL §4) and our own", cases)


# --------------------------------------------------------------------------- JSON.stringify payloads
def json_suite():
    cases = []
    d = json.load(open(os.path.join(TP, "stripe_app_signature_json_payloads.json")))
    for c in d["cases"]:
        f = c["fields"]
        has_state = "state" in c["key_order"]
        form = "value" if has_state else "omitted"
        mine = install_payload(f.get("state"), f["user_id"], f["account_id"], form)
        assert mine.encode().hex() == c["payload_utf8_hex"], c["id"]  # Python oracle == Node oracle
        inp = {"user_id": f["user_id"], "account_id": f["account_id"], "state_form": form}
        if has_state:
            inp["state"] = f["state"]
        cases.append(case(c["id"] + "-payload", "install_payload", inp, ok(payload_hex=c["payload_utf8_hex"])))
        cases.append(case(c["id"] + "-verify", "verify_signature",
                          {"payload": c["payload"], "header": c["header"], "secrets": [d["secret"]], "now": d["t"],
                           "tolerance": 300}, ok(timestamp=d["t"], secret_index=0)))
        # Reject twin: the same fields through Python's json.dumps defaults (spaces, \u escapes).
        py_default = json.dumps({k: f[k] for k in c["key_order"]})
        assert py_default != c["payload"]
        cases.append(case(c["id"] + "-verify-pydefault", "verify_signature",
                          {"payload": py_default, "header": c["header"], "secrets": [d["secret"]], "now": d["t"],
                           "tolerance": 300}, err("signature_mismatch"), "json.dumps defaults are not JSON.stringify"))
    for i, s in enumerate(["", "\u0000", "\u007f\u0080", "\ud7ff\ue000\U0010ffff", "\\u0000", "'\"`"]):
        for form in ["value"]:
            p = install_payload(s, "usr_1", "acct_1", form)
            cases.append(case(f"own-{i}-payload", "install_payload",
                              {"state": s, "user_id": "usr_1", "account_id": "acct_1", "state_form": form},
                              ok(payload_hex=p.encode().hex())))
    p = install_payload(None, "usr_1", "acct_1", "null")
    cases.append(case("own-null-payload", "install_payload",
                      {"user_id": "usr_1", "account_id": "acct_1", "state_form": "null"}, ok(payload_hex=p.encode().hex())))
    return write("install_payload", "JSON.stringify({state,user_id,account_id}) byte for byte (Node oracle) and the signed header", cases)


# --------------------------------------------------------------------------- redirect_uri
def redirect_suite():
    cases = []
    rows = []
    for line in open(os.path.join(TP, "redirect_uri_parser_differential.tsv"), encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        cols = line.rstrip("\n").split("\t")
        rows.append((int(cols[0]), cols[1].replace("\\t", "\t")))
    canonical_ok_test_mode = {1, 4, 7, 8, 10, 11, 17, 19, 20, 22, 29, 31, 32}
    registered = "https://example.com/callback"
    for rid, uri in rows:
        cases.append(case(f"tsv-{rid}-check", "check_redirect",
                          {"allow_list": [registered], "mode": "live", "requested": uri},
                          ok(uri=uri) if uri == registered else err("redirect_uri_not_allowed")))
        cases.append(case(f"tsv-{rid}-entry", "redirect_allow_list", {"entries": [uri], "mode": "test"},
                          ok(default_uri=uri) if rid in canonical_ok_test_mode else err("invalid_redirect_config")))
    extra_ok = {
        "localhost-test": ("http://localhost:3000/cb", "test"),
        "loopback4-test": ("http://127.0.0.1:8080/cb", "test"),
        "loopback6-test": ("http://[::1]:8080/cb", "test"),
        "https-loopback-live": ("https://127.0.0.1/cb", "live"),
        "https-localhost-live": ("https://localhost/cb", "live"),
        "query": ("https://example.com/cb?a=1", "live"),
        "dotdot-semicolon-is-canonical": ("https://example.com/..;/cb", "live"),
    }
    for name, (uri, mode) in extra_ok.items():
        cases.append(case("own-entry-ok-" + name, "redirect_allow_list", {"entries": [uri], "mode": mode}, ok(default_uri=uri)))
    extra_bad = {
        "localhost-live": ("http://localhost:3000/cb", "live"),
        "http-public-test": ("http://example.com/cb", "test"),
        "http-127-0-0-2": ("http://127.0.0.2/cb", "test"),
        "private-ip": ("https://10.0.0.1/cb", "live"),
        "public-ip": ("https://8.8.8.8/cb", "live"),
        "ftp": ("ftp://example.com/cb", "live"),
        "data": ("data:text/html,hi", "live"),
        "relative": ("/callback", "live"),
        "empty": ("", "live"),
        "userinfo-empty-password": ("https://:pw@example.com/cb", "live"),
        "fragment-empty": ("https://example.com/cb#", "live"),
        "too-long": ("https://example.com/" + "a" * 2100, "live"),
        # Non-ASCII: refused before parsing, whichever IDNA back end `url` has (ICU4X maps
        # these hosts to punycode or drops the invisible character; the shipped stub refuses).
        "idn-unicode-host": ("https://b\u00fccher.example/cb", "live"),
        "soft-hyphen-host": ("https://exam\u00adple.com/cb", "live"),
        "zero-width-space-host": ("https://exam\u200bple.com/cb", "live"),
        "fullwidth-dot-host": ("https://example\uff0ecom/cb", "live"),
        "non-ascii-path": ("https://example.com/caf\u00e9", "live"),
    }
    for name, (uri, mode) in extra_bad.items():
        cases.append(case("own-entry-bad-" + name, "redirect_allow_list", {"entries": [uri], "mode": mode},
                          err("invalid_redirect_config")))
    cases.append(case("own-entry-empty-list", "redirect_allow_list", {"entries": [], "mode": "live"}, err("invalid_redirect_config")))
    cases.append(case("own-entry-second-bad", "redirect_allow_list",
                      {"entries": [registered, "http://example.com/"], "mode": "live"},
                      err("invalid_redirect_config", index=1)))
    cases.append(case("own-entry-101", "redirect_allow_list",
                      {"entries": [f"https://example.com/{i}" for i in range(101)], "mode": "live"}, err("invalid_redirect_config")))
    cases.append(case("own-entry-100", "redirect_allow_list",
                      {"entries": [f"https://example.com/{i}" for i in range(100)], "mode": "live"}, ok(default_uri="https://example.com/0")))
    checks = {
        "second-entry": ("https://example.com/callback/other", ok(uri="https://example.com/callback/other")),
        "prefix": ("https://example.com/callback/other/x", err("redirect_uri_not_allowed")),
        "shorter": ("https://example.com/callback/othe", err("redirect_uri_not_allowed")),
        "query-added": ("https://example.com/callback?x=1", err("redirect_uri_not_allowed")),
        "http-downgrade": ("http://example.com/callback", err("redirect_uri_not_allowed")),
        "suffix-domain": ("https://evilexample.com/callback", err("redirect_uri_not_allowed")),
        "trailing-space": ("https://example.com/callback ", err("redirect_uri_not_allowed")),
        "encoded-slash": ("https://example.com/callback%2Fother", err("redirect_uri_not_allowed")),
        "double-encoded": ("https://example.com/callback%252Fother", err("redirect_uri_not_allowed")),
        "dot-segment": ("https://example.com/callback/./other", err("redirect_uri_not_allowed")),
        "userinfo-confusion": ("https://example.com:pw@evil.com/callback", err("redirect_uri_not_allowed")),
        "scheme-case": ("HTTPS://example.com/callback", err("redirect_uri_not_allowed")),
        "nul": ("https://example.com/callback\u0000", err("redirect_uri_not_allowed")),
        "dotdot-semicolon": ("https://example.com/..;/callback", err("redirect_uri_not_allowed")),
        "dotdot-semicolon-inside": ("https://example.com/callback/..;/other", err("redirect_uri_not_allowed")),
        # Characters an IDNA mapping would drop or fold into the registered host.
        "soft-hyphen-host": ("https://exam\u00adple.com/callback", err("redirect_uri_not_allowed")),
        "zero-width-space-host": ("https://exam\u200bple.com/callback", err("redirect_uri_not_allowed")),
        "fullwidth-host": ("https://\uff45xample.com/callback", err("redirect_uri_not_allowed")),
        "ideographic-dot-host": ("https://example\u3002com/callback", err("redirect_uri_not_allowed")),
    }
    for name, (uri, exp) in checks.items():
        cases.append(case("own-check-" + name, "check_redirect", {"allow_list": ALLOW, "mode": "live", "requested": uri}, exp))
    # Every redirect_uri bypass in SECURITY-NOTES section 4 (and the parser confusions of section 3),
    # aimed at the allow-list: exact matching on canonical input refuses each one.
    bypasses = {
        "hsweb-354-userinfo-at": "https://example.com@evil.com/callback",
        "hsweb-354-userinfo-encoded-at": "https://example.com%40evil.com/callback",
        "maxkey-269-endswith-subdomain": "https://attacker.example.com/callback",
        "maxkey-269-startswith-host": "https://example.com.evil.com/callback",
        "azuread-3136-startswith-path": "https://example.com/callbackevil",
        "azuread-3136-startswith-dot": "https://example.com/callback.evil.com",
        "zitadel-12559-percent25-at": "https://example.com%25@evil.com/callback",
        "osin-209-dotdot-escape": "https://example.com/callback/../../evil",
        "spring-155-dotdot": "https://example.com/callback/../evil",
        "spring-155-dotdot-back-to-allowed": "https://example.com/evil/../callback",
        "spring-155-encoded-dotdot": "https://example.com/callback/%2e%2e/evil",
        "keycloak-47718-dotdot-semicolon-twice": "https://example.com/callback/..;/..;/evil",
        "wrenam-126-open-redirect-query": "https://example.com/callback?goto=https://evil.com",
        "cloudflare-97-scheme-upper": "HTTPS://EXAMPLE.COM/callback",
        "cloudflare-97-leading-space": " https://example.com/callback",
        "cloudflare-97-leading-tab": "\thttps://example.com/callback",
        "cloudflare-97-tab-inside": "https://example.com/call\tback",
        "cloudflare-97-newline-inside": "https://exam\nple.com/callback",
        "cloudflare-97-javascript": "javascript:alert(1)//https://example.com/callback",
        "cloudflare-97-javascript-case": "JavaScript://example.com/callback%0aalert(1)",
        "backslash-at-confusion": "https://evil.com\\@example.com/callback",
        "backslash-path": "https://example.com\\callback",
        "fragment-at": "https://example.com/callback#@evil.com",
        "default-port": "https://example.com:443/callback",
        "other-port": "https://example.com:8443/callback",
        "trailing-dot-host": "https://example.com./callback",
        "idn-homograph-cyrillic-a": "https://ex\u0430mple.com/callback",
        "fullwidth-host": "https://\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.com/callback",
        "path-case": "https://example.com/Callback",
        "encoded-unreserved": "https://example.com/%63allback",
        "double-slash": "https://example.com//callback",
        "empty-query": "https://example.com/callback?",
        "encoded-nul": "https://example.com/callback%00",
        "crlf-injection": "https://example.com/callback%0d%0aLocation:%20https://evil.com",
        "protocol-relative": "//example.com/callback",
        "scheme-only-slash": "https:/example.com/callback",
        "hex-ip-host": "https://0x7f.1/callback",
    }
    for name, uri in bypasses.items():
        cases.append(case("bypass-" + name, "check_redirect", {"allow_list": ALLOW, "mode": "live", "requested": uri},
                          err("redirect_uri_not_allowed")))
    cases.append(case("own-check-localhost-test", "check_redirect",
                      {"allow_list": ["http://localhost:3000/cb"], "mode": "test", "requested": "http://localhost:3000/cb"},
                      ok(uri="http://localhost:3000/cb")))
    cases.append(case("own-check-localhost-other-port", "check_redirect",
                      {"allow_list": ["http://localhost:3000/cb"], "mode": "test", "requested": "http://localhost:3001/cb"},
                      err("redirect_uri_not_allowed")))
    # Manifests.
    good = {"id": "com.example.app", "version": "1.0.0", "name": "App", "permissions": [],
            "stripe_api_access_type": "oauth", "distribution_type": "public", "allowed_redirect_uris": ALLOW}
    cases.append(case("manifest-ok", "parse_manifest", {"json": json.dumps(good), "mode": "live"},
                      ok(id="com.example.app", stripe_api_access_type="oauth", distribution_type="public",
                         redirect_uris=ALLOW, default_uri=ALLOW[0])))
    minimal = {"id": "com.example.min", "allowed_redirect_uris": [ALLOW[1]]}
    cases.append(case("manifest-ok-minimal", "parse_manifest", {"json": json.dumps(minimal), "mode": "live"},
                      ok(id="com.example.min", stripe_api_access_type=None, distribution_type=None,
                         redirect_uris=[ALLOW[1]], default_uri=ALLOW[1])))
    for name, text, code in [
        ("bad-json", "{", "invalid_manifest"),
        ("not-object", "[]", "invalid_manifest"),
        ("no-id", json.dumps({"allowed_redirect_uris": ALLOW}), "invalid_manifest"),
        ("no-uris", json.dumps({"id": "x"}), "invalid_manifest"),
        ("uris-not-strings", json.dumps({"id": "x", "allowed_redirect_uris": [1]}), "invalid_manifest"),
        ("empty-uris", json.dumps({"id": "x", "allowed_redirect_uris": []}), "invalid_redirect_config"),
        ("bad-uri", json.dumps({"id": "x", "allowed_redirect_uris": ["https://EXAMPLE.com/"]}), "invalid_redirect_config"),
        ("comments", '{"id":"x", // no\n"allowed_redirect_uris":[]}', "invalid_manifest"),
        ("too-large", json.dumps({"id": "x", "allowed_redirect_uris": ALLOW, "pad": "x" * 262144}), "invalid_manifest"),
    ]:
        cases.append(case("manifest-reject-" + name, "parse_manifest", {"json": text, "mode": "live"}, err(code)))
    return write("redirect", "redirect_uri allow-lists: the 33-row parser differential, CVE-shaped cases and manifests", cases)


# --------------------------------------------------------------------------- links
PREFILL = ["email", "url", "country", "phone_number", "business_name", "business_type", "first_name", "last_name",
           "dob_day", "dob_month", "dob_year", "street_address", "city", "state", "zip", "physical_product",
           "product_description", "currency", "first_name_kana", "first_name_kanji", "last_name_kana",
           "last_name_kanji", "gender", "block_kana", "block_kanji", "building_kana", "building_kanji"]


def qs(pairs):
    return "?" + "&".join(f"{k}={enc(v)}" for k, v in pairs)


def links_suite():
    cases = []
    M, C = "https://marketplace.stripe.com", "https://connect.stripe.com"
    tricky = "a b+c&d=e/é😀%"

    def install(cid, params, expect):
        cases.append(case(cid, "install_link", dict(params, allow_list=ALLOW, mode="live"), expect))

    install("install-default-redirect", {"link_id": "lnk_123"},
            ok(url=f"{M}/apps/install/link/lnk_123" + qs([("redirect_uri", ALLOW[0])])))
    install("install-state", {"link_id": "lnk_123", "state": tricky},
            ok(url=f"{M}/apps/install/link/lnk_123" + qs([("redirect_uri", ALLOW[0]), ("state", tricky)])))
    install("install-second-redirect", {"link_id": "abc-DEF_9", "redirect_uri": ALLOW[1], "state": ""},
            ok(url=f"{M}/apps/install/link/abc-DEF_9" + qs([("redirect_uri", ALLOW[1]), ("state", "")])))
    install("install-base-url", {"link_id": "x", "base_url": "http://127.0.0.1:12111/"},
            ok(url="http://127.0.0.1:12111/apps/install/link/x" + qs([("redirect_uri", ALLOW[0])])))
    install("install-reject-redirect", {"link_id": "x", "redirect_uri": "https://evil.com/callback"}, err("redirect_uri_not_allowed"))
    install("install-reject-link-id-slash", {"link_id": "a/b"}, err("invalid_argument"))
    install("install-reject-link-id-empty", {"link_id": ""}, err("invalid_argument"))
    install("install-reject-state-1025", {"link_id": "x", "state": "s" * 1025}, err("invalid_argument"))
    install("install-ok-state-1024", {"link_id": "x", "state": "s" * 1024},
            ok(url=f"{M}/apps/install/link/x" + qs([("redirect_uri", ALLOW[0]), ("state", "s" * 1024)])))
    install("install-reject-base-query", {"link_id": "x", "base_url": "https://m.example/?a=1"}, err("invalid_argument"))
    install("install-reject-base-scheme", {"link_id": "x", "base_url": "file:///tmp"}, err("invalid_argument"))
    # One URL policy (core/src/urls.rs): plain http only to a loopback emulator, for links as for endpoints.
    install("install-reject-base-plain-http", {"link_id": "x", "base_url": "http://proxy.internal"}, err("invalid_argument"))
    install("install-reject-base-other-loopback", {"link_id": "x", "base_url": "http://127.0.0.2:12111"}, err("invalid_argument"))

    def apps(cid, params, expect):
        cases.append(case(cid, "apps_oauth_link", dict(params, allow_list=ALLOW, mode="live"), expect))

    apps("apps-public", {"client_id": "ca_abc123", "state": "st"},
         ok(url=f"{M}/oauth/v2/authorize" + qs([("client_id", "ca_abc123"), ("redirect_uri", ALLOW[0]), ("state", "st")])))
    apps("apps-test-link", {"client_id": "ca_abc123", "test_link_id": "chnlink_61Abc", "redirect_uri": ALLOW[1]},
         ok(url=f"{M}/oauth/v2/chnlink_61Abc/authorize" + qs([("client_id", "ca_abc123"), ("redirect_uri", ALLOW[1])])))
    apps("apps-reject-test-link-prefix", {"client_id": "ca_abc123", "test_link_id": "link_1"}, err("invalid_argument"))
    # Link modes: live links have no link id; test and sandbox links carry theirs in the path.
    apps("apps-mode-live", {"client_id": "ca_abc123", "state": "st", "link_mode": "live"},
         ok(url=f"{M}/oauth/v2/authorize" + qs([("client_id", "ca_abc123"), ("redirect_uri", ALLOW[0]), ("state", "st")])))
    for m in ["test", "sandbox"]:
        apps(f"apps-mode-{m}", {"client_id": "ca_abc123", "test_link_id": "chnlink_61Abc", "link_mode": m},
             ok(url=f"{M}/oauth/v2/chnlink_61Abc/authorize" + qs([("client_id", "ca_abc123"), ("redirect_uri", ALLOW[0])])))
        apps(f"apps-reject-mode-{m}-no-link", {"client_id": "ca_abc123", "link_mode": m}, err("invalid_argument"))
    apps("apps-reject-mode-live-with-link", {"client_id": "ca_abc123", "test_link_id": "chnlink_61Abc", "link_mode": "live"},
         err("invalid_argument"))
    apps("apps-reject-mode-unknown", {"client_id": "ca_abc123", "link_mode": "prod"}, err("invalid_argument"))
    apps("apps-reject-client-pk", {"client_id": "pk_test_123"}, err("invalid_argument"))
    apps("apps-reject-client-empty-suffix", {"client_id": "ca_"}, err("invalid_argument"))
    apps("apps-reject-redirect-case", {"client_id": "ca_1", "redirect_uri": "https://example.com/Callback"}, err("redirect_uri_not_allowed"))

    def connect(cid, params, expect):
        cases.append(case(cid, "connect_oauth_link", dict(params, allow_list=ALLOW, mode="live"), expect))

    connect("connect-standard-rw", {"client_id": "ca_FkyHCg7X8mlvCUdMDao4mMxagUfhIwXb", "account_type": "standard", "scope": "read_write", "state": "xyz"},
            ok(url=f"{C}/oauth/authorize" + qs([("response_type", "code"), ("client_id", "ca_FkyHCg7X8mlvCUdMDao4mMxagUfhIwXb"),
                                                ("scope", "read_write"), ("redirect_uri", ALLOW[0]), ("state", "xyz")])))
    connect("connect-standard-ro", {"client_id": "ca_1", "account_type": "standard", "scope": "read_only"},
            ok(url=f"{C}/oauth/authorize" + qs([("response_type", "code"), ("client_id", "ca_1"), ("scope", "read_only"), ("redirect_uri", ALLOW[0])])))
    connect("connect-reject-standard-no-scope", {"client_id": "ca_1", "account_type": "standard"}, err("invalid_argument"))
    connect("connect-reject-bad-scope", {"client_id": "ca_1", "account_type": "standard", "scope": "admin"}, err("invalid_argument"))
    connect("connect-reject-express-scope", {"client_id": "ca_1", "account_type": "express", "scope": "read_write"}, err("invalid_argument"))
    connect("connect-reject-account-type", {"client_id": "ca_1", "account_type": "custom"}, err("invalid_argument"))
    connect("connect-express-full", {"client_id": "ca_1", "account_type": "express", "state": tricky, "stripe_landing": "register",
                                     "always_prompt": False, "suggested_capabilities": ["transfers", "card_payments"],
                                     "redirect_uri": ALLOW[1]},
            ok(url=f"{C}/express/oauth/authorize" + "?" + "&".join(
                [f"response_type=code", "client_id=ca_1", f"redirect_uri={enc(ALLOW[1])}", f"state={enc(tricky)}",
                 "stripe_landing=register", "always_prompt=false", "suggested_capabilities[]=transfers",
                 "suggested_capabilities[]=card_payments"])))
    connect("connect-landing-login-prompt", {"client_id": "ca_1", "account_type": "standard", "scope": "read_write",
                                             "stripe_landing": "login", "always_prompt": True},
            ok(url=f"{C}/oauth/authorize" + qs([("response_type", "code"), ("client_id", "ca_1"), ("scope", "read_write"),
                                                ("redirect_uri", ALLOW[0]), ("stripe_landing", "login"), ("always_prompt", "true")])))
    connect("connect-reject-landing", {"client_id": "ca_1", "account_type": "express", "stripe_landing": "signup"}, err("invalid_argument"))
    connect("connect-reject-standard-capabilities", {"client_id": "ca_1", "account_type": "standard", "scope": "read_write",
                                                     "suggested_capabilities": ["transfers"]}, err("invalid_argument"))
    connect("connect-reject-capability-chars", {"client_id": "ca_1", "account_type": "express", "suggested_capabilities": ["a&b=c"]}, err("invalid_argument"))
    # Every prefill key, given in reverse order with tricky values: sent in documented order.
    values = {k: f"{k} ü&=+" for k in PREFILL}
    prefill = [[k, values[k]] for k in reversed(PREFILL)]
    url = f"{C}/oauth/authorize" + qs([("response_type", "code"), ("client_id", "ca_1"), ("scope", "read_write"), ("redirect_uri", ALLOW[0])])
    url += "".join(f"&stripe_user[{k}]={enc(values[k])}" for k in PREFILL)
    connect("connect-all-prefill", {"client_id": "ca_1", "account_type": "standard", "scope": "read_write", "stripe_user": prefill}, ok(url=url))
    connect("connect-reject-prefill-unknown", {"client_id": "ca_1", "account_type": "express", "stripe_user": [["password", "x"]]}, err("invalid_argument"))
    connect("connect-reject-prefill-dup", {"client_id": "ca_1", "account_type": "express", "stripe_user": [["email", "a"], ["email", "b"]]}, err("invalid_argument"))
    connect("connect-reject-prefill-long", {"client_id": "ca_1", "account_type": "express", "stripe_user": [["email", "a" * 1025]]}, err("invalid_argument"))
    connect("connect-base-url", {"client_id": "ca_1", "account_type": "express", "base_url": "http://localhost:12111"},
            ok(url="http://localhost:12111/express/oauth/authorize" + qs([("response_type", "code"), ("client_id", "ca_1"), ("redirect_uri", ALLOW[0])])))
    connect("connect-reject-redirect", {"client_id": "ca_1", "account_type": "express", "redirect_uri": "https://example.com/callback/"}, err("redirect_uri_not_allowed"))
    return write("links", "Install, Stripe Apps OAuth and Connect OAuth links, byte for byte", cases)


# --------------------------------------------------------------------------- state
MAC_TAG = b"stripe-handshake/state/v1\0"
BIND_TAG = b"stripe-handshake/state-binding/v1\0"
FLOWS = {"install_link": 1, "apps_oauth": 2, "connect_oauth": 3, "account_link": 4}
FLOW_NAMES = {v: k for k, v in FLOWS.items()}
K1 = bytes(range(32))
K2 = bytes(range(100, 140))
KEYS = [{"id": "k1", "key_hex": K1.hex()}]
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def b64e(b):
    return base64.urlsafe_b64encode(b).decode().rstrip("=")


def b64d_strict(s):
    if any(c not in B64 for c in s) or len(s) % 4 == 1:
        return None
    b = base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
    return b if b64e(b) == s else None


MODES = {None: 0, "live": 1, "test": 2, "sandbox": 3}
MODE_NAMES = {v: k for k, v in MODES.items()}


def token_body(kid, key, flow, session, iat, exp, nonce, data, version=2, flow_byte=None, data_len=None, extra=b"",
               mode=None, mode_byte=None):
    body = bytes([version, len(kid)]) + kid.encode() + struct.pack(">QQ", iat, exp)
    body += bytes([FLOWS[flow] if flow_byte is None else flow_byte])
    body += bytes([MODES[mode] if mode_byte is None else mode_byte]) + nonce
    body += hmac.new(key, BIND_TAG + session, hashlib.sha256).digest()[:16]
    body += bytes([len(data) if data_len is None else data_len]) + data + extra
    return body


def seal(key, body):
    return b64e(body + hmac.new(key, MAC_TAG + body, hashlib.sha256).digest())


def oracle_verify(keys, token, session, flow, now):
    """Reference check order from PROTOCOL §3, written from the spec."""
    if not session or len(session) > 1024:
        return err("invalid_argument")
    if token is None:
        return err("state_missing")
    if len(token) > 512:
        return err("state_too_large")
    raw = b64d_strict(token)
    if raw is None or len(raw) < 32:
        return err("state_malformed")
    body, tag = raw[:-32], raw[-32:]
    try:
        pos = 0
        if body[0] != 2:
            raise ValueError
        kl = body[1]
        if not 1 <= kl <= 16:
            raise ValueError
        kid = body[2:2 + kl]
        pos = 2 + kl
        if len(body) < pos + 16 + 1 + 1 + 32 + 16 + 1:
            raise ValueError
        iat, exp = struct.unpack(">QQ", body[pos:pos + 16])
        pos += 16
        fb = body[pos]
        pos += 1
        if fb not in FLOW_NAMES:
            raise ValueError
        mb = body[pos]
        pos += 1
        if mb not in MODE_NAMES:
            raise ValueError
        nonce = body[pos:pos + 32]
        pos += 32
        bound = body[pos:pos + 16]
        pos += 16
        dl = body[pos]
        pos += 1
        if dl > 192 or len(body) != pos + dl:
            raise ValueError
        data = body[pos:pos + dl].decode("utf-8")
    except (ValueError, IndexError, UnicodeDecodeError):
        return err("state_malformed")
    key = next((bytes.fromhex(k["key_hex"]) for k in keys if k["id"].encode() == kid), None)
    if key is None:
        return err("state_unknown_key")
    if not hmac.compare_digest(hmac.new(key, MAC_TAG + body, hashlib.sha256).digest(), tag):
        return err("state_invalid")
    if now > exp:
        return err("state_expired")
    if iat > now + 60:
        return err("state_not_yet_valid")
    if not hmac.compare_digest(hmac.new(key, BIND_TAG + session, hashlib.sha256).digest()[:16], bound):
        return err("state_session_mismatch")
    if FLOW_NAMES[fb] != flow:
        return err("state_flow_mismatch")
    return ok(version=body[0], key_id=kid.decode(), issued_at=iat, expires_at=exp, flow=FLOW_NAMES[fb], nonce=b64e(nonce),
              data=data if data else None, mode=MODE_NAMES[mb])


def state_suite():
    cases = []
    T = 1700000000
    nonce = bytes(range(200, 232))
    sess = b"session-abc"

    def issue(cid, inp, expect):
        cases.append(case(cid, "issue_state_token", inp, expect))

    def verify(cid, token, keys=KEYS, session=sess, flow="connect_oauth", now=T + 1, note=None):
        exp = oracle_verify(keys, token, session, flow, now)
        cases.append(case(cid, "verify_state_token",
                          {"keys": keys, "token": token, "session_id_hex": session.hex(), "flow": flow, "now": now}, exp, note))
        return exp

    # Issue: deterministic with a given nonce; the oracle builds the same bytes.
    for flow in FLOWS:
        for data in ["", "/settings?tab=billing", "livemode=false;ü"]:
            body = token_body("k1", K1, flow, sess, T, T + 600, nonce, data.encode())
            tok = seal(K1, body)
            cid = f"issue-{flow}-{len(data)}"
            issue(cid, {"keys": KEYS, "flow": flow, "session_id_hex": sess.hex(), "ttl_secs": None,
                        "data": data or None, "now": T, "nonce_hex": nonce.hex()}, ok(token=tok))
            e = verify(f"verify-{flow}-{len(data)}", tok, flow=flow)
            assert "ok" in e
    rot_keys = [{"id": "k2", "key_hex": K2.hex()}, {"id": "k1", "key_hex": K1.hex()}]
    body = token_body("k2", K2, "install_link", sess, T, T + 86400, nonce, b"x" * 192)
    issue("issue-rotated-max", {"keys": rot_keys, "flow": "install_link", "session_id_hex": sess.hex(), "ttl_secs": 86400,
                                "data": "x" * 192, "now": T, "nonce_hex": nonce.hex()}, ok(token=seal(K2, body)))
    issue("issue-reject-ttl-0", {"keys": KEYS, "flow": "install_link", "session_id_hex": sess.hex(), "ttl_secs": 0,
                                 "data": None, "now": T, "nonce_hex": nonce.hex()}, err("invalid_argument"))
    issue("issue-reject-ttl-86401", {"keys": KEYS, "flow": "install_link", "session_id_hex": sess.hex(), "ttl_secs": 86401,
                                     "data": None, "now": T, "nonce_hex": nonce.hex()}, err("invalid_argument"))
    issue("issue-reject-data-193", {"keys": KEYS, "flow": "install_link", "session_id_hex": sess.hex(), "ttl_secs": None,
                                    "data": "x" * 193, "now": T, "nonce_hex": nonce.hex()}, err("invalid_argument"))
    issue("issue-reject-no-session", {"keys": KEYS, "flow": "install_link", "session_id_hex": "", "ttl_secs": None,
                                      "data": None, "now": T, "nonce_hex": nonce.hex()}, err("invalid_argument"))
    issue("issue-reject-now-overflow", {"keys": KEYS, "flow": "install_link", "session_id_hex": sess.hex(), "ttl_secs": 600,
                                        "data": None, "now": 18446744073709551615, "nonce_hex": nonce.hex()}, err("invalid_argument"))
    issue("issue-reject-short-key", {"keys": [{"id": "k1", "key_hex": "00" * 31}], "flow": "install_link", "session_id_hex": sess.hex(),
                                     "ttl_secs": None, "data": None, "now": T, "nonce_hex": nonce.hex()}, err("invalid_state_key"))
    issue("issue-reject-dup-kid", {"keys": [KEYS[0], KEYS[0]], "flow": "install_link", "session_id_hex": sess.hex(),
                                   "ttl_secs": None, "data": None, "now": T, "nonce_hex": nonce.hex()}, err("invalid_state_key"))
    issue("issue-reject-bad-kid", {"keys": [{"id": "k 1", "key_hex": K1.hex()}], "flow": "install_link", "session_id_hex": sess.hex(),
                                   "ttl_secs": None, "data": None, "now": T, "nonce_hex": nonce.hex()}, err("invalid_state_key"))
    issue("issue-reject-long-kid", {"keys": [{"id": "k" * 17, "key_hex": K1.hex()}], "flow": "install_link", "session_id_hex": sess.hex(),
                                    "ttl_secs": None, "data": None, "now": T, "nonce_hex": nonce.hex()}, err("invalid_state_key"))
    issue("issue-reject-no-keys", {"keys": [], "flow": "install_link", "session_id_hex": sess.hex(),
                                   "ttl_secs": None, "data": None, "now": T, "nonce_hex": nonce.hex()}, err("invalid_state_key"))
    issue("issue-reject-flow", {"keys": KEYS, "flow": "checkout", "session_id_hex": sess.hex(),
                                "ttl_secs": None, "data": None, "now": T, "nonce_hex": nonce.hex()}, err("invalid_argument"))

    base_tok = seal(K1, token_body("k1", K1, "connect_oauth", sess, T, T + 600, nonce, b""))
    verify("ok-at-expiry", base_tok, now=T + 600)
    verify("reject-one-after-expiry", base_tok, now=T + 601)
    verify("ok-skew-60", base_tok, now=T - 60)
    verify("reject-skew-61", base_tok, now=T - 61)
    verify("reject-now-max", base_tok, now=18446744073709551615)
    verify("reject-other-session", base_tok, session=b"session-abd")
    verify("reject-session-prefix", base_tok, session=b"session-ab")
    verify("reject-empty-session", base_tok, session=b"")
    verify("reject-flow-install", base_tok, flow="install_link")
    verify("reject-flow-apps", base_tok, flow="apps_oauth")
    verify("ok-rotated-old-key", base_tok, keys=rot_keys)
    verify("reject-unknown-key", base_tok, keys=[{"id": "k2", "key_hex": K2.hex()}])
    verify("reject-same-kid-other-key", base_tok, keys=[{"id": "k1", "key_hex": K2.hex()}])
    verify("reject-missing", None)
    verify("reject-empty", "")
    verify("reject-too-large", "A" * 513)
    verify("reject-padding", base_tok + "=")
    verify("reject-standard-b64-chars", base_tok.replace("-", "+").replace("_", "/") if ("-" in base_tok or "_" in base_tok) else base_tok[:-1] + "+")
    verify("reject-bad-char", base_tok[:-1] + "!")
    verify("reject-truncated", base_tok[:-4])
    verify("reject-extended", base_tok + "AAAA")
    # Non-canonical final character (unused low bits set): 137 bytes -> last char carries 4 spare bits.
    last = base_tok[-1]
    nc = B64[B64.index(last) | 1] if B64.index(last) | 1 != B64.index(last) else B64[B64.index(last) ^ 2]
    verify("reject-noncanonical-bits", base_tok[:-1] + nc)
    verify("reject-version-1", seal(K1, token_body("k1", K1, "connect_oauth", sess, T, T + 600, nonce, b"", version=1)),
           note="version 1 had no mode byte: its tokens (10-minute lifetimes) are not read")
    verify("reject-version-3", seal(K1, token_body("k1", K1, "connect_oauth", sess, T, T + 600, nonce, b"", version=3)))
    verify("reject-mode-byte-4", seal(K1, token_body("k1", K1, "connect_oauth", sess, T, T + 600, nonce, b"", mode_byte=4)))
    # The mode rides in the signed token: link → callback → exchange (docs/protocol.md §9).
    for m in ["live", "test", "sandbox"]:
        body = token_body("k1", K1, "apps_oauth", sess, T, T + 600, nonce, b"", mode=m)
        issue(f"issue-mode-{m}", {"keys": KEYS, "flow": "apps_oauth", "session_id_hex": sess.hex(), "ttl_secs": None,
                                  "data": None, "now": T, "nonce_hex": nonce.hex(), "link_mode": m}, ok(token=seal(K1, body)))
        e = verify(f"verify-mode-{m}", seal(K1, body), flow="apps_oauth")
        assert e["ok"]["mode"] == m
    issue("issue-reject-mode", {"keys": KEYS, "flow": "apps_oauth", "session_id_hex": sess.hex(), "ttl_secs": None,
                                "data": None, "now": T, "nonce_hex": nonce.hex(), "link_mode": "staging"}, err("invalid_argument"))
    forged = bytearray(token_body("k1", K1, "apps_oauth", sess, T, T + 600, nonce, b"", mode="test"))
    # The mode byte is under the MAC: flipping test to live breaks it.
    mode_at = 2 + 2 + 16 + 1
    forged[mode_at] = MODES["live"]
    good_tag = hmac.new(K1, MAC_TAG + token_body("k1", K1, "apps_oauth", sess, T, T + 600, nonce, b"", mode="test"), hashlib.sha256).digest()
    verify("reject-mode-flipped", b64e(bytes(forged) + good_tag), flow="apps_oauth")
    verify("reject-flow-byte-9", seal(K1, token_body("k1", K1, "connect_oauth", sess, T, T + 600, nonce, b"", flow_byte=9)))
    verify("reject-trailing-byte", seal(K1, token_body("k1", K1, "connect_oauth", sess, T, T + 600, nonce, b"", extra=b"\x00")))
    verify("reject-data-len-193", seal(K1, token_body("k1", K1, "connect_oauth", sess, T, T + 600, nonce, b"y" * 193)))
    verify("reject-data-not-utf8", seal(K1, token_body("k1", K1, "connect_oauth", sess, T, T + 600, nonce, b"\xff\xfe")))
    verify("reject-data-len-lies", seal(K1, token_body("k1", K1, "connect_oauth", sess, T, T + 600, nonce, b"abc", data_len=2)))
    verify("reject-exp-before-iat", seal(K1, token_body("k1", K1, "connect_oauth", sess, T, T - 1, nonce, b"")))
    verify("reject-mac-over-other-tag", b64e(token_body("k1", K1, "connect_oauth", sess, T, T + 600, nonce, b"")
                                             + hmac.new(K1, token_body("k1", K1, "connect_oauth", sess, T, T + 600, nonce, b""), hashlib.sha256).digest()),
           note="MAC without the domain-separation tag")
    verify("reject-plain-state", b64e(nonce))
    # Tamper every byte of the token (flip the low bit); each must be refused.
    raw = b64d_strict(base_tok)
    for i in range(len(raw)):
        t = bytearray(raw)
        t[i] ^= 1
        e = verify(f"tamper-byte-{i:03d}", b64e(bytes(t)))
        assert "ok" not in e, i
    # Plain state.
    p = b64e(nonce)

    def plain(cid, expected, received, expect):
        cases.append(case(cid, "check_plain_state", {"expected": expected, "received": received}, expect))

    plain("plain-ok", p, p, ok())
    plain("plain-reject-one-char", p, p[:-1] + ("A" if p[-1] != "A" else "B"), err("state_mismatch"))
    plain("plain-reject-prefix", p, p[:-1], err("state_mismatch"))
    plain("plain-reject-case", "AbC", "abc", err("state_mismatch"))
    plain("plain-reject-missing", p, None, err("state_missing"))
    plain("plain-reject-empty-received", p, "", err("state_mismatch"))
    plain("plain-reject-empty-expected", "", "", err("invalid_argument"))
    plain("plain-reject-too-large", p, "x" * 1025, err("state_too_large"))
    plain("plain-ok-unicode", "é😀 +&", "é😀 +&", ok())
    cases.append(case("plain-from-entropy", "plain_state_from_entropy", {"entropy_hex": nonce.hex()}, ok(state=p)))
    cases.append(case("plain-from-entropy-zero", "plain_state_from_entropy", {"entropy_hex": "00" * 32}, ok(state="A" * 43)))
    return write("state", "Plain state and signed state tokens: issue, verify, every tampered byte", cases)


# --------------------------------------------------------------------------- callbacks
def callbacks_suite():
    cases = []
    S, S2 = "absec_own_app_secret", "absec_rotated"
    T = 1700000000
    NOW = T + 5
    sess = b"browser-session-1"
    nonce = bytes(range(32))
    sig_tok = seal(K1, token_body("k1", K1, "install_link", sess, T, T + 600, nonce, b"/done"))
    conn_tok = seal(K1, token_body("k1", K1, "connect_oauth", sess, T, T + 600, nonce, b""))

    def q(pairs):
        return "&".join(f"{enc(k)}={enc(v)}" for k, v in pairs)

    def signed_query(state, user="usr_1", acct="acct_1", form="value", secret=S, t=T, extra=(), sign_state=None, sign_user=None, sign_acct=None):
        signed_state = state if sign_state is None else sign_state
        payload = install_payload(signed_state, sign_user or user, sign_acct or acct,
                                  form if signed_state is not None or form != "value" else "omitted")
        pairs = [("user_id", user), ("account_id", acct)]
        if state is not None:
            pairs.append(("state", state))
        pairs.append(("install_signature", sign(secret, payload.encode(), t)))
        pairs.extend(extra)
        return q(pairs)

    def inst(cid, query, check, expect, secrets=(S,), now=NOW, tol=300, note=None, marketplace=None):
        inp = {"query": query, "secrets": list(secrets), "now": now, "tolerance": tol, "state_check": check}
        if marketplace is not None:
            inp["marketplace"] = marketplace
        cases.append(case(cid, "install_callback", inp, expect, note))

    def market(form, user="usr_1", acct="acct_1", livemode=None, t=T, secret_index=0):
        return ok(outcome="marketplace_install", user_id=user, account_id=acct, livemode=livemode, signed_form=form,
                  timestamp=t, secret_index=secret_index)

    def installed(state, user="usr_1", acct="acct_1", livemode=None, secret_index=0, state_outcome="plain", t=T, nonce_out=None, data=None):
        d = dict(outcome="installed", user_id=user, account_id=acct, state=state, livemode=livemode, timestamp=t,
                 secret_index=secret_index, state_outcome=state_outcome)
        if state_outcome == "signed":
            d["state_nonce"] = nonce_out
            d["state_data"] = data
            d["state_mode"] = None
        return ok(**d)

    plain = lambda s: {"mode": "plain", "expected": s}
    signed = {"mode": "signed", "keys": KEYS, "session_id_hex": sess.hex()}
    stateless = {"mode": "stateless"}
    none = {"mode": "none"}  # installs: no state check configured (you start no installs yourself)

    inst("ok-plain", signed_query("st_1"), plain("st_1"), installed("st_1"))
    for i, s in enumerate(["a b+c", "100%&x=1", "é😀\u2028", "\u0000\u001f\"\\", "", " lead", "</script>"]):
        inst(f"ok-tricky-state-{i}", signed_query(s), plain(s) if s else plain("x"),
             installed(s) if s else err("state_missing"),
             note="an empty state= is no state (signed as \"state\":\"\")" if not s else None)
    # Installs without a state (docs/protocol.md §9): refused by default; accepted only as the
    # distinct marketplace_install outcome; the key-omitted form (what UI extensions sign) only
    # when asked for by name.
    inst("market-empty-state", signed_query(""), none, market("empty"), marketplace="accept",
         note="an empty state= carries nothing to check: a marketplace install signed as \"state\":\"\"")
    inst("market-reject-empty-state-unsigned", signed_query("", sign_state="x"), none, err("signature_mismatch"), marketplace="accept")
    inst("market-null-form", signed_query(None, form="null"), none, market("null"), marketplace="accept",
         note="Ruby sample signs \"state\":null")
    inst("market-reject-omitted-form", signed_query(None), none, err("ui_extension_form_refused"), marketplace="accept",
         note="{user_id, account_id} is what the app's UI extensions sign with the same secret")
    inst("market-omitted-form-by-name", signed_query(None), none, market("omitted"), marketplace="accept_ui_extension_form")
    inst("market-null-form-by-name", signed_query(None, form="null"), none, market("null"), marketplace="accept_ui_extension_form")
    inst("market-reject-omitted-default", signed_query(None), plain("st_1"), err("state_missing"),
         note="the signature verifies (omitted form) but installs without state are refused by default")
    inst("market-reject-null-default", signed_query(None, form="null"), signed, err("state_missing"))
    inst("market-reject-empty-default", signed_query(""), signed, err("state_missing"), marketplace="refuse")
    inst("market-with-state-check", signed_query(None, form="null"), plain("st_1"), market("null"), marketplace="accept",
         note="a platform that starts installs and accepts Marketplace ones: each comes back as its own outcome")
    inst("market-stateful-still-checked", signed_query("st_2"), plain("st_1"), err("state_mismatch"), marketplace="accept")
    inst("market-livemode", signed_query(None, form="null", extra=[("livemode", "false")]), none, market("null", livemode="false"),
         marketplace="accept")
    inst("market-reject-forged-account", signed_query(None, form="null", acct="acct_2", sign_acct="acct_1"), none,
         err("signature_mismatch"), marketplace="accept")
    inst("market-reject-stale", signed_query(None, form="null"), none, err("timestamp_too_old"), marketplace="accept", now=T + 301)
    inst("market-reject-unknown-mode", signed_query(None, form="null"), none, err("invalid_argument"), marketplace="always")
    inst("reject-none-without-marketplace", signed_query(None, form="null"), none, err("invalid_argument"),
         note="no state check and no Marketplace installs: nothing could pass, said at once")
    inst("reject-stateless-but-present", signed_query("st_1"), none, err("unexpected_state"), marketplace="accept")
    inst("reject-state-mismatch", signed_query("st_2"), plain("st_1"), err("state_mismatch"))
    inst("reject-state-swapped-under-sig", signed_query("st_2", sign_state="st_1"), plain("st_2"), err("signature_mismatch"))
    inst("reject-account-swapped", signed_query("st_1", acct="acct_2", sign_acct="acct_1"), plain("st_1"), err("signature_mismatch"))
    inst("reject-user-swapped", signed_query("st_1", user="usr_2", sign_user="usr_1"), plain("st_1"), err("signature_mismatch"))
    inst("reject-null-form-with-state", q([("user_id", "usr_1"), ("account_id", "acct_1"), ("state", ""),
                                          ("install_signature", sign(S, install_payload(None, "usr_1", "acct_1", "null").encode(), T))]),
         plain("x"), err("signature_mismatch"), note="state= present (empty) is signed as \"\", never as null")
    inst("reject-absent-but-signed-with-state", signed_query(None, sign_state="st_1", form="value"), none, err("signature_mismatch"),
         marketplace="accept_ui_extension_form")
    inst("ok-livemode-false", signed_query("st_1", extra=[("livemode", "false")]), plain("st_1"), installed("st_1", livemode="false"))
    inst("ok-undecodable-unknown-key", signed_query("st_1") + "&x%ZZ=1", plain("st_1"), installed("st_1"),
         note="a key that does not decode cannot be one we read: skipped like any unknown key")
    inst("ok-unknown-extra-params", signed_query("st_1", extra=[("utm", "1"), ("utm", "2")]), plain("st_1"), installed("st_1"))
    inst("ok-rotated-secret", signed_query("st_1", secret=S2), plain("st_1"), installed("st_1", secret_index=1), secrets=(S, S2))
    inst("reject-only-old-secret", signed_query("st_1", secret=S2), plain("st_1"), err("signature_mismatch"))
    inst("reject-webhook-secret", signed_query("st_1", secret="whsec_other"), plain("st_1"), err("signature_mismatch"))
    inst("ok-age-300", signed_query("st_1"), plain("st_1"), installed("st_1"), now=T + 300)
    inst("reject-age-301", signed_query("st_1"), plain("st_1"), err("timestamp_too_old"), now=T + 301)
    inst("reject-future-301", signed_query("st_1"), plain("st_1"), err("timestamp_in_future"), now=T - 301)
    inst("reject-tolerance-0", signed_query("st_1"), plain("st_1"), err("invalid_tolerance"), tol=0)
    inst("reject-no-secret", signed_query("st_1"), plain("st_1"), err("invalid_secret"), secrets=())
    inst("ok-signed-state", signed_query(sig_tok), signed,
         installed(sig_tok, state_outcome="signed", nonce_out=b64e(nonce), data="/done"))
    inst("reject-signed-state-other-session", signed_query(sig_tok), dict(signed, session_id_hex=b"browser-session-2".hex()),
         err("state_session_mismatch"))
    inst("reject-signed-state-connect-flow", signed_query(conn_tok), signed, err("state_flow_mismatch"))
    inst("reject-signed-state-expired", signed_query(sig_tok, t=T + 700), signed, err("state_expired"), now=T + 701)
    inst("reject-dup-state", signed_query("st_1", extra=[("state", "st_1")]), plain("st_1"), err("duplicate_parameter"))
    inst("reject-dup-account", signed_query("st_1", extra=[("account_id", "acct_2")]), plain("st_1"), err("duplicate_parameter"))
    inst("reject-dup-signature", signed_query("st_1", extra=[("install_signature", "t=1,v1=00")]), plain("st_1"), err("duplicate_parameter"))
    inst("reject-dup-encoded-key", signed_query("st_1") + "&st%61te=st_1", plain("st_1"), err("duplicate_parameter"))
    inst("reject-missing-user", q([("account_id", "acct_1"), ("install_signature", "t=1,v1=" + "0" * 64)]), plain("x"), err("missing_parameter"))
    inst("reject-missing-account", q([("user_id", "usr_1"), ("install_signature", "t=1,v1=" + "0" * 64)]), plain("x"), err("missing_parameter"))
    inst("reject-missing-signature", q([("user_id", "usr_1"), ("account_id", "acct_1"), ("state", "x")]), plain("x"), err("missing_parameter"))
    inst("reject-empty-signature", q([("user_id", "usr_1"), ("account_id", "acct_1"), ("install_signature", "")]), none, err("missing_header"),
         marketplace="accept")
    # account_id follows the one id rule (core/src/ids.rs), signed or not: acct_ then A-Z a-z 0-9 _ -.
    inst("ok-account-underscore", signed_query("st_1", acct="acct_test_deauth"), plain("st_1"), installed("st_1", acct="acct_test_deauth"))
    inst("reject-account-not-acct", signed_query("st_1", acct="usr_2"), plain("st_1"), err("malformed_query"))
    inst("reject-bad-percent", "user_id=usr_1&account_id=acct_1&state=%zz&install_signature=x", plain("x"), err("malformed_query"))
    inst("reject-not-utf8", "user_id=usr_1&account_id=acct_1&state=%FF&install_signature=x", plain("x"), err("malformed_query"))
    inst("reject-user-id-chars", signed_query("st_1", user="usr_1\"}"), plain("st_1"), err("malformed_query"))
    inst("reject-query-too-large", signed_query("st_1") + "&pad=" + "x" * 16384, plain("st_1"), err("query_too_large"))
    inst("ok-leading-question-mark", "?" + signed_query("st_1"), plain("st_1"), installed("st_1"))
    inst("ok-plus-is-space", signed_query("a b").replace("a%20b", "a+b"), plain("a b"), installed("a b"))
    inst("reject-raw-plus-signed-as-plus", signed_query("a+b", sign_state="a+b").replace("a%2Bb", "a+b"), plain("a b"), err("signature_mismatch"),
         note="form decoding turns + into a space before signing")
    inst("denied", q([("error", "access_denied"), ("error_description", "The user denied your request")]), plain("x"),
         ok(outcome="denied", error="access_denied", kind="access_denied", description="The user denied your request"))
    inst("denied-unknown-error", q([("error", "server_error")]), none,
         ok(outcome="denied", error="server_error", kind="other", description=None), marketplace="accept")
    inst("denied-capped", q([("error", "e" * 100), ("error_description", "<b>" + "d" * 600)]), none,
         ok(outcome="denied", error="e" * 64, kind="other", description=("<b>" + "d" * 600)[:500]), marketplace="accept")
    inst("reject-dup-error", q([("error", "access_denied"), ("error", "x")]), none, err("duplicate_parameter"), marketplace="accept")

    def oauth(cid, query, flow, check, expect, now=NOW, note=None):
        cases.append(case(cid, "oauth_callback", {"query": query, "flow": flow, "state_check": check, "now": now}, expect, note))

    auth = lambda code, scope=None, so="plain", provider="connect", **kw: ok(outcome="authorized", code=code, scope=scope,
                                                                            provider=provider, state_outcome=so, **kw)
    oauth("oauth-connect-ok", "code=ac_123&scope=read_write&state=st_1", "connect_oauth", plain("st_1"), auth("ac_123", "read_write"))
    oauth("oauth-apps-ok", "code=ac_AbC-9_z&state=st_1", "apps_oauth", plain("st_1"), auth("ac_AbC-9_z", provider="apps"),
          note="the code remembers its provider: an Apps code is exchanged at api.stripe.com, never at connect.stripe.com")
    oauth("oauth-reject-state", "code=ac_123&state=st_2", "connect_oauth", plain("st_1"), err("state_mismatch"))
    oauth("oauth-reject-no-state", "code=ac_123", "connect_oauth", plain("st_1"), err("state_missing"))
    oauth("oauth-stateless-ok", "code=ac_123", "apps_oauth", stateless, auth("ac_123", so="stateless", provider="apps"))
    oauth("oauth-reject-connect-stateless", "code=ac_123", "connect_oauth", stateless, err("invalid_argument"),
          note="Connect OAuth has no PKCE: state is its only CSRF defence, so a stateless check is refused")
    oauth("oauth-signed-ok", f"code=ac_1&state={conn_tok}", "connect_oauth", signed,
          auth("ac_1", so="signed", state_nonce=b64e(nonce), state_data=None, state_mode=None))
    oauth("oauth-signed-wrong-flow", f"code=ac_1&state={sig_tok}", "connect_oauth", signed, err("state_flow_mismatch"))
    oauth("oauth-signed-apps-vs-connect", f"code=ac_1&state={conn_tok}", "apps_oauth", signed, err("state_flow_mismatch"))
    oauth("oauth-reject-install-flow", "code=ac_1&state=x", "install_link", plain("x"), err("invalid_argument"))
    oauth("oauth-reject-missing-code", "scope=read_write&state=x", "connect_oauth", plain("x"), err("missing_parameter"))
    oauth("oauth-reject-empty-code", "code=&state=x", "connect_oauth", plain("x"), err("missing_parameter"))
    oauth("oauth-reject-dup-code", "code=ac_1&code=ac_2&state=x", "connect_oauth", plain("x"), err("duplicate_parameter"))
    oauth("oauth-reject-code-chars", "code=ac_1%0Aevil&state=x", "connect_oauth", plain("x"), err("malformed_query"))
    oauth("oauth-denied", "error=access_denied&error_description=The+user+denied+your+request&state=x", "connect_oauth", plain("other"),
          ok(outcome="denied", error="access_denied", kind="access_denied", description="The user denied your request"),
          note="a denial grants nothing, so its state is not checked")
    oauth("oauth-denied-invalid-scope", "error=invalid_scope", "connect_oauth", stateless,
          ok(outcome="denied", error="invalid_scope", kind="invalid_scope", description=None))
    oauth("oauth-reject-query-large", "code=ac_1&x=" + "y" * 16400, "connect_oauth", stateless, err("query_too_large"))

    # Every Stripe Apps callback, by the app's access type (never by the query).
    apps_tok = seal(K1, token_body("k1", K1, "apps_oauth", sess, T, T + 600, nonce, b""))

    def app(cid, query, access, check, expect, marketplace=None, secrets=(S,), note=None, replay=None):
        inp = {"query": query, "access_type": access, "secrets": list(secrets) if secrets is not None else None, "now": NOW,
               "tolerance": 300, "state_check": check}
        if marketplace is not None:
            inp["marketplace"] = marketplace
        if replay is not None:
            inp["replay"] = replay
        cases.append(case(cid, "app_callback", inp, expect, note))

    def app_auth(code="ac_1", user="usr_1", acct="acct_1", so="plain", **kw):
        return ok(outcome="authorized", code=code, user_id=user, account_id=acct, provider="apps", state_outcome=so, **kw)

    oq = lambda extra=(), acct="acct_1", stripe_user="acct_1": q([("code", "ac_1"), ("user_id", "usr_1"), ("account_id", acct)]
                                                               + ([("stripe_user_id", stripe_user)] if stripe_user else []) + list(extra))
    app("app-install-link-ok", signed_query("st_1"), "install_link", plain("st_1"), installed("st_1"))
    app("app-install-link-reject-oauth-shape", oq([("state", "st_1")]), "install_link", plain("st_1"), err("missing_parameter"),
        note="an install-link app demands install_signature: an OAuth-shaped redirect is refused, never routed by its shape")
    app("app-install-link-marketplace", signed_query(None, form="null"), "install_link", none, market("null"), marketplace="accept")
    app("app-oauth-ok", oq([("state", "st_1")]), "oauth", plain("st_1"), app_auth(), secrets=None,
        note="OAuth-type apps: code, user_id, account_id, stripe_user_id, no install_signature")
    app("app-oauth-signed", oq([("state", apps_tok)]), "oauth", signed, app_auth(so="signed", state_nonce=b64e(nonce), state_data=None,
                                                                                 state_mode=None),
        secrets=None)
    sandbox_tok = seal(K1, token_body("k1", K1, "apps_oauth", sess, T, T + 600, nonce, b"", mode="sandbox"))
    app("app-oauth-signed-sandbox", oq([("state", sandbox_tok)]), "oauth", signed,
        app_auth(so="signed", state_nonce=b64e(nonce), state_data=None, state_mode="sandbox"), secrets=None,
        note="the link's mode comes back from the signed state: pass it as the exchange's expected mode")
    app("app-oauth-reject-connect-token", oq([("state", conn_tok)]), "oauth", signed, err("state_flow_mismatch"), secrets=None)
    app("app-oauth-reject-state", oq([("state", "st_2")]), "oauth", plain("st_1"), err("state_mismatch"), secrets=None)
    app("app-oauth-reject-no-state", oq(), "oauth", plain("st_1"), err("state_missing"), secrets=None,
        note="a code with no state may be someone else's (code injection): refused unless Marketplace installs are accepted")
    # A Marketplace authorization has no state to consume: its code is one-time instead, by its
    # SHA-256 (a store never holds the code), for the five minutes Stripe accepts a code.
    market_auth = ok(outcome="marketplace_authorized", code="ac_1", user_id="usr_1", account_id="acct_1", provider="apps",
                     code_id=hashlib.sha256(b"ac_1").hexdigest(), code_expires_at=NOW + 300)
    app("app-oauth-marketplace", oq(), "oauth", none, market_auth, marketplace="accept", secrets=None, replay="unchecked",
        note="the code's id and expiry: a store consumes them (namespace code), so a reload never exchanges it twice")
    app("app-oauth-marketplace-with-check", oq([("state", "")]), "oauth", plain("st_1"), market_auth,
        marketplace="accept", secrets=None, note="an empty state= is no state", replay="unchecked")
    app("app-oauth-no-stripe-user-id", oq([("state", "st_1")], stripe_user=None), "oauth", plain("st_1"), app_auth(), secrets=None)
    app("app-oauth-reject-account-mismatch", oq([("state", "st_1")], stripe_user="acct_2"), "oauth", plain("st_1"),
        err("malformed_query"), secrets=None, note="stripe_user_id must name the account account_id names")
    app("app-oauth-reject-missing-code", q([("user_id", "usr_1"), ("account_id", "acct_1"), ("state", "st_1")]), "oauth",
        plain("st_1"), err("missing_parameter"), secrets=None)
    app("app-oauth-reject-missing-account", q([("code", "ac_1"), ("user_id", "usr_1"), ("state", "st_1")]), "oauth",
        plain("st_1"), err("missing_parameter"), secrets=None)
    app("app-oauth-reject-bad-account", oq([("state", "st_1")], acct="usr_9", stripe_user=None), "oauth", plain("st_1"),
        err("malformed_query"), secrets=None)
    app("app-oauth-reject-dup-code", oq([("state", "st_1"), ("code", "ac_2")]), "oauth", plain("st_1"), err("duplicate_parameter"),
        secrets=None)
    app("app-oauth-denied", q([("error", "access_denied"), ("state", "x")]), "oauth", plain("st_1"),
        ok(outcome="denied", error="access_denied", kind="access_denied", description=None), secrets=None)
    app("app-reject-access-type", oq([("state", "st_1")]), "restricted_api_key", plain("st_1"), err("invalid_argument"), secrets=None)

    # UI extension signatures: the other use of the same absec_ secret.
    def ui(cid, header, expect, user="usr_1", acct="acct_1", secrets=(S,), now=NOW, note=None):
        cases.append(case(cid, "ui_extension_signature", {"header": header, "user_id": user, "account_id": acct,
                                                          "secrets": list(secrets), "now": now, "tolerance": 300}, expect, note))

    ui_sig = sign(S, install_payload(None, "usr_1", "acct_1", "omitted").encode(), T)
    ui("ui-ok", ui_sig, ok(user_id="usr_1", account_id="acct_1", timestamp=T, secret_index=0),
       note="JSON.stringify({user_id, account_id}), as Stripe's samples verify fetchStripeSignature()")
    ui("ui-rotated", sign(S2, install_payload(None, "usr_1", "acct_1", "omitted").encode(), T),
       ok(user_id="usr_1", account_id="acct_1", timestamp=T, secret_index=1), secrets=(S, S2))
    ui("ui-reject-other-account", ui_sig, err("signature_mismatch"), acct="acct_2")
    ui("ui-reject-other-user", ui_sig, err("signature_mismatch"), user="usr_2")
    ui("ui-reject-install-signature", sign(S, install_payload("st_1", "usr_1", "acct_1").encode(), T), err("signature_mismatch"),
       note="an install redirect's signature (with state) is not a UI extension signature")
    ui("ui-reject-null-form", sign(S, install_payload(None, "usr_1", "acct_1", "null").encode(), T), err("signature_mismatch"))
    ui("ui-reject-stale", ui_sig, err("timestamp_too_old"), now=T + 301)
    ui("ui-reject-bad-account", ui_sig, err("invalid_argument"), acct="usr_1")
    ui("ui-reject-missing-header", "", err("missing_header"))
    return write("callbacks", "Install redirects (install_signature), OAuth redirects (code/error), every Stripe Apps callback by access type, and UI extension signatures", cases)


# --------------------------------------------------------------------------- webhooks
def webhooks_suite():
    cases = []
    S = "whsec_webhook_vectors"
    T = 1700000000
    deauth = {"id": "evt_1NG8Du2eZvKYlo2CUI79vXWy", "object": "event", "api_version": "2024-06-20", "created": T,
              "data": {"object": {"id": "ca_Q1app", "object": "application", "name": "Acme Invoicing"}},
              "livemode": False, "pending_webhooks": 1, "request": {"id": None, "idempotency_key": None},
              "type": "account.application.deauthorized", "account": "acct_1Connected"}
    body = json.dumps(deauth, indent=2)  # Stripe sends pretty-printed JSON
    data_obj = json.dumps(deauth["data"]["object"], indent=2)
    # data.object text as it appears in the body (indented one level deeper).
    data_text = body[body.index('"object": {', body.index('"data"')) + len('"object": '):]
    depth, end = 0, 0
    for i, ch in enumerate(data_text):
        depth += ch == "{"
        depth -= ch == "}"
        if depth == 0:
            end = i + 1
            break
    data_text = data_text[:end]

    def wh(cid, payload, header, expect, op="verify_webhook", now=T + 1, note=None, hexp=False):
        inp = {"header": header, "secrets": [S], "now": now, "tolerance": 300}
        if hexp:
            inp["payload_hex"] = payload.hex()
        else:
            inp["payload"] = payload
        cases.append(case(cid, op, inp, expect, note))

    hdr = sign(S, body.encode(), T)
    event = ok(id=deauth["id"], type=deauth["type"], account="acct_1Connected", livemode=False, created=T,
               api_version="2024-06-20", data_object=data_text, timestamp=T)
    wh("deauthorized-ok", body, hdr, event)
    wh("deauthorized-helper", body, hdr, ok(account_id="acct_1Connected", application_id="ca_Q1app",
                                              application_name="Acme Invoicing", livemode=False), op="deauthorization")
    wh("reject-body-reserialized", json.dumps(deauth), hdr, err("signature_mismatch"))
    wh("reject-stale", body, hdr, err("timestamp_too_old"), now=T + 301)
    other = dict(deauth, type="customer.created", data={"object": {"id": "cus_1", "object": "customer"}})
    other.pop("account")
    ob = json.dumps(other, separators=(",", ":"))
    oh = sign(S, ob.encode(), T)
    wh("other-event-ok", ob, oh, ok(id=deauth["id"], type="customer.created", account=None, livemode=False, created=T,
                                     api_version="2024-06-20", data_object='{"id":"cus_1","object":"customer"}', timestamp=T))
    wh("helper-reject-other-type", ob, oh, err("unexpected_event_type"), op="deauthorization")
    no_acct = dict(deauth)
    no_acct.pop("account")
    nb = json.dumps(no_acct)
    wh("helper-reject-no-account", nb, sign(S, nb.encode(), T), err("malformed_event"), op="deauthorization")
    for name, text in [("not-json", "not json"), ("array", "[]"), ("no-id", json.dumps({k: v for k, v in deauth.items() if k != "id"})),
                       ("no-type", json.dumps({k: v for k, v in deauth.items() if k != "type"})),
                       ("no-data", json.dumps({k: v for k, v in deauth.items() if k != "data"})),
                       ("livemode-string", json.dumps(dict(deauth, livemode="false"))),
                       ("created-negative", json.dumps(dict(deauth, created=-1)))]:
        wh("reject-" + name, text, sign(S, text.encode(), T), err("malformed_event"), note="signature valid, body not an event")
    binary = b"\xff\xfe{}"
    wh("reject-binary-body", binary, sign(S, binary, T), err("malformed_event"), hexp=True)
    # A field nobody reads holds the byte 0xFF (its accept twin holds "-"): the body is not UTF-8
    # and is refused, as Python's json.loads(body.decode()) refuses it.
    unread = json.dumps(dict(other, note="-"), separators=(",", ":")).encode()
    wh("unread-field-ok", unread, sign(S, unread, T), ok(id=deauth["id"], type="customer.created", account=None, livemode=False,
                                                           created=T, api_version="2024-06-20",
                                                           data_object='{"id":"cus_1","object":"customer"}', timestamp=T), hexp=True)
    unread = unread.replace(b'"-"', b'"\xff"')
    wh("reject-unread-field-not-utf8", unread, sign(S, unread, T), err("malformed_event"), hexp=True,
       note="only a field nobody reads holds a byte that is not UTF-8")
    wh("reject-unsigned-garbage", "not json", hdr, err("signature_mismatch"), note="the MAC is checked before the body is parsed")
    deep = "[" * 200 + "]" * 200
    wh("reject-deep-nesting", deep, sign(S, deep.encode(), T), err("malformed_event"))
    api_none = dict(deauth, api_version=None)
    ab = json.dumps(api_none, separators=(",", ":"))
    wh("ok-null-api-version", ab, sign(S, ab.encode(), T), ok(id=deauth["id"], type=deauth["type"], account="acct_1Connected",
                                                                livemode=False, created=T, api_version=None,
                                                                data_object='{"id":"ca_Q1app","object":"application","name":"Acme Invoicing"}',
                                                                timestamp=T))
    return write("webhooks", "Webhook events: verify then read the envelope; the deauthorized helper", cases)


# --------------------------------------------------------------------------- event notifications
def rfc3339_oracle(text):
    """Unix seconds of an RFC 3339 date-time, by the standard library (None when it is not one)."""
    import datetime
    import re
    m = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?([Zz]|([+-])(\d\d):(\d\d))", text)
    if not m:
        return None
    y, mo, d, h, mi, sec = (int(g) for g in m.groups()[:6])
    try:
        t = datetime.datetime(y, mo, d, h, mi, sec, tzinfo=datetime.timezone.utc)
    except ValueError:
        return None  # a day that does not exist, hour 24, second 60
    if m.group(9):
        oh, om = int(m.group(10)), int(m.group(11))
        if oh > 23 or om > 59:
            return None
        off = oh * 3600 + om * 60
        t -= datetime.timedelta(seconds=off if m.group(9) == "+" else -off)
    secs = int(t.timestamp()) if t.year >= 1970 or t.timestamp() >= 0 else -1
    return secs if secs >= 0 else None


def notifications_suite():
    """Event notifications (thin events): verify, read the v2.core.event envelope, refuse the
    other kind, and build the requests that fetch the event and its related object. The
    envelopes are those of stripe-python's and stripe-go's own tests and of Stripe's docs."""
    cases = []
    S = "whsec_notification_vectors"
    T = 1726554052
    # stripe-python tests/test_v2_event.py (v2_payload_no_data): related_object with an extra
    # member, a reason.
    python_fixture = {"id": "evt_234", "object": "v2.core.event", "type": "v1.billing.meter.error_report_triggered",
                      "livemode": True, "created": "2022-02-15T00:27:45.330Z",
                      "related_object": {"id": "mtr_123", "type": "billing.meter", "url": "/v1/billing/meters/mtr_123",
                                         "stripe_context": "acct_123"},
                      "reason": {"id": "foo", "idempotency_key": "bar"}}
    # stripe-go event notification tests: a context that is not an account id.
    go_fixture = {"id": "evt_123", "object": "v2.core.event", "type": "v1.billing.meter.error_report_triggered",
                  "livemode": False, "created": "2022-02-15T00:27:45.330Z", "context": "event_context_456",
                  "related_object": {"id": "mtr_123", "type": "billing.meter", "url": "/v1/billing/meters/mtr_123"}}
    # Stripe's docs (event destinations, thin payload), pretty-printed as Stripe sends it.
    docs_fixture = {"id": "evt_test_65R2GpwDsnmpzihMjdT16R2GDhI4SQdXJGRbvn7JA8mPEm", "object": "v2.core.event",
                    "created": "2024-08-28T20:54:12.051Z",
                    "data": {"developer_message_summary": "There is 1 invalid event",
                             "reason": {"error_count": 1, "error_types": [{"code": "meter_event_no_customer_defined"}]}},
                    "livemode": False, "reason": None,
                    "related_object": {"id": "mtr_test_61R2GpwDsnmpzihMj41GpwDsnmpzi", "type": "billing.meter",
                                       "url": "/v1/billing/meters/mtr_test_61R2GpwDsnmpzihMj41GpwDsnmpzi"},
                    "type": "v1.billing.meter.error_report_triggered"}
    # A v1 thin event with its snapshot twin, on a connected account (API version 2026-09-30).
    v1_fixture = {"id": "evt_test_65SnapTwin", "object": "v2.core.event", "type": "v1.customer.created",
                  "livemode": False, "created": "2026-10-01T12:00:00.000Z", "context": "acct_1Connected",
                  "related_object": {"id": "cus_1", "type": "customer", "url": "/v1/customers/cus_1"},
                  "snapshot_event": "evt_1SnapshotTwin"}
    # A singleton related object (no id) and an offset time; the v2 ping with no context.
    singleton = {"id": "evt_test_balance", "object": "v2.core.event", "type": "v1.balance.available", "livemode": True,
                 "created": "2026-10-01T14:00:00+02:00", "related_object": {"type": "balance", "url": "/v1/balance"}}
    ping = {"id": "evt_test_ping", "object": "v2.core.event", "type": "v2.core.event_destination.ping", "livemode": False,
            "created": "2026-09-18T19:56:56.947Z", "context": None, "reason": None,
            "related_object": {"id": "ed_test_ping", "type": "v2.core.event_destination",
                               "url": "/v2/core/event_destinations/ed_test_ping"}}
    nested = {"id": "evt_nested", "object": "v2.core.event",
              "type": "v2.core.account[configuration.recipient].capability_status_updated", "livemode": True,
              "created": "2026-10-02T00:00:00Z", "context": "acct_1Parent/acct_1Child",
              "related_object": {"id": "acct_1Child", "type": "v2.core.account", "url": "/v2/core/accounts/acct_1Child"}}

    def nt(cid, body, expect, header=None, now=T, note=None, secrets=(S,)):
        raw = body if isinstance(body, str) else json.dumps(body, indent=2)
        inp = {"payload": raw, "header": header or sign(S, raw.encode(), T), "secrets": list(secrets), "now": now, "tolerance": 300}
        cases.append(case(cid, "verify_event_notification", inp, expect, note))

    def expected(body, secret_index=0):
        rel = body.get("related_object")
        return ok(id=body["id"], type=body["type"], created=rfc3339_oracle(body["created"]), created_rfc3339=body["created"],
                  livemode=body["livemode"], context=body.get("context") or None,
                  related_object=None if rel is None else {"id": rel.get("id"), "type": rel["type"], "url": rel["url"]},
                  snapshot_event=body.get("snapshot_event"), raw=body, timestamp=T, secret_index=secret_index)

    for name, body in [("python-fixture", python_fixture), ("go-fixture", go_fixture), ("docs-fixture", docs_fixture),
                       ("v1-snapshot-twin", v1_fixture), ("singleton-offset", singleton), ("ping-null-context", ping),
                       ("nested-context", nested)]:
        nt(name, body, expected(body))
    compact = json.dumps(v1_fixture, separators=(",", ":"))
    nt("second-secret", compact, expected(v1_fixture, 1), header=sign("whsec_new", compact.encode(), T),
       secrets=(S, "whsec_new"), note="a platform with several endpoint secrets: the list covers it")
    # Reject twins of the signature.
    body = json.dumps(v1_fixture, indent=2)
    nt("reject-reserialized", json.dumps(v1_fixture), err("signature_mismatch"), header=sign(S, body.encode(), T))
    nt("reject-stale", v1_fixture, err("timestamp_too_old"), now=T + 301)
    nt("reject-wrong-secret", v1_fixture, err("signature_mismatch"), secrets=("whsec_other",))
    # The other kind: a snapshot event here is a typed error naming verify_webhook.
    snapshot = {"id": "evt_1SnapshotTwin", "object": "event", "api_version": "2026-09-30.clover", "created": 1790000000,
                "data": {"object": {"id": "cus_1", "object": "customer"}}, "livemode": False, "type": "customer.created"}
    nt("reject-snapshot-event", snapshot, err("snapshot_event_given"), note="the same secret verifies both kinds; the body says which")
    # Envelope rules (decisions in docs/protocol.md §9).
    for name, body in [
        ("no-object", {k: v for k, v in v1_fixture.items() if k != "object"}),
        ("other-object", dict(v1_fixture, object="v2.core.event_destination")),
        ("object-not-string", dict(v1_fixture, object=1)),
        ("no-id", {k: v for k, v in v1_fixture.items() if k != "id"}),
        ("id-not-event", dict(v1_fixture, id="cus_1")),
        ("id-chars", dict(v1_fixture, id="evt_1/../x")),
        ("no-type", {k: v for k, v in v1_fixture.items() if k != "type"}),
        ("no-livemode", {k: v for k, v in v1_fixture.items() if k != "livemode"}),
        ("livemode-string", dict(v1_fixture, livemode="false")),
        ("no-created", {k: v for k, v in v1_fixture.items() if k != "created"}),
        ("created-unix", dict(v1_fixture, created=1790000000)),
        ("created-no-zone", dict(v1_fixture, created="2026-10-01T12:00:00")),
        ("created-space", dict(v1_fixture, created="2026-10-01 12:00:00Z")),
        ("created-feb-30", dict(v1_fixture, created="2026-02-30T00:00:00Z")),
        ("created-leap-second", dict(v1_fixture, created="2016-12-31T23:59:60Z")),
        ("created-before-1970", dict(v1_fixture, created="1969-12-31T23:59:59Z")),
        ("context-chars", dict(v1_fixture, context="acct_1\r\nX-Injected: 1")),
        ("context-empty-segment", dict(v1_fixture, context="acct_1//acct_2")),
        ("related-no-url", dict(v1_fixture, related_object={"id": "cus_1", "type": "customer"})),
        ("related-no-type", dict(v1_fixture, related_object={"id": "cus_1", "url": "/v1/customers/cus_1"})),
        ("related-absolute-url", dict(v1_fixture, related_object={"id": "cus_1", "type": "customer", "url": "https://evil.example/v1/customers/cus_1"})),
        ("related-scheme-relative", dict(v1_fixture, related_object={"id": "cus_1", "type": "customer", "url": "//evil.example/v1/x"})),
        ("related-dotdot", dict(v1_fixture, related_object={"id": "cus_1", "type": "customer", "url": "/v1/customers/../../v1/oauth/token"})),
        ("related-query", dict(v1_fixture, related_object={"id": "cus_1", "type": "customer", "url": "/v1/customers/cus_1?expand[]=x"})),
        ("related-encoded-dotdot", dict(v1_fixture, related_object={"id": "cus_1", "type": "customer", "url": "/v1/%2e%2e/oauth/token"})),
        ("snapshot-event-number", dict(v1_fixture, snapshot_event=1)),
    ]:
        nt("reject-" + name, body, err("malformed_event"), note="signature valid, envelope not a notification")
    dup = '{"id":"evt_1","id":"evt_2","object":"v2.core.event","type":"v1.x","livemode":false,"created":"2026-01-01T00:00:00Z"}'
    nt("reject-duplicate-id", dup, err("malformed_event"), note="two parsers could read two ids")
    nt("reject-not-json", "not json", err("malformed_event"))
    # Edge times the oracle agrees on.
    for name, created in [("created-offset-minus", "2026-01-01T00:00:00-05:30"), ("created-lowercase", "2026-01-01t00:00:00.5z"),
                          ("created-nanos", "2024-02-29T23:59:59.999999999Z"), ("created-epoch", "1970-01-01T00:00:00Z")]:
        body = dict(ping, created=created)
        nt(name, body, expected(body))
    # The same thin body given to verify_webhook: a typed error naming verify_event_notification.
    wh_body = json.dumps(v1_fixture, indent=2)
    cases.append(case("webhook-reject-notification", "verify_webhook",
                      {"payload": wh_body, "header": sign(S, wh_body.encode(), T), "secrets": [S], "now": T, "tolerance": 300},
                      err("event_notification_given")))
    cases.append(case("webhook-reject-other-object", "verify_webhook",
                      {"payload": json.dumps(dict(snapshot, object="v2.core.event_destination")),
                       "header": sign(S, json.dumps(dict(snapshot, object="v2.core.event_destination")).encode(), T),
                       "secrets": [S], "now": T, "tolerance": 300}, err("malformed_event")))

    # Fetch requests (sans-I/O): GET with the key as a Bearer token, in the notification's context.
    KEY, LIVE = "sk_test_51AbcDEF", "sk_live_51AbcDEF"

    def fr(cid, op, inp, expect):
        base = {"secret_key": KEY, "livemode": False, "context": None, "api_version": None, "base_url": None}
        base.update(inp)
        cases.append(case(cid, op, base, expect))

    def get(url, key, context=None, version=None):
        h = [["Authorization", "Bearer " + key]]
        if context:
            h.append(["Stripe-Context", context])
        if version:
            h.append(["Stripe-Version", version])
        return ok(method="GET", url=url, headers=h)

    fr("event-request", "fetch_event_request", {"event_id": "evt_test_65SnapTwin", "context": "acct_1Connected"},
       get("https://api.stripe.com/v2/core/events/evt_test_65SnapTwin", KEY, "acct_1Connected"))
    fr("event-request-live-version", "fetch_event_request",
       {"secret_key": LIVE, "event_id": "evt_1", "livemode": True, "api_version": "2026-09-30.clover"},
       get("https://api.stripe.com/v2/core/events/evt_1", LIVE, None, "2026-09-30.clover"))
    fr("event-request-emulator", "fetch_event_request", {"event_id": "evt_1", "base_url": "http://127.0.0.1:12111/"},
       get("http://127.0.0.1:12111/v2/core/events/evt_1", KEY))
    fr("event-request-empty-context", "fetch_event_request", {"event_id": "evt_1", "context": ""},
       get("https://api.stripe.com/v2/core/events/evt_1", KEY))
    fr("event-request-reject-mode", "fetch_event_request", {"event_id": "evt_1", "livemode": True}, err("key_mode_mismatch"))
    fr("event-request-reject-mode-live-key", "fetch_event_request", {"secret_key": LIVE, "event_id": "evt_1"}, err("key_mode_mismatch"))
    fr("event-request-reject-pk", "fetch_event_request", {"secret_key": "pk_test_1", "event_id": "evt_1"}, err("invalid_api_key"))
    for name, eid in [("path", "evt_1/../../v1/oauth/token"), ("query", "evt_1?x=1"), ("prefix", "cus_1"), ("empty", "")]:
        fr("event-request-reject-id-" + name, "fetch_event_request", {"event_id": eid}, err("invalid_argument"))
    fr("event-request-reject-context", "fetch_event_request", {"event_id": "evt_1", "context": "acct_1\r\nX: y"}, err("invalid_argument"))
    fr("event-request-reject-version", "fetch_event_request", {"event_id": "evt_1", "api_version": "2026\r\nX: y"}, err("invalid_argument"))
    fr("event-request-reject-base", "fetch_event_request", {"event_id": "evt_1", "base_url": "http://proxy.internal"}, err("invalid_argument"))
    fr("related-request", "fetch_related_object_request", {"url": "/v1/billing/meters/mtr_123", "context": "event_context_456"},
       get("https://api.stripe.com/v1/billing/meters/mtr_123", KEY, "event_context_456"))
    fr("related-request-v2", "fetch_related_object_request",
       {"secret_key": LIVE, "livemode": True, "url": "/v2/core/accounts/acct_1Child", "context": "acct_1Parent/acct_1Child"},
       get("https://api.stripe.com/v2/core/accounts/acct_1Child", LIVE, "acct_1Parent/acct_1Child"))
    for name, url in [("absolute", "https://evil.example/v1/x"), ("scheme-relative", "//evil.example/v1/x"),
                      ("dotdot", "/v1/customers/../oauth/token"), ("not-api", "/oauth/token"), ("query", "/v1/x?y=1"),
                      ("crlf", "/v1/x\r\nX: y"), ("long", "/v1/" + "a" * 2045), ("encoded-dotdot", "/v1/%2e%2e/oauth/token"),
                      ("encoded-dotdot-upper", "/v2/%2E%2E/x"), ("encoded-slash", "/v1/a%2Fb")]:
        fr("related-request-reject-" + name, "fetch_related_object_request", {"url": url}, err("invalid_argument"))
    fr("related-request-reject-mode", "fetch_related_object_request", {"url": "/v1/balance", "livemode": True}, err("key_mode_mismatch"))
    return write("notifications", notifications_suite.__doc__.split("\n")[0].rstrip("."), cases)


# --------------------------------------------------------------------------- One-time entries
def one_time_suite():
    """One-time entries for the stores: the entry's rules and key, the PostgreSQL statements,
    and what a store's answer means (only a literal true is a first time; never a silent accept)."""
    cases = []
    T = 1700000000
    P = "stripe-handshake:"

    def entry(cid, ns, id_, exp, expect, now=T, prefix=None, note=None):
        inp = {"namespace": ns, "id": id_, "expires_at": exp, "now": now, "prefix": prefix}
        cases.append(case(cid, "one_time_entry", inp, expect, note))

    nonce = base64.urlsafe_b64encode(bytes(range(32))).rstrip(b"=").decode()
    GRACE = 300  # the clocks' grace: Redis's TTL and PostgreSQL's pruning keep entries this much longer

    def okentry(ns, id_, exp, key, now=T):
        return ok(namespace=ns, id=id_, expires_at=exp, key=key, ttl_secs=exp - now + 1 + GRACE)

    entry("state-nonce", "state", nonce, T + 600, okentry("state", nonce, T + 600, P + "state:" + nonce),
          note="kept through its last second, plus the grace, counted from this process's clock")
    entry("event-id", "event", "evt_1QHandshake", T + 259200, okentry("event", "evt_1QHandshake", T + 259200, P + "event:evt_1QHandshake"))
    entry("custom-prefix", "state", "n", T + 1, okentry("state", "n", T + 1, "app1:state:n"), prefix="app1:")
    entry("empty-prefix", "event", "evt_1", T + 1, okentry("event", "evt_1", T + 1, "event:evt_1"), prefix="")
    entry("id-255", "event", "e" * 255, T + 1, okentry("event", "e" * 255, T + 1, P + "event:" + "e" * 255))
    entry("expires-now", "state", "n", T, okentry("state", "n", T, P + "state:n"),
          note="a token verifies through its last second: its entry must stand through it too")
    entry("id-256", "event", "e" * 256, T + 1, err("invalid_argument"))
    entry("id-empty", "event", "", T + 1, err("invalid_argument"))
    entry("id-space", "event", "evt 1", T + 1, err("invalid_argument"), note="a space would let two ids share a key in other stores")
    entry("id-newline", "event", "evt_1\r\nDEL x", T + 1, err("invalid_argument"), note="no protocol injection through an id")
    entry("id-non-ascii", "event", "evt_é", T + 1, err("invalid_argument"))
    entry("ns-upper", "State", "n", T + 1, err("invalid_argument"))
    entry("ns-colon", "state:x", "n", T + 1, err("invalid_argument"), note="the namespace ends at the first colon")
    entry("ns-empty", "", "n", T + 1, err("invalid_argument"))
    entry("ns-33", "a" * 33, "n", T + 1, err("invalid_argument"))
    entry("expired", "state", "n", T - 1, err("invalid_argument"), note="an entry that has expired protects nothing")
    entry("prefix-space", "state", "n", T + 1, err("invalid_argument"), prefix="my app:")
    entry("prefix-65", "state", "n", T + 1, err("invalid_argument"), prefix="p" * 65)

    def pg(cid, expect, table=None, placeholders="dollar", note=None):
        cases.append(case(cid, "postgres_statements", {"table": table, "placeholders": placeholders}, expect, note))

    def statements(t, a, b, c, d):
        return ok(create=f"CREATE TABLE IF NOT EXISTS {t} (namespace text NOT NULL, id text NOT NULL, expires_at bigint NOT NULL, "
                         f"PRIMARY KEY (namespace, id))",
                  consume=f"INSERT INTO {t} AS t (namespace, id, expires_at) VALUES ({a}, {b}, {c}) ON CONFLICT (namespace, id) "
                          f"DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE t.expires_at < {d} RETURNING 1",
                  prune=f"DELETE FROM {t} WHERE expires_at + {GRACE} < {a}",
                  release=f"DELETE FROM {t} WHERE namespace = {a} AND id = {b}",
                  extend=f"UPDATE {t} AS t SET expires_at = v.e FROM (VALUES ({a}, {b}, {c}::bigint)) AS v(n, i, e) "
                         f"WHERE t.namespace = v.n AND t.id = v.i")

    pg("pg-dollar", statements("stripe_handshake_one_time", "$1", "$2", "$3", "$4"))
    pg("pg-percent", statements("stripe_handshake_one_time", "%s", "%s", "%s", "%s"), placeholders="percent")
    pg("pg-table", statements("app_nonces_2", "$1", "$2", "$3", "$4"), table="app_nonces_2")
    pg("pg-table-injection", err("invalid_argument"), table="t; DROP TABLE users", note="the table name is written into the SQL")
    pg("pg-table-quoted", err("invalid_argument"), table='"T"')
    pg("pg-table-digit", err("invalid_argument"), table="1table")
    pg("pg-table-64", err("invalid_argument"), table="t" * 64)
    pg("pg-placeholders", err("invalid_argument"), placeholders="qmark")

    def outcome(cid, answer, ns, expect, note=None):
        cases.append(case(cid, "one_time_outcome", {"answer": answer, "namespace": ns}, expect, note))

    outcome("first-state", True, "state", ok(first_time=True))
    outcome("first-event", True, "event", ok(first_time=True))
    outcome("replayed-state", False, "state", err("state_replayed"), "a reload of the callback page: never a second exchange")
    outcome("first-code", True, "code", ok(first_time=True))
    outcome("replayed-code", False, "code", err("code_replayed"), "a reload of a Marketplace authorization's callback page")
    outcome("duplicate-event", False, "event", ok(first_time=False), "a duplicate delivery: acknowledge it, act once")
    outcome("failed", None, "state", err("store_unavailable"), "the store threw: pass no answer")
    outcome("string-true", "true", "state", err("store_unavailable"), "only a boolean counts: a broken store is never an accept")
    outcome("number-one", 1, "event", err("store_unavailable"))
    outcome("ok-reply", "OK", "state", err("store_unavailable"), "a raw Redis reply is not an answer")
    # What a webhook endpoint answers Stripe (the adapters' one table): Stripe retries any non-2xx.
    def reply(cid, outcome, expect, note=None):
        cases.append(case(cid, "webhook_reply", {"outcome": outcome}, expect, note))

    reply("reply-delivered", "delivered", ok(status=200, body='{"received":true}'))
    reply("reply-duplicate", "duplicate", ok(status=200, body='{"received":true}'), "a retry of an event acted on: acknowledged")
    reply("reply-too-large", "body_too_large",
          ok(status=413, body=json.dumps({"error": "body_too_large", "message": "the body is over 1 MiB; Stripe's events are far smaller"},
                                         separators=(",", ":"))))
    reply("reply-parsed", "body_already_parsed", ok(status=500, body=json.dumps(
        {"error": "body_already_parsed", "message": "a body parser read the request before the webhook handler, so its raw bytes are gone: "
         "mount the handler before express.json() (or any JSON middleware), or keep the raw body"}, separators=(",", ":"))),
        "a 500 so that Stripe delivers again once the route is fixed; the Dashboard shows the message")
    reply("reply-handler", "handler_failed", ok(status=500, body=json.dumps(
        {"error": "handler_failed", "message": "the event handler failed; Stripe delivers the event again later"}, separators=(",", ":"))))
    reply("reply-store", "store_unavailable", ok(status=503, body=json.dumps(
        {"error": "store_unavailable", "message": "the one-time store could not answer; Stripe delivers the event again later"},
        separators=(",", ":"))))
    reply("reply-signature", "signature_mismatch", ok(status=400, body='{"error":"signature_mismatch"}'))
    reply("reply-notification", "event_notification_given", ok(status=400, body='{"error":"event_notification_given"}'))
    reply("reply-internal", "internal", ok(status=500, body='{"error":"internal"}'), "not the request's fault: Stripe delivers again")
    reply("reply-unknown", "teapot", err("invalid_argument"))
    return write("one_time", one_time_suite.__doc__.split("\n")[0], cases)


# --------------------------------------------------------------------------- Account Links
def account_links_suite():
    """Account Links: the request with a signed state in its return and refresh URLs, the answer,
    the return (state of this session, the account from the token), the account retrieval."""
    cases = []
    KEY, LIVE = "sk_test_51AbcDEF", "sk_live_51AbcDEF"
    T = 1700000000
    sess = b"onboarding-session"
    nonce = bytes(range(50, 82))
    RET, REF = "https://platform.example/onboarding/return", "https://platform.example/onboarding/refresh?from=link"
    ENTRIES = [RET, REF]
    basic = "Basic " + base64.b64encode((KEY + ":").encode()).decode()
    form = lambda pairs: "&".join(f"{enc(k)}={enc(v)}" for k, v in pairs)

    def token(account, mode=None, t=T, key=K1, kid="k1", flow="account_link", session=sess):
        return seal(key, token_body(kid, key, flow, session, t, t + 86400, nonce, account.encode(), mode=mode))

    def with_state(url, tok):
        return url + ("&" if "?" in url else "?") + "state=" + enc(tok)

    def req(cid, inp, expect, note=None):
        base = {"secret_key": KEY, "account": "acct_1Onboard", "type": None, "return_url": RET, "refresh_url": REF,
                "collection_fields": None, "future_requirements": None, "keys": KEYS, "session_id_hex": sess.hex(),
                "link_mode": None, "now": T, "nonce_hex": nonce.hex(), "expected_mode": None, "base_url": None,
                "allow_list": ENTRIES}
        base.update(inp)
        cases.append(case(cid, "account_link_request", base, expect, note))

    def okreq(account="acct_1Onboard", link_type="account_onboarding", extra=(), mode=None, url="https://api.stripe.com/v1/account_links",
              auth=basic):
        tok = token(account, mode)
        pairs = [("account", account), ("refresh_url", with_state(REF, tok)), ("return_url", with_state(RET, tok)),
                 ("type", link_type)] + list(extra)
        return ok(method="POST", url=url, headers=[["Authorization", auth], ["Content-Type", "application/x-www-form-urlencoded"]],
                  body=form(pairs))

    req("request-onboarding", {}, okreq(), note="the same signed state in both URLs; refresh_url keeps its own query")
    req("request-update-collect", {"type": "account_update", "collection_fields": "eventually_due", "future_requirements": "include"},
        okreq(link_type="account_update", extra=[("collection_options[fields]", "eventually_due"),
                                                 ("collection_options[future_requirements]", "include")]))
    req("request-sandbox", {"link_mode": "sandbox"}, okreq(mode="sandbox"))
    req("request-emulator", {"base_url": "http://127.0.0.1:12111"}, okreq(url="http://127.0.0.1:12111/v1/account_links"))
    req("request-reject-sandbox-live-key", {"secret_key": LIVE, "link_mode": "sandbox"}, err("key_mode_mismatch"))
    req("request-reject-expected-live", {"expected_mode": "live"}, err("key_mode_mismatch"))
    req("request-reject-modes-disagree", {"secret_key": LIVE, "expected_mode": "live", "link_mode": "test"}, err("key_mode_mismatch"),
        note="a live key must not build a link whose signed state says test")
    req("request-reject-entry-has-state", {"return_url": RET + "?state=x", "allow_list": [RET + "?state=x", REF]}, err("invalid_argument"),
        note="the return would carry two states and be refused after onboarding: refused when the link is built")
    req("request-reject-return-not-entry", {"return_url": "https://evil.example/onboarding/return"}, err("redirect_uri_not_allowed"))
    req("request-reject-refresh-variant", {"refresh_url": "https://platform.example/onboarding/refresh"}, err("redirect_uri_not_allowed"),
        note="byte for byte: the entry's query is part of it")
    req("request-reject-account", {"account": "usr_1"}, err("invalid_argument"))
    req("request-reject-account-chars", {"account": "acct_1&type=x"}, err("invalid_argument"))
    req("request-reject-type", {"type": "custom_account_verification"}, err("invalid_argument"))
    req("request-reject-fields", {"collection_fields": "all"}, err("invalid_argument"))
    req("request-reject-future", {"future_requirements": "maybe"}, err("invalid_argument"))
    req("request-reject-pk", {"secret_key": "pk_test_1"}, err("invalid_api_key"))
    req("request-reject-no-session", {"session_id_hex": ""}, err("invalid_argument"))
    req("request-reject-short-nonce", {"nonce_hex": "00" * 31}, err("invalid_argument"))

    def resp(cid, status, body, expect):
        cases.append(case(cid, "parse_account_link_response", {"status": status, "body": body}, expect))

    link = {"object": "account_link", "created": T, "expires_at": T + 300, "url": "https://connect.stripe.com/setup/e/acct_1Onboard/Xyz"}
    resp("response-ok", 200, json.dumps(link), ok(url=link["url"], created=T, expires_at=T + 300))
    resp("response-ok-emulator", 200, json.dumps(dict(link, url="http://127.0.0.1:12111/setup/e/acct_1/x")),
         ok(url="http://127.0.0.1:12111/setup/e/acct_1/x", created=T, expires_at=T + 300))
    resp("response-reject-http", 200, json.dumps(dict(link, url="http://connect.stripe.com/setup/e/x")), err("malformed_response"))
    resp("response-reject-javascript", 200, json.dumps(dict(link, url="javascript:alert(1)")), err("malformed_response"))
    resp("response-reject-userinfo", 200, json.dumps(dict(link, url="https://u@connect.stripe.com/x")), err("malformed_response"))
    resp("response-reject-object", 200, json.dumps(dict(link, object="login_link")), err("malformed_response"))
    resp("response-reject-no-url", 200, json.dumps({k: v for k, v in link.items() if k != "url"}), err("malformed_response"))
    resp("response-reject-no-expiry", 200, json.dumps({k: v for k, v in link.items() if k != "expires_at"}), err("malformed_response"))
    resp("response-api-error", 400, json.dumps({"error": {"type": "invalid_request_error", "code": "account_invalid",
                                                           "message": "The provided key does not have access to account 'acct_1'"}}),
         err("api_error"))
    resp("response-reject-html-500", 500, "<html>oops</html>", err("malformed_response"))
    resp("response-reject-too-large", 200, json.dumps(dict(link, pad="x" * 65536)), err("response_too_large"))

    def cb(cid, query, kind, expect, session=sess, now=T + 3600, keys=KEYS, note=None):
        cases.append(case(cid, "account_link_callback", {"query": query, "kind": kind, "keys": keys, "session_id_hex": session.hex(),
                                                         "now": now}, expect, note))

    tok = token("acct_1Onboard")
    back = lambda kind, mode=None: ok(kind=kind, account_id="acct_1Onboard",
                                      next_step="retrieve_account" if kind == "return" else "create_new_link",
                                      state_nonce=b64e(nonce), state_expires_at=T + 86400, state_mode=mode)
    cb("return-ok", "state=" + tok, "return", back("return"), note="the account comes from the signed state, not the URL")
    cb("refresh-ok", "from=link&state=" + tok, "refresh", back("refresh"))
    cb("return-sandbox", "state=" + token("acct_1Onboard", "sandbox"), "return", back("return", "sandbox"))
    cb("return-late-ok", "state=" + tok, "return", back("return"), now=T + 86400, note="onboarding takes a while: 24 h")
    cb("return-reject-expired", "state=" + tok, "return", err("state_expired"), now=T + 86401)
    cb("return-reject-other-session", "state=" + tok, "return", err("state_session_mismatch"), session=b"someone-else",
       note="the return URL is public: a return in another browser proves nothing for it")
    cb("return-reject-no-state", "account=acct_1Onboard", "return", err("state_missing"))
    cb("return-reject-empty-state", "state=", "return", err("state_missing"))
    cb("return-reject-connect-token", "state=" + token("acct_1Onboard", flow="connect_oauth"), "return", err("state_flow_mismatch"))
    cb("return-reject-data-not-account", "state=" + token("/dashboard"), "return", err("state_invalid"),
       note="a token of this flow must name an account")
    cb("return-reject-dup-state", f"state={tok}&state={tok}", "return", err("duplicate_parameter"))
    cb("return-reject-kind", "state=" + tok, "finished", err("invalid_argument"))

    def acct(cid, inp, expect):
        base = {"secret_key": KEY, "account": "acct_1Onboard", "expected_mode": None, "api_version": None, "base_url": None}
        base.update(inp)
        cases.append(case(cid, "retrieve_account_request", base, expect))

    acct("retrieve", {}, ok(method="GET", url="https://api.stripe.com/v1/accounts/acct_1Onboard", headers=[["Authorization", "Bearer " + KEY]]))
    acct("retrieve-sandbox", {"expected_mode": "sandbox", "api_version": "2026-09-30.clover"},
         ok(method="GET", url="https://api.stripe.com/v1/accounts/acct_1Onboard",
            headers=[["Authorization", "Bearer " + KEY], ["Stripe-Version", "2026-09-30.clover"]]))
    acct("retrieve-reject-mode", {"expected_mode": "live"}, err("key_mode_mismatch"))
    acct("retrieve-reject-account", {"account": "acct_1/../../v1/balance"}, err("invalid_argument"))
    return write("account_links", account_links_suite.__doc__.split("\n")[0].rstrip(","), cases)


# --------------------------------------------------------------------------- diagnosis
def diagnose_suite():
    """Why a signature does not verify: one input per finding code, each built by applying the
    change a framework makes (the oracle knows the cause because it made it)."""
    cases = []
    S, OLD = "whsec_diagnose_vectors", "whsec_old_rotated"
    T = 1700000000
    event = {"id": "evt_1Diag", "object": "event", "type": "customer.created", "livemode": False, "created": T,
             "data": {"object": {"id": "cus_1", "name": "Zoë"}}}
    pretty = json.dumps(event, indent=2, ensure_ascii=False)  # as Stripe sends it
    compact = json.dumps(event, separators=(",", ":"), ensure_ascii=False)
    spaced = json.dumps(event, ensure_ascii=False)

    def d(cid, payload, codes, header=None, secrets=(S,), now=T, signed=None, note=None):
        pb = payload if isinstance(payload, bytes) else payload.encode()
        sb = pb if signed is None else (signed if isinstance(signed, bytes) else signed.encode())
        inp = {"payload_hex": pb.hex(), "header": sign(S, sb, T) if header is None else header, "secrets": list(secrets),
               "now": now, "tolerance": 300}
        cases.append(case(cid, "diagnose_signature", inp, ok(verified="verified" in codes, codes=codes), note))

    d("verified", pretty, ["verified"])
    d("rotated-secret", pretty, ["matched_secret", "verified"], secrets=(OLD, S))
    d("body-compact", compact, ["body_changed"], signed=pretty, note="express.json() then JSON.stringify(req.body)")
    d("body-python-dumps", spaced, ["body_changed"], signed=pretty, note="request.json then json.dumps")
    d("body-reindented", json.dumps(event, indent=4, ensure_ascii=False), ["body_changed"], signed=compact)
    d("body-crlf", pretty.replace("\n", "\r\n"), ["body_changed"], signed=pretty)
    d("body-cr-stripped", pretty, ["body_changed"], signed=pretty.replace("\n", "\r\n"))
    d("body-bom", b"\xef\xbb\xbf" + pretty.encode(), ["body_changed"], signed=pretty)
    d("body-newline-stripped", pretty, ["body_changed"], signed=pretty + "\n")
    d("body-newline-added", pretty + "\n", ["body_changed"], signed=pretty)
    d("body-latin1", pretty.encode().decode("latin-1").encode(), ["body_changed"], signed=pretty,
      note="the UTF-8 body decoded as latin-1 and encoded again")
    d("body-object-string", "[object Object]", ["body_is_object_string", "wrong_secret"], signed=pretty)
    thin = json.dumps({"id": "evt_1", "object": "v2.core.event", "type": "v1.customer.created", "livemode": False,
                       "created": "2023-11-14T22:13:20Z"})
    d("notification-body", thin, ["verified", "body_is_event_notification"])
    d("clock-old", pretty, ["clock_skew"], now=T + 400, note="the right secret over an old timestamp: a replay or a clock behind")
    d("clock-ahead", pretty, ["clock_skew"], now=T - 400)
    good = sign(S, pretty.encode(), T)
    d("header-missing", pretty, ["header_missing"], header="")
    d("header-quoted", pretty, ["header_quoted"], header='"' + good + '"')
    d("header-uppercase", pretty, ["header_uppercase"], header=good.replace("t=", "T=").replace("v1=", "V1="))
    d("header-only-v0", pretty, ["header_only_v0"], header=f"t={T},v0=" + "0" * 64)
    d("header-malformed", pretty, ["header_malformed"], header="sha256=abcdef")
    d("secret-api-key", pretty, ["secret_is_api_key", "no_usable_secret"], secrets=("sk_test_51AbcDEF",))
    d("secret-whitespace", pretty, ["secret_has_whitespace", "verified"], secrets=(S + "\n",),
      note="diagnosed as the user most likely meant: the secret without the newline")
    d("secret-quoted", pretty, ["secret_quoted", "verified"], secrets=('"' + S + '"',))
    d("secret-unusual-prefix", pretty, ["secret_unusual_prefix", "wrong_secret"], secrets=("my-endpoint-secret",))
    d("wrong-secret", pretty, ["wrong_secret"], secrets=("whsec_another_endpoint",))
    d("no-secret", pretty, ["no_usable_secret"], secrets=())
    d("secret-app-for-event", pretty, ["wrong_secret", "secret_is_app_secret"], secrets=("absec_the_apps_secret",),
      note="an event verified with the Stripe App's signing secret")
    d("secret-app-for-notification", thin, ["wrong_secret", "secret_is_app_secret"], secrets=("absec_the_apps_secret",))
    d("secret-app-for-non-event", '{"hello":"world"}', ["wrong_secret"], secrets=("absec_the_apps_secret",),
      note="reject twin: not an event, so nothing says the secret is of the wrong kind")
    codes = set(c for x in cases for c in x["ok"]["codes"])
    assert codes == set(DIAGNOSE_CODES), set(DIAGNOSE_CODES) ^ codes

    # Callbacks: the flow, what is missing, the state in words, the install_signature.
    A = "absec_diagnose_app"
    sess = b"diagnose-session"
    nonce = bytes(range(90, 122))
    tok = lambda flow, t=T, key=K1, kid="k1", data=b"": seal(key, token_body(kid, key, flow, sess, t, t + 600, nonce, data))
    q = lambda pairs: "&".join(f"{enc(k)}={enc(v)}" for k, v in pairs)

    def install(state, form="value", secret=A, user="usr_1", acct="acct_1"):
        payload = install_payload(state, user, acct, form)
        pairs = [("user_id", user), ("account_id", acct)] + ([("state", state)] if state is not None else [])
        return q(pairs + [("install_signature", sign(secret, payload.encode(), T))])

    def cb(cid, query, codes, secrets=(A,), keys=True, session=sess, now=T + 5, note=None, verified=None, manifest=None,
           redirect_uris=None):
        inp = {"query": query, "secrets": list(secrets), "keys": KEYS if keys else None,
               "session_id_hex": session.hex() if keys else None, "now": now, "tolerance": 300}
        if manifest is not None:
            inp["manifest"] = json.dumps(manifest)
        if redirect_uris is not None:
            inp["redirect_uris"] = redirect_uris
        v = ("state_ok" in codes and not ({"missing_parameter", "install_signature_mismatch", "install_signature_ui_extension_form",
                                            "clock_skew", "access_type_mismatch", "redirect_not_canonical", "redirect_other_host",
                                            "redirect_nearest_entry"} & set(codes))
             and ("flow_install_link" not in codes or "install_signature_ok" in codes)) if verified is None else verified
        cases.append(case(cid, "diagnose_callback", inp, ok(verified=v, codes=codes), note))

    il = tok("install_link")
    cb("cb-denied", "error=access_denied&error_description=The+user+cancelled", ["flow_denied"])
    cb("cb-install-ok", install(il), ["flow_install_link", "state_ok", "install_signature_ok"])
    cb("cb-install-other-session", install(il), ["flow_install_link", "state_other_session", "install_signature_ok"],
       session=b"another-browser")
    cb("cb-install-expired", install(il), ["flow_install_link", "state_expired", "clock_skew"], now=T + 700)
    cb("cb-install-marketplace", install(None, "null"), ["flow_install_link", "state_absent", "install_signature_ok"])
    cb("cb-install-ui-form", install(None, "omitted"), ["flow_install_link", "state_absent", "install_signature_ui_extension_form"])
    cb("cb-install-wrong-secret", install(il, secret="absec_another_app"), ["flow_install_link", "state_ok", "install_signature_mismatch"])
    cb("cb-install-api-key", install(il), ["flow_install_link", "state_ok", "secret_is_api_key"], secrets=("sk_test_51AbcDEF",))
    cb("cb-install-missing-account", q([("user_id", "usr_1"), ("install_signature", "t=1,v1=" + "0" * 64)]),
       ["flow_install_link", "missing_parameter", "state_absent"])
    cb("cb-install-other-flow", install(tok("connect_oauth")), ["flow_install_link", "state_other_flow", "install_signature_ok"])
    cb("cb-apps-oauth-app", q([("code", "ac_1"), ("user_id", "usr_1"), ("account_id", "acct_1"), ("state", tok("apps_oauth"))]),
       ["flow_apps_oauth", "state_ok"])
    cb("cb-oauth-connect", q([("code", "ac_1"), ("scope", "read_write"), ("state", tok("connect_oauth"))]), ["flow_oauth", "state_ok"])
    cb("cb-oauth-url", "https://platform.example/stripe/oauth/callback?" + q([("code", "ac_1"), ("state", tok("apps_oauth"))]) + "#top",
       ["flow_oauth", "state_ok"], note="a whole URL: its query is read, the fragment dropped")
    cb("cb-oauth-plain-state", q([("code", "ac_1"), ("state", "a-plain-state")]), ["flow_oauth", "state_not_a_token"])
    cb("cb-oauth-unknown-key", q([("code", "ac_1"), ("state", tok("connect_oauth", key=K2, kid="k9"))]), ["flow_oauth", "state_unknown_key"])
    cb("cb-oauth-future", q([("code", "ac_1"), ("state", tok("connect_oauth", t=T + 200))]), ["flow_oauth", "state_not_yet_valid"])
    cb("cb-oauth-no-keys", q([("code", "ac_1"), ("state", "x")]), ["flow_oauth", "state_present"], keys=False)
    cb("cb-account-link", "state=" + seal(K1, token_body("k1", K1, "account_link", sess, T, T + 86400, nonce, b"acct_1")),
       ["flow_account_link", "state_ok"])
    cb("cb-unknown", "utm_source=newsletter", ["flow_unknown"])
    cb("cb-malformed", "state=%zz", ["query_malformed"])
    cb("cb-install-secret-whitespace", install(il), ["flow_install_link", "state_ok", "secret_has_whitespace", "install_signature_ok"],
       secrets=(A + "\n",))
    cb("cb-install-secret-quoted", install(il), ["flow_install_link", "state_ok", "secret_quoted", "install_signature_ok"],
       secrets=("'" + A + "'",))
    cb("cb-install-secret-unusual", install(il), ["flow_install_link", "state_ok", "secret_unusual_prefix", "install_signature_mismatch"],
       secrets=("my-app-secret",))
    cb("cb-install-webhook-secret", install(il), ["flow_install_link", "state_ok", "install_signature_mismatch", "secret_is_webhook_secret"],
       secrets=("whsec_an_endpoint_secret",), note="the endpoint's whsec_ given where the app's absec_ goes")
    # With the app's manifest: the URL it arrived at, and whether this app receives this kind of callback.
    base = "https://platform.example/stripe/callback"
    app = {"id": "com.example.diagnose", "version": "1.0.0", "allowed_redirect_uris": [base, "http://localhost:3000/cb"]}
    oauth_app = dict(app, stripe_api_access_type="oauth")
    cb("cb-manifest-ok", base + "?" + install(il), ["redirect_allowed", "flow_install_link", "state_ok", "install_signature_ok"],
       manifest=app)
    cb("cb-manifest-trailing-slash", base + "/?" + install(il),
       ["redirect_nearest_entry", "differs_trailing_slash", "flow_install_link", "state_ok", "install_signature_ok"], manifest=app,
       note="the callback arrived at a URL that is not an entry: Stripe would not have sent it there")
    cb("cb-manifest-query-only", install(il), ["flow_install_link", "state_ok", "install_signature_ok"], manifest=app,
       note="a query alone: where it arrived cannot be checked")
    cb("cb-manifest-oauth-app-gets-install", base + "?" + install(il),
       ["redirect_allowed", "flow_install_link", "access_type_mismatch", "state_ok", "install_signature_ok"], manifest=oauth_app)
    apps_code = q([("code", "ac_1"), ("user_id", "usr_1"), ("account_id", "acct_1"), ("state", tok("apps_oauth"))])
    cb("cb-manifest-oauth-app-ok", base + "?" + apps_code, ["redirect_allowed", "flow_apps_oauth", "state_ok"], manifest=oauth_app)
    cb("cb-manifest-install-app-gets-code", base + "?" + apps_code,
       ["redirect_allowed", "flow_apps_oauth", "access_type_mismatch", "state_ok"], manifest=app)
    cb("cb-manifest-oauth-app-missing-account", base + "?" + q([("code", "ac_1"), ("state", tok("apps_oauth"))]),
       ["redirect_allowed", "flow_apps_oauth", "missing_parameter", "missing_parameter", "state_ok"], manifest=oauth_app,
       note="an OAuth-type app's redirect always names the user and the account")
    connect = q([("code", "ac_1"), ("scope", "read_write"), ("state", tok("connect_oauth"))])
    cb("cb-redirects-ok", base + "?" + connect, ["redirect_allowed", "flow_oauth", "state_ok"], redirect_uris=[base])
    cb("cb-redirects-other-host", "https://evil.example/stripe/callback?" + connect, ["redirect_other_host", "flow_oauth", "state_ok"],
       redirect_uris=[base])
    # Redirect URIs: the nearest entry by number and each difference.
    entries = ["https://platform.example/stripe/callback", "https://platform.example/stripe/other?tab=1",
               "http://localhost:3000/cb"]

    def rd(cid, requested, codes, mode="test"):
        cases.append(case(cid, "diagnose_redirect_uri", {"allow_list": entries, "mode": mode, "requested": requested},
                          ok(verified=codes == ["redirect_allowed"], codes=codes)))

    rd("redirect-allowed", entries[0], ["redirect_allowed"])
    rd("redirect-trailing-slash", entries[0] + "/", ["redirect_nearest_entry", "differs_trailing_slash"])
    rd("redirect-scheme", "http://platform.example/stripe/callback", ["redirect_not_canonical", "redirect_nearest_entry", "differs_scheme"])
    rd("redirect-host-case", "https://Platform.example/stripe/callback",
       ["redirect_not_canonical", "redirect_nearest_entry", "differs_host_case"])
    rd("redirect-port", "https://platform.example:8443/stripe/callback", ["redirect_nearest_entry", "differs_port"])
    rd("redirect-path-case", "https://platform.example/stripe/Callback", ["redirect_nearest_entry", "differs_path_case"])
    rd("redirect-query", "https://platform.example/stripe/callback?next=/x", ["redirect_nearest_entry", "differs_query"])
    rd("redirect-nearest-second", "https://platform.example/stripe/other?tab=2", ["redirect_nearest_entry", "differs_query"])
    rd("redirect-path", "https://platform.example/oauth/return", ["redirect_nearest_entry", "differs_path"])
    rd("redirect-other-host", "https://evil.example/stripe/callback", ["redirect_other_host"])
    rd("redirect-not-url", "/stripe/callback", ["redirect_not_canonical"])
    # Non-ASCII: no nearest entry, whether or not an IDNA mapping would fold it into an entry's host.
    rd("redirect-soft-hyphen-host", "https://platform.exam\u00adple/stripe/callback", ["redirect_not_canonical"])
    rd_codes = set(c for x in cases if x["op"] == "diagnose_redirect_uri" for c in x["ok"]["codes"])
    # Refusals of both shapes: a manifest and redirect URIs at once, and a manifest of an app with no redirect.
    cases.append(case("cb-manifest-no-redirects", "diagnose_callback",
                      {"query": "code=ac_1", "secrets": [], "keys": None, "session_id_hex": None, "now": T, "tolerance": 300,
                       "manifest": json.dumps({"id": "com.example.x"})}, err("invalid_manifest")))
    assert rd_codes == {"redirect_allowed", "redirect_not_canonical", "redirect_other_host", "redirect_nearest_entry", "differs_scheme",
                        "differs_host_case", "differs_port", "differs_trailing_slash", "differs_path_case", "differs_path",
                        "differs_query"}, rd_codes
    cb_codes = set(c for x in cases if x["op"] == "diagnose_callback" and "ok" in x for c in x["ok"]["codes"])
    assert cb_codes >= set(CALLBACK_CODES), set(CALLBACK_CODES) - cb_codes
    return write("diagnose", diagnose_suite.__doc__.split("\n")[0].rstrip(":").rstrip(","), cases)


CALLBACK_CODES = ["query_malformed", "flow_denied", "flow_install_link", "flow_apps_oauth", "flow_oauth", "flow_account_link",
                  "flow_unknown", "missing_parameter", "state_absent", "state_present", "state_ok", "state_other_flow",
                  "state_expired", "state_other_session", "state_not_yet_valid", "state_unknown_key", "state_not_a_token",
                  "install_signature_ok", "install_signature_ui_extension_form", "install_signature_mismatch",
                  "secret_is_webhook_secret", "clock_skew", "access_type_mismatch"]

DIAGNOSE_CODES = ["verified", "matched_secret", "clock_skew", "body_changed", "body_is_object_string",
                  "body_is_event_notification", "header_missing", "header_quoted", "header_uppercase", "header_only_v0",
                  "header_malformed", "secret_is_api_key", "secret_has_whitespace", "secret_quoted", "secret_unusual_prefix",
                  "no_usable_secret", "wrong_secret", "secret_is_app_secret"]


# --------------------------------------------------------------------------- OAuth
def oauth_suite():
    cases = []
    KEY = "sk_test_51AbcDEF"
    LIVE = "sk_live_51AbcDEF"
    basic = lambda k: "Basic " + base64.b64encode((k + ":").encode()).decode()
    hdrs = lambda k: [["Authorization", basic(k)], ["Content-Type", "application/x-www-form-urlencoded"]]
    form = lambda pairs: "&".join(f"{enc(k)}={enc(v)}" for k, v in pairs)

    def req(cid, op, inp, expect):
        cases.append(case(cid, op, inp, expect))

    def okreq(url, key, pairs):
        return ok(method="POST", url=url, headers=hdrs(key), body=form(pairs))

    ce = lambda provider, key, code, **kw: dict({"provider": provider, "secret_key": key, "code": code,
                                                  "expected_mode": None, "base_url": None}, **kw)
    req("exchange-connect", "code_exchange_request", ce("connect", KEY, "ac_123456789"),
        okreq("https://connect.stripe.com/oauth/token", KEY, [("grant_type", "authorization_code"), ("code", "ac_123456789")]))
    req("exchange-apps", "code_exchange_request", ce("apps", LIVE, "ac_Xyz"),
        okreq("https://api.stripe.com/v1/oauth/token", LIVE, [("grant_type", "authorization_code"), ("code", "ac_Xyz")]))
    req("exchange-apps-mode-ok", "code_exchange_request", ce("apps", LIVE, "ac_Xyz", expected_mode="live"),
        okreq("https://api.stripe.com/v1/oauth/token", LIVE, [("grant_type", "authorization_code"), ("code", "ac_Xyz")]))
    req("exchange-emulator", "code_exchange_request", ce("connect", KEY, "ac_1", base_url="http://127.0.0.1:12111/"),
        okreq("http://127.0.0.1:12111/oauth/token", KEY, [("grant_type", "authorization_code"), ("code", "ac_1")]))
    req("exchange-reject-mode", "code_exchange_request", ce("connect", KEY, "ac_1", expected_mode="live"), err("key_mode_mismatch"))
    req("exchange-sandbox-test-key", "code_exchange_request", ce("apps", KEY, "ac_Sbx", expected_mode="sandbox"),
        okreq("https://api.stripe.com/v1/oauth/token", KEY, [("grant_type", "authorization_code"), ("code", "ac_Sbx")]))
    req("exchange-reject-sandbox-live-key", "code_exchange_request", ce("apps", LIVE, "ac_Sbx", expected_mode="sandbox"),
        err("key_mode_mismatch"), )
    req("exchange-reject-mode-unknown", "code_exchange_request", ce("apps", KEY, "ac_1", expected_mode="prod"), err("invalid_argument"))
    req("exchange-reject-mode-live-key", "code_exchange_request", ce("connect", LIVE, "ac_1", expected_mode="test"), err("key_mode_mismatch"))
    for name, key in [("pk", "pk_test_123"), ("rk", "rk_live_123"), ("whsec", "whsec_123"), ("empty", ""), ("space", KEY + " "),
                      ("no-suffix", "sk_test_"), ("other-mode", "sk_prod_123"), ("oauth-token", "ac_123")]:
        req(f"exchange-reject-key-{name}", "code_exchange_request", ce("connect", key, "ac_1"), err("invalid_api_key"))
    req("exchange-reject-code-chars", "code_exchange_request", ce("connect", KEY, "ac_1&grant_type=x"), err("invalid_argument"))
    req("exchange-reject-code-empty", "code_exchange_request", ce("connect", KEY, ""), err("invalid_argument"))
    req("exchange-reject-provider", "code_exchange_request", ce("github", KEY, "ac_1"), err("invalid_argument"))
    req("exchange-reject-base", "code_exchange_request", ce("connect", KEY, "ac_1", base_url="connect.stripe.com"), err("invalid_argument"))
    req("exchange-reject-base-plain-http", "code_exchange_request", ce("connect", KEY, "ac_1", base_url="http://proxy.internal"), err("invalid_argument"))
    req("exchange-reject-base-userinfo", "code_exchange_request", ce("connect", KEY, "ac_1", base_url="https://u:p@connect.example"), err("invalid_argument"))
    rf = lambda provider, key, tok, scope=None, **kw: dict({"provider": provider, "secret_key": key, "refresh_token": tok,
                                                             "scope": scope, "expected_mode": None, "base_url": None}, **kw)
    req("refresh-apps", "refresh_request", rf("apps", KEY, "rt_abc"),
        okreq("https://api.stripe.com/v1/oauth/token", KEY, [("grant_type", "refresh_token"), ("refresh_token", "rt_abc")]))
    req("refresh-connect-scope", "refresh_request", rf("connect", KEY, "rt_abc", "read_only"),
        okreq("https://connect.stripe.com/oauth/token", KEY, [("grant_type", "refresh_token"), ("refresh_token", "rt_abc"), ("scope", "read_only")]))
    req("refresh-reject-apps-scope", "refresh_request", rf("apps", KEY, "rt_abc", "read_only"), err("invalid_argument"))
    req("refresh-reject-bad-scope", "refresh_request", rf("connect", KEY, "rt_abc", "write"), err("invalid_argument"))
    req("refresh-reject-mode", "refresh_request", rf("apps", LIVE, "rt_abc", expected_mode="test"), err("key_mode_mismatch"))
    req("refresh-reject-token", "refresh_request", rf("apps", KEY, "rt abc"), err("invalid_argument"))
    da = lambda key, cid, acct, **kw: dict({"secret_key": key, "client_id": cid, "stripe_user_id": acct, "expected_mode": None, "base_url": None}, **kw)
    req("deauthorize", "deauthorize_request", da(KEY, "ca_FkyHCg7X8mlvCUdMDao4mMxagUfhIwXb", "acct_ON3nXtRQkhmUIQ"),
        okreq("https://connect.stripe.com/oauth/deauthorize", KEY,
              [("client_id", "ca_FkyHCg7X8mlvCUdMDao4mMxagUfhIwXb"), ("stripe_user_id", "acct_ON3nXtRQkhmUIQ")]))
    req("deauthorize-reject-account", "deauthorize_request", da(KEY, "ca_1", "usr_1"), err("invalid_argument"))
    # One id rule (core/src/ids.rs): what the install callback and the token response accept, deauthorize accepts.
    req("deauthorize-test-account", "deauthorize_request", da(KEY, "ca_1", "acct_test_deauth"),
        okreq("https://connect.stripe.com/oauth/deauthorize", KEY, [("client_id", "ca_1"), ("stripe_user_id", "acct_test_deauth")]))
    req("deauthorize-account-max", "deauthorize_request", da(KEY, "ca_1", "acct_" + "a" * 250),
        okreq("https://connect.stripe.com/oauth/deauthorize", KEY, [("client_id", "ca_1"), ("stripe_user_id", "acct_" + "a" * 250)]))
    req("deauthorize-reject-account-long", "deauthorize_request", da(KEY, "ca_1", "acct_" + "a" * 251), err("invalid_argument"))
    req("deauthorize-reject-account-chars", "deauthorize_request", da(KEY, "ca_1", "acct_1&client_id=ca_2"), err("invalid_argument"))
    req("deauthorize-reject-client", "deauthorize_request", da(KEY, "pk_1", "acct_1"), err("invalid_argument"))
    req("deauthorize-reject-key", "deauthorize_request", da("pk_test_1", "ca_1", "acct_1"), err("invalid_api_key"))

    for name, key, exp in [("live", LIVE, ok(mode="live")), ("test", KEY, ok(mode="test")),
                           ("pk", "pk_live_1", err("invalid_api_key")), ("rk", "rk_test_1", err("invalid_api_key"))]:
        req("key-" + name, "parse_secret_key", {"key": key}, exp)

    def resp(cid, status, body, expect, op="parse_token_response", **kw):
        inp = {"status": status, "body": body}
        inp.update(kw)
        cases.append(case(cid, op, inp, expect))

    full = {"access_token": "sk_test_acc", "livemode": False, "refresh_token": "rt_1", "token_type": "bearer",
            "stripe_publishable_key": "pk_test_1", "stripe_user_id": "acct_1", "scope": "read_write"}
    tok_ok = ok(access_token="sk_test_acc", refresh_token="rt_1", scope="read_write", livemode=False, token_type="bearer",
                stripe_user_id="acct_1", stripe_publishable_key="pk_test_1")
    resp("token-ok", 200, json.dumps(full), tok_ok)
    resp("token-ok-unknown-fields", 200, json.dumps(dict(full, new_field={"x": [1]})), tok_ok)
    minimal = {"access_token": "a", "token_type": "Bearer", "stripe_user_id": "acct_2"}
    resp("token-ok-minimal", 200, json.dumps(minimal), ok(access_token="a", refresh_token=None, scope=None, livemode=None,
                                                           token_type="Bearer", stripe_user_id="acct_2", stripe_publishable_key=None))
    for field in ["access_token", "token_type", "stripe_user_id"]:
        resp(f"token-reject-no-{field}", 200, json.dumps({k: v for k, v in full.items() if k != field}), err("malformed_response"))
    resp("token-ok-test-account", 200, json.dumps(dict(full, stripe_user_id="acct_test_deauth")),
         ok(**dict(tok_ok["ok"], stripe_user_id="acct_test_deauth")))
    resp("token-reject-not-account", 200, json.dumps(dict(full, stripe_user_id="usr_1")), err("malformed_response"))
    resp("token-reject-account-chars", 200, json.dumps(dict(full, stripe_user_id="acct_1 x")), err("malformed_response"))
    resp("token-reject-type-mac", 200, json.dumps(dict(full, token_type="mac")), err("malformed_response"))
    resp("token-reject-not-json", 200, "<html>", err("malformed_response"))
    resp("token-reject-500-html", 500, "<html>oops</html>", err("malformed_response"))
    resp("token-reject-empty-200", 200, "", err("malformed_response"))
    resp("token-reject-livemode-string", 200, json.dumps(dict(full, livemode="false")), err("malformed_response"))
    resp("token-reject-too-large", 200, json.dumps(dict(full, pad="x" * 65536)), err("response_too_large"))
    for kind in ["invalid_grant", "invalid_request", "invalid_client", "invalid_scope", "unsupported_grant_type",
                 "unsupported_response_type", "access_denied", "invalid_redirect_uri"]:
        resp(f"token-error-{kind}", 400, json.dumps({"error": kind, "error_description": f"about {kind}"}),
             err("oauth_error", **{"oauth_error": kind, "oauth_kind": kind, "description": f"about {kind}"}))
    resp("token-error-other", 401, json.dumps({"error": "rate_limited"}),
         err("oauth_error", **{"oauth_error": "rate_limited", "oauth_kind": "other", "description": None}))
    resp("token-error-on-200", 200, json.dumps({"error": "invalid_grant", "error_description": "reused"}),
         err("oauth_error", **{"oauth_error": "invalid_grant", "oauth_kind": "invalid_grant", "description": "reused"}))
    resp("token-error-capped", 400, json.dumps({"error": "x" * 80, "error_description": "é" * 300}),
         err("oauth_error", **{"oauth_error": "x" * 64, "oauth_kind": "other", "description": "é" * 250}))
    resp("token-error-object", 402, json.dumps({"error": {"type": "invalid_request_error", "message": "No such key"}}), err("malformed_response"))
    resp("token-error-html-escaped", 400, json.dumps({"error": "invalid_request", "error_description": "<script>alert(1)</script>"}),
         err("oauth_error", **{"oauth_error": "invalid_request", "oauth_kind": "invalid_request",
                           "description": "<script>alert(1)</script>"}))
    resp("deauth-ok", 200, json.dumps({"stripe_user_id": "acct_9"}), ok(), op="parse_deauthorize_response", expected_stripe_user_id="acct_9")
    resp("deauth-reject-mismatch", 200, json.dumps({"stripe_user_id": "acct_8"}), err("deauthorize_mismatch"),
         op="parse_deauthorize_response", expected_stripe_user_id="acct_9")
    resp("deauth-reject-error", 400, json.dumps({"error": "invalid_client", "error_description": "No such application"}),
         err("oauth_error", **{"oauth_error": "invalid_client", "oauth_kind": "invalid_client",
                           "description": "No such application"}), op="parse_deauthorize_response", expected_stripe_user_id="acct_9")
    resp("deauth-reject-empty", 200, "{}", err("malformed_response"), op="parse_deauthorize_response", expected_stripe_user_id="acct_9")

    for cid, issued, now, margin, exp in [("expiry-fresh", 1000, 1000, 300, False), ("expiry-margin-edge", 1000, 4300, 300, True),
                                          ("expiry-before-margin", 1000, 4299, 300, False), ("expiry-expired", 1000, 5000, 0, True)]:
        cases.append(case(cid, "apps_token_expiry", {"issued_at": issued, "now": now, "margin_secs": margin},
                          ok(access_expires_at=issued + 3600, refresh_expires_at=issued + 31536000, needs_refresh=exp,
                             refresh_expired=now >= issued + 31536000)))
    cases.append(case("expiry-saturates", "apps_token_expiry", {"issued_at": 18446744073709551615, "now": 0, "margin_secs": 0},
                      ok(access_expires_at=18446744073709551615, refresh_expires_at=18446744073709551615, needs_refresh=False,
                         refresh_expired=False)))
    return write("oauth", "OAuth requests (code exchange, refresh, deauthorize) and responses", cases)


ERROR_CODES = [
    "missing_header", "malformed_header", "header_too_large", "missing_timestamp", "duplicate_timestamp",
    "malformed_timestamp", "no_v1_signature", "signature_mismatch", "timestamp_too_old", "timestamp_in_future",
    "invalid_tolerance", "invalid_secret", "redirect_uri_not_allowed", "invalid_redirect_config", "invalid_manifest",
    "state_missing", "unexpected_state", "ui_extension_form_refused", "state_mismatch", "state_too_large", "state_malformed", "state_unknown_key",
    "state_invalid", "state_expired", "state_not_yet_valid", "state_session_mismatch", "state_flow_mismatch", "state_replayed", "code_replayed",
    "invalid_state_key", "malformed_query", "query_too_large", "duplicate_parameter", "missing_parameter",
    "malformed_event", "unexpected_event_type", "snapshot_event_given", "event_notification_given", "invalid_api_key", "key_mode_mismatch", "oauth_error",
    "malformed_response", "api_error", "response_too_large", "deauthorize_mismatch", "invalid_argument", "malformed_input",
    "store_unavailable", "randomness_unavailable",
    "internal",
]
# Codes no input can reach: the OS random source failing, and a bug guard.
UNREACHABLE_FROM_INPUT = ["randomness_unavailable", "internal"]


HOST_SCHEMA = "stripe-handshake/host-vectors/v1"


def host_suite():
    """Host-level cases: what a JavaScript or Python caller can hand over that no network
    input can (wrong types, absent values, extreme numbers, lone surrogates, parsed bodies),
    and the printed forms of results that carry credentials. Encodings every runner maps to
    its host's own values: {"$bytes": hex}, {"$undefined": true}, {"$float": "NaN"},
    {"$bigint": "..."}, {"$lone_surrogate": "prefix"}, {"$object": "URL"|"URLSearchParams"|"Date"},
    {"$function": true}; plain JSON otherwise (null is JS null / Python None)."""
    B = lambda b: {"$bytes": b.hex()}
    U = {"$undefined": True}
    F = lambda x: {"$float": x}
    BIG = lambda x: {"$bigint": str(x)}
    LONE = lambda p: {"$lone_surrogate": p}
    OBJ = lambda k, v=None: {"$object": k, "value": v}
    FN = {"$function": True}
    key = b"k" * 32
    secret = "whsec_host_vectors"
    now = 1_700_000_000
    body = b'{"id":"evt_1","object":"event","type":"a.b","livemode":false,"created":1,"data":{"object":{"id":"x"}}}'
    header = sign(secret, body, now)
    mac_alice = hmac.new(key, b"session:alice", hashlib.sha256).digest()
    cases = []

    def c(cid, op, args, expect, options=None, allow_list=None, secrets=None, note=None):
        x = {"id": cid, "op": op, "args": args}
        if options is not None:
            x["options"] = options
        if allow_list is not None:
            x["allow_list"] = allow_list
        if secrets is not None:
            x["secrets"] = secrets
        x.update(expect)
        if note:
            x["note"] = note
        cases.append(x)

    def e(code, cls):
        return {"error": code, "class": cls}

    INV = e("invalid_argument", "InvalidInputError")
    # 1. Bytes parameters refuse strings, numbers and objects (WASM used to read "x" as 0x00).
    c("hmac-ok", "verify_hmac_sha256", [B(key), B(b"session:alice"), B(mac_alice)], {"ok": None})
    c("hmac-string-message", "verify_hmac_sha256", [B(key), "session:mallo", B(mac_alice)], INV)
    c("hmac-string-key", "verify_hmac_sha256", ["k" * 32, B(b"session:alice"), B(mac_alice)], INV)
    c("hmac-number-tag", "verify_hmac_sha256", [B(key), B(b"session:alice"), 0], INV)
    c("hmac-object-tag", "verify_hmac_sha256", [B(key), B(b"session:alice"), {"a": 1}], INV)
    c("hmac-undefined-key", "hmac_sha256", [U, B(b"m")], INV)
    c("hmac-sha256-ok", "hmac_sha256", [B(key), B(b"session:alice")], {"ok": {"$bytes": mac_alice.hex()}})
    c("entropy-ok", "plain_state_from_entropy", [B(b"\x07" * 32)], {"ok": b64e(b"\x07" * 32)})
    c("entropy-string", "plain_state_from_entropy", ["x" * 32], INV)
    c("entropy-31", "plain_state_from_entropy", [B(b"\x07" * 31)], INV)
    # 2. A non-string where a string is expected: typed, never a trap.
    for name, v in [("number", 5), ("boolean", True), ("object", {"a": "b"}), ("url", OBJ("URL", "https://a.example/")),
                    ("search-params", OBJ("URLSearchParams", "a=b")), ("bigint", BIG(5)), ("function", FN),
                    ("list-of-numbers", [1, 2])]:
        c(f"query-{name}", "verify_oauth_callback", [v], INV, options={"flow": "connect_oauth", "expected_state": "s"})
        c(f"secret-key-{name}", "parse_secret_key", [v], INV)
        c(f"manifest-{name}", "parse_manifest", [v], INV)
    # One-time by default: every check of signed state tokens needs a store or replay 'unchecked'.
    KS = [{"id": "k1", "key": B(b"\x05" * 32)}]
    one_time_ops = [
        ("verify_oauth_callback", ["code=ac_1&state=x"], {"flow": "connect_oauth", "state_keys": KS, "session_id": "s"}),
        ("verify_install_callback", ["user_id=usr_1&account_id=acct_1&state=x&install_signature=t%3D1%2Cv1%3D00"],
         {"secrets": "absec_x", "state_keys": KS, "session_id": "s"}),
        ("verify_app_callback", ["code=ac_1&user_id=usr_1&account_id=acct_1&state=x"],
         {"access_type": "oauth", "state_keys": KS, "session_id": "s"}),
        ("verify_account_link_callback", ["state=x"], {"kind": "return", "state_keys": KS, "session_id": "s"}),
        ("verify_state_token", ["x"], {"keys": KS, "session_id": "s", "flow": "connect_oauth"}),
    ]
    for op, args, o in one_time_ops:
        c(f"one-time-{op}", op, args, INV, options=o, note="state tokens need a store (or replay 'unchecked'): refused first")
        c(f"one-time-{op}-store-true", op, args, INV, options={**o, "store": True}, note="a boolean is not a store")
        c(f"one-time-{op}-replay-other", op, args, INV, options={**o, "replay": "none"})
        twin = e("signature_mismatch", "SignatureVerificationError") if op == "verify_install_callback" else e("state_malformed", "StateError")
        c(f"one-time-{op}-unchecked", op, args, twin, options={**o, "replay": "unchecked"},
          note="reject twin: with the explicit opt-out the callback itself is checked (and refused here)")
    mq = ["code=ac_1&user_id=usr_1&account_id=acct_1"]
    c("one-time-marketplace-code", "verify_app_callback", mq, INV, options={"access_type": "oauth", "marketplace": "accept"},
      note="a Marketplace authorization has no state: its code is what is one-time, so a store (or replay 'unchecked') is needed")
    c("one-time-marketplace-code-unchecked", "verify_app_callback", mq, {"ok_type": "record"},
      options={"access_type": "oauth", "marketplace": "accept", "replay": "unchecked"}, note="accept twin: the explicit opt-out")
    c("one-time-marketplace-refused-no-store", "verify_app_callback", mq, e("state_missing", "StateError"),
      options={"access_type": "oauth", "expected_state": "x"},
      note="accept twin of the rule's reach: refusing Marketplace authorizations (the default) with a plain state needs no store")
    c("one-time-plain-store", "verify_oauth_callback", ["code=ac_1&state=x"], INV,
      options={"flow": "connect_oauth", "expected_state": "x", "store": {"consume": 1}},
      note="a plain state is the session's to make one-time; a store here is a mistake")
    c("diagnose-manifest-and-redirects", "diagnose_callback", ["code=ac_1"], INV,
      options={"now": now, "manifest": json.dumps({"id": "com.example.x", "allowed_redirect_uris": ["https://p.example/cb"]}),
               "redirect_uris": ["https://p.example/cb"]},
      note="both say where callbacks may arrive: give one")
    c("diagnose-manifest-only", "diagnose_callback", ["code=ac_1"], {"ok_type": "record"},
      options={"now": now, "manifest": json.dumps({"id": "com.example.x", "allowed_redirect_uris": ["https://p.example/cb"]})},
      note="accept twin: the manifest alone")
    c("secret-key-bytes", "parse_secret_key", [B(b"sk_test_SECRETVALUE123")], INV,
      note="a Buffer holding a key: the message must not contain its bytes")
    c("secrets-number", "verify_signature", [body.decode(), header], e("invalid_argument", "InvalidInputError"),
      options={"secrets": 7, "now": now})
    # 3. Absent header/query is the network case, not a type error.
    c("header-undefined", "verify_signature", [body.decode(), U], e("missing_header", "SignatureVerificationError"),
      options={"secrets": secret, "now": now})
    c("header-null", "verify_signature", [body.decode(), None], e("missing_header", "SignatureVerificationError"),
      options={"secrets": secret, "now": now})
    c("header-list", "verify_signature", [body.decode(), [header]], {"ok": {"timestamp": now, "secret_index": 0}},
      options={"secrets": secret, "now": now}, note="frameworks hand over string[]: one element is that header")
    c("header-list-two", "verify_signature", [body.decode(), [header, header]],
      e("duplicate_timestamp", "SignatureVerificationError"), options={"secrets": secret, "now": now},
      note="two Stripe-Signature fields combine with a comma, as HTTP does")
    c("header-number", "verify_signature", [body.decode(), 5], INV, options={"secrets": secret, "now": now})
    c("query-undefined", "verify_oauth_callback", [U], e("missing_parameter", "MalformedInputError"),
      options={"flow": "connect_oauth", "expected_state": "s"})
    c("install-query-null", "verify_install_callback", [None], e("missing_parameter", "MalformedInputError"),
      options={"secrets": "absec_x", "now": now, "marketplace": "accept"})
    c("install-allow-stateless-gone", "verify_install_callback", ["error=access_denied"], INV,
      options={"secrets": "absec_x", "now": now, "allow_stateless": True},
      note="installs without state are accepted with marketplace; the old option is refused, never ignored")
    c("install-marketplace-bool", "verify_install_callback", ["error=access_denied"], INV,
      options={"secrets": "absec_x", "now": now, "marketplace": True})
    c("app-callback-access-missing", "verify_app_callback", ["error=access_denied"], INV, options={"now": now, "expected_state": "s"})
    c("verifier-header-undefined", "Verifier.verify", [B(body), U, now], e("missing_header", "SignatureVerificationError"),
      secrets=secret)
    c("verifier-ok", "Verifier.verify", [B(body), header, now], {"ok": {"timestamp": now, "secret_index": 0}}, secrets=secret)
    c("verifier-check-ok-is-null", "Verifier.check", [B(body), header, now], {"ok": None}, secrets=secret)
    c("verifier-check-bad", "Verifier.check", [B(body + b" "), header, now], {"ok": "signature_mismatch"}, secrets=secret)
    c("verifier-check-undefined-header", "Verifier.check", [B(body), U, now], {"ok": "missing_header"}, secrets=secret)
    # The verifier's hot path reads a short string into a fixed buffer (1 KiB in the Node
    # addon: at most 1,023 bytes, whole characters only, complete when it stopped more than 4
    # bytes short) and every other value as any argument is read: the same verdicts on both
    # sides of that edge, for a last character of every UTF-8 length, a lone surrogate and a
    # real U+FFFD there, in the payload and in the header.
    for n in range(1016, 1027):
        for ch in ("a", "\u00e9", "\u20ac", "\U0001F600"):
            text = "x" * (n - len(ch.encode())) + ch
            other = "x" * (n - len(ch.encode())) + ("b" if ch == "a" else "a" * len(ch.encode()))
            w = len(ch.encode())
            c(f"verifier-string-{n}-utf8-{w}", "Verifier.check", [text, sign(secret, text.encode(), now), now],
              {"ok": None}, secrets=secret, note=f"a {n}-byte string payload ending in a {w}-byte character")
            c(f"verifier-string-{n}-utf8-{w}-mismatch", "Verifier.check", [text, sign(secret, other.encode(), now), now],
              {"ok": "signature_mismatch"}, secrets=secret, note="reject twin: the header signs another string of that length")
        lone = "x" * (n - 3)
        c(f"verifier-string-{n}-lone-surrogate", "Verifier.check", [LONE(lone), sign(secret, (lone + "\ufffd").encode(), now), now],
          {"ok": "malformed_input"}, secrets=secret,
          note="a lone surrogate is refused, not read as the U+FFFD that the header signs")
        fffd = lone + "\ufffd"
        c(f"verifier-string-{n}-fffd", "Verifier.verify", [fffd, sign(secret, fffd.encode(), now), now],
          {"ok": {"timestamp": now, "secret_index": 0}}, secrets=secret, note="accept twin: a real U+FFFD is text")
        good = sign(secret, body, now)
        padded = good + ",x=" + "p" * (n - len(good) - 3)
        bad = sign(secret, body + b" ", now)
        c(f"verifier-header-{n}", "Verifier.verify", [B(body), padded, now], {"ok": {"timestamp": now, "secret_index": 0}},
          secrets=secret, note=f"a {n}-byte header: the unknown item is ignored")
        c(f"verifier-header-{n}-mismatch", "Verifier.verify", [B(body), bad + ",x=" + "p" * (n - len(bad) - 3), now],
          e("signature_mismatch", "SignatureVerificationError"), secrets=secret, note="reject twin")
        c(f"verifier-header-{n}-lone-surrogate", "Verifier.verify", [B(body), LONE(padded[:-1]), now],
          e("malformed_input", "MalformedInputError"), secrets=secret)
    for name, v in [("nan", F("NaN")), ("string", str(now)), ("2-53-plus-1", F("9007199254740993")), ("beyond-64-bits", BIG(2**64 + 1)),
                    ("object", {"t": now}), ("negative", -1), ("fraction", F("0.5"))]:
        c(f"verifier-now-{name}", "Verifier.check", [B(body), header, v], {"ok": "invalid_argument"}, secrets=secret)
    for name, v in [("number", 5), ("undefined", U), ("object", {"a": 1}), ("list", [1]), ("boolean", False), ("function", FN)]:
        c(f"verifier-payload-{name}", "Verifier.verify", [v, header, now], INV, secrets=secret)
        c(f"verifier-check-header-{name}", "Verifier.check", [B(body), v, now],
          {"ok": "missing_header" if name == "undefined" else "invalid_argument"}, secrets=secret)
    c("verifier-header-list", "Verifier.check", [B(body), [header], now], {"ok": None}, secrets=secret,
      note="accept twin of the header types: frameworks hand over string[]")
    # 4. Lone surrogates: malformed input, never a silent U+FFFD.
    c("lone-surrogate-header", "verify_signature", [body.decode(), LONE("t=1,v1=")],
      e("malformed_input", "MalformedInputError"), options={"secrets": secret, "now": now})
    c("lone-surrogate-query", "verify_oauth_callback", [LONE("code=ac_1&state=")],
      e("malformed_input", "MalformedInputError"), options={"flow": "connect_oauth", "expected_state": "s"})
    c("lone-surrogate-state", "check_plain_state", ["expected", LONE("expected")], e("malformed_input", "MalformedInputError"))
    c("lone-surrogate-payload", "verify_signature", [LONE('{"id":'), header], e("malformed_input", "MalformedInputError"),
      options={"secrets": secret, "now": now})
    # 5. One rule for integers: fractions, negatives, NaN, beyond 2^53 or the field's range.
    keys = [{"id": "k1", "key": B(b"\x01" * 32)}]
    st = {"keys": keys, "flow": "connect_oauth", "session_id": "sess", "now": now, "nonce": B(b"\x02" * 32)}
    c("ttl-ok", "issue_state_token", [], {"ok_type": "string"}, options={**st, "ttl_secs": 60})
    for name, v in [("2-32-plus-60", 2 ** 32 + 60), ("fraction", F("1.5")), ("negative", -1), ("nan", F("NaN")),
                    ("infinity", F("Infinity")), ("string", "60"), ("bigint", BIG(2 ** 70))]:
        c(f"ttl-{name}", "issue_state_token", [], INV, options={**st, "ttl_secs": v})
    for name, v in [("2-53-plus-1", F("9007199254740993")), ("fraction", F("0.5")), ("negative", -5), ("nan", F("NaN")),
                    ("beyond-64-bits", BIG(2 ** 64 + 1)), ("string", "1700000000")]:
        c(f"now-{name}", "verify_signature", [body.decode(), header], INV, options={"secrets": secret, "now": v})
    for name, v in [("2-32-plus-200", 2 ** 32 + 200), ("fraction", F("200.5")), ("negative", -200), ("string", "200")]:
        c(f"status-{name}", "parse_token_response", [v, '{"error":"invalid_grant"}'], INV)
    c("status-ok", "parse_deauthorize_response", [200, '{"stripe_user_id":"acct_1"}', "acct_1"], {"ok": None})
    c("tolerance-fraction", "verify_signature", [body.decode(), header], e("invalid_tolerance", "InvalidInputError"),
      options={"secrets": secret, "now": now, "tolerance": F("1.5")})
    c("tolerance-string", "verify_signature", [body.decode(), header], e("invalid_tolerance", "InvalidInputError"),
      options={"secrets": secret, "now": now, "tolerance": "300"})
    # 6. Shapes: install_payload by name; null_state only without state; unknown options refused.
    c("payload-by-name", "install_payload", [], {"ok": '{"state":"s","user_id":"usr_1","account_id":"acct_1"}'},
      options={"state": "s", "user_id": "usr_1", "account_id": "acct_1"})
    c("payload-null-state", "install_payload", [], {"ok": '{"state":null,"user_id":"usr_1","account_id":"acct_1"}'},
      options={"user_id": "usr_1", "account_id": "acct_1", "null_state": True})
    c("payload-state-and-null-state", "install_payload", [], INV,
      options={"state": "s", "user_id": "usr_1", "account_id": "acct_1", "null_state": True})
    c("unknown-option", "verify_signature", [body.decode(), header], INV,
      options={"secrets": secret, "now": now, "tolerence": 10}, note="a misspelt option is refused, never ignored")
    c("secret-key-info", "parse_secret_key", ["sk_test_abc"], {"ok": {"mode": "test"}})
    c("stripe-user-pairs", "connect_oauth_link", [], {"ok_type": "string"}, allow_list=["https://a.example/cb"],
      options={"client_id": "ca_1", "account_type": "express", "state": "s", "stripe_user": [["country", "DE"]]},
      note="a list of [key, value] lists, what json.loads gives")
    c("stripe-user-bad-pair", "connect_oauth_link", [], INV, allow_list=["https://a.example/cb"],
      options={"client_id": "ca_1", "account_type": "express", "state": "s", "stripe_user": [["country"]]})
    c("allow-list-not-a-list", "install_link", [], INV, allow_list="https://a.example/cb",
      options={"link_id": "lnk"}, note="allow_list given as a plain string")
    # 7. A parsed body (express.json()) gets the message users need.
    c("parsed-body", "verify_webhook", [json.loads(body), header], INV, options={"secrets": secret, "now": now})
    c("parsed-token-body", "parse_token_response", [200, {"access_token": "x"}], INV)
    # 8. Printing: no printed form of these results contains a credential.
    cb_code = "ac_PRINTEDCODE123"
    c("print-oauth-callback", "verify_oauth_callback", [f"code={cb_code}&state=st_PRINTED"],
      {"prints_without": [cb_code], "ok_type": "record"}, options={"flow": "connect_oauth", "expected_state": "st_PRINTED"})
    inst_state = "st_PRINTEDSTATE"
    q = "user_id=usr_1&account_id=acct_1&state=" + inst_state + "&install_signature=" + quote(
        sign("absec_print", install_payload(inst_state, "usr_1", "acct_1").encode(), now), safe="")
    c("print-install-callback", "verify_install_callback", [q], {"prints_without": [inst_state], "ok_type": "record"},
      options={"secrets": "absec_print", "now": now, "expected_state": inst_state})
    c("print-code-exchange", "code_exchange_request", [],
      {"prints_without": ["ac_EXCHANGEDCODE", base64.b64encode(b"sk_test_PRINTKEY:").decode()], "ok_type": "record"},
      options={"provider": "connect", "secret_key": "sk_test_PRINTKEY", "code": "ac_EXCHANGEDCODE"})
    c("print-refresh", "refresh_request", [], {"prints_without": ["rt_PRINTEDREFRESH"], "ok_type": "record"},
      options={"provider": "apps", "secret_key": "sk_test_PRINTKEY", "refresh_token": "rt_PRINTEDREFRESH"})
    tok = '{"access_token":"sk_test_PRINTEDACCESS","refresh_token":"rt_PRINTEDREFRESH2","token_type":"bearer","stripe_user_id":"acct_1","livemode":false,"scope":"read_write"}'
    c("print-token-response", "parse_token_response", [200, tok],
      {"prints_without": ["sk_test_PRINTEDACCESS", "rt_PRINTEDREFRESH2"], "ok_type": "record"})
    c("print-webhook-event", "verify_webhook", [body.decode(), header], {"prints_without": [secret], "ok_type": "record"},
      options={"secrets": secret, "now": now})
    # 9. A duplicate "error" key in a 200 token response is not a success.
    c("token-duplicate-error-key", "parse_token_response",
      [200, '{"access_token":"a","token_type":"bearer","stripe_user_id":"acct_1","error":"x","error":"y"}'],
      e("malformed_response", "OAuthError"))
    # 10. Event notifications: the verifier method and the fetch requests take host values by the same rules.
    thin = b'{"id":"evt_1","object":"v2.core.event","type":"v1.a.b","livemode":false,"created":"2023-11-14T22:13:20Z","context":"acct_1"}'
    thin_header = sign(secret, thin, now)
    c("verifier-notification-ok", "Verifier.verify_event_notification", [B(thin), thin_header, now], {"ok_type": "record"},
      secrets=secret)
    c("verifier-notification-snapshot", "Verifier.verify_event_notification", [B(body), header, now],
      e("snapshot_event_given", "InvalidInputError"), secrets=secret)
    c("verifier-webhook-notification", "Verifier.verify_webhook", [B(thin), thin_header, now],
      e("event_notification_given", "InvalidInputError"), secrets=secret)
    c("verifier-notification-now-string", "Verifier.verify_event_notification", [B(thin), thin_header, str(now)], INV,
      secrets=secret)
    c("parsed-notification", "verify_event_notification", [json.loads(thin), thin_header], INV,
      options={"secrets": secret, "now": now}, note="a parsed body (express.json()) is refused with the message users need")
    fetch = {"secret_key": "sk_test_PRINTKEY", "event_id": "evt_1", "livemode": False}
    c("fetch-event-ok", "fetch_event_request", [], {"ok_type": "record"}, options=fetch)
    for name, v in [("string", "false"), ("number", 0), ("null", None), ("undefined", U)]:
        c(f"fetch-event-livemode-{name}", "fetch_event_request", [], INV, options={**fetch, "livemode": v},
          note="livemode is the mode check: never coerced, never defaulted")
    c("fetch-event-id-number", "fetch_event_request", [], INV, options={**fetch, "event_id": 1})
    c("fetch-related-url-object", "fetch_related_object_request", [], INV,
      options={"secret_key": "sk_test_PRINTKEY", "url": OBJ("URL", "https://api.stripe.com/v1/balance"), "livemode": False})
    c("print-fetch-event", "fetch_event_request", [], {"prints_without": ["sk_test_PRINTKEY"], "ok_type": "record"},
      options={**fetch, "context": "acct_1"})
    link_url = "https://connect.stripe.com/setup/e/acct_1/PRINTEDLINKSECRET"
    c("print-account-link", "parse_account_link_response",
      [200, json.dumps({"object": "account_link", "created": 1, "expires_at": 301, "url": link_url})],
      {"prints_without": [link_url, "PRINTEDLINKSECRET"], "ok_type": "record"}, note="a single-use bearer link")
    with open(os.path.join(HERE, "host.json"), "w") as f:
        json.dump({"schema": HOST_SCHEMA, "suite": "host", "description": host_suite.__doc__.strip(), "cases": cases},
                  f, indent=1, ensure_ascii=True)
        f.write("\n")
    return len(cases)


def main():
    total = 0
    for suite in [hmac_suite, signature_suite, json_suite, redirect_suite, links_suite, state_suite, callbacks_suite,
                  webhooks_suite, notifications_suite, account_links_suite, diagnose_suite, one_time_suite, oauth_suite, host_suite]:
        total += suite()
    # Every op that can fail has at least one reject case next to its accept cases.
    by_op = {}
    for name in os.listdir(HERE):
        if name.endswith(".json") and name != "error_codes.json":
            for c in json.load(open(os.path.join(HERE, name)))["cases"]:
                by_op.setdefault(c["op"], set()).add("ok" if "ok" in c else "error")
    total_fn = {"install_payload", "hmac_sha256", "plain_state_from_entropy", "apps_token_expiry", "Verifier.check",
                "diagnose_signature", "diagnose_callback", "diagnose_redirect_uri"}
    lonely = [op for op, kinds in by_op.items() if kinds == {"ok"} and op not in total_fn]
    assert not lonely, f"ops without reject cases: {lonely}"
    used = set()
    for name in os.listdir(HERE):
        if name.endswith(".json") and name != "error_codes.json":
            for c in json.load(open(os.path.join(HERE, name)))["cases"]:
                code = c.get("error")
                if code:
                    used.add(code)
    missing = [c for c in ERROR_CODES if c not in used and c not in UNREACHABLE_FROM_INPUT]
    assert not missing, f"codes without a vector: {missing}"
    assert used <= set(ERROR_CODES), used - set(ERROR_CODES)
    with open(os.path.join(HERE, "error_codes.json"), "w") as f:
        json.dump({"schema": SCHEMA, "codes": ERROR_CODES, "unreachable_from_input": UNREACHABLE_FROM_INPUT}, f, indent=1)
        f.write("\n")
    print(f"{total} cases")


if __name__ == "__main__":
    sys.exit(main())

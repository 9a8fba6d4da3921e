"""Runs the whole cross-language corpus (tests/vectors/*.json) through the Python binding."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Dict, List, Union

import pytest

import stripe_handshake as sh
from stripe_handshake import records

VECTORS = Path(__file__).resolve().parents[2] / "tests" / "vectors"
FILES = sorted(p for p in VECTORS.glob("*.json") if p.name not in ("error_codes.json", "host.json"))


def h(s: str) -> bytes:
    return bytes.fromhex(s)


def payload(i: Dict[str, Any]) -> bytes:
    return i["payload"].encode() if i.get("payload") is not None else h(i["payload_hex"])


def keys(ks: List[Dict[str, str]]) -> List[Any]:
    return [(k["id"], h(k["key_hex"])) for k in ks]


def state_options(c: Dict[str, Any]) -> Dict[str, Any]:
    if c["mode"] == "plain":
        return {"expected_state": c["expected"]}
    if c["mode"] == "signed":
        # The corpus checks the state; one-time use is the stores' (tested with them), so it says so.
        return {"state_keys": keys(c["keys"]), "session_id": h(c["session_id_hex"]), "replay": "unchecked"}
    if c["mode"] == "none":
        return {}
    return {"allow_stateless": True}


def marketplace(i: Dict[str, Any]) -> Dict[str, Any]:
    return {k: i[k] for k in ("marketplace", "replay") if i.get(k) is not None}


def callback(r: Union[records.InstallCallbackResult, records.OAuthCallbackResult, records.AppCallbackResult]) -> Dict[str, Any]:
    out: Dict[str, Any] = {"outcome": r.outcome}
    if r.outcome == "denied":
        out.update(error=r.error, kind=r.kind, description=r.description)
        return out
    if r.outcome == "marketplace_install":
        out.update(user_id=r.user_id, account_id=r.account_id, livemode=r.livemode, signed_form=r.signed_form,
                   timestamp=r.timestamp, secret_index=r.secret_index)
        return out
    if r.outcome == "marketplace_authorized":
        out.update(code=r.code, user_id=r.user_id, account_id=r.account_id, provider=r.provider, code_id=r.code_id,
                   code_expires_at=r.code_expires_at)
        return out
    if r.outcome == "installed":
        out.update(user_id=r.user_id, account_id=r.account_id, state=r.state, livemode=r.livemode,
                   timestamp=r.timestamp, secret_index=r.secret_index)
    elif isinstance(r, sh.RecordBase) and r._kind == "AppAuthorized":
        out.update(code=r.code, user_id=r["user_id"], account_id=r["account_id"], provider=r.provider)
    else:
        out.update(code=r.code, scope=r["scope"], provider=r.provider)
    out["state_outcome"] = r.state_outcome
    if r.state_outcome == "signed":
        out.update(state_nonce=r.state_nonce, state_data=r.state_data, state_mode=r["state_mode"])
    return out


def request(r: records.HttpRequest) -> Dict[str, Any]:
    return {"method": r.method, "url": r.url, "headers": [[k, v] for k, v in r.headers.items()], "body": r.body}


def api_request(r: records.ApiRequest) -> Dict[str, Any]:
    assert all(isinstance(v, str) for v in r.headers.values()), "a header value is not a string"
    return {"method": r.method, "url": r.url, "headers": [[k, v] for k, v in r.headers.items()]}


def _notification_record(n: records.EventNotification) -> Dict[str, Any]:
    o = n.related_object
    return {"id": n.id, "type": n.type, "created": n.created, "created_rfc3339": n.created_rfc3339, "livemode": n.livemode,
            "context": n.context, "related_object": None if o is None else {"id": o.id, "type": o.type, "url": o.url},
            "snapshot_event": n.snapshot_event, "raw": n.raw, "timestamp": n.timestamp, "secret_index": n.secret_index}


def _diagnose(i: Dict[str, Any]) -> Dict[str, Any]:
    d = sh.diagnose_signature(payload(i), i["header"], secrets=i["secrets"], now=i["now"], tolerance=i["tolerance"])
    macs = [e.strip()[3:] for e in i["header"].split(",") if e.strip().startswith("v1=")]
    for f in d.findings:
        for x in [s.strip() for s in i["secrets"]] + macs:
            assert len(x) < 8 or (x not in f.message and x not in f.action), "a finding shows a secret"
    return {"verified": d.verified, "codes": [f.code for f in d.findings]}


def _codes(d: records.Diagnosis) -> Dict[str, Any]:
    return {"verified": d.verified, "codes": [f.code for f in d.findings]}


def _diagnose_callback(i: Dict[str, Any]) -> Dict[str, Any]:
    extra: Dict[str, Any] = {"state_keys": keys(i["keys"]), "session_id": h(i["session_id_hex"])} if i["keys"] else {}
    extra.update({k: i[k] for k in ("manifest", "redirect_uris") if k in i})
    d = sh.diagnose_callback(i["query"], secrets=i["secrets"], now=i["now"], tolerance=i["tolerance"], **extra)
    return {"verified": d.verified, "codes": [f.code for f in d.findings]}


def _account_link(i: Dict[str, Any]) -> Dict[str, Any]:
    link = sh.parse_account_link_response(i["status"], i["body"])
    return {"url": link.url, "created": link.created, "expires_at": link.expires_at}


def _account_link_callback(i: Dict[str, Any]) -> Dict[str, Any]:
    c = sh.verify_account_link_callback(i["query"], kind=i["kind"], state_keys=keys(i["keys"]), session_id=h(i["session_id_hex"]), replay="unchecked",
                                        now=i["now"])
    return {"kind": c.kind, "account_id": c.account_id, "next_step": c.next_step, "state_nonce": c.state_nonce,
            "state_expires_at": c.state_expires_at, "state_mode": c.state_mode}


def _ui_extension(i: Dict[str, Any]) -> Dict[str, Any]:
    c = sh.verify_ui_extension_signature(i["header"], user_id=i["user_id"], account_id=i["account_id"], secrets=i["secrets"],
                                         now=i["now"], tolerance=i["tolerance"])
    return {"user_id": c.user_id, "account_id": c.account_id, "timestamp": c.timestamp, "secret_index": c.secret_index}


def _notification(i: Dict[str, Any]) -> Dict[str, Any]:
    one = _notification_record(sh.verify_event_notification(payload(i), i["header"], secrets=i["secrets"], now=i["now"],
                                                            tolerance=i["tolerance"]))
    prepared = sh.Verifier(i["secrets"], tolerance=i["tolerance"]).verify_event_notification(payload(i), i["header"], now=i["now"])
    assert _notification_record(prepared) == one, "Verifier.verify_event_notification differs"
    return one


def sig(v: records.VerifiedSignature) -> Dict[str, Any]:
    return {"timestamp": v.timestamp, "secret_index": v.secret_index}


def allow(i: Dict[str, Any]) -> sh.RedirectAllowList:
    return sh.RedirectAllowList(i["allow_list"], test_mode=i["mode"] == "test")


def _manifest(i: Dict[str, Any]) -> Dict[str, Any]:
    m = sh.parse_manifest(i["json"], test_mode=i["mode"] == "test")
    return {"id": m.id, "stripe_api_access_type": m.stripe_api_access_type, "distribution_type": m.distribution_type,
            "redirect_uris": m.redirect_uris, "default_uri": m.redirect_uris[0]}


def _state(i: Dict[str, Any]) -> Dict[str, Any]:
    v = sh.verify_state_token(i["token"], keys=keys(i["keys"]), session_id=h(i["session_id_hex"]), flow=i["flow"], now=i["now"],
                              replay="unchecked")
    return {"version": v.version, "key_id": v.key_id, "issued_at": v.issued_at, "expires_at": v.expires_at, "flow": v.flow, "nonce": v.nonce, "data": v.data,
            "mode": v.mode}


def _webhook(i: Dict[str, Any]) -> Dict[str, Any]:
    e = sh.verify_webhook(payload(i), i["header"], secrets=i["secrets"], now=i["now"], tolerance=i["tolerance"])
    return {"id": e.id, "type": e.type, "account": e.account, "livemode": e.livemode, "created": e.created,
            "api_version": e.api_version, "data_object": e.data_object_json, "timestamp": e.timestamp}


def _deauth(i: Dict[str, Any]) -> Dict[str, Any]:
    d = sh.verify_deauthorization(payload(i), i["header"], secrets=i["secrets"], now=i["now"], tolerance=i["tolerance"])
    return {"account_id": d.account_id, "application_id": d.application_id, "application_name": d.application_name,
            "livemode": d.livemode}


def _token(i: Dict[str, Any]) -> Dict[str, Any]:
    t = sh.parse_token_response(i["status"], i["body"])
    return {"access_token": t.access_token, "refresh_token": t.refresh_token, "scope": t.scope, "livemode": t.livemode,
            "token_type": t.token_type, "stripe_user_id": t.stripe_user_id, "stripe_publishable_key": t.stripe_publishable_key}


def _expiry(i: Dict[str, Any]) -> Dict[str, Any]:
    e = sh.apps_token_expiry(i["issued_at"], now=i["now"], margin_secs=i["margin_secs"])
    return {"access_expires_at": e.access_expires_at, "refresh_expires_at": e.refresh_expires_at,
            "needs_refresh": e.needs_refresh, "refresh_expired": e.refresh_expired}


def _connect(i: Dict[str, Any]) -> Dict[str, Any]:
    return {"url": sh.connect_oauth_link(
        client_id=i["client_id"], account_type=i["account_type"], allow_list=allow(i), scope=i.get("scope"),
        redirect_uri=i.get("redirect_uri"), state=i.get("state"), stripe_landing=i.get("stripe_landing"),
        always_prompt=i.get("always_prompt"), suggested_capabilities=i.get("suggested_capabilities"),
        stripe_user=[tuple(kv) for kv in i["stripe_user"]] if i.get("stripe_user") else None, base_url=i.get("base_url"))}


def _unit(fn: Callable[..., None], *args: Any) -> Dict[str, Any]:
    fn(*args)
    return {}


OPS: Dict[str, Callable[[Dict[str, Any]], Dict[str, Any]]] = {
    "hmac_sha256": lambda i: {"mac_hex": sh.hmac_sha256(h(i["key_hex"]), h(i["msg_hex"]))[: i["truncate_bits"] // 8].hex()},
    "verify_hmac_sha256": lambda i: _unit(sh.verify_hmac_sha256, h(i["key_hex"]), h(i["msg_hex"]), h(i["tag_hex"])),
    "verify_signature": lambda i: sig(sh.verify_signature(payload(i), i["header"], secrets=i["secrets"], now=i["now"], tolerance=i["tolerance"])),
    "verify_ignoring_tolerance": lambda i: sig(sh.dangerous.verify_ignoring_tolerance(payload(i), i["header"], secrets=i["secrets"])),
    "sign_header": lambda i: {"header": sh.sign_header(i["payload"], i["secret"], i["t"])},
    "install_payload": lambda i: {"payload_hex": sh.install_payload(
        user_id=i["user_id"], account_id=i["account_id"], state=i["state"] if i["state_form"] == "value" else None,
        null_state=i["state_form"] == "null").encode().hex()},
    "check_redirect": lambda i: {"uri": allow(i).check(i["requested"])},
    "redirect_allow_list": lambda i: {"default_uri": sh.RedirectAllowList(i["entries"], test_mode=i["mode"] == "test").default_uri},
    "parse_manifest": _manifest,
    "install_link": lambda i: {"url": sh.install_link(link_id=i["link_id"], allow_list=allow(i), redirect_uri=i.get("redirect_uri"),
                                                      state=i.get("state"), base_url=i.get("base_url"))},
    "apps_oauth_link": lambda i: {"url": sh.apps_oauth_link(client_id=i["client_id"], allow_list=allow(i), redirect_uri=i.get("redirect_uri"),
                                                            state=i.get("state"), test_link_id=i.get("test_link_id"), base_url=i.get("base_url"),
                                                            mode=i.get("link_mode"))},
    "connect_oauth_link": _connect,
    "issue_state_token": lambda i: {"token": sh.issue_state_token(keys=keys(i["keys"]), flow=i["flow"], session_id=h(i["session_id_hex"]),
                                                                  ttl_secs=i["ttl_secs"], data=i["data"], now=i["now"], nonce=h(i["nonce_hex"]),
                                                                  mode=i.get("link_mode"))},
    "verify_state_token": _state,
    "check_plain_state": lambda i: _unit(sh.check_plain_state, i["expected"], i["received"]),
    "plain_state_from_entropy": lambda i: {"state": sh.plain_state_from_entropy(h(i["entropy_hex"]))},
    "install_callback": lambda i: callback(sh.verify_install_callback(i["query"], secrets=i["secrets"], now=i["now"],
                                                                      tolerance=i["tolerance"], **state_options(i["state_check"]),
                                                                      **marketplace(i))),
    "app_callback": lambda i: callback(sh.verify_app_callback(i["query"], access_type=i["access_type"], secrets=i["secrets"],
                                                              now=i["now"], tolerance=i["tolerance"],
                                                              **state_options(i["state_check"]), **marketplace(i))),
    "ui_extension_signature": _ui_extension,
    "oauth_callback": lambda i: callback(sh.verify_oauth_callback(i["query"], flow=i["flow"], now=i["now"], **state_options(i["state_check"]))),
    "verify_webhook": _webhook,
    "deauthorization": _deauth,
    "verify_event_notification": _notification,
    "account_link_request": lambda i: request(sh.account_link_request(
        secret_key=i["secret_key"], account=i["account"], type=i["type"], return_url=i["return_url"], refresh_url=i["refresh_url"],
        collection_fields=i["collection_fields"], future_requirements=i["future_requirements"], state_keys=keys(i["keys"]),
        session_id=h(i["session_id_hex"]), mode=i["link_mode"], now=i["now"], nonce=h(i["nonce_hex"]),
        expected_mode=i["expected_mode"], base_url=i["base_url"], allow_list=sh.RedirectAllowList(i["allow_list"]))),
    "parse_account_link_response": _account_link,
    "diagnose_signature": _diagnose,
    "diagnose_callback": _diagnose_callback,
    "one_time_entry": lambda i: (lambda e: {"namespace": e.namespace, "id": e.id, "expires_at": e.expires_at, "key": e.key,
                                            "ttl_secs": e.ttl_secs})(
        sh.one_time_entry(i["namespace"], i["id"], i["expires_at"], now=i["now"], prefix=i["prefix"])),
    "postgres_statements": lambda i: (lambda p: {"create": p.create, "consume": p.consume, "prune": p.prune, "release": p.release,
                                                 "extend": p.extend})(
        sh.postgres_statements(table=i["table"], placeholders=i["placeholders"])),
    "webhook_reply": lambda i: (lambda r: {"status": r.status, "body": r.body})(sh.webhook_reply(i["outcome"])),
    "one_time_outcome": lambda i: {"first_time": sh.one_time_outcome(i["answer"], namespace=i["namespace"])},
    "diagnose_redirect_uri": lambda i: _codes(sh.diagnose_redirect_uri(i["requested"], sh.RedirectAllowList(i["allow_list"], test_mode=i["mode"] == "test"))),
    "account_link_callback": _account_link_callback,
    "retrieve_account_request": lambda i: api_request(sh.retrieve_account_request(
        secret_key=i["secret_key"], account=i["account"], expected_mode=i["expected_mode"], api_version=i["api_version"],
        base_url=i["base_url"])),
    "fetch_event_request": lambda i: api_request(sh.fetch_event_request(
        secret_key=i["secret_key"], event_id=i["event_id"], livemode=i["livemode"], context=i["context"],
        api_version=i["api_version"], base_url=i["base_url"])),
    "fetch_related_object_request": lambda i: api_request(sh.fetch_related_object_request(
        secret_key=i["secret_key"], url=i["url"], livemode=i["livemode"], context=i["context"],
        api_version=i["api_version"], base_url=i["base_url"])),
    "code_exchange_request": lambda i: request(sh.code_exchange_request(provider=i["provider"], secret_key=i["secret_key"], code=i["code"],
                                                                        expected_mode=i["expected_mode"], base_url=i["base_url"])),
    "refresh_request": lambda i: request(sh.refresh_request(provider=i["provider"], secret_key=i["secret_key"], refresh_token=i["refresh_token"],
                                                            scope=i["scope"], expected_mode=i["expected_mode"], base_url=i["base_url"])),
    "deauthorize_request": lambda i: request(sh.deauthorize_request(secret_key=i["secret_key"], client_id=i["client_id"],
                                                                    stripe_user_id=i["stripe_user_id"], expected_mode=i["expected_mode"],
                                                                    base_url=i["base_url"])),
    "parse_secret_key": lambda i: {"mode": sh.parse_secret_key(i["key"]).mode},
    "parse_token_response": _token,
    "parse_deauthorize_response": lambda i: _unit(sh.parse_deauthorize_response, i["status"], i["body"], i["expected_stripe_user_id"]),
    "apps_token_expiry": _expiry,
}


def detail(e: sh.StripeHandshakeError) -> Dict[str, Any]:
    d: Dict[str, Any] = {"index": getattr(e, "index", None)}
    if isinstance(e, sh.OAuthError):
        d.update(oauth_error=e.error, oauth_kind=e.oauth_kind, description=e.error_description)
    return d


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_suite(path: Path) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    failures = []
    for c in doc["cases"]:
        cid = f"{doc['suite']}:{c['id']}"
        try:
            got: Dict[str, Any] = {"ok": OPS[c["op"]](c["input"])}
        except sh.StripeHandshakeError as e:
            got = {"error": e.code, "e": e}
        if "ok" in c:
            if got.get("ok") != c["ok"]:
                failures.append(f"{cid}: expected ok {c['ok']}, got {got.get('ok', got.get('error'))}")
        elif got.get("error") != c["error"]:
            failures.append(f"{cid}: expected error {c['error']}, got {got.get('ok', got.get('error'))}")
        elif "detail" in c:
            have = detail(got["e"])
            for k, v in c["detail"].items():
                if have.get(k) != v:
                    failures.append(f"{cid}: detail {k}={have.get(k)!r} != {v!r}")
    assert failures == []


def test_error_codes_are_pinned() -> None:
    pinned = json.loads((VECTORS / "error_codes.json").read_text())["codes"]
    assert list(sh.ERROR_CODES) == pinned


def test_corpus_is_whole() -> None:
    total = sum(len(json.loads(p.read_text())["cases"]) for p in FILES)
    assert total >= 450

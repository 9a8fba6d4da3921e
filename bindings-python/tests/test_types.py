"""The typings say what is true: ``records.py`` is the core's schema, every function's stub
returns the schema's kinds, and a tagged union narrows on ``outcome`` (mypy --strict checks
this file, see the ``test-python`` recipe)."""

from __future__ import annotations

import ast
import json
import os
import sys

import stripe_handshake as sh
from stripe_handshake import _native, records

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scripts"))
from gen_records import render, render_one_time, render_verifier, return_type  # type: ignore[import-not-found]  # noqa: E402

SCHEMA = json.loads(_native.schema())
PKG = os.path.dirname(os.path.abspath(records.__file__))


def test_records_module_is_the_schema() -> None:
    with open(os.path.join(PKG, "records.py"), encoding="utf-8") as f:
        committed = f.read()
    assert committed == render(SCHEMA), "records.py is stale: run python bindings-python/scripts/gen_records.py"
    with open(os.path.join(PKG, "_verifier.py"), encoding="utf-8") as f:
        committed = f.read()
    assert committed == render_verifier(SCHEMA), "_verifier.py is stale: run python bindings-python/scripts/gen_records.py"
    with open(os.path.join(PKG, "_schema.py"), encoding="utf-8") as f:
        committed = f.read()
    assert committed == render_one_time(SCHEMA), "_schema.py is stale: run python bindings-python/scripts/gen_records.py"


def test_every_stub_returns_the_schema_kinds() -> None:
    with open(os.path.join(PKG, "_native.pyi"), encoding="utf-8") as f:
        tree = ast.parse(f.read())
    stubs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    checked = 0
    for op in SCHEMA["ops"]:
        if op["place"]["kind"] not in ("function", "dangerous") or not op["returns"]:
            continue
        stub = stubs[op["name"]]
        assert stub.returns is not None
        assert ast.unparse(stub.returns) == f"records.{return_type(op)}", op["name"]
        checked += 1
    assert checked >= 14
    methods = {f.name: f for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Verifier" for f in n.body
               if isinstance(f, ast.FunctionDef)}
    with open(os.path.join(PKG, "_verifier.py"), encoding="utf-8") as f:
        generated = ast.parse(f.read())
    methods.update({f.name: f for n in generated.body if isinstance(n, ast.ClassDef) for f in n.body
                    if isinstance(f, ast.FunctionDef)})
    for m in SCHEMA["verifier"]["methods"]:
        assert hasattr(sh.Verifier, m["name"]), m["name"]
        returns = methods[m["name"]].returns
        assert returns is not None
        if m["returns"]:
            assert ast.unparse(returns) == f"records.{m['returns'][0]}", m["name"]


def test_every_kind_field_is_on_the_record() -> None:
    # A real record of each union case has exactly the fields its Protocol declares.
    secret = "absec_types"
    header = sh.sign_header(sh.install_payload(user_id="usr_1", account_id="acct_1", state="s"), secret, 1000)
    from urllib.parse import urlencode

    q = urlencode({"user_id": "usr_1", "account_id": "acct_1", "state": "s", "install_signature": header})
    installed = sh.verify_install_callback(q, secrets=secret, now=1000, expected_state="s")
    denied = sh.verify_install_callback("error=access_denied", secrets=secret, now=1000, marketplace="accept")
    for rec, cls in [(installed, records.Installed), (denied, records.Denied)]:
        assert set(rec.keys()) == set(cls.__annotations__), cls.__name__


def narrowing(query: str) -> str:
    """Not run: mypy --strict checks that ``outcome`` narrows the union."""
    r = sh.verify_install_callback(query, secrets="absec_x", expected_state="s")
    if r.outcome == "installed":
        account: str = r.account_id
        return account
    if r.outcome == "marketplace_install":
        form: str = r.signed_form
        return form
    description: str | None = r.description
    return r.error + (description or "")


def test_import_loads_no_typing_and_records_on_first_use() -> None:
    """The import-cost budget: ``typing`` (with ``re``, ``enum``, ``collections``) is most of a
    package's import; the package needs none of it until ``records`` is read."""
    import subprocess

    script = (
        "import sys; import stripe_handshake as sh; "
        "print(sorted(m for m in ('typing', 'functools', 'collections', 're', 'stripe_handshake.records') if m in sys.modules)); "
        "sh.records.WebhookEvent; print('stripe_handshake.records' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "[]", out
    assert out[1] == "True", out


def test_annotations_resolve_at_run_time() -> None:
    """A reader that evaluates annotations (typing.get_type_hints, pydantic) gets real types."""
    import typing

    hints = typing.get_type_hints(sh.Verifier.verify_webhook)
    assert hints["return"] is records.WebhookEvent
    assert hints["payload"] == bytes | str
    assert typing.get_type_hints(sh.Verifier.verify_deauthorization)["return"] is records.Deauthorization

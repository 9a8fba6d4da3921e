//! The one place where core errors become JavaScript values: an `Error` named
//! `StripeHandshakeError` carrying `code`, `family` and the details of OAuth and
//! configuration errors, which the shared wrapper (`errors.js`) turns into its classes.

use js_sys::Reflect;
use stripe_handshake::Error;
use wasm_bindgen::JsValue;

/// Maps a core error.
pub fn to_js(e: &Error) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    err.set_name("StripeHandshakeError");
    let set = |k: &str, v: JsValue| {
        // Setting a property on a fresh Error cannot fail; ignore the impossible error.
        let _ = Reflect::set(&err, &JsValue::from_str(k), &v);
    };
    set("code", e.code().into());
    set("family", e.family().as_str().into());
    if let Some((kind, error, description)) = e.oauth_details() {
        set("oauthError", error.into());
        set("oauthKind", kind.as_str().into());
        set("description", description.map_or(JsValue::UNDEFINED, JsValue::from_str));
    }
    if let Some(i) = e.config_index() {
        set("index", JsValue::from_f64(f64::from(u32::try_from(i).unwrap_or(u32::MAX))));
    }
    err.into()
}

/// A core result as a wasm-bindgen result: the error thrown as above.
pub fn thrown<T>(r: Result<T, Error>) -> Result<T, JsValue> {
    r.map_err(|e| to_js(&e))
}

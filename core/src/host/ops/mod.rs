//! Every operation a binding exposes: its parameters, its documentation, its implementation.

mod account_links;
mod callback;
mod links;
mod oauth;
mod one_time;
mod signature;
mod state;

use std::borrow::Cow;

pub use signature::{new_verifier, verifier};

use super::out::{Kind, Out};
use super::value::{name, Name, Options, Reader, Spelling, Value};
use super::Env;
use crate::error::{Error, Result};
use crate::redirect::RedirectAllowList;

/// A positional parameter.
#[derive(Debug)]
pub struct Param {
    /// Its name in both spellings (Python may also pass it by keyword).
    pub name: Name,
    /// For an options object: the options it takes. Python passes them as keywords.
    pub options: &'static [Name],
    /// This parameter is a `RedirectAllowList`.
    pub allow_list: bool,
}

impl Param {
    pub(crate) const fn arg(name: Name) -> Self {
        Self { name, options: &[], allow_list: false }
    }

    pub(crate) const fn options(name: Name, options: &'static [Name]) -> Self {
        Self { name, options, allow_list: false }
    }

    pub(crate) const fn allow_list() -> Self {
        Self { name: name!(allow_list, allowList), options: &[], allow_list: true }
    }
}

/// One operation of the binding API.
pub struct Op {
    /// Its name: `verify_install_callback` / `verifyInstallCallback`.
    pub name: Name,
    /// What it does (the docstring every binding shows).
    pub doc: &'static str,
    /// Its parameters, in order.
    pub params: &'static [Param],
    /// The record kinds it can return.
    pub returns: &'static [&'static Kind],
    /// Where the host API shows it.
    pub place: Place,
    /// For the operations that check a signed state token: the result fields that hold the
    /// token's nonce and expiry, which the binding consumes in the caller's one-time store
    /// (option `store`) before it returns the result.
    pub one_time: &'static [OneTime],
    run: fn(&Call<'_, '_>) -> Result<Out>,
}

/// Which result fields a binding consumes in the caller's one-time store, when a store is given:
/// each entry is a namespace and the result fields of its id and expiry. A result has at most
/// one of them (a state-checked callback its token's nonce, a Marketplace authorization its
/// code's id); a result with none (a denial, a Marketplace install) consumes nothing.
#[derive(Clone, Copy, Debug)]
pub struct OneTime {
    /// The namespace (`state`, `code`).
    pub namespace: &'static str,
    /// The field holding the id (null when this entry does not apply to the result).
    pub id: Name,
    /// The field holding the expiry (Unix seconds).
    pub expires_at: Name,
}

/// Where a host API shows an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// A module-level function named after the operation.
    Function,
    /// A function of the `dangerous` namespace (an opt-out that weakens a check), by this name.
    Dangerous(Name),
    /// A method of the `RedirectAllowList` class, by this name (the list is the receiver).
    AllowListMethod(Name),
    /// A getter of `RedirectAllowList`'s fields, filled when the list is built.
    AllowListInfo,
    /// Not part of the public API (tests of the binding itself).
    Internal,
}

impl core::fmt::Debug for Op {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name.snake)
    }
}

impl Op {
    pub(crate) const fn new(
        name: Name,
        doc: &'static str,
        params: &'static [Param],
        returns: &'static [&'static Kind],
        run: fn(&Call<'_, '_>) -> Result<Out>,
    ) -> Self {
        Self { name, doc, params, returns, place: Place::Function, one_time: &[], run }
    }

    /// The same operation, its state token (and whatever else `entries` name) one-time through
    /// the caller's store.
    pub(crate) const fn one_time(self, entries: &'static [OneTime]) -> Self {
        Self { one_time: entries, ..self }
    }

    /// The same operation, shown at `place`.
    pub(crate) const fn at(self, place: Place) -> Self {
        Self { place, ..self }
    }

    /// Arranges Python-style arguments (positional values, then keywords) into positions:
    /// a keyword naming a parameter fills that position; the others become the options
    /// object. The one rule for keywords, so the Python binding only converts.
    ///
    /// # Errors
    /// `invalid_argument` for too many positional values, a parameter given twice, or
    /// keywords where the operation takes no options.
    pub fn arrange<'a>(
        &self,
        args: Vec<Value<'a>>,
        keywords: Vec<(Cow<'a, str>, Value<'a>)>,
    ) -> Result<Vec<Value<'a>>> {
        arrange(self.name, self.params, args, keywords)
    }
}

/// Arranges Python-style arguments for `params` (see [`Op::arrange`]); also used for the
/// constructors ([`VERIFIER_PARAMS`], [`ALLOW_LIST_PARAMS`]).
///
/// # Errors
/// `invalid_argument`, naming `what`.
pub fn arrange<'a>(
    what: Name,
    params: &[Param],
    mut args: Vec<Value<'a>>,
    keywords: Vec<(Cow<'a, str>, Value<'a>)>,
) -> Result<Vec<Value<'a>>> {
    let bad = |reason| Error::InvalidArgument { what: what.snake, reason };
    if args.len() > params.len() {
        return Err(bad("too many positional arguments"));
    }
    args.resize(params.len(), Value::Absent);
    let mut options = Vec::new();
    for (k, v) in keywords {
        match params.iter().position(|p| p.options.is_empty() && p.name.snake == k.as_ref()) {
            Some(i) => match args.get_mut(i) {
                Some(slot @ Value::Absent) => *slot = v,
                _ => return Err(bad("an argument was given both by position and by keyword")),
            },
            None => options.push((k, v)),
        }
    }
    if !options.is_empty() {
        let slot = params.iter().position(|p| !p.options.is_empty()).and_then(|i| args.get_mut(i));
        match slot {
            Some(slot @ Value::Absent) => *slot = Value::Map(options),
            _ => return Err(bad("it takes no such keyword argument: check the spelling against the documentation")),
        }
    }
    Ok(args)
}

/// One call in progress: its arguments, the host's clock and random source, its spelling.
pub struct Call<'c, 'a> {
    args: &'c [Value<'a>],
    params: &'static [Param],
    /// The host's clock and random source.
    pub env: &'c dyn Env,
    /// The argument reader, in the host's spelling.
    pub r: Reader,
    /// The binding consumes the state token's nonce in the caller's store after this call
    /// ([`call_consuming`]): set only by a binding's own code, never by an argument.
    pub(crate) consuming: bool,
}

static ABSENT: Value<'static> = Value::Absent;

impl<'c, 'a> Call<'c, 'a> {
    pub(crate) fn new(args: &'c [Value<'a>], params: &'static [Param], env: &'c dyn Env, spelling: Spelling) -> Self {
        Self { args, params, env, r: Reader { spelling }, consuming: false }
    }

    /// Argument `i` (absent when not given).
    pub(crate) fn arg(&self, i: usize) -> &'c Value<'a> {
        self.args.get(i).unwrap_or(&ABSENT)
    }

    /// The name of parameter `i`.
    pub(crate) fn name(&self, i: usize) -> Name {
        self.params.get(i).map_or(name!(argument), |p| p.name)
    }

    /// Argument `i` as the options object its parameter declares.
    pub(crate) fn options(&self, i: usize) -> Result<Options<'c, 'a>> {
        let known = self.params.get(i).map_or(&[][..], |p| p.options);
        self.r.options(self.arg(i), &self.name(i), known)
    }

    pub(crate) fn str(&self, i: usize) -> Result<&'c str> {
        self.r.str(self.arg(i), &self.name(i))
    }

    /// The allow-list at argument `i`.
    pub(crate) fn allow_list(&self, i: usize) -> Result<&'a RedirectAllowList> {
        match self.arg(i) {
            Value::AllowList(l) => Ok(l),
            _ => Err(Error::InvalidArgument {
                what: self.name(i).spelled(self.r.spelling),
                reason: "it must be a RedirectAllowList built by this library",
            }),
        }
    }

    /// An optional link mode (`live`, `test`, `sandbox`) from option `n`.
    pub(crate) fn link_mode(&self, v: &Value<'_>, n: &Name) -> Result<Option<crate::state::LinkMode>> {
        self.r.opt_str(v, n)?.map(crate::state::LinkMode::parse).transpose()
    }

    /// `now` from the options, else the host's clock.
    pub(crate) fn now(&self, v: &Value<'_>) -> Result<u64> {
        match self.r.opt_uint(v, &name!(now), u64::MAX)? {
            Some(n) => Ok(n),
            None => self.env.now(),
        }
    }
}

/// Every operation, in a fixed order: bindings address them by index.
pub static OPS: &[Op] = &[
    signature::HMAC_SHA256,
    signature::VERIFY_HMAC_SHA256,
    signature::SIGN_HEADER,
    signature::VERIFY_SIGNATURE,
    signature::VERIFY_WEBHOOK,
    signature::VERIFY_DEAUTHORIZATION,
    signature::VERIFY_EVENT_NOTIFICATION,
    signature::DIAGNOSE_SIGNATURE,
    signature::VERIFY_IGNORING_TOLERANCE,
    callback::INSTALL_PAYLOAD,
    callback::VERIFY_INSTALL_CALLBACK,
    callback::VERIFY_OAUTH_CALLBACK,
    callback::VERIFY_APP_CALLBACK,
    callback::VERIFY_UI_EXTENSION_SIGNATURE,
    callback::DIAGNOSE_CALLBACK,
    links::REDIRECT_CHECK,
    links::REDIRECT_INFO,
    links::DIAGNOSE_REDIRECT_URI,
    links::PARSE_MANIFEST,
    links::INSTALL_LINK,
    links::APPS_OAUTH_LINK,
    links::CONNECT_OAUTH_LINK,
    state::RANDOM_STATE,
    state::PLAIN_STATE_FROM_ENTROPY,
    state::CHECK_PLAIN_STATE,
    state::ISSUE_STATE_TOKEN,
    state::VERIFY_STATE_TOKEN,
    oauth::CODE_EXCHANGE_REQUEST,
    oauth::REFRESH_REQUEST,
    oauth::DEAUTHORIZE_REQUEST,
    oauth::FETCH_EVENT_REQUEST,
    oauth::FETCH_RELATED_OBJECT_REQUEST,
    oauth::PARSE_SECRET_KEY,
    oauth::PARSE_TOKEN_RESPONSE,
    oauth::PARSE_DEAUTHORIZE_RESPONSE,
    oauth::APPS_TOKEN_EXPIRY,
    account_links::ACCOUNT_LINK_REQUEST,
    account_links::PARSE_ACCOUNT_LINK_RESPONSE,
    account_links::VERIFY_ACCOUNT_LINK_CALLBACK,
    account_links::RETRIEVE_ACCOUNT_REQUEST,
    one_time::ONE_TIME_ENTRY_OP,
    one_time::POSTGRES_STATEMENTS_OP,
    one_time::ONE_TIME_OUTCOME,
    one_time::WEBHOOK_REPLY_OP,
    #[cfg(feature = "self-test")]
    SELF_TEST_PANIC,
];

/// Every record kind.
pub static KINDS: &[&Kind] = &[
    &signature::VERIFIED_SIGNATURE,
    &signature::VERIFY_ATTEMPT,
    &signature::WEBHOOK_EVENT,
    &signature::DEAUTHORIZATION,
    &signature::EVENT_NOTIFICATION,
    &signature::RELATED_OBJECT,
    &signature::DIAGNOSIS,
    &signature::FINDING,
    &callback::INSTALLED,
    &callback::AUTHORIZED,
    &callback::MARKETPLACE_INSTALL,
    &callback::APP_AUTHORIZED,
    &callback::MARKETPLACE_AUTHORIZED,
    &callback::UI_EXTENSION_CALLER,
    &callback::DENIED,
    &links::REDIRECT_INFO_KIND,
    &links::APP_MANIFEST,
    &state::VERIFIED_STATE,
    &oauth::HTTP_REQUEST,
    &oauth::HTTP_HEADERS,
    &oauth::API_REQUEST,
    &oauth::API_HEADERS,
    &oauth::SECRET_KEY_INFO,
    &oauth::TOKEN_RESPONSE,
    &oauth::TOKEN_EXPIRY,
    &account_links::ACCOUNT_LINK,
    &account_links::ACCOUNT_LINK_CALLBACK,
    &one_time::ONE_TIME_ENTRY,
    &one_time::POSTGRES_STATEMENTS,
    &one_time::WEBHOOK_REPLY,
];

/// Only in builds with the `self-test` feature (the bindings' panic tests), never in a package.
#[cfg(feature = "self-test")]
const SELF_TEST_PANIC: Op = Op::new(
    name!(_self_test_panic, _selfTestPanic),
    "Panics inside the core, to prove a binding turns a panic into InternalError. Tests only.",
    &[],
    &[],
    self_test_panic,
)
.at(Place::Internal);

#[cfg(feature = "self-test")]
#[allow(clippy::panic)]
fn self_test_panic(_: &Call<'_, '_>) -> Result<Out> {
    panic!("self-test panic")
}

/// An operation by index, or `None`.
#[must_use]
pub fn op(index: usize) -> Option<&'static Op> {
    OPS.get(index)
}

/// For a binding whose host reads options objects itself, by the schema (the JavaScript
/// wrapper: reading an object's keys, or a list's items, across N-API costs far more than the
/// call), and passes an operation's arguments flat, as the arguments of one native call: each
/// argument whose bit is set in `mask` as the number of its pairs `n` and then `n` pairs, an
/// option's index in its parameter's `options` (a whole number) or a key that names no option
/// (a string, refused later as a misspelt option) and the value; every other argument as
/// itself. Returns the operation's arguments, each encoded one the options object
/// (`Value::Map`) it stands for, so the operation reads it exactly as if the host had passed
/// the object. A count or key that is neither makes that argument one the operation refuses
/// by its type ("an object of options") and ends the reading; values left after the last
/// parameter are kept, so the operation refuses them as too many arguments. A bit for a
/// parameter without options is ignored (its argument is read as itself).
///
/// ```
/// use stripe_handshake::host::{arguments_from_flat, Value, OPS, Spelling};
/// let i = OPS.iter().position(|op| op.name.snake == "connect_oauth_link").unwrap();
/// let flat = vec![Value::Number(2.0), Value::Number(0.0), Value::Str("ca_1".into()), Value::Str("typo".into()), Value::Absent];
/// let args = arguments_from_flat(i, flat, 1, Spelling::Camel);
/// assert!(matches!(&args[0], Value::Map(e) if e[0].0 == "clientId" && e[1].0 == "typo"));
/// // A pair that is neither an index nor a key: not an options object.
/// let bad = arguments_from_flat(i, vec![Value::Number(1.0), Value::Bool(true), Value::Absent], 1, Spelling::Camel);
/// assert!(matches!(&bad[0], Value::Other(_)));
/// ```
#[must_use]
pub fn arguments_from_flat<'a>(
    index: usize,
    mut flat: Vec<Value<'a>>,
    mask: u32,
    spelling: Spelling,
) -> Vec<Value<'a>> {
    let params = OPS.get(index).map_or(&[][..], |op| op.params);
    // The arguments are written over the values they are read from, in place: argument `p` is
    // read from `at >= p` onwards (every argument is at least one value), so the slot it goes
    // to has been read already. Values are taken out of their slots rather than moved through
    // an iterator, and no second vector is made: this ran at 120 ns for a four-option link.
    let mut at = 0;
    let mut p = 0;
    while let Some(param) = params.get(p) {
        if at >= flat.len() {
            break;
        }
        let encoded = p < 32 && mask & (1u32 << p) != 0 && !param.options.is_empty();
        // Each argument is written into its slot by the function that makes it: returned
        // through an `Option` it was written to the stack and read back at once, wider, which
        // stalled the load (perf annotate).
        let read = if encoded {
            options_from_pairs(&mut flat, &mut at, p, param, spelling)
        } else {
            let v = take(&mut flat, &mut at);
            if let Some(slot) = flat.get_mut(p) {
                *slot = v;
            }
            true
        };
        p = p.saturating_add(1);
        if !read {
            // The reading ended: the arguments so far, the refused one last.
            flat.truncate(p);
            return flat;
        }
    }
    // Values left after the last parameter stay, after the arguments.
    flat.drain(p..at.max(p));
    flat
}

/// The value at `at` (leaving `Value::Absent` there), and `at` moved past it.
fn take<'a>(flat: &mut [Value<'a>], at: &mut usize) -> Value<'a> {
    let v = flat.get_mut(*at).map(std::mem::take).unwrap_or(Value::Absent);
    *at = at.saturating_add(1);
    v
}

/// A count or an index the wrapper wrote ([`whole_u32`]).
fn whole(v: &Value<'_>) -> Option<usize> {
    let Value::Number(n) = v else { return None };
    whole_u32(*n).and_then(|k| usize::try_from(k).ok())
}

/// One options object from its pair count and its pairs, read from `flat` at `at` onwards
/// (moving `at` past them) and written to `flat[p]` (a slot read already: `p < at`); or, when
/// the count or a key is not one the wrapper writes, a value the operation refuses by its type
/// written there, and `false`.
fn options_from_pairs(
    flat: &mut [Value<'_>],
    at: &mut usize,
    p: usize,
    param: &'static Param,
    spelling: Spelling,
) -> bool {
    let object = map_from_pairs(flat, at, param, spelling);
    let read = object.is_some();
    if let Some(slot) = flat.get_mut(p) {
        *slot = match object {
            Some(entries) => Value::Map(entries),
            None => Value::Other(super::value::HostType::Object),
        };
    }
    read
}

/// The entries of [`options_from_pairs`]'s object.
fn map_from_pairs<'a>(
    flat: &mut [Value<'a>],
    at: &mut usize,
    param: &'static Param,
    spelling: Spelling,
) -> Option<Vec<(Cow<'a, str>, Value<'a>)>> {
    let n = whole(flat.get(*at)?)?;
    *at = at.saturating_add(1);
    // No more pairs than the values left (so the capacity below is bounded).
    if n > flat.len().saturating_sub(*at) / 2 {
        return None;
    }
    // Each entry is written where it stays: a pushed pair went through a copy on the stack,
    // written a word at a time and read back wider, which stalled the load (perf annotate).
    let mut entries = Vec::new();
    entries.resize_with(n, || (Cow::Borrowed(""), Value::Absent));
    for entry in &mut entries {
        let key = flat.get_mut(*at)?;
        entry.0 = match key {
            Value::Str(k) => Some(std::mem::take(k)),
            // A key with a lone surrogate names no option (as the native readings spelt it).
            Value::IllFormedStr => Some(Cow::Borrowed("\u{FFFD}")),
            index => whole(index).and_then(|k| param.options.get(k)).map(|o| Cow::Borrowed(o.spelled(spelling))),
        }?;
        *at = at.saturating_add(1);
        entry.1 = take(flat, at);
    }
    Some(entries)
}

/// Runs operation `index` on `args` (positional; options objects in their position).
///
/// ```
/// use stripe_handshake::host::{call, OsEnv, Out, Spelling, Value, OPS};
/// let i = OPS.iter().position(|op| op.name.snake == "check_plain_state").unwrap();
/// let ok = call(i, &[Value::Str("s".into()), Value::Str("s".into())], &OsEnv, Spelling::Camel).unwrap();
/// assert_eq!(ok, Out::Unit);
/// // The host's `undefined` where a string is required: a typed error naming the argument.
/// let e = call(i, &[Value::Absent, Value::Str("s".into())], &OsEnv, Spelling::Camel).unwrap_err();
/// assert_eq!((e.code(), e.to_string().starts_with("expected:")), ("invalid_argument", true));
/// ```
///
/// # Errors
/// Whatever the operation raises; `invalid_argument` for too many arguments.
pub fn call(index: usize, args: &[Value<'_>], env: &dyn Env, spelling: Spelling) -> Result<Out> {
    let op = OPS.get(index).ok_or(Error::Internal { what: "unknown operation" })?;
    if args.len() > op.params.len() {
        return Err(Error::InvalidArgument { what: op.name.spelled(spelling), reason: "too many arguments" });
    }
    (op.run)(&Call::new(args, op.params, env, spelling))
}

/// Runs operation `index`, one of those that check state tokens (`one_time` in the schema), for
/// a binding that will consume the token's nonce in the caller's store before it returns the
/// result. The binding takes the store out of the options and calls this instead of [`call`]:
/// no argument can say "a store was given", so a store that never consumes cannot be forged.
///
/// # Errors
/// As [`call`]; `internal` for an operation that checks no state token.
pub fn call_consuming(index: usize, args: &[Value<'_>], env: &dyn Env, spelling: Spelling) -> Result<Out> {
    let op = OPS.get(index).ok_or(Error::Internal { what: "unknown operation" })?;
    if op.one_time.is_empty() {
        return Err(Error::Internal { what: "a store for an operation that checks no state token" });
    }
    if args.len() > op.params.len() {
        return Err(Error::InvalidArgument { what: op.name.spelled(spelling), reason: "too many arguments" });
    }
    let mut c = Call::new(args, op.params, env, spelling);
    c.consuming = true;
    (op.run)(&c)
}

/// Runs operation `index` with `list` in its allow-list parameter (the hosts whose
/// argument conversion cannot recognise the allow-list object pass it separately).
///
/// # Errors
/// As [`call`].
pub fn call_with_list<'a>(
    index: usize,
    mut args: Vec<Value<'a>>,
    list: &'a RedirectAllowList,
    env: &dyn Env,
    spelling: Spelling,
) -> Result<Out> {
    let op = OPS.get(index).ok_or(Error::Internal { what: "unknown operation" })?;
    let at = op.params.iter().position(|p| p.allow_list).ok_or(Error::Internal { what: "no allow-list parameter" })?;
    if args.len() <= at {
        args.resize(at.saturating_add(1), Value::Absent);
    }
    if let Some(slot) = args.get_mut(at) {
        *slot = Value::AllowList(list);
    }
    call(index, &args, env, spelling)
}

/// Runs operation `index` on the arguments a JavaScript host passed flat
/// ([`arguments_from_flat`]), with `list` in its allow-list parameter if given, through the
/// consuming form ([`call_consuming`]) if `consuming`: the one entry of both JavaScript engines.
///
/// # Errors
/// As [`call`], [`call_consuming`] and [`call_with_list`]; `internal` for a consuming call with
/// an allow-list (no operation that takes one checks a state token).
pub fn call_flat<'a>(
    index: usize,
    consuming: bool,
    flat: Vec<Value<'a>>,
    mask: u32,
    list: Option<&'a RedirectAllowList>,
    env: &dyn Env,
    spelling: Spelling,
) -> Result<Out> {
    let args = arguments_from_flat(index, flat, mask, spelling);
    match (list, consuming) {
        (Some(list), false) => call_with_list(index, args, list, env, spelling),
        (None, true) => call_consuming(index, &args, env, spelling),
        (None, false) => call(index, &args, env, spelling),
        (Some(_), true) => Err(Error::Internal { what: "a consuming call with an allow-list" }),
    }
}

/// A host number that is whole, non-negative and below 2^32 (an index, a count, a bit mask),
/// or `None`. `as` saturates (NaN to 0), so the round trip holds only for such numbers; it is
/// cheaper than `fract` (a libm call on some targets).
#[must_use]
pub fn whole_u32(n: f64) -> Option<u32> {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let k = n as u32;
    #[allow(clippy::float_cmp)] // exact: both sides are whole numbers below 2^32
    (f64::from(k) == n).then_some(k)
}

/// The index of the operation named `snake` (its snake_case name).
#[must_use]
pub fn op_index(snake: &str) -> Option<usize> {
    OPS.iter().position(|op| op.name.snake == snake)
}

/// Builds a `RedirectAllowList` from `(entries, { testMode })`.
///
/// # Errors
/// `invalid_redirect_config`, `invalid_argument`.
pub fn allow_list(args: &[Value<'_>], spelling: Spelling) -> Result<RedirectAllowList> {
    links::allow_list(args, spelling)
}

pub use links::ALLOW_LIST_PARAMS;
pub use signature::VERIFIER_PARAMS;

/// The schema as JSON, for the JavaScript and Python layers that name the functions:
/// operations (names, docs, parameters), record kinds (fields, credentials), the
/// verifier's methods, the error codes and the default tolerance.
///
/// Written straight from the static tables through borrowed `Serialize` views, keys in
/// sorted order: a Node process reads it once as it loads the package, and building it as a
/// `serde_json::Value` tree cost 1-2 ms of that (measured), this about a tenth of it.
#[must_use]
pub fn schema_json() -> String {
    serde_json::to_string(&schema::Schema::new()).unwrap_or_default()
}

/// Borrowed views of the schema's tables, each serialized with its keys in sorted order.
mod schema {
    use serde::ser::{Serialize, SerializeMap, Serializer};

    use super::{links, signature, Name, OneTime, Op, Param, Place, KINDS, OPS};
    use crate::error::Error;
    use crate::host::{Field, Kind};

    /// A sequence serialized from a slice through a view of each element.
    struct Each<T: 'static, V>(&'static [T], fn(&'static T) -> V);

    impl<T, V: Serialize> Serialize for Each<T, V> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq(self.0.iter().map(self.1))
        }
    }

    #[derive(serde::Serialize)]
    struct NameView {
        js: &'static str,
        name: &'static str,
    }

    fn name(n: &'static Name) -> NameView {
        NameView { js: n.camel, name: n.snake }
    }

    #[derive(serde::Serialize)]
    struct ParamView {
        allow_list: bool,
        js: &'static str,
        name: &'static str,
        options: Each<Name, NameView>,
    }

    fn param(p: &'static Param) -> ParamView {
        ParamView { allow_list: p.allow_list, js: p.name.camel, name: p.name.snake, options: Each(p.options, name) }
    }

    fn params(ps: &'static [Param]) -> Each<Param, ParamView> {
        Each(ps, param)
    }

    fn kind_name(k: &&'static Kind) -> &'static str {
        k.name
    }

    #[derive(serde::Serialize)]
    struct OneTimeView {
        expires_at: NameView,
        id: NameView,
        namespace: &'static str,
    }

    fn one_time(o: &'static OneTime) -> OneTimeView {
        OneTimeView { expires_at: name(&o.expires_at), id: name(&o.id), namespace: o.namespace }
    }

    struct PlaceView(Place);

    impl Serialize for PlaceView {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let (kind, named) = match self.0 {
                Place::Function => ("function", None),
                Place::Dangerous(n) => ("dangerous", Some(n)),
                Place::AllowListMethod(n) => ("allow_list_method", Some(n)),
                Place::AllowListInfo => ("allow_list_info", None),
                Place::Internal => ("internal", None),
            };
            let mut m = s.serialize_map(None)?;
            if let Some(n) = named {
                m.serialize_entry("js", n.camel)?;
            }
            m.serialize_entry("kind", kind)?;
            if let Some(n) = named {
                m.serialize_entry("name", n.snake)?;
            }
            m.end()
        }
    }

    #[derive(serde::Serialize)]
    struct OpView {
        doc: &'static str,
        js: &'static str,
        name: &'static str,
        one_time: Option<Each<OneTime, OneTimeView>>,
        params: Each<Param, ParamView>,
        place: PlaceView,
        returns: Each<&'static Kind, &'static str>,
    }

    fn op(o: &'static Op) -> OpView {
        OpView {
            doc: o.doc,
            js: o.name.camel,
            name: o.name.snake,
            one_time: (!o.one_time.is_empty()).then_some(Each(o.one_time, one_time)),
            params: params(o.params),
            place: PlaceView(o.place),
            returns: Each(o.returns, kind_name),
        }
    }

    #[derive(serde::Serialize)]
    struct FieldView {
        credential: bool,
        js: &'static str,
        json: bool,
        name: &'static str,
        nested: Option<&'static str>,
        nullable: bool,
        optional: bool,
        #[serde(rename = "type")]
        ty: &'static str,
    }

    fn field(f: &'static Field) -> FieldView {
        FieldView {
            credential: f.credential,
            js: f.name.camel,
            json: f.json,
            name: f.name.snake,
            nested: f.nested.map(|n| n.name),
            nullable: f.nullable,
            optional: f.optional,
            ty: f.ty.as_str(),
        }
    }

    #[derive(serde::Serialize)]
    struct KindView {
        fields: Each<Field, FieldView>,
        name: &'static str,
        tag: Option<&'static str>,
    }

    fn kind(k: &'static &'static Kind) -> KindView {
        KindView { fields: Each(k.fields, field), name: k.name, tag: k.tag }
    }

    #[derive(serde::Serialize)]
    struct MethodView {
        doc: &'static str,
        js: &'static str,
        name: &'static str,
        native: bool,
        params: Each<Param, ParamView>,
        returns: Each<&'static Kind, &'static str>,
    }

    fn method(m: &'static signature::Method) -> MethodView {
        MethodView {
            doc: m.doc,
            js: m.name.camel,
            name: m.name.snake,
            native: m.run.is_none(),
            params: params(m.params),
            returns: Each(m.returns, kind_name),
        }
    }

    #[derive(serde::Serialize)]
    struct ParamsView {
        params: Each<Param, ParamView>,
    }

    #[derive(serde::Serialize)]
    struct VerifierView {
        methods: Each<signature::Method, MethodView>,
        params: Each<Param, ParamView>,
    }

    #[derive(serde::Serialize)]
    pub(super) struct Schema {
        allow_list: ParamsView,
        default_tolerance_secs: u32,
        error_codes: &'static [&'static str],
        event_lease_secs: u64,
        event_retention_secs: u64,
        kinds: Each<&'static Kind, KindView>,
        max_webhook_body: usize,
        ops: Each<Op, OpView>,
        verifier: VerifierView,
    }

    impl Schema {
        pub(super) fn new() -> Self {
            Self {
                allow_list: ParamsView { params: params(links::ALLOW_LIST_PARAMS) },
                default_tolerance_secs: crate::signature::DEFAULT_TOLERANCE_SECS,
                error_codes: Error::ALL_CODES,
                event_lease_secs: crate::one_time::EVENT_LEASE_SECS,
                event_retention_secs: crate::one_time::EVENT_RETENTION_SECS,
                kinds: Each(KINDS, kind),
                max_webhook_body: crate::reply::MAX_WEBHOOK_BODY,
                ops: Each(OPS, op),
                verifier: VerifierView {
                    methods: Each(signature::METHODS, method),
                    params: params(signature::VERIFIER_PARAMS),
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    /// A JavaScript host reads a record's present fields from one 32-bit mask.
    #[test]
    fn every_record_kind_fits_the_presence_mask() {
        for kind in super::KINDS {
            assert!(kind.fields.len() <= crate::host::MAX_RECORD_FIELDS, "{} has too many fields", kind.name);
        }
    }

    use super::{arguments_from_flat, call, Spelling, Value, OPS};
    use crate::host::OsEnv;

    fn op(name: &str) -> usize {
        OPS.iter().position(|op| op.name.snake == name).unwrap()
    }

    fn n(x: f64) -> Value<'static> {
        Value::Number(x)
    }

    fn s(x: &'static str) -> Value<'static> {
        Value::Str(x.into())
    }

    /// The wrapper's flat form gives the same link as the options object itself.
    #[test]
    fn flat_options_read_as_the_object() {
        let i = op("connect_oauth_link");
        let object = Value::Map(vec![
            ("clientId".into(), s("ca_1")),
            ("accountType".into(), s("express")),
            ("state".into(), s("st_1")),
        ]);
        let list = crate::RedirectAllowList::new(&["https://a.example/cb"], crate::RedirectMode::Live).unwrap();
        let direct = crate::host::call_with_list(i, vec![object], &list, &OsEnv, Spelling::Camel).unwrap();
        let pairs = vec![n(3.0), n(0.0), s("ca_1"), s("accountType"), s("express"), s("state"), s("st_1")];
        let flat = arguments_from_flat(i, pairs, 1, Spelling::Camel);
        assert!(matches!(&flat[0], Value::Map(e) if e.len() == 3 && e[0].0 == "clientId" && e[2].0 == "state"));
        assert_eq!(crate::host::call_with_list(i, flat, &list, &OsEnv, Spelling::Camel).unwrap(), direct);
        // Python spells the same option index in snake case.
        let py = arguments_from_flat(i, vec![n(1.0), n(0.0), s("ca_1")], 1, Spelling::Snake);
        assert!(matches!(&py[0], Value::Map(e) if e[0].0 == "client_id"));
    }

    /// Every count or key the wrapper never writes makes the argument one the operation
    /// refuses by its type, and nothing after it is read.
    #[test]
    fn malformed_flat_options_are_refused() {
        let i = op("connect_oauth_link");
        let bad_counts = [s("2"), n(0.5), n(-1.0), n(f64::NAN), n(f64::INFINITY), n(3.0), Value::Absent];
        for count in bad_counts {
            let args = arguments_from_flat(i, vec![count, n(0.0), s("ca_1"), n(1.0), s("x")], 1, Spelling::Camel);
            assert_eq!(args.len(), 1);
            assert!(matches!(args[0], Value::Other(_)));
        }
        let options = &OPS[i].params[0].options;
        #[allow(clippy::cast_precision_loss)]
        let past = options.len() as f64;
        for key in [n(past), n(0.5), n(-1.0), Value::Bool(true), Value::Absent] {
            let args = arguments_from_flat(i, vec![n(1.0), key, s("ca_1")], 1, Spelling::Camel);
            assert!(matches!(args[..], [Value::Other(_)]));
        }
        // A key with a lone surrogate names no option: the operation refuses it as misspelt.
        let args = arguments_from_flat(i, vec![n(1.0), Value::IllFormedStr, s("x")], 1, Spelling::Camel);
        assert!(matches!(&args[0], Value::Map(e) if e[0].0 == "\u{FFFD}"));
    }

    /// The one JavaScript entry dispatches as the three calls do, and refuses the one
    /// combination no operation has; only whole numbers below 2^32 are indices and masks.
    #[test]
    fn call_flat_dispatches_and_whole_numbers_are_checked() {
        let list = crate::RedirectAllowList::new(&["https://a.example/cb"], crate::RedirectMode::Live).unwrap();
        let link = op("connect_oauth_link");
        let pairs = || vec![n(3.0), s("clientId"), s("ca_1"), s("accountType"), s("express"), s("state"), s("st_1")];
        let url = super::call_flat(link, false, pairs(), 1, Some(&list), &OsEnv, Spelling::Camel).unwrap();
        assert!(
            matches!(url, super::Out::Str(u) if u.starts_with("https://connect.stripe.com/express/oauth/authorize?"))
        );
        let e = super::call_flat(link, true, pairs(), 1, Some(&list), &OsEnv, Spelling::Camel).unwrap_err();
        assert_eq!(e.code(), "internal");
        let plain = op("check_plain_state");
        assert!(super::call_flat(plain, false, vec![s("a"), s("a")], 0, None, &OsEnv, Spelling::Camel).is_ok());
        // The consuming form of an operation that checks no state token: internal.
        let e = super::call_flat(plain, true, vec![s("a"), s("a")], 0, None, &OsEnv, Spelling::Camel).unwrap_err();
        assert_eq!(e.code(), "internal");
        for (x, want) in [(0.0, Some(0)), (-0.0, Some(0)), (7.0, Some(7)), (4_294_967_295.0, Some(u32::MAX))] {
            assert_eq!(super::whole_u32(x), want);
        }
        for x in [-1.0, 0.5, 4_294_967_296.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e300] {
            assert_eq!(super::whole_u32(x), None, "{x}");
        }
    }

    /// Without its bit an argument is itself; a bit for a parameter without options is
    /// ignored; values past the last parameter stay, and the operation refuses them.
    #[test]
    fn flat_arguments_keep_their_positions() {
        let i = op("check_plain_state");
        assert_eq!(OPS[i].params.len(), 2);
        let args = arguments_from_flat(i, vec![n(2.0), s("b")], 0b11, Spelling::Camel);
        assert!(matches!(&args[..], [Value::Number(x), Value::Str(b)] if *x == 2.0 && b == "b"));
        let args = arguments_from_flat(i, vec![s("a")], 0, Spelling::Camel);
        assert!(matches!(&args[..], [Value::Str(a)] if a == "a"));
        let extra = arguments_from_flat(i, vec![s("a"), s("a"), s("c")], 0, Spelling::Camel);
        assert_eq!(extra.len(), 3);
        let e = call(i, &extra, &OsEnv, Spelling::Camel).unwrap_err();
        assert_eq!(e.code(), "invalid_argument");
        let unknown = arguments_from_flat(usize::MAX, vec![s("a")], 1, Spelling::Camel);
        assert!(matches!(&unknown[..], [Value::Str(a)] if a == "a"));
    }

    /// After an options object read from its pairs, the next argument and any values past the
    /// last parameter keep their order (the decoding writes each argument over values it has
    /// read); a bad count or key ends the reading at that argument.
    #[test]
    fn flat_arguments_after_an_options_object() {
        let i = op("connect_oauth_link");
        assert_eq!(OPS[i].params.len(), 2);
        let pairs = || vec![n(2.0), n(0.0), s("ca_1"), s("state"), s("st_1")];
        let key = |v: &Value<'_>, k: usize| match v {
            Value::Map(e) => e.get(k).map(|(name, _)| name.to_string()),
            _ => None,
        };
        let mut flat = pairs();
        flat.extend([Value::Absent, s("x"), s("y")]);
        let args = arguments_from_flat(i, flat, 1, Spelling::Camel);
        assert_eq!(args.len(), 4);
        assert_eq!((key(&args[0], 0).as_deref(), key(&args[0], 1).as_deref()), (Some("clientId"), Some("state")));
        assert!(matches!(&args[1..], [Value::Absent, Value::Str(x), Value::Str(y)] if x == "x" && y == "y"));
        // Too many for the operation, whichever values they are.
        assert_eq!(call(i, &args, &OsEnv, Spelling::Camel).unwrap_err().code(), "invalid_argument");
        // Exactly the options and the list slot: two arguments.
        let mut flat = pairs();
        flat.push(Value::Absent);
        assert_eq!(arguments_from_flat(i, flat, 1, Spelling::Camel).len(), 2);
        // A key that is neither an index nor a string: that argument is refused, the rest dropped.
        let bad =
            arguments_from_flat(i, vec![n(1.0), Value::Bool(true), s("v"), Value::Absent, s("x")], 1, Spelling::Camel);
        assert!(matches!(&bad[..], [Value::Other(_)]));
        // A count past the values left: the same.
        let short = arguments_from_flat(i, vec![n(3.0), n(0.0), s("ca_1"), s("x")], 1, Spelling::Camel);
        assert!(matches!(&short[..], [Value::Other(_)]));
    }
}

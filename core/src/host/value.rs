//! What a host hands over, and the one set of rules for reading it.
//!
//! A binding turns each host value into a [`Value`] without judging it (a JS string, a
//! `Uint8Array`, `undefined`, a Python `int` beyond 64 bits, a lone surrogate…), and the
//! readers here decide, once for every binding, what each argument may be. A wrong type, an
//! absent required value, a non-integer or out-of-range number is `invalid_argument` naming
//! the argument in the host's spelling; no message contains the value itself.

use std::borrow::Cow;
use std::fmt;

use crate::error::{Error, Result};
use crate::redirect::RedirectAllowList;

/// Largest integer a JavaScript number holds exactly (2^53 − 1).
pub const MAX_SAFE_INTEGER: u64 = 9_007_199_254_740_991;
/// Most elements a host list or object may have; each operation caps its own lists lower.
pub const MAX_LIST_LEN: usize = 1024;

/// How the host spells names: `ttlSecs` (JavaScript) or `ttl_secs` (Python, Rust).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spelling {
    /// camelCase: Node and WASM.
    Camel,
    /// snake_case: Python.
    Snake,
}

/// The name of an argument or a field in both spellings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Name {
    /// snake_case (Python, Rust, the corpus).
    pub snake: &'static str,
    /// camelCase (JavaScript).
    pub camel: &'static str,
}

impl Name {
    /// The name in the host's spelling.
    #[must_use]
    pub const fn spelled(&self, s: Spelling) -> &'static str {
        match s {
            Spelling::Camel => self.camel,
            Spelling::Snake => self.snake,
        }
    }
}

/// A name in both spellings: `name!(ttl_secs, ttlSecs)`, or `name!(flow)` when they agree.
macro_rules! name {
    ($snake:ident, $camel:ident) => {
        $crate::host::Name { snake: stringify!($snake), camel: stringify!($camel) }
    };
    ($both:ident) => {
        $crate::host::Name { snake: stringify!($both), camel: stringify!($both) }
    };
}
pub(crate) use name;

/// Kinds of host values that no argument accepts, named in messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HostType {
    /// A JavaScript BigInt.
    BigInt,
    /// A function.
    Function,
    /// A JavaScript Symbol.
    Symbol,
    /// Any other object (a `URL`, a `Date`, a class instance, a Python object).
    Object,
}

/// One host value, as the binding found it. Borrowed where the host allows it.
#[derive(Clone, Default)]
#[non_exhaustive]
pub enum Value<'a> {
    /// `undefined`, `null`, `None`, or an argument not given.
    #[default]
    Absent,
    /// A boolean.
    Bool(bool),
    /// A JavaScript number or a Python `float`.
    Number(f64),
    /// A Python `int` that fits in 128 signed bits.
    Int(i128),
    /// A Python `int` that does not fit in 128 signed bits.
    IntOutOfRange,
    /// A string that is well-formed Unicode.
    Str(Cow<'a, str>),
    /// A string holding a lone surrogate: it has no UTF-8 form.
    IllFormedStr,
    /// A byte array (`Uint8Array`, `Buffer`, `bytes`, `bytearray`, `memoryview`).
    Bytes(Cow<'a, [u8]>),
    /// An array, list or tuple.
    List(Vec<Value<'a>>),
    /// A plain object or a dict, keys in the host's order.
    Map(Vec<(Cow<'a, str>, Value<'a>)>),
    /// A redirect allow-list built earlier by this library.
    AllowList(&'a RedirectAllowList),
    /// Anything else.
    Other(HostType),
}

impl fmt::Debug for Value<'_> {
    /// Prints the kind only: values may be secrets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind())
    }
}

impl Value<'_> {
    /// What kind of value this is, for messages (never the value itself).
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Absent => "absent",
            Self::Bool(_) => "a boolean",
            Self::Number(_) | Self::Int(_) | Self::IntOutOfRange => "a number",
            Self::Str(_) | Self::IllFormedStr => "a string",
            Self::Bytes(_) => "bytes",
            Self::List(_) => "a list",
            Self::Map(_) => "an object",
            Self::AllowList(_) => "a RedirectAllowList",
            Self::Other(HostType::BigInt) => "a BigInt",
            Self::Other(HostType::Function) => "a function",
            Self::Other(HostType::Symbol) => "a symbol",
            Self::Other(HostType::Object) => "an object of another class",
        }
    }

    /// Whether the value is absent (`undefined`, `null`, `None`).
    #[must_use]
    pub fn is_absent(&self) -> bool {
        matches!(self, Self::Absent)
    }
}

pub(crate) fn bad(name: &Name, s: Spelling, reason: &'static str) -> Error {
    Error::InvalidArgument { what: name.spelled(s), reason }
}

fn ill_formed(name: &Name, s: Spelling) -> Error {
    Error::MalformedInput {
        what: name.spelled(s),
        reason: "the string holds a lone surrogate (it is not valid Unicode): pass well-formed text or the raw bytes",
    }
}

/// Reads values against the rules; carries the host's spelling for messages.
#[derive(Clone, Copy, Debug)]
pub struct Reader {
    /// The host's spelling.
    pub spelling: Spelling,
}

impl Reader {
    /// A required string.
    ///
    /// # Errors
    /// `invalid_argument` (absent or not a string), `malformed_input` (lone surrogate).
    pub fn str<'v>(&self, v: &'v Value<'_>, name: &Name) -> Result<&'v str> {
        self.opt_str(v, name)?.ok_or_else(|| bad(name, self.spelling, "it is required: pass a string"))
    }

    /// An optional string.
    ///
    /// # Errors
    /// As [`Reader::str`], except that absent is `None`.
    pub fn opt_str<'v>(&self, v: &'v Value<'_>, name: &Name) -> Result<Option<&'v str>> {
        match v {
            Value::Absent => Ok(None),
            Value::Str(s) => Ok(Some(s)),
            Value::IllFormedStr => Err(ill_formed(name, self.spelling)),
            _ => Err(bad(name, self.spelling, "it must be a string")),
        }
    }

    /// Bytes only (keys, tags, entropy): a string is refused, never reinterpreted.
    ///
    /// # Errors
    /// `invalid_argument`.
    pub fn bytes<'v>(&self, v: &'v Value<'_>, name: &Name) -> Result<&'v [u8]> {
        self.opt_bytes(v, name)?.ok_or_else(|| bad(name, self.spelling, "it is required: pass a byte array"))
    }

    /// Optional bytes.
    ///
    /// # Errors
    /// `invalid_argument`.
    pub fn opt_bytes<'v>(&self, v: &'v Value<'_>, name: &Name) -> Result<Option<&'v [u8]>> {
        match v {
            Value::Absent => Ok(None),
            Value::Bytes(b) => Ok(Some(b)),
            Value::Str(_) | Value::IllFormedStr => Err(bad(
                name,
                self.spelling,
                "it must be a byte array (Uint8Array, Buffer or bytes), not a string: encode it first",
            )),
            _ => Err(bad(name, self.spelling, "it must be a byte array (Uint8Array, Buffer or bytes)")),
        }
    }

    /// Text or bytes (a payload, a session id); text is taken as its UTF-8 bytes.
    ///
    /// # Errors
    /// `invalid_argument`, `malformed_input`.
    pub fn data<'v>(&self, v: &'v Value<'_>, name: &Name) -> Result<&'v [u8]> {
        self.opt_data(v, name)?.ok_or_else(|| bad(name, self.spelling, "it is required: pass a string or bytes"))
    }

    /// Optional text or bytes.
    ///
    /// # Errors
    /// As [`Reader::data`].
    pub fn opt_data<'v>(&self, v: &'v Value<'_>, name: &Name) -> Result<Option<&'v [u8]>> {
        match v {
            Value::Absent => Ok(None),
            Value::Str(s) => Ok(Some(s.as_bytes())),
            Value::Bytes(b) => Ok(Some(b)),
            Value::IllFormedStr => Err(ill_formed(name, self.spelling)),
            _ => Err(bad(name, self.spelling, "it must be a string or bytes")),
        }
    }

    /// A raw request body: text or bytes, with the message users need when it was parsed.
    ///
    /// # Errors
    /// As [`Reader::data`]; an object or list is the `express.json()` mistake.
    pub fn body<'v>(&self, v: &'v Value<'_>, name: &Name) -> Result<&'v [u8]> {
        match v {
            Value::Map(_) | Value::List(_) => Err(bad(
                name,
                self.spelling,
                "the body was parsed: pass the raw bytes exactly as received (express.raw(), await request.text(), request.get_data())",
            )),
            _ => self.data(v, name),
        }
    }

    /// A signature header: a string, a list of strings (joined with `,`, as HTTP combines
    /// repeated fields), or absent (the network case: `missing_header`, never a type error).
    ///
    /// # Errors
    /// `invalid_argument` for another type, `malformed_input`.
    pub fn header<'v>(&self, v: &'v Value<'_>, name: &Name) -> Result<Cow<'v, str>> {
        match v {
            Value::Absent => Ok(Cow::Borrowed("")),
            Value::Str(s) => Ok(Cow::Borrowed(s)),
            Value::List(items) => {
                let mut joined = String::new();
                for (i, item) in items.iter().enumerate() {
                    let s = self.opt_str(item, name)?.unwrap_or("");
                    if i > 0 {
                        joined.push(',');
                    }
                    joined.push_str(s);
                    if joined.len() > crate::signature::MAX_HEADER_LEN {
                        return Err(Error::HeaderTooLarge { len: joined.len(), max: crate::signature::MAX_HEADER_LEN });
                    }
                }
                Ok(Cow::Owned(joined))
            }
            Value::IllFormedStr => Err(ill_formed(name, self.spelling)),
            _ => Err(bad(name, self.spelling, "it must be the header's string value (or a list of them)")),
        }
    }

    /// An optional boolean.
    ///
    /// # Errors
    /// `invalid_argument` (another type: `"false"` is not false).
    pub fn opt_bool(&self, v: &Value<'_>, name: &Name) -> Result<Option<bool>> {
        match v {
            Value::Absent => Ok(None),
            Value::Bool(b) => Ok(Some(*b)),
            _ => Err(bad(name, self.spelling, "it must be true or false")),
        }
    }

    /// A required boolean.
    ///
    /// # Errors
    /// `invalid_argument` when absent or of another type.
    pub fn bool(&self, v: &Value<'_>, name: &Name) -> Result<bool> {
        self.opt_bool(v, name)?.ok_or_else(|| bad(name, self.spelling, "it is required: pass true or false"))
    }

    /// An optional whole number in `0..=max`: the one rule for integers from every host.
    /// JavaScript numbers must also be at most 2^53 − 1 (beyond that they are not exact).
    ///
    /// # Errors
    /// `invalid_argument` for fractions, NaN, infinities, negatives, values over `max`,
    /// BigInts and other types.
    pub fn opt_uint(&self, v: &Value<'_>, name: &Name, max: u64) -> Result<Option<u64>> {
        const RANGE: &str = "it must be a whole number, 0 or more, within the documented range";
        match v {
            Value::Absent => Ok(None),
            Value::Number(f) => {
                #[allow(clippy::cast_precision_loss)]
                let limit = max.min(MAX_SAFE_INTEGER) as f64;
                if f.is_finite() && f.fract() == 0.0 && *f >= 0.0 && *f <= limit {
                    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                    Ok(Some(*f as u64))
                } else {
                    Err(bad(name, self.spelling, RANGE))
                }
            }
            Value::Int(i) => match u64::try_from(*i) {
                Ok(n) if n <= max => Ok(Some(n)),
                _ => Err(bad(name, self.spelling, RANGE)),
            },
            Value::IntOutOfRange => Err(bad(name, self.spelling, RANGE)),
            _ => Err(bad(name, self.spelling, "it must be a number")),
        }
    }

    /// A required whole number in `0..=max`.
    ///
    /// # Errors
    /// As [`Reader::opt_uint`]; absent is `invalid_argument`.
    pub fn uint(&self, v: &Value<'_>, name: &Name, max: u64) -> Result<u64> {
        self.opt_uint(v, name, max)?.ok_or_else(|| bad(name, self.spelling, "it is required: pass a number"))
    }

    /// A string or a list of strings.
    ///
    /// # Errors
    /// `invalid_argument`, `malformed_input`.
    pub fn strings<'v>(&self, v: &'v Value<'_>, name: &Name) -> Result<Vec<&'v str>> {
        match v {
            Value::Str(_) | Value::IllFormedStr => Ok(vec![self.str(v, name)?]),
            Value::List(items) => self.list(items, name)?.iter().map(|i| self.str(i, name)).collect(),
            Value::Absent => Err(bad(name, self.spelling, "it is required: pass a string or a list of strings")),
            _ => Err(bad(name, self.spelling, "it must be a string or a list of strings")),
        }
    }

    /// An optional list.
    ///
    /// # Errors
    /// `invalid_argument` (another type, over [`MAX_LIST_LEN`] items).
    pub fn opt_list<'v, 'a>(&self, v: &'v Value<'a>, name: &Name) -> Result<Option<&'v [Value<'a>]>> {
        match v {
            Value::Absent => Ok(None),
            Value::List(items) => self.list(items, name).map(Some),
            _ => Err(bad(name, self.spelling, "it must be a list")),
        }
    }

    fn list<'v, 'a>(&self, items: &'v [Value<'a>], name: &Name) -> Result<&'v [Value<'a>]> {
        if items.len() > MAX_LIST_LEN {
            return Err(bad(name, self.spelling, "it has more than 1024 items"));
        }
        Ok(items)
    }

    /// The options object (or Python keyword arguments) of a call: every key must be one
    /// of `known`, so a misspelt option is refused rather than silently ignored.
    ///
    /// # Errors
    /// `invalid_argument`.
    pub fn options<'v, 'a>(&self, v: &'v Value<'a>, name: &Name, known: &[Name]) -> Result<Options<'v, 'a>> {
        match v {
            Value::Absent => Ok(Options { entries: &[], spelling: self.spelling }),
            Value::Map(entries) => {
                for (k, _) in entries {
                    if !known.iter().any(|n| same_key(k, n.spelled(self.spelling))) {
                        return Err(bad(
                            name,
                            self.spelling,
                            "it has an option this function does not take: check the spelling against the documentation",
                        ));
                    }
                }
                Ok(Options { entries, spelling: self.spelling })
            }
            _ => Err(bad(name, self.spelling, "it must be an object of options")),
        }
    }
}

impl Reader {
    /// A result record handed back (`verifyOAuthCallback`'s authorized result as input): a map
    /// whose unknown keys are ignored, since a record has fields the reader does not need.
    ///
    /// # Errors
    /// `invalid_argument` when it is not an object.
    pub fn record<'v, 'a>(&self, v: &'v Value<'a>, name: &Name) -> Result<Options<'v, 'a>> {
        match v {
            Value::Map(entries) => Ok(Options { entries, spelling: self.spelling }),
            _ => Err(bad(name, self.spelling, "it must be the record a callback check returned")),
        }
    }
}

/// A checked options object.
#[derive(Clone, Copy)]
pub struct Options<'v, 'a> {
    entries: &'v [(Cow<'a, str>, Value<'a>)],
    spelling: Spelling,
}

static ABSENT: Value<'static> = Value::Absent;

impl<'v, 'a> Options<'v, 'a> {
    /// The value of option `name` (absent when not given).
    #[must_use]
    pub fn get(&self, name: &Name) -> &'v Value<'a> {
        let key = name.spelled(self.spelling);
        self.entries.iter().find(|(k, _)| same_key(k, key)).map_or(&ABSENT, |(_, v)| v)
    }
}

/// Whether an options object's key is the option name `name`. A key the JavaScript wrapper
/// passed as an option's index is that option's own static name (`arguments_from_flat`), so
/// the same pointer answers without comparing bytes: a Connect link's keys and its ten options
/// took 3% of its call in `memcmp`.
#[inline]
fn same_key(key: &str, name: &str) -> bool {
    key.len() == name.len() && (std::ptr::eq(key.as_ptr(), name.as_ptr()) || key == name)
}

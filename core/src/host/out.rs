//! What a call gives back to a host: values and records whose shape (field names in both
//! spellings, and which fields are credentials) is declared here once for every binding.
//!
//! Each binding turns an [`Out`] into host values in one function, and derives every
//! printed form of a record (`util.inspect`, `toJSON`, `repr`) from [`Field::credential`]:
//! a credential is a real value to use, never one to print.

use super::value::Name;

/// A field of a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    /// The name in both spellings.
    pub name: Name,
    /// A credential (a code, a token, a received state, an `Authorization` header): every
    /// printed form shows `[redacted]` instead of it.
    pub credential: bool,
    /// JSON text that the host parses with its own parser (`JSON.parse`, `json.loads`).
    pub json: bool,
    /// The record kind of this field's value, when it is a record.
    pub nested: Option<&'static Kind>,
    /// The type of its value.
    pub ty: Ty,
    /// The value may be absent (`null`, `None`).
    pub nullable: bool,
    /// When absent, the key itself is left out (an optional HTTP header: a `null` value would
    /// be sent as the text `null`). Only with `nullable`.
    pub optional: bool,
}

/// The type of a field's value, for the typings every binding ships.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    /// The union tag: the kind's [`Kind::tag`] as a literal string.
    Tag,
    /// A string.
    Str,
    /// A whole number.
    Int,
    /// A boolean.
    Bool,
    /// Parsed JSON (any JSON value).
    Json,
    /// A list of strings.
    StrList,
    /// A record of kind [`Field::nested`].
    Record,
    /// A list of records of kind [`Field::nested`].
    RecordList,
}

impl Ty {
    /// The name the schema uses.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Tag => "tag",
            Self::Str => "str",
            Self::Int => "int",
            Self::Bool => "bool",
            Self::Json => "json",
            Self::StrList => "str_list",
            Self::Record => "record",
            Self::RecordList => "record_list",
        }
    }
}

/// A record type: its name and fields, in order.
#[derive(Debug, PartialEq, Eq)]
pub struct Kind {
    /// The type name, as the typings call it (`Installed`, `TokenResponse`, …).
    pub name: &'static str,
    /// The fields, in the order of [`Out::Record`]'s values.
    pub fields: &'static [Field],
    /// For one case of a union (`Installed | Denied`): the value of its `outcome` field.
    pub tag: Option<&'static str>,
}

impl Kind {
    /// Whether any field of this kind is a credential (bindings give such records a
    /// redacting printed form).
    #[must_use]
    pub fn has_credentials(&self) -> bool {
        self.fields.iter().any(|f| f.credential)
    }
}

/// A value for the host.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub enum Out {
    /// Nothing (`undefined`, `None`): a check that passed.
    Unit,
    /// An absent optional field (`null`, `None`).
    Null,
    /// A boolean.
    Bool(bool),
    /// A whole number (Unix seconds, an index).
    Int(u64),
    /// A string.
    Str(String),
    /// Bytes.
    Bytes(Vec<u8>),
    /// JSON text the host parses with its own JSON parser (`JSON.parse`, `json.loads`).
    Json(String),
    /// A list.
    List(Vec<Out>),
    /// A record: one value per field of the kind, in order.
    Record(&'static Kind, Vec<Out>),
}

impl core::fmt::Debug for Out {
    /// Records print with their credentials redacted; other strings print as `"…"`.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Unit => f.write_str("Unit"),
            Self::Null => f.write_str("Null"),
            Self::Bool(b) => write!(f, "{b}"),
            Self::Int(n) => write!(f, "{n}"),
            Self::Str(s) | Self::Json(s) => write!(f, "{s:?}"),
            Self::Bytes(b) => write!(f, "<{} bytes>", b.len()),
            Self::List(items) => f.debug_list().entries(items).finish(),
            Self::Record(kind, values) => {
                let mut d = f.debug_struct(kind.name);
                for (field, v) in kind.fields.iter().zip(values) {
                    if field.credential && *v != Self::Null {
                        d.field(field.name.snake, &"[redacted]");
                    } else {
                        d.field(field.name.snake, v);
                    }
                }
                d.finish()
            }
        }
    }
}

impl Out {
    /// A string.
    pub fn str(s: impl Into<String>) -> Self {
        Self::Str(s.into())
    }

    /// An optional string: `Null` when absent.
    #[must_use]
    pub fn opt_str(s: Option<&str>) -> Self {
        s.map_or(Self::Null, |s| Self::Str(s.to_owned()))
    }

    /// A count or index.
    #[must_use]
    pub fn index(i: usize) -> Self {
        Self::Int(u64::try_from(i).unwrap_or(u64::MAX))
    }
}

/// Most fields a record kind may have: a JavaScript host reads which are present from one
/// 32-bit mask ([`present_fields`]).
pub const MAX_RECORD_FIELDS: usize = 31;

/// A record's values as a JavaScript host receives them: a mask with bit `i` set when field
/// `i` has a value, and those values in field order; a null field crosses as nothing (every
/// value set across N-API or into a JS array costs about as much as a short string, and many
/// records are mostly null). `None` for a kind with more than [`MAX_RECORD_FIELDS`] fields
/// (there is none: a test checks every kind of the schema).
///
/// ```
/// use stripe_handshake::host::{present_fields, Out};
/// let (mask, values) = present_fields(vec![Out::str("a"), Out::Null, Out::Int(3)]);
/// assert_eq!((mask, values), (Some(0b101), vec![Out::str("a"), Out::Int(3)]));
/// ```
#[must_use]
pub fn present_fields(values: Vec<Out>) -> (Option<u32>, Vec<Out>) {
    if values.len() > MAX_RECORD_FIELDS {
        return (None, values);
    }
    let mut mask = 0u32;
    let mut present = Vec::with_capacity(values.len());
    for (i, v) in values.into_iter().enumerate() {
        if v != Out::Null {
            mask |= u32::try_from(i).ok().and_then(|i| 1u32.checked_shl(i)).unwrap_or(0);
            present.push(v);
        }
    }
    (Some(mask), present)
}

/// A record as numbers and one string, for a binding's hot path (the Node addon's bound
/// verifier methods): no array and one string made per call instead of one per field.
///
/// `numbers[0]` is the mask of the fields that have a value (as in [`present_fields`]); then,
/// per such field in order, one number: a boolean as 0 or 1, a whole number as itself (exact
/// up to 2^53), a string or JSON text as its length in UTF-16 code units, the unit in which
/// JavaScript slices the returned string, which is those texts one after another.
///
/// `None` (the binding then uses the general conversion) unless the record is flat: every
/// field a string, JSON text, boolean or whole number as its kind declares (null where it is
/// nullable), none a credential or optional, and room for them all in `numbers` after the
/// mask. (Tested in `host::ops::signature`, on the kinds that cross this way.)
#[must_use]
pub fn flat_record(out: &Out, numbers: &mut [f64]) -> Option<String> {
    let Out::Record(kind, values) = out else { return None };
    let (mask_slot, slots) = numbers.split_first_mut()?;
    if values.len() != kind.fields.len() || values.len() > MAX_RECORD_FIELDS || values.len() > slots.len() {
        return None;
    }
    let texts: usize = values.iter().map(|v| if let Out::Str(s) | Out::Json(s) = v { s.len() } else { 0 }).sum();
    let mut joined = String::with_capacity(texts);
    let (mut mask, mut at) = (0u32, 0usize);
    for ((i, v), field) in values.iter().enumerate().zip(kind.fields) {
        if field.credential || field.optional {
            return None;
        }
        #[allow(clippy::cast_precision_loss)] // exact up to 2^53, as the general conversion
        let n = match (v, field.ty) {
            (Out::Null, _) if field.nullable => continue,
            (Out::Bool(b), Ty::Bool) => f64::from(u8::from(*b)),
            (Out::Int(n), Ty::Int) => *n as f64,
            (Out::Str(s), Ty::Str) | (Out::Json(s), Ty::Json) => {
                joined.push_str(s);
                let units = if s.is_ascii() { s.len() } else { s.encode_utf16().count() };
                units as f64
            }
            _ => return None,
        };
        mask |= 1u32.checked_shl(u32::try_from(i).ok()?)?;
        *slots.get_mut(at)? = n;
        at = at.saturating_add(1);
    }
    *mask_slot = f64::from(mask);
    Some(joined)
}

/// A record handed back by a host that keeps records as objects of its own (Python's
/// `RecordBase`), as the map a JavaScript host would pass: field names in `spelling`, scalars
/// as values, optional fields without a value left out.
#[must_use]
pub fn record_value(kind: &Kind, values: &[Out], spelling: super::Spelling) -> super::Value<'static> {
    use super::Value;
    use std::borrow::Cow;
    let entries = kind
        .fields
        .iter()
        .zip(values)
        .filter(|(f, v)| !(f.optional && **v == Out::Null))
        .map(|(f, v)| {
            let v = match v {
                Out::Null | Out::Unit => Value::Absent,
                Out::Bool(b) => Value::Bool(*b),
                Out::Int(n) => Value::Int(i128::from(*n)),
                Out::Str(s) => Value::Str(Cow::Owned(s.clone())),
                _ => Value::Other(super::HostType::Object),
            };
            (Cow::Borrowed(f.name.spelled(spelling)), v)
        })
        .collect();
    Value::Map(entries)
}

/// `field!(account_id, accountId)`, `field!(code, code, credential)`.
macro_rules! field {
    ($snake:ident, $camel:ident: $ty:ident $(, $flag:ident)*) => {
        $crate::host::Field {
            $($flag: true,)*
            ..$crate::host::Field {
                name: $crate::host::value::name!($snake, $camel),
                credential: false,
                json: false,
                nested: None,
                ty: $crate::host::out::Ty::$ty,
                nullable: false,
                optional: false,
            }
        }
    };
    ($both:ident: $ty:ident $(, $flag:ident)*) => {
        field!($both, $both: $ty $(, $flag)*)
    };
}
pub(crate) use field;

/// A field whose name is not an identifier (HTTP header names).
pub(crate) const fn literal_field(name: &'static str, credential: bool) -> Field {
    Field {
        name: Name { snake: name, camel: name },
        credential,
        json: false,
        nested: None,
        ty: Ty::Str,
        nullable: false,
        optional: false,
    }
}

/// An optional HTTP header: left out of the record when the request has none.
pub(crate) const fn optional_header(name: &'static str) -> Field {
    Field { nullable: true, optional: true, ..literal_field(name, false) }
}

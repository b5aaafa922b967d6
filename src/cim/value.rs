//! CIM values and their conversions to and from Rust types.

use std::fmt;

use super::{CimClass, CimDateTime, CimType, Instance, ObjectPath};

/// A CIM value that is not NULL. NULL is `None` wherever a value may be absent
/// (`Option<CimValue>` on properties, parameters and array elements).
///
/// String-typed properties that carry an embedded object (`EmbeddedObject="instance"` or
/// `"object"`) hold [`CimValue::Instance`] or [`CimValue::Class`]; their CIM type stays
/// `string`.
#[derive(Debug, Clone, PartialEq)]
pub enum CimValue {
    /// `boolean`
    Boolean(bool),
    /// `string`
    String(String),
    /// `char16` (a UCS-2 character; always in the Basic Multilingual Plane)
    Char16(char),
    /// `uint8`
    Uint8(u8),
    /// `sint8`
    Sint8(i8),
    /// `uint16`
    Uint16(u16),
    /// `sint16`
    Sint16(i16),
    /// `uint32`
    Uint32(u32),
    /// `sint32`
    Sint32(i32),
    /// `uint64`
    Uint64(u64),
    /// `sint64`
    Sint64(i64),
    /// `real32` (INF, -INF and NaN included)
    Real32(f32),
    /// `real64` (INF, -INF and NaN included)
    Real64(f64),
    /// `datetime`
    DateTime(CimDateTime),
    /// `reference`
    Reference(Box<ObjectPath>),
    /// An embedded instance (a `string` property/parameter with `EmbeddedObject`).
    Instance(Box<Instance>),
    /// An embedded class (`EmbeddedObject="object"` holding a CLASS).
    Class(Box<CimClass>),
    /// An array; elements may be NULL. Boxed to keep `CimValue` at 32 bytes.
    Array(Box<CimArray>),
}

/// A CIM array value: its element type and elements (each possibly NULL).
#[derive(Debug, Clone, PartialEq)]
pub struct CimArray {
    /// The elements; `None` is a NULL element (`VALUE.NULL`).
    pub items: Vec<Option<CimValue>>,
    /// The element type (`string` for embedded objects).
    pub elem_type: CimType,
}

impl From<CimArray> for CimValue {
    fn from(a: CimArray) -> Self {
        CimValue::Array(Box::new(a))
    }
}

impl CimArray {
    /// An array of `elem_type` with the given elements.
    pub fn new(elem_type: CimType, items: Vec<Option<CimValue>>) -> Self {
        CimArray { items, elem_type }
    }
}

/// A value did not fit what was asked of it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ValueError {
    /// The value has another type.
    #[error("type mismatch: expected {expected}, found {found}")]
    TypeMismatch {
        /// What was asked for.
        expected: &'static str,
        /// What the value is.
        found: String,
    },
    /// The value does not fit the target integer type.
    #[error("value {value} is out of range for {target}")]
    OutOfRange {
        /// The value, as text.
        value: String,
        /// The target type.
        target: &'static str,
    },
    /// The value is NULL and the target cannot hold NULL.
    #[error("value is NULL")]
    Null,
    /// No property or parameter with that name.
    #[error("no property or parameter named {0}")]
    NoSuchName(String),
    /// Text is not a valid literal of its CIM type.
    #[error("'{text}' is not a valid {cim_type} value")]
    BadLiteral {
        /// The declared type.
        cim_type: CimType,
        /// The offending text (at most 80 characters).
        text: String,
    },
    /// A datetime literal is malformed.
    #[error("bad datetime '{text}': {why}")]
    BadDateTime {
        /// The offending text.
        text: String,
        /// Why.
        why: String,
    },
    /// An unknown CIM type name.
    #[error("unknown CIM type '{0}'")]
    UnknownType(String),
    /// A malformed object path or WBEM URI.
    #[error("bad object path '{text}': {why}")]
    BadPath {
        /// The offending text (at most 200 characters).
        text: String,
        /// Why.
        why: String,
    },
}

impl CimValue {
    /// The CIM type of this value (the element type for arrays; `string` for embedded objects).
    pub fn cim_type(&self) -> CimType {
        match self {
            CimValue::Boolean(_) => CimType::Boolean,
            CimValue::String(_) | CimValue::Instance(_) | CimValue::Class(_) => CimType::String,
            CimValue::Char16(_) => CimType::Char16,
            CimValue::Uint8(_) => CimType::Uint8,
            CimValue::Sint8(_) => CimType::Sint8,
            CimValue::Uint16(_) => CimType::Uint16,
            CimValue::Sint16(_) => CimType::Sint16,
            CimValue::Uint32(_) => CimType::Uint32,
            CimValue::Sint32(_) => CimType::Sint32,
            CimValue::Uint64(_) => CimType::Uint64,
            CimValue::Sint64(_) => CimType::Sint64,
            CimValue::Real32(_) => CimType::Real32,
            CimValue::Real64(_) => CimType::Real64,
            CimValue::DateTime(_) => CimType::DateTime,
            CimValue::Reference(_) => CimType::Reference,
            CimValue::Array(a) => a.elem_type,
        }
    }

    /// True for arrays.
    pub fn is_array(&self) -> bool {
        matches!(self, CimValue::Array(_))
    }

    /// A short description of the value's kind, for error messages.
    pub fn kind_name(&self) -> String {
        match self {
            CimValue::Array(a) => format!("{}[]", a.elem_type),
            CimValue::Instance(_) => "embedded instance".into(),
            CimValue::Class(_) => "embedded class".into(),
            v => v.cim_type().as_str().into(),
        }
    }

    /// The string, if this is a string value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            CimValue::String(s) => Some(s),
            _ => None,
        }
    }

    /// The integer value widened to i128, if this is an integer.
    pub fn as_i128(&self) -> Option<i128> {
        Some(match *self {
            CimValue::Uint8(v) => v.into(),
            CimValue::Sint8(v) => v.into(),
            CimValue::Uint16(v) => v.into(),
            CimValue::Sint16(v) => v.into(),
            CimValue::Uint32(v) => v.into(),
            CimValue::Sint32(v) => v.into(),
            CimValue::Uint64(v) => v.into(),
            CimValue::Sint64(v) => v.into(),
            _ => return None,
        })
    }

    /// The array, if this is one.
    pub fn as_array(&self) -> Option<&CimArray> {
        match self {
            CimValue::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The reference, if this is one.
    pub fn as_reference(&self) -> Option<&ObjectPath> {
        match self {
            CimValue::Reference(p) => Some(p),
            _ => None,
        }
    }

    /// The embedded instance, if this is one.
    pub fn as_instance(&self) -> Option<&Instance> {
        match self {
            CimValue::Instance(i) => Some(i),
            _ => None,
        }
    }

    /// Parses a scalar literal of type `ty` as CIM-XML carries it in `VALUE`.
    ///
    /// Tolerant the way real providers need (as pywbem 1.9's CIM-XML parser is):
    /// surrounding whitespace around numbers and booleans, `0x` hexadecimal integers,
    /// case-insensitive `true`/`false`, `INF`/`-INF`/`NaN` reals. Strict otherwise: out-of-range
    /// integers, trailing junk and bad datetimes are refused. `reference` cannot be parsed
    /// from text here (see [`ObjectPath::parse`]).
    pub fn parse_scalar(ty: CimType, text: &str) -> Result<CimValue, ValueError> {
        let bad = || ValueError::BadLiteral {
            cim_type: ty,
            text: text.chars().take(80).collect(),
        };
        Ok(match ty {
            CimType::String => CimValue::String(text.to_string()),
            CimType::Boolean => {
                let t = text.trim();
                if t.eq_ignore_ascii_case("true") {
                    CimValue::Boolean(true)
                } else if t.eq_ignore_ascii_case("false") {
                    CimValue::Boolean(false)
                } else {
                    return Err(bad());
                }
            }
            CimType::Char16 => {
                let mut it = text.chars();
                match (it.next(), it.next()) {
                    (Some(c), None) if (c as u32) <= 0xFFFF => CimValue::Char16(c),
                    _ => return Err(bad()),
                }
            }
            CimType::Uint8 => CimValue::Uint8(
                parse_int(text)
                    .and_then(|v| v.try_into().ok())
                    .ok_or_else(bad)?,
            ),
            CimType::Sint8 => CimValue::Sint8(
                parse_int(text)
                    .and_then(|v| v.try_into().ok())
                    .ok_or_else(bad)?,
            ),
            CimType::Uint16 => CimValue::Uint16(
                parse_int(text)
                    .and_then(|v| v.try_into().ok())
                    .ok_or_else(bad)?,
            ),
            CimType::Sint16 => CimValue::Sint16(
                parse_int(text)
                    .and_then(|v| v.try_into().ok())
                    .ok_or_else(bad)?,
            ),
            CimType::Uint32 => CimValue::Uint32(
                parse_int(text)
                    .and_then(|v| v.try_into().ok())
                    .ok_or_else(bad)?,
            ),
            CimType::Sint32 => CimValue::Sint32(
                parse_int(text)
                    .and_then(|v| v.try_into().ok())
                    .ok_or_else(bad)?,
            ),
            CimType::Uint64 => CimValue::Uint64(
                parse_int(text)
                    .and_then(|v| v.try_into().ok())
                    .ok_or_else(bad)?,
            ),
            CimType::Sint64 => CimValue::Sint64(
                parse_int(text)
                    .and_then(|v| v.try_into().ok())
                    .ok_or_else(bad)?,
            ),
            CimType::Real32 => {
                // A finite literal beyond the real32 range (e.g. 1e300) is refused rather
                // than turned into INF: INF, -INF and NaN are only taken when spelled so.
                let v = parse_real(text).ok_or_else(bad)?;
                let single = v as f32;
                if v.is_finite() && !single.is_finite() {
                    return Err(ValueError::OutOfRange {
                        value: text.trim().chars().take(80).collect(),
                        target: "real32",
                    });
                }
                CimValue::Real32(single)
            }
            CimType::Real64 => CimValue::Real64(parse_real(text).ok_or_else(bad)?),
            CimType::DateTime => CimValue::DateTime(CimDateTime::parse(text)?),
            CimType::Reference => return Err(bad()),
        })
    }

    /// Formats a scalar as CIM-XML `VALUE` text (booleans `TRUE`/`FALSE`, reals with
    /// `INF`/`-INF`/`NaN`). Returns `None` for references, embedded objects and arrays, which
    /// have their own XML forms.
    pub fn format_scalar(&self) -> Option<String> {
        Some(match self {
            CimValue::Boolean(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            CimValue::String(s) => s.clone(),
            CimValue::Char16(c) => c.to_string(),
            CimValue::Uint8(v) => v.to_string(),
            CimValue::Sint8(v) => v.to_string(),
            CimValue::Uint16(v) => v.to_string(),
            CimValue::Sint16(v) => v.to_string(),
            CimValue::Uint32(v) => v.to_string(),
            CimValue::Sint32(v) => v.to_string(),
            CimValue::Uint64(v) => v.to_string(),
            CimValue::Sint64(v) => v.to_string(),
            CimValue::Real32(v) => format_real(f64::from(*v), true),
            CimValue::Real64(v) => format_real(*v, false),
            CimValue::DateTime(d) => d.to_string(),
            _ => return None,
        })
    }
}

/// Parses an integer literal: optional whitespace, optional sign, decimal or `0x` hex.
pub(crate) fn parse_int(text: &str) -> Option<i128> {
    let t = text.trim();
    let (neg, digits) = match t.as_bytes().first()? {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    let v = if let Some(h) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        if h.is_empty() || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        i128::from_str_radix(h, 16).ok()?
    } else {
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse::<i128>().ok()?
    };
    Some(if neg { -v } else { v })
}

/// Parses a real literal, accepting `INF`, `-INF`, `+INF` and `NaN` (case-insensitive).
pub(crate) fn parse_real(text: &str) -> Option<f64> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("inf") || t.eq_ignore_ascii_case("+inf") {
        return Some(f64::INFINITY);
    }
    if t.eq_ignore_ascii_case("-inf") {
        return Some(f64::NEG_INFINITY);
    }
    if t.eq_ignore_ascii_case("nan") {
        return Some(f64::NAN);
    }
    // Rust's float parser accepts "inf"/"infinity"/"nan" spellings we handled above; refuse
    // anything that is not a plain decimal/exponent literal.
    if !t
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
        || t.is_empty()
    {
        return None;
    }
    t.parse::<f64>().ok()
}

fn format_real(v: f64, single: bool) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "INF".into() } else { "-INF".into() }
    } else if single {
        // Shortest representation that round-trips through f32.
        format!("{:?}", v as f32)
    } else {
        format!("{v:?}")
    }
}

impl fmt::Display for CimValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CimValue::Reference(p) => write!(f, "{p}"),
            CimValue::Instance(i) => write!(f, "instance of {}", i.class_name),
            CimValue::Class(c) => write!(f, "class {}", c.name),
            CimValue::Array(a) => {
                f.write_str("{")?;
                for (i, v) in a.items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    match v {
                        Some(v) => write!(f, "{v}")?,
                        None => f.write_str("NULL")?,
                    }
                }
                f.write_str("}")
            }
            CimValue::String(s) => f.write_str(s),
            v => f.write_str(&v.format_scalar().unwrap_or_default()),
        }
    }
}

// ----- Conversions: Rust -> CIM -----

/// Rust types that convert into a CIM value (the `ToSql` of this crate).
pub trait ToCimValue {
    /// The CIM type this Rust type maps to (element type for arrays).
    fn cim_type() -> CimType
    where
        Self: Sized;
    /// The value, or `None` for NULL.
    fn to_cim(&self) -> Option<CimValue>;
}

/// Rust types that can be read out of a CIM value (the `FromSql` of this crate).
pub trait FromCimValue: Sized {
    /// Converts a non-NULL value.
    fn from_cim(value: &CimValue) -> Result<Self, ValueError>;
    /// Converts NULL; an error unless the type can hold NULL (`Option<T>`).
    fn from_null() -> Result<Self, ValueError> {
        Err(ValueError::Null)
    }
    /// Converts an optional value.
    fn from_cim_opt(value: Option<&CimValue>) -> Result<Self, ValueError> {
        match value {
            Some(v) => Self::from_cim(v),
            None => Self::from_null(),
        }
    }
}

fn mismatch(expected: &'static str, v: &CimValue) -> ValueError {
    ValueError::TypeMismatch {
        expected,
        found: v.kind_name(),
    }
}

macro_rules! int_conv {
    ($t:ty, $variant:ident, $name:literal) => {
        impl From<$t> for CimValue {
            fn from(v: $t) -> Self {
                CimValue::$variant(v)
            }
        }
        impl ToCimValue for $t {
            fn cim_type() -> CimType {
                CimType::$variant
            }
            fn to_cim(&self) -> Option<CimValue> {
                Some(CimValue::$variant(*self))
            }
        }
        /// Integers convert between integer types when the value fits.
        impl TryFrom<&CimValue> for $t {
            type Error = ValueError;
            fn try_from(v: &CimValue) -> Result<Self, ValueError> {
                let i = v.as_i128().ok_or_else(|| mismatch($name, v))?;
                <$t>::try_from(i).map_err(|_| ValueError::OutOfRange {
                    value: i.to_string(),
                    target: $name,
                })
            }
        }
        impl FromCimValue for $t {
            fn from_cim(v: &CimValue) -> Result<Self, ValueError> {
                <$t>::try_from(v)
            }
        }
    };
}
int_conv!(u8, Uint8, "uint8");
int_conv!(i8, Sint8, "sint8");
int_conv!(u16, Uint16, "uint16");
int_conv!(i16, Sint16, "sint16");
int_conv!(u32, Uint32, "uint32");
int_conv!(i32, Sint32, "sint32");
int_conv!(u64, Uint64, "uint64");
int_conv!(i64, Sint64, "sint64");

impl From<f32> for CimValue {
    fn from(v: f32) -> Self {
        CimValue::Real32(v)
    }
}
impl From<f64> for CimValue {
    fn from(v: f64) -> Self {
        CimValue::Real64(v)
    }
}
impl ToCimValue for f32 {
    fn cim_type() -> CimType {
        CimType::Real32
    }
    fn to_cim(&self) -> Option<CimValue> {
        Some(CimValue::Real32(*self))
    }
}
impl ToCimValue for f64 {
    fn cim_type() -> CimType {
        CimType::Real64
    }
    fn to_cim(&self) -> Option<CimValue> {
        Some(CimValue::Real64(*self))
    }
}
impl TryFrom<&CimValue> for f64 {
    type Error = ValueError;
    fn try_from(v: &CimValue) -> Result<Self, ValueError> {
        match *v {
            CimValue::Real64(r) => Ok(r),
            CimValue::Real32(r) => Ok(f64::from(r)),
            _ => Err(mismatch("real64", v)),
        }
    }
}
impl TryFrom<&CimValue> for f32 {
    type Error = ValueError;
    fn try_from(v: &CimValue) -> Result<Self, ValueError> {
        match *v {
            CimValue::Real32(r) => Ok(r),
            _ => Err(mismatch("real32", v)),
        }
    }
}
impl FromCimValue for f64 {
    fn from_cim(v: &CimValue) -> Result<Self, ValueError> {
        f64::try_from(v)
    }
}
impl FromCimValue for f32 {
    fn from_cim(v: &CimValue) -> Result<Self, ValueError> {
        f32::try_from(v)
    }
}

impl From<bool> for CimValue {
    fn from(v: bool) -> Self {
        CimValue::Boolean(v)
    }
}
impl ToCimValue for bool {
    fn cim_type() -> CimType {
        CimType::Boolean
    }
    fn to_cim(&self) -> Option<CimValue> {
        Some(CimValue::Boolean(*self))
    }
}
impl TryFrom<&CimValue> for bool {
    type Error = ValueError;
    fn try_from(v: &CimValue) -> Result<Self, ValueError> {
        match *v {
            CimValue::Boolean(b) => Ok(b),
            _ => Err(mismatch("boolean", v)),
        }
    }
}
impl FromCimValue for bool {
    fn from_cim(v: &CimValue) -> Result<Self, ValueError> {
        bool::try_from(v)
    }
}

impl From<char> for CimValue {
    fn from(v: char) -> Self {
        CimValue::Char16(v)
    }
}
impl ToCimValue for char {
    fn cim_type() -> CimType {
        CimType::Char16
    }
    fn to_cim(&self) -> Option<CimValue> {
        Some(CimValue::Char16(*self))
    }
}
impl FromCimValue for char {
    fn from_cim(v: &CimValue) -> Result<Self, ValueError> {
        match *v {
            CimValue::Char16(c) => Ok(c),
            _ => Err(mismatch("char16", v)),
        }
    }
}

impl From<String> for CimValue {
    fn from(v: String) -> Self {
        CimValue::String(v)
    }
}
impl From<&str> for CimValue {
    fn from(v: &str) -> Self {
        CimValue::String(v.to_string())
    }
}
impl ToCimValue for String {
    fn cim_type() -> CimType {
        CimType::String
    }
    fn to_cim(&self) -> Option<CimValue> {
        Some(CimValue::String(self.clone()))
    }
}
impl ToCimValue for &str {
    fn cim_type() -> CimType {
        CimType::String
    }
    fn to_cim(&self) -> Option<CimValue> {
        Some(CimValue::String((*self).to_string()))
    }
}
impl TryFrom<&CimValue> for String {
    type Error = ValueError;
    fn try_from(v: &CimValue) -> Result<Self, ValueError> {
        match v {
            CimValue::String(s) => Ok(s.clone()),
            _ => Err(mismatch("string", v)),
        }
    }
}
impl FromCimValue for String {
    fn from_cim(v: &CimValue) -> Result<Self, ValueError> {
        String::try_from(v)
    }
}

impl From<CimDateTime> for CimValue {
    fn from(v: CimDateTime) -> Self {
        CimValue::DateTime(v)
    }
}
impl ToCimValue for CimDateTime {
    fn cim_type() -> CimType {
        CimType::DateTime
    }
    fn to_cim(&self) -> Option<CimValue> {
        Some(CimValue::DateTime(*self))
    }
}
impl FromCimValue for CimDateTime {
    fn from_cim(v: &CimValue) -> Result<Self, ValueError> {
        match v {
            CimValue::DateTime(d) => Ok(*d),
            _ => Err(mismatch("datetime", v)),
        }
    }
}

impl From<ObjectPath> for CimValue {
    fn from(v: ObjectPath) -> Self {
        CimValue::Reference(Box::new(v))
    }
}
impl ToCimValue for ObjectPath {
    fn cim_type() -> CimType {
        CimType::Reference
    }
    fn to_cim(&self) -> Option<CimValue> {
        Some(CimValue::Reference(Box::new(self.clone())))
    }
}
impl FromCimValue for ObjectPath {
    fn from_cim(v: &CimValue) -> Result<Self, ValueError> {
        match v {
            CimValue::Reference(p) => Ok((**p).clone()),
            _ => Err(mismatch("reference", v)),
        }
    }
}

impl From<Instance> for CimValue {
    fn from(v: Instance) -> Self {
        CimValue::Instance(Box::new(v))
    }
}
impl ToCimValue for Instance {
    fn cim_type() -> CimType {
        CimType::String
    }
    fn to_cim(&self) -> Option<CimValue> {
        Some(CimValue::Instance(Box::new(self.clone())))
    }
}
impl FromCimValue for Instance {
    fn from_cim(v: &CimValue) -> Result<Self, ValueError> {
        match v {
            CimValue::Instance(i) => Ok((**i).clone()),
            _ => Err(mismatch("embedded instance", v)),
        }
    }
}

impl FromCimValue for CimValue {
    fn from_cim(v: &CimValue) -> Result<Self, ValueError> {
        Ok(v.clone())
    }
}

impl<T: FromCimValue> FromCimValue for Option<T> {
    fn from_cim(v: &CimValue) -> Result<Self, ValueError> {
        T::from_cim(v).map(Some)
    }
    fn from_null() -> Result<Self, ValueError> {
        Ok(None)
    }
}

impl<T: ToCimValue> ToCimValue for Option<T> {
    fn cim_type() -> CimType {
        T::cim_type()
    }
    fn to_cim(&self) -> Option<CimValue> {
        self.as_ref().and_then(T::to_cim)
    }
}

/// Arrays: every element must convert; a NULL element converts only into `Vec<Option<T>>`.
impl<T: FromCimValue> FromCimValue for Vec<T> {
    fn from_cim(v: &CimValue) -> Result<Self, ValueError> {
        match v {
            CimValue::Array(a) => a
                .items
                .iter()
                .map(|i| T::from_cim_opt(i.as_ref()))
                .collect(),
            _ => Err(ValueError::TypeMismatch {
                expected: "array",
                found: v.kind_name(),
            }),
        }
    }
}

impl<T: ToCimValue> ToCimValue for Vec<T> {
    fn cim_type() -> CimType {
        T::cim_type()
    }
    fn to_cim(&self) -> Option<CimValue> {
        Some(CimValue::Array(Box::new(CimArray::new(
            T::cim_type(),
            self.iter().map(T::to_cim).collect(),
        ))))
    }
}

impl<T: ToCimValue> ToCimValue for &[T] {
    fn cim_type() -> CimType {
        T::cim_type()
    }
    fn to_cim(&self) -> Option<CimValue> {
        Some(CimValue::Array(Box::new(CimArray::new(
            T::cim_type(),
            self.iter().map(T::to_cim).collect(),
        ))))
    }
}

impl<T: ToCimValue> From<Vec<T>> for CimValue {
    fn from(v: Vec<T>) -> Self {
        CimValue::Array(Box::new(CimArray::new(
            T::cim_type(),
            v.iter().map(T::to_cim).collect(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_is_small() {
        assert!(
            std::mem::size_of::<CimValue>() <= 32,
            "{}",
            std::mem::size_of::<CimValue>()
        );
        assert!(std::mem::size_of::<Option<CimValue>>() <= 32);
    }

    #[test]
    fn integer_conversions() {
        let v = CimValue::Uint16(300);
        assert_eq!(u64::try_from(&v).unwrap(), 300);
        assert_eq!(u16::from_cim(&v).unwrap(), 300);
        assert!(matches!(
            u8::try_from(&v),
            Err(ValueError::OutOfRange { .. })
        ));
        assert!(matches!(
            String::try_from(&v),
            Err(ValueError::TypeMismatch {
                expected: "string",
                ..
            })
        ));
        let arr: CimValue = vec![2u16, 17].into();
        assert_eq!(Vec::<u16>::from_cim(&arr).unwrap(), vec![2, 17]);
        assert_eq!(Option::<u32>::from_null().unwrap(), None);
        assert_eq!(u32::from_null(), Err(ValueError::Null));
    }

    #[test]
    fn literals() {
        assert_eq!(
            CimValue::parse_scalar(CimType::Uint32, " 0x1F ").unwrap(),
            CimValue::Uint32(31)
        );
        assert_eq!(
            CimValue::parse_scalar(CimType::Sint8, "-128").unwrap(),
            CimValue::Sint8(-128)
        );
        assert!(CimValue::parse_scalar(CimType::Uint8, "256").is_err());
        assert!(CimValue::parse_scalar(CimType::Uint8, "-1").is_err());
        assert!(CimValue::parse_scalar(CimType::Uint32, "12abc").is_err());
        assert_eq!(
            CimValue::parse_scalar(CimType::Boolean, "True").unwrap(),
            CimValue::Boolean(true)
        );
        assert!(CimValue::parse_scalar(CimType::Boolean, "yes").is_err());
        assert!(
            matches!(CimValue::parse_scalar(CimType::Real64, "-INF").unwrap(), CimValue::Real64(v) if v == f64::NEG_INFINITY)
        );
        assert!(
            matches!(CimValue::parse_scalar(CimType::Real32, "NaN").unwrap(), CimValue::Real32(v) if v.is_nan())
        );
        assert!(CimValue::parse_scalar(CimType::Real64, "infinity").is_err());
        assert!(CimValue::parse_scalar(CimType::Char16, "ab").is_err());
        assert!(CimValue::parse_scalar(CimType::Char16, "😀").is_err());
        assert_eq!(CimValue::Real64(1.5).format_scalar().unwrap(), "1.5");
        assert_eq!(
            CimValue::Real32(f32::INFINITY).format_scalar().unwrap(),
            "INF"
        );
        assert_eq!(CimValue::Boolean(false).format_scalar().unwrap(), "FALSE");
    }
}

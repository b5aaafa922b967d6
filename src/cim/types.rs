//! The CIM data types (DSP0004 §5.2).

use std::fmt;
use std::str::FromStr;

/// A CIM data type, as named in CIM-XML `TYPE`/`PARAMTYPE` attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CimType {
    /// `boolean`
    Boolean,
    /// `string`
    String,
    /// `char16`
    Char16,
    /// `uint8`
    Uint8,
    /// `sint8`
    Sint8,
    /// `uint16`
    Uint16,
    /// `sint16`
    Sint16,
    /// `uint32`
    Uint32,
    /// `sint32`
    Sint32,
    /// `uint64`
    Uint64,
    /// `sint64`
    Sint64,
    /// `real32`
    Real32,
    /// `real64`
    Real64,
    /// `datetime`
    DateTime,
    /// `reference` (an object path)
    Reference,
}

impl CimType {
    /// All types, in DSP0004 order.
    pub const ALL: [CimType; 15] = [
        CimType::Boolean,
        CimType::String,
        CimType::Char16,
        CimType::Uint8,
        CimType::Sint8,
        CimType::Uint16,
        CimType::Sint16,
        CimType::Uint32,
        CimType::Sint32,
        CimType::Uint64,
        CimType::Sint64,
        CimType::Real32,
        CimType::Real64,
        CimType::DateTime,
        CimType::Reference,
    ];

    /// The CIM-XML name (`uint16`, `datetime`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            CimType::Boolean => "boolean",
            CimType::String => "string",
            CimType::Char16 => "char16",
            CimType::Uint8 => "uint8",
            CimType::Sint8 => "sint8",
            CimType::Uint16 => "uint16",
            CimType::Sint16 => "sint16",
            CimType::Uint32 => "uint32",
            CimType::Sint32 => "sint32",
            CimType::Uint64 => "uint64",
            CimType::Sint64 => "sint64",
            CimType::Real32 => "real32",
            CimType::Real64 => "real64",
            CimType::DateTime => "datetime",
            CimType::Reference => "reference",
        }
    }

    /// Parses a CIM-XML type name (case-insensitive, as some providers vary the case).
    pub fn parse(s: &str) -> Option<CimType> {
        CimType::ALL
            .iter()
            .copied()
            .find(|t| t.as_str().eq_ignore_ascii_case(s))
    }

    /// True for the integer types.
    pub fn is_integer(self) -> bool {
        matches!(
            self,
            CimType::Uint8
                | CimType::Sint8
                | CimType::Uint16
                | CimType::Sint16
                | CimType::Uint32
                | CimType::Sint32
                | CimType::Uint64
                | CimType::Sint64
        )
    }

    /// True for integer and real types (`VALUETYPE="numeric"` in a KEYVALUE).
    pub fn is_numeric(self) -> bool {
        self.is_integer() || matches!(self, CimType::Real32 | CimType::Real64)
    }
}

impl fmt::Display for CimType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CimType {
    type Err = crate::cim::ValueError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CimType::parse(s).ok_or_else(|| crate::cim::ValueError::UnknownType(s.to_string()))
    }
}

/// How a string-typed property or parameter carries an embedded object
/// (`EmbeddedObject="instance"|"object"`, or OpenPegasus' `EMBEDDEDOBJECT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EmbeddedKind {
    /// `EmbeddedObject="instance"`: the value is an INSTANCE.
    Instance,
    /// `EmbeddedObject="object"`: the value is an INSTANCE or a CLASS.
    Object,
}

impl EmbeddedKind {
    /// The attribute value (`instance` / `object`).
    pub fn as_str(self) -> &'static str {
        match self {
            EmbeddedKind::Instance => "instance",
            EmbeddedKind::Object => "object",
        }
    }
    /// Parses the attribute value (case-insensitive).
    pub fn parse(s: &str) -> Option<Self> {
        if s.eq_ignore_ascii_case("instance") {
            Some(EmbeddedKind::Instance)
        } else if s.eq_ignore_ascii_case("object") {
            Some(EmbeddedKind::Object)
        } else {
            None
        }
    }
}

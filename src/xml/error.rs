//! Decode errors that say where.

use std::fmt;

/// What kind of decoding failure happened.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// Not well-formed XML (the reference client's `XMLParseError`).
    Syntax,
    /// A character XML forbids (control characters, `&#1;`, surrogates, U+FFFE/FFFF).
    InvalidChar,
    /// Bytes that are not valid in the declared encoding (UTF-8 unless declared otherwise).
    InvalidEncoding,
    /// A `<!DOCTYPE>` or an entity other than the predefined five: refused.
    Forbidden,
    /// Deeper nesting than [`super::DecodeLimits::max_depth`].
    TooDeep,
    /// Larger input than [`super::DecodeLimits::max_bytes`].
    TooLarge,
    /// Well-formed XML that breaks the CIM-XML DTD or its rules: an unexpected or missing
    /// element or attribute (the reference client's `CIMXMLParseError`).
    Structure,
    /// A value that does not fit its declared type.
    BadValue,
    /// `CIMVERSION` not 2.x, `DTDVERSION` not 2.x or `PROTOCOLVERSION` not 1.x.
    Version,
}

impl DecodeErrorKind {
    /// True for failures of XML itself (as opposed to CIM-XML rules on well-formed XML).
    pub fn is_xml_level(&self) -> bool {
        matches!(
            self,
            DecodeErrorKind::Syntax
                | DecodeErrorKind::InvalidChar
                | DecodeErrorKind::InvalidEncoding
                | DecodeErrorKind::Forbidden
                | DecodeErrorKind::TooDeep
                | DecodeErrorKind::TooLarge
        )
    }
}

/// A decoding failure with its position: 1-based line and column in the input and the
/// element path, e.g.
/// `MESSAGE/SIMPLERSP/IMETHODRESPONSE/IRETURNVALUE/VALUE.NAMEDINSTANCE[17]/INSTANCE/PROPERTY[Name=Size]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// The kind.
    pub kind: DecodeErrorKind,
    /// What went wrong, in words.
    pub message: String,
    /// 1-based line (0 when unknown).
    pub line: u32,
    /// 1-based column in characters (0 when unknown).
    pub column: u32,
    /// Element path from the root (CIM omitted), with 1-based sibling indexes where an
    /// element repeats and `[Name=...]` for named elements.
    pub path: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at line {}, column {}",
            self.message, self.line, self.column
        )?;
        if !self.path.is_empty() {
            write!(f, " ({})", self.path)?;
        }
        Ok(())
    }
}

impl std::error::Error for DecodeError {}

/// The data cannot be represented in CIM-XML: a string with a character XML forbids
/// (e.g. U+0000), an invalid CIM name, a value whose type contradicts its declaration, or
/// a request that lacks what the operation needs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot encode: {message} (at {path})")]
pub struct EncodeError {
    /// What is wrong.
    pub message: String,
    /// Where in the object, e.g. `INSTANCE/PROPERTY[Name=Caption]`.
    pub path: String,
}

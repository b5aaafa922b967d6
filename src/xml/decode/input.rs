//! Input checks before parsing: size, encoding (UTF-8, or ISO-8859-1 when declared),
//! characters XML 1.0 allows, and error positions as line and column.

use std::borrow::Cow;

use crate::xml::{DecodeError, DecodeErrorKind, DecodeLimits};

fn err_at(input: &[u8], offset: usize, kind: DecodeErrorKind, message: String) -> DecodeError {
    let (line, column) = line_col(input, offset);
    DecodeError {
        kind,
        message,
        line,
        column,
        path: String::new(),
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub(super) fn line_col(input: &[u8], offset: usize) -> (u32, u32) {
    let offset = offset.min(input.len());
    let before = &input[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map(|p| p + 1)
        .unwrap_or(0);
    let column = before[line_start..]
        .iter()
        .filter(|&&b| (b & 0xC0) != 0x80)
        .count()
        + 1;
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(column).unwrap_or(u32::MAX),
    )
}

/// Checks size, encoding and characters; returns UTF-8 bytes without a BOM.
pub(super) fn prepare<'i>(
    input: &'i [u8],
    limits: &DecodeLimits,
) -> Result<Cow<'i, str>, DecodeError> {
    if input.len() > limits.max_bytes {
        return Err(DecodeError {
            kind: DecodeErrorKind::TooLarge,
            message: format!(
                "input of {} bytes exceeds the limit of {} bytes",
                input.len(),
                limits.max_bytes
            ),
            line: 0,
            column: 0,
            path: String::new(),
        });
    }
    let mut bytes = input;
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes = &bytes[3..];
    } else if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(err_at(
            bytes,
            0,
            DecodeErrorKind::InvalidEncoding,
            "UTF-16 input is not supported".into(),
        ));
    }
    let mut latin1 = None;
    if let Some(enc) = declared_encoding(bytes) {
        let e = enc.to_ascii_lowercase();
        match e.as_str() {
            "utf-8" | "utf8" | "us-ascii" | "ascii" => {}
            "iso-8859-1" | "iso8859-1" | "iso_8859-1" | "latin-1" | "latin1" | "l1"
            | "iso-ir-100" | "cp819" | "ibm819" => {
                latin1 = Some(bytes.iter().map(|&b| char::from(b)).collect::<String>());
            }
            _ => {
                return Err(err_at(
                    bytes,
                    0,
                    DecodeErrorKind::InvalidEncoding,
                    format!("unsupported encoding '{enc}'"),
                ));
            }
        }
    }
    let out: Cow<'i, str> = match latin1 {
        Some(s) => Cow::Owned(s),
        None => match std::str::from_utf8(bytes) {
            Ok(s) => Cow::Borrowed(s),
            Err(e) => {
                let at = e.valid_up_to();
                let kind = if bytes.get(at) == Some(&0xED)
                    && bytes.get(at + 1).is_some_and(|b| (0xA0..=0xBF).contains(b))
                {
                    "a surrogate code point (invalid UTF-8)"
                } else {
                    "invalid UTF-8"
                };
                return Err(err_at(
                    bytes,
                    at,
                    DecodeErrorKind::InvalidEncoding,
                    format!("{kind} at byte {at}"),
                ));
            }
        },
    };
    check_chars(out.as_bytes())?;
    Ok(out)
}

/// Refuses raw C0 controls other than tab/LF/CR and U+FFFE/U+FFFF.
fn check_chars(b: &[u8]) -> Result<(), DecodeError> {
    #[inline]
    fn suspicious(b: u8) -> bool {
        (b < 0x20 && b != b'\t' && b != b'\n' && b != b'\r') | (b == 0xEF)
    }
    let mut base = 0;
    for chunk in b.chunks(64) {
        if chunk.iter().fold(false, |acc, &x| acc | suspicious(x)) {
            for (i, &x) in chunk.iter().enumerate() {
                let at = base + i;
                if x < 0x20 && x != b'\t' && x != b'\n' && x != b'\r' {
                    return Err(err_at(
                        b,
                        at,
                        DecodeErrorKind::InvalidChar,
                        format!("control character U+{x:04X} is not allowed in XML"),
                    ));
                }
                if x == 0xEF && b.get(at + 1) == Some(&0xBF) {
                    if let Some(&c) = b.get(at + 2) {
                        if c == 0xBE || c == 0xBF {
                            return Err(err_at(
                                b,
                                at,
                                DecodeErrorKind::InvalidChar,
                                format!(
                                    "character U+FF{:02X} is not allowed in XML",
                                    if c == 0xBE { 0xFE } else { 0xFF }
                                ),
                            ));
                        }
                    }
                }
            }
        }
        base += chunk.len();
    }
    Ok(())
}

/// The `encoding` of a leading XML declaration, if any.
fn declared_encoding(b: &[u8]) -> Option<String> {
    if !b.starts_with(b"<?xml") {
        return None;
    }
    let end = b.windows(2).take(512).position(|w| w == b"?>")?;
    let decl = std::str::from_utf8(&b[..end]).ok().or_else(|| {
        // A latin-1 declaration itself is ASCII; fall back to the ASCII prefix.
        let n = b[..end].iter().position(|&c| c >= 0x80)?;
        std::str::from_utf8(&b[..n]).ok()
    })?;
    let i = decl.find("encoding")?;
    let rest = decl[i + 8..].trim_start().strip_prefix('=')?.trim_start();
    let q = rest.chars().next()?;
    if q != '"' && q != '\'' {
        return None;
    }
    let rest = &rest[1..];
    let j = rest.find(q)?;
    Some(rest[..j].to_string())
}

/// True for a character XML 1.0 allows.
pub(super) fn is_xml_char(c: char) -> bool {
    matches!(c as u32, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
}

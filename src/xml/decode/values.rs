//! Types, scalar values, arrays and embedded objects (DSP0201 §3.2.3: VALUE, VALUE.ARRAY,
//! VALUE.REFARRAY).

use std::borrow::Cow;

use super::core::{E, Parser, R};
use crate::cim::{CimArray, CimType, CimValue, EmbeddedKind};
use crate::message::CimObject;
use crate::xml::DecodeErrorKind;

/// An interval whose hour/minute/second fields exceed their usual range (as some servers
/// send, and the reference client accepts), e.g. `00001234567890.123456:000`; the value is
/// normalised to the same duration.
fn lenient_interval(t: &str) -> Option<CimValue> {
    let b = t.as_bytes();
    if b.len() != 25 || b[14] != b'.' || &b[21..] != b":000" {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let s = t.get(r)?;
        if s.bytes().all(|c| c.is_ascii_digit()) {
            s.parse().ok()
        } else {
            None
        }
    };
    let secs = u64::from(num(0..8)?) * 86_400
        + u64::from(num(8..10)?) * 3600
        + u64::from(num(10..12)?) * 60
        + u64::from(num(12..14)?);
    let d = std::time::Duration::from_secs(secs)
        + std::time::Duration::from_micros(u64::from(num(15..21)?));
    let v = crate::cim::CimDateTime::from_duration(d);
    (v.to_duration() == Some(d)).then_some(CimValue::DateTime(v))
}

/// The common case of an unsigned integer value: plain decimal digits (no sign, space or
/// hex prefix) that fit the type. Anything else goes through the general parser.
fn fast_uint(ty: CimType, b: &[u8]) -> Option<CimValue> {
    if b.is_empty() || b.len() > 19 {
        return None;
    }
    let mut v: u64 = 0;
    for &c in b {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v * 10 + u64::from(d);
    }
    Some(match ty {
        CimType::Uint8 => CimValue::Uint8(u8::try_from(v).ok()?),
        CimType::Uint16 => CimValue::Uint16(u16::try_from(v).ok()?),
        CimType::Uint32 => CimValue::Uint32(u32::try_from(v).ok()?),
        CimType::Uint64 => CimValue::Uint64(v),
        _ => return None,
    })
}

impl<'a> Parser<'a> {
    pub(super) fn missing(&self, attr: &str, elem: &str) -> E {
        self.structure(format!("missing attribute {attr} on {elem}"))
    }

    pub(super) fn parse_type(&self, s: &str) -> R<CimType> {
        let t = match s {
            "string" => CimType::String,
            "boolean" => CimType::Boolean,
            "uint16" => CimType::Uint16,
            "uint32" => CimType::Uint32,
            "uint64" => CimType::Uint64,
            "uint8" => CimType::Uint8,
            "datetime" => CimType::DateTime,
            _ => CimType::parse(s.trim())
                .ok_or_else(|| self.structure(format!("unknown CIM type '{s}'")))?,
        };
        Ok(t)
    }

    pub(super) fn parse_bool_attr(&self, name: &str, s: &str) -> R<bool> {
        if s.eq_ignore_ascii_case("true") {
            Ok(true)
        } else if s.eq_ignore_ascii_case("false") {
            Ok(false)
        } else {
            Err(self.structure(format!("attribute {name} must be true or false, not '{s}'")))
        }
    }

    pub(super) fn parse_embedded_attr(&self, s: &str) -> R<Option<EmbeddedKind>> {
        match EmbeddedKind::parse(s.trim()) {
            Some(k) => Ok(Some(k)),
            None => Err(self.structure(format!(
                "EmbeddedObject must be 'instance' or 'object', not '{s}'"
            ))),
        }
    }

    pub(super) fn parse_u32_attr(&self, name: &str, s: &str) -> R<u32> {
        s.trim()
            .parse()
            .map_err(|_| self.structure(format!("attribute {name} must be a number, not '{s}'")))
    }

    /// A scalar from VALUE text (`None` for an empty boolean or numeric-free NULL forms).
    pub(super) fn scalar(&self, ty: CimType, text: Cow<'a, str>) -> R<Option<CimValue>> {
        match ty {
            CimType::String => Ok(Some(CimValue::String(text.into_owned()))),
            CimType::Reference => Err(self.structure("VALUE given for a reference type")),
            CimType::Boolean if text.trim().is_empty() => Ok(None),
            CimType::DateTime => match CimValue::parse_scalar(ty, text.trim()) {
                Ok(v) => Ok(Some(v)),
                Err(e) => lenient_interval(text.trim())
                    .map(Some)
                    .ok_or_else(|| self.err(DecodeErrorKind::BadValue, e.to_string())),
            },
            _ => {
                if let Some(v) = fast_uint(ty, text.as_bytes()) {
                    return Ok(Some(v));
                }
                CimValue::parse_scalar(ty, &text)
                    .map(Some)
                    .map_err(|e| self.err(DecodeErrorKind::BadValue, e.to_string()))
            }
        }
    }

    /// A VALUE's text decoded as an embedded object of `kind` (empty text is NULL).
    pub(super) fn embedded(&self, kind: EmbeddedKind, text: Cow<'a, str>) -> R<Option<CimValue>> {
        if text.trim().is_empty() {
            return Ok(None);
        }
        let remaining = self.max_depth.saturating_sub(self.depth());
        if remaining == 0 {
            return Err(self.err(
                DecodeErrorKind::TooDeep,
                "no depth left for an embedded object",
            ));
        }
        match super::decode_embedded(&text, remaining, self.path()) {
            Ok(CimObject::Instance(i)) => Ok(Some(CimValue::Instance(Box::new(i)))),
            Ok(CimObject::Class(c)) => {
                if kind == EmbeddedKind::Instance {
                    Err(self.structure("embedded instance holds a CLASS"))
                } else {
                    Ok(Some(CimValue::Class(Box::new(c))))
                }
            }
            Err(e) => {
                let mut outer = self.err(
                    e.kind.clone(),
                    format!(
                        "in embedded object (its line {}, column {}): {}",
                        e.line, e.column, e.message
                    ),
                );
                outer.path = e.path;
                Err(outer)
            }
        }
    }

    /// A value of a VALUE element just opened: typed, or embedded when `embedded` is set.
    pub(super) fn value_elem(
        &mut self,
        ty: CimType,
        embedded: Option<EmbeddedKind>,
    ) -> R<Option<CimValue>> {
        let text = self.text()?;
        match embedded {
            Some(k) if ty == CimType::String => self.embedded(k, text),
            _ => self.scalar(ty, text),
        }
    }

    /// VALUE.ARRAY (just opened): VALUE and VALUE.NULL elements.
    pub(super) fn value_array(
        &mut self,
        ty: CimType,
        embedded: Option<EmbeddedKind>,
    ) -> R<CimArray> {
        let start = self.scratch_items.len();
        while let Some(c) = self.child()? {
            match c.name().as_ref() {
                b"VALUE" => {
                    let v = self.value_elem(ty, embedded)?;
                    self.scratch_items.push(v);
                }
                b"VALUE.NULL" => {
                    self.end()?;
                    self.scratch_items.push(None);
                }
                _ => return Err(self.unexpected(&c)),
            }
        }
        let items: Vec<Option<CimValue>> = self.scratch_items.drain(start..).collect();
        Ok(CimArray::new(ty, items))
    }

    /// VALUE.REFARRAY (just opened).
    pub(super) fn ref_array(&mut self) -> R<CimArray> {
        let mut items = Vec::new();
        while let Some(c) = self.child()? {
            match c.name().as_ref() {
                b"VALUE.REFERENCE" => items.push(Some(CimValue::Reference(Box::new(
                    self.value_reference(false)?,
                )))),
                b"VALUE.NULL" => {
                    self.end()?;
                    items.push(None);
                }
                _ => return Err(self.unexpected(&c)),
            }
        }
        Ok(CimArray::new(CimType::Reference, items))
    }
}

//! Values people can read: translation through a class's `ValueMap` and `Values`
//! qualifiers (DMTF DSP0004 §5.6.3, the standard qualifiers `ValueMap` and `Values`), like pywbem's
//! `ValueMapping`.
//!
//! A `ValueMap` entry is an integer (`"2"`, `"0x8000"`), a closed range (`"4097..32767"`),
//! a half-open range (`"..15"`, `"0x8000.."`, up to the type's bounds) or `".."`: every
//! value no other entry claims (typically "DMTF Reserved"). `Values` holds the names in the
//! same order. Without `ValueMap`, `Values[i]` names the value `i`.
//!
//! ```
//! use smis::cim::{CimClass, CimType, Property, Qualifier, ValueMapping};
//! let mut class = CimClass::new("CIM_ConcreteJob");
//! let mut p = Property::null("JobState", CimType::Uint16, false);
//! p.extra_mut().qualifiers = vec![
//!     Qualifier::new("ValueMap", vec!["2", "4", "7", "13..32767", "32768..65535"]),
//!     Qualifier::new("Values", vec!["New", "Running", "Completed", "DMTF Reserved", "Vendor Reserved"]),
//! ];
//! class.properties.push(p);
//! let m = ValueMapping::for_property(&class, "JobState").unwrap();
//! assert_eq!(m.name_of(7), Some("Completed"));
//! assert_eq!(m.name_of(40000), Some("Vendor Reserved"));
//! assert_eq!(m.name_of(3), None);
//! assert_eq!(m.value_of("completed").map(|r| r.single()), Some(Some(7)));
//! ```

use super::{CimClass, CimType, CimValue, Qualifier};

/// Why a mapping could not be built from an element's qualifiers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValueMapError {
    /// The class has no such property, method or parameter.
    #[error("{0} is not declared in the class")]
    NoSuchElement(String),
    /// The element carries neither `ValueMap` nor `Values`.
    #[error("{0} has no ValueMap or Values qualifier")]
    NotMapped(String),
    /// The element's type is not an integer type.
    #[error("{element} is of type {cim_type}, not an integer type: its ValueMap cannot translate")]
    NotAnInteger {
        /// The element.
        element: String,
        /// Its type.
        cim_type: CimType,
    },
    /// `ValueMap` without `Values` (the names are unknown).
    #[error("{0} has a ValueMap qualifier but no Values qualifier")]
    MissingValues(String),
    /// `ValueMap` and `Values` differ in length.
    #[error("{element} has {value_map} ValueMap entries but {values} Values")]
    LengthMismatch {
        /// The element.
        element: String,
        /// Number of ValueMap entries.
        value_map: usize,
        /// Number of Values entries.
        values: usize,
    },
    /// A `ValueMap` entry is not an integer, a range or `..`, or lies outside the type.
    #[error("{element}: ValueMap entry {entry:?} is not an integer or range of {cim_type}")]
    BadEntry {
        /// The element.
        element: String,
        /// The entry as written.
        entry: String,
        /// The element's type.
        cim_type: CimType,
    },
    /// A qualifier is not a string array.
    #[error("{element}: the {qualifier} qualifier is not an array of strings")]
    NotStrings {
        /// The element.
        element: String,
        /// `ValueMap` or `Values`.
        qualifier: &'static str,
    },
}

/// The values a name stands for: one value or an inclusive range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValueRange {
    /// Lowest value.
    pub lo: i128,
    /// Highest value (equal to `lo` for a single value).
    pub hi: i128,
}

impl ValueRange {
    /// The value when the range holds exactly one.
    pub fn single(&self) -> Option<i128> {
        (self.lo == self.hi).then_some(self.lo)
    }

    /// True when `v` lies in the range.
    pub fn contains(&self, v: i128) -> bool {
        self.lo <= v && v <= self.hi
    }
}

/// The translation table of one integer-typed property, method return value or parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueMapping {
    element: String,
    cim_type: CimType,
    entries: Vec<(ValueRange, String)>,
    /// The name of `..`: every value of the type no entry claims.
    unclaimed: Option<String>,
}

fn bounds(t: CimType) -> Option<(i128, i128)> {
    Some(match t {
        CimType::Uint8 => (0, u8::MAX.into()),
        CimType::Sint8 => (i8::MIN.into(), i8::MAX.into()),
        CimType::Uint16 => (0, u16::MAX.into()),
        CimType::Sint16 => (i16::MIN.into(), i16::MAX.into()),
        CimType::Uint32 => (0, u32::MAX.into()),
        CimType::Sint32 => (i32::MIN.into(), i32::MAX.into()),
        CimType::Uint64 => (0, u64::MAX.into()),
        CimType::Sint64 => (i64::MIN.into(), i64::MAX.into()),
        _ => return None,
    })
}

/// An integer as MOF writes it: decimal, `0x` hexadecimal or `0b` binary, optionally signed.
fn parse_int(s: &str) -> Option<i128> {
    let s = s.trim();
    let (neg, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let v = if let Some(h) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        i128::from_str_radix(h, 16).ok()?
    } else if let Some(b) = digits
        .strip_prefix("0b")
        .or_else(|| digits.strip_prefix("0B"))
    {
        i128::from_str_radix(b, 2).ok()?
    } else if !digits.is_empty() && digits.bytes().all(|c| c.is_ascii_digit()) {
        digits.parse().ok()?
    } else {
        return None;
    };
    Some(if neg { -v } else { v })
}

fn strings(
    q: Option<&Qualifier>,
    element: &str,
    qualifier: &'static str,
) -> Result<Option<Vec<String>>, ValueMapError> {
    let Some(q) = q else { return Ok(None) };
    let bad = || ValueMapError::NotStrings {
        element: element.to_string(),
        qualifier,
    };
    match &q.value {
        None => Ok(None),
        Some(CimValue::Array(a)) => a
            .items
            .iter()
            .map(|v| match v {
                Some(CimValue::String(s)) => Ok(s.clone()),
                None => Ok(String::new()),
                Some(_) => Err(bad()),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(CimValue::String(s)) => Ok(Some(vec![s.clone()])),
        Some(_) => Err(bad()),
    }
}

impl ValueMapping {
    /// Builds the mapping of an element of type `cim_type` from its qualifiers; `element`
    /// names it in errors (e.g. `CIM_ConcreteJob.JobState`).
    pub fn from_qualifiers(
        element: &str,
        cim_type: CimType,
        qualifiers: &[Qualifier],
    ) -> Result<ValueMapping, ValueMapError> {
        let find = |n: &str| qualifiers.iter().find(|q| q.name == n);
        let value_map = strings(find("ValueMap"), element, "ValueMap")?;
        let values = strings(find("Values"), element, "Values")?;
        if value_map.is_none() && values.is_none() {
            return Err(ValueMapError::NotMapped(element.to_string()));
        }
        let (min, max) = bounds(cim_type).ok_or_else(|| ValueMapError::NotAnInteger {
            element: element.to_string(),
            cim_type,
        })?;
        let Some(values) = values else {
            return Err(ValueMapError::MissingValues(element.to_string()));
        };
        let mut out = ValueMapping {
            element: element.to_string(),
            cim_type,
            entries: Vec::new(),
            unclaimed: None,
        };
        let Some(value_map) = value_map else {
            // Values alone: Values[i] names i.
            for (i, name) in values.into_iter().enumerate() {
                let i = i as i128;
                if i > max {
                    break;
                }
                out.entries.push((ValueRange { lo: i, hi: i }, name));
            }
            return Ok(out);
        };
        if value_map.len() != values.len() {
            return Err(ValueMapError::LengthMismatch {
                element: element.to_string(),
                value_map: value_map.len(),
                values: values.len(),
            });
        }
        for (entry, name) in value_map.iter().zip(values) {
            let bad = || ValueMapError::BadEntry {
                element: element.to_string(),
                entry: entry.clone(),
                cim_type,
            };
            let e = entry.trim();
            let range = if e == ".." {
                // The MOF of some classes lists `..` twice; the first name wins.
                out.unclaimed.get_or_insert(name);
                continue;
            } else if let Some((lo, hi)) = e.split_once("..") {
                let lo = if lo.trim().is_empty() {
                    min
                } else {
                    parse_int(lo).ok_or_else(bad)?
                };
                let hi = if hi.trim().is_empty() {
                    max
                } else {
                    parse_int(hi).ok_or_else(bad)?
                };
                ValueRange { lo, hi }
            } else {
                let v = parse_int(e).ok_or_else(bad)?;
                ValueRange { lo: v, hi: v }
            };
            if range.lo > range.hi || range.lo < min || range.hi > max {
                return Err(bad());
            }
            out.entries.push((range, name));
        }
        Ok(out)
    }

    /// The mapping of property `property` of `class`.
    pub fn for_property(class: &CimClass, property: &str) -> Result<ValueMapping, ValueMapError> {
        let element = format!("{}.{property}", class.name);
        let p = class
            .property(property)
            .ok_or_else(|| ValueMapError::NoSuchElement(element.clone()))?;
        ValueMapping::from_qualifiers(&element, p.cim_type, p.qualifiers())
    }

    /// The mapping of the return value of method `method` of `class`.
    pub fn for_method(class: &CimClass, method: &str) -> Result<ValueMapping, ValueMapError> {
        let element = format!("{}.{method}()", class.name);
        let m = class
            .method(method)
            .ok_or_else(|| ValueMapError::NoSuchElement(element.clone()))?;
        ValueMapping::from_qualifiers(
            &element,
            m.return_type.unwrap_or(CimType::Uint32),
            &m.qualifiers,
        )
    }

    /// The mapping of parameter `parameter` of method `method` of `class`.
    pub fn for_parameter(
        class: &CimClass,
        method: &str,
        parameter: &str,
    ) -> Result<ValueMapping, ValueMapError> {
        let element = format!("{}.{method}({parameter})", class.name);
        let p = class
            .method(method)
            .and_then(|m| m.parameter(parameter))
            .ok_or_else(|| ValueMapError::NoSuchElement(element.clone()))?;
        ValueMapping::from_qualifiers(&element, p.cim_type, &p.qualifiers)
    }

    /// The element this mapping belongs to, e.g. `CIM_ConcreteJob.JobState`.
    pub fn element(&self) -> &str {
        &self.element
    }

    /// The element's integer type.
    pub fn cim_type(&self) -> CimType {
        self.cim_type
    }

    /// The entries in qualifier order (without `..`).
    pub fn entries(&self) -> impl Iterator<Item = (ValueRange, &str)> {
        self.entries.iter().map(|(r, n)| (*r, n.as_str()))
    }

    /// The name of `value`: the first entry (single value or range) that holds it, else
    /// the name of `..` when the qualifier has one, else `None`.
    pub fn name_of(&self, value: i128) -> Option<&str> {
        let (min, max) = bounds(self.cim_type)?;
        if value < min || value > max {
            return None;
        }
        self.entries
            .iter()
            .find(|(r, _)| r.single() == Some(value))
            .or_else(|| self.entries.iter().find(|(r, _)| r.contains(value)))
            .map(|(_, n)| n.as_str())
            .or(self.unclaimed.as_deref())
    }

    /// The name of an integer `value` (`None` for NULL, non-integers and unmapped values).
    pub fn name_of_value(&self, value: &CimValue) -> Option<&str> {
        self.name_of(value.as_i128()?)
    }

    /// The value or range that `name` stands for (compared case-insensitively, first match;
    /// `..`'s name is not translated back since it stands for no single set).
    pub fn value_of(&self, name: &str) -> Option<ValueRange> {
        self.entries
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(name.trim()))
            .map(|(r, _)| *r)
    }

    /// `value` typed as this element's CIM type, when `name` stands for one value.
    pub fn cim_value_of(&self, name: &str) -> Option<CimValue> {
        let v = self.value_of(name)?.single()?;
        Some(match self.cim_type {
            CimType::Uint8 => CimValue::Uint8(v.try_into().ok()?),
            CimType::Sint8 => CimValue::Sint8(v.try_into().ok()?),
            CimType::Uint16 => CimValue::Uint16(v.try_into().ok()?),
            CimType::Sint16 => CimValue::Sint16(v.try_into().ok()?),
            CimType::Uint32 => CimValue::Uint32(v.try_into().ok()?),
            CimType::Sint32 => CimValue::Sint32(v.try_into().ok()?),
            CimType::Uint64 => CimValue::Uint64(v.try_into().ok()?),
            CimType::Sint64 => CimValue::Sint64(v.try_into().ok()?),
            _ => return None,
        })
    }
}

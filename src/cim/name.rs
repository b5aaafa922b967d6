//! CIM names: compared case-insensitively, stored in their original case.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// A CIM name (class, property, method, parameter, qualifier or key name).
///
/// Names compare and hash case-insensitively (DSP0004 §7.1: names are case-insensitive) and
/// keep the case they were created with. The text is shared (`Arc<str>`), so cloning a name
/// is cheap; the decoder hands out the same allocation for a name repeated in a response.
///
/// ```
/// use smis::cim::CimName;
/// let a = CimName::new("OperationalStatus");
/// assert_eq!(a, CimName::new("operationalstatus"));
/// assert_eq!(a.as_str(), "OperationalStatus");
/// assert!(a == "OPERATIONALSTATUS");
/// ```
#[derive(Clone)]
pub struct CimName(Arc<str>);

impl CimName {
    /// Creates a name from text.
    pub fn new(name: impl AsRef<str>) -> Self {
        CimName(Arc::from(name.as_ref()))
    }

    /// The name in its original case.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when `other` is the same name ignoring ASCII case.
    pub fn eq_ignore_case(&self, other: &str) -> bool {
        self.0.eq_ignore_ascii_case(other)
    }

    /// True when the text is a valid CIM identifier (DSP0004 ANNEX A: a letter or `_`,
    /// then letters, digits or `_`; non-ASCII letters are allowed).
    pub fn is_valid(name: &str) -> bool {
        let mut chars = name.chars();
        match chars.next() {
            Some(c) if c == '_' || c.is_alphabetic() => {}
            _ => return false,
        }
        chars.all(|c| c == '_' || c.is_alphanumeric())
    }
}

impl Default for CimName {
    fn default() -> Self {
        CimName::new("")
    }
}

impl From<&str> for CimName {
    fn from(s: &str) -> Self {
        CimName::new(s)
    }
}
impl From<String> for CimName {
    fn from(s: String) -> Self {
        CimName(Arc::from(s))
    }
}
impl From<&String> for CimName {
    fn from(s: &String) -> Self {
        CimName::new(s)
    }
}
impl From<&CimName> for CimName {
    fn from(s: &CimName) -> Self {
        s.clone()
    }
}

impl AsRef<str> for CimName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl PartialEq for CimName {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0.eq_ignore_ascii_case(&other.0)
    }
}
impl Eq for CimName {}

impl PartialEq<str> for CimName {
    fn eq(&self, other: &str) -> bool {
        self.0.eq_ignore_ascii_case(other)
    }
}
impl PartialEq<&str> for CimName {
    fn eq(&self, other: &&str) -> bool {
        self.0.eq_ignore_ascii_case(other)
    }
}

impl Hash for CimName {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for b in self.0.bytes() {
            state.write_u8(b.to_ascii_lowercase());
        }
        state.write_u8(0xff);
    }
}

impl PartialOrd for CimName {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for CimName {
    fn cmp(&self, other: &Self) -> Ordering {
        let a = self.0.bytes().map(|b| b.to_ascii_lowercase());
        let b = other.0.bytes().map(|b| b.to_ascii_lowercase());
        a.cmp(b)
    }
}

impl fmt::Display for CimName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl fmt::Debug for CimName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl serde::Serialize for CimName {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn case_insensitive_eq_hash_ord() {
        let a = CimName::new("CIM_StorageVolume");
        let b = CimName::new("cim_storagevolume");
        assert_eq!(a, b);
        let mut set = HashSet::new();
        set.insert(a.clone());
        assert!(set.contains(&b));
        assert_eq!(a.cmp(&b), Ordering::Equal);
        assert!(CimName::new("a") < CimName::new("B"));
        assert_eq!(b.as_str(), "cim_storagevolume");
    }

    #[test]
    fn validity() {
        assert!(CimName::is_valid("CIM_X1"));
        assert!(CimName::is_valid("_x"));
        assert!(!CimName::is_valid("1x"));
        assert!(!CimName::is_valid(""));
        assert!(!CimName::is_valid("a b"));
    }
}

//! A per-client class cache, for ValueMap translation and other class look-ups.
//!
//! Classes are fetched once per namespace with GetClass (`LocalOnly` false,
//! `IncludeQualifiers` true; DSP0200 GetClass), so inherited properties arrive with their
//! `ValueMap`/`Values` qualifiers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::{Client, GetClassOptions};
use crate::cim::{CimClass, CimValue, ValueMapping};
use crate::error::Result;

/// Classes by (lower-case namespace, lower-case class name).
#[derive(Default)]
pub(crate) struct ClassCache {
    map: Mutex<HashMap<(String, String), Arc<CimClass>>>,
}

impl ClassCache {
    fn get(&self, key: &(String, String)) -> Option<Arc<CimClass>> {
        self.map.lock().ok()?.get(key).cloned()
    }

    fn put(&self, key: (String, String), class: Arc<CimClass>) {
        if let Ok(mut m) = self.map.lock() {
            m.insert(key, class);
        }
    }

    fn clear(&self) {
        if let Ok(mut m) = self.map.lock() {
            m.clear();
        }
    }
}

impl Client {
    /// The class `class` of `namespace` (None = the default namespace) with inherited
    /// properties and all qualifiers, fetched once per client and then served from the
    /// client's cache (clones of a client share it).
    pub async fn cached_class(
        &self,
        namespace: Option<&str>,
        class: &str,
    ) -> Result<Arc<CimClass>> {
        let ns = self.ns(namespace).to_string();
        let key = (ns.to_ascii_lowercase(), class.to_ascii_lowercase());
        if let Some(c) = self.inner.classes.get(&key) {
            return Ok(c);
        }
        let opts = GetClassOptions::new()
            .namespace(ns)
            .local_only(false)
            .include_qualifiers(true)
            .include_class_origin(false);
        let c = Arc::new(self.get_class(class, &opts).await?);
        self.inner.classes.put(key, c.clone());
        Ok(c)
    }

    /// Forgets every cached class (after a provider upgrade, say).
    pub fn clear_class_cache(&self) {
        self.inner.classes.clear();
    }

    /// The name the class's `ValueMap`/`Values` qualifiers give `value` of property
    /// `property` (e.g. `Some("OK")` for `OperationalStatus` 2); `None` when the property
    /// is not mapped, the value is not an integer or no entry names it. Fails only when the
    /// class cannot be fetched.
    pub async fn value_name(
        &self,
        namespace: Option<&str>,
        class: &str,
        property: &str,
        value: &CimValue,
    ) -> Result<Option<String>> {
        let c = self.cached_class(namespace, class).await?;
        Ok(ValueMapping::for_property(&c, property)
            .ok()
            .and_then(|m| m.name_of_value(value).map(str::to_string)))
    }
}

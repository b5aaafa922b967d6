//! Association operations (DSP0200 §5.3.2): Associators, AssociatorNames, References,
//! ReferenceNames, on an instance or a class path.

use super::{AssociatorsOptions, Client, ReferencesOptions};
use crate::cim::{Instance, ObjectPath};
use crate::error::Result;
use crate::message::CimObject;

impl Client {
    /// Associators: the objects associated with `path` (instances, or classes for a class path).
    pub async fn associators(
        &self,
        path: &ObjectPath,
        opts: &AssociatorsOptions,
    ) -> Result<Vec<CimObject>> {
        let ns = self.target_ns(Some(path), opts.namespace.as_deref());
        self.run(Some(&ns), opts.associators(path)).await
    }

    /// Associators returning only instances (the common case for instance paths).
    pub async fn associator_instances(
        &self,
        path: &ObjectPath,
        opts: &AssociatorsOptions,
    ) -> Result<Vec<Instance>> {
        Ok(self
            .associators(path, opts)
            .await?
            .into_iter()
            .filter_map(CimObject::into_instance)
            .collect())
    }

    /// AssociatorNames.
    pub async fn associator_names(
        &self,
        path: &ObjectPath,
        opts: &AssociatorsOptions,
    ) -> Result<Vec<ObjectPath>> {
        let ns = self.target_ns(Some(path), opts.namespace.as_deref());
        self.run(Some(&ns), opts.names(path)).await
    }

    /// References: the association objects that refer to `path`.
    pub async fn references(
        &self,
        path: &ObjectPath,
        opts: &ReferencesOptions,
    ) -> Result<Vec<CimObject>> {
        let ns = self.target_ns(Some(path), opts.namespace.as_deref());
        self.run(Some(&ns), opts.references(path)).await
    }

    /// ReferenceNames.
    pub async fn reference_names(
        &self,
        path: &ObjectPath,
        opts: &ReferencesOptions,
    ) -> Result<Vec<ObjectPath>> {
        let ns = self.target_ns(Some(path), opts.namespace.as_deref());
        self.run(Some(&ns), opts.names(path)).await
    }
}

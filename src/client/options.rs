//! The options of the client's operations: `#[non_exhaustive]` structs built with
//! chainable setters, so that new DSP0200 parameters can be added without breaking users.
//!
//! ```
//! use smis::client::{EnumerateInstancesOptions, OpenOptions};
//! let opts = EnumerateInstancesOptions::new()
//!     .namespace("root/emc")
//!     .property_list(["ElementName", "BlockSize"]);
//! let open = OpenOptions::new().max_object_count(500);
//! # assert_eq!(opts.property_list.as_ref().map(Vec::len), Some(2));
//! # assert_eq!(open.max_object_count, Some(500));
//! ```
//!
//! Every option struct has a `namespace`. Where an operation runs, the same rule for all:
//! the namespace of the object path it is given, else the option's `namespace`, else the
//! client's default namespace.

use crate::cim::{CimName, ObjectPath};
use crate::message::{PullOptions, op};

/// An option struct: every field optional (`None`: not sent, the server's default), one
/// chainable setter per field.
macro_rules! options {
    ($(#[$m:meta])* $name:ident { $( $(#[$fm:meta])* $field:ident : $kind:ident ),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Default, PartialEq)]
        #[non_exhaustive]
        pub struct $name {
            $( $(#[$fm])* pub $field: options!(@ty $kind), )*
        }

        impl $name {
            /// Nothing set: every parameter takes the server's default.
            pub fn new() -> Self {
                Self::default()
            }
            $( options!(@set $field $kind); )*
        }
    };
    (@ty bool) => { Option<bool> };
    (@ty u32) => { Option<u32> };
    (@ty string) => { Option<String> };
    (@ty names) => { Option<Vec<String>> };
    (@ty filter) => { Option<(String, String)> };
    (@set $field:ident bool) => {
        #[doc = concat!("Sets `", stringify!($field), "`.")]
        pub fn $field(mut self, v: bool) -> Self {
            self.$field = Some(v);
            self
        }
    };
    (@set $field:ident u32) => {
        #[doc = concat!("Sets `", stringify!($field), "`.")]
        pub fn $field(mut self, v: u32) -> Self {
            self.$field = Some(v);
            self
        }
    };
    (@set $field:ident string) => {
        #[doc = concat!("Sets `", stringify!($field), "`.")]
        pub fn $field(mut self, v: impl Into<String>) -> Self {
            self.$field = Some(v.into());
            self
        }
    };
    (@set $field:ident names) => {
        #[doc = concat!("Sets `", stringify!($field), "` (an empty list asks for none).")]
        pub fn $field<I, S>(mut self, v: I) -> Self
        where
            I: IntoIterator<Item = S>,
            S: Into<String>,
        {
            self.$field = Some(v.into_iter().map(Into::into).collect());
            self
        }
    };
    (@set $field:ident filter) => {
        /// Sets `FilterQueryLanguage` (e.g. `DMTF:FQL`) and `FilterQuery`.
        pub fn $field(mut self, language: impl Into<String>, query: impl Into<String>) -> Self {
            self.$field = Some((language.into(), query.into()));
            self
        }
    };
}

options! {
    /// Options of GetInstance.
    GetInstanceOptions {
        /// Namespace (when the path has none; None = the client's default).
        namespace: string,
        /// `LocalOnly` (deprecated by DSP0200; leave unset).
        local_only: bool,
        /// `IncludeQualifiers` (deprecated).
        include_qualifiers: bool,
        /// `IncludeClassOrigin`.
        include_class_origin: bool,
        /// `PropertyList`: only these properties (None = all).
        property_list: names,
    }
}

options! {
    /// Options of EnumerateInstances (and its pull form).
    EnumerateInstancesOptions {
        /// Namespace (None = the client's default).
        namespace: string,
        /// `LocalOnly`.
        local_only: bool,
        /// `DeepInheritance`.
        deep_inheritance: bool,
        /// `IncludeQualifiers`.
        include_qualifiers: bool,
        /// `IncludeClassOrigin`.
        include_class_origin: bool,
        /// `PropertyList`.
        property_list: names,
    }
}

options! {
    /// Options of Associators / AssociatorNames (and their pull forms).
    AssociatorsOptions {
        /// Namespace (when the path has none; None = the client's default).
        namespace: string,
        /// `AssocClass`.
        assoc_class: string,
        /// `ResultClass`.
        result_class: string,
        /// `Role`.
        role: string,
        /// `ResultRole`.
        result_role: string,
        /// `IncludeQualifiers` (Associators only).
        include_qualifiers: bool,
        /// `IncludeClassOrigin`.
        include_class_origin: bool,
        /// `PropertyList`.
        property_list: names,
    }
}

options! {
    /// Options of References / ReferenceNames (and their pull forms).
    ReferencesOptions {
        /// Namespace (when the path has none; None = the client's default).
        namespace: string,
        /// `ResultClass`.
        result_class: string,
        /// `Role`.
        role: string,
        /// `IncludeQualifiers` (References only).
        include_qualifiers: bool,
        /// `IncludeClassOrigin`.
        include_class_origin: bool,
        /// `PropertyList`.
        property_list: names,
    }
}

options! {
    /// Options of GetClass.
    GetClassOptions {
        /// Namespace (None = default).
        namespace: string,
        /// `LocalOnly`.
        local_only: bool,
        /// `IncludeQualifiers`.
        include_qualifiers: bool,
        /// `IncludeClassOrigin`.
        include_class_origin: bool,
        /// `PropertyList`.
        property_list: names,
    }
}

options! {
    /// Options of EnumerateClasses / EnumerateClassNames.
    EnumerateClassesOptions {
        /// Namespace (None = default).
        namespace: string,
        /// `ClassName`: start below this class (None = top-level classes).
        class_name: string,
        /// `DeepInheritance`.
        deep_inheritance: bool,
        /// `LocalOnly` (EnumerateClasses).
        local_only: bool,
        /// `IncludeQualifiers` (EnumerateClasses).
        include_qualifiers: bool,
        /// `IncludeClassOrigin` (EnumerateClasses).
        include_class_origin: bool,
    }
}

options! {
    /// Options of the pull `Open*` operations and of the pull streams.
    OpenOptions {
        /// `MaxObjectCount` of the Open and of each Pull (the page size; streams default to 1000).
        max_object_count: u32,
        /// `OperationTimeout` in seconds.
        operation_timeout: u32,
        /// `ContinueOnError`.
        continue_on_error: bool,
        /// `FilterQueryLanguage` and `FilterQuery`.
        filter: filter,
    }
}

/// An open enumeration: the server's context string and the namespace it lives in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumerationContext {
    /// The `EnumerationContext` string.
    pub context: String,
    /// The namespace of the enumeration.
    pub namespace: String,
}

fn names(list: &Option<Vec<String>>) -> Option<Vec<CimName>> {
    list.as_ref().map(|l| l.iter().map(CimName::new).collect())
}

fn name(s: &Option<String>) -> Option<CimName> {
    s.as_deref().map(CimName::new)
}

// The operations of the table built from the options: one place per option struct.

impl OpenOptions {
    pub(crate) fn pull(&self) -> PullOptions {
        PullOptions {
            filter_query_language: self.filter.as_ref().map(|f| f.0.clone()),
            filter_query: self.filter.as_ref().map(|f| f.1.clone()),
            operation_timeout: self.operation_timeout,
            continue_on_error: self.continue_on_error,
            max_object_count: self.max_object_count,
        }
    }
}

impl GetInstanceOptions {
    pub(crate) fn get(&self, path: &ObjectPath) -> op::GetInstance {
        op::GetInstance {
            instance_name: path.local(),
            local_only: self.local_only,
            include_qualifiers: self.include_qualifiers,
            include_class_origin: self.include_class_origin,
            property_list: names(&self.property_list),
        }
    }
}

impl EnumerateInstancesOptions {
    pub(crate) fn enumerate(&self, class: &str) -> op::EnumerateInstances {
        op::EnumerateInstances {
            class_name: CimName::new(class),
            local_only: self.local_only,
            deep_inheritance: self.deep_inheritance,
            include_qualifiers: self.include_qualifiers,
            include_class_origin: self.include_class_origin,
            property_list: names(&self.property_list),
        }
    }

    pub(crate) fn open(&self, class: &str, open: &OpenOptions) -> op::OpenEnumerateInstances {
        op::OpenEnumerateInstances {
            class_name: CimName::new(class),
            deep_inheritance: self.deep_inheritance,
            include_class_origin: self.include_class_origin,
            property_list: names(&self.property_list),
            pull: open.pull(),
        }
    }
}

impl AssociatorsOptions {
    pub(crate) fn associators(&self, path: &ObjectPath) -> op::Associators {
        op::Associators {
            object_name: path.local(),
            assoc_class: name(&self.assoc_class),
            result_class: name(&self.result_class),
            role: self.role.clone(),
            result_role: self.result_role.clone(),
            include_qualifiers: self.include_qualifiers,
            include_class_origin: self.include_class_origin,
            property_list: names(&self.property_list),
        }
    }

    pub(crate) fn names(&self, path: &ObjectPath) -> op::AssociatorNames {
        op::AssociatorNames {
            object_name: path.local(),
            assoc_class: name(&self.assoc_class),
            result_class: name(&self.result_class),
            role: self.role.clone(),
            result_role: self.result_role.clone(),
        }
    }

    pub(crate) fn open(&self, path: &ObjectPath, o: &OpenOptions) -> op::OpenAssociatorInstances {
        op::OpenAssociatorInstances {
            instance_name: path.local(),
            assoc_class: name(&self.assoc_class),
            result_class: name(&self.result_class),
            role: self.role.clone(),
            result_role: self.result_role.clone(),
            include_class_origin: self.include_class_origin,
            property_list: names(&self.property_list),
            pull: o.pull(),
        }
    }

    pub(crate) fn open_paths(
        &self,
        path: &ObjectPath,
        o: &OpenOptions,
    ) -> op::OpenAssociatorInstancePaths {
        op::OpenAssociatorInstancePaths {
            instance_name: path.local(),
            assoc_class: name(&self.assoc_class),
            result_class: name(&self.result_class),
            role: self.role.clone(),
            result_role: self.result_role.clone(),
            pull: o.pull(),
        }
    }
}

impl ReferencesOptions {
    pub(crate) fn references(&self, path: &ObjectPath) -> op::References {
        op::References {
            object_name: path.local(),
            result_class: name(&self.result_class),
            role: self.role.clone(),
            include_qualifiers: self.include_qualifiers,
            include_class_origin: self.include_class_origin,
            property_list: names(&self.property_list),
        }
    }

    pub(crate) fn names(&self, path: &ObjectPath) -> op::ReferenceNames {
        op::ReferenceNames {
            object_name: path.local(),
            result_class: name(&self.result_class),
            role: self.role.clone(),
        }
    }

    pub(crate) fn open(&self, path: &ObjectPath, o: &OpenOptions) -> op::OpenReferenceInstances {
        op::OpenReferenceInstances {
            instance_name: path.local(),
            result_class: name(&self.result_class),
            role: self.role.clone(),
            include_class_origin: self.include_class_origin,
            property_list: names(&self.property_list),
            pull: o.pull(),
        }
    }

    pub(crate) fn open_paths(
        &self,
        path: &ObjectPath,
        o: &OpenOptions,
    ) -> op::OpenReferenceInstancePaths {
        op::OpenReferenceInstancePaths {
            instance_name: path.local(),
            result_class: name(&self.result_class),
            role: self.role.clone(),
            pull: o.pull(),
        }
    }
}

impl GetClassOptions {
    pub(crate) fn get(&self, class: &str) -> op::GetClass {
        op::GetClass {
            class_name: CimName::new(class),
            local_only: self.local_only,
            include_qualifiers: self.include_qualifiers,
            include_class_origin: self.include_class_origin,
            property_list: names(&self.property_list),
        }
    }
}

impl EnumerateClassesOptions {
    pub(crate) fn classes(&self) -> op::EnumerateClasses {
        op::EnumerateClasses {
            class_name: name(&self.class_name),
            deep_inheritance: self.deep_inheritance,
            local_only: self.local_only,
            include_qualifiers: self.include_qualifiers,
            include_class_origin: self.include_class_origin,
        }
    }

    pub(crate) fn class_names(&self) -> op::EnumerateClassNames {
        op::EnumerateClassNames {
            class_name: name(&self.class_name),
            deep_inheritance: self.deep_inheritance,
        }
    }
}

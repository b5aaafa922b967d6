//! The CIM data model (DMTF DSP0004), with no I/O.
//!
//! Types and values ([`CimType`], [`CimValue`], [`CimDateTime`]), names that compare
//! case-insensitively ([`CimName`]), object paths and WBEM URIs ([`ObjectPath`]), instances,
//! classes and qualifiers. Values convert to and from Rust types through [`ToCimValue`] and
//! [`FromCimValue`] (the `ToSql`/`FromSql` of this crate) and `TryFrom<&CimValue>`.

mod datetime;
mod name;
mod object;
mod path;
mod status;
mod types;
mod value;
mod valuemap;

pub use datetime::CimDateTime;
pub use name::CimName;
#[allow(unused_imports)]
pub(crate) use object::embedded_kind_of;
pub use object::{
    CimClass, Flavor, Instance, Method, Parameter, Property, PropertyExtra, Qualifier,
    QualifierDecl, Scope,
};
pub use path::{KeyBinding, MAX_PATH_NESTING, ObjectPath, PathKind, normalize_namespace};
#[allow(unused_imports)]
pub(crate) use path::{duplicate_key, untyped_number};
pub use status::CimStatus;
pub use types::{CimType, EmbeddedKind};
pub use value::{CimArray, CimValue, FromCimValue, ToCimValue, ValueError};
pub use valuemap::{ValueMapError, ValueMapping, ValueRange};

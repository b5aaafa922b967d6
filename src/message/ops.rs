//! The intrinsic operations of DSP0200 §5.3.2 (and the pull operations of §5.3.2 added
//! in DSP0200 1.3), each described once.
//!
//! One table ([`intrinsics!`] below) lists every operation with its name, the shape of its
//! result ([`ReturnKind`]), the type the client hands back for it, and each parameter with
//! its DSP0200 name, Rust type, whether it is required and how it travels (its codec). From
//! that table follow:
//! - the [`Intrinsic`] enum (one variant per operation, fields named after the parameters),
//!   [`Intrinsic::name`] and [`Intrinsic::return_kind`], [`ReturnKind::for_operation`];
//! - one request type per operation in [`op`] (e.g. [`op::GetInstance`]) implementing
//!   [`Operation`], whose `Output` is the typed result the client returns;
//! - the `IPARAMVALUE` encoding (the codec visits the parameters through [`ParamVisitor`])
//!   and the server-side decoding (it builds an operation from a [`ParamSource`]).
//!
//! Adding an operation is one entry in the table; the codec learns a new parameter kind by
//! one method in each of the two traits.

use super::{CimObject, PullOptions, PullResult, ReturnKind};
use crate::cim::{CimClass, CimName, Instance, ObjectPath, QualifierDecl};

/// Walks the parameters of an operation in table order, each with its DSP0200 name; `None`
/// for an optional parameter that is not sent. One method per way a parameter travels.
pub(crate) trait ParamVisitor {
    /// The visitor's error.
    type Error;
    /// `INSTANCENAME` that must name an instance (GetInstance, the pull Opens).
    fn instance_name(
        &mut self,
        name: &'static str,
        v: Option<&ObjectPath>,
    ) -> Result<(), Self::Error>;
    /// `INSTANCENAME` or `CLASSNAME` (Associators, References and their Names forms).
    fn object_name(
        &mut self,
        name: &'static str,
        v: Option<&ObjectPath>,
    ) -> Result<(), Self::Error>;
    /// `CLASSNAME`.
    fn class_name(&mut self, name: &'static str, v: Option<&CimName>) -> Result<(), Self::Error>;
    /// A qualifier name as `VALUE` text.
    fn qualifier_name(
        &mut self,
        name: &'static str,
        v: Option<&CimName>,
    ) -> Result<(), Self::Error>;
    /// `VALUE` text.
    fn string(&mut self, name: &'static str, v: Option<&String>) -> Result<(), Self::Error>;
    /// `VALUE` `TRUE`/`FALSE`.
    fn boolean(&mut self, name: &'static str, v: Option<&bool>) -> Result<(), Self::Error>;
    /// `VALUE` of a uint32.
    fn uint32(&mut self, name: &'static str, v: Option<&u32>) -> Result<(), Self::Error>;
    /// `VALUE.ARRAY` of property names.
    fn property_list(
        &mut self,
        name: &'static str,
        v: Option<&Vec<CimName>>,
    ) -> Result<(), Self::Error>;
    /// `INSTANCE`.
    fn new_instance(&mut self, name: &'static str, v: Option<&Instance>)
    -> Result<(), Self::Error>;
    /// `VALUE.NAMEDINSTANCE` (the instance carries its path).
    fn named_instance(
        &mut self,
        name: &'static str,
        v: Option<&Instance>,
    ) -> Result<(), Self::Error>;
    /// `CLASS`.
    fn class(&mut self, name: &'static str, v: Option<&CimClass>) -> Result<(), Self::Error>;
    /// `QUALIFIER.DECLARATION`.
    fn qualifier_decl(
        &mut self,
        name: &'static str,
        v: Option<&QualifierDecl>,
    ) -> Result<(), Self::Error>;
    /// The parameters shared by the pull `Open*` operations, each as its own IPARAMVALUE.
    fn pull(&mut self, _name: &'static str, v: Option<&PullOptions>) -> Result<(), Self::Error> {
        let Some(p) = v else { return Ok(()) };
        self.string("FilterQueryLanguage", p.filter_query_language.as_ref())?;
        self.string("FilterQuery", p.filter_query.as_ref())?;
        self.uint32("OperationTimeout", p.operation_timeout.as_ref())?;
        self.boolean("ContinueOnError", p.continue_on_error.as_ref())?;
        self.uint32("MaxObjectCount", p.max_object_count.as_ref())
    }
}

/// Hands out the received parameters of an operation by DSP0200 name (`None`: not sent or
/// NULL), typed by how they travel; the mirror of [`ParamVisitor`].
pub(crate) trait ParamSource {
    /// The source's error.
    type Error;
    /// The error for a required parameter that was not sent.
    fn missing(&mut self, name: &'static str) -> Self::Error;
    /// See [`ParamVisitor::instance_name`].
    fn instance_name(&mut self, name: &'static str) -> Result<Option<ObjectPath>, Self::Error>;
    /// See [`ParamVisitor::object_name`].
    fn object_name(&mut self, name: &'static str) -> Result<Option<ObjectPath>, Self::Error>;
    /// See [`ParamVisitor::class_name`].
    fn class_name(&mut self, name: &'static str) -> Result<Option<CimName>, Self::Error>;
    /// See [`ParamVisitor::qualifier_name`].
    fn qualifier_name(&mut self, name: &'static str) -> Result<Option<CimName>, Self::Error>;
    /// See [`ParamVisitor::string`].
    fn string(&mut self, name: &'static str) -> Result<Option<String>, Self::Error>;
    /// See [`ParamVisitor::boolean`].
    fn boolean(&mut self, name: &'static str) -> Result<Option<bool>, Self::Error>;
    /// See [`ParamVisitor::uint32`].
    fn uint32(&mut self, name: &'static str) -> Result<Option<u32>, Self::Error>;
    /// See [`ParamVisitor::property_list`].
    fn property_list(&mut self, name: &'static str) -> Result<Option<Vec<CimName>>, Self::Error>;
    /// See [`ParamVisitor::new_instance`].
    fn new_instance(&mut self, name: &'static str) -> Result<Option<Instance>, Self::Error>;
    /// See [`ParamVisitor::named_instance`].
    fn named_instance(&mut self, name: &'static str) -> Result<Option<Instance>, Self::Error>;
    /// See [`ParamVisitor::class`].
    fn class(&mut self, name: &'static str) -> Result<Option<CimClass>, Self::Error>;
    /// See [`ParamVisitor::qualifier_decl`].
    fn qualifier_decl(&mut self, name: &'static str) -> Result<Option<QualifierDecl>, Self::Error>;
    /// See [`ParamVisitor::pull`] (always present: absent fields are `None`).
    fn pull(&mut self, _name: &'static str) -> Result<Option<PullOptions>, Self::Error> {
        Ok(Some(PullOptions {
            filter_query_language: self.string("FilterQueryLanguage")?,
            filter_query: self.string("FilterQuery")?,
            operation_timeout: self.uint32("OperationTimeout")?,
            continue_on_error: self.boolean("ContinueOnError")?,
            max_object_count: self.uint32("MaxObjectCount")?,
        }))
    }
}

/// An intrinsic operation as its own type, with the typed result the client returns for it
/// (see `Client::run`). Implemented by every type in [`op`].
pub trait Operation: Into<Intrinsic> {
    /// The DSP0200 operation name.
    const NAME: &'static str;
    /// The shape of the operation's `IRETURNVALUE`.
    const RETURN_KIND: ReturnKind;
    /// What the client returns for the operation.
    type Output: FromIReturn;
}

/// A typed result built from an operation's `IRETURNVALUE`; implemented once per result
/// type, so a shape check lives in one place and a wrong shape is a type error.
pub trait FromIReturn: Sized {
    /// The result, its paths completed from `ctx`, or the returned value back when its
    /// shape does not fit (the caller reports it).
    fn from_ireturn(
        r: super::IReturn,
        ctx: &super::ReturnContext,
    ) -> Result<Self, Box<super::IReturn>>;
}

macro_rules! param_ref {
    (req $f:ident) => {
        Some($f)
    };
    (opt $f:ident) => {
        $f.as_ref()
    };
}

macro_rules! param_take {
    (req $s:ident $codec:ident $pname:literal) => {
        match $s.$codec($pname)? {
            Some(v) => v,
            None => return Err($s.missing($pname)),
        }
    };
    (opt $s:ident $codec:ident $pname:literal) => {
        $s.$codec($pname)?
    };
}

/// The operation table. Each entry: doc, name, result shape, client result type, and the
/// parameters as `field: Type = req|opt codec "DSP0200Name"`, in the order they are sent.
macro_rules! intrinsics {
    ($(
        $(#[$doc:meta])*
        $op:ident => $kind:ident, $out:ty
        $({ $( $field:ident : $ty:ty = $req:ident $codec:ident $pname:literal ),* $(,)? })?
        ;
    )*) => {
        /// An intrinsic operation with its parameters (DSP0200 §5.3.2). Optional parameters
        /// are `None` when they are not sent (the server's default applies). Property lists:
        /// `None` = all properties, `Some(vec![])` = none.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum Intrinsic {
            $(
                $(#[$doc])*
                $op $({ $( #[doc = concat!("`", $pname, "`")] $field: $ty ),* })?,
            )*
        }

        impl Intrinsic {
            /// The DSP0200 operation name (the `CIMMethod` header and `IMETHODCALL NAME`).
            pub fn name(&self) -> &'static str {
                match self {
                    $( Intrinsic::$op { .. } => stringify!($op), )*
                }
            }

            /// What the IRETURNVALUE of this operation holds.
            pub fn return_kind(&self) -> ReturnKind {
                match self {
                    $( Intrinsic::$op { .. } => ReturnKind::$kind, )*
                }
            }

            /// Walks the parameters in table order (the encoder).
            pub(crate) fn visit_params<V: ParamVisitor>(&self, v: &mut V) -> Result<(), V::Error> {
                match self {
                    $( Intrinsic::$op $({ $($field),* })? => {
                        $($( v.$codec($pname, param_ref!($req $field))?; )*)?
                    } )*
                }
                Ok(())
            }

            /// Builds the operation named `op` (case-insensitive) from its received
            /// parameters (the server-side decoder); `Ok(None)` for an unknown operation.
            pub(crate) fn from_params<S: ParamSource>(
                op: &str,
                s: &mut S,
            ) -> Result<Option<Intrinsic>, S::Error> {
                $( if op.eq_ignore_ascii_case(stringify!($op)) {
                    return Ok(Some(Intrinsic::$op $({ $( $field: param_take!($req s $codec $pname) ),* })?));
                } )*
                Ok(None)
            }
        }

        impl ReturnKind {
            /// The result shape of the named intrinsic operation (case-insensitive).
            pub fn for_operation(name: &str) -> Option<ReturnKind> {
                $( if name.eq_ignore_ascii_case(stringify!($op)) {
                    return Some(ReturnKind::$kind);
                } )*
                None
            }
        }

        /// One type per intrinsic operation, with the same fields as its [`Intrinsic`]
        /// variant, for `Client::run`: its [`Operation::Output`] is the typed result.
        pub mod op {
            #[allow(unused_imports)]
            use super::*;
            $(
                $(#[$doc])*
                #[derive(Debug, Clone, PartialEq)]
                pub struct $op { $($( #[doc = concat!("`", $pname, "`")] pub $field: $ty ),*)? }

                impl From<$op> for Intrinsic {
                    fn from(o: $op) -> Intrinsic {
                        let $op { $($($field),*)? } = o;
                        Intrinsic::$op $({ $($field),* })?
                    }
                }

                impl Operation for $op {
                    const NAME: &'static str = stringify!($op);
                    const RETURN_KIND: ReturnKind = ReturnKind::$kind;
                    type Output = $out;
                }
            )*
        }
    };
}

intrinsics! {
    /// GetInstance: one instance.
    GetInstance => Instance, Instance {
        instance_name: ObjectPath = req instance_name "InstanceName",
        local_only: Option<bool> = opt boolean "LocalOnly",
        include_qualifiers: Option<bool> = opt boolean "IncludeQualifiers",
        include_class_origin: Option<bool> = opt boolean "IncludeClassOrigin",
        property_list: Option<Vec<CimName>> = opt property_list "PropertyList",
    };
    /// EnumerateInstances: the instances of a class and its subclasses, with paths.
    EnumerateInstances => NamedInstances, Vec<Instance> {
        class_name: CimName = req class_name "ClassName",
        local_only: Option<bool> = opt boolean "LocalOnly",
        deep_inheritance: Option<bool> = opt boolean "DeepInheritance",
        include_qualifiers: Option<bool> = opt boolean "IncludeQualifiers",
        include_class_origin: Option<bool> = opt boolean "IncludeClassOrigin",
        property_list: Option<Vec<CimName>> = opt property_list "PropertyList",
    };
    /// EnumerateInstanceNames: the paths of the instances of a class.
    EnumerateInstanceNames => InstanceNames, Vec<ObjectPath> {
        class_name: CimName = req class_name "ClassName",
    };
    /// CreateInstance: the new instance's path.
    CreateInstance => InstanceName, ObjectPath {
        new_instance: Instance = req new_instance "NewInstance",
    };
    /// ModifyInstance (the instance must carry its path).
    ModifyInstance => Nothing, () {
        modified_instance: Instance = req named_instance "ModifiedInstance",
        include_qualifiers: Option<bool> = opt boolean "IncludeQualifiers",
        property_list: Option<Vec<CimName>> = opt property_list "PropertyList",
    };
    /// DeleteInstance.
    DeleteInstance => Nothing, () {
        instance_name: ObjectPath = req instance_name "InstanceName",
    };
    /// Associators (instance or class path).
    Associators => ObjectsWithPath, Vec<CimObject> {
        object_name: ObjectPath = req object_name "ObjectName",
        assoc_class: Option<CimName> = opt class_name "AssocClass",
        result_class: Option<CimName> = opt class_name "ResultClass",
        role: Option<String> = opt string "Role",
        result_role: Option<String> = opt string "ResultRole",
        include_qualifiers: Option<bool> = opt boolean "IncludeQualifiers",
        include_class_origin: Option<bool> = opt boolean "IncludeClassOrigin",
        property_list: Option<Vec<CimName>> = opt property_list "PropertyList",
    };
    /// AssociatorNames.
    AssociatorNames => ObjectPaths, Vec<ObjectPath> {
        object_name: ObjectPath = req object_name "ObjectName",
        assoc_class: Option<CimName> = opt class_name "AssocClass",
        result_class: Option<CimName> = opt class_name "ResultClass",
        role: Option<String> = opt string "Role",
        result_role: Option<String> = opt string "ResultRole",
    };
    /// References.
    References => ObjectsWithPath, Vec<CimObject> {
        object_name: ObjectPath = req object_name "ObjectName",
        result_class: Option<CimName> = opt class_name "ResultClass",
        role: Option<String> = opt string "Role",
        include_qualifiers: Option<bool> = opt boolean "IncludeQualifiers",
        include_class_origin: Option<bool> = opt boolean "IncludeClassOrigin",
        property_list: Option<Vec<CimName>> = opt property_list "PropertyList",
    };
    /// ReferenceNames.
    ReferenceNames => ObjectPaths, Vec<ObjectPath> {
        object_name: ObjectPath = req object_name "ObjectName",
        result_class: Option<CimName> = opt class_name "ResultClass",
        role: Option<String> = opt string "Role",
    };
    /// ExecQuery.
    ExecQuery => QueryObjects, Vec<CimObject> {
        query_language: String = req string "QueryLanguage",
        query: String = req string "Query",
    };
    /// GetClass.
    GetClass => Class, CimClass {
        class_name: CimName = req class_name "ClassName",
        local_only: Option<bool> = opt boolean "LocalOnly",
        include_qualifiers: Option<bool> = opt boolean "IncludeQualifiers",
        include_class_origin: Option<bool> = opt boolean "IncludeClassOrigin",
        property_list: Option<Vec<CimName>> = opt property_list "PropertyList",
    };
    /// EnumerateClasses.
    EnumerateClasses => Classes, Vec<CimClass> {
        class_name: Option<CimName> = opt class_name "ClassName",
        deep_inheritance: Option<bool> = opt boolean "DeepInheritance",
        local_only: Option<bool> = opt boolean "LocalOnly",
        include_qualifiers: Option<bool> = opt boolean "IncludeQualifiers",
        include_class_origin: Option<bool> = opt boolean "IncludeClassOrigin",
    };
    /// EnumerateClassNames.
    EnumerateClassNames => ClassNames, Vec<CimName> {
        class_name: Option<CimName> = opt class_name "ClassName",
        deep_inheritance: Option<bool> = opt boolean "DeepInheritance",
    };
    /// CreateClass.
    CreateClass => Nothing, () {
        new_class: CimClass = req class "NewClass",
    };
    /// ModifyClass.
    ModifyClass => Nothing, () {
        modified_class: CimClass = req class "ModifiedClass",
    };
    /// DeleteClass.
    DeleteClass => Nothing, () {
        class_name: CimName = req class_name "ClassName",
    };
    /// GetQualifier.
    GetQualifier => QualifierDecl, QualifierDecl {
        qualifier_name: CimName = req qualifier_name "QualifierName",
    };
    /// SetQualifier.
    SetQualifier => Nothing, () {
        qualifier_declaration: QualifierDecl = req qualifier_decl "QualifierDeclaration",
    };
    /// DeleteQualifier.
    DeleteQualifier => Nothing, () {
        qualifier_name: CimName = req qualifier_name "QualifierName",
    };
    /// EnumerateQualifiers.
    EnumerateQualifiers => QualifierDecls, Vec<QualifierDecl>;
    /// OpenEnumerateInstances.
    OpenEnumerateInstances => PullInstancesWithPath, PullResult<Instance> {
        class_name: CimName = req class_name "ClassName",
        deep_inheritance: Option<bool> = opt boolean "DeepInheritance",
        include_class_origin: Option<bool> = opt boolean "IncludeClassOrigin",
        property_list: Option<Vec<CimName>> = opt property_list "PropertyList",
        pull: PullOptions = req pull "",
    };
    /// OpenEnumerateInstancePaths.
    OpenEnumerateInstancePaths => PullPaths, PullResult<ObjectPath> {
        class_name: CimName = req class_name "ClassName",
        pull: PullOptions = req pull "",
    };
    /// OpenAssociatorInstances.
    OpenAssociatorInstances => PullInstancesWithPath, PullResult<Instance> {
        instance_name: ObjectPath = req instance_name "InstanceName",
        assoc_class: Option<CimName> = opt class_name "AssocClass",
        result_class: Option<CimName> = opt class_name "ResultClass",
        role: Option<String> = opt string "Role",
        result_role: Option<String> = opt string "ResultRole",
        include_class_origin: Option<bool> = opt boolean "IncludeClassOrigin",
        property_list: Option<Vec<CimName>> = opt property_list "PropertyList",
        pull: PullOptions = req pull "",
    };
    /// OpenAssociatorInstancePaths.
    OpenAssociatorInstancePaths => PullPaths, PullResult<ObjectPath> {
        instance_name: ObjectPath = req instance_name "InstanceName",
        assoc_class: Option<CimName> = opt class_name "AssocClass",
        result_class: Option<CimName> = opt class_name "ResultClass",
        role: Option<String> = opt string "Role",
        result_role: Option<String> = opt string "ResultRole",
        pull: PullOptions = req pull "",
    };
    /// OpenReferenceInstances.
    OpenReferenceInstances => PullInstancesWithPath, PullResult<Instance> {
        instance_name: ObjectPath = req instance_name "InstanceName",
        result_class: Option<CimName> = opt class_name "ResultClass",
        role: Option<String> = opt string "Role",
        include_class_origin: Option<bool> = opt boolean "IncludeClassOrigin",
        property_list: Option<Vec<CimName>> = opt property_list "PropertyList",
        pull: PullOptions = req pull "",
    };
    /// OpenReferenceInstancePaths.
    OpenReferenceInstancePaths => PullPaths, PullResult<ObjectPath> {
        instance_name: ObjectPath = req instance_name "InstanceName",
        result_class: Option<CimName> = opt class_name "ResultClass",
        role: Option<String> = opt string "Role",
        pull: PullOptions = req pull "",
    };
    /// OpenQueryInstances (FilterQuery and FilterQueryLanguage are required here).
    OpenQueryInstances => PullInstances, PullResult<Instance> {
        filter_query: String = req string "FilterQuery",
        filter_query_language: String = req string "FilterQueryLanguage",
        return_query_result_class: Option<bool> = opt boolean "ReturnQueryResultClass",
        operation_timeout: Option<u32> = opt uint32 "OperationTimeout",
        continue_on_error: Option<bool> = opt boolean "ContinueOnError",
        max_object_count: Option<u32> = opt uint32 "MaxObjectCount",
    };
    /// PullInstancesWithPath.
    PullInstancesWithPath => PullInstancesWithPath, PullResult<Instance> {
        enumeration_context: String = req string "EnumerationContext",
        max_object_count: u32 = req uint32 "MaxObjectCount",
    };
    /// PullInstancePaths.
    PullInstancePaths => PullPaths, PullResult<ObjectPath> {
        enumeration_context: String = req string "EnumerationContext",
        max_object_count: u32 = req uint32 "MaxObjectCount",
    };
    /// PullInstances.
    PullInstances => PullInstances, PullResult<Instance> {
        enumeration_context: String = req string "EnumerationContext",
        max_object_count: u32 = req uint32 "MaxObjectCount",
    };
    /// CloseEnumeration.
    CloseEnumeration => Nothing, () {
        enumeration_context: String = req string "EnumerationContext",
    };
}

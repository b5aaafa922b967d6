//! CIM-XML operation messages as data (DSP0200), with no I/O and no XML.
//!
//! A [`Request`] is what a client sends and a server receives: an intrinsic operation in a
//! namespace ([`IntrinsicRequest`]), an extrinsic method call ([`MethodCall`]) or an export
//! ([`ExportCall`]). A [`Response`] is the answer. The codec in [`crate::xml`] turns both
//! into CIM-XML and back, in both directions, so the client and the simulated provider share
//! one implementation.

mod ops;
mod results;

pub use ops::{FromIReturn, Intrinsic, Operation, op};
pub(crate) use ops::{ParamSource, ParamVisitor};
pub use results::ReturnContext;

use crate::cim::{
    CimClass, CimName, CimType, CimValue, EmbeddedKind, Instance, ObjectPath, QualifierDecl,
};

/// Options shared by the pull `Open*` operations (DSP0200 §5.3.2). Built with
/// [`PullOptions::new`] and the setters (`#[non_exhaustive]`: DSP0200 may add some), or
/// from `default()` by assigning the public fields.
///
/// ```
/// let o = smis::message::PullOptions::new().max_object_count(500).operation_timeout(60);
/// assert_eq!(o.max_object_count, Some(500));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct PullOptions {
    /// `FilterQueryLanguage` (e.g. `DMTF:FQL`).
    pub filter_query_language: Option<String>,
    /// `FilterQuery`.
    pub filter_query: Option<String>,
    /// `OperationTimeout` in seconds (0 = no timeout; None = server default).
    pub operation_timeout: Option<u32>,
    /// `ContinueOnError`.
    pub continue_on_error: Option<bool>,
    /// `MaxObjectCount` for the Open itself (None = the server's default, usually 0).
    pub max_object_count: Option<u32>,
}

impl PullOptions {
    /// No options: the server's defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// `FilterQueryLanguage` and `FilterQuery` (e.g. `DMTF:FQL`).
    pub fn filter(mut self, language: impl Into<String>, query: impl Into<String>) -> Self {
        self.filter_query_language = Some(language.into());
        self.filter_query = Some(query.into());
        self
    }

    /// `OperationTimeout` in seconds (0 = no timeout).
    pub fn operation_timeout(mut self, seconds: u32) -> Self {
        self.operation_timeout = Some(seconds);
        self
    }

    /// `ContinueOnError`.
    pub fn continue_on_error(mut self, yes: bool) -> Self {
        self.continue_on_error = Some(yes);
        self
    }

    /// `MaxObjectCount` of the Open itself.
    pub fn max_object_count(mut self, count: u32) -> Self {
        self.max_object_count = Some(count);
        self
    }
}

/// The shape of an intrinsic operation's result, decided by the operation name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReturnKind {
    /// No IRETURNVALUE content (CreateClass, ModifyInstance, DeleteX, SetQualifier, CloseEnumeration).
    Nothing,
    /// One INSTANCE (GetInstance).
    Instance,
    /// VALUE.NAMEDINSTANCE* (EnumerateInstances).
    NamedInstances,
    /// INSTANCENAME* (EnumerateInstanceNames).
    InstanceNames,
    /// One INSTANCENAME (CreateInstance).
    InstanceName,
    /// VALUE.OBJECTWITHPATH* (Associators, References).
    ObjectsWithPath,
    /// OBJECTPATH* (AssociatorNames, ReferenceNames).
    ObjectPaths,
    /// VALUE.OBJECT* / VALUE.OBJECTWITHPATH* (ExecQuery).
    QueryObjects,
    /// One CLASS (GetClass).
    Class,
    /// CLASS* (EnumerateClasses).
    Classes,
    /// CLASSNAME* (EnumerateClassNames).
    ClassNames,
    /// One QUALIFIER.DECLARATION (GetQualifier).
    QualifierDecl,
    /// QUALIFIER.DECLARATION* (EnumerateQualifiers).
    QualifierDecls,
    /// VALUE.INSTANCEWITHPATH* + EndOfSequence + EnumerationContext.
    PullInstancesWithPath,
    /// INSTANCEPATH* + EndOfSequence + EnumerationContext.
    PullPaths,
    /// INSTANCE* + EndOfSequence + EnumerationContext (OpenQueryInstances, PullInstances).
    PullInstances,
}

/// An intrinsic operation in a namespace (`IMETHODCALL`).
#[derive(Debug, Clone, PartialEq)]
pub struct IntrinsicRequest {
    /// Target namespace, e.g. `root/cimv2`.
    pub namespace: String,
    /// The operation.
    pub op: Intrinsic,
}

/// A parameter value of a method call or its response (`PARAMVALUE`).
#[derive(Debug, Clone, PartialEq)]
pub struct ParamValue {
    /// Parameter name.
    pub name: CimName,
    /// Value; `None` is NULL.
    pub value: Option<CimValue>,
    /// The declared type (`PARAMTYPE`, or `TYPE` as some providers send); for NULL values
    /// this is the only type information.
    pub cim_type: Option<CimType>,
    /// Embedded object kind of string values carrying instances.
    pub embedded: Option<EmbeddedKind>,
}

impl ParamValue {
    /// A parameter with a value; type and embedded kind follow from the value.
    pub fn new(name: impl Into<CimName>, value: impl Into<CimValue>) -> Self {
        let value = value.into();
        ParamValue {
            name: name.into(),
            cim_type: Some(value.cim_type()),
            embedded: crate::cim::embedded_kind_of(&value),
            value: Some(value),
        }
    }

    /// A NULL parameter.
    pub fn null(name: impl Into<CimName>) -> Self {
        ParamValue {
            name: name.into(),
            value: None,
            cim_type: None,
            embedded: None,
        }
    }
}

/// An extrinsic method call (`METHODCALL`) on an instance or class path.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodCall {
    /// The target: an instance path or a class path, with its namespace.
    pub target: ObjectPath,
    /// The method name.
    pub method: CimName,
    /// In-parameters, in the order given (some servers need a fixed order).
    pub params: Vec<ParamValue>,
}

/// An export call (`EXPMETHODCALL`, e.g. ExportIndication with a `NewIndication` instance).
#[derive(Debug, Clone, PartialEq)]
pub struct ExportCall {
    /// The export method name (`ExportIndication`).
    pub method: CimName,
    /// Export parameters (`EXPPARAMVALUE`).
    pub params: Vec<ParamValue>,
}

/// A CIM-XML request.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// `IMETHODCALL`
    Intrinsic(IntrinsicRequest),
    /// `METHODCALL`
    Method(MethodCall),
    /// `EXPMETHODCALL`
    Export(ExportCall),
}

impl Request {
    /// The method name (`CIMMethod` / `CIMExportMethod` header).
    pub fn method_name(&self) -> &str {
        match self {
            Request::Intrinsic(r) => r.op.name(),
            Request::Method(m) => m.method.as_str(),
            Request::Export(e) => e.method.as_str(),
        }
    }
}

/// A CIM-XML request message: the `MESSAGE ID` and the request.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestMessage {
    /// `MESSAGE ID`.
    pub id: String,
    /// The request.
    pub request: Request,
}

/// An object returned by association, reference and query operations: an instance or a
/// class, each with its path when the server sent one.
#[derive(Debug, Clone, PartialEq)]
pub enum CimObject {
    /// An instance (its `path` set from `VALUE.OBJECTWITHPATH`).
    Instance(Instance),
    /// A class (its `path` set from `VALUE.OBJECTWITHPATH`).
    Class(CimClass),
}

impl CimObject {
    /// The instance, if this is one.
    pub fn into_instance(self) -> Option<Instance> {
        match self {
            CimObject::Instance(i) => Some(i),
            CimObject::Class(_) => None,
        }
    }

    /// The object's path, when the server sent one.
    pub fn path(&self) -> Option<&ObjectPath> {
        match self {
            CimObject::Instance(i) => i.path.as_ref(),
            CimObject::Class(c) => c.path.as_ref(),
        }
    }
}

/// The result of a pull operation (`Open*` or `Pull*`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PullResult<T> {
    /// The objects of this page.
    pub items: Vec<T>,
    /// `EndOfSequence`: no more pages.
    pub end_of_sequence: bool,
    /// `EnumerationContext` to pull the next page with (None once the sequence ended).
    pub enumeration_context: Option<String>,
}

/// The IRETURNVALUE of an intrinsic operation, by its shape.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum IReturn {
    /// Nothing returned.
    Nothing,
    /// GetInstance.
    Instance(Instance),
    /// EnumerateInstances (each instance carries its path).
    Instances(Vec<Instance>),
    /// EnumerateInstanceNames.
    InstanceNames(Vec<ObjectPath>),
    /// CreateInstance: the new instance's path.
    InstanceName(ObjectPath),
    /// Associators, References, ExecQuery.
    Objects(Vec<CimObject>),
    /// AssociatorNames, ReferenceNames.
    ObjectPaths(Vec<ObjectPath>),
    /// GetClass.
    Class(CimClass),
    /// EnumerateClasses.
    Classes(Vec<CimClass>),
    /// EnumerateClassNames.
    ClassNames(Vec<CimName>),
    /// GetQualifier.
    QualifierDecl(QualifierDecl),
    /// EnumerateQualifiers.
    QualifierDecls(Vec<QualifierDecl>),
    /// Open*/Pull* returning instances (with paths for the *WithPath forms).
    PullInstances(PullResult<Instance>),
    /// Open*/Pull* returning paths.
    PullPaths(PullResult<ObjectPath>),
}

/// The `ERROR` element of a response: CIM status code, description and CIM_Error instances.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorBody {
    /// `CODE` (DSP0200 status code).
    pub code: u32,
    /// `DESCRIPTION`.
    pub description: Option<String>,
    /// Embedded CIM_Error instances.
    pub instances: Vec<Instance>,
}

/// The result of an extrinsic method call.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MethodReturn {
    /// `RETURNVALUE` (None when absent or NULL).
    pub return_value: Option<CimValue>,
    /// Out-parameters.
    pub out_params: Vec<ParamValue>,
}

impl MethodReturn {
    /// The out-parameter called `name`.
    pub fn out_param(&self, name: &str) -> Option<&ParamValue> {
        self.out_params.iter().find(|p| p.name == name)
    }

    /// The value of out-parameter `name` (case-insensitive, as CIM names compare; `None`
    /// when it is absent or NULL).
    ///
    /// ```
    /// use smis::cim::CimValue;
    /// use smis::message::{MethodReturn, ParamValue};
    /// let mut ret = MethodReturn::default();
    /// ret.out_params.push(ParamValue::new("Size", 1024u64));
    /// assert_eq!(ret.out("size"), Some(&CimValue::Uint64(1024)));
    /// assert_eq!(ret.out("Job"), None);
    /// ```
    pub fn out(&self, name: &str) -> Option<&CimValue> {
        self.out_param(name).and_then(|p| p.value.as_ref())
    }

    /// Reads out-parameter `name` as `T` (absent parameters read like NULL).
    pub fn get<T: crate::cim::FromCimValue>(
        &self,
        name: &str,
    ) -> Result<T, crate::cim::ValueError> {
        T::from_cim_opt(self.out_param(name).and_then(|p| p.value.as_ref()))
    }

    /// The return value as an unsigned integer (the usual `uint32` method return code).
    pub fn return_code(&self) -> Option<u32> {
        self.return_value
            .as_ref()
            .and_then(|v| u32::try_from(v).ok())
    }
}

/// A CIM-XML response.
#[derive(Debug, Clone, PartialEq)]
pub enum Response {
    /// `IMETHODRESPONSE`
    Intrinsic {
        /// Operation name.
        name: String,
        /// Result or CIM error.
        result: Result<IReturn, ErrorBody>,
    },
    /// `METHODRESPONSE`
    Method {
        /// Method name.
        name: String,
        /// Result or CIM error.
        result: Result<MethodReturn, ErrorBody>,
    },
    /// `EXPMETHODRESPONSE`
    Export {
        /// Export method name.
        name: String,
        /// Return value or CIM error.
        result: Result<Option<CimValue>, ErrorBody>,
    },
}

/// A CIM-XML response message: the `MESSAGE ID` and the response.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseMessage {
    /// `MESSAGE ID` (echoes the request's).
    pub id: String,
    /// The response.
    pub response: Response,
}

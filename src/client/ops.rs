//! Every DSP0200 operation as a typed async method of [`Client`].

use super::Client;
use crate::cim::{CimClass, CimName, Instance, ObjectPath, PathKind, QualifierDecl};
use crate::error::{Error, Result};
use crate::message::{
    CimObject, ExportCall, IReturn, Intrinsic, IntrinsicRequest, MethodCall, MethodReturn,
    ParamValue, PullOptions, PullResult, Request, Response,
};

fn names(list: &Option<Vec<String>>) -> Option<Vec<CimName>> {
    list.as_ref().map(|l| l.iter().map(CimName::new).collect())
}

/// Options of GetInstance.
#[derive(Debug, Clone, Default)]
pub struct GetInstanceOptions {
    /// `LocalOnly` (deprecated by DSP0200; leave unset).
    pub local_only: Option<bool>,
    /// `IncludeQualifiers` (deprecated).
    pub include_qualifiers: Option<bool>,
    /// `IncludeClassOrigin`.
    pub include_class_origin: Option<bool>,
    /// `PropertyList`: only these properties (None = all).
    pub property_list: Option<Vec<String>>,
}

/// Options of EnumerateInstances (and its pull form).
#[derive(Debug, Clone, Default)]
pub struct EnumerateInstancesOptions {
    /// Namespace (None = the client's default).
    pub namespace: Option<String>,
    /// `LocalOnly`.
    pub local_only: Option<bool>,
    /// `DeepInheritance`.
    pub deep_inheritance: Option<bool>,
    /// `IncludeQualifiers`.
    pub include_qualifiers: Option<bool>,
    /// `IncludeClassOrigin`.
    pub include_class_origin: Option<bool>,
    /// `PropertyList`.
    pub property_list: Option<Vec<String>>,
}

/// Options of Associators / AssociatorNames (and their pull forms).
#[derive(Debug, Clone, Default)]
pub struct AssociatorsOptions {
    /// `AssocClass`.
    pub assoc_class: Option<String>,
    /// `ResultClass`.
    pub result_class: Option<String>,
    /// `Role`.
    pub role: Option<String>,
    /// `ResultRole`.
    pub result_role: Option<String>,
    /// `IncludeQualifiers` (Associators only).
    pub include_qualifiers: Option<bool>,
    /// `IncludeClassOrigin`.
    pub include_class_origin: Option<bool>,
    /// `PropertyList`.
    pub property_list: Option<Vec<String>>,
}

/// Options of References / ReferenceNames (and their pull forms).
#[derive(Debug, Clone, Default)]
pub struct ReferencesOptions {
    /// `ResultClass`.
    pub result_class: Option<String>,
    /// `Role`.
    pub role: Option<String>,
    /// `IncludeQualifiers` (References only).
    pub include_qualifiers: Option<bool>,
    /// `IncludeClassOrigin`.
    pub include_class_origin: Option<bool>,
    /// `PropertyList`.
    pub property_list: Option<Vec<String>>,
}

/// Options of GetClass.
#[derive(Debug, Clone, Default)]
pub struct GetClassOptions {
    /// Namespace (None = default).
    pub namespace: Option<String>,
    /// `LocalOnly`.
    pub local_only: Option<bool>,
    /// `IncludeQualifiers`.
    pub include_qualifiers: Option<bool>,
    /// `IncludeClassOrigin`.
    pub include_class_origin: Option<bool>,
    /// `PropertyList`.
    pub property_list: Option<Vec<String>>,
}

/// Options of EnumerateClasses / EnumerateClassNames.
#[derive(Debug, Clone, Default)]
pub struct EnumerateClassesOptions {
    /// Namespace (None = default).
    pub namespace: Option<String>,
    /// `ClassName`: start below this class (None = top-level classes).
    pub class_name: Option<String>,
    /// `DeepInheritance`.
    pub deep_inheritance: Option<bool>,
    /// `LocalOnly` (EnumerateClasses).
    pub local_only: Option<bool>,
    /// `IncludeQualifiers` (EnumerateClasses).
    pub include_qualifiers: Option<bool>,
    /// `IncludeClassOrigin` (EnumerateClasses).
    pub include_class_origin: Option<bool>,
}

/// Options of the pull `Open*` operations and of the pull streams.
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// `MaxObjectCount` of the Open and of each Pull (the page size; streams default to 1000).
    pub max_object_count: Option<u32>,
    /// `OperationTimeout` in seconds.
    pub operation_timeout: Option<u32>,
    /// `ContinueOnError`.
    pub continue_on_error: Option<bool>,
    /// `FilterQueryLanguage` and `FilterQuery`.
    pub filter: Option<(String, String)>,
}

impl OpenOptions {
    fn pull(&self) -> PullOptions {
        PullOptions {
            filter_query_language: self.filter.as_ref().map(|f| f.0.clone()),
            filter_query: self.filter.as_ref().map(|f| f.1.clone()),
            operation_timeout: self.operation_timeout,
            continue_on_error: self.continue_on_error,
            max_object_count: self.max_object_count,
        }
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

fn unexpected(op: &str, got: &IReturn) -> Error {
    Error::UnexpectedResponse(
        format!("{op} returned an unexpected result shape: {got:?}")
            .chars()
            .take(300)
            .collect(),
    )
}

impl Client {
    /// Sends an intrinsic operation and returns its IRETURNVALUE.
    pub async fn intrinsic(&self, namespace: &str, op: Intrinsic) -> Result<IReturn> {
        let name = op.name();
        match self
            .call(Request::Intrinsic(IntrinsicRequest {
                namespace: namespace.to_string(),
                op,
            }))
            .await?
        {
            Response::Intrinsic { result: Ok(r), .. } => Ok(r),
            other => Err(Error::UnexpectedResponse(
                format!("{name}: {other:?}").chars().take(300).collect(),
            )),
        }
    }

    fn path_ns<'a>(&'a self, path: &'a ObjectPath) -> &'a str {
        self.ns(path.namespace.as_deref())
    }

    pub(super) fn fill(&self, mut p: ObjectPath, ns: &str) -> ObjectPath {
        if p.namespace.is_none() {
            p.namespace = Some(ns.to_string());
        }
        p
    }

    /// GetInstance: the instance at `path` (its namespace, or the default).
    pub async fn get_instance(
        &self,
        path: &ObjectPath,
        opts: &GetInstanceOptions,
    ) -> Result<Instance> {
        if path.kind == PathKind::Class {
            return Err(Error::InvalidArgument(
                "GetInstance needs an instance path, not a class path".into(),
            ));
        }
        let ns = self.path_ns(path).to_string();
        let r = self
            .intrinsic(
                &ns,
                Intrinsic::GetInstance {
                    instance_name: path.local(),
                    local_only: opts.local_only,
                    include_qualifiers: opts.include_qualifiers,
                    include_class_origin: opts.include_class_origin,
                    property_list: names(&opts.property_list),
                },
            )
            .await?;
        match r {
            IReturn::Instance(mut i) => {
                if i.path.is_none() {
                    i.path = Some(self.fill(path.clone(), &ns));
                }
                Ok(i)
            }
            other => Err(unexpected("GetInstance", &other)),
        }
    }

    /// EnumerateInstances: all instances of `class` and its subclasses, each with its path.
    pub async fn enumerate_instances(
        &self,
        class: &str,
        opts: &EnumerateInstancesOptions,
    ) -> Result<Vec<Instance>> {
        let ns = self.ns(opts.namespace.as_deref()).to_string();
        match self
            .intrinsic(
                &ns,
                Intrinsic::EnumerateInstances {
                    class_name: CimName::new(class),
                    local_only: opts.local_only,
                    deep_inheritance: opts.deep_inheritance,
                    include_qualifiers: opts.include_qualifiers,
                    include_class_origin: opts.include_class_origin,
                    property_list: names(&opts.property_list),
                },
            )
            .await?
        {
            IReturn::Instances(v) => {
                Ok(v.into_iter().map(|i| self.fill_instance(i, &ns)).collect())
            }
            IReturn::Nothing => Ok(Vec::new()),
            other => Err(unexpected("EnumerateInstances", &other)),
        }
    }

    /// A class from GetClass/EnumerateClasses (a bare CLASS) gets its path: this server's
    /// host and the namespace asked, as the reference client (pywbem) sets it.
    fn fill_class(&self, mut c: CimClass, ns: &str) -> CimClass {
        if c.path.is_none() {
            let endpoint = self.inner.transport.endpoint();
            let host = endpoint
                .split_once("://")
                .map_or(endpoint.as_str(), |(_, h)| h)
                .trim_end_matches('/');
            let mut p = ObjectPath::class(Some(ns), c.name.clone());
            p.host = (!host.is_empty()).then(|| host.to_string());
            c.path = Some(p);
        }
        c
    }

    pub(super) fn fill_instance(&self, mut i: Instance, ns: &str) -> Instance {
        if let Some(p) = i.path.take() {
            i.path = Some(self.fill(p, ns));
        }
        i
    }

    /// EnumerateInstanceNames: the paths of all instances of `class`.
    pub async fn enumerate_instance_names(
        &self,
        class: &str,
        namespace: Option<&str>,
    ) -> Result<Vec<ObjectPath>> {
        let ns = self.ns(namespace).to_string();
        match self
            .intrinsic(
                &ns,
                Intrinsic::EnumerateInstanceNames {
                    class_name: CimName::new(class),
                },
            )
            .await?
        {
            IReturn::InstanceNames(v) => Ok(v.into_iter().map(|p| self.fill(p, &ns)).collect()),
            IReturn::Nothing => Ok(Vec::new()),
            other => Err(unexpected("EnumerateInstanceNames", &other)),
        }
    }

    /// CreateInstance: creates `instance` in `namespace` and returns the new path.
    pub async fn create_instance(
        &self,
        namespace: Option<&str>,
        instance: Instance,
    ) -> Result<ObjectPath> {
        let ns = self.ns(namespace).to_string();
        match self
            .intrinsic(
                &ns,
                Intrinsic::CreateInstance {
                    new_instance: instance,
                },
            )
            .await?
        {
            IReturn::InstanceName(p) => Ok(self.fill(p, &ns)),
            other => Err(unexpected("CreateInstance", &other)),
        }
    }

    /// ModifyInstance: `instance.path` names the instance; `property_list` limits what changes.
    pub async fn modify_instance(
        &self,
        instance: Instance,
        property_list: Option<Vec<String>>,
    ) -> Result<()> {
        let path = instance.path.clone().ok_or_else(|| {
            Error::InvalidArgument("ModifyInstance needs an instance with a path".into())
        })?;
        let ns = self.path_ns(&path).to_string();
        let mut inst = instance;
        inst.path = Some(path.local());
        self.intrinsic(
            &ns,
            Intrinsic::ModifyInstance {
                modified_instance: inst,
                include_qualifiers: None,
                property_list: names(&property_list),
            },
        )
        .await
        .map(|_| ())
    }

    /// DeleteInstance.
    pub async fn delete_instance(&self, path: &ObjectPath) -> Result<()> {
        let ns = self.path_ns(path).to_string();
        self.intrinsic(
            &ns,
            Intrinsic::DeleteInstance {
                instance_name: path.local(),
            },
        )
        .await
        .map(|_| ())
    }

    /// Associators: the objects associated with `path` (instances, or classes for a class path).
    pub async fn associators(
        &self,
        path: &ObjectPath,
        opts: &AssociatorsOptions,
    ) -> Result<Vec<CimObject>> {
        let ns = self.path_ns(path).to_string();
        let r = self
            .intrinsic(
                &ns,
                Intrinsic::Associators {
                    object_name: path.local(),
                    assoc_class: opts.assoc_class.as_deref().map(CimName::new),
                    result_class: opts.result_class.as_deref().map(CimName::new),
                    role: opts.role.clone(),
                    result_role: opts.result_role.clone(),
                    include_qualifiers: opts.include_qualifiers,
                    include_class_origin: opts.include_class_origin,
                    property_list: names(&opts.property_list),
                },
            )
            .await?;
        self.objects("Associators", r, &ns)
    }

    fn objects(&self, op: &str, r: IReturn, ns: &str) -> Result<Vec<CimObject>> {
        match r {
            IReturn::Objects(v) => Ok(v
                .into_iter()
                .map(|o| match o {
                    CimObject::Instance(i) => CimObject::Instance(self.fill_instance(i, ns)),
                    c => c,
                })
                .collect()),
            IReturn::Instances(v) => Ok(v
                .into_iter()
                .map(|i| CimObject::Instance(self.fill_instance(i, ns)))
                .collect()),
            IReturn::Nothing => Ok(Vec::new()),
            other => Err(unexpected(op, &other)),
        }
    }

    fn paths(&self, op: &str, r: IReturn, ns: &str) -> Result<Vec<ObjectPath>> {
        match r {
            IReturn::ObjectPaths(v) | IReturn::InstanceNames(v) => {
                Ok(v.into_iter().map(|p| self.fill(p, ns)).collect())
            }
            IReturn::Nothing => Ok(Vec::new()),
            other => Err(unexpected(op, &other)),
        }
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
        let ns = self.path_ns(path).to_string();
        let r = self
            .intrinsic(
                &ns,
                Intrinsic::AssociatorNames {
                    object_name: path.local(),
                    assoc_class: opts.assoc_class.as_deref().map(CimName::new),
                    result_class: opts.result_class.as_deref().map(CimName::new),
                    role: opts.role.clone(),
                    result_role: opts.result_role.clone(),
                },
            )
            .await?;
        self.paths("AssociatorNames", r, &ns)
    }

    /// References: the association objects that refer to `path`.
    pub async fn references(
        &self,
        path: &ObjectPath,
        opts: &ReferencesOptions,
    ) -> Result<Vec<CimObject>> {
        let ns = self.path_ns(path).to_string();
        let r = self
            .intrinsic(
                &ns,
                Intrinsic::References {
                    object_name: path.local(),
                    result_class: opts.result_class.as_deref().map(CimName::new),
                    role: opts.role.clone(),
                    include_qualifiers: opts.include_qualifiers,
                    include_class_origin: opts.include_class_origin,
                    property_list: names(&opts.property_list),
                },
            )
            .await?;
        self.objects("References", r, &ns)
    }

    /// ReferenceNames.
    pub async fn reference_names(
        &self,
        path: &ObjectPath,
        opts: &ReferencesOptions,
    ) -> Result<Vec<ObjectPath>> {
        let ns = self.path_ns(path).to_string();
        let r = self
            .intrinsic(
                &ns,
                Intrinsic::ReferenceNames {
                    object_name: path.local(),
                    result_class: opts.result_class.as_deref().map(CimName::new),
                    role: opts.role.clone(),
                },
            )
            .await?;
        self.paths("ReferenceNames", r, &ns)
    }

    /// ExecQuery (e.g. language `WQL` or `DMTF:CQL`). Instances the server sends without a
    /// path (`VALUE.OBJECT`) get one with their class name and the query's namespace and no
    /// keys, as pywbem gives them.
    pub async fn exec_query(
        &self,
        namespace: Option<&str>,
        language: &str,
        query: &str,
    ) -> Result<Vec<CimObject>> {
        let ns = self.ns(namespace).to_string();
        let r = self
            .intrinsic(
                &ns,
                Intrinsic::ExecQuery {
                    query_language: language.into(),
                    query: query.into(),
                },
            )
            .await?;
        let mut objects = self.objects("ExecQuery", r, &ns)?;
        crate::client::query_paths::give_paths(&mut objects, &ns);
        Ok(objects)
    }

    /// GetClass.
    pub async fn get_class(&self, class: &str, opts: &GetClassOptions) -> Result<CimClass> {
        let ns = self.ns(opts.namespace.as_deref()).to_string();
        match self
            .intrinsic(
                &ns,
                Intrinsic::GetClass {
                    class_name: CimName::new(class),
                    local_only: opts.local_only,
                    include_qualifiers: opts.include_qualifiers,
                    include_class_origin: opts.include_class_origin,
                    property_list: names(&opts.property_list),
                },
            )
            .await?
        {
            IReturn::Class(c) => Ok(self.fill_class(c, &ns)),
            other => Err(unexpected("GetClass", &other)),
        }
    }

    /// EnumerateClasses.
    pub async fn enumerate_classes(&self, opts: &EnumerateClassesOptions) -> Result<Vec<CimClass>> {
        let ns = self.ns(opts.namespace.as_deref()).to_string();
        match self
            .intrinsic(
                &ns,
                Intrinsic::EnumerateClasses {
                    class_name: opts.class_name.as_deref().map(CimName::new),
                    deep_inheritance: opts.deep_inheritance,
                    local_only: opts.local_only,
                    include_qualifiers: opts.include_qualifiers,
                    include_class_origin: opts.include_class_origin,
                },
            )
            .await?
        {
            IReturn::Classes(c) => Ok(c.into_iter().map(|c| self.fill_class(c, &ns)).collect()),
            IReturn::Nothing => Ok(Vec::new()),
            other => Err(unexpected("EnumerateClasses", &other)),
        }
    }

    /// EnumerateClassNames.
    pub async fn enumerate_class_names(
        &self,
        opts: &EnumerateClassesOptions,
    ) -> Result<Vec<CimName>> {
        let ns = self.ns(opts.namespace.as_deref()).to_string();
        match self
            .intrinsic(
                &ns,
                Intrinsic::EnumerateClassNames {
                    class_name: opts.class_name.as_deref().map(CimName::new),
                    deep_inheritance: opts.deep_inheritance,
                },
            )
            .await?
        {
            IReturn::ClassNames(c) => Ok(c),
            IReturn::Nothing => Ok(Vec::new()),
            other => Err(unexpected("EnumerateClassNames", &other)),
        }
    }

    /// CreateClass.
    pub async fn create_class(&self, namespace: Option<&str>, class: CimClass) -> Result<()> {
        let ns = self.ns(namespace).to_string();
        self.intrinsic(&ns, Intrinsic::CreateClass { new_class: class })
            .await
            .map(|_| ())
    }

    /// ModifyClass.
    pub async fn modify_class(&self, namespace: Option<&str>, class: CimClass) -> Result<()> {
        let ns = self.ns(namespace).to_string();
        self.intrinsic(
            &ns,
            Intrinsic::ModifyClass {
                modified_class: class,
            },
        )
        .await
        .map(|_| ())
    }

    /// DeleteClass.
    pub async fn delete_class(&self, namespace: Option<&str>, class: &str) -> Result<()> {
        let ns = self.ns(namespace).to_string();
        self.intrinsic(
            &ns,
            Intrinsic::DeleteClass {
                class_name: CimName::new(class),
            },
        )
        .await
        .map(|_| ())
    }

    /// GetQualifier.
    pub async fn get_qualifier(
        &self,
        namespace: Option<&str>,
        name: &str,
    ) -> Result<QualifierDecl> {
        let ns = self.ns(namespace).to_string();
        match self
            .intrinsic(
                &ns,
                Intrinsic::GetQualifier {
                    qualifier_name: CimName::new(name),
                },
            )
            .await?
        {
            IReturn::QualifierDecl(q) => Ok(q),
            other => Err(unexpected("GetQualifier", &other)),
        }
    }

    /// SetQualifier.
    pub async fn set_qualifier(&self, namespace: Option<&str>, decl: QualifierDecl) -> Result<()> {
        let ns = self.ns(namespace).to_string();
        self.intrinsic(
            &ns,
            Intrinsic::SetQualifier {
                qualifier_declaration: decl,
            },
        )
        .await
        .map(|_| ())
    }

    /// DeleteQualifier.
    pub async fn delete_qualifier(&self, namespace: Option<&str>, name: &str) -> Result<()> {
        let ns = self.ns(namespace).to_string();
        self.intrinsic(
            &ns,
            Intrinsic::DeleteQualifier {
                qualifier_name: CimName::new(name),
            },
        )
        .await
        .map(|_| ())
    }

    /// EnumerateQualifiers.
    pub async fn enumerate_qualifiers(
        &self,
        namespace: Option<&str>,
    ) -> Result<Vec<QualifierDecl>> {
        let ns = self.ns(namespace).to_string();
        match self.intrinsic(&ns, Intrinsic::EnumerateQualifiers).await? {
            IReturn::QualifierDecls(q) => Ok(q),
            IReturn::Nothing => Ok(Vec::new()),
            other => Err(unexpected("EnumerateQualifiers", &other)),
        }
    }

    // ----- Pull operations (raw level; see the *_stream methods for the easy way) -----

    fn pull_instances_result(
        &self,
        op: &str,
        r: IReturn,
        ns: &str,
    ) -> Result<(PullResult<Instance>, Option<EnumerationContext>)> {
        match r {
            IReturn::PullInstances(mut p) => {
                p.items = p
                    .items
                    .into_iter()
                    .map(|i| self.fill_instance(i, ns))
                    .collect();
                let ctx = if p.end_of_sequence {
                    None
                } else {
                    let c = p.enumeration_context.clone().ok_or_else(|| {
                        Error::UnexpectedResponse(format!(
                            "{op}: EndOfSequence is false but there is no EnumerationContext"
                        ))
                    })?;
                    Some(EnumerationContext {
                        context: c,
                        namespace: ns.to_string(),
                    })
                };
                Ok((p, ctx))
            }
            other => Err(unexpected(op, &other)),
        }
    }

    fn pull_paths_result(
        &self,
        op: &str,
        r: IReturn,
        ns: &str,
    ) -> Result<(PullResult<ObjectPath>, Option<EnumerationContext>)> {
        match r {
            IReturn::PullPaths(mut p) => {
                p.items = p.items.into_iter().map(|x| self.fill(x, ns)).collect();
                let ctx = if p.end_of_sequence {
                    None
                } else {
                    let c = p.enumeration_context.clone().ok_or_else(|| {
                        Error::UnexpectedResponse(format!(
                            "{op}: EndOfSequence is false but there is no EnumerationContext"
                        ))
                    })?;
                    Some(EnumerationContext {
                        context: c,
                        namespace: ns.to_string(),
                    })
                };
                Ok((p, ctx))
            }
            other => Err(unexpected(op, &other)),
        }
    }

    /// OpenEnumerateInstances: the first page and, unless it was the last, the context.
    pub async fn open_enumerate_instances(
        &self,
        class: &str,
        opts: &EnumerateInstancesOptions,
        open: &OpenOptions,
    ) -> Result<(PullResult<Instance>, Option<EnumerationContext>)> {
        let ns = self.ns(opts.namespace.as_deref()).to_string();
        let op = Intrinsic::OpenEnumerateInstances {
            class_name: CimName::new(class),
            deep_inheritance: opts.deep_inheritance,
            include_class_origin: opts.include_class_origin,
            property_list: names(&opts.property_list),
            pull: open.pull(),
        };
        let r = self.intrinsic(&ns, op).await?;
        self.pull_instances_result("OpenEnumerateInstances", r, &ns)
    }

    /// OpenEnumerateInstancePaths.
    pub async fn open_enumerate_instance_paths(
        &self,
        class: &str,
        namespace: Option<&str>,
        open: &OpenOptions,
    ) -> Result<(PullResult<ObjectPath>, Option<EnumerationContext>)> {
        let ns = self.ns(namespace).to_string();
        let r = self
            .intrinsic(
                &ns,
                Intrinsic::OpenEnumerateInstancePaths {
                    class_name: CimName::new(class),
                    pull: open.pull(),
                },
            )
            .await?;
        self.pull_paths_result("OpenEnumerateInstancePaths", r, &ns)
    }

    /// OpenAssociatorInstances.
    pub async fn open_associator_instances(
        &self,
        path: &ObjectPath,
        opts: &AssociatorsOptions,
        open: &OpenOptions,
    ) -> Result<(PullResult<Instance>, Option<EnumerationContext>)> {
        let ns = self.path_ns(path).to_string();
        let r = self
            .intrinsic(
                &ns,
                Intrinsic::OpenAssociatorInstances {
                    instance_name: path.local(),
                    assoc_class: opts.assoc_class.as_deref().map(CimName::new),
                    result_class: opts.result_class.as_deref().map(CimName::new),
                    role: opts.role.clone(),
                    result_role: opts.result_role.clone(),
                    include_class_origin: opts.include_class_origin,
                    property_list: names(&opts.property_list),
                    pull: open.pull(),
                },
            )
            .await?;
        self.pull_instances_result("OpenAssociatorInstances", r, &ns)
    }

    /// OpenAssociatorInstancePaths.
    pub async fn open_associator_instance_paths(
        &self,
        path: &ObjectPath,
        opts: &AssociatorsOptions,
        open: &OpenOptions,
    ) -> Result<(PullResult<ObjectPath>, Option<EnumerationContext>)> {
        let ns = self.path_ns(path).to_string();
        let r = self
            .intrinsic(
                &ns,
                Intrinsic::OpenAssociatorInstancePaths {
                    instance_name: path.local(),
                    assoc_class: opts.assoc_class.as_deref().map(CimName::new),
                    result_class: opts.result_class.as_deref().map(CimName::new),
                    role: opts.role.clone(),
                    result_role: opts.result_role.clone(),
                    pull: open.pull(),
                },
            )
            .await?;
        self.pull_paths_result("OpenAssociatorInstancePaths", r, &ns)
    }

    /// OpenReferenceInstances.
    pub async fn open_reference_instances(
        &self,
        path: &ObjectPath,
        opts: &ReferencesOptions,
        open: &OpenOptions,
    ) -> Result<(PullResult<Instance>, Option<EnumerationContext>)> {
        let ns = self.path_ns(path).to_string();
        let r = self
            .intrinsic(
                &ns,
                Intrinsic::OpenReferenceInstances {
                    instance_name: path.local(),
                    result_class: opts.result_class.as_deref().map(CimName::new),
                    role: opts.role.clone(),
                    include_class_origin: opts.include_class_origin,
                    property_list: names(&opts.property_list),
                    pull: open.pull(),
                },
            )
            .await?;
        self.pull_instances_result("OpenReferenceInstances", r, &ns)
    }

    /// OpenReferenceInstancePaths.
    pub async fn open_reference_instance_paths(
        &self,
        path: &ObjectPath,
        opts: &ReferencesOptions,
        open: &OpenOptions,
    ) -> Result<(PullResult<ObjectPath>, Option<EnumerationContext>)> {
        let ns = self.path_ns(path).to_string();
        let r = self
            .intrinsic(
                &ns,
                Intrinsic::OpenReferenceInstancePaths {
                    instance_name: path.local(),
                    result_class: opts.result_class.as_deref().map(CimName::new),
                    role: opts.role.clone(),
                    pull: open.pull(),
                },
            )
            .await?;
        self.pull_paths_result("OpenReferenceInstancePaths", r, &ns)
    }

    /// OpenQueryInstances.
    pub async fn open_query_instances(
        &self,
        namespace: Option<&str>,
        language: &str,
        query: &str,
        open: &OpenOptions,
    ) -> Result<(PullResult<Instance>, Option<EnumerationContext>)> {
        let ns = self.ns(namespace).to_string();
        let r = self
            .intrinsic(
                &ns,
                Intrinsic::OpenQueryInstances {
                    filter_query: query.into(),
                    filter_query_language: language.into(),
                    return_query_result_class: None,
                    operation_timeout: open.operation_timeout,
                    continue_on_error: open.continue_on_error,
                    max_object_count: open.max_object_count,
                },
            )
            .await?;
        self.pull_instances_result("OpenQueryInstances", r, &ns)
    }

    /// PullInstancesWithPath.
    pub async fn pull_instances_with_path(
        &self,
        ctx: &EnumerationContext,
        max_object_count: u32,
    ) -> Result<(PullResult<Instance>, Option<EnumerationContext>)> {
        let r = self
            .intrinsic(
                &ctx.namespace,
                Intrinsic::PullInstancesWithPath {
                    enumeration_context: ctx.context.clone(),
                    max_object_count,
                },
            )
            .await?;
        self.pull_instances_result("PullInstancesWithPath", r, &ctx.namespace)
    }

    /// PullInstancePaths.
    pub async fn pull_instance_paths(
        &self,
        ctx: &EnumerationContext,
        max_object_count: u32,
    ) -> Result<(PullResult<ObjectPath>, Option<EnumerationContext>)> {
        let r = self
            .intrinsic(
                &ctx.namespace,
                Intrinsic::PullInstancePaths {
                    enumeration_context: ctx.context.clone(),
                    max_object_count,
                },
            )
            .await?;
        self.pull_paths_result("PullInstancePaths", r, &ctx.namespace)
    }

    /// PullInstances (instances without paths, after OpenQueryInstances).
    pub async fn pull_instances(
        &self,
        ctx: &EnumerationContext,
        max_object_count: u32,
    ) -> Result<(PullResult<Instance>, Option<EnumerationContext>)> {
        let r = self
            .intrinsic(
                &ctx.namespace,
                Intrinsic::PullInstances {
                    enumeration_context: ctx.context.clone(),
                    max_object_count,
                },
            )
            .await?;
        self.pull_instances_result("PullInstances", r, &ctx.namespace)
    }

    /// CloseEnumeration.
    pub async fn close_enumeration(&self, ctx: &EnumerationContext) -> Result<()> {
        self.intrinsic(
            &ctx.namespace,
            Intrinsic::CloseEnumeration {
                enumeration_context: ctx.context.clone(),
            },
        )
        .await
        .map(|_| ())
    }

    // ----- Extrinsic methods and export -----

    /// InvokeMethod: calls `method` on an instance or class path with typed in-parameters
    /// (build them with [`ParamValue::new`]); returns the return value and out-parameters
    /// (read them with [`MethodReturn::get`]).
    ///
    /// ```no_run
    /// # async fn f(client: smis::Client, service: smis::cim::ObjectPath, vol: smis::cim::ObjectPath) -> smis::Result<()> {
    /// use smis::message::ParamValue;
    /// let ret = client.invoke_method(&service, "CreateElementReplica", vec![
    ///     ParamValue::new("ElementName", "clone1"),
    ///     ParamValue::new("SyncType", 8u16),
    ///     ParamValue::new("SourceElement", vol),
    /// ]).await?;
    /// let job: Option<smis::cim::ObjectPath> = ret.get("Job")?;
    /// # Ok(()) }
    /// ```
    pub async fn invoke_method(
        &self,
        target: &ObjectPath,
        method: &str,
        params: Vec<ParamValue>,
    ) -> Result<MethodReturn> {
        if !crate::cim::CimName::is_valid(method) {
            return Err(Error::InvalidArgument(format!(
                "invalid method name {method:?}"
            )));
        }
        let ns = self.path_ns(target).to_string();
        let mut t = target.local();
        t.namespace = Some(ns);
        match self
            .call(Request::Method(MethodCall {
                target: t,
                method: CimName::new(method),
                params,
            }))
            .await?
        {
            Response::Method { result: Ok(r), .. } => Ok(r),
            other => Err(Error::UnexpectedResponse(
                format!("{method}: {other:?}").chars().take(300).collect(),
            )),
        }
    }

    /// ExportIndication: sends an indication instance to a listener.
    pub async fn export_indication(&self, indication: Instance) -> Result<()> {
        self.call(Request::Export(ExportCall {
            method: CimName::new("ExportIndication"),
            params: vec![ParamValue::new("NewIndication", indication)],
        }))
        .await
        .map(|_| ())
    }
}

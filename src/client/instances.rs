//! Instance operations (DSP0200 §5.3.2): GetInstance, EnumerateInstances,
//! EnumerateInstanceNames, CreateInstance, ModifyInstance, DeleteInstance, ExecQuery.

use super::{Client, EnumerateInstancesOptions, GetInstanceOptions};
use crate::cim::{CimName, Instance, ObjectPath, PathKind};
use crate::error::{Error, Result};
use crate::message::{CimObject, op};

impl Client {
    /// GetInstance: the instance at `path` (in the path's namespace, else the option's, else
    /// the default).
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
        let ns = self.target_ns(Some(path), opts.namespace.as_deref());
        let mut i = self.run(Some(&ns), opts.get(path)).await?;
        if i.path.is_none() {
            i.path = Some(self.return_context(&ns).path(path.clone()));
        }
        Ok(i)
    }

    /// EnumerateInstances: all instances of `class` and its subclasses, each with its path.
    pub async fn enumerate_instances(
        &self,
        class: &str,
        opts: &EnumerateInstancesOptions,
    ) -> Result<Vec<Instance>> {
        self.run(opts.namespace.as_deref(), opts.enumerate(class))
            .await
    }

    /// EnumerateInstanceNames: the paths of all instances of `class`.
    pub async fn enumerate_instance_names(
        &self,
        class: &str,
        namespace: Option<&str>,
    ) -> Result<Vec<ObjectPath>> {
        let class_name = CimName::new(class);
        self.run(namespace, op::EnumerateInstanceNames { class_name })
            .await
    }

    /// CreateInstance: creates `instance` in `namespace` and returns the new path.
    pub async fn create_instance(
        &self,
        namespace: Option<&str>,
        instance: Instance,
    ) -> Result<ObjectPath> {
        let new_instance = instance;
        self.run(namespace, op::CreateInstance { new_instance })
            .await
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
        let ns = self.target_ns(Some(&path), None);
        let mut modified_instance = instance;
        modified_instance.path = Some(path.local());
        let op = op::ModifyInstance {
            modified_instance,
            include_qualifiers: None,
            property_list: property_list.map(|l| l.iter().map(CimName::new).collect()),
        };
        self.run(Some(&ns), op).await
    }

    /// DeleteInstance.
    pub async fn delete_instance(&self, path: &ObjectPath) -> Result<()> {
        let ns = self.target_ns(Some(path), None);
        let instance_name = path.local();
        self.run(Some(&ns), op::DeleteInstance { instance_name })
            .await
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
        let op = op::ExecQuery {
            query_language: language.into(),
            query: query.into(),
        };
        let mut objects = self.run(Some(&ns), op).await?;
        crate::client::query_paths::give_paths(&mut objects, &ns);
        Ok(objects)
    }
}

//! The pull operations at the raw level (DSP0200 §5.3.2, added in DSP0200 1.3): each
//! `Open*` returns the first page and, unless it was the last, the context to pull the
//! next with. See the `*_stream` methods ([`super::PullStream`]) for the easy way.

use super::{
    AssociatorsOptions, Client, EnumerateInstancesOptions, EnumerationContext, OpenOptions,
    ReferencesOptions,
};
use crate::cim::{CimName, Instance, ObjectPath};
use crate::error::{Error, Result};
use crate::message::{FromIReturn, Operation, PullResult, op};

/// A page and the context of the next one.
type Page<T> = (PullResult<T>, Option<EnumerationContext>);

impl Client {
    /// Runs a pull operation and pairs its page with the context of the next one.
    async fn page<O, T>(&self, ns: &str, op: O) -> Result<Page<T>>
    where
        O: Operation<Output = PullResult<T>>,
        PullResult<T>: FromIReturn,
    {
        let p = self.run(Some(ns), op).await?;
        let ctx = if p.end_of_sequence {
            None
        } else {
            let context = p.enumeration_context.clone().ok_or_else(|| {
                Error::UnexpectedResponse(format!(
                    "{}: EndOfSequence is false but there is no EnumerationContext",
                    O::NAME
                ))
            })?;
            Some(EnumerationContext {
                context,
                namespace: self.ns(Some(ns)).to_string(),
            })
        };
        Ok((p, ctx))
    }

    /// OpenEnumerateInstances: the first page and, unless it was the last, the context.
    pub async fn open_enumerate_instances(
        &self,
        class: &str,
        opts: &EnumerateInstancesOptions,
        open: &OpenOptions,
    ) -> Result<Page<Instance>> {
        let ns = self.target_ns(None, opts.namespace.as_deref());
        self.page(&ns, opts.open(class, open)).await
    }

    /// OpenEnumerateInstancePaths.
    pub async fn open_enumerate_instance_paths(
        &self,
        class: &str,
        namespace: Option<&str>,
        open: &OpenOptions,
    ) -> Result<Page<ObjectPath>> {
        let ns = self.target_ns(None, namespace);
        let op = op::OpenEnumerateInstancePaths {
            class_name: CimName::new(class),
            pull: open.pull(),
        };
        self.page(&ns, op).await
    }

    /// OpenAssociatorInstances.
    pub async fn open_associator_instances(
        &self,
        path: &ObjectPath,
        opts: &AssociatorsOptions,
        open: &OpenOptions,
    ) -> Result<Page<Instance>> {
        let ns = self.target_ns(Some(path), opts.namespace.as_deref());
        self.page(&ns, opts.open(path, open)).await
    }

    /// OpenAssociatorInstancePaths.
    pub async fn open_associator_instance_paths(
        &self,
        path: &ObjectPath,
        opts: &AssociatorsOptions,
        open: &OpenOptions,
    ) -> Result<Page<ObjectPath>> {
        let ns = self.target_ns(Some(path), opts.namespace.as_deref());
        self.page(&ns, opts.open_paths(path, open)).await
    }

    /// OpenReferenceInstances.
    pub async fn open_reference_instances(
        &self,
        path: &ObjectPath,
        opts: &ReferencesOptions,
        open: &OpenOptions,
    ) -> Result<Page<Instance>> {
        let ns = self.target_ns(Some(path), opts.namespace.as_deref());
        self.page(&ns, opts.open(path, open)).await
    }

    /// OpenReferenceInstancePaths.
    pub async fn open_reference_instance_paths(
        &self,
        path: &ObjectPath,
        opts: &ReferencesOptions,
        open: &OpenOptions,
    ) -> Result<Page<ObjectPath>> {
        let ns = self.target_ns(Some(path), opts.namespace.as_deref());
        self.page(&ns, opts.open_paths(path, open)).await
    }

    /// OpenQueryInstances.
    pub async fn open_query_instances(
        &self,
        namespace: Option<&str>,
        language: &str,
        query: &str,
        open: &OpenOptions,
    ) -> Result<Page<Instance>> {
        let ns = self.target_ns(None, namespace);
        let op = op::OpenQueryInstances {
            filter_query: query.into(),
            filter_query_language: language.into(),
            return_query_result_class: None,
            operation_timeout: open.operation_timeout,
            continue_on_error: open.continue_on_error,
            max_object_count: open.max_object_count,
        };
        self.page(&ns, op).await
    }

    /// PullInstancesWithPath.
    pub async fn pull_instances_with_path(
        &self,
        ctx: &EnumerationContext,
        max_object_count: u32,
    ) -> Result<Page<Instance>> {
        let enumeration_context = ctx.context.clone();
        let op = op::PullInstancesWithPath {
            enumeration_context,
            max_object_count,
        };
        self.page(&ctx.namespace, op).await
    }

    /// PullInstancePaths.
    pub async fn pull_instance_paths(
        &self,
        ctx: &EnumerationContext,
        max_object_count: u32,
    ) -> Result<Page<ObjectPath>> {
        let enumeration_context = ctx.context.clone();
        let op = op::PullInstancePaths {
            enumeration_context,
            max_object_count,
        };
        self.page(&ctx.namespace, op).await
    }

    /// PullInstances (instances without paths, after OpenQueryInstances).
    pub async fn pull_instances(
        &self,
        ctx: &EnumerationContext,
        max_object_count: u32,
    ) -> Result<Page<Instance>> {
        let enumeration_context = ctx.context.clone();
        let op = op::PullInstances {
            enumeration_context,
            max_object_count,
        };
        self.page(&ctx.namespace, op).await
    }

    /// CloseEnumeration.
    pub async fn close_enumeration(&self, ctx: &EnumerationContext) -> Result<()> {
        let enumeration_context = ctx.context.clone();
        self.run(
            Some(&ctx.namespace),
            op::CloseEnumeration {
                enumeration_context,
            },
        )
        .await
    }
}

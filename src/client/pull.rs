//! Pull enumerations as `futures::Stream`s.
//!
//! A stream opens the enumeration with `MaxObjectCount` = the page size, yields the page,
//! pulls the next one only when the consumer has taken everything (so memory stays bounded
//! by one page), closes the context with CloseEnumeration when dropped early, and falls
//! back to the traditional operation when the server answers the Open with
//! CIM_ERR_NOT_SUPPORTED or CIM_ERR_FAILED (SFCB does the latter; pywbem issue #2736,
//! PR #2738). After one such refusal the client goes straight to
//! the traditional operations.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};

use futures::future::BoxFuture;
use futures::{FutureExt, Stream};

use super::Client;
use super::ops::{
    AssociatorsOptions, EnumerateInstancesOptions, EnumerationContext, OpenOptions,
    ReferencesOptions,
};
use crate::cim::{Instance, ObjectPath};
use crate::error::{CimStatus, Error, Result};
use crate::message::{CimObject, PullResult};

/// Default page size (pywbem's `DEFAULT_ITER_MAXOBJECTCOUNT`).
pub const DEFAULT_PAGE_SIZE: u32 = 1000;

type Page<T> = (PullResult<T>, Option<EnumerationContext>);

/// What a pull stream enumerates: how to open, pull, and fall back.
trait Source<T>: Send + Sync + 'static {
    fn open<'a>(&'a self, c: &'a Client, o: &'a OpenOptions) -> BoxFuture<'a, Result<Page<T>>>;
    fn pull<'a>(
        &'a self,
        c: &'a Client,
        ctx: &'a EnumerationContext,
        n: u32,
    ) -> BoxFuture<'a, Result<Page<T>>>;
    fn fallback<'a>(&'a self, c: &'a Client) -> BoxFuture<'a, Result<Vec<T>>>;
}

struct EnumInstances(String, EnumerateInstancesOptions);
impl Source<Instance> for EnumInstances {
    fn open<'a>(
        &'a self,
        c: &'a Client,
        o: &'a OpenOptions,
    ) -> BoxFuture<'a, Result<Page<Instance>>> {
        c.open_enumerate_instances(&self.0, &self.1, o).boxed()
    }
    fn pull<'a>(
        &'a self,
        c: &'a Client,
        ctx: &'a EnumerationContext,
        n: u32,
    ) -> BoxFuture<'a, Result<Page<Instance>>> {
        c.pull_instances_with_path(ctx, n).boxed()
    }
    fn fallback<'a>(&'a self, c: &'a Client) -> BoxFuture<'a, Result<Vec<Instance>>> {
        c.enumerate_instances(&self.0, &self.1).boxed()
    }
}

struct EnumPaths(String, Option<String>);
impl Source<ObjectPath> for EnumPaths {
    fn open<'a>(
        &'a self,
        c: &'a Client,
        o: &'a OpenOptions,
    ) -> BoxFuture<'a, Result<Page<ObjectPath>>> {
        c.open_enumerate_instance_paths(&self.0, self.1.as_deref(), o)
            .boxed()
    }
    fn pull<'a>(
        &'a self,
        c: &'a Client,
        ctx: &'a EnumerationContext,
        n: u32,
    ) -> BoxFuture<'a, Result<Page<ObjectPath>>> {
        c.pull_instance_paths(ctx, n).boxed()
    }
    fn fallback<'a>(&'a self, c: &'a Client) -> BoxFuture<'a, Result<Vec<ObjectPath>>> {
        c.enumerate_instance_names(&self.0, self.1.as_deref())
            .boxed()
    }
}

struct AssocInstances(ObjectPath, AssociatorsOptions);
impl Source<Instance> for AssocInstances {
    fn open<'a>(
        &'a self,
        c: &'a Client,
        o: &'a OpenOptions,
    ) -> BoxFuture<'a, Result<Page<Instance>>> {
        c.open_associator_instances(&self.0, &self.1, o).boxed()
    }
    fn pull<'a>(
        &'a self,
        c: &'a Client,
        ctx: &'a EnumerationContext,
        n: u32,
    ) -> BoxFuture<'a, Result<Page<Instance>>> {
        c.pull_instances_with_path(ctx, n).boxed()
    }
    fn fallback<'a>(&'a self, c: &'a Client) -> BoxFuture<'a, Result<Vec<Instance>>> {
        c.associator_instances(&self.0, &self.1).boxed()
    }
}

struct AssocPaths(ObjectPath, AssociatorsOptions);
impl Source<ObjectPath> for AssocPaths {
    fn open<'a>(
        &'a self,
        c: &'a Client,
        o: &'a OpenOptions,
    ) -> BoxFuture<'a, Result<Page<ObjectPath>>> {
        c.open_associator_instance_paths(&self.0, &self.1, o)
            .boxed()
    }
    fn pull<'a>(
        &'a self,
        c: &'a Client,
        ctx: &'a EnumerationContext,
        n: u32,
    ) -> BoxFuture<'a, Result<Page<ObjectPath>>> {
        c.pull_instance_paths(ctx, n).boxed()
    }
    fn fallback<'a>(&'a self, c: &'a Client) -> BoxFuture<'a, Result<Vec<ObjectPath>>> {
        c.associator_names(&self.0, &self.1).boxed()
    }
}

struct RefInstances(ObjectPath, ReferencesOptions);
impl Source<Instance> for RefInstances {
    fn open<'a>(
        &'a self,
        c: &'a Client,
        o: &'a OpenOptions,
    ) -> BoxFuture<'a, Result<Page<Instance>>> {
        c.open_reference_instances(&self.0, &self.1, o).boxed()
    }
    fn pull<'a>(
        &'a self,
        c: &'a Client,
        ctx: &'a EnumerationContext,
        n: u32,
    ) -> BoxFuture<'a, Result<Page<Instance>>> {
        c.pull_instances_with_path(ctx, n).boxed()
    }
    fn fallback<'a>(&'a self, c: &'a Client) -> BoxFuture<'a, Result<Vec<Instance>>> {
        async move {
            Ok(c.references(&self.0, &self.1)
                .await?
                .into_iter()
                .filter_map(CimObject::into_instance)
                .collect())
        }
        .boxed()
    }
}

struct RefPaths(ObjectPath, ReferencesOptions);
impl Source<ObjectPath> for RefPaths {
    fn open<'a>(
        &'a self,
        c: &'a Client,
        o: &'a OpenOptions,
    ) -> BoxFuture<'a, Result<Page<ObjectPath>>> {
        c.open_reference_instance_paths(&self.0, &self.1, o).boxed()
    }
    fn pull<'a>(
        &'a self,
        c: &'a Client,
        ctx: &'a EnumerationContext,
        n: u32,
    ) -> BoxFuture<'a, Result<Page<ObjectPath>>> {
        c.pull_instance_paths(ctx, n).boxed()
    }
    fn fallback<'a>(&'a self, c: &'a Client) -> BoxFuture<'a, Result<Vec<ObjectPath>>> {
        c.reference_names(&self.0, &self.1).boxed()
    }
}

struct Query(Option<String>, String, String);
impl Source<Instance> for Query {
    fn open<'a>(
        &'a self,
        c: &'a Client,
        o: &'a OpenOptions,
    ) -> BoxFuture<'a, Result<Page<Instance>>> {
        c.open_query_instances(self.0.as_deref(), &self.1, &self.2, o)
            .boxed()
    }
    fn pull<'a>(
        &'a self,
        c: &'a Client,
        ctx: &'a EnumerationContext,
        n: u32,
    ) -> BoxFuture<'a, Result<Page<Instance>>> {
        c.pull_instances(ctx, n).boxed()
    }
    fn fallback<'a>(&'a self, c: &'a Client) -> BoxFuture<'a, Result<Vec<Instance>>> {
        async move {
            Ok(c.exec_query(self.0.as_deref(), &self.1, &self.2)
                .await?
                .into_iter()
                .filter_map(CimObject::into_instance)
                .collect())
        }
        .boxed()
    }
}

/// Closes a still-open enumeration context when the stream is dropped early.
struct CloseGuard {
    client: Client,
    ctx: Option<EnumerationContext>,
}

impl Drop for CloseGuard {
    fn drop(&mut self) {
        if let Some(ctx) = self.ctx.take() {
            if let Ok(handle) = tokio::runtime::Handle::try_current() {
                let client = self.client.clone();
                handle.spawn(async move {
                    if let Err(e) = client.close_enumeration(&ctx).await {
                        tracing::debug!(error = %e, "CloseEnumeration after an early drop failed");
                    }
                });
            }
        }
    }
}

enum Phase {
    Start,
    Pulling(EnumerationContext),
    Done,
}

struct State<T> {
    source: Arc<dyn Source<T>>,
    open: OpenOptions,
    page: u32,
    buf: VecDeque<T>,
    phase: Phase,
    guard: CloseGuard,
}

fn refused_open(e: &Error) -> bool {
    matches!(
        e.cim_status(),
        Some(CimStatus::NotSupported | CimStatus::Failed)
    ) && matches!(e, Error::Cim { .. })
}

async fn step<T: Send + 'static>(mut st: State<T>) -> Option<(Result<T>, State<T>)> {
    loop {
        if let Some(x) = st.buf.pop_front() {
            return Some((Ok(x), st));
        }
        let client = st.guard.client.clone();
        let result = match std::mem::replace(&mut st.phase, Phase::Done) {
            Phase::Done => return None,
            Phase::Start => {
                if client.inner.pull_unsupported.load(Ordering::Relaxed) {
                    Err(None)
                } else {
                    match st.source.open(&client, &st.open).await {
                        Ok(p) => Ok(p),
                        Err(e) if refused_open(&e) => {
                            tracing::debug!(error = %e, "pull operations refused; falling back to the traditional operation");
                            client.inner.pull_unsupported.store(true, Ordering::Relaxed);
                            Err(None)
                        }
                        Err(e) => Err(Some(e)),
                    }
                }
            }
            Phase::Pulling(ctx) => st.source.pull(&client, &ctx, st.page).await.map_err(Some),
        };
        match result {
            Ok((page, ctx)) => {
                st.buf.extend(page.items);
                st.guard.ctx = ctx.clone();
                st.phase = ctx.map(Phase::Pulling).unwrap_or(Phase::Done);
                // A page may be empty while EndOfSequence is false (OpenPegasus): loop.
            }
            Err(Some(e)) => {
                st.guard.ctx = None;
                return Some((Err(e), st));
            }
            Err(None) => {
                if st.open.filter.is_some() || st.open.continue_on_error.is_some() {
                    return Some((
                        Err(Error::InvalidArgument(
                            "the server does not support pull operations, and FilterQuery/ContinueOnError have no traditional equivalent".into(),
                        )),
                        st,
                    ));
                }
                match st.source.fallback(&client).await {
                    Ok(v) => st.buf.extend(v),
                    Err(e) => return Some((Err(e), st)),
                }
            }
        }
    }
}

/// A stream of instances or paths from a pull enumeration (see the module docs).
pub struct PullStream<T> {
    inner: Pin<Box<dyn Stream<Item = Result<T>> + Send>>,
}

impl<T> Stream for PullStream<T> {
    type Item = Result<T>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl<T> std::fmt::Debug for PullStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PullStream")
    }
}

impl Client {
    fn stream<T: Send + 'static>(
        &self,
        source: Arc<dyn Source<T>>,
        open: &OpenOptions,
    ) -> PullStream<T> {
        let page = open
            .max_object_count
            .filter(|n| *n > 0)
            .unwrap_or(DEFAULT_PAGE_SIZE);
        let mut open = open.clone();
        open.max_object_count = Some(page);
        let st = State {
            source,
            open,
            page,
            buf: VecDeque::new(),
            phase: Phase::Start,
            guard: CloseGuard {
                client: self.clone(),
                ctx: None,
            },
        };
        PullStream {
            inner: Box::pin(futures::stream::unfold(st, step)),
        }
    }

    /// Streams the instances of `class` (OpenEnumerateInstances + PullInstancesWithPath,
    /// or EnumerateInstances when the server has no pull support).
    pub fn enumerate_instances_stream(
        &self,
        class: &str,
        opts: &EnumerateInstancesOptions,
        open: &OpenOptions,
    ) -> PullStream<Instance> {
        self.stream(
            Arc::new(EnumInstances(class.to_string(), opts.clone())),
            open,
        )
    }

    /// Streams the instance paths of `class`.
    pub fn enumerate_instance_paths_stream(
        &self,
        class: &str,
        namespace: Option<&str>,
        open: &OpenOptions,
    ) -> PullStream<ObjectPath> {
        self.stream(
            Arc::new(EnumPaths(class.to_string(), namespace.map(str::to_string))),
            open,
        )
    }

    /// Streams the instances associated with `path`.
    pub fn associators_stream(
        &self,
        path: &ObjectPath,
        opts: &AssociatorsOptions,
        open: &OpenOptions,
    ) -> PullStream<Instance> {
        self.stream(Arc::new(AssocInstances(path.clone(), opts.clone())), open)
    }

    /// Streams the paths of the instances associated with `path`.
    pub fn associator_paths_stream(
        &self,
        path: &ObjectPath,
        opts: &AssociatorsOptions,
        open: &OpenOptions,
    ) -> PullStream<ObjectPath> {
        self.stream(Arc::new(AssocPaths(path.clone(), opts.clone())), open)
    }

    /// Streams the association instances that refer to `path`.
    pub fn references_stream(
        &self,
        path: &ObjectPath,
        opts: &ReferencesOptions,
        open: &OpenOptions,
    ) -> PullStream<Instance> {
        self.stream(Arc::new(RefInstances(path.clone(), opts.clone())), open)
    }

    /// Streams the paths of the association instances that refer to `path`.
    pub fn reference_paths_stream(
        &self,
        path: &ObjectPath,
        opts: &ReferencesOptions,
        open: &OpenOptions,
    ) -> PullStream<ObjectPath> {
        self.stream(Arc::new(RefPaths(path.clone(), opts.clone())), open)
    }

    /// Streams the instances a query returns (OpenQueryInstances + PullInstances, or ExecQuery).
    pub fn query_stream(
        &self,
        namespace: Option<&str>,
        language: &str,
        query: &str,
        open: &OpenOptions,
    ) -> PullStream<Instance> {
        self.stream(
            Arc::new(Query(
                namespace.map(str::to_string),
                language.to_string(),
                query.to_string(),
            )),
            open,
        )
    }
}

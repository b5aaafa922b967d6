//! Pull enumerations as `futures::Stream`s.
//!
//! A stream opens the enumeration with `MaxObjectCount` = the page size, yields the page,
//! pulls the next one only when the consumer has taken everything (so memory stays bounded
//! by one page), closes the context with CloseEnumeration when dropped early, and falls
//! back to the traditional operation when the server answers the Open with
//! CIM_ERR_NOT_SUPPORTED or CIM_ERR_FAILED (SFCB does the latter; pywbem issue #2736,
//! PR #2738). After one such refusal the client goes straight to the traditional
//! operations. The traditional operations' responses are decoded as they arrive
//! ([`Client::intrinsic_stream`]), so a fallback enumeration also holds one object at a
//! time, not the whole response.
//!
//! Every stream is bounded as a whole ([`EnumerationLimits`]): a deadline for the whole
//! enumeration, a limit on consecutive empty pages and an optional item limit, so that a
//! server answering `EndOfSequence=FALSE` forever cannot keep a caller pulling forever; the
//! stream then ends with [`Error::EnumerationBound`]. A dropped or failed stream closes its
//! enumeration context (CloseEnumeration, DSP0200 §5.4.2.26).

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use futures::future::BoxFuture;
use futures::{FutureExt, Stream, StreamExt};
use tokio::time::Instant;

use super::Client;
use super::options::{
    AssociatorsOptions, EnumerateInstancesOptions, EnumerationContext, OpenOptions,
    ReferencesOptions,
};
use super::stream::ReturnStream;
use crate::cim::{CimName, Instance, ObjectPath};
use crate::error::{CimStatus, Error, Result};
use crate::message::{CimObject, Intrinsic, PullResult, op};
use crate::xml::ReturnItem;

/// Default page size (pywbem's `DEFAULT_ITER_MAXOBJECTCOUNT`).
pub const DEFAULT_PAGE_SIZE: u32 = 1000;

/// Bounds on one whole enumeration stream.
///
/// ```
/// use std::time::Duration;
/// use smis::client::EnumerationLimits;
/// let limits = EnumerationLimits::default()
///     .deadline(Duration::from_secs(300))
///     .max_items(100_000);
/// # let _ = limits;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct EnumerationLimits {
    /// The whole enumeration (open, every pull, or the whole fallback response) must end
    /// within this time (default 1 hour; `None` for no deadline).
    pub deadline: Option<Duration>,
    /// Most consecutive empty pages with `EndOfSequence=FALSE` accepted (default 100;
    /// OpenPegasus sends a few while its providers are slow).
    pub max_empty_pages: u32,
    /// Most items the enumeration may return (default `None`: unlimited); one more is an
    /// error, not a silent truncation.
    pub max_items: Option<u64>,
}

impl EnumerationLimits {
    /// Sets the deadline of the whole enumeration (`None`: no deadline).
    pub fn deadline(mut self, deadline: impl Into<Option<Duration>>) -> Self {
        self.deadline = deadline.into();
        self
    }

    /// Sets the most consecutive empty pages accepted.
    pub fn max_empty_pages(mut self, pages: u32) -> Self {
        self.max_empty_pages = pages;
        self
    }

    /// Sets the most items the enumeration may return (`None`: unlimited).
    pub fn max_items(mut self, items: impl Into<Option<u64>>) -> Self {
        self.max_items = items.into();
        self
    }
}

impl Default for EnumerationLimits {
    fn default() -> Self {
        EnumerationLimits {
            deadline: Some(Duration::from_secs(3600)),
            max_empty_pages: 100,
            max_items: None,
        }
    }
}

/// Which bound of [`EnumerationLimits`] an enumeration hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EnumerationBound {
    /// The whole-enumeration deadline passed.
    Deadline(Duration),
    /// This many consecutive empty pages came with `EndOfSequence=FALSE`.
    EmptyPages(u32),
    /// The server had more than this many items.
    Items(u64),
}

impl std::fmt::Display for EnumerationBound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EnumerationBound::Deadline(d) => {
                write!(
                    f,
                    "the enumeration did not end within its deadline of {d:?}"
                )
            }
            EnumerationBound::EmptyPages(n) => write!(
                f,
                "the server sent {n} consecutive empty pages without ending the enumeration"
            ),
            EnumerationBound::Items(n) => {
                write!(f, "the enumeration has more than its limit of {n} items")
            }
        }
    }
}

type Page<T> = (PullResult<T>, Option<EnumerationContext>);

/// What a stream yields: instances (pulled with PullInstancesWithPath) or paths (with
/// PullInstancePaths), and how one object of a fallback response becomes one.
trait Item: Sized + Send + 'static {
    fn pull<'a>(
        c: &'a Client,
        ctx: &'a EnumerationContext,
        n: u32,
    ) -> BoxFuture<'a, Result<Page<Self>>>;
    /// `None`: not wanted (e.g. a class among the results of References).
    fn from_item(c: &Client, ns: &str, item: ReturnItem) -> Result<Option<Self>>;
}

impl Item for Instance {
    fn pull<'a>(
        c: &'a Client,
        ctx: &'a EnumerationContext,
        n: u32,
    ) -> BoxFuture<'a, Result<Page<Self>>> {
        c.pull_instances_with_path(ctx, n).boxed()
    }
    fn from_item(c: &Client, ns: &str, item: ReturnItem) -> Result<Option<Self>> {
        instance_item(c, ns, item)
    }
}

impl Item for ObjectPath {
    fn pull<'a>(
        c: &'a Client,
        ctx: &'a EnumerationContext,
        n: u32,
    ) -> BoxFuture<'a, Result<Page<Self>>> {
        c.pull_instance_paths(ctx, n).boxed()
    }
    fn from_item(c: &Client, ns: &str, item: ReturnItem) -> Result<Option<Self>> {
        path_item(c, ns, item)
    }
}

/// What a pull stream enumerates: how to open, pull, and fall back.
trait Source<T>: Send + Sync + 'static {
    fn open<'a>(&'a self, c: &'a Client, o: &'a OpenOptions) -> BoxFuture<'a, Result<Page<T>>>;
    fn pull<'a>(
        &'a self,
        c: &'a Client,
        ctx: &'a EnumerationContext,
        n: u32,
    ) -> BoxFuture<'a, Result<Page<T>>>;
    /// The traditional operation and its namespace.
    fn fallback(&self, c: &Client) -> (String, Intrinsic);
    /// One object of the traditional operation's response (`None`: not wanted).
    fn item(&self, c: &Client, ns: &str, item: ReturnItem) -> Result<Option<T>>;
}

impl<T: Item, S: Opener<T>> Source<T> for S {
    fn open<'a>(&'a self, c: &'a Client, o: &'a OpenOptions) -> BoxFuture<'a, Result<Page<T>>> {
        Opener::open(self, c, o)
    }
    fn pull<'a>(
        &'a self,
        c: &'a Client,
        ctx: &'a EnumerationContext,
        n: u32,
    ) -> BoxFuture<'a, Result<Page<T>>> {
        Opener::pull(self, c, ctx, n)
    }
    fn fallback(&self, c: &Client) -> (String, Intrinsic) {
        Opener::fallback(self, c)
    }
    fn item(&self, c: &Client, ns: &str, item: ReturnItem) -> Result<Option<T>> {
        Opener::item(self, c, ns, item)
    }
}

/// A [`Source`] by what differs between enumerations; pulling and the fallback's objects
/// follow from what is enumerated ([`Item`]) unless overridden.
trait Opener<T: Item>: Send + Sync + 'static {
    fn open<'a>(&'a self, c: &'a Client, o: &'a OpenOptions) -> BoxFuture<'a, Result<Page<T>>>;
    fn pull<'a>(
        &'a self,
        c: &'a Client,
        ctx: &'a EnumerationContext,
        n: u32,
    ) -> BoxFuture<'a, Result<Page<T>>> {
        T::pull(c, ctx, n)
    }
    /// The traditional operation and its namespace.
    fn fallback(&self, c: &Client) -> (String, Intrinsic);
    /// One object of the traditional operation's response (`None`: not wanted, e.g. a
    /// class among the results of References).
    fn item(&self, c: &Client, ns: &str, item: ReturnItem) -> Result<Option<T>> {
        T::from_item(c, ns, item)
    }
}

fn wrong_item(item: &ReturnItem) -> Error {
    Error::UnexpectedResponse(
        format!("unexpected object in the response: {item:?}")
            .chars()
            .take(300)
            .collect(),
    )
}

fn instance_item(c: &Client, ns: &str, item: ReturnItem) -> Result<Option<Instance>> {
    match item {
        ReturnItem::Instance(i) | ReturnItem::Object(CimObject::Instance(i)) => {
            Ok(Some(c.return_context(ns).instance(i)))
        }
        ReturnItem::Object(CimObject::Class(_)) | ReturnItem::Class(_) => Ok(None),
        other => Err(wrong_item(&other)),
    }
}

fn path_item(c: &Client, ns: &str, item: ReturnItem) -> Result<Option<ObjectPath>> {
    match item {
        ReturnItem::Path(p) => Ok(Some(c.return_context(ns).path(p))),
        other => Err(wrong_item(&other)),
    }
}

struct EnumInstances(String, EnumerateInstancesOptions);
impl Opener<Instance> for EnumInstances {
    fn open<'a>(
        &'a self,
        c: &'a Client,
        o: &'a OpenOptions,
    ) -> BoxFuture<'a, Result<Page<Instance>>> {
        c.open_enumerate_instances(&self.0, &self.1, o).boxed()
    }
    fn fallback(&self, c: &Client) -> (String, Intrinsic) {
        let ns = c.target_ns(None, self.1.namespace.as_deref());
        (ns, self.1.enumerate(&self.0).into())
    }
}

struct EnumPaths(String, Option<String>);
impl Opener<ObjectPath> for EnumPaths {
    fn open<'a>(
        &'a self,
        c: &'a Client,
        o: &'a OpenOptions,
    ) -> BoxFuture<'a, Result<Page<ObjectPath>>> {
        c.open_enumerate_instance_paths(&self.0, self.1.as_deref(), o)
            .boxed()
    }
    fn fallback(&self, c: &Client) -> (String, Intrinsic) {
        let class_name = CimName::new(&self.0);
        let op = op::EnumerateInstanceNames { class_name };
        (c.target_ns(None, self.1.as_deref()), op.into())
    }
}

struct AssocInstances(ObjectPath, AssociatorsOptions);
impl Opener<Instance> for AssocInstances {
    fn open<'a>(
        &'a self,
        c: &'a Client,
        o: &'a OpenOptions,
    ) -> BoxFuture<'a, Result<Page<Instance>>> {
        c.open_associator_instances(&self.0, &self.1, o).boxed()
    }
    fn fallback(&self, c: &Client) -> (String, Intrinsic) {
        let ns = c.target_ns(Some(&self.0), self.1.namespace.as_deref());
        (ns, self.1.associators(&self.0).into())
    }
}

struct AssocPaths(ObjectPath, AssociatorsOptions);
impl Opener<ObjectPath> for AssocPaths {
    fn open<'a>(
        &'a self,
        c: &'a Client,
        o: &'a OpenOptions,
    ) -> BoxFuture<'a, Result<Page<ObjectPath>>> {
        c.open_associator_instance_paths(&self.0, &self.1, o)
            .boxed()
    }
    fn fallback(&self, c: &Client) -> (String, Intrinsic) {
        let ns = c.target_ns(Some(&self.0), self.1.namespace.as_deref());
        (ns, self.1.names(&self.0).into())
    }
}

struct RefInstances(ObjectPath, ReferencesOptions);
impl Opener<Instance> for RefInstances {
    fn open<'a>(
        &'a self,
        c: &'a Client,
        o: &'a OpenOptions,
    ) -> BoxFuture<'a, Result<Page<Instance>>> {
        c.open_reference_instances(&self.0, &self.1, o).boxed()
    }
    fn fallback(&self, c: &Client) -> (String, Intrinsic) {
        let ns = c.target_ns(Some(&self.0), self.1.namespace.as_deref());
        (ns, self.1.references(&self.0).into())
    }
}

struct RefPaths(ObjectPath, ReferencesOptions);
impl Opener<ObjectPath> for RefPaths {
    fn open<'a>(
        &'a self,
        c: &'a Client,
        o: &'a OpenOptions,
    ) -> BoxFuture<'a, Result<Page<ObjectPath>>> {
        c.open_reference_instance_paths(&self.0, &self.1, o).boxed()
    }
    fn fallback(&self, c: &Client) -> (String, Intrinsic) {
        let ns = c.target_ns(Some(&self.0), self.1.namespace.as_deref());
        (ns, self.1.names(&self.0).into())
    }
}

struct Query(Option<String>, String, String);
impl Opener<Instance> for Query {
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
    fn fallback(&self, c: &Client) -> (String, Intrinsic) {
        let op = op::ExecQuery {
            query_language: self.1.clone(),
            query: self.2.clone(),
        };
        (c.target_ns(None, self.0.as_deref()), op.into())
    }
    fn item(&self, c: &Client, ns: &str, item: ReturnItem) -> Result<Option<Instance>> {
        // A VALUE.OBJECT instance has no path: give it its class and the query's namespace
        // (no keys), as ExecQuery does.
        let item = match item {
            ReturnItem::Object(mut o) => {
                crate::client::query_paths::give_paths(std::slice::from_mut(&mut o), ns);
                ReturnItem::Object(o)
            }
            other => other,
        };
        instance_item(c, ns, item)
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
    Fallback(ReturnStream, String),
    Done,
}

struct State<T> {
    source: Arc<dyn Source<T>>,
    open: OpenOptions,
    page: u32,
    buf: VecDeque<T>,
    phase: Phase,
    guard: CloseGuard,
    limits: EnumerationLimits,
    deadline: Option<Instant>,
    operation: &'static str,
    items: u64,
    responses: u64,
    empty_pages: u32,
    high_water: Arc<AtomicUsize>,
}

fn refused_open(e: &Error) -> bool {
    matches!(
        e.cim_status(),
        Some(CimStatus::NotSupported | CimStatus::Failed)
    ) && matches!(e, Error::Cim { .. })
}

impl<T> State<T> {
    fn bound(&mut self, bound: EnumerationBound) -> Error {
        self.phase = Phase::Done;
        Error::EnumerationBound {
            operation: self.operation.to_string(),
            bound,
            items: self.items,
            responses: self.responses,
        }
    }

    /// Awaits `fut` within the enumeration's deadline.
    async fn timed<F: std::future::Future>(&mut self, fut: F) -> Result<F::Output> {
        match self.deadline {
            None => Ok(fut.await),
            Some(at) => match tokio::time::timeout_at(at, fut).await {
                Ok(v) => Ok(v),
                Err(_) => {
                    let d = self.limits.deadline.unwrap_or_default();
                    Err(self.bound(EnumerationBound::Deadline(d)))
                }
            },
        }
    }

    /// Counts one item about to be yielded against the item limit.
    fn count(&mut self) -> Result<()> {
        if let Some(max) = self.limits.max_items {
            if self.items >= max {
                return Err(self.bound(EnumerationBound::Items(max)));
            }
        }
        self.items += 1;
        Ok(())
    }
}

async fn step<T: Send + 'static>(mut st: State<T>) -> Option<(Result<T>, State<T>)> {
    if st.deadline.is_none() && matches!(st.phase, Phase::Start) {
        st.deadline = st.limits.deadline.map(|d| {
            Instant::now()
                .checked_add(d)
                .unwrap_or_else(|| Instant::now() + Duration::from_secs(86400 * 365 * 30))
        });
    }
    loop {
        if let Some(x) = st.buf.pop_front() {
            return Some((st.count().map(|()| x), st));
        }
        let client = st.guard.client.clone();
        let result = match std::mem::replace(&mut st.phase, Phase::Done) {
            Phase::Done => return None,
            Phase::Fallback(mut items, ns) => {
                let next = match st.timed(items.next()).await {
                    Ok(n) => n,
                    Err(e) => return Some((Err(e), st)),
                };
                match next {
                    None => return None,
                    Some(Err(e)) => return Some((Err(e), st)),
                    Some(Ok(item)) => match st.source.item(&client, &ns, item) {
                        Ok(Some(x)) => {
                            st.phase = Phase::Fallback(items, ns);
                            return Some((st.count().map(|()| x), st));
                        }
                        Ok(None) => {
                            st.phase = Phase::Fallback(items, ns);
                            continue;
                        }
                        Err(e) => return Some((Err(e), st)),
                    },
                }
            }
            Phase::Start => {
                if client.inner.pull_unsupported.load(Ordering::Relaxed) {
                    Err(None)
                } else {
                    let source = st.source.clone();
                    let open = st.open.clone();
                    match st.timed(source.open(&client, &open)).await {
                        Err(e) => return Some((Err(e), st)),
                        Ok(Ok(p)) => Ok(p),
                        Ok(Err(e)) if refused_open(&e) => {
                            tracing::debug!(error = %e, "pull operations refused; falling back to the traditional operation");
                            client.inner.pull_unsupported.store(true, Ordering::Relaxed);
                            Err(None)
                        }
                        Ok(Err(e)) => Err(Some(e)),
                    }
                }
            }
            Phase::Pulling(ctx) => {
                let source = st.source.clone();
                let page = st.page;
                // The context stays in the guard: a deadline here closes it on drop.
                match st.timed(source.pull(&client, &ctx, page)).await {
                    Err(e) => return Some((Err(e), st)),
                    Ok(r) => r.map_err(Some),
                }
            }
        };
        match result {
            Ok((page, ctx)) => {
                st.responses += 1;
                let empty = page.items.is_empty();
                st.buf.extend(page.items);
                st.guard.ctx = ctx.clone();
                st.phase = ctx.map(Phase::Pulling).unwrap_or(Phase::Done);
                // A page may be empty while EndOfSequence is false (OpenPegasus): loop,
                // but not forever.
                if empty && matches!(st.phase, Phase::Pulling(_)) {
                    st.empty_pages += 1;
                    if st.empty_pages > st.limits.max_empty_pages {
                        let n = st.empty_pages;
                        return Some((Err(st.bound(EnumerationBound::EmptyPages(n))), st));
                    }
                } else {
                    st.empty_pages = 0;
                }
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
                let (ns, op) = st.source.fallback(&client);
                st.operation = op.name();
                st.responses += 1;
                let items = client.intrinsic_stream_shared(&ns, op, st.high_water.clone());
                st.phase = Phase::Fallback(items, ns);
            }
        }
    }
}

/// A stream of instances or paths from a pull enumeration (see the module docs).
///
/// Nothing is sent before the first poll; [`PullStream::with_limits`] changes the bounds
/// until then.
pub struct PullStream<T> {
    pending: Option<State<T>>,
    inner: Option<Pin<Box<dyn Stream<Item = Result<T>> + Send>>>,
    high_water: Arc<AtomicUsize>,
}

// Nothing of a PullStream is pinned in place (the running stream is boxed).
impl<T> Unpin for PullStream<T> {}

impl<T: Send + 'static> Stream for PullStream<T> {
    type Item = Result<T>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.inner.is_none() {
            match self.pending.take() {
                Some(st) => self.inner = Some(Box::pin(futures::stream::unfold(st, step))),
                None => return Poll::Ready(None),
            }
        }
        match self.inner.as_mut() {
            Some(s) => s.as_mut().poll_next(cx),
            None => Poll::Ready(None),
        }
    }
}

impl<T> std::fmt::Debug for PullStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PullStream")
    }
}

impl<T> PullStream<T> {
    /// The same stream with other bounds (before its first poll; later calls change
    /// nothing). The client's default comes from
    /// [`ClientBuilder::enumeration_limits`](super::ClientBuilder::enumeration_limits).
    pub fn with_limits(mut self, limits: EnumerationLimits) -> Self {
        if let Some(st) = self.pending.as_mut() {
            st.limits = limits;
        }
        self
    }

    /// The most bytes the response decoder has held at once when the enumeration fell back
    /// to a traditional operation (0 for pull pages, which are bounded by the page size).
    pub fn high_water_mark(&self) -> usize {
        self.high_water.load(Ordering::Relaxed)
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
        let high_water = Arc::new(AtomicUsize::new(0));
        let operation = source.fallback(self).1.name();
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
            limits: self.inner.enumeration_limits,
            deadline: None,
            operation,
            items: 0,
            responses: 0,
            empty_pages: 0,
            high_water: high_water.clone(),
        };
        PullStream {
            pending: Some(st),
            inner: None,
            high_water,
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

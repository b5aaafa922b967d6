//! Intrinsic operations whose IRETURNVALUE is decoded while the response arrives.
//!
//! [`Client::intrinsic_stream`] sends one operation and yields the top-level objects of its
//! response one by one ([`ResponseStreamDecoder`]): memory is bounded by one body chunk plus
//! one object whatever the response size, and the client's response limit applies to what
//! is held at once, not to the whole body. The envelope is checked before the first object
//! (version, operation name, an ERROR instead of a result), and again at the end, where a
//! CIM error sent late in a chunked trailer (`CIMStatusCode`, as OpenPegasus does) becomes
//! [`Error::Cim`](crate::Error::Cim).

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

use bytes::Bytes;
use futures::{Stream, StreamExt};
use http::HeaderMap;

use super::{Client, header_object};
use crate::error::{Error, Result};
use crate::message::{Intrinsic, IntrinsicRequest, Request, RequestMessage, ReturnKind};
use crate::transport::{BodyPart, BodyStream, HttpRequest, HttpResponse};
use crate::xml::{ResponseStreamDecoder, ReturnItem, StreamEvent, encode_request};

/// The objects of one intrinsic response as they arrive (see the module docs).
pub struct ReturnStream {
    inner: Pin<Box<dyn Stream<Item = Result<ReturnItem>> + Send>>,
    high_water: Arc<AtomicUsize>,
}

impl std::fmt::Debug for ReturnStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReturnStream")
            .field("high_water_mark", &self.high_water_mark())
            .finish()
    }
}

impl ReturnStream {
    /// The most bytes the decoder has held at once so far (envelope, unconsumed input and
    /// one incomplete object): what bounds the stream's memory.
    pub fn high_water_mark(&self) -> usize {
        self.high_water.load(Ordering::Relaxed)
    }

    /// A shared handle on the high-water mark that stays readable after the stream is gone.
    pub fn high_water_handle(&self) -> Arc<AtomicUsize> {
        self.high_water.clone()
    }
}

impl Stream for ReturnStream {
    type Item = Result<ReturnItem>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

struct Body {
    op: String,
    id: String,
    request: Request,
    headers: HeaderMap,
    body: BodyStream,
    decoder: ResponseStreamDecoder,
    trailers: Option<HeaderMap>,
    /// Pull responses carry EndOfSequence after IRETURNVALUE: their envelope is checked
    /// at the end only.
    pull: bool,
}

enum Phase {
    Start(Box<Request>),
    Body(Box<Body>),
    Done,
}

struct State {
    client: Client,
    phase: Phase,
    high_water: Arc<AtomicUsize>,
}

impl Client {
    /// Sends an intrinsic operation and streams the objects of its IRETURNVALUE as the
    /// response arrives (see the module docs). Paths are as the server sent them. For
    /// operations that return one object (GetInstance, CreateInstance, GetClass,
    /// GetQualifier) the stream is a single [`Error::InvalidArgument`]: use
    /// [`Client::intrinsic`].
    ///
    /// ```no_run
    /// # async fn f(client: smis::Client) -> smis::Result<()> {
    /// use futures::StreamExt;
    /// use smis::cim::CimName;
    /// use smis::message::Intrinsic;
    /// use smis::xml::ReturnItem;
    /// let op = Intrinsic::EnumerateInstanceNames { class_name: CimName::new("CIM_StorageVolume") };
    /// let mut s = client.intrinsic_stream("root/emc", op);
    /// while let Some(item) = s.next().await {
    ///     if let ReturnItem::Path(p) = item? {
    ///         println!("{p}");
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn intrinsic_stream(&self, namespace: &str, op: Intrinsic) -> ReturnStream {
        self.intrinsic_stream_shared(namespace, op, Arc::new(AtomicUsize::new(0)))
    }

    /// [`Client::intrinsic_stream`] reporting its high-water mark into `high_water`.
    pub(crate) fn intrinsic_stream_shared(
        &self,
        namespace: &str,
        op: Intrinsic,
        high_water: Arc<AtomicUsize>,
    ) -> ReturnStream {
        let state = State {
            client: self.clone(),
            phase: Phase::Start(Box::new(Request::Intrinsic(IntrinsicRequest {
                namespace: namespace.to_string(),
                op,
            }))),
            high_water: high_water.clone(),
        };
        ReturnStream {
            inner: Box::pin(futures::stream::unfold(state, step)),
            high_water,
        }
    }

    async fn start_stream(&self, request: Request) -> Result<Body> {
        let id = self
            .inner
            .next_id
            .fetch_add(1, Ordering::Relaxed)
            .to_string();
        let op = request.method_name().to_string();
        let kind = ReturnKind::for_operation(&op).unwrap_or(ReturnKind::Nothing);
        use ReturnKind as K;
        if matches!(
            kind,
            K::Instance | K::InstanceName | K::Class | K::QualifierDecl
        ) {
            return Err(Error::InvalidArgument(format!(
                "{op} returns one object: use Client::intrinsic, not a stream"
            )));
        }
        let object = header_object(&request);
        let msg = RequestMessage { id, request };
        let body = Bytes::from(encode_request(&msg)?);
        let headers = self.headers(&msg.request, &object)?;
        let response = self
            .inner
            .transport
            .send_streaming(HttpRequest {
                path: "/cimom".into(),
                headers,
                body,
            })
            .await?;
        let RequestMessage { id, request } = msg;
        let ok_type = response
            .headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_none_or(|ct| {
                let ct = ct.trim().to_ascii_lowercase();
                ct.starts_with("application/xml") || ct.starts_with("text/xml")
            });
        if response.status != http::StatusCode::OK || !ok_type {
            // The status and headers alone say what is wrong (see `interpret`).
            let head = HttpResponse {
                status: response.status,
                headers: response.headers,
                trailers: None,
                body: Bytes::new(),
            };
            return match self.interpret(&op, &id, &request, head) {
                Err(e) => Err(e),
                Ok(_) => Err(Error::UnexpectedResponse(format!("{op}: empty response"))),
            };
        }
        Ok(Body {
            op,
            id,
            request,
            headers: response.headers,
            body: response.body,
            decoder: ResponseStreamDecoder::new(kind, self.inner.limits),
            trailers: None,
            pull: matches!(
                kind,
                K::PullInstancesWithPath | K::PullInstances | K::PullPaths
            ),
        })
    }

    /// Checks a complete envelope document (`doc`) as `call` checks a whole response.
    fn check_envelope(&self, b: &Body, doc: Vec<u8>, trailers: Option<HeaderMap>) -> Result<()> {
        let response = HttpResponse {
            status: http::StatusCode::OK,
            headers: b.headers.clone(),
            trailers,
            body: Bytes::from(doc),
        };
        self.interpret(&b.op, &b.id, &b.request, response)
            .map(|_| ())
    }
}

async fn step(mut st: State) -> Option<(Result<ReturnItem>, State)> {
    loop {
        match std::mem::replace(&mut st.phase, Phase::Done) {
            Phase::Done => return None,
            Phase::Start(request) => match st.client.start_stream(*request).await {
                Ok(b) => st.phase = Phase::Body(Box::new(b)),
                Err(e) => return Some((Err(e), st)),
            },
            Phase::Body(mut b) => {
                let event = b.decoder.next_event();
                st.high_water
                    .fetch_max(b.decoder.high_water_mark(), Ordering::Relaxed);
                match event {
                    Err(e) => return Some((Err(e.into()), st)),
                    Ok(StreamEvent::Item(item)) => {
                        st.phase = Phase::Body(b);
                        return Some((Ok(item), st));
                    }
                    Ok(StreamEvent::Envelope(doc)) => {
                        let checked = if b.pull {
                            Ok(())
                        } else {
                            st.client.check_envelope(&b, doc, None)
                        };
                        if let Err(e) = checked {
                            return Some((Err(e), st));
                        }
                        st.phase = Phase::Body(b);
                    }
                    Ok(StreamEvent::NeedMore) => match b.body.next().await {
                        Some(Ok(BodyPart::Data(d))) => {
                            if let Err(e) = b.decoder.push(&d) {
                                return Some((Err(e.into()), st));
                            }
                            st.high_water
                                .fetch_max(b.decoder.high_water_mark(), Ordering::Relaxed);
                            st.phase = Phase::Body(b);
                        }
                        Some(Ok(BodyPart::Trailers(t))) => {
                            match b.trailers.as_mut() {
                                Some(existing) => existing.extend(t),
                                None => b.trailers = Some(t),
                            }
                            st.phase = Phase::Body(b);
                        }
                        Some(Err(e)) => return Some((Err(e.into()), st)),
                        None => {
                            // The end: a late CIM error in the trailers comes first, then
                            // an incomplete body, then the envelope (ERROR, name, ID).
                            let trailers = b.trailers.take();
                            let doc = match b.decoder.finish() {
                                Ok(doc) => doc,
                                Err(e) => {
                                    let check = st.client.check_envelope(&b, Vec::new(), trailers);
                                    let err = match check {
                                        Err(cim @ Error::Cim { .. }) => cim,
                                        _ => e.into(),
                                    };
                                    return Some((Err(err), st));
                                }
                            };
                            return match st.client.check_envelope(&b, doc, trailers) {
                                Ok(()) => None,
                                Err(e) => Some((Err(e), st)),
                            };
                        }
                    },
                }
            }
        }
    }
}

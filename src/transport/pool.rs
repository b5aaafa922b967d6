//! The per-endpoint connection pool of [`HttpTransport`](super::HttpTransport).
//!
//! Storage providers serve few connections at once (some allow 4 to 16 and fail beyond), so
//! the pool never has more than `limit` connections open: a request first takes one of
//! `limit` permits (waiting in FIFO order when all are taken), then reuses the most recently
//! idle connection, and opens a new one only when none is idle. Connections exist only while
//! a permit holds them or while idle, so at most `limit` are ever open, and a sequential
//! caller uses exactly one. HTTP/1.1 over hyper 1's client connection API, TLS by rustls
//! through tokio-rustls.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::client::conn::http1::SendRequest;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::TransportError;

/// Idle connections older than this are closed instead of reused (providers close idle
/// keep-alive connections after a while; OpenPegasus' default idle timeout is longer).
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

type Sender = SendRequest<Full<Bytes>>;

struct Idle {
    sender: Sender,
    since: Instant,
}

/// Where and how to connect.
pub(crate) struct Target {
    /// Host for name resolution (IPv6 without brackets).
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// TLS connector and server name, for https.
    pub tls: Option<(tokio_rustls::TlsConnector, ServerName<'static>)>,
    /// TCP + TLS + HTTP handshake timeout.
    pub connect_timeout: Duration,
    /// `https://host:port`, for errors.
    pub endpoint: String,
}

/// A bounded pool of HTTP/1.1 connections to one endpoint.
pub(crate) struct Pool {
    limit: usize,
    permits: Arc<Semaphore>,
    idle: Mutex<Vec<Idle>>,
    opened: AtomicU64,
    target: Target,
}

/// A connection taken from the pool (with its permit). Dropping it closes the connection;
/// [`Lease::release`] returns it for reuse once its response has been read completely.
pub(crate) struct Lease {
    sender: Option<Sender>,
    pool: Arc<Pool>,
    _permit: OwnedSemaphorePermit,
    /// True if the connection had served an earlier request.
    pub(crate) reused: bool,
}

impl Lease {
    /// The connection's request sender.
    pub(crate) fn sender(&mut self) -> Result<&mut Sender, TransportError> {
        self.sender
            .as_mut()
            .ok_or_else(|| TransportError::Other("connection already released".into()))
    }

    /// Returns the connection to the pool (its response was read to the end).
    pub(crate) fn release(mut self) {
        if let Some(sender) = self.sender.take() {
            if !sender.is_closed() {
                let mut idle = self.pool.idle.lock().unwrap_or_else(|p| p.into_inner());
                idle.push(Idle {
                    sender,
                    since: Instant::now(),
                });
            }
        }
    }
}

impl Pool {
    /// A pool of at most `limit` (at least 1) connections to `target`.
    pub(crate) fn new(limit: usize, target: Target) -> Self {
        let limit = limit.max(1);
        Pool {
            limit,
            permits: Arc::new(Semaphore::new(limit)),
            idle: Mutex::new(Vec::new()),
            opened: AtomicU64::new(0),
            target,
        }
    }

    /// The connection limit.
    pub(crate) fn limit(&self) -> usize {
        self.limit
    }

    /// Connections opened so far.
    pub(crate) fn opened(&self) -> u64 {
        self.opened.load(Ordering::Relaxed)
    }

    /// Connections idle now.
    pub(crate) fn idle(&self) -> usize {
        self.idle.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Takes a permit (waiting for one), then an idle connection or a new one.
    pub(crate) async fn acquire(self: &Arc<Self>) -> Result<Lease, TransportError> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| TransportError::Other("connection pool closed".into()))?;
        loop {
            let candidate = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
            let Some(Idle { mut sender, since }) = candidate else {
                break;
            };
            if sender.is_closed() || since.elapsed() > IDLE_TIMEOUT {
                continue;
            }
            if sender.ready().await.is_ok() {
                return Ok(Lease {
                    sender: Some(sender),
                    pool: self.clone(),
                    _permit: permit,
                    reused: true,
                });
            }
        }
        let sender = self.connect().await?;
        Ok(Lease {
            sender: Some(sender),
            pool: self.clone(),
            _permit: permit,
            reused: false,
        })
    }

    async fn connect(&self) -> Result<Sender, TransportError> {
        let t = &self.target;
        let connect_err =
            |message: String, source: Option<super::BoxError>| TransportError::Connect {
                endpoint: t.endpoint.clone(),
                message,
                source,
            };
        let fut = async {
            let addrs = tokio::net::lookup_host((t.host.as_str(), t.port))
                .await
                .map_err(|e| {
                    connect_err(format!("cannot resolve {}: {e}", t.host), Some(e.into()))
                })?;
            let mut last = None;
            let mut tcp = None;
            for addr in addrs {
                match tokio::net::TcpStream::connect(addr).await {
                    Ok(s) => {
                        tcp = Some(s);
                        break;
                    }
                    Err(e) => last = Some(e),
                }
            }
            let tcp = match (tcp, last) {
                (Some(tcp), _) => tcp,
                (None, Some(e)) => {
                    return Err(connect_err(
                        format!("tcp connect error: {e}"),
                        Some(e.into()),
                    ));
                }
                (None, None) => {
                    return Err(connect_err(
                        format!("no address found for {}", t.host),
                        None,
                    ));
                }
            };
            let _ = tcp.set_nodelay(true);
            self.opened.fetch_add(1, Ordering::Relaxed);
            let io: Box<dyn Io> = match &t.tls {
                Some((connector, name)) => Box::new(
                    connector
                        .connect(name.clone(), tcp)
                        .await
                        .map_err(|e| super::http::map_io_error(e, &t.endpoint, &t.host))?,
                ),
                None => Box::new(tcp),
            };
            let (sender, conn) =
                hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(io))
                    .await
                    .map_err(|e| connect_err(format!("HTTP handshake: {e}"), Some(e.into())))?;
            tokio::spawn(async move {
                if let Err(e) = conn.await {
                    tracing::trace!(error = %e, "connection closed with an error");
                }
            });
            Ok(sender)
        };
        match tokio::time::timeout(t.connect_timeout, fut).await {
            Ok(r) => r,
            Err(_) => Err(TransportError::Timeout {
                endpoint: t.endpoint.clone(),
                after: t.connect_timeout,
            }),
        }
    }
}

//! The indication delivery engine: sends the provider's queued indications to listener
//! destinations as CIM-XML `ExportIndication` requests over HTTP or HTTPS (DMTF DSP0200
//! export messages) and retries failed deliveries as DMTF DSP1054 describes
//! (`DeliveryRetryAttempts` retries, `DeliveryRetryInterval` apart).
//!
//! Like OpenPegasus: one ordered queue per destination (a failed indication stays at the
//! head and later ones wait behind it), a new `MESSAGE ID` on every attempt with the same
//! `SequenceContext` / `SequenceNumber`, one keep-alive connection reused while the queue
//! is not empty, a response timeout (slow listener = failed attempt), success only for
//! HTTP 200 + `CIMExport: MethodResponse` + an `EXPMETHODRESPONSE` without `ERROR`, and
//! listener certificates not verified (OpenPegasus 2.14 does not either).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use smis::cim::CimValue;
use smis::message::{ExportCall, ParamValue, Request, RequestMessage, Response};
use smis::xml::{DecodeLimits, decode_response, encode_request};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

use crate::provider::{Delivery, Provider, Target};

/// What the engine did so far.
#[derive(Debug, Default)]
pub struct DeliveryStats {
    /// Indications a listener accepted.
    pub delivered: AtomicU64,
    /// Attempts that failed (refused, error answer, timeout, TLS or connection failure).
    pub failed_attempts: AtomicU64,
    /// Indications given up after the last retry.
    pub discarded: AtomicU64,
}

impl DeliveryStats {
    /// A counter's value.
    pub fn get(c: &AtomicU64) -> u64 {
        c.load(Ordering::Relaxed)
    }
}

/// The running engine; dropping it stops it (queued indications are dropped, as on a
/// server shutdown).
#[derive(Debug)]
pub struct Engine(tokio::task::JoinHandle<()>);

impl Drop for Engine {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Starts the engine: polls the provider every 10 ms (which also advances its jobs) and
/// feeds one worker per destination.
pub(crate) fn spawn(provider: Arc<Provider>, stats: Arc<DeliveryStats>) -> Engine {
    Engine(tokio::spawn(async move {
        let ids = Arc::new(AtomicU64::new(1));
        let mut workers: HashMap<String, mpsc::UnboundedSender<Delivery>> = HashMap::new();
        // Dropped (aborting every worker) when the engine is.
        let mut tasks = tokio::task::JoinSet::new();
        let mut tick = tokio::time::interval(Duration::from_millis(10));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            while tasks.try_join_next().is_some() {}
            for d in provider.pump_indications() {
                let key = d.destination.clone();
                let tx = workers.entry(key.clone()).or_insert_with(|| {
                    let (tx, rx) = mpsc::unbounded_channel();
                    tasks.spawn(worker(rx, provider.clone(), stats.clone(), ids.clone()));
                    tx
                });
                if tx.send(d).is_err() {
                    workers.remove(&key);
                }
            }
        }
    }))
}

struct Conn {
    target: Target,
    sender: SendRequest<Full<Bytes>>,
}

async fn worker(
    mut rx: mpsc::UnboundedReceiver<Delivery>,
    provider: Arc<Provider>,
    stats: Arc<DeliveryStats>,
    ids: Arc<AtomicU64>,
) {
    let mut conn: Option<Conn> = None;
    while let Some(d) = rx.recv().await {
        let mut attempt = 0u32;
        loop {
            let settings = provider.delivery_settings();
            let id = ids.fetch_add(1, Ordering::Relaxed);
            match send(&mut conn, &d, id, settings.response_timeout).await {
                Ok(()) => {
                    stats.delivered.fetch_add(1, Ordering::Relaxed);
                    break;
                }
                Err(e) => {
                    conn = None;
                    stats.failed_attempts.fetch_add(1, Ordering::Relaxed);
                    tracing::info!(destination = %d.url, attempt, error = %e, "indication delivery failed");
                    if attempt >= u32::from(settings.retry_attempts) {
                        stats.discarded.fetch_add(1, Ordering::Relaxed);
                        tracing::warn!(destination = %d.url, "indication discarded after the last retry");
                        break;
                    }
                    attempt += 1;
                    tokio::time::sleep(settings.retry_interval).await;
                }
            }
        }
        if rx.is_empty() {
            // OpenPegasus closes the connection when the destination's queue is empty.
            conn = None;
        }
    }
}

#[derive(Debug)]
struct AcceptAny(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for AcceptAny {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &rustls::DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(m, c, d, &self.0.signature_verification_algorithms)
    }
    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &rustls::DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(m, c, d, &self.0.signature_verification_algorithms)
    }
    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

async fn connect(target: &Target, timeout: Duration) -> Result<SendRequest<Full<Bytes>>, String> {
    let tcp = tokio::time::timeout(timeout, TcpStream::connect(&target.authority))
        .await
        .map_err(|_| "connect timed out".to_string())?
        .map_err(|e| format!("connect: {e}"))?;
    let _ = tcp.set_nodelay(true);
    if target.https {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let cfg = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAny(provider)))
            .with_no_client_auth();
        let name = ServerName::try_from(target.host.clone()).map_err(|e| e.to_string())?;
        let tls = tokio::time::timeout(
            timeout,
            tokio_rustls::TlsConnector::from(Arc::new(cfg)).connect(name, tcp),
        )
        .await
        .map_err(|_| "TLS handshake timed out".to_string())?
        .map_err(|e| format!("TLS: {e}"))?;
        handshake(TokioIo::new(tls)).await
    } else {
        handshake(TokioIo::new(tcp)).await
    }
}

async fn handshake<I>(io: I) -> Result<SendRequest<Full<Bytes>>, String>
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (sender, conn) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(|e| format!("HTTP handshake: {e}"))?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(sender)
}

async fn send(
    conn: &mut Option<Conn>,
    d: &Delivery,
    id: u64,
    timeout: Duration,
) -> Result<(), String> {
    let target = Target::parse(&d.url)?;
    if !conn
        .as_ref()
        .is_some_and(|c| c.target == target && !c.sender.is_closed())
    {
        *conn = Some(Conn {
            sender: connect(&target, timeout).await?,
            target: target.clone(),
        });
    }
    let Some(c) = conn.as_mut() else {
        return Err("no connection".into());
    };
    let msg = RequestMessage {
        id: id.to_string(),
        request: Request::Export(ExportCall {
            method: "ExportIndication".into(),
            params: vec![ParamValue::new(
                "NewIndication",
                CimValue::Instance(Box::new(d.indication.clone())),
            )],
        }),
    };
    let body = encode_request(&msg).map_err(|e| e.to_string())?;
    let req = hyper::Request::post(target.path.as_str())
        .header(hyper::header::HOST, target.authority.as_str())
        .header(
            hyper::header::CONTENT_TYPE,
            "application/xml; charset=utf-8",
        )
        .header("CIMExport", "MethodRequest")
        .header("CIMExportMethod", "ExportIndication")
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| e.to_string())?;
    let exchange = async {
        c.sender.ready().await.map_err(|e| e.to_string())?;
        let resp = c
            .sender
            .send_request(req)
            .await
            .map_err(|e| e.to_string())?;
        let status = resp.status();
        let cim_export = resp
            .headers()
            .get("CIMExport")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = Limited::new(resp.into_body(), 1 << 20)
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        Ok::<_, String>((status, cim_export, body))
    };
    let (status, cim_export, body) = tokio::time::timeout(timeout, exchange)
        .await
        .map_err(|_| format!("no answer within {timeout:?}"))??;
    if status != hyper::StatusCode::OK {
        return Err(format!("HTTP {status}"));
    }
    if !cim_export.is_some_and(|v| v.eq_ignore_ascii_case("MethodResponse")) {
        return Err("no CIMExport: MethodResponse header".into());
    }
    match decode_response(&body, &DecodeLimits::default())
        .map_err(|e| e.to_string())?
        .response
    {
        Response::Export { result: Ok(_), .. } => Ok(()),
        Response::Export { result: Err(e), .. } => Err(format!(
            "CIM error {}: {}",
            e.code,
            e.description.unwrap_or_default()
        )),
        _ => Err("not an EXPMETHODRESPONSE".into()),
    }
}

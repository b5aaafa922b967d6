//! `std::error::Error::source()` chains from a caller's `smis::Error` down to the real cause
//! (the `std::io::Error` of a refused connection, the `rustls::Error` of a refused
//! certificate, the `hyper::Error` of a connection that broke mid-response), over real
//! loopback connections.

use std::error::Error as StdError;
use std::time::Duration;

use smis::transport::tls::TlsOptions;
use smis::transport::{TlsFailure, TransportError};
use smis::{Client, Credentials, Error};
use smis_sim::{Scenario, Simulator, SimulatorConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const NS: &str = "root/smis-sim";

/// Every error of the chain, starting with `err` itself (bounded, in case of a cycle).
fn chain<'a>(err: &'a (dyn StdError + 'static)) -> Vec<&'a (dyn StdError + 'static)> {
    let mut out = vec![err];
    let mut current = err;
    while let Some(next) = current.source() {
        out.push(next);
        current = next;
        assert!(out.len() < 32, "source chain too long");
    }
    out
}

fn find<'a, T: StdError + 'static>(err: &'a (dyn StdError + 'static)) -> Option<&'a T> {
    chain(err).into_iter().find_map(|e| e.downcast_ref::<T>())
}

/// A port on 127.0.0.1 where nothing listens (bound, then closed).
async fn closed_port() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    port
}

#[tokio::test]
async fn refused_connection_chains_to_the_io_error() {
    let port = closed_port().await;
    let c = Client::builder(format!("http://127.0.0.1:{port}"))
        .namespace(NS)
        .connect_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let e = c
        .enumerate_instance_names("CIM_StorageVolume", None)
        .await
        .unwrap_err();
    // The caller's error, then the transport's, then the operating system's.
    assert!(matches!(e, Error::Connection(_)), "{e:?}");
    let transport = e.source().expect("an Error::Connection has a source");
    let transport = transport
        .downcast_ref::<TransportError>()
        .expect("the source is the transport's error");
    assert!(
        matches!(transport, TransportError::Connect { .. }),
        "{transport:?}"
    );
    assert_eq!(
        transport.endpoint(),
        Some(format!("http://127.0.0.1:{port}").as_str())
    );
    assert!(std::ptr::eq(e.transport_error().unwrap(), transport));
    let io = find::<std::io::Error>(&e).expect("an io::Error at the end of the chain");
    assert_eq!(io.kind(), std::io::ErrorKind::ConnectionRefused, "{io}");
    // The text still says it all on one line, as before.
    assert!(
        e.to_string().starts_with("connection: cannot connect to"),
        "{e}"
    );
    assert_eq!(e.storage_service_code().code(), 51000);
}

#[tokio::test]
async fn refused_certificate_chains_to_the_rustls_error() {
    let sim =
        Simulator::start(SimulatorConfig::new(Scenario::builtin("default").unwrap())).unwrap();
    let wrong_pin = "ab".repeat(32);
    let c = Client::builder(sim.url())
        .namespace(NS)
        .tls(TlsOptions::pinned_sha256(&wrong_pin).unwrap())
        .build()
        .unwrap();
    let e = c
        .enumerate_instance_names("CIM_StorageVolume", None)
        .await
        .unwrap_err();
    assert_eq!(e.tls_failure(), Some(TlsFailure::PinMismatch), "{e:?}");
    assert_eq!(e.storage_service_code().code(), 51010);
    let transport = find::<TransportError>(&e).expect("the transport's error in the chain");
    assert_eq!(transport.tls_failure(), Some(TlsFailure::PinMismatch));
    assert_eq!(transport.endpoint(), Some(sim.url().trim_end_matches('/')));
    let rustls = find::<rustls::Error>(&e).expect("the rustls::Error in the chain");
    assert!(
        matches!(rustls, rustls::Error::InvalidCertificate(_)),
        "{rustls:?}"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn broken_response_chains_to_the_hyper_error() {
    // A server that promises 1000 bytes, sends 20 and hangs up.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.unwrap();
        let mut buf = vec![0u8; 64 * 1024];
        let mut seen = Vec::new();
        while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = sock.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            seen.extend_from_slice(&buf[..n]);
        }
        sock.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/xml; charset=utf-8\r\n\
              CIMOperation: MethodResponse\r\nContent-Length: 1000\r\n\r\n<?xml version=\"1.0\"",
        )
        .await
        .unwrap();
        sock.shutdown().await.unwrap();
    });
    let c = Client::builder(format!("http://127.0.0.1:{port}"))
        .namespace(NS)
        .credentials(Credentials::new("admin", "not-used".to_string()))
        .allow_plain_http_credentials(true)
        .build()
        .unwrap();
    let e = c
        .enumerate_instance_names("CIM_StorageVolume", None)
        .await
        .unwrap_err();
    server.await.unwrap();
    assert!(
        matches!(
            e.transport_error(),
            Some(TransportError::Broken { .. } | TransportError::Connect { .. })
        ),
        "{e:?}"
    );
    let hyper = find::<hyper::Error>(&e).expect("the hyper::Error in the chain");
    assert!(!hyper.is_parse(), "{hyper:?}");
    let io = find::<std::io::Error>(&e).expect("the io::Error under hyper's");
    assert_eq!(io.kind(), std::io::ErrorKind::UnexpectedEof, "{io:?}");
}

#[cfg(feature = "listener")]
#[tokio::test]
async fn listener_bind_failure_chains_to_the_io_error() {
    use smis::indication::{Listener, ListenerConfig, ListenerError};
    let taken = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = taken.local_addr().unwrap();
    let e = Listener::bind(ListenerConfig::http(addr))
        .await
        .unwrap_err();
    // Through `?` into the caller's error (as `JobListener::start` does), kept whole.
    let e = Error::from(e);
    assert!(matches!(e, Error::Listener(_)), "{e:?}");
    let listener = find::<ListenerError>(&e).expect("the ListenerError in the chain");
    assert!(
        matches!(listener, ListenerError::Bind { addr: a, .. } if *a == addr),
        "{listener:?}"
    );
    let io = find::<std::io::Error>(&e).expect("the io::Error at the end of the chain");
    assert_eq!(io.kind(), std::io::ErrorKind::AddrInUse, "{io}");
    assert!(e.to_string().contains("cannot listen on 127.0.0.1:"), "{e}");
}

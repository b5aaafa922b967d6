//! The error of starting the simulator, shared by the server and the TLS setup (so neither
//! module depends on the other for it).

use std::net::SocketAddr;

/// Errors starting the simulated server.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// Binding the listening socket failed.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address that could not be bound.
        addr: SocketAddr,
        /// The underlying error.
        source: std::io::Error,
    },
    /// [`SimServer::start`](crate::SimServer::start) was called outside a tokio runtime.
    #[error("SimServer::start must be called within a tokio runtime")]
    NoRuntime,
    /// TLS material could not be generated or loaded.
    #[error("TLS setup failed: {0}")]
    Tls(String),
}

//! Serving the daemon's HTTP routes so that slow or many clients cannot hold it: at most
//! [`ServeOptions::max_connections`] connections are open at once (the others wait in the
//! listen backlog, unanswered but not refused), and a client that does not finish its
//! request headers within [`ServeOptions::header_timeout`] is disconnected (hyper's own
//! header-read timer). A connection serves one request (no keep-alive), so a slot is free
//! again as soon as its answer is sent. The body has its own deadline in the receiver.
//!
//! `axum::serve` sets neither, hence this loop over hyper-util's connection builder.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::Request;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// Limits on the connections the daemon serves.
#[derive(Debug, Clone, Copy)]
pub struct ServeOptions {
    /// Connections open at once; the next ones wait in the listen backlog.
    pub max_connections: usize,
    /// How long a client may take to send its request headers.
    pub header_timeout: Duration,
    /// The listen backlog asked of the system (which may cap it, see `somaxconn`).
    pub backlog: u32,
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self {
            max_connections: 512,
            header_timeout: Duration::from_secs(5),
            backlog: 4096,
        }
    }
}

/// Binds `address` with the backlog of `options` (Tokio's plain `bind` asks for 1024: a
/// burst of webhooks beyond that would see refused connections).
pub fn bind(address: SocketAddr, options: &ServeOptions) -> std::io::Result<TcpListener> {
    let socket = if address.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(address)?;
    socket.listen(options.backlog)
}

/// Serves `router` on `listener` until `shutdown` completes, then lets the requests in
/// flight finish (connections kept alive are closed once idle).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    options: ServeOptions,
    shutdown: impl Future<Output = ()>,
) {
    let mut builder = Builder::new(TokioExecutor::new());
    // No keep-alive: the shop sends each webhook on a connection of its own, and an idle
    // kept-alive connection would hold one of the capped slots until its timeout.
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(options.header_timeout)
        .keep_alive(false);
    let builder = Arc::new(builder);
    let slots = Arc::new(Semaphore::new(options.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        // A slot first, then the connection: over the cap, clients wait in the backlog.
        let permit = tokio::select! {
            permit = Arc::clone(&slots).acquire_owned() => permit,
            () = &mut shutdown => break,
        };
        let Ok(permit) = permit else { break };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let stream = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                // Out of file descriptors and the like: wait a little rather than spin.
                tracing::warn!(%error, "cannot accept a connection");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let (stream, peer) = stream;
        let _ = stream.set_nodelay(true);
        // Routes that limit failures per client address read it as axum's `ConnectInfo`.
        let service = TowerToHyperService::new(router.clone().map_request(with_peer(peer)));
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), service)
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection ended with an error");
            }
            drop(permit);
        });
    }
    graceful.shutdown().await;
}

/// Puts the peer's address on every request as axum's `ConnectInfo`, which routes that
/// count failures per client address read.
fn with_peer<B>(peer: SocketAddr) -> impl Fn(Request<B>) -> Request<B> + Clone {
    move |mut request| {
        request.extensions_mut().insert(ConnectInfo(peer));
        request
    }
}

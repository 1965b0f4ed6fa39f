//! Shared set-up of the example tests: for the webhook receiver, the integrations it knows,
//! a sink that records deliveries, and the receiver served on a loopback port with its
//! worker; a generated sandbox with the clients and card server over it ([`sandbox_clients`]);
//! running the binaries ([`process`]); and `sync-daemon` as a child process ([`daemon`]).
// Each test file compiles this module on its own and uses only part of it.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod daemon;
pub mod process;
pub mod sandbox_clients;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use examples::serve::{ServeOptions, bind};
use examples::webhook_server::{Received, TriggerSink, WebhookTarget, run_worker, webhook_router};
use iai_shop_client::webhook::WebhookTrigger;
use secrecy::SecretString;
use tokio::sync::mpsc;

/// The token of the `main` and `outlet` integrations.
pub const TOKEN: &str = "0123456789abcdef-token";

/// A valid event for the `main` integration.
pub const EVENT: &str = r#"{"event":"clientUpdated","clientId":42}"#;

/// The webhook path of `main` with the right token.
pub fn main_path() -> String {
    format!("/webhooks/iai-shop/main/{TOKEN}")
}

/// `main` (enabled), `outlet` (disabled) and `no-token` (takes no webhooks).
pub fn targets() -> Vec<WebhookTarget> {
    vec![
        WebhookTarget {
            name: "main".into(),
            enabled: true,
            token: Some(SecretString::from(TOKEN)),
        },
        WebhookTarget {
            name: "outlet".into(),
            enabled: false,
            token: Some(SecretString::from(TOKEN)),
        },
        WebhookTarget {
            name: "no-token".into(),
            enabled: true,
            token: None,
        },
    ]
}

/// Records every delivery.
#[derive(Default)]
pub struct Recorder {
    deliveries: Mutex<Vec<(String, Vec<WebhookTrigger>)>>,
}

impl TriggerSink for Recorder {
    async fn deliver(&self, integration: &str, triggers: Vec<WebhookTrigger>) {
        self.deliveries
            .lock()
            .unwrap()
            .push((integration.to_owned(), triggers));
    }
}

/// The receiver served on a free loopback port, with its worker delivering to `sink`.
pub struct Receiver<S> {
    /// `http://127.0.0.1:port`.
    pub base: String,
    /// A client for requests to it.
    pub http: reqwest::Client,
    /// Where the worker delivers.
    pub sink: Arc<S>,
    worker: tokio::task::JoinHandle<()>,
    server: tokio::task::JoinHandle<()>,
}

/// Serves the receiver for `targets` on a free port; the worker gathers bursts for `gather`
/// and delivers them to `sink`.
pub async fn serve<S: TriggerSink>(
    targets: Vec<WebhookTarget>,
    sink: Arc<S>,
    queue: usize,
    gather: Duration,
    body_limit: usize,
) -> Receiver<S> {
    let (sender, receiver) = mpsc::channel::<Received>(queue);
    let worker = tokio::spawn(run_worker(receiver, Arc::clone(&sink), gather));
    let options = ServeOptions::default();
    let listener = bind("127.0.0.1:0".parse().unwrap(), &options).unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = webhook_router(targets, sender, body_limit);
    let server = tokio::spawn(examples::serve::serve(
        listener,
        app,
        options,
        std::future::pending(),
    ));
    Receiver {
        base,
        http: reqwest::Client::new(),
        sink,
        worker,
        server,
    }
}

/// [`serve`] over [`targets`] into a [`Recorder`].
pub async fn start(queue: usize, gather: Duration, body_limit: usize) -> Receiver<Recorder> {
    serve(
        targets(),
        Arc::new(Recorder::default()),
        queue,
        gather,
        body_limit,
    )
    .await
}

impl<S> Receiver<S> {
    /// POSTs `body` as JSON to `path`; the answer's status.
    pub async fn post(&self, path: &str, body: impl Into<reqwest::Body>) -> reqwest::StatusCode {
        self.http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap()
            .status()
    }

    /// Stops the server (dropping the queue's sender) and waits for the worker to drain:
    /// afterwards every accepted trigger has been delivered.
    pub async fn shutdown(self) -> Arc<S> {
        self.server.abort();
        let _ = self.server.await;
        tokio::time::timeout(Duration::from_secs(10), self.worker)
            .await
            .expect("the worker ends once the receiver is gone")
            .unwrap();
        self.sink
    }
}

impl Receiver<Recorder> {
    /// [`Receiver::shutdown`], then every delivery the recorder saw.
    pub async fn stop(self) -> Vec<(String, Vec<WebhookTrigger>)> {
        let recorder = self.shutdown().await;
        std::mem::take(&mut *recorder.deliveries.lock().unwrap())
    }
}

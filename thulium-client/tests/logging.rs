//! Logging: a span per call, retries visible, customer data never above debug level.
#![cfg(feature = "http")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn info_logs_name_the_call_but_not_the_customer() {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/customers"))
        .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "0"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/customers"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([{"customer_id": 1, "email": "jan@secret.pl"}])),
        )
        .mount(&server)
        .await;

    let page = common::client(&server)
        .customers()
        .search()
        .email("jan@secret.pl")
        .page()
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);

    let logs = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("thulium.call"), "{logs}");
    assert!(
        logs.contains("retrying call") && logs.contains("attempt=1"),
        "{logs}"
    );
    assert!(
        !logs.contains("jan@secret.pl") && !logs.contains("jan%40secret.pl"),
        "{logs}"
    );
    assert!(!logs.contains(common::PASSWORD));
}

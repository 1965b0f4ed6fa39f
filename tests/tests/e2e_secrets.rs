//! Secrets never reach the logs: a full sync traced at TRACE level, with retries, and
//! neither the API key nor the Thulium password (plain or in the Basic header) appears.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::*;
use sandbox::faults::{Fault, FaultPlan};
use sandbox::generator::{GeneratorConfig, generate};
use sandbox::idosell::{ApiKey, ShopSimConfig, routes};
use sandbox::thulium::ThuliumSimConfig;
use sandbox::{Sandbox, SandboxConfig};

const API_KEY: &str = "k3y-SECRET-shop-4242";
const PASSWORD: &str = "pa55-SECRET-crm-9999";

/// A `MakeWriter` appending to a shared buffer.
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

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Buffer {
    type Writer = Buffer;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Standard base64, as the Basic authorization header carries `user:password`.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn base64_matches_the_rfc_example() {
    assert_eq!(
        base64(b"Aladdin:open sesame"),
        "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
    );
}

// A current-thread runtime, so that the thread-local subscriber sees every task: the
// engine's, the clients' and the simulators'.
#[tokio::test]
async fn a_traced_full_sync_logs_no_secret() {
    let buffer = Buffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(buffer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let shop = ShopSimConfig {
        api_keys: vec![ApiKey::full(API_KEY)],
        ..ShopSimConfig::default()
    }
    .with_data(generate(&GeneratorConfig {
        customers: 60,
        orders: 120,
        ..GeneratorConfig::default()
    }));
    let thulium = ThuliumSimConfig {
        password: PASSWORD.into(),
        ..ThuliumSimConfig::default()
    };
    let sandbox = Sandbox::start(SandboxConfig { shop, thulium })
        .await
        .unwrap();
    // Failures and retries are where secrets tend to leak (errors print requests).
    sandbox
        .shop()
        .faults()
        .fail_next(&format!("GET {}", routes::CLIENTS), 2, Fault::Status(500));
    sandbox
        .thulium()
        .faults()
        .fail_next("GET /api/customers", 2, Fault::Status(503));
    sandbox.thulium().faults().set(FaultPlan {
        error_rate: 0.05,
        ..FaultPlan::default()
    });

    let db = TempDb::new("secrets");
    let engine = engine(
        &sandbox,
        &db,
        fast_options(20, 10),
        ClientTuning::default(),
        None,
    )
    .await;
    let report = engine.full_sync(&|_| {}).await.expect("full sync");
    assert_eq!(report.customers_seen, 60);
    // A bad password is a failure path of its own.
    let mut wrong = sandbox;
    wrong.thulium_password = format!("{PASSWORD}-wrong");
    let refused =
        sync_core::engine::ports::CrmPort::verify(&crm_port(&wrong, ClientTuning::default()), &[])
            .await;
    assert_eq!(refused.unwrap_err().status, Some(401));
    drop(_guard);

    let logs = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.len() > 10_000,
        "the sync was traced ({} bytes)",
        logs.len()
    );
    assert!(logs.contains("retrying"), "retries were logged");
    let user = wrong.thulium_user.clone();
    for secret in [
        API_KEY.to_owned(),
        PASSWORD.to_owned(),
        base64(format!("{user}:{PASSWORD}").as_bytes()),
        base64(format!("{user}:{PASSWORD}-wrong").as_bytes()),
    ] {
        assert!(!logs.contains(&secret), "a secret is in the logs: {secret}");
    }
}

//! Bad input to the webhook receiver: non-UTF-8, truncated, oversized, streamed, deeply
//! nested and form-encoded bodies, unknown events, wrong methods and token variants. Each
//! gets its documented status code, nothing panics, and a refused request reaches neither
//! the queue nor (with the real engines behind it) the shop or Thulium. A body the reader
//! cannot take an id from is still a trigger — one that names nothing (an incremental
//! pass) — and never one naming an id it did not clearly carry.
//!
//! Most cases run in-process (`tower::ServiceExt::oneshot` on the router) so that the queue
//! can be inspected right after each answer; the URL and method cases, a real chunked body
//! and the engine-backed case go over loopback.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::cell::{Cell, RefCell};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes, to_bytes};
use axum::http::{Method, Request, StatusCode};
use common::sandbox_clients::assert_untouched;
use common::{EVENT, TOKEN, main_path, serve, start, targets};
use examples::daemon::EngineSink;
use examples::demo::{
    DEMO_INTEGRATION, DEMO_WEBHOOK_TOKEN, DemoOptions, settings_for, start_sandbox,
};
use examples::webhook_server::{DEFAULT_BODY_LIMIT, Received, WebhookTarget, webhook_router};
use examples::wiring::Wiring;
use iai_shop_client::webhook::{WebhookEventKind, WebhookRequest, WebhookTrigger, read_webhook};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use secrecy::SecretString;
use sync_core::engine::EngineOptions;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

/// The body limit of the in-process receiver: small, so "far over" stays cheap.
const LIMIT: usize = 1024;

/// The router in-process, with the receiving end of its queue.
struct InProcess {
    router: Router,
    queue: mpsc::Receiver<Received>,
}

impl InProcess {
    fn new(body_limit: usize) -> Self {
        let (sender, queue) = mpsc::channel(64);
        Self {
            router: webhook_router(targets(), sender, body_limit),
            queue,
        }
    }

    /// Sends one request; the status and the `message` of the JSON answer (if any).
    async fn send(&self, method: Method, path: &str, body: Body) -> (StatusCode, String) {
        use tower::ServiceExt;
        let request = Request::builder()
            .method(method)
            .uri(path)
            .body(body)
            .unwrap();
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = to_bytes(response.into_body(), 64 * 1024).await.unwrap();
        let message = serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .and_then(|v| v["message"].as_str().map(str::to_owned))
            .unwrap_or_default();
        (status, message)
    }

    /// POSTs `body` to `main` with the right token.
    async fn post(&self, body: impl Into<Body>) -> StatusCode {
        self.send(Method::POST, &main_path(), body.into()).await.0
    }

    /// Everything the receiver has put into the queue since the last call.
    fn taken(&mut self) -> Vec<WebhookTrigger> {
        let mut triggers = Vec::new();
        while let Ok(received) = self.queue.try_recv() {
            assert_eq!(received.integration, "main");
            triggers.push(received.trigger);
        }
        triggers
    }

    /// Asserts that `body` is refused with `status` and reaches nothing.
    async fn refused(&mut self, body: impl Into<Body>, status: StatusCode, why: &str) {
        assert_eq!(self.post(body).await, status, "{why}");
        assert_eq!(self.taken(), vec![], "{why}: nothing may be queued");
    }

    /// Asserts that `body` is accepted (202) as one trigger that names nothing (an
    /// incremental pass), whatever else it says.
    async fn id_less(&mut self, body: impl Into<Body>, why: &str) {
        let trigger = self.accepted(body, why).await;
        assert!(trigger.names_nothing(), "{why}: {trigger:?}");
    }

    /// Asserts that `body` is accepted (202) as exactly one trigger, and returns it.
    async fn accepted(&mut self, body: impl Into<Body>, why: &str) -> WebhookTrigger {
        assert_eq!(self.post(body).await, StatusCode::ACCEPTED, "{why}");
        let mut taken = self.taken();
        assert_eq!(taken.len(), 1, "{why}: {taken:?}");
        taken.remove(0)
    }
}

fn client_trigger(kind: WebhookEventKind, client_id: u64) -> WebhookTrigger {
    WebhookTrigger {
        kind,
        client_id: Some(client_id),
        order_id: None,
        order_serial_number: None,
        ..WebhookTrigger::default()
    }
}

#[tokio::test]
async fn non_utf8_bodies_name_nothing_unless_they_still_carry_an_id() {
    let mut receiver = InProcess::new(LIMIT);
    receiver.id_less(&b"\xff\xfe\xfd\x80"[..], "garbage").await;
    receiver
        .id_less(
            &b"{\"event\":\"clientUpdated\xc3\x28\"}"[..],
            "invalid UTF-8, no id",
        )
        .await;
    let utf16: Vec<u8> = [0xff, 0xfe]
        .into_iter()
        .chain(EVENT.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    receiver.id_less(utf16, "a UTF-16 event").await;
    // A panel template in a Polish shop may send windows-1250 text ("Żółw"): the body is
    // read lossily, so the id in it still triggers a re-read (the text itself is not used).
    let cp1250 = &b"event=clientUpdated&clientId=42&lastname=\xaf\xf3\xb3w"[..];
    assert_eq!(
        receiver.accepted(cp1250, "windows-1250 form").await,
        client_trigger(WebhookEventKind::ClientUpdated, 42)
    );
    let json_with_bad_byte = &b"{\"event\":\"clientUpdated\",\"note\":\"\xff\",\"clientId\":7}"[..];
    assert_eq!(
        receiver
            .accepted(json_with_bad_byte, "JSON, bad byte")
            .await,
        client_trigger(WebhookEventKind::ClientUpdated, 7)
    );
}

#[tokio::test]
async fn truncated_json_names_nothing_at_every_cut() {
    let mut receiver = InProcess::new(LIMIT);
    let bodies = [
        EVENT,
        r#"{"eventType":"clientUpdated","payload":{"clients":[{"clientId":77}]}}"#,
        r#"{"event":"orderStatusUpdated","order":{"orderSerialNumber":"733"}}"#,
    ];
    for body in bodies {
        for cut in 1..body.len() {
            let prefix = &body[..cut];
            receiver.id_less(prefix.to_owned(), prefix).await;
        }
        receiver.accepted(body, body).await;
    }
    // A cut JSON body is not a form, even when a string in it looks like one.
    let cut_with_form_text = r#"{"event":"clientUpdated","note":"a&clientId=7&b=c"#;
    receiver
        .id_less(cut_with_form_text, "truncated JSON with form-like text")
        .await;
}

/// A body of exactly `len` bytes that is a valid event (a JSON object padded with spaces).
fn padded_event(len: usize) -> Vec<u8> {
    let mut body = EVENT.as_bytes().to_vec();
    body.resize(len, b' ');
    body
}

/// A body without a length, delivered in `chunks` chunks of `chunk` bytes.
fn streamed(chunk: Vec<u8>, chunks: usize) -> Body {
    let items = std::iter::repeat_n(chunk, chunks).map(|c| Ok::<_, std::io::Error>(Bytes::from(c)));
    Body::from_stream(futures::stream::iter(items))
}

#[tokio::test]
async fn bodies_over_the_limit_get_413_whether_sized_or_streamed() {
    let mut receiver = InProcess::new(LIMIT);
    receiver
        .accepted(padded_event(LIMIT), "exactly at the limit")
        .await;
    receiver
        .refused(
            padded_event(LIMIT + 1),
            StatusCode::PAYLOAD_TOO_LARGE,
            "one byte over",
        )
        .await;
    receiver
        .refused(
            padded_event(LIMIT * 1000),
            StatusCode::PAYLOAD_TOO_LARGE,
            "a thousand times over",
        )
        .await;

    // Without a length (as a chunked request arrives): under, just over, far over.
    let event = EVENT.as_bytes().to_vec();
    receiver
        .accepted(streamed(event, 1), "streamed, small")
        .await;
    receiver
        .refused(
            streamed(b" ".to_vec(), LIMIT + 1),
            StatusCode::PAYLOAD_TOO_LARGE,
            "streamed, one byte over",
        )
        .await;
    // An endless body: the answer comes once the limit is passed, the rest is never read.
    let endless =
        futures::stream::repeat_with(|| Ok::<_, std::io::Error>(Bytes::from_static(&[b' '; 512])));
    let status = tokio::time::timeout(
        Duration::from_secs(5),
        receiver.post(Body::from_stream(endless)),
    )
    .await
    .expect("an endless body is cut at the limit");
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(receiver.taken(), vec![]);
}

#[tokio::test]
async fn sized_and_chunked_bodies_over_loopback() {
    let receiver = start(16, Duration::ZERO, DEFAULT_BODY_LIMIT).await;
    assert_eq!(
        receiver
            .post(&main_path(), padded_event(DEFAULT_BODY_LIMIT))
            .await,
        202,
        "exactly at the default limit"
    );
    assert_eq!(
        receiver
            .post(&main_path(), padded_event(DEFAULT_BODY_LIMIT + 1))
            .await,
        413,
        "one byte over the default limit"
    );
    // A real chunked request (no Content-Length), written by hand.
    let address = receiver.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let mut request = format!(
        "POST {} HTTP/1.1\r\nHost: {address}\r\nTransfer-Encoding: chunked\r\n\
         Content-Type: application/json\r\nConnection: close\r\n\r\n",
        main_path()
    );
    for piece in [r#"{"event":"client"#, r#"Updated","clientId":"#, "43}"] {
        request.push_str(&format!("{:x}\r\n{piece}\r\n", piece.len()));
    }
    request.push_str("0\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 202"), "{answer}");

    let deliveries = receiver.stop().await;
    let triggers: Vec<WebhookTrigger> = deliveries.into_iter().flat_map(|(_, t)| t).collect();
    assert_eq!(
        triggers,
        vec![
            client_trigger(WebhookEventKind::ClientUpdated, 42),
            client_trigger(WebhookEventKind::ClientUpdated, 43),
        ]
    );
}

#[tokio::test]
async fn unknown_events_are_triggers_when_they_name_something() {
    let mut receiver = InProcess::new(LIMIT);
    let unknown = receiver
        .accepted(
            r#"{"event":"loyaltyPointsGranted","clientId":5}"#,
            "unknown event",
        )
        .await;
    assert_eq!(
        unknown,
        client_trigger(WebhookEventKind::Other("loyaltyPointsGranted".into()), 5)
    );
    let order_event = receiver
        .accepted(
            r#"{"event":"orderShipped","orderSerialNumber":"77"}"#,
            "order*",
        )
        .await;
    assert_eq!(order_event.kind, WebhookEventKind::OrderUpdated);
    assert_eq!(order_event.order_serial_number, Some(77));
    let odd_name = receiver
        .accepted(
            r#"{"event":{"not":"a name"},"clientId":3}"#,
            "event not a string",
        )
        .await;
    assert_eq!(odd_name, client_trigger(WebhookEventKind::Unspecified, 3));

    let nameless = receiver
        .accepted(
            r#"{"event":"loyaltyPointsGranted"}"#,
            "unknown event, no id",
        )
        .await;
    assert_eq!(
        nameless,
        WebhookTrigger {
            kind: WebhookEventKind::Other("loyaltyPointsGranted".into()),
            ..WebhookTrigger::default()
        }
    );
    for (body, why) in [
        ("{}", "empty object"),
        ("[]", "empty array"),
        ("42", "a number"),
        (r#""clientId""#, "a string"),
        ("null", "null"),
        (r#"{"clientId":0}"#, "id 0"),
        (r#"{"clientId":-5}"#, "negative id"),
        (r#"{"clientId":1.5}"#, "fractional id"),
        (r#"{"clientId":"99999999999999999999999"}"#, "id beyond u64"),
        (r#"{"clientId":null,"orderId":""}"#, "blank ids"),
    ] {
        receiver.id_less(body, why).await;
    }
}

#[tokio::test]
async fn panel_template_form_bodies() {
    let mut receiver = InProcess::new(LIMIT);
    assert_eq!(
        receiver
            .accepted("event=clientUpdated&clientId=42", "plain form")
            .await,
        client_trigger(WebhookEventKind::ClientUpdated, 42)
    );
    let status = receiver
        .accepted("event=order_status_changed&order_sn=733", "order status")
        .await;
    assert_eq!(status.kind, WebhookEventKind::OrderStatusChanged);
    assert_eq!(status.order_serial_number, Some(733));
    let created = receiver
        .accepted("event=orderCreated&order_id=shop1-55", "order id")
        .await;
    assert_eq!(created.order_id.as_deref(), Some("shop1-55"));
    assert_eq!(
        receiver
            .accepted("event=client%20updated&client%5Fid=42", "percent-encoded")
            .await,
        client_trigger(WebhookEventKind::ClientUpdated, 42)
    );
    for (body, why) in [
        ("event=clientUpdated&clientId=", "empty placeholder"),
        (
            "event=clientUpdated&clientId={client_id}",
            "unfilled placeholder",
        ),
        ("event=clientUpdated", "no id"),
        ("=&=&&", "only separators"),
        ("clientId=abc", "id not a number"),
    ] {
        receiver.id_less(body, why).await;
    }
}

#[tokio::test]
async fn deeply_nested_json_names_nothing_without_overflowing() {
    let mut receiver = InProcess::new(DEFAULT_BODY_LIMIT);
    let deep_arrays = format!("{}{}", "[".repeat(30_000), "]".repeat(30_000));
    receiver.id_less(deep_arrays, "30,000 nested arrays").await;
    let nest = |depth: usize, inner: &str| {
        format!("{}{inner}{}", r#"{"a":"#.repeat(depth), "}".repeat(depth))
    };
    receiver
        .id_less(
            nest(10_000, r#"{"clientId":5}"#),
            "an id under 10,000 objects",
        )
        .await;
    receiver
        .id_less(
            nest(10_000, r#""x&clientId=5&y=""#),
            "form-like text under 10,000 objects",
        )
        .await;
    receiver
        .id_less(
            nest(100, r#"{"clientId":5}"#),
            "an id deeper than the parser looks",
        )
        .await;
    assert_eq!(
        receiver
            .accepted(nest(2, r#"{"clientId":5}"#), "an id two levels down")
            .await,
        client_trigger(WebhookEventKind::Unspecified, 5)
    );
}

#[tokio::test]
async fn the_panel_methods_are_taken_and_others_get_405() {
    let mut receiver = InProcess::new(LIMIT);
    for method in [Method::GET, Method::PUT, Method::DELETE] {
        let trigger = receiver
            .send(method.clone(), &main_path(), Body::from(EVENT))
            .await;
        assert_eq!(trigger.0, StatusCode::ACCEPTED, "{method}");
        assert_eq!(
            receiver.taken(),
            vec![client_trigger(WebhookEventKind::ClientUpdated, 42)],
            "{method}"
        );
    }
    for method in [Method::PATCH, Method::OPTIONS] {
        let (status, _) = receiver
            .send(method.clone(), &main_path(), Body::from(EVENT))
            .await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{method}");
    }
    assert_eq!(receiver.taken(), vec![]);
}

#[tokio::test]
async fn token_variants_over_loopback() {
    let receiver = start(16, Duration::ZERO, DEFAULT_BODY_LIMIT).await;
    let main = |token: &str| format!("/webhooks/iai-shop/main/{token}");
    let cases: Vec<(String, u16, &str)> = vec![
        (
            "/webhooks/iai-shop/main/".into(),
            404,
            "empty token segment",
        ),
        ("/webhooks/iai-shop/main".into(), 404, "no token segment"),
        (
            format!("/webhooks/iai-shop/main?token={TOKEN}"),
            404,
            "token as a query",
        ),
        (format!("{}/", main(TOKEN)), 404, "trailing slash"),
        (format!("{}/extra", main(TOKEN)), 404, "extra segment"),
        (
            main(&format!("{TOKEN}x")),
            401,
            "right prefix, one more byte",
        ),
        (main(&TOKEN.to_uppercase()), 401, "other case"),
        (main(&"x".repeat(TOKEN.len())), 401, "right length"),
        (
            main(&format!("{TOKEN}{}", "x".repeat(16 * 1024))),
            401,
            "16 KiB token",
        ),
        (main(&format!("{TOKEN}%00")), 401, "a NUL after the token"),
        (main("%FF"), 400, "not UTF-8 once decoded"),
        (
            format!("/webhooks/iai-shop/outlet/{TOKEN}x"),
            401,
            "disabled, wrong token",
        ),
        (
            format!("/webhooks/iai-shop/no-token/{TOKEN}"),
            404,
            "no token configured",
        ),
        (
            format!("/webhooks/iai-shop/%6Dain/{TOKEN}x"),
            401,
            "encoded name",
        ),
        (
            format!("/webhooks/iai-shop/MAIN/{TOKEN}"),
            404,
            "name in other case",
        ),
    ];
    for (path, status, why) in &cases {
        assert_eq!(receiver.post(path, EVENT).await, *status, "{why}: {path}");
    }
    // Percent-encoding is URL syntax, not part of the token: this is the right token.
    let encoded = format!("%{:02X}{}", TOKEN.as_bytes()[0], &TOKEN[1..]);
    assert_eq!(receiver.post(&main(&encoded), EVENT).await, 202);
    let deliveries = receiver.stop().await;
    assert_eq!(
        deliveries,
        vec![(
            "main".to_owned(),
            vec![client_trigger(WebhookEventKind::ClientUpdated, 42)]
        )],
        "only the right token got through"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_requests_leave_the_shop_and_thulium_untouched() {
    let sandbox = start_sandbox(DemoOptions {
        customers: 5,
        orders: 10,
        seed: 3,
    })
    .await
    .unwrap();
    let wiring = Wiring::connect(&settings_for(&sandbox), EngineOptions::default())
        .await
        .unwrap();
    let sink = Arc::new(EngineSink::new(&wiring));
    let target = || {
        vec![WebhookTarget {
            name: DEMO_INTEGRATION.into(),
            enabled: true,
            token: Some(SecretString::from(DEMO_WEBHOOK_TOKEN)),
        }]
    };
    let path = |token: &str| format!("/webhooks/iai-shop/{DEMO_INTEGRATION}/{token}");
    let ok = path(DEMO_WEBHOOK_TOKEN);
    let client_id = sandbox.shop().customers()[0].client_id;
    sandbox.shop().counters().reset();
    sandbox.thulium().counters().reset();

    let receiver = serve(target(), Arc::clone(&sink), 16, Duration::ZERO, 1024).await;
    let event = format!(r#"{{"event":"clientUpdated","clientId":{client_id}}}"#);
    let refused: Vec<(String, Vec<u8>, u16)> = vec![
        (path("wrong"), event.clone().into(), 401),
        (
            path(&format!("{DEMO_WEBHOOK_TOKEN}x")),
            event.clone().into(),
            401,
        ),
        (path(&"t".repeat(8 * 1024)), event.clone().into(), 401),
        (ok.clone(), padded_event(1025), 413),
    ];
    for (path, body, status) in refused {
        assert_eq!(receiver.post(&path, body).await, status, "{path}");
    }
    let patch = receiver
        .http
        .patch(format!("{}{ok}", receiver.base))
        .send()
        .await
        .unwrap();
    assert_eq!(patch.status(), 405);
    receiver.shutdown().await;
    assert_untouched(&sandbox);
    assert_eq!(sandbox.thulium().customer_count(), 0);

    // The control: an unknown event naming the client is a trigger, and does reach both.
    let receiver = serve(target(), sink, 16, Duration::ZERO, 1024).await;
    let unknown = format!(r#"{{"event":"loyaltyPointsGranted","clientId":{client_id}}}"#);
    assert_eq!(receiver.post(&ok, unknown).await, 202);
    receiver.shutdown().await;
    assert!(
        sandbox.shop().counters().total() >= 1,
        "the customer was re-read"
    );
    assert_eq!(
        sandbox.thulium().customer_count(),
        1,
        "and written to Thulium"
    );
}

/// Bodies for the property: arbitrary bytes around the limit, arbitrary text, and valid
/// events spliced with arbitrary bytes (so that all three answers come up).
fn bodies() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..LIMIT + 64),
        "\\PC{0,300}".prop_map(String::into_bytes),
        (0..EVENT.len(), prop::collection::vec(any::<u8>(), 0..32)).prop_map(|(cut, noise)| {
            let mut body = EVENT.as_bytes()[..cut].to_vec();
            body.extend(noise);
            body
        }),
        (
            any::<bool>(),
            prop::collection::vec(any::<u8>(), 0..32),
            1u64..u64::MAX
        )
            .prop_map(|(json_like, noise, id)| {
                // Form pairs, bare or inside an unterminated JSON string.
                let opening = if json_like { r#"{"note":"x&"# } else { "" };
                let mut body = format!("{opening}clientId={id}&").into_bytes();
                body.extend(noise);
                body
            }),
    ]
}

#[test]
fn any_body_gets_a_documented_answer_and_only_what_it_names_is_queued() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let mut runner = TestRunner::new(Config {
        cases: 512,
        failure_persistence: None,
        ..Config::default()
    });
    let receiver = RefCell::new(InProcess::new(LIMIT));
    // How often each outcome came up: a trigger naming something, one naming nothing, 413.
    let seen = Cell::new([0u32; 3]);
    runner
        .run(&(bodies(), "[A-Za-z0-9_.~-]{0,40}"), |(body, token)| {
            let mut receiver = receiver.borrow_mut();
            let wrong_token = format!("/webhooks/iai-shop/main/{token}x");
            let (status, wrong, taken) = runtime.block_on(async {
                let status = receiver.post(body.clone()).await;
                let wrong = receiver
                    .send(Method::POST, &wrong_token, body.clone().into())
                    .await
                    .0;
                (status, wrong, receiver.taken())
            });
            prop_assert_eq!(wrong, StatusCode::UNAUTHORIZED);
            let mut counts = seen.get();
            let expected = if body.len() > LIMIT {
                counts[2] += 1;
                (StatusCode::PAYLOAD_TOO_LARGE, vec![])
            } else {
                let trigger = read_webhook(&WebhookRequest {
                    body: &body,
                    ..WebhookRequest::default()
                });
                counts[usize::from(trigger.names_nothing())] += 1;
                (StatusCode::ACCEPTED, vec![trigger])
            };
            seen.set(counts);
            // Independent of the reader: what opens like JSON but is not JSON names nothing.
            let text = String::from_utf8_lossy(&body);
            let text = text.trim();
            if text.starts_with(['{', '['])
                && serde_json::from_str::<serde_json::Value>(text).is_err()
            {
                prop_assert!(
                    taken.iter().all(WebhookTrigger::names_nothing),
                    "broken JSON named an id"
                );
            }
            prop_assert_eq!((status, taken), expected);
            Ok(())
        })
        .unwrap();
    let seen = seen.get();
    assert!(
        seen.iter().all(|count| *count > 0),
        "named/id-less/413 seen {seen:?}"
    );
}

//! Who may open a card: only requests with the integration's agent token; everything else
//! gets one and the same 404, too many of those from one address get 429, and every answer
//! carries the headers that keep the page out of caches, referrers and foreign frames.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use common::sandbox_clients::{
    AGENT_TOKEN, THULIUM_ORIGIN, generated_sandbox, serve_card, serve_site, shop_client,
    thulium_client,
};
use examples::card::{AgentIntegration, AgentSite, CardState, FailureLimit};
use reqwest::header::HeaderMap;
use sandbox::Sandbox;
use secrecy::SecretString;
use sync_core::config::IntegrationConfig;
use url::Url;

fn card_state(sandbox: &Sandbox) -> CardState {
    CardState::new(
        shop_client(sandbox.shop_url.clone(), &sandbox.shop_api_key),
        thulium_client(sandbox),
        IntegrationConfig::new("access test", sandbox.shop_url.clone()),
    )
}

fn first_customer(sandbox: &Sandbox) -> u64 {
    sandbox
        .shop()
        .customers()
        .iter()
        .map(|c| c.client_id)
        .min()
        .unwrap()
}

/// A client whose requests come from `local` (any 127.x.y.z address reaches loopback).
fn client_from(local: Ipv4Addr) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::V4(local))
        .build()
        .unwrap()
}

async fn get_with(client: &reqwest::Client, url: &str) -> (u16, HeaderMap, String) {
    let response = client.get(url).send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

fn assert_protective_headers(headers: &HeaderMap, what: &str) {
    let header = |name: &str| {
        headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_else(|| panic!("{what}: no {name} header"))
    };
    assert_eq!(header("cache-control"), "no-store", "{what}");
    assert_eq!(header("referrer-policy"), "no-referrer", "{what}");
    assert_eq!(header("x-content-type-options"), "nosniff", "{what}");
    let policy = header("content-security-policy");
    assert!(
        policy.contains(&format!("frame-ancestors {THULIUM_ORIGIN}")),
        "{what}: {policy}"
    );
    assert!(policy.contains("default-src 'none'"), "{what}: {policy}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_agent_token_opens_a_card_and_every_answer_is_protected() {
    let sandbox = generated_sandbox(31, 10, 30).await;
    let client_id = first_customer(&sandbox);
    let base = serve_card(card_state(&sandbox)).await;
    let client = reqwest::Client::new();

    let (status, headers, html) = get_with(
        &client,
        &format!("{base}/card/{AGENT_TOKEN}/shop/{client_id}"),
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("#{client_id}")), "{html}");
    assert_protective_headers(&headers, "the card");

    let refused = [
        format!("{base}/card/shop/{client_id}"),
        format!("{base}/card/{client_id}"),
        format!("{base}/card/wrong-token-0123456789/shop/{client_id}"),
        format!("{base}/card/{}x/shop/{client_id}", AGENT_TOKEN),
        format!("{base}/card/{}/shop/{client_id}", &AGENT_TOKEN[..10]),
        format!("{base}/card/wrong-token-0123456789/{client_id}"),
        format!("{base}/nothing/here"),
    ];
    let mut bodies = Vec::new();
    for url in &refused {
        let (status, headers, body) = get_with(&client, url).await;
        assert_eq!(status, 404, "{url}");
        assert_protective_headers(&headers, url);
        assert!(
            !body.contains(AGENT_TOKEN),
            "{url}: the answer holds no hint"
        );
        bodies.push(body);
    }
    assert!(
        bodies.windows(2).all(|pair| pair[0] == pair[1]),
        "every refusal is the same page"
    );
    assert_eq!(
        sandbox.shop().counters().total(),
        2,
        "only the one card with the right token read the shop"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_failures_block_that_address_only() {
    let sandbox = generated_sandbox(32, 10, 30).await;
    let client_id = first_customer(&sandbox);
    let agent = AgentIntegration::new(card_state(&sandbox), SecretString::from(AGENT_TOKEN));
    let limit = FailureLimit {
        max_failures: 3,
        window: Duration::from_secs(60),
    };
    let thulium = Url::parse(THULIUM_ORIGIN).unwrap();
    let base = serve_site(AgentSite::with_failure_limit(&thulium, vec![agent], limit)).await;
    let right = format!("{base}/card/{AGENT_TOKEN}/shop/{client_id}");
    let guesser = client_from(Ipv4Addr::new(127, 0, 0, 1));
    let agent = client_from(Ipv4Addr::new(127, 0, 0, 2));

    for guess in 0..3 {
        let url = format!("{base}/card/guess-{guess:016}/shop/{client_id}");
        assert_eq!(get_with(&guesser, &url).await.0, 404, "guess {guess}");
    }
    let (status, headers, _) =
        get_with(&guesser, &format!("{base}/card/guess-x/shop/{client_id}")).await;
    assert_eq!(status, 429, "the 4th failure is refused");
    assert_protective_headers(&headers, "the 429 page");
    assert_eq!(
        get_with(&guesser, &right).await.0,
        429,
        "a blocked address gets nothing, not even with the right token"
    );
    let lookup = format!("{base}/thulium/external-crm/{AGENT_TOKEN}?phone_number=601234567");
    assert_eq!(get_with(&guesser, &lookup).await.0, 429);
    assert_eq!(
        get_with(&agent, &right).await.0,
        200,
        "other addresses still work"
    );
}

//! The `card-server` binary as a process: bad settings end it with one line and exit code 1;
//! without settings it serves demo cards from the sandbox.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const BINARY: &str = env!("CARGO_BIN_EXE_card-server");
const SETTINGS_ENV: [&str; 5] = [
    "IAI_SHOP_URL",
    "IAI_SHOP_API_KEY",
    "THULIUM_URL",
    "THULIUM_USER",
    "THULIUM_PASSWORD",
];

/// The binary with no connection settings from the environment.
fn card_server(args: &[&str]) -> Command {
    let mut command = Command::new(BINARY);
    command.args(args).env("RUST_LOG", "warn");
    for name in SETTINGS_ENV {
        command.env_remove(name);
    }
    command
}

fn run(args: &[&str]) -> Output {
    card_server(args).stdin(Stdio::null()).output().unwrap()
}

fn assert_one_line_failure(output: &Output, expected: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "stderr: {stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    assert!(stderr.starts_with("card-server: "), "{stderr}");
    assert!(stderr.contains(expected), "`{expected}` in: {stderr}");
}

const FULL: [&str; 12] = [
    "--shop-url",
    "http://127.0.0.1:9/",
    "--shop-api-key",
    "key",
    "--thulium-url",
    "http://127.0.0.1:9/",
    "--thulium-user",
    "user",
    "--thulium-password",
    "password",
    "--agent-token",
    "agent-token-long-enough",
];

#[test]
fn partial_settings_name_the_missing_one() {
    let output = run(&["--shop-url", "https://shop.example.com"]);
    assert_one_line_failure(&output, "missing --shop-api-key (or IAI_SHOP_API_KEY)");
}

#[test]
fn missing_setting_from_the_environment_is_named_too() {
    let output = card_server(&[])
        .env("IAI_SHOP_URL", "https://shop.example.com")
        .env("IAI_SHOP_API_KEY", "key")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_one_line_failure(&output, "missing --thulium-url (or THULIUM_URL)");
}

#[test]
fn bad_url_is_one_line_and_exit_1() {
    let output = run(&["--shop-url", "not a url"]);
    assert_one_line_failure(&output, "--shop-url");
}

#[test]
fn empty_id_field_is_a_configuration_error() {
    let mut args = FULL.to_vec();
    args.extend(["--id-field", " "]);
    let output = run(&args);
    assert_one_line_failure(&output, "fields.shop_id");
}

#[test]
fn the_agent_token_is_required_and_long_enough() {
    let output = run(&FULL[..10]);
    assert_one_line_failure(&output, "missing --agent-token (or AGENT_TOKEN)");
    let mut args = FULL.to_vec();
    args[11] = "tiny123";
    let output = run(&args);
    assert_one_line_failure(&output, "--agent-token is too short");
    assert!(!String::from_utf8_lossy(&output.stderr).contains("tiny123"));
}

#[test]
fn secrets_are_not_echoed_in_errors() {
    let mut args = FULL.to_vec();
    args[3] = "very-secret-key";
    args.extend(["--listen", "not-an-address"]);
    let output = run(&args);
    assert_eq!(output.status.code(), Some(1));
    assert!(!String::from_utf8_lossy(&output.stderr).contains("very-secret-key"));
}

/// Kills the demo server when the test ends, whatever happens.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn without_settings_it_serves_demo_cards() {
    let mut child = Running(
        card_server(&["--listen", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let stdout = child.0.stdout.take().unwrap();
    // Read stdout to its end in the background (a closed pipe would be a different test).
    let (sender, receiver) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let agent_url = |w: &&str| w.contains("/card/") || w.contains("/external-crm/");
            if let Some(url) = line.split_whitespace().find(agent_url)
                && !url.contains('{')
            {
                let _ = sender.send(url.to_owned());
            }
        }
    });
    let urls = tokio::task::spawn_blocking(move || {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut urls = Vec::new();
        while !urls
            .iter()
            .any(|url: &String| url.contains("/external-crm/"))
        {
            let left = deadline.saturating_duration_since(Instant::now());
            match receiver.recv_timeout(left) {
                Ok(url) => urls.push(url),
                Err(_) => break,
            }
        }
        urls
    })
    .await
    .unwrap();
    assert!(urls.len() >= 3, "sample URLs printed: {urls:?}");
    let (thulium_card, shop_json) = (&urls[0], &urls[1]);
    let lookup = urls.last().unwrap();
    assert!(
        thulium_card.contains("/card/demo-agent-token/"),
        "{thulium_card}"
    );
    assert!(shop_json.ends_with("?format=json"), "{shop_json}");

    let html = reqwest::get(thulium_card).await.unwrap();
    assert_eq!(html.status(), 200);
    let html = html.text().await.unwrap();
    assert!(html.contains("class=\"order\"") && html.contains("/panel/orderd.php?idt="));

    let card: serde_json::Value = reqwest::get(shop_json).await.unwrap().json().await.unwrap();
    assert!(card["orders"].as_array().unwrap().len() >= 3, "{card}");

    let caller = reqwest::get(lookup).await.unwrap();
    assert_eq!(caller.status(), 200, "{lookup}");
    let caller: serde_json::Value = caller.json().await.unwrap();
    let identifier = caller["identifier"].as_str().unwrap_or_default();
    assert!(
        identifier.parse::<u64>().is_ok(),
        "a shop client id: {caller}"
    );
}

//! The `sandbox` binary with the flags for guest pairs, agent contacts, Thulium quirks and
//! mid-read changes: started as a child process and queried over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

/// Kills the child process when dropped, also when an assertion fails.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The value after `label` on the first line that starts with it (trimmed).
fn value_after(lines: &[String], label: &str) -> String {
    let line = lines
        .iter()
        .find(|line| line.trim_start().starts_with(label))
        .unwrap_or_else(|| panic!("no {label:?} line in {lines:#?}"));
    let rest = line.trim_start()[label.len()..].trim();
    rest.split_whitespace().next().unwrap().to_owned()
}

#[tokio::test]
async fn binary_flags_seed_agents_quirks_and_mid_read_changes() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sandbox"))
        .args([
            "--customers",
            "80",
            "--orders",
            "80",
            "--seed",
            "3",
            "--guest-pairs",
            "0.2",
            "--agent-contacts",
            "40",
            "--agent-overlap",
            "0.5",
            "--quirks",
            "--list-shape",
            "result-only",
            "--mid-read-every",
            "1",
            "--mid-read-changes",
            "2",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let _running = Running(child);
    let lines = tokio::task::spawn_blocking(move || {
        let mut lines = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            let done = line.starts_with("Press Ctrl-C");
            lines.push(line);
            if done {
                break;
            }
        }
        lines
    });
    let lines = tokio::time::timeout(Duration::from_secs(30), lines)
        .await
        .unwrap()
        .unwrap();
    let all = lines.join("\n");
    assert!(
        all.contains("Thulium holds 40 agent-made contacts"),
        "{all}"
    );
    assert!(all.contains("registered + guest pairs"), "{all}");
    let url = value_after(&lines, "Thulium:");
    let user = value_after(&lines, "user:");
    let password = value_after(&lines, "password:");

    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let read = |query: &str| {
        http.get(format!("{url}api/customers?{query}"))
            .basic_auth(&user, Some(&password))
            .send()
    };
    // The first tenant read: 2 contacts added before the page is cut; no `count`.
    let body: Value = read("limit=1000").await.unwrap().json().await.unwrap();
    assert!(body.get("count").is_none(), "{body}");
    let first = body["result"].as_array().unwrap();
    assert_eq!(first.len(), 42);
    assert!(
        first
            .iter()
            .all(|c| c["custom_fields"].is_null() || c["custom_fields"]["IAI Shop ID"].is_null())
    );
    // The second, at offset 10: 2 deleted below it, 2 added.
    let body: Value = read("limit=1000&offset=10")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["result"].as_array().unwrap().len(), 42 - 10 - 2 + 2);
    // Phones are stored as typed: some contain spaces or dashes.
    assert!(first.iter().any(|c| {
        c["phone_number"]
            .as_str()
            .is_some_and(|p| p.contains(' ') || p.contains('-'))
    }));
}

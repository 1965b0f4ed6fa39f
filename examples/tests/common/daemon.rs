//! `sync-daemon` as a child process: killed when dropped, its output read line by line as
//! it comes, and what the Thulium simulator holds for a shop customer.

use std::io::{BufRead, BufReader, Read};
use std::process::Child;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use sandbox::Sandbox;

/// The daemon process; killed if the test ends before it stopped by itself.
pub struct Daemon(pub Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// Lines of a child's output as they come, read on a thread of their own.
pub fn lines_of(stream: impl Read + Send + 'static) -> Receiver<String> {
    let (sender, receiver) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { return };
            if sender.send(line).is_err() {
                return;
            }
        }
    });
    receiver
}

/// Waits (without blocking the runtime) for a line that `wanted` accepts; every line read
/// is kept in `seen`.
pub async fn wait_for_line(
    lines: &Receiver<String>,
    seen: &mut Vec<String>,
    timeout: Duration,
    wanted: impl Fn(&str) -> bool,
) -> String {
    let deadline = Instant::now() + timeout;
    loop {
        while let Ok(line) = lines.try_recv() {
            seen.push(line.clone());
            if wanted(&line) {
                return line;
            }
        }
        assert!(
            Instant::now() < deadline,
            "no such line within {timeout:?}; seen:\n{}",
            seen.join("\n")
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The surname Thulium holds for shop client `client_id`, if it holds the customer.
pub fn thulium_surname(sandbox: &Sandbox, client_id: u64) -> Option<String> {
    sandbox
        .thulium()
        .snapshot()
        .into_iter()
        .find(|record| {
            record.custom_fields.get("IAI Shop ID").is_some_and(|id| {
                id.as_u64().or_else(|| id.as_str()?.parse().ok()) == Some(client_id)
            })
        })
        .and_then(|record| record.surname)
}

/// The `host:port` of the line the daemon prints once it listens
/// (`... webhooks on http://127.0.0.1:PORT/...`).
pub fn listen_address(started: &str) -> String {
    started
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no address in {started:?}"))
        .to_owned()
}

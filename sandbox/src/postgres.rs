//! Test databases on the throwaway PostgreSQL cluster that `scripts/test` starts.
//!
//! `scripts/test` exports the cluster's URL in [`URL_VARIABLE`]; every test that needs
//! PostgreSQL asks [`fresh_database`] for a database of its own, so tests never see each
//! other's rows. Without the variable, or with a cluster that does not answer, the helper
//! fails with a message saying how to run the tests — a PostgreSQL test never skips.

use std::sync::atomic::{AtomicU32, Ordering};

use tokio_postgres::NoTls;
use url::Url;

/// The environment variable holding the test cluster's URL (a superuser's, any database).
pub const URL_VARIABLE: &str = "SYNC_TEST_POSTGRES_URL";

/// Why no test database could be made.
#[derive(Debug, thiserror::Error)]
#[error(
    "PostgreSQL test database: {0} (run the tests with scripts/test, which starts a throwaway PostgreSQL 15 and sets {URL_VARIABLE})"
)]
pub struct TestDatabaseError(String);

/// Creates an empty database named after `prefix` (plus the process id and a counter) and
/// returns its URL.
pub async fn fresh_database(prefix: &str) -> Result<String, TestDatabaseError> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let admin = std::env::var(URL_VARIABLE)
        .map_err(|_| TestDatabaseError(format!("{URL_VARIABLE} is not set")))?;
    let mut url =
        Url::parse(&admin).map_err(|e| TestDatabaseError(format!("{URL_VARIABLE}: {e}")))?;
    let name: String = format!(
        "{prefix}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
    .chars()
    .map(|c| {
        if c.is_ascii_alphanumeric() {
            c.to_ascii_lowercase()
        } else {
            '_'
        }
    })
    .collect();
    let (client, connection) = tokio_postgres::connect(&admin, NoTls)
        .await
        .map_err(|e| TestDatabaseError(format!("cannot connect: {e}")))?;
    let driver = tokio::spawn(connection);
    let created = client
        .batch_execute(&format!("CREATE DATABASE \"{name}\""))
        .await
        .map_err(|e| TestDatabaseError(format!("cannot create {name}: {e}")));
    drop(client);
    let _ = driver.await;
    created?;
    url.set_path(&format!("/{name}"));
    Ok(url.to_string())
}

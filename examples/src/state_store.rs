//! Which state store a run uses: `state` (in the TOML or `--state`) names a SQLite file, or a
//! PostgreSQL database with a `postgres://` / `postgresql://` URL; without it the state is
//! kept in memory.

use std::path::Path;
use std::sync::Arc;

use sync_core::engine::store::{MemoryStore, PostgresStore, SqliteStore, StateStore};

use crate::settings::SettingsError;

/// The opened store, and the PostgreSQL store again when the state is shared (its leases and
/// webhook inbox let several daemons work on one database).
pub struct OpenedStore {
    /// The store the engines use.
    pub store: Arc<dyn StateStore>,
    /// The same store when it is PostgreSQL.
    pub shared: Option<PostgresStore>,
}

/// The PostgreSQL URL in `state`, when it is one rather than a file path.
pub fn postgres_url(state: &Path) -> Option<&str> {
    let text = state.to_str()?;
    (text.starts_with("postgres://") || text.starts_with("postgresql://")).then_some(text)
}

/// `state` as it may be shown in logs: a URL loses its password.
pub fn shown(state: &Path) -> String {
    match postgres_url(state).map(url::Url::parse) {
        Some(Ok(mut url)) => {
            if url.password().is_some() {
                let _ = url.set_password(Some("***"));
            }
            url.to_string()
        }
        Some(Err(_)) => "postgres://(unreadable URL)".to_owned(),
        None => state.display().to_string(),
    }
}

/// Opens the store `state` names (memory when `None`).
pub async fn open(state: Option<&Path>) -> Result<OpenedStore, SettingsError> {
    let Some(state) = state else {
        return Ok(OpenedStore {
            store: Arc::new(MemoryStore::new()),
            shared: None,
        });
    };
    if let Some(url) = postgres_url(state) {
        let store = PostgresStore::connect(url)
            .await
            .map_err(|error| SettingsError(format!("state database {}: {error}", shown(state))))?;
        return Ok(OpenedStore {
            store: Arc::new(store.clone()),
            shared: Some(store),
        });
    }
    let store = SqliteStore::open(state)
        .await
        .map_err(|error| SettingsError(format!("state file {}: {error}", state.display())))?;
    Ok(OpenedStore {
        store: Arc::new(store),
        shared: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_told_from_paths_and_shown_without_password() {
        let url = Path::new("postgres://sync:s3cret@db.internal:5432/sync");
        assert!(postgres_url(url).is_some());
        assert!(postgres_url(Path::new("postgresql://db/sync")).is_some());
        assert!(postgres_url(Path::new("state/postgres.sqlite")).is_none());
        let shown = shown(url);
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("db.internal:5432/sync"), "{shown}");
    }
}

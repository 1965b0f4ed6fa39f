//! The shared [`StateStore`]: one PostgreSQL database for several daemons
//! (tokio-postgres, pooled by deadpool-postgres).
//!
//! The tables and their semantics are those of the SQLite store (see `schema.rs`); each
//! [`StateStore::apply`] is one transaction (`apply.rs`), reads are one statement per call,
//! whatever the number of ids (`= ANY($2)` takes them all as one array parameter, so there is
//! no chunking as in SQLite). The same database holds the [`Leases`] that give each integration
//! to one daemon at a time and the [`WebhookInbox`] that carries webhooks to that daemon.
//!
//! Connections are plain TCP or a Unix socket (no TLS): run the daemons next to the database
//! or inside a private network.

mod apply;
mod callers;
mod inbox;
mod leases;
mod reads;
mod schema;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::NaiveDateTime;
use deadpool_postgres::{Client, Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio_postgres::NoTls;

use super::{
    Changes, Claim, CursorKind, FailedCustomer, FullSyncCheckpoint, LinkRecord, StateStore,
    StoreError, WaitingCustomer, WaitingRank,
};

use super::values::{from_json, from_sql_id, to_json, to_sql_id};

use inbox::SharedListener;
pub use inbox::{InboxMessage, WebhookInbox};
pub use leases::Leases;

/// Connections one store keeps open at most (the engine runs a few store calls at a time per
/// integration; a daemon with many integrations shares these).
const POOL_SIZE: usize = 8;

/// How long a store call waits for a free connection or for connecting.
const POOL_TIMEOUT: Duration = Duration::from_secs(30);

/// A [`StateStore`] in a PostgreSQL database, shared by every daemon that connects to it.
///
/// Cloning is cheap and shares the connection pool.
#[derive(Clone)]
pub struct PostgresStore {
    pool: Pool,
    /// For the inbox listener's own connection (holds the password: never shown).
    config: Arc<tokio_postgres::Config>,
    /// The inbox's listener, one per store however many inboxes are handed out.
    listener: SharedListener,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The pool's configuration holds the password: show only its size.
        f.debug_struct("PostgresStore")
            .field("pool_size", &self.pool.status().max_size)
            .finish()
    }
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user:password@host:port/database`, or
    /// the key-value form `host=… dbname=…`) and migrates it to the current schema.
    ///
    /// The error names what failed, never the URL (it may hold a password).
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let config: tokio_postgres::Config =
            url.parse().map_err(|e| StoreError::Database(Box::new(e)))?;
        let manager = Manager::from_config(
            config.clone(),
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(POOL_TIMEOUT))
            .create_timeout(Some(POOL_TIMEOUT))
            .build()
            .map_err(|e| StoreError::Task(format!("cannot build the connection pool: {e}")))?;
        let store = Self {
            pool,
            config: Arc::new(config),
            listener: SharedListener::default(),
        };
        let mut client = store.client().await?;
        schema::migrate(&mut client).await?;
        Ok(store)
    }

    /// The schema version this build creates.
    pub fn schema_version() -> i64 {
        schema::MIGRATIONS.len() as i64
    }

    /// The leases of the daemon named `holder`, each valid for `ttl` after its last renewal.
    pub fn leases(&self, holder: &str, ttl: Duration) -> Leases {
        Leases::new(self.pool.clone(), holder, ttl)
    }

    /// The webhooks waiting in the database for the daemon holding their integration.
    pub fn inbox(&self) -> WebhookInbox {
        WebhookInbox::new(
            self.pool.clone(),
            Arc::clone(&self.config),
            Arc::clone(&self.listener),
        )
    }

    async fn client(&self) -> Result<Client, StoreError> {
        pooled(&self.pool).await
    }
}

/// A connection from `pool`.
async fn pooled(pool: &Pool) -> Result<Client, StoreError> {
    pool.get()
        .await
        .map_err(|e| StoreError::Database(Box::new(e)))
}

#[async_trait]
impl StateStore for PostgresStore {
    async fn cursor(
        &self,
        integration: &str,
        kind: CursorKind,
    ) -> Result<Option<NaiveDateTime>, StoreError> {
        reads::cursor(&self.client().await?, integration, kind).await
    }

    async fn checkpoint(
        &self,
        integration: &str,
    ) -> Result<Option<FullSyncCheckpoint>, StoreError> {
        reads::checkpoint(&self.client().await?, integration).await
    }

    async fn link_records_for(
        &self,
        integration: &str,
        client_ids: &[u64],
    ) -> Result<std::collections::HashMap<u64, LinkRecord>, StoreError> {
        reads::link_records_for(&self.client().await?, integration, client_ids).await
    }

    async fn holders_of(
        &self,
        integration: &str,
        customer_ids: &[u64],
    ) -> Result<std::collections::HashMap<u64, u64>, StoreError> {
        reads::holders_of(&self.client().await?, integration, customer_ids).await
    }

    async fn claim_all(
        &self,
        integration: &str,
        claims: &[(u64, u64)],
    ) -> Result<Vec<Claim>, StoreError> {
        let mut client = self.client().await?;
        apply::claim_all(&mut client, integration, claims).await
    }

    async fn waiting_ranks(&self, integration: &str) -> Result<Vec<WaitingRank>, StoreError> {
        reads::waiting_ranks(&self.client().await?, integration).await
    }

    async fn waiting_customers(
        &self,
        integration: &str,
        after: u64,
        limit: usize,
    ) -> Result<Vec<WaitingCustomer>, StoreError> {
        reads::waiting_customers(&self.client().await?, integration, after, limit).await
    }

    async fn order_items_for(
        &self,
        integration: &str,
        serials: &[u64],
    ) -> Result<std::collections::HashMap<u64, u64>, StoreError> {
        reads::order_items_for(&self.client().await?, integration, serials).await
    }

    async fn order_item_prints_for(
        &self,
        integration: &str,
        serials: &[u64],
    ) -> Result<std::collections::HashMap<u64, String>, StoreError> {
        reads::order_item_prints_for(&self.client().await?, integration, serials).await
    }

    async fn callers_by_phone(
        &self,
        integration: &str,
        key: &str,
    ) -> Result<Vec<crate::caller::CallerRecord>, StoreError> {
        callers::callers_by_phone(&self.client().await?, integration, key).await
    }

    async fn failed_customers(&self, integration: &str) -> Result<Vec<FailedCustomer>, StoreError> {
        reads::failed_customers(&self.client().await?, integration).await
    }

    async fn apply(&self, integration: &str, changes: Changes) -> Result<(), StoreError> {
        if changes.is_empty() {
            return Ok(());
        }
        let mut client = self.client().await?;
        apply::apply(&mut client, integration, changes).await
    }

    async fn remember_event(
        &self,
        integration: &str,
        key: &str,
        at: NaiveDateTime,
    ) -> Result<bool, StoreError> {
        let inserted = self
            .client()
            .await?
            .execute(
                "INSERT INTO events (integration, key, seen_at) VALUES ($1, $2, $3)
                 ON CONFLICT (integration, key) DO NOTHING",
                &[&integration, &key, &at],
            )
            .await
            .map_err(db)?;
        Ok(inserted == 1)
    }

    async fn forget_event(&self, integration: &str, key: &str) -> Result<(), StoreError> {
        self.client()
            .await?
            .execute(
                "DELETE FROM events WHERE integration = $1 AND key = $2",
                &[&integration, &key],
            )
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn prune_events(
        &self,
        integration: &str,
        older_than: NaiveDateTime,
    ) -> Result<u64, StoreError> {
        self.client()
            .await?
            .execute(
                "DELETE FROM events WHERE integration = $1 AND seen_at < $2",
                &[&integration, &older_than],
            )
            .await
            .map_err(db)
    }
}

fn db(error: tokio_postgres::Error) -> StoreError {
    StoreError::Database(Box::new(error))
}

fn to_sql_ids(ids: &[u64]) -> Result<Vec<i64>, StoreError> {
    ids.iter().map(|id| to_sql_id(*id)).collect()
}

//! The Thulium REST API simulator: a stateful tenant under `/api`, with HTTP Basic auth.
//!
//! Routes (all under `/api`, all behind Basic auth):
//!
//! | Method | Path | Answer |
//! |---|---|---|
//! | GET | `customers` | `{"count": total, "result": [...]}` (or without `count`, or a bare array: [`ListShape`]); filters `email`, `phone_number`, `identifier`, `nip`, `company_id`, `type`, `group`, `custom_fields[Name]` / `custom_fields[Name][i]`; `include_*` flags; `limit` 1..=1000 (default 100), `offset` |
//! | POST | `customers` | 201 `{"customer_id": N}` |
//! | GET / PUT / DELETE | `customers/{id}` | 200 customer / 204 / 204; 404 unknown, 410 deleted |
//! | POST / PUT / DELETE | `batch/customers` | 207 with one result per item (see below) |
//! | GET | `customer_field_groups` | bare array of groups with their fields |
//! | GET / POST | `customer_field_group_items` | `{"count", "result"}` by `group_id`, `customer_id`, paging / 201 `{"item_id": N}` |
//! | PUT / DELETE | `customer_field_group_items/{id}` | 204 / 204 |
//!
//! Faithful to the reference where it speaks: empty scalars read as `""`, `company_id` is a
//! number or `""`, phones come twice (`phone_number` primary, `phone_numbers` all), only the
//! first e-mail is shown in `email`, `custom_fields` (with `include_custom_fields`) lists every
//! defined field with `null` when unset, read addresses carry extra keys, surname is required
//! on create, read-only custom fields are skipped without `fill_read_only_custom_fields`,
//! errors are `{"request_id": "...", "errors": [{"message", "code"}]}` with every problem of
//! the request listed.
//!
//! Choices where the reference is silent (clients must not depend on more than it says):
//! - **Batch results**: 207 with a bare array positional to the request items, each
//!   `{"status": 201, "customer_id": N}`, `{"status": 204, "customer_id": N}`,
//!   `{"status": 400, "errors": [...]}` or `{"status": 404|410, "customer_id": N, "errors": [...]}`.
//!   An invalid item stores nothing; the other items are still applied.
//! - **Update semantics**: a key present in the body replaces the stored value (the e-mail and
//!   phone lists as a whole); absent keys are kept; `custom_fields` merge by name (`null`
//!   clears one field).
//! - **Validation**: e-mails need `local@domain.tld`; phones may contain spaces, dashes, dots
//!   and parentheses, which are removed before storing (kept with
//!   [`ThuliumQuirks::phones_as_typed`]), and must then be `+` and/or 6–15 digits; numeric custom fields accept a JSON number or a numeric string; date fields
//!   exactly `YYYY-MM-DD`; error codes are the simulator's own (111111 for a phone, as in the
//!   reference's example).
//! - **Reads**: numeric custom fields are read back as strings unless
//!   [`ThuliumSimConfig::numbers_as_strings`] is off; `custom_fields` and addresses appear only
//!   with their `include_*` flag.
//! - **Search**: e-mail matching ignores case and surrounding spaces and looks at every
//!   stored address (not only the one shown); phone matching ignores spaces, dashes, dots and
//!   parentheses on both sides; an empty filter value (`phone_number=`) finds customers
//!   *without* that value, for every scalar filter and for custom fields; different custom
//!   fields AND, alternatives of one field OR; an unknown custom field in a filter is a 400.
//! - **Order**: every customer list is in `customer_id` order, ascending and stable (a
//!   customer keeps its place; new customers get higher ids and sort last).
//! - **Quirks** ([`ThuliumQuirks`], all off by default, [`ThuliumQuirks::least_convenient`]
//!   turns them on): lists without `count` or as a bare array, `email` matching a substring,
//!   `phone_number` matching the digits of the whole stored number only, phones stored as
//!   typed. Switchable at run time ([`ThuliumSim::set_quirks`]).
//! - **Agents** ([`ThuliumSimConfig::agent_contacts`]): contacts agents made before any sync,
//!   listed with what they typed by [`ThuliumSim::agent_contacts`]; with
//!   [`MidReadChanges`], agents add and delete contacts between the pages of a tenant read.
//! - **Field groups**: the group list is a bare array, the item list is `{"count", "result"}`;
//!   `PUT` replaces an item's values; deleting a customer deletes its items; ids of groups and
//!   fields are assigned from 1 at start.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! use sandbox::thulium::{ThuliumSim, ThuliumSimConfig};
//!
//! let sim = ThuliumSim::start(ThuliumSimConfig::default()).await?;
//! assert_eq!(sim.url().host_str(), Some("127.0.0.1"));
//! assert_eq!(sim.customer_count(), 0);
//! # Ok(())
//! # }
//! ```

mod agents;
mod auth;
mod batch;
mod config;
mod customers;
mod error;
mod field_groups;
mod input;
mod quirks;
mod record;
mod render;
mod schema;
mod search;
mod state;
mod store;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, RwLock};

use axum::Router;
use axum::routing::get;
use url::Url;

pub use agents::{MidReadChanges, MidReadEvent};
pub use config::{
    CustomFieldDef, CustomFieldKind, FieldGroupDef, RestrictedUser, ThuliumSimConfig,
};
pub use quirks::{ListShape, ThuliumQuirks};
pub use record::{Address, CustomerRecord, FieldGroupItemRecord};

use crate::faults::{Faults, instrument};
use crate::generator::{AgentContact, LostValue};
use crate::metrics::RequestCounters;
use agents::AgentBook;
use schema::Schema;
use state::AppState;
use store::Store;

/// A running Thulium simulator on `127.0.0.1` (stopped when dropped).
pub struct ThuliumSim {
    url: Url,
    user: String,
    password: String,
    counters: RequestCounters,
    faults: Faults,
    state: AppState,
    server: tokio::task::JoinHandle<()>,
}

impl ThuliumSim {
    /// Builds the tenant from `config` and serves it on loopback (`config.port`, 0 = any free port).
    ///
    /// # Errors
    /// When the listening socket cannot be opened.
    pub async fn start(config: ThuliumSimConfig) -> std::io::Result<Self> {
        let schema = Schema::new(
            &config.custom_fields,
            &config.field_groups,
            config.numbers_as_strings,
        );
        let mut store = Store::new();
        for customer in config.initial_customers.iter().cloned() {
            store.insert(customer);
        }
        let mut agents = AgentBook::default();
        for contact in config.agent_contacts.iter().cloned() {
            agents.seed(&mut store, contact);
        }
        agents.set_mid_read(config.mid_read_changes.clone());
        let state = AppState {
            store: Arc::new(RwLock::new(store)),
            schema: Arc::new(schema),
            agents: Arc::new(Mutex::new(agents)),
            quirks: Arc::new(Mutex::new(config.quirks)),
        };
        let faults = Faults::new(config.seed);
        let counters = RequestCounters::default();
        let app = instrument(
            routes(state.clone(), auth::Auth::new(&config)),
            faults.clone(),
            counters.clone(),
        );
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port)).await?;
        let address = listener.local_addr()?;
        let url = Url::parse(&format!("http://{address}/")).map_err(std::io::Error::other)?;
        let server = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app).await {
                tracing::error!(%error, "thulium simulator stopped");
            }
        });
        tracing::info!(%url, "thulium simulator listening");
        Ok(Self {
            url,
            user: config.user,
            password: config.password,
            counters,
            faults,
            state,
            server,
        })
    }

    /// The account URL (`http://127.0.0.1:PORT/`); the API lives under `/api`.
    pub fn url(&self) -> Url {
        self.url.clone()
    }

    /// Login of the full-access API user.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// Password of the full-access API user.
    pub fn password(&self) -> &str {
        &self.password
    }

    /// Requests served, by method and route template (e.g. `GET /api/customers/{id}`).
    pub fn counters(&self) -> &RequestCounters {
        &self.counters
    }

    /// The fault injector of this simulator.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// Every stored customer in id order, with all e-mails, phones, custom fields and
    /// field-group items.
    pub fn snapshot(&self) -> Vec<CustomerRecord> {
        let store = self.state.read();
        let mut items: BTreeMap<u64, Vec<FieldGroupItemRecord>> = BTreeMap::new();
        for item in store.items() {
            items
                .entry(item.customer_id)
                .or_default()
                .push(item.clone());
        }
        store
            .all()
            .map(|record| CustomerRecord {
                field_group_items: items.remove(&record.customer_id).unwrap_or_default(),
                ..record.clone()
            })
            .collect()
    }

    /// One stored customer with its field-group items, if it exists.
    pub fn customer(&self, customer_id: u64) -> Option<CustomerRecord> {
        let store = self.state.read();
        let record = store.get(customer_id).ok()?;
        Some(CustomerRecord {
            field_group_items: store.items_of(customer_id),
            ..record.clone()
        })
    }

    /// How many customers are stored.
    pub fn customer_count(&self) -> usize {
        self.state.read().len()
    }

    /// The quirks currently reproduced.
    pub fn quirks(&self) -> ThuliumQuirks {
        self.state.quirks()
    }

    /// Switches quirks on or off for the following requests.
    pub fn set_quirks(&self, quirks: ThuliumQuirks) {
        self.state.set_quirks(quirks);
    }

    /// Switches mid-read changes on (replacing any running ones, their read count starting
    /// again) or off (`None`) for the following requests. Events already logged are kept.
    pub fn set_mid_read_changes(&self, changes: Option<MidReadChanges>) {
        self.state.agents().set_mid_read(changes);
    }

    /// Every contact agents made — seeded at start or added during tenant reads, deleted
    /// by agents or not — in id order, as the agent typed it (not as it is now: compare with
    /// [`customer`](Self::customer) or use [`lost_agent_values`](Self::lost_agent_values)).
    pub fn agent_contacts(&self) -> Vec<AgentContact> {
        self.state.agents().contacts().cloned().collect()
    }

    /// Ids of the agent contacts that agents themselves deleted during tenant reads.
    pub fn agent_deleted_ids(&self) -> Vec<u64> {
        self.state.agents().deleted_by_agents()
    }

    /// Agent-entered e-mails and phones that are no longer on their contact, for every agent
    /// contact agents did not delete themselves (a contact deleted through the API loses all
    /// its values). Empty when a sync kept everything agents typed; see
    /// [`AgentContact::lost_values`] for how values are compared.
    pub fn lost_agent_values(&self) -> Vec<LostValue> {
        let store = self.state.read();
        self.state.agents().lost_values(&store)
    }

    /// What agents did during tenant reads so far, in order.
    pub fn mid_read_events(&self) -> Vec<MidReadEvent> {
        self.state.agents().events()
    }
}

impl Drop for ThuliumSim {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl std::fmt::Debug for ThuliumSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ThuliumSim")
            .field("url", &self.url.as_str())
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .finish_non_exhaustive()
    }
}

fn routes(state: AppState, auth: auth::Auth) -> Router {
    Router::new()
        .route(
            "/api/customers",
            get(customers::list).post(customers::create),
        )
        .route(
            "/api/customers/{id}",
            get(customers::get_one)
                .put(customers::update)
                .delete(customers::delete),
        )
        .route(
            "/api/batch/customers",
            axum::routing::post(batch::create)
                .put(batch::update)
                .delete(batch::delete),
        )
        .route("/api/customer_field_groups", get(field_groups::list_groups))
        .route(
            "/api/customer_field_group_items",
            get(field_groups::list_items).post(field_groups::create_item),
        )
        .route(
            "/api/customer_field_group_items/{id}",
            axum::routing::put(field_groups::update_item).delete(field_groups::delete_item),
        )
        .route_layer(axum::middleware::from_fn_with_state(
            Arc::new(auth),
            auth::require_basic_auth,
        ))
        .fallback(|| async { error::ApiError::not_found("Resource") })
        .with_state(state)
}

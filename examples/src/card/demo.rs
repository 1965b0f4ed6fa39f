//! The demo the `card-server` binary runs without flags: the sandbox with generated shop
//! data, and a few of its customers linked into the simulated Thulium tenant.

use std::collections::BTreeMap;

use sandbox::generator::GeneratorConfig;
use sandbox::idosell::ShopCustomer;
use sandbox::{Sandbox, SandboxConfig};
use sync_core::config::DEFAULT_SHOP_ID_FIELD;
use thulium_client::{CustomFieldValue, CustomerInput, ThuliumClient};

/// What the demo generates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoConfig {
    /// Seed of the generated data.
    pub seed: u64,
    /// Shop customers.
    pub customers: usize,
    /// Shop orders, spread over the customers.
    pub orders: usize,
    /// How many shop customers get a linked Thulium customer.
    pub linked: usize,
    /// Minimum number of orders a linked customer has (so their card shows a history).
    pub min_orders_linked: usize,
}

impl Default for DemoConfig {
    /// 300 customers, 1200 orders, 5 linked customers with at least 3 orders each.
    fn default() -> Self {
        Self {
            seed: 7,
            customers: 300,
            orders: 1200,
            linked: 5,
            min_orders_linked: 3,
        }
    }
}

/// A running demo: the sandbox and the Thulium customers linked to shop customers.
#[derive(Debug)]
pub struct DemoData {
    /// Both simulators (dropping this stops them).
    pub sandbox: Sandbox,
    /// `(thulium_customer_id, shop_client_id)` of every linked customer.
    pub links: Vec<(u64, u64)>,
    /// A linked customer's phone as the shop holds it, to try the caller lookup with.
    pub sample_phone: Option<String>,
}

/// Starts the sandbox with generated data and links `config.linked` shop customers into
/// Thulium: for each one a Thulium customer carrying the shop ID in the
/// [`DEFAULT_SHOP_ID_FIELD`] field, created through the Thulium API.
pub async fn start_demo(
    config: &DemoConfig,
) -> Result<DemoData, Box<dyn std::error::Error + Send + Sync>> {
    let sandbox = Sandbox::start(SandboxConfig::generated(&GeneratorConfig {
        seed: config.seed,
        customers: config.customers,
        orders: config.orders,
        ..GeneratorConfig::default()
    }))
    .await?;
    let thulium = ThuliumClient::builder(sandbox.thulium_url.clone())
        .credentials(
            sandbox.thulium_user.clone(),
            sandbox.thulium_password.clone(),
        )
        .build()?;
    let mut customers = sandbox.shop().customers();
    customers.sort_by_key(|customer| customer.client_id);
    let mut links = Vec::with_capacity(config.linked);
    let mut sample_phone = None;
    for customer in customers
        .iter()
        .filter(|customer| {
            sandbox.shop().orders_of(customer.client_id).len() >= config.min_orders_linked
        })
        .take(config.linked)
    {
        let thulium_id = thulium.customers().create(&linked_input(customer)).await?;
        links.push((thulium_id, customer.client_id));
        sample_phone = sample_phone.or_else(|| customer.billing.phone1.clone());
    }
    Ok(DemoData {
        sandbox,
        links,
        sample_phone,
    })
}

/// A Thulium customer carrying the shop customer's name and ID.
fn linked_input(customer: &ShopCustomer) -> CustomerInput {
    let id = i64::try_from(customer.client_id).unwrap_or(i64::MAX);
    CustomerInput {
        name: customer.billing.first_name.clone(),
        surname: customer
            .billing
            .last_name
            .clone()
            .or_else(|| customer.billing.firm.clone())
            .or_else(|| Some(format!("Shop customer {}", customer.client_id))),
        custom_fields: BTreeMap::from([(
            DEFAULT_SHOP_ID_FIELD.to_owned(),
            CustomFieldValue::Number(id),
        )]),
        ..CustomerInput::default()
    }
}

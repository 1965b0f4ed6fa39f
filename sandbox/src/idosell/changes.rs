//! Changes to a shop: what the HTTP write endpoints, the test helpers of
//! [`ShopSim`](crate::idosell::ShopSim) and the generator's change operations all go through.

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;

use super::model::{AuctionBuyer, OrderLine, PickupPointAddress, ShopAddress};

/// A customer to register. The simulator assigns the id, the dates and (when missing) a login.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewCustomer {
    /// Login; `None` generates one from the e-mail or the id.
    pub login: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// External code.
    pub code_external: Option<String>,
    /// `private`, `male`, `female` or `firm`; `None` means `private`.
    pub client_type: Option<String>,
    /// Register as a guest (no account).
    pub is_unregistered: bool,
    /// Names, address and phones.
    pub billing: ShopAddress,
    /// Birth date.
    pub birth_date: Option<NaiveDate>,
    /// Shops the customer is active in; empty means shop 1.
    pub shop_ids: Vec<u64>,
    /// Preferred currency; `None` means `PLN`.
    pub currency_id: Option<String>,
}

/// A partial update of a customer: `Some(value)` sets a field, `Some("")` clears an optional
/// one, `None` leaves it alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerPatch {
    /// New login.
    pub login: Option<String>,
    /// New e-mail.
    pub email: Option<String>,
    /// New external code.
    pub code_external: Option<String>,
    /// New customer type.
    pub client_type: Option<String>,
    /// Activate or deactivate the account.
    pub is_active: Option<bool>,
    /// New first name.
    pub first_name: Option<String>,
    /// New last name.
    pub last_name: Option<String>,
    /// New firm name.
    pub firm: Option<String>,
    /// New tax number.
    pub nip: Option<String>,
    /// New street.
    pub street: Option<String>,
    /// New zip code.
    pub zip_code: Option<String>,
    /// New city.
    pub city: Option<String>,
    /// New country id.
    pub country_id: Option<String>,
    /// New mobile phone.
    pub phone1: Option<String>,
    /// New landline phone.
    pub phone2: Option<String>,
}

impl CustomerPatch {
    /// Whether the patch changes nothing.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// An order to place. The simulator assigns the id, serial number and change date, and
/// copies the buyer's account and billing data from the stored customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrder {
    /// The buyer; must exist.
    pub client_id: u64,
    /// Shop the order was placed in.
    pub shop_id: u64,
    /// `n`, `r`, `t` or `p`.
    pub order_type: String,
    /// Initial status.
    pub status: String,
    /// `cash_on_delivery`, `prepaid` or `tradecredit`.
    pub payment_type: String,
    /// `PLN` or `EUR`.
    pub currency_id: String,
    /// PLN per unit of `currency_id`.
    pub currency_rate: Decimal,
    /// Delivery cost.
    pub delivery_cost: Decimal,
    /// Payment-form cost.
    pub payform_cost: Decimal,
    /// Insurance cost.
    pub insurance_cost: Decimal,
    /// Product lines; the products cost is their sum.
    pub products: Vec<OrderLine>,
    /// Marketplace service name (e.g. `allegro`) and buyer, for auction orders.
    pub auction: Option<(String, AuctionBuyer)>,
    /// Delivery address when it differs from the billing one.
    pub delivery: Option<ShopAddress>,
    /// Pickup point, when delivered to one.
    pub pickup_point: Option<PickupPointAddress>,
    /// Note from the customer.
    pub note: Option<String>,
    /// When the order was placed; `None` means now (the simulator clock).
    pub add_date: Option<NaiveDateTime>,
    /// When it was dispatched, if it was.
    pub dispatch_date: Option<NaiveDateTime>,
}

impl NewOrder {
    /// A plain one-product PLN shop order: a convenient starting point for tests.
    pub fn simple(client_id: u64, price: Decimal) -> Self {
        Self {
            client_id,
            shop_id: 1,
            order_type: "n".into(),
            status: "new".into(),
            payment_type: "prepaid".into(),
            currency_id: "PLN".into(),
            currency_rate: Decimal::ONE,
            delivery_cost: Decimal::ZERO,
            payform_cost: Decimal::ZERO,
            insurance_cost: Decimal::ZERO,
            products: vec![OrderLine {
                product_id: 1,
                name: "Produkt testowy".into(),
                code: "TEST-1".into(),
                quantity: 1,
                price,
                vat: Decimal::from(23),
            }],
            auction: None,
            delivery: None,
            pickup_point: None,
            note: None,
            add_date: None,
            dispatch_date: None,
        }
    }

    /// The products cost: sum of price × quantity of the lines.
    pub fn products_cost(&self) -> Decimal {
        self.products
            .iter()
            .map(|line| line.price * Decimal::from(line.quantity))
            .sum()
    }
}

/// One change to a shop, as produced by the generator for incremental tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShopChange {
    /// A new customer registers.
    Register(Box<NewCustomer>),
    /// An existing customer edits their data (typically the address).
    EditCustomer {
        /// The customer.
        client_id: u64,
        /// What changes.
        patch: Box<CustomerPatch>,
    },
    /// A customer places an order.
    NewOrder(Box<NewOrder>),
    /// An order moves to another status.
    StatusChange {
        /// The order's serial number.
        serial_number: u64,
        /// The new status.
        status: String,
    },
}

/// What applying a [`ShopChange`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeOutcome {
    /// The customer with this id was created or changed.
    Customer(u64),
    /// The order with this serial number was created or changed.
    Order(u64),
}

//! The customer card: what an agent sees about a shop customer — details, latest orders,
//! and links into the shop panel. A view model rendered to self-contained HTML (inline CSS,
//! no scripts, no external assets, every shop value HTML-escaped) and to JSON.

use std::collections::HashSet;

use iai_shop_client::{Client, Order};
use serde::Serialize;

use crate::config::{IntegrationConfig, Locale};
use crate::email::{email_variants, is_relay_domain};
use crate::mapping::{map_customer, newest_first};
use crate::order_summary::OrderSummary;

/// Everything the card shows about one shop customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomerCard {
    /// The integration instance's name.
    pub integration: String,
    /// The shop's customer ID.
    pub client_id: u64,
    /// `name surname` as written to Thulium.
    pub display_name: String,
    /// The firm, if any.
    pub firm: Option<String>,
    /// The NIP, if any.
    pub nip: Option<String>,
    /// The e-mail addresses an agent reads: the customer's own first, then the stable
    /// marketplace aliases (relay addresses without their `+transaction` part). Thulium
    /// holds every variant (see [`crate::mapping`]); the card lists only these.
    pub emails: Vec<String>,
    /// The per-order marketplace relay addresses written to Thulium but not listed on the
    /// card (one per transaction, useless to read out to a caller), counted by marketplace.
    pub per_order_relay_emails: Vec<RelayCount>,
    /// The phone numbers written to Thulium (E.164).
    pub phones: Vec<String>,
    /// The billing address in one line.
    pub address: Option<String>,
    /// Whether the customer is a guest without an account.
    pub is_guest: bool,
    /// "Show customer in shop panel" link (its template is configurable; see
    /// [`IntegrationConfig::customer_link_template`]).
    pub shop_link: String,
    /// The latest orders, newest first, at most [`IntegrationConfig::card_orders`].
    pub orders: Vec<OrderSummary>,
    /// How many orders were given in all (the card may show fewer).
    pub orders_total: usize,
    /// Language of the labels.
    pub locale: Locale,
}

impl CustomerCard {
    /// Builds the card from a shop customer and its orders (any order; the latest are kept).
    pub fn build(client: &Client, orders: &[Order], config: &IntegrationConfig) -> Self {
        let mapped = map_customer(client, orders, config).input;
        let display_name = [&mapped.name, &mapped.surname]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(" ");
        let address = mapped.address.as_ref().and_then(|address| {
            let building = match (&address.building, &address.flat) {
                (Some(building), Some(flat)) => Some(format!("{building}/{flat}")),
                (building, _) => building.clone(),
            };
            let street = [&address.street, &building]
                .into_iter()
                .flatten()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(" ");
            let city = [&address.postcode, &address.city]
                .into_iter()
                .flatten()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(" ");
            let parts: Vec<&str> = [street.as_str(), city.as_str()]
                .into_iter()
                .chain(address.country.as_deref())
                .filter(|part| !part.is_empty())
                .collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        });
        let orders_sorted = newest_first(orders);
        let CardEmails { shown, per_order } = CardEmails::split(&mapped.email);
        Self {
            integration: config.name.clone(),
            client_id: client.client_id,
            display_name,
            firm: crate::mapping::text(&client.billing.firm).map(str::to_owned),
            nip: mapped.nip,
            emails: shown,
            per_order_relay_emails: per_order,
            phones: mapped.phone_number,
            address,
            is_guest: client.is_unregistered,
            shop_link: config.customer_link(client.client_id),
            orders: orders_sorted
                .into_iter()
                .take(config.card_orders)
                .map(|order| OrderSummary::from_order(order, config))
                .collect(),
            orders_total: orders.len(),
            locale: config.locale,
        }
    }

    /// The card as JSON.
    pub fn to_json(&self) -> serde_json::Value {
        // Serialising plain strings, numbers and lists cannot fail; fall back to null anyway
        // rather than panic.
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// The card as a complete, self-contained HTML page (inline CSS, no scripts or external
    /// assets). Every value that came from the shop is HTML-escaped.
    pub fn to_html(&self) -> String {
        let words = Words::for_locale(self.locale);
        let mut html = String::with_capacity(4096);
        html.push_str("<!DOCTYPE html>\n<html lang=\"");
        html.push_str(words.lang);
        html.push_str("\"><head><meta charset=\"utf-8\"><title>");
        html.push_str(&escape(&self.display_name));
        html.push_str("</title><style>");
        html.push_str(STYLE);
        html.push_str("</style></head><body><main class=\"card\">\n<header><h1>");
        html.push_str(&escape(&self.display_name));
        html.push_str("</h1><p class=\"meta\">");
        html.push_str(&escape(&self.integration));
        html.push_str(&format!(" · {} #{}", words.client_id, self.client_id));
        if self.is_guest {
            html.push_str(&format!(" · {}", words.guest));
        }
        html.push_str("</p>");
        html.push_str(&link(&self.shop_link, words.show_in_panel, "button"));
        html.push_str("</header>\n<dl>");
        self.push_details(&mut html, &words);
        html.push_str("</dl>\n");
        self.push_orders(&mut html, &words);
        html.push_str("</main></body></html>\n");
        html
    }

    fn push_details(&self, html: &mut String, words: &Words) {
        let mut row = |label: &str, value: String| {
            if !value.is_empty() {
                html.push_str(&format!("<dt>{label}</dt><dd>{value}</dd>"));
            }
        };
        row(
            words.firm,
            self.firm.as_deref().map(escape).unwrap_or_default(),
        );
        row("NIP", self.nip.as_deref().map(escape).unwrap_or_default());
        row(words.email, self.emails_html(words));
        row(
            words.phone,
            self.phones
                .iter()
                .map(|p| escape(p))
                .collect::<Vec<_>>()
                .join("<br>"),
        );
        row(
            words.address,
            self.address.as_deref().map(escape).unwrap_or_default(),
        );
    }

    /// The listed addresses, one a line, then one line per marketplace counting its
    /// per-order relay addresses.
    fn emails_html(&self, words: &Words) -> String {
        let listed = self.emails.iter().map(|email| escape(email));
        let counted = self.per_order_relay_emails.iter().map(|relay| {
            format!(
                "<span class=\"relay-count\">{}</span>",
                (words.per_order_relays)(relay.count, relay.marketplace)
            )
        });
        listed.chain(counted).collect::<Vec<_>>().join("<br>")
    }

    fn push_orders(&self, html: &mut String, words: &Words) {
        html.push_str(&format!(
            "<h2>{} ({}/{})</h2>\n",
            words.orders,
            self.orders.len(),
            self.orders_total
        ));
        if self.orders.is_empty() {
            html.push_str(&format!("<p class=\"empty\">{}</p>\n", words.no_orders));
            return;
        }
        let (open, folded) = self
            .orders
            .split_at(self.orders.len().min(ORDERS_SHOWN_OPEN));
        for order in open {
            self.push_order(html, words, order);
        }
        if !folded.is_empty() {
            html.push_str(&format!(
                "<details class=\"older\"><summary>{} ({})</summary>\n",
                words.older_orders,
                folded.len()
            ));
            for order in folded {
                self.push_order(html, words, order);
            }
            html.push_str("</details>\n");
        }
    }

    /// One order: a header line (number, date, status, payment, total, edit link), then
    /// the delivery, the products and the parcels.
    fn push_order(&self, html: &mut String, words: &Words, order: &OrderSummary) {
        html.push_str(&format!(
            "<section class=\"order\" data-serial=\"{serial}\"><p class=\"order-head\">\
             <strong>{number} {serial}</strong> <span class=\"date\">{date}</span> \
             <span class=\"status {status_class}\">{status}</span> \
             <span class=\"payment status {payment_class}\">{payment}</span> \
             <span class=\"num\">{total}</span> {edit}</p>\n",
            serial = order.serial_number,
            number = words.number,
            date = escape(&order.placed_display()),
            status_class = order.status.severity.css_class(),
            status = escape(&order.status.label),
            payment_class = order.payment.severity().css_class(),
            payment = escape(&order.payment.label),
            total = escape(&order.total_display(self.locale)),
            edit = link(&order.edit_link, words.edit, "edit"),
        ));
        if let Some(line) = order.delivery.as_deref() {
            let prefix = if order.is_pickup_point {
                words.pickup_point
            } else {
                ""
            };
            html.push_str(&format!(
                "<p class=\"delivery\">{}: {prefix}{}</p>\n",
                words.delivery,
                escape(line)
            ));
        }
        if !order.products.is_empty() {
            html.push_str("<ul class=\"products\">");
            for product in &order.products {
                let price = product
                    .price
                    .as_ref()
                    .map(|price| format!(" × {}", escape(&price.display(self.locale))))
                    .unwrap_or_default();
                html.push_str(&format!(
                    "<li><span class=\"qty\">{}</span> {}{price}</li>",
                    product.quantity,
                    escape(&product.name)
                ));
            }
            html.push_str("</ul>\n");
        }
        if !order.parcels.is_empty() {
            let parcels: Vec<String> = order
                .parcels
                .iter()
                .map(|parcel| {
                    let courier = parcel
                        .courier
                        .as_deref()
                        .map(|c| format!("{} ", escape(c)))
                        .unwrap_or_default();
                    let number = match &parcel.tracking_url {
                        Some(url) => link(url, &escape(&parcel.number), "tracking"),
                        None => escape(&parcel.number),
                    };
                    format!("{courier}{number}")
                })
                .collect();
            html.push_str(&format!(
                "<p class=\"parcels\">{}: {}</p>\n",
                words.parcels,
                parcels.join(", ")
            ));
        }
        html.push_str("</section>\n");
    }
}

/// How many of the newest orders the card shows unfolded; older ones sit in a folded
/// section the agent can open.
pub const ORDERS_SHOWN_OPEN: usize = 3;

/// Escapes text for HTML content and double-quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

/// A link that opens in a new tab; only http(s) targets become links (a template cannot
/// smuggle in a `javascript:` URL).
fn link(href: &str, label: &str, class: &str) -> String {
    let lower = href.trim_start().to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://")) {
        return String::new();
    }
    format!(
        "<a class=\"{class}\" href=\"{}\" target=\"_blank\" rel=\"noopener noreferrer\">{label}</a>",
        escape(href)
    )
}

struct Words {
    lang: &'static str,
    client_id: &'static str,
    guest: &'static str,
    show_in_panel: &'static str,
    firm: &'static str,
    email: &'static str,
    phone: &'static str,
    address: &'static str,
    orders: &'static str,
    no_orders: &'static str,
    number: &'static str,
    delivery: &'static str,
    edit: &'static str,
    pickup_point: &'static str,
    older_orders: &'static str,
    parcels: &'static str,
    per_order_relays: fn(usize, &str) -> String,
}

impl Words {
    fn for_locale(locale: Locale) -> Self {
        match locale {
            Locale::Pl => Self {
                lang: "pl",
                client_id: "klient",
                guest: "bez rejestracji",
                show_in_panel: "Pokaż klienta w panelu sklepu",
                firm: "Firma",
                email: "E-mail",
                phone: "Telefon",
                address: "Adres",
                orders: "Zamówienia",
                no_orders: "Brak zamówień.",
                number: "Nr",
                delivery: "Dostawa",
                edit: "Edytuj",
                pickup_point: "Punkt odbioru: ",
                older_orders: "Starsze zamówienia",
                parcels: "Przesyłki",
                per_order_relays: |count, marketplace| {
                    format!(
                        "+ {count} {} {marketplace} z pojedynczych zamówień",
                        polish_addresses(count)
                    )
                },
            },
            Locale::En => Self {
                lang: "en",
                client_id: "customer",
                guest: "guest",
                show_in_panel: "Show customer in shop panel",
                firm: "Company",
                email: "E-mail",
                phone: "Phone",
                address: "Address",
                orders: "Orders",
                no_orders: "No orders.",
                number: "No.",
                delivery: "Delivery",
                edit: "Edit",
                pickup_point: "Pickup point: ",
                older_orders: "Older orders",
                parcels: "Parcels",
                per_order_relays: |count, marketplace| {
                    let plural = if count == 1 { "" } else { "es" };
                    format!("+ {count} per-order {marketplace} address{plural}")
                },
            },
        }
    }
}

/// "adres", "adresy" or "adresów": the Polish noun form that goes with `count`.
fn polish_addresses(count: usize) -> &'static str {
    let (units, tens) = (count % 10, count % 100);
    if count == 1 {
        "adres"
    } else if (2..=4).contains(&units) && !(12..=14).contains(&tens) {
        "adresy"
    } else {
        "adresów"
    }
}

/// How many per-order relay addresses of one marketplace a customer has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RelayCount {
    /// `Allegro` or `Amazon`.
    pub marketplace: &'static str,
    /// How many distinct per-order addresses.
    pub count: usize,
}

/// The card's split of the addresses written to Thulium.
struct CardEmails {
    shown: Vec<String>,
    per_order: Vec<RelayCount>,
}

impl CardEmails {
    /// Own addresses first, then stable relay aliases, in the mapping's order; per-order
    /// relay addresses only counted. `all` holds normalised addresses as the mapping writes
    /// them: each relay address found in the shop followed by its alias. A relay address is
    /// per-order when its alias is in the list too (an Amazon alias keeps `+` segments of
    /// its own, so "has a `+`" would not do).
    fn split(all: &[String]) -> Self {
        let marketplace_of = |email: &str| {
            email
                .rsplit_once('@')
                .filter(|(_, domain)| is_relay_domain(domain))
                .map(|(_, domain)| marketplace_name(domain))
        };
        let listed: HashSet<String> = all.iter().map(|email| email.to_lowercase()).collect();
        let is_per_order = |email: &str| {
            email_variants(email).is_ok_and(|variants| {
                variants
                    .get(1)
                    .is_some_and(|alias| listed.contains(&alias.to_lowercase()))
            })
        };
        let mut own = Vec::new();
        let mut aliases = Vec::new();
        let mut per_order: Vec<RelayCount> = Vec::new();
        for email in all {
            match marketplace_of(email) {
                None => own.push(email.clone()),
                Some(marketplace) if is_per_order(email) => {
                    match per_order.iter_mut().find(|c| c.marketplace == marketplace) {
                        Some(counted) => counted.count += 1,
                        None => per_order.push(RelayCount {
                            marketplace,
                            count: 1,
                        }),
                    }
                }
                Some(_) => aliases.push(email.clone()),
            }
        }
        own.extend(aliases);
        Self {
            shown: own,
            per_order,
        }
    }
}

/// The addresses an agent reads out, from all the addresses the mapping writes: the
/// customer's own first, then stable marketplace aliases; per-order relay addresses left out.
pub(crate) fn listed_emails(all: &[String]) -> Vec<String> {
    CardEmails::split(all).shown
}

/// The marketplace behind a relay domain, as an agent knows it.
fn marketplace_name(domain: &str) -> &'static str {
    if domain.starts_with("marketplace.amazon.") {
        "Amazon"
    } else {
        "Allegro"
    }
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0;background:#f5f6f8;color:#222}\
.card{max-width:960px;margin:1rem auto;background:#fff;padding:1rem 1.5rem;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.12)}\
h1{margin:.2rem 0;font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.5rem}.meta{color:#666;margin:.2rem 0 .8rem}\
.button{display:inline-block;padding:.4rem .8rem;background:#1d5fbf;color:#fff;border-radius:4px;text-decoration:none}\
dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}dt{color:#666}dd{margin:0}\
table{width:100%;border-collapse:collapse}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #e3e5e8;vertical-align:top}\
.num{text-align:right;white-space:nowrap}td:nth-child(2){white-space:nowrap}.empty{color:#666}.edit{color:#1d5fbf}\
.relay-count{color:#666;font-size:.9rem}.status{padding:.1rem .45rem;border-radius:10px;font-size:.85rem;white-space:nowrap}\
.status-info{background:#e0ecff;color:#1d4f99}.status-waiting{background:#fff3d6;color:#8a5a00}\
.status-progress{background:#e6e0ff;color:#4b2f99}.status-success{background:#dff5e3;color:#1e6b30}\
.status-danger{background:#fde2e1;color:#9b1c1c}.status-neutral{background:#eceef1;color:#444}\
.order{border-bottom:1px solid #e3e5e8;padding:.4rem 0}.order p{margin:.2rem 0}.order-head .num{float:right}\
.date,.delivery{color:#555}.products{margin:.2rem 0;padding-left:1.2rem}.qty{font-weight:600}\
.parcels a{color:#1d5fbf}details.older summary{cursor:pointer;color:#1d5fbf;margin:.6rem 0}";

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use serde_json::json;
    use url::Url;

    use super::*;
    use crate::mapping::map_customer;

    fn config(locale: Locale) -> IntegrationConfig {
        let mut config =
            IntegrationConfig::new("shop", Url::parse("https://client1.idosell.com").unwrap());
        config.locale = locale;
        config
    }

    fn client() -> Client {
        serde_json::from_value(json!({
            "clientId": 7, "clientLogin": "ola", "clientEmail": "Ola.Nowak@WP.PL",
            "clientBillingAddress": {"clientFirstName": "Ola", "clientLastName": "Nowak"}
        }))
        .unwrap()
    }

    fn order(serial: u64, email: &str) -> Order {
        serde_json::from_value(json!({
            "orderId": format!("1-{serial}"), "orderSerialNumber": serial,
            "clientResult": {"clientAccount": {"clientId": 7, "clientEmail": email}},
            "orderDetails": {"orderStatus": "finished",
                "orderAddDate": format!("2025-02-{:02} 10:00:00", serial % 28 + 1)}
        }))
        .unwrap()
    }

    /// Nine Allegro transactions of one buyer alias, one of a second alias, one Amazon
    /// transaction and a second own address.
    fn orders() -> Vec<Order> {
        let mut orders: Vec<Order> = (1..=9)
            .map(|i| order(i, &format!("buyer1+t{i}@allegromail.pl")))
            .collect();
        orders.push(order(10, "buyer2+t10@user.allegrogroup.pl"));
        orders.push(order(11, "az+x1+y2@marketplace.amazon.de"));
        orders.push(order(12, "ola.praca@firma.pl"));
        orders
    }

    #[test]
    fn card_lists_own_addresses_then_aliases_and_counts_per_order_relays() {
        let config = config(Locale::En);
        let card = CustomerCard::build(&client(), &orders(), &config);
        let own_first = ["Ola.Nowak@wp.pl", "ola.praca@firma.pl"];
        assert_eq!(card.emails[..2], own_first);
        let mut aliases = card.emails[2..].to_vec();
        aliases.sort();
        assert_eq!(
            aliases,
            [
                "az+x1@marketplace.amazon.de",
                "buyer1@allegromail.pl",
                "buyer2@user.allegrogroup.pl"
            ]
        );
        let mut counts = card.per_order_relay_emails.clone();
        counts.sort_by_key(|c| c.marketplace);
        assert_eq!(
            counts,
            [
                RelayCount {
                    marketplace: "Allegro",
                    count: 10
                },
                RelayCount {
                    marketplace: "Amazon",
                    count: 1
                }
            ]
        );
        // Thulium still gets every variant: 2 own + 3 aliases + 11 per-order addresses.
        let mapped = map_customer(&client(), &orders(), &config).input.email;
        assert_eq!(mapped.len(), 16);
        assert!(mapped.contains(&"buyer1+t9@allegromail.pl".to_owned()));

        let html = card.to_html();
        assert!(html.contains("+ 10 per-order Allegro addresses"), "{html}");
        assert!(html.contains("+ 1 per-order Amazon address<"), "{html}");
        assert!(!html.contains("+t1@"), "per-order addresses are not listed");
        assert!(html.contains("buyer1@allegromail.pl"));
        let json = card.to_json();
        let counted = json["per_order_relay_emails"].as_array().unwrap();
        assert!(counted.contains(&json!({"marketplace": "Allegro", "count": 10})));
    }

    #[test]
    fn a_customer_without_marketplace_orders_shows_no_count() {
        let orders = [order(1, "ola.nowak@wp.pl")];
        let card = CustomerCard::build(&client(), &orders, &config(Locale::Pl));
        assert_eq!(card.emails, ["Ola.Nowak@wp.pl"]);
        assert!(card.per_order_relay_emails.is_empty());
        assert!(!card.to_html().contains("relay-count\""));
    }

    #[test]
    fn polish_count_uses_the_right_noun_form() {
        let card = CustomerCard::build(&client(), &orders(), &config(Locale::Pl));
        assert!(
            card.to_html()
                .contains("+ 10 adresów Allegro z pojedynczych zamówień")
        );
        let forms: Vec<&str> = [1, 2, 4, 5, 12, 22, 25, 104, 111]
            .into_iter()
            .map(polish_addresses)
            .collect();
        assert_eq!(
            forms,
            [
                "adres", "adresy", "adresy", "adresów", "adresów", "adresy", "adresów", "adresy",
                "adresów"
            ]
        );
    }
}

//! `sync-daemon webhook-setup`: what the merchant enters in the shop panel so that the
//! shop calls the daemon — our counterpart of the configuration file the Thulium guide has
//! the merchant import.
//!
//! IdoSell webhooks are set up only in the panel (Marketing & integrations → Webhooks, per
//! shop page); no Admin API endpoint lists or manages them, so adding and deleting them is
//! the merchant's work, and this text tells them what to tick and type. The panel offers a
//! fixed list of events, four methods (POST, GET, PUT, DELETE), three content types (form,
//! JSON, XML) and a body the merchant writes in IdoSell's template language — all of which
//! the receiver takes, an empty body included (IdoSell help, "Webhooks").

use std::fmt::Write as _;

use secrecy::ExposeSecret;
use url::Url;

use crate::daemon::{POLL_WITH_WEBHOOKS, idle_requests_per_month};
use crate::settings::Settings;

/// One panel event the integration needs, by its English and Polish names in the panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PanelEvent {
    /// The name in the English panel.
    pub english: &'static str,
    /// The name in the Polish panel.
    pub polish: &'static str,
    /// Why the sync needs it.
    pub why: &'static str,
}

/// The panel's events that change what Thulium shows of a customer: the account itself, and
/// the orders (last order date, order history). The panel has no event for the other
/// status changes (finished, waiting for payment, returned...): the safety-net poll finds
/// those.
pub const WEBHOOK_EVENTS: [PanelEvent; 9] = [
    PanelEvent {
        english: "Account created",
        polish: "Założenie konta",
        why: "a new customer",
    },
    PanelEvent {
        english: "Account edited",
        polish: "Edycja konta",
        why: "name, phone, e-mail, address",
    },
    PanelEvent {
        english: "Order placed",
        polish: "Złożenie zamówienia",
        why: "last order date; guest buyers",
    },
    PanelEvent {
        english: "Order edited",
        polish: "Edycja zamówienia",
        why: "order items and buyer data",
    },
    PanelEvent {
        english: "Order status changed to \"packed\"",
        polish: "Zmiana statusu zamówienia na \"spakowane\"",
        why: "order status",
    },
    PanelEvent {
        english: "Order confirmed",
        polish: "Potwierdzenie zamówienia",
        why: "order status",
    },
    PanelEvent {
        english: "Order dispatched",
        polish: "Wysłanie zamówienia",
        why: "order status",
    },
    PanelEvent {
        english: "Order cancelled",
        polish: "Anulowanie zamówienia",
        why: "order status",
    },
    PanelEvent {
        english: "Marketplace order status changed",
        polish: "Zmiana statusu zamówienia z marketplace",
        why: "Allegro / Amazon orders",
    },
];

/// The URL the shop calls for one integration: `{public}/webhooks/iai-shop/{name}/{token}`.
pub fn webhook_url(
    public_url: &Url,
    integration: &str,
    token: &str,
) -> Result<Url, url::ParseError> {
    let mut url = public_url.clone();
    url.path_segments_mut()
        .map_err(|()| url::ParseError::RelativeUrlWithCannotBeABaseBase)?
        .pop_if_empty()
        .extend(["webhooks", "iai-shop", integration, token]);
    Ok(url)
}

/// The instructions for every integration of `settings`, with `public_url` the address at
/// which the shop reaches the daemon (HTTPS in production). The text contains the tokens:
/// they are what the merchant must enter.
pub fn setup_instructions(settings: &Settings, public_url: &Url) -> String {
    let mut text = String::new();
    let _ = writeln!(
        text,
        "IdoSell webhooks for the Thulium sync\n\
         =====================================\n\
         In the shop panel open Marketing & integrations > Webhooks\n\
         (PL: Marketing i integracje > Webhooki) and add a webhook for each integration\n\
         below, on each shop page that takes orders, for these events (where a webhook takes\n\
         one event only, add one per event, all with the same settings):\n"
    );
    for event in WEBHOOK_EVENTS {
        let _ = writeln!(
            text,
            "  [x] {:<36} PL: {:<42} ({})",
            event.english, event.polish, event.why
        );
    }
    let _ = writeln!(
        text,
        "\nThen enter:\n\
         \x20 Method:        POST\n\
         \x20 Content type:  application/x-www-form-urlencoded\n\
         \x20 Body:          the customer's and the order's numbers help, e.g.\n\
         \x20                clientId=<client id>&orderSerialNumber=<order serial number>\n\
         \x20                written with the panel's template variables for them; the e-mail\n\
         \x20                or login may be added. An EMPTY body also works: the daemon then\n\
         \x20                looks for the change itself (one incremental pass, 2 API requests).\n\
         Any other method (GET, PUT, DELETE) or content type (JSON, XML) works as well; the\n\
         daemon reads ids from the query string, a form, JSON or XML, whatever the names.\n\
         Changes the panel has no event for (order finished, returned, ...) are found by the\n\
         safety-net poll, every {} minutes by default (about {} Admin API requests a month).\n",
        POLL_WITH_WEBHOOKS.as_secs() / 60,
        idle_requests_per_month(POLL_WITH_WEBHOOKS)
    );
    for integration in &settings.integrations {
        integration_section(&mut text, integration, public_url);
    }
    text
}

fn integration_section(
    text: &mut String,
    integration: &crate::settings::IntegrationSettings,
    public_url: &Url,
) {
    let name = &integration.config.name;
    let _ = writeln!(text, "Integration `{name}` (shop {})", integration.shop.url);
    if !integration.config.enabled {
        let _ = writeln!(
            text,
            "  DISABLED: in that shop's panel delete every webhook whose URL contains\n  \
             /webhooks/iai-shop/{name}/ (all {} events, on every shop page); the daemon\n  \
             answers them with 409 until then.\n",
            WEBHOOK_EVENTS.len()
        );
        return;
    }
    let Some(token) = &integration.webhook_token else {
        let _ = writeln!(
            text,
            "  no webhook token configured: set `webhook = {{ token_env = \"...\" }}` (or\n  \
             --webhook-token / WEBHOOK_TOKEN) to a long random string first. Until then the\n  \
             daemon polls this shop every minute.\n"
        );
        return;
    };
    match webhook_url(public_url, name, token.expose_secret()) {
        Ok(url) => {
            let _ = writeln!(text, "  URL:     {url}");
            let _ = writeln!(text, "  Events:  the {} above", WEBHOOK_EVENTS.len());
        }
        Err(error) => {
            let _ = writeln!(text, "  cannot build the URL from {public_url}: {error}");
        }
    }
    let _ = writeln!(
        text,
        "  To stop it (integration disabled or removed): delete the webhooks with this URL\n  \
         in the panel, and change the token if the URL may have leaked.\n"
    );
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn url_escapes_the_name_and_keeps_a_base_path() {
        let base = Url::parse("https://sync.example.pl/hooks/").unwrap();
        let url = webhook_url(&base, "main shop", "t0k").unwrap();
        assert_eq!(
            url.as_str(),
            "https://sync.example.pl/hooks/webhooks/iai-shop/main%20shop/t0k"
        );
    }
}

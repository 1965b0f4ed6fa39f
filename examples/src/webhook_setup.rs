//! `sync-daemon webhook-setup`: what the merchant enters in the shop panel so that the
//! shop calls the daemon — our counterpart of the configuration file the Thulium guide has
//! the merchant import. No API manages IdoSell webhooks: registering and
//! removing them happens in the panel.

use std::fmt::Write as _;

use secrecy::ExposeSecret;
use url::Url;

use crate::settings::Settings;

/// The events the integration needs: customers created or edited, orders placed, edited or
/// moved to another status (an order changes the customer's last order date and history).
pub const WEBHOOK_EVENTS: [&str; 5] = [
    "clientCreated",
    "clientUpdated",
    "orderCreated",
    "orderUpdated",
    "orderStatusUpdated",
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
         In the shop panel open Marketing & integrations > Webhooks and add one webhook per\n\
         event below: method POST, content type application/json, body: the event as the\n\
         Admin API sends it (it must carry clientId, orderId or orderSerialNumber).\n"
    );
    for integration in &settings.integrations {
        let name = &integration.config.name;
        let _ = writeln!(text, "Integration `{name}` (shop {})", integration.shop.url);
        if !integration.config.enabled {
            let _ = writeln!(
                text,
                "  disabled: remove every webhook whose URL contains /webhooks/iai-shop/{name}/\n  \
                 in that panel (the daemon answers them with 409 until then).\n"
            );
            continue;
        }
        let Some(token) = &integration.webhook_token else {
            let _ = writeln!(
                text,
                "  no webhook token configured: set `webhook = {{ token_env = \"...\" }}` (or\n  \
                 --webhook-token / WEBHOOK_TOKEN) to a long random string first.\n"
            );
            continue;
        };
        match webhook_url(public_url, name, token.expose_secret()) {
            Ok(url) => {
                for event in WEBHOOK_EVENTS {
                    let _ = writeln!(text, "  {event:<20} POST {url}");
                }
            }
            Err(error) => {
                let _ = writeln!(text, "  cannot build the URL from {public_url}: {error}");
            }
        }
        let _ = writeln!(
            text,
            "  To stop it (integration disabled or removed): delete these {} webhooks in the\n  \
             panel, and change the token if the URL may have leaked.\n",
            WEBHOOK_EVENTS.len()
        );
    }
    text
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

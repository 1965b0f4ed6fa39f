//! The shop simulator's webhooks, sent the way the IdoSell panel sends them: on a customer
//! or order change the simulator calls a configured URL with the method, content type and
//! body template the merchant would have chosen (POST, GET, PUT or DELETE; a form, JSON,
//! XML or no body at all; GET parameters in the URL). Nothing is signed, as in the panel.
//!
//! Templates name the change's values in braces: `{event}`, `{client_id}`, `{client_login}`,
//! `{email}`, `{order_serial_number}`, `{order_id}` (empty when the change has none). Each
//! value is escaped for where it goes: form and query values URL-encoded, JSON string
//! content escaped, XML text escaped.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use url::Url;

use super::model::{ShopCustomer, ShopOrder};

/// The HTTP method of a panel webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookMethod {
    /// POST.
    Post,
    /// GET: the data goes in the query string.
    Get,
    /// PUT.
    Put,
    /// DELETE.
    Delete,
}

/// How the simulator's webhook is set up (what the merchant enters in the panel).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookSetup {
    /// Where to send it.
    pub url: Url,
    /// The method.
    pub method: WebhookMethod,
    /// The `Content-Type` header; `None` sends none.
    pub content_type: Option<String>,
    /// The body template; empty sends no body.
    pub body: String,
    /// The query-string template added to the URL; empty adds none.
    pub query: String,
}

impl WebhookSetup {
    /// A POST with no body and no content type: "something changed".
    pub fn empty_post(url: Url) -> Self {
        Self {
            url,
            method: WebhookMethod::Post,
            content_type: None,
            body: String::new(),
            query: String::new(),
        }
    }

    /// A GET carrying the event and the ids as query parameters.
    pub fn get_with_query(url: Url) -> Self {
        Self {
            method: WebhookMethod::Get,
            query: "event={event}&clientId={client_id}&orderSerialNumber={order_serial_number}"
                .into(),
            ..Self::empty_post(url)
        }
    }

    /// A form body sent with `method`.
    pub fn form(url: Url, method: WebhookMethod) -> Self {
        Self {
            method,
            content_type: Some("application/x-www-form-urlencoded".into()),
            body: "event={event}&client_id={client_id}&login={client_login}&email={email}\
                   &order_sn={order_serial_number}"
                .into(),
            ..Self::empty_post(url)
        }
    }

    /// A JSON body, ids nested a few levels down as a hand-written template might have them.
    pub fn json(url: Url) -> Self {
        Self {
            content_type: Some("application/json".into()),
            body: r#"{"webhook":{"event":"{event}","data":{"client":{"id":"{client_id}","email":"{email}"},"order":{"serialNumber":"{order_serial_number}"}}}}"#
                .into(),
            ..Self::empty_post(url)
        }
    }

    /// An XML body with the ids as elements and attributes.
    pub fn xml(url: Url) -> Self {
        Self {
            content_type: Some("text/xml".into()),
            body: r#"<?xml version="1.0" encoding="UTF-8"?><webhook event="{event}"><client id="{client_id}"><login>{client_login}</login></client><order serialNumber="{order_serial_number}"/></webhook>"#
                .into(),
            ..Self::empty_post(url)
        }
    }
}

/// What changed, as the panel's event and the values a template can name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebhookEvent {
    /// The panel event (`account_created`, `account_edited`, `order_placed`,
    /// `order_status_changed`).
    pub event: &'static str,
    /// The customer's id.
    pub client_id: Option<u64>,
    /// The customer's login.
    pub client_login: Option<String>,
    /// The customer's e-mail.
    pub email: Option<String>,
    /// The order's serial number.
    pub order_serial_number: Option<u64>,
    /// The order's id.
    pub order_id: Option<String>,
}

impl WebhookEvent {
    pub(crate) fn of_customer(event: &'static str, customer: &ShopCustomer) -> Self {
        Self {
            event,
            client_id: Some(customer.client_id),
            client_login: Some(customer.login.clone()),
            email: customer.email.clone(),
            ..Self::default()
        }
    }

    pub(crate) fn of_order(event: &'static str, order: &ShopOrder) -> Self {
        Self {
            event,
            client_id: Some(order.client_id),
            order_serial_number: Some(order.serial_number),
            order_id: Some(order.order_id.clone()),
            ..Self::default()
        }
    }
}

/// One webhook the simulator sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The event it announced.
    pub event: WebhookEvent,
    /// The HTTP status received, or `None` when no answer came (refused, reset, timeout).
    pub status: Option<u16>,
    /// When it was sent, from the change.
    pub took: Duration,
}

/// Sends the simulator's webhooks (see the module docs); cheap to clone.
#[derive(Debug, Clone)]
pub(crate) struct WebhookSender {
    setup: Arc<Mutex<Option<WebhookSetup>>>,
    deliveries: Arc<Mutex<Vec<Delivery>>>,
    http: reqwest::Client,
}

impl Default for WebhookSender {
    fn default() -> Self {
        Self {
            setup: Arc::default(),
            deliveries: Arc::default(),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap_or_default(),
        }
    }
}

impl WebhookSender {
    pub(crate) fn set(&self, setup: Option<WebhookSetup>) {
        *self.setup.lock().unwrap_or_else(PoisonError::into_inner) = setup;
    }

    pub(crate) fn deliveries(&self) -> Vec<Delivery> {
        self.deliveries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Sends `event` in the background when a webhook is set up and a Tokio runtime runs.
    pub(crate) fn notify(&self, event: WebhookEvent) {
        let Some(setup) = self
            .setup
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
        else {
            return;
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            tracing::warn!("webhook not sent: no Tokio runtime");
            return;
        };
        let http = self.http.clone();
        let deliveries = Arc::clone(&self.deliveries);
        runtime.spawn(async move {
            let started = Instant::now();
            let status = send(&http, &setup, &event).await;
            let delivery = Delivery {
                event,
                status,
                took: started.elapsed(),
            };
            deliveries
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(delivery);
        });
    }
}

async fn send(http: &reqwest::Client, setup: &WebhookSetup, event: &WebhookEvent) -> Option<u16> {
    let mut url = setup.url.clone();
    if !setup.query.is_empty() {
        url.set_query(Some(&render(&setup.query, event, Escape::Form)));
    }
    let method = match setup.method {
        WebhookMethod::Post => reqwest::Method::POST,
        WebhookMethod::Get => reqwest::Method::GET,
        WebhookMethod::Put => reqwest::Method::PUT,
        WebhookMethod::Delete => reqwest::Method::DELETE,
    };
    let mut request = http.request(method, url);
    if let Some(content_type) = &setup.content_type {
        request = request.header(reqwest::header::CONTENT_TYPE, content_type);
    }
    if !setup.body.is_empty() {
        let escape = Escape::for_content_type(setup.content_type.as_deref());
        request = request.body(render(&setup.body, event, escape));
    }
    match request.send().await {
        Ok(response) => Some(response.status().as_u16()),
        Err(error) => {
            tracing::debug!(%error, "webhook not answered");
            None
        }
    }
}

/// How a value is escaped for where the template puts it.
#[derive(Debug, Clone, Copy)]
enum Escape {
    Form,
    Json,
    Xml,
}

impl Escape {
    fn for_content_type(content_type: Option<&str>) -> Self {
        match content_type.map(str::to_ascii_lowercase) {
            Some(t) if t.contains("json") => Self::Json,
            Some(t) if t.contains("xml") => Self::Xml,
            _ => Self::Form,
        }
    }

    fn apply(self, value: &str) -> String {
        match self {
            Self::Form => url::form_urlencoded::byte_serialize(value.as_bytes()).collect(),
            Self::Json => {
                let quoted = serde_json::Value::String(value.to_owned()).to_string();
                quoted[1..quoted.len() - 1].to_owned()
            }
            Self::Xml => quick_xml::escape::escape(value).into_owned(),
        }
    }
}

fn render(template: &str, event: &WebhookEvent, escape: Escape) -> String {
    let number = |n: Option<u64>| n.map(|n| n.to_string()).unwrap_or_default();
    let values = [
        ("{event}", event.event.to_owned()),
        ("{client_id}", number(event.client_id)),
        (
            "{client_login}",
            event.client_login.clone().unwrap_or_default(),
        ),
        ("{email}", event.email.clone().unwrap_or_default()),
        ("{order_serial_number}", number(event.order_serial_number)),
        ("{order_id}", event.order_id.clone().unwrap_or_default()),
    ];
    values
        .iter()
        .fold(template.to_owned(), |text, (name, value)| {
            text.replace(name, &escape.apply(value))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_for_their_place() {
        let event = WebhookEvent {
            event: "account_edited",
            client_id: Some(7),
            email: Some("a+b@x.pl".into()),
            client_login: Some("<ola & \"jan\">".into()),
            ..WebhookEvent::default()
        };
        assert_eq!(
            render(
                "id={client_id}&email={email}&o={order_serial_number}",
                &event,
                Escape::Form
            ),
            "id=7&email=a%2Bb%40x.pl&o="
        );
        assert_eq!(
            render(r#"{"l":"{client_login}"}"#, &event, Escape::Json),
            r#"{"l":"<ola & \"jan\">"}"#
        );
        assert_eq!(
            render("<l>{client_login}</l>", &event, Escape::Xml),
            "<l>&lt;ola &amp; &quot;jan&quot;&gt;</l>"
        );
    }
}

//! Incoming IdoSell webhooks turned into a typed trigger (the webhook
//! notes in `docs/ARCHITECTURE.md`).
//!
//! Neither webhook mechanism has a published, fixed envelope: Admin API webhooks follow the
//! API's shapes but the wrapper is not confirmed, and panel webhooks carry whatever body the
//! merchant wrote in the template language. So the parser does not trust any one layout: it
//! looks for an event name and for a client id / order id / order serial number anywhere in
//! the first few levels of a JSON object (or in a form-encoded body), and rejects a body that
//! carries no id at all. A webhook is only a trigger: re-read the object from the API.

use serde_json::Value;

/// What happened, as far as the webhook says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookEventKind {
    /// A customer account was created (`clientCreated`).
    ClientCreated,
    /// A customer was edited (`clientUpdated`).
    ClientUpdated,
    /// An order was placed (`orderCreated`).
    OrderCreated,
    /// An order was edited (`orderUpdated`, and other order events such as `orderPaid`).
    OrderUpdated,
    /// An order's status changed (`orderStatusUpdated`, `orderStatusChanged`).
    OrderStatusChanged,
    /// An event name this crate does not know, kept as sent.
    Other(String),
    /// The body names no event; only the ids tell what to re-read.
    Unspecified,
}

impl WebhookEventKind {
    /// Reads an event name; spelling, case and separators are ignored
    /// (`orderStatusUpdated`, `order_status_updated`, `order.status.changed` are one event).
    pub fn parse(name: &str) -> Self {
        let key: String = name
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        match key.as_str() {
            "" => Self::Unspecified,
            "clientcreated" | "clientadded" | "accountcreated" | "clientregistered" => {
                Self::ClientCreated
            }
            "clientupdated" | "clientedited" | "clientmodified" | "accountedited"
            | "accountupdated" => Self::ClientUpdated,
            "ordercreated" | "orderadded" | "orderplaced" | "ordernew" => Self::OrderCreated,
            "orderstatusupdated" | "orderstatuschanged" | "orderstatuschange" => {
                Self::OrderStatusChanged
            }
            k if k.starts_with("order") => Self::OrderUpdated,
            _ => Self::Other(name.to_owned()),
        }
    }

    /// Whether the event is about an order (rather than a customer).
    pub fn is_order_event(&self) -> bool {
        matches!(
            self,
            Self::OrderCreated | Self::OrderUpdated | Self::OrderStatusChanged
        )
    }
}

/// The trigger a webhook carries: the event and the ids to re-read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookTrigger {
    /// The event.
    pub kind: WebhookEventKind,
    /// The customer's id (`clientId`), when given.
    pub client_id: Option<u64>,
    /// The order id (`orderId`, a string), when given.
    pub order_id: Option<String>,
    /// The order serial number (`orderSerialNumber`), when given.
    pub order_serial_number: Option<u64>,
}

/// Why a webhook body was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// The body is empty.
    #[error("the webhook body is empty")]
    Empty,
    /// The body is neither a JSON object nor a form-encoded body.
    #[error("the webhook body is neither a JSON object nor form-encoded")]
    Malformed,
    /// The body names no client id, order id or order serial number.
    #[error("the webhook body carries no client id, order id or order serial number")]
    NoId,
}

/// How deep into nested objects the ids are looked for.
const MAX_DEPTH: usize = 4;

const EVENT_KEYS: [&str; 6] = [
    "event",
    "eventtype",
    "eventname",
    "type",
    "action",
    "trigger",
];
const CLIENT_ID_KEYS: [&str; 2] = ["clientid", "customerid"];
const ORDER_ID_KEYS: [&str; 1] = ["orderid"];
const SERIAL_KEYS: [&str; 3] = ["orderserialnumber", "ordersn", "serialnumber"];

/// Parses an incoming webhook body (JSON, or `application/x-www-form-urlencoded` as panel
/// templates may send) into a [`WebhookTrigger`].
///
/// ```
/// use iai_shop_client::webhook::{parse_webhook, WebhookEventKind};
/// let t = parse_webhook(br#"{"event":"orderStatusUpdated","data":{"orderSerialNumber":"1234"}}"#).unwrap();
/// assert_eq!(t.kind, WebhookEventKind::OrderStatusChanged);
/// assert_eq!(t.order_serial_number, Some(1234));
/// ```
pub fn parse_webhook(body: &[u8]) -> Result<WebhookTrigger, WebhookError> {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return Err(WebhookError::Empty);
    }
    let document = match serde_json::from_str::<Value>(text) {
        Ok(value @ (Value::Object(_) | Value::Array(_))) => value,
        Ok(_) => return Err(WebhookError::Malformed),
        // A body that opens like JSON but does not parse (cut short, nested past the parser's
        // limit) is broken JSON, not a form: a `&clientId=1&` inside one of its strings must
        // not be taken for an id.
        Err(_) if text.starts_with(['{', '[']) => return Err(WebhookError::Malformed),
        Err(_) => form_to_json(text).ok_or(WebhookError::Malformed)?,
    };
    trigger_from(&document)
}

fn trigger_from(document: &Value) -> Result<WebhookTrigger, WebhookError> {
    let kind = find(document, &EVENT_KEYS, 0)
        .and_then(as_text)
        .map_or(WebhookEventKind::Unspecified, |name| {
            WebhookEventKind::parse(&name)
        });
    let client_id = find(document, &CLIENT_ID_KEYS, 0).and_then(as_u64);
    let order_id = find(document, &ORDER_ID_KEYS, 0).and_then(as_text);
    let order_serial_number = find(document, &SERIAL_KEYS, 0).and_then(as_u64);
    // A nested `{"client": {"id": 5}}` / `{"order": {"id": ...}}` is a common hand-written form.
    let client_id = client_id.or_else(|| nested_id(document, "client").and_then(as_u64));
    let order_serial_number =
        order_serial_number.or_else(|| nested_id(document, "order").and_then(as_u64));
    if client_id.is_none() && order_id.is_none() && order_serial_number.is_none() {
        return Err(WebhookError::NoId);
    }
    Ok(WebhookTrigger {
        kind,
        client_id,
        order_id,
        order_serial_number,
    })
}

/// Depth-first search for a key of `keys` (compared without case and separators): an
/// object's own keys are checked before its children are entered, children in order.
fn find<'a>(value: &'a Value, keys: &[&str], depth: usize) -> Option<&'a Value> {
    if depth > MAX_DEPTH {
        return None;
    }
    match value {
        Value::Object(map) => map
            .iter()
            .find(|(k, v)| keys.contains(&normalise(k).as_str()) && !v.is_null())
            .map(|(_, v)| v)
            .or_else(|| map.values().find_map(|v| find(v, keys, depth + 1))),
        Value::Array(items) => items.iter().find_map(|v| find(v, keys, depth + 1)),
        _ => None,
    }
}

fn nested_id<'a>(document: &'a Value, object_key: &str) -> Option<&'a Value> {
    let object = find(document, &[object_key], 0)?;
    object
        .as_object()?
        .iter()
        .find(|(k, _)| normalise(k) == "id")
        .map(|(_, v)| v)
}

fn normalise(key: &str) -> String {
    key.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase()
}

fn as_text(value: &Value) -> Option<String> {
    let text = match value {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    (!text.is_empty()).then_some(text)
}

fn as_u64(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|id| *id > 0)
}

/// A form-encoded body as a flat JSON object; `None` if it has no `key=value` pair.
fn form_to_json(text: &str) -> Option<Value> {
    if !text.contains('=') {
        return None;
    }
    let map: serde_json::Map<String, Value> = url::form_urlencoded::parse(text.as_bytes())
        .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
        .collect();
    (!map.is_empty()).then_some(Value::Object(map))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn admin_api_style_client_event() {
        let t = parse_webhook(
            br#"{"eventType":"clientUpdated","payload":{"clients":[{"clientId":77}]}}"#,
        )
        .unwrap();
        assert_eq!(t.kind, WebhookEventKind::ClientUpdated);
        assert_eq!(t.client_id, Some(77));
        assert_eq!(t.order_id, None);
    }

    #[test]
    fn panel_template_form_body() {
        let t = parse_webhook(b"event=order_created&order_id=shop1-55&order_sn=55").unwrap();
        assert_eq!(t.kind, WebhookEventKind::OrderCreated);
        assert_eq!(t.order_id.as_deref(), Some("shop1-55"));
        assert_eq!(t.order_serial_number, Some(55));
    }

    #[test]
    fn unknown_envelope_with_nested_id() {
        let t = parse_webhook(br#"{"whatever":{"client":{"id":"9"}}}"#).unwrap();
        assert_eq!(t.kind, WebhookEventKind::Unspecified);
        assert_eq!(t.client_id, Some(9));
    }

    #[test]
    fn rejects_bodies_without_ids() {
        assert_eq!(parse_webhook(b""), Err(WebhookError::Empty));
        assert_eq!(parse_webhook(b"hello"), Err(WebhookError::Malformed));
        assert_eq!(parse_webhook(b"42"), Err(WebhookError::Malformed));
        assert_eq!(
            parse_webhook(br#"{"event":"clientCreated"}"#),
            Err(WebhookError::NoId)
        );
        assert_eq!(
            parse_webhook(br#"{"clientId":""}"#),
            Err(WebhookError::NoId)
        );
    }

    #[test]
    fn broken_json_is_not_read_as_a_form() {
        assert_eq!(
            parse_webhook(br#"{"event":"clientUpdated","note":"a&clientId=7&b=c"#),
            Err(WebhookError::Malformed)
        );
        assert_eq!(
            parse_webhook(br#"["x&clientId=7&y=""#),
            Err(WebhookError::Malformed)
        );
    }
}

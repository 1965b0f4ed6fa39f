//! Incoming IdoSell webhooks turned into a typed trigger.
//!
//! What the shop sends is written by the merchant, not by IdoSell. Webhooks are set up in
//! the panel (Marketing & integrations → Webhooks, per shop page) for a fixed list of events
//! (account created or edited, order placed, edited, confirmed, dispatched, cancelled, its
//! status changed to "packed", a marketplace order's status changed, ...). The merchant
//! picks the method (POST, GET, PUT or DELETE) and the content type
//! (`application/x-www-form-urlencoded`, `application/json` or `text/xml`), and writes the
//! body and the GET parameters in IdoSell's template language — or leaves them empty. There
//! is no fixed schema (IdoSell help, "Webhooks").
//!
//! So the reader trusts no layout. It looks at the query string and at the body (a form,
//! JSON at any depth up to [`MAX_DEPTH`], or XML elements and attributes) for an event name
//! and for a client id, client login, e-mail, order id or order serial number — whichever
//! are present. A webhook that carries none of them, or no body at all, is still a valid
//! trigger: "something changed in this shop", which the daemon answers with an incremental
//! pass ([`WebhookTrigger::names_nothing`]). A webhook is only a trigger either way: the
//! objects are re-read from the Admin API.
//!
//! - [`read_webhook`] is what a receiver uses: every request becomes a trigger.
//! - [`parse_webhook`] is the strict reading of a body alone: it refuses a body that is
//!   empty, unreadable or without an id.

use serde_json::Value;

/// What happened, as far as the webhook says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum WebhookEventKind {
    /// A customer account was created (`clientCreated`, the panel's "account created").
    ClientCreated,
    /// A customer was edited (`clientUpdated`, the panel's "account edited").
    ClientUpdated,
    /// An order was placed (`orderCreated`, the panel's "order placed").
    OrderCreated,
    /// An order was edited, confirmed, dispatched, cancelled... (`orderUpdated` and any
    /// other `order…` name).
    OrderUpdated,
    /// An order's status changed (`orderStatusUpdated`, `orderStatusChanged`).
    OrderStatusChanged,
    /// An event name this crate does not know, kept as sent.
    Other(String),
    /// The webhook names no event; only the ids (if any) tell what to re-read.
    #[default]
    Unspecified,
}

impl WebhookEventKind {
    /// Reads an event name; spelling, case and separators are ignored
    /// (`orderStatusUpdated`, `order_status_updated`, `order.status.changed` are one event).
    pub fn parse(name: &str) -> Self {
        match normalise(name).as_str() {
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

/// The trigger a webhook carries: the event and whatever identifies what changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebhookTrigger {
    /// The event.
    pub kind: WebhookEventKind,
    /// The customer's id (`clientId`), when given.
    pub client_id: Option<u64>,
    /// The order id (`orderId`, a string), when given.
    pub order_id: Option<String>,
    /// The order serial number (`orderSerialNumber`), when given.
    pub order_serial_number: Option<u64>,
    /// The customer's login (`clientLogin`, `login`), when given.
    pub client_login: Option<String>,
    /// The customer's e-mail address (`email`, `clientEmail`), when given.
    pub email: Option<String>,
}

impl WebhookTrigger {
    /// A trigger that says only "something changed in the shop".
    pub fn anything_changed() -> Self {
        Self::default()
    }

    /// Whether the trigger names no client id, order id or serial number — nothing the
    /// Admin API can be asked for directly (a login or an e-mail alone is not enough to
    /// read one customer). Such a trigger asks for an incremental pass of the integration.
    pub fn names_nothing(&self) -> bool {
        self.client_id.is_none() && self.order_id.is_none() && self.order_serial_number.is_none()
    }
}

/// Why a webhook body was refused by the strict [`parse_webhook`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// The body is empty.
    #[error("the webhook body is empty")]
    Empty,
    /// The body is neither a JSON object, an XML document nor a form-encoded body.
    #[error("the webhook body is neither JSON, XML nor form-encoded")]
    Malformed,
    /// The body names no client id, order id or order serial number.
    #[error("the webhook body carries no client id, order id or order serial number")]
    NoId,
}

/// One incoming webhook request as far as the reader needs it.
///
/// The `Content-Type` header is not needed: the body is read by how it looks (`<` opens XML,
/// `{` or `[` JSON, anything else a form), since a template may declare one type and write
/// another.
#[derive(Debug, Clone, Copy, Default)]
pub struct WebhookRequest<'a> {
    /// The raw query string (without `?`), if any: GET webhooks carry their data there.
    pub query: Option<&'a str>,
    /// The body, possibly empty.
    pub body: &'a [u8],
}

/// How deep into nested objects or elements the ids are looked for: panel templates nest a
/// few levels; the bound keeps a hostile body from costing more than a walk of its size.
pub const MAX_DEPTH: usize = 16;

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
const LOGIN_KEYS: [&str; 4] = ["clientlogin", "customerlogin", "login", "userlogin"];
const EMAIL_KEYS: [&str; 5] = [
    "email",
    "clientemail",
    "customeremail",
    "mail",
    "emailaddress",
];

/// Reads any webhook request into a trigger; never fails. The query string and the body
/// (a form, JSON or XML, told apart by how it looks) are searched together; an empty, unreadable or id-less webhook gives a trigger that
/// [`names_nothing`](WebhookTrigger::names_nothing).
///
/// ```
/// use iai_shop_client::webhook::{read_webhook, WebhookRequest};
/// let xml = br#"<webhook event="orderStatusChanged"><order serialNumber="1234"/></webhook>"#;
/// let t = read_webhook(&WebhookRequest { body: xml, ..Default::default() });
/// assert_eq!(t.order_serial_number, Some(1234));
/// let t = read_webhook(&WebhookRequest { query: Some("clientId=7"), ..Default::default() });
/// assert_eq!(t.client_id, Some(7));
/// assert!(read_webhook(&WebhookRequest::default()).names_nothing());
/// ```
pub fn read_webhook(request: &WebhookRequest<'_>) -> WebhookTrigger {
    let mut parts = Vec::with_capacity(2);
    if let Some(query) = request.query.and_then(form_to_json) {
        parts.push(query);
    }
    if let Ok(Some(body)) = read_body(request.body) {
        parts.push(body);
    }
    trigger_from(&Value::Array(parts))
}

/// Parses a webhook body alone (JSON, XML or `application/x-www-form-urlencoded`, told
/// apart by how it looks) into a [`WebhookTrigger`], refusing one that names no client id,
/// order id or serial number. A receiver should rather use [`read_webhook`].
///
/// ```
/// use iai_shop_client::webhook::{parse_webhook, WebhookEventKind};
/// let t = parse_webhook(br#"{"event":"orderStatusUpdated","data":{"orderSerialNumber":"1234"}}"#).unwrap();
/// assert_eq!(t.kind, WebhookEventKind::OrderStatusChanged);
/// assert_eq!(t.order_serial_number, Some(1234));
/// ```
pub fn parse_webhook(body: &[u8]) -> Result<WebhookTrigger, WebhookError> {
    let document = read_body(body)?.ok_or(WebhookError::Empty)?;
    let trigger = trigger_from(&document);
    if trigger.names_nothing() {
        return Err(WebhookError::NoId);
    }
    Ok(trigger)
}

/// The body as a JSON value (XML and forms converted); `Ok(None)` when it is empty.
fn read_body(body: &[u8]) -> Result<Option<Value>, WebhookError> {
    let text = String::from_utf8_lossy(body);
    let text = text.trim_start_matches('\u{feff}').trim();
    if text.is_empty() {
        return Ok(None);
    }
    let value = if text.starts_with('<') {
        xml_to_json(text)
    } else if text.starts_with(['{', '[']) {
        // A body that opens like JSON but does not parse (cut short, nested past the
        // parser's limit) is broken JSON, not a form: a `&clientId=1&` inside one of its
        // strings must not be taken for an id.
        match serde_json::from_str::<Value>(text) {
            Ok(value @ (Value::Object(_) | Value::Array(_))) => Some(value),
            _ => None,
        }
    } else {
        form_to_json(text)
    };
    value.map(Some).ok_or(WebhookError::Malformed)
}

fn trigger_from(document: &Value) -> WebhookTrigger {
    let text_of = |keys: &[&str]| find(document, keys, 0).and_then(as_text);
    let number_of = |keys: &[&str]| find(document, keys, 0).and_then(as_u64);
    let kind = text_of(&EVENT_KEYS).map_or(WebhookEventKind::Unspecified, |name| {
        WebhookEventKind::parse(&name)
    });
    // A nested `{"client": {"id": 5}}` / `{"order": {"id": ...}}` is a common hand-written form.
    let client_id =
        number_of(&CLIENT_ID_KEYS).or_else(|| nested_id(document, "client").and_then(as_u64));
    let order_serial_number =
        number_of(&SERIAL_KEYS).or_else(|| nested_id(document, "order").and_then(as_u64));
    WebhookTrigger {
        kind,
        client_id,
        order_id: text_of(&ORDER_ID_KEYS),
        order_serial_number,
        client_login: text_of(&LOGIN_KEYS),
        email: text_of(&EMAIL_KEYS).filter(|email| email.contains('@')),
    }
}

/// The first value under one of `keys` (compared without case and separators): this
/// level's keys first, then each child in turn, no deeper than [`MAX_DEPTH`].
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
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
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

/// A form-encoded text as a flat JSON object; `None` if it has no `key=value` pair.
fn form_to_json(text: &str) -> Option<Value> {
    if !text.contains('=') {
        return None;
    }
    let map: serde_json::Map<String, Value> = url::form_urlencoded::parse(text.as_bytes())
        .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
        .collect();
    (!map.is_empty()).then_some(Value::Object(map))
}

/// An XML document as JSON: each element an object of its attributes, its child elements
/// (by name; the first of a repeated name is kept) and, for an element with text only, the
/// text as the value. `None` when the XML is not well formed or has no element.
fn xml_to_json(text: &str) -> Option<Value> {
    use quick_xml::events::Event;

    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().trim_text(true);
    // The open elements: name and what was read inside so far.
    let mut open: Vec<(String, serde_json::Map<String, Value>, Option<String>)> = Vec::new();
    let mut root: Option<serde_json::Map<String, Value>> = None;
    loop {
        match reader.read_event().ok()? {
            Event::Start(start) => {
                if open.len() > MAX_DEPTH {
                    return None;
                }
                open.push((element_name(&start), attributes(&start)?, None));
            }
            Event::Empty(start) => {
                let element = (element_name(&start), Value::Object(attributes(&start)?));
                place(&mut open, &mut root, element);
            }
            Event::Text(content) => {
                let text = content.decode().ok()?;
                let text = quick_xml::escape::unescape(&text).ok()?;
                if let Some((_, _, own)) = open.last_mut() {
                    own.get_or_insert_default().push_str(text.trim());
                }
            }
            Event::CData(content) => {
                let text = String::from_utf8_lossy(&content).into_owned();
                if let Some((_, _, own)) = open.last_mut() {
                    own.get_or_insert_default().push_str(text.trim());
                }
            }
            Event::End(_) => {
                let (name, children, own) = open.pop()?;
                let value = match own {
                    Some(text) if children.is_empty() => Value::String(text),
                    _ => Value::Object(children),
                };
                place(&mut open, &mut root, (name, value));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !open.is_empty() {
        return None;
    }
    root.map(Value::Object)
}

type OpenElement = (String, serde_json::Map<String, Value>, Option<String>);

/// Puts a finished element into its parent, or makes it the document's root.
fn place(
    open: &mut [OpenElement],
    root: &mut Option<serde_json::Map<String, Value>>,
    (name, value): (String, Value),
) {
    match open.last_mut() {
        Some((_, children, _)) => {
            children.entry(name).or_insert(value);
        }
        None => {
            root.get_or_insert_default().entry(name).or_insert(value);
        }
    }
}

fn element_name(start: &quick_xml::events::BytesStart<'_>) -> String {
    String::from_utf8_lossy(start.local_name().as_ref()).into_owned()
}

fn attributes(start: &quick_xml::events::BytesStart<'_>) -> Option<serde_json::Map<String, Value>> {
    let mut map = serde_json::Map::new();
    for attribute in start.attributes() {
        let attribute = attribute.ok()?;
        let key = String::from_utf8_lossy(attribute.key.local_name().as_ref()).into_owned();
        let value = attribute.unescape_value().ok()?.into_owned();
        map.entry(key).or_insert(Value::String(value));
    }
    Some(map)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn read(query: Option<&str>, body: &[u8]) -> WebhookTrigger {
        read_webhook(&WebhookRequest { query, body })
    }

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
    fn ids_deep_in_json_are_found_up_to_the_bound() {
        let nest = |levels: usize| {
            let mut body = r#"{"clientId":5}"#.to_owned();
            for _ in 0..levels {
                body = format!(r#"{{"a":{body}}}"#);
            }
            body
        };
        assert_eq!(
            parse_webhook(nest(10).as_bytes()).unwrap().client_id,
            Some(5)
        );
        assert_eq!(
            parse_webhook(nest(MAX_DEPTH + 2).as_bytes()),
            Err(WebhookError::NoId)
        );
    }

    #[test]
    fn xml_elements_and_attributes_carry_ids() {
        let t = read(
            None,
            br#"<?xml version="1.0"?><webhook><event>clientUpdated</event>
               <client><login>jan.k</login><email>jan@example.pl</email><id>31</id></client>
               </webhook>"#,
        );
        assert_eq!(t.kind, WebhookEventKind::ClientUpdated);
        assert_eq!(t.client_id, Some(31));
        assert_eq!(t.client_login.as_deref(), Some("jan.k"));
        assert_eq!(t.email.as_deref(), Some("jan@example.pl"));
        let t = read(None, br#"<order orderSerialNumber="88" orderId="s-88"/>"#);
        assert_eq!(t.order_serial_number, Some(88));
        assert_eq!(t.order_id.as_deref(), Some("s-88"));
        let t = read(None, b"<a><clientId><![CDATA[ 12 ]]></clientId></a>");
        assert_eq!(t.client_id, Some(12));
    }

    #[test]
    fn broken_xml_names_nothing() {
        assert!(read(None, b"<a><clientId>5</clientId>").names_nothing());
        assert!(read(None, b"<a clientId=5/>").names_nothing());
        assert_eq!(parse_webhook(b"<a><b>"), Err(WebhookError::Malformed));
    }

    #[test]
    fn query_and_body_are_read_together() {
        let t = read(
            Some("event=orderStatusChanged&orderSerialNumber=40"),
            br#"{"clientId":3}"#,
        );
        assert_eq!(t.kind, WebhookEventKind::OrderStatusChanged);
        assert_eq!((t.client_id, t.order_serial_number), (Some(3), Some(40)));
    }

    #[test]
    fn id_less_and_empty_webhooks_are_triggers_that_name_nothing() {
        let t = read(None, br#"{"event":"clientCreated"}"#);
        assert_eq!(t.kind, WebhookEventKind::ClientCreated);
        assert!(t.names_nothing());
        assert!(read(None, b"").names_nothing());
        assert!(read(Some(""), b"").names_nothing());
        let t = read(None, b"login=ola&email=ola%40example.pl");
        assert_eq!(t.client_login.as_deref(), Some("ola"));
        assert!(t.names_nothing(), "a login alone cannot be read directly");
    }

    #[test]
    fn strict_parse_refuses_bodies_without_ids() {
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
        assert!(read(None, br#"{"note":"a&clientId=7&b=c"#).names_nothing());
    }
}

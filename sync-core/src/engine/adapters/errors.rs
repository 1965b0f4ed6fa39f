//! Client errors as [`PortError`]s: the retryable flag and the status from the client, and a
//! message that says what failed without the API's free text (validation messages and
//! decode errors may echo customer data such as an e-mail address).

use crate::engine::error_summary::summary;
use crate::engine::ports::PortError;

/// A shop client error as a port error.
pub(crate) fn shop_error(error: &iai_shop_client::Error) -> PortError {
    use iai_shop_client::Error as E;
    let message = match error {
        E::Unauthorized { .. } => "the shop refused the API key".to_owned(),
        E::Forbidden { module, level, .. } => format!(
            "the API key lacks a permission (module {}, level {})",
            module.as_deref().unwrap_or("?"),
            level.as_deref().unwrap_or("?")
        ),
        E::Api { fault_code, .. } => match fault_code {
            Some(code) => format!("the shop answered with an error (faultCode {code})"),
            None => "the shop answered with an error".to_owned(),
        },
        E::Decode { .. } => "the shop's answer could not be decoded".to_owned(),
        // The cause's own text names the URL, whose query may hold customer data.
        E::Transport(cause) => {
            let kind = if cause.is_timeout() {
                "timeout"
            } else if cause.is_connect() {
                "connection failed"
            } else if cause.is_body() || cause.is_decode() {
                "the answer was cut off"
            } else {
                "transport error"
            };
            format!("request to the shop failed ({kind})")
        }
        E::Rejected(record) => format!("a shop record could not be decoded at `{}`", record.path),
        E::Paging(why) => format!("shop paging: {why}"),
        E::InvalidRequest(why) => format!("invalid shop request: {why}"),
        E::Config(why) => format!("shop client configuration: {why}"),
        _ => "the shop call failed".to_owned(),
    };
    let undecodable = matches!(error, E::Decode { .. });
    port_error(message, error.is_retryable(), error.status()).marked_undecodable(undecodable)
}

/// A Thulium client error as a port error.
pub(crate) fn crm_error(error: &thulium_client::Error) -> PortError {
    use thulium_client::Error as E;
    let message = match error {
        E::Transport { kind, .. } => format!("request to Thulium failed ({kind:?})"),
        E::Decode { path, .. } if path.is_empty() => {
            "Thulium's answer could not be decoded".to_owned()
        }
        E::Decode { path, .. } => format!("Thulium's answer could not be decoded at `{path}`"),
        E::Config(why) => format!("Thulium client configuration: {why}"),
        E::Paging(why) => format!("Thulium paging: {why}"),
        other => match other.api() {
            Some(api) => summary(Some(api.status), &api.errors, api.request_id.as_deref()),
            None => "the Thulium call failed".to_owned(),
        },
    };
    let undecodable = matches!(error, E::Decode { .. });
    port_error(message, error.is_retryable(), error.status()).marked_undecodable(undecodable)
}

fn port_error(message: String, retryable: bool, status: Option<u16>) -> PortError {
    let error = if retryable {
        PortError::retryable(message)
    } else {
        PortError::permanent(message)
    };
    match status {
        Some(status) => error.with_status(status),
        None => error,
    }
}

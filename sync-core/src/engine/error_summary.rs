//! Thulium error answers summarised without their free text.
//!
//! Thulium's error messages may echo the values sent (an e-mail address, a phone number),
//! and a summary ends up in the run report, the state store's failure records and logs. The
//! status, the error codes and the `request_id` identify a failure well enough for Thulium
//! support; the messages themselves are logged at debug level only, where customer data may go.

use thulium_client::ErrorDetail;

/// `"Thulium rejected the data (codes 1003, 1004) [request_id abc]"`: what the status means,
/// the codes and the request id — never the messages.
pub(crate) fn summary(
    status: Option<u16>,
    errors: &[ErrorDetail],
    request_id: Option<&str>,
) -> String {
    let what = match status {
        Some(400 | 422) => "Thulium rejected the data",
        Some(401) => "Thulium refused the credentials",
        Some(403) => "the Thulium API user lacks a permission",
        Some(404) => "not found in Thulium",
        Some(409) => "conflict in Thulium",
        Some(410) => "deleted in Thulium",
        Some(429) => "Thulium rate limit",
        _ => "Thulium answered with an error",
    };
    let codes: Vec<String> = errors
        .iter()
        .filter_map(|e| e.code.map(|c| c.to_string()))
        .collect();
    let mut message = what.to_owned();
    if !codes.is_empty() {
        message.push_str(&format!(" (codes {})", codes.join(", ")));
    }
    if let Some(id) = request_id {
        message.push_str(&format!(" [request_id {id}]"));
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_stay_out_and_codes_and_request_id_stay_in() {
        let errors = [ErrorDetail {
            message: "email jan@example.pl is already taken".into(),
            code: Some(1003),
        }];
        let text = summary(Some(422), &errors, Some("r-17"));
        assert_eq!(
            text,
            "Thulium rejected the data (codes 1003) [request_id r-17]"
        );
    }
}

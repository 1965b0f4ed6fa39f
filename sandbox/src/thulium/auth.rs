//! HTTP Basic auth: the main API user may do everything, an optional restricted user only
//! some methods (403 otherwise), anyone else gets a 401.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::config::ThuliumSimConfig;
use super::error::{ApiError, ErrorItem, code};

/// The credentials the simulator accepts, pre-encoded as Basic tokens.
#[derive(Debug)]
pub(crate) struct Auth {
    full_access: String,
    restricted: Option<(String, Vec<String>)>,
}

enum Access {
    Granted,
    Unauthorized,
    Forbidden,
}

impl Auth {
    pub fn new(config: &ThuliumSimConfig) -> Self {
        Self {
            full_access: basic_token(&config.user, &config.password),
            restricted: config.restricted_user.as_ref().map(|user| {
                let methods = user
                    .allowed_methods
                    .iter()
                    .map(|m| m.to_ascii_uppercase())
                    .collect();
                (basic_token(&user.user, &user.password), methods)
            }),
        }
    }

    fn check(&self, authorization: Option<&str>, method: &Method) -> Access {
        let token = authorization
            .and_then(|value| value.trim().split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
            .map(|(_, token)| token.trim());
        match token {
            Some(token) if token == self.full_access => Access::Granted,
            Some(token) => match &self.restricted {
                Some((restricted, methods)) if token == restricted => {
                    if methods.iter().any(|allowed| allowed == method.as_str()) {
                        Access::Granted
                    } else {
                        Access::Forbidden
                    }
                }
                _ => Access::Unauthorized,
            },
            None => Access::Unauthorized,
        }
    }
}

pub(crate) async fn require_basic_auth(
    State(auth): State<Arc<Auth>>,
    request: Request,
    next: Next,
) -> Response {
    let authorization = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok());
    match auth.check(authorization, request.method()) {
        Access::Granted => next.run(request).await,
        Access::Forbidden => ApiError {
            status: StatusCode::FORBIDDEN,
            errors: vec![ErrorItem::new(
                code::FORBIDDEN,
                format!(
                    "You do not have permission to use method {}.",
                    request.method()
                ),
            )],
        }
        .into_response(),
        Access::Unauthorized => {
            let mut response = ApiError {
                status: StatusCode::UNAUTHORIZED,
                errors: vec![ErrorItem::new(
                    code::UNAUTHORIZED,
                    "Wrong user or password.",
                )],
            }
            .into_response();
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"Thulium API\""),
            );
            response
        }
    }
}

/// `base64("user:password")` with the standard alphabet and padding.
fn basic_token(user: &str, password: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let input = format!("{user}:{password}");
    let mut output = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.as_bytes().chunks(3) {
        let bytes = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let triple = u32::from_be_bytes([0, bytes[0], bytes[1], bytes[2]]);
        for position in 0..4 {
            if position <= chunk.len() {
                let sextet = (triple >> (18 - 6 * position)) & 0x3f;
                output.push(char::from(ALPHABET[sextet as usize]));
            } else {
                output.push('=');
            }
        }
    }
    output
}

#[cfg(test)]
mod tests {
    use super::basic_token;

    #[test]
    fn encodes_like_rfc_4648() {
        assert_eq!(
            basic_token("Aladdin", "open sesame"),
            "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        assert_eq!(basic_token("a", ""), "YTo=");
        assert_eq!(basic_token("ab", "c"), "YWI6Yw==");
        assert_eq!(basic_token("ab", "cd"), "YWI6Y2Q=");
    }
}

//! The part every admin API handler starts with: the `{version}` in the path and the
//! caller's headers, checked against the served versions and the API keys.

use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, Path};
use axum::http::HeaderMap;
use axum::http::request::Parts;

use super::auth::{Level, Module};
use super::error::ApiError;
use super::state::AppState;

/// An admin API call, not yet admitted; [`AdminCall::admit`] gives access to the shop.
pub(crate) struct AdminCall {
    state: AppState,
    version: String,
    headers: HeaderMap,
}

impl AdminCall {
    /// Checks the path's API version and the caller's key for `module` at `level`.
    pub(crate) fn admit(&self, module: Module, level: Level) -> Result<&AppState, ApiError> {
        self.state
            .admit(&self.version, &self.headers, module, level)?;
        Ok(&self.state)
    }
}

impl FromRequestParts<AppState> for AdminCall {
    type Rejection = PathRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Path(version) = Path::<String>::from_request_parts(parts, state).await?;
        Ok(Self {
            state: state.clone(),
            version,
            headers: parts.headers.clone(),
        })
    }
}

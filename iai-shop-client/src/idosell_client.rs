//! The HTTP client, its builder and its configuration.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http_retry::RetryPolicy;
use secrecy::SecretString;
use url::Url;

use crate::clients::Clients;
use crate::error::Error;
use crate::orders::Orders;

/// The API version used unless another is chosen (the one whose full schema is known).
pub const DEFAULT_API_VERSION: u8 = 6;
/// The API versions this client accepts (paths changed at v5; earlier ones are not spoken).
pub const SUPPORTED_API_VERSIONS: std::ops::RangeInclusive<u8> = 5..=8;
/// The default guard against endless paging: an item stream that would need more pages
/// than this ends with [`Error::Paging`] (the same default as `thulium-client`).
pub const DEFAULT_MAX_PAGES: u32 = 10_000;

/// How the client authenticates. `Debug` never shows the secret.
#[derive(Clone)]
pub(crate) enum Credentials {
    /// `X-API-KEY: <key>`.
    ApiKey(SecretString),
    /// `Authorization: Bearer <token>`, a token the caller obtained.
    Bearer(SecretString),
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ApiKey(_) => f.write_str("ApiKey(<redacted>)"),
            Self::Bearer(_) => f.write_str("Bearer(<redacted>)"),
        }
    }
}

/// A client for one shop's Admin API. Cheap to clone: clones share one connection pool.
#[derive(Clone)]
pub struct IdoSellClient {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    /// `{shop}/api/admin/v{N}/`, always ending with a slash.
    pub(crate) api_base: Url,
    pub(crate) credentials: Credentials,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_pages: u32,
}

impl fmt::Debug for IdoSellClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdoSellClient")
            .field("api_base", &self.inner.api_base.as_str())
            .field("credentials", &self.inner.credentials)
            .field("retry", &self.inner.retry)
            .field("max_pages", &self.inner.max_pages)
            .finish()
    }
}

impl IdoSellClient {
    /// Starts configuring a client for the shop at `shop_url` (e.g.
    /// `https://client1234.idosell.com`, with or without a trailing slash).
    pub fn builder(shop_url: Url) -> IdoSellClientBuilder {
        IdoSellClientBuilder {
            shop_url,
            credentials: None,
            api_version: DEFAULT_API_VERSION,
            timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            user_agent: concat!("iai-shop-client/", env!("CARGO_PKG_VERSION")).to_owned(),
            max_pages: DEFAULT_MAX_PAGES,
        }
    }

    /// The customers handler (`/clients/...`, module CRM).
    pub fn clients(&self) -> Clients {
        Clients {
            client: self.clone(),
        }
    }

    /// The orders handler (`/orders/...`, module OMS).
    pub fn orders(&self) -> Orders {
        Orders {
            client: self.clone(),
        }
    }

    /// The API root this client calls, `{shop}/api/admin/v{N}/`.
    pub fn api_base(&self) -> &Url {
        &self.inner.api_base
    }
}

/// Configures an [`IdoSellClient`].
#[derive(Debug)]
pub struct IdoSellClientBuilder {
    shop_url: Url,
    credentials: Option<Credentials>,
    api_version: u8,
    timeout: Duration,
    retry: RetryPolicy,
    user_agent: String,
    max_pages: u32,
}

impl IdoSellClientBuilder {
    /// Authenticates with an Admin API key (`X-API-KEY`). Kept as a secret.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.credentials = Some(Credentials::ApiKey(SecretString::from(key.into())));
        self
    }

    /// Authenticates with an OAuth bearer token the caller obtained (valid about an hour).
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.credentials = Some(Credentials::Bearer(SecretString::from(token.into())));
        self
    }

    /// The API version (default [`DEFAULT_API_VERSION`]; 5 to 8 are accepted).
    pub fn api_version(mut self, version: u8) -> Self {
        self.api_version = version;
        self
    }

    /// The timeout of one HTTP request (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The retry policy (default [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// The most pages one item stream fetches before failing with [`Error::Paging`]
    /// (default [`DEFAULT_MAX_PAGES`]; at least 1).
    pub fn max_pages(mut self, max_pages: u32) -> Self {
        self.max_pages = max_pages.max(1);
        self
    }

    /// Builds the client. Fails without credentials, with an unsupported API version, or
    /// with a shop URL that cannot carry a path.
    pub fn build(self) -> Result<IdoSellClient, Error> {
        let credentials = self
            .credentials
            .ok_or_else(|| Error::Config("an API key or a bearer token is required".into()))?;
        if !SUPPORTED_API_VERSIONS.contains(&self.api_version) {
            return Err(Error::Config(format!(
                "API version {} is not supported (5 to 8 are)",
                self.api_version
            )));
        }
        let api_base = api_base(&self.shop_url, self.api_version)?;
        let http = reqwest::Client::builder()
            .timeout(self.timeout)
            .user_agent(self.user_agent)
            .build()
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?;
        let inner = Inner {
            http,
            api_base,
            credentials,
            retry: self.retry,
            max_pages: self.max_pages,
        };
        Ok(IdoSellClient {
            inner: Arc::new(inner),
        })
    }
}

/// `{shop}/api/admin/v{N}/`, whether or not the shop URL ends with a slash.
fn api_base(shop_url: &Url, version: u8) -> Result<Url, Error> {
    if shop_url.cannot_be_a_base() {
        return Err(Error::Config(format!(
            "{shop_url} cannot be used as a base URL"
        )));
    }
    let mut base = shop_url.clone();
    base.set_query(None);
    base.set_fragment(None);
    let path = format!(
        "{}/api/admin/v{version}/",
        base.path().trim_end_matches('/')
    );
    base.set_path(&path);
    Ok(base)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn api_base_with_and_without_slash() {
        for shop in [
            "https://shop.example/",
            "https://shop.example",
            "https://shop.example/?x=1",
        ] {
            let base = api_base(&Url::parse(shop).unwrap(), 6).unwrap();
            assert_eq!(base.as_str(), "https://shop.example/api/admin/v6/");
        }
        let prefixed = api_base(&Url::parse("http://127.0.0.1:9/shop/").unwrap(), 8).unwrap();
        assert_eq!(prefixed.as_str(), "http://127.0.0.1:9/shop/api/admin/v8/");
    }

    #[test]
    fn rejects_versions_and_missing_credentials() {
        let url = Url::parse("https://shop.example").unwrap();
        assert!(
            IdoSellClient::builder(url.clone())
                .api_version(4)
                .api_key("k")
                .build()
                .is_err()
        );
        assert!(
            IdoSellClient::builder(url.clone())
                .api_version(9)
                .api_key("k")
                .build()
                .is_err()
        );
        assert!(IdoSellClient::builder(url.clone()).build().is_err());
        for v in 5..=8 {
            assert!(
                IdoSellClient::builder(url.clone())
                    .api_version(v)
                    .api_key("k")
                    .build()
                    .is_ok()
            );
        }
    }
}

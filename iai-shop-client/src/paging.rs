//! The one item stream of the crate: pages `n, n+1, ...` of any paged request, guarded
//! against endless paging.

use std::future::Future;

use futures::{Stream, TryStreamExt, stream};

use serde::de::DeserializeOwned;

use crate::error::Error;
use crate::idosell_client::IdoSellClient;
use crate::model::Page;
use crate::transport::Call;

/// A request that can fetch one page by number: what every list and search builder is.
/// A builder says which client it uses, where it starts and what one page's call is;
/// fetching is the same for all.
pub(crate) trait PagedRequest: Clone + Send + Sync + 'static {
    /// The records of its pages.
    type Item: DeserializeOwned + Send + 'static;

    /// The client the request goes through.
    fn client(&self) -> &IdoSellClient;

    /// The page the request starts at and the size of its pages.
    fn paging(&self) -> Paging;

    /// The call of page `number` (0-based).
    fn call(&self, number: u32) -> Result<Call, Error>;

    /// Fetches page `number` (0-based) through the client's one request path.
    fn fetch(&self, number: u32) -> impl Future<Output = Result<Page<Self::Item>, Error>> + Send {
        async move {
            let call = self.call(number)?;
            self.client()
                .fetch_page(call.page(number, self.paging().size))
                .await
        }
    }
}

/// Every record of `request`, page after page from its first page. The pages follow one
/// another by [`Page::has_next`]; a rejected record comes out as [`Error::Rejected`] after
/// the good records of its page. Fetching `max_pages` pages while the last one still has a
/// successor ends the stream with [`Error::Paging`]: a caller can tell a list cut off
/// by the guard from a complete one.
pub(crate) fn items<R: PagedRequest>(
    request: R,
) -> impl Stream<Item = Result<R::Item, Error>> + Send + 'static {
    let start = request.paging().number;
    stream::try_unfold(
        (request, Some(start), 0u32),
        |(request, next, fetched)| async move {
            let Some(number) = next else {
                return Ok(None);
            };
            let max_pages = request.client().inner.max_pages;
            if fetched >= max_pages {
                return Err(Error::Paging(format!(
                    "the list goes on after {max_pages} pages (the client's max_pages); stopped at page {number}"
                )));
            }
            let page = request.fetch(number).await?;
            let next = page.has_next().then(|| number.saturating_add(1));
            Ok(Some((page, (request, next, fetched + 1))))
        },
    )
    .map_ok(|page| {
        let rejected = page.rejected.into_iter().map(|e| Err(Error::Rejected(e)));
        stream::iter(page.items.into_iter().map(Ok).chain(rejected))
    })
    .try_flatten()
}

/// The most records the API returns per page (`resultsLimit`).
pub const MAX_PAGE_SIZE: u32 = 100;

/// Which page a request fetches first and how many records its pages hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Paging {
    /// The 0-based page number (`resultsPage`).
    pub(crate) number: u32,
    /// Records per page (`resultsLimit`).
    pub(crate) size: u32,
}

impl Default for Paging {
    fn default() -> Self {
        Self {
            number: 0,
            size: MAX_PAGE_SIZE,
        }
    }
}

/// The paging half of every list and search builder, one definition for all: the
/// `page_size` and `page_number` setters, `page()` and `stream()`. The builder has a
/// `paging: Paging` field and implements [`PagedRequest`].
macro_rules! paged_request_methods {
    ($item:ty) => {
        /// Records per page (`resultsLimit`, clamped into 1..=100; default 100).
        pub fn page_size(mut self, size: u32) -> Self {
            self.paging.size = size.clamp(1, $crate::MAX_PAGE_SIZE);
            self
        }

        /// The 0-based page that `page()` fetches and `stream()` starts at (`resultsPage`;
        /// default 0).
        pub fn page_number(mut self, number: u32) -> Self {
            self.paging.number = number;
            self
        }

        /// Fetches the page set by `page_number` (default the first). A page past the end
        /// is an empty page, not an error; records that could not be decoded are in
        /// [`Page::rejected`](crate::Page::rejected).
        pub async fn page(&self) -> Result<$crate::Page<$item>, $crate::Error> {
            $crate::paging::PagedRequest::fetch(self, self.paging.number).await
        }

        /// Every matching record, page after page from `page_number` on. A record that
        /// could not be decoded comes out as [`Error::Rejected`](crate::Error::Rejected);
        /// a list longer than the client's `max_pages` ends with
        /// [`Error::Paging`](crate::Error::Paging).
        pub fn stream(
            self,
        ) -> impl futures::Stream<Item = Result<$item, $crate::Error>> + Send + 'static {
            $crate::paging::items(self)
        }
    };
}

pub(crate) use paged_request_methods;

/// The [`PagedRequest`] impl of a builder with `client: IdoSellClient` and `paging: Paging`
/// fields and an inherent `page_call(&self, number) -> Result<Call, Error>`.
macro_rules! impl_paged_request {
    ($request:ty, $item:ty) => {
        impl $crate::paging::PagedRequest for $request {
            type Item = $item;

            fn client(&self) -> &$crate::IdoSellClient {
                &self.client
            }

            fn paging(&self) -> $crate::paging::Paging {
                self.paging
            }

            fn call(&self, number: u32) -> Result<$crate::transport::Call, $crate::Error> {
                self.page_call(number)
            }
        }
    };
}

pub(crate) use impl_paged_request;

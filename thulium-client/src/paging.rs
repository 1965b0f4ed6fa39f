//! Turning page calls into an item stream that always ends.

use std::future::Future;

use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};

use crate::error::{Error, Result};
use crate::model::Page;

/// The API's largest page (`limit`) for customers and group items.
pub const MAX_PAGE_SIZE: u32 = 1000;

/// The page size of a list builder unless `page_size` sets another (the API's default).
pub(crate) const DEFAULT_PAGE_SIZE: u32 = 100;

/// The `page_size` and `offset` setters of a list builder with `page_size: u32` and
/// `offset: u64` fields; one definition for the customer search and the field-group item
/// listing, named as in `iai-shop-client` (see `docs/ARCHITECTURE.md`, "Client SDK
/// conventions").
macro_rules! paging_setters {
    () => {
        /// Records per page (`limit`): clamped into `1..=1000`
        /// ([`MAX_PAGE_SIZE`](crate::MAX_PAGE_SIZE)), since the API would refuse or cap a
        /// larger one; default 100.
        pub fn page_size(mut self, size: u32) -> Self {
            self.page_size = size.clamp(1, $crate::MAX_PAGE_SIZE);
            self
        }

        /// Records to skip (`offset`): where `page()` reads and `stream()` starts
        /// (default 0).
        pub fn offset(mut self, offset: u64) -> Self {
            self.offset = offset;
            self
        }
    };
}

pub(crate) use paging_setters;

struct State<F> {
    fetch: F,
    offset: u64,
    pages: u32,
    done: bool,
    last_first_key: Option<u64>,
}

/// Streams the items of consecutive pages starting at `offset`.
///
/// The crate's one next-page rule and stream helper. The stream ends after an empty page,
/// a page shorter than `page_size`, or once `offset`
/// reaches the envelope's `count`. Two guards make an endless loop impossible: more than
/// `max_pages` pages, or a page starting with the same record as the page before (a server
/// ignoring `offset`), end the stream with [`Error::Paging`].
pub(crate) fn page_stream<T, F, Fut>(
    page_size: u32,
    offset: u64,
    max_pages: u32,
    key: fn(&T) -> u64,
    fetch: F,
) -> BoxStream<'static, Result<T>>
where
    T: Send + 'static,
    F: FnMut(u64) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Page<T>>> + Send + 'static,
{
    let state = State {
        fetch,
        offset,
        pages: 0,
        done: false,
        last_first_key: None,
    };
    stream::try_unfold(state, move |mut state| async move {
        if state.done {
            return Ok(None);
        }
        if state.pages >= max_pages {
            return Err(Error::Paging(format!(
                "more than {max_pages} pages; stopped"
            )));
        }
        let page = (state.fetch)(state.offset).await?;
        state.pages += 1;
        if page.items.is_empty() {
            return Ok(None);
        }
        let first_key = page.items.first().map(key);
        if first_key == state.last_first_key {
            return Err(Error::Paging(format!(
                "the page at offset {} repeats the previous page (offset ignored?)",
                state.offset
            )));
        }
        state.last_first_key = first_key;
        state.offset += page.items.len() as u64;
        state.done = page.items.len() < page_size as usize
            || page.count.is_some_and(|count| state.offset >= count);
        Ok(Some((page.items, state)))
    })
    .map_ok(|items| stream::iter(items.into_iter().map(Ok)))
    .try_flatten()
    .boxed()
}

//! Item streams across pages, guarded against endless paging.

use std::future::Future;

use futures::{Stream, TryStreamExt, stream};

use crate::error::Error;
use crate::model::Page;

/// Fetches pages `0, 1, 2, ...` with `fetch` and yields their items. Stops after an empty
/// page (the API's 207 answer, or a page past the end), after the last page announced by
/// `resultsNumberPage`, or after `max_pages` pages whatever the server says, so that a
/// server that keeps answering cannot keep the stream going for ever.
pub(crate) fn items<T, F, Fut>(max_pages: u32, fetch: F) -> impl Stream<Item = Result<T, Error>>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<Page<T>, Error>>,
{
    pages(max_pages, fetch)
        .map_ok(|page| stream::iter(page.items.into_iter().map(Ok)))
        .try_flatten()
}

fn pages<T, F, Fut>(max_pages: u32, fetch: F) -> impl Stream<Item = Result<Page<T>, Error>>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<Page<T>, Error>>,
{
    stream::try_unfold((fetch, Some(0u32)), move |(mut fetch, next)| async move {
        let Some(number) = next else {
            return Ok(None);
        };
        let page = fetch(number).await?;
        if page.items.is_empty() {
            return Ok(None);
        }
        let more = number + 1 < max_pages && !announced_last(&page);
        if !more && number + 1 >= max_pages {
            tracing::warn!(max_pages, "paging stopped at the page limit");
        }
        let next = more.then_some(number + 1);
        Ok(Some((page, (fetch, next))))
    })
}

/// Whether the API said this is the last page. A missing count (0) says nothing: keep
/// going until the empty answer.
fn announced_last<T>(page: &Page<T>) -> bool {
    page.results_number_page > 0 && u64::from(page.page) + 1 >= page.results_number_page
}

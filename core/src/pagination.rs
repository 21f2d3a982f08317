//! Cursor pagination: one [`Page`] at a time, or every item as a lazy stream.
//!
//! The next request repeats the same query with `cursor` set to the page's `nextCursor`.
//! Paging stops when the next cursor is missing or empty, or when a page comes back empty.

use crate::error::Result;
use crate::request::{Call, RequestOptions, RequestSpec};
use crate::Client;
use futures_core::Stream;
use serde::de::DeserializeOwned;
use serde::Deserialize;

/// The list envelope on the wire: `{"items": [...], "pagination": {"nextCursor": "..."}}`.
#[derive(Deserialize)]
pub(crate) struct Envelope<T> {
    items: Vec<T>,
    #[serde(default)]
    pagination: Option<PaginationState>,
    #[serde(flatten)]
    extra: serde_json::Map<String, serde_json::Value>,
}

#[derive(Deserialize)]
struct PaginationState {
    #[serde(rename = "nextCursor", default)]
    next_cursor: Option<String>,
}

/// One page of a list.
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// The cursor of the next page; `None` on the last page.
    pub next_cursor: Option<String>,
    /// Envelope fields this SDK version does not know.
    pub extra: serde_json::Map<String, serde_json::Value>,
    next: Option<Call<Page<T>>>,
}

impl<T: std::fmt::Debug> std::fmt::Debug for Page<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Page").field("items", &self.items).field("next_cursor", &self.next_cursor).finish()
    }
}

impl<T: DeserializeOwned + Send + 'static> Page<T> {
    pub(crate) fn from_envelope(env: Envelope<T>, client: &Client, req: &RequestSpec, opts: &RequestOptions) -> Self {
        let next_cursor = env.pagination.and_then(|p| p.next_cursor).filter(|c| !c.is_empty());
        let next = match (&next_cursor, env.items.is_empty()) {
            (Some(cursor), false) => {
                let mut next_req = req.clone();
                next_req.query.set("cursor", cursor.clone());
                let mut next_opts = opts.clone();
                next_opts.extra_query.retain(|(k, _)| k != "cursor");
                Some(Call::page(client.clone(), next_req).options(next_opts))
            }
            _ => None,
        };
        Page { items: env.items, next_cursor, extra: env.extra, next }
    }

    /// True when another page can be fetched.
    pub fn has_next_page(&self) -> bool {
        self.next.is_some()
    }

    /// Fetches the next page, or `None` after the last one.
    pub async fn next_page(&self) -> Result<Option<Page<T>>> {
        match &self.next {
            Some(call) => call.clone().send().await.map(Some),
            None => Ok(None),
        }
    }

    /// Every item of this page and of the pages after it, fetched lazily.
    pub fn auto_paging(self) -> impl Stream<Item = Result<T>> + Send + 'static {
        let state = PagerState::Items(self.items.into_iter(), self.next);
        futures_util::stream::unfold(Some(state), pager_step)
    }
}

impl<I: DeserializeOwned + Send + 'static> Call<Page<I>> {
    /// Every item of every page, fetched lazily, starting with this call's page.
    ///
    /// ```no_run
    /// # async fn demo(client: cadenya::Client) -> cadenya::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let agents: Vec<_> = client.agents().list(Default::default()).auto_paging().try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn auto_paging(self) -> impl Stream<Item = Result<I>> + Send + 'static {
        futures_util::stream::unfold(Some(PagerState::Call(self)), pager_step)
    }
}

impl Page<crate::json::RawJson> {
    /// Takes the page's items out as the JSON text of one array, so a binding hands its
    /// language a single document to parse. The texts are copied, never parsed again.
    pub fn take_items_json(&mut self) -> String {
        let raw = std::mem::take(&mut self.items);
        let mut text = String::with_capacity(raw.iter().map(|r| r.get().len() + 1).sum::<usize>() + 2);
        text.push('[');
        for (i, r) in raw.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            text.push_str(r.get());
        }
        text.push(']');
        text
    }
}

enum PagerState<T> {
    Call(Call<Page<T>>),
    Items(std::vec::IntoIter<T>, Option<Call<Page<T>>>),
}

async fn pager_step<T: DeserializeOwned + Send + 'static>(
    state: Option<PagerState<T>>,
) -> Option<(Result<T>, Option<PagerState<T>>)> {
    let mut state = state?;
    loop {
        match state {
            PagerState::Call(call) => match call.send().await {
                Ok(page) => state = PagerState::Items(page.items.into_iter(), page.next),
                // An error ends the stream after being yielded once.
                Err(e) => return Some((Err(e), None)),
            },
            PagerState::Items(mut items, next) => {
                if let Some(item) = items.next() {
                    return Some((Ok(item), Some(PagerState::Items(items, next))));
                }
                state = PagerState::Call(next?);
            }
        }
    }
}

//! [`Listing`]: the sans-I/O state machine that lists every investigation matching a query.
//!
//! The driver pumps it; the machine decides everything else:
//!
//! ```
//! use mde_core::base_url::BaseUrl;
//! use mde_core::limiter::{RateLimitConfig, RateLimiter};
//! use mde_core::listing::{Action, Listing, ListingOptions};
//! use mde_core::exchange::Response;
//! use mde_core::query::ListQuery;
//!
//! let base = BaseUrl::parse("http://127.0.0.1:4010").unwrap();
//! let mut limiter = RateLimiter::new(RateLimitConfig::default());
//! let mut listing = Listing::new(base, ListQuery::default(), ListingOptions::default()).unwrap();
//! let mut now_ms = 1_700_000_000_000;
//! let mut items = Vec::new();
//! loop {
//!     match listing.poll(now_ms, &mut limiter) {
//!         Action::Send(request) => {
//!             // A real driver sends `GET request.url` with the Bearer token here.
//!             let body = br#"{"value":[{"id":"1","state":"Running"}]}"#;
//!             let response = Response { status: 200, retry_after: None, retry_after_ms: None, body };
//!             listing.handle_response(now_ms, &mut limiter, &response);
//!         }
//!         Action::Wait { duration, .. } => now_ms += duration.as_millis() as u64, // sleep
//!         Action::Page(page) => items.extend(page),
//!         Action::Done => break,
//!         Action::Fail(error) => panic!("{error}"),
//!         // `Action` is `#[non_exhaustive]`: a later version may add actions, which a driver must handle.
//!         _ => panic!("an action this driver does not know"),
//!     }
//! }
//! assert_eq!(items.len(), 1);
//! ```
//!
//! The methods fall in four families, as in quinn-proto: getters ([`Listing::progress`],
//! [`Listing::resume_token`]); `handle_*` for what arrives ([`Listing::handle_response`],
//! [`Listing::handle_transport_error`]); construction from a query or a token; and [`Listing::poll`] for what the
//! driver must do next.
//!
//! Paging: the machine pages itself with `$top`/`$skip` and stops on a short page, an empty page or the total
//! limit (`$top` of the query). A `@odata.nextLink` is an untrusted hint: followed only when it stays on the
//! configured origin and path, asks for exactly the next page (same filter, `$skip` at the current position; only
//! `$top` may differ, so a page the service cut short does not end the listing), has not been followed before
//! and its page brought something new; any other link to the investigations list on that origin is ignored in
//! favour of the listing's own paging. A link to another origin, or to another path on it, ends the listing with
//! [`Error::ForeignOrigin`] (after delivering the page it came with), and nothing is ever sent there. Ids already delivered are never delivered again, and a service
//! that keeps sending full pages of known ids (one that ignores `$skip`) ends the listing with
//! [`Error::InvalidResponse`] after [`MAX_STALE_PAGES`] of them instead of looping.
//!
//! Streaming: a driver that reads a successful response's body as it arrives reports it chunk by chunk
//! ([`Listing::handle_body_chunk`], then [`Listing::handle_streamed_end`]); each investigation is validated and
//! delivered as soon as its bytes are in, and a page that breaks off or proves invalid later keeps what it
//! delivered (its retry delivers only the rest; a resume token continues right after the last one delivered).
//!
//! Snapshot mode bounds the listing to investigations that started before a given instant (`startTime lt T`),
//! so investigations that start during a long export neither appear nor shift the pages.
//!
//! Resuming is exact to the investigation: [`Listing::resume_token_after`] takes how many investigations of the
//! last page the driver handed on, and the token records the service position right after the last of them
//! (its index in that page's `value`), the counters, and the ids of the last [`RESUME_BOUNDARY_IDS`]
//! investigations handed out. The resumed listing asks for `$skip` at that position and skips those ids, so
//! investigations that arrived in between and shifted the pages bring none back twice, and none is lost.

use std::time::Duration;

use crate::base_url::BaseUrl;
use crate::decode::{decode_page, DecodeError, PageStream, StreamedItem};
use crate::error::Error;
use crate::exchange::{Exchange, Handled, Request, Response, RetryContext, Step, WaitCause};
use crate::filter::{start_time, Filter, ParseOptions};
use crate::jitter::Jitter;
use crate::limiter::RateLimiter;
use crate::query::{ListQuery, Top};
use crate::retry::RetryPolicy;
use crate::{Investigation, Timestamp};

pub(crate) mod id_set;
mod token;

use id_set::IdSet;
use token::ResumeState;

pub use crate::query::MAX_PAGE_SIZE;

/// How many ids a resume token carries: those of the last investigations handed out before it, which the resumed
/// listing skips, so that as many investigations arriving in between (which shift the service's pages) bring
/// nothing back twice.
pub const RESUME_BOUNDARY_IDS: usize = 1_000;

/// Full pages in a row without a new investigation after which the listing concludes that the service ignores
/// `$skip`. Without a snapshot, arrivals can legitimately shift one page onto the previous one; three in a row
/// cannot happen unless more investigations arrive per call than a page holds.
pub const MAX_STALE_PAGES: u32 = 3;

/// Why a listing gives up after [`MAX_STALE_PAGES`] stale pages: a constant text, with the number written out (a
/// test checks it), so that no formatting code is linked for it.
const STALE_PAGES_REASON: &str =
    "3 full pages in a row brought no new investigation: the service seems to ignore $skip";

/// The start of every resume token (a macro, for messages built by `concat!`).
macro_rules! token_prefix {
    () => {
        "mdeR1."
    };
}
const TOKEN_PREFIX: &str = token_prefix!();

const MISUSE_SUCCESS: &str =
    "a 2xx response was reported with handle_unsuccessful_response: report its body with handle_body_chunk";

/// Settings of a listing besides the query.
#[derive(Debug, Clone)]
pub struct ListingOptions {
    /// Items per request (`$top` of each call), 1..=10,000. Default 10,000: fewest calls against the limits.
    pub page_size: u32,
    /// Snapshot mode: list only investigations with `startTime` before this instant (usually the start of the
    /// export). Investigations without a `startTime` are then excluded, as the service's `lt` excludes nulls.
    pub snapshot_at: Option<Timestamp>,
    /// When and how often to retry.
    pub retry: RetryPolicy,
    /// Seed of the backoff jitter.
    pub jitter_seed: u64,
}

impl Default for ListingOptions {
    fn default() -> Self {
        ListingOptions { page_size: MAX_PAGE_SIZE, snapshot_at: None, retry: RetryPolicy::default(), jitter_seed: 0 }
    }
}

/// What the driver must do next.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[must_use = "an action tells the driver what to do next: send, wait, deliver a page, or stop"]
pub enum Action {
    /// Send this request now, then report [`Listing::handle_response`] or [`Listing::handle_transport_error`].
    Send(Request),
    /// Sleep this long (abortably), then poll again.
    Wait {
        /// How long.
        duration: Duration,
        /// Why.
        cause: WaitCause,
    },
    /// New investigations, in the service's order, none delivered before. Poll again for more.
    Page(Vec<Investigation>),
    /// Finished: everything was delivered.
    Done,
    /// Stopped for good; pages delivered before stay valid, and [`Listing::resume_token`] continues after them.
    Fail(Error),
}

/// What a chunk of a streamed body brought ([`Listing::handle_body_chunk`], [`Listing::handle_streamed_end`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamedItems {
    /// The position in `value` of the first investigation that the chunk completed (with [`StreamedItems::text`]).
    pub first: usize,
    /// Where the investigations that the chunk completed are in [`Listing::streamed_body`]: from the first one's
    /// `{` to the last one's `}`, with the separators between them (so `[` + this + `]` is a JSON array of them);
    /// empty when the chunk completed none.
    pub text: std::ops::Range<usize>,
    /// The positions in `value` of the investigations to deliver, in order: some or all of those in `text`.
    pub keep: Vec<usize>,
    /// How many investigations of the page were delivered before these (0: these begin the page).
    pub delivered_before: usize,
}

impl StreamedItems {
    fn new(delivered_before: usize) -> StreamedItems {
        StreamedItems { first: 0, text: 0..0, keep: Vec::new(), delivered_before }
    }

    /// Adds a complete, valid investigation, delivered if `listing` chooses it.
    #[inline(always)]
    fn take(&mut self, item: StreamedItem<'_>, listing: &mut Listing) {
        if self.text.is_empty() {
            self.first = item.index;
            self.text.start = item.range.start;
        }
        self.text.end = item.range.end;
        if listing.select_item(item.index, &item.id, item.start_time) {
            self.keep.push(item.index);
        }
    }
}

/// The last page handed out, so that a resume token can continue inside it (see [`Listing::resume_token_after`]).
#[derive(Debug, Clone)]
struct PageMark {
    /// [`Progress::position`] before the page.
    position: u64,
    /// [`Progress::items`] before the page.
    items: u64,
    /// [`Progress::pages`] before the page.
    pages: u64,
    /// How many ids the set of delivered ids held before the page.
    seen: usize,
    /// The positions in the page's `value` of the investigations handed out, in order (never empty).
    keep: Vec<usize>,
    /// Whether the whole page has been read (a page whose body is still arriving, or whose attempt broke off, is
    /// not; its position has not moved yet).
    ended: bool,
}

/// Where a resume token continues: after `position` items of the service, with `items` investigations in `pages`
/// pages handed out, the last `RESUME_BOUNDARY_IDS` of the first `seen` delivered ids to skip.
struct Cut {
    position: u64,
    items: u64,
    pages: u64,
    seen: usize,
}

/// Counters of a listing, for progress bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    /// Pages delivered (non-empty ones).
    pub pages: u64,
    /// Investigations delivered.
    pub items: u64,
    /// Requests sent, retries included.
    pub requests: u64,
    /// Items the service returned so far, duplicates included (the `$skip` offset from the query's own `$skip`).
    pub position: u64,
}

#[derive(Debug, Clone)]
enum Phase {
    /// About to request the next page.
    Request(Exchange),
    /// Items to hand out, and what comes after.
    Deliver(Vec<Investigation>, Box<Phase>),
    Idle,
    Done,
    Failed(Error),
}

/// The listing state machine. See the module docs.
#[derive(Debug, Clone)]
pub struct Listing {
    base: BaseUrl,
    /// The filter sent: the user's, and with a snapshot `user and startTime lt T` (see [`Listing::user_filter`]).
    effective_filter: Option<Filter>,
    start_skip: u64,
    max_items: Option<u64>,
    page_size: u32,
    snapshot_at: Option<Timestamp>,
    retry: RetryPolicy,
    jitter: Jitter,
    progress: Progress,
    /// Every id delivered (after a resume: first the token's), in the order delivered.
    seen: IdSet,
    /// The last page handed out (or being handed out as its body arrives), until the driver polls for the next
    /// request.
    page_mark: Option<PageMark>,
    /// The body of the response in flight, read as it arrives ([`Listing::handle_body_chunk`]).
    stream: Option<PageStream>,
    followed_links: IdSet,
    /// The link to follow next, and its `$top` if it has one.
    next_link: Option<(String, Option<u64>)>,
    /// The `$top` of the followed link in flight, if it has one: a page that long is full, even when shorter than
    /// the page size.
    link_top: Option<u64>,
    /// Full pages in a row that brought nothing new (a service that ignores `$skip` would loop forever).
    stale_pages: u32,
    phase: Phase,
}

impl Listing {
    /// Starts a listing. The query's `$top` is the total number of investigations wanted (none: all), its `$skip`
    /// where to start. Fails with [`Error::InvalidConfig`] for a page size outside 1..=10,000.
    pub fn new(base: BaseUrl, query: ListQuery, options: ListingOptions) -> Result<Listing, Error> {
        let max_items = query.top.map(|t| u64::from(t.get()));
        Listing::build(base, query.filter, query.skip, max_items, options, Progress::default())
    }

    fn build(
        base: BaseUrl,
        filter: Option<Filter>,
        skip: u64,
        max_items: Option<u64>,
        options: ListingOptions,
        progress: Progress,
    ) -> Result<Listing, Error> {
        if !(1..=MAX_PAGE_SIZE).contains(&options.page_size) {
            return Err(Error::InvalidConfig {
                message: format!("page size {} is outside 1..={MAX_PAGE_SIZE}", options.page_size),
            });
        }
        let effective_filter = match options.snapshot_at {
            None => filter,
            Some(t) => {
                let bound = start_time().lt(t);
                Some(match filter {
                    Some(f) => f.and(bound),
                    None => bound,
                })
            }
        };
        let mut listing = Listing {
            base,
            effective_filter,
            start_skip: skip,
            max_items,
            page_size: options.page_size,
            snapshot_at: options.snapshot_at,
            retry: options.retry,
            jitter: Jitter::from_seed(options.jitter_seed),
            progress,
            seen: IdSet::default(),
            page_mark: None,
            stream: None,
            followed_links: IdSet::default(),
            next_link: None,
            link_top: None,
            stale_pages: 0,
            phase: Phase::Idle,
        };
        if listing.remaining() == Some(0) {
            listing.phase = Phase::Done;
        }
        Ok(listing)
    }

    /// Continues a listing from [`Listing::resume_token`]: same query, page size and snapshot bound, starting right
    /// after the last investigation handed out and skipping the ids the token carries. Retry settings and seed come
    /// from `options`. Tokens of earlier versions (which continued after a whole page) are read the same way.
    pub fn resume(base: BaseUrl, token: &str, options: ListingOptions) -> Result<Listing, Error> {
        let invalid = |reason: String| Error::InvalidResumeToken { reason };
        let json = token
            .strip_prefix(TOKEN_PREFIX)
            .ok_or_else(|| invalid(concat!("it does not start with ", token_prefix!()).to_owned()))?;
        let ResumeState { filter, skip, max, page, pos, items, pages, snap, ids } =
            ResumeState::from_json(json).map_err(invalid)?;
        let lenient = ParseOptions { allow_unknown_states: true, ..ParseOptions::default() };
        let filter = match filter {
            Some(text) => Some(Filter::parse_with(&text, &lenient).map_err(|e| invalid(format!("its filter: {e}")))?),
            None => None,
        };
        if max.is_some_and(|m| items > m) || ids.len() > RESUME_BOUNDARY_IDS {
            return Err(invalid("inconsistent counters".into()));
        }
        let options = ListingOptions { page_size: page, snapshot_at: snap, ..options };
        let progress = Progress { pages, items, requests: 0, position: pos };
        let mut listing = Listing::build(base, filter, skip, max, options, progress)?;
        listing.seen.reserve(ids.len());
        for id in ids {
            listing.seen.insert(id);
        }
        Ok(listing)
    }

    /// A string from which [`Listing::resume`] continues right after the last investigation handed out, with
    /// nothing lost and nothing twice: [`Listing::resume_token_after`] for a driver that handed on every
    /// investigation of the last page. It can be taken at any moment (between pages, after a failure, after the
    /// end); it holds no token or secret.
    pub fn resume_token(&self) -> String {
        self.resume_token_after(usize::MAX)
    }

    /// A resume token for a driver that handed on only the first `consumed` investigations of the last page
    /// delivered (an [`Action::Page`], or the positions [`Listing::handle_response_indexed`] returned), for instance
    /// because its user stopped a loop over items inside the page: the resumed listing starts right after the
    /// `consumed`-th of them. `consumed` at or beyond the page's length means the whole page. Polling for the next
    /// request means that the page was handed on in full; from then on `consumed` is not looked at.
    ///
    /// A page that [`Listing::handle_response`] took but [`Listing::poll`] has not handed out yet is not counted.
    pub fn resume_token_after(&self, consumed: usize) -> String {
        let Cut { position, items, pages, seen } = self.cut(consumed);
        let ids = &self.seen.as_slice()[..seen];
        let state = ResumeState {
            filter: self.user_filter().map(Filter::to_odata),
            skip: self.start_skip,
            max: self.max_items,
            page: self.page_size,
            pos: position,
            items,
            pages,
            snap: self.snapshot_at,
            ids: &ids[ids.len().saturating_sub(RESUME_BOUNDARY_IDS)..],
        };
        let mut token = String::from(TOKEN_PREFIX);
        state.write_json(&mut token);
        token
    }

    /// Where a token continues when `consumed` investigations of the last page were handed on.
    fn cut(&self, consumed: usize) -> Cut {
        // A page waiting in `Deliver` was not handed out: none of it is consumed.
        let consumed = if matches!(self.phase, Phase::Deliver(..)) { 0 } else { consumed };
        match &self.page_mark {
            Some(mark) if consumed < mark.keep.len() || !mark.ended => Cut {
                position: match consumed.min(mark.keep.len()).checked_sub(1) {
                    Some(last) => mark.position.saturating_add(mark.keep[last] as u64 + 1),
                    None => mark.position,
                },
                items: mark.items + consumed.min(mark.keep.len()) as u64,
                pages: mark.pages + u64::from(consumed > 0 && !mark.keep.is_empty()),
                seen: mark.seen + consumed.min(mark.keep.len()),
            },
            _ => Cut {
                position: self.progress.position,
                items: self.progress.items,
                pages: self.progress.pages,
                seen: self.seen.as_slice().len(),
            },
        }
    }

    /// Counters for progress displays.
    pub fn progress(&self) -> Progress {
        self.progress
    }

    /// The snapshot bound, if the listing has one.
    pub fn snapshot_at(&self) -> Option<Timestamp> {
        self.snapshot_at
    }

    /// The filter actually sent (the user's, and the snapshot bound).
    pub fn effective_filter(&self) -> Option<&Filter> {
        self.effective_filter.as_ref()
    }

    /// The user's filter: the effective one without the snapshot bound that [`Listing::build`] added to it.
    fn user_filter(&self) -> Option<&Filter> {
        match (self.snapshot_at, &self.effective_filter) {
            (None, f) => f.as_ref(),
            (Some(_), Some(Filter::And(user, _))) => Some(user),
            (Some(_), _) => None,
        }
    }

    /// Why the listing failed, once it has (what [`Listing::poll`] returns in [`Action::Fail`] from then on).
    pub fn failure(&self) -> Option<&Error> {
        match &self.phase {
            Phase::Failed(e) => Some(e),
            _ => None,
        }
    }

    /// Whether the listing has ended (done or failed).
    pub fn is_finished(&self) -> bool {
        matches!(self.phase, Phase::Done | Phase::Failed(_))
    }

    /// What the driver must do next. `now_ms` is the wall clock in milliseconds since the Unix epoch.
    pub fn poll(&mut self, now_ms: u64, limiter: &mut RateLimiter) -> Action {
        match self.poll_unfinished(now_ms, limiter) {
            Some(action) => action,
            None => self.failure().map_or(Action::Done, |e| Action::Fail(e.clone())),
        }
    }

    /// [`Listing::poll`] until the listing has ended, then `None` instead of [`Action::Done`] or
    /// [`Action::Fail`]: [`Listing::failure`] then tells which, without a copy of the error.
    #[must_use = "the action tells the driver what to do next"]
    pub fn poll_unfinished(&mut self, now_ms: u64, limiter: &mut RateLimiter) -> Option<Action> {
        loop {
            match &mut self.phase {
                Phase::Done | Phase::Failed(_) => return None,
                Phase::Deliver(items, then) => {
                    let items = std::mem::take(items);
                    let then = std::mem::replace(then.as_mut(), Phase::Idle);
                    self.phase = then;
                    if !items.is_empty() {
                        return Some(Action::Page(items));
                    }
                }
                Phase::Idle => {
                    // Asking for more: the last page was handed on in full.
                    self.page_mark = None;
                    let (url, link_top) = match self.next_link.take() {
                        Some((link, top)) => (link, top),
                        None => (self.next_page_url(), None),
                    };
                    self.link_top = link_top;
                    self.phase = Phase::Request(Exchange::new(url));
                }
                Phase::Request(exchange) => {
                    return Some(match exchange.poll(now_ms, limiter) {
                        Ok(Step::Send(request)) => {
                            self.progress.requests += 1;
                            self.stream = None;
                            Action::Send(request)
                        }
                        Ok(Step::Wait { duration, cause }) => Action::Wait { duration, cause },
                        Err(misuse) => Action::Fail(misuse),
                    })
                }
            }
        }
    }

    /// Reports the HTTP response to the last [`Action::Send`].
    pub fn handle_response(&mut self, now_ms: u64, limiter: &mut RateLimiter, response: &Response<'_>) {
        let Phase::Request(exchange) = &mut self.phase else {
            return self.misuse();
        };
        let ctx = RetryContext { policy: &self.retry, jitter: &mut self.jitter };
        match exchange.handle_response(now_ms, limiter, ctx, response) {
            Handled::Success(body) => match decode_page(body) {
                Ok(page) => self.take_page(page),
                Err(e) => {
                    let ctx = RetryContext { policy: &self.retry, jitter: &mut self.jitter };
                    let handled = exchange.handle_invalid_body(now_ms, ctx, e);
                    self.after(handled);
                }
            },
            other => self.after(other),
        }
    }

    /// Reports the HTTP response to the last [`Action::Send`], for drivers that build the investigations themselves
    /// (the wasm binding lets `JavaScript`'s `JSON.parse` build them from the same body, which is much faster than
    /// converting Rust structs). The body is validated exactly as in [`Listing::handle_response`] (with
    /// [`outline_page`](crate::decode::outline_page)), the same items are chosen, and the machine moves on the
    /// same way, but no [`Investigation`] is built.
    ///
    /// Returns, when the response was a valid page, the positions in its `value` array of the investigations to
    /// deliver, in order (what [`Action::Page`] would have carried; possibly none). The page then counts as
    /// delivered: the next [`Listing::poll`] goes on after it and never returns [`Action::Page`] for it (a driver
    /// that hands on only part of it says so to [`Listing::resume_token_after`]). Returns `None` when there is no
    /// page to deliver (a retry is planned, or the listing failed): poll again.
    #[must_use = "the positions are the investigations to deliver; the page counts as delivered"]
    #[inline]
    #[cfg_attr(mde_size, optimize(speed))]
    pub fn handle_response_indexed(
        &mut self,
        now_ms: u64,
        limiter: &mut RateLimiter,
        response: &Response<'_>,
    ) -> Option<Vec<usize>> {
        let Phase::Request(exchange) = &mut self.phase else {
            self.misuse();
            return None;
        };
        let ctx = RetryContext { policy: &self.retry, jitter: &mut self.jitter };
        match exchange.handle_response(now_ms, limiter, ctx, response) {
            Handled::Success(body) => match crate::decode::outline_page(body) {
                Ok(outline) => {
                    let mut keep = Vec::with_capacity(outline.ids.len());
                    self.seen.reserve(outline.ids.len());
                    for (index, (id, start_time)) in outline.ids.iter().zip(&outline.start_times).enumerate() {
                        if self.select_item(index, id, *start_time) {
                            keep.push(index);
                        }
                    }
                    self.phase = self.end_page(outline.ids.len(), outline.next_link);
                    Some(keep)
                }
                Err(e) => {
                    let ctx = RetryContext { policy: &self.retry, jitter: &mut self.jitter };
                    let handled = exchange.handle_invalid_body(now_ms, ctx, e);
                    self.after(handled);
                    None
                }
            },
            other => {
                self.after(other);
                None
            }
        }
    }

    /// Reports a chunk of the body of the response to the last [`Action::Send`], for a driver that reads a
    /// successful (2xx) response's body as it arrives; the status and headers are reported with the end of the
    /// body, [`Listing::handle_streamed_end`] (any other response is reported whole, with
    /// [`Listing::handle_response_indexed`]).
    ///
    /// Each investigation of `value` is validated as soon as its bytes are in (see
    /// [`PageStream`]): the chunk returns those now complete and valid, and the
    /// positions of the ones to deliver, chosen as [`Listing::handle_response_indexed`] chooses them. They count as
    /// delivered at once, and a resume token taken from now on continues inside the page
    /// ([`Listing::resume_token_after`], `consumed` counting the page's investigations delivered so far, over all
    /// chunks). Should the page then prove invalid, or its transfer break off, those stay delivered: the retry asks
    /// for the same page and delivers only what it has not (ids already delivered are never delivered again),
    /// and when the listing gives up, its resume token continues right after the last one delivered.
    ///
    /// Returns `None` when the driver must stop reading: the body grew beyond
    /// [`MAX_BODY_BYTES`](crate::decode::MAX_BODY_BYTES) (the listing fails as with
    /// [`Listing::handle_body_too_large`]), or no request was in flight.
    #[must_use = "the positions are the investigations to deliver; they count as delivered"]
    #[inline]
    #[cfg_attr(mde_size, optimize(speed))]
    pub fn handle_body_chunk(&mut self, chunk: &[u8]) -> Option<StreamedItems> {
        if !matches!(&self.phase, Phase::Request(exchange) if exchange.is_in_flight()) {
            self.misuse();
            return None;
        }
        let mut stream = self.stream.take().unwrap_or_else(|| self.start_stream());
        let mut out = StreamedItems::new(self.delivered_in_page());
        let fits = stream.push(chunk, |item| out.take(item, self));
        if !fits {
            self.handle_body_too_large();
            return None;
        }
        self.stream = Some(stream);
        Some(out)
    }

    /// Makes room for a streamed body of `length` bytes (the response's `Content-Length`) before its first chunk
    /// goes to [`Listing::handle_body_chunk`]; at most [`MAX_BODY_BYTES`](crate::decode::MAX_BODY_BYTES) is reserved.
    pub fn expect_body_length(&mut self, length: usize) {
        if self.stream.is_none() {
            self.stream = Some(self.start_stream());
        }
        if let Some(stream) = &mut self.stream {
            stream.reserve(length);
        }
    }

    /// How many investigations of the page in flight (or of the last page) were delivered so far.
    fn delivered_in_page(&self) -> usize {
        self.page_mark.as_ref().map_or(0, |mark| mark.keep.len())
    }

    /// A stream for the body of the response in flight, with room in the set of delivered ids for as many as the
    /// page can bring (no rehashing while they go in).
    fn start_stream(&mut self) -> PageStream {
        self.seen.reserve(self.requested_top_before_page() as usize);
        PageStream::new()
    }

    /// Reports that the body of a response whose chunks went to [`Listing::handle_body_chunk`] has ended, with
    /// the response's status and `Retry-After` headers. Returns, when the page was valid, the investigations that
    /// only its end completed (usually none), as [`Listing::handle_body_chunk`] does; the page then counts as read
    /// and the next [`Listing::poll`] goes on after it. Returns `None` when the page was not valid (a retry is
    /// planned, or the listing failed, as with [`Listing::handle_response_indexed`]; what the chunks delivered stays
    /// delivered) or no request was in flight.
    #[must_use = "the positions are the investigations to deliver; the page counts as read"]
    #[inline]
    pub fn handle_streamed_end(
        &mut self,
        now_ms: u64,
        limiter: &mut RateLimiter,
        status: u16,
        retry_after: Option<&str>,
        retry_after_ms: Option<&str>,
    ) -> Option<StreamedItems> {
        let mut stream = self.stream.take().unwrap_or_default();
        let mut late = Vec::new();
        let end = stream.finish(|item| keep_late(&mut late, item));
        let Phase::Request(exchange) = &mut self.phase else {
            self.misuse();
            return None;
        };
        let response = Response { status, retry_after, retry_after_ms, body: stream.body() };
        let ctx = RetryContext { policy: &self.retry, jitter: &mut self.jitter };
        let delivered = match exchange.handle_response(now_ms, limiter, ctx, &response) {
            Handled::Success(body) => match end {
                Some(end) => {
                    let mut out = StreamedItems::new(self.delivered_in_page());
                    for (index, id, start_time, range) in late {
                        out.take(StreamedItem { index, id: id.into(), start_time, range }, self);
                    }
                    self.phase = self.end_page(end.items, end.next_link);
                    Some(out)
                }
                None => {
                    // The stream stops at a problem without naming it: the whole-body walk names it (the typed
                    // one, which reports the same errors as the outline's by construction, and which a driver
                    // links anyway).
                    let error = decode_page(body).err().unwrap_or_else(|| DecodeError {
                        index: None,
                        field: None,
                        location: "the document".into(),
                        reason: "the page could not be read as it arrived".into(),
                    });
                    let ctx = RetryContext { policy: &self.retry, jitter: &mut self.jitter };
                    let handled = exchange.handle_invalid_body(now_ms, ctx, error);
                    self.after(handled);
                    None
                }
            },
            other => {
                self.after(other);
                None
            }
        };
        self.stream = Some(stream);
        delivered
    }

    /// Reports a response to the last [`Action::Send`] that is not a success (its status is not 2xx), for a driver
    /// that streams the bodies of successes ([`Listing::handle_body_chunk`]) and reads the others whole: the
    /// machine plans a retry or fails, as [`Listing::handle_response`] does for such an answer. A 2xx is refused
    /// (the listing fails with [`Error::Misuse`]): its body is a page, to report with the streaming methods.
    pub fn handle_unsuccessful_response(&mut self, now_ms: u64, limiter: &mut RateLimiter, response: &Response<'_>) {
        let Phase::Request(exchange) = &mut self.phase else {
            return self.misuse();
        };
        if (200..300).contains(&response.status) {
            self.phase = Phase::Failed(Error::Misuse { message: MISUSE_SUCCESS });
            return;
        }
        let ctx = RetryContext { policy: &self.retry, jitter: &mut self.jitter };
        let handled = exchange.handle_response(now_ms, limiter, ctx, response);
        self.after(handled);
    }

    /// The body received so far of the response whose chunks went to [`Listing::handle_body_chunk`] (kept until
    /// the next request is sent): where [`StreamedItems::text`] points.
    pub fn streamed_body(&self) -> &[u8] {
        self.stream.as_ref().map_or(&[], PageStream::body)
    }

    /// Reports that the last [`Action::Send`] got no HTTP response (connection refused or reset, timeout, CORS).
    pub fn handle_transport_error(&mut self, now_ms: u64, message: &str) {
        let Phase::Request(exchange) = &mut self.phase else {
            return self.misuse();
        };
        let ctx = RetryContext { policy: &self.retry, jitter: &mut self.jitter };
        let handled = exchange.handle_transport_error(now_ms, ctx, message);
        self.after(handled);
    }

    /// Reports that the response to the last [`Action::Send`] has a body longer than
    /// [`MAX_BODY_BYTES`](crate::decode::MAX_BODY_BYTES), which the driver stopped reading (a broken or hostile
    /// server or proxy): the listing fails with [`Error::InvalidResponse`], without a retry.
    pub fn handle_body_too_large(&mut self) {
        let Phase::Request(exchange) = &mut self.phase else {
            return self.misuse();
        };
        let handled = exchange.handle_body_too_large();
        self.after(handled);
    }

    fn misuse(&mut self) {
        if !self.is_finished() {
            self.phase = Phase::Failed(Error::Misuse { message: crate::exchange::MISUSE_HANDLE });
        }
    }

    fn after(&mut self, handled: Handled<'_>) {
        match handled {
            Handled::Retrying | Handled::Success(_) => {}
            Handled::Failed(e) => self.phase = Phase::Failed(e),
        }
    }

    fn remaining(&self) -> Option<u64> {
        self.max_items.map(|m| m.saturating_sub(self.progress.items))
    }

    fn next_page_url(&mut self) -> String {
        let top = self.remaining().map_or(self.page_size, |r| r.min(u64::from(self.page_size)) as u32);
        // The filter is lent to the query and taken back: no copy of it per page.
        let query = ListQuery {
            filter: self.effective_filter.take(),
            top: Top::new(top).ok(),
            skip: self.start_skip.saturating_add(self.progress.position),
        };
        let url = self.base.list_url(&query.to_query_string());
        self.effective_filter = query.filter;
        url
    }

    /// The `$top` that the request of the page in flight asked for: the page size, or fewer when the total limit
    /// left fewer before the page.
    fn requested_top_before_page(&self) -> u64 {
        let items_before = self.page_mark.as_ref().map_or(self.progress.items, |mark| mark.items);
        let left = self.max_items.map(|m| m.saturating_sub(items_before));
        left.map_or(u64::from(self.page_size), |r| r.min(u64::from(self.page_size)))
    }

    fn take_page(&mut self, page: crate::Page) {
        let mut fresh = Vec::with_capacity(page.value.len());
        let raw_len = page.value.len();
        self.seen.reserve(raw_len);
        for (index, item) in page.value.into_iter().enumerate() {
            if self.select_item(index, &item.id, item.start_time) {
                fresh.push(item);
            }
        }
        let then = self.end_page(raw_len, page.next_link);
        self.phase = Phase::Deliver(fresh, Box::new(then));
    }

    /// Decides whether item `index` of the page in flight (its id and start time) is delivered: not when it is
    /// beyond the snapshot bound or the total limit, or was delivered before. A delivered one is counted, its id
    /// kept, and its position added to the page's mark (the page counts as delivered from its first one on).
    #[inline(always)]
    #[cfg_attr(mde_size, optimize(speed))]
    fn select_item(&mut self, index: usize, id: &str, start_time: Option<Timestamp>) -> bool {
        // `startTime lt bound`, which a missing `startTime` does not satisfy either.
        let beyond_snapshot = self.snapshot_at.is_some_and(|bound| start_time.is_none_or(|t| t >= bound));
        if beyond_snapshot || self.remaining() == Some(0) || !self.seen.insert(id.to_owned()) {
            return false;
        }
        let seen = self.seen.as_slice().len() - 1;
        match &mut self.page_mark {
            Some(mark) => mark.keep.push(index),
            None => {
                let Progress { position, items, pages, .. } = self.progress;
                self.page_mark = Some(PageMark { position, items, pages, seen, keep: vec![index], ended: false });
                self.progress.pages += 1;
            }
        }
        self.progress.items += 1;
        true
    }

    /// The page in flight has been read whole (`raw_len` items, and its `@odata.nextLink`): moves the position
    /// past it and says what comes after it.
    fn end_page(&mut self, raw_len: usize, next_link: Option<String>) -> Phase {
        // A followed link that asked for fewer got a full page when it got that many.
        let requested = self.requested_top_before_page().min(self.link_top.unwrap_or(u64::MAX));
        let raw_len = raw_len as u64;
        self.progress.position += raw_len;
        let link = next_link.map(|l| self.base.check_list_link(&l));
        let got_new = match &mut self.page_mark {
            Some(mark) => {
                mark.ended = true;
                true
            }
            None => false,
        };
        self.stale_pages = if got_new || raw_len < requested { 0 } else { self.stale_pages + 1 };
        let follow = match &link {
            Some(Ok(url)) if got_new => self.next_page_top(url),
            _ => None,
        };
        match link {
            Some(Err(e)) => Phase::Failed(Error::ForeignOrigin(e)),
            _ if self.remaining() == Some(0) || raw_len == 0 => Phase::Done,
            Some(Ok(url)) if follow.is_some() && self.followed_links.insert(url.clone()) => {
                self.next_link = Some((url, follow.flatten()));
                Phase::Idle
            }
            _ if raw_len < requested => Phase::Done,
            _ if self.stale_pages >= MAX_STALE_PAGES => Phase::Failed(Error::InvalidResponse(DecodeError {
                index: None,
                field: None,
                location: "$skip paging".into(),
                reason: STALE_PAGES_REASON.into(),
            })),
            _ => Phase::Idle,
        }
    }

    /// Whether a same-origin link asks for exactly the page the listing would ask for next (`Some`, with the link's
    /// `$top` if it has one): the same filter
    /// (snapshot bound included) at the current `$skip`. Only such a link is followed (it may carry another
    /// `$top`, as a service that caps pages would send), so a link can neither skip items, repeat a page, drop
    /// the filter, nor move the paging. The filters are compared as the OData text the service gets
    /// ([`Filter::to_odata`]), the link's once parsed: however a link spells it, and with an `in` list, which
    /// the listing sends as an `or` of `eq`s and so reads back as that.
    fn next_page_top(&self, url: &str) -> Option<Option<u64>> {
        let qs = url.split_once('?').map_or("", |(_, q)| q);
        let lenient = ParseOptions { allow_unknown_states: true, ..ParseOptions::default() };
        let q = ListQuery::from_query_string_with(qs, &lenient).ok()?;
        let next = q.filter.as_ref().map(Filter::to_odata) == self.effective_filter.as_ref().map(Filter::to_odata)
            && q.skip == self.start_skip.saturating_add(self.progress.position);
        next.then(|| q.top.map(|t| u64::from(t.get())))
    }
}

/// An item that only the end of a streamed body completed, kept apart from the body it borrows. Not inlined: the
/// closure that calls it is also reached through its `dyn` vtable's `call_once`, which would hold a second copy.
#[inline(never)]
fn keep_late(late: &mut Vec<LateItem>, item: StreamedItem<'_>) {
    late.push((item.index, item.id.into_owned(), item.start_time, item.range));
}

/// What [`keep_late`] keeps of a [`StreamedItem`].
type LateItem = (usize, String, Option<Timestamp>, std::ops::Range<usize>);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::Response;
    use crate::filter::state;
    use crate::limiter::RateLimitConfig;
    use crate::InvestigationState;

    fn base() -> BaseUrl {
        BaseUrl::parse("http://127.0.0.1:4010").unwrap()
    }

    /// The filter field of a resume token, read with serde_json (the oracle), not with the token's own reader.
    fn token_filter(listing: &Listing) -> Option<String> {
        let token = listing.resume_token();
        let json: serde_json::Value = serde_json::from_str(token.strip_prefix(TOKEN_PREFIX).unwrap()).unwrap();
        json["filter"].as_str().map(str::to_owned)
    }

    #[test]
    fn the_token_carries_the_users_filter_with_or_without_a_snapshot() {
        let at = Timestamp::parse("2026-11-27T07:00:00Z").unwrap();
        let queued = state().eq(InvestigationState::Queued);
        let running = state().eq(InvestigationState::Running);
        let filters = [
            None,
            Some(queued.clone()),
            Some(queued.clone().and(running.clone())),
            Some(queued.clone().or(running)),
            Some(start_time().lt(at)),
            Some(queued.and(start_time().lt(at))),
        ];
        for filter in filters {
            for snapshot_at in [None, Some(at)] {
                let query = ListQuery { filter: filter.clone(), ..ListQuery::default() };
                let options = ListingOptions { snapshot_at, ..ListingOptions::default() };
                let listing = Listing::new(base(), query, options).unwrap();
                let expected = filter.as_ref().map(Filter::to_odata);
                assert_eq!(token_filter(&listing), expected, "{filter:?} {snapshot_at:?}");
                let resumed = Listing::resume(base(), &listing.resume_token(), ListingOptions::default()).unwrap();
                assert_eq!(token_filter(&resumed), expected, "{filter:?} {snapshot_at:?}");
                assert_eq!(resumed.effective_filter(), listing.effective_filter());
                let bound = snapshot_at.map(|t| start_time().lt(t));
                let effective = match (filter.clone(), bound) {
                    (Some(f), Some(b)) => Some(f.and(b)),
                    (f, b) => f.or(b),
                };
                assert_eq!(listing.effective_filter(), effective.as_ref());
            }
        }
    }

    #[test]
    fn the_next_page_link_is_recognised_with_an_in_list_and_any_spelling() {
        let in_list = state().is_in([InvestigationState::Queued, InvestigationState::Running]);
        let query = ListQuery { filter: in_list, ..ListQuery::default() };
        let mut listing = Listing::new(base(), query, ListingOptions::default()).unwrap();
        let own = listing.next_page_url();
        assert!(own.contains("$filter=state%20eq%20%27Queued%27%20or%20state%20eq%20%27Running%27"), "{own}");
        assert!(listing.next_page_top(&own).is_some());
        let spelled = "http://127.0.0.1:4010/api/investigations?$top=5&$filter=(state%20eq%20'Queued')%20or%20state%20eq%20'Running'";
        assert!(listing.next_page_top(spelled).is_some());
        let other = "http://127.0.0.1:4010/api/investigations?$filter=state%20eq%20'Queued'";
        assert!(listing.next_page_top(other).is_none());
        let moved = format!("{own}&$skip=1");
        assert!(listing.next_page_top(&moved).is_none());
    }

    #[test]
    fn the_stale_pages_reason_names_the_limit() {
        let expected = format!(
            "{MAX_STALE_PAGES} full pages in a row brought no new investigation: the service seems to ignore $skip"
        );
        assert_eq!(STALE_PAGES_REASON, expected);
    }

    #[test]
    fn tokens_start_with_the_prefix_that_resume_asks_for() {
        let listing = Listing::new(base(), ListQuery::default(), ListingOptions::default()).unwrap();
        assert!(listing.resume_token().starts_with("mdeR1.{"));
        let e = Listing::resume(base(), "mdeR2.{}", ListingOptions::default()).unwrap_err();
        assert_eq!(e.to_string(), "invalid resume token: it does not start with mdeR1.");
    }

    #[test]
    fn pages_keep_their_filter() {
        let query = ListQuery { filter: Some(state().eq(InvestigationState::Queued)), ..ListQuery::default() };
        let options = ListingOptions { page_size: 1, ..ListingOptions::default() };
        let mut listing = Listing::new(base(), query, options).unwrap();
        let mut limiter = RateLimiter::new(RateLimitConfig::default());
        for (n, body) in [&br#"{"value":[{"id":"1"}]}"#[..], br#"{"value":[{"id":"2"}]}"#].into_iter().enumerate() {
            let Some(Action::Send(request)) = listing.poll_unfinished(0, &mut limiter) else { panic!("no send") };
            let skip = if n == 0 { String::new() } else { format!("&$skip={n}") };
            assert_eq!(
                request.url,
                format!("http://127.0.0.1:4010/api/investigations?$filter=state%20eq%20%27Queued%27&$top=1{skip}")
            );
            listing.handle_response(
                0,
                &mut limiter,
                &Response { status: 200, retry_after: None, retry_after_ms: None, body },
            );
            assert!(matches!(listing.poll(0, &mut limiter), Action::Page(p) if p.len() == 1));
        }
    }

    #[test]
    fn an_ended_listing_polls_none_and_tells_its_failure_without_changing_poll() {
        let mut limiter = RateLimiter::new(RateLimitConfig::default());
        let mut done = Listing::new(base(), ListQuery::default(), ListingOptions::default()).unwrap();
        assert!(matches!(done.poll_unfinished(0, &mut limiter), Some(Action::Send(_))));
        let body = br#"{"value":[{"id":"1"}]}"#;
        done.handle_response(0, &mut limiter, &Response { status: 200, retry_after: None, retry_after_ms: None, body });
        assert!(matches!(done.poll_unfinished(0, &mut limiter), Some(Action::Page(p)) if p.len() == 1));
        assert_eq!(done.poll_unfinished(0, &mut limiter), None);
        assert_eq!(done.failure(), None);
        assert_eq!(done.poll(0, &mut limiter), Action::Done);

        let mut failed = Listing::new(base(), ListQuery::default(), ListingOptions::default()).unwrap();
        assert_eq!(failed.failure(), None);
        failed.handle_transport_error(0, "out of order");
        let misuse = Error::Misuse { message: crate::exchange::MISUSE_HANDLE };
        assert_eq!(failed.failure(), Some(&misuse));
        assert_eq!(failed.poll_unfinished(0, &mut limiter), None);
        assert_eq!(failed.poll(0, &mut limiter), Action::Fail(misuse.clone()));
        assert_eq!(failed.poll(0, &mut limiter), Action::Fail(misuse));
    }
}

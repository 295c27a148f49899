//! The exports that the facade (`js/client.js`) calls. Each is a thin shell over a method that returns
//! `Result<_, ErrorInfo>`, so that the logic runs in native tests too; the shells turn an [`ErrorInfo`] into a
//! thrown JSON string, which the facade turns into an `MdeError`.

use std::cell::RefCell;
use std::rc::Rc;

use mde_core::exchange::Response;
use mde_core::get::{GetAction, GetInvestigation};
use mde_core::{Action, BaseUrl, Listing, RateLimiter, RetryPolicy};
use wasm_bindgen::prelude::*;

use crate::config::{filter_from_json, start_listing, ClientSettings};
use crate::error::ErrorInfo;
use crate::json::{whole_ms, ObjectWriter};
use crate::shared::SharedBudget;
use crate::step::Step;
use crate::watch::{start_watch, WatchHandle};

#[cfg_attr(mde_size, optimize(size))]
fn thrown(e: ErrorInfo) -> JsValue {
    JsValue::from_str(&e.to_json())
}

/// Milliseconds since the epoch from JavaScript's `Date.now()`.
#[cfg_attr(mde_size, optimize(size))]
pub(crate) fn millis(now: f64) -> u64 {
    if now.is_finite() && now > 0.0 {
        now as u64
    } else {
        0
    }
}

/// The step of a machine that has ended: failed with `failure`, or done.
#[cfg_attr(mde_size, optimize(size))]
fn ended(failure: Option<&mde_core::Error>) -> Step {
    match failure {
        Some(e) => Step::Fail { error: ErrorInfo::from(e) },
        None => Step::Done,
    }
}

type SharedLimiter = Rc<RefCell<RateLimiter>>;

pub(crate) const BUSY: &str = "the rate limiter is in use by another call (re-entrant call from JavaScript)";
const NOT_SHARED: &str = "the client has no shared rate limit (rateLimit.shared)";

/// A configured client: base URL, retry policy and the rate limiter its operations share.
#[wasm_bindgen]
pub struct Client {
    base: BaseUrl,
    retry: RetryPolicy,
    limiter: SharedLimiter,
    /// `rateLimit.shared`: the budget that the facade's `js/shared-limiter.js` decides with.
    shared: Option<RefCell<SharedBudget>>,
}

/// `{ state, windows: [{used, limit, windowMs, resetsInMs}], blockedForMs }` of `limiter` at `now`, as JSON.
#[cfg_attr(mde_size, optimize(size))]
fn limiter_state_json(limiter: &RateLimiter, now: u64) -> String {
    let mut windows = String::from("[");
    for w in limiter.usage(now) {
        if windows.len() > 1 {
            windows.push(',');
        }
        windows.push_str(
            &ObjectWriter::new()
                .num("used", u64::from(w.used))
                .num("limit", u64::from(w.limit))
                .num("windowMs", whole_ms(w.length))
                .num("resetsInMs", whole_ms(w.resets_in))
                .finish(),
        );
    }
    windows.push(']');
    let blocked_for_ms = limiter.blocked_until().map_or(0, |t| t.saturating_sub(now));
    ObjectWriter::new()
        .str("state", &limiter.export())
        .raw("windows", &windows)
        .num("blockedForMs", blocked_for_ms)
        .finish()
}

impl Client {
    /// Builds a client from the options' JSON.
    #[cfg_attr(mde_size, optimize(size))]
    pub fn build(config: &str) -> Result<Client, ErrorInfo> {
        let s = ClientSettings::from_json(config)?;
        let limiter = Rc::new(RefCell::new(s.limiter));
        let shared = s.shared.map(|settings| RefCell::new(SharedBudget::new(settings, Rc::clone(&limiter))));
        Ok(Client { base: s.base, retry: s.retry, limiter, shared })
    }

    /// Starts a listing from the options' JSON.
    #[cfg_attr(mde_size, optimize(size))]
    pub fn start_listing(&self, now: f64, options: &str) -> Result<ListingHandle, ErrorInfo> {
        let listing = start_listing(options, self.base.clone(), self.retry.clone(), millis(now))?;
        Ok(ListingHandle { listing, limiter: Rc::clone(&self.limiter), chunk: 0..0 })
    }

    /// Starts (or resumes) a watch from the options' JSON.
    #[cfg_attr(mde_size, optimize(size))]
    pub fn start_watch(&self, options: &str) -> Result<WatchHandle, ErrorInfo> {
        let watch = start_watch(options, self.base.clone(), self.retry.clone())?;
        Ok(WatchHandle::new(watch, Rc::clone(&self.limiter)))
    }

    /// Plans a single fetch.
    #[cfg_attr(mde_size, optimize(size))]
    pub fn start_get(&self, id: &str, seed: f64) -> Result<GetHandle, ErrorInfo> {
        let op =
            GetInvestigation::new(&self.base, id, self.retry.clone(), seed as u64).map_err(|e| ErrorInfo::from(&e))?;
        Ok(GetHandle { op, limiter: Rc::clone(&self.limiter) })
    }

    /// The limiter's state as JSON; with `rateLimit.shared`, the shared budget's as this client last saw it.
    #[cfg_attr(mde_size, optimize(size))]
    pub fn limiter_json(&self, now: f64) -> Result<String, ErrorInfo> {
        if let Some(budget) = &self.shared {
            let budget = budget.try_borrow().map_err(|_| ErrorInfo::config(BUSY))?;
            return Ok(limiter_state_json(budget.limiter(), millis(now)));
        }
        let limiter = self.limiter.try_borrow().map_err(|_| ErrorInfo::config(BUSY))?;
        Ok(limiter_state_json(&limiter, millis(now)))
    }

    /// With `rateLimit.shared`: decides on the `stored` state of the budget (empty: none stored) at `now`, taking a
    /// slot when `acquire` and one is free, and returns the [`Grant`](crate::shared::Grant) as JSON.
    #[cfg_attr(mde_size, optimize(size))]
    pub fn decide_shared(&self, now: f64, stored: &str, acquire: bool) -> Result<String, ErrorInfo> {
        let budget = self.shared.as_ref().ok_or_else(|| ErrorInfo::config(NOT_SHARED))?;
        let mut budget = budget.try_borrow_mut().map_err(|_| ErrorInfo::config(BUSY))?;
        let stored = Some(stored).filter(|s| !s.is_empty());
        Ok(budget.decide_at(millis(now), stored, acquire).to_json())
    }
}

#[wasm_bindgen]
impl Client {
    /// `new Client(optionsJson)`; throws an `InvalidConfig` error JSON.
    #[wasm_bindgen(constructor)]
    #[cfg_attr(mde_size, optimize(size))]
    pub fn new(config: &str) -> Result<Client, JsValue> {
        Client::build(config).map_err(thrown)
    }

    /// Starts a listing; throws `InvalidQuery`/`InvalidConfig` error JSON before anything is sent.
    #[cfg_attr(mde_size, optimize(size))]
    pub fn list(&self, now: f64, options: &str) -> Result<ListingHandle, JsValue> {
        self.start_listing(now, options).map_err(thrown)
    }

    /// Starts a watch; throws `InvalidQuery`/`InvalidConfig` error JSON before anything is sent.
    #[cfg_attr(mde_size, optimize(size))]
    pub fn watch(&self, options: &str) -> Result<WatchHandle, JsValue> {
        self.start_watch(options).map_err(thrown)
    }

    /// Plans `GET /api/investigations/{id}`.
    #[cfg_attr(mde_size, optimize(size))]
    pub fn get(&self, id: &str, seed: f64) -> Result<GetHandle, JsValue> {
        self.start_get(id, seed).map_err(thrown)
    }

    /// `{ state, windows: [{used, limit, windowMs, resetsInMs}], blockedForMs }` as JSON.
    #[wasm_bindgen(js_name = rateLimitState)]
    #[cfg_attr(mde_size, optimize(size))]
    pub fn rate_limit_state(&self, now: f64) -> Result<String, JsValue> {
        self.limiter_json(now).map_err(thrown)
    }

    /// The key of `rateLimit.shared`, or `undefined` when the client keeps its own budget.
    #[wasm_bindgen(js_name = sharedKey)]
    #[cfg_attr(mde_size, optimize(size))]
    pub fn shared_key(&self) -> Option<String> {
        self.shared.as_ref().and_then(|budget| budget.try_borrow().ok().map(|b| b.key().to_owned()))
    }

    /// `sharedDecide(now, stored, acquire)`: see [`Client::decide_shared`]; throws `InvalidConfig` error JSON
    /// without `rateLimit.shared` or when called re-entrantly.
    #[wasm_bindgen(js_name = sharedDecide)]
    #[cfg_attr(mde_size, optimize(size))]
    pub fn shared_decide(&self, now: f64, stored: &str, acquire: bool) -> Result<String, JsValue> {
        self.decide_shared(now, stored, acquire).map_err(thrown)
    }
}

/// The most bytes of a response body that the facade reads (`mde_core::decode::MAX_BODY_BYTES`, 32 MiB); it stops
/// reading a longer body there and reports `handleBodyTooLarge` instead.
#[wasm_bindgen(js_name = maxBodyBytes)]
#[cfg_attr(mde_size, optimize(size))]
pub fn max_body_bytes() -> u32 {
    u32::try_from(mde_core::decode::MAX_BODY_BYTES).unwrap_or(u32::MAX)
}

/// The ids that a body sends as JSON numbers, as a JSON array with one entry per item (a page: each item of
/// `value`, in order; `single`: the investigation): the digits exactly as sent, as a string, or `null` for an id
/// that is not a number. The facade asks for them only when `JSON.parse` read an id as a number, which keeps 15
/// to 17 significant digits. Read with the crate's generic JSON reader (already in the module for options and
/// error bodies), not the page walk: slower, but this is the rare path, and it adds little code. `[]` for a body
/// that is not JSON (never the case after a successful `handleResponse`).
#[cfg_attr(mde_size, optimize(size))]
pub fn exact_ids_json(body: &[u8], single: bool) -> String {
    use mde_core::decode::Node;
    let doc = Node::parse(body).ok();
    let items = match (&doc, single) {
        (Some(one), true) => std::slice::from_ref(one),
        (Some(page), false) => match page.get("value") {
            Some(Node::Array(items)) => items.as_slice(),
            _ => &[],
        },
        (None, _) => &[],
    };
    let mut out = String::from("[");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        match item.get("id") {
            Some(id @ (Node::UInt(_) | Node::Int(_))) => mde_core::decode::write_json_string(&id.to_json(), &mut out),
            _ => out.push_str("null"),
        }
    }
    out.push(']');
    out
}

/// `exactIds(body, single)`: see [`exact_ids_json`].
#[wasm_bindgen(js_name = exactIds)]
#[cfg_attr(mde_size, optimize(size))]
pub fn exact_ids(body: &[u8], single: bool) -> String {
    exact_ids_json(body, single)
}

/// The module's `WebAssembly.Memory`, where `chunkAt()` points.
#[wasm_bindgen(js_name = wasmMemory)]
pub fn wasm_memory() -> JsValue {
    wasm_bindgen::memory()
}

/// Validates a filter given as the facade's JSON (`{"text": ...}` or `{"object": ...}`); returns the OData text.
#[cfg_attr(mde_size, optimize(size))]
pub fn normalise_filter(input: &str) -> Result<String, ErrorInfo> {
    filter_from_json(input).map(|f| f.to_odata())
}

/// `validateFilter`: the normalised OData text, or throws an `InvalidQuery` error JSON.
#[wasm_bindgen(js_name = validateFilter)]
#[cfg_attr(mde_size, optimize(size))]
pub fn validate_filter(input: &str) -> Result<String, JsValue> {
    normalise_filter(input).map_err(thrown)
}

/// One listing being pumped by JavaScript.
#[wasm_bindgen]
pub struct ListingHandle {
    listing: Listing,
    limiter: SharedLimiter,
    /// Where the investigations that the last chunk completed are in the body ([`ListingHandle::chunk_at`]).
    chunk: std::ops::Range<usize>,
}

impl ListingHandle {
    /// The next step.
    #[cfg_attr(mde_size, optimize(size))]
    pub fn next_step(&mut self, now: f64) -> Step {
        let Ok(mut limiter) = self.limiter.try_borrow_mut() else {
            return Step::Fail { error: ErrorInfo::config(BUSY) };
        };
        match self.listing.poll_unfinished(millis(now), &mut limiter) {
            Some(Action::Send(r)) => Step::send(r),
            Some(Action::Wait { duration, cause }) => Step::wait(duration, cause),
            Some(Action::Fail(e)) => ended(Some(&e)),
            // Not produced when bodies are reported with `handle_body_chunk` and `handle_streamed_end`.
            Some(Action::Page(_)) => Step::Fail { error: ErrorInfo::config("internal: unexpected page") },
            Some(Action::Done) | None => ended(self.listing.failure()),
            // An action of a newer mde-core that this driver does not know.
            Some(_) => Step::Fail { error: ErrorInfo::config("internal: unexpected action") },
        }
    }

    /// Reports a chunk of a 2xx response's body; see [`ListingHandle::handle_chunk`].
    #[inline]
    pub fn report_chunk(&mut self, chunk: &[u8]) -> Option<Vec<u32>> {
        let got = self.listing.handle_body_chunk(chunk)?;
        Some(self.streamed(got))
    }

    /// Reports the end of a streamed body; see [`ListingHandle::handle_stream_end`].
    pub fn report_stream_end(
        &mut self,
        now: f64,
        status: u16,
        retry_after: Option<&str>,
        retry_after_ms: Option<&str>,
    ) -> Option<Vec<u32>> {
        let got = {
            let mut limiter = self.limiter.try_borrow_mut().ok()?;
            self.listing.handle_streamed_end(millis(now), &mut limiter, status, retry_after, retry_after_ms)?
        };
        Some(self.streamed(got))
    }

    /// `[first, deliveredBefore, ...positions to deliver relative to first]`, and where the text is for `chunkAt`.
    #[inline]
    fn streamed(&mut self, got: mde_core::StreamedItems) -> Vec<u32> {
        let n = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
        let mut out = Vec::with_capacity(got.keep.len() + 2);
        out.push(n(got.first));
        out.push(n(got.delivered_before));
        out.extend(got.keep.iter().map(|&k| n(k - got.first)));
        self.chunk = got.text;
        out
    }

    /// Reports a response that is not a 2xx (read whole); see [`ListingHandle::handle_response`].
    pub fn report(&mut self, now: f64, response: &Response<'_>) {
        if let Ok(mut limiter) = self.limiter.try_borrow_mut() {
            self.listing.handle_unsuccessful_response(millis(now), &mut limiter, response);
        }
    }
}

#[wasm_bindgen]
impl ListingHandle {
    /// The next step as JSON (see [`Step`]).
    #[cfg_attr(mde_size, optimize(size))]
    pub fn poll(&mut self, now: f64) -> String {
        self.next_step(now).to_json()
    }

    /// Reports a response to the last `send` step that is not a 2xx, with its whole body (read up to
    /// `maxBodyBytes()`): Rust plans a retry or fails. A 2xx's body goes to `handleChunk` and `handleStreamEnd`
    /// (a 2xx reported here fails the listing as a misuse).
    #[wasm_bindgen(js_name = handleResponse)]
    pub fn handle_response(
        &mut self,
        now: f64,
        status: u16,
        retry_after: Option<String>,
        retry_after_ms: Option<String>,
        body: &[u8],
    ) {
        let response =
            Response { status, retry_after: retry_after.as_deref(), retry_after_ms: retry_after_ms.as_deref(), body };
        self.report(now, &response);
    }

    /// Reports a chunk of the body of a 2xx response to the last `send` step, as it arrives (the status and headers
    /// come with `handleStreamEnd`). Every investigation that the chunk completes is validated; returns
    /// `[first, deliveredBefore, ...kept]`: the position in `value` of the first one it completed, how many of the
    /// page were delivered before, and the positions (counted from `first`) of those to deliver now, which
    /// count as delivered; `chunkAt()` and `chunkLength()` say where their JSON text is. `undefined`: stop reading (the body is longer than
    /// `maxBodyBytes()` and the listing failed, or no request was in flight).
    #[wasm_bindgen(js_name = handleChunk)]
    pub fn handle_chunk(&mut self, chunk: &[u8]) -> Option<Vec<u32>> {
        self.report_chunk(chunk)
    }

    /// Makes room for a body of `length` bytes (its `Content-Length`) before its first chunk, so that the chunks
    /// are not copied again as it grows; a length beyond `maxBodyBytes()` reserves no more than that.
    #[wasm_bindgen(js_name = expectBody)]
    pub fn expect_body(&mut self, length: f64) {
        self.listing.expect_body_length(if length.is_finite() && length > 0.0 { length as usize } else { 0 });
    }

    /// Where the JSON text of the investigations that the last `handleChunk` or `handleStreamEnd` completed is in
    /// the module's memory (`wasmMemory()`): its first byte, from the first one's `{` to the last one's `}`
    /// (wrapped in `[` and `]`, a JSON array of them). The facade decodes it in place, without a copy; it stays
    /// there until the next call on this handle.
    #[wasm_bindgen(js_name = chunkAt)]
    pub fn chunk_at(&self) -> u32 {
        let body = self.listing.streamed_body();
        let at = body.as_ptr() as usize + self.chunk.start.min(body.len());
        u32::try_from(at).unwrap_or(0)
    }

    /// How many bytes the text at `chunkAt()` has (0: the chunk completed no investigation).
    #[wasm_bindgen(js_name = chunkLength)]
    pub fn chunk_length(&self) -> u32 {
        let body = self.listing.streamed_body();
        let range = self.chunk.start.min(body.len())..self.chunk.end.min(body.len());
        u32::try_from(range.len()).unwrap_or(0)
    }

    /// Reports the end of a body whose chunks went to `handleChunk`, with the response's status and headers.
    /// Returns what `handleChunk` returns, for the investigations that only the end completed (usually none),
    /// when the page was valid (it then counts as read); `undefined` when it was not (a retry is planned or the
    /// listing failed; what the chunks delivered stays delivered).
    #[wasm_bindgen(js_name = handleStreamEnd)]
    pub fn handle_stream_end(
        &mut self,
        now: f64,
        status: u16,
        retry_after: Option<String>,
        retry_after_ms: Option<String>,
    ) -> Option<Vec<u32>> {
        self.report_stream_end(now, status, retry_after.as_deref(), retry_after_ms.as_deref())
    }

    /// Reports that the last `send` step got no HTTP response.
    #[wasm_bindgen(js_name = handleTransportError)]
    #[cfg_attr(mde_size, optimize(size))]
    pub fn handle_transport_error(&mut self, now: f64, message: &str) {
        self.listing.handle_transport_error(millis(now), message);
    }

    /// Reports that the body of the response to the last `send` step is longer than `maxBodyBytes()` (the facade
    /// stopped reading it): the listing fails with `InvalidResponse`.
    #[wasm_bindgen(js_name = handleBodyTooLarge)]
    #[cfg_attr(mde_size, optimize(size))]
    pub fn handle_body_too_large(&mut self) {
        self.listing.handle_body_too_large();
    }

    /// The resume token right after the last investigation handed on: `consumed` of the last page delivered
    /// (all of it when `consumed` is its length or more; ignored once the next request was polled).
    #[wasm_bindgen(js_name = resumeToken)]
    #[cfg_attr(mde_size, optimize(size))]
    pub fn resume_token(&self, consumed: u32) -> String {
        self.listing.resume_token_after(consumed as usize)
    }

    /// `{pages, items, requests}` as JSON.
    #[cfg_attr(mde_size, optimize(size))]
    pub fn progress(&self) -> String {
        let p = self.listing.progress();
        ObjectWriter::new().num("pages", p.pages).num("items", p.items).num("requests", p.requests).finish()
    }

    /// The filter sent (the user's and the snapshot bound), as OData text.
    #[wasm_bindgen(js_name = effectiveFilter)]
    #[cfg_attr(mde_size, optimize(size))]
    pub fn effective_filter(&self) -> Option<String> {
        self.listing.effective_filter().map(|f| f.to_odata())
    }
}

/// One `GET /api/investigations/{id}` being pumped by JavaScript.
#[wasm_bindgen]
pub struct GetHandle {
    op: GetInvestigation,
    limiter: SharedLimiter,
}

impl GetHandle {
    /// The next step; `done` means the last reported body is the investigation (validated).
    #[cfg_attr(mde_size, optimize(size))]
    pub fn next_step(&mut self, now: f64) -> Step {
        let Ok(mut limiter) = self.limiter.try_borrow_mut() else {
            return Step::Fail { error: ErrorInfo::config(BUSY) };
        };
        match self.op.poll_unfinished(millis(now), &mut limiter) {
            Some(GetAction::Send(r)) => Step::send(r),
            Some(GetAction::Wait { duration, cause }) => Step::wait(duration, cause),
            Some(GetAction::Fail(e)) => ended(Some(&e)),
            Some(GetAction::Done(_) | GetAction::Valid) | None => ended(self.op.failure()),
            // An action of a newer mde-core that this driver does not know.
            Some(_) => Step::Fail { error: ErrorInfo::config("internal: unexpected action") },
        }
    }
}

#[wasm_bindgen]
impl GetHandle {
    /// The next step as JSON.
    #[cfg_attr(mde_size, optimize(size))]
    pub fn poll(&mut self, now: f64) -> String {
        self.next_step(now).to_json()
    }

    /// Reports the HTTP response to the last `send` step.
    #[wasm_bindgen(js_name = handleResponse)]
    #[cfg_attr(mde_size, optimize(size))]
    pub fn handle_response(
        &mut self,
        now: f64,
        status: u16,
        retry_after: Option<String>,
        retry_after_ms: Option<String>,
        body: &[u8],
    ) {
        let response =
            Response { status, retry_after: retry_after.as_deref(), retry_after_ms: retry_after_ms.as_deref(), body };
        if let Ok(mut limiter) = self.limiter.try_borrow_mut() {
            self.op.handle_response_validated(millis(now), &mut limiter, &response);
        }
    }

    /// Reports that the last `send` step got no HTTP response.
    #[wasm_bindgen(js_name = handleTransportError)]
    #[cfg_attr(mde_size, optimize(size))]
    pub fn handle_transport_error(&mut self, now: f64, message: &str) {
        self.op.handle_transport_error(millis(now), message);
    }

    /// Reports that the body of the response to the last `send` step is longer than `maxBodyBytes()`.
    #[wasm_bindgen(js_name = handleBodyTooLarge)]
    #[cfg_attr(mde_size, optimize(size))]
    pub fn handle_body_too_large(&mut self) {
        self.op.handle_body_too_large();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: f64 = 1_750_000_000_000.0;

    fn client() -> Client {
        Client::build(r#"{"baseUrl":"http://127.0.0.1:9","allowInsecureLoopback":true}"#).unwrap()
    }

    #[test]
    fn pumps_a_listing_and_shares_the_limiter() {
        let c = client();
        let mut l = c.start_listing(NOW, r#"{"filter":{"object":{"state":"Running"}},"pageSize":2}"#).unwrap();
        let step: serde_json::Value = serde_json::from_str(&l.poll(NOW)).unwrap();
        assert_eq!(step["t"], "send");
        assert_eq!(step["url"], "http://127.0.0.1:9/api/investigations?$filter=state%20eq%20%27Running%27&$top=2");
        let body = br#"{"value":[{"id":"1","state":"Running"},{"id":"1","state":"Running"}]}"#;
        assert_eq!(l.report_chunk(body), Some(vec![0, 0, 0]));
        assert_eq!(l.report_stream_end(NOW, 200, None, None), Some(vec![0, 1]));
        assert_eq!(l.progress(), r#"{"pages":1,"items":1,"requests":1}"#);
        let state: serde_json::Value = serde_json::from_str(&c.limiter_json(NOW).unwrap()).unwrap();
        assert_eq!(state["windows"][0]["used"], 1);
        assert_eq!(state["windows"][0]["limit"], 100);
        assert_eq!(state["windows"][0]["windowMs"], 60_000);
    }

    #[test]
    fn the_resume_token_counts_the_investigations_handed_out() {
        let c = client();
        let mut l = c.start_listing(NOW, r#"{"pageSize":3}"#).unwrap();
        assert!(matches!(l.next_step(NOW), Step::Send { .. }));
        let body = br#"{"value":[{"id":"9"},{"id":"8"},{"id":"7"}]}"#;
        // The first 30 bytes hold the first investigation whole, and half of the second.
        assert_eq!(l.report_chunk(&body[..30]), Some(vec![0, 0, 0]));
        assert_eq!(l.report_chunk(&body[30..]), Some(vec![1, 1, 0, 1]));
        assert_eq!(l.report_stream_end(NOW, 200, None, None), Some(vec![0, 3]));
        let pos = |consumed| {
            let token = l.resume_token(consumed);
            let json: serde_json::Value = serde_json::from_str(token.strip_prefix("mdeR1.").unwrap()).unwrap();
            (json["pos"].as_u64(), json["ids"].as_array().map(Vec::len))
        };
        assert_eq!(pos(0), (Some(0), Some(0)));
        assert_eq!(pos(2), (Some(2), Some(2)));
        assert_eq!(pos(3), (Some(3), Some(3)));
        assert_eq!(pos(u32::MAX), (Some(3), Some(3)));
    }

    #[test]
    fn get_validates_and_reports_errors() {
        let c = client();
        assert_eq!(c.start_get("", 0.0).err().map(|e| e.kind), Some("InvalidConfig"));
        let mut g = c.start_get("42", 0.0).unwrap();
        assert!(matches!(g.next_step(NOW), Step::Send { .. }));
        let body = br#"{"error":{"code":"ResourceNotFound","message":"no","target":"t1"}}"#;
        g.op.handle_response(
            1,
            &mut c.limiter.borrow_mut(),
            &Response { status: 404, retry_after: None, retry_after_ms: None, body },
        );
        match g.next_step(NOW) {
            Step::Fail { error } => {
                assert_eq!(
                    (error.kind, error.status, error.code.as_deref()),
                    ("NotFound", Some(404), Some("ResourceNotFound"))
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn exact_ids_are_the_digits_as_sent() {
        let page = br#"{"value":[{"id":12345678901234567890},{"i\u0064":"a\"b"},{"id":-9223372036854775808}]}"#;
        assert_eq!(exact_ids_json(page, false), r#"["12345678901234567890",null,"-9223372036854775808"]"#);
        assert_eq!(exact_ids_json(br#"{"id":9007199254740993}"#, true), r#"["9007199254740993"]"#);
        assert_eq!(exact_ids_json(br#"{"id":"9"}"#, true), "[null]");
        assert_eq!(exact_ids_json(b"{", true), "[]");
        assert_eq!(exact_ids_json(b"{", false), "[]");
        assert_eq!(max_body_bytes() as usize, mde_core::decode::MAX_BODY_BYTES);
    }

    #[test]
    fn validates_both_filter_forms() {
        assert_eq!(normalise_filter(r#"{"text":"state  eq 'Running'"}"#).unwrap(), "state eq 'Running'");
        assert_eq!(normalise_filter(r#"{"object":{"state":"Running"}}"#).unwrap(), "state eq 'Running'");
        assert_eq!(normalise_filter(r#"{"text":""}"#).unwrap_err().position, Some(0));
    }
}

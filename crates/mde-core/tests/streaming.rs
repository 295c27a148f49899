//! Listings whose bodies are read as they arrive (`Listing::handle_body_chunk`, `Listing::handle_streamed_end`):
//! whatever the chunks, transfers that break off, pages that prove invalid after some of their items were
//! delivered, and a user who stops inside a page and resumes from the token, every investigation of the data set
//! is delivered exactly once and in order. The oracle is the data set itself (the fake service below pages it with
//! `$skip` and `$top`, as the real one does).

use proptest::prelude::*;

use mde_core::{Action, BaseUrl, ListQuery, Listing, ListingOptions, RateLimitConfig, RateLimiter, RetryPolicy};

const NOW: u64 = 1_750_000_000_000;

fn base() -> BaseUrl {
    BaseUrl::parse("https://api.security.microsoft.com").unwrap()
}

/// What the fake service does with one request.
#[derive(Debug, Clone)]
enum Fault {
    /// Answers the page.
    None,
    /// Sends this many bytes of the page (modulo its length), then the connection breaks.
    BreakAfter(usize),
    /// Sends the page with its item at this position (modulo its length) made invalid.
    BadItem(usize),
    /// Answers 503.
    Unavailable,
}

fn fault() -> impl Strategy<Value = Fault> {
    prop_oneof![
        6 => Just(Fault::None),
        2 => any::<usize>().prop_map(Fault::BreakAfter),
        1 => any::<usize>().prop_map(Fault::BadItem),
        1 => Just(Fault::Unavailable),
    ]
}

/// `$skip` and `$top` of a list URL.
fn skip_top(url: &str) -> (usize, usize) {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    let mut skip_top = (0, usize::MAX);
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("$skip", v)) => skip_top.0 = v.parse().unwrap(),
            Some(("$top", v)) => skip_top.1 = v.parse().unwrap(),
            _ => {}
        }
    }
    skip_top
}

/// The page of `data` that `url` asks for, with item `bad` (if any) invalid.
fn page(data: &[u32], url: &str, bad: Option<usize>) -> Vec<u8> {
    let (skip, top) = skip_top(url);
    let slice = &data[skip.min(data.len())..(skip.saturating_add(top)).min(data.len())];
    let bad = bad.filter(|_| !slice.is_empty()).map(|b| b % slice.len());
    let items: Vec<String> = slice
        .iter()
        .enumerate()
        .map(|(k, id)| {
            let start = if Some(k) == bad { "\"soon\"" } else { "\"2025-01-01T00:00:00Z\"" };
            format!("{{\"id\":\"{id}\",\"startTime\":{start},\"state\":\"Running\",\"x\":[{k},{{\"y\":null}}]}}")
        })
        .collect();
    format!("{{\"@odata.context\":\"c\",\"value\":[{}]}}", items.join(",\n ")).into_bytes()
}

/// Offsets at which to cut a body of `len` bytes into chunks.
fn cut_points(cuts: &[usize], len: usize) -> Vec<usize> {
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (len + 1)).collect();
    points.push(len);
    points.sort_unstable();
    points
}

/// The whole run: listings (the first, then one resumed from each stop's token), the ids handed out in order.
struct Run<'a> {
    data: &'a [u32],
    faults: std::iter::Cycle<std::slice::Iter<'a, Fault>>,
    cuts: &'a [usize],
    /// After how many ids handed out in all the user stops and resumes (each at most once).
    stops: Vec<usize>,
    got: Vec<String>,
    limiter: RateLimiter,
    now: u64,
}

impl Run<'_> {
    /// Pumps `listing` until it ends or the user stops; returns the token to resume from, if the user stopped.
    fn pump(&mut self, listing: &mut Listing) -> Result<Option<String>, String> {
        for _ in 0..500 {
            let url = match listing.poll(self.now, &mut self.limiter) {
                Action::Send(r) => r.url,
                Action::Wait { duration, .. } => {
                    self.now += duration.as_millis() as u64;
                    continue;
                }
                Action::Done => return Ok(None),
                Action::Fail(e) => return Err(e.to_string()),
                other => panic!("unexpected {other:?}"),
            };
            let fault = self.faults.next().unwrap().clone();
            if let Fault::Unavailable = fault {
                let response =
                    mde_core::exchange::Response { status: 503, retry_after: None, retry_after_ms: None, body: b"{}" };
                listing.handle_unsuccessful_response(self.now, &mut self.limiter, &response);
                continue;
            }
            let bad = if let Fault::BadItem(b) = fault { Some(b) } else { None };
            let body = page(self.data, &url, bad);
            let end = match fault {
                Fault::BreakAfter(n) => n % (body.len() + 1),
                _ => body.len(),
            };
            let mut from = 0;
            for cut in cut_points(self.cuts, end) {
                let got = listing.handle_body_chunk(&body[from..cut]).expect("within the bound");
                from = cut;
                if let Some(token) = self.hand_out(listing, &got) {
                    return Ok(Some(token));
                }
            }
            if end < body.len() {
                listing.handle_transport_error(self.now, "connection reset");
                continue;
            }
            if let Some(got) = listing.handle_streamed_end(self.now, &mut self.limiter, 200, None, None) {
                if let Some(token) = self.hand_out(listing, &got) {
                    return Ok(Some(token));
                }
            }
        }
        Err("no end after 500 steps".into())
    }

    /// Hands out the investigations of a chunk, one by one; the token when the user stops among them.
    fn hand_out(&mut self, listing: &Listing, got: &mde_core::StreamedItems) -> Option<String> {
        let text = &listing.streamed_body()[got.text.clone()];
        let items: serde_json::Value = serde_json::from_slice(&[b"[", text, b"]"].concat()).unwrap();
        for (j, &k) in got.keep.iter().enumerate() {
            if self.stops.first() == Some(&self.got.len()) {
                self.stops.remove(0);
                return Some(listing.resume_token_after(got.delivered_before + j));
            }
            self.got.push(items[k - got.first]["id"].as_str().unwrap().to_owned());
        }
        // A user who stops while the rest of the page is still arriving.
        if self.stops.first() == Some(&self.got.len()) {
            self.stops.remove(0);
            return Some(listing.resume_token_after(got.delivered_before + got.keep.len()));
        }
        None
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn streamed_listings_deliver_everything_once_in_order(
        len in 0usize..40,
        page_size in 1u32..12,
        faults in proptest::collection::vec(fault(), 1..6),
        cuts in proptest::collection::vec(any::<usize>(), 0..6),
        stops in proptest::collection::vec(0usize..40, 0..3),
    ) {
        let data: Vec<u32> = (0..len as u32).map(|i| 1000 + i * 7).collect();
        // Every round of faults lets one request through.
        let mut faults = faults;
        faults.push(Fault::None);
        let mut stops = stops;
        stops.sort_unstable();
        stops.dedup();
        let mut run = Run {
            data: &data,
            faults: faults.iter().cycle(),
            cuts: &cuts,
            stops,
            got: Vec::new(),
            limiter: RateLimiter::new(RateLimitConfig::default()),
            now: NOW,
        };
        let retry = RetryPolicy { max_attempts: 30, ..RetryPolicy::default() };
        let options = ListingOptions { page_size, retry: retry.clone(), ..ListingOptions::default() };
        let mut listing = Listing::new(base(), ListQuery::default(), options).unwrap();
        loop {
            match run.pump(&mut listing) {
                Ok(None) => break,
                Ok(Some(token)) => {
                    // The data set does not change: the token continues at the position of what was handed out.
                    let fields: serde_json::Value = serde_json::from_str(token.strip_prefix("mdeR1.").unwrap()).unwrap();
                    prop_assert_eq!(fields["pos"].as_u64(), Some(run.got.len() as u64), "{}", token);
                    let options = ListingOptions { retry: retry.clone(), ..ListingOptions::default() };
                    listing = Listing::resume(base(), &token, options).map_err(|e| TestCaseError::fail(e.to_string()))?;
                }
                Err(e) => prop_assert!(false, "the listing failed: {}", e),
            }
        }
        let expected: Vec<String> = data.iter().map(u32::to_string).collect();
        prop_assert_eq!(run.got, expected);
    }
}

/// A page that proves invalid after some of its items were delivered: the listing that gives up keeps them, and
/// its token continues right after the last one.
#[test]
fn a_page_that_fails_late_keeps_what_it_delivered_and_the_token_continues_after_it() {
    let data: Vec<u32> = (1..=6).collect();
    let retry = RetryPolicy { max_attempts: 1, ..RetryPolicy::default() };
    let options = ListingOptions { page_size: 6, retry, ..ListingOptions::default() };
    let mut listing = Listing::new(base(), ListQuery::default(), options).unwrap();
    let mut limiter = RateLimiter::new(RateLimitConfig::default());
    let Action::Send(request) = listing.poll(NOW, &mut limiter) else { panic!("no send") };
    let body = page(&data, &request.url, Some(4));
    let got = listing.handle_body_chunk(&body).unwrap();
    assert_eq!(got.keep, [0, 1, 2, 3]);
    assert_eq!(listing.handle_streamed_end(NOW, &mut limiter, 200, None, None), None);
    let Action::Fail(e) = listing.poll(NOW, &mut limiter) else { panic!("no failure") };
    assert!(e.to_string().contains("value[4].startTime"), "{e}");
    assert_eq!(listing.progress().items, 4);
    let mut resumed = Listing::resume(base(), &listing.resume_token(), ListingOptions::default()).unwrap();
    let Action::Send(request) = resumed.poll(NOW, &mut limiter) else { panic!("no send") };
    assert!(request.url.ends_with("$top=6&$skip=4"), "{}", request.url);
}

/// A 2xx reported as unsuccessful is a misuse: its body is a page, for the streaming methods.
#[test]
fn a_success_reported_as_unsuccessful_is_a_misuse() {
    let mut listing = Listing::new(base(), ListQuery::default(), ListingOptions::default()).unwrap();
    let mut limiter = RateLimiter::new(RateLimitConfig::default());
    assert!(matches!(listing.poll(NOW, &mut limiter), Action::Send(_)));
    let response = mde_core::exchange::Response { status: 200, retry_after: None, retry_after_ms: None, body: b"{}" };
    listing.handle_unsuccessful_response(NOW, &mut limiter, &response);
    let Action::Fail(e) = listing.poll(NOW, &mut limiter) else { panic!("no failure") };
    assert!(e.to_string().contains("handle_body_chunk"), "{e}");
}

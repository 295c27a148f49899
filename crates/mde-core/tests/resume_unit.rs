//! Item-exact resume tokens, one scripted exchange at a time: where a token taken at each moment continues, and
//! what it carries (read with serde_json, not with the crate's own reader).

use mde_core::exchange::Response;
use mde_core::listing::RESUME_BOUNDARY_IDS;
use mde_core::{Action, BaseUrl, ListQuery, Listing, ListingOptions, RateLimitConfig, RateLimiter};

const NOW: u64 = 1_750_000_000_000;

fn base() -> BaseUrl {
    BaseUrl::parse("https://api.security.microsoft.com").unwrap()
}

fn body(ids: &[u32]) -> Vec<u8> {
    let items: Vec<String> =
        ids.iter().map(|i| format!(r#"{{"id":"{i}","startTime":"2025-01-01T00:00:00Z","state":"Running"}}"#)).collect();
    format!(r#"{{"value":[{}]}}"#, items.join(",")).into_bytes()
}

struct Harness {
    listing: Listing,
    limiter: RateLimiter,
}

impl Harness {
    fn new(page_size: u32) -> Harness {
        let options = ListingOptions { page_size, ..ListingOptions::default() };
        Harness::of(Listing::new(base(), ListQuery::default(), options).unwrap())
    }

    fn of(listing: Listing) -> Harness {
        Harness { listing, limiter: RateLimiter::new(RateLimitConfig::default()) }
    }

    fn resumed(token: &str) -> Harness {
        Harness::of(Listing::resume(base(), token, ListingOptions::default()).unwrap())
    }

    /// The URL of the next request.
    fn send(&mut self) -> String {
        match self.listing.poll(NOW, &mut self.limiter) {
            Action::Send(r) => r.url,
            other => panic!("expected Send, got {other:?}"),
        }
    }

    /// Answers the request just sent with a page of `ids` (typed path: the page then waits in the machine).
    fn answer(&mut self, ids: &[u32]) {
        let body = body(ids);
        self.listing.handle_response(
            NOW,
            &mut self.limiter,
            &Response { status: 200, retry_after: None, retry_after_ms: None, body: &body },
        );
    }

    fn page(&mut self) -> Vec<String> {
        match self.listing.poll(NOW, &mut self.limiter) {
            Action::Page(items) => items.into_iter().map(|i| i.id).collect(),
            other => panic!("expected Page, got {other:?}"),
        }
    }

    /// Sends, answers with `ids` and returns the page delivered.
    fn fetch(&mut self, ids: &[u32]) -> Vec<String> {
        self.send();
        self.answer(ids);
        self.page()
    }
}

/// The token's JSON, read by serde_json.
fn fields(token: &str) -> serde_json::Value {
    serde_json::from_str(token.strip_prefix("mdeR1.").expect("the prefix")).expect("JSON")
}

fn ids_of(token: &str) -> Vec<String> {
    fields(token)["ids"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect()
}

#[test]
fn a_token_inside_a_page_continues_after_the_last_item_handed_on() {
    let mut h = Harness::new(4);
    assert_eq!(h.fetch(&[9, 8, 7, 6]), ["9", "8", "7", "6"]);
    assert_eq!(h.fetch(&[5, 4, 3, 2]), ["5", "4", "3", "2"]);
    for (consumed, skip, items, pages, ids) in [
        (0, 4, 4, 1, vec!["9", "8", "7", "6"]),
        (1, 5, 5, 2, vec!["9", "8", "7", "6", "5"]),
        (3, 7, 7, 2, vec!["9", "8", "7", "6", "5", "4", "3"]),
        (4, 8, 8, 2, vec!["9", "8", "7", "6", "5", "4", "3", "2"]),
        (usize::MAX, 8, 8, 2, vec!["9", "8", "7", "6", "5", "4", "3", "2"]),
    ] {
        let token = h.listing.resume_token_after(consumed);
        let f = fields(&token);
        assert_eq!(
            (f["pos"].as_u64(), f["items"].as_u64(), f["pages"].as_u64()),
            (Some(skip), Some(items), Some(pages))
        );
        assert_eq!(ids_of(&token), ids, "{consumed}");
        let mut resumed = Harness::resumed(&token);
        let url = resumed.send();
        assert!(url.ends_with(&format!("?$top=4&$skip={skip}")), "{consumed}: {url}");
    }
    assert_eq!(h.listing.resume_token(), h.listing.resume_token_after(4));
}

#[test]
fn items_the_page_did_not_deliver_count_up_to_the_cut() {
    // 8 comes twice: the page delivers 9, 8, 7 from positions 0, 1, 3.
    let mut h = Harness::new(4);
    assert_eq!(h.fetch(&[9, 8, 8, 7]), ["9", "8", "7"]);
    let token = h.listing.resume_token_after(2);
    assert_eq!(fields(&token)["pos"], 2);
    // The service still has 8 at position 2: it was handed out, and is skipped.
    let mut resumed = Harness::resumed(&token);
    assert!(resumed.send().ends_with("?$top=4&$skip=2"));
    resumed.answer(&[8, 7, 6, 5]);
    assert_eq!(resumed.page(), ["7", "6", "5"]);
    assert_eq!(resumed.listing.progress().items, 5);
}

#[test]
fn arrivals_between_the_token_and_the_resume_are_neither_repeated_nor_lose_anything() {
    let mut h = Harness::new(4);
    assert_eq!(h.fetch(&[9, 8, 7, 6]), ["9", "8", "7", "6"]);
    assert_eq!(h.fetch(&[5, 4, 3, 2]), ["5", "4", "3", "2"]);
    let token = h.listing.resume_token_after(2);
    // Two investigations arrived at the top: what was at position 6 (3) is now at 8, and 5, 4 moved to 6 and 7.
    let mut resumed = Harness::resumed(&token);
    assert!(resumed.send().ends_with("?$top=4&$skip=6"));
    resumed.answer(&[5, 4, 3, 2]);
    assert_eq!(resumed.page(), ["3", "2"]);
}

#[test]
fn a_page_not_yet_handed_out_is_not_in_the_token() {
    let mut h = Harness::new(3);
    assert_eq!(h.fetch(&[9, 8, 7]), ["9", "8", "7"]);
    h.send();
    h.answer(&[6, 5, 4]);
    // The page waits in the machine: whatever the driver says it consumed, the token is before it.
    for consumed in [0, 2, usize::MAX] {
        let f = fields(&h.listing.resume_token_after(consumed));
        assert_eq!((f["pos"].as_u64(), f["items"].as_u64(), f["pages"].as_u64()), (Some(3), Some(3), Some(1)));
    }
    assert_eq!(h.page(), ["6", "5", "4"]);
    assert_eq!(fields(&h.listing.resume_token_after(1))["pos"], 4);
    assert_eq!(fields(&h.listing.resume_token())["pos"], 6);
}

#[test]
fn polling_for_the_next_page_hands_the_last_one_on_in_full() {
    let mut h = Harness::new(3);
    assert_eq!(h.fetch(&[9, 8, 7]), ["9", "8", "7"]);
    assert_eq!(fields(&h.listing.resume_token_after(1))["pos"], 1);
    h.send();
    assert_eq!(fields(&h.listing.resume_token_after(1))["pos"], 3);
    // A failed request leaves the token after the last page.
    h.listing.handle_transport_error(NOW, "reset");
    let f = fields(&h.listing.resume_token_after(0));
    assert_eq!((f["pos"].as_u64(), f["items"].as_u64()), (Some(3), Some(3)));
}

#[test]
fn a_listing_that_ended_after_a_page_still_cuts_inside_it() {
    let mut h = Harness::new(5);
    assert_eq!(h.fetch(&[9, 8, 7]), ["9", "8", "7"]);
    assert_eq!(h.listing.poll(NOW, &mut h.limiter), Action::Done);
    let token = h.listing.resume_token_after(2);
    assert_eq!(fields(&token)["pos"], 2);
    let mut resumed = Harness::resumed(&token);
    resumed.send();
    resumed.answer(&[7]);
    assert_eq!(resumed.page(), ["7"]);
    assert_eq!(resumed.listing.poll(NOW, &mut resumed.limiter), Action::Done);
}

#[test]
fn a_total_limit_counts_from_the_cut() {
    let query = ListQuery { top: Some(mde_core::query::Top::new(5).unwrap()), ..ListQuery::default() };
    let options = ListingOptions { page_size: 4, ..ListingOptions::default() };
    let mut h = Harness::of(Listing::new(base(), query, options).unwrap());
    assert_eq!(h.fetch(&[9, 8, 7, 6]), ["9", "8", "7", "6"]);
    let mut resumed = Harness::resumed(&h.listing.resume_token_after(3));
    assert!(resumed.send().ends_with("?$top=2&$skip=3"), "5 - 3 = 2 still wanted");
    resumed.answer(&[6, 5]);
    assert_eq!(resumed.page(), ["6", "5"]);
    assert_eq!(resumed.listing.poll(NOW, &mut resumed.limiter), Action::Done);
}

#[test]
fn the_token_carries_the_last_ids_handed_out_across_pages_and_no_more() {
    let mut h = Harness::new(700);
    let first: Vec<u32> = (0..700).map(|i| 10_000 - i).collect();
    let second: Vec<u32> = (700..1400).map(|i| 10_000 - i).collect();
    h.fetch(&first);
    h.fetch(&second);
    let expect = |upto: usize| -> Vec<String> {
        let all: Vec<String> = first.iter().chain(&second).map(u32::to_string).collect();
        all[upto.saturating_sub(RESUME_BOUNDARY_IDS)..upto].to_vec()
    };
    assert_eq!(ids_of(&h.listing.resume_token_after(100)), expect(800));
    assert_eq!(ids_of(&h.listing.resume_token_after(0)), expect(700));
    assert_eq!(ids_of(&h.listing.resume_token()), expect(1400));
    // A resumed listing starts its ids with the token's, and goes on from there.
    let mut resumed = Harness::resumed(&h.listing.resume_token_after(100));
    resumed.send();
    resumed.answer(&second[100..200]);
    assert_eq!(resumed.page().len(), 100);
    assert_eq!(ids_of(&resumed.listing.resume_token()), expect(900));
}

#[test]
fn tokens_of_the_previous_format_still_resume() {
    // Written before tokens were exact to the item: after two pages of 2, the last page's ids.
    let old = r#"mdeR1.{"filter":"state eq 'Running'","skip":0,"max":null,"page":2,"pos":4,"items":4,"pages":2,"snap":null,"ids":["7","6"]}"#;
    let mut resumed = Harness::resumed(old);
    let url = resumed.send();
    assert!(url.ends_with("&$top=2&$skip=4"), "{url}");
    resumed.answer(&[6, 5]);
    assert_eq!(resumed.page(), ["5"]);
}

//! The outline path (`decode::outline_page`, `Listing::handle_response_indexed`), which lets a driver build the
//! items itself, against the typed path (`decode_page`, `Listing::handle_response`) as the oracle: same
//! acceptance, same ids and start times, same delivered items, counters and resume tokens. And the streamed
//! walk (`decode::PageStream`, `Listing::handle_body_chunk`), cut into chunks anywhere, against the same oracle.

use proptest::prelude::*;

use mde_core::decode::{decode_page, outline_page, PageStream};
use mde_core::exchange::Response;
use mde_core::query::{ListQuery, Top};
use mde_core::{Action, BaseUrl, Listing, ListingOptions, RateLimitConfig, RateLimiter, RetryPolicy, Timestamp};

/// A JSON value for one property: valid ones and the mistakes a broken service or proxy could make.
fn field_value() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        4 => Just(None),
        2 => Just(Some("null".to_owned())),
        4 => Just(Some(r#""2025-01-02T03:04:05.1234567Z""#.to_owned())),
        1 => Just(Some(r#""2025-02-30T00:00:00Z""#.to_owned())),
        1 => Just(Some(r#""2025-01-02T03:04:05+02:00""#.to_owned())),
        2 => Just(Some(r#""Running""#.to_owned())),
        1 => Just(Some(r#""a\"b\\c\u0041""#.to_owned())),
        1 => Just(Some("17".to_owned())),
        1 => Just(Some("-3".to_owned())),
        1 => Just(Some("1.5".to_owned())),
        1 => Just(Some("true".to_owned())),
        1 => Just(Some("[]".to_owned())),
        1 => Just(Some(r#"{"a":[1,{"b":null}]}"#.to_owned())),
    ]
}

const FIELDS: [&str; 10] = [
    "id",
    "startTime",
    "endTime",
    "state",
    "cancelledBy",
    "statusDetails",
    "machineId",
    "computerDnsName",
    "triggeringAlertId",
    "somethingNew",
];

fn item() -> impl Strategy<Value = String> {
    (
        prop_oneof![
            6 => (0u32..50).prop_map(|i| format!(r#""{i}""#)),
            1 => (0u32..50).prop_map(|i| i.to_string()),
            1 => Just(r#""\u0031\u0032""#.to_owned()),
            1 => field_value().prop_map(|v| v.unwrap_or_default()),
        ],
        proptest::collection::vec(field_value(), FIELDS.len() - 1),
        any::<bool>(),
    )
        .prop_map(|(id, rest, duplicate_state)| {
            let mut parts = Vec::new();
            if !id.is_empty() {
                parts.push(format!(r#""id":{id}"#));
            }
            for (name, value) in FIELDS[1..].iter().zip(rest) {
                if let Some(v) = value {
                    parts.push(format!(r#""{name}":{v}"#));
                }
            }
            if duplicate_state {
                parts.push(r#""state":"Queued""#.to_owned());
            }
            format!("{{{}}}", parts.join(", "))
        })
}

fn page_body() -> impl Strategy<Value = Vec<u8>> {
    (
        proptest::collection::vec(item(), 0..6),
        prop_oneof![
            Just(""),
            Just(r#","@odata.nextLink":"https://x/api/investigations?$skip=5""#),
            Just(r#","@odata.nextLink":7"#)
        ],
        prop_oneof![
            Just(r#""@odata.context":"c","#),
            Just(""),
            Just(r#""@odata.context":null,"#),
            Just(r#""@odata.context":1,"#)
        ],
        prop_oneof![5 => Just(None), 1 => (0usize..400).prop_map(Some)],
        prop_oneof![5 => Just(None), 1 => (0usize..400, any::<u8>()).prop_map(Some)],
    )
        .prop_map(|(items, link, context, cut, flip)| {
            let mut body = format!(r#"{{{context}"value":[{}]{link}}}"#, items.join(",")).into_bytes();
            if let Some((at, byte)) = flip {
                if !body.is_empty() {
                    let at = at % body.len();
                    body[at] = byte;
                }
            }
            if let Some(cut) = cut {
                body.truncate(cut.min(body.len()));
            }
            body
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 5_000, ..ProptestConfig::default() })]

    #[test]
    fn outline_accepts_exactly_what_decode_accepts(body in page_body()) {
        match (decode_page(&body), outline_page(&body)) {
            (Ok(page), Ok(outline)) => {
                let ids: Vec<&str> = page.value.iter().map(|i| i.id.as_str()).collect();
                let outline_ids: Vec<&str> = outline.ids.iter().map(|i| i.as_ref()).collect();
                prop_assert_eq!(ids, outline_ids);
                let times: Vec<Option<Timestamp>> = page.value.iter().map(|i| i.start_time).collect();
                prop_assert_eq!(times, outline.start_times);
                prop_assert_eq!(page.next_link, outline.next_link);
            }
            (Err(a), Err(b)) => {
                prop_assert_eq!(a, b);
            }
            (a, b) => prop_assert!(false, "decode_page: {:?}\noutline_page: {:?}", a.map(|_| ()), b.map(|_| ())),
        }
    }
}

/// A page that the typed decoder accepts: the items of [`item`] that are valid, unknown members around `value`.
fn valid_page_body() -> impl Strategy<Value = Vec<u8>> {
    (proptest::collection::vec(item(), 0..12), any::<bool>()).prop_map(|(items, around)| {
        let valid = |i: &String| decode_page(format!(r#"{{"value":[{i}]}}"#).as_bytes()).is_ok();
        let items: Vec<String> = items.into_iter().filter(valid).collect();
        let (before, after) =
            if around { (r#""n":-12.5e3, "x":[{"a":"]"}],"#, r#", "@odata.nextLink":null"#) } else { ("", "") };
        format!("{{{before}\"value\" : [ {} ]{after} }}\n", items.join(" ,\n")).into_bytes()
    })
}

/// What a [`PageStream`] handed out: (index, id, start time, the item's text) per item, and its end.
type Streamed = (Vec<(usize, String, Option<Timestamp>, Vec<u8>)>, Option<(usize, Option<String>)>);

/// Streams `body` in chunks cut at `cuts` (byte offsets, any order); stops after `upto` bytes without finishing
/// when given.
fn stream_in_chunks(body: &[u8], cuts: &[usize], upto: Option<usize>) -> Streamed {
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (body.len() + 1)).collect();
    cuts.push(body.len());
    cuts.sort_unstable();
    let mut stream = PageStream::new();
    let mut ranges = Vec::new();
    let mut from = 0;
    for cut in cuts {
        let to = upto.map_or(cut, |u| cut.min(u));
        assert!(stream.push(&body[from..to], |it| ranges.push((
            it.index,
            it.id.into_owned(),
            it.start_time,
            it.range
        ))));
        from = to;
    }
    let end = match upto {
        Some(_) => None,
        None => stream.finish(|it| ranges.push((it.index, it.id.into_owned(), it.start_time, it.range))),
    };
    let items = ranges.into_iter().map(|(i, id, t, range)| (i, id, t, stream.body()[range].to_vec())).collect();
    (items, end.map(|e| (e.items, e.next_link)))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3_000, ..ProptestConfig::default() })]

    /// Cut anywhere, the streamed walk hands out items in order (0, 1, 2, ...), each one a valid investigation by
    /// the typed decoder on its own text, with its id and start time; on a page the typed decoder accepts, it hands
    /// out every item and ends with the same `@odata.nextLink`; on one it refuses, it does not end.
    #[test]
    fn streamed_items_are_valid_and_the_page_ends_as_decode_says(
        body in page_body(),
        cuts in proptest::collection::vec(any::<usize>(), 0..8),
    ) {
        let (items, end) = stream_in_chunks(&body, &cuts, None);
        for (k, (index, id, start_time, text)) in items.iter().enumerate() {
            prop_assert_eq!(*index, k);
            let alone = [&b"{\"value\":["[..], text, b"]}"].concat();
            let page = decode_page(&alone);
            prop_assert!(page.is_ok(), "item {} handed out but invalid: {:?}", k, page);
            let page = page.unwrap();
            prop_assert_eq!(&page.value[0].id, id);
            prop_assert_eq!(page.value[0].start_time, *start_time);
        }
        match decode_page(&body) {
            Ok(page) => {
                let ids: Vec<&str> = page.value.iter().map(|i| i.id.as_str()).collect();
                let streamed: Vec<&str> = items.iter().map(|i| i.1.as_str()).collect();
                prop_assert_eq!(ids, streamed);
                prop_assert_eq!(end, Some((page.value.len(), page.next_link)));
            }
            Err(_) => prop_assert_eq!(end, None),
        }
    }

    /// On a valid page, what is handed out after any prefix, cut anywhere, is the first items of the page: none
    /// whose closing brace has not arrived, and every one whose closing brace is followed by as many bytes again as
    /// the longest unit of the walk (a unit the bytes could not complete is tried again once the body has grown by
    /// as many bytes as it had: linear time in all, see `PageStream`).
    #[test]
    fn a_prefix_hands_out_the_items_it_completes(
        body in valid_page_body(),
        cuts in proptest::collection::vec(any::<usize>(), 0..8),
        upto in any::<usize>(),
    ) {
        prop_assert!(decode_page(&body).is_ok());
        let (whole, _) = stream_in_chunks(&body, &[], None);
        let mut ranges = Vec::new();
        let mut stream = PageStream::new();
        prop_assert!(stream.push(&body, |it| ranges.push(it.range)));
        let longest = ranges.iter().map(|r| r.len()).max().unwrap_or(0).max(40) + 8;
        let upto = upto % (body.len() + 1);
        let (prefix, _) = stream_in_chunks(&body, &cuts, Some(upto));
        let arrived = ranges.iter().filter(|r| r.end <= upto).count();
        let settled = ranges.iter().filter(|r| r.end + 2 * longest <= upto).count();
        prop_assert!(settled <= prefix.len() && prefix.len() <= arrived, "{} <= {} <= {}", settled, prefix.len(), arrived);
        prop_assert_eq!(&prefix[..], &whole[..prefix.len()]);
        // In one chunk, every item that has arrived.
        let (at_once, _) = stream_in_chunks(&body, &[], Some(upto));
        prop_assert_eq!(at_once.len(), arrived);
    }
}

/// One scripted answer of the fake service.
#[derive(Debug, Clone)]
enum Answer {
    Page { ids: Vec<u32>, link: Option<&'static str>, start_day: u8 },
    Status(u16),
    Broken,
}

fn answer() -> impl Strategy<Value = Answer> {
    prop_oneof![
        6 => (
            proptest::collection::vec(0u32..30, 0..6),
            prop_oneof![
                4 => Just(None),
                1 => Just(Some("/api/investigations?$skip=1&$top=3")),
                1 => Just(Some("https://elsewhere.example/api/investigations")),
            ],
            1u8..28,
        )
            .prop_map(|(ids, link, start_day)| Answer::Page { ids, link, start_day }),
        1 => prop_oneof![Just(500u16), Just(429), Just(404), Just(401)].prop_map(Answer::Status),
        1 => Just(Answer::Broken),
    ]
}

fn render(answer: &Answer) -> (u16, Vec<u8>) {
    match answer {
        Answer::Page { ids, link, start_day } => {
            let items: Vec<String> = ids
                .iter()
                .enumerate()
                .map(|(k, id)| {
                    let day = (usize::from(*start_day) + k) % 28 + 1;
                    format!(r#"{{"id":"{id}","startTime":"2025-01-{day:02}T00:00:00Z","state":"Running"}}"#)
                })
                .collect();
            let link = link.map(|l| format!(r#","@odata.nextLink":"{l}""#)).unwrap_or_default();
            (200, format!(r#"{{"value":[{}]{link}}}"#, items.join(",")).into_bytes())
        }
        Answer::Status(s) => (*s, br#"{"error":{"code":"X","message":"m","target":"t"}}"#.to_vec()),
        Answer::Broken => (200, br#"{"value":[{"id":"1","startTime":"nope"}]}"#.to_vec()),
    }
}

/// Everything a driver can observe of a listing.
#[derive(Debug, PartialEq, Eq)]
enum Seen {
    Send(String, u32, bool),
    Wait(u128),
    Page(Vec<String>),
    Token(String),
    Done,
    Fail(String),
}

/// The tokens after a page: handed on in full, and cut after none and after one of its investigations.
fn tokens(listing: &Listing, seen: &mut Vec<Seen>) {
    seen.push(Seen::Token(listing.resume_token()));
    seen.push(Seen::Token(listing.resume_token_after(0)));
    seen.push(Seen::Token(listing.resume_token_after(1)));
}

/// How the driver reports responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Report<'a> {
    /// `handle_response`: the machine builds the items.
    Typed,
    /// `handle_response_indexed`: the driver builds them from the positions.
    Indexed,
    /// A 2xx body in chunks cut at these offsets (`handle_body_chunk`, `handle_streamed_end`), other answers whole.
    Streamed(&'a [usize]),
}

/// The ids at `positions` of `body`'s `value`, read with serde_json (the body may be a page that is not valid).
fn ids_at(body: &[u8], positions: &[usize]) -> Vec<String> {
    let page: serde_json::Value = serde_json::from_slice(body).unwrap();
    positions.iter().map(|&k| page["value"][k]["id"].as_str().unwrap().to_owned()).collect()
}

/// Reports `body` in chunks cut at `cuts`; the positions delivered.
fn stream_body(
    listing: &mut Listing,
    limiter: &mut RateLimiter,
    now: u64,
    status: u16,
    body: &[u8],
    cuts: &[usize],
) -> Vec<usize> {
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (body.len() + 1)).collect();
    cuts.push(body.len());
    cuts.sort_unstable();
    let mut keep = Vec::new();
    let mut from = 0;
    for cut in cuts {
        let got = listing.handle_body_chunk(&body[from..cut]).expect("a chunk within the bound");
        assert_eq!(got.delivered_before, keep.len());
        let text = &listing.streamed_body()[got.text.clone()];
        assert!(text.is_empty() || (text.starts_with(b"{") && text.ends_with(b"}")), "{got:?}");
        assert!(got.keep.iter().all(|k| (got.first..got.first + text.len()).contains(k)));
        keep.extend(got.keep);
        from = cut;
    }
    if let Some(got) = listing.handle_streamed_end(now, limiter, status, Some("1"), None) {
        keep.extend(got.keep);
    }
    keep
}

fn run(report: Report<'_>, options: &ListingOptions, query: &ListQuery, script: &[Answer]) -> Vec<Seen> {
    let base = BaseUrl::parse("https://api.security.microsoft.com").unwrap();
    let mut listing = Listing::new(base, query.clone(), options.clone()).unwrap();
    let mut limiter = RateLimiter::new(RateLimitConfig::default());
    let mut now = 1_750_000_000_000u64;
    let mut seen = Vec::new();
    let mut script = script.iter().cycle().take(40);
    for _ in 0..200 {
        match listing.poll(now, &mut limiter) {
            Action::Send(r) => {
                seen.push(Seen::Send(r.url, r.attempt, r.refresh_token));
                let Some(answer) = script.next() else { break };
                let (status, body) = render(answer);
                let response = Response { status, retry_after: Some("1"), retry_after_ms: None, body: &body };
                let keep = match report {
                    Report::Typed => {
                        listing.handle_response(now, &mut limiter, &response);
                        None
                    }
                    Report::Indexed => listing.handle_response_indexed(now, &mut limiter, &response),
                    Report::Streamed(cuts) if (200..300).contains(&status) => {
                        Some(stream_body(&mut listing, &mut limiter, now, status, &body, cuts))
                    }
                    Report::Streamed(_) => listing.handle_response_indexed(now, &mut limiter, &response),
                };
                if let Some(keep) = keep.filter(|k| !k.is_empty()) {
                    seen.push(Seen::Page(ids_at(&body, &keep)));
                    tokens(&listing, &mut seen);
                }
            }
            Action::Wait { duration, .. } => {
                seen.push(Seen::Wait(duration.as_millis()));
                now += duration.as_millis() as u64;
            }
            Action::Page(items) => {
                assert_eq!(report, Report::Typed, "only the typed path returns Action::Page");
                seen.push(Seen::Page(items.into_iter().map(|i| i.id).collect()));
                tokens(&listing, &mut seen);
            }
            Action::Done => {
                seen.push(Seen::Done);
                break;
            }
            Action::Fail(e) => {
                seen.push(Seen::Fail(e.to_string()));
                break;
            }
            other => panic!("an action this test does not know: {other:?}"),
        }
    }
    seen.push(Seen::Token(listing.resume_token()));
    seen.push(Seen::Token(format!("{:?}", listing.progress())));
    seen
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn indexed_listing_behaves_like_the_typed_one(
        script in proptest::collection::vec(answer(), 1..8),
        page_size in 1u32..6,
        top in proptest::option::of(1u32..12),
        snapshot_day in proptest::option::of(1i64..28),
        cuts in proptest::collection::vec(any::<usize>(), 0..6),
    ) {
        let snapshot_at = snapshot_day.and_then(|d| Timestamp::from_unix_millis(1_735_689_600_000 + d * 86_400_000));
        let retry = RetryPolicy { max_attempts: 3, ..RetryPolicy::default() };
        let options = ListingOptions { page_size, snapshot_at, retry, jitter_seed: 7 };
        let query = ListQuery { filter: None, top: top.map(|t| Top::new(t).unwrap()), skip: 0 };
        let typed = run(Report::Typed, &options, &query, &script);
        prop_assert_eq!(&typed, &run(Report::Indexed, &options, &query, &script));
        prop_assert_eq!(&typed, &run(Report::Streamed(&cuts), &options, &query, &script));
    }
}

#[test]
fn outline_borrows_plain_ids_and_reads_integer_and_escaped_ones() {
    let body = br#"{"value":[{"id":"7"},{"id":12},{"id":"\u0031"}],"@odata.nextLink":"/api/investigations?$skip=3"}"#;
    let outline = outline_page(body).unwrap();
    assert!(matches!(outline.ids[0], std::borrow::Cow::Borrowed("7")));
    assert_eq!(outline.ids[1], "12");
    assert_eq!(outline.ids[2], "1");
    assert_eq!(outline.start_times, vec![None, None, None]);
    assert_eq!(outline.next_link.as_deref(), Some("/api/investigations?$skip=3"));
}

//! Decoding what the service sends: list pages, single investigations and error bodies.
//!
//! Everything is read with the crate's one strict JSON reader (`reader.rs`; no `serde`): [`decode_page`] and
//! [`outline_page`] run the same page and item walks over it, the first keeping every member of every item and
//! the second only the ids and start times, so that both accept the same pages and report the same errors by
//! construction; [`decode_investigation`] runs the same item walk on a single entity; [`PageStream`] runs the
//! outline's walk on a body as it arrives, handing out each item once it is complete and valid.
//!
//! [`outline_page`] is the product's hot path (it validates every page the wasm module lists). It is `#[inline]`,
//! and the walk is generic over what it keeps (`Mode`), so that a driver crate compiles the outline's walk and the
//! reader's common case at its own optimisation level (the wasm build keeps mde-core at `opt-level = "z"` and
//! mde-wasm at 3, `xtask/src/package.rs`); the other walks call the reader's shared, small functions.
//!
//! # What a page must be
//!
//! - Syntax: strict JSON (RFC 8259) as [`Node::parse`] checks it, everywhere in the body, including in
//!   members that are ignored: UTF-8, escapes, no lone surrogates, no trailing commas, numbers by the grammar
//!   (of any size, as `JSON.parse` reads them), at most 127 nested arrays and objects, nothing after the document.
//! - A page is an object with a `value` array of investigation objects; `@odata.context` and `@odata.nextLink`
//!   are strings, `null` or absent. An investigation has an `id` (a string, or an integer that fits `u64` or
//!   `i64`, kept as its decimal text; `-0`, fractions and exponents are refused); `startTime` and `endTime` are
//!   RFC 3339 date-time strings, `null` or absent; `state` and the other five properties are strings, `null` or
//!   absent (an unknown state name is kept as [`InvestigationState::Other`], an absent or `null` one is
//!   [`InvestigationState::Unknown`]).
//! - Unknown members are ignored (after the syntax check), at every level; an unknown member may repeat.
//! - A known member given twice (in the page or in an item) is an error, as it was under `serde`'s derive.
//! - A single investigation follows the item rules, at the top level (its `@odata.context` is ignored).
//! - A body is at most [`MAX_BODY_BYTES`] long (32 MiB, ten times a page of 10,000 realistic investigations);
//!   a longer one is refused before it is read. Drivers stop reading a response there (see
//!   [`Listing::handle_body_too_large`](crate::listing::Listing::handle_body_too_large)).
//!
//! # Which error
//!
//! A syntax error anywhere wins (reported with line and column; a body that ends early says it may be
//! truncated). Otherwise the first problem in document order is reported, with where it is
//! (`value[3].startTime: expected a date-time string, found a number`); a missing member is found at the end of
//! its object.

pub(crate) mod node;
pub(crate) mod reader;
mod stream;

pub use node::{write_json_string, DuplicateKey, Node};
pub use reader::{JsonError, JsonErrorKind, MAX_DEPTH};
pub use stream::{PageStream, StreamedItem};

use reader::{Number, Reader, Str};

use std::borrow::Cow;

use crate::{Investigation, InvestigationState, Page, Timestamp};

/// The longest response body that is read: 32 MiB. A page of the service's largest size, 10,000 investigations,
/// takes about 3.2 MB (315 bytes an item in the mock's realistic data, `BENCHMARKS.md`), so this leaves
/// ten times that for longer names and details; a longer body is refused with [`body_too_large`] (every decoder
/// here checks it first), and a driver stops reading a response at this many bytes instead of holding it.
pub const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// Why [`body_too_large`]: a constant text, with [`MAX_BODY_BYTES`] written out (a test checks it), so that no
/// formatting code is linked for it.
const TOO_LARGE_REASON: &str = "the body is longer than 33554432 bytes (32 MiB), the most a response may have";

/// The error for a body longer than [`MAX_BODY_BYTES`] (the driver read no further than that).
#[cold]
#[inline(never)]
pub fn body_too_large() -> DecodeError {
    DecodeError { index: None, field: None, location: "the document".into(), reason: TOO_LARGE_REASON.into() }
}

/// [`body_too_large`] when `body` is longer than [`MAX_BODY_BYTES`].
#[inline(always)]
fn check_length(body: &[u8]) -> Result<(), DecodeError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(body_too_large());
    }
    Ok(())
}

/// Where and why a response body could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid response body at {location}: {reason}")]
pub struct DecodeError {
    /// Index of the item in `value`, when the problem is inside one.
    pub index: Option<usize>,
    /// The property that is wrong, when known (`startTime`, `value`, ...).
    pub field: Option<String>,
    /// A readable location: `value[3].startTime`, `line 1 column 80`, `the document`.
    pub location: String,
    /// What was wrong.
    pub reason: String,
}

/// The service's error body: `{"error": {"code": "...", "message": "...", "target": "..."}}`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ServiceError {
    /// Machine-readable code, such as `BadRequest`, `Unauthorized`, `TooManyRequests`.
    pub code: Option<String>,
    /// Human-readable message.
    pub message: Option<String>,
    /// Correlation id of the failed call (not always a GUID).
    pub target: Option<String>,
}

/// Why a walk stopped: the text is not JSON, or it is but not the expected shape.
enum Fail {
    Syntax(JsonError),
    Shape(DecodeError),
}

impl From<JsonError> for Fail {
    fn from(e: JsonError) -> Fail {
        Fail::Syntax(e)
    }
}

/// The error of a walk over `body`: a syntax error anywhere in the body wins over a shape problem.
fn finish<T>(body: &[u8], walked: Result<T, Fail>) -> Result<T, DecodeError> {
    walked.map_err(|fail| match fail {
        Fail::Syntax(e) => syntax_error(&e),
        Fail::Shape(shape) => match reader::validate(body) {
            Err(e) => syntax_error(&e),
            Ok(()) => shape,
        },
    })
}

#[cold]
#[inline(never)]
fn syntax_error(e: &JsonError) -> DecodeError {
    let reason = if e.is_eof() { format!("the body ends early (truncated?): {e}") } else { format!("not JSON: {e}") };
    DecodeError { index: None, field: None, location: format!("line {} column {}", e.line, e.column), reason }
}

/// A problem with a member of the page itself.
#[cold]
#[inline(never)]
fn page_problem(field: &str, reason: &str) -> Fail {
    Fail::Shape(DecodeError { index: None, field: Some(field.into()), location: field.into(), reason: reason.into() })
}

/// A problem with item `index` of `value` (`None`: the single entity), or with its member `field`.
#[cold]
#[inline(never)]
fn item_problem(index: Option<usize>, field: Option<&str>, reason: String) -> Fail {
    // `value[3].startTime`, `value[3]`, `startTime` or `the document`.
    let mut location = index.map_or_else(String::new, |i| format!("value[{i}]"));
    match field {
        Some(f) => {
            if index.is_some() {
                location.push('.');
            }
            location.push_str(f);
        }
        None if index.is_none() => location.push_str("the document"),
        None => {}
    }
    Fail::Shape(DecodeError { index, field: field.map(str::to_owned), location, reason })
}

/// What kind of value is next, for messages (a syntax error when no value starts there).
#[cold]
#[inline(never)]
fn kind_next(r: &mut Reader<'_>) -> Result<&'static str, JsonError> {
    Ok(match r.peek()? {
        b'{' => "an object",
        b'[' => "an array",
        b'"' => "a string",
        b't' | b'f' => "a boolean",
        b'n' => "null",
        b'-' | b'0'..=b'9' => "a number",
        _ => return Err(r.error(JsonErrorKind::ExpectedValue)),
    })
}

/// `{expected}, found {what is next}` for property `FIELDS[f]` of item `index` (a syntax error when no value is
/// next).
#[cold]
#[inline(never)]
fn wrong_kind(r: &mut Reader<'_>, index: Option<usize>, f: usize, expected: &str) -> Fail {
    match kind_next(r) {
        Err(e) => Fail::Syntax(e),
        Ok(found) => item_problem(index, Some(FIELDS[f]), format!("{expected}, found {found}")),
    }
}

/// Checks that the value that is next opens with `open` (`{` or `[`), without consuming it; otherwise the error is
/// a syntax error when no value is next, else `problem`.
#[inline(always)]
fn expect_open(r: &mut Reader<'_>, open: u8, problem: impl FnOnce() -> Fail) -> Result<(), Fail> {
    if r.peek()? != open {
        kind_next(r)?;
        return Err(problem());
    }
    Ok(())
}

/// Decodes a list page (`{"@odata.context": ..., "value": [...], "@odata.nextLink": ...}`); see the
/// [module](self) for what it accepts.
pub fn decode_page(body: &[u8]) -> Result<Page, DecodeError> {
    check_length(body)?;
    let mut value = Vec::new();
    let walked = page(&mut Reader::new(body), &mut |r| {
        items(r, |item: Item<'_, Texts<'_>>| value.push(item.into_investigation()))
    });
    let (context, next_link) = finish(body, walked)?;
    Ok(Page { context: context.map(Cow::into_owned), value, next_link: next_link.map(Cow::into_owned) })
}

/// The `@odata.context` and `@odata.nextLink` of a page.
type Head<'a> = (Option<Cow<'a, str>>, Option<Cow<'a, str>>);

/// The page's own members: the two of [`Head`], in its order, then `value`.
const PAGE_MEMBERS: [&str; 3] = ["@odata.context", "@odata.nextLink", "value"];

/// The position in [`PAGE_MEMBERS`] of the member that `key` names, if any.
fn page_member(key: &[u8]) -> Option<usize> {
    PAGE_MEMBERS.iter().position(|m| m.as_bytes() == key)
}

/// Walks a whole page, letting `value` read the `value` array; returns the page's own members. One function for
/// both walks (the array's items are the hot part, see [`items`]; this runs once a page, so it is built for size).
fn page<'a>(r: &mut Reader<'a>, value: &mut dyn FnMut(&mut Reader<'a>) -> Result<(), Fail>) -> Result<Head<'a>, Fail> {
    expect_open(r, b'{', || page_problem("the document", "expected a JSON object with a `value` array"))?;
    let mut head: [Option<Option<Cow<'a, str>>>; 2] = [None, None];
    let mut seen_value = false;
    let mut key = r.begin_object()?;
    while let Some(k) = key {
        match page_member(k.bytes()) {
            Some(m @ (0 | 1)) => head_member(r, m, &mut head[m])?,
            Some(_) => {
                if seen_value {
                    return Err(page_problem("value", "given twice"));
                }
                seen_value = true;
                value(r)?;
            }
            _ => r.skip_value()?,
        }
        key = r.next_key()?;
    }
    r.end()?;
    if !seen_value {
        return Err(page_problem("value", "missing: a page has a `value` array"));
    }
    let [context, next_link] = head;
    Ok((context.flatten(), next_link.flatten()))
}

/// Reads the value of the page's member `PAGE_MEMBERS[m]` (`@odata.context` or `@odata.nextLink`) into `slot`:
/// a string or `null`, given once.
fn head_member<'a>(r: &mut Reader<'a>, m: usize, slot: &mut Option<Option<Cow<'a, str>>>) -> Result<(), Fail> {
    let name = PAGE_MEMBERS[m];
    if slot.is_some() {
        return Err(page_problem(name, "given twice"));
    }
    *slot = Some(match r.peek()? {
        b'"' => Some(r.string()?),
        _ if r.null()? => None,
        _ => return Err(page_problem(name, "expected a string")),
    });
    Ok(())
}

/// Walks the `value` array, handing each item to `each` in order. Not inlined into its caller: the wasm module's
/// hot loop is faster as a function of its own.
#[inline(never)]
#[cfg_attr(mde_size, optimize(speed))]
fn items<'a, T: Mode<'a>>(r: &mut Reader<'a>, mut each: impl FnMut(Item<'a, T>)) -> Result<(), Fail> {
    expect_open(r, b'[', || page_problem("value", "expected an array"))?;
    let mut more = r.begin_array()?;
    let mut index = 0;
    while more {
        each(item(r, Some(index))?);
        index += 1;
        more = r.next_element()?;
    }
    Ok(())
}

/// The nine properties of an investigation, in the order of [`Investigation`]'s fields.
const FIELDS: [&str; 9] = [
    "id",
    "startTime",
    "endTime",
    "state",
    "cancelledBy",
    "statusDetails",
    "machineId",
    "computerDnsName",
    "triggeringAlertId",
];

/// The position of `key` in [`FIELDS`]: [`field_inline`], shared by the walks that are not the hot path (a
/// small loop at mde-core's size optimisation).
#[inline(never)]
fn field(key: &[u8]) -> Option<usize> {
    field_inline(key)
}

/// The position of `key` in [`FIELDS`], for the hot path: compared byte by byte in place (no `memcmp` call),
/// which the driver's optimisation unrolls against the constant names.
#[inline(always)]
fn field_inline(key: &[u8]) -> Option<usize> {
    FIELDS.iter().position(|f| same(f.as_bytes(), key))
}

/// `a == b`, byte by byte in place.
#[inline(always)]
fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// An investigation as read, its strings borrowed from the body unless they hold escapes; `texts` holds the six
/// string properties or nothing (see [`Mode`]).
struct Item<'a, T> {
    id: Cow<'a, str>,
    start_time: Option<Timestamp>,
    end_time: Option<Timestamp>,
    texts: T,
}

/// `state` and the five other string properties, in the order of [`FIELDS`].
type Texts<'a> = [Option<Cow<'a, str>>; 6];

/// The two ways of walking a page, which read and check the same things: keep every property of every item
/// ([`Texts`], to build [`Investigation`]s), or only the id and start time (`()`, for an outline). The outline is
/// the hot path: it reads with the reader's inlined common case ([`Mode::INLINE`]), where the other walk calls the
/// reader's shared functions (smaller code, in the wasm module too).
trait Mode<'a>: Default {
    /// Whether the walk uses the `#[inline(always)]` forms of the reader's functions and of [`field`].
    const INLINE: bool;
    /// Reads the string that is next, as property `FIELDS[f]` (one of the six string properties).
    fn text(&mut self, r: &mut Reader<'a>, f: usize) -> Result<(), JsonError>;
}

impl<'a> Mode<'a> for Texts<'a> {
    const INLINE: bool = false;

    fn text(&mut self, r: &mut Reader<'a>, f: usize) -> Result<(), JsonError> {
        self[f - 3] = Some(r.string()?);
        Ok(())
    }
}

impl<'a> Mode<'a> for () {
    const INLINE: bool = true;

    #[inline(always)]
    fn text(&mut self, r: &mut Reader<'a>, _: usize) -> Result<(), JsonError> {
        r.skip_string_inline()
    }
}

impl Item<'_, Texts<'_>> {
    fn into_investigation(self) -> Investigation {
        let [state, cancelled_by, status_details, machine_id, computer_dns_name, triggering_alert_id] = self.texts;
        let own = |text: Option<Cow<'_, str>>| text.map(Cow::into_owned);
        Investigation {
            id: self.id.into_owned(),
            start_time: self.start_time,
            end_time: self.end_time,
            state: state.map_or(InvestigationState::Unknown, |s| InvestigationState::from_name(&s)),
            cancelled_by: own(cancelled_by),
            status_details: own(status_details),
            machine_id: own(machine_id),
            computer_dns_name: own(computer_dns_name),
            triggering_alert_id: own(triggering_alert_id),
        }
    }
}

/// One investigation object (`index`: its place in `value`, `None` for a single entity).
#[inline]
#[cfg_attr(mde_size, optimize(speed))]
fn item<'a, T: Mode<'a>>(r: &mut Reader<'a>, index: Option<usize>) -> Result<Item<'a, T>, Fail> {
    expect_open(r, b'{', || item_problem(index, None, "expected an investigation object".into()))?;
    let mut seen = 0u16;
    let mut id = None;
    let mut times: [Option<Timestamp>; 2] = [None, None];
    let mut texts = T::default();
    let mut key = r.begin_object()?;
    while let Some(k) = key {
        let f = match k {
            Str::Plain(plain) if T::INLINE => field_inline(plain),
            Str::Plain(plain) => field(plain),
            Str::Text(text) => escaped_field(text),
        };
        match f {
            None => r.skip_value()?,
            Some(f) => {
                if seen & (1 << f) != 0 {
                    return Err(item_problem(index, Some(FIELDS[f]), "given twice".into()));
                }
                seen |= 1 << f;
                if r.peek()? == b'"' {
                    if f >= 3 {
                        texts.text(r, f)?;
                    } else {
                        let s = if T::INLINE { r.str_inline()? } else { r.str()? };
                        if f == 0 {
                            id = Some(s.into_text());
                        } else {
                            // A plain date-time is parsed from its bytes, which the reader proved ASCII.
                            times[f - 1] = Some(match s {
                                Str::Plain(b) => Timestamp::parse_bytes(b).map_err(|e| bad_time(index, f, e, b))?,
                                Str::Text(s) => escaped_time(index, f, &s)?,
                            });
                        }
                    }
                } else if f == 0 {
                    id = Some(integer_id(r, index)?);
                } else if !r.null()? {
                    let expected = if f < 3 { "expected a date-time string" } else { "expected a string or null" };
                    return Err(wrong_kind(r, index, f, expected));
                }
            }
        }
        key = if T::INLINE { r.next_key_inline()? } else { r.next_key()? };
    }
    let Some(id) = id else { return Err(item_problem(index, Some("id"), "missing".into())) };
    let [start_time, end_time] = times;
    Ok(Item { id, start_time, end_time, texts })
}

/// The position in [`FIELDS`] of a key that is not plain ASCII.
#[cold]
#[inline(never)]
fn escaped_field(key: Cow<'_, str>) -> Option<usize> {
    field(key.as_bytes())
}

/// A `startTime` or `endTime` (field `f`) that holds escapes or other than ASCII.
#[cold]
#[inline(never)]
fn escaped_time(index: Option<usize>, f: usize, s: &str) -> Result<Timestamp, Fail> {
    Timestamp::parse(s).map_err(|e| bad_time(index, f, e, s.as_bytes()))
}

/// An `id` that is not a string: an integer that fits `u64` or `i64`, as its decimal text.
#[cold]
#[inline(never)]
fn integer_id<'a>(r: &mut Reader<'a>, index: Option<usize>) -> Result<Cow<'a, str>, Fail> {
    const EXPECTED: &str = "expected a string or an integer";
    if !matches!(r.peek()?, b'-' | b'0'..=b'9') {
        return Err(wrong_kind(r, index, 0, EXPECTED));
    }
    match r.number()? {
        Number::UInt(n) => Ok(Cow::Owned(n.to_string())),
        Number::Int(n) => Ok(Cow::Owned(n.to_string())),
        Number::Other(_) => {
            Err(item_problem(index, Some("id"), "expected a string or an integer, found a number".into()))
        }
    }
}

/// A `startTime` or `endTime` (field `f`) that is no RFC 3339 date-time.
#[cold]
#[inline(never)]
fn bad_time(index: Option<usize>, f: usize, e: crate::timestamp::TimestampError, s: &[u8]) -> Fail {
    // `s` is text (a checked string), never empty by this default.
    let s = std::str::from_utf8(s).unwrap_or_default();
    item_problem(index, Some(FIELDS[f]), format!("{e} (found {})", crate::Quoted(s)))
}

/// What a driver that lets another parser build the items (the wasm binding uses JavaScript's `JSON.parse`) needs
/// of a list page: the ids and start times that paging, de-duplication and the snapshot bound use, and the
/// `@odata.nextLink`. Produced by [`outline_page`], which validates exactly what [`decode_page`] validates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageOutline<'a> {
    /// The `id` of each item of `value`, in order (a JSON integer id as its decimal text).
    pub ids: Vec<Cow<'a, str>>,
    /// The `startTime` of each item of `value`, in order.
    pub start_times: Vec<Option<Timestamp>>,
    /// `@odata.nextLink`, if sent: an untrusted hint.
    pub next_link: Option<String>,
}

/// Validates a list page exactly as [`decode_page`] does (the same walk: same acceptance, same
/// [`DecodeError`]s) but builds no [`Investigation`]: it returns only the [`PageOutline`] that paging needs,
/// borrowing ids from `body` unless they hold escapes. For drivers whose host builds the items faster itself
/// (`JSON.parse` in a browser); see
/// [`Listing::handle_response_indexed`](crate::listing::Listing::handle_response_indexed).
///
/// It is `#[inline]`, as are the walk and the reader's common case, so that a driver crate compiles this hot path
/// at its own optimisation level (`xtask/src/package.rs`).
#[inline]
#[cfg_attr(mde_size, optimize(speed))]
pub fn outline_page(body: &[u8]) -> Result<PageOutline<'_>, DecodeError> {
    check_length(body)?;
    // The service's items take about 280 bytes: 200 over-estimates the count, and no page holds more than the
    // largest `$top`.
    let guess = (body.len() / 200).min(crate::query::MAX_PAGE_SIZE as usize);
    let mut ids = Vec::with_capacity(guess);
    let mut start_times = Vec::with_capacity(guess);
    let walked = page(&mut Reader::new(body), &mut |r| {
        items(r, |item: Item<'_, ()>| {
            ids.push(item.id);
            start_times.push(item.start_time);
        })
    });
    let (_, next_link) = finish(body, walked)?;
    Ok(PageOutline { ids, start_times, next_link: next_link.map(Cow::into_owned) })
}

/// Decodes one investigation (the body of `GET /api/investigations/{id}`), by the item rules of the
/// [module](self).
pub fn decode_investigation(body: &[u8]) -> Result<Investigation, DecodeError> {
    check_length(body)?;
    let mut r = Reader::new(body);
    let walked = item::<Texts<'_>>(&mut r, None).and_then(|inv| Ok(r.end().map(|()| inv)?));
    finish(body, walked).map(Item::into_investigation)
}

/// Validates one investigation exactly as [`decode_investigation`] does (the same walk: same acceptance, same
/// [`DecodeError`]s) but builds nothing. For drivers whose host builds the object itself (`JSON.parse` in a
/// browser), as [`outline_page`] is for pages; see
/// [`GetInvestigation::handle_response_validated`](crate::get::GetInvestigation::handle_response_validated).
pub fn validate_investigation(body: &[u8]) -> Result<(), DecodeError> {
    // The typed walk, which a driver links anyway (for pages and for the watch): a single investigation is not a
    // hot path, and a walk of its own would be one more copy of the item walk in the wasm module.
    decode_investigation(body).map(drop)
}

/// Decodes the service's error body; `None` when the body is not one (HTML from a proxy, empty, not an object
/// with an `error` object, `error` or one of its three members given twice, ...). A member that is not a string
/// is kept as its JSON text; `null` is absent. A body longer than [`MAX_BODY_BYTES`] is not one.
pub fn decode_service_error(body: &[u8]) -> Option<ServiceError> {
    check_length(body).ok()?;
    let outer = Node::parse(body).ok()?;
    let Some(inner @ Node::Object(_)) = outer.unique("error").ok()? else { return None };
    let text = |key: &str| -> Result<Option<String>, DuplicateKey> {
        Ok(inner.unique(key)?.map(|v| match v {
            Node::Str(s) => s.clone(),
            other => other.to_json(),
        }))
    };
    Some(ServiceError { code: text("code").ok()?, message: text("message").ok()?, target: text("target").ok()? })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_too_large_reason_names_the_limit() {
        let expected =
            format!("the body is longer than {} bytes (32 MiB), the most a response may have", super::MAX_BODY_BYTES);
        assert_eq!(super::TOO_LARGE_REASON, expected);
        assert_eq!(super::MAX_BODY_BYTES, 32 << 20);
    }

    use super::*;

    const SEED_EXAMPLE: &str = r#"{
        "@odata.context": "https://api.securitycenter.microsoft.com/api/$metadata#Investigations",
        "value": [{
            "id": "63017", "startTime": "2020-01-06T14:11:34Z", "endTime": null, "state": "Running",
            "cancelledBy": null, "statusDetails": null, "machineId": "a69a22debe5f274d8765ea3c368d00762e057b30",
            "computerDnsName": "desktop-gtrcon0", "triggeringAlertId": "da637139166940871892_-598649278"
        }]
    }"#;

    #[test]
    fn decodes_the_documented_example() {
        let page = decode_page(SEED_EXAMPLE.as_bytes()).unwrap();
        assert_eq!(page.value.len(), 1);
        assert!(page.next_link.is_none());
        let inv = &page.value[0];
        assert_eq!(inv.id, "63017");
        assert_eq!(inv.state, InvestigationState::Running);
        assert_eq!(inv.start_time.unwrap().to_string(), "2020-01-06T14:11:34Z");
        assert_eq!(inv.end_time, None);
        assert_eq!(inv.triggering_alert_id.as_deref(), Some("da637139166940871892_-598649278"));
    }

    #[test]
    fn tolerates_numbers_unknown_fields_and_new_states() {
        let body = br#"{"value":[{"id":63017,"state":"Hibernating","startTime":"2020-01-06T14:11:34.1234567Z","newField":{"a":[1]}},{"id":"5"}],"@odata.nextLink":"https://x/api/investigations?$skip=2"}"#;
        let page = decode_page(body).unwrap();
        assert_eq!(page.value[0].id, "63017");
        assert_eq!(page.value[0].state, InvestigationState::Other("Hibernating".into()));
        assert_eq!(page.value[1].state, InvestigationState::Unknown);
        assert_eq!(page.value[1].machine_id, None);
        assert_eq!(page.next_link.as_deref(), Some("https://x/api/investigations?$skip=2"));
    }

    #[test]
    fn names_the_item_and_field_that_broke() {
        let cases: &[(&str, Option<usize>, Option<&str>)] = &[
            (r#"{"value":[{"id":"1"},{"id":"2","startTime":"yesterday"}]}"#, Some(1), Some("startTime")),
            (r#"{"value":[{"id":"1","machineId":42}]}"#, Some(0), Some("machineId")),
            (r#"{"value":[{"id":1.5}]}"#, Some(0), Some("id")),
            (r#"{"value":[{"state":"Running"}]}"#, Some(0), Some("id")),
            (r#"{"value":[{"id":"1"}, 7]}"#, Some(1), None),
            (r#"{"value":{}}"#, None, Some("value")),
            (r#"{"items":[]}"#, None, Some("value")),
            (r#"[1,2]"#, None, Some("the document")),
            (r#"{"value":[],"@odata.nextLink":5}"#, None, Some("@odata.nextLink")),
        ];
        for (body, index, field) in cases {
            let e = decode_page(body.as_bytes()).unwrap_err();
            assert_eq!((e.index, e.field.as_deref()), (*index, *field), "{body}: {e}");
        }
    }

    #[test]
    fn truncated_body_is_an_error_not_a_panic() {
        let full = SEED_EXAMPLE.as_bytes();
        for cut in 0..full.len() {
            assert!(decode_page(&full[..cut]).is_err(), "cut at {cut}");
        }
        let e = decode_page(&full[..full.len() / 2]).unwrap_err();
        assert!(e.reason.contains("truncated"), "{e}");
    }

    #[test]
    fn decodes_service_errors() {
        let e =
            decode_service_error(br#"{"error":{"code":"BadRequest","message":"Invalid filter","target":"43d5d3a7"}}"#)
                .unwrap();
        assert_eq!(e.code.as_deref(), Some("BadRequest"));
        assert_eq!(e.target.as_deref(), Some("43d5d3a7"));
        assert!(decode_service_error(b"<html>proxy error</html>").is_none());
        assert!(decode_service_error(b"").is_none());
    }

    #[test]
    fn field_names_and_positions_agree() {
        for (f, name) in FIELDS.iter().enumerate() {
            assert_eq!(field(name.as_bytes()), Some(f), "{name}");
            assert_eq!(field_inline(name.as_bytes()), Some(f), "{name}");
        }
        assert_eq!(field(b"Id"), None);
        assert_eq!(field(b""), None);
    }

    #[test]
    fn escaped_keys_are_read_once_and_named_as_decoded() {
        let body = br#"{"\u0076alue":[{"i\u0064":"1","st\u0061rtTime":"2020-01-06T14:11:34Z","\u00e9":1}],"@odata.nextLink":"n"}"#;
        let page = decode_page(body).unwrap();
        assert_eq!(page.value[0].id, "1");
        assert_eq!(page.next_link.as_deref(), Some("n"));
        assert_eq!(outline_page(body).unwrap().start_times, [page.value[0].start_time]);
        let e = decode_page(br#"{"value":[{"id":"1","\u0069d":"2"}]}"#).unwrap_err();
        assert_eq!((e.index, e.field.as_deref(), e.reason.as_str()), (Some(0), Some("id"), "given twice"));
        let e = decode_page(b"{\"value\":[],\n \"\\u0040odata.context\":1}").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("@odata.context"));
        let e = outline_page(b"{\"value\":[{\"id\":\"1\",\n  \"\\x\":1}]}").unwrap_err();
        assert_eq!(e.location, "line 2 column 5");
    }

    #[test]
    fn locations_name_the_item_and_member() {
        let page_cases: &[(&str, &str)] = &[
            (r#"{"value":[{"id":"1"},{"id":"2","startTime":"yesterday"}]}"#, "value[1].startTime"),
            (r#"{"value":[{"id":"1"}, 7]}"#, "value[1]"),
            (r#"{"value":[{"state":"Running"}]}"#, "value[0].id"),
            (r#"{"value":{}}"#, "value"),
            (r#"[1,2]"#, "the document"),
        ];
        for (body, location) in page_cases {
            assert_eq!(decode_page(body.as_bytes()).unwrap_err().location, *location, "{body}");
            assert_eq!(outline_page(body.as_bytes()).unwrap_err().location, *location, "{body}");
        }
        let entity_cases: &[(&str, &str)] = &[(r#"{"id":"7","endTime":false}"#, "endTime"), ("[]", "the document")];
        for (body, location) in entity_cases {
            let e = decode_investigation(body.as_bytes()).unwrap_err();
            assert_eq!((e.location.as_str(), e.index), (*location, None), "{body}");
            assert_eq!(e.field.as_deref(), (*location != "the document").then_some(*location), "{body}");
        }
    }

    #[test]
    fn single_entity() {
        let inv = decode_investigation(br#"{"@odata.context":"x","id":"7","state":"Benign"}"#).unwrap();
        assert_eq!(inv.state, InvestigationState::Benign);
        let e = decode_investigation(br#"{"id":"7","endTime":false}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("endTime"));
    }
}

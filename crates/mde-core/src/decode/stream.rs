//! [`PageStream`]: a list page validated as its bytes arrive, handing out each investigation as soon as it is
//! complete and valid.
//!
//! The walk is [`outline_page`](super::outline_page)'s, cut into units that are each read whole or not at all: the
//! page's opening and each of its members (a member's value with the byte after it, so that a number is never
//! read before its last digit), each item of `value` (the same [`item`](super::item) walk, with the same nesting
//! depth), each separator, and the end of the document. A unit that the bytes so far cannot complete is read again
//! from its start when more have arrived (after at least as many new bytes as it had, so that a long unit costs
//! linear time in all). So an item is handed out only once it is known to be valid by the rules that
//! [`outline_page`](super::outline_page) applies to it; the page as a whole is valid only when
//! [`PageStream::finish`] says so, once every byte has arrived.
//!
//! A problem stops the walk where it is: no item after it is handed out. The stream does not say what the problem
//! is: [`PageStream::finish`] returns `None`, and the caller decodes the whole body with
//! [`outline_page`](super::outline_page) for its [`DecodeError`](super::DecodeError), which is then the one a
//! whole-body decode reports (a syntax error anywhere wins over a shape problem, and so on).

use std::borrow::Cow;
use std::ops::Range;

use super::reader::Reader;
use super::{expect_open, head_member, item, page_member, page_problem, Fail, Item, MAX_BODY_BYTES};
use crate::Timestamp;

/// An investigation of `value` that is complete and valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamedItem<'a> {
    /// Its position in `value`.
    pub index: usize,
    /// Its `id` (a JSON integer id as its decimal text).
    pub id: Cow<'a, str>,
    /// Its `startTime`.
    pub start_time: Option<Timestamp>,
    /// Where its JSON text is in [`PageStream::body`] (from its opening brace to its closing one).
    pub range: Range<usize>,
}

/// What a whole page that [`PageStream::finish`] validated carries besides its items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamEnd {
    /// How many items `value` has.
    pub items: usize,
    /// `@odata.nextLink`, if sent: an untrusted hint.
    pub next_link: Option<String>,
}

/// What the walk reads next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    /// The page's `{` and its first member.
    Open,
    /// The next member of the page (or its `}`).
    Member,
    /// An item of `value`.
    Item,
    /// The `,` or `]` after an item.
    AfterItem,
    /// Nothing but whitespace up to the end of the body.
    End,
    /// The whole page was valid.
    Done,
    /// A unit failed on the whole body.
    Failed,
}

/// Where the walk stands in the body.
#[derive(Debug, Clone)]
struct Walk {
    at: usize,
    depth: u32,
    next: Next,
    /// `@odata.context` and `@odata.nextLink` once read (`Some(None)`: `null`).
    head: [Option<Option<String>>; 2],
    seen_value: bool,
    items: usize,
    /// The body's length from which the unit that could not be read is tried again.
    retry_at: usize,
}

/// A list page read as it arrives: [`PageStream::push`] each chunk of the body, then [`PageStream::finish`].
///
/// The walk is [`outline_page`](super::outline_page)'s, cut into units that are each read whole or not at all:
/// the page's opening and each of its members (a member's value with the byte after it, so that a number is never
/// read before its last digit), each item of `value` (the same item walk, at the same nesting depth), each
/// separator, and the end of the document. A unit that the bytes so far cannot complete is read again from its
/// start once the body has grown by as many bytes as the unit had (linear time in all, whatever the chunks). So an
/// item is handed out only once it is known to be valid by the rules that `outline_page` applies to it; the page
/// as a whole is valid only when [`PageStream::finish`] says so. A problem stops the walk where it is (no item
/// after it is handed out) without naming it: decode the whole body with `outline_page` for the
/// [`DecodeError`](super::DecodeError) that a whole-body decode reports.
#[derive(Debug, Clone)]
pub struct PageStream {
    body: Vec<u8>,
    walk: Walk,
}

impl Default for PageStream {
    fn default() -> Self {
        PageStream::new()
    }
}

impl PageStream {
    /// An empty stream.
    pub fn new() -> PageStream {
        PageStream {
            body: Vec::new(),
            walk: Walk {
                at: 0,
                depth: 0,
                next: Next::Open,
                head: [None, None],
                seen_value: false,
                items: 0,
                retry_at: 0,
            },
        }
    }

    /// Appends `chunk` to the body and hands each item that is now complete and valid to `each`, in order.
    /// Returns `false` (and keeps nothing of `chunk`) when the body would grow beyond
    /// [`MAX_BODY_BYTES`](super::MAX_BODY_BYTES).
    #[inline]
    #[cfg_attr(mde_size, optimize(speed))]
    pub fn push(&mut self, chunk: &[u8], each: impl FnMut(StreamedItem<'_>)) -> bool {
        if self.body.len() + chunk.len() > MAX_BODY_BYTES {
            return false;
        }
        self.body.extend_from_slice(chunk);
        let mut each = each;
        run::<true>(&self.body, &mut self.walk, false, &mut each);
        true
    }

    /// The whole body has arrived: walks what is left, handing items to `each` as [`PageStream::push`] does, and
    /// returns the page's end when the whole page is valid; `None` when it is not (decode
    /// [`PageStream::body`] with [`outline_page`](super::outline_page) for why: the stream does not say).
    #[inline]
    pub fn finish(&mut self, each: impl FnMut(StreamedItem<'_>)) -> Option<StreamEnd> {
        let mut each = each;
        run::<true>(&self.body, &mut self.walk, true, &mut each);
        let walk = &mut self.walk;
        (walk.next == Next::Done).then(|| StreamEnd { items: walk.items, next_link: walk.head[1].take().flatten() })
    }

    /// Makes room for a body of `length` bytes in all (at most [`MAX_BODY_BYTES`](super::MAX_BODY_BYTES)).
    pub fn reserve(&mut self, length: usize) {
        let length = length.min(MAX_BODY_BYTES);
        self.body.reserve(length.saturating_sub(self.body.len()));
    }

    /// The body received so far.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// How many items were handed out.
    pub fn items(&self) -> usize {
        self.walk.items
    }

    /// Gives the body back (its allocation too).
    pub fn into_body(self) -> Vec<u8> {
        self.body
    }
}

/// Walks `body` from where `walk` stands, unit by unit, until a unit cannot be read: for want of bytes (unless
/// `complete`), or because it is wrong (then, when `complete`, the walk has failed).
///
/// One copy of it serves every caller in a crate (the item walk inlined in it is the largest hot code of the wasm
/// module): it is not inlined, `each` is a `dyn`, and it is generic (over nothing that matters) so that it is
/// compiled in the crate that calls it, at that crate's optimisation level, as the inlined walks are.
#[inline(never)]
#[cfg_attr(mde_size, optimize(speed))]
fn run<const ONE_COPY: bool>(body: &[u8], walk: &mut Walk, complete: bool, each: &mut dyn FnMut(StreamedItem<'_>)) {
    if !complete && body.len() < walk.retry_at {
        return;
    }
    loop {
        let mut r = Reader::resume(body, walk.at, walk.depth);
        let read = match walk.next {
            Next::Done | Next::Failed => return,
            Next::End if !complete => return,
            Next::End => r.end().map(|()| Next::Done).map_err(Fail::from),
            Next::Open => open(&mut r, walk),
            Next::Member => r.next_key().map_err(Fail::from).and_then(|key| member(&mut r, walk, key)),
            Next::Item => {
                let start = r.offset();
                item::<()>(&mut r, Some(walk.items)).map(|found: Item<'_, ()>| {
                    let range = start..r.offset();
                    each(StreamedItem { index: walk.items, id: found.id, start_time: found.start_time, range });
                    walk.items += 1;
                    Next::AfterItem
                })
            }
            Next::AfterItem => match r.next_element() {
                Ok(true) => Ok(Next::Item),
                Ok(false) => Ok(Next::Member),
                Err(e) => Err(Fail::from(e)),
            },
        };
        match read {
            Ok(next) => {
                walk.at = r.offset();
                walk.depth = r.depth();
                walk.next = next;
            }
            Err(_) if complete => {
                walk.next = Next::Failed;
                return;
            }
            Err(_) => {
                // Tried again once the body has as many new bytes as this unit had: linear in all.
                walk.retry_at = body.len() + (body.len() - walk.at).max(1);
                return;
            }
        }
    }
}

/// The page's `{` and its first member.
fn open(r: &mut Reader<'_>, walk: &mut Walk) -> Result<Next, Fail> {
    expect_open(r, b'{', || page_problem("the document", "expected a JSON object with a `value` array"))?;
    let key = r.begin_object()?;
    member(r, walk, key)
}

/// The member whose key was just read (`None`: the page's `}` was).
fn member(r: &mut Reader<'_>, walk: &mut Walk, key: Option<super::reader::Str<'_>>) -> Result<Next, Fail> {
    let Some(key) = key else {
        return if walk.seen_value { Ok(Next::End) } else { Err(page_problem("value", "missing")) };
    };
    match page_member(key.bytes()) {
        Some(m @ (0 | 1)) => {
            let mut slot = walk.head[m].as_ref().map(|_| None);
            head_member(r, m, &mut slot)?;
            r.peek()?;
            walk.head[m] = slot.map(|text| text.map(Cow::into_owned));
            Ok(Next::Member)
        }
        Some(_) => {
            if walk.seen_value {
                return Err(page_problem("value", "given twice"));
            }
            expect_open(r, b'[', || page_problem("value", "expected an array"))?;
            let more = r.begin_array()?;
            walk.seen_value = true;
            Ok(if more { Next::Item } else { Next::Member })
        }
        None => {
            r.skip_value()?;
            r.peek()?;
            Ok(Next::Member)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::outline_page;

    /// Pushes `body` in chunks of `size` bytes; returns the ids handed out after each chunk and the end.
    fn stream(body: &[u8], size: usize) -> (Vec<Vec<String>>, Vec<String>, Option<StreamEnd>) {
        let mut s = PageStream::new();
        let mut per_chunk = Vec::new();
        for chunk in body.chunks(size.max(1)) {
            let mut ids = Vec::new();
            assert!(s.push(chunk, |it| ids.push(it.id.into_owned())));
            per_chunk.push(ids);
        }
        let mut last = Vec::new();
        let end = s.finish(|it| last.push(it.id.into_owned()));
        (per_chunk, last, end)
    }

    #[test]
    fn items_come_out_as_soon_as_they_are_complete() {
        let body = br#"{"@odata.context":"c","value":[{"id":"1"},{"id":"2"},{"id":"3"}]}"#;
        let mut s = PageStream::new();
        let mut got = Vec::new();
        let cut = body.windows(2).position(|w| w == b"},").unwrap() + 1;
        assert!(s.push(&body[..cut], |it| got.push((it.id.into_owned(), it.range))));
        assert_eq!(got, [("1".to_owned(), 31..41)]);
        assert_eq!(&s.body()[31..41], br#"{"id":"1"}"#);
        assert!(s.push(&body[cut..], |it| got.push((it.id.into_owned(), it.range))));
        assert_eq!(got.len(), 3);
        assert_eq!(s.finish(|_| panic!("nothing left")), Some(StreamEnd { items: 3, next_link: None }));
    }

    #[test]
    fn a_number_is_not_read_before_its_last_digit() {
        let body = br#"{"x":12,"value":[{"id":345}],"@odata.nextLink":"n"}"#;
        for size in 1..body.len() {
            let (chunks, last, end) = stream(body, size);
            let all: Vec<String> = chunks.into_iter().flatten().chain(last).collect();
            assert_eq!(all, ["345"], "chunks of {size}");
            assert_eq!(end, Some(StreamEnd { items: 1, next_link: Some("n".into()) }), "chunks of {size}");
        }
    }

    #[test]
    fn nothing_after_a_wrong_item_is_handed_out_and_the_page_fails() {
        let body = br#"{"value":[{"id":"1"},{"id":"2","startTime":"yesterday"},{"id":"3"}]}"#;
        let (chunks, last, end) = stream(body, 7);
        let all: Vec<String> = chunks.into_iter().flatten().chain(last).collect();
        assert_eq!(all, ["1"]);
        assert_eq!(end, None);
        assert_eq!(outline_page(body).unwrap_err().location, "value[1].startTime");
    }

    #[test]
    fn a_page_whose_end_is_wrong_fails_after_its_items() {
        for body in [
            &br#"{"value":[{"id":"1"}],"value":[]}"#[..],
            br#"{"value":[{"id":"1"}]} x"#,
            br#"{"value":[{"id":"1"}],"@odata.nextLink":5}"#,
            br#"{"value":[{"id":"1"}]"#,
        ] {
            let (chunks, last, end) = stream(body, 3);
            let all: Vec<String> = chunks.into_iter().flatten().chain(last).collect();
            assert_eq!(all, ["1"], "{}", String::from_utf8_lossy(body));
            assert_eq!(end, None, "{}", String::from_utf8_lossy(body));
        }
    }

    #[test]
    fn a_body_beyond_the_bound_is_refused_whole() {
        let mut s = PageStream::new();
        assert!(s.push(b"{\"value\":[", |_| {}));
        assert!(!s.push(&vec![b' '; MAX_BODY_BYTES], |_| {}));
        assert_eq!(s.body().len(), 10);
    }
}

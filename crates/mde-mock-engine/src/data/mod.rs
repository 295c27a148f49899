//! The investigations a mock serves, in the documented order, each serialised to JSON once.
//!
//! Order: `startTime` descending (investigations without a `startTime` last), then `id` descending with
//! mde-core's ordinal [`compare_ordinal`], as OData compares strings (`"9"` after `"10"`). Every page is that order, filtered,
//! then `$skip`ped and cut at `$top`.
//!
//! Each item's JSON is made once, when it is loaded or added, and kept as bytes: a page body is a
//! concatenation of those bytes, so serving a 10,000-item page costs a copy, not a serialisation.

pub(crate) mod generate;
mod load;
mod update;

use std::cmp::Ordering;
use std::collections::VecDeque;

use mde_core::filter::{compare_ordinal, Filter};
use mde_core::Investigation;

pub use generate::generate;
pub use load::{investigations_from_value, parse_investigations, DataError, Single};
pub use update::{InvestigationUpdate, UpdateError};

/// The most items one page holds, with or without `$top`.
pub const MAX_PAGE: usize = 10_000;

/// The data set of a mock: investigations kept sorted in the documented order, with their JSON.
///
/// Kept as two parallel sequences so that a filter scan touches only the investigations, not their JSON; double-ended
/// (`VecDeque`) so that an investigation newer than all the others (what live mode adds) goes in at the front
/// without moving the rest.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    items: VecDeque<Investigation>,
    json: VecDeque<Box<[u8]>>,
}

/// Below this many investigations a filter is evaluated on one thread.
const PARALLEL_FROM: usize = 100_000;
/// Investigations scanned on the calling thread before the scan goes parallel (a broad filter's first
/// page is usually complete by then).
const FIRST_STRETCH: usize = 65_536;

/// The documented order: `startTime` descending with `null`s last, then `id` descending.
pub fn documented_order(a: &Investigation, b: &Investigation) -> Ordering {
    match (&a.start_time, &b.start_time) {
        (Some(x), Some(y)) => y.cmp(x),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
    .then_with(|| compare_ordinal(&b.id, &a.id))
}

impl Dataset {
    /// A data set holding `items`, sorted in the documented order.
    pub fn new(mut items: Vec<Investigation>) -> Dataset {
        items.sort_by(documented_order);
        let json = items.iter().map(to_json).collect();
        Dataset { items: VecDeque::from(items), json }
    }

    /// Adds items, keeping the order (a new item goes after any equal one already there).
    pub fn extend(&mut self, items: Vec<Investigation>) {
        for inv in items {
            let at = self.items.partition_point(|r| documented_order(r, &inv) != Ordering::Greater);
            self.json.insert(at, to_json(&inv));
            self.items.insert(at, inv);
        }
    }

    /// Changes the investigation whose id is `id` and moves it to its place in the order; returns it as JSON.
    pub fn update(&mut self, id: &str, update: &InvestigationUpdate) -> Result<&[u8], UpdateError> {
        let at = self.items.iter().position(|r| r.id == id).ok_or_else(|| UpdateError::NotFound(id.to_string()))?;
        let (Some(mut inv), Some(_)) = (self.items.remove(at), self.json.remove(at)) else {
            return Err(UpdateError::NotFound(id.to_string()));
        };
        update.apply(&mut inv);
        let to = self.items.partition_point(|r| documented_order(r, &inv) != Ordering::Greater);
        self.json.insert(to, to_json(&inv));
        self.items.insert(to, inv);
        Ok(&self.json[to])
    }

    /// Adds many items, keeping the order exactly as [`Dataset::extend`] would (a new item goes after any equal
    /// one already there, and equal new items keep their order), the cheaper of two ways: one insertion each
    /// (each moves the items between its place and the nearer end: next to nothing for a few items newer or
    /// older than all the others), or one merge of the whole set.
    pub fn merge(&mut self, mut items: Vec<Investigation>) {
        items.sort_by(documented_order);
        let n = self.items.len();
        // The i-th new item (in order) lands at its place among the old items plus i: it moves the items between
        // there and the nearer end.
        let moves: usize = items
            .iter()
            .enumerate()
            .map(|(i, inv)| {
                let at = self.items.partition_point(|r| documented_order(r, inv) != Ordering::Greater);
                (at + i).min(n - at)
            })
            .fold(0, usize::saturating_add);
        if moves <= n + items.len() {
            return self.extend(items);
        }
        let old_items = std::mem::take(&mut self.items);
        let old_json = std::mem::take(&mut self.json);
        self.items.reserve_exact(n + items.len());
        self.json.reserve_exact(n + items.len());
        let mut old = old_items.into_iter().zip(old_json).peekable();
        for inv in items {
            while let Some((item, json)) = old.next_if(|(r, _)| documented_order(r, &inv) != Ordering::Greater) {
                self.items.push_back(item);
                self.json.push_back(json);
            }
            self.json.push_back(to_json(&inv));
            self.items.push_back(inv);
        }
        for (item, json) in old {
            self.items.push_back(item);
            self.json.push_back(json);
        }
    }

    /// Replaces, in place, the investigation with the same `id` and `startTime` as `inv` (found by a binary
    /// search of the order, which neither changes); returns whether there was one.
    pub(crate) fn refresh(&mut self, inv: Investigation) -> bool {
        let from = self.items.partition_point(|r| documented_order(r, &inv) == Ordering::Less);
        let at = self
            .items
            .range(from..)
            .take_while(|r| documented_order(r, &inv) == Ordering::Equal)
            .position(|r| r.id == inv.id)
            .map(|i| from + i);
        match at {
            Some(at) => {
                self.json[at] = to_json(&inv);
                self.items[at] = inv;
                true
            }
            None => false,
        }
    }

    /// How many investigations it holds.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The investigations in the documented order.
    pub fn investigations(&self) -> impl ExactSizeIterator<Item = &Investigation> + '_ {
        self.items.iter()
    }

    /// How many investigations match `filter` (all of them without one).
    pub fn count_matching(&self, filter: Option<&Filter>) -> usize {
        match filter {
            None => self.items.len(),
            Some(f) => self.matching(f, usize::MAX).len(),
        }
    }

    /// The JSON of the page: items matching `filter`, after skipping `skip` of them, at most `top`.
    ///
    /// `context` is the `@odata.context` value. When more items match after the page and `next_link` is given,
    /// the body ends with `@odata.nextLink`, `next_link(skip of the next page)`.
    pub fn page_body(
        &self,
        context: &str,
        filter: Option<&Filter>,
        skip: u64,
        top: usize,
        next_link: Option<&dyn Fn(u64) -> String>,
    ) -> Vec<u8> {
        let skip = usize::try_from(skip).unwrap_or(usize::MAX);
        let end = skip.saturating_add(top);
        let link = |more: bool| next_link.filter(|_| more).map(|f| f(end as u64));
        match filter {
            None => {
                let start = skip.min(self.items.len());
                let stop = end.min(self.items.len());
                page(context, self.json.range(start..stop).map(|j| &**j), link(stop < self.items.len()).as_deref())
            }
            Some(f) => {
                let hits = self.matching(f, end.saturating_add(1));
                let more = hits.len() > end;
                page(context, hits.iter().skip(skip).take(top).map(|i| &*self.json[*i]), link(more).as_deref())
            }
        }
    }

    /// Indices of the first `need` investigations matching `filter`, in order.
    ///
    /// mde-core's [`Filter::matches`] decides; this only spreads the scan over the machine's cores for
    /// large data sets, after a first stretch on the calling thread (enough for a broad filter's page).
    fn matching(&self, filter: &Filter, need: usize) -> Vec<usize> {
        let first = FIRST_STRETCH.min(self.items.len());
        let mut hits: Vec<usize> = Vec::new();
        // WebAssembly has no threads to spread the scan over (and `available_parallelism` says so).
        let threads =
            if cfg!(target_family = "wasm") { 1 } else { std::thread::available_parallelism().map_or(1, |n| n.get()) };
        let scan = |from: usize, to: usize, need: usize, out: &mut Vec<usize>| {
            for (i, inv) in self.items.range(from..to).enumerate() {
                if out.len() >= need {
                    break;
                }
                if filter.matches(inv) {
                    out.push(from + i);
                }
            }
        };
        if self.items.len() < PARALLEL_FROM || threads < 2 {
            scan(0, self.items.len(), need, &mut hits);
            return hits;
        }
        scan(0, first, need, &mut hits);
        if hits.len() >= need {
            return hits;
        }
        // The rest in contiguous parts, one per core; part k's hits come after part k-1's.
        let rest = self.items.len() - first;
        let part = rest.div_ceil(threads);
        let still = need - hits.len();
        let parts: Vec<Vec<usize>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads)
                .map(|k| {
                    let from = first + k * part;
                    let to = (from + part).min(self.items.len());
                    s.spawn(move || {
                        let mut out = Vec::new();
                        if from < to {
                            scan(from, to, still, &mut out);
                        }
                        out
                    })
                })
                .collect();
            // A part whose thread could not finish is scanned again here rather than lost.
            handles
                .into_iter()
                .enumerate()
                .map(|(k, h)| {
                    h.join().unwrap_or_else(|_| {
                        let from = first + k * part;
                        let mut out = Vec::new();
                        scan(from, (from + part).min(self.items.len()), still, &mut out);
                        out
                    })
                })
                .collect()
        });
        for p in parts {
            if hits.len() >= need {
                break;
            }
            let take = (need - hits.len()).min(p.len());
            hits.extend_from_slice(&p[..take]);
        }
        hits
    }

    /// The JSON of the investigation whose `id`, or else whose `triggeringAlertId`, is `key`.
    pub fn find_json(&self, key: &str) -> Option<&[u8]> {
        self.items
            .iter()
            .position(|r| r.id == key)
            .or_else(|| self.items.iter().position(|r| r.triggering_alert_id.as_deref() == Some(key)))
            .map(|i| &*self.json[i])
    }

    /// The body of `GET /api/investigations/{key}`: [`Dataset::find_json`] with `@odata.context` first.
    pub fn entity_body(&self, key: &str, context: &str) -> Option<Vec<u8>> {
        let json = self.find_json(key)?;
        let mut out = Vec::with_capacity(json.len() + context.len() + 24);
        out.extend_from_slice(b"{\"@odata.context\":");
        out.extend_from_slice(&json_string(context));
        // Every item's JSON is an object that starts with `{` and a member.
        out.push(b',');
        out.extend_from_slice(json.get(1..).unwrap_or_default());
        Some(out)
    }

    /// A JSON array of all investigations, in order.
    pub fn all_json(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.json.iter().map(|j| j.len() + 1).sum::<usize>() + 2);
        out.push(b'[');
        join(&mut out, self.json.iter().map(|j| &**j));
        out.push(b']');
        out
    }
}

fn to_json(inv: &Investigation) -> Box<[u8]> {
    // Serialising a struct of strings and timestamps cannot fail; fall back to `null` rather than panic.
    serde_json::to_vec(inv).unwrap_or_else(|_| b"null".to_vec()).into_boxed_slice()
}

fn page<'a>(context: &str, items: impl Iterator<Item = &'a [u8]>, next_link: Option<&str>) -> Vec<u8> {
    let items: Vec<&[u8]> = items.collect();
    let size = items.iter().map(|j| j.len() + 1).sum::<usize>();
    let mut out = Vec::with_capacity(64 + 2 * context.len() + size);
    out.extend_from_slice(b"{\"@odata.context\":");
    out.extend_from_slice(&json_string(context));
    out.extend_from_slice(b",\"value\":[");
    join(&mut out, items.into_iter());
    out.push(b']');
    if let Some(link) = next_link {
        out.extend_from_slice(b",\"@odata.nextLink\":");
        out.extend_from_slice(&json_string(link));
    }
    out.push(b'}');
    out
}

/// A string as JSON (serialising a `&str` cannot fail; `""` if it somehow did).
fn json_string(s: &str) -> Vec<u8> {
    serde_json::to_vec(s).unwrap_or_else(|_| b"\"\"".to_vec())
}

fn join<'a>(out: &mut Vec<u8>, items: impl Iterator<Item = &'a [u8]>) {
    for (i, json) in items.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(json);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mde_core::Timestamp;

    /// The ids on a page, read back from its JSON.
    fn ids(body: &[u8]) -> Vec<String> {
        let v: serde_json::Value = serde_json::from_slice(body).unwrap();
        v["value"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_string()).collect()
    }

    #[test]
    fn parallel_scan_gives_the_sequential_answer() {
        let now = Timestamp::parse("2026-01-01T00:00:00Z").unwrap();
        let set = Dataset::new(generate(9, 150_000, now));
        let all: Vec<&Investigation> = set.investigations().collect();
        for text in [
            "state eq 'Running'",
            "state eq 'Benign' and not (id lt '60000')",
            "startTime lt 2025-10-15T00:00:00Z",
            "machineId eq 'nope'",
        ] {
            let f = Filter::parse(text).unwrap();
            // Oracle: one plain pass in order.
            let expected: Vec<String> = all.iter().filter(|i| f.matches(i)).map(|i| i.id.clone()).collect();
            assert_eq!(set.count_matching(Some(&f)), expected.len(), "{text}");
            for (skip, top) in
                [(0, 10_000), (0, 3), (70_000, 10_000), (expected.len().saturating_sub(5), 10), (0, usize::MAX)]
            {
                let got = ids(&set.page_body("c", Some(&f), skip as u64, top, None));
                let want: Vec<String> = expected.iter().skip(skip).take(top).cloned().collect();
                assert_eq!(got, want, "{text} skip {skip} top {top}");
            }
        }
    }

    #[test]
    fn pages_carry_a_next_link_only_when_more_match() {
        let now = Timestamp::parse("2026-01-01T00:00:00Z").unwrap();
        let set = Dataset::new(generate(3, 50, now));
        let link = |skip: u64| format!("next?$skip={skip}");
        let next = |body: &[u8]| -> Option<String> {
            let v: serde_json::Value = serde_json::from_slice(body).unwrap();
            v.get("@odata.nextLink").map(|l| l.as_str().unwrap().to_string())
        };
        assert_eq!(next(&set.page_body("c", None, 0, 20, Some(&link))).as_deref(), Some("next?$skip=20"));
        assert_eq!(next(&set.page_body("c", None, 30, 20, Some(&link))), None, "exactly the last 20");
        assert_eq!(next(&set.page_body("c", None, 0, 20, None)), None);
        let benign = Filter::parse("state eq 'Benign'").unwrap();
        let n = set.count_matching(Some(&benign));
        assert!(n > 3);
        assert!(next(&set.page_body("c", Some(&benign), 0, n - 1, Some(&link))).is_some());
        assert_eq!(next(&set.page_body("c", Some(&benign), 0, n, Some(&link))), None);
        assert_eq!(ids(&set.page_body("c", Some(&benign), 1, 2, Some(&link))).len(), 2);
        // One investigation, with its context first.
        let first = set.investigations().next().unwrap().id.clone();
        let one: serde_json::Value = serde_json::from_slice(&set.entity_body(&first, "ctx").unwrap()).unwrap();
        assert_eq!((one["@odata.context"].as_str(), one["id"].as_str()), (Some("ctx"), Some(first.as_str())));
        assert_eq!(one.as_object().unwrap().keys().next().map(String::as_str), Some("@odata.context"));
        assert!(set.entity_body("no such id", "ctx").is_none());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// A merge places every item where one insertion after another (`extend`) does, equal ones included.
        #[test]
        fn merge_is_extend_in_one_pass(seed in 0u64..1_000, split in 0usize..120, twins in 0usize..20) {
            let now = Timestamp::parse("2026-01-01T00:00:00Z").unwrap();
            let mut items = generate(seed, 120, now);
            let mut late = items.split_off(split.min(items.len()));
            // Items equal in the order to ones already there (same startTime and id), told apart by state.
            for inv in items.iter().take(twins) {
                late.push(Investigation { state: mde_core::InvestigationState::Other("twin".into()), ..inv.clone() });
            }
            let mut merged = Dataset::new(items.clone());
            merged.merge(late.clone());
            let mut extended = Dataset::new(items);
            extended.extend(late);
            proptest::prop_assert_eq!(merged.items.clone(), extended.items.clone());
            proptest::prop_assert_eq!(merged.all_json(), extended.all_json());
        }
    }

    #[test]
    fn refresh_replaces_in_place_and_only_the_same_investigation() {
        let now = Timestamp::parse("2026-01-01T00:00:00Z").unwrap();
        let mut set = Dataset::new(generate(8, 300, now));
        let mut inv = set.investigations().nth(150).unwrap().clone();
        inv.state = mde_core::InvestigationState::Benign;
        inv.cancelled_by = Some("x@contoso.com".into());
        assert!(set.refresh(inv.clone()));
        assert_eq!(set.investigations().nth(150), Some(&inv));
        let from_json = parse_investigations(set.find_json(&inv.id).unwrap(), Single::Allowed).unwrap();
        assert_eq!(from_json, [inv.clone()]);
        let moved = Investigation { start_time: Some(now), ..inv.clone() };
        assert!(!set.refresh(moved), "another startTime is another place");
        assert!(!set.refresh(Investigation { id: "nope".into(), ..inv }));
    }

    #[test]
    fn extend_keeps_the_documented_order() {
        let now = Timestamp::parse("2026-01-01T00:00:00Z").unwrap();
        let mut items = generate(4, 200, now);
        let late = items.split_off(150);
        let mut set = Dataset::new(items);
        set.extend(late.clone());
        let mut everything: Vec<Investigation> = set.investigations().cloned().collect();
        let in_order = everything.windows(2).all(|w| documented_order(&w[0], &w[1]) != Ordering::Greater);
        assert!(in_order);
        everything.sort_by(|a, b| a.id.cmp(&b.id));
        let mut expected = generate(4, 200, now);
        expected.sort_by(|a, b| a.id.cmp(&b.id));
        assert_eq!(everything, expected);
        // JSON and items stay paired.
        let body = set.page_body("c", None, 0, 10_000, None);
        assert_eq!(ids(&body), set.investigations().map(|i| i.id.clone()).collect::<Vec<_>>());
    }
}

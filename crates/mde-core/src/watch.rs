//! [`Watch`]: the sans-I/O state machine that keeps the view of a filter current, beside [`Listing`].
//!
//! The API can only list. A watch first lists every investigation that can still change (not in a final state: see
//! [`is_final`]) and then, apart, the view (everything the filter selects): in this order, so that one that ends
//! between the two listings is either in the view as it ended or known as open, and looked up at the next tick.
//! Then, every interval, a *tick* makes at most three calls, whatever the number of investigations:
//!
//! 1. **New ones**: `(filter or not final) and startTime ge T` (without a filter, `startTime ge T`), `T` the newest
//!    `startTime` that the first listing of the open ones or a call for new ones has read (`ge`, not `gt`: others
//!    may share it; those already seen are recognised by their id). The open ones come too, selected or not, so
//!    that every investigation that started before `T` was read by a call that would select it, or was final when
//!    one did (and so never changes); `T` is not taken from the view's listing or the open call, which came later:
//!    one that arrived before them, open and not selected, and ended before the next call could see it, would
//!    otherwise start before `T` and never be read. (With no open investigation at the snapshot there is no `T` yet:
//!    the first tick's call reads the view again, and finds nothing new in it.)
//! 2. **Open ones**: every investigation not in a final state (`state ne 'Benign' and ...`), whatever the
//!    filter, since a change of state can bring one into the view or take it out.
//! 3. **The ones that left**: those open at the last tick and not open now, looked up by id (`id eq 'a' or id
//!    eq 'b' ...`, [`MAX_IDS_PER_CALL`] at a time): they reached a final state.
//!
//! Each investigation read is then evaluated locally against the filter ([`Filter::matches`]): one that now
//! matches and was not in the view is [`WatchEvent::Added`], one in the view that changed is
//! [`WatchEvent::Changed`] (with its previous version), one in the view that no longer matches is
//! [`WatchEvent::Removed`]. The first event is always [`WatchEvent::Snapshot`].
//!
//! The invariant (property-tested against a simulated service): the snapshot with every event applied in order
//! is, at the end of each tick, what a fresh listing of the filter returns. It rests on two facts, which the
//! code assumes and the documentation supports: an investigation in a final state does not change any more, and
//! an investigation's `startTime` is when it was created, so new ones never start before the newest seen. An
//! investigation without a `startTime` is seen only while it is open.
//!
//! Every call goes through a [`Listing`] of one page, so the watch shares the client's rate limiter and retries
//! as listings do. A tick whose calls fail for a reason that may pass (the network, 5xx, retries exhausted) is
//! dropped ([`WatchAction::TickFailed`]): the view is unchanged and the next tick starts over. A failure that will
//! not pass (a refused token, a refused filter, a foreign link) ends the watch ([`WatchAction::Fail`]).
//!
//! The methods fall in the families of [`Listing`]'s: [`Watch::poll`] for what the driver must do next (or
//! [`Watch::poll_unfinished`], which tells failures by reference, through [`Watch::tick_failure`] and
//! [`Watch::failure`]), `handle_*` for what arrives, getters ([`Watch::view`], [`Watch::resume_token`]).

use std::cmp::Ordering;
use std::time::Duration;

use crate::base_url::BaseUrl;
use crate::decode::{decode_page, Node};
use crate::error::{Error, ErrorKind};
use crate::exchange::{Request, Response, WaitCause};
use crate::filter::{id, start_time, state, Filter, ParseOptions};
use crate::limiter::RateLimiter;
use crate::listing::{Action, Listing, ListingOptions, MAX_PAGE_SIZE};
use crate::query::{ListQuery, Top};
use crate::retry::RetryPolicy;
use crate::{Investigation, InvestigationState, Timestamp};

/// The interval between ticks unless told otherwise: a minute, a tenth of the limit of 100 calls a minute with
/// three calls a tick.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(60);

/// The shortest interval accepted.
pub const MIN_INTERVAL: Duration = Duration::from_millis(100);

/// Ids looked up in one call of a tick's third step (each is `id eq '…'` in the URL: about 40 bytes).
pub const MAX_IDS_PER_CALL: usize = 40;

/// The states after which an investigation does not change any more: every documented state that says how an
/// investigation ended (Microsoft's [Investigation](https://learn.microsoft.com/en-us/defender-endpoint/api/investigation)
/// page: remediated, benign, failed, terminated, partially investigated, pre-existing, unsupported, suppressed),
/// and `Disabled`. The others (`Running`, `Queued`, `PendingApproval`, `PendingResource`, `Unknown`) and any state
/// this version does not know are open: watched until they reach a final one.
pub const FINAL_STATES: [InvestigationState; 14] = [
    InvestigationState::Terminated,
    InvestigationState::SuccessfullyRemediated,
    InvestigationState::Benign,
    InvestigationState::Failed,
    InvestigationState::PartiallyRemediated,
    InvestigationState::PartiallyInvestigated,
    InvestigationState::TerminatedByUser,
    InvestigationState::TerminatedBySystem,
    InvestigationState::InnerFailure,
    InvestigationState::PreexistingAlert,
    InvestigationState::UnsupportedOs,
    InvestigationState::UnsupportedAlertType,
    InvestigationState::SuppressedAlert,
    InvestigationState::Disabled,
];

/// Whether an investigation in this state can no longer change (see [`FINAL_STATES`]).
pub fn is_final(s: &InvestigationState) -> bool {
    FINAL_STATES.iter().any(|f| f.as_str() == s.as_str())
}

/// Settings of a watch besides its filter.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// Time between the starts of two ticks (at least [`MIN_INTERVAL`]; default [`DEFAULT_INTERVAL`]).
    pub interval: Duration,
    /// When and how often each call is retried.
    pub retry: RetryPolicy,
    /// Seed of the backoff jitter.
    pub jitter_seed: u64,
}

impl Default for WatchOptions {
    fn default() -> WatchOptions {
        WatchOptions { interval: DEFAULT_INTERVAL, retry: RetryPolicy::default(), jitter_seed: 0 }
    }
}

/// A change of the view.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WatchEvent {
    /// The whole view, first, in the service's order.
    Snapshot(Vec<Investigation>),
    /// An investigation that the filter now selects.
    Added(Box<Investigation>),
    /// An investigation of the view that changed (its state, its end, ...).
    Changed {
        /// As it is now.
        investigation: Box<Investigation>,
        /// As it was.
        previous: Box<Investigation>,
    },
    /// An investigation that the filter no longer selects (as it was last seen in the view).
    Removed(Box<Investigation>),
}

/// Why a watch waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum WatchWait {
    /// A call waits: the client's limiter, a `Retry-After`, or a backoff.
    Call(WaitCause),
    /// The view is current until the next tick.
    NextTick,
}

/// What the driver must do next.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
#[must_use = "an action tells the driver what to do next: send, wait, hand on an event, or stop"]
pub enum WatchAction {
    /// Send this request now, then report [`Watch::handle_response`] or [`Watch::handle_transport_error`].
    Send(Request),
    /// Sleep this long (abortably), then poll again.
    Wait {
        /// How long.
        duration: Duration,
        /// Why.
        cause: WatchWait,
    },
    /// A change to hand to the user.
    Event(WatchEvent),
    /// A tick could not complete (the error may pass: the network, the service): the view is unchanged, and
    /// the next tick starts over. Poll again.
    TickFailed(Error),
    /// Stopped for good: the error will not pass by waiting (a refused token or filter, a foreign link). The
    /// events handed out before stay valid.
    Fail(Error),
}

/// The calls of a tick, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// The first listing of the open investigations (every page).
    SnapshotOpen,
    /// The first listing of the view (every page), after the open ones.
    SnapshotView,
    /// A tick's first call: the new ones.
    New,
    /// A tick's second call: the open ones.
    Open,
    /// A tick's third call: the ones that left the open set.
    Left,
}

#[derive(Debug, Clone)]
enum Phase {
    /// A call (or, at the start, a whole listing) in progress, with what it read so far.
    Calling { step: Step, listing: Box<Listing>, read: Vec<Investigation> },
    /// Nothing to do before this instant.
    Waiting { until_ms: u64 },
    /// Not started: the first poll starts it.
    Idle,
    /// The tick's call failed for a reason that may pass: told once ([`Watch::tick_failure`]), then the watch
    /// waits until `until_ms` as after a tick.
    TickFailed { until_ms: u64, why: Failure },
    /// Stopped for good.
    Failed(Failure),
}

/// Why a tick or the watch failed: the failed listing of its call, whose error is read where it is (no copy of
/// it in the wasm module), or an error of the watch's own.
#[derive(Debug, Clone)]
enum Failure {
    Call(Box<Listing>),
    Own(Error),
}

impl Failure {
    fn error(&self) -> Option<&Error> {
        match self {
            Failure::Call(listing) => listing.failure(),
            Failure::Own(e) => Some(e),
        }
    }
}

/// What a tick read, kept until its last call.
#[derive(Debug, Clone, Default)]
struct Tick {
    /// When it started (the next starts an interval later).
    started_ms: u64,
    /// Everything read, in order (duplicates possible across calls: the last read wins).
    read: Vec<Investigation>,
    /// Ids read by the open call (`None` until it completed).
    open_now: Option<Ids>,
    /// Ids looked up by the third call.
    looked_up: Vec<String>,
    /// Whether the new call's page was full.
    new_page_full: bool,
    /// The newest `startTime` after the new call: the watch's, or a newer one that the call read.
    new_newest: Option<Timestamp>,
}

/// The watch state machine. See the module docs.
#[derive(Debug, Clone)]
pub struct Watch {
    base: BaseUrl,
    filter: Option<Filter>,
    interval: Duration,
    retry: RetryPolicy,
    jitter_seed: u64,
    /// The view: what the filter selects, in no order (the snapshot is ordered).
    view: ById,
    /// Ids of the investigations known to be open.
    open: Ids,
    /// Ids that left the open set and are still to be looked up.
    left: Vec<String>,
    /// The newest `startTime` read by the listing of the view or by a call for new ones (the bound of the next).
    newest: Option<Timestamp>,
    /// Where the next "new ones" call starts when the last one brought a full page.
    new_skip: u64,
    /// Whether the snapshot was handed out.
    snapshot_sent: bool,
    tick: Tick,
    /// Events to hand out, the next one last: a tick pushes its events in order and [`Watch::end_tick`] turns
    /// them around (a `Vec` rather than a `VecDeque`: less code in the wasm module). Empty whenever a tick
    /// pushes: `poll` hands every event out before the tick goes on.
    events: Vec<WatchEvent>,
    phase: Phase,
    ticks: u64,
}

/// A set of ids: a vector sorted by bytes without duplicates, looked up by binary search, changed once a tick
/// ([`Ids::update`]) rather than an id at a time. Sorted vectors instead of hash tables keep hash table code out of
/// the wasm module (issue 16, point 6: the module's size as applications pay it); measured in BENCHMARKS.md.
#[derive(Debug, Clone, Default)]
struct Ids(Vec<String>);

impl Ids {
    /// The set of `ids` (in any order, duplicates allowed).
    fn new(mut ids: Vec<String>) -> Ids {
        ids.sort_unstable();
        ids.dedup();
        Ids(ids)
    }

    /// The ids of the investigations in `parts` (only of the open ones when `open_only`), gathered in one
    /// non-generic loop for every caller.
    fn of(parts: &[&[Investigation]], open_only: bool) -> Ids {
        let mut ids = Vec::new();
        for inv in parts.iter().flat_map(|part| part.iter()) {
            if !(open_only && is_final(&inv.state)) {
                ids.push(inv.id.clone());
            }
        }
        Ids::new(ids)
    }

    fn contains(&self, id: &str) -> bool {
        self.0.binary_search_by(|x| x.as_str().cmp(id)).is_ok()
    }

    fn iter(&self) -> std::slice::Iter<'_, String> {
        self.0.iter()
    }

    fn remove(&mut self, id: &str) {
        if let Ok(at) = self.0.binary_search_by(|x| x.as_str().cmp(id)) {
            self.0.remove(at);
        }
    }

    /// The set with `added` in and `removed` out (`added` and `removed` apart), in one sort.
    fn update(&mut self, added: Vec<String>, removed: &Ids) {
        retain_ids(&mut self.0, &|i| !removed.contains(i));
        self.0.extend(added);
        self.0.sort_unstable();
        self.0.dedup();
    }
}

impl FromIterator<String> for Ids {
    fn from_iter<I: IntoIterator<Item = String>>(iter: I) -> Ids {
        Ids::new(iter.into_iter().collect())
    }
}

impl IntoIterator for Ids {
    type Item = String;
    type IntoIter = std::vec::IntoIter<String>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// Investigations by id: a vector sorted by id (bytes) with one investigation per id, like [`Ids`].
#[derive(Debug, Clone, Default)]
struct ById(Vec<Investigation>);

impl ById {
    /// The map of `items`; of investigations with the same id, the last one wins (as inserting them one by one
    /// into a map would).
    fn new(mut items: Vec<Investigation>) -> ById {
        // Reversed, then sorted stably: of each id, the last one comes first, and `dedup_by` keeps the first.
        items.reverse();
        sort_by(&mut items, by_id);
        items.dedup_by(|later, kept| later.id == kept.id);
        ById(items)
    }

    fn at(&self, id: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|i| i.id.as_str().cmp(id))
    }

    #[cfg(test)]
    fn get(&self, id: &str) -> Option<&Investigation> {
        self.at(id).ok().map(|at| &self.0[at])
    }

    /// Puts `inv` in the place of the investigation with its id, which must be there; returns that one.
    #[cfg(test)]
    fn replace(&mut self, inv: Investigation) -> Option<Investigation> {
        let at = self.at(&inv.id).ok()?;
        Some(std::mem::replace(&mut self.0[at], inv))
    }

    fn remove(&mut self, id: &str) -> Option<Investigation> {
        self.at(id).ok().map(|at| self.0.remove(at))
    }

    #[cfg(test)]
    fn values(&self) -> std::slice::Iter<'_, Investigation> {
        self.0.iter()
    }

    /// The map with `added` in (ids not in it) and the ids `removed` out, in one sort.
    fn update(&mut self, added: Vec<Investigation>, removed: &Ids) {
        self.0.retain(|i| !removed.contains(&i.id));
        self.0.extend(added);
        sort_by(&mut self.0, by_id);
    }
}

/// Of investigations with the same id, the last one wins (see [`ById::new`]).
impl FromIterator<Investigation> for ById {
    fn from_iter<I: IntoIterator<Item = Investigation>>(iter: I) -> ById {
        ById::new(iter.into_iter().collect())
    }
}

/// The start of every watch resume token.
const TOKEN_PREFIX: &str = "mdeW1.";

impl Watch {
    /// A watch of `filter` (every investigation without one). Fails with [`Error::InvalidConfig`] for an interval
    /// shorter than [`MIN_INTERVAL`].
    pub fn new(base: BaseUrl, filter: Option<Filter>, options: WatchOptions) -> Result<Watch, Error> {
        if options.interval < MIN_INTERVAL {
            return Err(Error::InvalidConfig {
                message: format!("the interval must be at least {} ms", millis(MIN_INTERVAL)),
            });
        }
        Ok(Watch {
            base,
            filter,
            interval: options.interval,
            retry: options.retry,
            jitter_seed: options.jitter_seed,
            view: ById::default(),
            open: Ids::default(),
            left: Vec::new(),
            newest: None,
            new_skip: 0,
            snapshot_sent: false,
            tick: Tick::default(),
            events: Vec::new(),
            phase: Phase::Idle,
            ticks: 0,
        })
    }

    /// The filter watched.
    pub fn filter(&self) -> Option<&Filter> {
        self.filter.as_ref()
    }

    /// The view as it stands (what the events handed out so far describe), in the service's order.
    pub fn view(&self) -> Vec<Investigation> {
        sorted(self.view.0.clone())
    }

    /// Ticks completed.
    pub fn ticks(&self) -> u64 {
        self.ticks
    }

    /// Why the watch failed, once it has.
    pub fn failure(&self) -> Option<&Error> {
        match &self.phase {
            Phase::Failed(why) => why.error(),
            _ => None,
        }
    }

    /// Why the tick failed, right after [`Watch::poll_unfinished`] returned `None` for it (until the next poll).
    pub fn tick_failure(&self) -> Option<&Error> {
        match &self.phase {
            Phase::TickFailed { why, .. } => why.error(),
            _ => None,
        }
    }

    /// What the driver must do next. `now_ms` is the wall clock in milliseconds since the Unix epoch.
    pub fn poll(&mut self, now_ms: u64, limiter: &mut RateLimiter) -> WatchAction {
        if let Some(action) = self.poll_unfinished(now_ms, limiter) {
            return action;
        }
        match (self.failure(), self.tick_failure()) {
            (Some(e), _) => WatchAction::Fail(e.clone()),
            (None, Some(e)) => WatchAction::TickFailed(e.clone()),
            (None, None) => WatchAction::Fail(Error::Misuse { message: "the watch stopped without an error" }),
        }
    }

    /// [`Watch::poll`], but instead of [`WatchAction::TickFailed`] and [`WatchAction::Fail`] `None`: then
    /// [`Watch::tick_failure`] or [`Watch::failure`] tells the error, without a copy of it.
    #[must_use = "the action tells the driver what to do next"]
    pub fn poll_unfinished(&mut self, now_ms: u64, limiter: &mut RateLimiter) -> Option<WatchAction> {
        loop {
            if let Some(event) = self.events.pop() {
                return Some(WatchAction::Event(event));
            }
            match &mut self.phase {
                Phase::Failed(_) => return None,
                Phase::TickFailed { until_ms, .. } => self.phase = Phase::Waiting { until_ms: *until_ms },
                Phase::Waiting { until_ms } if now_ms < *until_ms => {
                    let duration = Duration::from_millis(*until_ms - now_ms);
                    return Some(WatchAction::Wait { duration, cause: WatchWait::NextTick });
                }
                // A tick starts.
                Phase::Idle | Phase::Waiting { .. } => {
                    let step = if self.snapshot_sent { Step::New } else { Step::SnapshotOpen };
                    self.tick = Tick { started_ms: now_ms, ..Tick::default() };
                    self.begin(step);
                }
                Phase::Calling { step, listing, read } => match listing.poll_unfinished(now_ms, limiter) {
                    Some(Action::Send(request)) => return Some(WatchAction::Send(request)),
                    Some(Action::Wait { duration, cause }) => {
                        return Some(WatchAction::Wait { duration, cause: WatchWait::Call(cause) })
                    }
                    Some(Action::Page(items)) => read.extend(items),
                    Some(Action::Fail(e)) => return self.fail(Failure::Own(e)),
                    None if listing.failure().is_some() => {
                        if let Phase::Calling { listing, .. } = std::mem::replace(&mut self.phase, Phase::Idle) {
                            return self.fail(Failure::Call(listing));
                        }
                    }
                    // Done (a listing has no other action).
                    _ => {
                        let (step, read) = (*step, std::mem::take(read));
                        self.finish_call(step, read, now_ms);
                    }
                },
            }
        }
    }

    /// The call failed: the watch stops when waiting will not help, otherwise the tick is dropped and the next
    /// starts over (the snapshot, if it was not made). `None`: what [`Watch::poll_unfinished`] returns for it.
    fn fail(&mut self, why: Failure) -> Option<WatchAction> {
        self.phase = if why.error().is_some_and(fatal) {
            Phase::Failed(why)
        } else {
            Phase::TickFailed { until_ms: self.tick.started_ms.saturating_add(millis(self.interval)), why }
        };
        None
    }

    /// Reports the HTTP response to the last [`WatchAction::Send`].
    pub fn handle_response(&mut self, now_ms: u64, limiter: &mut RateLimiter, response: &Response<'_>) {
        if let Phase::Calling { listing, .. } = &mut self.phase {
            listing.handle_response(now_ms, limiter, response);
        }
    }

    /// Reports that the last [`WatchAction::Send`] got no HTTP response.
    pub fn handle_transport_error(&mut self, now_ms: u64, message: &str) {
        if let Phase::Calling { listing, .. } = &mut self.phase {
            listing.handle_transport_error(now_ms, message);
        }
    }

    /// Reports that the response to the last [`WatchAction::Send`] has a body longer than
    /// [`MAX_BODY_BYTES`](crate::decode::MAX_BODY_BYTES).
    pub fn handle_body_too_large(&mut self) {
        if let Phase::Calling { listing, .. } = &mut self.phase {
            listing.handle_body_too_large();
        }
    }

    /// Starts the call of `step`.
    fn begin(&mut self, step: Step) {
        let (filter, top, skip) = match step {
            Step::SnapshotView => (self.filter.clone(), None, 0),
            Step::SnapshotOpen => (Some(open_filter()), None, 0),
            Step::New => {
                let since = self.newest.map(|t| start_time().ge(t));
                // The selected ones and the open ones (without a filter, every one is selected).
                let wanted = self.filter.clone().map(|f| f.or(open_filter()));
                let filter = match (wanted, since) {
                    (Some(f), Some(s)) => Some(f.and(s)),
                    (f, s) => f.or(s),
                };
                (filter, Some(MAX_PAGE_SIZE), self.new_skip)
            }
            Step::Open => (Some(open_filter()), Some(MAX_PAGE_SIZE), 0),
            Step::Left => {
                let ids = self.left[..self.left.len().min(MAX_IDS_PER_CALL)].to_vec();
                let mut filter = None;
                for i in &ids {
                    let this = id().eq(i.as_str());
                    filter = Some(match filter {
                        Some(f) => Filter::or(f, this),
                        None => this,
                    });
                }
                self.tick.looked_up = ids;
                (filter, Some(MAX_PAGE_SIZE), 0)
            }
        };
        let query = ListQuery { filter, top: top.and_then(|t| Top::new(t).ok()), skip };
        let options = ListingOptions {
            page_size: MAX_PAGE_SIZE,
            snapshot_at: None,
            retry: self.retry.clone(),
            jitter_seed: self.jitter_seed ^ self.ticks.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ step as u64,
        };
        match Listing::new(self.base.clone(), query, options) {
            Ok(listing) => self.phase = Phase::Calling { step, listing: Box::new(listing), read: Vec::new() },
            Err(e) => self.phase = Phase::Failed(Failure::Own(e)),
        }
    }

    /// A call (or the snapshot's listing) has read everything it asked for.
    fn finish_call(&mut self, step: Step, read: Vec<Investigation>, now_ms: u64) {
        match step {
            Step::SnapshotOpen => {
                self.tick.read = read;
                self.begin(Step::SnapshotView);
            }
            Step::SnapshotView => {
                let (open, view) = (std::mem::take(&mut self.tick.read), read);
                // Open in either listing: one that the view's listing (the later one) read open may end before the
                // next tick, which then looks it up.
                self.open = Ids::of(&[&open, &view], true);
                // The open listing's, the first (see the module docs).
                self.newest = newest(None, &open);
                self.view = ById::new(view.clone());
                self.events.push(WatchEvent::Snapshot(sorted(view)));
                self.snapshot_sent = true;
                self.end_tick(now_ms);
            }
            Step::New => {
                self.tick.new_page_full = read.len() >= MAX_PAGE_SIZE as usize;
                self.tick.new_newest = newest(self.newest, &read);
                self.tick.read.extend(read);
                self.begin(Step::Open);
            }
            Step::Open => {
                let full = read.len() >= MAX_PAGE_SIZE as usize;
                let now = Ids::of(&[&read], true);
                // Those that left the open set are looked up: the open ones of the last tick, and those that the new
                // call read open (it came first: they may have ended since), unless the new call read them final.
                let (read_open, read_any) = (Ids::of(&[&self.tick.read], true), Ids::of(&[&self.tick.read], false));
                for gone in self.open.iter().chain(read_open.iter()) {
                    let read_final = read_any.contains(gone) && !read_open.contains(gone);
                    if !now.contains(gone) && !read_final && !self.left.contains(gone) {
                        self.left.push(gone.clone());
                    }
                }
                self.tick.read.extend(read);
                // A full page may not hold every open investigation: then nothing is concluded from it.
                self.tick.open_now = if full { None } else { Some(now) };
                if full {
                    self.left.clear();
                }
                if self.left.is_empty() {
                    self.apply(now_ms);
                } else {
                    self.begin(Step::Left);
                }
            }
            Step::Left => {
                let looked_up = std::mem::take(&mut self.tick.looked_up);
                retain_ids(&mut self.left, &|i| !looked_up.contains(i));
                let found = Ids::of(&[&read], false);
                // Not found: gone from the service (the view loses it).
                for missing in &looked_up {
                    if found.contains(missing) {
                        continue;
                    }
                    if let Some(was) = self.view.remove(missing) {
                        self.events.push(WatchEvent::Removed(Box::new(was)));
                    }
                    self.open.remove(missing);
                }
                self.tick.read.extend(read);
                self.apply(now_ms);
            }
        }
    }

    /// Applies what the tick read to the view and the open set, queuing the events, and ends the tick.
    fn apply(&mut self, now_ms: u64) {
        let read = std::mem::take(&mut self.tick.read);
        // The last read of an id wins (the open call comes after the new one): each id once below, so the changes
        // of the open set and of the view are gathered and made at once after the loop.
        let latest = ById::new(read);
        if !self.tick.new_page_full {
            self.newest = self.tick.new_newest;
        }
        let (mut opened, mut closed) = (Vec::new(), Vec::new());
        let (mut added, mut removed) = (Vec::new(), Vec::new());
        for inv in sorted(latest.0) {
            let ids = if is_final(&inv.state) { &mut closed } else { &mut opened };
            ids.push(inv.id.clone());
            let matches = self.filter.as_ref().is_none_or(|f| f.matches(&inv));
            let event = match (self.view.at(&inv.id), matches) {
                (Err(_), true) => {
                    added.push(inv.clone());
                    WatchEvent::Added(Box::new(inv))
                }
                (Ok(at), true) if self.view.0[at] != inv => {
                    let previous = Box::new(std::mem::replace(&mut self.view.0[at], inv.clone()));
                    WatchEvent::Changed { investigation: Box::new(inv), previous }
                }
                (Ok(at), false) => {
                    removed.push(inv.id);
                    WatchEvent::Removed(Box::new(self.view.0[at].clone()))
                }
                _ => continue,
            };
            self.events.push(event);
        }
        self.open.update(opened, &Ids::new(closed));
        self.view.update(added, &Ids::new(removed));
        if let Some(now) = self.tick.open_now.take() {
            // The open ones now, and those still to be looked up.
            retain_ids(&mut self.open.0, &|i| self.left.contains(i));
            self.open.update(now.0, &Ids::default());
        }
        self.new_skip = if self.tick.new_page_full { self.new_skip + u64::from(MAX_PAGE_SIZE) } else { 0 };
        self.end_tick(now_ms);
    }

    fn end_tick(&mut self, _now_ms: u64) {
        // The tick's events, pushed in order, are handed out from the end.
        self.events.reverse();
        self.ticks += 1;
        self.phase = Phase::Waiting { until_ms: self.tick.started_ms.saturating_add(millis(self.interval)) };
    }

    /// A string from which [`Watch::resume`] continues: the filter, the view, the open set and the newest start
    /// time (no token or secret). Taken between ticks, it continues with the next one; taken in a tick, the tick
    /// starts over. It holds the view: its size grows with the view's.
    pub fn resume_token(&self) -> String {
        use crate::decode::write_json_string as string;
        let mut out = String::from(TOKEN_PREFIX);
        out.push_str("{\"filter\":");
        match &self.filter {
            Some(f) => string(&f.to_odata(), &mut out),
            None => out.push_str("null"),
        }
        out.push_str(",\"interval\":");
        out.push_str(&millis(self.interval).to_string());
        out.push_str(",\"newest\":");
        match self.newest {
            Some(t) => string(&t.to_string(), &mut out),
            None => out.push_str("null"),
        }
        out.push_str(",\"snapshot\":");
        out.push_str(if self.snapshot_sent { "true" } else { "false" });
        out.push_str(",\"open\":[");
        let mut open = self.open.clone();
        open.update(self.left.clone(), &Ids::default());
        for (i, id) in open.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            string(id, &mut out);
        }
        // The view as it is kept, by id (no copy): `resume` hands it out in the service's order.
        out.push_str("],\"view\":[");
        for (i, inv) in self.view.0.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            inv.write_json(&mut out);
        }
        out.push_str("]}");
        out
    }

    /// Continues a watch from [`Watch::resume_token`]: same filter and interval, the view as it was (handed out
    /// again first as a [`WatchEvent::Snapshot`], so that a new consumer has it), and the next tick at once.
    /// Retry settings and seed come from `options` (its interval is the token's).
    pub fn resume(base: BaseUrl, token: &str, options: WatchOptions) -> Result<Watch, Error> {
        let invalid = |reason: String| Error::InvalidResumeToken { reason };
        let json = token
            .strip_prefix(TOKEN_PREFIX)
            .ok_or_else(|| invalid(format!("it does not start with {TOKEN_PREFIX}")))?;
        let doc = Node::parse(json.as_bytes()).map_err(|e| invalid(e.to_string()))?;
        let text = |name: &str| match doc.get(name) {
            Some(Node::Str(s)) => Ok(Some(s.as_str())),
            Some(Node::Null) | None => Ok(None),
            Some(other) => Err(invalid(format!("`{name}`: expected a string, found {}", other.kind()))),
        };
        let lenient = ParseOptions::LENIENT_STATES;
        let filter = match text("filter")? {
            Some(t) => Some(Filter::parse_with(t, &lenient).map_err(|e| invalid(format!("its filter: {e}")))?),
            None => None,
        };
        let newest = match text("newest")? {
            Some(t) => Some(Timestamp::parse(t).map_err(|e| invalid(format!("`newest`: {e}")))?),
            None => None,
        };
        let interval = match doc.get("interval") {
            Some(Node::UInt(ms)) => Duration::from_millis(*ms),
            _ => return Err(invalid("`interval`: expected a number of milliseconds".into())),
        };
        let snapshot_sent = matches!(doc.get("snapshot"), Some(Node::Bool(true)));
        let Some(Node::Array(items)) = doc.get("open") else {
            return Err(invalid("`open`: expected an array of ids".into()));
        };
        let mut open = Vec::with_capacity(items.len());
        for item in items {
            let Node::Str(id) = item else { return Err(invalid("`open`: expected ids".into())) };
            open.push(id.clone());
        }
        let view = match doc.get("view") {
            Some(array @ Node::Array(_)) => {
                let page = format!("{{\"value\":{}}}", array.to_json());
                decode_page(page.as_bytes()).map_err(|e| invalid(format!("`view`: {e}")))?.value
            }
            _ => return Err(invalid("`view`: expected an array of investigations".into())),
        };
        let mut watch = Watch::new(base, filter, WatchOptions { interval, ..options })?;
        watch.newest = newest;
        watch.open = Ids::new(open);
        if snapshot_sent {
            watch.view = ById::new(view.clone());
            watch.events.push(WatchEvent::Snapshot(sorted(view)));
            watch.snapshot_sent = true;
        }
        Ok(watch)
    }
}

/// `not final`: every state but the final ones, as OData 4.0 writes it (an undocumented state is open too).
fn open_filter() -> Filter {
    let mut filter = state().ne(FINAL_STATES[0].clone());
    for s in &FINAL_STATES[1..] {
        filter = filter.and(state().ne(s.clone()));
    }
    filter
}

/// Whether waiting will not help: the watch stops.
fn fatal(e: &Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::Unauthorized
            | ErrorKind::Forbidden
            | ErrorKind::InvalidQuery
            | ErrorKind::InvalidConfig
            | ErrorKind::ForeignOrigin
    )
}

/// The service's order: `startTime` descending (missing last), then `id` descending (ordinally).
fn sorted(mut items: Vec<Investigation>) -> Vec<Investigation> {
    sort_by(&mut items, |a, b| {
        let by_time = match (&a.start_time, &b.start_time) {
            (Some(x), Some(y)) => y.cmp(x),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        by_time.then_with(|| crate::filter::compare_ordinal(&b.id, &a.id))
    });
    items
}

/// The newest of `newest` and the start times of `items`.
fn newest(mut newest: Option<Timestamp>, items: &[Investigation]) -> Option<Timestamp> {
    for t in items.iter().filter_map(|i| i.start_time) {
        newest = Some(newest.map_or(t, |n| n.max(t)));
    }
    newest
}

/// Keeps the ids for which `keep` holds: one copy of `retain` for every set of ids.
fn retain_ids(ids: &mut Vec<String>, keep: &dyn Fn(&String) -> bool) {
    ids.retain(keep);
}

/// By id (bytes).
fn by_id(a: &Investigation, b: &Investigation) -> Ordering {
    a.id.cmp(&b.id)
}

/// A stable sort of investigations: one copy of the sort in the module for every order.
fn sort_by(items: &mut [Investigation], order: fn(&Investigation, &Investigation) -> Ordering) {
    items.sort_by(order);
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn final_states_are_documented_ones_and_the_rest_is_open() {
        for s in InvestigationState::KNOWN {
            let open = matches!(
                s,
                InvestigationState::Running
                    | InvestigationState::Queued
                    | InvestigationState::PendingApproval
                    | InvestigationState::PendingResource
                    | InvestigationState::Unknown
            );
            assert_eq!(is_final(s), !open, "{s}");
        }
        assert!(!is_final(&InvestigationState::Other("AwaitingSomething".into())));
        let text = open_filter().to_odata();
        assert!(text.starts_with("state ne 'Terminated' and state ne 'SuccessfullyRemediated'"), "{text}");
        assert_eq!(text.matches(" and ").count(), FINAL_STATES.len() - 1);
    }

    /// An investigation with an id from a small alphabet (so that ids repeat) and a version in `status_details`.
    fn inv(id: &str, version: u8) -> Investigation {
        Investigation {
            id: id.to_owned(),
            start_time: None,
            end_time: None,
            state: InvestigationState::Running,
            cancelled_by: None,
            status_details: Some(version.to_string()),
            machine_id: None,
            computer_dns_name: None,
            triggering_alert_id: None,
        }
    }

    proptest::proptest! {
        /// The sorted-vector set behaves as `BTreeSet` (the oracle): building, looking up, removing, updating.
        #[test]
        fn ids_behave_as_a_set(
            start in proptest::collection::vec("[a-e]{0,2}", 0..30),
            added in proptest::collection::vec("[a-e]{0,2}", 0..10),
            removed in proptest::collection::vec("[a-e]{0,2}", 0..10),
            gone in "[a-e]{0,2}",
        ) {
            use std::collections::BTreeSet;
            let mut ids: Ids = start.iter().cloned().collect();
            let mut oracle: BTreeSet<String> = start.iter().cloned().collect();
            proptest::prop_assert_eq!(ids.iter().cloned().collect::<Vec<_>>(), oracle.iter().cloned().collect::<Vec<_>>());
            ids.remove(&gone);
            oracle.remove(&gone);
            // `update` is given `added` and `removed` apart, as the watch gives them.
            let added: Vec<String> = added.into_iter().filter(|a| !removed.contains(a)).collect();
            ids.update(added.clone(), &removed.iter().cloned().collect());
            oracle.retain(|i| !removed.contains(i));
            oracle.extend(added);
            for probe in ["", "a", "ab", "e", "ee", "c"] {
                proptest::prop_assert_eq!(ids.contains(probe), oracle.contains(probe));
            }
            proptest::prop_assert_eq!(ids.into_iter().collect::<Vec<_>>(), oracle.into_iter().collect::<Vec<_>>());
        }

        /// The sorted-vector map behaves as a `BTreeMap` filled one insert at a time (the last of an id wins).
        #[test]
        fn by_id_behaves_as_a_map(
            start in proptest::collection::vec(("[a-e]{0,2}", 0u8..4), 0..30),
            added in proptest::collection::vec(("[f-h]{1,2}", 0u8..4), 0..10),
            changed in ("[a-e]{0,2}", 4u8..8),
            removed in proptest::collection::vec("[a-e]{0,2}", 0..10),
        ) {
            use std::collections::BTreeMap;
            let mut map: ById = start.iter().map(|(id, v)| inv(id, *v)).collect();
            let mut oracle: BTreeMap<String, Investigation> = BTreeMap::new();
            for (id, v) in &start {
                oracle.insert(id.clone(), inv(id, *v));
            }
            proptest::prop_assert_eq!(map.values().cloned().collect::<Vec<_>>(), oracle.values().cloned().collect::<Vec<_>>());
            let (id, v) = changed;
            proptest::prop_assert_eq!(map.replace(inv(&id, v)), oracle.get_mut(&id).map(|slot| std::mem::replace(slot, inv(&id, v))));
            let first = start.first().map(|(id, _)| id.clone()).unwrap_or_default();
            proptest::prop_assert_eq!(map.remove(&first), oracle.remove(&first));
            // New ids only (another alphabet), each once, as the watch adds them.
            let added: ById = added.iter().map(|(id, v)| inv(id, *v)).collect();
            map.update(added.0.clone(), &removed.iter().cloned().collect());
            oracle.retain(|i, _| !removed.contains(i));
            oracle.extend(added.0.into_iter().map(|i| (i.id.clone(), i)));
            for probe in ["", "a", "ab", "f", "gh", "c"] {
                proptest::prop_assert_eq!(map.get(probe), oracle.get(probe));
            }
            proptest::prop_assert_eq!(map.values().cloned().collect::<Vec<_>>(), oracle.into_values().collect::<Vec<_>>());
        }
    }

    /// `poll_unfinished` tells a failed tick once by `None` (its error read with `tick_failure`), then waits for
    /// the next tick; a failure that will not pass is told by `None` for good (`failure`), as `poll` tells both.
    #[test]
    fn poll_unfinished_tells_failures_by_none() {
        use crate::limiter::RateLimitConfig;
        let base = BaseUrl::parse("https://api.security.microsoft.com").unwrap();
        let retry = RetryPolicy { max_attempts: 1, ..RetryPolicy::default() };
        let options = WatchOptions { interval: Duration::from_secs(1), retry, jitter_seed: 0 };
        let mut limiter = RateLimiter::new(RateLimitConfig::default());
        let mut watch = Watch::new(base, None, options).unwrap();
        assert!(matches!(watch.poll_unfinished(0, &mut limiter), Some(WatchAction::Send(_))));
        watch.handle_transport_error(0, "reset");
        assert!(watch.poll_unfinished(0, &mut limiter).is_none());
        assert_eq!(watch.tick_failure().map(Error::kind), Some(ErrorKind::Network));
        assert!(watch.failure().is_none());
        let next = watch.poll_unfinished(10, &mut limiter);
        assert!(matches!(next, Some(WatchAction::Wait { cause: WatchWait::NextTick, .. })), "{next:?}");
        assert!(watch.tick_failure().is_none());
        assert!(matches!(watch.poll_unfinished(1_000, &mut limiter), Some(WatchAction::Send(_))));
        let body = br#"{"error":{"code":"Unauthorized","message":"no"}}"#;
        let response = Response { status: 401, retry_after: None, retry_after_ms: None, body };
        watch.handle_response(1_000, &mut limiter, &response);
        assert!(watch.poll_unfinished(1_000, &mut limiter).is_none());
        assert_eq!(watch.failure().map(Error::kind), Some(ErrorKind::Unauthorized));
        assert!(watch.poll_unfinished(5_000, &mut limiter).is_none(), "it stays failed");
        assert!(matches!(watch.poll(5_000, &mut limiter), WatchAction::Fail(e) if e.kind() == ErrorKind::Unauthorized));
    }

    /// An interval as long as a `Duration` (or a token's `u64::MAX` milliseconds) waits until the end of `u64`
    /// time, after a tick that completed and after one that failed: it neither overflows nor wraps to no wait.
    #[test]
    fn a_huge_interval_waits_without_overflow() {
        use crate::limiter::RateLimitConfig;
        let base = BaseUrl::parse("https://api.security.microsoft.com").unwrap();
        let mut limiter = RateLimiter::new(RateLimitConfig::default());
        let now = 1_750_000_000_000u64;
        let until_the_end =
            WatchAction::Wait { duration: Duration::from_millis(u64::MAX - now - 1), cause: WatchWait::NextTick };
        let options = WatchOptions { interval: Duration::MAX, ..WatchOptions::default() };
        let mut watch = Watch::new(base.clone(), None, options).unwrap();
        let empty = Response { status: 200, retry_after: None, retry_after_ms: None, body: br#"{"value":[]}"# };
        for _ in 0..2 {
            assert!(matches!(watch.poll(now, &mut limiter), WatchAction::Send(_)));
            watch.handle_response(now, &mut limiter, &empty);
        }
        assert!(matches!(watch.poll(now, &mut limiter), WatchAction::Event(WatchEvent::Snapshot(_))));
        assert_eq!(watch.poll(now + 1, &mut limiter), until_the_end);

        let token = r#"mdeW1.{"filter":null,"interval":18446744073709551615,"newest":null,"snapshot":true,"open":[],"view":[]}"#;
        let retry = RetryPolicy { max_attempts: 1, ..RetryPolicy::default() };
        let mut watch = Watch::resume(base, token, WatchOptions { retry, ..WatchOptions::default() }).unwrap();
        assert!(matches!(watch.poll(now, &mut limiter), WatchAction::Event(WatchEvent::Snapshot(_))));
        assert!(matches!(watch.poll(now, &mut limiter), WatchAction::Send(_)));
        watch.handle_transport_error(now, "reset");
        assert!(matches!(watch.poll(now, &mut limiter), WatchAction::TickFailed(_)));
        assert_eq!(watch.poll(now + 1, &mut limiter), until_the_end);
    }

    #[test]
    fn an_interval_below_the_minimum_is_refused() {
        let base = BaseUrl::parse("https://api.security.microsoft.com").unwrap();
        let options = WatchOptions { interval: Duration::from_millis(99), ..WatchOptions::default() };
        assert!(matches!(Watch::new(base, None, options), Err(Error::InvalidConfig { .. })));
    }
}

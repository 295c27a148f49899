//! [`Watch`]: the sans-I/O state machine that keeps the view of a filter current, beside [`Listing`].
//!
//! The API can only list. A watch first lists the view (everything the filter selects) and, apart, every
//! investigation that can still change (not in a final state: see [`is_final`]). Then, every interval, a *tick*
//! makes at most three calls, whatever the number of investigations:
//!
//! 1. **New ones**: `filter and startTime ge T`, `T` the newest `startTime` seen (`ge`, not `gt`: others may
//!    share it; those already seen are recognised by their id).
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
//! The methods fall in the families of [`Listing`]'s: [`Watch::poll`] for what the driver must do next,
//! `handle_*` for what arrives, getters ([`Watch::view`], [`Watch::resume_token`]).

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
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
    /// The first listing of the view (every page).
    SnapshotView,
    /// The first listing of the open investigations (every page).
    SnapshotOpen,
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
    Calling {
        step: Step,
        listing: Box<Listing>,
        read: Vec<Investigation>,
    },
    /// Nothing to do before this instant.
    Waiting {
        until_ms: u64,
    },
    /// Not started: the first poll starts it.
    Idle,
    Failed(Error),
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
    /// The newest `startTime` seen.
    newest: Option<Timestamp>,
    /// Where the next "new ones" call starts when the last one brought a full page.
    new_skip: u64,
    /// Whether the snapshot was handed out.
    snapshot_sent: bool,
    tick: Tick,
    events: std::collections::VecDeque<WatchEvent>,
    phase: Phase,
    ticks: u64,
}

/// The hasher of the watch's sets and maps: the multiply-rotate hash of the listing's id set instead of the
/// standard library's SipHash, for a smaller wasm module. Measured on the npm package's module: SipHash, its
/// random keys and the four map types this file had cost 5,769 bytes more than this hasher and two map types
/// (2,132 bytes of gzip in the browser entry); `BTreeMap`/`BTreeSet` instead cost 18,842 bytes more. What
/// SipHash's keys would buy, resistance to chosen collisions, is not there on `wasm32-unknown-unknown` anyway (no
/// entropy source), and the worst that a service choosing colliding ids could do is slow its own watch.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0 = crate::listing::id_set::hash_from(self.0, bytes);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A set of ids (every set of the watch is one: one instantiation of the set's code).
type Ids = HashSet<String, BuildHasherDefault<IdHasher>>;

/// Investigations by id (the view, and a tick's latest reads).
type ById = HashMap<String, Investigation, BuildHasherDefault<IdHasher>>;

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
            events: std::collections::VecDeque::new(),
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
        sorted(self.view.values().cloned().collect())
    }

    /// Ticks completed.
    pub fn ticks(&self) -> u64 {
        self.ticks
    }

    /// Why the watch failed, once it has.
    pub fn failure(&self) -> Option<&Error> {
        match &self.phase {
            Phase::Failed(e) => Some(e),
            _ => None,
        }
    }

    /// What the driver must do next. `now_ms` is the wall clock in milliseconds since the Unix epoch.
    pub fn poll(&mut self, now_ms: u64, limiter: &mut RateLimiter) -> WatchAction {
        loop {
            if let Some(event) = self.events.pop_front() {
                return WatchAction::Event(event);
            }
            match &mut self.phase {
                Phase::Failed(e) => return WatchAction::Fail(e.clone()),
                Phase::Idle => {
                    let step = if self.snapshot_sent { Step::New } else { Step::SnapshotView };
                    self.tick = Tick { started_ms: now_ms, ..Tick::default() };
                    self.begin(step);
                }
                Phase::Waiting { until_ms } => {
                    if now_ms < *until_ms {
                        let duration = Duration::from_millis(*until_ms - now_ms);
                        return WatchAction::Wait { duration, cause: WatchWait::NextTick };
                    }
                    let step = if self.snapshot_sent { Step::New } else { Step::SnapshotView };
                    self.tick = Tick { started_ms: now_ms, ..Tick::default() };
                    self.begin(step);
                }
                Phase::Calling { step, listing, read } => match listing.poll(now_ms, limiter) {
                    Action::Send(request) => return WatchAction::Send(request),
                    Action::Wait { duration, cause } => {
                        return WatchAction::Wait { duration, cause: WatchWait::Call(cause) }
                    }
                    Action::Page(items) => read.extend(items),
                    Action::Done => {
                        let (step, read) = (*step, std::mem::take(read));
                        self.finish_call(step, read, now_ms);
                    }
                    Action::Fail(e) => {
                        if fatal(&e) {
                            self.phase = Phase::Failed(e.clone());
                            return WatchAction::Fail(e);
                        }
                        // The tick is dropped: the next starts over (the snapshot, if it was not made).
                        self.phase = Phase::Waiting { until_ms: self.tick.started_ms + millis(self.interval) };
                        return WatchAction::TickFailed(e);
                    }
                },
            }
        }
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
                let filter = match (self.filter.clone(), since) {
                    (Some(f), Some(s)) => Some(f.and(s)),
                    (f, s) => f.or(s),
                };
                (filter, Some(MAX_PAGE_SIZE), self.new_skip)
            }
            Step::Open => (Some(open_filter()), Some(MAX_PAGE_SIZE), 0),
            Step::Left => {
                let ids: Vec<String> = self.left.iter().take(MAX_IDS_PER_CALL).cloned().collect();
                let filter = ids.iter().map(|i| id().eq(i.as_str())).reduce(Filter::or);
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
            Err(e) => self.phase = Phase::Failed(e),
        }
    }

    /// A call (or the snapshot's listing) has read everything it asked for.
    fn finish_call(&mut self, step: Step, read: Vec<Investigation>, now_ms: u64) {
        match step {
            Step::SnapshotView => {
                self.tick.read = read;
                self.begin(Step::SnapshotOpen);
            }
            Step::SnapshotOpen => {
                let view = std::mem::take(&mut self.tick.read);
                self.open = read.iter().filter(|i| !is_final(&i.state)).map(|i| i.id.clone()).collect();
                self.newest = view.iter().chain(&read).filter_map(|i| i.start_time).max();
                self.view = view.iter().map(|i| (i.id.clone(), i.clone())).collect();
                self.events.push_back(WatchEvent::Snapshot(sorted(view)));
                self.snapshot_sent = true;
                self.end_tick(now_ms);
            }
            Step::New => {
                self.tick.new_page_full = read.len() >= MAX_PAGE_SIZE as usize;
                self.tick.read.extend(read);
                self.begin(Step::Open);
            }
            Step::Open => {
                let full = read.len() >= MAX_PAGE_SIZE as usize;
                let now: Ids = read.iter().filter(|i| !is_final(&i.state)).map(|i| i.id.clone()).collect();
                // Those that left the open set are looked up, unless read meanwhile (a new call may have).
                let read_ids: Ids = self.tick.read.iter().chain(&read).map(|i| i.id.clone()).collect();
                for gone in self.open.iter().filter(|i| !now.contains(*i)) {
                    if !read_ids.contains(gone) && !self.left.contains(gone) {
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
                self.left.retain(|i| !looked_up.contains(i));
                let found: Ids = read.iter().map(|i| i.id.clone()).collect();
                // Not found: gone from the service (the view loses it).
                for missing in looked_up.iter().filter(|i| !found.contains(*i)) {
                    if let Some(was) = self.view.remove(missing) {
                        self.events.push_back(WatchEvent::Removed(Box::new(was)));
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
        // The last read of an id wins (the open call comes after the new one).
        let mut latest = ById::default();
        for inv in read {
            latest.insert(inv.id.clone(), inv);
        }
        for inv in sorted(latest.into_values().collect()) {
            if let Some(t) = inv.start_time {
                if !self.tick.new_page_full {
                    self.newest = Some(self.newest.map_or(t, |n| n.max(t)));
                }
            }
            if is_final(&inv.state) {
                self.open.remove(&inv.id);
            } else {
                self.open.insert(inv.id.clone());
            }
            let matches = self.filter.as_ref().is_none_or(|f| f.matches(&inv));
            match (self.view.get(&inv.id), matches) {
                (None, true) => {
                    self.view.insert(inv.id.clone(), inv.clone());
                    self.events.push_back(WatchEvent::Added(Box::new(inv)));
                }
                (Some(was), true) if *was != inv => {
                    let previous = self.view.insert(inv.id.clone(), inv.clone()).unwrap_or_else(|| inv.clone());
                    self.events
                        .push_back(WatchEvent::Changed { investigation: Box::new(inv), previous: Box::new(previous) });
                }
                (Some(_), false) => {
                    if let Some(was) = self.view.remove(&inv.id) {
                        self.events.push_back(WatchEvent::Removed(Box::new(was)));
                    }
                }
                _ => {}
            }
        }
        if let Some(now) = self.tick.open_now.take() {
            self.open = now.into_iter().chain(self.open.iter().filter(|i| self.left.contains(*i)).cloned()).collect();
        }
        self.new_skip = if self.tick.new_page_full { self.new_skip + u64::from(MAX_PAGE_SIZE) } else { 0 };
        self.end_tick(now_ms);
    }

    fn end_tick(&mut self, _now_ms: u64) {
        self.ticks += 1;
        self.phase = Phase::Waiting { until_ms: self.tick.started_ms + millis(self.interval) };
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
        let mut open: Vec<&String> = self.open.iter().chain(&self.left).collect();
        open.sort();
        open.dedup();
        for (i, id) in open.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            string(id, &mut out);
        }
        out.push_str("],\"view\":[");
        for (i, inv) in self.view().iter().enumerate() {
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
        let open = match doc.get("open") {
            Some(Node::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Node::Str(s) => Ok(s.clone()),
                    _ => Err(invalid("`open`: expected ids".into())),
                })
                .collect::<Result<Ids, Error>>()?,
            _ => return Err(invalid("`open`: expected an array of ids".into())),
        };
        let view = match doc.get("view") {
            Some(array @ Node::Array(_)) => {
                let page = format!("{{\"value\":{}}}", array.to_json());
                decode_page(page.as_bytes()).map_err(|e| invalid(format!("`view`: {e}")))?.value
            }
            _ => return Err(invalid("`view`: expected an array of investigations".into())),
        };
        let mut watch = Watch::new(base, filter, WatchOptions { interval, ..options })?;
        watch.newest = newest;
        watch.open = open;
        if snapshot_sent {
            watch.view = view.iter().map(|i| (i.id.clone(), i.clone())).collect();
            watch.events.push_back(WatchEvent::Snapshot(sorted(view)));
            watch.snapshot_sent = true;
        }
        Ok(watch)
    }
}

/// `not final`: every state but the final ones, as OData 4.0 writes it (an undocumented state is open too).
fn open_filter() -> Filter {
    FINAL_STATES.iter().map(|s| state().ne(s.clone())).reduce(Filter::and).expect("there are final states")
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
    items.sort_by(|a, b| {
        let by_time = match (&a.start_time, &b.start_time) {
            (Some(x), Some(y)) => y.cmp(x),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        };
        by_time.then_with(|| crate::filter::compare_ordinal(&b.id, &a.id))
    });
    items
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

    #[test]
    fn an_interval_below_the_minimum_is_refused() {
        let base = BaseUrl::parse("https://api.security.microsoft.com").unwrap();
        let options = WatchOptions { interval: Duration::from_millis(99), ..WatchOptions::default() };
        assert!(matches!(Watch::new(base, None, options), Err(Error::InvalidConfig { .. })));
    }
}

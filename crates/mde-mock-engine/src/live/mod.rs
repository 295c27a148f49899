//! Live mode (`--live`, `live: true`): investigations arrive and move through realistic states over (scaled)
//! time, deterministically per seed.
//!
//! The engine has no clock: time arrives with each call. Before it answers any call (API and admin alike),
//! the engine brings its world from the last time it advanced to the call's time: the arrivals and
//! changes of state whose world time has come are applied in time order, so every call sees the world at that
//! instant, and the pages of one listing at one time agree.
//!
//! - **Time.** The world starts at the data's `now` and runs `1 / time_scale` times as fast as real time
//!   ([`clock`]): `startTime` and `endTime` are world times, so with `--time-scale 0.01` an investigation that
//!   ran 20 minutes shows 20 minutes between them, though it took 12 real seconds.
//! - **Arrivals** ([`arrivals`]): `rate` per world hour on average ([`DEFAULT_RATE`], 20: one every three
//!   minutes), a Poisson process drawn slot by slot from the seed. Each new investigation has an id that
//!   continues the data's (digit strings growing with time, above every numeric id the mock holds, including
//!   those added later through the admin API), a machine of the recent data (busy ones most often), an alert
//!   id of the documented shape fired up to five minutes before it, and starts `Queued` or `Running`.
//! - **Lives** ([`life`]): when an investigation arrives (or, for one found open in the data at the start,
//!   when the world starts), its whole future is drawn from the seed and its id: `Queued` → `Running` within
//!   minutes; `Running` → final within tens of minutes, or → `PendingApproval` (25%), which waits tens of
//!   minutes to hours, then → `Running` (approved) or `TerminatedByUser` (with `cancelledBy`); finals mostly
//!   `SuccessfullyRemediated` or `Benign`, some `PartiallyRemediated`, `Failed`, `TerminatedBySystem`, each with
//!   an `endTime` after `startTime`, never changed afterwards. The next change of each open investigation waits
//!   in a priority queue, so an advance costs the changes it applies, not the size of the data.
//! - **Determinism.** The same seed, options and sequence of call times give the same data: arrivals come from
//!   hashes of `(seed, slot)`, lives from `(seed, id)`, never from the call pattern, so calling every second or
//!   once at the end gives the same world, except past the bound of one advance ([`MAX_SPAN_ARRIVALS`]).
//! - **`PATCH` wins.** Changing an investigation (`PATCH /__admin/investigations/{id}`, the library's
//!   `update_investigation`) changes exactly what it says, at once, and takes the investigation out of the
//!   world's hands: it keeps the state the test gave it. Investigations added through the admin API are not
//!   moved either.
//! - **Pause.** `POST /__admin/live {"paused": true}` stops the world's clock (nothing arrives or changes);
//!   `{"paused": false}` starts it again from where it stopped. `GET /__admin/live` shows the world.

pub mod arrivals;
pub mod clock;
pub mod life;

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use mde_core::{Investigation, InvestigationState, Timestamp};
use serde::{Deserialize, Serialize};

use crate::data::generate::{alert_id, machines, timestamp, Machine};
use crate::data::Dataset;
use crate::rng::{mix, SplitMix64};

use arrivals::{Arrivals, Draft};
pub use arrivals::{DEFAULT_RATE, MAX_RATE, MAX_SPAN_ARRIVALS};
use clock::WorldClock;
use life::Step;

/// How many of the newest investigations lend their machines to the arrivals.
const MACHINE_POOL: usize = 1_000;
/// Mixed into the seed for the world's own draws (machines when the data has none, the first id).
const WORLD_SALT: u64 = 0x0B5E_55ED_0000_0003;

/// What `GET /__admin/live` shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveStatus {
    /// Whether the mock runs in live mode (`--live`).
    pub enabled: bool,
    /// Whether the world moves: live and not paused.
    pub running: bool,
    /// Whether it is paused.
    pub paused: bool,
    /// The world's time, RFC 3339 (`null` when live mode is off).
    pub now: Option<String>,
    /// Arrivals per world hour, on average.
    pub rate: f64,
    /// Investigations arrived since the start.
    pub arrived: u64,
    /// Changes of state applied since the start.
    pub transitions: u64,
    /// Investigations the world will still change.
    pub open: usize,
    /// Of those, how many wait in `PendingApproval` now.
    pub pending_approval: usize,
    /// Investigations taken out of the world's hands by a change on demand (`PATCH`).
    pub released: u64,
    /// World milliseconds whose arrivals were skipped because one advance would have covered more than the
    /// bound (see [`MAX_SPAN_ARRIVALS`]).
    pub skipped_ms: u64,
}

impl LiveStatus {
    /// The status of a mock without live mode.
    pub fn off() -> LiveStatus {
        LiveStatus {
            enabled: false,
            running: false,
            paused: false,
            now: None,
            rate: 0.0,
            arrived: 0,
            transitions: 0,
            open: 0,
            pending_approval: 0,
            released: 0,
            skipped_ms: 0,
        }
    }
}

/// A live operation asked of a mock without live mode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("live mode is off: start the mock with --live (the option `live: true`)")]
pub struct LiveOff;

/// An investigation the world still moves: its current form and the rest of its life.
#[derive(Debug, Clone)]
struct Open {
    inv: Investigation,
    steps: Vec<Step>,
    next: usize,
}

/// Something due at a world time. Ordered by time, then arrivals before changes, then slot and place (or id):
/// the same order whatever the calls that reach it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Due {
    at_ms: i64,
    what: What,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum What {
    Arrival { slot: u64, index: u32, seed: u64 },
    Step { id: String },
}

/// The live world of one engine (see the module's docs).
#[derive(Debug, Clone)]
pub(crate) struct World {
    seed: u64,
    rate: f64,
    clock: WorldClock,
    arrivals: Arrivals,
    machines: Vec<Machine>,
    /// The lowest id the next arrival may take.
    next_id: u64,
    due: BinaryHeap<Reverse<Due>>,
    open: HashMap<String, Open>,
    /// The world's time after the last advance.
    at_ms: i64,
    arrived: u64,
    transitions: u64,
    released: u64,
    skipped_ms: u64,
}

impl World {
    /// A world over `data` that starts at the world time `start` at the real time `real_ms`: the open
    /// investigations of `data` get the rest of their lives from now on.
    pub fn new(seed: u64, rate: f64, time_scale: f64, start: Timestamp, real_ms: u64, data: &Dataset) -> World {
        let start_ms = start.unix_millis();
        let mut own = SplitMix64::new(mix(seed ^ WORLD_SALT));
        // The machines of the newest investigations, as often as they appear there: busy ones stay busy.
        let mut pool: Vec<Machine> = data
            .investigations()
            .filter_map(|i| Some(Machine { id: i.machine_id.clone()?, dns_name: i.computer_dns_name.clone()? }))
            .take(MACHINE_POOL)
            .collect();
        if pool.is_empty() {
            pool = machines(&mut own, 600);
        }
        let highest = data.investigations().filter_map(|i| numeric_id(&i.id)).max();
        let next_id = match highest {
            Some(n) => n.saturating_add(1),
            None => 1_000 + own.below(60_000),
        };
        let mut world = World {
            seed,
            rate,
            clock: WorldClock::new(start_ms, real_ms, time_scale),
            arrivals: Arrivals::new(seed, rate, start_ms),
            machines: pool,
            next_id,
            due: BinaryHeap::new(),
            open: HashMap::new(),
            at_ms: start_ms,
            arrived: 0,
            transitions: 0,
            released: 0,
            skipped_ms: 0,
        };
        for inv in data.investigations() {
            if world.open.contains_key(&inv.id) {
                continue;
            }
            let from = inv.start_time.map_or(start_ms, |s| s.unix_millis().max(start_ms));
            if let Some(steps) = life::resumed(seed, &inv.id, &inv.state, from) {
                world.take(inv.clone(), steps);
            }
        }
        world
    }

    /// Takes an open investigation into the world's hands with the rest of its life.
    fn take(&mut self, inv: Investigation, steps: Vec<Step>) {
        if let Some(first) = steps.first() {
            self.due.push(Reverse(Due { at_ms: first.at_ms, what: What::Step { id: inv.id.clone() } }));
            self.open.insert(inv.id.clone(), Open { inv, steps, next: 0 });
        }
    }

    /// Brings the world to the real time `real_ms`: applies, in time order, every arrival and change due by
    /// then, and writes them into `data` (new investigations merged in one pass, changed ones in place).
    pub fn advance(&mut self, real_ms: u64, data: &mut Dataset) {
        let to = self.clock.world_ms(real_ms);
        if to <= self.at_ms {
            return;
        }
        let mut drafts = Vec::new();
        self.skipped_ms = self.skipped_ms.saturating_add(self.arrivals.draw_until(to, &mut drafts));
        self.due.extend(drafts.into_iter().map(|Draft { at_ms, slot, index, seed }| {
            Reverse(Due { at_ms, what: What::Arrival { slot, index, seed } })
        }));
        // What changed in this advance: id -> (its form now, whether it is new).
        let mut touched: HashMap<String, (Investigation, bool)> = HashMap::new();
        while self.due.peek().is_some_and(|Reverse(d)| d.at_ms <= to) {
            let Some(Reverse(due)) = self.due.pop() else { break };
            match due.what {
                What::Arrival { seed, .. } => {
                    if let Some(inv) = self.arrive(due.at_ms, seed) {
                        touched.insert(inv.id.clone(), (inv, true));
                    }
                }
                What::Step { id } => {
                    if let Some(inv) = self.step(&id, due.at_ms) {
                        let new = touched.get(&id).is_some_and(|(_, new)| *new);
                        touched.insert(id, (inv, new));
                    }
                }
            }
        }
        self.at_ms = to;
        let mut arrived = Vec::new();
        for (_, (inv, new)) in touched {
            if new {
                arrived.push(inv);
            } else if !data.refresh(inv.clone()) {
                // Not in the data any more in this form: no longer the world's.
                self.open.remove(&inv.id);
            }
        }
        data.merge(arrived);
    }

    /// A new investigation at `at_ms`, its fields drawn from `seed`, its life from the world's seed and its id.
    fn arrive(&mut self, at_ms: i64, seed: u64) -> Option<Investigation> {
        // Ids end at u64::MAX: past it (only reachable with such an id in the data) nothing arrives.
        if self.next_id == u64::MAX {
            return None;
        }
        let mut rng = SplitMix64::new(seed);
        let number = self.next_id;
        self.next_id = number.saturating_add(1 + rng.below(4));
        let id = number.to_string();
        let ms = at_ms - 1;
        let start = timestamp(ms, ms.rem_euclid(1000) as u32 * 1_000_000 + rng.below(10_000) as u32 * 100);
        let machine = &self.machines[rng.below(self.machines.len() as u64) as usize];
        let (state, steps) = life::arrival(self.seed, &id, at_ms);
        let inv = Investigation {
            id,
            start_time: Some(start),
            end_time: None,
            state,
            cancelled_by: None,
            status_details: None,
            machine_id: Some(machine.id.clone()),
            computer_dns_name: Some(machine.dns_name.clone()),
            triggering_alert_id: Some(alert_id(&mut rng, ms)),
        };
        self.arrived += 1;
        self.take(inv.clone(), steps);
        Some(inv)
    }

    /// Applies the next step of `id` due at `at_ms`; returns the investigation as it is now.
    fn step(&mut self, id: &str, at_ms: i64) -> Option<Investigation> {
        let open = self.open.get_mut(id)?;
        let step = open.steps.get(open.next).filter(|s| s.at_ms == at_ms)?.clone();
        open.next += 1;
        open.inv.state = step.state;
        open.inv.end_time = step.end_time;
        open.inv.cancelled_by = step.cancelled_by;
        let inv = open.inv.clone();
        self.transitions += 1;
        match open.steps.get(open.next) {
            Some(next) => {
                let at_ms = next.at_ms;
                self.due.push(Reverse(Due { at_ms, what: What::Step { id: id.to_string() } }));
            }
            None => {
                self.open.remove(id);
            }
        }
        Some(inv)
    }

    /// Takes `id` out of the world's hands (it was changed on demand); returns whether the world held it.
    pub fn release(&mut self, id: &str) -> bool {
        let held = self.open.remove(id).is_some();
        self.released += u64::from(held);
        held
    }

    /// Keeps the next arrivals' ids above the numeric ids of `items` (added to the data).
    pub fn note_added(&mut self, items: &[Investigation]) {
        if let Some(highest) = items.iter().filter_map(|i| numeric_id(&i.id)).max() {
            self.next_id = self.next_id.max(highest.saturating_add(1));
        }
    }

    /// Stops (`true`) or starts again (`false`) the world's clock at the real time `real_ms`, after bringing
    /// the world to that time.
    pub fn set_paused(&mut self, real_ms: u64, paused: bool, data: &mut Dataset) {
        self.advance(real_ms, data);
        if paused {
            self.clock.pause(real_ms);
        } else {
            self.clock.resume(real_ms);
        }
    }

    /// The world as `GET /__admin/live` shows it (as of its last advance).
    pub fn status(&self) -> LiveStatus {
        let paused = self.clock.is_paused();
        LiveStatus {
            enabled: true,
            running: !paused,
            paused,
            now: Timestamp::from_unix_millis(self.at_ms).map(|t| t.to_string()),
            rate: self.rate,
            arrived: self.arrived,
            transitions: self.transitions,
            open: self.open.len(),
            pending_approval: self.open.values().filter(|o| o.inv.state == InvestigationState::PendingApproval).count(),
            released: self.released,
            skipped_ms: self.skipped_ms,
        }
    }
}

/// The number an id spells, when it is the decimal form of one (no sign, no leading zero) that fits in 64 bits.
fn numeric_id(id: &str) -> Option<u64> {
    let plain = !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) && (id == "0" || !id.starts_with('0'));
    plain.then(|| id.parse().ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_ids_are_plain_decimal_numbers() {
        assert_eq!(numeric_id("63017"), Some(63017));
        assert_eq!(numeric_id("0"), Some(0));
        assert_eq!(numeric_id("007"), None, "another string than 7");
        assert_eq!(numeric_id("18446744073709551616"), None);
        assert_eq!(numeric_id("da1"), None);
        assert_eq!(numeric_id(""), None);
    }
}

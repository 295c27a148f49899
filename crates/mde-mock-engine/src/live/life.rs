//! The life of one investigation in live mode: the states it goes through and when, drawn whole from the seed
//! and its id the moment the world takes it over, so that its state at any time does not depend on when (or
//! whether) anyone looked at it in between.
//!
//! The state machine (times in world minutes, uniform in each range unless said otherwise):
//!
//! ```text
//! arrival ──30%──> Queued ──1..8──> Running
//!    └─────70%───────────────────> Running ──5..60──> final (one of FINALS)
//!                                     │
//!                                     └─25%, 2..20──> PendingApproval ──10..180 (log-uniform)──┬─80%─> Running (approved) ──5..60──> final
//!                                                                                            └─20%─> TerminatedByUser (cancelledBy)
//! ```
//!
//! An investigation asks for approval at most once. Open investigations of the data set at the world's start
//! continue from their state: `Queued` and `PendingResource` as `Queued`, `Running` and `PendingApproval` as
//! above. A final state has an `endTime` (just before the step's time, so after `startTime`) and never changes.

use mde_core::{InvestigationState, Timestamp};

use crate::data::generate::{timestamp, ANALYSTS};
use crate::rng::{fnv1a64, mix, SplitMix64};

const MINUTE_MS: i64 = 60_000;

/// `Queued` → `Running`: 1 to 8 minutes.
pub const QUEUED_MS: (i64, i64) = (MINUTE_MS, 8 * MINUTE_MS);
/// `Running` → a final state: 5 to 60 minutes.
pub const RUNNING_MS: (i64, i64) = (5 * MINUTE_MS, 60 * MINUTE_MS);
/// `Running` → `PendingApproval`: 2 to 20 minutes.
pub const UNTIL_APPROVAL_MS: (i64, i64) = (2 * MINUTE_MS, 20 * MINUTE_MS);
/// `PendingApproval` waits 10 minutes to 3 hours (log-uniform: most answers come within the hour).
pub const APPROVAL_WAIT_MS: (i64, i64) = (10 * MINUTE_MS, 180 * MINUTE_MS);
/// Share of arrivals that start `Queued` (the others start `Running`), in percent.
pub const QUEUED_PERCENT: u64 = 30;
/// Share of `Running` investigations that ask for approval (once), in percent.
pub const ASKS_APPROVAL_PERCENT: u64 = 25;
/// Share of approval requests that are approved (the others end `TerminatedByUser`), in percent.
pub const APPROVED_PERCENT: u64 = 80;

/// The final states a `Running` investigation ends in, with their weights (out of 100).
pub const FINALS: &[(InvestigationState, u32)] = &[
    (InvestigationState::SuccessfullyRemediated, 42),
    (InvestigationState::Benign, 38),
    (InvestigationState::PartiallyRemediated, 10),
    (InvestigationState::Failed, 5),
    (InvestigationState::TerminatedBySystem, 5),
];

/// Mixed into the seed for the lives (so that they are not the arrivals' draws).
const LIFE_SALT: u64 = 0x11FE_5EED_0000_0001;

/// One change of an investigation, at a time of the world.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// When, in world milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// The new state.
    pub state: InvestigationState,
    /// `cancelledBy` from now on (`TerminatedByUser` only).
    pub cancelled_by: Option<String>,
    /// `endTime` from now on: set exactly on final states, within the millisecond before `at_ms`.
    pub end_time: Option<Timestamp>,
}

impl Step {
    /// Whether the step ends the life (its state never changes afterwards).
    pub fn is_final(&self) -> bool {
        self.end_time.is_some()
    }
}

/// Whether the world moves an investigation in this state: `Queued`, `Running`, `PendingApproval` and
/// `PendingResource`. Every other state (final ones, `Unknown`, names the mock does not know) is left alone.
pub fn is_open(state: &InvestigationState) -> bool {
    matches!(
        state,
        InvestigationState::Queued
            | InvestigationState::Running
            | InvestigationState::PendingApproval
            | InvestigationState::PendingResource
    )
}

/// The draws of the life of `id`: from the seed and the id alone.
fn draws(seed: u64, id: &str) -> SplitMix64 {
    SplitMix64::new(mix(mix(seed ^ LIFE_SALT) ^ fnv1a64(id.as_bytes())))
}

/// The state a new investigation arrives in, and its whole life from `at_ms` (its start).
pub fn arrival(seed: u64, id: &str, at_ms: i64) -> (InvestigationState, Vec<Step>) {
    let mut rng = draws(seed, id);
    let first = if rng.below(100) < QUEUED_PERCENT { InvestigationState::Queued } else { InvestigationState::Running };
    let steps = plan(&mut rng, &first, at_ms);
    (first, steps)
}

/// The rest of the life of an investigation found open in `state` when the world took it over at `from_ms`;
/// `None` for a state the world leaves alone.
pub fn resumed(seed: u64, id: &str, state: &InvestigationState, from_ms: i64) -> Option<Vec<Step>> {
    is_open(state).then(|| plan(&mut draws(seed, id), state, from_ms))
}

fn between(rng: &mut SplitMix64, (low, high): (i64, i64)) -> i64 {
    low + rng.below((high - low) as u64 + 1) as i64
}

fn log_uniform(rng: &mut SplitMix64, (low, high): (i64, i64)) -> i64 {
    let (a, b) = ((low as f64).ln(), (high as f64).ln());
    ((a + rng.unit() * (b - a)).exp() as i64).clamp(low, high)
}

/// An instant within the millisecond before `at_ms`, with 100 ns ticks as the service writes them.
fn just_before(rng: &mut SplitMix64, at_ms: i64) -> Timestamp {
    let ms = at_ms.saturating_sub(1);
    timestamp(ms, ms.rem_euclid(1000) as u32 * 1_000_000 + rng.below(10_000) as u32 * 100)
}

/// The steps from `state` at `t`, until a final one.
fn plan(rng: &mut SplitMix64, state: &InvestigationState, mut t: i64) -> Vec<Step> {
    let mut steps = Vec::with_capacity(4);
    let mut state = state.clone();
    let mut asked = false;
    let mut step = |rng: &mut SplitMix64, at_ms: i64, state: InvestigationState, cancelled_by, end: bool| {
        let end_time = end.then(|| just_before(rng, at_ms));
        steps.push(Step { at_ms, state, cancelled_by, end_time });
    };
    loop {
        match state {
            InvestigationState::Queued | InvestigationState::PendingResource => {
                t = t.saturating_add(between(rng, QUEUED_MS));
                state = InvestigationState::Running;
                step(rng, t, state.clone(), None, false);
            }
            InvestigationState::PendingApproval => {
                asked = true;
                t = t.saturating_add(log_uniform(rng, APPROVAL_WAIT_MS));
                if rng.below(100) < APPROVED_PERCENT {
                    state = InvestigationState::Running;
                    step(rng, t, state.clone(), None, false);
                } else {
                    let analyst = ANALYSTS[rng.below(ANALYSTS.len() as u64) as usize].to_string();
                    step(rng, t, InvestigationState::TerminatedByUser, Some(analyst), true);
                    break;
                }
            }
            // Running (the only other state `plan` is given).
            _ => {
                if !asked && rng.below(100) < ASKS_APPROVAL_PERCENT {
                    t = t.saturating_add(between(rng, UNTIL_APPROVAL_MS));
                    state = InvestigationState::PendingApproval;
                    step(rng, t, state.clone(), None, false);
                } else {
                    t = t.saturating_add(between(rng, RUNNING_MS));
                    let weights: Vec<u32> = FINALS.iter().map(|(_, w)| *w).collect();
                    let last = FINALS[rng.weighted(&weights)].0.clone();
                    step(rng, t, last, None, true);
                    break;
                }
            }
        }
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_795_000_000_000;

    #[test]
    fn every_life_ends_in_a_final_state_once_and_moves_forward() {
        for n in 0..5_000u64 {
            let id = (10_000 + n).to_string();
            let (first, steps) = arrival(7, &id, T);
            assert!(matches!(first, InvestigationState::Queued | InvestigationState::Running));
            assert!(!steps.is_empty() && steps.len() <= 4, "{id}: {steps:?}");
            let (last, before) = steps.split_last().unwrap();
            assert!(last.is_final() && before.iter().all(|s| !s.is_final()), "{id}: {steps:?}");
            assert!(!is_open(&last.state));
            assert_eq!(last.cancelled_by.is_some(), last.state == InvestigationState::TerminatedByUser);
            let mut at = T;
            for s in &steps {
                assert!(s.at_ms >= at + MINUTE_MS, "{id}: a step a minute or more after the last");
                at = s.at_ms;
            }
            let end = last.end_time.unwrap();
            assert!(end.unix_millis() == last.at_ms - 1 && end > Timestamp::from_unix_millis(T).unwrap());
            let asks = steps.iter().filter(|s| s.state == InvestigationState::PendingApproval).count();
            assert!(asks <= 1, "{id}: asks for approval at most once");
        }
    }

    #[test]
    fn a_life_is_the_seed_and_the_id_alone() {
        assert_eq!(arrival(1, "500", T), arrival(1, "500", T));
        assert_ne!(arrival(1, "500", T), arrival(2, "500", T));
        let later = arrival(1, "500", T + 5_000);
        assert_eq!(later.1[0].at_ms - (T + 5_000), arrival(1, "500", T).1[0].at_ms - T);
        assert!(resumed(1, "9", &InvestigationState::Benign, T).is_none());
        assert!(resumed(1, "9", &InvestigationState::Unknown, T).is_none());
        let pending = resumed(1, "9", &InvestigationState::PendingApproval, T).unwrap();
        assert_ne!(pending[0].state, InvestigationState::PendingApproval);
        let resource = resumed(1, "9", &InvestigationState::PendingResource, T).unwrap();
        assert_eq!(resource[0].state, InvestigationState::Running);
    }
}

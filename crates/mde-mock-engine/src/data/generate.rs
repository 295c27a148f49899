//! Seeded, realistic investigations: what `--seed`, `--count` and `--now` produce.
//!
//! - ids are digit strings that grow with `startTime` (as the service numbers investigations);
//! - start times are spread over the 90 days before `now`, with 0 to 7 fractional digits;
//! - states follow a realistic mix: mostly terminal (remediated, benign, ...), a few still running or
//!   pending among the recent ones; terminal states have an `endTime` after `startTime`, and
//!   `TerminatedByUser` has a `cancelledBy`;
//! - machines (40 hex ids, DNS names) are shared by several investigations, a few of them by many;
//! - alert ids have the documented shape `da{.NET ticks}_{signed 32-bit number}`.
//!
//! The same `(seed, count, now)` always gives the same list.

use mde_core::{Investigation, InvestigationState, Timestamp};

use crate::rng::SplitMix64;

const DAY_MS: i64 = 86_400_000;
const SPAN_MS: i64 = 90 * DAY_MS;
/// .NET ticks (100 ns since 0001-01-01) at the Unix epoch.
const TICKS_AT_UNIX_EPOCH: i64 = 621_355_968_000_000_000;

const TERMINAL: &[(InvestigationState, u32)] = &[
    (InvestigationState::SuccessfullyRemediated, 30),
    (InvestigationState::Benign, 26),
    (InvestigationState::PartiallyRemediated, 8),
    (InvestigationState::PartiallyInvestigated, 5),
    (InvestigationState::PreexistingAlert, 4),
    (InvestigationState::TerminatedByUser, 4),
    (InvestigationState::TerminatedBySystem, 4),
    (InvestigationState::Failed, 3),
    (InvestigationState::UnsupportedAlertType, 3),
    (InvestigationState::SuppressedAlert, 3),
    (InvestigationState::UnsupportedOs, 2),
    (InvestigationState::Terminated, 1),
    (InvestigationState::InnerFailure, 1),
];

const ONGOING: &[(InvestigationState, u32)] = &[
    (InvestigationState::Running, 50),
    (InvestigationState::PendingApproval, 25),
    (InvestigationState::PendingResource, 10),
    (InvestigationState::Queued, 10),
    (InvestigationState::Unknown, 5),
];

const HOST_PREFIXES: &[(&str, u32)] = &[("desktop-", 45), ("laptop-", 30), ("srv-", 12), ("ws-", 8), ("vm-", 5)];
const DOMAINS: &[(&str, u32)] = &[("", 55), (".contoso.com", 30), (".corp.fabrikam.com", 15)];
/// The analysts who cancel investigations (`cancelledBy` of `TerminatedByUser`).
pub(crate) const ANALYSTS: &[&str] = &[
    "alice.johnson@contoso.com",
    "bob.nguyen@contoso.com",
    "soc-tier2@contoso.com",
    "carla.mendes@contoso.com",
    "secops-automation@contoso.com",
];

/// A device: its 40-hex-digit id and its DNS name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Machine {
    pub id: String,
    pub dns_name: String,
}

/// Generates `count` investigations for `seed`, all started in the 90 days before `now`.
pub fn generate(seed: u64, count: usize, now: Timestamp) -> Vec<Investigation> {
    let mut rng = SplitMix64::new(seed);
    let machines = machines(&mut rng, count);
    let now_ms = now.unix_millis();

    // Start times first, sorted, so that ids can grow with time.
    let mut starts: Vec<(i64, u32)> = (0..count)
        .map(|_| {
            let offset = 1 + rng.below(SPAN_MS as u64 - 1) as i64;
            // One in ten has whole seconds; the others carry up to 7 fractional digits (100 ns ticks).
            let ms = now_ms - offset;
            if rng.below(10) == 0 {
                (ms - ms.rem_euclid(1000), 0)
            } else {
                (ms - ms.rem_euclid(1000), (ms.rem_euclid(1000) as u32) * 1_000_000 + rng.below(10_000) as u32 * 100)
            }
        })
        .collect();
    starts.sort_unstable();

    let mut next_id = 1_000 + rng.below(60_000);
    starts
        .into_iter()
        .map(|(ms, nanos)| {
            let id = next_id;
            next_id += 1 + rng.below(4);
            investigation(&mut rng, &machines, id, ms, nanos, now_ms)
        })
        .collect()
}

/// About one machine for every six investigations (at least one), drawn from `rng`.
pub(crate) fn machines(rng: &mut SplitMix64, count: usize) -> Vec<Machine> {
    let n = (count / 6).max(1);
    (0..n)
        .map(|_| {
            let id = format!("{:016x}{:016x}{:08x}", rng.next_u64(), rng.next_u64(), rng.next_u64() as u32);
            let prefix = HOST_PREFIXES[rng.weighted(&weights(HOST_PREFIXES))].0;
            let domain = DOMAINS[rng.weighted(&weights(DOMAINS))].0;
            let name: String = (0..7)
                .map(|_| {
                    let c = rng.below(36) as u8;
                    char::from(if c < 26 { b'a' + c } else { b'0' + c - 26 })
                })
                .collect();
            Machine { id, dns_name: format!("{prefix}{name}{domain}") }
        })
        .collect()
}

fn weights<T>(table: &[(T, u32)]) -> Vec<u32> {
    table.iter().map(|(_, w)| *w).collect()
}

fn investigation(
    rng: &mut SplitMix64,
    machines: &[Machine],
    id: u64,
    start_secs_ms: i64,
    start_nanos: u32,
    now_ms: i64,
) -> Investigation {
    let start = timestamp(start_secs_ms, start_nanos);
    // A few machines are busy: a squared uniform draw favours the low indices.
    let u = rng.unit();
    let machine = &machines[((u * u) * machines.len() as f64) as usize % machines.len()];
    // Investigations last from 30 seconds to about 6 hours.
    let duration_ms = (30_000 + rng.below(6 * 3_600_000)) as i64;
    let age_ms = now_ms - start_secs_ms;
    let ongoing = duration_ms >= age_ms || (age_ms < 2 * DAY_MS && rng.below(4) == 0);
    let state = if ongoing {
        ONGOING[rng.weighted(&weights(ONGOING))].0.clone()
    } else {
        TERMINAL[rng.weighted(&weights(TERMINAL))].0.clone()
    };
    let end_time = (!ongoing).then(|| timestamp(start_secs_ms + duration_ms, rng.below(10_000_000) as u32 * 100));
    let cancelled_by = (state == InvestigationState::TerminatedByUser)
        .then(|| ANALYSTS[rng.below(ANALYSTS.len() as u64) as usize].to_string());
    let alert_id = alert_id(rng, start_secs_ms);
    Investigation {
        id: id.to_string(),
        start_time: Some(start),
        end_time,
        state,
        cancelled_by,
        status_details: None,
        machine_id: Some(machine.id.clone()),
        computer_dns_name: Some(machine.dns_name.clone()),
        triggering_alert_id: Some(alert_id),
    }
}

/// The id of the alert that started an investigation at `start_ms`: it fired up to five minutes before, and
/// has the documented shape `da{.NET ticks}_{signed 32-bit number}`.
pub(crate) fn alert_id(rng: &mut SplitMix64, start_ms: i64) -> String {
    let alert_ms = start_ms - rng.below(300_000) as i64;
    let ticks = alert_ms * 10_000 + TICKS_AT_UNIX_EPOCH + rng.below(10_000) as i64;
    format!("da{ticks}_{}", rng.next_u64() as u32 as i32)
}

/// `ms` rounded down to the second, plus `nanos`; clamped into the representable range.
pub(crate) fn timestamp(ms: i64, nanos: u32) -> Timestamp {
    let secs = ms.div_euclid(1000);
    Timestamp::from_unix(secs, nanos).unwrap_or(if secs < 0 { Timestamp::MIN } else { Timestamp::MAX })
}

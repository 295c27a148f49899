//! Injected faults: a plan for the next data calls, and a deterministic rate.
//!
//! A *data call* is a call to `/api/` that passed authentication and the rate limits. Each one takes the
//! next fault of the plan if there is one; otherwise, with `fault_rate > 0`, call number `n` (counted from
//! the start or the last reset) fails when a hash of `(seed, n)` falls below the rate, and the same hash
//! picks one of `500`, `503`, a closed connection or a truncated body. No OS randomness: the same seed and
//! the same sequence of calls fail the same way.

use std::collections::VecDeque;

use crate::rng::mix;

/// One injected fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Fault {
    /// `500 InternalServerError` with the error body.
    #[serde(rename = "500")]
    InternalServerError,
    /// `503 ServiceUnavailable` with the error body.
    #[serde(rename = "503")]
    ServiceUnavailable,
    /// `429 TooManyRequests` with `Retry-After` of one (scaled) second; the token is throttled until then.
    #[serde(rename = "429")]
    TooManyRequests,
    /// The connection is closed without a response.
    #[serde(rename = "close")]
    CloseConnection,
    /// The status line, the headers (with the full `Content-Length`) and half the body are sent, then the
    /// connection is closed.
    #[serde(rename = "truncate")]
    TruncatedBody,
    /// `429 TooManyRequests` below the call limits, as the service throttles a tenant that spends too much CPU
    /// ("quota limit either by number of requests or by CPU",
    /// <https://learn.microsoft.com/en-us/defender-endpoint/api/common-errors>), with a `Retry-After` of 1 to 3
    /// (scaled) seconds chosen from the seed; the quota is blocked until then.
    #[serde(rename = "cpu")]
    CpuThrottle,
}

impl Fault {
    /// The name used by the admin API and the journal: `500`, `503`, `429`, `close`, `truncate`.
    pub fn name(self) -> &'static str {
        match self {
            Fault::InternalServerError => "500",
            Fault::ServiceUnavailable => "503",
            Fault::TooManyRequests => "429",
            Fault::CloseConnection => "close",
            Fault::TruncatedBody => "truncate",
            Fault::CpuThrottle => "cpu",
        }
    }
}

impl std::str::FromStr for Fault {
    type Err = String;

    fn from_str(s: &str) -> Result<Fault, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "500" => Ok(Fault::InternalServerError),
            "503" => Ok(Fault::ServiceUnavailable),
            "429" => Ok(Fault::TooManyRequests),
            "close" | "closed" => Ok(Fault::CloseConnection),
            "truncate" | "truncated" => Ok(Fault::TruncatedBody),
            "cpu" => Ok(Fault::CpuThrottle),
            other => Err(format!("unknown fault `{other}`: expected 500, 503, 429, cpu, close or truncate")),
        }
    }
}

const RATE_FAULTS: [Fault; 4] =
    [Fault::InternalServerError, Fault::ServiceUnavailable, Fault::CloseConnection, Fault::TruncatedBody];

/// The fault schedule of a mock.
#[derive(Debug, Clone)]
pub struct Faults {
    seed: u64,
    rate: f64,
    cpu_rate: f64,
    plan: VecDeque<Fault>,
    calls: u64,
}

impl Faults {
    /// No plan; `rate` (clamped to 0..=1) of the data calls fail, chosen from `seed`.
    pub fn new(seed: u64, rate: f64) -> Faults {
        Faults { seed, rate: clamp_rate(rate), cpu_rate: 0.0, plan: VecDeque::new(), calls: 0 }
    }

    /// The same, and `cpu_rate` of the data calls are throttled for CPU ([`Fault::CpuThrottle`]), drawn apart
    /// from the other faults.
    pub fn with_cpu_rate(mut self, cpu_rate: f64) -> Faults {
        self.cpu_rate = clamp_rate(cpu_rate);
        self
    }

    /// Appends faults for the next data calls.
    pub fn plan(&mut self, faults: impl IntoIterator<Item = Fault>) {
        self.plan.extend(faults);
    }

    /// Replaces the pending plan.
    pub fn reset_plan(&mut self, faults: impl IntoIterator<Item = Fault>) {
        self.plan.clear();
        self.plan.extend(faults);
    }

    /// Sets the rate (clamped to 0..=1).
    pub fn set_rate(&mut self, rate: f64) {
        self.rate = clamp_rate(rate);
    }

    /// The rate in force.
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// The faults still planned, next first.
    pub fn pending(&self) -> Vec<Fault> {
        self.plan.iter().copied().collect()
    }

    /// Empties the plan and restarts the call count (the rate stays).
    pub fn reset(&mut self) {
        self.plan.clear();
        self.calls = 0;
    }

    /// The fault of the next data call, if any.
    pub fn next_call(&mut self) -> Option<Fault> {
        self.calls += 1;
        if let Some(f) = self.plan.pop_front() {
            return Some(f);
        }
        if self.cpu_rate > 0.0 && unit(mix(self.seed ^ mix(self.calls ^ 0xC0DE_C0DE_C0DE_C0DE))) < self.cpu_rate {
            return Some(Fault::CpuThrottle);
        }
        if self.rate <= 0.0 {
            return None;
        }
        let h = mix(self.seed ^ mix(self.calls ^ 0xFA17_FA17_FA17_FA17));
        (unit(h) < self.rate).then(|| RATE_FAULTS[(mix(h) % 4) as usize])
    }

    /// A hash of the seed and the current call, for choices that go with a fault (the CPU throttle's wait).
    pub fn draw(&self) -> u64 {
        mix(self.seed ^ mix(self.calls ^ 0xD1CE_D1CE_D1CE_D1CE))
    }
}

/// A hash as a number in `[0, 1)`.
fn unit(h: u64) -> f64 {
    (h >> 11) as f64 / (1u64 << 53) as f64
}

fn clamp_rate(rate: f64) -> f64 {
    if rate.is_nan() {
        0.0
    } else {
        rate.clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_comes_first_then_the_rate() {
        let mut f = Faults::new(1, 0.0);
        f.plan(["503".parse().unwrap(), "429".parse().unwrap(), "close".parse().unwrap()]);
        assert_eq!(f.next_call(), Some(Fault::ServiceUnavailable));
        assert_eq!(f.next_call(), Some(Fault::TooManyRequests));
        assert_eq!(f.next_call(), Some(Fault::CloseConnection));
        assert_eq!(f.next_call(), None);
    }

    #[test]
    fn rate_is_deterministic_and_close_to_the_share() {
        let run = |seed| {
            let mut f = Faults::new(seed, 0.2);
            (0..10_000).map(|_| f.next_call()).collect::<Vec<_>>()
        };
        let a = run(5);
        assert_eq!(a, run(5));
        assert_ne!(a, run(6));
        let failed = a.iter().filter(|x| x.is_some()).count();
        assert!((1_700..2_300).contains(&failed), "{failed}");
        for kind in RATE_FAULTS {
            assert!(a.contains(&Some(kind)));
        }
        let mut all = Faults::new(1, 1.0);
        assert!((0..100).all(|_| all.next_call().is_some()));
    }

    #[test]
    fn cpu_throttling_is_drawn_apart_and_deterministic() {
        let run = |cpu| {
            let mut f = Faults::new(5, 0.2).with_cpu_rate(cpu);
            (0..10_000).map(|_| f.next_call()).collect::<Vec<_>>()
        };
        let (without, with) = (run(0.0), run(0.1));
        assert_eq!(with, run(0.1));
        let cpu = with.iter().filter(|x| **x == Some(Fault::CpuThrottle)).count();
        assert!((800..1_200).contains(&cpu), "{cpu}");
        // The other faults of a call that was not throttled are those of the run without throttling.
        for (a, b) in without.iter().zip(&with) {
            assert!(b == a || *b == Some(Fault::CpuThrottle));
        }
        assert!(without.iter().all(|x| *x != Some(Fault::CpuThrottle)));
    }
}

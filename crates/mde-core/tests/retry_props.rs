//! Property tests for `RetryPolicy` and its backoff.

use std::time::Duration;

use mde_core::jitter::Jitter;
use mde_core::retry::{Failure, GiveUpReason, RetryDecision, RetryPolicy, WaitReason};
use proptest::prelude::*;

/// The full-jitter cap in microseconds, computed independently: `min(max, base * 2^(attempt - 1))` in 128 bits.
fn cap_micros(policy: &RetryPolicy, attempt: u32) -> u128 {
    let base = policy.base_delay.as_micros().min(u128::from(u64::MAX));
    let max = policy.max_delay.as_micros().min(u128::from(u64::MAX));
    let exponent = attempt.max(1) - 1;
    if base == 0 {
        0
    } else if exponent >= 64 {
        max
    } else {
        (base << exponent).min(max)
    }
}

fn duration() -> impl Strategy<Value = Duration> {
    prop_oneof![
        (0u64..120_000).prop_map(Duration::from_millis),
        (0u64..1_000).prop_map(Duration::from_nanos),
        any::<u64>().prop_map(Duration::from_micros),
        Just(Duration::MAX),
    ]
}

fn policy() -> impl Strategy<Value = RetryPolicy> {
    (0u32..12, duration(), duration(), duration(), duration(), any::<bool>()).prop_map(
        |(max_attempts, base_delay, max_delay, max_retry_after, default_retry_after, refresh_token)| RetryPolicy {
            max_attempts,
            base_delay,
            max_delay,
            max_retry_after,
            default_retry_after,
            refresh_token,
        },
    )
}

fn failure() -> impl Strategy<Value = Failure> {
    let status = prop_oneof![
        Just(400u16),
        Just(401),
        Just(403),
        Just(404),
        Just(408),
        Just(429),
        Just(500),
        Just(502),
        Just(503),
        Just(504),
        any::<u16>(),
    ];
    let retry_after = prop::option::of(duration());
    prop_oneof![
        8 => (status, retry_after).prop_map(|(status, retry_after)| Failure::Status { status, retry_after }),
        1 => Just(Failure::Transport),
        1 => Just(Failure::InvalidBody),
    ]
}

/// What the table says should happen, written out case by case.
#[derive(Debug, PartialEq)]
enum Expected {
    Backoff { server_wait: Option<Duration> },
    Wait(Duration),
    Refresh,
    GiveUp(GiveUpReason),
}

fn expected(policy: &RetryPolicy, attempt: u32, failure: &Failure, refreshed: bool) -> Expected {
    let last = attempt >= policy.max_attempts.max(1);
    let (status, retry_after) = match *failure {
        Failure::Transport | Failure::InvalidBody => (None, None),
        Failure::Status { status, retry_after } => (Some(status), retry_after),
        other => panic!("a failure this oracle does not know: {other:?}"),
    };
    match status {
        Some(429) => {
            let wait = retry_after.unwrap_or(policy.default_retry_after);
            if wait > policy.max_retry_after {
                Expected::GiveUp(GiveUpReason::RetryAfterTooLong(wait))
            } else if last {
                Expected::GiveUp(GiveUpReason::AttemptsExhausted)
            } else {
                Expected::Wait(wait)
            }
        }
        Some(401) if refreshed || !policy.refresh_token => Expected::GiveUp(GiveUpReason::Unauthorized),
        Some(401) if last => Expected::GiveUp(GiveUpReason::AttemptsExhausted),
        Some(401) => Expected::Refresh,
        None | Some(408 | 500 | 502 | 503 | 504) => match retry_after {
            Some(wait) if wait > policy.max_retry_after => Expected::GiveUp(GiveUpReason::RetryAfterTooLong(wait)),
            _ if last => Expected::GiveUp(GiveUpReason::AttemptsExhausted),
            _ => Expected::Backoff { server_wait: retry_after },
        },
        Some(_) => Expected::GiveUp(GiveUpReason::NotRetryable),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]

    /// Backoff lies in `[0, min(max_delay, base_delay * 2^(attempt - 1))]` for any policy and attempt number,
    /// including ones where the product overflows 64 bits.
    #[test]
    fn backoff_within_bounds(policy in policy(), attempt in prop_oneof![0u32..80, any::<u32>()], seed: u64) {
        let mut jitter = Jitter::from_seed(seed);
        let delay = policy.backoff(attempt, &mut jitter);
        prop_assert!(delay.as_micros() <= cap_micros(&policy, attempt), "{delay:?} for attempt {attempt}");
    }

    /// The same seed gives the same delays.
    #[test]
    fn backoff_deterministic(policy in policy(), seed: u64) {
        let (mut a, mut b) = (Jitter::from_seed(seed), Jitter::from_seed(seed));
        for attempt in 1..10 {
            prop_assert_eq!(policy.backoff(attempt, &mut a), policy.backoff(attempt, &mut b));
        }
    }

    /// Every single decision follows the table, and a driver that follows the decisions stops after at most
    /// `max_attempts` attempts whatever the failures, refreshing its token at most once.
    #[test]
    fn decisions_follow_the_table_and_end(
        policy in policy(),
        failures in prop::collection::vec(failure(), 1..40),
        seed: u64,
    ) {
        let mut jitter = Jitter::from_seed(seed);
        let mut attempt = 1;
        let mut refreshed = false;
        let mut ended = false;
        for failure in failures.iter().cycle().take(100) {
            let want = expected(&policy, attempt, failure, refreshed);
            let got = policy.decide(attempt, failure, refreshed, &mut jitter);
            match (got, want) {
                (RetryDecision::Retry { after, reason: WaitReason::RetryAfter }, Expected::Wait(wait)) => {
                    prop_assert_eq!(after, wait);
                }
                (RetryDecision::Retry { after, reason }, Expected::Backoff { server_wait }) => {
                    let cap = cap_micros(&policy, attempt);
                    match reason {
                        WaitReason::Backoff => {
                            prop_assert!(after.as_micros() <= cap);
                            prop_assert!(server_wait.is_none_or(|w| w <= after));
                        }
                        WaitReason::RetryAfter => {
                            prop_assert_eq!(Some(after), server_wait);
                            prop_assert!(after <= policy.max_retry_after);
                        }
                        other => panic!("a wait reason this oracle does not know: {other:?}"),
                    }
                }
                (RetryDecision::RefreshToken, Expected::Refresh) => refreshed = true,
                (RetryDecision::GiveUp(reason), Expected::GiveUp(want)) => {
                    prop_assert_eq!(reason, want);
                    ended = true;
                    break;
                }
                (got, want) => prop_assert!(false, "attempt {attempt}, {failure:?}: got {got:?}, expected {want:?}"),
            }
            attempt += 1;
            prop_assert!(attempt <= policy.max_attempts.max(1), "attempt {attempt} is beyond the maximum");
        }
        prop_assert!(ended, "100 failures in a row and still retrying");
    }
}

/// Known values, from an independent implementation of SplitMix64 and Lemire's bounded draw: seed 42, the
/// default policy (500 ms base, 30 s cap), attempts 1 to 8, in microseconds.
#[test]
fn backoff_known_sequence() {
    let policy = RetryPolicy::default();
    let mut jitter = Jitter::from_seed(42);
    let delays: Vec<u64> = (1..=8).map(|a| policy.backoff(a, &mut jitter).as_micros() as u64).collect();
    assert_eq!(delays, [370_783, 159_910, 557_202, 1_376_763, 304_241, 13_891_650, 6_552_156, 24_018_957]);
}

/// Full jitter is uniform on `[0, cap]`: with a fixed seed (so the test is deterministic), the mean of 100,000
/// draws is within 1 % of half the cap and each tenth of the range gets about a tenth of the draws.
#[test]
fn backoff_is_uniform() {
    let policy = RetryPolicy::default();
    let cap = 30_000_000.0; // attempt 10: 500 ms * 2^9 > 30 s, so the cap is max_delay
    let mut jitter = Jitter::from_seed(2024);
    let mut deciles = [0u32; 10];
    let mut sum = 0.0;
    let draws = 100_000;
    for _ in 0..draws {
        let micros = policy.backoff(10, &mut jitter).as_micros() as f64;
        sum += micros;
        deciles[((micros / cap * 10.0) as usize).min(9)] += 1;
    }
    let mean = sum / f64::from(draws);
    assert!((mean - cap / 2.0).abs() < cap * 0.01, "mean {mean}");
    for count in deciles {
        assert!((9_500..=10_500).contains(&count), "deciles {deciles:?}");
    }
}

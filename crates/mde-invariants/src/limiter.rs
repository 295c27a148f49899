//! The limiter's saved state (`RateLimiter::export`/`import`): a user stores it (localStorage, a file) and hands
//! it back after a restart.

use std::time::Duration;

use mde_core::limiter::Window;
use mde_core::{RateLimitConfig, RateLimiter};

/// Any bytes as a saved state, with the service's limits and with a small one (2 calls a second, so that long
/// logs are cut):
/// - oracle: the state is read exactly when it is `l1:` then an optional base-36 time, `:`, and base-36 numbers
///   separated by commas (the first call's time, then the gaps) whose sums fit `u64` (read here with
///   `u64::from_str_radix`);
/// - what is read is written back as the newest calls the limits need, as the oracle reads them;
/// - round trip: that text reads back to a limiter that decides the same at any time.
pub fn limiter_state(data: &[u8]) {
    let Some(state) = crate::text(data) else { return };
    let small = RateLimitConfig { windows: vec![Window::new(2, Duration::from_secs(1))], ..RateLimitConfig::default() };
    for (config, keep) in [(RateLimitConfig::default(), 1_500), (small, 2)] {
        let imported = RateLimiter::import(config.clone(), state);
        let expected = oracle(state);
        assert_eq!(imported.is_ok(), expected.is_some(), "{state:?}: {:?}", imported.err());
        let (Ok(limiter), Some((blocked, log))) = (imported, expected) else { continue };
        let written = limiter.export();
        assert_eq!(written, encode(blocked, &log[log.len().saturating_sub(keep)..]), "{state:?}");
        let again = RateLimiter::import(config, &written).unwrap_or_else(|e| panic!("{written:?}: {e}"));
        assert_eq!(again.export(), written);
        let last = log.last().copied().unwrap_or(0);
        for now in [0, last, last.saturating_add(500), last.saturating_add(3_600_000), blocked.unwrap_or(1), u64::MAX] {
            assert_eq!(limiter.check(now), again.check(now), "{state:?} at {now}");
            assert_eq!(limiter.next_send_at(now), again.next_send_at(now), "{state:?} at {now}");
            assert_eq!(limiter.usage(now), again.usage(now), "{state:?} at {now}");
        }
    }
}

/// One base-36 number in lowercase, at least one digit.
fn number(text: &str) -> Option<u64> {
    let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase());
    digits.then(|| u64::from_str_radix(text, 36).ok()).flatten()
}

/// The block and the call times a state holds, read independently of the codec.
fn oracle(state: &str) -> Option<(Option<u64>, Vec<u64>)> {
    let (blocked, log) = state.strip_prefix("l1:")?.split_once(':')?;
    let blocked = if blocked.is_empty() { None } else { Some(number(blocked)?) };
    let mut times: Vec<u64> = Vec::new();
    if !log.is_empty() {
        for part in log.split(',') {
            let n = number(part)?;
            times.push(match times.last() {
                None => n,
                Some(t) => t.checked_add(n)?,
            });
        }
    }
    Some((blocked, times))
}

/// The text of a state, written independently of the codec.
fn encode(blocked: Option<u64>, log: &[u64]) -> String {
    fn base36(mut n: u64) -> String {
        let mut digits = Vec::new();
        loop {
            digits.push(char::from_digit((n % 36) as u32, 36).expect("a base-36 digit"));
            n /= 36;
            if n == 0 {
                return digits.iter().rev().collect();
            }
        }
    }
    let gaps: Vec<String> =
        log.iter().enumerate().map(|(i, &t)| base36(if i == 0 { t } else { t - log[i - 1] })).collect();
    format!("l1:{}:{}", blocked.map(base36).unwrap_or_default(), gaps.join(","))
}

//! [`Pacing`]: a body sent over time, as the service streams its answers (`--bandwidth`, `--first-byte-ms`).
//!
//! The service announces `odata.streaming=true` and a 10,000-item page is about 3 MB: a client sees its bytes
//! arrive over time. A paced reply carries the plan; the driver sends the status line and the headers at once
//! (after the latency), then the body in chunks (`Transfer-Encoding: chunked`, no `Content-Length`): chunk `k`
//! (from 0) is due [`Pacing::due`]`(k)` after the head, that is the first byte after `first_byte` and then
//! [`Pacing::chunk_bytes`] every [`Pacing::interval`], which is `bandwidth` bytes per second on average. The engine
//! reads no clock: drivers keep the schedule (each chunk at its due time counted from the head, so that the rate
//! does not drift with the timers' lateness).

use std::time::Duration;

/// About how often a paced body gets a chunk: often enough for a smooth rate, seldom enough for cheap timers.
pub const TARGET_INTERVAL: Duration = Duration::from_millis(25);

/// The largest chunk, whatever the bandwidth (past it the chunks come more often than [`TARGET_INTERVAL`]).
pub const MAX_CHUNK: u64 = 1024 * 1024;

/// The options of pacing: `bandwidth` in bytes per second, `first_byte` the wait between the head and the
/// body's first byte; either may be absent (no limit on the rate, or no wait).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PaceConfig {
    pub bandwidth: Option<u64>,
    pub first_byte: Option<Duration>,
}

impl PaceConfig {
    /// The plan of a body of `len` bytes; `None` when nothing is paced or the body is empty.
    pub fn plan(self, len: usize) -> Option<Pacing> {
        if len == 0 || (self.bandwidth.is_none() && self.first_byte.is_none()) {
            return None;
        }
        let first_byte = self.first_byte.unwrap_or(Duration::ZERO);
        let len = len as u64;
        let (chunk_bytes, interval) = match self.bandwidth.filter(|b| *b > 0) {
            // The whole body in one chunk, after the wait.
            None => (len, Duration::ZERO),
            Some(bandwidth) => {
                let per_target = u128::from(bandwidth) * TARGET_INTERVAL.as_nanos() / 1_000_000_000;
                let chunk = u64::try_from(per_target).unwrap_or(MAX_CHUNK).clamp(1, MAX_CHUNK);
                // Exactly `chunk` bytes every `chunk / bandwidth` seconds.
                let nanos = u128::from(chunk) * 1_000_000_000 / u128::from(bandwidth);
                (chunk, Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX)))
            }
        };
        Some(Pacing { first_byte, chunk_bytes, interval, len })
    }
}

/// How a driver sends a body over time: see the [module](self).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pacing {
    /// The wait between the head and the first byte of the body (`--first-byte-ms`; zero without it).
    pub first_byte: Duration,
    /// Bytes per chunk (the last one may be shorter); the whole body without `--bandwidth`.
    pub chunk_bytes: u64,
    /// The time between the starts of two chunks (zero without `--bandwidth`: one chunk).
    pub interval: Duration,
    /// The body's length, in bytes.
    pub len: u64,
}

impl Pacing {
    /// How many chunks the body is sent in.
    pub fn chunks(&self) -> u64 {
        self.len.div_ceil(self.chunk_bytes.max(1))
    }

    /// The bytes of chunk `k` (from 0): a range of the body.
    pub fn chunk(&self, k: u64) -> std::ops::Range<usize> {
        let size = self.chunk_bytes.max(1);
        let start = k.saturating_mul(size).min(self.len);
        let end = start.saturating_add(size).min(self.len);
        usize::try_from(start).unwrap_or(usize::MAX)..usize::try_from(end).unwrap_or(usize::MAX)
    }

    /// When chunk `k` is due, counted from the moment the head is sent.
    pub fn due(&self, k: u64) -> Duration {
        let k = u32::try_from(k).unwrap_or(u32::MAX);
        self.first_byte.saturating_add(self.interval.saturating_mul(k))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn config(bandwidth: Option<u64>, first_byte_ms: Option<u64>) -> PaceConfig {
        PaceConfig { bandwidth, first_byte: first_byte_ms.map(Duration::from_millis) }
    }

    #[test]
    fn nothing_is_paced_without_options_or_body() {
        assert_eq!(config(None, None).plan(1000), None);
        assert_eq!(config(Some(100), Some(5)).plan(0), None);
    }

    #[test]
    fn a_first_byte_wait_alone_sends_the_body_in_one_chunk() {
        let p = config(None, Some(300)).plan(1000).unwrap();
        assert_eq!((p.chunks(), p.chunk(0), p.due(0)), (1, 0..1000, Duration::from_millis(300)));
    }

    #[test]
    fn two_megabytes_per_second_is_fifty_kilobytes_every_25_ms() {
        let p = config(Some(2_000_000), Some(300)).plan(3_000_000).unwrap();
        assert_eq!((p.chunk_bytes, p.interval), (50_000, Duration::from_millis(25)));
        assert_eq!(p.chunks(), 60);
        assert_eq!(p.due(59), Duration::from_millis(300 + 59 * 25));
        // A slow line sends single bytes.
        let slow = config(Some(10), None).plan(3).unwrap();
        assert_eq!((slow.chunk_bytes, slow.interval, slow.chunks()), (1, Duration::from_millis(100), 3));
        // A fast one is capped per chunk.
        let fast = config(Some(u64::MAX), None).plan(5 * MAX_CHUNK as usize).unwrap();
        assert_eq!((fast.chunk_bytes, fast.chunks()), (MAX_CHUNK, 5));
    }

    #[test]
    fn api_answers_are_paced_and_admin_or_faulted_ones_are_not() {
        use crate::{Engine, Fault, Options, Request};
        let options = Options {
            count: 20,
            bandwidth: Some(1000),
            first_byte: Some(Duration::from_millis(50)),
            ..Options::default()
        };
        let mut engine = Engine::new(options, 1_795_000_000_000).unwrap();
        let page =
            engine.handle(1_795_000_000_000, &Request::get("/api/investigations", None).with_authorization("Bearer t"));
        let pacing = page.pacing.unwrap();
        assert_eq!(
            (pacing.len, pacing.chunk_bytes, pacing.first_byte),
            (page.body.len() as u64, 25, Duration::from_millis(50))
        );
        // Errors are paced too: their bodies stream like any other.
        let unauthorized = engine.handle(1_795_000_000_000, &Request::get("/api/investigations", None));
        assert_eq!((unauthorized.status, unauthorized.pacing.is_some()), (401, true));
        let admin = engine.handle(1_795_000_000_000, &Request::get("/__admin/config", None));
        assert_eq!((admin.status, admin.pacing), (200, None));
        assert!(!admin.body.is_empty());
        engine.plan_faults([Fault::TruncatedBody]);
        let cut =
            engine.handle(1_795_000_000_000, &Request::get("/api/investigations", None).with_authorization("Bearer t"));
        assert!(cut.fault.is_some() && cut.pacing.is_none());
        let head =
            Request { method: "HEAD", ..Request::get("/api/investigations", None).with_authorization("Bearer t") };
        assert_eq!(engine.handle(1_795_000_000_000, &head).pacing, None);
    }

    proptest! {
        /// The chunks cover the body exactly once, in order; the last one is due when `len` bytes at the
        /// bandwidth have had their time (less one chunk's), never before.
        #[test]
        fn chunks_tile_the_body_at_the_rate(len in 1usize..200_000, bandwidth in 1u64..50_000_000, first in 0u64..1000) {
            let p = config(Some(bandwidth), Some(first)).plan(len).unwrap();
            let mut next = 0;
            for k in 0..p.chunks() {
                let r = p.chunk(k);
                prop_assert_eq!(r.start, next);
                prop_assert!(r.end > r.start);
                next = r.end;
                prop_assert!(p.due(k) >= Duration::from_millis(first));
            }
            prop_assert_eq!(next, len);
            // Oracle: the bytes sent before the last chunk, at `bandwidth` bytes per second, take this long.
            let before_last = (p.chunks() - 1) * p.chunk_bytes;
            let at_rate = Duration::from_secs_f64(before_last as f64 / bandwidth as f64);
            let last = p.due(p.chunks() - 1) - Duration::from_millis(first);
            let slack = Duration::from_nanos(p.chunks());
            prop_assert!(last + slack >= at_rate && last <= at_rate + slack + Duration::from_micros(1), "{:?} {:?}", last, at_rate);
        }
    }
}

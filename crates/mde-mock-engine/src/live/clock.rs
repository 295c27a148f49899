//! The world's clock: the time of the live world at a real time given by the driver (`now_ms`).
//!
//! The world starts at the data's `now` (the `now` option, or the real time the engine started) and runs
//! `1 / time_scale` times as fast as the real clock: with `time_scale` 0.01, a world minute lasts 0.6 real
//! seconds. It never goes back (a real time before the latest one seen counts as the latest), and it stands
//! still while paused: after a pause it goes on from where it stopped.

/// The last instant a timestamp holds (`9999-12-31T23:59:59.999Z`), in ms since the Unix epoch.
pub const MAX_WORLD_MS: i64 = 253_402_300_799_999;

/// Real time to world time.
#[derive(Debug, Clone, PartialEq)]
pub struct WorldClock {
    /// World ms at `origin_real_ms`.
    origin_world_ms: i64,
    /// Real ms since the Unix epoch at which the world was at `origin_world_ms` (moved on by pauses).
    origin_real_ms: u64,
    time_scale: f64,
    /// The latest real time seen.
    latest_real_ms: u64,
    /// The real time of the pause, while paused.
    paused_at: Option<u64>,
}

impl WorldClock {
    /// A clock at `world_ms` at the real time `real_ms`. `time_scale` is above 0 (the options check it).
    pub fn new(world_ms: i64, real_ms: u64, time_scale: f64) -> WorldClock {
        WorldClock {
            origin_world_ms: world_ms.min(MAX_WORLD_MS),
            origin_real_ms: real_ms,
            time_scale,
            latest_real_ms: real_ms,
            paused_at: None,
        }
    }

    /// The world's time at the real time `real_ms` (never before the world's time at an earlier call).
    pub fn world_ms(&mut self, real_ms: u64) -> i64 {
        self.latest_real_ms = self.latest_real_ms.max(real_ms);
        let real = self.paused_at.unwrap_or(self.latest_real_ms);
        let elapsed = (real.saturating_sub(self.origin_real_ms) as f64 / self.time_scale).round();
        // A float to integer cast saturates (and a NaN, impossible here, gives 0).
        self.origin_world_ms.saturating_add(elapsed as i64).min(MAX_WORLD_MS)
    }

    /// Stops the world at the real time `real_ms` (nothing if it is stopped already).
    pub fn pause(&mut self, real_ms: u64) {
        self.latest_real_ms = self.latest_real_ms.max(real_ms);
        self.paused_at.get_or_insert(self.latest_real_ms);
    }

    /// Starts it again at the real time `real_ms`, from where it stopped.
    pub fn resume(&mut self, real_ms: u64) {
        self.latest_real_ms = self.latest_real_ms.max(real_ms);
        if let Some(at) = self.paused_at.take() {
            self.origin_real_ms = self.origin_real_ms.saturating_add(self.latest_real_ms - at);
        }
    }

    /// Whether it is paused.
    pub fn is_paused(&self) -> bool {
        self.paused_at.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_world_runs_scaled_never_back_and_stands_still_when_paused() {
        let mut c = WorldClock::new(1_000_000, 5_000, 0.01);
        assert_eq!(c.world_ms(5_000), 1_000_000);
        assert_eq!(c.world_ms(5_600), 1_060_000, "0.6 s is a world minute at 0.01");
        assert_eq!(c.world_ms(4_000), 1_060_000, "a real clock that goes back does not move the world back");
        c.pause(6_200);
        assert!(c.is_paused());
        assert_eq!(c.world_ms(60_000), 1_120_000);
        c.resume(60_000);
        assert_eq!(c.world_ms(60_600), 1_180_000, "from where it stopped");
        let mut slow = WorldClock::new(0, 0, 1.0);
        assert_eq!(slow.world_ms(123), 123);
        let mut far = WorldClock::new(MAX_WORLD_MS - 10, 0, 1e-9);
        assert_eq!(far.world_ms(u64::MAX), MAX_WORLD_MS);
    }
}

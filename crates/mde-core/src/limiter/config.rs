//! The limiter's configuration: which windows, how much safety margin.

use std::time::Duration;

/// Most windows a configuration may have.
pub const MAX_WINDOWS: usize = 8;
/// Largest limit a window may have (it bounds the limiter's memory: one `u64` per call it remembers).
pub const MAX_LIMIT: u32 = 100_000;

/// One sliding window: at most `limit` calls in any span of `length`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Window {
    /// How many calls the window allows.
    pub limit: u32,
    /// The span the server counts over (without the client's margin).
    pub length: Duration,
}

impl Window {
    /// A window of `limit` calls per `length`.
    pub const fn new(limit: u32, length: Duration) -> Window {
        Window { limit, length }
    }
}

/// The windows a [`RateLimiter`](super::RateLimiter) keeps, and the margin it adds to each.
///
/// The default is the service's published limits, 100 calls per 60 s and 1,500 per 3,600 s, with a margin
/// of 1 s: the client counts each window as 61 s and 3,601 s long. The margin absorbs the difference between
/// when the client sends a call and when the server counts it: clock skew between the two, and latency that
/// varies from call to call (a call sent exactly 60 s after another may arrive less than 60 s after it when
/// the first one was slow), which would otherwise earn a 429 at the window's edge.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RateLimitConfig {
    /// The windows, all enforced together.
    pub windows: Vec<Window>,
    /// Added to every window's length.
    pub margin: Duration,
}

impl Default for RateLimitConfig {
    fn default() -> RateLimitConfig {
        RateLimitConfig {
            windows: vec![Window::new(100, Duration::from_secs(60)), Window::new(1_500, Duration::from_secs(3_600))],
            margin: Duration::from_secs(1),
        }
    }
}

/// Why a [`RateLimitConfig`] was rejected by [`RateLimitConfig::validate`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LimitConfigError {
    /// No window at all: the client would not limit itself and would earn 429s.
    #[error("the rate limit needs at least one window")]
    NoWindows,
    /// More than [`MAX_WINDOWS`] windows.
    // The bounds are written out (a test checks them against the constants): no argument to format at run time.
    #[error("the rate limit has {0} windows; at most 8 are allowed")]
    TooManyWindows(usize),
    /// A window's limit is zero (nothing could ever be sent) or above [`MAX_LIMIT`].
    #[error("window {index} has limit {limit}; it must be between 1 and 100000")]
    Limit {
        /// Position of the window in `windows`.
        index: usize,
        /// The offending limit.
        limit: u32,
    },
    /// A window's length is shorter than one millisecond (the limiter's resolution).
    #[error("window {index} is shorter than one millisecond")]
    Length {
        /// Position of the window in `windows`.
        index: usize,
    },
}

impl RateLimitConfig {
    /// The same configuration with every window length and the margin multiplied by `factor`, for tests
    /// against a mock server whose clock runs `1 / factor` times faster (`scaled(0.001)`: 100 calls per 60 ms).
    ///
    /// A negative or NaN factor gives zero lengths (which [`validate`](Self::validate) rejects); a product too
    /// large for a `Duration` saturates.
    pub fn scaled(&self, factor: f64) -> RateLimitConfig {
        let scale = |d: Duration| {
            let secs = d.as_secs_f64() * factor;
            if secs.is_nan() || secs <= 0.0 {
                Duration::ZERO
            } else {
                Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX)
            }
        };
        RateLimitConfig {
            windows: self.windows.iter().map(|w| Window::new(w.limit, scale(w.length))).collect(),
            margin: scale(self.margin),
        }
    }

    /// Checks that there are 1 to [`MAX_WINDOWS`] windows, each with a limit in `1..=`[`MAX_LIMIT`] and a
    /// length of at least one millisecond. The margin may be zero.
    pub fn validate(&self) -> Result<(), LimitConfigError> {
        if self.windows.is_empty() {
            return Err(LimitConfigError::NoWindows);
        }
        if self.windows.len() > MAX_WINDOWS {
            return Err(LimitConfigError::TooManyWindows(self.windows.len()));
        }
        for (index, window) in self.windows.iter().enumerate() {
            if !(1..=MAX_LIMIT).contains(&window.limit) {
                return Err(LimitConfigError::Limit { index, limit: window.limit });
            }
            if window.length < Duration::from_millis(1) {
                return Err(LimitConfigError::Length { index });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_the_published_limits() {
        let config = RateLimitConfig::default();
        assert_eq!(
            config.windows,
            [Window::new(100, Duration::from_secs(60)), Window::new(1500, Duration::from_secs(3600))]
        );
        assert_eq!(config.margin, Duration::from_secs(1));
        assert_eq!(config.validate(), Ok(()));
    }

    #[test]
    fn scaling() {
        let scaled = RateLimitConfig::default().scaled(0.001);
        assert_eq!(scaled.windows[0], Window::new(100, Duration::from_millis(60)));
        assert_eq!(scaled.windows[1], Window::new(1500, Duration::from_millis(3600)));
        assert_eq!(scaled.margin, Duration::from_millis(1));
        assert_eq!(scaled.validate(), Ok(()));
        assert_eq!(RateLimitConfig::default().scaled(-1.0).validate(), Err(LimitConfigError::Length { index: 0 }));
        assert_eq!(RateLimitConfig::default().scaled(f64::NAN).margin, Duration::ZERO);
        assert_eq!(RateLimitConfig::default().scaled(f64::INFINITY).margin, Duration::MAX);
        assert_eq!(RateLimitConfig::default().scaled(1e300).windows[0].length, Duration::MAX);
    }

    #[test]
    fn messages() {
        assert_eq!(LimitConfigError::NoWindows.to_string(), "the rate limit needs at least one window");
        assert_eq!(
            LimitConfigError::TooManyWindows(9).to_string(),
            format!("the rate limit has 9 windows; at most {MAX_WINDOWS} are allowed")
        );
        assert_eq!(
            LimitConfigError::Limit { index: 2, limit: 0 }.to_string(),
            format!("window 2 has limit 0; it must be between 1 and {MAX_LIMIT}")
        );
        assert_eq!(LimitConfigError::Length { index: 1 }.to_string(), "window 1 is shorter than one millisecond");
    }

    #[test]
    fn validation() {
        let window = Window::new(10, Duration::from_secs(1));
        let config = |windows: Vec<Window>| RateLimitConfig { windows, margin: Duration::ZERO };
        assert_eq!(config(vec![]).validate(), Err(LimitConfigError::NoWindows));
        assert_eq!(config(vec![window; 9]).validate(), Err(LimitConfigError::TooManyWindows(9)));
        assert_eq!(config(vec![window; 8]).validate(), Ok(()));
        let zero = Window::new(0, Duration::from_secs(1));
        assert_eq!(config(vec![window, zero]).validate(), Err(LimitConfigError::Limit { index: 1, limit: 0 }));
        let huge = Window::new(MAX_LIMIT + 1, Duration::from_secs(1));
        assert_eq!(config(vec![huge]).validate(), Err(LimitConfigError::Limit { index: 0, limit: MAX_LIMIT + 1 }));
        let short = Window::new(1, Duration::from_micros(999));
        assert_eq!(config(vec![short]).validate(), Err(LimitConfigError::Length { index: 0 }));
    }
}

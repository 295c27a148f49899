//! [`Step`]: what the JavaScript pump must do next, as the small JSON text that `poll` returns.

use std::time::Duration;

use mde_core::{Request, WaitCause};

use crate::error::ErrorInfo;
use crate::json::{whole_ms, ObjectWriter};

/// The next thing to do, tagged by `t`: `send`, `wait`, `done` or `fail`.
#[derive(Debug)]
pub enum Step {
    /// `fetch(url)` with the token (a fresh one when `refresh`), then report the response.
    Send {
        /// The URL, always on the configured origin.
        url: String,
        /// 1, 2, ... for this URL.
        attempt: u32,
        /// Ask the token callback for a fresh token first.
        refresh: bool,
    },
    /// Sleep `ms` (abortably), then poll again.
    Wait {
        /// How long.
        ms: u64,
        /// `rateLimit`, `retryAfter` or `backoff`.
        reason: &'static str,
    },
    /// Finished.
    Done,
    /// Stopped with this error.
    Fail {
        /// Why.
        error: ErrorInfo,
    },
}

impl Step {
    /// A request to send.
    #[cfg_attr(mde_size, optimize(size))]
    pub fn send(r: Request) -> Step {
        Step::Send { url: r.url, attempt: r.attempt, refresh: r.refresh_token }
    }

    /// A wait.
    #[cfg_attr(mde_size, optimize(size))]
    pub fn wait(duration: Duration, cause: WaitCause) -> Step {
        Step::Wait { ms: whole_ms(duration), reason: cause.as_str() }
    }

    /// The JSON text.
    #[cfg_attr(mde_size, optimize(size))]
    pub fn to_json(&self) -> String {
        let mut w = ObjectWriter::new();
        match self {
            Step::Send { url, attempt, refresh } => {
                w.str("t", "send").str("url", url).num("attempt", u64::from(*attempt)).flag("refresh", *refresh)
            }
            Step::Wait { ms, reason } => w.str("t", "wait").num("ms", *ms).str("reason", reason),
            Step::Done => w.str("t", "done"),
            Step::Fail { error } => w.str("t", "fail").raw("error", &error.to_json()),
        };
        w.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_as_json() {
        let send = Step::send(Request { url: "https://h/api/investigations".into(), attempt: 2, refresh_token: true });
        assert_eq!(send.to_json(), r#"{"t":"send","url":"https://h/api/investigations","attempt":2,"refresh":true}"#);
        assert_eq!(
            Step::wait(Duration::from_millis(1500), WaitCause::RetryAfter).to_json(),
            r#"{"t":"wait","ms":1500,"reason":"retryAfter"}"#
        );
        assert_eq!(
            Step::wait(Duration::new(u64::MAX, 999_999_999), WaitCause::Backoff).to_json(),
            r#"{"t":"wait","ms":18446744073709551615,"reason":"backoff"}"#
        );
        assert_eq!(
            Step::wait(Duration::from_micros(1_999), WaitCause::RateLimit).to_json(),
            r#"{"t":"wait","ms":1,"reason":"rateLimit"}"#
        );
        let send = Step::send(Request { url: "https://h/a?$filter=x%27\"".into(), attempt: 1, refresh_token: false });
        assert_eq!(send.to_json(), r#"{"t":"send","url":"https://h/a?$filter=x%27\"","attempt":1,"refresh":false}"#);
        assert_eq!(Step::Done.to_json(), r#"{"t":"done"}"#);
        let fail = Step::Fail { error: ErrorInfo::config("x") }.to_json();
        assert_eq!(fail, r#"{"t":"fail","error":{"kind":"InvalidConfig","message":"x"}}"#);
    }
}

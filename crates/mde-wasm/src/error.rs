//! [`ErrorInfo`]: every error that crosses to JavaScript, as the JSON text from which the facade builds an
//! `MdeError` (`kind`, `message`, `status`, `code`, `target`, `retryAfterMs`, and for filters `position`,
//! `expected`, `found` or `path`).

use mde_core::decode::DecodeError;
use mde_core::filter::FilterError;
use mde_core::query::QueryError;
use mde_core::{Error, ErrorKind};

use crate::json::ObjectWriter;

/// The most `retryAfterMs` says: 2,147,483,647 ms (about 24.8 days), the longest delay `setTimeout` takes
/// (<https://developer.mozilla.org/en-US/docs/Web/API/Window/setTimeout#maximum_delay_value>). A longer
/// `Retry-After` (a broken or hostile header) would make `setTimeout(f, retryAfterMs)` fire at once and
/// `new Date(Date.now() + retryAfterMs)` invalid; the message keeps the exact hint.
pub const MAX_TIMER_MS: u64 = 2_147_483_647;

/// An error as JavaScript sees it: its [`ErrorFields`], boxed so that every `Result<_, ErrorInfo>` stays one
/// pointer wide (moving ten optional fields at every `?` was a measurable part of the wasm module).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorInfo(Box<ErrorFields>);

impl std::ops::Deref for ErrorInfo {
    type Target = ErrorFields;
    #[cfg_attr(mde_size, optimize(size))]
    fn deref(&self) -> &ErrorFields {
        &self.0
    }
}

impl std::ops::DerefMut for ErrorInfo {
    #[cfg_attr(mde_size, optimize(size))]
    fn deref_mut(&mut self) -> &mut ErrorFields {
        &mut self.0
    }
}

/// The fields of an [`ErrorInfo`]. Field names are those of `MdeError`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorFields {
    /// One of the `ErrorKind` names: `InvalidConfig`, `InvalidQuery`, `Unauthorized`, ...
    pub kind: &'static str,
    /// A readable sentence.
    pub message: String,
    /// The HTTP status, when a response caused the error.
    pub status: Option<u16>,
    /// The service's error code (`BadRequest`, `TooManyRequests`, ...).
    pub code: Option<String>,
    /// The service's correlation id.
    pub target: Option<String>,
    /// For `Throttled`: how long the service asked to wait.
    pub retry_after_ms: Option<u64>,
    /// For an OData filter text: the byte offset of the problem.
    pub position: Option<usize>,
    /// For an OData filter text: what was expected at `position`.
    pub expected: Option<String>,
    /// For an OData filter text: what was found at `position`.
    pub found: Option<String>,
    /// For a filter object or an option: where the problem is (`filter.or[1].startTime.ge`).
    pub path: Option<String>,
}

impl ErrorInfo {
    /// An error of `kind` with only a message.
    #[cfg_attr(mde_size, optimize(size))]
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> ErrorInfo {
        ErrorInfo(Box::new(ErrorFields {
            kind: kind.as_str(),
            message: message.into(),
            status: None,
            code: None,
            target: None,
            retry_after_ms: None,
            position: None,
            expected: None,
            found: None,
            path: None,
        }))
    }

    /// An `InvalidConfig` error.
    #[cfg_attr(mde_size, optimize(size))]
    pub fn config(message: impl Into<String>) -> ErrorInfo {
        ErrorInfo::new(ErrorKind::InvalidConfig, message)
    }

    /// An `InvalidQuery` error about the value at `path`.
    #[cfg_attr(mde_size, optimize(size))]
    pub fn query_at(path: &str, message: impl Into<String>) -> ErrorInfo {
        let mut info = ErrorInfo::new(ErrorKind::InvalidQuery, message);
        info.path = Some(path.to_owned());
        info
    }

    /// An `InvalidResponse` error from a body that did not decode.
    #[cfg_attr(mde_size, optimize(size))]
    pub fn decode(e: &DecodeError) -> ErrorInfo {
        ErrorInfo::new(ErrorKind::InvalidResponse, e.to_string())
    }

    /// The JSON text the facade parses (absent fields are left out).
    #[cfg_attr(mde_size, optimize(size))]
    pub fn to_json(&self) -> String {
        ObjectWriter::new()
            .str("kind", self.kind)
            .str("message", &self.message)
            .opt_num("status", self.status.map(u64::from))
            .opt_str("code", self.code.as_deref())
            .opt_str("target", self.target.as_deref())
            .opt_num("retryAfterMs", self.retry_after_ms)
            .opt_num("position", self.position.map(|p| p as u64))
            .opt_str("expected", self.expected.as_deref())
            .opt_str("found", self.found.as_deref())
            .opt_str("path", self.path.as_deref())
            .finish()
    }
}

impl From<&FilterError> for ErrorInfo {
    #[cfg_attr(mde_size, optimize(size))]
    fn from(e: &FilterError) -> ErrorInfo {
        let mut info = ErrorInfo::new(ErrorKind::InvalidQuery, format!("invalid filter: {e}"));
        info.position = Some(e.position);
        info.expected = Some(e.expected.to_string());
        info.found = Some(e.found.clone());
        info
    }
}

impl From<&QueryError> for ErrorInfo {
    #[cfg_attr(mde_size, optimize(size))]
    fn from(e: &QueryError) -> ErrorInfo {
        match e {
            QueryError::Filter(f) => ErrorInfo::from(f),
            other => ErrorInfo::new(ErrorKind::InvalidQuery, other.to_string()),
        }
    }
}

impl From<&Error> for ErrorInfo {
    #[cfg_attr(mde_size, optimize(size))]
    fn from(e: &Error) -> ErrorInfo {
        if let Error::InvalidQuery(q) = e {
            return ErrorInfo::from(q);
        }
        let mut info = ErrorInfo::new(e.kind(), e.to_string());
        if let Some(http) = e.http() {
            info.status = Some(http.status);
            if let Some(service) = &http.service {
                info.code = service.code.clone();
                info.target = service.target.clone();
            }
        }
        if let Error::Throttled { retry_after: Some(d), .. } = e {
            info.retry_after_ms = Some(crate::json::whole_ms(*d).min(MAX_TIMER_MS));
        }
        info
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mde_core::error::HttpError;
    use std::time::Duration;

    #[test]
    fn service_errors_carry_status_code_target_and_wait() {
        let http = HttpError {
            status: 429,
            service: Some(mde_core::decode::ServiceError {
                code: Some("TooManyRequests".into()),
                message: Some("slow down".into()),
                target: Some("abc".into()),
            }),
        };
        let e = Error::Throttled { retry_after: Some(Duration::from_millis(1500)), http };
        let json: serde_json::Value = serde_json::from_str(&ErrorInfo::from(&e).to_json()).unwrap();
        assert_eq!(json["kind"], "Throttled");
        assert_eq!(json["status"], 429);
        assert_eq!(json["code"], "TooManyRequests");
        assert_eq!(json["target"], "abc");
        assert_eq!(json["retryAfterMs"], 1500);
        assert!(json.get("position").is_none());
    }

    /// A `Retry-After` longer than a timer can wait is told as the longest wait a timer takes, so that
    /// `setTimeout(f, e.retryAfterMs)` waits and `Date.now() + e.retryAfterMs` is a date.
    #[test]
    fn retry_after_ms_is_at_most_what_a_timer_takes() {
        let wait = |ms| {
            let http = HttpError { status: 429, service: None };
            ErrorInfo::from(&Error::Throttled { retry_after: Some(Duration::from_millis(ms)), http }).retry_after_ms
        };
        assert_eq!(wait(2_147_483_646), Some(2_147_483_646));
        assert_eq!(wait(2_147_483_647), Some(2_147_483_647));
        assert_eq!(wait(2_147_483_648), Some(2_147_483_647));
        assert_eq!(wait(u64::MAX), Some(2_147_483_647));
    }

    /// The exact JSON of each shape of error (pinned before the size work on this module).
    #[test]
    fn json_is_pinned() {
        let service = |code: Option<&str>, target: Option<&str>| mde_core::decode::ServiceError {
            code: code.map(Into::into),
            message: Some("m\"x".into()),
            target: target.map(Into::into),
        };
        let http = |status, s| HttpError { status, service: s };
        let cases: Vec<(Error, &str)> = vec![
            (
                Error::Throttled { retry_after: Some(Duration::new(u64::MAX, 999_999_999)), http: http(429, None) },
                r#"{"kind":"Throttled","message":"throttled by the service (retry after 18446744073709551615999 ms): HTTP 429","status":429,"retryAfterMs":2147483647}"#,
            ),
            (
                Error::Throttled { retry_after: Some(Duration::from_micros(1_999)), http: http(429, None) },
                r#"{"kind":"Throttled","message":"throttled by the service (retry after 1 ms): HTTP 429","status":429,"retryAfterMs":1}"#,
            ),
            (
                Error::Throttled { retry_after: None, http: http(429, Some(service(None, Some("t")))) },
                r#"{"kind":"Throttled","message":"throttled by the service: HTTP 429: m\"x (correlation id t)","status":429,"target":"t"}"#,
            ),
            (
                Error::NotFound(http(404, Some(service(Some("NotFound"), None)))),
                r#"{"kind":"NotFound","message":"not found: HTTP 404 NotFound: m\"x","status":404,"code":"NotFound"}"#,
            ),
            (
                Error::BadRequest(http(400, Some(service(Some("BadRequest"), Some("$filter"))))),
                r#"{"kind":"InvalidQuery","message":"the service rejected the request: HTTP 400 BadRequest: m\"x (correlation id $filter)","status":400,"code":"BadRequest","target":"$filter"}"#,
            ),
            (
                Error::Server(http(503, None)),
                r#"{"kind":"Server","message":"the service failed after retries: HTTP 503","status":503}"#,
            ),
            (
                Error::Network { message: "refused\n".into() },
                r#"{"kind":"Network","message":"network error after retries: refused\n"}"#,
            ),
            (
                Error::InvalidResumeToken { reason: "no".into() },
                r#"{"kind":"InvalidConfig","message":"invalid resume token: no"}"#,
            ),
            (
                Error::InvalidQuery(QueryError::Filter(mde_core::Filter::parse("id eq").unwrap_err())),
                r#"{"kind":"InvalidQuery","message":"invalid filter: unexpected end of the filter at byte 5: expected a string in single quotes, like '63017', or digits, found end of input","position":5,"expected":"a string in single quotes, like '63017', or digits","found":"end of input"}"#,
            ),
        ];
        for (e, json) in cases {
            assert_eq!(ErrorInfo::from(&e).to_json(), json);
        }
        let mut all = ErrorInfo::query_at("filter.or[1]", "\u{1}é");
        all.status = Some(u16::MAX);
        all.code = Some(String::new());
        all.target = Some("\\".into());
        all.retry_after_ms = Some(0);
        all.position = Some(usize::MAX);
        all.expected = Some("\"".into());
        all.found = Some("\u{7f}".into());
        assert_eq!(
            all.to_json(),
            format!(
                r#"{{"kind":"InvalidQuery","message":"\u0001é","status":65535,"code":"","target":"\\","retryAfterMs":0,"position":{},"expected":"\"","found":"{}","path":"filter.or[1]"}}"#,
                usize::MAX,
                '\u{7f}'
            )
        );
    }

    #[test]
    fn filter_errors_carry_their_position() {
        let e = mde_core::Filter::parse("state eq 'Running' and").unwrap_err();
        let info = ErrorInfo::from(&Error::InvalidQuery(QueryError::Filter(e)));
        assert_eq!(info.kind, "InvalidQuery");
        assert_eq!(info.position, Some(22));
        assert!(info.message.contains("invalid filter"), "{}", info.message);
    }
}

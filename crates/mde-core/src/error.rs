//! [`Error`]: every way a listing can end without success, each a case the user can act on.

use std::fmt;
use std::time::Duration;

use crate::base_url::UrlError;
use crate::decode::{DecodeError, ServiceError};
use crate::query::QueryError;

/// A failed HTTP exchange: the status and, when the body was the service's error body, its fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpError {
    /// The HTTP status.
    pub status: u16,
    /// The service's `{"error": {...}}` body, if it sent one.
    pub service: Option<ServiceError>,
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        if let Some(s) = &self.service {
            if let Some(code) = &s.code {
                write!(f, " {code}")?;
            }
            if let Some(message) = &s.message {
                write!(f, ": {message}")?;
            }
            if let Some(target) = &s.target {
                write!(f, " (correlation id {target})")?;
            }
        }
        Ok(())
    }
}

/// The error of mde-core: why a query was refused or a listing stopped. Pages delivered before it stay delivered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A setting is unusable (page size, base URL, limiter settings, ...).
    #[error("invalid configuration: {message}")]
    InvalidConfig {
        /// What is wrong and what is allowed.
        message: String,
    },
    /// The query (`$filter`, `$top`, `$skip`) is invalid; nothing was sent.
    #[error("invalid query: {0}")]
    InvalidQuery(#[from] QueryError),
    /// A resume token that this version cannot use.
    #[error("invalid resume token: {reason}")]
    InvalidResumeToken {
        /// Why it was refused.
        reason: String,
    },
    /// The service refused the request (400, or another 4xx that a retry cannot fix).
    #[error("the service rejected the request: {0}")]
    BadRequest(HttpError),
    /// 401 even with a freshly requested token: the token is missing, expired or for another audience.
    #[error("unauthorized (check the token and its audience): {0}")]
    Unauthorized(HttpError),
    /// 403: the application lacks a permission: `Alert.ReadWrite.All` (application) or `Alert.ReadWrite` (delegated,
    /// with the View Data role), as the List Investigations page lists them
    /// (<https://learn.microsoft.com/en-us/defender-endpoint/api/get-investigation-collection>).
    #[error("forbidden (the app needs Alert.ReadWrite.All, or Alert.ReadWrite for a user): {0}")]
    Forbidden(HttpError),
    /// 404: no such investigation (or path).
    #[error("not found: {0}")]
    NotFound(HttpError),
    /// 429 with a `Retry-After` longer than allowed, or still throttled after every attempt.
    #[error("throttled by the service{}: {http}", RetryAfterNote(*retry_after))]
    Throttled {
        /// How long the service asked to wait, if it said.
        retry_after: Option<Duration>,
        /// The last response.
        http: HttpError,
    },
    /// 5xx (or 408) after every attempt.
    #[error("the service failed after retries: {0}")]
    Server(HttpError),
    /// The request never got an HTTP answer (connection refused or reset, DNS, CORS), after every attempt.
    #[error("network error after retries: {message}")]
    Network {
        /// The driver's description.
        message: String,
    },
    /// A 2xx body that is not a valid page or entity, after every attempt.
    #[error(transparent)]
    InvalidResponse(#[from] DecodeError),
    /// The service pointed at another origin (or resource), or answered with a redirect; nothing was sent there and
    /// the token never left.
    #[error("refused to follow a link: {0}")]
    ForeignOrigin(UrlError),
    /// The driver called the machine out of order (a bug in the driver, not in the data).
    #[error("driver misuse: {message}")]
    Misuse {
        /// What the driver did wrong.
        message: &'static str,
    },
}

/// The coarse kind of an [`Error`], what a user interface switches on (the JS `MdeError.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Bad settings, resume token or driver misuse.
    InvalidConfig,
    /// Invalid query, locally or as judged by the service (400).
    InvalidQuery,
    /// 401.
    Unauthorized,
    /// 403.
    Forbidden,
    /// 404.
    NotFound,
    /// 429 that could not be waited out.
    Throttled,
    /// 5xx after retries.
    Server,
    /// No HTTP answer after retries.
    Network,
    /// Cancelled by the caller (only drivers produce it).
    Aborted,
    /// A body that does not decode.
    InvalidResponse,
    /// A link to another origin was refused.
    ForeignOrigin,
}

impl ErrorKind {
    /// The kind's name, as in the JS API.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidConfig => "InvalidConfig",
            ErrorKind::InvalidQuery => "InvalidQuery",
            ErrorKind::Unauthorized => "Unauthorized",
            ErrorKind::Forbidden => "Forbidden",
            ErrorKind::NotFound => "NotFound",
            ErrorKind::Throttled => "Throttled",
            ErrorKind::Server => "Server",
            ErrorKind::Network => "Network",
            ErrorKind::Aborted => "Aborted",
            ErrorKind::InvalidResponse => "InvalidResponse",
            ErrorKind::ForeignOrigin => "ForeignOrigin",
        }
    }
}

/// ` (retry after N ms)`, or nothing without a wait. `N` is `d.as_millis()`, printed through `u64`s: formatting a
/// `u128` would pull 128-bit division into the wasm module.
struct RetryAfterNote(Option<Duration>);

impl fmt::Display for RetryAfterNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(d) = self.0 else { return Ok(()) };
        let (secs, ms) = (d.as_secs(), d.subsec_millis());
        if secs == 0 {
            write!(f, " (retry after {ms} ms)")
        } else {
            write!(f, " (retry after {secs}{ms:03} ms)")
        }
    }
}

impl Error {
    /// The error's kind.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidConfig { .. } | Error::InvalidResumeToken { .. } | Error::Misuse { .. } => {
                ErrorKind::InvalidConfig
            }
            Error::InvalidQuery(_) | Error::BadRequest(_) => ErrorKind::InvalidQuery,
            Error::Unauthorized(_) => ErrorKind::Unauthorized,
            Error::Forbidden(_) => ErrorKind::Forbidden,
            Error::NotFound(_) => ErrorKind::NotFound,
            Error::Throttled { .. } => ErrorKind::Throttled,
            Error::Server(_) => ErrorKind::Server,
            Error::Network { .. } => ErrorKind::Network,
            Error::InvalidResponse(_) => ErrorKind::InvalidResponse,
            Error::ForeignOrigin(_) => ErrorKind::ForeignOrigin,
        }
    }

    /// The HTTP exchange behind the error, if there was one.
    pub fn http(&self) -> Option<&HttpError> {
        match self {
            Error::BadRequest(h)
            | Error::Unauthorized(h)
            | Error::Forbidden(h)
            | Error::NotFound(h)
            | Error::Server(h)
            | Error::Throttled { http: h, .. } => Some(h),
            _ => None,
        }
    }
}

#[cfg(test)]
mod millis_tests {
    use super::*;

    #[test]
    fn retry_after_note_prints_as_millis() {
        assert_eq!(RetryAfterNote(None).to_string(), "");
        for d in [
            Duration::ZERO,
            Duration::from_nanos(999_999),
            Duration::from_millis(7),
            Duration::from_millis(1_000),
            Duration::from_millis(1_005),
            Duration::from_millis(86_400_123),
            Duration::new(u64::MAX, 999_999_999),
        ] {
            let oracle = format!(" (retry after {} ms)", d.as_millis());
            assert_eq!(RetryAfterNote(Some(d)).to_string(), oracle, "{d:?}");
        }
    }
}

#[cfg(test)]
mod message_tests {
    use super::*;
    use crate::decode::ServiceError;

    fn http(status: u16, full: bool) -> HttpError {
        let service = full.then(|| ServiceError {
            code: Some("TooManyRequests".into()),
            message: Some("Rate limit \"x\"".into()),
            target: Some("c0ffee".into()),
        });
        HttpError { status, service }
    }

    #[test]
    fn http_error_messages() {
        assert_eq!(http(400, false).to_string(), "HTTP 400");
        assert_eq!(http(429, true).to_string(), "HTTP 429 TooManyRequests: Rate limit \"x\" (correlation id c0ffee)");
        let only_message = HttpError {
            status: 500,
            service: Some(ServiceError { code: None, message: Some("boom".into()), target: None }),
        };
        assert_eq!(only_message.to_string(), "HTTP 500: boom");
        let empty = HttpError { status: 503, service: Some(ServiceError::default()) };
        assert_eq!(empty.to_string(), "HTTP 503");
    }

    #[test]
    fn error_messages() {
        let cases = [
            (Error::InvalidConfig { message: "m".into() }, "invalid configuration: m"),
            (Error::InvalidResumeToken { reason: "r".into() }, "invalid resume token: r"),
            (Error::BadRequest(http(400, false)), "the service rejected the request: HTTP 400"),
            (Error::Unauthorized(http(401, false)), "unauthorized (check the token and its audience): HTTP 401"),
            (
                Error::Forbidden(http(403, false)),
                "forbidden (the app needs Alert.ReadWrite.All, or Alert.ReadWrite for a user): HTTP 403",
            ),
            (Error::NotFound(http(404, false)), "not found: HTTP 404"),
            (Error::Throttled { retry_after: None, http: http(429, false) }, "throttled by the service: HTTP 429"),
            (
                Error::Throttled { retry_after: Some(Duration::from_micros(1_500_999)), http: http(429, true) },
                "throttled by the service (retry after 1500 ms): HTTP 429 TooManyRequests: Rate limit \"x\" \
                 (correlation id c0ffee)",
            ),
            (
                Error::Throttled { retry_after: Some(Duration::from_millis(7)), http: http(429, false) },
                "throttled by the service (retry after 7 ms): HTTP 429",
            ),
            (
                Error::Throttled { retry_after: Some(Duration::from_millis(60_005)), http: http(429, false) },
                "throttled by the service (retry after 60005 ms): HTTP 429",
            ),
            (
                Error::Throttled { retry_after: Some(Duration::ZERO), http: http(429, false) },
                "throttled by the service (retry after 0 ms): HTTP 429",
            ),
            (Error::Server(http(503, false)), "the service failed after retries: HTTP 503"),
            (Error::Network { message: "reset".into() }, "network error after retries: reset"),
            (Error::Misuse { message: "twice" }, "driver misuse: twice"),
        ];
        for (e, text) in cases {
            assert_eq!(e.to_string(), text);
        }
    }
}

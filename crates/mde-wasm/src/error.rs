//! [`ErrorInfo`]: every error that crosses to JavaScript, as the JSON text from which the facade builds an
//! `MdeError` (`kind`, `message`, `status`, `code`, `target`, `retryAfterMs`, and for filters `position`,
//! `expected`, `found` or `path`).

use mde_core::decode::DecodeError;
use mde_core::filter::FilterError;
use mde_core::query::QueryError;
use mde_core::{Error, ErrorKind};

use crate::json::ObjectWriter;

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
                info.code.clone_from(&service.code);
                info.target.clone_from(&service.target);
            }
        }
        if let Error::Throttled { retry_after: Some(d), .. } = e {
            info.retry_after_ms = Some(u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
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

    #[test]
    fn filter_errors_carry_their_position() {
        let e = mde_core::Filter::parse("state eq 'Running' and").unwrap_err();
        let info = ErrorInfo::from(&Error::InvalidQuery(QueryError::Filter(e)));
        assert_eq!(info.kind, "InvalidQuery");
        assert_eq!(info.position, Some(22));
        assert!(info.message.contains("invalid filter"), "{}", info.message);
    }
}

//! Building answers: the service's error body, CORS headers, and the marker the front turns into a
//! connection-level fault.

use wiremock::ResponseTemplate;

use crate::rng::mix;

/// The header by which a responder asks the [front](crate::front) for a connection-level fault. The front
/// removes it; a client never sees it.
pub const FAULT_HEADER: &str = "x-mde-mock-fault";

/// Headers a browser script may read on every answer.
pub const EXPOSED_HEADERS: &str = "Retry-After, retry-after-ms";

/// How long a browser may cache a preflight answer, in seconds.
pub const PREFLIGHT_MAX_AGE: &str = "600";

/// An answer before it becomes a wiremock [`ResponseTemplate`]: status, headers, body, and maybe a fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// Extra headers.
    pub headers: Vec<(&'static str, String)>,
    /// Body bytes (JSON when not empty).
    pub body: Vec<u8>,
    /// A connection-level fault for the front to apply (`close` or `truncate`).
    pub marker: Option<&'static str>,
}

impl Answer {
    /// A JSON answer.
    pub fn json(status: u16, body: Vec<u8>) -> Answer {
        Answer { status, headers: Vec::new(), body, marker: None }
    }

    /// An answer without a body.
    pub fn empty(status: u16) -> Answer {
        Answer::json(status, Vec::new())
    }

    /// The service's error body: `{"error": {"code", "message", "target"}}`, `target` a correlation id.
    pub fn error(status: u16, code: &str, message: &str, target: &str) -> Answer {
        let body = serde_json::json!({ "error": { "code": code, "message": message, "target": target } });
        Answer::json(status, serde_json::to_vec(&body).unwrap_or_default())
    }

    /// Adds a header.
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Answer {
        self.headers.push((name, value.into()));
        self
    }

    /// The template wiremock sends: CORS headers added; no body for `HEAD` (so that every `HEAD` answer says
    /// `content-length: 0`, which the front relies on); `delay` before it is sent.
    pub fn into_template(self, origin: &str, head: bool, delay: std::time::Duration) -> ResponseTemplate {
        let mut t = ResponseTemplate::new(self.status)
            .insert_header("access-control-allow-origin", origin)
            .insert_header("access-control-expose-headers", EXPOSED_HEADERS);
        if origin != "*" {
            t = t.insert_header("vary", "Origin");
        }
        for (name, value) in self.headers {
            t = t.insert_header(name, value.as_str());
        }
        if let Some(marker) = self.marker {
            t = t.insert_header(FAULT_HEADER, marker);
        }
        if !self.body.is_empty() && !head {
            t = t.set_body_raw(self.body, "application/json; charset=utf-8");
        }
        if !delay.is_zero() {
            t = t.set_delay(delay);
        }
        t
    }
}

/// The answer to an `OPTIONS` preflight: `204`, allowing `methods`, the `Authorization` header, a max age.
pub fn preflight(methods: &str) -> Answer {
    Answer::empty(204)
        .header("access-control-allow-methods", methods)
        .header("access-control-allow-headers", "Authorization, Content-Type")
        .header("access-control-max-age", PREFLIGHT_MAX_AGE)
}

/// A correlation id shaped like the service's (a GUID), derived from the seed and a counter.
pub fn correlation_id(seed: u64, n: u64) -> String {
    let a = mix(seed ^ mix(n.wrapping_add(0xC0FF_EE00)));
    let b = mix(a ^ n);
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | (b >> 48) & 0x3fff,
        b & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn correlation_ids_look_like_guids_and_differ() {
        let a = super::correlation_id(1, 1);
        let b = super::correlation_id(1, 2);
        assert_eq!(a.len(), 36);
        assert_eq!(a.as_bytes()[14], b'4');
        assert_ne!(a, b);
        assert_eq!(a, super::correlation_id(1, 1));
    }
}

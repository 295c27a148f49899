//! Building answers: the service's error body, CORS headers, correlation ids.

use std::time::Duration;

use crate::request::{ConnectionFault, Reply};
use crate::rng::mix;

/// Headers a browser script may read on every answer.
pub const EXPOSED_HEADERS: &str = "Retry-After, retry-after-ms";

/// How long a browser may cache a preflight answer, in seconds.
pub const PREFLIGHT_MAX_AGE: &str = "600";

/// The `Content-Type` of the admin API's JSON bodies.
pub const JSON_CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// The `Content-Type` of the API's JSON bodies, as the service sends it (recorded real responses:
/// <https://github.com/swimlane/techpubs-knowledgecenter>, `docs/Connectors/t_microsoft_defender-main`).
pub const ODATA_CONTENT_TYPE: &str = "application/json; odata.metadata=minimal; odata.streaming=true; charset=utf-8";

/// The `Content-Type` of `$metadata`.
pub const XML_CONTENT_TYPE: &str = "application/xml; charset=utf-8";

/// What a body is, which decides its `Content-Type` and whether `OData-Version` goes with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Media {
    /// The admin API's JSON.
    Json,
    /// The API's JSON (OData).
    OData,
    /// The API's `$metadata` (CSDL XML).
    Xml,
}

/// An answer before CORS and framing: status, extra headers, body, and maybe a connection fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Answer {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
    pub fault: Option<ConnectionFault>,
    pub media: Media,
}

impl Answer {
    /// A JSON answer.
    pub fn json(status: u16, body: Vec<u8>) -> Answer {
        Answer { status, headers: Vec::new(), body, fault: None, media: Media::Json }
    }

    /// The CSDL document of `$metadata`.
    pub fn xml(status: u16, body: Vec<u8>) -> Answer {
        Answer { media: Media::Xml, ..Answer::json(status, body) }
    }

    /// The same answer as the OData service sends it: its JSON typed as OData's, with `OData-Version: 4.0`.
    pub fn typed_as_odata(mut self) -> Answer {
        if self.media == Media::Json {
            self.media = Media::OData;
        }
        self
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

    /// The reply: CORS headers first, then the answer's own, `content-type` when there is a body; no body for
    /// `HEAD`; `delay` before it is sent.
    pub fn into_reply(self, cors: &Cors, origin: Option<&str>, head: bool, delay: Duration) -> Reply {
        let mut headers = Vec::with_capacity(self.headers.len() + 4);
        headers.push(("access-control-allow-origin", cors.allow(origin).to_string()));
        headers.push(("access-control-expose-headers", EXPOSED_HEADERS.to_string()));
        if !cors.is_any() {
            headers.push(("vary", "Origin".to_string()));
        }
        headers.extend(self.headers);
        let has_body = !self.body.is_empty();
        let body = if head { Vec::new() } else { self.body };
        if has_body && !head {
            let content_type = match self.media {
                Media::Json => JSON_CONTENT_TYPE,
                Media::OData => ODATA_CONTENT_TYPE,
                Media::Xml => XML_CONTENT_TYPE,
            };
            headers.push(("content-type", content_type.to_string()));
        }
        if self.media != Media::Json {
            headers.push(("odata-version", "4.0".to_string()));
        }
        Reply { status: self.status, headers, body, delay, fault: self.fault, pacing: None }
    }
}

/// Which origins a browser may read answers from (`--cors-origin`): `*`, one origin, or a comma-separated
/// list of origins, of which the one the request names (its `Origin` header) is echoed, else the first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cors {
    origins: Vec<String>,
}

impl Cors {
    /// Reads `*`, an origin, or `origin1,origin2`; `None` when a value is empty or not a valid header value.
    pub fn parse(text: &str) -> Option<Cors> {
        let origins: Vec<String> = text.split(',').map(|o| o.trim().to_string()).collect();
        let valid = |o: &String| !o.is_empty() && o.bytes().all(|b| b == b'\t' || (0x20..0x7f).contains(&b));
        origins.iter().all(valid).then_some(Cors { origins })
    }

    /// Whether every origin may read (`*`).
    pub fn is_any(&self) -> bool {
        self.origins.iter().any(|o| o == "*")
    }

    /// The `Access-Control-Allow-Origin` value for a request from `origin`.
    pub fn allow(&self, origin: Option<&str>) -> &str {
        if self.is_any() {
            return "*";
        }
        origin.and_then(|o| self.origins.iter().find(|allowed| allowed.as_str() == o)).unwrap_or(&self.origins[0])
    }

    /// The configured text, as given.
    pub fn as_text(&self) -> String {
        self.origins.join(",")
    }
}

/// The answer to an `OPTIONS` preflight: `204`, allowing `methods`, the `Authorization` header, a max age.
pub(crate) fn preflight(methods: &str) -> Answer {
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
    use super::*;

    #[test]
    fn correlation_ids_look_like_guids_and_differ() {
        let a = correlation_id(1, 1);
        let b = correlation_id(1, 2);
        assert_eq!(a.len(), 36);
        assert_eq!(a.as_bytes()[14], b'4');
        assert_ne!(a, b);
        assert_eq!(a, correlation_id(1, 1));
    }

    #[test]
    fn cors_echoes_a_listed_origin_or_the_first() {
        let any = Cors::parse("*").unwrap();
        assert_eq!(any.allow(Some("http://x.test")), "*");
        let list = Cors::parse("http://a.test, http://b.test").unwrap();
        assert!(!list.is_any());
        assert_eq!(list.allow(Some("http://b.test")), "http://b.test");
        assert_eq!(list.allow(Some("http://evil.test")), "http://a.test");
        assert_eq!(list.allow(None), "http://a.test");
        assert!(Cors::parse("").is_none());
        assert!(Cors::parse("http://a.test,").is_none());
        assert!(Cors::parse("http://a.test\r\nx: y").is_none());
    }
}

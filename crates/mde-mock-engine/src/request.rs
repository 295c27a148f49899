//! What goes into the engine and what comes out: a [`Request`] as read off the wire, and the [`Reply`] a
//! driver sends (or the [`ConnectionFault`] it enacts) after waiting [`Reply::delay`], its body at once or paced
//! ([`Reply::pacing`]).

use std::time::Duration;

use crate::pacing::Pacing;

/// One HTTP request, as much of it as the engine reads.
///
/// Drivers fill it from whatever they received (a hyper request, Node's `IncomingMessage`, a Fetch API
/// `Request`); the engine never sees a socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request<'a> {
    /// The method, upper case (`GET`, `HEAD`, `OPTIONS`, `POST`, `PATCH`, ...).
    pub method: &'a str,
    /// The path, as sent (percent-encoded), starting with `/`.
    pub path: &'a str,
    /// The query string without the `?`, as sent; `None` without one.
    pub query: Option<&'a str>,
    /// The `Authorization` header.
    pub authorization: Option<&'a str>,
    /// The `Origin` header (CORS).
    pub origin: Option<&'a str>,
    /// The `Host` header (or the authority of the request's URL): the host of `@odata.context`.
    pub host: Option<&'a str>,
    /// `http` or `https`: the scheme of URLs the engine writes into bodies. The servers are `http`; an
    /// in-process handler standing in for `https://api.security.microsoft.com` is `https`.
    pub scheme: &'a str,
    /// The body (empty for a `GET`).
    pub body: &'a [u8],
}

impl<'a> Request<'a> {
    /// A `GET` of `path` (with an optional query) over `http`, without headers: the start of a request in tests.
    pub fn get(path: &'a str, query: Option<&'a str>) -> Request<'a> {
        Request { method: "GET", path, query, authorization: None, origin: None, host: None, scheme: "http", body: &[] }
    }

    /// The same request with an `Authorization` header.
    pub fn with_authorization(mut self, value: &'a str) -> Request<'a> {
        self.authorization = Some(value);
        self
    }
}

/// A fault the driver enacts on the connection instead of (or while) sending the reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionFault {
    /// Close the connection without sending a byte of the reply (a network error for the client).
    Close,
    /// Send the status line and the headers (with the full `Content-Length`), then only the first `after`
    /// bytes of the body, then close the connection.
    Truncate {
        /// How many bytes of the body are sent.
        after: usize,
    },
}

impl ConnectionFault {
    /// The fault's name in the journal and the admin API: `close` or `truncate`.
    pub fn name(self) -> &'static str {
        match self {
            ConnectionFault::Close => "close",
            ConnectionFault::Truncate { .. } => "truncate",
        }
    }
}

/// What the engine answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// Every header to send, names in lower case (`content-type` when there is a body, CORS headers, ...).
    /// `content-length` is not among them: the driver frames the body.
    pub headers: Vec<(&'static str, String)>,
    /// The body (empty for `HEAD`, `204` and a closed connection).
    pub body: Vec<u8>,
    /// How long the driver waits before it answers (`--latency-ms`).
    pub delay: Duration,
    /// A connection-level fault to enact instead of sending the reply normally.
    pub fault: Option<ConnectionFault>,
    /// How to send the body over time (`--bandwidth`, `--first-byte-ms`): in chunks, `Transfer-Encoding:
    /// chunked`, on the plan's schedule. `None`: the body at once, with its `Content-Length`. Never set with a
    /// `fault`, nor for an empty body.
    pub pacing: Option<Pacing>,
}

impl Reply {
    /// The value of a header, if the reply has it.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

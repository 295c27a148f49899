//! What the front reads of HTTP/1.x heads: enough to frame one request and one response, and the fault marker.
//! Pure functions over bytes.

use std::time::Duration;

use super::{FAULT_HEADER, PACE_HEADER};

/// Where a head ends (after the blank line), if it is complete.
pub(crate) fn find_head_end(bytes: &[u8]) -> Option<usize> {
    bytes.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4)
}

/// A request head the front can frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RequestHead {
    /// Bytes of body after the head (`Content-Length`, 0 without one).
    pub body: u64,
    /// A `HEAD` request: its response has no body, whatever its `Content-Length` says.
    pub is_head: bool,
    /// `Expect: 100-continue`: the client may wait for a `100 Continue` before sending the body.
    pub expects_continue: bool,
    /// Whether the client keeps the connection after the response (HTTP/1.1 unless `Connection: close`;
    /// HTTP/1.0 only with `Connection: keep-alive`).
    pub keep_alive: bool,
}

/// Reads a complete request head (up to and with its blank line). `None` for anything the front does not frame
/// (it relays those raw): not HTTP/1.0 or 1.1 (an HTTP/2 preface), `CONNECT`, an upgrade, a
/// `Transfer-Encoding`, an unreadable or ambiguous `Content-Length`, folded header lines.
pub(crate) fn parse_request_head(head: &[u8]) -> Option<RequestHead> {
    let mut lines = lines(head);
    let mut request_line = lines.next()?.split(|b| *b == b' ');
    let method = request_line.next()?;
    let _target = request_line.next()?;
    let version = request_line.next()?;
    if request_line.next().is_some() || method.is_empty() || method == b"CONNECT" {
        return None;
    }
    let http11 = match version {
        b"HTTP/1.1" => true,
        b"HTTP/1.0" => false,
        _ => return None,
    };
    let mut length: Option<u64> = None;
    let (mut close, mut keep) = (false, false);
    let mut expects_continue = false;
    for line in lines.take_while(|l| !l.is_empty()) {
        if line.starts_with(b" ") || line.starts_with(b"\t") {
            return None;
        }
        let (name, value) = header(line)?;
        if name.eq_ignore_ascii_case(b"content-length") {
            let n = digits(value)?;
            if length.is_some_and(|l| l != n) {
                return None;
            }
            length = Some(n);
        } else if name.eq_ignore_ascii_case(b"transfer-encoding") || name.eq_ignore_ascii_case(b"upgrade") {
            return None;
        } else if name.eq_ignore_ascii_case(b"connection") {
            for token in value.split(|b| *b == b',').map(trim) {
                if token.eq_ignore_ascii_case(b"close") {
                    close = true;
                } else if token.eq_ignore_ascii_case(b"keep-alive") {
                    keep = true;
                } else if token.eq_ignore_ascii_case(b"upgrade") {
                    return None;
                }
            }
        } else if name.eq_ignore_ascii_case(b"expect") && value.eq_ignore_ascii_case(b"100-continue") {
            expects_continue = true;
        }
    }
    Some(RequestHead {
        body: length.unwrap_or(0),
        is_head: method == b"HEAD",
        expects_continue,
        keep_alive: !close && (http11 || keep),
    })
}

/// What the front needs from a response head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ResponseHead {
    /// An interim answer (`100 Continue` and the like, not `101`): a final one follows.
    pub interim: bool,
    /// Body length; `None` when it cannot be framed (relay raw from here on).
    pub body: Option<u64>,
    /// Whether the server keeps the connection after this response.
    pub keep_alive: bool,
    /// The fault asked for, if any.
    pub fault: Option<Marker>,
    /// The pacing asked for, if any.
    pub pace: Option<Pace>,
}

/// A body sent over time, as the [`PACE_HEADER`] asks: chunk `k` of `chunk_bytes` is due `first + k × interval`
/// after the head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pace {
    /// The wait before the first byte of the body.
    pub first: Duration,
    /// Bytes per chunk (at least 1).
    pub chunk_bytes: u64,
    /// Between the starts of two chunks.
    pub interval: Duration,
}

impl Pace {
    /// Reads the marker's value: `FIRST_BYTE_NS CHUNK_BYTES INTERVAL_NS`.
    fn parse(value: &[u8]) -> Option<Pace> {
        let text = std::str::from_utf8(value).ok()?;
        let mut numbers = text.split_ascii_whitespace().map(|n| n.parse::<u64>().ok());
        let (first, chunk_bytes, interval) = (numbers.next()??, numbers.next()??, numbers.next()??);
        (numbers.next().is_none() && chunk_bytes > 0).then_some(Pace {
            first: Duration::from_nanos(first),
            chunk_bytes,
            interval: Duration::from_nanos(interval),
        })
    }

    /// When chunk `k` (from 0) is due, counted from the head.
    pub fn due(&self, k: u64) -> Duration {
        self.first.saturating_add(self.interval.saturating_mul(u32::try_from(k).unwrap_or(u32::MAX)))
    }
}

/// A connection fault asked for by the [`FAULT_HEADER`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Marker {
    /// Close the connection without sending the response.
    Close,
    /// Send this many bytes of the body (half of it when the marker gives no number), then close.
    Truncate(Option<u64>),
}

/// Reads the status and the headers the front cares about.
pub(crate) fn parse_response_head(head: &[u8]) -> ResponseHead {
    let mut lines = lines(head);
    let status_line = lines.next().unwrap_or_default();
    let http11 = status_line.starts_with(b"HTTP/1.1 ");
    let status: u16 = status_line
        .split(|b| *b == b' ')
        .nth(1)
        .and_then(|s| std::str::from_utf8(s).ok())
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut length: Option<u64> = None;
    let mut chunked = false;
    let (mut close, mut keep) = (false, false);
    let mut fault = None;
    let mut pace = None;
    for line in lines {
        let Some((name, value)) = header(line) else { continue };
        if name.eq_ignore_ascii_case(b"content-length") {
            length = digits(value);
        } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
            chunked = true;
        } else if name.eq_ignore_ascii_case(b"connection") {
            for token in value.split(|b| *b == b',').map(trim) {
                close |= token.eq_ignore_ascii_case(b"close");
                keep |= token.eq_ignore_ascii_case(b"keep-alive");
            }
        } else if name.eq_ignore_ascii_case(PACE_HEADER.as_bytes()) {
            pace = Pace::parse(value);
        } else if name.eq_ignore_ascii_case(FAULT_HEADER.as_bytes()) {
            fault = match value {
                b"close" => Some(Marker::Close),
                b"truncate" => Some(Marker::Truncate(None)),
                _ => value
                    .strip_prefix(b"truncate ")
                    .and_then(|n| std::str::from_utf8(n).ok())
                    .and_then(|n| n.trim().parse().ok())
                    .map(|n| Marker::Truncate(Some(n))),
            };
        }
    }
    let body = match status {
        101 => None,
        100..=199 | 204 | 304 => Some(0),
        _ if chunked => None,
        _ => length,
    };
    ResponseHead {
        interim: (100..=199).contains(&status) && status != 101,
        body,
        keep_alive: !close && (http11 || keep),
        fault,
        pace,
    }
}

/// The head without the lines of header `name` (case-insensitive).
pub(crate) fn without_header(head: &[u8], name: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(head.len());
    for line in head.split_inclusive(|b| *b == b'\n') {
        let is_it = line.len() > name.len()
            && line[..name.len()].eq_ignore_ascii_case(name.as_bytes())
            && line[name.len()] == b':';
        if !is_it {
            out.extend_from_slice(line);
        }
    }
    out
}

fn lines(head: &[u8]) -> impl Iterator<Item = &[u8]> {
    head.split(|b| *b == b'\n').map(|l| l.strip_suffix(b"\r").unwrap_or(l))
}

fn header(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let colon = line.iter().position(|b| *b == b':')?;
    Some((&line[..colon], trim(&line[colon + 1..])))
}

/// A decimal number of at most 19 digits (no sign, no spaces inside).
fn digits(value: &[u8]) -> Option<u64> {
    if value.is_empty() || value.len() > 19 || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(value).ok()?.parse().ok()
}

fn trim(mut b: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = b {
        if first.is_ascii_whitespace() {
            b = rest;
        } else {
            break;
        }
    }
    while let [rest @ .., last] = b {
        if last.is_ascii_whitespace() {
            b = rest;
        } else {
            break;
        }
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(text: &str) -> Option<RequestHead> {
        parse_request_head(text.as_bytes())
    }

    #[test]
    fn requests_are_framed() {
        let get = request("GET /api/investigations?$top=1 HTTP/1.1\r\nhost: x\r\n\r\n").unwrap();
        assert_eq!(get, RequestHead { body: 0, is_head: false, expects_continue: false, keep_alive: true });
        let post = request("POST /__admin/faults HTTP/1.1\r\nContent-Length: 12\r\nConnection: close\r\n\r\n").unwrap();
        assert_eq!((post.body, post.keep_alive), (12, false));
        assert!(request("HEAD / HTTP/1.1\r\n\r\n").unwrap().is_head);
        let expect = request("PUT / HTTP/1.1\r\ncontent-length: 5\r\nexpect: 100-Continue\r\n\r\n").unwrap();
        assert!(expect.expects_continue);
        // HTTP/1.0 closes unless asked to keep the connection.
        assert!(!request("GET / HTTP/1.0\r\n\r\n").unwrap().keep_alive);
        assert!(request("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").unwrap().keep_alive);
        // The same length twice is one length.
        assert_eq!(request("POST / HTTP/1.1\r\ncontent-length: 3\r\ncontent-length: 3\r\n\r\n").unwrap().body, 3);
    }

    #[test]
    fn what_cannot_be_framed_is_left_to_the_raw_relay() {
        for text in [
            "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
            "POST / HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n",
            "GET / HTTP/1.1\r\nconnection: Upgrade\r\nupgrade: websocket\r\n\r\n",
            "GET / HTTP/1.1\r\nupgrade: h2c\r\n\r\n",
            "CONNECT example.com:443 HTTP/1.1\r\n\r\n",
            "POST / HTTP/1.1\r\ncontent-length: 3\r\ncontent-length: 4\r\n\r\n",
            "POST / HTTP/1.1\r\ncontent-length: -3\r\n\r\n",
            "POST / HTTP/1.1\r\ncontent-length: 3, 3\r\n\r\n",
            "GET / HTTP/1.1\r\nx-a: 1\r\n folded\r\n\r\n",
            "GET / HTTP/1.1\r\nno colon\r\n\r\n",
            "GET /\r\n\r\n",
            "GET / HTTP/3\r\n\r\n",
            "garbage\r\n\r\n",
        ] {
            assert_eq!(request(text), None, "{text:?}");
        }
    }

    #[test]
    fn responses_are_framed() {
        let h = parse_response_head(b"HTTP/1.1 200 OK\r\ncontent-length: 12\r\nx-mde-mock-fault: truncate\r\n\r\n");
        assert_eq!(
            h,
            ResponseHead {
                interim: false,
                body: Some(12),
                keep_alive: true,
                fault: Some(Marker::Truncate(None)),
                pace: None
            }
        );
        let h = parse_response_head(b"HTTP/1.1 200 OK\r\ncontent-length: 12\r\nx-mde-mock-fault: truncate 5\r\n\r\n");
        assert_eq!(h.fault, Some(Marker::Truncate(Some(5))));
        assert_eq!(parse_response_head(b"HTTP/1.1 204 No Content\r\n\r\n").body, Some(0));
        assert!(parse_response_head(b"HTTP/1.1 100 Continue\r\n\r\n").interim);
        assert_eq!(parse_response_head(b"HTTP/1.1 101 Switching\r\n\r\n").body, None);
        assert!(!parse_response_head(b"HTTP/1.1 101 Switching\r\n\r\n").interim);
        assert_eq!(parse_response_head(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n").body, None);
        assert_eq!(
            parse_response_head(b"HTTP/1.1 200 OK\r\nX-MDE-MOCK-FAULT: close\r\ncontent-length: 0\r\n\r\n").fault,
            Some(Marker::Close)
        );
        assert!(!parse_response_head(b"HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 0\r\n\r\n").keep_alive);
        assert!(!parse_response_head(b"HTTP/1.0 200 OK\r\ncontent-length: 0\r\n\r\n").keep_alive);
    }

    #[test]
    fn the_pace_marker_reads_back() {
        let marker = super::super::pace_marker(Duration::from_millis(300), 50_000, Duration::from_micros(25_000));
        let head = format!("HTTP/1.1 200 OK\r\ncontent-length: 9\r\nx-mde-mock-pace: {marker}\r\n\r\n");
        let pace = parse_response_head(head.as_bytes()).pace.unwrap();
        assert_eq!(
            pace,
            Pace { first: Duration::from_millis(300), chunk_bytes: 50_000, interval: Duration::from_millis(25) }
        );
        assert_eq!(pace.due(2), Duration::from_millis(350));
        for bad in ["", "1 2", "1 0 3", "a b c", "1 2 3 4", "-1 2 3"] {
            assert_eq!(Pace::parse(bad.as_bytes()), None, "{bad}");
        }
    }

    #[test]
    fn a_header_is_removed_and_nothing_else() {
        let head = b"HTTP/1.1 200 OK\r\ncontent-length: 12\r\nx-mde-mock-fault: truncate\r\nvary: x\r\n\r\n";
        assert_eq!(
            without_header(head, FAULT_HEADER),
            b"HTTP/1.1 200 OK\r\ncontent-length: 12\r\nvary: x\r\n\r\n".to_vec()
        );
        assert_eq!(find_head_end(head), Some(head.len()));
        let req = b"PUT / HTTP/1.1\r\nExpect: 100-continue\r\nexpected: 1\r\n\r\n";
        assert_eq!(without_header(req, "expect"), b"PUT / HTTP/1.1\r\nexpected: 1\r\n\r\n".to_vec());
    }
}

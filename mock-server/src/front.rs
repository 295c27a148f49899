//! The front: a small TCP relay before wiremock that turns two faults into what a client really sees.
//!
//! wiremock answers every request with a whole response, so "the connection closed without an answer"
//! and "a 200 whose body stops half way" cannot be written as a `ResponseTemplate`. The mock therefore
//! listens on the public port itself and relays each connection to wiremock on a private loopback port.
//! Requests go through untouched. Responses are read as HTTP/1.1 messages (status line, headers, a
//! `Content-Length` body, which is what wiremock always sends); when a responder asked for a fault with the
//! header [`FAULT_HEADER`], the front removes that header and
//! - `close`: closes the client's connection without sending a byte of that response;
//! - `truncate N`: sends the status line, the headers (with the full `Content-Length`) and the first N bytes
//!   of the body (the engine asks for half), then closes the connection.
//!
//! Anything the front cannot frame (HTTP/2 with prior knowledge, an upgrade, a body without a length) is
//! relayed as raw bytes from there on, without faults. Bodies are copied with a 1 MiB buffer; the cost was
//! measured in the benchmark (see BENCHMARKS.md at the repository root).

use std::io;
use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// The header by which the responder asks the front for a connection-level fault (`close`, or `truncate N`:
/// only the first N bytes of the body). The front removes it; a client never sees it.
pub const FAULT_HEADER: &str = "x-mde-mock-fault";

const MAX_HEAD: usize = 64 * 1024;
const HEAD_READ: usize = 16 * 1024;
const BODY_BUFFER: usize = 1024 * 1024;

/// A running front; dropping it stops accepting and closes every relayed connection.
#[derive(Debug)]
pub(crate) struct Front {
    _stop: watch::Sender<()>,
}

/// Starts relaying connections accepted on `listener` to `upstream`, on a runtime of its own (so that the
/// mock works whatever runtime, if any, the caller has).
pub(crate) fn start(listener: std::net::TcpListener, upstream: SocketAddr) -> io::Result<Front> {
    listener.set_nonblocking(true)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("mde-mock-front")
        .enable_all()
        .build()?;
    let (stop, stopped) = watch::channel(());
    std::thread::Builder::new().name("mde-mock-front".to_string()).spawn(move || {
        // When the accept loop ends, dropping the runtime cancels every connection task.
        runtime.block_on(accept_loop(listener, upstream, stopped));
    })?;
    Ok(Front { _stop: stop })
}

async fn accept_loop(listener: std::net::TcpListener, upstream: SocketAddr, mut stopped: watch::Receiver<()>) {
    let Ok(listener) = TcpListener::from_std(listener) else {
        return;
    };
    loop {
        tokio::select! {
            _ = stopped.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((client, _)) => {
                    tokio::spawn(relay(client, upstream));
                }
                // Out of file descriptors or similar: wait a little rather than spin.
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(10)).await,
            },
        }
    }
}

async fn relay(client: TcpStream, upstream: SocketAddr) {
    let Ok(server) = TcpStream::connect(upstream).await else {
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let requests = async {
        let _ = tokio::io::copy(&mut client_read, &mut server_write).await;
        let _ = server_write.shutdown().await;
    };
    let responses = relay_responses(&mut server_read, &mut client_write);
    tokio::pin!(requests, responses);
    tokio::select! {
        _ = &mut responses => {}
        _ = &mut requests => { let _ = responses.await; }
    }
    // Dropping both halves of both sockets closes them.
}

/// What the front needs from a response head.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Head {
    /// Body length; `None` when it cannot be framed (relay raw from here on).
    body: Option<u64>,
    /// The fault asked for, if any.
    fault: Option<Marker>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    Close,
    /// Send this many bytes of the body (half of it when the marker gives no number).
    Truncate(Option<u64>),
}

async fn relay_responses(from: &mut OwnedReadHalf, to: &mut OwnedWriteHalf) -> io::Result<()> {
    let mut pending: Vec<u8> = Vec::with_capacity(HEAD_READ);
    let mut body_buf: Vec<u8> = Vec::new();
    loop {
        // Read until a whole head is there (or decide to relay raw).
        let head_len = loop {
            if pending.len() >= 5 && !pending.starts_with(b"HTTP/") {
                return raw(from, to, &pending).await;
            }
            if let Some(i) = find_head_end(&pending) {
                break i;
            }
            if pending.len() > MAX_HEAD {
                return raw(from, to, &pending).await;
            }
            if read_more(from, &mut pending).await? == 0 {
                to.write_all(&pending).await?;
                return to.shutdown().await;
            }
        };
        let head = parse_head(&pending[..head_len]);
        let Some(body_len) = head.body else {
            return raw(from, to, &pending).await;
        };
        match head.fault {
            Some(Marker::Close) => return Ok(()),
            Some(Marker::Truncate(after)) => {
                to.write_all(&strip_marker(&pending[..head_len])).await?;
                pending.drain(..head_len);
                let sent = after.unwrap_or(body_len / 2).min(body_len);
                copy_body(from, to, &mut pending, &mut body_buf, sent).await?;
                return to.shutdown().await;
            }
            None => {
                // Head and the first body bytes in one write.
                let first = (body_len.min((pending.len() - head_len) as u64)) as usize;
                to.write_all(&pending[..head_len + first]).await?;
                pending.drain(..head_len + first);
                copy_body(from, to, &mut pending, &mut body_buf, body_len - first as u64).await?;
            }
        }
    }
}

/// Reads more bytes into `pending`; returns how many (0 at the end of the stream).
async fn read_more(from: &mut OwnedReadHalf, pending: &mut Vec<u8>) -> io::Result<usize> {
    let len = pending.len();
    pending.resize(len + HEAD_READ, 0);
    let n = from.read(&mut pending[len..]).await;
    pending.truncate(len + *n.as_ref().unwrap_or(&0));
    n
}

/// Relays `remaining` body bytes: first from `pending`, then from the socket, never reading past them.
async fn copy_body(
    from: &mut OwnedReadHalf,
    to: &mut OwnedWriteHalf,
    pending: &mut Vec<u8>,
    buf: &mut Vec<u8>,
    mut remaining: u64,
) -> io::Result<()> {
    let first = (remaining.min(pending.len() as u64)) as usize;
    if first > 0 {
        to.write_all(&pending[..first]).await?;
        pending.drain(..first);
        remaining -= first as u64;
    }
    if remaining > 0 && buf.is_empty() {
        buf.resize(BODY_BUFFER, 0);
    }
    while remaining > 0 {
        let want = remaining.min(buf.len() as u64) as usize;
        let n = from.read(&mut buf[..want]).await?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        to.write_all(&buf[..n]).await?;
        remaining -= n as u64;
    }
    Ok(())
}

async fn raw(from: &mut OwnedReadHalf, to: &mut OwnedWriteHalf, pending: &[u8]) -> io::Result<()> {
    to.write_all(pending).await?;
    tokio::io::copy(from, to).await?;
    to.shutdown().await
}

fn find_head_end(bytes: &[u8]) -> Option<usize> {
    bytes.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4)
}

/// Reads the status and the headers the front cares about.
fn parse_head(head: &[u8]) -> Head {
    let mut lines = head.split(|b| *b == b'\n').map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let status: u16 = lines
        .next()
        .and_then(|l| l.split(|b| *b == b' ').nth(1))
        .and_then(|s| std::str::from_utf8(s).ok())
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut length: Option<u64> = None;
    let mut chunked = false;
    let mut fault = None;
    for line in lines {
        let Some(colon) = line.iter().position(|b| *b == b':') else { continue };
        let (name, value) = (&line[..colon], trim(&line[colon + 1..]));
        if name.eq_ignore_ascii_case(b"content-length") {
            length = std::str::from_utf8(value).ok().and_then(|v| v.parse().ok());
        } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
            chunked = true;
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
    Head { body, fault }
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

/// The head without the fault header line.
fn strip_marker(head: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(head.len());
    for line in head.split_inclusive(|b| *b == b'\n') {
        let is_marker = line.len() > FAULT_HEADER.len()
            && line[..FAULT_HEADER.len()].eq_ignore_ascii_case(FAULT_HEADER.as_bytes())
            && line[FAULT_HEADER.len()] == b':';
        if !is_marker {
            out.extend_from_slice(line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_are_framed() {
        let h = parse_head(b"HTTP/1.1 200 OK\r\ncontent-length: 12\r\nx-mde-mock-fault: truncate\r\n\r\n");
        assert_eq!(h, Head { body: Some(12), fault: Some(Marker::Truncate(None)) });
        let h = parse_head(b"HTTP/1.1 200 OK\r\ncontent-length: 12\r\nx-mde-mock-fault: truncate 5\r\n\r\n");
        assert_eq!(h.fault, Some(Marker::Truncate(Some(5))));
        assert_eq!(parse_head(b"HTTP/1.1 204 No Content\r\n\r\n").body, Some(0));
        assert_eq!(parse_head(b"HTTP/1.1 101 Switching\r\n\r\n").body, None);
        assert_eq!(parse_head(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n").body, None);
        assert_eq!(
            parse_head(b"HTTP/1.1 200 OK\r\nX-MDE-MOCK-FAULT: close\r\ncontent-length: 0\r\n\r\n").fault,
            Some(Marker::Close)
        );
    }

    #[test]
    fn the_marker_is_removed_and_nothing_else() {
        let head = b"HTTP/1.1 200 OK\r\ncontent-length: 12\r\nx-mde-mock-fault: truncate\r\nvary: x\r\n\r\n";
        assert_eq!(strip_marker(head), b"HTTP/1.1 200 OK\r\ncontent-length: 12\r\nvary: x\r\n\r\n".to_vec());
        assert_eq!(find_head_end(head), Some(head.len()));
    }
}

//! One client connection: each request read whole and sent to the server a [`Lease`] names, its response read
//! back and relayed with the fault asked for; a raw relay from the first thing that cannot be framed.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;

use super::http::{find_head_end, parse_request_head, parse_response_head, without_header, Marker, Pace};
use super::upstreams::{Lease, Upstreams};
use super::{FAULT_HEADER, PACE_HEADER};

/// Longest head the front frames; a longer one is relayed raw (wiremock's server then answers as it does).
const MAX_HEAD: usize = 64 * 1024;
/// What is read at a time while looking for a head.
const READ_CHUNK: usize = 16 * 1024;
/// The largest buffer response bodies are copied through, per connection (grown to what the bodies need).
const BODY_BUFFER: usize = 1024 * 1024;
/// A client buffer grown past this for a large request body is given back after it.
const KEEP_PENDING: usize = 1024 * 1024;

/// Serves one client connection until it closes, a fault closes it, or something fails.
pub(super) async fn serve(client: TcpStream, upstreams: Arc<Upstreams>) {
    let _ = client.set_nodelay(true);
    let (read, write) = client.into_split();
    let mut connection = Connection {
        read,
        write,
        pending: Vec::with_capacity(READ_CHUNK),
        body_buffer: Vec::new(),
        upstream: [None, None],
    };
    let _ = connection.run(&upstreams).await;
    // Dropping the connection closes the client's socket and those to the servers.
}

/// A keep-alive connection to one server.
struct UpstreamConnection {
    read: OwnedReadHalf,
    write: OwnedWriteHalf,
    /// Bytes read from the server and not relayed yet.
    pending: Vec<u8>,
    /// It has carried a whole exchange already (so it may have been closed by the server since).
    reused: bool,
}

impl UpstreamConnection {
    async fn open(addr: SocketAddr) -> io::Result<UpstreamConnection> {
        let stream = TcpStream::connect(addr).await?;
        let _ = stream.set_nodelay(true);
        let (read, write) = stream.into_split();
        Ok(UpstreamConnection { read, write, pending: Vec::new(), reused: false })
    }
}

struct Connection {
    read: OwnedReadHalf,
    write: OwnedWriteHalf,
    /// Bytes read from the client and not relayed yet.
    pending: Vec<u8>,
    body_buffer: Vec<u8>,
    /// The connection to each server, once used.
    upstream: [Option<UpstreamConnection>; 2],
}

/// How a request head was read.
enum HeadRead {
    /// A head of this many bytes is at the start of `pending`.
    Complete(usize),
    /// No head end within [`MAX_HEAD`] bytes.
    TooLong,
    /// The client closed the connection (between requests, or with an incomplete head).
    Closed,
}

/// What became of one response.
enum Outcome {
    /// Relayed whole; whether the server keeps the connection.
    Relayed { upstream_keeps: bool },
    /// A fault was enacted: the client's connection ends.
    Faulted,
    /// It cannot be framed: everything from its head on is relayed raw.
    Raw,
}

/// Why a response was not relayed.
enum Failure {
    /// The server closed or failed before sending a byte of it (a keep-alive connection it had closed).
    NoAnswer(io::Error),
    /// Something failed after part of it was relayed, or on the client's side.
    Broken(io::Error),
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Failure {
        Failure::Broken(e)
    }
}

impl Connection {
    async fn run(&mut self, upstreams: &Arc<Upstreams>) -> io::Result<()> {
        loop {
            let head_len = match read_head(&mut self.read, &mut self.pending).await? {
                HeadRead::Complete(n) => n,
                HeadRead::TooLong => return self.raw(upstreams.lease()).await,
                HeadRead::Closed => return Ok(()),
            };
            let Some(head) = parse_request_head(&self.pending[..head_len]) else {
                return self.raw(upstreams.lease()).await;
            };
            let Some(total) = usize::try_from(head.body).ok().and_then(|b| b.checked_add(head_len)) else {
                return self.raw(upstreams.lease()).await;
            };
            // The whole body first: a request is given to a server only once it can be sent at once, so that a
            // slow client never holds a server back from being recycled.
            let stripped = if head.expects_continue && self.pending.len() < total {
                self.write.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").await?;
                Some(without_header(&self.pending[..head_len], "expect"))
            } else {
                None
            };
            while self.pending.len() < total {
                let want = (total - self.pending.len()).min(4 * KEEP_PENDING);
                if read_more(&mut self.read, &mut self.pending, want).await? == 0 {
                    return Ok(());
                }
            }
            let lease = upstreams.lease();
            let (index, addr) = (lease.index(), lease.addr());
            let slot = &mut self.upstream[index];
            let request: [&[u8]; 2] = match &stripped {
                Some(h) => [h, &self.pending[head_len..total]],
                None => [&self.pending[..total], &[]],
            };
            // The lease ends as soon as the response's head arrives: wiremock has matched the request and built
            // the whole response by then, so resetting the server can no longer touch it, even if the client
            // is slow to read the body.
            let mut lease = Some(lease);
            let outcome =
                exchange(slot, addr, request, &mut self.write, head.is_head, &mut self.body_buffer, &mut lease).await?;
            match outcome {
                Outcome::Relayed { upstream_keeps } => {
                    if !upstream_keeps {
                        *slot = None;
                    }
                }
                Outcome::Faulted => return Ok(()),
                Outcome::Raw => {
                    let Some(upstream) = slot.take() else { return Ok(()) };
                    self.pending.drain(..total);
                    // `relay_response` keeps the lease for an unframed response.
                    let Some(lease) = lease else { return Ok(()) };
                    return self.raw_after_response(upstream, lease).await;
                }
            }
            self.pending.drain(..total);
            if self.pending.capacity() > KEEP_PENDING && self.pending.len() <= READ_CHUNK {
                self.pending.shrink_to(READ_CHUNK);
            }
            if !head.keep_alive {
                return self.write.shutdown().await;
            }
        }
    }

    /// From a request the front cannot frame on: bytes relayed as they come, responses still framed for the
    /// faults as long as they can be, all on the server of `lease`, which is held until the connection ends.
    async fn raw(&mut self, lease: Lease) -> io::Result<()> {
        let mut upstream = match self.upstream[lease.index()].take() {
            Some(u) => u,
            None => UpstreamConnection::open(lease.addr()).await?,
        };
        let (client_read, client_write) = (&mut self.read, &mut self.write);
        let UpstreamConnection { read: up_read, write: up_write, pending: up_pending, .. } = &mut upstream;
        let pending = std::mem::take(&mut self.pending);
        let requests = async {
            up_write.write_all(&pending).await?;
            tokio::io::copy(client_read, up_write).await?;
            up_write.shutdown().await
        };
        let body_buffer = &mut self.body_buffer;
        let responses = async {
            // Requests are not framed here: the lease is held until the connection ends, not per response.
            let mut no_lease = None;
            loop {
                match relay_response(up_read, up_pending, client_write, false, body_buffer, &mut no_lease).await {
                    Ok(Outcome::Relayed { .. }) => continue,
                    Ok(Outcome::Faulted) => return Ok(()),
                    Ok(Outcome::Raw) => {
                        client_write.write_all(up_pending).await?;
                        tokio::io::copy(up_read, client_write).await?;
                        return client_write.shutdown().await;
                    }
                    Err(_) => return client_write.shutdown().await,
                }
            }
        };
        tokio::pin!(requests, responses);
        let result = tokio::select! {
            r = &mut responses => r,
            _ = &mut requests => responses.await,
        };
        drop(lease);
        result
    }

    /// After a response that cannot be framed (say a `101`): everything relayed as it comes, both ways.
    async fn raw_after_response(&mut self, mut upstream: UpstreamConnection, lease: Lease) -> io::Result<()> {
        let UpstreamConnection { read: up_read, write: up_write, pending: up_pending, .. } = &mut upstream;
        let (client_read, client_write) = (&mut self.read, &mut self.write);
        let pending = std::mem::take(&mut self.pending);
        let requests = async {
            up_write.write_all(&pending).await?;
            tokio::io::copy(client_read, up_write).await?;
            up_write.shutdown().await
        };
        let responses = async {
            client_write.write_all(up_pending).await?;
            tokio::io::copy(up_read, client_write).await?;
            client_write.shutdown().await
        };
        let result = tokio::try_join!(requests, responses).map(|_| ());
        drop(lease);
        result
    }
}

/// Sends one request (its parts in order) to the server and relays its response. A keep-alive connection the
/// server closed before answering is opened again once.
async fn exchange(
    slot: &mut Option<UpstreamConnection>,
    addr: SocketAddr,
    request: [&[u8]; 2],
    to: &mut OwnedWriteHalf,
    is_head: bool,
    body_buffer: &mut Vec<u8>,
    lease: &mut Option<Lease>,
) -> io::Result<Outcome> {
    loop {
        let upstream = match slot {
            Some(u) => u,
            None => slot.insert(UpstreamConnection::open(addr).await?),
        };
        let may_retry = upstream.reused;
        let mut sent = Ok(());
        for part in request.iter().filter(|p| !p.is_empty()) {
            sent = upstream.write.write_all(part).await;
            if sent.is_err() {
                break;
            }
        }
        let result = match sent {
            Ok(()) => relay_response(&mut upstream.read, &mut upstream.pending, to, is_head, body_buffer, lease).await,
            Err(e) => Err(Failure::NoAnswer(e)),
        };
        match result {
            Ok(outcome) => {
                upstream.reused = true;
                return Ok(outcome);
            }
            Err(Failure::NoAnswer(_)) if may_retry => *slot = None,
            Err(Failure::NoAnswer(e) | Failure::Broken(e)) => {
                *slot = None;
                return Err(e);
            }
        }
    }
}

/// Relays one response (and the interim ones before it) from `from` to `to`, enacting a fault marker; `lease`
/// is dropped when the final response's head has arrived.
async fn relay_response(
    from: &mut OwnedReadHalf,
    pending: &mut Vec<u8>,
    to: &mut OwnedWriteHalf,
    is_head: bool,
    body_buffer: &mut Vec<u8>,
    lease: &mut Option<Lease>,
) -> Result<Outcome, Failure> {
    let mut answered = false;
    loop {
        let head_len = loop {
            if let Some(n) = find_head_end(pending) {
                break n;
            }
            if pending.len() > MAX_HEAD || (pending.len() >= 5 && !pending.starts_with(b"HTTP/")) {
                return Ok(Outcome::Raw);
            }
            let started = answered || !pending.is_empty();
            match read_more(from, pending, READ_CHUNK).await {
                Ok(n) if n > 0 => {}
                Ok(_) if !started => return Err(Failure::NoAnswer(io::ErrorKind::UnexpectedEof.into())),
                Ok(_) => return Err(Failure::Broken(io::ErrorKind::UnexpectedEof.into())),
                Err(e) if !started => return Err(Failure::NoAnswer(e)),
                Err(e) => return Err(Failure::Broken(e)),
            }
        };
        answered = true;
        let head = parse_response_head(&pending[..head_len]);
        if head.interim {
            to.write_all(&pending[..head_len]).await?;
            pending.drain(..head_len);
            continue;
        }
        let body = if is_head { Some(0) } else { head.body };
        // Unframed from here on: the lease stays with the raw relay that follows.
        let Some(body) = body else { return Ok(Outcome::Raw) };
        drop(lease.take());
        match (head.fault, head.pace) {
            (Some(Marker::Close), _) => return Ok(Outcome::Faulted),
            (Some(Marker::Truncate(after)), _) => {
                to.write_all(&without_header(&pending[..head_len], FAULT_HEADER)).await?;
                pending.drain(..head_len);
                let sent = after.unwrap_or(body / 2).min(body);
                copy_body(from, pending, to, body_buffer, sent).await?;
                to.shutdown().await?;
                return Ok(Outcome::Faulted);
            }
            (None, Some(pace)) if body > 0 => {
                let head_bytes = without_header(&pending[..head_len], PACE_HEADER);
                pending.drain(..head_len);
                paced_body(from, pending, to, &head_bytes, body, pace).await?;
                return Ok(Outcome::Relayed { upstream_keeps: head.keep_alive });
            }
            (None, _) => {
                // Head and the first body bytes in one write.
                let first = body.min((pending.len() - head_len) as u64) as usize;
                to.write_all(&pending[..head_len + first]).await?;
                pending.drain(..head_len + first);
                copy_body(from, pending, to, body_buffer, body - first as u64).await?;
                return Ok(Outcome::Relayed { upstream_keeps: head.keep_alive });
            }
        }
    }
}

/// Sends a paced body of `body` bytes: `head` at once, then chunk `k` of the body at `pace.due(k)` after it. An
/// HTTP/1.1 answer goes out `Transfer-Encoding: chunked` (its `Content-Length` dropped), one HTTP chunk per chunk
/// of the plan; an HTTP/1.0 one, which cannot be chunked, keeps its `Content-Length` and only its bytes are paced.
async fn paced_body(
    from: &mut OwnedReadHalf,
    pending: &mut Vec<u8>,
    to: &mut OwnedWriteHalf,
    head: &[u8],
    body: u64,
    pace: Pace,
) -> io::Result<()> {
    let started = tokio::time::Instant::now();
    let chunked = head.starts_with(b"HTTP/1.1 ");
    if chunked {
        let mut head = without_header(head, "content-length");
        // Before the blank line that ends the head.
        head.truncate(head.len().saturating_sub(2));
        head.extend_from_slice(b"transfer-encoding: chunked\r\n\r\n");
        to.write_all(&head).await?;
    } else {
        to.write_all(head).await?;
    }
    let (mut remaining, mut k) = (body, 0u64);
    let mut chunk = Vec::new();
    while remaining > 0 {
        let n = remaining.min(pace.chunk_bytes);
        chunk.clear();
        if chunked {
            chunk.extend_from_slice(format!("{n:x}\r\n").as_bytes());
        }
        let at = chunk.len();
        let len = usize::try_from(n).map_err(|_| io::Error::from(io::ErrorKind::InvalidData))?;
        chunk.resize(at + len, 0);
        read_body(from, pending, &mut chunk[at..]).await?;
        remaining -= n;
        if chunked {
            chunk.extend_from_slice(if remaining == 0 { b"\r\n0\r\n\r\n" } else { b"\r\n" });
        }
        tokio::time::sleep_until(started + pace.due(k)).await;
        to.write_all(&chunk).await?;
        k += 1;
    }
    Ok(())
}

/// Fills `into` with the next body bytes: first from `pending`, then from the socket.
async fn read_body(from: &mut OwnedReadHalf, pending: &mut Vec<u8>, into: &mut [u8]) -> io::Result<()> {
    let first = into.len().min(pending.len());
    into[..first].copy_from_slice(&pending[..first]);
    pending.drain(..first);
    if first < into.len() {
        from.read_exact(&mut into[first..]).await?;
    }
    Ok(())
}

/// Reads until a request head is complete at the start of `pending`.
async fn read_head(from: &mut OwnedReadHalf, pending: &mut Vec<u8>) -> io::Result<HeadRead> {
    loop {
        if let Some(n) = find_head_end(pending) {
            return Ok(HeadRead::Complete(n));
        }
        if pending.len() > MAX_HEAD {
            return Ok(HeadRead::TooLong);
        }
        if read_more(from, pending, READ_CHUNK).await? == 0 {
            return Ok(HeadRead::Closed);
        }
    }
}

/// Reads more bytes at the end of `pending` (up to about `want`); returns how many (0 at the end of the stream).
async fn read_more(from: &mut OwnedReadHalf, pending: &mut Vec<u8>, want: usize) -> io::Result<usize> {
    pending.reserve(want.max(1));
    from.read_buf(pending).await
}

/// Relays `remaining` body bytes: first from `pending`, then from the socket, never reading past them.
async fn copy_body(
    from: &mut OwnedReadHalf,
    pending: &mut Vec<u8>,
    to: &mut OwnedWriteHalf,
    buf: &mut Vec<u8>,
    mut remaining: u64,
) -> io::Result<()> {
    let first = (remaining.min(pending.len() as u64)) as usize;
    if first > 0 {
        to.write_all(&pending[..first]).await?;
        pending.drain(..first);
        remaining -= first as u64;
    }
    // As large as this body needs, up to BODY_BUFFER: a small body whose bytes came after its head does not
    // make a connection hold a whole buffer.
    let needed = remaining.min(BODY_BUFFER as u64) as usize;
    if buf.len() < needed {
        buf.resize(needed, 0);
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

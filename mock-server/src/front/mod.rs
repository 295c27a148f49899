//! The front: a small HTTP/1.1 relay before wiremock that enacts the connection faults and keeps wiremock's
//! memory bounded.
//!
//! The mock listens on the public port itself and relays to two wiremock servers on private loopback ports,
//! for two reasons:
//!
//! - **Connection faults.** wiremock answers every request with a whole response, so "the connection closed
//!   without an answer" and "a 200 whose body stops half way" cannot be written as a `ResponseTemplate`. When a
//!   responder asks for a fault with the header [`FAULT_HEADER`], the front removes that header and
//!   - `close`: closes the client's connection without sending a byte of that response;
//!   - `truncate N`: sends the status line, the headers (with the full `Content-Length`) and the first N bytes
//!     of the body (the engine asks for half), then closes the connection.
//!
//!   The same way, a paced body (`--bandwidth`, `--first-byte-ms`; the header [`PACE_HEADER`]) is sent by the
//!   front: the head at once with `Transfer-Encoding: chunked` instead of the `Content-Length`, then the body's
//!   chunks, each at its time.
//! - **Bounded memory.** wiremock 0.6 keeps a copy of every request a mock matched (`MountedMock`'s
//!   `matched_requests`, whether request recording is disabled or not) until the server is reset: about
//!   4.7 KB per small `GET`, without bound under load. The front therefore frames each request (its head and
//!   a `Content-Length` body, read whole) and sends it to one of two servers: once one has been given `limit`
//!   requests, new requests go to the other, and the first is reset and its responder mounted again as soon as
//!   none of its requests is in flight (see `front/rotation.rs`): a request is in flight from the moment it is
//!   given to a server until its response's head arrives (wiremock has matched it and built the whole
//!   response by then, so a reset cannot touch it, and a client slow to read a body holds nothing back). No
//!   request meets a server being reset, so none gets wiremock's bare `404`; the copies held stay under about
//!   `2 × limit`.
//!
//! Requests of one client connection are relayed one at a time, in order (pipelined requests wait in the
//! front's buffer); each client connection keeps one keep-alive connection to each server it has used.
//! Anything the front cannot frame (HTTP/2 with prior knowledge, an upgrade, a chunked request body, a
//! response without a length) is relayed as raw bytes from there on, to the server serving at that moment,
//! which is then not reset before that connection closes. Response bodies are copied with a 1 MiB buffer per
//! connection; the cost was measured in the benchmark (see BENCHMARKS.md at the repository root).

mod http;
mod relay;
mod rotation;
mod upstreams;

use std::io;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::watch;

use upstreams::Upstreams;
pub(crate) use upstreams::{Recycle, Upstream};

/// The header by which the responder asks the front for a connection-level fault (`close`, or `truncate N`:
/// only the first N bytes of the body). The front removes it; a client never sees it.
pub const FAULT_HEADER: &str = "x-mde-mock-fault";

/// The header by which the responder asks the front to pace a body (`--bandwidth`, `--first-byte-ms`): the value
/// [`pace_marker`] writes. The front removes it and the `Content-Length`, sends the head at once with
/// `Transfer-Encoding: chunked`, then the body in chunks on the plan's schedule (chunk `k` due `first + k ×
/// interval` after the head). A client never sees it.
pub const PACE_HEADER: &str = "x-mde-mock-pace";

/// The value of the [`PACE_HEADER`]: `FIRST_BYTE_NS CHUNK_BYTES INTERVAL_NS`.
pub fn pace_marker(first_byte: std::time::Duration, chunk_bytes: u64, interval: std::time::Duration) -> String {
    format!("{} {chunk_bytes} {}", first_byte.as_nanos(), interval.as_nanos())
}

/// A running front; dropping it stops accepting and closes every relayed connection.
#[derive(Debug)]
pub(crate) struct Front {
    upstreams: Arc<Upstreams>,
    _stop: watch::Sender<()>,
}

impl Front {
    /// How many times one of the servers has been reset and mounted again.
    pub(crate) fn recycled(&self) -> u64 {
        self.upstreams.recycled()
    }
}

/// Starts relaying connections accepted on `listener` to the two `servers` (both mounted), each given `limit`
/// requests in turn, on a runtime of its own (so that the mock works whatever runtime, if any, the caller has).
pub(crate) fn start(listener: std::net::TcpListener, servers: [Upstream; 2], limit: u64) -> io::Result<Front> {
    listener.set_nonblocking(true)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("mde-mock-front")
        .enable_all()
        .build()?;
    let upstreams = Arc::new(Upstreams::new(servers, limit, runtime.handle().clone()));
    let (stop, stopped) = watch::channel(());
    let relayed = upstreams.clone();
    std::thread::Builder::new().name("mde-mock-front".to_string()).spawn(move || {
        // When the accept loop ends, dropping the runtime cancels every connection task.
        runtime.block_on(accept_loop(listener, relayed, stopped));
    })?;
    Ok(Front { upstreams, _stop: stop })
}

async fn accept_loop(listener: std::net::TcpListener, upstreams: Arc<Upstreams>, mut stopped: watch::Receiver<()>) {
    let Ok(listener) = TcpListener::from_std(listener) else {
        return;
    };
    loop {
        tokio::select! {
            _ = stopped.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((client, _)) => {
                    tokio::spawn(relay::serve(client, upstreams.clone()));
                }
                // Out of file descriptors or similar: wait a little rather than spin.
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(10)).await,
            },
        }
    }
}

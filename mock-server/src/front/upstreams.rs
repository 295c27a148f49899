//! The two wiremock servers behind the front, and the [`Lease`] a request holds on one of them while it is in
//! flight: the [`Rotation`] applied with a lock, and the recycling (reset, mount again) run when it says so.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use super::rotation::{Rotation, Side};

/// Resets one server and mounts its mocks again; the driver (`server.rs`) provides it.
pub(crate) type Recycle = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// One wiremock server: where it listens, and how to recycle it.
#[derive(Clone)]
pub(crate) struct Upstream {
    /// Its private loopback address.
    pub addr: SocketAddr,
    /// Resets it and mounts its mocks again.
    pub recycle: Recycle,
}

impl std::fmt::Debug for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upstream").field("addr", &self.addr).finish_non_exhaustive()
    }
}

/// Both servers and their rotation.
#[derive(Debug)]
pub(crate) struct Upstreams {
    servers: [Upstream; 2],
    rotation: Mutex<Rotation>,
    recycled: AtomicU64,
    runtime: tokio::runtime::Handle,
}

impl Upstreams {
    /// Both servers, freshly mounted; each is given `limit` requests in turn. Recycling runs on `runtime`.
    pub(crate) fn new(servers: [Upstream; 2], limit: u64, runtime: tokio::runtime::Handle) -> Upstreams {
        Upstreams { servers, rotation: Mutex::new(Rotation::new(limit)), recycled: AtomicU64::new(0), runtime }
    }

    /// How many times a server has been recycled.
    pub(crate) fn recycled(&self) -> u64 {
        self.recycled.load(Ordering::Relaxed)
    }

    /// The server for a new request, held until the lease is dropped.
    pub(crate) fn lease(self: &Arc<Self>) -> Lease {
        let (side, recycle) = self.rotation().begin();
        if let Some(left) = recycle {
            self.recycle(left);
        }
        Lease { upstreams: self.clone(), side }
    }

    fn rotation(&self) -> MutexGuard<'_, Rotation> {
        // The rotation never panics while locked; if it did, its state is still consistent.
        self.rotation.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn recycle(self: &Arc<Self>, side: Side) {
        let upstreams = self.clone();
        let recycle = self.servers[side.index()].recycle.clone();
        self.runtime.spawn(async move {
            recycle().await;
            upstreams.rotation().recycled(side);
            upstreams.recycled.fetch_add(1, Ordering::Relaxed);
        });
    }
}

/// A request's hold on one server: while any lease of a server lives, that server is not reset.
#[derive(Debug)]
pub(crate) struct Lease {
    upstreams: Arc<Upstreams>,
    side: Side,
}

impl Lease {
    /// Which server (0 or 1), to pick the connection to it.
    pub(crate) fn index(&self) -> usize {
        self.side.index()
    }

    /// The server's address.
    pub(crate) fn addr(&self) -> SocketAddr {
        self.upstreams.servers[self.side.index()].addr
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        let recycle = self.upstreams.rotation().end(self.side);
        if let Some(side) = recycle {
            self.upstreams.recycle(side);
        }
    }
}

//! Which of the two wiremock servers gets the next request, and when one of them may be reset: a state
//! machine without I/O.
//!
//! wiremock 0.6 keeps a copy of every request a mock matched until the server is reset, and a reset leaves the
//! server without mocks (answering a bare `404`) until they are mounted again. So the front alternates between
//! two servers: one is *serving*; when it has been given [`Rotation::limit`] requests and the other is on
//! *standby* (reset and mounted again), new requests go to the other one, and the first one *drains*: once none
//! of its requests is in flight it is *recycled* (reset, mounted again: the driver's job), then waits on
//! standby. A request is never given to a server that is draining, being recycled or on standby, so no request
//! meets a server without mocks, and each server holds at most about `limit` copies (more only while the other
//! one is not back on standby yet).

/// One of the two servers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    /// The first server (serving at the start).
    A,
    /// The second server (on standby at the start).
    B,
}

impl Side {
    /// 0 or 1.
    pub(crate) fn index(self) -> usize {
        match self {
            Side::A => 0,
            Side::B => 1,
        }
    }

    fn other(self) -> Side {
        match self {
            Side::A => Side::B,
            Side::B => Side::A,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Gets the new requests.
    Serving,
    /// Gets no new requests; some of its requests are still in flight.
    Draining,
    /// Being reset and mounted again by the driver.
    Recycling,
    /// Reset and mounted: ready to serve.
    Standby,
}

#[derive(Debug, Clone, Copy)]
struct SideState {
    phase: Phase,
    /// Requests given to it since it was last recycled.
    given: u64,
    /// Of those, the ones not finished yet.
    in_flight: u64,
}

/// The state of both servers.
#[derive(Debug, Clone)]
pub(crate) struct Rotation {
    limit: u64,
    active: Side,
    sides: [SideState; 2],
}

impl Rotation {
    /// Both servers freshly mounted: [`Side::A`] serving, [`Side::B`] on standby. `limit` is at least 1.
    pub(crate) fn new(limit: u64) -> Rotation {
        let fresh = |phase| SideState { phase, given: 0, in_flight: 0 };
        Rotation { limit: limit.max(1), active: Side::A, sides: [fresh(Phase::Serving), fresh(Phase::Standby)] }
    }

    /// A new request: the server to send it to, and a server the driver must recycle now (the one just left,
    /// when nothing of it is in flight), if any. Every `begin` must be followed by one [`end`](Self::end) of
    /// the side it returned.
    pub(crate) fn begin(&mut self) -> (Side, Option<Side>) {
        let mut recycle = None;
        let (old, new) = (self.active, self.active.other());
        if self.sides[old.index()].given >= self.limit && self.sides[new.index()].phase == Phase::Standby {
            self.sides[new.index()].phase = Phase::Serving;
            self.active = new;
            let left = &mut self.sides[old.index()];
            if left.in_flight == 0 {
                left.phase = Phase::Recycling;
                recycle = Some(old);
            } else {
                left.phase = Phase::Draining;
            }
        }
        let side = &mut self.sides[self.active.index()];
        side.given += 1;
        side.in_flight += 1;
        (self.active, recycle)
    }

    /// A request given to `side` is finished (answered, or its connection gone): returns `side` when the driver
    /// must recycle it now (it was draining and this was its last request in flight).
    pub(crate) fn end(&mut self, side: Side) -> Option<Side> {
        let s = &mut self.sides[side.index()];
        s.in_flight = s.in_flight.saturating_sub(1);
        if s.phase == Phase::Draining && s.in_flight == 0 {
            s.phase = Phase::Recycling;
            return Some(side);
        }
        None
    }

    /// The driver has reset `side` and mounted its mocks again: it waits on standby.
    pub(crate) fn recycled(&mut self, side: Side) {
        let s = &mut self.sides[side.index()];
        if s.phase == Phase::Recycling {
            *s = SideState { phase: Phase::Standby, given: 0, in_flight: 0 };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_server_is_left_after_limit_requests_and_recycled_when_idle() {
        let mut r = Rotation::new(2);
        assert_eq!(r.begin(), (Side::A, None));
        assert_eq!(r.end(Side::A), None);
        assert_eq!(r.begin(), (Side::A, None));
        // One request of A is still in flight when the third arrives: B takes over, A drains.
        assert_eq!(r.begin(), (Side::B, None));
        assert_eq!(r.end(Side::B), None);
        assert_eq!(r.end(Side::A), Some(Side::A));
        // A is not back yet: B serves beyond its limit rather than send a request to a server without mocks.
        assert_eq!(r.begin(), (Side::B, None));
        assert_eq!(r.end(Side::B), None);
        assert_eq!(r.begin(), (Side::B, None));
        assert_eq!(r.end(Side::B), None);
        r.recycled(Side::A);
        // Nothing of B is in flight: it is recycled at once.
        assert_eq!(r.begin(), (Side::A, Some(Side::B)));
    }

    #[derive(Debug, Clone)]
    enum Op {
        /// A request starts.
        Begin,
        /// The n-th (modulo) request in flight ends.
        End(usize),
        /// The n-th (modulo) recycling under way completes.
        Recycled(usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => Just(Op::Begin),
            4 => any::<usize>().prop_map(Op::End),
            1 => any::<usize>().prop_map(Op::Recycled),
        ]
    }

    /// The test's own bookkeeping of a recycle the rotation asked for.
    fn recycle(side: Side, in_flight: &[Side], recycling: &mut Vec<Side>) -> Result<(), TestCaseError> {
        prop_assert!(!in_flight.contains(&side), "{:?} recycled with requests in flight", side);
        prop_assert!(!recycling.contains(&side), "{:?} recycled twice at once", side);
        recycling.push(side);
        Ok(())
    }

    proptest! {
        /// Against a model kept by the test from the calls alone: no request goes to a server being recycled;
        /// a server is recycled only with nothing of it in flight; a server gets more than `limit` requests
        /// only while the other one is not ready; and once everything has ended nothing is stuck: the servers
        /// take turns of `limit` requests.
        #[test]
        fn requests_never_meet_a_server_without_mocks(limit in 1u64..6, ops in proptest::collection::vec(op(), 0..300)) {
            let mut r = Rotation::new(limit);
            let mut in_flight: Vec<Side> = Vec::new();
            let mut recycling: Vec<Side> = Vec::new();
            // Requests given since the last completed recycle, per side; whether a side is ready (recycled
            // after it last got a request; B starts so).
            let mut given = [0u64; 2];
            let mut ready = [false, true];
            for op in ops {
                match op {
                    Op::Begin => {
                        let (side, to_recycle) = r.begin();
                        let other = side.other();
                        prop_assert!(!recycling.contains(&side), "a request went to {:?} while it is recycled", side);
                        if given[side.index()] >= limit {
                            prop_assert!(!ready[other.index()], "{:?} over its limit while {:?} was ready", side, other);
                        }
                        given[side.index()] += 1;
                        ready[side.index()] = false;
                        in_flight.push(side);
                        if let Some(s) = to_recycle {
                            prop_assert_eq!(s, other);
                            recycle(s, &in_flight, &mut recycling)?;
                        }
                    }
                    Op::End(i) if !in_flight.is_empty() => {
                        let side = in_flight.remove(i % in_flight.len());
                        if let Some(s) = r.end(side) {
                            prop_assert_eq!(s, side);
                            recycle(s, &in_flight, &mut recycling)?;
                        }
                    }
                    Op::Recycled(i) if !recycling.is_empty() => {
                        let side = recycling.remove(i % recycling.len());
                        r.recycled(side);
                        given[side.index()] = 0;
                        ready[side.index()] = true;
                    }
                    _ => {}
                }
            }
            // Everything in flight ends and every recycling completes. From then on, with requests one at a
            // time and recycling done at once, the servers take turns of `limit` requests.
            while let Some(side) = in_flight.pop() {
                if let Some(s) = r.end(side) {
                    recycle(s, &in_flight, &mut recycling)?;
                }
            }
            for side in recycling.drain(..) {
                r.recycled(side);
            }
            let mut turns: Vec<(Side, u64)> = Vec::new();
            for _ in 0..(3 * limit + 1) {
                let (side, to_recycle) = r.begin();
                match turns.last_mut() {
                    Some((s, n)) if *s == side => *n += 1,
                    _ => turns.push((side, 1)),
                }
                prop_assert_eq!(r.end(side), None);
                if let Some(s) = to_recycle {
                    r.recycled(s);
                }
            }
            prop_assert!(turns.len() >= 3, "{:?}", turns);
            prop_assert!(turns[0].1 <= limit, "{:?}", turns);
            for turn in &turns[1..turns.len() - 1] {
                prop_assert_eq!(turn.1, limit, "{:?}", turns);
            }
        }
    }
}

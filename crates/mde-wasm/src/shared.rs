//! `rateLimit.shared`: one budget for every client with the same key, whichever context it runs in.
//!
//! The limits belong to the application in the tenant, so the clients of two tabs, or of an extension's popup and
//! its service worker, must count against one budget. The facade (`js/shared-limiter.js`) keeps the budget's state
//! (the limiter's [`export`](RateLimiter::export)) where every context of the origin sees it (IndexedDB; in Node,
//! memory shared by the process) and, holding a Web Lock, hands it to [`SharedBudget::decide_at`], which makes the
//! decision on it and returns the state to write back. Nothing is awaited between reading and writing, and no
//! network call happens under the lock.
//!
//! A shared client's operations run with a limiter without windows (it keeps only the `Retry-After` blocks of
//! the client's own 429s); the windows are enforced by the budget, right before each request goes out.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use mde_core::limiter::{Decision, RateLimiter};
use mde_core::WaitCause;

use crate::json::whole_ms;
use crate::json::ObjectWriter;

/// The longest key accepted, in bytes: a key names a lock and a record, not data.
pub const MAX_KEY_BYTES: usize = 256;

/// A shared client's key and its budget (the limiter with the client's windows and any `rateLimit.state`).
#[derive(Debug, Clone)]
pub struct SharedSettings {
    /// Clients with equal keys share one budget.
    pub key: String,
    /// The windows, and the state to start from when nothing is stored yet.
    pub budget: RateLimiter,
}

/// What [`SharedBudget::decide_at`] answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// `None`: the call may go out now (and was recorded), or nothing was asked. Else how long to wait and why.
    pub wait: Option<(Duration, WaitCause)>,
    /// The budget's state to store.
    pub state: String,
}

impl Grant {
    /// `{"state":"l1:...","waitMs":0}`, with `"reason":"rateLimit"|"retryAfter"` when `waitMs` is above 0.
    #[cfg_attr(mde_size, optimize(size))]
    pub fn to_json(&self) -> String {
        let mut out = ObjectWriter::new();
        out.str("state", &self.state);
        match self.wait {
            Some((wait, cause)) => out.num("waitMs", whole_ms(wait).max(1)).str("reason", cause.as_str()),
            None => out.num("waitMs", 0),
        };
        out.finish()
    }
}

/// A shared client's budget, as this context last saw it (the wasm `Client`'s `sharedDecide` and `sharedKey`).
#[derive(Debug)]
pub struct SharedBudget {
    key: String,
    budget: RateLimiter,
    /// The client's own limiter: the `Retry-After` blocks of its 429s, published through the budget.
    own: Rc<RefCell<RateLimiter>>,
}

impl SharedBudget {
    /// The budget of `settings`, which also publishes the blocks of `own` (the operations' limiter).
    pub fn new(settings: SharedSettings, own: Rc<RefCell<RateLimiter>>) -> SharedBudget {
        SharedBudget { key: settings.key, budget: settings.budget, own }
    }

    /// The key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The budget as this context last saw it.
    pub fn limiter(&self) -> &RateLimiter {
        &self.budget
    }

    /// Decides on the stored state at `now_ms`: adopts `stored` (the budget's last state in this context when
    /// nothing is stored or the text cannot be read, which the write then replaces), keeps the latest
    /// `Retry-After` block known here, there or to the client's own limiter, and with `acquire` takes a slot when
    /// one is free now. The returned state is the one to store.
    #[cfg_attr(mde_size, optimize(size))]
    pub fn decide_at(&mut self, now_ms: u64, stored: Option<&str>, acquire: bool) -> Grant {
        let own_block = self.own.try_borrow().ok().and_then(|own| own.blocked_until());
        let mut block = self.budget.blocked_until().max(own_block);
        if let Some(adopted) = stored.and_then(|s| RateLimiter::import(self.budget.config().clone(), s).ok()) {
            block = block.max(adopted.blocked_until());
            self.budget = adopted;
        }
        if let Some(until) = block.filter(|&until| until > now_ms) {
            self.budget.on_retry_after(now_ms, Duration::from_millis(until - now_ms));
        }
        let wait = match acquire.then(|| self.budget.try_acquire(now_ms)) {
            Some(Decision::Wait(wait)) => {
                let blocked = self.budget.blocked_until().is_some_and(|until| until > now_ms);
                Some((wait, if blocked { WaitCause::RetryAfter } else { WaitCause::RateLimit }))
            }
            Some(Decision::SendNow) | None => None,
        };
        Grant { wait, state: self.budget.export() }
    }
}

/// The key of `rateLimit.shared`: `true` is the service's origin, a string is itself (1 to [`MAX_KEY_BYTES`] bytes),
/// `false` or absent is no sharing.
#[cfg_attr(mde_size, optimize(size))]
pub fn shared_key(
    option: Option<&crate::json::Json>,
    origin: impl FnOnce() -> String,
) -> Result<Option<String>, String> {
    use crate::json::Json;
    match option {
        None | Some(Json::Bool(false)) => Ok(None),
        Some(Json::Bool(true)) => Ok(Some(origin())),
        Some(Json::Str(key)) if !key.is_empty() && key.len() <= MAX_KEY_BYTES => Ok(Some(key.clone())),
        Some(Json::Str(_)) => Err("rateLimit.shared must be a key of 1 to 256 bytes".to_owned()),
        Some(other) => Err(crate::json::must_be("rateLimit.shared", "true, false or a key (a string)", other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mde_core::limiter::{RateLimitConfig, Window};

    const T0: u64 = 1_750_000_000_000;

    fn config() -> RateLimitConfig {
        RateLimitConfig { windows: vec![Window::new(2, Duration::from_millis(1_000))], margin: Duration::ZERO }
    }

    fn budget(own: &Rc<RefCell<RateLimiter>>) -> SharedBudget {
        let settings = SharedSettings { key: "k".to_owned(), budget: RateLimiter::new(config()) };
        SharedBudget::new(settings, Rc::clone(own))
    }

    fn windowless() -> Rc<RefCell<RateLimiter>> {
        Rc::new(RefCell::new(RateLimiter::new(RateLimitConfig { windows: vec![], margin: Duration::ZERO })))
    }

    fn wait(ms: u64, cause: WaitCause) -> Option<(Duration, WaitCause)> {
        Some((Duration::from_millis(ms), cause))
    }

    #[test]
    fn two_budgets_on_one_store_never_admit_more_than_the_limit() {
        let own = windowless();
        let (mut a, mut b) = (budget(&own), budget(&own));
        let mut stored: Option<String> = None;
        let mut admitted = Vec::new();
        for (i, now) in [T0, T0 + 1, T0 + 2, T0 + 500, T0 + 1_000, T0 + 1_001, T0 + 1_002].into_iter().enumerate() {
            let which = if i % 2 == 0 { &mut a } else { &mut b };
            let grant = which.decide_at(now, stored.as_deref(), true);
            if grant.wait.is_none() {
                admitted.push(now);
            }
            stored = Some(grant.state);
        }
        // Two per second in all, although each budget alone would have admitted two of its own.
        assert_eq!(admitted, [T0, T0 + 1, T0 + 1_000, T0 + 1_001]);
        let grant = a.decide_at(T0 + 1_002, stored.as_deref(), true);
        assert_eq!(grant.wait, wait(998, WaitCause::RateLimit));
    }

    #[test]
    fn an_unreadable_or_missing_store_keeps_what_this_context_knows() {
        let own = windowless();
        let mut a = budget(&own);
        let first = a.decide_at(T0, None, true);
        assert_eq!(first.wait, None);
        let second = a.decide_at(T0 + 1, Some("garbage"), true);
        assert_eq!(second.wait, None);
        assert_eq!(a.decide_at(T0 + 2, Some("l9:future"), true).wait, wait(998, WaitCause::RateLimit));
        assert_eq!(second.state, RateLimiter::import(config(), &second.state).unwrap().export());
        assert_eq!(a.limiter().usage(T0 + 2)[0].used, 2);
    }

    #[test]
    fn retry_after_blocks_are_published_and_adopted() {
        let own = windowless();
        let mut a = budget(&own);
        let other = windowless();
        let mut b = budget(&other);
        // The client of `a` got a 429 asking for 5 s: its own limiter blocks; the next decision publishes it.
        own.borrow_mut().on_retry_after(T0, Duration::from_secs(5));
        let published = a.decide_at(T0 + 10, None, false);
        assert_eq!(published.wait, None, "publishing takes no slot");
        assert_eq!(RateLimiter::import(config(), &published.state).unwrap().blocked_until(), Some(T0 + 5_000));
        let grant = b.decide_at(T0 + 20, Some(&published.state), true);
        assert_eq!(grant.wait, wait(4_980, WaitCause::RetryAfter));
        // Once the block is over, a stored state without it does not bring it back, and a slot is taken.
        let grant = b.decide_at(T0 + 5_000, Some("l1::"), true);
        assert_eq!(grant.wait, None);
        assert_eq!(RateLimiter::import(config(), &grant.state).unwrap().usage(T0 + 5_000)[0].used, 1);
    }

    #[test]
    fn grants_as_json() {
        let g = Grant { wait: None, state: "l1::".to_owned() };
        assert_eq!(g.to_json(), r#"{"state":"l1::","waitMs":0}"#);
        let g = Grant { wait: wait(0, WaitCause::RateLimit), state: "l1::".to_owned() };
        assert_eq!(g.to_json(), r#"{"state":"l1::","waitMs":1,"reason":"rateLimit"}"#);
        let g = Grant { wait: wait(1_500, WaitCause::RetryAfter), state: "l1:1:".to_owned() };
        assert_eq!(g.to_json(), r#"{"state":"l1:1:","waitMs":1500,"reason":"retryAfter"}"#);
    }

    #[test]
    fn keys() {
        let parse = |text: &str| crate::json::parse(text).unwrap();
        let key = |json: Option<&crate::json::Json>| shared_key(json, || "https://o".to_owned());
        assert_eq!(key(None), Ok(None));
        assert_eq!(key(Some(&parse("false"))), Ok(None));
        assert_eq!(key(Some(&parse("true"))), Ok(Some("https://o".to_owned())));
        assert_eq!(key(Some(&parse(r#""tenant-a""#))), Ok(Some("tenant-a".to_owned())));
        let long = format!("\"{}\"", "k".repeat(MAX_KEY_BYTES));
        assert_eq!(key(Some(&parse(&long))), Ok(Some("k".repeat(MAX_KEY_BYTES))));
        let too_long = format!("\"{}\"", "k".repeat(MAX_KEY_BYTES + 1));
        assert_eq!(key(Some(&parse(&too_long))), Err("rateLimit.shared must be a key of 1 to 256 bytes".to_owned()));
        assert_eq!(key(Some(&parse(r#""""#))), Err("rateLimit.shared must be a key of 1 to 256 bytes".to_owned()));
        assert_eq!(
            key(Some(&parse("1"))),
            Err("rateLimit.shared must be true, false or a key (a string), not a number".to_owned())
        );
    }
}

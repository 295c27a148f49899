//! The request journal: what each call outside `/__admin/` asked and got, for tests to assert on.
//!
//! It never holds a token: only whether one was sent and 16 hex digits of a non-cryptographic hash of it
//! (see [`token_hash`](crate::auth::token_hash)). It keeps the last [`JOURNAL_CAPACITY`] entries.

use std::collections::VecDeque;

use crate::faults::Fault;

/// How many entries the journal keeps (older ones are dropped first).
pub const JOURNAL_CAPACITY: usize = 100_000;

/// One call, as the journal shows it (`GET /__admin/requests` returns these as JSON, snake_case).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct JournalEntry {
    /// Position since the start or the last reset, from 1.
    pub seq: u64,
    /// HTTP method.
    pub method: String,
    /// Path, as sent (percent-encoded).
    pub path: String,
    /// Query string without the `?`, as sent; `None` without one.
    pub query: Option<String>,
    /// Status answered; `None` when the connection was closed without an answer (fault `close`).
    pub status: Option<u16>,
    /// When the call arrived, in milliseconds since the Unix epoch.
    pub timestamp_ms: u64,
    /// The same instant in RFC 3339.
    pub timestamp: String,
    /// Whether an `Authorization: Bearer` token was sent.
    pub token_present: bool,
    /// 16 hex digits of the FNV-1a hash of the token, when one was sent: not the token.
    pub token_hash: Option<String>,
    /// For a `429`: the wait announced, in milliseconds (as `retry-after-ms`).
    pub retry_after_ms: Option<u64>,
    /// The injected fault, if any.
    pub fault: Option<Fault>,
}

/// The journal itself.
#[derive(Debug, Default)]
pub struct Journal {
    entries: VecDeque<JournalEntry>,
    next_seq: u64,
}

impl Journal {
    /// Appends an entry, numbering it.
    pub fn push(&mut self, mut entry: JournalEntry) {
        self.next_seq += 1;
        entry.seq = self.next_seq;
        if self.entries.len() == JOURNAL_CAPACITY {
            self.entries.pop_front();
        }
        self.entries.push_back(entry);
    }

    /// All entries, oldest first.
    pub fn entries(&self) -> Vec<JournalEntry> {
        self.entries.iter().cloned().collect()
    }

    /// Forgets everything and restarts the numbering.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.next_seq = 0;
    }
}

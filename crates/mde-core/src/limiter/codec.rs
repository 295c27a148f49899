//! The limiter's compact state string: `l1:<blocked_until>:<first>,<delta>,<delta>,...`.
//!
//! Every number is a millisecond count in lowercase base 36 (`0-9a-z`). `blocked_until` is empty when there
//! is no block; the call log is empty or starts with the first call's absolute time, followed by the gap from
//! each call to the next (the log is sorted, so gaps are non-negative). A full hour window of 1,500 calls
//! takes about 4 KB; a fresh limiter is `l1::`.

/// Why a string is not a limiter state produced by [`RateLimiter::export`](super::RateLimiter::export).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LimiterStateError {
    /// The string does not start with a known version tag (`l1:`).
    #[error("not a limiter state this version understands (it should start with \"l1:\")")]
    UnknownVersion,
    /// The string has the right version tag but is malformed after it.
    #[error("invalid limiter state at byte {position}: expected {expected}")]
    Malformed {
        /// Byte offset where the problem was found.
        position: usize,
        /// What was expected there.
        expected: &'static str,
    },
}

const TAG: &str = "l1:";
const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// Writes the state; `log` must be sorted ascending.
pub(super) fn encode(blocked_until: Option<u64>, log: &[u64]) -> String {
    let mut out = String::with_capacity(TAG.len() + 2 + log.len() * 3);
    out.push_str(TAG);
    if let Some(until) = blocked_until {
        push_base36(&mut out, until);
    }
    out.push(':');
    let mut previous = None;
    for &time in log {
        match previous {
            None => push_base36(&mut out, time),
            Some(p) => {
                out.push(',');
                push_base36(&mut out, time.saturating_sub(p));
            }
        }
        previous = Some(time);
    }
    out
}

/// Reads a state. Only the newest `keep` calls are kept (older ones can no longer change a decision).
pub(super) fn decode(state: &str, keep: usize) -> Result<(Option<u64>, Vec<u64>), LimiterStateError> {
    let body = state.strip_prefix(TAG).ok_or(LimiterStateError::UnknownVersion)?;
    let mut reader = Reader { bytes: body.as_bytes(), position: 0, offset: TAG.len() };
    let blocked_until = if reader.peek() == Some(b':') { None } else { Some(reader.number()?) };
    reader.expect(b':', "':' after the blocked-until time")?;
    let mut log = Vec::new();
    if reader.peek().is_some() {
        let mut time = reader.number()?;
        log.push(time);
        while reader.peek().is_some() {
            reader.expect(b',', "',' between call times")?;
            let at = reader.absolute();
            let gap = reader.number()?;
            time = time.checked_add(gap).ok_or(LimiterStateError::Malformed {
                position: at,
                expected: "a call time before the end of u64 milliseconds",
            })?;
            // At most `2 * keep` are held while reading (a long state costs no more memory).
            if log.len() >= 2 * keep {
                log.drain(..log.len() - keep);
            }
            log.push(time);
        }
    }
    log.drain(..log.len().saturating_sub(keep));
    Ok((blocked_until, log))
}

struct Reader<'a> {
    bytes: &'a [u8],
    position: usize,
    offset: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.position).copied()
    }

    fn absolute(&self) -> usize {
        self.offset + self.position
    }

    fn expect(&mut self, byte: u8, expected: &'static str) -> Result<(), LimiterStateError> {
        if self.peek() == Some(byte) {
            self.position += 1;
            Ok(())
        } else {
            Err(LimiterStateError::Malformed { position: self.absolute(), expected })
        }
    }

    /// One or more base-36 digits that fit in a `u64`.
    fn number(&mut self) -> Result<u64, LimiterStateError> {
        let start = self.absolute();
        let mut value: u64 = 0;
        let mut digits = 0;
        while let Some(digit) = self.peek().and_then(digit_value) {
            // `value * 36 + digit` fits exactly when this holds (a comparison: `checked_mul` costs a 128-bit
            // multiply in the wasm module).
            if value > (u64::MAX - digit) / 36 {
                return Err(LimiterStateError::Malformed { position: start, expected: "a base-36 number below 2^64" });
            }
            value = value * 36 + digit;
            self.position += 1;
            digits += 1;
        }
        if digits == 0 {
            return Err(LimiterStateError::Malformed { position: start, expected: "a base-36 number (0-9, a-z)" });
        }
        Ok(value)
    }
}

fn digit_value(byte: u8) -> Option<u64> {
    match byte {
        b'0'..=b'9' => Some(u64::from(byte - b'0')),
        b'a'..=b'z' => Some(u64::from(byte - b'a') + 10),
        _ => None,
    }
}

fn push_base36(out: &mut String, mut value: u64) {
    let mut buffer = [0u8; 13]; // 36^13 > 2^64
    let mut start = buffer.len();
    loop {
        start -= 1;
        buffer[start] = DIGITS[(value % 36) as usize];
        value /= 36;
        if value == 0 {
            break;
        }
    }
    for &b in &buffer[start..] {
        out.push(char::from(b));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn malformed(position: usize, expected: &'static str) -> LimiterStateError {
        LimiterStateError::Malformed { position, expected }
    }

    #[test]
    fn encodes_known_examples() {
        assert_eq!(encode(None, &[]), "l1::");
        assert_eq!(encode(Some(36), &Vec::from([35, 35, 71])), "l1:10:z,0,10");
        assert_eq!(encode(Some(u64::MAX), &Vec::from([0, u64::MAX])), "l1:3w5e11264sgsf:0,3w5e11264sgsf");
    }

    #[test]
    fn decodes_known_examples() {
        assert_eq!(decode("l1::", 10), Ok((None, Vec::new())));
        assert_eq!(decode("l1:10:z,0,10", 10), Ok((Some(36), Vec::from([35, 35, 71]))));
        assert_eq!(decode("l1:10:z,0,10", 2), Ok((Some(36), Vec::from([35, 71]))), "keeps the newest");
        assert_eq!(decode("l1:10:z,0,10", 0), Ok((Some(36), Vec::new())));
        assert_eq!(decode("l1:3w5e11264sgsf:0,3w5e11264sgsf", 9), Ok((Some(u64::MAX), Vec::from([0, u64::MAX]))));
    }

    #[test]
    fn a_long_state_keeps_its_newest_calls() {
        let times: Vec<u64> = (0..1_000).map(|i| 1_700_000_000_000 + i * 7).collect();
        let state = encode(Some(5), &times);
        for keep in [0, 1, 2, 3, 99, 100, 101, 499, 500, 999, 1_000, 5_000] {
            let newest = times[times.len().saturating_sub(keep)..].to_vec();
            assert_eq!(decode(&state, keep), Ok((Some(5), newest)), "keep {keep}");
        }
    }

    #[test]
    fn rejects_garbage() {
        assert_eq!(decode("", 10), Err(LimiterStateError::UnknownVersion));
        assert_eq!(decode("l2::", 10), Err(LimiterStateError::UnknownVersion));
        assert_eq!(decode("L1::", 10), Err(LimiterStateError::UnknownVersion));
        assert_eq!(decode("l1:", 10), Err(malformed(3, "a base-36 number (0-9, a-z)")));
        assert_eq!(decode("l1:5", 10), Err(malformed(4, "':' after the blocked-until time")));
        assert_eq!(decode("l1:A:", 10), Err(malformed(3, "a base-36 number (0-9, a-z)")));
        assert_eq!(decode("l1::1,", 10), Err(malformed(6, "a base-36 number (0-9, a-z)")));
        assert_eq!(decode("l1::1,,2", 10), Err(malformed(6, "a base-36 number (0-9, a-z)")));
        assert_eq!(decode("l1::1;2", 10), Err(malformed(5, "',' between call times")));
        assert_eq!(decode("l1::1 ", 10), Err(malformed(5, "',' between call times")));
        assert_eq!(decode("l1:+1:", 10), Err(malformed(3, "a base-36 number (0-9, a-z)")));
        assert_eq!(decode("l1:3w5e11264sgsg:", 10), Err(malformed(3, "a base-36 number below 2^64")));
        assert_eq!(
            decode("l1::3w5e11264sgsf,1", 10),
            Err(malformed(18, "a call time before the end of u64 milliseconds"))
        );
        assert_eq!(decode("l1:::", 10), Err(malformed(4, "a base-36 number (0-9, a-z)")));
        assert_eq!(decode("l1::é", 10), Err(malformed(4, "a base-36 number (0-9, a-z)")));
    }

    proptest::proptest! {
        /// Oracle: `u64::from_str_radix(_, 36)`.
        #[test]
        fn base36_numbers_read_as_from_str_radix(digits in "[0-9a-z]{1,14}|3w5e11264sg[0-9a-z]{2}") {
            let expected = match u64::from_str_radix(&digits, 36) {
                Ok(n) => Ok((Some(n), Vec::new())),
                Err(_) => Err(malformed(3, "a base-36 number below 2^64")),
            };
            proptest::prop_assert_eq!(decode(&format!("l1:{digits}:"), 1), expected);
        }
    }
}

//! Overflow-checked `u64` arithmetic without 128-bit operations. In the wasm module, `checked_mul`'s overflow
//! test and `Duration::as_millis`/`as_micros` are 128-bit arithmetic, which links compiler-builtins' code; a
//! comparison with `u64::MAX / b` rules the overflow out in `u64`.

/// `a * b` for `b > 0`; `None` when it overflows (as `checked_mul`).
pub(crate) fn times(a: u64, b: u64) -> Option<u64> {
    (a <= u64::MAX / b).then(|| a * b)
}

#[cfg(test)]
mod tests {
    use super::times;
    use proptest::prelude::*;

    proptest! {
        /// Oracle: the standard `checked_mul`, near the overflow and anywhere.
        #[test]
        fn times_is_checked_mul(a in any::<u64>(), b in 1..=u64::MAX, small in 1..2000u64) {
            for (a, b) in [(a, b), (a, small), (u64::MAX / small, small), (u64::MAX / small + 1, small)] {
                prop_assert_eq!(times(a, b), a.checked_mul(b));
            }
        }
    }
}

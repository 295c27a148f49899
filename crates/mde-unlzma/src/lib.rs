//! A small LZMA decoder, built by `cargo xtask package` into a wasm module of 2.7 KB that the npm package
//! inlines beside the mde-wasm module it unpacks.
//!
//! The browser entry of the package carries mde-wasm compressed with LZMA (a sixth smaller than gzip -9 makes it;
//! BENCHMARKS.md, step 44) and must instantiate it synchronously on import (no top-level `await`: MV3 service
//! workers refuse it), so it cannot use the browser's asynchronous `DecompressionStream`, which has no LZMA
//! either. Unpacking mde-wasm (139 KB) takes 7 to 8 ms in Node 20 and about 15 ms in Chromium 156 on a cold
//! start, where the same algorithm in JavaScript took 18 to 24 ms and 32 to 38 ms.
//!
//! [`decode`] follows the LZMA specification (`lzma-specification.txt` of the LZMA SDK) for a raw LZMA1 stream:
//! no `.lzma` header (the caller knows the properties and the size), an end marker neither needed nor read. It is
//! tested against lzma-rust2's encoder, which `cargo xtask package` uses.

/// Why a stream cannot be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Corrupt {
    /// The properties are out of range (lc > 8, lp > 4, pb > 4), or `probs` is shorter than [`probs_len`].
    #[error("LZMA properties out of range, or too little working memory for them")]
    Properties,
    /// The stream ended before the output was complete, or does not start with the range coder's zero byte.
    #[error("the LZMA stream ends before its output is complete")]
    Truncated,
    /// A match refers to bytes before the start of the output.
    #[error("the LZMA stream refers to bytes before its start")]
    Distance,
}

// The decoder's probabilities, one array: each table starts where the one before ends (12 states, 16 position
// states at most; lengths: choice, choice 2, low[16][8], mid[16][8], high[256]; the distance slots of 4 length
// states; the distances 4 to 127 below the align bits, with index 0 unused; 16 align bits), then the literals.
const STATES: usize = 12;
const LEN_TABLE: usize = 2 + 16 * 8 + 16 * 8 + 256;
const IS_MATCH: usize = 0;
const IS_REP: usize = IS_MATCH + STATES * 16;
const IS_REP_G0: usize = IS_REP + STATES;
const IS_REP_G1: usize = IS_REP_G0 + STATES;
const IS_REP_G2: usize = IS_REP_G1 + STATES;
const IS_REP0_LONG: usize = IS_REP_G2 + STATES;
const LEN: usize = IS_REP0_LONG + STATES * 16;
const REP_LEN: usize = LEN + LEN_TABLE;
const SLOT: usize = REP_LEN + LEN_TABLE;
const SPEC: usize = SLOT + 4 * 64;
const ALIGN: usize = SPEC + 1 + 128 - 14;
const LITERALS: usize = ALIGN + 16;

/// How many probabilities [`decode`] needs for literal context bits `lc` and literal position bits `lp`.
pub const fn probs_len(lc: u32, lp: u32) -> usize {
    LITERALS + (0x300 << (lc + lp))
}

/// The range decoder: the stream, its position, and the coder's range and code.
struct Range<'a> {
    src: &'a [u8],
    at: usize,
    range: u32,
    code: u32,
}

impl Range<'_> {
    #[inline(always)]
    fn normalize(&mut self) -> Result<(), Corrupt> {
        if self.range < 1 << 24 {
            let byte = *self.src.get(self.at).ok_or(Corrupt::Truncated)?;
            self.at += 1;
            self.range <<= 8;
            self.code = self.code << 8 | u32::from(byte);
        }
        Ok(())
    }

    /// One bit with the adaptive probability `probs[i]` (of a 0, in 2048ths). One copy, not inlined: the module is
    /// 2.7 KB instead of 4.0 KB, and unpacks mde-wasm as fast in Chromium (measured).
    #[inline(never)]
    fn bit(&mut self, probs: &mut [u16], i: usize) -> Result<u32, Corrupt> {
        let p = probs.get_mut(i).ok_or(Corrupt::Properties)?;
        let bound = (self.range >> 11) * u32::from(*p);
        let bit = if self.code < bound {
            self.range = bound;
            *p += (2048 - *p) >> 5;
            0
        } else {
            self.range -= bound;
            self.code -= bound;
            *p -= *p >> 5;
            1
        };
        self.normalize()?;
        Ok(bit)
    }

    /// `bits` bits from the bit tree at `base`, the first bit the highest (`reverse`: the lowest).
    fn tree(&mut self, probs: &mut [u16], base: usize, bits: u32, reverse: bool) -> Result<u32, Corrupt> {
        let (mut m, mut sym) = (1usize, 0u32);
        for i in 0..bits {
            let bit = self.bit(probs, base + m)?;
            m = m << 1 | bit as usize;
            sym |= bit << i;
        }
        Ok(if reverse { sym } else { m as u32 - (1 << bits) })
    }

    /// `bits` bits with probability one half each, the first the highest.
    fn direct(&mut self, bits: u32) -> Result<u32, Corrupt> {
        let mut value = 0u32;
        for _ in 0..bits {
            self.range >>= 1;
            let bit = u32::from(self.code >= self.range);
            self.code -= self.range & bit.wrapping_neg();
            value = value << 1 | bit;
            self.normalize()?;
        }
        Ok(value)
    }

    /// A match length less 2: choice, choice 2, then low[16][8], mid[16][8] or high[256].
    fn length(&mut self, probs: &mut [u16], base: usize, pos_state: usize) -> Result<u32, Corrupt> {
        Ok(if self.bit(probs, base)? == 0 {
            self.tree(probs, base + 2 + pos_state * 8, 3, false)?
        } else if self.bit(probs, base + 1)? == 0 {
            8 + self.tree(probs, base + 130 + pos_state * 8, 3, false)?
        } else {
            16 + self.tree(probs, base + 258, 8, false)?
        })
    }

    /// A literal from the coder at `base`; after a match `offs` is 0x100 and `matched` the byte at the last
    /// distance, which predicts the literal's bits until the first that differs.
    fn literal(&mut self, probs: &mut [u16], base: usize, mut matched: u32, mut offs: u32) -> Result<u8, Corrupt> {
        let mut sym = 1u32;
        while sym < 0x100 {
            matched <<= 1;
            let match_bit = matched & offs;
            let bit = self.bit(probs, base + (offs + match_bit + sym) as usize)?;
            sym = sym << 1 | bit;
            offs &= if bit == 0 { !match_bit } else { match_bit };
        }
        Ok(sym as u8)
    }
}

/// Where a match at distance `dist` (0 for the byte just written) starts, from the next position `pos`; no
/// overflow on a 32-bit target, where a distance can be `usize::MAX`.
fn behind(pos: usize, dist: usize) -> Result<usize, Corrupt> {
    pos.checked_sub(dist).and_then(|p| p.checked_sub(1)).ok_or(Corrupt::Distance)
}

/// Decodes the raw LZMA1 stream `src` with literal context bits `lc`, literal position bits `lp` and position
/// bits `pb` until `out` is full. `probs` is the decoder's working memory, at least [`probs_len`]`(lc, lp)` long.
pub fn decode(src: &[u8], out: &mut [u8], probs: &mut [u16], lc: u32, lp: u32, pb: u32) -> Result<(), Corrupt> {
    if lc > 8 || lp > 4 || pb > 4 || probs.len() < probs_len(lc, lp) {
        return Err(Corrupt::Properties);
    }
    probs.fill(1024);
    if src.len() < 5 || src[0] != 0 {
        return Err(Corrupt::Truncated);
    }
    let mut rc = Range { src, at: 5, range: u32::MAX, code: u32::from_be_bytes([src[1], src[2], src[3], src[4]]) };
    let (pb_mask, lp_mask) = ((1usize << pb) - 1, (1usize << lp) - 1);
    let (mut state, mut reps, mut pos) = (0usize, [0usize; 4], 0usize);
    while pos < out.len() {
        let pos_state = pos & pb_mask;
        if rc.bit(probs, IS_MATCH + (state << 4) + pos_state)? == 0 {
            let prev = if pos > 0 { usize::from(out[pos - 1]) } else { 0 };
            let base = LITERALS + 0x300 * (((pos & lp_mask) << lc) + (prev >> (8 - lc)));
            out[pos] = if state >= 7 {
                let matched = behind(pos, reps[0])?;
                rc.literal(probs, base, u32::from(out[matched]), 0x100)?
            } else {
                rc.literal(probs, base, 0, 0)?
            };
            pos += 1;
            state = if state < 4 {
                0
            } else if state < 10 {
                state - 3
            } else {
                state - 6
            };
            continue;
        }
        let len;
        if rc.bit(probs, IS_REP + state)? == 1 {
            if rc.bit(probs, IS_REP_G0 + state)? == 0 {
                if rc.bit(probs, IS_REP0_LONG + (state << 4) + pos_state)? == 0 {
                    state = if state < 7 { 9 } else { 11 };
                    let from = behind(pos, reps[0])?;
                    out[pos] = out[from];
                    pos += 1;
                    continue;
                }
            } else {
                let which = if rc.bit(probs, IS_REP_G1 + state)? == 0 {
                    1
                } else if rc.bit(probs, IS_REP_G2 + state)? == 0 {
                    2
                } else {
                    3
                };
                reps[..=which].rotate_right(1);
            }
            len = rc.length(probs, REP_LEN, pos_state)?;
            state = if state < 7 { 8 } else { 11 };
        } else {
            reps.rotate_right(1);
            len = rc.length(probs, LEN, pos_state)?;
            state = if state < 7 { 7 } else { 10 };
            let slot = rc.tree(probs, SLOT + (len.min(3) as usize) * 64, 6, false)?;
            reps[0] = if slot < 4 {
                slot as usize
            } else {
                let direct = (slot >> 1) - 1;
                let dist = (2 | (slot & 1)) << direct;
                let low = if slot < 14 {
                    rc.tree(probs, SPEC + (dist - slot) as usize, direct, true)?
                } else {
                    rc.direct(direct - 4)? << 4 | rc.tree(probs, ALIGN, 4, true)?
                };
                dist.checked_add(low).ok_or(Corrupt::Distance)? as usize
            };
        }
        let from = behind(pos, reps[0])?;
        let end = out.len().min(pos + len as usize + 2);
        for i in pos..end {
            out[i] = out[from + i - pos];
        }
        pos = end;
    }
    Ok(())
}

/// The wasm export: decodes `src_len` bytes at `src` into `size` bytes at `out`, with `probs` as working memory
/// (see [`probs_len`]); `props` is `lc | lp << 8 | pb << 16`. Returns 0, or 1 + the [`Corrupt`] case's index.
///
/// # Safety
/// The three regions must be valid, writable where written, apart from each other, and `probs` 2-aligned.
#[cfg(target_arch = "wasm32")]
#[no_mangle]
pub unsafe extern "C" fn unlzma(
    src: *const u8,
    src_len: usize,
    out: *mut u8,
    size: usize,
    probs: *mut u16,
    props: u32,
) -> u32 {
    let (lc, lp, pb) = (props & 0xff, props >> 8 & 0xff, props >> 16);
    let src = std::slice::from_raw_parts(src, src_len);
    let out = std::slice::from_raw_parts_mut(out, size);
    let probs = std::slice::from_raw_parts_mut(probs, probs_len(lc.min(8), lp.min(4)));
    match decode(src, out, probs, lc, lp, pb) {
        Ok(()) => 0,
        Err(corrupt) => 1 + corrupt as u32,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_tables_follow_each_other_as_the_specification_sizes_them() {
        use super::*;
        let starts = [IS_MATCH, IS_REP, IS_REP_G0, IS_REP_G1, IS_REP_G2, IS_REP0_LONG, LEN, REP_LEN, SLOT, SPEC, ALIGN];
        assert_eq!(starts, [0, 192, 204, 216, 228, 240, 432, 946, 1460, 1716, 1831]);
        assert_eq!(LITERALS, 1847);
        assert_eq!(probs_len(3, 0), 1847 + 0x300 * 8);
    }
}

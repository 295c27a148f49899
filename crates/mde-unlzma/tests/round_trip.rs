//! `decode` against lzma-rust2's encoder (the one `cargo xtask package` uses): every stream it writes decodes to
//! its input, for every lc/lp/pb; broken streams give an error, never a panic.
use std::io::Write;

use mde_unlzma::{decode, probs_len, Corrupt};
use proptest::prelude::*;

/// Preset 9 is what the xtask uses (optimal parsing, binary trees); 0 to 3 are the fast mode with hash chains.
fn compress(bytes: &[u8], (lc, lp, pb): (u32, u32, u32), end_marker: bool) -> Vec<u8> {
    compress_with(bytes, (lc, lp, pb), end_marker, 9)
}

fn compress_with(bytes: &[u8], (lc, lp, pb): (u32, u32, u32), end_marker: bool, preset: u32) -> Vec<u8> {
    let mut options = lzma_rust2::LzmaOptions::with_preset(preset);
    (options.lc, options.lp, options.pb) = (lc, lp, pb);
    let mut writer = lzma_rust2::LzmaWriter::new_no_header(Vec::new(), &options, end_marker).unwrap();
    writer.write_all(bytes).unwrap();
    writer.finish().unwrap()
}

fn unpack(stream: &[u8], size: usize, (lc, lp, pb): (u32, u32, u32)) -> Result<Vec<u8>, Corrupt> {
    let mut out = vec![0; size];
    let mut probs = vec![0; probs_len(lc, lp)];
    decode(stream, &mut out, &mut probs, lc, lp, pb).map(|()| out)
}

/// Bytes with structure (runs, repeats at a few distances, text) as well as noise, so that matches, repeated
/// distances, short reps and matched literals all occur.
fn structured() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..64),
        (any::<u8>(), 1..300usize).prop_map(|(b, n)| vec![b; n]),
        (prop::sample::select(vec![&b"investigation"[..], b"\"startTime\":", b"\0asm\x01", b"Running"]), 1..20usize)
            .prop_map(|(s, n)| s.repeat(n)),
    ];
    prop::collection::vec((piece, 0..4usize), 0..40).prop_map(|pieces| {
        let mut out: Vec<u8> = Vec::new();
        for (piece, copies) in pieces {
            for _ in 0..=copies {
                out.extend_from_slice(&piece);
            }
            if out.len() > 40 && copies == 3 {
                let again = out[out.len() - 40..out.len() - 20].to_vec();
                out.extend_from_slice(&again);
            }
        }
        out
    })
}

fn props() -> impl Strategy<Value = (u32, u32, u32)> {
    (0..=4u32, 0..=2u32, 0..=4u32).prop_filter("lc + lp <= 4 (lzma-rust2's limit)", |(lc, lp, _)| lc + lp <= 4)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn decodes_what_the_encoder_wrote(
        bytes in structured(),
        props in props(),
        end_marker in any::<bool>(),
        preset in prop::sample::select(vec![0u32, 3, 6, 9]),
    ) {
        let stream = compress_with(&bytes, props, end_marker, preset);
        prop_assert_eq!(unpack(&stream, bytes.len(), props), Ok(bytes));
    }

    #[test]
    fn a_cut_stream_is_an_error_not_a_panic(bytes in structured(), cut in 0.0..1.0f64) {
        prop_assume!(bytes.len() > 100);
        let stream = compress(&bytes, (3, 0, 0), false);
        // The coder's last 5 bytes are its flush; without them (and more) the decoder runs out before the output
        // is full.
        let keep = ((stream.len() - 5) as f64 * cut) as usize;
        prop_assert!(unpack(&stream[..keep], bytes.len(), (3, 0, 0)).is_err());
    }

    #[test]
    fn any_bytes_decode_or_fail_without_panicking(stream in prop::collection::vec(any::<u8>(), 0..200), size in 0..2000usize) {
        let _ = unpack(&stream, size, (3, 0, 0));
    }
}

#[test]
fn long_runs_and_far_matches() {
    let mut bytes = vec![0u8; 300_000];
    bytes[1000..1010].copy_from_slice(b"0123456789");
    bytes[250_000..250_010].copy_from_slice(b"0123456789");
    for props in [(3, 0, 0), (0, 0, 2), (4, 0, 4)] {
        let stream = compress(&bytes, props, false);
        assert!(stream.len() < 500, "{}", stream.len());
        assert_eq!(unpack(&stream, bytes.len(), props), Ok(bytes.clone()));
    }
}

#[test]
fn refuses_bad_properties_and_a_missing_first_byte() {
    assert_eq!(unpack(&[0; 10], 1, (9, 0, 0)), Err(Corrupt::Properties));
    let mut probs = vec![0; probs_len(3, 0) - 1];
    assert_eq!(decode(&[0; 10], &mut [0], &mut probs, 3, 0, 0), Err(Corrupt::Properties));
    assert_eq!(unpack(&[1, 0, 0, 0, 0, 0], 1, (3, 0, 0)), Err(Corrupt::Truncated));
    assert_eq!(unpack(&[0, 0, 0], 1, (3, 0, 0)), Err(Corrupt::Truncated));
    assert_eq!(unpack(&compress(b"", (3, 0, 0), false), 0, (3, 0, 0)), Ok(vec![]));
    // A code of all ones decodes a match as the first symbol: there is nothing behind it to copy.
    let mut stream = vec![0xff; 64];
    stream[0] = 0;
    assert_eq!(unpack(&stream, 10, (3, 0, 0)), Err(Corrupt::Distance));
}

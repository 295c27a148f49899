//! The seed corpora of the fuzz targets (`fuzz/seeds/<target>/`), replayed through the same invariants as the
//! fuzzer checks: a cheap test that they hold on every seed, and that every target has seeds.

use std::path::{Path, PathBuf};

fn seeds_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds")
}

#[test]
fn every_seed_of_every_target_holds() {
    let mut total = 0;
    for (name, check) in mde_invariants::TARGETS {
        let dir = seeds_dir().join(name);
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let mut count = 0;
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let outcome = std::panic::catch_unwind(|| check(&data));
            assert!(outcome.is_ok(), "{name}: seed {} breaks an invariant", path.display());
            count += 1;
        }
        assert!(count >= 3, "{name}: only {count} seeds in {}", dir.display());
        total += count;
    }
    println!("{total} seeds replayed");
}

#[test]
fn every_target_has_a_fuzz_target_file() {
    let targets = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/fuzz_targets");
    for (name, _) in mde_invariants::TARGETS {
        let file = targets.join(format!("{name}.rs"));
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert!(text.contains(&format!("mde_invariants::{name}(")), "{} does not call its invariant", file.display());
    }
}

//! "Did you mean ...?": the candidate a mistyped name most likely meant.

/// Inputs longer than this, in bytes, get no suggestion (keeps the cost bounded on hostile input).
const MAX_LEN: usize = 64;

/// The candidate closest to `input`: within two edits (insertions, deletions, substitutions of one
/// character, ignoring ASCII case; a match that differs only in case is 0 edits) and at most half its own
/// length away; the first one on a tie.
///
/// The candidates are short ASCII names (property and state names), which lets [`edit_distance`] work
/// on bytes.
pub(super) fn did_you_mean<'c>(input: &str, candidates: &[&'c str]) -> Option<&'c str> {
    if input.len() > MAX_LEN {
        return None;
    }
    let mut best = None;
    let mut best_distance = 3;
    for c in candidates {
        let d = edit_distance(input, c);
        if d < best_distance && d * 2 <= c.len() {
            best = Some(*c);
            best_distance = d;
        }
    }
    best
}

/// Levenshtein distance over characters, ignoring ASCII case; `b` must be ASCII.
///
/// `a` is read as bytes: a non-ASCII character counts once, by its leading byte (0xC0 or more), which
/// equals no ASCII byte; its continuation bytes (0x80 to 0xBF) are skipped. Against an ASCII `b` that is
/// the distance over `char`s.
fn edit_distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    // row[j]: the distance between the characters of `a` seen so far and the first j bytes of `b`. On the
    // stack: candidates are short (a longer one is never suggested).
    let mut row = [0; MAX_LEN + 1];
    let Some(row) = row.get_mut(..=b.len()) else {
        return usize::MAX;
    };
    for (j, r) in row.iter_mut().enumerate() {
        *r = j;
    }
    let mut seen = 0;
    for ca in a.bytes().filter(|c| !(0x80..0xC0).contains(c)) {
        seen += 1;
        let mut diagonal = row[0];
        row[0] = seen;
        for (j, cb) in b.iter().enumerate() {
            let substitute = diagonal + usize::from(!ca.eq_ignore_ascii_case(cb));
            diagonal = row[j + 1];
            row[j + 1] = substitute.min(diagonal + 1).min(row[j] + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: &[&str] = &["startTime", "id", "state", "machineId", "triggeringAlertId"];

    #[test]
    fn suggests_case_and_small_typos() {
        assert_eq!(did_you_mean("StartTime", NAMES), Some("startTime"));
        assert_eq!(did_you_mean("ID", NAMES), Some("id"));
        assert_eq!(did_you_mean("machineID", NAMES), Some("machineId"));
        assert_eq!(did_you_mean("stat", NAMES), Some("state"));
        assert_eq!(did_you_mean("startime", NAMES), Some("startTime"));
        assert_eq!(did_you_mean("ab", NAMES), None);
        assert_eq!(did_you_mean("computerDnsName", NAMES), None);
        assert_eq!(did_you_mean(&"x".repeat(1000), NAMES), None);
        assert_eq!(did_you_mean("d", NAMES), Some("id"));
        assert_eq!(did_you_mean("", NAMES), None);
        assert_eq!(did_you_mean("ST", NAMES), None);
        assert_eq!(did_you_mean("sate", NAMES), Some("state"));
    }

    #[test]
    fn non_ascii_characters_count_as_one_edit_each() {
        let states = crate::InvestigationState::KNOWN_NAMES;
        assert_eq!(did_you_mean("Runnïng", states), Some("Running"));
        assert_eq!(did_you_mean("Rünnïng", states), Some("Running"));
        assert_eq!(did_you_mean("Ruñning", states), Some("Running"));
        assert_eq!(did_you_mean("日本Queued", states), Some("Queued"));
        assert_eq!(did_you_mean("Queue🦀", states), Some("Queued"));
        assert_eq!(did_you_mean("日本Queue", states), None);
        assert_eq!(did_you_mean("RUNNÏNG", states), Some("Running"));
        assert_eq!(did_you_mean("ÿ", &["y"]), None);
        assert_eq!(edit_distance("日本", "ab"), 2);
        assert_eq!(edit_distance("é", ""), 1);
    }

    #[test]
    fn candidates_are_ascii() {
        let states = crate::InvestigationState::KNOWN_NAMES;
        assert!(NAMES.iter().chain(states).all(|c| c.is_ascii() && c.len() <= MAX_LEN));
        let properties = super::super::Property::ALL.map(super::super::Property::as_str);
        assert_eq!(properties, NAMES);
    }

    #[test]
    fn edit_distance_basics() {
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("Running", "runing"), 1);
        assert_eq!(edit_distance("ABC", "abc"), 0);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("ab", "ba"), 2);
    }

    /// Textbook Levenshtein over `char`s (full matrix), ignoring ASCII case.
    fn naive_distance(a: &str, b: &str) -> usize {
        let a: Vec<char> = a.chars().map(|c| c.to_ascii_lowercase()).collect();
        let b: Vec<char> = b.chars().map(|c| c.to_ascii_lowercase()).collect();
        let mut d = vec![vec![0; b.len() + 1]; a.len() + 1];
        for (i, row) in d.iter_mut().enumerate() {
            row[0] = i;
        }
        d[0] = (0..=b.len()).collect();
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                d[i][j] = (d[i - 1][j - 1] + cost).min(d[i - 1][j] + 1).min(d[i][j - 1] + 1);
            }
        }
        d[a.len()][b.len()]
    }

    proptest::proptest! {
        #[test]
        fn edit_distance_is_levenshtein_over_chars(
            a in "(.|[a-zA-Z]|é|É|日|🦀){0,12}",
            b in "[a-zA-Z_]{0,12}",
        ) {
            proptest::prop_assert_eq!(edit_distance(&a, &b), naive_distance(&a, &b));
        }
    }
}

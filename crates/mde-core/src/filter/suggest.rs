//! "Did you mean ...?": the candidate a mistyped name most likely meant.

/// Names longer than this get no edit-distance suggestion (keeps the cost bounded on hostile input).
const MAX_LEN: usize = 64;

/// The candidate equal to `input` ignoring ASCII case; otherwise the closest one within two edits
/// (insertions, deletions, substitutions, ignoring ASCII case) and at most half its own length away.
pub(super) fn did_you_mean<'c>(input: &str, candidates: &[&'c str]) -> Option<&'c str> {
    if let Some(c) = candidates.iter().find(|c| c.eq_ignore_ascii_case(input)) {
        return Some(c);
    }
    if input.len() > MAX_LEN {
        return None;
    }
    candidates
        .iter()
        .map(|c| (edit_distance(input, c), *c))
        .filter(|(d, c)| *d <= 2 && d * 2 <= c.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance over chars, ignoring ASCII case.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<char> = b.chars().map(|c| c.to_ascii_lowercase()).collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
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
    fn edit_distance_basics() {
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("Running", "runing"), 1);
        assert_eq!(edit_distance("ABC", "abc"), 0);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("ab", "ba"), 2);
    }
}

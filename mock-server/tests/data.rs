//! Acceptance 6: generated data looks real and is deterministic for a seed.

mod common;

use std::collections::{HashMap, HashSet};

use common::*;
use mde_core::{InvestigationState, Timestamp};

const TERMINAL: &[&str] = &[
    "SuccessfullyRemediated",
    "Benign",
    "Failed",
    "PartiallyRemediated",
    "PartiallyInvestigated",
    "Terminated",
    "TerminatedByUser",
    "TerminatedBySystem",
    "InnerFailure",
    "PreexistingAlert",
    "UnsupportedOs",
    "UnsupportedAlertType",
    "SuppressedAlert",
];

fn is_alert_id(s: &str) -> bool {
    // da{18 digits}_{optional minus}{digits}, like da637139166940871892_-598649278
    let Some(rest) = s.strip_prefix("da") else { return false };
    let Some((ticks, tail)) = rest.split_once('_') else { return false };
    let tail = tail.strip_prefix('-').unwrap_or(tail);
    ticks.len() == 18
        && ticks.bytes().all(|b| b.is_ascii_digit())
        && !tail.is_empty()
        && tail.bytes().all(|b| b.is_ascii_digit())
}

#[tokio::test]
async fn generated_data_looks_real() {
    let api = builder().seed(42).count(2_000).start().await.unwrap();
    let data = api.investigations().await;
    assert_eq!(data.len(), 2_000);
    let now = now();
    let from = Timestamp::from_unix_millis(now.unix_millis() - 90 * 86_400_000).unwrap();
    let mut ids = HashSet::new();
    let mut states: HashMap<String, usize> = HashMap::new();
    let mut machines: HashMap<String, usize> = HashMap::new();
    for inv in &data {
        assert!(!inv.id.is_empty() && inv.id.bytes().all(|b| b.is_ascii_digit()), "{}", inv.id);
        assert!(ids.insert(inv.id.clone()), "duplicate id {}", inv.id);
        let start = inv.start_time.unwrap();
        assert!(start >= from && start < now, "{start}");
        *states.entry(inv.state.as_str().to_string()).or_default() += 1;
        let terminal = TERMINAL.contains(&inv.state.as_str());
        match inv.end_time {
            Some(end) => assert!(terminal && end > start && end <= now, "{inv:?}"),
            None => assert!(!terminal, "{inv:?}"),
        }
        assert_eq!(inv.cancelled_by.is_some(), inv.state == InvestigationState::TerminatedByUser, "{inv:?}");
        let m = inv.machine_id.clone().unwrap();
        assert!(m.len() == 40 && m.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()), "{m}");
        *machines.entry(m).or_default() += 1;
        let dns = inv.computer_dns_name.clone().unwrap();
        assert!(dns.len() > 5 && dns.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.'), "{dns}");
        assert!(is_alert_id(inv.triggering_alert_id.as_deref().unwrap()), "{:?}", inv.triggering_alert_id);
    }
    // A realistic mix: many states, mostly terminal, some still going.
    assert!(states.len() >= 10, "{states:?}");
    let terminal: usize = states.iter().filter(|(k, _)| TERMINAL.contains(&k.as_str())).map(|(_, v)| v).sum();
    assert!(terminal > 1_700 && terminal < 2_000, "{states:?}");
    assert!(states.contains_key("TerminatedByUser"));
    // Machines are shared, a few by many.
    assert!(machines.len() < 1_000 && machines.len() > 50, "{}", machines.len());
    assert!(machines.values().any(|n| *n >= 5));
    // Ids grow with time: the newest has the largest id.
    let newest = data.iter().max_by_key(|i| i.start_time).unwrap();
    let max_id = data.iter().map(|i| i.id.parse::<u64>().unwrap()).max().unwrap();
    assert_eq!(newest.id.parse::<u64>().unwrap(), max_id);
    // Fractional digits vary, as the service's do.
    let digits: HashSet<usize> = data
        .iter()
        .map(|i| i.start_time.unwrap().to_string())
        .map(|s| s.split_once('.').map_or(0, |(_, f)| f.len() - 1))
        .collect();
    assert!(digits.contains(&0) && digits.len() >= 3, "{digits:?}");
}

#[tokio::test]
async fn same_seed_same_data_other_seed_other_data() {
    let a = builder().seed(7).count(500).start().await.unwrap();
    let b = builder().seed(7).count(500).start().await.unwrap();
    let c = builder().seed(8).count(500).start().await.unwrap();
    let (da, db, dc) = (a.investigations().await, b.investigations().await, c.investigations().await);
    assert_eq!(da, db);
    assert_ne!(da, dc);
    // Same bytes on the wire too.
    let http = client();
    let pa = get(&http, &a.uri(), "/api/investigations", "t").await;
    let pb = get(&http, &b.uri(), "/api/investigations", "t").await;
    assert_eq!(pa.json()["value"], pb.json()["value"]);
}

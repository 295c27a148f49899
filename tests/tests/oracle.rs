//! Point 1: the oracle's generators produce the awkward values the issue lists, and mde-core's filter parser,
//! evaluator, id order and date-times agree with the oracle's independent meaning.

use std::collections::{BTreeSet, HashMap};

use mde_conformance::harness::cases;
use mde_conformance::oracle::filter::Expr;
use mde_conformance::oracle::gen::{self, KNOWN_STATES, UNKNOWN_STATES};
use mde_conformance::oracle::model::{id_order, to_core, Inv};
use mde_conformance::oracle::time;
use mde_core::filter::{compare_ordinal, Dialect, Filter, ParseOptions};
use mde_core::Timestamp;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;

fn fractional_digits(text: &str) -> usize {
    text.split_once('.').map_or(0, |(_, rest)| rest.trim_end_matches('Z').len())
}

fn texts(inv: &Inv) -> [Option<&String>; 6] {
    [
        Some(&inv.id),
        inv.cancelled_by.as_ref(),
        inv.status_details.as_ref(),
        inv.machine_id.as_ref(),
        inv.computer_dns_name.as_ref(),
        inv.triggering_alert_id.as_ref(),
    ]
}

/// Over a few dozen data sets from a fixed seed, every awkward kind of value appears.
#[test]
fn generated_data_sets_hold_every_awkward_value() {
    let mut runner = TestRunner::deterministic();
    let strategy = gen::dataset(0, 60);
    let mut states = BTreeSet::new();
    let mut digits = BTreeSet::new();
    let mut seen: HashMap<&str, bool> = HashMap::new();
    let mut equal_starts = false;
    for _ in 0..40 {
        let data = strategy.new_tree(&mut runner).unwrap().current();
        let mut starts = BTreeSet::new();
        for inv in &data {
            states.insert(inv.state.clone());
            for t in inv.start.iter().chain(inv.end.iter()) {
                digits.insert(fractional_digits(&t.text));
                assert!(fractional_digits(&t.text) <= 7, "{}", t.text);
            }
            if let Some(t) = &inv.start {
                equal_starts |= !starts.insert(t.at);
            }
            let mut mark = |what: &'static str, yes: bool| *seen.entry(what).or_default() |= yes;
            mark("null startTime", inv.start.is_none());
            mark("null endTime", inv.end.is_none());
            mark("null machineId", inv.machine_id.is_none());
            mark("null triggeringAlertId", inv.triggering_alert_id.is_none());
            mark("id with a leading zero", inv.id.starts_with('0') && inv.id.len() > 1);
            mark("id that is not digits", inv.id.bytes().any(|b| !b.is_ascii_digit()));
            mark("id longer than u64", inv.id.len() > 20);
            for t in texts(inv).into_iter().flatten() {
                mark("empty string", t.is_empty());
                mark("quote", t.contains('\''));
                mark("ampersand", t.contains('&'));
                mark("hash", t.contains('#'));
                mark("percent", t.contains('%'));
                mark("plus", t.contains('+'));
                mark("non-ASCII", !t.is_ascii());
            }
        }
    }
    for s in KNOWN_STATES.iter().chain(UNKNOWN_STATES.iter()) {
        assert!(states.contains(*s), "state {s} never generated");
    }
    assert_eq!(digits, (0..=7).collect(), "fractional digits 0 to 7");
    assert!(equal_starts, "no data set had two equal start times");
    let missing: Vec<_> = seen.iter().filter(|(_, yes)| !**yes).map(|(k, _)| *k).collect();
    assert!(missing.is_empty(), "never generated: {missing:?}");
}

/// The oracle's filters cover every property, operator and connective.
#[test]
fn generated_filters_cover_the_grammar() {
    let mut runner = TestRunner::deterministic();
    let strategy = (gen::filter(), gen::style());
    let mut texts = String::new();
    for _ in 0..300 {
        let (f, s) = strategy.new_tree(&mut runner).unwrap().current();
        texts.push_str(&f.to_odata(s).to_ascii_lowercase());
        texts.push('\n');
    }
    for word in [
        "starttime",
        "machineid",
        "triggeringalertid",
        "id ",
        "state",
        " eq ",
        " ne ",
        " gt ",
        " ge ",
        " lt ",
        " le ",
        " in ",
        " and ",
        " or ",
        "not ",
        "''",
        "+",
        "z",
        "'20",
    ] {
        assert!(texts.contains(word), "no generated filter contains `{word}`");
    }
}

fn record_of_core(inv: &mde_core::Investigation) -> mde_conformance::oracle::model::Record {
    mde_conformance::oracle::model::record_from_core(inv)
}

proptest! {
    #![proptest_config(cases(256))]

    /// mde-core parses the oracle's filter text (any spelling) into a filter that selects exactly what the
    /// oracle's meaning selects.
    #[test]
    fn core_filters_mean_what_the_oracle_means(data in gen::dataset(0, 30), f in gen::filter(), s in gen::style()) {
        let text = f.to_odata(s);
        let parsed = Filter::parse(&text).map_err(|e| TestCaseError::fail(format!("`{text}`: {e}")))?;
        for inv in &data {
            let core = to_core(inv);
            prop_assert_eq!(record_of_core(&core), inv.record());
            prop_assert_eq!(parsed.matches(&core), f.eval(&inv.record()), "`{}` on {:?}", text, inv);
        }
        // What the core prints is OData 4.0 (no `in`, lower case): the strict dialect reads it, it means the
        // same, and printing it again gives the same text.
        let printed = parsed.to_odata();
        let strict = ParseOptions::with_dialect(Dialect::OData40);
        let again = Filter::parse_with(&printed, &strict).map_err(|e| TestCaseError::fail(format!("`{printed}`: {e}")))?;
        prop_assert_eq!(again.to_odata(), printed.clone());
        for inv in &data {
            prop_assert_eq!(again.matches(&to_core(inv)), f.eval(&inv.record()), "`{}` on {:?}", printed, inv);
        }
    }

    /// The core's id order is the oracle's.
    #[test]
    fn core_id_order_is_the_oracles(a in gen::dataset(2, 2), b in "[0-9]{0,25}|\\PC{0,3}") {
        let x = &a[0].id;
        let y = &a[a.len() - 1].id;
        prop_assert_eq!(compare_ordinal(x, y), id_order(x, y));
        prop_assert_eq!(compare_ordinal(x, &b), id_order(x, &b));
        prop_assert_eq!(compare_ordinal(&b, y), id_order(&b, y));
    }

    /// The core reads every date-time the oracle writes (0 to 9 digits, offsets within the ±14:00 that .NET's
    /// DateTimeOffset holds) as the same instant.
    #[test]
    fn core_timestamps_are_the_oracles(at in 0i128..(400 * 365 * 86_400 * time::NANOS), digits in 0u8..=9,
                                       offset in -840i32..=840, z in any::<bool>()) {
        let text = time::render(at, digits, offset, z);
        let t = Timestamp::parse(&text).map_err(|e| TestCaseError::fail(format!("`{text}`: {e}")))?;
        let instant = i128::from(t.unix_seconds()) * time::NANOS + i128::from(t.subsec_nanos());
        prop_assert_eq!(instant, at, "{}", text);
        prop_assert_eq!(time::parse(&t.to_string()), Some(at));
    }
}

/// A few filters whose meaning is easy to get wrong, spelled out.
#[test]
fn tricky_meanings() {
    use mde_conformance::oracle::filter::{Field, Op, TextLit};
    let inv = |id: &str, machine: Option<&str>| Inv {
        id: id.into(),
        start: None,
        end: None,
        state: "Investigating".into(),
        cancelled_by: None,
        status_details: None,
        machine_id: machine.map(str::to_string),
        computer_dns_name: None,
        triggering_alert_id: None,
    };
    let ne = Expr::Text(Field::MachineId, Op::Ne, TextLit::quoted("x"));
    let lt = Expr::Text(Field::Id, Op::Lt, TextLit { value: "10".into(), bare: true });
    let state_ne = Expr::State(false, "Running".into());
    assert!(ne.eval(&inv("1", None).record()), "ne holds for null");
    assert!(!Expr::Not(Box::new(ne.clone())).eval(&inv("1", None).record()));
    // Ids are strings: ordinal order, not numbers.
    assert!(!lt.eval(&inv("9", None).record()) && lt.eval(&inv("011", None).record()));
    assert!(lt.eval(&inv("010", None).record()) && lt.eval(&inv("1", None).record()));
    assert!(lt.eval(&inv("", None).record()) && !lt.eval(&inv("a", None).record()));
    assert!(state_ne.eval(&inv("1", None).record()), "an unknown state is not Running");
    let start_ne = Expr::Time(
        Op::Ne,
        mde_conformance::oracle::filter::TimeLit { at: 0, text: "1970-01-01T00:00:00Z".into(), quoted: false },
    );
    assert!(start_ne.eval(&inv("1", None).record()), "ne holds for a null startTime");
}

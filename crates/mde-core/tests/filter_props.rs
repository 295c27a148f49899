//! Property tests of `$filter` and the list query string, each against an oracle written here:
//! round trips (OData text and percent-encoded query string), structure that no value can change, a
//! fully parenthesised printer, a naive evaluator and id order, a naive percent-decoder, and robustness on
//! arbitrary and mutated input (no panic, no stack overflow, positions inside the input).

use mde_core::filter::{compare_ordinal, CmpOp, Condition, Dialect, Filter, OneOrMore, ParseOptions, StateTest, Test};
use mde_core::query::{ListQuery, QueryError, Top};
use mde_core::{Investigation, InvestigationState, Timestamp};
use proptest::prelude::*;
use std::cmp::Ordering;
use std::fmt::Debug;

const LENIENT: ParseOptions = ParseOptions::LENIENT_STATES;

// ---------------------------------------------------------------------------------------------------------
// Generators

/// Fragments that have broken filters and query strings elsewhere: quotes, injections, URL syntax,
/// percent signs, whitespace, control characters, non-ASCII.
const NASTY: &[&str] = &[
    "'",
    "''",
    "x' or id eq '1",
    "' or '1' eq '1",
    "') or not (id eq '",
    ")",
    "(",
    " or ",
    " and ",
    "not ",
    "&",
    "#",
    "+",
    "%",
    "%27",
    "%2",
    "%20",
    "=",
    "$top=1",
    "&$skip=5",
    "?",
    " ",
    "\t",
    "\n",
    "\r",
    "\u{0}",
    "\u{7f}",
    "\u{1b}",
    "é",
    "日本",
    "🦀",
    "\u{a0}",
    "\u{200b}",
    "\"",
    "\\",
    ",",
    "eq",
    "in ('a')",
    "2024-01-01T00:00:00Z",
];

fn text() -> impl Strategy<Value = String> + Clone {
    prop::collection::vec(
        prop_oneof![
            3 => prop::sample::select(NASTY).prop_map(str::to_owned),
            2 => "[a-zA-Z0-9_-]{1,6}",
            1 => any::<char>().prop_map(String::from),
        ],
        0..6,
    )
    .prop_map(|v| v.concat())
}

fn timestamp() -> impl Strategy<Value = Timestamp> + Clone {
    prop_oneof![
        (Timestamp::MIN.unix_seconds()..=Timestamp::MAX.unix_seconds(), 0u32..1_000_000_000)
            .prop_map(|(s, n)| Timestamp::from_unix(s, n).unwrap()),
        (0i64..4_102_444_800_000).prop_map(|ms| Timestamp::from_unix_millis(ms).unwrap()),
        Just(Timestamp::MIN),
        Just(Timestamp::MAX),
    ]
}

fn known_state() -> impl Strategy<Value = InvestigationState> + Clone {
    prop::sample::select(InvestigationState::KNOWN)
}

/// A documented state, or an undocumented name (never a documented one wrapped in `Other`, which is not
/// canonical: it prints as the documented name).
fn any_state() -> impl Strategy<Value = InvestigationState> + Clone {
    prop_oneof![
        3 => known_state(),
        1 => text().prop_filter_map("documented", |s| {
            InvestigationState::known(&s).is_none().then_some(InvestigationState::Other(s))
        }),
    ]
}

fn op() -> impl Strategy<Value = CmpOp> + Clone {
    prop::sample::select(CmpOp::ALL.to_vec())
}

fn test_of<T: Clone + Debug + 'static>(v: impl Strategy<Value = T> + Clone + 'static) -> BoxedStrategy<Test<T>> {
    prop_oneof![
        3 => (op(), v.clone()).prop_map(|(o, x)| Test::Cmp(o, x)),
        1 => (v.clone(), prop::collection::vec(v, 0..4)).prop_map(|(f, r)| Test::In(OneOrMore::new(f, r))),
    ]
    .boxed()
}

fn state_test(s: impl Strategy<Value = InvestigationState> + Clone + 'static) -> BoxedStrategy<StateTest> {
    prop_oneof![
        s.clone().prop_map(StateTest::Eq),
        s.clone().prop_map(StateTest::Ne),
        (s.clone(), prop::collection::vec(s, 0..4)).prop_map(|(f, r)| StateTest::In(OneOrMore::new(f, r))),
    ]
    .boxed()
}

fn condition_from(
    ids: impl Strategy<Value = String> + Clone + 'static,
    strings: impl Strategy<Value = String> + Clone + 'static,
    times: impl Strategy<Value = Timestamp> + Clone + 'static,
    states: impl Strategy<Value = InvestigationState> + Clone + 'static,
) -> BoxedStrategy<Condition> {
    prop_oneof![
        test_of(times).prop_map(Condition::StartTime),
        test_of(ids).prop_map(Condition::Id),
        state_test(states).prop_map(Condition::State),
        test_of(strings.clone()).prop_map(Condition::MachineId),
        test_of(strings).prop_map(Condition::TriggeringAlertId),
    ]
    .boxed()
}

fn filter_from(cond: BoxedStrategy<Condition>) -> BoxedStrategy<Filter> {
    cond.prop_map(Filter::Cond)
        .prop_recursive(5, 24, 2, |inner| {
            prop_oneof![
                (inner.clone(), inner.clone()).prop_map(|(a, b)| a.and(b)),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| a.or(b)),
                inner.prop_map(|a| !a),
            ]
        })
        .boxed()
}

fn any_filter() -> BoxedStrategy<Filter> {
    filter_from(condition_from(text(), text(), timestamp(), any_state()))
}

fn strict_filter() -> BoxedStrategy<Filter> {
    filter_from(condition_from(text(), text(), timestamp(), known_state()))
}

// ---------------------------------------------------------------------------------------------------------
// Oracles

#[derive(Debug, Default, PartialEq, Eq)]
struct Shape {
    conditions: usize,
    ands: usize,
    ors: usize,
    nots: usize,
}

/// Counts the nodes of the generated tree.
fn tree_shape(f: &Filter, s: &mut Shape) {
    match f {
        Filter::Cond(_) => s.conditions += 1,
        Filter::And(a, b) => {
            s.ands += 1;
            tree_shape(a, s);
            tree_shape(b, s);
        }
        Filter::Or(a, b) => {
            s.ors += 1;
            tree_shape(a, s);
            tree_shape(b, s);
        }
        Filter::Not(a) => {
            s.nots += 1;
            tree_shape(a, s);
        }
    }
}

/// Counts the keywords of OData text outside string literals (a quote toggles "inside"; a doubled quote
/// toggles twice). Each condition has exactly one operator word.
fn text_shape(text: &str) -> Shape {
    let mut s = Shape::default();
    let mut inside = false;
    let mut word = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c == '\'' {
            inside = !inside;
        }
        if !inside && c.is_ascii_alphabetic() {
            word.push(c);
            continue;
        }
        match word.to_ascii_lowercase().as_str() {
            "eq" | "ne" | "gt" | "ge" | "lt" | "le" | "in" => s.conditions += 1,
            "and" => s.ands += 1,
            "or" => s.ors += 1,
            "not" => s.nots += 1,
            _ => {}
        }
        word.clear();
    }
    s
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A second printer: every operand in parentheses, keywords in upper case, spaces after commas.
fn print_fully_parenthesised(f: &Filter) -> String {
    fn list<T>(items: &OneOrMore<T>, one: impl Fn(&T) -> String) -> String {
        items.iter().map(one).collect::<Vec<_>>().join(", ")
    }
    fn test<T>(name: &str, t: &Test<T>, one: impl Fn(&T) -> String) -> String {
        match t {
            Test::Cmp(op, v) => format!("{name} {} {}", op.as_str().to_uppercase(), one(v)),
            Test::In(vs) => format!("{name} IN ({})", list(vs, one)),
        }
    }
    match f {
        Filter::And(a, b) => format!("({}) AND ({})", print_fully_parenthesised(a), print_fully_parenthesised(b)),
        Filter::Or(a, b) => format!("({})\tOR\n({})", print_fully_parenthesised(a), print_fully_parenthesised(b)),
        Filter::Not(a) => format!("NOT({})", print_fully_parenthesised(a)),
        Filter::Cond(c) => match c {
            Condition::StartTime(t) => test("startTime", t, |t| format!("'{t}'")),
            Condition::Id(t) => test("id", t, |s| quote(s)),
            Condition::MachineId(t) => test("machineId", t, |s| quote(s)),
            Condition::TriggeringAlertId(t) => test("triggeringAlertId", t, |s| quote(s)),
            Condition::State(StateTest::Eq(s)) => format!("state EQ {}", quote(s.as_str())),
            Condition::State(StateTest::Ne(s)) => format!("state NE {}", quote(s.as_str())),
            Condition::State(StateTest::In(v)) => format!("state IN ({})", list(v, |s| quote(s.as_str()))),
            other => panic!("a condition this printer does not know: {other:?}"),
        },
    }
}

fn has_undocumented_state(f: &Filter) -> bool {
    match f {
        Filter::And(a, b) | Filter::Or(a, b) => has_undocumented_state(a) || has_undocumented_state(b),
        Filter::Not(a) => has_undocumented_state(a),
        Filter::Cond(Condition::State(StateTest::Eq(s) | StateTest::Ne(s))) => !s.is_known(),
        Filter::Cond(Condition::State(StateTest::In(v))) => v.iter().any(|s| !s.is_known()),
        Filter::Cond(_) => false,
    }
}

/// A percent-decoder written from RFC 3986 (no `+` handling: the encoder must never emit `+`).
fn naive_percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            out.push(u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap(), 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

/// Id sort key: digit-only ids (as numbers, then as text) before all others (as text).
/// The order OData gives strings (ordinal, as .NET compares them): their UTF-16 code units.
fn utf16_key(s: &str) -> Vec<u16> {
    s.encode_utf16().collect()
}

/// `f` as OData 4.0 writes it: every `in` list an `or` chain (left-associative) of `eq`s, one value a plain `eq`.
fn expand_in(f: &Filter) -> Filter {
    fn chain(conds: Vec<Condition>) -> Filter {
        let mut it = conds.into_iter().map(Filter::Cond);
        let first = it.next().expect("an in list has a value");
        it.fold(first, |acc, c| Filter::Or(Box::new(acc), Box::new(c)))
    }
    fn eqs<T: Clone>(list: &OneOrMore<T>, wrap: impl Fn(Test<T>) -> Condition) -> Filter {
        chain(list.as_slice().iter().map(|v| wrap(Test::Cmp(CmpOp::Eq, v.clone()))).collect())
    }
    match f {
        Filter::And(a, b) => Filter::And(Box::new(expand_in(a)), Box::new(expand_in(b))),
        Filter::Or(a, b) => Filter::Or(Box::new(expand_in(a)), Box::new(expand_in(b))),
        Filter::Not(a) => Filter::Not(Box::new(expand_in(a))),
        Filter::Cond(c) => match c {
            Condition::StartTime(Test::In(l)) => eqs(l, Condition::StartTime),
            Condition::Id(Test::In(l)) => eqs(l, Condition::Id),
            Condition::MachineId(Test::In(l)) => eqs(l, Condition::MachineId),
            Condition::TriggeringAlertId(Test::In(l)) => eqs(l, Condition::TriggeringAlertId),
            Condition::State(StateTest::In(l)) => {
                chain(l.as_slice().iter().map(|v| Condition::State(StateTest::Eq(v.clone()))).collect())
            }
            other => Filter::Cond(other.clone()),
        },
    }
}

/// Applies a test with the documented null rule, comparing keys.
fn naive_test<T, K: Ord>(t: &Test<T>, value: Option<K>, key: impl Fn(&T) -> K) -> bool {
    let Some(v) = value else { return matches!(t, Test::Cmp(CmpOp::Ne, _)) };
    match t {
        Test::Cmp(op, lit) => {
            let l = key(lit);
            match op {
                CmpOp::Eq => v == l,
                CmpOp::Ne => v != l,
                CmpOp::Gt => v > l,
                CmpOp::Ge => v >= l,
                CmpOp::Lt => v < l,
                CmpOp::Le => v <= l,
            }
        }
        Test::In(list) => list.iter().any(|x| key(x) == v),
    }
}

fn naive_matches(f: &Filter, i: &Investigation) -> bool {
    let time_key = |t: &Timestamp| (t.unix_seconds(), t.subsec_nanos());
    match f {
        Filter::And(a, b) => naive_matches(a, i) && naive_matches(b, i),
        Filter::Or(a, b) => naive_matches(a, i) || naive_matches(b, i),
        Filter::Not(a) => !naive_matches(a, i),
        Filter::Cond(c) => match c {
            Condition::StartTime(t) => naive_test(t, i.start_time.as_ref().map(time_key), time_key),
            Condition::Id(t) => naive_test(t, Some(utf16_key(&i.id)), |s| utf16_key(s)),
            Condition::MachineId(t) => naive_test(t, i.machine_id.as_deref().map(utf16_key), |s| utf16_key(s)),
            Condition::TriggeringAlertId(t) => {
                naive_test(t, i.triggering_alert_id.as_deref().map(utf16_key), |s| utf16_key(s))
            }
            Condition::State(StateTest::Eq(s)) => i.state.to_string() == s.to_string(),
            Condition::State(StateTest::Ne(s)) => i.state.to_string() != s.to_string(),
            Condition::State(StateTest::In(v)) => v.iter().any(|s| i.state.to_string() == s.to_string()),
            other => panic!("a condition this oracle does not know: {other:?}"),
        },
    }
}

// ---------------------------------------------------------------------------------------------------------
// Round trips and structure

proptest! {
    #[test]
    fn odata_text_round_trips(f in any_filter()) {
        let text = f.to_odata();
        prop_assert_eq!(&f.to_string(), &text);
        // What is printed is OData 4.0: `in` lists come back as `or`s of `eq`s, and print the same again.
        let back = Filter::parse_with(&text, &LENIENT).unwrap();
        prop_assert_eq!(&back, &expand_in(&f), "text: {}", text);
        prop_assert_eq!(back.to_odata(), text.clone());
        let strict = ParseOptions { dialect: Dialect::OData40, ..LENIENT };
        prop_assert_eq!(Filter::parse_with(&text, &strict).unwrap(), back);
        // Strict parsing refuses exactly the filters with undocumented states.
        match Filter::parse(&text) {
            Ok(g) => {
                prop_assert!(!has_undocumented_state(&f));
                prop_assert_eq!(g, expand_in(&f));
            }
            Err(e) => {
                prop_assert!(has_undocumented_state(&f));
                prop_assert!(matches!(e.kind, mde_core::filter::FilterErrorKind::UnknownState { .. }), "{}", e);
            }
        }
    }

    #[test]
    fn no_value_changes_the_structure(f in any_filter()) {
        let mut expected = Shape::default();
        tree_shape(&expand_in(&f), &mut expected);
        prop_assert_eq!(text_shape(&f.to_odata()), expected);
    }

    #[test]
    fn fully_parenthesised_text_parses_to_the_same_tree(f in any_filter()) {
        let text = print_fully_parenthesised(&f);
        prop_assert_eq!(Filter::parse_with(&text, &LENIENT).unwrap(), f, "text: {}", text);
    }

    #[test]
    fn injected_values_stay_values(s in text(), t in text()) {
        let f = mde_core::filter::machine_id().eq(s.clone()).and(mde_core::filter::id().is_in([t.clone()]).unwrap());
        let g = Filter::parse(&f.to_odata()).unwrap();
        match g {
            Filter::And(a, b) => {
                prop_assert_eq!(*a, Filter::Cond(Condition::MachineId(Test::Cmp(CmpOp::Eq, s))));
                prop_assert_eq!(*b, Filter::Cond(Condition::Id(Test::Cmp(CmpOp::Eq, t))));
            }
            other => prop_assert!(false, "not an `and`: {:?}", other),
        }
    }

    #[test]
    fn query_string_round_trips(
        f in prop::option::of(any_filter()),
        top in prop::option::of(1u32..=10_000),
        skip in prop_oneof![Just(0u64), any::<u64>()],
    ) {
        let q = ListQuery { filter: f, top: top.map(|n| Top::new(n).unwrap()), skip };
        let qs = q.to_query_string();
        let sent = ListQuery { filter: q.filter.as_ref().map(expand_in), ..q.clone() };
        prop_assert_eq!(&ListQuery::from_query_string_with(&qs, &LENIENT).unwrap(), &sent, "qs: {}", qs);

        // Only unreserved characters, `(),:`, the keys' `$`, `=`, `&` and `%XX` appear.
        let allowed = |c: char| c.is_ascii_alphanumeric() || "-._~(),:%$=&".contains(c);
        prop_assert!(qs.chars().all(allowed), "qs: {}", qs);
        let parts: Vec<&str> = if qs.is_empty() { vec![] } else { qs.split('&').collect() };
        let present = usize::from(q.filter.is_some()) + usize::from(q.top.is_some()) + usize::from(q.skip > 0);
        prop_assert_eq!(parts.len(), present);
        if let Some(f) = &q.filter {
            let value = parts[0].strip_prefix("$filter=").unwrap();
            prop_assert!(!value.contains('=') && !value.contains('$'));
            prop_assert_eq!(naive_percent_decode(value), f.to_odata().into_bytes());
        }

        // What other tools make of it reads the same: `?`, `+` for spaces, `%24` for `$`, other order.
        let mut reordered = parts.clone();
        reordered.reverse();
        let variant = format!("?{}", reordered.join("&")).replace("%20", "+").replace('$', "%24");
        prop_assert_eq!(ListQuery::from_query_string_with(&variant, &LENIENT).unwrap(), sent);
    }
}

// ---------------------------------------------------------------------------------------------------------
// Evaluation and id order

const IDS: &[&str] = &["1", "2", "9", "10", "010", "63017", "a", "", "1a", "99999999999999999999"];
const STRINGS: &[&str] = &["m1", "m2", "M1", "", "é", "m1'", "m10"];

fn pool_time() -> impl Strategy<Value = Timestamp> + Clone {
    prop::sample::select(vec![
        Timestamp::from_unix(1_577_836_800, 0).unwrap(),
        Timestamp::from_unix(1_577_836_800, 1).unwrap(),
        Timestamp::from_unix(1_577_836_799, 999_999_999).unwrap(),
        Timestamp::from_unix(1_609_459_200, 0).unwrap(),
    ])
}

fn pool_state() -> impl Strategy<Value = InvestigationState> + Clone {
    prop::sample::select(vec![
        InvestigationState::Running,
        InvestigationState::Queued,
        InvestigationState::Benign,
        InvestigationState::Other("New".into()),
        InvestigationState::Other("Running".into()),
    ])
}

fn pool_id() -> impl Strategy<Value = String> + Clone {
    prop::sample::select(IDS).prop_map(str::to_owned)
}

fn pool_string() -> impl Strategy<Value = String> + Clone {
    prop::sample::select(STRINGS).prop_map(str::to_owned)
}

fn investigation() -> impl Strategy<Value = Investigation> {
    (
        pool_id(),
        prop::option::of(pool_time()),
        pool_state(),
        prop::option::of(pool_string()),
        prop::option::of(pool_string()),
    )
        .prop_map(|(id, start_time, state, machine_id, triggering_alert_id)| Investigation {
            id,
            start_time,
            end_time: None,
            state,
            cancelled_by: None,
            status_details: None,
            machine_id,
            computer_dns_name: None,
            triggering_alert_id,
        })
}

fn id_text() -> impl Strategy<Value = String> {
    prop_oneof!["[0-9]{1,30}", "0{0,3}[0-9]{1,3}", "[0-9a-c]{0,4}", pool_id()]
}

proptest! {
    #[test]
    fn matches_agrees_with_a_naive_evaluator(
        f in filter_from(condition_from(pool_id(), pool_string(), pool_time(), pool_state())),
        invs in prop::collection::vec(investigation(), 1..8),
    ) {
        for i in &invs {
            prop_assert_eq!(f.matches(i), naive_matches(&f, i), "filter {} on {:?}", f, i);
        }
    }

    #[test]
    fn compare_ordinal_is_utf16_order(a in id_text(), b in id_text()) {
        prop_assert_eq!(compare_ordinal(&a, &b), utf16_key(&a).cmp(&utf16_key(&b)));
        prop_assert_eq!(compare_ordinal(&a, &b) == Ordering::Equal, a == b);
        prop_assert_eq!(compare_ordinal(&a, &b), compare_ordinal(&b, &a).reverse());
    }

    #[test]
    fn compare_ordinal_is_a_total_order(mut v in prop::collection::vec(id_text(), 0..12)) {
        v.sort_by(|a, b| compare_ordinal(a, b));
        for (i, a) in v.iter().enumerate() {
            for b in &v[i..] {
                prop_assert_ne!(compare_ordinal(a, b), Ordering::Greater, "{:?} after {:?}", a, b);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// Robustness: arbitrary text, token soup, and mutations of valid filters and query strings

/// Parses with both option sets; checks the error contract, or that a success is a stable tree.
fn check_parse(text: &str) -> Result<(), TestCaseError> {
    for opts in [ParseOptions::DEFAULT, LENIENT] {
        match Filter::parse_with(text, &opts) {
            Ok(f) => prop_assert_eq!(Filter::parse_with(&f.to_odata(), &LENIENT).unwrap(), expand_in(&f)),
            Err(e) => {
                prop_assert!(e.position <= text.len(), "{} > {} for {:?}", e.position, text.len(), text);
                prop_assert!(text.is_char_boundary(e.position), "{} inside a char of {:?}", e.position, text);
                prop_assert!(!e.to_string().is_empty() && !e.expected.is_empty());
            }
        }
    }
    Ok(())
}

fn check_query(qs: &str) -> Result<(), TestCaseError> {
    match ListQuery::from_query_string_with(qs, &LENIENT) {
        Ok(q) => prop_assert_eq!(ListQuery::from_query_string_with(&q.to_query_string(), &LENIENT).unwrap(), q),
        Err(QueryError::InvalidPercentEncoding { position }) => {
            prop_assert_eq!(qs.as_bytes().get(position), Some(&b'%'));
        }
        Err(QueryError::Filter(e)) => prop_assert!(e.position <= qs.len()),
        Err(e) => prop_assert!(!e.to_string().is_empty()),
    }
    Ok(())
}

const TOKENS: &[&str] = &[
    "id",
    "state",
    "startTime",
    "machineId",
    "triggeringAlertId",
    "StartTime",
    "endTime",
    "eq",
    "ne",
    "gt",
    "ge",
    "lt",
    "le",
    "in",
    "and",
    "or",
    "not",
    "has",
    "(",
    ")",
    ",",
    "'",
    "'a'",
    "'Running'",
    "'x''y'",
    "5",
    "-",
    "2024-01-01T00:00:00Z",
    "'2024-01-01T00:00:00.5+02:00'",
    "2024-13-01T00:00:00Z",
    "contains(",
    "null",
    ">=",
    "&",
    "é",
    "\"",
];

#[derive(Debug, Clone)]
enum Mutation {
    Insert(usize, u8),
    Delete(usize),
    Replace(usize, u8),
}

fn interesting_byte() -> impl Strategy<Value = u8> {
    prop_oneof![any::<u8>(), prop::sample::select(b"'() ,=&%+#\t\nadeinoqrt0129-:TZ$".to_vec())]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), interesting_byte()).prop_map(|(p, b)| Mutation::Insert(p, b)),
        any::<usize>().prop_map(Mutation::Delete),
        (any::<usize>(), interesting_byte()).prop_map(|(p, b)| Mutation::Replace(p, b)),
    ]
}

fn mutate(text: &str, mutations: &[Mutation]) -> String {
    let mut b = text.as_bytes().to_vec();
    for m in mutations {
        match *m {
            Mutation::Insert(p, x) => b.insert(p % (b.len() + 1), x),
            Mutation::Delete(p) if !b.is_empty() => {
                let at = p % b.len();
                b.remove(at);
            }
            Mutation::Replace(p, x) if !b.is_empty() => {
                let at = p % b.len();
                b[at] = x;
            }
            _ => {}
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(s in any::<String>()) {
        check_parse(&s)?;
        check_query(&s)?;
    }

    #[test]
    fn token_soup_never_panics(
        toks in prop::collection::vec((prop::sample::select(TOKENS), prop::sample::select(vec!["", " ", "\t"])), 0..24)
    ) {
        let s: String = toks.iter().flat_map(|(t, sep)| [*t, *sep]).collect();
        check_parse(&s)?;
        check_query(&format!("$filter={s}"))?;
    }

    #[test]
    fn mutated_filters_never_panic(f in strict_filter(), ms in prop::collection::vec(mutation(), 1..5)) {
        check_parse(&mutate(&f.to_odata(), &ms))?;
    }

    #[test]
    fn mutated_query_strings_never_panic(
        f in strict_filter(),
        top in prop::option::of(1u32..=10_000),
        ms in prop::collection::vec(mutation(), 1..5),
    ) {
        let q = ListQuery { filter: Some(f), top: top.map(|n| Top::new(n).unwrap()), skip: 7 };
        check_query(&mutate(&q.to_query_string(), &ms))?;
    }
}

#[test]
fn hostile_nesting_and_length_are_typed_errors() {
    use mde_core::filter::FilterErrorKind;
    for s in ["(".repeat(70_000), "not ".repeat(20_000), "not (".repeat(20_000), format!("{}x", "((".repeat(30_000))] {
        let kind = Filter::parse(&s).unwrap_err().kind;
        assert!(matches!(kind, FilterErrorKind::TooLong { .. } | FilterErrorKind::TooDeep { .. }), "{kind:?}");
    }
    let opts = ParseOptions { max_len: usize::MAX, ..ParseOptions::DEFAULT };
    for s in ["(".repeat(500_000), "not ".repeat(500_000), "not (".repeat(200_000)] {
        assert_eq!(Filter::parse_with(&s, &opts).unwrap_err().kind, FilterErrorKind::TooDeep { limit: 64 });
    }
    // The longest chains the limits let through: evaluated, printed, compared and dropped on a test thread.
    let chain = vec!["id eq '1'"; 1000].join(" or ");
    let f = Filter::parse(&chain).unwrap();
    assert_eq!(f.to_odata(), chain);
    assert_eq!(f.clone(), f);
    assert!(!format!("{f:?}").is_empty());
    // TooLong points at a character boundary even when the limit falls inside a character.
    let e = Filter::parse_with("id eq 'ééé'", &ParseOptions { max_len: 8, ..ParseOptions::DEFAULT }).unwrap_err();
    assert_eq!((e.kind, e.position), (FilterErrorKind::TooLong { limit: 8 }, 7));
}

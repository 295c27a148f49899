//! Proptest strategies: awkward data sets, filters (text and meaning together) and invalid queries.
//!
//! Data and filters draw their values from the same small pools, so that filters hit: `eq` finds items,
//! date-time literals fall on, just before and just after start times, ids collide and compare.

use std::collections::HashSet;

use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::ValueTree;
use proptest::test_runner::{RngAlgorithm, TestRng, TestRunner};

use super::filter::{Expr, Field, Op, Style, Syntax, TextLit, TimeLit};
use super::model::{Inv, Time};
use super::time::{self, Instant, NANOS};
use super::ErrorCode;

/// The 18 documented states.
pub const KNOWN_STATES: [&str; 18] = [
    "Unknown",
    "Terminated",
    "SuccessfullyRemediated",
    "Benign",
    "Failed",
    "PartiallyRemediated",
    "Running",
    "PendingApproval",
    "PendingResource",
    "PartiallyInvestigated",
    "TerminatedByUser",
    "TerminatedBySystem",
    "Queued",
    "InnerFailure",
    "PreexistingAlert",
    "UnsupportedOs",
    "UnsupportedAlertType",
    "SuppressedAlert",
];

/// States the service may send that are not documented (a future one, and a documented one in the wrong case).
pub const UNKNOWN_STATES: [&str; 2] = ["Investigating", "running"];

/// Awkward text values for `machineId`, `triggeringAlertId` and the other string properties.
pub const TEXTS: &[&str] = &[
    "",
    "a",
    "A",
    "abc",
    "O'Brien",
    "''",
    "'",
    "a&b=c",
    "#frag",
    "100%",
    "50%25",
    "a+b",
    "a b",
    "  ",
    "ä",
    "Ä",
    "日本語",
    "😀",
    "x' or id eq '1",
    "') or ('1' eq '1",
    "(",
    ")",
    "a,b",
    "null",
    "%27",
    "\\",
    "/api/investigations?$top=1&$skip=2#x",
    "tab\tnew\nline",
    "0123456789abcdef0123456789abcdef01234567",
    "fedcba9876543210fedcba9876543210fedcba98",
    "FEDCBA9876543210FEDCBA9876543210FEDCBA98",
    "da637139166940871892_-598649278",
    "da637139166940871893_598649278",
    "desktop-7.contoso.com",
];

/// Ids that are not digit strings (the ordinal order puts some before and some after the digit strings).
pub const ODD_IDS: &[&str] = &["a1", "x'y", "ü", "", "-5", "1.5", " 7", "Z"];

/// Instants that many start times share (leap day, year end, 100 ns apart, 7 digits).
pub fn pool_instants() -> Vec<Instant> {
    vec![
        time::instant(2024, 2, 29, 23, 59, 59, 0),
        time::instant(2024, 2, 29, 23, 59, 59, 999_999_900),
        time::instant(2025, 12, 31, 23, 59, 59, 500_000_000),
        time::instant(2026, 1, 1, 0, 0, 0, 0),
        time::instant(2026, 1, 1, 0, 0, 0, 100),
        time::instant(2025, 6, 15, 8, 30, 0, 123_000_000),
        time::instant(2025, 6, 15, 8, 30, 0, 123_456_700),
        time::instant(2019, 12, 31, 0, 0, 0, 10_000_000),
    ]
}

/// Any instant from 2019 to 2026 with 0 to 7 significant fractional digits.
fn random_instant() -> impl Strategy<Value = Instant> {
    let lo = time::instant(2019, 1, 1, 0, 0, 0, 0) / NANOS;
    let hi = time::instant(2027, 1, 1, 0, 0, 0, 0) / NANOS;
    (lo..hi, 0u32..=7, any::<u32>()).prop_map(|(secs, digits, r)| {
        let unit = 10u32.pow(9 - digits);
        let frac = if digits == 0 { 0 } else { r % 10u32.pow(digits) * unit };
        secs * NANOS + i128::from(frac)
    })
}

fn instant() -> impl Strategy<Value = Instant> {
    prop_oneof![6 => select(pool_instants()), 4 => random_instant()]
}

/// A data set's date-time: an instant written with 0 to 7 fractional digits (as many as it needs, or more).
fn data_time() -> impl Strategy<Value = Time> {
    (instant(), 0u8..=7).prop_map(|(at, digits)| Time::new(at, digits.max(time::min_digits(at))))
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => select(TEXTS).prop_map(str::to_string),
        1 => "\\PC{0,6}",
        1 => "[\\x00-\\x7f]{0,4}",
    ]
}

fn opt_text() -> impl Strategy<Value = Option<String>> {
    prop_oneof![1 => Just(None), 3 => text().prop_map(Some)]
}

/// An id: mostly digit strings in a small range, some tiny ones with leading zeros (`007`, `07` and `7` are
/// three ids, in ascending order), some huge, a few odd ones.
fn id() -> impl Strategy<Value = String> {
    prop_oneof![
        9 => (0u32..500).prop_map(|n| n.to_string()),
        3 => (0u32..12, 0usize..3).prop_map(|(n, zeros)| format!("{}{n}", "0".repeat(zeros))),
        1 => "[1-9][0-9]{19,29}",
        1 => select(ODD_IDS).prop_map(str::to_string),
    ]
}

fn state() -> impl Strategy<Value = String> {
    prop_oneof![
        9 => select(&KNOWN_STATES[..]).prop_map(str::to_string),
        1 => select(&UNKNOWN_STATES[..]).prop_map(str::to_string),
    ]
}

/// One investigation (its id may repeat another's; [`dataset`] makes ids unique).
pub fn investigation() -> impl Strategy<Value = Inv> {
    let start = prop_oneof![1 => Just(None), 6 => data_time().prop_map(Some)];
    let end = prop_oneof![1 => Just(None), 1 => data_time().prop_map(Some)];
    (id(), start, end, state(), opt_text(), opt_text(), opt_text(), opt_text(), opt_text()).prop_map(
        |(id, start, end, state, cancelled_by, status_details, machine_id, computer_dns_name, triggering_alert_id)| {
            Inv {
                id,
                start,
                end,
                state,
                cancelled_by,
                status_details,
                machine_id,
                computer_dns_name,
                triggering_alert_id,
            }
        },
    )
}

/// A data set of up to `max` investigations with unique ids.
pub fn dataset(min: usize, max: usize) -> impl Strategy<Value = Vec<Inv>> {
    proptest::collection::vec(investigation(), min..=max).prop_map(|items| {
        let mut seen = HashSet::new();
        items.into_iter().filter(|i| seen.insert(i.id.clone())).collect()
    })
}

fn time_literal() -> impl Strategy<Value = TimeLit> {
    let delta = select(vec![0i128, 0, 0, 1, -1, 100, -100, NANOS, -NANOS]);
    let offset = select(vec![0i32, 0, 0, 60, -300, 330, 840, -720]);
    (instant(), delta, 0u8..=9, offset, any::<bool>(), 0u8..5).prop_map(|(at, delta, digits, offset, z, quoted)| {
        let at = at + delta;
        let text = time::render(at, digits, offset, z);
        TimeLit { at, text, quoted: quoted == 0 }
    })
}

fn text_literal(field: Field) -> BoxedStrategy<TextLit> {
    let value = match field {
        Field::Id => id().boxed(),
        _ => text().boxed(),
    };
    (value, any::<bool>()).prop_map(move |(value, bare)| TextLit { value, bare: bare && field == Field::Id }).boxed()
}

fn field() -> impl Strategy<Value = Field> {
    select(vec![Field::Id, Field::MachineId, Field::TriggeringAlertId])
}

fn known_state() -> impl Strategy<Value = String> {
    select(&KNOWN_STATES[..]).prop_map(str::to_string)
}

/// One condition.
pub fn condition() -> impl Strategy<Value = Expr> {
    prop_oneof![
        3 => (select(Op::ALL.to_vec()), time_literal()).prop_map(|(op, lit)| Expr::Time(op, lit)),
        4 => (field(), select(Op::ALL.to_vec()))
            .prop_flat_map(|(f, op)| text_literal(f).prop_map(move |lit| Expr::Text(f, op, lit))),
        1 => field().prop_flat_map(|f| {
            proptest::collection::vec(text_literal(f), 1..4).prop_map(move |l| Expr::TextIn(f, l))
        }),
        2 => (any::<bool>(), known_state()).prop_map(|(eq, s)| Expr::State(eq, s)),
        1 => proptest::collection::vec(known_state(), 1..4).prop_map(Expr::StateIn),
    ]
}

/// A filter of up to about a dozen conditions, nested up to four levels.
pub fn filter() -> impl Strategy<Value = Expr> {
    condition().prop_recursive(4, 12, 2, |inner| {
        prop_oneof![
            1 => inner.clone().prop_map(|e| Expr::Not(Box::new(e))),
            2 => (inner.clone(), inner.clone()).prop_map(|(a, b)| Expr::And(Box::new(a), Box::new(b))),
            2 => (inner.clone(), inner).prop_map(|(a, b)| Expr::Or(Box::new(a), Box::new(b))),
        ]
    })
}

/// A spelling of a filter in the lenient syntax clients accept.
pub fn style() -> impl Strategy<Value = Style> {
    style_in(Syntax::Lenient)
}

/// A spelling of a filter that keeps to `syntax`.
pub fn style_in(syntax: Syntax) -> impl Strategy<Value = Style> {
    (0u8..3, 1u8..=3, any::<bool>(), any::<bool>()).prop_map(move |(keyword_case, spaces, full_parens, pad_parens)| {
        Style { syntax, keyword_case, spaces, full_parens, pad_parens }
    })
}

/// An invalid query: its options (decoded key and value pairs, in order) and the error code the service
/// answers with (always `400`).
#[derive(Debug, Clone)]
pub struct InvalidQuery {
    /// The options as decoded pairs; an encoder turns them into a query string.
    pub pairs: Vec<(String, String)>,
    /// The expected `error.code`.
    pub code: ErrorCode,
    /// What is wrong, for failure messages.
    pub why: &'static str,
}

/// Ways to break a valid filter, each with what it breaks.
const FILTER_BREAKS: &[(&str, &str, &str)] = &[
    ("", " and", "a trailing and"),
    ("(", "", "an unclosed parenthesis"),
    ("", ")", "a stray closing parenthesis"),
    ("", " xor id eq '1'", "an unknown operator"),
    ("endTime ge 2024-01-01T00:00:00Z and ", "", "a property that is not filterable"),
    ("", " and computerDnsName eq 'x'", "a property that is not filterable"),
    ("", " and state eq 'Bogus'", "an undocumented state"),
    ("", " and state eq 'running'", "a state in the wrong case"),
    ("", " and state gt 'Running'", "an order comparison on state"),
    ("", " and startTime ge 2024-13-01T00:00:00Z", "a month 13"),
    ("", " and startTime ge 2023-02-29T00:00:00Z", "a day that does not exist"),
    ("", " and machineId eq 'unterminated", "an unterminated string"),
    ("startTim ge 2024-01-01T00:00:00Z or ", "", "a misspelt property"),
    ("", " and id = '1'", "a symbol instead of eq"),
    ("", " and colour eq 'red'", "an unknown property"),
    ("", " and startTime ge 'yesterday'", "a date-time that is not one"),
    ("", " and id has '1'", "an unsupported operator"),
    ("", " and machineId eq 5", "a number where a string is needed"),
    ("", " and contains(machineId, 'a')", "a function"),
    ("", " or", "a trailing or"),
];

/// An invalid query with exactly one problem, other options valid.
pub fn invalid_query() -> impl Strategy<Value = InvalidQuery> {
    let bad_top = select(vec!["0", "-1", "10001", "abc", "", "1.5", "99999999999", " 5"]).prop_map(|v| InvalidQuery {
        pairs: vec![("$top".into(), v.into())],
        code: ErrorCode::ODataError,
        why: "an invalid $top",
    });
    let bad_skip = select(vec!["-1", "x", "1.5", "", "1e3"]).prop_map(|v| InvalidQuery {
        pairs: vec![("$skip".into(), v.into())],
        code: ErrorCode::ODataError,
        why: "an invalid $skip",
    });
    let unsupported = select(vec![
        ("$orderby", "id desc"),
        ("$select", "id"),
        ("$count", "true"),
        ("$expand", "x"),
        ("$search", "a"),
        ("$format", "json"),
    ])
    .prop_map(|(k, v)| InvalidQuery {
        pairs: vec![(k.into(), v.into())],
        code: ErrorCode::ODataError,
        why: "an unsupported option",
    });
    let duplicate =
        select(vec![("$top", "5"), ("$skip", "1"), ("$filter", "id eq '1'")]).prop_map(|(k, v)| InvalidQuery {
            pairs: vec![(k.into(), v.into()), (k.into(), v.into())],
            code: ErrorCode::ODataError,
            why: "an option given twice",
        });
    let broken = (filter(), style(), select(FILTER_BREAKS)).prop_map(|(e, s, (pre, post, why))| InvalidQuery {
        pairs: vec![("$filter".into(), format!("{pre}{}{post}", e.to_odata(s)))],
        code: ErrorCode::ODataError,
        why,
    });
    // OData 4.01's additions, which the service (OData 4.0) refuses.
    let newer =
        (filter(), style_in(Syntax::OData40), select(vec!["state in ('Benign')", "id EQ '1'", "NOT (id eq '1')"]))
            .prop_map(|(e, s, addition)| InvalidQuery {
                pairs: vec![(
                    "$filter".into(),
                    format!("{} and {addition}", e.to_odata(Style { full_parens: true, ..s })),
                )],
                code: ErrorCode::ODataError,
                why: "OData 4.01 syntax",
            });
    let empty = select(vec!["", "   "]).prop_map(|v| InvalidQuery {
        pairs: vec![("$filter".into(), v.into())],
        code: ErrorCode::ODataError,
        why: "an empty filter",
    });
    let extra = prop_oneof![
        Just(vec![]),
        (1u32..=10_000).prop_map(|n| vec![("$top".to_string(), n.to_string())]),
        (0u64..50).prop_map(|n| vec![("$skip".to_string(), n.to_string())]),
        Just(vec![("unrelated".to_string(), "1".to_string())]),
    ];
    let kinds =
        prop_oneof![2 => bad_top, 1 => bad_skip, 1 => unsupported, 1 => duplicate, 6 => broken, 2 => newer, 1 => empty];
    (kinds, extra).prop_map(|(mut q, extra)| {
        // Valid extra options of another kind than the broken one, in front or behind.
        let clash = extra.iter().any(|(k, _)| q.pairs.iter().any(|(qk, _)| qk.eq_ignore_ascii_case(k)));
        if !clash {
            q.pairs.extend(extra);
        }
        q
    })
}

/// `n` awkward investigations with unique ids (digit strings, some with a leading zero), from a fixed seed:
/// for the large, deterministic data sets (10,000-item pages).
pub fn bulk(n: usize, seed: u64) -> Vec<Inv> {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &bytes);
    let mut runner = TestRunner::new_with_rng(proptest::test_runner::Config::default(), rng);
    let strategy = investigation();
    (0..n)
        .map(|k| {
            let mut inv = strategy.new_tree(&mut runner).expect("the strategy draws a value").current();
            inv.id = if k % 37 == 5 { format!("0{k}") } else { (k + 1).to_string() };
            inv
        })
        .collect()
}

/// `n` investigations that start at or after `after` (arrivals), with ids that no data set and no other `seed`
/// (below 10^8) uses.
pub fn arrivals(n: usize, after: Instant, seed: u64) -> Vec<Inv> {
    let starts = [0i128, 0, 300, 100, NANOS, 3_600 * NANOS, 86_400 * 7 * NANOS];
    bulk(n, seed ^ 0xA771_7A15)
        .into_iter()
        .enumerate()
        .map(|(k, mut inv)| {
            let at = after + starts[k % starts.len()];
            inv.start = Some(Time::new(at, (k % 8) as u8));
            inv.id = format!("9{:08}{k:04}", seed % 100_000_000);
            inv
        })
        .collect()
}

//! The crate's own JSON reader (`Node::parse`) and the decoders built on it (`decode_page`, `outline_page`,
//! `decode_investigation`, `decode_service_error`) against `serde_json` as the independent oracle: same
//! acceptance (except numbers too large for an `f64`, JSON for the reader and `JSON.parse` but not for
//! `serde_json`: see [`oracle`]) and the same tree on random and mutated documents, the page rules re-implemented
//! here on `serde_json`'s reading, and hostile input (deep nesting, truncation at every byte, invalid UTF-8, lone
//! surrogates) that must give errors, never panics.

use std::fmt;

use proptest::prelude::*;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use mde_core::decode::{
    decode_investigation, decode_page, decode_service_error, outline_page, validate_investigation, DecodeError,
    JsonErrorKind, Node,
};
use mde_core::{InvestigationState, Timestamp};

/// A JSON document as `serde_json` reads it, keeping object members in order, duplicates included.
#[derive(Debug, Clone, PartialEq)]
enum Tree {
    Null,
    Bool(bool),
    U(u64),
    I(i64),
    F(f64),
    Str(String),
    Arr(Vec<Tree>),
    Obj(Vec<(String, Tree)>),
}

impl<'de> Deserialize<'de> for Tree {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Tree, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Tree;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("JSON")
            }
            fn visit_unit<E>(self) -> Result<Tree, E> {
                Ok(Tree::Null)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Tree, E> {
                Ok(Tree::Bool(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Tree, E> {
                Ok(Tree::U(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Tree, E> {
                Ok(Tree::I(v))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Tree, E> {
                Ok(Tree::F(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Tree, E> {
                Ok(Tree::Str(v.to_owned()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Tree, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Tree::Arr(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Tree, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, Tree>()? {
                    entries.push(entry);
                }
                Ok(Tree::Obj(entries))
            }
        }
        d.deserialize_any(V)
    }
}

/// `serde_json`'s reading of `body`, with one documented difference handled explicitly: a number of the grammar
/// that rounds to infinity as an `f64` (`1e400`) is JSON for the reader (and for `JSON.parse`) but out of range
/// for `serde_json`. Each such number is replaced by [`HUGE`] (its sign kept) before `serde_json` reads the text,
/// and [`same`] takes `HUGE` as the reading of an infinite number.
fn oracle(body: &[u8]) -> Option<Tree> {
    serde_json::from_slice(&tame_huge_numbers(body)).ok()
}

/// What [`oracle`] reads in place of a number too large for an `f64` (as `serde_json` reads `1.25e300`: within a
/// few units in the last place, see [`close`]).
const HUGE: f64 = 1.25e300;

/// `body` with every number token (a maximal run of `-+.eE0-9` outside strings) that follows RFC 8259's grammar
/// but that `serde_json` finds out of range replaced by `1.25e300`. Strings are followed as JSON delimits them (a
/// `"` not escaped by `\`), so a run inside a string is never touched; anything else is left as it is, and a
/// document that is not JSON stays not JSON.
/// RFC 8259's number grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, the whole of `s`.
fn is_json_number(s: &[u8]) -> bool {
    let digit = |i: usize| s.get(i).is_some_and(u8::is_ascii_digit);
    let digits = |mut i: usize| {
        while digit(i) {
            i += 1;
        }
        i
    };
    let mut i = usize::from(s.first() == Some(&b'-'));
    match s.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => i = digits(i),
        _ => return false,
    }
    if s.get(i) == Some(&b'.') {
        if !digit(i + 1) {
            return false;
        }
        i = digits(i + 1);
    }
    if let Some(b'e' | b'E') = s.get(i) {
        i += 1;
        if let Some(b'+' | b'-') = s.get(i) {
            i += 1;
        }
        if !digit(i) {
            return false;
        }
        i = digits(i);
    }
    i == s.len()
}

fn tame_huge_numbers(body: &[u8]) -> Vec<u8> {
    let number_byte = |c: u8| c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E');
    let (mut out, mut i, mut in_string) = (Vec::with_capacity(body.len()), 0, false);
    while i < body.len() {
        let c = body[i];
        if in_string {
            out.push(c);
            match c {
                b'\\' if i + 1 < body.len() => {
                    out.push(body[i + 1]);
                    i += 1;
                }
                b'"' => in_string = false,
                _ => {}
            }
            i += 1;
        } else if number_byte(c) {
            let end = body[i..].iter().position(|&c| !number_byte(c)).map_or(body.len(), |p| i + p);
            let run = &body[i..end];
            let huge = is_json_number(run)
                && serde_json::from_slice::<serde_json::Value>(run)
                    .is_err_and(|e| e.to_string().starts_with("number out of range"));
            if huge {
                out.extend_from_slice(if run[0] == b'-' { b"-1.25e300" } else { b"1.25e300" });
            } else {
                out.extend_from_slice(run);
            }
            i = end;
        } else {
            in_string = c == b'"';
            out.push(c);
            i += 1;
        }
    }
    out
}

/// Whether two `f64`s are within a few units in the last place (`serde_json` without `float_roundtrip` is not
/// always correctly rounded).
fn close(a: f64, b: f64) -> bool {
    let d = (a - b).abs();
    a == b || a.is_finite() && b.is_finite() && (d <= 4.0 * f64::EPSILON * a.abs().max(b.abs()) || d < 1e-300)
}

/// `node` holds what `tree` holds.
fn same(node: &Node, tree: &Tree) -> bool {
    match (node, tree) {
        (Node::Null, Tree::Null) => true,
        (Node::Bool(a), Tree::Bool(b)) => a == b,
        (Node::UInt(a), Tree::U(b)) => a == b,
        (Node::Int(a), Tree::I(b)) => a == b,
        (Node::Number(text), Tree::F(f)) => text.parse::<f64>().is_ok_and(|v| {
            close(v, *f) || v.is_infinite() && close(f.abs(), HUGE) && v.is_sign_negative() == f.is_sign_negative()
        }),
        (Node::Str(a), Tree::Str(b)) => a == b,
        (Node::Array(a), Tree::Arr(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y)),
        (Node::Object(a), Tree::Obj(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|((ka, va), (kb, vb))| ka == kb && same(va, vb))
        }
        _ => false,
    }
}

/// Random JSON text: numbers of every shape, strings with escapes and non-ASCII text, nesting.
fn json_text() -> impl Strategy<Value = String> {
    let number = prop_oneof![
        any::<u64>().prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        (any::<bool>(), "[1-9][0-9]{0,25}", "(\\.[0-9]{1,20})?", "([eE][+-]?[0-9]{1,3})?")
            .prop_map(|(neg, int, frac, exp)| format!("{}{int}{frac}{exp}", if neg { "-" } else { "" })),
        (any::<bool>(), "(\\.[0-9]{1,5})?", "([eE][+-]?[0-9]{1,3})?")
            .prop_map(|(neg, frac, exp)| format!("{}0{frac}{exp}", if neg { "-" } else { "" })),
        Just("1e400".to_owned()),
        Just("-0".to_owned()),
    ];
    let string = prop_oneof![
        "[a-zA-Z0-9 é€😀]{0,8}".prop_map(|s| serde_json::to_string(&s).unwrap_or_default()),
        proptest::collection::vec(
            prop_oneof![
                Just("\\\"".to_owned()),
                Just("\\\\".to_owned()),
                Just("\\/".to_owned()),
                Just("\\b\\f\\n\\r\\t".to_owned()),
                Just("\\u00e9".to_owned()),
                Just("\\ud83d\\ude00".to_owned()),
                Just("\\ud800".to_owned()),
                Just("\\udc00".to_owned()),
                Just("\\x".to_owned()),
                Just("\\u12".to_owned()),
                Just("\t".to_owned()),
                Just("abc".to_owned()),
                Just("é".to_owned()),
            ],
            0..4
        )
        .prop_map(|parts| format!("\"{}\"", parts.concat())),
    ];
    let leaf = prop_oneof![
        Just("null".to_owned()),
        Just("true".to_owned()),
        Just("false".to_owned()),
        number,
        string.clone(),
    ];
    leaf.prop_recursive(5, 48, 6, move |inner| {
        let ws = prop_oneof![Just(""), Just(" "), Just("\n\t "), Just("\r\n")];
        prop_oneof![
            (proptest::collection::vec(inner.clone(), 0..6), ws.clone())
                .prop_map(|(items, ws)| format!("[{ws}{}{ws}]", items.join(&format!("{ws},")))),
            (proptest::collection::vec((string.clone(), inner), 0..6), ws).prop_map(|(members, ws)| {
                let members: Vec<String> = members.into_iter().map(|(k, v)| format!("{k}{ws}:{ws}{v}")).collect();
                format!("{{{ws}{}{ws}}}", members.join(","))
            }),
        ]
    })
}

/// What may happen to a document on its way: nothing, a flipped, inserted or removed byte, a cut.
#[derive(Debug, Clone)]
enum Mutation {
    None,
    Flip(usize, u8),
    Insert(usize, u8),
    Remove(usize),
    Cut(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let special = prop_oneof![
        any::<u8>(),
        Just(b','),
        Just(b']'),
        Just(b'}'),
        Just(b'"'),
        Just(b'\\'),
        Just(b'0'),
        Just(0xff),
        Just(0xc3),
        Just(b'\n')
    ];
    prop_oneof![
        3 => Just(Mutation::None),
        1 => (any::<usize>(), special.clone()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        1 => (any::<usize>(), special).prop_map(|(i, b)| Mutation::Insert(i, b)),
        1 => any::<usize>().prop_map(Mutation::Remove),
        1 => any::<usize>().prop_map(Mutation::Cut),
    ]
}

fn mutate(text: &str, m: &Mutation) -> Vec<u8> {
    let mut b = text.as_bytes().to_vec();
    let at = |i: usize, len: usize| if len == 0 { 0 } else { i % len };
    match *m {
        Mutation::None => {}
        Mutation::Flip(i, c) if !b.is_empty() => {
            let i = at(i, b.len());
            b[i] = c;
        }
        Mutation::Insert(i, c) => b.insert(at(i, b.len() + 1), c),
        Mutation::Remove(i) if !b.is_empty() => {
            b.remove(at(i, b.len()));
        }
        Mutation::Cut(i) => b.truncate(at(i, b.len() + 1)),
        _ => {}
    }
    b
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4_000, ..ProptestConfig::default() })]

    /// (a) The reader accepts exactly what serde_json accepts (huge numbers aside, see `oracle`) and reads the
    /// same tree.
    #[test]
    fn node_parse_agrees_with_serde_json(text in json_text(), m in mutation()) {
        let body = mutate(&text, &m);
        match (Node::parse(&body), oracle(&body)) {
            (Ok(node), Some(tree)) => {
                prop_assert!(same(&node, &tree), "{:?}\n{node:?}\n{tree:?}", String::from_utf8_lossy(&body));
            }
            (Err(_), None) => {}
            (mine, theirs) => prop_assert!(
                false,
                "{:?}: reader {:?}, serde_json {:?}",
                String::from_utf8_lossy(&body),
                mine,
                theirs.map(|_| ())
            ),
        }
    }

    /// Arbitrary bytes never make any entry point panic.
    #[test]
    fn arbitrary_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = Node::parse(&body);
        let _ = decode_page(&body);
        let _ = outline_page(&body);
        let _ = decode_investigation(&body);
        let _ = decode_service_error(&body);
    }
}

// ----- Pages: decode_page against rules re-implemented on serde_json's reading -----

/// What the oracle expects of a page: the ids, start times, states and next link, or where it breaks.
#[derive(Debug, PartialEq)]
enum Expected {
    Page { ids: Vec<String>, starts: Vec<Option<Timestamp>>, states: Vec<InvestigationState>, link: Option<String> },
    Syntax,
    Shape { index: Option<usize>, field: Option<String> },
}

fn shape(index: Option<usize>, field: Option<&str>) -> Expected {
    Expected::Shape { index, field: field.map(str::to_owned) }
}

fn expected_page(body: &[u8]) -> Expected {
    let Some(doc) = oracle(body) else { return Expected::Syntax };
    let Tree::Obj(members) = doc else { return shape(None, Some("the document")) };
    let mut seen = Vec::new();
    let (mut link, mut value) = (None, None);
    for (k, v) in &members {
        if ["@odata.context", "@odata.nextLink", "value"].contains(&k.as_str()) {
            if seen.contains(k) {
                return shape(None, Some(k));
            }
            seen.push(k.clone());
        }
        match (k.as_str(), v) {
            ("@odata.context" | "@odata.nextLink", Tree::Null) => {}
            ("@odata.nextLink", Tree::Str(s)) => link = Some(s.clone()),
            ("@odata.context", Tree::Str(_)) => {}
            ("@odata.context" | "@odata.nextLink", _) => return shape(None, Some(k)),
            ("value", Tree::Arr(items)) => {
                let (mut ids, mut starts, mut states) = (Vec::new(), Vec::new(), Vec::new());
                for (i, item) in items.iter().enumerate() {
                    match expected_item(item, Some(i)) {
                        Ok((id, start, state)) => {
                            ids.push(id);
                            starts.push(start);
                            states.push(state);
                        }
                        Err(e) => return e,
                    }
                }
                value = Some((ids, starts, states));
            }
            ("value", _) => return shape(None, Some("value")),
            _ => {}
        }
    }
    match value {
        None => shape(None, Some("value")),
        Some((ids, starts, states)) => Expected::Page { ids, starts, states, link },
    }
}

type ItemOutline = (String, Option<Timestamp>, InvestigationState);

fn expected_item(item: &Tree, index: Option<usize>) -> Result<ItemOutline, Expected> {
    const NAMES: [&str; 9] = [
        "id",
        "startTime",
        "endTime",
        "state",
        "cancelledBy",
        "statusDetails",
        "machineId",
        "computerDnsName",
        "triggeringAlertId",
    ];
    let Tree::Obj(members) = item else { return Err(shape(index, None)) };
    let mut seen = Vec::new();
    let (mut id, mut start, mut state) = (None, None, InvestigationState::Unknown);
    for (k, v) in members {
        if !NAMES.contains(&k.as_str()) {
            continue;
        }
        if seen.contains(k) {
            return Err(shape(index, Some(k)));
        }
        seen.push(k.clone());
        let bad = || Err(shape(index, Some(k)));
        match (k.as_str(), v) {
            ("id", Tree::Str(s)) => id = Some(s.clone()),
            ("id", Tree::U(n)) => id = Some(n.to_string()),
            ("id", Tree::I(n)) => id = Some(n.to_string()),
            ("id", _) => return bad(),
            (_, Tree::Null) => {}
            ("startTime" | "endTime", Tree::Str(s)) => match Timestamp::parse(s) {
                Ok(t) if k == "startTime" => start = Some(t),
                Ok(_) => {}
                Err(_) => return bad(),
            },
            ("state", Tree::Str(s)) => state = InvestigationState::from_name(s),
            (_, Tree::Str(_)) if !["startTime", "endTime"].contains(&k.as_str()) => {}
            _ => return bad(),
        }
    }
    match id {
        Some(id) => Ok((id, start, state)),
        None => Err(shape(index, Some("id"))),
    }
}

fn actual_page(body: &[u8]) -> Result<Expected, DecodeError> {
    match decode_page(body) {
        Ok(page) => Ok(Expected::Page {
            ids: page.value.iter().map(|i| i.id.clone()).collect(),
            starts: page.value.iter().map(|i| i.start_time).collect(),
            states: page.value.iter().map(|i| i.state.clone()).collect(),
            link: page.next_link,
        }),
        Err(e) if e.location.starts_with("line ") && e.index.is_none() && e.field.is_none() => Ok(Expected::Syntax),
        Err(e) => Err(e),
    }
}

/// One property's value: valid ones and the mistakes a broken service or proxy could make.
fn member_value() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => Just("null".to_owned()),
        3 => Just(r#""2025-01-02T03:04:05.1234567Z""#.to_owned()),
        1 => Just(r#""2025-02-30T00:00:00Z""#.to_owned()),
        1 => Just(r#""2025-01-02T03:04:05\u002b02:00""#.to_owned()),
        2 => Just(r#""Running""#.to_owned()),
        1 => Just(r#""Hibernating""#.to_owned()),
        1 => Just(r#""a\"b\\c\u0041\ud83d\ude00""#.to_owned()),
        1 => Just(r#""\ud800""#.to_owned()),
        1 => Just("17".to_owned()),
        1 => Just("-3".to_owned()),
        1 => Just("-0".to_owned()),
        1 => Just("1.5e3".to_owned()),
        1 => Just("1e400".to_owned()),
        1 => Just("18446744073709551616".to_owned()),
        1 => Just("true".to_owned()),
        1 => Just("[]".to_owned()),
        1 => Just("[1,]".to_owned()),
        1 => Just(format!("{}1{}", "[".repeat(70), "]".repeat(70))),
        1 => Just(format!("{}1{}", "[".repeat(130), "]".repeat(130))),
        1 => json_text(),
    ]
}

const MEMBER_NAMES: [&str; 11] = [
    "id",
    "startTime",
    "endTime",
    "state",
    "cancelledBy",
    "statusDetails",
    "machineId",
    "computerDnsName",
    "triggeringAlertId",
    "somethingNew",
    "st\\u0061te",
];

fn item_text() -> impl Strategy<Value = String> {
    prop_oneof![
        12 => proptest::collection::vec(
            (0..MEMBER_NAMES.len(), prop_oneof![3 => (0u32..50).prop_map(|i| format!("\"{i}\"")), 2 => member_value()]),
            0..7,
        )
        .prop_map(|members| {
            let parts: Vec<String> = members.iter().map(|(k, v)| format!("\"{}\":{v}", MEMBER_NAMES[*k])).collect();
            format!("{{{}}}", parts.join(","))
        }),
        1 => Just(r#"["1"]"#.to_owned()),
        1 => Just("null".to_owned()),
    ]
}

fn page_text() -> impl Strategy<Value = String> {
    let top = prop_oneof![
        4 => Just(String::new()),
        1 => Just(r#""@odata.context":"c","#.to_owned()),
        1 => Just(r#""@odata.context":null,"#.to_owned()),
        1 => Just(r#""@odata.nextLink":"https://x/api/investigations?$skip=5","#.to_owned()),
        1 => Just(r#""@odata.nextLink":"\/x","#.to_owned()),
        1 => member_value().prop_map(|v| format!(r#""extra":{v},"#)),
        1 => member_value().prop_map(|v| format!(r#""@odata.nextLink":{v},"#)),
    ];
    (proptest::collection::vec(top, 0..3), proptest::collection::vec(item_text(), 0..5), any::<bool>()).prop_map(
        |(tops, items, array_page)| {
            if array_page {
                format!("[{}]", items.join(","))
            } else {
                format!(r#"{{{}"value":[{}]}}"#, tops.concat(), items.join(","))
            }
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4_000, ..ProptestConfig::default() })]

    /// (b) decode_page follows the documented rules (checked on serde_json's reading), and outline_page agrees
    /// with it: same acceptance, same outline, same error.
    #[test]
    fn pages_follow_the_rules_and_the_outline_agrees(text in page_text(), m in mutation()) {
        let body = mutate(&text, &m);
        let lossy = String::from_utf8_lossy(&body).into_owned();
        let expected = expected_page(&body);
        match actual_page(&body) {
            Ok(actual) => prop_assert_eq!(&actual, &expected, "{}", lossy),
            Err(e) => match &expected {
                Expected::Shape { index, field } => {
                    prop_assert_eq!((&e.index, &e.field), (index, field), "{}: {}", lossy, e);
                }
                other => prop_assert!(false, "{}: decode_page {:?}, oracle {:?}", lossy, e, other),
            },
        }
        match (decode_page(&body), outline_page(&body)) {
            (Ok(page), Ok(outline)) => {
                let ids: Vec<&str> = page.value.iter().map(|i| i.id.as_str()).collect();
                let outline_ids: Vec<&str> = outline.ids.iter().map(|i| i.as_ref()).collect();
                prop_assert_eq!(ids, outline_ids);
                let starts: Vec<Option<Timestamp>> = page.value.iter().map(|i| i.start_time).collect();
                prop_assert_eq!(starts, outline.start_times);
                prop_assert_eq!(page.next_link, outline.next_link);
            }
            (Err(a), Err(b)) => prop_assert_eq!(a, b),
            (a, b) => {
                prop_assert!(false, "{}: decode_page {:?}, outline_page {:?}", lossy, a.map(|_| ()), b.map(|_| ()));
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    /// A single investigation that is only validated (the wasm module's `get`) is accepted and refused exactly as
    /// `decode_investigation` accepts and refuses it (which (b) checks against serde_json), with the same error.
    #[test]
    fn validating_an_investigation_agrees_with_decoding_it(text in item_text(), m in mutation()) {
        let body = mutate(&text, &m);
        prop_assert_eq!(validate_investigation(&body), decode_investigation(&body).map(|_| ()));
    }
}

// ----- Hostile input -----

const PAGE: &str = r#"{"@odata.context":"https://api.securitycenter.microsoft.com/api/$metadata#Investigations","value":[{"id":"63017","startTime":"2020-01-06T14:11:34.1234567Z","endTime":null,"state":"Running","cancelledBy":null,"statusDetails":"a\"b\u00e9\ud83d\ude00","machineId":"a69a22debe5f274d8765ea3c368d00762e057b30","computerDnsName":"desktop-é","triggeringAlertId":"da637139166940871892_-598649278","extra":[1.5e3,-2,{"k":[true,false,null]}]},{"id":12,"state":"Benign"}],"@odata.nextLink":"https://api.securitycenter.microsoft.com/api/investigations?$skip=2"}"#;

/// (c) Cut at every byte, a valid page is an error that says it may be truncated, for both decoders.
#[test]
fn truncation_at_every_byte_is_reported_as_such() {
    let full = PAGE.as_bytes();
    assert!(decode_page(full).is_ok() && outline_page(full).is_ok());
    for cut in 0..full.len() {
        let body = &full[..cut];
        let e = decode_page(body).unwrap_err();
        assert!(e.reason.contains("truncated"), "cut at {cut}: {e}");
        assert_eq!(outline_page(body).unwrap_err(), e, "cut at {cut}");
        assert!(Node::parse(body).unwrap_err().is_eof(), "cut at {cut}");
        assert!(oracle(body).is_none(), "cut at {cut}");
    }
}

/// (c) Hostile nesting is an error, never a stack overflow, and the limit is serde_json's.
#[test]
fn deep_nesting_is_an_error() {
    for open in ["[", "{\"a\":", "[{\"b\":"] {
        let hostile = open.repeat(200_000);
        let e = Node::parse(hostile.as_bytes()).unwrap_err();
        assert_eq!(e.kind, JsonErrorKind::TooDeep);
        let page = format!(r#"{{"value":[{{"id":"1","x":{hostile}"#);
        assert!(decode_page(page.as_bytes()).unwrap_err().reason.contains("nested"));
        assert!(outline_page(page.as_bytes()).is_err());
        assert!(decode_investigation(hostile.as_bytes()).is_err());
        assert!(decode_service_error(hostile.as_bytes()).is_none());
    }
    let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    for n in [126, 127, 128, 129] {
        let text = nested(n);
        assert_eq!(Node::parse(text.as_bytes()).is_ok(), oracle(text.as_bytes()).is_some(), "depth {n}");
    }
    // The page itself counts: the page object, `value`, an item, then the member's arrays.
    let page = |n: usize| format!(r#"{{"value":[{{"id":"1","x":{}}}]}}"#, nested(n));
    assert!(decode_page(page(124).as_bytes()).is_ok());
    assert!(outline_page(page(124).as_bytes()).is_ok());
    assert!(decode_page(page(125).as_bytes()).is_err());
    assert_eq!(decode_page(page(125).as_bytes()).unwrap_err(), outline_page(page(125).as_bytes()).unwrap_err());
}

/// (c) Invalid UTF-8 and lone surrogates are errors wherever they are, ignored members included.
#[test]
fn invalid_text_is_an_error_even_where_ignored() {
    let bodies: [&[u8]; 8] = [
        b"{\"value\":[{\"id\":\"1\",\"extra\":\"\xff\"}]}",
        b"{\"value\":[{\"id\":\"1\",\"extra\xc3\":1}]}",
        b"{\"value\":[],\"extra\":[\"\xed\xa0\x80\"]}",
        b"{\"value\":[{\"id\":\"1\",\"state\":\"\xc3\x28\"}]}",
        br#"{"value":[{"id":"1","extra":"\ud800"}]}"#,
        br#"{"value":[{"id":"1","extra":{"\udc00":1}}]}"#,
        br#"{"value":[{"id":"1","extra":"\ud83d\u0041"}]}"#,
        br#"{"value":[{"id":"\ud83d"}]}"#,
    ];
    for body in bodies {
        let e = decode_page(body).unwrap_err();
        assert!(e.location.starts_with("line 1 column "), "{e}");
        assert_eq!(outline_page(body).unwrap_err(), e);
        assert!(oracle(body).is_none());
    }
}

#[test]
fn single_investigations_and_service_errors_follow_the_same_rules() {
    let inv = decode_investigation(br#"{"@odata.context":"x","id":-5,"state":null,"extra":{"a":[1e3]}}"#).unwrap();
    assert_eq!((inv.id.as_str(), inv.state), ("-5", InvestigationState::Unknown));
    for (body, field) in [
        (&br#"{"id":"1","id":"2"}"#[..], Some("id")),
        (br#"{"id":1.0}"#, Some("id")),
        (br#"{"startTime":"2020-01-01T00:00:00Z"}"#, Some("id")),
        (br#"[{"id":"1"}]"#, None),
    ] {
        let e = decode_investigation(body).unwrap_err();
        assert_eq!((e.index, e.field.as_deref()), (None, field), "{e}");
    }
    assert!(decode_investigation(br#"{"id":"1"} {"#).unwrap_err().location.starts_with("line 1"));

    let e = decode_service_error(br#"{"error":{"code":"X","message":1.50,"target":null,"more":[]},"x":1}"#).unwrap();
    assert_eq!((e.code.as_deref(), e.message.as_deref(), e.target), (Some("X"), Some("1.50"), None));
    assert_eq!(decode_service_error(br#"{"error":{}}"#), Some(Default::default()));
    for body in [
        &br#"{"error":{"code":"X","code":"Y"}}"#[..],
        br#"{"error":{"code":"X"},"error":{}}"#,
        br#"{"error":null}"#,
        br#"{"error":"X"}"#,
        br#"[{"code":"X"}]"#,
        br#"{"error":{"code":"X"}} trailing"#,
    ] {
        assert_eq!(decode_service_error(body), None, "{}", String::from_utf8_lossy(body));
    }
}

/// The oracle's one adjustment: a grammatical number too large for an `f64` reads as `HUGE`, nothing else changes.
#[test]
fn the_oracle_reads_huge_numbers_as_huge_and_nothing_else() {
    let doc = oracle(br#"[1e400, "1e400", -1e400, {"1e999":12}, 1.5]"#).unwrap();
    let Tree::Arr(items) = &doc else { panic!("{doc:?}") };
    assert!(matches!(items[0], Tree::F(f) if close(f, HUGE)), "{doc:?}");
    assert_eq!(items[1], Tree::Str("1e400".into()));
    assert!(matches!(items[2], Tree::F(f) if close(f, -HUGE)), "{doc:?}");
    assert_eq!(items[3], Tree::Obj(vec![("1e999".into(), Tree::U(12))]));
    assert!(matches!(items[4], Tree::F(f) if f == 1.5));
    for not_json in [&b"[1e400.5]"[..], b"[01e400]", b"[1e400", b"1e400 1", b"[\"\\\"1e400]"] {
        assert!(oracle(not_json).is_none(), "{}", String::from_utf8_lossy(not_json));
        assert!(Node::parse(not_json).is_err());
    }
    assert!(same(&Node::parse(b"[1e400,-1e400]").unwrap(), &oracle(b"[1e400,-1e400]").unwrap()));
}

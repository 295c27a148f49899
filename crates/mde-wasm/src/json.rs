//! [`Json`] (mde-core's JSON tree, read with [`parse`] and [`number`]): a JSON value that keeps the order of
//! object keys, so that a filter object such as
//! `{ state: 'Running', startTime: {...} }` prints its conditions in the order the user wrote them; the
//! [`Members`] of an object, read option by option; and [`ObjectWriter`], which writes the small JSON texts
//! that cross to JavaScript (durations as whole milliseconds, [`whole_ms`]). (Hand-written rather than serde-derived: the derived code for a handful of option
//! structs was a sizeable part of the wasm module.)

use std::time::Duration;

use mde_core::decode::write_json_string as write_str;

/// A JSON value: mde-core's `Node` (objects keep their keys in document order, and duplicates, which JS
/// cannot produce; numbers that are not integers keep their text, read by [`number`]).
pub use mde_core::decode::Node as Json;

/// Reads a JSON text (strict RFC 8259, through mde-core's reader; errors say where).
#[cfg_attr(mde_size, optimize(size))]
pub fn parse(text: &str) -> Result<Json, String> {
    Json::parse(text.as_bytes()).map_err(|e| e.to_string())
}

/// The value of a number; `None` for anything else. Integers are exact up to 2^53; other numbers are converted
/// without core's float parser (see `number_value`).
#[cfg_attr(mde_size, optimize(size))]
pub fn number(v: &Json) -> Option<f64> {
    match v {
        Json::UInt(n) => Some(*n as f64),
        Json::Int(n) => Some(*n as f64),
        Json::Number(text) => Some(number_value(text.as_bytes())),
        _ => None,
    }
}

/// A number that is a whole count of milliseconds in the range of a JS `Date` (below 9e15 either way).
#[cfg_attr(mde_size, optimize(size))]
pub fn whole_millis(v: &Json) -> Option<i64> {
    let ms = number(v)?;
    (ms.fract() == 0.0 && ms.abs() < 9.0e15).then_some(ms as i64)
}

/// Whole milliseconds of `d` (rounded down), saturating at `u64::MAX`: how durations cross to JavaScript. In
/// `u64` steps, as 128-bit arithmetic costs code in the wasm module.
#[cfg_attr(mde_size, optimize(size))]
pub(crate) fn whole_ms(d: Duration) -> u64 {
    match d.as_secs() {
        secs if secs > u64::MAX / 1_000 => u64::MAX,
        secs => (secs * 1_000).saturating_add(u64::from(d.subsec_millis())),
    }
}

/// `{name} must be {expected}, not {the kind of found}`: the message of an option of the wrong type.
#[cold]
#[cfg_attr(mde_size, optimize(size))]
pub fn must_be(name: &str, expected: &str, found: &Json) -> String {
    format!("{name} must be {expected}, not {}", found.kind())
}

/// The members of a JSON object, for reading options: unknown keys are ignored, a known key given twice is an
/// error, and `null` counts as absent (as `undefined` options are).
#[derive(Debug, Clone, Copy)]
pub struct Members<'a> {
    object: &'a Json,
}

impl<'a> Members<'a> {
    /// The members of `v`, or an error naming what was expected.
    #[cfg_attr(mde_size, optimize(size))]
    pub fn of(v: &'a Json, what: &str) -> Result<Members<'a>, String> {
        match v {
            Json::Object(_) => Ok(Members { object: v }),
            other => Err(must_be(what, "an object", other)),
        }
    }

    /// The value of `key`, if present and not `null`.
    #[cfg_attr(mde_size, optimize(size))]
    pub fn get(&self, key: &str) -> Result<Option<&'a Json>, String> {
        self.object.unique(key).map_err(|_| format!("duplicate option `{key}`"))
    }

    /// A number option.
    #[cfg_attr(mde_size, optimize(size))]
    pub fn number(&self, key: &str) -> Result<Option<f64>, String> {
        match self.get(key)? {
            None => Ok(None),
            Some(v) => number(v).map(Some).ok_or_else(|| must_be(key, "a number", v)),
        }
    }

    /// A string option.
    #[cfg_attr(mde_size, optimize(size))]
    pub fn string(&self, key: &str) -> Result<Option<&'a str>, String> {
        match self.get(key)? {
            None => Ok(None),
            Some(Json::Str(s)) => Ok(Some(s)),
            Some(other) => Err(must_be(key, "a string", other)),
        }
    }

    /// A boolean option (absent: `false`).
    #[cfg_attr(mde_size, optimize(size))]
    pub fn flag(&self, key: &str) -> Result<bool, String> {
        match self.get(key)? {
            None => Ok(false),
            Some(Json::Bool(b)) => Ok(*b),
            Some(other) => Err(must_be(key, "a boolean", other)),
        }
    }
}

/// Writes a JSON object member by member (compact, keys in call order, strings escaped as `serde_json` does).
#[derive(Debug)]
pub struct ObjectWriter {
    out: String,
}

impl Default for ObjectWriter {
    #[cfg_attr(mde_size, optimize(size))]
    fn default() -> Self {
        ObjectWriter { out: String::from("{") }
    }
}

impl ObjectWriter {
    /// An empty object.
    #[cfg_attr(mde_size, optimize(size))]
    pub fn new() -> ObjectWriter {
        ObjectWriter::default()
    }

    #[cfg_attr(mde_size, optimize(size))]
    fn key(&mut self, key: &str) -> &mut String {
        if self.out.len() > 1 {
            self.out.push(',');
        }
        write_str(key, &mut self.out);
        self.out.push(':');
        &mut self.out
    }

    /// A string member.
    #[cfg_attr(mde_size, optimize(size))]
    pub fn str(&mut self, key: &str, value: &str) -> &mut ObjectWriter {
        write_str(value, self.key(key));
        self
    }

    /// An integer member.
    #[cfg_attr(mde_size, optimize(size))]
    pub fn num(&mut self, key: &str, value: u64) -> &mut ObjectWriter {
        let _ = std::fmt::Write::write_fmt(self.key(key), format_args!("{value}"));
        self
    }

    /// A boolean member.
    #[cfg_attr(mde_size, optimize(size))]
    pub fn flag(&mut self, key: &str, value: bool) -> &mut ObjectWriter {
        self.raw(key, if value { "true" } else { "false" })
    }

    /// A member whose value is already JSON text.
    #[cfg_attr(mde_size, optimize(size))]
    pub fn raw(&mut self, key: &str, json: &str) -> &mut ObjectWriter {
        self.key(key).push_str(json);
        self
    }

    /// A string member when `value` is `Some`.
    #[cfg_attr(mde_size, optimize(size))]
    pub fn opt_str(&mut self, key: &str, value: Option<&str>) -> &mut ObjectWriter {
        match value {
            Some(v) => self.str(key, v),
            None => self,
        }
    }

    /// An integer member when `value` is `Some`.
    #[cfg_attr(mde_size, optimize(size))]
    pub fn opt_num(&mut self, key: &str, value: Option<u64>) -> &mut ObjectWriter {
        match value {
            Some(v) => self.num(key, v),
            None => self,
        }
    }

    /// The JSON text.
    #[cfg_attr(mde_size, optimize(size))]
    pub fn finish(&mut self) -> String {
        self.out.push('}');
        std::mem::take(&mut self.out)
    }
}

/// Exact powers of ten as `f64`s.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
    1e21, 1e22,
];

/// The value of a JSON number's text (as mde-core's reader checked it) without core's float parser, which would
/// add about 10 KB to the wasm module. Correctly rounded, as `str::parse` would give it, when its significant
/// digits (at most 19 are kept, trailing zeros dropped) are below 2^53 and its power of ten is at most 22 either
/// way: every option value a person or `JSON.stringify` writes in practice (`0.01`, `2.5`, `1e3`). Other numbers
/// are within a few units in the last place, which no option can notice.
#[cfg_attr(mde_size, optimize(size))]
fn number_value(text: &[u8]) -> f64 {
    let (negative, text) = match text.strip_prefix(b"-") {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (digits, exponent) = match text.iter().position(|&b| b == b'e' || b == b'E') {
        Some(at) => (&text[..at], &text[at + 1..]),
        None => (text, &[][..]),
    };
    let mut mantissa = 0u64;
    let mut scale = 0i64;
    let mut after_point = false;
    for &c in digits {
        if c == b'.' {
            after_point = true;
        } else if mantissa < 1_000_000_000_000_000_000 {
            mantissa = mantissa * 10 + u64::from(c - b'0');
            scale -= i64::from(after_point);
        } else {
            scale += i64::from(!after_point);
        }
    }
    // The reader checked the exponent's digits; a huge one only comes with a zero or a tiny value.
    let exponent = exponent_value(exponent);
    // Trailing zeros (`1.50`, `9007199254740991.0`) would only push the mantissa past 2^53.
    while mantissa != 0 && mantissa.is_multiple_of(10) {
        mantissa /= 10;
        scale += 1;
    }
    let mut e = scale.saturating_add(exponent).clamp(-100_000, 100_000);
    let mut v = mantissa as f64;
    while e > 22 {
        v *= POW10[22];
        e -= 22;
    }
    while e < -22 {
        v /= POW10[22];
        e += 22;
    }
    v = if e >= 0 { v * POW10[e as usize] } else { v / POW10[(-e) as usize] };
    if negative {
        -v
    } else {
        v
    }
}

/// An exponent's value (`[+-]digits`, as the reader checked it; empty: 0) as `i64::from_str` reads it, and
/// +-100,000 when it does not fit in an `i64` (without the integer parser's generic code).
#[cfg_attr(mde_size, optimize(size))]
fn exponent_value(e: &[u8]) -> i64 {
    let (negative, digits) = match e {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, e),
    };
    let mut value: i64 = 0;
    for &c in digits {
        let d = i64::from(c.wrapping_sub(b'0'));
        let next = value.checked_mul(10).and_then(|v| if negative { v.checked_sub(d) } else { v.checked_add(d) });
        match next {
            Some(v) => value = v,
            None => return if negative { -100_000 } else { 100_000 },
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_key_order_and_nesting() {
        let v = parse(r#"{"z":1,"a":[true,null,"x"],"m":{"b":2.5,"a":-1}}"#).unwrap();
        let Json::Object(entries) = v else { panic!("not an object") };
        let keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["z", "a", "m"]);
        assert_eq!(entries[1].1, Json::Array(vec![Json::Bool(true), Json::Null, Json::Str("x".into())]));
        assert_eq!(
            entries[2].1,
            Json::Object(vec![("b".into(), Json::Number("2.5".into())), ("a".into(), Json::Int(-1))])
        );
    }

    #[test]
    fn numbers_convert_as_str_parse_does_for_option_values() {
        let exact = [
            "0.01",
            "2.5",
            "-1.5",
            "0.1",
            "1e3",
            "1E2",
            "1.0",
            "-0",
            "0.30000000000000004",
            "123456789012345.6",
            "1e22",
            "1e-22",
            "9007199254740991.0",
            "0.000001",
            "4.35",
            "1e21",
            "-7e-3",
            "0e400",
        ];
        for text in exact {
            let v = number_value(text.as_bytes());
            let oracle: f64 = text.parse().unwrap();
            if text == "0.30000000000000004" {
                // 17 significant digits: beyond the exact path, within an ulp.
                assert!((v - oracle).abs() <= f64::EPSILON * oracle, "{text}: {v} vs {oracle}");
            } else {
                assert_eq!(v.to_bits(), oracle.to_bits(), "{text}");
            }
        }
        for text in ["1.7976931348623157e308", "5e-324", "2.2250738585072014e-308", "12345678901234567890123e-5"] {
            let (v, oracle) = (number_value(text.as_bytes()), text.parse::<f64>().unwrap());
            assert!((v - oracle).abs() <= 4.0 * f64::EPSILON * oracle.abs() || (v - oracle).abs() < 1e-320, "{text}");
        }
        let Json::Array(items) = parse("[0.01, 18446744073709551616, -9223372036854775809, 7, -7]").unwrap() else {
            panic!("not an array")
        };
        let values: Vec<Option<f64>> = items.iter().map(number).collect();
        assert_eq!(
            values,
            [Some(0.01), Some(18446744073709551616.0), Some(-9223372036854775809.0), Some(7.0), Some(-7.0)]
        );
        assert_eq!(number(&Json::Str("1".into())), None);
        assert_eq!(whole_millis(&Json::UInt(1_700_000_000_000)), Some(1_700_000_000_000));
        assert_eq!(whole_millis(&Json::Number("1.5".into())), None);
        assert_eq!(whole_millis(&Json::Number("1e16".into())), None);
    }

    #[test]
    fn members_read_options_and_reject_wrong_types() {
        let v = parse(r#"{"n":5,"s":"x","b":true,"z":null,"d":1,"d":2,"unknown":[]}"#).unwrap();
        let m = Members::of(&v, "options").unwrap();
        assert_eq!(m.number("n"), Ok(Some(5.0)));
        assert_eq!(m.string("s"), Ok(Some("x")));
        assert_eq!(m.flag("b"), Ok(true));
        assert_eq!(m.flag("missing"), Ok(false));
        assert_eq!(m.number("z"), Ok(None));
        assert!(m.number("d").unwrap_err().contains("duplicate"));
        assert_eq!(m.number("s").unwrap_err(), "s must be a number, not a string");
        assert_eq!(m.string("n").unwrap_err(), "n must be a string, not a number");
        assert_eq!(m.flag("s").unwrap_err(), "s must be a boolean, not a string");
        assert!(Members::of(&Json::Bool(true), "options").is_err());
        assert!(parse("{").is_err());
    }

    #[test]
    fn writes_json_as_serde_json_does() {
        let text = "q\"b\\n\nr\rt\tx\u{8}\u{c}\u{1}\u{1f}\u{7f}é€😀";
        let mut out = String::new();
        write_str(text, &mut out);
        assert_eq!(out, serde_json::to_string(text).unwrap());
        let json = ObjectWriter::new()
            .str("a", "x")
            .num("n", u64::MAX)
            .flag("f", false)
            .raw("r", "[1]")
            .opt_str("none", None)
            .opt_num("some", Some(3))
            .finish();
        assert_eq!(json, r#"{"a":"x","n":18446744073709551615,"f":false,"r":[1],"some":3}"#);
        assert_eq!(ObjectWriter::new().finish(), "{}");
    }

    #[test]
    fn exponents_read_as_i64_from_str_does() {
        for e in [
            "",
            "0",
            "+0",
            "-0",
            "7",
            "-7",
            "+22",
            "0022",
            "9223372036854775807",
            "-9223372036854775808",
            "9223372036854775808",
            "-9223372036854775809",
            "99999999999999999999999",
            "-99999999999999999999999",
        ] {
            let oracle = match e {
                "" => 0,
                e => e.parse::<i64>().unwrap_or(if e.starts_with('-') { -100_000 } else { 100_000 }),
            };
            assert_eq!(exponent_value(e.as_bytes()), oracle, "{e}");
        }
    }

    #[test]
    fn milliseconds_round_down_and_saturate() {
        let secs = [0, 1, 59, u64::MAX / 1_000 - 1, u64::MAX / 1_000, u64::MAX / 1_000 + 1, u64::MAX];
        for s in secs {
            for n in [0, 999_999, 1_000_000, 615_999_999, 616_000_000, 999_999_999] {
                let d = Duration::new(s, n);
                assert_eq!(whole_ms(d), u64::try_from(d.as_millis()).unwrap_or(u64::MAX), "{d:?}");
            }
        }
    }
}

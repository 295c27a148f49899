//! Query strings spelled the ways clients send them: `$` or `%24`, spaces as `+` or `%20`, upper- or
//! lower-case hex, safe punctuation literal or encoded. All spellings mean the same query.

use proptest::prelude::*;

/// How to spell a query string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Spelling {
    /// Write `$` in keys as `%24`.
    pub dollar_encoded: bool,
    /// Write spaces as `+` (else `%20`).
    pub plus_for_space: bool,
    /// Lower-case hex digits (`%2b`).
    pub lower_hex: bool,
    /// Leave `' ( ) , : / ? @ ! * ;` literal (they mean nothing special in a query value).
    pub loose: bool,
}

/// A random spelling.
pub fn spelling() -> impl Strategy<Value = Spelling> {
    (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
        |(dollar_encoded, plus_for_space, lower_hex, loose)| Spelling {
            dollar_encoded,
            plus_for_space,
            lower_hex,
            loose,
        },
    )
}

/// Percent-encodes one key or value.
pub fn encode(text: &str, s: Spelling) -> String {
    let mut out = String::new();
    for &b in text.as_bytes() {
        let literal = b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'.' | b'_' | b'~')
            || (s.loose && matches!(b, b'\'' | b'(' | b')' | b',' | b':' | b'/' | b'?' | b'@' | b'!' | b'*' | b';'));
        if literal {
            out.push(b as char);
        } else if b == b' ' && s.plus_for_space {
            out.push('+');
        } else if s.lower_hex {
            out.push_str(&format!("%{b:02x}"));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The query string (without `?`) of decoded `(key, value)` pairs.
pub fn query_string(pairs: &[(String, String)], s: Spelling) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            let key = match k.strip_prefix('$') {
                Some(rest) if s.dollar_encoded => format!("%24{}", encode(rest, s)),
                Some(rest) => format!("${}", encode(rest, s)),
                None => encode(k, s),
            };
            format!("{key}={}", encode(v, s))
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings() {
        let pairs = vec![("$filter".to_string(), "id eq 'a+b&c'".to_string()), ("$top".to_string(), "5".to_string())];
        assert_eq!(query_string(&pairs, Spelling::default()), "$filter=id%20eq%20%27a%2Bb%26c%27&$top=5");
        let s = Spelling { dollar_encoded: true, plus_for_space: true, lower_hex: true, loose: true };
        assert_eq!(query_string(&pairs, s), "%24filter=id+eq+'a%2bb%26c'&%24top=5");
    }
}

//! [`Quoted`]: a value from outside, printed in a message as a JSON string literal (by the crate's one JSON string
//! writer, [`write_json_string`], which depends on nothing).
//!
//! Messages quote what they refuse (`unknown region "mars"`) through this rather than `{:?}`: the text is the
//! same for every character (JSON's escapes, which JavaScript users read too), and the wasm build can leave out
//! Rust's `Debug` formatting altogether.

use std::fmt;

use crate::decode::node::write_json_string;

/// Displays the string as a JSON string literal: in double quotes, with `"`, `\` and control characters escaped.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Quoted<'a>(pub &'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::with_capacity(self.0.len() + 2);
        write_json_string(self.0, &mut out);
        f.write_str(&out)
    }
}

impl fmt::Debug for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::Quoted;

    #[test]
    fn quotes_as_json_does() {
        assert_eq!(Quoted("mars").to_string(), "\"mars\"");
        assert_eq!(Quoted("a\"b\\c\n\u{1}é").to_string(), "\"a\\\"b\\\\c\\n\\u0001é\"");
        assert_eq!(Quoted("").to_string(), "\"\"");
    }
}

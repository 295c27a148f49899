//! `BaseUrl`: where the API lives (a documented host by name, a proxy, or the mock), and the origin checks that
//! keep the token on it.
//!
//! Every request the core plans goes to the configured origin (scheme, host and port). A `@odata.nextLink` is
//! accepted only when it names that same origin and the same `/api/investigations` path; anything else (another
//! host or port, `http` instead of `https`, user-info tricks like `https://host@evil`, backslashes, whitespace or
//! control characters that browsers' URL parsers rewrite) is refused.

use std::fmt;

/// The documented API hosts, selectable by name.
///
/// The List Investigations page (revised 2025-11-11,
/// <https://learn.microsoft.com/en-us/defender-endpoint/api/get-investigation-collection>) uses
/// `api.security.microsoft.com`; Microsoft lists the regional hosts for better performance
/// (<https://learn.microsoft.com/en-us/defender-endpoint/api/exposed-apis-list>) and the US Government ones
/// apart (<https://learn.microsoft.com/en-us/defender-endpoint/gov#api>).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Region {
    /// `api.security.microsoft.com`, the host of Microsoft's current pages (names: `global`, `default`, `security`,
    /// `commercial`).
    Global,
    /// `api.securitycenter.microsoft.com`, the host of Microsoft's older pages and samples (name:
    /// `securitycenter`).
    SecurityCenter,
    /// `us.api.security.microsoft.com` (name: `us`).
    Us,
    /// `eu.api.security.microsoft.com` (name: `eu`).
    Eu,
    /// `uk.api.security.microsoft.com` (name: `uk`).
    Uk,
    /// `au.api.security.microsoft.com` (name: `au`).
    Au,
    /// `swa.api.security.microsoft.com` (name: `swa`).
    Swa,
    /// `ina.api.security.microsoft.com` (name: `ina`).
    Ina,
    /// `aea.api.security.microsoft.com` (name: `aea`).
    Aea,
    /// US Government GCC: `api-gcc.securitycenter.microsoft.us` (name: `gcc`).
    Gcc,
    /// US Government GCC High: `api-gov.securitycenter.microsoft.us` (name: `gcc-high`).
    GccHigh,
    /// US Government DoD: `api-gov.securitycenter.microsoft.us` (name: `dod`).
    Dod,
}

impl Region {
    /// Every region, in documentation order.
    pub const ALL: [Region; 12] = [
        Region::Global,
        Region::SecurityCenter,
        Region::Us,
        Region::Eu,
        Region::Uk,
        Region::Au,
        Region::Swa,
        Region::Ina,
        Region::Aea,
        Region::Gcc,
        Region::GccHigh,
        Region::Dod,
    ];

    /// The region's canonical name (`global`, `eu`, `gcc-high`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Region::Global => "global",
            Region::SecurityCenter => "securitycenter",
            Region::Us => "us",
            Region::Eu => "eu",
            Region::Uk => "uk",
            Region::Au => "au",
            Region::Swa => "swa",
            Region::Ina => "ina",
            Region::Aea => "aea",
            Region::Gcc => "gcc",
            Region::GccHigh => "gcc-high",
            Region::Dod => "dod",
        }
    }

    /// The host name.
    pub fn host(self) -> &'static str {
        match self {
            Region::Global => "api.security.microsoft.com",
            Region::SecurityCenter => "api.securitycenter.microsoft.com",
            Region::Us => "us.api.security.microsoft.com",
            Region::Eu => "eu.api.security.microsoft.com",
            Region::Uk => "uk.api.security.microsoft.com",
            Region::Au => "au.api.security.microsoft.com",
            Region::Swa => "swa.api.security.microsoft.com",
            Region::Ina => "ina.api.security.microsoft.com",
            Region::Aea => "aea.api.security.microsoft.com",
            Region::Gcc => "api-gcc.securitycenter.microsoft.us",
            Region::GccHigh | Region::Dod => "api-gov.securitycenter.microsoft.us",
        }
    }

    /// Looks a region up by name, ignoring ASCII case, `_` for `-`; `default`, `security` and `commercial` mean
    /// [`Region::Global`], `gcchigh` means [`Region::GccHigh`].
    pub fn from_name(name: &str) -> Option<Region> {
        // Compared byte by byte (lower-cased, `_` as `-`) rather than through a normalised copy.
        let n = name.trim();
        let is = |known: &str| {
            n.len() == known.len()
                && n.bytes()
                    .zip(known.bytes())
                    .all(|(a, b)| (if a == b'_' { b'-' } else { a.to_ascii_lowercase() }) == b)
        };
        if is("default") || is("security") || is("commercial") {
            return Some(Region::Global);
        }
        if is("gcchigh") {
            return Some(Region::GccHigh);
        }
        Region::ALL.into_iter().find(|r| is(r.name()))
    }

    /// The region's base URL (`https://{host}`).
    pub fn base_url(self) -> BaseUrl {
        BaseUrl { secure: true, host: self.host().to_owned(), port: 443, prefix: String::new() }
    }
}

/// Why a base URL or a link was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UrlError {
    /// The text is not an absolute `http(s)://host[:port][/path]` URL.
    #[error("not a usable base URL ({reason}): {}; expected https://host[:port][/path]", crate::Quoted(.url))]
    Malformed {
        /// The text given.
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An unknown region name.
    #[error("unknown region {}; known: global, security, us, eu, uk, au, swa, ina, gcc, gcc-high, dod", crate::Quoted(.name))]
    UnknownRegion {
        /// The name given.
        name: String,
    },
    /// A link that leaves the configured origin (or cannot be proven to stay on it).
    #[error("refused a link to another origin than {origin}: {}", crate::Quoted(.link))]
    ForeignOrigin {
        /// The configured origin.
        origin: String,
        /// The link as received.
        link: String,
    },
    /// A link on the right origin but for another resource than the investigations list.
    #[error("refused a link to another resource than {expected}: {}", crate::Quoted(.link))]
    ForeignPath {
        /// The path that links must have.
        expected: String,
        /// The link as received.
        link: String,
    },
    /// The answer was a redirect (a 3xx, or status 0: a browser's opaque redirect), which the client does not
    /// follow, so that the token cannot go along to wherever it leads.
    #[error("refused a redirect (HTTP {status}; 0 is a browser's opaque redirect): the token is not sent elsewhere; set the base URL to where it leads")]
    Redirect {
        /// The status of the answer.
        status: u16,
    },
}

/// An absolute `http(s)` base URL: scheme, lower-case host, port and an optional path prefix (for a proxy).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct BaseUrl {
    secure: bool,
    host: String,
    port: u16,
    prefix: String,
}

const LIST_PATH: &str = "/api/investigations";

/// What stays literal in a path segment besides ASCII letters and digits: `-`, `_`, `~` (`.` is encoded so that
/// `..` cannot climb).
const SEGMENT: &[u8] = b"-_~";

/// Appends `text` to `out` percent-encoded as UTF-8: ASCII letters and digits and the bytes of `literal` stay as
/// they are, every other byte becomes `%XX` (upper-case hex), as the `percent-encoding` crate's
/// `utf8_percent_encode` with `NON_ALPHANUMERIC` less `literal` writes it (its tests' oracle). A loop of its own:
/// the crate's encoder links a 768-byte table of every `%XX` into the wasm module.
pub(crate) fn percent_encode(out: &mut String, text: &str, literal: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric() || literal.contains(&b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
}

impl BaseUrl {
    /// Parses `https://host[:port][/prefix]`. A trailing `/` is ignored; user-info, query, fragment, backslashes,
    /// whitespace, percent-encoded hosts and dot segments in the path (`.`, `..`, or with a dot percent-encoded,
    /// which browsers read as dots) are refused.
    pub fn parse(url: &str) -> Result<BaseUrl, UrlError> {
        let bad = |reason| UrlError::Malformed { url: url.to_owned(), reason };
        let (base, rest) = split_absolute(url).map_err(bad)?;
        if find(rest, |b| b == b'?' || b == b'#').is_some() {
            return Err(bad("a base URL has no query or fragment"));
        }
        if rest.split('/').any(is_dot_segment) {
            return Err(bad("the path has a `.` or `..` segment"));
        }
        let prefix = trim_end(rest, b'/').to_owned();
        Ok(BaseUrl { prefix, ..base })
    }

    /// Whether the scheme is `https`.
    pub fn is_https(&self) -> bool {
        self.secure
    }

    /// The host, lower-case (IPv6 in brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port, explicit or the scheme's default.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Whether the host is a loopback address (`localhost`, `127.0.0.0/8`, `[::1]`).
    pub fn is_loopback(&self) -> bool {
        let h = self.host.as_str();
        h == "localhost" || h == "[::1]" || h.strip_prefix("127.").is_some_and(three_octets)
    }

    /// `scheme://host[:port]`, the port printed only when it is not the scheme's default.
    pub fn origin(&self) -> String {
        let scheme = if self.secure { "https" } else { "http" };
        if self.port == default_port(self.secure) {
            format!("{scheme}://{}", self.host)
        } else {
            format!("{scheme}://{}:{}", self.host, self.port)
        }
    }

    /// The list endpoint, with a query string if it is not empty.
    pub fn list_url(&self, query_string: &str) -> String {
        let mut url = self.list_endpoint();
        if !query_string.is_empty() {
            url.push('?');
            url.push_str(query_string);
        }
        url
    }

    /// The single-entity endpoint for an investigation id or a triggering alert id (percent-encoded as a segment).
    /// The ids `.` and `..` cannot be a segment (a browser reads `%2E%2E` as `..`):
    /// [`GetInvestigation`](crate::get::GetInvestigation) refuses them.
    pub fn entity_url(&self, id: &str) -> String {
        let mut url = self.list_endpoint();
        url.push('/');
        percent_encode(&mut url, id, SEGMENT);
        url
    }

    /// The origin, the prefix and [`LIST_PATH`]: pushed, not formatted (one formatting call less per use).
    fn list_endpoint(&self) -> String {
        let mut url = self.origin();
        url.push_str(&self.prefix);
        url.push_str(LIST_PATH);
        url
    }

    /// Checks an untrusted link (such as `@odata.nextLink`): returns it as an absolute URL when it stays on this
    /// origin and names the investigations list; relative links (`/api/...`) are resolved against the origin.
    pub fn check_list_link(&self, link: &str) -> Result<String, UrlError> {
        let foreign = || UrlError::ForeignOrigin { origin: self.origin(), link: link.to_owned() };
        if link.is_empty() || find(link, unsafe_byte).is_some() {
            return Err(foreign());
        }
        let path_and_query = if link.starts_with('/') && !link.starts_with("//") {
            link
        } else {
            let (other, rest) = split_absolute(link).map_err(|_| foreign())?;
            if other.secure != self.secure || other.host != self.host || other.port != self.port {
                return Err(foreign());
            }
            rest
        };
        let path_end = find(path_and_query, |b| b == b'?' || b == b'#').unwrap_or(path_and_query.len());
        let path = &path_and_query[..path_end];
        if path.strip_prefix(self.prefix.as_str()) != Some(LIST_PATH) || find(path_and_query, |b| b == b'#').is_some() {
            let expected = format!("{}{LIST_PATH}", self.prefix);
            return Err(UrlError::ForeignPath { expected, link: link.to_owned() });
        }
        let mut url = self.origin();
        url.push_str(path_and_query);
        Ok(url)
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.origin(), self.prefix)
    }
}

impl fmt::Debug for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BaseUrl({self})")
    }
}

impl std::str::FromStr for BaseUrl {
    type Err = UrlError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        BaseUrl::parse(s)
    }
}

/// Whether `r` is three decimal numbers from 0 to 255 (leading zeros and a `+` allowed, as `u8::from_str` takes
/// them) separated by dots.
fn three_octets(r: &str) -> bool {
    let mut parts = 0;
    for part in r.as_bytes().split(|&b| b == b'.') {
        // `u8::from_str` takes one leading `+` (a host name cannot have one; kept for exactness).
        let part = part.strip_prefix(b"+").unwrap_or(part);
        let mut value = 0u32;
        for &b in part {
            if !b.is_ascii_digit() || value > 255 {
                return false;
            }
            value = value * 10 + u32::from(b - b'0');
        }
        if part.is_empty() || value > 255 {
            return false;
        }
        parts += 1;
    }
    parts == 3
}

/// The position of the first byte of `s` for which `test` holds: one copy of the loop for all the tests here.
fn find(s: &str, test: fn(u8) -> bool) -> Option<usize> {
    s.bytes().position(test)
}

/// `s` without its trailing `byte`s (an ASCII byte).
fn trim_end(s: &str, byte: u8) -> &str {
    let mut end = s.len();
    while end > 0 && s.as_bytes()[end - 1] == byte {
        end -= 1;
    }
    &s[..end]
}

/// Whether a path segment means `.` or `..` to a browser: one or two dots, each possibly written `%2e` or `%2E`
/// (the WHATWG URL Standard's single-dot and double-dot segments).
fn is_dot_segment(segment: &str) -> bool {
    let mut dots = 0;
    let mut rest = segment.as_bytes();
    while !rest.is_empty() {
        rest = match rest {
            [b'.', tail @ ..] => tail,
            [b'%', b'2', b'e' | b'E', tail @ ..] => tail,
            _ => return false,
        };
        dots += 1;
    }
    dots == 1 || dots == 2
}

/// Whitespace, a control character, a backslash or a non-ASCII byte: what browsers' URL parsers rewrite.
fn unsafe_byte(b: u8) -> bool {
    b <= b' ' || b == b'\\' || b >= 0x7f
}

fn default_port(secure: bool) -> u16 {
    if secure {
        443
    } else {
        80
    }
}

/// Splits `scheme://authority/rest` into a `BaseUrl` (empty prefix) and the rest (starting with `/`, `?`, `#` or empty).
fn split_absolute(url: &str) -> Result<(BaseUrl, &str), &'static str> {
    if find(url, unsafe_byte).is_some() {
        return Err("it contains whitespace, control characters, backslashes or non-ASCII");
    }
    // A scheme has no `:`, so the first one ends it (and no substring search is linked into the wasm module).
    let (scheme, after) = url.split_once(':').ok_or("no scheme")?;
    let secure = if scheme.eq_ignore_ascii_case("https") {
        true
    } else if scheme.eq_ignore_ascii_case("http") {
        false
    } else {
        return Err("the scheme is not http or https");
    };
    let after = after.strip_prefix("//").ok_or("no `//` after the scheme")?;
    let end = find(after, |b| matches!(b, b'/' | b'?' | b'#')).unwrap_or(after.len());
    let (authority, rest) = after.split_at(end);
    if find(authority, |b| b == b'@' || b == b'%').is_some() {
        return Err("user-info and percent-encoded hosts are not allowed");
    }
    let (mut host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (addr, tail) = v6.split_once(']').ok_or("unclosed IPv6 bracket")?;
        if addr.is_empty() || find(addr, |b| !(b.is_ascii_hexdigit() || b == b':' || b == b'.')).is_some() {
            return Err("invalid IPv6 address");
        }
        let mut host = String::with_capacity(addr.len() + 2);
        host.push('[');
        host.push_str(addr);
        host.push(']');
        (host, tail)
    } else {
        let (h, tail) = authority.split_at(find(authority, |b| b == b':').unwrap_or(authority.len()));
        if h.is_empty() || find(h, |b| !(b.is_ascii_alphanumeric() || b == b'-' || b == b'.')).is_some() {
            return Err("invalid host name");
        }
        // One trailing dot (the absolute form of a name) is dropped, as browsers do before they decide whether a
        // host is an IPv4 address; after two, the name has an empty label and would mean another host to a browser
        // (`127..` is a name, `127` an address).
        let name = h.strip_suffix('.').unwrap_or(h);
        if name.ends_with('.') {
            return Err("invalid host name (empty last label)");
        }
        (name.to_owned(), tail)
    };
    let port = match port.strip_prefix(':') {
        None if port.is_empty() => default_port(secure),
        None => return Err("unexpected text after the host"),
        Some("") => default_port(secure),
        Some(p) if p.len() <= 5 && find(p, |b| !b.is_ascii_digit()).is_none() => {
            let n = p.bytes().fold(0u32, |n, b| n * 10 + u32::from(b - b'0'));
            u16::try_from(n).map_err(|_| "port out of range")?
        }
        Some(_) => return Err("invalid port"),
    };
    host.make_ascii_lowercase();
    if host.is_empty() {
        return Err("empty host");
    }
    Ok((BaseUrl { secure, host, port, prefix: String::new() }, rest))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The encoder writes what the `percent-encoding` crate (the oracle) writes for the same set, for any
        /// text (ASCII, controls, non-ASCII) and for both sets the crate uses.
        #[test]
        fn percent_encode_agrees_with_the_percent_encoding_crate(text in "(\\PC|[\\x00-\\x7f]){0,24}") {
            use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
            const SEGMENT_SET: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'~');
            const FILTER_SET: &AsciiSet = &NON_ALPHANUMERIC
                .remove(b'-').remove(b'.').remove(b'_').remove(b'~').remove(b'(').remove(b')').remove(b',').remove(b':');
            for (literal, set) in [(SEGMENT, SEGMENT_SET), (&b"-._~(),:"[..], FILTER_SET)] {
                let mut out = String::from("x");
                percent_encode(&mut out, &text, literal);
                prop_assert_eq!(out, format!("x{}", utf8_percent_encode(&text, set)));
            }
        }
    }

    #[test]
    fn every_documented_host_by_name() {
        assert_eq!(Region::from_name("EU").unwrap().base_url().to_string(), "https://eu.api.security.microsoft.com");
        assert_eq!(Region::from_name("default"), Some(Region::Global));
        assert_eq!(Region::Global.host(), "api.security.microsoft.com");
        assert_eq!(Region::from_name("security"), Some(Region::Global));
        assert_eq!(Region::from_name("securitycenter").unwrap().host(), "api.securitycenter.microsoft.com");
        assert_eq!(Region::from_name("gcc_high"), Some(Region::GccHigh));
        assert_eq!(Region::Dod.host(), "api-gov.securitycenter.microsoft.us");
        for r in Region::ALL {
            assert_eq!(Region::from_name(r.name()), Some(r));
            assert!(r.base_url().is_https());
        }
        assert_eq!(Region::from_name("mars"), None);
    }

    #[test]
    fn parses_base_urls() {
        let b = BaseUrl::parse("http://127.0.0.1:4010/").unwrap();
        assert!(b.is_loopback() && !b.is_https());
        assert_eq!(b.list_url("$top=1"), "http://127.0.0.1:4010/api/investigations?$top=1");
        let p = BaseUrl::parse("https://Proxy.Example.com:443/mde/").unwrap();
        assert_eq!(p.to_string(), "https://proxy.example.com/mde");
        assert_eq!(p.entity_url("da1_-2"), "https://proxy.example.com/mde/api/investigations/da1_-2");
        for bad in [
            "ftp://x",
            "https://",
            "https://a@b",
            "https://a b",
            "https://x?y",
            "https://x:99999",
            "https://x:1a",
            "https:\\\\x",
            "x",
            "https://[::1",
            "https:/x",
            "https:x",
            "a:b://c",
            "https:b://c",
        ] {
            assert!(BaseUrl::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(p.entity_url(".."), "https://proxy.example.com/mde/api/investigations/%2E%2E");
        assert!(BaseUrl::parse("http://[::1]:8080").unwrap().is_loopback());
        assert!(!BaseUrl::parse("http://127.0.0.1.evil.com").unwrap().is_loopback());
    }

    #[test]
    fn links_must_stay_on_origin_and_path() {
        let b = BaseUrl::parse("https://api.security.microsoft.com").unwrap();
        let ok = "https://api.security.microsoft.com/api/investigations?$skip=10";
        assert_eq!(b.check_list_link(ok).unwrap(), ok);
        assert_eq!(
            b.check_list_link("HTTPS://API.security.microsoft.com:443/api/investigations?$skip=1").unwrap(),
            "https://api.security.microsoft.com/api/investigations?$skip=1"
        );
        assert_eq!(
            b.check_list_link("/api/investigations?$skip=2").unwrap(),
            "https://api.security.microsoft.com/api/investigations?$skip=2"
        );
        for foreign in [
            "https://evil.com/api/investigations",
            "http://api.security.microsoft.com/api/investigations",
            "https://api.security.microsoft.com:8443/api/investigations",
            "https://api.security.microsoft.com@evil.com/api/investigations",
            "https://api.security.microsoft.com.evil.com/api/investigations",
            "//evil.com/api/investigations",
            "https:\\\\evil.com/api/investigations",
            "/\\evil.com/api/investigations",
            "https://evil.com\t/api/investigations",
            "javascript:alert(1)",
            "https:/evil.com/api/investigations",
            "https:evil.com/api/investigations",
            "",
        ] {
            assert!(matches!(b.check_list_link(foreign), Err(UrlError::ForeignOrigin { .. })), "{foreign}");
        }
        assert!(matches!(
            b.check_list_link("https://api.security.microsoft.com/api/machines"),
            Err(UrlError::ForeignPath { .. })
        ));
    }

    proptest::proptest! {
        /// Oracle: `u8::from_str` on each of the dot-separated parts.
        #[test]
        fn loopback_octets_as_u8_parses_them(r in "[0-9+a]{0,4}(\\.[0-9+a-]{0,4}){0,3}") {
            let parts: Vec<&str> = r.split('.').collect();
            let expected = parts.len() == 3 && parts.iter().all(|p| p.parse::<u8>().is_ok());
            proptest::prop_assert_eq!(three_octets(&r), expected);
        }

        /// Oracle: a normalised copy of the name compared with the known names.
        #[test]
        fn region_names_ignore_case_underscores_and_spaces(name in "[ \tgcCH_hieEUuSdfault\u{e9}\u{a0}-]{0,12}") {
            let n = name.trim().to_ascii_lowercase().replace('_', "-");
            let expected = match n.as_str() {
                "default" | "security" | "commercial" => Some(Region::Global),
                "gcchigh" => Some(Region::GccHigh),
                _ => Region::ALL.into_iter().find(|r| r.name() == n),
            };
            proptest::prop_assert_eq!(Region::from_name(&name), expected);
        }
    }

    #[test]
    fn dot_segments_in_every_spelling_are_refused_in_a_base() {
        for seg in [".", "..", "%2e", "%2E", ".%2e", "%2E.", "%2e%2E"] {
            assert!(is_dot_segment(seg), "{seg}");
            for url in [format!("https://a/{seg}"), format!("https://a/{seg}/"), format!("https://a/p/{seg}/q")] {
                assert!(BaseUrl::parse(&url).is_err(), "{url}");
            }
        }
        for seg in ["", "...", "%2e%2e%2e", "a.", ".a", "%2f", "%2", "%2e%2", "%3e"] {
            assert!(!is_dot_segment(seg), "{seg}");
        }
        assert!(BaseUrl::parse("https://a/.well-known/mde..x").is_ok());
    }

    #[test]
    fn a_trailing_dot_and_slashes_are_dropped() {
        assert_eq!(BaseUrl::parse("https://A.:1//p//").unwrap().to_string(), "https://a:1//p");
        assert_eq!(BaseUrl::parse("https://a.///").unwrap().to_string(), "https://a");
        assert_eq!(BaseUrl::parse("http://127.0.0.1.:4010").unwrap().to_string(), "http://127.0.0.1:4010");
        // Found by the fuzzer: `127..` is a name for a browser, `127` (what dropping both dots gave) the address
        // 0.0.0.127.
        for two_dots in ["http://127../x", "https://A..:1", "https://a.b..", "https://.."] {
            assert!(BaseUrl::parse(two_dots).is_err(), "{two_dots}");
        }
        assert_eq!(trim_end("", b'.'), "");
        assert_eq!(trim_end("..", b'.'), "");
        assert_eq!(trim_end("é.", b'.'), "é");
    }

    #[test]
    fn loopback_octets_tricky_cases() {
        for r in ["+1.0.0", "0.+0.255", "++1.0.0", "+.0.0", "-0.0.0", "256.0.0", "0255.0.1", "1.2", "1.2.3.", "", ".."]
        {
            let parts: Vec<&str> = r.split('.').collect();
            let expected = parts.len() == 3 && parts.iter().all(|p| p.parse::<u8>().is_ok());
            assert_eq!(three_octets(r), expected, "{r}");
        }
    }

    #[test]
    fn region_names_with_spaces_and_case() {
        assert_eq!(Region::from_name(" GCC_HIGH\u{a0}"), Some(Region::GccHigh));
        assert_eq!(Region::from_name("GccHigh"), Some(Region::GccHigh));
        assert_eq!(Region::from_name("Commercial"), Some(Region::Global));
        assert_eq!(Region::from_name("e_u"), None);
        assert_eq!(Region::from_name("gcc-hig\u{e9}"), None);
    }
}

//! The guard of the token against the `url` crate (the WHATWG URL Standard, what browsers' `fetch` follows), over
//! generated URLs: schemes, separators, user-info, hosts (names, IPv4 in its many spellings, IPv6, IDNA,
//! percent-encoding), ports, paths (dot segments, percent-encoded dots, backslashes, case), queries, fragments,
//! and whitespace or control characters slipped in. The checks themselves are `mde_invariants::base_url`'s
//! (shared with the fuzz target): whatever the core accepts, a browser sends to the configured origin and path.

use mde_core::base_url::BaseUrl;
use mde_invariants::base_url::{check_base, check_id, check_link};
use proptest::prelude::*;

fn scheme() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just("https".to_owned()),
        2 => Just("http".to_owned()),
        1 => prop::sample::select(vec!["HTTPS", "Http", "ftp", "javascript", "ws", "file", "", "https+x", "h ttps"])
            .prop_map(str::to_owned),
    ]
}

fn separator() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        6 => Just("://"),
        1 => prop::sample::select(vec![":/", ":", ":///", ":\\\\", ":/\\", ":\\/", "://\t", ": //", "://@"]),
    ]
}

fn userinfo() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        8 => Just(""),
        1 => prop::sample::select(vec![
            "user@", "u:p@", "@", ":@", "api.security.microsoft.com@", "%40@", "a@b@", "user%3Apass@", "127.0.0.1:4010@",
        ]),
    ]
}

const HOSTS: &[&str] = &[
    "api.security.microsoft.com",
    "API.Security.Microsoft.COM",
    "api.security.microsoft.com.",
    "api.security.microsoft.com..",
    "eu.api.security.microsoft.com",
    "api.security.microsoft.com.evil.com",
    "evil.com",
    "127.0.0.1",
    "127.0.0.1.",
    "127.1",
    "127.0.1",
    "2130706433",
    "0x7f.0.0.1",
    "0x7F000001",
    "0177.0.0.1",
    "127.0.0.08",
    "127.0.0.256",
    "127.0.0.1.evil.com",
    "1.2.3.4.5",
    "localhost",
    "LOCALHOST.",
    "localhost.evil.com",
    "[::1]",
    "[0:0:0:0:0:0:0:1]",
    "[::ffff:127.0.0.1]",
    "[::FFFF:7f00:1]",
    "[::1%25eth0]",
    "[:::]",
    "[::1",
    "[]",
    "bücher.de",
    "xn--bcher-kva.de",
    "XN--BCHER-KVA.de",
    "xn--a.com",
    "ｅｘａｍｐｌｅ.com",
    "%65vil.com",
    "exa mple.com",
    "a..b",
    "-a-",
    "a_b",
    "",
    ".",
];

fn host() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(HOSTS).prop_map(str::to_owned),
        1 => "[a-zA-Z0-9-]{1,8}(\\.[a-zA-Z0-9-]{1,8}){0,3}\\.?",
        1 => "[0-9]{1,4}(\\.[0-9x]{1,4}){0,4}",
        1 => "\\[[0-9a-fA-F:.]{1,12}\\]",
    ]
}

fn port() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just(String::new()),
        2 => prop::sample::select(vec![":", ":443", ":80", ":0", ":4010", ":08080", ":65535", ":65536", ":99999", ":1a", ":-1", ": 1", ":+1"])
            .prop_map(str::to_owned),
        1 => ":[0-9]{1,6}",
    ]
}

const PATHS: &[&str] = &[
    "",
    "/",
    "/api/investigations",
    "/API/investigations",
    "/api/./investigations",
    "/api/x/../investigations",
    "/api/%2e%2e/investigations",
    "/api/%2E/investigations",
    "/api/investigations/",
    "/api/investigations/.",
    "/api/investigations/..",
    "/api/investigations/%2e%2e",
    "//api/investigations",
    "\\api\\investigations",
    "/api\\investigations",
    "/api%2Finvestigations",
    "/mde",
    "/mde/",
    "/mde//",
    "/mde/api/investigations",
    "/./mde/api/investigations",
    "/mde/../api/investigations",
    "/mde/x/../api/investigations",
    "/%6dde/api/investigations",
    "/mde/%2E/api/investigations",
    "/mde/%2e%2e/mde/api/investigations",
    "/a b/api/investigations",
    "/é/api/investigations",
    "/@evil.com/api/investigations",
];

fn path() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(PATHS).prop_map(str::to_owned),
        1 => "(/[a-zA-Z0-9.%_~-]{0,6}){0,3}(/api/investigations)?/?",
    ]
}

fn query() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        3 => Just(""),
        2 => prop::sample::select(vec!["?$skip=10", "?$top=1&$skip=2", "?", "#frag", "?x#y", "?a=%2F", "?$skip=1@evil.com", "?\\"]),
    ]
}

/// Something a server or a proxy could slip in: whitespace, controls, backslashes, non-ASCII, at any position.
fn noise() -> impl Strategy<Value = Option<(prop::sample::Index, &'static str)>> {
    prop::option::weighted(
        0.15,
        (
            any::<prop::sample::Index>(),
            prop::sample::select(vec![
                " ", "\t", "\n", "\r", "\u{0}", "\u{7f}", "\\", "é", "\u{a0}", "/", "@", "%", "#", "?", ":",
            ]),
        ),
    )
}

fn with_noise(mut s: String, noise: Option<(prop::sample::Index, &'static str)>) -> String {
    if let Some((at, what)) = noise {
        let boundaries: Vec<usize> = (0..=s.len()).filter(|&i| s.is_char_boundary(i)).collect();
        s.insert_str(*at.get(&boundaries), what);
    }
    s
}

/// An absolute URL, assembled from the parts above.
fn absolute() -> impl Strategy<Value = String> {
    (scheme(), separator(), userinfo(), host(), port(), path(), query(), noise()).prop_map(
        |(scheme, sep, user, host, port, path, query, noise)| {
            with_noise(format!("{scheme}{sep}{user}{host}{port}{path}{query}"), noise)
        },
    )
}

/// The hosts, ports and list paths of the configured bases in [`bases`] (spelled in other ways too), so that
/// links often come near enough to be accepted.
fn near_host() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => prop::sample::select(vec![
            "api.security.microsoft.com", "API.security.microsoft.com.", "127.0.0.1", "localhost", "LocalHost", "[::1]",
            "[0::1]", "proxy.example", "proxy.example.", "127.0.0.01",
        ]).prop_map(str::to_owned),
        1 => host(),
    ]
}

fn near_port() -> impl Strategy<Value = String> {
    prop_oneof![2 => prop::sample::select(vec!["", ":443", ":4010", ":8080", ":80", ":04010"]).prop_map(str::to_owned), 1 => port()]
}

fn near_path() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => prop::sample::select(vec![
            "/api/investigations", "/mde/api/investigations", "/a/b/api/investigations", "/%2d/mde/api/investigations",
            "/%2D/mde/api/investigations", "/mde//api/investigations", "/a/b/c/../api/investigations",
        ]).prop_map(str::to_owned),
        1 => path(),
    ]
}

/// A link as a server may send it: absolute, scheme-relative or path-relative.
fn link() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (scheme(), separator(), userinfo(), near_host(), near_port(), near_path(), query(), noise()).prop_map(
            |(scheme, sep, user, host, port, path, query, noise)| {
                with_noise(format!("{scheme}{sep}{user}{host}{port}{path}{query}"), noise)
            },
        ),
        1 => absolute(),
        1 => (userinfo(), near_host(), near_port(), near_path(), query(), noise()).prop_map(|(user, host, port, path, query, noise)| {
            with_noise(format!("//{user}{host}{port}{path}{query}"), noise)
        }),
        2 => (near_path(), query(), noise()).prop_map(|(path, query, noise)| with_noise(format!("{path}{query}"), noise)),
    ]
}

/// Configured bases: the documented host, loopback proxies with paths, and generated ones.
fn bases(generated: &str) -> Vec<BaseUrl> {
    let mut bases: Vec<BaseUrl> = [
        "https://api.security.microsoft.com",
        "http://127.0.0.1:4010",
        "http://localhost:8080/mde/",
        "http://[::1]:4010/a/b",
        "https://proxy.example/%2d/mde",
    ]
    .iter()
    .map(|b| BaseUrl::parse(b).expect("a valid base"))
    .collect();
    bases.extend(check_base(generated));
    bases
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3_000, ..ProptestConfig::default() })]

    /// A base URL that is accepted names, for a browser, the origin and list path that the core prints.
    #[test]
    fn accepted_bases_mean_what_a_browser_reads(base in absolute()) {
        check_base(&base);
    }

    /// A link that is accepted goes, for a browser, to the configured origin and list path, as the server meant
    /// it; every other link is refused.
    #[test]
    fn accepted_links_stay_on_the_origin_and_path(base in absolute(), link in link()) {
        for b in bases(&base) {
            check_link(&b, &link);
        }
    }

    /// The request of `get(id)` goes one segment below the list path, whatever the id.
    #[test]
    fn a_single_investigation_is_one_segment_below_the_list(
        base in absolute(),
        id in prop_oneof![
            Just(".".to_owned()), Just("..".to_owned()), Just("%2e%2e".to_owned()), Just("../machines".to_owned()),
            Just("a/b".to_owned()), Just("a\\b".to_owned()), Just("?$top=1".to_owned()), Just("#x".to_owned()),
            "\\PC{0,6}", "[0-9]{1,20}", "da[0-9]{6}_-[0-9]{4}",
        ],
    ) {
        for b in bases(&base) {
            check_id(&b, &id);
        }
    }

    /// Not refusing everything: plain URLs are accepted, and the same origin spelled another way (case, the
    /// default port, a trailing dot) is recognised.
    #[test]
    fn plain_bases_and_same_origin_links_are_accepted(
        secure in any::<bool>(),
        labels in prop::collection::vec("[a-z0-9]([a-z0-9-]{0,6}[a-z0-9])?", 1..4),
        tld in "[a-z]{2,6}",
        port in prop::option::of(1..=65535u16),
        prefix in prop::collection::vec("[a-zA-Z0-9_~-]{1,6}", 0..3),
        skip in 0..100_000u32,
    ) {
        let scheme = if secure { "https" } else { "http" };
        let host = format!("{}.{tld}", labels.join("."));
        let port_text = port.map(|p| format!(":{p}")).unwrap_or_default();
        let prefix: String = prefix.iter().map(|s| format!("/{s}")).collect();
        let input = format!("{scheme}://{host}{port_text}{prefix}");
        let b = check_base(&input).unwrap_or_else(|| panic!("{input:?} refused"));
        let own = b.list_url(&format!("$skip={skip}"));
        prop_assert_eq!(b.check_list_link(&own), Ok(own.clone()));
        let shouted = format!("{}://{}.:{}{prefix}/api/investigations?$skip={skip}", scheme.to_uppercase(), host.to_uppercase(), b.port());
        prop_assert_eq!(b.check_list_link(&shouted), Ok(own.clone()));
        let relative = format!("{prefix}/api/investigations?$skip={skip}");
        prop_assert_eq!(b.check_list_link(&relative), Ok(own));
    }
}

/// What the first runs of these properties found (each fixed, and kept here).
#[test]
fn found_by_the_oracle() {
    let b = BaseUrl::parse("https://proxy.example/mde").unwrap();
    // `%2E%2E` is `..` for a browser: `get('..')` would have fetched /mde/api/ with the token.
    for id in [".", ".."] {
        check_id(&b, id);
    }
}

//! The guard of the token (`mde_core::base_url`): which URLs a request may go to, checked against the `url` crate,
//! an implementation of the WHATWG URL Standard that browsers' `fetch` follows.
//!
//! What must hold, for any configured base URL and any link a server sends:
//! - a base URL that is accepted names, for a browser, the same scheme, host and port as what the core prints
//!   (up to trailing dots of the host, which the core drops: `host.` and `host` are one name in DNS), and no
//!   user-info, query or fragment; one that `is_loopback` calls loopback is loopback for a browser too;
//! - every URL the core sends to (list pages, a single investigation, a followed `@odata.nextLink`) is, for a
//!   browser, on the configured origin and on the list path (or one segment below it, the id);
//! - a link that is accepted is one that a browser, resolving it as the server meant it, also places on that
//!   origin and path;
//! - a base URL that the core accepts but a browser cannot parse sends nothing anywhere (`fetch` refuses the URL
//!   before connecting): allowed, as the core's own checks are stricter in most other ways (no user-info, no
//!   percent-encoded or non-ASCII hosts, no backslashes).

use mde_core::base_url::BaseUrl;
use mde_core::get::{GetAction, GetInvestigation};
use mde_core::{RateLimitConfig, RateLimiter, RetryPolicy};
use url::{Host, Url};

/// The bases every input is also checked against: the documented host and a loopback proxy with a path.
const FIXED_BASES: [&str; 2] = ["https://api.security.microsoft.com", "http://127.0.0.1:4010/mde"];

/// Any bytes as `base` or `base\nlink`: the base URL's checks, then the link as an `@odata.nextLink` and as an id
/// against it and against [`FIXED_BASES`] (a link alone is also checked when the input has no newline).
pub fn base_url(data: &[u8]) {
    let Some(text) = crate::text(data) else { return };
    let (base, link) = text.split_once('\n').unwrap_or((text, text));
    let mut bases: Vec<BaseUrl> = FIXED_BASES.iter().filter_map(|b| BaseUrl::parse(b).ok()).collect();
    bases.extend(check_base(base));
    for b in &bases {
        check_link(b, link);
        check_id(b, link);
    }
}

/// Scheme, host (without trailing dots) and port, as a browser reads them.
fn origin(u: &Url) -> (String, Option<String>, Option<u16>) {
    let host = u.host_str().map(|h| h.trim_end_matches('.').to_owned());
    (u.scheme().to_owned(), host, u.port_or_known_default())
}

/// The checks of a configured base URL; the base when it is accepted.
pub fn check_base(input: &str) -> Option<BaseUrl> {
    let b = BaseUrl::parse(input).ok()?;
    let printed = b.to_string();
    let again = BaseUrl::parse(&printed).unwrap_or_else(|e| panic!("{input:?} printed as {printed:?}: {e}"));
    assert_eq!(again, b, "{input:?} printed as {printed:?}");
    // A browser that cannot parse it sends nothing (see the module).
    let Ok(u) = Url::parse(input) else { return Some(b) };
    let own =
        Url::parse(&printed).unwrap_or_else(|e| panic!("{input:?}: a browser parses it but not {printed:?}: {e}"));
    assert!(matches!(u.scheme(), "http" | "https"), "{input:?}");
    assert_eq!(b.is_https(), u.scheme() == "https", "{input:?}");
    assert!(u.username().is_empty() && u.password().is_none(), "{input:?} has user-info");
    assert!(u.query().is_none() && u.fragment().is_none(), "{input:?} has a query or fragment");
    assert_eq!(origin(&own), origin(&u), "{input:?} printed as {printed:?}");
    assert_eq!(Some(b.port()), u.port_or_known_default(), "{input:?}");
    if b.is_loopback() {
        let loopback = match u.host() {
            Some(Host::Domain(d)) => d.trim_end_matches('.') == "localhost",
            Some(Host::Ipv4(a)) => a.is_loopback(),
            Some(Host::Ipv6(a)) => a.is_loopback(),
            None => false,
        };
        assert!(loopback, "{input:?} is called loopback but a browser goes to {:?}", u.host_str());
    }
    // The list path is the base's path (trailing slashes dropped) and `/api/investigations`, as a browser
    // resolves dot segments and percent-encoding in it.
    let mut list = u.clone();
    list.set_path(&format!("{}/api/investigations", u.path().trim_end_matches('/')));
    let sent = Url::parse(&b.list_url("")).unwrap_or_else(|e| panic!("{input:?}: the list URL does not parse: {e}"));
    assert_eq!(sent.path(), list.path(), "{input:?}");
    assert_eq!(origin(&sent), origin(&u), "{input:?}");
    Some(b)
}

/// The list URL of `b` as a browser reads it.
fn list_url(b: &BaseUrl) -> Option<Url> {
    Url::parse(&b.list_url("")).ok()
}

/// The checks of `link` as an `@odata.nextLink` for `b`.
pub fn check_link(b: &BaseUrl, link: &str) {
    let Ok(abs) = b.check_list_link(link) else { return };
    assert_eq!(b.check_list_link(&abs).as_deref(), Ok(abs.as_str()), "{link:?} accepted as {abs:?}, but not that");
    let Some(own) = list_url(b) else { return };
    let sent = Url::parse(&abs).unwrap_or_else(|e| panic!("{link:?} accepted as {abs:?}, which does not parse: {e}"));
    assert_eq!(sent.origin(), own.origin(), "{link:?} accepted as {abs:?}, another origin than {b}");
    assert_eq!(sent.path(), own.path(), "{link:?} accepted as {abs:?}, another path than {b}'s list");
    assert_eq!(sent.fragment(), None, "{link:?}");
    // As the server meant it: the raw link resolved against the page's URL.
    let meant = own.join(link).unwrap_or_else(|e| panic!("{link:?} accepted, but a browser cannot resolve it: {e}"));
    assert_eq!(origin(&meant), origin(&own), "{link:?} accepted for {b}, but it points elsewhere");
    assert_eq!(meant.path(), own.path(), "{link:?} accepted for {b}, but it names another resource");
    assert_eq!(meant.query(), sent.query(), "{link:?} accepted as {abs:?}");
}

/// The checks of `id` as the id of a single investigation (`client.get(id)`): the request goes to one path
/// segment below the list path that, decoded, is the id.
pub fn check_id(b: &BaseUrl, id: &str) {
    let Ok(mut op) = GetInvestigation::new(b, id, RetryPolicy::default(), 0) else { return };
    let mut limiter = RateLimiter::new(RateLimitConfig::default());
    let GetAction::Send(request) = op.poll(1_750_000_000_000, &mut limiter) else { panic!("no request for {id:?}") };
    let Some(own) = list_url(b) else { return };
    let sent = Url::parse(&request.url).unwrap_or_else(|e| panic!("{id:?}: {:?} does not parse: {e}", request.url));
    assert_eq!(sent.origin(), own.origin(), "{id:?}: {:?}", request.url);
    let (parent, segment) = sent.path().rsplit_once('/').expect("a path has a slash");
    assert_eq!(parent, own.path(), "{id:?}: {:?} is not below the list path", request.url);
    let decoded = percent_encoding::percent_decode_str(segment).decode_utf8_lossy();
    assert_eq!(decoded, id, "{id:?}: {:?}", request.url);
    assert_eq!((sent.query(), sent.fragment()), (None, None), "{id:?}: {:?}", request.url);
}

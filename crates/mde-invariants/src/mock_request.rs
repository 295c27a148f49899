//! Requests to the mock (`mde-mock-engine`), from any client: what every face hands its engine.

use mde_mock_engine::{ConnectionFault, Engine, Options, Request};

/// The time every request arrives at (the engine takes it as an argument).
const NOW_MS: u64 = 1_795_000_000_000;

/// Any bytes as an HTTP request, read as `METHOD TARGET` on the first line, then `name: value` header lines
/// (`authorization`, `origin`, `host` are the ones the engine reads), an empty line and the body; the target's
/// path and query split at the first `?`. Handed to a small engine, with and without `--odata 4.01`, and in live
/// mode an hour after its start (the world advanced before the answer):
/// - the engine never panics;
/// - the reply is a real status, every body is JSON (or, for `$metadata`, XML) of the content type it says,
///   a `truncate` fault cuts inside the body, and a `close` fault sends nothing;
/// - the journal holds the call (and only calls outside `/__admin/`).
pub fn mock_request(data: &[u8]) {
    let Some(text) = crate::text(data) else { return };
    let (head, body) = text.split_once("\n\n").unwrap_or((text, ""));
    let mut lines = head.lines();
    let first = lines.next().unwrap_or_default();
    let (method, target) = first.split_once(' ').unwrap_or((first, "/"));
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (target, None),
    };
    let header = |name: &str| {
        head.lines().skip(1).find_map(|l| l.split_once(':').filter(|(n, _)| n.trim().eq_ignore_ascii_case(name)))
    };
    let value = |name: &str| header(name).map(|(_, v)| v.trim());
    let request = Request {
        method,
        path,
        query,
        authorization: value("authorization"),
        origin: value("origin"),
        host: value("host"),
        scheme: "http",
        body: body.as_bytes(),
    };
    let modes = [
        (mde_mock_engine::ODataVersion::V40, false, NOW_MS),
        (mde_mock_engine::ODataVersion::V401, false, NOW_MS),
        (mde_mock_engine::ODataVersion::V40, true, NOW_MS + 3_600_000),
    ];
    for (odata, live, at) in modes {
        let options = Options {
            count: 12,
            odata,
            live,
            now: Some("2026-11-27T12:00:00Z".parse().expect("a date-time")),
            ..Options::default()
        };
        let mut engine = Engine::new(options, NOW_MS).expect("valid options");
        let reply = engine.handle(at, &request);
        assert!((100..600).contains(&reply.status), "status {}", reply.status);
        match reply.fault {
            Some(ConnectionFault::Close) => assert!(reply.body.is_empty()),
            Some(ConnectionFault::Truncate { after }) => assert!(after <= reply.body.len()),
            None => {}
        }
        if !reply.body.is_empty() {
            let content_type = reply.header("content-type").expect("a body has a content type");
            if content_type.starts_with("application/json") {
                assert!(
                    serde_json::from_slice::<serde_json::Value>(&reply.body).is_ok(),
                    "a JSON body that is not JSON"
                );
            } else {
                assert!(content_type.starts_with("application/xml"), "{content_type}");
            }
        }
        let admin = path == "/__admin" || path.starts_with("/__admin/");
        assert_eq!(engine.journal().len(), usize::from(!admin));
    }
}

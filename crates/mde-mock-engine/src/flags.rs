//! The command line of both `mde-mock` binaries (the native one and the npm package's): one table of flags,
//! each with its environment variable, default and help, and one parser of their values into an
//! [`Invocation`]. The binaries only do the syntax (`--flag value`, `--flag=value`, `--help`), so both take the
//! same flags, with the same defaults, variables and messages.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use mde_core::Timestamp;

use crate::limits::Window;
use crate::options::{Options, OptionsError, MAX_COUNT};

/// One flag of the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag {
    /// The long name without dashes (`time-scale`).
    pub long: &'static str,
    /// The environment variable read when the flag is not given (`MDE_MOCK_TIME_SCALE`); a repeatable flag's
    /// variable holds its values separated by commas.
    pub env: &'static str,
    /// The placeholder of its value in the help (`F`).
    pub value_name: &'static str,
    /// The default, as text; `None` when absent means "not set".
    pub default: Option<&'static str>,
    /// One line of help.
    pub help: &'static str,
    /// Whether it may be given more than once (`--token`).
    pub repeatable: bool,
    /// Whether it is a switch that takes no value (`--retry-after-ms`); its variable holds `true` or `false`
    /// (also `1`/`0`, `yes`/`no`, `on`/`off`), and [`parse`] receives `true` or `false`.
    pub switch: bool,
}

const fn flag(
    long: &'static str,
    env: &'static str,
    value_name: &'static str,
    default: Option<&'static str>,
    help: &'static str,
) -> Flag {
    Flag { long, env, value_name, default, help, repeatable: false, switch: false }
}

const fn repeatable(long: &'static str, env: &'static str, help: &'static str) -> Flag {
    Flag { long, env, value_name: "T", default: None, help, repeatable: true, switch: false }
}

const fn switch(long: &'static str, env: &'static str, help: &'static str) -> Flag {
    Flag { long, env, value_name: "", default: None, help, repeatable: false, switch: true }
}

/// The one line that heads both binaries' `--help`.
pub const ABOUT: &str = "A faithful fake of Microsoft Defender for Endpoint's List Investigations API.";

/// Every flag, in the order of the help.
pub const FLAGS: &[Flag] = &[
    flag("host", "MDE_MOCK_HOST", "HOST", Some("127.0.0.1"), "Address to listen on"),
    flag("port", "MDE_MOCK_PORT", "PORT", Some("4010"), "Port to listen on; 0 picks a free port"),
    flag("seed", "MDE_MOCK_SEED", "N", Some("1"), "Seed of the generated data, fault choices and correlation ids"),
    flag("count", "MDE_MOCK_COUNT", "N", Some("2000"), "How many investigations to generate"),
    flag(
        "data",
        "MDE_MOCK_DATA",
        "FILE",
        None,
        "Serve the investigations in FILE (a JSON array, or a {\"value\": [...]} page) instead of generated ones",
    ),
    repeatable(
        "token",
        "MDE_MOCK_TOKEN",
        "Accept only this bearer token (repeatable); without it any non-empty token is accepted",
    ),
    repeatable(
        "forbidden-token",
        "MDE_MOCK_FORBIDDEN_TOKEN",
        "Answer this bearer token with 403 Forbidden (repeatable)",
    ),
    flag("per-minute", "MDE_MOCK_PER_MINUTE", "N", Some("100"), "Calls per minute and token"),
    flag("per-hour", "MDE_MOCK_PER_HOUR", "N", Some("1500"), "Calls per hour and token"),
    flag("window", "MDE_MOCK_WINDOW", "W", Some("sliding"), "How the limit windows move: sliding or fixed"),
    flag(
        "time-scale",
        "MDE_MOCK_TIME_SCALE",
        "F",
        Some("1"),
        "Multiplies the limit windows and Retry-After: 0.01 makes a minute last 0.6 s",
    ),
    flag(
        "fault-rate",
        "MDE_MOCK_FAULT_RATE",
        "P",
        Some("0"),
        "Share of data calls that fail (500, 503, closed connection, truncated body), chosen from the seed",
    ),
    flag(
        "latency-ms",
        "MDE_MOCK_LATENCY_MS",
        "N",
        Some("0"),
        "Delay before every answer outside /__admin/, in milliseconds",
    ),
    flag(
        "cors-origin",
        "MDE_MOCK_CORS_ORIGIN",
        "O",
        Some("*"),
        "Access-Control-Allow-Origin of every answer: *, an origin, or origins separated by commas",
    ),
    flag(
        "now",
        "MDE_MOCK_NOW",
        "RFC3339",
        None,
        "End of the generated data's 90 days, RFC 3339 [default: the current time]",
    ),
    flag(
        "odata",
        "MDE_MOCK_ODATA",
        "VERSION",
        Some("4.0"),
        "The OData version of the $filter syntax accepted: 4.0 (the service's) or 4.01 (adds `in` and operators in any case)",
    ),
    flag(
        "next-links",
        "MDE_MOCK_NEXT_LINKS",
        "MODE",
        Some("service"),
        "Which pages carry an @odata.nextLink: service (only without $top, as the service), always, stale (links that never advance) or foreign (links to another origin)",
    ),
    switch(
        "retry-after-ms",
        "MDE_MOCK_RETRY_AFTER_MS",
        "Also send retry-after-ms, the exact wait, beside Retry-After (whole seconds, what the service sends): for time-scaled tests",
    ),
    flag(
        "cpu-throttle-rate",
        "MDE_MOCK_CPU_THROTTLE_RATE",
        "P",
        Some("0"),
        "Share of data calls throttled with a 429 below the call limits, as the service does for CPU, chosen from the seed",
    ),
    switch(
        "live",
        "MDE_MOCK_LIVE",
        "Live mode: investigations arrive and move through their states over (scaled) time, from the seed; PATCH /__admin/investigations/ID takes one out of its hands",
    ),
    flag(
        "live-rate",
        "MDE_MOCK_LIVE_RATE",
        "N",
        Some("20"),
        "With --live, investigations arriving per (scaled) hour on average, 0 to 3600",
    ),
    flag(
        "bandwidth",
        "MDE_MOCK_BANDWIDTH",
        "BYTES_PER_S",
        None,
        "Send the body of every answer outside /__admin/ in chunks (Transfer-Encoding: chunked) at this many bytes per second, as the service streams its pages [default: at once]",
    ),
    flag(
        "first-byte-ms",
        "MDE_MOCK_FIRST_BYTE_MS",
        "N",
        None,
        "Wait N milliseconds between the head of every answer outside /__admin/ and its body's first byte, sent in chunks [default: no wait]",
    ),
];

/// What a command line asks for: where to listen, the data file to read, and the mock's options (without the
/// file's investigations, which the driver reads and gives to [`crate::data::parse_investigations`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Invocation {
    /// `--host`.
    pub host: IpAddr,
    /// `--port`.
    pub port: u16,
    /// `--data`: the file to read.
    pub data: Option<String>,
    /// Every other flag.
    pub options: Options,
}

/// A flag value that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FlagError {
    /// The value does not parse or is out of range.
    #[error("invalid value `{value}` for `--{flag}`: {problem}")]
    Invalid {
        /// The flag, without dashes.
        flag: &'static str,
        /// The value given.
        value: String,
        /// What the flag accepts.
        problem: String,
    },
    /// A flag the table does not have.
    #[error("unknown flag `--{0}`")]
    Unknown(String),
    /// The values are fine one by one but not together.
    #[error(transparent)]
    Options(#[from] OptionsError),
}

/// Reads the values given (each flag's long name and its value as text, in order; a repeatable flag once per
/// value) into an [`Invocation`]; flags not given take their defaults. A flag given twice that is not
/// repeatable keeps its last value.
pub fn parse<'a>(values: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Invocation, FlagError> {
    let mut inv =
        Invocation { host: IpAddr::V4(Ipv4Addr::LOCALHOST), port: 4010, data: None, options: Options::default() };
    let o = &mut inv.options;
    for (long, value) in values {
        let flag = FLAGS.iter().find(|f| f.long == long).ok_or_else(|| FlagError::Unknown(long.to_string()))?;
        let bad = |problem: &str| FlagError::Invalid {
            flag: flag.long,
            value: value.to_string(),
            problem: problem.to_string(),
        };
        match flag.long {
            "host" => {
                inv.host = value.parse().map_err(|_| bad("expected an IPv4 or IPv6 address such as 127.0.0.1"))?
            }
            "port" => inv.port = value.parse().map_err(|_| bad("expected a port from 0 to 65535"))?,
            "seed" => {
                o.seed = value.parse().map_err(|_| bad("expected a whole number from 0 to 18446744073709551615"))?
            }
            "count" => {
                o.count = value
                    .parse()
                    .ok()
                    .filter(|n| *n <= MAX_COUNT)
                    .ok_or_else(|| bad(&format!("expected a whole number from 0 to {MAX_COUNT}")))?
            }
            "data" => inv.data = Some(value.to_string()),
            "token" => o.tokens.push(value.to_string()),
            "forbidden-token" => o.forbidden_tokens.push(value.to_string()),
            "per-minute" => {
                o.per_minute = at_least_one(value).ok_or_else(|| bad("expected a whole number from 1 to 4294967295"))?
            }
            "per-hour" => {
                o.per_hour = at_least_one(value).ok_or_else(|| bad("expected a whole number from 1 to 4294967295"))?
            }
            "window" => o.window = value.parse::<Window>().map_err(|e| bad(&e))?,
            "time-scale" => {
                o.time_scale = value
                    .parse()
                    .ok()
                    .filter(|v: &f64| v.is_finite() && *v > 0.0)
                    .ok_or_else(|| bad("expected a number above 0"))?
            }
            "fault-rate" => {
                o.fault_rate = value
                    .parse()
                    .ok()
                    .filter(|v: &f64| (0.0..=1.0).contains(v))
                    .ok_or_else(|| bad("expected a number from 0 to 1"))?
            }
            "latency-ms" => {
                o.latency =
                    Duration::from_millis(value.parse().map_err(|_| bad("expected a whole number of milliseconds"))?)
            }
            "cors-origin" => o.cors_origin = value.to_string(),
            "now" => o.now = Some(Timestamp::parse(value).map_err(|e| bad(&e.to_string()))?),
            "odata" => o.odata = value.parse().map_err(|e: String| bad(&e))?,
            "next-links" => o.next_links = value.parse().map_err(|e: String| bad(&e))?,
            "retry-after-ms" => o.retry_after_ms = switch_value(value).ok_or_else(|| bad("expected true or false"))?,
            "cpu-throttle-rate" => {
                o.cpu_throttle_rate = value
                    .parse()
                    .ok()
                    .filter(|v: &f64| (0.0..=1.0).contains(v))
                    .ok_or_else(|| bad("expected a number from 0 to 1"))?
            }
            "live" => o.live = switch_value(value).ok_or_else(|| bad("expected true or false"))?,
            "live-rate" => {
                o.live_rate = value
                    .parse()
                    .ok()
                    .filter(|v: &f64| (0.0..=crate::live::MAX_RATE).contains(v))
                    .ok_or_else(|| bad("expected a number of arrivals per hour from 0 to 3600"))?
            }
            "bandwidth" => {
                o.bandwidth = Some(
                    value.parse().ok().filter(|n: &u64| *n >= 1).ok_or_else(|| bad(crate::options::BANDWIDTH_RANGE))?,
                )
            }
            "first-byte-ms" => {
                let ms = value
                    .parse()
                    .ok()
                    .filter(|n: &u64| (1..=crate::options::MAX_FIRST_BYTE_MS).contains(n))
                    .ok_or_else(|| bad(crate::options::FIRST_BYTE_RANGE))?;
                o.first_byte = Some(Duration::from_millis(ms));
            }
            _ => return Err(FlagError::Unknown(long.to_string())),
        }
    }
    inv.options.validate()?;
    Ok(inv)
}

/// A switch's value: `true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off` (any case), what clap's variables take.
pub fn switch_value(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "y" | "on" => Some(true),
        "false" | "0" | "no" | "n" | "off" | "" => Some(false),
        _ => None,
    }
}

fn at_least_one(value: &str) -> Option<u32> {
    value.parse().ok().filter(|n| *n >= 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_to_the_default_options() {
        let defaults = FLAGS.iter().filter_map(|f| f.default.map(|d| (f.long, d)));
        let inv = parse(defaults).unwrap();
        assert_eq!(inv.options, Options::default());
        assert_eq!((inv.host, inv.port, inv.data.clone()), (IpAddr::V4(Ipv4Addr::LOCALHOST), 4010, None));
        assert_eq!(parse([]).unwrap(), inv);
    }

    #[test]
    fn every_option_flag_has_its_javascript_name() {
        for f in FLAGS.iter().filter(|f| !["host", "port", "data"].contains(&f.long)) {
            let flag = format!("--{}", f.long);
            assert!(crate::options::name::ALL.iter().any(|n| n.flag == flag), "{flag} has no option name");
        }
    }

    #[test]
    fn every_flag_has_a_variable_named_after_it() {
        for f in FLAGS {
            assert_eq!(f.env, format!("MDE_MOCK_{}", f.long.to_uppercase().replace('-', "_")));
            assert!(!f.help.is_empty() && !f.help.ends_with('.'), "{}", f.long);
        }
    }

    #[test]
    fn values_reach_the_options_and_bad_ones_name_the_flag() {
        let inv = parse([
            ("host", "::1"),
            ("port", "0"),
            ("token", "a"),
            ("token", "b"),
            ("window", "fixed"),
            ("retry-after-ms", "true"),
            ("live", "true"),
            ("live-rate", "120"),
            ("next-links", "stale"),
            ("time-scale", "0.5"),
            ("now", "2026-01-01T00:00:00Z"),
            ("data", "x.json"),
            ("bandwidth", "2000000"),
            ("first-byte-ms", "300"),
        ])
        .unwrap();
        assert_eq!(inv.host.to_string(), "::1");
        assert_eq!(inv.port, 0);
        assert_eq!(inv.options.tokens, ["a", "b"]);
        assert_eq!(inv.options.window, Window::Fixed);
        assert_eq!(inv.options.time_scale, 0.5);
        assert_eq!(inv.data.as_deref(), Some("x.json"));
        assert!(inv.options.retry_after_ms);
        assert_eq!((inv.options.live, inv.options.live_rate), (true, 120.0));
        assert_eq!(inv.options.next_links, crate::NextLinks::Stale);
        assert_eq!(inv.options.bandwidth, Some(2_000_000));
        assert_eq!(inv.options.first_byte, Some(Duration::from_millis(300)));
        for (flag, value, expected) in [
            ("per-minute", "zero", "invalid value `zero` for `--per-minute`"),
            ("per-minute", "0", "for `--per-minute`: expected a whole number from 1"),
            ("window", "tumbling", "unknown window `tumbling`"),
            ("time-scale", "-1", "`--time-scale`: expected a number above 0"),
            ("now", "yesterday", "`--now`"),
            ("live-rate", "4000", "`--live-rate`: expected a number of arrivals per hour from 0 to 3600"),
            ("live", "maybe", "`--live`: expected true or false"),
            ("port", "70000", "`--port`"),
            (
                "bandwidth",
                "0",
                "invalid value `0` for `--bandwidth`: must be a whole number of bytes per second, at least 1",
            ),
            ("bandwidth", "-1", "invalid value `-1` for `--bandwidth`"),
            ("first-byte-ms", "0", "invalid value `0` for `--first-byte-ms`: must be a whole number of milliseconds"),
            ("first-byte-ms", "-300", "`--first-byte-ms`"),
            ("cors-origin", "a\u{7}", "`corsOrigin` (--cors-origin)"),
            ("colour", "x", "unknown flag `--colour`"),
        ] {
            let msg = parse([(flag, value)]).unwrap_err().to_string();
            assert!(msg.contains(expected), "{flag} {value}: {msg}");
        }
    }
}

//! The OData version whose syntax the mock accepts, and what that means for the `$filter` parser.
//!
//! The service implements OData 4.0: Microsoft answered so in its documentation's tracker
//! (<https://github.com/MicrosoftDocs/microsoft-365-docs/issues/5330>). OData 4.01 added `in` and operators in
//! any case ("4.01 Services MUST support case-insensitive operator names. Clients that want to work with 4.0
//! services MUST use lower case operator names",
//! <https://docs.oasis-open.org/odata/odata/v4.01/odata-v4.01-part2-url-conventions.html#sec_LogicalOperators>).
//! By default the mock answers those with `400 ODataError`, so that a client that passes against it works
//! against the service; `--odata 4.01` accepts them.

use mde_core::filter::{Dialect, ParseOptions};

/// An OData version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ODataVersion {
    /// 4.0, what the service implements (the default).
    #[default]
    V40,
    /// 4.01: 4.0 with `in` and operators in any case.
    V401,
}

impl ODataVersion {
    /// `4.0` or `4.01`.
    pub fn as_str(self) -> &'static str {
        match self {
            ODataVersion::V40 => "4.0",
            ODataVersion::V401 => "4.01",
        }
    }

    /// How mde-core parses a `$filter` of this version.
    pub fn parse_options(self) -> ParseOptions {
        ParseOptions::with_dialect(match self {
            ODataVersion::V40 => Dialect::OData40,
            ODataVersion::V401 => Dialect::OData401,
        })
    }
}

impl std::str::FromStr for ODataVersion {
    type Err = String;

    fn from_str(s: &str) -> Result<ODataVersion, String> {
        match s {
            "4.0" => Ok(ODataVersion::V40),
            "4.01" => Ok(ODataVersion::V401),
            other => Err(format!("unknown OData version `{other}`: expected 4.0 or 4.01")),
        }
    }
}

/// Which list pages carry an `@odata.nextLink`.
///
/// The service sends one only when a page is read without `$top` and more items match: an absolute link on
/// the same host, the request's query with `$skip` advanced by 10,000
/// (<https://github.com/MicrosoftDocs/microsoft-365-docs/issues/8316>); with `$top`, none
/// (<https://github.com/MicrosoftDocs/microsoft-365-docs/issues/8489>). The other modes exist to test a
/// client's handling of links against the mock rather than against stubs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NextLinks {
    /// As the service: only without `$top` (the default).
    #[default]
    Service,
    /// Also with `$top`, `$skip` advanced by the page (a well-behaved server).
    Always,
    /// Like `Always`, but every link asks for the second page again (`$skip` of one page), as the later links
    /// in the issue above did: a client that follows links blindly never ends.
    Stale,
    /// Like `Always`, but on another origin (`https://nextlink.invalid`): a client must not follow it, nor send
    /// its token there.
    Foreign,
}

impl NextLinks {
    /// `service`, `always`, `stale` or `foreign`.
    pub fn as_str(self) -> &'static str {
        match self {
            NextLinks::Service => "service",
            NextLinks::Always => "always",
            NextLinks::Stale => "stale",
            NextLinks::Foreign => "foreign",
        }
    }
}

impl std::str::FromStr for NextLinks {
    type Err = String;

    fn from_str(s: &str) -> Result<NextLinks, String> {
        match s {
            "service" => Ok(NextLinks::Service),
            "always" => Ok(NextLinks::Always),
            "stale" => Ok(NextLinks::Stale),
            "foreign" => Ok(NextLinks::Foreign),
            other => Err(format!("unknown next-link mode `{other}`: expected service, always, stale or foreign")),
        }
    }
}

//! The oracle: what the service must answer, computed naively from the API's documentation, sharing no code
//! with mde-core or mde-mock.
//!
//! - [`model`]: investigations, their comparable [`Record`](model::Record), the documented order;
//! - [`time`]: date-times (parsing and writing RFC 3339 by counting days);
//! - [`filter`]: filters that carry their meaning and write themselves as OData text;
//! - [`gen`]: proptest strategies for awkward data sets, filters and invalid queries;
//! - [`encode`]: query strings spelled the many ways clients send them;
//! - this module: the expected page of a query, and the expected error of an invalid one.

pub mod encode;
pub mod filter;
pub mod gen;
pub mod model;
pub mod time;

use filter::Expr;
use model::{documented_order, Inv, Record};

/// The most items one page holds, with or without `$top`.
pub const MAX_PAGE: usize = 10_000;

/// The `error.code` of a refused query (status `400` for both).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// Any invalid query option: `$filter`, `$top`, `$skip`, an unknown `$` option ("Invalid OData URI query",
    /// <https://learn.microsoft.com/en-us/defender-endpoint/api/common-errors>).
    ODataError,
}

impl ErrorCode {
    /// The code as the service writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::ODataError => "ODataError",
        }
    }
}

/// Every investigation matching `filter` (all without one), in the documented order.
pub fn select(data: &[Inv], filter: Option<&Expr>) -> Vec<Record> {
    let mut all: Vec<Record> = data.iter().map(Inv::record).filter(|r| filter.is_none_or(|f| f.eval(r))).collect();
    all.sort_by(documented_order);
    all
}

/// The page that `GET /api/investigations?$filter&$top&$skip` returns.
pub fn page(data: &[Inv], filter: Option<&Expr>, top: Option<u32>, skip: u64) -> Vec<Record> {
    let top = top.map_or(MAX_PAGE, |t| (t as usize).min(MAX_PAGE));
    select(data, filter).into_iter().skip(usize::try_from(skip).unwrap_or(usize::MAX)).take(top).collect()
}

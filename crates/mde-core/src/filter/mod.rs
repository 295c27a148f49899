//! The OData `$filter` of the List Investigations API: a typed tree, builders, a parser, a printer, and
//! an evaluator.
//!
//! The API filters on five properties only: `startTime` (a UTC date-time), `state` (an
//! [`InvestigationState`](crate::InvestigationState), `eq`/`ne`/`in` only), and the strings `id`,
//! `machineId` and `triggeringAlertId`; with `eq ne gt ge lt le`, `in (...)`, `and`, `or`, `not` and
//! parentheses. A [`Filter`] can hold nothing else, so a filter built in code is always valid.
//!
//! The service implements OData 4.0 (<https://github.com/MicrosoftDocs/microsoft-365-docs/issues/5330>), where
//! `in` does not exist (it came with OData 4.01): the parser reads `in` lists, and the printer sends them as the
//! equivalent `or` of `eq` in parentheses. [`Dialect`] chooses how strict the parser is.
//!
//! ```
//! use mde_core::filter::{machine_id, start_time, state, Filter};
//! use mde_core::{InvestigationState, Timestamp};
//!
//! let since = Timestamp::parse("2024-01-01T00:00:00Z")?;
//! let f = start_time().ge(since).and(state().eq(InvestigationState::Running));
//! assert_eq!(f.to_odata(), "startTime ge 2024-01-01T00:00:00Z and state eq 'Running'");
//!
//! // Values are quoted and escaped: no value can change the filter's structure.
//! let g = machine_id().eq("x' or id eq '1");
//! assert_eq!(g.to_odata(), "machineId eq 'x'' or id eq ''1'");
//! assert_eq!(Filter::parse(&g.to_odata())?, g);
//!
//! // Text written by users or other tools parses into the same tree; errors say where and what.
//! let err = Filter::parse("startTim ge 2024-01-01T00:00:00Z").unwrap_err();
//! assert_eq!(err.position, 0);
//! assert!(err.to_string().contains("did you mean `startTime`?"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! What it is not: it does not percent-encode (that is [`ListQuery`](crate::query::ListQuery)'s job) and
//! knows nothing about other OData query options.

mod ast;
mod build;
mod error;
mod eval;
mod lex;
mod parse;
mod serialize;
mod suggest;

pub use ast::{CmpOp, Condition, Filter, OneOrMore, Property, StateTest, Test};
pub use build::{id, machine_id, start_time, state, triggering_alert_id, StateField, TextField, TimeField};
pub(crate) use error::Excerpt;
pub use error::{FilterError, FilterErrorKind};
pub use eval::compare_ordinal;
pub use parse::{Dialect, ParseOptions};

//! The `$filter` parser: recursive descent over [`lex`](super::lex) tokens, with explicit limits.
//!
//! Grammar (keywords ignore ASCII case, property names do not):
//! ```text
//! filter    := or
//! or        := and ("or" and)*                      left-associative
//! and       := unary ("and" unary)*                 left-associative
//! unary     := "not" unary | "(" or ")" | condition
//! condition := property ("eq"|"ne"|"gt"|"ge"|"lt"|"le") value
//!            | property "in" "(" value ("," value)* ")"
//! ```
//! Whitespace (space, tab, CR, LF) is allowed anywhere between tokens and needed only between two words.
//! Only `not` and `(` recurse, and each adds one level that [`ParseOptions::max_depth`] bounds, so the
//! parser's stack use is bounded whatever the input.

use super::ast::{CmpOp, Condition, Filter, OneOrMore, Property, StateTest, Test};
use super::error::{Excerpt, FilterError, FilterErrorKind};
use super::lex::{is_space, paren_follows, unquote, Lexer, Tok, Token};
use super::suggest::did_you_mean;
use crate::{InvestigationState, Timestamp};
use std::borrow::Cow;

/// Which syntax [`Filter::parse_with`] accepts. Property names are read ignoring ASCII case in every dialect
/// (`StartTime` is `startTime`), as the service's OData library reads them; whitespace between tokens is
/// optional where no two words meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Dialect {
    /// What people write (the default, for a client): OData 4.0, OData 4.01's additions (`in`, operators in any
    /// case), date-times in quotes and unquoted digits as an `id`. [`Filter::to_odata`] prints all of it as
    /// OData 4.0.
    #[default]
    Lenient,
    /// OData 4.0, the version the service implements (what the mock accepts by default): operators in lower
    /// case, no `in`, and each value of its property's type (a date-time unquoted, an `id` in quotes).
    OData40,
    /// OData 4.01: 4.0 with `in` and operators in any case.
    OData401,
}

/// Limits and leniency of [`Filter::parse_with`].
///
/// The limits keep every parsed filter cheap to evaluate, print, compare and drop: the tree is at most
/// `max_conditions + max_depth` levels deep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseOptions {
    /// The syntax accepted (default [`Dialect::Lenient`]).
    pub dialect: Dialect,
    /// Accept state names that are not documented, as [`InvestigationState::Other`] (default `false`: an
    /// [`FilterErrorKind::UnknownState`] error with a did-you-mean).
    pub allow_unknown_states: bool,
    /// Longest accepted text, in bytes (default 64 KiB).
    pub max_len: usize,
    /// Deepest accepted nesting of parentheses and `not` (default 64): `not ((a))` is 3 levels.
    pub max_depth: usize,
    /// Most conditions accepted in one filter (default 1,000); an `in` list counts as one condition.
    pub max_conditions: usize,
}

impl ParseOptions {
    /// The defaults: the lenient dialect, strict states, 64 KiB, 64 levels, 1,000 conditions.
    pub const DEFAULT: ParseOptions = ParseOptions {
        dialect: Dialect::Lenient,
        allow_unknown_states: false,
        max_len: 64 * 1024,
        max_depth: 64,
        max_conditions: 1000,
    };

    /// The defaults, but undocumented state names are accepted as [`InvestigationState::Other`].
    pub const LENIENT_STATES: ParseOptions = ParseOptions { allow_unknown_states: true, ..ParseOptions::DEFAULT };

    /// The defaults in the given dialect.
    pub const fn with_dialect(dialect: Dialect) -> ParseOptions {
        ParseOptions { dialect, ..ParseOptions::DEFAULT }
    }
}

impl Default for ParseOptions {
    fn default() -> ParseOptions {
        ParseOptions::DEFAULT
    }
}

const EXPECT_CONDITION: &str = "a property (startTime, id, state, machineId, triggeringAlertId), `not` or `(`";
const EXPECT_OPERATOR: &str = "an operator: eq, ne, gt, ge, lt, le or in";
const EXPECT_END: &str = "`and`, `or` or the end of the filter";
const EXPECT_CLOSE: &str = "`and`, `or` or `)`";
const EXPECT_LIST_NEXT: &str = "`,` or `)`";
const EXPECT_TIME: &str = "a date-time like 2024-01-01T00:00:00Z";
const EXPECT_STRING: &str = "a string in single quotes, like 'abc' (a quote inside is written '')";
const EXPECT_ID: &str = "a string in single quotes, like '63017', or digits";
const EXPECT_STATE: &str = "a state name in single quotes, like 'Running'";
/// The documented state names, as [`InvestigationState::KNOWN_NAMES`] lists them.
const EXPECT_KNOWN_STATE: &str = "one of the documented states: Unknown, Terminated, SuccessfullyRemediated, Benign, \
    Failed, PartiallyRemediated, Running, PendingApproval, PendingResource, PartiallyInvestigated, TerminatedByUser, \
    TerminatedBySystem, Queued, InnerFailure, PreexistingAlert, UnsupportedOs, UnsupportedAlertType, SuppressedAlert, \
    Disabled";

/// Investigation properties that exist but that the API does not filter on.
const NOT_FILTERABLE: &[&str] = &["endTime", "cancelledBy", "statusDetails", "computerDnsName"];

/// Words from other operator sets, refused with a typed error rather than "unexpected token".
const UNSUPPORTED_OPERATORS: &[&str] = &["has", "add", "sub", "mul", "div", "divby", "mod"];

const KEYWORDS: &[&str] = &["and", "or", "not", "in", "eq", "ne", "gt", "ge", "lt", "le"];

impl Filter {
    /// Parses `$filter` text with the default (strict) [`ParseOptions`]: undocumented state names are
    /// errors.
    ///
    /// Accepted beyond what [`Filter::to_odata`] prints ([`Dialect::Lenient`]): keywords in any case (`AND`,
    /// `Eq`), `in` lists, property names in any case (`StartTime`), any whitespace or none around parentheses
    /// and commas, date-times with offsets, without seconds and with up to 12 fractional digits (kept as the UTC
    /// instant), date-times in quotes (`startTime ge '2024-01-01T00:00:00Z'`), and unquoted digits as an `id`
    /// (`id eq 63017` is `id eq '63017'`, digits kept as written). Date-times must be what the service's .NET
    /// `DateTimeOffset` holds: years 0001 to 9999, offsets within ±14:00.
    ///
    /// ```
    /// use mde_core::filter::{state, start_time, Filter};
    /// use mde_core::{InvestigationState, Timestamp};
    ///
    /// let f = Filter::parse("startTime ge 2024-01-01T00:00:00.000Z AND (state eq 'Running' or state eq 'Queued')")?;
    /// let t = Timestamp::parse("2024-01-01T00:00:00Z")?;
    /// let running = state().eq(InvestigationState::Running);
    /// assert_eq!(f, start_time().ge(t).and(running.or(state().eq(InvestigationState::Queued))));
    /// assert_eq!(f.to_odata(), "startTime ge 2024-01-01T00:00:00Z and (state eq 'Running' or state eq 'Queued')");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn parse(text: &str) -> Result<Filter, FilterError> {
        Filter::parse_with(text, &ParseOptions::DEFAULT)
    }

    /// Parses `$filter` text with the given limits and leniency (see [`Filter::parse`] for the syntax).
    pub fn parse_with(text: &str, opts: &ParseOptions) -> Result<Filter, FilterError> {
        if text.len() > opts.max_len {
            return Err(too_long(text, opts.max_len));
        }
        if text.bytes().all(is_space) {
            return Err(FilterError {
                kind: FilterErrorKind::Empty,
                position: 0,
                expected: EXPECT_CONDITION.into(),
                found: if text.is_empty() { "nothing" } else { "only whitespace" }.into(),
            });
        }
        let mut p = Parser { text, lex: Lexer::new(text), peeked: None, depth: 0, conditions: 0, opts };
        p.whole().map_err(|e| *e)
    }
}

impl std::str::FromStr for Filter {
    type Err = FilterError;
    fn from_str(s: &str) -> Result<Filter, FilterError> {
        Filter::parse(s)
    }
}

/// The error for a text longer than `limit` bytes; it points at the last character boundary within the limit.
#[cold]
#[inline(never)]
fn too_long(text: &str, limit: usize) -> FilterError {
    // `limit` is inside the text; byte 0 is a boundary, so the loop stops there at the latest.
    let mut position = limit;
    while !text.is_char_boundary(position) {
        position -= 1;
    }
    FilterError {
        kind: FilterErrorKind::TooLong { limit },
        position,
        expected: with_number("at most ", limit, " bytes").into(),
        found: with_number("", text.len(), " bytes"),
    }
}

/// `before`, the number, `after`: the one place a number goes into an `expected` or `found` text.
fn with_number(before: &str, n: usize, after: &str) -> String {
    format!("{before}{n}{after}")
}

/// Whether `word` is one of `words`, ignoring ASCII case.
fn is_one_of(words: &[&str], word: &str) -> bool {
    words.iter().any(|w| w.eq_ignore_ascii_case(word))
}

/// The binary connectives, `or` binding less tightly than `and`.
#[derive(Clone, Copy)]
enum Connective {
    Or,
    And,
}

impl Connective {
    fn keyword(self) -> &'static str {
        match self {
            Connective::Or => "or",
            Connective::And => "and",
        }
    }
}

/// The operator of a condition.
#[derive(Clone, Copy)]
enum Op {
    Cmp(CmpOp),
    In,
}

struct Parser<'a, 'o> {
    text: &'a str,
    lex: Lexer<'a>,
    peeked: Option<Token<'a>>,
    depth: usize,
    conditions: usize,
    opts: &'o ParseOptions,
}

/// Errors are boxed inside the parser: every `Res` stays small, which keeps the generated code small.
type Res<T> = Result<T, Box<FilterError>>;

/// A value of a property's type.
enum Value {
    Time(Timestamp),
    Text(String),
    State(InvestigationState),
}

/// An `in` list of values of a property's type (never empty).
enum List {
    Time(Vec<Timestamp>),
    Text(Vec<String>),
    State(Vec<InvestigationState>),
}

/// The condition on a string property (`id`, `machineId` or `triggeringAlertId`).
fn text_condition(property: Property, test: Test<String>) -> Condition {
    match property {
        Property::Id => Condition::Id(test),
        Property::MachineId => Condition::MachineId(test),
        _ => Condition::TriggeringAlertId(test),
    }
}

impl<'a, 'o> Parser<'a, 'o> {
    /// The whole text: a filter and nothing after it.
    fn whole(&mut self) -> Res<Filter> {
        let filter = self.or()?;
        let t = self.next()?;
        match t.tok {
            Tok::End => Ok(filter),
            Tok::RParen => Err(self.error(FilterErrorKind::UnbalancedParentheses { open: None }, &t, EXPECT_END)),
            _ => Err(self.after_operand(&t, EXPECT_END, FilterErrorKind::TrailingInput)),
        }
    }

    fn next(&mut self) -> Res<Token<'a>> {
        match self.peeked.take() {
            Some(t) => Ok(t),
            None => self.lex.next_token(),
        }
    }

    fn peek(&mut self) -> Res<&Token<'a>> {
        let t = self.next()?;
        Ok(self.peeked.insert(t))
    }

    fn peek_keyword(&mut self, word: &str) -> Res<bool> {
        Ok(matches!(self.peek()?.tok, Tok::Ident(w) if w.eq_ignore_ascii_case(word)))
    }

    fn found(&self, t: &Token<'_>) -> String {
        match t.tok {
            Tok::End => "end of input".into(),
            _ => format!("`{}`", Excerpt(self.text.get(t.start..t.end).unwrap_or(""))),
        }
    }

    /// The error at `position`, found `t`: every error of the parser is made here.
    #[cold]
    #[inline(never)]
    fn fail(
        &self,
        kind: FilterErrorKind,
        position: usize,
        t: &Token<'_>,
        expected: Cow<'static, str>,
    ) -> Box<FilterError> {
        Box::new(FilterError { kind, position, expected, found: self.found(t) })
    }

    /// The error at token `t`.
    fn error(&self, kind: FilterErrorKind, t: &Token<'_>, expected: &'static str) -> Box<FilterError> {
        self.fail(kind, t.start, t, Cow::Borrowed(expected))
    }

    /// `UnexpectedEnd` at the end of the text, `UnexpectedToken` elsewhere.
    fn unexpected(&self, t: &Token<'_>, expected: &'static str) -> Box<FilterError> {
        let kind = match t.tok {
            Tok::End => FilterErrorKind::UnexpectedEnd,
            _ => FilterErrorKind::UnexpectedToken,
        };
        self.error(kind, t, expected)
    }

    /// The error for a token that cannot follow a complete operand; `fallback` when nothing more specific.
    fn after_operand(&self, t: &Token<'_>, expected: &'static str, fallback: FilterErrorKind) -> Box<FilterError> {
        let kind = match t.tok {
            Tok::Ident(w) if is_one_of(UNSUPPORTED_OPERATORS, w) => {
                FilterErrorKind::UnsupportedOperator { op: w.to_owned() }
            }
            Tok::Sym(s) => return self.symbol_error(t, s),
            _ => fallback,
        };
        self.error(kind, t, expected)
    }

    /// `>=`, `&&` and friends: refused with the OData word to use instead.
    fn symbol_error(&self, t: &Token<'_>, sym: &str) -> Box<FilterError> {
        let expected = match sym {
            "=" | "==" => "`eq` (OData writes = as eq)",
            "!=" | "<>" => "`ne` (OData writes != as ne)",
            ">" => "`gt` (OData writes > as gt)",
            ">=" => "`ge` (OData writes >= as ge)",
            "<" => "`lt` (OData writes < as lt)",
            "<=" => "`le` (OData writes <= as le)",
            "&" | "&&" => "`and` (OData writes && as and; to read a query string use ListQuery::from_query_string)",
            "|" | "||" => "`or` (OData writes || as or)",
            "!" => "`not` (OData writes ! as not)",
            _ => "an OData operator: eq, ne, gt, ge, lt, le, in, and, or, not",
        };
        self.error(FilterErrorKind::UnsupportedOperator { op: sym.to_owned() }, t, expected)
    }

    /// In [`Dialect::OData40`], the keyword `t` (which is `word` ignoring case) must be written in lower case.
    fn lower_case_keyword(&self, t: &Token<'_>, word: &'static str) -> Res<()> {
        match t.tok {
            Tok::Ident(w) if self.opts.dialect == Dialect::OData40 && w != word => {
                let construct = "an operator in upper or mixed case";
                let expected = match word {
                    "and" => "`and` (OData 4.0 writes operators in lower case)",
                    "or" => "`or` (OData 4.0 writes operators in lower case)",
                    "not" => "`not` (OData 4.0 writes operators in lower case)",
                    _ => "eq, ne, gt, ge, lt or le (OData 4.0 writes operators in lower case)",
                };
                Err(self.error(FilterErrorKind::NotOData40 { construct }, t, expected))
            }
            _ => Ok(()),
        }
    }

    fn enter(&mut self, t: &Token<'_>) -> Res<()> {
        self.depth += 1;
        if self.depth > self.opts.max_depth {
            let limit = self.opts.max_depth;
            let expected = with_number("at most ", limit, " nested levels of parentheses and `not`");
            return Err(self.fail(FilterErrorKind::TooDeep { limit }, t.start, t, expected.into()));
        }
        Ok(())
    }

    fn or(&mut self) -> Res<Filter> {
        self.chain(Connective::Or)
    }

    /// A left-associative chain: `or` of `and` chains, `and` of unary filters.
    fn chain(&mut self, connective: Connective) -> Res<Filter> {
        let mut left = self.chain_operand(connective)?;
        while self.peek_keyword(connective.keyword())? {
            let t = self.next()?;
            self.lower_case_keyword(&t, connective.keyword())?;
            let right = self.chain_operand(connective)?;
            left = match connective {
                Connective::Or => left.or(right),
                Connective::And => left.and(right),
            };
        }
        Ok(left)
    }

    fn chain_operand(&mut self, connective: Connective) -> Res<Filter> {
        match connective {
            Connective::Or => self.chain(Connective::And),
            Connective::And => self.unary(),
        }
    }

    fn unary(&mut self) -> Res<Filter> {
        let t = self.next()?;
        match t.tok {
            Tok::Ident(w) if w.eq_ignore_ascii_case("not") => {
                self.lower_case_keyword(&t, "not")?;
                self.enter(&t)?;
                let inner = self.unary()?;
                self.depth -= 1;
                Ok(Filter::Not(Box::new(inner)))
            }
            Tok::LParen => {
                self.enter(&t)?;
                let inner = self.or()?;
                let close = self.next()?;
                match close.tok {
                    Tok::RParen => {}
                    Tok::End => {
                        let kind = FilterErrorKind::UnbalancedParentheses { open: Some(t.start) };
                        return Err(self.error(kind, &close, EXPECT_CLOSE));
                    }
                    _ => return Err(self.after_operand(&close, EXPECT_CLOSE, FilterErrorKind::UnexpectedToken)),
                }
                self.depth -= 1;
                Ok(inner)
            }
            _ => self.condition(t).map(Filter::Cond),
        }
    }

    fn condition(&mut self, t: Token<'a>) -> Res<Condition> {
        let property = self.property(&t)?;
        self.conditions += 1;
        if self.conditions > self.opts.max_conditions {
            let limit = self.opts.max_conditions;
            let expected = with_number("at most ", limit, " conditions");
            return Err(self.fail(FilterErrorKind::TooManyConditions { limit }, t.start, &t, expected.into()));
        }
        let op_tok = self.next()?;
        let op = self.operator(&op_tok)?;
        if let (Property::State, Op::Cmp(op @ (CmpOp::Gt | CmpOp::Ge | CmpOp::Lt | CmpOp::Le))) = (property, op) {
            let kind = FilterErrorKind::OperatorNotAllowed { property, op };
            return Err(self.error(kind, &op_tok, "eq, ne or in (states have no order)"));
        }
        let t = self.next()?;
        Ok(match op {
            Op::Cmp(op) => match self.value(property, t)? {
                Value::Time(v) => Condition::StartTime(Test::Cmp(op, v)),
                Value::Text(v) => text_condition(property, Test::Cmp(op, v)),
                Value::State(v) if op == CmpOp::Eq => Condition::State(StateTest::Eq(v)),
                Value::State(v) => Condition::State(StateTest::Ne(v)), // the only other operator here
            },
            Op::In => match self.list(property, t)? {
                List::Time(v) => Condition::StartTime(Test::In(OneOrMore(v))),
                List::Text(v) => text_condition(property, Test::In(OneOrMore(v))),
                List::State(v) => Condition::State(StateTest::In(OneOrMore(v))),
            },
        })
    }

    fn property(&self, t: &Token<'a>) -> Res<Property> {
        let name = match t.tok {
            Tok::Ident(name) => name,
            Tok::RParen if self.depth == 0 => {
                return Err(self.error(FilterErrorKind::UnbalancedParentheses { open: None }, t, EXPECT_CONDITION))
            }
            Tok::Sym(s) => return Err(self.symbol_error(t, s)),
            _ => return Err(self.unexpected(t, EXPECT_CONDITION)),
        };
        if let Some(p) = Property::from_name_ignoring_case(name) {
            return Ok(p);
        }
        let kind = if paren_follows(self.text, t.end) {
            FilterErrorKind::UnsupportedFunction { name: name.to_owned() }
        } else if is_one_of(KEYWORDS, name) {
            FilterErrorKind::UnexpectedToken
        } else if NOT_FILTERABLE.contains(&name) {
            FilterErrorKind::NotFilterable { name: name.to_owned() }
        } else {
            let names = Property::ALL.map(Property::as_str);
            let suggestion = did_you_mean(name, &names).and_then(Property::from_name);
            FilterErrorKind::UnknownProperty { name: name.to_owned(), suggestion }
        };
        Err(self.error(kind, t, EXPECT_CONDITION))
    }

    /// The operator after a property.
    fn operator(&self, t: &Token<'_>) -> Res<Op> {
        if let Tok::Ident(w) = t.tok {
            if w.eq_ignore_ascii_case("in") {
                if self.opts.dialect == Dialect::OData40 {
                    let construct = "`in`";
                    let expected = "eq, ne, gt, ge, lt or le (OData 4.0 has no `in`: write `(p eq 'a' or p eq 'b')`)";
                    return Err(self.error(FilterErrorKind::NotOData40 { construct }, t, expected));
                }
                return Ok(Op::In);
            }
            if let Some(op) = CmpOp::from_keyword(w) {
                self.lower_case_keyword(t, op.as_str())?;
                return Ok(Op::Cmp(op));
            }
        }
        let fallback = match t.tok {
            Tok::End => FilterErrorKind::UnexpectedEnd,
            _ => FilterErrorKind::UnexpectedToken,
        };
        Err(self.after_operand(t, EXPECT_OPERATOR, fallback))
    }

    /// A value of the property's type.
    fn value(&mut self, property: Property, t: Token<'a>) -> Res<Value> {
        Ok(match property {
            Property::StartTime => Value::Time(self.time(property, t)?),
            Property::State => Value::State(self.state(property, t)?),
            Property::Id | Property::MachineId | Property::TriggeringAlertId => Value::Text(self.string(property, t)?),
        })
    }

    /// An `in` list of values of the property's type, from its `(` (which `t` must be).
    fn list(&mut self, property: Property, t: Token<'a>) -> Res<List> {
        let open = t.start;
        let t = self.list_open(&t)?;
        let mut list = match self.value(property, t)? {
            Value::Time(v) => List::Time(vec![v]),
            Value::Text(v) => List::Text(vec![v]),
            Value::State(v) => List::State(vec![v]),
        };
        while let Some(t) = self.list_next(open)? {
            match &mut list {
                List::Time(items) => items.push(self.time(property, t)?),
                List::Text(items) => items.push(self.string(property, t)?),
                List::State(items) => items.push(self.state(property, t)?),
            }
        }
        Ok(list)
    }

    /// `t` must be the `(` of an `in` list; returns the token of the list's first value.
    fn list_open(&mut self, t: &Token<'_>) -> Res<Token<'a>> {
        if !matches!(t.tok, Tok::LParen) {
            return Err(self.unexpected(t, "`(` and a list of values"));
        }
        let first = self.next()?;
        if let Tok::RParen = first.tok {
            return Err(self.error(FilterErrorKind::EmptyList, &first, "at least one value"));
        }
        Ok(first)
    }

    /// After a value of the list whose `(` is at `open`: the token of the next value, or `None` at the `)`.
    fn list_next(&mut self, open: usize) -> Res<Option<Token<'a>>> {
        let t = self.next()?;
        match t.tok {
            Tok::Comma => Ok(Some(self.next()?)),
            Tok::RParen => Ok(None),
            Tok::End => {
                let kind = FilterErrorKind::UnbalancedParentheses { open: Some(open) };
                Err(self.error(kind, &t, EXPECT_LIST_NEXT))
            }
            _ => Err(self.error(FilterErrorKind::UnexpectedToken, &t, EXPECT_LIST_NEXT)),
        }
    }

    /// The error for a token that is not a value of the property's type.
    fn value_error(&self, property: Property, t: &Token<'_>) -> Box<FilterError> {
        let expected = match property {
            Property::StartTime => EXPECT_TIME,
            Property::Id => EXPECT_ID,
            Property::State => EXPECT_STATE,
            Property::MachineId | Property::TriggeringAlertId => EXPECT_STRING,
        };
        let kind = match t.tok {
            Tok::Ident(name) if paren_follows(self.text, t.end) => {
                FilterErrorKind::UnsupportedFunction { name: name.to_owned() }
            }
            Tok::Ident(_) | Tok::Bare(_) | Tok::Str(_) => FilterErrorKind::WrongValueType { property, expected },
            _ => return self.unexpected(t, expected),
        };
        self.error(kind, t, expected)
    }

    fn string(&mut self, property: Property, t: Token<'a>) -> Res<String> {
        match t.tok {
            Tok::Str(raw) => Ok(unquote(raw).into_owned()),
            Tok::Bare(b)
                if self.opts.dialect == Dialect::Lenient
                    && property == Property::Id
                    && b.bytes().all(|c| c.is_ascii_digit()) =>
            {
                Ok(b.to_owned())
            }
            _ => Err(self.value_error(property, &t)),
        }
    }

    fn time(&mut self, property: Property, t: Token<'a>) -> Res<Timestamp> {
        // Where the literal's text starts, and whether its offsets map one to one onto the input.
        let (text, offset): (Cow<'_, str>, Option<usize>) = match t.tok {
            Tok::Bare(b) if !b.bytes().all(|c| c.is_ascii_digit()) => (Cow::Borrowed(b), Some(t.start)),
            Tok::Str(raw)
                if self.opts.dialect == Dialect::Lenient && raw.bytes().next().is_some_and(|c| c.is_ascii_digit()) =>
            {
                let s = unquote(raw);
                let verbatim = s.len() == raw.len();
                (s, verbatim.then_some(t.start + 1))
            }
            _ => return Err(self.value_error(property, &t)),
        };
        Timestamp::parse(&text).map_err(|e| {
            let (position, expected) = (offset.map_or(t.start, |o| o + e.position), e.expected);
            self.fail(FilterErrorKind::InvalidDateTime(e), position, &t, Cow::Borrowed(expected))
        })
    }

    fn state(&mut self, property: Property, t: Token<'a>) -> Res<InvestigationState> {
        let Tok::Str(raw) = t.tok else {
            return Err(self.value_error(property, &t));
        };
        match InvestigationState::from_name(&unquote(raw)) {
            InvestigationState::Other(name) if !self.opts.allow_unknown_states => {
                let suggestion = did_you_mean(&name, InvestigationState::KNOWN_NAMES);
                Err(self.error(FilterErrorKind::UnknownState { name, suggestion }, &t, EXPECT_KNOWN_STATE))
            }
            state => Ok(state),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{id, machine_id, start_time, state, triggering_alert_id};
    use super::*;
    use InvestigationState::{Queued, Running};

    fn ts(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    fn err(text: &str) -> FilterError {
        Filter::parse(text).unwrap_err()
    }

    /// (kind, position) of the error for `text`.
    fn kp(text: &str) -> (FilterErrorKind, usize) {
        let e = err(text);
        (e.kind, e.position)
    }

    #[test]
    fn precedence_and_associativity() {
        let (a, b, c) = (id().eq("a"), id().eq("b"), id().eq("c"));
        let p = |s: &str| Filter::parse(s).unwrap();
        assert_eq!(p("id eq 'a' or id eq 'b' and id eq 'c'"), a.clone().or(b.clone().and(c.clone())));
        assert_eq!(p("id eq 'a' and id eq 'b' or id eq 'c'"), a.clone().and(b.clone()).or(c.clone()));
        assert_eq!(p("id eq 'a' and id eq 'b' and id eq 'c'"), a.clone().and(b.clone()).and(c.clone()));
        assert_eq!(p("id eq 'a' or (id eq 'b' or id eq 'c')"), a.clone().or(b.clone().or(c.clone())));
        assert_eq!(p("not id eq 'a' and id eq 'b'"), (!a.clone()).and(b.clone()));
        assert_eq!(p("not (id eq 'a' and id eq 'b')"), !(a.clone().and(b.clone())));
        assert_eq!(p("not not id eq 'a'"), !!a.clone());
        assert_eq!(p("((id eq 'a'))"), a);
        assert_eq!(p("not state eq 'Running'"), !state().eq(Running));
    }

    #[test]
    fn flexible_spelling() {
        let f = state().eq(Running).or(state().eq(Queued));
        for text in [
            "state eq 'Running' or state eq 'Queued'",
            "(state eq 'Running')or(state eq 'Queued')",
            "state\teq\t'Running'\r\n\tOR state EQ 'Queued'",
            "  state eq'Running'or state eq'Queued'  ",
        ] {
            assert_eq!(Filter::parse(text).unwrap(), f, "{text}");
        }
        assert_eq!(Filter::parse("state in('Running' , 'Queued')").unwrap(), state().is_in([Running, Queued]).unwrap());
        assert_eq!(Filter::parse("NOT(id Eq '1')").unwrap(), !id().eq("1"));
    }

    #[test]
    fn values_are_typed_and_normalised() {
        let t = ts("2024-01-01T00:00:00Z");
        for text in [
            "startTime ge 2024-01-01T00:00:00Z",
            "startTime ge 2024-01-01T00:00:00.000Z",
            "startTime ge 2024-01-01T02:00:00+02:00",
            "startTime ge '2024-01-01T00:00:00Z'",
            "startTime ge '2023-12-31T23:00:00.0000000-01:00'",
        ] {
            assert_eq!(Filter::parse(text).unwrap(), start_time().ge(t), "{text}");
        }
        assert_eq!(Filter::parse("id eq 63017").unwrap(), id().eq("63017"));
        assert_eq!(Filter::parse("id in (1,'2',003)").unwrap(), id().is_in(["1", "2", "003"]).unwrap());
        assert_eq!(Filter::parse("machineId eq 'it''s'").unwrap(), machine_id().eq("it's"));
        assert_eq!(Filter::parse("triggeringAlertId ne ''").unwrap(), triggering_alert_id().ne(""));
        assert_eq!(Filter::parse("state ne 'Queued'").unwrap(), state().ne(Queued));
    }

    #[test]
    fn unknown_states_only_when_allowed() {
        assert_eq!(
            kp("state eq 'running'"),
            (FilterErrorKind::UnknownState { name: "running".into(), suggestion: Some("Running") }, 9)
        );
        assert!(matches!(
            kp("state in ('Queued','Runing')").0,
            FilterErrorKind::UnknownState { suggestion: Some("Running"), .. }
        ));
        let e = err("state eq 'Quantum'");
        assert!(e.expected.contains("SuccessfullyRemediated"), "{e}");
        let f = Filter::parse_with("state eq 'Quantum'", &ParseOptions::LENIENT_STATES).unwrap();
        assert_eq!(f, state().eq(InvestigationState::Other("Quantum".into())));
    }

    #[test]
    fn known_states_are_listed_in_order() {
        let list = format!("one of the documented states: {}", InvestigationState::KNOWN_NAMES.join(", "));
        assert_eq!(EXPECT_KNOWN_STATE, list);
    }

    #[test]
    fn property_errors() {
        // Names are read ignoring case, as the service's OData library reads them, and printed as documented.
        assert_eq!(
            Filter::parse("StartTime ge 2024-01-01T00:00:00Z").unwrap(),
            start_time().ge(ts("2024-01-01T00:00:00Z"))
        );
        assert_eq!(Filter::parse("MACHINEID eq 'x'").unwrap().to_odata(), "machineId eq 'x'");
        assert_eq!(
            kp("id eq '1' and machineIde eq 'x'"),
            (FilterErrorKind::UnknownProperty { name: "machineIde".into(), suggestion: Some(Property::MachineId) }, 14)
        );
        assert_eq!(
            kp("startTim ge 2024-01-01T00:00:00Z"),
            (FilterErrorKind::UnknownProperty { name: "startTim".into(), suggestion: Some(Property::StartTime) }, 0)
        );
        assert_eq!(kp("foo eq 1").0, FilterErrorKind::UnknownProperty { name: "foo".into(), suggestion: None });
        assert_eq!(kp("endTime lt 2024-01-01T00:00:00Z").0, FilterErrorKind::NotFilterable { name: "endTime".into() });
        let msg = err("startTim ge 2024-01-01T00:00:00Z").to_string();
        assert!(msg.contains("startTime, id, state, machineId, triggeringAlertId"), "{msg}");
        assert!(msg.contains("at byte 0"), "{msg}");
    }

    #[test]
    fn dialects() {
        let strict = ParseOptions::with_dialect(Dialect::OData40);
        let v401 = ParseOptions::with_dialect(Dialect::OData401);
        let in_list = "state in ('Running','Queued')";
        let upper = "id EQ '1' AND NOT (state eq 'Running')";
        for text in [in_list, upper] {
            assert!(Filter::parse(text).is_ok(), "{text}");
            assert!(Filter::parse_with(text, &v401).is_ok(), "{text}");
        }
        let e = Filter::parse_with(in_list, &strict).unwrap_err();
        assert_eq!((e.kind.clone(), e.position), (FilterErrorKind::NotOData40 { construct: "`in`" }, 6));
        assert!(
            e.to_string().starts_with("`in` is not OData 4.0, the version the service implements at byte 6"),
            "{e}"
        );
        for (text, position) in
            [(upper, 3), ("id eq '1' And id eq '2'", 10), ("Not (id eq '1')", 0), ("id eq '1' OR id eq '2'", 10)]
        {
            let e = Filter::parse_with(text, &strict).unwrap_err();
            let construct = "an operator in upper or mixed case";
            assert_eq!((e.kind, e.position), (FilterErrorKind::NotOData40 { construct }, position), "{text}");
        }
        // Values of the wrong type, which only the lenient dialect converts.
        for text in ["startTime ge '2024-01-01T00:00:00Z'", "id eq 63017"] {
            assert!(Filter::parse(text).is_ok(), "{text}");
            for opts in [&strict, &v401] {
                assert!(matches!(
                    Filter::parse_with(text, opts).unwrap_err().kind,
                    FilterErrorKind::WrongValueType { .. }
                ));
            }
        }
        // Property names in any case, in every dialect.
        assert_eq!(
            Filter::parse_with("StartTime ge 2026-01-01T00:00Z", &strict).unwrap().to_odata(),
            "startTime ge 2026-01-01T00:00:00Z"
        );
    }

    #[test]
    fn date_times_are_what_dotnet_holds() {
        let ok = |s: &str| Filter::parse(&format!("startTime eq {s}")).map(|f| f.to_odata());
        assert_eq!(ok("2026-01-01T10:00+02:00").unwrap(), "startTime eq 2026-01-01T08:00:00Z");
        assert_eq!(ok("2012-09-03T13:52+14:00").unwrap(), "startTime eq 2012-09-02T23:52:00Z");
        assert!(ok("2012-09-03T13:52-14:00").is_ok());
        assert!(ok("0001-01-01T00:00Z").is_ok());
        assert!(ok("9999-12-31T23:59:59.9999999Z").is_ok());
        for (literal, position, expected) in [
            ("2012-09-03T13:52+14:01", 30, "an offset from -14:00 to +14:00"),
            ("2012-09-03T13:52-23:59", 30, "an offset from -14:00 to +14:00"),
            ("0000-01-01T00:00Z", 13, "a date-time between years 0001 and 9999 in UTC"),
            ("0001-01-01T00:30+01:00", 13, "a date-time between years 0001 and 9999 in UTC"),
        ] {
            let e = ok(literal).unwrap_err();
            assert_eq!((e.position, e.expected.as_ref()), (position, expected), "{literal}");
        }
    }

    #[test]
    fn value_errors() {
        let wrong = |p, e| FilterErrorKind::WrongValueType { property: p, expected: e };
        assert_eq!(kp("startTime eq 'abc'"), (wrong(Property::StartTime, EXPECT_TIME), 13));
        assert_eq!(kp("startTime eq 5"), (wrong(Property::StartTime, EXPECT_TIME), 13));
        assert_eq!(kp("machineId eq 5"), (wrong(Property::MachineId, EXPECT_STRING), 13));
        assert_eq!(kp("id eq null"), (wrong(Property::Id, EXPECT_ID), 6));
        assert_eq!(kp("id eq -5"), (wrong(Property::Id, EXPECT_ID), 6));
        assert_eq!(kp("state eq 5"), (wrong(Property::State, EXPECT_STATE), 9));
        assert_eq!(kp("id eq \"1\"").0, FilterErrorKind::UnexpectedToken);
        let e = err("startTime eq 2024-13-01T00:00:00Z");
        assert!(matches!(e.kind, FilterErrorKind::InvalidDateTime(_)));
        assert_eq!(e.position, 18);
        let e = err("startTime eq '2024-01-01T00:00:00'");
        assert!(matches!(e.kind, FilterErrorKind::InvalidDateTime(_)));
        assert_eq!((e.position, e.expected.as_ref()), (33, "'Z' or an offset like +02:00"));
    }

    #[test]
    fn operator_and_function_errors() {
        let fun = |n: &str| FilterErrorKind::UnsupportedFunction { name: n.into() };
        let op = |o: &str| FilterErrorKind::UnsupportedOperator { op: o.into() };
        assert_eq!(kp("contains(machineId,'ab')"), (fun("contains"), 0));
        assert_eq!(kp("id eq '1' or startswith (id, '1')"), (fun("startswith"), 13));
        assert_eq!(kp("startTime ge now()"), (fun("now"), 13));
        assert_eq!(kp("state has 'Running'"), (op("has"), 6));
        assert_eq!(kp("id eq '1' add 5"), (op("add"), 10));
        assert_eq!(kp("(id eq '1' mod 5)"), (op("mod"), 11));
        let e = err("startTime >= 2024-01-01T00:00:00Z");
        assert_eq!((e.kind, e.position), (op(">="), 10));
        assert!(e.expected.contains("`ge`"));
        assert_eq!(kp("id eq '1' && id eq '2'"), (op("&&"), 10));
        assert_eq!(
            kp("state gt 'Running'"),
            (FilterErrorKind::OperatorNotAllowed { property: Property::State, op: CmpOp::Gt }, 6)
        );
        assert_eq!(kp("id equals '1'"), (FilterErrorKind::UnexpectedToken, 3));
    }

    #[test]
    fn structure_errors() {
        use FilterErrorKind as K;
        assert_eq!(kp(""), (K::Empty, 0));
        assert_eq!(kp(" \t\n"), (K::Empty, 0));
        assert_eq!(kp("(id eq '1'"), (K::UnbalancedParentheses { open: Some(0) }, 10));
        assert_eq!(kp("id eq '1')"), (K::UnbalancedParentheses { open: None }, 9));
        assert_eq!(kp(")"), (K::UnbalancedParentheses { open: None }, 0));
        assert_eq!(kp("id eq '1' and )"), (K::UnbalancedParentheses { open: None }, 14));
        assert_eq!(kp("id eq '1' id eq '2'"), (K::TrailingInput, 10));
        assert_eq!(kp("id eq"), (K::UnexpectedEnd, 5));
        assert_eq!(kp("id eq '1' and"), (K::UnexpectedEnd, 13));
        assert_eq!(kp("id"), (K::UnexpectedEnd, 2));
        assert_eq!(kp("not"), (K::UnexpectedEnd, 3));
        assert_eq!(kp("id eq 'abc"), (K::UnterminatedString, 6));
        assert_eq!(kp("id in ()"), (K::EmptyList, 7));
        assert_eq!(kp("id in ('a',)"), (K::UnexpectedToken, 11));
        assert_eq!(kp("id in ('a'"), (K::UnbalancedParentheses { open: Some(6) }, 10));
        assert_eq!(kp("id in 'a'"), (K::UnexpectedToken, 6));
        assert_eq!(kp("and id eq '1'"), (K::UnexpectedToken, 0));
        assert_eq!(kp("()"), (K::UnexpectedToken, 1));
        assert_eq!(kp("id eq 'é' é"), (K::TrailingInput, 11));
        let e = err("id eq '1' xor");
        assert_eq!(
            e.to_string(),
            "unexpected text after the end of the filter at byte 10: \
             expected `and`, `or` or the end of the filter, found `xor`"
        );
    }

    #[test]
    fn too_long_points_at_the_last_character_start_within_the_limit() {
        let text = "aé日🦀b'";
        for limit in 0..text.len() {
            let opts = ParseOptions { max_len: limit, ..ParseOptions::DEFAULT };
            let e = Filter::parse_with(text, &opts).unwrap_err();
            let start = text.char_indices().map(|(i, _)| i).filter(|&i| i <= limit).max();
            assert_eq!((e.kind, Some(e.position)), (FilterErrorKind::TooLong { limit }, start));
            assert_eq!(
                (e.expected.as_ref(), e.found.as_str()),
                (format!("at most {limit} bytes").as_str(), "12 bytes")
            );
        }
    }

    #[test]
    fn limits_have_their_own_errors() {
        let opts = ParseOptions::DEFAULT;
        let deep = format!("{}id eq '1'{}", "(".repeat(64), ")".repeat(64));
        assert!(Filter::parse(&deep).is_ok());
        let deeper = format!("{}id eq '1'{}", "(".repeat(65), ")".repeat(65));
        assert_eq!(kp(&deeper), (FilterErrorKind::TooDeep { limit: 64 }, 64));
        assert_eq!(kp(&format!("{}id eq '1'", "not ".repeat(65))), (FilterErrorKind::TooDeep { limit: 64 }, 256));
        // Far deeper than any stack could take, within a raised length limit: still a typed error.
        let huge = ParseOptions { max_len: usize::MAX, ..opts.clone() };
        let e = Filter::parse_with(&"(".repeat(1_000_000), &huge).unwrap_err();
        assert_eq!(e.kind, FilterErrorKind::TooDeep { limit: 64 });
        let e = Filter::parse_with(&"not ".repeat(1_000_000), &huge).unwrap_err();
        assert_eq!(e.kind, FilterErrorKind::TooDeep { limit: 64 });
        let long = format!("id eq '{}'", "x".repeat(64 * 1024));
        assert_eq!(kp(&long), (FilterErrorKind::TooLong { limit: 65_536 }, 65_536));
        let many = vec!["id eq '1'"; 1001].join(" or ");
        assert_eq!(kp(&many), (FilterErrorKind::TooManyConditions { limit: 1000 }, 13 * 1000));
        let ok = vec!["id eq '1'"; 1000].join(" or ");
        assert!(Filter::parse(&ok).is_ok());
    }

    /// Whole messages, byte for byte (`true`: parsed with the tiny limits, else with the defaults).
    #[test]
    fn messages_are_pinned() {
        let tiny = ParseOptions { max_len: 30, max_depth: 1, max_conditions: 1, ..ParseOptions::DEFAULT };
        let cases: &[(&str, bool, &str)] = &[
            ("", false, "empty filter at byte 0: expected a property (startTime, id, state, machineId, triggeringAlertId), `not` or `(`, found nothing"),
            (" \t", false, "empty filter at byte 0: expected a property (startTime, id, state, machineId, triggeringAlertId), `not` or `(`, found only whitespace"),
            ("id eq '1' xor", false, "unexpected text after the end of the filter at byte 10: expected `and`, `or` or the end of the filter, found `xor`"),
            ("startTim ge 2024-01-01T00:00:00Z", false, "unknown property `startTim` (did you mean `startTime`?); the filterable properties are startTime, id, state, machineId, triggeringAlertId at byte 0: expected a property (startTime, id, state, machineId, triggeringAlertId), `not` or `(`, found `startTim`"),
            ("startime eq 1", false, "unknown property `startime` (did you mean `startTime`?); the filterable properties are startTime, id, state, machineId, triggeringAlertId at byte 0: expected a property (startTime, id, state, machineId, triggeringAlertId), `not` or `(`, found `startime`"),
            ("foo eq 1", false, "unknown property `foo`; the filterable properties are startTime, id, state, machineId, triggeringAlertId at byte 0: expected a property (startTime, id, state, machineId, triggeringAlertId), `not` or `(`, found `foo`"),
            ("endTime lt 1", false, "property `endTime` cannot be filtered on; the filterable properties are startTime, id, state, machineId, triggeringAlertId at byte 0: expected a property (startTime, id, state, machineId, triggeringAlertId), `not` or `(`, found `endTime`"),
            ("state eq 'runing'", false, "unknown state 'runing' (did you mean 'Running'?) at byte 9: expected one of the documented states: Unknown, Terminated, SuccessfullyRemediated, Benign, Failed, PartiallyRemediated, Running, PendingApproval, PendingResource, PartiallyInvestigated, TerminatedByUser, TerminatedBySystem, Queued, InnerFailure, PreexistingAlert, UnsupportedOs, UnsupportedAlertType, SuppressedAlert, Disabled, found `'runing'`"),
            ("state eq 'Quantum'", false, "unknown state 'Quantum' at byte 9: expected one of the documented states: Unknown, Terminated, SuccessfullyRemediated, Benign, Failed, PartiallyRemediated, Running, PendingApproval, PendingResource, PartiallyInvestigated, TerminatedByUser, TerminatedBySystem, Queued, InnerFailure, PreexistingAlert, UnsupportedOs, UnsupportedAlertType, SuppressedAlert, Disabled, found `'Quantum'`"),
            ("state eq 'Fail\u{1b}d'", false, "unknown state 'Fail\\u{1b}d' (did you mean 'Failed'?) at byte 9: expected one of the documented states: Unknown, Terminated, SuccessfullyRemediated, Benign, Failed, PartiallyRemediated, Running, PendingApproval, PendingResource, PartiallyInvestigated, TerminatedByUser, TerminatedBySystem, Queued, InnerFailure, PreexistingAlert, UnsupportedOs, UnsupportedAlertType, SuppressedAlert, Disabled, found `'Fail\\u{1b}d'`"),
            ("contains(id,'1')", false, "function `contains` is not supported: the API filters only with eq, ne, gt, ge, lt, le, in, and, or, not at byte 0: expected a property (startTime, id, state, machineId, triggeringAlertId), `not` or `(`, found `contains`"),
            ("id eq '1' has 2", false, "operator `has` is not supported: the API filters only with eq, ne, gt, ge, lt, le, in, and, or, not at byte 10: expected `and`, `or` or the end of the filter, found `has`"),
            ("state gt 'Running'", false, "`state` cannot be compared with `gt`: it takes only eq, ne and in at byte 6: expected eq, ne or in (states have no order), found `gt`"),
            ("(id eq '1'", false, "unbalanced parentheses: the `(` at byte 0 is never closed at byte 10: expected `and`, `or` or `)`, found end of input"),
            ("id eq '1')", false, "unbalanced parentheses: `)` without a matching `(` at byte 9: expected `and`, `or` or the end of the filter, found `)`"),
            ("id eq '1' id eq '2'", false, "unexpected text after the end of the filter at byte 10: expected `and`, `or` or the end of the filter, found `id`"),
            ("id eq", false, "unexpected end of the filter at byte 5: expected a string in single quotes, like '63017', or digits, found end of input"),
            ("id", false, "unexpected end of the filter at byte 2: expected an operator: eq, ne, gt, ge, lt, le or in, found end of input"),
            ("not", false, "unexpected end of the filter at byte 3: expected a property (startTime, id, state, machineId, triggeringAlertId), `not` or `(`, found end of input"),
            ("and id eq '1'", false, "unexpected token at byte 0: expected a property (startTime, id, state, machineId, triggeringAlertId), `not` or `(`, found `and`"),
            ("startTime eq 2024-13-01T00:00:00Z", false, "invalid date-time (byte 5 of the literal) at byte 18: expected a month from 01 to 12, found `2024-13-01T00:00:00Z`"),
            ("startTime eq '2024-01-01T00:00:00'", false, "invalid date-time (byte 19 of the literal) at byte 33: expected 'Z' or an offset like +02:00, found `'2024-01-01T00:00:00'`"),
            ("startTime eq '2024''-01-01T00:00:00Z'", false, "invalid date-time (byte 4 of the literal) at byte 13: expected '-' after the year, found `'2024''-01-01T00:00:00Z'`"),
            ("id eq 'abc", false, "string literal without its closing `'` at byte 6: expected a closing `'` for the string that starts here (a quote inside a string is written `''`), found end of input"),
            ("id in ()", false, "empty `in` list at byte 7: expected at least one value, found `)`"),
            ("id in ('a',)", false, "unexpected token at byte 11: expected a string in single quotes, like '63017', or digits, found `)`"),
            ("id in ('a'", false, "unbalanced parentheses: the `(` at byte 6 is never closed at byte 10: expected `,` or `)`, found end of input"),
            ("id in 'a'", false, "unexpected token at byte 6: expected `(` and a list of values, found `'a'`"),
            ("id in", false, "unexpected end of the filter at byte 5: expected `(` and a list of values, found end of input"),
            ("startTime eq 'abc'", false, "wrong type of value for `startTime`, which takes a date-time like 2024-01-01T00:00:00Z at byte 13: expected a date-time like 2024-01-01T00:00:00Z, found `'abc'`"),
            ("id eq null", false, "wrong type of value for `id`, which takes a string in single quotes, like '63017', or digits at byte 6: expected a string in single quotes, like '63017', or digits, found `null`"),
            ("state eq 5", false, "wrong type of value for `state`, which takes a state name in single quotes, like 'Running' at byte 9: expected a state name in single quotes, like 'Running', found `5`"),
            ("machineId eq now()", false, "function `now` is not supported: the API filters only with eq, ne, gt, ge, lt, le, in, and, or, not at byte 13: expected a string in single quotes, like 'abc' (a quote inside is written ''), found `now`"),
            ("id eq \"1\"", false, "unexpected token at byte 6: expected a string in single quotes, like '63017', or digits, found `\"`"),
            ("id = '1'", false, "operator `=` is not supported: the API filters only with eq, ne, gt, ge, lt, le, in, and, or, not at byte 3: expected `eq` (OData writes = as eq), found `=`"),
            ("id == '1'", false, "operator `==` is not supported: the API filters only with eq, ne, gt, ge, lt, le, in, and, or, not at byte 3: expected `eq` (OData writes = as eq), found `==`"),
            ("id != '1'", false, "operator `!=` is not supported: the API filters only with eq, ne, gt, ge, lt, le, in, and, or, not at byte 3: expected `ne` (OData writes != as ne), found `!=`"),
            ("id <> '1'", false, "operator `<>` is not supported: the API filters only with eq, ne, gt, ge, lt, le, in, and, or, not at byte 3: expected `ne` (OData writes != as ne), found `<>`"),
            ("id > '1'", false, "operator `>` is not supported: the API filters only with eq, ne, gt, ge, lt, le, in, and, or, not at byte 3: expected `gt` (OData writes > as gt), found `>`"),
            ("id >= '1'", false, "operator `>=` is not supported: the API filters only with eq, ne, gt, ge, lt, le, in, and, or, not at byte 3: expected `ge` (OData writes >= as ge), found `>=`"),
            ("id < '1'", false, "operator `<` is not supported: the API filters only with eq, ne, gt, ge, lt, le, in, and, or, not at byte 3: expected `lt` (OData writes < as lt), found `<`"),
            ("id <= '1'", false, "operator `<=` is not supported: the API filters only with eq, ne, gt, ge, lt, le, in, and, or, not at byte 3: expected `le` (OData writes <= as le), found `<=`"),
            ("id eq '1' & id eq '2'", false, "operator `&` is not supported: the API filters only with eq, ne, gt, ge, lt, le, in, and, or, not at byte 10: expected `and` (OData writes && as and; to read a query string use ListQuery::from_query_string), found `&`"),
            ("id eq '1' && id eq '2'", false, "operator `&&` is not supported: the API filters only with eq, ne, gt, ge, lt, le, in, and, or, not at byte 10: expected `and` (OData writes && as and; to read a query string use ListQuery::from_query_string), found `&&`"),
            ("id eq '1' | id eq '2'", false, "operator `|` is not supported: the API filters only with eq, ne, gt, ge, lt, le, in, and, or, not at byte 10: expected `or` (OData writes || as or), found `|`"),
            ("id eq '1' || id eq '2'", false, "operator `||` is not supported: the API filters only with eq, ne, gt, ge, lt, le, in, and, or, not at byte 10: expected `or` (OData writes || as or), found `||`"),
            ("! id eq '1'", false, "operator `!` is not supported: the API filters only with eq, ne, gt, ge, lt, le, in, and, or, not at byte 0: expected `not` (OData writes ! as not), found `!`"),
            ("id => '1'", false, "operator `=>` is not supported: the API filters only with eq, ne, gt, ge, lt, le, in, and, or, not at byte 3: expected an OData operator: eq, ne, gt, ge, lt, le, in, and, or, not, found `=>`"),
            ("id eq '1' ; x", false, "unexpected text after the end of the filter at byte 10: expected `and`, `or` or the end of the filter, found `;`"),
            ("id eq 'é' é", false, "unexpected text after the end of the filter at byte 11: expected `and`, `or` or the end of the filter, found `é`"),
            ("id eq '1' \u{1}", false, "unexpected text after the end of the filter at byte 10: expected `and`, `or` or the end of the filter, found `\\u{1}`"),
            ("ThisIsAVeryLongPropertyNameThatGoesOnAndOnForMoreThanFortyCharacters eq 1", false, "unknown property `ThisIsAVeryLongPropertyNameThatGoesOnAnd...`; the filterable properties are startTime, id, state, machineId, triggeringAlertId at byte 0: expected a property (startTime, id, state, machineId, triggeringAlertId), `not` or `(`, found `ThisIsAVeryLongPropertyNameThatGoesOnAnd...`"),
            ("state eq 'ÉtatQuiN''existePasDuToutEtQuiEstTrèsLongVraimentTrèsLong'", false, "unknown state 'ÉtatQuiN'existePasDuToutEtQuiEstTrèsLong...' at byte 9: expected one of the documented states: Unknown, Terminated, SuccessfullyRemediated, Benign, Failed, PartiallyRemediated, Running, PendingApproval, PendingResource, PartiallyInvestigated, TerminatedByUser, TerminatedBySystem, Queued, InnerFailure, PreexistingAlert, UnsupportedOs, UnsupportedAlertType, SuppressedAlert, Disabled, found `'ÉtatQuiN''existePasDuToutEtQuiEstTrèsLo...`"),
            ("id eq '1' or id eq '2'", true, "filter with more than 1 conditions (use `in (...)` for long lists of values) at byte 13: expected at most 1 conditions, found `id`"),
            ("not not id eq '1'", true, "filter nested deeper than 1 levels of parentheses and `not` at byte 4: expected at most 1 nested levels of parentheses and `not`, found `not`"),
            ("((id eq '1'))", true, "filter nested deeper than 1 levels of parentheses and `not` at byte 1: expected at most 1 nested levels of parentheses and `not`, found `(`"),
            ("id eq '1' and id eq '2' and id eq '3 and more text here'", true, "filter longer than 30 bytes at byte 30: expected at most 30 bytes, found 56 bytes"),
        ];
        for &(text, with_tiny, message) in cases {
            let e = Filter::parse_with(text, if with_tiny { &tiny } else { &ParseOptions::DEFAULT }).unwrap_err();
            assert_eq!(e.to_string(), message, "{text:?}");
        }
    }
}

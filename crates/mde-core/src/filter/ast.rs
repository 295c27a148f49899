//! The filter tree: five properties, typed values, and the boolean connectives.
//!
//! Every value of these types is a filter the API accepts: a state cannot be ordered, an `in` list cannot be
//! empty, a date-time is always a valid instant. The tree keeps exactly what was written (`a and (b and c)`
//! differs from `(a and b) and c`) so that parsing what [`Filter::to_odata`] prints gives back the same tree.

use crate::{InvestigationState, Timestamp};
use std::fmt;

/// One of the five properties the API filters on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Property {
    /// `startTime`, a UTC date-time.
    StartTime,
    /// `id`, the investigation id (a string of digits).
    Id,
    /// `state`, an [`InvestigationState`].
    State,
    /// `machineId`, the device id (40 hex characters).
    MachineId,
    /// `triggeringAlertId`, the id of the alert that started the investigation.
    TriggeringAlertId,
}

impl Property {
    /// All five, in the order of the API documentation.
    pub const ALL: [Property; 5] =
        [Property::StartTime, Property::Id, Property::State, Property::MachineId, Property::TriggeringAlertId];

    /// The OData name, as written in a filter: `startTime`, `id`, `state`, `machineId`, `triggeringAlertId`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Property::StartTime => "startTime",
            Property::Id => "id",
            Property::State => "state",
            Property::MachineId => "machineId",
            Property::TriggeringAlertId => "triggeringAlertId",
        }
    }

    /// The property with exactly this OData name.
    pub fn from_name(name: &str) -> Option<Property> {
        Property::ALL.into_iter().find(|p| p.as_str() == name)
    }

    /// The property whose OData name is `name` ignoring ASCII case (`StartTime` is `startTime`), as the
    /// service's OData library resolves names; [`Filter::parse`](crate::filter::Filter::parse) reads names so.
    pub fn from_name_ignoring_case(name: &str) -> Option<Property> {
        Property::ALL.into_iter().find(|p| p.as_str().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for Property {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CmpOp {
    /// `eq`, equal.
    Eq,
    /// `ne`, not equal.
    Ne,
    /// `gt`, greater than.
    Gt,
    /// `ge`, greater than or equal.
    Ge,
    /// `lt`, less than.
    Lt,
    /// `le`, less than or equal.
    Le,
}

impl CmpOp {
    /// All six.
    pub const ALL: [CmpOp; 6] = [CmpOp::Eq, CmpOp::Ne, CmpOp::Gt, CmpOp::Ge, CmpOp::Lt, CmpOp::Le];

    /// The OData keyword: `eq`, `ne`, `gt`, `ge`, `lt`, `le`.
    pub const fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "eq",
            CmpOp::Ne => "ne",
            CmpOp::Gt => "gt",
            CmpOp::Ge => "ge",
            CmpOp::Lt => "lt",
            CmpOp::Le => "le",
        }
    }

    /// The operator for a keyword, ignoring ASCII case (`eq`, `EQ` and `Eq` are all [`CmpOp::Eq`]).
    pub fn from_keyword(word: &str) -> Option<CmpOp> {
        CmpOp::ALL.into_iter().find(|op| op.as_str().eq_ignore_ascii_case(word))
    }

    /// Whether `ordering` (of the property's value relative to the literal) satisfies the operator.
    pub fn holds(self, ordering: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::{Equal, Greater, Less};
        match self {
            CmpOp::Eq => ordering == Equal,
            CmpOp::Ne => ordering != Equal,
            CmpOp::Gt => ordering == Greater,
            CmpOp::Ge => ordering != Less,
            CmpOp::Lt => ordering == Less,
            CmpOp::Le => ordering != Greater,
        }
    }
}

impl fmt::Display for CmpOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A non-empty list, the operand of `in (...)`. Empty by construction is impossible.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OneOrMore<T>(pub(super) Vec<T>);

impl<T> OneOrMore<T> {
    /// The list `first, rest...`.
    pub fn new(first: T, rest: impl IntoIterator<Item = T>) -> OneOrMore<T> {
        let mut v = vec![first];
        v.extend(rest);
        OneOrMore(v)
    }

    /// The list, or `None` when `items` is empty.
    pub fn try_from_vec(items: Vec<T>) -> Option<OneOrMore<T>> {
        if items.is_empty() {
            None
        } else {
            Some(OneOrMore(items))
        }
    }

    /// The items, in order.
    pub fn as_slice(&self) -> &[T] {
        &self.0
    }

    /// Iterates over the items, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.0.iter()
    }

    /// The first item (there always is one).
    pub fn first(&self) -> &T {
        &self.0[0]
    }

    /// The items as a vector (never empty).
    pub fn into_vec(self) -> Vec<T> {
        self.0
    }

    /// Applies `f` to every item, keeping the order.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> OneOrMore<U> {
        OneOrMore(self.0.into_iter().map(f).collect())
    }
}

impl<'a, T> IntoIterator for &'a OneOrMore<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<T> IntoIterator for OneOrMore<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// A test of an ordered value: a comparison, or membership in a list.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Test<T> {
    /// `property op value`.
    Cmp(CmpOp, T),
    /// `property in (v1, v2, ...)`.
    In(OneOrMore<T>),
}

/// A test of the state. States have no order, so only `eq`, `ne` and `in` exist.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StateTest {
    /// `state eq 'Running'`.
    Eq(InvestigationState),
    /// `state ne 'Running'`.
    Ne(InvestigationState),
    /// `state in ('Running','Queued')`.
    In(OneOrMore<InvestigationState>),
}

/// One condition on one property, with a value of that property's type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Condition {
    /// A test of `startTime`.
    StartTime(Test<Timestamp>),
    /// A test of `id`.
    Id(Test<String>),
    /// A test of `state`.
    State(StateTest),
    /// A test of `machineId`.
    MachineId(Test<String>),
    /// A test of `triggeringAlertId`.
    TriggeringAlertId(Test<String>),
}

impl Condition {
    /// The property the condition tests.
    pub const fn property(&self) -> Property {
        match self {
            Condition::StartTime(_) => Property::StartTime,
            Condition::Id(_) => Property::Id,
            Condition::State(_) => Property::State,
            Condition::MachineId(_) => Property::MachineId,
            Condition::TriggeringAlertId(_) => Property::TriggeringAlertId,
        }
    }

    /// How many values its `in` list has; 0 for a comparison.
    pub(crate) fn list_len(&self) -> usize {
        match self {
            Condition::StartTime(Test::In(l)) => l.0.len(),
            Condition::Id(Test::In(l))
            | Condition::MachineId(Test::In(l))
            | Condition::TriggeringAlertId(Test::In(l)) => l.0.len(),
            Condition::State(StateTest::In(l)) => l.0.len(),
            _ => 0,
        }
    }
}

/// A `$filter` for the List Investigations API.
///
/// Build one with the sentence-like builders ([`start_time`](crate::filter::start_time),
/// [`state`](crate::filter::state), [`id`](crate::filter::id), ...), or parse the text a user or another
/// tool wrote with [`Filter::parse`]. Print it with [`Filter::to_odata`] (or `Display`); put it in a URL
/// with [`ListQuery`](crate::query::ListQuery).
///
/// The tree is exactly what was written: `And(a, And(b, c))` prints as `a and (b and c)` and parses back as
/// the same tree (an `in` list prints as OData 4.0's `or` of `eq`s, and parses back as that). Trees are recursive: a filter chained from many thousands of `and`/`or` calls uses stack
/// when dropped or compared; use [`in`](crate::filter::TextField::is_in) for long lists of values. What
/// [`Filter::parse`] returns is bounded by [`ParseOptions`](crate::filter::ParseOptions).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Filter {
    /// A single condition.
    Cond(Condition),
    /// Both hold (`a and b`).
    And(Box<Filter>, Box<Filter>),
    /// Either holds (`a or b`).
    Or(Box<Filter>, Box<Filter>),
    /// It does not hold (`not (a)`).
    Not(Box<Filter>),
}

impl Filter {
    /// `self and other`.
    #[must_use]
    pub fn and(self, other: Filter) -> Filter {
        Filter::And(Box::new(self), Box::new(other))
    }

    /// `self or other`.
    #[must_use]
    pub fn or(self, other: Filter) -> Filter {
        Filter::Or(Box::new(self), Box::new(other))
    }

    /// `not (self)`. Also available as the `!` operator.
    #[must_use]
    pub fn negate(self) -> Filter {
        Filter::Not(Box::new(self))
    }
}

impl std::ops::Not for Filter {
    type Output = Filter;
    fn not(self) -> Filter {
        self.negate()
    }
}

impl From<Condition> for Filter {
    fn from(c: Condition) -> Filter {
        Filter::Cond(c)
    }
}

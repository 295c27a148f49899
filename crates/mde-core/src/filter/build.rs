//! Builders that read like a sentence: `start_time().ge(t).and(state().eq(InvestigationState::Running))`.
//!
//! Each property has a field type whose methods take only values of that property's type, so a builder
//! cannot produce a filter the API would reject: no ordering on `state`, no empty `in` list (those return
//! `None`), no malformed date-time. Any string is a valid value: it is quoted and escaped when printed.

use super::ast::{CmpOp, Condition, Filter, OneOrMore, StateTest, Test};
use crate::{InvestigationState, Timestamp};

/// Starts a condition on `startTime`.
pub const fn start_time() -> TimeField {
    TimeField(())
}

/// Starts a condition on `state`.
pub const fn state() -> StateField {
    StateField(())
}

/// Starts a condition on `id`.
pub const fn id() -> TextField {
    TextField(TextProperty::Id)
}

/// Starts a condition on `machineId`.
pub const fn machine_id() -> TextField {
    TextField(TextProperty::MachineId)
}

/// Starts a condition on `triggeringAlertId`.
pub const fn triggering_alert_id() -> TextField {
    TextField(TextProperty::TriggeringAlertId)
}

/// The `startTime` property, waiting for an operator and a date-time. Made by [`start_time`].
#[derive(Debug, Clone, Copy)]
pub struct TimeField(());

impl TimeField {
    fn cmp(self, op: CmpOp, t: Timestamp) -> Filter {
        Filter::Cond(Condition::StartTime(Test::Cmp(op, t)))
    }
    /// `startTime eq t`.
    pub fn eq(self, t: Timestamp) -> Filter {
        self.cmp(CmpOp::Eq, t)
    }
    /// `startTime ne t`.
    pub fn ne(self, t: Timestamp) -> Filter {
        self.cmp(CmpOp::Ne, t)
    }
    /// `startTime gt t`: started after `t`.
    pub fn gt(self, t: Timestamp) -> Filter {
        self.cmp(CmpOp::Gt, t)
    }
    /// `startTime ge t`: started at or after `t`.
    pub fn ge(self, t: Timestamp) -> Filter {
        self.cmp(CmpOp::Ge, t)
    }
    /// `startTime lt t`: started before `t`.
    pub fn lt(self, t: Timestamp) -> Filter {
        self.cmp(CmpOp::Lt, t)
    }
    /// `startTime le t`: started at or before `t`.
    pub fn le(self, t: Timestamp) -> Filter {
        self.cmp(CmpOp::Le, t)
    }
    /// `startTime in (t1,t2,...)`; `None` when `times` is empty.
    pub fn is_in(self, times: impl IntoIterator<Item = Timestamp>) -> Option<Filter> {
        let list = OneOrMore::try_from_vec(times.into_iter().collect())?;
        Some(Filter::Cond(Condition::StartTime(Test::In(list))))
    }
    /// The half-open window `[from, to)`: `startTime ge from and startTime lt to`. Consecutive windows
    /// neither overlap nor leave gaps.
    pub fn between(self, from: Timestamp, to: Timestamp) -> Filter {
        self.ge(from).and(self.lt(to))
    }
}

/// The `state` property, waiting for `eq`, `ne` or `in`. Made by [`state`].
#[derive(Debug, Clone, Copy)]
pub struct StateField(());

impl StateField {
    /// `state eq 's'`.
    pub fn eq(self, s: InvestigationState) -> Filter {
        Filter::Cond(Condition::State(StateTest::Eq(s)))
    }
    /// `state ne 's'`.
    pub fn ne(self, s: InvestigationState) -> Filter {
        Filter::Cond(Condition::State(StateTest::Ne(s)))
    }
    /// `state in ('s1','s2',...)`; `None` when `states` is empty.
    pub fn is_in(self, states: impl IntoIterator<Item = InvestigationState>) -> Option<Filter> {
        let list = OneOrMore::try_from_vec(states.into_iter().collect())?;
        Some(Filter::Cond(Condition::State(StateTest::In(list))))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TextProperty {
    Id,
    MachineId,
    TriggeringAlertId,
}

/// A string property (`id`, `machineId` or `triggeringAlertId`), waiting for an operator and a value. Made
/// by [`id`], [`machine_id`] and [`triggering_alert_id`]. Any string is accepted: quotes, `&`, `%`,
/// non-ASCII and control characters are escaped when the filter is printed.
#[derive(Debug, Clone, Copy)]
pub struct TextField(TextProperty);

impl TextField {
    fn condition(self, test: Test<String>) -> Filter {
        Filter::Cond(match self.0 {
            TextProperty::Id => Condition::Id(test),
            TextProperty::MachineId => Condition::MachineId(test),
            TextProperty::TriggeringAlertId => Condition::TriggeringAlertId(test),
        })
    }
    /// `property eq 'value'`.
    pub fn eq(self, value: impl Into<String>) -> Filter {
        self.condition(Test::Cmp(CmpOp::Eq, value.into()))
    }
    /// `property ne 'value'`.
    pub fn ne(self, value: impl Into<String>) -> Filter {
        self.condition(Test::Cmp(CmpOp::Ne, value.into()))
    }
    /// `property gt 'value'`.
    pub fn gt(self, value: impl Into<String>) -> Filter {
        self.condition(Test::Cmp(CmpOp::Gt, value.into()))
    }
    /// `property ge 'value'`.
    pub fn ge(self, value: impl Into<String>) -> Filter {
        self.condition(Test::Cmp(CmpOp::Ge, value.into()))
    }
    /// `property lt 'value'`.
    pub fn lt(self, value: impl Into<String>) -> Filter {
        self.condition(Test::Cmp(CmpOp::Lt, value.into()))
    }
    /// `property le 'value'`.
    pub fn le(self, value: impl Into<String>) -> Filter {
        self.condition(Test::Cmp(CmpOp::Le, value.into()))
    }
    /// `property in ('v1','v2',...)`; `None` when `values` is empty.
    pub fn is_in<S: Into<String>>(self, values: impl IntoIterator<Item = S>) -> Option<Filter> {
        let list = OneOrMore::try_from_vec(values.into_iter().map(Into::into).collect())?;
        Some(self.condition(Test::In(list)))
    }
}

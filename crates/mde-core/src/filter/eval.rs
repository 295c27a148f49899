//! Evaluating a filter against an investigation, as the service would (the mock serves with this).

use super::ast::{CmpOp, Condition, Filter, StateTest, Test};
use crate::{Investigation, InvestigationState};
use std::cmp::Ordering;

impl Filter {
    /// Whether `inv` satisfies the filter.
    ///
    /// Semantics (the mock server and the tests rely on them):
    /// - A condition on a property that is `null` (`startTime`, `machineId`, `triggeringAlertId` can be) is
    ///   false, except `ne`, which is true; `in` on `null` is false. So `not (machineId eq 'x')` holds
    ///   for a `null` `machineId`, and so does `machineId ne 'x'`.
    /// - `startTime` compares as an instant (offsets and fractional digits do not matter).
    /// - `id`, `machineId` and `triggeringAlertId` are strings and compare with [`compare_ordinal`], as OData
    ///   compares strings (`'9' gt '10'`, case-sensitive); `eq` is exact string equality.
    /// - `state eq`/`ne`/`in` compare wire names exactly (so `Other("Running")` equals `Running`).
    /// - `and`/`or` short-circuit; evaluation has no side effects, so order does not matter.
    ///
    /// Chains of `and`/`or` are walked with a loop: only nesting (parentheses, `not`) uses stack.
    pub fn matches(&self, inv: &Investigation) -> bool {
        let mut cur = self;
        loop {
            match cur {
                Filter::Cond(c) => return c.matches(inv),
                Filter::Not(inner) => return !inner.matches(inv),
                Filter::And(l, r) => {
                    if !r.matches(inv) {
                        return false;
                    }
                    cur = l;
                }
                Filter::Or(l, r) => {
                    if r.matches(inv) {
                        return true;
                    }
                    cur = l;
                }
            }
        }
    }
}

impl Condition {
    /// Whether `inv` satisfies this one condition (see [`Filter::matches`] for the semantics).
    pub fn matches(&self, inv: &Investigation) -> bool {
        match self {
            Condition::StartTime(t) => test(t, inv.start_time.as_ref(), |a, b| a.cmp(b)),
            Condition::Id(t) => test(t, Some(&inv.id), |a, b| compare_ordinal(a, b)),
            Condition::MachineId(t) => test(t, inv.machine_id.as_ref(), |a, b| compare_ordinal(a, b)),
            Condition::TriggeringAlertId(t) => test(t, inv.triggering_alert_id.as_ref(), |a, b| compare_ordinal(a, b)),
            Condition::State(StateTest::Eq(s)) => same_state(&inv.state, s),
            Condition::State(StateTest::Ne(s)) => !same_state(&inv.state, s),
            Condition::State(StateTest::In(list)) => list.iter().any(|s| same_state(&inv.state, s)),
        }
    }
}

fn same_state(a: &InvestigationState, b: &InvestigationState) -> bool {
    a.as_str() == b.as_str()
}

/// Applies a test to a nullable value; `cmp(value, literal)`.
fn test<T>(t: &Test<T>, value: Option<&T>, cmp: impl Fn(&T, &T) -> Ordering) -> bool {
    match (t, value) {
        (Test::Cmp(CmpOp::Ne, _), None) => true,
        (_, None) => false,
        (Test::Cmp(op, lit), Some(v)) => op.holds(cmp(v, lit)),
        (Test::In(list), Some(v)) => list.iter().any(|lit| cmp(v, lit) == Ordering::Equal),
    }
}

/// OData's order of strings, used for `id`, `machineId` and `triggeringAlertId` by `gt/ge/lt/le` and by the
/// mock to sort ids: ordinal, code unit by code unit in UTF-16, as .NET's `String.CompareOrdinal` (the
/// service's OData library compares strings ordinally), case-sensitive. `investigation.md` declares `id` a
/// String (<https://learn.microsoft.com/en-us/defender-endpoint/api/investigation>), so ids compare as text:
/// `'9' gt '10'`. A total order (safe for `sort_by`); for ASCII (every id the service sends) it is byte order.
///
/// ```
/// use mde_core::filter::compare_ordinal;
/// use std::cmp::Ordering;
///
/// assert_eq!(compare_ordinal("9", "10"), Ordering::Greater);
/// assert_eq!(compare_ordinal("63017", "63017"), Ordering::Equal);
/// assert_eq!(compare_ordinal("B", "a"), Ordering::Less);
/// // UTF-16 order, not UTF-8 byte order: U+FF61 (one code unit) before U+1F600 (a surrogate pair).
/// assert_eq!(compare_ordinal("\u{ff61}", "\u{1f600}"), Ordering::Greater);
/// ```
pub fn compare_ordinal(a: &str, b: &str) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        return a.as_bytes().cmp(b.as_bytes());
    }
    a.encode_utf16().cmp(b.encode_utf16())
}

#[cfg(test)]
mod tests {
    use super::super::{id, machine_id, start_time, state, triggering_alert_id};
    use super::*;
    use crate::Timestamp;

    fn inv() -> Investigation {
        Investigation {
            id: "63017".into(),
            start_time: Some(Timestamp::parse("2020-01-06T14:11:34Z").unwrap()),
            end_time: None,
            state: InvestigationState::Running,
            cancelled_by: None,
            status_details: None,
            machine_id: None,
            computer_dns_name: None,
            triggering_alert_id: Some("da637139166940871892_-598649278".into()),
        }
    }

    fn t(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    #[test]
    fn null_fields_fail_all_but_ne() {
        let i = inv();
        assert!(!machine_id().eq("x").matches(&i));
        assert!(!machine_id().gt("").matches(&i));
        assert!(!machine_id().is_in(["x"]).unwrap().matches(&i));
        assert!(machine_id().ne("x").matches(&i));
        assert!((!machine_id().eq("x")).matches(&i));
        let no_time = Investigation { start_time: None, ..inv() };
        assert!(!start_time().le(Timestamp::MAX).matches(&no_time));
        assert!(start_time().ne(Timestamp::MIN).matches(&no_time));
    }

    #[test]
    fn typed_comparisons() {
        let i = inv();
        assert!(start_time().eq(t("2020-01-06T16:11:34.000+02:00")).matches(&i));
        assert!(start_time().between(t("2020-01-06T00:00:00Z"), t("2020-01-07T00:00:00Z")).matches(&i));
        assert!(!start_time().gt(t("2020-01-06T14:11:34Z")).matches(&i));
        assert!(id().gt("59999").matches(&i));
        assert!(id().lt("7").matches(&i));
        assert!(!id().eq("063017").matches(&i));
        assert!(id().lt("a").matches(&i));
        assert!(triggering_alert_id().ge("da").matches(&i));
        assert!(!triggering_alert_id().ge("db").matches(&i));
        assert!(state().eq(InvestigationState::Other("Running".into())).matches(&i));
        assert!(state().is_in([InvestigationState::Queued, InvestigationState::Running]).unwrap().matches(&i));
        assert!(!state().ne(InvestigationState::Running).matches(&i));
        let other = Investigation { state: InvestigationState::Other("New".into()), ..inv() };
        assert!(state().eq(InvestigationState::Other("New".into())).matches(&other));
        assert!(state().ne(InvestigationState::Running).matches(&other));
    }

    #[test]
    fn connectives_and_long_chains() {
        let i = inv();
        let yes = id().eq("63017");
        let no = id().eq("1");
        assert!(yes.clone().or(no.clone()).matches(&i));
        assert!(!yes.clone().and(no.clone()).matches(&i));
        assert!((!no.clone()).and(yes.clone()).matches(&i));
        let mut chain = no.clone();
        for _ in 0..50_000 {
            chain = chain.or(no.clone());
        }
        assert!(!chain.matches(&i));
        chain = chain.or(yes);
        assert!(chain.matches(&i));
        std::mem::forget(chain); // dropping a tree this deep recurses in std's Box drop
    }

    #[test]
    fn strings_compare_ordinally_as_odata_does() {
        use Ordering::*;
        assert_eq!(compare_ordinal("9", "10"), Greater);
        assert_eq!(compare_ordinal("10", "9"), Less);
        assert_eq!(compare_ordinal("012", "12"), Less);
        assert_eq!(compare_ordinal("", "0"), Less);
        assert_eq!(compare_ordinal("B", "a"), Less);
        let mut ids = vec!["10", "9", "a", "010", "", "1"];
        ids.sort_by(|a, b| compare_ordinal(a, b));
        assert_eq!(ids, ["", "010", "1", "10", "9", "a"]);
        let i = inv();
        assert!(!id().gt("6302").matches(&i), "'63017' gt '6302' holds as numbers, not as text");
        assert!(!id().gt("9").matches(&i));
    }

    proptest::proptest! {
        /// Oracle: the strings' UTF-16 code units compared as vectors (what .NET's CompareOrdinal compares).
        #[test]
        fn ordinal_order_is_utf16_order(a in "\\PC{0,6}", b in "\\PC{0,6}") {
            let (x, y): (Vec<u16>, Vec<u16>) = (a.encode_utf16().collect(), b.encode_utf16().collect());
            proptest::prop_assert_eq!(compare_ordinal(&a, &b), x.cmp(&y));
        }
    }
}

//! Printing a filter as OData text, with just the parentheses that make it parse back to the same tree.
//!
//! Binding strength: `or` (1) < `and` (2) < `not` (3) < a condition (4). `and`/`or` are left-associative,
//! so a left operand needs parentheses only when it binds weaker than the operator, a right operand also
//! when it binds equally: `And(a, And(b, c))` prints `a and (b and c)`. `not` always prints `not (...)`.
//! Chains of the same operator are walked with a loop, so a long `a or b or c ...` costs no stack.

use super::ast::{CmpOp, Condition, Filter, StateTest, Test};
use crate::{InvestigationState, Timestamp};
use std::fmt::{self, Write};

impl Filter {
    /// The OData 4.0 `$filter` text (not percent-encoded), what the service implements: strings in single
    /// quotes with `'` doubled, date-times unquoted in UTC, operators in lower case, `not (...)`, and
    /// parentheses only where the tree needs them. An `in` list, which OData 4.0 does not have, is printed as
    /// the equivalent `or` of `eq`s in parentheses (`(state eq 'Running' or state eq 'Queued')`; one value is a
    /// plain `eq`). [`Filter::parse`] of it gives back this filter with its `in` lists so expanded (when it is
    /// within the parser's limits, and with
    /// [`ParseOptions::LENIENT_STATES`](crate::filter::ParseOptions::LENIENT_STATES) if it holds undocumented
    /// states; `InvestigationState::Other("Running")` prints as `'Running'` and so parses back as
    /// `InvestigationState::Running`), and printing that again gives the same text. Also what `Display` prints.
    pub fn to_odata(&self) -> String {
        let mut out = String::new();
        write_filter(self, 0, &mut out);
        out
    }
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_odata())
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        write_condition(self, &mut out);
        f.write_str(&out)
    }
}

fn strength(f: &Filter) -> u8 {
    match f {
        // An `in` list of two or more values prints as an `or` chain.
        Filter::Or(..) => 1,
        Filter::Cond(c) if c.list_len() > 1 => 1,
        Filter::And(..) => 2,
        Filter::Not(_) => 3,
        Filter::Cond(_) => 4,
    }
}

/// Writes `f`, in parentheses when it binds less tightly than `min`. One non-generic writer: a `String`,
/// which cannot fail (`Display` writes the printed text).
fn write_filter(f: &Filter, min: u8, w: &mut String) {
    let s = strength(f);
    if s < min {
        w.push('(');
        write_filter(f, 0, w);
        w.push(')');
        return;
    }
    match f {
        Filter::Cond(c) => write_condition(c, w),
        Filter::Not(inner) => {
            w.push_str("not (");
            write_filter(inner, 0, w);
            w.push(')');
        }
        Filter::And(..) | Filter::Or(..) => {
            let word = if s == 1 { " or " } else { " and " };
            // Walk down the left spine of same-operator nodes, keeping the right operands.
            let mut rights = Vec::new();
            let mut cur = f;
            loop {
                match cur {
                    Filter::Or(l, r) if s == 1 => {
                        rights.push(&**r);
                        cur = l;
                    }
                    Filter::And(l, r) if s == 2 => {
                        rights.push(&**r);
                        cur = l;
                    }
                    _ => break,
                }
            }
            write_filter(cur, s, w);
            for r in rights.iter().rev() {
                w.push_str(word);
                write_filter(r, s + 1, w);
            }
        }
    }
}

fn write_condition(c: &Condition, w: &mut String) {
    let name = c.property().as_str();
    match c {
        Condition::StartTime(t) => write_test(name, t, w, write_time),
        Condition::Id(t) | Condition::MachineId(t) | Condition::TriggeringAlertId(t) => {
            write_test(name, t, w, |s: &String, w: &mut String| write_string(s, w))
        }
        Condition::State(StateTest::Eq(s)) => write_cmp(name, CmpOp::Eq, s, w, write_state),
        Condition::State(StateTest::Ne(s)) => write_cmp(name, CmpOp::Ne, s, w, write_state),
        Condition::State(StateTest::In(list)) => write_list(name, list.as_slice(), w, write_state),
    }
}

fn write_test<T>(name: &str, t: &Test<T>, w: &mut String, value: fn(&T, &mut String)) {
    match t {
        Test::Cmp(op, v) => write_cmp(name, *op, v, w, value),
        Test::In(list) => write_list(name, list.as_slice(), w, value),
    }
}

/// `name op value`.
fn write_cmp<T>(name: &str, op: CmpOp, v: &T, w: &mut String, value: fn(&T, &mut String)) {
    w.push_str(name);
    w.push(' ');
    w.push_str(op.as_str());
    w.push(' ');
    value(v, w);
}

/// An `in` list as OData 4.0 writes it: `name eq a or name eq b ...` (an `or` chain, in parentheses where
/// [`strength`] says); one value is `name eq a`.
fn write_list<T>(name: &str, list: &[T], w: &mut String, value: fn(&T, &mut String)) {
    for (i, v) in list.iter().enumerate() {
        if i > 0 {
            w.push_str(" or ");
        }
        write_cmp(name, CmpOp::Eq, v, w, value);
    }
}

fn write_state(s: &InvestigationState, w: &mut String) {
    write_string(s.as_str(), w);
}

/// `s` in single quotes, each quote in it doubled.
fn write_string(s: &str, w: &mut String) {
    w.push('\'');
    for (i, part) in s.split('\'').enumerate() {
        if i > 0 {
            w.push_str("''");
        }
        w.push_str(part);
    }
    w.push('\'');
}

fn write_time(t: &Timestamp, w: &mut String) {
    // Writing to a String cannot fail.
    let _ = write!(w, "{t}");
}

#[cfg(test)]
mod tests {
    use super::super::{id, machine_id, start_time, state};
    use super::*;

    fn t(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    #[test]
    fn prints_values() {
        assert_eq!(id().eq("it's").to_odata(), "id eq 'it''s'");
        assert_eq!(machine_id().ne("").to_odata(), "machineId ne ''");
        assert_eq!(
            start_time().ge(t("2024-01-01T02:00:00.500+02:00")).to_odata(),
            "startTime ge 2024-01-01T00:00:00.5Z"
        );
        let f = state().is_in([InvestigationState::Running, InvestigationState::Other("New'".into())]).unwrap();
        assert_eq!(f.to_odata(), "state eq 'Running' or state eq 'New'''");
        assert_eq!(id().is_in(["1", "2"]).unwrap().to_string(), "id eq '1' or id eq '2'");
        assert_eq!(id().is_in(["1"]).unwrap().to_string(), "id eq '1'");
    }

    #[test]
    fn prints_in_lists_as_odata_40() {
        let list = || state().is_in([InvestigationState::Running, InvestigationState::Queued]).unwrap();
        let two = "state eq 'Running' or state eq 'Queued'";
        // Parentheses exactly where an `or` chain needs them, so that the text parses back to the `or` chain.
        assert_eq!(list().and(id().eq("1")).to_odata(), format!("({two}) and id eq '1'"));
        assert_eq!(id().eq("1").or(list()).to_odata(), format!("id eq '1' or ({two})"));
        assert_eq!(list().or(id().eq("1")).to_odata(), format!("{two} or id eq '1'"));
        assert_eq!((!list()).to_odata(), format!("not ({two})"));
        assert_eq!((!id().is_in(["1"]).unwrap()).to_odata(), "not (id eq '1')");
        assert_eq!(id().is_in(["1"]).unwrap().and(id().eq("2")).to_odata(), "id eq '1' and id eq '2'");
        let t = || start_time().is_in([t("2024-01-01T00:00:00Z"), t("2024-01-02T00:00:00Z")]).unwrap();
        assert_eq!(t().to_odata(), "startTime eq 2024-01-01T00:00:00Z or startTime eq 2024-01-02T00:00:00Z");
        // What it prints is OData 4.0: the strictest dialect reads it.
        let f = (!list()).and(t()).or(id().is_in(["a", "b", "c"]).unwrap());
        let strict = crate::filter::ParseOptions::with_dialect(crate::filter::Dialect::OData40);
        assert!(Filter::parse_with(&f.to_odata(), &strict).is_ok(), "{}", f.to_odata());
    }

    #[test]
    fn prints_minimal_parentheses() {
        let (a, b, c) = (id().eq("a"), id().eq("b"), id().eq("c"));
        assert_eq!(a.clone().and(b.clone()).and(c.clone()).to_odata(), "id eq 'a' and id eq 'b' and id eq 'c'");
        assert_eq!(a.clone().and(b.clone().and(c.clone())).to_odata(), "id eq 'a' and (id eq 'b' and id eq 'c')");
        assert_eq!(a.clone().or(b.clone()).and(c.clone()).to_odata(), "(id eq 'a' or id eq 'b') and id eq 'c'");
        assert_eq!(a.clone().or(b.clone().and(c.clone())).to_odata(), "id eq 'a' or id eq 'b' and id eq 'c'");
        assert_eq!(a.clone().and(b.clone()).or(c.clone()).to_odata(), "id eq 'a' and id eq 'b' or id eq 'c'");
        assert_eq!(a.clone().or(b.clone().or(c.clone())).to_odata(), "id eq 'a' or (id eq 'b' or id eq 'c')");
        assert_eq!((!a.clone()).to_odata(), "not (id eq 'a')");
        assert_eq!((!(a.clone().or(b.clone()))).and(!c).to_odata(), "not (id eq 'a' or id eq 'b') and not (id eq 'c')");
        assert_eq!((!!a).to_odata(), "not (not (id eq 'a'))");
    }

    #[test]
    fn long_chains_print_without_recursion() {
        let mut f = id().eq("0");
        for i in 1..20_000 {
            f = f.or(id().eq(i.to_string()));
        }
        let text = f.to_odata();
        assert!(text.starts_with("id eq '0' or id eq '1' or"));
        assert!(text.ends_with("or id eq '19999'"));
        // Dropping a tree this deep recurses (std's Box drop): forget it instead of risking the test stack.
        std::mem::forget(f);
    }
}

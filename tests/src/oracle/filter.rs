//! The oracle's filters: a tree of its own that knows its meaning ([`Expr::eval`]) and writes itself as
//! OData text in many equivalent spellings ([`Expr::to_odata`]).
//!
//! Semantics (from the API's documentation, made exact the way the project documents them):
//! - a comparison on a `null` property is false, except `ne`, which is true; `in` on `null` is false;
//! - `startTime` compares instants; `id`, `machineId` and `triggeringAlertId` compare as OData compares
//!   strings (ordinally, by UTF-16 code units: `'9' gt '10'`), `eq`/`ne` by text; `state` supports `eq`, `ne`
//!   and `in`, by text;
//! - `not`, `and`, `or` as in logic; `and` binds tighter than `or`.

use std::cmp::Ordering;

use super::model::{id_order, Record};
use super::time::Instant;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `eq`
    Eq,
    /// `ne`
    Ne,
    /// `gt`
    Gt,
    /// `ge`
    Ge,
    /// `lt`
    Lt,
    /// `le`
    Le,
}

impl Op {
    /// All six.
    pub const ALL: [Op; 6] = [Op::Eq, Op::Ne, Op::Gt, Op::Ge, Op::Lt, Op::Le];

    fn word(self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::Ne => "ne",
            Op::Gt => "gt",
            Op::Ge => "ge",
            Op::Lt => "lt",
            Op::Le => "le",
        }
    }

    /// Whether `value OP literal` holds, given `value.cmp(literal)`.
    fn holds(self, o: Ordering) -> bool {
        match self {
            Op::Eq => o == Ordering::Equal,
            Op::Ne => o != Ordering::Equal,
            Op::Gt => o == Ordering::Greater,
            Op::Ge => o != Ordering::Less,
            Op::Lt => o == Ordering::Less,
            Op::Le => o != Ordering::Greater,
        }
    }
}

/// A string property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// `id`
    Id,
    /// `machineId`
    MachineId,
    /// `triggeringAlertId`
    TriggeringAlertId,
}

impl Field {
    /// The property name.
    pub fn name(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::MachineId => "machineId",
            Field::TriggeringAlertId => "triggeringAlertId",
        }
    }

    fn get(self, r: &Record) -> Option<&str> {
        match self {
            Field::Id => Some(&r.id),
            Field::MachineId => r.texts[2].as_deref(),
            Field::TriggeringAlertId => r.texts[4].as_deref(),
        }
    }
}

/// A date-time literal: the instant and the text that writes it (any offset, 0 to 9 digits, maybe without
/// seconds), which the lenient syntax may also put in quotes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeLit {
    /// The instant.
    pub at: Instant,
    /// The text, without quotes.
    pub text: String,
    /// Write it in quotes (only in [`Syntax::Lenient`]: OData has no quoted date-times).
    pub quoted: bool,
}

/// A string literal, and whether to write it without quotes (digits of an `id` only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextLit {
    /// The value.
    pub value: String,
    /// Write `63017` rather than `'63017'`.
    pub bare: bool,
}

impl TextLit {
    /// A quoted literal.
    pub fn quoted(value: impl Into<String>) -> TextLit {
        TextLit { value: value.into(), bare: false }
    }
}

/// A filter with its meaning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// `startTime OP t`
    Time(Op, TimeLit),
    /// `field OP 'v'`
    Text(Field, Op, TextLit),
    /// `field in ('a', 'b')`
    TextIn(Field, Vec<TextLit>),
    /// `state eq 'S'` (`true`) or `state ne 'S'` (`false`)
    State(bool, String),
    /// `state in ('A', 'B')`
    StateIn(Vec<String>),
    /// `not e`
    Not(Box<Expr>),
    /// `a and b`
    And(Box<Expr>, Box<Expr>),
    /// `a or b`
    Or(Box<Expr>, Box<Expr>),
}

/// Which syntax a spelling keeps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Syntax {
    /// What clients accept from people: `in`, keywords in any case, quoted date-times, bare digit ids.
    #[default]
    Lenient,
    /// OData 4.0, what the service implements: lower-case keywords, no `in` (written as an `or` of `eq`s in
    /// parentheses), unquoted date-times, quoted ids.
    OData40,
    /// OData 4.01: 4.0 with `in` and keywords in any case.
    OData401,
}

/// How to spell a filter; none of it changes the meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Style {
    /// The syntax kept to; it overrides what the other fields ask for where they disagree.
    pub syntax: Syntax,
    /// 0: lower-case keywords; 1: upper-case; 2: capitalised (`And`, `Eq`).
    pub keyword_case: u8,
    /// Spaces between tokens (at least 1).
    pub spaces: u8,
    /// Parenthesise every `and`/`or` operand rather than only where precedence needs it.
    pub full_parens: bool,
    /// Spaces inside parentheses and around commas.
    pub pad_parens: bool,
}

impl Expr {
    /// Whether `r` satisfies the filter.
    pub fn eval(&self, r: &Record) -> bool {
        match self {
            Expr::Time(op, lit) => match r.start {
                None => *op == Op::Ne,
                Some(t) => op.holds(t.cmp(&lit.at)),
            },
            Expr::Text(field, op, lit) => match field.get(r) {
                None => *op == Op::Ne,
                Some(v) => match (field, op) {
                    (_, Op::Eq) => v == lit.value,
                    (_, Op::Ne) => v != lit.value,
                    _ => op.holds(id_order(v, &lit.value)),
                },
            },
            Expr::TextIn(field, list) => field.get(r).is_some_and(|v| list.iter().any(|l| l.value == v)),
            Expr::State(eq, s) => (r.state == *s) == *eq,
            Expr::StateIn(list) => list.contains(&r.state),
            Expr::Not(e) => !e.eval(r),
            Expr::And(a, b) => a.eval(r) && b.eval(r),
            Expr::Or(a, b) => a.eval(r) || b.eval(r),
        }
    }

    /// How many conditions (leaves) the filter has.
    pub fn conditions(&self) -> usize {
        match self {
            Expr::Not(e) => e.conditions(),
            Expr::And(a, b) | Expr::Or(a, b) => a.conditions() + b.conditions(),
            _ => 1,
        }
    }

    /// The OData text, spelled as `style` says.
    pub fn to_odata(&self, style: Style) -> String {
        let mut out = String::new();
        self.write(&mut out, style);
        out
    }

    /// Precedence: or 1, and 2, not/condition/parenthesised 3.
    fn precedence(&self) -> u8 {
        match self {
            Expr::Or(..) => 1,
            Expr::And(..) => 2,
            _ => 3,
        }
    }

    fn write(&self, out: &mut String, s: Style) {
        let sp = " ".repeat(usize::from(s.spaces.max(1)));
        let keyword_case = if s.syntax == Syntax::OData40 { 0 } else { s.keyword_case };
        let lenient = s.syntax == Syntax::Lenient;
        let kw = |w: &str| match keyword_case {
            1 => w.to_ascii_uppercase(),
            2 => {
                let mut c = w.chars();
                c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
            }
            _ => w.to_string(),
        };
        let (open, close, comma) = if s.pad_parens { ("( ", " )", " , ") } else { ("(", ")", ",") };
        // OData 4.0 has no `in`: the list is an `or` of `eq`s, in parentheses (one value: a plain `eq`).
        let in_list = |out: &mut String, name: &str, items: Vec<String>| {
            if s.syntax == Syntax::OData40 {
                let eqs: Vec<String> = items.iter().map(|v| format!("{name}{sp}eq{sp}{v}")).collect();
                if eqs.len() == 1 {
                    out.push_str(&eqs[0]);
                } else {
                    out.push_str(&format!("{open}{}{close}", eqs.join(&format!("{sp}or{sp}"))));
                }
            } else {
                out.push_str(&format!("{name}{sp}{}{sp}{open}{}{close}", kw("in"), items.join(comma)));
            }
        };
        match self {
            Expr::Time(op, lit) => {
                let text = if lit.quoted && lenient { format!("'{}'", lit.text) } else { lit.text.clone() };
                out.push_str(&format!("startTime{sp}{}{sp}{text}", kw(op.word())));
            }
            Expr::Text(field, op, lit) => {
                out.push_str(&format!("{}{sp}{}{sp}{}", field.name(), kw(op.word()), text_literal(lit, lenient)));
            }
            Expr::TextIn(field, list) => {
                let items: Vec<String> = list.iter().map(|l| text_literal(l, lenient)).collect();
                in_list(out, field.name(), items);
            }
            Expr::State(eq, st) => {
                let op = if *eq { "eq" } else { "ne" };
                out.push_str(&format!("state{sp}{}{sp}{}", kw(op), quote(st)));
            }
            Expr::StateIn(list) => {
                let items: Vec<String> = list.iter().map(|x| quote(x)).collect();
                in_list(out, "state", items);
            }
            Expr::Not(e) => {
                out.push_str(&kw("not"));
                // `not` applies to a condition, another `not` or a parenthesised filter.
                if e.precedence() == 3 && !s.full_parens {
                    out.push_str(&sp);
                    e.write(out, s);
                } else {
                    out.push_str(&sp);
                    out.push_str(open);
                    e.write(out, s);
                    out.push_str(close);
                }
            }
            Expr::And(a, b) | Expr::Or(a, b) => {
                let word = if matches!(self, Expr::And(..)) { "and" } else { "or" };
                let me = self.precedence();
                // Left-associative: the left operand may be of the same precedence, the right one must be
                // tighter (or parenthesised); `and`/`or` are associative, but we keep the tree's shape exact.
                let child = |e: &Expr, out: &mut String, right: bool| {
                    let p = e.precedence();
                    let needs = s.full_parens && p < 3 || p < me || (right && p == me);
                    if needs {
                        out.push_str(open);
                        e.write(out, s);
                        out.push_str(close);
                    } else {
                        e.write(out, s);
                    }
                };
                child(a, out, false);
                out.push_str(&format!("{sp}{}{sp}", kw(word)));
                child(b, out, true);
            }
        }
    }
}

/// `'value'` with `'` doubled.
pub fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

fn text_literal(lit: &TextLit, lenient: bool) -> String {
    let digits = !lit.value.is_empty() && lit.value.bytes().all(|b| b.is_ascii_digit());
    if lit.bare && digits && lenient {
        lit.value.clone()
    } else {
        quote(&lit.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf(v: &str) -> Expr {
        Expr::Text(Field::MachineId, Op::Eq, TextLit::quoted(v))
    }

    #[test]
    fn spelling() {
        let e = Expr::Or(
            Box::new(leaf("a")),
            Box::new(Expr::And(Box::new(leaf("b'c")), Box::new(Expr::Not(Box::new(leaf("d")))))),
        );
        assert_eq!(e.to_odata(Style::default()), "machineId eq 'a' or machineId eq 'b''c' and not machineId eq 'd'");
        let s = Style { keyword_case: 1, spaces: 2, full_parens: true, pad_parens: true, ..Style::default() };
        assert_eq!(
            e.to_odata(s),
            "machineId  EQ  'a'  OR  ( machineId  EQ  'b''c'  AND  NOT  ( machineId  EQ  'd' ) )"
        );
        let f = Expr::And(Box::new(Expr::Or(Box::new(leaf("a")), Box::new(leaf("b")))), Box::new(leaf("c")));
        assert_eq!(f.to_odata(Style::default()), "(machineId eq 'a' or machineId eq 'b') and machineId eq 'c'");
        let g = Expr::Or(Box::new(leaf("a")), Box::new(Expr::Or(Box::new(leaf("b")), Box::new(leaf("c")))));
        assert_eq!(g.to_odata(Style::default()), "machineId eq 'a' or (machineId eq 'b' or machineId eq 'c')");
        let bare = Expr::Text(Field::Id, Op::Lt, TextLit { value: "0012".into(), bare: true });
        assert_eq!(bare.to_odata(Style { keyword_case: 2, ..Style::default() }), "id Lt 0012");
        let strict = Style { syntax: Syntax::OData40, keyword_case: 1, ..Style::default() };
        assert_eq!(bare.to_odata(strict), "id lt '0012'");
        let list = Expr::Not(Box::new(Expr::StateIn(vec!["Benign".into(), "Failed".into()])));
        assert_eq!(list.to_odata(strict), "not (state eq 'Benign' or state eq 'Failed')");
        assert_eq!(list.to_odata(Style { syntax: Syntax::OData401, ..strict }), "NOT state IN ('Benign','Failed')");
        let time = Expr::Time(Op::Ge, TimeLit { at: 0, text: "1970-01-01T00:00Z".into(), quoted: true });
        assert_eq!(time.to_odata(Style::default()), "startTime ge '1970-01-01T00:00Z'");
        assert_eq!(time.to_odata(strict), "startTime ge 1970-01-01T00:00Z");
    }
}

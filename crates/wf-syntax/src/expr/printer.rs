//! Prints expressions back as source text, with the fewest parentheses that keep the
//! meaning (so that printing and reparsing gives the same tree).

use std::fmt::{self, Display, Write};

use super::ast::{BinaryOp, Expr, ExprKind};

/// Precedence of postfix forms and atoms: tighter than any operator.
const ATOM_LEVEL: u8 = BinaryOp::PREFIX_LEVEL + 1;

fn level(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Binary { op, .. } => op.level(),
        ExprKind::Unary { .. } => BinaryOp::PREFIX_LEVEL,
        ExprKind::Int(n) if *n < 0 => BinaryOp::PREFIX_LEVEL,
        _ => ATOM_LEVEL,
    }
}

fn write_at(f: &mut fmt::Formatter<'_>, e: &Expr, min_level: u8) -> fmt::Result {
    if level(e) < min_level { write!(f, "({e})") } else { write!(f, "{e}") }
}

/// Like [`write_at`], but also brackets a `not` operand, which reads ambiguously
/// (`not a == b` means `(not a) == b`).
fn write_operand(f: &mut fmt::Formatter<'_>, e: &Expr, min_level: u8) -> fmt::Result {
    if matches!(e.kind, ExprKind::Unary { op: super::UnaryOp::Not, .. }) {
        write!(f, "({e})")
    } else {
        write_at(f, e, min_level)
    }
}

/// Writes `s` as a double-quoted expression string literal.
pub(crate) fn write_string(f: &mut impl Write, s: &str) -> fmt::Result {
    f.write_char('"')?;
    for c in s.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\t' => f.write_str("\\t")?,
            '\r' => f.write_str("\\r")?,
            c if (c as u32) < 0x20 => write!(f, "\\u{:04x}", c as u32)?,
            c => f.write_char(c)?,
        }
    }
    f.write_char('"')
}

fn write_list<'a>(f: &mut fmt::Formatter<'_>, items: impl Iterator<Item = &'a Expr>) -> fmt::Result {
    for (i, item) in items.enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

impl Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Null => f.write_str("null"),
            ExprKind::Bool(b) => write!(f, "{b}"),
            ExprKind::Int(n) => write!(f, "{n}"),
            ExprKind::Double(x) => write!(f, "{x:?}"),
            ExprKind::String(s) => write_string(f, s),
            ExprKind::Var(name) => f.write_str(name),
            ExprKind::List(items) => {
                f.write_char('[')?;
                write_list(f, items.iter())?;
                f.write_char(']')
            }
            ExprKind::Map(entries) => {
                f.write_char('{')?;
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k}: {v}")?;
                }
                f.write_char('}')
            }
            ExprKind::Unary { op, operand } => {
                f.write_str(op.as_str())?;
                if matches!(op, super::UnaryOp::Not) {
                    f.write_char(' ')?;
                }
                write_at(f, operand, BinaryOp::PREFIX_LEVEL)
            }
            ExprKind::Binary { op, lhs, rhs, .. } => {
                write_operand(f, lhs, op.level())?;
                write!(f, " {} ", op.as_str())?;
                write_operand(f, rhs, op.level() + 1)
            }
            ExprKind::Member { object, name, .. } => {
                write_at(f, object, ATOM_LEVEL)?;
                write!(f, ".{name}")
            }
            ExprKind::Index { object, index } => {
                write_at(f, object, ATOM_LEVEL)?;
                write!(f, "[{index}]")
            }
            ExprKind::Call { callee, args } => {
                write_at(f, callee, ATOM_LEVEL)?;
                f.write_char('(')?;
                write_list(f, args.iter())?;
                f.write_char(')')
            }
            ExprKind::Error => f.write_str("<error>"),
        }
    }
}

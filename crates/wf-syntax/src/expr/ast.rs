//! The expression syntax tree.

use crate::Span;

/// An expression with the span of its source text.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it is in the file.
    pub span: Span,
}

/// The kinds of expression.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// `null`.
    Null,
    /// `true` / `false` (any of GCW's spellings).
    Bool(bool),
    /// A 64-bit integer literal.
    Int(i64),
    /// A double literal.
    Double(f64),
    /// A string literal (escapes decoded).
    String(String),
    /// A variable, or the first part of a dotted function name (`sys` in `sys.now()`).
    Var(String),
    /// `[a, b]`.
    List(Vec<Expr>),
    /// `{"k": v}`; the keys are string literals.
    Map(Vec<(Expr, Expr)>),
    /// `-x`, `not x`.
    Unary {
        /// The operator.
        op: UnaryOp,
        /// The operand.
        operand: Box<Expr>,
    },
    /// `a op b`.
    Binary {
        /// The operator.
        op: BinaryOp,
        /// Where the operator is written.
        op_span: Span,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
    /// `object.name`.
    Member {
        /// The expression before the dot.
        object: Box<Expr>,
        /// The field name.
        name: String,
        /// Where the field name is written.
        name_span: Span,
    },
    /// `object[index]`.
    Index {
        /// The indexed expression.
        object: Box<Expr>,
        /// The index or key.
        index: Box<Expr>,
    },
    /// `callee(args...)`; the callee is a name or a dotted name such as `text.split`.
    Call {
        /// What is called.
        callee: Box<Expr>,
        /// Positional arguments.
        args: Vec<Expr>,
    },
    /// Stands in for a part that could not be parsed (a diagnostic was reported).
    Error,
}

/// Prefix operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `-`
    Neg,
    /// `not` / `NOT`
    Not,
}

/// Infix operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `or`
    Or,
    /// `and`
    And,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `in`
    In,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `//`
    FloorDiv,
    /// `%`
    Rem,
}

impl BinaryOp {
    /// Every infix operator with its spelling and precedence level (1 binds loosest).
    /// All operators are left-associative. This table is the single source of truth for
    /// the parser and the printer, and is checked against `grammar/expr.ebnf`.
    pub const ALL: [(BinaryOp, &'static str, u8); 15] = [
        (BinaryOp::Or, "or", 1),
        (BinaryOp::And, "and", 2),
        (BinaryOp::Eq, "==", 3),
        (BinaryOp::Ne, "!=", 3),
        (BinaryOp::Lt, "<", 3),
        (BinaryOp::Le, "<=", 3),
        (BinaryOp::Gt, ">", 3),
        (BinaryOp::Ge, ">=", 3),
        (BinaryOp::In, "in", 3),
        (BinaryOp::Add, "+", 4),
        (BinaryOp::Sub, "-", 4),
        (BinaryOp::Mul, "*", 5),
        (BinaryOp::Div, "/", 5),
        (BinaryOp::FloorDiv, "//", 5),
        (BinaryOp::Rem, "%", 5),
    ];

    /// Precedence level of the prefix operators, above every infix one.
    pub const PREFIX_LEVEL: u8 = 6;

    /// The operator's precedence level.
    pub fn level(self) -> u8 {
        Self::ALL.iter().find(|(op, _, _)| *op == self).map_or(0, |&(_, _, l)| l)
    }

    /// How the operator is written (lower-case spelling for keywords).
    pub fn as_str(self) -> &'static str {
        Self::ALL.iter().find(|(op, _, _)| *op == self).map_or("?", |&(_, s, _)| s)
    }
}

impl UnaryOp {
    /// How the operator is written.
    pub fn as_str(self) -> &'static str {
        match self {
            UnaryOp::Neg => "-",
            UnaryOp::Not => "not",
        }
    }
}

impl Expr {
    /// The same tree with every span cleared, for comparing trees parsed from different
    /// text (the parser bounds the depth, so the recursion is bounded).
    pub fn without_spans(&self) -> Expr {
        let b = |x: &Expr| Box::new(x.without_spans());
        let kind = match &self.kind {
            ExprKind::List(v) => ExprKind::List(v.iter().map(Expr::without_spans).collect()),
            ExprKind::Map(kv) => {
                ExprKind::Map(kv.iter().map(|(k, v)| (k.without_spans(), v.without_spans())).collect())
            }
            ExprKind::Unary { op, operand } => ExprKind::Unary { op: *op, operand: b(operand) },
            ExprKind::Binary { op, lhs, rhs, .. } => {
                ExprKind::Binary { op: *op, op_span: Span::default(), lhs: b(lhs), rhs: b(rhs) }
            }
            ExprKind::Member { object, name, .. } => {
                ExprKind::Member { object: b(object), name: name.clone(), name_span: Span::default() }
            }
            ExprKind::Index { object, index } => ExprKind::Index { object: b(object), index: b(index) },
            ExprKind::Call { callee, args } => {
                ExprKind::Call { callee: b(callee), args: args.iter().map(Expr::without_spans).collect() }
            }
            other => other.clone(),
        };
        Expr { kind, span: Span::default() }
    }

    /// Whether this expression (or any part of it) failed to parse.
    pub fn has_error(&self) -> bool {
        let mut found = false;
        self.walk(&mut |e| found |= matches!(e.kind, ExprKind::Error));
        found
    }

    /// Calls `f` on this expression and every sub-expression, parents first.
    pub fn walk(&self, f: &mut impl FnMut(&Expr)) {
        f(self);
        match &self.kind {
            ExprKind::List(items) => items.iter().for_each(|e| e.walk(f)),
            ExprKind::Map(entries) => entries.iter().for_each(|(k, v)| {
                k.walk(f);
                v.walk(f);
            }),
            ExprKind::Unary { operand, .. } => operand.walk(f),
            ExprKind::Binary { lhs, rhs, .. } => {
                lhs.walk(f);
                rhs.walk(f);
            }
            ExprKind::Member { object, .. } => object.walk(f),
            ExprKind::Index { object, index } => {
                object.walk(f);
                index.walk(f);
            }
            ExprKind::Call { callee, args } => {
                callee.walk(f);
                args.iter().for_each(|e| e.walk(f));
            }
            ExprKind::Null
            | ExprKind::Bool(_)
            | ExprKind::Int(_)
            | ExprKind::Double(_)
            | ExprKind::String(_)
            | ExprKind::Var(_)
            | ExprKind::Error => {}
        }
    }

    /// The variable at the root of a dotted name (`sys` in `sys.get_env`), without
    /// building the whole name.
    pub fn dotted_root(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::Var(name) => Some(name),
            ExprKind::Member { object, .. } => object.dotted_root(),
            _ => None,
        }
    }

    /// The dotted name this expression spells, if it is one: `sys.get_env` for
    /// `Member(Var(sys), get_env)`.
    pub fn dotted_name(&self) -> Option<String> {
        match &self.kind {
            ExprKind::Var(name) => Some(name.clone()),
            ExprKind::Member { object, name, .. } => {
                let mut base = object.dotted_name()?;
                base.push('.');
                base.push_str(name);
                Some(base)
            }
            _ => None,
        }
    }
}

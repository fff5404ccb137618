//! Semantic tokens inside `${...}`: variables and parameters (as the checker resolves them),
//! functions, modules, fields, literals, keywords and operators; plus the variables that steps
//! assign outside expressions (assignment targets, `result`, loop and except variables).

use wf_check::facts::{Role, Symbol};
use wf_check::stdlib;
use wf_syntax::{BinaryOp, Expr, ExprKind, Span, UnaryOp};

use super::Doc;
use super::exprs::{is_callee, visit};

/// The token types, in the order of the legend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A standard-library module.
    Namespace,
    /// A function or subworkflow.
    Function,
    /// A variable.
    Variable,
    /// A parameter.
    Parameter,
    /// A field of a map, or a predefined value.
    Property,
    /// A string literal.
    String,
    /// A number.
    Number,
    /// `true`, `null`, `and`, `not`, `in`, ...
    Keyword,
    /// `+`, `==`, ...
    Operator,
}

impl TokenKind {
    /// Every kind, in legend order.
    pub const ALL: [TokenKind; 9] = [
        TokenKind::Namespace,
        TokenKind::Function,
        TokenKind::Variable,
        TokenKind::Parameter,
        TokenKind::Property,
        TokenKind::String,
        TokenKind::Number,
        TokenKind::Keyword,
        TokenKind::Operator,
    ];
}

/// Token modifiers, as bits in the order of the legend.
pub mod modifier {
    /// Where a variable is assigned.
    pub const DECLARATION: u32 = 1;
    /// Part of the standard library.
    pub const DEFAULT_LIBRARY: u32 = 2;
    /// Cannot be assigned (predefined values).
    pub const READONLY: u32 = 4;
    /// The legend names, in bit order.
    pub const NAMES: [&str; 3] = ["declaration", "defaultLibrary", "readonly"];
}

/// One token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// Where (never across a line break).
    pub span: Span,
    /// What.
    pub kind: TokenKind,
    /// Modifier bits ([`modifier`]).
    pub modifiers: u32,
}

/// The tokens of the whole document, sorted, without overlaps.
pub fn tokens(doc: &Doc) -> Vec<Token> {
    if !doc.is_workflow() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for entry in &doc.exprs().entries {
        visit(&entry.expr, &mut |e| expr_tokens(doc, &entry.expr, e, &mut out));
    }
    if let Some(a) = doc.analysis() {
        for o in a.occurrences() {
            if let Symbol::Var { sub, var } = o.symbol
                && matches!(o.role, Role::Write | Role::Declaration)
            {
                let kind = if a.subs[sub].vars[var].param { TokenKind::Parameter } else { TokenKind::Variable };
                out.push(Token { span: o.span, kind, modifiers: modifier::DECLARATION });
            }
        }
    }
    out.sort_by_key(|t| (t.span.start, t.span.end));
    let mut kept: Vec<Token> = Vec::with_capacity(out.len());
    for t in out {
        let single_line = !doc.file.slice(t.span).contains('\n');
        if t.span.is_empty() || !single_line || kept.last().is_some_and(|k| k.span.end > t.span.start) {
            continue;
        }
        kept.push(t);
    }
    kept
}

fn expr_tokens(doc: &Doc, root: &Expr, e: &Expr, out: &mut Vec<Token>) {
    let mut push = |span: Span, kind: TokenKind, modifiers: u32| out.push(Token { span, kind, modifiers });
    match &e.kind {
        ExprKind::String(_) => push(e.span, TokenKind::String, 0),
        ExprKind::Int(_) | ExprKind::Double(_) => push(e.span, TokenKind::Number, 0),
        ExprKind::Bool(_) | ExprKind::Null => push(e.span, TokenKind::Keyword, 0),
        ExprKind::Var(name) => {
            let (kind, modifiers) = classify_name(doc, e.span, name, is_callee(root, e));
            push(e.span, kind, modifiers);
        }
        ExprKind::Member { name_span, .. } => {
            let library = e.dotted_root().is_some_and(|r| stdlib::is_module(r) && !is_variable(doc, e.span, r));
            let path = e.dotted_name().filter(|_| library);
            let (kind, modifiers) = match path.as_deref() {
                Some(p) if stdlib::function(p).is_some() || stdlib::is_connector(p) => {
                    (TokenKind::Function, modifier::DEFAULT_LIBRARY)
                }
                Some(p) if stdlib::value(p).is_some() => {
                    (TokenKind::Property, modifier::DEFAULT_LIBRARY | modifier::READONLY)
                }
                Some(p) if stdlib::is_module(p) => (TokenKind::Namespace, modifier::DEFAULT_LIBRARY),
                Some(_) if is_callee(root, e) => (TokenKind::Function, 0),
                _ => (TokenKind::Property, 0),
            };
            push(*name_span, kind, modifiers);
        }
        ExprKind::Binary { op, op_span, .. } => {
            let kind = match op {
                BinaryOp::And | BinaryOp::Or | BinaryOp::In => TokenKind::Keyword,
                _ => TokenKind::Operator,
            };
            push(*op_span, kind, 0);
        }
        ExprKind::Unary { op, .. } => {
            let (len, kind) = match op {
                UnaryOp::Not => (3, TokenKind::Keyword),
                UnaryOp::Neg => (1, TokenKind::Operator),
            };
            push(Span::new(e.span.start, e.span.start + len), kind, 0);
        }
        _ => {}
    }
}

/// Whether `name` written at `span` is a variable of the subworkflow around it.
fn is_variable(doc: &Doc, span: Span, name: &str) -> bool {
    doc.analysis().is_some_and(|a| a.sub_at(span.start).and_then(|s| a.var_named(s, name)).is_some())
}

fn classify_name(doc: &Doc, span: Span, name: &str, callee: bool) -> (TokenKind, u32) {
    if let Some(a) = doc.analysis()
        && let Some(o) = a.occurrence_exactly(span)
    {
        return match o.symbol {
            Symbol::Var { sub, var } if a.subs[sub].vars[var].param => (TokenKind::Parameter, 0),
            Symbol::Var { .. } => (TokenKind::Variable, 0),
            Symbol::Sub(_) | Symbol::Step { .. } => (TokenKind::Function, 0),
        };
    }
    if stdlib::is_module(name) {
        (TokenKind::Namespace, modifier::DEFAULT_LIBRARY)
    } else if callee && stdlib::function(name).is_some() {
        (TokenKind::Function, modifier::DEFAULT_LIBRARY)
    } else if callee {
        (TokenKind::Function, 0)
    } else {
        (TokenKind::Variable, 0)
    }
}

//! A hand-written Pratt parser for `${...}` expressions.
//!
//! It keeps the first error only, so that one mistake gives one diagnostic, and still
//! returns a tree (with [`ExprKind::Error`] holes) for the language server.

use super::ast::{BinaryOp, Expr, ExprKind, UnaryOp};
use super::lexer::{Keyword, Tok, Token, keyword, tokenize, unescape};
use crate::{Diagnostic, Span, codes};

/// Deepest nesting of brackets and operators accepted before giving up.
const MAX_DEPTH: u32 = 128;

/// Converts a byte range of the expression text to a file span.
pub type SpanMap<'m> = &'m dyn Fn(usize, usize) -> Span;

/// Parses `text` as one expression. `map` turns byte ranges of `text` into file spans; the
/// end of the text is reported at `map(len, len + 1)` (the closing `}` of a `${...}`).
pub fn parse_expression(text: &str, map: SpanMap<'_>) -> (Expr, Option<Diagnostic>) {
    let mut p = Parser::new(text, map);
    let expr = p.expr(1);
    p.expect_end();
    (expr, p.error)
}

/// Parses an assignment target such as `a.b[i + 1]["k"]`: a variable followed by field
/// accesses and indexes.
pub fn parse_place(text: &str, map: SpanMap<'_>) -> (Expr, Option<Diagnostic>) {
    let (expr, error) = parse_expression(text, map);
    if let Some(mut d) = error {
        d.code = codes::INVALID_TARGET;
        d.message = format!("invalid assignment target: {}", d.message);
        return (expr, Some(d));
    }
    if is_place(&expr) {
        return (expr, None);
    }
    let d = Diagnostic::error(codes::INVALID_TARGET, expr.span, format!("`{text}` cannot be assigned to"))
        .with_label("not a variable path")
        .with_help("assign to a variable, a field or an index: `x`, `a.b`, `list[0]`, `m[\"key\"]`");
    (expr, Some(d))
}

fn is_place(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Var(_) => true,
        ExprKind::Member { object, .. } | ExprKind::Index { object, .. } => is_place(object),
        _ => false,
    }
}

struct Parser<'t, 'm> {
    text: &'t str,
    tokens: Vec<Token>,
    pos: usize,
    map: SpanMap<'m>,
    error: Option<Diagnostic>,
    depth: u32,
}

impl<'t, 'm> Parser<'t, 'm> {
    fn new(text: &'t str, map: SpanMap<'m>) -> Self {
        Parser { text, tokens: tokenize(text), pos: 0, map, error: None, depth: 0 }
    }

    fn peek(&self) -> Token {
        self.tokens[self.pos.min(self.tokens.len() - 1)]
    }

    fn peek_at(&self, ahead: usize) -> Token {
        self.tokens[(self.pos + ahead).min(self.tokens.len() - 1)]
    }

    fn bump(&mut self) -> Token {
        let t = self.peek();
        if t.kind != Tok::Eof {
            self.pos += 1;
        }
        t
    }

    fn failed(&self) -> bool {
        self.error.is_some()
    }

    fn tok_text(&self, t: Token) -> &'t str {
        self.text.get(t.start..t.end).unwrap_or("")
    }

    fn span_of(&self, t: Token) -> Span {
        if t.kind == Tok::Eof { (self.map)(t.start, t.start + 1) } else { (self.map)(t.start, t.end) }
    }

    fn keyword_at(&self, t: Token) -> Option<Keyword> {
        if t.kind == Tok::Ident { keyword(self.tok_text(t)) } else { None }
    }

    fn report(&mut self, d: Diagnostic) {
        if self.error.is_none() {
            self.error = Some(d);
        }
    }

    fn error_node(&self, span: Span) -> Expr {
        Expr { kind: ExprKind::Error, span }
    }

    /// Describes a token for "found ..." messages.
    fn describe(&self, t: Token) -> String {
        match t.kind {
            Tok::Eof => "the end of the expression".to_string(),
            Tok::Str | Tok::UnterminatedStr => "a string".to_string(),
            Tok::Int | Tok::Double => format!("the number `{}`", self.tok_text(t)),
            _ => format!("`{}`", self.tok_text(t)),
        }
    }

    fn binary_op(&self, t: Token) -> Option<BinaryOp> {
        Some(match t.kind {
            Tok::Plus => BinaryOp::Add,
            Tok::Minus => BinaryOp::Sub,
            Tok::Star => BinaryOp::Mul,
            Tok::Slash => BinaryOp::Div,
            Tok::SlashSlash => BinaryOp::FloorDiv,
            Tok::Percent => BinaryOp::Rem,
            Tok::EqEq => BinaryOp::Eq,
            Tok::NotEq => BinaryOp::Ne,
            Tok::Lt => BinaryOp::Lt,
            Tok::Le => BinaryOp::Le,
            Tok::Gt => BinaryOp::Gt,
            Tok::Ge => BinaryOp::Ge,
            Tok::Ident => match self.keyword_at(t)? {
                Keyword::And => BinaryOp::And,
                Keyword::Or => BinaryOp::Or,
                Keyword::In => BinaryOp::In,
                _ => return None,
            },
            _ => return None,
        })
    }

    /// Parses operators of precedence `min_level` and above (left-associative).
    fn expr(&mut self, min_level: u8) -> Expr {
        if !self.enter() {
            return self.error_node(self.span_of(self.peek()));
        }
        let mut lhs = self.unary();
        while !self.failed() {
            let t = self.peek();
            if self.keyword_at(t) == Some(Keyword::Not) && self.keyword_at(self.peek_at(1)) == Some(Keyword::In) {
                let not_in = self.span_of(t).cover(self.span_of(self.peek_at(1)));
                self.report(
                    Diagnostic::error(codes::EXPR_SYNTAX, not_in, "`not in` is not an operator in Workflows")
                        .with_label("not supported")
                        .with_help("write `not (x in y)`"),
                );
                break;
            }
            let Some(op) = self.binary_op(t) else { break };
            let level = op.level();
            if level < min_level {
                break;
            }
            self.bump();
            let op_span = self.span_of(t);
            let rhs = if self.at_expression_start() { self.expr(level + 1) } else { self.missing_operand(op, op_span) };
            let span = lhs.span.cover(rhs.span);
            lhs = Expr { kind: ExprKind::Binary { op, op_span, lhs: Box::new(lhs), rhs: Box::new(rhs) }, span };
        }
        self.depth -= 1;
        lhs
    }

    fn enter(&mut self) -> bool {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let span = self.span_of(self.peek());
            self.report(
                Diagnostic::error(codes::EXPR_SYNTAX, span, "expression is nested too deeply")
                    .with_help("split it into several assignments"),
            );
            self.depth -= 1;
            return false;
        }
        true
    }

    fn at_expression_start(&self) -> bool {
        let t = self.peek();
        match t.kind {
            Tok::Int | Tok::Double | Tok::Str | Tok::LParen | Tok::LBracket | Tok::LBrace | Tok::Minus => true,
            Tok::Ident => !matches!(self.keyword_at(t), Some(Keyword::And | Keyword::Or | Keyword::In)),
            _ => false,
        }
    }

    fn missing_operand(&mut self, op: BinaryOp, op_span: Span) -> Expr {
        let t = self.peek();
        let at = self.span_of(t);
        let d = Diagnostic::error(
            codes::EXPR_SYNTAX,
            at,
            format!("expected an expression after `{}`, found {}", op.as_str(), self.describe(t)),
        )
        .with_label("expected an expression here")
        .with_secondary(op_span, "this operator needs a right-hand operand");
        self.report(d);
        self.error_node(Span::empty(at.start))
    }

    fn unary(&mut self) -> Expr {
        let t = self.peek();
        let op = match t.kind {
            Tok::Minus => Some(UnaryOp::Neg),
            Tok::Ident if self.keyword_at(t) == Some(Keyword::Not) => Some(UnaryOp::Not),
            _ => None,
        };
        let Some(op) = op else { return self.postfix() };
        self.bump();
        let start = self.span_of(t);
        if op == UnaryOp::Neg && self.peek().kind == Tok::Int && self.tok_text(self.peek()) == "9223372036854775808" {
            let lit = self.bump();
            let span = start.cover(self.span_of(lit));
            return self.postfix_ops(Expr { kind: ExprKind::Int(i64::MIN), span });
        }
        if !self.enter() {
            return self.error_node(start);
        }
        let operand = if self.at_expression_start() || self.keyword_at(self.peek()) == Some(Keyword::Not) {
            self.unary()
        } else {
            let found = self.peek();
            let at = self.span_of(found);
            self.report(
                Diagnostic::error(
                    codes::EXPR_SYNTAX,
                    at,
                    format!("expected an operand after `{}`, found {}", op.as_str(), self.describe(found)),
                )
                .with_label("expected an expression here"),
            );
            self.error_node(Span::empty(at.start))
        };
        self.depth -= 1;
        let span = start.cover(operand.span);
        Expr { kind: ExprKind::Unary { op, operand: Box::new(operand) }, span }
    }

    fn postfix(&mut self) -> Expr {
        let primary = self.primary();
        self.postfix_ops(primary)
    }

    fn postfix_ops(&mut self, mut expr: Expr) -> Expr {
        while !self.failed() {
            let t = self.peek();
            match t.kind {
                Tok::Dot => {
                    self.bump();
                    let name_tok = self.peek();
                    if name_tok.kind != Tok::Ident {
                        let at = self.span_of(name_tok);
                        self.report(
                            Diagnostic::error(
                                codes::EXPR_SYNTAX,
                                at,
                                format!("expected a field name after `.`, found {}", self.describe(name_tok)),
                            )
                            .with_label("expected a name here")
                            .with_help("for keys that are not names, index with a string: `m[\"my-key\"]`"),
                        );
                        return self.error_node(expr.span.cover(self.span_of(t)));
                    }
                    self.bump();
                    let name_span = self.span_of(name_tok);
                    let span = expr.span.cover(name_span);
                    let name = self.tok_text(name_tok).to_string();
                    expr = Expr { kind: ExprKind::Member { object: Box::new(expr), name, name_span }, span };
                }
                Tok::LBracket => {
                    self.bump();
                    let index = self.expr(1);
                    let close = self.close(t, Tok::RBracket, "]");
                    let span = expr.span.cover(close);
                    expr = Expr { kind: ExprKind::Index { object: Box::new(expr), index: Box::new(index) }, span };
                }
                Tok::LParen => {
                    self.bump();
                    let (args, close) = self.comma_list(t, Tok::RParen, ")", |p| p.expr(1));
                    let span = expr.span.cover(close);
                    expr = Expr { kind: ExprKind::Call { callee: Box::new(expr), args }, span };
                }
                _ => break,
            }
        }
        expr
    }

    /// Expects the closing token for `open`; returns the span it ended at.
    fn close(&mut self, open: Token, close: Tok, text: &str) -> Span {
        let t = self.peek();
        if t.kind == close {
            self.bump();
            return self.span_of(t);
        }
        if !self.failed() {
            let at = self.span_of(t);
            let open_text = self.tok_text(open);
            self.report(
                Diagnostic::error(
                    codes::EXPR_SYNTAX,
                    at,
                    format!("expected `{text}` to close `{open_text}`, found {}", self.describe(t)),
                )
                .with_label(format!("expected `{text}` here"))
                .with_secondary(self.span_of(open), format!("unclosed `{open_text}`")),
            );
        }
        Span::empty(self.span_of(t).start)
    }

    /// Parses `item (, item)* ,? close` after `open`.
    fn comma_list<T>(
        &mut self,
        open: Token,
        close: Tok,
        close_text: &str,
        mut item: impl FnMut(&mut Self) -> T,
    ) -> (Vec<T>, Span) {
        let mut items = Vec::new();
        while !self.failed() && self.peek().kind != close {
            items.push(item(self));
            if self.failed() {
                break;
            }
            if self.peek().kind == Tok::Comma {
                self.bump();
                continue;
            }
            if self.peek().kind != close {
                let t = self.peek();
                let at = self.span_of(t);
                let open_text = self.tok_text(open);
                let msg = if t.kind == Tok::Eof {
                    format!("expected `,` or `{close_text}`, found {}", self.describe(t))
                } else {
                    format!("expected `,` or `{close_text}` after an item, found {}", self.describe(t))
                };
                let mut d = Diagnostic::error(codes::EXPR_SYNTAX, at, msg)
                    .with_label(format!("expected `,` or `{close_text}` here"));
                if t.kind == Tok::Eof {
                    d = d.with_secondary(self.span_of(open), format!("unclosed `{open_text}`"));
                }
                self.report(d);
            }
            break;
        }
        let end = self.close(open, close, close_text);
        (items, end)
    }

    fn primary(&mut self) -> Expr {
        let t = self.peek();
        let span = self.span_of(t);
        let text = self.tok_text(t);
        let kind = match t.kind {
            Tok::Int => match text.parse::<i64>() {
                Ok(n) => ExprKind::Int(n),
                Err(_) => {
                    self.report(
                        Diagnostic::error(codes::INT_OUT_OF_RANGE, span, "integer literal does not fit in 64 bits")
                            .with_label("out of range")
                            .with_help("write it as a double (`1.0e20`) or a string"),
                    );
                    ExprKind::Error
                }
            },
            Tok::Double => ExprKind::Double(text.parse().unwrap_or(0.0)),
            Tok::Str => ExprKind::String(unescape(text)),
            Tok::UnterminatedStr => {
                self.report(
                    Diagnostic::error(codes::EXPR_SYNTAX, self.span_of(t), "unterminated string literal")
                        .with_label("this string is never closed")
                        .with_help(format!("add the closing `{}`", &text[..1])),
                );
                ExprKind::Error
            }
            Tok::Ident => match self.keyword_at(t) {
                None => ExprKind::Var(text.to_string()),
                Some(Keyword::True) => ExprKind::Bool(true),
                Some(Keyword::False) => ExprKind::Bool(false),
                Some(Keyword::Null) => ExprKind::Null,
                Some(_) => return self.expected_expression(t),
            },
            Tok::LParen => {
                self.bump();
                let inner = self.expr(1);
                let close = self.close(t, Tok::RParen, ")");
                return Expr { kind: inner.kind, span: span.cover(close).cover(inner.span) };
            }
            Tok::LBracket => {
                self.bump();
                let (items, close) = self.comma_list(t, Tok::RBracket, "]", |p| p.expr(1));
                return Expr { kind: ExprKind::List(items), span: span.cover(close) };
            }
            Tok::LBrace => {
                self.bump();
                let (entries, close) = self.comma_list(t, Tok::RBrace, "}", Self::map_entry);
                return Expr { kind: ExprKind::Map(entries), span: span.cover(close) };
            }
            _ => return self.expected_expression(t),
        };
        self.bump();
        Expr { kind, span }
    }

    fn map_entry(&mut self) -> (Expr, Expr) {
        let key = self.expr(1);
        if !self.failed() && !matches!(key.kind, ExprKind::String(_)) {
            self.report(
                Diagnostic::error(codes::EXPR_SYNTAX, key.span, "map keys in expressions must be string literals")
                    .with_label("not a string")
                    .with_help("quote the key: `{\"name\": value}`"),
            );
        }
        let colon = self.peek();
        if colon.kind == Tok::Colon {
            self.bump();
        } else if !self.failed() {
            let at = self.span_of(colon);
            self.report(
                Diagnostic::error(
                    codes::EXPR_SYNTAX,
                    at,
                    format!("expected `:` after a map key, found {}", self.describe(colon)),
                )
                .with_label("expected `:` here"),
            );
            let value = self.error_node(Span::empty(at.start));
            return (key, value);
        }
        let value = self.expr(1);
        (key, value)
    }

    fn expected_expression(&mut self, t: Token) -> Expr {
        let at = self.span_of(t);
        let msg = match t.kind {
            Tok::Unknown => format!("unexpected character `{}` in expression", self.tok_text(t)),
            _ => format!("expected an expression, found {}", self.describe(t)),
        };
        let mut d = Diagnostic::error(codes::EXPR_SYNTAX, at, msg).with_label("expected an expression here");
        if t.kind == Tok::Eof && self.text.trim().is_empty() {
            d = d.with_help("`${}` is empty: write an expression between the braces");
        }
        self.report(d);
        self.error_node(Span::empty(at.start))
    }

    fn expect_end(&mut self) {
        if self.failed() {
            return;
        }
        let t = self.peek();
        if t.kind == Tok::Eof {
            return;
        }
        let at = self.span_of(t);
        let text = self.tok_text(t);
        let lower = text.to_ascii_lowercase();
        let d = if t.kind == Tok::Ident && matches!(lower.as_str(), "and" | "or" | "not" | "in") {
            Diagnostic::error(codes::EXPR_SYNTAX, at, format!("`{text}` is not an operator"))
                .with_label("unknown operator")
                .with_help(format!("write `{lower}`; keywords are all lower case or all upper case"))
        } else if t.kind == Tok::Unknown {
            Diagnostic::error(codes::EXPR_SYNTAX, at, format!("unexpected character `{text}` in expression"))
                .with_label("not part of the expression language")
        } else {
            Diagnostic::error(
                codes::EXPR_SYNTAX,
                at,
                format!("unexpected {} after the end of the expression", self.describe(t)),
            )
            .with_label("unexpected here")
            .with_help("is an operator missing before it?")
        };
        self.report(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Expr, Option<Diagnostic>) {
        parse_expression(text, &|s, e| Span::from(s..e))
    }

    fn ok(text: &str) -> String {
        let (e, d) = parse(text);
        assert!(d.is_none(), "{text}: {d:?}");
        e.to_string()
    }

    fn err(text: &str) -> (String, std::ops::Range<usize>) {
        let (_, d) = parse(text);
        let d = d.unwrap_or_else(|| panic!("expected an error for {text}"));
        (d.message, d.span.range())
    }

    #[test]
    fn precedence_follows_gcw() {
        assert_eq!(ok("not a == b"), "(not a) == b");
        assert_eq!(ok("a + b * c"), "a + b * c");
        assert_eq!(ok("(a + b) * c"), "(a + b) * c");
        assert_eq!(ok("a or b and c"), "a or b and c");
        assert_eq!(ok("a < b == c"), "a < b == c");
        assert_eq!(ok("-a.b[0]"), "-a.b[0]");
        assert_eq!(ok("x in [1, 2,]"), "x in [1, 2]");
        assert_eq!(ok("a - (b - c)"), "a - (b - c)");
        assert_eq!(ok("text.split(s, \",\")[0]"), "text.split(s, \",\")[0]");
        assert_eq!(ok("{'a': 1, \"b\": [true, null]}"), "{\"a\": 1, \"b\": [true, null]}");
        assert_eq!(ok("-9223372036854775808"), "-9223372036854775808");
        assert_eq!(ok("a AND NOT b OR c"), "a and (not b) or c");
    }

    #[test]
    fn one_error_at_the_right_place() {
        assert_eq!(err("a +"), ("expected an expression after `+`, found the end of the expression".into(), 3..4));
        assert_eq!(err("len(x"), ("expected `,` or `)`, found the end of the expression".into(), 5..6));
        assert_eq!(err("a b"), ("unexpected `b` after the end of the expression".into(), 2..3));
        assert_eq!(err("a And b"), ("`And` is not an operator".into(), 2..5));
        assert_eq!(err("\"abc"), ("unterminated string literal".into(), 0..4));
        assert_eq!(err("x not in y"), ("`not in` is not an operator in Workflows".into(), 2..8));
        assert_eq!(err("{1: 2}"), ("map keys in expressions must be string literals".into(), 1..2));
        assert_eq!(err("a.1"), ("expected a field name after `.`, found the number `1`".into(), 2..3));
        assert_eq!(err(""), ("expected an expression, found the end of the expression".into(), 0..1));
        assert_eq!(err("a[1"), ("expected `]` to close `[`, found the end of the expression".into(), 3..4));
        assert!(err(&"(".repeat(500)).0.contains("too deeply"));
    }

    #[test]
    fn places() {
        let map = |s, e| Span::from(s..e);
        assert!(parse_place("a.b[i + 1][\"k\"]", &map).1.is_none());
        assert!(parse_place("f(x)", &map).1.is_some());
        assert!(parse_place("a +", &map).1.is_some());
    }
}

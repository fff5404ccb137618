//! A hand-written Pratt parser for `${...}` expressions.
//!
//! It keeps the first error only, so that one mistake gives one diagnostic, and still
//! returns a tree (with [`ExprKind::Error`] holes) for the language server.

use super::ast::{BinaryOp, Expr, ExprKind, UnaryOp};
use super::lexer::{Keyword, Tok, Token, keyword, tokenize, unescape};
use crate::{Diagnostic, Span, codes};

/// Deepest expression tree accepted: every operator (also each link of a chain such as
/// `a + b + c`), field access, index, call, list, map and pair of parentheses is one level.
/// 400 is GCW's documented length limit, so any expression GCW accepts fits; every later
/// recursive pass (checker, printer, compiler, language server) relies on this bound.
pub const MAX_DEPTH: u32 = 400;

/// Converts a byte range of the expression text to a file span.
pub type SpanMap<'m> = &'m dyn Fn(usize, usize) -> Span;

/// Parses `text` as one expression. `map` turns byte ranges of `text` into file spans; the
/// end of the text is reported at `map(len, len + 1)` (the closing `}` of a `${...}`).
pub fn parse_expression(text: &str, map: SpanMap<'_>) -> (Expr, Option<Diagnostic>) {
    let mut p = Parser::new(text, map);
    let expr = p.expr(1).expr;
    p.expect_end();
    (expr, p.error)
}

/// Parses an assignment target such as `a.b[i + 1]["k"]`: a variable followed by field
/// accesses and indexes.
pub fn parse_place(text: &str, map: SpanMap<'_>) -> (Expr, Option<Diagnostic>) {
    let (expr, error) = parse_expression(text, map);
    if let Some(mut d) = error {
        if d.code == codes::TOO_DEEP {
            return (expr, Some(d));
        }
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

/// A parsed expression and the depth of its tree (see [`MAX_DEPTH`]).
struct Parsed {
    expr: Expr,
    depth: u32,
}

impl Parsed {
    fn leaf(expr: Expr) -> Parsed {
        Parsed { expr, depth: 1 }
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

    /// Reports the first error. `make` builds the diagnostic out of line, so that the
    /// recursive functions, up to [`MAX_DEPTH`] levels of them, keep small stack frames.
    #[cold]
    #[inline(never)]
    fn fail(&mut self, make: impl FnOnce(&Self) -> Diagnostic) {
        if self.error.is_none() {
            self.error = Some(make(self));
        }
    }

    fn error_node(&self, span: Span) -> Expr {
        Expr { kind: ExprKind::Error, span }
    }

    /// A node whose deepest child has depth `below`; past [`MAX_DEPTH`] it becomes an
    /// error reported at `at` (the operator or bracket that went one level too deep).
    fn node(&mut self, kind: ExprKind, span: Span, below: u32, at: Span) -> Parsed {
        let depth = below + 1;
        if depth > MAX_DEPTH {
            self.too_deep(at);
            return Parsed::leaf(self.error_node(span));
        }
        Parsed { expr: Expr { kind, span }, depth }
    }

    fn too_deep(&mut self, at: Span) {
        self.fail(|_| {
            Diagnostic::error(
                codes::TOO_DEEP,
                at,
                format!("expression is nested too deeply: more than {MAX_DEPTH} levels"),
            )
            .with_label(format!("level {} starts here", MAX_DEPTH + 1))
            .with_help("split it into several assignments")
        });
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
    fn expr(&mut self, min_level: u8) -> Parsed {
        if !self.enter() {
            return Parsed::leaf(self.error_node(self.span_of(self.peek())));
        }
        let mut lhs = self.unary();
        while !self.failed() {
            let t = self.peek();
            if self.keyword_at(t) == Some(Keyword::Not) && self.keyword_at(self.peek_at(1)) == Some(Keyword::In) {
                let not_in = self.span_of(t).cover(self.span_of(self.peek_at(1)));
                self.fail(|_| {
                    Diagnostic::error(codes::EXPR_SYNTAX, not_in, "`not in` is not an operator in Workflows")
                        .with_label("not supported")
                        .with_help("write `not (x in y)`")
                });
                break;
            }
            let Some(op) = self.binary_op(t) else { break };
            let level = op.level();
            if level < min_level {
                break;
            }
            self.bump();
            let op_span = self.span_of(t);
            let rhs = if self.at_expression_start() {
                self.expr(level + 1)
            } else {
                Parsed::leaf(self.missing_operand(op, op_span))
            };
            lhs = self.binary(lhs, op, op_span, rhs);
        }
        self.depth -= 1;
        lhs
    }

    fn binary(&mut self, lhs: Parsed, op: BinaryOp, op_span: Span, rhs: Parsed) -> Parsed {
        let span = lhs.expr.span.cover(rhs.expr.span);
        let below = lhs.depth.max(rhs.depth);
        let kind = ExprKind::Binary { op, op_span, lhs: Box::new(lhs.expr), rhs: Box::new(rhs.expr) };
        self.node(kind, span, below, op_span)
    }

    /// Counts one level of recursion; past [`MAX_DEPTH`] (the tree would be deeper still)
    /// it reports the depth error and returns `false`.
    fn enter(&mut self) -> bool {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            self.too_deep(self.span_of(self.peek()));
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
        self.fail(|p| {
            Diagnostic::error(
                codes::EXPR_SYNTAX,
                at,
                format!("expected an expression after `{}`, found {}", op.as_str(), p.describe(t)),
            )
            .with_label("expected an expression here")
            .with_secondary(op_span, "this operator needs a right-hand operand")
        });
        self.error_node(Span::empty(at.start))
    }

    fn unary(&mut self) -> Parsed {
        let t = self.peek();
        let op = match t.kind {
            Tok::Minus => Some(UnaryOp::Neg),
            Tok::Ident if self.keyword_at(t) == Some(Keyword::Not) => Some(UnaryOp::Not),
            _ => None,
        };
        match op {
            Some(op) => self.prefixed(op, t),
            None => self.postfix(),
        }
    }

    /// `op operand`, where `t` is the operator's token.
    fn prefixed(&mut self, op: UnaryOp, t: Token) -> Parsed {
        self.bump();
        let start = self.span_of(t);
        if op == UnaryOp::Neg && self.peek().kind == Tok::Int && self.tok_text(self.peek()) == "9223372036854775808" {
            let lit = self.bump();
            let span = start.cover(self.span_of(lit));
            return self.postfix_ops(Parsed::leaf(Expr { kind: ExprKind::Int(i64::MIN), span }));
        }
        if !self.enter() {
            return Parsed::leaf(self.error_node(start));
        }
        let operand = if self.at_expression_start() || self.keyword_at(self.peek()) == Some(Keyword::Not) {
            self.unary()
        } else {
            let found = self.peek();
            let at = self.span_of(found);
            self.fail(|p| {
                Diagnostic::error(
                    codes::EXPR_SYNTAX,
                    at,
                    format!("expected an operand after `{}`, found {}", op.as_str(), p.describe(found)),
                )
                .with_label("expected an expression here")
            });
            Parsed::leaf(self.error_node(Span::empty(at.start)))
        };
        self.depth -= 1;
        let span = start.cover(operand.expr.span);
        self.node(ExprKind::Unary { op, operand: Box::new(operand.expr) }, span, operand.depth, start)
    }

    fn postfix(&mut self) -> Parsed {
        let primary = self.primary();
        self.postfix_ops(primary)
    }

    fn postfix_ops(&mut self, mut expr: Parsed) -> Parsed {
        while !self.failed() {
            let t = self.peek();
            expr = match t.kind {
                Tok::Dot => self.member(expr, t),
                Tok::LBracket => self.index(expr, t),
                Tok::LParen => self.call(expr, t),
                _ => break,
            };
        }
        expr
    }

    /// `object.name`, where `dot` is the `.` token.
    fn member(&mut self, object: Parsed, dot: Token) -> Parsed {
        self.bump();
        let name_tok = self.peek();
        if name_tok.kind != Tok::Ident {
            let at = self.span_of(name_tok);
            self.fail(|p| {
                Diagnostic::error(
                    codes::EXPR_SYNTAX,
                    at,
                    format!("expected a field name after `.`, found {}", p.describe(name_tok)),
                )
                .with_label("expected a name here")
                .with_help("for keys that are not names, index with a string: `m[\"my-key\"]`")
            });
            return Parsed::leaf(self.error_node(object.expr.span.cover(self.span_of(dot))));
        }
        self.bump();
        let name_span = self.span_of(name_tok);
        let span = object.expr.span.cover(name_span);
        let name = self.tok_text(name_tok).to_string();
        let kind = ExprKind::Member { object: Box::new(object.expr), name, name_span };
        self.node(kind, span, object.depth, name_span)
    }

    /// `object[index]`, where `open` is the `[` token.
    fn index(&mut self, object: Parsed, open: Token) -> Parsed {
        self.bump();
        let index = self.expr(1);
        let close = self.close(open, Tok::RBracket, "]");
        let span = object.expr.span.cover(close);
        let below = object.depth.max(index.depth);
        let kind = ExprKind::Index { object: Box::new(object.expr), index: Box::new(index.expr) };
        self.node(kind, span, below, self.span_of(open))
    }

    /// `callee(args...)`, where `open` is the `(` token.
    fn call(&mut self, callee: Parsed, open: Token) -> Parsed {
        self.bump();
        let (args, close) = self.comma_list(open, Tok::RParen, ")", |p| p.expr(1));
        let span = callee.expr.span.cover(close);
        let below = args.iter().fold(callee.depth, |d, a| d.max(a.depth));
        let args = args.into_iter().map(|a| a.expr).collect();
        self.node(ExprKind::Call { callee: Box::new(callee.expr), args }, span, below, self.span_of(open))
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
            self.fail(|p| {
                Diagnostic::error(
                    codes::EXPR_SYNTAX,
                    at,
                    format!("expected `{text}` to close `{open_text}`, found {}", p.describe(t)),
                )
                .with_label(format!("expected `{text}` here"))
                .with_secondary(p.span_of(open), format!("unclosed `{open_text}`"))
            });
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
                self.fail(|p| p.separator_error(open, close_text));
            }
            break;
        }
        let end = self.close(open, close, close_text);
        (items, end)
    }

    /// After a list item: neither `,` nor the closing bracket.
    fn separator_error(&self, open: Token, close_text: &str) -> Diagnostic {
        let t = self.peek();
        let at = self.span_of(t);
        let open_text = self.tok_text(open);
        let msg = if t.kind == Tok::Eof {
            format!("expected `,` or `{close_text}`, found {}", self.describe(t))
        } else {
            format!("expected `,` or `{close_text}` after an item, found {}", self.describe(t))
        };
        let d =
            Diagnostic::error(codes::EXPR_SYNTAX, at, msg).with_label(format!("expected `,` or `{close_text}` here"));
        if t.kind == Tok::Eof { d.with_secondary(self.span_of(open), format!("unclosed `{open_text}`")) } else { d }
    }

    fn primary(&mut self) -> Parsed {
        let t = self.peek();
        match t.kind {
            Tok::LParen => self.parenthesized(t),
            Tok::LBracket => self.list(t),
            Tok::LBrace => self.map(t),
            _ => Parsed::leaf(self.atom(t)),
        }
    }

    /// A literal or a variable: the token `t`.
    fn atom(&mut self, t: Token) -> Expr {
        let span = self.span_of(t);
        let text = self.tok_text(t);
        let kind = match t.kind {
            Tok::Int => match text.parse::<i64>() {
                Ok(n) => ExprKind::Int(n),
                Err(_) => {
                    self.fail(|_| {
                        Diagnostic::error(codes::INT_OUT_OF_RANGE, span, "integer literal does not fit in 64 bits")
                            .with_label("out of range")
                            .with_help("write it as a double (`1.0e20`) or a string")
                    });
                    ExprKind::Error
                }
            },
            Tok::Double => match text.parse::<f64>() {
                Ok(d) if d.is_finite() => ExprKind::Double(d),
                _ => {
                    self.fail(|_| {
                        Diagnostic::error(codes::EXPR_SYNTAX, span, "number literal is too large for a double")
                            .with_label("out of range")
                            .with_help("doubles reach about 1.8e308")
                    });
                    ExprKind::Error
                }
            },
            Tok::Str => ExprKind::String(unescape(text)),
            Tok::UnterminatedStr => {
                self.fail(|_| {
                    Diagnostic::error(codes::EXPR_SYNTAX, span, "unterminated string literal")
                        .with_label("this string is never closed")
                        .with_help(format!("add the closing `{}`", &text[..1]))
                });
                ExprKind::Error
            }
            Tok::Ident => match self.keyword_at(t) {
                None => ExprKind::Var(text.to_string()),
                Some(Keyword::True) => ExprKind::Bool(true),
                Some(Keyword::False) => ExprKind::Bool(false),
                Some(Keyword::Null) => ExprKind::Null,
                Some(_) => return self.expected_expression(t),
            },
            _ => return self.expected_expression(t),
        };
        self.bump();
        Expr { kind, span }
    }

    /// `( inner )`: no node of its own, but a level (it nests the parser).
    fn parenthesized(&mut self, open: Token) -> Parsed {
        self.bump();
        let inner = self.expr(1);
        let close = self.close(open, Tok::RParen, ")");
        let start = self.span_of(open);
        let whole = start.cover(close).cover(inner.expr.span);
        self.node(inner.expr.kind, whole, inner.depth, start)
    }

    /// `[items...]`.
    fn list(&mut self, open: Token) -> Parsed {
        self.bump();
        let (items, close) = self.comma_list(open, Tok::RBracket, "]", |p| p.expr(1));
        let below = items.iter().fold(0, |d, i| d.max(i.depth));
        let items = items.into_iter().map(|i| i.expr).collect();
        let start = self.span_of(open);
        self.node(ExprKind::List(items), start.cover(close), below, start)
    }

    /// `{"key": value, ...}`.
    fn map(&mut self, open: Token) -> Parsed {
        self.bump();
        let (entries, close) = self.comma_list(open, Tok::RBrace, "}", Self::map_entry);
        let below = entries.iter().fold(0, |d, (k, v)| d.max(k.depth).max(v.depth));
        let entries = entries.into_iter().map(|(k, v)| (k.expr, v.expr)).collect();
        let start = self.span_of(open);
        self.node(ExprKind::Map(entries), start.cover(close), below, start)
    }

    fn map_entry(&mut self) -> (Parsed, Parsed) {
        let key = self.expr(1);
        if !self.failed() && !matches!(key.expr.kind, ExprKind::String(_)) {
            self.fail(|_| {
                Diagnostic::error(codes::EXPR_SYNTAX, key.expr.span, "map keys in expressions must be string literals")
                    .with_label("not a string")
                    .with_help("quote the key: `{\"name\": value}`")
            });
        }
        let colon = self.peek();
        if colon.kind == Tok::Colon {
            self.bump();
        } else if !self.failed() {
            let at = self.span_of(colon);
            self.fail(|p| {
                Diagnostic::error(
                    codes::EXPR_SYNTAX,
                    at,
                    format!("expected `:` after a map key, found {}", p.describe(colon)),
                )
                .with_label("expected `:` here")
            });
            let value = Parsed::leaf(self.error_node(Span::empty(at.start)));
            return (key, value);
        }
        let value = self.expr(1);
        (key, value)
    }

    fn expected_expression(&mut self, t: Token) -> Expr {
        let at = self.span_of(t);
        self.fail(|p| {
            let msg = match t.kind {
                Tok::Unknown => format!("unexpected character `{}` in expression", p.tok_text(t)),
                _ => format!("expected an expression, found {}", p.describe(t)),
            };
            let d = Diagnostic::error(codes::EXPR_SYNTAX, at, msg).with_label("expected an expression here");
            if t.kind == Tok::Eof && p.text.trim().is_empty() {
                d.with_help("`${}` is empty: write an expression between the braces")
            } else {
                d
            }
        });
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
        self.fail(|_| d);
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

    /// The depth of a tree, as [`MAX_DEPTH`] counts it (without parentheses).
    fn depth(e: &Expr) -> u32 {
        let children: Vec<&Expr> = match &e.kind {
            ExprKind::List(items) => items.iter().collect(),
            ExprKind::Map(entries) => entries.iter().flat_map(|(k, v)| [k, v]).collect(),
            ExprKind::Unary { operand, .. } => vec![operand],
            ExprKind::Binary { lhs, rhs, .. } => vec![lhs, rhs],
            ExprKind::Member { object, .. } => vec![object],
            ExprKind::Index { object, index } => vec![object, index],
            ExprKind::Call { callee, args } => std::iter::once(&**callee).chain(args).collect(),
            _ => vec![],
        };
        1 + children.into_iter().map(depth).max().unwrap_or(0)
    }

    fn too_deep(text: &str) -> bool {
        match parse(text) {
            (_, Some(d)) => {
                assert_eq!(d.code, codes::TOO_DEEP, "{text:.40}: {d:?}");
                assert_eq!(d.message, "expression is nested too deeply: more than 400 levels");
                true
            }
            (e, None) => {
                assert!(depth(&e) <= MAX_DEPTH, "{text:.40}");
                false
            }
        }
    }

    #[test]
    fn chains_count_towards_the_depth_limit() {
        let n = MAX_DEPTH as usize;
        // One level per link: `1` is one level, `1 + 1` two.
        let chain = |first: &str, link: &str, links: usize| format!("{first}{}", link.repeat(links));
        for (first, link) in [("1", " + 1"), ("a", " and a"), ("x", ".a"), ("x", "[0]"), ("f", "()"), ("a", " < a")] {
            assert!(!too_deep(&chain(first, link, n - 1)), "{first}{link} at the limit");
            assert!(too_deep(&chain(first, link, n)), "{first}{link} past the limit");
            assert!(too_deep(&chain(first, link, 10_000)), "{first}{link}: a long chain");
        }
        assert!(!too_deep(&format!("{}1", "-".repeat(n - 1))));
        assert!(too_deep(&format!("{}1", "-".repeat(n))));
        assert!(too_deep(&"not ".repeat(10_000)));
        // Parentheses count too, and chains inside them add up.
        assert!(!too_deep(&format!("{}1{}", "(".repeat(n - 1), ")".repeat(n - 1))));
        assert!(too_deep(&format!("{}1{}", "(".repeat(n), ")".repeat(n))));
        let nested = (0..4).fold("1".to_string(), |inner, _| format!("({inner}{})", " + 1".repeat(120)));
        assert!(too_deep(&nested), "4 x 121 levels");
        assert!(too_deep(&format!("{}1{}", "[".repeat(n), "]".repeat(n))));
        assert!(too_deep(&format!("{}1{}", "{\"a\": ".repeat(n), "}".repeat(n))));
        assert!(too_deep(&format!("f({})", chain("1", " * 1", n))));
        // The error points at the operator that goes one level too deep.
        let (_, d) = parse(&chain("1", "+1", n));
        let at = d.expect("an error").span.range();
        assert_eq!(at, 2 * (n - 1) + 1..2 * (n - 1) + 2);
    }

    #[test]
    fn places() {
        let map = |s, e| Span::from(s..e);
        assert!(parse_place("a.b[i + 1][\"k\"]", &map).1.is_none());
        assert!(parse_place("f(x)", &map).1.is_some());
        assert!(parse_place("a +", &map).1.is_some());
    }
}

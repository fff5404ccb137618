//! Every `${...}` of a file, read again from the YAML tree so that a broken expression still
//! gives the tree of what parsed (the checker keeps only an error node for it), with exact
//! file spans through quotes, escapes and folding; and what the text before the cursor says
//! about an expression being typed (the object before a `.`, the call around the cursor).

use std::ops::Range;

use wf_syntax::expr::{TokenClass, expression_end, parse_expression, scan};
use wf_syntax::yaml::{self, Node, NodeKind, ScalarKind, ScalarOffsets};
use wf_syntax::{Expr, ExprKind, SourceFile, Span};

/// One `${...}` string of the file.
#[derive(Debug)]
pub struct ExprEntry {
    /// The scalar that holds it.
    pub scalar: Span,
    /// The scalar's cooked text.
    pub text: String,
    offsets: ScalarOffsets,
    /// The expression's body in the cooked text (after `${`, up to its `}` or the end).
    pub body: Range<usize>,
    /// The tree (with [`ExprKind::Error`] where parsing stopped) and file spans.
    pub expr: Expr,
}

impl ExprEntry {
    /// The file span of the body.
    pub fn body_span(&self) -> Span {
        self.offsets.span(self.body.start, self.body.end)
    }

    /// The cooked index at or before file offset `offset`.
    pub fn cooked_index(&self, offset: u32) -> usize {
        (0..=self.text.len()).take_while(|&i| self.offsets.get(i) < offset).last().map_or(0, |i| i + 1)
    }
}

/// The expressions of a file, in source order.
#[derive(Debug, Default)]
pub struct ExprIndex {
    /// Every `${...}` string scalar (values and keys).
    pub entries: Vec<ExprEntry>,
}

impl ExprIndex {
    /// Reads every `${...}` of `file` (nothing when the YAML does not load).
    pub fn build(file: &SourceFile) -> ExprIndex {
        let (root, _) = yaml::load(file);
        let mut index = ExprIndex::default();
        if let Some(root) = root {
            index.walk(file, &root);
        }
        index.entries.sort_by_key(|e| e.scalar.start);
        index
    }

    fn walk(&mut self, file: &SourceFile, node: &Node) {
        match &node.kind {
            NodeKind::Scalar(s) if s.kind == ScalarKind::Str && s.text.starts_with("${") => {
                let offsets = ScalarOffsets::compute(&file.text, node.span, s);
                let body = 2..close_of(&s.text).unwrap_or(s.text.len());
                let len = s.text.len();
                let map = |a: usize, b: usize| {
                    let (a, b) = ((body.start + a).min(len), (body.start + b).min(body.end));
                    offsets.span(a, b.max(a))
                };
                let (expr, _) = parse_expression(&s.text[body.clone()], &map);
                self.entries.push(ExprEntry { scalar: node.span, text: s.text.clone(), offsets, body, expr });
            }
            NodeKind::Scalar(_) => {}
            NodeKind::Seq(items) => items.iter().for_each(|n| self.walk(file, n)),
            NodeKind::Map(entries) => {
                for (k, v) in entries {
                    self.walk(file, k);
                    self.walk(file, v);
                }
            }
        }
    }

    /// The expression whose body contains `offset` (its end included).
    pub fn at(&self, offset: u32) -> Option<&ExprEntry> {
        self.entries.iter().find(|e| {
            let b = e.body_span();
            b.start <= offset && offset <= b.end
        })
    }

    /// The smallest part of an expression that contains `offset`.
    pub fn innermost(&self, offset: u32) -> Option<(&ExprEntry, &Expr)> {
        let entry = self.at(offset)?;
        let mut best: Option<&Expr> = None;
        visit(&entry.expr, &mut |e| {
            if e.span.start <= offset && offset <= e.span.end && best.is_none_or(|b| e.span.len() <= b.span.len()) {
                best = Some(e);
            }
        });
        best.map(|e| (entry, e))
    }
}

/// Calls `f` on `e` and every part of it, parents first (callees included).
pub fn visit<'e>(e: &'e Expr, f: &mut impl FnMut(&'e Expr)) {
    f(e);
    match &e.kind {
        ExprKind::List(items) => items.iter().for_each(|i| visit(i, f)),
        ExprKind::Map(entries) => entries.iter().for_each(|(k, v)| {
            visit(k, f);
            visit(v, f);
        }),
        ExprKind::Unary { operand, .. } => visit(operand, f),
        ExprKind::Binary { lhs, rhs, .. } => {
            visit(lhs, f);
            visit(rhs, f);
        }
        ExprKind::Member { object, .. } => visit(object, f),
        ExprKind::Index { object, index } => {
            visit(object, f);
            visit(index, f);
        }
        ExprKind::Call { callee, args } => {
            visit(callee, f);
            args.iter().for_each(|a| visit(a, f));
        }
        _ => {}
    }
}

/// Where the `}` that closes the `${` at the start of `text` is (wf-syntax's rule, the one
/// the checker uses).
fn close_of(text: &str) -> Option<usize> {
    expression_end(text.get(2..)?).map(|n| n + 2)
}

/// The text of the expression being typed, from its start to `offset`: from the expression
/// index when the file loads, else from the `${` on the cursor's line.
pub fn prefix_at(file: &SourceFile, index: &ExprIndex, offset: u32) -> Option<String> {
    if let Some(entry) = index.at(offset) {
        let mut i = entry.cooked_index(offset).clamp(entry.body.start, entry.body.end);
        while !entry.text.is_char_boundary(i) {
            i -= 1;
        }
        return entry.text.get(entry.body.start..i).map(str::to_string);
    }
    let offset = offset as usize;
    let line_start = file.text[..offset.min(file.text.len())].rfind('\n').map_or(0, |i| i + 1);
    let line = file.text.get(line_start..offset)?;
    let mut open = None;
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if open.is_none() {
            if bytes[i..].starts_with(b"${") {
                open = Some(i + 2);
                i += 2;
                continue;
            }
        } else if let Some(start) = open {
            let close = close_of(&line[start - 2..]).map(|c| c + start - 2);
            match close {
                Some(c) => {
                    open = None;
                    i = c + 1;
                    continue;
                }
                None => break,
            }
        }
        i += 1;
    }
    open.map(|start| line[start..].to_string())
}

/// A token of expression text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tok {
    /// A name or keyword.
    Ident,
    /// A number.
    Number,
    /// A closed string literal.
    Str,
    /// A string literal still open at the end.
    OpenStr,
    /// Any other character (`.`, `(`, `+`, ...).
    Punct(u8),
}

/// A token and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: Tok,
    /// Its bytes.
    pub range: Range<usize>,
}

/// The tokens of expression text (wf-syntax's lexer, the parser's own).
pub fn tokens(text: &str) -> Vec<Token> {
    scan(text)
        .into_iter()
        .map(|t| {
            let kind = match t.class {
                TokenClass::Name => Tok::Ident,
                TokenClass::Number => Tok::Number,
                TokenClass::String => Tok::Str,
                TokenClass::OpenString => Tok::OpenStr,
                TokenClass::Punct => Tok::Punct(text.as_bytes()[t.range.start]),
            };
            Token { kind, range: t.range }
        })
        .collect()
}

/// What the text before the cursor in an expression is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Typing {
    /// A name, possibly empty: variables, functions and modules fit.
    Name {
        /// What is typed of it.
        partial: String,
    },
    /// A field or function after `object.`.
    Member {
        /// The text of the object (`resp.body`, `sys`).
        object: String,
        /// What is typed of the member.
        partial: String,
    },
    /// Inside a string literal or a number: nothing to complete.
    Nothing,
}

/// Reads the end of `prefix` (expression text up to the cursor).
pub fn typing(prefix: &str) -> Typing {
    let toks = tokens(prefix);
    let Some(last) = toks.last() else { return Typing::Name { partial: String::new() } };
    let touches_end = last.range.end == prefix.len();
    let (partial, before) = match last.kind {
        Tok::OpenStr | Tok::Number => return Typing::Nothing,
        Tok::Str if touches_end => return Typing::Nothing,
        Tok::Ident if touches_end => (prefix[last.range.clone()].to_string(), toks.len() - 1),
        _ => (String::new(), toks.len()),
    };
    if before > 0
        && toks[before - 1].kind == Tok::Punct(b'.')
        && toks[before - 1].range.end == prefix.len() - partial.len()
    {
        let dot = before - 1;
        return match chain_start(&toks, dot) {
            Some(start) => {
                Typing::Member { object: prefix[toks[start].range.start..toks[dot].range.start].to_string(), partial }
            }
            None => Typing::Nothing,
        };
    }
    Typing::Name { partial }
}

/// The first token of the postfix chain (`a.b[0](x).c`) that ends just before token `end`.
fn chain_start(toks: &[Token], end: usize) -> Option<usize> {
    let mut cur = end.checked_sub(1)?;
    loop {
        match toks[cur].kind {
            Tok::Ident => {
                if cur >= 2 && toks[cur - 1].kind == Tok::Punct(b'.') {
                    cur -= 2;
                    continue;
                }
                return Some(cur);
            }
            Tok::Punct(close @ (b')' | b']')) => {
                let open = if close == b')' { b'(' } else { b'[' };
                let mut depth = 0;
                let mut j = cur;
                loop {
                    match toks[j].kind {
                        Tok::Punct(c) if c == close => depth += 1,
                        Tok::Punct(c) if c == open => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    j = j.checked_sub(1)?;
                }
                if open == b'[' && (j == 0 || !matches!(toks[j - 1].kind, Tok::Ident | Tok::Punct(b')' | b']'))) {
                    // A list literal: `[1, 2].` has no fields.
                    return None;
                }
                cur = j.checked_sub(1)?;
            }
            Tok::Str if cur + 1 == end => return Some(cur),
            _ => return None,
        }
    }
}

/// The call whose arguments the end of `prefix` is in: the callee's text and the index of
/// the argument being typed.
pub fn open_call(prefix: &str) -> Option<(String, usize)> {
    let toks = tokens(prefix);
    let mut stack: Vec<(u8, usize, usize)> = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        match t.kind {
            Tok::Punct(b @ (b'(' | b'[' | b'{')) => stack.push((b, i, 0)),
            Tok::Punct(b')' | b']' | b'}') => {
                stack.pop();
            }
            Tok::Punct(b',') => {
                if let Some(top) = stack.last_mut() {
                    top.2 += 1;
                }
            }
            _ => {}
        }
    }
    let &(b, open, commas) = stack.last()?;
    if b != b'(' || open == 0 || toks[open - 1].kind != Tok::Ident {
        return None;
    }
    let start = chain_start(&toks, open)?;
    Some((prefix[toks[start].range.start..toks[open].range.start].to_string(), commas))
}

/// Whether `e` is the callee of a call somewhere in `root`.
pub fn is_callee(root: &Expr, e: &Expr) -> bool {
    let mut found = false;
    visit(root, &mut |x| {
        if let ExprKind::Call { callee, .. } = &x.kind
            && std::ptr::eq(callee.as_ref(), e)
        {
            found = true;
        }
    });
    found
}

/// The expression that `e` is a direct part of, within `root`.
pub fn parent_of<'e>(root: &'e Expr, e: &Expr) -> Option<&'e Expr> {
    let mut parent = None;
    visit(root, &mut |x| {
        let is_child = match &x.kind {
            ExprKind::Member { object, .. } => std::ptr::eq(object.as_ref(), e),
            ExprKind::Call { callee, args } => {
                std::ptr::eq(callee.as_ref(), e) || args.iter().any(|a| std::ptr::eq(a, e))
            }
            ExprKind::Index { object, index } => std::ptr::eq(object.as_ref(), e) || std::ptr::eq(index.as_ref(), e),
            ExprKind::Unary { operand, .. } => std::ptr::eq(operand.as_ref(), e),
            ExprKind::Binary { lhs, rhs, .. } => std::ptr::eq(lhs.as_ref(), e) || std::ptr::eq(rhs.as_ref(), e),
            ExprKind::List(items) => items.iter().any(|i| std::ptr::eq(i, e)),
            ExprKind::Map(entries) => entries.iter().any(|(k, v)| std::ptr::eq(k, e) || std::ptr::eq(v, e)),
            _ => false,
        };
        if is_child {
            parent = Some(x);
        }
    });
    parent
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_closing_brace_is_the_checkers() {
        for text in ["${a}", "${ {\"a\": \"}\"}.a }", "${ {\"a\": 1 ]}", "${f(}", "${a + b", "${\"abc}"] {
            let syntax = wf_syntax::expr::expression_end(&text[2..]).map(|n| n + 2);
            assert_eq!(close_of(text), syntax, "{text}");
        }
        assert_eq!(close_of("${ {\"a\": 1 ]}"), Some(12), "unbalanced brackets: the final brace");
    }

    use super::*;

    #[test]
    fn reads_what_is_being_typed() {
        assert_eq!(typing("len(x) + re"), Typing::Name { partial: "re".into() });
        assert_eq!(typing(""), Typing::Name { partial: String::new() });
        assert_eq!(typing("sys."), Typing::Member { object: "sys".into(), partial: String::new() });
        assert_eq!(
            typing("a + resp.body[\"x\"][0].it"),
            Typing::Member { object: "resp.body[\"x\"][0]".into(), partial: "it".into() }
        );
        assert_eq!(typing("f(a, b).c"), Typing::Member { object: "f(a, b)".into(), partial: "c".into() });
        assert_eq!(typing("\"abc"), Typing::Nothing);
        assert_eq!(typing("1."), Typing::Nothing);
        assert_eq!(typing("[1, 2]."), Typing::Nothing);
        assert_eq!(typing("x + "), Typing::Name { partial: String::new() });
    }

    #[test]
    fn finds_the_open_call() {
        assert_eq!(open_call("text.split(a, "), Some(("text.split".into(), 1)));
        assert_eq!(open_call("len(x) + f(g(1), [2, 3], "), Some(("f".into(), 2)));
        assert_eq!(open_call("len(x)"), None);
        assert_eq!(open_call("(1 + "), None);
    }

    #[test]
    fn indexes_broken_expressions_with_file_spans() {
        let file = SourceFile::new("t.yaml", "- a:\n    assign:\n      - x: \"${sys.get_env(\\\"é\\\") + }\"\n");
        let index = ExprIndex::build(&file);
        assert_eq!(index.entries.len(), 1);
        let at = file.text.find("get_env").unwrap() as u32;
        let (_, e) = index.innermost(at + 2).expect("a part");
        assert!(matches!(e.kind, ExprKind::Member { .. }), "{e:?}");
        let ExprKind::Member { name_span, .. } = &e.kind else { unreachable!() };
        assert_eq!(&file.text[name_span.range()], "get_env");
        assert_eq!(prefix_at(&file, &index, at + 3).as_deref(), Some("sys.get"));
        let broken = SourceFile::new("t.yaml", "- a:\n    assign:\n      - x: ${sys.");
        let index = ExprIndex::build(&broken);
        assert_eq!(prefix_at(&broken, &index, broken.text.len() as u32).as_deref(), Some("sys."));
    }
}

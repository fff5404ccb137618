//! Lowering data values, with `${...}` strings parsed into expressions at exact spans.

use super::Lowerer;
use crate::ast::{Data, DataKind, MapEntry, MapKey, Name};
use crate::expr::{Expr, Template, parse_place, parse_template};
use crate::yaml::{Node, NodeKind, Scalar, ScalarKind, ScalarOffsets};
use crate::{Diagnostic, Span, codes};

impl Lowerer<'_> {
    /// Lowers any YAML value; every whole-string `${...}` inside it becomes an expression.
    pub(crate) fn value(&mut self, node: &Node) -> Data {
        let kind = match &node.kind {
            NodeKind::Scalar(s) => match s.kind {
                ScalarKind::Null => DataKind::Null,
                ScalarKind::Bool(b) => DataKind::Bool(b),
                ScalarKind::Int(n) => DataKind::Int(n),
                ScalarKind::Double(x) => DataKind::Double(x),
                ScalarKind::Str => match self.template(node, s) {
                    Template::Expr(e) => DataKind::Expr(e),
                    Template::Literal => DataKind::String(s.text.clone()),
                },
            },
            NodeKind::Seq(items) => DataKind::List(items.iter().map(|n| self.value(n)).collect()),
            NodeKind::Map(entries) => DataKind::Map(
                entries.iter().map(|(k, v)| MapEntry { key: self.map_key(k), value: self.value(v) }).collect(),
            ),
        };
        Data { kind, span: node.span }
    }

    fn map_key(&mut self, key: &Node) -> MapKey {
        if let Some(s) = key.as_scalar()
            && s.kind == ScalarKind::Str
            && s.text.starts_with("${")
            && let Template::Expr(e) = self.template(key, s)
        {
            return MapKey::Expr(e);
        }
        MapKey::Name(Name { text: key.key_text().unwrap_or_default().to_string(), span: key.span })
    }

    /// Parses a string scalar as a possible `${...}` expression.
    pub(crate) fn template(&mut self, node: &Node, scalar: &Scalar) -> Template {
        if !scalar.text.contains("${") {
            return Template::Literal;
        }
        let offsets = ScalarOffsets::compute(&self.src.text, node.span, scalar);
        let (template, diags) = parse_template(&scalar.text, &|s, e| offsets.span(s, e));
        self.diags.extend(diags);
        template
    }

    /// An expression-only value: a `${...}` string. Anything else is reported with `message`.
    pub(crate) fn expression(&mut self, node: &Node, message: &str) -> Option<Expr> {
        if let Some(s) = node.as_scalar().filter(|s| s.kind == ScalarKind::Str) {
            if let Template::Expr(e) = self.template(node, s) {
                return Some(e);
            }
            if !s.text.starts_with("${") {
                self.diags.push(
                    Diagnostic::error(codes::WRONG_TYPE, node.span, message.to_string())
                        .with_label("expected a `${...}` expression, found text")
                        .with_help(format!("write `${{{}}}`", s.text)),
                );
            }
            return None;
        }
        self.wrong_type(node, message, "a `${...}` expression");
        None
    }

    /// Parses an assignment key as a target path.
    pub(crate) fn place(&mut self, key: &Node) -> Option<Expr> {
        let Some(s) = key.as_scalar() else {
            self.wrong_type(key, "an assignment target must be a variable path", "a name");
            return None;
        };
        if s.kind != ScalarKind::Str {
            self.diags.push(
                Diagnostic::error(codes::INVALID_TARGET, key.span, format!("`{}` cannot be assigned to", s.text))
                    .with_label(format!("this is {}", key.describe()))
                    .with_help("assign to a variable name"),
            );
            return None;
        }
        let offsets = ScalarOffsets::compute(&self.src.text, key.span, s);
        let len = s.text.len();
        let map =
            |a: usize, b: usize| if a >= len { Span::empty(offsets.get(len)) } else { offsets.span(a, b.min(len)) };
        let (expr, error) = parse_place(&s.text, &map);
        match error {
            Some(d) => {
                self.diags.push(d);
                None
            }
            None => Some(expr),
        }
    }
}

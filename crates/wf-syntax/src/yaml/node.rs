//! The spanned YAML/JSON tree.

use crate::Span;

/// A YAML node with its byte span in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// What the node holds.
    pub kind: NodeKind,
    /// Where it is: for scalars the raw text (quotes included), for flow collections
    /// the brackets, for block collections from the first item to the end of the last.
    pub span: Span,
}

/// The three YAML node shapes.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    /// A scalar: string, number, bool or null.
    Scalar(Scalar),
    /// A sequence (list).
    Seq(Vec<Node>),
    /// A mapping, in source order. Keys are nodes so that they keep their spans.
    Map(Vec<(Node, Node)>),
}

/// A scalar value with its cooked text, its style and its resolved type.
#[derive(Debug, Clone, PartialEq)]
pub struct Scalar {
    /// The value after YAML unquoting, escapes and folding.
    pub text: String,
    /// How it was written.
    pub style: Style,
    /// What the value means (the YAML core schema, with GCW's bool spellings).
    pub kind: ScalarKind,
}

/// How a scalar was written in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Unquoted.
    Plain,
    /// `'...'`.
    SingleQuoted,
    /// `"..."` (every JSON string).
    DoubleQuoted,
    /// `|` block.
    Literal,
    /// `>` block.
    Folded,
}

/// The resolved type of a scalar.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ScalarKind {
    /// `null`, `Null`, `NULL`, `~` or nothing.
    Null,
    /// `true`/`True`/`TRUE`/`false`/`False`/`FALSE`.
    Bool(bool),
    /// A 64-bit integer.
    Int(i64),
    /// A double.
    Double(f64),
    /// Anything else, and every quoted or block scalar.
    Str,
}

impl Node {
    /// The scalar, if this is one.
    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            NodeKind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The string text of a string scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar(s) if s.kind == ScalarKind::Str => Some(&s.text),
            _ => None,
        }
    }

    /// The entries, if this is a mapping.
    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.kind {
            NodeKind::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The items, if this is a sequence.
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.kind {
            NodeKind::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// The text of a scalar used as a map key: any scalar counts, so that `1: x` has key `"1"`.
    pub fn key_text(&self) -> Option<&str> {
        self.as_scalar().map(|s| s.text.as_str())
    }

    /// A short name of the node's type for messages: "a string", "a list", ...
    pub fn describe(&self) -> &'static str {
        match &self.kind {
            NodeKind::Seq(_) => "a list",
            NodeKind::Map(_) => "a map",
            NodeKind::Scalar(s) => match s.kind {
                ScalarKind::Null => "null",
                ScalarKind::Bool(_) => "a boolean",
                ScalarKind::Int(_) => "an integer",
                ScalarKind::Double(_) => "a number",
                ScalarKind::Str => "a string",
            },
        }
    }
}

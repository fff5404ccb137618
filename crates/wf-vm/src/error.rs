//! GCW errors: a raised value (usually a map with `message` and `tags`) travelling up to
//! the nearest `try`, plus where it was raised for the report.

use wf_syntax::Span;

use crate::value::Value;

/// A raised error: the value `except: {as: e}` binds.
#[derive(Clone, Debug, PartialEq)]
pub struct Raised {
    /// The error value (a map for built-in errors; anything for `raise`).
    pub value: Value,
    /// Where it was raised, when known.
    pub span: Option<Span>,
    /// The frames it left unhandled, innermost first (step, routine, span of each).
    pub trace: Vec<crate::effects::Origin>,
}

impl Raised {
    /// An error raised at `span`, outside any frame.
    pub fn new(value: Value, span: Option<Span>) -> Raised {
        Raised { value, span, trace: Vec::new() }
    }
}

/// Builds a built-in error map `{message, tags: [tag]}`.
pub fn error(tag: &str, message: impl Into<String>) -> Value {
    Value::from_pairs([("message", Value::str(message.into())), ("tags", Value::list(vec![Value::str(tag)]))])
}

/// The built-in tags (one list for the whole toolkit, kept with the standard-library table).
pub use wf_check::stdlib::tags;

/// A `TypeError` value.
pub fn type_error(message: impl Into<String>) -> Value {
    error(tags::TYPE, message)
}

/// A `ValueError` value.
pub fn value_error(message: impl Into<String>) -> Value {
    error(tags::VALUE, message)
}

/// Whether an error value is a map whose `tags` include `tag`.
pub fn has_tag(err: &Value, tag: &str) -> bool {
    err.get("tags").and_then(Value::as_list).is_some_and(|tags| tags.iter().any(|t| t.as_str() == Some(tag)))
}

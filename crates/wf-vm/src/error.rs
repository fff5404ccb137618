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
}

/// Builds a built-in error map `{message, tags: [tag]}`.
pub fn error(tag: &str, message: impl Into<String>) -> Value {
    Value::from_pairs([("message", Value::str(message.into())), ("tags", Value::list(vec![Value::str(tag)]))])
}

/// Shorthands for the built-in tags.
pub mod tags {
    /// Wrong type of operand or argument.
    pub const TYPE: &str = "TypeError";
    /// Right type, bad value.
    pub const VALUE: &str = "ValueError";
    /// Missing map key or variable.
    pub const KEY: &str = "KeyError";
    /// List index out of range.
    pub const INDEX: &str = "IndexError";
    /// Division or modulo by zero.
    pub const ZERO_DIVISION: &str = "ZeroDivisionError";
    /// Call stack too deep.
    pub const RECURSION: &str = "RecursionError";
    /// A resource limit was exceeded.
    pub const RESOURCE_LIMIT: &str = "ResourceLimitError";
    /// A timeout.
    pub const TIMEOUT: &str = "TimeoutError";
    /// Parallel branches failed.
    pub const UNHANDLED_BRANCH: &str = "UnhandledBranchError";
    /// Parallel steps nested too deeply.
    pub const PARALLEL_NESTING: &str = "ParallelNestingError";
    /// HTTP status >= 400.
    pub const HTTP: &str = "HttpError";
    /// Internal error.
    pub const SYSTEM: &str = "SystemError";
}

/// A `TypeError` value.
pub fn type_error(message: impl Into<String>) -> Value {
    error(tags::TYPE, message)
}

/// A `ValueError` value.
pub fn value_error(message: impl Into<String>) -> Value {
    error(tags::VALUE, message)
}

//! GCW's built-in error tags, in one place: the standard-library table, the VM's errors and
//! retry predicates, the HTTP client and the runtime all name tags through these constants,
//! so a typo cannot silently turn a predicate off.

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
/// A timeout (HTTP calls, callback awaits).
pub const TIMEOUT: &str = "TimeoutError";
/// Parallel branches failed.
pub const UNHANDLED_BRANCH: &str = "UnhandledBranchError";
/// Parallel steps nested too deeply.
pub const PARALLEL_NESTING: &str = "ParallelNestingError";
/// HTTP status >= 400.
pub const HTTP: &str = "HttpError";
/// A connection broke while a request was under way.
pub const CONNECTION: &str = "ConnectionError";
/// A connection could not be made.
pub const CONNECTION_FAILED: &str = "ConnectionFailedError";
/// Credentials were refused.
pub const AUTH: &str = "AuthError";
/// Internal error.
pub const SYSTEM: &str = "SystemError";

//! The workflow syntax tree: every step kind and key of the GCW language, each with spans.
//!
//! The tree is built by [`crate::parse_workflow`] even when the file has mistakes: parts that
//! could not be understood are left out (or marked [`StepKind::Invalid`]) and reported.

use crate::Span;
use crate::expr::Expr;

/// A parsed workflow file.
#[derive(Debug, Clone, PartialEq)]
pub struct Workflow {
    /// Which top-level form the file uses.
    pub form: Form,
    /// `main` first (when present), then the other subworkflows in file order.
    pub subworkflows: Vec<Subworkflow>,
}

/// The two top-level forms of a workflow file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// A bare list of steps: the `main` workflow without params.
    StepList,
    /// A map with `main` and subworkflows.
    Map,
}

/// A name written in the source, with its span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    /// The text.
    pub text: String,
    /// Where it is written.
    pub span: Span,
}

/// `main` or a subworkflow.
#[derive(Debug, Clone, PartialEq)]
pub struct Subworkflow {
    /// Its name (`main` for the main workflow; for the bare-list form the span is empty).
    pub name: Name,
    /// Declared parameters, in order.
    pub params: Vec<Param>,
    /// Its steps.
    pub steps: Vec<Step>,
    /// The whole definition.
    pub span: Span,
}

/// A subworkflow parameter, optionally with a default value.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// The parameter name.
    pub name: Name,
    /// The default (`params: [a, b: 1]`); `None` means the parameter is required.
    pub default: Option<Data>,
}

/// One named step.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The step name (the single key of the list item).
    pub name: Name,
    /// What the step does.
    pub body: StepBody,
    /// The whole list item.
    pub span: Span,
}

/// A step body: one kind plus an optional `next`. Switch cases and `try` bodies use it too.
#[derive(Debug, Clone, PartialEq)]
pub struct StepBody {
    /// What it does.
    pub kind: StepKind,
    /// Where it goes afterwards.
    pub next: Option<Next>,
    /// The body map.
    pub span: Span,
    /// The span of the kind key (`assign`, `call`, ...), or of the body when there is none.
    pub kind_span: Span,
}

/// What a step does.
#[derive(Debug, Clone, PartialEq)]
pub enum StepKind {
    /// `assign: [...]`.
    Assign(Vec<Assignment>),
    /// `call:` with `args` and `result`.
    Call(Call),
    /// `switch: [...]`.
    Switch(Vec<SwitchCase>),
    /// `for:`.
    For(Box<For>),
    /// `parallel:`.
    Parallel(Box<Parallel>),
    /// `raise: value`.
    Raise(Data),
    /// `try:` with `retry` and `except`.
    Try(Box<Try>),
    /// `return: value`.
    Return(Data),
    /// `steps: [...]` (a nested block, no new scope).
    Steps(Vec<Step>),
    /// No action: only `next` (or, in a switch case, nothing at all).
    Nothing,
    /// The body could not be understood; diagnostics say why.
    Invalid,
}

/// One `target: value` item of an `assign` step.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    /// The target path: a [`crate::ExprKind::Var`] followed by member and index accesses.
    pub target: Expr,
    /// The value assigned.
    pub value: Data,
    /// The whole item.
    pub span: Span,
}

/// A `call` step.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The dotted function, connector or subworkflow name.
    pub function: Name,
    /// Named arguments, in source order.
    pub args: Vec<Arg>,
    /// The span of the `args` map, when present.
    pub args_span: Option<Span>,
    /// The variable that receives the result.
    pub result: Option<Name>,
}

/// One named argument of a `call`.
#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    /// The parameter name.
    pub name: Name,
    /// The value passed.
    pub value: Data,
}

/// One condition of a `switch`.
#[derive(Debug, Clone, PartialEq)]
pub struct SwitchCase {
    /// The condition: a boolean literal or an expression.
    pub condition: Data,
    /// What runs when it is true (an inline step body, `steps`, and/or `next`).
    pub body: StepBody,
    /// The whole case.
    pub span: Span,
}

/// A `for` loop (also the body of a parallel `for`).
#[derive(Debug, Clone, PartialEq)]
pub struct For {
    /// The loop variable.
    pub value: Name,
    /// The optional index variable.
    pub index: Option<Name>,
    /// What is iterated.
    pub source: ForSource,
    /// The body.
    pub steps: Vec<Step>,
    /// The `for` map.
    pub span: Span,
}

/// What a `for` iterates over.
#[derive(Debug, Clone, PartialEq)]
pub enum ForSource {
    /// `in: list`.
    In(Data),
    /// `range: [start, end]`, both inclusive.
    Range(RangeSpec),
}

/// A `range` value.
#[derive(Debug, Clone, PartialEq)]
pub enum RangeSpec {
    /// `[start, end]` written as a list.
    Pair(Data, Data),
    /// One expression that yields `[start, end]`.
    Expr(Expr),
}

/// A `parallel` step.
#[derive(Debug, Clone, PartialEq)]
pub struct Parallel {
    /// Outer variables the branches may assign.
    pub shared: Vec<Name>,
    /// Most branches or iterations running at once.
    pub concurrency_limit: Option<Data>,
    /// Only `continueAll` is valid.
    pub exception_policy: Option<Name>,
    /// Branches or a parallel loop.
    pub body: ParallelBody,
}

/// The work of a `parallel` step.
#[derive(Debug, Clone, PartialEq)]
pub enum ParallelBody {
    /// Named branches.
    Branches(Vec<Branch>),
    /// A parallel `for`.
    For(For),
    /// Neither was given correctly (reported).
    Invalid,
}

/// One branch of a `parallel` step.
#[derive(Debug, Clone, PartialEq)]
pub struct Branch {
    /// The branch name.
    pub name: Name,
    /// Its steps.
    pub steps: Vec<Step>,
    /// The whole branch item.
    pub span: Span,
}

/// A `try` step.
#[derive(Debug, Clone, PartialEq)]
pub struct Try {
    /// The guarded body: `{steps: [...]}` or a single step body.
    pub body: StepBody,
    /// The retry policy.
    pub retry: Option<Retry>,
    /// The error handler.
    pub except: Option<Except>,
}

/// A `retry` value.
#[derive(Debug, Clone, PartialEq)]
pub enum Retry {
    /// A predefined policy: `${http.default_retry}`.
    Policy(Expr),
    /// A custom policy map.
    Custom(Box<CustomRetry>),
}

/// `retry: {predicate, max_retries, backoff}`.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomRetry {
    /// The predicate: a built-in predicate or a subworkflow, as an expression.
    pub predicate: Option<Data>,
    /// Retries after the first attempt.
    pub max_retries: Option<Data>,
    /// Delays between attempts.
    pub backoff: Option<Backoff>,
    /// The retry map.
    pub span: Span,
}

/// A `backoff` value.
#[derive(Debug, Clone, PartialEq)]
pub enum Backoff {
    /// `backoff: ${retry.default_backoff}` or another expression.
    Expr(Expr),
    /// `backoff: {initial_delay, max_delay, multiplier}`.
    Fields {
        /// First delay in seconds.
        initial_delay: Option<Data>,
        /// Cap on the delay in seconds.
        max_delay: Option<Data>,
        /// Factor applied after each retry.
        multiplier: Option<Data>,
        /// The backoff map.
        span: Span,
    },
}

/// An `except` block.
#[derive(Debug, Clone, PartialEq)]
pub struct Except {
    /// The variable bound to the error.
    pub var: Option<Name>,
    /// The handler steps.
    pub steps: Vec<Step>,
    /// The except map.
    pub span: Span,
}

/// A `next` jump.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Next {
    /// Where to go.
    pub target: NextTarget,
    /// The span of the target text.
    pub span: Span,
}

/// The target of a `next`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextTarget {
    /// `end`: finish the (sub)workflow with no value.
    End,
    /// `break`: leave the innermost `for`.
    Break,
    /// `continue`: next iteration of the innermost `for`.
    Continue,
    /// A step name.
    Step(String),
}

/// A data value as written in YAML/JSON, with `${...}` strings parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct Data {
    /// What it is.
    pub kind: DataKind,
    /// Where it is.
    pub span: Span,
}

/// The kinds of data value.
#[derive(Debug, Clone, PartialEq)]
pub enum DataKind {
    /// `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A double.
    Double(f64),
    /// A literal string.
    String(String),
    /// A whole-string `${...}` expression.
    Expr(Expr),
    /// A list.
    List(Vec<Data>),
    /// A map, in source order.
    Map(Vec<MapEntry>),
}

/// One entry of a map value.
#[derive(Debug, Clone, PartialEq)]
pub struct MapEntry {
    /// The key.
    pub key: MapKey,
    /// The value.
    pub value: Data,
}

/// A map key in a data value.
#[derive(Debug, Clone, PartialEq)]
pub enum MapKey {
    /// A literal key (YAML numbers and booleans used as keys become their text).
    Name(Name),
    /// A `${...}` key, evaluated to a string at run time.
    Expr(Expr),
}

impl Data {
    /// The expression, if this value is one.
    pub fn as_expr(&self) -> Option<&Expr> {
        match &self.kind {
            DataKind::Expr(e) => Some(e),
            _ => None,
        }
    }
}

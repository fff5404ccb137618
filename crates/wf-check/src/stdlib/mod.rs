//! The standard library as data: every module function, expression helper and predefined
//! value of GCW, with parameters, types, errors, and whether it blocks. The checker, the VM
//! and the language server all read this one table.

mod table;
pub mod tags;

use std::collections::HashMap;
use std::sync::OnceLock;

pub(crate) use table::YEAR_SECONDS;
pub use table::{FUNCTIONS, VALUES};

use crate::ty::{Kinds, Ty};

/// Whether an entry is documented GCW or a preview feature seen in real workflows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// In the GCW standard library reference.
    Documented,
    /// A private-preview function that real workflows call (`shell.gcloud`, `gke.*`).
    Preview,
    /// A documented function that GCW deprecates (`experimental.executions.*`).
    Deprecated,
}

/// Values a parameter accepts beyond its kinds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Allowed {
    /// Any value of the right kinds.
    Any,
    /// One of these strings (matched exactly).
    OneOf(&'static [&'static str]),
    /// A number in `min..=max`.
    Range(f64, f64),
}

/// One parameter of a function.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Param {
    /// The name used in a `call` step's `args`.
    pub name: &'static str,
    /// The kinds of value it accepts.
    pub kinds: Kinds,
    /// Whether it must be given.
    pub required: bool,
    /// The default, as GCW documents it (for hover), when optional.
    pub default: Option<&'static str>,
    /// Constraints on the value.
    pub allowed: Allowed,
}

/// The shapes of values that stdlib functions return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `{url}` from `events.create_callback_endpoint`.
    CallbackEndpoint,
    /// `{http_request: {body, headers, method, query, url}, received_time, type}`.
    CallbackRequest,
    /// `{code, headers, body}` from `http.*`.
    HttpResponse,
    /// A list of strings.
    ListOfStrings,
    /// A list of `{index, match}`.
    RegexMatches,
    /// `{initial_delay, max_delay, multiplier}`.
    Backoff,
    /// A caught error: `{message, tags, code, ...}` (open).
    Error,
}

impl Shape {
    /// The type of a value of this shape.
    pub fn ty(self) -> Ty {
        let s = || Ty::of(Kinds::STRING);
        match self {
            Shape::CallbackEndpoint => Ty::record(&[("url", s())]),
            Shape::CallbackRequest => Ty::record(&[
                (
                    "http_request",
                    Ty::record(&[
                        ("body", Ty::any()),
                        ("headers", Ty::of(Kinds::MAP)),
                        ("method", s()),
                        ("query", Ty::of(Kinds::MAP)),
                        ("url", s()),
                    ]),
                ),
                ("received_time", s()),
                ("type", s()),
            ]),
            Shape::HttpResponse => {
                Ty::record(&[("body", Ty::any()), ("code", Ty::of(Kinds::INT)), ("headers", Ty::of(Kinds::MAP))])
            }
            Shape::ListOfStrings => Ty::list_of(s()),
            Shape::RegexMatches => Ty::list_of(Ty::record(&[("index", Ty::of(Kinds::INT)), ("match", s())])),
            Shape::Backoff => Ty::record(&[
                ("initial_delay", Ty::of(Kinds::NUMBER)),
                ("max_delay", Ty::of(Kinds::NUMBER)),
                ("multiplier", Ty::of(Kinds::NUMBER)),
            ]),
            Shape::Error => Ty {
                kinds: Kinds::ANY,
                ..Ty::map_of(
                    vec![
                        ("message".into(), s()),
                        ("tags".into(), Ty::list_of(s())),
                        ("code".into(), Ty::of(Kinds::INT)),
                        ("headers".into(), Ty::of(Kinds::MAP)),
                        ("body".into(), Ty::any()),
                    ],
                    false,
                )
            },
        }
    }
}

/// What a function returns.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Returns {
    /// A value of these kinds.
    Kinds(Kinds),
    /// A value of a known shape.
    Shape(Shape),
    /// The type of one of its arguments (by index), e.g. `list.concat` returns a list like
    /// its first argument.
    SameAs(usize),
    /// The union of two arguments (`default`, `if`).
    UnionOf(usize, usize),
}

/// One standard-library function or expression helper.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Function {
    /// The full name: `text.split`, or a helper's bare name `len`.
    pub name: &'static str,
    /// Parameters, in positional order.
    pub params: &'static [Param],
    /// What it returns.
    pub returns: Returns,
    /// Whether it may only be used as a `call` step (never inside `${}`).
    pub blocking: bool,
    /// The error tags it may raise.
    pub raises: &'static [&'static str],
    /// One line for hover and completion.
    pub doc: &'static str,
    /// Documented or preview.
    pub status: Status,
}

/// What a predefined (non-function) value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PredefinedKind {
    /// A retry policy for `retry: ${...}`.
    RetryPolicy,
    /// A retry predicate for `predicate: ${...}`.
    Predicate,
    /// A plain value of this shape.
    Data(Shape),
}

/// A predefined value such as `http.default_retry`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Predefined {
    /// The full name.
    pub name: &'static str,
    /// What it is.
    pub kind: PredefinedKind,
    /// One line for hover.
    pub doc: &'static str,
}

/// Lookup tables built once from [`FUNCTIONS`] and [`VALUES`].
struct Index {
    functions: HashMap<&'static str, &'static Function>,
    values: HashMap<&'static str, &'static Predefined>,
    /// Modules and every dotted prefix of one (`experimental`, `experimental.executions`).
    modules: Vec<&'static str>,
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut modules: Vec<&'static str> = vec!["googleapis"];
        for name in FUNCTIONS.iter().map(|f| f.name).chain(VALUES.iter().map(|v| v.name)) {
            let mut end = 0;
            while let Some(dot) = name[end..].find('.') {
                end += dot;
                modules.push(&name[..end]);
                end += 1;
            }
        }
        modules.sort_unstable();
        modules.dedup();
        Index {
            functions: FUNCTIONS.iter().map(|f| (f.name, f)).collect(),
            values: VALUES.iter().map(|v| (v.name, v)).collect(),
            modules,
        }
    })
}

/// The modules that hold functions or values, and their dotted prefixes, sorted.
pub fn modules() -> &'static [&'static str] {
    &index().modules
}

/// Whether `name` is a module (`sys`, `http`, `experimental.executions`, ...) or the first
/// part of one (`experimental`, `googleapis`).
pub fn is_module(name: &str) -> bool {
    index().modules.binary_search(&name).is_ok()
}

/// Looks up a function by its full name.
pub fn function(name: &str) -> Option<&'static Function> {
    index().functions.get(name).copied()
}

/// Looks up a predefined value by its full name.
pub fn value(name: &str) -> Option<&'static Predefined> {
    index().values.get(name).copied()
}

/// Whether `name` is a connector call target: `googleapis.SERVICE.VERSION.RESOURCE...METHOD`.
pub fn is_connector(name: &str) -> bool {
    name.strip_prefix("googleapis.").is_some_and(|rest| rest.split('.').count() >= 3)
}

/// The functions of `module` (for did-you-mean and completion).
pub fn functions_in(module: &str) -> impl Iterator<Item = &'static Function> + '_ {
    FUNCTIONS.iter().filter(move |f| f.name.rsplit_once('.').is_some_and(|(m, _)| m == module))
}

/// The expression helpers (functions without a module).
pub fn helpers() -> impl Iterator<Item = &'static Function> {
    FUNCTIONS.iter().filter(|f| !f.name.contains('.'))
}

impl Function {
    /// The number of parameters that must be given.
    pub fn required_count(&self) -> usize {
        self.params.iter().filter(|p| p.required).count()
    }

    /// The parameter called `name`.
    pub fn param(&self, name: &str) -> Option<&'static Param> {
        self.params.iter().find(|p| p.name == name)
    }

    /// A signature for messages and hover: `text.split(source, separator)`.
    pub fn signature(&self) -> String {
        let params: Vec<String> = self
            .params
            .iter()
            .map(|p| match p.default {
                Some(d) => format!("{}={d}", p.name),
                None if !p.required => format!("{}?", p.name),
                None => p.name.to_string(),
            })
            .collect();
        format!("{}({})", self.name, params.join(", "))
    }
}

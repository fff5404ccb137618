//! The shape of a workflow file: which kind of map or list sits at each path, the keys each
//! map takes (with a doc line and a snippet), and how a path from
//! [`super::context::Cursor`] maps onto it.

use super::context::Seg;

/// What kind of map or list a path leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// The top of a file in map form: `main` and subworkflows.
    Root,
    /// A subworkflow definition: `params`, `steps`.
    Sub,
    /// A `params` list.
    Params,
    /// A list of steps.
    Steps,
    /// One item of a list of steps: `name: body`.
    StepItem,
    /// A step body.
    Step,
    /// A switch case: a step body plus `condition`.
    Case,
    /// The body of a `try`.
    TryBody,
    /// The list of an `assign`.
    Assign,
    /// One `target: value` item of an `assign`.
    AssignItem,
    /// The `args` of a `call`.
    Args,
    /// The list of a `switch`.
    Switch,
    /// A `for` loop.
    For,
    /// A `parallel` step.
    Parallel,
    /// The `branches` list.
    Branches,
    /// One item of `branches`: `name: {steps}`.
    BranchItem,
    /// A branch body.
    Branch,
    /// The `shared` list.
    Shared,
    /// A custom `retry` map.
    Retry,
    /// A `backoff` map.
    Backoff,
    /// An `except` map.
    Except,
    /// Data: values, `args` values, anything below.
    Data,
}

/// A key a map takes.
#[derive(Debug, Clone, Copy)]
pub struct KeyDoc {
    /// The key.
    pub key: &'static str,
    /// One line about it.
    pub doc: &'static str,
    /// A block-YAML snippet (lines after the first are relative to the key's column).
    pub snippet: Option<&'static str>,
}

const fn k(key: &'static str, doc: &'static str) -> KeyDoc {
    KeyDoc { key, doc, snippet: None }
}

const fn s(key: &'static str, doc: &'static str, snippet: &'static str) -> KeyDoc {
    KeyDoc { key, doc, snippet: Some(snippet) }
}

/// The step kinds, with the keys that may go along with each.
pub const STEP_KEYS: &[KeyDoc] = &[
    s(
        "assign",
        "assigns variables in order: a list of `name: value` items (at most 50); later items see earlier ones",
        "assign:\n  - ${1:name}: ${2:value}",
    ),
    k("call", "calls a standard-library function, a connector or a subworkflow, with `args`; `result` keeps its value"),
    s("args", "the named arguments of the `call`", "args:\n  ${1:name}: ${2:value}"),
    k("result", "the variable that receives what the `call` returns"),
    k("next", "where to go after this step: a step name, or `end`, `break` or `continue`"),
    s(
        "switch",
        "a list of `condition` items: the first one that is true runs (at most 50)",
        "switch:\n  - condition: \\${${1:x > 0}}\n    next: ${2:step}",
    ),
    s(
        "for",
        "a loop: `value` (and `index`) over `in: list` or `range: [start, end]`, running `steps`; variables created inside it end with it",
        "for:\n  value: ${1:item}\n  in: \\${${2:items}}\n  steps:\n    - ${3:body}:\n        $0",
    ),
    s(
        "parallel",
        "runs `branches`, or the iterations of a `for`, concurrently; `shared` lists the outer variables they may assign",
        "parallel:\n  branches:\n    - ${1:first}:\n        steps:\n          - $2\n    - ${3:second}:\n        steps:\n          - $0",
    ),
    k("raise", "raises an error: a string, or a map such as `{code: 55, message: \"...\"}`"),
    s(
        "try",
        "runs a step body or `steps`; `retry` repeats it on errors, `except` handles the error",
        "try:\n  steps:\n    - ${1:step}:\n        $2\nexcept:\n  as: ${3:e}\n  steps:\n    - $0",
    ),
    s(
        "retry",
        "retries the whole `try` block: `${http.default_retry}`, or `{predicate, max_retries, backoff}`",
        "retry: \\${${1:http.default_retry}}",
    ),
    s(
        "except",
        "handles an error of the `try` block: `as` names the error (a map with `message`, `tags`, ...), `steps` run",
        "except:\n  as: ${1:e}\n  steps:\n    - $0",
    ),
    k("return", "ends the (sub)workflow with this value"),
    s("steps", "a nested list of steps (it opens no new variable scope)", "steps:\n  - ${1:name}:\n      $0"),
];

const CASE_EXTRA: &[KeyDoc] = &[k(
    "condition",
    "a boolean or `${...}` expression; the first true condition of the switch runs, null or another type is a TypeError",
)];

const FOR_KEYS: &[KeyDoc] = &[
    k("value", "the loop variable; it exists only inside the loop"),
    k("index", "the 0-based position, optional; it exists only inside the loop"),
    k("in", "the list to loop over, evaluated once (`${keys(map)}` to loop over a map)"),
    k("range", "`[start, end]`, both ends included, or `${[a, b]}`"),
    s("steps", "the loop body", "steps:\n  - ${1:name}:\n      $0"),
];

const PARALLEL_KEYS: &[KeyDoc] = &[
    s(
        "shared",
        "outer variables that branches or iterations may assign; each must exist before the step",
        "shared: [${1}]",
    ),
    k("concurrency_limit", "the most branches or iterations of this step running at once"),
    k("exception_policy", "`continueAll`, the only value: after an error the other branches keep running"),
    s(
        "branches",
        "2 to 10 named branches, each `NAME: {steps: [...]}`",
        "branches:\n  - ${1:first}:\n      steps:\n        - $2\n  - ${3:second}:\n      steps:\n        - $0",
    ),
    s(
        "for",
        "a loop whose iterations run concurrently",
        "for:\n  value: ${1:item}\n  in: \\${${2:items}}\n  steps:\n    - ${3:body}:\n        $0",
    ),
];

const BRANCH_KEYS: &[KeyDoc] = &[s("steps", "the steps of this branch", "steps:\n  - ${1:name}:\n      $0")];

const RETRY_KEYS: &[KeyDoc] = &[
    k(
        "predicate",
        "when to retry: `${http.default_retry_predicate}`, `${retry.always}`, or `${subworkflow}` taking the error and returning a boolean",
    ),
    k("max_retries", "how many times to retry after the first attempt"),
    s(
        "backoff",
        "the delays between attempts",
        "backoff:\n  initial_delay: ${1:1}\n  max_delay: ${2:60}\n  multiplier: ${3:2}",
    ),
];

const BACKOFF_KEYS: &[KeyDoc] = &[
    k("initial_delay", "the first delay, in seconds"),
    k("max_delay", "the longest delay, in seconds"),
    k("multiplier", "the factor applied to the delay after each retry"),
];

const EXCEPT_KEYS: &[KeyDoc] = &[
    k("as", "the variable that holds the error; it exists only inside the except block"),
    s("steps", "the steps that handle the error", "steps:\n  - ${1:name}:\n      $0"),
];

const SUB_KEYS: &[KeyDoc] = &[
    k("params", "parameter names; `name: default` makes one optional (`main` takes one at most: the runtime argument)"),
    s("steps", "the steps of this (sub)workflow", "steps:\n  - ${1:name}:\n      $0"),
];

const ROOT_KEYS: &[KeyDoc] = &[s(
    "main",
    "the workflow that runs first; its one parameter receives the execution's argument",
    "main:\n  params: [${1:args}]\n  steps:\n    - ${2:start}:\n        $0",
)];

/// The keys a map of this kind takes.
pub fn keys(c: Container) -> Vec<KeyDoc> {
    match c {
        Container::Root => ROOT_KEYS.to_vec(),
        Container::Sub => SUB_KEYS.to_vec(),
        Container::Step | Container::TryBody => STEP_KEYS.to_vec(),
        Container::Case => CASE_EXTRA.iter().chain(STEP_KEYS).copied().collect(),
        Container::For => FOR_KEYS.to_vec(),
        Container::Parallel => PARALLEL_KEYS.to_vec(),
        Container::Branch => BRANCH_KEYS.to_vec(),
        Container::Retry => RETRY_KEYS.to_vec(),
        Container::Backoff => BACKOFF_KEYS.to_vec(),
        Container::Except => EXCEPT_KEYS.to_vec(),
        _ => Vec::new(),
    }
}

/// The doc of `key` in a map of kind `c`.
pub fn key_doc(c: Container, key: &str) -> Option<KeyDoc> {
    keys(c).into_iter().find(|d| d.key == key)
}

/// The step kind keys (a step has exactly one).
pub const KIND_KEYS: &[&str] = &["assign", "call", "switch", "for", "parallel", "raise", "try", "return", "steps"];

/// Where a path leads, with the names met on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The kind of the map or list at the end of the path.
    pub container: Container,
    /// The subworkflow (`main` in the bare-list form), once known.
    pub sub: Option<String>,
    /// The innermost step, once known.
    pub step: Option<String>,
}

/// Follows `path` from the top of a file.
pub fn place(path: &[Seg]) -> Place {
    let mut p = Place { container: Container::Root, sub: None, step: None };
    for seg in path {
        p.container = match (p.container, seg) {
            (Container::Root, Seg::Item) => {
                p.sub = Some("main".into());
                Container::StepItem
            }
            (Container::Root, Seg::Key(name)) => {
                p.sub = Some(name.clone());
                Container::Sub
            }
            (Container::Sub, Seg::Key(k)) if k == "steps" => Container::Steps,
            (Container::Sub, Seg::Key(k)) if k == "params" => Container::Params,
            (Container::Steps, Seg::Item) => Container::StepItem,
            (Container::StepItem, Seg::Key(name)) => {
                p.step = Some(name.clone());
                Container::Step
            }
            (Container::Step | Container::Case | Container::TryBody, Seg::Key(k)) => match k.as_str() {
                "assign" => Container::Assign,
                "args" => Container::Args,
                "switch" => Container::Switch,
                "for" => Container::For,
                "parallel" => Container::Parallel,
                "try" => Container::TryBody,
                "retry" => Container::Retry,
                "except" => Container::Except,
                "steps" => Container::Steps,
                _ => Container::Data,
            },
            (Container::Assign, Seg::Item) => Container::AssignItem,
            (Container::Switch, Seg::Item) => Container::Case,
            (Container::For | Container::Branch | Container::Except, Seg::Key(k)) if k == "steps" => Container::Steps,
            (Container::Parallel, Seg::Key(k)) => match k.as_str() {
                "branches" => Container::Branches,
                "for" => Container::For,
                "shared" => Container::Shared,
                _ => Container::Data,
            },
            (Container::Branches, Seg::Item) => Container::BranchItem,
            (Container::BranchItem, Seg::Key(_)) => Container::Branch,
            (Container::Retry, Seg::Key(k)) if k == "backoff" => Container::Backoff,
            _ => Container::Data,
        };
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(s: &str) -> Vec<Seg> {
        s.split('/').filter(|p| !p.is_empty()).map(|p| if p == "-" { Seg::Item } else { Seg::Key(p.into()) }).collect()
    }

    #[test]
    fn paths_lead_to_containers() {
        assert_eq!(place(&path("main/steps/-/init")).container, Container::Step);
        assert_eq!(place(&path("main/steps/-/init")).step.as_deref(), Some("init"));
        assert_eq!(place(&path("-/s/for/steps/-/t/try")).container, Container::TryBody);
        assert_eq!(place(&path("-/s/switch/-")).container, Container::Case);
        assert_eq!(place(&path("sub/steps/-/p/parallel/branches/-/b")).container, Container::Branch);
        assert_eq!(place(&path("-/s/retry/backoff")).container, Container::Backoff);
        assert_eq!(place(&path("-/s/args/x/y")).container, Container::Data);
        assert_eq!(place(&path("helper")).sub.as_deref(), Some("helper"));
    }

    #[test]
    fn every_documented_key_is_accepted_by_the_parser() {
        // Each key, used where the schema says, must not be an unknown key for the parser.
        let containers = [
            (Container::Step, "- s:\n    {KEY}: 1\n"),
            (Container::For, "- s:\n    for:\n      {KEY}: 1\n"),
            (Container::Parallel, "- s:\n    parallel:\n      {KEY}: 1\n"),
            (Container::Retry, "- s:\n    try: {return: 1}\n    retry:\n      {KEY}: 1\n"),
            (Container::Backoff, "- s:\n    try: {return: 1}\n    retry:\n      backoff:\n        {KEY}: 1\n"),
            (Container::Except, "- s:\n    try: {return: 1}\n    except:\n      {KEY}: 1\n"),
            (Container::Sub, "main:\n  {KEY}: 1\n"),
        ];
        for (c, template) in containers {
            for doc in keys(c) {
                let text = template.replace("{KEY}", doc.key);
                let parsed = wf_syntax::parse_workflow(&wf_syntax::SourceFile::new("t.yaml", text.as_str()));
                assert!(
                    parsed.diagnostics.iter().all(|d| d.code != wf_syntax::codes::UNKNOWN_KEY),
                    "`{}` in {c:?}: {:?}",
                    doc.key,
                    parsed.diagnostics
                );
            }
        }
    }
}

//! The checker's diagnostic codes (`WF2xx` names and flow, `WF3xx` types and the standard
//! library, `WF4xx` lints) and the registry of every code, syntax codes included.

use wf_syntax::codes::{CodeInfo, SYNTAX_CODES};
use wf_syntax::define_codes;

define_codes! {
    CHECK_CODES;
    DUPLICATE_STEP = "WF200", "duplicate-step", "two steps of one subworkflow have the same name",
        "GCW's syntax reference: \"Step names must be unique at the subworkflow level\", nested steps (in `steps:` blocks, loops, branches, `except`) included; its deployer rejects a repeated name. Step names are also how `next` finds a step. Rename one of the steps.";
    UNKNOWN_STEP = "WF201", "unknown-step", "`next` names a step that does not exist",
        "The target of `next` must be a step of the same (sub)workflow, or `end`, `break` or `continue`. Step names are case-sensitive. To run a subworkflow, use `call`.";
    INVALID_JUMP = "WF202", "invalid-jump", "`next` jumps into a loop, branch, try or except block, or out of a loop or branch",
        "A `next` may target a step in the same list of steps, in an enclosing list, or in a plain nested `steps:` block of one of them (GCW enters the block at that step and goes on after the block). It may not jump into a `for` body, a parallel branch, a `try` or `except` block or a switch condition's steps, nor out of a `for` body or a parallel branch. Leave a loop with `next: break`, end the subworkflow with `next: end` or `return`.";
    LOOP_JUMP = "WF203", "loop-jump-outside-loop", "`break` or `continue` outside a `for` loop",
        "`next: break` and `next: continue` only work inside the steps of a `for` loop (at any depth inside it, but not inside a nested parallel branch). A parallel `for` accepts `continue` but not `break`.";
    UNKNOWN_CALL = "WF204", "unknown-call-target", "`call` names no known function, connector or subworkflow",
        "A `call` target is a standard-library function such as `http.get`, a connector `googleapis.SERVICE.VERSION.RESOURCE.METHOD`, or a subworkflow defined in the same file.";
    MISSING_ARGUMENT = "WF205", "missing-argument", "a required parameter is not given",
        "Every parameter without a default must be given: in a `call` step's `args` by name, or positionally when a subworkflow or function is called inside an expression.";
    UNKNOWN_ARGUMENT = "WF206", "unknown-argument", "an argument that the function or subworkflow does not take",
        "Arguments are matched to parameters by name. An argument that no parameter has is a deploy-time error in Workflows; it is usually a typo.";
    UNDEFINED_VARIABLE = "WF207", "undefined-variable", "a variable is read but never assigned before",
        "On every path that reaches this read, the variable has not been assigned (or it has gone out of scope: variables created inside a `for` body, a parallel branch or an `except` block do not exist after it). Reading it fails with a KeyError at run time.";
    MAYBE_UNDEFINED = "WF208", "possibly-undefined-variable", "a variable may not be assigned on every path",
        "Some path reaches this read without assigning the variable, for example when only one branch of a `switch` assigns it, or when it was created inside a loop. Assign a default before the branch.";
    PARALLEL_ASSIGN = "WF209", "parallel-assign-not-shared", "a parallel branch assigns an outer variable that is not `shared`",
        "Branches and iterations of a `parallel` step may read every variable of the enclosing scope but may only assign those listed in `shared`. Workflows rejects this at deploy time. Add the variable to `shared`, or use a new variable local to the branch.";
    SHARED_UNDEFINED = "WF210", "shared-not-defined", "a `shared` variable is not assigned before the parallel step",
        "Variables listed in `shared` must exist before the `parallel` step starts. Assign an initial value (`total: 0`, `results: []`) in an earlier step.";
    UNREACHABLE = "WF400", "unreachable-step", "a step can never run",
        "No path from the start of the (sub)workflow reaches this step: it follows a `return`, `raise` or unconditional `next`, and no `next` targets it.";
    UNUSED_VARIABLE = "WF401", "unused-value", "a value is assigned but never read",
        "The assigned value (or the `result` of a call) is overwritten or goes out of scope before anything reads it. Remove the assignment or the `result`, or use the value. Names starting with `_` are exempt.";
    REDUNDANT_NEXT = "WF402", "redundant-next", "`next` goes where the workflow would go anyway",
        "The step after this one is already the target of `next`. Remove the `next` to make the flow easier to read.";
    SHADOWED_NAME = "WF403", "shadowed-name", "a variable hides a module, a helper or another variable",
        "A variable named like a standard-library module (`text`, `sys`, `map`, ...) or helper (`len`, `keys`, ...) makes `text.split(...)` and the like unusable while it exists; a loop or except variable with the name of an existing variable hides it. Rename the variable.";
    AWAIT_WITHOUT_CREATE = "WF404", "await-without-create", "a callback is awaited but no step creates one",
        "`events.await_callback` waits on an endpoint made by `events.create_callback_endpoint` in the same execution. This file creates none, so the await can only fail.";
    CALLBACK_NOT_AWAITED = "WF405", "callback-not-awaited", "a callback endpoint is created but never awaited",
        "Requests sent to an endpoint that nothing awaits are stored and then lost when the execution ends. Await the callback with `events.await_callback`, or remove the endpoint.";
    UNSTABLE_FUNCTION = "WF406", "unstable-function", "a call uses a deprecated or preview function",
        "`experimental.executions.run` and `experimental.executions.map` are deprecated: start child executions with the Workflow Executions connector (`googleapis.workflowexecutions.v1.projects.locations.workflows.executions.run`) instead. `shell.*` and `gke.*` are preview functions: GCW may change or remove them, and wfkit checks neither their arguments nor their results.";
}

define_codes! {
    TYPE_CODES;
    TYPE_MISMATCH = "WF300", "type-mismatch", "an operation is applied to values of the wrong type",
        "The operands' types certainly do not fit the operator: `-`, `*`, `/`, `//`, `%` need numbers, `<` and friends need two numbers or two strings, `and`/`or`/`not` need booleans (null is not false), `+` takes numbers and strings, fields belong to maps, indexes to lists and maps. It fails with a TypeError at run time.";
    UNKNOWN_FUNCTION = "WF301", "unknown-function", "an expression calls a function that does not exist",
        "Functions are the standard-library ones (`text.split`, `sys.get_env`, ...), the expression helpers (`len`, `keys`, `default`, `int`, `double`, `string`, `get_type`, `if`) and the subworkflows of the file.";
    WRONG_ARITY = "WF302", "wrong-arity", "a function is called with the wrong number of arguments",
        "Inside an expression, arguments are positional, in the order of the function's parameters; optional parameters may be left out from the end.";
    UNKNOWN_PARAMETER = "WF303", "unknown-parameter", "a `call` step passes an argument the function does not have",
        "Arguments of standard-library functions in a `call` step are named; the name must be one of the function's parameters (see `wf explain` or hover for its signature).";
    MISSING_PARAMETER = "WF304", "missing-parameter", "a `call` step leaves out a required argument",
        "Required parameters of standard-library functions must be given in `args`.";
    BLOCKING_IN_EXPRESSION = "WF305", "blocking-call-in-expression", "a blocking function is called inside an expression",
        "HTTP requests, `sys.log`, `sys.sleep`, `events.await_callback`, connectors and other blocking functions may only be used as the target of a `call` step, never inside `${...}`. Move the call into its own step and use its `result`.";
    INVALID_ARGUMENT = "WF306", "invalid-argument-value", "an argument value that the function does not accept",
        "Some arguments take one of a fixed set of values (`http_callback_method: POST`, `severity: INFO`) or a number in a range (a non-negative `timeout`, HTTP timeouts up to 1800 seconds).";
    UNKNOWN_FIELD = "WF307", "unknown-field", "a field that a value of this shape never has",
        "The value comes from a source whose shape is known (a callback request, an HTTP response, a callback endpoint), and it has no such field, so reading it fails with a KeyError.";
    ARGUMENT_TYPE = "WF308", "argument-type", "an argument of the wrong type",
        "The argument's type certainly does not match what the parameter accepts, for example a string where `events.await_callback` needs the map returned by `events.create_callback_endpoint`.";
    CONDITION_TYPE = "WF309", "condition-not-boolean", "a condition that is not a boolean",
        "A `switch` condition must evaluate to `true` or `false`; any other value (null included) is a TypeError.";
    NOT_A_LIST = "WF310", "not-a-list", "`for ... in` over something that is not a list",
        "`in` must give a list. To loop over a map, loop over its keys: `in: ${keys(my_map)}`.";
    BLOCKING_SUBWORKFLOW_IN_EXPRESSION = "WF311", "blocking-subworkflow-in-expression", "a subworkflow that makes blocking calls is called inside an expression",
        "Whether Workflows allows this is not documented; prefer a `call` step for subworkflows that call HTTP, sleep, log or wait for callbacks.";
    NOT_CALLABLE = "WF312", "not-a-function", "a value is used where a function is expected, or a function where a value is",
        "Standard-library functions and subworkflows must be called (`sys.now()`), and predefined values such as `http.default_retry` cannot be called. A subworkflow name on its own is only meaningful as a retry `predicate`.";
}

/// Every code: syntax, names and flow, types, lints.
pub fn all_codes() -> impl Iterator<Item = &'static CodeInfo> {
    SYNTAX_CODES.iter().chain(CHECK_CODES).chain(TYPE_CODES)
}

/// Looks up any code (case-insensitive), by number or by name.
pub fn lookup(code: &str) -> Option<&'static CodeInfo> {
    all_codes().find(|c| c.code.eq_ignore_ascii_case(code) || c.name.eq_ignore_ascii_case(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_unique_and_documented() {
        let mut all: Vec<&CodeInfo> = all_codes().collect();
        all.sort_by_key(|c| c.code);
        for pair in all.windows(2) {
            assert_ne!(pair[0].code, pair[1].code);
            assert_ne!(pair[0].name, pair[1].name);
        }
        for c in &all {
            assert!(c.doc.ends_with('.') && !c.title.ends_with('.'), "{}", c.code);
        }
        assert_eq!(lookup("wf207").map(|c| c.name), Some("undefined-variable"));
        assert_eq!(lookup("WF110").map(|c| c.name), Some("expression-syntax"));
    }
}

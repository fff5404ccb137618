//! Lowering steps and every step kind.

use super::{Lowerer, field};
use crate::ast::{
    Arg, Backoff, Branch, Call, CustomRetry, Data, DataKind, Except, For, ForSource, Name, Next, NextTarget, Parallel,
    ParallelBody, RangeSpec, Retry, Step, StepBody, StepKind, SwitchCase, Try,
};
use crate::suggest::help_for;
use crate::yaml::{Node, NodeKind, ScalarKind};
use crate::{Diagnostic, Span, codes};

/// Keys a step body may have.
pub(crate) const STEP_KEYS: &[&str] = &[
    "assign", "call", "args", "result", "next", "switch", "for", "parallel", "raise", "try", "retry", "except",
    "return", "steps",
];
/// Keys a switch case may have: a step body plus `condition`.
const CASE_KEYS: &[&str] = &[
    "condition",
    "assign",
    "call",
    "args",
    "result",
    "next",
    "switch",
    "for",
    "parallel",
    "raise",
    "try",
    "retry",
    "except",
    "return",
    "steps",
];
/// The keys that say what a step does; a step has exactly one.
const KIND_KEYS: &[&str] = &["assign", "call", "switch", "for", "parallel", "raise", "try", "return", "steps"];
const FOR_KEYS: &[&str] = &["value", "index", "in", "range", "steps"];
const PARALLEL_KEYS: &[&str] = &["shared", "concurrency_limit", "exception_policy", "branches", "for"];
const BRANCH_KEYS: &[&str] = &["steps"];
const EXCEPT_KEYS: &[&str] = &["as", "steps"];
const RETRY_KEYS: &[&str] = &["predicate", "max_retries", "backoff"];
const BACKOFF_KEYS: &[&str] = &["initial_delay", "max_delay", "multiplier"];

/// Workflows' caps on list lengths. The items past a cap are reported once and not
/// lowered, so that no later pass pays for them (a 100,000-entry `assign` once cost the
/// checker 5 GB: its dataflow is sized nodes × variables).
const MAX_STEPS: usize = 100_000;
const MAX_ASSIGNMENTS: usize = 50;
const MAX_CONDITIONS: usize = 50;
const BRANCHES: std::ops::RangeInclusive<usize> = 2..=10;

impl Lowerer<'_> {
    /// Lowers a `steps` list. `owner` names what the list belongs to, for messages.
    pub(crate) fn steps(&mut self, node: &Node, owner: &str) -> Vec<Step> {
        let Some(items) = node.as_seq() else {
            self.wrong_type(node, &format!("the steps of {owner} must be a list"), "a list of steps");
            return Vec::new();
        };
        if items.is_empty() {
            self.diags.push(
                Diagnostic::error(codes::EMPTY_LIST, node.span, format!("{owner} has no steps"))
                    .with_label("empty list")
                    .with_help("add at least one step"),
            );
        }
        if items.len() > MAX_STEPS {
            self.diags.push(
                Diagnostic::error(
                    codes::TOO_MANY,
                    items[MAX_STEPS].span,
                    format!("a steps list holds at most {MAX_STEPS} steps, found {}", items.len()),
                )
                .with_note(format!("the steps after the first {MAX_STEPS} are not checked")),
            );
        }
        items.iter().take(MAX_STEPS).filter_map(|item| self.step(item)).collect()
    }

    fn step(&mut self, item: &Node) -> Option<Step> {
        let entries = match &item.kind {
            NodeKind::Map(entries) if !entries.is_empty() => entries,
            _ => {
                self.diags.push(
                    Diagnostic::error(codes::STEP_SHAPE, item.span, "a step must be a map with one key, the step name")
                        .with_label(format!("found {}", item.describe()))
                        .with_help("write `- step_name:` followed by the step body, indented"),
                );
                return None;
            }
        };
        if entries.len() > 1 {
            self.step_with_many_keys(entries);
            return None;
        }
        let (key, body) = &entries[0];
        let name = self.name_of_key(key)?;
        if name.text.trim().is_empty() {
            self.diags.push(
                Diagnostic::error(codes::INVALID_NAME, key.span, "a step name must not be empty")
                    .with_label("empty name"),
            );
        }
        let what = format!("step `{}`", name.text);
        let body = self.step_body(name.span, body, STEP_KEYS, &what);
        Some(Step { name, body, span: item.span })
    }

    /// A list item with several keys: usually step keys not indented under the step name.
    fn step_with_many_keys(&mut self, entries: &[(Node, Node)]) {
        let (first_key, first_value) = &entries[0];
        let second = &entries[1].0;
        let first_text = first_key.key_text().unwrap_or("");
        let second_text = second.key_text().unwrap_or("");
        let d = if first_value.as_scalar().is_some_and(|s| s.kind == ScalarKind::Null)
            && STEP_KEYS.contains(&second_text)
        {
            Diagnostic::error(
                codes::STEP_SHAPE,
                second.span,
                format!("`{second_text}` is not indented under step `{first_text}`"),
            )
            .with_label("this key belongs to the step body")
            .with_secondary(first_key.span, "the step name")
            .with_help(format!("indent `{second_text}` (and the keys after it) further than `{first_text}`"))
        } else {
            Diagnostic::error(
                codes::STEP_SHAPE,
                second.span,
                "a step list item must have exactly one key, the step name",
            )
            .with_label("a second key in the same item")
            .with_secondary(first_key.span, "the step name")
            .with_help("start a new list item with `- ` for each step")
        };
        self.diags.push(d);
    }

    /// Lowers a step body map (also used for switch cases and `try` bodies).
    fn step_body(&mut self, owner_span: Span, node: &Node, allowed: &[&str], what: &str) -> StepBody {
        let invalid = |kind_span| StepBody { kind: StepKind::Invalid, next: None, span: node.span, kind_span };
        let entries = match &node.kind {
            NodeKind::Map(entries) => entries,
            NodeKind::Scalar(s) if s.kind == ScalarKind::Null => {
                self.diags.push(
                    Diagnostic::error(codes::STEP_NO_KIND, owner_span, format!("{what} is empty"))
                        .with_label("no step body")
                        .with_help(kind_help()),
                );
                return invalid(owner_span);
            }
            _ => {
                self.wrong_type(node, &format!("the body of {what} must be a map of step keys"), "a map");
                return invalid(node.span);
            }
        };
        // A misspelt key is usually the missing kind (`asign`) or the missing `call`: after
        // reporting it, say nothing more about this body, so that one typo is one diagnostic.
        let typos = self.check_keys(entries, allowed, what);
        let kinds: Vec<&(Node, Node)> =
            entries.iter().filter(|(k, _)| k.key_text().is_some_and(|t| KIND_KEYS.contains(&t))).collect();
        let next = field(entries, "next").and_then(|(_, v)| self.next(v));
        let mut orphans = 0;
        if typos == 0 {
            for (key, needs) in [("args", "call"), ("result", "call"), ("retry", "try"), ("except", "try")] {
                orphans += usize::from(self.key_requires(entries, key, needs));
            }
        }
        let Some(&(kind_key, kind_value)) = kinds.first() else {
            let is_case = allowed.contains(&"condition");
            if typos + orphans > 0 {
                return invalid(owner_span);
            }
            if next.is_none() && !is_case {
                self.diags.push(
                    Diagnostic::error(codes::STEP_NO_KIND, owner_span, format!("{what} does nothing"))
                        .with_label("no step kind")
                        .with_help(kind_help()),
                );
                return invalid(owner_span);
            }
            return StepBody { kind: StepKind::Nothing, next, span: node.span, kind_span: node.span };
        };
        if let Some((second, _)) = kinds.get(1) {
            let first_text = kind_key.key_text().unwrap_or("");
            let second_text = second.key_text().unwrap_or("");
            self.diags.push(
                Diagnostic::error(
                    codes::STEP_MANY_KINDS,
                    second.span,
                    format!("{what} has both `{first_text}` and `{second_text}`"),
                )
                .with_label("second step kind")
                .with_secondary(kind_key.span, "first step kind")
                .with_help("a step does one thing; split it into two steps"),
            );
        }
        let kind = match kind_key.key_text().unwrap_or("") {
            "assign" => self.assign(kind_value),
            "call" => self.call(kind_value, entries),
            "switch" => self.switch(kind_value),
            "for" => self.for_loop(kind_key.span, kind_value).map_or(StepKind::Invalid, |f| StepKind::For(Box::new(f))),
            "parallel" => self.parallel(kind_key.span, kind_value),
            "raise" => StepKind::Raise(self.value(kind_value)),
            "return" => StepKind::Return(self.value(kind_value)),
            "try" => self.try_step(kind_key.span, kind_value, entries),
            "steps" => StepKind::Steps(self.steps(kind_value, what)),
            _ => StepKind::Invalid,
        };
        StepBody { kind, next, span: node.span, kind_span: kind_key.span }
    }

    /// Reports `key` used without `needs`; returns whether it did.
    fn key_requires(&mut self, entries: &[(Node, Node)], key: &str, needs: &str) -> bool {
        if let Some((k, _)) = field(entries, key)
            && field(entries, needs).is_none()
        {
            self.diags.push(
                Diagnostic::error(
                    codes::KEY_REQUIRES,
                    k.span,
                    format!("`{key}` is only allowed together with `{needs}`"),
                )
                .with_label(format!("no `{needs}` in this step"))
                .with_help(format!("add `{needs}`, or remove `{key}`")),
            );
            return true;
        }
        false
    }

    fn assign(&mut self, node: &Node) -> StepKind {
        let Some(items) = node.as_seq() else {
            let mut d =
                Diagnostic::error(codes::WRONG_TYPE, node.span, "`assign` must be a list of `name: value` items")
                    .with_label(format!("expected a list, found {}", node.describe()));
            if node.as_map().is_some() {
                d = d.with_help("write each assignment as its own list item: `- name: value`");
            }
            self.diags.push(d);
            return StepKind::Invalid;
        };
        if items.is_empty() {
            self.diags.push(
                Diagnostic::error(codes::EMPTY_LIST, node.span, "`assign` has no assignments").with_label("empty list"),
            );
        }
        if items.len() > MAX_ASSIGNMENTS {
            self.diags.push(
                Diagnostic::error(
                    codes::TOO_MANY,
                    items[MAX_ASSIGNMENTS].span,
                    format!("an assign step holds at most {MAX_ASSIGNMENTS} assignments, found {}", items.len()),
                )
                .with_help("split the assignments over two steps")
                .with_note(format!("the assignments after the first {MAX_ASSIGNMENTS} are not checked")),
            );
        }
        let mut out = Vec::with_capacity(items.len().min(MAX_ASSIGNMENTS));
        for item in items.iter().take(MAX_ASSIGNMENTS) {
            match item.as_map() {
                Some([(key, value)]) => {
                    let target = self.place(key);
                    let value = self.value(value);
                    if let Some(target) = target {
                        out.push(crate::ast::Assignment { target, value, span: item.span });
                    }
                }
                Some(entries) if entries.len() > 1 => self.diags.push(
                    Diagnostic::error(
                        codes::WRONG_TYPE,
                        entries[1].0.span,
                        "each assignment item holds one `name: value`",
                    )
                    .with_label("a second assignment in the same item")
                    .with_help("start a new list item with `- ` for each assignment"),
                ),
                _ => self.wrong_type(item, "an assignment is a `name: value` map", "a map with one key"),
            }
        }
        StepKind::Assign(out)
    }

    fn call(&mut self, node: &Node, entries: &[(Node, Node)]) -> StepKind {
        let Some(function) = self.function_name(node) else { return StepKind::Invalid };
        let mut args = Vec::new();
        let mut args_span = None;
        if let Some((_, args_node)) = field(entries, "args") {
            args_span = Some(args_node.span);
            match args_node.as_map() {
                Some(arg_entries) => {
                    for (k, v) in arg_entries {
                        if let Some(name) = self.name_of_key(k) {
                            args.push(Arg { name, value: self.value(v) });
                        }
                    }
                }
                None => self.wrong_type(args_node, "`args` must be a map of argument names to values", "a map"),
            }
        }
        let result = field(entries, "result").and_then(|(_, v)| self.identifier(v, "result variable"));
        StepKind::Call(Call { function, args, args_span, result })
    }

    fn function_name(&mut self, node: &Node) -> Option<Name> {
        let Some(text) = node.as_str() else {
            self.wrong_type(node, "`call` takes the name of a function or subworkflow", "a name");
            return None;
        };
        let valid = !text.is_empty()
            && text.split('.').all(|seg| !seg.is_empty() && seg.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
        if !valid {
            let help = if text.starts_with("${") {
                "`call` takes a plain name such as `http.get` or `my_subworkflow`, not an expression"
            } else {
                "a function name is made of names separated by dots, such as `http.get`"
            };
            self.diags.push(
                Diagnostic::error(codes::INVALID_NAME, node.span, format!("`{text}` is not a valid function name"))
                    .with_label("invalid name")
                    .with_help(help),
            );
            return None;
        }
        Some(Name { text: text.to_string(), span: node.span })
    }

    fn switch(&mut self, node: &Node) -> StepKind {
        let Some(items) = node.as_seq() else {
            self.wrong_type(node, "`switch` must be a list of conditions", "a list");
            return StepKind::Invalid;
        };
        if items.is_empty() {
            self.diags.push(
                Diagnostic::error(codes::EMPTY_LIST, node.span, "`switch` has no conditions")
                    .with_label("empty list")
                    .with_help("add `- condition: ${...}` items"),
            );
        }
        if items.len() > MAX_CONDITIONS {
            self.diags.push(
                Diagnostic::error(
                    codes::TOO_MANY,
                    items[MAX_CONDITIONS].span,
                    format!("a switch holds at most {MAX_CONDITIONS} conditions, found {}", items.len()),
                )
                .with_note(format!("the conditions after the first {MAX_CONDITIONS} are not checked")),
            );
        }
        let mut cases = Vec::with_capacity(items.len().min(MAX_CONDITIONS));
        for item in items.iter().take(MAX_CONDITIONS) {
            let Some(entries) = item.as_map() else {
                self.wrong_type(item, "a switch item is a map with `condition`", "a map");
                continue;
            };
            let Some((_, cond_node)) = field(entries, "condition") else {
                if self.check_keys(entries, CASE_KEYS, "a switch condition") > 0 {
                    continue;
                }
                let at = entries.first().map_or(item.span, |(k, _)| k.span);
                self.diags.push(
                    Diagnostic::error(codes::MISSING_KEY, at, "a switch item has no `condition`")
                        .with_label("`condition` missing in this item")
                        .with_help("add `condition: ${...}`; use `condition: true` for a catch-all"),
                );
                continue;
            };
            let condition = self.condition(cond_node);
            let body = self.step_body(cond_node.span, item, CASE_KEYS, "a switch condition");
            cases.push(SwitchCase { condition, body, span: item.span });
        }
        StepKind::Switch(cases)
    }

    fn condition(&mut self, node: &Node) -> Data {
        let value = self.value(node);
        let ok = matches!(value.kind, DataKind::Bool(_) | DataKind::Expr(_))
            || (matches!(&value.kind, DataKind::String(s) if s.starts_with("${")));
        if !ok {
            let mut d = Diagnostic::error(
                codes::WRONG_TYPE,
                node.span,
                "a condition must be `true`, `false` or a `${...}` expression",
            )
            .with_label(format!("found {}", node.describe()));
            if let DataKind::String(s) = &value.kind {
                d = d.with_help(format!("write `${{{s}}}`"));
            }
            self.diags.push(d);
        }
        value
    }

    fn for_loop(&mut self, key_span: Span, node: &Node) -> Option<For> {
        let Some(entries) = node.as_map() else {
            self.wrong_type(node, "`for` must be a map with `value`, `in` or `range`, and `steps`", "a map");
            return None;
        };
        let typos = self.check_keys(entries, FOR_KEYS, "`for`");
        let value = match field(entries, "value") {
            Some((_, v)) => self.identifier(v, "loop variable"),
            None => {
                self.missing(typos, key_span, "`for` has no `value`", "add `value: item` to name the loop variable");
                None
            }
        };
        let index = field(entries, "index").and_then(|(_, v)| self.identifier(v, "index variable"));
        let source = match (field(entries, "in"), field(entries, "range")) {
            (Some((in_key, _)), Some((range_key, _))) => {
                self.diags.push(
                    Diagnostic::error(codes::EXCLUSIVE_KEYS, range_key.span, "`for` has both `in` and `range`")
                        .with_label("second source")
                        .with_secondary(in_key.span, "first source")
                        .with_help("keep one: `in` for a list, `range` for numbers"),
                );
                None
            }
            (Some((_, v)), None) => self.for_in(v),
            (None, Some((_, v))) => self.range(v).map(ForSource::Range),
            (None, None) => {
                self.missing(
                    typos,
                    key_span,
                    "`for` has neither `in` nor `range`",
                    "add `in: ${list}` or `range: [1, 10]`",
                );
                None
            }
        };
        let steps = match field(entries, "steps") {
            Some((_, v)) => self.steps(v, "the `for` loop"),
            None => {
                self.missing(typos, key_span, "`for` has no `steps`", "add `steps:` with the loop body");
                Vec::new()
            }
        };
        Some(For { value: value?, index, source: source?, steps, span: node.span })
    }

    fn for_in(&mut self, node: &Node) -> Option<ForSource> {
        let value = self.value(node);
        match &value.kind {
            DataKind::List(_) | DataKind::Expr(_) => Some(ForSource::In(value)),
            DataKind::String(s) if s.starts_with("${") => None,
            _ => {
                let mut d =
                    Diagnostic::error(codes::WRONG_TYPE, node.span, "`in` must be a list or a `${...}` expression")
                        .with_label(format!("found {}", node.describe()));
                if let DataKind::String(s) = &value.kind {
                    d = d.with_help(format!("to loop over the variable `{s}`, write `${{{s}}}`"));
                } else if matches!(value.kind, DataKind::Map(_)) {
                    d = d.with_help("to loop over a map's keys, write `in: ${keys(my_map)}`");
                }
                self.diags.push(d);
                None
            }
        }
    }

    fn range(&mut self, node: &Node) -> Option<RangeSpec> {
        if node.as_str().is_some() {
            return self
                .expression(node, "`range` must be `[start, end]` or a `${...}` expression")
                .map(RangeSpec::Expr);
        }
        let items = node.as_seq().filter(|items| items.len() == 2);
        let Some(items) = items else {
            let found = node.as_seq().map_or_else(|| node.describe().to_string(), |s| format!("a list of {}", s.len()));
            self.diags.push(
                Diagnostic::error(
                    codes::RANGE_SHAPE,
                    node.span,
                    "`range` must be a list of two numbers: `[start, end]`",
                )
                .with_label(format!("found {found}"))
                .with_help("both ends are included: `range: [1, 5]` runs 1, 2, 3, 4, 5"),
            );
            return None;
        };
        let mut ends = Vec::with_capacity(2);
        for item in items {
            let v = self.value(item);
            match v.kind {
                DataKind::Int(_) | DataKind::Double(_) | DataKind::Expr(_) => ends.push(v),
                DataKind::String(ref s) if s.starts_with("${") => return None,
                _ => {
                    self.diags.push(
                        Diagnostic::error(
                            codes::RANGE_SHAPE,
                            item.span,
                            "a `range` end must be a number or an expression",
                        )
                        .with_label(format!("found {}", item.describe())),
                    );
                    return None;
                }
            }
        }
        let end = ends.pop()?;
        let start = ends.pop()?;
        Some(RangeSpec::Pair(start, end))
    }

    fn parallel(&mut self, key_span: Span, node: &Node) -> StepKind {
        let Some(entries) = node.as_map() else {
            self.wrong_type(node, "`parallel` must be a map with `branches` or `for`", "a map");
            return StepKind::Invalid;
        };
        let typos = self.check_keys(entries, PARALLEL_KEYS, "`parallel`");
        let shared = field(entries, "shared").map(|(_, v)| self.shared(v)).unwrap_or_default();
        let exception_policy = field(entries, "exception_policy").and_then(|(_, v)| self.exception_policy(v));
        let concurrency_limit =
            field(entries, "concurrency_limit").map(|(_, v)| self.positive_int(v, "concurrency_limit"));
        let body = match (field(entries, "branches"), field(entries, "for")) {
            (Some((bk, _)), Some((fk, _))) => {
                self.diags.push(
                    Diagnostic::error(codes::EXCLUSIVE_KEYS, fk.span, "`parallel` has both `branches` and `for`")
                        .with_label("second body")
                        .with_secondary(bk.span, "first body")
                        .with_help("a parallel step runs either named branches or a loop; split it"),
                );
                ParallelBody::Invalid
            }
            (Some((_, v)), None) => self.branches(v),
            (None, Some((fk, v))) => self.for_loop(fk.span, v).map_or(ParallelBody::Invalid, ParallelBody::For),
            (None, None) => {
                self.missing(
                    typos,
                    key_span,
                    "`parallel` has neither `branches` nor `for`",
                    "add `branches:` or `for:`",
                );
                ParallelBody::Invalid
            }
        };
        StepKind::Parallel(Box::new(Parallel { shared, concurrency_limit, exception_policy, body }))
    }

    fn shared(&mut self, node: &Node) -> Vec<Name> {
        let Some(items) = node.as_seq() else {
            self.wrong_type(node, "`shared` must be a list of variable names", "a list");
            return Vec::new();
        };
        let mut names: Vec<Name> = Vec::with_capacity(items.len());
        for item in items {
            let Some(name) = self.identifier(item, "shared variable") else { continue };
            if let Some(first) = names.iter().find(|n| n.text == name.text) {
                self.diags.push(
                    Diagnostic::error(
                        codes::DUPLICATE_NAME,
                        name.span,
                        format!("`{}` is listed twice in `shared`", name.text),
                    )
                    .with_label("listed again here")
                    .with_secondary(first.span, "first listed here"),
                );
                continue;
            }
            names.push(name);
        }
        names
    }

    fn exception_policy(&mut self, node: &Node) -> Option<Name> {
        let text = node.as_str();
        if text == Some("continueAll") {
            return Some(Name { text: "continueAll".into(), span: node.span });
        }
        let help = text
            .and_then(|t| help_for(t, &["continueAll"]))
            .unwrap_or_else(|| "remove it: `continueAll` is the default".into());
        self.diags.push(
            Diagnostic::error(codes::INVALID_VALUE, node.span, "`exception_policy` must be `continueAll`")
                .with_label("the only supported policy is `continueAll`")
                .with_help(help),
        );
        None
    }

    fn positive_int(&mut self, node: &Node, key: &str) -> Data {
        let value = self.value(node);
        match value.kind {
            DataKind::Int(n) if n >= 1 => {}
            DataKind::Expr(_) => {}
            DataKind::String(ref s) if s.starts_with("${") => {}
            _ => self.diags.push(
                Diagnostic::error(codes::INVALID_VALUE, node.span, format!("`{key}` must be a positive integer"))
                    .with_label(format!("found {}", node.describe())),
            ),
        }
        value
    }

    fn branches(&mut self, node: &Node) -> ParallelBody {
        let Some(items) = node.as_seq() else {
            self.wrong_type(node, "`branches` must be a list of named branches", "a list");
            return ParallelBody::Invalid;
        };
        if !BRANCHES.contains(&items.len()) {
            let at = items.get(*BRANCHES.end()).map_or(node.span, |n| n.span);
            let mut d = Diagnostic::error(
                codes::TOO_MANY,
                at,
                format!("a parallel step needs 2 to 10 branches, found {}", items.len()),
            )
            .with_help("with one branch, run its steps without `parallel`; with more than ten, use a parallel `for`");
            if items.len() > *BRANCHES.end() {
                d = d.with_note("the branches after the first 10 are not checked");
            }
            self.diags.push(d);
        }
        let mut branches = Vec::with_capacity(items.len().min(*BRANCHES.end()));
        for item in items.iter().take(*BRANCHES.end()) {
            let Some([(key, body)]) = item.as_map() else {
                self.diags.push(
                    Diagnostic::error(
                        codes::STEP_SHAPE,
                        item.span,
                        "a branch must be a map with one key, the branch name",
                    )
                    .with_label(format!("found {}", item.describe()))
                    .with_help("write `- branch_name:` followed by `steps:`"),
                );
                continue;
            };
            let Some(name) = self.name_of_key(key) else { continue };
            let what = format!("branch `{}`", name.text);
            let Some(entries) = body.as_map() else {
                self.wrong_type(body, &format!("{what} must be a map with `steps`"), "a map");
                continue;
            };
            let typos = self.check_keys(entries, BRANCH_KEYS, &what);
            let steps = match field(entries, "steps") {
                Some((_, v)) => self.steps(v, &what),
                None => {
                    self.missing(
                        typos,
                        name.span,
                        &format!("{what} has no `steps`"),
                        "add `steps:` with the branch's steps",
                    );
                    Vec::new()
                }
            };
            branches.push(Branch { name, steps, span: item.span });
        }
        ParallelBody::Branches(branches)
    }

    fn try_step(&mut self, key_span: Span, node: &Node, entries: &[(Node, Node)]) -> StepKind {
        let body = self.step_body(key_span, node, STEP_KEYS, "the `try` block");
        let retry = field(entries, "retry").and_then(|(_, v)| self.retry(v));
        let except = field(entries, "except").and_then(|(k, v)| self.except(k.span, v));
        StepKind::Try(Box::new(Try { body, retry, except }))
    }

    fn retry(&mut self, node: &Node) -> Option<Retry> {
        if node.as_str().is_some() {
            let message = "`retry` must be a policy expression such as `${http.default_retry}`, or a map";
            return self.expression(node, message).map(Retry::Policy);
        }
        let Some(entries) = node.as_map() else {
            self.wrong_type(
                node,
                "`retry` must be a policy expression or a map with `predicate`, `max_retries` and `backoff`",
                "a map",
            );
            return None;
        };
        let typos = self.check_keys(entries, RETRY_KEYS, "`retry`");
        let predicate = field(entries, "predicate").map(|(_, v)| self.value(v));
        let max_retries = field(entries, "max_retries").map(|(_, v)| self.value(v));
        let backoff = field(entries, "backoff").and_then(|(_, v)| self.backoff(v));
        for key in RETRY_KEYS {
            if field(entries, key).is_none() {
                let help = "a custom retry policy needs `predicate`, `max_retries` and `backoff`; \
                            or use `retry: ${http.default_retry}`";
                self.missing(typos, node.span, &format!("custom `retry` has no `{key}`"), help);
            }
        }
        Some(Retry::Custom(Box::new(CustomRetry { predicate, max_retries, backoff, span: node.span })))
    }

    fn backoff(&mut self, node: &Node) -> Option<Backoff> {
        if node.as_str().is_some() {
            return self
                .expression(node, "`backoff` must be a map or an expression such as `${retry.default_backoff}`")
                .map(Backoff::Expr);
        }
        let Some(entries) = node.as_map() else {
            self.wrong_type(
                node,
                "`backoff` must be a map with `initial_delay`, `max_delay` and `multiplier`",
                "a map",
            );
            return None;
        };
        self.check_keys(entries, BACKOFF_KEYS, "`backoff`");
        let mut get = |key: &str| field(entries, key).map(|(_, v)| self.value(v));
        let initial_delay = get("initial_delay");
        let max_delay = get("max_delay");
        let multiplier = get("multiplier");
        Some(Backoff::Fields { initial_delay, max_delay, multiplier, span: node.span })
    }

    fn except(&mut self, key_span: Span, node: &Node) -> Option<Except> {
        let Some(entries) = node.as_map() else {
            self.wrong_type(node, "`except` must be a map with `as` and `steps`", "a map");
            return None;
        };
        let typos = self.check_keys(entries, EXCEPT_KEYS, "`except`");
        let var = field(entries, "as").and_then(|(_, v)| self.identifier(v, "error variable"));
        let steps = match field(entries, "steps") {
            Some((_, v)) => self.steps(v, "the `except` block"),
            None => {
                self.missing(typos, key_span, "`except` has no `steps`", "add `steps:` with the error handler");
                Vec::new()
            }
        };
        Some(Except { var, steps, span: node.span })
    }

    fn next(&mut self, node: &Node) -> Option<Next> {
        let Some(text) = node.as_str() else {
            self.wrong_type(node, "`next` takes one step name, or `end`, `break` or `continue`", "a step name");
            return None;
        };
        if text.starts_with("${") {
            self.diags.push(
                Diagnostic::error(codes::WRONG_TYPE, node.span, "`next` cannot be an expression")
                    .with_label("expected a step name")
                    .with_help("to choose the next step at run time, use a `switch` with one `next` per condition"),
            );
            return None;
        }
        let target = match text {
            "end" => NextTarget::End,
            "break" => NextTarget::Break,
            "continue" => NextTarget::Continue,
            _ => NextTarget::Step(text.to_string()),
        };
        Some(Next { target, span: node.span })
    }

    /// Reports a missing required key, unless a misspelt key was already reported for the
    /// same map (it is probably the missing one).
    fn missing(&mut self, typos: usize, at: Span, message: &str, help: &str) {
        if typos > 0 {
            return;
        }
        self.diags.push(
            Diagnostic::error(codes::MISSING_KEY, at, message.to_string())
                .with_label("required key missing")
                .with_help(help.to_string()),
        );
    }
}

fn kind_help() -> String {
    "add one of `assign`, `call`, `switch`, `for`, `parallel`, `raise`, `try`, `return`, `steps`, or a `next`"
        .to_string()
}

//! Completion: step kinds and keys where they fit, step names after `next:`, functions and
//! subworkflows after `call:` (with their required `args` as a snippet), argument names and
//! their allowed values, retry policies and predicates; inside `${...}`: the variables
//! defined at that point, helpers, modules and their functions after `sys.`, fields of known
//! shapes after `.`, subworkflows, and keywords.

use wf_check::facts::{Analysis, LoopKind};
use wf_check::stdlib::{self, Allowed, FUNCTIONS, Function, PredefinedKind, VALUES};
use wf_check::ty::Ty;
use wf_syntax::ast::Form;
use wf_syntax::{Span, expr::parse_expression};

use super::context::{Cursor, Slot, cursor_at};
use super::describe::{function_doc, function_signature, module_doc, param_accepts, sub_signature};
use super::exprs::{Typing, prefix_at, typing};
use super::schema::{Container, KIND_KEYS, KeyDoc, keys, place};
use super::{Doc, TextEdit};

/// What kind of thing a completion inserts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionKind {
    /// A key of the workflow syntax.
    Key,
    /// A standard-library function or helper.
    Function,
    /// A standard-library module.
    Module,
    /// A variable or parameter.
    Variable,
    /// A field of a map.
    Field,
    /// One of a fixed set of values, or a predefined value.
    Value,
    /// A step name.
    Step,
    /// A subworkflow.
    Subworkflow,
    /// A keyword (`true`, `and`, `end`, ...).
    Keyword,
    /// A template.
    Snippet,
}

/// One completion item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// What the list shows.
    pub label: String,
    /// Its kind.
    pub kind: CompletionKind,
    /// A short detail (a type, a signature).
    pub detail: Option<String>,
    /// Markdown documentation.
    pub documentation: Option<String>,
    /// The edit: replaces what has been typed.
    pub edit: TextEdit,
    /// Whether the edit's text is a snippet (`${1:name}` placeholders).
    pub snippet: bool,
    /// The order in the list.
    pub sort: String,
}

/// What the client supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Snippet placeholders in completion text.
    pub snippets: bool,
}

/// The completions at `offset`.
pub fn complete(doc: &Doc, offset: u32, opts: Options) -> Vec<Completion> {
    let offset = doc.valid(offset);
    if !doc.is_workflow() {
        return Vec::new();
    }
    let mut out =
        Builder { opts, json: doc.is_json(), items: Vec::new(), word: Span::empty(offset), typed: String::new() };
    if let Some(prefix) = prefix_at(&doc.file, doc.exprs(), offset) {
        expression(doc, offset, &prefix, &mut out);
    } else if let Some(cursor) = cursor_at(doc.text(), offset as usize, doc.is_json()) {
        out.word = cursor.word;
        out.typed = doc.file.slice(cursor.word).to_string();
        structure(doc, offset, &cursor, &mut out);
    }
    let typed = out.typed.to_lowercase();
    let mut items = out.items;
    items.retain(|c| matches_typed(&c.label.to_lowercase(), &typed));
    items.sort_by(|a, b| (&a.sort, &a.label).cmp(&(&b.sort, &b.label)));
    items.dedup_by(|a, b| a.label == b.label);
    items
}

/// Whether `label` could complete `typed`: it, or one of its words (after `.`, `_`, `{`),
/// starts with it.
fn matches_typed(label: &str, typed: &str) -> bool {
    typed.is_empty()
        || label.starts_with(typed)
        || label.match_indices(['.', '_', '{', '$']).any(|(i, _)| label[i + 1..].starts_with(typed))
}

struct Builder {
    opts: Options,
    /// Whether keys and strings need quotes (a JSON file).
    json: bool,
    items: Vec<Completion>,
    /// The span of what has been typed (the edit range).
    word: Span,
    /// What has been typed.
    typed: String,
}

impl Builder {
    fn add(&mut self, label: impl Into<String>, kind: CompletionKind, sort: &str) -> &mut Completion {
        let label = label.into();
        self.items.push(Completion {
            edit: TextEdit::new(self.word, label.clone()),
            label,
            kind,
            detail: None,
            documentation: None,
            snippet: false,
            sort: sort.to_string(),
        });
        let last = self.items.len() - 1;
        &mut self.items[last]
    }
}

impl Completion {
    fn detail(&mut self, d: impl Into<String>) -> &mut Completion {
        self.detail = Some(d.into());
        self
    }

    fn doc(&mut self, d: impl Into<String>) -> &mut Completion {
        self.documentation = Some(d.into());
        self
    }

    /// Inserts `text` instead of the label; as a snippet when allowed, else `plain`.
    fn insert(&mut self, snippet: Option<String>, plain: impl Into<String>) -> &mut Completion {
        match snippet {
            Some(s) => {
                self.edit.text = s;
                self.snippet = true;
            }
            None => self.edit.text = plain.into(),
        }
        self
    }
}

/// The subworkflow around `offset`: from the analysis, else by the name at the top of the path.
fn sub_index(doc: &Doc, offset: u32, by_name: Option<&str>) -> Option<usize> {
    if let Some(a) = doc.analysis()
        && let Some(s) = a.sub_at(offset)
    {
        return Some(s);
    }
    let a = doc.names()?;
    match by_name {
        Some(name) => a.sub_named(name),
        None => Some(0),
    }
}

fn structure(doc: &Doc, offset: u32, cursor: &Cursor, out: &mut Builder) {
    let p = place(&cursor.path);
    let names = doc.names();
    match (&cursor.slot, p.container) {
        (Slot::Key, Container::Root) if cursor.path.is_empty() && !is_step_list(doc) => {
            // `main` is offered until it is there (`key_items` leaves out present keys).
            key_items(&keys(Container::Root), cursor, out);
        }
        (Slot::Key, Container::Root | Container::Steps) => {
            let snippet = out.opts.snippets.then(|| "- ${1:name}:\n    $0".to_string());
            out.add("- step", CompletionKind::Snippet, "0").insert(snippet, "- ").detail("a new step");
        }
        (Slot::Key, Container::Step | Container::TryBody | Container::Case) => {
            let kind = cursor.siblings.iter().map(|(k, _)| k.as_str()).find(|k| KIND_KEYS.contains(k));
            let fits = |k: &str| match (kind, k) {
                (None, "args" | "result" | "retry" | "except") => false,
                (None, _) => true,
                (Some(kind), "args" | "result") => kind == "call",
                (Some(kind), "retry" | "except") => kind == "try",
                (Some(_), k) => !KIND_KEYS.contains(&k),
            };
            let available: Vec<KeyDoc> = keys(p.container).into_iter().filter(|d| fits(d.key)).collect();
            key_items(&available, cursor, out);
        }
        (Slot::Key, Container::Args) => {
            let target = cursor.outer.iter().find(|(k, _)| k == "call").map(|(_, v)| v.as_str()).unwrap_or("");
            argument_names(names, target, cursor, out);
        }
        (Slot::Key, Container::Assign | Container::AssignItem | Container::Shared) => {
            if let Some(a) = names
                && let Some(s) = sub_index(doc, offset, p.sub.as_deref())
            {
                let colon = p.container != Container::Shared;
                for v in a.subs[s].vars.iter().filter(|v| !v.param || colon) {
                    let text = if colon { format!("{}: ", v.name) } else { v.name.clone() };
                    out.add(v.name.clone(), CompletionKind::Variable, "0").insert(None, text).detail(v.ty.to_string());
                }
            }
        }
        (Slot::Key, Container::Switch) => {
            let snippet = out.opts.snippets.then(|| "- condition: \\${$1}\n  next: $0".to_string());
            out.add("- condition", CompletionKind::Snippet, "0")
                .insert(snippet, "- condition: ")
                .detail("a switch case");
        }
        (Slot::Key, c) => key_items(&keys(c), cursor, out),
        (Slot::Value(key), Container::Step | Container::TryBody | Container::Case) => match key.as_str() {
            "next" => next_targets(doc, offset, p.sub.as_deref(), out),
            "call" => call_targets(names, cursor, out),
            "retry" => {
                for v in VALUES.iter().filter(|v| v.kind == PredefinedKind::RetryPolicy) {
                    out.add(format!("${{{}}}", v.name), CompletionKind::Value, "0").detail(v.doc);
                }
            }
            _ => {}
        },
        (Slot::Value(key), Container::Args) => {
            let target = cursor.outer.iter().find(|(k, _)| k == "call").map(|(_, v)| v.as_str()).unwrap_or("");
            if let Some(param) = stdlib::function(target).and_then(|f| f.param(key))
                && let Allowed::OneOf(values) = param.allowed
            {
                for (i, v) in values.iter().enumerate() {
                    let text = if out.json && cursor.quote.is_none() { format!("\"{v}\"") } else { v.to_string() };
                    out.add(*v, CompletionKind::Value, &format!("{i:02}")).insert(None, text).detail(param.name);
                }
            }
        }
        (Slot::Value(key), Container::Parallel) if key == "exception_policy" => {
            out.add("continueAll", CompletionKind::Value, "0").detail("the only policy");
        }
        (Slot::Value(key), Container::Retry) if key == "predicate" => {
            for v in VALUES.iter().filter(|v| v.kind == PredefinedKind::Predicate) {
                out.add(format!("${{{}}}", v.name), CompletionKind::Value, "0").detail(v.doc);
            }
            if let Some(a) = names {
                for s in a.subs.iter().filter(|s| s.params.len() == 1) {
                    out.add(format!("${{{}}}", s.name), CompletionKind::Subworkflow, "1")
                        .detail("a subworkflow taking the error");
                }
            }
        }
        (Slot::Value(key), Container::Retry) if key == "backoff" => {
            out.add("${retry.default_backoff}", CompletionKind::Value, "0")
                .detail("initial 1, max 60, multiplier 1.25");
        }
        _ => {}
    }
}

/// Whether the file is a bare list of steps (the `main` workflow without a `main:` key).
fn is_step_list(doc: &Doc) -> bool {
    match doc.workflow() {
        Some(w) => w.form == Form::StepList,
        None => doc.text().trim_start().starts_with('-') || doc.text().trim_start().starts_with('['),
    }
}

/// Keys of a map, leaving out those already there.
fn key_items(available: &[KeyDoc], cursor: &Cursor, out: &mut Builder) {
    for (i, d) in available.iter().enumerate() {
        if cursor.has_sibling(d.key) {
            continue;
        }
        let plain = if out.json && cursor.quote.is_none() {
            format!("\"{}\": ", d.key)
        } else if cursor.quote.is_some() {
            d.key.to_string()
        } else {
            format!("{}: ", d.key)
        };
        let snippet = match d.snippet {
            Some(s) if out.opts.snippets && !cursor.flow => Some(indent_snippet(s, cursor.column)),
            _ => None,
        };
        out.add(d.key, CompletionKind::Key, &format!("{i:02}")).insert(snippet, plain).doc(d.doc);
    }
}

/// Indents every line of a snippet after the first by `column` spaces.
fn indent_snippet(snippet: &str, column: usize) -> String {
    let pad = " ".repeat(column);
    snippet.replace('\n', &format!("\n{pad}"))
}

fn next_targets(doc: &Doc, offset: u32, sub_name: Option<&str>, out: &mut Builder) {
    let offset = super::anchor(doc.text(), offset);
    let mut loop_kind = None;
    match (doc.analysis(), sub_index(doc, offset, sub_name)) {
        (Some(a), Some(sub)) if a.step_at(sub, offset).is_some() => {
            let from = a.step_at(sub, offset).unwrap_or(0);
            loop_kind = a.subs[sub].steps[from].in_loop;
            for t in a.jump_targets(sub, from) {
                step_item(a, sub, t, out);
            }
        }
        (_, Some(sub)) => {
            if let Some(a) = doc.names() {
                for t in 0..a.subs[sub].steps.len() {
                    step_item(a, sub, t, out);
                }
            }
        }
        _ => {}
    }
    out.add("end", CompletionKind::Keyword, "1").detail("finish the (sub)workflow with no value");
    if loop_kind == Some(LoopKind::Sequential) {
        out.add("break", CompletionKind::Keyword, "1").detail("leave the loop");
    }
    if loop_kind.is_some() {
        out.add("continue", CompletionKind::Keyword, "1").detail("start the next iteration");
    }
}

fn step_item(a: &Analysis, sub: usize, step: usize, out: &mut Builder) {
    let s = &a.subs[sub].steps[step];
    let detail = match &s.call {
        Some(target) => format!("call {target}"),
        None => s.kind.to_string(),
    };
    out.add(s.name.clone(), CompletionKind::Step, &format!("0{step:05}")).detail(detail);
}

fn call_targets(names: Option<&Analysis>, cursor: &Cursor, out: &mut Builder) {
    let with_args = out.opts.snippets && !cursor.flow && !cursor.has_sibling("args");
    let pad = " ".repeat(cursor.column);
    let args_snippet = |name: &str, params: &[String]| -> Option<String> {
        if !with_args || params.is_empty() {
            return None;
        }
        let mut s = format!("{name}\n{pad}args:");
        for (i, p) in params.iter().enumerate() {
            s.push_str(&format!("\n{pad}  {p}: ${{{}}}", i + 1));
        }
        Some(s)
    };
    for f in FUNCTIONS.iter().filter(|f| f.name.contains('.')) {
        let required: Vec<String> = f.params.iter().filter(|p| p.required).map(|p| p.name.to_string()).collect();
        let snippet = args_snippet(f.name, &required);
        let sort = if f.blocking { "1" } else { "2" };
        out.add(f.name, CompletionKind::Function, sort)
            .insert(snippet, f.name)
            .detail(function_signature(f))
            .doc(function_doc(f));
    }
    if let Some(a) = names {
        for (i, s) in a.subs.iter().enumerate().filter(|(_, s)| s.name != "main") {
            let required: Vec<String> = s.params.iter().filter(|p| p.required).map(|p| p.name.clone()).collect();
            let snippet = args_snippet(&s.name, &required);
            out.add(s.name.clone(), CompletionKind::Subworkflow, "0")
                .insert(snippet, s.name.clone())
                .detail(sub_signature(a, i));
        }
    }
    out.add("googleapis", CompletionKind::Module, "3").detail("connectors: googleapis.SERVICE.VERSION.RESOURCE.METHOD");
}

fn argument_names(names: Option<&Analysis>, target: &str, cursor: &Cursor, out: &mut Builder) {
    let plain = |name: &str| if cursor.quote.is_some() { name.to_string() } else { format!("{name}: ") };
    if let Some(f) = stdlib::function(target) {
        for (i, p) in f.params.iter().enumerate().filter(|(_, p)| !cursor.has_sibling(p.name)) {
            let sort = format!("{}{i:02}", if p.required { 0 } else { 1 });
            out.add(p.name, CompletionKind::Variable, &sort).insert(None, plain(p.name)).detail(param_accepts(p));
        }
    } else if let Some(a) = names
        && let Some(s) = a.sub_named(target)
    {
        for (i, p) in a.subs[s].params.iter().enumerate().filter(|(_, p)| !cursor.has_sibling(&p.name)) {
            let sort = format!("{}{i:02}", if p.required { 0 } else { 1 });
            let detail = if p.required { "required" } else { "optional" };
            out.add(p.name.clone(), CompletionKind::Variable, &sort).insert(None, plain(&p.name)).detail(detail);
        }
    } else if stdlib::is_connector(target) {
        for (i, name) in ["body", "connector_params"].iter().enumerate() {
            out.add(*name, CompletionKind::Variable, &format!("{i}")).insert(None, plain(name));
        }
    }
}

fn expression(doc: &Doc, offset: u32, prefix: &str, out: &mut Builder) {
    match typing(prefix) {
        Typing::Nothing => {}
        Typing::Name { partial } => {
            out.word = Span::new(offset.saturating_sub(partial.len() as u32), offset);
            out.typed = partial;
            names_in_scope(doc, offset, out);
        }
        Typing::Member { object, partial } => {
            out.word = Span::new(offset.saturating_sub(partial.len() as u32), offset);
            out.typed = partial;
            members(doc, offset, &object, out);
        }
    }
}

fn names_in_scope(doc: &Doc, offset: u32, out: &mut Builder) {
    let sub = sub_index(doc, offset, None);
    if let (Some(a), Some(s)) = (doc.names(), sub) {
        let scope = doc.analysis().and_then(|a| a.scope_at(offset)).filter(|sc| sc.sub == s);
        let vars: Vec<(usize, bool)> = match scope {
            Some(scope) => scope.vars,
            None => (0..a.subs[s].vars.len()).map(|v| (v, true)).collect(),
        };
        for (v, certain) in vars {
            let var = &a.subs[s].vars[v];
            let detail = if certain { var.ty.to_string() } else { format!("{} (may be undefined here)", var.ty) };
            out.add(var.name.clone(), CompletionKind::Variable, if certain { "0" } else { "1" }).detail(detail);
        }
        for (i, sub) in a.subs.iter().enumerate().filter(|(_, x)| x.name != "main") {
            let snippet = out
                .opts
                .snippets
                .then(|| call_snippet(&sub.name, sub.params.iter().filter(|p| p.required).map(|p| p.name.as_str())));
            out.add(sub.name.clone(), CompletionKind::Subworkflow, "3")
                .insert(snippet, sub.name.clone())
                .detail(sub_signature(a, i));
        }
    }
    for f in stdlib::helpers() {
        function_item(f, f.name, out);
    }
    for m in stdlib::modules().iter().filter(|m| !m.contains('.')) {
        out.add(*m, CompletionKind::Module, "4").doc(module_doc(m));
    }
    for k in ["true", "false", "null", "and", "or", "not", "in"] {
        out.add(k, CompletionKind::Keyword, "5");
    }
}

/// `name(${1:a}, ${2:b})`.
fn call_snippet<'p>(name: &str, params: impl Iterator<Item = &'p str>) -> String {
    let args: Vec<String> = params.enumerate().map(|(i, p)| format!("${{{}:{p}}}", i + 1)).collect();
    if args.is_empty() { format!("{name}()") } else { format!("{name}({})", args.join(", ")) }
}

fn function_item(f: &Function, label: &str, out: &mut Builder) {
    let snippet =
        out.opts.snippets.then(|| call_snippet(label, f.params.iter().filter(|p| p.required).map(|p| p.name)));
    out.add(label, CompletionKind::Function, "2")
        .insert(snippet, label)
        .detail(function_signature(f))
        .doc(function_doc(f));
}

fn members(doc: &Doc, offset: u32, object: &str, out: &mut Builder) {
    let (e, error) = parse_expression(object, &|s, e| Span::from(s..e));
    if error.is_some() {
        return;
    }
    let sub = sub_index(doc, offset, None).unwrap_or(0);
    let names = doc.names();
    let is_var = |root: &str| names.is_some_and(|a| a.var_named(sub, root).is_some());
    if let Some(root) = e.dotted_root()
        && !is_var(root)
        && stdlib::is_module(root)
        && let Some(path) = e.dotted_name()
    {
        let prefix = format!("{path}.");
        for f in stdlib::functions_in(&path).filter(|f| !f.blocking) {
            function_item(f, &f.name[prefix.len()..], out);
        }
        for v in VALUES.iter().filter(|v| v.name.strip_prefix(&prefix).is_some_and(|r| !r.contains('.'))) {
            out.add(&v.name[prefix.len()..], CompletionKind::Value, "1").detail(v.doc);
        }
        for m in stdlib::modules().iter().filter_map(|m| m.strip_prefix(&prefix)).filter(|r| !r.contains('.')) {
            out.add(m, CompletionKind::Module, "0").doc(module_doc(&format!("{prefix}{m}")));
        }
        return;
    }
    let Some(a) = names else { return };
    let t: Ty = a.type_of(sub, &e);
    if let Some(fields) = &t.fields {
        for (i, (name, ty)) in fields.entries.iter().enumerate() {
            out.add(name.clone(), CompletionKind::Field, &format!("{i:03}")).detail(ty.to_string());
        }
    }
}

//! Lowering: from the spanned YAML tree to the workflow AST, reporting every structural
//! mistake (unknown keys, wrong value types, missing keys, bad names) on the way.

mod steps;
mod values;

use crate::ast::{Form, Name, Param, Subworkflow, Workflow};
use crate::suggest::help_for;
use crate::yaml::{Node, NodeKind};
use crate::{Diagnostic, SourceFile, Span, codes};

/// Keys of a `main` or subworkflow definition.
const SUBWORKFLOW_KEYS: &[&str] = &["params", "steps"];

/// Turns the YAML tree of a file into a [`Workflow`]. Returns `None` when the file is not a
/// workflow at all (a [`codes::NOT_A_WORKFLOW`] diagnostic says so).
pub(crate) fn lower(source: &SourceFile, root: Option<&Node>) -> (Option<Workflow>, Vec<Diagnostic>) {
    let mut lw = Lowerer { src: source, diags: Vec::new() };
    let workflow = lw.workflow(root);
    (workflow, lw.diags)
}

pub(crate) struct Lowerer<'s> {
    pub(crate) src: &'s SourceFile,
    pub(crate) diags: Vec<Diagnostic>,
}

impl Lowerer<'_> {
    fn workflow(&mut self, root: Option<&Node>) -> Option<Workflow> {
        let Some(root) = root else {
            self.not_a_workflow(Span::empty(0), "the file is empty");
            return None;
        };
        match &root.kind {
            NodeKind::Seq(items) => {
                if !items.is_empty() && !items.iter().any(|n| matches!(n.kind, NodeKind::Map(_))) {
                    self.not_a_workflow(root.span, "it is a list, but none of its items is a step");
                    return None;
                }
                let steps = self.steps(root, "the workflow");
                let main = Subworkflow {
                    name: Name { text: "main".into(), span: Span::empty(root.span.start) },
                    params: Vec::new(),
                    steps,
                    span: root.span,
                };
                Some(Workflow { form: Form::StepList, subworkflows: vec![main] })
            }
            NodeKind::Map(entries) => self.workflow_map(root, entries),
            NodeKind::Scalar(_) => {
                self.not_a_workflow(root.span, &format!("it holds {} instead of steps", root.describe()));
                None
            }
        }
    }

    fn workflow_map(&mut self, root: &Node, entries: &[(Node, Node)]) -> Option<Workflow> {
        let has_main = entries.iter().any(|(k, _)| k.key_text() == Some("main"));
        if !has_main {
            let looks_like_subworkflows = entries.iter().any(|(_, v)| {
                v.as_map().is_some_and(|m| m.iter().any(|(k, _)| matches!(k.key_text(), Some("steps" | "params"))))
            });
            if !looks_like_subworkflows {
                self.not_a_workflow(root.span, "it is a map without `main` or any subworkflow");
                return None;
            }
            let first = entries.first().map_or(root.span, |(k, _)| k.span);
            self.diags.push(
                Diagnostic::error(codes::MISSING_KEY, first, "the workflow has no `main`")
                    .with_label("subworkflows are defined, but no `main`")
                    .with_help("add a `main:` workflow with `steps`; execution starts there"),
            );
        }
        let mut subworkflows: Vec<Subworkflow> = Vec::with_capacity(entries.len());
        for (key, value) in entries {
            let Some(name) = self.name_of_key(key) else { continue };
            if let Some(sub) = self.subworkflow(name, value) {
                subworkflows.push(sub);
            }
        }
        if let Some(i) = subworkflows.iter().position(|s| s.name.text == "main") {
            let main = subworkflows.remove(i);
            subworkflows.insert(0, main);
        }
        Some(Workflow { form: Form::Map, subworkflows })
    }

    fn subworkflow(&mut self, name: Name, node: &Node) -> Option<Subworkflow> {
        let what = format!("subworkflow `{}`", name.text);
        let Some(entries) = node.as_map() else {
            self.wrong_type(node, &format!("{what} must be a map with `params` and `steps`"), "a map");
            return None;
        };
        let typos = self.check_keys(entries, SUBWORKFLOW_KEYS, &what);
        let mut params = Vec::new();
        let mut steps = None;
        for (key, value) in entries {
            match key.key_text() {
                Some("params") => params = self.params(&name, value),
                Some("steps") => steps = Some(self.steps(value, &what)),
                _ => {}
            }
        }
        let steps = steps.unwrap_or_else(|| {
            if typos > 0 {
                return Vec::new();
            }
            self.diags.push(
                Diagnostic::error(codes::MISSING_KEY, name.span, format!("{what} has no `steps`"))
                    .with_label("`steps` missing")
                    .with_help("add `steps:` with the list of steps to run"),
            );
            Vec::new()
        });
        let span = name.span.cover(node.span);
        Some(Subworkflow { name, params, steps, span })
    }

    fn params(&mut self, owner: &Name, node: &Node) -> Vec<Param> {
        let Some(items) = node.as_seq() else {
            self.wrong_type(node, "`params` must be a list of parameter names", "a list");
            return Vec::new();
        };
        let is_main = owner.text == "main";
        let mut params: Vec<Param> = Vec::with_capacity(items.len());
        for item in items {
            let param = match &item.kind {
                NodeKind::Map(entries) if entries.len() == 1 && !is_main => {
                    let (key, value) = &entries[0];
                    self.identifier(key, "parameter").map(|name| Param { name, default: Some(self.value(value)) })
                }
                NodeKind::Scalar(_) => self.identifier(item, "parameter").map(|name| Param { name, default: None }),
                _ => {
                    let msg = if is_main {
                        "a `main` parameter is a plain name"
                    } else {
                        "a parameter is a name, or `name: default` for an optional one"
                    };
                    self.wrong_type(item, msg, "a name");
                    None
                }
            };
            let Some(param) = param else { continue };
            if let Some(first) = params.iter().find(|p| p.name.text == param.name.text) {
                self.diags.push(
                    Diagnostic::error(
                        codes::DUPLICATE_NAME,
                        param.name.span,
                        format!("parameter `{}` is declared twice", param.name.text),
                    )
                    .with_label("declared again here")
                    .with_secondary(first.name.span, "first declared here"),
                );
                continue;
            }
            params.push(param);
        }
        if is_main && params.len() > 1 {
            self.diags.push(
                Diagnostic::error(codes::TOO_MANY, params[1].name.span, "`main` takes at most one parameter")
                    .with_label("extra parameter")
                    .with_help("`main` receives the whole execution argument in its one parameter, e.g. `params: [args]`; read fields with `args.name`"),
            );
        }
        params
    }

    fn not_a_workflow(&mut self, span: Span, why: &str) {
        // Point at the first line only: the whole file is not a useful span.
        let first_line = self.src.text[span.range()].find('\n').map_or(span.end, |i| span.start + i as u32);
        let span = Span::new(span.start, first_line);
        self.diags.push(
            Diagnostic::error(codes::NOT_A_WORKFLOW, span, format!("this file is not a workflow: {why}"))
                .with_label("expected a list of steps or a map with `main`")
                .with_help("a workflow file is a list of steps, or a map with `main: {steps: [...]}`"),
        );
    }

    /// Reports keys of `entries` that are not in `allowed`, with a did-you-mean; returns
    /// how many there were.
    pub(crate) fn check_keys(&mut self, entries: &[(Node, Node)], allowed: &[&str], what: &str) -> usize {
        let mut unknown = 0;
        for (key, _) in entries {
            let Some(text) = key.key_text() else { continue };
            if allowed.contains(&text) {
                continue;
            }
            unknown += 1;
            let list = allowed.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
            self.diags.push(
                Diagnostic::error(codes::UNKNOWN_KEY, key.span, format!("unknown key `{text}` in {what}"))
                    .with_label("unknown key")
                    .with_help(help_for(text, allowed).unwrap_or_else(|| format!("allowed keys here: {list}"))),
            );
        }
        unknown
    }

    /// Reports a value of the wrong type.
    pub(crate) fn wrong_type(&mut self, node: &Node, message: &str, expected: &str) {
        self.diags.push(
            Diagnostic::error(codes::WRONG_TYPE, node.span, message.to_string())
                .with_label(format!("expected {expected}, found {}", node.describe())),
        );
    }

    /// The text of a map key as a [`Name`] (any scalar key counts).
    pub(crate) fn name_of_key(&mut self, key: &Node) -> Option<Name> {
        match key.key_text() {
            Some(text) => Some(Name { text: text.to_string(), span: key.span }),
            None => {
                self.wrong_type(key, "a key must be a name", "a name");
                None
            }
        }
    }

    /// A variable-like identifier: letters, digits and `_`, not starting with a digit.
    pub(crate) fn identifier(&mut self, node: &Node, what: &str) -> Option<Name> {
        let Some(text) = node.as_str() else {
            self.wrong_type(node, &format!("a {what} name must be a plain name"), "a name");
            return None;
        };
        if !is_identifier(text) {
            let help = if text.starts_with("${") {
                format!("a {what} name cannot be an expression; write the name itself")
            } else {
                "use letters, digits and `_`, and do not start with a digit".to_string()
            };
            self.diags.push(
                Diagnostic::error(codes::INVALID_NAME, node.span, format!("`{text}` is not a valid {what} name"))
                    .with_label("invalid name")
                    .with_help(help),
            );
            return None;
        }
        Some(Name { text: text.to_string(), span: node.span })
    }
}

/// Whether `s` is an identifier: `[A-Za-z_][A-Za-z0-9_]*`.
pub(crate) fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Looks up `key` in a map's entries.
pub(crate) fn field<'n>(entries: &'n [(Node, Node)], key: &str) -> Option<(&'n Node, &'n Node)> {
    entries.iter().find(|(k, _)| k.key_text() == Some(key)).map(|(k, v)| (k, v))
}

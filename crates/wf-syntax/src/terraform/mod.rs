//! Terraform `templatefile` sources (`*.tftpl`, `*.yaml.tftpl`, `*.json.tftpl`): a workflow
//! written as a template that Terraform renders before deploying it. In the template `$${`
//! is the workflow's own `${` (and `%%{` a literal `%{`); `${name}`, `${var.x}`,
//! `${module.m.out}` and `${resource.name.attr}` are Terraform's placeholders, and
//! `%{ if }` / `%{ else }` / `%{ endif }` and `%{ for }` / `%{ endfor }` its directives
//! (with `~` strip markers).
//!
//! [`expand`] renders the template the way Terraform would, with a placeholder value for
//! every reference (a string, unless [`Vars`] gives a value): once per combination of
//! `%{ if }` branches needed to render each branch at least once (only the branch the given
//! values select, when they decide a condition). Each [`Rendering`] keeps a map from its text
//! back to the template, and [`merge`] checks every rendering and reports what it finds at
//! the template's own lines and columns.

mod map;
mod render;
mod scan;
mod tree;
mod value;

use std::collections::BTreeMap;

use crate::{Diagnostic, SourceFile, Span};

pub use tree::MAX_NESTING;

/// Values for Terraform references, by name (`region` or `var.region` for `${var.region}`,
/// `module.net.id`, ...), as `--var NAME=JSON` gives them.
pub type Vars = BTreeMap<String, serde_json::Value>;

/// Most renderings of one template (each `%{ if }` adds at most one).
const MAX_RENDERINGS: usize = 16;

/// Whether a file name is a Terraform template (`.tftpl`, in any case).
pub fn is_template_name(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".tftpl")
}

/// A template, rendered.
#[derive(Debug, Clone)]
pub struct Expansion {
    /// The renderings to check (none when the template itself is malformed).
    pub renderings: Vec<Rendering>,
    /// Problems of the template itself, at template spans.
    pub diagnostics: Vec<Diagnostic>,
}

/// One rendering of a template.
#[derive(Debug, Clone)]
pub struct Rendering {
    /// The rendered workflow, named like the template without `.tftpl` (so that a
    /// `.json.tftpl` renders to JSON).
    pub file: SourceFile,
    /// The `%{ if }` branches it took that the given values did not decide, for notes:
    /// "`%{ if var.x }` (line 4) is true".
    pub choices: Vec<String>,
    rendered: map::Rendered,
}

impl Rendering {
    /// The template span of a span of the rendered text.
    pub fn to_template(&self, span: Span) -> Span {
        self.rendered.to_template(span)
    }

    /// `d`, found in the rendered text, with its spans moved to the template.
    pub fn to_template_diagnostic(&self, mut d: Diagnostic) -> Diagnostic {
        d.span = self.to_template(d.span);
        for label in &mut d.labels {
            label.span = self.to_template(label.span);
        }
        d
    }
}

/// Renders the template `source` with `vars` (see the module documentation).
pub fn expand(source: &SourceFile, vars: &Vars) -> Expansion {
    let text = source.text.as_str();
    let mut diagnostics = Vec::new();
    let tree = scan::scan(text).and_then(|tokens| tree::build(text, tokens));
    let (parts, ifs) = match tree {
        Ok(t) => t,
        Err(d) => return Expansion { renderings: Vec::new(), diagnostics: vec![*d] },
    };
    let name = rendered_name(&source.name);
    let mut coverage = render::Coverage::new(ifs);
    let mut renderings = Vec::new();
    while renderings.len() < MAX_RENDERINGS {
        let first = renderings.is_empty();
        let json = name.to_ascii_lowercase().ends_with(".json");
        let Some(r) = render::render(text, &parts, vars, json, &mut coverage, first, &mut diagnostics) else { break };
        let choices = r
            .choices
            .iter()
            .map(|(at, c)| {
                let line = source.lines().line_of(at.start) + 1;
                format!("`{}` (line {line}) is {c}", source.slice(*at))
            })
            .collect();
        let file = SourceFile::new(name.clone(), r.rendered.text.clone());
        renderings.push(Rendering { file, choices, rendered: r.rendered });
    }
    Expansion { renderings, diagnostics }
}

fn rendered_name(name: &str) -> String {
    match name.len().checked_sub(".tftpl".len()) {
        Some(cut) if is_template_name(name) && name.is_char_boundary(cut) => name[..cut].to_string(),
        _ => name.to_string(),
    }
}

/// Checks every rendering of `expansion` with `check` and gives what they found at
/// template spans, each once, sorted by position, after the template's own problems. A
/// diagnostic that not every rendering gives says in a note which branches it needs.
pub fn merge(expansion: &Expansion, mut check: impl FnMut(&SourceFile) -> Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut found: Vec<(Diagnostic, usize, usize)> = Vec::new();
    for (i, r) in expansion.renderings.iter().enumerate() {
        for d in check(&r.file) {
            let d = r.to_template_diagnostic(d);
            match found.iter_mut().find(|(f, ..)| f.code == d.code && f.span == d.span && f.message == d.message) {
                Some((_, _, count)) => *count += 1,
                None => found.push((d, i, 1)),
            }
        }
    }
    let all = expansion.renderings.len();
    let mut out = expansion.diagnostics.clone();
    for (mut d, first, count) in found {
        let choices = &expansion.renderings[first].choices;
        if count < all && !choices.is_empty() {
            d.notes.push(format!("in the rendering of the template where {}", choices.join(", ")));
        }
        out.push(d);
    }
    out.sort_by_key(|d| (d.span.start, d.span.end, d.code));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand_text(text: &str, vars: &Vars) -> Expansion {
        expand(&SourceFile::new("w.yaml.tftpl", text), vars)
    }

    #[test]
    fn renders_escapes_placeholders_and_strips() {
        let text = "a: $${x}\nb: \"${var.region}-1\"\nc: ${jsonencode(var.list)}\n%{~ if true ~}\nd: 1\n%{~ endif ~}\n";
        let e = expand_text(text, &Vars::new());
        assert!(e.diagnostics.is_empty(), "{:?}", e.diagnostics);
        assert_eq!(e.renderings.len(), 1);
        assert_eq!(e.renderings[0].file.text, "a: ${x}\nb: \"var_region-1\"\nc: \"var_list\"d: 1");
        assert_eq!(e.renderings[0].file.name, "w.yaml");
    }

    #[test]
    fn unknown_values_inside_workflow_expressions_have_no_type() {
        let text = "a: $${x + ${var.n}}\nb: '$${\"p-${var.n}\" + {\"k\": ${f(1)}}.k}'\nc: ${var.n}\n";
        let e = expand_text(text, &Vars::new());
        assert_eq!(
            e.renderings[0].file.text,
            "a: ${x + json.decode(json.encode(0))}\nb: '${\"p-var_n\" + {\"k\": json.decode(json.encode(0))}.k}'\nc: var_n\n"
        );
        let given: Vars = [("n".to_string(), serde_json::json!(3))].into_iter().collect();
        assert_eq!(expand_text(text, &given).renderings[0].file.text.lines().next(), Some("a: ${x + 3}"));
    }

    #[test]
    fn unknown_values_outside_json_strings_are_json_strings() {
        let text = "{\"a\": ${var.n}, \"b\": \"x-${var.n}\", \"c\": \"$${y + ${var.n}}\", \"d\": ${f(1)}}";
        let e = expand(&SourceFile::new("w.json.tftpl", text), &Vars::new());
        assert_eq!(
            e.renderings[0].file.text,
            "{\"a\": \"var_n\", \"b\": \"x-var_n\", \"c\": \"${y + json.decode(json.encode(0))}\", \"d\": \"tf_value\"}"
        );
    }

    #[test]
    fn every_branch_is_rendered_once_unless_the_values_decide() {
        let text = "%{ if var.a }A%{ if var.b }B%{ else }b%{ endif }%{ else }a%{ endif }%{ if var.c }C%{ endif }";
        let texts = |vars: &Vars| -> Vec<String> {
            expand_text(text, vars).renderings.iter().map(|r| r.file.text.clone()).collect()
        };
        assert_eq!(texts(&Vars::new()), ["ABC", "a", "AbC"]);
        let given: Vars = [("a".to_string(), serde_json::json!(true))].into_iter().collect();
        assert_eq!(texts(&given), ["ABC", "Ab"]);
        let r = &expand_text(text, &given).renderings[1];
        assert_eq!(r.choices, ["`%{ if var.b }` (line 1) is false", "`%{ if var.c }` (line 1) is false"]);
    }

    #[test]
    fn for_loops_repeat_over_given_lists_and_once_otherwise() {
        let text = "%{ for i, r in var.regions }${i}=${r};%{ endfor }";
        let given: Vars = [("regions".to_string(), serde_json::json!(["a", "b"]))].into_iter().collect();
        assert_eq!(expand_text(text, &given).renderings[0].file.text, "0=a;1=b;");
        assert_eq!(expand_text(text, &Vars::new()).renderings[0].file.text, "i=r;");
    }

    #[test]
    fn diagnostics_map_back_and_name_their_branch() {
        let text = "%{ if var.x }\na: ${var.y}\n%{ else }\nb: 1\n%{ endif }\n";
        let e = expand_text(text, &Vars::new());
        let merged = merge(&e, |f| {
            let at = f.text.find("var_y").map(|i| i as u32);
            at.map(|i| Diagnostic::error("WF999", Span::new(i, i + 5), "x")).into_iter().collect()
        });
        assert_eq!(merged.len(), 1);
        assert_eq!(&text[merged[0].span.range()], "${var.y}");
        assert_eq!(merged[0].notes, ["in the rendering of the template where `%{ if var.x }` (line 1) is true"]);
    }
}

//! Renders a template tree: text is copied, escapes lose their first character,
//! interpolations become values (or placeholders), `%{ for }` repeats its body for a given
//! collection (once, with placeholders, for an unknown one), and `%{ if }` takes the branch
//! the given values select, or else the one this rendering chose. [`Coverage`] chooses so
//! that, over a few renderings, every branch is rendered at least once.

use serde_json::Value as Json;

use super::Vars;
use super::map::Rendered;
use super::tree::Part;
use super::value::{self, Interp, Scope, Value};
use crate::{Diagnostic, Span, codes};

/// What an unknown value becomes inside a workflow expression.
const UNKNOWN_EXPR: &str = "json.decode(json.encode(0))";

/// Rendered text larger than this is refused (loops over large given lists, nested).
const MAX_RENDERED: usize = 4 << 20;

/// Which branches of each `if` some rendering has taken: `[then, else]`.
pub(crate) struct Coverage {
    taken: Vec<[bool; 2]>,
}

impl Coverage {
    pub(crate) fn new(ifs: usize) -> Coverage {
        Coverage { taken: vec![[false; 2]; ifs] }
    }

    fn count(&self) -> usize {
        self.taken.iter().flatten().filter(|&&t| t).count()
    }

    /// Whether `parts` hold a branch no rendering has taken (recursion bounded by the
    /// tree's nesting limit).
    fn open_in(&self, parts: &[Part]) -> bool {
        parts.iter().any(|p| match p {
            Part::If { id, then, els, .. } => {
                !self.taken[*id][0] || !self.taken[*id][1] || self.open_in(then) || self.open_in(els)
            }
            Part::For { body, .. } => self.open_in(body),
            _ => false,
        })
    }
}

/// One rendering: its text with the map back, and the `if` choices it made that the given
/// values did not decide.
pub(crate) struct Rendering {
    pub rendered: Rendered,
    pub choices: Vec<(Span, bool)>,
}

/// Renders `parts` once, choosing unknown branches to take what `coverage` has not yet;
/// `None` when it took no new branch (and so adds nothing). Problems go to `diags`.
pub(crate) fn render(
    text: &str,
    parts: &[Part],
    vars: &Vars,
    json: bool,
    coverage: &mut Coverage,
    first: bool,
    diags: &mut Vec<Diagnostic>,
) -> Option<Rendering> {
    let before = coverage.count();
    let mut r = Renderer {
        text,
        out: Rendered::default(),
        scope: Scope { vars, loops: Vec::new() },
        chosen: vec![None; coverage.taken.len()],
        choices: Vec::new(),
        coverage,
        diags,
        too_big: false,
        expr: ExprContext::default(),
        json: json.then(JsonContext::default),
    };
    r.parts(parts);
    let Renderer { out, choices, too_big, .. } = r;
    if too_big {
        return None;
    }
    (first || coverage.count() > before).then_some(Rendering { rendered: out, choices })
}

struct Renderer<'a> {
    text: &'a str,
    out: Rendered,
    scope: Scope<'a>,
    /// This rendering's choice for each `if` the given values do not decide.
    chosen: Vec<Option<bool>>,
    choices: Vec<(Span, bool)>,
    coverage: &'a mut Coverage,
    diags: &'a mut Vec<Diagnostic>,
    too_big: bool,
    expr: ExprContext,
    /// For a JSON template, whether the text is inside a JSON string.
    json: Option<JsonContext>,
}

/// Where a JSON template's rendered text is: an unknown value put in outside a JSON string
/// is a JSON string itself (as a placeholder in YAML is a plain string).
#[derive(Default)]
struct JsonContext {
    in_string: bool,
}

impl JsonContext {
    fn text(&mut self, text: &str) {
        let mut escaped = false;
        for b in text.bytes() {
            match (self.in_string, escaped, b) {
                (true, false, b'\\') => escaped = true,
                (true, true, _) => escaped = false,
                (_, false, b'"') => self.in_string = !self.in_string,
                _ => {}
            }
        }
    }
}

/// Where the rendered text is in the workflow's own `${...}` expressions (opened by a
/// `$${` escape): an unknown value put in there bare is spliced into the expression, so it
/// must be an expression of unknown type, not a name.
#[derive(Default)]
struct ExprContext {
    /// Open braces, the `${` included; 0 outside expressions.
    depth: usize,
    /// The quote of the expression's string literal the text is in.
    quote: Option<u8>,
}

impl ExprContext {
    fn escape(&mut self, escape: &str) {
        if escape.starts_with('$') {
            self.depth += 1;
        }
    }

    fn text(&mut self, text: &str) {
        let bytes = text.as_bytes();
        let mut i = 0;
        while self.depth > 0 && i < bytes.len() {
            match (self.quote, bytes[i]) {
                (Some(_), b'\\') => i += 1,
                (Some(q), b) if b == q => self.quote = None,
                (Some(_), _) => {}
                (None, q @ (b'"' | b'\'')) => self.quote = Some(q),
                (None, b'{') => self.depth += 1,
                (None, b'}') => self.depth -= 1,
                (None, _) => {}
            }
            i += 1;
        }
    }

    /// Whether a value put in now is bare expression text.
    fn bare(&self) -> bool {
        self.depth > 0 && self.quote.is_none()
    }
}

impl Renderer<'_> {
    fn parts(&mut self, parts: &[Part]) {
        for part in parts {
            if self.out.text.len() > MAX_RENDERED {
                if !self.too_big {
                    self.too_big = true;
                    self.report(
                        Diagnostic::error(
                            codes::TEMPLATE_SYNTAX,
                            Span::empty(0),
                            format!("the template renders to more than {} MiB", MAX_RENDERED >> 20),
                        )
                        .with_help(
                            "give shorter lists with `--var`, or none (a `%{ for }` over an unknown list renders once)",
                        ),
                    );
                }
                return;
            }
            match part {
                Part::Text(span) => {
                    self.expr.text(&self.text[span.range()]);
                    if let Some(j) = &mut self.json {
                        j.text(&self.text[span.range()]);
                    }
                    self.out.copy(self.text, *span);
                }
                Part::Escape(span) => {
                    self.expr.escape(&self.text[span.range()]);
                    if let Some(j) = &mut self.json {
                        j.text(&self.text[span.start as usize + 1..span.end as usize]);
                    }
                    self.out.copy(self.text, Span::new(span.start + 1, span.end));
                }
                Part::Interp { span, inner } => self.interp(*span, *inner),
                Part::If { id, at, cond, then, els } => {
                    let take_then = self.choose(*id, *at, *cond, then, els);
                    self.coverage.taken[*id][usize::from(!take_then)] = true;
                    self.parts(if take_then { then } else { els });
                }
                Part::For { at, header, body } => self.for_loop(*at, *header, body),
            }
        }
    }

    /// Whether the `if` numbered `id` takes its `then` branch in this rendering.
    fn choose(&mut self, id: usize, at: Span, cond: Span, then: &[Part], els: &[Part]) -> bool {
        if let Some(known) = self.scope.condition(&self.text[cond.range()]) {
            return known;
        }
        if let Some(c) = self.chosen[id] {
            return c;
        }
        let [then_taken, else_taken] = self.coverage.taken[id];
        let c = !then_taken || (else_taken && (self.coverage.open_in(then) || !self.coverage.open_in(els)));
        self.chosen[id] = Some(c);
        self.choices.push((at, c));
        c
    }

    fn interp(&mut self, span: Span, inner: Span) {
        let expr = &self.text[inner.range()];
        let value = match value::interp(expr) {
            Interp::Value(op) => self.scope.operand(&op),
            Interp::Json(r) => self.scope.eval(&r).map(|v| match v {
                Value::Known(json) => Value::Known(Json::String(json.to_string())),
                Value::Unknown(p) if self.expr.bare() => Value::Unknown(p),
                Value::Unknown(p) => Value::Known(Json::String(Json::String(p).to_string())),
            }),
            Interp::Unsupported(what) => {
                self.report(
                    Diagnostic::warning(
                        codes::TEMPLATE_UNSUPPORTED,
                        span,
                        format!("{what} in a Terraform template is not evaluated"),
                    )
                    .with_label("a placeholder stands for its value")
                    .with_help("the rest of the file is checked with a placeholder here; to check the real value, compute it in the Terraform configuration and pass it in a template variable (then `--var NAME=JSON` gives it)"),
                );
                Ok(Value::Unknown("tf_value".into()))
            }
        };
        let text = match value {
            // A value of any type (no checker rule can fault it), and no quote that could
            // end a YAML string around the expression.
            Ok(Value::Unknown(_)) if self.expr.bare() => UNKNOWN_EXPR.to_string(),
            Ok(Value::Unknown(p)) if self.json.as_ref().is_some_and(|j| !j.in_string) => Json::String(p).to_string(),
            Ok(Value::Unknown(p)) => p,
            Ok(Value::Known(Json::String(s))) => s,
            Ok(Value::Known(v @ (Json::Number(_) | Json::Bool(_)))) => v.to_string(),
            Ok(Value::Known(v)) => {
                let kind = match v {
                    Json::Array(_) => "a list",
                    Json::Object(_) => "a map",
                    _ => "null",
                };
                self.report(
                    Diagnostic::error(
                        codes::TEMPLATE_SYNTAX,
                        span,
                        format!("`{expr}` is {kind}, which Terraform cannot interpolate"),
                    )
                    .with_label("Terraform: Invalid template interpolation value")
                    .with_help(format!("write `${{jsonencode({expr})}}` to put it in as JSON")),
                );
                v.to_string()
            }
            Err(message) => {
                self.report(
                    Diagnostic::error(codes::TEMPLATE_SYNTAX, span, message)
                        .with_label("not in the value given with `--var`"),
                );
                if self.expr.bare() {
                    UNKNOWN_EXPR.into()
                } else if self.json.as_ref().is_some_and(|j| !j.in_string) {
                    "\"tf_value\"".into()
                } else {
                    "tf_value".into()
                }
            }
        };
        self.out.put(&text, span);
    }

    fn for_loop(&mut self, at: Span, header: Span, body: &[Part]) {
        let Some(h) = value::for_header(&self.text[header.range()]) else {
            self.report(
                Diagnostic::error(
                    codes::TEMPLATE_SYNTAX,
                    at,
                    "a `%{ for }` directive must read `for NAME in LIST` or `for KEY, VALUE in MAP`",
                )
                .with_label("not understood"),
            );
            return;
        };
        let collection = match &h.collection {
            Ok(op) => self.scope.operand(op),
            Err(what) => {
                self.report(
                    Diagnostic::warning(
                        codes::TEMPLATE_UNSUPPORTED,
                        header,
                        format!("{what} in a Terraform template is not evaluated"),
                    )
                    .with_label("the loop's body is rendered once, with placeholders")
                    .with_help("to check the real items, pass the list in a template variable and give it with `--var NAME=JSON`"),
                );
                Ok(Value::Unknown(String::new()))
            }
        };
        let items: Vec<(Value, Value)> = match collection {
            Ok(Value::Known(Json::Array(items))) => {
                items.into_iter().enumerate().map(|(i, v)| (Value::Known(Json::from(i)), Value::Known(v))).collect()
            }
            Ok(Value::Known(Json::Object(map))) => {
                map.into_iter().map(|(k, v)| (Value::Known(Json::String(k)), Value::Known(v))).collect()
            }
            Ok(Value::Known(other)) => {
                self.report(
                    Diagnostic::error(
                        codes::TEMPLATE_SYNTAX,
                        at,
                        format!("a `%{{ for }}` over {other}, not a list or a map"),
                    )
                    .with_label("Terraform cannot iterate over this"),
                );
                return;
            }
            Ok(Value::Unknown(_)) | Err(_) => {
                let key = h.key.clone().unwrap_or_default();
                vec![(Value::Unknown(key), Value::Unknown(h.value.clone()))]
            }
        };
        for (k, v) in items {
            let pushed = 1 + usize::from(h.key.is_some());
            if let Some(key) = &h.key {
                self.scope.loops.push((key.clone(), k));
            }
            self.scope.loops.push((h.value.clone(), v));
            self.parts(body);
            self.scope.loops.truncate(self.scope.loops.len() - pushed);
        }
    }

    /// Keeps `d` unless an earlier rendering reported the same.
    fn report(&mut self, d: Diagnostic) {
        if !self.diags.contains(&d) {
            self.diags.push(d);
        }
    }
}

//! The part of Terraform's expression language a template check needs: references
//! (`name`, `var.x`, `module.m.out`, `resource.name.attr`, with `.attr` and `[index]` steps),
//! `jsonencode(reference)`, literals, and `%{ if }` conditions (`a`, `!a`, `a == b`,
//! `a != b`). A reference to something `--var` does not give is unknown: a placeholder
//! string named after it.

use serde_json::Value as Json;

use super::Vars;

/// What an expression stands for while rendering.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    /// Given (by `--var` or a `%{ for }` over a given list).
    Known(Json),
    /// Not given: rendered as this placeholder string.
    Unknown(String),
}

/// A reference: a root name and its steps.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reference {
    root: String,
    steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Attr(String),
    Index(Json),
}

/// What an interpolation holds.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Interp {
    /// A reference or a literal: its value, as text.
    Value(Operand),
    /// `jsonencode(reference)`: its value as JSON.
    Json(Reference),
    /// Anything else, described for the diagnostic.
    Unsupported(String),
}

/// A reference or a literal.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand {
    Ref(Reference),
    Literal(Json),
}

/// Reads the text of an interpolation.
pub(crate) fn interp(text: &str) -> Interp {
    if let Some(op) = operand(text) {
        return Interp::Value(op);
    }
    if let Some(arg) = text.strip_prefix("jsonencode(").and_then(|r| r.strip_suffix(')'))
        && let Some(r) = reference(arg.trim())
    {
        return Interp::Json(r);
    }
    Interp::Unsupported(describe(text))
}

/// Names the Terraform construct `text` is, for "not evaluated" diagnostics.
fn describe(text: &str) -> String {
    let head: String = text.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    let rest = text[head.len()..].trim_start();
    if text.starts_with("[for ") || text.starts_with("{for ") || text.starts_with("[ for") {
        "a `for` expression".into()
    } else if !head.is_empty() && rest.starts_with('(') {
        format!("the function call `{head}(...)`")
    } else if text.contains('?') {
        "a conditional expression (`? :`)".into()
    } else if text.starts_with('<') {
        "a heredoc".into()
    } else if text.contains(['+', '-', '*', '/', '%', '<', '>', '&', '|', '!', '=']) {
        "an operator expression".into()
    } else {
        format!("the expression `{}`", first_line(text))
    }
}

/// The first line of `text`, at most 40 characters, with `…` when cut.
fn first_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or("");
    let short: String = line.chars().take(40).collect();
    if short.len() < text.len() { format!("{short}…") } else { short }
}

/// A reference or a literal, or `None`.
pub(crate) fn operand(text: &str) -> Option<Operand> {
    let text = text.trim();
    if let Some(r) = reference(text) {
        return Some(match r.root.as_str() {
            "true" | "false" | "null" if r.steps.is_empty() => Operand::Literal(serde_json::from_str(text).ok()?),
            _ => Operand::Ref(r),
        });
    }
    let literal = text.starts_with('"') || text.starts_with(|c: char| c.is_ascii_digit() || c == '-');
    if literal && !text.contains("${") && !text.contains("%{") {
        return serde_json::from_str::<Json>(text)
            .ok()
            .filter(|v| !v.is_array() && !v.is_object())
            .map(Operand::Literal);
    }
    None
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// `name(.attr | [index])*`, or `None`.
pub(crate) fn reference(text: &str) -> Option<Reference> {
    let mut chars = text.char_indices().peekable();
    let ident = |chars: &mut std::iter::Peekable<std::str::CharIndices>| -> Option<String> {
        let (start, c) = *chars.peek()?;
        if !is_ident_start(c) {
            return None;
        }
        let mut end = start;
        while let Some(&(i, c)) = chars.peek() {
            if !is_ident(c) {
                break;
            }
            end = i + c.len_utf8();
            chars.next();
        }
        Some(text[start..end].to_string())
    };
    let root = ident(&mut chars)?;
    let mut steps = Vec::new();
    while let Some((i, c)) = chars.next() {
        match c {
            '.' => match chars.peek() {
                Some(&(_, d)) if d.is_ascii_digit() => {
                    let digits: String =
                        std::iter::from_fn(|| chars.next_if(|(_, d)| d.is_ascii_digit()).map(|(_, d)| d)).collect();
                    steps.push(Step::Index(Json::from(digits.parse::<u64>().ok()?)));
                }
                _ => steps.push(Step::Attr(ident(&mut chars)?)),
            },
            '[' => {
                let close = text[i..].find(']')? + i;
                let index = text[i + 1..close].trim();
                let value = serde_json::from_str::<Json>(index).ok().filter(|v| v.is_string() || v.is_u64())?;
                steps.push(Step::Index(value));
                while chars.peek().is_some_and(|&(j, _)| j <= close) {
                    chars.next();
                }
            }
            _ => return None,
        }
    }
    Some(Reference { root, steps })
}

impl Reference {
    /// The placeholder string for this reference: its text with `.` and brackets as `_`
    /// (`var.region` → `var_region`), an identifier, safe in YAML and in step names.
    pub(crate) fn placeholder(&self) -> String {
        let mut out = self.root.replace('-', "_");
        for step in &self.steps {
            out.push('_');
            match step {
                Step::Attr(a) => out.push_str(&a.replace('-', "_")),
                Step::Index(Json::String(s)) => {
                    out.extend(s.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }))
                }
                Step::Index(v) => out.push_str(&v.to_string()),
            }
        }
        out
    }

    /// The dotted names this reference may be given by, longest first, with how many steps
    /// each leaves: `var.a.b` → `var.a.b` (0), `a.b` (0), `var.a` (1), `a` (1), `var` (2).
    fn names(&self) -> Vec<(String, usize)> {
        let attrs = self.steps.iter().take_while(|s| matches!(s, Step::Attr(_))).count();
        let mut out = Vec::new();
        for n in (0..=attrs).rev() {
            let mut name = self.root.clone();
            for step in &self.steps[..n] {
                if let Step::Attr(a) = step {
                    name.push('.');
                    name.push_str(a);
                }
            }
            if let Some(short) = name.strip_prefix("var.") {
                out.push((name.clone(), self.steps.len() - n));
                out.push((short.to_string(), self.steps.len() - n));
            } else {
                out.push((name, self.steps.len() - n));
            }
        }
        out
    }
}

/// The names in scope while rendering: loop variables (innermost last) over `--var` values.
pub(crate) struct Scope<'a> {
    pub vars: &'a Vars,
    pub loops: Vec<(String, Value)>,
}

impl Scope<'_> {
    /// The value of `r`; `Err` names a step that the given value does not have.
    pub(crate) fn eval(&self, r: &Reference) -> Result<Value, String> {
        if let Some((_, v)) = self.loops.iter().rev().find(|(name, _)| *name == r.root) {
            return match v {
                Value::Known(json) => walk(json, &r.steps, &r.root),
                Value::Unknown(p) => {
                    let rest = Reference { root: p.clone(), steps: r.steps.clone() };
                    Ok(Value::Unknown(rest.placeholder()))
                }
            };
        }
        for (name, left) in r.names() {
            if let Some(json) = self.vars.get(&name) {
                return walk(json, &r.steps[r.steps.len() - left..], &name);
            }
        }
        Ok(Value::Unknown(r.placeholder()))
    }

    /// The value of an operand.
    pub(crate) fn operand(&self, op: &Operand) -> Result<Value, String> {
        match op {
            Operand::Ref(r) => self.eval(r),
            Operand::Literal(v) => Ok(Value::Known(v.clone())),
        }
    }

    /// The value of an `%{ if }` condition, when the given values decide it.
    pub(crate) fn condition(&self, text: &str) -> Option<bool> {
        let text = text.trim();
        if let Some(rest) = text.strip_prefix('!') {
            return self.condition(rest).map(|b| !b);
        }
        for (op, equal) in [("==", true), ("!=", false)] {
            if let Some((a, b)) = text.split_once(op) {
                let a = self.operand(&operand(a)?).ok()?;
                let b = self.operand(&operand(b)?).ok()?;
                return match (a, b) {
                    (Value::Known(a), Value::Known(b)) => Some((a == b) == equal),
                    _ => None,
                };
            }
        }
        match self.operand(&operand(text)?).ok()? {
            Value::Known(Json::Bool(b)) => Some(b),
            Value::Known(Json::String(s)) if s == "true" || s == "false" => Some(s == "true"),
            _ => None,
        }
    }
}

fn walk(json: &Json, steps: &[Step], name: &str) -> Result<Value, String> {
    let mut at = json;
    let mut path = name.to_string();
    for step in steps {
        let next = match step {
            Step::Attr(a) => {
                path.push_str(&format!(".{a}"));
                at.get(a)
            }
            Step::Index(Json::String(k)) => {
                path.push_str(&format!("[{k:?}]"));
                at.get(k)
            }
            Step::Index(i) => {
                path.push_str(&format!("[{i}]"));
                i.as_u64().and_then(|i| at.get(usize::try_from(i).ok()?))
            }
        };
        at = next.ok_or_else(|| format!("the value given for `{name}` has no `{path}`"))?;
    }
    Ok(Value::Known(at.clone()))
}

/// A `%{ for }` header: the names it binds and the collection (`Err`: an expression that
/// is not evaluated, described).
pub(crate) struct ForHeader {
    pub key: Option<String>,
    pub value: String,
    pub collection: Result<Operand, String>,
}

/// Reads `NAME in EXPR` or `KEY, VALUE in EXPR`.
pub(crate) fn for_header(text: &str) -> Option<ForHeader> {
    let (names, collection) = text.split_once(" in ")?;
    let names: Vec<&str> = names.split(',').map(str::trim).collect();
    let valid = |n: &str| n.starts_with(is_ident_start) && n.chars().all(is_ident);
    if !names.iter().all(|n| valid(n)) {
        return None;
    }
    let collection = operand(collection)
        .or_else(|| {
            let literal = serde_json::from_str::<Json>(collection.trim()).ok();
            literal.filter(|v| v.is_array() || v.is_object()).map(Operand::Literal)
        })
        .ok_or_else(|| describe(collection.trim()));
    match names[..] {
        [value] => Some(ForHeader { key: None, value: value.into(), collection }),
        [key, value] => Some(ForHeader { key: Some(key.into()), value: value.into(), collection }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, Json)]) -> Vars {
        pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
    }

    #[test]
    fn references_become_placeholders_or_given_values() {
        let given = vars(&[("region", Json::from("us-east1")), ("module.net", serde_json::json!({"ids": [7, 8]}))]);
        let scope = Scope { vars: &given, loops: Vec::new() };
        let eval = |t: &str| scope.eval(&reference(t).unwrap()).unwrap();
        assert_eq!(eval("var.region"), Value::Known(Json::from("us-east1")));
        assert_eq!(eval("region"), Value::Known(Json::from("us-east1")));
        assert_eq!(eval("module.net.ids[1]"), Value::Known(Json::from(8)));
        assert_eq!(
            eval("google_cloud_run_v2_service.api.uri"),
            Value::Unknown("google_cloud_run_v2_service_api_uri".into())
        );
        assert_eq!(eval("local.m[\"a-b\"]"), Value::Unknown("local_m_a_b".into()));
        assert!(scope.eval(&reference("module.net.name").unwrap()).is_err());
    }

    #[test]
    fn interpolations_and_conditions() {
        assert!(matches!(interp("var.x"), Interp::Value(Operand::Ref(_))));
        assert!(matches!(interp("jsonencode(var.x)"), Interp::Json(_)));
        assert_eq!(interp("upper(var.x)"), Interp::Unsupported("the function call `upper(...)`".into()));
        assert_eq!(interp("var.a ? 1 : 2"), Interp::Unsupported("a conditional expression (`? :`)".into()));
        assert_eq!(interp("var.a + 1"), Interp::Unsupported("an operator expression".into()));
        let given = vars(&[("env", Json::from("prod")), ("on", Json::from(true))]);
        let scope = Scope { vars: &given, loops: Vec::new() };
        assert_eq!(scope.condition("var.env == \"prod\""), Some(true));
        assert_eq!(scope.condition("env != \"prod\""), Some(false));
        assert_eq!(scope.condition("!var.on"), Some(false));
        assert_eq!(scope.condition("var.other"), None);
        assert_eq!(scope.condition("length(var.x) > 0"), None);
        let h = for_header("k, v in var.m").unwrap();
        assert_eq!((h.key.as_deref(), h.value.as_str()), (Some("k"), "v"));
        assert!(for_header("in x").is_none());
        assert_eq!(
            for_header("r in [\"a\", \"b\"]").unwrap().collection,
            Ok(Operand::Literal(serde_json::json!(["a", "b"])))
        );
        assert_eq!(for_header("r in keys(var.m)").unwrap().collection, Err("the function call `keys(...)`".into()));
    }
}

//! Go to definition, find references and rename, for steps, variables (parameters included)
//! and subworkflows. Renaming a parameter also renames the `args` keys of the `call` steps
//! that pass it.

use wf_check::facts::{Analysis, Role, Symbol};
use wf_check::stdlib;
use wf_syntax::Span;

use super::{Doc, TextEdit, is_identifier, symbol_at};

/// Where the name under the cursor is defined: a step's or subworkflow's name, a parameter,
/// or every place that assigns a variable.
pub fn definition(doc: &Doc, offset: u32) -> Vec<Span> {
    let offset = doc.valid(offset);
    let Some((a, o)) = symbol_at(doc, offset) else { return Vec::new() };
    let declared: Vec<Span> =
        a.occurrences_of(o.symbol).filter(|x| x.role == Role::Declaration).map(|x| x.span).collect();
    if !declared.is_empty() {
        return declared;
    }
    a.occurrences_of(o.symbol).filter(|x| x.role == Role::Write).map(|x| x.span).collect()
}

/// Every place that names the symbol under the cursor.
pub fn references(doc: &Doc, offset: u32, include_declaration: bool) -> Vec<Span> {
    let offset = doc.valid(offset);
    let Some((a, o)) = symbol_at(doc, offset) else { return Vec::new() };
    a.occurrences_of(o.symbol).filter(|x| include_declaration || x.role != Role::Declaration).map(|x| x.span).collect()
}

/// The name that would be renamed at `offset` and its current text, or why it cannot be.
pub fn prepare_rename(doc: &Doc, offset: u32) -> Result<(Span, String), String> {
    let offset = doc.valid(offset);
    let (a, o) = symbol_at(doc, offset).ok_or("no step, variable or subworkflow here")?;
    if o.symbol == Symbol::Sub(0) && a.subs[0].name == "main" {
        return Err("`main` is where execution starts; it cannot be renamed".into());
    }
    Ok((o.span, doc.file.slice(o.span).to_string()))
}

/// The edits that rename the symbol at `offset` to `new_name`.
pub fn rename(doc: &Doc, offset: u32, new_name: &str) -> Result<Vec<TextEdit>, String> {
    let offset = doc.valid(offset);
    prepare_rename(doc, offset)?;
    let (a, o) = symbol_at(doc, offset).ok_or("nothing to rename here")?;
    check_name(a, o.symbol, new_name)?;
    let mut edits: Vec<TextEdit> = a.occurrences_of(o.symbol).map(|x| TextEdit::new(x.span, new_name)).collect();
    edits.dedup();
    Ok(edits)
}

/// Whether `name` is a valid new name for `symbol`, without clashing with another.
fn check_name(a: &Analysis, symbol: Symbol, name: &str) -> Result<(), String> {
    match symbol {
        Symbol::Var { sub, var } => {
            if !is_identifier(name) {
                return Err(format!("`{name}` is not a valid variable name (letters, digits, `_`)"));
            }
            if a.subs[sub].vars[var].name == name {
                return Ok(());
            }
            if a.var_named(sub, name).is_some() {
                return Err(format!("`{name}` is already a variable of `{}`", a.subs[sub].name));
            }
            if stdlib::is_module(name) || stdlib::helpers().any(|f| f.name == name) {
                return Err(format!("`{name}` would hide the standard-library `{name}`"));
            }
        }
        Symbol::Sub(s) => {
            if !is_identifier(name) {
                return Err(format!("`{name}` is not a valid subworkflow name (letters, digits, `_`)"));
            }
            if a.subs[s].name != name && a.sub_named(name).is_some() {
                return Err(format!("a subworkflow named `{name}` already exists"));
            }
            if stdlib::is_module(name) || stdlib::function(name).is_some() {
                return Err(format!("`{name}` is a standard-library name"));
            }
        }
        Symbol::Step { sub, step } => {
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(format!("`{name}` is not a valid step name (letters, digits, `_`)"));
            }
            if matches!(name, "end" | "break" | "continue") {
                return Err(format!("`{name}` is a `next` keyword"));
            }
            let steps = &a.subs[sub].steps;
            if steps[step].name != name && steps.iter().any(|s| s.name == name) {
                return Err(format!("a step named `{name}` already exists in `{}`", a.subs[sub].name));
            }
        }
    }
    Ok(())
}

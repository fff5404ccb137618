//! One mistake, one diagnostic, across passes. A name misspelt where it is *defined* gives
//! two findings in two passes: "no such name" where the right spelling is used, and "never
//! used" where the misspelt one is defined. When the second's name is a likely typo of the
//! first's, only the first is kept, with a label at the definition:
//!
//! - `next: label` with a step `lbel:` (WF201 + WF400 step `lbel` can never run);
//! - `${user}` read with `- uer: ...` assigned (WF207 + WF401 the value of `uer` is never read),
//!   or assigned so on one path only (WF208 `user` may not be defined + WF401);
//! - `shared: [user]` with `- uer: {}` assigned before (WF210 + WF401);
//! - `${base64.data}` read with `- bse64: ...` assigned, so the read names the module
//!   (WF312 + WF401).
//!
//! A parameter misspelt where it is declared is one WF207 where the body reads it, not also
//! a WF206 at every call that passes it by its right name.
//!
//! And a `shared` variable never assigned before its parallel step (WF210) is not also
//! reported where it is read after the step (WF207): assigning it first fixes both.

use wf_syntax::Diagnostic;
use wf_syntax::suggest::{did_you_mean, edit_distance};

use crate::codes;

/// (use code, definition code, label put at the definition).
const PAIRS: &[(&str, &str, &str)] = &[
    (codes::UNKNOWN_STEP, codes::UNREACHABLE, "a step of that name is here, and never runs"),
    (codes::UNDEFINED_VARIABLE, codes::UNUSED_VARIABLE, "that name is assigned here, and never read"),
    (codes::MAYBE_UNDEFINED, codes::UNUSED_VARIABLE, "that name is assigned here, and never read"),
    (codes::NOT_CALLABLE, codes::UNUSED_VARIABLE, "that name is assigned here, and never read"),
    (codes::SHARED_UNDEFINED, codes::UNUSED_VARIABLE, "that name is assigned here, and never read"),
];

/// Merges the findings that repeat another one (see the module documentation).
pub(crate) fn merge(diags: &mut Vec<Diagnostic>) {
    merge_misspelt_definitions(diags);
    merge_misspelt_params(diags);
    drop_reads_of_unassigned_shared(diags);
}

/// A parameter misspelt where it is declared (`params: [zne]`): the body's read of `zone`
/// is not defined, and every call passing `zone:` has an "unknown argument `zone`; did you
/// mean `zne`?". One mistake: the read's error is kept, with a label at each such argument.
fn merge_misspelt_params(diags: &mut Vec<Diagnostic>) {
    let mut i = 0;
    while i < diags.len() {
        let name = match first_name(&diags[i].message) {
            Some(n) if diags[i].code == codes::UNDEFINED_VARIABLE && diags[i].message.ends_with("is not defined") => {
                n.to_string()
            }
            _ => {
                i += 1;
                continue;
            }
        };
        let argument = format!("unknown argument `{name}`; did you mean");
        let passes = format!("a call passes `{name}`");
        i = absorb(diags, i, |d| d.code == codes::UNKNOWN_ARGUMENT && d.message.starts_with(&argument), &passes);
        i += 1;
    }
}

/// Drops "`X` is not defined" when `X` is a `shared` variable reported as not assigned
/// before its parallel step.
fn drop_reads_of_unassigned_shared(diags: &mut Vec<Diagnostic>) {
    let shared: Vec<String> = diags
        .iter()
        .filter(|d| d.code == codes::SHARED_UNDEFINED)
        .filter_map(|d| first_name(&d.message).map(str::to_string))
        .collect();
    if shared.is_empty() {
        return;
    }
    diags.retain(|d| {
        d.code != codes::UNDEFINED_VARIABLE || !first_name(&d.message).is_some_and(|n| shared.iter().any(|s| s == n))
    });
}

/// Merges each misspelt definition's "never used" into the "no such name" it causes: the
/// nearest definition finding whose name is a likely typo of the name used.
fn merge_misspelt_definitions(diags: &mut Vec<Diagnostic>) {
    for &(use_code, def_code, label) in PAIRS {
        let mut i = 0;
        while i < diags.len() {
            let used = match first_name(&diags[i].message) {
                Some(n) if diags[i].code == use_code => n.to_string(),
                _ => {
                    i += 1;
                    continue;
                }
            };
            let at = diags[i].span.start;
            let name = diags
                .iter()
                .filter(|d| d.code == def_code)
                .filter_map(|d| Some((first_name(&d.message)?, d.span)))
                // Names of one or two letters are all "close": no evidence of a typo.
                .filter(|(name, _)| name.chars().count() >= 3 && did_you_mean(&used, [*name]).is_some())
                .min_by_key(|(name, span)| (edit_distance(&used, name), span.start.abs_diff(at)))
                .map(|(name, _)| name.to_string());
            if let Some(name) = name {
                // Every "never used" of that name is the same mistake.
                let same = |d: &Diagnostic| d.code == def_code && first_name(&d.message) == Some(name.as_str());
                i = absorb(diags, i, same, &format!("`{name}`: {label}"));
            }
            i += 1;
        }
    }
}

/// Moves every other diagnostic that `taken` picks into `diags[i]`, as a label saying
/// `label` at its span; returns where `diags[i]` is once they are gone.
fn absorb(diags: &mut Vec<Diagnostic>, mut i: usize, taken: impl Fn(&Diagnostic) -> bool, label: &str) -> usize {
    let mut j = 0;
    while j < diags.len() {
        if j != i && taken(&diags[j]) {
            let span = diags.remove(j).span;
            if j < i {
                i -= 1;
            }
            diags[i].labels.push(wf_syntax::Label { span, message: label.to_string() });
        } else {
            j += 1;
        }
    }
    i
}

/// The first `backticked` name of a message.
fn first_name(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(&message[start..start + len])
}

#[cfg(test)]
mod tests {
    use super::*;
    use wf_syntax::Span;

    #[test]
    fn a_misspelt_definition_is_one_diagnostic() {
        let mut diags = vec![
            Diagnostic::warning(codes::UNUSED_VARIABLE, Span::new(10, 13), "the value assigned to `uer` is never read"),
            Diagnostic::error(codes::UNDEFINED_VARIABLE, Span::new(40, 44), "`user` is not defined")
                .with_help("did you mean `uer`?"),
            Diagnostic::warning(codes::UNUSED_VARIABLE, Span::new(50, 53), "the value assigned to `abc` is never read"),
        ];
        merge_misspelt_definitions(&mut diags);
        assert_eq!(
            diags.iter().map(|d| d.code).collect::<Vec<_>>(),
            [codes::UNDEFINED_VARIABLE, codes::UNUSED_VARIABLE]
        );
        assert_eq!(diags[0].labels[0].span, Span::new(10, 13));
    }
}

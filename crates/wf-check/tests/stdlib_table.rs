//! The standard-library table must hold exactly what `gcw-language.md` documents, plus the
//! preview functions that the corpus uses. Skips (and says so) when `../shared` is absent,
//! except on CI, where that fails.

mod common;

use std::collections::BTreeSet;

use wf_check::stdlib::{self, FUNCTIONS, Status, VALUES};

fn reference() -> Option<String> {
    let path = common::shared().join("gcw-language.md");
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(_) => {
            common::skip(&format!("{} not found; the table was not compared with the reference", path.display()));
            None
        }
    }
}

fn section<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let a = text.find(start).unwrap_or_else(|| panic!("section {start} not found"));
    let b = text[a..].find(end).map_or(text.len(), |i| a + i);
    &text[a..b]
}

/// Backticked dotted names in the text: `` `text.split(` `` or `` `http.default_retry` ``,
/// and the siblings written after one as `` `http.post` / `put` / `patch` ``.
fn dotted_names(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for (i, _) in text.match_indices('`') {
        let rest = &text[i + 1..];
        let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.')).unwrap_or(rest.len());
        let name = &rest[..end];
        let next = rest[end..].chars().next();
        let Some((module, _)) = name.rsplit_once('.') else { continue };
        if !name.starts_with(|c: char| c.is_ascii_lowercase()) || !matches!(next, Some('(' | '`')) {
            continue;
        }
        names.insert(name.to_string());
        let mut tail = &rest[end..];
        tail = tail.strip_prefix('`').unwrap_or(tail);
        while let Some(after) = tail.strip_prefix(" / `") {
            let n = after.find('`').unwrap_or(0);
            names.insert(format!("{module}.{}", &after[..n]));
            tail = &after[n + 1..];
        }
    }
    names
}

#[test]
fn table_matches_the_reference() {
    let Some(text) = reference() else { return };
    let mut documented = dotted_names(section(&text, "## 6. Standard library", "## 7. Errors"));
    let helpers = section(&text, "### 4.5 Expression helpers", "### 4.6");
    for line in helpers.lines() {
        if let Some(rest) = line.strip_prefix("| `")
            && let Some(paren) = rest.find('(')
        {
            documented.insert(rest[..paren].to_string());
        }
    }
    // The connector call shape `googleapis.SERVICE.VERSION.RESOURCE.METHOD` is a pattern, not
    // an entry: `is_connector` matches it.
    let pattern = "googleapis.SERVICE.VERSION.RESOURCE.METHOD";
    assert!(documented.remove(pattern) && stdlib::is_connector(pattern));
    let in_table: BTreeSet<String> = FUNCTIONS
        .iter()
        .filter(|f| f.status != Status::Preview)
        .map(|f| f.name.to_string())
        .chain(VALUES.iter().map(|v| v.name.to_string()))
        .collect();
    let missing: Vec<_> = documented.difference(&in_table).collect();
    let extra: Vec<_> = in_table.difference(&documented).collect();
    assert!(missing.is_empty(), "documented but not in the table: {missing:?}");
    assert!(extra.is_empty(), "in the table but not documented: {extra:?}");
    assert!(documented.len() > 60, "the reference should name over 60 entries, found {}", documented.len());
}

#[test]
fn preview_entries_are_the_corpus_ones() {
    let preview: Vec<&str> = FUNCTIONS.iter().filter(|f| f.status == Status::Preview).map(|f| f.name).collect();
    assert_eq!(
        preview,
        ["gke.await_job", "gke.create_job", "gke.delete_job", "gke.request", "shell.gcloud", "shell.kubectl"]
    );
}

#[test]
fn entries_are_unique_and_well_formed() {
    let mut seen = BTreeSet::new();
    for f in FUNCTIONS {
        assert!(seen.insert(f.name), "{} twice", f.name);
        assert!(!f.doc.is_empty() && !f.doc.ends_with('.'), "{}: doc line", f.name);
        let mut optional_seen = false;
        for p in f.params {
            assert!(
                !(optional_seen && p.required && !f.blocking),
                "{}: required `{}` after an optional one",
                f.name,
                p.name
            );
            optional_seen |= !p.required;
        }
    }
    for v in VALUES {
        assert!(seen.insert(v.name), "{} twice", v.name);
    }
    assert!(stdlib::function("http.get").is_some_and(|f| f.blocking));
    assert!(stdlib::function("text.split").is_some_and(|f| !f.blocking));
    assert!(stdlib::is_module("sys") && stdlib::is_module("experimental") && !stdlib::is_module("foo"));
    assert!(stdlib::is_connector("googleapis.run.v1.namespaces.services.create"));
    assert_eq!(stdlib::function("text.split").unwrap().signature(), "text.split(source, separator)");
}

#[test]
fn without_the_reference_the_comparison_skips_but_fails_on_ci() {
    common::assert_skips_but_not_on_ci("table_matches_the_reference", &[("WFKIT_SHARED", "/nonexistent-wfkit-shared")]);
}

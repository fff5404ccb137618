//! IDE features as plain calls on fixtures: every file under `tests/lsp/<feature>/` is a
//! workflow with `$0` marking the cursor (two `$0` mark a range). The snapshot in
//! `tests/lsp/snapshots` draws the source with the result marked under it.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use wf_lsp::features::completion::{Options, complete};
use wf_lsp::features::symbols::DocSymbol;
use wf_lsp::features::{Doc, actions, apply_edits, hover, inlay, navigation, semantic, signature, symbols};
use wf_syntax::Span;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The fixtures of one feature, sorted.
fn fixtures(feature: &str) -> Vec<PathBuf> {
    let dir = repo().join("tests/lsp").join(feature);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {}", dir.display());
    files
}

/// A fixture: the document without the `$0` marks, and where they were.
struct Fixture {
    path: PathBuf,
    doc: Doc,
    cursor: u32,
    range: Span,
}

fn load(path: &Path) -> Fixture {
    let raw = std::fs::read_to_string(path).expect("fixture is UTF-8");
    let marks: Vec<usize> = raw.match_indices("$0").enumerate().map(|(i, (at, _))| at - 2 * i).collect();
    let text = raw.replace("$0", "");
    let cursor = *marks.first().unwrap_or_else(|| panic!("{} has no `$0`", path.display())) as u32;
    let range = Span::new(cursor, marks.get(1).map_or(cursor, |&m| m as u32));
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    Fixture { path: path.to_path_buf(), doc: Doc::new(name, text), cursor, range }
}

/// The source, numbered, with each mark drawn under its line: `^^^ label`.
fn draw(text: &str, marks: &[(Span, String)]) -> String {
    let mut out = String::new();
    let mut start = 0usize;
    for (i, line) in text.split('\n').enumerate() {
        let end = start + line.len();
        let _ = writeln!(out, "{:>3} | {line}", i + 1);
        let mut here: Vec<&(Span, String)> =
            marks.iter().filter(|(s, _)| (s.start as usize) >= start && (s.start as usize) <= end).collect();
        here.sort_by_key(|(s, _)| (s.start, s.end));
        for (span, label) in here {
            let col = text[start..span.start as usize].chars().count();
            let stop = (span.end as usize).min(end).max(span.start as usize);
            let width = text[span.start as usize..stop].chars().count().max(1);
            let more = if (span.end as usize) > end { "…" } else { "" };
            let _ = writeln!(out, "    | {}{}{more} {label}", " ".repeat(col), "^".repeat(width));
        }
        start = end + 1;
    }
    out
}

fn snapshot(feature: &str, fixture: &Fixture, text: &str) {
    let name = format!("{feature}-{}", fixture.path.file_name().unwrap().to_string_lossy().replace('.', "_"));
    insta::with_settings!({
        snapshot_path => repo().join("tests/lsp/snapshots"),
        prepend_module_to_snapshot => false,
        omit_expression => true,
        input_file => &fixture.path,
    }, {
        insta::assert_snapshot!(name, text);
    });
}

fn cursor_mark(f: &Fixture) -> (Span, String) {
    (Span::empty(f.cursor), "$0".to_string())
}

#[test]
fn hover() {
    for path in fixtures("hover") {
        let f = load(&path);
        let h = hover::hover(&f.doc, f.cursor);
        let text = match h {
            Some(h) => format!("{}\n{}\n", draw(f.doc.text(), &[(h.span, "hover".into())]), h.markdown),
            None => format!("{}\n(no hover)\n", draw(f.doc.text(), &[cursor_mark(&f)])),
        };
        snapshot("hover", &f, &text);
    }
}

#[test]
fn completion() {
    for path in fixtures("completion") {
        let f = load(&path);
        let items = complete(&f.doc, f.cursor, Options { snippets: true });
        let mut text = draw(f.doc.text(), &[cursor_mark(&f)]);
        text.push('\n');
        if let Some(first) = items.first() {
            let _ = writeln!(text, "replaces {:?}", f.doc.file.slice(first.edit.span));
        }
        for c in &items {
            let detail = c.detail.as_deref().map(|d| format!(" — {d}")).unwrap_or_default();
            let _ = writeln!(text, "{} ({:?}){detail}", c.label, c.kind);
            if c.edit.text != c.label {
                let kind = if c.snippet { "snippet" } else { "inserts" };
                let _ = writeln!(text, "    {kind}: {:?}", c.edit.text);
            }
        }
        if items.is_empty() {
            text.push_str("(no completions)\n");
        }
        snapshot("completion", &f, &text);
    }
}

#[test]
fn definition() {
    for path in fixtures("definition") {
        let f = load(&path);
        let mut marks = vec![cursor_mark(&f)];
        marks.extend(navigation::definition(&f.doc, f.cursor).into_iter().map(|s| (s, "definition".to_string())));
        snapshot("definition", &f, &draw(f.doc.text(), &marks));
    }
}

#[test]
fn references() {
    for path in fixtures("references") {
        let f = load(&path);
        let mut marks = vec![cursor_mark(&f)];
        let all = navigation::references(&f.doc, f.cursor, true);
        let without = navigation::references(&f.doc, f.cursor, false);
        for s in all {
            let what = if without.contains(&s) { "reference" } else { "declaration" };
            marks.push((s, what.to_string()));
        }
        snapshot("references", &f, &draw(f.doc.text(), &marks));
    }
}

#[test]
fn rename() {
    for path in fixtures("rename") {
        let f = load(&path);
        let new_name = f
            .doc
            .text()
            .lines()
            .find_map(|l| l.trim().strip_prefix("# rename-to:"))
            .map_or("renamed".to_string(), |n| n.trim().to_string());
        let prepared = navigation::prepare_rename(&f.doc, f.cursor);
        let text = match navigation::rename(&f.doc, f.cursor, &new_name) {
            Ok(edits) => {
                let marks: Vec<(Span, String)> = edits.iter().map(|e| (e.span, format!("→ {}", e.text))).collect();
                format!(
                    "{}\nprepared: {:?}\n\nafter renaming to `{new_name}`:\n{}",
                    draw(f.doc.text(), &marks),
                    prepared.map(|(s, t)| (f.doc.file.slice(s).to_string(), t)),
                    apply_edits(f.doc.text(), &edits)
                )
            }
            Err(e) => format!("{}\nprepared: {prepared:?}\nerror: {e}\n", draw(f.doc.text(), &[cursor_mark(&f)])),
        };
        snapshot("rename", &f, &text);
    }
}

fn outline(doc: &Doc, symbols: &[DocSymbol], depth: usize, out: &mut String) {
    for s in symbols {
        let line = doc.line_of(s.selection.start);
        let detail = s.detail.as_deref().unwrap_or("");
        let _ = writeln!(
            out,
            "{}{} [{:?}] {detail} (line {line}, {:?})",
            "  ".repeat(depth),
            s.name,
            s.kind,
            doc.file.slice(s.selection)
        );
        outline(doc, &s.children, depth + 1, out);
    }
}

#[test]
fn symbols() {
    for path in fixtures("symbols") {
        let f = load(&path);
        let mut text = draw(f.doc.text(), &[]);
        text.push_str("\noutline:\n");
        outline(&f.doc, &symbols::document_symbols(&f.doc), 0, &mut text);
        let query = f.doc.file.slice(Span::new(f.cursor, f.range.end)).to_string();
        let _ = writeln!(text, "\nsearch {query:?}:");
        if let Some(w) = f.doc.workflow() {
            for s in symbols::search(w, &query) {
                let _ = writeln!(text, "  {} [{:?}] in {:?}", s.name, s.kind, s.container);
            }
        }
        snapshot("symbols", &f, &text);
    }
}

#[test]
fn code_actions() {
    for path in fixtures("code_actions") {
        let f = load(&path);
        let found = actions::code_actions(&f.doc, f.range);
        let diags: Vec<(Span, String)> = wf_lsp::features::diagnostics::diagnostics(&f.doc)
            .iter()
            .map(|d| (d.span, format!("{} {}", d.code, d.message)))
            .collect();
        let mut text = draw(f.doc.text(), &diags);
        if found.is_empty() {
            text.push_str("\n(no actions)\n");
        }
        for a in &found {
            let preferred = if a.preferred { " (preferred)" } else { "" };
            let _ = write!(text, "\n== {}{preferred}\n{}", a.title, apply_edits(f.doc.text(), &a.edits));
        }
        snapshot("code_actions", &f, &text);
    }
}

#[test]
fn semantic_tokens() {
    for path in fixtures("semantic") {
        let f = load(&path);
        let marks: Vec<(Span, String)> = semantic::tokens(&f.doc)
            .iter()
            .map(|t| {
                let mods: Vec<&str> = semantic::modifier::NAMES
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| t.modifiers & (1 << i) != 0)
                    .map(|(_, n)| *n)
                    .collect();
                let mods = if mods.is_empty() { String::new() } else { format!(" +{}", mods.join(" +")) };
                (t.span, format!("{:?}{mods}", t.kind))
            })
            .collect();
        snapshot("semantic", &f, &draw(f.doc.text(), &marks));
    }
}

#[test]
fn signature_help() {
    for path in fixtures("signature") {
        let f = load(&path);
        let mut text = draw(f.doc.text(), &[cursor_mark(&f)]);
        match signature::signature_help(&f.doc, f.cursor) {
            Some(s) => {
                let _ = writeln!(text, "\n{}", s.label);
                if let Some((span, doc)) = s.active.and_then(|a| s.params.get(a)) {
                    let col = s.label[..span.start as usize].chars().count();
                    let _ = writeln!(text, "{}{} active: {doc}", " ".repeat(col), "^".repeat(span.len() as usize));
                }
                let _ = writeln!(text, "{}", s.doc.unwrap_or_default());
            }
            None => text.push_str("\n(no signature)\n"),
        }
        snapshot("signature", &f, &text);
    }
}

#[test]
fn inlay_hints() {
    for path in fixtures("inlay") {
        let f = load(&path);
        let whole = Span::new(0, f.doc.text().len() as u32);
        let mut text = f.doc.text().to_string();
        let mut hints = inlay::inlay_hints(&f.doc, whole);
        hints.sort_by_key(|h| std::cmp::Reverse(h.offset));
        for h in hints {
            text.insert_str(h.offset as usize, &format!("  ⟨{}⟩", h.label));
        }
        snapshot("inlay", &f, &text);
    }
}

/// Diagnostics of the files under `tests/lsp/diagnostics` (Terraform templates among them:
/// every rendering checked, the report at the template's own positions), with their notes.
#[test]
fn diagnostics() {
    let dir = repo().join("tests/lsp/diagnostics");
    let mut paths: Vec<PathBuf> =
        std::fs::read_dir(&dir).expect("tests/lsp/diagnostics").map(|e| e.expect("entry").path()).collect();
    paths.sort();
    assert!(!paths.is_empty());
    for path in paths {
        let text = std::fs::read_to_string(&path).expect("fixture is UTF-8");
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let doc = Doc::new(name, text);
        let diags = wf_lsp::features::diagnostics::diagnostics(&doc);
        let marks: Vec<(Span, String)> = diags
            .iter()
            .map(|d| {
                let notes: String = d.notes.iter().map(|n| format!(" ({n})")).collect();
                (d.span, format!("{} {}{notes}", d.code, d.message))
            })
            .collect();
        let f = Fixture { path: path.clone(), doc, cursor: 0, range: Span::empty(0) };
        snapshot("diagnostics", &f, &draw(f.doc.text(), &marks));
    }
}

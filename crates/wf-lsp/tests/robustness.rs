//! No IDE feature panics, whatever the text and wherever the cursor: every feature runs at
//! many offsets of every fixture, of the examples, and of truncated copies of them (a file
//! being typed, broken half-way through a key, a string or an expression), Terraform
//! templates included. The corpus in
//! `../shared` is swept too; without it the sweep skips, except on CI, where that fails.

mod common;

use std::path::{Path, PathBuf};

use wf_lsp::features::completion::{Options, complete};
use wf_lsp::features::{Doc, actions, hover, inlay, navigation, semantic, signature, symbols};
use wf_syntax::Span;

fn files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut out = Vec::new();
    let mut dirs = vec![root.join("tests/lsp"), root.join("examples"), root.join("tests/templates")];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "yaml" || x == "json" || x == "tftpl") {
                out.push(p);
            }
        }
    }
    out.sort();
    assert!(out.len() > 50, "fixtures found: {}", out.len());
    out
}

/// Every feature at `offset`.
fn everything_at(doc: &Doc, offset: u32) {
    let _ = hover::hover(doc, offset);
    let _ = complete(doc, offset, Options { snippets: true });
    let _ = navigation::definition(doc, offset);
    let _ = navigation::references(doc, offset, true);
    let _ = navigation::rename(doc, offset, "renamed_x");
    let _ = signature::signature_help(doc, offset);
    let _ = actions::code_actions(doc, Span::new(offset, offset));
}

fn boundaries(text: &str, step: usize) -> Vec<u32> {
    let mut out: Vec<u32> = text.char_indices().map(|(i, _)| i as u32).step_by(step).collect();
    out.push(text.len() as u32);
    out
}

#[test]
fn features_never_panic() {
    for path in files() {
        let text = std::fs::read_to_string(&path).expect("UTF-8").replace("$0", "");
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let doc = Doc::new(name.clone(), text.clone());
        for offset in boundaries(&text, 3) {
            everything_at(&doc, offset);
        }
        let whole = Span::new(0, text.len() as u32);
        let _ = semantic::tokens(&doc);
        let _ = inlay::inlay_hints(&doc, whole);
        let _ = symbols::document_symbols(&doc);
        let _ = actions::code_actions(&doc, whole);
        // Half-typed versions: cut anywhere, with the cursor at the cut.
        let mut previous = Doc::new(name.clone(), text.clone());
        let _ = previous.analysis();
        for cut in boundaries(&text, 11) {
            let partial = previous.next_version(text[..cut as usize].to_string());
            everything_at(&partial, cut);
            everything_at(&partial, cut / 2);
            let _ = semantic::tokens(&partial);
            previous = partial;
        }
    }
}

#[test]
fn features_never_panic_on_the_corpus() {
    let dir = common::shared().join("corpus");
    let mut files = Vec::new();
    let mut dirs = vec![dir.clone()];
    while let Some(d) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml" || x == "json") {
                files.push(p);
            }
        }
    }
    if files.is_empty() {
        return common::skip(&format!("{} not found; the features were not run on the corpus", dir.display()));
    }
    files.sort();
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let doc = Doc::new(name.clone(), text.clone());
        let step = (text.chars().count() / 60).max(1);
        for offset in boundaries(&text, step) {
            everything_at(&doc, offset);
        }
        let _ = semantic::tokens(&doc);
        let _ = inlay::inlay_hints(&doc, Span::new(0, text.len() as u32));
        let _ = actions::code_actions(&doc, Span::new(0, text.len() as u32));
        let mut previous = doc;
        for cut in boundaries(&text, (text.chars().count() / 12).max(1)) {
            let partial = previous.next_version(text[..cut as usize].to_string());
            everything_at(&partial, cut);
            previous = partial;
        }
    }
}

#[test]
fn without_the_corpus_the_sweep_skips_but_fails_on_ci() {
    common::assert_skips_but_not_on_ci(
        "features_never_panic_on_the_corpus",
        &[("WFKIT_SHARED", "/nonexistent-wfkit-shared")],
    );
}

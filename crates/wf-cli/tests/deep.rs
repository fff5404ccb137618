//! Deep input (issue #12). Chains of 10,000 terms (`1+1+…`, `a and a and …`, `x.a.a…`,
//! `x[0][0]…`) and data nested 10,000 levels deep used to overflow the stack of `wf check`,
//! `wf run` and `wf lsp`. Now the parser bounds every tree (`WF115`), so they get one
//! clean error; and input right at the limits goes through every recursive pass (checker,
//! compiler, printer, language-server features) on a 2 MB stack, the default of a spawned
//! thread and a quarter of the main thread's.

use std::path::PathBuf;
use std::process::Command;

use wf_lsp::features::completion::{Options, complete};
use wf_lsp::features::{Doc, hover, inlay, navigation, semantic, signature, symbols};
use wf_syntax::{Severity, SourceFile, Span};

/// A workflow that defines `a` and `x`, then returns `${expr}`.
fn workflow(expr: &str) -> String {
    format!("- init:\n    assign:\n      - a: true\n      - x: {{}}\n- s:\n    return: ${{{expr}}}\n")
}

/// The four chains of the report, `terms` terms (and as many levels) long.
fn chains(terms: usize) -> [(&'static str, String); 4] {
    let chain = |first: &str, link: &str| format!("{first}{}", link.repeat(terms - 1));
    [
        ("add", chain("1", "+1")),
        ("and", chain("a", " and a")),
        ("member", chain("x", ".a")),
        ("index", chain("x", "[0]")),
    ]
}

/// Data nested `levels` deep in all: the workflow's structure takes 5 levels.
fn nested_data(levels: usize, inner: &str) -> String {
    format!(
        "- init:\n    assign:\n      - x:\n          {}{inner}\n- done:\n    return: ${{x}}\n",
        "- ".repeat(levels - 5)
    )
}

fn scratch(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wf-deep-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

/// Runs `wf ARGS FILE`; returns the exit code and the output.
fn wf(args: &[&str], file: &PathBuf) -> (Option<i32>, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_wf")).args(args).arg(file).env("NO_COLOR", "1").output().expect("wf runs");
    (o.status.code(), format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr)))
}

#[test]
fn wf_check_and_wf_run_reject_long_chains_with_one_error() {
    for (shape, expr) in chains(10_000) {
        let file = scratch(&format!("{shape}.yaml"), &workflow(&expr));
        for command in ["check", "run"] {
            let (code, out) = wf(&[command], &file);
            assert_eq!(code, Some(1), "wf {command} on the {shape} chain:\n{out:.2000}");
            assert!(
                out.contains("[WF115] Error: expression is nested too deeply: more than 400 levels"),
                "{out:.2000}"
            );
            assert_eq!(out.matches("] Error:").count(), 1, "one error:\n{out:.2000}");
        }
    }
    let file = scratch("data.yaml", &nested_data(10_000, "1"));
    for command in ["check", "run"] {
        let (code, out) = wf(&[command], &file);
        assert_eq!(code, Some(1), "wf {command} on deep data:\n{out:.2000}");
        assert!(
            out.contains("[WF115] Error: lists and maps are nested too deeply: more than 128 levels"),
            "{out:.2000}"
        );
    }
}

/// Every recursive pass over `text`: check, compile, print, and the editor features at
/// the start, the middle and the end of the file.
fn every_pass(text: &str) {
    let source = SourceFile::new("deep.yaml", text.to_string());
    let checked = wf_check::check(&source);
    if let Some(w) = &checked.parsed.workflow {
        let _ = wf_vm::compile(w);
        let _ = format!("{w:?}");
    }
    let doc = Doc::new("deep.yaml", text.to_string());
    let _ = doc.analysis();
    let len = text.len() as u32;
    for offset in [0, len / 3, len / 2, len - 3] {
        let _ = hover::hover(&doc, offset);
        let _ = complete(&doc, offset, Options { snippets: true });
        let _ = navigation::definition(&doc, offset);
        let _ = navigation::references(&doc, offset, true);
        let _ = signature::signature_help(&doc, offset);
    }
    let _ = semantic::tokens(&doc);
    let _ = inlay::inlay_hints(&doc, Span::new(0, len));
    let _ = symbols::document_symbols(&doc);
}

/// The codes of the errors (not the warnings) of `text`.
fn errors(text: &str) -> Vec<&'static str> {
    let checked = wf_check::check(&SourceFile::new("deep.yaml", text.to_string()));
    checked.diagnostics.iter().filter(|d| d.severity == Severity::Error).map(|d| d.code).collect()
}

#[test]
fn input_at_the_limits_fits_a_two_megabyte_stack() {
    let run = std::thread::Builder::new().stack_size(2 << 20).spawn(|| {
        let limit = wf_syntax::expr::MAX_DEPTH as usize;
        let mut deepest: Vec<String> = chains(limit).into_iter().map(|(_, e)| workflow(&e)).collect();
        deepest.extend([
            workflow(&format!("{}1{}", "(".repeat(limit - 1), ")".repeat(limit - 1))),
            workflow(&format!("{}1{}", "[".repeat(limit - 1), "]".repeat(limit - 1))),
            workflow(&format!("{}1{}", "len(".repeat(limit - 1), ")".repeat(limit - 1))),
            workflow(&format!("{}1", "-".repeat(limit - 1))),
            workflow(&format!("{}true", "not ".repeat(limit - 1))),
        ]);
        // The deepest data, with the deepest expression inside.
        let expr = format!("${{{}}}", chains(limit)[0].1);
        deepest.push(nested_data(wf_syntax::yaml::MAX_NESTING, &format!("\"{expr}\"")));
        for text in &deepest {
            assert!(!errors(text).contains(&"WF115"), "{text:.200}");
            every_pass(text);
        }
        for (_, expr) in chains(10_000) {
            let text = workflow(&expr);
            assert_eq!(errors(&text), ["WF115"]);
            every_pass(&text);
        }
        let text = nested_data(10_000, "1");
        assert_eq!(errors(&text), ["WF115"]);
        every_pass(&text);
    });
    run.expect("a thread").join().expect("no overflow, no panic");
}

//! Parse throughput: the whole corpus (when `../shared/corpus` exists) and a generated
//! 10,000-line workflow. Run with `cargo bench -p wf-syntax`.

use std::path::Path;

use divan::{Bencher, black_box, counter::BytesCount};
use wf_syntax::generate::generated_workflow;
use wf_syntax::{SourceFile, parse_workflow};

fn main() {
    divan::main();
}

#[divan::bench]
fn generated_10k_lines(bencher: Bencher) {
    let file = SourceFile::new("generated.yaml", generated_workflow(10_000));
    assert!(parse_workflow(&file).diagnostics.is_empty(), "the generated workflow must be valid");
    bencher.counter(BytesCount::new(file.text.len())).bench(|| parse_workflow(black_box(&file)));
}

#[divan::bench]
fn corpus(bencher: Bencher) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    let mut files = Vec::new();
    collect(&dir, &mut files);
    if files.is_empty() {
        eprintln!("SKIPPED corpus benchmark: {} not found", dir.display());
        return;
    }
    let bytes: usize = files.iter().map(|f| f.text.len()).sum();
    bencher.counter(BytesCount::new(bytes)).bench(|| {
        for f in &files {
            black_box(parse_workflow(f));
        }
    });
}

fn collect(dir: &Path, out: &mut Vec<SourceFile>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect(&path, out);
        } else if matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml" | "json"))
            && let Ok(text) = std::fs::read_to_string(&path)
        {
            out.push(SourceFile::new(path.display().to_string(), text));
        }
    }
}

#[divan::bench]
fn generated_10k_lines_yaml_only(bencher: Bencher) {
    let file = SourceFile::new("generated.yaml", generated_workflow(10_000));
    bencher.counter(BytesCount::new(file.text.len())).bench(|| wf_syntax::yaml::load(black_box(&file)));
}

#[divan::bench]
fn generated_10k_lines_events_only(bencher: Bencher) {
    let text = generated_workflow(10_000);
    bencher.counter(BytesCount::new(text.len())).bench(|| {
        let mut n = 0usize;
        for ev in saphyr_parser::Parser::new_from_str(black_box(&text)) {
            n += usize::from(ev.is_ok());
        }
        n
    });
}

//! Front-end throughput: parsing alone (`wf_syntax::parse_workflow`) and parsing + checking
//! (`wf_check::check`, what `wf check` does per file), on the whole corpus (when
//! `../shared/corpus` exists) and on a generated 10,000-line workflow; plus the YAML event
//! tree alone (`yaml::load`, mostly saphyr-parser); and the check of a generated
//! 100,000-step workflow (`generate::generated_steps`, 12 MB, about 100,000 variables).
//! Run with `cargo bench -p wf-check`.

use std::path::Path;
use std::sync::OnceLock;

use divan::{Bencher, black_box, counter::BytesCount};
use wf_syntax::generate::{generated_steps, generated_workflow};
use wf_syntax::{SourceFile, parse_workflow};

fn main() {
    divan::main();
}

fn generated() -> &'static SourceFile {
    static FILE: OnceLock<SourceFile> = OnceLock::new();
    FILE.get_or_init(|| {
        let file = SourceFile::new("generated.yaml", generated_workflow(10_000));
        assert_clean_but_for_size(&file);
        file
    })
}

fn steps_100k() -> &'static SourceFile {
    static FILE: OnceLock<SourceFile> = OnceLock::new();
    FILE.get_or_init(|| {
        let file = SourceFile::new("steps100k.yaml", generated_steps(100_000));
        assert_clean_but_for_size(&file);
        file
    })
}

/// A generated workflow has no diagnostic but WF116: both are past GCW's 128 KB.
fn assert_clean_but_for_size(file: &SourceFile) {
    let codes: Vec<&str> = wf_check::check(file).diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, [wf_syntax::codes::SOURCE_TOO_LARGE], "the generated workflow must be clean but for its size");
}

fn corpus() -> &'static [SourceFile] {
    static FILES: OnceLock<Vec<SourceFile>> = OnceLock::new();
    FILES.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
        let mut files = Vec::new();
        collect(&dir, &mut files);
        if files.is_empty() {
            eprintln!("SKIPPED corpus benchmarks: {} not found", dir.display());
        }
        files
    })
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

fn bytes(files: &[SourceFile]) -> BytesCount {
    BytesCount::new(files.iter().map(|f| f.text.len()).sum::<usize>())
}

#[divan::bench]
fn parse_generated_10k_lines(bencher: Bencher) {
    let file = generated();
    bencher.counter(BytesCount::new(file.text.len())).bench(|| parse_workflow(black_box(file)));
}

#[divan::bench]
fn check_generated_10k_lines(bencher: Bencher) {
    let file = generated();
    bencher.counter(BytesCount::new(file.text.len())).bench(|| wf_check::check(black_box(file)));
}

#[divan::bench]
fn yaml_tree_generated_10k_lines(bencher: Bencher) {
    let file = generated();
    bencher.counter(BytesCount::new(file.text.len())).bench(|| wf_syntax::yaml::load(black_box(file)));
}

#[divan::bench(sample_count = 5)]
fn check_generated_100k_steps(bencher: Bencher) {
    let file = steps_100k();
    bencher.counter(BytesCount::new(file.text.len())).bench(|| wf_check::check(black_box(file)));
}

#[divan::bench]
fn parse_corpus(bencher: Bencher) {
    let files = corpus();
    bencher
        .counter(bytes(files))
        .bench(|| files.iter().map(|f| black_box(parse_workflow(f)).diagnostics.len()).sum::<usize>());
}

#[divan::bench]
fn check_corpus(bencher: Bencher) {
    let files = corpus();
    bencher
        .counter(bytes(files))
        .bench(|| files.iter().map(|f| black_box(wf_check::check(f)).diagnostics.len()).sum::<usize>());
}

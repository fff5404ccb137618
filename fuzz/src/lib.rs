//! Helpers shared by wfkit's fuzz targets (`fuzz_targets/*.rs`): input decoding, the span
//! invariants, expression trees without spans, strict value equality, a deterministic
//! random-number source, and the switches that turn oracles off.
//!
//! Every oracle here panics when it fails: under libFuzzer a panic aborts the process, which
//! is a finding (kept under `fuzz/artifacts/TARGET/`).

use std::borrow::Cow;

use wf_syntax::{Diagnostic, SourceFile, Span};
use wf_vm::Value;

/// The input as text: invalid UTF-8 is replaced, so that every input reaches the parsers.
pub fn text(data: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// A source file for `text`, named `.json` when it looks like JSON (so that the strict
/// JSON check runs, as for a real `.workflows.json`), else `.yaml`.
pub fn source(text: &str) -> SourceFile {
    let json = matches!(text.trim_start().as_bytes().first(), Some(b'{' | b'['));
    SourceFile::new(if json { "fuzz.workflows.json" } else { "fuzz.workflows.yaml" }, text)
}

/// Whether an oracle is switched off: `WF_FUZZ_SKIP=name1,name2` in the environment (read
/// once per process). The names are listed in `docs/fuzzing.md`.
pub fn skipped(oracle: &str) -> bool {
    static SKIP: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    SKIP.get_or_init(|| {
        std::env::var("WF_FUZZ_SKIP").unwrap_or_default().split(',').map(|s| s.trim().to_string()).collect()
    })
    .iter()
    .any(|s| s == oracle)
}

/// Asserts that `span` is a range of `text` on character boundaries.
pub fn assert_span(text: &str, span: Span, what: &dyn std::fmt::Debug) {
    let (start, end) = (span.start as usize, span.end as usize);
    assert!(start <= end && end <= text.len(), "{span:?} is out of bounds ({} bytes): {what:?}", text.len());
    assert!(text.is_char_boundary(start) && text.is_char_boundary(end), "{span:?} splits a character: {what:?}");
}

/// The invariant of every diagnostic: its spans (primary and labels) are ranges of the file
/// on character boundaries, and it says something.
pub fn assert_diagnostics(text: &str, diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        for span in std::iter::once(d.span).chain(d.labels.iter().map(|l| l.span)) {
            assert_span(text, span, d);
        }
        assert!(!d.message.is_empty(), "a diagnostic without a message: {d:?}");
    }
}

/// Strict equality of values: the same kinds (`1` is not `1.0`), doubles bit for bit, maps
/// in the same order. `Value`'s own `==` is GCW's equality, which is looser.
pub fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Double(x), Value::Double(y)) => x.to_bits() == y.to_bits(),
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::Bytes(x), Value::Bytes(y)) => x == y,
        (Value::List(x), Value::List(y)) => x.len() == y.len() && x.iter().zip(y.iter()).all(|(x, y)| same(x, y)),
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|((kx, vx), (ky, vy))| kx == ky && same(vx, vy))
        }
        _ => false,
    }
}

/// A small deterministic random-number source (splitmix64), seeded from the input, for the
/// choices a driver makes (which answer, in which order).
#[derive(Debug, Clone)]
pub struct Rng(pub u64);

impl Rng {
    /// Seeds from the bytes of the input (FNV-1a).
    pub fn from_bytes(data: &[u8]) -> Rng {
        Rng(data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)))
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

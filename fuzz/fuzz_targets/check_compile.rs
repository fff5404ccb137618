//! Parse and check (`wf_check::check`), then compile (`wf_vm::compile`).
//!
//! Oracles: nothing panics; every diagnostic span is a range of the file on character
//! boundaries; and a workflow that the checker finds no error in compiles ("check clean ⇒
//! compile succeeds"). That last oracle is `check-compile`: `WF_FUZZ_SKIP=check-compile`
//! switches it off (see docs/fuzzing.md).
#![no_main]

use libfuzzer_sys::fuzz_target;
use wfkit_fuzz::{assert_diagnostics, skipped, source, text};

fuzz_target!(|data: &[u8]| {
    let text = text(data);
    let file = source(&text);
    let checked = wf_check::check(&file);
    assert_diagnostics(&text, &checked.diagnostics);
    let errors = checked.diagnostics.iter().any(|d| d.is_error());
    let Some(workflow) = &checked.parsed.workflow else { return };
    if errors {
        return;
    }
    let Err(e) = wf_vm::compile(workflow) else { return };
    if skipped("check-compile") {
        return;
    }
    panic!("the checker finds no error, but compiling fails at {:?}: {}", e.span, e.message);
});

//! The scenario harness (`wf_test::scenario::parse`, `wf_test::simulate`): a scenario file,
//! and optionally its workflow after a line `%%%%` (else a fixed workflow,
//! `src/scenario.workflows.yaml`, is used); the run is then compared with the expectations
//! (`wf_test::expect::check`) and rendered as a snapshot.
//!
//! Oracles: nothing panics, and the same scenario gives the same trace twice (outcome,
//! elapsed time, steps, logs, events, problems, journal).
#![no_main]

use std::path::Path;
use std::rc::Rc;

use libfuzzer_sys::fuzz_target;
use wf_syntax::SourceFile;
use wf_vm::Program;
use wfkit_fuzz::{source, text};

const FIXED: &str = include_str!("../src/scenario.workflows.yaml");

thread_local! {
    static PROGRAM: Rc<Program> = {
        let file = SourceFile::new("scenario.workflows.yaml", FIXED);
        Rc::new(wf_test::compile_workflow(&file).expect("the fixed workflow compiles"))
    };
}

fuzz_target!(|data: &[u8]| {
    let text = text(data);
    let (scenario, workflow, program) = match text.split_once("\n%%%%\n") {
        Some((scenario, workflow)) => {
            let file = source(workflow);
            let Ok(program) = wf_test::compile_workflow(&file) else { return };
            (scenario, file, Rc::new(program))
        }
        None => (text.as_ref(), SourceFile::new("scenario.workflows.yaml", FIXED), PROGRAM.with(Rc::clone)),
    };
    let Ok(s) = wf_test::scenario::parse(Path::new("fuzz.scenario.yaml"), scenario) else { return };
    let first = wf_test::simulate(&s, Rc::clone(&program));
    let second = wf_test::simulate(&s, program);
    let (a, b) = (format!("{first:?}"), format!("{second:?}"));
    assert!(a == b, "two runs of the same scenario differ:\n{a}\n---\n{b}");
    let _ = wf_test::expect::check(&s, &first, &workflow);
    let _ = wf_test::snapshot::render(&first);
});

//! The journal is complete: replaying the answers of a run into a fresh machine of the same
//! program, argument and options gives the same outcome, steps and state, byte for byte.
//! Checked on every scenario of `tests/scenarios` and `examples/`.

use std::path::{Path, PathBuf};
use std::rc::Rc;

use wf_syntax::SourceFile;
use wf_test::world::{Outcome, machine};
use wf_test::{compile_workflow, discover, scenario, simulate};
use wf_vm::{Status, Value};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn replaying_a_journal_reproduces_the_run() {
    let files = discover(&[root().join("tests/scenarios"), root().join("examples")]).expect("scenario folders");
    let mut replayed = 0;
    for file in files {
        let Ok(s) = scenario::load(&file) else { continue };
        let Ok(text) = std::fs::read_to_string(&s.workflow) else { continue };
        let Ok(program) = compile_workflow(&SourceFile::new(s.workflow.display().to_string(), text)) else { continue };
        let program = Rc::new(program);
        let trace = simulate(&s, Rc::clone(&program));
        let mut fresh = machine(&s, program);
        trace.journal.replay_into(&mut fresh).unwrap_or_else(|d| panic!("{}: {d}", file.display()));
        // After its last answer the original ran to its end, or the world stopped it at an
        // effect it could not answer.
        match (fresh.poll(), &trace.outcome) {
            (Status::Done(v), _) => assert_eq!(Outcome::Succeeded(v), trace.outcome, "{}", file.display()),
            (Status::Failed(r), _) => {
                assert_eq!(Outcome::Failed { error: r.value, span: r.span }, trace.outcome, "{}", file.display());
            }
            (_, Outcome::Aborted(_)) => {}
            // The runtime ended it (the one-year limit), at an input it did not journal.
            (Status::Effect(_) | Status::Waiting, Outcome::Failed { span: None, error })
                if error.get("message").and_then(Value::as_str).is_some_and(|m| m.contains("more than one year")) => {}
            (other, _) => panic!("{}: the replayed machine stops at {other:?}", file.display()),
        }
        let steps: Vec<String> = fresh.trace().iter().map(|s| s.to_string()).collect();
        assert_eq!(steps, trace.steps, "{}", file.display());
        replayed += 1;
    }
    assert!(replayed >= 20, "only {replayed} scenarios replayed");
}

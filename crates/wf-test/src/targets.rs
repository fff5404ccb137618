//! Checks a scenario's callback targets against the compiled workflow before it runs: an
//! `endpoint: {step: NAME}` must name a step that creates a callback endpoint, or the
//! requests would only fail at run time, far from the typo.

use wf_syntax::suggest::did_you_mean;
use wf_vm::Program;
use wf_vm::code::Op;

use crate::scenario::{EndpointRef, Scenario};

/// The function whose calls create callback endpoints.
const CREATE_ENDPOINT: &str = "events.create_callback_endpoint";

/// The steps whose calls create callback endpoints, in program order, each once: the names
/// an endpoint request made by step is known by at run time.
pub fn endpoint_steps(program: &Program) -> Vec<&str> {
    let mut steps: Vec<&str> = Vec::new();
    for (f, function) in program.functions.iter().enumerate() {
        for (pc, op) in function.code.iter().enumerate() {
            let Op::Effect(site) = op else { continue };
            if program.effects.get(*site as usize).is_none_or(|e| &*e.function != CREATE_ENDPOINT) {
                continue;
            }
            if let Some(step) = program.step_at(f as u32, pc as u32)
                && !steps.contains(&&**step)
            {
                steps.push(step);
            }
        }
    }
    steps
}

/// `file:line:column: message` for the first `endpoint: {step: NAME}` of `s` whose step
/// creates no callback endpoint in `program`.
pub fn check(s: &Scenario, program: &Program) -> Result<(), String> {
    let creators = endpoint_steps(program);
    for c in &s.callbacks {
        let EndpointRef::Step(name) = &c.endpoint else { continue };
        if creators.contains(&name.as_str()) {
            continue;
        }
        let why = if program.steps.iter().any(|step| **step == **name) {
            format!("step `{name}` does not call {CREATE_ENDPOINT}")
        } else {
            format!("the workflow has no step `{name}`")
        };
        let help = match (did_you_mean(name, creators.iter().copied()), creators.as_slice()) {
            (Some(close), _) => format!("; did you mean `{close}`?"),
            (None, []) => format!("; no step of the workflow calls {CREATE_ENDPOINT}"),
            (None, list) => format!("; the steps that create endpoints are `{}`", list.join("`, `")),
        };
        let at = c.endpoint_place;
        return Err(format!(
            "{}:{}:{}: `endpoint: {{step: {name}}}`: {why}{help}",
            s.file.display(),
            at.line,
            at.column
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn program(text: &str) -> Program {
        let source = wf_syntax::SourceFile::new("t.yaml", text);
        crate::compile_workflow(&source).unwrap_or_else(|e| panic!("{}: {}", e.what, e.detail))
    }

    #[test]
    fn finds_the_steps_that_create_endpoints_in_any_subworkflow() {
        let p = program(
            "main:\n  steps:\n    - a:\n        call: make\n        result: x\n    - b:\n        call: events.create_callback_endpoint\n        result: y\n    - c:\n        return: ${[x, y]}\nmake:\n  steps:\n    - inner:\n        call: events.create_callback_endpoint\n        result: e\n    - give:\n        return: ${e}\n",
        );
        assert_eq!(endpoint_steps(&p), ["b", "inner"]);
        let none = program("main:\n  steps:\n    - only:\n        return: 1\n");
        assert!(endpoint_steps(&none).is_empty());
    }
}

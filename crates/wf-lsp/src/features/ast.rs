//! Walking the workflow tree: step bodies inside steps (switch cases, `try` bodies), the step
//! lists nested in them, and every `call`.

use wf_syntax::ast::{Call, ParallelBody, Step, StepBody, StepKind, Workflow};

/// The body of a step and the bodies inside it that are not steps of their own: switch
/// cases and `try` bodies (recursively).
pub fn bodies(body: &StepBody) -> Vec<&StepBody> {
    let mut out = vec![body];
    match &body.kind {
        StepKind::Switch(cases) => cases.iter().for_each(|c| out.extend(bodies(&c.body))),
        StepKind::Try(t) => out.extend(bodies(&t.body)),
        _ => {}
    }
    out
}

/// The lists of steps directly inside a step (through its cases and `try` body): loop
/// bodies, branches, nested `steps`, `except` steps.
pub fn nested(step: &Step) -> Vec<&[Step]> {
    let mut out: Vec<&[Step]> = Vec::new();
    let mut handlers: Vec<&[Step]> = Vec::new();
    for body in bodies(&step.body) {
        match &body.kind {
            StepKind::Steps(s) => out.push(s),
            StepKind::For(f) => out.push(&f.steps),
            StepKind::Parallel(p) => match &p.body {
                ParallelBody::Branches(b) => out.extend(b.iter().map(|b| b.steps.as_slice())),
                ParallelBody::For(f) => out.push(&f.steps),
                ParallelBody::Invalid => {}
            },
            StepKind::Try(t) => handlers.extend(t.except.iter().map(|e| e.steps.as_slice())),
            _ => {}
        }
    }
    out.extend(handlers);
    out
}

/// Every step of a list, nested ones included, in source order.
pub fn steps_in(steps: &[Step]) -> Vec<&Step> {
    let mut out = Vec::new();
    for s in steps {
        out.push(s);
        for list in nested(s) {
            out.extend(steps_in(list));
        }
    }
    out
}

/// Every step of the workflow with the index of its subworkflow.
pub fn all_steps(workflow: &Workflow) -> Vec<(usize, &Step)> {
    workflow
        .subworkflows
        .iter()
        .enumerate()
        .flat_map(|(i, sub)| steps_in(&sub.steps).into_iter().map(move |s| (i, s)))
        .collect()
}

/// Every `call` of the workflow, with the index of its subworkflow and the body it is in.
pub fn all_calls(workflow: &Workflow) -> Vec<(usize, &StepBody, &Call)> {
    let mut out = Vec::new();
    for (sub, step) in all_steps(workflow) {
        for body in bodies(&step.body) {
            if let StepKind::Call(c) = &body.kind {
                out.push((sub, body, c));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_steps_and_calls() {
        let text = "\
- a:
    switch:
      - condition: true
        call: sys.log
        args: {text: x}
- b:
    try:
      call: http.get
      args: {url: u}
    except:
      steps:
        - c:
            for:
              value: v
              in: [1]
              steps:
                - d:
                    return: 1
";
        let parsed = wf_syntax::parse_workflow(&wf_syntax::SourceFile::new("t.yaml", text));
        let w = parsed.workflow.expect("workflow");
        let names: Vec<&str> = all_steps(&w).iter().map(|(_, s)| s.name.text.as_str()).collect();
        assert_eq!(names, ["a", "b", "c", "d"]);
        let calls: Vec<&str> = all_calls(&w).iter().map(|(_, _, c)| c.function.text.as_str()).collect();
        assert_eq!(calls, ["sys.log", "http.get"]);
    }
}

//! The compiler: a (checked) workflow AST to [`Program`] bytecode. Variables become slots,
//! step names become jump targets, stdlib calls become natives or effects, and
//! `try`/`retry`/`except` become ordinary bytecode plus a handler table.

mod expr;
mod steps;

use std::collections::HashMap;
use std::rc::Rc;

use wf_syntax::Span;
use wf_syntax::ast::{Step, Workflow};

use crate::code::{Function, Op, Program};
use crate::value::Value;

/// Why a workflow cannot be compiled (a feature the VM does not support yet, or a mistake
/// the checker should have reported).
#[derive(Debug, Clone, PartialEq)]
pub struct CompileError {
    /// What is wrong.
    pub message: String,
    /// Where.
    pub span: Span,
}

type Result<T> = std::result::Result<T, CompileError>;

fn unsupported<T>(span: Span, message: impl Into<String>) -> Result<T> {
    Err(CompileError { message: message.into(), span })
}

/// How to compile.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CompileOptions {
    /// Mark coverage points (subworkflow entries, steps, switch conditions both ways,
    /// retries, except blocks) and count them as the program runs (`Program::coverage`).
    pub coverage: bool,
}

/// Compiles a workflow. `main` becomes function 0.
pub fn compile(workflow: &Workflow) -> std::result::Result<Program, CompileError> {
    compile_with(workflow, CompileOptions::default())
}

/// Compiles a workflow as `options` say.
pub fn compile_with(workflow: &Workflow, options: CompileOptions) -> std::result::Result<Program, CompileError> {
    let mut c = Compiler {
        program: Program { coverage: options.coverage.then(Default::default), ..Program::default() },
        subs: HashMap::new(),
        natives: HashMap::new(),
        strings: HashMap::new(),
    };
    for (i, sub) in workflow.subworkflows.iter().enumerate() {
        c.subs.insert(sub.name.text.as_str(), (i as u32, sub));
    }
    for sub in &workflow.subworkflows {
        let f = steps::FnCompiler::compile(&mut c, sub)?;
        c.program.functions.push(f);
    }
    let mut routines = vec![0; c.program.steps.len()];
    for (func, f) in c.program.functions.iter().enumerate() {
        for &(_, step) in &f.step_marks {
            routines[step as usize] = func as u32;
        }
    }
    c.program.step_routines = routines;
    Ok(c.program)
}

/// Program-wide tables.
pub(crate) struct Compiler<'a> {
    pub program: Program,
    pub subs: HashMap<&'a str, (u32, &'a wf_syntax::ast::Subworkflow)>,
    natives: HashMap<Rc<str>, u32>,
    strings: HashMap<Rc<str>, u32>,
}

impl Compiler<'_> {
    /// The constant index of a value (strings are shared).
    pub fn constant(&mut self, v: Value) -> u32 {
        if let Value::Str(s) = &v {
            if let Some(&i) = self.strings.get(s) {
                return i;
            }
            let i = self.program.consts.len() as u32;
            self.strings.insert(s.clone(), i);
            self.program.consts.push(v);
            return i;
        }
        self.program.consts.push(v);
        (self.program.consts.len() - 1) as u32
    }

    /// The native table index of a pure stdlib function, if the VM implements it.
    pub fn native(&mut self, name: &str) -> Option<u32> {
        if let Some(&i) = self.natives.get(name) {
            return Some(i);
        }
        let f = crate::stdlib::native(name).or_else(|| crate::predicates::native(name))?;
        let i = self.program.natives.len() as u32;
        let name: Rc<str> = Rc::from(name);
        self.program.natives.push((name.clone(), f));
        self.natives.insert(name, i);
        Some(i)
    }

    /// Marks coverage point `point` with an `Op::Cover`, when compiling with coverage.
    pub fn cover(&mut self, e: &mut Emitter, point: crate::coverage::Point) {
        if let Some(coverage) = &mut self.program.coverage {
            let id = coverage.add(point);
            e.emit(Op::Cover(id));
        }
    }

    /// The id of a step, for `Op::Step`.
    pub fn step_id(&mut self, step: &Step) -> u32 {
        self.program.steps.push(Rc::from(step.name.text.as_str()));
        (self.program.steps.len() - 1) as u32
    }
}

/// Emits into one function.
pub(crate) struct Emitter {
    pub f: Function,
    pub span: Span,
}

impl Emitter {
    pub fn emit(&mut self, op: Op) -> usize {
        self.f.code.push(op);
        self.f.spans.push(self.span);
        self.f.code.len() - 1
    }

    pub fn pc(&self) -> u32 {
        self.f.code.len() as u32
    }

    /// Points the jump at `at` to `target`.
    pub fn patch(&mut self, at: usize, target: u32) {
        match &mut self.f.code[at] {
            Op::Jump(t) | Op::JumpIfFalse(t) | Op::AndThen(t) | Op::OrElse(t) => *t = target,
            Op::NextItem { exit, .. } | Op::NextInRange { exit, .. } => *exit = target,
            Op::IntBranch { target: t, .. } => *t = target,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use wf_syntax::{SourceFile, parse_workflow};

    fn errors(yaml: &str) -> usize {
        let checked = wf_check::check(&SourceFile::new("t.yaml", yaml));
        checked.diagnostics.iter().filter(|d| d.severity == wf_syntax::Severity::Error).count()
    }

    fn compiled(yaml: &str) -> Result<super::Program, super::CompileError> {
        let parsed = parse_workflow(&SourceFile::new("t.yaml", yaml));
        super::compile(&parsed.workflow.expect("parses"))
    }

    #[test]
    fn a_jump_the_checker_refuses_is_not_compiled_either() {
        // Out of a `for` body to an outer step: no visible target, in `wf check` and here.
        let yaml = "main:\n  steps:\n    - top:\n        assign: [{x: 1}]\n    - l:\n        for:\n          value: v\n          in: [1]\n          steps:\n            - body:\n                next: top\n";
        assert_eq!(errors(yaml), 1);
        let Err(e) = compiled(yaml) else { panic!("compiled a jump out of a loop body") };
        assert!(e.message.contains("`top`"), "{}", e.message);
    }

    #[test]
    fn a_jump_into_a_plain_nested_block_compiles() {
        let yaml = "main:\n  steps:\n    - a:\n        next: inner\n    - outer:\n        steps:\n          - skipped:\n              assign: [{x: 1}]\n          - inner:\n              assign: [{y: 2}]\n";
        assert_eq!(errors(yaml), 0);
        assert!(compiled(yaml).is_ok());
    }
}

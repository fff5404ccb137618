//! The checker's resolution of `next` targets and variable-scope depths, for the compiler:
//! `wf run` jumps where `wf check` resolved the jump, by the same rules, so the two cannot
//! disagree about which step a `next` reaches.

use wf_syntax::ast::{Step, Subworkflow};

use crate::program::SubIndex;

/// Jump targets and scope depths of one subworkflow's steps.
#[derive(Debug)]
pub struct Resolution<'a> {
    index: SubIndex<'a>,
}

impl<'a> Resolution<'a> {
    /// Resolves every step of `sub`, nested ones included.
    pub fn of(sub: &'a Subworkflow) -> Resolution<'a> {
        Resolution { index: SubIndex::new(sub) }
    }

    /// The step that `next: name` jumps to when written in `from` (its body or one of its
    /// switch conditions); `None` when the checker reports the jump as a mistake (an unknown,
    /// invisible or ambiguous target), or when `from` is not a step of this subworkflow.
    pub fn jump_target(&self, from: &Step, name: &str) -> Option<&'a Step> {
        let block = self.index.steps[self.index.id_of(from)?].block;
        let target = self.index.resolve_jump(block, name).ok()?;
        Some(self.index.steps[target].step)
    }

    /// How many variable scopes (loop bodies and except blocks) enclose `step` within its
    /// fiber; a parallel branch or parallel `for` body starts again at 0. A jump to `step`
    /// leaves the scopes deeper than this.
    pub fn scope_depth(&self, step: &Step) -> u32 {
        self.index.id_of(step).map_or(0, |id| self.index.blocks[self.index.steps[id].block].scope_depth)
    }
}

#[cfg(test)]
mod tests {
    use wf_syntax::{SourceFile, parse_workflow};

    use super::Resolution;

    fn main_of(yaml: &str) -> wf_syntax::ast::Workflow {
        let parsed = parse_workflow(&SourceFile::new("t.yaml", yaml));
        parsed.workflow.expect("parses")
    }

    #[test]
    fn jumps_resolve_to_an_enclosing_list_or_a_plain_nested_block() {
        let wf = main_of(
            "main:\n  steps:\n    - a:\n        next: inner\n    - outer:\n        steps:\n          - inner:\n              for:\n                value: v\n                in: [1]\n                steps:\n                  - body:\n                      next: a\n",
        );
        let sub = &wf.subworkflows[0];
        let r = Resolution::of(sub);
        let a = &sub.steps[0];
        let target = r.jump_target(a, "inner").expect("a plain nested block is visible");
        assert_eq!(target.name.text, "inner");
        assert_eq!(r.scope_depth(target), 0);
        assert!(r.jump_target(a, "body").is_none(), "a loop body is not visible from outside");
        assert!(r.jump_target(a, "nowhere").is_none());
    }

    #[test]
    fn loop_bodies_and_except_blocks_open_scopes_and_branches_start_afresh() {
        let wf = main_of(
            "main:\n  steps:\n    - l:\n        for:\n          value: v\n          in: [1]\n          steps:\n            - t:\n                try:\n                  steps:\n                    - x:\n                        assign: [{y: 1}]\n                except:\n                  as: e\n                  steps:\n                    - h:\n                        assign: [{z: 1}]\n    - p:\n        parallel:\n          branches:\n            - b1:\n                steps:\n                  - q:\n                      assign: [{w: 1}]\n",
        );
        let sub = &wf.subworkflows[0];
        let r = Resolution::of(sub);
        let mut depths = Vec::new();
        visit(&sub.steps, &mut |s| depths.push((s.name.text.clone(), r.scope_depth(s))));
        let expected = [("l", 0), ("t", 1), ("x", 1), ("h", 2), ("p", 0), ("q", 0)];
        let expected: Vec<(String, u32)> = expected.iter().map(|(n, d)| ((*n).to_string(), *d)).collect();
        assert_eq!(depths, expected);
    }

    fn visit<'a>(steps: &'a [wf_syntax::ast::Step], f: &mut impl FnMut(&'a wf_syntax::ast::Step)) {
        use wf_syntax::ast::{ParallelBody, StepKind};
        for s in steps {
            f(s);
            match &s.body.kind {
                StepKind::Steps(inner) => visit(inner, f),
                StepKind::For(l) => visit(&l.steps, f),
                StepKind::Try(t) => {
                    if let StepKind::Steps(inner) = &t.body.kind {
                        visit(inner, f);
                    }
                    if let Some(e) = &t.except {
                        visit(&e.steps, f);
                    }
                }
                StepKind::Parallel(p) => {
                    if let ParallelBody::Branches(bs) = &p.body {
                        for b in bs {
                            visit(&b.steps, f);
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

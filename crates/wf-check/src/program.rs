//! An index of one subworkflow's steps: which list (block) each step is in, how blocks nest,
//! and which jump regions (loop bodies, parallel branches, except blocks) they belong to.
//! `next` targets are resolved here, following GCW's rules for jumping between blocks.

use std::collections::HashMap;

use wf_syntax::ast::{ParallelBody, Step, StepBody, StepKind, Subworkflow};

/// Index of a step in [`SubIndex::steps`].
pub(crate) type StepId = usize;
/// Index of a block in [`SubIndex::blocks`].
pub(crate) type BlockId = usize;
/// Index of a region in [`SubIndex::regions`].
pub(crate) type RegionId = usize;

/// What starts a jump region: `next` may not cross its boundary. (An `except` block is no
/// boundary: GCW's samples jump from one to an outer step.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RegionKind {
    /// The subworkflow's own steps.
    Root,
    /// A `for` body (`parallel` for a parallel `for`).
    Loop { parallel: bool },
    /// A parallel branch.
    Branch,
}

#[derive(Debug)]
pub(crate) struct Region {
    pub kind: RegionKind,
}

#[derive(Debug, Clone)]
pub(crate) struct Block {
    pub parent: Option<BlockId>,
    pub region: RegionId,
    /// The step whose body holds this block (`None` for the subworkflow's own steps).
    pub owner: Option<StepId>,
    /// A plain nested `steps:` block (not a loop body, branch, `try` or `except` block, or a
    /// switch condition's steps): `next` may jump into it.
    pub plain: bool,
    /// How many variable scopes (loop bodies, except blocks) enclose this block within its
    /// fiber: a parallel branch or a parallel `for` body starts again at 0.
    pub scope_depth: u32,
}

#[derive(Debug)]
pub(crate) struct StepRef<'a> {
    pub step: &'a Step,
    pub block: BlockId,
    /// The step before it in the same list.
    pub prev: Option<StepId>,
}

/// Why a `next: NAME` could not be resolved.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum JumpError {
    /// No step has the name.
    Unknown,
    /// Steps have the name, but none is visible from here.
    NotVisible(StepId),
    /// Several visible steps have the name.
    Ambiguous(Vec<StepId>),
}

/// How a block sits in its parent (see [`Block`]).
#[derive(Debug, Clone, Copy)]
struct Nesting {
    plain: bool,
    scope_depth: u32,
}

/// The index of one subworkflow.
#[derive(Debug)]
pub(crate) struct SubIndex<'a> {
    pub steps: Vec<StepRef<'a>>,
    pub blocks: Vec<Block>,
    pub regions: Vec<Region>,
    by_name: HashMap<&'a str, Vec<StepId>>,
    by_address: HashMap<usize, StepId>,
    /// The step being indexed (owner of the blocks found in its body).
    current: Option<StepId>,
}

impl<'a> SubIndex<'a> {
    /// Indexes every step of `sub`, nested ones included.
    pub fn new(sub: &'a Subworkflow) -> SubIndex<'a> {
        let mut index = SubIndex {
            steps: Vec::new(),
            blocks: Vec::new(),
            regions: vec![Region { kind: RegionKind::Root }],
            by_name: HashMap::new(),
            by_address: HashMap::new(),
            current: None,
        };
        index.block(&sub.steps, None, 0, Nesting { plain: false, scope_depth: 0 });
        index
    }

    fn block(&mut self, steps: &'a [Step], parent: Option<BlockId>, region: RegionId, nesting: Nesting) {
        let block = self.blocks.len();
        let owner = parent.and(self.current);
        let Nesting { plain, scope_depth } = nesting;
        self.blocks.push(Block { parent, region, owner, plain, scope_depth });
        let mut prev = None;
        for step in steps {
            let id = self.steps.len();
            self.steps.push(StepRef { step, block, prev });
            self.by_name.entry(step.name.text.as_str()).or_default().push(id);
            self.by_address.insert(std::ptr::from_ref(step) as usize, id);
            let saved = self.current.replace(id);
            self.body(&step.body, block, region, true);
            self.current = saved;
            prev = Some(id);
        }
    }

    fn region(&mut self, kind: RegionKind) -> RegionId {
        self.regions.push(Region { kind });
        self.regions.len() - 1
    }

    /// `step_body`: the body of a step itself (a `steps:` there is a plain block), not of a
    /// switch condition or a `try`.
    fn body(&mut self, body: &'a StepBody, block: BlockId, region: RegionId, step_body: bool) {
        let depth = self.blocks[block].scope_depth;
        let inner_scope = Nesting { plain: false, scope_depth: depth + 1 };
        let new_fiber = Nesting { plain: false, scope_depth: 0 };
        match &body.kind {
            StepKind::Steps(steps) => {
                self.block(steps, Some(block), region, Nesting { plain: step_body, scope_depth: depth })
            }
            StepKind::Switch(cases) => {
                for case in cases {
                    self.body(&case.body, block, region, false);
                }
            }
            StepKind::For(f) => {
                let r = self.region(RegionKind::Loop { parallel: false });
                self.block(&f.steps, Some(block), r, inner_scope);
            }
            StepKind::Parallel(p) => match &p.body {
                ParallelBody::Branches(branches) => {
                    for b in branches {
                        let r = self.region(RegionKind::Branch);
                        self.block(&b.steps, Some(block), r, new_fiber);
                    }
                }
                ParallelBody::For(f) => {
                    let r = self.region(RegionKind::Loop { parallel: true });
                    self.block(&f.steps, Some(block), r, new_fiber);
                }
                ParallelBody::Invalid => {}
            },
            StepKind::Try(t) => {
                self.body(&t.body, block, region, false);
                // Jumping out of an except block is allowed: Google's own samples do it.
                if let Some(except) = &t.except {
                    self.block(&except.steps, Some(block), region, inner_scope);
                }
            }
            StepKind::Assign(_)
            | StepKind::Call(_)
            | StepKind::Raise(_)
            | StepKind::Return(_)
            | StepKind::Nothing
            | StepKind::Invalid => {}
        }
    }

    /// The id of a step of this subworkflow.
    pub fn id_of(&self, step: &Step) -> Option<StepId> {
        self.by_address.get(&(std::ptr::from_ref(step) as usize)).copied()
    }

    /// Steps that share a name within one list: `(first, again)` pairs.
    pub fn duplicates(&self) -> Vec<(StepId, StepId)> {
        // GCW: "Step names must be unique at the subworkflow level", nested steps included.
        let mut out = Vec::new();
        for ids in self.by_name.values() {
            if let Some((&first, rest)) = ids.split_first() {
                out.extend(rest.iter().map(|&b| (first, b)));
            }
        }
        out.sort_unstable();
        out
    }

    /// Every step name, for suggestions.
    pub fn names(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.steps.iter().map(|s| s.step.name.text.as_str())
    }

    /// The steps called `name`.
    pub fn named(&self, name: &str) -> &[StepId] {
        self.by_name.get(name).map_or(&[], Vec::as_slice)
    }

    /// Resolves `next: name` written in a step of `from_block`.
    pub fn resolve_jump(&self, from_block: BlockId, name: &str) -> Result<StepId, JumpError> {
        let candidates = self.named(name);
        let Some(&first) = candidates.first() else { return Err(JumpError::Unknown) };
        let visible: Vec<StepId> =
            candidates.iter().copied().filter(|&s| self.is_visible(from_block, self.steps[s].block)).collect();
        match visible.as_slice() {
            [] => Err(JumpError::NotVisible(first)),
            [one] => Ok(*one),
            many => Err(JumpError::Ambiguous(many.to_vec())),
        }
    }

    /// A step in `target` is visible from `from` when `target` is `from` or encloses it,
    /// without crossing a region boundary.
    fn is_visible(&self, from: BlockId, target: BlockId) -> bool {
        block_visible(&self.blocks, from, target)
    }

    /// The innermost loop that `break`/`continue` in `block` refer to: `Some(parallel)`, or
    /// `None` when there is none (or a parallel branch is in the way).
    pub fn enclosing_loop(&self, block: BlockId) -> Option<bool> {
        match self.regions[self.blocks[block].region].kind {
            RegionKind::Loop { parallel } => Some(parallel),
            RegionKind::Root | RegionKind::Branch => None,
        }
    }
}

/// Whether a step in block `target` is visible from block `from`: `target` is `from` or
/// encloses it, or lies in plain nested `steps:` blocks of such a block (GCW runs a jump
/// into them), without crossing a region boundary.
pub(crate) fn block_visible(blocks: &[Block], from: BlockId, target: BlockId) -> bool {
    let mut t = Some(target);
    while let Some(block) = t {
        if encloses(blocks, from, block) {
            return true;
        }
        if !blocks[block].plain {
            return false;
        }
        t = blocks[block].parent;
    }
    false
}

/// Whether `target` is `from` or encloses it, within `from`'s region.
fn encloses(blocks: &[Block], from: BlockId, target: BlockId) -> bool {
    let Some(region) = blocks.get(from).map(|b| b.region) else { return false };
    let mut b = Some(from);
    while let Some(block) = b {
        if blocks[block].region != region {
            return false;
        }
        if block == target {
            return true;
        }
        b = blocks[block].parent;
    }
    false
}

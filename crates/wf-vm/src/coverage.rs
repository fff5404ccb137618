//! Coverage points: the places the compiler marks when asked to
//! ([`CompileOptions::coverage`](crate::compile::CompileOptions)), and the counters the
//! machine bumps as it passes them.
//!
//! Each point is an [`Op::Cover`](crate::code::Op::Cover) instruction whose operand indexes
//! the program's [`Coverage`] table. A program compiled without coverage has no such
//! instruction and no table, so the normal path costs nothing. The counters live in the
//! program (every machine running it adds to them), so the runs of a suite that share one
//! compiled program add up by themselves.

use std::cell::Cell;

use wf_syntax::Span;

/// What a coverage point marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PointKind {
    /// A subworkflow was entered (the span is its name).
    Entry,
    /// A step began (the span is its name).
    Step,
    /// A switch condition held, so its case ran (the span is the condition).
    Taken,
    /// A switch condition was false, so the switch went on (the span is the condition; a
    /// `condition: true` has no such point).
    Skipped,
    /// A `try` step's retry policy retried after an error (the span is the `retry` value).
    Retry,
    /// A `try` step's `except` block ran (the span is the `except` map).
    Except,
}

/// One coverage point.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// What it marks.
    pub kind: PointKind,
    /// The source it points at (see [`PointKind`]).
    pub span: Span,
    /// The subworkflow (function index) it is in.
    pub function: u32,
    /// The step it belongs to (the step itself, or the switch or `try` step); `None` for an
    /// [`PointKind::Entry`].
    pub step: Option<u32>,
}

/// A program's coverage points and how often each was passed.
#[derive(Debug, Default)]
pub struct Coverage {
    points: Vec<Point>,
    hits: Vec<Cell<u64>>,
}

impl Coverage {
    /// Adds a point; returns its id (the operand of its `Cover` instruction).
    pub(crate) fn add(&mut self, point: Point) -> u32 {
        self.points.push(point);
        self.hits.push(Cell::new(0));
        (self.points.len() - 1) as u32
    }

    /// Counts one pass over point `id`.
    #[inline(always)]
    pub(crate) fn hit(&self, id: u32) {
        if let Some(c) = self.hits.get(id as usize) {
            c.set(c.get().saturating_add(1));
        }
    }

    /// Every point, by id.
    pub fn points(&self) -> &[Point] {
        &self.points
    }

    /// How often each point was passed so far, by id.
    pub fn hits(&self) -> Vec<u64> {
        self.hits.iter().map(Cell::get).collect()
    }
}

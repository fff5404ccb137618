//! Coverage as LCOV tracefile text (`wf-test --coverage-lcov FILE`), which `genhtml`,
//! coverage services and editor plugins read: subworkflows as functions (`FN`/`FNDA`),
//! steps as lines (`DA`, one per line, summed when steps share a line), and switch
//! conditions (taken, skipped), retries and except blocks as branches (`BRDA`; `-` when the
//! step they belong to never ran).

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::coverage::{FileCoverage, PointKind};

/// The LCOV text of `files` (one record per workflow file, with paths as shown).
pub fn write(files: &[FileCoverage]) -> String {
    let mut out = String::new();
    for f in files {
        record(&mut out, f);
    }
    out
}

fn record(out: &mut String, f: &FileCoverage) {
    let _ = writeln!(out, "TN:");
    let _ = writeln!(out, "SF:{}", f.file);
    let functions: Vec<_> = f.of(PointKind::Entry).collect();
    for e in &functions {
        let _ = writeln!(out, "FN:{},{}", e.line, e.name);
    }
    for e in &functions {
        let _ = writeln!(out, "FNDA:{},{}", e.hits, e.name);
    }
    let _ = writeln!(out, "FNF:{}", functions.len());
    let _ = writeln!(out, "FNH:{}", functions.iter().filter(|e| e.hits > 0).count());

    // Branches by line: (line, block, branch, count or `-`).
    let mut branches: Vec<(u32, usize, usize, Option<u64>)> = Vec::new();
    let taken = |hits: u64, reached: u64| (reached > 0).then_some(hits);
    for (block, c) in f.conditions().iter().enumerate() {
        branches.push((c.line, block, 0, taken(c.taken, c.reached)));
        if let Some(skipped) = c.skipped {
            branches.push((c.line, block, 1, taken(skipped, c.reached)));
        }
    }
    let first = f.conditions().len();
    let tries = f.items.iter().filter(|i| matches!(i.kind, PointKind::Retry | PointKind::Except));
    for (n, i) in tries.enumerate() {
        branches.push((i.line, first + n, 0, taken(i.hits, f.reached(i))));
    }
    branches.sort();
    for (line, block, branch, count) in &branches {
        let count = count.map_or_else(|| "-".to_string(), |n| n.to_string());
        let _ = writeln!(out, "BRDA:{line},{block},{branch},{count}");
    }
    let _ = writeln!(out, "BRF:{}", branches.len());
    let _ = writeln!(out, "BRH:{}", branches.iter().filter(|b| b.3.is_some_and(|n| n > 0)).count());

    let mut lines: BTreeMap<u32, u64> = BTreeMap::new();
    for s in f.of(PointKind::Step) {
        *lines.entry(s.line).or_default() += s.hits;
    }
    for (line, hits) in &lines {
        let _ = writeln!(out, "DA:{line},{hits}");
    }
    let _ = writeln!(out, "LF:{}", lines.len());
    let _ = writeln!(out, "LH:{}", lines.values().filter(|&&n| n > 0).count());
    let _ = writeln!(out, "end_of_record");
}

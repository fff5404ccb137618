//! Generated workflows of any size, for benchmarks and load tests.

use std::fmt::Write;

/// One repeated block of steps: assignments with expressions, an HTTP call with a retry
/// policy, a switch, a loop, a subworkflow call and a list append. `{i}` is the block number.
const BLOCK: &str = r#"    - init_{i}:
        assign:
          - counter_{i}: ${default(map.get(args, "n{i}"), 0) + {i}}
          - label_{i}: ${"item-" + string(counter_{i}) + "/" + text.to_upper("x")}
    - fetch_{i}:
        try:
          call: http.get
          args:
            url: ${"https://example.com/items/" + label_{i}}
            timeout: 30
          result: resp_{i}
        retry: ${http.default_retry}
    - check_{i}:
        switch:
          - condition: ${resp_{i}.code != 200 or len(resp_{i}.body.items) == 0}
            next: report_{i}
    - loop_{i}:
        for:
          value: item
          index: k
          in: ${resp_{i}.body.items}
          steps:
            - add_{i}:
                assign:
                  - counter_{i}: ${counter_{i} + item.value * k}
    - report_{i}:
        call: record
        args:
          key: ${label_{i}}
          value: ${counter_{i}}
        result: line_{i}
    - keep_{i}:
        assign:
          - results: ${list.concat(results, line_{i})}
"#;

/// A valid, lint-clean workflow of at least `lines` lines, made of repeated [`BLOCK`]s.
pub fn generated_workflow(lines: usize) -> String {
    let block_lines = BLOCK.lines().count();
    let blocks = lines.saturating_sub(12).div_ceil(block_lines).max(1);
    let mut out = String::with_capacity(blocks * (BLOCK.len() + 40) + 400);
    out.push_str("main:\n  params: [args]\n  steps:\n    - start:\n        assign:\n          - results: []\n");
    for i in 0..blocks {
        out.push_str(&BLOCK.replace("{i}", &i.to_string()));
    }
    let _ = write!(
        out,
        "    - done:\n        return: ${{results}}\nrecord:\n  params: [key, value]\n  steps:\n    - format:\n        return: ${{key + \"=\" + string(value)}}\n"
    );
    out
}

/// One repeated block of eight steps for [`generated_steps`]: an assign step that defines
/// four new variables, a switch whose cases jump forward or run nested steps, two `next`
/// jumps that join, a subworkflow call and a standard-library call. Every variable is read,
/// on every path that reaches the read. `{i}` is the block number, `{callee}` the
/// subworkflow called.
const STEPS_BLOCK: &str = r#"    - init_{i}:
        assign:
          - a_{i}: ${acc + {i}}
          - b_{i}: ${a_{i} * 2}
          - c_{i}: ${"k" + string(b_{i})}
          - d_{i}: ${[a_{i}, b_{i}]}
    - pick_{i}:
        switch:
          - condition: ${a_{i} % 3 == 0}
            next: three_{i}
          - condition: ${a_{i} % 3 == 1}
            steps:
              - one_{i}:
                  assign:
                    - e_{i}: ${len(d_{i}) + b_{i}}
                    - acc: ${acc + e_{i}}
            next: join_{i}
    - two_{i}:
        assign:
          - f_{i}: ${c_{i} + "x"}
          - acc: ${acc + len(f_{i})}
        next: join_{i}
    - three_{i}:
        call: {callee}
        args:
          x: ${b_{i}}
        result: g_{i}
    - use_{i}:
        assign:
          - acc: ${acc + g_{i}}
    - join_{i}:
        assign:
          - h_{i}: ${acc * 2}
    - log_{i}:
        call: sys.log
        args:
          text: ${c_{i} + string(h_{i})}
"#;

/// How many steps a [`STEPS_BLOCK`] holds.
const STEPS_PER_BLOCK: usize = 8;

/// How many subworkflows besides `main` and `leaf` [`generated_steps`] writes.
const PARTS: usize = 3;

/// A valid, lint-clean workflow of at least `steps` steps and about as many distinct
/// variables, made of repeated [`STEPS_BLOCK`]s: `main` holds most blocks and calls the
/// subworkflows `part_0` .. `part_2`, which hold a twentieth of the blocks each and call
/// `leaf`. The size of the largest workflows the checker and the editor must stay bounded
/// on (a 100,000-step workflow is about 5 MB, far past GCW's 128 KB source limit).
pub fn generated_steps(steps: usize) -> String {
    let blocks = steps.saturating_sub(2).div_ceil(STEPS_PER_BLOCK).max(1);
    let per_part = blocks / 20;
    let mut out = String::with_capacity(blocks * (STEPS_BLOCK.len() + 120) + 1000);
    let mut next_block = 0;
    let mut body = |out: &mut String, count: usize, callee: &dyn Fn(usize) -> String| {
        for _ in 0..count {
            let i = next_block;
            next_block += 1;
            out.push_str(&STEPS_BLOCK.replace("{callee}", &callee(i)).replace("{i}", &i.to_string()));
        }
    };
    out.push_str("main:\n  params: [args]\n  steps:\n    - start:\n        assign:\n          - acc: ${len(args)}\n");
    body(&mut out, blocks - PARTS * per_part, &|i| format!("part_{}", i % PARTS));
    out.push_str("    - done:\n        return: ${acc}\n");
    for p in 0..PARTS {
        let _ =
            write!(out, "part_{p}:\n  params: [x]\n  steps:\n    - start:\n        assign:\n          - acc: ${{x}}\n");
        body(&mut out, per_part, &|_| "leaf".to_string());
        out.push_str("    - done:\n        return: ${acc}\n");
    }
    out.push_str("leaf:\n  params: [x]\n  steps:\n    - add:\n        return: ${x + 1}\n");
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn has_at_least_the_steps_asked_for() {
        let text = super::generated_steps(1000);
        let steps = text.lines().filter(|l| l.trim_start().starts_with("- ") && l.trim_end().ends_with(':')).count();
        assert!((1000..1100).contains(&steps), "{steps} steps");
    }

    #[test]
    fn has_at_least_the_lines_asked_for() {
        let text = super::generated_workflow(1000);
        assert!(text.lines().count() >= 1000 && text.lines().count() < 1100);
    }
}

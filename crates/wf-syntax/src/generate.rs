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

#[cfg(test)]
mod tests {
    #[test]
    fn has_at_least_the_lines_asked_for() {
        let text = super::generated_workflow(1000);
        assert!(text.lines().count() >= 1000 && text.lines().count() < 1100);
    }
}

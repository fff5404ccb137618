//! Keeps `grammar/expr.ebnf` in sync with the parser's operator table.

use std::collections::BTreeMap;

use wf_syntax::BinaryOp;

fn grammar() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../grammar/expr.ebnf");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn operator_levels_match_the_parser() {
    let text = grammar();
    let mut documented: BTreeMap<u8, Vec<String>> = BTreeMap::new();
    for line in text.lines() {
        let Some(rest) = line.trim().strip_prefix("level ") else { continue };
        let (level, ops) = rest.split_once(':').expect("`level N: ops`");
        let level: u8 = level.trim().parse().expect("numeric level");
        documented.insert(level, ops.split_whitespace().map(str::to_string).collect());
    }
    let mut implemented: BTreeMap<u8, Vec<String>> = BTreeMap::new();
    for (_, spelling, level) in BinaryOp::ALL {
        implemented.entry(level).or_default().push(spelling.to_string());
    }
    assert_eq!(documented, implemented, "grammar/expr.ebnf's operator table disagrees with BinaryOp::ALL");
    assert!(BinaryOp::PREFIX_LEVEL > *implemented.keys().max().unwrap());
}

#[test]
fn every_operator_appears_in_a_rule() {
    let text = grammar();
    let rules: String = text.lines().filter(|l| l.contains(" = ")).collect::<Vec<_>>().join("\n");
    for (_, spelling, _) in BinaryOp::ALL {
        assert!(rules.contains(&format!("\"{spelling}\"")), "operator `{spelling}` is in no grammar rule");
    }
}

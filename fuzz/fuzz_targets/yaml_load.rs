//! The YAML/JSON loader and the lowering to the workflow AST (`wf_syntax::yaml::load`,
//! `wf_syntax::parse_workflow`), on the input as a `.yaml` and as a `.json` file; and the
//! input as a Terraform template (`wf_syntax::terraform`), every rendering parsed.
//!
//! Oracles: nothing panics; every diagnostic span and every node span is a range of the file
//! on character boundaries; each scalar's offset table (`ScalarOffsets`, which places
//! expression spans in the file) maps every character of the cooked text into the file, in
//! order; a template's diagnostics, moved back from its renderings, are ranges of the
//! template on character boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wf_syntax::yaml::{Node, NodeKind, ScalarOffsets};
use wf_syntax::{SourceFile, terraform};
use wfkit_fuzz::{assert_diagnostics, assert_span, text};

fuzz_target!(|data: &[u8]| {
    let text = text(data);
    for name in ["fuzz.workflows.yaml", "fuzz.workflows.json"] {
        let file = SourceFile::new(name, text.as_ref());
        let (root, diagnostics) = wf_syntax::yaml::load(&file);
        assert_diagnostics(&text, &diagnostics);
        if let Some(root) = &root {
            nodes(&text, root);
        }
        let parsed = wf_syntax::parse_workflow(&file);
        assert_diagnostics(&text, &parsed.diagnostics);
    }
    let template = SourceFile::new("fuzz.yaml.tftpl", text.as_ref());
    let expansion = terraform::expand(&template, &terraform::Vars::new());
    let merged = terraform::merge(&expansion, |rendered| wf_syntax::parse_workflow(rendered).diagnostics);
    assert_diagnostics(&text, &merged);
});

/// Checks the spans of `node` and everything under it.
fn nodes(text: &str, node: &Node) {
    assert_span(text, node.span, node);
    match &node.kind {
        NodeKind::Scalar(scalar) => {
            let offsets = ScalarOffsets::compute(text, node.span, scalar);
            let mut last = 0;
            for (i, _) in scalar.text.char_indices().chain(std::iter::once((scalar.text.len(), ' '))) {
                let at = offsets.get(i);
                assert!(at as usize <= text.len(), "cooked byte {i} of {scalar:?} maps past the end: {at}");
                assert!(at >= last, "cooked byte {i} of {scalar:?} maps before the previous one: {at} < {last}");
                last = at;
            }
        }
        NodeKind::Seq(items) => items.iter().for_each(|n| nodes(text, n)),
        NodeKind::Map(entries) => entries.iter().for_each(|(k, v)| {
            nodes(text, k);
            nodes(text, v);
        }),
    }
}

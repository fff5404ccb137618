//! Property tests of Terraform template expansion: it never panics, and every diagnostic of
//! the template and of its renderings (parsed as workflows) lands inside the template, on
//! character boundaries.

use proptest::prelude::*;
use wf_syntax::terraform::{self, Vars};
use wf_syntax::{SourceFile, Span, parse_workflow};

/// Template-like text: YAML, escapes, placeholders, directives and their pieces.
fn template_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("- a:\n    return: ".to_string()),
        Just("main:\n  steps:\n    - s:\n        assign:\n          - x: ".to_string()),
        Just("$${".to_string()),
        Just("%%{".to_string()),
        Just("${var.x}".to_string()),
        Just("${module.m.o[0]}".to_string()),
        Just("${jsonencode(v)}".to_string()),
        Just("${f(1)}".to_string()),
        Just("%{ if var.c ~}".to_string()),
        Just("%{~ else }".to_string()),
        Just("%{ endif }".to_string()),
        Just("%{ for i, v in var.l }".to_string()),
        Just("%{ endfor ~}".to_string()),
        "[ -~é\n\t{}$%~\"]{0,6}".prop_map(|s| s),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

fn assert_inside(text: &str, span: Span, what: &str) {
    assert!(span.start <= span.end && span.end as usize <= text.len(), "{what}: {span:?} outside {text:?}");
    assert!(
        text.is_char_boundary(span.start as usize) && text.is_char_boundary(span.end as usize),
        "{what}: {span:?} splits a character of {text:?}"
    );
}

proptest! {
    #[test]
    fn expansion_never_panics_and_maps_into_the_template(text in template_text(), given in any::<bool>()) {
        let source = SourceFile::new("t.yaml.tftpl", text.clone());
        let mut vars = Vars::new();
        if given {
            vars.insert("c".into(), serde_json::json!(true));
            vars.insert("l".into(), serde_json::json!(["p", "q"]));
        }
        let expansion = terraform::expand(&source, &vars);
        for d in &expansion.diagnostics {
            assert_inside(&text, d.span, "template diagnostic");
        }
        let merged = terraform::merge(&expansion, |rendered| parse_workflow(rendered).diagnostics);
        for d in &merged {
            assert_inside(&text, d.span, d.code);
            for l in &d.labels {
                assert_inside(&text, l.span, d.code);
            }
        }
        for r in &expansion.renderings {
            let rendered = &r.file.text;
            let boundary = |mut o: usize| { while !rendered.is_char_boundary(o) { o -= 1; } o as u32 };
            let len = rendered.len();
            for (s, e) in [(0, len), (len / 2, len), (0, len / 3)] {
                assert_inside(&text, r.to_template(Span::new(boundary(s), boundary(e))), "rendered span");
            }
        }
    }
}

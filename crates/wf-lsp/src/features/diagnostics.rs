//! What editors show beside each diagnostic of `wf_check::check`: tags (unnecessary code is
//! faded) and a link to the code's documentation.

use wf_check::codes;
use wf_syntax::Diagnostic;

use super::Doc;

/// A tag for how an editor may show a diagnostic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    /// Code that does nothing: unreachable steps, unused values, redundant `next`.
    Unnecessary,
    /// Something deprecated (no current code uses it).
    Deprecated,
}

/// Where `docs/diagnostics.md` is published, when the build says so (`WFKIT_DOCS_URL`, for
/// example `https://host/wfkit/blob/main/docs/diagnostics.md`). Without it diagnostics carry
/// no link; hovering a diagnostic shows the same text.
pub const DOCS_URL: Option<&str> = option_env!("WFKIT_DOCS_URL");

/// The diagnostics to show for a document: none for files that are not workflows (editors
/// open every YAML and JSON file; the CLI skips those too).
pub fn diagnostics(doc: &Doc) -> &[Diagnostic] {
    if doc.checked().parsed.is_not_a_workflow() { &[] } else { &doc.checked().diagnostics }
}

/// The tags of a code.
pub fn tags(code: &str) -> Vec<Tag> {
    match code {
        codes::UNREACHABLE | codes::UNUSED_VARIABLE | codes::REDUNDANT_NEXT => vec![Tag::Unnecessary],
        _ => Vec::new(),
    }
}

/// The link to a code's documentation (`.../diagnostics.md#wf207-undefined-variable`).
pub fn doc_url(code: &str) -> Option<String> {
    doc_url_in(DOCS_URL?, code)
}

fn doc_url_in(base: &str, code: &str) -> Option<String> {
    let info = codes::lookup(code)?;
    Some(format!("{base}#{}-{}", info.code.to_lowercase(), info.name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_and_tags() {
        let url = doc_url_in("https://example.com/docs/diagnostics.md", "WF207");
        assert_eq!(url.as_deref(), Some("https://example.com/docs/diagnostics.md#wf207-undefined-variable"));
        assert_eq!(doc_url_in("https://example.com/d.md", "WF999"), None);
        assert_eq!(tags("WF401"), vec![Tag::Unnecessary]);
        assert!(tags("WF207").is_empty());
        let doc = Doc::new("compose.yaml", "services:\n  web:\n    image: x\n");
        assert!(diagnostics(&doc).is_empty(), "not a workflow: nothing to show");
    }

    #[test]
    fn templates_are_checked_in_every_rendering_at_template_spans() {
        let text = "- a:\n    assign:\n      - x: ${var.x}\n%{ if var.on }\n- b:\n    return: $${y}\n%{ endif }\n";
        let doc = Doc::new("file:///w.yaml.tftpl", text);
        let d = diagnostics(&doc);
        assert_eq!(d.iter().map(|d| d.code).collect::<Vec<_>>(), ["WF401", "WF207"], "{d:?}");
        assert_eq!(&text[d[1].span.range()], "y");
        assert!(!doc.is_workflow(), "the features that read the tree stay off");
        let shell = Doc::new("file:///init.sh.tftpl", "#!/bin/sh\necho ${name}\n");
        assert!(diagnostics(&shell).is_empty(), "a template that is not a workflow: nothing to show");
    }
}

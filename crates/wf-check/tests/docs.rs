//! `docs/diagnostics.md` is generated from the code registry; this test keeps it in sync.
//! After changing a code, run `UPDATE_DOCS=1 cargo test -p wf-check --test docs`.

fn render() -> String {
    let mut out = String::from(
        "# Diagnostic codes\n\nGenerated from the registry in `crates/wf-syntax/src/codes.rs` and \
         `crates/wf-check/src/codes.rs` (do not edit by hand; see `crates/wf-check/tests/docs.rs`). \
         `wf explain CODE` prints the same text. Silence a code on one line with `# wf-ignore: CODE` \
         (on the line or the line above), in a file with `# wf-ignore-file: CODE`, or everywhere \
         with `wf check --allow CODE`.\n",
    );
    let groups = [
        ("WF1", "Syntax and structure"),
        ("WF2", "Names and control flow"),
        ("WF3", "Types and the standard library"),
        ("WF4", "Lints (warnings)"),
    ];
    for (prefix, title) in groups {
        out.push_str(&format!("\n## {title}\n"));
        for c in wf_check::codes::all_codes().filter(|c| c.code.starts_with(prefix)) {
            out.push_str(&format!("\n### {} `{}`\n\n**{}.** {}\n", c.code, c.name, c.title, c.doc));
        }
    }
    out
}

#[test]
fn diagnostics_doc_is_up_to_date() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/diagnostics.md");
    let expected = render();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &expected).expect("docs/diagnostics.md is writable");
        return;
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(actual == expected, "docs/diagnostics.md is stale: run `UPDATE_DOCS=1 cargo test -p wf-check --test docs`");
}

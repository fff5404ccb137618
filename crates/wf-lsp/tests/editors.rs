//! The editor integrations stay in step with the code: the TextMate grammar names the
//! standard-library modules and helpers and the expression keywords; the VS Code extension
//! ships that grammar and has its settings, scripts and lock file; the Neovim setup exists.
//! (Building the extension needs npm: `scripts/package-vscode.sh`.)

use std::path::{Path, PathBuf};

use serde_json::Value;
use wf_check::stdlib;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn json(path: &str) -> Value {
    let text = std::fs::read_to_string(repo().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The words of a `\b(?:a|b|c)\b` alternation in a grammar rule.
fn words(rule: &Value) -> Vec<String> {
    let pattern = rule["match"].as_str().expect("a match pattern");
    let inner = &pattern[pattern.find("(?:").expect("a group") + 3..pattern.find(')').expect("a group end")];
    let mut words: Vec<String> = inner.split('|').map(str::to_string).collect();
    words.sort();
    words
}

#[test]
fn the_grammar_knows_the_standard_library() {
    let grammar = json("grammar/wfkit-expression.tmLanguage.json");
    let repo = &grammar["repository"];
    let mut modules: Vec<String> =
        stdlib::modules().iter().filter(|m| !m.contains('.')).map(|m| m.to_string()).collect();
    modules.sort();
    assert_eq!(words(&repo["module"]), modules, "grammar `module` rule vs the stdlib table");
    let mut helpers: Vec<String> = stdlib::helpers().map(|f| f.name.to_string()).collect();
    helpers.sort();
    assert_eq!(words(&repo["helper"]), helpers, "grammar `helper` rule vs the stdlib table");
    let keywords = words(&repo["keyword"]);
    for (op, spelling, _) in wf_syntax::BinaryOp::ALL {
        if spelling.chars().all(|c| c.is_ascii_alphabetic()) {
            assert!(keywords.iter().any(|k| k == spelling), "{op:?} `{spelling}` is not highlighted");
        }
    }
    assert!(keywords.iter().any(|k| k == "not"));
}

#[test]
fn the_vscode_extension_ships_the_grammar_and_its_settings() {
    let grammar = json("grammar/wfkit-expression.tmLanguage.json");
    let package = json("editors/vscode/package.json");
    let contributed = &package["contributes"]["grammars"][0];
    assert_eq!(contributed["scopeName"], grammar["scopeName"]);
    let path = contributed["path"].as_str().expect("a grammar path");
    let file = Path::new(path).file_name().expect("a file name");
    assert!(repo().join("grammar").join(file).is_file(), "the extension copies {path} from grammar/");
    assert_eq!(contributed["injectTo"], serde_json::json!(["source.yaml", "source.json"]));
    let settings = &package["contributes"]["configuration"]["properties"];
    for key in ["wfkit.server.path", "wfkit.server.args", "wfkit.files", "wfkit.trace.server"] {
        assert!(settings[key].is_object(), "setting {key}");
    }
    assert!(package["scripts"]["package"].as_str().is_some_and(|s| s.starts_with("vsce package")));
    assert!(package["devDependencies"]["@vscode/vsce"].is_string());
    assert!(package["dependencies"]["vscode-languageclient"].is_string());
    let lock = json("editors/vscode/package-lock.json");
    assert_eq!(lock["name"], package["name"], "package-lock.json belongs to package.json");
    assert!(lock["packages"]["node_modules/@vscode/vsce"].is_object(), "the lock pins @vscode/vsce for `npm ci`");
}

#[test]
fn the_neovim_setup_and_its_test_exist() {
    for path in ["editors/nvim/lua/wfkit/init.lua", "editors/nvim/README.md", "editors/nvim/test/run.sh"] {
        assert!(repo().join(path).is_file(), "{path}");
    }
    let lua = std::fs::read_to_string(repo().join("editors/nvim/lua/wfkit/init.lua")).expect("init.lua");
    assert!(lua.contains("vim.lsp.start_client") && lua.contains("vim.lsp.buf_attach_client"), "Neovim 0.7 API");
}

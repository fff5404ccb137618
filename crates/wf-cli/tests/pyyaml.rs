//! wfkit's YAML loader agrees with PyYAML, the reference of the libyaml family GCW's own
//! loader belongs to: on every file of the `../shared/corpus` and on generated mixes of flow
//! collections inside block collections (the shapes a strict YAML 1.2 parser rejects), both
//! accept or both reject, and what they accept is the same data. The differences wfkit makes
//! on purpose are the ones `docs/semantics.md` lists ("Where wfkit reads YAML differently
//! from PyYAML"); `deliberate` and `deliberately_rejected` below name each of them.
//!
//! PyYAML is found as `$WFKIT_PYYAML_PYTHON` (only there, when set), else the virtual
//! environment `scripts/install-test-deps.sh` makes in `target/test-tools/pyyaml-venv`,
//! else `python3`. Without it the test prints `SKIPPED` (and fails when `CI=true`).

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use wf_syntax::yaml::{Node, NodeKind, ScalarKind, load};
use wf_syntax::{Severity, SourceFile, codes};

/// Reads each file named on stdin (one per line) with `yaml.compose` and prints one JSON
/// line per file: the node tree with PyYAML's resolved tags, or the error and its place.
const DUMP: &str = r#"
import json, sys, yaml
loader = yaml.SafeLoader("")
def tree(n, depth=0):
    if depth > 60:
        return {"deep": depth}  # two JSON levels a node: past 60 the JSON reader gives up
    if isinstance(n, yaml.ScalarNode):
        tag = n.tag.rsplit(":", 1)[-1]
        val = None
        if tag in ("int", "float", "bool"):
            v = loader.construct_object(n)
            val = repr(v) if tag == "float" else str(v).lower()
        return {"tag": tag, "text": n.value, "val": val}
    if isinstance(n, yaml.SequenceNode):
        return {"seq": [tree(c, depth + 1) for c in n.value]}
    return {"map": [[tree(k, depth + 1), tree(v, depth + 1)] for k, v in n.value]}
for path in sys.stdin.read().splitlines():
    try:
        with open(path, encoding="utf-8") as f:
            node = yaml.compose(f.read(), Loader=yaml.SafeLoader)
        out = {"ok": None if node is None else tree(node)}
    except (yaml.YAMLError, RecursionError) as e:
        mark = getattr(e, "problem_mark", None)
        out = {"error": str(e).splitlines()[0], "line": mark.line + 1 if mark else 0}
    print(json.dumps(out))
"#;

/// The Python interpreter with PyYAML, or `None` (after saying SKIPPED).
fn pyyaml() -> Option<PathBuf> {
    let has_yaml =
        |python: &Path| Command::new(python).args(["-c", "import yaml"]).output().is_ok_and(|o| o.status.success());
    if let Some(python) = std::env::var_os("WFKIT_PYYAML_PYTHON") {
        let python = PathBuf::from(python);
        if has_yaml(&python) {
            return Some(python);
        }
        common::skip(&format!("WFKIT_PYYAML_PYTHON={} cannot import yaml (PyYAML)", python.display()));
        return None;
    }
    let venv = common::repo().join("target/test-tools/pyyaml-venv/bin/python");
    for python in [venv, PathBuf::from("python3")] {
        if has_yaml(&python) {
            return Some(python);
        }
    }
    common::skip("PyYAML not found: run scripts/install-test-deps.sh, or set WFKIT_PYYAML_PYTHON");
    None
}

/// PyYAML's reading of each file.
fn pyyaml_read(python: &Path, files: &[PathBuf]) -> Vec<Value> {
    let mut child = Command::new(python)
        .args(["-c", DUMP])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python starts");
    let list: String = files.iter().map(|f| format!("{}\n", f.display())).collect();
    child.stdin.take().expect("stdin").write_all(list.as_bytes()).expect("file list written");
    let out = child.wait_with_output().expect("python runs");
    assert!(out.status.success(), "the PyYAML script failed");
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON line per file"))
        .collect();
    assert_eq!(lines.len(), files.len(), "one answer per file");
    lines
}

/// How wfkit's loader reads a file: the tree, or its errors as `code line:col message`.
fn wfkit_read(path: &Path) -> Result<Option<Node>, String> {
    let text = std::fs::read_to_string(path).expect("UTF-8");
    let file = SourceFile::new(path.display().to_string(), text);
    let (root, diags) = load(&file);
    let errors: Vec<String> = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| {
            let at = file.lines().line_col(&file.text, d.span.start);
            format!("{} {}:{} {}", d.code, at.line, at.column, d.message)
        })
        .collect();
    if errors.is_empty() { Ok(root) } else { Err(errors.join("; ")) }
}

/// wfkit rejects, on purpose, what PyYAML accepts: duplicate keys, tags, non-string keys
/// and alias limits, nesting past 128 levels, integers past 64 bits.
fn deliberately_rejected(errors: &str) -> bool {
    errors.split("; ").all(|e| {
        [codes::DUPLICATE_KEY, codes::YAML_UNSUPPORTED, codes::TOO_DEEP, codes::INT_OUT_OF_RANGE]
            .iter()
            .any(|c| e.starts_with(c))
    })
}

/// A difference in how one plain scalar resolves that wfkit makes on purpose: wfkit uses
/// the YAML 1.2 core schema (GCW's documented spellings), PyYAML YAML 1.1's.
fn deliberate(pyyaml_tag: &str, ours: &str, text: &str) -> Option<&'static str> {
    let unsigned = text.trim_start_matches(['-', '+']);
    let octal_11 =
        unsigned.len() > 1 && unsigned.starts_with('0') && unsigned.bytes().all(|b| (b'0'..=b'7').contains(&b));
    match (pyyaml_tag, ours) {
        ("bool", "str") if matches!(text.to_ascii_lowercase().as_str(), "yes" | "no" | "on" | "off") => {
            Some("YAML 1.1 booleans yes/no/on/off are strings")
        }
        ("int" | "float", "str") if text.contains('_') || text.contains(':') || unsigned.starts_with("0b") => {
            Some("YAML 1.1 numbers with `_`, `:` (base 60) or `0b` are strings")
        }
        ("int", "int") if octal_11 => Some("a leading zero is decimal, not YAML 1.1 octal"),
        ("str", "int") if unsigned.starts_with("0o") => Some("`0o` octal (YAML 1.2) is an integer"),
        ("str", "float") if text.contains(['e', 'E']) || text.starts_with(['-', '+']) => {
            Some("exponents without a dot or a sign, and signs before `.5`, make doubles")
        }
        ("timestamp", "str") => Some("dates and times are strings"),
        ("merge", "str") => Some("`<<` is an ordinary key, not a merge"),
        ("value", "str") => Some("`=` is an ordinary string"),
        _ => None,
    }
}

fn our_tag(kind: ScalarKind) -> (&'static str, Option<String>) {
    match kind {
        ScalarKind::Null => ("null", None),
        ScalarKind::Bool(b) => ("bool", Some(b.to_string())),
        ScalarKind::Int(n) => ("int", Some(n.to_string())),
        ScalarKind::Double(x) => ("float", Some(x.to_string())),
        ScalarKind::Str => ("str", None),
    }
}

/// Compares PyYAML's tree with ours; the first difference, with its path, or `None`.
fn compare(py: &Value, ours: &Node, path: &str, deliberate_seen: &mut Vec<&'static str>) -> Option<String> {
    let differ = |what: String| Some(format!("at {path}: {what}"));
    match (&ours.kind, py) {
        (NodeKind::Scalar(s), Value::Object(o)) if o.contains_key("tag") => {
            let tag = o["tag"].as_str().unwrap_or("");
            let text = o["text"].as_str().unwrap_or("");
            if s.text != text {
                return differ(format!("text {:?} (wfkit) vs {text:?} (PyYAML)", s.text));
            }
            let (ours_tag, ours_val) = our_tag(s.kind);
            let same_value = match (o["val"].as_str(), &ours_val) {
                (Some(v), Some(w)) if tag == "float" => v
                    .parse::<f64>()
                    .ok()
                    .zip(w.parse::<f64>().ok())
                    .is_some_and(|(a, b)| a == b || (a.is_nan() && b.is_nan())),
                (v, w) => v == w.as_deref(),
            };
            if tag == ours_tag && same_value {
                return None;
            }
            match deliberate(tag, ours_tag, text) {
                Some(why) => {
                    deliberate_seen.push(why);
                    None
                }
                None => differ(format!("{text:?} is {ours_tag} {ours_val:?} (wfkit) vs {tag} {:?} (PyYAML)", o["val"])),
            }
        }
        (NodeKind::Seq(items), Value::Object(o)) if o.contains_key("seq") => {
            let py_items = o["seq"].as_array().map_or(&[][..], Vec::as_slice);
            if items.len() != py_items.len() {
                return differ(format!("{} items (wfkit) vs {} (PyYAML)", items.len(), py_items.len()));
            }
            items
                .iter()
                .zip(py_items)
                .enumerate()
                .find_map(|(i, (n, p))| compare(p, n, &format!("{path}[{i}]"), deliberate_seen))
        }
        (NodeKind::Map(entries), Value::Object(o)) if o.contains_key("map") => {
            let py_entries = o["map"].as_array().map_or(&[][..], Vec::as_slice);
            if entries.len() != py_entries.len() {
                return differ(format!("{} entries (wfkit) vs {} (PyYAML)", entries.len(), py_entries.len()));
            }
            entries.iter().zip(py_entries).enumerate().find_map(|(i, ((k, v), p))| {
                let here = format!("{path}.{}", k.key_text().unwrap_or("?"));
                compare(&p[0], k, &format!("{path}.<key {i}>"), deliberate_seen)
                    .or_else(|| compare(&p[1], v, &here, deliberate_seen))
            })
        }
        _ => differ(format!("wfkit has {}, PyYAML {py}", ours.describe())),
    }
}

/// What loading files both ways found.
#[derive(Default)]
struct Agreement {
    /// Each file on which they disagree, and how.
    differences: Vec<String>,
    /// The deliberate differences met (see `deliberate`).
    deliberate: Vec<&'static str>,
    /// How many files both accept, and how many both reject.
    accepted: usize,
    rejected: usize,
}

/// Loads every file both ways.
fn agreement(python: &Path, files: &[PathBuf]) -> Agreement {
    let mut a = Agreement::default();
    for (file, py) in files.iter().zip(pyyaml_read(python, files)) {
        let name = file.display();
        match (wfkit_read(file), py.get("ok")) {
            (Ok(Some(node)), Some(tree)) if !tree.is_null() => match compare(tree, &node, "$", &mut a.deliberate) {
                Some(d) => a.differences.push(format!("{name}: {d}")),
                None => a.accepted += 1,
            },
            (Ok(None), Some(Value::Null)) => a.accepted += 1,
            (Err(_), None) => a.rejected += 1,
            (Err(errors), Some(_)) if deliberately_rejected(&errors) => {}
            (Err(errors), Some(_)) => a.differences.push(format!("{name}: wfkit rejects ({errors}), PyYAML accepts")),
            (Ok(_), None) => a.differences.push(format!("{name}: wfkit accepts, PyYAML rejects ({py})")),
            (Ok(root), Some(tree)) => a.differences.push(format!("{name}: wfkit reads {root:?}, PyYAML {tree}")),
        }
    }
    a
}

#[test]
fn the_loader_agrees_with_pyyaml_on_the_corpus() {
    let Some(python) = pyyaml() else { return };
    let dir = common::shared().join("corpus");
    if !dir.is_dir() {
        common::skip(&format!("{} does not exist; the corpus part did not run", dir.display()));
        return;
    }
    let mut files = Vec::new();
    wf_syntax::files::walk(&dir, &wf_syntax::files::has_workflow_extension, &mut files).expect("corpus is readable");
    assert!(files.len() >= 260, "expected the whole corpus, found {} files", files.len());
    let a = agreement(&python, &files);
    assert!(a.differences.is_empty(), "wfkit and PyYAML disagree:\n{}", a.differences.join("\n"));
    eprintln!("corpus: {} files read alike; deliberate differences met: {:?}", a.accepted, a.deliberate);
}

#[test]
fn the_loader_agrees_with_pyyaml_on_flow_collections_in_blocks() {
    let Some(python) = pyyaml() else { return };
    let dir = std::env::temp_dir().join(format!("wfkit-pyyaml-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let files: Vec<PathBuf> = flow_variants()
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let path = dir.join(format!("v{i:04}.yaml"));
            std::fs::write(&path, text).expect("variant written");
            path
        })
        .collect();
    let a = agreement(&python, &files);
    let shown: Vec<String> = a
        .differences
        .iter()
        .take(20)
        .map(|d| {
            let file = d.split(": ").next().unwrap_or("");
            format!("{d}\n---\n{}---", std::fs::read_to_string(file).unwrap_or_default())
        })
        .collect();
    std::fs::remove_dir_all(&dir).ok();
    assert!(
        a.differences.is_empty(),
        "wfkit and PyYAML disagree on {} of {} variants:\n{}",
        a.differences.len(),
        files.len(),
        shown.join("\n")
    );
    eprintln!("flow variants: {} accepted by both, {} rejected by both", a.accepted, a.rejected);
    assert!(a.deliberate.is_empty(), "the variants hold no YAML 1.1 scalars: {:?}", a.deliberate);
    assert!(
        a.accepted > 1000 && a.rejected > 200,
        "both kinds of variant: {} accepted, {} rejected",
        a.accepted,
        a.rejected
    );
}

/// Each deliberate difference of `docs/semantics.md` shows, and is the only difference.
#[test]
fn the_deliberate_differences_are_the_documented_ones() {
    let Some(python) = pyyaml() else { return };
    let dir = std::env::temp_dir().join(format!("wfkit-pyyaml-deliberate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let scalars = "[yes, No, on, OFF, 1_000, 1:30, 0b101, 012, 0o17, 1e3, 1.5e3, -.5, 2001-12-14, =]\n";
    let deep = format!("{}1{}\n", "[".repeat(130), "]".repeat(130));
    let rejected = ["a: 1\na: 2\n", "a: !!str 1\n", "a: 99999999999999999999\n", "{[1]: 2}\n", deep.as_str()];
    let mut files = vec![dir.join("scalars.yaml"), dir.join("merge.yaml")];
    std::fs::write(&files[0], scalars).expect("written");
    std::fs::write(&files[1], "base: &b {x: 1}\nm:\n  <<: *b\n").expect("written");
    for (i, text) in rejected.iter().enumerate() {
        files.push(dir.join(format!("rejected{i}.yaml")));
        std::fs::write(&files[i + 2], text).expect("written");
    }
    let a = agreement(&python, &files);
    let rejected_by_wfkit = files[2..].iter().all(|f| wfkit_read(f).is_err());
    std::fs::remove_dir_all(&dir).ok();
    assert!(a.differences.is_empty(), "{:?}", a.differences);
    assert!(
        rejected_by_wfkit,
        "duplicate keys, tags, huge integers, non-string keys and deep nesting are rejected on purpose"
    );
    assert_eq!(a.accepted, 2, "the YAML 1.1 files are read alike, but for the deliberate differences");
    let mut seen = a.deliberate.clone();
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len(), 8, "every deliberate scalar difference shows: {seen:?}");
}

/// The other differences `docs/semantics.md` lists, each as the disagreement it is.
#[test]
fn the_listed_scanner_differences_hold() {
    let Some(python) = pyyaml() else { return };
    let dir = std::env::temp_dir().join(format!("wfkit-pyyaml-scanner-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let cases = [
        // Tabs as separation (libyaml and Go's yaml accept them; pure-Python PyYAML does not).
        ("a: 1\t\nb: 2\n", "wfkit accepts, PyYAML rejects"),
        ("a: [1,\t2]\n", "wfkit accepts, PyYAML rejects"),
        // NEL is a line break in YAML 1.1 only.
        ("k: \u{85}x\n", "wfkit accepts, PyYAML rejects"),
        // `\u` escapes of UTF-16 surrogates: libyaml and Go's yaml reject them too.
        ("a: \"\\ud83d\\ude00\"\n", "wfkit rejects (WF101"),
    ];
    let files: Vec<PathBuf> = cases
        .iter()
        .enumerate()
        .map(|(i, (text, _))| {
            let path = dir.join(format!("case{i}.yaml"));
            std::fs::write(&path, text).expect("written");
            path
        })
        .collect();
    // And what they agree on since `yaml::relax` took it over: a comment right after a
    // quoted scalar or a bracket, with no space before `#`.
    let alike = dir.join("alike.yaml");
    std::fs::write(&alike, "a: \"q\"#x\nb: [1, 'z']#y\nc: {d: 1}#z\n").expect("written");
    let same = agreement(&python, std::slice::from_ref(&alike));
    let a = agreement(&python, &files);
    std::fs::remove_dir_all(&dir).ok();
    assert!(same.differences.is_empty() && same.accepted == 1, "{:?}", same.differences);
    assert_eq!(a.differences.len(), cases.len(), "{:?}", a.differences);
    for ((text, expected), difference) in cases.iter().zip(&a.differences) {
        assert!(difference.contains(expected), "{text:?}: expected {expected:?}, got {difference}");
    }
}

#[test]
fn the_agreement_test_skips_without_pyyaml_but_not_on_ci() {
    if std::env::var_os("WFKIT_PYYAML_PYTHON").is_some() {
        return; // Already a child run.
    }
    common::assert_skips_but_not_on_ci(
        "the_loader_agrees_with_pyyaml_on_flow_collections_in_blocks",
        &[("WFKIT_PYYAML_PYTHON", "/nonexistent/python3")],
    );
}

/// Where a flow collection sits: the lines before it, the text before the bracket on its
/// line, the key's column, and what follows the collection at the key's level.
struct Context {
    before: &'static str,
    lead: &'static str,
    after: &'static str,
}

const CONTEXTS: &[Context] = &[
    Context { before: "", lead: "key: ", after: "next: 1\n" },
    Context { before: "outer:\n", lead: "  key: ", after: "  next: 1\n" },
    Context { before: "", lead: "- key: ", after: "  next: 1\n- 2\n" },
    Context {
        before: "main:\n  steps:\n    - init:\n        assign:\n",
        lead: "          - request_body: ",
        after: "          - other: |\n              text\n",
    },
    Context { before: "items:\n", lead: "  - ", after: "  - last\n" },
    Context { before: "items:\n", lead: "  - ", after: "  - {\n  \"z\": [\n  1]\n  }\n" },
    Context { before: "- a: 1\n", lead: "  key: ", after: "  next: [1]\n" },
    Context { before: "", lead: "- - key: ", after: "    next: 1\n" },
    Context { before: "", lead: "- key: &k ", after: "  again: *k\n" },
];

/// Every layout of a flow collection over several lines, in every [`CONTEXTS`] entry.
fn flow_variants() -> Vec<String> {
    let mut out = Vec::new();
    for context in CONTEXTS {
        let key_col = context.lead.len() - context.lead.trim_start_matches([' ', '-']).len();
        for (open, close, items) in [
            ("[", "]", &["1", "\"two\"", "{\"x\": [3, 4]}", "'it''s'", "plain text"][..]),
            ("{", "}", &["\"a\": 1", "b: \"two\"", "\"c\": {\"d\": [5]}", "e: [x, y]", "f: plain"][..]),
        ] {
            for offset in [-12isize, -2, -1, 0, 1, 2, 4] {
                let col = (key_col as isize + offset).max(0) as usize;
                let pad = " ".repeat(col);
                for closing in [Closing::Inline, Closing::Alone(-2), Closing::Alone(0), Closing::Alone(2)] {
                    for extra in EXTRAS {
                        let mut text = format!("{}{}{open}\n", context.before, context.lead);
                        let mut lines: Vec<String> = items.iter().map(|i| format!("{pad}{i}")).collect();
                        match extra {
                            Extra::None => {}
                            Extra::Comment => lines.insert(1, "# a comment at column 0".to_string()),
                            Extra::MultiLineScalar => {
                                let key = if open == "{" { "\"m\": " } else { "" };
                                lines.push(format!("{pad}{key}\"first\n{pad}second\""));
                            }
                            Extra::NestedOpen => {
                                let key = if open == "{" { "\"n\": " } else { "" };
                                let inner = " ".repeat(col.saturating_sub(2));
                                lines.push(format!("{pad}{key}[\n{inner}7,\n{inner}8\n{inner}]"));
                            }
                            Extra::MissingComma => {
                                let merged = format!("{} {}", lines[1], lines[2].trim_start());
                                lines.splice(1..3, [merged]);
                            }
                            Extra::TrailingComma | Extra::Unclosed => {}
                        }
                        let n = lines.len();
                        for (i, line) in lines.iter().enumerate() {
                            let comment = line.starts_with('#');
                            let last = i + 1 == n;
                            let comma =
                                if comment || (last && !matches!(extra, Extra::TrailingComma)) { "" } else { "," };
                            text.push_str(line);
                            text.push_str(comma);
                            if !(last && matches!(closing, Closing::Inline)) {
                                text.push('\n');
                            }
                        }
                        let close = if matches!(extra, Extra::Unclosed) { "" } else { close };
                        match closing {
                            Closing::Inline => text.push_str(&format!("{close}\n")),
                            Closing::Alone(d) => {
                                let at = (key_col as isize + d).max(0) as usize;
                                text.push_str(&format!("{}{close}\n", " ".repeat(at)));
                            }
                        }
                        text.push_str(context.after);
                        out.push(text);
                    }
                }
            }
        }
    }
    out
}

#[derive(Clone, Copy)]
enum Closing {
    /// At the end of the last item's line.
    Inline,
    /// Alone on a line, this many columns right of the key (left when negative).
    Alone(isize),
}

/// What else a variant's collection holds; the last two make invalid YAML, which both
/// loaders must reject.
#[derive(Clone, Copy)]
enum Extra {
    None,
    Comment,
    MultiLineScalar,
    TrailingComma,
    NestedOpen,
    MissingComma,
    Unclosed,
}

const EXTRAS: [Extra; 7] = [
    Extra::None,
    Extra::Comment,
    Extra::MultiLineScalar,
    Extra::TrailingComma,
    Extra::NestedOpen,
    Extra::MissingComma,
    Extra::Unclosed,
];

//! Property tests: the front end never panics, every diagnostic span is a valid range of its
//! file, and printing a parsed expression gives text that parses to the same tree.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use wf_syntax::expr::parse_expression;
use wf_syntax::{BinaryOp, Expr, ExprKind, SourceFile, Span, UnaryOp, parse_workflow};

/// Parses `text` under `name` and checks the invariants that must hold for any input.
fn check_invariants(name: &str, text: &str) {
    let file = SourceFile::new(name, text);
    let parsed = parse_workflow(&file);
    for d in &parsed.diagnostics {
        let spans = std::iter::once(d.span).chain(d.labels.iter().map(|l| l.span));
        for span in spans {
            assert!(
                span.start <= span.end && span.end as usize <= text.len(),
                "{span:?} out of bounds in {text:?}: {d:?}"
            );
            assert!(
                text.is_char_boundary(span.start as usize) && text.is_char_boundary(span.end as usize),
                "{span:?} splits a character in {text:?}: {d:?}"
            );
        }
        assert!(!d.message.is_empty());
    }
}

fn seed_files() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut dirs: Vec<PathBuf> = vec![root.join("tests/syntax/ok"), root.join("tests/syntax/err")];
    let corpus = root.join("../shared/corpus/workflows-samples/src");
    if corpus.is_dir() {
        dirs.push(corpus);
    } else {
        eprintln!("note: ../shared/corpus is absent; mutating the repository's fixtures only");
    }
    let mut files = Vec::new();
    for dir in dirs {
        let mut entries: Vec<_> = std::fs::read_dir(&dir).expect("seed dir").flatten().map(|e| e.path()).collect();
        entries.sort();
        for path in entries.into_iter().filter(|p| p.is_file()) {
            if let Ok(text) = std::fs::read_to_string(&path) {
                files.push((path.file_name().unwrap().to_string_lossy().into_owned(), text));
            }
        }
    }
    files
}

/// Text built from the characters that matter to YAML, JSON and expressions.
fn yamlish() -> impl Strategy<Value = String> {
    proptest::string::string_regex(
        r#"([ \n\t:\-\[\]{},"'$#&*!|>a-z0-9.+()=<é]|\$\{|main|steps|assign|next|call|args|- |: ){0,120}"#,
    )
    .expect("valid regex")
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize, usize),
    Insert(usize, String),
    DuplicateLine(usize),
    SwapLines(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0usize..40).prop_map(|(a, n)| Mutation::Delete(a, n)),
        (any::<usize>(), yamlish()).prop_map(|(a, s)| Mutation::Insert(a, s)),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
    ]
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(text: &str, m: &Mutation) -> String {
    let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
    match m {
        Mutation::Delete(at, n) => {
            let a = floor_boundary(text, at % (text.len() + 1));
            let b = floor_boundary(text, a + n);
            format!("{}{}", &text[..a], &text[b..])
        }
        Mutation::Insert(at, s) => {
            let a = floor_boundary(text, at % (text.len() + 1));
            format!("{}{s}{}", &text[..a], &text[a..])
        }
        Mutation::DuplicateLine(i) if !lines.is_empty() => {
            let i = i % lines.len();
            lines.insert(i, lines[i]);
            lines.concat()
        }
        Mutation::SwapLines(a, b) if !lines.is_empty() => {
            let (a, b) = (a % lines.len(), b % lines.len());
            lines.swap(a, b);
            lines.concat()
        }
        _ => text.to_string(),
    }
}

// ---- expressions -----------------------------------------------------------------------

const KEYWORDS: &[&str] =
    &["and", "or", "not", "in", "true", "false", "null", "AND", "OR", "NOT", "True", "TRUE", "False", "FALSE"];

fn ident() -> impl Strategy<Value = String> {
    "[a-z_][a-z0-9_]{0,6}".prop_filter("not a keyword", |s| !KEYWORDS.contains(&s.as_str()))
}

fn e(kind: ExprKind) -> Expr {
    Expr { kind, span: Span::default() }
}

fn expr_tree() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        Just(e(ExprKind::Null)),
        any::<bool>().prop_map(|b| e(ExprKind::Bool(b))),
        (0..=i64::MAX).prop_map(|n| e(ExprKind::Int(n))),
        (0.0f64..1e300).prop_map(|x| e(ExprKind::Double(x))),
        "[ -~é你\n\t\"'\\\\]{0,8}".prop_map(|s| e(ExprKind::String(s))),
        ident().prop_map(|s| e(ExprKind::Var(s))),
    ];
    let ops: Vec<BinaryOp> = BinaryOp::ALL.iter().map(|(op, _, _)| *op).collect();
    leaf.prop_recursive(5, 48, 4, move |inner| {
        let ops = ops.clone();
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| e(ExprKind::List(v))),
            prop::collection::vec(("[a-z]{0,4}", inner.clone()), 0..3).prop_map(|kv| {
                e(ExprKind::Map(kv.into_iter().map(|(k, v)| (e(ExprKind::String(k)), v)).collect()))
            }),
            (prop_oneof![Just(UnaryOp::Neg), Just(UnaryOp::Not)], inner.clone())
                .prop_map(|(op, x)| e(ExprKind::Unary { op, operand: Box::new(x) })),
            (prop::sample::select(ops), inner.clone(), inner.clone()).prop_map(|(op, l, r)| e(ExprKind::Binary {
                op,
                op_span: Span::default(),
                lhs: Box::new(l),
                rhs: Box::new(r)
            })),
            (inner.clone(), ident()).prop_map(|(o, name)| e(ExprKind::Member {
                object: Box::new(o),
                name,
                name_span: Span::default()
            })),
            (inner.clone(), inner.clone())
                .prop_map(|(o, i)| e(ExprKind::Index { object: Box::new(o), index: Box::new(i) })),
            (ident(), prop::option::of(ident()), prop::collection::vec(inner, 0..3)).prop_map(|(m, f, args)| {
                let callee = match f {
                    Some(f) => e(ExprKind::Member {
                        object: Box::new(e(ExprKind::Var(m))),
                        name: f,
                        name_span: Span::default(),
                    }),
                    None => e(ExprKind::Var(m)),
                };
                e(ExprKind::Call { callee: Box::new(callee), args })
            }),
        ]
    })
}

/// The same tree with every span cleared.
fn strip(x: &Expr) -> Expr {
    let b = |x: &Expr| Box::new(strip(x));
    let kind = match &x.kind {
        ExprKind::List(v) => ExprKind::List(v.iter().map(strip).collect()),
        ExprKind::Map(kv) => ExprKind::Map(kv.iter().map(|(k, v)| (strip(k), strip(v))).collect()),
        ExprKind::Unary { op, operand } => ExprKind::Unary { op: *op, operand: b(operand) },
        ExprKind::Binary { op, lhs, rhs, .. } => {
            ExprKind::Binary { op: *op, op_span: Span::default(), lhs: b(lhs), rhs: b(rhs) }
        }
        ExprKind::Member { object, name, .. } => {
            ExprKind::Member { object: b(object), name: name.clone(), name_span: Span::default() }
        }
        ExprKind::Index { object, index } => ExprKind::Index { object: b(object), index: b(index) },
        ExprKind::Call { callee, args } => ExprKind::Call { callee: b(callee), args: args.iter().map(strip).collect() },
        other => other.clone(),
    };
    e(kind)
}

fn parse(text: &str) -> (Expr, Option<wf_syntax::Diagnostic>) {
    parse_expression(text, &|s, e| Span::from(s..e))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        check_invariants("any.yaml", &text);
        check_invariants("any.json", &text);
    }

    #[test]
    fn yaml_like_text_never_panics(text in yamlish()) {
        check_invariants("yamlish.yaml", &text);
        check_invariants("yamlish.json", &text);
    }

    #[test]
    fn arbitrary_expressions_never_panic(text in "[ -~]{0,60}") {
        let (expr, error) = parse(&text);
        if error.is_none() {
            // What parses cleanly prints to text that parses to the same tree.
            let printed = expr.to_string();
            let (again, error) = parse(&printed);
            prop_assert!(error.is_none(), "{printed:?} from {text:?}: {error:?}");
            prop_assert_eq!(strip(&again), strip(&expr));
        }
        check_invariants("expr.yaml", &format!("- s:\n    return: '${{{}}}'\n", text.replace('\'', "''")));
    }

    #[test]
    fn printed_expressions_reparse_to_the_same_tree(tree in expr_tree()) {
        let printed = tree.to_string();
        let (parsed, error) = parse(&printed);
        prop_assert!(error.is_none(), "{printed}: {error:?}");
        prop_assert_eq!(strip(&parsed), strip(&tree), "printed as {}", printed);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_workflows_never_panic(index in any::<usize>(), mutations in prop::collection::vec(mutation(), 1..4)) {
        thread_local!(static SEEDS: Vec<(String, String)> = seed_files());
        SEEDS.with(|seeds| {
            let (name, text) = &seeds[index % seeds.len()];
            let mutated = mutations.iter().fold(text.clone(), |t, m| apply(&t, m));
            check_invariants(name, &mutated);
        });
    }
}

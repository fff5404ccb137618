//! Property tests of the expression language: parsing never panics, and printing a parsed
//! expression gives text that parses to the same tree. (Whole files, parsed and checked,
//! are fuzzed in `wf-check`'s property tests.)

use proptest::prelude::*;
use wf_syntax::expr::parse_expression;
use wf_syntax::{BinaryOp, Expr, ExprKind, Span, UnaryOp};

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

fn parse(text: &str) -> (Expr, Option<wf_syntax::Diagnostic>) {
    parse_expression(text, &|s, e| Span::from(s..e))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_expressions_never_panic(text in "[ -~]{0,60}") {
        let (expr, error) = parse(&text);
        if error.is_none() {
            // What parses cleanly prints to text that parses to the same tree.
            let printed = expr.to_string();
            let (again, error) = parse(&printed);
            prop_assert!(error.is_none(), "{printed:?} from {text:?}: {error:?}");
            prop_assert_eq!(again.without_spans(), expr.without_spans());
        }
    }

    #[test]
    fn printed_expressions_reparse_to_the_same_tree(tree in expr_tree()) {
        let printed = tree.to_string();
        let (parsed, error) = parse(&printed);
        prop_assert!(error.is_none(), "{printed}: {error:?}");
        prop_assert_eq!(parsed.without_spans(), tree.without_spans(), "printed as {}", printed);
    }
}

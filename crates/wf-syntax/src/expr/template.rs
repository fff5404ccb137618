//! Recognising `${...}` in string values. GCW evaluates a string only when the whole string
//! is one `${...}`; anything else is literal text.

use super::Expr;
use super::lexer::{Tok, tokenize};
use super::parser::{SpanMap, parse_expression};
use crate::{Diagnostic, codes};

/// Longest expression (in characters) before [`codes::EXPR_TOO_LONG`] warns.
pub const MAX_EXPRESSION_CHARS: usize = 400;

/// What a string value turned out to be.
#[derive(Debug, Clone, PartialEq)]
pub enum Template {
    /// Plain text, taken literally.
    Literal,
    /// A whole-string `${...}` expression.
    Expr(Expr),
}

/// Classifies and parses the string `text` (a cooked YAML value). `map` turns byte ranges of
/// `text` into file spans.
pub fn parse_template(text: &str, map: SpanMap<'_>) -> (Template, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let Some(rest) = text.strip_prefix("${") else {
        if let Some(i) = text.find("${") {
            let end = text[i..].find('}').map_or(text.len(), |j| i + j + 1);
            diags.push(
                Diagnostic::warning(codes::TEXT_INTERPOLATION, map(i, end), "`${...}` inside text is not evaluated")
                    .with_label("kept as literal text")
                    .with_help("make the whole string one expression and join with `+`, e.g. `${\"id-\" + x}`"),
            );
        }
        return (Template::Literal, diags);
    };
    let body_len = match find_close(rest) {
        Close::At(n) => n,
        Close::UnterminatedString(at) => {
            diags.push(
                Diagnostic::error(codes::EXPR_SYNTAX, map(2 + at, 3 + at), "unterminated string literal")
                    .with_label("this string is never closed")
                    .with_help("add the closing quote before the final `}`"),
            );
            return (Template::Literal, diags);
        }
        Close::Missing => {
            diags.push(
                Diagnostic::error(codes::EXPR_UNCLOSED, map(0, 2), "unclosed `${`: the expression has no closing `}`")
                    .with_label("this `${` is never closed")
                    .with_help("add `}` at the end of the expression"),
            );
            return (Template::Literal, diags);
        }
    };
    let body = &rest[..body_len];
    let shifted = |s: usize, e: usize| map(s + 2, e + 2);
    let (expr, error) = parse_expression(body, &shifted);
    let after = 2 + body_len + 1;
    // Block scalars (`|`, `>`) end with a line break: white space after the `}` is ignored.
    if !text[after..].trim().is_empty() {
        diags.push(
            Diagnostic::error(
                codes::EXPR_TRAILING_TEXT,
                map(after, text.len()),
                "text after the end of a `${...}` expression",
            )
            .with_label("this text is not part of the expression")
            .with_secondary(map(after - 1, after), "the expression ends here")
            .with_help("GCW does not interpolate; join the parts inside one expression with `+`"),
        );
    }
    // A broken expression becomes one `Error` node, so that later passes stay quiet about it
    // (the language server re-parses the text when it needs the partial tree).
    let expr = if error.is_some() { Expr { kind: super::ExprKind::Error, span: expr.span } } else { expr };
    // An expression too deep to parse is always longer than the limit too: one diagnostic.
    let too_deep = error.as_ref().is_some_and(|d| d.code == codes::TOO_DEEP);
    diags.extend(error);
    let chars = body.chars().count();
    if chars > MAX_EXPRESSION_CHARS && !too_deep {
        diags.push(
            Diagnostic::warning(
                codes::EXPR_TOO_LONG,
                map(0, after),
                format!("expression is {chars} characters long; Workflows allows {MAX_EXPRESSION_CHARS}"),
            )
            .with_help("split it over several assignments"),
        );
    }
    (Template::Expr(expr), diags)
}

/// Where the `}` that closes an expression is, in `rest` (the text after its `${`): the
/// body's length, or `None` when it has no closing `}` (or a string literal runs to the end).
/// Nested braces and strings are skipped; with unbalanced brackets inside, the final `}`
/// counts (and the parser names the mistake).
pub fn expression_end(rest: &str) -> Option<usize> {
    match find_close(rest) {
        Close::At(n) => Some(n),
        Close::UnterminatedString(_) | Close::Missing => None,
    }
}

enum Close {
    /// The body is this many bytes long; the `}` follows.
    At(usize),
    UnterminatedString(usize),
    Missing,
}

/// Finds the `}` that closes a `${`, skipping over nested braces and string literals.
fn find_close(rest: &str) -> Close {
    if let Some(body) = rest.strip_suffix('}')
        && !body.contains(['{', '}'])
    {
        return Close::At(body.len());
    }
    let mut depth = 0u32;
    for t in tokenize(rest) {
        match t.kind {
            Tok::LBrace => depth += 1,
            Tok::RBrace if depth == 0 => return Close::At(t.start),
            Tok::RBrace => depth -= 1,
            Tok::UnterminatedStr => return Close::UnterminatedString(t.start),
            _ => {}
        }
    }
    // Unbalanced brackets inside: take the final `}` and let the parser name the mistake.
    match rest.strip_suffix('}') {
        Some(body) => Close::At(body.len()),
        None => Close::Missing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Span;

    fn run(text: &str) -> (Template, Vec<(String, std::ops::Range<usize>)>) {
        let (t, d) = parse_template(text, &|s, e| Span::from(s..e));
        (t, d.into_iter().map(|d| (d.code.to_string(), d.span.range())).collect())
    }

    #[test]
    fn classifies_strings() {
        assert!(matches!(run("hello").0, Template::Literal));
        assert!(matches!(run("${a + 1}").0, Template::Expr(_)));
        assert!(matches!(run("${ {\"a\": \"}\"}.a }").0, Template::Expr(_)));
        assert_eq!(run("${a + 1}").1, vec![]);
        assert!(matches!(run("${a +\n 1}\n").0, Template::Expr(_)));
        assert_eq!(run("${a + 1}\n  ").1, vec![]);
    }

    #[test]
    fn reports_template_mistakes() {
        assert_eq!(run("id-${x}").1, vec![("WF113".into(), 3..7)]);
        assert_eq!(run("${a + b").1, vec![("WF111".into(), 0..2)]);
        assert_eq!(run("${a} and ${b}").1, vec![("WF112".into(), 4..13)]);
        assert_eq!(run("${\"abc}").1, vec![("WF110".into(), 2..6)]);
        assert_eq!(run("${a +}").1, vec![("WF110".into(), 5..6)]);
        assert_eq!(run("${ {\"a\": 1 ]}").1, vec![("WF110".into(), 11..12)]);
        let long = format!("${{{}}}", "a + ".repeat(120) + "a");
        assert_eq!(run(&long).1.len(), 1);
        // Too deep is always too long as well: the depth error alone.
        let deep = format!("${{{}1}}", "-".repeat(400));
        assert_eq!(run(&deep).1, vec![("WF115".into(), 402..403)]);
    }
}

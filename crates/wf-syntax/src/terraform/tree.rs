//! The directives of a Terraform template as a tree: `%{ if }` / `%{ else }` / `%{ endif }`
//! and `%{ for }` / `%{ endfor }` blocks around text and interpolations. Built with an
//! explicit stack; nesting is bounded by [`MAX_NESTING`], so rendering may recurse.

use super::scan::Token;
use crate::{Diagnostic, Span, codes};

/// Deepest nesting of `if` and `for` directives accepted.
pub const MAX_NESTING: usize = 32;

/// A piece of the template tree.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Part {
    /// Literal text.
    Text(Span),
    /// `$${` or `%%{`.
    Escape(Span),
    /// `${ expr }`.
    Interp { span: Span, inner: Span },
    /// `%{ if cond }`: its number among the template's `if`s, the directive, the condition.
    If { id: usize, at: Span, cond: Span, then: Vec<Part>, els: Vec<Part> },
    /// `%{ for header }`: the directive, the text after `for`, and the body.
    For { at: Span, header: Span, body: Vec<Part> },
}

enum Frame {
    If { id: usize, at: Span, cond: Span, then: Vec<Part>, els: Option<Vec<Part>> },
    For { at: Span, header: Span, body: Vec<Part> },
}

/// The tree of `tokens` (of `text`), and how many `if` directives it has; or the first
/// misplaced, unknown or unclosed directive.
pub(crate) fn build(text: &str, tokens: Vec<Token>) -> Result<(Vec<Part>, usize), Box<Diagnostic>> {
    let mut root: Vec<Part> = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut ifs = 0;
    for token in tokens {
        let part = match token {
            Token::Text(s) => Part::Text(s),
            Token::Escape(s) => Part::Escape(s),
            Token::Interp { span, inner } => Part::Interp { span, inner },
            Token::Directive { span, inner } => {
                let body = &text[inner.range()];
                let word = body.split(|c: char| !c.is_ascii_alphanumeric() && c != '_').next().unwrap_or("");
                let rest = Span::new(inner.start + word.len() as u32, inner.end);
                let rest = trim_span(text, rest);
                match word {
                    "if" | "for" if stack.len() >= MAX_NESTING => {
                        return Err(Box::new(
                            Diagnostic::error(
                                codes::TEMPLATE_SYNTAX,
                                span,
                                format!("template directives nest more than {MAX_NESTING} deep"),
                            )
                            .with_label("this directive is too deep"),
                        ));
                    }
                    "if" => {
                        stack.push(Frame::If { id: ifs, at: span, cond: rest, then: Vec::new(), els: None });
                        ifs += 1;
                        continue;
                    }
                    "for" => {
                        stack.push(Frame::For { at: span, header: rest, body: Vec::new() });
                        continue;
                    }
                    "else" => match stack.last_mut() {
                        Some(Frame::If { els: els @ None, .. }) => {
                            *els = Some(Vec::new());
                            continue;
                        }
                        _ => return Err(misplaced(span, "%{ else }", "an `%{ if }` without an `%{ else }`")),
                    },
                    "endif" => match stack.pop() {
                        Some(Frame::If { id, at, cond, then, els }) => {
                            Part::If { id, at, cond, then, els: els.unwrap_or_default() }
                        }
                        _ => return Err(misplaced(span, "%{ endif }", "an `%{ if }`")),
                    },
                    "endfor" => match stack.pop() {
                        Some(Frame::For { at, header, body }) => Part::For { at, header, body },
                        _ => return Err(misplaced(span, "%{ endfor }", "a `%{ for }`")),
                    },
                    _ => {
                        return Err(Box::new(
                            Diagnostic::error(
                                codes::TEMPLATE_SYNTAX,
                                span,
                                format!("unknown template directive `%{{ {body} }}`"),
                            )
                            .with_label("not a Terraform directive")
                            .with_help(
                                "Terraform's directives are `if`, `else`, `endif`, `for` and `endfor`; write `%%{` for a literal `%{`",
                            ),
                        ));
                    }
                }
            }
        };
        match stack.last_mut() {
            None => root.push(part),
            Some(Frame::If { then, els: None, .. }) => then.push(part),
            Some(Frame::If { els: Some(els), .. }) => els.push(part),
            Some(Frame::For { body, .. }) => body.push(part),
        }
    }
    if let Some(frame) = stack.pop() {
        let (at, what, end) = match frame {
            Frame::If { at, .. } => (at, "%{ if }", "%{ endif }"),
            Frame::For { at, .. } => (at, "%{ for }", "%{ endfor }"),
        };
        return Err(Box::new(
            Diagnostic::error(codes::TEMPLATE_SYNTAX, at, format!("`{what}` without `{end}`"))
                .with_label("opened here, never closed")
                .with_help(format!("close the block with `{end}`")),
        ));
    }
    Ok((root, ifs))
}

fn misplaced(span: Span, what: &str, needs: &str) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::error(codes::TEMPLATE_SYNTAX, span, format!("`{what}` without {needs} before it"))
            .with_label("nothing to close or continue here"),
    )
}

fn trim_span(text: &str, span: Span) -> Span {
    let part = text.get(span.range()).unwrap_or("");
    let start = span.start + (part.len() - part.trim_start().len()) as u32;
    Span::new(start, start + part.trim().len() as u32)
}

#[cfg(test)]
mod tests {
    use super::super::scan::scan;
    use super::*;

    fn tree(text: &str) -> Result<(Vec<Part>, usize), Box<Diagnostic>> {
        build(text, scan(text).unwrap())
    }

    #[test]
    fn builds_nested_blocks() {
        let text = "a%{ if x }b%{ for i in l }c%{ endfor }%{ else }d%{ endif }";
        let (parts, ifs) = tree(text).unwrap();
        assert_eq!(ifs, 1);
        assert_eq!(parts.len(), 2);
        let Part::If { cond, then, els, .. } = &parts[1] else { panic!("{parts:?}") };
        assert_eq!(&text[cond.range()], "x");
        assert_eq!(then.len(), 2);
        assert_eq!(els, &[Part::Text(Span::new(47, 48))]);
    }

    #[test]
    fn misplaced_and_unclosed_directives_are_errors() {
        for (text, message) in [
            ("%{ endif }", "`%{ endif }` without an `%{ if }` before it"),
            ("%{ if a }%{ endfor }", "`%{ endfor }` without a `%{ for }` before it"),
            ("%{ for x in y }", "`%{ for }` without `%{ endfor }`"),
            (
                "%{ if a }%{ else }%{ else }%{ endif }",
                "`%{ else }` without an `%{ if }` without an `%{ else }` before it",
            ),
            ("%{ while x }", "unknown template directive `%{ while x }`"),
        ] {
            assert_eq!(tree(text).unwrap_err().message, message, "{text}");
        }
        let deep = "%{ if a }".repeat(MAX_NESTING + 1);
        assert!(tree(&deep).unwrap_err().message.contains("nest more than 32"));
    }
}

//! Splits a Terraform template into literal text, escapes, interpolations (`${ ... }`) and
//! directives (`%{ ... }`), applying the `~` strip markers to the neighbouring text.

use crate::span::to_u32;
use crate::{Diagnostic, Span, codes};

/// One piece of a template, with spans into the template text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Token {
    /// Literal text, copied as is.
    Text(Span),
    /// `$${` or `%%{`: the last two characters are copied.
    Escape(Span),
    /// `${ expr }`: `inner` is the expression's text (strip markers and blanks excluded).
    Interp { span: Span, inner: Span },
    /// `%{ directive }`, likewise.
    Directive { span: Span, inner: Span },
}

/// The tokens of `text`, or the first malformed `${` / `%{` (unclosed).
pub(crate) fn scan(text: &str) -> Result<Vec<Token>, Box<Diagnostic>> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    // Whether the token before the next text asked to strip the white space after it.
    let mut strip_next = false;
    while i + 1 < bytes.len() {
        let (c, next) = (bytes[i], bytes[i + 1]);
        let escape = (c == b'$' || c == b'%') && next == c && bytes.get(i + 2) == Some(&b'{');
        let open = (c == b'$' || c == b'%') && next == b'{';
        if !escape && !open {
            i += 1;
            continue;
        }
        if escape {
            push_text(&mut tokens, text, text_start, i, &mut strip_next, false);
            tokens.push(Token::Escape(Span::from(i..i + 3)));
            i += 3;
            text_start = i;
            continue;
        }
        let Some(close) = closing_brace(bytes, i + 2) else {
            let what = if c == b'$' { "`${`" } else { "`%{`" };
            return Err(Box::new(
                Diagnostic::error(
                    codes::TEMPLATE_SYNTAX,
                    Span::from(i..i + 2),
                    format!("unclosed {what} in a Terraform template"),
                )
                .with_label("no matching `}`")
                .with_help("close it with `}`; a literal `${` (a workflow expression) is written `$${` in a template"),
            ));
        };
        let mut inner = i + 2..close;
        let strip_before = bytes.get(inner.start) == Some(&b'~');
        if strip_before {
            inner.start += 1;
        }
        let strip_after = inner.end > inner.start && bytes[inner.end - 1] == b'~';
        if strip_after {
            inner.end -= 1;
        }
        push_text(&mut tokens, text, text_start, i, &mut strip_next, strip_before);
        let inner = trim(text, inner);
        let span = Span::from(i..close + 1);
        tokens.push(if c == b'$' { Token::Interp { span, inner } } else { Token::Directive { span, inner } });
        strip_next = strip_after;
        i = close + 1;
        text_start = i;
    }
    push_text(&mut tokens, text, text_start, text.len(), &mut strip_next, false);
    Ok(tokens)
}

/// Pushes the text `start..end`, trimmed as the strip markers around it say.
fn push_text(tokens: &mut Vec<Token>, text: &str, start: usize, end: usize, strip_start: &mut bool, strip_end: bool) {
    let mut s = start;
    let mut e = end.max(start);
    if std::mem::take(strip_start) {
        s = e - text[s..e].trim_start().len();
    }
    if strip_end {
        e = s + text[s..e].trim_end().len();
    }
    if s < e {
        tokens.push(Token::Text(Span::from(s..e)));
    }
}

fn trim(text: &str, range: std::ops::Range<usize>) -> Span {
    let part = &text[range.clone()];
    let start = range.start + (part.len() - part.trim_start().len());
    Span::new(to_u32(start), to_u32(start + part.trim().len()))
}

/// The index of the `}` that closes an interpolation or directive whose content starts at
/// `from`: braces nest, and `"..."` strings (with `\` escapes and their own `${ }`) are
/// skipped. An explicit stack, so deep nesting cannot overflow.
fn closing_brace(bytes: &[u8], from: usize) -> Option<usize> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mode {
        Code,
        Str,
    }
    let mut stack = vec![Mode::Code];
    let mut i = from;
    while i < bytes.len() {
        let top = *stack.last()?;
        match (top, bytes[i]) {
            (Mode::Code, b'{') => stack.push(Mode::Code),
            (Mode::Code, b'}') => {
                stack.pop();
                if stack.is_empty() {
                    return Some(i);
                }
            }
            (Mode::Code, b'"') => stack.push(Mode::Str),
            (Mode::Str, b'\\') => i += 1,
            (Mode::Str, b'"') => {
                stack.pop();
            }
            (Mode::Str, b'$' | b'%') if bytes.get(i + 1) == Some(&b'{') => {
                if bytes.get(i.wrapping_sub(1)) != Some(&bytes[i]) {
                    stack.push(Mode::Code);
                }
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<String> {
        scan(text)
            .unwrap()
            .iter()
            .map(|t| match t {
                Token::Text(s) => format!("T{:?}", &text[s.range()]),
                Token::Escape(s) => format!("E{:?}", &text[s.range()]),
                Token::Interp { inner, .. } => format!("I{:?}", &text[inner.range()]),
                Token::Directive { inner, .. } => format!("D{:?}", &text[inner.range()]),
            })
            .collect()
    }

    #[test]
    fn splits_escapes_interpolations_and_directives() {
        assert_eq!(
            kinds("a: $${x}\nb: ${var.y}\n%{ if z ~}\n  c: 1\n%{~ endif }%%{"),
            [
                "T\"a: \"",
                "E\"$${\"",
                "T\"x}\\nb: \"",
                "I\"var.y\"",
                "T\"\\n\"",
                "D\"if z\"",
                "T\"c: 1\"",
                "D\"endif\"",
                "E\"%%{\""
            ]
        );
        assert_eq!(kinds("${f(\"}\", {a = 1})}"), ["I\"f(\\\"}\\\", {a = 1})\""]);
        assert_eq!(kinds("${\"a ${b} }\"}!"), ["I\"\\\"a ${b} }\\\"\"", "T\"!\""]);
    }

    #[test]
    fn an_unclosed_interpolation_is_reported_where_it_opens() {
        let d = scan("a: 1\nb: ${var.x\n").unwrap_err();
        assert_eq!(d.code, codes::TEMPLATE_SYNTAX);
        assert_eq!(d.span, Span::new(8, 10));
    }
}

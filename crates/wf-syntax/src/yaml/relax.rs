//! Tolerances shared by PyYAML (the libyaml family) and GCW but not by saphyr-parser, a
//! strict YAML 1.2 parser: lines indented less than the enclosing block
//!
//! - inside a flow collection (`[` or `{`) opened as a block value, whose continuation
//!   lines or closing bracket sit at or left of the key's column (`reindent_flow`), and
//! - on the continuation lines of a multi-line quoted scalar (`reindent_quoted`);
//!
//! and a comment right after a quoted scalar or a closing bracket (`"q"#x`,
//! `space_before_comment`).
//!
//! libyaml ignores indentation inside flow collections and quoted scalars; saphyr does not.
//! When the parser rejects such a construct, the loader calls one of these, which indents the
//! offending lines in a private copy of the text, keeping a table from the copy's character
//! indices back to byte offsets in the original file, and parses the copy. Leading spaces on
//! a continuation line inside a flow collection or a quoted scalar change neither its tokens
//! nor a scalar's folded value, so the data is what PyYAML reads, with spans into the file.

/// Text handed to the YAML parser, with the map from its char indices to original bytes.
pub(crate) struct Relaxed {
    pub text: String,
    /// `to_original[i]` = byte offset in the original file of char `i` of `text`
    /// (inserted spaces map to the character that follows them); one extra entry for the end.
    pub to_original: Vec<u32>,
    /// The constructs re-indented so far, as original byte offsets of their first and last
    /// characters (brackets or quotes), sorted. The loader accepts the copy only if the
    /// parser read each of them as one flow collection or quoted scalar with those ends.
    pub regions: Vec<(u32, u32)>,
}

/// Re-indents the quoted scalar whose opening quote is char `quote_at` of `current`.
/// Returns `None` when there is no such scalar or nothing to indent (then the parse error
/// stands).
pub(crate) fn reindent_quoted(current: &Relaxed, quote_at: usize) -> Option<Relaxed> {
    let chars: Vec<char> = current.text.chars().collect();
    let quote = *chars.get(quote_at)?;
    if quote != '\'' && quote != '"' {
        return None;
    }
    let end = closing_quote(&chars, quote_at, quote)?;
    pad_lines(current, &chars, quote_at, end)
}

/// Re-indents the lines of the flow collection whose opening bracket is char `open_at` of
/// `current`: every non-blank line after the bracket's, up to the one with the closing
/// bracket, is indented to at least one column right of the opening bracket. Returns `None`
/// when the collection is not closed or needs no change (then the parse error stands).
pub(crate) fn reindent_flow(current: &Relaxed, open_at: usize) -> Option<Relaxed> {
    let chars: Vec<char> = current.text.chars().collect();
    if !matches!(chars.get(open_at), Some('[' | '{')) {
        return None;
    }
    let close = closing_bracket(&chars, open_at)?;
    pad_lines(current, &chars, open_at, close)
}

/// Puts a space before the `#` at char `at` of `current`: libyaml reads `"q"#x` or `[a]#x`
/// as a value and a comment, saphyr wants white space before the `#`. `None` when there
/// is no `#` there.
pub(crate) fn space_before_comment(current: &Relaxed, at: usize) -> Option<Relaxed> {
    let (byte, _) = current.text.char_indices().nth(at).filter(|&(_, c)| c == '#')?;
    let mut text = String::with_capacity(current.text.len() + 1);
    text.push_str(&current.text[..byte]);
    text.push(' ');
    text.push_str(&current.text[byte..]);
    let mut to_original = current.to_original.clone();
    to_original.insert(at, *current.to_original.get(at)?);
    Some(Relaxed { text, to_original, regions: current.regions.clone() })
}

/// Indents every non-blank line that starts inside `open..=close` to at least the column
/// right of char `open`. `None` when no line needed it.
fn pad_lines(current: &Relaxed, chars: &[char], open: usize, close: usize) -> Option<Relaxed> {
    let line_start = chars[..open].iter().rposition(|&c| c == '\n').map_or(0, |i| i + 1);
    let target = open - line_start + 1;
    let mut text = String::with_capacity(current.text.len() + 64);
    let mut to_original = Vec::with_capacity(chars.len() + 64);
    let mut changed = false;
    for (i, &c) in chars.iter().enumerate() {
        text.push(c);
        to_original.push(*current.to_original.get(i)?);
        if c == '\n' && i > open && i < close {
            let rest = &chars[i + 1..];
            let indent = rest.iter().take_while(|&&c| c == ' ').count();
            let blank = rest[indent..].first().is_none_or(|&c| matches!(c, '\n' | '\r'));
            // A document marker at column 0 ends the document in every parser: leave it.
            let marker = indent == 0 && is_document_marker(rest);
            if indent < target && !blank && !marker {
                changed = true;
                for _ in indent..target {
                    text.push(' ');
                    to_original.push(*current.to_original.get(i + 1)?);
                }
            }
        }
    }
    to_original.push(*current.to_original.last()?);
    let mut regions = current.regions.clone();
    regions.push((*current.to_original.get(open)?, *current.to_original.get(close)?));
    regions.sort_unstable();
    changed.then_some(Relaxed { text, to_original, regions })
}

fn is_document_marker(line: &[char]) -> bool {
    let starts = line.starts_with(&['-', '-', '-']) || line.starts_with(&['.', '.', '.']);
    starts && line.get(3).is_none_or(|c| c.is_whitespace())
}

fn closing_quote(chars: &[char], open: usize, quote: char) -> Option<usize> {
    let mut i = open + 1;
    while i < chars.len() {
        match chars[i] {
            '\\' if quote == '"' => i += 2,
            '\'' if quote == '\'' && chars.get(i + 1) == Some(&'\'') => i += 2,
            c if c == quote => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// The char index of the bracket that closes the flow collection opened at `open`.
fn closing_bracket(chars: &[char], open: usize) -> Option<usize> {
    let mut scan = FlowScan::new();
    let mut i = open;
    while i < chars.len() {
        match scan.step(chars, i)? {
            Step::Close(at) if scan.open.is_empty() => return Some(at),
            Step::Close(_) | Step::Open | Step::Other => {}
        }
        i = scan.next;
    }
    None
}

/// The outermost bracket among `chars[from..to]` that is still open at `to`: where the
/// flow collection holding `to` starts, when the parser stopped before reporting it.
pub(crate) fn unclosed_bracket(text: &str, from: usize, to: usize) -> Option<usize> {
    let chars: Vec<char> = text.chars().take(to).collect();
    let mut scan = FlowScan::new();
    let mut i = from;
    while i < chars.len() {
        if scan.step(&chars, i).is_none() {
            break;
        }
        i = scan.next;
    }
    scan.open.first().copied()
}

/// A reader of text with YAML's flow-context rules: brackets nest, quoted scalars start only
/// where a token starts (a quote inside a plain scalar is text), and `#` after white space
/// starts a comment. Plain scalars cannot hold brackets in flow context, so every other
/// bracket counts.
struct FlowScan {
    /// Char indices of the brackets open so far, outermost first.
    open: Vec<usize>,
    /// Whether the next character starts a token (after an indicator, or a JSON-like node).
    token_start: bool,
    /// Whether the last token was a quoted scalar or a closed collection, after which `:`
    /// is the value indicator even when not followed by a space (`{"a":1}`).
    after_json_node: bool,
    /// Where the next step starts.
    next: usize,
}

enum Step {
    Open,
    Close(usize),
    Other,
}

impl FlowScan {
    fn new() -> FlowScan {
        FlowScan { open: Vec::new(), token_start: true, after_json_node: false, next: 0 }
    }

    /// Reads what starts at `chars[i]`; `None` at an unclosed quote.
    fn step(&mut self, chars: &[char], i: usize) -> Option<Step> {
        let c = chars[i];
        self.next = i + 1;
        let (token_start, after_json_node, step) = match c {
            '[' | '{' => {
                self.open.push(i);
                (true, false, Step::Open)
            }
            ']' | '}' => {
                // An unmatched one is the end of a collection before the stretch read.
                self.open.pop();
                (false, true, Step::Close(i))
            }
            ',' => (true, false, Step::Other),
            '\'' | '"' if self.token_start => {
                self.next = closing_quote(chars, i, c)? + 1;
                (false, true, Step::Other)
            }
            '#' if i > 0 && chars[i - 1].is_whitespace() => {
                self.next = chars[i..].iter().position(|&c| c == '\n').map_or(chars.len(), |n| i + n);
                return Some(Step::Other);
            }
            ':' | '?'
                if self.after_json_node
                    || chars.get(i + 1).is_none_or(|&n| n.is_whitespace() || ",[]{}".contains(n)) =>
            {
                (true, false, Step::Other)
            }
            ' ' | '\t' | '\r' | '\n' => return Some(Step::Other),
            _ => (false, false, Step::Other),
        };
        self.token_start = token_start;
        self.after_json_node = after_json_node;
        Some(step)
    }
}

/// The identity mapping for `text`.
pub(crate) fn identity(text: &str) -> Relaxed {
    let mut to_original: Vec<u32> = text.char_indices().map(|(i, _)| crate::span::to_u32(i)).collect();
    to_original.push(crate::span::to_u32(text.len()));
    Relaxed { text: text.to_string(), to_original, regions: Vec::new() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reindents_continuation_lines_only_inside_the_scalar() {
        let src = "a:\n  - t: 'x\n  y'\nb: 1\n";
        let quote = src.find('\'').unwrap();
        let r = reindent_quoted(&identity(src), quote).unwrap();
        assert_eq!(r.text, "a:\n  - t: 'x\n        y'\nb: 1\n");
        let y = r.text.find('y').unwrap();
        assert_eq!(r.to_original[y] as usize, src.find('y').unwrap());
        assert_eq!(r.to_original[y - 1] as usize, src.find('y').unwrap() - 1);
        assert_eq!(r.to_original.len(), r.text.chars().count() + 1);
    }

    #[test]
    fn reindents_a_flow_collection_up_to_its_closing_bracket() {
        let src = "- a: {\n  \"b\": [1,\n2], c: 'it''s }',\n\n  d: x#y # }\n}\n- e: 1\n";
        let open = src.find('{').unwrap();
        let r = reindent_flow(&identity(src), open).unwrap();
        assert_eq!(r.text, "- a: {\n      \"b\": [1,\n      2], c: 'it''s }',\n\n      d: x#y # }\n      }\n- e: 1\n");
        let close = r.text.rfind('}').unwrap();
        assert_eq!(r.to_original[close] as usize, src.rfind('}').unwrap());
        assert_eq!(r.to_original[close - 1] as usize, src.rfind('}').unwrap());
        assert_eq!(r.to_original.len(), r.text.chars().count() + 1);
        // Already indented enough: nothing to do, so the parse error stands.
        assert!(reindent_flow(&r, open).is_none());
    }

    #[test]
    fn a_comment_gets_its_space() {
        let src = "a: \"q\"#x\n";
        let r = space_before_comment(&identity(src), src.find('#').unwrap()).unwrap();
        assert_eq!(r.text, "a: \"q\" #x\n");
        assert_eq!(r.to_original[6], 6);
        assert_eq!(r.to_original[7], 6);
        assert_eq!(r.to_original.len(), r.text.chars().count() + 1);
        assert!(space_before_comment(&identity(src), 0).is_none());
    }

    #[test]
    fn finds_closing_brackets_with_flow_context_rules() {
        let close = |s: &str| closing_bracket(&s.chars().collect::<Vec<_>>(), 0);
        assert_eq!(close("[a'b, c]"), Some(7));
        assert_eq!(close("{\"a\":\"}\"}"), Some(8));
        assert_eq!(close("[http://x, ']']"), Some(14));
        assert_eq!(close("[a, # ]\n b]"), Some(10));
        assert_eq!(close("[a, 'b]"), None);
        assert_eq!(close("[[a]"), None);
    }

    #[test]
    fn finds_the_outermost_unclosed_bracket() {
        let text = "- key: [a, {b: \"[\"},\n  [c";
        assert_eq!(unclosed_bracket(text, 0, text.len()), Some(7));
        assert_eq!(unclosed_bracket(text, 8, text.len()), Some(23));
        assert_eq!(unclosed_bracket("k: [1]\n", 0, 7), None);
        assert_eq!(unclosed_bracket("], - {\n", 0, 7), Some(5));
    }
}

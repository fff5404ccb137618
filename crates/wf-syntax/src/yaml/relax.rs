//! A tolerance shared by PyYAML and GCW but not by saphyr-parser: continuation lines of a
//! multi-line quoted scalar indented less than the enclosing block. When the parser rejects
//! such a scalar, we indent its continuation lines in a private copy of the text, keeping a
//! table from the copy's character indices back to byte offsets in the original file.
//! Extra leading spaces on a continuation line do not change the scalar's folded value.

/// Text handed to the YAML parser, with the map from its char indices to original bytes.
pub(crate) struct Relaxed {
    pub text: String,
    /// `to_original[i]` = byte offset in the original file of char `i` of `text`
    /// (inserted spaces map to the character that follows them); one extra entry for the end.
    pub to_original: Vec<u32>,
}

/// Re-indents the quoted scalar whose opening quote is char `quote_at` of `current`.
/// Returns `None` when there is no such scalar (then the parse error stands).
pub(crate) fn reindent_quoted(current: &Relaxed, quote_at: usize) -> Option<Relaxed> {
    let chars: Vec<char> = current.text.chars().collect();
    let quote = *chars.get(quote_at)?;
    if quote != '\'' && quote != '"' {
        return None;
    }
    let end = closing_quote(&chars, quote_at, quote)?;
    let line_start = chars[..quote_at].iter().rposition(|&c| c == '\n').map_or(0, |i| i + 1);
    let target = quote_at - line_start + 1;
    let mut text = String::with_capacity(current.text.len() + 64);
    let mut to_original = Vec::with_capacity(chars.len() + 64);
    let mut i = 0;
    while i < chars.len() {
        text.push(chars[i]);
        to_original.push(current.to_original[i]);
        if chars[i] == '\n' && i > quote_at && i < end {
            let indent = chars[i + 1..].iter().take_while(|&&c| c == ' ').count();
            for _ in indent..target {
                text.push(' ');
                to_original.push(current.to_original[i + 1]);
            }
        }
        i += 1;
    }
    to_original.push(*current.to_original.last()?);
    Some(Relaxed { text, to_original })
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

/// The identity mapping for `text`.
pub(crate) fn identity(text: &str) -> Relaxed {
    let mut to_original: Vec<u32> = text.char_indices().map(|(i, _)| crate::span::to_u32(i)).collect();
    to_original.push(crate::span::to_u32(text.len()));
    Relaxed { text: text.to_string(), to_original }
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
}

//! Maps byte offsets inside a scalar's cooked value back to byte offsets in the file, so that
//! an expression inside a quoted, escaped, folded or block scalar gets exact spans.

use super::{Scalar, Style};
use crate::Span;
use crate::span::to_u32;

/// Where each byte of a scalar's cooked text came from in the file.
#[derive(Debug, Clone)]
pub enum ScalarOffsets {
    /// The cooked text is a verbatim copy of the file starting at this offset.
    Shift(u32),
    /// `table[i]` is the file offset of cooked byte `i`; `table[len]` is the end.
    Table(Vec<u32>),
}

impl ScalarOffsets {
    /// Computes the mapping for `scalar`, written at `span` in `src`.
    pub fn compute(src: &str, span: Span, scalar: &Scalar) -> ScalarOffsets {
        let start = span.start as usize;
        let quote = usize::from(matches!(scalar.style, Style::SingleQuoted | Style::DoubleQuoted));
        let verbatim = src.get(start + quote..start + quote + scalar.text.len());
        if verbatim == Some(scalar.text.as_str()) {
            return ScalarOffsets::Shift(to_u32(start + quote));
        }
        ScalarOffsets::Table(walk(src.get(start..).unwrap_or(""), start, quote, scalar))
    }

    /// The file offset of cooked byte `i` (clamped to the end of the value).
    pub fn get(&self, i: usize) -> u32 {
        match self {
            ScalarOffsets::Shift(base) => base + to_u32(i),
            ScalarOffsets::Table(t) => t.get(i).or(t.last()).copied().unwrap_or(0),
        }
    }

    /// The file span of cooked bytes `start..end` (never past the end of the value).
    pub fn span(&self, start: usize, end: usize) -> Span {
        let s = self.get(start);
        let e = if end > start { self.get(end - 1) + 1 } else { s };
        let e = match self {
            ScalarOffsets::Shift(_) => e,
            ScalarOffsets::Table(t) => e.min(t.last().copied().unwrap_or(e)),
        };
        Span::new(s, e.max(s))
    }
}

/// Walks the raw text and the cooked text together. Raw characters that produce no cooked
/// character (indentation, folded line breaks, quotes, escape bodies) are skipped.
fn walk(raw: &str, base: usize, quote: usize, scalar: &Scalar) -> Vec<u32> {
    let cooked = scalar.text.as_str();
    let raw = raw.as_bytes();
    let mut table = Vec::with_capacity(cooked.len() + 1);
    let mut ri = quote;
    for (_, c) in cooked.char_indices() {
        let clen = c.len_utf8();
        let here = loop {
            let Some(&rb) = raw.get(ri) else { break ri };
            if scalar.style == Style::DoubleQuoted && rb == b'\\' {
                match raw.get(ri + 1) {
                    Some(b'\n' | b'\r') => {
                        ri += 1;
                        while matches!(raw.get(ri), Some(b'\n' | b'\r' | b' ' | b'\t')) {
                            ri += 1;
                        }
                        continue;
                    }
                    next => {
                        let len = match next {
                            Some(b'x') => 4,
                            Some(b'u') => 6,
                            Some(b'U') => 10,
                            _ => 2,
                        };
                        let at = ri;
                        ri = (ri + len).min(raw.len());
                        break at;
                    }
                }
            }
            if scalar.style == Style::SingleQuoted && rb == b'\'' && c == '\'' {
                let at = ri;
                ri += 2;
                break at;
            }
            // Folding turns a line break (with or without indentation) into a space.
            if c == ' ' && matches!(rb, b'\n' | b'\r') && scalar.style != Style::Literal {
                let at = ri;
                while matches!(raw.get(ri), Some(b'\n' | b'\r')) {
                    ri += 1;
                }
                break at;
            }
            if raw[ri..].starts_with(c.encode_utf8(&mut [0; 4]).as_bytes()) {
                let at = ri;
                ri += clen;
                break at;
            }
            ri += 1;
            while ri < raw.len() && (raw[ri] & 0xC0) == 0x80 {
                ri += 1;
            }
        };
        let here = here.min(raw.len());
        for k in 0..clen {
            table.push(to_u32(base + (here + k).min(raw.len())));
        }
    }
    table.push(to_u32(base + ri.min(raw.len())));
    table
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::ScalarKind;

    fn check(src: &str, raw_start: usize, style: Style, cooked: &str, needle: &str) {
        let scalar = Scalar { text: cooked.to_string(), style, kind: ScalarKind::Str };
        let span = Span::new(raw_start as u32, src.len() as u32);
        let map = ScalarOffsets::compute(src, span, &scalar);
        let i = cooked.find(needle).unwrap();
        let s = map.span(i, i + needle.len());
        assert_eq!(&src[s.range()], needle, "{style:?} {map:?}");
    }

    #[test]
    fn plain_and_quoted() {
        check("a: ${x + 1}", 3, Style::Plain, "${x + 1}", "x + 1");
        check("a: \"${x + 1}\"", 3, Style::DoubleQuoted, "${x + 1}", "x + 1");
        check("a: '${x + ''s''}'", 3, Style::SingleQuoted, "${x + 's'}", "x");
    }

    #[test]
    fn escapes_and_folding() {
        check(r#"a: "\t${"q" + y}""#, 3, Style::DoubleQuoted, "\t${\"q\" + y}", "y");
        check(r#"a: "${\"é\" + yy}""#, 3, Style::DoubleQuoted, "${\"é\" + yy}", "yy");
        check("a: >\n  ${a +\n  bb}\n", 7, Style::Folded, "${a + bb}\n", "bb");
        check("a: |\r\n    ${x}\r\n    ${yz}\r\n", 10, Style::Literal, "${x}\n${yz}\n", "yz");
        check("a: ${x and\n     üy}", 3, Style::Plain, "${x and üy}", "üy");
        check("a: \"m${\nzz\"\n", 3, Style::DoubleQuoted, "m${ zz", "zz");
        check("a: ${x\r\n  + yy}", 3, Style::Plain, "${x + yy}", "yy");
    }
}

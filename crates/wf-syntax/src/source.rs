//! Source files and the line index that maps byte offsets to lines and columns.

use crate::Span;

/// One workflow source file: its display name and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The name shown in diagnostics (usually the path as the user gave it).
    pub name: String,
    /// The full text, as read from disk (BOM and CRLF included).
    pub text: String,
    line_index: LineIndex,
}

impl SourceFile {
    /// Wraps `text` under the display `name`.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> SourceFile {
        let text = text.into();
        let line_index = LineIndex::new(&text);
        SourceFile { name: name.into(), text, line_index }
    }

    /// The line index of this file.
    pub fn lines(&self) -> &LineIndex {
        &self.line_index
    }

    /// The text covered by `span` (empty if the span is out of range or splits a character).
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }

    /// Whether the file should be read as JSON (by its extension).
    pub fn is_json(&self) -> bool {
        self.name.to_ascii_lowercase().ends_with(".json")
    }
}

/// A position as people read it: 1-based line, 1-based column counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    /// 1-based line number.
    pub line: u32,
    /// 1-based column, in Unicode scalar values (characters).
    pub column: u32,
}

/// Maps byte offsets to line/column positions. Built once per file in O(n).
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// Byte offset at which each line starts; `line_starts[0] == 0`.
    line_starts: Vec<u32>,
    len: u32,
}

impl LineIndex {
    /// Indexes the line starts of `text` (a line ends at `\n`; `\r\n` counts as one break).
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = vec![0];
        line_starts
            .extend(text.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(i, _)| crate::span::to_u32(i + 1)));
        LineIndex { line_starts, len: crate::span::to_u32(text.len()) }
    }

    /// The 0-based line containing byte `offset` (clamped to the text).
    pub fn line_of(&self, offset: u32) -> usize {
        let offset = offset.min(self.len);
        self.line_starts.partition_point(|&s| s <= offset) - 1
    }

    /// The byte offset where 0-based `line` starts (the end of the text past the last line).
    pub fn line_start(&self, line: usize) -> u32 {
        self.line_starts.get(line).copied().unwrap_or(self.len)
    }

    /// Number of lines (a trailing newline starts a last, empty line).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The 1-based line and character column of byte `offset` in `text`.
    pub fn line_col(&self, text: &str, offset: u32) -> LineCol {
        let offset = offset.min(self.len);
        let line = self.line_of(offset);
        let start = self.line_start(line) as usize;
        let end = (offset as usize).max(start);
        let column = text.get(start..end).map_or(end - start, |s| s.chars().count());
        LineCol { line: crate::span::to_u32(line + 1), column: crate::span::to_u32(column + 1) }
    }

    /// The byte offset of a 1-based line and 1-based character column (clamped to the line).
    pub fn offset_of(&self, text: &str, line: u32, column: u32) -> u32 {
        let line0 = (line.max(1) - 1) as usize;
        if line0 >= self.line_starts.len() {
            return self.len;
        }
        let start = self.line_start(line0) as usize;
        let end = self.line_start(line0 + 1) as usize;
        let line_text = text.get(start..end).unwrap_or("");
        let skip = (column.max(1) - 1) as usize;
        let within = line_text.char_indices().nth(skip).map_or(line_text.len(), |(i, _)| i);
        crate::span::to_u32(start + within)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let text = "a: ü\nbé: 1\r\nc";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 0), LineCol { line: 1, column: 1 });
        let b = text.find("bé").unwrap() as u32;
        assert_eq!(idx.line_col(text, b), LineCol { line: 2, column: 1 });
        let one = text.find('1').unwrap() as u32;
        assert_eq!(idx.line_col(text, one), LineCol { line: 2, column: 5 });
        let c = text.find('c').unwrap() as u32;
        assert_eq!(idx.line_col(text, c), LineCol { line: 3, column: 1 });
        assert_eq!(idx.offset_of(text, 2, 5), one);
        assert_eq!(idx.line_count(), 3);
    }
}

//! GitHub Actions workflow commands (`::error file=F,line=L,col=C,title=T::message`): the
//! annotations `wf check --format github` and `wf-test --format github` print, and the one
//! place that escapes them as the runner reads them (`%`, `\r` and `\n` in the message;
//! also `:` and `,` in property values).

use std::fmt::Write;

/// The kind of annotation: the command's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// `::error`: a red annotation; the job's log marks it as an error.
    Error,
    /// `::warning`.
    Warning,
    /// `::notice`.
    Notice,
}

impl Level {
    /// The command's name.
    pub fn command(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Notice => "notice",
        }
    }
}

/// Where an annotation points: 1-based lines and columns (columns counted in characters, as
/// in `wf check --format json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    /// First line.
    pub line: u32,
    /// First column.
    pub col: u32,
    /// Last line.
    pub end_line: u32,
    /// Column where the region ends.
    pub end_col: u32,
}

/// One annotation, ready to print.
#[derive(Debug, Clone)]
pub struct Annotation<'a> {
    /// `error`, `warning` or `notice`.
    pub level: Level,
    /// The file, as a path relative to the repository's root for GitHub to place it.
    pub file: &'a str,
    /// The lines and columns, when known (without them GitHub annotates the whole file).
    pub region: Option<Region>,
    /// The annotation's title, such as a diagnostic code.
    pub title: &'a str,
    /// The message; it may span lines.
    pub message: &'a str,
}

impl Annotation<'_> {
    /// The workflow command, one line without its line ending.
    pub fn command(&self) -> String {
        let mut out = format!("::{} file={}", self.level.command(), escape_property(self.file));
        if let Some(r) = self.region {
            let _ = write!(out, ",line={},col={},endLine={},endColumn={}", r.line, r.col, r.end_line, r.end_col);
        }
        if !self.title.is_empty() {
            let _ = write!(out, ",title={}", escape_property(self.title));
        }
        let _ = write!(out, "::{}", escape_data(self.message));
        out
    }
}

/// Escapes a command's message: `%` → `%25`, `\r` → `%0D`, `\n` → `%0A`.
pub fn escape_data(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes a property value (`file=`, `title=`): as [`escape_data`], and `:` → `%3A`,
/// `,` → `%2C`.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_and_properties_are_escaped_as_the_runner_reads_them() {
        assert_eq!(escape_data("100% done\r\nnext: a, b"), "100%25 done%0D%0Anext: a, b");
        assert_eq!(escape_property("a,b:c%d\ne"), "a%2Cb%3Ac%25d%0Ae");
        // `%` first: an escape is never escaped again.
        assert_eq!(escape_property("%3A"), "%253A");
    }

    #[test]
    fn a_command_has_its_properties_in_order() {
        let a = Annotation {
            level: Level::Warning,
            file: "flows/a,b.yaml",
            region: Some(Region { line: 3, col: 19, end_line: 3, end_col: 20 }),
            title: "WF301",
            message: "unused: `x`\nhelp: remove it",
        };
        assert_eq!(
            a.command(),
            "::warning file=flows/a%2Cb.yaml,line=3,col=19,endLine=3,endColumn=20,title=WF301::unused: `x`%0Ahelp: remove it"
        );
        let whole_file = Annotation { level: Level::Error, file: "s.yaml", region: None, title: "", message: "m" };
        assert_eq!(whole_file.command(), "::error file=s.yaml::m");
    }
}

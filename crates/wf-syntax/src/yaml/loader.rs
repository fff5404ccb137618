//! Builds the spanned [`Node`] tree from saphyr-parser's event stream.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError};

use super::relax::{self, Relaxed};
use super::resolve::{Resolved, resolve_plain};
use super::{Node, NodeKind, Scalar, ScalarKind, ScalarOffsets, Style};
use crate::span::to_u32;
use crate::{Diagnostic, SourceFile, Span, codes};

/// Most nodes that alias expansion may create before the file is rejected ("billion laughs").
const MAX_ALIAS_NODES: usize = 1_000_000;

/// Deepest nesting of lists and maps accepted, aliases expanded (the deepest file of the
/// corpus has 22 levels). Every recursive pass over the tree relies on this bound.
pub const MAX_NESTING: usize = 128;

/// Loads the one YAML (or JSON) document in `source`.
///
/// Returns `None` when the file is empty or cannot be parsed; every problem found is in the
/// diagnostics. Never panics.
pub fn load(source: &SourceFile) -> (Option<Node>, Vec<Diagnostic>) {
    if source.is_json()
        && let Some(d) = check_json_syntax(source)
    {
        return (None, vec![d]);
    }
    let mut relaxed: Option<Relaxed> = None;
    let mut first_error: Option<Diagnostic> = None;
    // Text handed to the parser again so far, against `RELAX_BUDGET`.
    let mut reparsed = 0usize;
    loop {
        let (text, c2b, regions) = match &relaxed {
            None => (source.text.as_str(), CharToByte::new(&source.text), Vec::new()),
            Some(r) => (r.text.as_str(), CharToByte::Table(r.to_original.clone()), r.regions.clone()),
        };
        let mut loader = Loader::new(source, c2b, regions);
        match loader.run(text) {
            Ok(node) if loader.relaxation_confirmed() => return (node, loader.diags),
            // The parser read a re-indented stretch as something else than we assumed:
            // the original error stands.
            Ok(_) => return (None, first_error.into_iter().collect()),
            // The parser stopped past a re-indented stretch it did not read as assumed:
            // that re-indentation was wrong, and the original error stands.
            Err(failure) if !loader.confirmed_before(loader.c2b.byte(failure.error.marker().index())) => {
                return (None, first_error.into_iter().collect());
            }
            Err(failure) => {
                let d = loader.scan_error(&failure.error);
                if let Some(next) = relax_for(&failure, relaxed.as_ref(), &source.text)
                    && reparsed + next.text.len() <= RELAX_BUDGET
                {
                    first_error.get_or_insert(d);
                    reparsed += next.text.len();
                    relaxed = Some(next);
                    continue;
                }
                loader.diags.push(d);
                return (None, loader.diags);
            }
        }
    }
}

/// saphyr-parser's message for a `#` right after a token (see `relax`).
const COMMENT_SPACE_ERROR: &str = "comments must be separated from other tokens by whitespace";
/// saphyr-parser's message for a quoted scalar indented less than its block (see `relax`).
const QUOTED_INDENT_ERROR: &str = "invalid indentation in quoted scalar";
/// How much text the parser may read again for relaxed copies of one file (each relaxed
/// construct costs a parse of the file): 32 MiB, under a second, thousands of constructs in
/// a file of GCW's size.
const RELAX_BUDGET: usize = 32 << 20;

/// Why saphyr stopped, and where the outermost flow collection still open then begins.
struct Failure {
    error: ScanError,
    /// Char index (in the parsed text) of the outermost flow collection's bracket that the
    /// parser reported open.
    open_flow: Option<usize>,
    /// Char index where the last event began. The parser reads tokens ahead of its events,
    /// so it may have met the error past the end of `open_flow`, or inside a flow collection
    /// it has not reported yet.
    last_event: usize,
}

/// The relaxed copy (see `relax`) that gets past `failure`, if the failure is one of the
/// indentation strictnesses GCW does not share.
fn relax_for(failure: &Failure, current: Option<&Relaxed>, text: &str) -> Option<Relaxed> {
    let info = failure.error.info();
    if !info.starts_with("invalid indentation") && info != COMMENT_SPACE_ERROR {
        return None;
    }
    let identity;
    let current = match current {
        Some(r) => r,
        None => {
            identity = relax::identity(text);
            &identity
        }
    };
    if info == COMMENT_SPACE_ERROR {
        return relax::space_before_comment(current, failure.error.marker().index());
    }
    // The parser may be past the end of the flow collection it reported last, and inside
    // one it has not reported yet: read the text from there to the error.
    let from = failure.open_flow.unwrap_or(failure.last_event);
    if let Some(open) = relax::unclosed_bracket(&current.text, from, failure.error.marker().index())
        && let Some(next) = relax::reindent_flow(current, open)
    {
        return Some(next);
    }
    if info == QUOTED_INDENT_ERROR {
        return relax::reindent_quoted(current, failure.error.marker().index());
    }
    None
}

/// Char index → byte offset (saphyr's markers count characters).
enum CharToByte {
    Ascii,
    Table(Vec<u32>),
}

impl CharToByte {
    fn new(text: &str) -> CharToByte {
        if text.is_ascii() {
            return CharToByte::Ascii;
        }
        let mut table: Vec<u32> = text.char_indices().map(|(i, _)| to_u32(i)).collect();
        table.push(to_u32(text.len()));
        CharToByte::Table(table)
    }

    fn byte(&self, char_index: usize) -> u32 {
        match self {
            CharToByte::Ascii => to_u32(char_index),
            CharToByte::Table(t) => t.get(char_index).or(t.last()).copied().unwrap_or(0),
        }
    }
}

enum Frame {
    Seq { start: Span, flow: Option<u32>, anchor: usize, items: Vec<Node> },
    Map { start: Span, flow: Option<u32>, anchor: usize, entries: Vec<(Node, Node)>, key: Option<Node> },
}

struct Loader<'a> {
    source: &'a SourceFile,
    diags: Vec<Diagnostic>,
    c2b: CharToByte,
    anchors: HashMap<usize, Node>,
    alias_budget: usize,
    /// The re-indented stretches of a relaxed copy (`Relaxed::regions`), and whether the
    /// parser has read each as a flow collection or quoted scalar with the same ends.
    regions: Vec<(u32, u32)>,
    confirmed: Vec<bool>,
}

impl<'a> Loader<'a> {
    fn new(source: &'a SourceFile, c2b: CharToByte, regions: Vec<(u32, u32)>) -> Loader<'a> {
        let confirmed = vec![false; regions.len()];
        Loader {
            source,
            diags: Vec::new(),
            c2b,
            anchors: HashMap::new(),
            alias_budget: MAX_ALIAS_NODES,
            regions,
            confirmed,
        }
    }

    /// Notes that the parser read a flow collection or quoted scalar at `span`.
    fn confirm(&mut self, span: Span) {
        if let Ok(i) = self.regions.binary_search(&(span.start, span.end.saturating_sub(1))) {
            self.confirmed[i] = true;
        }
    }

    /// Whether every re-indented stretch was read as what we took it for.
    fn relaxation_confirmed(&self) -> bool {
        self.confirmed.iter().all(|&c| c)
    }

    /// Whether every re-indented stretch that ends before byte `at` was read as assumed.
    fn confirmed_before(&self, at: u32) -> bool {
        self.regions.iter().zip(&self.confirmed).all(|(&(_, end), &c)| c || end >= at)
    }

    fn span(&self, s: saphyr_parser::Span) -> Span {
        Span::new(self.c2b.byte(s.start.index()), self.c2b.byte(s.end.index()))
    }

    /// Builds the tree from the events of `text` (the file, or its relaxed copy).
    fn run(&mut self, text: &str) -> Result<Option<Node>, Failure> {
        let mut parser = Parser::new_from_str(text);
        let mut stack: Vec<Frame> = Vec::new();
        // Char indices of the open flow collections' brackets, outermost first.
        let mut open_flows: Vec<usize> = Vec::new();
        let mut last_event = 0;
        let mut root: Option<Node> = None;
        let mut documents = 0;
        loop {
            let (event, raw_span) = match parser.next_event() {
                None => break,
                Some(Ok(ev)) => ev,
                Some(Err(error)) => return Err(Failure { error, open_flow: open_flows.first().copied(), last_event }),
            };
            last_event = raw_span.start.index();
            let span = self.span(raw_span);
            let done = match event {
                Event::StreamEnd => break,
                Event::StreamStart | Event::Nothing | Event::DocumentEnd => None,
                Event::DocumentStart(_) => {
                    documents += 1;
                    if documents > 1 {
                        // A document after a `...` end marker need not start with `---`.
                        let marker = self.source.text.get(span.start as usize..).is_some_and(|t| t.starts_with("---"));
                        let (at, help) = if marker {
                            (Span::new(span.start, span.start + 3), "remove this `---` line, or move")
                        } else {
                            (Span::empty(span.start), "remove the `...` line and what follows it, or move")
                        };
                        self.diags.push(
                            Diagnostic::error(
                                codes::MULTIPLE_DOCUMENTS,
                                at,
                                "a workflow file must hold exactly one YAML document",
                            )
                            .with_label("a second document starts here")
                            .with_help(format!("{help} the second document into its own file")),
                        );
                        return Ok(None);
                    }
                    None
                }
                Event::Alias(id) => match self.alias(id, span, stack.len()) {
                    Some(node) => Some(node),
                    None => return Ok(None),
                },
                Event::Scalar(value, style, anchor, tag) => {
                    if tag.is_some() {
                        self.unsupported_tag(span);
                    }
                    let node = self.scalar(value.into_owned(), style, span);
                    if !self.regions.is_empty()
                        && matches!(style, ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted)
                    {
                        self.confirm(node.span);
                    }
                    self.remember(anchor, &node);
                    Some(node)
                }
                Event::SequenceStart(..) | Event::MappingStart(..) if stack.len() >= MAX_NESTING => {
                    self.too_deep(span);
                    return Ok(None);
                }
                Event::SequenceStart(anchor, tag) => {
                    if tag.is_some() {
                        self.unsupported_tag(span);
                    }
                    let flow = self.flow_bracket(span, b'[');
                    if flow.is_some() {
                        open_flows.push(raw_span.start.index());
                    }
                    stack.push(Frame::Seq { start: span, flow, anchor, items: Vec::new() });
                    None
                }
                Event::MappingStart(anchor, tag) => {
                    if tag.is_some() {
                        self.unsupported_tag(span);
                    }
                    let flow = self.flow_bracket(span, b'{');
                    if flow.is_some() {
                        open_flows.push(raw_span.start.index());
                    }
                    stack.push(Frame::Map { start: span, flow, anchor, entries: Vec::new(), key: None });
                    None
                }
                Event::SequenceEnd => match stack.pop() {
                    Some(Frame::Seq { start, flow, anchor, items }) => {
                        if flow.is_some() {
                            open_flows.pop();
                        }
                        let end = if flow.is_some() {
                            self.flow_end(span)
                        } else {
                            items.last().map_or(start.end, |n| n.span.end)
                        };
                        let node = Node { kind: NodeKind::Seq(items), span: Span::new(start.start, end) };
                        if let Some(bracket) = flow
                            && !self.regions.is_empty()
                        {
                            self.confirm(Span::new(bracket, end));
                        }
                        self.remember(anchor, &node);
                        Some(node)
                    }
                    _ => None,
                },
                Event::MappingEnd => match stack.pop() {
                    Some(Frame::Map { start, flow, anchor, entries, .. }) => {
                        if flow.is_some() {
                            open_flows.pop();
                        }
                        let end = if flow.is_some() {
                            self.flow_end(span)
                        } else {
                            entries.last().map_or(start.end, |(_, v)| v.span.end)
                        };
                        self.check_duplicate_keys(&entries);
                        let node = Node { kind: NodeKind::Map(entries), span: Span::new(start.start, end) };
                        if let Some(bracket) = flow
                            && !self.regions.is_empty()
                        {
                            self.confirm(Span::new(bracket, end));
                        }
                        self.remember(anchor, &node);
                        Some(node)
                    }
                    _ => None,
                },
            };
            if let Some(node) = done {
                match stack.last_mut() {
                    None => root = Some(node),
                    Some(Frame::Seq { items, .. }) => items.push(node),
                    Some(Frame::Map { entries, key, .. }) => match key.take() {
                        None => *key = Some(node),
                        Some(k) => entries.push((k, node)),
                    },
                }
            }
        }
        Ok(root)
    }

    fn scalar(&mut self, text: String, style: ScalarStyle, span: Span) -> Node {
        let style = match style {
            ScalarStyle::Plain => Style::Plain,
            ScalarStyle::SingleQuoted => Style::SingleQuoted,
            ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
            ScalarStyle::Literal => Style::Literal,
            ScalarStyle::Folded => Style::Folded,
        };
        let kind = if style == Style::Plain {
            match resolve_plain(&text) {
                Resolved::Kind(k) => k,
                Resolved::IntOverflow => {
                    self.diags.push(
                        Diagnostic::error(codes::INT_OUT_OF_RANGE, span, "integer does not fit in 64 bits")
                            .with_label("out of range")
                            .with_help("Workflows integers are signed 64-bit; quote the value to keep it as a string"),
                    );
                    ScalarKind::Double(text.parse().unwrap_or(0.0))
                }
            }
        } else {
            ScalarKind::Str
        };
        let scalar = Scalar { text, style, kind };
        let span = self.scalar_extent(span, &scalar);
        Node { kind: NodeKind::Scalar(scalar), span }
    }

    /// saphyr's scalar spans can run on to the next token; cut them to the text itself.
    fn scalar_extent(&self, span: Span, scalar: &Scalar) -> Span {
        let src = &self.source.text;
        match scalar.style {
            Style::Literal | Style::Folded => {
                let content = scalar.text.trim_end();
                if content.is_empty() {
                    return Span::empty(span.start);
                }
                let offsets = ScalarOffsets::compute(src, span, scalar);
                Span::new(span.start, offsets.span(0, content.len()).end)
            }
            _ => {
                let raw = src.get(span.range()).unwrap_or("");
                Span::new(span.start, span.start + to_u32(raw.trim_end().len()))
            }
        }
    }

    /// Where the collection starting at `span` opens with `bracket`, if it is a flow
    /// collection: at the start, or after its anchor or tag (`&a [1, 2]`).
    fn flow_bracket(&self, span: Span, bracket: u8) -> Option<u32> {
        let text = self.source.text.as_bytes();
        let mut rest = text.get(span.start as usize..).unwrap_or(&[]);
        // At most an anchor and a tag, in either order.
        for _ in 0..2 {
            if !matches!(rest.first(), Some(b'&' | b'!')) {
                break;
            }
            let property = rest.iter().position(|b| b.is_ascii_whitespace()).unwrap_or(rest.len());
            rest = &rest[property..];
            let blank = rest.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(rest.len());
            rest = &rest[blank..];
        }
        (rest.first() == Some(&bracket)).then(|| to_u32(text.len() - rest.len()))
    }

    /// The end of a flow collection whose end event is at `span`: saphyr puts that event on
    /// a trailing comma (`[1, 2,]`) when there is one; the collection ends after the bracket.
    fn flow_end(&self, span: Span) -> u32 {
        let rest = self.source.text.get(span.start as usize..).unwrap_or("");
        let mut in_comment = false;
        for (i, c) in rest.char_indices() {
            match c {
                ']' | '}' if !in_comment => return span.start + to_u32(i + 1),
                '\n' => in_comment = false,
                '#' => in_comment = true,
                ',' | ' ' | '\t' | '\r' => {}
                _ if in_comment => {}
                _ => break,
            }
        }
        span.end
    }

    fn remember(&mut self, anchor: usize, node: &Node) {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
    }

    /// The nesting limit was reached at `span` (a list or map that goes one level deeper).
    fn too_deep(&mut self, span: Span) {
        let at = Span::new(span.start, span.start.max(span.end.min(span.start + 1)));
        self.diags.push(
            Diagnostic::error(
                codes::TOO_DEEP,
                at,
                format!("lists and maps are nested too deeply: more than {MAX_NESTING} levels"),
            )
            .with_label(format!("level {} starts here", MAX_NESTING + 1))
            .with_help("flatten the data, or build it in several assignments"),
        );
    }

    /// The copy of the anchored node for an alias at nesting `depth`; `None` (reported)
    /// when the copy would nest too deeply.
    fn alias(&mut self, id: usize, span: Span, depth: usize) -> Option<Node> {
        let Some(node) = self.anchors.get(&id) else {
            self.diags.push(Diagnostic::error(codes::YAML_UNSUPPORTED, span, "alias to an unknown anchor"));
            return Some(null_node(span));
        };
        let (size, height) = measure(node);
        if depth + height > MAX_NESTING + 1 {
            self.too_deep(span);
            return None;
        }
        if size > self.alias_budget {
            self.diags.push(
                Diagnostic::error(codes::YAML_UNSUPPORTED, span, "aliases expand to too many nodes")
                    .with_help("this file expands to over a million nodes through aliases; write the data out"),
            );
            self.alias_budget = 0;
            return Some(null_node(span));
        }
        self.alias_budget -= size;
        Some(node.clone())
    }

    fn unsupported_tag(&mut self, span: Span) {
        // The event carries the expanded tag; show the text as written.
        let rest = self.source.text.get(span.start as usize..).unwrap_or("");
        let raw = &rest[..rest.find(char::is_whitespace).unwrap_or(rest.len())];
        let raw = if raw.starts_with('!') { raw } else { "!" };
        let tag_span = Span::new(span.start, span.start + to_u32(raw.len()));
        self.diags.push(
            Diagnostic::error(
                codes::YAML_UNSUPPORTED,
                tag_span,
                format!("YAML tags such as `{raw}` are not supported in workflows"),
            )
            .with_label("a YAML tag")
            .with_help("remove the tag; quote the value if it must be a string"),
        );
    }

    fn check_duplicate_keys(&mut self, entries: &[(Node, Node)]) {
        // Most maps are small: a linear scan beats hashing there.
        if entries.len() <= 8 && entries.iter().all(|(k, _)| k.key_text().is_some()) {
            for (i, (key, _)) in entries.iter().enumerate() {
                let text = key.key_text();
                if let Some((first, _)) = entries[..i].iter().find(|(k, _)| k.key_text() == text) {
                    self.duplicate_key(text.unwrap_or_default(), key.span, first.span);
                }
            }
            return;
        }
        let mut seen: HashMap<&str, Span> = HashMap::with_capacity(entries.len());
        for (key, _) in entries {
            let Some(text) = key.key_text() else {
                self.diags.push(
                    Diagnostic::error(codes::YAML_UNSUPPORTED, key.span, "map keys must be strings")
                        .with_label(format!("this key is {}", key.describe())),
                );
                continue;
            };
            if let Some(&first) = seen.get(text) {
                self.duplicate_key(text, key.span, first);
            } else {
                seen.insert(text, key.span);
            }
        }
    }

    fn duplicate_key(&mut self, text: &str, again: Span, first: Span) {
        self.diags.push(
            Diagnostic::error(codes::DUPLICATE_KEY, again, format!("duplicate key `{text}`"))
                .with_label("defined again here")
                .with_secondary(first, "first defined here")
                .with_help("a map holds each key once; remove or rename one of them"),
        );
    }

    fn scan_error(&self, e: &ScanError) -> Diagnostic {
        let at = self.c2b.byte(e.marker().index());
        let text = &self.source.text;
        let info = e.info();
        let tab = tab_near(text, at);
        if let Some(tab) = tab {
            return Diagnostic::error(codes::TAB_INDENT, Span::new(tab, tab + 1), "tab character used for indentation")
                .with_label("tab here")
                .with_help("YAML indentation must use spaces; replace the tab with spaces");
        }
        let width = text.get(at as usize..).and_then(|s| s.chars().next()).map_or(0, |c| to_u32(c.len_utf8()));
        if info.contains("mapping values are not allowed") && line_at(text, at).contains("${") {
            return Diagnostic::error(
                codes::YAML_SYNTAX,
                Span::new(at, at + width),
                "`: ` inside an unquoted expression",
            )
            .with_label("YAML reads this `: ` as the start of a new key")
            .with_help("quote the whole value: '${\"a: \" + b}' (single quotes outside, double quotes inside)");
        }
        let (message, help) = explain_scan_error(info);
        Diagnostic::error(codes::YAML_SYNTAX, Span::new(at, at + width), message)
            .with_label(info.to_string())
            .with_help_opt(help)
    }
}

fn null_node(span: Span) -> Node {
    Node { kind: NodeKind::Scalar(Scalar { text: String::new(), style: Style::Plain, kind: ScalarKind::Null }), span }
}

/// How many nodes `node` has, and how deep it is (a scalar is 1). Its depth is bounded by
/// [`MAX_NESTING`], as for every node the loader builds.
fn measure(node: &Node) -> (usize, usize) {
    let children: Box<dyn Iterator<Item = &Node>> = match &node.kind {
        NodeKind::Scalar(_) => return (1, 1),
        NodeKind::Seq(items) => Box::new(items.iter()),
        NodeKind::Map(entries) => Box::new(entries.iter().flat_map(|(k, v)| [k, v])),
    };
    children.map(measure).fold((1, 1), |(size, height), (s, h)| (size + s, height.max(h + 1)))
}

/// A tab in the leading white space of the line holding `at`, or of the line before it
/// (the scanner often notices the problem one token later).
fn tab_near(text: &str, at: u32) -> Option<u32> {
    let at = (at as usize).min(text.len());
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let prev_start = if line_start == 0 { 0 } else { text[..line_start - 1].rfind('\n').map_or(0, |i| i + 1) };
    let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    for start in [line_start, prev_start] {
        let line = &text[start..line_end.max(start)];
        let indent_len = line.len() - line.trim_start_matches([' ', '\t']).len();
        if let Some(i) = line[..indent_len].find('\t') {
            return Some(to_u32(start + i));
        }
    }
    None
}

/// The text of the line holding byte `at`.
fn line_at(text: &str, at: u32) -> &str {
    let at = (at as usize).min(text.len());
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    &text[start..end]
}

/// Turns the scanner's terse messages into sentences with advice.
fn explain_scan_error(info: &str) -> (String, Option<String>) {
    let help = if info.contains("mapping values are not allowed") {
        Some("a `: ` inside a plain value starts a new key; quote the value, e.g. '${\"a: \" + b}'")
    } else if info.contains("did not find expected key") || info.contains("did not find expected '-'") {
        Some("check the indentation of this line against the lines above")
    } else if info.contains("invalid indentation") {
        Some("indent this line to match its siblings")
    } else if info.contains("unclosed quote") || info.contains("while scanning a quoted scalar") {
        Some("close the quoted string on the same value")
    } else if info.contains("while parsing a flow") || info.contains("misplaced bracket") {
        Some("check that every `[` and `{` has its matching `]` or `}`")
    } else {
        None
    };
    (format!("invalid YAML: {info}"), help.map(str::to_string))
}

/// Checks JSON syntax strictly (YAML would accept trailing commas, comments, single quotes).
fn check_json_syntax(source: &SourceFile) -> Option<Diagnostic> {
    let text = source.text.strip_prefix('\u{feff}').unwrap_or(&source.text);
    let bom = source.text.len() - text.len();
    let err = serde_json::from_str::<serde::de::IgnoredAny>(text).err()?;
    let lines = source.lines();
    let line = u32::try_from(err.line()).unwrap_or(u32::MAX);
    let line_start = lines.line_start(line.max(1) as usize - 1) as usize;
    let mut at = (line_start + err.column().saturating_sub(1)).max(bom).min(source.text.len());
    while !source.text.is_char_boundary(at) {
        at -= 1;
    }
    let full = err.to_string();
    let message = full.split(" at line ").next().unwrap_or(&full).to_string();
    let before = source.text[..at].trim_end();
    let closes = matches!(source.text[at..].chars().next(), Some(']' | '}'));
    let trailing_comma =
        message.starts_with("trailing comma") || (message == "expected value" && closes && before.ends_with(','));
    if trailing_comma && let Some(comma) = source.text[..at].rfind(',') {
        let span = Span::new(to_u32(comma), to_u32(comma + 1));
        return Some(
            Diagnostic::error(codes::JSON_SYNTAX, span, "trailing comma in JSON")
                .with_label("remove this comma")
                .with_help("JSON does not allow a comma after the last item of a list or map"),
        );
    }
    let width = source.text[at..].chars().next().map_or(0, char::len_utf8);
    Some(
        Diagnostic::error(
            codes::JSON_SYNTAX,
            Span::new(to_u32(at), to_u32(at + width)),
            format!("invalid JSON: {message}"),
        )
        .with_label(message),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(text: &str) -> (Option<Node>, Vec<Diagnostic>) {
        load(&SourceFile::new("t.yaml", text.to_string()))
    }

    fn depth(node: &Node) -> usize {
        measure(node).1
    }

    #[test]
    fn relaxed_flow_collections_keep_their_spans_in_the_file() {
        let text = "- a: {\n  \"k\": [1,\n2],\n  \"m\": 'x\n y'\n  }\n- b: 1\n";
        let (root, diags) = load_text(text);
        assert!(diags.is_empty(), "{diags:?}");
        let root = root.expect("a tree");
        let map = &root.as_seq().expect("a list")[0].as_map().expect("a map")[0].1;
        assert_eq!(&text[map.span.range()], "{\n  \"k\": [1,\n2],\n  \"m\": 'x\n y'\n  }");
        let entries = map.as_map().expect("a flow map");
        assert_eq!(&text[entries[0].0.span.range()], "\"k\"");
        assert_eq!(&text[entries[0].1.span.range()], "[1,\n2]");
        let two = &entries[0].1.as_seq().expect("a flow list")[1];
        assert_eq!((two.span.start as usize, &text[two.span.range()]), (text.find("2]").unwrap(), "2"));
        assert_eq!(&text[entries[1].1.span.range()], "'x\n y'");
        assert_eq!(entries[1].1.as_str(), Some("x y"));
    }

    /// More than the 128 attempts the loader once allowed: each costs a parse, within
    /// `RELAX_BUDGET`.
    #[test]
    fn many_relaxed_flow_collections_load() {
        let item = |i: usize| format!("- k{i}: {{\n  \"a\": {i}\n  }}\n");
        let text: String = (0..200).map(item).collect();
        let (root, diags) = load_text(&text);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(root.and_then(|r| r.as_seq().map(<[Node]>::len)), Some(200));
    }

    #[test]
    fn nesting_is_bounded() {
        // `- - - 1`: one list per dash.
        let dashes = |n: usize| format!("{}1\n", "- ".repeat(n));
        let (root, diags) = load_text(&dashes(MAX_NESTING));
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(root.as_ref().map(depth), Some(MAX_NESTING + 1));
        for text in [
            dashes(MAX_NESTING + 1),
            dashes(100_000),
            format!("{}1{}", "[".repeat(200), "]".repeat(200)),
            format!("x:\n{}", (1..=200).map(|i| format!("{}a{i}:\n", "  ".repeat(i))).collect::<String>()),
        ] {
            let (root, diags) = load_text(&text);
            assert!(root.is_none());
            assert_eq!(diags.len(), 1, "{diags:?}");
            assert_eq!(diags[0].code, codes::TOO_DEEP);
            assert_eq!(diags[0].message, "lists and maps are nested too deeply: more than 128 levels");
        }
    }

    #[test]
    fn aliases_cannot_nest_past_the_limit() {
        // Each anchor wraps the one before: the copies nest one level deeper per line,
        // while the YAML text itself stays two levels deep.
        let chain = |n: usize| {
            let mut text = String::from("- &a0 1\n");
            for i in 1..n {
                text.push_str(&format!("- &a{i} [*a{}]\n", i - 1));
            }
            text
        };
        let (root, diags) = load_text(&chain(MAX_NESTING));
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(root.as_ref().map(depth), Some(MAX_NESTING + 1));
        let (root, diags) = load_text(&chain(MAX_NESTING + 1));
        assert!(root.is_none());
        assert_eq!(diags.iter().map(|d| d.code).collect::<Vec<_>>(), [codes::TOO_DEEP]);
    }

    /// Found by the `yaml_load` fuzz target: a document after a `...` end marker has no
    /// `---`, and the diagnostic spanned three bytes from its start, past the end of the file
    /// or into a character.
    #[test]
    fn a_document_after_an_end_marker_is_reported_inside_the_file() {
        for (text, at) in [(".\r...\r.", 6), ("a: 1\n...\nb", 9), ("a\n...\n\u{e9}", 6), ("a\n---\nb", 2)] {
            let (root, diags) = load_text(text);
            assert!(root.is_none());
            assert_eq!(diags.len(), 1, "{diags:?}");
            assert_eq!(diags[0].code, codes::MULTIPLE_DOCUMENTS);
            let span = diags[0].span;
            assert_eq!(span.start, at, "{text:?}");
            assert!(span.end as usize <= text.len() && text.is_char_boundary(span.end as usize), "{text:?}: {span:?}");
        }
    }
}

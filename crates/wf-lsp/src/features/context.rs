//! Where the cursor is in the structure of a YAML or JSON file, read from the text itself so
//! that it works while the file is half-typed and does not parse: the keys and list items
//! from the root to the cursor, whether a key or a value is being typed, and the keys
//! already present beside it. Block YAML is read by indentation, JSON and YAML flow
//! collections (`{...}`, `[...]`) by brackets.

use wf_syntax::Span;

/// One step of the path from the root to the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    /// The value of this key.
    Key(String),
    /// An item of a list.
    Item,
}

/// What is being typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Slot {
    /// A key of the map at the path (or, when the path ends in a list, a new item).
    Key,
    /// The value of this key of the map at the path.
    Value(String),
}

/// The cursor's place in the structure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// The containers from the root to the map or list the cursor is in.
    pub path: Vec<Seg>,
    /// Whether a key or a value is being typed.
    pub slot: Slot,
    /// What has been typed of it so far, without quotes (may be empty).
    pub word: Span,
    /// The other keys of the same map, with their values when they are written on one line.
    pub siblings: Vec<(String, String)>,
    /// The keys of the map one level up (beside the key whose value holds the cursor).
    pub outer: Vec<(String, String)>,
    /// The column (in bytes) where the keys of this map start, in block style.
    pub column: usize,
    /// Whether the cursor is inside a flow collection (always in JSON).
    pub flow: bool,
    /// The quote the word is written in, if any.
    pub quote: Option<char>,
}

impl Cursor {
    /// Whether `key` is present beside the cursor.
    pub fn has_sibling(&self, key: &str) -> bool {
        self.siblings.iter().any(|(k, _)| k == key)
    }

    /// The value written for the sibling `key`.
    pub fn sibling(&self, key: &str) -> Option<&str> {
        self.siblings.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

/// Where `offset` is in `text`; `None` inside a comment.
pub fn cursor_at(text: &str, offset: usize, json: bool) -> Option<Cursor> {
    let offset = floor_char(text, offset.min(text.len()));
    if json {
        return Some(flow(text, 0, offset, Vec::new(), Vec::new()));
    }
    let lines = Lines::new(text);
    let li = lines.index_of(offset);
    let line = lines.text(li);
    let col = offset - lines.start(li);
    let prefix = &line[..col.min(line.len())];
    let sh = shape(prefix);
    if sh.comment {
        return None;
    }
    let start = lines.start(li);
    let (slot, level, word_start) = match &sh.key {
        Some((k, kc, value_start)) => (Slot::Value(k.clone()), *kc, *value_start),
        None if sh.blank => (Slot::Key, col, col),
        None => (Slot::Key, sh.content, sh.content),
    };
    let outer_col = sh.markers.first().copied().unwrap_or(level);
    let (mut path, block_value, parent) = parents(&lines, li, outer_col);
    path.extend(sh.markers.iter().map(|_| Seg::Item));
    let outer = match parent {
        Some((pl, pkc)) if sh.markers.is_empty() => {
            let psh = shape(lines.text(pl));
            let mut keys = siblings(&lines, pl, pkc, psh.markers.is_empty(), &Slot::Key);
            if let Some((k, _, v)) = &psh.key {
                keys.insert(0, (k.clone(), line_value(lines.text(pl), *v)));
            }
            keys
        }
        _ => Vec::new(),
    };
    if let Some(bracket) = unclosed_bracket(prefix, word_start) {
        let mut here = siblings(&lines, li, level, sh.markers.is_empty(), &Slot::Key);
        if let Slot::Value(k) = &slot {
            path.push(Seg::Key(k.clone()));
            here.insert(0, (k.clone(), String::new()));
        }
        let mut c = flow(text, start + bracket, offset, path, here);
        c.column = level;
        return Some(c);
    }
    let (word, quote) = word_span(prefix, word_start, start);
    let slot = match (block_value, &slot) {
        (Some(k), Slot::Key) => {
            path.pop();
            Slot::Value(k)
        }
        _ => slot,
    };
    let siblings = siblings(&lines, li, level, sh.markers.is_empty(), &slot);
    Some(Cursor { path, slot, word, siblings, outer, column: level, flow: false, quote })
}

/// A key written at `offset`: its path (the map it belongs to), its text and its span.
pub fn key_at(text: &str, offset: usize, json: bool) -> Option<(Vec<Seg>, String, Span)> {
    let offset = floor_char(text, offset.min(text.len()));
    let bytes = text.as_bytes();
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
    let mut s = offset;
    while s > 0 && is_word(bytes[s - 1]) {
        s -= 1;
    }
    let mut e = offset;
    while e < bytes.len() && is_word(bytes[e]) {
        e += 1;
    }
    if s == e {
        return None;
    }
    let mut after = e;
    if matches!(bytes.get(after), Some(b'"' | b'\'')) {
        after += 1;
    }
    while matches!(bytes.get(after), Some(b' ' | b'\t')) {
        after += 1;
    }
    if bytes.get(after) != Some(&b':') {
        return None;
    }
    let cursor = cursor_at(text, e, json)?;
    if cursor.slot != Slot::Key || cursor.word != Span::from(s..e) {
        return None;
    }
    Some((cursor.path, text[s..e].to_string(), Span::from(s..e)))
}

/// The largest character boundary at or before `offset`.
fn floor_char(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The span of the word typed from column `from` of `prefix` to its end, skipping an opening
/// quote; `line_start` is the file offset of the line.
fn word_span(prefix: &str, from: usize, line_start: usize) -> (Span, Option<char>) {
    let rest = &prefix[from.min(prefix.len())..];
    match rest.chars().next() {
        Some(q @ ('"' | '\'')) => (Span::from(line_start + from + 1..line_start + prefix.len()), Some(q)),
        _ => (Span::from(line_start + from..line_start + prefix.len()), None),
    }
}

/// The lines of a text, with their start offsets.
struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Lines<'t> {
        let mut starts = vec![0];
        starts.extend(text.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(i, _)| i + 1));
        Lines { text, starts }
    }

    fn index_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset) - 1
    }

    fn start(&self, i: usize) -> usize {
        self.starts[i]
    }

    fn len(&self) -> usize {
        self.starts.len()
    }

    /// The text of line `i`, without its line break.
    fn text(&self, i: usize) -> &'t str {
        let end = self.starts.get(i + 1).map_or(self.text.len(), |&s| s - 1);
        let line = &self.text[self.starts[i]..end.max(self.starts[i])];
        line.strip_suffix('\r').unwrap_or(line)
    }
}

/// The structure of one line of block YAML.
#[derive(Debug, Default)]
struct Shape {
    /// Columns of the `- ` list markers.
    markers: Vec<usize>,
    /// Column where the content starts after the markers.
    content: usize,
    /// The key, its column and the column where its value starts.
    key: Option<(String, usize, usize)>,
    /// Nothing but white space (or a document marker).
    blank: bool,
    /// Only a comment.
    comment: bool,
}

impl Shape {
    /// The leftmost column that says something about nesting.
    fn min_col(&self) -> usize {
        self.markers.first().copied().or(self.key.as_ref().map(|k| k.1)).unwrap_or(self.content)
    }

    fn is_empty(&self) -> bool {
        self.blank || self.comment
    }
}

fn shape(line: &str) -> Shape {
    let bytes = line.as_bytes();
    let mut i = bytes.iter().take_while(|&&b| b == b' ').count();
    let mut sh = Shape::default();
    if i == bytes.len() || line.starts_with("---") || line.starts_with("...") {
        sh.blank = true;
        sh.content = i;
        return sh;
    }
    if bytes[i] == b'#' {
        sh.comment = true;
        return sh;
    }
    while bytes.get(i) == Some(&b'-') && matches!(bytes.get(i + 1), None | Some(b' ' | b'\t')) {
        sh.markers.push(i);
        i += 1;
        while matches!(bytes.get(i), Some(b' ' | b'\t')) {
            i += 1;
        }
    }
    sh.content = i;
    if let Some((key, colon)) = key_of(line, i) {
        let mut v = colon + 1;
        while matches!(bytes.get(v), Some(b' ' | b'\t')) {
            v += 1;
        }
        sh.key = Some((key, i, v));
    }
    sh
}

/// A key written at column `start` of `line`: its text and the column of its `:`.
fn key_of(line: &str, start: usize) -> Option<(String, usize)> {
    let rest = &line[start..];
    let bytes = line.as_bytes();
    let is_sep = |i: usize| bytes.get(i) == Some(&b':') && matches!(bytes.get(i + 1), None | Some(b' ' | b'\t'));
    match rest.chars().next()? {
        q @ ('"' | '\'') => {
            let close = rest[1..].find(q)? + 1;
            let mut c = start + close + 1;
            while matches!(bytes.get(c), Some(b' ' | b'\t')) {
                c += 1;
            }
            is_sep(c).then(|| (rest[1..close].to_string(), c))
        }
        '{' | '[' | '|' | '>' | '#' | '&' | '*' | '!' | '%' | '@' | '`' => None,
        _ if rest.starts_with("${") => None,
        _ => {
            let colon = (start..line.len()).find(|&i| is_sep(i))?;
            let key = line[start..colon].trim_end();
            (!key.contains(" #")).then(|| (key.to_string(), colon))
        }
    }
}

/// The containers around column `col` of line `li`, found by looking up for less indented
/// lines; also the key whose block scalar (`|`, `>`) the line is inside, if it is, and the
/// line and column of the nearest parent key.
type Parents = (Vec<Seg>, Option<String>, Option<(usize, usize)>);

fn parents(lines: &Lines<'_>, li: usize, col: usize) -> Parents {
    let mut path = Vec::new();
    let mut block_value = None;
    let mut parent = None;
    let mut c = col;
    for l in (0..li).rev() {
        if c == 0 {
            break;
        }
        let sh = shape(lines.text(l));
        if sh.is_empty() || sh.min_col() >= c {
            continue;
        }
        if let Some((k, kc, v)) = &sh.key
            && *kc < c
        {
            if path.is_empty() {
                parent = Some((l, *kc));
                if matches!(lines.text(l).as_bytes().get(*v), Some(b'|' | b'>')) {
                    block_value = Some(k.clone());
                }
            }
            path.push(Seg::Key(k.clone()));
        }
        path.extend(sh.markers.iter().filter(|&&m| m < c).map(|_| Seg::Item));
        c = sh.min_col();
    }
    path.reverse();
    (path, block_value, parent)
}

/// The keys at column `col` in the map around line `li` (the line itself left out).
fn siblings(lines: &Lines<'_>, li: usize, col: usize, scan_up: bool, slot: &Slot) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut push = |l: usize, sh: &Shape| {
        if let Some((k, kc, v)) = &sh.key
            && *kc == col
        {
            out.push((k.clone(), line_value(lines.text(l), *v)));
        }
    };
    if scan_up {
        for l in (0..li).rev() {
            let sh = shape(lines.text(l));
            if sh.is_empty() {
                continue;
            }
            push(l, &sh);
            if sh.min_col() < col {
                break;
            }
        }
    }
    for l in li + 1..lines.len() {
        let sh = shape(lines.text(l));
        if sh.is_empty() {
            continue;
        }
        if sh.min_col() < col || (sh.min_col() == col && !sh.markers.is_empty()) {
            break;
        }
        push(l, &sh);
    }
    if let Slot::Value(k) = slot {
        out.retain(|(s, _)| s != k);
    }
    out
}

/// The value written on a line from column `v`, without a comment or quotes.
fn line_value(line: &str, v: usize) -> String {
    let value = line.get(v..).unwrap_or("");
    unquote(value.split(" #").next().unwrap_or("").trim()).to_string()
}

fn unquote(s: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = s.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return inner;
        }
    }
    s
}

/// The column of the outermost `{` or `[` of `prefix` (from column `from`) that is still
/// open at its end, skipping quoted text and `${...}`.
fn unclosed_bracket(prefix: &str, from: usize) -> Option<usize> {
    let bytes = prefix.as_bytes();
    let mut stack = Vec::new();
    let mut i = from.min(bytes.len());
    while i < bytes.len() {
        match bytes[i] {
            b'"' | b'\'' => {
                let q = bytes[i];
                i += 1;
                while i < bytes.len() && bytes[i] != q {
                    i += if bytes[i] == b'\\' && q == b'"' { 2 } else { 1 };
                }
            }
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                let mut depth = 0;
                i += 1;
                while i < bytes.len() {
                    match bytes[i] {
                        b'{' => depth += 1,
                        b'}' if depth == 1 => break,
                        b'}' => depth -= 1,
                        _ => {}
                    }
                    i += 1;
                }
            }
            b'#' if i > 0 && bytes[i - 1] == b' ' => break,
            b'{' | b'[' => stack.push(i),
            b'}' | b']' => {
                stack.pop();
            }
            _ => {}
        }
        i += 1;
    }
    stack.first().copied()
}

/// One open flow collection while scanning.
#[derive(Debug)]
enum Frame {
    Map { key: Option<String>, after_colon: bool, keys: Vec<(String, String)> },
    Seq,
}

/// Reads flow collections (JSON, or YAML `{...}` / `[...]`) from `from` to `to`; `base` is
/// the path to where the first collection starts.
fn flow(text: &str, from: usize, to: usize, base: Vec<Seg>, base_siblings: Vec<(String, String)>) -> Cursor {
    let bytes = text.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = from;
    // The scalar the cursor is in or right after: (start, quote).
    let mut partial: Option<(usize, Option<char>)> = None;
    let mut last_quoted = false;
    while i < to {
        let b = bytes[i];
        partial = None;
        match b {
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            b'#' if i == 0 || matches!(bytes[i - 1], b' ' | b'\t' | b'\n') => {
                while i < to && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'{' => stack.push(Frame::Map { key: None, after_colon: false, keys: Vec::new() }),
            b'[' => stack.push(Frame::Seq),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => {
                if let Some(Frame::Map { key, after_colon, .. }) = stack.last_mut() {
                    *key = None;
                    *after_colon = false;
                }
            }
            b':' if last_quoted || matches!(bytes.get(i + 1), None | Some(b' ' | b'\t' | b'\r' | b'\n')) => {
                if let Some(Frame::Map { after_colon, .. }) = stack.last_mut() {
                    *after_colon = true;
                }
            }
            _ => {
                let start = i;
                let (value, end, quote) = scalar(text, i, to);
                if end >= to {
                    partial = Some((start, quote));
                    break;
                }
                if let Some(Frame::Map { key, after_colon, keys }) = stack.last_mut() {
                    if *after_colon {
                        if let Some(last) = keys.last_mut() {
                            last.1 = value;
                        }
                    } else {
                        *key = Some(value.clone());
                        keys.push((value, String::new()));
                    }
                }
                last_quoted = quote.is_some();
                i = end;
                continue;
            }
        }
        last_quoted = false;
        i += 1;
    }
    let (word, quote) = match partial {
        Some((start, Some(q))) => (Span::from(start + 1..to), Some(q)),
        Some((start, None)) => (Span::from(start..to), None),
        None => (Span::empty(to as u32), None),
    };
    let mut path = base;
    let mut slot = Slot::Key;
    let mut siblings = Vec::new();
    let mut outer = base_siblings;
    let depth = stack.len();
    for (n, frame) in stack.into_iter().enumerate() {
        let last = n + 1 == depth;
        match frame {
            Frame::Seq if !last => path.push(Seg::Item),
            Frame::Seq => {}
            Frame::Map { key, keys, .. } if !last => {
                path.push(Seg::Key(key.unwrap_or_default()));
                outer = keys;
            }
            Frame::Map { key, after_colon, mut keys } => {
                if after_colon {
                    let k = key.unwrap_or_default();
                    keys.retain(|(s, _)| *s != k);
                    slot = Slot::Value(k);
                }
                siblings = keys;
            }
        }
    }
    Cursor { path, slot, word, siblings, outer, column: 0, flow: true, quote }
}

/// A scalar starting at `i`: its text, where it ends and its quote.
fn scalar(text: &str, i: usize, to: usize) -> (String, usize, Option<char>) {
    let bytes = text.as_bytes();
    match bytes[i] {
        q @ (b'"' | b'\'') => {
            let mut j = i + 1;
            let mut out = String::new();
            while j < to && bytes[j] != q {
                if bytes[j] == b'\\' && q == b'"' && j + 1 < to {
                    j += 1;
                }
                let c = text[j..].chars().next().unwrap_or(' ');
                out.push(c);
                j += c.len_utf8();
            }
            (out, (j + 1).min(to.max(j)), Some(q as char))
        }
        _ => {
            let mut j = i;
            while j < to {
                let b = bytes[j];
                if matches!(b, b',' | b'{' | b'}' | b'[' | b']' | b'\n')
                    || (b == b':' && matches!(bytes.get(j + 1), None | Some(b' ' | b'\t' | b'\r' | b'\n')))
                {
                    break;
                }
                j += 1;
            }
            let j = floor_char(text, j);
            (text[i..j].trim_end().to_string(), j, None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(src: &str, json: bool) -> Cursor {
        let offset = src.find("$0").expect("a cursor");
        let text = src.replace("$0", "");
        cursor_at(&text, offset, json).expect("a cursor")
    }

    fn path(c: &Cursor) -> String {
        c.path
            .iter()
            .map(|s| match s {
                Seg::Key(k) => k.as_str(),
                Seg::Item => "-",
            })
            .collect::<Vec<_>>()
            .join("/")
    }

    #[test]
    fn block_keys_and_values() {
        let c = at("main:\n  steps:\n    - init:\n        ass$0\n", false);
        assert_eq!((path(&c), c.slot.clone()), ("main/steps/-/init".into(), Slot::Key));
        assert_eq!(c.word, Span::from(35..38));
        let c = at("main:\n  steps:\n    - init:\n        call: http.get\n        next: fo$0\n", false);
        assert_eq!((path(&c), c.slot.clone()), ("main/steps/-/init".into(), Slot::Value("next".into())));
        assert_eq!(c.sibling("call"), Some("http.get"));
        let c = at("- a:\n    call: f\n    args:\n      x: 1\n      $0\n    result: r\n", false);
        assert_eq!((path(&c), c.slot.clone()), ("-/a/args".into(), Slot::Key));
        assert_eq!(c.siblings, vec![("x".to_string(), "1".to_string())]);
        let c = at("main:\n  steps:\n    - a:\n        return: 1\n    - $0\n", false);
        assert_eq!((path(&c), c.slot.clone()), ("main/steps/-".into(), Slot::Key));
        let c = at("- a:\n    assign:\n      - x: |\n          text $0\n", false);
        assert_eq!((path(&c), c.slot.clone()), ("-/a/assign/-".into(), Slot::Value("x".into())));
        assert!(cursor_at("a: 1 # c\n# x\n", 12, false).is_none());
    }

    #[test]
    fn flow_and_json() {
        let c = at("- a: {call: f, ar$0}\n", false);
        assert_eq!((path(&c), c.slot.clone()), ("-/a".into(), Slot::Key));
        assert_eq!(c.siblings, vec![("call".to_string(), "f".to_string())]);
        let c = at("- a:\n    assign: [{x: 1}, {y: $0}]\n", false);
        assert_eq!((path(&c), c.slot.clone()), ("-/a/assign/-".into(), Slot::Value("y".into())));
        let c = at("{\"main\": {\"steps\": [{\"s\": {\"next\": \"en$0", true);
        assert_eq!((path(&c), c.slot.clone()), ("main/steps/-/s".into(), Slot::Value("next".into())));
        assert_eq!(c.quote, Some('"'));
        let c = at("{\"main\": {\"steps\": [{\"s\": {\"call\": \"f\", \"$0\"}}]}}", true);
        assert_eq!((path(&c), c.slot.clone()), ("main/steps/-/s".into(), Slot::Key));
        assert_eq!(c.sibling("call"), Some("f"));
    }

    #[test]
    fn keys_under_the_cursor() {
        let text = "main:\n  steps:\n    - s:\n        call: x\n";
        let (p, k, span) = key_at(text, text.find("call").unwrap() + 2, false).expect("a key");
        assert_eq!(p, vec![Seg::Key("main".into()), Seg::Key("steps".into()), Seg::Item, Seg::Key("s".into())]);
        assert_eq!((k.as_str(), &text[span.range()]), ("call", "call"));
        assert!(key_at(text, text.find(" x").unwrap() + 1, false).is_none());
    }
}

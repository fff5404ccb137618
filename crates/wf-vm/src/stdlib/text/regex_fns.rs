//! `text.match_regex`, `text.find_all_regex` and `text.replace_all_regex`. Patterns are RE2;
//! [`translate`] maps the few places where the `regex` crate reads them differently.

use regex::{Regex, RegexBuilder};

use super::{CharIndexer, int};
use crate::sizes::Bounded;
use crate::stdlib::{Args, Call, Context};
use crate::value::Value;

/// RE2's Perl classes are ASCII-only; the `regex` crate's are Unicode.
fn perl_class(c: char) -> Option<&'static str> {
    Some(match c {
        'd' => "[0-9]",
        'D' => "[^0-9]",
        'w' => "[0-9A-Za-z_]",
        'W' => "[^0-9A-Za-z_]",
        's' => r"[\t\n\f\r ]",
        'S' => r"[^\t\n\f\r ]",
        _ => return None,
    })
}

/// Rewrites an RE2 pattern for the `regex` crate: ASCII `\d \w \s \b` (and negations),
/// `\Q...\E` quoting, and a literal `[`, `&` or `~` inside a character class (the crate
/// reads those as nested classes and set operators).
fn translate(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    while let Some(ch) = chars.next() {
        match ch {
            '\\' => {
                let Some(next) = chars.next() else {
                    out.push('\\');
                    break;
                };
                if let Some(class) = perl_class(next) {
                    out.push_str(class);
                } else if !in_class && (next == 'b' || next == 'B') {
                    out.push_str(if next == 'b' { r"(?-u:\b)" } else { r"(?-u:\B)" });
                } else if !in_class && next == 'Q' {
                    let mut literal = String::new();
                    while let Some(q) = chars.next() {
                        if q == '\\' && chars.peek() == Some(&'E') {
                            chars.next();
                            break;
                        }
                        literal.push(q);
                    }
                    out.push_str(&regex::escape(&literal));
                } else {
                    out.push('\\');
                    out.push(next);
                }
            }
            '[' if !in_class => {
                in_class = true;
                out.push('[');
                if chars.peek() == Some(&'^') {
                    chars.next();
                    out.push('^');
                }
                if chars.peek() == Some(&']') {
                    chars.next();
                    out.push_str(r"\]");
                }
            }
            '[' if chars.peek() == Some(&':') => {
                // A POSIX class such as `[:alpha:]`: copy it through `:]`.
                out.push('[');
                let mut prev = '[';
                for p in chars.by_ref() {
                    out.push(p);
                    if prev == ':' && p == ']' {
                        break;
                    }
                    prev = p;
                }
            }
            '[' | '&' | '~' if in_class => {
                out.push('\\');
                out.push(ch);
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            _ => out.push(ch),
        }
    }
    out
}

/// The most memory a compiled pattern may take (the `regex` crate's limit on its program,
/// and on its lazy DFA's cache). A pattern past it is a `ValueError` ("too big"), found in
/// a bounded time: without a bound a 256 KB pattern took over ten seconds to compile.
const COMPILED_LIMIT: usize = 1 << 20;

/// Compiles an RE2 pattern; a bad one is a `ValueError`.
fn compile(c: &Call<'_>, pattern: &str) -> Result<Regex, Value> {
    RegexBuilder::new(&translate(pattern)).size_limit(COMPILED_LIMIT).dfa_size_limit(COMPILED_LIMIT).build().map_err(
        |e| c.value_err(format!("invalid regular expression {}: {}", shown(pattern), first_line(&e.to_string()))),
    )
}

/// A pattern as an error message quotes it: at most its first 80 characters.
fn shown(pattern: &str) -> String {
    match pattern.char_indices().nth(80) {
        Some((end, _)) => format!("{:?}… ({} bytes)", &pattern[..end], pattern.len()),
        None => format!("{pattern:?}"),
    }
}

fn first_line(text: &str) -> &str {
    text.lines().rfind(|l| l.starts_with("error:")).unwrap_or_else(|| text.lines().next().unwrap_or(""))
}

/// `text.match_regex(source, regexp)`: whether the pattern matches anywhere.
pub(in crate::stdlib) fn match_regex(args: Args<'_>, _: &mut dyn Context) -> Result<Value, Value> {
    let c = Call::new("text.match_regex", args);
    let source = c.str(0, "source")?;
    let re = compile(&c, c.str(1, "regexp")?)?;
    Ok(Value::Bool(re.is_match(source)))
}

/// `text.find_all_regex(source, regexp)`: every non-overlapping match as `{index, match}`,
/// the index in characters.
pub(in crate::stdlib) fn find_all_regex(args: Args<'_>, _: &mut dyn Context) -> Result<Value, Value> {
    let c = Call::new("text.find_all_regex", args);
    let source = c.str(0, "source")?;
    let re = compile(&c, c.str(1, "regexp")?)?;
    let mut indexer = CharIndexer::new(source);
    let matches = re
        .find_iter(source)
        .map(|m| Value::from_pairs([("index", int(indexer.index(m.start()))), ("match", Value::str(m.as_str()))]))
        .collect();
    Ok(Value::list(matches))
}

/// `text.replace_all_regex(source, regexp, repl)`: every match replaced by `repl`, taken
/// literally (GCW supports no group references in `repl`). Built in a bounded buffer: an
/// empty pattern matches between every two characters.
pub(in crate::stdlib) fn replace_all_regex(args: Args<'_>, _: &mut dyn Context) -> Result<Value, Value> {
    let c = Call::new("text.replace_all_regex", args);
    let source = c.str(0, "source")?;
    let re = compile(&c, c.str(1, "regexp")?)?;
    let repl = c.str(2, "repl")?;
    let mut out = Bounded::string();
    let mut copied = 0;
    for m in re.find_iter(source) {
        out.push_str(&source[copied..m.start()])?;
        out.push_str(repl)?;
        copied = m.end();
    }
    out.push_str(&source[copied..])?;
    Ok(Value::str(out.finish()))
}

#[cfg(test)]
mod tests {
    use super::translate;
    use crate::stdlib::testing::{call, fails, s};
    use crate::value::Value;

    fn matches(source: &str, re: &str) -> bool {
        matches!(call("text.match_regex", &[s(source), s(re)]), Ok(Value::Bool(true)))
    }

    #[test]
    fn match_is_unanchored() {
        assert!(matches("say hello", "hel+o"));
        assert!(!matches("say hello", "^hello"));
        assert!(matches("", ""));
        fails(call("text.match_regex", &[s("a"), s("(")]), "ValueError");
        fails(call("text.match_regex", &[s("a"), s("a{2,1}")]), "ValueError");
        fails(call("text.match_regex", &[s("a"), s(r"(a)\1")]), "ValueError");
        fails(call("text.match_regex", &[Value::Int(1), s("a")]), "TypeError");
        fails(call("text.match_regex", &[s("a"), Value::Null]), "TypeError");
    }

    #[test]
    fn a_pattern_too_big_to_compile_is_a_value_error() {
        let huge = "a".repeat(256 * 1024);
        let msg = fails(call("text.match_regex", &[s("a"), s(&huge)]), "ValueError");
        assert!(msg.contains("invalid regular expression") && msg.contains("… (262144 bytes)"), "{msg}");
        assert!(msg.len() < 400, "{msg}");
        // Patterns of real size compile, Unicode classes included.
        assert!(matches("é1", r"^\p{L}\d$"));
        assert!(matches(&"ab".repeat(500), &format!("^{}$", "ab".repeat(500))));
    }

    #[test]
    fn perl_classes_are_ascii() {
        assert!(matches("7", r"^\d$"));
        assert!(!matches("٣", r"\d"));
        assert!(matches("٣", r"^\D$"));
        assert!(!matches("é", r"\w"));
        assert!(matches("é", r"^\W$"));
        assert!(!matches("\u{a0}", r"\s"));
        assert!(matches("a_1", r"^[\w]+$"));
        assert!(!matches("é", r"[\w]"));
        assert!(matches("x-", r"^[\d\-x]+$"));
        assert!(matches("a b", r"a\b"));
        assert!(!matches("ab", r"a\b"));
        assert!(matches("ab", r"a\B"));
        assert!(matches("éa", r"é\ba"));
        assert!(matches("٣", r"\p{Nd}"));
    }

    #[test]
    fn re2_class_literals() {
        assert!(matches("[", r"[[]"));
        assert!(matches("]", r"[]a]"));
        assert!(matches("&", r"[&&]"));
        assert!(matches("~", r"[~~]"));
        assert!(matches("b", r"[[:alpha:]]"));
        assert!(!matches("1", r"[^[:digit:]]"));
        assert!(matches("a.b*c", r"\Q.b*\E"));
        assert!(!matches("axb*c", r"\Q.b*\E"));
        assert_eq!(translate(r"\Qa"), "a");
        assert_eq!(translate("a\\"), "a\\");
    }

    #[test]
    fn find_all_regex_gives_maps() {
        let got = call("text.find_all_regex", &[s("HelloWorld"), s("Hello|World")]);
        let expected = Value::list(vec![
            Value::from_pairs([("index", Value::Int(0)), ("match", s("Hello"))]),
            Value::from_pairs([("index", Value::Int(5)), ("match", s("World"))]),
        ]);
        assert_eq!(got, Ok(expected));
        let got = call("text.find_all_regex", &[s("ééxé x"), s("x")]).expect("find");
        let idx: Vec<Value> = got.as_list().unwrap_or(&[]).iter().filter_map(|m| m.get("index").cloned()).collect();
        assert_eq!(idx, vec![Value::Int(2), Value::Int(5)]);
        assert_eq!(
            call("text.find_all_regex", &[s("ab"), s("")]).map(|l| l.as_list().map(<[Value]>::len)),
            Ok(Some(3))
        );
        fails(call("text.find_all_regex", &[s("a"), s("[")]), "ValueError");
    }

    #[test]
    fn replace_all_regex_is_literal() {
        assert_eq!(call("text.replace_all_regex", &[s("one two"), s("one|two"), s("three")]), Ok(s("three three")));
        assert_eq!(call("text.replace_all_regex", &[s("a1b2"), s(r"(\d)"), s(r"<$1\1>")]), Ok(s(r"a<$1\1>b<$1\1>")));
        assert_eq!(call("text.replace_all_regex", &[s("ab"), s(""), s("-")]), Ok(s("-a-b-")));
        fails(call("text.replace_all_regex", &[s("a"), s("*"), s("b")]), "ValueError");
        fails(call("text.replace_all_regex", &[s("a"), s("a"), Value::Int(1)]), "TypeError");
    }
}

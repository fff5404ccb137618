//! Tokens of the expression language (a logos lexer).

use logos::Logos;

/// A token kind. Keywords are recognised from identifiers by [`keyword`].
#[derive(Logos, Debug, Clone, Copy, PartialEq, Eq)]
#[logos(skip r"[ \t\r\n]+")]
pub(crate) enum Tok {
    #[regex(r"[0-9]+")]
    Int,
    #[regex(r"[0-9]+\.[0-9]+([eE][-+]?[0-9]+)?")]
    #[regex(r"[0-9]+[eE][-+]?[0-9]+")]
    Double,
    #[regex(r#""([^"\\]|\\(.|\n))*""#)]
    #[regex(r"'([^'\\]|\\(.|\n))*'")]
    Str,
    #[regex(r#""([^"\\]|\\(.|\n))*"#)]
    #[regex(r"'([^'\\]|\\(.|\n))*")]
    UnterminatedStr,
    #[regex(r"[A-Za-z_][A-Za-z0-9_]*")]
    Ident,
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token(",")]
    Comma,
    #[token(":")]
    Colon,
    #[token(".")]
    Dot,
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("//")]
    SlashSlash,
    #[token("%")]
    Percent,
    #[token("==")]
    EqEq,
    #[token("!=")]
    NotEq,
    #[token("<")]
    Lt,
    #[token("<=")]
    Le,
    #[token(">")]
    Gt,
    #[token(">=")]
    Ge,
    /// Anything the lexer does not recognise (one character).
    Unknown,
    /// The end of the expression text.
    Eof,
}

/// Keywords, recognised from identifier text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Keyword {
    And,
    Or,
    Not,
    In,
    True,
    False,
    Null,
}

/// The keyword an identifier spells, if any. Logical keywords are all lower or all upper case.
pub(crate) fn keyword(ident: &str) -> Option<Keyword> {
    Some(match ident {
        "and" | "AND" => Keyword::And,
        "or" | "OR" => Keyword::Or,
        "not" | "NOT" => Keyword::Not,
        "in" => Keyword::In,
        "true" | "True" | "TRUE" => Keyword::True,
        "false" | "False" | "FALSE" => Keyword::False,
        "null" | "Null" | "NULL" => Keyword::Null,
        _ => return None,
    })
}

/// A token with its byte range in the lexed text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: Tok,
    pub start: usize,
    pub end: usize,
}

/// Lexes `text` completely; the last token is always [`Tok::Eof`] at `text.len()`.
pub(crate) fn tokenize(text: &str) -> Vec<Token> {
    let mut lexer = Tok::lexer(text);
    let mut tokens = Vec::with_capacity(text.len() / 3 + 2);
    while let Some(result) = lexer.next() {
        let span = lexer.span();
        let kind = result.unwrap_or(Tok::Unknown);
        tokens.push(Token { kind, start: span.start, end: span.end });
    }
    tokens.push(Token { kind: Tok::Eof, start: text.len(), end: text.len() });
    tokens
}

/// What a token of expression text is, for tools that read text as it is being typed (the
/// language server): the same lexer as the parser's, with the kinds that such tools need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenClass {
    /// A name or keyword.
    Name,
    /// A number.
    Number,
    /// A closed string literal.
    String,
    /// A string literal still open at the end of the text.
    OpenString,
    /// An operator, bracket, separator, or a character the language does not have.
    Punct,
}

/// A token of expression text and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextToken {
    /// What it is.
    pub class: TokenClass,
    /// Where it is.
    pub range: std::ops::Range<usize>,
}

/// The tokens of expression text, white space left out.
pub fn scan(text: &str) -> Vec<TextToken> {
    tokenize(text)
        .into_iter()
        .filter(|t| t.kind != Tok::Eof)
        .map(|t| {
            let class = match t.kind {
                Tok::Ident => TokenClass::Name,
                Tok::Int | Tok::Double => TokenClass::Number,
                Tok::Str => TokenClass::String,
                Tok::UnterminatedStr => TokenClass::OpenString,
                _ => TokenClass::Punct,
            };
            TextToken { class, range: t.start..t.end }
        })
        .collect()
}

/// Decodes the escapes of a string token (quotes included in `raw`).
/// Unknown escapes keep the escaped character.
pub(crate) fn unescape(raw: &str) -> String {
    let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or("");
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('u') => {
                let hex: String = chars.clone().take(4).collect();
                match u32::from_str_radix(&hex, 16).ok().filter(|_| hex.len() == 4).and_then(char::from_u32) {
                    Some(ch) => {
                        out.push(ch);
                        chars.nth(3);
                    }
                    None => out.push('u'),
                }
            }
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<Tok> {
        tokenize(text).into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn lexes_operators_and_literals() {
        use Tok::*;
        assert_eq!(kinds("a // 2 <= 1.5e3"), vec![Ident, SlashSlash, Int, Le, Double, Eof]);
        assert_eq!(kinds(r#""a\"b" 'c'"#), vec![Str, Str, Eof]);
        assert_eq!(kinds("\"abc"), vec![UnterminatedStr, Eof]);
        assert_eq!(kinds("a.b[0]"), vec![Ident, Dot, Ident, LBracket, Int, RBracket, Eof]);
        assert_eq!(kinds("x ? y"), vec![Ident, Unknown, Ident, Eof]);
    }

    #[test]
    fn unescapes() {
        assert_eq!(unescape(r#""a\n\"\\\u00e9""#), "a\n\"\\é");
        assert_eq!(unescape(r"'it\'s'"), "it's");
    }
}

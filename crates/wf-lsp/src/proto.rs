//! The one module that knows the Language Server Protocol: it decodes requests and
//! notifications into our types (byte offsets, spans), and encodes the results of the IDE
//! functions into LSP structs. Positions on a line are counted in UTF-16 code units, unless
//! the client offers UTF-8.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use lsp_types as lsp;
use serde_json::{Value, json};
use wf_syntax::{Diagnostic, Severity, SourceFile, Span};

use crate::features::actions::Action;
use crate::features::completion::{Completion, CompletionKind};
use crate::features::diagnostics::{Tag, doc_url, tags};
use crate::features::hover::Hover;
use crate::features::inlay::InlayHint;
use crate::features::semantic::{Token, TokenKind, modifier};
use crate::features::signature::Signature;
use crate::features::symbols::{DocSymbol, FoundSymbol, SymbolKind};
use crate::features::{Doc, TextEdit};

/// How positions count characters on a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    /// Bytes.
    Utf8,
    /// UTF-16 code units (the LSP default).
    Utf16,
}

/// What the client said in `initialize`.
#[derive(Debug, Clone)]
pub(crate) struct Init {
    pub encoding: Encoding,
    pub snippets: bool,
    pub roots: Vec<PathBuf>,
}

/// A position as the client sends it: a 0-based line and a column in [`Encoding`] units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pos {
    pub line: u32,
    pub character: u32,
}

/// A change to a document: replace the range (or everything) with the text.
#[derive(Debug, Clone)]
pub(crate) struct Change {
    pub range: Option<(Pos, Pos)>,
    pub text: String,
}

/// A notification from the client, decoded.
#[derive(Debug)]
pub(crate) enum Notice {
    Open {
        uri: String,
        name: String,
        version: i32,
        text: String,
    },
    Change {
        uri: String,
        version: i32,
        changes: Vec<Change>,
    },
    Close {
        uri: String,
    },
    /// Anything we do not act on.
    Ignored,
}

/// A request about a document, decoded.
#[derive(Debug)]
pub(crate) enum Query {
    Hover(Pos),
    Completion(Pos),
    Definition(Pos),
    References(Pos, bool),
    PrepareRename(Pos),
    Rename(Pos, String),
    DocumentSymbols,
    SemanticTokens,
    SignatureHelp(Pos),
    CodeActions(Pos, Pos),
    InlayHints(Pos, Pos),
}

fn parse<T: serde::de::DeserializeOwned>(params: Value) -> Result<T, String> {
    serde_json::from_value(params).map_err(|e| format!("invalid parameters: {e}"))
}

fn pos(p: lsp::Position) -> Pos {
    Pos { line: p.line, character: p.character }
}

/// Reads `initialize` parameters.
pub(crate) fn decode_init(params: Value) -> Init {
    let Ok(p) = serde_json::from_value::<lsp::InitializeParams>(params) else {
        return Init { encoding: Encoding::Utf16, snippets: false, roots: Vec::new() };
    };
    let offered = p.capabilities.general.as_ref().and_then(|g| g.position_encodings.clone()).unwrap_or_default();
    let encoding = if offered.contains(&lsp::PositionEncodingKind::UTF8) { Encoding::Utf8 } else { Encoding::Utf16 };
    let snippets = p
        .capabilities
        .text_document
        .as_ref()
        .and_then(|t| t.completion.as_ref())
        .and_then(|c| c.completion_item.as_ref())
        .and_then(|i| i.snippet_support)
        .unwrap_or(false);
    let mut roots: Vec<PathBuf> =
        p.workspace_folders.unwrap_or_default().iter().filter_map(|f| uri_to_path(f.uri.as_str())).collect();
    #[allow(deprecated)]
    if roots.is_empty()
        && let Some(root) = p.root_uri.as_ref().and_then(|u| uri_to_path(u.as_str()))
    {
        roots.push(root);
    }
    Init { encoding, snippets, roots }
}

/// The answer to `initialize`: what this server can do.
pub(crate) fn initialize_result(init: &Init) -> Value {
    let legend = lsp::SemanticTokensLegend {
        token_types: TokenKind::ALL.iter().map(|k| lsp::SemanticTokenType::new(token_type(*k))).collect(),
        token_modifiers: modifier::NAMES.iter().map(|m| lsp::SemanticTokenModifier::new(m)).collect(),
    };
    let caps = lsp::ServerCapabilities {
        position_encoding: Some(match init.encoding {
            Encoding::Utf8 => lsp::PositionEncodingKind::UTF8,
            Encoding::Utf16 => lsp::PositionEncodingKind::UTF16,
        }),
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(lsp::TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
            ..Default::default()
        })),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        completion_provider: Some(lsp::CompletionOptions {
            trigger_characters: Some([".", ":", "{", "$", " ", "\""].iter().map(|s| s.to_string()).collect()),
            resolve_provider: Some(false),
            ..Default::default()
        }),
        signature_help_provider: Some(lsp::SignatureHelpOptions {
            trigger_characters: Some(vec!["(".into(), ",".into()]),
            retrigger_characters: Some(vec![" ".into(), ":".into()]),
            work_done_progress_options: Default::default(),
        }),
        definition_provider: Some(lsp::OneOf::Left(true)),
        references_provider: Some(lsp::OneOf::Left(true)),
        rename_provider: Some(lsp::OneOf::Right(lsp::RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        document_symbol_provider: Some(lsp::OneOf::Left(true)),
        workspace_symbol_provider: Some(lsp::OneOf::Left(true)),
        semantic_tokens_provider: Some(lsp::SemanticTokensServerCapabilities::SemanticTokensOptions(
            lsp::SemanticTokensOptions {
                legend,
                full: Some(lsp::SemanticTokensFullOptions::Bool(true)),
                range: None,
                work_done_progress_options: Default::default(),
            },
        )),
        code_action_provider: Some(lsp::CodeActionProviderCapability::Options(lsp::CodeActionOptions {
            code_action_kinds: Some(vec![lsp::CodeActionKind::QUICKFIX]),
            ..Default::default()
        })),
        inlay_hint_provider: Some(lsp::OneOf::Left(true)),
        ..Default::default()
    };
    json!({
        "capabilities": caps,
        "serverInfo": { "name": "wf-lsp", "version": env!("CARGO_PKG_VERSION") },
    })
}

/// Decodes a notification.
pub(crate) fn decode_notification(method: &str, params: Value) -> Result<Notice, String> {
    Ok(match method {
        "textDocument/didOpen" => {
            let p: lsp::DidOpenTextDocumentParams = parse(params)?;
            let uri = p.text_document.uri.as_str().to_string();
            let mut name = uri.clone();
            if p.text_document.language_id == "json" && !name.to_ascii_lowercase().ends_with(".json") {
                name.push_str("#.json");
            }
            Notice::Open { uri, name, version: p.text_document.version, text: p.text_document.text }
        }
        "textDocument/didChange" => {
            let p: lsp::DidChangeTextDocumentParams = parse(params)?;
            let changes = p
                .content_changes
                .into_iter()
                .map(|c| Change { range: c.range.map(|r| (pos(r.start), pos(r.end))), text: c.text })
                .collect();
            Notice::Change { uri: p.text_document.uri.as_str().to_string(), version: p.text_document.version, changes }
        }
        "textDocument/didClose" => {
            let p: lsp::DidCloseTextDocumentParams = parse(params)?;
            Notice::Close { uri: p.text_document.uri.as_str().to_string() }
        }
        _ => Notice::Ignored,
    })
}

/// Decodes a request about one document: its URI and what it asks. `Ok(None)` for methods
/// that are not about one document.
pub(crate) fn decode_query(method: &str, params: Value) -> Result<Option<(String, Query)>, String> {
    let at = |p: lsp::TextDocumentPositionParams| (p.text_document.uri.as_str().to_string(), pos(p.position));
    let (uri, query) = match method {
        "textDocument/hover" => {
            let (u, p) = at(parse::<lsp::HoverParams>(params)?.text_document_position_params);
            (u, Query::Hover(p))
        }
        "textDocument/completion" => {
            let (u, p) = at(parse::<lsp::CompletionParams>(params)?.text_document_position);
            (u, Query::Completion(p))
        }
        "textDocument/definition" => {
            let (u, p) = at(parse::<lsp::GotoDefinitionParams>(params)?.text_document_position_params);
            (u, Query::Definition(p))
        }
        "textDocument/references" => {
            let r: lsp::ReferenceParams = parse(params)?;
            let (u, p) = at(r.text_document_position);
            (u, Query::References(p, r.context.include_declaration))
        }
        "textDocument/prepareRename" => {
            let (u, p) = at(parse::<lsp::TextDocumentPositionParams>(params)?);
            (u, Query::PrepareRename(p))
        }
        "textDocument/rename" => {
            let r: lsp::RenameParams = parse(params)?;
            let (u, p) = at(r.text_document_position);
            (u, Query::Rename(p, r.new_name))
        }
        "textDocument/documentSymbol" => {
            let p: lsp::DocumentSymbolParams = parse(params)?;
            (p.text_document.uri.as_str().to_string(), Query::DocumentSymbols)
        }
        "textDocument/semanticTokens/full" => {
            let p: lsp::SemanticTokensParams = parse(params)?;
            (p.text_document.uri.as_str().to_string(), Query::SemanticTokens)
        }
        "textDocument/signatureHelp" => {
            let (u, p) = at(parse::<lsp::SignatureHelpParams>(params)?.text_document_position_params);
            (u, Query::SignatureHelp(p))
        }
        "textDocument/codeAction" => {
            let p: lsp::CodeActionParams = parse(params)?;
            (p.text_document.uri.as_str().to_string(), Query::CodeActions(pos(p.range.start), pos(p.range.end)))
        }
        "textDocument/inlayHint" => {
            let p: lsp::InlayHintParams = parse(params)?;
            (p.text_document.uri.as_str().to_string(), Query::InlayHints(pos(p.range.start), pos(p.range.end)))
        }
        _ => return Ok(None),
    };
    Ok(Some((uri, query)))
}

/// The query of a `workspace/symbol` request.
pub(crate) fn decode_workspace_symbol(params: Value) -> Result<String, String> {
    Ok(parse::<lsp::WorkspaceSymbolParams>(params)?.query)
}

/// The byte offset of a client position in `file` (clamped to the line and the file).
pub(crate) fn offset(file: &SourceFile, p: Pos, enc: Encoding) -> u32 {
    let lines = file.lines();
    let text = file.text.as_str();
    if p.line as usize >= lines.line_count() {
        return text.len() as u32;
    }
    let start = lines.line_start(p.line as usize) as usize;
    let end = lines.line_start(p.line as usize + 1) as usize;
    let line = text.get(start..end).unwrap_or("");
    let line = line.strip_suffix('\n').unwrap_or(line);
    let line = line.strip_suffix('\r').unwrap_or(line);
    let within = match enc {
        Encoding::Utf8 => {
            let mut n = (p.character as usize).min(line.len());
            while !line.is_char_boundary(n) {
                n -= 1;
            }
            n
        }
        Encoding::Utf16 => {
            let mut units = 0u32;
            line.char_indices()
                .find(|(_, c)| {
                    units += c.len_utf16() as u32;
                    units > p.character
                })
                .map_or(line.len(), |(i, _)| i)
        }
    };
    (start + within) as u32
}

/// The client position of byte `offset` of `file`.
pub(crate) fn position(file: &SourceFile, offset: u32, enc: Encoding) -> lsp::Position {
    let text = file.text.as_str();
    let mut offset = (offset as usize).min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let line = file.lines().line_of(offset as u32);
    let start = file.lines().line_start(line) as usize;
    let before = &text[start.min(offset)..offset];
    let character = match enc {
        Encoding::Utf8 => before.len(),
        Encoding::Utf16 => before.encode_utf16().count(),
    };
    lsp::Position { line: line as u32, character: character as u32 }
}

/// Client positions of non-decreasing byte offsets of one file, each counted on from the
/// last: converting every token of a file costs one pass over it, even on a long line
/// (a minified JSON workflow is one). An offset before the last one is counted from the
/// start of its line, as [`position`] does.
struct Cursor<'f> {
    file: &'f SourceFile,
    enc: Encoding,
    /// The 0-based line of `at`.
    line: usize,
    /// The byte offset of the last position.
    at: usize,
    /// Its column, in the client's units.
    character: usize,
}

impl<'f> Cursor<'f> {
    fn new(file: &'f SourceFile, enc: Encoding) -> Cursor<'f> {
        Cursor { file, enc, line: 0, at: 0, character: 0 }
    }

    fn position(&mut self, offset: u32) -> lsp::Position {
        let text = self.file.text.as_str();
        let mut offset = (offset as usize).min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let lines = self.file.lines();
        let line_end = lines.line_start(self.line + 1) as usize;
        if offset < self.at || offset >= line_end {
            self.line = lines.line_of(offset as u32);
            self.at = (lines.line_start(self.line) as usize).min(offset);
            self.character = 0;
        }
        let between = &text[self.at..offset];
        self.character += match self.enc {
            Encoding::Utf8 => between.len(),
            Encoding::Utf16 => between.encode_utf16().count(),
        };
        self.at = offset;
        lsp::Position { line: self.line as u32, character: self.character as u32 }
    }
}

fn range(file: &SourceFile, span: Span, enc: Encoding) -> lsp::Range {
    lsp::Range { start: position(file, span.start, enc), end: position(file, span.end, enc) }
}

/// Applies one change to `text`.
pub(crate) fn apply_change(text: &str, change: &Change, enc: Encoding) -> String {
    let Some((start, end)) = change.range else { return change.text.clone() };
    let file = SourceFile::new("", text);
    let (s, e) = (offset(&file, start, enc) as usize, offset(&file, end, enc) as usize);
    let (s, e) = (s.min(e), s.max(e));
    let mut out = String::with_capacity(text.len() + change.text.len());
    out.push_str(&text[..s]);
    out.push_str(&change.text);
    out.push_str(&text[e..]);
    out
}

fn uri(s: &str) -> Result<lsp::Uri, String> {
    s.parse::<lsp::Uri>().map_err(|e| format!("invalid URI `{s}`: {e}"))
}

fn markdown(value: String) -> lsp::MarkupContent {
    lsp::MarkupContent { kind: lsp::MarkupKind::Markdown, value }
}

fn diagnostic(file: &SourceFile, uri_text: &str, d: &Diagnostic, enc: Encoding) -> lsp::Diagnostic {
    let mut message = d.message.clone();
    for n in &d.notes {
        message.push_str("\nnote: ");
        message.push_str(n);
    }
    if let Some(h) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(h);
    }
    let related: Vec<lsp::DiagnosticRelatedInformation> = uri(uri_text)
        .map(|u| {
            d.labels
                .iter()
                .map(|l| lsp::DiagnosticRelatedInformation {
                    location: lsp::Location { uri: u.clone(), range: range(file, l.span, enc) },
                    message: l.message.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    let tags: Vec<lsp::DiagnosticTag> = tags(d.code)
        .into_iter()
        .map(|t| match t {
            Tag::Unnecessary => lsp::DiagnosticTag::UNNECESSARY,
            Tag::Deprecated => lsp::DiagnosticTag::DEPRECATED,
        })
        .collect();
    lsp::Diagnostic {
        range: range(file, d.span, enc),
        severity: Some(match d.severity {
            Severity::Error => lsp::DiagnosticSeverity::ERROR,
            Severity::Warning => lsp::DiagnosticSeverity::WARNING,
            Severity::Note => lsp::DiagnosticSeverity::INFORMATION,
        }),
        code: Some(lsp::NumberOrString::String(d.code.to_string())),
        code_description: doc_url(d.code).and_then(|u| uri(&u).ok()).map(|href| lsp::CodeDescription { href }),
        source: Some("wf".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: (!tags.is_empty()).then_some(tags),
        data: None,
    }
}

/// The `textDocument/publishDiagnostics` parameters for a document.
pub(crate) fn publish_diagnostics(uri_text: &str, version: Option<i32>, doc: Option<&Doc>, enc: Encoding) -> Value {
    match doc {
        Some(doc) => {
            publish_diagnostics_of(uri_text, version, &doc.file, crate::features::diagnostics::diagnostics(doc), enc)
        }
        None => json!({ "uri": uri_text, "version": version, "diagnostics": [] }),
    }
}

/// A `textDocument/publishDiagnostics` notification's parameters for `diags` of `file`.
pub(crate) fn publish_diagnostics_of(
    uri_text: &str,
    version: Option<i32>,
    file: &SourceFile,
    diags: &[wf_syntax::Diagnostic],
    enc: Encoding,
) -> Value {
    let diagnostics: Vec<lsp::Diagnostic> = diags.iter().map(|d| diagnostic(file, uri_text, d, enc)).collect();
    json!({ "uri": uri_text, "version": version, "diagnostics": diagnostics })
}

/// A `window/logMessage` notification's parameters.
pub(crate) fn log_message(error: bool, message: &str) -> Value {
    let typ = if error { lsp::MessageType::ERROR } else { lsp::MessageType::INFO };
    json!(lsp::LogMessageParams { typ, message: message.to_string() })
}

fn to_value<T: serde::Serialize>(v: T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// A hover.
pub(crate) fn hover(file: &SourceFile, h: Option<Hover>, enc: Encoding) -> Value {
    to_value(h.map(|h| lsp::Hover {
        contents: lsp::HoverContents::Markup(markdown(h.markdown)),
        range: Some(range(file, h.span, enc)),
    }))
}

fn edit(file: &SourceFile, e: &TextEdit, enc: Encoding) -> lsp::TextEdit {
    lsp::TextEdit { range: range(file, e.span, enc), new_text: e.text.clone() }
}

/// A completion list.
pub(crate) fn completion(file: &SourceFile, items: Vec<Completion>, enc: Encoding) -> Value {
    let items: Vec<lsp::CompletionItem> = items
        .into_iter()
        .map(|c| {
            let multi_line = c.edit.text.contains('\n');
            lsp::CompletionItem {
                kind: Some(match c.kind {
                    CompletionKind::Key => lsp::CompletionItemKind::PROPERTY,
                    CompletionKind::Function => lsp::CompletionItemKind::FUNCTION,
                    CompletionKind::Module => lsp::CompletionItemKind::MODULE,
                    CompletionKind::Variable => lsp::CompletionItemKind::VARIABLE,
                    CompletionKind::Field => lsp::CompletionItemKind::FIELD,
                    CompletionKind::Value => lsp::CompletionItemKind::ENUM_MEMBER,
                    CompletionKind::Step => lsp::CompletionItemKind::REFERENCE,
                    CompletionKind::Subworkflow => lsp::CompletionItemKind::METHOD,
                    CompletionKind::Keyword => lsp::CompletionItemKind::KEYWORD,
                    CompletionKind::Snippet => lsp::CompletionItemKind::SNIPPET,
                }),
                detail: c.detail,
                documentation: c.documentation.map(|d| lsp::Documentation::MarkupContent(markdown(d))),
                sort_text: Some(c.sort),
                filter_text: Some(c.label.clone()),
                insert_text_format: Some(if c.snippet {
                    lsp::InsertTextFormat::SNIPPET
                } else {
                    lsp::InsertTextFormat::PLAIN_TEXT
                }),
                insert_text_mode: multi_line.then_some(lsp::InsertTextMode::AS_IS),
                text_edit: Some(lsp::CompletionTextEdit::Edit(edit(file, &c.edit, enc))),
                label: c.label,
                ..Default::default()
            }
        })
        .collect();
    to_value(lsp::CompletionResponse::List(lsp::CompletionList { is_incomplete: false, items }))
}

/// Locations in one document.
pub(crate) fn locations(file: &SourceFile, uri_text: &str, spans: &[Span], enc: Encoding) -> Value {
    let Ok(u) = uri(uri_text) else { return Value::Null };
    let list: Vec<lsp::Location> =
        spans.iter().map(|s| lsp::Location { uri: u.clone(), range: range(file, *s, enc) }).collect();
    to_value(list)
}

/// The answer to `prepareRename`.
pub(crate) fn prepare_rename(file: &SourceFile, span: Span, placeholder: String, enc: Encoding) -> Value {
    to_value(lsp::PrepareRenameResponse::RangeWithPlaceholder { range: range(file, span, enc), placeholder })
}

/// A workspace edit with edits to one document.
pub(crate) fn workspace_edit(file: &SourceFile, uri_text: &str, edits: &[TextEdit], enc: Encoding) -> Value {
    to_value(workspace_edit_of(file, uri_text, edits, enc))
}

// `WorkspaceEdit::changes` is keyed by `Uri`, whose cached parts are the interior
// mutability clippy sees; hashing uses the text only. `changes` (not `documentChanges`)
// works with every client.
#[allow(clippy::mutable_key_type)]
fn workspace_edit_of(
    file: &SourceFile,
    uri_text: &str,
    edits: &[TextEdit],
    enc: Encoding,
) -> Option<lsp::WorkspaceEdit> {
    let u = uri(uri_text).ok()?;
    let changes = HashMap::from([(u, edits.iter().map(|e| edit(file, e, enc)).collect())]);
    Some(lsp::WorkspaceEdit { changes: Some(changes), ..Default::default() })
}

fn symbol_kind(k: SymbolKind) -> lsp::SymbolKind {
    match k {
        SymbolKind::Subworkflow => lsp::SymbolKind::FUNCTION,
        SymbolKind::Branch => lsp::SymbolKind::NAMESPACE,
        SymbolKind::Step(kind) => match kind {
            "assign" => lsp::SymbolKind::VARIABLE,
            "call" => lsp::SymbolKind::METHOD,
            "switch" => lsp::SymbolKind::ENUM,
            "for" => lsp::SymbolKind::ARRAY,
            "parallel" => lsp::SymbolKind::STRUCT,
            "try" => lsp::SymbolKind::EVENT,
            "return" | "raise" => lsp::SymbolKind::CONSTANT,
            "steps" => lsp::SymbolKind::PACKAGE,
            _ => lsp::SymbolKind::FIELD,
        },
    }
}

#[allow(deprecated)]
fn document_symbol(file: &SourceFile, s: DocSymbol, enc: Encoding) -> lsp::DocumentSymbol {
    lsp::DocumentSymbol {
        name: if s.name.is_empty() { "(unnamed)".into() } else { s.name },
        detail: s.detail,
        kind: symbol_kind(s.kind),
        tags: None,
        deprecated: None,
        range: range(file, s.span.cover(s.selection), enc),
        selection_range: range(file, s.selection, enc),
        children: Some(s.children.into_iter().map(|c| document_symbol(file, c, enc)).collect()),
    }
}

/// The outline of a document.
pub(crate) fn document_symbols(file: &SourceFile, symbols: Vec<DocSymbol>, enc: Encoding) -> Value {
    let list: Vec<lsp::DocumentSymbol> = symbols.into_iter().map(|s| document_symbol(file, s, enc)).collect();
    to_value(lsp::DocumentSymbolResponse::Nested(list))
}

/// Workspace symbols: for each file, its URI, its text and what was found in it.
#[allow(deprecated)]
pub(crate) fn workspace_symbols(found: &[(String, &SourceFile, Vec<FoundSymbol>)], enc: Encoding) -> Value {
    let mut list = Vec::new();
    for (uri_text, file, symbols) in found {
        let Ok(u) = uri(uri_text) else { continue };
        for s in symbols {
            list.push(lsp::SymbolInformation {
                name: s.name.clone(),
                kind: symbol_kind(s.kind),
                tags: None,
                deprecated: None,
                location: lsp::Location { uri: u.clone(), range: range(file, s.span, enc) },
                container_name: s.container.clone(),
            });
        }
    }
    to_value(lsp::WorkspaceSymbolResponse::Flat(list))
}

fn token_type(k: TokenKind) -> &'static str {
    match k {
        TokenKind::Namespace => "namespace",
        TokenKind::Function => "function",
        TokenKind::Variable => "variable",
        TokenKind::Parameter => "parameter",
        TokenKind::Property => "property",
        TokenKind::String => "string",
        TokenKind::Number => "number",
        TokenKind::Keyword => "keyword",
        TokenKind::Operator => "operator",
    }
}

/// Semantic tokens, encoded relative to each other.
pub(crate) fn semantic_tokens(file: &SourceFile, tokens: &[Token], enc: Encoding) -> Value {
    let mut data = Vec::with_capacity(tokens.len());
    let (mut line, mut col) = (0u32, 0u32);
    let mut cursor = Cursor::new(file, enc);
    for t in tokens {
        let start = cursor.position(t.span.start);
        let end = cursor.position(t.span.end);
        if end.line != start.line {
            continue;
        }
        let delta_line = start.line - line;
        let delta_start = if delta_line == 0 { start.character - col } else { start.character };
        data.push(lsp::SemanticToken {
            delta_line,
            delta_start,
            length: end.character - start.character,
            token_type: TokenKind::ALL.iter().position(|k| *k == t.kind).unwrap_or(0) as u32,
            token_modifiers_bitset: t.modifiers,
        });
        (line, col) = (start.line, start.character);
    }
    to_value(lsp::SemanticTokensResult::Tokens(lsp::SemanticTokens { result_id: None, data }))
}

/// Signature help.
pub(crate) fn signature_help(s: Option<Signature>) -> Value {
    to_value(s.map(|s| {
        let utf16 = |i: u32| s.label[..i as usize].encode_utf16().count() as u32;
        let parameters = s
            .params
            .iter()
            .map(|(span, doc)| lsp::ParameterInformation {
                label: lsp::ParameterLabel::LabelOffsets([utf16(span.start), utf16(span.end)]),
                documentation: Some(lsp::Documentation::String(doc.clone())),
            })
            .collect();
        lsp::SignatureHelp {
            signatures: vec![lsp::SignatureInformation {
                label: s.label.clone(),
                documentation: s.doc.clone().map(lsp::Documentation::String),
                parameters: Some(parameters),
                active_parameter: s.active.map(|a| a as u32),
            }],
            active_signature: Some(0),
            active_parameter: s.active.map(|a| a as u32),
        }
    }))
}

/// Code actions, each linked to the diagnostic it fixes.
pub(crate) fn code_actions(doc: &Doc, uri_text: &str, actions: Vec<Action>, enc: Encoding) -> Value {
    let diags = crate::features::diagnostics::diagnostics(doc);
    let list: Vec<lsp::CodeActionOrCommand> = actions
        .into_iter()
        .map(|a| {
            lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title: a.title,
                kind: Some(lsp::CodeActionKind::QUICKFIX),
                diagnostics: a
                    .diagnostic
                    .and_then(|i| diags.get(i))
                    .map(|d| vec![diagnostic(&doc.file, uri_text, d, enc)]),
                edit: workspace_edit_of(&doc.file, uri_text, &a.edits, enc),
                is_preferred: Some(a.preferred),
                ..Default::default()
            })
        })
        .collect();
    to_value(list)
}

/// Inlay hints.
pub(crate) fn inlay_hints(file: &SourceFile, hints: Vec<InlayHint>, enc: Encoding) -> Value {
    let list: Vec<lsp::InlayHint> = hints
        .into_iter()
        .map(|h| lsp::InlayHint {
            position: position(file, h.offset, enc),
            label: lsp::InlayHintLabel::String(h.label),
            kind: Some(lsp::InlayHintKind::TYPE),
            text_edits: None,
            tooltip: None,
            padding_left: Some(true),
            padding_right: None,
            data: None,
        })
        .collect();
    to_value(list)
}

/// The file path of a `file:` URI.
pub(crate) fn uri_to_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = rest.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).ok().map(PathBuf::from)
}

/// The `file:` URI of a path.
pub(crate) fn path_to_uri(path: &Path) -> String {
    let mut out = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_positions_round_trip() {
        let file = SourceFile::new("t.yaml", "a: \"é😀x\"\r\nb: 1\n");
        let x = file.text.find('x').unwrap() as u32;
        let p = position(&file, x, Encoding::Utf16);
        assert_eq!((p.line, p.character), (0, 7), "é is one unit, 😀 two");
        assert_eq!(offset(&file, Pos { line: 0, character: 7 }, Encoding::Utf16), x);
        assert_eq!(position(&file, x, Encoding::Utf8).character, 10);
        // Past the end of a line: its end (before \r\n); past the last line: the end.
        let eol = file.text.find('\r').unwrap() as u32;
        assert_eq!(offset(&file, Pos { line: 0, character: 99 }, Encoding::Utf16), eol);
        assert_eq!(offset(&file, Pos { line: 9, character: 0 }, Encoding::Utf16), file.text.len() as u32);
        let b = file.text.find('b').unwrap() as u32;
        assert_eq!(position(&file, b, Encoding::Utf16), lsp::Position { line: 1, character: 0 });
    }

    #[test]
    fn the_cursor_gives_the_positions_of_position() {
        let text = "a: \"é😀x\"\r\nb: 1\n\n{\"c\": [\"ü\", \"😀😀\", 1, 2]}";
        let file = SourceFile::new("t.yaml", text);
        for enc in [Encoding::Utf16, Encoding::Utf8] {
            // Every offset in order (in a character too), then again with a step back.
            let mut cursor = Cursor::new(&file, enc);
            let offsets = (0..=text.len() as u32 + 2).chain([3, 1, 20, 7]);
            for o in offsets {
                assert_eq!(cursor.position(o), position(&file, o, enc), "offset {o}, {enc:?}");
            }
        }
    }

    /// The (line, column) of every byte offset of `text` that starts a character, and of its
    /// end, counted in one pass: the reference for the encoded tokens.
    fn position_table(text: &str, enc: Encoding) -> HashMap<u32, (u32, u32)> {
        let mut table = HashMap::new();
        let (mut line, mut col) = (0u32, 0u32);
        for (i, c) in text.char_indices() {
            table.insert(i as u32, (line, col));
            if c == '\n' {
                (line, col) = (line + 1, 0);
            } else {
                col += match enc {
                    Encoding::Utf8 => c.len_utf8() as u32,
                    Encoding::Utf16 => c.len_utf16() as u32,
                };
            }
        }
        table.insert(text.len() as u32, (line, col));
        table
    }

    /// The semantic tokens of a large YAML workflow and of a large one-line JSON workflow
    /// with non-ASCII strings (each position counted on from the last; counting each from
    /// its line's start was quadratic on such a line): every token, at the position a
    /// plain count gives.
    #[test]
    fn semantic_tokens_of_large_documents_are_where_a_plain_count_puts_them() {
        let steps: Vec<Value> = (0..5_000)
            .map(|i| {
                let value = if i == 0 {
                    "${\"é😀\" + string(0)}".to_string()
                } else {
                    format!("${{v{} + \"ü😀\"}}", i - 1)
                };
                json!({ format!("s{i}"): { "assign": [{ format!("v{i}"): value }] } })
            })
            .chain([json!({ "done": { "return": "${v4999}" } })])
            .collect();
        let json_text = serde_json::to_string(&json!({ "main": { "steps": steps } })).expect("json");
        let docs =
            [Doc::new("big.yaml", wf_syntax::generate::generated_steps(20_000)), Doc::new("big.json", json_text)];
        for doc in &docs {
            let tokens = crate::features::semantic::tokens(doc);
            assert!(tokens.len() > 10_000, "{} tokens in {}", tokens.len(), doc.file.name);
            for enc in [Encoding::Utf16, Encoding::Utf8] {
                let table = position_table(doc.text(), enc);
                let mut expected = Vec::new();
                let (mut line, mut col) = (0, 0);
                for t in &tokens {
                    let (start, end) = (table[&t.span.start], table[&t.span.end]);
                    let delta_start = if start.0 == line { start.1 - col } else { start.1 };
                    expected.extend([start.0 - line, delta_start, end.1 - start.1]);
                    (line, col) = start;
                }
                let encoded = semantic_tokens(&doc.file, &tokens, enc);
                let data = encoded["data"].as_array().expect("data");
                let got: Vec<u32> =
                    data.chunks(5).flat_map(|t| t[..3].iter().map(|n| n.as_u64().unwrap_or(0) as u32)).collect();
                assert_eq!(got.len(), expected.len(), "{}, {enc:?}", doc.file.name);
                assert!(got == expected, "{}, {enc:?}: the encoded tokens differ", doc.file.name);
            }
        }
    }

    #[test]
    fn changes_apply_in_utf16() {
        let change =
            Change { range: Some((Pos { line: 0, character: 5 }, Pos { line: 0, character: 6 })), text: "Z".into() };
        assert_eq!(apply_change("a: 😀x\n", &change, Encoding::Utf16), "a: 😀Z\n");
        let whole = Change { range: None, text: "new".into() };
        assert_eq!(apply_change("old", &whole, Encoding::Utf16), "new");
    }

    #[test]
    fn uris_and_paths() {
        let p = uri_to_path("file:///tmp/a%20b/w.yaml").expect("a path");
        assert_eq!(p, PathBuf::from("/tmp/a b/w.yaml"));
        assert_eq!(path_to_uri(&p), "file:///tmp/a%20b/w.yaml");
        assert!(uri_to_path("untitled:1").is_none());
    }
}

//! Terminal rendering with ariadne (byte-indexed spans).

use ariadne::{Config, IndexType, Label, Report, ReportKind, Source};
use wf_syntax::{Diagnostic, Severity, SourceFile};

/// Renders `diags` of `file` as rustc-style reports. `color` adds ANSI colours.
pub fn render_human(file: &SourceFile, diags: &[Diagnostic], color: bool) -> String {
    let mut out = Vec::new();
    let source = Source::from(file.text.as_str());
    let name = file.name.as_str();
    let clamp = |span: wf_syntax::Span| {
        let len = file.text.len();
        let start = (span.start as usize).min(len);
        let end = (span.end as usize).clamp(start, len);
        (name, start..end)
    };
    for d in diags {
        let kind = match d.severity {
            Severity::Error => ReportKind::Error,
            Severity::Warning => ReportKind::Warning,
            Severity::Note => ReportKind::Advice,
        };
        let config = Config::default().with_color(color).with_index_type(IndexType::Byte);
        let mut report =
            Report::build(kind, clamp(d.span)).with_config(config).with_code(d.code).with_message(&d.message);
        // ariadne draws labels in one snippet only when they are added in source order.
        let mut labels: Vec<(wf_syntax::Span, &str)> = vec![(d.span, d.label.as_str())];
        labels.extend(d.labels.iter().map(|l| (l.span, l.message.as_str())));
        labels.sort_by_key(|(span, _)| (span.start, span.end));
        for (span, message) in labels {
            report = report.with_label(Label::new(clamp(span)).with_message(message));
        }
        for note in &d.notes {
            report = report.with_note(note);
        }
        if let Some(help) = &d.help {
            report = report.with_help(help);
        }
        if let Some(info) = wf_check::codes::lookup(d.code) {
            report = report.with_note(format!("`wf explain {}` for more about {}", info.code, info.name));
        }
        // Writing into a Vec cannot fail; a rendering error would only lose this report.
        let _ = report.finish().write((name, &source), &mut out);
    }
    String::from_utf8_lossy(&out).into_owned()
}

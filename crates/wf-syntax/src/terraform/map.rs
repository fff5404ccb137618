//! The rendered text of a template with, for every byte, where it came from in the
//! template: copied text maps one to one; a value put in for a placeholder maps to the
//! whole `${ ... }` it replaces.

use crate::Span;
use crate::span::to_u32;

#[derive(Debug, Clone, Copy)]
struct Piece {
    /// Where the piece starts in the rendered text.
    rendered: u32,
    len: u32,
    /// Copied from `template.start` on, or put in for the placeholder at `template`.
    template: Span,
    copied: bool,
}

/// Rendered text and its map back to the template.
#[derive(Debug, Clone, Default)]
pub(crate) struct Rendered {
    pub text: String,
    pieces: Vec<Piece>,
}

impl Rendered {
    /// Appends `template_text[span]`.
    pub(crate) fn copy(&mut self, template_text: &str, span: Span) {
        let part = template_text.get(span.range()).unwrap_or("");
        self.push(part, span, true);
    }

    /// Appends `text`, standing for the placeholder at `span`.
    pub(crate) fn put(&mut self, text: &str, span: Span) {
        self.push(text, span, false);
    }

    fn push(&mut self, text: &str, template: Span, copied: bool) {
        if text.is_empty() {
            return;
        }
        let rendered = to_u32(self.text.len());
        self.pieces.push(Piece { rendered, len: to_u32(text.len()), template, copied });
        self.text.push_str(text);
    }

    /// The template span of the rendered span `span`.
    pub(crate) fn to_template(&self, span: Span) -> Span {
        let start = self.start(span.start);
        if span.is_empty() {
            return Span::empty(start);
        }
        Span::new(start, self.end(span.end).max(start))
    }

    /// The piece holding rendered byte `offset`, if any.
    fn piece(&self, offset: u32) -> Option<&Piece> {
        let i = self.pieces.partition_point(|p| p.rendered <= offset);
        self.pieces.get(i.checked_sub(1)?)
    }

    fn start(&self, offset: u32) -> u32 {
        match self.piece(offset) {
            Some(p) if p.copied => p.template.start + (offset - p.rendered).min(p.len),
            Some(p) if offset < p.rendered + p.len => p.template.start,
            Some(p) => p.template.end,
            None => 0,
        }
    }

    fn end(&self, offset: u32) -> u32 {
        match self.piece(offset.saturating_sub(1)) {
            Some(p) if p.copied => p.template.start + (offset - p.rendered).min(p.len),
            Some(p) => p.template.end,
            None => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_map_back_through_copies_and_placeholders() {
        let template = "a: ${var.x}!\nb: $${y}\n";
        let mut r = Rendered::default();
        r.copy(template, Span::new(0, 3));
        r.put("var_x", Span::new(3, 11));
        r.copy(template, Span::new(11, 16));
        r.copy(template, Span::new(17, 22));
        assert_eq!(r.text, "a: var_x!\nb: ${y}\n");
        assert_eq!(r.to_template(Span::new(3, 8)), Span::new(3, 11));
        assert_eq!(r.to_template(Span::new(4, 6)), Span::new(3, 11));
        assert_eq!(r.to_template(Span::new(8, 9)), Span::new(11, 12));
        let y = r.text.find("${y}").unwrap() as u32;
        assert_eq!(r.to_template(Span::new(y, y + 4)), Span::new(17, 21));
        assert_eq!(r.to_template(Span::empty(r.text.len() as u32)), Span::empty(template.len() as u32));
    }
}

//! From scopes to styled spans: the theme's style for each scope path, a
//! parsed line's spans, syntect's colours as ours, and sanitized text with
//! hidden characters revealed.

use std::collections::HashMap;

use syntect::highlighting::{Color as SynColor, FontStyle, Highlighter, Style as SynStyle};
use syntect::parsing::{BasicScopeStackOp, Scope, ScopeStack, ScopeStackOp};

use super::highlighter::LineParts;
use crate::render::invisible::each_char;
use crate::render::sanitize::sanitize_line;
use crate::render::theme::Color;
use crate::render::{Span, Style, StyledLine};

/// Styles one parsed line: the text between two scope operations takes
/// the style of the scope path there. `None` when the scope stack rejects
/// an operation.
#[allow(clippy::too_many_arguments)]
pub(super) fn style_ops(
    styles: &mut StyleTree,
    highlighter: &Highlighter<'_>,
    stack: &mut ScopeStack,
    nodes: &mut Vec<u32>,
    ops: &[(usize, ScopeStackOp)],
    buf: &str,
    parts: &LineParts<'_>,
    revealed: Style,
) -> Option<StyledLine> {
    let head_len = parts.head.len();
    let mut spans = StyledLine::new();
    let mut pos = 0;
    let segment = |spans: &mut StyledLine, from: usize, to: usize, style: Style| {
        // Drop the newline added for the parser.
        let to = to.min(head_len);
        if from < to {
            push_text(spans, &buf[from..to], style, revealed);
        }
    };
    for (end, op) in ops {
        let end = (*end).clamp(pos, buf.len());
        segment(&mut spans, pos, end, styles.style(nodes));
        pos = end;
        let mut failed = false;
        stack
            .apply_with_hook(op, |basic, path| match basic {
                BasicScopeStackOp::Push(_) => {
                    let parent = nodes.last().copied().unwrap_or(0);
                    nodes.push(styles.child(highlighter, parent, path));
                }
                BasicScopeStackOp::Pop => {
                    if nodes.len() > 1 {
                        nodes.pop();
                    } else {
                        failed = true;
                    }
                }
            })
            .ok()?;
        if failed {
            return None;
        }
    }
    segment(&mut spans, pos, buf.len(), styles.style(nodes));
    push_text(&mut spans, &parts.content[head_len..], Style::default(), revealed);
    Some(spans)
}

/// The style of every scope path met so far, each computed once: node 0
/// is the empty path; pushing a scope on a node leads to its child.
pub(super) struct StyleTree {
    styles: Vec<Style>,
    children: HashMap<(u32, Scope), u32>,
}

impl StyleTree {
    pub(super) fn new(default: Style) -> StyleTree {
        StyleTree { styles: vec![default], children: HashMap::new() }
    }

    pub(super) fn style(&self, nodes: &[u32]) -> Style {
        let node = nodes.last().copied().unwrap_or(0) as usize;
        self.styles.get(node).copied().unwrap_or_default()
    }

    /// The node of `path`, whose parent node is `parent`.
    pub(super) fn child(&mut self, highlighter: &Highlighter<'_>, parent: u32, path: &[Scope]) -> u32 {
        let Some(&scope) = path.last() else { return 0 };
        if let Some(&node) = self.children.get(&(parent, scope)) {
            return node;
        }
        let node = u32::try_from(self.styles.len()).unwrap_or(u32::MAX);
        self.styles.push(span_style(highlighter.style_for_stack(path)));
        self.children.insert((parent, scope), node);
        node
    }

    /// The nodes of every prefix of a stack (the root first).
    pub(super) fn path_nodes(&mut self, highlighter: &Highlighter<'_>, stack: &ScopeStack) -> Vec<u32> {
        let path = stack.as_slice();
        let mut nodes = Vec::with_capacity(path.len() + 1);
        nodes.push(0);
        for i in 0..path.len() {
            let parent = nodes.last().copied().unwrap_or(0);
            nodes.push(self.child(highlighter, parent, &path[..=i]));
        }
        nodes
    }
}

/// Reverse video in bright magenta, like the UI theme's `revealed` colour.
pub(super) fn default_revealed_style() -> Style {
    Style { fg: Some(Color::Indexed(13)), reverse: true, bold: true, ..Style::default() }
}

/// A syntect style as ours: foreground and font style only; the diff
/// renderer supplies backgrounds.
pub(super) fn span_style(style: SynStyle) -> Style {
    Style {
        fg: map_color(style.foreground),
        bg: None,
        bold: style.font_style.contains(FontStyle::BOLD),
        italic: style.font_style.contains(FontStyle::ITALIC),
        underline: style.font_style.contains(FontStyle::UNDERLINE),
        ..Style::default()
    }
}

/// True colour, except for bat's terminal themes (`ansi`, `base16`,
/// `base16-256`), which encode a palette index in red with alpha 0, and
/// "the terminal's default" as alpha 1.
fn map_color(c: SynColor) -> Option<Color> {
    match c.a {
        0 if c.r < 16 => Some(Color::Indexed(c.r)),
        0 => {
            let (r, g, b) = xterm_rgb(c.r);
            Some(Color::Rgb(r, g, b))
        }
        1 => None,
        _ => Some(Color::Rgb(c.r, c.g, c.b)),
    }
}

/// The RGB value of an xterm 256-colour palette entry above 15.
fn xterm_rgb(index: u8) -> (u8, u8, u8) {
    if index >= 232 {
        let v = 8 + 10 * (index - 232);
        return (v, v, v);
    }
    let i = index.saturating_sub(16);
    let level = |v: u8| if v == 0 { 0 } else { 55 + 40 * v };
    (level(i / 36), level((i / 6) % 6), level(i % 6))
}

/// Appends `text` in `style`, sanitized: runs of ordinary text (tabs
/// expanded) keep `style`; each run of hidden characters becomes its own
/// span of revealed tokens in `revealed`.
pub(super) fn push_text(spans: &mut StyledLine, text: &str, style: Style, revealed: Style) {
    if !crate::render::sanitize::reveals_any(text) {
        push_span(spans, sanitize_line(text), style);
        return;
    }
    // Runs of shown and of hidden characters, by byte range.
    let mut runs: Vec<(usize, usize, bool)> = Vec::new();
    each_char(text, |at, c, hidden| {
        let hidden = hidden && c != '\t';
        let end = at + c.len_utf8();
        match runs.last_mut() {
            Some(last) if last.2 == hidden => last.1 = end,
            _ => runs.push((at, end, hidden)),
        }
    });
    for (start, end, hidden) in runs {
        let piece = text.get(start..end).unwrap_or_default();
        push_span(spans, sanitize_line(piece), if hidden { revealed } else { style });
    }
}

/// Appends a span, merging it into the last one when they look the same.
fn push_span(spans: &mut StyledLine, text: String, style: Style) {
    if text.is_empty() {
        return;
    }
    match spans.last_mut() {
        Some(last) if last.style == style => last.text.push_str(&text),
        _ => spans.push(Span::new(text, style)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_palette_colours() {
        assert_eq!(map_color(SynColor { r: 1, g: 0, b: 0, a: 0 }), Some(Color::Indexed(1)));
        assert_eq!(map_color(SynColor { r: 7, g: 0, b: 0, a: 1 }), None);
        assert_eq!(map_color(SynColor { r: 16, g: 0, b: 0, a: 0 }), Some(Color::Rgb(0, 0, 0)));
        assert_eq!(map_color(SynColor { r: 196, g: 0, b: 0, a: 0 }), Some(Color::Rgb(255, 0, 0)));
        assert_eq!(map_color(SynColor { r: 255, g: 0, b: 0, a: 0 }), Some(Color::Rgb(238, 238, 238)));
        assert_eq!(map_color(SynColor { r: 9, g: 8, b: 7, a: 255 }), Some(Color::Rgb(9, 8, 7)));
    }

    #[test]
    fn segments_split_revealed_runs() {
        let revealed = default_revealed_style();
        let code = Style::fg(Color::Rgb(1, 2, 3));
        let mut spans = StyledLine::new();
        push_text(&mut spans, "a\tb\u{1b}\u{202E}c", code, revealed);
        push_text(&mut spans, "d", code, revealed);
        assert_eq!(spans, vec![Span::new("a    b", code), Span::new("␛⟨U+202E RLO⟩", revealed), Span::new("cd", code)]);
    }
}

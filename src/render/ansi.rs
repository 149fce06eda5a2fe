//! Styled lines to terminal text: SGR escape sequences for colour, or
//! plain text with none at all (`--color never`, pipes).

use super::theme::Color;
use super::{Span, Style, StyledLine};

/// One line of output. Span texts are already sanitized, so the only
/// escape sequences in the result are the ones written here.
pub fn line(spans: &[Span], color: bool) -> String {
    let mut out = String::new();
    push_line(&mut out, spans, color);
    out
}

/// [`line`], appended to `out` (no allocation once `out` has grown).
pub fn push_line(out: &mut String, spans: &[Span], color: bool) {
    if !color {
        for span in spans {
            out.push_str(&span.text);
        }
        return;
    }
    let mut current = Style::default();
    for span in spans {
        if span.style != current {
            push_sgr(out, &span.style);
            current = span.style;
        }
        out.push_str(&span.text);
    }
    if current != Style::default() {
        out.push_str("\x1b[0m");
    }
}

/// Lines joined with newlines.
pub fn lines(lines: &[StyledLine], color: bool) -> String {
    let mut out = String::new();
    push_lines(&mut out, lines, color);
    out
}

/// [`lines`], appended to `out`.
pub fn push_lines(out: &mut String, lines: &[StyledLine], color: bool) {
    for l in lines {
        push_line(out, l, color);
        out.push('\n');
    }
}

fn push_sgr(out: &mut String, style: &Style) {
    out.push_str("\x1b[0");
    for (on, code) in
        [(style.bold, ";1"), (style.dim, ";2"), (style.italic, ";3"), (style.underline, ";4"), (style.reverse, ";7")]
    {
        if on {
            out.push_str(code);
        }
    }
    if let Some(fg) = style.fg {
        push_color(out, fg, false);
    }
    if let Some(bg) = style.bg {
        push_color(out, bg, true);
    }
    out.push('m');
}

fn push_color(out: &mut String, color: Color, background: bool) {
    out.push(';');
    match color {
        Color::Indexed(i) if i < 8 => push_number(out, if background { 40 } else { 30 } + u32::from(i)),
        Color::Indexed(i) => {
            push_number(out, if background { 100 } else { 90 } + u32::from(i.saturating_sub(8).min(7)));
        }
        Color::Rgb(r, g, b) => {
            out.push_str(if background { "48;2;" } else { "38;2;" });
            push_number(out, u32::from(r));
            out.push(';');
            push_number(out, u32::from(g));
            out.push(';');
            push_number(out, u32::from(b));
        }
    }
}

/// A decimal number, without the formatting machinery.
fn push_number(out: &mut String, n: u32) {
    if n >= 10 {
        push_number(out, n / 10);
    }
    out.push(char::from(b'0' + (n % 10) as u8));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_output_has_no_escapes() {
        let spans = vec![Span::new("a", Style::fg(Color::Indexed(1))), Span::plain("b")];
        assert_eq!(line(&spans, false), "ab");
        assert_eq!(line(&spans, true), "\x1b[0;31ma\x1b[0mb");
    }

    #[test]
    fn true_colour_backgrounds() {
        let style = Style { bold: true, ..Style::fg(Color::Rgb(1, 2, 3)) }.on(Color::Indexed(10));
        assert_eq!(line(&[Span::new("x", style)], true), "\x1b[0;1;38;2;1;2;3;102mx\x1b[0m");
        let all = Style { dim: true, italic: true, underline: true, reverse: true, ..Style::fg(Color::Indexed(3)) }
            .on(Color::Rgb(0, 100, 255));
        assert_eq!(line(&[Span::new("y", all)], true), "\x1b[0;2;3;4;7;33;48;2;0;100;255my\x1b[0m");
    }
}

//! Styled lines to terminal text: SGR escape sequences for colour, or
//! plain text with none at all (`--color never`, pipes).

use std::fmt::Write as _;

use super::theme::Color;
use super::{Span, Style, StyledLine};

/// One line of output. Span texts are already sanitized, so the only
/// escape sequences in the result are the ones written here.
pub fn line(spans: &[Span], color: bool) -> String {
    let mut out = String::new();
    if !color {
        for span in spans {
            out.push_str(&span.text);
        }
        return out;
    }
    let mut current = Style::default();
    for span in spans {
        if span.style != current {
            out.push_str(&sgr(&span.style));
            current = span.style;
        }
        out.push_str(&span.text);
    }
    if current != Style::default() {
        out.push_str("\x1b[0m");
    }
    out
}

/// Lines joined with newlines.
pub fn lines(lines: &[StyledLine], color: bool) -> String {
    let mut out = String::new();
    for l in lines {
        out.push_str(&line(l, color));
        out.push('\n');
    }
    out
}

fn sgr(style: &Style) -> String {
    let mut codes: Vec<String> = vec!["0".into()];
    if style.bold {
        codes.push("1".into());
    }
    if style.dim {
        codes.push("2".into());
    }
    if style.italic {
        codes.push("3".into());
    }
    if style.underline {
        codes.push("4".into());
    }
    if style.reverse {
        codes.push("7".into());
    }
    if let Some(fg) = style.fg {
        codes.push(color_code(fg, false));
    }
    if let Some(bg) = style.bg {
        codes.push(color_code(bg, true));
    }
    let mut s = String::from("\x1b[");
    let _ = write!(s, "{}m", codes.join(";"));
    s
}

fn color_code(color: Color, background: bool) -> String {
    match color {
        Color::Indexed(i) if i < 8 => format!("{}", if background { 40 } else { 30 } + u32::from(i)),
        Color::Indexed(i) => format!("{}", if background { 100 } else { 90 } + u32::from(i.saturating_sub(8).min(7))),
        Color::Rgb(r, g, b) => format!("{};2;{r};{g};{b}", if background { 48 } else { 38 }),
    }
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
    }
}

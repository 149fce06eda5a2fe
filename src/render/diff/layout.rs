//! Rows as printed lines, unified or side by side: wrapping to the width
//! and the gutter of line numbers and markers.

use super::rows::{Row, RowKind};
use super::Palette;
use crate::render::{Span, Style, StyledLine};

/// Splits a line into pieces of at most `width` characters.
fn wrap(mut line: StyledLine, width: usize) -> Vec<StyledLine> {
    let width = width.max(1);
    let mut chars = 0;
    for span in &line {
        chars += if span.text.is_ascii() { span.text.len() } else { span.text.chars().count() };
        if chars > width {
            break;
        }
    }
    if chars <= width {
        line.retain(|s| !s.text.is_empty());
        return vec![line];
    }
    let mut out: Vec<StyledLine> = vec![Vec::new()];
    let mut used = 0;
    for span in &line {
        let text = span.text.as_str();
        let mut from = 0;
        for (byte, _) in text.char_indices() {
            if used == width {
                if byte > from {
                    if let Some(last) = out.last_mut() {
                        last.push(Span::new(&text[from..byte], span.style));
                    }
                    from = byte;
                }
                out.push(Vec::new());
                used = 0;
            }
            used += 1;
        }
        if from < text.len() {
            if let Some(last) = out.last_mut() {
                last.push(Span::new(&text[from..], span.style));
            }
        }
    }
    out
}

/// A line number right-aligned in five columns (blank for none).
fn push_number(out: &mut String, n: Option<u32>) {
    use std::fmt::Write as _;
    match n.filter(|n| *n > 0) {
        Some(n) => {
            let _ = write!(out, "{n:>5}");
        }
        None => out.push_str("     "),
    }
}

/// The gutter of a wrapped line's continuation (unified layout).
const CONTINUED: &str = "           ↪ ";

const GUTTER: usize = 14;

/// Which half of a row to print in the unified layout (context rows print
/// with the old half).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Part {
    Old,
    New,
}

pub(super) fn unified_row(row: &mut Row, part: Part, palette: &Palette, width: usize) -> Vec<StyledLine> {
    let content = width.saturating_sub(GUTTER).max(10);
    let mut out = Vec::new();
    let mut emit = |old_no: Option<u32>, new_no: Option<u32>, marker: &'static str, style: Style, text: StyledLine| {
        for (i, piece) in wrap(text, content).into_iter().enumerate() {
            let gutter = if i == 0 {
                let mut g = String::with_capacity(GUTTER);
                push_number(&mut g, old_no);
                g.push(' ');
                push_number(&mut g, new_no);
                g.push(' ');
                g
            } else {
                CONTINUED.to_string()
            };
            let mut line = Vec::with_capacity(piece.len() + 2);
            line.push(Span::new(gutter, palette.gutter));
            line.push(Span::new(if i == 0 { marker } else { " " }, style));
            line.extend(piece);
            out.push(line);
        }
    };
    let new_no = row.new.as_ref().map(|(m, _)| *m);
    match (row.kind, part) {
        (RowKind::Context, Part::Old) => {
            if let Some((n, text)) = &mut row.old {
                emit(Some(*n), new_no, " ", Style::default(), std::mem::take(text));
            }
        }
        (RowKind::Context, Part::New) => return out,
        (RowKind::Change, Part::Old) => {
            if let Some((n, text)) = &mut row.old {
                emit(Some(*n), None, "-", palette.removed_marker, std::mem::take(text));
            }
        }
        (RowKind::Change, Part::New) => {
            if let Some((n, text)) = &mut row.new {
                emit(None, Some(*n), "+", palette.added_marker, std::mem::take(text));
            }
        }
    }
    let last_half = match row.kind {
        RowKind::Context => part == Part::Old,
        RowKind::Change => part == Part::New,
    };
    if row.no_newline && last_half {
        out.push(vec![Span::new(NO_NEWLINE_UNIFIED, palette.gutter)]);
    }
    out
}

/// git's note under a last line without a newline (unified layout).
const NO_NEWLINE_UNIFIED: &str = "             \\ no newline at end of file";

pub(super) fn side_by_side_row(row: &mut Row, palette: &Palette, width: usize) -> Vec<StyledLine> {
    // n │ text ┃ n │ text
    let half = width.saturating_sub(3) / 2;
    let content = half.saturating_sub(8).max(8);
    let cell = |side: &mut Option<(u32, StyledLine)>, marker: &str, style: Style| -> Vec<StyledLine> {
        match side {
            None => vec![vec![Span::plain(" ".repeat(content + 8))]],
            Some((n, text)) => wrap(std::mem::take(text), content)
                .into_iter()
                .enumerate()
                .map(|(i, piece)| {
                    let gutter = if i == 0 {
                        let mut g = String::with_capacity(6);
                        push_number(&mut g, Some(*n));
                        g.push(' ');
                        g
                    } else {
                        "    ↪ ".to_string()
                    };
                    let used: usize = piece.iter().map(|s| s.text.chars().count()).sum();
                    let mut line = vec![
                        Span::new(gutter, palette.gutter),
                        Span::new(if i == 0 { marker } else { " " }, style),
                        Span::plain(" "),
                    ];
                    line.extend(piece);
                    line.push(Span::plain(" ".repeat(content.saturating_sub(used))));
                    line
                })
                .collect(),
        }
    };
    let (lm, ls, rm, rs) = match row.kind {
        RowKind::Context => (" ", Style::default(), " ", Style::default()),
        RowKind::Change => ("-", palette.removed_marker, "+", palette.added_marker),
    };
    let left = cell(&mut row.old, lm, ls);
    let right = cell(&mut row.new, rm, rs);
    let blank = vec![Span::plain(" ".repeat(content + 8))];
    (0..left.len().max(right.len()))
        .map(|i| {
            let mut line = left.get(i).cloned().unwrap_or_else(|| blank.clone());
            line.push(Span::new(" ┃ ", palette.gutter));
            line.extend(right.get(i).cloned().unwrap_or_else(|| blank.clone()));
            line
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_every_character() {
        let line = vec![Span::plain("abcdef"), Span::plain("gh")];
        let pieces = wrap(line.clone(), 3);
        let texts: Vec<String> = pieces.iter().map(|p| p.iter().map(|s| s.text.as_str()).collect()).collect();
        assert_eq!(texts, ["abc", "def", "gh"]);
    }
}

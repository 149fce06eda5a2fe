//! A diff's lines as the TUI keeps them: all the text once, in one buffer
//! (each line ended by `\n`, where search runs too), and each line's
//! styling as runs of (length, style number) into a small palette. A
//! 200,000-line diff holds its text and eight bytes a run, where a `Line`
//! of `Span`s per line held a `String` and a 20-byte style per span; the
//! few lines on screen are made into `Line`s as they are drawn, borrowing
//! their text.

use std::collections::HashMap;

use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// A run of one style: its length in bytes and its style's number.
#[derive(Debug, Clone, Copy)]
struct Run {
    len: u32,
    style: u32,
}

#[derive(Debug, Default)]
pub struct Lines {
    text: String,
    /// Where each line starts in `text`.
    starts: Vec<usize>,
    runs: Vec<Run>,
    /// Each line's first run.
    first_run: Vec<usize>,
    palette: Vec<Style>,
    numbers: HashMap<Style, u32>,
}

impl Lines {
    /// Adds a line from its styled pieces (sanitized text: no newline).
    pub fn push<'a>(&mut self, spans: impl IntoIterator<Item = (&'a str, Style)>) {
        self.starts.push(self.text.len());
        let first = self.runs.len();
        self.first_run.push(first);
        for (text, style) in spans {
            if text.is_empty() {
                continue;
            }
            let style = self.number(style);
            self.text.push_str(text);
            // A piece over 4 GiB is cut into runs that fit.
            let mut left = text.len();
            while left > 0 {
                let len = left.min(u32::MAX as usize);
                let ours = self.runs.len() > first;
                match self.runs.last_mut() {
                    // Two pieces of one style in a row make one run.
                    Some(last) if ours && last.style == style && (last.len as usize) + len <= u32::MAX as usize => {
                        last.len += len as u32
                    }
                    _ => self.runs.push(Run { len: len as u32, style }),
                }
                left -= len;
            }
        }
        self.text.push('\n');
    }

    fn number(&mut self, style: Style) -> u32 {
        if let Some(n) = self.numbers.get(&style) {
            return *n;
        }
        let n = self.palette.len() as u32;
        self.palette.push(style);
        self.numbers.insert(style, n);
        n
    }

    pub fn len(&self) -> usize {
        self.starts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// Line `index`'s text (without its newline).
    pub fn text(&self, index: usize) -> &str {
        let Some(&from) = self.starts.get(index) else { return "" };
        let to = self.starts.get(index + 1).copied().unwrap_or(self.text.len());
        self.text.get(from..to.saturating_sub(1).max(from)).unwrap_or("")
    }

    /// Line `index` to draw, its spans borrowing the text.
    pub fn get(&self, index: usize) -> Option<Line<'_>> {
        let mut at = *self.starts.get(index)?;
        let runs = self.first_run[index]..self.first_run.get(index + 1).copied().unwrap_or(self.runs.len());
        let spans: Vec<Span<'_>> = self.runs[runs]
            .iter()
            .map(|run| {
                let piece = self.text.get(at..at + run.len as usize).unwrap_or("");
                at += run.len as usize;
                Span::styled(piece, self.palette[run.style as usize])
            })
            .collect();
        Some(Line::from(spans))
    }

    /// Every line's text, each ended by `\n`, and where each starts: what
    /// a search runs through.
    pub fn buffer(&self) -> (&str, &[usize]) {
        (&self.text, &self.starts)
    }

    /// The bytes held: text, runs and line offsets.
    pub fn held_bytes(&self) -> usize {
        self.text.len()
            + self.runs.len() * std::mem::size_of::<Run>()
            + (self.starts.len() + self.first_run.len()) * std::mem::size_of::<usize>()
            + self.palette.len() * std::mem::size_of::<Style>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::Color;

    #[test]
    fn lines_come_back_as_pushed_with_their_styles() {
        let red = Style::new().fg(Color::Red);
        let green = Style::new().fg(Color::Green);
        let mut lines = Lines::default();
        lines.push([("  1 ", red), ("fn ", green), ("main", green), ("", red)]);
        lines.push([]);
        lines.push([("ünïcode", red)]);
        assert_eq!(lines.len(), 3);
        let first = lines.get(0).expect("line 0");
        let pieces: Vec<(&str, Style)> = first.spans.iter().map(|s| (s.content.as_ref(), s.style)).collect();
        assert_eq!(pieces, [("  1 ", red), ("fn main", green)], "a style's pieces in a row are one run");
        assert_eq!(lines.text(0), "  1 fn main");
        assert_eq!(lines.text(1), "");
        assert!(lines.get(1).expect("line 1").spans.is_empty());
        assert_eq!(lines.text(2), "ünïcode");
        assert_eq!(lines.get(3), None);
        assert_eq!(lines.buffer().0, "  1 fn main\n\nünïcode\n");
        assert_eq!(lines.palette.len(), 2, "styles are numbered once");
    }

    #[test]
    fn text_is_held_once() {
        let mut lines = Lines::default();
        let style = Style::new().fg(Color::Yellow);
        for i in 0..1000 {
            let number = format!("{i:>6} ");
            lines.push([(number.as_str(), style), ("let x = compute(a, b);", Style::new())]);
        }
        let text: usize = (0..1000).map(|i| lines.text(i).len() + 1).sum();
        assert!(lines.held_bytes() < text + 1000 * 40, "{} bytes for {text} bytes of text", lines.held_bytes());
    }
}

//! The help overlay's layout, which both the state (where scrolling
//! stops) and the view (drawing) need: the live keymap's entries in one
//! column, or two on a wide terminal, each wrapped within its own column
//! with its description's later lines under the description, not under
//! the keys.

use ratatui::layout::Rect;
use unicode_width::UnicodeWidthChar;

use super::layout::centered;
use crate::render::sanitize::sanitize_line;

/// Where a description starts: two blanks, then the keys.
pub const DESCRIPTION_COLUMN: usize = 20;
/// Blank columns between the two columns.
const GAP: u16 = 3;
/// The overlay's width with one column and with two.
const ONE_COLUMN_WIDTH: u16 = 86;
const TWO_COLUMN_WIDTH: u16 = 150;

pub const NOTE: &str = "Keys come from the config's [keys] (action = \"key\" or [\"keys\"]). Marks: ◆ binary file, ↯ backport drift, ⚠ hidden characters.";

/// One screen row of a column, already fitted to the column's width.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Row {
    Heading(String),
    /// Keys (empty on a description's later lines) and a piece of the
    /// description; the description starts at `DESCRIPTION_COLUMN`.
    Entry {
        keys: String,
        text: String,
    },
    Blank,
    Note(String),
}

/// The overlay: its frame, and each column's area and rows.
#[derive(Debug, Clone)]
pub struct Help {
    pub frame: Rect,
    pub columns: Vec<(Rect, Vec<Row>)>,
}

impl Help {
    /// Lays out `entries` (context, keys, description) on a screen `area`.
    pub fn new(entries: &[(String, String, String)], area: Rect) -> Help {
        let mut sections: Vec<(String, Vec<(String, String)>)> = Vec::new();
        for (context, keys, doc) in entries {
            match sections.last_mut() {
                Some((current, items)) if current == context => items.push((keys.clone(), doc.clone())),
                _ => sections.push((context.clone(), vec![(keys.clone(), doc.clone())])),
            }
        }
        let two = area.width >= TWO_COLUMN_WIDTH && sections.len() > 1;
        let frame =
            centered(area, if two { TWO_COLUMN_WIDTH } else { ONE_COLUMN_WIDTH }, area.height.saturating_sub(2));
        // Inside the border.
        let inner = Rect {
            x: frame.x.saturating_add(1),
            y: frame.y.saturating_add(1),
            width: frame.width.saturating_sub(2),
            height: frame.height.saturating_sub(2),
        };
        let areas = if two {
            let width = inner.width.saturating_sub(GAP) / 2;
            let right = Rect { x: inner.x + inner.width - width, width, ..inner };
            vec![
                (Rect { width, ..inner }, 0..sections.len().div_ceil(2)),
                (right, sections.len().div_ceil(2)..sections.len()),
            ]
        } else {
            vec![(inner, 0..sections.len())]
        };
        let columns = areas
            .into_iter()
            .enumerate()
            .map(|(i, (rect, range))| {
                let width = usize::from(rect.width);
                let mut rows = Vec::new();
                for (heading, items) in sections.get(range).unwrap_or_default() {
                    if !rows.is_empty() {
                        rows.push(Row::Blank);
                    }
                    rows.extend(wrap(&sanitize_line(heading), width).into_iter().map(Row::Heading));
                    for (keys, doc) in items {
                        entry(&mut rows, &sanitize_line(keys), &sanitize_line(doc), width);
                    }
                }
                if i == 0 {
                    rows.push(Row::Blank);
                    rows.extend(wrap(NOTE, width).into_iter().map(Row::Note));
                }
                (rect, rows)
            })
            .collect();
        Help { frame, columns }
    }

    /// How far the overlay scrolls: until its longest column's last row is
    /// on its last line.
    pub fn max_scroll(&self) -> u16 {
        let rows = self.columns.iter().map(|(_, rows)| rows.len()).max().unwrap_or(0);
        let height = self.columns.first().map(|(rect, _)| usize::from(rect.height)).unwrap_or(0);
        u16::try_from(rows.saturating_sub(height)).unwrap_or(u16::MAX)
    }
}

/// One key binding: the keys, then its description wrapped to the
/// column's width under the description column. Keys too wide for their
/// place get a row of their own.
fn entry(rows: &mut Vec<Row>, keys: &str, doc: &str, width: usize) {
    let text_width = width.saturating_sub(DESCRIPTION_COLUMN).max(8);
    let mut keys = keys.to_string();
    if text_width_of(&keys) + 2 >= DESCRIPTION_COLUMN {
        for part in wrap(&keys, width.saturating_sub(2).max(1)) {
            rows.push(Row::Entry { keys: part, text: String::new() });
        }
        keys = String::new();
    }
    for (i, part) in wrap(doc, text_width).into_iter().enumerate() {
        rows.push(Row::Entry { keys: if i == 0 { std::mem::take(&mut keys) } else { String::new() }, text: part });
    }
}

fn text_width_of(text: &str) -> usize {
    text.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// `text` in lines of at most `width` display columns, broken at blanks
/// where it can be and inside a word only when a word is wider than a line.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let word_width = text_width_of(word);
        if used > 0 && used + 1 + word_width <= width {
            line.push(' ');
            line.push_str(word);
            used += 1 + word_width;
            continue;
        }
        if used > 0 {
            lines.push(std::mem::take(&mut line));
            used = 0;
        }
        for c in word.chars() {
            let w = c.width().unwrap_or(0);
            if used + w > width && used > 0 {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            line.push(c);
            used += w;
        }
    }
    if used > 0 || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_breaks_at_blanks_and_counts_display_columns() {
        assert_eq!(wrap("one two three", 7), ["one two", "three"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("漢字漢字", 5), ["漢字", "漢字"], "two columns each");
        assert_eq!(wrap("", 5), [""]);
    }

    fn entries(n: usize, doc: &str) -> Vec<(String, String, String)> {
        (0..n)
            .map(|i| (if i < n / 2 { "Queue" } else { "Diff" }.to_string(), format!("k{i}"), doc.to_string()))
            .collect()
    }

    #[test]
    fn a_long_description_wraps_under_itself_and_within_its_column() {
        let doc = "a long description that goes on and on well past the width of one column of help";
        for width in [80, 160] {
            let help = Help::new(&entries(6, doc), Rect::new(0, 0, width, 48));
            for (rect, rows) in &help.columns {
                for row in rows {
                    if let Row::Entry { text, .. } = row {
                        assert!(
                            DESCRIPTION_COLUMN + text_width_of(text) <= usize::from(rect.width),
                            "{text:?} wider than {}",
                            rect.width
                        );
                    }
                }
                let continued = rows.iter().filter(|r| matches!(r, Row::Entry { keys, .. } if keys.is_empty())).count();
                assert!(continued > 0, "wrapped at {width}");
            }
            if let [(left, _), (right, _)] = help.columns.as_slice() {
                assert!(left.x + left.width + GAP <= right.x, "the columns do not touch");
            }
        }
    }

    #[test]
    fn scrolling_stops_when_the_last_row_shows() {
        let help = Help::new(&entries(40, "short"), Rect::new(0, 0, 80, 24));
        let rows = help.columns[0].1.len();
        let height = usize::from(help.columns[0].0.height);
        assert_eq!(usize::from(help.max_scroll()), rows - height);
        let help = Help::new(&entries(2, "short"), Rect::new(0, 0, 80, 48));
        assert_eq!(help.max_scroll(), 0, "all of it fits");
    }
}

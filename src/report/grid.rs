//! A plain aligned text table: columns padded by display width, the last
//! one left ragged, chosen columns right-aligned (numbers).

use unicode_width::UnicodeWidthStr;

/// `rows` under `header`, two spaces between columns; the cells must be
/// sanitized already. Columns whose index is in `right` align right.
pub fn grid(header: &[&str], rows: &[Vec<String>], right: &[usize]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    let mut out = String::new();
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    for row in std::iter::once(&header).chain(rows) {
        let mut line = String::new();
        for (i, (cell, w)) in row.iter().zip(&widths).enumerate() {
            let pad = " ".repeat(w.saturating_sub(cell.width()));
            if right.contains(&i) {
                line.push_str(&pad);
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&pad);
            }
            line.push_str("  ");
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_by_display_width_and_numbers_to_the_right() {
        let rows = vec![
            vec!["数据".to_string(), "7".to_string(), "x".to_string()],
            vec!["ab".to_string(), "120".to_string(), "y".to_string()],
        ];
        let text = grid(&["NAME", "N", "NOTE"], &rows, &[1]);
        assert_eq!(text, "NAME    N  NOTE\n数据    7  x\nab    120  y\n");
    }
}

//! The hex screen: the blob's summary, then only the rows on screen, built
//! from the bytes each frame (any page costs the same as the first).

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use crate::render::hex;
use crate::tui::app::App;
use crate::tui::doc::{HexDoc, ROW_BYTES};

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let Some(doc) = &app.hex else { return };
    let styles = &app.styles;
    let data = match &doc.data {
        None => {
            frame.render_widget(Paragraph::new(format!("Reading {}…", doc.path)), area);
            return;
        }
        Some(Err(e)) => {
            let text = format!("Cannot read {}: {}", doc.path, crate::render::sanitize::sanitize_line(e));
            frame.render_widget(Paragraph::new(text).style(styles.warning()).wrap(Wrap { trim: true }), area);
            return;
        }
        Some(Ok(data)) => data,
    };
    let Some(side) = doc.side() else {
        frame.render_widget(Paragraph::new("No blob on either side."), area);
        return;
    };
    let both = data.old.is_some() && data.new.is_some();
    // Which bytes these are, and the key to the others.
    let key = app.keymap.hint(crate::tui::keymap::Action::Decompress);
    // Last, so a narrow screen cuts the key before the position.
    let (form, other) = match (&side.stream, &side.decompressed) {
        (Some(_), _) => (", decompressed", format!(" · {key}: raw bytes")),
        (None, Some(_)) => ("", format!(" · {key}: decompressed")),
        (None, None) => ("", String::new()),
    };
    let mut header = vec![Line::from(vec![
        Span::styled(format!(" {} ", doc.path), Style::new().add_modifier(Modifier::BOLD)),
        Span::styled(
            format!(
                "· {} blob{form}{} · 0x{:x} of {}0x{:x}{other}",
                side.label,
                if both { " (s: other side; changed bytes marked)" } else { "" },
                doc.top,
                // The first page, before the whole blob is read.
                if doc.partial { "its first " } else { "" },
                side.bytes.len()
            ),
            styles.dim(),
        ),
    ])];
    // The summary, capped so the rows keep most of the screen.
    let cap = usize::from(area.height / 3).max(2);
    header.extend(side.summary.iter().take(cap).cloned().map(|l| styles.line(l)));
    let head_height = header.len() as u16;
    let [head, body] = Layout::vertical([Constraint::Length(head_height), Constraint::Min(1)]).areas(area);
    frame.render_widget(Paragraph::new(header), head);
    frame.render_widget(Paragraph::new(rows(app, doc, usize::from(body.height))), body);
}

/// The rows on screen, findings and (for a modified file) changed bytes marked.
fn rows(app: &App, doc: &HexDoc, count: usize) -> Vec<Line<'static>> {
    let Some(side) = doc.side() else { return Vec::new() };
    let palette = hex::Palette::from_theme(&app.styles.theme);
    let bytes = side.bytes.as_slice();
    let start = usize::try_from(doc.top).unwrap_or(usize::MAX).min(bytes.len());
    let end = start.saturating_add(count * ROW_BYTES as usize).min(bytes.len());
    let window = &bytes[start..end];
    let mut marks = hex::finding_marks(&side.findings, &palette);
    if let Some(other) = doc.other_side() {
        let other_end = end.min(other.bytes.len());
        let other_window = other.bytes.get(start.min(other_end)..other_end).unwrap_or(&[]);
        for range in hex::changed_ranges_at(other_window, window, start as u64) {
            marks.push(hex::Mark { range, style: palette.changed });
        }
    }
    hex::rows(window, start as u64, false)
        .iter()
        .map(|row| app.styles.line(hex::render_row(row, &palette, &marks)))
        .collect()
}

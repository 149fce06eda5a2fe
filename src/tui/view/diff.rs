//! The diff screen: a files sidebar and the rendered diff, only the rows
//! on screen drawn, search matches marked.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::pane;
use crate::jobs::LineTag;
use crate::model::short_sha;
use crate::render::fit;
use crate::render::sanitize::sanitize_line;
use crate::tui::app::{App, Focus};
use crate::tui::doc::{line_text, DiffDoc, DocState};
use crate::tui::layout::{self, SIDEBAR_WIDTH};
use crate::tui::style::Styles;

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let Some(doc) = &app.diff else {
        frame.render_widget(Paragraph::new("No diff."), area);
        return;
    };
    let [title, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    draw_title(frame, app, doc, title);
    if layout::has_sidebar(area.width) {
        let [side, main] = Layout::horizontal([Constraint::Length(SIDEBAR_WIDTH), Constraint::Min(1)]).areas(body);
        draw_sidebar(frame, app, doc, side);
        draw_body(frame, app, doc, main);
    } else {
        draw_body(frame, app, doc, body);
    }
}

fn draw_title(frame: &mut Frame, app: &App, doc: &DiffDoc, area: Rect) {
    let styles = &app.styles;
    let change = app.data().and_then(|d| d.queue.changes.iter().find(|c| c.sha == doc.sha));
    let subject = change.map(|c| sanitize_line(&c.title)).unwrap_or_default();
    let file = doc.current_file().map(|i| format!(" · file {}/{}", i + 1, doc.files.len())).unwrap_or_default();
    let state = match &doc.state {
        DocState::Rendering => format!(" · {} lines so far, more as you read", doc.lines.len()),
        DocState::Done => format!(" · {} lines", doc.lines.len()),
        DocState::Failed(e) => format!(" · failed: {}", sanitize_line(e)),
    };
    let layout = match (doc.drift, doc.side_by_side) {
        (true, _) => "drift only (d: whole diff)",
        (false, true) => "side by side",
        (false, false) => "unified",
    };
    let search = doc.search.as_ref().map(|s| format!(" · /{} {}", s.query, s.matches.len())).unwrap_or_default();
    let line = Line::from(vec![
        Span::styled(format!(" {} ", short_sha(&doc.sha)), styles.accent().add_modifier(Modifier::BOLD)),
        Span::styled(subject, Style::new().add_modifier(Modifier::BOLD)),
        Span::styled(format!("{file}{state} · {layout}{search}"), styles.dim()),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}

fn draw_sidebar(frame: &mut Frame, app: &App, doc: &DiffDoc, area: Rect) {
    let styles = &app.styles;
    let focused = app.focus == Focus::Side;
    let current = doc.current_file();
    let rows = usize::from(area.height.saturating_sub(2));
    let inner_width = usize::from(area.width.saturating_sub(2));
    let cursor = if focused { doc.file_cursor } else { current.unwrap_or(0) };
    let first = cursor.saturating_sub(rows.saturating_sub(1));
    let lines: Vec<Line> = doc
        .files
        .iter()
        .enumerate()
        .skip(first)
        .take(rows)
        .map(|(i, f)| {
            let mark = if f.info.binary {
                Span::styled("◆", styles.warning())
            } else if f.info.findings > 0 {
                Span::styled("⚠", styles.warning())
            } else {
                Span::raw(" ")
            };
            let counts = if f.info.binary {
                "bin".to_string()
            } else {
                format!("+{} −{}", f.info.additions, f.info.deletions)
            };
            let fold = if f.collapsed { "▸" } else { " " };
            let status = format!("{} ", crate::jobs::status_mark(f.info.status));
            let counts = format!(" {counts}");
            // The path cut in its middle: the directory's start and the whole file name.
            let used = fit::width(&status) + fit::width(&mark.content) + fit::width(fold) + fit::width(&counts);
            let name = fit::middle_path(&sanitize_line(&f.info.path), inner_width.saturating_sub(used));
            let line = Line::from(vec![
                Span::raw(status),
                mark,
                Span::raw(fold),
                Span::raw(name),
                Span::styled(counts, styles.dim()),
            ]);
            if Some(i) == current || (focused && i == doc.file_cursor) {
                line.style(styles.selection())
            } else {
                line
            }
        })
        .collect();
    let title = Line::from(format!(" Files {} ", doc.files.len()));
    frame.render_widget(Paragraph::new(lines).block(pane(app, title, focused)), area);
}

fn draw_body(frame: &mut Frame, app: &App, doc: &DiffDoc, area: Rect) {
    let rows = usize::from(area.height);
    let query = doc.search.as_ref().map(|s| s.query.as_str()).filter(|q| !q.is_empty());
    let mut lines: Vec<Line> = Vec::with_capacity(rows);
    for &index in doc.rows.iter().skip(doc.top).take(rows) {
        let Some(line) = doc.lines.get(index) else { continue };
        let mut line = match query {
            Some(q) => mark_matches(&line, q, &app.styles),
            None => line,
        };
        // A collapsed file says so after its last header line.
        let last_header =
            doc.tags.get(index) == Some(&LineTag::FileHeader) && doc.tags.get(index + 1) != Some(&LineTag::FileHeader);
        let file = doc.files.partition_point(|f| f.start <= index).checked_sub(1).and_then(|i| doc.files.get(i));
        if let Some(file) = file.filter(|f| f.collapsed && last_header) {
            line.spans.push(Span::styled(format!("  ▸ collapsed ({} lines)", file.end - file.start), app.styles.dim()));
        }
        lines.push(line);
    }
    if lines.is_empty() {
        let text = match &doc.state {
            DocState::Rendering => "Rendering the diff…".to_string(),
            DocState::Done => "No changes.".to_string(),
            DocState::Failed(e) => format!("The diff failed: {}", sanitize_line(e)),
        };
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
        return;
    }
    // Lines are laid out to the width by the renderer: no wrapping here.
    frame.render_widget(Paragraph::new(lines), area);
}

/// The line with every occurrence of the query (smart case) highlighted.
fn mark_matches<'a>(line: &Line<'a>, query: &str, styles: &Styles) -> Line<'a> {
    let text = line_text(line);
    let fold = !query.chars().any(char::is_uppercase);
    let (hay, needle) =
        if fold { (text.to_lowercase(), query.to_lowercase()) } else { (text.clone(), query.to_string()) };
    // Lower-casing may change byte lengths: only mark when it did not.
    if hay.len() != text.len() || !hay.contains(&needle) || needle.is_empty() {
        return line.clone();
    }
    let ranges: Vec<(usize, usize)> = hay.match_indices(&needle).map(|(at, m)| (at, at + m.len())).collect();
    let mut out = Vec::new();
    let mut offset = 0;
    for span in &line.spans {
        let content = span.content.as_ref();
        let start = offset;
        let end = offset + content.len();
        offset = end;
        let mut cuts = vec![start, end];
        for &(a, b) in &ranges {
            if a > start && a < end {
                cuts.push(a);
            }
            if b > start && b < end {
                cuts.push(b);
            }
        }
        cuts.sort_unstable();
        cuts.dedup();
        for pair in cuts.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            let Some(piece) = content.get(a - start..b - start) else {
                out.push(span.clone());
                break;
            };
            let hit = ranges.iter().any(|&(x, y)| a >= x && b <= y);
            let style = if hit { span.style.patch(styles.search()) } else { span.style };
            out.push(Span::styled(piece.to_string(), style));
        }
    }
    Line::from(out).style(line.style)
}

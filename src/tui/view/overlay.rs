//! Windows over the screen: help, one-line inputs, the filter dialog and
//! the approve / concern dialog.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

use unicode_width::UnicodeWidthStr;

use super::{centered, pane};
use crate::model::short_sha;
use crate::render::sanitize::sanitize_line;
use crate::tui::app::{ActionKind, App, Filter, Overlay, FILTER_FIELDS};
use crate::tui::help::{Help, Row, DESCRIPTION_COLUMN};

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    match &app.overlay {
        None => {}
        Some(Overlay::Help { scroll }) => help(frame, app, area, *scroll),
        Some(Overlay::Input { kind, text }) => {
            let row = Rect { x: area.x, y: area.y + area.height.saturating_sub(1), width: area.width, height: 1 };
            let line = Line::from(vec![
                Span::styled(kind.prompt(), app.styles.accent()),
                Span::raw(sanitize_line(text)),
                Span::styled("█", app.styles.accent()),
                Span::styled("   enter: go · esc: cancel", app.styles.dim()),
            ]);
            frame.render_widget(Clear, row);
            frame.render_widget(Paragraph::new(line).style(app.styles.status()), row);
        }
        Some(Overlay::FilterDialog { draft, field }) => filter(frame, app, area, draft, *field),
        Some(Overlay::ActionDialog { kind, sha, text }) => action(frame, app, area, *kind, sha, text),
    }
}

fn help(frame: &mut Frame, app: &App, area: Rect, scroll: u16) {
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let layout = Help::new(&app.help_lines(), area);
    let scroll = scroll.min(layout.max_scroll());
    let title = Line::from(" Help · j/k scroll · any other key closes ");
    frame.render_widget(Clear, layout.frame);
    frame.render_widget(pane(app, title, true), layout.frame);
    for (rect, rows) in layout.columns {
        let lines: Vec<Line> = rows
            .into_iter()
            .map(|row| match row {
                Row::Heading(text) => Line::from(Span::styled(text, bold)),
                Row::Entry { keys, text } => {
                    let keys = format!("  {keys}");
                    let pad = DESCRIPTION_COLUMN.saturating_sub(keys.width());
                    Line::from(vec![
                        Span::styled(format!("{keys}{}", " ".repeat(pad)), app.styles.accent()),
                        Span::raw(text),
                    ])
                }
                Row::Blank => Line::from(""),
                Row::Note(text) => Line::from(Span::styled(text, app.styles.dim())),
            })
            .collect();
        // The rows are already fitted to the column: no wrapping here.
        frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), rect);
    }
}

fn filter(frame: &mut Frame, app: &App, area: Rect, draft: &Filter, field: usize) {
    let values = [
        draft.status.label(),
        draft.kind.map(|k| k.as_str().to_string()).unwrap_or_else(|| "any".into()),
        draft.branch.clone().map(|b| sanitize_line(&b)).unwrap_or_else(|| "any".into()),
        sanitize_line(&draft.author),
        sanitize_line(&draft.path),
    ];
    let mut lines = Vec::new();
    for (i, (name, value)) in FILTER_FIELDS.iter().zip(values).enumerate() {
        let chosen = i == field;
        let text_field = i >= 3;
        let shown =
            if text_field { format!("{value}{}", if chosen { "█" } else { "" }) } else { format!("‹ {value} ›") };
        let mut line = Line::from(vec![Span::styled(format!(" {name:<8}"), app.styles.dim()), Span::raw(shown)]);
        if chosen {
            line = line.style(app.styles.selection());
        }
        lines.push(line);
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(" ↑/↓ field · ←/→ choose · type an author or a path glob", app.styles.dim())));
    let rect = centered(area, 64, lines.len() as u16 + 2);
    let block = pane(app, Line::from(" Filter "), true)
        .title_bottom(Line::from(Span::styled(" enter apply · esc cancel ", app.styles.accent())));
    frame.render_widget(Clear, rect);
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

/// What an action would post, exactly (its marker id is assigned when it is recorded).
pub fn action_body(kind: ActionKind, sha: &str, text: &str) -> String {
    let kind = match kind {
        ActionKind::Approve => crate::model::LedgerKind::Approval,
        ActionKind::Concern => crate::model::LedgerKind::Concern,
    };
    crate::jobs::outbox_body(kind, sha, text, "<assigned when recorded>")
}

fn action(frame: &mut Frame, app: &App, area: Rect, kind: ActionKind, sha: &str, text: &str) {
    let styles = &app.styles;
    let change = app.data().and_then(|d| d.queue.changes.iter().find(|c| c.sha == sha));
    let slug = app
        .data()
        .and_then(|d| d.web.clone())
        .and_then(|w| w.trim_start_matches("https://").split_once('/').map(|(_, slug)| slug.to_string()))
        .unwrap_or_else(|| "(repository unknown: set github.repository)".into());
    let target = match (change.and_then(|c| c.pr), kind) {
        (Some(n), ActionKind::Approve) => format!("pull request review, event APPROVE, on {slug}#{n}"),
        (Some(n), ActionKind::Concern) => format!("pull request review, event COMMENT, on {slug}#{n}"),
        (None, _) => format!("commit comment on {slug}@{}", short_sha(sha)),
    };
    let title = match kind {
        ActionKind::Approve => " Approve after merge ",
        ActionKind::Concern => " Raise a concern ",
    };
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let mut lines = vec![
        Line::from(vec![
            Span::styled("change  ", styles.dim()),
            Span::raw(format!("{} {}", short_sha(sha), change.map(|c| sanitize_line(&c.title)).unwrap_or_default())),
        ]),
        Line::from(vec![Span::styled("where   ", styles.dim()), Span::raw(target)]),
        Line::from(vec![Span::styled("as      ", styles.dim()), Span::raw("the GitHub account of your token")]),
    ];
    if let Some(why) = app.not_independent(kind, sha) {
        lines.push(Line::from(Span::styled(
            format!("⚠ will not count, not recorded: {}", sanitize_line(&why)),
            styles.warning(),
        )));
    }
    lines.push(Line::from(Span::styled("body", bold)));
    let body = action_body(kind, sha, text);
    // The cursor follows the note being typed (the body's third line on).
    let note_start = match kind {
        ActionKind::Approve => 2,
        ActionKind::Concern => 4,
    };
    let cursor_line = if text.trim_end().is_empty() { 0 } else { note_start + text.trim_end().split('\n').count() - 1 };
    for (i, line) in body.lines().enumerate() {
        let mut spans = vec![Span::styled("│ ", styles.dim()), Span::raw(sanitize_line(line))];
        if i == cursor_line {
            spans.push(Span::styled("█", styles.accent()));
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::from(Span::styled(
        "Saved in the outbox first, then posted once (retries look for the marker); without GitHub it waits there.",
        styles.dim(),
    )));
    let rect = centered(area, 100, lines.len() as u16 + 6);
    let block = pane(app, Line::from(title), true).title_bottom(Line::from(Span::styled(
        " type a note · alt-enter new line · enter record and post · esc cancel ",
        styles.accent(),
    )));
    frame.render_widget(Clear, rect);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }).block(block), rect);
}

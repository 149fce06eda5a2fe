//! Drawing: the app's state to a frame. Nothing here changes state or
//! touches git, SQLite or the network; every string from the repository
//! was sanitized before it reached the state.

mod binaries;
mod diff;
mod hex;
mod overlay;
mod people;
mod queue;
mod release;
mod trends;

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

use super::app::{App, Loading, Screen, SyncState};
use super::keymap::Action;
pub(super) use super::layout::centered;
use super::layout::{MIN_HEIGHT, MIN_WIDTH};
use crate::jobs::QueueDepth;
use crate::model::Verdict;
use crate::render::sanitize::sanitize_line;

pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(frame, area);
        return;
    }
    let [body, status] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
    match app.screen {
        Screen::Queue => queue::draw(frame, app, body),
        Screen::Diff => diff::draw(frame, app, body),
        Screen::Hex => hex::draw(frame, app, body),
        Screen::Release => release::draw(frame, app, body),
        Screen::People => people::draw_people(frame, app, body),
        Screen::Blast => people::draw_blast(frame, app, body),
        Screen::Trends => trends::draw(frame, app, body),
        Screen::Binaries => binaries::draw(frame, app, body),
    }
    status_bar(frame, app, status);
    overlay::draw(frame, app, area);
}

fn too_small(frame: &mut Frame, area: Rect) {
    let text = vec![
        Line::from(Span::styled("terminal too small", Style::new().add_modifier(Modifier::BOLD))),
        Line::from(format!("need {MIN_WIDTH}×{MIN_HEIGHT}, have {}×{}", area.width, area.height)),
        Line::from("enlarge the window, or press q to quit"),
    ];
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
}

/// A bordered pane whose title is highlighted when it has the focus.
pub(super) fn pane<'a>(app: &App, title: Line<'a>, focused: bool) -> Block<'a> {
    let border = if focused { app.styles.accent() } else { app.styles.border() };
    Block::default().borders(Borders::ALL).border_style(border).title(title)
}

/// A screen's data from the background once it is in; until then (or
/// when it failed) a pane titled `title` says so, and `None`.
pub(super) fn arrived<'a, T>(
    frame: &mut Frame,
    app: &App,
    area: Rect,
    data: &'a Option<Result<T, String>>,
    title: &'static str,
    (waiting, failed): (&'static str, &'static str),
) -> Option<&'a T> {
    let block = pane(app, Line::from(title), true);
    match data {
        None => frame.render_widget(Paragraph::new(waiting).block(block), area),
        Some(Err(e)) => {
            let text = vec![Line::from(Span::styled(failed, app.styles.warning())), Line::from(sanitize_line(e))];
            frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }).block(block), area);
        }
        Some(Ok(data)) => return Some(data),
    }
    None
}

fn status_bar(frame: &mut Frame, app: &App, area: Rect) {
    let styles = &app.styles;
    let mut spans: Vec<Span> = Vec::new();
    if let Some(notice) = &app.notice {
        let style = if notice.error { styles.warning() } else { styles.accent() };
        spans.push(Span::styled(format!(" {} ", sanitize_line(&notice.text)), style));
    } else {
        match &app.queue {
            Loading::Loaded(data) => {
                let name = sanitize_line(&data.repo_name);
                spans.push(Span::styled(format!(" {name} "), Style::new().add_modifier(Modifier::BOLD)));
                // Each maintenance branch with where its own changes start,
                // when the bar has room for it.
                let roomy = area.width >= 120;
                let scoped: Vec<String> = data
                    .branches
                    .iter()
                    .map(|b| match data.since.get(b).filter(|_| roomy) {
                        Some(start) => format!("{b} since {start}"),
                        None => b.clone(),
                    })
                    .collect();
                spans.push(Span::styled(format!("{} ", sanitize_line(&scoped.join(" "))), styles.dim()));
                if data.cached {
                    spans.push(Span::styled("(last run's queue, refreshing…) ", styles.dim()));
                } else if data.depth < QueueDepth::Files {
                    spans.push(Span::styled("(first screen; reading files and scans…) ", styles.dim()));
                }
                if let Some(shallow) = &data.shallow {
                    spans.push(Span::styled(format!("{} ", sanitize_line(shallow)), styles.warning()));
                }
                for (verdict, count) in data.queue.counts() {
                    if count > 0 && verdict != Verdict::Reviewed {
                        spans.push(Span::styled(
                            format!("{count} {} ", short_verdict(verdict)),
                            styles.verdict(verdict),
                        ));
                    }
                }
            }
            Loading::Loading | Loading::Idle => spans.push(Span::raw(" loading the queue… ")),
            Loading::Failed(_) => spans.push(Span::styled(" queue failed to load ", styles.warning())),
        }
    }
    // Actions not yet on GitHub stay in sight, whatever else is shown.
    if let Some(data) = app.data().filter(|d| d.outbox > 0) {
        spans.push(Span::styled(format!("│ outbox {} ", data.outbox), styles.accent()));
    }
    match &app.sync {
        SyncState::Running { branch, done, total, note } => {
            let progress = if *total > 0 { format!(" {done}/{total}") } else { String::new() };
            let note = if note.is_empty() { String::new() } else { format!(" {note}") };
            let text = sanitize_line(&format!("│ syncing {branch}{progress}{note} "));
            spans.push(Span::styled(text, styles.accent()));
        }
        SyncState::Failed(_) => spans.push(Span::styled("│ sync failed ", styles.warning())),
        SyncState::Done(_) => spans.push(Span::styled("│ synced ", styles.dim())),
        SyncState::Idle => {}
    }
    if let Some((remaining, limit)) = app.rate {
        spans.push(Span::styled(format!("│ rate {remaining}/{limit} "), styles.dim()));
    }
    let hints = format!(
        "{} help  {} open  {} filter  {} back ",
        app.keymap.hint(Action::Help),
        app.keymap.hint(Action::Open),
        app.keymap.hint(Action::Filter),
        app.keymap.hint(Action::Back)
    );
    let used: usize = spans.iter().map(|s| s.width()).sum();
    let room = usize::from(area.width).saturating_sub(used);
    if room > hints.chars().count() {
        spans.push(Span::raw(" ".repeat(room - hints.chars().count())));
        spans.push(Span::styled(hints, styles.dim()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)).style(styles.status()), area);
}

pub(super) fn short_verdict(v: Verdict) -> &'static str {
    match v {
        Verdict::Unreviewed => "unreviewed",
        Verdict::PartlyReviewed => "partly",
        Verdict::ConcernRaised => "concern",
        Verdict::ApprovedAfterMerge => "approved after",
        Verdict::Reviewed => "reviewed",
    }
}

//! The queue list and the selected change's detail pane.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Wrap};
use ratatui::Frame;

use super::{pane, short_verdict};
use crate::model::{short_sha, Change, ChangeKind, Evidence, OriginalLink, Verdict};
use crate::render::sanitize::sanitize_line;
use crate::tui::app::{age, parse_time, App, Focus, Loading};
use crate::tui::keymap::Action;
use crate::tui::layout;

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let (list, detail) = if layout::detail_beside_list(area.width) {
        let [l, d] = Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)]).areas(area);
        (l, d)
    } else {
        let [l, d] = Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area);
        (l, d)
    };
    draw_list(frame, app, list);
    draw_detail(frame, app, detail);
}

fn badge(v: Verdict) -> &'static str {
    match v {
        Verdict::Unreviewed => "UNREV",
        Verdict::PartlyReviewed => "PARTLY",
        Verdict::ConcernRaised => "CONCERN",
        Verdict::ApprovedAfterMerge => "AFTER",
        Verdict::Reviewed => "OK",
    }
}

/// The verdict's badge; a reviewed change that its risks reopened says
/// so, in the warning colour.
fn badge_span(app: &App, c: &Change) -> Span<'static> {
    if c.pending && c.verdict == Verdict::Reviewed {
        Span::styled("RECHECK", app.styles.warning())
    } else {
        Span::styled(badge(c.verdict), app.styles.verdict(c.verdict))
    }
}

fn kind_word(k: ChangeKind) -> &'static str {
    match k {
        ChangeKind::Merge => "pr",
        ChangeKind::Backport => "bp",
        ChangeKind::DirectPush => "push",
    }
}

/// Short marks for what makes a change risky: binary files, backport
/// drift, hidden characters in its title, the risk score.
fn risk_marks(change: &Change) -> String {
    let mut marks = String::new();
    if change.files.iter().any(|f| f.binary) {
        marks.push('◆');
    }
    if change.patch_id_matches == Some(false) {
        marks.push('↯');
    }
    if crate::render::invisible::any_hidden(&change.title) {
        marks.push('⚠');
    }
    let score = change.score;
    if score > 0 {
        marks.push_str(&score.to_string());
    }
    marks
}

fn draw_list(frame: &mut Frame, app: &App, area: Rect) {
    let styles = &app.styles;
    let focused = app.focus == Focus::Main;
    let data = match &app.queue {
        Loading::Loaded(data) => data,
        Loading::Failed(e) => {
            let block = pane(app, Line::from(" Queue "), focused);
            let text = vec![
                Line::from(Span::styled("The queue could not be built:", styles.warning())),
                Line::from(sanitize_line(e)),
                Line::from(""),
                Line::from("Fix the cause and press r to retry with a sync, or q to quit."),
            ];
            frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }).block(block), area);
            return;
        }
        _ => {
            let block = pane(app, Line::from(" Queue "), focused);
            frame.render_widget(Paragraph::new("Walking history and reading the store…").block(block), area);
            return;
        }
    };
    let view = &app.view;
    let search = if view.search.is_empty() { String::new() } else { format!(" /{}", view.search) };
    let mut title = vec![
        Span::styled(" Queue ", Style::new().add_modifier(Modifier::BOLD)),
        Span::styled(format!("{}/{} ", view.visible.len(), data.queue.changes.len()), styles.dim()),
    ];
    // The count is not all there is: say so beside it.
    if !data.cut.is_empty() {
        let cut = format!("({} cut at {}) ", sanitize_line(&data.cut.join(", ")), data.limit);
        title.push(Span::styled(cut, styles.warning()));
    }
    // The window, and the key past it.
    if let Some(window) = &data.window {
        let key = app.keymap.hint(Action::History);
        let label = sanitize_line(&window.label);
        let text = if data.whole {
            format!("· whole history ({key}: {label}) ")
        } else {
            format!("· {label} ({key}: whole history) ")
        };
        title.push(Span::styled(text, styles.accent()));
    }
    title.push(Span::styled(format!("· {} · by {}{search} ", view.filter.describe(), view.sort.label()), styles.dim()));
    let title = Line::from(title);
    let block = pane(app, title, focused);
    let inner_rows = usize::from(area.height.saturating_sub(2));
    if view.visible.is_empty() {
        let text = if data.queue.changes.is_empty() {
            "No changes on the watched branches."
        } else {
            "Nothing matches this filter: press f to change it (pending only is the default)."
        };
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }).block(block), area);
        return;
    }
    let wide = area.width >= 100;
    let rows: Vec<Row> = view
        .visible
        .iter()
        .enumerate()
        .skip(view.offset)
        .take(inner_rows)
        .filter_map(|(pos, &index)| {
            let c = data.queue.changes.get(index)?;
            let pr =
                c.pr.map(|n| format!("#{n}")).unwrap_or_else(|| short_sha(&c.sha)[..7.min(c.sha.len())].to_string());
            let author = sanitize_line(c.author_login.as_deref().unwrap_or(&c.author));
            let mut cells = vec![
                Cell::from(badge_span(app, c)),
                Cell::from(Span::styled(kind_word(c.kind), app.styles.kind(c.kind))),
                Cell::from(sanitize_line(&c.branch)),
                Cell::from(pr),
                Cell::from(sanitize_line(&c.title)),
            ];
            if wide {
                cells.push(Cell::from(Span::styled(author, styles.dim())));
            }
            cells.push(Cell::from(Span::styled(age(app.now, app.time_of(index)), styles.dim())));
            cells.push(Cell::from(Span::styled(risk_marks(c), styles.warning())));
            let row = Row::new(cells);
            Some(if pos == view.selected { row.style(styles.selection()) } else { row })
        })
        .collect();
    let mut widths = vec![
        Constraint::Length(7),
        Constraint::Length(4),
        Constraint::Length(6),
        Constraint::Length(7),
        Constraint::Fill(1),
    ];
    if wide {
        widths.push(Constraint::Length(14));
    }
    widths.push(Constraint::Length(4));
    widths.push(Constraint::Length(6));
    frame.render_widget(Table::new(rows, widths).column_spacing(1).block(block), area);
}

fn draw_detail(frame: &mut Frame, app: &App, area: Rect) {
    let focused = app.focus == Focus::Side;
    let block = pane(app, Line::from(" Detail "), focused);
    let lines = match app.selected() {
        Some(change) => detail_lines(app, change),
        None => vec![Line::from("No change selected.")],
    };
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).scroll((app.detail_scroll, 0)).block(block),
        area,
    );
}

/// Everything a reviewer needs to judge the change before reading it.
pub fn detail_lines(app: &App, c: &Change) -> Vec<Line<'static>> {
    let styles = &app.styles;
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let label = |text: &str| Span::styled(format!("{text:<10}"), styles.dim());
    let mut lines = vec![Line::from(Span::styled(sanitize_line(&c.title), bold))];
    let url = app.data().and_then(|d| d.web.clone()).map(|web| match c.pr {
        Some(n) => format!("{web}/pull/{n}"),
        None => format!("{web}/commit/{}", c.sha),
    });
    lines.push(Line::from(vec![
        badge_span(app, c),
        Span::raw(format!(" {} · ", short_verdict(c.verdict))),
        Span::styled(c.kind.as_str().to_string(), styles.kind(c.kind)),
        Span::raw(format!(" on {} · {}", sanitize_line(&c.branch), short_sha(&c.sha))),
        Span::raw(if c.pending { " · pending" } else { "" }),
    ]));
    if let Some(url) = url {
        lines.push(Line::from(vec![label("link"), Span::styled(sanitize_line(&url), styles.accent())]));
    }
    let login = c.author_login.as_deref().map(|l| format!(" @{}", sanitize_line(l))).unwrap_or_default();
    let association = c.author_association.as_deref().map(|a| format!(" ({})", sanitize_line(a))).unwrap_or_default();
    lines.push(Line::from(vec![
        label("author"),
        Span::raw(format!("{} <{}>{login}{association}", sanitize_line(&c.author), sanitize_line(&c.author_email))),
    ]));
    // Someone who rose to tagging releases faster than the project's pace.
    if let Some(person) = app.flagged_author(c) {
        lines.push(Line::from(vec![
            label("pace"),
            Span::styled(sanitize_line(&person.escalation.explanation), styles.warning()),
        ]));
    }
    if let Some(m) = &c.merged_by {
        lines.push(Line::from(vec![label("merged by"), Span::raw(sanitize_line(m))]));
    } else {
        lines.push(Line::from(vec![label("committer"), Span::raw(sanitize_line(&c.committer))]));
    }
    lines.push(Line::from(vec![
        label("landed"),
        Span::raw(format!("{} ({} ago)", c.merged_at, age(app.now, parse_time(&c.merged_at)))),
    ]));

    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled("Why this verdict", bold)));
    if c.evidence.is_empty() {
        lines.push(Line::from("  no review, trailer or ledger entry counts"));
    }
    for e in &c.evidence {
        let style = match e {
            Evidence::UnapprovedCommits { .. } => styles.warning(),
            Evidence::Review { stale: true, .. } => styles.warning(),
            _ => Style::new(),
        };
        lines.push(Line::from(vec![Span::raw("  • "), Span::styled(sanitize_line(&e.describe()), style)]));
    }

    if let Some(original) = &c.original {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled("Backport of", bold)));
        let how = match original.link {
            OriginalLink::CherryPickTrailer => "cherry-pick trailer",
            OriginalLink::PullRequestNumber => "pull request number in the title",
            OriginalLink::PatchId => "equal patch-id (no trailer)",
            OriginalLink::BackportConvention => "backport convention naming the commit",
        };
        let pr = original.pr.map(|n| format!(" #{n}")).unwrap_or_default();
        lines.push(Line::from(format!(
            "  {}{pr} on {} (linked by {how})",
            short_sha(&original.sha),
            sanitize_line(&original.branch)
        )));
        match c.patch_id_matches {
            Some(true) => lines
                .push(Line::from(Span::styled("  patch-id matches the original", styles.verdict(Verdict::Reviewed)))),
            Some(false) => lines.push(Line::from(Span::styled(
                "  patch-id differs: the backport drifted from its original",
                styles.warning(),
            ))),
            None => {}
        }
    }

    if !c.risks.is_empty() {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(format!("Risk (score {})", c.score), bold)));
        for r in &c.risks {
            let style = match r.severity {
                crate::model::Severity::Critical | crate::model::Severity::High => styles.warning(),
                _ => styles.accent(),
            };
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<8} ", r.severity.as_str()), style),
                Span::styled(format!("{} ", r.kind.as_str()), styles.dim()),
                Span::raw(sanitize_line(&r.explanation)),
            ]));
        }
    }

    lines.push(Line::from(""));
    let with_files = app.data().is_some_and(|d| d.with_files);
    if !with_files {
        lines.push(Line::from(Span::styled("Files: loading…", styles.dim())));
    } else {
        let (adds, dels) = c.files.iter().fold((0, 0), |(a, d), f| (a + f.additions, d + f.deletions));
        lines.push(Line::from(Span::styled(format!("Files ({}, +{adds} −{dels})", c.files.len()), bold)));
        for f in &c.files {
            let mut spans = vec![Span::raw(format!("  {} ", crate::jobs::status_mark(f.status)))];
            if f.binary {
                spans.push(Span::styled("◆ binary ", styles.warning()));
            } else {
                spans.push(Span::styled(format!("+{}", f.additions), styles.verdict(Verdict::Reviewed)));
                spans.push(Span::styled(format!(" −{} ", f.deletions), styles.verdict(Verdict::Unreviewed)));
            }
            if let Some(old) = &f.old_path {
                spans.push(Span::raw(format!("{} → ", sanitize_line(old))));
            }
            spans.push(Span::raw(sanitize_line(&f.path)));
            lines.push(Line::from(spans));
        }
    }
    lines
}

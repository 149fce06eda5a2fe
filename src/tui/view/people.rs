//! The people screen (everyone by concern, with the selected person's
//! rise and reach) and the blast radius screen (what one person touched:
//! releases, binaries, copies, then their changes by risk).

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Wrap};
use ratatui::Frame;

use super::{arrived, pane, short_verdict};
use crate::model::people::{BlastRadius, PersonRecord};
use crate::model::{day, short_sha};
use crate::render::sanitize::sanitize_line;
use crate::report::people::steps_line;
use crate::tui::app::App;

/// The first row to draw so that `selected` is on screen.
pub(super) fn offset(selected: usize, rows: usize) -> usize {
    (selected + 1).saturating_sub(rows.max(1))
}

fn concern(app: &App, p: &PersonRecord) -> Span<'static> {
    if p.dormant {
        Span::styled("dormant", app.styles.warning())
    } else if p.escalation.flagged {
        Span::styled("fast", app.styles.warning())
    } else {
        Span::raw("")
    }
}

pub fn draw_people(frame: &mut Frame, app: &App, area: Rect) {
    let Some(doc) = &app.people else { return };
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let waiting = "Reading everyone's history (authors, committers, mergers, reviewers, taggers)…";
    let Some(data) = arrived(frame, app, area, &doc.data, " People ", (waiting, "The people could not be read:"))
    else {
        return;
    };
    let people = &data.people;
    let [list, detail] = Layout::vertical([Constraint::Fill(1), Constraint::Length(10)]).areas(area);
    let dormant = people.iter().filter(|p| p.dormant).count();
    let fast = people.iter().filter(|p| p.escalation.flagged).count();
    let privileged = people.iter().filter(|p| p.privileged).count();
    let mut title = vec![
        Span::styled(" People ", bold),
        Span::styled(format!("{} · {privileged} privileged · ", people.len()), app.styles.dim()),
        Span::styled(
            format!("{dormant} dormant · {fast} fast escalation{} ", if fast == 1 { "" } else { "s" }),
            app.styles.warning(),
        ),
    ];
    if !data.need_sync.is_empty() {
        title.push(Span::styled("· from git alone: r syncs logins and reviews ", app.styles.dim()));
    }
    let rows_room = usize::from(list.height.saturating_sub(3));
    let first = offset(doc.selected, rows_room);
    // Narrow terminals keep the name, the trust and the rise; wide ones
    // show every count.
    let wide = list.width >= 120;
    let mut names = vec!["", "NAME", "PRIV", "LAST ACTIVE", "COMMIT", "TAGS"];
    let mut widths = vec![
        Constraint::Length(7),
        Constraint::Fill(2),
        Constraint::Length(9),
        Constraint::Length(11),
        Constraint::Length(6),
        Constraint::Length(4),
    ];
    if wide {
        names.extend(["LOGIN", "AUTH", "MERGED", "APPROVED"]);
        widths.extend([Constraint::Fill(1), Constraint::Length(6), Constraint::Length(6), Constraint::Length(8)]);
    }
    let header = Row::new(names).style(app.styles.dim());
    let rows: Vec<Row> = people
        .iter()
        .enumerate()
        .skip(first)
        .take(rows_room)
        .map(|(i, p)| {
            let mut cells = vec![
                Cell::from(concern(app, p)),
                Cell::from(sanitize_line(&p.name)),
                Cell::from(p.privileged_source.map_or("-", |s| s.as_str())),
                Cell::from(day(p.last_activity)),
                Cell::from(p.committed.to_string()),
                Cell::from(p.tags.to_string()),
            ];
            if wide {
                let login = sanitize_line(p.logins.first().map_or("", String::as_str));
                cells.extend([
                    Cell::from(Span::styled(login, app.styles.dim())),
                    Cell::from(p.authored.to_string()),
                    Cell::from(p.merged.to_string()),
                    Cell::from(p.approvals_given.to_string()),
                ]);
            }
            let row = Row::new(cells);
            if i == doc.selected {
                row.style(app.styles.selection())
            } else {
                row
            }
        })
        .collect();
    let table = Table::new(rows, widths).header(header).column_spacing(1).block(pane(app, Line::from(title), true));
    frame.render_widget(table, list);

    let lines = match people.get(doc.selected) {
        Some(p) => person_lines(app, p, data.dormancy_days),
        None => vec![Line::from("No one on the watched branches.")],
    };
    let hint = format!(" {} ", sanitize_line(people.get(doc.selected).map_or("", |p| p.name.as_str())));
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(pane(app, Line::from(hint), false)),
        detail,
    );
}

/// The selected person: identities, privilege, rise, counts.
fn person_lines(app: &App, p: &PersonRecord, dormancy_days: u32) -> Vec<Line<'static>> {
    let label = |text: &str| Span::styled(format!("{text:<11}"), app.styles.dim());
    let mut lines = vec![Line::from(vec![
        label("identities"),
        Span::raw(sanitize_line(&[p.emails.clone(), p.logins.clone()].concat().join(", "))),
    ])];
    let privilege = match p.privileged_source {
        Some(crate::model::people::PrivilegeSource::Github) => "privileged (push access, by GitHub)".to_string(),
        Some(source) => format!("privileged (inferred: {} on a watched branch)", source.as_str()),
        None => "not privileged (no commit, merge or tag on a watched branch)".into(),
    };
    let dormant =
        if p.dormant { format!(" · dormant: no activity for over {dormancy_days} days") } else { String::new() };
    lines.push(Line::from(vec![label("trust"), Span::raw(privilege), Span::styled(dormant, app.styles.warning())]));
    lines.push(Line::from(vec![label("rise"), Span::raw(sanitize_line(&steps_line(p)))]));
    let style = if p.escalation.flagged { app.styles.warning() } else { Style::new() };
    lines.push(Line::from(vec![label("pace"), Span::styled(sanitize_line(&p.escalation.explanation), style)]));
    lines.push(Line::from(vec![
        label("did"),
        Span::raw(format!(
            "{} authored · {} committed · {} merged · {} self-merged unreviewed · {} approvals · {} tags · {} build-system changes · {} binaries added",
            p.authored,
            p.committed,
            p.merged,
            p.self_merged_unreviewed,
            p.approvals_given,
            p.tags,
            p.build_system_changes,
            p.binaries_added
        )),
    ]));
    lines.push(Line::from(Span::styled(
        format!("{}: blast radius (changes, releases, binaries)", app.keymap.hint(crate::tui::keymap::Action::Open)),
        app.styles.dim(),
    )));
    lines
}

pub fn draw_blast(frame: &mut Frame, app: &App, area: Rect) {
    let Some(doc) = &app.blast else { return };
    let title = Line::from(vec![
        Span::styled(" Blast radius ", Style::new().add_modifier(Modifier::BOLD)),
        Span::styled(format!("· {} ", sanitize_line(&doc.who)), app.styles.accent()),
    ]);
    let radius = match &doc.data {
        None => {
            let text = "Finding every change, release, binary and backport they touched…";
            frame.render_widget(Paragraph::new(text).block(pane(app, title, true)), area);
            return;
        }
        Some(Err(e)) => {
            let text = vec![
                Line::from(Span::styled("The blast radius could not be read:", app.styles.warning())),
                Line::from(sanitize_line(e)),
            ];
            frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }).block(pane(app, title, true)), area);
            return;
        }
        Some(Ok(radius)) => radius,
    };
    let summary = summary_lines(app, radius);
    let height = (summary.len() as u16 + 2).min(area.height / 2);
    let [top, list] = Layout::vertical([Constraint::Length(height), Constraint::Fill(1)]).areas(area);
    frame.render_widget(Paragraph::new(summary).wrap(Wrap { trim: false }).block(pane(app, title, false)), top);

    let rows_room = usize::from(list.height.saturating_sub(3));
    let first = offset(doc.selected, rows_room);
    let header = Row::new(["RISK", "SHA", "BRANCH", "ROLE", "VERDICT", "TITLE"]).style(app.styles.dim());
    let rows: Vec<Row> = radius
        .changes
        .iter()
        .enumerate()
        .skip(first)
        .take(rows_room)
        .map(|(i, c)| {
            let roles: Vec<&str> = c.roles.iter().map(|r| r.as_str()).collect();
            let row = Row::new(vec![
                Cell::from(Span::styled(c.score.to_string(), app.styles.warning())),
                Cell::from(short_sha(&c.sha).to_string()),
                Cell::from(sanitize_line(&c.branch)),
                Cell::from(Span::styled(roles.join(","), app.styles.dim())),
                Cell::from(Span::styled(short_verdict(c.verdict), app.styles.verdict(c.verdict))),
                Cell::from(sanitize_line(&c.title)),
            ]);
            if i == doc.selected {
                row.style(app.styles.selection())
            } else {
                row
            }
        })
        .collect();
    let widths = [
        Constraint::Length(5),
        Constraint::Length(10),
        Constraint::Length(8),
        Constraint::Length(18),
        Constraint::Length(10),
        Constraint::Fill(1),
    ];
    let changes = Line::from(format!(" Changes by risk ({}) ", radius.changes.len()));
    frame
        .render_widget(Table::new(rows, widths).header(header).column_spacing(1).block(pane(app, changes, true)), list);
}

/// Releases first (what shipped), then binaries, copies and tags.
fn summary_lines(app: &App, radius: &BlastRadius) -> Vec<Line<'static>> {
    let label = |text: &str| Span::styled(format!("{text:<10}"), app.styles.dim());
    let list = |items: Vec<String>| if items.is_empty() { "none".to_string() } else { items.join(", ") };
    let mut lines = Vec::new();
    if radius.person.escalation.flagged {
        lines.push(Line::from(vec![
            label("pace"),
            Span::styled(sanitize_line(&radius.person.escalation.explanation), app.styles.warning()),
        ]));
    }
    let releases = radius.releases.iter().map(|r| format!("{} ({})", r.tag, day(Some(r.date)))).collect();
    lines.push(Line::from(vec![label("releases"), Span::styled(sanitize_line(&list(releases)), app.styles.warning())]));
    let binaries = radius
        .binaries
        .iter()
        .map(|b| format!("{} ({} in {})", b.path, if b.added { "added" } else { "changed" }, short_sha(&b.sha)))
        .collect();
    lines.push(Line::from(vec![label("binaries"), Span::raw(sanitize_line(&list(binaries)))]));
    let copies = radius
        .backports
        .iter()
        .map(|b| format!("{} → {} on {}", short_sha(&b.original), short_sha(&b.backport), b.branch))
        .collect();
    lines.push(Line::from(vec![label("backports"), Span::raw(sanitize_line(&list(copies)))]));
    let tags = radius.tagged.iter().map(|t| t.name.clone()).collect();
    lines.push(Line::from(vec![label("tagged"), Span::raw(sanitize_line(&list(tags)))]));
    lines
}

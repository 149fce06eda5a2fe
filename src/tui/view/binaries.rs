//! The binaries screen: every binary file of the main line's tree by
//! concern (type, size, entropy, findings, who added it, its verdict),
//! and the selected one's provenance, upstream and findings below.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Wrap};
use ratatui::Frame;

use super::{arrived, pane, short_verdict};
use crate::model::binary::{BinaryFile, Concern, Naming};
use crate::model::{day, short_sha};
use crate::render::fit::middle_path;
use crate::render::hex::{human_size, SizeStyle};
use crate::render::sanitize::sanitize_line;
use crate::report::binaries::{explained_by, findings_line, worst_verdict};
use crate::tui::app::App;
use crate::tui::keymap::Action;

/// The first row to draw so that `selected` is on screen.
fn offset(selected: usize, rows: usize) -> usize {
    (selected + 1).saturating_sub(rows.max(1))
}

fn mark(app: &App, f: &BinaryFile) -> Span<'static> {
    match f.concern {
        Concern::Payload => Span::styled(format!("⚠ {}", f.findings.len()), app.styles.warning()),
        Concern::UnreviewedUnexplained => Span::styled("?", app.styles.warning()),
        Concern::UnreviewedOrUnexplained => Span::styled("·", app.styles.dim()),
        Concern::Explained => Span::raw(""),
    }
}

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let Some(doc) = &app.binaries else { return };
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let waiting = "Reading the main line's tree, scanning each binary and finding who added it…";
    let Some(inventory) =
        arrived(frame, app, area, &doc.data, " Binaries ", (waiting, "The binaries could not be read:"))
    else {
        return;
    };
    let files = &inventory.files;
    let [list, detail] = Layout::vertical([Constraint::Fill(1), Constraint::Length(10)]).areas(area);
    let count = |c: Concern| files.iter().filter(|f| f.concern == c).count();
    let title = vec![
        Span::styled(" Binaries ", bold),
        Span::styled(
            format!("{} at {} {} · ", files.len(), sanitize_line(&inventory.rev), short_sha(&inventory.commit)),
            app.styles.dim(),
        ),
        Span::styled(
            format!(
                "{} with payloads · {} unreviewed and unexplained ",
                count(Concern::Payload),
                count(Concern::UnreviewedUnexplained)
            ),
            app.styles.warning(),
        ),
    ];
    let rows_room = usize::from(list.height.saturating_sub(3));
    let first = offset(doc.selected, rows_room);
    // Narrow terminals keep the path, the type and the verdict; wide ones
    // show every column.
    let wide = list.width >= 120;
    let mut names = vec!["", "PATH", "TYPE", "SIZE", "VERDICT"];
    let mut widths = vec![
        Constraint::Length(4),
        Constraint::Fill(3),
        Constraint::Fill(2),
        Constraint::Length(9),
        Constraint::Length(10),
    ];
    if wide {
        names.extend(["ENTROPY", "ADDED BY", "ADDED"]);
        widths.extend([Constraint::Length(7), Constraint::Fill(1), Constraint::Length(10)]);
    }
    // The path column's share of what the fixed columns leave, so a long
    // path is cut in its middle (its file name stays), not at its end.
    let fixed: u16 = if wide { 4 + 9 + 10 + 7 + 10 } else { 4 + 9 + 10 };
    let spacing = names.len() as u16 - 1;
    let shares = if wide { 6 } else { 5 };
    let path_width = usize::from(list.width.saturating_sub(2 + fixed + spacing)) * 3 / shares;
    let header = Row::new(names).style(app.styles.dim());
    let rows: Vec<Row> = files
        .iter()
        .enumerate()
        .skip(first)
        .take(rows_room)
        .map(|(i, f)| {
            let verdict = worst_verdict(f);
            let mut cells = vec![
                Cell::from(mark(app, f)),
                Cell::from(middle_path(&sanitize_line(&f.path), path_width)),
                Cell::from(sanitize_line(f.file_type.as_deref().unwrap_or("data"))),
                Cell::from(human_size(f.size, SizeStyle::Brief)),
                Cell::from(Span::styled(
                    verdict.map_or("-", short_verdict),
                    verdict.map_or(app.styles.dim(), |v| app.styles.verdict(v)),
                )),
            ];
            if wide {
                cells.extend([
                    Cell::from(format!("{:.2}", f.entropy)),
                    Cell::from(sanitize_line(f.added_by.as_deref().unwrap_or("-"))),
                    Cell::from(day(f.added_at)),
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

    let lines = match files.get(doc.selected) {
        Some(f) => file_lines(app, f),
        None => vec![Line::from("No binary file in the main line's tree.")],
    };
    let hint = format!(" {} ", sanitize_line(files.get(doc.selected).map_or("", |f| f.path.as_str())));
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(pane(app, Line::from(hint), false)),
        detail,
    );
}

/// The selected binary: findings, where it came from, what explains it.
fn file_lines(app: &App, f: &BinaryFile) -> Vec<Line<'static>> {
    let label = |text: &str| Span::styled(format!("{text:<11}"), app.styles.dim());
    let mut lines = Vec::new();
    if !f.findings.is_empty() {
        lines.push(Line::from(vec![label("findings"), Span::styled(findings_line(f), app.styles.warning())]));
    }
    let added = match (&f.added_in, &f.added_by) {
        (Some(sha), Some(by)) => format!("{} by {} on {}", short_sha(sha), sanitize_line(by), day(f.added_at)),
        _ => "before the history this clone holds".into(),
    };
    let verdicts: Vec<String> =
        f.verdicts.iter().take(4).map(|v| format!("{} {}", short_sha(&v.sha), v.verdict.as_str())).collect();
    let verdicts = if verdicts.is_empty() { "no change on a watched branch".into() } else { verdicts.join(", ") };
    lines.push(Line::from(vec![label("added"), Span::raw(added)]));
    lines.push(Line::from(vec![label("verdicts"), Span::raw(verdicts)]));
    lines.push(Line::from(vec![label("upstream"), Span::raw(f.upstream.as_deref().map_or("-".into(), sanitize_line))]));
    let p = &f.provenance;
    let naming = |n: &Naming| format!("{}:{} {}", sanitize_line(&n.path), n.line, sanitize_line(&n.text));
    for (name, found) in [("generator", &p.generator), ("makefile", &p.makefile), ("readme", &p.readme)] {
        if let Some(n) = found {
            lines.push(Line::from(vec![label(name), Span::raw(naming(n))]));
        }
    }
    let named = if p.mentioned_by.is_empty() && p.directory_mentioned_by.is_empty() {
        Span::styled("nothing in the tree names it or its directory", app.styles.warning())
    } else if p.mentioned_by.is_empty() {
        Span::raw(format!("its directory, in {}", sanitize_line(&p.directory_mentioned_by.join(", "))))
    } else {
        Span::raw(sanitize_line(&p.mentioned_by.join(", ")))
    };
    lines.push(Line::from(vec![
        label("named in"),
        named,
        Span::styled(format!("  ({})", explained_by(f)), app.styles.dim()),
    ]));
    lines.push(Line::from(Span::styled(
        format!("{}: hex view of the blob", app.keymap.hint(Action::Open)),
        app.styles.dim(),
    )));
    lines
}

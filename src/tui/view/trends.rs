//! The trends screen: a bar chart per month of the selected branch
//! (landed beside unreviewed), a sparkline per area (unreviewed per
//! month, with its totals), and the coverage's top concerns (areas with
//! one maintainer or none, or mostly unreviewed).

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Cell, Paragraph, Row, Sparkline, Table, Wrap};
use ratatui::Frame;

use super::pane;
use super::people::offset;
use crate::jobs::TrendsData;
use crate::model::coverage::{AreaCoverage, Bucket, Series};
use crate::model::Verdict;
use crate::render::sanitize::sanitize_line;
use crate::report::clip;
use crate::report::coverage::{people_line, share};
use crate::tui::app::App;
use crate::tui::keymap::Action;

/// Columns a month takes in the chart: two bars of two, and a gap.
const GROUP_WIDTH: u16 = 5;

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let Some(doc) = &app.trends else { return };
    let title = Line::from(Span::styled(" Trends ", Style::new().add_modifier(Modifier::BOLD)));
    let data = match &doc.data {
        None => {
            let text = "Reading the history: every change with its files, verdict and area…";
            frame.render_widget(Paragraph::new(text).block(pane(app, title, true)), area);
            return;
        }
        Some(Err(e)) => {
            let text = vec![
                Line::from(Span::styled("The trends could not be read:", app.styles.warning())),
                Line::from(sanitize_line(e)),
            ];
            frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }).block(pane(app, title, true)), area);
            return;
        }
        Some(Ok(data)) => data,
    };
    let chart_height = (area.height * 2 / 5).max(8);
    let [chart, rest] = Layout::vertical([Constraint::Length(chart_height), Constraint::Fill(1)]).areas(area);
    let (areas, concerns) = if area.width >= 120 {
        let [a, c] = Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)]).areas(rest);
        (a, c)
    } else {
        let wanted = concern_count(data) as u16 + 3;
        let [a, c] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(wanted.clamp(4, rest.height / 2))]).areas(rest);
        (a, c)
    };
    draw_chart(frame, app, data, doc.branch, chart);
    draw_areas(frame, app, data, doc.selected, areas);
    draw_concerns(frame, app, data, concerns);
}

fn concern_count(data: &TrendsData) -> usize {
    data.coverage.areas.iter().filter(|a| !a.concerns.is_empty()).count()
}

/// The last `n` periods of a series.
fn last(periods: &[Bucket], n: usize) -> &[Bucket] {
    &periods[periods.len().saturating_sub(n)..]
}

/// Under a month's bars: `05` for `2024-05`, `19` for the week `2024-W19`
/// (the legend gives the years).
fn short_period(period: &str) -> String {
    period.get(period.len().saturating_sub(2)..).unwrap_or(period).to_string()
}

fn draw_chart(frame: &mut Frame, app: &App, data: &TrendsData, branch: usize, area: Rect) {
    let landed_style = app.styles.accent();
    let unreviewed_style = app.styles.verdict(Verdict::Unreviewed);
    let Some(series) = data.trends.branches.get(branch) else {
        let block = pane(app, Line::from(" Review debt per month "), true);
        frame.render_widget(Paragraph::new("No change on the watched branches.").block(block), area);
        return;
    };
    let room = usize::from((area.width.saturating_sub(2) + 1) / GROUP_WIDTH).max(1);
    let shown = last(&series.periods, room);
    let t = &series.total;
    let self_merged = if area.width >= 100 { format!(" · {} self-merged", t.self_merged) } else { String::new() };
    let title = Line::from(vec![
        Span::styled(" Review debt · ", Style::new().add_modifier(Modifier::BOLD)),
        Span::styled(sanitize_line(&series.name), app.styles.accent()),
        Span::styled(
            format!(
                " ({}/{}) · {} landed · {} unreviewed{self_merged} · {} pending ",
                branch + 1,
                data.trends.branches.len(),
                t.landed,
                t.unreviewed,
                t.backlog
            ),
            app.styles.dim(),
        ),
    ]);
    let keys = format!("{}/{}", app.keymap.hint(Action::NextBranch), app.keymap.hint(Action::PrevBranch));
    let span = match (shown.first(), shown.last()) {
        (Some(a), Some(b)) => format!("{} to {}", a.period, b.period),
        _ => String::new(),
    };
    let months = if shown.len() < series.periods.len() {
        format!("{span}, the last {} of {} months", shown.len(), series.periods.len())
    } else {
        span
    };
    let legend = Line::from(vec![
        Span::styled(" ■ landed ", landed_style),
        Span::styled("■ unreviewed ", unreviewed_style),
        Span::styled(format!("· {months} · {keys}: branch "), app.styles.dim()),
    ]);
    let groups: Vec<BarGroup> = shown
        .iter()
        .map(|b| {
            let bars = [
                Bar::new(u64::from(b.landed)).style(landed_style).text_value(String::new()),
                Bar::new(u64::from(b.unreviewed)).style(unreviewed_style).text_value(String::new()),
            ];
            BarGroup::new(bars).label(Line::from(short_period(&b.period)))
        })
        .collect();
    let chart = BarChart::grouped(groups)
        .bar_width(2)
        .bar_gap(0)
        .group_gap(1)
        .label_style(app.styles.dim())
        .block(pane(app, title, true).title_bottom(legend));
    frame.render_widget(chart, area);
}

fn series_label(s: &Series) -> String {
    s.label.clone().unwrap_or_else(|| s.name.clone())
}

fn draw_areas(frame: &mut Frame, app: &App, data: &TrendsData, selected: usize, area: Rect) {
    let areas = &data.trends.areas;
    let title = Line::from(vec![
        Span::styled(" Areas ", Style::new().add_modifier(Modifier::BOLD)),
        Span::styled("· unreviewed/landed · unreviewed per month ", app.styles.dim()),
    ]);
    let block = pane(app, title, false);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if areas.is_empty() {
        frame.render_widget(Paragraph::new("No change touched any area."), inner);
        return;
    }
    let rows = usize::from(inner.height);
    let first = offset(selected, rows);
    let name_width = (inner.width / 3).clamp(8, 24);
    for (row, (i, s)) in areas.iter().enumerate().skip(first).take(rows).enumerate() {
        let line = Rect { y: inner.y + row as u16, height: 1, ..inner };
        let totals = format!(" {:>4}/{:<4}", s.total.unreviewed, s.total.landed);
        let [name, counts, spark] = Layout::horizontal([
            Constraint::Length(name_width),
            Constraint::Length(totals.chars().count() as u16 + 1),
            Constraint::Fill(1),
        ])
        .areas(line);
        let style = if i == selected { app.styles.selection() } else { Style::new() };
        let label = clip(&sanitize_line(&series_label(s)), usize::from(name_width));
        frame.render_widget(Paragraph::new(label).style(style), name);
        frame.render_widget(Paragraph::new(totals).style(app.styles.dim()), counts);
        let values: Vec<u64> =
            last(&s.periods, usize::from(spark.width)).iter().map(|b| u64::from(b.unreviewed)).collect();
        let most = values.iter().copied().max().unwrap_or(0).max(1);
        frame.render_widget(
            Sparkline::default().data(&values).max(most).style(app.styles.verdict(Verdict::Unreviewed)),
            spark,
        );
    }
}

fn concern_cell(a: &AreaCoverage) -> String {
    let words: Vec<&str> = a
        .concerns
        .iter()
        .map(|c| match c {
            crate::model::coverage::AreaConcern::NoMaintainer => "none",
            crate::model::coverage::AreaConcern::SingleMaintainer => "single",
            crate::model::coverage::AreaConcern::MostlyUnreviewed => "unrev.",
        })
        .collect();
    words.join(",")
}

fn draw_concerns(frame: &mut Frame, app: &App, data: &TrendsData, area: Rect) {
    let c = &data.coverage;
    let listed: Vec<&AreaCoverage> = c.areas.iter().filter(|a| !a.concerns.is_empty()).collect();
    let single = listed.iter().filter(|a| a.changes > 0 && a.active_maintainers() == 1).count();
    let title = Line::from(vec![
        Span::styled(" Concerns ", Style::new().add_modifier(Modifier::BOLD)),
        Span::styled(
            format!("· {} of {} areas, {single} single-maintainer ", listed.len(), c.areas.len()),
            app.styles.warning(),
        ),
        Span::styled(format!("· {} ", sanitize_line(&c.window.label)), app.styles.dim()),
    ]);
    if listed.is_empty() {
        let text = "No area has one maintainer or none, or mostly unreviewed changes.";
        frame.render_widget(Paragraph::new(text).block(pane(app, title, false)), area);
        return;
    }
    let header = Row::new(["CONCERN", "AREA", "CHG", "UNREV", "SHARE", "WHO"]).style(app.styles.dim());
    let rows: Vec<Row> = listed
        .iter()
        .take(usize::from(area.height.saturating_sub(3)))
        .map(|a| {
            let label = a.name.clone().unwrap_or_else(|| a.path.clone());
            Row::new(vec![
                Cell::from(Span::styled(concern_cell(a), app.styles.warning())),
                Cell::from(sanitize_line(&label)),
                Cell::from(a.changes.to_string()),
                Cell::from(a.unreviewed.to_string()),
                Cell::from(share(a)),
                Cell::from(Span::styled(sanitize_line(&people_line(&a.maintainers, 2)), app.styles.dim())),
            ])
        })
        .collect();
    let widths = [
        Constraint::Length(13),
        Constraint::Fill(1),
        Constraint::Length(4),
        Constraint::Length(5),
        Constraint::Length(5),
        Constraint::Fill(1),
    ];
    let table = Table::new(rows, widths).header(header).column_spacing(1).block(pane(app, title, false));
    frame.render_widget(table, area);
}

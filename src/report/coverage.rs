//! Views of review coverage (who maintains each area, how much landed
//! unreviewed) and of review debt over time: aligned tables, JSON, and
//! Markdown safe to paste into an issue. Repository text (paths, names,
//! branches) is sanitized; Markdown cells are escaped.

use std::fmt::Write as _;

use crate::model::coverage::{AreaCoverage, AreaPerson, AreaSource, Bucket, Coverage, Series, Trends};
use crate::model::day;
use crate::render::hex::sparkline;
use crate::render::markdown::cell;
use crate::render::sanitize::sanitize_line;

use super::grid::grid;
use super::{clip, to_json};

/// `erin (3), bob (1)`: the first `max` people, by changes.
pub fn people_line(people: &[AreaPerson], max: usize) -> String {
    let mut parts: Vec<String> = people
        .iter()
        .take(max)
        .map(|p| {
            let who = p.login.as_deref().unwrap_or(&p.name);
            let bot = if p.bot { " [bot]" } else { "" };
            let who = if who.ends_with("[bot]") { who.to_string() } else { format!("{who}{bot}") };
            format!("{who} ({})", p.changes)
        })
        .collect();
    if people.len() > max {
        parts.push(format!("+{} more", people.len() - max));
    }
    if parts.is_empty() {
        "-".into()
    } else {
        parts.join(", ")
    }
}

/// `43%`, `-` with no changes.
pub fn share(area: &AreaCoverage) -> String {
    area.unreviewed_share.map_or("-".into(), |s| format!("{:.0}%", s * 100.0))
}

/// `single maintainer, mostly unreviewed`.
pub fn concern_line(area: &AreaCoverage) -> String {
    area.concerns.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")
}

/// Where the areas came from, in words.
pub fn source_line(source: AreaSource, codeowners: Option<&str>) -> String {
    match (source, codeowners) {
        (AreaSource::Codeowners, Some(file)) => format!("CODEOWNERS entries ({})", sanitize_line(file)),
        (AreaSource::Codeowners, None) => "CODEOWNERS entries".into(),
        (AreaSource::Config, _) => "[[coverage.areas]] from the config".into(),
        (AreaSource::Directories, _) => "top-level directories".into(),
    }
}

fn footer(c: &Coverage) -> String {
    let count = |f: &dyn Fn(&AreaCoverage) -> bool| c.areas.iter().filter(|a| f(a)).count();
    let single = count(&|a| a.changes > 0 && a.active_maintainers() == 1);
    let none = count(&|a| a.active_maintainers() == 0);
    let mostly = count(&|a| a.unreviewed_share.is_some_and(|s| s > 0.5));
    format!(
        "{} areas ({}), {} ({} to {}): {} changes; {single} with a single maintainer, {none} with none, {mostly} mostly unreviewed",
        c.areas.len(),
        source_line(c.source, c.codeowners.as_deref()),
        sanitize_line(&c.window.label),
        day(Some(c.window.since)),
        day(Some(c.window.until)),
        c.changes
    )
}

fn area_label(a: &AreaCoverage) -> String {
    match &a.name {
        Some(name) => format!("{} ({})", name, a.path),
        None => a.path.clone(),
    }
}

/// Changes, unreviewed, the share, active maintainers.
fn counts(a: &AreaCoverage) -> [String; 4] {
    [a.changes.to_string(), a.unreviewed.to_string(), share(a), a.active_maintainers().to_string()]
}

/// Coverage as an aligned table, by concern.
pub fn coverage_table(c: &Coverage) -> String {
    let header = ["CONCERN", "AREA", "CHANGES", "UNREVIEWED", "SHARE", "MAINTAINERS", "REVIEWERS", "WHO", "OWNERS"];
    let rows: Vec<Vec<String>> = c
        .areas
        .iter()
        .map(|a| {
            let mut row = vec![concern_line(a), clip(&sanitize_line(&area_label(a)), 40)];
            row.extend(counts(a));
            row.extend([
                a.active_reviewers.len().to_string(),
                clip(&sanitize_line(&people_line(&a.maintainers, 3)), 60),
                clip(&sanitize_line(&a.owners.join(" ")), 40),
            ]);
            row
        })
        .collect();
    let mut out = grid(&header, &rows, &[2, 3, 4, 5, 6]);
    let _ = writeln!(out, "\n{}", footer(c));
    out
}

/// Coverage as one JSON array of areas (schema in the README).
pub fn coverage_json(c: &Coverage) -> String {
    to_json(&c.areas)
}

fn md_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut md = format!("| {} |\n|{}\n", header.join(" | "), "---|".repeat(header.len()));
    for row in rows {
        let _ = writeln!(md, "| {} |", row.join(" | "));
    }
    md
}

/// Coverage as Markdown: the footer's summary, then the table.
pub fn coverage_markdown(c: &Coverage) -> String {
    let mut md = String::from("# Review coverage by area\n\n");
    let _ = writeln!(md, "{}\n", cell(&footer(c)));
    let rows: Vec<Vec<String>> = c
        .areas
        .iter()
        .map(|a| {
            let mut row = vec![concern_line(a), format!("`{}`", crate::render::markdown::code(&area_label(a)))];
            row.extend(counts(a));
            row.extend([
                cell(&people_line(&a.maintainers, 5)),
                cell(&people_line(&a.active_reviewers, 5)),
                cell(&a.owners.join(" ")),
            ]);
            row
        })
        .collect();
    let header =
        ["Concern", "Area", "Changes", "Unreviewed", "Share", "Maintainers", "Who", "Independent reviewers", "Owners"];
    md.push_str(&md_table(&header, &rows));
    md
}

/// Unreviewed changes per period as bars: `▁` for none, `▂` to `█` for
/// one up to the series' most.
pub fn unreviewed_sparkline(periods: &[Bucket]) -> String {
    let most = periods.iter().map(|b| b.unreviewed).max().unwrap_or(0).max(1) as f32;
    let levels: Vec<f32> =
        periods.iter().map(|b| if b.unreviewed == 0 { 0.0 } else { 1.0 + 7.0 * b.unreviewed as f32 / most }).collect();
    sparkline(&levels)
}

fn bucket_cells(b: &Bucket) -> Vec<String> {
    vec![
        b.landed.to_string(),
        b.unreviewed.to_string(),
        b.self_merged.to_string(),
        b.approved_after_merge.to_string(),
        b.backlog.to_string(),
    ]
}

/// A row per period of a series, then its total.
fn period_rows(series: &Series) -> Vec<Vec<String>> {
    series
        .periods
        .iter()
        .chain([&series.total])
        .map(|b| {
            let mut row = vec![b.period.clone()];
            row.extend(bucket_cells(b));
            row
        })
        .collect()
}

const BUCKET_HEADER: [&str; 5] = ["LANDED", "UNREVIEWED", "SELF-MERGED", "APPROVED AFTER", "BACKLOG"];

fn trends_footer(t: &Trends) -> String {
    format!(
        "{} to {}, by {}; areas: {}; the first and last periods are partial; BACKLOG: pending at the period's end",
        day(Some(t.from)),
        day(Some(t.to)),
        if t.period == crate::model::coverage::Period::Week { "ISO week" } else { "month" },
        source_line(t.source, None)
    )
}

/// Trends as aligned tables: one per branch (a row per period), then the
/// areas with their totals and unreviewed changes per period.
pub fn trends_table(t: &Trends) -> String {
    let mut out = String::new();
    for branch in &t.branches {
        let _ = writeln!(out, "{}", sanitize_line(&branch.name));
        let mut header = vec!["PERIOD"];
        header.extend(BUCKET_HEADER);
        out.push_str(&grid(&header, &period_rows(branch), &[1, 2, 3, 4, 5]));
        out.push('\n');
    }
    let mut header = vec!["AREA"];
    header.extend(BUCKET_HEADER);
    header.push("UNREVIEWED BY PERIOD");
    let rows: Vec<Vec<String>> = t
        .areas
        .iter()
        .map(|a| {
            let mut row = vec![clip(&sanitize_line(&series_label(a)), 40)];
            row.extend(bucket_cells(&a.total));
            row.push(unreviewed_sparkline(&a.periods));
            row
        })
        .collect();
    out.push_str(&grid(&header, &rows, &[1, 2, 3, 4, 5]));
    let _ = writeln!(out, "\n{}", trends_footer(t));
    out
}

fn series_label(s: &Series) -> String {
    match &s.label {
        Some(label) => format!("{label} ({})", s.name),
        None => s.name.clone(),
    }
}

/// Trends as one JSON object (schema in the README).
pub fn trends_json(t: &Trends) -> String {
    to_json(t)
}

/// Trends as Markdown: a table per branch, then the areas.
pub fn trends_markdown(t: &Trends) -> String {
    let mut md = String::from("# Review debt over time\n\n");
    let _ = writeln!(md, "{}\n", cell(&trends_footer(t)));
    let header = ["Period", "Landed", "Unreviewed", "Self-merged", "Approved after merge", "Backlog"];
    for branch in &t.branches {
        let _ = writeln!(md, "## `{}`\n", crate::render::markdown::code(&branch.name));
        md.push_str(&md_table(&header, &period_rows(branch)));
        md.push('\n');
    }
    md.push_str("## Areas\n\n");
    let rows: Vec<Vec<String>> = t
        .areas
        .iter()
        .map(|a| {
            let mut row = vec![format!("`{}`", crate::render::markdown::code(&series_label(a)))];
            row.extend(bucket_cells(&a.total));
            row.push(unreviewed_sparkline(&a.periods));
            row
        })
        .collect();
    let header =
        ["Area", "Landed", "Unreviewed", "Self-merged", "Approved after merge", "Backlog", "Unreviewed by period"];
    md.push_str(&md_table(&header, &rows));
    md
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::coverage::{AreaConcern, CoverageWindow, Period};

    fn area(path: &str) -> AreaCoverage {
        AreaCoverage {
            path: path.into(),
            name: None,
            maintainers: vec![AreaPerson { name: "Eve\u{202E}".into(), login: None, bot: false, changes: 2 }],
            active_reviewers: Vec::new(),
            changes: 2,
            unreviewed: 2,
            pending: 2,
            unreviewed_share: Some(1.0),
            owners: vec!["@a|b".into()],
            concerns: vec![AreaConcern::SingleMaintainer, AreaConcern::MostlyUnreviewed],
        }
    }

    fn coverage() -> Coverage {
        Coverage {
            source: AreaSource::Directories,
            codeowners: None,
            window: CoverageWindow { since: 0, until: 86_400, label: "last 365 days of the history".into() },
            changes: 2,
            areas: vec![area("evil\u{1b}[2J/")],
        }
    }

    #[test]
    fn repository_text_is_sanitized_in_tables_and_escaped_in_markdown() {
        let c = coverage();
        let table = coverage_table(&c);
        assert!(!table.contains('\u{1b}') && !table.contains('\u{202E}'), "{table}");
        assert!(table.contains("single maintainer, mostly unreviewed") && table.contains("100%"), "{table}");
        let md = coverage_markdown(&c);
        assert!(md.contains("@a\\|b") || md.contains("&#64;a\\|b"), "{md}");
        assert!(!md.contains("@a|b") && !md.contains('\u{202E}'), "{md}");
        assert!(coverage_json(&c).contains("\\u202e"), "hidden characters are escaped in JSON");
    }

    #[test]
    fn the_sparkline_keeps_zero_apart_from_one() {
        let b = |n| Bucket { unreviewed: n, ..Bucket::default() };
        assert_eq!(unreviewed_sparkline(&[b(0), b(1), b(4), b(0)]), "▁▃█▁");
        let series = Series { name: "main".into(), label: None, periods: vec![b(1)], total: b(1) };
        let t = Trends {
            period: Period::Month,
            source: AreaSource::Directories,
            from: 0,
            to: 0,
            branches: vec![series.clone()],
            areas: vec![series],
        };
        assert!(trends_table(&t).contains("main"));
        assert!(trends_markdown(&t).contains("## `main`"));
    }
}

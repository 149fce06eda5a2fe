//! The review-debt parts of the page: trends per month (landed and
//! unreviewed, self-merged and approved after merge, the backlog at each
//! month's end) for the watched branches together and each alone, and the
//! coverage table with a sparkline of each area's unreviewed changes.

use std::collections::BTreeMap;

use crate::model::coverage::{AreaCoverage, Bucket, Coverage, Series as Debt, Trends};

use super::svg::{self, palette, Series};
use super::{table, Cell, Section};

/// Trend charts: every watched branch together, then each branch alone
/// when there is more than one.
pub fn trends_section(trends: &Trends) -> Section {
    let all = together(&trends.branches);
    let labels: Vec<String> = all.iter().map(|b| b.period.clone()).collect();
    let column = |f: fn(&Bucket) -> u32| all.iter().map(|b| u64::from(f(b))).collect::<Vec<u64>>();
    let mut body = String::from("<div class=\"charts\">");
    body.push_str(&landed_chart("Changes landed per month, all watched branches", &all));
    body.push_str(&svg::lines(
        "Pending backlog at each month's end",
        &labels,
        &trends
            .branches
            .iter()
            .zip(BRANCH_COLOURS.iter().cycle())
            .map(|(s, colour)| Series::new(s.name.clone(), colour, aligned(s, &labels, |b| b.backlog)))
            .collect::<Vec<_>>(),
    ));
    body.push_str(&svg::lines(
        "Self-merged and approved after merge, per month",
        &labels,
        &[
            Series::new("self-merged", palette::SELF_MERGED, column(|b| b.self_merged)),
            Series::new("approved after merge", palette::AFTER_MERGE, column(|b| b.approved_after_merge)),
        ],
    ));
    if trends.branches.len() > 1 {
        for branch in &trends.branches {
            // From the branch's first change on: a maintenance branch's
            // chart is not its years of nothing before it began.
            let named: Vec<Bucket> = labels
                .iter()
                .map(|p| {
                    let found = branch.periods.iter().find(|b| &b.period == p).cloned();
                    found.unwrap_or_else(|| Bucket { period: p.clone(), ..Bucket::default() })
                })
                .skip_while(|b| b.landed == 0)
                .collect();
            body.push_str(&landed_chart(&format!("Changes landed per month on {}", branch.name), &named));
        }
    }
    body.push_str("</div>");
    let total = |f: fn(&Bucket) -> u32| trends.branches.iter().map(|s| u64::from(f(&s.total))).sum::<u64>();
    let rows: Vec<Vec<Cell>> = trends
        .branches
        .iter()
        .map(|s| {
            vec![
                Cell::Text(s.name.clone()),
                Cell::Number(u64::from(s.total.landed)),
                Cell::Number(u64::from(s.total.unreviewed)),
                Cell::Number(u64::from(s.total.self_merged)),
                Cell::Number(u64::from(s.total.approved_after_merge)),
                Cell::Number(u64::from(s.total.backlog)),
                Cell::Html(svg::sparkline(
                    &format!("{}: unreviewed per month", s.name),
                    &aligned(s, &labels, |b| b.unreviewed),
                    palette::UNREVIEWED,
                )),
            ]
        })
        .collect();
    body.push_str(&table(
        &[
            "branch",
            "landed",
            "unreviewed",
            "self-merged",
            "approved after merge",
            "pending now",
            "unreviewed per month",
        ],
        rows,
        "No change landed on a watched branch.",
    ));
    Section {
        id: "trends",
        heading: "Review debt over time".into(),
        lede: format!(
            "{} changes landed from {} to {}, {} of them with no independent approval ({} self-merged; {} approved only \
             after they landed). Unreviewed: no approval by someone other than the author, committer or a bot. The \
             backlog is what was pending at each month's end.",
            total(|b| b.landed),
            labels.first().map_or("-", String::as_str),
            labels.last().map_or("-", String::as_str),
            total(|b| b.unreviewed),
            total(|b| b.self_merged),
            total(|b| b.approved_after_merge),
        ),
        body,
    }
}

/// The coverage table, areas of concern first, each with its unreviewed
/// changes per month as a sparkline (from the trends' area series).
pub fn coverage_section(coverage: &Coverage, trends: Option<&Trends>) -> Section {
    let labels: Vec<String> =
        trends.map(|t| together(&t.branches).into_iter().map(|b| b.period).collect()).unwrap_or_default();
    let spark = |area: &AreaCoverage| -> Cell {
        let series = trends.and_then(|t| t.areas.iter().find(|s| s.name == area.path));
        match series {
            Some(s) => Cell::Html(svg::sparkline(
                &format!("{}: unreviewed per month", area.path),
                &aligned(s, &labels, |b| b.unreviewed),
                palette::UNREVIEWED,
            )),
            None => Cell::Marked("-".into(), "none"),
        }
    };
    let rows: Vec<Vec<Cell>> = coverage
        .areas
        .iter()
        .map(|a| {
            let concern: Vec<&str> = a.concerns.iter().map(|c| c.as_str()).collect();
            let maintainers: Vec<String> = a
                .maintainers
                .iter()
                .filter(|m| !m.bot)
                .take(4)
                .map(|m| format!("{} ({})", m.name, m.changes))
                .collect();
            let share = a.unreviewed_share.map_or_else(|| "-".into(), |s| format!("{:.0}%", s * 100.0));
            vec![
                if concern.is_empty() {
                    Cell::Marked("-".into(), "none")
                } else {
                    Cell::Marked(concern.join(", "), "bad")
                },
                Cell::Code(a.name.clone().map_or_else(|| a.path.clone(), |n| format!("{n} ({})", a.path))),
                Cell::Text(if maintainers.is_empty() { "nobody".into() } else { maintainers.join(", ") }),
                Cell::Number(a.active_reviewers.len() as u64),
                Cell::Number(u64::from(a.changes)),
                Cell::Number(u64::from(a.unreviewed)),
                Cell::Text(share),
                Cell::Text(if a.owners.is_empty() { "-".into() } else { a.owners.join(" ") }),
                spark(a),
            ]
        })
        .collect();
    let alone = coverage.areas.iter().filter(|a| a.active_maintainers() <= 1).count();
    Section {
        id: "coverage",
        heading: "Coverage".into(),
        lede: format!(
            "{} areas ({}), {}: {alone} with one maintainer or none. Maintainers authored or reviewed changes there; \
             active reviewers approved them independently.",
            coverage.areas.len(),
            match &coverage.codeowners {
                Some(file) => format!("the entries of {file}"),
                None => coverage.source.as_str().to_string(),
            },
            coverage.window.label,
        ),
        body: table(
            &[
                "concern",
                "area",
                "maintainers",
                "active reviewers",
                "changes",
                "unreviewed",
                "share",
                "owners",
                "unreviewed per month",
            ],
            rows,
            "No area had a change in the window.",
        ),
    }
}

/// Colours for one line per branch.
const BRANCH_COLOURS: [&str; 6] = ["#4477aa", "#ee7733", "#009988", "#aa3377", "#cc3311", "#777777"];

/// The branches' periods added up, period by period, in order.
fn together(branches: &[Debt]) -> Vec<Bucket> {
    let mut by_period: BTreeMap<String, Bucket> = BTreeMap::new();
    for s in branches {
        for b in &s.periods {
            let sum = by_period.entry(b.period.clone()).or_insert_with(|| Bucket {
                period: b.period.clone(),
                start: b.start,
                ..Bucket::default()
            });
            sum.landed += b.landed;
            sum.unreviewed += b.unreviewed;
            sum.self_merged += b.self_merged;
            sum.approved_after_merge += b.approved_after_merge;
            sum.backlog += b.backlog;
        }
    }
    by_period.into_values().collect()
}

/// A series' values at `labels` (zero where it has no such period).
fn aligned(series: &Debt, labels: &[String], f: fn(&Bucket) -> u32) -> Vec<u64> {
    let by: BTreeMap<&str, &Bucket> = series.periods.iter().map(|b| (b.period.as_str(), b)).collect();
    labels.iter().map(|p| by.get(p.as_str()).map_or(0, |b| u64::from(f(b)))).collect()
}

/// Landed changes per period, reviewed below and unreviewed on top.
fn landed_chart(title: &str, buckets: &[Bucket]) -> String {
    let labels: Vec<String> = buckets.iter().map(|b| b.period.clone()).collect();
    svg::stacked_bars(
        title,
        &labels,
        &[
            Series::new(
                "reviewed",
                palette::REVIEWED,
                buckets.iter().map(|b| u64::from(b.landed - b.unreviewed.min(b.landed))).collect(),
            ),
            Series::new("unreviewed", palette::UNREVIEWED, buckets.iter().map(|b| u64::from(b.unreviewed)).collect()),
        ],
    )
}

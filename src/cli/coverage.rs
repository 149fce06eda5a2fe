//! `rearview coverage` and `rearview trends`: thin presenters of
//! `pipeline::coverage` and `pipeline::trends`.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context as _, Result};
use clap::{Args, ValueEnum};

use rearview::model::coverage::Period;
use rearview::pipeline::coverage::{coverage as gather, parse_since};
use rearview::pipeline::trends::{trends as gather_trends, TrendOptions};
use rearview::report::coverage as view;

use super::output::print;
use super::{context, Global, LedgerFormat};

pub(super) const COVERAGE_HELP: &str = "Areas: [[coverage.areas]] from the config, else the entries of .github/CODEOWNERS, CODEOWNERS or\ndocs/CODEOWNERS (the last matching pattern wins), else the top-level directories. Areas with one\nmaintainer or none, or mostly unreviewed, come first. The window: the last 365 days of the history\n(up to its newest change) unless --since says otherwise.\n\nExamples:\n  rearview coverage\n  rearview coverage --since '90 days' --format json\n  rearview coverage --since v3.12.0 --format md > coverage.md";

pub(super) const TRENDS_HELP: &str = "Per branch and per area, per month: changes landed, unreviewed, self-merged, approved after merge,\nand the backlog still pending at the month's end (months in UTC; empty months are listed).\n\nExamples:\n  rearview trends\n  rearview trends --branch main --since 2024-01-01\n  rearview trends --by week --format json | jq '.branches[0].periods'";

pub fn coverage(global: &Global, args: &CoverageArgs) -> Result<ExitCode> {
    let started = Instant::now();
    let mut ctx = context(global)?;
    let since = args.since.as_deref().map(parse_since).transpose()?;
    let found = gather(&ctx.repo, &mut ctx.store, &ctx.config, since.as_ref()).context("cannot gather the coverage")?;
    if global.verbose {
        eprintln!(
            "rearview: {} areas, {} changes in the window, in {} ms",
            found.areas.len(),
            found.changes,
            started.elapsed().as_millis()
        );
    }
    let text = match args.format {
        LedgerFormat::Table => view::coverage_table(&found),
        LedgerFormat::Md => view::coverage_markdown(&found),
        LedgerFormat::Json => view::coverage_json(&found),
    };
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}

pub fn trends(global: &Global, args: &TrendsArgs) -> Result<ExitCode> {
    let started = Instant::now();
    let mut ctx = context(global)?;
    let options = TrendOptions {
        branch: args.branch.clone(),
        period: match args.by {
            By::Month => Period::Month,
            By::Week => Period::Week,
        },
        since: args.since.as_deref().map(parse_since).transpose()?,
    };
    let found = gather_trends(&ctx.repo, &mut ctx.store, &ctx.config, &options).context("cannot gather the trends")?;
    if global.verbose {
        let periods = found.branches.first().map_or(0, |b| b.periods.len());
        eprintln!(
            "rearview: {} branches, {} areas, {periods} periods, in {} ms",
            found.branches.len(),
            found.areas.len(),
            started.elapsed().as_millis()
        );
    }
    let text = match args.format {
        LedgerFormat::Table => view::trends_table(&found),
        LedgerFormat::Md => view::trends_markdown(&found),
        LedgerFormat::Json => view::trends_json(&found),
    };
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
pub(super) struct CoverageArgs {
    /// The window's start: a date (2024-01-31), a span counted back from the newest change (90 days), a revision, or all.
    #[arg(long)]
    pub(super) since: Option<String>,
    #[arg(long, value_enum, default_value_t = LedgerFormat::Table)]
    pub(super) format: LedgerFormat,
}

#[derive(Args)]
pub(super) struct TrendsArgs {
    /// Only this branch (default: every watched branch).
    #[arg(long)]
    pub(super) branch: Option<String>,
    /// Bucket by calendar month or ISO week (UTC).
    #[arg(long, value_enum, default_value_t = By::Month)]
    pub(super) by: By,
    /// Only changes since then (as coverage --since; default: the whole history).
    #[arg(long)]
    pub(super) since: Option<String>,
    #[arg(long, value_enum, default_value_t = LedgerFormat::Table)]
    pub(super) format: LedgerFormat,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum By {
    Month,
    Week,
}

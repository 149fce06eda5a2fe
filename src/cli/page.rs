//! `rearview report --html FILE`: one self-contained page for a steering
//! council or a release manager, gathered from the same pipelines as the
//! other commands and written atomically, readable by its owner only.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use clap::Args;

use rearview::pipeline::coverage::parse_since;
use rearview::pipeline::report;

use super::{context, Global};

pub const REPORT_HELP: &str = "The page holds its charts as inline SVG and fetches nothing: no script, font or image from anywhere.\nEvery repository string in it is escaped.\n\nExamples:\n  rearview report --html review-debt.html\n  rearview report --html /tmp/3.12.html --since v3.12.0";

#[derive(Args)]
pub struct ReportArgs {
    /// Write the page here (replaced atomically; mode 0600).
    #[arg(long, value_name = "FILE")]
    html: PathBuf,
    /// The window of the trends and coverage: a date, a span (`365 days`) or a revision.
    #[arg(long)]
    since: Option<String>,
}

pub fn report(global: &Global, args: &ReportArgs) -> Result<ExitCode> {
    let mut ctx = context(global)?;
    let since = args.since.as_deref().map(parse_since).transpose()?;
    let sections =
        report::sections(&ctx.repo, &mut ctx.store, &ctx.config, since.as_ref()).context("cannot gather the report")?;
    let page = report::page(&ctx.repo, &sections, &today());
    write_page(&args.html, page.as_bytes())?;
    eprintln!(
        "rearview: wrote {} ({} sections, {} charts)",
        rearview::render::sanitize::sanitize_line(&args.html.display().to_string()),
        sections.len(),
        page.matches("<svg class=\"chart\"").count()
    );
    Ok(ExitCode::SUCCESS)
}

fn today() -> String {
    chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string()
}

/// Writes the page beside its destination and renames it into place, so a
/// reader never sees half a page and an old one survives a failure.
fn write_page(path: &Path, bytes: &[u8]) -> Result<()> {
    let shown = rearview::render::sanitize::sanitize_line(&path.display().to_string());
    if path.is_dir() {
        anyhow::bail!("cannot write the report to {shown}: it is a directory; give a file name such as report.html");
    }
    rearview::paths::replace_private(path, bytes)
        .with_context(|| format!("cannot write the report to {shown}: check the directory exists and is writable"))
}

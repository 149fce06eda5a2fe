//! `rearview binaries`: a thin presenter of the binary inventory
//! (`pipeline::binaries`).

use std::process::ExitCode;

use anyhow::{Context as _, Result};
use clap::Args;

use rearview::pipeline::binaries;
use rearview::report::binaries as view;

use super::output::print;
use super::{context, Global, LedgerFormat};

pub(super) const AFTER_HELP: &str = "Sorted by concern: payload findings first (inside compressed data too), then binaries that are\nunreviewed and unexplained (no text in the tree names them, no [[binaries.upstream]] entry), then the rest.\nWhat is binary is git's rule: a NUL byte in the first 8000 bytes.\n\nExamples:\n  rearview binaries\n  rearview binaries v3.12.1 --format json | jq '.[] | select(.findings != [])'\n  rearview binaries --format md > binaries.md";

pub fn binaries(global: &Global, args: &BinariesArgs) -> Result<ExitCode> {
    let mut ctx = context(global)?;
    let inventory = binaries::binaries(&ctx.repo, &mut ctx.store, &ctx.config, args.rev.as_deref())
        .context("cannot list the binary files")?;
    let rev = format!("{} ({})", inventory.rev, rearview::model::short_sha(&inventory.commit));
    let text = match args.format {
        LedgerFormat::Table => view::binaries_table(&inventory.files, &rev),
        LedgerFormat::Md => view::binaries_markdown(&inventory.files, &rev),
        LedgerFormat::Json => view::binaries_json(&inventory.files),
    };
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
pub(super) struct BinariesArgs {
    /// The tree to read (a branch, tag or commit; default: the main line's tip).
    pub(super) rev: Option<String>,
    #[arg(long, value_enum, default_value_t = LedgerFormat::Table)]
    pub(super) format: LedgerFormat,
}

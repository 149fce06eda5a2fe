//! `rearview people` and `rearview blast-radius`: thin presenters of the
//! census (`pipeline::people`).

use std::process::ExitCode;

use anyhow::{Context as _, Result};

use rearview::pipeline::people::blast::{self, Target};
use rearview::pipeline::people::{census, NEED_SYNC};
use rearview::report::people::{self as view, PeopleContext};

use super::output::print;
use clap::{Args, ValueEnum};

use super::{context, Global, LedgerFormat};

pub fn people(global: &Global, args: &PeopleArgs) -> Result<ExitCode> {
    let mut ctx = context(global)?;
    let since = match &args.since {
        Some(text) => Some(rearview::pipeline::sync::since(&ctx.repo, text)?),
        None => None,
    };
    let census = census(&ctx.repo, &mut ctx.store, &ctx.config, since).context("cannot gather the people")?;
    let listed = &census.people[..census.listed];
    let about = PeopleContext {
        reference_time: census.reference_time,
        dormancy_days: ctx.config.risk.dormancy_days,
        need_sync: if census.synced { Vec::new() } else { NEED_SYNC.to_vec() },
    };
    let text = match args.format {
        LedgerFormat::Table => view::people_table(listed, &about),
        LedgerFormat::Md => view::people_markdown(listed, &about),
        LedgerFormat::Json => view::people_json(listed),
    };
    if args.format == LedgerFormat::Json && !census.synced {
        eprintln!("rearview: no GitHub data in the store: {} need `rearview sync`", NEED_SYNC.join(", "));
    }
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}

pub fn blast_radius(global: &Global, args: &BlastArgs) -> Result<ExitCode> {
    let mut ctx = context(global)?;
    let census = census(&ctx.repo, &mut ctx.store, &ctx.config, None).context("cannot gather the people")?;
    // A name that is a person wins over a revision that happens to parse.
    let target = if !census.find(&args.target).is_empty() || ctx.repo.resolve(&args.target).is_err() {
        Target::Person(args.target.clone())
    } else {
        Target::Revision(args.target.clone())
    };
    let radius = blast::blast_radius(&ctx.repo, &census, &target)?;
    let text = match args.format {
        AdvisoryFormat::Md => view::blast_markdown(&radius, &ctx.repo.name()),
        AdvisoryFormat::Json => view::blast_json(&radius),
    };
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
pub(super) struct PeopleArgs {
    /// Count activity since this date (YYYY-MM-DD, RFC 3339) or revision; list only those active since.
    #[arg(long)]
    pub(super) since: Option<String>,
    #[arg(long, value_enum, default_value_t = LedgerFormat::Table)]
    pub(super) format: LedgerFormat,
}

#[derive(Args)]
pub(super) struct BlastArgs {
    /// A person (login, email or name) or a change (a revision such as `3.12~2` or a sha).
    pub(super) target: String,
    #[arg(long, value_enum, default_value_t = AdvisoryFormat::Md)]
    pub(super) format: AdvisoryFormat,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum AdvisoryFormat {
    Md,
    Json,
}

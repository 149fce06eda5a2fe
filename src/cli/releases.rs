//! `rearview releases` and `audit --require-signed-tag`: the release tags
//! of the watched branches with their signers, and the check that an
//! audit's ends are signed by a configured key.

use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, ValueEnum};

use rearview::config::Config;
use rearview::model::ReleaseTag;
use rearview::pipeline::releases;
use rearview::render::sanitize::sanitize_line;
use rearview::repo::Repo;
use rearview::report;

use super::output::print;
use super::Global;

#[derive(Args)]
pub struct ReleasesArgs {
    #[arg(long, value_enum, default_value_t = ReleasesFormat::Table)]
    format: ReleasesFormat,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ReleasesFormat {
    Table,
    Json,
    Md,
}

pub fn releases(global: &Global, args: &ReleasesArgs) -> Result<ExitCode> {
    let (config, repo) = super::config_and_repo(global)?;
    let found = releases::releases(&repo, &config)?;
    if global.verbose {
        let (openpgp, ssh) = releases::keyring(&config)?.len();
        eprintln!("rearview: {} release tags; {openpgp} OpenPGP keys and {ssh} SSH keys configured", found.len());
    }
    let text = match args.format {
        ReleasesFormat::Table => report::releases_table(&found),
        ReleasesFormat::Json => report::releases_json(&found) + "\n",
        ReleasesFormat::Md => report::releases_markdown(&found),
    };
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// Why a revision an audit starts or ends at fails `--require-signed-tag`,
/// if it does: not a tag, unsigned, or not verified by a configured key.
pub fn unsigned_end(repo: &Repo, config: &Config, rev: &str, flag: &str) -> Result<Option<String>> {
    let keys = releases::keyring(config)?;
    let shown = sanitize_line(rev);
    let Some(tag) = repo.tag(rev, &keys)? else {
        return Ok(Some(format!("{flag} {shown} is not a tag, so no signature vouches for it")));
    };
    let why = match &tag.signature {
        None if !tag.annotated => format!("{flag} {shown} is a lightweight tag: it cannot be signed"),
        None => format!("{flag} {shown} is not signed"),
        Some(s) => match (s.verified, &s.error) {
            (_, Some(error)) => format!("{flag} {shown} has a signature that cannot be trusted: {}", sanitize_line(error)),
            (Some(true), None) => return Ok(None),
            (Some(false), None) => format!(
                "{flag} {shown} has a BAD signature: the configured key {} does not verify it (the tag changed after it was signed)",
                sanitize_line(s.signer_key.as_deref().unwrap_or("?"))
            ),
            (None, None) => format!(
                "{flag} {shown} is signed ({}) by {}, which no configured key matches: add it to [release] keyring or allowed_signers once you trust it",
                s.kind.as_str(),
                sanitize_line(s.signer_key.as_deref().unwrap_or("an unknown key"))
            ),
        },
    };
    Ok(Some(why))
}

/// The release tags an audit of `since..until` on `branch` covers: those of
/// the branch whose commit is `since`'s or lies in the range.
pub fn in_audit(repo: &Repo, all: &[ReleaseTag], branch: &str, since: &str, until: &str) -> Result<Vec<ReleaseTag>> {
    let since = repo.resolve(since)?;
    let until = repo.resolve(until)?;
    let mut covered = Vec::new();
    for r in releases::on_branch(all, branch) {
        let commit = rearview::repo::Oid::from_str(&r.commit)?;
        let reached = commit == until || repo.is_ancestor(commit, until)?;
        if commit == since || (reached && !repo.is_ancestor(commit, since)?) {
            covered.push(r);
        }
    }
    Ok(covered)
}

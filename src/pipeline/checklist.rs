//! The release manager's checklist for a branch: its changes since its
//! last tag, triaged with every file read (pending changes, backport drift,
//! risk), as the TUI's release screen shows it.

use super::{load, Error, Selection};
use crate::config::Config;
use crate::model::{release_findings, Queue, ReleaseFinding, ReleaseTag};
use crate::repo::Repo;
use crate::store::Store;

/// What a release manager checks before tagging `branch`.
#[derive(Debug, Clone)]
pub struct ReleaseAudit {
    pub branch: String,
    /// The newest tag on the branch's first-parent line (the last release).
    pub tag: Option<String>,
    /// The changes since that tag.
    pub queue: Queue,
    /// The branch's release tags, newest first, with their signers.
    pub releases: Vec<ReleaseTag>,
    /// What its release tags need looked at: a signer that changed, a bad
    /// signature. Other views add their own kinds (see [`ReleaseFinding`]).
    pub findings: Vec<ReleaseFinding>,
}

/// What is pending on `branch` since its last tag (riskiest first in the
/// view), with backport drift and risk: every file is read.
pub fn checklist(repo: &Repo, store: &mut Store, config: &Config, branch: &str) -> Result<ReleaseAudit, Error> {
    let tag = repo.last_tag(branch)?;
    let selection = Selection {
        branches: if tag.is_none() { vec![branch.to_string()] } else { Vec::new() },
        range: tag.as_ref().map(|t| format!("{t}..{branch}")),
        range_branch: Some(branch.to_string()),
        files: true,
        ..Selection::default()
    };
    let loaded = load(repo, store, config, &selection)?;
    let releases = super::releases::on_branch(&super::releases::releases(repo, config)?, branch);
    let mut findings = release_findings(&releases);
    findings.extend(super::people::escalated_taggers(repo, store, config, &releases)?);
    Ok(ReleaseAudit { branch: branch.to_string(), tag, queue: loaded.queue, releases, findings })
}

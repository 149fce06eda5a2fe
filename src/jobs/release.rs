//! The release screen's work: the audit of `last tag..branch` (pending
//! changes, backport drift, risk), and an archive verified against the tag.

use std::path::Path;

use crate::model::Queue;
use crate::pipeline::{self, Selection};
use crate::release::{self, Verification};
use crate::repo::Repo;
use crate::store::Store;

use super::JobContext;

/// What a release manager checks before tagging `branch`.
#[derive(Debug, Clone)]
pub struct ReleaseAudit {
    pub branch: String,
    /// The newest tag on the branch's first-parent line (the last release).
    pub tag: Option<String>,
    /// The changes since that tag.
    pub queue: Queue,
}

pub fn audit(ctx: &JobContext, branch: &str) -> Result<ReleaseAudit, String> {
    let repo = Repo::open(&ctx.repo).map_err(|e| e.to_string())?;
    let mut store = Store::open(&ctx.db).map_err(|e| e.to_string())?;
    let tag = repo.last_tag(branch).map_err(|e| e.to_string())?;
    let selection = Selection {
        branches: if tag.is_none() { vec![branch.to_string()] } else { Vec::new() },
        range: tag.as_ref().map(|t| format!("{t}..{branch}")),
        range_branch: Some(branch.to_string()),
        files: true,
        ..Selection::default()
    };
    let loaded = pipeline::load(&repo, &mut store, &ctx.config, &selection).map_err(|e| e.to_string())?;
    Ok(ReleaseAudit { branch: branch.to_string(), tag, queue: loaded.queue })
}

/// Verifies a release archive against `tag`, reporting progress in percent.
pub fn verify(
    ctx: &JobContext,
    tag: &str,
    archive: &Path,
    progress: &mut dyn FnMut(u8) -> bool,
) -> Result<Verification, String> {
    let options = release::Options::default();
    let mut last = 0u8;
    release::verify_with_progress(&ctx.repo, tag, archive, &options, &mut |p| {
        let percent = p.consumed.saturating_mul(100).checked_div(p.archive_size).unwrap_or(0).min(100) as u8;
        if percent != last {
            last = percent;
            return progress(percent);
        }
        true
    })
    .map_err(|e| e.to_string())
}

//! The release screen's work: the checklist of `last tag..branch`
//! (`pipeline::checklist`), and an archive verified against the tag.

use std::path::Path;

use crate::pipeline::checklist::{self, ReleaseAudit};
use crate::release::{self, Verification};
use crate::repo::Repo;
use crate::store::Store;

use super::{JobContext, JobError};

/// The release checklist of `branch`: its changes since the last tag.
pub fn audit(ctx: &JobContext, branch: &str) -> Result<ReleaseAudit, JobError> {
    let repo = Repo::open(&ctx.repo)?;
    let mut store = Store::open(&ctx.db)?;
    Ok(checklist::checklist(&repo, &mut store, &ctx.config, branch)?)
}

/// Verifies a release archive against `tag`, reporting progress in percent.
pub fn verify(
    ctx: &JobContext,
    tag: &str,
    archive: &Path,
    progress: &mut dyn FnMut(u8) -> bool,
) -> Result<Verification, JobError> {
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
    .map_err(JobError::from)
}

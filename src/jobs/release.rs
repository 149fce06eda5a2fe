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
    let tag = last_tag(&repo, branch)?;
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

/// The newest tag on `branch`'s first-parent history.
fn last_tag(repo: &Repo, branch: &str) -> Result<Option<String>, String> {
    let git = git2::Repository::open(repo.git_dir()).map_err(|e| format!("cannot open the repository: {e}"))?;
    let mut tags: std::collections::HashMap<git2::Oid, Vec<String>> = std::collections::HashMap::new();
    let names = git.tag_names(None).map_err(|e| format!("cannot list tags: {e}"))?;
    for name in names.iter().flatten().flatten() {
        let target = git.revparse_single(&format!("refs/tags/{name}")).and_then(|o| o.peel_to_commit());
        if let Ok(commit) = target {
            tags.entry(commit.id()).or_default().push(name.to_string());
        }
    }
    let tip = repo.branch_tip(branch).map_err(|e| e.to_string())?;
    let mut walk = git.revwalk().map_err(|e| format!("cannot walk {branch}: {e}"))?;
    walk.push(tip).map_err(|e| format!("cannot walk {branch}: {e}"))?;
    walk.simplify_first_parent().map_err(|e| format!("cannot walk {branch}: {e}"))?;
    for oid in walk.flatten() {
        if let Some(names) = tags.get_mut(&oid) {
            names.sort();
            return Ok(names.pop());
        }
    }
    Ok(None)
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

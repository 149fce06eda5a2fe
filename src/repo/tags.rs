//! Tags on a branch: the newest one on its first-parent line (the last
//! release).

use super::{Repo, RepoError, Result};

impl Repo {
    /// The newest tag on `branch`'s first-parent history (the highest name
    /// when several tag one commit).
    pub fn last_tag(&self, branch: &str) -> Result<Option<String>> {
        let failed = |what: String| move |source| RepoError::Failed { what, source };
        let mut tags = self.tags_by_commit()?;
        let tip = self.branch_tip(branch)?;
        let walking = || failed(format!("cannot walk {branch}"));
        let mut walk = self.git.revwalk().map_err(walking())?;
        walk.push(tip).map_err(walking())?;
        walk.simplify_first_parent().map_err(walking())?;
        for oid in walk {
            let oid = oid.map_err(walking())?;
            if let Some(names) = tags.get_mut(&oid) {
                names.sort();
                return Ok(names.pop());
            }
        }
        Ok(None)
    }
}

/// A release: a tag whose name reads as a version (`v3.14.3`, `3.12.0b1`),
/// and when its commit landed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    pub tag: String,
    /// The tagged commit's committer time, seconds since the epoch.
    pub time: i64,
}

/// How many of the newest releases are checked for being in a branch's
/// history before the answer falls back to the first-parent line's tag.
const RELEASES_CHECKED: usize = 64;

impl Repo {
    /// The newest release in `branch`'s history: the version-named tag
    /// whose commit landed last among those the branch reaches. Projects
    /// that tag releases on a maintenance branch and merge it back
    /// (aiohttp) have it off the first-parent line, where
    /// [`Repo::last_tag`] would answer with a years-old tag; projects that
    /// never merge back (CPython) have it on the line. The newest
    /// `RELEASES_CHECKED` releases are tried, newest first; past those,
    /// the first-parent line's newest version tag answers.
    pub fn latest_release(&self, branch: &str) -> Result<Option<Release>> {
        let tip = self.branch_tip(branch)?;
        let mut releases: Vec<(i64, String, super::Oid)> = Vec::new();
        for (oid, names) in self.tags_by_commit()? {
            let Some(name) = names.into_iter().filter(|n| super::scope::series(n).is_some()).max() else { continue };
            releases.push((self.commit_time(oid)?, name, oid));
        }
        releases.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
        for (time, tag, oid) in releases.iter().take(RELEASES_CHECKED) {
            if *oid == tip || self.is_ancestor(*oid, tip)? {
                return Ok(Some(Release { tag: tag.clone(), time: *time }));
            }
        }
        if releases.len() <= RELEASES_CHECKED {
            return Ok(None);
        }
        let on_line = self.last_tag(branch)?.filter(|t| super::scope::series(t).is_some());
        Ok(on_line.and_then(|tag| {
            releases
                .iter()
                .find(|(_, name, _)| *name == tag)
                .map(|(time, tag, _)| Release { tag: tag.clone(), time: *time })
        }))
    }
}

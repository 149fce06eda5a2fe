//! Tags: the newest one on a branch's first-parent line (the last
//! release), the newest release in a branch's history, and every tag with
//! its tagger and signature (checked in `signature`).

use super::signature::{check, split_signed, Keyring};
use super::{Repo, RepoError, Result};
use crate::model::Tag;

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

impl Repo {
    /// Every tag that names a commit (through any tag objects), sorted by
    /// name, each with its tagger and its signature checked against `keys`.
    /// Tags of trees and blobs are left out.
    pub fn tags(&self, keys: &Keyring) -> Result<Vec<Tag>> {
        let names = self.git.tag_names(None).map_err(|e| self.err("list tags", e))?;
        let mut tags = Vec::new();
        for name in names.iter().flatten().flatten() {
            tags.extend(self.tag(name, keys)?);
        }
        Ok(tags)
    }

    /// One tag by name (`v3.12.4`), if it exists and names a commit.
    pub fn tag(&self, name: &str, keys: &Keyring) -> Result<Option<Tag>> {
        let reading = |e| self.err(&format!("read tag {name}"), e);
        let reference = match self.git.find_reference(&format!("refs/tags/{name}")) {
            Ok(r) => r,
            Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(None),
            Err(e) => return Err(reading(e)),
        };
        let object = reference.peel(git2::ObjectType::Any).map_err(reading)?;
        let commit = match object.peel_to_commit() {
            Ok(c) => c,
            // A tag of a tree or a blob marks no release.
            Err(e) if matches!(e.class(), git2::ErrorClass::Object | git2::ErrorClass::Invalid) => return Ok(None),
            Err(e) => return Err(reading(e)),
        };
        // The reference's own target: the outermost tag object, if any.
        let target = reference.resolve().ok().and_then(|r| r.target()).unwrap_or(object.id());
        let Ok(tag) = self.git.find_tag(target) else {
            return Ok(Some(Tag {
                name: name.to_string(),
                commit: commit.id().to_string(),
                tagger: None,
                time: commit.committer().when().seconds(),
                annotated: false,
                signature: None,
            }));
        };
        let tagger = tag.tagger();
        let time = tagger.as_ref().map_or(commit.committer().when().seconds(), |t| t.when().seconds());
        let odb = self.git.odb().map_err(reading)?;
        let raw = odb.read(target).map_err(reading)?;
        let signature = split_signed(raw.data()).map(|(payload, block, kind)| check(kind, payload, block, keys, time));
        Ok(Some(Tag {
            name: name.to_string(),
            commit: commit.id().to_string(),
            tagger: tagger.as_ref().map(super::person),
            time,
            annotated: true,
            signature,
        }))
    }
}

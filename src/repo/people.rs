//! What the history says about people: every commit's author and
//! committer (through `.mailmap`), and which tips carry a given set of
//! commits. (Who made each tag: `tags`.)

use std::collections::HashSet;

use git2::{Oid, Sort};

use super::{person, Repo, Result};
use crate::model::Person;

/// One commit as the people view reads it.
#[derive(Debug, Clone)]
pub struct Authorship {
    pub sha: Oid,
    pub author: Person,
    pub author_time: i64,
    pub committer: Person,
    pub commit_time: i64,
    pub merge: bool,
}

/// The repository's `.mailmap` (and `mailmap.file`), resolving recorded
/// identities to canonical ones.
pub struct Mailmap(Option<git2::Mailmap>);

impl Mailmap {
    /// The canonical identity for `who`; itself when the mailmap has none
    /// (or the identity cannot be put in a signature).
    pub fn resolve(&self, who: &Person) -> Person {
        let Some(map) = &self.0 else { return who.clone() };
        let Ok(sig) = git2::Signature::new(&who.name, &who.email, &git2::Time::new(0, 0)) else {
            return who.clone();
        };
        match map.resolve_signature(&sig) {
            Ok(resolved) => person(&resolved),
            Err(_) => who.clone(),
        }
    }
}

impl Repo {
    /// The mailmap, or none when the repository has no `.mailmap` it can
    /// read (a bare repository reads the one at HEAD).
    pub fn mailmap(&self) -> Mailmap {
        Mailmap(self.git.mailmap().ok())
    }

    /// Every commit reachable from `tips`, with its author and committer as
    /// recorded (not yet through the mailmap).
    pub fn authorship(&self, tips: &[Oid]) -> Result<Vec<Authorship>> {
        let mut walk = self.git.revwalk().map_err(|e| self.err("start a history walk", e))?;
        walk.set_sorting(Sort::NONE).map_err(|e| self.err("sort history", e))?;
        for tip in tips {
            walk.push(*tip).map_err(|e| self.err("walk history", e))?;
        }
        let mut out = Vec::new();
        for oid in walk {
            let oid = oid.map_err(|e| self.err("walk history", e))?;
            let commit = self.git.find_commit(oid).map_err(|e| self.err(&format!("read commit {oid}"), e))?;
            let (author, committer) = (commit.author(), commit.committer());
            out.push(Authorship {
                sha: oid,
                author: person(&author),
                author_time: author.when().seconds(),
                committer: person(&committer),
                commit_time: committer.when().seconds(),
                merge: commit.parent_count() > 1,
            });
        }
        Ok(out)
    }

    /// Which of `tips` have at least one of `targets` in their history
    /// (themselves included): one walk, oldest first, in which a commit
    /// carries a target when it is one or a parent carries one.
    pub fn tips_reaching(&self, tips: &[Oid], targets: &HashSet<Oid>) -> Result<HashSet<Oid>> {
        let mut walk = self.git.revwalk().map_err(|e| self.err("start a history walk", e))?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE).map_err(|e| self.err("sort history", e))?;
        for tip in tips {
            walk.push(*tip).map_err(|e| self.err("walk history", e))?;
        }
        let mut carrying: HashSet<Oid> = HashSet::new();
        for oid in walk {
            let oid = oid.map_err(|e| self.err("walk history", e))?;
            let commit = self.git.find_commit(oid).map_err(|e| self.err(&format!("read commit {oid}"), e))?;
            if targets.contains(&oid) || commit.parent_ids().any(|p| carrying.contains(&p)) {
                carrying.insert(oid);
            }
        }
        Ok(tips.iter().copied().filter(|t| carrying.contains(t)).collect())
    }

    /// Which of `targets` are in `tip`'s history (itself included): one
    /// walk, where an ancestry test per target would be a walk each.
    pub fn reached_from(&self, tip: Oid, targets: &HashSet<Oid>) -> Result<HashSet<Oid>> {
        let mut walk = self.git.revwalk().map_err(|e| self.err("start a history walk", e))?;
        walk.set_sorting(Sort::NONE).map_err(|e| self.err("sort history", e))?;
        walk.push(tip).map_err(|e| self.err("walk history", e))?;
        let mut found = HashSet::new();
        for oid in walk {
            let oid = oid.map_err(|e| self.err("walk history", e))?;
            if targets.contains(&oid) {
                found.insert(oid);
                if found.len() == targets.len() {
                    break;
                }
            }
        }
        Ok(found)
    }
}

//! Each author's history: when every commit they wrote landed, over all of
//! the history behind the branches examined, so that "first change" means
//! first in the project, not first in the listed range.

use std::collections::{HashMap, HashSet};

use git2::{Oid, Sort};

use super::{Repo, Result};

impl Repo {
    /// Every author's commit times (committer dates, when each landed),
    /// oldest first, keyed by lower-cased email, over all history
    /// reachable from `tips`.
    pub fn author_times(&self, tips: &[Oid]) -> Result<HashMap<String, Vec<i64>>> {
        self.author_times_since(tips, &[])
    }

    /// [`Repo::author_times`] of the commits reachable from `tips` but not
    /// from `known` (tips read before).
    pub fn author_times_since(&self, tips: &[Oid], known: &[Oid]) -> Result<HashMap<String, Vec<i64>>> {
        let mut walk = self.git.revwalk().map_err(|e| self.err("start a history walk", e))?;
        walk.set_sorting(Sort::NONE).map_err(|e| self.err("sort history", e))?;
        for tip in tips {
            walk.push(*tip).map_err(|e| self.err("walk history", e))?;
        }
        for seen in known {
            walk.hide(*seen).map_err(|e| self.err("walk history", e))?;
        }
        let mut out: HashMap<String, Vec<i64>> = HashMap::new();
        for oid in walk {
            let oid = oid.map_err(|e| self.err("walk history", e))?;
            let commit = self.git.find_commit(oid).map_err(|e| self.err(&format!("read commit {oid}"), e))?;
            let email = String::from_utf8_lossy(commit.author().email_bytes()).to_ascii_lowercase();
            out.entry(email).or_default().push(commit.committer().when().seconds());
        }
        for times in out.values_mut() {
            times.sort_unstable();
        }
        Ok(out)
    }

    /// The tips no other tip reaches, in their order: one walk over the
    /// history behind them all, in which a tip is reached exactly when it
    /// is a parent of a walked commit (a pairwise ancestry test per two
    /// tips costs a walk each: minutes over a few dozen branches).
    pub fn independent(&self, tips: &[Oid]) -> Result<Vec<Oid>> {
        let wanted: HashSet<Oid> = tips.iter().copied().collect();
        let mut walk = self.git.revwalk().map_err(|e| self.err("start a history walk", e))?;
        walk.set_sorting(Sort::NONE).map_err(|e| self.err("sort history", e))?;
        for tip in tips {
            walk.push(*tip).map_err(|e| self.err("walk history", e))?;
        }
        let mut reached: HashSet<Oid> = HashSet::new();
        for oid in walk {
            let oid = oid.map_err(|e| self.err("walk history", e))?;
            let commit = self.git.find_commit(oid).map_err(|e| self.err(&format!("read commit {oid}"), e))?;
            reached.extend(commit.parent_ids().filter(|p| wanted.contains(p)));
        }
        Ok(tips.iter().filter(|t| !reached.contains(t)).copied().collect())
    }
}

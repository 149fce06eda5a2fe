//! Shallow clones (CI checkouts by default): history past the clone's depth
//! is missing, so a range reaching into it would list too few changes and an
//! audit would pass on what it never saw.

use super::{Oid, Repo, RepoError, Result};

impl Repo {
    /// The line that says history is missing, when this is a shallow clone.
    pub fn shallow_note(&self) -> Option<String> {
        if !self.git.is_shallow() {
            return None;
        }
        Some(shallow_line(&self.shallow_boundary()))
    }

    /// Fails when `since` (where a range starts) lies in the history a
    /// shallow clone lacks: unknown here, or not reachable from `tip`.
    pub fn require_history(&self, since: &str, tip: Oid) -> Result<()> {
        if !self.git.is_shallow() {
            return Ok(());
        }
        let reachable = match self.resolve(since) {
            Ok(base) => base == tip || self.is_ancestor(base, tip)?,
            Err(_) => false,
        };
        if reachable {
            return Ok(());
        }
        Err(RepoError::Shallow { line: shallow_line(&self.shallow_boundary()) })
    }

    /// The newest commit whose parents the clone lacks, as a short sha
    /// (git lists them in `shallow` in the common git directory).
    fn shallow_boundary(&self) -> String {
        let listed = std::fs::read_to_string(self.git.commondir().join("shallow")).unwrap_or_default();
        let newest = listed
            .lines()
            .filter_map(|l| Oid::from_str(l.trim()).ok())
            .filter_map(|oid| Some((self.commit_time(oid).ok()?, oid)))
            .max();
        match newest {
            Some((_, oid)) => crate::model::short_sha(&oid.to_string()).to_string(),
            None => "the clone's oldest commit".to_string(),
        }
    }
}

fn shallow_line(boundary: &str) -> String {
    format!("shallow clone: history before {boundary} is missing; run `git fetch --unshallow`")
}

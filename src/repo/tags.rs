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

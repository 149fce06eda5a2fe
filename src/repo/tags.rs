//! Tags on a branch: the newest one on its first-parent line (the last
//! release).

use std::collections::HashMap;

use git2::Oid;

use super::{Repo, RepoError, Result};

impl Repo {
    /// The newest tag on `branch`'s first-parent history (the highest name
    /// when several tag one commit).
    pub fn last_tag(&self, branch: &str) -> Result<Option<String>> {
        let failed = |what: String| move |source| RepoError::Failed { what, source };
        let mut tags: HashMap<Oid, Vec<String>> = HashMap::new();
        let names = self.git.tag_names(None).map_err(failed("cannot list tags".into()))?;
        for name in names.iter().flatten().flatten() {
            let reading = || failed(format!("cannot read tag {name}"));
            let object = self.git.revparse_single(&format!("refs/tags/{name}")).map_err(reading())?;
            match object.peel_to_commit() {
                Ok(commit) => tags.entry(commit.id()).or_default().push(name.to_string()),
                // A tag of a tree or a blob marks no release of a branch.
                Err(e) if matches!(e.class(), git2::ErrorClass::Object | git2::ErrorClass::Invalid) => {}
                Err(e) => return Err(reading()(e)),
            }
        }
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

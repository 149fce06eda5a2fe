//! Who may push to the repository, from GitHub's collaborators API. Only
//! a token with push access may read it: without one the answer is "not
//! readable", and `people` infers privilege from the history instead.

use serde::Deserialize;

use super::github::GitHub;
use super::{Fetched, ForgeError, Result};
use crate::model::people::Collaborator;
use crate::store::Store;

#[derive(Deserialize)]
struct ApiPermissions {
    #[serde(default)]
    admin: bool,
    #[serde(default)]
    maintain: bool,
    #[serde(default)]
    push: bool,
}

#[derive(Deserialize)]
struct ApiCollaborator {
    login: String,
    #[serde(default)]
    role_name: Option<String>,
    permissions: Option<ApiPermissions>,
}

impl ApiCollaborator {
    fn into_model(self) -> Collaborator {
        let push = self.permissions.as_ref().is_some_and(|p| p.admin || p.maintain || p.push);
        let role = self.role_name.unwrap_or_else(|| if push { "write" } else { "read" }.to_string());
        Collaborator { login: self.login, role, push }
    }
}

/// What reading the collaborators gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Collaborators {
    /// Read and saved: how many there are, and how many may push.
    Saved { all: usize, push: usize },
    /// The same as last time (304).
    Unchanged,
    /// The token may not read them (403, 404, 401): why, in words.
    NotReadable(String),
}

impl GitHub {
    /// Reads every collaborator (direct, through teams and through the
    /// organization) and saves the list; conditional on the last read.
    pub async fn sync_collaborators(&self, store: &mut Store, now: i64) -> Result<Collaborators> {
        let url = format!("{}/collaborators?affiliation=all&per_page=100", self.repo_path());
        let etag = store.etag(&url)?;
        let what = format!("the collaborators of {}", self.repo());
        match self.get_all::<ApiCollaborator>(&url, etag.as_deref(), &what).await {
            Ok(Fetched::NotModified) => Ok(Collaborators::Unchanged),
            Ok(Fetched::Fresh { value, etag }) => {
                let all: Vec<Collaborator> = value.into_iter().map(ApiCollaborator::into_model).collect();
                store.save_collaborators(&all, now)?;
                if let Some(etag) = etag {
                    store.save_etag(&url, &etag)?;
                }
                Ok(Collaborators::Saved { all: all.len(), push: all.iter().filter(|c| c.push).count() })
            }
            Err(e @ (ForgeError::Forbidden { .. } | ForgeError::NotFound { .. } | ForgeError::Unauthorized { .. })) => {
                Ok(Collaborators::NotReadable(e.to_string()))
            }
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_and_push_come_from_githubs_shape() {
        let json = r#"[
            {"login": "ann", "role_name": "admin", "permissions": {"admin": true, "maintain": true, "push": true, "triage": true, "pull": true}},
            {"login": "bob", "role_name": "triage", "permissions": {"admin": false, "maintain": false, "push": false, "triage": true, "pull": true}},
            {"login": "cy", "permissions": {"push": true}}
        ]"#;
        let all: Vec<Collaborator> = serde_json::from_str::<Vec<ApiCollaborator>>(json)
            .expect("decodes")
            .into_iter()
            .map(ApiCollaborator::into_model)
            .collect();
        assert_eq!(all[0], Collaborator { login: "ann".into(), role: "admin".into(), push: true });
        assert_eq!(all[1], Collaborator { login: "bob".into(), role: "triage".into(), push: false });
        assert_eq!(all[2], Collaborator { login: "cy".into(), role: "write".into(), push: true });
    }
}

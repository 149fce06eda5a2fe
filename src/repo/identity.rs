//! Who the user is to git: the identity in the repository's configuration.

use std::path::Path;

use git2::Repository;

/// git's `user.email` for the repository at `git_dir` (its own config, then
/// the global and system ones), trimmed; `None` when unset or empty.
pub fn user_email(git_dir: &Path) -> Option<String> {
    Repository::open(git_dir)
        .and_then(|r| r.config())
        .and_then(|c| c.get_string("user.email"))
        .ok()
        .map(|e| e.trim().to_string())
        .filter(|e| !e.is_empty())
}

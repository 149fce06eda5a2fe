//! The queue's window: the history a reviewer can still act on. By
//! default the main line since its latest release tag (config
//! `queue.since` sets another start); older history is one request away.

use serde::{Deserialize, Serialize};

use super::Error;
use crate::config::{Config, Since};
use crate::repo::Repo;

/// Where the queue's window starts, and how to say so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    /// Changes that landed after this (seconds since the epoch) are in it.
    pub since: i64,
    /// `since v3.14.3`, `since 2026-01-31`, `last 90 days`.
    pub label: String,
}

/// The window the config asks for on `default_branch`, at `now`
/// (seconds); `None` when it is the whole history (`queue.since = "all"`,
/// or no release tag yet).
pub fn window(repo: &Repo, config: &Config, default_branch: &str, now: i64) -> Result<Option<Window>, Error> {
    window_for(repo, &config.queue.since, default_branch, now)
}

/// The window `since` names on `default_branch`, a span counted back from
/// `now` (seconds); `None` for the whole history.
pub fn window_for(repo: &Repo, since: &Since, default_branch: &str, now: i64) -> Result<Option<Window>, Error> {
    Ok(match since {
        Since::All => None,
        Since::Release => repo
            .latest_release(default_branch)?
            .map(|release| Window { since: release.time, label: format!("since {}", release.tag) }),
        Since::Date(day) => {
            let text = chrono::DateTime::from_timestamp(*day, 0).map(|d| d.format("%Y-%m-%d").to_string());
            Some(Window { since: *day, label: format!("since {}", text.unwrap_or_default()) })
        }
        Since::Days(days) => {
            Some(Window { since: now - i64::from(*days) * 86_400, label: format!("last {days} days") })
        }
        Since::Revision(rev) => {
            let oid =
                repo.resolve(rev).map_err(|source| Error::Window { since: rev.clone(), source: Box::new(source) })?;
            // `resolve` names a commit, which the repository then reads.
            let missing = || Error::Window {
                since: rev.clone(),
                source: Box::new(crate::repo::RepoError::Unknown {
                    what: "commit",
                    name: rev.clone(),
                    repo: repo.name(),
                }),
            };
            let time = repo.commit(&oid.to_string())?.map(|c| c.time).ok_or_else(missing)?;
            Some(Window { since: time, label: format!("since {rev}") })
        }
    })
}

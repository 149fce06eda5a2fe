//! Post-hoc review as the CLI and the TUI both record it: who the reviewer
//! is, one approval per reviewer and change, the action written to the
//! ledger and the outbox before any network, and the outbox pushed to
//! GitHub (delivery itself, once per action, is `forge::outbox`).

use std::sync::Arc;

use super::sync::{self as plan, PlanError};
use super::Error;
use crate::config::Config;
use crate::forge::github::GitHub;
use crate::forge::outbox::{self, Outcome};
use crate::forge::{ForgeError, SyncEvent};
use crate::model::{Approval, LedgerKind, OutboxEntry, RepoSlug};
use crate::repo::{identity, Repo};
use crate::store::{Store, StoreError};

/// What to do when nobody can be named as the reviewer.
pub const NO_REVIEWER: &str = "who is reviewing? set git's user.email (git config --global user.email you@example.org)";

/// Who is reviewing: the GitHub login of git's `user.email` when the store
/// knows it, else that email, else `$USER`.
pub fn reviewer(repo: &Repo, store: &Store) -> Result<Option<String>, StoreError> {
    if let Some(email) = identity::user_email(&repo.git_dir()) {
        let logins = store.forge_data(&[], &[])?.logins;
        return Ok(Some(logins.get(&email.to_ascii_lowercase()).cloned().unwrap_or(email)));
    }
    Ok(std::env::var("USER").ok().filter(|u| !u.is_empty()))
}

/// An action as recorded.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub action: Approval,
    pub reviewer: String,
    /// The reviewer had approved this change before: nothing new was recorded.
    pub again: bool,
}

/// Writes an approval or a concern to the ledger and the outbox (before
/// any network); a second approval by the same reviewer is the first.
pub fn record(
    repo: &Repo,
    store: &mut Store,
    sha: &str,
    pr: Option<u64>,
    kind: LedgerKind,
    note: &str,
) -> Result<Recorded, Error> {
    let reviewer = reviewer(repo, store)?.ok_or(Error::NoReviewer)?;
    // The store keeps one approval per reviewer and change, also when
    // several processes approve at once.
    let (action, fresh) = store.record(sha, pr, kind, &reviewer, note)?;
    Ok(Recorded { action, reviewer, again: !fresh })
}

/// Why the outbox waits instead of being pushed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hold {
    /// No GitHub repository to push to from here; `cause` says why.
    Unreachable {
        reason: String,
        cause: String,
    },
    NoToken,
}

/// What a push did.
#[derive(Debug)]
pub enum Pushed {
    /// Nothing was sent: the `held` undelivered actions wait, marked with why.
    Held { held: usize, why: Hold },
    /// Each undelivered action with what happened to it.
    Delivered { slug: RepoSlug, results: Vec<(OutboxEntry, Outcome)> },
}

/// Pushes the outbox to GitHub, reporting each outcome as it happens; when
/// there is no repository or token to push with, the actions are held.
pub fn push(
    repo: &Repo,
    store: &mut Store,
    config: &Config,
    api: Option<&str>,
    events: Arc<dyn Fn(SyncEvent) + Send + Sync>,
    report: &mut dyn FnMut(&OutboxEntry, &Outcome),
) -> Result<Pushed, Error> {
    let (slug, settings, source) = match plan::connection(repo, config, api) {
        Ok(found) => found,
        Err(e) => match unreachable_reason(&e, &repo.git_dir()) {
            Some(reason) => {
                let held = hold(store, &reason)?;
                return Ok(Pushed::Held { held, why: Hold::Unreachable { reason, cause: e.to_string() } });
            }
            None => return Err(e.into()),
        },
    };
    if source.is_none() {
        let held = hold(store, "no GitHub token")?;
        return Ok(Pushed::Held { held, why: Hold::NoToken });
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Runtime(e.to_string()))?;
    let results = runtime.block_on(async {
        let github = GitHub::new(settings, events)?;
        outbox::push(&github, store, report).await.map_err(ForgeError::from)
    })?;
    Ok(Pushed::Delivered { slug, results })
}

/// Why the outbox cannot be pushed from this repository, if it cannot:
/// the reason shown beside queued actions.
fn unreachable_reason(e: &PlanError, git_dir: &std::path::Path) -> Option<String> {
    match e {
        PlanError::NoRemote if crate::paths::is_demo(git_dir) => Some("demo, no remote".into()),
        PlanError::NoRemote => Some("no GitHub remote: set github.repository".into()),
        PlanError::ForeignRemote { host, .. } => Some(format!("the remote is not on {host}")),
        _ => None,
    }
}

/// Marks every undelivered entry as waiting for `reason` (except those
/// another process is sending now).
fn hold(store: &mut Store, reason: &str) -> Result<usize, StoreError> {
    store.hold_outbox(reason)
}

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
use crate::model::{Approval, Change, LedgerKind, OutboxEntry, RepoSlug};
use crate::repo::{identity, Repo};
use crate::store::{Store, StoreError};

/// What to do when nobody can be named as the reviewer.
pub const NO_REVIEWER: &str = "who is reviewing? set git's user.email (git config --global user.email you@example.org)";

/// Who is reviewing: `name` is what the ledger records (the token's GitHub
/// login when known, else git's user.email, else `$USER`); `email` is
/// git's user.email (empty without one), also matched against authors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reviewer {
    pub name: String,
    pub email: String,
}

/// Whether finding the reviewer may ask GitHub who the token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    /// `GET /user` once per token, then cached in the store.
    Ask,
    /// Only what the store already knows (no network).
    Cached,
}

/// Who is reviewing (see [`Reviewer`]); `None` when nobody can be named.
pub fn reviewer(
    repo: &Repo,
    store: &mut Store,
    config: &Config,
    api: Option<&str>,
    lookup: Lookup,
) -> Result<Option<Reviewer>, StoreError> {
    let email = identity::user_email(&repo.git_dir()).unwrap_or_default();
    if let Some(login) = token_login(repo, store, config, api, lookup)? {
        return Ok(Some(Reviewer { name: login, email }));
    }
    if !email.is_empty() {
        let logins = store.forge_data(&[], &[])?.logins;
        let name = logins.get(&email.to_ascii_lowercase()).cloned().unwrap_or_else(|| email.clone());
        return Ok(Some(Reviewer { name, email }));
    }
    Ok(std::env::var("USER").ok().filter(|u| !u.is_empty()).map(|name| Reviewer { name, email }))
}

/// How long GitHub's word on a token's login is taken without asking again.
const TOKEN_LOGIN_FRESH_SECS: i64 = 24 * 3600;

/// The GitHub login the token acts as: cached per token and API, asked
/// with `Lookup::Ask` when not known or a day old. Offline, or without a token or a GitHub
/// repository, there is none and the git identity stands.
fn token_login(
    repo: &Repo,
    store: &mut Store,
    config: &Config,
    api: Option<&str>,
    lookup: Lookup,
) -> Result<Option<String>, StoreError> {
    let Ok((_, mut settings, Some(_))) = plan::connection(repo, config, api) else { return Ok(None) };
    let Some(key) = settings.token.as_ref().map(|t| t.key(&settings.api)) else { return Ok(None) };
    let cached = store.token_login(&key)?;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    match cached {
        // A login can be renamed: asked again once a day, when asking is allowed.
        Some((login, checked_at)) if lookup == Lookup::Cached || now - checked_at < TOKEN_LOGIN_FRESH_SECS => {
            return Ok(Some(login));
        }
        None if lookup == Lookup::Cached => return Ok(None),
        _ => {}
    }
    let cached = cached.map(|(login, _)| login);
    // One try: a reviewer offline is named by the cache, else by git,
    // instead of waiting.
    settings.attempts = 1;
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return Ok(cached) };
    let asked = runtime.block_on(async { GitHub::new(settings, Arc::new(|_| {}))?.viewer_login().await });
    let Ok(login) = asked else { return Ok(cached) };
    store.set_token_login(&key, &login)?;
    Ok(Some(login))
}

/// Why `reviewer`'s approval of `change` would not count (they are one of
/// its authors or its committer), in one line; `None` when it would.
pub fn not_independent(change: &Change, reviewer: &Reviewer) -> Option<String> {
    crate::model::independence::not_independent(&change.parties, &reviewer.name, &reviewer.email)
}

/// An action as recorded.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub action: Approval,
    pub reviewer: String,
    /// The reviewer had approved this change before: nothing new was recorded.
    pub again: bool,
}

/// Writes an approval or a concern by `reviewer` to the ledger and the
/// outbox (before any network); a second approval by the same reviewer is
/// the first.
pub fn record(
    store: &mut Store,
    reviewer: &Reviewer,
    sha: &str,
    pr: Option<u64>,
    kind: LedgerKind,
    note: &str,
) -> Result<Recorded, Error> {
    // The store keeps one approval per reviewer and change, also when
    // several processes approve at once.
    let (action, fresh) = store.record(sha, pr, kind, &reviewer.name, &reviewer.email, note)?;
    Ok(Recorded { action, reviewer: reviewer.name.clone(), again: !fresh })
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

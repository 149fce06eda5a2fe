//! A sync with GitHub as the CLI's `sync` and the TUI's background sync
//! both run it: the plan, worked out before any request (which repository
//! on which API, which token, which branches, which commits to look up),
//! then the run itself.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::config::{BulkReads, Config};
use crate::forge::collaborators::Collaborators;
use crate::forge::github::{GitHub, Settings};
use crate::forge::graphql::GraphQl;
use crate::forge::sync::{Options, Report};
use crate::forge::token::{self, TokenSource};
use crate::forge::{bulk_sync, remote};
use crate::forge::{ForgeError, SyncEvent};
use crate::model::message;
use crate::model::RepoSlug;
use crate::repo::scope::Scope;
use crate::repo::Repo;
use crate::store::Store;

/// How many first-parent commits per branch are checked for a pull request
/// that their message does not name.
const LINK_WINDOW: usize = 1000;

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("github.repository `{0}` is not `owner/name`")]
    BadSlug(String),
    #[error(
        "the repository has no `upstream` or `origin` remote: set github.repository = \"owner/name\" in the config"
    )]
    NoRemote,
    #[error(
        "remote `{name}` ({url}) is not on {host}: set github.repository = \"owner/name\" in the config, or --github-api"
    )]
    ForeignRemote { name: String, url: String, host: String },
    #[error("--since `{0}` is neither a date nor a revision")]
    BadSince(String),
    #[error(transparent)]
    Token(#[from] token::TokenError),
    #[error(transparent)]
    Repo(#[from] crate::repo::RepoError),
}

/// A sync, ready to run.
#[derive(Debug)]
pub struct Plan {
    pub slug: RepoSlug,
    pub settings: Settings,
    pub options: Options,
    /// Where the token came from (`None`: unauthenticated).
    pub token_source: Option<TokenSource>,
    /// The API the bulk reads go through.
    pub bulk_reads: BulkReads,
}

/// What the user asked for.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// `--github-api`, over the config's.
    pub api: Option<String>,
    /// Branches (empty: every watched one).
    pub branches: Vec<String>,
    /// A tag, commit or date.
    pub since: Option<String>,
    pub full: bool,
    /// Read through REST whatever the config says.
    pub rest: bool,
}

/// Runs a planned sync to the end: checks the repository (conditionally,
/// unless `full`), then fetches every branch; what was fetched is saved as
/// it comes, so an interrupted run resumes.
pub async fn run(
    store: &mut Store,
    config: &Config,
    plan: Plan,
    full: bool,
    events: Arc<dyn Fn(SyncEvent) + Send + Sync>,
) -> Result<Synced, ForgeError> {
    let has_token = plan.settings.token.is_some();
    let github = GitHub::new(plan.settings, events.clone())?;
    let repo_key = format!("/repos/{}", plan.slug);
    let etag = if full { None } else { store.etag(&repo_key)? };
    if let Some(tag) = github.check_repository(etag.as_deref()).await? {
        store.save_etag(&repo_key, &tag)?;
    }
    let count = |n: &AtomicU64| n.load(Ordering::Relaxed);
    let graphql = plan.bulk_reads == BulkReads::Graphql;
    if graphql && !has_token {
        let message = "GitHub's GraphQL API needs a token: reading through REST instead".to_string();
        events(SyncEvent::Notice { message });
    }
    let mut points = None;
    let mut report = None;
    if graphql && has_token {
        let api = GraphQl::new(&github);
        match bulk_sync::run(&api, store, config, &plan.options, &*events).await {
            Err(ForgeError::NoGraphQl { url }) => {
                let message = format!("{url} has no GraphQL API: reading through REST instead");
                events(SyncEvent::Notice { message });
            }
            outcome => {
                report = Some(outcome?);
                points = Some(count(&api.stats.points));
            }
        }
    }
    let report = match report {
        Some(report) => report,
        None => crate::forge::sync::run(&github, store, config, &plan.options, &*events).await?,
    };
    // Who may push: a sync whose pull requests are saved does not fail
    // for it; what could not be read is said.
    let now = chrono::Utc::now().timestamp();
    let collaborators = match github.sync_collaborators(store, now).await {
        Ok(found) => found,
        Err(e) => Collaborators::NotReadable(e.to_string()),
    };
    if let Collaborators::NotReadable(why) = &collaborators {
        let message = format!("collaborators not read ({why}): `people` infers who may push from the history");
        events(SyncEvent::Notice { message });
    }
    Ok(Synced {
        report,
        requests: count(&github.stats.requests),
        not_modified: count(&github.stats.not_modified),
        points,
        collaborators,
    })
}

/// What a finished sync did.
#[derive(Debug, Clone)]
pub struct Synced {
    pub report: Report,
    pub requests: u64,
    pub not_modified: u64,
    /// GraphQL points spent (`None`: the sync read through REST).
    pub points: Option<u64>,
    /// Who may push, as read (or why not).
    pub collaborators: Collaborators,
}

/// The repository on GitHub and how to talk to it (no request made).
pub fn connection(
    repo: &Repo,
    config: &Config,
    api: Option<&str>,
) -> Result<(RepoSlug, Settings, Option<TokenSource>), PlanError> {
    // Userinfo in the API URL is never sent (the token is) but would be
    // echoed by every message that names the API: drop it here, once.
    let api = remote::redact(api.unwrap_or(&config.github.api)).trim_end_matches('/').to_string();
    let slug = repository(repo, config.github.repository.as_deref(), &api)?;
    let host = remote::web_host(&api);
    let (token, source) = match token::discover(&host, config.github.token_command.as_deref())? {
        Some((token, source)) => (Some(token), Some(source)),
        None => (None, None),
    };
    let mut settings = Settings::new(&api, slug.clone(), token);
    settings.concurrency = config.github.concurrency;
    settings.timeout = std::time::Duration::from_secs(config.github.timeout_secs);
    settings.backoff = std::time::Duration::from_millis(config.github.backoff_ms);
    Ok((slug, settings, source))
}

pub fn plan(repo: &Repo, config: &Config, request: &Request) -> Result<Plan, PlanError> {
    let (slug, settings, token_source) = connection(repo, config, request.api.as_deref())?;
    let default_branch = repo.default_branch(config.branches.default.as_deref())?;
    let watched = super::watched_branches(repo, config, &default_branch)?;
    let branches = if request.branches.is_empty() { watched.clone() } else { request.branches.clone() };
    let since = request.since.as_deref().map(|text| since(repo, text)).transpose()?;
    let scope = super::scope(config, &default_branch, watched);
    let unclaimed = unclaimed_commits(repo, &branches, &scope, since)?;
    let options =
        Options { branches, since, full: request.full, unclaimed, concurrency: config.github.concurrency * 2 };
    let bulk_reads = if request.rest { BulkReads::Rest } else { config.github.bulk_reads };
    Ok(Plan { slug, settings, options, token_source, bulk_reads })
}

/// `owner/name`: from config, else from the tracked remote's URL.
fn repository(repo: &Repo, configured: Option<&str>, api: &str) -> Result<RepoSlug, PlanError> {
    if let Some(text) = configured {
        return RepoSlug::parse(text).ok_or_else(|| PlanError::BadSlug(text.into()));
    }
    let host = remote::web_host(api);
    let (name, url) = repo.tracked_remote().ok_or(PlanError::NoRemote)?;
    remote::slug_from_remote(&url, &host).ok_or_else(|| PlanError::ForeignRemote {
        name: crate::render::sanitize::sanitize_line(&name),
        url: crate::render::sanitize::sanitize_line(&remote::redact(&url)),
        host,
    })
}

/// `--since`: a date, or a revision whose commit time is used.
pub fn since(repo: &Repo, text: &str) -> Result<i64, PlanError> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(t.timestamp());
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(d.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp()).unwrap_or(0));
    }
    let oid = repo.resolve(text).map_err(|_| PlanError::BadSince(text.into()))?;
    let commit = repo.commit(&oid.to_string())?.ok_or_else(|| PlanError::BadSince(text.into()))?;
    Ok(commit.time)
}

/// First-parent commits (the newest per branch) whose message names no
/// pull request: GitHub may still know one.
fn unclaimed_commits(
    repo: &Repo,
    branches: &[String],
    scope: &Scope,
    since: Option<i64>,
) -> Result<Vec<String>, PlanError> {
    let mut shas = Vec::new();
    for branch in branches {
        let range = repo.branch_range(branch, scope)?;
        for commit in repo.walk(&range, LINK_WINDOW)? {
            if since.is_some_and(|s| commit.time < s) {
                break;
            }
            if message::parse_refs(&commit.message).pr.is_none() {
                shas.push(commit.sha);
            }
        }
    }
    Ok(shas)
}

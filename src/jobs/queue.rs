//! The queue job: history walk, forge metadata and triage, off the UI thread.

use crate::forge::remote;
use crate::model::Queue;
use crate::model::RepoSlug;
use crate::pipeline::review::{self, Lookup};
use crate::pipeline::window::{self, Window};
use crate::pipeline::{self, Selection};
use crate::repo::Repo;
use crate::store::Store;

use super::{JobContext, JobError};

/// How much of each change a queue job reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum QueueDepth {
    /// The first screen: the walk of the window, what messages say and the
    /// store holds (verdicts from cached reviews); no patch-ids, author
    /// history, drift or file lists.
    First,
    /// Linked: backports by patch-id, drift, authors' history; no file lists.
    Linked,
    /// Everything: file lists and content scans too (the risk signals).
    Files,
}

/// The queue and what the status bar says about it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct QueueData {
    pub queue: Queue,
    pub repo_name: String,
    pub default_branch: String,
    pub branches: Vec<String>,
    /// Where each maintenance branch's own changes start, by branch.
    #[serde(default)]
    pub since: std::collections::BTreeMap<String, String>,
    /// Branches listed only up to `limit` changes, with more history left.
    #[serde(default)]
    pub cut: Vec<String>,
    /// Changes listed per branch at most.
    #[serde(default)]
    pub limit: usize,
    /// A shallow clone's missing history: the status bar says so.
    #[serde(default)]
    pub shallow: Option<String>,
    /// `https://github.com/owner/name`, when the repository is known.
    pub web: Option<String>,
    /// Actions waiting in the outbox.
    pub outbox: usize,
    /// Whether changes carry their file lists.
    pub with_files: bool,
    /// How much of each change was read.
    #[serde(default = "linked")]
    pub depth: QueueDepth,
    /// The window the config asks for (`None`: the whole history is it).
    #[serde(default)]
    pub window: Option<Window>,
    /// The whole history was asked for, past the window.
    #[serde(default)]
    pub whole: bool,
    /// Who approvals from here are recorded as (the token's login when the
    /// store knows it, else git's identity), and git's user.email: the
    /// approve dialog says when an approval would not count.
    #[serde(default)]
    pub reviewer: Option<String>,
    #[serde(default)]
    pub reviewer_email: String,
    /// Read from the last run's snapshot: shown until the fresh one comes.
    #[serde(default)]
    pub cached: bool,
    #[serde(skip)]
    pub took: std::time::Duration,
}

/// Changes per branch the TUI lists (the CLI's `--limit`).
const HISTORY_LIMIT: usize = 10_000;

fn linked() -> QueueDepth {
    QueueDepth::Linked
}

/// Builds the queue of the window (or of the `whole` history) to `depth`.
pub fn load(ctx: &JobContext, depth: QueueDepth, whole: bool) -> Result<QueueData, JobError> {
    let started = std::time::Instant::now();
    let repo = Repo::open(&ctx.repo)?;
    let mut store = Store::open(&ctx.db)?;
    let default_branch = repo.default_branch(ctx.config.branches.default.as_deref())?;
    let window = window::window(&repo, &ctx.config, &default_branch, chrono::Utc::now().timestamp())?;
    let files = depth == QueueDepth::Files;
    let selection = Selection {
        limit: HISTORY_LIMIT,
        files,
        since: window.as_ref().filter(|_| !whole).map(|w| w.since),
        quick: depth == QueueDepth::First,
        ..Selection::default()
    };
    let opened = started.elapsed();
    let loaded = pipeline::load(&repo, &mut store, &ctx.config, &selection)?;
    let stages: Vec<String> =
        loaded.timings.iter().map(|(stage, took)| format!("{stage} {:.0}", took.as_secs_f64() * 1e3)).collect();
    tracing::debug!(
        "queue ({depth:?}, whole: {whole}): opened and windowed in {:.0} ms, then {} ms",
        opened.as_secs_f64() * 1e3,
        stages.join(", ")
    );
    let outbox = store.outbox_pending()?;
    // Cached only: building the queue never waits for GitHub.
    let reviewer = review::reviewer(&repo, &mut store, &ctx.config, ctx.github_api.as_deref(), Lookup::Cached)?;
    let data = QueueData {
        queue: loaded.queue,
        repo_name: repo.name(),
        default_branch: loaded.default_branch,
        branches: loaded.branches,
        since: loaded.since,
        cut: loaded.cut,
        limit: HISTORY_LIMIT,
        shallow: loaded.shallow,
        web: web_url(ctx, &repo),
        outbox,
        with_files: files,
        depth,
        window,
        whole,
        cached: false,
        reviewer_email: reviewer.as_ref().map(|r| r.email.clone()).unwrap_or_default(),
        reviewer: reviewer.map(|r| r.name),
        took: started.elapsed(),
    };
    // The window's queue opens the next start; the whole history's would
    // be large and is one key away anyway.
    if !whole {
        save_snapshot(ctx, &data);
    }
    Ok(data)
}

/// The last queue built, beside the store: the next start draws it at once.
fn snapshot_path(ctx: &JobContext) -> std::path::PathBuf {
    let mut name = ctx.db.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".queue.json");
    ctx.db.with_file_name(name)
}

fn save_snapshot(ctx: &JobContext, data: &QueueData) {
    let path = snapshot_path(ctx);
    let partial = path.with_extension("json.partial");
    let written = serde_json::to_vec(data)
        .map_err(std::io::Error::other)
        .and_then(|bytes| crate::paths::write_private(&partial, &bytes))
        .and_then(|()| std::fs::rename(&partial, &path));
    if let Err(e) = written {
        // Only the next start's first frame is slower for it.
        tracing::warn!("cannot save the queue snapshot {}: {e}", path.display());
    }
}

/// The last run's queue, if there is one that reads back.
pub fn load_snapshot(ctx: &JobContext) -> Result<QueueData, JobError> {
    let path = snapshot_path(ctx);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(source) => return Err(JobError::NoSnapshot { path, source }),
    };
    let mut data: QueueData = match serde_json::from_slice(&bytes) {
        Ok(data) => data,
        Err(source) => return Err(JobError::BadSnapshot { path, source }),
    };
    data.cached = true;
    Ok(data)
}

/// The repository's page on the forge's website.
fn web_url(ctx: &JobContext, repo: &Repo) -> Option<String> {
    let api = ctx.github_api.as_deref().unwrap_or(&ctx.config.github.api);
    let host = remote::web_host(api);
    let slug = match &ctx.config.github.repository {
        Some(text) => RepoSlug::parse(text)?,
        None => {
            let (_, url) = repo.tracked_remote()?;
            remote::slug_from_remote(&url, &host)?
        }
    };
    Some(format!("https://{host}/{slug}"))
}

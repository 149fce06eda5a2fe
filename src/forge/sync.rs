//! Sync: brings merged pull requests, their reviews, and commit → pull
//! request links from a forge into the store, incrementally.
//!
//! Per branch, pull requests are listed most recently updated first and the
//! listing stops at the branch's watermark (a review after merge updates a
//! pull request, so it comes back to the top). Each pull request is saved
//! in its own transaction as soon as it is fetched; the watermark moves only
//! when the whole branch is done, so an interrupted sync resumes where it
//! stopped and never leaves the store half-written.

use futures_util::stream::{self, StreamExt};

use super::{Fetched, Forge, Result, SyncEvent};
use crate::config::Config;
use crate::model::message;
use crate::model::{PullRequest, Review, ReviewState};
use crate::store::{PullRecord, Store};

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The branches whose pull requests to fetch (their base branch names).
    pub branches: Vec<String>,
    /// Skip pull requests last updated before this time.
    pub since: Option<i64>,
    /// Ignore watermarks and validators: fetch everything again.
    pub full: bool,
    /// First-parent commits whose pull request the history does not name.
    pub unclaimed: Vec<String>,
    /// How many pull requests are fetched at once.
    pub concurrency: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub branches: Vec<BranchReport>,
    /// Commits whose pull requests were looked up.
    pub commits_checked: usize,
    /// Pull requests fetched because a backport or a commit named them.
    pub referenced: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BranchReport {
    pub branch: String,
    pub fetched: usize,
    pub up_to_date: bool,
}

pub async fn run<F: Forge>(
    forge: &F,
    store: &mut Store,
    config: &Config,
    options: &Options,
    emit: &(dyn Fn(SyncEvent) + Sync),
) -> Result<Report> {
    if options.full {
        store.forget_sync_state()?;
    }
    let mut report = Report::default();
    // (number, whether who merged it matters)
    let mut referenced: Vec<(u64, bool)> = Vec::new();
    for branch in &options.branches {
        emit(SyncEvent::Branch { branch: branch.clone() });
        let (pulls, done) = list_changed(forge, store, branch, options, emit).await?;
        let Some((newest, list_etag)) = done else {
            report.branches.push(BranchReport { branch: branch.clone(), fetched: 0, up_to_date: true });
            emit(SyncEvent::BranchDone { branch: branch.clone(), fetched: 0, up_to_date: true });
            continue;
        };
        referenced.extend(pulls.iter().filter_map(|pr| backport_original(pr).map(|n| (n, config.is_bot(&pr.author)))));
        let fetched = fetch_and_save(forge, store, config, pulls, options, branch, emit).await?;
        let key = forge.pulls_key(branch);
        store.finish_branch(branch, newest, list_etag.as_deref().map(|e| (key.as_str(), e)))?;
        report.branches.push(BranchReport { branch: branch.clone(), fetched, up_to_date: false });
        emit(SyncEvent::BranchDone { branch: branch.clone(), fetched, up_to_date: false });
    }

    // Commits that no pull request claims: ask which pull request holds them.
    let unlinked = store.unlinked_commits(&options.unclaimed)?;
    let total = unlinked.len();
    let mut lookups = stream::iter(unlinked)
        .map(|sha| async move { forge.pulls_for_commit(&sha).await.map(|prs| (sha, prs)) })
        .buffer_unordered(options.concurrency.max(1));
    let mut batch = Vec::new();
    while let Some(found) = lookups.next().await {
        let (sha, prs) = found?;
        referenced.extend(prs.iter().map(|n| (*n, false)));
        batch.push((sha, prs));
        report.commits_checked += 1;
        if batch.len() >= 50 {
            store.save_commit_links(&batch)?;
            batch.clear();
            emit(SyncEvent::Linked { checked: report.commits_checked, total });
        }
    }
    store.save_commit_links(&batch)?;
    emit(SyncEvent::Linked { checked: report.commits_checked, total });

    // Pull requests named by backports and commit links, not yet cached.
    let missing = not_cached(store, referenced)?;
    report.referenced = missing.len();
    let mut details = stream::iter(missing)
        .map(|number| async move { forge.pull(number).await })
        .buffer_unordered(options.concurrency.max(1));
    let mut pulls = Vec::new();
    while let Some(pull) = details.next().await {
        pulls.push(pull?);
    }
    fetch_and_save(forge, store, config, pulls, options, "referenced", emit).await?;
    Ok(report)
}

/// The merged pull requests on `branch` updated since its watermark.
/// `None` for `done` when the list did not change at all (a 304).
#[allow(clippy::type_complexity)]
async fn list_changed<F: Forge>(
    forge: &F,
    store: &Store,
    branch: &str,
    options: &Options,
    emit: &(dyn Fn(SyncEvent) + Sync),
) -> Result<(Vec<PullRequest>, Option<(Option<i64>, Option<String>)>)> {
    let watermark = store.watermark(branch)?;
    let etag = match watermark {
        Some(_) => store.etag(&forge.pulls_key(branch))?,
        None => None,
    };
    let mut pulls = Vec::new();
    let mut next: Option<String> = None;
    let mut first_etag = None;
    let mut newest: Option<i64> = None;
    let mut first = true;
    loop {
        let page = match forge.pulls_page(branch, next.as_deref(), if first { etag.as_deref() } else { None }).await? {
            Fetched::NotModified => return Ok((Vec::new(), None)),
            Fetched::Fresh { value, etag } => {
                if first {
                    first_etag = etag;
                }
                value
            }
        };
        first = false;
        let mut reached_known = false;
        for pr in page.items {
            newest = newest.max(pr.updated_at);
            // Equal times are fetched again: two updates in one second
            // must not hide the second. A pull request without a time is
            // fetched, never taken for the end of what changed.
            let older = |known: Option<i64>| pr.updated_at.zip(known).is_some_and(|(updated, k)| updated < k);
            if older(watermark) || older(options.since) {
                reached_known = true;
                break;
            }
            if pr.merged_at.is_some() {
                pulls.push(pr);
            }
        }
        emit(SyncEvent::Found { branch: branch.to_string(), total: pulls.len() });
        match page.next {
            Some(url) if !reached_known => next = Some(url),
            _ => break,
        }
    }
    Ok((pulls, Some((newest, first_etag))))
}

/// Fetches reviews (and, where needed, who merged and the commits) for
/// each pull request, several at a time, saving each as it arrives.
async fn fetch_and_save<F: Forge>(
    forge: &F,
    store: &mut Store,
    config: &Config,
    pulls: Vec<PullRequest>,
    options: &Options,
    branch: &str,
    emit: &(dyn Fn(SyncEvent) + Sync),
) -> Result<usize> {
    let total = pulls.len();
    let mut work = Vec::with_capacity(total);
    for pr in pulls {
        let etag = store.etag(&forge.reviews_key(pr.number))?;
        // The list leaves out who merged; ask only where a verdict needs it.
        let detail = pr.merged_by.is_none() && (config.is_bot(&pr.author) || config.review.merged_by_counts);
        work.push((pr, etag, detail));
    }
    let mut fetches = stream::iter(work)
        .map(|(pr, etag, detail)| fetch_one(forge, pr, etag, detail))
        .buffer_unordered(options.concurrency.max(1));
    let mut done = 0;
    while let Some(record) = fetches.next().await {
        store.save_pulls(&[record?])?;
        done += 1;
        emit(SyncEvent::Saved { branch: branch.to_string(), done, total });
    }
    Ok(done)
}

async fn fetch_one<F: Forge>(forge: &F, mut pr: PullRequest, etag: Option<String>, detail: bool) -> Result<PullRecord> {
    let reviews = forge.reviews(pr.number, etag.as_deref()).await?;
    if detail {
        pr.merged_by = forge.pull(pr.number).await?.merged_by;
    }
    match reviews {
        Fetched::NotModified => Ok(PullRecord { pr, reviews: None, reviews_etag: None }),
        Fetched::Fresh { value, etag } => {
            if approves_older_commits(&pr, &value) {
                pr.commits = forge.commits(pr.number).await?;
            }
            let reviews_etag = etag.map(|e| (forge.reviews_key(pr.number), e));
            Ok(PullRecord { pr, reviews: Some(value), reviews_etag })
        }
    }
}

/// Of the pull requests named (with whether who merged them matters),
/// those the store lacks, once each.
pub(super) fn not_cached(store: &Store, mut referenced: Vec<(u64, bool)>) -> Result<Vec<u64>> {
    referenced.sort_unstable();
    referenced.dedup();
    let mut missing = Vec::new();
    for (number, need_merger) in referenced {
        if !store.has_pull(number, need_merger)? && !missing.contains(&number) {
            missing.push(number);
        }
    }
    Ok(missing)
}

/// Whether an approval is of an older commit than the head: the commits
/// then tell which ones nobody approved.
pub(super) fn approves_older_commits(pr: &PullRequest, reviews: &[Review]) -> bool {
    let head = pr.head_sha.as_deref();
    reviews.iter().any(|r| r.state == ReviewState::Approved && r.commit_id.is_some() && r.commit_id.as_deref() != head)
}

/// The original a backport names (`[3.12] Title (GH-N)`): its reviews may
/// cover the backport, and for a bot's backport its merger is whom the
/// backport is credited to.
pub(super) fn backport_original(pr: &PullRequest) -> Option<u64> {
    let refs = message::parse_refs(&pr.title);
    refs.backport_prefix.as_ref()?;
    refs.original_pr.or(refs.pr).filter(|n| *n != pr.number)
}

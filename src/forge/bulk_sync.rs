//! Sync over GraphQL: the same result in the store as the REST sync
//! (`forge::sync`), in far fewer requests and rate-limit points.
//!
//! Per branch, merged pull requests come most recently updated first, 74 a
//! page (one point each), each with its labels and first hundred reviews;
//! the listing stops at the branch's watermark. A branch synced before is
//! first asked for a page of five: when nothing changed, that one query of
//! one point is the whole branch. Each page is saved in one transaction
//! with the cursor after it, so an interrupted sync resumes at the page
//! where it stopped; the watermark moves when the branch is done. Pull
//! requests that need a second query (more reviews, or the commits of an
//! approval of an older commit) are held until a hundred wait (or twelve
//! pages went by), then completed in one query each way and saved; the
//! cursor moves past a page only once nothing before it is held.
//!
//! Then, in batches: reviews past the first hundred, the commits of pull
//! requests approved at an older commit, the pull requests of commits whose
//! message names none, and the originals backports name.

use futures_util::stream::{self, StreamExt, TryStreamExt};
use serde_json::{Map, Value};

use super::graphql::queries::{self, aliased, ApiPull, ApiReview, CommitPulls, Continued, PullCommit, RepositoryData};
use super::graphql::GraphQl;
use super::sync::{approves_older_commits, backport_original, not_cached, BranchReport, Options, Report};
use super::{ForgeError, Result, SyncEvent};
use crate::config::Config;
use crate::model::{PullRequest, RepoSlug, Review};
use crate::store::{PullRecord, Store};

/// Batches sent at once (the client keeps its own, lower, cap on queries
/// in flight; this only keeps the next batch ready).
const BATCHES_AT_ONCE: usize = 2;

/// Pages a pull request may wait to be completed: an interrupted sync
/// lists at most this many pages again.
const HELD_PAGES: usize = 12;

/// A pull request as listed: its first reviews, and the cursor to more.
type Listed = (PullRequest, Vec<Review>, Option<String>);

pub async fn run(
    api: &GraphQl<'_>,
    store: &mut Store,
    config: &Config,
    options: &Options,
    emit: &(dyn Fn(SyncEvent) + Sync),
) -> Result<Report> {
    if options.full {
        store.forget_sync_state()?;
    }
    let slug = api.github().repo().clone();
    let mut report = Report::default();
    let mut referenced: Vec<(u64, bool)> = Vec::new();
    for branch in &options.branches {
        emit(SyncEvent::Branch { branch: branch.clone() });
        let fetched = sync_branch(api, &slug, store, config, branch, options, emit, &mut referenced).await?;
        let up_to_date = fetched == 0;
        report.branches.push(BranchReport { branch: branch.clone(), fetched, up_to_date });
        emit(SyncEvent::BranchDone { branch: branch.clone(), fetched, up_to_date });
    }
    report.commits_checked = link_commits(api, &slug, store, options, emit, &mut referenced).await?;

    // Pull requests named by backports and commit links, not yet cached.
    let missing = not_cached(store, referenced)?;
    report.referenced = missing.len();
    let batches = missing.chunks(queries::PULL_BATCH).map(|numbers| pulls_by_number(api, &slug, numbers));
    let mut answers = stream::iter(batches).buffered(BATCHES_AT_ONCE);
    while let Some(listed) = answers.try_next().await? {
        let records = complete(api, &slug, listed).await?;
        store.save_pulls(&records.into_iter().map(record).collect::<Vec<_>>())?;
    }
    Ok(report)
}

#[allow(clippy::too_many_arguments)]
async fn sync_branch(
    api: &GraphQl<'_>,
    slug: &RepoSlug,
    store: &mut Store,
    config: &Config,
    branch: &str,
    options: &Options,
    emit: &(dyn Fn(SyncEvent) + Sync),
    referenced: &mut Vec<(u64, bool)>,
) -> Result<usize> {
    let watermark = store.watermark(branch)?;
    let (mut after, mut newest) = match store.sync_resume(branch)? {
        Some((cursor, newest)) => (Some(cursor), newest),
        None => (None, None),
    };
    let size = if watermark.is_some() && after.is_none() { queries::PROBE } else { queries::PAGE };
    let what = format!("the merged pull requests into {branch} of {slug}");
    let mut fetched = 0;
    let mut listed = 0;
    let mut held: Vec<Listed> = Vec::new();
    // Pages listed since the oldest held pull request.
    let mut held_pages = 0;
    let mut arrived = list_page(api, slug, branch, size, after.take(), &what).await;
    loop {
        let connection = arrived?;
        let next = connection.next().map(str::to_string);
        let mut page = Vec::new();
        let mut reached_known = false;
        for pull in connection.nodes.into_iter().flatten() {
            let (pr, reviews, more) = pull.into_model();
            newest = newest.max(pr.updated_at);
            // Equal times are looked at again: two updates in one second
            // must not hide the second. A pull request without a time is
            // fetched, never taken for the end of what changed.
            let older = |known: Option<i64>| pr.updated_at.zip(known).is_some_and(|(updated, k)| updated < k);
            if older(watermark) || older(options.since) {
                reached_known = true;
                break;
            }
            // Saved by an earlier sync at this very update: unchanged since.
            if pr.updated_at.is_some()
                && pr.updated_at == watermark
                && store.pull_updated_at(pr.number)? == Some(pr.updated_at)
            {
                continue;
            }
            if pr.merged_at.is_some() {
                page.push((pr, reviews, more));
            }
        }
        referenced
            .extend(page.iter().filter_map(|(pr, _, _)| backport_original(pr).map(|n| (n, config.is_bot(&pr.author)))));
        listed += page.len();
        emit(SyncEvent::Found { branch: branch.to_string(), total: listed });
        let next = next.filter(|_| !reached_known);

        // Whole pull requests are saved at once; those still missing reviews
        // or commits wait for a full batch (one query for a hundred of them,
        // where one per page would double the points).
        let (incomplete, mut records): (Vec<Listed>, Vec<Listed>) = page.into_iter().partition(needs_more);
        held.extend(incomplete);
        held_pages = if held.is_empty() { 0 } else { held_pages + 1 };
        let flush = held.len() >= queries::CONNECTION_BATCH || held_pages >= HELD_PAGES || next.is_none();
        let batch = if flush { std::mem::take(&mut held) } else { Vec::new() };
        if flush {
            held_pages = 0;
        }
        // The next page is asked for while this one is completed and saved.
        let completing = complete(api, slug, batch);
        let (following, completed) = match &next {
            Some(cursor) => {
                let following = list_page(api, slug, branch, queries::PAGE, Some(cursor.clone()), &what);
                let (following, completed) = futures_util::future::join(following, completing).await;
                (Some(following), completed)
            }
            None => (None, completing.await),
        };
        records.extend(completed?);
        fetched += records.len();
        store.save_pulls(&records.into_iter().map(record).collect::<Vec<_>>())?;
        emit(SyncEvent::Saved { branch: branch.to_string(), done: fetched, total: listed });
        match (next, following) {
            (Some(cursor), Some(following)) => {
                // A resumed listing starts after this page only when nothing
                // before it waits to be completed.
                if held.is_empty() {
                    store.save_sync_resume(branch, &cursor, newest)?;
                }
                arrived = following;
            }
            _ => break,
        }
    }
    store.finish_branch(branch, newest, None)?;
    Ok(fetched)
}

/// One page of a branch's merged pull requests.
async fn list_page(
    api: &GraphQl<'_>,
    slug: &RepoSlug,
    branch: &str,
    size: usize,
    after: Option<String>,
    what: &str,
) -> Result<queries::Connection<ApiPull>> {
    let (text, variables) = queries::merged_page(slug, branch, size, after.as_deref());
    let (data, _) = api.query::<RepositoryData<queries::PullsField>>(&text, variables, 1, what).await?;
    Ok(data.repository.ok_or_else(|| not_found(slug))?.pull_requests)
}

/// Whether a listed pull request needs another query: reviews past the
/// first page, or an approval of an older commit (its commits tell which
/// ones nobody approved).
fn needs_more((pr, reviews, more): &Listed) -> bool {
    more.is_some() || approves_older_commits(pr, reviews)
}

fn record((pr, reviews, _): Listed) -> PullRecord {
    PullRecord { pr, reviews: Some(reviews), reviews_etag: None }
}

/// Fetches what a page of pull requests left out: reviews past the first
/// hundred, and the commits of those approved at an older commit.
async fn complete(api: &GraphQl<'_>, slug: &RepoSlug, mut page: Vec<Listed>) -> Result<Vec<Listed>> {
    let more_reviews: Vec<(usize, Option<String>)> =
        page.iter().enumerate().filter_map(|(i, (_, _, more))| more.clone().map(|c| (i, Some(c)))).collect();
    let what = format!("the reviews of pull requests of {slug}");
    continue_all(api, slug, &mut page, more_reviews, queries::more_reviews, &what, |(pr, reviews, _), nodes| {
        let number = pr.number;
        reviews.extend(nodes.into_iter().filter_map(|r: ApiReview| r.into_model(number)));
    })
    .await?;
    // Only once every review is in: an approval of an older commit.
    let stale: Vec<(usize, Option<String>)> = page
        .iter()
        .enumerate()
        .filter(|(_, (pr, reviews, _))| approves_older_commits(pr, reviews))
        .map(|(i, _)| (i, None))
        .collect();
    let what = format!("the commits of pull requests of {slug}");
    continue_all(api, slug, &mut page, stale, queries::commits, &what, |(pr, _, _), nodes| {
        pr.commits.extend(nodes.into_iter().map(|c: PullCommit| c.commit.oid));
    })
    .await?;
    Ok(page)
}

/// Reads one connection of some pull requests of `page` to its end, a
/// hundred pull requests a query: `pending` holds each one's index and
/// the cursor to go on from (`None`: the start); `apply` adds a page of
/// nodes to its pull request.
async fn continue_all<T: serde::de::DeserializeOwned>(
    api: &GraphQl<'_>,
    slug: &RepoSlug,
    page: &mut [Listed],
    mut pending: Vec<(usize, Option<String>)>,
    query: queries::ContinuationQuery,
    what: &str,
    mut apply: impl FnMut(&mut Listed, Vec<T>),
) -> Result<()> {
    while !pending.is_empty() {
        let mut next = Vec::new();
        for chunk in pending.chunks(queries::CONNECTION_BATCH) {
            let pages: Vec<(u64, Option<String>)> = chunk.iter().map(|(i, c)| (page[*i].0.number, c.clone())).collect();
            let (text, variables) = query(slug, &pages);
            let continued: Vec<Option<Continued<T>>> = batch(api, slug, &text, variables, chunk.len(), what).await?;
            for ((i, _), answer) in chunk.iter().zip(continued) {
                let Some(connection) = answer.and_then(|a| a.connection) else { continue };
                if let Some(cursor) = connection.next() {
                    next.push((*i, Some(cursor.to_string())));
                }
                apply(&mut page[*i], connection.nodes.into_iter().flatten().collect());
            }
        }
        pending = next;
    }
    Ok(())
}

/// Commits whose message names no pull request: which pull requests hold
/// them. Returns how many were looked up.
async fn link_commits(
    api: &GraphQl<'_>,
    slug: &RepoSlug,
    store: &mut Store,
    options: &Options,
    emit: &(dyn Fn(SyncEvent) + Sync),
    referenced: &mut Vec<(u64, bool)>,
) -> Result<usize> {
    let unlinked = store.unlinked_commits(&options.unclaimed)?;
    let total = unlinked.len();
    // GitHub refuses a whole query over one malformed object id; such a
    // commit cannot be on GitHub, which is the answer REST gets too.
    let (askable, unaskable): (Vec<String>, Vec<String>) = unlinked.into_iter().partition(|s| queries::is_object_id(s));
    let none: Vec<(String, Vec<u64>)> = unaskable.into_iter().map(|sha| (sha, Vec::new())).collect();
    store.save_commit_links(&none)?;
    let mut checked = none.len();
    let what = format!("the pull requests of commits of {slug}");
    let batches = askable.chunks(queries::CONNECTION_BATCH).map(|shas| {
        let what = &what;
        async move {
            let (text, variables) = queries::pulls_for_commits(slug, shas);
            let found: Vec<Option<CommitPulls>> =
                batch_with(api, slug, &text, variables, shas.len(), 'c', what).await?;
            let links: Vec<(String, Vec<u64>)> = shas
                .iter()
                .zip(found)
                .map(|(sha, commit)| {
                    let numbers = commit
                        .and_then(|c| c.associated_pull_requests)
                        .map(|c| c.nodes.into_iter().flatten().map(|n| n.number).collect())
                        .unwrap_or_default();
                    (sha.clone(), numbers)
                })
                .collect();
            Ok::<_, ForgeError>(links)
        }
    });
    let mut answers = stream::iter(batches).buffered(BATCHES_AT_ONCE);
    while let Some(links) = answers.try_next().await? {
        referenced.extend(links.iter().flat_map(|(_, prs)| prs.iter().map(|n| (*n, false))));
        checked += links.len();
        store.save_commit_links(&links)?;
        emit(SyncEvent::Linked { checked, total });
    }
    emit(SyncEvent::Linked { checked, total });
    Ok(checked)
}

async fn pulls_by_number(api: &GraphQl<'_>, slug: &RepoSlug, numbers: &[u64]) -> Result<Vec<Listed>> {
    let what = format!("pull requests named by backports and commits of {slug}");
    let (text, variables) = queries::pulls_by_number(slug, numbers);
    // Two connections each (labels, reviews): a batch of 50 is one point.
    let found: Vec<Option<ApiPull>> = batch(api, slug, &text, variables, numbers.len(), &what).await?;
    // A number GitHub does not know (an issue, a typo in a title) is null
    // beside a NOT_FOUND error: there is nothing to save for it.
    Ok(found.into_iter().flatten().map(ApiPull::into_model).filter(|(pr, _, _)| pr.merged_at.is_some()).collect())
}

/// Runs a batch of `p0`…`pN` aliases under `repository`.
async fn batch<T: serde::de::DeserializeOwned>(
    api: &GraphQl<'_>,
    slug: &RepoSlug,
    text: &str,
    variables: Value,
    count: usize,
    what: &str,
) -> Result<Vec<Option<T>>> {
    batch_with(api, slug, text, variables, count, 'p', what).await
}

async fn batch_with<T: serde::de::DeserializeOwned>(
    api: &GraphQl<'_>,
    slug: &RepoSlug,
    text: &str,
    variables: Value,
    count: usize,
    prefix: char,
    what: &str,
) -> Result<Vec<Option<T>>> {
    let (data, _) = api.query::<RepositoryData<Map<String, Value>>>(text, variables, 1, what).await?;
    let fields = data.repository.ok_or_else(|| not_found(slug))?;
    aliased(fields, prefix, count).map_err(|e| ForgeError::BadAnswer { what: what.to_string(), detail: e.to_string() })
}

fn not_found(slug: &RepoSlug) -> ForgeError {
    ForgeError::NotFound { what: format!("repository {slug}"), api: "GitHub's GraphQL API".into() }
}

//! The sync job: the same plan and sync as `rearview sync`, on a thread of
//! its own with its own runtime, reporting progress as it goes.

use std::sync::Arc;

use crate::forge::SyncEvent;
use crate::pipeline::sync as plan;
use crate::repo::Repo;
use crate::store::Store;

use super::{JobContext, JobError};

/// Runs a sync to the end: a one-line summary, or why it failed.
pub fn run(ctx: &JobContext, events: Arc<dyn Fn(SyncEvent) + Send + Sync>) -> Result<String, JobError> {
    let repo = Repo::open(&ctx.repo)?;
    let mut store = Store::open(&ctx.db)?;
    let request = plan::Request { api: ctx.github_api.clone(), ..plan::Request::default() };
    let plan = plan::plan(&repo, &ctx.config, &request)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|source| JobError::Runtime { what: "sync", source })?;
    let slug = plan.slug.clone();
    let auth = if plan.token_source.is_some() { "" } else { " (unauthenticated)" };
    let report = runtime.block_on(plan::run(&mut store, &ctx.config, plan, false, events))?.report;
    let fetched: usize = report.branches.iter().map(|b| b.fetched).sum();
    Ok(format!("synced {slug}{auth}: {fetched} pull requests fetched, {} commits looked up", report.commits_checked))
}

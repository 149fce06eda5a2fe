//! Recording an approval or concern from the TUI, and pushing the outbox
//! in the background: the same store calls and delivery as the CLI's.

use crate::forge::github::GitHub;
use crate::forge::outbox::{self, Outcome};
use crate::forge::{plan, SyncEvent};
use crate::model::LedgerKind;
use crate::repo::{identity, Repo};
use crate::store::Store;

use super::JobContext;

/// Writes the action to the ledger and the outbox (before any network).
pub fn record(ctx: &JobContext, sha: &str, pr: Option<u64>, kind: LedgerKind, note: &str) -> Result<String, String> {
    let repo = Repo::open(&ctx.repo).map_err(|e| e.to_string())?;
    let mut store = Store::open(&ctx.db).map_err(|e| e.to_string())?;
    let reviewer = outbox::reviewer(identity::user_email(&repo.git_dir()), &store)
        .map_err(|e| e.to_string())?
        .ok_or("who is reviewing? set git's user.email (git config --global user.email you@example.org)")?;
    if kind == LedgerKind::Approval {
        if let Some(earlier) = outbox::earlier_approval(&store, sha, &reviewer).map_err(|e| e.to_string())? {
            return Ok(format!("already approved by {reviewer} (#{})", earlier.id));
        }
    }
    let action = store.record(sha, pr, kind, &reviewer, note).map_err(|e| e.to_string())?;
    Ok(format!("{} #{} recorded by {reviewer}", kind.as_str(), action.id))
}

/// Delivers what the outbox holds; a one-line summary.
pub fn push(ctx: &JobContext) -> Result<String, String> {
    let repo = Repo::open(&ctx.repo).map_err(|e| e.to_string())?;
    let mut store = Store::open(&ctx.db).map_err(|e| e.to_string())?;
    let (_, settings, source) = match plan::connection(&repo, &ctx.config, ctx.github_api.as_deref()) {
        Ok(found) => found,
        Err(e) => {
            let reason = outbox::unreachable_reason(&e, &repo.git_dir()).ok_or_else(|| e.to_string())?;
            let held = outbox::hold(&mut store, &reason).map_err(|e| e.to_string())?;
            return Ok(format!("{held} queued ({reason})"));
        }
    };
    if source.is_none() {
        let held = outbox::hold(&mut store, "no GitHub token").map_err(|e| e.to_string())?;
        return Ok(format!("{held} queued (no GitHub token: set GITHUB_TOKEN or run `gh auth login`)"));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the push's runtime: {e}"))?;
    let results = runtime
        .block_on(async {
            let github = GitHub::new(settings, std::sync::Arc::new(|_: SyncEvent| {}))?;
            outbox::push(&github, &mut store, &mut |_, _| {}).await.map_err(crate::forge::ForgeError::from)
        })
        .map_err(|e| e.to_string())?;
    let posted =
        results.iter().filter(|(_, o)| matches!(o, Outcome::Posted { .. } | Outcome::AlreadyPosted { .. })).count();
    let problems: Vec<String> = results
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Refused { .. } | Outcome::Later { .. }))
        .map(|(e, o)| format!("#{} {}", e.action.id, o.describe()))
        .collect();
    Ok(if problems.is_empty() {
        format!("outbox: {posted} posted")
    } else {
        format!("outbox: {posted} posted; {}", problems.join("; "))
    })
}

//! Recording an approval or concern from the TUI, and pushing the outbox
//! in the background: `pipeline::review`, as the CLI runs it, summed up in
//! one line for the status bar.

use crate::forge::outbox::Outcome;
use crate::model::LedgerKind;
use crate::pipeline::review::{self, Hold, Pushed};
use crate::repo::Repo;
use crate::store::Store;

use super::{JobContext, JobError};

/// Writes the action to the ledger and the outbox (before any network).
pub fn record(ctx: &JobContext, sha: &str, pr: Option<u64>, kind: LedgerKind, note: &str) -> Result<String, JobError> {
    let repo = Repo::open(&ctx.repo)?;
    let mut store = Store::open(&ctx.db)?;
    let reviewer = review::reviewer(&repo, &mut store, &ctx.config, ctx.github_api.as_deref(), review::Lookup::Ask)?
        .ok_or(crate::pipeline::Error::NoReviewer)?;
    let recorded = review::record(&mut store, &reviewer, sha, pr, kind, note)?;
    let (reviewer, id) = (recorded.reviewer, recorded.action.id);
    Ok(if recorded.again {
        format!("already approved by {reviewer} (#{id})")
    } else {
        format!("{} #{id} recorded by {reviewer}", kind.as_str())
    })
}

/// Delivers what the outbox holds; a one-line summary.
pub fn push(ctx: &JobContext) -> Result<String, JobError> {
    let repo = Repo::open(&ctx.repo)?;
    let mut store = Store::open(&ctx.db)?;
    let quiet = std::sync::Arc::new(|_| {});
    let pushed = review::push(&repo, &mut store, &ctx.config, ctx.github_api.as_deref(), quiet, &mut |_, _| {})?;
    let results = match pushed {
        Pushed::Held { held, why: Hold::Unreachable { reason, .. } } => return Ok(format!("{held} queued ({reason})")),
        Pushed::Held { held, why: Hold::NoToken } => {
            return Ok(format!("{held} queued (no GitHub token: set GITHUB_TOKEN or run `gh auth login`)"))
        }
        Pushed::Delivered { results, .. } => results,
    };
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

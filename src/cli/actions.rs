//! `rearview approve`, `concern`, `outbox` and `ledger`: the CLI side of
//! post-hoc review. An action is written to the store (ledger + outbox)
//! before anything is sent; delivery is `forge::outbox`.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context as _, Result};

use rearview::forge::github::GitHub;
use rearview::forge::outbox::{self, Outcome};
use rearview::forge::{plan, SyncEvent};
use rearview::model::{short_sha, Change, Delivery, LedgerKind, OutboxEntry};
use rearview::pipeline::Selection;
use rearview::render::sanitize::sanitize_line;
use rearview::repo::identity;

use super::{build_queue, context, print, ActionArgs, Context, Global, LedgerArgs, LedgerFormat, OutboxArgs};

/// Records an approval or a concern, then tries to deliver it.
pub fn act(global: &Global, args: &ActionArgs, kind: LedgerKind) -> Result<ExitCode> {
    let mut ctx = context(global)?;
    if kind == LedgerKind::Concern && args.message.as_deref().is_none_or(|m| m.trim().is_empty()) {
        bail!("a concern needs its reason: --message \"what is wrong\"");
    }
    let queue = build_queue(global, &mut ctx, &Selection { limit: 10_000, ..Selection::default() })?;
    let change = find_change(&ctx, &queue.changes, &args.target)?;
    let reviewer = outbox::reviewer(identity::user_email(&ctx.repo.git_dir()), &ctx.store)?
        .context("who is reviewing? set git's user.email (git config --global user.email you@example.org)")?;
    let mut note = args.message.clone().unwrap_or_default();
    if args.drift_only {
        let Some(original) = &change.original else {
            bail!("--drift-only is for backports: {} has no original", short_sha(&change.sha));
        };
        let pr = original.pr.map(|n| format!(" (#{n})")).unwrap_or_default();
        let scope = format!(
            "This covers only the backport's drift from its original {}{pr}: the hunks that differ from it.",
            short_sha(&original.sha)
        );
        note = if note.trim().is_empty() { scope } else { format!("{scope}\n\n{note}") };
    }
    // Approving twice is one approval: the second finds the first.
    let earlier = match kind {
        LedgerKind::Approval => outbox::earlier_approval(&ctx.store, &change.sha, &reviewer)?,
        LedgerKind::Concern => None,
    };
    let again = earlier.is_some();
    let action = match earlier {
        Some(action) => {
            eprintln!(
                "rearview: already approved by {} (#{}): not recorded again",
                sanitize_line(&reviewer),
                action.id
            );
            action
        }
        None => ctx.store.record(&change.sha, change.pr, kind, &reviewer, &note)?,
    };
    let target = match change.pr {
        Some(n) => format!("pull request #{n}"),
        None => format!("commit {}", short_sha(&change.sha)),
    };
    if !again {
        eprintln!(
            "rearview: recorded {} #{} by {} for {target} ({}); it is in the outbox",
            kind.as_str(),
            action.id,
            sanitize_line(&reviewer),
            sanitize_line(&change.title)
        );
    }
    if args.no_push {
        eprintln!("rearview: not pushed (--no-push): `rearview outbox --push` delivers it");
        return Ok(ExitCode::SUCCESS);
    }
    match push(global, &mut ctx)? {
        None => Ok(ExitCode::SUCCESS),
        Some(results) => {
            let refused = results.iter().any(|(e, o)| e.action.id == action.id && matches!(o, Outcome::Refused { .. }));
            Ok(if refused { ExitCode::from(1) } else { ExitCode::SUCCESS })
        }
    }
}

/// `REV` or `#N`: the change in the queue it names.
fn find_change<'a>(ctx: &Context, changes: &'a [Change], target: &str) -> Result<&'a Change> {
    if let Some(number) = target.strip_prefix('#') {
        let n: u64 = number.parse().with_context(|| format!("`{target}` is not a pull request number (#123)"))?;
        return changes.iter().find(|c| c.pr == Some(n)).with_context(|| {
            format!("pull request #{n} merged no change on a watched branch (`rearview list` shows them)")
        });
    }
    let sha = ctx.repo.resolve(target)?.to_string();
    changes.iter().find(|c| c.sha == sha).with_context(|| {
        format!(
            "`{}` ({}) is not a change on a watched branch (`rearview list` shows them)",
            sanitize_line(target),
            short_sha(&sha)
        )
    })
}

/// Pushes the outbox; `None` when there is no GitHub repository to push
/// to (the actions stay queued).
fn push(global: &Global, ctx: &mut Context) -> Result<Option<Vec<(OutboxEntry, Outcome)>>> {
    let (slug, settings, source) = match plan::connection(&ctx.repo, &ctx.config, global.github_api.as_deref()) {
        Ok(found) => found,
        Err(e) => match outbox::unreachable_reason(&e, &ctx.repo.git_dir()) {
            Some(reason) => {
                outbox::hold(&mut ctx.store, &reason)?;
                eprintln!("rearview: queued, not pushed ({reason}): {e}");
                return Ok(None);
            }
            None => return Err(e.into()),
        },
    };
    if source.is_none() {
        outbox::hold(&mut ctx.store, "no GitHub token")?;
        eprintln!(
            "rearview: queued, not pushed: no GitHub token (GITHUB_TOKEN, GH_TOKEN, `gh auth token`, github.token_command)"
        );
        return Ok(None);
    }
    let events: Arc<dyn Fn(SyncEvent) + Send + Sync> = Arc::new(|event| {
        if let SyncEvent::Waiting { seconds, reason } = event {
            eprintln!("rearview: waiting {seconds:.1} s: {}", sanitize_line(&reason));
        }
    });
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().context("cannot start tokio")?;
    let store = &mut ctx.store;
    let results = runtime.block_on(async {
        let github = GitHub::new(settings, events)?;
        let mut say = |entry: &OutboxEntry, outcome: &Outcome| {
            eprintln!(
                "rearview: {} #{}: {}",
                entry.action.kind.as_str(),
                entry.action.id,
                sanitize_line(&outcome.describe())
            );
        };
        outbox::push(&github, store, &mut say).await.map_err(anyhow::Error::from)
    })?;
    if results.is_empty() {
        eprintln!("rearview: the outbox for {slug} is empty");
    }
    Ok(Some(results))
}

pub fn outbox(global: &Global, args: &OutboxArgs) -> Result<ExitCode> {
    let mut ctx = context(global)?;
    if args.push {
        let results = push(global, &mut ctx)?;
        let undelivered = results
            .as_ref()
            .is_none_or(|r| r.iter().any(|(_, o)| matches!(o, Outcome::Refused { .. } | Outcome::Later { .. })));
        let left = ctx.store.outbox(false)?;
        if args.format == LedgerFormat::Json {
            print(&(serde_json::to_string_pretty(&left)? + "\n"))?;
        }
        return Ok(if undelivered && !left.is_empty() { ExitCode::from(1) } else { ExitCode::SUCCESS });
    }
    let entries = ctx.store.outbox(false)?;
    match args.format {
        LedgerFormat::Json => print(&(serde_json::to_string_pretty(&entries)? + "\n"))?,
        LedgerFormat::Md | LedgerFormat::Table => {
            if entries.is_empty() {
                print("The outbox is empty: every action reached GitHub.\n")?;
            }
            for e in &entries {
                print(&format!("{}\n", line(e)))?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One entry in one line: what, on what, by whom, where it stands.
fn line(e: &OutboxEntry) -> String {
    let on = match e.pr {
        Some(n) => format!("#{n}"),
        None => short_sha(&e.action.sha).to_string(),
    };
    let state = match (e.state, &e.last_error) {
        (Delivery::Posted, _) => format!("posted {}", e.url.as_deref().unwrap_or("")).trim_end().to_string(),
        (Delivery::Failed, Some(reason)) => format!("failed: {reason}"),
        (Delivery::Pending, Some(reason)) => format!("queued ({reason})"),
        (Delivery::Posting, _) => "posting (interrupted; checked for its marker on the next push)".to_string(),
        (state, None) => format!("{} (attempts {})", state.as_str(), e.attempts),
    };
    sanitize_line(&format!(
        "#{:<4} {:<8} {:<11} by {:<16} {}  {}",
        e.action.id,
        e.action.kind.as_str(),
        on,
        e.action.reviewer,
        rearview::model::rfc3339(e.action.created_at),
        state
    ))
}

pub fn ledger(global: &Global, args: &LedgerArgs) -> Result<ExitCode> {
    let ctx = context(global)?;
    let entries = ctx.store.outbox(true)?;
    match args.format {
        LedgerFormat::Json => print(&(serde_json::to_string_pretty(&entries)? + "\n"))?,
        LedgerFormat::Table => {
            for e in &entries {
                print(&format!("{}\n", line(e)))?;
            }
        }
        LedgerFormat::Md => {
            let mut text = format!("# Review ledger of {}\n\n", sanitize_line(&ctx.repo.name()));
            text.push_str("| # | action | on | by | when | delivery | note |\n|---|---|---|---|---|---|---|\n");
            for e in &entries {
                let on = match e.pr {
                    Some(n) => format!("#{n} ({})", short_sha(&e.action.sha)),
                    None => short_sha(&e.action.sha).to_string(),
                };
                let delivery = match e.state {
                    Delivery::Posted => e.url.clone().unwrap_or_else(|| "posted".into()),
                    other => match &e.last_error {
                        Some(reason) => format!("{}: {reason}", other.as_str()),
                        None => other.as_str().to_string(),
                    },
                };
                let cell = rearview::render::markdown::cell;
                text.push_str(&format!(
                    "| {} | {} | {} | {} | {} | {} | {} |\n",
                    e.action.id,
                    e.action.kind.as_str(),
                    on,
                    cell(&e.action.reviewer),
                    rearview::model::rfc3339(e.action.created_at),
                    cell(&delivery),
                    cell(&e.action.body.replace('\n', " ")),
                ));
            }
            if entries.is_empty() {
                text.push_str("\nNo actions recorded yet.\n");
            }
            print(&text)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

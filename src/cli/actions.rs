//! `rearview approve`, `concern`, `outbox` and `ledger`: what the reviewer
//! reads on the terminal. Recording and pushing are `pipeline::review`.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Result};

use rearview::forge::outbox::Outcome;
use rearview::forge::SyncEvent;
use rearview::model::{short_sha, Change, Delivery, LedgerKind, OutboxEntry};
use rearview::pipeline::change::{self, Target};
use rearview::pipeline::review::{self, Hold, Pushed};
use rearview::render::sanitize::sanitize_line;

use super::{context, output::print, ActionArgs, Context, Global, LedgerArgs, LedgerFormat, OutboxArgs};

/// Records an approval or a concern, then tries to deliver it.
pub fn act(global: &Global, args: &ActionArgs, kind: LedgerKind) -> Result<ExitCode> {
    let mut ctx = context(global)?;
    if kind == LedgerKind::Concern && args.message.as_deref().is_none_or(|m| m.trim().is_empty()) {
        bail!("a concern needs its reason: --message \"what is wrong\"");
    }
    let change = find_change(&mut ctx, &args.target)?;
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
    let api = global.github_api.as_deref();
    let reviewer = review::reviewer(&ctx.repo, &mut ctx.store, &ctx.config, api, review::Lookup::Ask)?
        .ok_or(rearview::pipeline::Error::NoReviewer)?;
    // One's own change: said before anything is recorded or sent.
    if let Some(why) = review::not_independent(&change, &reviewer).filter(|_| kind == LedgerKind::Approval) {
        if !args.own {
            eprintln!("rearview: not recorded, it would not count: {}; `--own` records it anyway", sanitize_line(&why));
            return Ok(ExitCode::from(2));
        }
        eprintln!("rearview: recording it anyway (--own); it will not count: {}", sanitize_line(&why));
    }
    // Approving twice is one approval: the second finds the first.
    let review::Recorded { action, reviewer, again } =
        review::record(&mut ctx.store, &reviewer, &change.sha, change.pr, kind, &note)?;
    if again {
        eprintln!("rearview: already approved by {} (#{}): not recorded again", sanitize_line(&reviewer), action.id);
    }
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

/// `REV` or `#N`: the change on a watched branch it names.
fn find_change(ctx: &mut Context, target: &str) -> Result<Change> {
    let parsed = Target::parse(target).map_err(anyhow::Error::msg)?;
    let found = change::find(&ctx.repo, &mut ctx.store, &ctx.config, &parsed)?;
    match (found, parsed) {
        (Some(change), _) => Ok(change),
        (None, Target::PullRequest(n)) => {
            bail!("pull request #{n} merged no change on a watched branch (`rearview list` shows them)")
        }
        (None, Target::Revision(rev)) => bail!(
            "`{}` ({}) is not a change on a watched branch (`rearview list` shows them)",
            sanitize_line(target),
            short_sha(&ctx.repo.resolve(&rev)?.to_string())
        ),
    }
}

/// Pushes the outbox; `None` when there is no GitHub repository to push
/// to (the actions stay queued).
fn push(global: &Global, ctx: &mut Context) -> Result<Option<Vec<(OutboxEntry, Outcome)>>> {
    let events: Arc<dyn Fn(SyncEvent) + Send + Sync> = Arc::new(|event| {
        if let SyncEvent::Waiting { seconds, reason } = event {
            eprintln!("rearview: waiting {seconds:.1} s: {}", sanitize_line(&reason));
        }
    });
    let mut say = |entry: &OutboxEntry, outcome: &Outcome| {
        eprintln!(
            "rearview: {} #{}: {}",
            entry.action.kind.as_str(),
            entry.action.id,
            sanitize_line(&outcome.describe())
        );
    };
    let api = global.github_api.as_deref();
    match review::push(&ctx.repo, &mut ctx.store, &ctx.config, api, events, &mut say)? {
        Pushed::Held { why: Hold::Unreachable { reason, cause }, .. } => {
            eprintln!("rearview: queued, not pushed ({reason}): {cause}");
            Ok(None)
        }
        Pushed::Held { why: Hold::NoToken, .. } => {
            eprintln!(
                "rearview: queued, not pushed: no GitHub token (GITHUB_TOKEN, GH_TOKEN, `gh auth token`, github.token_command)"
            );
            Ok(None)
        }
        Pushed::Delivered { slug, results } => {
            // Entries another process holds were left to it, not skipped.
            let elsewhere = ctx.store.outbox(false)?.iter().filter(|e| e.state == Delivery::Posting).count();
            if results.is_empty() && elsewhere == 0 {
                eprintln!("rearview: the outbox for {slug} is empty");
            } else if elsewhere > 0 {
                eprintln!("rearview: {elsewhere} action(s) being sent by another rearview process: left to it");
            }
            Ok(Some(results))
        }
    }
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
        (Delivery::Posting, _) => {
            "posting (being sent, or interrupted: checked for its marker before it is sent again)".to_string()
        }
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

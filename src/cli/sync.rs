//! `rearview sync`: progress on stderr and the summary; the sync itself is
//! `pipeline::sync`.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context as _, Result};
use indicatif::{ProgressBar, ProgressStyle};

use rearview::forge::collaborators::Collaborators;
use rearview::forge::SyncEvent;
use rearview::pipeline::sync as plan;

use super::{context, Global, SyncArgs};

pub fn sync(global: &Global, args: &SyncArgs) -> Result<ExitCode> {
    let mut ctx = context(global)?;
    let request = plan::Request {
        api: global.github_api.clone(),
        branches: args.branches.clone(),
        since: args.since.clone(),
        full: args.full,
        rest: args.rest,
    };
    let plan = plan::plan(&ctx.repo, &ctx.config, &request)?;
    let slug = plan.slug.clone();
    match &plan.token_source {
        Some(source) if global.verbose => eprintln!("rearview: GitHub token from {source}"),
        Some(_) => {}
        None => eprintln!(
            "rearview: no GitHub token (GITHUB_TOKEN, GH_TOKEN, `gh auth token`, github.token_command): \
             unauthenticated, GitHub allows 60 requests an hour"
        ),
    }

    let progress = Progress::new();
    let events: Arc<dyn Fn(SyncEvent) + Send + Sync> = {
        let progress = progress.clone();
        Arc::new(move |event| progress.show(event))
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().context("cannot start tokio")?;
    let store = &mut ctx.store;
    let config = ctx.config.clone();
    let outcome = runtime.block_on(async {
        tokio::select! {
            synced = plan::run(store, &config, plan, args.full, events) => synced.map(Some).map_err(anyhow::Error::from),
            _ = tokio::signal::ctrl_c() => Ok(None),
        }
    });
    progress.finish();
    let Some(plan::Synced { report, requests, not_modified, points, collaborators }) = outcome? else {
        eprintln!("rearview: interrupted: what was fetched is saved; run `rearview sync` again to resume");
        return Ok(ExitCode::from(130));
    };

    let branches: Vec<String> = report
        .branches
        .iter()
        .map(|b| if b.up_to_date { format!("{} up to date", b.branch) } else { format!("{} {}", b.branch, b.fetched) })
        .collect();
    let cost = match points {
        Some(points) => format!(
            "{requests} requests over GraphQL, {points} points{}",
            progress.points_text().map(|p| format!(" ({p} left)")).unwrap_or_default()
        ),
        None => format!(
            "{requests} requests ({not_modified} not modified){}",
            progress.rate_text().map(|r| format!(", rate limit {r}")).unwrap_or_default()
        ),
    };
    let collaborators = match collaborators {
        Collaborators::Saved { all, push } => format!("; {all} collaborators ({push} may push)"),
        Collaborators::Unchanged => "; collaborators unchanged".into(),
        Collaborators::NotReadable(_) => String::new(),
    };
    eprintln!(
        "rearview: synced {slug}: pull requests {}; {} commits looked up, {} referenced pull requests{collaborators}; {cost}",
        branches.join(", "),
        report.commits_checked,
        report.referenced,
    );
    Ok(ExitCode::SUCCESS)
}

/// The progress bar on stderr (drawn only on a terminal), plus one line
/// per branch when stderr is not one.
#[derive(Clone)]
struct Progress {
    bar: ProgressBar,
    rate: Arc<std::sync::Mutex<Option<(u64, u64)>>>,
    points: Arc<std::sync::Mutex<Option<(u64, u64)>>>,
    terminal: bool,
}

impl Progress {
    fn new() -> Progress {
        use std::io::IsTerminal;
        let bar = ProgressBar::new(0);
        let style = ProgressStyle::with_template("{prefix:>8} [{bar:30}] {pos}/{len} pull requests  {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        bar.set_style(style);
        Progress { bar, rate: Arc::default(), points: Arc::default(), terminal: std::io::stderr().is_terminal() }
    }

    fn show(&self, event: SyncEvent) {
        match event {
            SyncEvent::Branch { branch } => {
                self.bar.reset();
                self.bar.set_length(0);
                self.bar.set_prefix(rearview::render::sanitize::sanitize_line(&branch));
            }
            SyncEvent::Found { total, .. } => self.bar.set_length(total as u64),
            SyncEvent::Saved { done, .. } => self.bar.set_position(done as u64),
            SyncEvent::RateLimit { remaining, limit, .. } => {
                if let Ok(mut r) = self.rate.lock() {
                    *r = Some((remaining, limit));
                }
                self.bar.set_message(format!("rate limit {remaining}/{limit} left"));
            }
            SyncEvent::Points { used, remaining, limit, .. } => {
                if let Ok(mut p) = self.points.lock() {
                    *p = Some((remaining, limit));
                }
                self.bar.set_message(format!("GraphQL points: {used} used, {remaining}/{limit} left"));
            }
            SyncEvent::Notice { message } => {
                let line = rearview::render::sanitize::sanitize_line(&message);
                if self.terminal {
                    self.bar.println(format!("rearview: {line}"));
                } else {
                    eprintln!("rearview: {line}");
                }
            }
            SyncEvent::Waiting { seconds, reason } => {
                let line = format!("waiting {seconds:.1} s: {reason}");
                if self.terminal {
                    self.bar.set_message(line);
                } else {
                    eprintln!("rearview: {line}");
                }
            }
            SyncEvent::Linked { checked, total } => {
                self.bar.set_message(format!("commits looked up {checked}/{total}"))
            }
            SyncEvent::BranchDone { branch, fetched, up_to_date } => {
                let line = if up_to_date {
                    format!("{branch}: up to date")
                } else {
                    format!("{branch}: {fetched} pull requests fetched")
                };
                let line = rearview::render::sanitize::sanitize_line(&line);
                if self.terminal {
                    self.bar.println(line);
                } else {
                    eprintln!("rearview: {line}");
                }
            }
        }
    }

    fn rate_text(&self) -> Option<String> {
        let rate = self.rate.lock().ok().and_then(|r| *r)?;
        Some(format!("{}/{} left", rate.0, rate.1))
    }

    fn points_text(&self) -> Option<String> {
        let points = self.points.lock().ok().and_then(|p| *p)?;
        Some(format!("{}/{}", points.0, points.1))
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

//! `rearview sync`: the CLI's side of a sync (which repository, which
//! token, progress on stderr); the work is `forge::sync`.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context as _, Result};
use indicatif::{ProgressBar, ProgressStyle};

use rearview::forge::github::{GitHub, Settings};
use rearview::forge::remote::{self, RepoSlug};
use rearview::forge::{sync, token, SyncEvent};
use rearview::repo::{message, Repo};

use crate::{context, Global, SyncArgs};

/// How many first-parent commits per branch are checked for a pull request
/// that their message does not name.
const LINK_WINDOW: usize = 1000;

pub fn sync(global: &Global, args: &SyncArgs) -> Result<ExitCode> {
    let mut ctx = context(global)?;
    let config = &ctx.config;
    let api = global.github_api.clone().unwrap_or_else(|| config.github.api.clone());
    let api = api.trim_end_matches('/').to_string();
    let slug = repository(&ctx.repo, config.github.repository.as_deref(), &api)?;
    let host = remote::web_host(&api);
    let found = token::discover(&host, config.github.token_command.as_deref())?;
    match &found {
        Some((_, source)) if global.verbose => eprintln!("rearview: GitHub token from {source}"),
        Some(_) => {}
        None => eprintln!(
            "rearview: no GitHub token (GITHUB_TOKEN, GH_TOKEN, `gh auth token`, github.token_command): \
             unauthenticated, GitHub allows 60 requests an hour"
        ),
    }

    let default_branch = ctx.repo.default_branch(config.branches.default.as_deref())?;
    let branches = if args.branches.is_empty() {
        let mut watched: Vec<String> =
            ctx.repo.branch_names()?.into_iter().filter(|b| config.watches(b, &default_branch)).collect();
        watched.retain(|b| b != &default_branch);
        watched.insert(0, default_branch.clone());
        watched
    } else {
        args.branches.clone()
    };
    let since = match &args.since {
        Some(text) => Some(since(&ctx.repo, text)?),
        None => None,
    };
    let unclaimed = unclaimed_commits(&ctx.repo, &branches, &default_branch, since)?;

    let mut settings = Settings::new(&api, slug.clone(), found.map(|(t, _)| t));
    settings.concurrency = config.github.concurrency;
    settings.timeout = std::time::Duration::from_secs(config.github.timeout_secs);
    settings.backoff = std::time::Duration::from_millis(config.github.backoff_ms);
    let options = sync::Options {
        branches: branches.clone(),
        since,
        full: args.full,
        unclaimed,
        concurrency: config.github.concurrency * 2,
    };

    let progress = Progress::new();
    let events: Arc<dyn Fn(SyncEvent) + Send + Sync> = {
        let progress = progress.clone();
        Arc::new(move |event| progress.show(event))
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().context("cannot start tokio")?;
    let store = &mut ctx.store;
    let config = ctx.config.clone();
    let outcome = runtime.block_on(async {
        let github = GitHub::new(settings, events.clone())?;
        let repo_key = format!("/repos/{slug}");
        let etag = if args.full { None } else { store.etag(&repo_key)? };
        if let Some(tag) = github.check_repository(etag.as_deref()).await? {
            store.save_etag(&repo_key, &tag)?;
        }
        let work = sync::run(&github, store, &config, &options, &*events);
        tokio::select! {
            report = work => report.map(|r| Some((r, github.stats))).map_err(anyhow::Error::from),
            _ = tokio::signal::ctrl_c() => Ok(None),
        }
    });
    progress.finish();
    let Some((report, stats)) = outcome? else {
        eprintln!("rearview: interrupted: what was fetched is saved; run `rearview sync` again to resume");
        return Ok(ExitCode::from(130));
    };

    let branches: Vec<String> = report
        .branches
        .iter()
        .map(|b| if b.up_to_date { format!("{} up to date", b.branch) } else { format!("{} {}", b.branch, b.fetched) })
        .collect();
    let requests = stats.requests.load(std::sync::atomic::Ordering::Relaxed);
    let not_modified = stats.not_modified.load(std::sync::atomic::Ordering::Relaxed);
    eprintln!(
        "rearview: synced {slug}: pull requests {}; {} commits looked up, {} referenced pull requests; \
         {requests} requests ({not_modified} not modified){}",
        branches.join(", "),
        report.commits_checked,
        report.referenced,
        progress.rate_text().map(|r| format!(", rate limit {r}")).unwrap_or_default()
    );
    Ok(ExitCode::SUCCESS)
}

/// `owner/name`: from config, else from the tracked remote's URL.
fn repository(repo: &Repo, configured: Option<&str>, api: &str) -> Result<RepoSlug> {
    if let Some(text) = configured {
        return RepoSlug::parse(text).with_context(|| format!("github.repository `{text}` is not `owner/name`"));
    }
    let host = remote::web_host(api);
    let Some((name, url)) = repo.tracked_remote() else {
        bail!(
            "the repository has no `upstream` or `origin` remote: set github.repository = \"owner/name\" in the config"
        );
    };
    match remote::slug_from_remote(&url, &host) {
        Some(slug) => Ok(slug),
        None => bail!(
            "remote `{name}` ({}) is not on {host}: set github.repository = \"owner/name\" in the config, or --github-api",
            remote::redact(&url)
        ),
    }
}

/// `--since`: a date, or a revision whose commit time is used.
fn since(repo: &Repo, text: &str) -> Result<i64> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(t.timestamp());
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(d.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp()).unwrap_or(0));
    }
    let oid = repo.resolve(text).with_context(|| format!("--since `{text}` is neither a date nor a revision"))?;
    let commit = repo.commit(&oid.to_string())?.with_context(|| format!("--since `{text}`: no such commit"))?;
    Ok(commit.time)
}

/// First-parent commits (the newest per branch) whose message names no
/// pull request: GitHub may still know one.
fn unclaimed_commits(
    repo: &Repo,
    branches: &[String],
    default_branch: &str,
    since: Option<i64>,
) -> Result<Vec<String>> {
    let mut shas = Vec::new();
    for branch in branches {
        let range = repo.branch_range(branch, default_branch)?;
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

/// The progress bar on stderr (drawn only on a terminal), plus one line
/// per branch when stderr is not one.
#[derive(Clone)]
struct Progress {
    bar: ProgressBar,
    rate: Arc<std::sync::Mutex<Option<(u64, u64)>>>,
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
        Progress { bar, rate: Arc::default(), terminal: std::io::stderr().is_terminal() }
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

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

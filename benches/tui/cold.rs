//! The cold start, as a reader meets it: a fresh store, no snapshot, the
//! app and the real background jobs, the event loop's turns (reports, a
//! tick every 100 ms, a frame after each turn) until the full build (file
//! lists and content scans) is in. Against the targets:
//!
//! - the first queue screen drawn within 1 s;
//! - the selected change unchanged after the scans finish;
//! - peak memory (VmHWM) under 400 MiB.
//!
//! Memory is the peak of a process that does only this: the bench runs
//! itself again as a child (`cold-run REPO DB`), so the generated
//! history's build does not count.
//!
//! `cargo bench --bench tui -- cold` generates a 100,000-commit history;
//! `cargo bench --bench tui -- cold /path/to/repo` measures a real clone
//! (each with a fresh store in a temporary directory).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ratatui::backend::TestBackend;
use ratatui::Terminal;

use rearview::jobs::{JobContext, Jobs, QueueDepth, Report};
use rearview::tui::app::{Effect, Msg};
use rearview::tui::view;

use super::bigrepo;

/// The child's first argument.
pub const CHILD: &str = "cold-run";

/// Main-line commits of the generated history.
const COMMITS: usize = 100_000;
/// Give up waiting for the full build after this long.
const PATIENCE: Duration = Duration::from_secs(900);

/// The cold case on a generated history, then on each of `repos`.
pub fn run(repos: &[PathBuf]) {
    let dir = tempfile::tempdir().expect("temp dir");
    if repos.is_empty() {
        let started = Instant::now();
        let spec = bigrepo::BigRepoSpec {
            main_commits: COMMITS,
            branches: vec![
                bigrepo::BranchSpec { name: "3.13".into(), fork_at: COMMITS - 3_000, commits: 600 },
                bigrepo::BranchSpec { name: "3.14".into(), fork_at: COMMITS - 1_000, commits: 400 },
            ],
            ..bigrepo::BigRepoSpec::default()
        };
        let big = bigrepo::build(&dir.path().join("big"), &spec);
        println!(
            "fixture: {} main-line commits, 2 maintenance branches, built in {:.1} s",
            big.main.commits,
            started.elapsed().as_secs_f64()
        );
        child(&big.path, &dir.path().join("big.sqlite3"), "generated 100k");
    }
    for (n, repo) in repos.iter().enumerate() {
        child(repo, &dir.path().join(format!("store-{n}.sqlite3")), &repo.display().to_string());
    }
}

/// Runs the measurement in a process of its own and passes its lines on.
fn child(repo: &Path, db: &Path, name: &str) {
    println!("\ncold start on {name} (fresh store {})", db.display());
    let exe = std::env::current_exe().expect("the bench's own path");
    let status = std::process::Command::new(exe).arg(CHILD).arg(repo).arg(db).status().expect("run the cold child");
    assert!(status.success(), "the cold child failed on {name}: {status}");
}

/// The child: one cold start, measured.
pub fn measure(repo: PathBuf, db: PathBuf) {
    let ctx = JobContext {
        repo,
        db,
        config: rearview::config::Config::default(),
        github_api: None,
        theme: rearview::render::theme::Theme::default(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let (tx, mut reports) = tokio::sync::mpsc::unbounded_channel::<Report>();
    let jobs = Jobs::new(ctx, tx, runtime.handle().clone());
    let mut app = super::new_app();
    let mut terminal = Terminal::new(TestBackend::new(super::WIDTH, super::HEIGHT)).expect("test terminal");
    app.update(Msg::Tick(chrono::Utc::now().timestamp()));

    let t0 = Instant::now();
    let mut pending = app.start();
    let mut first: Option<(Duration, Option<String>, usize)> = None;
    let mut notes: Vec<String> = Vec::new();
    let mut last_tick = Instant::now();
    let full = loop {
        for effect in pending.drain(..) {
            if let Effect::Job(job) = effect {
                jobs.submit(job);
            }
        }
        terminal.draw(|f| view::draw(f, &app)).expect("draw");
        if let Some(note) = app.notice.as_ref().map(|n| n.text.clone()) {
            if notes.last() != Some(&note) {
                notes.push(note);
            }
        }
        if let Some(data) = app.data() {
            if first.is_none() {
                let sha = app.selected().map(|c| c.sha.clone());
                first = Some((t0.elapsed(), sha, data.queue.changes.len()));
            }
            if data.depth == QueueDepth::Files && !data.cached {
                break t0.elapsed();
            }
        }
        assert!(t0.elapsed() < PATIENCE, "the full build took over {PATIENCE:?}");
        let wait = Duration::from_millis(100).saturating_sub(last_tick.elapsed());
        let report = runtime.block_on(async { tokio::time::timeout(wait, reports.recv()).await });
        pending = match report {
            Ok(Some(report)) => app.update(Msg::Report(Box::new(report))),
            Ok(None) => panic!("the jobs' channel closed"),
            Err(_) => {
                last_tick = Instant::now();
                app.update(Msg::Tick(chrono::Utc::now().timestamp()))
            }
        };
        while let Ok(report) = reports.try_recv() {
            pending.extend(app.update(Msg::Report(Box::new(report))));
        }
    };
    let (first_at, first_sha, first_changes) = first.expect("a first screen");
    let data = app.data().expect("the full queue");
    let last_sha = app.selected().map(|c| c.sha.clone());
    let window = match &data.window {
        Some(w) => w.label.clone(),
        None => "whole history (no release tag)".into(),
    };
    let peak = peak_memory_kib();
    let verdict = |ok: bool| if ok { "ok" } else { "MISSED" };
    let first_ms = first_at.as_secs_f64() * 1e3;
    let peak_mib = peak.map(|k| k as f64 / 1024.0);
    println!(
        "  window: {window}; {first_changes} changes on the first screen, {} after the scans",
        data.queue.changes.len()
    );
    println!("  first queue screen drawn: {first_ms:.0} ms (target ≤ 1000 {})", verdict(first_ms <= 1000.0));
    println!("  full build (patch-ids, files, scans) in: {:.1} s", full.as_secs_f64());
    let short = |s: &Option<String>| s.as_deref().map(rearview::model::short_sha).unwrap_or("none").to_string();
    println!(
        "  selection after the scans: {} (first {}, last {}; {})",
        if first_sha == last_sha { "unchanged" } else { "CHANGED" },
        short(&first_sha),
        short(&last_sha),
        verdict(first_sha == last_sha)
    );
    match peak_mib {
        Some(mib) => println!("  peak memory (VmHWM): {mib:.0} MiB (target < 400 {})", verdict(mib < 400.0)),
        None => println!("  peak memory: unknown (no /proc/self/status)"),
    }
    if !notes.is_empty() {
        println!("  status notes: {}", notes.join(" | "));
    }
    drop(jobs);
    runtime.shutdown_timeout(Duration::from_secs(1));
}

/// This process's peak resident memory in KiB (Linux).
fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

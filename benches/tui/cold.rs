//! The cold start, as a reader meets it: a fresh store, no snapshot, the
//! app and the real background jobs, the event loop's turns (reports, a
//! tick every 100 ms, a frame after each turn) until the full build (file
//! lists and content scans) is in. Against the targets:
//!
//! - the first queue screen drawn within 1 s;
//! - the selected change unchanged after the scans finish;
//! - peak memory (VmHWM) under 400 MiB.
//!
//! Then the reader presses `H` (where there is a window): the whole
//! history's first screen, its full build, and the peak memory after it.
//!
//! Memory is the peak of a process that does only this: the bench runs
//! itself again as a child (`cold-run REPO DB`), so the generated
//! history's build does not count.
//!
//! `cargo bench --bench tui -- cold` generates a 100,000-commit history;
//! `cargo bench --bench tui -- cold /path/to/repo` measures a real clone
//! (each with a fresh store in a temporary directory). `REARVIEW_BENCH_LOG=1`
//! prints each queue build's stages on stderr.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ratatui::backend::TestBackend;
use ratatui::Terminal;

use rearview::jobs::{JobContext, Jobs, QueueDepth, Report};
use rearview::tui::app::{App, Effect, Msg};
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
    // `REARVIEW_BENCH_LOG=1`: the jobs' timings (stages of each queue build) on stderr.
    if std::env::var_os("REARVIEW_BENCH_LOG").is_some() {
        let subscriber =
            tracing_subscriber::fmt().with_writer(std::io::stderr).with_max_level(tracing::Level::DEBUG).finish();
        let _ = tracing::subscriber::set_global_default(subscriber);
    }
    let ctx = JobContext {
        repo,
        db,
        config: rearview::config::Config::default(),
        github_api: None,
        theme: rearview::render::theme::Theme::default(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let (tx, reports) = tokio::sync::mpsc::unbounded_channel::<Report>();
    let jobs = Jobs::new(ctx, tx, runtime.handle().clone());
    let mut app = super::new_app();
    app.update(Msg::Tick(chrono::Utc::now().timestamp()));
    let terminal = Terminal::new(TestBackend::new(super::WIDTH, super::HEIGHT)).expect("test terminal");
    let mut turns = Turns { runtime: &runtime, jobs: &jobs, reports, terminal, notes: Vec::new() };

    let t0 = Instant::now();
    let pending = app.start();
    let (first_at, first_sha, first_changes) = turns.until(&mut app, pending, t0, |app| app.data().is_some());
    let full = turns
        .until(&mut app, Vec::new(), t0, |app| app.data().is_some_and(|d| d.depth == QueueDepth::Files && !d.cached))
        .0;
    let data = app.data().expect("the full queue");
    let last_sha = app.selected().map(|c| c.sha.clone());
    let window = match &data.window {
        Some(w) => w.label.clone(),
        None => "whole history (no release tag)".into(),
    };
    let peak = peak_memory_kib();
    let verdict = |ok: bool| if ok { "ok" } else { "MISSED" };
    let first_ms = first_at.as_secs_f64() * 1e3;
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
    match peak {
        Some(kib) => {
            let mib = kib as f64 / 1024.0;
            println!("  peak memory (VmHWM): {mib:.0} MiB (target < 400 {})", verdict(mib < 400.0));
        }
        None => println!("  peak memory: unknown (no /proc/self/status)"),
    }
    if !turns.notes.is_empty() {
        println!("  status notes: {}", turns.notes.join(" | "));
    }

    // The reader widens to the whole history (H), where there is a window.
    if data.window.is_some() {
        let changes = data.queue.changes.len();
        let t1 = Instant::now();
        let pending = app
            .update(Msg::Key(super::key(crossterm::event::KeyCode::Char('H'), crossterm::event::KeyModifiers::NONE)));
        let (shown, _, first_changes) = turns.until(&mut app, pending, t1, |app| app.data().is_some_and(|d| d.whole));
        let whole = turns
            .until(&mut app, Vec::new(), t1, |app| app.data().is_some_and(|d| d.whole && d.depth == QueueDepth::Files))
            .0;
        let kept = app.selected().map(|c| c.sha.clone()) == last_sha;
        println!(
            "  H (whole history): first screen {:.0} ms ({first_changes} changes, window had {changes}), full build {:.1} s, selection {}, peak memory now {} MiB",
            shown.as_secs_f64() * 1e3,
            whole.as_secs_f64(),
            if kept { "kept" } else { "not kept" },
            peak_memory_kib().map_or("?".into(), |k| format!("{:.0}", k as f64 / 1024.0)),
        );
    }
    drop(turns);
    drop(jobs);
    runtime.shutdown_timeout(Duration::from_secs(1));
}

/// The event loop's turns, as `tui::event_loop` takes them: effects out,
/// a frame, then a report or (every 100 ms) a tick, and the reports that
/// came meanwhile.
struct Turns<'a> {
    runtime: &'a tokio::runtime::Runtime,
    jobs: &'a Jobs,
    reports: tokio::sync::mpsc::UnboundedReceiver<Report>,
    terminal: Terminal<TestBackend>,
    /// The status line's notes, in order.
    notes: Vec<String>,
}

impl Turns<'_> {
    /// Turns until a frame is drawn with `done` holding: how long since
    /// `t0`, the change selected then, and how many changes the queue held.
    fn until(
        &mut self,
        app: &mut App,
        mut pending: Vec<Effect>,
        t0: Instant,
        done: impl Fn(&App) -> bool,
    ) -> (Duration, Option<String>, usize) {
        let mut last_tick = Instant::now();
        loop {
            for effect in pending.drain(..) {
                if let Effect::Job(job) = effect {
                    self.jobs.submit(job);
                }
            }
            self.terminal.draw(|f| view::draw(f, app)).expect("draw");
            if let Some(note) = app.notice.as_ref().map(|n| n.text.clone()) {
                if self.notes.last() != Some(&note) {
                    self.notes.push(note);
                }
            }
            if done(app) {
                let sha = app.selected().map(|c| c.sha.clone());
                return (t0.elapsed(), sha, app.data().map_or(0, |d| d.queue.changes.len()));
            }
            assert!(t0.elapsed() < PATIENCE, "no screen in {PATIENCE:?}");
            let wait = Duration::from_millis(100).saturating_sub(last_tick.elapsed());
            let reports = &mut self.reports;
            let report = self.runtime.block_on(async { tokio::time::timeout(wait, reports.recv()).await });
            pending = match report {
                Ok(Some(report)) => app.update(Msg::Report(Box::new(report))),
                Ok(None) => panic!("the jobs' channel closed"),
                Err(_) => {
                    last_tick = Instant::now();
                    app.update(Msg::Tick(chrono::Utc::now().timestamp()))
                }
            };
            while let Ok(report) = self.reports.try_recv() {
                pending.extend(app.update(Msg::Report(Box::new(report))));
            }
        }
    }
}

/// This process's peak resident memory in KiB (Linux).
fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

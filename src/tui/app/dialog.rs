//! Overlays and the actions they start: the help, one-line inputs, the
//! filter dialog, the approve/concern dialog, recording an action and
//! pushing the outbox, and starting a sync.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::state::STATUS_CHOICES;
use super::{ActionKind, App, Effect, Filter, InputKind, Overlay, SyncState, FILTER_FIELDS};
use crate::jobs::Request;
use crate::model::ChangeKind;

impl App {
    pub(super) fn start_sync(&mut self) -> Vec<Effect> {
        if matches!(self.sync, SyncState::Running { .. }) {
            self.notify("a sync is already running", false);
            return Vec::new();
        }
        self.sync = SyncState::Running { branch: String::new(), done: 0, total: 0, note: "starting".into() };
        let (id, effect) = self.job(Request::Sync);
        self.sync_job = id;
        vec![effect]
    }

    pub(super) fn open_action(&mut self, kind: ActionKind) {
        match self.current_change() {
            Some(change) => {
                let sha = change.sha.clone();
                self.overlay = Some(Overlay::ActionDialog { kind, sha, text: String::new() });
            }
            None => self.notify("no change selected", true),
        }
    }

    pub(super) fn overlay_key(&mut self, event: KeyEvent) -> Vec<Effect> {
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
                    // Down stops where the last line shows.
                    let area = ratatui::layout::Rect::new(0, 0, self.width, self.height);
                    let scroll = scroll.min(crate::tui::help::Help::new(&self.help_lines(), area).max_scroll());
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
                        if let Some(why) = self.not_independent(kind, &sha) {
                            self.notify(format!("not recorded, it would not count: {why}"), true);
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

    /// Why an approval of `sha` from here would not count (the reviewer is
    /// one of its authors or its committer); the dialog warns, enter refuses.
    pub fn not_independent(&self, kind: ActionKind, sha: &str) -> Option<String> {
        let data = self.data()?;
        let who = data.reviewer.as_deref()?;
        let change = data.queue.changes.iter().find(|c| c.sha == sha)?;
        (kind == ActionKind::Approve)
            .then(|| crate::model::independence::not_independent(&change.parties, who, &data.reviewer_email))
            .flatten()
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

    pub(super) fn push_outbox(&mut self) -> Effect {
        let (id, effect) = self.job(Request::PushOutbox);
        self.push_job = id;
        self.pushed_once = true;
        effect
    }

    fn input_changed(&mut self, kind: InputKind, text: &str) {
        if kind == InputKind::QueueSearch {
            self.view.search = text.to_string();
            self.filter_changed();
        }
    }

    fn commit_input(&mut self, kind: InputKind, text: String) -> Vec<Effect> {
        match kind {
            InputKind::QueueSearch => {
                self.view.search = text;
                self.refilter();
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
                self.filter_changed();
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
}

fn cycle_field(draft: &mut Filter, field: usize, forward: bool, branches: &[String]) {
    fn step<T: Clone + PartialEq>(choices: &[T], current: &T, forward: bool) -> T {
        let at = choices.iter().position(|c| c == current).unwrap_or(0);
        let n = choices.len().max(1);
        let next = if forward { (at + 1) % n } else { (at + n - 1) % n };
        choices.get(next).cloned().unwrap_or_else(|| current.clone())
    }
    match field {
        0 => draft.status = step(&STATUS_CHOICES, &draft.status, forward),
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

//! `update` for the diff and hex screens: asking for a diff laid out for
//! the terminal, scrolling and jumping in it, and opening a binary file's
//! bytes.

use super::{App, Effect, Focus, InputKind, Overlay, Screen};
use crate::jobs::Request;
use crate::tui::doc::{DiffDoc, HexDoc};
use crate::tui::keymap::Action;

impl App {
    /// Starts (or reuses) the selected change's diff; `None` if it is
    /// already there or on its way.
    pub(super) fn request_diff(&mut self) -> Option<Effect> {
        let sha = match self.screen {
            Screen::Queue => self.selected()?.sha.clone(),
            _ => self.diff.as_ref()?.sha.clone(),
        };
        self.request_diff_of(sha)
    }

    /// [`App::request_diff`] of the change `sha`.
    pub(super) fn request_diff_of(&mut self, sha: String) -> Option<Effect> {
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

    pub(super) fn open_diff(&mut self) -> Vec<Effect> {
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

    pub(super) fn diff_action(&mut self, action: Action) -> Vec<Effect> {
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
                    self.screen = self.diff_from;
                    self.diff_from = Screen::Queue;
                    self.focus = Focus::Main;
                }
            }
            _ => {}
        }
        Vec::new()
    }

    // ----- hex -----------------------------------------------------------

    pub(super) fn hex_of_selected(&mut self) -> Vec<Effect> {
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
    pub(super) fn try_pending_hex(&mut self) -> Vec<Effect> {
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
        // A text file opens at the line cut in view, which the diff shows
        // only in part.
        let cut = match (&self.diff, file.info.binary) {
            (Some(doc), false) => doc.cut_line(index, self.body_rows()),
            _ => None,
        };
        let info = file.info.clone();
        let old = info.old_blob.clone().filter(|_| info.status != crate::model::FileStatus::Added);
        let new = info.new_blob.clone().filter(|_| info.status != crate::model::FileStatus::Deleted);
        let (id, effect) = self.job(Request::Hex { path: info.path.clone(), old_blob: old, new_blob: new });
        self.hex_job = id;
        let mut hex = HexDoc::loading(info.path);
        hex.open_at_line = cut.map(|cut| (cut.old, cut.line));
        self.hex = Some(hex);
        self.hex_from = if std::mem::take(&mut self.hex_back_to_queue) { Screen::Queue } else { Screen::Diff };
        self.screen = Screen::Hex;
        vec![effect]
    }

    pub(super) fn hex_action(&mut self, action: Action) -> Vec<Effect> {
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
            // The first page came before the scan: nothing to say yet of
            // the other side, the findings or the stream.
            Action::SwitchSide | Action::NextMatch | Action::PrevMatch | Action::FirstFinding | Action::Decompress
                if hex.partial =>
            {
                self.notify("still reading and scanning the blob…", false);
            }
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
            Action::Decompress => {
                let key = self.keymap.hint(Action::Decompress);
                let text = match hex.toggle_decompressed() {
                    Some(side) => match &side.stream {
                        Some(stream) => format!("decompressed: {stream} ({key}: the raw blob)"),
                        None => format!("the raw blob ({key}: what it decompresses to)"),
                    },
                    None => "not a compressed stream (gzip, xz, lzma, bzip2, zstd): nothing to decompress".to_string(),
                };
                self.notify(text, false);
            }
            Action::Goto => self.overlay = Some(Overlay::Input { kind: InputKind::Goto, text: String::new() }),
            Action::Back => self.screen = self.hex_from,
            _ => {}
        }
        Vec::new()
    }
}

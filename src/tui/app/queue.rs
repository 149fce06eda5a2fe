//! `update` for the queue screen: moving the selection, scrolling the
//! detail pane, and filtering, searching and sorting the list.

use super::helpers::parse_time;
use super::search::Search;
use super::{App, Effect, Focus, InputKind, Loading, Overlay, SortKey};
use crate::jobs::{QueueData, QueueDepth};
use crate::tui::keymap::Action;

impl App {
    pub(super) fn queue_action(&mut self, action: Action) -> Vec<Effect> {
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
                if !self.view.search.is_empty() {
                    self.view.search.clear();
                    self.filter_changed();
                }
                self.overlay = Some(Overlay::Input { kind: InputKind::QueueSearch, text: String::new() });
            }
            (Action::Sort, _) => {
                self.view.sort = self.view.sort.next();
                self.refilter();
                self.notify(format!("sorted by {}", self.view.sort.label()), false);
            }
            (Action::History, _) => return self.toggle_history(),
            (Action::Hex, _) => return self.hex_of_selected(),
            (Action::Release, _) => return self.open_release(),
            (Action::People, _) => return self.open_people(),
            (Action::Trends, _) => return self.open_trends(),
            (Action::Binaries, _) => return self.open_binaries(),
            _ => {}
        }
        Vec::new()
    }

    /// The whole history, or back to the window: the queue is built again
    /// for it (a quick first screen, then the full build), the selected
    /// change kept when the new queue holds it.
    fn toggle_history(&mut self) -> Vec<Effect> {
        let Some(data) = self.data() else { return Vec::new() };
        let Some(window) = data.window.clone() else {
            self.notify("the queue already shows the whole history (no release tag; queue.since narrows it)", false);
            return Vec::new();
        };
        self.whole = !self.whole;
        let key = self.keymap.hint(Action::History);
        if self.whole {
            self.notify(format!("reading the whole history… ({key}: back to {})", window.label), false);
        } else {
            self.notify(format!("back to the changes {} ({key}: whole history)", window.label), false);
        }
        if let Some(sha) = self.selected().map(|c| c.sha.clone()) {
            self.restore = Some(sha);
        }
        // What is shown stays until the new queue's first screen replaces it.
        let (id, effect) = self.job(crate::jobs::Request::Queue { depth: QueueDepth::First, whole: self.whole });
        self.queue_job = id;
        self.full_job = 0;
        vec![effect]
    }

    /// Shows a queue that arrived in place of what was shown: the selected
    /// change stays selected, on the same row of the screen when it can;
    /// when the order under the reader changed, the status line says it was
    /// re-sorted.
    pub(super) fn show_queue(&mut self, data: QueueData) {
        let rows = self.list_rows().max(1);
        // The changes on the screen before, top to bottom.
        let before: Vec<String> = match &self.queue {
            Loading::Loaded(old) => {
                let shown = self.view.visible.iter().skip(self.view.offset).take(rows);
                shown.map(|&i| old.queue.changes[i].sha.clone()).collect()
            }
            _ => Vec::new(),
        };
        let row = self.view.selected.saturating_sub(self.view.offset);
        let was_at = self.view.selected;
        let deeper = matches!(&self.queue, Loading::Loaded(old) if old.depth < data.depth);
        // The session's (or the history toggle's) change first, else the one selected.
        let keep = self.restore.clone().or_else(|| self.selected().map(|c| c.sha.clone()));
        self.times = data.queue.changes.iter().map(|c| parse_time(&c.merged_at)).collect();
        self.queue = Loading::Loaded(data);
        let kept = self.refilter_keeping(keep);
        if before.is_empty() {
            return;
        }
        match kept {
            Some(at) => self.view.offset = at.saturating_sub(row),
            // The change left the list (its verdict changed under the
            // filter): the row where it was.
            None => self.view.selected = was_at.min(self.view.visible.len().saturating_sub(1)),
        }
        self.clamp_offset();
        let Some(data) = self.data() else { return };
        let changes = &data.queue.changes;
        let after = self.view.visible.iter().skip(self.view.offset).take(rows);
        // Only what moved under the reader's eye is news.
        let moved = before.len() != after.len() || after.zip(&before).any(|(&i, sha)| changes[i].sha != *sha);
        if moved {
            let why = if deeper { "risk signals in" } else { "queue rebuilt" };
            let note = match kept {
                Some(_) => format!("re-sorted ({why}); selection kept · {}: top", self.keymap.hint(Action::Top)),
                None => format!("re-sorted ({why}); the selected change left this filter"),
            };
            // Said beside what the status line already says (a sync's summary).
            let (note, error) = match self.notice.take() {
                Some(old) => (format!("{} · {note}", old.text), old.error),
                None => (note, false),
            };
            self.notify(note, error);
        }
    }

    fn move_selection(&mut self, by: isize) {
        let len = self.view.visible.len();
        if len == 0 {
            return;
        }
        let to = (self.view.selected as isize).saturating_add(by).clamp(0, len as isize - 1) as usize;
        if to != self.view.selected {
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

    pub(super) fn clamp_offset(&mut self) {
        let rows = self.list_rows().max(1);
        let v = &mut self.view;
        if v.selected < v.offset {
            v.offset = v.selected;
        } else if v.selected >= v.offset + rows {
            v.offset = v.selected + 1 - rows;
        }
    }

    /// The reader changed the filter or the search: the list starts over
    /// at its first row (a search's best match), scrolled to the top.
    pub(super) fn filter_changed(&mut self) {
        self.restore = None;
        self.refilter();
        self.view.selected = 0;
        self.view.offset = 0;
        self.detail_scroll = 0;
    }

    /// Recomputes the visible list, keeping the selected change if it stays.
    pub(super) fn refilter(&mut self) {
        let keep = self.restore.clone().or_else(|| self.selected().map(|c| c.sha.clone()));
        self.refilter_keeping(keep);
    }

    /// Recomputes the visible list with the change `keep` selected if it
    /// stays (else the first row); where it is now, if it stayed.
    fn refilter_keeping(&mut self, keep: Option<String>) -> Option<usize> {
        let Loading::Loaded(data) = &self.queue else { return None };
        let changes = &data.queue.changes;
        let mut visible: Vec<usize> = (0..changes.len()).filter(|&i| self.view.filter.accepts(&changes[i])).collect();
        let times = &self.times;
        // An unknown time sorts as the oldest.
        let time = |i: usize| times.get(i).copied().flatten();
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
        if let Some(mut search) = Search::new(&self.view.search) {
            // The best matches first; equal ones keep the order above.
            let mut ranked: Vec<_> =
                visible.iter().filter_map(|&i| search.rank(&changes[i]).map(|quality| (quality, i))).collect();
            ranked.sort_by_key(|&(quality, _)| quality);
            visible = ranked.into_iter().map(|(_, i)| i).collect();
        }
        let kept = keep.and_then(|sha| visible.iter().position(|&i| changes[i].sha == sha));
        let selected = kept.unwrap_or(0);
        let moved = self.view.visible.get(self.view.selected) != visible.get(selected);
        self.view.visible = visible;
        self.view.selected = selected;
        self.view.offset = self.view.offset.min(selected);
        self.clamp_offset();
        if moved {
            self.selection_moved();
        }
        kept
    }
}

#[cfg(test)]
mod tests {
    use super::super::{App, Effect, Msg, Session};
    use crate::jobs::{Job, QueueData, QueueDepth, Reply, Report, Request};
    use crate::model::{sample, Queue};
    use crate::render::theme::Theme;
    use crate::tui::keymap::Keymap;
    use crate::tui::style::Styles;

    /// Changes `a`…`e` with these risk scores, at `depth`.
    fn queue(scores: [u32; 5], depth: QueueDepth) -> QueueData {
        let changes = ["a", "b", "c", "d", "e"]
            .iter()
            .zip(scores)
            .enumerate()
            .map(|(n, (name, score))| {
                let mut c = sample::change();
                c.sha = name.repeat(40);
                c.title = format!("change {name}");
                c.merged_at = format!("2024-01-0{}T00:00:00Z", n + 1);
                c.score = score;
                c
            })
            .collect();
        QueueData {
            queue: Queue { changes },
            repo_name: "project".into(),
            default_branch: "main".into(),
            branches: vec!["main".into()],
            since: Default::default(),
            cut: Vec::new(),
            limit: 10_000,
            shallow: None,
            web: None,
            outbox: 0,
            with_files: depth == QueueDepth::Files,
            depth,
            window: None,
            whole: false,
            reviewer: None,
            reviewer_email: String::new(),
            cached: false,
            took: std::time::Duration::ZERO,
        }
    }

    fn report(app: &mut App, id: u64, data: QueueData) -> Vec<Effect> {
        app.update(Msg::Report(Box::new(Report { id, reply: Reply::Queue(Ok(data)) })))
    }

    fn queue_job(effects: &[Effect]) -> u64 {
        effects
            .iter()
            .find_map(|e| match e {
                Effect::Job(Job { id, request: Request::Queue { .. } }) => Some(*id),
                _ => None,
            })
            .expect("a queue job")
    }

    fn selected_title(app: &App) -> String {
        app.selected().map(|c| c.title.clone()).unwrap_or_default()
    }

    #[test]
    fn a_re_sort_keeps_the_selected_change_and_notes_it() {
        let mut app = App::new(Keymap::default(), Styles::new(Theme::default(), false), Session::default(), false);
        app.update(Msg::Resize(160, 48));
        let first = queue_job(&app.start());
        let full = queue_job(&report(&mut app, first, queue([0, 0, 0, 0, 0], QueueDepth::First)));
        // Newest first while no scores differ: e d c b a; the reader picks c.
        app.act(crate::tui::keymap::Action::Down);
        app.act(crate::tui::keymap::Action::Down);
        assert_eq!(selected_title(&app), "change c");
        assert!(app.notice.is_none());

        report(&mut app, full, queue([5, 0, 0, 9, 0], QueueDepth::Files));
        let order: Vec<String> = app.view.visible.iter().map(|&i| format!("{i}")).collect();
        assert_eq!(order, ["3", "0", "4", "2", "1"], "d a e c b: riskiest first");
        assert_eq!(selected_title(&app), "change c", "the same change, at its new place");
        assert_eq!(app.view.selected, 3);
        let note = app.notice.as_ref().map(|n| n.text.clone()).unwrap_or_default();
        assert!(note.starts_with("re-sorted") && note.contains("selection kept"), "{note}");
    }

    #[test]
    fn a_rebuild_that_moves_nothing_says_nothing() {
        let mut app = App::new(Keymap::default(), Styles::new(Theme::default(), false), Session::default(), false);
        app.update(Msg::Resize(160, 48));
        let first = queue_job(&app.start());
        let full = queue_job(&report(&mut app, first, queue([1, 2, 3, 4, 5], QueueDepth::First)));
        app.act(crate::tui::keymap::Action::Down);
        report(&mut app, full, queue([1, 2, 3, 4, 5], QueueDepth::Files));
        assert_eq!(selected_title(&app), "change d");
        assert!(app.notice.is_none(), "{:?}", app.notice);
    }
}

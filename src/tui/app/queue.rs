//! `update` for the queue screen: moving the selection, scrolling the
//! detail pane, and filtering, searching and sorting the list.

use super::search::Search;
use super::{App, Effect, Focus, InputKind, Loading, Overlay, SortKey};
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
        self.chosen = false;
        self.refilter();
        self.view.selected = 0;
        self.view.offset = 0;
        self.detail_scroll = 0;
    }

    /// Recomputes the visible list, keeping the selected change if it stays.
    pub(super) fn refilter(&mut self) {
        let keep = match &self.restore {
            Some(sha) => Some(sha.clone()),
            None if self.chosen => self.selected().map(|c| c.sha.clone()),
            None => None,
        };
        let Loading::Loaded(data) = &self.queue else { return };
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
}

//! `update` for the trends screen: review debt per month (a chart per
//! branch, cycled with `]`/`[`), per area (a sparkline each, moved through
//! with `j`/`k`) and the coverage's top concerns.

use super::people::move_cursor;
use super::{App, Effect, Screen};
use crate::jobs::{Request, TrendsData};
use crate::tui::keymap::Action;

/// The trends screen: the data as it arrived, the branch charted and the
/// selected area.
#[derive(Debug, Default)]
pub struct TrendsDoc {
    pub data: Option<Result<TrendsData, String>>,
    /// Index into the trends' branches.
    pub branch: usize,
    /// Index into the trends' areas.
    pub selected: usize,
}

impl TrendsDoc {
    pub fn trends(&self) -> Option<&TrendsData> {
        self.data.as_ref().and_then(|d| d.as_ref().ok())
    }
}

impl App {
    /// Opens the trends screen; its data is read again each time (a sync
    /// or an approval may have moved it), what was shown staying until then.
    pub(super) fn open_trends(&mut self) -> Vec<Effect> {
        let (id, effect) = self.job(Request::Trends);
        self.trends_job = id;
        self.trends.get_or_insert_with(TrendsDoc::default);
        self.screen = Screen::Trends;
        vec![effect]
    }

    pub(super) fn trends_arrived(&mut self, result: Result<TrendsData, String>) {
        let doc = self.trends.get_or_insert_with(TrendsDoc::default);
        // The same branch stays charted when it is still there.
        let branch = doc.trends().and_then(|d| d.trends.branches.get(doc.branch)).map(|s| s.name.clone());
        doc.data = Some(result);
        let (branches, areas) = doc.trends().map_or((0, 0), |d| (d.trends.branches.len(), d.trends.areas.len()));
        doc.branch = match (branch, doc.trends()) {
            (Some(name), Some(d)) => d.trends.branches.iter().position(|s| s.name == name).unwrap_or(0),
            _ => 0,
        }
        .min(branches.saturating_sub(1));
        doc.selected = doc.selected.min(areas.saturating_sub(1));
    }

    pub(super) fn trends_action(&mut self, action: Action) -> Vec<Effect> {
        let page = (self.body_rows() / 4).max(1);
        let Some(doc) = self.trends.as_mut() else {
            self.screen = Screen::Queue;
            return Vec::new();
        };
        let (branches, areas) = doc.trends().map_or((0, 0), |d| (d.trends.branches.len(), d.trends.areas.len()));
        if move_cursor(&mut doc.selected, action, areas, page) {
            return Vec::new();
        }
        match action {
            Action::NextBranch | Action::PrevBranch if branches == 0 => {
                self.notify("no branch to chart yet: the trends are still being read", true);
            }
            Action::NextBranch => doc.branch = (doc.branch + 1) % branches,
            Action::PrevBranch => doc.branch = (doc.branch + branches - 1) % branches,
            Action::Back => self.screen = Screen::Queue,
            _ => {}
        }
        Vec::new()
    }
}

//! `update` for the people screen (everyone, by concern) and the blast
//! radius screen (what one of them touched), whose changes open in the
//! diff view.

use super::{App, Effect, Focus, Screen};
use crate::jobs::{PeopleData, Request};
use crate::model::people::{BlastRadius, PersonRecord};
use crate::model::Change;
use crate::tui::keymap::Action;

/// The people screen: the census as it arrived, and the cursor.
#[derive(Debug, Default)]
pub struct PeopleDoc {
    pub data: Option<Result<PeopleData, String>>,
    pub selected: usize,
}

impl PeopleDoc {
    pub fn people(&self) -> &[PersonRecord] {
        match &self.data {
            Some(Ok(data)) => &data.people,
            _ => &[],
        }
    }
}

/// The blast radius screen: whose, the radius once it arrived, and the
/// selected change.
#[derive(Debug)]
pub struct BlastDoc {
    /// How the person is named while the radius is read.
    pub who: String,
    pub data: Option<Result<BlastRadius, String>>,
    pub selected: usize,
}

/// Moves a list's cursor over `count` rows; `false` when `action` is not
/// a movement.
pub(super) fn move_cursor(selected: &mut usize, action: Action, count: usize, page: usize) -> bool {
    let last = count.saturating_sub(1);
    *selected = match action {
        Action::Down => (*selected + 1).min(last),
        Action::Up => selected.saturating_sub(1),
        Action::PageDown => (*selected + page).min(last),
        Action::PageUp => selected.saturating_sub(page),
        Action::Top => 0,
        Action::Bottom => last,
        _ => return false,
    };
    true
}

impl App {
    /// Opens the people screen; the census is read again each time (a sync
    /// may have brought logins and reviews since).
    pub(super) fn open_people(&mut self) -> Vec<Effect> {
        let (id, effect) = self.job(Request::People);
        self.people_job = id;
        let keep = self.people.as_ref().map_or(0, |d| d.selected);
        // What the last census said stays on screen until the new one is in.
        let last = self.people_data.clone().map(Ok);
        self.people = Some(PeopleDoc { data: last, selected: keep });
        self.screen = Screen::People;
        vec![effect]
    }

    pub(super) fn people_arrived(&mut self, result: Result<PeopleData, String>) {
        if let Ok(data) = &result {
            self.people_data = Some(data.clone());
        }
        if let Some(doc) = &mut self.people {
            let keep = doc.people().get(doc.selected).and_then(|p| p.emails.first().cloned());
            doc.data = Some(result);
            // The same person stays selected when the order changes.
            let found = keep.and_then(|e| doc.people().iter().position(|p| p.emails.first() == Some(&e)));
            doc.selected = found.unwrap_or(doc.selected).min(doc.people().len().saturating_sub(1));
        }
    }

    pub(super) fn people_action(&mut self, action: Action) -> Vec<Effect> {
        let page = (self.body_rows() / 2).max(1);
        let Some(doc) = self.people.as_mut() else {
            self.screen = Screen::Queue;
            return Vec::new();
        };
        let count = doc.people().len();
        if move_cursor(&mut doc.selected, action, count, page) {
            return Vec::new();
        }
        match action {
            Action::Open => {
                let Some(person) = doc.people().get(doc.selected) else {
                    self.notify("no one to open yet: the people are still being read", true);
                    return Vec::new();
                };
                // An email or login names exactly this person.
                let who = person.emails.first().or(person.logins.first()).cloned().unwrap_or_default();
                let label = person.name.clone();
                let (id, effect) = self.job(Request::BlastRadius { who });
                self.blast_job = id;
                self.blast = Some(BlastDoc { who: label, data: None, selected: 0 });
                self.screen = Screen::Blast;
                return vec![effect];
            }
            Action::Back => self.screen = Screen::Queue,
            _ => {}
        }
        Vec::new()
    }

    pub(super) fn blast_action(&mut self, action: Action) -> Vec<Effect> {
        let page = (self.body_rows() / 2).max(1);
        let Some(doc) = self.blast.as_mut() else {
            self.screen = Screen::People;
            return Vec::new();
        };
        let count = match &doc.data {
            Some(Ok(radius)) => radius.changes.len(),
            _ => 0,
        };
        if move_cursor(&mut doc.selected, action, count, page) {
            return Vec::new();
        }
        match action {
            Action::Open => {
                let sha = match &doc.data {
                    Some(Ok(radius)) => radius.changes.get(doc.selected).map(|c| c.sha.clone()),
                    _ => None,
                };
                match sha {
                    Some(sha) => return self.open_diff_of(sha, Screen::Blast),
                    None => self.notify("no change to open", true),
                }
            }
            Action::Back => self.screen = if self.people.is_some() { Screen::People } else { Screen::Queue },
            _ => {}
        }
        Vec::new()
    }

    /// The diff of any change (not only the queue's), returning to `from`.
    pub(super) fn open_diff_of(&mut self, sha: String, from: Screen) -> Vec<Effect> {
        self.screen = Screen::Diff;
        let effect = self.request_diff_of(sha);
        self.diff_from = from;
        self.focus = Focus::Main;
        self.prefetch_wanted = false;
        effect.into_iter().collect()
    }

    /// The author of `change` when their rise to release tagging was
    /// flagged (from the last census read).
    pub fn flagged_author(&self, change: &Change) -> Option<&PersonRecord> {
        let people = &self.people_data.as_ref()?.people;
        people.iter().filter(|p| p.escalation.flagged).find(|p| {
            p.answers_to(&change.author_email) || change.author_login.as_deref().is_some_and(|l| p.answers_to(l))
        })
    }
}

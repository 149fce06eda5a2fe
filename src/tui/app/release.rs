//! `update` for the release screen: a branch's checklist since its last
//! tag, and verifying an archive against that tag.

use super::{App, Effect, InputKind, Overlay, Screen};
use crate::jobs::Request;
use crate::tui::doc::{ArchiveCheck, ReleaseDoc};
use crate::tui::keymap::Action;

impl App {
    pub(super) fn open_release(&mut self) -> Vec<Effect> {
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

    pub(super) fn release_action(&mut self, action: Action) -> Vec<Effect> {
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

    pub(super) fn verify_archive(&mut self, path: String) -> Vec<Effect> {
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
}

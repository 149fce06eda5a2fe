//! `update` for the binaries screen: every binary file of the main line's
//! tree by concern; Enter opens the selected one's hex view.

use super::people::move_cursor;
use super::{App, Effect, Screen};
use crate::jobs::{Inventory, Request};
use crate::model::binary::BinaryFile;
use crate::tui::doc::HexDoc;
use crate::tui::keymap::Action;

/// The binaries screen: the inventory as it arrived, and the cursor.
#[derive(Debug, Default)]
pub struct BinariesDoc {
    pub data: Option<Result<Inventory, String>>,
    pub selected: usize,
}

impl BinariesDoc {
    pub fn files(&self) -> &[BinaryFile] {
        match &self.data {
            Some(Ok(inventory)) => &inventory.files,
            _ => &[],
        }
    }
}

impl App {
    /// Opens the binaries screen; the inventory is read again each time
    /// (what was shown stays until the new one is in).
    pub(super) fn open_binaries(&mut self) -> Vec<Effect> {
        let (id, effect) = self.job(Request::Binaries);
        self.binaries_job = id;
        if self.binaries.is_none() {
            self.binaries = Some(BinariesDoc::default());
        }
        self.screen = Screen::Binaries;
        vec![effect]
    }

    pub(super) fn binaries_arrived(&mut self, result: Result<Inventory, String>) {
        if let Some(doc) = &mut self.binaries {
            let keep = doc.files().get(doc.selected).map(|f| f.path.clone());
            doc.data = Some(result);
            // The same file stays selected when the order changes.
            let found = keep.and_then(|p| doc.files().iter().position(|f| f.path == p));
            doc.selected = found.unwrap_or(doc.selected).min(doc.files().len().saturating_sub(1));
        }
    }

    pub(super) fn binaries_action(&mut self, action: Action) -> Vec<Effect> {
        let page = (self.body_rows() / 2).max(1);
        let Some(doc) = self.binaries.as_mut() else {
            self.screen = Screen::Queue;
            return Vec::new();
        };
        let count = doc.files().len();
        if move_cursor(&mut doc.selected, action, count, page) {
            return Vec::new();
        }
        match action {
            Action::Open | Action::Hex => {
                let Some(file) = doc.files().get(doc.selected) else {
                    self.notify("no binary to open yet: the tree is still being read", true);
                    return Vec::new();
                };
                let (path, blob) = (file.path.clone(), file.blob.clone());
                let (id, effect) = self.job(Request::Hex { path: path.clone(), old_blob: None, new_blob: Some(blob) });
                self.hex_job = id;
                self.hex = Some(HexDoc::loading(path));
                self.hex_from = Screen::Binaries;
                self.screen = Screen::Hex;
                return vec![effect];
            }
            Action::Back => self.screen = Screen::Queue,
            _ => {}
        }
        Vec::new()
    }
}

//! Job reports arriving: each is matched to the job the app still waits
//! for (stale ones are dropped) and changes the state.

use super::{App, Effect, Loading, Overlay, SyncState};
use crate::jobs::{QueueData, QueueDepth, Reply, Report, Request, SyncEvent};

impl App {
    pub(super) fn report(&mut self, report: Report) -> Vec<Effect> {
        let id = report.id;
        match report.reply {
            Reply::Queue(result) if id == self.cached_job => {
                // Only until the fresh queue is here; a missing snapshot is no news.
                if let (Ok(data), Loading::Loading | Loading::Idle) = (result, &self.queue) {
                    if data.whole == self.whole {
                        self.show_queue(data);
                    }
                }
            }
            Reply::Queue(result) if id != 0 && (id == self.queue_job || id == self.full_job) => {
                return self.queue_arrived(id, result.map_err(|e| e.to_string()));
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
                    doc.finish(result.map_err(|e| e.to_string()));
                    doc.settle(rows);
                    if doc.hex_when_ready {
                        return self.try_pending_hex();
                    }
                }
            }
            Reply::HexPage(page) if id == self.hex_job => {
                if let Some(hex) = &mut self.hex {
                    hex.page(page);
                }
            }
            Reply::Hex(result) if id == self.hex_job => {
                if let Some(hex) = &mut self.hex {
                    hex.arrive(result.map_err(|e| e.to_string()));
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
                    doc.audit = Some(result.map_err(|e| e.to_string()));
                }
            }
            Reply::ArchiveProgress(percent) if id == self.archive_job => {
                if let Some(check) = self.release.as_mut().and_then(|d| d.archive.as_mut()) {
                    check.progress = percent;
                }
            }
            Reply::Archive(result) if id == self.archive_job => {
                if let Some(check) = self.release.as_mut().and_then(|d| d.archive.as_mut()) {
                    check.result = Some(result.map_err(|e| e.to_string()));
                }
            }
            Reply::People(result) if id == self.people_job => self.people_arrived(result.map_err(|e| e.to_string())),
            Reply::Trends(result) if id == self.trends_job => self.trends_arrived(result.map_err(|e| e.to_string())),
            Reply::Binaries(result) if id == self.binaries_job => {
                self.binaries_arrived(result.map_err(|e| e.to_string()))
            }
            Reply::BlastRadius(result) if id == self.blast_job => {
                if let Some(doc) = &mut self.blast {
                    doc.data = Some(result.map_err(|e| e.to_string()));
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
                        self.sync = SyncState::Failed(e.to_string());
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
                let first = data.depth == QueueDepth::First;
                let undelivered = data.outbox > 0;
                // A quick first screen does not replace a fuller queue
                // already shown (the last run's, read at start): the full
                // build replaces both.
                let fuller_shown =
                    matches!(&self.queue, Loading::Loaded(d) if d.whole == data.whole && d.depth > data.depth);
                if !(first && fuller_shown) {
                    self.show_queue(data);
                }
                if self.restore.is_some() {
                    self.restore = None;
                }
                let mut effects = Vec::new();
                // The rest (patch-ids, file lists, content scans, authors'
                // history) follows in a second, slower pass.
                if first && id == self.queue_job {
                    let (id, effect) = self.job(Request::Queue { depth: QueueDepth::Files, whole: self.whole });
                    self.full_job = id;
                    effects.push(effect);
                }
                // The census (for flagged authors in the detail pane) once
                // the full build is in: it reads the whole history.
                if id == self.full_job && self.people_job == 0 {
                    let (id, effect) = self.job(Request::People);
                    self.people_job = id;
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
            SyncEvent::Points { remaining, limit, .. } => self.rate = Some((remaining, limit)),
            SyncEvent::Notice { message } => *note = message,
            SyncEvent::Waiting { seconds, reason } => *note = format!("waiting {seconds:.0} s: {reason}"),
            SyncEvent::Linked { checked, total: t } => *note = format!("commits {checked}/{t}"),
            SyncEvent::BranchDone { .. } => note.clear(),
        }
    }
}

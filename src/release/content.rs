//! What a differing file's finding shows: a diff for text, hex summaries
//! (type, entropy, payload findings) for binaries, from the first bytes of
//! each side kept while the archive was read.

use super::compare::State;
use super::{
    BinarySide, Content, BLOB_READ_CAP, CONTENT_CAP, DIFF_LINES_CAP, FINDINGS_CAP, HEX_HEAD, REPORT_LINES_CAP,
};
use crate::inspect::{self, BinaryRule};
use crate::render::hex;
use crate::repo::textdiff::text_diff;
use crate::repo::Oid;

/// One side of a file as read: its first bytes, size and payload scan.
pub(super) struct Side {
    pub(super) head: Vec<u8>,
    pub(super) size: u64,
    pub(super) scan: Option<(Vec<inspect::Finding>, u64)>,
}

/// Finds payloads in a stream, 1 MiB at a time with an overlap.
pub(super) struct Scanner {
    window: Vec<u8>,
    offset: u64,
    findings: Vec<inspect::Finding>,
    scanned: u64,
}

const SCAN_CHUNK: usize = 1 << 20;
const SCAN_OVERLAP: usize = 4096;

impl Scanner {
    pub(super) fn new() -> Scanner {
        Scanner { window: Vec::new(), offset: 0, findings: Vec::new(), scanned: 0 }
    }

    pub(super) fn push(&mut self, data: &[u8]) {
        self.window.extend_from_slice(data);
        self.scanned += data.len() as u64;
        if self.window.len() >= SCAN_CHUNK {
            self.flush();
        }
    }

    fn flush(&mut self) {
        for f in inspect::scan_payloads(&self.window, self.offset) {
            if self.findings.len() < FINDINGS_CAP
                && !self.findings.iter().any(|g| g.offset == f.offset && g.kind == f.kind)
            {
                self.findings.push(f);
            }
        }
        let keep = self.window.len().min(SCAN_OVERLAP);
        let cut = self.window.len() - keep;
        self.window.drain(..cut);
        self.offset += cut as u64;
    }

    pub(super) fn finish(mut self) -> (Vec<inspect::Finding>, u64) {
        if !self.window.is_empty() {
            self.flush();
        }
        self.findings.sort_by_key(|f| f.offset);
        (self.findings, self.scanned)
    }
}

/// A truncated text head ends at its last full line.
fn whole_lines(data: &[u8], truncated: bool) -> &[u8] {
    if !truncated {
        return data;
    }
    match data.iter().rposition(|b| *b == b'\n') {
        Some(at) => &data[..=at],
        None => data,
    }
}

/// `; binary: ELF executable…` for a binary's detail line.
pub(super) fn binary_note(content: &Content) -> String {
    match content {
        Content::Binary { archive: Some(side), .. } => {
            let own = inspect::file_type(&side.head);
            let kind = own.map_or("data", |t| t.description);
            let found = inspect::suspicious(&side.findings, own.as_ref()).len();
            match found {
                0 => format!("; binary: {kind}"),
                1 => format!("; binary: {kind}, 1 payload finding"),
                n => format!("; binary: {kind}, {n} payload findings"),
            }
        }
        _ => String::new(),
    }
}

pub(super) fn executable_payload(side: &Option<BinarySide>) -> bool {
    side.as_ref().is_some_and(|s| {
        let own = inspect::file_type(&s.head);
        inspect::suspicious(&s.findings, own.as_ref()).iter().any(|f| f.kind.is_executable())
            || own.is_some_and(|t| t.is_executable())
    })
}

impl State<'_> {
    /// The first bytes of a tag blob (not read past [`BLOB_READ_CAP`]).
    pub(super) fn tag_side(&self, oid: Oid, size: Option<u64>) -> Option<Side> {
        if size.is_some_and(|s| s > BLOB_READ_CAP) {
            return None;
        }
        let blob = self.repo.blob_by_id(oid)?;
        let data: &[u8] = &blob;
        let head = data[..data.len().min(CONTENT_CAP)].to_vec();
        let scan = Some((inspect::scan_payloads(&head, 0), head.len() as u64));
        Some(Side { head, size: data.len() as u64, scan })
    }

    /// A diff for text, hex summaries for binaries.
    pub(super) fn content(&mut self, path: &str, tag: Option<Side>, archive: Option<Side>) -> Content {
        let truncated = |s: &Side| (s.head.len() as u64) < s.size;
        // NUL in git's first 8000 bytes, or not UTF-8 (a cut at the end of a
        // truncated head is not counted).
        let is_binary =
            |s: &Side| inspect::is_binary(&s.head, BinaryRule::NulOrInvalidUtf8 { truncated: truncated(s) });
        let binary = [&tag, &archive].iter().any(|s| s.as_ref().is_some_and(is_binary));
        if binary {
            let first_change = match (&tag, &archive) {
                (Some(t), Some(a)) => hex::changed_ranges(&t.head, &a.head).first().map(|r| r.start),
                _ => None,
            };
            let side = |s: Option<Side>| {
                s.map(|s| {
                    let (findings, scanned) =
                        s.scan.unwrap_or_else(|| (inspect::scan_payloads(&s.head, 0), s.head.len() as u64));
                    let mut head = s.head;
                    head.truncate(HEX_HEAD);
                    BinarySide { size: s.size, head, findings, scanned }
                })
            };
            return Content::Binary { tag: side(tag), archive: side(archive), first_change };
        }
        if self.kept_lines >= REPORT_LINES_CAP {
            return Content::None;
        }
        let old = tag.as_ref().map(|s| whole_lines(&s.head, truncated(s)));
        let new = archive.as_ref().map(|s| whole_lines(&s.head, truncated(s)));
        match text_diff(path, old, new, DIFF_LINES_CAP) {
            Some(diff) => {
                self.kept_lines += diff.hunks.iter().map(|h| h.lines.len()).sum::<usize>();
                Content::Diff(Box::new(diff))
            }
            None => Content::None,
        }
    }
}

//! Patch-ids from rearview's own diff: `git patch-id --stable` of a
//! change's diff against its first parent with no rename detection, summed
//! from the same hunks a file list is counted from. A listing gets every
//! change's patch-id from the diff it already made, where libgit2 diffed
//! each change a second time.
//!
//! As `git patch-id` does: each file's header and lines are hashed with
//! all whitespace removed, hunk headers (line numbers) and "no newline"
//! markers left out, and the files' SHA-1s added as 20-byte little-endian
//! numbers (their order does not matter). A binary file hashes its full
//! blob ids (git hashes the abbreviated ones its `index` line shows), so
//! two different changes to one binary never share a patch-id.

use sha1::{Digest, Sha1};

use super::LazyFile;
use crate::model::{HunkSource, LineKind};

/// The running sum of a change's per-file hashes.
#[derive(Default)]
pub(super) struct PatchIdSum {
    sum: [u8; 20],
    /// The hash of files with no lines yet to be added: git's reader ends
    /// a file's hash at the next file's header only after lines, so an
    /// empty file added or a mode change runs into the next file's hash.
    open: Option<Stripped>,
}

impl PatchIdSum {
    /// Adds one file of the change (in the diff's order, as git's).
    pub(super) fn add(&mut self, file: &LazyFile<'_>) {
        let mut hash = self.open.take().unwrap_or_else(Stripped::new);
        if feed_file(&mut hash, file) {
            self.add_digest(hash.finish());
        } else {
            self.open = Some(hash);
        }
    }

    /// The patch-id as git prints it: 40 hex digits.
    pub(super) fn hex(mut self) -> String {
        if let Some(hash) = self.open.take() {
            self.add_digest(hash.finish());
        }
        self.sum.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn add_digest(&mut self, digest: [u8; 20]) {
        let mut carry = 0u16;
        for (sum, byte) in self.sum.iter_mut().zip(digest) {
            carry += u16::from(*sum) + u16::from(byte);
            *sum = carry as u8;
            carry >>= 8;
        }
    }
}

/// Feeds one file's part of the patch; `false` when it had no lines (its
/// hash is not ended yet).
fn feed_file(hash: &mut Stripped, lazy: &LazyFile<'_>) -> bool {
    let file = &lazy.file;
    let new_path = file.new_path.as_deref().unwrap_or(file.path());
    let old_path = file.old_path.as_deref().unwrap_or(new_path);
    hash.feed_all(&[b"diff --git a/", old_path.as_bytes(), b" b/", new_path.as_bytes()]);
    let (old_mode, new_mode) = (file.old_mode, file.new_mode);
    let mode_change = |hash: &mut Stripped| {
        hash.feed_all(&[b"old mode ", format!("{old_mode:o}").as_bytes()]);
        hash.feed_all(&[b"new mode ", format!("{new_mode:o}").as_bytes()]);
    };
    if file.old_blob == file.new_blob {
        // Only the mode (or nothing) changed: no lines.
        if old_mode != new_mode {
            mode_change(hash);
        }
        return false;
    }
    if old_mode != new_mode {
        if old_mode == 0 {
            hash.feed_all(&[b"new file mode ", format!("{new_mode:o}").as_bytes()]);
        } else if new_mode == 0 {
            hash.feed_all(&[b"deleted file mode ", format!("{old_mode:o}").as_bytes()]);
        } else {
            mode_change(hash);
        }
    }
    if file.binary {
        let id = |blob: &Option<String>| blob.clone().unwrap_or_else(|| "0".repeat(40));
        hash.feed_all(&[b"index ", id(&file.old_blob).as_bytes(), b"..", id(&file.new_blob).as_bytes()]);
        return true;
    }
    if lazy.hunk_count() == 0 {
        // An empty file added or deleted: git prints no `---`/`+++`.
        return false;
    }
    let side = |prefix: &'static [u8], present: bool, path: &str| -> Vec<u8> {
        if present {
            [prefix, path.as_bytes()].concat()
        } else {
            b"/dev/null".to_vec()
        }
    };
    hash.feed_all(&[b"--- ", &side(b"a/", old_mode != 0, old_path)]);
    hash.feed_all(&[b"+++ ", &side(b"b/", new_mode != 0, new_path)]);
    for h in 0..lazy.hunk_count() {
        for l in 0..lazy.line_count(h) {
            let Some(line) = lazy.line(h, l) else { continue };
            let sign: &[u8] = match line.kind {
                LineKind::Added => b"+",
                LineKind::Removed => b"-",
                LineKind::Context => b"",
            };
            hash.feed_all(&[sign, line.text.as_bytes()]);
        }
    }
    true
}

/// A SHA-1 fed with whitespace left out (C's `isspace`: space, tab, the
/// line ends, vertical tab and form feed), through a buffer: one update
/// per 64 KiB, not one per word.
struct Stripped {
    sha: Sha1,
    buffer: Vec<u8>,
}

impl Stripped {
    fn new() -> Stripped {
        Stripped { sha: Sha1::new(), buffer: Vec::with_capacity(BUFFER) }
    }

    fn feed_all(&mut self, parts: &[&[u8]]) {
        for part in parts {
            self.buffer.extend(part.iter().filter(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c')));
        }
        if self.buffer.len() >= BUFFER {
            self.sha.update(&self.buffer);
            self.buffer.clear();
        }
    }

    fn finish(mut self) -> [u8; 20] {
        self.sha.update(&self.buffer);
        self.sha.finalize().into()
    }
}

const BUFFER: usize = 64 * 1024;

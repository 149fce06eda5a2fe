//! The diff of two texts that are not in the repository (a release
//! archive's file against its tag's), with libgit2's patch, as the model.

use std::path::Path;

use git2::{DiffOptions, Patch};

use crate::model::{DiffLine, FileDiff, FileStatus, Hunk, LineKind};

/// The diff of two texts as the model (three lines of context, as text
/// whatever their bytes), keeping at most `max_lines` lines; `None` for a
/// side absent means an added or deleted file.
pub fn text_diff(path: &str, old: Option<&[u8]>, new: Option<&[u8]>, max_lines: usize) -> Option<FileDiff> {
    let mut opts = DiffOptions::new();
    opts.context_lines(3).force_text(true);
    let p = Path::new(path);
    let patch = Patch::from_buffers(old.unwrap_or(b""), Some(p), new.unwrap_or(b""), Some(p), Some(&mut opts)).ok()?;
    let mut hunks = Vec::new();
    let mut kept = 0usize;
    'hunks: for h in 0..patch.num_hunks() {
        let (hunk, count) = patch.hunk(h).ok()?;
        let header = String::from_utf8_lossy(hunk.header()).into_owned();
        let context = header.rsplit("@@").next().unwrap_or("").trim().to_string();
        let mut lines: Vec<DiffLine> = Vec::new();
        for l in 0..count {
            let line = patch.line_in_hunk(h, l).ok()?;
            let kind = match line.origin() {
                '+' => LineKind::Added,
                '-' => LineKind::Removed,
                ' ' => LineKind::Context,
                '<' | '>' | '=' => {
                    if let Some(last) = lines.last_mut() {
                        last.no_newline = true;
                    }
                    continue;
                }
                _ => continue,
            };
            if kept >= max_lines {
                hunks.push(hunk_of(&hunk, context, lines));
                break 'hunks;
            }
            let mut text = line.content();
            if let Some(rest) = text.strip_suffix(b"\n") {
                text = rest;
            }
            lines.push(DiffLine {
                kind,
                old_no: line.old_lineno(),
                new_no: line.new_lineno(),
                text: String::from_utf8_lossy(text).into_owned(),
                no_newline: false,
            });
            kept += 1;
        }
        hunks.push(hunk_of(&hunk, context, lines));
    }
    let status = match (old, new) {
        (None, _) => FileStatus::Added,
        (_, None) => FileStatus::Deleted,
        _ => FileStatus::Modified,
    };
    Some(FileDiff {
        old_path: old.map(|_| path.to_string()),
        new_path: new.map(|_| path.to_string()),
        status,
        similarity: None,
        old_mode: 0,
        new_mode: 0,
        binary: false,
        old_blob: None,
        new_blob: None,
        hunks,
    })
}

/// A hunk with its header's ranges and the lines kept of it.
fn hunk_of(hunk: &git2::DiffHunk<'_>, context: String, lines: Vec<DiffLine>) -> Hunk {
    Hunk {
        old_start: hunk.old_start(),
        old_lines: hunk.old_lines(),
        new_start: hunk.new_start(),
        new_lines: hunk.new_lines(),
        context,
        lines,
    }
}

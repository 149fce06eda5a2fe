//! The header lines: a file's status, paths and mode change, and a hunk's
//! `@@` line.

use super::Palette;
use crate::model::{FileDiff, FileStatus, HunkHead};
use crate::render::sanitize::sanitize_line;
use crate::render::{Span, StyledLine};

pub(super) fn hunk_header(hunk: &HunkHead<'_>, palette: &Palette) -> StyledLine {
    // As git writes it: a count of one is left out.
    let range = |start: u32, lines: u32| if lines == 1 { start.to_string() } else { format!("{start},{lines}") };
    let mut text =
        format!("@@ -{} +{} @@", range(hunk.old_start, hunk.old_lines), range(hunk.new_start, hunk.new_lines));
    if !hunk.context.is_empty() {
        text.push(' ');
        text.push_str(&sanitize_line(hunk.context));
    }
    vec![Span::new(text, palette.hunk_header)]
}

/// `modified: path`, `renamed: old → new (87%)`, `mode 100644 → 100755`.
pub fn file_header(file: &FileDiff, palette: &Palette, width: usize) -> Vec<StyledLine> {
    let path = sanitize_line(file.path());
    let status = match file.status {
        FileStatus::Renamed | FileStatus::Copied => {
            let old = sanitize_line(file.old_path.as_deref().unwrap_or(""));
            let similarity = file.similarity.map(|s| format!(" ({s}% similar)")).unwrap_or_default();
            format!("{}: {old} → {path}{similarity}", file.status.as_str())
        }
        status => format!("{}: {path}", status.as_str()),
    };
    let mut lines = vec![
        vec![Span::new("━".repeat(width.clamp(10, 200)), palette.gutter)],
        vec![Span::new(status, palette.file_header)],
    ];
    let (old, new) = (file.old_mode, file.new_mode);
    if old != 0 && new != 0 && old != new {
        let note = if new & 0o111 != 0 && old & 0o111 == 0 { "  (now executable)" } else { "" };
        lines.push(vec![Span::new(format!("mode {old:o} → {new:o}{note}"), palette.removed_marker)]);
    }
    lines
}

//! The diff job: a change's files (or a backport's drift) printed by
//! `pipeline::printer` piece by piece (header, hunk header, up to a few
//! hundred lines at a time), so the first screen shows while the rest of a
//! huge diff is still being highlighted.

use crate::model::{FileDiff, FileStatus, HunkSource};
use crate::pipeline::printer::{self, LineTag, Look, Sink};
use crate::render::diff::{Layout, Palette};
use crate::render::sanitize::sanitize_line;
use crate::render::theme::{Color, Theme};
use crate::render::{Span, Style, StyledLine};
use crate::repo::{Repo, RepoError};

use super::JobError;

/// A file of the diff, announced before its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffFileInfo {
    /// Sanitized path (`old → new` for a rename).
    pub title: String,
    pub path: String,
    pub status: FileStatus,
    pub binary: bool,
    pub additions: u32,
    pub deletions: u32,
    pub old_blob: Option<String>,
    pub new_blob: Option<String>,
    /// Hidden characters or payload findings in the file.
    pub findings: usize,
}

#[derive(Debug)]
pub enum DiffPart {
    File(DiffFileInfo),
    /// Lines of the latest file.
    Lines(Vec<(LineTag, StyledLine)>),
}

/// Characters of a line the TUI lays out: a 10 MB one-line file would
/// otherwise wrap to a hundred thousand rows. The hex view shows it whole.
pub const MAX_LINE_CHARS: usize = 2048;

/// Syntect theme used when the config names none.
pub const DEFAULT_SYNTAX_THEME: &str = "Monokai Extended";

/// The palette of a UI theme.
pub fn palette(theme: &Theme) -> Palette {
    Palette {
        added_bg: theme.diff.added,
        removed_bg: theme.diff.removed,
        added_word_bg: theme.diff.added_word,
        removed_word_bg: theme.diff.removed_word,
        ..Palette::default()
    }
}

/// Renders every file of `sha`'s diff (or, with `drift_of`, only its drift
/// from that original), handing pieces to `emit` until it returns false.
pub fn render(
    ctx: &super::JobContext,
    sha: &str,
    width: usize,
    side_by_side: bool,
    drift_of: Option<&str>,
    emit: &(dyn Fn(DiffPart) -> bool + Sync),
) -> Result<(), JobError> {
    let repo = Repo::open(&ctx.repo)?;
    let syntax_theme = ctx.config.ui.syntax_theme.clone().unwrap_or_else(|| DEFAULT_SYNTAX_THEME.into());
    let more_hex = |_: &FileDiff| "press x for the hex view".to_string();
    let look = Look {
        layout: Layout { side_by_side, width: width.max(20), syntax_theme, max_line_chars: Some(MAX_LINE_CHARS) },
        palette: palette(&ctx.theme),
        hex_palette: crate::render::hex::Palette::from_theme(&ctx.theme),
        warn: Style { bold: true, ..Style::fg(ctx.theme.ui.warning) },
        hex_rows: INLINE_ROWS,
        more_hex: &more_hex,
    };
    let mut screen = Screen { emit, warn: look.warn };
    if let Some(original) = drift_of {
        let d = crate::pipeline::change::drift(&repo, original, sha)?;
        let title = Style { bold: true, ..Style::fg(Color::Indexed(6)) };
        let line = vec![Span::new(format!("drift from the original: {}", d.summary()), title)];
        if emit(DiffPart::Lines(vec![(LineTag::Body, line)])) {
            printer::print_drift(&d, &look, &mut screen);
        }
        return Ok(());
    }
    let diff = repo.diff_lazy(sha, &[])?;
    let shown = printer::print_change(&repo, &diff, &look, &mut screen)?;
    if shown == 0 {
        let line = vec![Span::new("(no changes against the first parent)", Style { dim: true, ..Style::default() })];
        emit(DiffPart::Lines(vec![(LineTag::Body, line)]));
    }
    Ok(())
}

/// The TUI's end of the printer: files become sidebar entries, lines go
/// to the screen as they are ready.
struct Screen<'a> {
    emit: &'a (dyn Fn(DiffPart) -> bool + Sync),
    warn: Style,
}

impl Sink for Screen<'_> {
    fn file(&mut self, file: &FileDiff, source: &dyn HunkSource, section: Option<&str>) -> bool {
        let mut entry = info(file, source);
        let Some(section) = section else { return (self.emit)(DiffPart::File(entry)) };
        entry.title = format!("{section}: {}", entry.title);
        let title = Style { bold: true, ..Style::fg(Color::Indexed(6)) };
        let heading = vec![Span::new(format!("── {section} ──"), title)];
        (self.emit)(DiffPart::File(entry)) && (self.emit)(DiffPart::Lines(vec![(LineTag::FileHeader, heading)]))
    }

    fn lines(&mut self, lines: Vec<(LineTag, StyledLine)>) -> bool {
        (self.emit)(DiffPart::Lines(lines))
    }

    fn unreadable(&mut self, side: &str, error: RepoError) -> Result<StyledLine, RepoError> {
        Ok(vec![Span::new(format!("{side}: {error}"), self.warn)])
    }
}

/// A file's entry in the sidebar: its title, line counts and findings,
/// counted from `source`, where its lines are.
fn info(file: &FileDiff, source: &dyn HunkSource) -> DiffFileInfo {
    let path = sanitize_line(file.path());
    let title = match (&file.old_path, &file.new_path) {
        (Some(old), Some(new)) if old != new => format!("{} → {}", sanitize_line(old), path),
        _ => path.clone(),
    };
    let mut additions = 0;
    let mut deletions = 0;
    let mut findings = 0;
    for h in 0..source.hunk_count() {
        for line in (0..source.line_count(h)).filter_map(|l| source.line(h, l)) {
            match line.kind {
                crate::model::LineKind::Added => additions += 1,
                crate::model::LineKind::Removed => deletions += 1,
                crate::model::LineKind::Context => {}
            }
            if crate::render::sanitize::reveals_any(line.text) {
                findings += 1;
            }
        }
    }
    DiffFileInfo {
        title,
        path,
        status: file.status,
        binary: file.binary,
        additions,
        deletions,
        old_blob: file.old_blob.clone(),
        new_blob: file.new_blob.clone(),
        findings,
    }
}

/// Rows of hex shown inline (the hex view shows all).
const INLINE_ROWS: usize = 8;

//! The diff job: a change's files rendered piece by piece (header, hunk
//! header, up to a few hundred lines at a time), so the first screen shows
//! while the rest of a huge diff is still being highlighted.

use crate::model::HunkSource;
use crate::model::{FileDiff, FileStatus};
use crate::render::diff::{file_header, DiffRenderer, Layout, Palette};
use crate::render::hex;
use crate::render::sanitize::sanitize_line;
use crate::render::theme::{Color, Theme};
use crate::render::{Span, Style, StyledLine};
use crate::repo::Repo;

use super::JobContext;

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

/// What a rendered line is, for navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineTag {
    /// The file's header lines.
    FileHeader,
    HunkHeader,
    Body,
    /// A line that reveals a hidden character or names a payload finding.
    Finding,
}

#[derive(Debug)]
pub enum DiffPart {
    File(DiffFileInfo),
    /// Lines of the latest file.
    Lines(Vec<(LineTag, StyledLine)>),
}

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

/// Renders every file of `sha`'s diff, handing pieces to `emit` until it
/// returns false.
pub fn render(
    ctx: &super::JobContext,
    sha: &str,
    width: usize,
    side_by_side: bool,
    drift_of: Option<&str>,
    emit: &(dyn Fn(DiffPart) -> bool + Sync),
) -> Result<(), String> {
    let repo = Repo::open(&ctx.repo).map_err(|e| e.to_string())?;
    let syntax_theme = ctx.config.ui.syntax_theme.clone().unwrap_or_else(|| DEFAULT_SYNTAX_THEME.into());
    let layout = Layout { side_by_side, width: width.max(20), syntax_theme };
    let palette = palette(&ctx.theme);
    if let Some(original) = drift_of {
        let files = repo.diff(sha, &[]).map_err(|e| e.to_string())?;
        let theirs = repo.diff(original, &[]).map_err(|e| e.to_string())?;
        return render_drift(&crate::triage::drift::interdiff(&theirs, &files), &layout, &palette, emit);
    }
    // File by file, lines read from the blobs as they are laid out: the
    // first screen waits on neither the other files nor a copy of this one.
    let diff = repo.diff_lazy(sha, &[]).map_err(|e| e.to_string())?;
    let mut shown = 0;
    for index in 0..diff.len() {
        let Some(lazy) = diff.file(index).map_err(|e| e.to_string())? else { continue };
        let file = &lazy.file;
        shown += 1;
        if !emit(DiffPart::File(info(file, &lazy))) {
            return Ok(());
        }
        let going = if file.binary {
            emit(DiffPart::Lines(binary_lines(&repo, ctx, file, &palette, layout.width)))
        } else {
            text_lines(DiffRenderer::with_source(file, &lazy, layout.clone(), palette.clone()), emit)
        };
        if !going {
            return Ok(());
        }
    }
    if shown == 0 {
        let line = vec![Span::new("(no changes against the first parent)", Style { dim: true, ..Style::default() })];
        emit(DiffPart::Lines(vec![(LineTag::Body, line)]));
    }
    Ok(())
}

/// Only the drift: each section's hunks, titled, as files of their own.
fn render_drift(
    d: &crate::triage::drift::Interdiff,
    layout: &Layout,
    palette: &Palette,
    emit: &(dyn Fn(DiffPart) -> bool + Sync),
) -> Result<(), String> {
    let title = Style { bold: true, ..Style::fg(Color::Indexed(6)) };
    let line = vec![Span::new(format!("drift from the original: {}", d.summary()), title)];
    if !emit(DiffPart::Lines(vec![(LineTag::Body, line)])) {
        return Ok(());
    }
    for (path, theirs, ours) in &d.binaries {
        let text = format!(
            "binary {}: original {} ┃ backport {}",
            sanitize_line(path),
            theirs.as_deref().map(crate::model::short_sha).unwrap_or("(none)"),
            ours.as_deref().map(crate::model::short_sha).unwrap_or("(none)")
        );
        emit(DiffPart::Lines(vec![(LineTag::Finding, vec![Span::new(text, Style::fg(Color::Indexed(9)))])]));
    }
    for (section, file) in crate::triage::drift::sections(d) {
        let mut entry = info(&file, &file);
        entry.title = format!("{section}: {}", entry.title);
        if !emit(DiffPart::File(entry)) {
            return Ok(());
        }
        let heading = vec![Span::new(format!("── {section} ──"), title)];
        if !emit(DiffPart::Lines(vec![(LineTag::FileHeader, heading)]))
            || !text_lines(DiffRenderer::new(&file, layout.clone(), palette.clone()), emit)
        {
            return Ok(());
        }
    }
    Ok(())
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

/// A rendered line reveals something hidden when it holds a token such as
/// `⟨U+202E RLO⟩` or a control picture.
fn reveals(line: &StyledLine) -> bool {
    line.iter().any(|s| s.text.contains("⟨U+") || s.text.contains('␛'))
}

fn text_lines(mut renderer: DiffRenderer<'_>, emit: &(dyn Fn(DiffPart) -> bool + Sync)) -> bool {
    let header: Vec<(LineTag, StyledLine)> = renderer.header().into_iter().map(|l| (LineTag::FileHeader, l)).collect();
    if !emit(DiffPart::Lines(header)) {
        return false;
    }
    let mut going = true;
    for i in 0..renderer.hunk_count() {
        let mut first = true;
        renderer.render_hunk(i, &mut |lines| {
            let tagged = lines
                .into_iter()
                .map(|line| {
                    let tag = if first {
                        first = false;
                        LineTag::HunkHeader
                    } else if reveals(&line) {
                        LineTag::Finding
                    } else {
                        LineTag::Body
                    };
                    (tag, line)
                })
                .collect();
            going = emit(DiffPart::Lines(tagged));
            going
        });
        if !going {
            return false;
        }
    }
    true
}

/// Rows of hex shown inline (the hex view shows all).
const INLINE_ROWS: usize = 8;

/// A binary file in the diff: type, size, entropy, findings, then its first
/// rows or the changed ones, old ┃ new (as `rearview show` prints it).
fn binary_lines(
    repo: &Repo,
    ctx: &JobContext,
    file: &FileDiff,
    palette: &Palette,
    width: usize,
) -> Vec<(LineTag, StyledLine)> {
    let mut out: Vec<(LineTag, StyledLine)> =
        file_header(file, palette, width).into_iter().map(|l| (LineTag::FileHeader, l)).collect();
    let warn = Style { bold: true, ..Style::fg(ctx.theme.ui.warning) };
    let mut read = |label: &str, id: Option<&str>| match id.map(|id| repo.blob(id)).transpose() {
        Ok(data) => data,
        Err(e) => {
            out.push((LineTag::Body, vec![Span::new(format!("{label}: {e}"), warn)]));
            None
        }
    };
    let old = read("old", file.old_blob.as_deref().filter(|_| file.status != FileStatus::Added));
    let new = read("new", file.new_blob.as_deref().filter(|_| file.status != FileStatus::Deleted));
    let old = old.as_deref().map(|d| hex::BinarySide::scan("old", d));
    let new = new.as_deref().map(|d| hex::BinarySide::scan("new", d));
    let lines = hex::binary_lines(
        old.as_ref(),
        new.as_ref(),
        INLINE_ROWS,
        &hex::Palette::from_theme(&ctx.theme),
        warn,
        "press x for the hex view",
    );
    out.extend(lines.into_iter().map(|(kind, line)| {
        let tag = if kind == hex::BinaryLine::Finding { LineTag::Finding } else { LineTag::Body };
        (tag, line)
    }));
    out
}

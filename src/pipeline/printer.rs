//! One printer for a change's diff and a backport's drift, shared by
//! `rearview show`, `rearview drift` and the TUI's diff job: each file's
//! header, then its hunks piece by piece (a binary as its type, findings
//! and hex rows), handed to a [`Sink`] as tagged lines until it says stop.
//! The CLI's sink writes them to stdout; the TUI's sends them to the screen.

use crate::model::{FileDiff, FileStatus, HunkSource};
use crate::render::diff::{file_header, CutLine, DiffRenderer, Layout, Palette};
use crate::render::hex;
use crate::render::sanitize::sanitize_line;
use crate::render::theme::Color;
use crate::render::{Span, Style, StyledLine};
use crate::repo::{LazyDiff, Repo, RepoError};
use crate::triage::drift::{self, Interdiff};

/// What a printed line is, for navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineTag {
    /// The file's header lines.
    FileHeader,
    HunkHeader,
    Body,
    /// A line that reveals a hidden character or names a payload finding.
    Finding,
    /// The row under a line cut for display (the hex view shows it whole).
    Cut(CutLine),
}

/// Where printed lines go.
pub trait Sink {
    /// A file begins (`section`: which part of a drift it is). False stops
    /// the printing.
    fn file(&mut self, file: &FileDiff, source: &dyn HunkSource, section: Option<&str>) -> bool;
    /// The next lines, in order. False stops the printing.
    fn lines(&mut self, lines: Vec<(LineTag, StyledLine)>) -> bool;
    /// A binary's blob could not be read: a line saying so in its place, or
    /// the error to stop with.
    fn unreadable(&mut self, side: &str, error: RepoError) -> Result<StyledLine, RepoError>;
}

/// How the printed diff looks.
pub struct Look<'a> {
    pub layout: Layout,
    pub palette: Palette,
    pub hex_palette: hex::Palette,
    /// For findings and errors.
    pub warn: Style,
    /// Rows of a binary shown inline.
    pub hex_rows: usize,
    /// Where a binary's other rows are: a command or a key, for this file.
    pub more_hex: &'a dyn Fn(&FileDiff) -> String,
}

/// Prints every file of a change's diff, reading each file's lines from
/// its blobs as they are laid out: the first lines go out before the rest
/// of the diff is read. The number of files printed.
pub fn print_change(
    repo: &Repo,
    diff: &LazyDiff<'_>,
    look: &Look<'_>,
    sink: &mut impl Sink,
) -> Result<usize, RepoError> {
    let mut shown = 0;
    for index in 0..diff.len() {
        let Some(lazy) = diff.file(index)? else { continue };
        let file = &lazy.file;
        shown += 1;
        if !sink.file(file, &lazy, None) {
            break;
        }
        let going = if file.binary {
            let lines = binary(repo, file, look, sink)?;
            sink.lines(lines)
        } else {
            hunks(DiffRenderer::with_source(file, &lazy, look.layout.clone(), look.palette.clone()), sink)
        };
        if !going {
            break;
        }
    }
    Ok(shown)
}

/// Prints a backport's drift: its binaries that differ, then each section
/// (only in the backport, only in the original, changed) as a file of its
/// own. The heading is the caller's.
pub fn print_drift(d: &Interdiff, look: &Look<'_>, sink: &mut impl Sink) {
    for (path, theirs, ours) in &d.binaries {
        let text = format!(
            "binary {}: original {} ┃ backport {}",
            sanitize_line(path),
            theirs.as_deref().map(crate::model::short_sha).unwrap_or("(none)"),
            ours.as_deref().map(crate::model::short_sha).unwrap_or("(none)")
        );
        if !sink.lines(vec![(LineTag::Finding, vec![Span::new(text, Style::fg(Color::Indexed(9)))])]) {
            return;
        }
    }
    for (section, file) in drift::sections(d) {
        if !sink.file(&file, &file, Some(&section))
            || !hunks(DiffRenderer::new(&file, look.layout.clone(), look.palette.clone()), sink)
        {
            return;
        }
    }
}

/// A text file: its header, then each hunk as it is highlighted.
fn hunks(mut renderer: DiffRenderer<'_>, sink: &mut impl Sink) -> bool {
    let header = renderer.header().into_iter().map(|l| (LineTag::FileHeader, l)).collect();
    if !sink.lines(header) {
        return false;
    }
    for i in 0..renderer.hunk_count() {
        let mut first = true;
        let mut going = true;
        renderer.render_hunk(i, &mut |lines, cuts| {
            let tagged = lines
                .into_iter()
                .enumerate()
                .map(|(at, line)| {
                    let cut = cuts.iter().find(|(row, _)| *row == at).map(|(_, cut)| *cut);
                    let tag = if std::mem::take(&mut first) {
                        LineTag::HunkHeader
                    } else if let Some(cut) = cut {
                        LineTag::Cut(cut)
                    } else if reveals(&line) {
                        LineTag::Finding
                    } else {
                        LineTag::Body
                    };
                    (tag, line)
                })
                .collect();
            going = sink.lines(tagged);
            going
        });
        if !going {
            return false;
        }
    }
    true
}

/// A rendered line reveals something hidden when it holds a token such as
/// `⟨U+202E RLO⟩` or a control picture.
fn reveals(line: &StyledLine) -> bool {
    line.iter().any(|s| s.text.contains("⟨U+") || s.text.contains('␛'))
}

/// A binary file: its header, type, size, entropy and findings, then its
/// first rows or the changed ones, old ┃ new.
fn binary(
    repo: &Repo,
    file: &FileDiff,
    look: &Look<'_>,
    sink: &mut impl Sink,
) -> Result<Vec<(LineTag, StyledLine)>, RepoError> {
    let mut out: Vec<(LineTag, StyledLine)> =
        file_header(file, &look.palette, look.layout.width).into_iter().map(|l| (LineTag::FileHeader, l)).collect();
    let mut read = |side: &str, id: Option<&str>| match id.map(|id| repo.blob(id)).transpose() {
        Ok(data) => Ok(data),
        Err(e) => {
            out.push((LineTag::Body, sink.unreadable(side, e)?));
            Ok::<_, RepoError>(None)
        }
    };
    let old = read("old", file.old_blob.as_deref().filter(|_| file.status != FileStatus::Added))?;
    let new = read("new", file.new_blob.as_deref().filter(|_| file.status != FileStatus::Deleted))?;
    let old = old.as_deref().map(|d| hex::BinarySide::scan("old", d));
    let new = new.as_deref().map(|d| hex::BinarySide::scan("new", d));
    let more = (look.more_hex)(file);
    let lines = hex::binary_lines(old.as_ref(), new.as_ref(), look.hex_rows, &look.hex_palette, look.warn, &more);
    out.extend(lines.into_iter().map(|(kind, line)| {
        let tag = if kind == hex::BinaryLine::Finding { LineTag::Finding } else { LineTag::Body };
        (tag, line)
    }));
    Ok(out)
}

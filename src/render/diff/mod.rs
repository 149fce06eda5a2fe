//! A file's diff as styled lines: syntax highlighted per side, word-level
//! changes marked within paired −/+ lines, unified or side by side, wrapped
//! to a width. Rendering goes hunk by hunk, so a reader of the first screen
//! never pays for the rest.

mod header;
mod layout;
mod pieces;
mod rows;
mod sides;
mod words;

pub use header::file_header;
pub use words::{word_changes, CharRanges};

use header::hunk_header;
use layout::{side_by_side_row, unified_row, Part};
use pieces::{pieces, Piece, FIRST_PIECE, PIECE};
use rows::{pair_rows, Row, RowKind};
use sides::{SideHighlighter, HELP_AFTER, HELP_FROM};
use words::WordScratch;

use super::theme::Color;
use super::{Style, StyledLine};
use crate::model::{FileDiff, HunkSource, LineKind, LineRef};

/// How the diff is laid out.
#[derive(Debug, Clone)]
pub struct Layout {
    pub side_by_side: bool,
    /// Columns available; lines wrap at this width.
    pub width: usize,
    /// A syntect theme name.
    pub syntax_theme: String,
    /// Lines longer than this many characters are cut for display, with a
    /// marker row saying how long they are (None: never cut).
    pub max_line_chars: Option<usize>,
}

/// Where [`DiffRenderer::render_hunk`] hands each laid-out piece, with its
/// cut lines' marker rows; it returns whether to go on.
pub type PieceSink<'a> = dyn FnMut(Vec<StyledLine>, &[(usize, CutLine)]) -> bool + 'a;

/// A line cut for display: which side, its number there, its length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CutLine {
    /// On the old side (else the new).
    pub old: bool,
    pub line: u32,
    pub chars: usize,
}

/// The diff's colours (the syntax colours come from the syntax theme).
#[derive(Debug, Clone)]
pub struct Palette {
    pub added_bg: Color,
    pub removed_bg: Color,
    pub added_word_bg: Color,
    pub removed_word_bg: Color,
    pub gutter: Style,
    pub file_header: Style,
    pub hunk_header: Style,
    pub added_marker: Style,
    pub removed_marker: Style,
}

impl Default for Palette {
    fn default() -> Self {
        Palette {
            added_bg: Color::Rgb(0x0f, 0x3a, 0x1d),
            removed_bg: Color::Rgb(0x4a, 0x14, 0x14),
            added_word_bg: Color::Rgb(0x1f, 0x6f, 0x3a),
            removed_word_bg: Color::Rgb(0x8f, 0x25, 0x25),
            gutter: Style { dim: true, ..Style::default() },
            file_header: Style { bold: true, ..Style::fg(Color::Indexed(11)) },
            hunk_header: Style::fg(Color::Indexed(6)),
            added_marker: Style::fg(Color::Indexed(10)),
            removed_marker: Style::fg(Color::Indexed(9)),
        }
    }
}

/// Renders one text file's diff, hunk by hunk.
pub struct DiffRenderer<'a> {
    file: &'a FileDiff,
    source: &'a dyn HunkSource,
    layout: Layout,
    palette: Palette,
    /// How many lines each side holds.
    old_len: usize,
    new_len: usize,
    old: SideHighlighter,
    new: SideHighlighter,
    /// Every piece of every hunk, in order.
    plan: Vec<Piece>,
    /// Each hunk's pieces in `plan`.
    hunk_pieces: Vec<std::ops::Range<usize>>,
    /// Pieces asked of the highlighters and not yet received.
    asked: std::ops::Range<usize>,
    /// Buffers for marking changed words, kept from pair to pair.
    words: WordScratch,
    /// Whether long sides get helpers (known once they would).
    helpers: Option<bool>,
}

/// Whether the machine has a core for each long side's helper beside the
/// sides' own threads: otherwise a helper only takes turns with them, and
/// the lines it styles ahead wait in memory (tens of MiB for a
/// 100,000-line side) without the diff coming out any sooner.
fn spare_cores(old_len: usize, new_len: usize) -> bool {
    let long = [old_len, new_len].into_iter().filter(|&n| n >= HELP_FROM).count();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    cores >= 2 * long
}

/// Pieces the highlighters are asked for ahead of the one shown, so that
/// they work while the renderer lays out and the caller writes.
const LOOKAHEAD: usize = 2;

impl<'a> DiffRenderer<'a> {
    pub fn new(file: &'a FileDiff, layout: Layout, palette: Palette) -> DiffRenderer<'a> {
        DiffRenderer::with_source(file, file, layout, palette)
    }

    /// A renderer for `file` (paths, status, modes: its hunks are not
    /// read) whose hunks and lines come from `source`. Lines are read as
    /// they are shown: nothing is copied up front.
    pub fn with_source(
        file: &'a FileDiff,
        source: &'a dyn HunkSource,
        layout: Layout,
        palette: Palette,
    ) -> DiffRenderer<'a> {
        // Each side is highlighted as the sequence of its lines in the
        // diff (delta does the same): the state flows from hunk to hunk.
        // A side's line is found through the plan, not a table per line.
        let (mut old_len, mut new_len) = (0, 0);
        let mut plan = Vec::new();
        let mut hunk_pieces = Vec::new();
        for h in 0..source.hunk_count() {
            let first = plan.len();
            let kind = |l: usize| source.kind(h, l).unwrap_or(LineKind::Context);
            let cap = if h == 0 { FIRST_PIECE } else { PIECE };
            for lines in pieces(source.line_count(h), kind, cap) {
                let (old_at, new_at) = (old_len, new_len);
                old_len += lines.old_side().len();
                new_len += lines.new_side().len();
                plan.push(Piece { hunk: h, lines, old: old_at..old_len, new: new_at..new_len });
            }
            hunk_pieces.push(first..plan.len());
        }
        let first_line = |side: Side| side_text(source, &plan, side, 0, 1).pop().unwrap_or_default();
        let old_path = file.old_path.as_deref().unwrap_or(file.path());
        let theme = &layout.syntax_theme;
        let old = SideHighlighter::start("highlight-old", old_path, first_line(Side::Old), theme);
        let new = SideHighlighter::start("highlight-new", file.path(), first_line(Side::New), theme);
        DiffRenderer {
            file,
            source,
            layout,
            palette,
            old_len,
            new_len,
            old,
            new,
            plan,
            hunk_pieces,
            asked: 0..0,
            words: WordScratch::default(),
            helpers: None,
        }
    }

    /// The file's header: status, path(s), similarity, mode change.
    pub fn header(&self) -> Vec<StyledLine> {
        file_header(self.file, &self.palette, self.layout.width)
    }

    pub fn hunk_count(&self) -> usize {
        self.source.hunk_count()
    }

    /// One hunk, laid out, all at once.
    pub fn hunk(&mut self, index: usize) -> Vec<StyledLine> {
        let mut out = Vec::new();
        self.render_hunk(index, &mut |lines, _| {
            out.extend(lines);
            true
        });
        out
    }

    /// Asks both highlighters for piece `p`.
    fn ask(&mut self, p: usize) {
        let Some(piece) = self.plan.get(p) else { return };
        let (source, plan) = (self.source, &self.plan);
        self.old.request(piece.old.clone(), |from, to| side_text(source, plan, Side::Old, from, to));
        self.new.request(piece.new.clone(), |from, to| side_text(source, plan, Side::New, from, to));
    }

    /// The styled old and new lines of piece `p`, with the next pieces
    /// asked for meanwhile.
    fn styled(&mut self, p: usize) -> (Vec<StyledLine>, Vec<StyledLine>) {
        if !self.asked.contains(&p) {
            // Out of order (a reader jumping between hunks): drop what was
            // asked ahead and start over from here.
            for _ in self.asked.clone() {
                self.old.receive();
                self.new.receive();
            }
            if p < self.asked.start {
                // Back above what was styled: the highlighters hold only
                // the lines below it, so they start over.
                self.old.restart();
                self.new.restart();
            }
            self.asked = p..p;
        }
        // The first piece alone first, so that nothing competes with it.
        let ahead = if p == 0 { 0 } else { LOOKAHEAD };
        while self.asked.end <= (p + ahead).min(self.plan.len().saturating_sub(1)) {
            self.ask(self.asked.end);
            self.asked.end += 1;
        }
        let (old_len, new_len) = (self.old_len, self.new_len);
        if p >= HELP_AFTER && *self.helpers.get_or_insert_with(|| spare_cores(old_len, new_len)) {
            // Once the first pieces are out: a long side gets a helper.
            let (source, plan) = (self.source, &self.plan);
            self.old.help(old_len, |from, to| side_text(source, plan, Side::Old, from, to));
            self.new.help(new_len, |from, to| side_text(source, plan, Side::New, from, to));
        }
        while self.asked.start < p {
            self.old.receive();
            self.new.receive();
            self.asked.start += 1;
        }
        self.asked.start += 1;
        (self.old.receive(), self.new.receive())
    }

    /// One hunk, laid out piece by piece: `emit` gets each piece as soon as
    /// it is highlighted and returns whether to go on (a closed pipe, a
    /// full screen). A change block longer than a piece is shown as aligned
    /// slices, its removed lines just above their replacements. With each
    /// piece come its cut lines' marker rows (index in the piece, what was cut).
    pub fn render_hunk(&mut self, index: usize, emit: &mut PieceSink<'_>) {
        let source = self.source;
        let (Some(head), Some(range)) = (source.head(index), self.hunk_pieces.get(index).cloned()) else {
            return;
        };
        if !emit(vec![hunk_header(&head, &self.palette)], &[]) {
            return;
        }
        let blank = LineRef { kind: LineKind::Context, old_no: None, new_no: None, no_newline: false, text: "" };
        for p in range {
            let (mut old, mut new) = self.styled(p);
            let Some(piece) = self.plan.get(p) else { return };
            let lines: Vec<LineRef<'_>> = piece.lines.iter().map(|i| source.line(index, i).unwrap_or(blank)).collect();
            // Cut before the words are compared and the lines wrapped: a
            // 10 MB line costs what its first screens cost.
            let (old_cut, new_cut) = match self.layout.max_line_chars {
                Some(max) => (cut_long(&mut old, max), cut_long(&mut new, max)),
                None => (Vec::new(), Vec::new()),
            };
            let mut rows = pair_rows(&lines, old, new, &self.palette, &mut self.words);
            let (mut old_cut, mut new_cut) = (old_cut.into_iter(), new_cut.into_iter());
            let mut out = Vec::new();
            let mut cuts = Vec::new();
            // Which of a row's sides were cut, as its side lines come in order.
            let mut row_cuts = |row: &Row| {
                let old_side = row.old.is_some() || row.kind == RowKind::Context;
                let new_side = row.new.is_some() && row.kind == RowKind::Change || row.kind == RowKind::Context;
                let old_full = if old_side { old_cut.next().flatten() } else { None };
                let new_full = if new_side { new_cut.next().flatten() } else { None };
                let old = row.old.as_ref().zip(old_full).map(|((n, _), chars)| CutLine { old: true, line: *n, chars });
                let new = row.new.as_ref().zip(new_full).map(|((n, _), chars)| CutLine { old: false, line: *n, chars });
                (old, new)
            };
            let mut marker = |out: &mut Vec<StyledLine>, cut: CutLine| {
                cuts.push((out.len(), cut));
                out.push(cut_marker(cut, self.layout.max_line_chars.unwrap_or(0), &self.palette));
            };
            if self.layout.side_by_side {
                for row in &mut rows {
                    let (old_cut, new_cut) = row_cuts(row);
                    out.extend(side_by_side_row(row, &self.palette, self.layout.width));
                    // A context line is one line, shown on both halves.
                    let new_cut =
                        if row.kind == RowKind::Context { new_cut.filter(|_| old_cut.is_none()) } else { new_cut };
                    for cut in [old_cut, new_cut].into_iter().flatten() {
                        marker(&mut out, cut);
                    }
                }
            } else {
                // Unified, as git prints it: a change block's removed lines,
                // then its added lines (their words marked against each other).
                let mut i = 0;
                while i < rows.len() {
                    let end = if rows[i].kind == RowKind::Change {
                        i + rows[i..].iter().take_while(|r| r.kind == RowKind::Change).count()
                    } else {
                        i + 1
                    };
                    let cut: Vec<_> = rows[i..end].iter().map(&mut row_cuts).collect();
                    for part in [Part::Old, Part::New] {
                        for (row, (old_cut, new_cut)) in rows[i..end].iter_mut().zip(&cut) {
                            out.extend(unified_row(row, part, &self.palette, self.layout.width));
                            // A context row prints once, with its old half.
                            let shown = match (row.kind, part) {
                                (RowKind::Context, Part::Old) => old_cut.or(*new_cut),
                                (RowKind::Context, Part::New) => None,
                                (RowKind::Change, Part::Old) => *old_cut,
                                (RowKind::Change, Part::New) => *new_cut,
                            };
                            if let Some(cut) = shown {
                                marker(&mut out, cut);
                            }
                        }
                    }
                    i = end;
                }
            }
            if !emit(out, &cuts) {
                return;
            }
        }
    }
}

/// Cuts each line longer than `max` characters to `max`: per line, its
/// full length when it was cut.
fn cut_long(lines: &mut [StyledLine], max: usize) -> Vec<Option<usize>> {
    lines
        .iter_mut()
        .map(|line| {
            let chars: usize =
                line.iter().map(|s| if s.text.is_ascii() { s.text.len() } else { s.text.chars().count() }).sum();
            if chars <= max {
                return None;
            }
            let mut left = max;
            line.retain_mut(|span| {
                if left == 0 {
                    return false;
                }
                let n = span.text.chars().count();
                if n > left {
                    let end = span.text.char_indices().nth(left).map_or(span.text.len(), |(at, _)| at);
                    span.text.truncate(end);
                    span.text.shrink_to_fit();
                }
                left = left.saturating_sub(n);
                true
            });
            Some(chars)
        })
        .collect()
}

/// The row under a cut line: how long it is, and how much shows.
fn cut_marker(cut: CutLine, shown: usize, palette: &Palette) -> StyledLine {
    let side = if cut.old { "old" } else { "new" };
    let text = format!(
        "           ⋯ {side} line {} cut: {} characters, the first {} shown (the hex view shows it whole)",
        cut.line,
        thousands(cut.chars),
        thousands(shown)
    );
    vec![crate::render::Span::new(text, Style { bold: true, ..palette.hunk_header })]
}

/// 10485760 as 10,485,760.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Lines `from..to` of a side, owned, for its highlighter (which runs on
/// another thread): each line is copied once.
fn side_text(source: &dyn HunkSource, plan: &[Piece], side: Side, from: usize, to: usize) -> Vec<String> {
    let range = |p: &Piece| match side {
        Side::Old => p.old.clone(),
        Side::New => p.new.clone(),
    };
    // The plan is in side order: the first piece that ends after `from`.
    let first = plan.partition_point(|p| range(p).end <= from);
    let mut out = Vec::with_capacity(to.saturating_sub(from));
    for piece in &plan[first..] {
        let at = range(piece);
        if at.start >= to {
            break;
        }
        let lines = match side {
            Side::Old => piece.lines.old_side(),
            Side::New => piece.lines.new_side(),
        };
        let skip = from.saturating_sub(at.start);
        let take = to.min(at.end) - at.start.max(from);
        out.extend(
            lines
                .skip(skip)
                .take(take)
                .map(|l| source.line(piece.hunk, l).map(|l| l.text.to_string()).unwrap_or_default()),
        );
    }
    out
}

/// Which side of the diff a highlighter reads.
#[derive(Clone, Copy)]
enum Side {
    Old,
    New,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DiffLine, Hunk};

    fn line(kind: LineKind, text: &str) -> DiffLine {
        DiffLine { kind, old_no: None, new_no: None, text: text.into(), no_newline: false }
    }

    #[test]
    fn a_side_reads_any_stretch_of_its_lines_through_the_plan() {
        use LineKind::{Added as A, Context as C, Removed as R};
        // Long enough for several pieces in the first hunk (first pieces
        // are small), with a pure addition and a pure removal after it.
        let mut first: Vec<DiffLine> = (0..40).map(|i| line(C, &format!("c{i}"))).collect();
        first.extend((0..70).map(|i| line(R, &format!("r{i}"))));
        first.extend((0..50).map(|i| line(A, &format!("a{i}"))));
        first.push(line(C, "tail"));
        let second = vec![line(A, "only-added"), line(C, "ctx"), line(R, "only-removed")];
        let hunk = |lines: Vec<DiffLine>| Hunk {
            old_start: 1,
            old_lines: 0,
            new_start: 1,
            new_lines: 0,
            context: String::new(),
            lines,
        };
        let file = crate::model::sample::modified("a.c", vec![hunk(first), hunk(second)]);
        let side = |keep: LineKind| -> Vec<String> {
            file.hunks
                .iter()
                .flat_map(|h| &h.lines)
                .filter(|l| l.kind == LineKind::Context || l.kind == keep)
                .map(|l| l.text.clone())
                .collect()
        };
        let (old, new) = (side(R), side(A));
        let layout = Layout { side_by_side: false, width: 80, syntax_theme: "none".into(), max_line_chars: None };
        let renderer = DiffRenderer::new(&file, layout, Palette::default());
        assert!(renderer.plan.len() > 4, "several pieces");
        assert_eq!((renderer.old_len, renderer.new_len), (old.len(), new.len()));
        for (which, whole) in [(Side::Old, &old), (Side::New, &new)] {
            for from in 0..=whole.len() {
                for to in (from..=whole.len() + 2).step_by(7) {
                    let got = side_text(&file, &renderer.plan, which, from, to);
                    assert_eq!(got, whole[from..to.min(whole.len())], "{from}..{to}");
                }
            }
        }
    }
}

//! A file's diff as styled lines: syntax highlighted per side, word-level
//! changes marked within paired −/+ lines, unified or side by side, wrapped
//! to a width. Rendering goes hunk by hunk, so a reader of the first screen
//! never pays for the rest.

use super::highlight::{FileHighlighter, LineSource};
use super::sanitize::sanitize_line;
use super::theme::Color;
use super::{Span, Style, StyledLine};
use crate::model::{FileDiff, FileStatus, HunkHead, HunkSource, LineKind, LineRef};

/// How the diff is laid out.
#[derive(Debug, Clone)]
pub struct Layout {
    pub side_by_side: bool,
    /// Columns available; lines wrap at this width.
    pub width: usize,
    /// A syntect theme name.
    pub syntax_theme: String,
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
    /// The lines of each side, in order, as positions in the source.
    old_index: Vec<(u32, u32)>,
    new_index: Vec<(u32, u32)>,
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
}

/// Part of a hunk shown at once: its line indices, and the ranges of the
/// old and new side sequences they hold.
struct Piece {
    lines: Vec<usize>,
    old: std::ops::Range<usize>,
    new: std::ops::Range<usize>,
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
        let mut old_index = Vec::new();
        let mut new_index = Vec::new();
        let mut plan = Vec::new();
        let mut hunk_pieces = Vec::new();
        for h in 0..source.hunk_count() {
            let hunk = u32::try_from(h).unwrap_or(u32::MAX);
            let first = plan.len();
            let kind = |l: usize| source.kind(h, l).unwrap_or(LineKind::Context);
            let cap = if h == 0 { FIRST_PIECE } else { PIECE };
            for lines in pieces(source.line_count(h), kind, cap) {
                let (old_at, new_at) = (old_index.len(), new_index.len());
                for &l in &lines {
                    let at = (hunk, u32::try_from(l).unwrap_or(u32::MAX));
                    match kind(l) {
                        LineKind::Context => {
                            old_index.push(at);
                            new_index.push(at);
                        }
                        LineKind::Removed => old_index.push(at),
                        LineKind::Added => new_index.push(at),
                    }
                }
                plan.push(Piece { lines, old: old_at..old_index.len(), new: new_at..new_index.len() });
            }
            hunk_pieces.push(first..plan.len());
        }
        let text_at = |index: &[(u32, u32)]| {
            index
                .first()
                .and_then(|&(h, l)| source.line(h as usize, l as usize))
                .map(|l| l.text.to_string())
                .unwrap_or_default()
        };
        let old_path = file.old_path.as_deref().unwrap_or(file.path());
        let theme = &layout.syntax_theme;
        let old = SideHighlighter::start("highlight-old", old_path, text_at(&old_index), theme);
        let new = SideHighlighter::start("highlight-new", file.path(), text_at(&new_index), theme);
        DiffRenderer {
            file,
            source,
            layout,
            palette,
            old_index,
            new_index,
            old,
            new,
            plan,
            hunk_pieces,
            asked: 0..0,
            words: WordScratch::default(),
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
        self.render_hunk(index, &mut |lines| {
            out.extend(lines);
            true
        });
        out
    }

    /// Asks both highlighters for piece `p`.
    fn ask(&mut self, p: usize) {
        let Some(piece) = self.plan.get(p) else { return };
        let source = self.source;
        self.old.request(piece.old.clone(), |from, to| side_text(source, &self.old_index, from, to));
        self.new.request(piece.new.clone(), |from, to| side_text(source, &self.new_index, from, to));
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
            self.asked = p..p;
        }
        // The first piece alone first, so that nothing competes with it.
        let ahead = if p == 0 { 0 } else { LOOKAHEAD };
        while self.asked.end <= (p + ahead).min(self.plan.len().saturating_sub(1)) {
            self.ask(self.asked.end);
            self.asked.end += 1;
        }
        if p >= HELP_AFTER {
            // Once the first pieces are out: a long side gets a helper.
            let source = self.source;
            let (old_len, new_len) = (self.old_index.len(), self.new_index.len());
            self.old.help(old_len, |from, to| side_text(source, &self.old_index, from, to));
            self.new.help(new_len, |from, to| side_text(source, &self.new_index, from, to));
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
    /// slices, its removed lines just above their replacements.
    pub fn render_hunk(&mut self, index: usize, emit: &mut dyn FnMut(Vec<StyledLine>) -> bool) {
        let source = self.source;
        let (Some(head), Some(range)) = (source.head(index), self.hunk_pieces.get(index).cloned()) else {
            return;
        };
        if !emit(vec![hunk_header(&head, &self.palette)]) {
            return;
        }
        let blank = LineRef { kind: LineKind::Context, old_no: None, new_no: None, no_newline: false, text: "" };
        for p in range {
            let (old, new) = self.styled(p);
            let Some(piece) = self.plan.get(p) else { return };
            let lines: Vec<LineRef<'_>> = piece.lines.iter().map(|&i| source.line(index, i).unwrap_or(blank)).collect();
            let mut rows = pair_rows(&lines, old, new, &self.palette, &mut self.words);
            let mut out = Vec::new();
            if self.layout.side_by_side {
                for row in &mut rows {
                    out.extend(side_by_side_row(row, &self.palette, self.layout.width));
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
                    for part in [Part::Old, Part::New] {
                        for row in &mut rows[i..end] {
                            out.extend(unified_row(row, part, &self.palette, self.layout.width));
                        }
                    }
                    i = end;
                }
            }
            if !emit(out) {
                return;
            }
        }
    }
}

/// Lines `from..to` of a side, owned, for its highlighter (which runs on
/// another thread): each line is copied once.
fn side_text(source: &dyn HunkSource, index: &[(u32, u32)], from: usize, to: usize) -> Vec<String> {
    let to = to.min(index.len());
    index[from.min(to)..to]
        .iter()
        .map(|&(h, l)| source.line(h as usize, l as usize).map(|l| l.text.to_string()).unwrap_or_default())
        .collect()
}

/// One side's highlighter, on a thread of its own when one can be started
/// (a highlighter cannot move between threads, so it lives there), so that
/// both sides of a large diff highlight at once, ahead of the layout. It
/// keeps the side's lines as they are handed to it, and answers requests
/// in order.
struct SideHighlighter {
    kind: SideKind,
    /// Lines handed over so far.
    sent: usize,
    path: String,
    first: String,
    theme: String,
    /// Whether a helper was started for the second half of the side.
    helped: bool,
}

enum SideKind {
    Worker { jobs: std::sync::mpsc::Sender<Job>, results: std::sync::mpsc::Receiver<Vec<StyledLine>> },
    Local { highlighter: Box<FileHighlighter>, lines: Vec<String>, pending: std::collections::VecDeque<Range<usize>> },
}

use std::ops::Range;

/// Work for a side's thread.
enum Job {
    /// Style these lines, after taking these further lines of the side.
    Lines(Range<usize>, Vec<String>),
    /// A helper styles the side from this line on (see [`helper`]).
    Helper(usize, std::sync::mpsc::Receiver<HelperLines>),
}

/// Styled lines from a helper, each with the fingerprint of the parser
/// state after it (only for the first lines, where the sides may meet).
type HelperLines = Vec<(StyledLine, Option<String>)>;

/// Pieces shown before a long side gets its helper (copying the half it
/// takes costs the main thread a few milliseconds: not before the first
/// screen, nor when `| head` will have gone).
const HELP_AFTER: usize = 3;

/// A side this long or longer gets a helper for its second half.
const HELP_FROM: usize = 16_384;

/// Lines after a helper's start where its state is compared with the
/// side's own; past them, if the states never met, the helper is dropped.
const MEET_WITHIN: usize = 2_048;

impl SideHighlighter {
    fn start(name: &str, path: &str, first: String, theme: &str) -> SideHighlighter {
        let (jobs, inbox) = std::sync::mpsc::channel::<Job>();
        let (done, results) = std::sync::mpsc::channel();
        let (path_owned, theme_owned, first_owned) = (path.to_string(), theme.to_string(), first.clone());
        let spawned = std::thread::Builder::new().name(name.into()).spawn(move || {
            let mut highlighter = FileHighlighter::new(&path_owned, &first_owned, &theme_owned);
            // Each line is asked for once: no cache to fill.
            highlighter.set_caching(false);
            side_worker(highlighter, inbox, done);
        });
        let kind = match spawned {
            Ok(_) => SideKind::Worker { jobs, results },
            Err(_) => {
                let mut highlighter = FileHighlighter::new(path, &first, theme);
                highlighter.set_caching(false);
                SideKind::Local { highlighter: Box::new(highlighter), lines: Vec::new(), pending: Default::default() }
            }
        };
        SideHighlighter { kind, sent: 0, path: path.to_string(), first, theme: theme.to_string(), helped: false }
    }

    /// Asks for the styled lines `range`, handing over the side's lines up
    /// to its end not handed over before (`text(from, to)` gives them).
    fn request(&mut self, range: Range<usize>, text: impl FnOnce(usize, usize) -> Vec<String>) {
        let more = if range.end > self.sent { text(self.sent, range.end) } else { Vec::new() };
        self.sent = self.sent.max(range.end);
        match &mut self.kind {
            SideKind::Worker { jobs, .. } => {
                // A worker that died answers nothing; `receive` then gives
                // plain empty lines rather than blocking.
                let _ = jobs.send(Job::Lines(range, more));
            }
            SideKind::Local { lines, pending, .. } => {
                lines.extend(more);
                pending.push_back(range);
            }
        }
    }

    /// For a long side, once: a helper thread styles its second half from
    /// a guessed parser state, while the side's own thread does the first
    /// half; the side's thread takes the helper's lines from where their
    /// states meet (and drops them if they never do).
    fn help(&mut self, len: usize, text: impl FnOnce(usize, usize) -> Vec<String>) {
        if self.helped || len < HELP_FROM {
            return;
        }
        self.helped = true;
        let SideKind::Worker { jobs, .. } = &self.kind else { return };
        let from = len / 2;
        let lines = text(from, len);
        let (tx, rx) = std::sync::mpsc::channel();
        let (path, first, theme) = (self.path.clone(), self.first.clone(), self.theme.clone());
        let spawned = std::thread::Builder::new().name("highlight-help".into()).spawn(move || {
            helper(&path, &first, &theme, from, lines, tx);
        });
        if spawned.is_ok() {
            let _ = jobs.send(Job::Helper(from, rx));
        }
    }

    /// The answer to the oldest request not yet received.
    fn receive(&mut self) -> Vec<StyledLine> {
        match &mut self.kind {
            SideKind::Worker { results, .. } => results.recv().unwrap_or_default(),
            SideKind::Local { highlighter, lines, pending } => match pending.pop_front() {
                Some(range) => highlighter.highlight(lines, range),
                None => Vec::new(),
            },
        }
    }
}

/// A side's lines from `start` on, indexed as in the whole side.
struct Tail {
    start: usize,
    lines: Vec<String>,
}

impl LineSource for Tail {
    fn len(&self) -> usize {
        self.start + self.lines.len()
    }

    fn line(&self, index: usize) -> Option<&str> {
        self.lines.get(index.checked_sub(self.start)?).map(String::as_str)
    }
}

/// Styles a side from line `start` on, from a guessed state, sending its
/// lines in batches with the fingerprints of the first ones.
fn helper(
    path: &str,
    first: &str,
    theme: &str,
    start: usize,
    lines: Vec<String>,
    tx: std::sync::mpsc::Sender<HelperLines>,
) {
    let mut h = FileHighlighter::new(path, first, theme);
    h.set_caching(false);
    h.start_at_top(start);
    h.record_states(start..start + MEET_WITHIN);
    let tail = Tail { start, lines };
    let end = tail.len();
    let mut at = start;
    while at < end {
        let to = (at + PIECE).min(end);
        let styled = h.highlight(&tail, at..to);
        let mut states = h.take_states().into_iter().peekable();
        let batch: HelperLines = styled
            .into_iter()
            .zip(at..to)
            .map(|(line, i)| {
                let state = match states.peek() {
                    Some((k, _)) if *k == i => states.next().and_then(|(_, s)| s),
                    _ => None,
                };
                (line, state)
            })
            .collect();
        if tx.send(batch).is_err() {
            return;
        }
        at = to;
    }
}

/// What a side's thread knows of its helper.
struct Helping {
    start: usize,
    rx: std::sync::mpsc::Receiver<HelperLines>,
    /// Helper lines received and not yet used, from line `first`.
    buffer: std::collections::VecDeque<(StyledLine, Option<String>)>,
    first: usize,
    /// From this line on, the helper's lines are the side's.
    met: Option<usize>,
}

impl Helping {
    /// The helper's line `i` (receiving as needed), if it still has it.
    fn line(&mut self, i: usize) -> Option<&(StyledLine, Option<String>)> {
        if i < self.first {
            return None;
        }
        while self.first + self.buffer.len() <= i {
            let batch = self.rx.recv().ok()?;
            self.buffer.extend(batch);
        }
        self.buffer.get(i - self.first)
    }

    /// Takes the helper's line `i`, dropping the ones before it.
    fn take(&mut self, i: usize) -> Option<StyledLine> {
        self.line(i)?;
        while self.first < i {
            self.buffer.pop_front();
            self.first += 1;
        }
        self.first += 1;
        self.buffer.pop_front().map(|(line, _)| line)
    }
}

/// A side's thread: answers requests in order, with its own highlighter
/// or, past where their states meet, with a helper's lines.
fn side_worker(
    mut highlighter: FileHighlighter,
    inbox: std::sync::mpsc::Receiver<Job>,
    done: std::sync::mpsc::Sender<Vec<StyledLine>>,
) {
    let mut lines: Vec<String> = Vec::new();
    let mut helping: Option<Helping> = None;
    // Ends when the renderer drops its sender.
    for job in inbox {
        let range = match job {
            Job::Helper(start, rx) => {
                helping = Some(Helping { start, rx, buffer: Default::default(), first: start, met: None });
                continue;
            }
            Job::Lines(range, more) => {
                lines.extend(more);
                range
            }
        };
        let mut out = Vec::with_capacity(range.len());
        let mut i = range.start;
        while i < range.end {
            if let Some(help) = helping.as_mut().filter(|h| h.met.is_some_and(|m| i >= m)) {
                if let Some(line) = help.take(i) {
                    out.push(line);
                    i += 1;
                    continue;
                }
            }
            // Compare states where the helper may meet this side.
            let window = helping.as_ref().filter(|h| h.met.is_none()).map(|h| h.start..h.start + MEET_WITHIN);
            let comparing = window.as_ref().is_some_and(|w| i < w.end && range.end > w.start);
            if let Some(w) = window.as_ref().filter(|_| comparing) {
                highlighter.record_states(w.clone());
            }
            let mut styled = highlighter.highlight(&lines, i..range.end);
            if comparing {
                highlighter.record_states(0..0);
                let mut met = None;
                if let Some(help) = helping.as_mut() {
                    for (k, state) in highlighter.take_states() {
                        let Some(state) = state else { continue };
                        if help.line(k).and_then(|(_, s)| s.as_ref()) == Some(&state) {
                            met = Some(k + 1);
                            break;
                        }
                    }
                    help.met = met;
                }
                match met {
                    Some(m) if m < range.end => {
                        styled.truncate(m - i);
                        out.extend(styled);
                        i = m;
                        continue;
                    }
                    _ => {}
                }
                if met.is_none() && window.is_some_and(|w| range.end >= w.end) {
                    // They never met: drop the helper.
                    helping = None;
                }
            }
            out.extend(styled);
            i = range.end;
        }
        if done.send(out).is_err() {
            break;
        }
    }
}

/// How many lines of each side a piece holds at most.
const PIECE: usize = 200;

/// The same for a file's first two pieces: small, so that its first
/// screen waits on as little highlighting as can fill it, and `| head` on
/// little more; the pieces after them double up to [`PIECE`].
const FIRST_PIECE: usize = 32;

/// A hunk of `count` lines cut into pieces of line indices: runs of
/// context, and change blocks (removed lines, then added lines) cut into
/// aligned slices; the first two pieces hold at most `first` lines a
/// side, the next ones twice as many as the one before, up to [`PIECE`].
fn pieces(count: usize, kind: impl Fn(usize) -> LineKind, first: usize) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    let mut caps = std::iter::once(first).chain(std::iter::successors(Some(first), |c| Some((c * 2).min(PIECE))));
    let mut cap = caps.next().unwrap_or(PIECE);
    let mut i = 0;
    while i < count {
        if kind(i) == LineKind::Context {
            let run: Vec<usize> = (i..count).take_while(|&k| kind(k) == LineKind::Context).take(cap).collect();
            i += run.len();
            out.push(run);
            cap = caps.next().unwrap_or(PIECE);
            continue;
        }
        let removed = (i..count).take_while(|&k| kind(k) == LineKind::Removed).count();
        let added = (i + removed..count).take_while(|&k| kind(k) == LineKind::Added).count();
        let (mut r, mut a) = (0, 0);
        while r < removed || a < added {
            let (take_r, take_a) = (cap.min(removed - r), cap.min(added - a));
            let mut piece: Vec<usize> = (i + r..i + r + take_r).collect();
            piece.extend(i + removed + a..i + removed + a + take_a);
            out.push(piece);
            (r, a) = (r + take_r, a + take_a);
            cap = caps.next().unwrap_or(PIECE);
        }
        i += removed + added;
    }
    out
}

/// One displayed pairing: a context line, or a removed and/or added line.
struct Row {
    old: Option<(u32, StyledLine)>,
    new: Option<(u32, StyledLine)>,
    kind: RowKind,
    no_newline: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum RowKind {
    Context,
    Change,
}

/// Pairs removed and added lines of each change block, marking the words
/// that changed between the two lines of a pair.
fn pair_rows(
    lines: &[LineRef<'_>],
    old: Vec<StyledLine>,
    new: Vec<StyledLine>,
    palette: &Palette,
    words: &mut WordScratch,
) -> Vec<Row> {
    let mut old = old.into_iter();
    let mut new = new.into_iter();
    let mut rows = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        if line.kind == LineKind::Context {
            let text = old.next().unwrap_or_default();
            new.next();
            rows.push(Row {
                old: line.old_no.map(|n| (n, text.clone())),
                new: line.new_no.map(|n| (n, text)),
                kind: RowKind::Context,
                no_newline: line.no_newline,
            });
            i += 1;
            continue;
        }
        let removed: Vec<&LineRef<'_>> = lines[i..].iter().take_while(|l| l.kind == LineKind::Removed).collect();
        let added: Vec<&LineRef<'_>> =
            lines[i + removed.len()..].iter().take_while(|l| l.kind == LineKind::Added).collect();
        let mut removed_text: Vec<StyledLine> = removed.iter().map(|_| old.next().unwrap_or_default()).collect();
        let mut added_text: Vec<StyledLine> = added.iter().map(|_| new.next().unwrap_or_default()).collect();
        let pairs = removed.len().max(added.len());
        for k in 0..pairs {
            let mut left = removed_text.get_mut(k).map(std::mem::take);
            let mut right = added_text.get_mut(k).map(std::mem::take);
            if let (Some(l), Some(r)) = (&left, &right) {
                let (lw, rw) = words.changes(l, r);
                left = left.map(|l| overlay(l, &lw, palette.removed_bg, palette.removed_word_bg));
                right = right.map(|r| overlay(r, &rw, palette.added_bg, palette.added_word_bg));
            } else {
                left = left.map(|l| overlay(l, &[], palette.removed_bg, palette.removed_word_bg));
                right = right.map(|r| overlay(r, &[], palette.added_bg, palette.added_word_bg));
            }
            let no_newline = removed.get(k).is_some_and(|l| l.no_newline) || added.get(k).is_some_and(|l| l.no_newline);
            rows.push(Row {
                old: left.map(|t| (removed.get(k).and_then(|l| l.old_no).unwrap_or(0), t)),
                new: right.map(|t| (added.get(k).and_then(|l| l.new_no).unwrap_or(0), t)),
                kind: RowKind::Change,
                no_newline,
            });
        }
        i += removed.len() + added.len();
        if removed.is_empty() && added.is_empty() {
            i += 1;
        }
    }
    rows
}

/// `[start, end)` character positions in a line.
pub type CharRanges = Vec<(usize, usize)>;

/// Character ranges that differ between two lines, by words: runs of
/// letters/digits/`_`, runs of spaces, and single other characters.
pub fn word_changes(old: &str, new: &str) -> (CharRanges, CharRanges) {
    WordScratch::default().compare(old, new)
}

/// What marking the changed words of a pair needs, kept from pair to pair
/// so that a long change block does not allocate it for every line.
#[derive(Default)]
struct WordScratch {
    old_text: String,
    new_text: String,
    a: Vec<Token>,
    b: Vec<Token>,
    lcs: Vec<u32>,
    keep: Vec<bool>,
}

impl WordScratch {
    /// [`word_changes`] between two styled lines' text.
    fn changes(&mut self, old: &StyledLine, new: &StyledLine) -> (CharRanges, CharRanges) {
        let (mut old_text, mut new_text) = (std::mem::take(&mut self.old_text), std::mem::take(&mut self.new_text));
        old_text.clear();
        new_text.clear();
        old.iter().for_each(|s| old_text.push_str(&s.text));
        new.iter().for_each(|s| new_text.push_str(&s.text));
        let out = self.compare(&old_text, &new_text);
        (self.old_text, self.new_text) = (old_text, new_text);
        out
    }

    fn compare(&mut self, old: &str, new: &str) -> (CharRanges, CharRanges) {
        if old == new {
            return (Vec::new(), Vec::new());
        }
        tokens(old, &mut self.a);
        tokens(new, &mut self.b);
        let (a, b) = (&self.a, &self.b);
        // Quadratic LCS: cap it; past the cap the whole line is the change.
        if a.len() * b.len() > 250_000 {
            return (Vec::new(), Vec::new());
        }
        let word_a = |i: usize| &old[a[i].bytes.0..a[i].bytes.1];
        let word_b = |j: usize| &new[b[j].bytes.0..b[j].bytes.1];
        let (n, m) = (a.len(), b.len());
        // The walk below keeps a common prefix token by token before it
        // ever reads the table, so the table covers only what follows it.
        let prefix = (0..n.min(m)).take_while(|&i| word_a(i) == word_b(i)).count();
        let (rn, rm) = (n - prefix, m - prefix);
        let lcs = &mut self.lcs;
        lcs.clear();
        lcs.resize((rn + 1) * (rm + 1), 0);
        let at = |i: usize, j: usize| (i - prefix) * (rm + 1) + (j - prefix);
        for i in (prefix..n).rev() {
            for j in (prefix..m).rev() {
                lcs[at(i, j)] = if word_a(i) == word_b(j) {
                    lcs[at(i + 1, j + 1)] + 1
                } else {
                    lcs[at(i + 1, j)].max(lcs[at(i, j + 1)])
                };
            }
        }
        // Kept tokens: the old line's first, then the new line's.
        let keep = &mut self.keep;
        keep.clear();
        keep.resize(n + m, false);
        let (mut i, mut j) = (0, 0);
        while i < n && j < m {
            if word_a(i) == word_b(j) {
                keep[i] = true;
                keep[n + j] = true;
                i += 1;
                j += 1;
            } else if lcs[at(i + 1, j)] >= lcs[at(i, j + 1)] {
                i += 1;
            } else {
                j += 1;
            }
        }
        let ranges = |toks: &[Token], keep: &[bool]| {
            let mut out: Vec<(usize, usize)> = Vec::new();
            for (t, &k) in toks.iter().zip(keep) {
                if k {
                    continue;
                }
                let (s, e) = t.chars;
                match out.last_mut() {
                    Some(last) if last.1 == s => last.1 = e,
                    _ => out.push((s, e)),
                }
            }
            out
        };
        (ranges(a, &keep[..n]), ranges(b, &keep[n..]))
    }
}

/// A word of a line: its character and byte ranges.
struct Token {
    chars: (usize, usize),
    bytes: (usize, usize),
}

/// The words of `text`, into `out`.
fn tokens(text: &str, out: &mut Vec<Token>) {
    let class = |c: char| {
        let word = if c.is_ascii() { c.is_ascii_alphanumeric() || c == '_' } else { c.is_alphanumeric() };
        let space = if c.is_ascii() { c.is_ascii_whitespace() || c == '\u{b}' } else { c.is_whitespace() };
        if word {
            0
        } else if space {
            1
        } else {
            2
        }
    };
    out.clear();
    let mut last_class = None;
    for (index, (byte, c)) in text.char_indices().enumerate() {
        let k = class(c);
        let end = byte + c.len_utf8();
        match out.last_mut() {
            Some(t) if k != 2 && last_class == Some(k) => {
                t.chars.1 = index + 1;
                t.bytes.1 = end;
            }
            _ => out.push(Token { chars: (index, index + 1), bytes: (byte, end) }),
        }
        last_class = Some(k);
    }
}

/// Puts a background on a whole line, a stronger one on `ranges` (chars,
/// sorted, as [`word_changes`] gives them).
fn overlay(line: StyledLine, ranges: &[(usize, usize)], bg: Color, strong: Color) -> StyledLine {
    let mut out: StyledLine = Vec::with_capacity(line.len() + 2 * ranges.len());
    let mut pos = 0;
    // The first range that does not end before `pos`.
    let mut next = 0;
    for span in line {
        if span.text.is_empty() {
            continue;
        }
        let chars = if span.text.is_ascii() { span.text.len() } else { span.text.chars().count() };
        while next < ranges.len() && ranges[next].1 <= pos {
            next += 1;
        }
        // Most spans lie wholly inside or outside the changed words: they
        // keep their text.
        let whole = match ranges.get(next) {
            None => Some(false),
            Some(&(s, _)) if s >= pos + chars => Some(false),
            Some(&(s, e)) if s <= pos && e >= pos + chars => Some(true),
            Some(_) => None,
        };
        if let Some(is_strong) = whole {
            let style = span.style.on(if is_strong { strong } else { bg });
            out.push(Span { text: span.text, style });
            pos += chars;
            continue;
        }
        let text = span.text.as_str();
        let mut from = 0;
        let mut current_strong = None;
        for (byte, _) in text.char_indices() {
            while next < ranges.len() && ranges[next].1 <= pos {
                next += 1;
            }
            let is_strong = ranges.get(next).is_some_and(|&(s, e)| pos >= s && pos < e);
            if current_strong != Some(is_strong) && byte > from {
                let b = if current_strong == Some(true) { strong } else { bg };
                out.push(Span::new(&text[from..byte], span.style.on(b)));
                from = byte;
            }
            current_strong = Some(is_strong);
            pos += 1;
        }
        if from < text.len() {
            let b = if current_strong == Some(true) { strong } else { bg };
            out.push(Span::new(&text[from..], span.style.on(b)));
        }
    }
    out
}

/// Splits a line into pieces of at most `width` characters.
fn wrap(mut line: StyledLine, width: usize) -> Vec<StyledLine> {
    let width = width.max(1);
    let mut chars = 0;
    for span in &line {
        chars += if span.text.is_ascii() { span.text.len() } else { span.text.chars().count() };
        if chars > width {
            break;
        }
    }
    if chars <= width {
        line.retain(|s| !s.text.is_empty());
        return vec![line];
    }
    let mut out: Vec<StyledLine> = vec![Vec::new()];
    let mut used = 0;
    for span in &line {
        let text = span.text.as_str();
        let mut from = 0;
        for (byte, _) in text.char_indices() {
            if used == width {
                if byte > from {
                    if let Some(last) = out.last_mut() {
                        last.push(Span::new(&text[from..byte], span.style));
                    }
                    from = byte;
                }
                out.push(Vec::new());
                used = 0;
            }
            used += 1;
        }
        if from < text.len() {
            if let Some(last) = out.last_mut() {
                last.push(Span::new(&text[from..], span.style));
            }
        }
    }
    out
}

/// A line number right-aligned in five columns (blank for none).
fn push_number(out: &mut String, n: Option<u32>) {
    use std::fmt::Write as _;
    match n.filter(|n| *n > 0) {
        Some(n) => {
            let _ = write!(out, "{n:>5}");
        }
        None => out.push_str("     "),
    }
}

/// The gutter of a wrapped line's continuation (unified layout).
const CONTINUED: &str = "           ↪ ";

const GUTTER: usize = 14;

/// Which half of a row to print in the unified layout (context rows print
/// with the old half).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Old,
    New,
}

fn unified_row(row: &mut Row, part: Part, palette: &Palette, width: usize) -> Vec<StyledLine> {
    let content = width.saturating_sub(GUTTER).max(10);
    let mut out = Vec::new();
    let mut emit = |old_no: Option<u32>, new_no: Option<u32>, marker: &'static str, style: Style, text: StyledLine| {
        for (i, piece) in wrap(text, content).into_iter().enumerate() {
            let gutter = if i == 0 {
                let mut g = String::with_capacity(GUTTER);
                push_number(&mut g, old_no);
                g.push(' ');
                push_number(&mut g, new_no);
                g.push(' ');
                g
            } else {
                CONTINUED.to_string()
            };
            let mut line = Vec::with_capacity(piece.len() + 2);
            line.push(Span::new(gutter, palette.gutter));
            line.push(Span::new(if i == 0 { marker } else { " " }, style));
            line.extend(piece);
            out.push(line);
        }
    };
    let new_no = row.new.as_ref().map(|(m, _)| *m);
    match (row.kind, part) {
        (RowKind::Context, Part::Old) => {
            if let Some((n, text)) = &mut row.old {
                emit(Some(*n), new_no, " ", Style::default(), std::mem::take(text));
            }
        }
        (RowKind::Context, Part::New) => return out,
        (RowKind::Change, Part::Old) => {
            if let Some((n, text)) = &mut row.old {
                emit(Some(*n), None, "-", palette.removed_marker, std::mem::take(text));
            }
        }
        (RowKind::Change, Part::New) => {
            if let Some((n, text)) = &mut row.new {
                emit(None, Some(*n), "+", palette.added_marker, std::mem::take(text));
            }
        }
    }
    let last_half = match row.kind {
        RowKind::Context => part == Part::Old,
        RowKind::Change => part == Part::New,
    };
    if row.no_newline && last_half {
        out.push(vec![Span::new(NO_NEWLINE_UNIFIED, palette.gutter)]);
    }
    out
}

/// git's note under a last line without a newline (unified layout).
const NO_NEWLINE_UNIFIED: &str = "             \\ no newline at end of file";

fn side_by_side_row(row: &mut Row, palette: &Palette, width: usize) -> Vec<StyledLine> {
    // n │ text ┃ n │ text
    let half = width.saturating_sub(3) / 2;
    let content = half.saturating_sub(8).max(8);
    let cell = |side: &mut Option<(u32, StyledLine)>, marker: &str, style: Style| -> Vec<StyledLine> {
        match side {
            None => vec![vec![Span::plain(" ".repeat(content + 8))]],
            Some((n, text)) => wrap(std::mem::take(text), content)
                .into_iter()
                .enumerate()
                .map(|(i, piece)| {
                    let gutter = if i == 0 {
                        let mut g = String::with_capacity(6);
                        push_number(&mut g, Some(*n));
                        g.push(' ');
                        g
                    } else {
                        "    ↪ ".to_string()
                    };
                    let used: usize = piece.iter().map(|s| s.text.chars().count()).sum();
                    let mut line = vec![
                        Span::new(gutter, palette.gutter),
                        Span::new(if i == 0 { marker } else { " " }, style),
                        Span::plain(" "),
                    ];
                    line.extend(piece);
                    line.push(Span::plain(" ".repeat(content.saturating_sub(used))));
                    line
                })
                .collect(),
        }
    };
    let (lm, ls, rm, rs) = match row.kind {
        RowKind::Context => (" ", Style::default(), " ", Style::default()),
        RowKind::Change => ("-", palette.removed_marker, "+", palette.added_marker),
    };
    let left = cell(&mut row.old, lm, ls);
    let right = cell(&mut row.new, rm, rs);
    let blank = vec![Span::plain(" ".repeat(content + 8))];
    (0..left.len().max(right.len()))
        .map(|i| {
            let mut line = left.get(i).cloned().unwrap_or_else(|| blank.clone());
            line.push(Span::new(" ┃ ", palette.gutter));
            line.extend(right.get(i).cloned().unwrap_or_else(|| blank.clone()));
            line
        })
        .collect()
}

fn hunk_header(hunk: &HunkHead<'_>, palette: &Palette) -> StyledLine {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DiffLine;

    #[test]
    fn word_changes_mark_only_what_changed() {
        let (old, new) = word_changes("let total = count + 1;", "let total = count + 2;");
        assert_eq!(old, [(20, 21)]);
        assert_eq!(new, [(20, 21)]);
        let (old, new) = word_changes("return x", "return y if x else z");
        assert_eq!(old, Vec::<(usize, usize)>::new(), "x is kept");
        assert!(!new.is_empty());
        assert_eq!(word_changes("", ""), (vec![], vec![]));
    }

    #[test]
    fn overlay_splits_spans_at_word_boundaries() {
        let line = vec![Span::plain("abc"), Span::plain("def")];
        let out = overlay(line, &[(2, 4)], Color::Indexed(1), Color::Indexed(2));
        let texts: Vec<(&str, Option<Color>)> = out.iter().map(|s| (s.text.as_str(), s.style.bg)).collect();
        assert_eq!(
            texts,
            [
                ("ab", Some(Color::Indexed(1))),
                ("c", Some(Color::Indexed(2))),
                ("d", Some(Color::Indexed(2))),
                ("ef", Some(Color::Indexed(1)))
            ]
        );
    }

    #[test]
    fn long_change_blocks_come_in_aligned_slices() {
        let line = |kind| DiffLine { kind, old_no: None, new_no: None, text: String::new(), no_newline: false };
        let mut lines = vec![line(LineKind::Context)];
        lines.extend((0..450).map(|_| line(LineKind::Removed)));
        lines.extend((0..300).map(|_| line(LineKind::Added)));
        lines.push(line(LineKind::Context));
        let cut = pieces(lines.len(), |i| lines[i].kind, PIECE);
        let sizes: Vec<usize> = cut.iter().map(Vec::len).collect();
        assert_eq!(sizes, [1, 400, 300, 50, 1]);
        // Two small first pieces, then doubling ones.
        let small = pieces(lines.len() - 1, |i| lines[i + 1].kind, 40);
        let sizes: Vec<usize> = small.iter().map(Vec::len).collect();
        assert_eq!(sizes, [80, 80, 160, 300, 130, 1]);
        // Every line exactly once, either way.
        for (cut, count) in [(cut, lines.len()), (small, lines.len() - 1)] {
            let mut all: Vec<usize> = cut.into_iter().flatten().collect();
            all.sort_unstable();
            assert_eq!(all, (0..count).collect::<Vec<_>>());
        }
    }

    #[test]
    fn wrapping_keeps_every_character() {
        let line = vec![Span::plain("abcdef"), Span::plain("gh")];
        let pieces = wrap(line.clone(), 3);
        let texts: Vec<String> = pieces.iter().map(|p| p.iter().map(|s| s.text.as_str()).collect()).collect();
        assert_eq!(texts, ["abc", "def", "gh"]);
    }
}

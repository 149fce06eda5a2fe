//! What the diff and hex screens hold: the diff's lines as they stream in
//! (with files, hunks, findings and search matches indexed for jumping),
//! and a binary file's bytes, of which only the rows on screen are built.

use ratatui::text::Line;

use super::find::{LineText, Query};
use super::lines::Lines;
use super::style::Styles;
use crate::jobs::{DiffFileInfo, DiffPart, HexData, HexSide, LineTag};

/// A file of the diff and where its lines are.
#[derive(Debug, Clone)]
pub struct FileEntry {
    pub info: DiffFileInfo,
    /// Its first line.
    pub start: usize,
    /// One past its last line (so far).
    pub end: usize,
    pub hunks: Vec<usize>,
    pub collapsed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocState {
    Rendering,
    Done,
    Failed(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    pub query: String,
    /// Lines that match, in order.
    pub matches: Vec<usize>,
    /// The match last jumped to.
    pub current: Option<usize>,
}

/// A place in a diff that survives laying it out again: a file and the
/// share of the way through it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Position {
    pub file: usize,
    pub fraction: f64,
}

pub struct DiffDoc {
    pub id: u64,
    pub sha: String,
    pub width: usize,
    pub side_by_side: bool,
    /// Showing only a backport's drift from its original.
    pub drift: bool,
    pub files: Vec<FileEntry>,
    pub lines: Lines,
    /// The lines' lower-case copy, for searches that ignore case.
    text: LineText,
    pub tags: Vec<LineTag>,
    /// The lines shown (collapsed files show their header only).
    pub rows: Vec<usize>,
    /// First shown row.
    pub top: usize,
    pub state: DocState,
    pub search: Option<Search>,
    /// The sidebar's selected file.
    pub file_cursor: usize,
    /// Open the first binary file in hex as soon as it is known.
    pub hex_when_ready: bool,
    /// Where to scroll once enough lines have arrived.
    pub restore: Option<Position>,
    /// The reader asked for something past what is rendered (the end, a
    /// search, the first finding): render it all.
    pub wants_all: bool,
}

impl DiffDoc {
    pub fn new(id: u64, sha: String, width: usize, side_by_side: bool, drift: bool) -> DiffDoc {
        DiffDoc {
            id,
            sha,
            width,
            side_by_side,
            drift,
            files: Vec::new(),
            lines: Lines::default(),
            text: LineText::default(),
            tags: Vec::new(),
            rows: Vec::new(),
            top: 0,
            state: DocState::Rendering,
            search: None,
            file_cursor: 0,
            hex_when_ready: false,
            restore: None,
            wants_all: false,
        }
    }

    pub fn done(&self) -> bool {
        self.state != DocState::Rendering
    }

    pub fn push(&mut self, part: DiffPart, styles: &Styles) {
        match part {
            DiffPart::File(info) => {
                let at = self.lines.len();
                self.files.push(FileEntry { info, start: at, end: at, hunks: Vec::new(), collapsed: false });
            }
            DiffPart::Lines(lines) => {
                let query = self.search.as_ref().and_then(|s| Query::new(&s.query));
                for (tag, line) in lines {
                    let index = self.lines.len();
                    self.lines.push(line.iter().map(|s| (s.text.as_str(), styles.style(s.style))));
                    self.text.follow(&self.lines);
                    if let (Some(query), Some(search)) = (&query, &mut self.search) {
                        if self.text.holds(&self.lines, index, query) {
                            search.matches.push(index);
                        }
                    }
                    self.tags.push(tag);
                    let file = self.files.last_mut();
                    let collapsed = file.as_ref().is_some_and(|f| f.collapsed);
                    if let Some(file) = file {
                        file.end = index + 1;
                        if tag == LineTag::HunkHeader {
                            file.hunks.push(index);
                        }
                    }
                    if !collapsed || tag == LineTag::FileHeader {
                        self.rows.push(index);
                    }
                }
                self.apply_restore(false);
            }
        }
    }

    pub fn finish(&mut self, result: Result<(), String>) {
        self.state = match result {
            Ok(()) => DocState::Done,
            Err(e) => DocState::Failed(e),
        };
        self.apply_restore(true);
        self.restore = None;
    }

    /// Keeps `top` inside the document (a jump may leave the last lines
    /// at the top of the screen, as in less).
    pub fn settle(&mut self, _screen_rows: usize) {
        self.top = self.top.min(self.rows.len().saturating_sub(1));
    }

    fn max_top(&self, screen_rows: usize) -> usize {
        self.rows.len().saturating_sub(screen_rows.max(1))
    }

    /// Scrolls to the remembered place once its file has arrived (`last`:
    /// nothing more will).
    fn apply_restore(&mut self, last: bool) {
        let Some(position) = self.restore else { return };
        let Some(file) = self.files.get(position.file) else { return };
        let want = file.start + ((file.end - file.start) as f64 * position.fraction) as usize;
        let whole_file_seen = self.files.len() > position.file + 1 || last;
        if want < self.lines.len() && (whole_file_seen || position.fraction == 0.0) {
            self.top = self.row_of(want);
            self.restore = None;
        }
    }

    /// Where the reader is, to come back to after a new layout.
    pub fn position(&self) -> Position {
        let Some(file) = self.current_file() else { return Position { file: 0, fraction: 0.0 } };
        let entry = &self.files[file];
        let line = self.rows.get(self.top).copied().unwrap_or(entry.start);
        let span = (entry.end - entry.start).max(1);
        Position { file, fraction: (line.saturating_sub(entry.start)) as f64 / span as f64 }
    }

    /// The row showing `line`, or the nearest after it.
    pub fn row_of(&self, line: usize) -> usize {
        self.rows.partition_point(|&l| l < line).min(self.rows.len().saturating_sub(1))
    }

    /// The line cut for display that the reader is looking at in file
    /// `index`: the first on screen, else the file's first.
    pub fn cut_line(&self, index: usize, screen_rows: usize) -> Option<crate::render::diff::CutLine> {
        let file = self.files.get(index)?;
        let cut = |line: &usize| match self.tags.get(*line) {
            Some(LineTag::Cut(cut)) if (file.start..file.end).contains(line) => Some(*cut),
            _ => None,
        };
        let on_screen = self.rows.iter().skip(self.top).take(screen_rows);
        on_screen.filter_map(cut).next().or_else(|| (file.start..file.end).find_map(|l| cut(&l)))
    }

    /// The file at the top of the screen.
    pub fn current_file(&self) -> Option<usize> {
        let line = *self.rows.get(self.top)?;
        let after = self.files.partition_point(|f| f.start <= line);
        after.checked_sub(1)
    }

    pub fn scroll(&mut self, by: isize, screen_rows: usize) {
        // Down stops with the last line at the bottom, unless a jump went further.
        let max = self.max_top(screen_rows).max(self.top) as isize;
        self.top = (self.top as isize).saturating_add(by).clamp(0, max) as usize;
    }

    /// The last screenful.
    pub fn bottom(&mut self, screen_rows: usize) {
        self.top = self.max_top(screen_rows);
    }

    pub fn jump_to_file(&mut self, index: usize) {
        if let Some(file) = self.files.get(index) {
            self.top = self.row_of(file.start);
            self.file_cursor = index;
        }
    }

    pub fn select_file(&mut self, by: isize) {
        if self.files.is_empty() {
            return;
        }
        let to = (self.file_cursor as isize + by).clamp(0, self.files.len() as isize - 1) as usize;
        self.jump_to_file(to);
    }

    pub fn next_file(&mut self, forward: bool) {
        let Some(current) = self.current_file() else { return };
        let at_start = self.rows.get(self.top) == self.files.get(current).map(|f| &f.start);
        let target = if forward {
            current + 1
        } else if at_start {
            current.saturating_sub(1)
        } else {
            current
        };
        if target < self.files.len() {
            self.jump_to_file(target);
        }
    }

    pub fn next_hunk(&mut self, forward: bool) {
        let tags = &self.tags;
        let is_start = |row: &usize| matches!(tags.get(*row), Some(LineTag::HunkHeader));
        let found = if forward {
            self.rows.iter().enumerate().skip(self.top + 1).find(|(_, l)| is_start(l)).map(|(i, _)| i)
        } else {
            self.rows.iter().enumerate().take(self.top).rev().find(|(_, l)| is_start(l)).map(|(i, _)| i)
        };
        if let Some(row) = found {
            self.top = row;
        }
    }

    /// Collapses or expands the file at the top (or the sidebar's).
    pub fn toggle_collapse(&mut self) {
        let Some(index) = self.current_file() else { return };
        self.set_collapsed(index, !self.files[index].collapsed);
    }

    fn set_collapsed(&mut self, index: usize, collapsed: bool) {
        let Some(file) = self.files.get_mut(index) else { return };
        file.collapsed = collapsed;
        let start = file.start;
        self.rebuild_rows();
        self.top = self.row_of(start);
    }

    fn rebuild_rows(&mut self) {
        let mut rows = Vec::with_capacity(self.lines.len());
        let mut next_file = 0;
        let mut collapsed = false;
        for (index, tag) in self.tags.iter().enumerate() {
            while next_file < self.files.len() && self.files[next_file].start == index {
                collapsed = self.files[next_file].collapsed;
                next_file += 1;
            }
            if !collapsed || *tag == LineTag::FileHeader {
                rows.push(index);
            }
        }
        self.rows = rows;
    }

    /// Jumps to the first line that reveals a hidden character or names a
    /// payload (expanding its file if collapsed).
    pub fn first_finding(&mut self) -> bool {
        let Some(line) = self.tags.iter().position(|t| *t == LineTag::Finding) else { return false };
        if let Some(file) = self.files.iter().rposition(|f| f.start <= line) {
            if self.files[file].collapsed {
                self.set_collapsed(file, false);
            }
        }
        self.top = self.row_of(line).saturating_sub(2);
        true
    }

    /// Searches every line (and those still to come); returns the count.
    pub fn search(&mut self, query: &str, screen_rows: usize) -> usize {
        if query.is_empty() {
            self.search = None;
            return 0;
        }
        let matches = Query::new(query).map(|q| self.text.find(&self.lines, &q)).unwrap_or_default();
        let count = matches.len();
        self.search = Some(Search { query: query.to_string(), matches, current: None });
        if count > 0 {
            // From the top of the screen on, as less does.
            self.top = self.top.saturating_sub(1);
            self.next_match(true);
            self.settle(screen_rows);
        }
        count
    }

    /// Jumps to the next (or previous) match: (its number, how many).
    pub fn next_match(&mut self, forward: bool) -> Option<(usize, usize)> {
        let search = self.search.as_mut()?;
        if search.matches.is_empty() {
            return None;
        }
        let here = self.rows.get(self.top).copied().unwrap_or(0);
        let index = if forward {
            let i = search.matches.partition_point(|&m| m <= here);
            if i < search.matches.len() {
                i
            } else {
                0
            }
        } else {
            let i = search.matches.partition_point(|&m| m < here);
            if i > 0 {
                i - 1
            } else {
                search.matches.len() - 1
            }
        };
        search.current = Some(index);
        let line = search.matches[index];
        let total = search.matches.len();
        if let Some(file) = self.files.iter().rposition(|f| f.start <= line) {
            if self.files[file].collapsed && self.tags.get(line) != Some(&LineTag::FileHeader) {
                self.set_collapsed(file, false);
            }
        }
        self.top = self.row_of(line);
        Some((index + 1, total))
    }
}

/// The text to look for and whether to ignore case (smart case: only when
/// the query is all lower case).
pub fn line_text(line: &Line<'_>) -> String {
    line.spans.iter().map(|s| s.content.as_ref()).collect()
}

/// A binary file in the hex view.
pub struct HexDoc {
    pub path: String,
    pub data: Option<Result<HexData, String>>,
    /// Showing the new side (else the old).
    pub new_side: bool,
    /// Offset of the first row shown (a multiple of 16).
    pub top: u64,
    /// The finding last jumped to.
    pub finding: Option<usize>,
    /// A line to open at (a text line cut in the diff): on the old side?
    /// and its number.
    pub open_at_line: Option<(bool, u32)>,
    /// Showing what a compressed blob decompresses to (else its raw bytes).
    pub decompressed: bool,
    /// `data` is only the first page, its scan still under way.
    pub partial: bool,
    /// An offset asked for past the first page: gone to when the whole
    /// blob is in.
    pending_goto: Option<u64>,
}

pub const ROW_BYTES: u64 = 16;

impl HexDoc {
    pub fn loading(path: String) -> HexDoc {
        HexDoc {
            path,
            data: None,
            new_side: true,
            top: 0,
            finding: None,
            open_at_line: None,
            decompressed: false,
            partial: false,
            pending_goto: None,
        }
    }

    /// The first page, shown while the blob is read and scanned; a view
    /// that waits for a cut line's offset waits for the whole blob.
    pub fn page(&mut self, page: HexData) {
        if self.data.is_none() && self.open_at_line.is_none() {
            self.new_side = page.new.is_some();
            self.data = Some(Ok(page));
            self.partial = true;
        }
    }

    pub fn arrive(&mut self, result: Result<HexData, String>) {
        self.partial = false;
        if let Ok(data) = &result {
            self.new_side = data.new.is_some();
        }
        self.data = Some(result);
        if let Some(offset) = self.pending_goto.take() {
            self.goto(offset);
        }
        if let Some((old, line)) = self.open_at_line.take() {
            if let Some(Ok(data)) = &self.data {
                // The cut line's side, when it exists.
                self.new_side = if old { data.old.is_none() } else { data.new.is_some() };
            }
            if let Some(offset) = self.side().map(|side| line_offset(&side.bytes, line)) {
                self.goto(offset);
            }
        }
    }

    /// The blob shown, raw.
    fn raw_side(&self) -> Option<&HexSide> {
        let data = self.data.as_ref()?.as_ref().ok()?;
        if self.new_side {
            data.new.as_ref().or(data.old.as_ref())
        } else {
            data.old.as_ref().or(data.new.as_ref())
        }
    }

    /// The bytes shown: the blob, or what it decompresses to.
    pub fn side(&self) -> Option<&HexSide> {
        let raw = self.raw_side()?;
        match &raw.decompressed {
            Some(unpacked) if self.decompressed => Some(unpacked),
            _ => Some(raw),
        }
    }

    /// The other side in the same form, for marking changed bytes.
    pub fn other_side(&self) -> Option<&HexSide> {
        let data = self.data.as_ref()?.as_ref().ok()?;
        let other = if self.new_side { data.old.as_ref() } else { data.new.as_ref() }?;
        let shown_decompressed = self.side()?.stream.is_some();
        match &other.decompressed {
            Some(unpacked) if shown_decompressed => Some(unpacked),
            _ if shown_decompressed => None,
            _ => Some(other),
        }
    }

    /// Switches between the raw blob and what it decompresses to, from the
    /// top: the side now shown, or `None` when the blob is no compressed
    /// stream (nothing changes).
    pub fn toggle_decompressed(&mut self) -> Option<&HexSide> {
        self.raw_side()?.decompressed.as_ref()?;
        self.decompressed = !self.decompressed;
        self.top = 0;
        self.finding = None;
        self.side()
    }

    fn len(&self) -> u64 {
        self.side().map(|s| s.bytes.len() as u64).unwrap_or(0)
    }

    fn last_top(&self, screen_rows: usize) -> u64 {
        let rows = self.len().div_ceil(ROW_BYTES);
        rows.saturating_sub(screen_rows as u64) * ROW_BYTES
    }

    pub fn scroll_rows(&mut self, by: i64, screen_rows: usize) {
        let last = self.last_top(screen_rows).max(self.top) as i64;
        let to = (self.top as i64).saturating_add(by.saturating_mul(ROW_BYTES as i64)).clamp(0, last);
        self.top = to as u64;
    }

    /// Puts the row holding `offset` at the top (the last row, past the end).
    pub fn goto(&mut self, offset: u64) {
        if self.partial && offset >= self.len() {
            self.pending_goto = Some(offset);
        }
        let last_row = self.len().saturating_sub(1) / ROW_BYTES * ROW_BYTES;
        self.top = (offset / ROW_BYTES * ROW_BYTES).min(last_row);
    }

    /// Shows the other blob of a modified file; false when there is none.
    pub fn switch_side(&mut self) -> bool {
        let both = self.data.as_ref().and_then(|d| d.as_ref().ok()).is_some_and(|d| d.old.is_some() && d.new.is_some());
        if both {
            self.new_side = !self.new_side;
            self.finding = None;
        }
        both
    }

    fn jump_to_finding(&mut self, index: usize) -> Option<(usize, usize, u64)> {
        let side = self.side()?;
        let total = side.findings.len();
        let offset = side.findings.get(index)?.offset;
        self.finding = Some(index);
        // A couple of rows of context above.
        self.top = (offset / ROW_BYTES).saturating_sub(2) * ROW_BYTES;
        Some((index + 1, total, offset))
    }

    pub fn finding_from_start(&mut self) -> Option<(usize, usize, u64)> {
        self.jump_to_finding(0)
    }

    pub fn next_finding(&mut self, forward: bool) -> Option<(usize, usize, u64)> {
        let total = self.side()?.findings.len();
        if total == 0 {
            return None;
        }
        let index = match (self.finding, forward) {
            (None, _) => 0,
            (Some(i), true) => (i + 1) % total,
            (Some(i), false) => (i + total - 1) % total,
        };
        self.jump_to_finding(index)
    }
}

/// Where line `line` (1-based) starts in `bytes` (the end, past the last).
fn line_offset(bytes: &[u8], line: u32) -> u64 {
    let skip = (line as usize).saturating_sub(1);
    if skip == 0 {
        return 0;
    }
    memchr::memchr_iter(b'\n', bytes).nth(skip - 1).map_or(bytes.len() as u64, |at| at as u64 + 1)
}

/// The release checklist of a branch.
pub struct ReleaseDoc {
    pub branch: String,
    pub audit: Option<Result<crate::jobs::ReleaseAudit, String>>,
    /// The archive being (or last) verified.
    pub archive: Option<ArchiveCheck>,
    pub scroll: u16,
}

pub struct ArchiveCheck {
    pub path: std::path::PathBuf,
    /// Percent of the archive read, while verifying.
    pub progress: u8,
    pub result: Option<Result<crate::jobs::Verification, String>>,
}

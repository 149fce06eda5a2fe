//! The hex job: a binary file's blobs, each held once, with their payload scan.
//! The view then builds only the rows on screen from these bytes.

use std::sync::Arc;

use crate::inspect;
use crate::render::hex;
use crate::render::StyledLine;
use crate::repo::Repo;

use super::{JobContext, JobError};

/// One side (old or new) of a binary file.
#[derive(Debug, Clone)]
pub struct HexSide {
    pub label: &'static str,
    pub bytes: Arc<Vec<u8>>,
    /// Type, size, entropy and findings, as header lines.
    pub summary: Vec<StyledLine>,
    /// Findings worth a look (not the file's own header), by offset.
    pub findings: Vec<inspect::Finding>,
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
        Ok(Some(HexSide { label, bytes: Arc::new(bytes), summary, findings }))
    };
    Ok(HexData { path: crate::render::sanitize::sanitize_line(path), old: side("old", old)?, new: side("new", new)? })
}

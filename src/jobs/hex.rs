//! The hex job: a binary file's blobs, read once, with their payload scan.
//! The view then builds only the rows on screen from these bytes.

use std::sync::Arc;

use crate::render::hex;
use crate::render::StyledLine;
use crate::repo::Repo;

use super::JobContext;

/// One side (old or new) of a binary file.
#[derive(Debug, Clone)]
pub struct HexSide {
    pub label: &'static str,
    pub bytes: Arc<Vec<u8>>,
    /// Type, size, entropy and findings, as header lines.
    pub summary: Vec<StyledLine>,
    /// Findings worth a look (not the file's own header), by offset.
    pub findings: Vec<hex::Finding>,
}

#[derive(Debug, Clone)]
pub struct HexData {
    pub path: String,
    pub old: Option<HexSide>,
    pub new: Option<HexSide>,
}

/// The payload scan reads at most this much of a blob.
const SCAN_LIMIT: usize = 64 << 20;

pub fn load(ctx: &JobContext, path: &str, old: Option<&str>, new: Option<&str>) -> Result<HexData, String> {
    let repo = Repo::open(&ctx.repo).map_err(|e| e.to_string())?;
    let side = |label: &'static str, id: Option<&str>| -> Result<Option<HexSide>, String> {
        let Some(id) = id else { return Ok(None) };
        let data = repo.blob(id).map_err(|e| e.to_string())?;
        let bytes = Arc::new(data.to_vec());
        drop(data);
        let head = &bytes[..bytes.len().min(SCAN_LIMIT)];
        let all = hex::scan_payloads(head, 0);
        let summary = hex::summary(bytes.len() as u64, &head[..head.len().min(1 << 20)], &all);
        let own = hex::file_type(&head[..head.len().min(4096)]);
        let findings = hex::suspicious(&all, own.as_ref()).into_iter().cloned().collect();
        Ok(Some(HexSide { label, bytes, summary, findings }))
    };
    Ok(HexData { path: crate::render::sanitize::sanitize_line(path), old: side("old", old)?, new: side("new", new)? })
}

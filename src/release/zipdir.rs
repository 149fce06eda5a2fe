//! A zip's layout read by hand, as strictly as the strictest extractor: the
//! central directory (found from the end), then the local headers walked
//! from offset 0. Extractors disagree on zips whose two views differ (two
//! zips joined, an entry only the local headers have, a name that differs):
//! each such place is a [`Differential`].

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};

use super::archive::Differential;
use super::names::lossy;

/// One entry of the central directory.
pub(super) struct CdEntry {
    pub(super) name: Vec<u8>,
    flags: u16,
    compressed: u64,
    /// Where its local header is, as recorded.
    local: u64,
}

/// The central directory and where it lies.
pub(super) struct Directory {
    pub(super) entries: Vec<CdEntry>,
    /// Where the directory actually is (its end record's position less its size).
    cd_start: u64,
    /// Where the end record says it is.
    cd_recorded: u64,
    /// Just past the end record and its comment.
    end: u64,
}

fn u16_at(b: &[u8], i: usize) -> u16 {
    b.get(i..i + 2).map_or(0, |x| u16::from_le_bytes([x[0], x[1]]))
}

fn u32_at(b: &[u8], i: usize) -> u32 {
    b.get(i..i + 4).map_or(0, |x| u32::from_le_bytes([x[0], x[1], x[2], x[3]]))
}

fn u64_at(b: &[u8], i: usize) -> u64 {
    b.get(i..i + 8).and_then(|x| x.try_into().ok()).map_or(0, u64::from_le_bytes)
}

/// Up to `buf.len()` bytes at `pos` (fewer at the end of the file).
fn read_at(mut file: &File, pos: u64, buf: &mut [u8]) -> io::Result<usize> {
    file.seek(SeekFrom::Start(pos))?;
    let mut got = 0;
    while got < buf.len() {
        match file.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    file.seek(SeekFrom::Start(0))?;
    Ok(got)
}

/// Reads the central directory of the zip `file` of `len` bytes.
pub(super) fn read_directory(file: &File, len: u64) -> io::Result<Directory> {
    // The end record: 22 bytes and a comment of at most 64 KiB, at the end.
    let tail_len = len.min(22 + 65535);
    let mut tail = vec![0; tail_len as usize];
    read_at(file, len - tail_len, &mut tail)?;
    let Some(at) = tail.windows(4).rposition(|w| w == b"PK\x05\x06") else {
        return Err(io::Error::other("no end of central directory record"));
    };
    let eocd_pos = len - tail_len + at as u64;
    let eocd = &tail[at..];
    let mut cd_size = u64::from(u32_at(eocd, 12));
    let mut cd_recorded = u64::from(u32_at(eocd, 16));
    let mut cd_end = eocd_pos;
    if u32_at(eocd, 12) == u32::MAX || u32_at(eocd, 16) == u32::MAX || u16_at(eocd, 10) == u16::MAX {
        // Zip64: the locator (20 bytes before) points at the zip64 record.
        if at >= 20 && tail[at - 20..].starts_with(b"PK\x06\x07") {
            let record_at = u64_at(&tail[at - 20..at], 8);
            let mut record = [0u8; 56];
            read_at(file, record_at, &mut record)?;
            if record.starts_with(b"PK\x06\x06") {
                cd_size = u64_at(&record, 40);
                cd_recorded = u64_at(&record, 48);
                cd_end = record_at;
            }
        }
    }
    let cd_start =
        cd_end.checked_sub(cd_size).ok_or_else(|| io::Error::other("a central directory larger than the file"))?;
    if cd_size > 256 << 20 {
        return Err(io::Error::other(format!("a central directory of {cd_size} bytes")));
    }
    let mut cd = vec![0; cd_size as usize];
    read_at(file, cd_start, &mut cd)?;
    let mut entries = Vec::new();
    let mut i = 0usize;
    while i + 46 <= cd.len() && cd[i..].starts_with(b"PK\x01\x02") {
        let name_len = usize::from(u16_at(&cd, i + 28));
        let extra_len = usize::from(u16_at(&cd, i + 30));
        let comment_len = usize::from(u16_at(&cd, i + 32));
        let Some(name) = cd.get(i + 46..i + 46 + name_len) else { break };
        let extra = cd.get(i + 46 + name_len..i + 46 + name_len + extra_len).unwrap_or_default();
        let mut compressed = u64::from(u32_at(&cd, i + 20));
        let mut local = u64::from(u32_at(&cd, i + 42));
        // Zip64 extra field: the 64-bit values of the fields set to all ones.
        let mut j = 0;
        while j + 4 <= extra.len() {
            let (id, size) = (u16_at(extra, j), usize::from(u16_at(extra, j + 2)));
            if id == 1 {
                let mut k = j + 4;
                if u32_at(&cd, i + 24) == u32::MAX {
                    k += 8;
                }
                if compressed == u64::from(u32::MAX) {
                    compressed = u64_at(extra, k);
                    k += 8;
                }
                if local == u64::from(u32::MAX) {
                    local = u64_at(extra, k);
                }
            }
            j += 4 + size;
        }
        entries.push(CdEntry { name: name.to_vec(), flags: u16_at(&cd, i + 8), compressed, local });
        i += 46 + name_len + extra_len + comment_len;
    }
    let end = eocd_pos + 22 + u64::from(u16_at(eocd, 20));
    Ok(Directory { entries, cd_start, cd_recorded, end })
}

/// What is at `pos`, as another extractor would see it.
fn what_is_at(file: &File, pos: u64) -> io::Result<String> {
    let mut head = [0u8; 30 + 256];
    let got = read_at(file, pos, &mut head)?;
    let head = &head[..got];
    if head.starts_with(b"PK\x03\x04") {
        let name_len = usize::from(u16_at(head, 26)).min(256);
        let name = head.get(30..30 + name_len).unwrap_or_default();
        return Ok(format!("a local file header for `{}`", lossy(name)));
    }
    if head.starts_with(b"PK\x05\x06") {
        return Ok("another end of central directory record".to_string());
    }
    let hex: Vec<String> = head.iter().take(8).map(|b| format!("{b:02x}")).collect();
    Ok(format!("bytes {}", hex.join(" ")))
}

/// Walks the local headers from offset 0: exactly the central directory's
/// entries, in order, with no gaps, and nothing before the first or after
/// the end record. The first disagreement is returned.
pub(super) fn check_layout(file: &File, len: u64, dir: &Directory) -> io::Result<Option<Differential>> {
    let found = |offset: u64, detail: String| Ok(Some(Differential { offset, detail }));
    if dir.cd_recorded != dir.cd_start {
        let what = what_is_at(file, 0)?;
        return found(
            0,
            format!(
                "the central directory is at offset {} but its end record says {}: {} bytes come before the archive it describes, starting with {what} — two zips joined or a prepended archive; `unzip` and Python may read another set of files than the one verified",
                dir.cd_start,
                dir.cd_recorded,
                dir.cd_start.saturating_sub(dir.cd_recorded)
            ),
        );
    }
    if dir.end != len {
        let detail = if dir.end < len {
            format!("{} bytes after the end of central directory record, starting with {}: another extractor may read them as an archive", len - dir.end, what_is_at(file, dir.end)?)
        } else {
            "the end record's comment runs past the end of the file".to_string()
        };
        return found(dir.end.min(len), detail);
    }
    let mut pos = 0u64;
    for (i, entry) in dir.entries.iter().enumerate() {
        if entry.local != pos {
            let detail = format!(
                "{} where the central directory lists nothing (its next entry, `{}`, is at offset {}): an extractor that reads local headers sees another file set",
                what_is_at(file, pos)?,
                lossy(&entry.name),
                entry.local
            );
            return found(pos, detail);
        }
        let mut header = vec![0u8; 30 + entry.name.len()];
        let got = read_at(file, pos, &mut header)?;
        if got < 30 || !header.starts_with(b"PK\x03\x04") {
            return found(
                pos,
                format!(
                    "the central directory's `{}` has no local header here: {}",
                    lossy(&entry.name),
                    what_is_at(file, pos)?
                ),
            );
        }
        let name_len = usize::from(u16_at(&header, 26));
        let extra_len = u64::from(u16_at(&header, 28));
        if name_len != entry.name.len() || header.get(30..got) != Some(entry.name.as_slice()) {
            let mut local = vec![0u8; name_len.min(4096)];
            read_at(file, pos + 30, &mut local)?;
            let detail = format!(
                "the local header names `{}`, the central directory `{}`: extractors that read local headers write another file",
                lossy(&local),
                lossy(&entry.name)
            );
            return found(pos, detail);
        }
        pos += 30 + name_len as u64 + extra_len + entry.compressed;
        let next = dir.entries.get(i + 1).map_or(dir.cd_start, |e| e.local);
        if entry.flags & 8 != 0 {
            pos += descriptor_len(file, pos, next)?;
        }
    }
    if pos != dir.cd_start {
        let detail = format!(
            "{} after the last entry, before the central directory at offset {}: an extractor that reads local headers may see more files",
            what_is_at(file, pos)?,
            dir.cd_start
        );
        return found(pos, detail);
    }
    Ok(None)
}

/// The length of the data descriptor at `pos`: with or without its
/// signature, 32- or 64-bit sizes; the one that reaches `next` if any.
fn descriptor_len(file: &File, pos: u64, next: u64) -> io::Result<u64> {
    let mut sig = [0u8; 4];
    read_at(file, pos, &mut sig)?;
    let base = if &sig == b"PK\x07\x08" { 4 } else { 0 };
    Ok([base + 12, base + 20].into_iter().find(|len| pos + len == next).unwrap_or(base + 12))
}

//! Reading a release archive as a stream of entries: the format comes from
//! the magic bytes, never the file name; nothing is extracted to disk. Each
//! entry is handed to the caller once, with a reader over its contents and
//! the compressed bytes consumed so far (for the ratio check).

use std::cell::Cell;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::rc::Rc;

use serde::Serialize;

use super::Error;

/// The archive formats rearview reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Tar,
    TarGz,
    TarXz,
    TarBz2,
    Zip,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Tar => "tar",
            Format::TarGz => "tar.gz",
            Format::TarXz => "tar.xz",
            Format::TarBz2 => "tar.bz2",
            Format::Zip => "zip",
        }
    }
}

/// The format of an archive from its first bytes (at least 265 for a plain
/// tar). A compressed stream is taken to hold a tar; what it holds is
/// checked when it is read.
pub fn detect(head: &[u8]) -> Option<Format> {
    if head.starts_with(b"\x1f\x8b") {
        return Some(Format::TarGz);
    }
    if head.starts_with(b"\xfd7zXZ\0") {
        return Some(Format::TarXz);
    }
    if head.starts_with(b"BZh") && head.get(3).is_some_and(|b| (b'1'..=b'9').contains(b)) {
        return Some(Format::TarBz2);
    }
    // A local file header, or the end of central directory of an empty zip.
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Some(Format::Zip);
    }
    if head.get(257..262) == Some(b"ustar") {
        return Some(Format::Tar);
    }
    // A pre-POSIX (v7) tar: no magic; a header whose checksum adds up.
    if head.len() >= 512 && tar_checksum_ok(&head[..512]) {
        return Some(Format::Tar);
    }
    None
}

fn tar_checksum_ok(header: &[u8]) -> bool {
    let Some(field) = header.get(148..156) else { return false };
    let text: String = field.iter().take_while(|b| **b != 0 && **b != b' ').map(|b| char::from(*b)).collect();
    let Ok(stored) = u32::from_str_radix(text.trim(), 8) else { return false };
    let sum: u32 = header
        .iter()
        .enumerate()
        .map(|(i, b)| if (148..156).contains(&i) { u32::from(b' ') } else { u32::from(*b) })
        .sum();
    sum == stored && header.iter().any(|b| *b != 0)
}

/// Most bytes of a long-name or PAX header read.
const META_CAP: u64 = 1 << 20;

/// A PAX record: key and value.
type Record = (Vec<u8>, Vec<u8>);

/// `LEN key=value\n` records of a PAX header.
fn pax_records(data: &[u8]) -> Result<Vec<Record>, String> {
    let mut out = Vec::new();
    for record in tar::PaxExtensions::new(data) {
        let record = record.map_err(|e| format!("a malformed PAX header: {e}"))?;
        out.push((record.key_bytes().to_vec(), record.value_bytes().to_vec()));
    }
    Ok(out)
}

/// What an entry is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    File {
        /// Unix permission bits, when the archive records them.
        mode: Option<u32>,
    },
    Dir,
    Symlink {
        target: Vec<u8>,
    },
    Hardlink {
        target: Vec<u8>,
    },
    /// A PAX global header or a zip's comment (no file), where `git
    /// archive` writes the commit it archived.
    GlobalHeader {
        comment: Vec<u8>,
    },
    /// Character or block device, FIFO, sparse file, or a type rearview
    /// does not know: named by `what`.
    Special {
        what: String,
    },
}

/// One entry, as the caller sees it.
pub struct Entry<'a> {
    /// The name exactly as stored (bytes: it may not be UTF-8).
    pub name: Vec<u8>,
    pub kind: EntryKind,
    /// The size the archive declares.
    pub size: u64,
    /// For zip: the entry's compressed size (the ratio can be checked
    /// before reading). For tar streams: `None`.
    pub compressed_size: Option<u64>,
    pub reader: &'a mut dyn Read,
}

/// What the caller wants after an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// Stop reading the archive (a limit was reached).
    Stop,
}

/// Compressed bytes read from the archive file so far.
#[derive(Clone, Default)]
pub struct Consumed(Rc<Cell<u64>>);

impl Consumed {
    pub fn get(&self) -> u64 {
        self.0.get()
    }
}

struct Counting<R> {
    inner: R,
    count: Consumed,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.0.set(self.count.0.get().saturating_add(n as u64));
        Ok(n)
    }
}

/// An open archive.
pub struct Archive {
    pub format: Format,
    /// The archive file's size in bytes.
    pub file_size: u64,
    file: File,
    path: std::path::PathBuf,
}

impl Archive {
    pub fn open(path: &Path) -> Result<Archive, Error> {
        let open_err = |source| Error::Open { path: path.to_path_buf(), source };
        let mut file = File::open(path).map_err(open_err)?;
        let meta = file.metadata().map_err(open_err)?;
        if meta.is_dir() {
            return Err(Error::Open {
                path: path.to_path_buf(),
                source: io::Error::other("it is a directory, not an archive"),
            });
        }
        let mut head = Vec::with_capacity(512);
        (&mut file).take(512).read_to_end(&mut head).map_err(open_err)?;
        file.seek(SeekFrom::Start(0)).map_err(open_err)?;
        let format = detect(&head).ok_or_else(|| Error::UnknownFormat {
            path: path.to_path_buf(),
            magic: head.iter().take(8).map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" "),
        })?;
        Ok(Archive { format, file_size: meta.len(), file, path: path.to_path_buf() })
    }

    fn corrupt(&self, why: impl std::fmt::Display) -> Error {
        Error::Corrupt { path: self.path.clone(), format: self.format.as_str(), why: why.to_string() }
    }

    /// Reads every entry in order, handing each to `each` with the
    /// compressed bytes consumed so far.
    pub fn read(
        &self,
        consumed: &Consumed,
        each: &mut dyn FnMut(Entry<'_>, &Consumed) -> Result<Flow, Error>,
    ) -> Result<(), Error> {
        let source = Counting { inner: BufReader::with_capacity(64 * 1024, &self.file), count: consumed.clone() };
        match self.format {
            Format::Tar => self.read_tar(source, consumed, each),
            Format::TarGz => self.read_tar(flate2::read::MultiGzDecoder::new(source), consumed, each),
            Format::TarXz => self.read_tar(lzma_rust2::XzReader::new(source, true), consumed, each),
            Format::TarBz2 => self.read_tar(bzip2::read::MultiBzDecoder::new(source), consumed, each),
            Format::Zip => self.read_zip(consumed, each),
        }
    }

    fn read_tar(
        &self,
        stream: impl Read,
        consumed: &Consumed,
        each: &mut dyn FnMut(Entry<'_>, &Consumed) -> Result<Flow, Error>,
    ) -> Result<(), Error> {
        let mut archive = tar::Archive::new(stream);
        // Raw entries: the tar crate would read a long-name or PAX header
        // into memory whatever its size; here they are capped.
        let entries = archive.entries().map_err(|e| self.corrupt(e))?.raw(true);
        let mut long_name: Option<Vec<u8>> = None;
        let mut long_link: Option<Vec<u8>> = None;
        let mut pax: Vec<Record> = Vec::new();
        for entry in entries {
            let mut entry = entry.map_err(|e| self.corrupt(e))?;
            let ty = entry.header().entry_type();
            let size = entry.size();
            let meta = if ty.is_gnu_longname() {
                Some("GNU long name")
            } else if ty.is_gnu_longlink() {
                Some("GNU long link name")
            } else if ty.is_pax_local_extensions() {
                Some("PAX header")
            } else if ty.is_pax_global_extensions() {
                Some("PAX global header")
            } else {
                None
            };
            if let Some(what) = meta {
                if size > META_CAP {
                    return Err(self.corrupt(format!(
                        "a {what} of {size} bytes (more than {META_CAP}): a hostile archive, not read further"
                    )));
                }
                let mut data = Vec::new();
                entry.read_to_end(&mut data).map_err(|e| self.corrupt(e))?;
                if ty.is_gnu_longname() || ty.is_gnu_longlink() {
                    while data.last() == Some(&0) {
                        data.pop();
                    }
                    if ty.is_gnu_longname() {
                        long_name = Some(data);
                    } else {
                        long_link = Some(data);
                    }
                } else {
                    let records = pax_records(&data).map_err(|e| self.corrupt(e))?;
                    if ty.is_pax_global_extensions() {
                        let comment = records.iter().find(|(k, _)| k == b"comment").map(|(_, v)| v.clone());
                        let header = Entry {
                            name: Vec::new(),
                            kind: EntryKind::GlobalHeader { comment: comment.unwrap_or_default() },
                            size: 0,
                            compressed_size: None,
                            reader: &mut io::empty(),
                        };
                        each(header, consumed)?;
                    } else {
                        pax = records;
                    }
                }
                continue;
            }
            let record = |key: &[u8]| pax.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
            if let Some(text) = record(b"size") {
                let declared = std::str::from_utf8(&text).ok().and_then(|t| t.parse::<u64>().ok());
                if declared != Some(size) {
                    return Err(self.corrupt(format!(
                        "a PAX size record ({}) that disagrees with its header ({size}): tar tools would read this archive differently",
                        String::from_utf8_lossy(&text)
                    )));
                }
            }
            let name = record(b"path")
                .or_else(|| long_name.take())
                .unwrap_or_else(|| entry.header().path_bytes().into_owned());
            let target = record(b"linkpath")
                .or_else(|| long_link.take())
                .or_else(|| entry.header().link_name_bytes().map(|l| l.into_owned()))
                .unwrap_or_default();
            long_name = None;
            long_link = None;
            pax.clear();
            let kind = match ty {
                tar::EntryType::Regular | tar::EntryType::Continuous => {
                    EntryKind::File { mode: entry.header().mode().ok() }
                }
                tar::EntryType::Directory => EntryKind::Dir,
                tar::EntryType::Symlink => EntryKind::Symlink { target },
                tar::EntryType::Link => EntryKind::Hardlink { target },
                tar::EntryType::Char => EntryKind::Special { what: "character device".into() },
                tar::EntryType::Block => EntryKind::Special { what: "block device".into() },
                tar::EntryType::Fifo => EntryKind::Special { what: "FIFO".into() },
                tar::EntryType::GNUSparse => EntryKind::Special { what: "sparse file".into() },
                other => EntryKind::Special { what: format!("tar entry type {:?}", other.as_byte() as char) },
            };
            let flow = each(Entry { name, kind, size, compressed_size: None, reader: &mut entry }, consumed)?;
            if flow == Flow::Stop {
                return Ok(());
            }
        }
        Ok(())
    }

    /// Names that a zip's central directory holds more than once. The zip
    /// reader keeps one entry per name (the last), so the others would go
    /// unread: they are listed here, from the directory itself.
    pub fn zip_duplicates(&self) -> Result<Vec<Vec<u8>>, Error> {
        let names = self.zip_names().map_err(|e| self.corrupt(e))?;
        let mut seen = std::collections::HashSet::new();
        let mut dups = Vec::new();
        for name in names {
            if !seen.insert(name.clone()) && !dups.contains(&name) {
                dups.push(name);
            }
        }
        Ok(dups)
    }

    /// The raw names of the central directory, in order.
    fn zip_names(&self) -> io::Result<Vec<Vec<u8>>> {
        let mut file = &self.file;
        let len = self.file_size;
        // The end of central directory record: 22 bytes and a comment of
        // at most 64 KiB, at the end.
        let tail_len = len.min(22 + 65535);
        let mut tail = vec![0; tail_len as usize];
        file.seek(SeekFrom::Start(len - tail_len))?;
        file.read_exact(&mut tail)?;
        file.seek(SeekFrom::Start(0))?;
        let Some(at) = tail.windows(4).rposition(|w| w == b"PK\x05\x06") else {
            return Err(io::Error::other("no end of central directory record"));
        };
        let eocd_pos = len - tail_len + at as u64;
        let u16_at = |b: &[u8], i: usize| b.get(i..i + 2).map_or(0, |x| u16::from_le_bytes([x[0], x[1]]));
        let u32_at = |b: &[u8], i: usize| b.get(i..i + 4).map_or(0, |x| u32::from_le_bytes([x[0], x[1], x[2], x[3]]));
        let eocd = &tail[at..];
        let mut cd_size = u64::from(u32_at(eocd, 12));
        let mut cd_end = eocd_pos;
        if u32_at(eocd, 12) == u32::MAX || u32_at(eocd, 16) == u32::MAX || u16_at(eocd, 10) == u16::MAX {
            // Zip64: the locator (20 bytes before) points at the zip64 record.
            if at >= 20 && tail[at - 20..].starts_with(b"PK\x06\x07") {
                let loc = &tail[at - 20..at];
                let record_at = u64::from_le_bytes(loc[8..16].try_into().unwrap_or([0; 8]));
                let mut record = [0u8; 56];
                file.seek(SeekFrom::Start(record_at))?;
                file.read_exact(&mut record)?;
                file.seek(SeekFrom::Start(0))?;
                if record.starts_with(b"PK\x06\x06") {
                    cd_size = u64::from_le_bytes(record[40..48].try_into().unwrap_or([0; 8]));
                    cd_end = record_at;
                }
            }
        }
        // Located from its end, the directory is found even after a
        // prepended stub (self-extracting archives).
        let cd_start =
            cd_end.checked_sub(cd_size).ok_or_else(|| io::Error::other("a central directory larger than the file"))?;
        if cd_size > 256 << 20 {
            return Err(io::Error::other(format!("a central directory of {cd_size} bytes")));
        }
        let mut cd = vec![0; cd_size as usize];
        file.seek(SeekFrom::Start(cd_start))?;
        file.read_exact(&mut cd)?;
        file.seek(SeekFrom::Start(0))?;
        let mut names = Vec::new();
        let mut i = 0usize;
        while i + 46 <= cd.len() && cd[i..].starts_with(b"PK\x01\x02") {
            let name_len = usize::from(u16_at(&cd, i + 28));
            let extra_len = usize::from(u16_at(&cd, i + 30));
            let comment_len = usize::from(u16_at(&cd, i + 32));
            let Some(name) = cd.get(i + 46..i + 46 + name_len) else { break };
            names.push(name.to_vec());
            i += 46 + name_len + extra_len + comment_len;
        }
        Ok(names)
    }

    fn read_zip(
        &self,
        consumed: &Consumed,
        each: &mut dyn FnMut(Entry<'_>, &Consumed) -> Result<Flow, Error>,
    ) -> Result<(), Error> {
        let file = Counting { inner: &self.file, count: consumed.clone() };
        let mut zip = zip::ZipArchive::new(file).map_err(|e| self.corrupt(e))?;
        // `git archive --format=zip` writes the commit as the zip comment.
        let comment = zip.comment().to_vec();
        let header = Entry {
            name: Vec::new(),
            kind: EntryKind::GlobalHeader { comment },
            size: 0,
            compressed_size: None,
            reader: &mut io::empty(),
        };
        each(header, consumed)?;
        for index in 0..zip.len() {
            let mut file = zip.by_index(index).map_err(|e| self.corrupt(e))?;
            let name = file.name_raw().to_vec();
            let kind = if file.is_dir() {
                EntryKind::Dir
            } else if file.is_symlink() {
                // A zip symlink's target is its contents (small; capped).
                let mut target = Vec::new();
                (&mut file).take(4096).read_to_end(&mut target).map_err(|e| self.corrupt(e))?;
                EntryKind::Symlink { target }
            } else {
                match file.unix_mode() {
                    Some(mode) if mode & 0o170000 != 0 && mode & 0o170000 != 0o100000 => {
                        EntryKind::Special { what: format!("file of type {:o}", mode & 0o170000) }
                    }
                    mode => EntryKind::File { mode: mode.map(|m| m & 0o7777) },
                }
            };
            let (size, compressed) = (file.size(), file.compressed_size());
            let flow =
                each(Entry { name, kind, size, compressed_size: Some(compressed), reader: &mut file }, consumed)?;
            if flow == Flow::Stop {
                return Ok(());
            }
        }
        Ok(())
    }
}

/// Zip needs `Seek`; the counting wrapper passes it through.
impl<R: Seek> Seek for Counting<R> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_come_from_magic_bytes() {
        assert_eq!(detect(b"\x1f\x8b\x08\0"), Some(Format::TarGz));
        assert_eq!(detect(b"\xfd7zXZ\0\0"), Some(Format::TarXz));
        assert_eq!(detect(b"BZh91AY"), Some(Format::TarBz2));
        assert_eq!(detect(b"BZh"), None);
        assert_eq!(detect(b"PK\x03\x04"), Some(Format::Zip));
        let mut tar = vec![0u8; 512];
        tar[257..262].copy_from_slice(b"ustar");
        assert_eq!(detect(&tar), Some(Format::Tar));
        assert_eq!(detect(b"hello world"), None);
        assert_eq!(detect(&[0u8; 512]), None);
    }
}

//! Reading a release archive as a stream of entries: the format comes from
//! the magic bytes, never the file name; nothing is extracted to disk. Each
//! entry is handed to the caller once, with a reader over its contents and
//! the compressed bytes consumed so far (for the ratio check).

use std::cell::Cell;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::rc::Rc;

use serde::Serialize;

use super::{zipdir, Error};

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
    /// compressed bytes consumed so far. Returns where another extractor
    /// would read on: data after a tar's end marker or a stream's end.
    pub fn read(
        &self,
        consumed: &Consumed,
        each: &mut dyn FnMut(Entry<'_>, &Consumed) -> Result<Flow, Error>,
    ) -> Result<Option<Differential>, Error> {
        let source = BufReader::with_capacity(64 * 1024, Counting { inner: &self.file, count: consumed.clone() });
        let corrupt = |e: io::Error| self.corrupt(e);
        // Single-stream decoders: a second member or stream is trailing
        // data, which `gzip -d` and `xz -d` would decompress too.
        match self.format {
            Format::Tar => {
                let mut tar = Counting { inner: source, count: Consumed::default() };
                self.read_tar(&mut tar, consumed, each)
            }
            Format::TarGz => {
                let mut tar = Counting { inner: flate2::bufread::GzDecoder::new(source), count: Consumed::default() };
                if let Some(found) = self.read_tar(&mut tar, consumed, each)? {
                    return Ok(Some(found));
                }
                let rest = tar.inner.into_inner();
                stream_tail(rest, consumed, "gzip", b"\x1f\x8b").map_err(corrupt)
            }
            Format::TarXz => {
                let mut tar = Counting { inner: lzma_rust2::XzReader::new(source, false), count: Consumed::default() };
                if let Some(found) = self.read_tar(&mut tar, consumed, each)? {
                    return Ok(Some(found));
                }
                let rest = tar.inner.into_inner();
                stream_tail(rest, consumed, "xz", b"\xfd7zXZ\0").map_err(corrupt)
            }
            Format::TarBz2 => {
                let mut tar = Counting { inner: bzip2::bufread::BzDecoder::new(source), count: Consumed::default() };
                if let Some(found) = self.read_tar(&mut tar, consumed, each)? {
                    return Ok(Some(found));
                }
                let rest = tar.inner.into_inner();
                stream_tail(rest, consumed, "bzip2", b"BZh").map_err(corrupt)
            }
            Format::Zip => self.read_zip(consumed, each).map(|()| None),
        }
    }

    /// Reads a tar stream; then what follows its end marker, which must
    /// be zeros (`tar -i` reads on past the marker).
    fn read_tar<R: Read>(
        &self,
        stream: &mut Counting<R>,
        consumed: &Consumed,
        each: &mut dyn FnMut(Entry<'_>, &Consumed) -> Result<Flow, Error>,
    ) -> Result<Option<Differential>, Error> {
        if !self.read_tar_entries(&mut *stream, consumed, each)? {
            // Stopped at a limit: the rest is not read.
            return Ok(None);
        }
        tar_tail(stream).map_err(|e| self.corrupt(e))
    }

    /// The entries of a tar; false when the caller stopped.
    fn read_tar_entries(
        &self,
        stream: &mut dyn Read,
        consumed: &Consumed,
        each: &mut dyn FnMut(Entry<'_>, &Consumed) -> Result<Flow, Error>,
    ) -> Result<bool, Error> {
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
                return Ok(false);
            }
        }
        Ok(true)
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
        let dir = zipdir::read_directory(&self.file, self.file_size)?;
        Ok(dir.entries.into_iter().map(|e| e.name).collect())
    }

    /// Where the zip's local headers disagree with its central directory
    /// (see `zipdir`), if anywhere.
    pub fn zip_layout(&self) -> Result<Option<Differential>, Error> {
        let dir = zipdir::read_directory(&self.file, self.file_size).map_err(|e| self.corrupt(e))?;
        zipdir::check_layout(&self.file, self.file_size, &dir).map_err(|e| self.corrupt(e))
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

/// Where the archive reads differently in another extractor: the offset,
/// and what that extractor would see there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Differential {
    pub offset: u64,
    pub detail: String,
}

/// Most bytes read after a tar's end marker: GNU tar pads to 10 KiB
/// records; more than this is no padding.
const PADDING_CAP: u64 = 1 << 20;

/// After the end marker (the tar crate stops at the first zero block):
/// zeros only, up to [`PADDING_CAP`].
fn tar_tail<R: Read>(stream: &mut Counting<R>) -> io::Result<Option<Differential>> {
    let start = stream.count.get();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let at = stream.count.get();
        let got = match stream.read(&mut buf) {
            Ok(0) => return Ok(None),
            Ok(got) => got,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if let Some(i) = buf[..got].iter().position(|b| *b != 0) {
            let offset = at + i as u64;
            // A header's `ustar` magic sits 257 bytes into its block.
            let block = (i / 512) * 512;
            let header = buf.get(block + 257..block + 262) == Some(b"ustar".as_slice());
            let what = if header { "another tar header" } else { "non-zero data" };
            let detail = format!(
                "{what} at offset {offset} of the tar stream, after its end-of-archive marker: `tar -i` (--ignore-zeros) reads on and extracts what follows; rearview stopped at the marker"
            );
            return Ok(Some(Differential { offset, detail }));
        }
        if stream.count.get() - start > PADDING_CAP {
            let detail = format!(
                "more than {PADDING_CAP} bytes after the tar's end-of-archive marker (offset {start}): no padding is that long; not read further"
            );
            return Ok(Some(Differential { offset: start, detail }));
        }
    }
}

/// After a compressed stream's end: nothing.
fn stream_tail<B: BufRead>(
    mut rest: B,
    consumed: &Consumed,
    what: &str,
    magic: &[u8],
) -> io::Result<Option<Differential>> {
    let left = rest.fill_buf()?;
    if left.is_empty() {
        return Ok(None);
    }
    let offset = consumed.get().saturating_sub(left.len() as u64);
    let detail = if left.starts_with(magic) {
        format!(
            "a second {what} stream at offset {offset}: `{what} -d` decompresses it too and hands tar what it holds; rearview read the first stream only"
        )
    } else {
        let hex: Vec<String> = left.iter().take(8).map(|b| format!("{b:02x}")).collect();
        format!(
            "data after the {what} stream's end at offset {offset} (starting {}): another tool may read it; rearview stopped at the stream's end",
            hex.join(" ")
        )
    };
    Ok(Some(Differential { offset, detail }))
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

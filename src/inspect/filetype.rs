//! File types by magic number: what a blob is, from its first bytes.

use super::bytes::{bytes_at, u32_at, u64_at};

/// A file type recognised by its magic number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FileType {
    /// A short stable name: `xz`, `elf`, `macho`, `java-class`, …
    pub name: &'static str,
    /// What a reader would call it.
    pub description: &'static str,
}

impl FileType {
    /// Whether the type is an executable format (ELF, PE, DOS MZ, Mach-O).
    pub fn is_executable(&self) -> bool {
        matches!(self.name, ELF | PE | MZ | MACHO | MACHO_FAT)
    }
}

const fn ft(name: &'static str, description: &'static str) -> FileType {
    FileType { name, description }
}

/// Names of the executable formats, as [`file_type`] reports them.
pub(super) const ELF: &str = "elf";
pub(super) const PE: &str = "pe";
pub(super) const MZ: &str = "mz";
pub(super) const MACHO: &str = "macho";
pub(super) const MACHO_FAT: &str = "macho-fat";

/// The file at offset `at` of `data` starts with a PE image: `MZ`, then an
/// `e_lfanew` that points at `PE\0\0`. Returns `e_lfanew`.
pub(super) fn pe_header(data: &[u8], at: usize) -> Option<usize> {
    if !bytes_at(data, at, b"MZ") {
        return None;
    }
    let lfanew = usize::try_from(u32_at(data, at.checked_add(0x3c)?, true)?).ok()?;
    if lfanew < 0x40 {
        return None;
    }
    bytes_at(data, at.checked_add(lfanew)?, b"PE\0\0").then_some(lfanew)
}

/// `CAFEBABE` starts both fat Mach-O files and Java classes. A fat file
/// then has a small architecture count; a class file has its version
/// (minor, then major ≥ 45), which read as one big-endian word is ≥ 45.
fn cafebabe_is_fat(data: &[u8], at: usize) -> Option<bool> {
    let next = u32_at(data, at.checked_add(4)?, false)?;
    match next {
        0 => None,
        1..=44 => Some(true),
        _ => Some(false),
    }
}

/// The type of a blob, from its first bytes (pass at least the first 512
/// bytes for tar and a typical PE header; less is fine for the rest).
pub fn file_type(head: &[u8]) -> Option<FileType> {
    let starts = |magic: &[u8]| head.starts_with(magic);
    if starts(b"\xfd7zXZ\0") {
        return Some(ft("xz", "XZ compressed data"));
    }
    if starts(b"\x1f\x8b\x08") {
        return Some(ft("gzip", "gzip compressed data"));
    }
    if starts(b"BZh") && head.get(3).is_some_and(|b| (b'1'..=b'9').contains(b)) {
        return Some(ft("bzip2", "bzip2 compressed data"));
    }
    if starts(b"\x28\xb5\x2f\xfd") {
        return Some(ft("zstd", "Zstandard compressed data"));
    }
    if starts(b"PK\x03\x04") || starts(b"PK\x05\x06") {
        return Some(ft("zip", "Zip archive"));
    }
    if starts(b"7z\xbc\xaf\x27\x1c") {
        return Some(ft("7z", "7-Zip archive"));
    }
    if bytes_at(head, 257, b"ustar") && matches!(head.get(262), Some(0 | b' ')) {
        return Some(ft("tar", "tar archive"));
    }
    if starts(b"\x7fELF") {
        return Some(ft(ELF, "ELF executable, library or object"));
    }
    if starts(b"MZ") {
        return Some(match pe_header(head, 0) {
            Some(_) => ft(PE, "PE executable (Windows)"),
            None => ft(MZ, "DOS MZ executable"),
        });
    }
    if starts(b"\xfe\xed\xfa\xce")
        || starts(b"\xce\xfa\xed\xfe")
        || starts(b"\xfe\xed\xfa\xcf")
        || starts(b"\xcf\xfa\xed\xfe")
    {
        return Some(ft(MACHO, "Mach-O executable"));
    }
    if starts(b"\xca\xfe\xba\xbf") {
        return Some(ft(MACHO_FAT, "Mach-O universal (fat) binary"));
    }
    if starts(b"\xca\xfe\xba\xbe") {
        return match cafebabe_is_fat(head, 0)? {
            true => Some(ft(MACHO_FAT, "Mach-O universal (fat) binary")),
            false => Some(ft("java-class", "Java class file")),
        };
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return Some(ft("png", "PNG image"));
    }
    if starts(b"\xff\xd8\xff") {
        return Some(ft("jpeg", "JPEG image"));
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return Some(ft("gif", "GIF image"));
    }
    if starts(b"%PDF-") {
        return Some(ft("pdf", "PDF document"));
    }
    if starts(b"\0asm") {
        return Some(ft("wasm", "WebAssembly module"));
    }
    if starts(b"SQLite format 3\0") {
        return Some(ft("sqlite", "SQLite 3 database"));
    }
    if is_lzma(head) {
        return Some(ft("lzma", "LZMA (lzma_alone) compressed data"));
    }
    None
}

/// The legacy `.lzma` header has no real magic: properties `5D`, a 32-bit
/// dictionary size (`00 00 xx xx` for the usual sizes) and a 64-bit
/// uncompressed size, all ones when unknown. Checked last, and only with
/// a plausible size.
fn is_lzma(head: &[u8]) -> bool {
    if !head.starts_with(b"\x5d\0\0") {
        return false;
    }
    match u64_at(head, 5, true) {
        Some(size) => size == u64::MAX || size < 1 << 40,
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_magic_number() {
        let mut tar = vec![0u8; 512];
        tar[257..263].copy_from_slice(b"ustar\0");
        let mut pe = vec![0u8; 256];
        pe[..2].copy_from_slice(b"MZ");
        pe[0x3c] = 0x80;
        pe[0x80..0x84].copy_from_slice(b"PE\0\0");
        let mut lzma = b"\x5d\0\0\x80\0".to_vec();
        lzma.extend_from_slice(&[0xff; 8]);
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (b"\xfd7zXZ\0\0\x04".to_vec(), "xz"),
            (lzma, "lzma"),
            (b"\x1f\x8b\x08\0".to_vec(), "gzip"),
            (b"BZh91AY&SY".to_vec(), "bzip2"),
            (b"\x28\xb5\x2f\xfd\x04".to_vec(), "zstd"),
            (b"PK\x03\x04\x14\0".to_vec(), "zip"),
            (b"7z\xbc\xaf\x27\x1c\0\x04".to_vec(), "7z"),
            (tar, "tar"),
            (b"\x7fELF\x02\x01\x01\0".to_vec(), "elf"),
            (pe, "pe"),
            (b"MZ\x90\0".to_vec(), "mz"),
            (b"\xfe\xed\xfa\xce\0\0\0\x12".to_vec(), "macho"),
            (b"\xce\xfa\xed\xfe\x07\0\0\0".to_vec(), "macho"),
            (b"\xfe\xed\xfa\xcf\x01\0\0\x07".to_vec(), "macho"),
            (b"\xcf\xfa\xed\xfe\x0c\0\0\x01".to_vec(), "macho"),
            (b"\xca\xfe\xba\xbe\0\0\0\x02\x01\0\0\x07".to_vec(), "macho-fat"),
            (b"\xca\xfe\xba\xbe\0\0\0\x34".to_vec(), "java-class"),
            (b"\xca\xfe\xba\xbe\0\x03\0\x2d".to_vec(), "java-class"),
            (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(), "png"),
            (b"\xff\xd8\xff\xe0\0\x10JFIF".to_vec(), "jpeg"),
            (b"GIF89a\x01\0".to_vec(), "gif"),
            (b"GIF87a\x01\0".to_vec(), "gif"),
            (b"%PDF-1.7\n".to_vec(), "pdf"),
            (b"\0asm\x01\0\0\0".to_vec(), "wasm"),
            (b"SQLite format 3\0\x10\0".to_vec(), "sqlite"),
        ];
        for (head, name) in cases {
            assert_eq!(file_type(&head).map(|t| t.name), Some(name), "{head:02x?}");
        }
        let executables: Vec<&str> = [&b"\x7fELF"[..], b"MZ\x90\0", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbf", b"%PDF-"]
            .iter()
            .filter_map(|head| file_type(head).filter(FileType::is_executable).map(|t| t.name))
            .collect();
        assert_eq!(executables, ["elf", "mz", "macho", "macho-fat"]);
        for head in [&b""[..], b"hello", b"\xca\xfe\xba\xbe", b"\x5d\0\0", b"\x1f\x8b\x07", b"BZh0"] {
            assert_eq!(file_type(head), None, "{head:02x?}");
        }
    }
}

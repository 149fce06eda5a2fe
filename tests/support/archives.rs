//! Release archives written by the tests: tar (plain, gz, xz, bz2) and zip,
//! with hostile entries (traversal, absolute paths, links, devices,
//! duplicates, raw non-UTF-8 names) that ordinary builders refuse to write.
#![allow(dead_code)] // each test crate that includes this uses a part of it

use std::io::{Read, Write};
use std::path::Path;

/// One archive entry. Names are raw bytes, written as they are.
#[derive(Clone, Debug)]
pub enum Item {
    File {
        name: Vec<u8>,
        data: Vec<u8>,
        mode: u32,
    },
    Dir {
        name: Vec<u8>,
    },
    Symlink {
        name: Vec<u8>,
        target: Vec<u8>,
    },
    Hardlink {
        name: Vec<u8>,
        target: Vec<u8>,
    },
    CharDevice {
        name: Vec<u8>,
    },
    /// A file whose contents come from a reader (a bomb need not be held
    /// in memory): `size` bytes of `byte`.
    Repeated {
        name: Vec<u8>,
        byte: u8,
        size: u64,
    },
    /// A tar header of type `ty` with `data` (a GNU long name `L`, a PAX
    /// header `x` or global header `g`); tar only.
    Meta {
        ty: u8,
        name: Vec<u8>,
        data: Vec<u8>,
    },
}

pub fn file(name: &str, data: &[u8]) -> Item {
    Item::File { name: name.as_bytes().to_vec(), data: data.to_vec(), mode: 0o644 }
}

/// PAX records (`LEN key=value\n`, the length counting itself).
pub fn pax(records: &[(&str, &str)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (key, value) in records {
        let body = format!(" {key}={value}\n");
        let mut len = body.len() + 1;
        while format!("{len}").len() + body.len() != len {
            len += 1;
        }
        out.extend_from_slice(format!("{len}{body}").as_bytes());
    }
    out
}

pub fn dir(name: &str) -> Item {
    Item::Dir { name: name.as_bytes().to_vec() }
}

pub fn symlink(name: &str, target: &str) -> Item {
    Item::Symlink { name: name.as_bytes().to_vec(), target: target.as_bytes().to_vec() }
}

pub fn hardlink(name: &str, target: &str) -> Item {
    Item::Hardlink { name: name.as_bytes().to_vec(), target: target.as_bytes().to_vec() }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Tar,
    TarGz,
    TarXz,
    TarBz2,
    Zip,
}

pub const ALL: [Kind; 5] = [Kind::Tar, Kind::TarGz, Kind::TarXz, Kind::TarBz2, Kind::Zip];

impl Kind {
    /// A file name that does *not* give the format away: rearview must
    /// read the magic bytes.
    pub fn misleading_name(self) -> &'static str {
        match self {
            Kind::Tar => "release.zip",
            Kind::TarGz => "release.tar.xz",
            Kind::TarXz => "release.tar.bz2",
            Kind::TarBz2 => "release.tar",
            Kind::Zip => "release.tar.gz",
        }
    }
}

/// Writes `items` into an archive of `kind` at `path`.
pub fn write(path: &Path, kind: Kind, items: &[Item]) {
    let out = std::fs::File::create(path).expect("create the archive");
    let out = std::io::BufWriter::new(out);
    match kind {
        Kind::Tar => {
            write_tar(out, items).flush().expect("flush");
        }
        Kind::TarGz => {
            // The default level, as `gzip` and release tools use: zlib-rs's
            // fast level (flate2's backend once rPGP is in the build) packs
            // a bomb's zeros too loosely to be one.
            let gz = flate2::write::GzEncoder::new(out, flate2::Compression::default());
            write_tar(gz, items).finish().expect("finish gzip");
        }
        Kind::TarXz => {
            let options = lzma_rust2::XzOptions::with_preset(1);
            let xz = lzma_rust2::XzWriter::new(out, options).expect("xz writer");
            write_tar(xz, items).finish().expect("finish xz");
        }
        Kind::TarBz2 => {
            let bz = bzip2::write::BzEncoder::new(out, bzip2::Compression::fast());
            write_tar(bz, items).finish().expect("finish bzip2");
        }
        Kind::Zip => write_zip(out, items),
    }
}

fn tar_header(name: &[u8], ty: tar::EntryType, size: u64, mode: u32) -> tar::Header {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(ty);
    header.set_size(size);
    header.set_mode(mode);
    header.set_mtime(1_700_000_000);
    // Raw bytes, unchecked: `set_path` would refuse `..` and `/`.
    let field = &mut header.as_old_mut().name;
    assert!(name.len() < field.len(), "test names fit the 100-byte field");
    field[..name.len()].copy_from_slice(name);
    header
}

fn write_tar<W: Write>(out: W, items: &[Item]) -> W {
    let mut builder = tar::Builder::new(out);
    for item in items {
        match item {
            Item::File { name, data, mode } => {
                let mut h = tar_header(name, tar::EntryType::Regular, data.len() as u64, *mode);
                h.set_cksum();
                builder.append(&h, data.as_slice()).expect("append a file");
            }
            Item::Dir { name } => {
                let mut h = tar_header(name, tar::EntryType::Directory, 0, 0o755);
                h.set_cksum();
                builder.append(&h, std::io::empty()).expect("append a directory");
            }
            Item::Symlink { name, target } | Item::Hardlink { name, target } => {
                let ty =
                    if matches!(item, Item::Symlink { .. }) { tar::EntryType::Symlink } else { tar::EntryType::Link };
                let mut h = tar_header(name, ty, 0, 0o777);
                let link = &mut h.as_old_mut().linkname;
                link[..target.len()].copy_from_slice(target);
                h.set_cksum();
                builder.append(&h, std::io::empty()).expect("append a link");
            }
            Item::CharDevice { name } => {
                let mut h = tar_header(name, tar::EntryType::Char, 0, 0o644);
                h.set_cksum();
                builder.append(&h, std::io::empty()).expect("append a device");
            }
            Item::Meta { ty, name, data } => {
                let mut h = tar_header(name, tar::EntryType::new(*ty), data.len() as u64, 0o644);
                h.set_cksum();
                builder.append(&h, data.as_slice()).expect("append a meta header");
            }
            Item::Repeated { name, byte, size } => {
                let mut h = tar_header(name, tar::EntryType::Regular, *size, 0o644);
                h.set_cksum();
                builder.append(&h, std::io::repeat(*byte).take(*size)).expect("append a large file");
            }
        }
    }
    builder.into_inner().expect("finish the tar")
}

fn write_zip<W: Write + std::io::Seek>(out: W, items: &[Item]) {
    use zip::write::SimpleFileOptions;
    let mut zip = zip::ZipWriter::new(out);
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let name = |n: &[u8]| String::from_utf8_lossy(n).into_owned();
    for item in items {
        match item {
            Item::File { name: n, data, mode } => {
                zip.start_file(name(n), options.unix_permissions(*mode)).expect("zip file");
                zip.write_all(data).expect("zip data");
            }
            Item::Dir { name: n } => {
                zip.add_directory(name(n), options).expect("zip dir");
            }
            Item::Symlink { name: n, target } => {
                zip.add_symlink(name(n), name(target), options).expect("zip symlink");
            }
            Item::Repeated { name: n, byte, size } => {
                zip.start_file(name(n), options.large_file(*size > u32::MAX as u64)).expect("zip file");
                std::io::copy(&mut std::io::repeat(*byte).take(*size), &mut zip).expect("zip data");
            }
            Item::Hardlink { .. } | Item::CharDevice { .. } | Item::Meta { .. } => panic!("zip has no {item:?}"),
        }
    }
    zip.finish().expect("finish the zip");
}

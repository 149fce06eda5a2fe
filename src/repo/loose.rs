//! A loose object read straight from its file, inflated piece by piece from
//! a small buffer: libgit2's stream maps the whole compressed file, whose
//! pages would then count against the process's memory.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use flate2::read::ZlibDecoder;

pub type ObjectReader = ZlibDecoder<BufReader<File>>;

/// The loose blob `id` under `objects`, past its header, with its size;
/// `None` when it is not there as a loose blob (packed, in an alternate,
/// or not a blob): the caller asks libgit2 then.
pub fn open(objects: &Path, id: &str) -> Option<(ObjectReader, u64)> {
    let (dir, file) = (id.get(..2)?, id.get(2..)?);
    let file = File::open(objects.join(dir).join(file)).ok()?;
    let mut reader = ZlibDecoder::new(BufReader::with_capacity(256 << 10, file));
    // "blob <decimal size>\0"
    let mut header = Vec::with_capacity(32);
    let mut byte = [0u8; 1];
    while header.len() < 32 {
        reader.read_exact(&mut byte).ok()?;
        if byte[0] == 0 {
            let text = std::str::from_utf8(&header).ok()?;
            let len = text.strip_prefix("blob ")?.parse().ok()?;
            return Some((reader, len));
        }
        header.push(byte[0]);
    }
    None
}

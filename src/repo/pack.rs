//! A packed blob read straight from its pack when it is stored whole (not
//! as a delta), as large blobs are: libgit2 has no stream for packs and
//! would inflate it whole into memory. Pack index version 2 only; anything
//! else is left to libgit2.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use flate2::read::ZlibDecoder;

use super::loose::ObjectReader;

/// The pack object type of a blob.
const OBJ_BLOB: u8 = 3;

fn u32_at(file: &mut File, at: u64) -> Option<u32> {
    let mut b = [0u8; 4];
    file.seek(SeekFrom::Start(at)).ok()?;
    file.read_exact(&mut b).ok()?;
    Some(u32::from_be_bytes(b))
}

/// Where `oid` sits in the pack of version-2 index `idx`.
fn offset_in(idx: &Path, oid: &[u8; 20]) -> Option<u64> {
    let mut file = File::open(idx).ok()?;
    let mut head = [0u8; 8];
    file.read_exact(&mut head).ok()?;
    if head != [0xff, b't', b'O', b'c', 0, 0, 0, 2] {
        return None;
    }
    let fanout = |file: &mut File, byte: usize| u32_at(file, 8 + 4 * byte as u64);
    let first = usize::from(oid[0]);
    let count = u64::from(fanout(&mut file, 255)?);
    let (mut lo, mut hi) =
        (if first == 0 { 0 } else { u64::from(fanout(&mut file, first - 1)?) }, u64::from(fanout(&mut file, first)?));
    let names = 8 + 256 * 4;
    let mut name = [0u8; 20];
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        file.seek(SeekFrom::Start(names + 20 * mid)).ok()?;
        file.read_exact(&mut name).ok()?;
        match name.cmp(oid) {
            std::cmp::Ordering::Less => lo = mid + 1,
            std::cmp::Ordering::Greater => hi = mid,
            std::cmp::Ordering::Equal => {
                let offsets = names + 24 * count;
                let small = u32_at(&mut file, offsets + 4 * mid)?;
                if small & 0x8000_0000 == 0 {
                    return Some(u64::from(small));
                }
                let large = offsets + 4 * count + 8 * u64::from(small & 0x7fff_ffff);
                let (a, b) = (u32_at(&mut file, large)?, u32_at(&mut file, large + 4)?);
                return Some(u64::from(a) << 32 | u64::from(b));
            }
        }
    }
    None
}

/// The blob `oid` if some pack under `objects` holds it whole, past its
/// entry header, with its size.
pub fn open(objects: &Path, oid: &[u8; 20]) -> Option<(ObjectReader, u64)> {
    let packs = std::fs::read_dir(objects.join("pack")).ok()?;
    for entry in packs.flatten() {
        let idx = entry.path();
        if idx.extension().is_none_or(|e| e != "idx") {
            continue;
        }
        let Some(at) = offset_in(&idx, oid) else { continue };
        let mut file = File::open(idx.with_extension("pack")).ok()?;
        file.seek(SeekFrom::Start(at)).ok()?;
        let mut reader = BufReader::with_capacity(256 << 10, file);
        // Type and size: 3 bits and 4, then 7 bits a byte while the top bit is set.
        let mut byte = [0u8; 1];
        reader.read_exact(&mut byte).ok()?;
        if (byte[0] >> 4) & 7 != OBJ_BLOB {
            return None; // A delta: libgit2 resolves it.
        }
        let mut len = u64::from(byte[0] & 0x0f);
        let mut shift = 4;
        while byte[0] & 0x80 != 0 && shift < 64 {
            reader.read_exact(&mut byte).ok()?;
            len |= u64::from(byte[0] & 0x7f) << shift;
            shift += 7;
        }
        return Some((ZlibDecoder::new(reader), len));
    }
    None
}

//! Binary analysis of bytes handed in: file types by magic number, entropy,
//! the payload scan (hidden executables, scripts and dropper commands), the
//! streaming scan of a whole blob, whether bytes are text at all, bounded
//! decompression of a blob that is a compressed stream, and whether what
//! came out is incompressible.
//!
//! Everything here is a pure function over a byte slice, or a scanner fed
//! slices; nothing reads files, git or the terminal. A blob may be 1 GiB,
//! so the functions take a *window* (`&[u8]`) and, where offsets matter,
//! the window's absolute offset in the blob; a whole blob is scanned in one
//! pass by [`BlobScan`], fed a piece at a time. Texts built here (a
//! finding's detail) hold printable ASCII only; `render` shows them.

mod blob;
pub mod build;
mod bytes;
mod decompress;
mod entropy;
pub mod feature_test;
mod filetype;
mod incompressible;
mod payload;
mod text;

pub use blob::{BlobFacts, BlobScan, BLOB_SCAN_VERSION};
pub use decompress::{
    decompress, decompress_to_vec, Compression, Decompressed, Ending, Limits, DECOMPRESSED_CAP, MAX_RATIO, RATIO_FLOOR,
};
pub use entropy::{entropy, entropy_blocks};
pub use filetype::{file_type, FileType};
pub use incompressible::{deflate_kept, incompressible, Incompressible, IncompressibleScan};
pub use payload::{scan_payloads, suspicious, Finding, FindingKind};
pub use text::{is_binary, is_text_byte, BinaryRule};

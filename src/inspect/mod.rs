//! Binary analysis of bytes handed in: file types by magic number, entropy,
//! the payload scan (hidden executables, scripts and dropper commands), the
//! streaming scan of a whole blob, and whether bytes are text at all.
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
mod entropy;
pub mod feature_test;
mod filetype;
mod payload;
mod text;

pub use blob::{BlobFacts, BlobScan};
pub use entropy::{entropy, entropy_blocks};
pub use filetype::{file_type, FileType};
pub use payload::{scan_payloads, suspicious, Finding, FindingKind};
pub use text::{is_binary, is_text_byte, BinaryRule};

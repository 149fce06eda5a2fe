//! One streaming pass over a whole blob: its type, entropy profile and
//! payload findings, fed a piece at a time, in bounded memory.

use super::entropy::entropy_of_counts;
use super::filetype::{file_type, FileType};
use super::payload::{scan_payloads, Finding};

/// How many bytes the payload scan looks at per step of a [`BlobScan`].
const SCAN_STEP: usize = 1 << 20;
/// Bytes a step also sees before and after itself, so a finding near a
/// step's border is seen whole (its line, a PE header's `e_lfanew`, the
/// shell commands merged with it). Each finding is kept by the one step
/// its first byte falls in, so none is lost or doubled.
const SCAN_CONTEXT: usize = 16 << 10;
/// Bytes kept from a blob's start for its type.
const HEAD_BYTES: usize = 4096;

/// The version of what a [`BlobScan`] finds: raised whenever the scan (or
/// the payload scan under it) would find something else in the same bytes,
/// so that facts kept from an older scan are made again.
pub const BLOB_SCAN_VERSION: u32 = 2;

/// What a reader must know about a whole blob: see [`BlobScan`].
#[derive(Debug, Clone, Default)]
pub struct BlobFacts {
    /// The blob's size.
    pub len: u64,
    /// Its first bytes (4 KiB at most), which say its type.
    pub head: Vec<u8>,
    /// Entropy per block, one value per sparkline mark.
    pub entropy: Vec<f32>,
    /// Every payload finding in the blob (see [`scan_payloads`]).
    pub findings: Vec<Finding>,
    /// The whole blob's entropy, bits per byte (what [`super::entropy`]
    /// says of all its bytes at once).
    pub overall_entropy: f32,
}

impl BlobFacts {
    /// The blob's type, from its magic number.
    pub fn file_type(&self) -> Option<FileType> {
        file_type(&self.head)
    }
}

/// Type, entropy and payload findings of a blob fed to it in pieces of any
/// size, front to back, holding at most a few MiB whatever the blob's size:
/// a 1 GiB blob is read once and never held whole.
pub struct BlobScan {
    facts: BlobFacts,
    block: u64,
    /// Byte counts of the current entropy block, four interleaved tables
    /// (one counter per table per byte value avoids store stalls).
    counts: Box<[[u32; 256]; 4]>,
    in_block: u64,
    /// Byte counts of every closed block: the whole blob's entropy.
    totals: Box<[u64; 256]>,
    /// Bytes not yet scanned for payloads, from `window_start`.
    window: Vec<u8>,
    window_start: u64,
    /// Findings before this offset are final.
    scanned_to: u64,
}

impl BlobScan {
    /// A scan of a blob of `len` bytes whose entropy fills at most `marks`
    /// sparkline marks: 4 KiB blocks (or larger, to fit), 256-byte blocks
    /// for blobs under 64 KiB.
    pub fn new(len: u64, marks: usize) -> BlobScan {
        let floor = if len < 64 * 1024 { 256 } else { 4096 };
        let block = len.div_ceil(marks.max(1) as u64).max(floor);
        BlobScan {
            facts: BlobFacts { len, ..BlobFacts::default() },
            block,
            counts: Box::new([[0; 256]; 4]),
            in_block: 0,
            totals: Box::new([0; 256]),
            window: Vec::with_capacity(SCAN_STEP + 3 * SCAN_CONTEXT),
            window_start: 0,
            scanned_to: 0,
        }
    }

    /// The next bytes of the blob.
    pub fn feed(&mut self, mut bytes: &[u8]) {
        let head_room = HEAD_BYTES.saturating_sub(self.facts.head.len());
        self.facts.head.extend_from_slice(bytes.get(..head_room.min(bytes.len())).unwrap_or_default());
        self.count(bytes);
        // Scan step by step, so the window stays small however much is fed.
        while !bytes.is_empty() {
            let room = (SCAN_STEP + 2 * SCAN_CONTEXT).saturating_sub(self.window.len()).max(1);
            let (now, rest) = bytes.split_at(room.min(bytes.len()));
            self.window.extend_from_slice(now);
            bytes = rest;
            self.scan(false);
        }
    }

    /// The facts, once every byte was fed.
    pub fn finish(mut self) -> BlobFacts {
        self.scan(true);
        if self.in_block > 0 {
            self.close_block();
        }
        self.facts.overall_entropy = entropy_of_counts(&self.totals);
        self.facts
    }

    fn count(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let room = usize::try_from(self.block - self.in_block).unwrap_or(usize::MAX);
            let (now, rest) = bytes.split_at(room.min(bytes.len()));
            let [a, b, c, d] = &mut *self.counts;
            let mut quads = now.chunks_exact(4);
            for q in &mut quads {
                if let [w, x, y, z] = *q {
                    a[usize::from(w)] += 1;
                    b[usize::from(x)] += 1;
                    c[usize::from(y)] += 1;
                    d[usize::from(z)] += 1;
                }
            }
            for &w in quads.remainder() {
                a[usize::from(w)] += 1;
            }
            self.in_block += now.len() as u64;
            bytes = rest;
            if self.in_block == self.block {
                self.close_block();
            }
        }
    }

    fn close_block(&mut self) {
        let mut block = [0u64; 256];
        for (value, count) in block.iter_mut().enumerate() {
            *count = self.counts.iter().map(|t| u64::from(t[value])).sum();
            self.totals[value] += *count;
        }
        self.facts.entropy.push(entropy_of_counts(&block));
        *self.counts = [[0; 256]; 4];
        self.in_block = 0;
    }

    /// Scans the window if it holds a whole step and its context after
    /// (or, at the end, whatever is left), keeping the findings that start
    /// in the step; then drops what the next step does not need.
    fn scan(&mut self, last: bool) {
        let window_end = self.window_start + self.window.len() as u64;
        let step_end = if last {
            window_end
        } else if window_end >= self.scanned_to + (SCAN_STEP + SCAN_CONTEXT) as u64 {
            self.scanned_to + SCAN_STEP as u64
        } else {
            return;
        };
        let from = self.scanned_to;
        self.facts.findings.extend(
            scan_payloads(&self.window, self.window_start).into_iter().filter(|f| (from..step_end).contains(&f.offset)),
        );
        self.scanned_to = step_end;
        let keep_from = step_end.saturating_sub(SCAN_CONTEXT as u64).max(self.window_start);
        let cut = usize::try_from(keep_from - self.window_start).unwrap_or(usize::MAX).min(self.window.len());
        self.window.drain(..cut);
        self.window_start += cut as u64;
    }
}

//! One pass over a blob for its hex view: the bytes are inflated on this
//! thread while another scans them (type, entropy, payloads), so the pass
//! costs about what inflating alone does.

use std::io::Read;
use std::sync::mpsc;

use crate::inspect::{BlobFacts, BlobScan};

use super::BlobStream;

/// Bytes read at a time.
const CHUNK: usize = 1 << 20;
/// Chunks in flight between the reader and the scanner.
const IN_FLIGHT: usize = 3;

/// Fills `buf` from `reader`; short only at the end.
fn fill(reader: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while let Some(rest) = buf.get_mut(filled..).filter(|r| !r.is_empty()) {
        match reader.read(rest) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

impl BlobStream<'_> {
    /// Reads the whole blob once, handing each piece to `keep` (with its
    /// offset) as it goes, and returns its facts, with entropy in at most
    /// `marks` blocks. Memory: a few chunks, whatever the blob's size.
    pub fn scan(mut self, marks: usize, mut keep: impl FnMut(u64, &[u8])) -> std::io::Result<BlobFacts> {
        let mut scan = BlobScan::new(self.len(), marks);
        let (full_tx, full_rx) = mpsc::sync_channel::<(Vec<u8>, usize)>(IN_FLIGHT);
        let (empty_tx, empty_rx) = mpsc::channel::<Vec<u8>>();
        std::thread::scope(|s| {
            let scanner = s.spawn(move || {
                for (buf, n) in full_rx {
                    scan.feed(buf.get(..n).unwrap_or_default());
                    // The reader may be gone (it failed); the buffer with it.
                    let _ = empty_tx.send(buf);
                }
                scan.finish()
            });
            let mut at = 0u64;
            let read = loop {
                let mut buf = empty_rx.try_recv().unwrap_or_else(|_| vec![0; CHUNK]);
                let n = match fill(&mut self, &mut buf) {
                    Ok(n) => n,
                    Err(e) => break Err(e),
                };
                if n == 0 {
                    break Ok(());
                }
                keep(at, buf.get(..n).unwrap_or_default());
                at += n as u64;
                if full_tx.send((buf, n)).is_err() {
                    break Err(std::io::Error::other("the blob scanner stopped"));
                }
            };
            drop(full_tx);
            let facts = scanner.join().map_err(|_| std::io::Error::other("the blob scanner failed"))?;
            read.map(|()| facts)
        })
    }
}

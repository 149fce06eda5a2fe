//! Whether bytes are incompressible: encrypted, random, or compressed
//! again. Real compressor test data decompresses to something that
//! compresses (text, zeros, patterns, tables); the xz-utils backdoor's
//! "test file" decompressed to encrypted bytes.
//!
//! Two measures, cheap first: the entropy of each 4 KiB block picks the
//! dense runs (random bytes give 7.95 bits/byte over 4 KiB, text under 5,
//! machine code about 6); a fast deflate of each run then decides, since a
//! pattern such as `00 01 02 … ff` repeated has full entropy yet
//! compresses to nothing.

use super::entropy::entropy;

/// Bytes per entropy block.
pub const BLOCK: usize = 4096;
/// A block at least this dense may be incompressible.
pub const DENSE_ENTROPY: f32 = 7.5;
/// A dense run shorter than this is not tried (a stray table, a small
/// embedded image).
pub const MIN_RUN: u64 = 8 << 10;
/// Incompressible bytes in all below which nothing is reported: tiny
/// outputs are no payload worth the name.
pub const MIN_TOTAL: u64 = 16 << 10;
/// Deflate keeping at least this share of a run found nothing to squeeze.
pub const KEPT_SHARE: f64 = 0.98;
/// Bytes of a run the deflate trial reads (its first ones).
const TRIAL_BYTES: usize = 256 << 10;

/// Incompressible bytes found in a stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Incompressible {
    /// Where the first incompressible run starts.
    pub offset: u64,
    /// Incompressible bytes in all.
    pub bytes: u64,
    /// How many runs they make.
    pub runs: usize,
    /// Their mean entropy, bits per byte.
    pub entropy: f32,
}

/// The share of `bytes` a fast deflate keeps: near 0 for zeros and
/// patterns, about 0.3 to 0.5 for text, 1 or a little more for random or
/// compressed bytes.
pub fn deflate_kept(bytes: &[u8]) -> f64 {
    if bytes.is_empty() {
        return 0.0;
    }
    // miniz_oxide itself, not flate2: its backend is a build-wide feature
    // (rPGP turns on zlib-rs, whose fast level keeps far more of real
    // data), and the thresholds below are measured on this one.
    let packed = miniz_oxide::deflate::compress_to_vec(bytes, 1).len();
    packed as f64 / bytes.len() as f64
}

/// The dense run being read.
struct Run {
    start: u64,
    len: u64,
    entropy_sum: f64,
    blocks: u64,
    /// Its first bytes, for the deflate trial.
    sample: Vec<u8>,
}

/// Finds incompressible runs in a stream fed a piece at a time, holding at
/// most a block and a trial's sample.
#[derive(Default)]
pub struct IncompressibleScan {
    block: Vec<u8>,
    at: u64,
    run: Option<Run>,
    offset: Option<u64>,
    bytes: u64,
    runs: usize,
    entropy_sum: f64,
    blocks: u64,
}

impl IncompressibleScan {
    pub fn new() -> IncompressibleScan {
        IncompressibleScan { block: Vec::with_capacity(BLOCK), ..IncompressibleScan::default() }
    }

    /// The next bytes of the stream.
    pub fn feed(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let take = (BLOCK - self.block.len()).min(bytes.len());
            let (now, rest) = bytes.split_at(take);
            self.block.extend_from_slice(now);
            bytes = rest;
            if self.block.len() == BLOCK {
                self.close_block();
            }
        }
    }

    /// What was found, once every byte was fed; `None` below [`MIN_TOTAL`].
    /// A last partial block is left out: its entropy means little.
    pub fn finish(mut self) -> Option<Incompressible> {
        self.close_run();
        let offset = self.offset.filter(|_| self.bytes >= MIN_TOTAL)?;
        let entropy = (self.entropy_sum / self.blocks.max(1) as f64) as f32;
        Some(Incompressible { offset, bytes: self.bytes, runs: self.runs, entropy })
    }

    fn close_block(&mut self) {
        let h = entropy(&self.block);
        let start = self.at;
        self.at += self.block.len() as u64;
        if h < DENSE_ENTROPY {
            self.close_run();
        } else {
            let run = self.run.get_or_insert_with(|| Run {
                start,
                len: 0,
                entropy_sum: 0.0,
                blocks: 0,
                sample: Vec::with_capacity(TRIAL_BYTES.min(64 << 10)),
            });
            run.len += self.block.len() as u64;
            run.entropy_sum += f64::from(h);
            run.blocks += 1;
            let room = TRIAL_BYTES.saturating_sub(run.sample.len()).min(self.block.len());
            run.sample.extend_from_slice(self.block.get(..room).unwrap_or_default());
        }
        self.block.clear();
    }

    fn close_run(&mut self) {
        let Some(run) = self.run.take() else { return };
        if run.len < MIN_RUN || deflate_kept(&run.sample) < KEPT_SHARE {
            return;
        }
        self.offset.get_or_insert(run.start);
        self.bytes += run.len;
        self.runs += 1;
        self.entropy_sum += run.entropy_sum;
        self.blocks += run.blocks;
    }
}

/// [`IncompressibleScan`] over bytes in memory.
pub fn incompressible(bytes: &[u8]) -> Option<Incompressible> {
    let mut scan = IncompressibleScan::new();
    scan.feed(bytes);
    scan.finish()
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    /// Deterministic noise (xorshift): as random as encrypted bytes, to
    /// entropy and deflate alike.
    fn noise(len: usize, mut seed: u64) -> Vec<u8> {
        (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed >> 24) as u8
            })
            .collect()
    }

    /// Prose-like text: words from a small vocabulary, in varied order.
    fn prose(len: usize) -> Vec<u8> {
        let words = [
            "the",
            "stream",
            "decoder",
            "reads",
            "a",
            "block",
            "of",
            "compressed",
            "data",
            "and",
            "checks",
            "its",
            "header",
            "before",
            "writing",
            "output",
            "to",
            "buffer",
            "when",
            "size",
            "is",
            "known",
        ];
        let picks = noise(len, 3);
        let mut out = Vec::with_capacity(len + 16);
        let mut i = 0;
        while out.len() < len {
            let word = words[usize::from(picks[i % picks.len()]) % words.len()];
            out.extend_from_slice(word.as_bytes());
            out.push(if i % 11 == 10 { b'\n' } else { b' ' });
            i += 1;
        }
        out.truncate(len);
        out
    }

    fn deflated(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(bytes).expect("deflate");
        encoder.finish().expect("deflate")
    }

    /// 16-bit samples of a slow wave with a little noise: like audio or
    /// image test data, dense to entropy, yet compressible.
    fn samples(len: usize, jitter_bits: u32) -> Vec<u8> {
        let jitter = noise(len, 5);
        (0..len / 2)
            .flat_map(|i| {
                let wave = (i as f64 / 40.0).sin() * 12_000.0 + f64::from(u32::from(jitter[i]) >> (8 - jitter_bits));
                (wave as i16).to_le_bytes()
            })
            .collect()
    }

    #[test]
    fn random_and_compressed_again_are_incompressible() {
        let random = noise(48 << 10, 1);
        let found = incompressible(&random).expect("random bytes");
        assert_eq!((found.offset, found.bytes, found.runs), (0, 48 << 10, 1));
        assert!(found.entropy > 7.9, "{}", found.entropy);

        let twice = deflated(&prose(400 << 10));
        assert!(twice.len() >= MIN_TOTAL as usize, "{}", twice.len());
        assert!(incompressible(&twice).is_some(), "text compressed again");

        // Hidden after 8000 bytes of text: found where it starts (the
        // block holding the seam is mixed, so the run starts a block on).
        let mut hidden = prose(8000);
        hidden.extend(noise(64 << 10, 9));
        hidden.extend(prose(8000));
        let found = incompressible(&hidden).expect("hidden in text");
        assert_eq!(found.offset, 8192);
        assert!(found.bytes >= 60 << 10, "{}", found.bytes);
    }

    #[test]
    fn real_data_compresses_and_is_not_flagged() {
        let zeros = vec![0u8; 1 << 20];
        let pattern: Vec<u8> = (0..=255u8).cycle().take(1 << 20).collect();
        let text = prose(1 << 20);
        let wave = samples(1 << 20, 4);
        let noisy = samples(1 << 20, 8);
        let cases = [("zeros", &zeros), ("pattern", &pattern), ("text", &text), ("samples", &wave), ("noisy", &noisy)];
        for (name, bytes) in cases {
            assert_eq!(incompressible(bytes), None, "{name}");
        }
        // The pattern is as dense as noise: only deflate tells them apart.
        assert!(entropy(&pattern[..BLOCK]) > 7.99);
        assert!(deflate_kept(&pattern) < 0.05);
    }

    #[test]
    fn tiny_outputs_are_not_flagged() {
        assert_eq!(incompressible(&noise(12 << 10, 2)), None, "below the total");
        assert_eq!(incompressible(&noise(3000, 2)), None, "below a block");
        assert_eq!(incompressible(&[]), None);
        // Short dense runs between text do not add up.
        let mut patchy = Vec::new();
        for seed in 0..8 {
            patchy.extend(noise(4096, seed + 20));
            patchy.extend(prose(4096));
        }
        assert_eq!(incompressible(&patchy), None);
    }

    #[test]
    fn runs_are_added_up_and_pieces_of_any_size_agree() {
        let mut two = noise(12 << 10, 4);
        two.extend(vec![b'a'; 8192]);
        two.extend(noise(12 << 10, 6));
        let whole = incompressible(&two).expect("two runs of 12 KiB");
        assert_eq!((whole.offset, whole.bytes, whole.runs), (0, 24 << 10, 2));
        let mut scan = IncompressibleScan::new();
        for piece in two.chunks(777) {
            scan.feed(piece);
        }
        assert_eq!(scan.finish(), Some(whole));
    }

    /// The figures behind the thresholds, and the margins they leave
    /// (`cargo test --lib figures -- --nocapture` prints them).
    #[test]
    fn the_thresholds_separate_random_from_real_data_with_a_margin() {
        let f32_noise: Vec<u8> = noise(192 << 10, 8)
            .chunks_exact(3)
            .flat_map(|c| (f32::from(c[0]) / 256.0 + f32::from(c[1]) / 65536.0).to_le_bytes())
            .collect();
        let cases: Vec<(&str, bool, Vec<u8>)> = vec![
            ("random", true, noise(256 << 10, 1)),
            ("deflated text", true, deflated(&prose(1 << 20))),
            ("text", false, prose(256 << 10)),
            ("samples", false, samples(256 << 10, 4)),
            ("noisy samples", false, samples(256 << 10, 8)),
            ("f32 noise", false, f32_noise),
            ("pattern", false, (0..=255u8).cycle().take(256 << 10).collect()),
            ("zeros", false, vec![0; 256 << 10]),
        ];
        for (name, random, bytes) in cases {
            let blocks: Vec<f32> = bytes.chunks_exact(BLOCK).map(entropy).collect();
            let min = blocks.iter().copied().fold(8.0f32, f32::min);
            let max = blocks.iter().copied().fold(0.0f32, f32::max);
            let kept = deflate_kept(&bytes);
            eprintln!("{name:>14}: block entropy {min:.3}..{max:.3}, deflate keeps {kept:.4}");
            if random {
                assert!(min > DENSE_ENTROPY + 0.3 && kept > KEPT_SHARE + 0.015, "{name}");
            } else {
                assert!(kept < KEPT_SHARE - 0.02, "{name}: {kept}");
            }
        }
    }
}

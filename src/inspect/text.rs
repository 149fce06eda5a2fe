//! Text or binary: the one rule for whether bytes are binary content, and
//! for whether a byte reads as text.

/// How many leading bytes are searched for a NUL, as git does.
const NUL_PROBE: usize = 8000;

/// What makes bytes binary besides a NUL in their first 8000 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryRule {
    /// Nothing else: git's rule (diffs, blob searches).
    NulOnly,
    /// Bytes that are not UTF-8 too (release files). With `truncated`, the
    /// bytes are the head of something longer, and a character cut at
    /// their end does not count.
    NulOrInvalidUtf8 { truncated: bool },
}

/// Whether `data` is binary content under `rule`.
pub fn is_binary(data: &[u8], rule: BinaryRule) -> bool {
    if data.get(..data.len().min(NUL_PROBE)).unwrap_or_default().contains(&0) {
        return true;
    }
    match rule {
        BinaryRule::NulOnly => false,
        BinaryRule::NulOrInvalidUtf8 { truncated } => match std::str::from_utf8(data) {
            Ok(_) => false,
            Err(e) => !(truncated && e.error_len().is_none()),
        },
    }
}

/// Whether a byte reads as text on a line: printable ASCII, a space or a tab.
pub fn is_text_byte(b: u8) -> bool {
    b.is_ascii_graphic() || matches!(b, b' ' | b'\t')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_is_a_nul_in_the_first_8000_bytes() {
        assert!(is_binary(b"ELF\0", BinaryRule::NulOnly));
        assert!(!is_binary(b"plain text", BinaryRule::NulOnly));
        let mut late = vec![b'a'; 9000];
        late[8500] = 0;
        assert!(!is_binary(&late, BinaryRule::NulOnly));
        // Not UTF-8 is text to git, binary to the stricter rule.
        assert!(!is_binary(b"caf\xe9", BinaryRule::NulOnly));
        assert!(is_binary(b"caf\xe9", BinaryRule::NulOrInvalidUtf8 { truncated: false }));
    }

    #[test]
    fn a_character_cut_at_a_truncated_end_is_not_binary() {
        let text = "é".as_bytes();
        assert!(!is_binary(&text[..1], BinaryRule::NulOrInvalidUtf8 { truncated: true }));
        assert!(is_binary(&text[..1], BinaryRule::NulOrInvalidUtf8 { truncated: false }));
        assert!(is_binary(b"a\0b", BinaryRule::NulOrInvalidUtf8 { truncated: false }));
        assert!(is_binary(b"a\0b", BinaryRule::NulOrInvalidUtf8 { truncated: true }));
        // An invalid byte before the end is binary, cut or not.
        assert!(is_binary(b"a\xffb", BinaryRule::NulOrInvalidUtf8 { truncated: true }));
    }

    #[test]
    fn text_bytes() {
        assert!(is_text_byte(b'a') && is_text_byte(b' ') && is_text_byte(b'\t') && is_text_byte(b'~'));
        assert!(!is_text_byte(b'\n') && !is_text_byte(0) && !is_text_byte(0x7f) && !is_text_byte(0xe9));
    }
}

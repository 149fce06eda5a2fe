//! A blob's whole scan (size, type, entropy, payload findings) kept in the
//! store by blob id, so the hex view's second page of a blob reads only the
//! page. A row is trusted only when it decodes, was made by this scanner
//! version for the same number of entropy marks, and fits the blob it
//! names; anything else is a miss, scanned again and written over.

use serde::{Deserialize, Serialize};

use crate::inspect::{BlobFacts, Finding, FindingKind, BLOB_SCAN_VERSION};
use crate::store::{Store, StoreError};

/// The most bytes of a blob's head a row may hold (what the scan keeps).
const HEAD_LIMIT: usize = 4096;

/// A blob's facts as the store keeps them.
#[derive(Serialize, Deserialize)]
struct Row {
    version: u32,
    len: u64,
    marks: usize,
    /// What the head says the blob is, for a reader of the store; the type
    /// shown is read again from `head`.
    file_type: Option<String>,
    /// The first bytes (4 KiB at most), as hex digits.
    head: String,
    entropy: Vec<f32>,
    findings: Vec<RowFinding>,
    /// The whole blob's entropy.
    #[serde(default)]
    overall: f32,
}

#[derive(Serialize, Deserialize)]
struct RowFinding {
    offset: u64,
    len: u64,
    kind: String,
    detail: String,
}

/// The cached facts of blob `id` of `len` bytes, scanned with entropy in
/// `marks` marks; `None` on a miss (absent, another scanner's, another
/// size, or not decodable).
pub fn cached(store: &Store, id: &str, len: u64, marks: usize) -> Result<Option<BlobFacts>, StoreError> {
    let Some((version, json)) = store.blob_scan(id)? else { return Ok(None) };
    if version != i64::from(BLOB_SCAN_VERSION) {
        return Ok(None);
    }
    Ok(serde_json::from_str::<Row>(&json).ok().and_then(|row| decode(row, len, marks)))
}

/// Keeps blob `id`'s facts, scanned with entropy in `marks` marks.
pub fn remember(store: &mut Store, id: &str, marks: usize, facts: &BlobFacts) -> Result<(), StoreError> {
    let row = Row {
        version: BLOB_SCAN_VERSION,
        len: facts.len,
        marks,
        file_type: facts.file_type().map(|t| t.description.to_string()),
        head: facts.head.iter().map(|b| format!("{b:02x}")).collect(),
        entropy: facts.entropy.clone(),
        findings: facts
            .findings
            .iter()
            .map(|f| RowFinding { offset: f.offset, len: f.len, kind: f.kind.label().into(), detail: f.detail.clone() })
            .collect(),
        overall: facts.overall_entropy,
    };
    // Plain numbers and strings: serializing cannot fail; if it ever did,
    // nothing is kept and the next view scans again.
    let Ok(json) = serde_json::to_string(&row) else { return Ok(()) };
    store.cache_blob_scan(id, i64::from(BLOB_SCAN_VERSION), &json)
}

/// A row's facts if they hold together for a blob of `len` bytes.
fn decode(row: Row, len: u64, marks: usize) -> Option<BlobFacts> {
    let fits = row.version == BLOB_SCAN_VERSION
        && row.len == len
        && row.marks == marks
        && row.entropy.len() <= marks
        && row.entropy.iter().all(|h| (0.0..=8.0).contains(h))
        && (0.0..=8.0).contains(&row.overall)
        && row.head.len() <= 2 * HEAD_LIMIT
        && row.head.len() as u64 == 2 * len.min(HEAD_LIMIT as u64);
    if !fits {
        return None;
    }
    let head = unhex(&row.head)?;
    let overall_entropy = row.overall;
    let findings = row
        .findings
        .into_iter()
        .map(|f| {
            let kind = FindingKind::ALL.into_iter().find(|k| k.label() == f.kind)?;
            (f.offset < len && f.len <= len - f.offset).then_some(Finding {
                offset: f.offset,
                len: f.len,
                kind,
                detail: f.detail,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    Some(BlobFacts { len, head, entropy: row.entropy, findings, overall_entropy })
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    let digits = text.as_bytes();
    if !digits.len().is_multiple_of(2) {
        return None;
    }
    digits.chunks_exact(2).map(|pair| u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> BlobFacts {
        BlobFacts {
            len: 10_000,
            head: (0..4096u32).map(|i| (i % 251) as u8).collect(),
            entropy: vec![7.99, 0.0, 3.25],
            findings: vec![Finding {
                offset: 5000,
                len: 13,
                kind: FindingKind::ScriptMarker,
                detail: "####Hello####".into(),
            }],
            overall_entropy: 6.5,
        }
    }

    fn row_of(f: &BlobFacts) -> Row {
        let json = serde_json::to_string(&Row {
            version: BLOB_SCAN_VERSION,
            len: f.len,
            marks: 64,
            file_type: None,
            head: f.head.iter().map(|b| format!("{b:02x}")).collect(),
            entropy: f.entropy.clone(),
            findings: f
                .findings
                .iter()
                .map(|x| RowFinding {
                    offset: x.offset,
                    len: x.len,
                    kind: x.kind.label().into(),
                    detail: x.detail.clone(),
                })
                .collect(),
            overall: f.overall_entropy,
        });
        serde_json::from_str(&json.expect("encode")).expect("decode")
    }

    #[test]
    fn facts_come_back_as_they_went_in() {
        let f = facts();
        let back = decode(row_of(&f), f.len, 64).expect("decodes");
        assert_eq!((back.len, &back.head, &back.entropy, &back.findings), (f.len, &f.head, &f.entropy, &f.findings));
    }

    #[test]
    fn rows_that_do_not_fit_the_blob_are_misses() {
        let f = facts();
        assert!(decode(row_of(&f), f.len + 1, 64).is_none(), "another size");
        assert!(decode(row_of(&f), f.len, 48).is_none(), "other marks");
        let mut far = f.clone();
        far.findings[0].offset = f.len;
        assert!(decode(row_of(&far), f.len, 64).is_none(), "a finding past the end");
        let mut odd = row_of(&f);
        odd.head.replace_range(0..2, "zz");
        assert!(decode(odd, f.len, 64).is_none(), "a head that is not hex");
        let mut unknown = row_of(&f);
        unknown.findings[0].kind = "rootkit".into();
        assert!(decode(unknown, f.len, 64).is_none(), "a kind this build does not know");
        let mut hot = row_of(&f);
        hot.entropy[0] = 9.0;
        assert!(decode(hot, f.len, 64).is_none(), "entropy out of range");
    }
}

//! A plain change for the unit tests of the layers above `model`.

use super::{Change, ChangeKind, Verdict};

/// A merged, unreviewed change with no files, risks or evidence.
pub(crate) fn change() -> Change {
    Change {
        sha: "a".repeat(40),
        short_sha: "aaaaaaaaaa".into(),
        branch: "main".into(),
        kind: ChangeKind::Merge,
        pr: Some(7),
        title: "A change".into(),
        author: "Alice".into(),
        author_email: "alice@example.org".into(),
        author_login: Some("alice".into()),
        author_association: None,
        committer: "Alice".into(),
        merged_by: Some("bob".into()),
        merged_at: "2024-01-01T00:00:00Z".into(),
        verdict: Verdict::Unreviewed,
        pending: true,
        evidence: Vec::new(),
        original: None,
        unlinked_backport: false,
        patch_id_matches: None,
        files: Vec::new(),
        score: 0,
        drift: None,
        risks: Vec::new(),
        parties: Vec::new(),
    }
}

/// A text file modified in place, with `hunks`.
pub(crate) fn modified(path: &str, hunks: Vec<super::Hunk>) -> super::FileDiff {
    super::FileDiff {
        old_path: Some(path.into()),
        new_path: Some(path.into()),
        status: super::FileStatus::Modified,
        similarity: None,
        old_mode: 0o100644,
        new_mode: 0o100644,
        binary: false,
        old_blob: None,
        new_blob: None,
        hunks,
    }
}

//! The binary inventory: every binary file in a tree, what it is, what is
//! hidden in it, who brought it in and under which verdict, and what
//! explains it (text that names it, a configured upstream). Plain data;
//! times are seconds since the epoch and serialize as RFC 3339.

use serde::{Serialize, Serializer};

use super::{rfc3339, Verdict};

fn time<S: Serializer>(at: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => s.serialize_str(&rfc3339(*at)),
        None => s.serialize_none(),
    }
}

/// One binary file of the tree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BinaryFile {
    pub path: String,
    /// The blob's id (what the hex view reads).
    pub blob: String,
    pub size: u64,
    /// What its magic number says it is (`None`: no known format).
    #[serde(rename = "type")]
    pub file_type: Option<String>,
    /// Shannon entropy of the whole blob, bits per byte.
    pub entropy: f32,
    /// Payload findings in the blob, and in what it decompresses to.
    pub findings: Vec<BinaryFinding>,
    /// The author of the change that brought it in at this path.
    pub added_by: Option<String>,
    pub added_in: Option<String>,
    #[serde(serialize_with = "time")]
    pub added_at: Option<i64>,
    pub last_changed_in: Option<String>,
    /// The changes that added or changed it, newest first.
    pub verdicts: Vec<BinaryVerdict>,
    pub provenance: Provenance,
    /// Where it comes from, when the config says (`[[binaries.upstream]]`).
    pub upstream: Option<String>,
    /// Why it is where it is in the list.
    pub concern: Concern,
}

impl BinaryFile {
    /// Some change that added or changed it still needs a reviewer.
    pub fn unreviewed(&self) -> bool {
        self.verdicts.iter().any(|v| v.verdict.is_pending())
    }

    /// Neither text in the tree nor the config says where it comes from.
    pub fn unexplained(&self) -> bool {
        self.upstream.is_none() && self.provenance.is_empty()
    }
}

/// A payload finding in a binary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BinaryFinding {
    /// Byte offset (in the decompressed bytes when `inside` is set).
    pub offset: u64,
    pub kind: String,
    pub detail: String,
    /// The compressed stream it was found in (`gzip`), if any.
    pub inside: Option<String>,
}

/// A change that added or changed a binary, with its verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BinaryVerdict {
    pub sha: String,
    pub verdict: Verdict,
    /// This change brought the file in (at this path).
    pub added: bool,
}

/// A line of a text file that names a binary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Naming {
    pub path: String,
    pub line: u32,
    /// The line, trimmed and clipped.
    pub text: String,
}

/// What in the tree explains a binary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Provenance {
    /// Text files that name it (its file name), at most a few.
    pub mentioned_by: Vec<String>,
    /// Text files that name its directory (two levels deep or more).
    pub directory_mentioned_by: Vec<String>,
    /// A README line that names it.
    pub readme: Option<Naming>,
    /// A Makefile rule (or recipe line) that names it.
    pub makefile: Option<Naming>,
    /// A script that names it on a line that writes a file.
    pub generator: Option<Naming>,
}

impl Provenance {
    pub fn is_empty(&self) -> bool {
        self.mentioned_by.is_empty()
            && self.directory_mentioned_by.is_empty()
            && self.readme.is_none()
            && self.makefile.is_none()
            && self.generator.is_none()
    }
}

/// Where a binary sorts, most concerning first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Concern {
    /// Something hides in it.
    Payload,
    /// Unreviewed, and nothing explains it.
    UnreviewedUnexplained,
    /// Unreviewed, or unexplained, not both.
    UnreviewedOrUnexplained,
    /// Reviewed and explained.
    Explained,
}

impl Concern {
    pub fn of(file: &BinaryFile) -> Concern {
        match (!file.findings.is_empty(), file.unreviewed(), file.unexplained()) {
            (true, _, _) => Concern::Payload,
            (false, true, true) => Concern::UnreviewedUnexplained,
            (false, true, false) | (false, false, true) => Concern::UnreviewedOrUnexplained,
            (false, false, false) => Concern::Explained,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Concern::Payload => "payload",
            Concern::UnreviewedUnexplained => "unreviewed_unexplained",
            Concern::UnreviewedOrUnexplained => "unreviewed_or_unexplained",
            Concern::Explained => "explained",
        }
    }
}

/// Most concerning first: payloads, then unreviewed and unexplained, then
/// the rest; within each, the most recently added first, then by path.
pub fn sort_by_concern(files: &mut [BinaryFile]) {
    files.sort_by(|a, b| a.concern.cmp(&b.concern).then(b.added_at.cmp(&a.added_at)).then(a.path.cmp(&b.path)));
}

//! Plain data shared by every layer, and the pure parsing of commit
//! messages into it (`message`). No I/O.

pub mod binary;
mod content;
pub mod coverage;
pub mod independence;
mod ledger;
pub mod message;
pub mod people;
mod release_tag;
#[cfg(test)]
pub(crate) mod sample;

pub use content::{BuildClass, BuildEdit, ContentFinding, ContentKind, ContentScan, Place, SCAN_RULES};
pub use ledger::{Approval, Delivery, LedgerKind, OutboxEntry};
pub use release_tag::{release_findings, ReleaseFinding, ReleaseTag, SignatureKind, Tag, TagConcern, TagSignature};

use serde::{Deserialize, Serialize};

/// Which changes a view lists by their verdict: the CLI's `--status` and
/// the TUI's filter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusFilter {
    /// Anything that still needs a reviewer: the verdict says so, or risks
    /// reopened a reviewed change.
    #[default]
    Pending,
    All,
    Only(Verdict),
}

impl StatusFilter {
    pub fn label(self) -> String {
        match self {
            StatusFilter::Pending => "pending".into(),
            StatusFilter::All => "all".into(),
            StatusFilter::Only(v) => v.as_str().into(),
        }
    }

    pub fn accepts(self, change: &Change) -> bool {
        match self {
            StatusFilter::Pending => change.pending,
            StatusFilter::All => true,
            StatusFilter::Only(v) => change.verdict == v,
        }
    }
}

/// What kind of change landed on a watched branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// A merged pull request (merge commit or squash).
    Merge,
    /// A change on a maintenance branch that links to an original elsewhere.
    Backport,
    /// A commit with no pull request at all.
    DirectPush,
}

impl ChangeKind {
    pub const ALL: [ChangeKind; 3] = [ChangeKind::Merge, ChangeKind::Backport, ChangeKind::DirectPush];

    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Merge => "merge",
            ChangeKind::Backport => "backport",
            ChangeKind::DirectPush => "direct_push",
        }
    }
}

/// The review state of a change, from the most to the least reassuring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Independently approved before merge, on the merged head.
    Reviewed,
    /// Approved after it landed (GitHub review after merge, or a ledger approval).
    ApprovedAfterMerge,
    /// Some of it was approved, but not all: a stale approval, or a backport
    /// whose reviewed original differs from what landed.
    PartlyReviewed,
    /// No independent approval anywhere.
    Unreviewed,
    /// A reviewer recorded a concern that no later approval has cleared.
    ConcernRaised,
}

impl Verdict {
    pub const ALL: [Verdict; 5] = [
        Verdict::Reviewed,
        Verdict::ApprovedAfterMerge,
        Verdict::PartlyReviewed,
        Verdict::Unreviewed,
        Verdict::ConcernRaised,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Reviewed => "reviewed",
            Verdict::ApprovedAfterMerge => "approved_after_merge",
            Verdict::PartlyReviewed => "partly_reviewed",
            Verdict::Unreviewed => "unreviewed",
            Verdict::ConcernRaised => "concern_raised",
        }
    }

    /// Whether a change with this verdict still needs a reviewer.
    pub fn is_pending(self) -> bool {
        matches!(self, Verdict::PartlyReviewed | Verdict::Unreviewed | Verdict::ConcernRaised)
    }
}

/// A git identity as recorded in a commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Person {
    pub name: String,
    pub email: String,
}

impl Person {
    /// Same person, judged by email (case-insensitive) or, lacking one, by name.
    pub fn same_as(&self, other: &Person) -> bool {
        if !self.email.is_empty() && !other.email.is_empty() {
            return self.email.eq_ignore_ascii_case(&other.email);
        }
        !self.name.is_empty() && self.name == other.name
    }
}

/// How a file changed in a commit (against the first parent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileStatus {
    Added,
    Deleted,
    Modified,
    Renamed,
    Copied,
    TypeChange,
}

impl FileStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FileStatus::Added => "added",
            FileStatus::Deleted => "deleted",
            FileStatus::Modified => "modified",
            FileStatus::Renamed => "renamed",
            FileStatus::Copied => "copied",
            FileStatus::TypeChange => "type_change",
        }
    }

    pub fn parse(s: &str) -> Option<FileStatus> {
        Some(match s {
            "added" => FileStatus::Added,
            "deleted" => FileStatus::Deleted,
            "modified" => FileStatus::Modified,
            "renamed" => FileStatus::Renamed,
            "copied" => FileStatus::Copied,
            "type_change" => FileStatus::TypeChange,
            _ => return None,
        })
    }
}

/// One file touched by a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileChange {
    pub path: String,
    /// The path before a rename or copy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_path: Option<String>,
    pub status: FileStatus,
    pub binary: bool,
    pub additions: u32,
    pub deletions: u32,
}

/// The kind of a line in a diff hunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    Context,
    Added,
    Removed,
}

/// One line of a hunk, with its numbers in the old and new file. The text
/// is raw (untrusted, unsanitized), without its line ending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffLine {
    pub kind: LineKind,
    pub old_no: Option<u32>,
    pub new_no: Option<u32>,
    pub text: String,
    /// The line had no newline at the end of the file.
    pub no_newline: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hunk {
    pub old_start: u32,
    pub old_lines: u32,
    pub new_start: u32,
    pub new_lines: u32,
    /// The function or section the hunk is in (git's hunk header context).
    pub context: String,
    pub lines: Vec<DiffLine>,
}

/// One file of a change's diff against its first parent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileDiff {
    pub old_path: Option<String>,
    pub new_path: Option<String>,
    pub status: FileStatus,
    /// Rename/copy similarity in percent.
    pub similarity: Option<u16>,
    pub old_mode: u32,
    pub new_mode: u32,
    /// Shown as hex: git says binary, or a side holds NUL or is not UTF-8.
    pub binary: bool,
    pub old_blob: Option<String>,
    pub new_blob: Option<String>,
    pub hunks: Vec<Hunk>,
}

impl FileDiff {
    /// The path a reader knows the file by (the new one, else the old).
    pub fn path(&self) -> &str {
        self.new_path.as_deref().or(self.old_path.as_deref()).unwrap_or("")
    }
}

/// A `Key: value` trailer from the end of a commit message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trailer {
    pub key: String,
    pub value: String,
}

/// A first-parent commit on a watched branch, as read from git.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    pub sha: String,
    pub parent_count: usize,
    pub author: Person,
    pub committer: Person,
    /// Committer time, seconds since the epoch: when it landed on the branch.
    pub time: i64,
    pub subject: String,
    pub message: String,
    pub trailers: Vec<Trailer>,
}

/// A merged pull request as cached from the forge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PullRequest {
    pub number: u64,
    pub title: String,
    pub body: String,
    pub author: String,
    pub author_association: String,
    pub merged_by: Option<String>,
    pub merged_at: Option<i64>,
    pub merge_commit_sha: Option<String>,
    pub head_sha: Option<String>,
    pub base_branch: String,
    pub labels: Vec<String>,
    pub updated_at: Option<i64>,
    /// The commits of the pull request, oldest first (for stale approvals).
    pub commits: Vec<String>,
}

/// Metadata the forge gave for the changes being triaged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ForgeData {
    pub pull_requests: std::collections::HashMap<u64, PullRequest>,
    pub reviews: std::collections::HashMap<u64, Vec<Review>>,
    /// commit → pull request links that the subject line does not carry.
    pub commit_pulls: std::collections::HashMap<String, u64>,
    /// email (lowercase) → forge login.
    pub logins: std::collections::HashMap<String, String>,
}

/// The state of a submitted review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReviewState {
    Approved,
    ChangesRequested,
    Commented,
    Dismissed,
}

impl ReviewState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewState::Approved => "APPROVED",
            ReviewState::ChangesRequested => "CHANGES_REQUESTED",
            ReviewState::Commented => "COMMENTED",
            ReviewState::Dismissed => "DISMISSED",
        }
    }

    pub fn parse(s: &str) -> Option<ReviewState> {
        Some(match s {
            "APPROVED" => ReviewState::Approved,
            "CHANGES_REQUESTED" => ReviewState::ChangesRequested,
            "COMMENTED" => ReviewState::Commented,
            "DISMISSED" => ReviewState::Dismissed,
            _ => return None,
        })
    }
}

/// A review of a pull request, as cached from the forge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub id: u64,
    pub pr: u64,
    pub user: String,
    pub state: ReviewState,
    /// The commit the reviewer saw.
    pub commit_id: Option<String>,
    pub submitted_at: Option<i64>,
    /// The reviewer's standing in the project (OWNER, MEMBER, …), when known.
    #[serde(default)]
    pub author_association: String,
    /// Posted by rearview (its marker is in the body): an approval or a
    /// concern raised after merge.
    #[serde(default)]
    pub marker: Option<LedgerKind>,
}

/// Why a change has its verdict: one piece of evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum Evidence {
    /// A review on the forge.
    Review {
        pr: u64,
        user: String,
        state: ReviewState,
        commit_id: Option<String>,
        /// Submitted after the change landed.
        after_merge: bool,
        /// Given on a commit other than the merged head.
        stale: bool,
    },
    /// A `Reviewed-by:`-style trailer naming someone other than the author.
    Trailer { key: String, value: String },
    /// An entry of the local ledger.
    Ledger { id: i64, kind: LedgerKind, reviewer: String, at: i64 },
    /// The original of a backport, with its own verdict.
    Original { sha: String, pr: Option<u64>, verdict: Verdict, patch_id_matches: bool },
    /// Merged by someone other than its author, counted as an approval
    /// because the config says so (`review.merged_by_counts`).
    MergedBy { pr: u64, user: String },
    /// Commits of the pull request that no approval covered.
    UnapprovedCommits { shas: Vec<String> },
    /// A plain remark: why nothing else applied.
    Note { text: String },
}

impl Evidence {
    /// One line for a table cell or a report.
    pub fn describe(&self) -> String {
        match self {
            Evidence::Review { pr, user, state, commit_id, after_merge, stale } => {
                let mut s = format!("{} by {user} on #{pr}", state.as_str().to_ascii_lowercase());
                if *stale {
                    let at = commit_id.as_deref().map(short_sha).unwrap_or("an older commit");
                    s.push_str(&format!(" (stale: given at {at})"));
                }
                if *after_merge {
                    s.push_str(" (after merge)");
                }
                s
            }
            Evidence::Trailer { key, value } => format!("{key}: {value}"),
            Evidence::Ledger { id, kind, reviewer, .. } => {
                format!("ledger #{id}: {} by {reviewer}", kind.as_str())
            }
            Evidence::Original { sha, pr, verdict, patch_id_matches } => {
                let pr = pr.map(|n| format!(" (#{n})")).unwrap_or_default();
                let patch = if *patch_id_matches { "patch-id matches" } else { "patch-id differs: drift" };
                format!("original {}{pr} is {}; {patch}", short_sha(sha), verdict.as_str())
            }
            Evidence::MergedBy { pr, user } => format!("#{pr} merged by {user} (counted as approval by config)"),
            Evidence::UnapprovedCommits { shas } => {
                let list: Vec<&str> = shas.iter().map(|s| short_sha(s)).collect();
                format!("unapproved commits: {}", list.join(", "))
            }
            Evidence::Note { text } => text.clone(),
        }
    }
}

/// What kind of risk a signal names (the names are part of the JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskKind {
    BinaryFile,
    BinaryWithoutProvenance,
    EmbeddedPayload,
    HiddenCharacters,
    BuildSystem,
    SecuritySensitivePath,
    StaleApproval,
    BackportDrift,
    LargeChange,
    UnusualAuthor,
    SelfMerged,
    /// A build-time check program (CMake, autoconf, meson) edited.
    FeatureTest,
    /// A symlink that points outside the tree, or at an absolute path.
    SuspiciousSymlink,
}

impl RiskKind {
    pub const ALL: [RiskKind; 13] = [
        RiskKind::EmbeddedPayload,
        RiskKind::FeatureTest,
        RiskKind::HiddenCharacters,
        RiskKind::SuspiciousSymlink,
        RiskKind::BinaryWithoutProvenance,
        RiskKind::BuildSystem,
        RiskKind::SecuritySensitivePath,
        RiskKind::BackportDrift,
        RiskKind::BinaryFile,
        RiskKind::StaleApproval,
        RiskKind::UnusualAuthor,
        RiskKind::LargeChange,
        RiskKind::SelfMerged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RiskKind::BinaryFile => "binary_file",
            RiskKind::BinaryWithoutProvenance => "binary_without_provenance",
            RiskKind::EmbeddedPayload => "embedded_payload",
            RiskKind::HiddenCharacters => "hidden_characters",
            RiskKind::BuildSystem => "build_system",
            RiskKind::SecuritySensitivePath => "security_sensitive_path",
            RiskKind::StaleApproval => "stale_approval",
            RiskKind::BackportDrift => "backport_drift",
            RiskKind::LargeChange => "large_change",
            RiskKind::UnusualAuthor => "unusual_author",
            RiskKind::SelfMerged => "self_merged",
            RiskKind::FeatureTest => "feature_test",
            RiskKind::SuspiciousSymlink => "suspicious_symlink",
        }
    }

    pub fn parse(text: &str) -> Option<RiskKind> {
        RiskKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// How much a signal matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// Where a signal points: a file, and a line or a byte offset in it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// 1-based line in the new file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// 1-based column (characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// Byte offset in a binary file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
}

/// A reason a change deserves attention, explained, with where to look.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskSignal {
    pub kind: RiskKind,
    pub severity: Severity,
    /// Its share of the change's score.
    pub weight: u32,
    /// One line a reviewer can act on.
    pub explanation: String,
    pub location: Location,
}

/// How a backport was linked to its original.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OriginalLink {
    /// `(cherry picked from commit X)`.
    CherryPickTrailer,
    /// `[3.12] Title (GH-N)`: the original pull request's number.
    PullRequestNumber,
    /// No trailer at all: an equal patch-id on another watched branch.
    PatchId,
    /// A backport convention names the original commit: patchback's subject
    /// or branch, Linux stable's `commit <sha> upstream.`, a configured
    /// `[[backport.patterns]]` regex.
    BackportConvention,
}

/// The original of a backport.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Original {
    pub sha: String,
    pub pr: Option<u64>,
    pub branch: String,
    pub link: OriginalLink,
}

/// One entry of the queue: a change with its verdict and the reasons for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub sha: String,
    pub short_sha: String,
    pub branch: String,
    pub kind: ChangeKind,
    pub pr: Option<u64>,
    pub title: String,
    pub author: String,
    pub author_email: String,
    pub author_login: Option<String>,
    pub author_association: Option<String>,
    pub committer: String,
    pub merged_by: Option<String>,
    /// RFC 3339 time the change landed on the branch.
    pub merged_at: String,
    pub verdict: Verdict,
    /// Whether a reviewer still has to look at it.
    pub pending: bool,
    pub evidence: Vec<Evidence>,
    pub original: Option<Original>,
    /// Its message names an original (a bot's subject or branch, a
    /// cherry-pick note, `Backport of #N`, …) that could not be linked.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unlinked_backport: bool,
    pub patch_id_matches: Option<bool>,
    pub files: Vec<FileChange>,
    /// The sum of the risk signals' weights: the queue's order.
    #[serde(default)]
    pub score: u32,
    /// A backport's drift from its original, in hunks (0: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drift: Option<u32>,
    pub risks: Vec<RiskSignal>,
    /// Whose approval would not count (authors, co-authors, committer).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parties: Vec<independence::Party>,
}

impl Change {
    /// When it landed, in seconds since the epoch (`merged_at`).
    pub fn landed_at(&self) -> Option<i64> {
        chrono::DateTime::parse_from_rfc3339(&self.merged_at).ok().map(|t| t.timestamp())
    }
}

/// The triaged list of changes, newest first per branch.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Queue {
    pub changes: Vec<Change>,
}

impl Queue {
    pub fn pending(&self) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(|c| c.pending)
    }

    /// How many changes carry each verdict, in `Verdict::ALL` order.
    pub fn counts(&self) -> Vec<(Verdict, usize)> {
        Verdict::ALL.iter().map(|v| (*v, self.changes.iter().filter(|c| c.verdict == *v).count())).collect()
    }
}

/// The first 10 hex digits of a sha (or the whole string when shorter).
pub fn short_sha(sha: &str) -> &str {
    sha.get(..10).unwrap_or(sha)
}

/// One line of a hunk as the renderer reads it: the text is raw
/// (untrusted), without its line ending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineRef<'s> {
    pub kind: LineKind,
    pub old_no: Option<u32>,
    pub new_no: Option<u32>,
    pub no_newline: bool,
    pub text: &'s str,
}

/// A hunk's header: `@@ -old_start,old_lines +new_start,new_lines @@ context`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HunkHead<'s> {
    pub old_start: u32,
    pub old_lines: u32,
    pub new_start: u32,
    pub new_lines: u32,
    pub context: &'s str,
}

/// Where a renderer reads a file's hunks and lines: the diff model
/// ([`FileDiff`] is one), or a source that reads them on demand without
/// copying them (the blobs, see `repo::Repo::diff_lazy`). Renderers in
/// `render::diff` read through it.
pub trait HunkSource {
    fn hunk_count(&self) -> usize;
    fn head(&self, hunk: usize) -> Option<HunkHead<'_>>;
    fn line_count(&self, hunk: usize) -> usize;
    /// A line's kind, without its text (cheap).
    fn kind(&self, hunk: usize, line: usize) -> Option<LineKind>;
    fn line(&self, hunk: usize, line: usize) -> Option<LineRef<'_>>;
}

impl HunkSource for FileDiff {
    fn hunk_count(&self) -> usize {
        self.hunks.len()
    }

    fn head(&self, hunk: usize) -> Option<HunkHead<'_>> {
        self.hunks.get(hunk).map(|h| HunkHead {
            old_start: h.old_start,
            old_lines: h.old_lines,
            new_start: h.new_start,
            new_lines: h.new_lines,
            context: &h.context,
        })
    }

    fn line_count(&self, hunk: usize) -> usize {
        self.hunks.get(hunk).map_or(0, |h| h.lines.len())
    }

    fn kind(&self, hunk: usize, line: usize) -> Option<LineKind> {
        Some(self.hunks.get(hunk)?.lines.get(line)?.kind)
    }

    fn line(&self, hunk: usize, line: usize) -> Option<LineRef<'_>> {
        let l = self.hunks.get(hunk)?.lines.get(line)?;
        Some(LineRef { kind: l.kind, old_no: l.old_no, new_no: l.new_no, no_newline: l.no_newline, text: &l.text })
    }
}

/// `owner/name` on a GitHub host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoSlug {
    pub owner: String,
    pub name: String,
}

impl RepoSlug {
    /// `owner/name` as written in config.
    pub fn parse(text: &str) -> Option<RepoSlug> {
        let (owner, name) = text.trim().split_once('/')?;
        let name = name.strip_suffix(".git").unwrap_or(name);
        let valid = |s: &str| {
            !s.is_empty() && s.len() <= 100 && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        };
        let owner_ok = valid(owner) && owner.starts_with(|c: char| c.is_ascii_alphanumeric());
        (owner_ok && valid(name) && name != "." && name != "..")
            .then(|| RepoSlug { owner: owner.to_string(), name: name.to_string() })
    }
}

impl std::fmt::Display for RepoSlug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.owner, self.name)
    }
}

/// Seconds since the epoch as RFC 3339 in UTC.
pub fn rfc3339(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_else(|| seconds.to_string())
}

/// The day of seconds since the epoch, `YYYY-MM-DD` in UTC (`-` for none).
pub fn day(at: Option<i64>) -> String {
    at.map(|t| rfc3339(t).chars().take(10).collect()).unwrap_or_else(|| "-".into())
}

//! People and their trust: who authored, committed, merged, approved and
//! tagged, how fast they rose to each step, and what one of them touched
//! (the incident-response view). Plain data; times are seconds since the
//! epoch and serialize as RFC 3339.

use serde::{Serialize, Serializer};

use super::{rfc3339, Severity, Verdict};

fn time<S: Serializer>(at: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => s.serialize_str(&rfc3339(*at)),
        None => s.serialize_none(),
    }
}

fn time_always<S: Serializer>(at: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&rfc3339(*at))
}

/// An annotated tag: who made it and when (the tagger's own date).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TagFact {
    pub name: String,
    /// The commit it points at.
    pub commit: String,
    /// `None` for a lightweight tag or an annotated tag without a tagger.
    pub tagger: Option<super::Person>,
    #[serde(serialize_with = "time_always")]
    pub time: i64,
}

/// Someone GitHub lists as a collaborator of the repository, with their
/// role (`admin`, `maintain`, `write`, `triage`, `read`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Collaborator {
    pub login: String,
    pub role: String,
    /// May push to the repository (write, maintain or admin).
    pub push: bool,
}

/// Why someone counts as holding the commit bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PrivilegeSource {
    /// GitHub's collaborators API gave them push, maintain or admin.
    Github,
    /// They committed a change onto a watched branch themselves.
    Committed,
    /// They merged a pull request into a watched branch (GitHub).
    Merged,
    /// They made an annotated tag on a watched branch.
    Tagged,
}

impl PrivilegeSource {
    pub fn as_str(self) -> &'static str {
        match self {
            PrivilegeSource::Github => "github",
            PrivilegeSource::Committed => "committed",
            PrivilegeSource::Merged => "merged",
            PrivilegeSource::Tagged => "tagged",
        }
    }
}

/// A step on the way from newcomer to release signer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    FirstContribution,
    CommitBit,
    ReleaseTagging,
}

impl StepKind {
    pub fn label(self) -> &'static str {
        match self {
            StepKind::FirstContribution => "first contribution",
            StepKind::CommitBit => "commit bit",
            StepKind::ReleaseTagging => "release tagging",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    pub step: StepKind,
    #[serde(serialize_with = "time_always")]
    pub at: i64,
    /// Whole days since the step before it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_after_previous: Option<i64>,
}

/// How someone rose from first contribution to tagging releases, compared
/// with the others who reached the same step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Escalation {
    pub steps: Vec<Step>,
    /// Days from first contribution to the first release tag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_to_tagging: Option<i64>,
    /// The median of the same figure for the others who reached tagging
    /// after the project's founding weeks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peers_median_days: Option<i64>,
    /// How many others that median is over.
    pub peers: usize,
    pub flagged: bool,
    /// The comparison in words.
    pub explanation: String,
}

/// Everyone who authored, committed, merged, approved or tagged on the
/// watched branches, identities merged by `.mailmap`, email and login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonRecord {
    pub name: String,
    pub emails: Vec<String>,
    pub logins: Vec<String>,
    /// A bot account (`name[bot]`, a configured bot).
    pub bot: bool,
    #[serde(serialize_with = "time")]
    pub first_authored: Option<i64>,
    #[serde(serialize_with = "time")]
    pub first_committed: Option<i64>,
    #[serde(serialize_with = "time")]
    pub first_merged: Option<i64>,
    #[serde(serialize_with = "time")]
    pub first_tagged: Option<i64>,
    #[serde(serialize_with = "time")]
    pub last_activity: Option<i64>,
    pub authored: u32,
    pub committed: u32,
    pub merged: u32,
    pub self_merged_unreviewed: u32,
    pub approvals_given: u32,
    pub tags: u32,
    pub build_system_changes: u32,
    pub binaries_added: u32,
    pub privileged: bool,
    pub privileged_source: Option<PrivilegeSource>,
    pub dormant: bool,
    pub escalation: Escalation,
}

impl PersonRecord {
    /// The login if known, else the name: how views name them.
    pub fn handle(&self) -> &str {
        self.logins.first().map(String::as_str).unwrap_or(&self.name)
    }

    /// Whether `query` names this person: a login, an email, or the name
    /// (case-insensitive, whole).
    pub fn answers_to(&self, query: &str) -> bool {
        let q = query.trim().trim_start_matches('@');
        self.logins.iter().chain(&self.emails).any(|x| x.eq_ignore_ascii_case(q)) || self.name.eq_ignore_ascii_case(q)
    }

    /// 0 for a dormant privileged account, 1 for a flagged escalation, 2
    /// for the rest: the order of concern.
    pub fn concern(&self) -> u8 {
        if self.dormant {
            0
        } else if self.escalation.flagged {
            1
        } else {
            2
        }
    }
}

/// What a person did to a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Authored,
    Committed,
    Merged,
    Approved,
    Backported,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Authored => "authored",
            Role::Committed => "committed",
            Role::Merged => "merged",
            Role::Approved => "approved",
            Role::Backported => "backported",
        }
    }
}

/// One change in a blast radius.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TouchedChange {
    pub sha: String,
    pub branch: String,
    pub roles: Vec<Role>,
    pub verdict: Verdict,
    pub pending: bool,
    pub title: String,
    pub pr: Option<u64>,
    pub score: u32,
    /// The highest severity among its risk signals.
    pub severity: Option<Severity>,
    pub merged_at: String,
}

/// A change carried to another branch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CarriedChange {
    pub original: String,
    pub backport: String,
    pub branch: String,
    pub verdict: Verdict,
}

/// A binary file a change of theirs added or changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TouchedBinary {
    pub path: String,
    pub sha: String,
    pub added: bool,
}

/// A release tag whose history holds at least one of the changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AffectedRelease {
    pub tag: String,
    pub commit: String,
    #[serde(serialize_with = "time_always")]
    pub date: i64,
}

/// Everything one person touched, or everything one change reaches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BlastRadius {
    pub person: PersonRecord,
    /// The revision asked about, when the radius is of one change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// Riskiest first.
    pub changes: Vec<TouchedChange>,
    pub tagged: Vec<TagFact>,
    /// Newest first.
    pub releases: Vec<AffectedRelease>,
    pub binaries: Vec<TouchedBinary>,
    pub backports: Vec<CarriedChange>,
}

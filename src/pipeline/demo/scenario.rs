//! The demo scenario's text format (`assets/demo/scenario.toml`).

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// The clock's start, RFC 3339; each step advances it a few hours.
    pub start: String,
    pub default_branch: String,
    pub people: Vec<Account>,
    /// Signing keys, made from their phrases when the demo is built.
    #[serde(default)]
    pub keys: Vec<KeySpec>,
    pub steps: Vec<Step>,
}

/// A signing key made from text (`repo::signing`): no key file exists.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeySpec {
    pub id: String,
    /// `openpgp` or `ssh`.
    pub kind: String,
    /// The login of the person it belongs to.
    pub owner: String,
    /// The text its seed is the SHA-256 of.
    pub phrase: String,
    /// Written to the demo's keyring or allowed-signers file.
    #[serde(default)]
    pub trusted: bool,
}

/// A forge account and the git identity it commits with.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Account {
    pub login: String,
    pub name: String,
    pub email: String,
    #[serde(default = "none_association")]
    pub association: String,
}

fn none_association() -> String {
    "NONE".into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Step {
    /// A pull request merged onto `branch`.
    Pr {
        /// When it is merged (RFC 3339); later steps go on from there.
        #[serde(default)]
        at: Option<String>,
        #[serde(default)]
        id: Option<String>,
        branch: String,
        number: u64,
        author: String,
        title: String,
        #[serde(default)]
        body: String,
        #[serde(default)]
        style: MergeStyle,
        #[serde(default)]
        merged_by: Option<String>,
        /// How many commits the pull request had (edits marked `late`
        /// land in the last one).
        #[serde(default = "one")]
        commits: usize,
        #[serde(default)]
        reviews: Vec<ReviewSpec>,
        #[serde(default)]
        labels: Vec<String>,
        #[serde(default)]
        trailers: Vec<String>,
        files: Vec<Edit>,
    },
    /// A commit pushed straight onto `branch`.
    Push {
        #[serde(default)]
        at: Option<String>,
        #[serde(default)]
        id: Option<String>,
        branch: String,
        author: String,
        title: String,
        #[serde(default)]
        body: String,
        #[serde(default)]
        trailers: Vec<String>,
        files: Vec<Edit>,
    },
    /// The change of step `of` applied again onto `branch`.
    Backport {
        branch: String,
        of: String,
        /// The backport pull request (none: pushed directly).
        #[serde(default)]
        number: Option<u64>,
        /// The pull request's author (default: the bot `miss-islington`).
        #[serde(default)]
        author: Option<String>,
        #[serde(default)]
        merged_by: Option<String>,
        /// Replaces the generated `[3.12] Title (GH-N)` subject.
        #[serde(default)]
        subject: Option<String>,
        /// Adds `(cherry picked from commit …)`.
        #[serde(default = "yes")]
        trailer: bool,
        #[serde(default)]
        reviews: Vec<ReviewSpec>,
        /// Extra edits made while resolving conflicts: the drift.
        #[serde(default)]
        files: Vec<Edit>,
    },
    Branch {
        name: String,
        from: String,
    },
    /// A tag of a branch's tip: lightweight, or annotated by `tagger`
    /// (signed with the key `key` when given).
    Tag {
        #[serde(default)]
        at: Option<String>,
        name: String,
        branch: String,
        #[serde(default)]
        tagger: Option<String>,
        #[serde(default)]
        key: Option<String>,
        #[serde(default)]
        message: Option<String>,
    },
}

impl Step {
    /// The instant the step sets the clock to, if it sets it.
    pub fn at(&self) -> Option<&str> {
        match self {
            Step::Pr { at, .. } | Step::Push { at, .. } | Step::Tag { at, .. } => at.as_deref(),
            Step::Backport { .. } | Step::Branch { .. } => None,
        }
    }
}

fn one() -> usize {
    1
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MergeStyle {
    /// One commit on the base branch (GitHub "squash and merge").
    #[default]
    Squash,
    /// A merge commit whose second parent is the pull request's head.
    Merge,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewSpec {
    pub user: String,
    /// `APPROVED`, `CHANGES_REQUESTED`, `COMMENTED`, `DISMISSED`.
    pub state: String,
    /// Which commit the reviewer saw: `head` (default) or `first`.
    #[serde(default = "head")]
    pub on: String,
    /// `before` (default) or `after` the merge.
    #[serde(default = "before")]
    pub when: String,
}

fn head() -> String {
    "head".into()
}

fn before() -> String {
    "before".into()
}

/// One file edit. Exactly one of `content`, `replace`, `append`, `bytes`,
/// `delete` is given.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Edit {
    pub path: String,
    #[serde(default)]
    pub content: Option<String>,
    /// `[old, new]` pairs replaced in the current content (old must occur).
    #[serde(default)]
    pub replace: Vec<[String; 2]>,
    #[serde(default)]
    pub append: Option<String>,
    /// Binary content, built from text segments.
    #[serde(default)]
    pub bytes: Vec<Segment>,
    #[serde(default)]
    pub delete: bool,
    /// Pushed to the pull request after its first review.
    #[serde(default)]
    pub late: bool,
}

/// A piece of generated binary content.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Segment {
    /// Hex digits, whitespace ignored.
    #[serde(default)]
    pub hex: Option<String>,
    /// Literal text bytes.
    #[serde(default)]
    pub text: Option<String>,
    /// `count` pseudo-random bytes from `seed` (deterministic).
    #[serde(default)]
    pub random: Option<u64>,
    /// `count` copies of this byte.
    #[serde(default)]
    pub fill: Option<u8>,
    #[serde(default)]
    pub count: usize,
}

//! The state types around the app: the session kept between runs, the
//! queue's filter and order, screens, focus, overlays, loading values and
//! the sync as the status bar shows it.

use serde::{Deserialize, Serialize};

use crate::model::{Change, ChangeKind, Verdict};
use crate::paths::glob_match;

/// What is remembered per repository between runs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub selected: Option<String>,
    #[serde(default)]
    pub filter: Filter,
    #[serde(default)]
    pub sort: SortKey,
}

pub use crate::model::StatusFilter;

/// The status filter's choices, in the order `f` steps through them.
pub(super) const STATUS_CHOICES: [StatusFilter; 7] = [
    StatusFilter::Pending,
    StatusFilter::All,
    StatusFilter::Only(Verdict::Unreviewed),
    StatusFilter::Only(Verdict::PartlyReviewed),
    StatusFilter::Only(Verdict::ConcernRaised),
    StatusFilter::Only(Verdict::ApprovedAfterMerge),
    StatusFilter::Only(Verdict::Reviewed),
];

/// The queue's filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    #[serde(default)]
    pub status: StatusFilter,
    #[serde(default)]
    pub kind: Option<ChangeKind>,
    #[serde(default)]
    pub branch: Option<String>,
    /// A part of the author's name, login or email.
    #[serde(default)]
    pub author: String,
    /// A glob that one of the change's files must match.
    #[serde(default)]
    pub path: String,
}

impl Filter {
    pub(super) fn accepts(&self, c: &Change) -> bool {
        let author = self.author.to_lowercase();
        self.status.accepts(c)
            && self.kind.is_none_or(|k| c.kind == k)
            && self.branch.as_ref().is_none_or(|b| &c.branch == b)
            && (author.is_empty()
                || c.author.to_lowercase().contains(&author)
                || c.author_email.to_lowercase().contains(&author)
                || c.author_login.as_ref().is_some_and(|l| l.to_lowercase().contains(&author)))
            && (self.path.is_empty() || c.files.iter().any(|f| glob_match(&self.path, &f.path)))
    }

    /// One line for the queue's title.
    pub fn describe(&self) -> String {
        let mut parts = vec![self.status.label()];
        if let Some(k) = self.kind {
            parts.push(k.as_str().into());
        }
        if let Some(b) = &self.branch {
            parts.push(format!("branch {b}"));
        }
        if !self.author.is_empty() {
            parts.push(format!("author ~{}", self.author));
        }
        if !self.path.is_empty() {
            parts.push(format!("path {}", self.path));
        }
        parts.join(", ")
    }
}

/// The queue's order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    /// Riskiest first, then newest.
    #[default]
    Risk,
    /// Newest first.
    Age,
    Branch,
    Author,
}

impl SortKey {
    pub fn label(self) -> &'static str {
        match self {
            SortKey::Risk => "risk",
            SortKey::Age => "age",
            SortKey::Branch => "branch",
            SortKey::Author => "author",
        }
    }

    pub(super) fn next(self) -> SortKey {
        match self {
            SortKey::Risk => SortKey::Age,
            SortKey::Age => SortKey::Branch,
            SortKey::Branch => SortKey::Author,
            SortKey::Author => SortKey::Risk,
        }
    }
}

/// A value that arrives from the background.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Loading<T> {
    Idle,
    Loading,
    Loaded(T),
    Failed(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Queue,
    Diff,
    Hex,
    Release,
    People,
    Blast,
    Trends,
    Binaries,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    /// The queue list (queue screen) or the diff (diff screen).
    Main,
    /// The detail pane (queue screen) or the files sidebar (diff screen).
    Side,
}

/// Where a one-line input goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    QueueSearch,
    DiffSearch,
    Goto,
    ArchivePath,
}

impl InputKind {
    pub fn prompt(self) -> &'static str {
        match self {
            InputKind::QueueSearch => "/",
            InputKind::DiffSearch => "/",
            InputKind::Goto => "goto offset: ",
            InputKind::ArchivePath => "archive to verify: ",
        }
    }
}

/// The fields of the filter dialog, in order.
pub const FILTER_FIELDS: [&str; 5] = ["status", "kind", "branch", "author", "path"];

/// What a post-merge action would post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionKind {
    Approve,
    Concern,
}

/// A window over the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    Help { scroll: u16 },
    Input { kind: InputKind, text: String },
    FilterDialog { draft: Filter, field: usize },
    ActionDialog { kind: ActionKind, sha: String, text: String },
}

/// The sync as the status bar shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncState {
    Idle,
    Running { branch: String, done: usize, total: usize, note: String },
    Done(String),
    Failed(String),
}

/// A transient line in the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub error: bool,
    /// Ticks left before it fades.
    pub(super) ticks: u16,
}

/// The queue as the list shows it: filtered, sorted.
#[derive(Debug, Clone, Default)]
pub struct QueueView {
    /// Indices into the queue's changes, in display order.
    pub visible: Vec<usize>,
    /// Position in `visible`.
    pub selected: usize,
    /// First visible row.
    pub offset: usize,
    pub filter: Filter,
    pub sort: SortKey,
    /// The fuzzy title search (empty: none).
    pub search: String,
}

//! Review coverage and review debt over time: who maintains each area of
//! the tree, how much of it landed unreviewed, and whether that grows.
//! Plain data with a documented JSON shape (README, `rearview coverage`
//! and `rearview trends`); times are seconds since the epoch and
//! serialize as RFC 3339.

use serde::{Serialize, Serializer};

use super::rfc3339;

fn time<S: Serializer>(at: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&rfc3339(*at))
}

/// Where a repository's areas come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AreaSource {
    /// The top-level directories of the main line's tip (`/` for the files
    /// at its root).
    Directories,
    /// The entries of the repository's CODEOWNERS file.
    Codeowners,
    /// `[[coverage.areas]]` in the config.
    Config,
}

impl AreaSource {
    pub fn as_str(self) -> &'static str {
        match self {
            AreaSource::Directories => "directories",
            AreaSource::Codeowners => "codeowners",
            AreaSource::Config => "config",
        }
    }
}

/// One person who authored or reviewed changes in an area, with how many.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AreaPerson {
    pub name: String,
    /// Their GitHub login, when known.
    pub login: Option<String>,
    /// A bot: listed, never counted as a maintainer or reviewer.
    pub bot: bool,
    /// Changes in the area (in the window) they authored or reviewed; for
    /// `active_reviewers`, the ones they independently approved.
    pub changes: u32,
}

/// Why an area is listed first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AreaConcern {
    /// Nobody (no person; bots aside) authored or reviewed a change here in
    /// the window.
    NoMaintainer,
    /// One person did all of it.
    SingleMaintainer,
    /// More than half of its changes landed unreviewed.
    MostlyUnreviewed,
}

impl AreaConcern {
    pub fn as_str(self) -> &'static str {
        match self {
            AreaConcern::NoMaintainer => "no maintainer",
            AreaConcern::SingleMaintainer => "single maintainer",
            AreaConcern::MostlyUnreviewed => "mostly unreviewed",
        }
    }
}

/// One area: who maintains it, and how much of what landed there was
/// reviewed, in the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaCoverage {
    /// The area as its source names it: `Lib/` (a directory), `/docs/`
    /// (a CODEOWNERS pattern), `src/parser/*` (a config glob).
    pub path: String,
    /// A config area's name.
    pub name: Option<String>,
    /// People (bots marked) who authored or reviewed its changes, most
    /// changes first.
    pub maintainers: Vec<AreaPerson>,
    /// People who independently approved its changes (review, trailer or
    /// ledger; never an author, committer or bot), most first.
    pub active_reviewers: Vec<AreaPerson>,
    /// Changes that touched it, each counted once however many of its
    /// files are here.
    pub changes: u32,
    /// Of those, the ones with no independent approval anywhere (verdict
    /// `unreviewed`).
    pub unreviewed: u32,
    /// Those still pending (unreviewed, partly reviewed, concern raised, or
    /// reopened by risks).
    pub pending: u32,
    /// `unreviewed / changes`; `null` with no changes.
    pub unreviewed_share: Option<f64>,
    /// CODEOWNERS owners: the entry's own for a CODEOWNERS area; for
    /// another area, those of the files its changes touched.
    pub owners: Vec<String>,
    pub concerns: Vec<AreaConcern>,
}

impl AreaCoverage {
    /// Maintainers who are people, not bots.
    pub fn active_maintainers(&self) -> usize {
        self.maintainers.iter().filter(|m| !m.bot).count()
    }
}

/// The window a coverage is read over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoverageWindow {
    /// Changes that landed at or after this.
    #[serde(serialize_with = "time")]
    pub since: i64,
    /// The newest change on the watched branches: the window's end.
    #[serde(serialize_with = "time")]
    pub until: i64,
    /// `last 365 days of the history`, `since 2024-01-01`, `since v3.12.0`.
    pub label: String,
}

/// Every area, by concern.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coverage {
    pub source: AreaSource,
    /// The CODEOWNERS file read (`.github/CODEOWNERS`), if any.
    pub codeowners: Option<String>,
    pub window: CoverageWindow,
    /// Changes in the window.
    pub changes: u32,
    /// Areas with a concern first: those with the most unreviewed changes
    /// first; then the others, the largest unreviewed share first.
    pub areas: Vec<AreaCoverage>,
}

/// How trends are bucketed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// Calendar months, UTC.
    #[default]
    Month,
    /// ISO weeks (Monday to Sunday), UTC.
    Week,
}

/// One period of review debt.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Bucket {
    /// `2024-05` (a month) or `2024-W19` (an ISO week).
    pub period: String,
    /// The period's first second, UTC.
    #[serde(serialize_with = "time")]
    pub start: i64,
    /// Changes that landed in it.
    pub landed: u32,
    /// Of those, with no independent approval anywhere.
    pub unreviewed: u32,
    /// Of those, landed by their own author: merged by them on GitHub, or
    /// with no pull request, committed by them.
    pub self_merged: u32,
    /// Of those, approved only after they landed.
    pub approved_after_merge: u32,
    /// Changes pending at the period's end: landed by then and not yet
    /// approved (a later approval after merge ends it; the rest are still
    /// pending).
    pub backlog: u32,
}

/// The review debt of one branch or one area, period by period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Series {
    /// The branch (`main`), or the area's path.
    pub name: String,
    /// A config area's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Every period from the first change's to the last one's, empty ones
    /// included (zeros).
    pub periods: Vec<Bucket>,
    /// Sums over the periods; `backlog` is the last period's.
    pub total: Bucket,
}

/// Review debt over time, per branch and per area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trends {
    pub period: Period,
    pub source: AreaSource,
    /// The first and the last change counted (the first and last periods
    /// are partial).
    #[serde(serialize_with = "time")]
    pub from: i64,
    #[serde(serialize_with = "time")]
    pub to: i64,
    /// One series per branch, in listing order (main line first).
    pub branches: Vec<Series>,
    /// One series per area (over the branches listed), the most unreviewed
    /// changes first.
    pub areas: Vec<Series>,
}

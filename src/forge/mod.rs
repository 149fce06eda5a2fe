//! The code forge that holds review evidence. `Forge` is what sync needs
//! from one; GitHub (through octocrab) is the implementation today, so that
//! GitLab, Gitea or Gerrit can follow.

pub mod bulk_sync;
pub mod collaborators;
pub mod github;
pub mod graphql;
pub mod http;
pub mod outbox;
pub mod remote;
pub mod sync;
pub mod token;

use std::future::Future;

use crate::model::{PullRequest, Review};

/// A conditional fetch: fresh data with its validator, or "unchanged".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched<T> {
    Fresh { value: T, etag: Option<String> },
    NotModified,
}

/// One page of a paginated list and where the next one is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

/// Progress and notices while syncing; the CLI draws them on stderr, the
/// TUI in its status bar.
#[derive(Debug, Clone, PartialEq)]
pub enum SyncEvent {
    /// Working on a branch.
    Branch { branch: String },
    /// Pull requests found to fetch on the branch so far.
    Found { branch: String, total: usize },
    /// Pull requests fully fetched and saved.
    Saved { branch: String, done: usize, total: usize },
    /// The forge's rate limit after the latest answer.
    RateLimit { remaining: u64, limit: u64, reset: i64 },
    /// GraphQL points: spent by this sync so far, and left until `reset`.
    Points { used: u64, remaining: u64, limit: u64, reset: i64 },
    /// Something the user should know that changes nothing by itself.
    Notice { message: String },
    /// Waiting before a retry (rate limit, secondary limit, server error).
    Waiting { seconds: f64, reason: String },
    /// Commit → pull request links looked up.
    Linked { checked: usize, total: usize },
    /// A branch is done.
    BranchDone { branch: String, fetched: usize, up_to_date: bool },
}

#[derive(Debug, thiserror::Error)]
pub enum ForgeError {
    #[error(
        "{api} rejected the token (401 Bad credentials): set a valid GITHUB_TOKEN or GH_TOKEN, or run `gh auth login`"
    )]
    Unauthorized { api: String },
    #[error("{what} was not found at {api} (404): check [github] repository, and that the token may read it")]
    NotFound { what: String, api: String },
    #[error("cannot reach {api}: {detail} (check the network, or [github] api / --github-api)")]
    Unreachable { api: String, detail: String },
    #[error("{api} does not answer like GitHub's REST API ({detail}): check [github] api / --github-api")]
    NotGitHub { api: String, detail: String },
    #[error("the GitHub rate limit is used up until {reset}{hint}")]
    RateLimited { reset: String, hint: String },
    #[error("GitHub refused {url} (403): {message}")]
    Forbidden { url: String, message: String },
    #[error("GitHub kept failing for {url} ({detail}) after {attempts} attempts: try again later")]
    GaveUp { url: String, detail: String, attempts: u32 },
    #[error("GitHub answered {status} for {url}: {message}")]
    Unexpected { url: String, status: u16, message: String },
    #[error(
        "{url} answered 404: this host has no GraphQL API; run `rearview sync --rest` or set [github] bulk_reads = \"rest\""
    )]
    NoGraphQl { url: String },
    #[error("GitHub's GraphQL API refused the query for {what}: {message}")]
    Query { what: String, message: String },
    #[error("the GraphQL answer for {what} does not fit its query ({detail}): check [github] api / --github-api")]
    BadAnswer { what: String, detail: String },
    #[error("cannot set up the GitHub client: {0}")]
    Client(String),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

pub type Result<T> = std::result::Result<T, ForgeError>;

/// What syncing needs from a forge. Every method may be called concurrently.
pub trait Forge: Sync {
    /// A page of merged-or-closed pull requests into `base`, most recently
    /// updated first. `url` is a `next` link from a previous page (or
    /// `None` for the first page); `etag` makes the first page conditional.
    fn pulls_page(
        &self,
        base: &str,
        url: Option<&str>,
        etag: Option<&str>,
    ) -> impl Future<Output = Result<Fetched<Page<PullRequest>>>> + Send;

    /// One pull request with everything the list leaves out (who merged it).
    fn pull(&self, number: u64) -> impl Future<Output = Result<PullRequest>> + Send;

    /// Every review of a pull request, oldest first; conditional on `etag`.
    fn reviews(&self, number: u64, etag: Option<&str>) -> impl Future<Output = Result<Fetched<Vec<Review>>>> + Send;

    /// The commits of a pull request, oldest first.
    fn commits(&self, number: u64) -> impl Future<Output = Result<Vec<String>>> + Send;

    /// The pull requests that contain a commit.
    fn pulls_for_commit(&self, sha: &str) -> impl Future<Output = Result<Vec<u64>>> + Send;

    /// The URL a conditional list is keyed by in the store.
    fn pulls_key(&self, base: &str) -> String;

    /// The URL a pull request's reviews are keyed by in the store.
    fn reviews_key(&self, number: u64) -> String;
}

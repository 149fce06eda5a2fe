//! What a background job could not do, as the TUI shows it: each message
//! names what failed and what to do.

use std::path::PathBuf;

/// A job's failure.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error(transparent)]
    Repo(#[from] crate::repo::RepoError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Pipeline(#[from] crate::pipeline::Error),
    #[error(transparent)]
    Release(#[from] crate::release::Error),
    #[error(transparent)]
    Blast(#[from] crate::pipeline::people::blast::BlastError),
    #[error("no queue snapshot at {}: {source}", path.display())]
    NoSnapshot { path: PathBuf, source: std::io::Error },
    #[error("queue snapshot {} unreadable: {source}", path.display())]
    BadSnapshot { path: PathBuf, source: serde_json::Error },
    #[error("cannot read blob {id}: {source}")]
    Blob { id: String, source: std::io::Error },
    #[error("cannot start the {what}'s runtime: {source}")]
    Runtime { what: &'static str, source: std::io::Error },
    #[error("cannot start a render thread: {0}")]
    Thread(std::io::Error),
    #[error("render thread panicked")]
    RenderPanicked,
    #[error("a sync is already running")]
    SyncRunning,
}

impl From<crate::pipeline::sync::PlanError> for JobError {
    fn from(e: crate::pipeline::sync::PlanError) -> Self {
        JobError::Pipeline(e.into())
    }
}

impl From<crate::forge::ForgeError> for JobError {
    fn from(e: crate::forge::ForgeError) -> Self {
        JobError::Pipeline(e.into())
    }
}
